//! `sgmap requests`: REQUEST SENSE, once or `--num` times, or following a long operation's
//! progress (`--progress`), as `sg_requests` (sg3_utils 1.46) does.

use std::ffi::OsString;
use std::fmt::Write as _;

use sgmap_core::cdb::RequestSense;
use sgmap_core::sense::{self, Sense};
use sgmap_core::status::ExitCategory;
use sgmap_sys::{Device, Timeout};

use crate::cli::Cli;
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use crate::shared::dev;
use crate::shared::progress::{self, Ask, Reply, Style};

/// The parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Options {
    desc: bool,
    hex: bool,
    raw: bool,
    progress: bool,
    status: bool,
    num: u64,
    maxlen: u8,
    json: bool,
    /// `--error`, `-e`: once, opcode FFh; twice, no command at all (each counts as an
    /// error), to measure overhead.
    error: u8,
    /// `--time`, `-t`.
    time: bool,
    device: String,
}

/// The skipped command of `-ee`: counted as an error, nothing sent.
const SKIPPED: u8 = 254;

/// Whether the `-v` CDB line was printed (sg_requests prints it for the first command).
static CDB_SHOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn parse(args: Vec<OsString>) -> Result<Option<Options>, Fail> {
    let mut cli = Cli::new("requests", args);
    let mut o = Options {
        desc: false,
        hex: false,
        raw: false,
        progress: false,
        status: false,
        num: 1,
        maxlen: 252,
        json: false,
        error: 0,
        time: false,
        device: String::new(),
    };
    let mut device = None;
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("desc") | lexopt::Arg::Short('d') => o.desc = true,
            lexopt::Arg::Long("hex") | lexopt::Arg::Short('H') => o.hex = true,
            lexopt::Arg::Long("raw") | lexopt::Arg::Short('r') => o.raw = true,
            lexopt::Arg::Long("progress") | lexopt::Arg::Short('p') => o.progress = true,
            lexopt::Arg::Long("error") | lexopt::Arg::Short('e') => {
                o.error = o.error.saturating_add(1)
            }
            lexopt::Arg::Long("time") | lexopt::Arg::Short('t') => o.time = true,
            lexopt::Arg::Long("status") | lexopt::Arg::Short('s') => o.status = true,
            lexopt::Arg::Long("num" | "number") | lexopt::Arg::Short('n') => {
                let Some(v) = crate::shared::unit_opts::value(&mut cli, "--num")? else {
                    crate::shared::unit_opts::usage("requests")?;
                    return Ok(None);
                };
                o.num = crate::shared::unit_opts::int(&v).unwrap_or(0);
                if o.num == 0 {
                    return Err(cli.syntax(format_args!("--num=0: at least 1")));
                }
            }
            lexopt::Arg::Long("maxlen") | lexopt::Arg::Short('m') => {
                let Some(v) = crate::shared::unit_opts::value(&mut cli, "--maxlen")? else {
                    crate::shared::unit_opts::usage("requests")?;
                    return Ok(None);
                };
                let n = crate::shared::unit_opts::int(&v).unwrap_or(256);
                // sg_requests: 0 means the default, 252; at most 255.
                o.maxlen = match n {
                    0 => 252,
                    1..=255 => n as u8,
                    _ => {
                        return Err(cli.syntax(format_args!("--maxlen={n}: 255 or less")));
                    }
                };
            }
            lexopt::Arg::Long("json") | lexopt::Arg::Short('j') => o.json = cli.json(),
            lexopt::Arg::Value(v) => cli.device(&mut device, v)?,
            // `-h` and what getopt_long() answers '?' for: the usage, status 0, at once.
            _ => {
                crate::shared::unit_opts::usage("requests")?;
                return Ok(None);
            }
        }
    }
    let Some(device) = device else {
        return Err(cli.syntax(format_args!("DEVICE is required")));
    };
    o.device = device;
    if (o.raw || o.hex) && (o.progress || o.time) {
        return Err(out::contradict(
            "requests",
            format_args!("with either --raw or --hex, --progress and --time contradict"),
        ));
    }
    if o.json && (o.raw || o.hex) {
        return Err(out::contradict(
            "requests",
            format_args!("--json contradicts --raw and --hex"),
        ));
    }
    Ok(Some(o))
}

/// One REQUEST SENSE: its exit category and the data-in.
fn request(d: &mut Device, o: &Options, device: &str) -> Result<(u8, Vec<u8>), Fail> {
    if o.error > 1 {
        return Ok((SKIPPED, Vec::new()));
    }
    let cdb = dev::cdb(
        &RequestSense {
            descriptor: o.desc,
            allocation_length: o.maxlen,
        },
        device,
    )?;
    let mut cdb = *cdb
        .as_bytes()
        .first_chunk::<6>()
        .unwrap_or(&[3, 0, 0, 0, 252, 0]);
    if o.error > 0 {
        cdb[0] = 0xff;
    }
    if !CDB_SHOWN.swap(true, std::sync::atomic::Ordering::Relaxed)
        && crate::invocation::verbose() > 0
    {
        let mut line = String::from("    cdb: ");
        line.push_str(if o.error > 0 {
            "Vendor specific [0xff]"
        } else {
            "Request Sense"
        });
        line.push(' ');
        dev::push_cdb(&mut line, &cdb[..]);
        line.push('\n');
        out::err_str(&line);
    }
    let cdb = &cdb[..];
    let (resp, data) = dev::data_in(d, cdb, usize::from(o.maxlen), Timeout::DEFAULT)?;
    let status = if dev::sg3_ok(&resp) {
        0
    } else {
        resp.category().code()
    };
    if status != 0 {
        // sg3_utils reports the first failure of a run (noisy on the first command).
        let _ = dev::scsi_fail(device, "REQUEST SENSE", &resp);
    }
    Ok((status, data))
}

/// Runs `sgmap requests`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let Some(o) = parse(args)? else {
        return Ok(());
    };
    let device = o.device.clone();
    // Read-only, as sg_requests opens; a file that is no SCSI node fails the first
    // command as ioctl() does there (75).
    let Some(mut d) = crate::shared::unit_opts::open(&device, false)? else {
        return exit(ExitCategory::OsError(25).code());
    };
    let started = std::time::Instant::now();
    if o.progress {
        let mut last = Vec::new();
        let outcome = progress::run(
            Style::Requests { num: o.num },
            progress::sleep_secs,
            |_ask: Ask| -> Result<Reply, Fail> {
                let (status, data) = request(&mut d, &o, &device)?;
                let found = if status == 0 {
                    sense::progress(&data)
                } else {
                    None
                };
                last = data;
                Ok(Reply {
                    status,
                    progress: found,
                })
            },
            |line| {
                if !o.json {
                    progress::print_line(line);
                }
            },
        )?;
        if o.json {
            let mut j = Json::object();
            j.str("device", &device)
                .u64("commands", outcome.commands)
                .u64("errors", outcome.errors);
            progress::json(&mut j, &outcome.seen);
            crate::shared::sense_json::object(&mut j, "sense", &last);
            j.u64("exit_status", u64::from(outcome.status));
            out::out_str(&j.finish())?;
        }
        return exit(outcome.status);
    }
    let (mut errors, mut din_errors, mut recent_key) = (0u64, 0u64, 0u8);
    let mut ret = 0u8;
    let mut last: Vec<u8> = Vec::new();
    let mut text = String::new();
    for _ in 0..o.num {
        let (status, data) = request(&mut d, &o, &device)?;
        match status {
            0 | 20 | 21 => {}
            SKIPPED => errors += 1,
            2 => {
                errors += 1;
                if o.num == 1 {
                    ret = 2;
                    text.push_str("device not ready\n");
                }
            }
            6 => errors += 1,
            other => {
                errors += 1;
                if o.num == 1 {
                    ret = other;
                    text.push_str(&crate::shared::unit_opts::category_line(other));
                }
            }
        }
        let data = if status == 0 { data } else { Vec::new() };
        if data.len() > 7 {
            if let Ok(s) = Sense::new_checked(&data[..]) {
                let key = u8::from(s.sense_key());
                if key > 0 {
                    din_errors += 1;
                    recent_key = key;
                }
                if !o.raw && !o.hex && !o.json && o.num == 1 {
                    out::err_fmt(format_args!(
                        "data-in decoded as sense:\n{}\n",
                        crate::shared::sense_text::sense_str(&data, false).trim_end()
                    ));
                }
            }
        }
        if ret != 0 {
            last = data;
            break;
        }
        if o.raw {
            out::out_bytes(&data)?;
        } else if o.hex && !data.is_empty() {
            out::out_str(&hex_no_ascii(&data))?;
        }
        last = data;
    }
    let completed = ret == 0;
    if ret == 0 && o.status && !last.is_empty() {
        ret = sense::category(&last).code();
        if ret == ExitCategory::NoSense.code() {
            if let Ok(s) = Sense::new_checked(&last[..]) {
                if s.additional_sense()
                    .is_none_or(|a| a.asc == 0 && a.ascq == 0)
                {
                    ret = 0;
                }
            }
        }
    }
    if o.json {
        let mut j = Json::object();
        j.str("device", &device)
            .u64("commands", o.num)
            .u64("errors", errors)
            .u64("data_in_errors", din_errors);
        crate::shared::sense_json::object(&mut j, "sense", &last);
        j.u64("exit_status", u64::from(ret));
        out::out_str(&j.finish())?;
        return exit(ret);
    }
    if !o.raw && !o.hex {
        if o.time && completed {
            let us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            let _ = write!(text, "time to perform commands was {} secs", out::Secs(us));
            if us > 10 {
                let per_sec = o.num as f64 * 1_000_000.0 / us as f64;
                let _ = writeln!(text, "; {} operations/sec", out::Fixed::<2>(per_sec));
            } else {
                text.push('\n');
            }
        }
        if errors > 0 {
            let _ = writeln!(text, "Number of command errors detected: {errors}");
        }
        if din_errors > 0 {
            let _ = writeln!(
                text,
                "Number of data-in errors detected: {din_errors}, most recent \
                 sense_key={recent_key}"
            );
        }
        if !text.is_empty() {
            out::out_str(&text)?;
        }
    }
    exit(ret)
}

/// `hex2stdout(data, len, 1)`: sg3_utils' hex dump with offsets and without the ASCII
/// column, trailing spaces trimmed.
fn hex_no_ascii(data: &[u8]) -> String {
    let mut full = String::new();
    out::hex_dump(data, &mut full);
    let mut s = String::new();
    for line in full.lines() {
        s.push_str(line.get(..60).unwrap_or(line).trim_end());
        s.push('\n');
    }
    s
}

fn exit(status: u8) -> CmdResult {
    if status == 0 {
        Ok(())
    } else {
        Err(Fail::code(status))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn options_as_sg_requests_takes_them() {
        let o = parse(args(&["-p", "-n", "3", "--desc", "-m", "0", "/dev/sg1"]))
            .unwrap()
            .unwrap();
        assert!(o.progress && o.desc);
        assert_eq!((o.num, o.maxlen, o.device.as_str()), (3, 252, "/dev/sg1"));
        let o = parse(args(&["--number=2", "--maxlen=18", "--hex", "d"]))
            .unwrap()
            .unwrap();
        assert_eq!((o.num, o.maxlen, o.hex), (2, 18, true));
        // Refusals, before any device is opened.
        assert_eq!(parse(args(&["--num=0", "d"])).unwrap_err().code, 1);
        assert_eq!(parse(args(&["--maxlen=256", "d"])).unwrap_err().code, 1);
        assert_eq!(parse(args(&[])).unwrap_err().code, 1);
        assert_eq!(parse(args(&["--hex", "-p", "d"])).unwrap_err().code, 31);
        assert_eq!(
            parse(args(&["--raw", "--progress", "d"])).unwrap_err().code,
            31
        );
        assert_eq!(parse(args(&["d", "e"])).unwrap_err().code, 1);
    }

    #[test]
    fn hex_without_ascii_as_hex2stdout() {
        let data: Vec<u8> = (0u8..18).collect();
        assert_eq!(
            hex_no_ascii(&data),
            " 00     00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f\n 10     10 11\n"
        );
    }
}
