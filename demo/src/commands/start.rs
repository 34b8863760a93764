//! `sgmap start` and `sgmap stop`: START STOP UNIT, as `sg_start` sends it (`stop` is
//! `start --stop`).

use std::ffi::OsString;

use sgmap_core::cdb::StartStopUnit;
use sgmap_core::status::ExitCategory;
use sgmap_sys::{Command, Data, Timeout};

use crate::cli::Cli;
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use crate::shared::dev;
use crate::shared::unit_opts::Letter;

/// sg3_utils' START STOP UNIT timeout (`START_PT_TIMEOUT`, sg_cmds_basic2.c): 120 s.
const TIMEOUT_SECS: u32 = 120;

/// What the command line asked for, before sg_start's rules decide the bits.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Options {
    /// `--start`, `-s` or the operand `1`.
    pub start: bool,
    /// `--stop`, `-S`, the operand `0`, or the `stop` command.
    pub stop: bool,
    /// `--eject`, `-e`.
    pub eject: bool,
    /// `--load`, `-l`.
    pub load: bool,
    /// `--loej`, `-L` (and implied by `--eject`, `--load`, `--fl`).
    pub loej: bool,
    /// `--immed`, `-i`.
    pub immed: bool,
    /// `--noflush`, `-n`.
    pub noflush: bool,
    /// `--fl=FL`, `-f FL` (0..=3).
    pub fl: Option<u8>,
    /// `--pc=PC`, `-p PC` (0..=15).
    pub pc: u8,
    /// `--mod=M`, `-m M` (0..=15).
    pub modifier: u8,
    /// `--json`.
    pub json: bool,
    /// `--readonly`, `-r`: open the device read-only.
    pub readonly: bool,
    /// `-h`, an unknown option, an option without its argument: the usage, status 0.
    pub help: bool,
    /// The old interface was used (`--old`, `-O`, `SG3_UTILS_OLD_OPTS`): `--loej` alone
    /// then ejects.
    pub old: bool,
    /// Start (true) or stop (false) as the old interface's words and operands set it.
    pub old_ss: Option<bool>,
    /// `-N` in the old interface: back to the new one.
    pub renew: bool,
    /// `-V` in the old interface.
    pub version: bool,
    /// The device.
    pub device: Option<String>,
}

/// Runs `sgmap start` (and `sg_start`).
pub fn run_start(args: Vec<OsString>) -> CmdResult {
    run(args, false)
}

/// Runs `sgmap stop`.
pub fn run_stop(args: Vec<OsString>) -> CmdResult {
    run(args, true)
}

/// Runs `sgmap start`, or `sgmap stop` when `stop` is true.
fn run(args: Vec<OsString>, stop: bool) -> CmdResult {
    let name = if stop { "stop" } else { "start" };
    let Some(mut o) = parse(name, args)? else {
        return Ok(());
    };
    if o.help {
        return crate::shared::unit_opts::usage(name);
    }
    if o.version {
        return Err(crate::invocation::version());
    }
    o.stop |= stop;
    let ssu = plan(name, &o)?;
    let Some(device) = o.device.clone() else {
        return Err(out::syntax(name, format_args!("DEVICE is required")));
    };
    let cdb = dev::cdb(&ssu, &device)?;
    dev::verbose_cdb("start stop unit", cdb.as_bytes());
    // sg_start opens read-write unless --readonly; a file that is no SCSI node fails its
    // command as ioctl() does there (75).
    let Some(mut d) = crate::shared::unit_opts::open(&device, !o.readonly)? else {
        return Err(Fail::new(ExitCategory::OsError(25)));
    };
    let timeout = Timeout::from_secs(TIMEOUT_SECS).unwrap_or(Timeout::DEFAULT);
    let resp = d
        .execute(&Command::new(cdb.as_bytes()).timeout(timeout), Data::None)
        .map_err(dev::sys_fail)?;
    let failure = (!dev::sg3_ok(&resp)).then_some(&resp);
    let status = failure.map_or(ExitCategory::Clean, |r| r.category());
    if let Some(resp) = failure {
        let _ = dev::scsi_fail(&device, "START STOP UNIT", resp);
    }
    if o.json {
        let mut j = Json::object();
        j.str("device", &device).hex("cdb", cdb.as_bytes());
        j.bool("start", ssu.start)
            .bool("load_eject", ssu.load_eject)
            .bool("immed", ssu.immed)
            .bool("no_flush_or_fl", ssu.no_flush)
            .u64("power_condition", u64::from(ssu.power_condition))
            .u64(
                "power_condition_modifier_or_fl_num",
                u64::from(ssu.power_condition_modifier),
            );
        dev::error_json(&mut j, "error", failure, None);
        j.u64("exit_status", u64::from(status.code()));
        out::out_str(&j.finish())?;
    }
    match failure {
        Some(_) => Err(Fail::new(status)),
        None => Ok(()),
    }
}

/// Parses sg_start's options, its new interface or the old one (`--old`, `-O`,
/// `SG3_UTILS_OLD_OPTS`; until `-N`), and its operands `0` and `1`.
fn parse(name: &'static str, args: Vec<OsString>) -> Result<Option<Options>, Fail> {
    let raw = args.clone();
    let mut o = Options::default();
    if crate::shared::unit_opts::old_from_env() {
        old_parse(name, &raw, &mut o)?;
        if o.renew {
            new_parse(name, args, &mut o)?;
        }
    } else if new_parse(name, args, &mut o)? {
        old_parse(name, &raw, &mut o)?;
    }
    Ok(Some(o))
}

/// Notes start (`true`) or stop from the old interface; both is sg_start's contradiction.
fn old_startstop(name: &str, o: &mut Options, start: bool) -> Result<(), Fail> {
    if o.old_ss == Some(!start) {
        return Err(out::contradict(
            name,
            format_args!("please, only one of 0, 1, --eject, --load, --start or --stop"),
        ));
    }
    o.old_ss = Some(start);
    Ok(())
}

/// A hex number of the old interface's `WORD=N`, or sg_start's syntax error.
fn old_hex(name: &str, w: &str, v: &str, max: u64) -> Result<u64, Fail> {
    crate::shared::unit_opts::scan_u64(v, true)
        .filter(|n| *n <= max)
        .ok_or_else(|| out::syntax(name, format_args!("Bad value after '{w}' option")))
}

/// sg_start's old interface: `0`, `1`, `-i`, `--imm=0|1`, `--eject`, `--load`, `--loej`,
/// `--fl=FL`, `--pc=PC`, `--noflush`, `--start`, `--stop`, `-r` (hex values).
fn old_parse(name: &'static str, args: &[OsString], o: &mut Options) -> Result<(), Fail> {
    o.old = true;
    crate::shared::unit_opts::old_style(
        name,
        args,
        o,
        |o, c, rest| {
            match c {
                'i' if rest.len() == 1 => o.immed = true,
                'r' => o.readonly = true,
                'v' => crate::invocation::verbose_more(),
                'V' => o.version = true,
                'h' | '?' => o.help = true,
                'N' => {
                    o.renew = true;
                    o.old = false;
                    return Letter::Stop;
                }
                'O' => {}
                '-' => return Letter::SkipOut(1),
                _ => return Letter::Out,
            }
            Letter::Flag
        },
        |o, w| {
            if w.starts_with("eject") {
                o.loej = true;
                old_startstop(name, o, false)?;
            } else if let Some(v) = w.strip_prefix("fl=") {
                let fl = old_hex(name, "fl=", v, 3)?;
                old_startstop(name, o, true)?;
                o.loej = true;
                o.fl = Some(fl as u8);
            } else if let Some(v) = w.strip_prefix("imm=") {
                o.immed = old_hex(name, "imm=", v, 1)? == 1;
            } else if w.starts_with("load") {
                o.loej = true;
                old_startstop(name, o, true)?;
            } else if w.starts_with("loej") {
                o.loej = true;
            } else if let Some(v) = w.strip_prefix("pc=") {
                o.pc = old_hex(name, "pc=", v, 15)? as u8;
            } else if w.starts_with("mod=") {
                // sg_start 1.46 reads the value from the '=' on: never a number.
                return Err(out::syntax(
                    name,
                    format_args!("Bad value after 'mod=' option"),
                ));
            } else if w.starts_with("noflush") {
                o.noflush = true;
            } else if w.starts_with("start") {
                old_startstop(name, o, true)?;
            } else if w.starts_with("stop") {
                old_startstop(name, o, false)?;
            } else {
                return Ok(w.starts_with("old"));
            }
            Ok(true)
        },
        |o, d| {
            match d {
                "0" => old_startstop(name, o, false)?,
                "1" => old_startstop(name, o, true)?,
                _ if o.device.is_none() => o.device = Some(d.to_owned()),
                _ => {
                    return Err(out::syntax(name, format_args!("too many arguments: {d}")));
                }
            }
            Ok(())
        },
    )?;
    match o.old_ss {
        Some(true) => o.start = true,
        Some(false) => o.stop = true,
        None => {}
    }
    Ok(())
}

/// sg_start's new interface; `Ok(true)` at `--old`/`-O`.
fn new_parse(name: &'static str, args: Vec<OsString>, o: &mut Options) -> Result<bool, Fail> {
    let mut cli = Cli::new(name, args);
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("start") | lexopt::Arg::Short('s') => o.start = true,
            lexopt::Arg::Long("stop") | lexopt::Arg::Short('S') => o.stop = true,
            lexopt::Arg::Long("eject") | lexopt::Arg::Short('e') => {
                o.eject = true;
                o.loej = true;
            }
            lexopt::Arg::Long("load") | lexopt::Arg::Short('l') => {
                o.load = true;
                o.loej = true;
            }
            lexopt::Arg::Long("loej") | lexopt::Arg::Short('L') => o.loej = true,
            lexopt::Arg::Long("immed") | lexopt::Arg::Short('i') => o.immed = true,
            lexopt::Arg::Long("noflush") | lexopt::Arg::Short('n') => o.noflush = true,
            lexopt::Arg::Long("fl") | lexopt::Arg::Short('f') => {
                let Some(n) = arg_value(&mut cli, "--fl", o)? else {
                    continue;
                };
                // As sg_start: a format layer also means load and start.
                o.fl = Some(small(&cli, "--fl", n, 3)?);
                o.loej = true;
                o.start = true;
            }
            lexopt::Arg::Long("pc") | lexopt::Arg::Short('p') => {
                let Some(n) = arg_value(&mut cli, "--pc", o)? else {
                    continue;
                };
                o.pc = small(&cli, "--pc", n, 15)?;
            }
            lexopt::Arg::Long("mod") | lexopt::Arg::Short('m') => {
                let Some(n) = arg_value(&mut cli, "--mod", o)? else {
                    continue;
                };
                o.modifier = small(&cli, "--mod", n, 15)?;
            }
            lexopt::Arg::Long("new") | lexopt::Arg::Short('N') => {}
            lexopt::Arg::Long("old") | lexopt::Arg::Short('O') => return Ok(true),
            lexopt::Arg::Long("readonly") | lexopt::Arg::Short('r') => o.readonly = true,
            lexopt::Arg::Long("json") | lexopt::Arg::Short('j') => o.json = cli.json(),
            lexopt::Arg::Value(v) => {
                let v = crate::cli::utf8(name, "operand", v)?;
                match v.as_str() {
                    "0" => o.stop = true,
                    "1" => o.start = true,
                    _ if o.device.is_none() => o.device = Some(v),
                    _ => {
                        return Err(cli.syntax(format_args!("unexpected extra argument '{v}'")));
                    }
                }
            }
            // `-h` and what getopt_long() answers '?' for.
            _ => o.help = true,
        }
    }
    Ok(false)
}

/// The number of an option that takes one, as `sg_get_num()` reads it (a bad one is the
/// syntax error 1); `None` when it is missing (the usage, status 0).
fn arg_value(cli: &mut Cli, option: &str, o: &mut Options) -> Result<Option<u64>, Fail> {
    let Some(v) = crate::shared::unit_opts::value(cli, option)? else {
        o.help = true;
        return Ok(None);
    };
    crate::shared::unit_opts::int(&v)
        .map(Some)
        .ok_or_else(|| cli.syntax(format_args!("bad argument to '{option}={v}'")))
}

/// `n` if at most `max`, else sg_start's syntax error.
fn small(cli: &Cli, option: &str, n: u64, max: u8) -> Result<u8, Fail> {
    u8::try_from(n)
        .ok()
        .filter(|&v| v <= max)
        .ok_or_else(|| cli.syntax(format_args!("{option}={n}: 0 to {max}")))
}

/// sg_start 1.46's rules: the contradictions (exit 31), which of START/LOEJ are set, and
/// which of its three CDB forms is sent (format layer, power condition, start/stop).
pub fn plan(name: &str, o: &Options) -> Result<StartStopUnit, Fail> {
    if o.start && o.stop {
        return Err(out::contradict(
            name,
            format_args!("both start and stop asked for (--start or 1, --stop or 0)"),
        ));
    }
    if o.load && o.eject {
        return Err(out::contradict(
            name,
            format_args!("both --load and --eject asked for"),
        ));
    }
    let start = if o.load {
        true
    } else if o.eject || o.stop {
        false
    } else {
        // --loej alone loads (the old interface's ejects); with nothing active the default
        // is to start.
        o.start || (o.loej && !o.old) || (!o.loej && o.fl.is_none() && o.pc == 0)
    };
    if o.device.is_none() {
        return Err(out::syntax(name, format_args!("DEVICE is required")));
    }
    if let Some(fl) = o.fl {
        if !start {
            return Err(out::contradict(
                name,
                format_args!("--fl=FL loads and starts: not with --stop or --eject"),
            ));
        }
        if o.pc > 0 {
            return Err(out::contradict(
                name,
                format_args!("--fl=FL with a non-zero --pc=PC"),
            ));
        }
        return Ok(StartStopUnit::format_layer(fl, o.immed));
    }
    if o.pc > 0 {
        // A power condition: no START, no LOEJ; the modifier only here (as sg_start).
        return Ok(StartStopUnit {
            immed: o.immed,
            power_condition_modifier: o.modifier,
            power_condition: o.pc,
            no_flush: o.noflush,
            load_eject: false,
            start: false,
        });
    }
    Ok(StartStopUnit {
        immed: o.immed,
        power_condition_modifier: 0,
        power_condition: 0,
        no_flush: o.noflush,
        load_eject: o.loej,
        start,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sgmap_core::cdb::ToCdb as _;

    fn cdb(args: &[&str], stop: bool) -> Result<Vec<u8>, u8> {
        let mut o = parse("start", args.iter().map(OsString::from).collect())
            .map_err(|f| f.code)?
            .unwrap();
        o.stop |= stop;
        let ssu = plan("start", &o).map_err(|f| f.code)?;
        Ok(ssu.to_cdb().unwrap().as_bytes().to_vec())
    }

    #[test]
    fn the_cdbs_sg_start_sends() {
        let ok = |args: &[&str], b1: u8, b3: u8, b4: u8| {
            let mut v = args.to_vec();
            v.push("/dev/sg0");
            assert_eq!(cdb(&v, false), Ok(vec![0x1b, b1, 0, b3, b4, 0]), "{args:?}");
        };
        ok(&[], 0, 0, 0x01);
        ok(&["--start"], 0, 0, 0x01);
        ok(&["1"], 0, 0, 0x01);
        ok(&["--stop"], 0, 0, 0x00);
        ok(&["-S", "-i"], 1, 0, 0x00);
        ok(&["0", "--immed"], 1, 0, 0x00);
        ok(&["--eject"], 0, 0, 0x02);
        ok(&["--load"], 0, 0, 0x03);
        ok(&["--loej"], 0, 0, 0x03);
        ok(&["--loej", "--stop"], 0, 0, 0x02);
        ok(&["--noflush", "--stop"], 0, 0, 0x04);
        ok(&["--pc=3"], 0, 0, 0x30);
        ok(&["--pc=2", "--mod=1", "-n"], 0, 1, 0x24);
        // The modifier goes only with a power condition, as sg_start sends it.
        ok(&["--mod=5"], 0, 0, 0x01);
        ok(&["--fl=2"], 0, 2, 0x07);
        ok(&["--fl=0x1", "-i", "--start"], 1, 1, 0x07);
        assert_eq!(
            cdb(&["/dev/sg0"], true),
            Ok(vec![0x1b, 0, 0, 0, 0, 0]),
            "stop"
        );
    }

    #[test]
    fn contradictions_exit_31_and_bad_values_1_as_sg_start() {
        for bad in [
            &["--start", "--stop", "d"][..],
            &["0", "1", "d"],
            &["--load", "--eject", "d"],
            &["--fl=1", "--stop", "d"],
            &["--fl=1", "--eject", "d"],
            &["--fl=1", "--pc=1", "d"],
        ] {
            assert_eq!(cdb(bad, false), Err(31), "{bad:?}");
        }
        assert_eq!(cdb(&["--start", "d"], true), Err(31));
        for bad in [
            &["--fl=4", "d"][..],
            &["--pc=16", "d"],
            &["--mod=16", "d"],
            &["--pc=x", "d"],
            &["d", "e"],
            &["--start"],
        ] {
            assert_eq!(cdb(bad, false), Err(1), "{bad:?}");
        }
    }
}
