//! Issue 18 for the dd tools (sgm_dd, sg_dd, sgp_dd) and the provisioning tools (sg_format,
//! sg_sanitize, sg_unmap, sg_write_same): every option of each tool's 1.46 usage, run as
//! `sgmap COMMAND`, through a link named for the tool and as the real tool in the same
//! guest, on the same device. Each table is run whole and every case that differs is
//! reported at once.
//!
//! What is compared: the exit status and stdout always; with `-V` the whole stderr (the
//! version line); with `-v` the CDB lines the tool prints (each must be among sgmap's); for
//! the dd tools the report lines on stderr (records, remaining count, the dry-run note, the
//! time line with its numbers masked).
//!
//! No case waits out a countdown: format and sanitize run with `--quick`/`-Q` (or
//! `--dry-run`), unmap with `--force`/`-f` (or `--dry-run`). scsi_debug has neither FORMAT
//! UNIT nor SANITIZE, so there those are the failure paths, `--dry-run` and sg_format's
//! report of the current format.

mod cli_common;

use cli_common::*;

/// This file's region of the disk: 15 MiB in (the 16 MiB store), 256 blocks at most.
const REGION: u64 = 15 << 20;

fn region_lba(env: &Env) -> u64 {
    REGION / env.ss
}

/// What is compared beyond the exit status and stdout.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Also {
    /// The exit status only (sg_format's usage on stdout: sgmap's help is its own text).
    Status,
    /// Nothing more.
    Out,
    /// The whole stderr (`-V`).
    Err,
    /// The tool's `cdb: [..]` lines must be among sgmap's.
    Cdb,
    /// The dd report lines.
    Dd,
}

/// The dd report lines of stderr, the time line's numbers masked.
fn dd_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| is_report_line(l))
        .map(|l| {
            if l.contains("time to transfer") {
                l.chars()
                    .map(|c| if c.is_ascii_digit() { '9' } else { c })
                    .collect::<String>()
                    .replace("99", "9")
                    .replace("99", "9")
                    .replace("99", "9")
            } else {
                l.to_owned()
            }
        })
        .collect()
}

/// A line of the dd tools' reports (not of a usage text that mentions the words).
fn is_report_line(l: &str) -> bool {
    let counted = |rest: &str| {
        let digits = l.len() - rest.len();
        digits > 0 && l[..digits].bytes().all(|b| b.is_ascii_digit() || b == b'+')
    };
    let tail = l.trim_start_matches(|c: char| c.is_ascii_digit() || c == '+');
    (counted(tail)
        && [
            " records in",
            " records out",
            " records verified",
            " bypassed records out",
            " recovered errors",
            " retries attempted",
            " unrecovered error(s)",
            " miscompare error(s)",
        ]
        .contains(&tail))
        || l.starts_with("  remaining block count=")
        || l.starts_with("Some error occurred,")
        || l.starts_with(">>>> Some error occurred")
        || l.starts_with("time to transfer data")
        || l == "Since --dry-run option given, bypassing copy"
        || l == "Due to --dry-run option, bypass copy/read"
}

fn cdb_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains(" cdb: ["))
        .map(|l| l.trim_end().to_owned())
        .collect()
}

/// One case: `command` (a command name or a tool name for `sgmap TOOL`), the tool, the
/// arguments. Returns what differs, if anything.
fn differs(command: &str, tool: &str, args: &[String], also: Also) -> Option<String> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let theirs = sg3(tool, &args);
    let mut sub = vec![command];
    sub.extend_from_slice(&args);
    let mut why = Vec::new();
    // `sgmap TOOL ...` and the link named TOOL take the same path after dispatch (proved
    // for every tool by version_lines_are_the_tools): the big dd tables run the link only.
    let runs = if command == tool && also == Also::Dd {
        vec![as_tool(tool, &args)]
    } else {
        vec![sgmap(&sub), as_tool(tool, &args)]
    };
    for ours in runs {
        if ours.code != theirs.code {
            why.push("exit status");
        }
        if ours.stdout != theirs.stdout && also != Also::Status {
            why.push("stdout");
        }
        match also {
            Also::Out | Also::Status => {}
            Also::Err => {
                if ours.stderr != theirs.stderr {
                    why.push("stderr");
                }
            }
            Also::Cdb => {
                let ours_cdb = cdb_lines(&ours.stderr);
                let theirs_cdb = cdb_lines(&theirs.stderr);
                if theirs_cdb.iter().any(|l| !ours_cdb.contains(l)) {
                    why.push("-v cdb lines");
                }
            }
            Also::Dd => {
                if dd_lines(&ours.stderr) != dd_lines(&theirs.stderr) {
                    why.push("dd report lines");
                }
            }
        }
        if !why.is_empty() {
            return Some(format!(
                "{tool} {:?}: {}\n--- sgmap:\n{ours:?}\n--- {tool}:\n{theirs:?}\n",
                args,
                why.join(", ")
            ));
        }
    }
    None
}

/// Runs every case and panics with every difference.
#[track_caller]
fn all_same(cases: &[(&str, &str, Vec<String>, Also)]) {
    let mut failures = Vec::new();
    for (command, tool, args, also) in cases {
        if let Some(d) = differs(command, tool, args, *also) {
            failures.push(d);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn v(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// `args` with the device last.
fn d(args: &[&str], dev: &str) -> Vec<String> {
    let mut a = v(args);
    a.push(dev.to_owned());
    a
}

// ---------------------------------------------------------------------------------------
// Without a device: versions, help, syntax errors.

#[test]
fn version_lines_are_the_tools() {
    let mut cases = Vec::new();
    for (command, tool) in [
        ("format", "sg_format"),
        ("sanitize", "sg_sanitize"),
        ("unmap", "sg_unmap"),
        ("write-same", "sg_write_same"),
        ("sgm_dd", "sgm_dd"),
        ("sg_dd", "sg_dd"),
        ("sgp_dd", "sgp_dd"),
    ] {
        for flag in ["-V", "--version"] {
            cases.push((command, tool, v(&[flag]), Also::Err));
        }
    }
    // The dd tools' own forms: -V inside a cluster, a prefix of --version.
    for tool in ["sgm_dd", "sg_dd", "sgp_dd"] {
        cases.push((tool, tool, v(&["-dV"]), Also::Err));
        cases.push((tool, tool, v(&["--vers"]), Also::Err));
        cases.push((tool, tool, v(&["-vV"]), Also::Err));
        cases.push((tool, tool, v(&["--verbose", "--version"]), Also::Err));
    }
    all_same(&cases);
}

#[test]
fn help_exits_as_the_tools_do() {
    // The text is sgmap's own; the status, and stdout where the tool prints its usage on
    // stderr (all but sg_format), are the tool's.
    let mut cases = Vec::new();
    for (command, tool) in [
        ("sanitize", "sg_sanitize"),
        ("unmap", "sg_unmap"),
        ("write-same", "sg_write_same"),
        ("sgm_dd", "sgm_dd"),
        ("sg_dd", "sg_dd"),
        ("sgp_dd", "sgp_dd"),
    ] {
        for flag in ["-h", "--help"] {
            cases.push((command, tool, v(&[flag]), Also::Out));
        }
    }
    all_same(&cases);
    for flag in ["-h", "--help"] {
        let theirs = sg3("sg_format", &[flag]);
        for ours in [sgmap(&["format", flag]), as_tool("sg_format", &[flag])] {
            assert_eq!(ours.code, theirs.code, "{ours:?}\n{theirs:?}");
            assert!(!ours.stdout.is_empty(), "{ours:?}");
        }
    }
}

#[test]
fn dd_operand_errors_exit_as_each_tool_does() {
    let mut cases = Vec::new();
    for tool in ["sgm_dd", "sg_dd", "sgp_dd"] {
        for args in [
            &[][..],
            &["bogus=1"],
            &["-q"],
            &["-dq"],
            &["--frobnicate"],
            &["bs=x", "if=/dev/zero", "of=/dev/null", "count=1"],
            &["bpt=x", "if=/dev/zero", "of=/dev/null", "count=1"],
            &["bpt=0", "if=/dev/zero", "of=/dev/null", "count=1"],
            &["count=x", "if=/dev/zero", "of=/dev/null"],
            &["skip=x", "if=/dev/zero", "of=/dev/null", "count=1"],
            &["seek=x", "if=/dev/zero", "of=/dev/null", "count=1"],
            &["ibs=x", "if=/dev/zero", "of=/dev/null", "count=1"],
            &["obs=x", "if=/dev/zero", "of=/dev/null", "count=1"],
            &[
                "bs=512",
                "ibs=1024",
                "if=/dev/zero",
                "of=/dev/null",
                "count=1",
            ],
            &[
                "bs=512",
                "obs=1024",
                "if=/dev/zero",
                "of=/dev/null",
                "count=1",
            ],
            &["if=/dev/zero", "if=/dev/zero", "of=/dev/null", "count=1"],
            &["if=/dev/zero", "of=/dev/null", "of=/dev/null", "count=1"],
            &["iflag=bogus", "if=/dev/zero", "of=/dev/null", "count=1"],
            &["oflag=bogus", "if=/dev/zero", "of=/dev/null", "count=1"],
            &[
                "oflag=append",
                "seek=1",
                "if=/dev/zero",
                "of=/dev/null",
                "count=1",
            ],
            &["iflag=sparse", "if=/dev/zero", "of=/dev/null", "count=1"],
            &["iflag=coe", "if=/dev/zero", "of=/dev/null", "count=1"],
            &["iflag=mmap", "if=/dev/zero", "of=/dev/null", "count=1"],
            &[
                "iflag=mmap",
                "oflag=mmap",
                "if=/dev/zero",
                "of=/dev/null",
                "count=1",
            ],
            &["thr=0", "if=/dev/zero", "of=/dev/null", "count=1"],
            &["thr=2000", "if=/dev/zero", "of=/dev/null", "count=1"],
            &["retries=x", "if=/dev/zero", "of=/dev/null", "count=1"],
            &["coe_limit=x", "if=/dev/zero", "of=/dev/null", "count=1"],
            &["conv=bogus", "if=/dev/zero", "of=/dev/null", "count=1"],
            &["cdl=9", "if=/dev/zero", "of=/dev/null", "count=1"],
            &["time=1,x", "if=/dev/zero", "of=/dev/null", "count=1"],
            &["if=/dev/zero"],
            &["of=/dev/null"],
        ] {
            cases.push((tool, tool, v(args), Also::Dd));
        }
    }
    all_same(&cases);
}

#[test]
fn dd_file_copies_report_as_each_tool_does() {
    let src = scratch_file("conform-dd-src.bin", &pattern(64 * 1024 + 100, 7));
    let mut cases = Vec::new();
    for tool in ["sgm_dd", "sg_dd", "sgp_dd"] {
        let of = scratch(&format!("conform-dd-{tool}.bin"))
            .display()
            .to_string();
        let of_op = format!("of={of}");
        let if_op = format!("if={src}");
        for args in [
            &[if_op.as_str(), "of=/dev/null"][..],
            &[&if_op, "of=.", "bs=512"],
            &[&if_op, "of=/dev/null", "bs=4096", "count=3"],
            &[&if_op, "of=/dev/null", "bs=512", "count=-1"],
            &[&if_op, &of_op, "bs=512", "count=20", "skip=3", "seek=2"],
            &[&if_op, &of_op, "bs=512", "count=8", "bpt=3"],
            &[&if_op, &of_op, "bs=512", "ibs=512", "obs=512", "count=4"],
            &[&if_op, &of_op, "bs=512", "count=4", "oflag=append"],
            &[&if_op, &of_op, "bs=512", "count=4", "iflag=direct,dsync"],
            &[&if_op, &of_op, "bs=512", "count=4", "oflag=dsync,excl"],
            &[
                &if_op,
                &of_op,
                "bs=512",
                "count=4",
                "iflag=null",
                "oflag=null",
            ],
            &[&if_op, &of_op, "bs=512", "count=4", "sync=1"],
            &[&if_op, &of_op, "bs=512", "count=4", "time=1"],
            &[&if_op, &of_op, "bs=512", "count=4", "time=0"],
            &[&if_op, &of_op, "bs=512", "count=4", "verbose=0"],
            &[&if_op, &of_op, "bs=512", "count=4", "dio=0"],
            &[&if_op, &of_op, "bs=512", "count=4", "fua=0"],
            &[&if_op, &of_op, "bs=512", "count=4", "cdbsz=16"],
            &[&if_op, &of_op, "bs=512", "count=4", "coe=0"],
            &[&if_op, &of_op, "bs=512", "count=4", "--dry-run"],
            &[&if_op, &of_op, "bs=512", "count=4", "--dry_run"],
            &[&if_op, &of_op, "bs=512", "count=4", "-d"],
            &[&if_op, &of_op, "bs=512", "count=0"],
            &[&if_op, "of=/dev/null"],
        ] {
            cases.push((tool, tool, v(args), Also::Dd));
        }
    }
    // Each tool's own operands.
    let of = scratch("conform-dd-own.bin").display().to_string();
    let if_op = format!("if={src}");
    let of_op = format!("of={of}");
    for (tool, extra) in [
        ("sgp_dd", &["thr=1"][..]),
        ("sgp_dd", &["thr=8"]),
        ("sgp_dd", &["deb=0"]),
        ("sgp_dd", &["coe=1"]),
        ("sgp_dd", &["iflag=coe"]),
        ("sgp_dd", &["oflag=mmap"]),
        ("sg_dd", &["iflag=coe", "coe_limit=2"]),
        ("sg_dd", &["retries=2"]),
        ("sg_dd", &["conv=notrunc,null,sync"]),
        ("sg_dd", &["conv=nocreat"]),
        ("sg_dd", &["oflag=sparse"]),
        ("sg_dd", &["oflag=nocache,flock"]),
        ("sg_dd", &["odir=0"]),
        ("sg_dd", &["blk_sgio=0"]),
        ("sg_dd", &["cdl=0"]),
        ("sg_dd", &["time=1,30"]),
        ("sg_dd", &["append=0"]),
        ("sg_dd", &["-p"]),
        ("sg_dd", &["--progress"]),
    ] {
        let mut a = v(&[&if_op, &of_op, "bs=512", "count=6"]);
        a.extend(v(extra));
        cases.push((tool, tool, a, Also::Dd));
    }
    for fill in ["iflag=00", "iflag=ff"] {
        let a = v(&[&of_op, "bs=512", "count=6", fill]);
        cases.push(("sg_dd", "sg_dd", a, Also::Dd));
    }
    all_same(&cases);
}

#[test]
fn scsi_debug_dd_device_copies_report_as_each_tool_does() {
    let env = Env::get();
    let bs = format!("bs={}", env.ss);
    let iff = format!("if={}", env.sg);
    let off = format!("of={}", env.sg);
    let skip = format!("skip={}", region_lba(&env));
    let seek = format!("seek={}", region_lba(&env) + 64);
    let file = scratch("conform-dd-dev.bin").display().to_string();
    let of_file = format!("of={file}");
    let mut cases = Vec::new();
    for tool in ["sgm_dd", "sg_dd", "sgp_dd"] {
        for args in [
            &[iff.as_str(), "of=/dev/null", &bs, "count=32"][..],
            &[&iff, "of=/dev/null", &bs, "count=32", &skip],
            &[&iff, &of_file, &bs, "count=16", &skip, "bpt=4"],
            &[&iff, &of_file, &bs, "count=16", "cdbsz=6"],
            &[&iff, &of_file, &bs, "count=16", "cdbsz=12"],
            &[&iff, &of_file, &bs, "count=16", "cdbsz=16"],
            &[&iff, &of_file, &bs, "count=16", "iflag=dpo,fua"],
            &[&iff, &of_file, &bs, "count=16", "fua=2"],
            &[&iff, &of_file, &bs, "count=16", "iflag=excl"],
            &[&iff, &of_file, &bs, "count=16", "dio=1"],
            &[&iff, &off, &bs, "count=16", &skip, &seek],
            &[&iff, &off, &bs, "count=16", &skip, &seek, "oflag=fua,dpo"],
            &[&iff, &off, &bs, "count=16", &skip, &seek, "fua=3"],
            &[&iff, &off, &bs, "count=16", &skip, &seek, "sync=1"],
            &[&iff, &off, &bs, "count=16", &skip, &seek, "--dry-run"],
            &[&iff, "of=/dev/null", &bs, "-d"],
            &[&iff, "of=/dev/null", &bs, "--dry-run", "time=1"],
            &[&iff, "of=/dev/null", &bs, "count=8", "time=1"],
            &[&iff, "of=/dev/null", &bs, "count=8", "-v"],
            &[&iff, "of=/dev/null", &bs, "count=8", "--verbose"],
            &[&iff, "of=/dev/null", &bs, "count=8", "verbose=1"],
        ] {
            cases.push((tool, tool, v(args), Also::Dd));
        }
    }
    // sg_dd --verify: the region compared with itself (VERIFY with BYTCHK=1); a file
    // output is refused.
    let same_seek = format!("seek={}", region_lba(&env));
    for flag in ["--verify", "-x"] {
        let a = v(&[&iff, &off, &bs, "count=16", &skip, &same_seek, flag]);
        cases.push(("sg_dd", "sg_dd", a, Also::Dd));
    }
    let a = v(&[&iff, &of_file, &bs, "count=16", "--verify"]);
    cases.push(("sg_dd", "sg_dd", a, Also::Dd));
    // sgp_dd's threads: sgmap's queue depth.
    for thr in ["thr=1", "thr=4", "thr=16", "thr=32"] {
        let a = v(&[&iff, &off, &bs, "count=64", &skip, &seek, thr]);
        cases.push(("sgp_dd", "sgp_dd", a, Also::Dd));
    }
    all_same(&cases);
}

// ---------------------------------------------------------------------------------------
// sg_unmap

#[test]
fn scsi_debug_unmap_options_are_sg_unmaps() {
    let env = Env::get();
    let lba = region_lba(&env);
    let l = |k: u64| format!("--lba={}", lba + k);
    let in_file = scratch_file(
        "conform-unmap-in.txt",
        format!("{} 2\n{},1 # c\n", lba + 20, lba + 24).as_bytes(),
    );
    let all = format!("--all={},4,{}", lba + 32, lba + 43);
    let all_short = format!("{},8,{}", lba + 48, lba + 63);
    let dev = env.sg.as_str();
    let cases = vec![
        (
            "unmap",
            "sg_unmap",
            d(&["-f", &l(0), "--num=2"], dev),
            Also::Out,
        ),
        (
            "unmap",
            "sg_unmap",
            d(&["--force", &l(2), "--num=1"], dev),
            Also::Out,
        ),
        (
            "unmap",
            "sg_unmap",
            d(&["-f", "-l", &(lba + 3).to_string(), "-n", "1"], dev),
            Also::Out,
        ),
        (
            "unmap",
            "sg_unmap",
            d(&["-f", "--anchor", &l(4), "--num=1"], dev),
            Also::Out,
        ),
        (
            "unmap",
            "sg_unmap",
            d(&["-fa", &l(4), "--num=1"], dev),
            Also::Out,
        ),
        (
            "unmap",
            "sg_unmap",
            d(&["-f", "--grpnum=3", &l(5), "--num=1"], dev),
            Also::Out,
        ),
        (
            "unmap",
            "sg_unmap",
            d(&["-f", "-g", "3", &l(5), "--num=1"], dev),
            Also::Out,
        ),
        (
            "unmap",
            "sg_unmap",
            d(&["-f", "--timeout=30", &l(6), "--num=1"], dev),
            Also::Out,
        ),
        (
            "unmap",
            "sg_unmap",
            d(&["-f", "-t", "30", &l(6), "--num=1"], dev),
            Also::Out,
        ),
        (
            "unmap",
            "sg_unmap",
            d(&["-f", &format!("--in={in_file}")], dev),
            Also::Out,
        ),
        (
            "unmap",
            "sg_unmap",
            d(&["-f", "-I", &in_file], dev),
            Also::Out,
        ),
        ("unmap", "sg_unmap", d(&["-f", &all], dev), Also::Out),
        (
            "unmap",
            "sg_unmap",
            d(&["-f", "-A", &all_short], dev),
            Also::Out,
        ),
        (
            "unmap",
            "sg_unmap",
            d(&["-f", "--dry-run", &l(0), "--num=2"], dev),
            Also::Out,
        ),
        (
            "unmap",
            "sg_unmap",
            d(&["-f", "--dry_run", &all], dev),
            Also::Out,
        ),
        (
            "unmap",
            "sg_unmap",
            d(&["-d", "-f", &l(0), "--num=2"], dev),
            Also::Out,
        ),
        (
            "unmap",
            "sg_unmap",
            d(&["-f", "-v", &l(7), "--num=1"], dev),
            Also::Cdb,
        ),
        (
            "unmap",
            "sg_unmap",
            d(&["-f", "--verbose", &l(7), "--num=1"], dev),
            Also::Cdb,
        ),
        (
            "unmap",
            "sg_unmap",
            d(&["-f", "-vv", &l(7), "--num=1"], dev),
            Also::Cdb,
        ),
        (
            "unmap",
            "sg_unmap",
            d(&["-f", &l(0), "--num=0x100000000"], dev),
            Also::Out,
        ),
        (
            "unmap",
            "sg_unmap",
            d(&["-f", "--grpnum=64", &l(0), "--num=1"], dev),
            Also::Out,
        ),
        ("unmap", "sg_unmap", d(&["-f", "--all=1"], dev), Also::Out),
        ("unmap", "sg_unmap", d(&["-f", "--lba=1"], dev), Also::Out),
        ("unmap", "sg_unmap", d(&["-f", "--bogus"], dev), Also::Out),
        (
            "unmap",
            "sg_unmap",
            v(&["-f", "--lba=1", "--num=1"]),
            Also::Out,
        ),
    ];
    all_same(&cases);
}

// ---------------------------------------------------------------------------------------
// sg_write_same

#[test]
fn scsi_debug_write_same_options_are_sg_write_sames() {
    let env = Env::get();
    let lba = region_lba(&env) + 128;
    let l = |k: u64| format!("--lba={}", lba + k);
    let block = scratch_file("conform-ws-block", &pattern(env.ss as usize, 3));
    let half = format!("--xferlen={}", env.ss);
    let dev = env.sg.as_str();
    let ws = |args: &[&str]| ("write-same", "sg_write_same", d(args, dev), Also::Out);
    let wsv = |args: &[&str]| ("write-same", "sg_write_same", d(args, dev), Also::Cdb);
    let cases = vec![
        ws(&[&l(0), "--num=2"]),
        ws(&["--10", &l(0), "--num=2"]),
        ws(&["-R", &l(0), "--num=2"]),
        ws(&["--16", &l(0), "--num=2"]),
        ws(&["-S", &l(0), "--num=2"]),
        ws(&["--32", &l(0), "--num=2"]),
        ws(&["-T", &l(0), "--num=2"]),
        ws(&["--anchor", &l(0), "--num=2"]),
        ws(&["-a", "-S", &l(0), "--num=2"]),
        ws(&["--ff", &l(2), "--num=2"]),
        ws(&["-f", &l(2), "--num=2"]),
        ws(&["--grpnum=2", &l(2), "--num=1"]),
        ws(&["-g", "2", &l(2), "--num=1"]),
        ws(&[&format!("--in={block}"), &l(4), "--num=2"]),
        ws(&["-i", &block, &l(4), "--num=2"]),
        ws(&["-i", &block, &half, &l(4), "--num=2"]),
        ws(&["-i", &block, "-x", &env.ss.to_string(), &l(4), "--num=2"]),
        ws(&["-l", &(lba + 6).to_string(), "-n", "2"]),
        ws(&["--lbdata", &l(6), "--num=2"]),
        ws(&["-L", &l(6), "--num=2"]),
        ws(&["--pbdata", &l(6), "--num=2"]),
        ws(&["-P", &l(6), "--num=2"]),
        ws(&["--ndob", &l(8), "--num=2"]),
        ws(&["-N", &l(8), "--num=2"]),
        ws(&["--unmap", &l(8), "--num=2"]),
        ws(&["-U", "-R", &l(8), "--num=2"]),
        ws(&["--timeout=30", &l(8), "--num=1"]),
        ws(&["-t", "30", &l(8), "--num=1"]),
        ws(&["--wrprotect=0", &l(8), "--num=1"]),
        ws(&["-w", "1", &l(8), "--num=1"]),
        ws(&["--xferlen=0", &l(8), "--num=1"]),
        wsv(&["-v", &l(10), "--num=1"]),
        wsv(&["--verbose", "-S", &l(10), "--num=1"]),
        wsv(&["-vv", "-T", &l(10), "--num=1"]),
        ws(&[]),
        ws(&["--16", "--32", "--num=1"]),
        ws(&["--grpnum=64", "--num=1"]),
        ws(&["--wrprotect=8", "--num=1"]),
        ws(&["--ndob", "-i", &block, "--num=1"]),
        ws(&["--bogus", "--num=1"]),
        ws(&["--lba=-1", "--num=1"]),
        ("write-same", "sg_write_same", v(&["--num=1"]), Also::Out),
    ];
    all_same(&cases);
}

// ---------------------------------------------------------------------------------------
// sg_format: scsi_debug has no FORMAT UNIT; its report of the current format, --dry-run
// and the failures.

#[test]
fn scsi_debug_format_options_are_sg_formats() {
    let env = Env::get();
    let dev = env.sg.as_str();
    let f = |args: &[&str]| ("format", "sg_format", d(args, dev), Also::Out);
    let fv = |args: &[&str]| ("format", "sg_format", d(args, dev), Also::Cdb);
    let mut cases = vec![
        f(&[]),
        f(&["--long"]),
        f(&["-l"]),
        f(&["--six"]),
        f(&["-6"]),
        f(&["--mode=1"]),
        f(&["-M", "1"]),
        fv(&["-v"]),
        fv(&["--verbose", "--six"]),
        f(&["--format", "--quick", "--dry-run"]),
        f(&["-F", "-Q", "-d"]),
        f(&["-FQ", "--dry_run"]),
        f(&["--format", "--format", "--quick", "--dry-run"]),
        f(&["--format", "--format", "--format", "--quick", "--dry-run"]),
        f(&["--format", "--quick", "--dry-run", "--cmplst=0"]),
        f(&["--format", "--quick", "--dry-run", "-C", "1"]),
        f(&["--format", "--quick", "--dry-run", "--count=100"]),
        f(&["--format", "--quick", "--dry-run", "-c", "100"]),
        f(&["--format", "--quick", "--dry-run", "--dcrt"]),
        f(&["--format", "--quick", "--dry-run", "-D", "-D"]),
        f(&["--format", "--quick", "--dry-run", "--early"]),
        f(&["--format", "--quick", "--dry-run", "-e"]),
        f(&["--format", "--quick", "--dry-run", "--ffmt=1"]),
        f(&["--format", "--quick", "--dry-run", "-t", "2"]),
        f(&["--format", "--quick", "--dry-run", "--fmtpinfo=0"]),
        f(&["--format", "--quick", "--dry-run", "-f", "0"]),
        f(&["--format", "--quick", "--dry-run", "--ip-def"]),
        f(&["--format", "--quick", "--dry-run", "--ip_def"]),
        f(&["--format", "--quick", "--dry-run", "-I"]),
        f(&["--format", "--quick", "--dry-run", "--pfu=0"]),
        f(&["--format", "--quick", "--dry-run", "-P", "0"]),
        f(&["--format", "--quick", "--dry-run", "--pie=0"]),
        f(&["--format", "--quick", "--dry-run", "-q", "0"]),
        f(&["--format", "--quick", "--dry-run", "--pinfo"]),
        f(&["--format", "--quick", "--dry-run", "-p"]),
        f(&["--format", "--quick", "--dry-run", "--rto_req"]),
        f(&["--format", "--quick", "--dry-run", "-R"]),
        f(&["--format", "--quick", "--dry-run", "--poll=1"]),
        f(&["--format", "--quick", "--dry-run", "-x", "0"]),
        f(&["--format", "--quick", "--dry-run", "--security"]),
        f(&["--format", "--quick", "--dry-run", "-S"]),
        f(&["--format", "--quick", "--dry-run", "--size=512"]),
        f(&["--format", "--quick", "--dry-run", "-s", "4096"]),
        f(&["--format", "--quick", "--dry-run", "--timeout=100"]),
        f(&["--format", "--quick", "--dry-run", "-m", "100"]),
        f(&["--format", "--quick", "--dry-run", "--wait"]),
        f(&["--format", "--quick", "--dry-run", "-w"]),
        f(&["--format", "--quick", "--dry-run", "--six"]),
        f(&["--format", "--quick", "--dry-run", "--long"]),
        f(&["--resize", "--count=100", "--dry-run", "--quick"]),
        f(&["-r", "-c", "100", "-d", "-Q"]),
        f(&["--preset=1", "--quick", "--dry-run"]),
        f(&["-E", "1", "--fmtmaxlba", "--quick", "--dry-run"]),
        f(&["-E", "1", "-b", "-Q", "-d"]),
        f(&["--tape=0", "--quick", "--dry-run"]),
        f(&["-T", "0", "--verify", "-Q", "-d"]),
        f(&["-T", "0", "-y", "-Q", "-d"]),
        ("format", "sg_format", d(&["--bogus"], dev), Also::Status),
        f(&["--format", "--fmtpinfo=4"]),
        // sg_format prints its usage on stdout after these: the status is compared.
        (
            "format",
            "sg_format",
            d(&["--format", "--resize", "--count=9"], dev),
            Also::Status,
        ),
        ("format", "sg_format", v(&["--format"]), Also::Status),
    ];
    // A FORMAT UNIT that is sent: scsi_debug refuses it (invalid operation code); QEMU's
    // disk would format, which cli_format does once, undone.
    if env.dev.scsi_debug.is_some() {
        cases.push(f(&["--format", "--quick"]));
    }
    all_same(&cases);
}

// ---------------------------------------------------------------------------------------
// sg_sanitize: scsi_debug has no SANITIZE.

#[test]
fn scsi_debug_sanitize_options_are_sg_sanitizes() {
    let env = Env::get();
    let dev = env.sg.as_str();
    let pat = scratch_file("conform-sanitize-pattern", &pattern(8, 5));
    let pat_op = format!("--pattern={pat}");
    let s = |args: &[&str]| ("sanitize", "sg_sanitize", d(args, dev), Also::Out);
    let sv = |args: &[&str]| ("sanitize", "sg_sanitize", d(args, dev), Also::Cdb);
    let cases = vec![
        s(&["--block", "--quick"]),
        s(&["-B", "-Q"]),
        s(&["-BQ"]),
        s(&["--crypto", "--quick"]),
        s(&["-C", "-Q"]),
        s(&["--fail"]),
        s(&["-F"]),
        s(&["--overwrite", "--zero", "--quick"]),
        s(&["-O", "-z", "-Q"]),
        s(&["-O", "-z", "-z", "-Q"]),
        s(&["-O", &pat_op, "-Q"]),
        s(&["-O", "-p", &pat, "-Q"]),
        s(&["-O", &pat_op, "--ipl=8", "-Q"]),
        s(&["-O", &pat_op, "-i", "8", "-Q"]),
        s(&["-O", &pat_op, "--invert", "-Q"]),
        s(&["-O", &pat_op, "-I", "-Q"]),
        s(&["-O", &pat_op, "--count=3", "-Q"]),
        s(&["-O", &pat_op, "-c", "3", "-Q"]),
        s(&["-O", &pat_op, "--test=1", "-Q"]),
        s(&["-O", &pat_op, "-T", "1", "-Q"]),
        s(&["--block", "--ause", "--quick"]),
        s(&["-B", "-A", "-Q"]),
        s(&["--block", "--znr", "--quick"]),
        s(&["--block", "-Z", "-Q"]),
        s(&["-B", "-Z", "-Q"]),
        s(&["--block", "--early", "--quick"]),
        s(&["-B", "-e", "-Q"]),
        s(&["--block", "--wait", "--quick"]),
        s(&["-B", "-w", "-Q"]),
        s(&["--block", "--desc", "--quick"]),
        s(&["-B", "-d", "-Q"]),
        s(&["--block", "--timeout=30", "--quick"]),
        s(&["-B", "-t", "30", "-Q"]),
        // sg_sanitize polls once, 60 s on, after a dry run without --early or --wait.
        s(&["--block", "--dry-run", "-Q", "-e"]),
        s(&["--block", "--dry_run", "-Q", "-w"]),
        s(&["-B", "-D", "-Q", "-e"]),
        s(&["-O", "-z", "-D", "-Qe"]),
        sv(&["-B", "-Q", "-v"]),
        sv(&["-B", "-Q", "--verbose"]),
        s(&["--bogus"]),
        s(&["--block", "--crypto"]),
        s(&["--quick"]),
        s(&["-B", "--count=0"]),
        s(&["-B", "--test=4"]),
        ("sanitize", "sg_sanitize", v(&["--block"]), Also::Out),
    ];
    all_same(&cases);
}
