//! `sgmap raw`: any CDB, its data through the mapped reserve, as `sg_raw` (sg3_utils 1.46)
//! sends it and reports it: the status lines, the sense and the received data's hex on
//! standard error; only `--binary` / `--outfile=-` data and `--enumerate`'s name on standard
//! output.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::Read as _;

use sgmap_core::cdb::CommandName;
use sgmap_core::status::ExitCategory;
use sgmap_sys::{Command, Data, Timeout};

use crate::args::parse_hex_bytes;
use crate::cli::Cli;
use crate::out::{self, CmdResult, Fail};
use crate::shared::dev;
use crate::shared::sense_text;

/// The most data either way (`MAX_SCSI_DXLEN`).
const MAX_DATA: u64 = 1024 * 1024;

/// The parsed options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `--request=LEN`: data-in.
    pub request: Option<u32>,
    /// `--send=LEN`: data-out.
    pub send: Option<u32>,
    /// `--infile`.
    pub infile: Option<String>,
    /// `--skip`: bytes of the data-out source passed over.
    pub skip: u64,
    /// `--outfile`.
    pub outfile: Option<String>,
    /// `--binary`.
    pub binary: bool,
    /// `--nosense`.
    pub nosense: bool,
    /// `--enumerate`.
    pub enumerate: bool,
    /// `--readonly` (the node is opened read-write all the same: see the module docs).
    pub readonly: bool,
    /// `--timeout` in seconds.
    pub timeout_secs: u32,
    /// `--scan=FO,LO`.
    pub scan: Option<(u8, u8)>,
    /// `--cmdset=1`: the bytes are a SCSI CDB whatever they look like.
    pub force_scsi: bool,
    /// DEVICE.
    pub device: String,
    /// The CDB.
    pub cdb: Vec<u8>,
}

/// A syntax error as sg_raw reports it: the message, then the usage; status 1 (or `code`).
fn refuse(code: u8, why: std::fmt::Arguments<'_>) -> Fail {
    out::err_fmt(format_args!("{why}\n"));
    out::err_str(&crate::help::RAW.to_string());
    Fail::code(code)
}

fn num(cli: &mut Cli, option: &str) -> Result<Option<u64>, Fail> {
    let v = cli.value(option)?;
    Ok(crate::args::parse_num(&v).ok())
}

/// Parses and checks everything before any system call; `Ok(None)` when the command ends
/// there (help, `--enumerate`).
pub fn parse(args: Vec<OsString>) -> Result<Option<Options>, Fail> {
    let mut cli = Cli::new("raw", args);
    let mut o = Options {
        timeout_secs: 20,
        ..Options::default()
    };
    let mut words: Vec<String> = Vec::new();
    let mut device = None;
    let mut cmdfile: Option<String> = None;
    let mut raw_cmdfile = false;
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("request") | lexopt::Arg::Short('r') => {
                match num(&mut cli, "--request")?.filter(|&n| n <= MAX_DATA) {
                    Some(n) => o.request = Some(n as u32),
                    None => return Err(refuse(1, format_args!("Invalid argument to '--request'"))),
                }
            }
            lexopt::Arg::Long("send") | lexopt::Arg::Short('s') => {
                match num(&mut cli, "--send")?.filter(|&n| n <= MAX_DATA) {
                    Some(n) => o.send = Some(n as u32),
                    None => return Err(refuse(1, format_args!("Invalid argument to '--send'"))),
                }
            }
            lexopt::Arg::Long("skip") | lexopt::Arg::Short('k') => {
                match num(&mut cli, "--skip")?.filter(|&n| n <= i32::MAX as u64) {
                    Some(n) => o.skip = n,
                    None => return Err(refuse(1, format_args!("Invalid argument to '--skip'"))),
                }
            }
            lexopt::Arg::Long("timeout") | lexopt::Arg::Short('t') => {
                match num(&mut cli, "--timeout")?.filter(|&n| n <= u64::from(u32::MAX / 1000)) {
                    Some(n) => o.timeout_secs = n as u32,
                    None => return Err(refuse(1, format_args!("Invalid argument to '--timeout'"))),
                }
            }
            lexopt::Arg::Long("infile") | lexopt::Arg::Short('i') => {
                let v = cli.value("--infile")?;
                if o.infile.is_some() {
                    return Err(refuse(31, format_args!("Too many '--infile=' options")));
                }
                o.infile = Some(v);
            }
            lexopt::Arg::Long("outfile") | lexopt::Arg::Short('o') => {
                let v = cli.value("--outfile")?;
                if o.outfile.is_some() {
                    return Err(refuse(31, format_args!("Too many '--outfile=' options")));
                }
                o.outfile = Some(v);
            }
            lexopt::Arg::Long("cmdfile") | lexopt::Arg::Short('c') => {
                cmdfile = Some(cli.value("--cmdfile")?)
            }
            lexopt::Arg::Long("raw") | lexopt::Arg::Short('w') => raw_cmdfile = true,
            lexopt::Arg::Long("cmdset") | lexopt::Arg::Short('C') => {
                match num(&mut cli, "--cmdset")? {
                    Some(0) => o.force_scsi = false,
                    Some(1) => o.force_scsi = true,
                    Some(2) => {
                        return Err(refuse(
                            1,
                            format_args!("--cmdset=2: sgmap drives no NVMe device"),
                        ))
                    }
                    _ => {
                        return Err(refuse(
                            1,
                            format_args!("Invalid argument to --cmdset= expect 0, 1 or 2"),
                        ))
                    }
                }
            }
            lexopt::Arg::Long("nvm") | lexopt::Arg::Short('N') => {
                return Err(refuse(
                    1,
                    format_args!("--nvm: sgmap drives no NVMe device"),
                ));
            }
            lexopt::Arg::Long("scan") | lexopt::Arg::Short('Q') => {
                let v = cli.value("--scan")?;
                let Some((a, b)) = v.split_once(',') else {
                    return Err(refuse(
                        1,
                        format_args!("--scan= expects two numbers, comma separated"),
                    ));
                };
                let first = crate::args::parse_num(a).ok().filter(|&n| n <= 255);
                let Some(first) = first else {
                    return Err(refuse(
                        1,
                        format_args!("Invalid first number to --scan= expect 0 to 255"),
                    ));
                };
                let last = crate::args::parse_num(b).ok().filter(|&n| n <= 255);
                let Some(last) = last else {
                    return Err(refuse(
                        1,
                        format_args!("Invalid second number to --scan= expect 0 to 255"),
                    ));
                };
                if first >= last {
                    out::err_str("Warning: scan range degenerate, ignore\n");
                }
                o.scan = Some((first as u8, last as u8));
            }
            lexopt::Arg::Long("binary") | lexopt::Arg::Short('b') => o.binary = true,
            lexopt::Arg::Long("nosense") | lexopt::Arg::Short('n') => o.nosense = true,
            lexopt::Arg::Long("enumerate") | lexopt::Arg::Short('e') => o.enumerate = true,
            lexopt::Arg::Long("readonly") | lexopt::Arg::Short('R') => o.readonly = true,
            lexopt::Arg::Long("help") | lexopt::Arg::Short('h') => {
                out::err_str(&crate::help::RAW.to_string());
                return Ok(None);
            }
            lexopt::Arg::Value(v) => {
                let v = crate::cli::utf8("raw", "argument", v)?;
                if device.is_none() {
                    device = Some(v);
                } else {
                    words.push(v);
                }
            }
            // getopt's '?': the usage, status 0.
            _ => {
                out::err_str(&crate::help::RAW.to_string());
                return Ok(None);
            }
        }
    }
    let Some(device) = device else {
        out::err_str("No device specified\n\n");
        out::err_str(&crate::help::RAW.to_string());
        return Err(Fail::new(ExitCategory::Syntax));
    };
    o.device = device;
    // Each operand a byte in hex, as sg_raw takes them; sgmap also takes several bytes in
    // one operand ("12 00 00 00 24 00").
    if let Err(e) = parse_hex_bytes(words.iter().map(String::as_str), &mut o.cdb) {
        let _ = e;
        let bad = words
            .iter()
            .find(|w| parse_hex_bytes([w.as_str()], &mut Vec::new()).is_err())
            .cloned()
            .unwrap_or_default();
        return Err(refuse(1, format_args!("Invalid command byte '{bad}'")));
    }
    if let Some(path) = cmdfile {
        let bytes = read_cmdfile(&path, raw_cmdfile);
        match bytes {
            Some(b) => {
                o.cdb.extend_from_slice(&b);
                o.cdb.truncate(260);
            }
            None => {
                let how = if raw_cmdfile { "binary" } else { "hex" };
                return Err(refuse(1, format_args!("Unable to parse: {path} as {how}")));
            }
        }
    }
    if o.cdb.len() > 260 {
        return Err(refuse(1, format_args!("CDB too long (max. 260 bytes)")));
    }
    if o.cdb.len() < 6 {
        return Err(refuse(1, format_args!("CDB too short (min. 6 bytes)")));
    }
    if (o.enumerate || crate::invocation::verbose() > 1) && !o.force_scsi && !is_scsi_cdb(&o.cdb) {
        return Err(refuse(
            1,
            format_args!("the bytes are no SCSI CDB (sg_raw takes them for NVMe): sgmap drives no NVMe device"),
        ));
    }
    if o.enumerate || crate::invocation::verbose() > 1 {
        let mut text = String::new();
        if o.cdb.len() > 16 && o.cdb[0] != 0x7f && o.cdb[0] != 0x7e {
            text.push_str(
                ">>> Unlikely to be SCSI CDB since all over 16 bytes long should\n>>> start \
                 with 0x7f or 0x7e\n",
            );
        }
        let _ = writeln!(text, "Attempt to decode cdb name: {}", cdb_name(&o.cdb));
        out::out_str(&text)?;
    }
    if o.enumerate {
        return Ok(None);
    }
    if o.request.is_some() && o.send.is_some() {
        return Err(out::contradict(
            "raw",
            format_args!("--request and --send: the sg driver moves data one way"),
        ));
    }
    if o.cdb.len() > 32 {
        return Err(out::fail(
            ExitCategory::Syntax,
            &o.device,
            "CDB",
            format_args!("{} bytes: the sg driver takes 6 to 32", o.cdb.len()),
        ));
    }
    Ok(Some(o))
}

/// Whether the bytes look like a SCSI CDB (sg3_utils' `sg_is_scsi_cdb()`): by the group of
/// the operation code and the length; else sg_raw takes them for an NVMe command.
pub fn is_scsi_cdb(cdb: &[u8]) -> bool {
    let len = cdb.len();
    if len < 6 {
        return false;
    }
    let group = cdb[0] >> 5;
    if group == 3 {
        if len < 12 || !len.is_multiple_of(4) {
            return false;
        }
        let be16 = |i: usize| usize::from(u16::from_be_bytes([cdb[i], cdb[i + 1]]));
        return match cdb[0] {
            0x7e => 4 + be16(2) == len,
            0x7f => 8 + usize::from(cdb[7]) == len && be16(8) != 0,
            _ => false,
        };
    }
    if group > 5 && matches!(len, 6 | 10 | 12 | 16) {
        return true;
    }
    matches!((len, group), (6, 0) | (10, 1) | (10, 2) | (12, 5) | (16, 4))
}

/// The command's name as sg3_utils names a CDB (`sg_get_command_name()`).
fn cdb_name(cdb: &[u8]) -> String {
    let sa = if cdb.len() > 16 || cdb[0] == 0x7f || cdb[0] == 0x7e {
        u16::from_be_bytes([
            cdb.get(8).copied().unwrap_or(0),
            cdb.get(9).copied().unwrap_or(0),
        ])
    } else {
        u16::from(cdb[1] & 0x1f)
    };
    CommandName::service_action(cdb[0], sa, 0).to_string()
}

/// `--cmdfile=CF`: the CDB as hex text, or binary with `--raw`.
fn read_cmdfile(path: &str, raw: bool) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    let file = if path == "-" {
        out::stdin_file()
    } else {
        std::fs::File::open(path)
    };
    file.and_then(|f| f.take(1 << 16).read_to_end(&mut bytes))
        .ok()?;
    if raw {
        return Some(bytes);
    }
    crate::shared::inhex::parse_hex(&bytes).ok()
}

/// Linux's host byte names, as sg3_utils prints them.
const HOST_BYTES: [&str; 20] = [
    "DID_OK",
    "DID_NO_CONNECT",
    "DID_BUS_BUSY",
    "DID_TIME_OUT",
    "DID_BAD_TARGET",
    "DID_ABORT",
    "DID_PARITY",
    "DID_ERROR",
    "DID_RESET",
    "DID_BAD_INTR",
    "DID_PASSTHROUGH",
    "DID_SOFT_ERROR",
    "DID_IMM_RETRY",
    "DID_REQUEUE",
    "DID_TRANSPORT_DISRUPTED",
    "DID_TRANSPORT_FAILFAST",
    "DID_TARGET_FAILURE",
    "DID_NEXUS_FAILURE (reservation conflict)",
    "DID_ALLOC_FAILURE",
    "DID_MEDIUM_ERROR",
];

/// Linux's driver byte names (its low four bits), as sg3_utils prints them.
const DRIVER_BYTES: [&str; 9] = [
    "DRIVER_OK",
    "DRIVER_BUSY",
    "DRIVER_SOFT",
    "DRIVER_MEDIA",
    "DRIVER_ERROR",
    "DRIVER_INVALID",
    "DRIVER_TIMEOUT",
    "DRIVER_HARD",
    "DRIVER_SENSE",
];

/// sg_raw's exit status for a completed command (sg_pt_linux's result category), and what
/// it prints on stderr first for a transport error or a status it has no category for.
fn exit_status(resp: &sgmap_sys::Response) -> (u8, Option<String>) {
    let host = resp.host_status;
    let driver = resp.driver_status & 0x0f;
    let status = resp.status & 0x7e;
    if host != 0 || (driver != 0 && driver != 0x08) {
        let mut t = String::from(">>> transport error: ");
        if host != 0 {
            match HOST_BYTES.get(usize::from(host)) {
                Some(name) => {
                    let _ = writeln!(t, "Host_status=0x{host:02x} [{name}]");
                }
                None => {
                    let _ = writeln!(t, "Host_status=0x{host:02x} is invalid");
                }
            }
        }
        let name = DRIVER_BYTES
            .get(usize::from(driver))
            .copied()
            .unwrap_or("invalid");
        let _ = writeln!(t, "Driver_status=0x{:02x} [{name}]\n", resp.driver_status);
        // A timed-out command (DID_TIME_OUT) is 33 in every sgmap command, sg_raw's
        // name included: a deliberate difference of docs/cli.md (sg_raw says 99).
        return (if host == 0x03 { 33 } else { 99 }, Some(t));
    }
    if driver == 0x08 || status == 0x02 || status == 0x22 {
        return (sgmap_core::sense::category(resp.sense()).code(), None);
    }
    match status {
        0x00 => (0, None),
        // sg_raw has no category for another status: 99, and 24 for RESERVATION CONFLICT.
        s => (
            if s == 0x18 { 24 } else { 99 },
            Some(">>> unknown pass through result category (1)\n".to_owned()),
        ),
    }
}

/// Runs `sgmap raw`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    if let Some(code) = version_asked(&args) {
        return match code {
            0 => Err(crate::invocation::version()),
            c => {
                out::err_str("No device specified\n\n");
                let _ = crate::invocation::version();
                Err(Fail::code(c))
            }
        };
    }
    let (result, scsi) = match parse(args) {
        Ok(None) => (Ok(()), true),
        Ok(Some(o)) => {
            let scsi = o.force_scsi || is_scsi_cdb(&o.cdb);
            (run_parsed(&o, crate::invocation::verbose()), scsi)
        }
        Err(f) => (Err(f), true),
    };
    footer(&result, scsi);
    result
}

/// `-V`/`--version` anywhere: sg_raw prints its version and exits 0, or 1 (after "No
/// device specified") when the command line names no device. `None` when not asked.
fn version_asked(args: &[OsString]) -> Option<u8> {
    let mut asked = false;
    let mut operands = 0;
    let mut takes_value = false;
    for a in args {
        let a = a.to_string_lossy();
        if takes_value {
            takes_value = false;
            continue;
        }
        if let Some(long) = a.strip_prefix("--").filter(|l| !l.is_empty()) {
            let (name, value) = match long.split_once('=') {
                Some((name, _)) => (name, true),
                None => (long, false),
            };
            let name = match crate::cli::long_option(name) {
                crate::cli::Long::Name(name) => name,
                _ => String::new(),
            };
            asked |= name == "version";
            takes_value = !value
                && matches!(
                    name.as_str(),
                    "cmdfile"
                        | "cmdset"
                        | "infile"
                        | "skip"
                        | "outfile"
                        | "request"
                        | "scan"
                        | "send"
                        | "timeout"
                );
        } else if let Some(short) = a.strip_prefix('-').filter(|s| !s.is_empty()) {
            for (k, c) in short.char_indices() {
                if c == 'V' {
                    asked = true;
                }
                if "cCikoQrst".contains(c) {
                    takes_value = k + 1 == short.len();
                    break;
                }
            }
        } else {
            operands += 1;
        }
    }
    match (asked, operands) {
        (false, _) => None,
        (true, 0) => Some(1),
        (true, _) => Some(0),
    }
}

/// sg_raw's last line at `-v`: the exit status in words.
fn footer(result: &CmdResult, scsi: bool) {
    let verbose = crate::invocation::verbose();
    if verbose > 0 && scsi {
        let code = match &result {
            Ok(()) => 0,
            Err(f) => f.code,
        };
        let text = crate::shared::names::exit_text(code, verbose > 1).unwrap_or_else(|| {
            let mut t = format!("Sense category: {code}");
            if verbose == 1 {
                t.push_str(", try '-v' option for more information");
            }
            t
        });
        out::err_fmt(format_args!("{text}\n"));
    }
}

fn run_parsed(o: &Options, verbose: u8) -> CmdResult {
    let device = o.device.as_str();
    let mut d = dev::open(device)?;
    let scan = o.scan.filter(|(a, b)| a < b);
    let mut cdb = o.cdb.clone();
    let mut status;
    let mut opcode = scan.map_or(cdb[0], |(a, _)| a);
    loop {
        if scan.is_some() {
            cdb[0] = opcode;
            let mut line = String::from("Command bytes in hex:");
            for b in &cdb {
                let _ = write!(line, " {b:02x}");
            }
            line.push('\n');
            out::out_str(&line)?;
        }
        status = one(&mut d, o, &cdb, verbose);
        match scan {
            Some((_, last)) if opcode < last => opcode += 1,
            _ => break,
        }
    }
    status
}

/// Sends `cdb` once, with its data, and reports as sg_raw does.
fn one(d: &mut sgmap_sys::Device, o: &Options, cdb: &[u8], verbose: u8) -> CmdResult {
    let device = o.device.as_str();
    // Data-out: read it before sending, so a short file sends nothing.
    let out_data = match o.send {
        Some(len) => Some(read_send(o.infile.as_deref(), o.skip, len)?),
        None => None,
    };
    let len = o.request.or(o.send).unwrap_or(0);
    if len > 0 {
        dev::map_reserve(d, device, "the transfer", len, &|m| {
            format!(": the largest transfer is {m} bytes")
        })?;
    }
    let scsi = o.force_scsi || is_scsi_cdb(cdb);
    if verbose > 0 && !scsi {
        let mut text = String::from("    cmd to send: \n");
        sense_text::hex_lines(&mut text, "", cdb);
        out::err_str(&text);
    } else if verbose > 0 {
        let mut line = String::from("    cdb to send: ");
        if verbose > 1 {
            let _ = write!(line, "{} ", cdb_name(cdb));
        }
        dev::push_cdb(&mut line, cdb);
        line.push('\n');
        out::err_str(&line);
    }
    let timeout = Timeout::from_secs(o.timeout_secs.max(1)).unwrap_or(Timeout::DEFAULT);
    let cmd = Command::new(cdb).timeout(timeout);
    let data = match (&out_data, o.request) {
        (Some(bytes), _) if !bytes.is_empty() => {
            let map = d.mapping_mut().map_err(dev::sys_fail)?;
            map[..bytes.len()].copy_from_slice(bytes);
            Data::MmapOut(len)
        }
        (None, Some(n)) if n > 0 => Data::MmapIn(n),
        _ => Data::None,
    };
    let resp = d.execute(&cmd, data).map_err(dev::sys_fail)?;
    let (code, line) = if scsi {
        exit_status(&resp)
    } else {
        // sg_raw's NVMe path: no SCSI status, no sense, status 0.
        (0, None)
    };
    let mut report = line.unwrap_or_default();
    if !scsi {
        report.push_str("NVMe Result=0x0\n");
    } else {
        let _ = write!(
            report,
            "SCSI Status: {} \n\n",
            sense_text::status_name(resp.status)
        );
    }
    if scsi && resp.status & 0x7e == 0x02 && !o.nosense {
        let bytes = resp.sense();
        if bytes.is_empty() {
            report.push_str(">>> Strange: status is CHECK CONDITION but no Sense Information\n");
        } else {
            report.push_str("Sense Information:\n");
            report.push_str(&sense_text::sense_str(bytes, verbose > 0));
            report.push('\n');
        }
    }
    let mut result = match code {
        0 => Ok(()),
        c => Err(Fail::code(c)),
    };
    if let Some(asked) = o.request {
        let got = i64::from(asked) - i64::from(resp.resid);
        if code != 0 && code != 20 && code != 21 {
            let _ = writeln!(report, "Error {code} occurred, no data received");
        } else if got <= 0 || asked == 0 {
            report.push_str("No data received\n");
        } else {
            let bytes = d.valid_data().map_err(dev::sys_fail)?;
            let bytes = &bytes[..(got as usize).min(bytes.len())];
            let to_stdout = o.outfile.as_deref().is_none_or(|p| p == "-");
            if o.outfile.is_none() && !o.binary {
                let _ = writeln!(report, "Received {} bytes of data:", bytes.len());
                out::hex_dump(bytes, &mut report);
                out::err_str(&report);
                return result;
            }
            let shown = if to_stdout {
                "stdout"
            } else {
                o.outfile.as_deref().unwrap_or("stdout")
            };
            let _ = writeln!(report, "Writing {} bytes of data to {shown}", bytes.len());
            out::err_str(&report);
            if to_stdout {
                out::out_bytes(bytes)?;
            } else if let Some(path) = &o.outfile {
                if let Err(e) = std::fs::write(path, bytes) {
                    out::err_fmt(format_args!("{path}: {}\n", out::IoWhy(&e)));
                    if result.is_ok() {
                        let cat = e
                            .raw_os_error()
                            .and_then(|n| u16::try_from(n).ok())
                            .map_or(ExitCategory::FileError, ExitCategory::OsError);
                        result = Err(Fail::new(cat));
                    }
                }
            }
            return result;
        }
    }
    out::err_str(&report);
    result
}

/// The data-out bytes: `--skip` bytes passed over, then exactly `len` from the file or
/// stdin.
fn read_send(infile: Option<&str>, skip: u64, len: u32) -> Result<Vec<u8>, Fail> {
    let name = infile.unwrap_or("stdin");
    let file = match infile {
        Some(p) => std::fs::File::open(p),
        None => out::stdin_file(),
    };
    let mut f = file.map_err(|e| {
        out::err_fmt(format_args!("{name}: {}\n", out::IoWhy(&e)));
        let cat = e
            .raw_os_error()
            .and_then(|n| u16::try_from(n).ok())
            .map_or(ExitCategory::FileError, ExitCategory::OsError);
        Fail::new(cat)
    })?;
    let mut buf = Vec::new();
    let want = skip + u64::from(len);
    (&mut f)
        .take(want)
        .read_to_end(&mut buf)
        .map_err(|e| out::io_fail(name, "read", e))?;
    if (buf.len() as u64) < skip {
        out::err_str("EOF on input file/stream\n");
        return Err(Fail::new(ExitCategory::FileError));
    }
    let data = buf.split_off(skip as usize);
    if data.len() < len as usize {
        out::err_fmt(format_args!(
            "EOF on input file/stream at buffer offset {}\n",
            data.len()
        ));
        return Err(Fail::new(ExitCategory::FileError));
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn cdb_and_options() {
        let o = parse(args(&[
            "--request=36",
            "/dev/sg0",
            "12",
            "00",
            "00",
            "00",
            "24",
            "00",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(o.cdb, [0x12, 0, 0, 0, 0x24, 0]);
        assert_eq!(o.request, Some(36));
        let o = parse(args(&[
            "--send=512",
            "--infile=x",
            "/dev/sg0",
            "2a 00 00 00 00 00 00 00 01 00",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(o.cdb.len(), 10);
        assert_eq!(o.send, Some(512));
    }

    #[test]
    fn wrong_cdbs_and_contradictions() {
        let code = |a: &[&str]| parse(args(a)).unwrap_err().code;
        assert_eq!(code(&["/dev/sg0", "12", "00", "00", "00", "24"]), 1);
        assert_eq!(code(&["/dev/sg0"]), 1);
        assert_eq!(code(&[]), 1);
        let long: Vec<&str> = std::iter::once("/dev/sg0")
            .chain(std::iter::repeat_n("00", 261))
            .collect();
        assert_eq!(code(&long), 1);
        assert_eq!(code(&["/dev/sg0", "12", "00", "00", "00", "24", "zz"]), 1);
        assert_eq!(
            code(&["--request=1", "--send=1", "/dev/sg0", "00 00 00 00 00 00"]),
            31
        );
        assert_eq!(
            code(&["-i", "a", "-i", "b", "/dev/sg0", "00 00 00 00 00 00"]),
            31
        );
        assert_eq!(code(&["--nvm", "/dev/sg0", "00 00 00 00 00 00"]), 1);
        // As sg_raw: a zero length, --infile without --send and --binary without
        // --request are taken.
        for ok in [
            &["--request=0", "/dev/sg0", "00 00 00 00 00 00"][..],
            &["--infile=x", "/dev/sg0", "00 00 00 00 00 00"],
            &["--binary", "/dev/sg0", "00 00 00 00 00 00"],
        ] {
            assert!(parse(args(ok)).is_ok(), "{ok:?}");
        }
    }
}
