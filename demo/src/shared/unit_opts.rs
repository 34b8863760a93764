//! What the unit commands (`readcap`, `tur`, `requests`, `start`, `sync`, `verify`, `luns`,
//! `opcodes`) share to take their sg3_utils tool's command line as the tool's 1.46
//! `getopt_long()` loop takes it: `-h`, an unknown option and an option missing its
//! argument all print the usage on stderr and exit 0; the hex dumps of `hex2stdout()`;
//! opening a device with the mode the tool opens it with.

use sgmap_core::status::ExitCategory;
use sgmap_sys::Device;

use crate::help;
use crate::out::{self, CmdResult, Fail};
use crate::shared::dev;

/// The usage of `command` on stderr, and the status 0, as the tools answer `-h`, an
/// unrecognised option and an option without its argument.
pub fn usage(command: &str) -> CmdResult {
    let text = help::of(command).unwrap_or_else(help::main);
    out::err_str(&text);
    Ok(())
}

/// What an option's argument reading gave: the value, or `None` when it is missing (the
/// tools' `getopt_long()` then returns `?`: usage, status 0).
pub fn value(cli: &mut crate::cli::Cli, option: &str) -> Result<Option<String>, Fail> {
    match cli.value(option) {
        Ok(v) => Ok(Some(v)),
        Err(f) if f.code == ExitCategory::Syntax.code() => Ok(None),
        Err(f) => Err(f),
    }
}

/// [`dev::verbose_cdb`] from `-v` level `level` up (sg_ll_verify10/16 print their CDB from
/// `-vv`).
pub fn verbose_cdb_from(level: u8, what: &str, cdb: &[u8]) {
    if crate::invocation::verbose() >= level {
        dev::verbose_cdb(what, cdb);
    }
}

/// What `sscanf(s, " %lu")` (or `" %lx"` when `hex`) reads: white space, an optional sign,
/// (`0x` for hex,) digits; `None` without a digit.
pub fn scan_u64(s: &str, hex: bool) -> Option<u64> {
    let s = s.trim_start();
    let (neg, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let s = if hex {
        s.strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .filter(|r| r.bytes().next().is_some_and(|c| c.is_ascii_hexdigit()))
            .unwrap_or(s)
    } else {
        s
    };
    let radix = if hex { 16 } else { 10 };
    let n = s
        .bytes()
        .take_while(|c| (*c as char).is_digit(radix))
        .count();
    if n == 0 {
        return None;
    }
    let v = s[..n].bytes().fold(0u64, |acc, c| {
        acc.wrapping_mul(u64::from(radix))
            .wrapping_add(u64::from((c as char).to_digit(radix).unwrap_or(0)))
    });
    Some(if neg { v.wrapping_neg() } else { v })
}

/// What one letter of an old-style (`-O`) option word does.
pub enum Letter {
    /// A flag of one letter, taken.
    Flag,
    /// A flag of `n` letters (`16`, `pmi`), taken.
    Long(usize),
    /// Not a letter flag: the word from here is matched whole (`lba=`, `eject`).
    Out,
    /// `n` letters passed over, then the word from there is matched whole (sg_start's
    /// second `-`).
    SkipOut(usize),
    /// Parsing ends here (sg_turs' `-l`, `-N` of every tool: back to the new interface).
    Stop,
}

/// sg3_utils' old command-line interface (`--old`, `-O`, or `SG3_UTILS_OLD_OPTS` in the
/// environment), as the tools' `old_parse_cmd_line()` walks it: each argument that starts
/// with `-` is read letter by letter (`letter` says what each does, given the letters from
/// it on); what is left after a letter that is no flag is a word (`lba=LBA`, `eject`) that
/// `word` takes (`Ok(false)`: not one of its words, an error 1 unless it is `-old`); any
/// other argument is an operand. `Ok(true)` when parsing stopped at [`Letter::Stop`].
pub fn old_style<T>(
    command: &str,
    args: &[std::ffi::OsString],
    o: &mut T,
    letter: impl Fn(&mut T, char, &str) -> Letter,
    word: impl Fn(&mut T, &str) -> Result<bool, Fail>,
    operand: impl Fn(&mut T, &str) -> Result<(), Fail>,
) -> Result<bool, Fail> {
    for arg in args {
        let arg = arg.to_string_lossy();
        if arg.is_empty() {
            continue;
        }
        let Some(rest) = arg.strip_prefix('-') else {
            operand(o, &arg)?;
            continue;
        };
        let mut i = 0;
        let mut out_at = None;
        while let Some(c) = rest[i..].chars().next() {
            match letter(o, c, &rest[i..]) {
                Letter::Flag => i += c.len_utf8(),
                Letter::Long(n) => i += n,
                Letter::Out => {
                    out_at = Some(i);
                    break;
                }
                Letter::SkipOut(n) => {
                    out_at = Some(i + n);
                    break;
                }
                Letter::Stop => return Ok(true),
            }
        }
        let Some(at) = out_at else {
            continue;
        };
        let w = rest.get(at..).unwrap_or("");
        if w.is_empty() || word(o, w)? || w.starts_with("-old") {
            continue;
        }
        return Err(out::syntax(
            command,
            format_args!("Unrecognized option: {w}"),
        ));
    }
    Ok(false)
}

/// Whether the old interface is asked for from the start (`SG3_UTILS_OLD_OPTS` set).
pub fn old_from_env() -> bool {
    std::env::var_os("SG3_UTILS_OLD_OPTS").is_some()
}

/// `hex2stdout(data, len, 1)`: offsets, the bytes, no ASCII column, trailing spaces
/// trimmed.
pub fn hex_offsets(data: &[u8]) -> String {
    let mut dump = String::new();
    out::hex_dump(data, &mut dump);
    let mut s = String::new();
    for line in dump.lines() {
        s.push_str(line.get(..60).unwrap_or(line).trim_end());
        s.push('\n');
    }
    s
}

/// `hex2stdout(data, len, -1)`: the bytes only, sixteen a line, an extra space after the
/// eighth.
pub fn hex_bare(data: &[u8]) -> String {
    let mut s = String::new();
    for chunk in data.chunks(16) {
        for (i, b) in chunk.iter().enumerate() {
            if i == 8 {
                s.push(' ');
            }
            crate::json::push_hex_byte(&mut s, *b);
            s.push(' ');
        }
        let t = s.trim_end().len();
        s.truncate(t);
        s.push('\n');
    }
    s
}

/// Opens `path` as a tool that opens it read-write when `rw` (else read-only) does: a
/// directory opened read-write fails with EISDIR (71); a file that opens but is no SCSI
/// node is `None`: the tool's first command fails there with 75 (50 + ENOTTY) and the
/// tool goes on as after a failed command. Other failures are reported.
pub fn open(path: &str, rw: bool) -> Result<Option<Device>, Fail> {
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.is_dir() && rw {
            out::err_fmt(format_args!("sgmap: {path}: open: Is a directory\n"));
            return Err(Fail::new(ExitCategory::OsError(21)));
        }
    }
    match dev::open(path) {
        Ok(d) => Ok(Some(d)),
        Err(f) if f.code == ExitCategory::OsError(25).code() => Ok(None),
        Err(f) => Err(f),
    }
}

/// `Ok` for 0, else the status.
pub fn exit(status: u8) -> CmdResult {
    match status {
        0 => Ok(()),
        s => Err(Fail::code(s)),
    }
}

/// A number as sg3_utils' `sg_get_num()` takes it (suffixes, `0x` and `h` hex), within an
/// `int`; `None` where it returns -1.
pub fn int(v: &str) -> Option<u64> {
    crate::args::parse_num(v)
        .ok()
        .filter(|n| *n <= i32::MAX as u64)
}

/// `sg_get_category_sense_str(status, .., verbose)` and a newline, as sg_turs and
/// sg_requests print it on stdout after a failed command: with `-v`, the longer form.
pub fn category_line(status: u8) -> String {
    let longer = crate::invocation::verbose() > 0;
    match crate::shared::names::exit_text(status, longer) {
        Some(text) => format!("{text}\n"),
        None if longer => format!("Sense category: {status}\n"),
        None => format!("Sense category: {status}, try '-v' option for more information\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_layouts_are_hex2stdouts() {
        let data: Vec<u8> = (0u8..18).collect();
        assert_eq!(
            hex_offsets(&data),
            " 00     00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f\n 10     10 11\n"
        );
        assert_eq!(
            hex_bare(&data),
            "00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f\n10 11\n"
        );
    }
}
