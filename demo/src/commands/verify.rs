//! `sgmap verify`: VERIFY (10) or (16), as `sg_verify` sends it; with BYTCHK the compare
//! data goes to the device through the mapped reserve.

use std::ffi::OsString;

use sgmap_core::cdb::{Size, Verify};
use sgmap_core::sense::Sense;
use sgmap_core::status::ExitCategory;
use sgmap_sys::{Command, Data, Response};

use crate::cli::Cli;
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use crate::shared::dev;

/// sg3_utils' exit status for a MEDIUM ERROR or HARDWARE ERROR whose sense has a valid
/// INFORMATION field (`SG_LIB_CAT_MEDIUM_HARD_WITH_INFO`): sg_verify returns it as is.
const MEDIUM_HARD_WITH_INFO: u8 = 18;

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Options {
    sixteen: bool,
    lba: u64,
    count: u64,
    bpc: u32,
    bpc_given: bool,
    dpo: bool,
    ebytchk: u8,
    group: u8,
    vrprotect: u8,
    ndo: u32,
    input: Option<String>,
    zeros: bool,
    ones: bool,
    quiet: bool,
    json: bool,
    readonly: bool,
    device: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            sixteen: false,
            lba: 0,
            count: 1,
            bpc: 128,
            bpc_given: false,
            dpo: false,
            ebytchk: 0,
            group: 0,
            vrprotect: 0,
            ndo: 0,
            input: None,
            zeros: false,
            ones: false,
            quiet: false,
            json: false,
            readonly: false,
            device: None,
        }
    }
}

/// The commands to send, decided before anything is.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Plan {
    sixteen: bool,
    bytchk: u8,
    /// Blocks per command (COUNT itself with `--ndo`).
    bpc: u32,
    /// Notes for stderr, as sg_verify prints them (the switch to VERIFY (16), an ignored
    /// `--bpc` or `--group`).
    notes: Vec<String>,
}

/// Runs `sgmap verify`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let Some(o) = parse(args)? else {
        return Ok(());
    };
    let p = plan(&o)?;
    for n in &p.notes {
        out::diag("verify", "", format_args!("{n}"));
    }
    let data = compare_data(&o)?;
    let Some(device) = o.device.clone() else {
        return Err(out::syntax("verify", format_args!("DEVICE is required")));
    };
    // sg_verify opens read-write unless --readonly; a file that is no SCSI node fails the
    // first command as ioctl() does there (75).
    let Some(mut d) = crate::shared::unit_opts::open(&device, !o.readonly)? else {
        return Err(Fail::new(ExitCategory::OsError(25)));
    };
    if !data.is_empty() {
        dev::load_reserve(&mut d, &device, "the --ndo compare data", &data)?;
    }
    let vc = if p.sixteen {
        "VERIFY(16)"
    } else {
        "VERIFY(10)"
    };
    let (mut lba, mut left) = (o.lba, o.count);
    let (mut sent, mut verified) = (0u64, 0u64);
    let mut failure: Option<(u64, Response)> = None;
    while left > 0 {
        let num = left.min(u64::from(p.bpc)) as u32;
        let v = Verify {
            lba,
            blocks: num,
            bytchk: p.bytchk,
            dpo: o.dpo,
            vrprotect: o.vrprotect,
            group_number: if p.sixteen { o.group } else { 0 },
            size: Some(if p.sixteen { Size::Sixteen } else { Size::Ten }),
        };
        let cdb = dev::cdb(&v, &device)?;
        crate::shared::unit_opts::verbose_cdb_from(
            2,
            if p.sixteen {
                "verify(16)"
            } else {
                "verify(10)"
            },
            cdb.as_bytes(),
        );
        let dout = if data.is_empty() {
            Data::None
        } else {
            Data::MmapOut(data.len() as u32)
        };
        let resp = d
            .execute(&Command::new(cdb.as_bytes()), dout)
            .map_err(dev::sys_fail)?;
        sent += 1;
        if !dev::sg3_ok(&resp) {
            failure = Some((lba, resp));
            break;
        }
        verified += u64::from(num);
        left -= u64::from(num);
        lba = lba.saturating_add(u64::from(num));
    }
    let status = match &failure {
        Some((at, resp)) => report(&device, vc, *at, resp, o.quiet),
        None => 0,
    };
    if o.json {
        let mut j = Json::object();
        j.str("device", &device)
            .u64("cdb", if p.sixteen { 16 } else { 10 })
            .u64("lba", o.lba)
            .u64("count", o.count)
            .u64("bytchk", u64::from(p.bytchk))
            .u64("data_out_bytes", data.len() as u64)
            .u64("commands", sent)
            .u64("verified_blocks", verified);
        match &failure {
            Some((at, _)) => j.u64("failed_lba", *at),
            None => j.null("failed_lba"),
        };
        dev::error_json(&mut j, "error", failure.as_ref().map(|(_, r)| r), None);
        j.u64("exit_status", u64::from(status));
        out::out_str(&j.finish())?;
    }
    if status == 0 {
        Ok(())
    } else {
        Err(Fail::code(status))
    }
}

/// Reports a failed VERIFY as sg_verify does (its line, then sgmap's decoded sense) and
/// returns the exit status: the category, or 18 for a medium or hardware error with a
/// valid INFORMATION field.
fn report(device: &str, vc: &str, lba: u64, resp: &Response, quiet: bool) -> u8 {
    let category = resp.category();
    let info = Sense::new_checked(resp.sense())
        .ok()
        .and_then(|s| s.information())
        .filter(|i| i.valid);
    let line = match category {
        ExitCategory::IllegalRequest => format!("bad field in {vc} cdb, near lba={lba:#x}"),
        ExitCategory::MediumHard => match info {
            Some(i) if vc == "VERIFY(10)" => format!(
                "{vc} medium or hardware error, reported lba={:#x}",
                i.value as u32
            ),
            Some(i) => format!("{vc} medium or hardware error, reported lba={:#x}", i.value),
            None => format!("{vc} medium or hardware error near lba={lba:#x}"),
        },
        ExitCategory::Miscompare => format!("{vc} MISCOMPARE: started at LBA {lba:#x}"),
        _ => format!("{vc} failed near lba={lba} [{lba:#x}]"),
    };
    // --quiet: no miscompare report, the exit status still says 14.
    if !(quiet && category == ExitCategory::Miscompare) {
        let _ = dev::scsi_fail(device, vc, resp);
        out::diag(device, vc, format_args!("{line}"));
    }
    match (category, info) {
        (ExitCategory::MediumHard, Some(_)) => MEDIUM_HARD_WITH_INFO,
        _ => category.code(),
    }
}

/// The `--ndo` bytes: zeros (`--0`), 0xff (`--ff`), or read from `--in` / stdin.
fn compare_data(o: &Options) -> Result<Vec<u8>, Fail> {
    let ndo = o.ndo as usize;
    if ndo == 0 {
        return Ok(Vec::new());
    }
    if o.zeros || o.ones {
        return Ok(vec![if o.ones { 0xff } else { 0 }; ndo]);
    }
    let data = out::read_input(o.input.as_deref(), u64::from(o.ndo))?;
    if data.len() < ndo {
        let name = o.input.as_deref().filter(|p| *p != "-").unwrap_or("stdin");
        return Err(out::fail(
            ExitCategory::FileError,
            name,
            "read",
            format_args!(
                "--ndo={ndo} asks for {ndo} bytes, the input has {}: nothing was sent",
                data.len()
            ),
        ));
    }
    Ok(data)
}

/// Parses sg_verify's options; `None` after `--help` (printed).
fn parse(args: Vec<OsString>) -> Result<Option<Options>, Fail> {
    let mut cli = Cli::new("verify", args);
    let mut o = Options::default();
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("16") | lexopt::Arg::Short('S') => o.sixteen = true,
            lexopt::Arg::Long("0") | lexopt::Arg::Short('0') => o.zeros = true,
            // sg_verify 1.46's usage lists --ff, but its long options lack it: only -f.
            lexopt::Arg::Short('f') => o.ones = true,
            lexopt::Arg::Long("lba") | lexopt::Arg::Short('l') => {
                o.lba = match num(&mut cli, "--lba")? {
                    Some(n) => n,
                    None => return usage(),
                }
            }
            lexopt::Arg::Long("count") | lexopt::Arg::Short('c') => {
                o.count = match num(&mut cli, "--count")? {
                    Some(n) => n,
                    None => return usage(),
                };
                if o.count > i64::MAX as u64 {
                    return Err(cli.syntax(format_args!("--count={}: too large", o.count)));
                }
            }
            lexopt::Arg::Long("bpc") | lexopt::Arg::Short('b') => {
                let n = match num(&mut cli, "--bpc")? {
                    Some(n) => n,
                    None => return usage(),
                };
                o.bpc = cli.in_range("--bpc", n, 1, i32::MAX as u64)? as u32;
                o.bpc_given = true;
            }
            lexopt::Arg::Long("dpo") | lexopt::Arg::Short('d') => o.dpo = true,
            lexopt::Arg::Long("ebytchk") | lexopt::Arg::Short('E') => {
                let n = match num(&mut cli, "--ebytchk")? {
                    Some(n) => n,
                    None => return usage(),
                };
                o.ebytchk = cli.in_range("--ebytchk", n, 0, 3)? as u8;
            }
            lexopt::Arg::Long("group") | lexopt::Arg::Short('g') => {
                let n = match num(&mut cli, "--group")? {
                    Some(n) => n,
                    None => return usage(),
                };
                o.group = cli.in_range("--group", n, 0, 63)? as u8;
            }
            lexopt::Arg::Long("vrprotect") | lexopt::Arg::Short('P') => {
                let n = match num(&mut cli, "--vrprotect")? {
                    Some(n) => n,
                    None => return usage(),
                };
                o.vrprotect = cli.in_range("--vrprotect", n, 0, 7)? as u8;
            }
            // --nbo and --bytchk=NDO: sg_verify's older spellings of --ndo.
            lexopt::Arg::Long("ndo" | "nbo" | "bytchk")
            | lexopt::Arg::Short('n')
            | lexopt::Arg::Short('B') => {
                let n = match num(&mut cli, "--ndo")? {
                    Some(n) => n,
                    None => return usage(),
                };
                o.ndo = cli.in_range("--ndo", n, 1, i32::MAX as u64)? as u32;
            }
            lexopt::Arg::Long("in") | lexopt::Arg::Short('i') => {
                let Some(v) = crate::shared::unit_opts::value(&mut cli, "--in")? else {
                    return usage();
                };
                o.input = Some(v);
            }
            lexopt::Arg::Long("quiet") | lexopt::Arg::Short('q') => o.quiet = true,
            lexopt::Arg::Long("readonly") | lexopt::Arg::Short('r') => o.readonly = true,
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
    crate::shared::unit_opts::usage("verify")?;
    Ok(None)
}

/// An option's number; `None` when it is missing (the usage, status 0).
fn num(cli: &mut Cli, option: &str) -> Result<Option<u64>, Fail> {
    match crate::shared::unit_opts::value(cli, option)? {
        Some(v) => crate::cli::number("verify", option, &v).map(Some),
        None => Ok(None),
    }
}

/// sg_verify 1.46's rules: BYTCHK from `--ndo` and `--ebytchk`, the contradictions (31),
/// and when VERIFY (16) is needed.
fn plan(o: &Options) -> Result<Plan, Fail> {
    let mut notes = Vec::new();
    let mut bytchk = o.ebytchk;
    let mut bpc = o.bpc;
    if o.ndo > 0 {
        if bytchk == 0 {
            bytchk = 1;
        }
        if o.count > 0x7fff_ffff {
            return Err(out::syntax(
                "verify",
                format_args!("--count={} with --ndo: at most 31 bits", o.count),
            ));
        }
        if o.bpc_given && u64::from(o.bpc) != o.count {
            notes.push(format!(
                "--bpc={} ignored: --ndo verifies --count={} blocks in one command",
                o.bpc, o.count
            ));
        }
        // One command of COUNT blocks against the NDO bytes (sg_verify's help: "Forces
        // --bpc=COUNT").
        bpc = o.count.max(1) as u32;
    } else if bytchk > 0 {
        return Err(out::contradict(
            "verify",
            format_args!("--ebytchk=BCH needs --ndo=NDO (the bytes to compare with)"),
        ));
    }
    if (o.zeros || o.ones) && o.input.is_some() {
        return Err(out::contradict(
            "verify",
            format_args!("--0 or --ff with --in=IF: one source of compare data"),
        ));
    }
    let mut sixteen = o.sixteen;
    if bpc > 0xffff && !sixteen {
        notes.push(format!(
            "{} {bpc} exceeds 65535, so VERIFY(16) is used",
            if o.ndo > 0 { "--count" } else { "--bpc" }
        ));
        sixteen = true;
    }
    let last = o.lba.checked_add(o.count.saturating_sub(1));
    if o.count > 0 && last.is_none_or(|l| l > u64::from(u32::MAX)) && !sixteen {
        notes.push("the LBAs exceed 32 bits, so VERIFY(16) is used".to_owned());
        sixteen = true;
    }
    if o.group > 0 && !sixteen {
        notes.push("--group ignored with VERIFY(10) (as sg_verify): add --16".to_owned());
    }
    Ok(Plan {
        sixteen,
        bytchk,
        bpc,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(args: &[&str]) -> Result<Options, u8> {
        parse(args.iter().map(OsString::from).collect())
            .map_err(|f| f.code)
            .map(Option::unwrap)
    }

    fn planned(args: &[&str]) -> Result<(bool, u8, u32), u8> {
        let p = plan(&options(args)?).map_err(|f| f.code)?;
        Ok((p.sixteen, p.bytchk, p.bpc))
    }

    #[test]
    fn bytchk_and_cdb_size_as_sg_verify_decides() {
        assert_eq!(planned(&["d"]), Ok((false, 0, 128)));
        assert_eq!(
            planned(&["--count=4", "--ndo=2048", "d"]),
            Ok((false, 1, 4))
        );
        assert_eq!(
            planned(&["-c", "4", "-n", "512", "-E", "3", "d"]),
            Ok((false, 3, 4))
        );
        assert_eq!(planned(&["--bpc=70000", "d"]), Ok((true, 0, 70000)));
        assert_eq!(
            planned(&["--count=70000", "--ndo=512", "--bpc=7", "d"]),
            Ok((true, 1, 70000))
        );
        assert_eq!(
            planned(&["--lba=0xffffffff", "--count=2", "d"]),
            Ok((true, 0, 128))
        );
        assert_eq!(
            planned(&["--lba=0xffffffff", "--count=1", "d"]),
            Ok((false, 0, 128))
        );
        assert_eq!(planned(&["--16", "d"]), Ok((true, 0, 128)));
    }

    #[test]
    fn refusals_exit_as_sg_verify() {
        assert_eq!(planned(&["--ebytchk=1", "d"]), Err(31));
        assert_eq!(planned(&["--ndo=512", "--0", "--in=f", "d"]), Err(31));
        assert_eq!(planned(&["--ndo=512", "--count=0x80000000", "d"]), Err(1));
        for bad in [
            &["--ebytchk=4", "d"][..],
            &["--vrprotect=8", "d"],
            &["--group=64", "d"],
            &["--bpc=0", "d"],
            &["--ndo=0", "d"],
            &["--lba=x", "d"],
            &["d", "e"],
        ] {
            assert_eq!(planned(bad), Err(1), "{bad:?}");
        }
    }
}
