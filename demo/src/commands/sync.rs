//! `sgmap sync`: SYNCHRONIZE CACHE (10) or (16), as `sg_sync` sends it.

use std::ffi::OsString;

use sgmap_core::cdb::{Size, SynchronizeCache};
use sgmap_core::status::ExitCategory;
use sgmap_sys::{Command, Data, Timeout};

use crate::cli::Cli;
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use crate::shared::dev;

/// What the command line asked for.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Options {
    sixteen: bool,
    lba: u64,
    count: u64,
    group: u8,
    immed: bool,
    sync_nv: bool,
    timeout_secs: u32,
    json: bool,
    device: Option<String>,
}

/// Runs `sgmap sync`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let Some(o) = parse(args)? else {
        return Ok(());
    };
    let Some(device) = o.device.clone() else {
        return Err(out::syntax("sync", format_args!("DEVICE is required")));
    };
    // sg_sync opens read-write, then builds its CDB; a file that is no SCSI node fails
    // the command as ioctl() does there (75).
    let Some(mut d) = crate::shared::unit_opts::open(&device, true)? else {
        plan(&o)?;
        return Err(Fail::new(ExitCategory::OsError(25)));
    };
    let sc = plan(&o)?;
    let cdb = dev::cdb(&sc, &device)?;
    let what = if o.sixteen {
        "SYNCHRONIZE CACHE (16)"
    } else {
        "SYNCHRONIZE CACHE (10)"
    };
    let shown = if o.sixteen {
        "Synchronize cache(16)"
    } else {
        "synchronize cache(10)"
    };
    dev::verbose_cdb(shown, cdb.as_bytes());
    // sg_sync's default, and its meaning of 0: 60 seconds.
    let timeout = Timeout::from_secs(o.timeout_secs).unwrap_or(Timeout::DEFAULT);
    let resp = d
        .execute(&Command::new(cdb.as_bytes()).timeout(timeout), Data::None)
        .map_err(dev::sys_fail)?;
    let failure = (!dev::sg3_ok(&resp)).then_some(&resp);
    let status = failure.map_or(ExitCategory::Clean, |r| r.category());
    if let Some(resp) = failure {
        let _ = dev::scsi_fail(&device, what, resp);
    }
    if o.json {
        let mut j = Json::object();
        j.str("device", &device)
            .hex("cdb", cdb.as_bytes())
            .u64("lba", sc.lba)
            .u64("count", u64::from(sc.blocks))
            .bool("immed", sc.immed)
            .bool("sync_nv", sc.sync_nv)
            .u64("group_number", u64::from(sc.group_number));
        dev::error_json(&mut j, "error", failure, None);
        j.u64("exit_status", u64::from(status.code()));
        out::out_str(&j.finish())?;
    }
    match failure {
        Some(_) => Err(Fail::new(status)),
        None => Ok(()),
    }
}

/// Parses sg_sync's options; `None` after `--help` (printed).
fn parse(args: Vec<OsString>) -> Result<Option<Options>, Fail> {
    let mut cli = Cli::new("sync", args);
    let mut o = Options {
        timeout_secs: 60,
        ..Options::default()
    };
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("16") | lexopt::Arg::Short('S') => o.sixteen = true,
            lexopt::Arg::Long("lba") | lexopt::Arg::Short('l') => {
                let Some(v) = crate::shared::unit_opts::value(&mut cli, "--lba")? else {
                    return usage();
                };
                o.lba = crate::cli::number("sync", "--lba", &v)?;
            }
            lexopt::Arg::Long("count") | lexopt::Arg::Short('c') => {
                let Some(v) = crate::shared::unit_opts::value(&mut cli, "--count")? else {
                    return usage();
                };
                o.count = crate::cli::number("sync", "--count", &v)?;
                if o.count > u64::from(u32::MAX) {
                    return Err(cli.syntax(format_args!(
                        "--count={}: at most {} blocks",
                        o.count,
                        u32::MAX
                    )));
                }
            }
            lexopt::Arg::Long("group") | lexopt::Arg::Short('g') => {
                let Some(v) = crate::shared::unit_opts::value(&mut cli, "--group")? else {
                    return usage();
                };
                let g = crate::cli::number("sync", "--group", &v)?;
                o.group = cli.in_range("--group", g, 0, 63)? as u8;
            }
            lexopt::Arg::Long("immed") | lexopt::Arg::Short('i') => o.immed = true,
            lexopt::Arg::Long("sync-nv") | lexopt::Arg::Short('s') => o.sync_nv = true,
            lexopt::Arg::Long("timeout") | lexopt::Arg::Short('t') => {
                let Some(v) = crate::shared::unit_opts::value(&mut cli, "--timeout")? else {
                    return usage();
                };
                let t = crate::cli::number("sync", "--timeout", &v)?;
                o.timeout_secs = cli.seconds_from("--timeout", t, 0)?;
            }
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
    crate::shared::unit_opts::usage("sync")?;
    Ok(None)
}

/// The CDB, or the refusal of a COUNT past 65535 that SYNCHRONIZE CACHE (10) cannot
/// carry (sg_sync exits 99 there, after sending nothing). An LBA past 32 bits is cut to
/// its low 32 bits for the (10), as sg_sync does.
fn plan(o: &Options) -> Result<SynchronizeCache, Fail> {
    if !o.sixteen && o.count > 0xffff {
        return Err(out::fail(
            ExitCategory::Other,
            "sync",
            "",
            format_args!(
                "--count={} does not fit SYNCHRONIZE CACHE (10) (at most 65535 blocks): \
                 add --16",
                o.count
            ),
        ));
    }
    Ok(SynchronizeCache {
        lba: if o.sixteen {
            o.lba
        } else {
            o.lba & u64::from(u32::MAX)
        },
        blocks: o.count as u32,
        immed: o.immed,
        sync_nv: o.sync_nv,
        group_number: o.group,
        size: Some(if o.sixteen { Size::Sixteen } else { Size::Ten }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sgmap_core::cdb::ToCdb as _;

    fn cdb(args: &[&str]) -> Result<Vec<u8>, u8> {
        let o = parse(args.iter().map(OsString::from).collect())
            .map_err(|f| f.code)?
            .unwrap();
        let sc = plan(&o).map_err(|f| f.code)?;
        Ok(sc.to_cdb().unwrap().as_bytes().to_vec())
    }

    #[test]
    fn the_cdbs_sg_sync_sends() {
        assert_eq!(cdb(&["d"]), Ok(vec![0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        assert_eq!(
            cdb(&["--lba=0x10", "--count=8", "-i", "-s", "--group=3", "d"]),
            Ok(vec![0x35, 0x06, 0, 0, 0, 0x10, 3, 0, 8, 0])
        );
        assert_eq!(
            cdb(&[
                "-S",
                "-l",
                "0x100000000",
                "-c",
                "0x10000",
                "-g",
                "0x3f",
                "d"
            ]),
            Ok(vec![0x91, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0x3f, 0])
        );
    }

    #[test]
    fn refusals_before_anything_is_sent() {
        assert_eq!(cdb(&["--count=65536", "d"]), Err(99));
        assert_eq!(
            cdb(&["--lba=0x100000001", "d"]),
            Ok(vec![0x35, 0, 0, 0, 0, 1, 0, 0, 0, 0])
        );
        assert_eq!(cdb(&["--count=0x100000000", "--16", "d"]), Err(1));
        assert_eq!(cdb(&["--group=64", "d"]), Err(1));
        assert_eq!(cdb(&["--lba=-1", "d"]), Err(1));
        assert_eq!(cdb(&["d", "e"]), Err(1));
    }
}
