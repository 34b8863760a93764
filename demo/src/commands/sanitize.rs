//! `sgmap sanitize`: SANITIZE (BLOCK ERASE, CRYPTOGRAPHIC ERASE, OVERWRITE, EXIT FAILURE
//! MODE) as `sg_sanitize` (sg3_utils 1.46) sends it. The OVERWRITE parameter list (header
//! and pattern) goes to the device from the mapped reserve.
//!
//! The order is sg_sanitize's: the identification lines (INQUIRY, VPD), the 15-second
//! countdown unless `--quick` (none for `--fail`), SANITIZE with IMMED unless `--wait`, then
//! REQUEST SENSE every 60 seconds while it reports progress (not with `--early` or
//! `--wait`).

use std::ffi::OsString;

use sgmap_core::cdb::{OverwriteHeader, ReadCapacity10, Sanitize, SanitizeAction};
use sgmap_core::response::Capacity10;
use sgmap_core::sense::Sense;
use sgmap_core::status::ExitCategory;
use sgmap_sys::{Command, Data, Device, Timeout};

use crate::cli::Cli;
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use crate::shared::destructive::{self, hex_bytes, hex_lines};
use crate::shared::dev;
use crate::shared::names;
use crate::shared::progress::{self, Style};

/// The parsed command line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Options {
    ause: bool,
    block: bool,
    crypto: bool,
    fail: bool,
    overwrite: bool,
    desc: bool,
    dry_run: bool,
    early: bool,
    invert: bool,
    quick: bool,
    wait: bool,
    znr: bool,
    /// `--zero` given this many times (twice: 0xff).
    zero: u32,
    count: u8,
    /// `--ipl=`: 0 when not given.
    ipl: u32,
    test: u8,
    timeout: u32,
    pattern: Option<String>,
    json: bool,
    device: String,
}

impl Options {
    fn action(&self) -> SanitizeAction {
        if self.overwrite {
            SanitizeAction::Overwrite
        } else if self.block {
            SanitizeAction::BlockErase
        } else if self.crypto {
            SanitizeAction::CryptographicErase
        } else {
            SanitizeAction::ExitFailureMode
        }
    }

    /// IMMED: set unless `--wait`; `--early` sets it even then.
    fn immed(&self) -> bool {
        if self.early || self.wait {
            self.early
        } else {
            true
        }
    }

    /// sg_sanitize's timeout: 20 seconds with IMMED, else 15 hours; `--timeout` when longer.
    fn timeout_secs(&self) -> u32 {
        let t = if self.immed() { 20 } else { 15 * 3600 };
        t.max(self.timeout)
    }
}

fn ranged(cli: &mut Cli, option: &str, lo: u64, hi: u64) -> Result<u64, Fail> {
    cli.number_in(option, lo, hi, &|_, lo, hi| {
        format!("bad argument to '{option}', expect {lo} to {hi}")
    })
}

fn parse(args: Vec<OsString>) -> Result<Option<Options>, Fail> {
    let mut cli = Cli::new("sanitize", args);
    let mut o = Options {
        count: 1,
        ..Options::default()
    };
    let mut device = None;
    while let Some(arg) = cli.next().map_err(|f| dev::getopt_error("sanitize", f))? {
        use lexopt::Arg::{Long, Short};
        match arg {
            Long("ause") | Short('A') => o.ause = true,
            Long("block") | Short('B') => o.block = true,
            Long("count") | Short('c') => o.count = ranged(&mut cli, "--count", 1, 31)? as u8,
            Long("crypto") | Short('C') => o.crypto = true,
            Long("desc") | Short('d') => o.desc = true,
            Long("dry-run" | "dry_run") | Short('D') => o.dry_run = true,
            Long("early") | Short('e') => o.early = true,
            Long("fail") | Short('F') => o.fail = true,
            Long("invert") | Short('I') => o.invert = true,
            Long("ipl") | Short('i') => o.ipl = ranged(&mut cli, "--ipl", 1, 65535)? as u32,
            Long("overwrite") | Short('O') => o.overwrite = true,
            Long("pattern") | Short('p') => o.pattern = Some(cli.value("--pattern")?),
            Long("quick") | Short('Q') => o.quick = true,
            Long("test") | Short('T') => o.test = ranged(&mut cli, "--test", 0, 3)? as u8,
            Long("timeout") | Short('t') => {
                o.timeout = ranged(&mut cli, "--timeout", 0, u64::from(u32::MAX >> 1))? as u32;
            }
            Long("wait") | Short('w') => o.wait = true,
            Long("zero") | Short('z') => o.zero += 1,
            // sg_sanitize 1.46 lists --znr in its usage but not in its getopt table: only
            // -Z sets ZNR, and --znr is an unknown option (the usage, status 0).
            Short('Z') => o.znr = true,
            Long("json") | Short('j') => o.json = cli.json(),
            Long("help") | Short('h') => {
                dev::help_as_tool(&cli)?;
                return Ok(None);
            }
            lexopt::Arg::Value(v) if device.is_none() => {
                device = Some(crate::cli::utf8("sanitize", "DEVICE", v)?)
            }
            lexopt::Arg::Value(v) => {
                return Err(crate::cli::unexpected("sanitize", lexopt::Arg::Value(v)))
            }
            other => {
                let e = other.unexpected();
                return Err(dev::getopt_usage("sanitize", format_args!("{e}")));
            }
        }
    }
    let Some(device) = device else {
        return Err(cli.syntax(format_args!("missing device name")));
    };
    o.device = device;
    let contradict = |why: &str| Err(out::contradict("sanitize", format_args!("{why}")));
    let n = [o.block, o.crypto, o.fail, o.overwrite]
        .iter()
        .filter(|b| **b)
        .count();
    if n != 1 {
        return contradict(
            "one and only one of '--block', '--crypto', '--fail' or '--overwrite' please",
        );
    }
    if o.overwrite {
        if o.zero > 0 {
            if o.pattern.is_some() {
                return contradict("confused: both '--pattern=PF' and '--zero' options");
            }
            o.ipl = 4;
        } else {
            let Some(p) = o.pattern.as_deref() else {
                return contradict("'--overwrite' requires '--pattern=PF' or '--zero' option");
            };
            if p != "-" {
                let meta = std::fs::metadata(p).map_err(|e| out::io_fail(p, "pattern file", e))?;
                if o.ipl == 0 {
                    if meta.len() > 65535 {
                        return Err(out::fail(
                            ExitCategory::FileError,
                            p,
                            "pattern file",
                            format_args!("length exceeds 65535 bytes, need '--ipl=LEN' option"),
                        ));
                    }
                    o.ipl = meta.len() as u32;
                }
            }
            if o.ipl < 1 {
                return contradict(
                    "'--overwrite' requires '--ipl=LEN' option if can't get PF length",
                );
            }
        }
    }
    Ok(Some(o))
}

/// The OVERWRITE parameter list's pattern: `ipl` bytes of the pattern file (padded with
/// zeros when shorter, as sg_sanitize does, with its notice), or of zeros (`--zero`), or
/// of 0xff (`-zz`).
fn pattern(o: &Options) -> Result<Vec<u8>, Fail> {
    let len = o.ipl as usize;
    if o.zero > 0 {
        return Ok(vec![if o.zero >= 2 { 0xff } else { 0 }; len]);
    }
    let path = o.pattern.as_deref();
    let mut bytes = out::read_input(path, u64::from(o.ipl))?;
    if bytes.len() < len {
        out::err_fmt(format_args!(
            "tried to read {len} bytes from {}, got {} bytes\n  so pad with 0x0 bytes and \
             continue\n",
            path.unwrap_or("-"),
            bytes.len()
        ));
        bytes.resize(len, 0);
    }
    Ok(bytes)
}

/// READ CAPACITY (10)'s logical block length, if the device tells it.
fn block_length(d: &mut Device, device: &str) -> Result<Option<u32>, Fail> {
    let cdb = dev::cdb(&ReadCapacity10, device)?;
    dev::verbose_sent(cdb.as_bytes());
    let (resp, data) = dev::data_in(d, cdb.as_bytes(), 8, Timeout::DEFAULT)?;
    if !resp.is_good() {
        return Ok(None);
    }
    Ok(Capacity10::parse(&data).ok().map(|c| c.block_length))
}

/// Runs `sgmap sanitize`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let Some(o) = parse(args)? else {
        return Ok(());
    };
    let mut record = Record::default();
    let result = run_device(&o, &mut record);
    if o.json {
        let status = result.err().map_or(0, |f| f.code);
        let mut j = Json::object();
        j.str("device", &o.device)
            .bool("dry_run", o.dry_run)
            .str("service_action", action_name(o.action()))
            .bool("immed", o.immed());
        match &record.cdb {
            Some(cdb) => j.str("cdb", &hex_bytes(cdb)),
            None => j.null("cdb"),
        };
        j.str("parameter_list", &hex_bytes(&record.list))
            .bool("sent", record.sent);
        progress::json(&mut j, &record.seen);
        j.u64("exit_status", u64::from(status));
        out::out_str(&j.finish())?;
    }
    result
}

/// What the run did, for `--json`.
#[derive(Default)]
struct Record {
    cdb: Option<Vec<u8>>,
    list: Vec<u8>,
    sent: bool,
    seen: Vec<sgmap_core::sense::Progress>,
}

fn action_name(a: SanitizeAction) -> &'static str {
    match a {
        SanitizeAction::Overwrite => "overwrite",
        SanitizeAction::BlockErase => "block_erase",
        SanitizeAction::CryptographicErase => "cryptographic_erase",
        SanitizeAction::ExitFailureMode => "exit_failure_mode",
    }
}

/// Prints on stdout, or on stderr with `--json`.
fn say(json: bool, text: &str) -> CmdResult {
    if json {
        out::err_str(text);
        Ok(())
    } else {
        out::out_str(text)
    }
}

fn run_device(o: &Options, rec: &mut Record) -> CmdResult {
    let device = o.device.as_str();
    let mut d = dev::open(device)?;
    let id = destructive::identify(&mut d, device)?;
    say(o.json, &id.text)?;
    let mut list = Vec::new();
    if o.overwrite {
        let pattern = pattern(o)?;
        // sgmap's own check (sg_sanitize leaves it to the device): a pattern longer than a
        // logical block is refused before SANITIZE is sent.
        let block = block_length(&mut d, device)?;
        let header = OverwriteHeader {
            invert: o.invert,
            test: o.test,
            count: o.count,
            pattern_length: o.ipl as u16,
        };
        let mut h = [0u8; OverwriteHeader::LEN];
        header.emit(&mut h, block).map_err(|e| {
            out::fail(
                ExitCategory::Syntax,
                device,
                "SANITIZE OVERWRITE",
                format_args!("{e}"),
            )
        })?;
        list.extend_from_slice(&h);
        list.extend_from_slice(&pattern);
    }
    let cmd = Sanitize {
        action: o.action(),
        immed: o.immed(),
        znr: o.znr,
        ause: o.ause,
        parameter_list_length: list.len() as u16,
    };
    let cdb = dev::cdb(&cmd, device)?;
    rec.cdb = Some(cdb.as_bytes().to_vec());
    rec.list = list.clone();
    if !o.quick && !o.fail && !o.dry_run {
        destructive::countdown("SANITIZE", device, o.json, progress::sleep_secs)?;
    }
    if o.dry_run {
        let mut s = format!("    Sanitize cdb: [{}]\n", hex_bytes(cdb.as_bytes()));
        if !list.is_empty() {
            s.push_str("    Parameter list contents:\n");
            s.push_str(&hex_lines(&list));
        }
        // On stderr, where sg_sanitize -vvv prints them: its dry run prints nothing more on
        // stdout.
        out::err_str(&s);
        out::err_str("Due to --dry-run option, bypassing SANITIZE command\n");
        return Ok(());
    }
    let timeout = Timeout::from_secs(o.timeout_secs()).unwrap_or(Timeout::DEFAULT);
    let command = Command::new(cdb.as_bytes()).timeout(timeout);
    dev::verbose_sent(cdb.as_bytes());
    let resp = if list.is_empty() {
        d.execute(&command, Data::None)
    } else {
        // The parameter list goes through the mapped reserve, as write-buffer's chunks do.
        let len = dev::load_reserve(&mut d, device, "the parameter list", &list)?;
        d.execute(&command, Data::MmapOut(len))
    }
    .map_err(dev::sys_fail)?;
    rec.sent = true;
    let code = resp.category().code();
    if !resp.is_good() && !matches!(code, 20 | 21) {
        let f = dev::scsi_fail(device, "SANITIZE", &resp);
        if code == 3 {
            if let Ok(s) = Sense::new_checked(resp.sense()) {
                if let Some(i) = s.information().filter(|i| i.valid) {
                    out::err_fmt(format_args!(
                        "Medium or hardware error starting at lba={} [0x{:x}]\n",
                        i.value, i.value
                    ));
                }
            }
        }
        out::err_fmt(format_args!(
            "Sanitize failed: {}\n",
            names::exit_status(f.code)
        ));
        return Err(f);
    }
    if o.early || o.wait {
        return Ok(());
    }
    let json = o.json;
    let outcome = progress::run(
        Style::Sanitize { desc: o.desc },
        progress::sleep_secs,
        |ask| progress::poll(&mut d, device, ask),
        progress::emit(json),
    )?;
    rec.seen = outcome.seen;
    match outcome.status {
        0 => Ok(()),
        code => Err(Fail::code(code)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    fn code(list: &[&str]) -> u8 {
        parse(args(list)).unwrap_err().code
    }

    #[test]
    fn operands_as_sg_sanitize_takes_them() {
        let o = parse(args(&["-B", "-A", "-Z", "-e", "-Q", "-d", "-t", "99", "d"]))
            .unwrap()
            .unwrap();
        assert!(o.block && o.ause && o.znr && o.early && o.quick && o.desc);
        assert_eq!(
            (o.action(), o.immed(), o.timeout_secs()),
            (SanitizeAction::BlockErase, true, 99)
        );
        // --wait clears IMMED; --early with it sets it again.
        let o = parse(args(&["--crypto", "--wait", "d"])).unwrap().unwrap();
        assert_eq!((o.immed(), o.timeout_secs()), (false, 15 * 3600));
        let o = parse(args(&["--crypto", "--wait", "--early", "d"]))
            .unwrap()
            .unwrap();
        assert!(o.immed());
        // --zero: a 4-byte pattern; -zz 0xff.
        let o = parse(args(&["-O", "-zz", "-c", "3", "-I", "-T", "2", "d"]))
            .unwrap()
            .unwrap();
        assert_eq!((o.ipl, o.count, o.test, o.invert), (4, 3, 2, true));
        assert_eq!(pattern(&o).unwrap(), vec![0xff; 4]);
        assert_eq!(o.action(), SanitizeAction::Overwrite);
    }

    #[test]
    fn refusals_before_the_device_as_sg_sanitize() {
        for bad in [
            &["--count=0", "-B", "d"][..],
            &["--count=32", "-B", "d"],
            &["--ipl=0", "-B", "d"],
            &["--ipl=65536", "-B", "d"],
            &["--test=4", "-B", "d"],
            &["-B"],
            &["-B", "d", "e"],
        ] {
            assert_eq!(code(bad), 1, "{bad:?}");
        }
        for bad in [
            &["d"][..],
            &["-B", "-C", "d"],
            &["-O", "d"],
            &["-O", "-z", "--pattern=/dev/null", "d"],
            &["-O", "--pattern=-", "d"],
        ] {
            assert_eq!(code(bad), 31, "{bad:?}");
        }
        // A pattern file that is not there: a file error.
        assert_eq!(code(&["-O", "--pattern=/nonexistent/p", "d"]), 15);
    }
}
