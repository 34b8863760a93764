//! The guest's `/init`: PID 1 of the QEMU guest that `cargo xtask test` boots.
//!
//! It mounts the pseudo file systems, loads the SCSI modules listed in `/etc/sgmap/modules`
//! (dependency order, written by the xtask), mounts configfs (LIO's target core, for the
//! `tcmu_*` tests' scripted target; a kernel without its modules has those tests left out),
//! then acts on `sgmap.mode=` from the kernel command line:
//!
//! - `test` (default): the phases of the init's own architecture: on x86_64 `sdebug-512`,
//!   `sdebug-4096`, `qemu-disk` and `i686-sdebug-512`, on aarch64 `aarch64-qemu-disk`, on
//!   32-bit ARM `armhf-qemu-disk`; in each it finds the phase's devices and runs every
//!   binary of the phase's directory (`/tests`; `/tests-i686` for `i686-sdebug-512`, the 32-bit builds that the kernel runs
//!   through its compat layer) with the `SGMAP_*` environment that
//!   `sgmap_tests::Devices::from_env` reads;
//! - `demo` (`cargo xtask demo`): loads scsi_debug as in `sdebug-512` (with a 1 ms
//!   latency), finds QEMU's disk, writes a small image file, and runs each line of
//!   `/etc/sgmap/demo` as the arguments of `/bin/sgmap` ([`run_demo`]);
//! - `bench` (`cargo xtask bench`): runs the timed copies of `/etc/sgmap/bench`
//!   ([`run_bench`]).
//!
//! Whatever happens, it ends with one line `SGMAP-VERDICT pass=N fail=M` on the console,
//! then syncs and powers the machine off. The host reads the console; the line protocol:
//!
//! - `SGMAP-PHASE <name> <key=value...>`: a phase starts (the devices it found);
//! - `SGMAP-RUN <phase> <binary> <args>`: a test binary starts;
//! - libtest's own output, including its `test result:` lines;
//! - `SGMAP-BESIDE <phase> <binary> took=<seconds>`: after the held output (its own
//!   `SGMAP-RUN` line first) of a binary that ran beside others ([`BESIDE`]), its time;
//! - `SGMAP-ERROR <phase>: <message>`: a failure outside libtest (a binary killed by a
//!   signal, a device not found), counted as one failed test;
//! - `SGMAP-PHASE-NOTE <name> <text>`: what the phase leaves out, and why;
//! - `SGMAP-PHASE-END <name> pass=N fail=M`;
//! - `SGMAP-PHASE-SKIP <name>`: with `sgmap.only=`, a phase none of whose binaries was
//!   chosen;
//! - `SGMAP-OUT <text>` (demo, bench): a line for the user, which the host prints as is;
//! - `SGMAP-BENCH <key=value...>` (bench): one timed run;
//! - `SGMAP-TOOL <text>` (bench): a line of a run's output that the host reads (fio's
//!   figures, strace's counts), before that run's `SGMAP-BENCH` line;
//! - `SGMAP-VERDICT pass=N fail=M`, last.
//!
//! In the demo and bench modes the kernel's console log level is lowered, so that the
//! console carries the init's lines and little else.

use std::ffi::CString;
use std::fs;
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::panic;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use rustix::mount::{self, MountFlags};
use rustix::system::{self, RebootCommand};
use sgmap_tests::harness;

/// Module load order, one name a line (`<name>.ko` in [`MODULE_DIR`]).
const MODULE_LIST: &str = "/etc/sgmap/modules";
const MODULE_DIR: &str = "/lib/modules";
/// Loaded per phase with that phase's parameters, not at boot.
const SCSI_DEBUG: &str = "scsi_debug";
const SDEBUG_SYSFS: &str = "/sys/bus/pseudo/drivers/scsi_debug";
const CONFIGFS: &str = "/sys/kernel/config";
/// LIO's userspace backstore and loopback fabric, which the `tcmu_*` tests need.
const TCMU_MODULES: &[&str] = &["target_core_user", "tcm_loop"];
/// The libtest arguments that leave the `tcmu_*` tests out.
const SKIP_TCMU: &[&str] = &["--skip", "tcmu_"];
const TEST_DIR: &str = "/tests";
/// The 32-bit (i686) test binaries (`GUEST_DIR_32` in xtask/src/test.rs).
const TEST_DIR_32: &str = "/tests-i686";
const DEMO_SCRIPT: &str = "/etc/sgmap/demo";
const BENCH_SCRIPT: &str = "/etc/sgmap/bench";
const SGMAP_BIN: &str = "/bin/sgmap";
/// The demo's firmware image (`$IMAGE`), written by the init before the script.
const DEMO_IMAGE: &str = "/tmp/firmware.img";
const DEMO_IMAGE_LEN: usize = 16 * 1024;
/// The demo's scsi_debug answers each command 1 ms late (from a timer, as a disk would):
/// long enough for queue depth to show even under TCG.
const DEMO_NDELAY: u32 = 1_000_000;
/// `PATH` of the demo's and the bench's commands.
const PATH: &str = "/bin:/usr/bin";

/// Identity of QEMU's disk: the xtask gives `-device scsi-hd,vendor=…,product=…` (keep in
/// step with `DISK_VENDOR` and `DISK_PRODUCT` in xtask/src/guest.rs).
const QEMU_DISK_VENDOR: &str = "QEMU";
const QEMU_DISK_MODEL: &str = "SGMAP-SCRATCH";

/// How long devices may take to show up after a module load (TCG is slow).
const DEVICE_WAIT: Duration = Duration::from_secs(60);
/// Default limit for one test binary; `sgmap.test_timeout=SECONDS` overrides it.
const TEST_TIMEOUT: Duration = Duration::from_secs(600);

/// scsi_debug with two hosts, each with its own RAM store, so that a device-to-device copy
/// has two independent devices. `delay=0` answers in the caller; `statistics=1` is needed
/// for `every_nth` fault injection. `lbpu`, `lbpws` and `lbpws10` turn on logical block
/// provisioning (UNMAP, WRITE SAME with UNMAP, GET LBA STATUS; READ CAPACITY (16) then
/// says LBPME and LBPRZ), for `cli_provision`; they are module-wide parameters.
const SDEBUG_COMMON: &str =
    "dev_size_mb=16 delay=0 statistics=1 add_host=2 per_host_store=1 num_tgts=1 max_luns=1 \
     lbpu=1 lbpws=1 lbpws10=1";

struct Phase {
    name: &'static str,
    /// The machine whose init runs it (`std::env::consts::ARCH`): each architecture's
    /// guest is a boot of its own, with its own initramfs.
    arch: &'static str,
    /// Where its test binaries are.
    dir: &'static str,
    kind: PhaseKind,
    /// libtest arguments for every binary of the phase, after `--test-threads=1`.
    skip: &'static [&'static str],
    /// Why `skip` leaves those tests out, for the `SGMAP-PHASE-NOTE` line.
    skip_reason: &'static str,
}

enum PhaseKind {
    ScsiDebug { sector_size: u32, dsense: bool },
    QemuDisk,
}

const PHASES: &[Phase] = &[
    Phase {
        name: "sdebug-512",
        arch: "x86_64",
        dir: TEST_DIR,
        kind: PhaseKind::ScsiDebug {
            sector_size: 512,
            dsense: false,
        },
        skip: &[],
        skip_reason: "",
    },
    // The `tcmu_*` tests make a target of their own (sgmap_tests::tcmu), whatever the
    // phase's device: one phase runs them ([`ONCE`]), the others leave them out.
    Phase {
        name: "sdebug-4096",
        arch: "x86_64",
        dir: TEST_DIR,
        kind: PhaseKind::ScsiDebug {
            sector_size: 4096,
            dsense: true,
        },
        skip: &[],
        skip_reason: "",
    },
    Phase {
        name: "qemu-disk",
        arch: "x86_64",
        dir: TEST_DIR,
        kind: PhaseKind::QemuDisk,
        skip: &["--skip", "scsi_debug_"],
        skip_reason: "scsi_debug_: they need scsi_debug, and the sdebug phases run them",
    },
    // The 32-bit ABI against the real driver: the same scsi_debug as `sdebug-512`, the
    // library's tests built for i686 (the 64-byte compat `sg_io_hdr`).
    Phase {
        name: "i686-sdebug-512",
        arch: "x86_64",
        dir: TEST_DIR_32,
        kind: PhaseKind::ScsiDebug {
            sector_size: 512,
            dsense: false,
        },
        skip: &[],
        skip_reason: "",
    },
    // The arm64 guest (`qemu-system-aarch64 -M virt`): every test and command that QEMU's
    // disk can serve, built for aarch64-unknown-linux-musl.
    Phase {
        name: "aarch64-qemu-disk",
        arch: "aarch64",
        dir: TEST_DIR,
        kind: PhaseKind::QemuDisk,
        skip: &["--skip", "scsi_debug_"],
        skip_reason: "they need scsi_debug, which Debian's arm64 kernel does not build",
    },
    // The 32-bit ARM guest (`qemu-system-arm -M virt`, Debian's armmp-lpae kernel): the
    // same, built for armv7-unknown-linux-musleabihf; a 32-bit process on a 32-bit kernel,
    // so the native 64-byte `sg_io_hdr` (no compat layer).
    Phase {
        name: "armhf-qemu-disk",
        arch: "arm",
        dir: TEST_DIR,
        kind: PhaseKind::QemuDisk,
        skip: &["--skip", "scsi_debug_"],
        skip_reason: "they need scsi_debug, which Debian's armhf kernels do not build",
    },
];

/// Tests that some phases run and the others leave out (`--skip NAME`, NAME a libtest
/// filter: a substring of the test's name, so one NAME may cover several): (NAME, the
/// phases that run them). Each is the same in every phase of an architecture: it waits on
/// sg3_utils' own sleeps (the countdown before a destructive command, the minute between
/// FORMAT UNIT's polls), makes a target of its own rather than use the phase's device
/// (the `tcmu_` tests), or opens no device at all (usage, version lines, option errors,
/// files, buffers from a fixed seed); another phase of the same architecture would prove
/// nothing new and cost as long again. Each NAME is a substring of no other test's name.
const ONCE: &[(&str, &[&str])] = &[
    // The firmware build (`/bin/sgmap-firmware`, amd64 only): its choices do not depend on
    // the device.
    ("firmware_build_", &["sdebug-512"]),
    // sg_format's and sg_sanitize's 15-second countdowns: the same lines and exit status
    // at any sector size and sense format.
    (
        "scsi_debug_the_countdown_is_sg_format_and_sg_sanitize_s",
        &["sdebug-512"],
    ),
    // sg_unmap's 20-second warning (sgmap and sg_unmap at once): the same on any device;
    // in the arm64 boot, whose waits run beside its work, not in the longer amd64-2 one.
    (
        "unmap_without_force_warns_and_pauses_as_sg_unmap_does",
        &["aarch64-qemu-disk"],
    ),
    // FORMAT UNIT with IMMED: sg_format's and sgmap's first poll a minute later, on QEMU's
    // disk (the one phase device that formats).
    (
        "format_with_immed_polls_a_minute_later_as_sg_format_does",
        &["aarch64-qemu-disk"],
    ),
    // The scripted target (two minutes of sg_format's and sg_sanitize's own polls): the
    // same 64-bit `sg_io_hdr` and sg driver on either 64-bit kernel.
    ("tcmu_", &["aarch64-qemu-disk"]),
    // `sg` unloaded and loaded again: the same driver everywhere; in qemu-disk, the
    // shorter amd64 boot's last phase, where no other binary runs beside it.
    (
        "without_the_sg_module_a_block_node_names_the_fix",
        &["qemu-disk"],
    ),
    // No device, so once per architecture (the first x86_64 phase and the arm64 one):
    // conform_unit's open failures, usage and -V, sg_luns --test, sg_opcodes --enumerate
    // (`<tool>_without_a_device_is_<tool>`, eight tests), and conform_getopt's long option
    // tables and abbreviations (`*_without_a_device_is_sg3_utils_getopt_long`);
    ("_without_a_device_is_sg", ONCE_PER_ARCH),
    // conform_inq's usage and version lines;
    ("inquiry_help_and_version_are_sg_inqs", ONCE_PER_ARCH),
    // conform_dd_prov's version lines, usage, dd operand errors and file-to-file copies;
    ("version_lines_are_the_tools", ONCE_PER_ARCH),
    ("help_exits_as_the_tools_do", ONCE_PER_ARCH),
    ("dd_operand_errors_exit_as_each_tool_does", ONCE_PER_ARCH),
    ("dd_file_copies_report_as_each_tool_does", ONCE_PER_ARCH),
    // conform_raw_sense's sense buffers from fixed seeds and its files;
    ("sense_random_buffers_with_v_add_the_raw_hex", ONCE_PER_ARCH),
    ("sense_buffers_that_are_not_sense_data", ONCE_PER_ARCH),
    ("sense_options_are_sg_decode_senses", ONCE_PER_ARCH),
    // cli_multicall's names, links, version lines and unopenable paths.
    (
        "list_names_prints_every_tool_sgmap_replaces_once",
        ONCE_PER_ARCH,
    ),
    ("install_makes_hard_links_by_default", ONCE_PER_ARCH),
    ("install_leaves_a_file_that_is_not_sgmap", ONCE_PER_ARCH),
    ("a_link_with_a_tool_name_runs_that_tool", ONCE_PER_ARCH),
    (
        "a_node_that_does_not_open_has_the_tools_status",
        ONCE_PER_ARCH,
    ),
    // conform_sense_random's 300 buffers of the phase's own seed in every phase but
    // qemu-disk, whose seed's buffers sdebug-4096 decodes (the same x86_64 binaries, no
    // device): the amd64 boot has the more work of the two amd64 boots.
    (
        "sense_random_fixed_and_descriptor_buffers_decode_as_sg_decode_sense",
        &[
            "sdebug-512",
            "sdebug-4096",
            "aarch64-qemu-disk",
            "armhf-qemu-disk",
        ],
    ),
    (
        "sense_random_qemu_disk_seed_buffers_decode_as_sg_decode_sense",
        &["sdebug-4096"],
    ),
    // cli_signals: stops, SIGUSR1, SIGINT and SIGTERM at set times during dd, write-buffer,
    // tur and raw, each command counted at the device. Signal delivery and the sg driver's
    // answers do not depend on the sector size or sense format, and the waits are the
    // tests' own (50 s a phase), so sdebug-512 alone.
    ("_under_stops_", &["sdebug-512"]),
    ("scsi_debug_dd_stop_signals_", &["sdebug-512"]),
    ("scsi_debug_dd_usr1_", &["sdebug-512"]),
    ("scsi_debug_dd_sigint_in_any_phase", &["sdebug-512"]),
    (
        "scsi_debug_write_buffer_stopped_by_sigterm",
        &["sdebug-512"],
    ),
    // Exactly once counted at the device for the kinds of data the kernel would not refuse
    // twice, each chunk of a download, a removal shown first as DID_ERROR: the same
    // sg driver and scsi_debug at any sector size and sense format.
    ("execute_of_each_unmapped_data_kind_", &["sdebug-512"]),
    (
        "write_buffer_sends_each_chunk_retry_and_activation_to_the_device_once",
        &["sdebug-512"],
    ),
    ("a_device_removed_while_its_reads_queue", &["sdebug-512"]),
];

/// Where a test that opens no device runs: one phase of each architecture (`sdebug-512`
/// is in the amd64 boot, which ends first: `BOOTS` in xtask/src/test.rs).
const ONCE_PER_ARCH: &[&str] = &["sdebug-512", "aarch64-qemu-disk", "armhf-qemu-disk"];

/// A test binary that waits far more than it works, run at the same time as a group of
/// the phase's other binaries rather than after them: (the binary, its phase, the prefix
/// of the binaries it runs beside). Its output is held back and shown whole after theirs,
/// followed by `SGMAP-BESIDE <phase> <binary> took=<seconds>`, its own time.
const BESIDE: &[(&str, &str, &str)] = &[
    // The scripted target's two minutes of sg_format's and sg_sanitize's own polls, beside
    // the `conform_*` binaries (four minutes of work in the arm64 guest): its targets are
    // its own, and the conformance tests use the phase's device alone by its path and
    // never list the devices, so targets that come and go cannot show in them.
    ("tcmu", "aarch64-qemu-disk", "conform_"),
];

/// Passed and failed tests, and those the phase's `skip` left out (libtest's `filtered
/// out`).
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    pass: u64,
    fail: u64,
    left_out: u64,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.pass += other.pass;
        self.fail += other.fail;
        self.left_out += other.left_out;
    }

    fn failed(fail: u64) -> Tally {
        Tally {
            fail,
            ..Tally::default()
        }
    }
}

/// One SCSI device as sysfs shows it.
#[derive(Debug, Clone)]
struct ScsiDevice {
    /// `sg0`
    sg: String,
    /// `H:C:T:L`, parsed, for a stable order.
    hctl: [u32; 4],
    vendor: String,
    model: String,
    /// `sda`, once sd has attached.
    block: Option<String>,
}

impl ScsiDevice {
    fn sg_path(&self) -> PathBuf {
        Path::new("/dev").join(&self.sg)
    }

    fn block_path(&self) -> Option<PathBuf> {
        self.block.as_ref().map(|b| Path::new("/dev").join(b))
    }

    fn is_scsi_debug(&self) -> bool {
        self.vendor == "Linux" && self.model == "scsi_debug"
    }

    fn is_qemu_disk(&self) -> bool {
        self.vendor == QEMU_DISK_VENDOR && self.model == QEMU_DISK_MODEL
    }

    /// Both nodes exist: sd has attached and devtmpfs made the nodes.
    fn ready(&self) -> bool {
        self.sg_path().exists() && self.block_path().is_some_and(|b| b.exists())
    }
}

fn main() {
    let tally = match panic::catch_unwind(init) {
        Ok(Ok(tally)) => tally,
        Ok(Err(e)) => {
            println!("SGMAP-ERROR init: {e}");
            Tally::failed(1)
        }
        Err(_) => {
            println!("SGMAP-ERROR init: panicked");
            Tally::failed(1)
        }
    };
    println!("SGMAP-VERDICT pass={} fail={}", tally.pass, tally.fail);
    power_off();
}

fn init() -> Result<Tally, String> {
    mount_pseudo_filesystems()?;
    let cmdline = fs::read_to_string("/proc/cmdline").map_err(|e| format!("/proc/cmdline: {e}"))?;
    let mode = cmdline_value(&cmdline, "sgmap.mode").unwrap_or("test");
    let test_timeout = match cmdline_value(&cmdline, "sgmap.test_timeout") {
        Some(s) => Duration::from_secs(
            s.parse()
                .map_err(|_| format!("sgmap.test_timeout={s:?}: not a number of seconds"))?,
        ),
        None => TEST_TIMEOUT,
    };
    let release = system::uname();
    println!(
        "sgmap guest init: kernel {}, mode {mode}",
        release.release().to_string_lossy()
    );
    load_boot_modules()?;
    mount_configfs()?;
    match fs::read_to_string("/sys/module/sg/version") {
        Ok(version) => println!("sg driver version {}", version.trim()),
        Err(e) => println!("sg driver version: /sys/module/sg/version: {e}"),
    }
    match mode {
        "test" => Ok(run_tests(
            test_timeout,
            &Selection {
                only: cmdline_value(&cmdline, "sgmap.only").map(|l| l.split(',').collect()),
                phases: cmdline_value(&cmdline, "sgmap.phases").map(|l| l.split(',').collect()),
            },
        )),
        "demo" => run_demo(test_timeout),
        "bench" => run_bench(test_timeout),
        other => Err(format!("unknown sgmap.mode={other:?} (test, demo, bench)")),
    }
}

fn cmdline_value<'a>(cmdline: &'a str, key: &str) -> Option<&'a str> {
    cmdline.split_whitespace().find_map(|arg| {
        arg.strip_prefix(key)
            .and_then(|rest| rest.strip_prefix('='))
    })
}

fn mount_pseudo_filesystems() -> Result<(), String> {
    let mounts = [
        (
            "proc",
            "/proc",
            "proc",
            MountFlags::NOSUID | MountFlags::NOEXEC,
        ),
        (
            "sysfs",
            "/sys",
            "sysfs",
            MountFlags::NOSUID | MountFlags::NOEXEC,
        ),
        (
            "devtmpfs",
            "/dev",
            "devtmpfs",
            MountFlags::NOSUID | MountFlags::NOEXEC,
        ),
        ("tmpfs", "/tmp", "tmpfs", MountFlags::NOSUID),
    ];
    for (source, target, fstype, flags) in mounts {
        fs::create_dir_all(target).map_err(|e| format!("mkdir {target}: {e}"))?;
        mount::mount(source, target, fstype, flags, None)
            .map_err(|e| format!("mount {fstype} on {target}: {e}"))?;
    }
    Ok(())
}

/// configfs, where LIO's target core is configured (`sgmap_tests::tcmu`), once its module
/// is loaded: the kernel makes the mount point.
fn mount_configfs() -> Result<(), String> {
    if !Path::new(CONFIGFS).is_dir() {
        return Ok(());
    }
    mount::mount(
        "configfs",
        CONFIGFS,
        "configfs",
        MountFlags::NOSUID | MountFlags::NOEXEC,
        None,
    )
    .map_err(|e| format!("mount configfs on {CONFIGFS}: {e}"))
}

/// Whether the module list has the TCMU target stack; without it the phases leave the
/// `tcmu_*` tests out.
fn have_tcmu() -> bool {
    fs::read_to_string(MODULE_LIST).is_ok_and(|list| {
        let names: Vec<&str> = list.lines().map(str::trim).collect();
        TCMU_MODULES.iter().all(|m| names.contains(m))
    })
}

fn load_boot_modules() -> Result<(), String> {
    let list = fs::read_to_string(MODULE_LIST).map_err(|e| format!("{MODULE_LIST}: {e}"))?;
    let names: Vec<&str> = list
        .lines()
        .map(str::trim)
        .filter(|name| !name.is_empty() && *name != SCSI_DEBUG)
        .collect();
    for name in &names {
        load_module(name, "", true)?;
    }
    println!("loaded modules: {}", names.join(" "));
    Ok(())
}

/// `finit_module` of `/lib/modules/<name>.ko`; an already loaded module is fine when
/// `loaded_ok`.
fn load_module(name: &str, params: &str, loaded_ok: bool) -> Result<(), String> {
    let path = Path::new(MODULE_DIR).join(format!("{name}.ko"));
    let file = fs::File::open(&path).map_err(|e| format!("open {}: {e}", path.display()))?;
    let params = CString::new(params).map_err(|_| format!("{name}: NUL in parameters"))?;
    match system::finit_module(&file, &params, 0) {
        Ok(()) => Ok(()),
        Err(rustix::io::Errno::EXIST) if loaded_ok => Ok(()),
        Err(rustix::io::Errno::EXIST) => Err(format!(
            "finit_module {}: already loaded (with other parameters)",
            path.display()
        )),
        Err(e) => Err(format!("finit_module {} {params:?}: {e}", path.display())),
    }
}

fn unload_module(name: &str) -> Result<(), String> {
    let cname = CString::new(name).map_err(|_| format!("{name}: NUL in module name"))?;
    let deadline = Instant::now() + DEVICE_WAIT;
    loop {
        // O_NONBLOCK as rmmod does: fail with EWOULDBLOCK/EAGAIN while in use, do not wait.
        match system::delete_module(&cname, rustix::fs::OFlags::NONBLOCK.bits() as i32) {
            Ok(()) => return Ok(()),
            Err(rustix::io::Errno::AGAIN | rustix::io::Errno::BUSY)
                if Instant::now() < deadline =>
            {
                thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(format!("delete_module {name}: {e}")),
        }
    }
}

/// Every SCSI device with an sg node, in H:C:T:L order.
fn scan_scsi_devices() -> Vec<ScsiDevice> {
    let mut devices = Vec::new();
    let Ok(entries) = fs::read_dir("/sys/class/scsi_generic") else {
        return devices;
    };
    for entry in entries.flatten() {
        let sg = entry.file_name().to_string_lossy().into_owned();
        let dev = entry.path().join("device");
        let Ok(target) = fs::read_link(&dev) else {
            continue;
        };
        let hctl_name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut hctl = [0u32; 4];
        for (slot, part) in hctl.iter_mut().zip(hctl_name.split(':')) {
            *slot = part.parse().unwrap_or(u32::MAX);
        }
        let read = |name: &str| {
            fs::read_to_string(dev.join(name))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let block = fs::read_dir(dev.join("block"))
            .ok()
            .and_then(|mut entries| {
                entries
                    .next()
                    .and_then(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
            });
        devices.push(ScsiDevice {
            sg,
            hctl,
            vendor: read("vendor"),
            model: read("model"),
            block,
        });
    }
    devices.sort_by_key(|d| d.hctl);
    devices
}

/// Waits until `pick` finds the devices it wants in a scan, or [`DEVICE_WAIT`] passes.
fn wait_for<T>(what: &str, mut pick: impl FnMut(&[ScsiDevice]) -> Option<T>) -> Result<T, String> {
    let deadline = Instant::now() + DEVICE_WAIT;
    loop {
        let devices = scan_scsi_devices();
        if let Some(found) = pick(&devices) {
            return Ok(found);
        }
        if Instant::now() >= deadline {
            let seen: Vec<String> = devices
                .iter()
                .map(|d| {
                    format!(
                        "{} {:?} {:?} {:?} block={:?}",
                        d.sg, d.hctl, d.vendor, d.model, d.block
                    )
                })
                .collect();
            return Err(format!(
                "{what}: not there after {}s; SCSI devices seen: [{}]",
                DEVICE_WAIT.as_secs(),
                seen.join("; ")
            ));
        }
        thread::sleep(Duration::from_millis(100));
    }
}

/// The environment of one phase's test run.
struct PhaseDevices {
    env: Vec<(&'static str, String)>,
    description: String,
}

fn logical_block_size(block: &Path) -> Result<u32, String> {
    let name = block.file_name().unwrap_or_default().to_string_lossy();
    let path = format!("/sys/block/{name}/queue/logical_block_size");
    let text = fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    text.trim()
        .parse()
        .map_err(|_| format!("{path}: {text:?} is not a number"))
}

/// scsi_debug's sense format as it is now (`dsense`), not as it was asked for.
fn scsi_debug_dsense() -> Result<bool, String> {
    let path = format!("{SDEBUG_SYSFS}/dsense");
    match fs::read_to_string(&path)
        .map_err(|e| format!("{path}: {e}"))?
        .trim()
    {
        "0" => Ok(false),
        "1" => Ok(true),
        other => Err(format!("{path}: {other:?}")),
    }
}

/// The phase's environment. The sector size comes from sysfs; QEMU's disk answers with
/// fixed-format sense (QEMU's scsi_build_sense()).
fn phase_devices(
    phase: &str,
    devices: &[ScsiDevice],
    scsi_debug: bool,
) -> Result<PhaseDevices, String> {
    let first = &devices[0];
    let block = first.block_path().ok_or("no block device")?;
    let sector_size = logical_block_size(&block)?;
    let dsense = scsi_debug && scsi_debug_dsense()?;
    let sense = if dsense { "descriptor" } else { "fixed" };
    let mut env = vec![
        ("SGMAP_PHASE", phase.to_owned()),
        ("SGMAP_SG", first.sg_path().display().to_string()),
        ("SGMAP_BLOCK", block.display().to_string()),
        ("SGMAP_SECTOR_SIZE", sector_size.to_string()),
        ("SGMAP_SENSE_FORMAT", sense.to_owned()),
    ];
    if let Some(second) = devices.get(1) {
        let block2 = second.block_path().ok_or("no block device")?;
        env.push(("SGMAP_SG2", second.sg_path().display().to_string()));
        env.push(("SGMAP_BLOCK2", block2.display().to_string()));
    }
    if scsi_debug {
        env.push(("SGMAP_SCSI_DEBUG", "1".to_owned()));
        env.push(("SGMAP_SDEBUG_SYSFS", SDEBUG_SYSFS.to_owned()));
    }
    let description = env
        .iter()
        .filter(|(k, _)| *k != "SGMAP_PHASE")
        .map(|(k, v)| format!("{}={v}", k.trim_start_matches("SGMAP_").to_lowercase()))
        .collect::<Vec<_>>()
        .join(" ");
    Ok(PhaseDevices { env, description })
}

/// Loads scsi_debug with `params` and waits for its `count` devices with their nodes.
fn load_scsi_debug(params: &str, count: usize) -> Result<Vec<ScsiDevice>, String> {
    load_module(SCSI_DEBUG, params, false)?;
    wait_for(
        &format!("{count} scsi_debug device(s) with sg and sd nodes"),
        |devices| {
            let sdebug: Vec<ScsiDevice> = devices
                .iter()
                .filter(|d| d.is_scsi_debug())
                .cloned()
                .collect();
            (sdebug.len() == count && sdebug.iter().all(ScsiDevice::ready)).then_some(sdebug)
        },
    )
}

/// Loads scsi_debug with these parameters and waits for its two devices with their nodes.
fn setup_scsi_debug(phase: &str, sector_size: u32, dsense: bool) -> Result<PhaseDevices, String> {
    let params = format!(
        "{SDEBUG_COMMON} sector_size={sector_size} dsense={}",
        u8::from(dsense)
    );
    let devices = load_scsi_debug(&params, 2)?;
    let devices = phase_devices(phase, &devices, true)?;
    check_env(&devices, "SGMAP_SECTOR_SIZE", &sector_size.to_string())?;
    let sense = if dsense { "descriptor" } else { "fixed" };
    check_env(&devices, "SGMAP_SENSE_FORMAT", sense)?;
    Ok(devices)
}

/// The devices are as the phase asked for.
fn check_env(devices: &PhaseDevices, key: &str, expected: &str) -> Result<(), String> {
    match devices.env.iter().find(|(k, _)| *k == key) {
        Some((_, value)) if value == expected => Ok(()),
        found => Err(format!("{key}: asked for {expected}, got {found:?}")),
    }
}

fn teardown_scsi_debug() -> Result<(), String> {
    unload_module(SCSI_DEBUG)?;
    wait_for("scsi_debug devices gone", |devices| {
        (!devices.iter().any(ScsiDevice::is_scsi_debug)).then_some(())
    })
}

/// QEMU's disk, once it has both nodes.
fn wait_qemu_disk() -> Result<ScsiDevice, String> {
    wait_for(
        &format!("QEMU disk ({QEMU_DISK_VENDOR} {QEMU_DISK_MODEL}) with sg and sd nodes"),
        |devices| {
            let disk = devices.iter().find(|d| d.is_qemu_disk())?;
            disk.ready().then(|| disk.clone())
        },
    )
}

fn setup_qemu_disk(phase: &str) -> Result<PhaseDevices, String> {
    let disk = wait_qemu_disk()?;
    phase_devices(phase, &[disk], false)
}

/// What `cargo xtask test --only/--phase` asked for; `None`: everything.
struct Selection<'a> {
    only: Option<Vec<&'a str>>,
    phases: Option<Vec<&'a str>>,
}

fn run_tests(timeout: Duration, select: &Selection<'_>) -> Tally {
    let mut total = Tally::default();
    let phases = PHASES.iter().filter(|p| {
        p.arch == std::env::consts::ARCH
            && select.phases.as_ref().is_none_or(|l| l.contains(&p.name))
    });
    for phase in phases {
        let binaries = test_binaries(phase.dir).map(|all| {
            all.into_iter()
                .filter(|b| {
                    let name = b.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                    select.only.as_ref().is_none_or(|l| l.contains(&name))
                })
                .collect::<Vec<_>>()
        });
        if matches!(&binaries, Ok(b) if b.is_empty()) && select.only.is_some() {
            println!("SGMAP-PHASE-SKIP {} (no binary of sgmap.only)", phase.name);
            continue;
        }
        let tally = match binaries {
            Ok(binaries) => run_phase(phase, &binaries, timeout),
            Err(e) => {
                println!("SGMAP-PHASE {} (no tests)", phase.name);
                println!("SGMAP-ERROR {}: {e}", phase.name);
                Tally::failed(1)
            }
        };
        println!(
            "SGMAP-PHASE-END {} pass={} fail={}",
            phase.name, tally.pass, tally.fail
        );
        total.add(tally);
    }
    total
}

/// A new kernel taint between `before` and now, outside any test binary (the phase's
/// setup or teardown: module loads and unloads), reported as one failure.
fn taint_check(phase: &str, when: &str, before: Option<u64>, tally: &mut Tally) -> Option<u64> {
    let now = taint();
    if let Some(news) = before.zip(now).and_then(|(b, a)| harness::new_taint(b, a)) {
        println!("SGMAP-ERROR {phase}: {news} {when}");
        tally.fail += 1;
    }
    now
}

fn run_phase(phase: &Phase, binaries: &[PathBuf], timeout: Duration) -> Tally {
    let mut tally = Tally::default();
    let start = taint();
    let setup = match phase.kind {
        PhaseKind::ScsiDebug {
            sector_size,
            dsense,
        } => setup_scsi_debug(phase.name, sector_size, dsense),
        PhaseKind::QemuDisk => setup_qemu_disk(phase.name),
    };
    match setup {
        Ok(devices) => {
            println!("SGMAP-PHASE {} {}", phase.name, devices.description);
            taint_check(phase.name, "during the phase's setup", start, &mut tally);
            // The binaries whose every test `skip` left out.
            let mut all_left_out = Vec::new();
            let tcmu = have_tcmu();
            if !tcmu {
                println!(
                    "SGMAP-PHASE-NOTE {} left out the tcmu_ tests ({}): this kernel lacks {}",
                    phase.name,
                    SKIP_TCMU.join(" "),
                    TCMU_MODULES.join(" and ")
                );
            }
            // The tests that another phase runs for all of them.
            let elsewhere: Vec<&(&str, &[&str])> = ONCE
                .iter()
                .filter(|(_, p)| !p.contains(&phase.name))
                .collect();
            let mut skip: Vec<&str> = phase.skip.to_vec();
            for (test, _) in &elsewhere {
                skip.extend(["--skip", test]);
            }
            let mut args = vec!["--test-threads=1"];
            args.extend_from_slice(&skip);
            if !tcmu {
                args.extend_from_slice(SKIP_TCMU);
            }
            let name_of = |b: &PathBuf| {
                b.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            };
            // The binary that runs beside a group of the others, when both are here: the
            // group's first and last index.
            let beside = BESIDE.iter().filter(|(_, p, _)| *p == phase.name).find_map(
                |&(name, _, prefix)| {
                    let binary = binaries.iter().find(|b| name_of(b) == name)?;
                    let group: Vec<usize> = (0..binaries.len())
                        .filter(|&i| name_of(&binaries[i]).starts_with(prefix))
                        .collect();
                    Some((binary, *group.first()?, *group.last()?))
                },
            );
            if let Some((binary, first, last)) = beside {
                println!(
                    "SGMAP-PHASE-NOTE {} runs {} beside {} to {} (it waits on sg3_utils' own \
                     polls; its output follows theirs)",
                    phase.name,
                    name_of(binary),
                    name_of(&binaries[first]),
                    name_of(&binaries[last])
                );
            }
            let mut account = |binary: &PathBuf, ran: Tally| {
                if ran.pass + ran.fail == 0 && ran.left_out > 0 {
                    all_left_out.push(name_of(binary));
                }
                tally.add(ran);
            };
            thread::scope(|scope| {
                let mut held = None;
                for (i, binary) in binaries.iter().enumerate() {
                    match beside {
                        Some((b, _, _)) if b == binary => continue,
                        Some((b, first, _)) if i == first => {
                            let (args, env) = (&args, &devices.env);
                            held = Some(scope.spawn(move || {
                                let started = Instant::now();
                                let mut lines = Vec::new();
                                let mut hold = |l: &str| lines.push(l.to_owned());
                                let ran = run_binary(phase.name, b, args, env, timeout, &mut hold);
                                (ran, lines, started.elapsed())
                            }));
                        }
                        _ => {}
                    }
                    let ran =
                        run_binary(phase.name, binary, &args, &devices.env, timeout, &mut echo);
                    account(binary, ran);
                    // After the group's last binary, the held one's output and time.
                    let ends = beside.filter(|&(_, _, last)| last == i);
                    if let Some((b, _, _)) = ends {
                        if let Some(handle) = held.take() {
                            let (ran, lines, took) = handle.join().unwrap_or_else(|_| {
                                let why = "the thread that ran it panicked".to_owned();
                                (
                                    Tally::failed(1),
                                    vec![format!("SGMAP-ERROR {}: {why}", phase.name)],
                                    Duration::ZERO,
                                )
                            });
                            for line in &lines {
                                echo(line);
                            }
                            println!(
                                "SGMAP-BESIDE {} {} took={:.1}",
                                phase.name,
                                name_of(b),
                                took.as_secs_f64()
                            );
                            account(b, ran);
                        }
                    }
                }
            });
            if !phase.skip.is_empty() || tally.left_out > 0 {
                let whole = if all_left_out.is_empty() {
                    String::new()
                } else {
                    format!(", all of {}", all_left_out.join(" "))
                };
                let mut why = Vec::new();
                if !phase.skip_reason.is_empty() {
                    why.push(phase.skip_reason.to_owned());
                }
                if !elsewhere.is_empty() {
                    let names: Vec<String> = elsewhere
                        .iter()
                        .map(|(t, p)| format!("{t} in {}", p.join(" and ")))
                        .collect();
                    why.push(format!("run in other phases: {}", names.join(", ")));
                }
                println!(
                    "SGMAP-PHASE-NOTE {} left out {} tests ({}{whole}): {}",
                    phase.name,
                    tally.left_out,
                    skip.join(" "),
                    why.join("; ")
                );
            }
        }
        Err(e) => {
            println!("SGMAP-PHASE {} (no device)", phase.name);
            println!("SGMAP-ERROR {}: {e}", phase.name);
            tally.fail += 1;
            taint_check(phase.name, "during the phase's setup", start, &mut tally);
        }
    }
    let before_teardown = taint();
    if let PhaseKind::ScsiDebug { .. } = phase.kind {
        if let Err(e) = teardown_scsi_debug() {
            println!("SGMAP-ERROR {}: {e}", phase.name);
            tally.fail += 1;
        }
    }
    taint_check(
        phase.name,
        "during the phase's teardown",
        before_teardown,
        &mut tally,
    );
    tally
}

fn test_binaries(dir: &str) -> Result<Vec<PathBuf>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("{dir}: {e}"))?;
    let mut binaries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    binaries.sort();
    if binaries.is_empty() {
        return Err(format!("no test binaries in {dir}"));
    }
    Ok(binaries)
}

/// How a child process ended.
enum Ended {
    Exit(ExitStatus),
    /// Killed when its time was up.
    TimedOut(Duration),
    /// Not started, or not waited for: why.
    Failed(String),
}

impl std::fmt::Display for Ended {
    /// For the user: `exit status 0`, `killed by signal 9`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ended::Exit(s) => match (s.code(), s.signal()) {
                (Some(code), _) => write!(f, "exit status {code}"),
                (None, Some(signal)) => write!(f, "killed by signal {signal}"),
                (None, None) => write!(f, "{s}"),
            },
            Ended::TimedOut(limit) => write!(f, "killed after {}s", limit.as_secs()),
            Ended::Failed(why) => f.write_str(why),
        }
    }
}

/// A child process that ran: how it ended, and how long it took.
struct Ran {
    ended: Ended,
    /// From just before the spawn to the moment its exit was seen, on the monotonic clock.
    elapsed: Duration,
}

/// How often a silent child is looked at; the bound of [`Ran::elapsed`]'s error.
const CHILD_POLL: Duration = Duration::from_millis(2);
/// How long the output pipe may stay open after the child exited (a child it forked may
/// still hold it): then the rest of the output is given up.
const PIPE_GRACE: Duration = Duration::from_secs(10);

/// Runs `command` with stdin from /dev/null and stdout and stderr into one pipe, gives each
/// line of that output to `on_line` (in this thread, in order), and kills the child after
/// `timeout`.
fn run_child(command: &mut Command, timeout: Duration, mut on_line: impl FnMut(&str)) -> Ran {
    let failed = |why: String| Ran {
        ended: Ended::Failed(why),
        elapsed: Duration::ZERO,
    };
    let (reader, writer) = match io::pipe() {
        Ok(pipe) => pipe,
        Err(e) => return failed(format!("pipe: {e}")),
    };
    match writer.try_clone() {
        Ok(w) => command.stdin(Stdio::null()).stdout(w).stderr(writer),
        Err(e) => return failed(format!("pipe: {e}")),
    };
    let started = Instant::now();
    let spawned = command.spawn();
    // Close the command's copies of the write ends, so that the reader sees end-of-file
    // when the child and its children have closed theirs.
    command.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => return failed(format!("spawn: {e}")),
    };

    let (tx, rx) = mpsc::channel::<String>();
    thread::spawn(move || {
        for line in BufReader::new(reader).split(b'\n') {
            let Ok(line) = line else { break };
            if tx
                .send(String::from_utf8_lossy(&line).into_owned())
                .is_err()
            {
                break;
            }
        }
    });

    let deadline = started + timeout;
    let mut ran: Option<Ran> = None;
    let mut eof = false;
    loop {
        if eof {
            thread::sleep(Duration::from_millis(1));
        } else {
            match rx.recv_timeout(CHILD_POLL) {
                Ok(line) => on_line(&line),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => eof = true,
            }
        }
        if ran.is_none() {
            let ended = match child.try_wait() {
                Ok(Some(status)) => Some(Ended::Exit(status)),
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    Some(Ended::TimedOut(timeout))
                }
                Ok(None) => None,
                Err(e) => {
                    let _ = child.kill();
                    Some(Ended::Failed(format!("wait: {e}")))
                }
            };
            ran = ended.map(|ended| Ran {
                ended,
                elapsed: started.elapsed(),
            });
        }
        if let Some(ran) = &ran {
            if eof || started.elapsed() > ran.elapsed + PIPE_GRACE {
                break;
            }
        }
    }
    ran.expect("the loop ends after the child")
}

/// Runs one binary with the phase's environment, echoing its output to the console, and
/// judges it ([`harness::judge`]): first `--list` (how many tests it has), then the run.
/// A binary that dies, hangs, runs no test, accounts for fewer tests than it lists, or
/// leaves a new kernel taint behind (an oops, a WARN) fails.
fn run_binary(
    phase: &str,
    binary: &Path,
    args: &[&str],
    env: &[(&'static str, String)],
    timeout: Duration,
    out: &mut dyn FnMut(&str),
) -> Tally {
    let name = binary.file_name().unwrap_or_default().to_string_lossy();
    let command = |args: &[&str]| {
        let mut command = Command::new(binary);
        command
            .args(args)
            .env_clear()
            .env("PATH", "/bin")
            .env("RUST_BACKTRACE", "1")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .current_dir("/tmp");
        command
    };
    let mut listed = None;
    let list = run_child(&mut command(&["--list"]), timeout, |line| {
        if let Some(n) = harness::parse_listed(line) {
            listed = Some(n);
        }
    });
    if !matches!(&list.ended, Ended::Exit(s) if s.success()) {
        listed = None;
    }
    let taint_before = taint();
    out(&format!("SGMAP-RUN {phase} {name} {}", args.join(" ")));
    let mut results = Vec::new();
    let ran = run_child(&mut command(args), timeout, |line| {
        if let Some(r) = harness::parse_test_result(line) {
            results.push(r);
        }
        out(line);
    });
    let end = match ran.ended {
        Ended::Exit(status) => match (status.code(), status.signal()) {
            (Some(code), _) => harness::End::Exit(code),
            (None, Some(signal)) => harness::End::Signal(signal),
            (None, None) => harness::End::NotRun(format!("{status}")),
        },
        Ended::TimedOut(limit) => harness::End::TimedOut(limit.as_secs()),
        Ended::Failed(why) => harness::End::NotRun(why),
    };
    let mut verdict = harness::judge(&end, &results, listed);
    if let Some(news) = taint_before
        .zip(taint())
        .and_then(|(before, after)| harness::new_taint(before, after))
    {
        verdict.fail += 1;
        verdict.errors.push(format!("{news} while it ran"));
    }
    for e in &verdict.errors {
        out(&format!("SGMAP-ERROR {phase}: {name}: {e}"));
    }
    Tally {
        pass: verdict.pass,
        fail: verdict.fail,
        // With `--skip`, libtest's `filtered out` (`--list` runs before the filter).
        left_out: results.iter().map(|r| r.filtered).sum(),
    }
}

/// A line on the console (the host reads it as it comes).
fn echo(line: &str) {
    let _ = writeln!(io::stdout().lock(), "{line}");
}

/// The kernel's taint flags now (`None` when they cannot be read).
fn taint() -> Option<u64> {
    fs::read_to_string("/proc/sys/kernel/tainted")
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Lowers the console log level to emergencies only: the demo and the bench show their
/// own lines, not the kernel's notices about the devices they add.
fn quiet_kernel() {
    if let Err(e) = fs::write("/proc/sys/kernel/printk", "1") {
        println!("SGMAP-OUT (console log level unchanged: /proc/sys/kernel/printk: {e})");
    }
}

/// A script's variables: `$NAME` in a word is replaced by the value.
type Vars = Vec<(String, String)>;

/// `SG<suffix>` and `BLOCK<suffix>`: a device's nodes.
fn device_vars(vars: &mut Vars, suffix: &str, device: &ScsiDevice) {
    vars.push((
        format!("SG{suffix}"),
        device.sg_path().display().to_string(),
    ));
    if let Some(block) = device.block_path() {
        vars.push((format!("BLOCK{suffix}"), block.display().to_string()));
    }
}

/// Replaces each `$NAME` (upper-case letters, digits, `_`; the longest such name) in
/// `word` by its value; an unknown name is an error, never left in place.
fn expand(word: &str, vars: &Vars) -> Result<String, String> {
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..len];
        let value = vars
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .ok_or_else(|| {
                let known: Vec<&str> = vars.iter().map(|(k, _)| k.as_str()).collect();
                format!("${name} in {word:?} is not set (set: {})", known.join(" "))
            })?;
        out.push_str(value);
        rest = &after[len..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `sgmap.mode=demo`: the tour of `cargo xtask demo`.
///
/// scsi_debug is loaded as in phase `sdebug-512` (two 16 MiB disks) but with a latency
/// ([`DEMO_NDELAY`]), QEMU's disk is found,
/// and [`DEMO_IMAGE`] is written. Each line of [`DEMO_SCRIPT`] is then run as
/// `/bin/sgmap <line>`, its words expanded with the devices found: `$SG`, `$BLOCK` (the
/// first scsi_debug disk), `$SG2`, `$BLOCK2` (the second), `$SG_QEMU`, `$BLOCK_QEMU` (QEMU's
/// disk) and `$IMAGE`. A line `expect=N ARGS…` expects exit status N; other lines expect 0.
/// `# text` lines are shown as they are, as headings.
///
/// Everything for the user is a `SGMAP-OUT` line: the command, its output (stdout and
/// stderr as they interleave) and its exit status. A command that ends otherwise than
/// expected counts as a failure.
fn run_demo(timeout: Duration) -> Result<Tally, String> {
    quiet_kernel();
    let script = fs::read_to_string(DEMO_SCRIPT).map_err(|e| format!("{DEMO_SCRIPT}: {e}"))?;
    let sdebug = load_scsi_debug(
        &format!("{SDEBUG_COMMON} sector_size=512 dsense=0 ndelay={DEMO_NDELAY}"),
        2,
    )?;
    let qemu = wait_qemu_disk()?;
    let mut vars = Vars::new();
    device_vars(&mut vars, "", &sdebug[0]);
    device_vars(&mut vars, "2", &sdebug[1]);
    device_vars(&mut vars, "_QEMU", &qemu);
    // A recognizable pattern: each 512-byte block starts with its number.
    let image: Vec<u8> = (0..DEMO_IMAGE_LEN)
        .map(|i| if i % 512 == 0 { (i / 512) as u8 } else { 0xa5 })
        .collect();
    fs::write(DEMO_IMAGE, &image).map_err(|e| format!("{DEMO_IMAGE}: {e}"))?;
    vars.push(("IMAGE".to_owned(), DEMO_IMAGE.to_owned()));
    let shown: Vec<String> = vars.iter().map(|(k, v)| format!("{k}={v}")).collect();
    println!("SGMAP-OUT # devices found: {}", shown.join(" "));
    println!("SGMAP-OUT # ($IMAGE: {DEMO_IMAGE_LEN} bytes written by the init)");
    println!("SGMAP-OUT");

    let mut tally = Tally::default();
    for line in script.lines().map(str::trim) {
        if line.is_empty() {
            continue;
        }
        if line.starts_with('#') {
            println!("SGMAP-OUT {line}");
            continue;
        }
        let (expected, command) = match line.split_once(' ') {
            Some((first, rest)) if first.starts_with("expect=") => {
                let n = &first["expect=".len()..];
                match n.parse::<i32>() {
                    Ok(n) => (n, rest.trim()),
                    Err(_) => {
                        println!("SGMAP-ERROR demo: {line:?}: {first} is not a number");
                        tally.fail += 1;
                        continue;
                    }
                }
            }
            _ => (0, line),
        };
        let args: Result<Vec<String>, String> = command
            .split_whitespace()
            .map(|word| expand(word, &vars))
            .collect();
        let args = match args {
            Ok(args) => args,
            Err(e) => {
                println!("SGMAP-ERROR demo: {line:?}: {e}");
                tally.fail += 1;
                continue;
            }
        };
        println!("SGMAP-OUT $ sgmap {}", args.join(" "));
        let mut cmd = Command::new(SGMAP_BIN);
        cmd.args(&args)
            .env_clear()
            .env("PATH", PATH)
            .current_dir("/tmp");
        let ran = run_child(&mut cmd, timeout, |out| println!("SGMAP-OUT {out}"));
        let ended = &ran.ended;
        println!("SGMAP-OUT [{ended}, {:.2} s]", ran.elapsed.as_secs_f64());
        println!("SGMAP-OUT");
        if matches!(ended, Ended::Exit(s) if s.code() == Some(expected)) {
            tally.pass += 1;
        } else {
            println!("SGMAP-ERROR demo: sgmap {command}: {ended}, expected exit status {expected}");
            tally.fail += 1;
        }
    }
    Ok(tally)
}

/// One `run` line of the bench script.
#[derive(Debug, PartialEq)]
struct BenchRun {
    case: String,
    tool: String,
    /// Bytes each run copies.
    bytes: u64,
    /// The `N+0 records in` / `N+0 records out` the tool must report: proof that it copied
    /// everything, not only that it exited 0. None for a tool that is not a dd (fio): its
    /// output goes to the host, which checks it.
    records: Option<u64>,
    runs: u32,
    /// `output=1`: each run's output goes to the host as `SGMAP-TOOL` lines.
    output: bool,
    program: String,
    args: Vec<String>,
}

impl BenchRun {
    /// `run case=C tool=T bytes=N [records=N] runs=N [output=1] -- PROGRAM ARGS…` (after
    /// `run`).
    fn parse(words: &[&str]) -> Result<BenchRun, String> {
        let split = words
            .iter()
            .position(|w| *w == "--")
            .ok_or("no `--` before the program")?;
        let (keys, command) = (&words[..split], &words[split + 1..]);
        let key = |name: &str| {
            keys.iter()
                .find_map(|w| w.strip_prefix(name)?.strip_prefix('='))
                .ok_or_else(|| format!("no {name}="))
        };
        let number = |name: &str| -> Result<u64, String> {
            let v = key(name)?;
            v.parse().map_err(|_| format!("{name}={v}: not a number"))
        };
        let (program, args) = command.split_first().ok_or("no program after `--`")?;
        Ok(BenchRun {
            case: key("case")?.to_owned(),
            tool: key("tool")?.to_owned(),
            bytes: number("bytes")?,
            records: key("records")
                .is_ok()
                .then(|| number("records"))
                .transpose()?,
            runs: u32::try_from(number("runs")?).map_err(|_| "runs= too large")?,
            output: key("output").is_ok_and(|v| v == "1"),
            program: (*program).to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        })
    }
}

/// `sgmap.mode=bench`: the timed copies of `cargo xtask bench`, from [`BENCH_SCRIPT`]:
///
/// - `scsi_debug PARAMS…`: (re)loads scsi_debug with these parameters (one device) and
///   sets `$SG` and `$BLOCK`;
/// - `run case=C tool=T bytes=N [records=N] runs=N [output=1] -- PROGRAM ARGS…`: runs the
///   program N times, each timed from spawn to exit on the monotonic clock, and prints
///   `SGMAP-BENCH case=C tool=T run=I bytes=N ns=T xfer_ns=X` for each (`X`: the tool's
///   own "time to transfer data", 0 if none). A run that fails, or (with `records=`) whose
///   output lacks `N+0 records in`, `N+0 records out` and that time, is an error (its
///   output is shown) and ends that line's runs. With `output=1` the run's output lines
///   come first, as `SGMAP-TOOL` lines, for the host to read (fio's own time, strace's
///   counts);
/// - `# …` and blank lines are skipped.
fn run_bench(timeout: Duration) -> Result<Tally, String> {
    quiet_kernel();
    let script = fs::read_to_string(BENCH_SCRIPT).map_err(|e| format!("{BENCH_SCRIPT}: {e}"))?;
    let mut vars = Vars::new();
    let mut loaded = false;
    let mut tally = Tally::default();
    for (number, line) in script.lines().enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let at = format!("{BENCH_SCRIPT}:{}", number + 1);
        match words.as_slice() {
            [] => {}
            [first, ..] if first.starts_with('#') => {}
            ["scsi_debug", params @ ..] => {
                if loaded {
                    teardown_scsi_debug()?;
                }
                let params = params.join(" ");
                let devices = load_scsi_debug(&params, 1)?;
                loaded = true;
                vars.clear();
                device_vars(&mut vars, "", &devices[0]);
                println!(
                    "SGMAP-OUT scsi_debug {params}: {}",
                    devices[0].sg_path().display()
                );
            }
            ["run", rest @ ..] => {
                let run = BenchRun::parse(rest).map_err(|e| format!("{at}: {e}"))?;
                tally.add(bench_run(&run, &vars, timeout));
            }
            _ => return Err(format!("{at}: cannot read {line:?}")),
        }
    }
    if loaded {
        teardown_scsi_debug()?;
    }
    Ok(tally)
}

/// The runs of one `run` line; see [`run_bench`].
fn bench_run(run: &BenchRun, vars: &Vars, timeout: Duration) -> Tally {
    let who = format!("{} {}", run.case, run.tool);
    let failed = |message: String| {
        println!("SGMAP-ERROR bench: {who}: {message}");
        Tally::failed(1)
    };
    let args: Result<Vec<String>, String> = run.args.iter().map(|a| expand(a, vars)).collect();
    let args = match args {
        Ok(args) => args,
        Err(e) => return failed(e),
    };
    let command_line = format!("{} {}", run.program, args.join(" "));
    println!("SGMAP-OUT {who}: {command_line}");
    let records = run
        .records
        .map(|n| (format!("{n}+0 records in"), format!("{n}+0 records out")));
    let mut tally = Tally::default();
    for i in 1..=run.runs {
        let mut cmd = Command::new(&run.program);
        cmd.args(&args)
            .env_clear()
            .env("PATH", PATH)
            .current_dir("/tmp");
        let mut output = Vec::new();
        let ran = run_child(&mut cmd, timeout, |line| output.push(line.to_owned()));
        // The tool's own `time=1` figure: the copy without start-up and exit.
        let xfer = output.iter().find_map(|l| harness::parse_transfer_time(l));
        let complete = records.as_ref().is_none_or(|(records_in, records_out)| {
            output.iter().any(|l| l.trim() == records_in)
                && output.iter().any(|l| l.trim() == records_out)
                && xfer.is_some()
        });
        let problem = match (&ran.ended, &records) {
            (Ended::Exit(status), _) if status.success() && complete => None,
            (Ended::Exit(status), Some((records_in, records_out))) if status.success() => {
                Some(format!(
                    "run {i}: exit status 0 without \"{records_in}\", \"{records_out}\" and \
                     a \"time to transfer data\" line"
                ))
            }
            (ended, _) => Some(format!("run {i}: {ended}")),
        };
        match problem {
            None => {
                if run.output {
                    for line in &output {
                        println!("SGMAP-TOOL {line}");
                    }
                }
                println!(
                    "SGMAP-BENCH case={} tool={} run={i} bytes={} ns={} xfer_ns={}",
                    run.case,
                    run.tool,
                    run.bytes,
                    ran.elapsed.as_nanos(),
                    xfer.unwrap_or(0)
                );
                tally.pass += 1;
            }
            Some(problem) => {
                for line in &output {
                    println!("SGMAP-OUT     {line}");
                }
                tally.add(failed(format!("{command_line}: {problem}")));
                break;
            }
        }
    }
    tally
}

fn power_off() -> ! {
    let _ = io::stdout().flush();
    rustix::fs::sync();
    if let Err(e) = system::reboot(RebootCommand::PowerOff) {
        println!("SGMAP-ERROR init: reboot(POWER_OFF): {e}");
    }
    // PID 1 must not exit (that panics the kernel); the host's time-out ends QEMU.
    loop {
        thread::sleep(Duration::from_secs(3600));
    }
}
