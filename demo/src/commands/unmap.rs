//! `sgmap unmap`: UNMAP (SBC-4) of block ranges, as `sg_unmap` 1.46 does it: `--lba=`
//! with `--num=`, `--in=FILE` of LBA,NUM pairs, or `--all=ST,RN[,LA]` (RN blocks per
//! command to LA or the end). The parameter list goes through the mapped reserve.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::time::Duration;

use sgmap_core::cdb::{unmap_parameters, unmap_parameters_len, Unmap};
use sgmap_core::status::ExitCategory;
use sgmap_sys::{Command, Data, Device, Response, Timeout};

use crate::args::parse_num;
use crate::cli::Cli;
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use crate::shared::capacity;
use crate::shared::dev;
use crate::shared::names;
use crate::shared::simple_inquiry;

/// sg_unmap's most block descriptors per command (`MAX_NUM_ADDR`).
pub const MAX_DESCRIPTORS: usize = 128;

/// `--all=ST,RN[,LA]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct All {
    /// First LBA.
    pub start: u64,
    /// Blocks per command.
    pub per_command: u32,
    /// Last LBA, or the device's last (READ CAPACITY) when `None`.
    pub last: Option<u64>,
}

/// The parsed options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub all: Option<All>,
    pub anchor: bool,
    pub dry_run: bool,
    pub force: bool,
    pub group: u8,
    /// The (LBA, blocks) pairs of `--lba`/`--num` or `--in`.
    pub ranges: Vec<(u64, u32)>,
    pub timeout_secs: u32,
    pub json: bool,
    pub device: String,
}

/// Numbers of a `--lba=`/`--num=` list: comma or space separated, sg3_utils' forms.
pub fn parse_list(what: &str, s: &str, max: u64) -> Result<Vec<u64>, String> {
    let mut v = Vec::new();
    for tok in s.split([',', ' ']) {
        let n = parse_num(tok).map_err(|e| format!("{what}={s}: '{tok}': {e}"))?;
        if n > max {
            return Err(format!("{what}={s}: {n} exceeds {max:#x}"));
        }
        v.push(n);
        if v.len() > MAX_DESCRIPTORS {
            return Err(format!("{what}={s}: more than {MAX_DESCRIPTORS} numbers"));
        }
    }
    Ok(v)
}

/// The LBA,NUM pairs of an `--in` file (sg_unmap's format): numbers separated by spaces,
/// tabs or commas, pairs running on across lines, `#` starting a comment; at most 128
/// pairs and 512 lines. Errors name the line.
pub fn parse_pairs(text: &str) -> Result<Vec<(u64, u32)>, String> {
    let mut nums: Vec<u64> = Vec::new();
    for (i, line) in text.lines().take(512).enumerate() {
        let line = line.split('#').next().unwrap_or("");
        for tok in line.split([' ', '\t', ',']).filter(|t| !t.is_empty()) {
            let n = parse_num(tok).map_err(|e| format!("line {}: '{tok}': {e}", i + 1))?;
            if nums.len() % 2 == 1 && n > u64::from(u32::MAX) {
                return Err(format!("line {}: {n} blocks exceeds 32 bits", i + 1));
            }
            nums.push(n);
            if nums.len() > 2 * MAX_DESCRIPTORS {
                return Err(format!("more than {MAX_DESCRIPTORS} LBA,NUM pairs"));
            }
        }
    }
    if nums.len() % 2 == 1 {
        return Err("expect LBA,NUM pairs but decoded an odd number".to_owned());
    }
    Ok(nums.chunks_exact(2).map(|p| (p[0], p[1] as u32)).collect())
}

/// Parses the options, reads `--in`; `None` after `--help`.
pub fn parse(args: Vec<OsString>) -> Result<Option<Options>, Fail> {
    let mut cli = Cli::new("unmap", args);
    let (mut lba, mut num, mut input, mut device) = (None, None, None, None);
    let mut o = Options {
        all: None,
        anchor: false,
        dry_run: false,
        force: false,
        group: 0,
        ranges: Vec::new(),
        timeout_secs: 60,
        json: false,
        device: String::new(),
    };
    while let Some(arg) = cli.next().map_err(|f| dev::getopt_error("unmap", f))? {
        use lexopt::Arg::{Long, Short, Value};
        match arg {
            Long("all") | Short('A') => {
                let v = cli.value("--all")?;
                let parts: Vec<&str> = v.split(',').collect();
                if parts.len() < 2 || parts.len() > 3 {
                    return Err(cli.syntax(format_args!("--all={v}: expects ST,RN[,LA]")));
                }
                let n = |s: &str| parse_num(s).ok();
                let (Some(start), Some(rn)) = (n(parts[0]), n(parts[1])) else {
                    return Err(cli.syntax(format_args!("--all={v}: ST and RN are numbers")));
                };
                let rn = u32::try_from(rn)
                    .map_err(|_| cli.syntax(format_args!("--all={v}: RN exceeds 32 bits")))?;
                let last = match parts.get(2) {
                    Some(s) => Some(
                        n(s).ok_or_else(|| cli.syntax(format_args!("--all={v}: LA is a number")))?,
                    ),
                    None => None,
                };
                o.all = if rn == 0 {
                    out::err_str("warning: --all=ST,RN... being ignored because RN is 0\n");
                    None
                } else {
                    Some(All {
                        start,
                        per_command: rn,
                        // LA 0 is "not given", as in sg_unmap.
                        last: last.filter(|&l| l > 0),
                    })
                };
            }
            Long("anchor") | Short('a') => o.anchor = true,
            Long("dry-run") | Long("dry_run") | Short('d') => o.dry_run = true,
            Long("force") | Short('f') => o.force = true,
            Long("grpnum") | Short('g') => {
                let n = cli.number("--grpnum")?;
                o.group = cli.in_range("--grpnum", n, 0, 63)? as u8;
            }
            Long("in") | Short('I') => input = Some(cli.value("--in")?),
            Long("lba") | Short('l') => lba = Some(cli.value("--lba")?),
            Long("num") | Short('n') => num = Some(cli.value("--num")?),
            Long("timeout") | Short('t') => {
                o.timeout_secs = match cli.seconds("--timeout", 0)? {
                    0 => 60,
                    n => n,
                };
            }
            Long("json") | Short('j') => o.json = cli.json(),
            Long("help") | Short('h') => {
                dev::help_as_tool(&cli)?;
                return Ok(None);
            }
            Short('H') => {
                // In sg_unmap's option string, but not in its switch: its default case.
                out::err_str("unrecognised option code 0x48 ??\n");
                dev::help_as_tool(&cli)?;
                return Err(Fail::new(ExitCategory::Syntax));
            }
            Value(v) if device.is_none() => device = Some(crate::cli::utf8("unmap", "DEVICE", v)?),
            lexopt::Arg::Value(v) => {
                return Err(crate::cli::unexpected("unmap", lexopt::Arg::Value(v)))
            }
            other => {
                let e = other.unexpected();
                return Err(dev::getopt_usage("unmap", format_args!("{e}")));
            }
        }
    }
    let Some(device) = device else {
        return Err(cli.syntax(format_args!("DEVICE is required")));
    };
    o.device = device;
    let contradict = |why: &str| out::contradict("unmap", format_args!("{why}"));
    if o.all.is_some() {
        if lba.is_some() || num.is_some() || input.is_some() {
            return Err(contradict("--all= cannot go with --lba=, --num= or --in="));
        }
    } else if input.is_some() && (lba.is_some() || num.is_some()) {
        return Err(contradict(
            "expect --in= by itself, or both --lba= and --num=",
        ));
    } else if input.is_none() && !(lba.is_some() && num.is_some()) {
        return Err(contradict(if lba.is_some() {
            "since --lba= is given, also need --num="
        } else {
            "expect either both --lba= and --num=, or --in=, or --all="
        }));
    }
    if let Some(a) = o.all {
        if matches!(a.last, Some(l) if a.start > l) {
            return Err(contradict(
                "in --all=ST,RN,LA the start address (ST) exceeds the last address (LA)",
            ));
        }
    }
    if let (Some(l), Some(n)) = (&lba, &num) {
        let lbas = parse_list("--lba", l, u64::MAX).map_err(|e| cli.syntax(format_args!("{e}")))?;
        let nums = parse_list("--num", n, u64::from(u32::MAX))
            .map_err(|e| cli.syntax(format_args!("{e}")))?;
        if lbas.len() != nums.len() {
            return Err(contradict(
                "need the same number of arguments to --lba= and --num=",
            ));
        }
        o.ranges = lbas
            .into_iter()
            .zip(nums.into_iter().map(|n| n as u32))
            .collect();
    }
    if let Some(path) = &input {
        // sg_unmap: a file it cannot read is a bad argument to --in (exit 1).
        let bytes =
            out::read_input(Some(path), 1 << 20).map_err(|_| Fail::new(ExitCategory::Syntax))?;
        let text = String::from_utf8_lossy(&bytes);
        o.ranges = parse_pairs(&text).map_err(|e| cli.syntax(format_args!("--in={path}: {e}")))?;
        if o.ranges.is_empty() {
            return Err(cli.syntax(format_args!("--in={path}: no addresses found")));
        }
    }
    Ok(Some(o))
}

/// The warning and pause of sg_unmap without `--force`: 20 seconds to press control-C.
fn countdown(o: &Options, line: &str, what: &str) -> Result<(), Fail> {
    let say = |s: &str| {
        if o.json {
            out::err_str(s);
            Ok(())
        } else {
            out::out_str(s)
        }
    };
    say(&format!("{} is:  {line}\n", o.device))?;
    std::thread::sleep(Duration::from_secs(3));
    for (first, secs, pause) in [
        ("An UNMAP (a.k.a. trim)", 15, 5),
        ("An UNMAP", 10, 5),
        ("An UNMAP (a.k.a. trim)", 5, 7),
    ] {
        say(&format!(
            "\n{first} will commence in {secs} seconds\n    {what}\n        Press control-C to abort\n"
        ))?;
        std::thread::sleep(Duration::from_secs(pause));
    }
    Ok(())
}

/// Sends one UNMAP with `ranges` through the mapped reserve.
fn send(o: &Options, d: &mut Device, ranges: &[(u64, u32)]) -> Result<Response, Fail> {
    let len = unmap_parameters_len(ranges.len());
    let map = d.mapping_mut().map_err(dev::sys_fail)?;
    let n = unmap_parameters(ranges.iter().copied(), map).map_err(|e| {
        out::fail(
            ExitCategory::Syntax,
            &o.device,
            "UNMAP",
            format_args!("{e}"),
        )
    })?;
    debug_assert_eq!(n, len);
    let cdb = dev::cdb(
        &Unmap {
            anchor: o.anchor,
            group_number: o.group,
            parameter_list_length: n as u16,
        },
        &o.device,
    )?;
    let timeout = Timeout::from_secs(o.timeout_secs).unwrap_or(Timeout::DEFAULT);
    dev::verbose_sent(cdb.as_bytes());
    d.execute(
        &Command::new(cdb.as_bytes()).timeout(timeout),
        Data::MmapOut(n as u32),
    )
    .map_err(dev::sys_fail)
}

/// Opens the device, sends sg_unmap's INQUIRY (always, its identity line for the
/// countdown) and maps a reserve for the largest parameter list.
fn open_mapped(o: &Options, descriptors: usize) -> Result<(Device, String), Fail> {
    let mut d = dev::open(&o.device)?;
    dev::verbose_sent(&[0x12, 0, 0, 0, 36, 0]);
    let (_, simple) = simple_inquiry::inquire(&mut d)?;
    let line = simple
        .map(|s| s.line())
        .unwrap_or_else(|| "      ".to_owned());
    let len = unmap_parameters_len(descriptors) as u32;
    dev::map_reserve(&mut d, &o.device, "the UNMAP parameter list", len, &|_| {
        String::new()
    })?;
    Ok((d, line))
}

/// Runs `sgmap unmap`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let Some(o) = parse(args)? else {
        return Ok(());
    };
    match o.all {
        Some(all) => run_all(&o, all),
        None => run_list(&o),
    }
}

fn json_ranges(j: &mut Json, ranges: &[(u64, u32)]) {
    j.begin_array("descriptors");
    for &(lba, blocks) in ranges {
        j.item_object()
            .u64("lba", lba)
            .u64("blocks", u64::from(blocks))
            .end();
    }
    j.end_array();
}

fn run_list(o: &Options) -> CmdResult {
    let (mut d, line) = open_mapped(o, o.ranges.len())?;
    if o.dry_run {
        out::err_str("Doing dry-run so here is 'LBA, number_of_blocks' list of candidates\n");
        if o.json {
            let mut j = Json::object();
            j.str("device", &o.device).bool("dry_run", true);
            json_ranges(&mut j, &o.ranges);
            j.u64("commands", 0).u64("exit_status", 0);
            return out::out_str(&j.finish());
        }
        let mut s = String::new();
        for (lba, blocks) in &o.ranges {
            // sg_unmap's "0x%u": the count in decimal behind "0x".
            let _ = writeln!(s, "    0x{lba:x}, 0x{blocks}");
        }
        return out::out_str(&s);
    }
    if !o.force {
        countdown(o, &line, "Some data will be LOST")?;
    }
    let resp = send(o, &mut d, &o.ranges)?;
    let code = if resp.is_good() {
        0
    } else {
        let fail = dev::scsi_fail(&o.device, "UNMAP", &resp);
        let why = match resp.category() {
            ExitCategory::NotReady => "UNMAP failed, device not ready".to_owned(),
            ExitCategory::UnitAttention => "UNMAP, unit attention".to_owned(),
            ExitCategory::AbortedCommand => "UNMAP, aborted command".to_owned(),
            ExitCategory::InvalidOpcode => "UNMAP not supported".to_owned(),
            ExitCategory::IllegalRequest => "bad field in UNMAP cdb".to_owned(),
            _ => format!("sg_unmap failed: {}", names::exit_status(fail.code)),
        };
        out::err_fmt(format_args!("{why}\n"));
        fail.code
    };
    if o.json {
        let mut j = Json::object();
        j.str("device", &o.device).bool("dry_run", false);
        json_ranges(&mut j, &o.ranges);
        j.u64("commands", 1);
        dev::error_json(&mut j, "error", (code != 0).then_some(&resp), None);
        j.u64("exit_status", u64::from(code));
        out::out_str(&j.finish())?;
    }
    match code {
        0 => Ok(()),
        c => Err(Fail::code(c)),
    }
}

fn run_all(o: &Options, all: All) -> CmdResult {
    let (mut d, line) = open_mapped(o, 1)?;
    let (last, to_end) = match all.last {
        Some(l) => (l, false),
        None => {
            if let Ok(rc) = dev::cdb(&sgmap_core::cdb::ReadCapacity16::default(), &o.device) {
                dev::verbose_sent(rc.as_bytes());
            }
            let c = capacity::read_capacity_16_or_10(&mut d, &o.device)?;
            if all.start > c.last_lba {
                return Err(out::contradict(
                    "unmap",
                    format_args!(
                        "{}: after READ CAPACITY the last block (0x{:x}) is less than the start \
                         address (0x{:x})",
                        o.device, c.last_lba, all.start
                    ),
                ));
            }
            (c.last_lba, true)
        }
    };
    // sg_unmap counts down before its dry run too.
    if !o.force {
        let range = if to_end {
            format!("LBA 0x{:x} to end of {} (0x{last:x})", all.start, o.device)
        } else {
            format!("LBA 0x{:x} to 0x{last:x} on {}", all.start, o.device)
        };
        countdown(o, &line, &format!("ALL data from {range} will be LOST"))?;
    }
    if o.dry_run {
        out::err_fmt(format_args!(
            "Doing dry-run, would have unmapped from LBA 0x{:x} to 0x{last:x}\n    {} blocks per UNMAP command\n",
            all.start, all.per_command
        ));
        if o.json {
            let mut j = Json::object();
            j.str("device", &o.device)
                .bool("dry_run", true)
                .u64("start", all.start)
                .u64("last", last)
                .u64("blocks_per_command", u64::from(all.per_command))
                .u64("commands", 0)
                .u64("exit_status", 0);
            return out::out_str(&j.finish());
        }
        return Ok(());
    }
    let mut lba = all.start;
    let mut commands = 0u64;
    let mut failed: Option<Response> = None;
    loop {
        let mut bump = if last - lba < u64::from(all.per_command) {
            (last - lba + 1) as u32
        } else {
            all.per_command
        };
        let mut resp = send(o, &mut d, &[(lba, bump)])?;
        commands += 1;
        // sg_unmap: the last command past the end gets one retry, one block shorter.
        if resp.category() == ExitCategory::LbaOutOfRange
            && lba.saturating_add(u64::from(bump)) > last
            && bump > 1
        {
            out::err_str("Typical end of disk out-of-range, decrement count and retry\n");
            bump -= 1;
            resp = send(o, &mut d, &[(lba, bump)])?;
            commands += 1;
            if !resp.is_good() {
                failed = Some(resp);
            }
            break;
        }
        if !resp.is_good() {
            failed = Some(resp);
            break;
        }
        match lba.checked_add(u64::from(bump)) {
            Some(next) if next <= last => lba = next,
            _ => break,
        }
    }
    let code = match &failed {
        Some(resp) => {
            let fail = dev::scsi_fail(&o.device, &format!("UNMAP at LBA 0x{lba:x}"), resp);
            out::err_fmt(format_args!(
                "sg_unmap failed: {}\n",
                names::exit_status(fail.code)
            ));
            fail.code
        }
        None => 0,
    };
    if o.json {
        let mut j = Json::object();
        j.str("device", &o.device)
            .bool("dry_run", false)
            .u64("start", all.start)
            .u64("last", last)
            .u64("blocks_per_command", u64::from(all.per_command))
            .u64("commands", commands);
        dev::error_json(&mut j, "error", failed.as_ref(), Some(lba));
        j.u64("exit_status", u64::from(code));
        out::out_str(&j.finish())?;
    }
    match code {
        0 => Ok(()),
        c => Err(Fail::code(c)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn lists_pair_up() {
        let o = parse(args(&["--lba=0x10,32", "--num=8 1", "-f", "/dev/sg1"]))
            .unwrap()
            .unwrap();
        assert_eq!(o.ranges, [(0x10, 8), (32, 1)]);
        assert!(o.force && o.all.is_none());
        let o = parse(args(&["--all=0x100,256", "-d", "/dev/sg1"]))
            .unwrap()
            .unwrap();
        assert_eq!(
            o.all,
            Some(All {
                start: 0x100,
                per_command: 256,
                last: None
            })
        );
        let o = parse(args(&["--all=1,2,0", "-t", "0", "d"]))
            .unwrap()
            .unwrap();
        assert_eq!((o.all.unwrap().last, o.timeout_secs), (None, 60));
    }

    #[test]
    fn refusals_exit_as_sg_unmap_does() {
        for (bad, code) in [
            (&["d"][..], 31),
            (&["--lba=1", "d"], 31),
            (&["--lba=1,2", "--num=1", "d"], 31),
            (&["--all=1,2", "--lba=1", "--num=1", "d"], 31),
            (&["--all=5,1,4", "d"], 31),
            (&["--all=0,0", "d"], 31),
            (&["--in=x", "--lba=1", "d"], 31),
            (&["--lba=1", "--num=1"], 1),
            (&["--lba=1", "--num=0x100000000", "d"], 1),
            (&["--lba=z", "--num=1", "d"], 1),
            (&["--all=1", "d"], 1),
            (&["--grpnum=64", "--lba=1", "--num=1", "d"], 1),
            (&["--lba=1", "--num=1", "d", "e"], 1),
        ] {
            assert_eq!(parse(args(bad)).unwrap_err().code, code, "{bad:?}");
        }
    }

    #[test]
    fn in_file_pairs_as_sg_unmap_reads_them() {
        assert_eq!(
            parse_pairs("# comment\n  0x10, 8\n\n32\t1 # trailing\n64,\n2\n"),
            Ok(vec![(0x10, 8), (32, 1), (64, 2)])
        );
        assert!(parse_pairs("1 2 3").is_err());
        assert!(parse_pairs("1 0x100000000").is_err());
        assert!(parse_pairs("1 x").is_err());
        let many: String = (0..129).map(|i| format!("{i} 1\n")).collect();
        assert!(parse_pairs(&many).is_err());
        assert_eq!(parse_pairs(""), Ok(vec![]));
    }
}
