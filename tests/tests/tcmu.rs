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
use std::sync::OnceLock;
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

/// One program's flow on a target of its own: sg3_utils' tool, or sgmap when `args[0]` is
/// `sgmap`; the disk as set up (steps, sense format), and an operation it may already be in.
struct Flow {
    name: String,
    disk: Disk,
    args: Vec<String>,
    /// Scripted after sd's probe, before the program starts.
    begin: Option<Operation>,
}

impl Flow {
    fn steps(self, n: u32) -> Flow {
        self.disk.set_progress_steps(n);
        self
    }

    fn sense(self, format: SenseFormat) -> Flow {
        self.disk.set_sense_format(format);
        self
    }

    fn begin(mut self, op: Operation) -> Flow {
        self.begin = Some(op);
        self
    }
}

/// What a flow did: the run, the device it ran on, what the target saw, the disk after.
struct Done {
    name: String,
    run: Run,
    sg: String,
    record: Vec<Recorded>,
    disk: Disk,
}

impl Done {
    /// Stdout with the device's name as `DEV`: two runs on two targets compare equal.
    fn out(&self) -> String {
        self.run.out().replace(&self.sg, "DEV")
    }
}

fn run_program(args: &[String]) -> Run {
    let (tool, rest) = args.split_first().expect("a program");
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    if tool == "sgmap" {
        sgmap(&rest)
    } else {
        sg3(tool, &rest)
    }
}

/// Runs the flows at once, each program against its own target: the polls sleep 30 or 60
/// seconds, which would add up one after the other. The targets come up at once too.
fn run_flows(flows: Vec<Flow>) -> Vec<Done> {
    let targets: Vec<(Flow, Target)> = thread::scope(|s| {
        let handles: Vec<_> = flows
            .into_iter()
            .map(|f| {
                s.spawn(move || {
                    let t = target(&f.name, &f.disk);
                    (f, t)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("target"))
            .collect()
    });
    for (f, _) in &targets {
        if let Some(op) = f.begin {
            f.disk.begin(op);
        }
    }
    let runs: Vec<Run> = thread::scope(|s| {
        let handles: Vec<_> = targets
            .iter()
            .map(|(f, t)| {
                let mut args: Vec<String> = f.args.clone();
                args.push(t.sg());
                s.spawn(move || run_program(&args))
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
            name: f.name,
            run,
            sg: t.sg(),
            record: t.commands(),
            disk: f.disk,
        })
        .collect()
}

/// A flow whose operation reports progress at one poll and is over at the next.
fn flow(name: &str, disk: Disk, args: &[&str]) -> Flow {
    disk.set_progress_steps(1);
    Flow {
        name: name.to_owned(),
        disk,
        args: args.iter().map(|s| s.to_string()).collect(),
        begin: None,
    }
}

/// sg_format's option sets run by both programs (`NAME` with sg_format, `NAME-m` with
/// `sgmap format`): name, the disk's block size, the options.
const FORMATS: &[(&str, u32, &[&str])] = &[
    // A 520-byte drive reformatted to 512, as refurbishing does: MODE SELECT first.
    ("fmt512", 520, &["--format", "--quick", "--size=512"]),
    ("fmtpi", 512, &["--format", "--quick", "--fmtpinfo=2"]),
    (
        "fmtpfu",
        512,
        &[
            "--format",
            "--quick",
            "--fmtpinfo=3",
            "--pfu=1",
            "--ip_def",
            "--long",
        ],
    ),
    ("fmtearly", 512, &["--format", "--quick", "--early"]),
    ("fmtwait", 512, &["--format", "--quick", "--wait"]),
    ("fmtffmt", 512, &["--format", "--quick", "--ffmt=1"]),
];

/// sg_sanitize's option sets likewise (`PATTERN` is the pattern file's operand).
const SANITIZES: &[(&str, &[&str])] = &[
    ("sanblock", &["--block", "--quick"]),
    ("sancrypto", &["--crypto", "--quick"]),
    ("sanover", &["--overwrite", "PATTERN", "--quick"]),
    (
        "sanovinv",
        &["--overwrite", "PATTERN", "--count=3", "--invert", "--quick"],
    ),
    // -Z: sg_sanitize 1.46 lists --znr in its usage but its long options lack it (exit 1).
    ("sanause", &["--block", "--ause", "-Z", "--quick"]),
    ("sanearly", &["--crypto", "--early", "--quick"]),
    ("sanwait", &["--overwrite", "PATTERN", "--wait", "--quick"]),
];

/// The progress pollers: (name, sense format, sg3_utils' command line, sgmap's), all with
/// room for five polls; the operation reports two.
const POLLERS: &[(&str, SenseFormat, &[&str], &[&str])] = &[
    (
        "rqf",
        SenseFormat::Fixed,
        &["sg_requests", "--progress", "--num=5"],
        &["sgmap", "requests", "--progress", "--num=5"],
    ),
    (
        "rqd",
        SenseFormat::Descriptor,
        &["sg_requests", "--progress", "--num=5", "--desc"],
        &["sgmap", "requests", "--progress", "--num=5", "--desc"],
    ),
    (
        "tuf",
        SenseFormat::Fixed,
        &["sg_turs", "--progress", "--number=5"],
        &["sgmap", "tur", "--progress", "--number=5"],
    ),
    (
        "tud",
        SenseFormat::Descriptor,
        &["sg_turs", "--progress", "--number=5"],
        &["sgmap", "tur", "--progress", "--number=5"],
    ),
];

const PATTERN: [u8; 4] = [0xde, 0xad, 0xbe, 0xef];

fn with_pattern(options: &[&str], pattern: &str) -> Vec<String> {
    options
        .iter()
        .map(|&o| {
            if o == "PATTERN" {
                format!("--pattern={pattern}")
            } else {
                o.to_owned()
            }
        })
        .collect()
}

fn all_flows() -> Vec<Flow> {
    let pattern = scratch_file("tcmu-pattern.bin", &PATTERN);
    let mut flows = Vec::new();
    let strs = |v: &[String]| -> Vec<String> { v.to_vec() };
    for &(name, size, options) in FORMATS {
        let options: Vec<String> = options.iter().map(|s| s.to_string()).collect();
        for (suffix, program) in [("", &["sg_format"][..]), ("-m", &["sgmap", "format"])] {
            let args: Vec<String> = program
                .iter()
                .map(|s| s.to_string())
                .chain(strs(&options))
                .collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            flows.push(flow(
                &format!("{name}{suffix}"),
                Disk::new(DEFAULT_BLOCKS, size),
                &args,
            ));
        }
    }
    for &(name, options) in SANITIZES {
        let options = with_pattern(options, &pattern);
        for (suffix, program) in [("", &["sg_sanitize"][..]), ("-m", &["sgmap", "sanitize"])] {
            let args: Vec<String> = program
                .iter()
                .map(|s| s.to_string())
                .chain(strs(&options))
                .collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            flows.push(flow(
                &format!("{name}{suffix}"),
                Disk::new(DEFAULT_BLOCKS, DEFAULT_BLOCK_SIZE),
                &args,
            ));
        }
    }
    // --json of format and sanitize, with a MODE SELECT and a parameter list.
    flows.push(flow(
        "fmtjson",
        Disk::new(DEFAULT_BLOCKS, 520),
        &[
            "sgmap",
            "format",
            "--format",
            "--quick",
            "--size=512",
            "--json",
        ],
    ));
    flows.push(flow(
        "sanjson",
        Disk::new(DEFAULT_BLOCKS, DEFAULT_BLOCK_SIZE),
        &[
            "sgmap",
            "sanitize",
            "--overwrite",
            &format!("--pattern={pattern}"),
            "--quick",
            "--json",
        ],
    ));
    for &(name, format, theirs, ours) in POLLERS {
        let op = if name.starts_with("rq") {
            Operation::Sanitize
        } else {
            Operation::Format
        };
        let json: Vec<&str> = ours.iter().copied().chain(["--json"]).collect();
        for (suffix, args) in [("", theirs), ("-m", ours), ("-j", &json[..])] {
            let disk = Disk::new(DEFAULT_BLOCKS, DEFAULT_BLOCK_SIZE);
            flows.push(
                flow(&format!("{name}{suffix}"), disk, args)
                    .steps(2)
                    .sense(format)
                    .begin(op),
            );
        }
    }
    flows
}

/// Every flow, run once for the tests below (about two minutes: sg_format's and
/// sg_sanitize's 60-second polls, at once).
fn batch() -> &'static [Done] {
    static BATCH: OnceLock<Vec<Done>> = OnceLock::new();
    BATCH.get_or_init(|| run_flows(all_flows()))
}

fn done(name: &str) -> &'static Done {
    batch()
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no flow {name}"))
}

/// sgmap's run of `name` sent what sg3_utils' did, byte for byte and in the same order
/// (polls included: the target's progress moves per poll, not with time), printed the same
/// stdout and exited the same.
#[track_caller]
fn same_as_sg3(name: &str, sgmap_suffix: &str) -> (&'static Done, &'static Done) {
    same_as_sg3_but(name, sgmap_suffix, |r| r.to_vec())
}

/// [`same_as_sg3`], after `expected` takes sgmap's deliberate extra commands out of its
/// record (and checks they are there).
#[track_caller]
fn same_as_sg3_but(
    name: &str,
    sgmap_suffix: &str,
    expected: impl Fn(&[Recorded]) -> Vec<Recorded>,
) -> (&'static Done, &'static Done) {
    let theirs = done(name);
    let ours = done(&format!("{name}{sgmap_suffix}"));
    assert_eq!(
        expected(&ours.record),
        theirs.record,
        "{name}: the commands sent differ\nsg3_utils: {:?}\nsgmap: {:?}",
        theirs.run,
        ours.run
    );
    assert_eq!(
        ours.out(),
        theirs.out(),
        "{name}: stdout differs\nsg3_utils: {:?}\nsgmap: {:?}",
        theirs.run,
        ours.run
    );
    assert_eq!(
        ours.run.code, theirs.run.code,
        "{name}: exit status\nsg3_utils: {:?}\nsgmap: {:?}",
        theirs.run, ours.run
    );
    (theirs, ours)
}

fn count(record: &[Recorded], opcode: u8) -> usize {
    record.iter().filter(|(c, _)| c[0] == opcode).count()
}

fn only<'a>(record: &'a [Recorded], opcode: u8, what: &str) -> &'a Recorded {
    let found: Vec<&Recorded> = record.iter().filter(|(c, _)| c[0] == opcode).collect();
    match found.as_slice() {
        [one] => one,
        _ => panic!("{what}: expected one command {opcode:#04x}, record {record:?}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn tcmu_sg_format_and_sg_sanitize_full_flows_see_progress_then_ready() {
    let fmt512 = done("fmt512");
    let fmtpi = done("fmtpi");
    let [block, crypto, over] = ["sanblock", "sancrypto", "sanover"].map(done);
    for d in [fmt512, fmtpi, block, crypto, over] {
        d.run.status(0);
    }

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
    assert_eq!(count(&fmt512.record, 0x00), 2, "{:02x?}", fmt512.record);
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
        assert_eq!(count(&d.record, 0x03), 2, "{what}: {:02x?}", d.record);
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
fn tcmu_sgmap_format_sends_the_bytes_and_prints_the_lines_of_sg_format() {
    for &(name, _, options) in FORMATS {
        let (theirs, ours) = same_as_sg3(name, "-m");
        ours.run.status(0);
        // Each FORMAT UNIT reaches the target exactly once; MODE SELECT only with --size.
        assert_eq!(count(&ours.record, 0x04), 1, "{name}: {:02x?}", ours.record);
        let selects = count(&ours.record, 0x55) + count(&ours.record, 0x15);
        assert_eq!(selects, usize::from(name == "fmt512"), "{name}");
        assert_eq!(ours.disk.completed(), theirs.disk.completed(), "{name}");
        let early = options.contains(&"--early");
        let wait = options.contains(&"--wait");
        let polls = count(&ours.record, 0x00) + count(&ours.record, 0x03);
        if early || wait {
            assert_eq!(polls, 0, "{name}: {:02x?}", ours.record);
            assert!(lines_with(&ours.run, "in progress").is_empty(), "{name}");
        } else {
            // One poll with the progress, one that finds the unit ready: TEST UNIT READY.
            assert_eq!(count(&ours.record, 0x00), 2, "{name}: {:02x?}", ours.record);
            assert_eq!(
                lines_with(&ours.run, "Format unit"),
                [
                    "Format unit has started",
                    "Format unit in progress, 50.00% done"
                ],
                "{name}: {:?}",
                ours.run
            );
            ours.run.out_has("FORMAT UNIT Complete");
            assert_eq!(ours.disk.completed(), [Operation::Format], "{name}");
        }
        if early {
            ours.run.out_has("Format unit continuing");
            assert_eq!(ours.disk.in_progress(), Some(Operation::Format));
        }
    }
    // What the options put in the CDB and the parameter list (both programs alike).
    let (cdb, list) = only(&done("fmtpfu-m").record, 0x04, "fmtpfu");
    // FMTPINFO=3, FMTDATA, CMPLST (--long is READ CAPACITY (16) and LLBAA, not LONGLIST);
    // the short header with PFU=1, FOV, IP and IMMED, and --ip_def's initialization
    // pattern descriptor (default pattern, no bytes).
    assert_eq!(&cdb[..], [0x04, 0xd8, 0, 0, 0, 0], "{list:02x?}");
    assert_eq!(&list[..], [0x01, 0x8a, 0, 0, 0, 0, 0, 0]);
    assert_eq!(done("fmtpfu-m").disk.protection().p_type, 2);
    let (cdb, list) = only(&done("fmtwait-m").record, 0x04, "fmtwait");
    assert_eq!(
        (&cdb[..], &list[..]),
        (&[0x04, 0x18, 0, 0, 0, 0][..], &[0u8; 4][..])
    );
    let (cdb, _) = only(&done("fmtffmt-m").record, 0x04, "fmtffmt");
    assert_eq!(cdb[1] & 0x08, 0, "--ffmt drops CMPLST");
    assert_eq!(cdb[4] & 0x03, 1, "FFMT=1");
}

#[test]
fn tcmu_sgmap_sanitize_sends_the_bytes_and_prints_the_lines_of_sg_sanitize() {
    for &(name, options) in SANITIZES {
        // sgmap's own check, in its help: with --overwrite it reads the logical block
        // length (READ CAPACITY (10)) to refuse a pattern longer than a block before
        // SANITIZE; sg_sanitize leaves that to the device. The one difference in the record.
        let overwrite = options.contains(&"--overwrite");
        let (theirs, ours) = same_as_sg3_but(name, "-m", |record| {
            let mut r = record.to_vec();
            if overwrite {
                let at = r.iter().position(|(c, _)| c[0] == 0x48).expect("SANITIZE");
                assert!(at > 0, "{name}: {record:02x?}");
                assert_eq!(
                    r.remove(at - 1),
                    (vec![0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], vec![]),
                    "{name}: READ CAPACITY (10) right before SANITIZE"
                );
            }
            r
        });
        ours.run.status(0);
        assert_eq!(count(&ours.record, 0x48), 1, "{name}: {:02x?}", ours.record);
        assert_eq!(ours.disk.contents(), theirs.disk.contents(), "{name}");
        let (cdb, _) = only(&ours.record, 0x48, name);
        let immed = !options.contains(&"--wait");
        assert_eq!(cdb[1] & 0x80 != 0, immed, "{name}: {cdb:02x?}");
        if options.contains(&"--early") || options.contains(&"--wait") {
            assert_eq!(count(&ours.record, 0x03), 0, "{name}: {:02x?}", ours.record);
        } else {
            assert_eq!(count(&ours.record, 0x03), 2, "{name}: {:02x?}", ours.record);
            assert_eq!(
                lines_with(&ours.run, "Progress indication"),
                ["Progress indication: 50% done"],
                "{name}"
            );
            assert_eq!(ours.disk.completed(), [Operation::Sanitize], "{name}");
        }
        assert_eq!(
            opcodes(&ours.record)
                .iter()
                .filter(|&&op| !matches!(op, 0x12 | 0x25 | 0x9e | 0x48 | 0x03))
                .count(),
            0,
            "{name}: only INQUIRY, READ CAPACITY, SANITIZE and REQUEST SENSE: {:02x?}",
            ours.record
        );
    }
    let (cdb, list) = only(&done("sanovinv-m").record, 0x48, "sanovinv");
    assert_eq!(&cdb[..], [0x48, 0x81, 0, 0, 0, 0, 0, 0, 8, 0]);
    assert_eq!(&list[..], [0x83, 0, 0, 4, 0xde, 0xad, 0xbe, 0xef]);
    let (cdb, _) = only(&done("sanause-m").record, 0x48, "sanause");
    assert_eq!(&cdb[..2], [0x48, 0x80 | 0x40 | 0x20 | 0x02]);
    assert_eq!(done("sanwait-m").disk.completed(), [Operation::Sanitize]);
    assert_eq!(
        done("sanearly-m").disk.in_progress(),
        Some(Operation::Sanitize)
    );
}

#[test]
fn tcmu_sgmap_requests_and_tur_progress_print_as_sg3_utils_and_stop_when_ready() {
    for &(name, format, _, _) in POLLERS {
        let (_, ours) = same_as_sg3(name, "-m");
        ours.run.status(0);
        let expected: Vec<String> = (1..=2).map(|k| progress_line(progress_at(k, 2))).collect();
        assert_eq!(
            lines_with(&ours.run, "Progress indication"),
            expected,
            "{name} {format:?}: {:?}",
            ours.run
        );
        // Two polls in progress, the third finds the unit ready and ends the loop, two
        // short of --num=5.
        let opcode = if name.starts_with("rq") { 0x03 } else { 0x00 };
        assert_eq!(ours.record.len(), 3, "{name}: {:02x?}", ours.record);
        assert!(ours.record.iter().all(|(c, _)| c[0] == opcode), "{name}");
        if name == "rqd" {
            assert!(
                ours.record.iter().all(|(c, _)| c[1] & 1 == 1),
                "--desc: DESC"
            );
        }
        if opcode == 0x00 {
            ours.run.out_has("Completed 3 Test Unit Ready commands");
        }
        assert_eq!(ours.disk.in_progress(), None, "{name}");
    }
}

#[test]
fn tcmu_sgmap_requests_and_tur_progress_json_list_each_poll() {
    for &(name, _, _, _) in POLLERS {
        let d = done(&format!("{name}-j"));
        d.run.status(0);
        let j = d.run.json();
        assert_eq!(j.get("commands").num(), 3, "{name}: {:?}", d.run);
        let seen: Vec<(i128, String)> = j
            .get("progress")
            .array()
            .iter()
            .map(|p| {
                (
                    p.get("progress_indication").num(),
                    p.get("percent").str().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [(21845, "33.33".to_owned()), (43690, "66.66".to_owned())],
            "{name}: {:?}",
            d.run
        );
        assert_eq!(
            (u16::try_from(seen[0].0).ok(), u16::try_from(seen[1].0).ok()),
            (Some(progress_at(1, 2)), Some(progress_at(2, 2)))
        );
        assert_eq!(j.get("exit_status").num(), 0);
        assert_eq!(d.record.len(), 3, "{name}: {:02x?}", d.record);
        assert_eq!(d.disk.in_progress(), None);
    }
}

#[test]
fn tcmu_sgmap_format_and_sanitize_json_match_what_the_target_received() {
    let fmt = done("fmtjson");
    fmt.run.status(0);
    let j = fmt.run.json();
    let sent: Vec<(String, String, String)> = j
        .get("commands")
        .array()
        .iter()
        .map(|c| {
            assert!(c.get("sent").bool(), "{c:?}");
            (
                c.get("name").str().to_owned(),
                c.get("cdb").str().to_owned(),
                c.get("parameter_list").str().to_owned(),
            )
        })
        .collect();
    let (select, select_list) = only(&fmt.record, 0x55, "fmtjson");
    let (format, format_list) = only(&fmt.record, 0x04, "fmtjson");
    assert_eq!(
        sent,
        [
            ("MODE SELECT".to_owned(), hex(select), hex(select_list)),
            ("FORMAT UNIT".to_owned(), hex(format), hex(format_list)),
        ],
        "{:?}",
        fmt.run
    );
    let progress: Vec<(i128, String)> = j
        .get("progress")
        .array()
        .iter()
        .map(|p| {
            (
                p.get("progress_indication").num(),
                p.get("percent").str().to_owned(),
            )
        })
        .collect();
    assert_eq!(progress, [(32768, "50.00".to_owned())], "{:?}", fmt.run);
    assert_eq!(
        count(&fmt.record, 0x00),
        2,
        "one poll with progress, one ready"
    );
    assert_eq!(j.get("exit_status").num(), 0);
    assert_eq!(j.get("block_size").num(), 520, "before the format");
    assert_eq!(fmt.disk.block_size(), 512);
    assert!(
        fmt.run
            .stderr
            .contains("Format unit in progress, 50.00% done"),
        "the lines go to stderr with --json: {:?}",
        fmt.run
    );

    let san = done("sanjson");
    san.run.status(0);
    let j = san.run.json();
    let (cdb, list) = only(&san.record, 0x48, "sanjson");
    assert_eq!(j.get("cdb").str(), hex(cdb));
    assert_eq!(j.get("parameter_list").str(), hex(list));
    assert!(j.get("sent").bool() && j.get("immed").bool());
    assert_eq!(j.get("service_action").str(), "overwrite");
    let progress: Vec<i128> = j
        .get("progress")
        .array()
        .iter()
        .map(|p| p.get("progress_indication").num())
        .collect();
    assert_eq!(progress, [32768], "{:?}", san.run);
    assert_eq!(count(&san.record, 0x03), 2);
    assert_eq!(j.get("exit_status").num(), 0);
    assert_eq!(san.disk.completed(), [Operation::Sanitize]);
}

/// The CDB and parameter list a dry run prints under `title` (`    TITLE cdb: [..]`, then
/// the list's hex lines after the next line that names it).
fn printed(out: &str, title: &str) -> (Vec<u8>, Vec<u8>) {
    let bytes = |s: &str| -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).expect("hex byte"))
            .collect()
    };
    let lines: Vec<&str> = out.lines().collect();
    let head = format!("    {title} cdb: [");
    let i = lines
        .iter()
        .position(|l| l.starts_with(&head))
        .unwrap_or_else(|| panic!("no {head:?} in {out}"));
    let cdb = bytes(lines[i][head.len()..].trim_end_matches(']'));
    let mut list = Vec::new();
    if lines
        .get(i + 1)
        .is_some_and(|l| l.starts_with("    ") && l.contains("arameter list"))
    {
        for l in &lines[i + 2..] {
            if l.is_empty()
                || l.starts_with("    ")
                || !l.chars().all(|c| c.is_ascii_hexdigit() || c == ' ')
            {
                break;
            }
            list.extend(bytes(l));
        }
    }
    (cdb, list)
}

#[test]
fn tcmu_dry_run_changes_nothing_and_prints_the_bytes_the_real_run_sends() {
    // format --size=512 on a 520-byte disk: MODE SELECT and FORMAT UNIT.
    let disk = Disk::new(DEFAULT_BLOCKS, 520);
    let t = target("dryfmt", &disk);
    let options = ["format", "--format", "--quick", "--size=512", "--early"];
    let dry: Vec<&str> = options.iter().copied().chain(["--dry-run"]).collect();
    let run = sgmap(&[&dry[..], &[&t.sg()[..]]].concat());
    run.status(0);
    let record = t.commands();
    assert!(
        opcodes(&record)
            .iter()
            .all(|op| !matches!(op, 0x04 | 0x15 | 0x55 | 0x48)),
        "nothing that changes the medium: {record:02x?}"
    );
    assert_eq!((disk.block_size(), disk.completed()), (520, vec![]));
    // The dry run's CDB lines are on stderr, where sg_format's -vvv prints them.
    let out = run.stderr.clone();
    let select = printed(&out, "mode select(10)");
    let format = printed(&out, "Format unit");
    t.clear_record();
    sgmap(&[&options[..], &[&t.sg()[..]]].concat()).status(0);
    let record = t.commands();
    assert_eq!(only(&record, 0x55, "format"), &select, "{out}");
    assert_eq!(only(&record, 0x04, "format"), &format, "{out}");
    assert!(!format.1.is_empty() && !select.1.is_empty());
    drop(t);

    // sanitize --overwrite with a parameter list.
    let pattern = scratch_file("tcmu-dry-pattern.bin", &PATTERN);
    let disk = Disk::new(DEFAULT_BLOCKS, DEFAULT_BLOCK_SIZE);
    let t = target("drysan", &disk);
    let p = format!("--pattern={pattern}");
    let options = [
        "sanitize",
        "--overwrite",
        &p,
        "--count=2",
        "--invert",
        "--quick",
        "--early",
    ];
    let dry: Vec<&str> = options.iter().copied().chain(["--dry-run"]).collect();
    let run = sgmap(&[&dry[..], &[&t.sg()[..]]].concat());
    run.status(0);
    let record = t.commands();
    assert!(
        opcodes(&record)
            .iter()
            .all(|op| !matches!(op, 0x04 | 0x15 | 0x55 | 0x48)),
        "nothing that changes the medium: {record:02x?}"
    );
    assert!(disk.completed().is_empty());
    let out = run.stderr.clone();
    let sanitize = printed(&out, "Sanitize");
    t.clear_record();
    sgmap(&[&options[..], &[&t.sg()[..]]].concat()).status(0);
    assert_eq!(only(&t.commands(), 0x48, "sanitize"), &sanitize, "{out}");
    assert_eq!(sanitize.1.len(), 8, "{out}");
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
