//! The guest's `/init`: PID 1 of the QEMU guest that `cargo xtask test` boots.
//!
//! It mounts the pseudo file systems, loads the SCSI modules listed in `/etc/sgmap/modules`
//! (dependency order, written by the xtask), then acts on `sgmap.mode=` from the kernel
//! command line:
//!
//! - `test` (default): the phases `sdebug-512`, `sdebug-4096` and `qemu-disk`; in each it
//!   finds the phase's devices and runs every binary in `/tests` with the `SGMAP_*`
//!   environment that `sgmap_tests::Devices::from_env` reads;
//! - `demo`: loads scsi_debug as in `sdebug-512` and runs each line of `/etc/sgmap/demo`
//!   as the arguments of `/bin/sgmap`.
//!
//! Whatever happens, it ends with one line `SGMAP-VERDICT pass=N fail=M` on the console,
//! then syncs and powers the machine off. The host reads the console; the line protocol:
//!
//! - `SGMAP-PHASE <name> <key=value...>`: a phase starts (the devices it found);
//! - `SGMAP-RUN <phase> <binary> <args>`: a test binary starts;
//! - libtest's own output, including its `test result:` lines;
//! - `SGMAP-ERROR <phase>: <message>`: a failure outside libtest (a binary killed by a
//!   signal, a device not found), counted as one failed test;
//! - `SGMAP-PHASE-END <name> pass=N fail=M`;
//! - `SGMAP-VERDICT pass=N fail=M`, last.

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

/// Module load order, one name a line (`<name>.ko` in [`MODULE_DIR`]).
const MODULE_LIST: &str = "/etc/sgmap/modules";
const MODULE_DIR: &str = "/lib/modules";
/// Loaded per phase with that phase's parameters, not at boot.
const SCSI_DEBUG: &str = "scsi_debug";
const SDEBUG_SYSFS: &str = "/sys/bus/pseudo/drivers/scsi_debug";
const TEST_DIR: &str = "/tests";
const DEMO_SCRIPT: &str = "/etc/sgmap/demo";
const SGMAP_BIN: &str = "/bin/sgmap";

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
/// for `every_nth` fault injection.
const SDEBUG_COMMON: &str =
    "dev_size_mb=16 delay=0 statistics=1 add_host=2 per_host_store=1 num_tgts=1 max_luns=1";

struct Phase {
    name: &'static str,
    kind: PhaseKind,
}

enum PhaseKind {
    ScsiDebug { sector_size: u32, dsense: bool },
    QemuDisk,
}

const PHASES: &[Phase] = &[
    Phase {
        name: "sdebug-512",
        kind: PhaseKind::ScsiDebug {
            sector_size: 512,
            dsense: false,
        },
    },
    Phase {
        name: "sdebug-4096",
        kind: PhaseKind::ScsiDebug {
            sector_size: 4096,
            dsense: true,
        },
    },
    Phase {
        name: "qemu-disk",
        kind: PhaseKind::QemuDisk,
    },
];

/// Passed and failed tests.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    pass: u64,
    fail: u64,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.pass += other.pass;
        self.fail += other.fail;
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
            Tally { pass: 0, fail: 1 }
        }
        Err(_) => {
            println!("SGMAP-ERROR init: panicked");
            Tally { pass: 0, fail: 1 }
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
    match fs::read_to_string("/sys/module/sg/version") {
        Ok(version) => println!("sg driver version {}", version.trim()),
        Err(e) => println!("sg driver version: /sys/module/sg/version: {e}"),
    }
    match mode {
        "test" => Ok(run_tests(test_timeout)),
        "demo" => run_demo(test_timeout),
        other => Err(format!("unknown sgmap.mode={other:?} (test, demo)")),
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

/// Loads scsi_debug with these parameters and waits for its two devices with their nodes.
fn setup_scsi_debug(phase: &str, sector_size: u32, dsense: bool) -> Result<PhaseDevices, String> {
    let params = format!(
        "{SDEBUG_COMMON} sector_size={sector_size} dsense={}",
        u8::from(dsense)
    );
    load_module(SCSI_DEBUG, &params, false)?;
    let devices = wait_for("two scsi_debug devices with sg and sd nodes", |devices| {
        let sdebug: Vec<ScsiDevice> = devices
            .iter()
            .filter(|d| d.is_scsi_debug())
            .cloned()
            .collect();
        (sdebug.len() == 2 && sdebug.iter().all(ScsiDevice::ready)).then_some(sdebug)
    })?;
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

fn setup_qemu_disk(phase: &str) -> Result<PhaseDevices, String> {
    let devices = wait_for(
        &format!("QEMU disk ({QEMU_DISK_VENDOR} {QEMU_DISK_MODEL}) with sg and sd nodes"),
        |devices| {
            let disk = devices.iter().find(|d| d.is_qemu_disk())?;
            disk.ready().then(|| vec![disk.clone()])
        },
    )?;
    phase_devices(phase, &devices, false)
}

fn run_tests(timeout: Duration) -> Tally {
    let binaries = match test_binaries() {
        Ok(binaries) => binaries,
        Err(e) => {
            println!("SGMAP-ERROR init: {e}");
            return Tally { pass: 0, fail: 1 };
        }
    };
    let mut total = Tally::default();
    for phase in PHASES {
        let tally = run_phase(phase, &binaries, timeout);
        println!(
            "SGMAP-PHASE-END {} pass={} fail={}",
            phase.name, tally.pass, tally.fail
        );
        total.add(tally);
    }
    total
}

fn run_phase(phase: &Phase, binaries: &[PathBuf], timeout: Duration) -> Tally {
    let setup = match phase.kind {
        PhaseKind::ScsiDebug {
            sector_size,
            dsense,
        } => setup_scsi_debug(phase.name, sector_size, dsense),
        PhaseKind::QemuDisk => setup_qemu_disk(phase.name),
    };
    let mut tally = Tally::default();
    match setup {
        Ok(devices) => {
            println!("SGMAP-PHASE {} {}", phase.name, devices.description);
            let skip: &[&str] = match phase.kind {
                PhaseKind::ScsiDebug { .. } => &[],
                PhaseKind::QemuDisk => &["--skip", "scsi_debug_"],
            };
            for binary in binaries {
                let mut args = vec!["--test-threads=1"];
                args.extend_from_slice(skip);
                tally.add(run_binary(phase.name, binary, &args, &devices.env, timeout));
            }
        }
        Err(e) => {
            println!("SGMAP-PHASE {} (no device)", phase.name);
            println!("SGMAP-ERROR {}: {e}", phase.name);
            tally.fail += 1;
        }
    }
    if let PhaseKind::ScsiDebug { .. } = phase.kind {
        if let Err(e) = teardown_scsi_debug() {
            println!("SGMAP-ERROR {}: {e}", phase.name);
            tally.fail += 1;
        }
    }
    tally
}

fn test_binaries() -> Result<Vec<PathBuf>, String> {
    let entries = fs::read_dir(TEST_DIR).map_err(|e| format!("{TEST_DIR}: {e}"))?;
    let mut binaries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    binaries.sort();
    if binaries.is_empty() {
        return Err(format!("no test binaries in {TEST_DIR}"));
    }
    Ok(binaries)
}

/// Counts of one libtest `test result:` line.
fn parse_test_result(line: &str) -> Option<Tally> {
    let rest = &line[line.find("test result: ")?..];
    let count = |word: &str| -> Option<u64> {
        rest.split(';')
            .find_map(|part| part.trim().strip_suffix(word))
            .and_then(|n| n.trim().rsplit(' ').next()?.parse().ok())
    };
    Some(Tally {
        pass: count("passed")?,
        fail: count("failed")?,
    })
}

/// Runs one binary with the phase's environment, echoing its output to the console, and
/// counts its tests. A binary that dies, hangs or fails without a failed test counts as
/// one failure.
fn run_binary(
    phase: &str,
    binary: &Path,
    args: &[&str],
    env: &[(&'static str, String)],
    timeout: Duration,
) -> Tally {
    let name = binary.file_name().unwrap_or_default().to_string_lossy();
    println!("SGMAP-RUN {phase} {name} {}", args.join(" "));
    let failed = |message: String| {
        println!("SGMAP-ERROR {phase}: {name}: {message}");
        Tally { pass: 0, fail: 1 }
    };
    let (reader, writer) = match io::pipe() {
        Ok(pipe) => pipe,
        Err(e) => return failed(format!("pipe: {e}")),
    };
    let child = {
        let mut command = Command::new(binary);
        command
            .args(args)
            .env_clear()
            .env("PATH", "/bin")
            .env("RUST_BACKTRACE", "1")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .current_dir("/tmp")
            .stdin(Stdio::null());
        match writer.try_clone() {
            Ok(w) => command.stdout(w).stderr(writer),
            Err(e) => return failed(format!("pipe: {e}")),
        };
        command.spawn()
        // `command`, which holds the pipe's write ends, is dropped here, so the reader
        // sees end-of-file when the child and its children have closed theirs.
    };
    let mut child = match child {
        Ok(child) => child,
        Err(e) => return failed(format!("spawn: {e}")),
    };

    let (done_tx, done_rx) = mpsc::channel();
    thread::spawn(move || {
        let mut counted = Tally::default();
        let mut results = 0u32;
        let stdout = io::stdout();
        for line in BufReader::new(reader).split(b'\n') {
            let Ok(line) = line else { break };
            let line = String::from_utf8_lossy(&line);
            if let Some(t) = parse_test_result(&line) {
                counted.add(t);
                results += 1;
            }
            let mut out = stdout.lock();
            let _ = writeln!(out, "{line}");
        }
        let _ = done_tx.send((counted, results));
    });

    let deadline = Instant::now() + timeout;
    let status: Result<ExitStatus, String> = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!(
                    "killed after {}s (sgmap.test_timeout)",
                    timeout.as_secs()
                ));
            }
            Ok(None) => thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                let _ = child.kill();
                break Err(format!("wait: {e}"));
            }
        }
    };
    // A child the test forked may still hold the pipe: do not wait for it forever.
    let (mut tally, results) = done_rx
        .recv_timeout(Duration::from_secs(10))
        .unwrap_or_default();

    match status {
        Err(message) => tally.add(failed(message)),
        Ok(status) if status.success() => {
            if results == 0 {
                tally.add(failed("exited 0 without a `test result:` line".to_owned()));
            }
        }
        Ok(status) => {
            if let Some(signal) = status.signal() {
                tally.add(failed(format!("killed by signal {signal}")));
            } else if tally.fail == 0 {
                tally.add(failed(format!("{status} without a failed test")));
            }
        }
    }
    tally
}

/// `sgmap.mode=demo`: scsi_debug as in phase `sdebug-512`, then each line of
/// [`DEMO_SCRIPT`] run as `/bin/sgmap <line>` with the same `SGMAP_*` environment (the
/// line's words may name `$SGMAP_SG` etc.). Each command that exits 0 counts as a pass.
fn run_demo(timeout: Duration) -> Result<Tally, String> {
    let script = fs::read_to_string(DEMO_SCRIPT).map_err(|e| format!("{DEMO_SCRIPT}: {e}"))?;
    let devices = setup_scsi_debug("demo", 512, false)?;
    println!("SGMAP-PHASE demo {}", devices.description);
    let mut tally = Tally::default();
    for line in script.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let args: Vec<String> = line
            .split_whitespace()
            .map(|word| expand(word, &devices.env))
            .collect();
        println!("$ sgmap {}", args.join(" "));
        let start = Instant::now();
        let status = Command::new(SGMAP_BIN)
            .args(&args)
            .env_clear()
            .envs(devices.env.iter().map(|(k, v)| (k, v)))
            .current_dir("/tmp")
            .status();
        match status {
            Ok(status) if status.success() => tally.pass += 1,
            Ok(status) => {
                println!("SGMAP-ERROR demo: sgmap {line}: {status}");
                tally.fail += 1;
            }
            Err(e) => {
                println!("SGMAP-ERROR demo: {SGMAP_BIN}: {e}");
                tally.fail += 1;
            }
        }
        if start.elapsed() > timeout {
            println!(
                "SGMAP-ERROR demo: sgmap {line}: took over {}s",
                timeout.as_secs()
            );
            tally.fail += 1;
        }
    }
    println!(
        "SGMAP-PHASE-END demo pass={} fail={}",
        tally.pass, tally.fail
    );
    Ok(tally)
}

/// Replaces a word `$SGMAP_X` by that variable of the phase.
fn expand(word: &str, env: &[(&'static str, String)]) -> String {
    match word.strip_prefix('$') {
        Some(var) => env
            .iter()
            .find(|(k, _)| *k == var)
            .map_or_else(|| word.to_owned(), |(_, v)| v.clone()),
        None => word.to_owned(),
    }
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
