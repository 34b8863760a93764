//! `sgmap raw`: any CDB of 6 to 32 bytes, its data through the mapped reserve, as `sg_raw`
//! sends it.

use std::ffi::OsString;

use sgmap_core::status::ExitCategory;
use sgmap_sys::{Command, Data, Timeout};

use super::{dev, Cli};
use crate::args::parse_hex_bytes;
use crate::out::{self, CmdResult, Fail};

/// The parsed options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `--request=LEN`: data-in.
    pub request: Option<u32>,
    /// `--send=LEN`: data-out.
    pub send: Option<u32>,
    /// `--infile`.
    pub infile: Option<String>,
    /// `--outfile`.
    pub outfile: Option<String>,
    /// `--binary`.
    pub binary: bool,
    /// `--timeout` in seconds.
    pub timeout_secs: Option<u32>,
    /// DEVICE.
    pub device: String,
    /// The CDB.
    pub cdb: Vec<u8>,
}

/// Parses and checks everything, the CDB's length included, before any system call.
pub fn parse(args: Vec<OsString>) -> Result<Option<Options>, Fail> {
    let mut cli = Cli::new("raw", args);
    let mut o = Options::default();
    let mut words: Vec<String> = Vec::new();
    let mut device = None;
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("request") | lexopt::Arg::Short('r') => {
                o.request = Some(len_value(&mut cli, "--request")?)
            }
            lexopt::Arg::Long("send") | lexopt::Arg::Short('s') => {
                o.send = Some(len_value(&mut cli, "--send")?)
            }
            lexopt::Arg::Long("infile") | lexopt::Arg::Short('i') => {
                o.infile = Some(cli.value("--infile")?)
            }
            lexopt::Arg::Long("outfile") | lexopt::Arg::Short('o') => {
                o.outfile = Some(cli.value("--outfile")?)
            }
            lexopt::Arg::Long("binary") | lexopt::Arg::Short('b') => o.binary = true,
            lexopt::Arg::Long("timeout") | lexopt::Arg::Short('t') => {
                let n = cli.number("--timeout")?;
                let ok = u32::try_from(n)
                    .ok()
                    .filter(|&s| Timeout::from_secs(s).is_some());
                o.timeout_secs = Some(ok.ok_or_else(|| {
                    cli.syntax(format_args!(
                        "--timeout={n}: 1 to {} seconds",
                        u32::MAX / 1000
                    ))
                })?);
            }
            lexopt::Arg::Long("help") | lexopt::Arg::Short('h') => {
                cli.help()?;
                return Ok(None);
            }
            lexopt::Arg::Value(v) => {
                let v = super::utf8("raw", "argument", v)?;
                if device.is_none() {
                    device = Some(v);
                } else {
                    words.push(v);
                }
            }
            other => return Err(super::unexpected("raw", other)),
        }
    }
    let Some(device) = device else {
        return Err(cli.syntax(format_args!("DEVICE and CDB bytes are required")));
    };
    o.device = device;
    parse_hex_bytes(words.iter().map(String::as_str), &mut o.cdb)
        .map_err(|e| cli.syntax(format_args!("CDB: {e}")))?;
    if !(6..=32).contains(&o.cdb.len()) {
        return Err(cli.syntax(format_args!(
            "CDB of {} bytes: the sg driver takes 6 to 32",
            o.cdb.len()
        )));
    }
    if o.request.is_some() && o.send.is_some() {
        return Err(out::contradict(
            "raw",
            format_args!("--request and --send: a command moves data one way"),
        ));
    }
    if o.infile.is_some() && o.send.is_none() {
        return Err(out::contradict(
            "raw",
            format_args!("--infile without --send=LEN"),
        ));
    }
    if (o.binary || o.outfile.is_some()) && o.request.is_none() {
        return Err(out::contradict(
            "raw",
            format_args!("--binary or --outfile without --request=LEN: no data comes in"),
        ));
    }
    Ok(Some(o))
}

fn len_value(cli: &mut Cli, option: &str) -> Result<u32, Fail> {
    let n = cli.number(option)?;
    match u32::try_from(n) {
        Ok(n) if n > 0 && n < (256 << 20) => Ok(n),
        _ => Err(cli.syntax(format_args!(
            "{option}={n}: 1 to {} bytes (the sg driver's limit)",
            (256 << 20) - 1
        ))),
    }
}

/// Runs `sgmap raw`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let Some(o) = parse(args)? else {
        return Ok(());
    };
    let device = o.device.as_str();
    // Data-out: read it before opening the device, so a short file sends nothing.
    let out_data = match o.send {
        Some(len) => Some(read_send(o.infile.as_deref(), len)?),
        None => None,
    };
    let mut d = dev::open(device)?;
    let len = o.request.or(o.send).unwrap_or(0);
    if len > 0 {
        let granted = d.set_reserved_size(u64::from(len)).map_err(dev::sys_fail)?;
        let mapped = d.map().map_err(dev::sys_fail)?;
        if mapped < len {
            return Err(out::fail(
                ExitCategory::OsError(12),
                device,
                "reserve",
                format_args!(
                    "{len} bytes asked, the kernel grants a reserve of {granted} bytes ({mapped} \
                     mappable): the largest transfer is {mapped} bytes"
                ),
            ));
        }
    }
    let timeout = o
        .timeout_secs
        .and_then(Timeout::from_secs)
        .unwrap_or(Timeout::DEFAULT);
    let cmd = Command::new(&o.cdb).timeout(timeout);
    let data = match (&out_data, o.request) {
        (Some(bytes), _) => {
            let map = d.mapping_mut().map_err(dev::sys_fail)?;
            map[..bytes.len()].copy_from_slice(bytes);
            Data::MmapOut(len)
        }
        (None, Some(n)) => Data::MmapIn(n),
        (None, None) => Data::None,
    };
    let resp = d.execute(&cmd, data).map_err(dev::sys_fail)?;
    let mut report = format!("SCSI Status: {}\n", dev::describe(&resp));
    report.push_str(&dev::sense_lines(&resp));
    if o.request.is_some() {
        report.push_str(&format!(
            "Received {} bytes of data (resid {})\n",
            resp.valid, resp.resid
        ));
    }
    out::err_str(&report);
    if o.request.is_some() && resp.valid > 0 {
        let bytes = d.valid_data().map_err(dev::sys_fail)?;
        if let Some(path) = &o.outfile {
            std::fs::write(path, bytes).map_err(|e| out::io_fail(path, "write", e))?;
        } else if o.binary {
            out::out_bytes(bytes)?;
        } else {
            let mut s = String::new();
            out::hex_dump(bytes, &mut s);
            out::out_str(&s)?;
        }
    }
    if resp.is_good() {
        Ok(())
    } else {
        Err(Fail::new(resp.category()))
    }
}

/// The data-out bytes: exactly `len` from the file or stdin.
fn read_send(infile: Option<&str>, len: u32) -> Result<Vec<u8>, Fail> {
    let name = infile.filter(|p| *p != "-").unwrap_or("stdin");
    let buf = out::read_input(infile, u64::from(len))?;
    if buf.len() < len as usize {
        return Err(out::fail(
            ExitCategory::FileError,
            name,
            "read",
            format_args!("--send={len} but only {} bytes there", buf.len()),
        ));
    }
    Ok(buf)
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
            .chain(std::iter::repeat_n("00", 33))
            .collect();
        assert_eq!(code(&long), 1);
        assert_eq!(code(&["/dev/sg0", "12", "00", "00", "00", "24", "zz"]), 1);
        assert_eq!(code(&["--request=0", "/dev/sg0", "00 00 00 00 00 00"]), 1);
        assert_eq!(
            code(&["--request=1", "--send=1", "/dev/sg0", "00 00 00 00 00 00"]),
            31
        );
        assert_eq!(code(&["--infile=x", "/dev/sg0", "00 00 00 00 00 00"]), 31);
        assert_eq!(code(&["--binary", "/dev/sg0", "00 00 00 00 00 00"]), 31);
        assert_eq!(code(&["--timeout=0", "/dev/sg0", "00 00 00 00 00 00"]), 1);
    }
}
