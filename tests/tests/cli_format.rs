//! `format`, `sanitize`, `requests` and `tur --progress` beside sg3_utils 1.46's sg_format,
//! sg_sanitize, sg_requests and sg_turs, in the same guest on the same device (issue 13).
//!
//! scsi_debug has neither FORMAT UNIT nor SANITIZE: there both tools must fail with 9
//! (invalid operation code) after the same lines, and the bytes sgmap's `--dry-run` prints
//! must be those sg3_utils' verbose lines show it sending. QEMU's disk accepts FORMAT UNIT
//! and a MODE SELECT of a new block size: there the whole flow runs, and is undone.

mod cli_common;

use std::path::Path;

use cli_common::*;

/// The SCSI midlayer's count of commands sent to the phase's device.
fn sent(env: &Env) -> u64 {
    sgmap_tests::scsi::iorequest_count(Path::new(&env.sg))
}

/// Stdout lines, without sg_format's and sg_sanitize's `LU name:` line: where the device has
/// no NAA or EUI-64 designator (QEMU's disk), sg3_utils 1.46 prints an uninitialized buffer
/// there (`get_lu_name()` returns it unwritten), newlines and all, and sgmap no line. Such a
/// line and what follows it up to the block descriptor lines are left out.
fn lines(run: &Run) -> Vec<String> {
    let mut skipping = false;
    let mut v = Vec::new();
    for l in run.out().lines() {
        if l.starts_with("      LU name: ") && !is_hex_name(l) {
            skipping = true;
            continue;
        }
        if skipping && !l.starts_with("Mode Sense (block descriptor)") {
            continue;
        }
        skipping = false;
        v.push(l.to_owned());
    }
    v
}

/// An `LU name:` of hex digits (NAA, EUI-64): both print it.
fn is_hex_name(line: &str) -> bool {
    let name = line.trim_start_matches("      LU name: ");
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_hexdigit())
}

#[track_caller]
fn same_status_and_lines(ours: &Run, theirs: &Run) {
    assert_eq!(
        ours.code, theirs.code,
        "exit status:\n{ours:?}\nsg3_utils:\n{theirs:?}"
    );
    assert_eq!(
        lines(ours),
        lines(theirs),
        "stdout:\n{ours:?}\nsg3_utils:\n{theirs:?}"
    );
}

/// A line of hex bytes as sg3_utils' `hex2stderr(.., -1)` prints them.
fn is_hex_line(line: &str) -> bool {
    !line.is_empty()
        && line
            .split(' ')
            .filter(|t| !t.is_empty())
            .all(|t| t.len() == 2 && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The verbose block of a command: the line starting with `cdb_prefix`, then its parameter
/// list header and bytes, if any.
fn block(text: &str, cdb_prefix: &str) -> Vec<String> {
    let all: Vec<&str> = text.lines().collect();
    let Some(i) = all.iter().position(|l| l.starts_with(cdb_prefix)) else {
        return Vec::new();
    };
    let mut v = vec![all[i].to_owned()];
    for l in &all[i + 1..] {
        if l.contains("parameter list") || l.contains("Parameter list contents") || is_hex_line(l) {
            v.push((*l).to_owned());
        } else {
            break;
        }
    }
    v
}

#[test]
fn scsi_debug_format_fails_with_invalid_opcode_after_sg_formats_lines() {
    let env = Env::get();
    let before = sent(&env);
    let ours = sgmap(&["format", "--format", "--quick", &env.sg]);
    let ours_sent = sent(&env) - before;
    let theirs = sg3("sg_format", &["--format", "--quick", &env.sg]);
    same_status_and_lines(&ours, &theirs);
    ours.status(9)
        .diagnosed()
        .err_has("FORMAT UNIT: Illegal Request: Invalid command operation code")
        .out_has("Mode Sense (block descriptor) data, prior to changes:");
    // INQUIRY, VPD 00h, 80h, 83h, MODE SENSE (10), FORMAT UNIT: what sg_format sends.
    let before = sent(&env);
    sg3("sg_format", &["--format", "--quick", &env.sg]);
    assert_eq!(ours_sent, sent(&env) - before, "commands sent differ");
}

#[test]
fn sanitize_fails_with_invalid_opcode_as_sg_sanitize_does() {
    // Neither scsi_debug nor QEMU's disk has SANITIZE.
    let env = Env::get();
    for action in ["--block", "--crypto", "--fail"] {
        let ours = sgmap(&["sanitize", action, "--quick", &env.sg]);
        let theirs = sg3("sg_sanitize", &[action, "--quick", &env.sg]);
        same_status_and_lines(&ours, &theirs);
        ours.status(9)
            .err_has("SANITIZE: Illegal Request: Invalid command operation code");
    }
}

#[test]
fn scsi_debug_sanitize_overwrite_fails_with_invalid_opcode_as_sg_sanitize_does() {
    let env = Env::get();
    let pattern = scratch_file("sanitize-pattern", &pattern(16, 7));
    for extra in [
        &["--zero"][..],
        &["--pattern", &pattern, "--count=3", "--invert"],
    ] {
        let mut ours = vec!["sanitize", "--overwrite", "--quick"];
        ours.extend(extra);
        ours.push(&env.sg);
        let mut theirs = vec!["--overwrite", "--quick"];
        theirs.extend(extra);
        theirs.push(&env.sg);
        same_status_and_lines(&sgmap(&ours), &sg3("sg_sanitize", &theirs));
        sgmap(&ours).status(9);
    }
}

#[test]
fn scsi_debug_format_dry_run_prints_the_bytes_sg_format_sends() {
    let env = Env::get();
    for opts in [
        &[][..],
        &["--fmtpinfo=2", "--pfu=1", "--pie=3"],
        &["--fmtpinfo=3", "--pfu=1"],
        &["--dcrt"],
        &["-D", "-D"],
        &["--ip_def"],
        &["--security", "--fmtpinfo=2", "--pie=1"],
        &["--wait"],
        &["--wait", "--cmplst=0"],
        &["--ffmt=1"],
        &["--ffmt=2", "--cmplst=1"],
    ] {
        let mut ours = vec!["format", "--format", "--quick", "--dry-run"];
        ours.extend(opts);
        ours.push(&env.sg);
        let mut theirs = vec!["-vvv", "--format", "--quick"];
        theirs.extend(opts);
        theirs.push(&env.sg);
        let before = sent(&env);
        let ours = sgmap(&ours);
        let dry_sent = sent(&env) - before;
        let theirs = sg3("sg_format", &theirs);
        // sg_format sent FORMAT UNIT, which scsi_debug refused; sgmap's dry run did not.
        assert_eq!(theirs.code, 9, "{theirs:?}");
        ours.status(0);
        let want = block(&theirs.stderr, "    Format unit cdb: [");
        assert!(!want.is_empty(), "no verbose CDB line:\n{theirs:?}");
        assert_eq!(
            block(&ours.stderr, "    Format unit cdb: ["),
            want,
            "{opts:?}\n{ours:?}\n{theirs:?}"
        );
        // INQUIRY, VPD 00h, 80h, 83h and MODE SENSE only: one fewer than sg_format.
        let before = sent(&env);
        sg3("sg_format", &["--format", "--quick", &env.sg]);
        assert_eq!(
            dry_sent + 1,
            sent(&env) - before,
            "{opts:?}: the dry run sent more"
        );
    }
}

#[test]
fn scsi_debug_format_size_dry_run_prints_the_mode_select_sg_format_sends() {
    // scsi_debug refuses the MODE SELECT of page 1 (SP=1, then SP=0): sg_format exits 5
    // there, and nothing changes.
    let env = Env::get();
    let size = if env.ss == 512 {
        "--size=4096"
    } else {
        "--size=512"
    };
    for opts in [&[size][..], &[size, "--count=1000"], &[size, "--six"]] {
        let mut ours = vec!["format", "--format", "--quick", "--dry-run"];
        ours.extend(opts);
        ours.push(&env.sg);
        let mut theirs = vec!["-vvv", "--format", "--quick"];
        theirs.extend(opts);
        theirs.push(&env.sg);
        let ours = sgmap(&ours);
        let theirs = sg3("sg_format", &theirs);
        assert_eq!(theirs.code, 5, "{theirs:?}");
        ours.status(0)
            .err_has("Due to --dry-run option bypass MODE SELECT(");
        let prefix = if opts.contains(&"--six") {
            "    mode select(6) cdb: ["
        } else {
            "    mode select(10) cdb: ["
        };
        let want = block(&theirs.stderr, prefix);
        assert!(want.len() >= 3, "no verbose MODE SELECT:\n{theirs:?}");
        assert_eq!(block(&ours.stderr, prefix), want, "{opts:?}\n{ours:?}");
        // What sgmap does without --dry-run: the same refusal, the same status.
        let mut real = vec!["format", "--format", "--quick"];
        real.extend(opts);
        real.push(&env.sg);
        let mut plain = vec!["--format", "--quick"];
        plain.extend(opts);
        plain.push(&env.sg);
        same_status_and_lines(&sgmap(&real), &sg3("sg_format", &plain));
    }
    // The block size did not change.
    let readcap = sgmap(&["readcap", "--brief", &env.sg]);
    readcap.status(0);
    assert!(
        readcap.out().trim().ends_with(&format!("0x{:x}", env.ss)),
        "{readcap:?}"
    );
}

#[test]
fn scsi_debug_sanitize_dry_run_prints_the_bytes_sg_sanitize_sends() {
    let env = Env::get();
    let pattern = scratch_file("sanitize-dry-pattern", &pattern(20, 3));
    for opts in [
        &["--block"][..],
        &["--block", "--ause", "-Z"],
        &["--crypto", "--wait"],
        &["--crypto", "--early"],
        &["--fail"],
        &["--overwrite", "--zero"],
        &["--overwrite", "-zz", "--count=31", "--test=2"],
        &[
            "--overwrite",
            "--pattern",
            &pattern,
            "--invert",
            "--count=2",
        ],
        &["--overwrite", "--pattern", &pattern, "--ipl=8"],
    ] {
        let mut ours = vec!["sanitize", "--quick", "--dry-run"];
        ours.extend(opts);
        ours.push(&env.sg);
        let mut theirs = vec!["-vvv", "--quick"];
        theirs.extend(opts);
        theirs.push(&env.sg);
        let before = sent(&env);
        let ours = sgmap(&ours);
        let dry_sent = sent(&env) - before;
        let theirs = sg3("sg_sanitize", &theirs);
        assert_eq!(theirs.code, 9, "{theirs:?}");
        ours.status(0)
            .err_has("Due to --dry-run option, bypassing SANITIZE command");
        let want = block(&theirs.stderr, "    Sanitize cdb: [");
        assert!(!want.is_empty(), "no verbose CDB line:\n{theirs:?}");
        assert_eq!(
            block(&ours.stderr, "    Sanitize cdb: ["),
            want,
            "{opts:?}\n{ours:?}"
        );
        // The dry run sent what the real one sends but SANITIZE.
        let mut real = vec!["sanitize", "--quick"];
        real.extend(opts);
        real.push(&env.sg);
        let before = sent(&env);
        sgmap(&real).status(9);
        assert_eq!(dry_sent + 1, sent(&env) - before, "{opts:?}");
    }
}

#[test]
fn refusals_exit_as_sg3_utils_does_and_send_nothing() {
    let env = Env::get();
    let pattern_file = scratch_file("refusal-pattern", &pattern(8, 1));
    let cases: &[(&str, &str, &[&str], i32)] = &[
        (
            "format",
            "sg_format",
            &["--format", "--resize", "--count=9"],
            31,
        ),
        ("format", "sg_format", &["--resize"], 31),
        (
            "format",
            "sg_format",
            &["--resize", "--count=9", "--size=512"],
            31,
        ),
        (
            "format",
            "sg_format",
            &["--ip_def", "--security", "--format"],
            31,
        ),
        ("format", "sg_format", &["--format", "--fmtpinfo=4"], 1),
        ("format", "sg_format", &["--format", "--pfu=8"], 1),
        ("format", "sg_format", &["--format", "--pie=16"], 1),
        ("format", "sg_format", &["--format", "--ffmt=4"], 1),
        ("format", "sg_format", &["--format", "--cmplst=2"], 1),
        ("format", "sg_format", &["--format", "--size=0"], 1),
        ("sanitize", "sg_sanitize", &["--block", "--crypto"], 31),
        ("sanitize", "sg_sanitize", &["--quick"], 31),
        ("sanitize", "sg_sanitize", &["--overwrite"], 31),
        (
            "sanitize",
            "sg_sanitize",
            &["--overwrite", "--zero", "--pattern", &pattern_file],
            31,
        ),
        (
            "sanitize",
            "sg_sanitize",
            &["--overwrite", "--pattern=-"],
            31,
        ),
        ("sanitize", "sg_sanitize", &["--block", "--count=0"], 1),
        ("sanitize", "sg_sanitize", &["--block", "--count=32"], 1),
        ("sanitize", "sg_sanitize", &["--block", "--test=4"], 1),
        ("sanitize", "sg_sanitize", &["--block", "--ipl=0"], 1),
        ("requests", "sg_requests", &["--hex", "--progress"], 31),
        ("requests", "sg_requests", &["--num=0"], 1),
    ];
    for (ours, tool, args, code) in cases {
        let mut a = vec![*ours];
        a.extend(*args);
        a.push(&env.sg);
        let mut t: Vec<&str> = args.to_vec();
        t.push(&env.sg);
        let before = sent(&env);
        let run = sgmap(&a);
        assert_eq!(sent(&env), before, "a refusal sent a command:\n{run:?}");
        run.status(*code).diagnosed();
        let theirs = sg3(tool, &t);
        assert_eq!(theirs.code, *code, "{tool} {args:?}:\n{theirs:?}");
    }
    // sgmap's own refusals (sg3_utils sends these and the device refuses them): a
    // protection interval without protection information; a pattern longer than a block.
    let before = sent(&env);
    sgmap(&["format", "--format", "--quick", "--pie=1", &env.sg])
        .status(31)
        .err_has("--pie");
    assert_eq!(sent(&env), before);
    let big = scratch_file("refusal-big-pattern", &pattern(env.ss as usize + 1, 2));
    sgmap(&[
        "sanitize",
        "--overwrite",
        "--quick",
        "--pattern",
        &big,
        &env.sg,
    ])
    .status(1)
    .err_has("INITIALIZATION PATTERN LENGTH");
}

#[test]
fn requests_prints_what_sg_requests_prints() {
    let env = Env::get();
    for opts in [
        &[][..],
        &["--hex"],
        &["--desc", "--hex"],
        &["--maxlen=18", "--hex"],
        &["--progress"],
        &["--progress", "--num=3"],
        &["--num=3"],
        &["--status"],
    ] {
        let mut ours = vec!["requests"];
        ours.extend(opts);
        ours.push(&env.sg);
        let mut theirs: Vec<&str> = opts.to_vec();
        theirs.push(&env.sg);
        same_status_and_lines(&sgmap(&ours), &sg3("sg_requests", &theirs));
    }
    let raw = sgmap(&["requests", "--raw", &env.sg]);
    raw.status(0);
    assert_eq!(raw.stdout, sg3("sg_requests", &["--raw", &env.sg]).stdout);
    let j = sgmap(&["requests", "--json", "--progress", &env.sg]).json();
    assert_eq!(j.get("exit_status").num(), 0);
    assert_eq!(j.get("commands").num(), 1);
    assert!(j.get("progress").array().is_empty());
}

#[test]
fn tur_progress_prints_what_sg_turs_p_prints() {
    let env = Env::get();
    for opts in [&["-p"][..], &["--progress", "--number=3"]] {
        let mut ours = vec!["tur"];
        ours.extend(opts);
        ours.push(&env.sg);
        let mut theirs: Vec<&str> = opts.to_vec();
        theirs.push(&env.sg);
        same_status_and_lines(&sgmap(&ours), &sg3("sg_turs", &theirs));
    }
    let j = sgmap(&["tur", "--progress", "--json", &env.sg]).json();
    assert_eq!(j.get("exit_status").num(), 0);
    assert!(j.get("progress").array().is_empty());
}

#[test]
fn scsi_debug_a_stopped_unit_polls_and_exits_as_sg_turs_and_sg_requests_do() {
    let env = Env::get();
    sgmap(&["raw", &env.sg, "1b", "00", "00", "00", "00", "00"]).status(0);
    let runs = [
        (
            sgmap(&["tur", "-p", &env.sg]),
            sg3("sg_turs", &["-p", &env.sg]),
        ),
        (
            sgmap(&["tur", "-p", "-n", "2", &env.sg]),
            sg3("sg_turs", &["-p", "-n", "2", &env.sg]),
        ),
        (
            sgmap(&["requests", "-p", &env.sg]),
            sg3("sg_requests", &["-p", &env.sg]),
        ),
        (
            sgmap(&["requests", &env.sg]),
            sg3("sg_requests", &[&env.sg]),
        ),
        (
            sgmap(&["requests", "--status", &env.sg]),
            sg3("sg_requests", &["--status", &env.sg]),
        ),
    ];
    sgmap(&["raw", &env.sg, "1b", "00", "00", "00", "01", "00"]).status(0);
    for (ours, theirs) in &runs {
        same_status_and_lines(ours, theirs);
    }
    // NOT READY without progress: sg_turs -p's status is the command's.
    runs[0].0.status(2);
    runs[4].0.status(2);
}

/// Puts the block size back (MODE SELECT and FORMAT UNIT), whatever the test did.
struct RestoreSize<'a> {
    sg: &'a str,
    size: u64,
}

impl Drop for RestoreSize<'_> {
    fn drop(&mut self) {
        let size = format!("--size={}", self.size);
        let r = sgmap(&["format", "--format", "--quick", "--wait", &size, self.sg]);
        if r.code != 0 && !std::thread::panicking() {
            panic!("could not restore the block size:\n{r:?}");
        }
        clear_unit_attention(self.sg);
    }
}

#[test]
fn format_runs_as_sg_format_on_the_phases_disk() {
    let env = Env::get();
    if env.dev.scsi_debug.is_some() {
        // No FORMAT UNIT there: the refusal, as sg_format.
        same_status_and_lines(
            &sgmap(&["format", "--format", "--quick", "--wait", &env.sg]),
            &sg3("sg_format", &["--format", "--quick", "--wait", &env.sg]),
        );
        return;
    }
    // QEMU's disk: MODE SELECT of a new block size, then FORMAT UNIT (without IMMED), both
    // ways, each compared with sg_format from the same state; the size is put back.
    let _restore = RestoreSize {
        sg: &env.sg,
        size: env.ss,
    };
    let other = if env.ss == 512 { 4096 } else { 512 };
    let (to_other, back) = (format!("--size={other}"), format!("--size={}", env.ss));
    let ours_there = sgmap(&[
        "format", "--format", "--quick", "--wait", &to_other, &env.sg,
    ]);
    let readcap = sgmap(&["readcap", "--brief", &env.sg]);
    let theirs_back = sg3(
        "sg_format",
        &["--format", "--quick", "--wait", &back, &env.sg],
    );
    let theirs_there = sg3(
        "sg_format",
        &["--format", "--quick", "--wait", &to_other, &env.sg],
    );
    let ours_back = sgmap(&["format", "--format", "--quick", "--wait", &back, &env.sg]);
    same_status_and_lines(&ours_there, &theirs_there);
    same_status_and_lines(&ours_back, &theirs_back);
    ours_there
        .status(0)
        .out_has(&format!("  Block size={} [0x{:x}]", env.ss, env.ss));
    ours_back
        .status(0)
        .out_has(&format!("  Block size={other} [0x{other:x}]"));
    readcap.status(0);
    assert!(
        readcap.out().trim().ends_with(&format!("0x{other:x}")),
        "the block size did not change:\n{readcap:?}"
    );
    // Without --format: the capacity, 'No changes made.'
    same_status_and_lines(&sgmap(&["format", &env.sg]), &sg3("sg_format", &[&env.sg]));
    let j = sgmap(&[
        "format", "--format", "--quick", "--early", "--json", &env.sg,
    ])
    .json();
    assert_eq!(j.get("exit_status").num(), 0);
    let cmds = j.get("commands").array();
    assert_eq!(cmds.len(), 1);
    assert_eq!(cmds[0].get("cdb").str(), "04 18 00 00 00 00");
    assert_eq!(cmds[0].get("parameter_list").str(), "00 02 00 00");
    assert!(cmds[0].get("sent").bool());
}

/// A minute of sg_format's and sgmap's own sleeps, the two at once: one phase runs it
/// (QEMU's disk, the one phase device that formats, in the arm64 guest; `ONCE` in
/// guest-init.rs). QEMU's disk completes FORMAT UNIT at once and keeps no state of it, so
/// the two runs see what either would alone.
#[test]
fn format_with_immed_polls_a_minute_later_as_sg_format_does() {
    let env = Env::get();
    // With IMMED: 'Format unit has started', a TEST UNIT READY poll a minute later, then
    // 'FORMAT UNIT Complete'.
    let (ours, theirs) = at_once(
        || sgmap(&["format", "--format", "--quick", &env.sg]),
        || sg3("sg_format", &["--format", "--quick", &env.sg]),
    );
    same_status_and_lines(&ours, &theirs);
    ours.status(0)
        .out_has("\nFormat unit has started\nFORMAT UNIT Complete\n");
}

/// sg_format's and sg_sanitize's 15-second countdowns, the four runs at once: one phase
/// runs it (`ONCE` in guest-init.rs).
#[test]
fn scsi_debug_the_countdown_is_sg_format_and_sg_sanitize_s() {
    // Without --quick: 15 seconds of warning on stdout, then the command (which scsi_debug
    // refuses, so nothing is destroyed, and the runs cannot disturb each other).
    let env = Env::get();
    let timed = |run: &dyn Fn() -> Run| {
        let start = std::time::Instant::now();
        let r = run();
        (r, start.elapsed())
    };
    let ((format, sanitize), (their_format, their_sanitize)) = at_once(
        || {
            at_once(
                || timed(&|| sgmap(&["format", "--format", &env.sg])),
                || timed(&|| sgmap(&["sanitize", "--block", &env.sg])),
            )
        },
        || {
            at_once(
                || sg3("sg_format", &["--format", &env.sg]),
                || sg3("sg_sanitize", &["--block", &env.sg]),
            )
        },
    );
    let (ours, took) = format;
    assert!(took.as_secs() >= 15, "no pause: {ours:?}");
    same_status_and_lines(&ours, &their_format);
    ours.status(9).out_has(&format!(
        "\nA FORMAT UNIT will commence in 15 seconds\n    ALL data on {} will be \
         DESTROYED\n        Press control-C to abort\n",
        env.sg
    ));
    let (ours, took) = sanitize;
    assert!(took.as_secs() >= 15, "no pause: {ours:?}");
    same_status_and_lines(&ours, &their_sanitize);
    ours.status(9)
        .out_has("\nA SANITIZE will commence in 5 seconds\n");
}
