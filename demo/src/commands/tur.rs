//! `sgmap tur`: TEST UNIT READY, once or `--number` times, as `sg_turs` does.

use std::ffi::OsString;

use sgmap_core::cdb::TestUnitReady;
use sgmap_sys::{Command, Data, Response};

use sgmap_core::status::ExitCategory;

use crate::cli::Cli;
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use crate::shared::dev;
use crate::shared::progress::{self, Reply, Style};
use crate::shared::unit_opts::{self, Letter};
use sgmap_core::sense;
use std::fmt::Write as _;

/// sg_turs's options.
#[derive(Debug, Default)]
struct Options {
    number: u64,
    delay_ms: Option<u64>,
    low: bool,
    progress: bool,
    time: bool,
    json: bool,
    help: bool,
    /// `-V` in the old interface.
    version: bool,
    /// `-N` in the old interface: back to the new one.
    renew: bool,
    device: Option<String>,
}

/// Parses sg_turs 1.46's options: its new interface, or the old one (`--old`, `-O`,
/// `SG3_UTILS_OLD_OPTS`) until `-N`; `Err` for its syntax errors.
fn parse(args: Vec<OsString>) -> Result<Options, Fail> {
    let raw = args.clone();
    let mut o = Options {
        number: 1,
        ..Options::default()
    };
    if unit_opts::old_from_env() {
        old_parse(&raw, &mut o)?;
        if o.renew {
            new_parse(args, &mut o)?;
        }
        return Ok(o);
    }
    if new_parse(args, &mut o)? {
        old_parse(&raw, &mut o)?;
    }
    Ok(o)
}

/// The old interface: `-d=MS`, `-l`, `-n=NUM`, `-p`, `-t`... (`-l` and `-?` end the
/// parsing there, as in sg_turs).
fn old_parse(args: &[OsString], o: &mut Options) -> Result<(), Fail> {
    unit_opts::old_style(
        "tur",
        args,
        o,
        |o, c, _| {
            match c {
                'l' => {
                    o.low = true;
                    return Letter::Stop;
                }
                'N' => {
                    o.renew = true;
                    return Letter::Stop;
                }
                '?' => {
                    o.help = true;
                    return Letter::Stop;
                }
                'O' => {}
                'p' => o.progress = true,
                't' => o.time = true,
                'v' => crate::invocation::verbose_more(),
                'V' => o.version = true,
                _ => return Letter::Out,
            }
            Letter::Flag
        },
        |o, w| {
            if let Some(v) = w.strip_prefix("d=") {
                let Some(n) = unit_opts::int(v) else {
                    out::out_str("Couldn't decode number after 'd=' option\n")?;
                    return Err(out::syntax("tur", format_args!("bad value: {w}")));
                };
                o.delay_ms = Some(n);
                return Ok(true);
            }
            if let Some(v) = w.strip_prefix("n=") {
                let Some(n) = unit_opts::int(v).filter(|n| *n > 0) else {
                    out::out_str("Couldn't decode number after 'n=' option\n")?;
                    return Err(out::syntax("tur", format_args!("bad value: {w}")));
                };
                o.number = n;
                return Ok(true);
            }
            Ok(false)
        },
        |o, d| {
            if o.device.is_some() {
                return Err(out::syntax("tur", format_args!("too many arguments: {d}")));
            }
            o.device = Some(d.to_owned());
            Ok(())
        },
    )?;
    Ok(())
}

/// The new interface; `Ok(true)` at `--old`/`-O`.
fn new_parse(args: Vec<OsString>, o: &mut Options) -> Result<bool, Fail> {
    let mut cli = Cli::new("tur", args);
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("number" | "num") | lexopt::Arg::Short('n') => {
                let Some(v) = unit_opts::value(&mut cli, "--number")? else {
                    o.help = true;
                    continue;
                };
                o.number = unit_opts::int(&v)
                    .ok_or_else(|| cli.syntax(format_args!("bad argument to '--number={v}'")))?;
            }
            lexopt::Arg::Long("delay") | lexopt::Arg::Short('d') => {
                let Some(v) = unit_opts::value(&mut cli, "--delay")? else {
                    o.help = true;
                    continue;
                };
                o.delay_ms =
                    Some(unit_opts::int(&v).ok_or_else(|| {
                        cli.syntax(format_args!("bad argument to '--delay={v}'"))
                    })?);
            }
            lexopt::Arg::Long("low") | lexopt::Arg::Short('l') => o.low = true,
            lexopt::Arg::Long("progress") | lexopt::Arg::Short('p') => o.progress = true,
            lexopt::Arg::Long("time") | lexopt::Arg::Short('t') => o.time = true,
            lexopt::Arg::Long("new") | lexopt::Arg::Short('N') => {}
            lexopt::Arg::Long("old") | lexopt::Arg::Short('O') => return Ok(true),
            lexopt::Arg::Long("json") | lexopt::Arg::Short('j') => o.json = cli.json(),
            lexopt::Arg::Value(v) => cli.device(&mut o.device, v)?,
            _ => o.help = true,
        }
    }
    Ok(false)
}

/// Runs `sgmap tur` (`sg_turs`).
pub fn run(args: Vec<OsString>) -> CmdResult {
    let o = parse(args)?;
    if o.help {
        // sg_turs prints its usage on stdout (sgmap prints its own text there).
        return match crate::help::of("tur") {
            Some(text) => out::out_str(&text),
            None => Ok(()),
        };
    }
    if o.version {
        return Err(crate::invocation::version());
    }
    let Some(device) = o.device.clone() else {
        return Err(out::syntax("tur", format_args!("DEVICE is required")));
    };
    let number = o.number;
    let mut dev = match unit_opts::open(&device, false)? {
        Some(d) => d,
        None => return not_scsi(&o),
    };
    let cdb = dev::cdb(&TestUnitReady, &device)?;
    let cmd = Command::new(cdb.as_bytes());
    if o.progress {
        if o.json {
            return run_progress(&mut dev, &cmd, &device, number.max(1), true);
        }
        return progress_text(&mut dev, &cmd, &device, &o);
    }
    if o.json {
        return run_json(&mut dev, &cmd, &device, number.max(1));
    }
    let delay = o.delay_ms.unwrap_or(0);
    let started = std::time::Instant::now();
    let (mut errors, mut ret, mut reported, mut done) = (0u64, 0u8, false, 0u64);
    let mut text = String::new();
    for k in 0..number {
        if delay > 0 {
            std::thread::sleep(std::time::Duration::from_millis(delay));
        }
        if !o.low {
            dev::verbose_cdb("test unit ready", cmd.cdb);
        }
        let resp = dev.execute(&cmd, Data::None).map_err(dev::sys_fail)?;
        done = k + 1;
        if dev::sg3_ok(&resp) {
            continue;
        }
        let status = resp.category().code();
        if k == 0 {
            let _ = dev::scsi_fail(&device, "TEST UNIT READY", &resp);
        }
        errors += 1;
        if o.low {
            match resp.category() {
                ExitCategory::NotReady => {
                    if number == 1 || delay > 0 {
                        text.push_str(&not_ready_line(resp.sense()));
                        ret = status;
                        reported = true;
                    }
                }
                ExitCategory::UnitAttention => {
                    if crate::invocation::verbose() > 0 {
                        out::err_str("Ignoring Unit attention (sense key)\n");
                        reported = true;
                    }
                }
                _ => {
                    if number == 1 {
                        ret = status;
                        text.push_str(&unit_opts::category_line(status));
                        reported = true;
                        break;
                    }
                }
            }
        } else {
            ret = status;
            if number == 1 || delay > 0 {
                if resp.category() == ExitCategory::NotReady {
                    text.push_str(&not_ready_line(resp.sense()));
                    continue;
                }
                text.push_str(&unit_opts::category_line(status));
                reported = true;
                break;
            }
        }
    }
    if o.time {
        let us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        if us > 0 {
            let _ = writeln!(
                text,
                "time to perform commands was {}; {} operations/sec",
                out::Secs(us).to_string() + " secs",
                done.saturating_mul(1_000_000) / us
            );
        } else {
            text.push_str("Recorded 0 or less elapsed microseconds ??\n");
        }
    }
    if (number > 1 || errors > 0) && !reported {
        let _ = writeln!(
            text,
            "Completed {number} Test Unit Ready commands with {errors} errors"
        );
    }
    out::out_str(&text)?;
    if number == 1 {
        unit_opts::exit(ret)
    } else {
        Ok(())
    }
}

/// A path that opens but is no SCSI node: sg_turs's command fails as `ioctl()` does there.
fn not_scsi(o: &Options) -> CmdResult {
    let status = ExitCategory::OsError(25).code();
    if o.progress {
        return unit_opts::exit(status);
    }
    let mut text = String::new();
    if o.number == 1 || o.delay_ms.unwrap_or(0) > 0 {
        text.push_str(&unit_opts::category_line(status));
    } else {
        let _ = writeln!(
            text,
            "Completed {} Test Unit Ready commands with 1 errors",
            o.number
        );
    }
    out::out_str(&text)?;
    if o.number == 1 {
        unit_opts::exit(status)
    } else {
        Ok(())
    }
}

/// sg_turs's line after NOT READY: the time to ready when the unit says it is becoming
/// ready and gives an estimate in the INFORMATION field (20-061r2), else `device not ready`.
fn not_ready_line(sense_bytes: &[u8]) -> String {
    if let Ok(s) = sense::Sense::new_checked(sense_bytes) {
        let becoming = s
            .additional_sense()
            .is_some_and(|a| a.asc == 4 && a.ascq == 1);
        if let Some(i) = s.information().filter(|_| becoming) {
            if i.value > 0 && i.value < 0x100_0000 {
                return format!(
                    "device not ready, estimated to be ready in {} milliseconds\n",
                    i.value
                );
            }
        }
    }
    "device not ready\n".to_owned()
}

/// `--progress` as sg_turs prints it: up to `--number` commands, `--delay` ms before each
/// (30 s before each but the first without it), stopping at the first without a progress
/// indication.
fn progress_text(
    dev: &mut sgmap_sys::Device,
    cmd: &Command<'_>,
    device: &str,
    o: &Options,
) -> CmdResult {
    let (mut k, mut ret) = (0u64, 0u8);
    while k < o.number {
        match o.delay_ms {
            Some(ms) if ms > 0 => std::thread::sleep(std::time::Duration::from_millis(ms)),
            None if k > 0 => std::thread::sleep(std::time::Duration::from_secs(30)),
            _ => {}
        }
        dev::verbose_cdb("test unit ready", cmd.cdb);
        let resp = dev.execute(cmd, Data::None).map_err(dev::sys_fail)?;
        match sense::progress(resp.sense()) {
            Some(p) => {
                let p = u32::from(p.0);
                out::out_fmt(format_args!(
                    "Progress indication: {}.{:02}% done\n",
                    p * 100 / 65536,
                    (p * 100 % 65536) / 656
                ))?;
            }
            None => {
                if !dev::sg3_ok(&resp) {
                    if o.number == 1 {
                        let _ = dev::scsi_fail(device, "TEST UNIT READY", &resp);
                    }
                    ret = resp.category().code();
                }
                break;
            }
        }
        k += 1;
    }
    if o.number > 1 {
        let n = if k < o.number { k + 1 } else { k };
        out::out_fmt(format_args!("Completed {n} Test Unit Ready commands\n"))?;
    }
    unit_opts::exit(ret)
}

/// `--json`: the commands and errors counted, the last error.
fn run_json(
    dev: &mut sgmap_sys::Device,
    cmd: &Command<'_>,
    device: &str,
    number: u64,
) -> CmdResult {
    let mut errors = 0u64;
    let mut last: Option<Response> = None;
    for _ in 0..number {
        dev::verbose_cdb("test unit ready", cmd.cdb);
        let resp = dev.execute(cmd, Data::None).map_err(dev::sys_fail)?;
        if !resp.is_good() {
            errors += 1;
            let _ = dev::scsi_fail(device, "TEST UNIT READY", &resp);
            last = Some(resp);
        }
    }
    let mut j = Json::object();
    j.str("device", device)
        .u64("commands", number)
        .u64("errors", errors)
        .bool("ready", errors == 0);
    match &last {
        Some(resp) => {
            j.begin_object("last_error");
            j.str("message", &dev::describe(resp));
            dev::status_json(&mut j, resp);
            j.end();
        }
        None => {
            j.null("last_error");
        }
    }
    let status = match &last {
        Some(r) if number == 1 => r.category().code(),
        _ => 0,
    };
    j.u64("exit_status", u64::from(status));
    out::out_str(&j.finish())?;
    exit(number, last)
}

/// `--progress`: as `sg_turs --progress`, TEST UNIT READY now and then every 30 seconds, at
/// most `number` times, printing `Progress indication: P.PP% done` while the sense data has
/// one (see [`progress`]).
fn run_progress(
    dev: &mut sgmap_sys::Device,
    cmd: &Command<'_>,
    device: &str,
    number: u64,
    json: bool,
) -> CmdResult {
    let outcome = progress::run(
        Style::Tur { num: number },
        progress::sleep_secs,
        |_| -> Result<Reply, Fail> {
            let resp = dev.execute(cmd, Data::None).map_err(dev::sys_fail)?;
            let found = sense::progress(resp.sense());
            let status = resp.category().code();
            if found.is_none() && status != 0 && number == 1 {
                let _ = dev::scsi_fail(device, "TEST UNIT READY", &resp);
            }
            Ok(Reply {
                status,
                progress: found,
            })
        },
        |line| {
            if !json {
                progress::print_line(line);
            }
        },
    )?;
    if json {
        let mut j = Json::object();
        j.str("device", device).u64("commands", outcome.commands);
        progress::json(&mut j, &outcome.seen);
        j.u64("exit_status", u64::from(outcome.status));
        out::out_str(&j.finish())?;
    }
    match outcome.status {
        0 => Ok(()),
        code => Err(Fail::code(code)),
    }
}

/// sg_turs's exit status: the failure's category after one command; after `--number` > 1,
/// 0 whatever failed (the count of errors is in the "Completed" line).
fn exit(number: u64, last: Option<Response>) -> CmdResult {
    match last {
        Some(resp) if number == 1 => Err(Fail::new(resp.category())),
        _ => Ok(()),
    }
}
