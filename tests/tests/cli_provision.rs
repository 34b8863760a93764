//! `sgmap opcodes`, `unmap` and `write-same` beside sg_opcodes, sg_unmap and sg_write_same
//! 1.46 on the same device (scsi_debug with logical block provisioning: lbpu, lbpws,
//! lbpws10; QEMU's disk): the same exit status and stdout, failures included; what UNMAP
//! and WRITE SAME did to the data, read back through the block node; and that `--dry-run`
//! sends nothing (the midlayer's `iorequest_cnt`).

mod cli_common;

use std::path::Path;

use cli_common::*;
use sgmap_tests::scsi::iorequest_count;

/// This file's region of the disk: 14 MiB in, 264 blocks at most (1 MiB of 4096-byte
/// blocks fits in the 16 MiB store).
const REGION: u64 = 14 << 20;

/// Runs `sgmap CMD OPTS DEVICE` and `TOOL OPTS DEVICE`.
fn both(cmd: &str, tool: &str, opts: &[&str], dev: &str) -> (Run, Run) {
    let mut ours = vec![cmd];
    ours.extend(opts);
    ours.push(dev);
    let mut theirs = opts.to_vec();
    theirs.push(dev);
    (sgmap(&ours), sg3(tool, &theirs))
}

/// The first LBA of this file's region.
fn region_lba(env: &Env) -> u64 {
    REGION / env.ss
}

/// `blocks` blocks of a pattern at `lba`, written through the block node.
fn fill(env: &Env, lba: u64, blocks: u64, seed: u64) -> Vec<u8> {
    let data = pattern((blocks * env.ss) as usize, seed);
    write_block(&env.block, lba * env.ss, &data);
    data
}

fn read(env: &Env, lba: u64, blocks: u64) -> Vec<u8> {
    read_block(&env.block, lba * env.ss, (blocks * env.ss) as usize)
}

/// GET LBA STATUS of `lba` by sg3_utils' sg_get_lba_status: the first descriptor's line.
fn lba_status(env: &Env, lba: u64) -> String {
    let r = sg3("sg_get_lba_status", &[&format!("--lba={lba}"), &env.sg]);
    r.status(0);
    let line = r
        .out()
        .lines()
        .find(|l| l.starts_with("[1] LBA: "))
        .unwrap_or_else(|| panic!("no descriptor:\n{r:?}"))
        .to_owned();
    assert!(line.contains(&format!("LBA: 0x{lba:016x}")), "{line}");
    line
}

/// Whether a GET LBA STATUS line says mapped (sg_get_lba_status: "mapped (or unknown)").
fn is_mapped(line: &str) -> bool {
    line.contains("  mapped") && !line.contains("deallocated")
}

#[test]
fn opcodes_prints_what_sg_opcodes_prints() {
    let env = Env::get();
    let sets: &[&[&str]] = &[
        &[],
        &["-c"],
        &["-u"],
        &["-a"],
        &["-R"],
        &["-R", "-c"],
        &["-M"],
        &["-n", "--pdt=0"],
        &["-H"],
        &["--opcode=0x28"],
        &["--opcode=0x93"],
        &["--opcode=0x9e,0x10"],
        &["--opcode=0x9e", "--sa=0x12"],
        &["--opcode=0x42", "-R"],
        &["--opcode=0x28", "-H"],
        &["--opcode=0xc5"],
        &["-t"],
        &["-t", "-q"],
    ];
    for opts in sets {
        let (ours, theirs) = both("opcodes", "sg_opcodes", opts, &env.sg);
        same_text(&ours, &theirs);
    }
    // --raw: the same bytes.
    let (ours, theirs) = both("opcodes", "sg_opcodes", &["-r"], &env.sg);
    assert_eq!((ours.code, &ours.stdout), (theirs.code, &theirs.stdout));
    // A device without the command (QEMU's disk) refuses it: a failure, as sg_opcodes'.
    let (ours, _) = both("opcodes", "sg_opcodes", &[], &env.sg);
    if env.dev.scsi_debug.is_none() {
        assert_ne!(ours.code, 0, "{ours:?}");
        ours.diagnosed();
    }
}

#[test]
fn opcodes_enumerate_names_as_sg_opcodes_does_without_a_device() {
    for opts in [
        &["-e", "--opcode=0x93"][..],
        &["-e", "--opcode=0x7f", "--sa=0xd"],
        &["-e", "--opcode=0x9e", "--sa=0x12"],
        &["-e", "--opcode=0x08", "--pdt=3"],
        &["-e", "--opcode=0x5e", "--sa=1"],
        &["-e", "--opcode=0xc0"],
        &["-e", "--opcode=0x60"],
    ] {
        let mut ours = vec!["opcodes"];
        ours.extend(opts);
        same_text(&sgmap(&ours), &sg3("sg_opcodes", opts));
    }
}

#[test]
fn scsi_debug_opcodes_lists_unmap_write_same_and_get_lba_status() {
    let env = Env::get();
    let _ = env.dev.scsi_debug();
    let r = sgmap(&["opcodes", &env.sg]);
    r.status(0);
    for name in [
        "Unmap",
        "Write same(10)",
        "Write same(16)",
        "Get LBA status(16)",
    ] {
        assert!(
            r.out().lines().any(|l| l.ends_with(&format!("    {name}"))),
            "no {name}:\n{r:?}"
        );
    }
    let j = sgmap(&["opcodes", "--json", &env.sg]).status(0).json();
    let list = j.get("all_command_descriptor").array();
    assert!(list
        .iter()
        .any(|d| d.get("operation_code").num() == 0x42 && d.get("name").str() == "Unmap"));
    assert_eq!(j.get("exit_status").num(), 0);
    // --mask sends one more command per listed one, and prints each one's usage data.
    let (ours, theirs) = both("opcodes", "sg_opcodes", &["-m"], &env.sg);
    same_text(&ours, &theirs);
    assert!(ours.out().contains("cdb usage: 42 "), "{ours:?}");
}

#[test]
fn scsi_debug_unmap_deallocates_and_the_blocks_read_back_as_zeros() {
    let env = Env::get();
    let _ = env.dev.scsi_debug();
    let lba = region_lba(&env);
    let before = fill(&env, lba, 16, 1);
    assert!(
        is_mapped(&lba_status(&env, lba + 4)),
        "written blocks are mapped"
    );
    sgmap(&[
        "unmap",
        "--force",
        &format!("--lba={},{}", lba + 4, lba + 12),
        "--num=4,2",
        &env.sg,
    ])
    .status(0);
    let after = read(&env, lba, 16);
    let ss = env.ss as usize;
    for b in 0..16 {
        let range = b * ss..(b + 1) * ss;
        let unmapped = (4..8).contains(&b) || (12..14).contains(&b);
        if unmapped {
            assert!(after[range].iter().all(|&x| x == 0), "block {b} not zeroed");
        } else {
            same(&after[range.clone()], &before[range], &format!("block {b}"));
        }
    }
    assert!(lba_status(&env, lba + 4).contains("deallocated"));
    assert!(lba_status(&env, lba + 12).contains("deallocated"));
    // sg_unmap on the same kind of range does the same, with the same (empty) stdout.
    let before = fill(&env, lba + 32, 4, 2);
    let (ours, theirs) = (
        sgmap(&[
            "unmap",
            "-f",
            &format!("--lba={}", lba + 32),
            "--num=2",
            &env.sg,
        ]),
        sg3(
            "sg_unmap",
            &["-f", &format!("--lba={}", lba + 34), "--num=2", &env.sg],
        ),
    );
    same_text(&ours, &theirs);
    assert!(read(&env, lba + 32, 4).iter().all(|&x| x == 0));
    assert_ne!(before, vec![0; before.len()]);
}

#[test]
fn scsi_debug_unmap_all_covers_the_span_in_commands_of_rn_blocks() {
    let env = Env::get();
    let _ = env.dev.scsi_debug();
    let lba = region_lba(&env) + 64;
    let before = fill(&env, lba, 24, 3);
    let r = sgmap(&[
        "unmap",
        "-f",
        "--json",
        &format!("--all={},3,{}", lba + 2, lba + 11),
        &env.sg,
    ]);
    let j = r.status(0).json();
    assert_eq!(j.get("commands").num(), 4, "10 blocks, 3 per command");
    let after = read(&env, lba, 24);
    let ss = env.ss as usize;
    assert!(after[2 * ss..12 * ss].iter().all(|&x| x == 0));
    same(&after[..2 * ss], &before[..2 * ss], "before the span");
    same(&after[12 * ss..], &before[12 * ss..], "after the span");
}

#[test]
fn unmap_exit_statuses_are_sg_unmaps() {
    let env = Env::get();
    let lba = region_lba(&env) + 96;
    let end = env.blocks();
    let cases: Vec<Vec<String>> = vec![
        vec!["-f".into(), format!("--lba={lba}"), "--num=1".into()],
        vec!["-f".into(), format!("--lba={end}"), "--num=1".into()],
        vec!["-f".into(), format!("--lba={}", end - 1), "--num=2".into()],
        vec![
            "-f".into(),
            "-a".into(),
            format!("--lba={lba}"),
            "--num=1".into(),
        ],
        vec!["-f".into(), format!("--all={},4,{}", end - 2, end + 3)],
    ];
    for case in &cases {
        let opts: Vec<&str> = case.iter().map(String::as_str).collect();
        let (ours, theirs) = both("unmap", "sg_unmap", &opts, &env.sg);
        same_text(&ours, &theirs);
    }
    // Past the end: LBA OUT OF RANGE on every device.
    let opts = [
        "-f".to_owned(),
        format!("--lba={end}"),
        "--num=1".to_owned(),
    ];
    let opts: Vec<&str> = opts.iter().map(String::as_str).collect();
    let (ours, _) = both("unmap", "sg_unmap", &opts, &env.sg);
    ours.status(22).diagnosed();
    // Refusals before anything is sent, with sg_unmap's statuses.
    for opts in [
        &["--lba=1"][..],
        &["--lba=1,2", "--num=1"],
        &["--all=5,1,4"],
        &["--in=/nonexistent", "--lba=1"],
        &["-f", "--in=/nonexistent"],
    ] {
        let (ours, theirs) = both("unmap", "sg_unmap", opts, &env.sg);
        assert_eq!(ours.code, theirs.code, "{ours:?}\n{theirs:?}");
    }
}

#[test]
fn unmap_dry_run_sends_nothing_and_lists_what_sg_unmap_lists() {
    let env = Env::get();
    let lba = region_lba(&env) + 112;
    let before = fill(&env, lba, 8, 4);
    let count = iorequest_count(Path::new(&env.sg));
    let list = ["-d", "-f", &format!("--lba={lba},{}", lba + 4), "--num=2,3"];
    let ours = sgmap(&[&["unmap"][..], &list, &[env.sg.as_str()]].concat());
    let all = ["-d", "-f", &format!("--all={lba},2,{}", lba + 7)];
    let ours_all = sgmap(&[&["unmap"][..], &all, &[env.sg.as_str()]].concat());
    let ours_dry_unforced = sgmap(&["unmap", "-d", "--in=-", &env.sg]);
    // As sg_unmap: its INQUIRY, then nothing (two dry runs reached the device).
    assert_eq!(
        iorequest_count(Path::new(&env.sg)),
        count + 2,
        "--dry-run sent more than sg_unmap's INQUIRY"
    );
    same(&read(&env, lba, 8), &before, "data after --dry-run");
    let theirs = sg3("sg_unmap", &[&list[..], &[env.sg.as_str()]].concat());
    same_text(&ours, &theirs);
    ours.err_has("Doing dry-run");
    assert_eq!(
        ours.out(),
        format!("    0x{lba:x}, 0x2\n    0x{:x}, 0x3\n", lba + 4)
    );
    ours_all.status(0).err_has(&format!(
        "would have unmapped from LBA 0x{lba:x} to 0x{:x}",
        lba + 7
    ));
    let theirs_all = sg3("sg_unmap", &[&all[..], &[env.sg.as_str()]].concat());
    same_text(&ours_all, &theirs_all);
    // --in=- with nothing on stdin: no addresses, a syntax error.
    ours_dry_unforced.status(1);
}

#[test]
fn unmap_in_file_is_read_as_sg_unmap_reads_it() {
    let env = Env::get();
    let lba = region_lba(&env) + 128;
    let file = scratch_file(
        "unmap-in.txt",
        format!("# ranges\n{lba},1\n0x{:x} 2  # two\n", lba + 2).as_bytes(),
    );
    let (ours, theirs) = both(
        "unmap",
        "sg_unmap",
        &["-d", "-f", &format!("--in={file}")],
        &env.sg,
    );
    same_text(&ours, &theirs);
    ours.status(0);
    assert_eq!(ours.out().lines().count(), 2, "{ours:?}");
}

/// One block of a pattern in a scratch file.
fn block_file(env: &Env, name: &str, seed: u64) -> (String, Vec<u8>) {
    let block = pattern(env.ss as usize, seed);
    (scratch_file(name, &block), block)
}

#[test]
fn write_same_writes_the_block_over_the_range_and_nothing_else() {
    let env = Env::get();
    let ss = env.ss as usize;
    for (k, size) in ["--10", "--16"].into_iter().enumerate() {
        let lba = region_lba(&env) + 144 + 32 * k as u64;
        let before = fill(&env, lba, 12, 10 + k as u64);
        let (file, block) = block_file(&env, "ws-block", 20 + k as u64);
        sgmap(&[
            "write-same",
            size,
            &format!("--in={file}"),
            &format!("--lba={}", lba + 2),
            "--num=8",
            &env.sg,
        ])
        .status(0);
        let after = read(&env, lba, 12);
        for b in 0..12 {
            let range = b * ss..(b + 1) * ss;
            if (2..10).contains(&b) {
                same(&after[range], &block, &format!("{size}: block {b}"));
            } else {
                same(
                    &after[range.clone()],
                    &before[range],
                    &format!("{size}: block {b}"),
                );
            }
        }
        // sg_write_same with the same options: the same status and stdout, the same data.
        fill(&env, lba, 12, 10 + k as u64);
        let theirs = sg3(
            "sg_write_same",
            &[
                size,
                &format!("--in={file}"),
                &format!("--lba={}", lba + 2),
                "--num=8",
                &env.sg,
            ],
        );
        assert_eq!(theirs.code, 0, "{theirs:?}");
        assert!(theirs.stdout.is_empty());
        same(&read(&env, lba, 12), &after, "sg_write_same's result");
    }
    // No --in: zeros, one block from READ CAPACITY's block length.
    let lba = region_lba(&env) + 208;
    fill(&env, lba, 4, 30);
    sgmap(&[
        "write-same",
        &format!("--lba={}", lba + 1),
        "--num=2",
        &env.sg,
    ])
    .status(0);
    let after = read(&env, lba, 4);
    assert!(after[ss..3 * ss].iter().all(|&x| x == 0));
    assert!(after[..ss].iter().any(|&x| x != 0) && after[3 * ss..].iter().any(|&x| x != 0));
}

#[test]
fn write_same_exit_statuses_are_sg_write_sames() {
    let env = Env::get();
    let lba = region_lba(&env) + 224;
    let end = env.blocks();
    let cases: Vec<Vec<String>> = vec![
        vec![format!("--lba={lba}"), "--num=2".into()],
        vec![format!("--lba={end}"), "--num=1".into()],
        vec![
            format!("--lba={}", end - 1),
            "--num=2".into(),
            "--16".into(),
        ],
        vec!["--32".into(), format!("--lba={lba}"), "--num=1".into()],
        vec!["--ndob".into(), format!("--lba={lba}"), "--num=1".into()],
        vec!["-U".into(), format!("--lba={lba}"), "--num=2".into()],
        vec![
            "-U".into(),
            "--10".into(),
            format!("--lba={lba}"),
            "--num=2".into(),
        ],
        vec![
            "--wrprotect=1".into(),
            format!("--lba={lba}"),
            "--num=1".into(),
        ],
        vec![
            "--xferlen=70000".into(),
            format!("--lba={lba}"),
            "--num=1".into(),
        ],
        vec![],
        vec!["--16".into(), "--32".into(), "--num=1".into()],
        vec!["--in=/nonexistent".into(), format!("--lba={lba}")],
    ];
    for case in &cases {
        let opts: Vec<&str> = case.iter().map(String::as_str).collect();
        let (ours, theirs) = both("write-same", "sg_write_same", &opts, &env.sg);
        same_text(&ours, &theirs);
    }
    let (ours, _) = both(
        "write-same",
        "sg_write_same",
        &[&format!("--lba={end}"), "--num=1"],
        &env.sg,
    );
    ours.status(22).diagnosed();
}

#[test]
fn write_same_dry_run_sends_nothing() {
    let env = Env::get();
    let lba = region_lba(&env) + 240;
    let before = fill(&env, lba, 4, 40);
    let count = iorequest_count(Path::new(&env.sg));
    let xfer = format!("--xferlen={}", env.ss);
    let text = sgmap(&[
        "write-same",
        "--dry-run",
        &xfer,
        "-U",
        &format!("--lba={lba}"),
        "--num=4",
        &env.sg,
    ]);
    let json = sgmap(&[
        "write-same",
        "-d",
        "--ndob",
        "--json",
        &format!("--lba={lba}"),
        "--num=4",
        &env.sg,
    ]);
    assert_eq!(
        iorequest_count(Path::new(&env.sg)),
        count,
        "--dry-run sent a command"
    );
    same(&read(&env, lba, 4), &before, "data after --dry-run");
    text.status(0).out_has("Write same(16) cdb: 93 08 ");
    let j = json.status(0).json();
    assert!(j.get("dry_run").bool() && j.get("ndob").bool());
    assert_eq!(j.get("cdb_size").num(), 16);
    assert_eq!(j.get("data_out_bytes").num(), 0);
}

#[test]
fn scsi_debug_write_same_with_unmap_deallocates() {
    let env = Env::get();
    let _ = env.dev.scsi_debug();
    let lba = region_lba(&env) + 256;
    fill(&env, lba, 8, 50);
    assert!(is_mapped(&lba_status(&env, lba + 2)));
    let r = sgmap(&[
        "write-same",
        "-U",
        "--json",
        &format!("--lba={}", lba + 2),
        "--num=4",
        &env.sg,
    ]);
    let j = r.status(0).json();
    assert!(j.get("unmap").bool());
    assert_eq!(j.get("cdb_size").num(), 16);
    assert!(read(&env, lba + 2, 4).iter().all(|&x| x == 0));
    assert!(
        lba_status(&env, lba + 2).contains("deallocated"),
        "{}",
        lba_status(&env, lba + 2)
    );
    // NDOB: no data-out, the blocks read back as zeros too.
    fill(&env, lba, 8, 51);
    sgmap(&[
        "write-same",
        "-N",
        &format!("--lba={lba}"),
        "--num=2",
        &env.sg,
    ])
    .status(0);
    assert!(read(&env, lba, 2).iter().all(|&x| x == 0));
}

/// 20 seconds of sg_unmap's and sgmap's own countdowns, the two at once (the same block
/// unmapped twice is unmapped): one phase runs it (`ONCE` in guest-init.rs).
#[test]
fn unmap_without_force_warns_and_pauses_as_sg_unmap_does() {
    // sg_unmap's warning: the device's INQUIRY line, then three "will commence" notices
    // over 20 seconds; the same lines on stdout, then the UNMAP.
    let env = Env::get();
    let lba = region_lba(&env) + 100;
    let lba = format!("--lba={lba}");
    let timed = |run: &dyn Fn() -> Run| {
        let started = std::time::Instant::now();
        let r = run();
        (r, started.elapsed())
    };
    let ((ours, our_pause), (theirs, their_pause)) = at_once(
        || timed(&|| sgmap(&["unmap", &lba, "--num=1", &env.sg])),
        || timed(&|| sg3("sg_unmap", &[&lba, "--num=1", &env.sg])),
    );
    same_text(&ours, &theirs);
    let twenty = std::time::Duration::from_secs(20);
    assert!(
        our_pause >= twenty && their_pause >= twenty,
        "both paused 20 s: {our_pause:?}, {their_pause:?}"
    );
    ours.out_has(&format!("{} is:  ", env.sg))
        .out_has("An UNMAP (a.k.a. trim) will commence in 15 seconds")
        .out_has("    Some data will be LOST");
}
