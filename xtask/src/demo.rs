//! `cargo xtask demo`: `sgmap` for someone without a SCSI device to spare.
//!
//! It builds the static release `sgmap` (as `cargo xtask dist` does), boots the test rig's
//! guest in `sgmap.mode=demo` with [`SCRIPT`] as `/etc/sgmap/demo`, and prints what the
//! guest's init reports (`SGMAP-OUT` lines: each command, its output and its exit status),
//! not the kernel's console. The init loads two scsi_debug disks, finds QEMU's disk and
//! writes a small image file; the script names them `$SG`, `$SG2`, `$SG_QEMU`, `$IMAGE`…
//! (see `run_demo` in tests/src/bin/guest-init.rs), never fixed device names.
//!
//! The exit status is non-zero when the guest does not boot or finish, or when a command
//! ends with another status than the script expects.

use std::time::Instant;

use crate::cargo::ensure_rust_targets;
use crate::guest::{self, after, Boot, WorkDir};
use crate::targets::{AMD64, GUEST_TARGET};
use crate::test::format_duration;
use crate::{dist, Result};

/// The tour: one `sgmap` command line a line (`expect=N` first when it should exit N),
/// `# …` lines are headings.
pub const SCRIPT: &str = "\
# The sg devices, from sysfs: two scsi_debug disks and QEMU's virtio-scsi disk
list

# INQUIRY and READ CAPACITY, printed the way sg_inq and sg_readcap print them
inquiry $SG
inquiry $SG_QEMU
readcap $SG
tur $SG

# Reads through the mmap-ed reserve, the whole 16 MiB disk, which answers each command
# 1 ms late (scsi_debug ndelay): one command in flight, then four
dd if=$SG of=/dev/null bs=512 time=1 qd=1
dd if=$SG of=/dev/null bs=512 time=1 qd=4

# A firmware download with WRITE BUFFER: the plan, then for real. 4 KiB chunks in mode 0xe
# (download with offsets, defer activation), then mode 0xf to activate
write-buffer --mode=dmc_offs_defer --bpw=4096,act --in=$IMAGE --dry-run $SG
write-buffer --mode=dmc_offs_defer --bpw=4096,act --in=$IMAGE $SG

# Any CDB: a hand-made INQUIRY, 36 bytes back
raw --request=36 $SG 12 00 00 00 24 00

# Sense data decoded: fixed format, MEDIUM ERROR, unrecovered read error
sense 70 00 03 00 00 00 00 0a 00 00 00 00 11 00 00 00 00 00

# Exit statuses are sg3_utils': a read past the end is refused before any transfer (22)
expect=22 dd if=$SG of=/dev/null bs=512 skip=32768 count=1
";

pub fn run(args: &[String]) -> Result<bool> {
    if let Some(arg) = args.first() {
        return Err(format!("cargo xtask demo: unknown option {arg:?}"));
    }
    let started = Instant::now();
    ensure_rust_targets(&[GUEST_TARGET])?;
    let rig = guest::prepare(AMD64)?;
    let init = guest::build_init(GUEST_TARGET)?;
    let sgmap = dist::build_sgmap(GUEST_TARGET)?;

    let work = WorkDir::new("demo")?;
    let initramfs = work.path().join("initramfs.cpio");
    guest::write_initramfs(
        &initramfs,
        &init,
        &rig.modules,
        &[("bin/sgmap".to_owned(), sgmap)],
        &[("etc/sgmap/demo", SCRIPT.as_bytes())],
    )?;
    let disk = work.path().join("scratch.img");
    guest::create_scratch_disk(&disk)?;

    eprintln!(
        "booting {} in QEMU ({}); the tour follows",
        rig.kernel.description,
        guest::accelerator()?
    );
    println!();
    let mut errors = Vec::new();
    let outcome = guest::boot(
        &Boot {
            arch: rig.arch,
            kernel: &rig.kernel,
            initramfs: &initramfs,
            mode: "demo",
            cmdline: Vec::new(),
            disk: &disk,
            echo: false,
        },
        |line| {
            if let Some(text) = after(line, "SGMAP-OUT") {
                println!("{}", text.strip_prefix(' ').unwrap_or(text));
            } else if let Some(error) = after(line, "SGMAP-ERROR ") {
                errors.push(error.to_owned());
            }
        },
    )?;

    let mut problems = outcome.problems();
    problems.extend(errors);
    match outcome.verdict {
        Some(v) => println!(
            "demo: {} of {} commands ended as expected (guest {}, total {})",
            v.pass,
            v.pass + v.fail,
            format_duration(outcome.elapsed),
            format_duration(started.elapsed())
        ),
        None => println!("demo: the guest gave no verdict"),
    }
    for problem in &problems {
        println!("    {problem}");
    }
    Ok(problems.is_empty() && outcome.verdict.is_some_and(|v| v.fail == 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_names_devices_only_by_variable() {
        for line in SCRIPT.lines().filter(|l| !l.starts_with('#')) {
            assert!(!line.contains("/dev/sg"), "fixed device name in {line:?}");
            assert!(!line.contains("/dev/sd"), "fixed device name in {line:?}");
        }
        assert!(SCRIPT.contains("$SG_QEMU"));
    }
}
