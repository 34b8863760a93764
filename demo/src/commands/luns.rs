//! `sgmap luns`: REPORT LUNS, printed as `sg_luns` (1.46) prints it.

use std::ffi::OsString;
use std::fmt::Write as _;

use sgmap_core::cdb::{Inquiry, ReportLuns as ReportLunsCdb};
use sgmap_core::response::ReportLuns;
use sgmap_core::status::ExitCategory;
use sgmap_sys::Timeout;

use crate::cli::Cli;
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use crate::shared::dev;

/// sg_luns' default allocation length (`DEF_RLUNS_BUFF_LEN`).
const DEFAULT_MAXLEN: u32 = 8 * 1024;
/// sg_luns' largest `--maxlen` (`MAX_RLUNS_BUFF_LEN`).
const MAX_MAXLEN: u64 = 1024 * 1024;

/// What the command line asked for.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Options {
    decode: bool,
    hex: u32,
    raw: bool,
    quiet: bool,
    /// How many times `--lu_cong` was given (odd: decode as if LU_CONG is set).
    lu_cong: u32,
    maxlen: u32,
    select: u8,
    json: bool,
    /// How many times `--decode` was given (twice: `--test` shows the dashed form).
    decode_n: u32,
    /// `--lu_cong` was given.
    lu_cong_given: bool,
    readonly: bool,
    /// `-v` was given (sg_luns' decode says more).
    verbose: bool,
    /// `--test=ALUN`.
    test: Option<String>,
    device: Option<String>,
}

/// Runs `sgmap luns`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let Some(mut o) = parse(args)? else {
        return Ok(());
    };
    o.verbose = crate::invocation::verbose() > 0;
    if let Some(alun) = &o.test {
        return test(&o, alun);
    }
    let Some(device) = o.device.clone() else {
        return Err(out::syntax("luns", format_args!("DEVICE is required")));
    };
    if o.json && (o.raw || o.hex == 1) {
        return Err(out::contradict(
            "luns",
            format_args!("--json with --raw or --hex: both choose the output"),
        ));
    }
    // sg_luns opens read-write unless --readonly; a file that is no SCSI node fails the
    // first command as ioctl() does there (75).
    let Some(mut d) = crate::shared::unit_opts::open(&device, !o.readonly)? else {
        return Err(Fail::new(ExitCategory::OsError(25)));
    };
    let timeout = Timeout::DEFAULT;
    // Without --lu_cong, the decode asks the standard INQUIRY whether LU_CONG is set.
    let lu_cong = if o.decode && !o.lu_cong_given {
        let cdb = dev::cdb(&Inquiry::standard(36), &device)?;
        dev::verbose_cdb("inquiry", cdb.as_bytes());
        let (resp, data) = dev::data_in(&mut d, cdb.as_bytes(), 36, timeout)?;
        if !dev::sg3_ok(&resp) {
            return Err(dev::scsi_fail(&device, "INQUIRY (for LU_CONG)", &resp));
        }
        data.get(1).is_some_and(|b| b & 0x40 != 0)
    } else {
        o.lu_cong % 2 == 1
    };
    let cdb = dev::cdb(
        &ReportLunsCdb {
            select_report: o.select,
            allocation_length: o.maxlen,
        },
        &device,
    )?;
    let maxlen = o.maxlen as usize;
    dev::verbose_cdb("report luns", cdb.as_bytes());
    let (resp, mut buf) = dev::data_in(&mut d, cdb.as_bytes(), maxlen, timeout)?;
    if !dev::sg3_ok(&resp) {
        let fail = dev::scsi_fail(&device, "REPORT LUNS", &resp);
        let why = match resp.category() {
            ExitCategory::InvalidOpcode => {
                "command not supported (support mandatory in SPC-3)".to_owned()
            }
            ExitCategory::AbortedCommand => "aborted command".to_owned(),
            ExitCategory::IllegalRequest => "bad field in cdb".to_owned(),
            other => crate::shared::names::exit_status(other.code()),
        };
        out::diag(&device, "REPORT LUNS", format_args!("{why}"));
        return Err(fail);
    }
    // As sg_luns: the whole allocation length is looked at, zeros past what came.
    buf.resize(maxlen, 0);
    if o.raw {
        return out::out_bytes(&buf[..len_cap(&buf, maxlen)]);
    }
    if o.hex == 1 {
        return out::out_str(&hex_no_ascii(&buf[..len_cap(&buf, maxlen)]));
    }
    let list = list_length(&buf);
    let luns = list / 8;
    if i64::from(list) + 8 > maxlen as i64 {
        let shown = (maxlen as i64 - 8) / 8;
        out::err_fmt(format_args!(
            "  <<too many luns for internal buffer, will show {shown} lun{}>>\n",
            if shown == 1 { "" } else { "s" }
        ));
    }
    if o.json {
        return out::out_str(&to_json(&device, &o, lu_cong, &buf));
    }
    out::out_str(&to_text(&o, lu_cong, &buf, luns))
}

/// LUN LIST LENGTH as sg_luns holds it (a C `int`).
fn list_length(buf: &[u8]) -> i32 {
    ReportLuns::new_unchecked(buf).list_length() as i32
}

/// What `--raw` and `--hex` show: LUN LIST LENGTH + 8 bytes, at most the allocation length.
fn len_cap(buf: &[u8], maxlen: usize) -> usize {
    let cap = i64::from(list_length(buf)) + 8;
    cap.clamp(0, maxlen as i64) as usize
}

/// sg_luns' text: the count line, then each LUN in hex and, with `--decode`, its decode.
fn to_text(o: &Options, lu_cong: bool, buf: &[u8], luns: i32) -> String {
    let mut s = String::new();
    if !o.quiet {
        // sg_luns 1.46 spells it "imples".
        let _ = writeln!(
            s,
            "Lun list length = {} which imples {luns} lun entr{}",
            list_length(buf),
            if luns == 1 { "y" } else { "ies" }
        );
    }
    for (k, lun) in ReportLuns::new_unchecked(buf).luns().enumerate() {
        if !o.quiet {
            if k == 0 {
                let _ = writeln!(s, "Report luns [select_report={:#x}]:", o.select);
            }
            s.push_str("    ");
        }
        let _ = writeln!(s, "{lun}");
        if o.decode {
            let at = 8 + 8 * k;
            decode_lun(
                &mut s,
                "      ",
                buf.get(at..).unwrap_or(&[]),
                lu_cong,
                o.hex > 0,
                o.verbose,
            );
        }
    }
    s
}

/// The JSON object (schema in JSON.md; `lun_list_length`, `lun_list` and `lun` are
/// sg_luns 1.48's names).
fn to_json(device: &str, o: &Options, lu_cong: bool, buf: &[u8]) -> String {
    let mut j = Json::object();
    j.str("device", device)
        .u64("select_report", u64::from(o.select))
        .bool("lu_cong", lu_cong)
        .u64("lun_list_length", u64::from(list_length(buf) as u32));
    j.begin_array("lun_list");
    for (k, lun) in ReportLuns::new_unchecked(buf).luns().enumerate() {
        j.item_object()
            .hex("lun", &lun.0)
            .u64("linux_lun", lun.to_linux());
        if o.decode {
            let mut text = String::new();
            let at = 8 + 8 * k;
            decode_lun(
                &mut text,
                "",
                buf.get(at..).unwrap_or(&[]),
                lu_cong,
                o.hex > 0,
                o.verbose,
            );
            j.str("decoded", text.trim_end());
        }
        j.end();
    }
    j.end_array();
    j.u64("exit_status", 0);
    j.finish()
}

/// The byte at `i` of `b`, 0 past its end (sg_luns reads on into its zeroed buffer).
fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// `n` bytes big-endian from `b[i..]`, zeros past the end.
fn be(b: &[u8], i: usize, n: usize) -> u64 {
    (i..i + n).fold(0u64, |acc, k| acc << 8 | u64::from(at(b, k)))
}

/// sg_luns 1.46's `decode_lun()` (SAM-5 LUN structure), line for line; `lun` is the LUN's
/// bytes and whatever follows it in the response (a level's extended address may read past
/// the eight, as sg_luns does). Total: any bytes give lines.
fn decode_lun(s: &mut String, leadin: &str, lun: &[u8], lu_cong: bool, hex: bool, verbose: bool) {
    if at(lun, 0) == 0xff {
        let _ = writeln!(s, "{leadin}Logical unit _not_ specified");
        return;
    }
    let mut admin_lu_cong = lu_cong;
    for k in 0..4usize {
        let p = 2 * k;
        let mut l = leadin.to_owned();
        let mut next_level = false;
        if k > 0 {
            if lu_cong {
                admin_lu_cong = false;
                if at(lun, p) == 0 && at(lun, p + 1) == 0 {
                    let _ = writeln!(s, "{l}>>>> Administrative LU");
                    if hex || verbose {
                        s.push_str("        since Subsidiary element is 0x0000\n");
                    }
                    break;
                }
                let _ = writeln!(s, "{l}>>Subsidiary element:");
            } else {
                let which = ["Second", "Third", "Fourth"][k - 1];
                let _ = writeln!(s, "{l}>>{which} level addressing:");
            }
            l.push_str("  ");
        } else if lu_cong {
            let _ = writeln!(s, "{l}>>Administrative element:");
            l.push_str("  ");
        }
        let (b0, b1) = (at(lun, p), at(lun, p + 1));
        let method = b0 >> 6;
        match method {
            0 if lu_cong => {
                let x = be(lun, p, 2) & 0x3fff;
                if hex {
                    let _ = writeln!(s, "{l}Simple lu addressing: 0x{x:04x}");
                } else {
                    let _ = writeln!(s, "{l}Simple lu addressing: {x}");
                }
                next_level = admin_lu_cong;
            }
            0 => {
                let bus = b0 & 0x3f;
                let what = "Peripheral device addressing: ";
                let id = if bus == 0 { "lun" } else { "target" };
                match (bus == 0 && !verbose, hex) {
                    (true, true) => {
                        let _ = writeln!(s, "{l}{what}lun=0x{b1:02x}");
                    }
                    (true, false) => {
                        let _ = writeln!(s, "{l}{what}lun={b1}");
                    }
                    (false, true) => {
                        let _ = writeln!(s, "{l}{what}bus_id=0x{bus:02x}, {id}=0x{b1:02x}");
                    }
                    (false, false) => {
                        let _ = writeln!(s, "{l}{what}bus_id={bus}, {id}={b1}");
                    }
                }
                next_level = bus != 0;
            }
            1 => {
                let x = be(lun, p, 2) & 0x3fff;
                if lu_cong {
                    let _ = writeln!(
                        s,
                        "{l}Since LU_CONG=1, unexpected Flat space addressing: lun=0x{x:04x}"
                    );
                } else if hex {
                    let _ = writeln!(s, "{l}Flat space addressing: lun=0x{x:04x}");
                } else {
                    let _ = writeln!(s, "{l}Flat space addressing: lun={x}");
                }
            }
            2 => {
                let (target, bus, n) = (b0 & 0x3f, (b1 >> 5) & 7, b1 & 0x1f);
                if lu_cong {
                    let _ = writeln!(
                        s,
                        "{l}Since LU_CONG=1, unexpected lu addressing: bus_id=0x{bus:x}, \
                         target=0x{target:02x}, lun=0x{n:02x}"
                    );
                } else if hex {
                    let _ = writeln!(
                        s,
                        "{l}Logical unit addressing: bus_id=0x{bus:x}, target=0x{target:02x}, \
                         lun=0x{n:02x}"
                    );
                } else {
                    let _ = writeln!(
                        s,
                        "{l}Logical unit addressing: bus_id={bus}, target={target}, lun={n}"
                    );
                }
            }
            _ => extended(s, &l, lun, p, hex),
        }
        if next_level {
            continue;
        }
        if method == 2 && k < 3 && (at(lun, p + 2) != 0 || at(lun, p + 3) != 0) {
            let _ = writeln!(s, "{l}<<unexpected data at next level, continue>>");
        }
        break;
    }
}

/// The extended logical unit addressing method (11b) of the level at `p`.
fn extended(s: &mut String, l: &str, lun: &[u8], p: usize, hex: bool) {
    let b0 = at(lun, p);
    let len = (b0 & 0x30) >> 4;
    let method = b0 & 0xf;
    let x = at(lun, p + 1);
    match (len, method) {
        (0, 1) => {
            let wk = "well known logical unit";
            let name = match x {
                1 => "REPORT LUNS",
                2 => "ACCESS CONTROLS",
                3 => "TARGET LOG PAGES",
                4 => "SECURITY PROTOCOL",
                5 => "MANAGEMENT PROTOCOL",
                6 => "TARGET COMMANDS",
                _ if hex => {
                    let _ = writeln!(s, "{l}{wk} 0x{x:02x}");
                    return;
                }
                _ => {
                    let _ = writeln!(s, "{l}{wk} {x}");
                    return;
                }
            };
            let _ = writeln!(s, "{l}{name} {wk}");
        }
        (1, 2) => {
            let v = be(lun, p + 1, 3);
            if hex {
                let _ = writeln!(s, "{l}Extended flat space addressing: lun=0x{v:06x}");
            } else {
                let _ = writeln!(s, "{l}Extended flat space addressing: lun={v}");
            }
        }
        (2, 2) => {
            let v = be(lun, p + 1, 5);
            if hex {
                let _ = writeln!(s, "{l}Long extended flat space addressing: lun=0x{v:010x}");
            } else {
                let _ = writeln!(s, "{l}Long extended flat space addressing: lun={v}");
            }
        }
        (3, 0xf) => {
            let _ = writeln!(s, "{l}Logical unit _not_ specified addressing");
        }
        (0 | 1, _) => {
            let v = if len == 1 {
                be(lun, p + 1, 3)
            } else {
                u64::from(x)
            };
            let head =
                format!("{l}Extended logical unit addressing: length={len}, e.a. method={method}");
            if hex {
                let _ = writeln!(s, "{head}, value=0x{v:06x}");
            } else {
                let _ = writeln!(s, "{head}, value={v}");
            }
        }
        _ => {
            let v = be(lun, p + 1, if len == 2 { 5 } else { 7 });
            let head =
                format!("{l}Extended logical unit addressing: length={len}, e. a. method={method}");
            if hex {
                let _ = writeln!(s, "{head}, value=0x{v:014x}");
            } else {
                let _ = writeln!(s, "{head}, value={v}");
            }
        }
    }
}

/// sg3_utils' `hex2stdout(.., 1)`: the offset and the bytes, no ASCII column, trailing
/// spaces trimmed.
fn hex_no_ascii(data: &[u8]) -> String {
    let mut dump = String::new();
    out::hex_dump(data, &mut dump);
    let mut s = String::new();
    for line in dump.lines() {
        let hex = line.get(..60).unwrap_or(line);
        s.push_str(hex.trim_end());
        s.push('\n');
    }
    s
}

/// Parses sg_luns' options; `None` after `--help` (printed).
fn parse(args: Vec<OsString>) -> Result<Option<Options>, Fail> {
    let mut cli = Cli::new("luns", args);
    let mut o = Options {
        maxlen: DEFAULT_MAXLEN,
        ..Options::default()
    };
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("decode") | lexopt::Arg::Short('d') => {
                o.decode = true;
                o.decode_n += 1;
            }
            lexopt::Arg::Long("test") | lexopt::Arg::Short('t') => {
                let Some(v) = crate::shared::unit_opts::value(&mut cli, "--test")? else {
                    return usage();
                };
                o.test = Some(v);
            }
            lexopt::Arg::Long("hex") | lexopt::Arg::Short('H') => o.hex += 1,
            lexopt::Arg::Long("raw") | lexopt::Arg::Short('r') => o.raw = true,
            lexopt::Arg::Long("quiet") | lexopt::Arg::Short('q') => o.quiet = true,
            lexopt::Arg::Long("lu_cong" | "lu-cong") | lexopt::Arg::Short('L') => {
                o.lu_cong += 1;
                o.lu_cong_given = true;
            }
            lexopt::Arg::Long("maxlen") | lexopt::Arg::Short('m') => {
                let Some(v) = crate::shared::unit_opts::value(&mut cli, "--maxlen")? else {
                    return usage();
                };
                let n = crate::cli::number("luns", "--maxlen", &v)?;
                if n > MAX_MAXLEN {
                    return Err(cli.syntax(format_args!("--maxlen={n}: at most {MAX_MAXLEN}")));
                }
                // 0 is sg_luns' default.
                o.maxlen = if n == 0 { DEFAULT_MAXLEN } else { n as u32 };
            }
            lexopt::Arg::Long("select") | lexopt::Arg::Short('s') => {
                let Some(v) = crate::shared::unit_opts::value(&mut cli, "--select")? else {
                    return usage();
                };
                let n = crate::cli::number("luns", "--select", &v)?;
                o.select = u8::try_from(n)
                    .map_err(|_| cli.syntax(format_args!("--select={n}: 0 to 255")))?;
            }
            lexopt::Arg::Long("readonly") | lexopt::Arg::Short('R') => o.readonly = true,
            // sg_luns 1.46 takes --linux and then clears its own flag: it changes nothing.
            lexopt::Arg::Long("linux") | lexopt::Arg::Short('l') => {}
            lexopt::Arg::Long("json") | lexopt::Arg::Short('j') => o.json = cli.json(),
            lexopt::Arg::Value(v) => cli.device(&mut o.device, v)?,
            // `-h` and what getopt_long() answers '?' for: the usage, status 0, at once.
            _ => return usage(),
        }
    }
    Ok(Some(o))
}

/// The usage on stderr; nothing more to do.
fn usage() -> Result<Option<Options>, Fail> {
    crate::shared::unit_opts::usage("luns")?;
    Ok(None)
}

/// What `sscanf(s, "%2x")` reads at the start of `s`: white space skipped, then one or two
/// hex digits.
fn scan_2x(s: &[u8]) -> Option<u8> {
    let s = &s[s.iter().take_while(|c| c.is_ascii_whitespace()).count()..];
    let digits: Vec<u8> = s
        .iter()
        .take(2)
        .map_while(|&c| crate::args::hex_digit(c))
        .collect();
    match digits[..] {
        [a] => Some(a),
        [a, b] => Some(a << 4 | b),
        _ => None,
    }
}

/// Linux's integer LUN as the eight bytes of the T10 LUN (its 16-bit words in reverse).
fn linux_to_t10(mut n: u64) -> [u8; 8] {
    let mut lun = [0u8; 8];
    for k in (0..8).step_by(2) {
        lun[k..k + 2].copy_from_slice(&(n as u16).to_be_bytes());
        n >>= 16;
    }
    lun
}

/// The T10 LUN as Linux's integer LUN.
fn t10_to_linux(lun: &[u8; 8]) -> u64 {
    (0..8).step_by(2).rev().fold(0u64, |acc, k| {
        acc << 16 | u64::from(u16::from_be_bytes([lun[k], lun[k + 1]]))
    })
}

/// `--test=ALUN`: decodes ALUN as sg_luns 1.46 does, with no device: T10 hex (`0x`
/// optional; spaces, tabs or dashes between bytes), or Linux's integer LUN with a leading
/// `L` (decimal, or hex after `L0x`), and a trailing `L` to show Linux's integer too.
fn test(o: &Options, alun: &str) -> CmdResult {
    let mut lun = [0u8; 8];
    let mut linux_in = false;
    let mut linux_out = false;
    let b = alun.as_bytes();
    if b.first().is_some_and(|c| c.eq_ignore_ascii_case(&b'L')) {
        let rest = &alun[1..];
        let n = if rest.len() >= 2
            && rest.as_bytes()[0] == b'0'
            && rest.as_bytes()[1].eq_ignore_ascii_case(&b'x')
        {
            crate::shared::unit_opts::scan_u64(&rest[2..], true)
        } else {
            crate::shared::unit_opts::scan_u64(rest, false)
        };
        let Some(n) = n else {
            return Err(out::syntax(
                "luns",
                format_args!("Unable to read Linux style LUN integer given to --test="),
            ));
        };
        lun = linux_to_t10(n);
        linux_in = true;
    } else {
        if b.last().is_some_and(|c| c.eq_ignore_ascii_case(&b'L')) {
            linux_out = true;
        }
        let mut cp: &[u8] = b;
        if cp.len() >= 2 && cp[0] == b'0' && cp[1].eq_ignore_ascii_case(&b'x') {
            cp = &cp[2..];
        }
        let separated = cp.iter().any(|c| matches!(c, b' ' | b'\t' | b'-'));
        let mut k = 0;
        let mut i = 0usize;
        while k < 8 {
            if separated {
                match cp.get(i) {
                    None => break,
                    Some(c) if !c.is_ascii_hexdigit() => i += 1,
                    Some(_) => {}
                }
            }
            let Some(h) = scan_2x(cp.get(i..).unwrap_or(&[])) else {
                break;
            };
            lun[k] = h;
            k += 1;
            i += 2;
        }
        if k == 0 {
            return Err(out::syntax(
                "luns",
                format_args!("expected a hex number, optionally prefixed by '0x'"),
            ));
        }
    }
    let mut s = String::new();
    if crate::invocation::verbose() > 0 || linux_in || o.decode_n > 0 {
        if o.decode_n > 1 {
            s.push_str("64 bit LUN in T10 (hex, dashed) format: ");
            for k in (0..8).step_by(2) {
                let _ = write!(
                    s,
                    "{}{:02x}{:02x}",
                    if k > 0 { '-' } else { ' ' },
                    lun[k],
                    lun[k + 1]
                );
            }
        } else {
            s.push_str("64 bit LUN in T10 preferred (hex) format: ");
            for b in lun {
                let _ = write!(s, " {b:02x}");
            }
        }
        s.push('\n');
    }
    if linux_out {
        let n = t10_to_linux(&lun);
        s.push_str("Linux 'word flipped' integer LUN representation: ");
        let _ = match o.hex {
            0 => writeln!(s, "{n}"),
            1 => writeln!(s, "0x{n:x}"),
            _ => writeln!(s, "0x{n:016x}"),
        };
    }
    s.push_str("Decoded LUN:\n");
    decode_lun(&mut s, "  ", &lun, o.lu_cong % 2 == 1, o.hex > 0, o.verbose);
    out::out_str(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(lun: &[u8], lu_cong: bool, hex: bool) -> String {
        let mut s = String::new();
        decode_lun(&mut s, "      ", lun, lu_cong, hex, false);
        s
    }

    fn response(luns: &[[u8; 8]], maxlen: usize) -> Vec<u8> {
        let mut b = vec![0u8; maxlen];
        let list = (luns.len() * 8) as u32;
        b[..4].copy_from_slice(&list.to_be_bytes());
        for (i, l) in luns.iter().enumerate() {
            if let Some(dst) = b.get_mut(8 + 8 * i..16 + 8 * i) {
                dst.copy_from_slice(l);
            }
        }
        b
    }

    #[test]
    fn sg_luns_lines_for_two_luns() {
        let buf = response(&[[0; 8], [0, 1, 0, 0, 0, 0, 0, 0]], 8192);
        let o = Options {
            decode: true,
            ..Options::default()
        };
        assert_eq!(
            to_text(&o, false, &buf, 2),
            "Lun list length = 16 which imples 2 lun entries\n\
             Report luns [select_report=0x0]:\n    \
             0000000000000000\n      Peripheral device addressing: lun=0\n    \
             0001000000000000\n      Peripheral device addressing: lun=1\n"
        );
        let q = Options {
            quiet: true,
            select: 0x12,
            ..Options::default()
        };
        assert_eq!(
            to_text(&q, false, &buf, 2),
            "0000000000000000\n0001000000000000\n"
        );
        let one = response(&[[0; 8]], 8192);
        let o = Options {
            select: 2,
            ..Options::default()
        };
        assert_eq!(
            to_text(&o, false, &one, 1),
            "Lun list length = 8 which imples 1 lun entry\n\
             Report luns [select_report=0x2]:\n    0000000000000000\n"
        );
    }

    #[test]
    fn each_addressing_method_as_sg_luns_decodes_it() {
        let cases: &[(&[u8], bool, bool, &str)] = &[
            (
                &[0x41, 0x23, 0, 0, 0, 0, 0, 0],
                false,
                false,
                "Flat space addressing: lun=291",
            ),
            (
                &[0x41, 0x23, 0, 0, 0, 0, 0, 0],
                false,
                true,
                "Flat space addressing: lun=0x0123",
            ),
            (
                &[0x85, 0x43, 0, 0, 0, 0, 0, 0],
                false,
                false,
                "Logical unit addressing: bus_id=2, target=5, lun=3",
            ),
            (
                &[0xc1, 0x01, 0, 0, 0, 0, 0, 0],
                false,
                false,
                "REPORT LUNS well known logical unit",
            ),
            (
                &[0xc1, 0x09, 0, 0, 0, 0, 0, 0],
                false,
                true,
                "well known logical unit 0x09",
            ),
            (
                &[0xd2, 0x01, 0x02, 0x03, 0, 0, 0, 0],
                false,
                false,
                "Extended flat space addressing: lun=66051",
            ),
            (
                &[0xe2, 0, 0, 0, 1, 0, 0, 0],
                false,
                true,
                "Long extended flat space addressing: lun=0x0000000100",
            ),
            (
                &[0xff, 0, 0, 0, 0, 0, 0, 0],
                false,
                false,
                "Logical unit _not_ specified",
            ),
            (
                &[0xc0, 0x07, 0, 0, 0, 0, 0, 0],
                false,
                false,
                "length=0, e.a. method=0, value=7",
            ),
            (
                &[0x05, 0x07, 0, 0, 0, 0, 0, 0],
                true,
                false,
                "Simple lu addressing: 1287",
            ),
        ];
        for &(lun, cong, hex, want) in cases {
            let got = decoded(lun, cong, hex);
            assert!(got.contains(want), "{lun:02x?}: {got:?} lacks {want:?}");
        }
        // A bus id goes to the next level.
        assert_eq!(
            decoded(&[0x01, 0x02, 0x40, 0x05, 0, 0, 0, 0], false, false),
            "      Peripheral device addressing: bus_id=1, target=2\n      \
             >>Second level addressing:\n        Flat space addressing: lun=5\n"
        );
        // LU_CONG: the administrative element, then a subsidiary one or the admin LU.
        assert_eq!(
            decoded(&[0x00, 0x03, 0, 0, 0, 0, 0, 0], true, false),
            "      >>Administrative element:\n        Simple lu addressing: 3\n      \
             >>>> Administrative LU\n"
        );
    }

    #[test]
    fn decoding_is_total() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 20) as usize;
            let bytes = x.to_be_bytes().repeat(3);
            for cong in [false, true] {
                for hex in [false, true] {
                    let _ = decoded(&bytes[..len], cong, hex);
                }
            }
            let buf: Vec<u8> = bytes[..len].to_vec();
            let _ = len_cap(&buf, len);
            let o = Options {
                decode: true,
                ..Options::default()
            };
            let _ = to_text(&o, x & 1 == 1, &buf, list_length(&buf) / 8);
            let _ = to_json("d", &o, false, &buf);
        }
    }

    #[test]
    fn hex_without_ascii_as_hex2stdout() {
        let data: Vec<u8> = (0u8..20).collect();
        assert_eq!(
            hex_no_ascii(&data),
            " 00     00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f\n 10     10 11 12 13\n"
        );
    }
}
