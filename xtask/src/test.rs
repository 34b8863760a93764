//! `cargo xtask test`: the project's test command.
//!
//! 1. On the host: `cargo test --workspace`, then the builds that prove what tests cannot:
//!    `sgmap-core` for a bare-metal target (no std, no alloc) and a 32-bit one (the ABI
//!    layout asserts), `sgmap-sys` without default features (no_std), with its `no_std`
//!    example, and the `sgmap` command without its name tables (`--no-default-features`).
//! 2. In a QEMU guest (see `guest.rs`): the `sgmap-tests` test binaries, built static for
//!    musl (line tables only, compressed: [`guest::guest_cargo`]), and the release `sgmap`
//!    that `cargo xtask dist` ships, run by the guest init once per phase (scsi_debug at 512
//!    and 4096-byte sectors, then QEMU's own disk). A fourth phase, `i686-sdebug-512`, runs
//!    the library's tests built for `i686-unknown-linux-musl` ([`TESTS_32`]) against
//!    scsi_debug at 512-byte sectors: 32-bit processes on the amd64 kernel go through its
//!    compat path, which reads the 64-byte 32-bit `sg_io_hdr`, so the 32-bit ABI is proven
//!    against the real driver.
//! 3. In a second guest, arm64 (`qemu-system-aarch64 -M virt` under TCG, Debian's arm64
//!    kernel): the phase `aarch64-qemu-disk`, the same test binaries and `sgmap` built for
//!    `aarch64-unknown-linux-musl`, with sg3_utils from Debian's arm64 packages, against
//!    QEMU's disk. That kernel has no scsi_debug: the tests named `scsi_debug_*` are left
//!    out there, and the phase's `SGMAP-PHASE-NOTE` line (repeated in the summary) says how
//!    many.
//! 4. Only with `--phase armhf-qemu-disk` ([`OPT_IN_PHASES`]; CI runs it so, after the
//!    rest): a third guest, armhf (`qemu-system-arm -M virt`, Debian's armmp-lpae kernel),
//!    whose phase `armhf-qemu-disk` runs the same again, built for
//!    `armv7-unknown-linux-musleabihf` (std from source: `armv7.rs`; the shipped `sgmap` in
//!    Thumb-2, the test binaries in A32), with Debian's armhf sg3_utils. A 32-bit process
//!    on a 32-bit kernel: the native 64-byte `sg_io_hdr`, where `i686-sdebug-512` proves
//!    the compat path.
//!
//! The guests boot ([`BOOTS`]) as soon as their binaries are built, and run at once: the
//! amd64 phases in two boots, the arm64 one beside them, built while the amd64 ones run
//! (`SGMAP_GUESTS_ONE_AT_A_TIME=1`: one after the other); each console line is echoed
//! after its boot's name. Some tests run in one phase only, or one phase of each
//! architecture (`ONCE` in guest-init.rs: what they wait on is sg3_utils' own sleeps, or
//! a target of their own, or they open no device), and the other phases' notes say where;
//! the `tcmu` binary runs beside the `conform_*` ones in the arm64 guest (`BESIDE`), its
//! time given by its `SGMAP-BESIDE` line.
//!
//! `--quick` is the dev loop: the host's tests, then the library's guest tests
//! ([`QUICK_TESTS`]) in [`QUICK_PHASE`] only.
//!
//! The summary gives each phase's count, then the times: the host's part, each guest's
//! boot, each phase against its budget ([`PHASE_BUDGETS`]) and the slowest test binaries;
//! a part over its budget gets a warning line, never a failure. The last line is
//! `N passed, N failed` over all of them; the exit status is non-zero when anything
//! failed.

use std::env;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::cargo::{build_executables, cargo, ensure_rust_targets, Artifact};
use crate::guest::{self, after, Boot, WorkDir};
use crate::targets::{Arch, AMD64, ARM64, ARMHF, GUEST_TARGET};
use crate::{command_line, dist, Result};

/// No std, no alloc: where `sgmap-core` must build.
const BARE_METAL_TARGET: &str = "thumbv7em-none-eabihf";
/// 32-bit pointers: the `sg_io_hdr` layout asserts for that width, and the guest's 32-bit
/// test binaries.
const TARGET_32: &str = "i686-unknown-linux-musl";
/// The sg3_utils programs the guest tests run beside sgmap (in `/usr/bin`).
const SG3_TOOLS: &[&str] = &[
    "sg_inq",
    "sg_readcap",
    "sg_turs",
    "sgm_dd",
    "sg_dd",
    "sgp_dd",
    "sg_raw",
    "sg_write_buffer",
    "sg_decode_sense",
    "sg_vpd",
    "sg_format",
    "sg_sanitize",
    "sg_requests",
    "sg_start",
    "sg_sync",
    "sg_verify",
    "sg_luns",
    "sg_opcodes",
    "sg_unmap",
    "sg_write_same",
    "sg_get_lba_status",
    "sg_modes",
    "rescan-scsi-bus.sh",
];
/// The amd64 guest's shell and the tools `rescan-scsi-bus.sh` calls (for `rescan`): bash,
/// busybox (the test links its applets), GNU find (`-printf`) and pr, which busybox lacks.
const SHELL_PACKAGES: &[(&str, &[&str])] = &[
    ("bash", &["bin/bash"]),
    ("busybox-static", &["bin/busybox"]),
    ("findutils", &["usr/bin/find"]),
    ("coreutils", &["usr/bin/pr"]),
];
/// Their libraries from Debian's packages rather than the host.
const SHELL_LIBRARIES: &[&str] = &["libtinfo6", "libselinux1", "libpcre2-8-0"];

/// The guest tests built for [`TARGET_32`] too, and all of them run in the
/// `i686-sdebug-512` phase, none skipped: the library's own tests. Not the `cli_*` ones
/// (they run the 64-bit `/bin/sgmap`: nothing 32-bit to prove). `async_io`, `queue`,
/// `timeout` and `once` submit with `write()`: on a 64-bit kernel sg_new_write() (Linux
/// 6.1) compares the count with its own 88-byte header before it reads a 32-bit process's
/// 64-byte one, which is why sgmap-sys pads the header it writes to 88 bytes; these tests
/// fail without the padding.
const TESTS_32: &[&str] = &[
    "driver", "open", "reserve", "mmap", "async_io", "queue", "timeout", "commands", "fork", "dio",
    "removal", "once",
];
/// Where the init finds the 32-bit test binaries (`TEST_DIR_32` in guest-init.rs).
const GUEST_DIR_32: &str = "tests-i686";
/// The phase that runs [`TESTS_32`].
const PHASE_32: &str = "i686-sdebug-512";
/// `--quick`: the library's guest tests (those of [`TESTS_32`]), in [`QUICK_PHASE`] only.
const QUICK_TESTS: &[&str] = TESTS_32;
const QUICK_PHASE: &str = "sdebug-512";

/// Passed and failed tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} passed, {} failed", self.passed, self.failed)
    }
}

/// The counts of a libtest summary line:
/// `test result: ok. 5 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; …`.
pub fn parse_test_result(line: &str) -> Option<Counts> {
    let rest = &line[line.find("test result: ")?..];
    let count = |word: &str| -> Option<u64> {
        rest.split(';')
            .find_map(|part| part.trim().strip_suffix(word))
            .and_then(|n| n.trim().rsplit(' ').next()?.parse().ok())
    };
    Some(Counts {
        passed: count("passed")?,
        failed: count("failed")?,
    })
}

/// The name of a failed test from libtest's `test <name> ... FAILED`.
fn parse_failed_test(line: &str) -> Option<&str> {
    line.strip_prefix("test ")?.strip_suffix(" ... FAILED")
}

#[derive(Debug, Default)]
struct Report {
    host: Option<Counts>,
    /// How long the host's tests took, and the builds after them.
    host_time: Option<Duration>,
    builds_time: Option<Duration>,
    guest: Option<GuestReport>,
    failures: Vec<String>,
}

pub fn run(args: &[String]) -> Result<bool> {
    let (mut host, mut guest, mut quick) = (true, true, false);
    let mut select = Selection::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--host-only" => guest = false,
            "--quick" => quick = true,
            "--guest-only" => host = false,
            opt @ ("--only" | "--phase") => {
                let list = args
                    .next()
                    .ok_or_else(|| format!("cargo xtask test: {opt} needs a list"))?;
                let names: Vec<String> = list.split(',').map(str::to_owned).collect();
                if names
                    .iter()
                    .any(|n| n.is_empty() || n.contains(char::is_whitespace))
                {
                    return Err(format!("cargo xtask test: {opt} {list:?}: a comma list"));
                }
                if opt == "--only" {
                    select.only = Some(names);
                } else {
                    let known: Vec<&str> = GUEST_PHASES.iter().map(|(p, _)| *p).collect();
                    if let Some(bad) = names.iter().find(|n| !known.contains(&n.as_str())) {
                        return Err(format!(
                            "cargo xtask test: --phase {bad}: the phases are {}",
                            known.join(", ")
                        ));
                    }
                    select.phases = Some(names);
                }
            }
            other => return Err(format!("cargo xtask test: unknown option {other:?}")),
        }
    }
    if quick {
        // The dev loop: the library's guest tests in the first phase, unless --only or
        // --phase chose otherwise.
        select
            .only
            .get_or_insert_with(|| QUICK_TESTS.iter().map(|&t| t.to_owned()).collect());
        select
            .phases
            .get_or_insert_with(|| vec![QUICK_PHASE.to_owned()]);
    }
    let started = Instant::now();
    ensure_rust_targets(&[GUEST_TARGET, BARE_METAL_TARGET, TARGET_32, ARM64.target])?;
    let mut report = Report::default();
    if host {
        let host_started = Instant::now();
        report.host = Some(host_tests(&mut report.failures)?);
        report.host_time = Some(host_started.elapsed());
    }
    if host && !quick {
        let builds_started = Instant::now();
        crate::run(cargo().args(["build", "-p", "sgmap-core", "--target", BARE_METAL_TARGET]))?;
        crate::run(cargo().args(["build", "-p", "sgmap-core", "--target", TARGET_32]))?;
        crate::run(cargo().args([
            "build",
            "-p",
            "sgmap-sys",
            "--no-default-features",
            "--lib",
            "--examples",
        ]))?;
        // The command without its name tables, the build choice `dist` prices.
        crate::run(cargo().args(["build", "-p", "sgmap", "--no-default-features"]))?;
        report.builds_time = Some(builds_started.elapsed());
    }
    if guest {
        report.guest = Some(guest_tests(&mut report.failures, &select)?);
    }
    Ok(print_summary(&report, started.elapsed()))
}

/// The host's tests: `cargo test --workspace`; `sgmap-sys` without its `std` feature (the
/// `no_std` library's own tests); `sgmap-core` and `sgmap-sys` as a 32-bit program (the
/// 64-byte `sg_io_hdr` goldens, which only a 32-bit build compiles). Their `test result:`
/// lines summed.
fn host_tests(failures: &mut Vec<String>) -> Result<Counts> {
    let runs: [&[&str]; 3] = [
        &["test", "--workspace", "--no-fail-fast"],
        &["test", "-p", "sgmap-sys", "--no-default-features", "--lib"],
        &[
            "test",
            "-p",
            "sgmap-core",
            "-p",
            "sgmap-sys",
            "--target",
            TARGET_32,
            "--lib",
            "--tests",
        ],
    ];
    let mut counts = Counts::default();
    for args in runs {
        counts.add(host_test_run(args, failures)?);
    }
    Ok(counts)
}

/// One `cargo test` run, its output streamed, its `test result:` lines summed.
fn host_test_run(args: &[&str], failures: &mut Vec<String>) -> Result<Counts> {
    let mut cmd = cargo();
    cmd.args(args).stdout(Stdio::piped());
    let line = command_line(&cmd);
    eprintln!("$ {line}");
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("{line}: cannot start: {e}"))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut counts = Counts::default();
    let mut results = 0;
    for out in BufReader::new(stdout).split(b'\n') {
        let out = out.map_err(|e| format!("{line}: reading its output: {e}"))?;
        let out = String::from_utf8_lossy(&out);
        println!("{out}");
        if let Some(c) = parse_test_result(&out) {
            counts.add(c);
            results += 1;
        }
        if let Some(name) = parse_failed_test(&out) {
            failures.push(format!("host: {name}"));
        }
    }
    let status = child.wait().map_err(|e| format!("{line}: {e}"))?;
    if !status.success() && counts.failed == 0 {
        // Not a failed test: a build error, or a test binary that crashed.
        return Err(format!("{line}: {status} without a failed test"));
    }
    if results == 0 {
        return Err(format!("{line}: no `test result:` line"));
    }
    Ok(counts)
}

/// One phase as the console showed it.
#[derive(Debug, Default)]
struct Phase {
    name: String,
    /// Sum of libtest's `test result:` lines.
    libtest: Counts,
    /// `SGMAP-ERROR <phase>:` lines: failures outside libtest.
    errors: u64,
    /// The init's own count, `SGMAP-PHASE-END`.
    end: Option<Counts>,
    /// When its `SGMAP-PHASE` line came (the host's clock), and how long it took to its
    /// `SGMAP-PHASE-END`.
    started: Option<Instant>,
    elapsed: Option<Duration>,
}

/// How long one test binary ran in one phase: from its `SGMAP-RUN` line to its `test
/// result:` line (or, when it has none, to the next binary's or the phase's end); for one
/// that ran beside others (`BESIDE` in guest-init.rs), whose output comes whole after
/// theirs, the time its `SGMAP-BESIDE` line gives.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BinaryTime {
    phase: String,
    binary: String,
    elapsed: Duration,
    beside: bool,
}

impl Phase {
    fn counts(&self) -> Counts {
        Counts {
            passed: self.libtest.passed,
            failed: self.libtest.failed + self.errors,
        }
    }
}

/// What `--only` and `--phase` chose; `None`: everything (what CI runs).
#[derive(Debug, Default)]
struct Selection {
    only: Option<Vec<String>>,
    phases: Option<Vec<String>>,
}

impl Selection {
    /// The kernel command-line words for the init's `--only` (each boot adds its
    /// `sgmap.phases=`).
    fn cmdline_only(&self) -> Vec<String> {
        let mut words = Vec::new();
        if let Some(only) = &self.only {
            words.push(format!("sgmap.only={}", only.join(",")));
        }
        words
    }

    /// The phases of `arch`'s guest that must report.
    fn expected(&self, arch: Arch) -> Vec<&'static str> {
        GUEST_PHASES
            .iter()
            .filter(|(p, a)| {
                *a == arch
                    && match &self.phases {
                        Some(l) => l.iter().any(|n| n == p),
                        None => !OPT_IN_PHASES.contains(p),
                    }
            })
            .map(|(p, _)| *p)
            .collect()
    }
}

/// The guest's phases and the guest that runs each, in the order the inits run them
/// (`PHASES` in guest-init.rs): a run that lacks one of them fails.
const GUEST_PHASES: [(&str, Arch); 6] = [
    ("sdebug-512", AMD64),
    ("sdebug-4096", AMD64),
    ("qemu-disk", AMD64),
    ("i686-sdebug-512", AMD64),
    ("aarch64-qemu-disk", ARM64),
    ("armhf-qemu-disk", ARMHF),
];

/// The phases that run only when `--phase` names them. `armhf-qemu-disk`: its guest
/// passed every test it runs (186) in each run so far, but its boot takes 2 minutes warm
/// under TCG, its initramfs is 163 MiB, and its first build compiles std from source twice
/// (2m 17s warm in all, 4m 58s cold): more than the whole run, at its budget, may spend on
/// it. CI runs it on its own after the default run (`.ci/run`).
const OPT_IN_PHASES: &[&str] = &["armhf-qemu-disk"];

/// One boot of a guest: the architecture, the name its console lines are echoed after,
/// and the phases it runs (`sgmap.phases=`).
#[derive(Debug, Clone, Copy)]
struct GuestBoot {
    name: &'static str,
    arch: Arch,
    phases: &'static [&'static str],
}

/// The boots, in the order they start; each phase in one of them. They run at once: the
/// amd64 phases in two guests of their own, each about as long as the arm64 one (most of
/// a phase's time is sleeps, the tests' and sg3_utils', which take no CPU).
const BOOTS: [GuestBoot; 4] = [
    GuestBoot {
        name: "amd64",
        arch: AMD64,
        phases: &["sdebug-512", "i686-sdebug-512"],
    },
    GuestBoot {
        name: "amd64-2",
        arch: AMD64,
        phases: &["sdebug-4096", "qemu-disk"],
    },
    GuestBoot {
        name: "arm64",
        arch: ARM64,
        phases: &["aarch64-qemu-disk"],
    },
    GuestBoot {
        name: "armhf",
        arch: ARMHF,
        phases: &["armhf-qemu-disk"],
    },
];

impl GuestBoot {
    /// The phases of this boot that must report.
    fn expected(&self, select: &Selection) -> Vec<&'static str> {
        select
            .expected(self.arch)
            .into_iter()
            .filter(|p| self.phases.contains(p))
            .collect()
    }
}

/// The architectures, in the order their binaries are built.
const GUESTS: [Arch; 3] = [AMD64, ARM64, ARMHF];

/// The guest's console, read as the init's line protocol (see guest-init.rs).
#[derive(Debug, Default)]
struct GuestReport {
    phases: Vec<Phase>,
    /// Phases the init skipped because `--only` chose none of their binaries.
    skipped: Vec<String>,
    /// What phases left out, and why (`SGMAP-PHASE-NOTE <phase> <text>`).
    notes: Vec<String>,
    /// The test binary running now (`SGMAP-RUN <phase> <binary>`).
    binary: Option<String>,
    /// Since when the current binary runs; `None` once its time is in `binaries`.
    binary_started: Option<Instant>,
    /// Each binary's time in each phase, in the order they ran.
    binaries: Vec<BinaryTime>,
    /// Each guest's boot, from QEMU's start to its exit (`amd64`, time).
    boots: Vec<(&'static str, Duration)>,
    /// Failures outside any phase (`SGMAP-ERROR init:`), and problems of the boot itself.
    other_failures: u64,
}

impl GuestReport {
    fn phase_mut(&mut self, name: &str) -> &mut Phase {
        match self.phases.iter().position(|p| p.name == name) {
            Some(i) => &mut self.phases[i],
            None => {
                self.phases.push(Phase {
                    name: name.to_owned(),
                    ..Phase::default()
                });
                self.phases.last_mut().expect("just pushed")
            }
        }
    }

    /// Ends the current binary's time at `now`, if it runs.
    fn binary_done(&mut self, now: Instant) {
        if let (Some(started), Some(binary), Some(phase)) = (
            self.binary_started.take(),
            self.binary.as_ref(),
            self.phases.last(),
        ) {
            self.binaries.push(BinaryTime {
                phase: phase.name.clone(),
                binary: binary.clone(),
                elapsed: now.saturating_duration_since(started),
                beside: false,
            });
        }
    }

    /// Reads one console line that came now.
    fn line(&mut self, line: &str, failures: &mut Vec<String>) {
        self.line_at(line, Instant::now(), failures);
    }

    /// Reads one console line that came at `now`.
    fn line_at(&mut self, line: &str, now: Instant, failures: &mut Vec<String>) {
        let current = self.phases.last().map(|p| p.name.clone());
        if let Some(rest) = after(line, "SGMAP-PHASE-SKIP ") {
            let name = rest.split_whitespace().next().unwrap_or_default();
            self.skipped.push(name.to_owned());
        } else if let Some(rest) = after(line, "SGMAP-PHASE-NOTE ") {
            self.notes.push(rest.trim().to_owned());
        } else if let Some(rest) = after(line, "SGMAP-PHASE-END ") {
            self.binary_done(now);
            let mut words = rest.split_whitespace();
            let name = words.next().unwrap_or_default().to_owned();
            let mut end = Counts::default();
            for word in words {
                if let Some(n) = word.strip_prefix("pass=") {
                    end.passed = n.parse().unwrap_or(u64::MAX);
                } else if let Some(n) = word.strip_prefix("fail=") {
                    end.failed = n.parse().unwrap_or(u64::MAX);
                }
            }
            let phase = self.phase_mut(&name);
            phase.end = Some(end);
            phase.elapsed = phase.started.map(|s| now.saturating_duration_since(s));
        } else if let Some(rest) = after(line, "SGMAP-PHASE ") {
            self.binary_done(now);
            let name = rest.split_whitespace().next().unwrap_or_default();
            self.phase_mut(name).started.get_or_insert(now);
            self.binary = None;
        } else if let Some(rest) = after(line, "SGMAP-BESIDE ") {
            // `<phase> <binary> took=<seconds>`, after that binary's held output.
            self.binary_done(now);
            let mut words = rest.split_whitespace();
            let (phase, binary) = (words.next(), words.next());
            let took = words
                .find_map(|w| w.strip_prefix("took="))
                .and_then(|s| s.parse::<f64>().ok())
                .and_then(|s| Duration::try_from_secs_f64(s).ok());
            let ran = self
                .binaries
                .iter_mut()
                .rev()
                .find(|t| Some(t.phase.as_str()) == phase && Some(t.binary.as_str()) == binary);
            if let (Some(ran), Some(took)) = (ran, took) {
                ran.elapsed = took;
                ran.beside = true;
            }
        } else if let Some(rest) = after(line, "SGMAP-RUN ") {
            self.binary_done(now);
            self.binary = rest.split_whitespace().nth(1).map(str::to_owned);
            self.binary_started = Some(now);
        } else if let Some(rest) = after(line, "SGMAP-ERROR ") {
            failures.push(format!("guest {rest}"));
            let phase = rest.split(':').next().unwrap_or_default();
            if self.phases.iter().any(|p| p.name == phase) {
                self.phase_mut(phase).errors += 1;
            } else {
                self.other_failures += 1;
            }
        } else if let Some(counts) = parse_test_result(line) {
            self.binary_done(now);
            let name = current.unwrap_or_else(|| "(no phase)".to_owned());
            self.phase_mut(&name).libtest.add(counts);
        } else if let Some(test) = parse_failed_test(line) {
            let name = current.as_deref().unwrap_or("(no phase)");
            let binary = self.binary.as_deref().unwrap_or("?");
            failures.push(format!("guest {name}: {binary}: {test}"));
        }
    }

    fn total(&self) -> Counts {
        let mut total = Counts {
            passed: 0,
            failed: self.other_failures,
        };
        for phase in &self.phases {
            total.add(phase.counts());
        }
        total
    }

    /// Appends another guest's report, which ran beside this one.
    fn append(&mut self, other: GuestReport) {
        self.phases.extend(other.phases);
        self.skipped.extend(other.skipped);
        self.notes.extend(other.notes);
        self.binaries.extend(other.binaries);
        self.boots.extend(other.boots);
        self.other_failures += other.other_failures;
    }
}

/// The `sgmap-tests` guest test binaries for `target`, built static (all of them, or the
/// `only` ones).
fn build_guest_tests(target: &str, only: Option<&[&str]>) -> Result<Vec<Artifact>> {
    let mut build = guest::guest_cargo(target)?;
    build.args([
        "test",
        "-p",
        "sgmap-tests",
        "--features",
        "guest",
        "--target",
        target,
        "--no-run",
    ]);
    for name in only.unwrap_or_default() {
        build.args(["--test", name]);
    }
    let tests: Vec<Artifact> = build_executables(&mut build)?
        .into_iter()
        .filter(|a| a.test && a.kinds.iter().any(|k| k == "test"))
        .collect();
    if tests.is_empty() {
        return Err(format!(
            "sgmap-tests has no guest test binaries for {target}"
        ));
    }
    Ok(tests)
}

/// Every guest whose phases are chosen, each booted ([`BOOTS`]) as soon as its binaries
/// and initramfs are built, so that the arm64 build runs while the amd64 guests run and
/// the guests run at once (one after the other with `SGMAP_GUESTS_ONE_AT_A_TIME=1`).
/// Their reports are appended in [`BOOTS`]' order, their phases then put in the order of
/// [`GUEST_PHASES`].
fn guest_tests(failures: &mut Vec<String>, select: &Selection) -> Result<GuestReport> {
    let one_at_a_time = env::var("SGMAP_GUESTS_ONE_AT_A_TIME").is_ok_and(|v| v == "1");
    let boots: Vec<(GuestBoot, Vec<&str>)> = BOOTS
        .into_iter()
        .map(|boot| (boot, boot.expected(select)))
        .filter(|(_, phases)| !phases.is_empty())
        .collect();
    for arch in GUESTS {
        if !boots.iter().any(|(b, _)| b.arch == arch) {
            eprintln!("guest {}: no phase selected, not booted", arch.debian);
        }
    }
    // Two guests at once: each console line is echoed after its boot's name.
    let prefix = boots.len() > 1 && !one_at_a_time;
    let mut report = GuestReport::default();
    std::thread::scope(|scope| -> Result<()> {
        let mut handles = Vec::new();
        let mut ended = Vec::new();
        let mut staging = Ok(());
        for arch in GUESTS {
            let mine: Vec<&(GuestBoot, Vec<&str>)> =
                boots.iter().filter(|(b, _)| b.arch == arch).collect();
            if mine.is_empty() {
                continue;
            }
            let staged = match stage_guest(arch, select) {
                Ok(staged) => std::sync::Arc::new(staged),
                Err(e) => {
                    staging = Err(e);
                    break;
                }
            };
            for (boot, phases) in mine {
                let staged = std::sync::Arc::clone(&staged);
                let handle = scope.spawn(move || run_guest(*boot, phases, &staged, select, prefix));
                if one_at_a_time {
                    ended.push(handle.join());
                } else {
                    handles.push(handle);
                }
            }
        }
        ended.extend(handles.into_iter().map(|h| h.join()));
        for guest in ended {
            let (guest, guest_failures) =
                guest.map_err(|_| "a guest's thread panicked".to_owned())??;
            report.append(guest);
            failures.extend(guest_failures);
        }
        staging
    })?;
    let order = |name: &str| GUEST_PHASES.iter().position(|(p, _)| *p == name);
    report.phases.sort_by_key(|p| order(&p.name));
    Ok(report)
}

/// A guest ready to boot: its kernel, and its initramfs in `work`.
struct Staged {
    rig: guest::Rig,
    initramfs: PathBuf,
    /// Where each boot makes its scratch disk; removed when the boots are over.
    work: WorkDir,
}

/// One architecture's guest, built: its kernel and modules, its test binaries (only the
/// `--only` ones when given; the 32-bit ones when its phase is chosen), init, `sgmap`,
/// sg3_utils, written into an initramfs.
fn stage_guest(arch: Arch, select: &Selection) -> Result<Staged> {
    let rig = guest::prepare(arch)?;
    let only: Option<Vec<&str>> = select
        .only
        .as_ref()
        .map(|l| l.iter().map(String::as_str).collect());
    let tests = build_guest_tests(arch.target, only.as_deref())?;
    // An amd64 guest also runs the library's tests built 32-bit.
    let phase_32 = arch == AMD64 && select.expected(arch).contains(&PHASE_32);
    let tests_32 = if phase_32 {
        let started = Instant::now();
        let chosen: Vec<&str> = TESTS_32
            .iter()
            .copied()
            .filter(|t| only.as_ref().is_none_or(|l| l.contains(t)))
            .collect();
        let tests_32 = if chosen.is_empty() {
            Vec::new()
        } else {
            build_guest_tests(TARGET_32, Some(&chosen))?
        };
        if tests_32.len() != chosen.len() {
            return Err(format!(
                "{TARGET_32}: expected the test binaries {chosen:?}, cargo built {:?}",
                tests_32.iter().map(|t| &t.name).collect::<Vec<_>>()
            ));
        }
        eprintln!(
            "{TARGET_32} guest tests: built in {}",
            format_duration(started.elapsed())
        );
        tests_32
    } else {
        Vec::new()
    };
    let init = guest::build_init(arch.target)?;
    let sgmap = dist::build_sgmap(arch.target)?;
    dist::check_static(&sgmap, arch.target)?;

    // sg3_utils beside sgmap: the guest tests compare exit statuses, counts and text.
    let sg3 = crate::sg3::sg3_utils(arch, SG3_TOOLS)?;
    eprintln!(
        "sg3_utils in the {} guest: {}",
        arch.debian, sg3.description
    );

    let work = WorkDir::new(&format!("test-{}", arch.debian))?;
    let mut files = vec![("bin/sgmap".to_owned(), sgmap)];
    files.extend(sg3.files.iter().cloned());
    if arch == AMD64 {
        // The firmware build choice, for `build_choices` (a debug build: it is about which
        // commands are in, and builds in seconds).
        let firmware = dist::build_sgmap_debug(arch.target, dist::FIRMWARE)?;
        dist::check_static(&firmware, arch.target)?;
        files.push(("bin/sgmap-firmware".to_owned(), firmware));
        let shell = crate::sg3::debian_programs(arch, SHELL_PACKAGES, SHELL_LIBRARIES, &files)?;
        eprintln!("shell in the {} guest: {}", arch.debian, shell.description);
        files.extend(shell.files);
    }
    for test in &tests {
        files.push((format!("tests/{}", test.name), test.executable.clone()));
    }
    for test in &tests_32 {
        files.push((
            format!("{GUEST_DIR_32}/{}", test.name),
            test.executable.clone(),
        ));
    }
    let initramfs = work.path().join("initramfs.cpio");
    let size = guest::write_initramfs(&initramfs, &init, &rig.modules, &files, &[])?;
    eprintln!(
        "initramfs ({}): {:.1} MiB, test binaries: {}{}",
        arch.debian,
        size as f64 / f64::from(1 << 20),
        names(&tests),
        if tests_32.is_empty() {
            String::new()
        } else {
            format!("; {TARGET_32}: {}", names(&tests_32))
        }
    );
    Ok(Staged {
        rig,
        initramfs,
        work,
    })
}

/// One boot of a staged guest, which runs `phases`, its console read into a report of
/// its own, with the failures it saw. With `prefix`, each echoed console line starts with
/// the boot's name.
fn run_guest(
    boot: GuestBoot,
    phases: &[&str],
    staged: &Staged,
    select: &Selection,
    prefix: bool,
) -> Result<(GuestReport, Vec<String>)> {
    let arch = boot.arch;
    let disk = staged
        .work
        .path()
        .join(format!("scratch-{}.img", boot.name));
    guest::create_scratch_disk(&disk)?;
    let mut cmdline = select.cmdline_only();
    cmdline.push(format!("sgmap.phases={}", phases.join(",")));
    let mut report = GuestReport::default();
    let mut failures = Vec::new();
    let outcome = guest::boot(
        &Boot {
            arch,
            kernel: &staged.rig.kernel,
            initramfs: &staged.initramfs,
            mode: "test",
            cmdline,
            disk: &disk,
            // Echoed below, after the guest's name when two run at once.
            echo: false,
        },
        |line| {
            if prefix {
                println!("{}| {line}", boot.name);
            } else {
                println!("{line}");
            }
            report.line(line, &mut failures);
        },
    )?;
    eprintln!(
        "guest {} ({}): ran for {}",
        boot.name,
        phases.join(", "),
        format_duration(outcome.elapsed)
    );
    report.boots.push((boot.name, outcome.elapsed));

    let mut problems = outcome.problems();
    let this_boot = report.total();
    if let Some(verdict) = outcome.verdict {
        if (verdict.pass, verdict.fail) != (this_boot.passed, this_boot.failed) {
            problems.push(format!(
                "the {} init's verdict (pass={} fail={}) disagrees with the console ({this_boot})",
                boot.name, verdict.pass, verdict.fail
            ));
        }
    }
    for &name in phases {
        let ran = report.phases.iter().any(|p| p.name == name);
        let skipped = select.only.is_some() && report.skipped.iter().any(|p| p == name);
        if !ran && !skipped {
            problems.push(format!("phase {name} did not run"));
        }
    }
    for phase in &report.phases {
        if !GUEST_PHASES.contains(&(phase.name.as_str(), arch)) {
            continue;
        }
        match phase.end {
            Some(end) if end != phase.counts() => problems.push(format!(
                "phase {}: the init counted {end}, the console shows {}",
                phase.name,
                phase.counts()
            )),
            Some(_) => {}
            None => problems.push(format!("phase {} did not end", phase.name)),
        }
    }
    for problem in problems {
        failures.push(format!("guest {}: {problem}", boot.name));
        report.other_failures += 1;
    }
    Ok((report, failures))
}

fn names(artifacts: &[Artifact]) -> String {
    artifacts
        .iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 60 {
        format!("{}m {:02}s", secs / 60, secs % 60)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// Prints the summary; true when nothing failed. The last line is `N passed, N failed`.
fn print_summary(report: &Report, elapsed: Duration) -> bool {
    println!();
    println!("test summary ({}):", format_duration(elapsed));
    let mut total = Counts::default();
    match report.host {
        Some(host) => println!("    {:<24}{host}", "host"),
        None => println!("    {:<24}skipped", "host"),
    }
    match &report.guest {
        Some(guest) => {
            for phase in &guest.phases {
                println!(
                    "    {:<24}{}",
                    format!("guest {}", phase.name),
                    phase.counts()
                );
                // `<phase> left out N tests (…): why`, under its phase.
                let notes = guest
                    .notes
                    .iter()
                    .filter_map(|n| n.strip_prefix(phase.name.as_str())?.strip_prefix(' '));
                for note in notes {
                    println!("    {:<24}{note}", "");
                }
            }
            if guest.other_failures > 0 {
                println!(
                    "    {:<24}{} failed",
                    "guest (outside phases)", guest.other_failures
                );
            }
        }
        None => println!("    {:<24}skipped", "guest"),
    }
    if !report.failures.is_empty() {
        println!();
        println!("failures:");
        for failure in &report.failures {
            println!("    {failure}");
        }
    }
    print_times(report, elapsed);
    println!();
    if let Some(host) = report.host {
        println!("host: {host}");
        total.add(host);
    }
    if let Some(guest) = &report.guest {
        let guest = guest.total();
        println!("guest: {guest}");
        total.add(guest);
    }
    println!("{total}");
    total.failed == 0
}

/// What each part may take on a two-core machine without KVM (QEMU under TCG), warm and
/// not shared: over it, the summary warns; it never fails the run (a loaded machine
/// stretches every phase). The boots run at once, so the whole run is about the host's
/// part, the builds and the longest boot, each 8 to 10 minutes: `amd64` (sdebug-512 and
/// i686-sdebug-512), `amd64-2` (sdebug-4096 and qemu-disk) and `arm64`. Most of what
/// they do is processes under TCG (the conformance tests run three programs a case), so
/// the three boots share the two cores, and one boot's extra minute is everyone's.
const BUDGET_TOTAL: Duration = Duration::from_secs(12 * 60);
const BUDGET_HOST: Duration = Duration::from_secs(90);
/// Each phase's budget, from its `SGMAP-PHASE` line to its end: the phase's time in a
/// quiet run (2026-12-07, the run of 11m 11s: 8m 56s, 6m 25s, 2m 41s, 40 s, 8m 08s), with
/// a margin of about 5 %; sdebug-4096 and qemu-disk from the run of 9m 34s (4m 53s,
/// 2m 56s), after cli_signals left sdebug-4096 and qemu-disk came to run while the other
/// boots still work.
const PHASE_BUDGETS: [(&str, Duration); 6] = [
    ("sdebug-512", Duration::from_secs(570)),
    ("sdebug-4096", Duration::from_secs(315)),
    ("qemu-disk", Duration::from_secs(190)),
    ("i686-sdebug-512", Duration::from_secs(60)),
    ("aarch64-qemu-disk", Duration::from_secs(510)),
    ("armhf-qemu-disk", Duration::from_secs(180)),
];
/// How many of the slowest test binaries the summary names.
const SLOWEST: usize = 10;

/// The times of the run: the host's part, each guest's boot, each phase against its
/// budget, the slowest test binaries; then a warning for each budget exceeded.
fn print_times(report: &Report, elapsed: Duration) {
    let mut over = Vec::new();
    let mut budget = |what: String, took: Duration, budget: Duration| {
        if took > budget {
            over.push(format!(
                "{what} took {}, over its budget of {}",
                format_duration(took),
                format_duration(budget)
            ));
        }
        format!("budget {}", format_duration(budget))
    };
    println!();
    println!("times (the host's clock):");
    if let Some(took) = report.host_time {
        let note = budget("the host's tests".to_owned(), took, BUDGET_HOST);
        println!(
            "    {:<24}{:>8}  {note}",
            "host tests",
            format_duration(took)
        );
    }
    if let Some(took) = report.builds_time {
        println!("    {:<24}{:>8}", "host builds", format_duration(took));
    }
    let Some(guest) = &report.guest else {
        let note = budget("the run".to_owned(), elapsed, BUDGET_TOTAL);
        println!("    {:<24}{:>8}  {note}", "all", format_duration(elapsed));
        print_over(&over);
        return;
    };
    let at_once = if guest.boots.len() > 1 {
        "  (the guests ran at once)"
    } else {
        ""
    };
    for (arch, took) in &guest.boots {
        println!(
            "    {:<24}{:>8}{at_once}",
            format!("guest {arch} boot"),
            format_duration(*took)
        );
    }
    for phase in &guest.phases {
        let Some(took) = phase.elapsed else { continue };
        let note = PHASE_BUDGETS
            .iter()
            .find(|(p, _)| *p == phase.name)
            .map(|&(_, b)| budget(format!("phase {}", phase.name), took, b))
            .unwrap_or_default();
        println!("    {:<24}{:>8}  {note}", phase.name, format_duration(took));
    }
    let note = budget("the run".to_owned(), elapsed, BUDGET_TOTAL);
    println!("    {:<24}{:>8}  {note}", "all", format_duration(elapsed));
    let mut slowest: Vec<&BinaryTime> = guest.binaries.iter().collect();
    slowest.sort_by_key(|t| std::cmp::Reverse(t.elapsed));
    if !slowest.is_empty() {
        println!("the slowest test binaries:");
        for t in slowest.iter().take(SLOWEST) {
            let beside = if t.beside { " (beside others)" } else { "" };
            println!(
                "    {:<24}{:>8}  {}{beside}",
                t.binary,
                format_duration(t.elapsed),
                t.phase
            );
        }
    }
    print_over(&over);
}

/// The budget warnings (never failures).
fn print_over(over: &[String]) {
    for warning in over {
        println!("warning: {warning} (a warning, not a failure)");
    }
}

#[cfg(test)]
mod tests {

    /// Every guest test file has its `[[test]]` entry with `required-features = ["guest"]`
    /// (without it the host's `cargo test` builds it and it fails there, or, worse, the
    /// guest never runs it), and every entry has its file.
    #[test]
    fn every_guest_test_file_is_declared_for_the_guest() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests");
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        let mut declared = Vec::new();
        // The sections of the manifest, each from its `[...]` header line.
        let mut sections: Vec<(String, String)> = Vec::new();
        for line in manifest.lines() {
            if line.starts_with('[') {
                sections.push((line.trim().to_owned(), String::new()));
            } else if let Some((_, body)) = sections.last_mut() {
                body.push_str(line);
                body.push('\n');
            }
        }
        let tests = sections.iter().filter(|(h, _)| h == "[[test]]");
        for (_, block) in tests {
            let field = |key: &str| {
                block.lines().find_map(|l| {
                    let (k, v) = l.split_once('=')?;
                    (k.trim() == key).then(|| v.trim().to_owned())
                })
            };
            let path = field("path").expect("a [[test]] without path");
            assert_eq!(
                field("required-features").as_deref(),
                Some("[\"guest\"]"),
                "{path}: required-features"
            );
            declared.push(path.trim_matches('"').to_owned());
        }
        let mut files: Vec<String> = std::fs::read_dir(dir.join("tests"))
            .unwrap()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
            .map(|e| format!("tests/{}", e.file_name().to_string_lossy()))
            .collect();
        files.sort();
        declared.sort();
        assert_eq!(
            files, declared,
            "tests/tests/*.rs against tests/Cargo.toml's [[test]]s"
        );
    }

    use super::*;

    #[test]
    fn each_guest_boots_for_its_own_phases_only() {
        let all = Selection::default();
        assert_eq!(
            all.expected(AMD64),
            ["sdebug-512", "sdebug-4096", "qemu-disk", "i686-sdebug-512"]
        );
        assert_eq!(all.expected(ARM64), ["aarch64-qemu-disk"]);
        assert!(all.expected(ARMHF).is_empty(), "opt-in");
        let armhf = Selection {
            only: None,
            phases: Some(vec!["armhf-qemu-disk".to_owned()]),
        };
        assert_eq!(armhf.expected(ARMHF), ["armhf-qemu-disk"]);
        assert!(armhf.expected(ARM64).is_empty());
        let arm = Selection {
            only: None,
            phases: Some(vec!["aarch64-qemu-disk".to_owned()]),
        };
        assert!(arm.expected(AMD64).is_empty());
        assert!(arm.expected(ARMHF).is_empty());
        assert_eq!(arm.expected(ARM64), ["aarch64-qemu-disk"]);
    }

    #[test]
    fn console_lines_time_each_phase_and_binary() {
        let t0 = Instant::now();
        let console = [
            (0, "SGMAP-PHASE sdebug-512 sg=/dev/sg0"),
            (1, "SGMAP-RUN sdebug-512 driver --test-threads=1"),
            (
                4,
                "test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out",
            ),
            (5, "SGMAP-RUN sdebug-512 fork --test-threads=1"),
            (7, "SGMAP-ERROR sdebug-512: fork: killed by signal 11"),
            (12, "SGMAP-PHASE-END sdebug-512 pass=1 fail=1"),
            (13, "SGMAP-PHASE qemu-disk sg=/dev/sg1"),
            (14, "SGMAP-RUN qemu-disk driver --test-threads=1"),
            (
                16,
                "test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out",
            ),
            // A binary that ran beside driver: its output comes whole, then its own time.
            (17, "SGMAP-RUN qemu-disk tcmu --test-threads=1"),
            (
                17,
                "test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out",
            ),
            (17, "SGMAP-BESIDE qemu-disk tcmu took=15.5"),
            (20, "SGMAP-PHASE-END qemu-disk pass=3 fail=0"),
        ];
        let mut report = GuestReport::default();
        let mut failures = Vec::new();
        for (secs, line) in console {
            report.line_at(line, t0 + Duration::from_secs(secs), &mut failures);
        }
        let secs = Duration::from_secs;
        let times: Vec<(&str, &str, Duration, bool)> = report
            .binaries
            .iter()
            .map(|t| (t.phase.as_str(), t.binary.as_str(), t.elapsed, t.beside))
            .collect();
        // A binary without a result line ends at the phase's end.
        assert_eq!(
            times,
            [
                ("sdebug-512", "driver", secs(3), false),
                ("sdebug-512", "fork", secs(7), false),
                ("qemu-disk", "driver", secs(2), false),
                ("qemu-disk", "tcmu", Duration::from_millis(15_500), true),
            ]
        );
        assert_eq!(report.phases[1].libtest.passed, 3);
        let phases: Vec<Option<Duration>> = report.phases.iter().map(|p| p.elapsed).collect();
        assert_eq!(phases, [Some(secs(12)), Some(secs(7))]);
    }

    #[test]
    fn every_phase_is_in_one_boot_of_its_guest() {
        for (phase, arch) in GUEST_PHASES {
            let boots: Vec<&str> = BOOTS
                .iter()
                .filter(|b| b.phases.contains(&phase))
                .map(|b| b.name)
                .collect();
            assert_eq!(boots.len(), 1, "{phase} is in the boots {boots:?}");
            let boot = BOOTS.iter().find(|b| b.name == boots[0]).unwrap();
            assert_eq!(boot.arch, arch, "{phase}");
        }
        let quick = Selection {
            only: None,
            phases: Some(vec![QUICK_PHASE.to_owned()]),
        };
        let booted: Vec<&str> = BOOTS
            .iter()
            .filter(|b| !b.expected(&quick).is_empty())
            .map(|b| b.name)
            .collect();
        assert_eq!(booted, ["amd64"], "--quick boots one guest");
    }

    #[test]
    fn every_phase_has_a_budget_and_quick_is_a_part_of_the_full_run() {
        for (phase, _) in GUEST_PHASES {
            assert!(
                PHASE_BUDGETS.iter().any(|(p, _)| *p == phase),
                "{phase} has no budget"
            );
        }
        assert!(GUEST_PHASES.iter().any(|(p, _)| *p == QUICK_PHASE));
        assert!(GUEST_PHASES.iter().any(|(p, _)| *p == PHASE_32));
    }

    #[test]
    fn libtest_result_lines_parse() {
        assert_eq!(
            parse_test_result(
                "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; \
                 finished in 0.01s"
            ),
            Some(Counts {
                passed: 12,
                failed: 0
            })
        );
        assert_eq!(
            parse_test_result("test result: FAILED. 3 passed; 2 failed; 0 ignored"),
            Some(Counts {
                passed: 3,
                failed: 2
            })
        );
        assert_eq!(parse_test_result("running 3 tests"), None);
        assert_eq!(parse_failed_test("test a::b ... FAILED"), Some("a::b"));
        assert_eq!(parse_failed_test("test a::b ... ok"), None);
    }

    #[test]
    fn console_protocol_counts_per_phase() {
        let console = "\
SGMAP-PHASE sdebug-512 sg=/dev/sg0
SGMAP-RUN sdebug-512 driver --test-threads=1
test a ... ok
test b ... FAILED
test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out
SGMAP-ERROR sdebug-512: driver: killed by signal 11
SGMAP-PHASE-NOTE sdebug-512 left out 3 tests (--skip x): why
SGMAP-PHASE-END sdebug-512 pass=1 fail=2
SGMAP-PHASE qemu-disk (no device)
SGMAP-ERROR qemu-disk: no disk
SGMAP-PHASE-END qemu-disk pass=0 fail=1
SGMAP-VERDICT pass=1 fail=3";
        let mut report = GuestReport::default();
        let mut failures = Vec::new();
        for line in console.lines() {
            report.line(line, &mut failures);
        }
        assert_eq!(report.phases.len(), 2);
        assert_eq!(
            report.notes,
            ["sdebug-512 left out 3 tests (--skip x): why"]
        );
        assert_eq!(
            report.phases[0].counts(),
            Counts {
                passed: 1,
                failed: 2
            }
        );
        assert_eq!(report.phases[0].end, Some(report.phases[0].counts()));
        assert_eq!(
            report.total(),
            Counts {
                passed: 1,
                failed: 3
            }
        );
        assert_eq!(
            failures,
            [
                "guest sdebug-512: driver: b",
                "guest sdebug-512: driver: killed by signal 11",
                "guest qemu-disk: no disk"
            ]
        );
    }
}
