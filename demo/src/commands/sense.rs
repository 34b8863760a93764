//! `sgmap sense`: decode sense bytes as `sg_decode_sense` (sg3_utils 1.46) does, with its
//! whole option surface: hex bytes as operands (`--nospace` for one run of digits), or from
//! a file (`--file` hex text, `--binary` binary, `-` for stdin); `--write` (binary, or C
//! style hex with `--hex`) saves them; `--status` names a SCSI status byte; `--err` names
//! an exit status of the sg3_utils tools; `--cdb` names the bytes as a CDB; `-v` adds the
//! raw hex. `--json` (sgmap's own) prints the decode as JSON.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::Read as _;

use sgmap_core::cdb::CommandName;
use sgmap_core::sense::Sense;
use sgmap_core::status::ExitCategory;

use crate::cli::Cli;
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use crate::shared::sense_json;
use crate::shared::{names, sense_text};

/// The most bytes the tool takes (`MAX_SENSE_LEN`).
const MAX: usize = 1024;

/// The parsed command line.
#[derive(Debug, Default)]
struct Options {
    binary: Option<String>,
    file: Option<String>,
    cdb: bool,
    err: Option<u8>,
    hex: bool,
    nospace: bool,
    status: Option<u8>,
    write: Option<String>,
    json: bool,
    help: bool,
    words: Vec<String>,
}

/// A syntax error of the tool: its message, then the usage, status 1 (or `code`).
fn refuse(code: u8, why: std::fmt::Arguments<'_>) -> Fail {
    out::err_fmt(format_args!("{why}\n"));
    usage();
    Fail::code(code)
}

fn usage() {
    out::err_str(&crate::help::SENSE.to_string());
}

fn parse(args: Vec<OsString>) -> Result<Options, Fail> {
    let mut cli = Cli::new("sense", args);
    let mut o = Options::default();
    let mut fname_taken = false;
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("binary") | lexopt::Arg::Short('b') => {
                let v = cli.value("--binary")?;
                if fname_taken {
                    out::err_str("expect only one '--binary=BFN' or '--file=BFN' option\n");
                    usage();
                    return Err(Fail::new(ExitCategory::Contradict));
                }
                fname_taken = true;
                o.binary = Some(v);
            }
            lexopt::Arg::Long("cdb") | lexopt::Arg::Short('c') => o.cdb = true,
            lexopt::Arg::Long("err" | "exit-status" | "exit_status") | lexopt::Arg::Short('e') => {
                let v = cli.value("--err")?;
                match crate::args::parse_num(&v).ok().filter(|&n| n <= 255) {
                    Some(n) => o.err = Some(n as u8),
                    None => {
                        return Err(refuse(
                            1,
                            format_args!("--err= expected number from 0 to 255 inclusive"),
                        ))
                    }
                }
            }
            lexopt::Arg::Long("file") | lexopt::Arg::Short('f') => {
                let v = cli.value("--file")?;
                if fname_taken {
                    out::err_str("expect only one '--binary=HFN' or '--file=HFN' option\n");
                    usage();
                    return Err(Fail::new(ExitCategory::Contradict));
                }
                fname_taken = true;
                o.file = Some(v);
            }
            lexopt::Arg::Long("help") | lexopt::Arg::Short('h') => {
                o.help = true;
                return Ok(o);
            }
            lexopt::Arg::Long("hex") | lexopt::Arg::Short('H') => o.hex = true,
            lexopt::Arg::Long("nospace") | lexopt::Arg::Short('n') => o.nospace = true,
            lexopt::Arg::Long("status") | lexopt::Arg::Short('s') => {
                let v = cli.value("--status")?;
                o.status = Some(scan_hex_byte(&v)?);
            }
            lexopt::Arg::Long("write") | lexopt::Arg::Short('w') => {
                o.write = Some(cli.value("--write")?)
            }
            lexopt::Arg::Long("json") | lexopt::Arg::Short('j') => o.json = cli.json(),
            lexopt::Arg::Value(v) => o.words.push(crate::cli::utf8("sense", "H1", v)?),
            // getopt's '?' is the tool's help: the usage, status 0.
            _ => {
                usage();
                return Err(Fail::code(0));
            }
        }
    }
    Ok(o)
}

/// `sscanf("%x")` of a status byte.
fn scan_hex_byte(v: &str) -> Result<u8, Fail> {
    let t = v.trim_start();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    let digits: String = t.chars().take_while(char::is_ascii_hexdigit).collect();
    if digits.is_empty() {
        return Err(refuse(
            1,
            format_args!("'--status=SS' expects a byte value"),
        ));
    }
    match u32::from_str_radix(digits.trim_start_matches('0'), 16) {
        Ok(n) if n <= 0xff => Ok(n as u8),
        Err(_) if digits.trim_start_matches('0').is_empty() => Ok(0),
        _ => Err(refuse(
            1,
            format_args!("'--status=SS' byte value exceeds FF"),
        )),
    }
}

/// `strtol(.., 16)` of one operand as the tool takes it: optional white space, sign and
/// `0x`, then hex digits to the end.
fn operand_byte(w: &str) -> Option<u8> {
    let t = w.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let t = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_hexdigit()) => rest,
        _ => t,
    };
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let digits = t.trim_start_matches('0');
    if digits.len() > 2 {
        return None;
    }
    let v = if digits.is_empty() {
        0
    } else {
        u8::from_str_radix(digits, 16).ok()?
    };
    if neg && v != 0 {
        return None;
    }
    Some(v)
}

/// Runs `sgmap sense` (`sg_decode_sense`).
pub fn run(args: Vec<OsString>) -> CmdResult {
    let o = parse(args)?;
    if o.help {
        usage();
        return Ok(());
    }
    if let Some(es) = o.err {
        let text = names::exit_text(es, crate::invocation::verbose() > 1)
            .unwrap_or_else(|| format!("Unable to decode exit status {es}"));
        if crate::invocation::verbose() & 1 == 1 {
            out::err_fmt(format_args!("{text}\n"));
            return Ok(());
        }
        return out::out_fmt(format_args!("{text}\n"));
    }
    if o.json {
        return run_json(&o);
    }
    let mut sense: Vec<u8> = Vec::new();
    if !o.nospace {
        for w in &o.words {
            let Some(b) = operand_byte(w) else {
                return Err(refuse(1, format_args!("Invalid byte '{w}'")));
            };
            if sense.len() > MAX {
                return Err(refuse(
                    1,
                    format_args!("sense data too long (max. {MAX} bytes)"),
                ));
            }
            sense.push(b);
        }
    }
    if let Some(s) = o.status {
        out::out_fmt(format_args!(
            "SCSI status: {}\n",
            sense_text::status_name(s)
        ))?;
    }
    if o.nospace && !o.words.is_empty() {
        let joined: String = o.words.concat();
        let b = joined.as_bytes();
        let mut k = 0;
        while k + 1 < b.len() && b[k].is_ascii_hexdigit() && b[k + 1].is_ascii_hexdigit() {
            let hi = crate::args::hex_digit(b[k]).unwrap_or(0);
            let lo = crate::args::hex_digit(b[k + 1]).unwrap_or(0);
            sense.push(hi << 4 | lo);
            k += 2;
        }
    }
    if sense.is_empty() && o.binary.is_none() && o.file.is_none() {
        if o.status.is_some() {
            return Ok(());
        }
        out::err_str(">> Need sense data on the command line or in a file\n\n");
        usage();
        return Err(Fail::new(ExitCategory::Syntax));
    }
    if !sense.is_empty() && (o.binary.is_some() || o.file.is_some()) {
        out::err_str(">> Need sense data on command line or in a file, not both\n\n");
        return Err(Fail::new(ExitCategory::Contradict));
    }
    if let Some(path) = &o.binary {
        sense = read_binary(path)?;
    } else if let Some(path) = &o.file {
        sense = read_hex_file(path, o.nospace)?;
    }
    let mut status = Ok(());
    if sense.is_empty() {
        return status;
    }
    if let Some(w) = &o.write {
        if let Err(e) = std::fs::write(w, write_form(&sense, o.hex)) {
            out::err_fmt(format_args!(
                "open: {}\ntrying to write to {w}\n",
                out::IoWhy(&e)
            ));
            status = Err(os_fail(&e));
        }
    }
    let text = if o.cdb {
        let op = sense[0];
        let sa = if op == 0x75 || op == 0x7e || sense.len() > 16 {
            u16::from_be_bytes([
                sense.get(8).copied().unwrap_or(0),
                sense.get(9).copied().unwrap_or(0),
            ])
        } else if sense.len() > 1 {
            u16::from(sense[1] & 0x1f)
        } else {
            0
        };
        format!("{}\n", CommandName::service_action(op, sa, 0))
    } else {
        sense_text::decode_sense(&sense, crate::invocation::verbose() > 0)
    };
    out::out_str(&text)?;
    status
}

/// `--json` (sgmap's own): hex bytes as `sgmap raw` takes them (several to a word), or
/// `--file`/`--binary`; the decode as one JSON object; status 97 when the bytes are not
/// sense data.
fn run_json(o: &Options) -> CmdResult {
    let mut bytes = Vec::new();
    crate::args::parse_hex_bytes(o.words.iter().map(String::as_str), &mut bytes)
        .map_err(|e| out::syntax("sense", format_args!("{e}")))?;
    if let Some(path) = &o.binary {
        bytes = read_binary(path)?;
    } else if let Some(path) = &o.file {
        bytes = read_hex_file(path, o.nospace)?;
    }
    if bytes.is_empty() {
        return Err(out::syntax("sense", format_args!("no sense bytes given")));
    }
    let (text, code) = decode(&bytes, true);
    out::out_str(&text)?;
    match code {
        0 => Ok(()),
        code => Err(Fail::code(code)),
    }
}

fn os_fail(e: &std::io::Error) -> Fail {
    let cat = e
        .raw_os_error()
        .and_then(|n| u16::try_from(n).ok())
        .map_or(ExitCategory::Other, ExitCategory::OsError);
    Fail::new(cat)
}

/// `--binary=BFN`: at most 1024 bytes of the file (or stdin for `-`... as the tool, which
/// opens the name as it is).
fn read_binary(path: &str) -> Result<Vec<u8>, Fail> {
    let mut buf = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(MAX as u64).read_to_end(&mut buf));
    if let Err(e) = read {
        out::err_fmt(format_args!(
            "unable to open file: {path}: {}\n",
            out::IoWhy(&e)
        ));
        return Err(os_fail(&e));
    }
    if buf.is_empty() {
        out::err_fmt(format_args!("read nothing from file: {path}\n"));
        return Err(Fail::new(ExitCategory::Syntax));
    }
    Ok(buf)
}

/// `--file=HFN`: hex text (`-` is stdin), as `sg_f2hex_arr()` reads it.
fn read_hex_file(path: &str, nospace: bool) -> Result<Vec<u8>, Fail> {
    let file = if path == "-" {
        out::stdin_file()
    } else {
        std::fs::File::open(path)
    };
    let mut text = Vec::new();
    if let Err(e) = file.and_then(|f| f.take(1 << 20).read_to_end(&mut text)) {
        out::err_fmt(format_args!(
            "unable to decode ASCII hex from file: {path}\n"
        ));
        return Err(os_fail(&e));
    }
    let parsed = if nospace {
        let mut v = Vec::new();
        for line in text.split(|&c| c == b'\n') {
            let line: Vec<u8> = line
                .iter()
                .copied()
                .take_while(|&c| c != b'#')
                .filter(|c| !c.is_ascii_whitespace())
                .collect();
            let mut k = 0;
            while k + 1 < line.len() {
                match (
                    crate::args::hex_digit(line[k]),
                    crate::args::hex_digit(line[k + 1]),
                ) {
                    (Some(h), Some(l)) => v.push(h << 4 | l),
                    _ => break,
                }
                k += 2;
            }
        }
        Ok(v)
    } else {
        crate::shared::inhex::parse_hex(&text)
    };
    match parsed {
        Ok(mut v) => {
            v.truncate(MAX);
            Ok(v)
        }
        Err(_) => {
            out::err_fmt(format_args!(
                "unable to decode ASCII hex from file: {path}\n"
            ));
            Err(Fail::new(ExitCategory::Syntax))
        }
    }
}

/// What `--write` saves: the bytes, or with `--hex` C-style `0x12,` sixteen a line.
fn write_form(sense: &[u8], hex: bool) -> Vec<u8> {
    if !hex {
        return sense.to_vec();
    }
    let mut s = String::new();
    for chunk in sense.chunks(16) {
        for b in chunk {
            let _ = write!(s, "0x{b:02x},");
        }
        s.push('\n');
    }
    s.into_bytes()
}

/// The decode of `bytes` (text or JSON) and the exit status: 0, or 97 when the bytes are not
/// sense data (the JSON's `exit_status`; the command itself exits 0, as the tool).
pub fn decode(bytes: &[u8], json: bool) -> (String, u8) {
    let code = match Sense::new_checked(bytes) {
        Ok(_) => 0,
        Err(_) => ExitCategory::MalformedResponse.code(),
    };
    if !json {
        return (sense_text::decode_sense(bytes, false), code);
    }
    let mut j = Json::object();
    sense_json::members(&mut j, bytes);
    j.u64("exit_status", u64::from(code));
    (j.finish(), code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_decodes() {
        let fixed = [
            0xf0, 0, 3, 0, 0, 0x12, 0x34, 0x0a, 0, 0, 0, 0, 0x11, 0, 0, 0, 0, 0,
        ];
        let (text, code) = decode(&fixed, false);
        assert_eq!(code, 0);
        assert_eq!(
            text,
            "Fixed format, current; Sense key: Medium Error\nAdditional sense: Unrecovered \
             read error\n  Info fld=0x1234 [4660] \n\n"
        );
        let (text, _) = decode(&[0x72, 3, 0x11, 0, 0, 0, 0, 0], false);
        assert!(text.starts_with("Descriptor format, current; Sense key: Medium Error"));
        let (text, _) = decode(&[0x70, 0, 9, 0, 0, 0, 0, 0], false);
        assert!(text.starts_with("Fixed format, current; Sense key: Vendor specific(9)\n"));
    }

    #[test]
    fn operands_as_strtol_takes_them() {
        assert_eq!(operand_byte("72"), Some(0x72));
        assert_eq!(operand_byte("0x7"), Some(7));
        assert_eq!(operand_byte(" 0f"), Some(15));
        assert_eq!(operand_byte("000ff"), Some(0xff));
        assert_eq!(operand_byte("100"), None);
        assert_eq!(operand_byte("zz"), None);
        assert_eq!(operand_byte(""), None);
        assert_eq!(operand_byte("-1"), None);
        assert_eq!(operand_byte("-0"), Some(0));
    }

    #[test]
    fn json_decode_and_garbage() {
        let (j, code) = decode(&[0x70, 0, 6, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x3f, 0x16], true);
        assert_eq!(code, 0);
        assert!(j.starts_with(r#"{"bytes":"70 00 06"#), "{j}");
        assert!(j.contains(r#""additional_sense_code":63,"additional_sense_code_qualifier":22"#));
        assert!(j.ends_with(",\"exit_status\":0}\n"), "{j}");
        let (_, code) = decode(&[0x12, 0x34], true);
        assert_eq!(code, 97);
    }
}
