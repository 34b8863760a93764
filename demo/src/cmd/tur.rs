//! `sgmap tur`: TEST UNIT READY, once or `--number` times, as `sg_turs` does.

use std::ffi::OsString;

use sgmap_core::cdb::TestUnitReady;
use sgmap_sys::{Command, Data, Response};

use sgmap_core::status::ExitCategory;

use super::progress::{self, Reply, Style};
use super::{dev, names, Cli};
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use sgmap_core::sense;

/// Runs `sgmap tur`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let mut cli = Cli::new("tur", args);
    let (mut number, mut json, mut device) = (1u64, false, None);
    let mut progress = false;
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("number") | lexopt::Arg::Short('n') => {
                number = cli.number("--number")?;
                if number == 0 {
                    return Err(cli.syntax(format_args!("--number=0: at least 1")));
                }
            }
            lexopt::Arg::Long("progress") | lexopt::Arg::Short('p') => progress = true,
            lexopt::Arg::Long("json") | lexopt::Arg::Short('j') => json = cli.json(),
            lexopt::Arg::Long("help") | lexopt::Arg::Short('h') => return cli.help(),
            lexopt::Arg::Value(v) if device.is_none() => {
                device = Some(super::utf8("tur", "DEVICE", v)?)
            }
            other => return Err(super::unexpected("tur", other)),
        }
    }
    let Some(device) = device else {
        return Err(cli.syntax(format_args!("DEVICE is required")));
    };
    let mut dev = dev::open(&device)?;
    let cdb = dev::cdb(&TestUnitReady, &device)?;
    let cmd = Command::new(cdb.as_bytes());
    if progress {
        return run_progress(&mut dev, &cmd, &device, number, json);
    }
    let mut errors = 0u64;
    let mut last: Option<Response> = None;
    for _ in 0..number {
        dev::verbose_cdb("test unit ready", cmd.cdb);
        let resp = dev.execute(&cmd, Data::None).map_err(dev::sys_fail)?;
        if !resp.is_good() {
            errors += 1;
            // Each failure is reported, as sg_turs does; the status is the last one's.
            let _ = dev::scsi_fail(&device, "TEST UNIT READY", &resp);
            last = Some(resp);
        }
    }
    if json {
        let mut j = Json::object();
        j.str("device", &device)
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
    } else if number > 1 {
        out::out_str(&format!(
            "Completed {number} Test Unit Ready commands with {errors} errors\n"
        ))?;
    } else if let Some(resp) = &last {
        // sg_turs (1.46) says why on stdout when it sent one command; after NOT READY it
        // also prints its count line (its `reported` flag stays false on that path).
        let line = match resp.category() {
            ExitCategory::NotReady => "device not ready\n\
                 Completed 1 Test Unit Ready commands with 1 errors"
                .to_owned(),
            other => names::exit_status(other.code()),
        };
        out::out_str(&format!("{line}\n"))?;
    }
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
