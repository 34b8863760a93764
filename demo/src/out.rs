//! Output: the `sgmap: DEVICE: WHAT: WHY` diagnostics on stderr, the failure value every
//! command returns, the `{"exit_status":N}` of a `--json` command that failed before its
//! object, a hex dump like sg3_utils' `dStrHex()`, and integer-only renderings of durations
//! and rates (no floating-point formatting in the binary).

use std::fmt::{self, Write as _};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicBool, Ordering};

use sgmap_core::status::ExitCategory;

/// A command that failed: the diagnostic has been printed, this carries the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fail {
    /// The process exit status.
    pub code: u8,
}

impl Fail {
    /// A failure of this category.
    pub const fn new(category: ExitCategory) -> Fail {
        Fail {
            code: category.code(),
        }
    }

    /// A failure with an exit status outside the sg3_utils categories (130 after SIGINT).
    pub const fn code(code: u8) -> Fail {
        Fail { code }
    }
}

/// What every command returns.
pub type CmdResult = Result<(), Fail>;

/// Prints `sgmap: SUBJECT: WHAT: WHY` on stderr (empty parts left out) and returns the
/// failure of `category`.
pub fn fail(category: ExitCategory, subject: &str, what: &str, why: fmt::Arguments<'_>) -> Fail {
    diag(subject, what, why);
    Fail::new(category)
}

/// Prints `sgmap: SUBJECT: WHAT: WHY` on stderr, empty parts left out (under an sg3_utils
/// tool's name, the tool's: `sg_inq: /dev/sdz: open: ...`).
pub fn diag(subject: &str, what: &str, why: fmt::Arguments<'_>) {
    let mut line = String::from(crate::invocation::tool().unwrap_or("sgmap"));
    line.push_str(": ");
    for part in [subject, what] {
        if !part.is_empty() {
            line.push_str(part);
            line.push_str(": ");
        }
    }
    let _ = line.write_fmt(why);
    if line.ends_with(": ") {
        line.truncate(line.len() - 2);
    }
    line.push('\n');
    err_str(&line);
}

/// A syntax error (exit 1) with a pointer to the command's help.
pub fn syntax(command: &str, why: fmt::Arguments<'_>) -> Fail {
    let mut line = String::new();
    let _ = line.write_fmt(why);
    diag(
        command,
        "",
        format_args!("{line} (see 'sgmap help {command}')"),
    );
    Fail::new(ExitCategory::Syntax)
}

/// Contradicting options (exit 31).
pub fn contradict(command: &str, why: fmt::Arguments<'_>) -> Fail {
    fail(ExitCategory::Contradict, command, "", why)
}

/// Writes a string to stderr, ignoring errors (there is nowhere to report them).
pub fn err_str(s: &str) {
    let _ = io::stderr().lock().write_all(s.as_bytes());
}

/// Writes formatted text to stderr in one `write()`, as [`err_str`]: one formatting
/// function for every message, instead of a `format!` and its `String` at each.
pub fn err_fmt(args: std::fmt::Arguments<'_>) {
    err_str(&std::fmt::format(args));
}

/// Writes formatted text to stdout, as [`out_str`].
pub fn out_fmt(args: std::fmt::Arguments<'_>) -> CmdResult {
    out_str(&std::fmt::format(args))
}

/// Writes a string to stdout; see [`out_bytes`].
pub fn out_str(s: &str) -> CmdResult {
    out_bytes(s.as_bytes())
}

/// The exit status of a process that SIGPIPE ended, as a shell shows it (128 + 13).
pub const BROKEN_PIPE_STATUS: u8 = 141;

/// Whether the command took `--json`.
static JSON_ASKED: AtomicBool = AtomicBool::new(false);
/// Whether anything was written to stdout.
static STDOUT_USED: AtomicBool = AtomicBool::new(false);

/// Notes that the command took `--json`.
pub fn json_asked() {
    JSON_ASKED.store(true, Ordering::Relaxed);
}

/// After a failure: when the command took `--json` and printed nothing on stdout (it
/// failed before it had its object: the device did not open, a command was refused), prints
/// the object `{"exit_status":N}`, as sg3_utils 1.48 prints what it built so far with its
/// `exit_status` (`sgj_js2file()`). Not after a usage error (1, 31: the command line was not
/// understood, nothing ran), nor once stdout is closed (141).
pub fn json_failure(fail: Fail) {
    if !JSON_ASKED.load(Ordering::Relaxed) || STDOUT_USED.load(Ordering::Relaxed) {
        return;
    }
    if let Some(text) = failure_json(fail.code) {
        let _ = out_str(&text);
    }
}

/// The object [`json_failure`] prints for an exit status, or `None` for the statuses that
/// print none.
pub fn failure_json(code: u8) -> Option<String> {
    let usage = [
        ExitCategory::Syntax.code(),
        ExitCategory::Contradict.code(),
        BROKEN_PIPE_STATUS,
    ];
    if code == 0 || usage.contains(&code) {
        return None;
    }
    let mut j = crate::json::Json::object();
    j.u64("exit_status", u64::from(code));
    Some(j.finish())
}

/// Writes bytes to stdout. A reader that closed the pipe early (`sgmap … | head -3`) ends
/// the command quietly with 141, which is what a shell shows for sg3_utils' tools, which
/// SIGPIPE kills (Rust ignores SIGPIPE, so sgmap sees `EPIPE` instead). Any other failure is
/// an OS error of its own.
pub fn out_bytes(b: &[u8]) -> CmdResult {
    STDOUT_USED.store(true, Ordering::Relaxed);
    let mut out = io::stdout().lock();
    out.write_all(b)
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            io::ErrorKind::BrokenPipe => Fail::code(BROKEN_PIPE_STATUS),
            _ => io_fail("stdout", "write", e),
        })
}

/// The category of an `io::Error`: 50 + errno, or 15 for the file errors sg3_utils counts
/// as such (not found, permission), 99 without an errno.
pub fn io_category(e: &io::Error) -> ExitCategory {
    match e.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::PermissionDenied => ExitCategory::FileError,
        _ => match e.raw_os_error() {
            Some(errno) => u16::try_from(errno)
                .map(ExitCategory::OsError)
                .unwrap_or(ExitCategory::Other),
            None => ExitCategory::Other,
        },
    }
}

/// Reports an `io::Error` on `subject` and returns its failure.
pub fn io_fail(subject: &str, what: &str, e: io::Error) -> Fail {
    fail(
        io_category(&e),
        subject,
        what,
        format_args!("{}", IoWhy(&e)),
    )
}

/// An `io::Error` as the system says it, without std's " (os error N)" tail: for an errno,
/// glibc's text (`sgmap_sys::errno_text`, what sg3_utils prints), not the static libc's.
pub struct IoWhy<'a>(pub &'a io::Error);

impl fmt::Display for IoWhy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(text) = self.0.raw_os_error().and_then(sgmap_sys::errno_text) {
            return f.write_str(text);
        }
        let s = self.0.to_string();
        match s.rsplit_once('(') {
            Some((head, tail)) if tail.starts_with("os error ") => f.write_str(head.trim_end()),
            _ => f.write_str(&s),
        }
    }
}

/// Appends a hex dump of `data` in sg3_utils' `dStrHex()` layout: the offset in hex at
/// column 1, sixteen bytes from column 8 (an extra space after the eighth), the printable
/// characters from column 60.
pub fn hex_dump(data: &[u8], out: &mut String) {
    for (line_no, chunk) in data.chunks(16).enumerate() {
        let start = out.len();
        let _ = write!(out, " {:02x}", line_no * 16);
        while out.len() - start < 8 {
            out.push(' ');
        }
        for (i, b) in chunk.iter().enumerate() {
            if i == 8 {
                out.push(' ');
            }
            crate::json::push_hex_byte(out, *b);
            out.push(' ');
        }
        while out.len() - start < 60 {
            out.push(' ');
        }
        for &b in chunk {
            out.push(if (0x20..0x7f).contains(&b) {
                char::from(b)
            } else {
                '.'
            });
        }
        out.push('\n');
    }
}

/// `S.ssssss` seconds from microseconds.
pub struct Secs(pub u64);

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}", self.0 / 1_000_000, self.0 % 1_000_000)
    }
}

/// A value in hundredths, `X.XX`.
pub struct Centi(pub u64);

impl fmt::Display for Centi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// A non-negative `f64` with `DECIMALS` digits after the point, as C's `printf("%.Nf")`
/// prints it (and `format!("{:.N}")`): the exact binary value rounded to nearest, ties to
/// even. Written out here so that the binary carries no float formatting (7 KiB of `core::fmt`
/// for four numbers: sg_readcap's MiB, GB and TB, sg_requests' operations per second).
/// Negative, infinite and NaN values print as 0; a value past 2^100 prints saturated.
pub struct Fixed<const DECIMALS: u32>(pub f64);

impl<const DECIMALS: u32> fmt::Display for Fixed<DECIMALS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = 10u128.pow(DECIMALS);
        let units = fixed_units(self.0, scale);
        let (whole, part) = (units / scale, units % scale);
        if DECIMALS == 0 {
            return write!(f, "{whole}");
        }
        write!(f, "{whole}.{part:0width$}", width = DECIMALS as usize)
    }
}

/// `value × scale`, rounded to the nearest integer, ties to even, computed on the exact
/// binary value: `value = mantissa × 2^exponent`.
fn fixed_units(value: f64, scale: u128) -> u128 {
    if value.is_nan() || value <= 0.0 || value.is_infinite() {
        return 0;
    }
    let bits = value.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = u128::from(bits & ((1 << 52) - 1));
    let (mantissa, exponent) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, biased - 1075)
    };
    let n = mantissa * scale;
    if exponent >= 0 {
        return n
            .checked_shl(exponent as u32)
            .filter(|&v| v >> exponent == n)
            .unwrap_or(u128::MAX);
    }
    let shift = exponent.unsigned_abs();
    if shift >= 120 {
        // n < 2^63, so the value is below a quarter: 0.
        return 0;
    }
    let (whole, rest, half) = (n >> shift, n & ((1 << shift) - 1), 1u128 << (shift - 1));
    whole + u128::from(rest > half || (rest == half && whole & 1 == 1))
}

/// `num × mul / den`, rounded, without 128-bit division; 0 when `den` is 0. When
/// `num × mul` overflows, `num / den × mul` (saturating): exact enough for rates and
/// percentages of anything below 18 EB.
#[inline(never)]
pub fn scale(num: u64, mul: u64, den: u64) -> u64 {
    if den == 0 {
        return 0;
    }
    match num.checked_mul(mul) {
        Some(p) => p / den + u64::from(p % den >= den - den / 2),
        None => (num / den).saturating_mul(mul),
    }
}

/// MB/s (MB = 10^6 bytes) in hundredths: bytes / µs × 100.
pub fn rate_centi_mb(bytes: u64, micros: u64) -> u64 {
    scale(bytes, 100, micros)
}

/// Standard input as a `File` of its own (a `dup` of fd 0): read without std's buffered,
/// locked `Stdin` and its `Read` vtable.
pub fn stdin_file() -> io::Result<File> {
    Ok(File::from(io::stdin().as_fd().try_clone_to_owned()?))
}

/// Standard output as a `File` of its own (a `dup` of fd 1), unbuffered.
pub fn stdout_file() -> io::Result<File> {
    Ok(File::from(io::stdout().as_fd().try_clone_to_owned()?))
}

/// Reads a whole input, at most `limit` bytes: the file at `path`, or standard input for
/// `None` or `-`.
pub fn read_input(path: Option<&str>, limit: u64) -> Result<Vec<u8>, Fail> {
    let name = path.filter(|p| *p != "-").unwrap_or("stdin");
    let file = match path {
        Some(p) if p != "-" => File::open(p),
        _ => stdin_file(),
    };
    let mut buf = Vec::new();
    file.and_then(|f| f.take(limit).read_to_end(&mut buf))
        .map_err(|e| io_fail(name, "read", e))?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_dump_matches_dstrhex_layout() {
        let mut s = String::new();
        let data: Vec<u8> = (0u8..20).chain(*b"Linux").collect();
        hex_dump(&data, &mut s);
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            " 00     00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f    ................"
        );
        assert_eq!(
            lines[1],
            " 10     10 11 12 13 4c 69 6e 75  78                         ....Linux"
        );
        assert_eq!(lines[1].find("....Linux"), Some(60));
        s.clear();
        hex_dump(&[], &mut s);
        assert_eq!(s, "");
    }

    #[test]
    fn hex_dump_offsets_grow_past_two_digits() {
        let mut s = String::new();
        hex_dump(&[0u8; 300], &mut s);
        let last = s.lines().last().unwrap();
        assert!(last.starts_with(" 120    00 00"), "{last:?}");
    }

    #[test]
    fn durations_and_rates_without_floats() {
        assert_eq!(Secs(1_234_567).to_string(), "1.234567");
        assert_eq!(Secs(5).to_string(), "0.000005");
        assert_eq!(Centi(12345).to_string(), "123.45");
        assert_eq!(Centi(7).to_string(), "0.07");
        assert_eq!(Fixed::<1>(0.25).to_string(), "0.2");
        assert_eq!(Fixed::<1>(0.35).to_string(), "0.3");
        assert_eq!(Fixed::<2>(1.005).to_string(), "1.00");
        assert_eq!(Fixed::<2>(0.0).to_string(), "0.00");
        assert_eq!(Fixed::<2>(f64::NAN).to_string(), "0.00");
        // 16 MiB in 0.5 s = 33.55 MB/s
        assert_eq!(rate_centi_mb(16 << 20, 500_000), 3355);
        assert_eq!(rate_centi_mb(1, 0), 0);
        assert_eq!(rate_centi_mb(u64::MAX, 1), u64::MAX);
        assert_eq!(scale(5, 1, 2), 3);
        assert_eq!(scale(1, 1, 0), 0);
        assert_eq!(scale(2, 1, 3), 1);
        assert_eq!(scale(1, 1, 3), 0);
        assert_eq!(scale(u64::MAX, 10, 1 << 20), (u64::MAX >> 20) * 10);
    }

    #[test]
    fn a_failed_json_command_prints_its_exit_status_unless_the_line_was_not_understood() {
        assert_eq!(failure_json(15).as_deref(), Some("{\"exit_status\":15}\n"));
        assert_eq!(failure_json(97).as_deref(), Some("{\"exit_status\":97}\n"));
        assert_eq!(
            failure_json(130).as_deref(),
            Some("{\"exit_status\":130}\n")
        );
        for quiet in [0, 1, 31, BROKEN_PIPE_STATUS] {
            assert_eq!(failure_json(quiet), None, "{quiet}");
        }
    }

    #[test]
    fn io_errors_map_to_categories() {
        let nf = io::Error::from_raw_os_error(2);
        assert_eq!(io_category(&nf), ExitCategory::FileError);
        let acc = io::Error::from_raw_os_error(13);
        assert_eq!(io_category(&acc), ExitCategory::FileError);
        let nospc = io::Error::from_raw_os_error(28);
        assert_eq!(io_category(&nospc).code(), 78);
        let other = io::Error::other("x");
        assert_eq!(io_category(&other).code(), 99);
        assert_eq!(IoWhy(&nf).to_string(), "No such file or directory");
        // glibc's words, which musl words differently ("Resource busy").
        let busy = io::Error::from_raw_os_error(16);
        assert_eq!(IoWhy(&busy).to_string(), "Device or resource busy");
    }

    #[test]
    fn fixed_prints_what_printf_and_format_print() {
        // format!("{:.N}") rounds the exact binary value to nearest, ties to even, as
        // glibc's printf does: the reference for every kind of value sg_readcap prints.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut values = vec![
            0.5, 1.5, 2.5, 0.125, 0.375, 2000.0, 1e-300, 5e-324, 1e18, 3.0e19,
        ];
        for _ in 0..20_000 {
            let r = next();
            // Device sizes in bytes over 2^20 and 10^9, exact ties (k / 2^n), and any
            // bit pattern of a finite positive double below 2^70.
            values.push((r >> 20) as f64 * 512.0 / 1_048_576.0);
            values.push((r >> 24) as f64 * 4096.0 / 1_000_000_000.0);
            values.push((r >> 40) as f64 / f64::from(1u32 << (r % 24)));
            let v = f64::from_bits(r >> 2);
            if v.is_finite() && v < 1e21 {
                values.push(v);
            }
        }
        for v in values {
            assert_eq!(Fixed::<1>(v).to_string(), format!("{v:.1}"), "{v:e}");
            assert_eq!(Fixed::<2>(v).to_string(), format!("{v:.2}"), "{v:e}");
            assert_eq!(Fixed::<3>(v).to_string(), format!("{v:.3}"), "{v:e}");
        }
    }
}
