//! Conformance of the unit commands with sg3_utils 1.46 (issue 18): `readcap`, `tur`,
//! `requests`, `start`, `sync`, `verify`, `luns` and `opcodes`, each run as `sgmap COMMAND`,
//! through a link named for the tool (busybox-style) and as the real tool, with every option
//! of the tool's 1.46 usage text (short and long forms, combined short flags), on the sg
//! node and on the block node, and without a device where the tool allows: the same exit
//! status and the same standard output; with `-v`, the same CDB lines on stderr; with
//! `-V`, the same version line.
//!
//! Each tool's table runs whole and reports every difference at once. The cases that open
//! no device (a missing path, `/dev/null`, a directory, no DEVICE, usage, `-V`) and those
//! that need none (`sg_luns --test`, `sg_opcodes --enumerate`) are each tool's
//! `*_without_a_device_*` test: they are the same in every phase, so one phase of each
//! architecture runs them (`ONCE` in guest-init.rs).

mod cli_common;

use std::sync::Mutex;

use cli_common::*;

/// The tests of this file share one unit, and some stop it: one at a time.
static UNIT: Mutex<()> = Mutex::new(());

/// How a case's output is compared.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cmp {
    /// Exit status and stdout; with `-v` in the arguments, the CDB lines of stderr too.
    Out,
    /// Exit status, stdout and stderr (`-V`).
    All,
    /// Exit status, and stdout with every run of digits replaced (timings).
    Digits,
    /// Exit status only: sg_turs prints its usage on stdout, and sgmap prints its own
    /// usage text, not sg3_utils'.
    Status,
}

/// `DEV` in a case's arguments stands for the device.
const DEV: &str = "DEV";

/// The lines of `stderr` that show a CDB as sg3_utils prints them at `-v`.
fn cdb_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains("cdb: ") || l.trim_start().starts_with("cdb:"))
        .collect()
}

fn digits_masked(b: &[u8]) -> String {
    let mut s = String::new();
    for c in String::from_utf8_lossy(b).chars() {
        if !c.is_ascii_digit() {
            s.push(c);
        } else if !s.ends_with('#') {
            s.push('#');
        }
    }
    s
}

/// Runs one case three ways; `Err` describes every way they differ.
fn compare(command: &str, tool: &str, args: &[&str], cmp: Cmp) -> Result<Run, String> {
    let theirs = sg3(tool, args);
    let mut sub = vec![command];
    sub.extend_from_slice(args);
    let verbose = args.iter().any(|a| {
        *a == "--verbose" || (a.starts_with('-') && !a.starts_with("--") && a.contains('v'))
    });
    let mut why = String::new();
    for ours in [sgmap(&sub), as_tool(tool, args)] {
        let mut bad = Vec::new();
        if ours.code != theirs.code {
            bad.push("exit status");
        }
        let same_out = match cmp {
            Cmp::Digits => digits_masked(&ours.stdout) == digits_masked(&theirs.stdout),
            Cmp::Status => true,
            _ => ours.stdout == theirs.stdout,
        };
        if !same_out {
            bad.push("stdout");
        }
        if cmp == Cmp::All && ours.stderr != theirs.stderr {
            bad.push("stderr");
        }
        if cmp == Cmp::Out && verbose && cdb_lines(&ours.stderr) != cdb_lines(&theirs.stderr) {
            bad.push("CDB lines on stderr");
        }
        if !bad.is_empty() {
            why.push_str(&format!(
                "\n--- {} differ:\n{ours:?}\nsg3_utils:\n{theirs:?}\n",
                bad.join(", ")
            ));
        }
    }
    if why.is_empty() {
        Ok(theirs)
    } else {
        Err(why)
    }
}

/// Runs a tool's table: each case with `DEV` replaced by the sg node and by the block node
/// (once when it names no device); panics with every difference.
#[track_caller]
fn table(command: &str, tool: &str, cases: &[(&[&str], Cmp)]) {
    let env = Env::get();
    let mut failures = Vec::new();
    let mut runs = 0;
    for (args, cmp) in cases {
        let devices: &[&str] = if args.contains(&DEV) {
            &[&env.sg, &env.block]
        } else {
            &[""]
        };
        for device in devices {
            let args: Vec<&str> = args
                .iter()
                .map(|a| if *a == DEV { *device } else { *a })
                .collect();
            runs += 1;
            if let Err(why) = compare(command, tool, &args, *cmp) {
                failures.push(format!("{tool} {}:{why}", args.join(" ")));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {runs} {tool} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

use Cmp::{All, Digits, Out, Status};

/// The open failures every tool shares: a missing path, a file that is no SCSI node, a
/// directory, and no DEVICE at all; usage and version. No device is opened.
const OPEN_FAILURES: &[(&[&str], Cmp)] = &[
    (&["/nonexistent/sgmap"], Out),
    (&["/dev/null"], Out),
    (&["/"], Out),
    (&[], Out),
    (&["-V"], All),
    (&["--version"], All),
    (&["-h"], Out),
    (&["--help"], Out),
    (&["-vV"], All),
];

#[test]
fn readcap_without_a_device_is_sg_readcap() {
    table("readcap", "sg_readcap", OPEN_FAILURES);
}

#[test]
fn readcap_options_are_sg_readcaps() {
    let _g = UNIT.lock().unwrap_or_else(|e| e.into_inner());
    table(
        "readcap",
        "sg_readcap",
        &[
            (&[DEV, "extra"], Out),
            (&[DEV], Out),
            (&["-b", DEV], Out),
            (&["--brief", DEV], Out),
            (&["-16", DEV], Out),
            (&["--16", DEV], Out),
            (&["-l", DEV], Out),
            (&["--long", DEV], Out),
            (&["-H", DEV], Out),
            (&["--hex", DEV], Out),
            (&["-HH", DEV], Out),
            (&["-HHH", DEV], Out),
            (&["-lH", DEV], Out),
            (&["-Hl", DEV], Out),
            (&["-lHHH", DEV], Out),
            (&["-r", DEV], Out),
            (&["--raw", DEV], Out),
            (&["-lr", DEV], Out),
            (&["-p", DEV], Out),
            (&["--pmi", DEV], Out),
            (&["-p", "-L", "0x10", DEV], Out),
            (&["--pmi", "--lba=16", DEV], Out),
            (&["-lp", "--lba=0x100000000", DEV], Out),
            (&["-L", "5", DEV], Out),
            (&["--lba=junk", "-p", DEV], Out),
            (&["-z", DEV], Out),
            (&["--zbc", DEV], Out),
            (&["-R", DEV], Out),
            (&["--readonly", "-l", DEV], Out),
            (&["-lR", DEV], Out),
            (&["-bl", DEV], Out),
            (&["-bH", DEV], Out),
            (&["-Hr", DEV], Out),
            (&["-N", DEV], Out),
            (&["--new", DEV], Out),
            (&["-v", DEV], Out),
            (&["-vv", "-l", DEV], Out),
            (&["--verbose", "-b", DEV], Out),
            (&["-bv", DEV], Out),
            (&["--bogus", DEV], Out),
            // Long options abbreviated as getopt_long takes them.
            (&["--lo", "--verb", DEV], Out),
            (&["--b", DEV], Out),
            (&["-X", DEV], Out),
            // The old interface (--old, -O).
            (&["-O", "-16", DEV], Out),
            (&["-O", "-b", DEV], Out),
            (&["-O", "-H", DEV], Out),
            (&["--old", "-r", DEV], Out),
            (&["-O", "-pmi", "-lba=10", DEV], Out),
            (&["-O", "-lba=10", DEV], Out),
            (&["-O", "-lba=zz", "-pmi", DEV], Out),
            (&["-O", "-bogus", DEV], Out),
            (&["-O", "-z", DEV], Out),
            (&["-O", "-R", "-16", DEV], Out),
            (&["-O", "-v", DEV], Out),
            (&["-O", "-h", DEV], Out),
            (&["-O", "-N", "-b", DEV], Out),
            (&["-O", DEV, "extra"], Out),
        ],
    );
}

#[test]
fn tur_without_a_device_is_sg_turs() {
    table(
        "tur",
        "sg_turs",
        &[
            (&["/nonexistent/sgmap"], Out),
            (&["/dev/null"], Out),
            (&["/"], Out),
            (&[], Status),
            (&["-V"], All),
            (&["--version"], All),
            (&["-h"], Status),
            (&["--help"], Status),
            (&["-vV"], All),
        ],
    );
}

#[test]
fn tur_options_are_sg_turs() {
    let _g = UNIT.lock().unwrap_or_else(|e| e.into_inner());
    table(
        "tur",
        "sg_turs",
        &[
            (&[DEV, "extra"], Status),
            (&[DEV], Out),
            (&["-n", "3", DEV], Out),
            (&["-n3", DEV], Out),
            (&["--number=3", DEV], Out),
            (&["--num=2", DEV], Out),
            (&["--number", "2", DEV], Out),
            (&["-n", "0", DEV], Out),
            (&["-n", "junk", DEV], Status),
            (&["-d", "10", DEV], Out),
            (&["--delay=1", "-n", "2", DEV], Out),
            (&["-d", "junk", DEV], Status),
            (&["-l", DEV], Out),
            (&["--low", DEV], Out),
            (&["-ln", "3", DEV], Out),
            (&["-t", DEV], Digits),
            (&["--time", "-n", "5", DEV], Digits),
            (&["-lt", DEV], Digits),
            (&["-p", DEV], Out),
            (&["--progress", DEV], Out),
            (&["-p", "-d", "1", "-n", "2", DEV], Out),
            (&["-N", DEV], Out),
            (&["--new", DEV], Out),
            (&["-v", DEV], Out),
            (&["-vv", "-n", "2", DEV], Out),
            (&["-lv", DEV], Out),
            (&["--verbose", DEV], Out),
            (&["--bogus", DEV], Status),
            (&["--nu=2", DEV], Out),
            (&["--n=2", DEV], Status),
            // The old interface (--old, -O); its errors print its usage on stdout.
            (&["-O", "-n=3", DEV], Out),
            (&["-O", "-d=1", "-n=2", DEV], Out),
            (&["-O", "-p", DEV], Out),
            (&["-O", "-t", DEV], Digits),
            (&["-O", DEV, "-l"], Out),
            (&["-O", "-l", DEV], Status),
            (&["-O", "-n=0", DEV], Status),
            (&["-O", "-h", DEV], Status),
            (&["--old", "-v", DEV], Out),
            (&["-O", "-N", "-n", "2", DEV], Status),
        ],
    );
}

#[test]
fn requests_without_a_device_is_sg_requests() {
    table("requests", "sg_requests", OPEN_FAILURES);
}

#[test]
fn requests_options_are_sg_requests() {
    let _g = UNIT.lock().unwrap_or_else(|e| e.into_inner());
    table(
        "requests",
        "sg_requests",
        &[
            (&[DEV, "extra"], Out),
            (&[DEV], Out),
            (&["-d", DEV], Out),
            (&["--desc", DEV], Out),
            (&["-H", DEV], Out),
            (&["--hex", DEV], Out),
            (&["-dH", DEV], Out),
            (&["-r", DEV], Out),
            (&["--raw", DEV], Out),
            (&["-m", "18", "-H", DEV], Out),
            (&["--maxlen=8", "--hex", DEV], Out),
            (&["--maxlen=0", DEV], Out),
            (&["--maxlen=300", DEV], Out),
            (&["-n", "3", DEV], Out),
            (&["--num=2", "-H", DEV], Out),
            (&["--number=2", DEV], Out),
            (&["-n", "0", DEV], Out),
            (&["-s", DEV], Out),
            (&["--status", DEV], Out),
            (&["-p", DEV], Out),
            (&["--progress", DEV], Out),
            (&["-pH", DEV], Out),
            (&["-t", DEV], Digits),
            (&["--time", "-n", "4", DEV], Digits),
            (&["-rt", DEV], Out),
            (&["-v", DEV], Out),
            (&["-vv", "-d", DEV], Out),
            (&["-vH", DEV], Out),
            (&["--bogus", DEV], Out),
            (&["--st", DEV], Out),
            (&["--he", DEV], Out),
        ],
    );
    // Opcode FFh leaves QEMU's disk with that ILLEGAL REQUEST as the sense the next
    // REQUEST SENSE returns: these go last, and a REQUEST SENSE takes it away after.
    let env = Env::get();
    table(
        "requests",
        "sg_requests",
        &[
            (&["-e", DEV], Out),
            (&["--error", DEV], Out),
            (&["-ee", DEV], Out),
        ],
    );
    sgmap(&["requests", &env.sg]);
}

#[test]
fn start_without_a_device_is_sg_start() {
    table("start", "sg_start", OPEN_FAILURES);
}

#[test]
fn start_options_are_sg_starts() {
    let _g = UNIT.lock().unwrap_or_else(|e| e.into_inner());
    let env = Env::get();
    // Each case that may stop the unit is followed by a start.
    let cases: &[&[&str]] = &[
        &[DEV, "extra"],
        &[DEV],
        &["1", DEV],
        &[DEV, "1"],
        &["0", DEV],
        &["-s", DEV],
        &["--start", DEV],
        &["-S", DEV],
        &["--stop", DEV],
        &["-e", DEV],
        &["--eject", DEV],
        &["-l", DEV],
        &["--load", DEV],
        &["-L", DEV],
        &["--loej", DEV],
        &["-LS", DEV],
        &["-i", DEV],
        &["--immed", "--stop", DEV],
        &["-iS", DEV],
        &["-n", "-S", DEV],
        &["--noflush", "--stop", DEV],
        &["-p", "3", DEV],
        &["--pc=1", DEV],
        &["--pc=2", "--mod=1", DEV],
        &["-p", "2", "-m", "2", DEV],
        &["--pc=16", DEV],
        &["-f", "1", DEV],
        &["--fl=0", DEV],
        &["--fl=1", "--stop", DEV],
        &["--fl=1", "--pc=2", DEV],
        &["-r", DEV],
        &["--readonly", "--stop", DEV],
        &["-N", DEV],
        &["--new", DEV],
        &["-s", "-S", DEV],
        &["--load", "--eject", DEV],
        &["0", "1", DEV],
        &["-v", DEV],
        &["-vv", "-S", DEV],
        &["--verbose", "-iS", DEV],
        &["--bogus", DEV],
        &["--sta", DEV],
        &["--st", DEV],
        // The old interface (--old, -O).
        &["-O", "0", DEV],
        &["-O", "1", DEV],
        &["-O", "--stop", DEV],
        &["-O", "--start", DEV],
        &["-O", "-eject", DEV],
        &["-O", "--load", DEV],
        &["-O", "--loej", DEV],
        &["-O", "-i", "--stop", DEV],
        &["-O", "--imm=1", "0", DEV],
        &["-O", "--imm=2", DEV],
        &["-O", "--noflush", "0", DEV],
        &["-O", "--pc=2", DEV],
        &["-O", "--pc=10", DEV],
        &["-O", "--mod=1", DEV],
        &["-O", "--fl=1", DEV],
        &["-O", "--start", "--stop", DEV],
        &["-O", "1", "0", DEV],
        &["-O", "-r", "1", DEV],
        &["-O", "-S", DEV],
        &["-O", "-v", "0", DEV],
        &["-O", "-N", "-S", DEV],
    ];
    let mut failures = Vec::new();
    for args in cases {
        for device in [&env.sg, &env.block] {
            let args: Vec<&str> = args
                .iter()
                .map(|a| if *a == DEV { device.as_str() } else { *a })
                .collect();
            if let Err(why) = compare("start", "sg_start", &args, Out) {
                failures.push(format!("sg_start {}:{why}", args.join(" ")));
            }
            sgmap(&["start", device]);
            clear_unit_attention(&env.sg);
        }
    }
    assert!(
        failures.is_empty(),
        "{} sg_start cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn sync_without_a_device_is_sg_sync() {
    table("sync", "sg_sync", OPEN_FAILURES);
}

#[test]
fn sync_options_are_sg_syncs() {
    let _g = UNIT.lock().unwrap_or_else(|e| e.into_inner());
    table(
        "sync",
        "sg_sync",
        &[
            (&[DEV, "extra"], Out),
            (&[DEV], Out),
            (&["-S", DEV], Out),
            (&["--16", DEV], Out),
            (&["-c", "8", DEV], Out),
            (&["--count=8", "--lba=16", DEV], Out),
            (&["-l", "0x10", "-c", "1", DEV], Out),
            (&["--count=70000", DEV], Out),
            (&["--count=70000", "--16", DEV], Out),
            (&["--lba=0x100000001", DEV], Out),
            (&["--lba=0x100000001", "-S", DEV], Out),
            (&["--count=junk", DEV], Out),
            (&["-g", "3", DEV], Out),
            (&["--group=5", "-S", DEV], Out),
            (&["--group=64", DEV], Out),
            (&["-i", DEV], Out),
            (&["--immed", DEV], Out),
            (&["-s", DEV], Out),
            (&["--sync-nv", DEV], Out),
            (&["-t", "30", "-S", DEV], Out),
            (&["--timeout=20", DEV], Out),
            (&["-iSs", DEV], Out),
            (&["-v", DEV], Out),
            (&["-vS", DEV], Out),
            (&["-vv", "--16", "-c", "4", DEV], Out),
            (&["--verbose", "-i", DEV], Out),
            (&["--bogus", DEV], Out),
            (&["--imm", "--sync", DEV], Out),
        ],
    );
}

#[test]
fn verify_without_a_device_is_sg_verify() {
    table("verify", "sg_verify", OPEN_FAILURES);
}

#[test]
fn verify_options_are_sg_verifys() {
    let _g = UNIT.lock().unwrap_or_else(|e| e.into_inner());
    let env = Env::get();
    let bs = env.bs();
    let ss = env.ss as usize;
    let data = scratch_file("conform-verify-in", &read_block(&env.block, 0, 2 * ss));
    let zeros = scratch_file("conform-verify-zeros", &vec![0xa5u8; 2 * ss]);
    let ndo1 = format!("--ndo={bs}");
    let ndo2 = format!("--ndo={}", 2 * ss);
    let in_data = format!("--in={data}");
    let in_zeros = format!("--in={zeros}");
    let cases: Vec<(Vec<&str>, Cmp)> = vec![
        (vec![DEV, "extra"], Out),
        (vec![DEV], Out),
        (vec!["-c", "4", DEV], Out),
        (vec!["--count=4", "--lba=8", DEV], Out),
        (vec!["-l", "0x10", DEV], Out),
        (vec!["-S", DEV], Out),
        (vec!["--16", "-c", "2", DEV], Out),
        (vec!["-b", "2", "-c", "5", DEV], Out),
        (vec!["--bpc=3", "--count=7", DEV], Out),
        (vec!["-d", DEV], Out),
        (vec!["--dpo", DEV], Out),
        (vec!["-g", "3", DEV], Out),
        (vec!["--group=2", "-S", DEV], Out),
        (vec!["-P", "0", DEV], Out),
        (vec!["--vrprotect=1", DEV], Out),
        (vec!["-q", DEV], Out),
        (vec!["--quiet", "-c", "2", DEV], Out),
        (vec!["-r", DEV], Out),
        (vec!["--readonly", DEV], Out),
        (vec!["-c", "2", &ndo2, &in_data, DEV], Out),
        (vec!["-c", "2", "-n", "1024", "-i", &data, DEV], Out),
        (vec!["-c", "1", &ndo1, &in_data, DEV], Out),
        (vec!["-c", "2", &ndo2, &in_zeros, DEV], Out),
        (vec!["-q", "-c", "2", &ndo2, &in_zeros, DEV], Out),
        (vec!["-c", "2", "--nbo", "1024", &in_data, DEV], Out),
        (vec!["-c", "1", "--bytchk", &bs, &in_data, DEV], Out),
        (vec!["-c", "1", "-B", &bs, &in_data, DEV], Out),
        (vec!["-c", "1", "--ebytchk=1", &ndo1, &in_data, DEV], Out),
        (vec!["-c", "1", "-E", "3", &ndo1, &in_data, DEV], Out),
        (vec!["-c", "1", "-0", &ndo1, DEV], Out),
        (vec!["-c", "1", "--0", &ndo1, DEV], Out),
        (vec!["-c", "1", "-f", &ndo1, DEV], Out),
        (vec!["-c", "1", "--ff", &ndo1, DEV], Out),
        (vec!["--lba=0x100000000", DEV], Out),
        (vec!["--count=0x10000", DEV], Out),
        (vec!["--count=0x10000", "-S", DEV], Out),
        (vec!["-E", "4", DEV], Out),
        (vec!["-P", "8", DEV], Out),
        (vec!["-v", DEV], Out),
        (vec!["-vS", DEV], Out),
        (vec!["-vv", "-c", "3", DEV], Out),
        (vec!["-vvS", DEV], Out),
        (vec!["--bogus", DEV], Out),
        (vec!["--co=1", "--lb=0", DEV], Out),
    ];
    let cases: Vec<(&[&str], Cmp)> = cases.iter().map(|(a, c)| (a.as_slice(), *c)).collect();
    table("verify", "sg_verify", &cases);
}

#[test]
fn luns_without_a_device_is_sg_luns() {
    table("luns", "sg_luns", OPEN_FAILURES);
    table(
        "luns",
        "sg_luns",
        &[
            // --test decodes a LUN and needs no device.
            (&["-t", "0"], Out),
            (&["--test=0"], Out),
            (&["--test=0x0001000000000000"], Out),
            (&["-t", "0001000000000000"], Out),
            (&["-t", "4001"], Out),
            (&["-t", "40ff000000000000", "-H"], Out),
            (&["-t", "c1000000000000000", "-d"], Out),
            (&["-t", "d200", "-dd"], Out),
            (&["-t", "e2000000000003e8"], Out),
            (&["-t", "e3000000000003e8", "-HH"], Out),
            (&["-t", "f2000000000003e8"], Out),
            (&["-t", "c101000000000000"], Out),
            (&["-t", "c1ff000000000000"], Out),
            (&["-t", "0101-0202-0303-0404"], Out),
            (&["-t", "01 02 03 04"], Out),
            (&["-t", "L5"], Out),
            (&["-t", "L0x4001"], Out),
            (&["-t", "4005L"], Out),
            (&["-t", "4005L", "-H"], Out),
            (&["-t", "4005L", "-HH"], Out),
            (&["-t", "L1073758208", "-d"], Out),
            (&["-t", "Ljunk"], Out),
            (&["-t", "zz"], Out),
            (&["-t", "4001", "-L"], Out),
            (&["-t", "4001", "-LL"], Out),
            (&["-t", "0001000000000000", "-L"], Out),
            (&["-t", "4001", "-v"], Out),
        ],
    );
}

#[test]
fn luns_options_are_sg_luns() {
    let _g = UNIT.lock().unwrap_or_else(|e| e.into_inner());
    table(
        "luns",
        "sg_luns",
        &[
            (&[DEV, "extra"], Out),
            (&[DEV], Out),
            (&["-d", DEV], Out),
            (&["--decode", DEV], Out),
            (&["-dd", DEV], Out),
            (&["-H", DEV], Out),
            (&["--hex", DEV], Out),
            (&["-HH", DEV], Out),
            (&["-dH", DEV], Out),
            (&["-l", DEV], Out),
            (&["--linux", DEV], Out),
            (&["-dl", DEV], Out),
            (&["-L", "-d", DEV], Out),
            (&["--lu_cong", "-d", DEV], Out),
            (&["--lu-cong", "-d", DEV], Out),
            (&["-LL", "-d", DEV], Out),
            (&["-m", "16", DEV], Out),
            (&["--maxlen=4", DEV], Out),
            (&["--maxlen=0", DEV], Out),
            (&["-q", DEV], Out),
            (&["--quiet", DEV], Out),
            (&["-r", DEV], Out),
            (&["--raw", DEV], Out),
            (&["-R", DEV], Out),
            (&["--readonly", DEV], Out),
            (&["-s", "1", DEV], Out),
            (&["--select=2", DEV], Out),
            (&["--select=0x10", DEV], Out),
            (&["--select=256", DEV], Out),
            (&["-v", DEV], Out),
            (&["-vv", "-d", DEV], Out),
            (&["--verbose", "-q", DEV], Out),
            (&["--bogus", DEV], Out),
            (&["--de", "--lu", DEV], Out),
            (&["-t", "4001", DEV], Out),
        ],
    );
}

#[test]
fn opcodes_without_a_device_is_sg_opcodes() {
    table("opcodes", "sg_opcodes", OPEN_FAILURES);
    table(
        "opcodes",
        "sg_opcodes",
        &[
            // --enumerate lists sg3_utils' own table and needs no device.
            (&["-e"], Out),
            (&["--enumerate"], Out),
            (&["-e", "-a"], Out),
            (&["-e", "-u"], Out),
            (&["-e", "--pdt=1"], Out),
            (&["-e", "-o", "0x12"], Out),
            (&["-e", "-o", "0x9e", "-s", "0x10"], Out),
            (&["-e", "-o", "0x9e,0x10"], Out),
            (&["-O", "-e", "-o=28"], Out),
        ],
    );
}

#[test]
fn opcodes_options_are_sg_opcodes() {
    let _g = UNIT.lock().unwrap_or_else(|e| e.into_inner());
    table(
        "opcodes",
        "sg_opcodes",
        &[
            (&[DEV, "extra"], Out),
            (&[DEV], Out),
            (&["-a", DEV], Out),
            (&["--alpha", DEV], Out),
            (&["-c", DEV], Out),
            (&["--compact", DEV], Out),
            (&["-ac", DEV], Out),
            (&["-H", DEV], Out),
            (&["--hex", DEV], Out),
            (&["-HH", DEV], Out),
            (&["-HHH", DEV], Out),
            (&["-m", DEV], Out),
            (&["--mask", DEV], Out),
            (&["-M", DEV], Out),
            (&["--mlu", DEV], Out),
            (&["-n", DEV], Out),
            (&["--no-inquiry", DEV], Out),
            (&["--no_inquiry", DEV], Out),
            (&["-N", DEV], Out),
            (&["--new", DEV], Out),
            (&["-o", "0x12", DEV], Out),
            (&["--opcode=0x28", DEV], Out),
            (&["--opcode=0x9e,0x10", DEV], Out),
            (&["-o", "0x9e", "-s", "0x10", DEV], Out),
            (&["--opcode=0x28", "-m", DEV], Out),
            (&["--opcode=0x28", "-H", DEV], Out),
            (&["--opcode=0x28", "-r", DEV], Out),
            (&["--opcode=0x28", "-R", DEV], Out),
            (&["--opcode=0xee", DEV], Out),
            (&["--opcode=0x100", DEV], Out),
            (&["-p", "0", DEV], Out),
            (&["--pdt=5", DEV], Out),
            (&["-r", DEV], Out),
            (&["--raw", DEV], Out),
            (&["-R", DEV], Out),
            (&["--rctd", DEV], Out),
            (&["-q", DEV], Out),
            (&["--repd", DEV], Out),
            (&["--sa=1", DEV], Out),
            (&["-t", DEV], Out),
            (&["--tmf", DEV], Out),
            (&["-tH", DEV], Out),
            (&["-u", DEV], Out),
            (&["--unsorted", DEV], Out),
            (&["-v", DEV], Out),
            (&["-vv", "-t", DEV], Out),
            (&["--verbose", "-n", DEV], Out),
            (&["--bogus", DEV], Out),
            (&["--al", DEV], Out),
            // The old interface (--old, -O).
            (&["-O", DEV], Out),
            (&["-O", "-o=12", DEV], Out),
            (&["-O", "-o=9e", "-s=10", DEV], Out),
            (&["-O", "-p=0", "-n", DEV], Out),
            (&["-O", "-H", DEV], Out),
            (&["--old", "-t", DEV], Out),
            (&["-O", "-ac", DEV], Out),
            (&["-O", "-o=zz", DEV], Out),
            (&["-O", "-p=40", DEV], Out),
            (&["-O", "-x", DEV], Out),
            (&["-O", "-N", "-a", DEV], Out),
        ],
    );
}
