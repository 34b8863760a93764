//! The scripted SCSI target (`sgmap_tests::tcmu`: LIO's TCMU backstore through tcm_loop)
//! proven with sgmap and with sg3_utils 1.46's own tools: it comes up as a real SCSI disk
//! with an sg node, counts every command it is sent, reports the progress of a FORMAT UNIT
//! or SANITIZE as sg_turs, sg_requests, sg_format and sg_sanitize expect, records the CDBs
//! and parameter lists they send, and goes away without a trace.
//!
//! The target is the test's own, not the phase's device: the phase only decides where the
//! binary runs. The guest init leaves these tests out (`--skip tcmu_`) on a kernel without
//! `target_core_user` and `tcm_loop`.

mod cli_common;

use std::fs;
use std::path::Path;
use std::thread;

use cli_common::{scratch_file, sg3, sgmap, Run};
use sgmap_tests::tcmu::disk::{descriptor_sense, fixed_sense, progress_at, NOT_READY};
use sgmap_tests::tcmu::{Disk, Operation, Recorded, Target, DEFAULT_BLOCKS, DEFAULT_BLOCK_SIZE};
use sgmap_tests::SenseFormat;

fn target(name: &str, disk: &Disk) -> Target {
    Target::with_disk(name, disk).unwrap_or_else(|e| panic!("target {name}: {e}"))
}

fn opcodes(record: &[Recorded]) -> Vec<u8> {
    record.iter().map(|(cdb, _)| cdb[0]).collect()
}

/// `Progress indication: 33.33% done` as sg_turs and sg_requests print it.
fn progress_line(p: u16) -> String {
    let p = u32::from(p);
    format!(
        "Progress indication: {}.{:02}% done",
        p * 100 / 65536,
        (p * 100 % 65536) / 656
    )
}

fn lines_with(run: &Run, text: &str) -> Vec<String> {
    run.out()
        .lines()
        .filter(|l| l.contains(text))
        .map(str::to_owned)
        .collect()
}

/// The TRANSFER LENGTH of READ/WRITE (10, 12, 16).
fn transfer_length(cdb: &[u8]) -> u64 {
    let be = |b: &[u8]| b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
    match cdb[0] {
        0x28 | 0x2a => be(&cdb[7..9]),
        0xa8 | 0xaa => be(&cdb[6..10]),
        0x88 | 0x8a => be(&cdb[10..14]),
        _ => u64::from(cdb[4]),
    }
}

#[test]
fn tcmu_target_comes_up_with_an_sg_node_and_counts_sgmaps_commands() {
    let disk = Disk::new(DEFAULT_BLOCKS, DEFAULT_BLOCK_SIZE);
    let t = target("counts", &disk);
    assert!(t.sg_path().exists(), "{}", t.sg());
    let sysfs = Path::new("/sys/bus/scsi/devices").join(t.hctl());
    let vendor = fs::read_to_string(sysfs.join("vendor")).unwrap();
    assert_eq!(
        vendor.trim(),
        "SGMAP",
        "the mid-layer scanned the handler's INQUIRY"
    );
    assert!(t.commands().is_empty(), "sd's probe is not in the record");

    sgmap(&["raw", &t.sg(), "00 00 00 00 00 00"]).status(0);
    assert_eq!(
        t.cdbs(),
        [vec![0u8; 6]],
        "one TEST UNIT READY, exactly once"
    );
    t.clear_record();

    let inq = sgmap(&["inquiry", &t.sg()]);
    inq.status(0).out_has("SGMAP").out_has("TCMU DISK");
    let record = t.commands();
    assert!(!record.is_empty() && opcodes(&record).iter().all(|&op| op == 0x12));
    t.clear_record();
    sg3("sg_inq", &[&t.sg()]).status(0).out_has("SGMAP");
    assert!(opcodes(&t.commands()).iter().all(|&op| op == 0x12));
    t.clear_record();

    // REPORT LUNS is the target core's own (spc_emulate_report_luns): the handler never
    // sees it.
    sg3("sg_luns", &[&t.sg()]).status(0);
    assert!(t.commands().is_empty(), "{:02x?}", t.cdbs());

    let cap = sgmap(&["readcap", &t.sg()]);
    cap.status(0)
        .out_has(&format!("{DEFAULT_BLOCKS}"))
        .out_has(&format!("{DEFAULT_BLOCK_SIZE}"));
    assert!(opcodes(&t.commands())
        .iter()
        .all(|&op| op == 0x25 || op == 0x9e));
    t.clear_record();

    // dd in both directions: each block crosses the ring once, and lands where it should.
    let image: Vec<u8> = (0..64 * 512).map(|i| (i / 512 + i % 251) as u8).collect();
    let input = scratch_file("tcmu-dd-in.bin", &image);
    sgmap(&[
        "dd",
        &format!("if={input}"),
        &format!("of={}", t.sg()),
        "bs=512",
        "count=64",
        "seek=100",
    ])
    .status(0);
    let written: u64 = t
        .commands()
        .iter()
        .filter(|(cdb, _)| matches!(cdb[0], 0x0a | 0x2a | 0xaa | 0x8a))
        .map(|(cdb, out)| {
            assert_eq!(out.len() as u64, transfer_length(cdb) * 512);
            transfer_length(cdb)
        })
        .sum();
    assert_eq!(written, 64, "every block written once: {:?}", t.cdbs());
    assert_eq!(&disk.contents()[100 * 512..164 * 512], &image[..]);
    t.clear_record();
    let output = scratch_file("tcmu-dd-out.bin", &[]);
    sgmap(&[
        "dd",
        &format!("if={}", t.sg()),
        &format!("of={output}"),
        "bs=512",
        "count=64",
        "skip=100",
    ])
    .status(0);
    let read: u64 = t
        .cdbs()
        .iter()
        .filter(|cdb| matches!(cdb[0], 0x08 | 0x28 | 0xa8 | 0x88))
        .map(|cdb| transfer_length(cdb))
        .sum();
    assert_eq!(read, 64, "every block read once: {:02x?}", t.cdbs());
    assert_eq!(fs::read(&output).unwrap(), image);
}

#[test]
fn tcmu_sgmap_raw_format_unit_reaches_the_handler_once() {
    let disk = Disk::new(DEFAULT_BLOCKS, DEFAULT_BLOCK_SIZE);
    let t = target("rawfmt", &disk);
    sgmap(&["raw", &t.sg(), "04 00 00 00 00 00"]).status(0);
    assert_eq!(t.commands(), [(vec![0x04, 0, 0, 0, 0, 0], vec![])]);
    assert_eq!(disk.completed(), [Operation::Format]);
    assert_eq!(disk.in_progress(), None, "no IMMED: over when it completes");
}

#[test]
fn tcmu_sg_turs_progress_prints_rising_progress_and_ends_when_ready() {
    for format in [SenseFormat::Fixed, SenseFormat::Descriptor] {
        let disk = Disk::new(DEFAULT_BLOCKS, DEFAULT_BLOCK_SIZE);
        disk.set_progress_steps(3);
        disk.set_sense_format(format);
        let t = target("turs", &disk);
        disk.begin(Operation::Format);
        let run = sg3(
            "sg_turs",
            &["--progress", "--delay=20", "--number=10", &t.sg()],
        );
        run.status(0);
        let expected: Vec<String> = (1..=3).map(|k| progress_line(progress_at(k, 3))).collect();
        assert_eq!(
            lines_with(&run, "Progress indication"),
            expected,
            "{format:?}: {run:?}"
        );
        run.out_has("Completed 4 Test Unit Ready commands");
        assert_eq!(
            t.cdbs(),
            vec![vec![0u8; 6]; 4],
            "three polls in progress, one ready"
        );
        assert_eq!(disk.completed(), [Operation::Format]);
    }
}

#[test]
fn tcmu_sg_requests_progress_reads_fixed_and_descriptor_sense_then_ends_when_ready() {
    let disk = Disk::new(DEFAULT_BLOCKS, DEFAULT_BLOCK_SIZE);
    disk.set_progress_steps(2);
    let t = target("requests", &disk);
    disk.begin(Operation::Sanitize);
    // One REQUEST SENSE each: no 30-second pause between polls.
    let fixed = sg3("sg_requests", &["--progress", &t.sg()]);
    fixed.status(0);
    assert_eq!(
        lines_with(&fixed, "Progress indication"),
        [progress_line(progress_at(1, 2))],
        "{fixed:?}"
    );
    let desc = sg3("sg_requests", &["--progress", "--desc", &t.sg()]);
    desc.status(0);
    assert_eq!(
        lines_with(&desc, "Progress indication"),
        [progress_line(progress_at(2, 2))],
        "{desc:?}"
    );
    // The operation is over: the first REQUEST SENSE has no progress, and sg_requests
    // stops there although it was told to poll up to three times.
    let ready = sg3("sg_requests", &["--progress", "--num=3", &t.sg()]);
    ready.status(0);
    assert!(lines_with(&ready, "Progress").is_empty(), "{ready:?}");
    let record = t.cdbs();
    assert_eq!(record.len(), 3, "{record:?}");
    assert!(record.iter().all(|cdb| cdb[0] == 0x03));
    assert_eq!(record[1][1] & 1, 1, "--desc sets DESC");
    assert_eq!(disk.completed(), [Operation::Sanitize]);
    // The sense data as data, byte for byte, through the real stack.
    disk.begin(Operation::Sanitize);
    let raw = sgmap(&["raw", "-r", "252", "--binary", &t.sg(), "03 00 00 00 fc 00"]);
    raw.status(0);
    assert_eq!(
        raw.stdout,
        fixed_sense(NOT_READY, 4, 0x1b, Some(progress_at(1, 2)))
    );
    let raw = sgmap(&["raw", "-r", "252", "--binary", &t.sg(), "03 01 00 00 fc 00"]);
    raw.status(0);
    assert_eq!(
        raw.stdout,
        descriptor_sense(NOT_READY, 4, 0x1b, Some(progress_at(2, 2)))
    );
}

/// One sg3_utils flow on a target of its own: the tool's run, and what the target saw.
struct Flow {
    name: &'static str,
    disk: Disk,
    args: Vec<String>,
}

struct Done {
    run: Run,
    record: Vec<Recorded>,
    disk: Disk,
}

/// Runs the flows at once, each tool against its own target: their polls sleep 60
/// seconds, which would add up one after the other.
fn run_flows(flows: Vec<Flow>) -> Vec<Done> {
    let targets: Vec<(Flow, Target)> = flows
        .into_iter()
        .map(|f| {
            let t = target(f.name, &f.disk);
            (f, t)
        })
        .collect();
    let runs: Vec<Run> = thread::scope(|s| {
        let handles: Vec<_> = targets
            .iter()
            .map(|(f, t)| {
                let mut args: Vec<String> = f.args.clone();
                args.push(t.sg());
                s.spawn(move || {
                    let (tool, rest) = args.split_first().expect("a tool");
                    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
                    sg3(tool, &rest)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("flow"))
            .collect()
    });
    targets
        .into_iter()
        .zip(runs)
        .map(|((f, t), run)| Done {
            run,
            record: t.commands(),
            disk: f.disk,
        })
        .collect()
}

fn flow(name: &'static str, disk: Disk, args: &[&str]) -> Flow {
    disk.set_progress_steps(1);
    Flow {
        name,
        disk,
        args: args.iter().map(|s| s.to_string()).collect(),
    }
}

fn only<'a>(record: &'a [Recorded], opcode: u8, what: &str) -> &'a Recorded {
    let found: Vec<&Recorded> = record.iter().filter(|(c, _)| c[0] == opcode).collect();
    match found.as_slice() {
        [one] => one,
        _ => panic!("{what}: expected one command {opcode:#04x}, record {record:?}"),
    }
}

#[test]
fn tcmu_sg_format_and_sg_sanitize_full_flows_see_progress_then_ready() {
    let pattern = scratch_file("tcmu-pattern.bin", &[0xde, 0xad, 0xbe, 0xef]);
    let done = run_flows(vec![
        // A 520-byte drive reformatted to 512, as refurbishing does.
        flow(
            "fmt512",
            Disk::new(DEFAULT_BLOCKS, 520),
            &["sg_format", "--format", "--quick", "--size=512"],
        ),
        flow(
            "fmtpi",
            Disk::new(DEFAULT_BLOCKS, DEFAULT_BLOCK_SIZE),
            &["sg_format", "--format", "--quick", "--fmtpinfo=2"],
        ),
        flow(
            "sanblock",
            Disk::new(DEFAULT_BLOCKS, DEFAULT_BLOCK_SIZE),
            &["sg_sanitize", "--block", "--quick"],
        ),
        flow(
            "sancrypto",
            Disk::new(DEFAULT_BLOCKS, DEFAULT_BLOCK_SIZE),
            &["sg_sanitize", "--crypto", "--quick"],
        ),
        flow(
            "sanover",
            Disk::new(DEFAULT_BLOCKS, DEFAULT_BLOCK_SIZE),
            &[
                "sg_sanitize",
                "--overwrite",
                &format!("--pattern={pattern}"),
                "--quick",
            ],
        ),
    ]);
    for d in &done {
        d.run.status(0);
    }
    let [fmt512, fmtpi, block, crypto, over] = &done[..] else {
        unreachable!()
    };

    // sg_format: MODE SENSE(10) for the block descriptor, MODE SELECT(10) with 512 in it,
    // FORMAT UNIT with FMTDATA and CMPLST and IMMED in the header, then TEST UNIT READY
    // polls: one with the progress, one ready.
    let fu = "Format unit in progress, 50.00% done";
    assert_eq!(
        lines_with(&fmt512.run, "in progress"),
        [fu],
        "{:?}",
        fmt512.run
    );
    let (_, select) = only(&fmt512.record, 0x55, "sg_format --size=512");
    assert_eq!(
        &select[8..16],
        [0, 0, 0, 0, 0, 0, 0x02, 0x00],
        "{select:02x?}"
    );
    let (cdb, list) = only(&fmt512.record, 0x04, "sg_format --size=512");
    assert_eq!(
        (&cdb[..], &list[..]),
        (&[0x04, 0x18, 0, 0, 0, 0][..], &[0, 0x02, 0, 0][..])
    );
    let polls = opcodes(&fmt512.record)
        .iter()
        .filter(|&&op| op == 0)
        .count();
    assert_eq!(polls, 2, "{:02x?}", fmt512.record);
    assert_eq!(fmt512.disk.block_size(), 512);
    assert_eq!(fmt512.disk.blocks(), DEFAULT_BLOCKS * 520 / 512);

    // --fmtpinfo=2: no MODE SELECT (the size stays), FMTPINFO in the CDB, type 1 after.
    assert_eq!(
        lines_with(&fmtpi.run, "in progress"),
        [fu],
        "{:?}",
        fmtpi.run
    );
    assert!(!opcodes(&fmtpi.record).contains(&0x55));
    let (cdb, list) = only(&fmtpi.record, 0x04, "sg_format --fmtpinfo=2");
    assert_eq!(
        (&cdb[..], &list[..]),
        (&[0x04, 0x98, 0, 0, 0, 0][..], &[0, 0x02, 0, 0][..])
    );
    assert!(fmtpi.disk.protection().prot_en);

    // sg_sanitize: SANITIZE with IMMED, then REQUEST SENSE polls.
    for (d, sa, what) in [(block, 0x82, "--block"), (crypto, 0x83, "--crypto")] {
        assert_eq!(
            lines_with(&d.run, "Progress indication"),
            ["Progress indication: 50% done"],
            "{what}: {:?}",
            d.run
        );
        let (cdb, list) = only(&d.record, 0x48, what);
        assert_eq!(&cdb[..], [0x48, sa, 0, 0, 0, 0, 0, 0, 0, 0], "{what}");
        assert!(list.is_empty());
        let polls = opcodes(&d.record).iter().filter(|&&op| op == 0x03).count();
        assert_eq!(polls, 2, "{what}: {:02x?}", d.record);
        assert_eq!(d.disk.completed(), [Operation::Sanitize]);
    }
    let (cdb, list) = only(&over.record, 0x48, "--overwrite");
    assert_eq!(&cdb[..], [0x48, 0x81, 0, 0, 0, 0, 0, 0, 8, 0]);
    assert_eq!(&list[..], [0x01, 0, 0, 4, 0xde, 0xad, 0xbe, 0xef]);
    assert_eq!(
        lines_with(&over.run, "Progress indication"),
        ["Progress indication: 50% done"]
    );
    assert_eq!(
        &over.disk.contents()[..8],
        [0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef]
    );
}

#[test]
fn tcmu_sg_format_wait_completes_without_immed_or_polls() {
    let disk = Disk::new(DEFAULT_BLOCKS, DEFAULT_BLOCK_SIZE);
    disk.set_progress_steps(5);
    let t = target("fmtwait", &disk);
    let run = sg3("sg_format", &["--format", "--quick", "--wait", &t.sg()]);
    run.status(0);
    let record = t.commands();
    let (cdb, list) = only(&record, 0x04, "sg_format --wait");
    // FMTDATA and CMPLST, a short header without IMMED.
    assert_eq!(
        (&cdb[..], &list[..]),
        (&[0x04, 0x18, 0, 0, 0, 0][..], &[0, 0, 0, 0][..])
    );
    assert!(
        !opcodes(&t.commands()).contains(&0x00),
        "no polls: {:02x?}",
        t.cdbs()
    );
    assert_eq!(disk.completed(), [Operation::Format]);
}

#[test]
fn tcmu_teardown_leaves_no_device_and_a_second_target_can_be_made() {
    let disk = Disk::new(DEFAULT_BLOCKS, DEFAULT_BLOCK_SIZE);
    let t = target("first", &disk);
    let (hctl, sg) = (t.hctl().to_owned(), t.sg_path().to_owned());
    let block = t.block_path().map(Path::to_owned).expect("sd attached");
    let uios = fs::read_dir("/sys/class/uio").unwrap().count();
    t.remove().expect("teardown");
    assert!(
        !Path::new("/sys/bus/scsi/devices").join(&hctl).exists(),
        "{hctl}"
    );
    assert!(!sg.exists(), "{}", sg.display());
    assert!(!block.exists(), "{}", block.display());
    assert_eq!(fs::read_dir("/sys/class/uio").unwrap().count(), uios - 1);
    let core = fs::read_dir("/sys/kernel/config/target/core").unwrap();
    let left: Vec<String> = core
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("user_"))
        .collect();
    assert!(left.is_empty(), "backstores left: {left:?}");
    let loopback = fs::read_dir("/sys/kernel/config/target/loopback").unwrap();
    assert_eq!(
        loopback
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("naa."))
            .count(),
        0
    );

    let second = target("second", &disk);
    sgmap(&["raw", &second.sg(), "00 00 00 00 00 00"]).status(0);
    assert_eq!(second.cdbs().len(), 1);
}
