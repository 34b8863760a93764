//! `sgmap dd`'s sg_dd operands, each against the real driver and, where sg_dd has it, beside
//! sg_dd 1.46 in the same guest: `iflag=coe` (the same zeros, lines, counts and status),
//! RECOVERED ERROR (used, counted and reported), `retries=`, `oflag=sparse`, `iflag=00|ff`,
//! `cdbsz=`, `sgio`, `flock`, `excl`, `append`, `nocreat`, `direct`, `dsync`, `nocache`,
//! `dpo`, `fua`, and the refusals of what cannot work (31).

mod cli_common;

use std::fs;
use std::path::Path;

use cli_common::*;

/// The target region of the second device, 2 MiB in.
fn target_seek(env: &Env) -> u64 {
    (2 << 20) / env.ss
}

/// Medium errors on READ of `count` blocks from `start` (first device) while the guards
/// live.
fn medium_errors(
    env: &Env,
    start: u64,
    count: u64,
) -> (SysfsKnob, SysfsKnob, sgmap_tests::FaultInjection<'_>) {
    let sdebug = env.dev.scsi_debug();
    let a = SysfsKnob::set(
        &sdebug_param(sdebug.dir(), "medium_error_start"),
        &start.to_string(),
    );
    let b = SysfsKnob::set(
        &sdebug_param(sdebug.dir(), "medium_error_count"),
        &count.to_string(),
    );
    (a, b, sdebug.inject(0x2, 0))
}

/// The lines of `run`'s stderr that start with one of `prefixes`, or end with one of the
/// count words, in order.
fn lines_of(run: &Run, prefixes: &[&str]) -> Vec<String> {
    run.stderr
        .lines()
        .filter(|l| {
            prefixes.iter().any(|p| l.starts_with(p))
                || [
                    "records in",
                    "records out",
                    "recovered errors",
                    "retries attempted",
                    "unrecovered error(s)",
                    "unrecovered read errors",
                    "bypassed records out",
                ]
                .iter()
                .any(|w| l.ends_with(w))
        })
        .map(str::to_owned)
        .collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn scsi_debug_coe_pieces_a_bad_read_together_as_sg_dd_does() {
    // With fixed sense scsi_debug names the bad LBA in INFORMATION (from 0x1234 on): sg_dd
    // reads around each bad block and zeros it. With descriptor sense it names none: the
    // rest of the transfer is zeros. Either way sgmap must do what sg_dd does.
    let env = Env::get();
    let (sg2, block2) = env.dev.second();
    let (sg2, block2) = (sg2.display().to_string(), block2.display().to_string());
    let bad = if env.blocks() > 0x1234 + 200 {
        0x1234
    } else {
        200
    };
    let (skip, count) = (bad - 40, 96u64);
    let len = (count * env.ss) as usize;
    let source = pattern(len, 701);
    write_block(&env.block, skip * env.ss, &source);
    let seek = target_seek(&env);
    let _bad = medium_errors(&env, bad, 3);
    let ops = [
        format!("if={}", env.sg),
        format!("of={sg2}"),
        format!("bs={}", env.ss),
        format!("skip={skip}"),
        format!("seek={seek}"),
        format!("count={count}"),
        "bpt=16".to_owned(),
        "iflag=coe".to_owned(),
    ];
    let prefixes = [">>", "  Unrecovered error", "\t[", "Medium, hardware"];
    let run = |tool: &str, extra: &[&str]| {
        write_block(&block2, seek * env.ss, &vec![0u8; len]);
        let mut args = strs(&ops);
        args.extend(extra);
        let r = if tool == "sg_dd" {
            sg3("sg_dd", &args)
        } else {
            sgmap(&[&["dd"], &args[..]].concat())
        };
        let target = read_block(&block2, seek * env.ss, len);
        (r, target)
    };
    let (theirs, their_target) = run("sg_dd", &[]);
    assert_eq!(theirs.code, 0, "sg_dd: {theirs:?}");
    assert_ne!(
        their_target, source,
        "sg_dd zeroed nothing: the fault did not fire"
    );
    for qd in ["qd=1", "qd=4"] {
        let (ours, our_target) = run("sgmap", &[qd]);
        assert_eq!(ours.code, theirs.code, "{qd}: {ours:?}\nsg_dd: {theirs:?}");
        assert_eq!(
            lines_of(&ours, &prefixes),
            lines_of(&theirs, &prefixes),
            "{qd}: {ours:?}\nsg_dd: {theirs:?}"
        );
        same(
            &our_target,
            &their_target,
            &format!("{qd}: the target, sgmap vs sg_dd"),
        );
    }
}

#[test]
fn scsi_debug_recovered_errors_are_used_counted_and_reported_as_sg_dd_does() {
    let env = Env::get();
    let count = 64u64;
    let len = (count * env.ss) as usize;
    let source = pattern(len, 702);
    write_block(&env.block, 0, &source);
    let sdebug = env.dev.scsi_debug();
    let ops = |out: &str| {
        vec![
            format!("if={}", env.sg),
            format!("of={out}"),
            format!("bs={}", env.ss),
            format!("count={count}"),
            "bpt=16".to_owned(),
        ]
    };
    // Every READ ends with RECOVERED ERROR (opts=8, every command; scsi_debug moves the
    // data first).
    let prefixes = ["Recovered error", "    lba of last recovered"];
    let (theirs, ours) = {
        let _inject = sdebug.inject(0x8, 1);
        let a = scratch("recovered-sg_dd.bin");
        let b = scratch("recovered-sgmap.bin");
        let theirs = sg3("sg_dd", &strs(&ops(&a.display().to_string())));
        let ours_ops = ops(&b.display().to_string());
        let ours = sgmap(&[&["dd"], &strs(&ours_ops)[..]].concat());
        same(&fs::read(&a).unwrap(), &source, "sg_dd's copy");
        same(&fs::read(&b).unwrap(), &source, "sgmap's copy");
        (theirs, ours)
    };
    assert_eq!(ours.code, 0, "{ours:?}");
    assert_eq!(theirs.code, 0, "{theirs:?}");
    let ours_lines = lines_of(&ours, &prefixes);
    assert!(
        ours_lines.iter().any(|l| l == "4 recovered errors"),
        "{ours:?}"
    );
    assert_eq!(
        ours_lines,
        lines_of(&theirs, &prefixes),
        "sg_dd: {theirs:?}"
    );
}

#[test]
fn scsi_debug_retries_send_a_failed_read_again_as_sg_dd_does() {
    let env = Env::get();
    let _bad = medium_errors(&env, 40, 1);
    let out = |name: &str| scratch(name).display().to_string();
    let ops = |of: String| {
        vec![
            format!("if={}", env.sg),
            format!("of={of}"),
            format!("bs={}", env.ss),
            "count=64".to_owned(),
            "bpt=16".to_owned(),
            "retries=2".to_owned(),
        ]
    };
    let theirs = sg3("sg_dd", &strs(&ops(out("retries-sg_dd.bin"))));
    let ours_ops = ops(out("retries-sgmap.bin"));
    let ours = sgmap(&[&["dd"], &strs(&ours_ops)[..]].concat());
    assert_eq!(
        (ours.code, theirs.code),
        (3, 3),
        "{ours:?}\nsg_dd: {theirs:?}"
    );
    let prefixes = [">>> retrying"];
    let lines = lines_of(&ours, &prefixes);
    assert!(lines.iter().any(|l| l == "2 retries attempted"), "{ours:?}");
    assert_eq!(lines, lines_of(&theirs, &prefixes), "sg_dd: {theirs:?}");
}

#[test]
fn scsi_debug_sparse_skips_zero_transfers_but_the_last_as_sg_dd_does() {
    let env = Env::get();
    let (sg2, block2) = env.dev.second();
    let (sg2, block2) = (sg2.display().to_string(), block2.display().to_string());
    let ss = env.ss as usize;
    // Four transfers of 16 blocks: data, zeros, zeros, zeros (the last is written anyway).
    let mut source = pattern(64 * ss, 703);
    source[16 * ss..].fill(0);
    write_block(&env.block, 0, &source);
    let old = vec![0x5au8; 64 * ss];
    let seek = target_seek(&env);
    let ops = [
        format!("if={}", env.sg),
        format!("of={sg2}"),
        format!("bs={}", env.ss),
        format!("seek={seek}"),
        "count=64".to_owned(),
        "bpt=16".to_owned(),
        "oflag=sparse".to_owned(),
    ];
    let mut results = Vec::new();
    for tool in ["sg_dd", "sgmap"] {
        write_block(&block2, seek * env.ss, &old);
        let run = if tool == "sg_dd" {
            sg3("sg_dd", &strs(&ops))
        } else {
            sgmap(&[&["dd"], &strs(&ops)[..]].concat())
        };
        assert_eq!(run.code, 0, "{run:?}");
        results.push((
            lines_of(&run, &[]),
            read_block(&block2, seek * env.ss, 64 * ss),
        ));
    }
    let (ours, theirs) = (&results[1], &results[0]);
    assert_eq!(ours.0, theirs.0, "the count lines, sgmap vs sg_dd");
    assert!(
        ours.0.iter().any(|l| l == "32 bypassed records out"),
        "{:?}",
        ours.0
    );
    same(&ours.1, &theirs.1, "the target, sgmap vs sg_dd");
    same(&ours.1[..16 * ss], &source[..16 * ss], "the data written");
    same(
        &ours.1[16 * ss..48 * ss],
        &old[16 * ss..48 * ss],
        "skipped: untouched",
    );
    same(
        &ours.1[48 * ss..],
        &source[48 * ss..],
        "the last transfer written",
    );
}

#[test]
fn generated_input_00_and_ff_fills_the_output() {
    let env = Env::get();
    let seek = 5 * (1 << 20) / env.ss;
    for (flag, byte) in [("iflag=ff", 0xffu8), ("iflag=00", 0)] {
        sgmap(&[
            "dd",
            flag,
            &format!("of={}", env.sg),
            &format!("bs={}", env.ss),
            &format!("seek={seek}"),
            "count=40",
            "bpt=16",
        ])
        .status(0);
        let got = read_block(&env.block, seek * env.ss, (40 * env.ss) as usize);
        assert!(got.iter().all(|&b| b == byte), "{flag}");
    }
    let file = scratch("fill.bin").display().to_string();
    // With an input file as well, or no end to copy to: refused, nothing written.
    sgmap(&["dd", "iflag=00", "if=/dev/zero", &format!("of={file}")])
        .status(31)
        .err_has("contradict");
    sgmap(&["dd", "iflag=00", &format!("of={file}")])
        .status(1)
        .err_has("count=");
    assert!(!Path::new(&file).exists());
}

#[test]
fn cdbsz_picks_the_read_and_write_cdb_and_refuses_what_it_cannot_carry() {
    let env = Env::get();
    let src = pattern((48 * env.ss) as usize, 704);
    let seek = 6 * (1 << 20) / env.ss;
    for size in ["6", "10", "12", "16"] {
        let input = scratch_file("cdbsz.bin", &src);
        write_block(&env.block, seek * env.ss, &vec![0u8; src.len()]);
        sgmap(&[
            "dd",
            &format!("if={input}"),
            &format!("of={}", env.sg),
            &format!("bs={}", env.ss),
            &format!("seek={seek}"),
            "bpt=16",
            &format!("cdbsz={size}"),
        ])
        .status(0);
        same(
            &read_block(&env.block, seek * env.ss, src.len()),
            &src,
            &format!("cdbsz={size}"),
        );
    }
    // A 6-byte CDB addresses 21 bits of LBA: refused before any transfer.
    if env.blocks() > 0x20_0000 {
        sgmap(&[
            "dd",
            &format!("if={}", env.sg),
            "of=.",
            &format!("bs={}", env.ss),
            "skip=2097150",
            "count=8",
            "cdbsz=6",
        ])
        .status(31);
    }
    sgmap(&[
        "dd",
        &format!("if={}", env.sg),
        "of=.",
        &format!("bs={}", env.ss),
        "cdbsz=6",
        "oflag=fua",
    ])
    .status(31)
    .err_has("no DPO or FUA");
}

#[test]
fn scsi_debug_cdbsz_and_sgio_show_in_the_failed_command() {
    // The failed READ's name proves the CDB sent; its device proves sgio went through sg.
    let env = Env::get();
    let _bad = medium_errors(&env, 20, 1);
    for (size, name) in [("6", "READ(6)"), ("12", "READ(12)"), ("16", "READ(16)")] {
        sgmap(&[
            "dd",
            &format!("if={}", env.sg),
            "of=.",
            &format!("bs={}", env.ss),
            "count=32",
            "bpt=16",
            &format!("cdbsz={size}"),
        ])
        .status(3)
        .err_has(&format!("{}: {name} at LBA 16", env.sg));
    }
    sgmap(&[
        "dd",
        &format!("if={}", env.block),
        "iflag=sgio",
        "of=.",
        &format!("bs={}", env.ss),
        "count=32",
        "bpt=16",
    ])
    .status(3)
    .err_has(&format!("{}: READ(10) at LBA 16", env.sg));
}

#[test]
fn file_and_device_flags_do_what_they_say() {
    let env = Env::get();
    let ss = env.ss as usize;
    let src = pattern(32 * ss, 705);
    let input = scratch_file("flags-in.bin", &src);
    let seek = 9 * (1 << 20) / env.ss;
    let to_sg = |flags: &[&str]| {
        let mut args = vec![
            "dd".to_owned(),
            format!("if={input}"),
            format!("of={}", env.sg),
            format!("bs={}", env.ss),
            format!("seek={seek}"),
            "bpt=8".to_owned(),
        ];
        args.extend(flags.iter().map(|f| f.to_string()));
        write_block(&env.block, seek * env.ss, &vec![0u8; src.len()]);
        let run = sgmap(&strs(&args));
        let got = read_block(&env.block, seek * env.ss, src.len());
        (run, got)
    };
    for flags in [
        &["oflag=dpo,fua"][..],
        &["iflag=dsync,nocache", "oflag=excl,flock"],
        &["oflag=null", "conv=notrunc", "qd=4"],
    ] {
        let (run, got) = to_sg(flags);
        run.status(0);
        same(&got, &src, &format!("{flags:?}"));
    }
    // excl opens the device once exclusively: qd=4 would open it four times.
    let (run, _) = to_sg(&["oflag=excl", "qd=4"]);
    run.status(31).err_has("exclusive");
    // sg → file with direct, dsync and nocache; append adds to the end.
    write_block(&env.block, seek * env.ss, &src);
    let out = scratch("flags-out.bin").display().to_string();
    let from_sg = |flags: &[&str]| {
        let mut args = vec![
            "dd".to_owned(),
            format!("if={}", env.sg),
            format!("of={out}"),
            format!("bs={}", env.ss),
            format!("skip={seek}"),
            "count=32".to_owned(),
        ];
        args.extend(flags.iter().map(|f| f.to_string()));
        sgmap(&strs(&args))
    };
    from_sg(&["oflag=dsync,nocache", "iflag=dpo,fua"]).status(0);
    same(&fs::read(&out).unwrap(), &src, "oflag=dsync,nocache");
    // O_DIRECT on the block node (the guest's tmpfs takes none): read into an aligned
    // buffer, at aligned offsets.
    let direct = scratch("flags-direct.bin").display().to_string();
    sgmap(&[
        "dd",
        &format!("if={}", env.block),
        "iflag=direct",
        &format!("of={direct}"),
        &format!("bs={}", env.ss),
        &format!("skip={seek}"),
        "count=32",
    ])
    .status(0);
    same(&fs::read(&direct).unwrap(), &src, "iflag=direct");
    from_sg(&["oflag=append"]).status(0);
    same(
        &fs::read(&out).unwrap(),
        &[&src[..], &src[..]].concat(),
        "oflag=append",
    );
    from_sg(&["oflag=append", "seek=1"]).status(31);
    // nocreat: a missing output is an error (ENOENT, 50 + 2), nothing created.
    let missing = scratch("flags-missing.bin").display().to_string();
    sgmap(&[
        "dd",
        &format!("if={}", env.sg),
        &format!("of={missing}"),
        &format!("bs={}", env.ss),
        "count=8",
        "oflag=nocreat",
    ])
    .status(52);
    assert!(!Path::new(&missing).exists());
}

#[test]
fn flock_on_a_locked_file_exits_90_as_sg_dd_does() {
    let env = Env::get();
    let held = fs::File::open(&env.sg).unwrap();
    rustix::fs::flock(&held, rustix::fs::FlockOperation::NonBlockingLockExclusive).unwrap();
    let ops = [
        format!("if={}", env.sg),
        "of=/dev/null".to_owned(),
        format!("bs={}", env.ss),
        "count=8".to_owned(),
        "iflag=flock".to_owned(),
    ];
    let theirs = sg3("sg_dd", &strs(&ops));
    let ours = sgmap(&[&["dd"], &strs(&ops)[..]].concat());
    assert_eq!(
        (ours.code, theirs.code),
        (90, 90),
        "{ours:?}\nsg_dd: {theirs:?}"
    );
    drop(held);
    sgmap(&[&["dd"], &strs(&ops)[..]].concat()).status(0);
}

#[test]
fn scsi_debug_oflag_coe_passes_failed_writes_over_as_sg_dd_does() {
    // A write-protected target: every WRITE fails with DATA PROTECT; with oflag=coe the
    // copy goes on, nothing counts out, and each failure counts as unrecovered.
    let env = Env::get();
    let (sg2, _) = env.dev.second();
    let sg2 = sg2.display().to_string();
    let sdebug = env.dev.scsi_debug();
    let seek = target_seek(&env);
    let ops = [
        format!("if={}", env.sg),
        format!("of={sg2}"),
        format!("bs={}", env.ss),
        format!("seek={seek}"),
        "count=64".to_owned(),
        "bpt=16".to_owned(),
        "oflag=coe".to_owned(),
    ];
    let (theirs, ours, ours_qd4) = {
        let _wp = SysfsKnob::set(&sdebug_param(sdebug.dir(), "wp"), "1");
        let theirs = sg3("sg_dd", &strs(&ops));
        let ours = sgmap(&[&["dd"], &strs(&ops)[..]].concat());
        let ours_qd4 = sgmap(&[&["dd", "qd=4"], &strs(&ops)[..]].concat());
        (theirs, ours, ours_qd4)
    };
    assert_eq!(theirs.code, 0, "sg_dd: {theirs:?}");
    for run in [&ours, &ours_qd4] {
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(
            lines_of(run, &[]),
            lines_of(&theirs, &[]),
            "{run:?}\nsg_dd: {theirs:?}"
        );
        run.err_has("passed over (oflag=coe)");
    }
    assert!(lines_of(&ours, &[])
        .iter()
        .any(|l| l == "4 unrecovered error(s)"));
}

#[test]
fn scsi_debug_coe_limit_stops_after_that_many_bad_reads_in_a_row_as_sg_dd_does() {
    // Three bad blocks in a row with coe_limit=1: with the bad LBA in the sense, the
    // second one exceeds the limit; without it, one stretch of zeros stays within it.
    // Either way, the status, lines and counts are sg_dd's.
    let env = Env::get();
    let bad = if env.blocks() > 0x1234 + 200 {
        0x1234
    } else {
        200
    };
    let (skip, count) = (bad - 40, 96u64);
    write_block(
        &env.block,
        skip * env.ss,
        &pattern((count * env.ss) as usize, 706),
    );
    let _bad = medium_errors(&env, bad, 3);
    let ops = [
        format!("if={}", env.sg),
        "of=/dev/null".to_owned(),
        format!("bs={}", env.ss),
        format!("skip={skip}"),
        format!("count={count}"),
        "bpt=16".to_owned(),
        "iflag=coe".to_owned(),
        "coe_limit=1".to_owned(),
    ];
    let prefixes = [">>", "  Unrecovered error", "\t[", "Medium, hardware"];
    let theirs = sg3("sg_dd", &strs(&ops));
    let ours = sgmap(&[&["dd"], &strs(&ops)[..]].concat());
    // The fault fired: sg_dd itself stopped (3) or zeroed a stretch.
    let expected = if theirs
        .stderr
        .contains("coe_limit on consecutive reads exceeded")
    {
        3
    } else {
        0
    };
    assert_eq!(theirs.code, expected, "sg_dd: {theirs:?}");
    assert!(theirs.stderr.contains("use zeros"), "sg_dd: {theirs:?}");
    assert_eq!(ours.code, theirs.code, "{ours:?}\nsg_dd: {theirs:?}");
    assert_eq!(
        lines_of(&ours, &prefixes),
        lines_of(&theirs, &prefixes),
        "{ours:?}\nsg_dd: {theirs:?}"
    );
}

#[test]
fn generated_random_input_differs_from_run_to_run_and_is_not_zeros() {
    let env = Env::get();
    let seek = 12 * (1 << 20) / env.ss;
    let len = (32 * env.ss) as usize;
    let mut copies = Vec::new();
    for _ in 0..2 {
        sgmap(&[
            "dd",
            "iflag=random",
            &format!("of={}", env.sg),
            &format!("bs={}", env.ss),
            &format!("seek={seek}"),
            "count=32",
        ])
        .status(0);
        copies.push(read_block(&env.block, seek * env.ss, len));
    }
    assert_ne!(copies[0], copies[1], "two runs wrote the same bytes");
    for c in &copies {
        let zeros = c.iter().filter(|&&b| b == 0).count();
        assert!(zeros < len / 64, "{zeros} zero bytes of {len}: not random");
    }
}
