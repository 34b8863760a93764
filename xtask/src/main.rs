//! `cargo xtask`: the project's automation, one subcommand per task (`cargo xtask help`).
//!
//! - `cargo.rs`: running cargo (through `$CARGO`), reading its JSON artifact lines, rustup targets;
//! - `targets.rs`: the target table: the Rust targets and guest architectures, their
//!   linkers, rustc flags and the binary's size budget (it imports no other task module);
//! - `debian.rs`: Debian's packages (the guest kernel, sg3_utils, armv7's musl), fetched with
//!   apt-get, SHA-256 checked and unpacked in a cache outside the tree, never installed;
//! - `guest.rs`: the QEMU guest rig: a stock Debian kernel, its SCSI modules, the initramfs,
//!   booting QEMU and reading the console;
//! - `cpio.rs`: the newc initramfs writer; `elf.rs`: ELF program headers (static or not,
//!   which libraries); `json.rs`, `sha256.rs`: what std lacks;
//! - `test.rs`: `cargo xtask test`, the project's test command;
//! - `dist.rs`: `cargo xtask dist`, the static release binaries and their size budget;
//! - `demo.rs`: `cargo xtask demo`, a tour of `sgmap` in the guest;
//! - `bench.rs`: `cargo xtask bench`, `sgmap dd` against sg3_utils and fio in the same
//!   guest;
//! - `msrv.rs`: `cargo xtask msrv`, the libraries built with their declared `rust-version`.
//!
//! - `armv7.rs`: the armv7 musl target, whose std is built from source and linked with
//!   Debian's armhf musl.
//!
//! No dependencies: only std and the host's tools (`apt-get`, `dpkg`, `qemu-system-x86_64`,
//! `qemu-system-aarch64`, `qemu-system-arm`).

mod armv7;
mod bench;
mod cargo;
mod cpio;
mod debian;
mod demo;
mod dist;
mod elf;
mod fuzz;
mod guest;
mod json;
mod msrv;
mod sg3;
mod sha256;
mod targets;
mod test;

use std::env;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The error of a task: what failed, for the user. Tests that merely fail are not errors
/// (their summary says so); see [`test::run`].
pub type Result<T, E = String> = std::result::Result<T, E>;

const HELP: &str = "\
Usage: cargo xtask <TASK> [OPTIONS]

Tasks:
  demo    Try sgmap without a SCSI device to spare: boot a QEMU guest with scsi_debug
          disks and run a short tour of the static sgmap there (list, inquiry, readcap,
          dd, write-buffer, raw, sense), showing each command and its output.
  test    Run every test: the host's `cargo test --workspace`, the bare-metal and 32-bit
          builds, then the sg driver tests in QEMU guests (stock Debian kernels): amd64,
          and beside it arm64 (`qemu-system-aarch64 -M virt`, QEMU's disk only); armhf
          (`qemu-system-arm -M virt`) only with --phase armhf-qemu-disk. The summary
          ends with the time of each phase and of the slowest test binaries, and warns
          when a phase is over its budget.
            --quick        the dev loop: the host tests, then only the library's guest
                           tests (driver, open, mmap, once, ...) in phase sdebug-512
                           (a few minutes); CI and a newcomer run the full command
            --host-only    stop after the host tests and builds
            --guest-only   only the guest tests
            --only A,B     in the guest, only the test binaries A and B (tests/tests/A.rs)
            --phase P,Q    in the guest, only the phases P and Q (sdebug-512, sdebug-4096,
                           qemu-disk, i686-sdebug-512 in the amd64 guest;
                           aarch64-qemu-disk in the arm64 one; armhf-qemu-disk,
                           the armhf guest, runs only when named, as CI names it in a
                           run of its own; a guest with no phase chosen is not booted);
                           both are for development: CI runs everything
  dist    Build the static release sgmap for x86_64, i686, aarch64 and armv7 (musl;
          armv7 with std built from source and Debian's armhf musl) into target/dist/,
          each also as the build choices: -lean (no name tables), -firmware (inquiry,
          tur, readcap, write-buffer); check that each is static, print a table of
          sizes (target x build) against the budget, and where the bytes of the
          x86_64 full and firmware builds go.
            --check        fail when a binary is past the 512 KiB budget, or the
                           aarch64 or armv7 one does not build (the firmware build's
                           160 KiB is a goal, reported, not yet enforced)
            --commands=A,B also build each target with just those commands (cargo
                           features of demo/: list, inquiry, vpd, ..., write-same)
            --plain        build with the toolchain's own std (stable options only)
                           instead of std rebuilt with panic=immediate-abort
  bench   Time `sgmap dd` against sg3_utils' sgm_dd and sgp_dd and fio's sg engine on
          scsi_debug in the guest, print MB/s and ratios, and count each tool's system
          calls per transfer with strace (sg3_utils, fio and strace come from Debian's
          archive).
            --runs N       runs of each tool in each case (5); the median counts
            --quick        1 run (unless --runs), 64 KiB transfers only, no sweep
  fuzz    Run every cargo-fuzz target of fuzz/ for a short while (installs cargo-fuzz).
            --seconds N    how long each target runs (20)
  msrv    Build and test sgmap-core and sgmap-sys with the toolchain of the workspace's
          rust-version (installed with rustup when missing), without std too, and at the
          lowest dependency versions their requirements allow.
  help    Print this message.

Environment:
  SGMAP_ACCEL=tcg|kvm         QEMU accelerator (default tcg: KVM hangs on some hosts)
  SGMAP_GUEST_TIMEOUT=SECS    limit for one guest boot (default 1200)
  SGMAP_GUESTS_ONE_AT_A_TIME=1  boot the arm64 guest after the amd64 one ends, not beside it
  SGMAP_CACHE_DIR=DIR         where the kernels, sg3_utils and armhf musl are cached (default
                              $XDG_CACHE_HOME/sgmap or ~/.cache/sgmap)
  SGMAP_KERNEL_DIR=DIR        use this extracted kernel package (boot/vmlinuz-*,
                              lib/modules/*) instead of fetching Debian's
  SGMAP_KERNEL_DIR_ARM64=DIR  the same for the arm64 guest
  SGMAP_KERNEL_DIR_ARMHF=DIR  the same for the armhf guest (an armmp-lpae kernel)
";

fn main() -> ExitCode {
    let mut args = env::args().skip(1);
    let task = args.next();
    let rest: Vec<String> = args.collect();
    let result = match task.as_deref() {
        Some("test") => test::run(&rest),
        Some("dist") => dist::run(&rest),
        Some("demo") => demo::run(&rest),
        Some("bench") => bench::run(&rest),
        Some("fuzz") => fuzz::run_task(&rest),
        Some("msrv") => msrv::run_task(&rest),
        None | Some("help" | "-h" | "--help") => {
            print!("{HELP}");
            Ok(true)
        }
        Some(other) => Err(format!(
            "unknown task {other:?}; `cargo xtask help` lists the tasks"
        )),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root.
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in a subdirectory of the workspace")
        .to_path_buf()
}

/// Whether this process runs as root (the owner of `/proc/self` is the effective uid).
pub fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The command as a shell would show it, for messages.
pub fn command_line(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program());
    let mut line = program
        .file_name()
        .unwrap_or(program.as_os_str())
        .to_string_lossy()
        .into_owned();
    for arg in cmd.get_args() {
        let arg = arg.to_string_lossy();
        if arg.is_empty() || arg.contains(|c: char| c.is_whitespace() || c == '"') {
            let _ = write!(line, " {arg:?}");
        } else {
            let _ = write!(line, " {arg}");
        }
    }
    line
}

/// Prints the command, runs it with inherited stdio, and fails unless it exits 0.
pub fn run(cmd: &mut Command) -> Result<()> {
    let line = command_line(cmd);
    eprintln!("$ {line}");
    let status = cmd
        .status()
        .map_err(|e| format!("{line}: cannot start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{line}: {status}"))
    }
}

/// Runs the command quietly and returns its stdout; fails unless it exits 0.
pub fn output(cmd: &mut Command) -> Result<String> {
    let line = command_line(cmd);
    let out = cmd
        .output()
        .map_err(|e| format!("{line}: cannot start: {e}"))?;
    if out.status.success() {
        String::from_utf8(out.stdout).map_err(|_| format!("{line}: output is not UTF-8"))
    } else {
        Err(format!(
            "{line}: {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Whether `program` can be started (found on `PATH`).
pub fn have_program(program: impl AsRef<OsStr>) -> bool {
    Command::new(program)
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}
