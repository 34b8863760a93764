//! Nothing panics on input: 1,200 random command lines, made of each tool's own
//! long options (whole and abbreviated, with and without values), random short letters,
//! dd operands and awkward values, run through links named for every tool sgmap answers
//! to. Each must end with an exit status of its own choosing: not a panic (status 101, or
//! "panicked" on stderr), not a signal, not a hang.
//!
//! No SCSI device is named: the operands are `/dev/null`, `/dev/zero`, a directory, a
//! missing path and files of the test's own directory, which is also the working
//! directory (so that whatever a command writes stays there). Fixed seeds: a failure is
//! the same on every run and names its command line.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What each tool gives getopt_long, as sgmap knows it (one line a tool).
const GETOPT: &str = include_str!("../src/help/getopt.txt");

/// Operands of the dd tools.
const DD_OPERANDS: &[&str] = &[
    "if", "of", "bs", "ibs", "obs", "bpt", "count", "skip", "seek", "iflag", "oflag", "coe",
    "time", "verbose", "thr", "sync", "dio", "cdbsz", "retries", "odir", "fua", "conv", "append",
    "blk_sgio", "deb", "dry-run",
];

/// Values that are wrong, at a limit or odd.
const VALUES: &[&str] = &[
    "",
    "0",
    "1",
    "2",
    "-1",
    "-5",
    "0x",
    "0x80",
    "0xffffffffffffffff",
    "99999999999999999999",
    "a",
    "=",
    "sn",
    "di",
    "sinq",
    "1k",
    "1kb",
    "512b",
    "1m",
    "8g",
    "3t",
    "1e",
    "255",
    "256",
    "65536",
    "-",
    "0,1",
    "1,act",
    "4k,act",
    "x,y",
    "-1,",
    "2,3,4",
    "direct,sparse",
    "nocache",
    "\u{e9}t\u{e9}",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "/dev/null",
    "data",
    "missing",
];

/// The operands that may name a device.
const PATHS: &[&str] = &["/dev/null", "/dev/zero", "data", "missing", "dir", "."];

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The tools and their long option names; the dd tools have none (operands instead).
fn tools() -> Vec<(String, Vec<String>)> {
    let mut tools: Vec<(String, Vec<String>)> = GETOPT
        .lines()
        .filter_map(|line| {
            let mut words = line.split(' ');
            let tool = words.next()?.to_owned();
            let _option_string = words.next()?;
            let names = words
                .map(|o| o.trim_start_matches('+'))
                .flat_map(|o| o.split(','))
                .map(str::to_owned)
                .collect();
            Some((tool, names))
        })
        .collect();
    for dd in ["sg_dd", "sgm_dd", "sgp_dd"] {
        tools.push((dd.to_owned(), Vec::new()));
    }
    tools
}

/// One random command line for a tool whose long options are `names` (none: a dd tool).
fn command_line(rng: &mut Rng, names: &[String]) -> Vec<String> {
    let mut args = Vec::new();
    for _ in 0..rng.below(7) {
        if names.is_empty() && rng.chance(60) {
            args.push(format!("{}={}", rng.pick(DD_OPERANDS), rng.pick(VALUES)));
        } else if !names.is_empty() && rng.chance(50) {
            let name = &names[rng.below(names.len())];
            let name = if rng.chance(30) {
                &name[..1 + rng.below(name.len())]
            } else {
                name.as_str()
            };
            if rng.chance(50) {
                args.push(format!("--{name}={}", rng.pick(VALUES)));
            } else {
                args.push(format!("--{name}"));
            }
        } else if rng.chance(60) {
            let letters: String = (0..1 + rng.below(3))
                .map(|_| {
                    let set = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
                    char::from(set[rng.below(set.len())])
                })
                .collect();
            args.push(format!("-{letters}"));
        } else {
            args.push(rng.pick(VALUES).to_owned());
        }
    }
    if rng.chance(50) {
        args.push(rng.pick(PATHS).to_owned());
    }
    args
}

/// How one run ended, when it is a failure.
fn failure(link: &Path, args: &[String], dir: &Path) -> Option<String> {
    let mut child = Command::new(link)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sgmap");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for sgmap") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Some("no end after 30 s".to_owned());
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
    }
    match status.code() {
        None => Some(format!("ended by a signal ({status})")),
        Some(101) => Some(format!("status 101: {stderr}")),
        Some(_) if stderr.contains("panicked") => Some(format!("panicked: {stderr}")),
        Some(_) => None,
    }
}

/// The test's directory: links named for the tools, and the files the operands name.
fn setup() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("random_command_lines");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("dir")).expect("mkdir");
    fs::write(dir.join("data"), vec![0x5au8; 4096]).expect("write data");
    for (tool, _) in tools() {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_sgmap"), dir.join(&tool))
            .expect("link a tool name");
    }
    dir
}

#[test]
fn random_command_lines_under_every_tool_name_end_without_a_panic() {
    let dir = setup();
    let tools = tools();
    let mut failures = Vec::new();
    for seed in 1..=2u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        for _ in 0..600 {
            let (tool, names) = &tools[rng.below(tools.len())];
            let args = command_line(&mut rng, names);
            if let Some(why) = failure(&dir.join(tool), &args, &dir) {
                failures.push(format!("{tool} {args:?}: {why}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 1200 command lines failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
