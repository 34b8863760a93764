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
//! 4. Only with `--phase armhf-qemu-disk` ([`OPT_IN_PHASES`]): a third guest, armhf
//!    (`qemu-system-arm -M virt`, Debian's armmp-lpae kernel), whose phase `armhf-qemu-disk` runs the same again, built for `armv7-unknown-linux-musleabihf`
//!    (std from source: `armv7.rs`), with Debian's armhf sg3_utils. A 32-bit process on a
//!    32-bit kernel: the native 64-byte `sg_io_hdr`, where `i686-sdebug-512` proves the
//!    compat path.
//!
//! The last line is `N passed, N failed` over all of them; the exit status is non-zero when
//! anything failed.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::cargo::{build_executables, cargo, ensure_rust_targets, Artifact};
use crate::guest::{self, after, Arch, Boot, WorkDir, GUEST_TARGET};
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
    guest: Option<GuestReport>,
    failures: Vec<String>,
}

pub fn run(args: &[String]) -> Result<bool> {
    let (mut host, mut guest) = (true, true);
    let mut select = Selection::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--host-only" => guest = false,
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
    let started = Instant::now();
    ensure_rust_targets(&[
        GUEST_TARGET,
        BARE_METAL_TARGET,
        TARGET_32,
        guest::ARM64.target,
    ])?;
    let mut report = Report::default();
    if host {
        report.host = Some(host_tests(&mut report.failures)?);
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
    /// The kernel command-line words for the init.
    fn cmdline(&self) -> Vec<String> {
        let mut words = Vec::new();
        if let Some(only) = &self.only {
            words.push(format!("sgmap.only={}", only.join(",")));
        }
        if let Some(phases) = &self.phases {
            words.push(format!("sgmap.phases={}", phases.join(",")));
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
    ("sdebug-512", guest::AMD64),
    ("sdebug-4096", guest::AMD64),
    ("qemu-disk", guest::AMD64),
    ("i686-sdebug-512", guest::AMD64),
    ("aarch64-qemu-disk", guest::ARM64),
    ("armhf-qemu-disk", guest::ARMHF),
];

/// The phases that run only when `--phase` names them. `armhf-qemu-disk`: its guest
/// passed every test it runs (112) in each run so far, but its boot takes 1m 22s warm under
/// TCG (3m 19s on a loaded host) where the arm64 one takes half a minute, its initramfs is
/// 100 MiB, and its first build compiles std from source twice (several minutes): over the
/// minute the whole run may spend on it.
const OPT_IN_PHASES: &[&str] = &["armhf-qemu-disk"];

/// The guests, in the order they boot.
const GUESTS: [Arch; 3] = [guest::AMD64, guest::ARM64, guest::ARMHF];

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

    fn line(&mut self, line: &str, failures: &mut Vec<String>) {
        let current = self.phases.last().map(|p| p.name.clone());
        if let Some(rest) = after(line, "SGMAP-PHASE-SKIP ") {
            let name = rest.split_whitespace().next().unwrap_or_default();
            self.skipped.push(name.to_owned());
        } else if let Some(rest) = after(line, "SGMAP-PHASE-NOTE ") {
            self.notes.push(rest.trim().to_owned());
        } else if let Some(rest) = after(line, "SGMAP-PHASE-END ") {
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
            self.phase_mut(&name).end = Some(end);
        } else if let Some(rest) = after(line, "SGMAP-PHASE ") {
            let name = rest.split_whitespace().next().unwrap_or_default();
            self.phase_mut(name);
            self.binary = None;
        } else if let Some(rest) = after(line, "SGMAP-RUN ") {
            self.binary = rest.split_whitespace().nth(1).map(str::to_owned);
        } else if let Some(rest) = after(line, "SGMAP-ERROR ") {
            failures.push(format!("guest {rest}"));
            let phase = rest.split(':').next().unwrap_or_default();
            if self.phases.iter().any(|p| p.name == phase) {
                self.phase_mut(phase).errors += 1;
            } else {
                self.other_failures += 1;
            }
        } else if let Some(counts) = parse_test_result(line) {
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

fn guest_tests(failures: &mut Vec<String>, select: &Selection) -> Result<GuestReport> {
    let mut report = GuestReport::default();
    for arch in GUESTS {
        if select.expected(arch).is_empty() {
            eprintln!("guest {}: no phase selected, not booted", arch.debian);
            continue;
        }
        guest_boot(arch, &mut report, failures, select)?;
    }
    Ok(report)
}

/// One architecture's guest: its binaries, its initramfs, one boot, its console read into
/// `report`.
fn guest_boot(
    arch: Arch,
    report: &mut GuestReport,
    failures: &mut Vec<String>,
    select: &Selection,
) -> Result<()> {
    let rig = guest::prepare(arch)?;
    let tests = build_guest_tests(arch.target, None)?;
    if let Some(only) = &select.only {
        let built: Vec<&str> = tests.iter().map(|t| t.name.as_str()).collect();
        if let Some(bad) = only.iter().find(|n| !built.contains(&n.as_str())) {
            return Err(format!(
                "cargo xtask test: --only {bad}: no such guest test binary ({})",
                built.join(", ")
            ));
        }
    }
    // The amd64 guest also runs the library's tests built 32-bit.
    let tests_32 = if arch == guest::AMD64 {
        let started = Instant::now();
        let tests_32 = build_guest_tests(TARGET_32, Some(TESTS_32))?;
        if tests_32.len() != TESTS_32.len() {
            return Err(format!(
                "{TARGET_32}: expected the test binaries {TESTS_32:?}, cargo built {:?}",
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
    if arch == guest::AMD64 {
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
    let disk = work.path().join("scratch.img");
    guest::create_scratch_disk(&disk)?;

    let before = report.total();
    let outcome = guest::boot(
        &Boot {
            arch,
            kernel: &rig.kernel,
            initramfs: &initramfs,
            mode: "test",
            cmdline: select.cmdline(),
            disk: &disk,
            echo: true,
        },
        |line| report.line(line, failures),
    )?;
    eprintln!(
        "guest {}: ran for {}",
        arch.debian,
        format_duration(outcome.elapsed)
    );

    let mut problems = outcome.problems();
    let total = report.total();
    let this_boot = Counts {
        passed: total.passed - before.passed,
        failed: total.failed - before.failed,
    };
    if let Some(verdict) = outcome.verdict {
        if (verdict.pass, verdict.fail) != (this_boot.passed, this_boot.failed) {
            problems.push(format!(
                "the {} init's verdict (pass={} fail={}) disagrees with the console ({this_boot})",
                arch.debian, verdict.pass, verdict.fail
            ));
        }
    }
    for name in select.expected(arch) {
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
        failures.push(format!("guest {}: {problem}", arch.debian));
        report.other_failures += 1;
    }
    Ok(())
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
            all.expected(guest::AMD64),
            ["sdebug-512", "sdebug-4096", "qemu-disk", "i686-sdebug-512"]
        );
        assert_eq!(all.expected(guest::ARM64), ["aarch64-qemu-disk"]);
        assert!(all.expected(guest::ARMHF).is_empty(), "opt-in");
        let armhf = Selection {
            only: None,
            phases: Some(vec!["armhf-qemu-disk".to_owned()]),
        };
        assert_eq!(armhf.expected(guest::ARMHF), ["armhf-qemu-disk"]);
        assert!(armhf.expected(guest::ARM64).is_empty());
        let arm = Selection {
            only: None,
            phases: Some(vec!["aarch64-qemu-disk".to_owned()]),
        };
        assert!(arm.expected(guest::AMD64).is_empty());
        assert!(arm.expected(guest::ARMHF).is_empty());
        assert_eq!(arm.expected(guest::ARM64), ["aarch64-qemu-disk"]);
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
