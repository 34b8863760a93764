//! `sgmap dd` against the phase's device: copies through the mapped reserve in every
//! direction, each compared byte for byte with the same blocks read through the block node;
//! skip/seek; the refusals before any transfer; a capped reserve; stdin/stdout; the counts,
//! the time line and the JSON; and, on scsi_debug, errors, retries and signals.

mod cli_common;

use std::fs;
use std::thread;
use std::time::Duration;

use cli_common::*;

/// The test region: 1 MiB from LBA 0, in blocks of the device.
fn region(env: &Env) -> (u64, usize) {
    let bytes = (1u64 << 20).min(env.blocks() * env.ss / 2);
    (bytes / env.ss, bytes as usize)
}

/// The final `N+M records in/out` lines (the last of each on stderr).
#[track_caller]
fn records(run: &Run, full: u64, partial: u64) {
    for what in ["in", "out"] {
        let suffix = format!(" records {what}");
        let last = run.stderr.lines().rev().find(|l| l.ends_with(&suffix));
        assert_eq!(
            last,
            Some(format!("{full}+{partial}{suffix}").as_str()),
            "records {what}:\n{run:?}"
        );
    }
}

#[test]
fn dd_file_to_sg_and_sg_to_file_at_qd_1_and_4_match_the_block_node() {
    let env = Env::get();
    let (blocks, bytes) = region(&env);
    let data = pattern(bytes, 21);
    let input = scratch_file("dd-pattern.bin", &data);
    for qd in ["1", "4"] {
        let run = sgmap(&[
            "dd",
            &format!("if={input}"),
            &format!("of={}", env.sg),
            &format!("bs={}", env.ss),
            &format!("qd={qd}"),
        ]);
        run.status(0);
        records(&run, blocks, 0);
        same(
            &read_block(&env.block, 0, bytes),
            &data,
            &format!("file->sg qd={qd}"),
        );

        let out = scratch("dd-out.bin");
        let outs = out.display().to_string();
        let run = sgmap(&[
            "dd",
            &format!("if={}", env.sg),
            &format!("of={outs}"),
            &format!("bs={}", env.ss),
            &format!("count={blocks}"),
            &format!("qd={qd}"),
            "bpt=16",
        ]);
        run.status(0);
        records(&run, blocks, 0);
        same(
            &fs::read(&out).unwrap(),
            &data,
            &format!("sg->file qd={qd}"),
        );
    }
}

#[test]
fn dd_skip_and_seek_move_both_sides() {
    let env = Env::get();
    let (blocks, bytes) = region(&env);
    let data = pattern(bytes, 22);
    let input = scratch_file("dd-skipseek.bin", &data);
    // File blocks 3.. go to device blocks 7..
    let n = blocks - 3;
    sgmap(&[
        "dd",
        &format!("if={input}"),
        &format!("of={}", env.sg),
        &format!("bs={}", env.ss),
        "skip=3",
        "seek=7",
        "qd=2",
    ])
    .status(0);
    let ss = env.ss as usize;
    same(
        &read_block(&env.block, 7 * env.ss, (n as usize) * ss),
        &data[3 * ss..],
        "seek=7 skip=3",
    );
    // And back: device blocks 8.. (file block 4..) to a file at block 2.
    let out = scratch("dd-skipseek-out.bin");
    let outs = out.display().to_string();
    sgmap(&[
        "dd",
        &format!("if={}", env.sg),
        &format!("of={outs}"),
        &format!("bs={}", env.ss),
        "skip=8",
        "seek=2",
        "count=10",
    ])
    .status(0);
    let got = fs::read(&out).unwrap();
    assert_eq!(got.len(), 12 * ss);
    same(
        &got[2 * ss..],
        &data[4 * ss..14 * ss],
        "skip=8 seek=2 count=10",
    );
}

#[test]
fn dd_count_past_the_end_is_refused_with_nothing_written() {
    let env = Env::get();
    let end = env.blocks();
    let ss = env.ss as usize;
    let before = pattern(2 * ss, 23);
    write_block(&env.block, (end - 2) * env.ss, &before);
    let input = scratch_file("dd-end.bin", &pattern(4 * ss, 24));
    let run = sgmap(&[
        "dd",
        &format!("if={input}"),
        &format!("of={}", env.sg),
        &format!("bs={}", env.ss),
        &format!("seek={}", end - 2),
        "count=4",
    ]);
    run.status(22).err_has("past the end");
    same(
        &read_block(&env.block, (end - 2) * env.ss, 2 * ss),
        &before,
        "the last blocks after a refused dd",
    );
    // The input side too, and no output file is created.
    let out = scratch("dd-end-out.bin");
    sgmap(&[
        "dd",
        &format!("if={}", env.sg),
        &format!("of={}", out.display()),
        &format!("bs={}", env.ss),
        &format!("skip={}", end - 1),
        "count=2",
    ])
    .status(22)
    .err_has("past the end");
    assert!(!out.exists(), "{} was created", out.display());
    // Exactly to the end is fine.
    sgmap(&[
        "dd",
        &format!("if={}", env.sg),
        "of=/dev/null",
        &format!("bs={}", env.ss),
        &format!("skip={}", end - 1),
        "count=1",
    ])
    .status(0);
}

#[test]
fn dd_bs_other_than_the_block_size_is_refused_before_any_transfer() {
    let env = Env::get();
    let wrong = if env.ss == 512 { 4096 } else { 512 };
    let run = sgmap(&[
        "dd",
        &format!("if={}", env.sg),
        "of=.",
        &format!("bs={wrong}"),
        "count=1",
    ]);
    run.status(1).err_has(&format!("give bs={}", env.ss));
    assert!(!run.stderr.contains("records in"), "{run:?}");
    let input = scratch_file("dd-bs.bin", &[0u8; 8192]);
    sgmap(&[
        "dd",
        &format!("if={input}"),
        &format!("of={}", env.sg),
        &format!("bs={wrong}"),
    ])
    .status(1);
    if env.ss != 512 {
        // The default bs (512) is checked too.
        sgmap(&["dd", &format!("if={}", env.sg), "of=.", "count=1"]).status(1);
    }
}

#[test]
fn dd_capped_reserve_reduces_bpt_and_still_copies_correctly() {
    let env = Env::get();
    let (blocks, bytes) = region(&env);
    let data = pattern(bytes, 25);
    let input = scratch_file("dd-cap.bin", &data);
    sgmap(&[
        "dd",
        &format!("if={input}"),
        &format!("of={}", env.sg),
        &format!("bs={}", env.ss),
    ])
    .status(0);
    let _cap = cap_reserve(&env.block, 64);
    // bs × bpt = 256 KiB asked; the kernel grants 64 KiB.
    let bpt = (256 * 1024 / env.ss).to_string();
    let out = scratch("dd-cap-out.bin");
    let run = sgmap(&[
        "dd",
        &format!("if={}", env.sg),
        &format!("of={}", out.display()),
        &format!("bs={}", env.ss),
        &format!("bpt={bpt}"),
        &format!("count={blocks}"),
        "qd=2",
        "--json",
    ]);
    run.status(0).err_has("bpt reduced from");
    let json = run.json();
    assert_eq!(json.get("bpt_asked").num(), bpt.parse::<i128>().unwrap());
    assert_eq!(json.get("bpt").num(), i128::from(64 * 1024 / env.ss));
    same(
        &fs::read(&out).unwrap(),
        &data,
        "copy with a capped reserve",
    );
    // file -> sg with the cap as well.
    let data2 = pattern(bytes, 26);
    let input2 = scratch_file("dd-cap2.bin", &data2);
    sgmap(&[
        "dd",
        &format!("if={input2}"),
        &format!("of={}", env.sg),
        &format!("bs={}", env.ss),
        &format!("bpt={bpt}"),
    ])
    .status(0)
    .err_has("bpt reduced from");
    same(
        &read_block(&env.block, 0, bytes),
        &data2,
        "file->sg with a capped reserve",
    );
}

#[test]
fn dd_stdin_to_sg_and_sg_to_stdout() {
    let env = Env::get();
    let (blocks, bytes) = region(&env);
    let data = pattern(bytes, 27);
    let run = sgmap_in(
        &[
            "dd",
            "if=-",
            &format!("of={}", env.sg),
            &format!("bs={}", env.ss),
            "qd=3",
        ],
        Some(&data),
    );
    run.status(0);
    records(&run, blocks, 0);
    same(&read_block(&env.block, 0, bytes), &data, "stdin->sg");
    let run = sgmap(&[
        "dd",
        &format!("if={}", env.sg),
        "of=-",
        &format!("bs={}", env.ss),
        &format!("count={blocks}"),
    ]);
    run.status(0);
    same(&run.stdout, &data, "sg->stdout");
    // A partial last block from a stream is padded with zeros on the device.
    let odd = pattern(env.ss as usize + 100, 28);
    let run = sgmap_in(
        &[
            "dd",
            "if=-",
            &format!("of={}", env.sg),
            &format!("bs={}", env.ss),
        ],
        Some(&odd),
    );
    run.status(0);
    records(&run, 1, 1);
    let back = read_block(&env.block, 0, 2 * env.ss as usize);
    same(&back[..odd.len()], &odd, "partial block data");
    assert!(
        back[odd.len()..].iter().all(|&b| b == 0),
        "padding is not zero"
    );
}

#[test]
fn dd_reports_time_counts_and_json_and_verify_and_sync_pass() {
    let env = Env::get();
    let (blocks, bytes) = region(&env);
    let data = pattern(bytes, 29);
    let input = scratch_file("dd-json.bin", &data);
    let run = sgmap(&[
        "dd",
        &format!("if={input}"),
        &format!("of={}", env.sg),
        &format!("bs={}", env.ss),
        "time=1",
        "sync=1",
        "verify=1",
        "--json",
    ]);
    run.status(0)
        .err_has("time to transfer data: ")
        .err_has(" MB/sec\n");
    let time_line = run
        .stderr
        .lines()
        .position(|l| l.starts_with("time to transfer data"));
    let rec_line = run.stderr.lines().position(|l| l.ends_with("records in"));
    assert!(time_line < rec_line, "the time line comes first:\n{run:?}");
    let json = run.json();
    assert_eq!(json.get("records_in").get("full").num(), i128::from(blocks));
    assert_eq!(
        json.get("records_out").get("full").num(),
        i128::from(blocks)
    );
    assert_eq!(json.get("records_out").get("partial").num(), 0);
    assert_eq!(json.get("bytes").num(), bytes as i128);
    assert!(json.get("verified").bool());
    assert!(json.get("error").is_null());
    assert_eq!(json.get("exit_status").num(), 0);
    assert_eq!(json.get("bs").num(), i128::from(env.ss));
    // sg -> file with verify.
    let out = scratch("dd-verify.bin");
    sgmap(&[
        "dd",
        &format!("if={}", env.sg),
        &format!("of={}", out.display()),
        &format!("bs={}", env.ss),
        &format!("count={blocks}"),
        "verify=1",
        "qd=4",
    ])
    .status(0);
    same(&fs::read(&out).unwrap(), &data, "sg->file verify=1");
    // The whole device to the discard, counted from READ CAPACITY.
    let all = env.blocks();
    let run = sgmap(&[
        "dd",
        &format!("if={}", env.sg),
        "of=.",
        &format!("bs={}", env.ss),
        "qd=4",
    ]);
    run.status(0);
    records(&run, all, 0);
}

#[test]
fn scsi_debug_dd_sg_to_sg_maps_both_sides_at_qd_1_and_4() {
    let env = Env::get();
    let (sg2, block2) = env.dev.second();
    let (sg2, block2) = (sg2.display().to_string(), block2.display().to_string());
    clear_unit_attention(&sg2);
    let (blocks, bytes) = region(&env);
    let data = pattern(bytes, 30);
    write_block(&env.block, 0, &data);
    for (qd, seek) in [("1", 0u64), ("4", 5)] {
        let run = sgmap(&[
            "dd",
            &format!("if={}", env.sg),
            &format!("of={sg2}"),
            &format!("bs={}", env.ss),
            &format!("count={blocks}"),
            &format!("seek={seek}"),
            &format!("qd={qd}"),
            "bpt=8",
        ]);
        run.status(0);
        records(&run, blocks, 0);
        same(
            &read_block(&block2, seek * env.ss, bytes),
            &read_block(&env.block, 0, bytes),
            &format!("sg->sg qd={qd} seek={seek}"),
        );
    }
}

#[test]
fn scsi_debug_dd_medium_error_stops_at_its_lba_with_counts_and_remaining() {
    let env = Env::get();
    let sdebug = env.dev.scsi_debug();
    let bad = 300u64;
    let _start = SysfsKnob::set(
        &sdebug_param(sdebug.dir(), "medium_error_start"),
        &bad.to_string(),
    );
    let _count = SysfsKnob::set(&sdebug_param(sdebug.dir(), "medium_error_count"), "4");
    let _inject = sdebug.inject(0x2, 0);
    let out = scratch("dd-medium.bin");
    let run = sgmap(&[
        "dd",
        &format!("if={}", env.sg),
        &format!("of={}", out.display()),
        &format!("bs={}", env.ss),
        "count=1000",
        "bpt=64",
        "qd=4",
    ]);
    // MEDIUM ERROR: 3 in both sense formats, as sgm_dd and sg_dd exit (sg3_utils 1.46
    // never returns 18, whether the INFORMATION field is valid or not).
    run.status(3)
        .err_has("Unrecovered read error")
        .err_has("READ(10) at LBA 256 (64 blocks)")
        .err_has("  remaining block count=744\n");
    // The transfer at LBA 256 failed: nothing from it or after it was written.
    records(&run, 256, 0);
    assert_eq!(fs::read(&out).unwrap().len() as u64, 256 * env.ss);
}

#[test]
fn scsi_debug_dd_sg_to_sg_with_a_read_error_counts_every_write_that_reached_the_target() {
    let env = Env::get();
    let sdebug = env.dev.scsi_debug();
    let (sg2, block2) = env.dev.second();
    let (sg2, block2) = (sg2.display().to_string(), block2.display().to_string());
    let bad = 300u64;
    let _start = SysfsKnob::set(
        &sdebug_param(sdebug.dir(), "medium_error_start"),
        &bad.to_string(),
    );
    let _count = SysfsKnob::set(&sdebug_param(sdebug.dir(), "medium_error_count"), "4");
    let source = read_block(&env.block, 0, (256 * env.ss) as usize);
    let mut at_target = Vec::new();
    for (qd, sync) in [("1", "0"), ("4", "0"), ("4", "1")] {
        // A target region of the second device, cleared first.
        let seek = 2048 / (env.ss / 512);
        write_block(&block2, seek * env.ss, &vec![0u8; (320 * env.ss) as usize]);
        let before = sgmap_tests::scsi::iorequest_count(std::path::Path::new(&sg2));
        let run = {
            let _inject = sdebug.inject(0x2, 0); // medium errors on READ only
            sgmap(&[
                "dd",
                &format!("if={}", env.sg),
                &format!("of={sg2}"),
                &format!("bs={}", env.ss),
                &format!("seek={seek}"),
                "count=1000",
                "bpt=64",
                &format!("qd={qd}"),
                &format!("sync={sync}"),
            ])
        };
        at_target.push(sgmap_tests::scsi::iorequest_count(std::path::Path::new(&sg2)) - before);
        // The READ at 256 failed; every WRITE before it (in flight at qd=4 when the READ
        // failed) reached the target and counts out, as sgm_dd counts them.
        run.status(3).err_has("READ(10) at LBA 256 (64 blocks)");
        records(&run, 256, 0);
        let target = read_block(&block2, seek * env.ss, (320 * env.ss) as usize);
        same(
            &target[..source.len()],
            &source,
            &format!("qd={qd}: the 256 blocks copied"),
        );
        assert!(
            target[source.len()..].iter().all(|&b| b == 0),
            "qd={qd}: nothing after the failure was written"
        );
    }
    // sync=1 still flushes what was written: one SYNCHRONIZE CACHE more at the target.
    assert_eq!(
        at_target[2],
        at_target[1] + 1,
        "commands at the target: {at_target:?}"
    );
}

#[test]
fn scsi_debug_dd_retries_a_unit_attention_once() {
    let env = Env::get();
    let img = scratch_file("dd-ua-fw.bin", &pattern(4096, 31));
    // WRITE BUFFER mode 5 leaves 06/3f/16 pending for the next command.
    sgmap(&[
        "write-buffer",
        "--mode=dmc_save",
        &format!("--in={img}"),
        &env.sg,
    ])
    .status(0);
    let run = sgmap(&[
        "dd",
        &format!("if={}", env.sg),
        "of=.",
        &format!("bs={}", env.ss),
        "count=64",
    ]);
    run.status(0);
    records(&run, 64, 0);
    sgmap(&["tur", &env.sg]).status(0);
}

#[test]
fn scsi_debug_dd_progress_sigusr1_reports_and_sigint_stops_with_130() {
    let env = Env::get();
    let sdebug = env.dev.scsi_debug();
    // One jiffy per command: a one-block-per-transfer copy of the device takes minutes.
    let _slow = SysfsKnob::set(&sdebug_param(sdebug.dir(), "delay"), "1");
    let child = std::process::Command::new(SGMAP)
        .args([
            "dd",
            &format!("if={}", env.sg),
            "of=.",
            &format!("bs={}", env.ss),
            "bpt=1",
            "--progress",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn sgmap dd");
    let pid = rustix::process::Pid::from_child(&child);
    thread::sleep(Duration::from_millis(1500));
    rustix::process::kill_process(pid, rustix::process::Signal::USR1).expect("SIGUSR1");
    thread::sleep(Duration::from_millis(1500));
    rustix::process::kill_process(pid, rustix::process::Signal::INT).expect("SIGINT");
    let output = child.wait_with_output().expect("wait for dd");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "stderr:\n{stderr}");
    assert!(stderr.contains("Progress report, continuing"), "{stderr}");
    // --progress on a pipe: a line every two seconds, with the percentage and time left.
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("dd: ") && l.contains("% done, about ")),
        "no progress line:\n{stderr}"
    );
    assert!(stderr.contains("  remaining block count="), "{stderr}");
    // The final counts are the last lines (the SIGUSR1 report has indented ones before).
    let rin = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_suffix("+0 records in"))
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("no records in line:\n{stderr}"));
    assert!(rin > 0 && rin < env.blocks(), "records in {rin}:\n{stderr}");
    assert!(stderr.contains(&format!("{rin}+0 records out")), "{stderr}");
}

#[test]
fn count_minus_one_copies_to_the_end_as_sgm_dd_does() {
    let env = Env::get();
    let blocks = env.blocks();
    let out = scratch("dd-count-minus-one.bin");
    let run = sgmap(&[
        "dd",
        &format!("if={}", env.sg),
        &format!("of={}", out.display()),
        &format!("bs={}", env.ss),
        &format!("skip={}", blocks - 8),
        "count=-1",
    ]);
    run.status(0);
    records(&run, 8, 0);
    same(
        &fs::read(&out).unwrap(),
        &read_block(&env.block, (blocks - 8) * env.ss, (8 * env.ss) as usize),
        "the last 8 blocks",
    );
}

#[test]
fn dry_run_plans_probes_and_copies_nothing() {
    let env = Env::get();
    let out = scratch("dd-dry-run.bin");
    let before = sgmap_tests::scsi::iorequest_count(std::path::Path::new(&env.sg));
    let run = sgmap(&[
        "dd",
        &format!("if={}", env.sg),
        &format!("of={}", out.display()),
        &format!("bs={}", env.ss),
        "count=100",
        "bpt=16",
        "--dry-run",
        "--json",
    ]);
    let sent = sgmap_tests::scsi::iorequest_count(std::path::Path::new(&env.sg)) - before;
    run.status(0)
        .err_has("Since --dry-run option given, bypassing copy")
        .err_has("would copy 100 blocks");
    let j = run.json();
    assert!(j.get("dry_run").bool());
    assert_eq!(j.get("transfers").num(), 7);
    assert!(!out.exists(), "no output file is created");
    // Only the READ CAPACITY probe (10, and 16 where needed) reached the device.
    assert!((1..=2).contains(&sent), "{sent} commands:\n{run:?}");
}
