//! The guest rig: a stock Debian kernel under QEMU with a Rust `/init`, the way aya's
//! `integration-test vm` boots its tests.
//!
//! - the guest architectures ([`Arch`]: amd64 for every task, arm64 and armhf for phases of
//!   `cargo xtask test`) are rows of the target table, `targets.rs`;
//! - [`ensure_qemu`]: the architecture's `qemu-system-*`, installed with apt-get when
//!   missing (as root);
//! - [`debian_kernel`]: the kernel package that `linux-image-<arch>` depends on, fetched,
//!   checked and unpacked into a cache outside the tree by `debian.rs` (which also fetches
//!   sg3_utils), never installed;
//! - [`resolve_modules`]: the modules to load and their dependencies, from each `.ko`'s
//!   `.modinfo` (`depends=`), in load order, without those the kernel has built in;
//! - [`prepare`]: the three above, for every task that boots a guest;
//! - [`guest_cargo`], [`build_init`]: the guest's own binaries, static (musl; x86_64, i686
//!   for the compat-layer phase, aarch64 for the arm64 guest);
//! - [`write_initramfs`]: a newc archive with `/init`, the modules, extra binaries and
//!   `/etc/sgmap/modules` (the load order for the init);
//! - [`boot`]: QEMU with a virtio-scsi disk, the console streamed to the terminal (or kept
//!   quiet, for `demo` and `bench`), ended by a kernel panic, the init's verdict line, or a
//!   time-out.
//!
//! The init (`tests/src/bin/guest-init.rs`) selects its work from `sgmap.mode=` on the kernel
//! command line and prints `SGMAP-VERDICT pass=N fail=M` before powering off.

use std::collections::{BTreeMap, BTreeSet};
use std::env;
use std::fs;
use std::io::{self, BufRead, BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::cargo::{build_executables, cargo, find_bin};
use crate::debian::{self, host_arch};
use crate::targets::{has_prebuilt_std, linker_env, Arch, AMD64};
use crate::{armv7, command_line, cpio, dist, have_program, is_root, run, Result};

/// QEMU's disk as the guest sees it (`-device scsi-hd,vendor=,product=,serial=`); the init
/// finds it by vendor and model: keep in step with `QEMU_DISK_*` in guest-init.rs.
pub const DISK_VENDOR: &str = "QEMU";
pub const DISK_PRODUCT: &str = "SGMAP-SCRATCH";
pub const DISK_SERIAL: &str = "sgmap-scratch-0";
const DISK_SIZE: u64 = 64 << 20;

/// The default limit for one boot; `SGMAP_GUEST_TIMEOUT` (seconds) overrides it.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20 * 60);
/// How long QEMU may take to power off after the verdict.
const POWER_OFF_GRACE: Duration = Duration::from_secs(60);

/// Makes sure the architecture's QEMU is there: as root, installs it with apt-get;
/// otherwise says what to run.
pub fn ensure_qemu(arch: Arch) -> Result<()> {
    let (qemu, qemu_package) = (arch.qemu, arch.qemu_package);
    if have_program(qemu) {
        return Ok(());
    }
    let install = format!("apt-get install -y --no-install-recommends {qemu_package}");
    if !is_root() {
        return Err(format!(
            "{qemu} is not installed and this is not root; install it with:\n    \
             sudo apt-get update && sudo {install}\nthen run `cargo xtask test` again"
        ));
    }
    if !have_program("apt-get") {
        return Err(format!(
            "{qemu} is not installed and there is no apt-get; install {qemu_package} by hand"
        ));
    }
    eprintln!("{qemu} is missing: installing {qemu_package}");
    run(Command::new("apt-get")
        .arg("update")
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", qemu_package])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(Stdio::null()))?;
    if have_program(qemu) {
        Ok(())
    } else {
        Err(format!(
            "{qemu} still missing after installing {qemu_package}"
        ))
    }
}

/// An unpacked kernel package.
#[derive(Debug, Clone)]
pub struct Kernel {
    /// `<package> <version>`, or the directory it came from.
    pub description: String,
    pub vmlinuz: PathBuf,
    /// `lib/modules/<release>`.
    pub modules: PathBuf,
    pub release: String,
}

impl Kernel {
    /// The kernel of an unpacked package: `boot/vmlinuz-<release>` and
    /// `lib/modules/<release>/` (or `usr/lib/modules/…`).
    fn from_dir(root: &Path, description: String) -> Result<Kernel> {
        let boot = root.join("boot");
        let entries = fs::read_dir(&boot).map_err(|e| format!("{}: {e}", boot.display()))?;
        let mut images: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("vmlinuz-"))
            })
            .collect();
        images.sort();
        let vmlinuz = match images.as_slice() {
            [one] => one.clone(),
            _ => {
                return Err(format!(
                    "{}: expected one vmlinuz-*, found {images:?}",
                    boot.display()
                ))
            }
        };
        let name = vmlinuz.file_name().unwrap_or_default().to_string_lossy();
        let release = name.trim_start_matches("vmlinuz-").to_owned();
        let modules = ["lib/modules", "usr/lib/modules"]
            .iter()
            .map(|dir| root.join(dir).join(&release))
            .find(|dir| dir.is_dir())
            .ok_or_else(|| format!("{}: no lib/modules/{release}", root.display()))?;
        Ok(Kernel {
            description,
            vmlinuz,
            modules,
            release,
        })
    }
}

/// The stock Debian kernel of `arch`, from the cache or fetched into it;
/// `$SGMAP_KERNEL_DIR` (amd64) or `$SGMAP_KERNEL_DIR_ARM64` names an unpacked package to
/// use instead.
pub fn debian_kernel(arch: Arch) -> Result<Kernel> {
    let var = kernel_dir_var(arch);
    if let Some(dir) = env::var_os(&var).filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        return Kernel::from_dir(&dir, format!("{} ({var})", dir.display()));
    }
    debian::require_apt(&format!(
        "the guest kernel; on another system set {var} to an unpacked {} kernel package",
        arch.debian
    ))?;
    let meta = arch.kernel_meta;
    // The image package the meta package depends on (`Depends: linux-image-6.1.0-NN-amd64`).
    let package = debian::package_dependencies(arch, meta, "linux-image-")?
        .into_iter()
        .next()
        .ok_or_else(|| format!("`apt-cache depends {meta}` names no linux-image-* package"))?;
    let unpacked = debian::debian_package(arch, "kernel", &package)?;
    Kernel::from_dir(&unpacked.root, unpacked.description)
}

/// `SGMAP_KERNEL_DIR` for amd64 (as it always was), `SGMAP_KERNEL_DIR_<ARCH>` for another.
fn kernel_dir_var(arch: Arch) -> String {
    if arch == AMD64 {
        "SGMAP_KERNEL_DIR".to_owned()
    } else {
        format!("SGMAP_KERNEL_DIR_{}", arch.debian.to_ascii_uppercase())
    }
}

/// A kernel module to load, and its file.
#[derive(Debug, Clone)]
pub struct Module {
    /// The name with underscores (`crc_t10dif`), as the kernel shows it.
    pub name: String,
    pub path: PathBuf,
}

fn module_key(name: &str) -> String {
    name.replace('-', "_")
}

/// The strings of a module's `.modinfo` section that start with `key=`.
fn modinfo_values<'a>(image: &'a [u8], key: &str) -> Vec<&'a str> {
    image
        .split(|&b| b == 0)
        .filter_map(|s| s.strip_prefix(key.as_bytes())?.strip_prefix(b"="))
        .filter_map(|s| std::str::from_utf8(s).ok())
        .collect()
}

/// The modules `roots` and everything they depend on (`depends=` in `.modinfo`, as
/// depmod reads it), dependencies first; in the order of `roots` where free to choose.
pub fn resolve_modules(kernel: &Kernel, roots: &[&str]) -> Result<Vec<Module>> {
    // `kernel/drivers/virtio/virtio_pci.ko` a line: what this kernel has built in.
    let builtin_list = kernel.modules.join("modules.builtin");
    let builtin: BTreeSet<String> = fs::read_to_string(&builtin_list)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.rsplit('/').next()?.strip_suffix(".ko"))
        .map(module_key)
        .collect();
    let mut index = BTreeMap::new();
    let mut compressed = BTreeSet::new();
    let mut dirs = vec![kernel.modules.join("kernel")];
    while let Some(dir) = dirs.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(path);
            } else if let Some(stem) = name.strip_suffix(".ko") {
                index.insert(module_key(stem), path);
            } else if let Some((stem, _)) = name.split_once(".ko.") {
                compressed.insert(module_key(stem));
            }
        }
    }

    fn visit(
        name: &str,
        index: &BTreeMap<String, PathBuf>,
        compressed: &BTreeSet<String>,
        chain: &mut Vec<String>,
        order: &mut Vec<Module>,
    ) -> Result<()> {
        let key = module_key(name);
        if order.iter().any(|m| m.name == key) {
            return Ok(());
        }
        if chain.contains(&key) {
            return Err(format!(
                "module dependency cycle: {} -> {key}",
                chain.join(" -> ")
            ));
        }
        let Some(path) = index.get(&key) else {
            return Err(if compressed.contains(&key) {
                format!("module {name} is compressed in this kernel package; only .ko is supported")
            } else {
                format!("module {name} not found (built in, or not in this kernel?)")
            });
        };
        let image = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        chain.push(key.clone());
        for deps in modinfo_values(&image, "depends") {
            for dep in deps.split(',').filter(|d| !d.is_empty()) {
                visit(dep, index, compressed, chain, order)?;
            }
        }
        chain.pop();
        order.push(Module {
            name: key,
            path: path.clone(),
        });
        Ok(())
    }

    let mut order = Vec::new();
    for root in roots {
        if builtin.contains(&module_key(root)) && !index.contains_key(&module_key(root)) {
            continue;
        }
        visit(root, &index, &compressed, &mut Vec::new(), &mut order)?;
    }
    Ok(order)
}

/// What every boot needs: QEMU, the kernel and its SCSI modules ([`Arch::modules`]).
#[derive(Debug)]
pub struct Rig {
    pub arch: Arch,
    pub kernel: Kernel,
    /// In load order.
    pub modules: Vec<Module>,
}

/// Installs QEMU if needed, fetches the kernel if needed, and resolves the SCSI modules.
pub fn prepare(arch: Arch) -> Result<Rig> {
    ensure_qemu(arch)?;
    let kernel = debian_kernel(arch)?;
    let modules = resolve_modules(&kernel, arch.modules)?;
    let names: Vec<&str> = modules.iter().map(|m| m.name.as_str()).collect();
    eprintln!(
        "kernel: {} ({}), modules in load order: {}",
        kernel.description,
        kernel.release,
        names.join(" ")
    );
    Ok(Rig {
        arch,
        kernel,
        modules,
    })
}

/// `cargo` for the guest's debug builds for `target` (the init and the test binaries),
/// which go into the initramfs: line tables only, not full debuginfo, and the debug
/// sections compressed (zlib) by the linker, which std's backtraces read. A test binary
/// shrinks from about 11 MB to 3 MB; a backtrace in the guest keeps its file:line. Only
/// these invocations get it (a `RUSTFLAGS` of the user's wins over the target's): host
/// builds are unchanged. The targets: [`GUEST_TARGET`](crate::targets::GUEST_TARGET); `i686-unknown-linux-musl`, 32-bit
/// binaries that the amd64 guest kernel runs through its compat layer;
/// `aarch64-unknown-linux-musl`, linked by rust-lld as `cargo xtask dist` links it.
///
/// `armv7-unknown-linux-musleabihf` has no prebuilt std: its builds compile std too
/// (`-Zbuild-std`, with panic=unwind for the test harness), in a target directory of their
/// own (`RUSTC_BOOTSTRAP` would otherwise rebuild the host's artifacts), linked with the
/// link kit of `armv7.rs`.
pub fn guest_cargo(target: &str) -> Result<Command> {
    let mut cmd = cargo();
    let mut extra = armv7::rustc_flags(target)?;
    if !has_prebuilt_std(target) {
        dist::ensure_rust_src()?;
        let dir = dist::target_dir().join(format!("guest-{target}"));
        // std optimized, as a prebuilt one is (a backtrace from an unoptimized std takes
        // half a minute under TCG: its DWARF reader inflates the compressed sections);
        // the workspace's own crates stay a debug build.
        cmd.args([
            "-Zbuild-std",
            "--config",
            "profile.dev.package.\"*\".opt-level=2",
        ])
        .env("CARGO_TARGET_DIR", dir)
        .env("RUSTC_BOOTSTRAP", "1");
    }
    // The C compiler driver takes the linker's option after `-Wl,`; rust-lld takes it as is.
    let mut compress = "-Clink-arg=-Wl,--compress-debug-sections=zlib";
    if let Some((var, linker)) = linker_env(target) {
        if env::var_os(var).is_none() {
            cmd.env(var, linker);
            compress = "-Clink-arg=--compress-debug-sections=zlib";
        }
    }
    cmd.env("CARGO_PROFILE_DEV_DEBUG", "line-tables-only");
    let rustflags = format!(
        "CARGO_TARGET_{}_RUSTFLAGS",
        target.to_ascii_uppercase().replace('-', "_")
    );
    match env::var(&rustflags) {
        Err(_) => {
            extra.insert(0, compress.to_owned());
            cmd.env(rustflags, extra.join(" "));
        }
        Ok(user) if !extra.is_empty() => {
            extra.insert(0, user);
            cmd.env(rustflags, extra.join(" "));
        }
        Ok(_) => {}
    }
    Ok(cmd)
}

/// Builds the guest's `/init` (`sgmap-tests`' `guest-init`, static) for `target`.
pub fn build_init(target: &str) -> Result<PathBuf> {
    let artifacts = build_executables(guest_cargo(target)?.args([
        "build",
        "-p",
        "sgmap-tests",
        "--features",
        "guest",
        "--bin",
        "guest-init",
        "--target",
        target,
    ]))?;
    find_bin(artifacts, "guest-init")
}

/// Writes the initramfs: `/init`, the modules in `/lib/modules/<name>.ko` with their load
/// order in `/etc/sgmap/modules`, `files` (guest path, host file), all executable, and
/// `data` (guest path, contents), readable. Returns its size in bytes.
pub fn write_initramfs(
    path: &Path,
    init: &Path,
    modules: &[Module],
    files: &[(String, PathBuf)],
    data: &[(&str, &[u8])],
) -> Result<u64> {
    let read = |p: &Path| fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let err = |e: io::Error| format!("writing {}: {e}", path.display());
    let out = fs::File::create(path).map_err(|e| format!("create {}: {e}", path.display()))?;
    let mut w = cpio::Writer::new(BufWriter::new(out));
    for dir in ["dev", "proc", "sys", "bin", "etc", "root"] {
        w.dir(dir, 0o755).map_err(err)?;
    }
    w.dir("tmp", 0o1777).map_err(err)?;
    // The kernel opens /dev/console for the init's stdin/stdout/stderr before any devtmpfs.
    w.char_device("dev/console", 0o600, 5, 1).map_err(err)?;
    w.file("init", 0o755, &read(init)?).map_err(err)?;
    let mut list = String::new();
    for module in modules {
        w.file(
            &format!("lib/modules/{}.ko", module.name),
            0o644,
            &read(&module.path)?,
        )
        .map_err(err)?;
        list.push_str(&module.name);
        list.push('\n');
    }
    w.file("etc/sgmap/modules", 0o644, list.as_bytes())
        .map_err(err)?;
    for (guest_path, host_path) in files {
        w.file(guest_path, 0o755, &read(host_path)?).map_err(err)?;
    }
    for (guest_path, contents) in data {
        w.file(guest_path, 0o644, contents).map_err(err)?;
    }
    w.finish().map_err(err)?;
    Ok(fs::metadata(path).map_err(err)?.len())
}

/// Creates a sparse scratch disk image of the rig's size.
pub fn create_scratch_disk(path: &Path) -> Result<()> {
    let file = fs::File::create(path).map_err(|e| format!("create {}: {e}", path.display()))?;
    file.set_len(DISK_SIZE)
        .map_err(|e| format!("truncate {}: {e}", path.display()))
}

/// A directory under the system's temporary directory, removed when dropped.
#[derive(Debug)]
pub struct WorkDir(PathBuf);

impl WorkDir {
    pub fn new(tag: &str) -> Result<WorkDir> {
        let dir = env::temp_dir().join(format!("sgmap-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))?;
        Ok(WorkDir(dir))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// One boot of the guest.
#[derive(Debug)]
pub struct Boot<'a> {
    pub arch: Arch,
    pub kernel: &'a Kernel,
    pub initramfs: &'a Path,
    /// `sgmap.mode=` for the init.
    pub mode: &'a str,
    /// More kernel command line arguments.
    pub cmdline: Vec<String>,
    /// The raw image behind QEMU's virtio-scsi disk.
    pub disk: &'a Path,
    /// Echo the console to stdout. Without it, the console's last lines are printed only
    /// when the boot goes wrong (see [`Outcome::problems`]).
    pub echo: bool,
}

/// The init's last line: `SGMAP-VERDICT pass=N fail=M`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub pass: u64,
    pub fail: u64,
}

impl Verdict {
    pub fn parse(line: &str) -> Option<Verdict> {
        let rest = &line[line.find("SGMAP-VERDICT ")? + "SGMAP-VERDICT ".len()..];
        let mut pass = None;
        let mut fail = None;
        for word in rest.split_whitespace() {
            if let Some(n) = word.strip_prefix("pass=") {
                pass = n.parse().ok();
            } else if let Some(n) = word.strip_prefix("fail=") {
                fail = n.parse().ok();
            }
        }
        Some(Verdict {
            pass: pass?,
            fail: fail?,
        })
    }
}

/// How a boot ended.
#[derive(Debug)]
pub struct Outcome {
    pub verdict: Option<Verdict>,
    /// The console showed "Kernel panic".
    pub kernel_panic: bool,
    /// QEMU was killed at the time-out.
    pub timed_out: Option<Duration>,
    pub qemu_status: Option<ExitStatus>,
    pub elapsed: Duration,
}

impl Outcome {
    /// What went wrong with the boot itself, apart from the tests' own verdict.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.kernel_panic {
            problems.push("the guest kernel panicked".to_owned());
        }
        if let Some(limit) = self.timed_out {
            problems.push(format!(
                "the guest did not finish within {}s (SGMAP_GUEST_TIMEOUT); QEMU killed",
                limit.as_secs()
            ));
        }
        if self.verdict.is_none() {
            problems.push("the guest printed no SGMAP-VERDICT line".to_owned());
        }
        if let Some(status) = self.qemu_status.filter(|s| !s.success()) {
            problems.push(format!("QEMU: {status}"));
        }
        problems
    }
}

/// QEMU's accelerator, from `SGMAP_ACCEL`: `tcg` (the default) or `kvm`.
pub fn accelerator() -> Result<&'static str> {
    match env::var("SGMAP_ACCEL").as_deref() {
        Err(_) | Ok("" | "tcg") => Ok("tcg"),
        Ok("kvm") => Ok("kvm"),
        Ok(other) => Err(format!("SGMAP_ACCEL={other:?}: expected tcg or kvm")),
    }
}

/// QEMU's accelerator and CPU; KVM only for the host's own architecture.
fn accelerator_args(arch: Arch) -> Result<Vec<&'static str>> {
    let kvm = accelerator()? == "kvm" && host_arch()? == arch.debian;
    Ok(if kvm {
        vec!["-accel", "kvm", "-cpu", "host"]
    } else {
        let mut args = vec!["-accel", "tcg,thread=multi"];
        args.extend_from_slice(arch.machine);
        args
    })
}

/// The text after `marker` in a console line (a kernel message may precede it).
pub fn after<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    line.find(marker).map(|i| &line[i + marker.len()..])
}

fn timeout() -> Result<Duration> {
    match env::var("SGMAP_GUEST_TIMEOUT") {
        Err(_) => Ok(DEFAULT_TIMEOUT),
        Ok(secs) => secs
            .trim()
            .parse()
            .map(Duration::from_secs)
            .map_err(|_| format!("SGMAP_GUEST_TIMEOUT={secs:?}: expected seconds")),
    }
}

/// How many console lines a quiet boot keeps to show when it goes wrong.
const QUIET_TAIL: usize = 60;

/// Boots the guest, echoes its console to stdout line by line (if `spec.echo`), gives each
/// line to `on_line`, and returns when QEMU exits or the time-out kills it.
pub fn boot(spec: &Boot<'_>, mut on_line: impl FnMut(&str)) -> Result<Outcome> {
    let limit = timeout()?;
    let mut append = format!(
        "console={} quiet panic=-1 sgmap.mode={}",
        spec.arch.console, spec.mode
    );
    for arg in &spec.cmdline {
        append.push(' ');
        append.push_str(arg);
    }
    let qemu = spec.arch.qemu;
    let mut cmd = Command::new(qemu);
    cmd.args(accelerator_args(spec.arch)?)
        .args([
            "-m",
            "2048",
            "-smp",
            "2",
            "-nographic",
            "-no-reboot",
            "-nic",
            "none",
        ])
        .arg("-kernel")
        .arg(&spec.kernel.vmlinuz)
        .arg("-initrd")
        .arg(spec.initramfs)
        .arg("-append")
        .arg(&append)
        .args(["-device", "virtio-scsi-pci,id=scsi0", "-drive"])
        .arg(format!(
            "file={},format=raw,if=none,id=d0,cache=unsafe",
            spec.disk.display()
        ))
        .arg("-device")
        .arg(format!(
            "scsi-hd,drive=d0,bus=scsi0.0,vendor={DISK_VENDOR},product={DISK_PRODUCT},\
             serial={DISK_SERIAL}"
        ))
        // No stdin: with a terminal there QEMU would switch it to raw mode.
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    let line = command_line(&cmd);
    eprintln!("$ {line}");
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("{line}: cannot start: {e}"))?;

    let stdout = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = mpsc::channel::<String>();
    thread::spawn(move || {
        for line in BufReader::new(stdout).split(b'\n') {
            let Ok(line) = line else { break };
            if tx.send(printable(&String::from_utf8_lossy(&line))).is_err() {
                break;
            }
        }
    });

    let mut outcome = Outcome {
        verdict: None,
        kernel_panic: false,
        timed_out: None,
        qemu_status: None,
        elapsed: Duration::ZERO,
    };
    let deadline = started + limit;
    let mut tail = std::collections::VecDeque::with_capacity(QUIET_TAIL);
    let mut verdict_at: Option<Instant> = None;
    let mut killed = false;
    loop {
        let until = verdict_at.map_or(deadline, |at| deadline.min(at + POWER_OFF_GRACE));
        let now = Instant::now();
        if now >= until {
            if verdict_at.is_some() && now < deadline {
                eprintln!(
                    "warning: the guest gave its verdict but did not power off within {}s",
                    POWER_OFF_GRACE.as_secs()
                );
            } else {
                outcome.timed_out = Some(limit);
            }
            let _ = child.kill();
            killed = true;
            break;
        }
        match rx.recv_timeout(until - now) {
            Ok(line) => {
                if spec.echo {
                    println!("{line}");
                } else {
                    if tail.len() == QUIET_TAIL {
                        tail.pop_front();
                    }
                    tail.push_back(line.clone());
                }
                if line.contains("Kernel panic") {
                    outcome.kernel_panic = true;
                }
                if let Some(verdict) = Verdict::parse(&line) {
                    outcome.verdict = Some(verdict);
                    verdict_at = Some(Instant::now());
                }
                on_line(&line);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let status = child.wait().map_err(|e| format!("{qemu}: wait: {e}"))?;
    if !killed {
        outcome.qemu_status = Some(status);
    }
    outcome.elapsed = started.elapsed();
    if !spec.echo && !outcome.problems().is_empty() {
        eprintln!("the guest's console, last {} lines:", tail.len());
        for line in &tail {
            eprintln!("    {line}");
        }
    }
    Ok(outcome)
}

/// The line without control characters and terminal escape sequences: SeaBIOS resets and
/// clears the screen, which would wipe the host's own output above it.
fn printable(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => {
                // CSI: parameters, then a final byte in 0x40..=0x7e; otherwise a
                // two-character escape such as ESC c (reset).
                if chars.next() == Some('[') {
                    for c in chars.by_ref() {
                        if ('\x40'..='\x7e').contains(&c) {
                            break;
                        }
                    }
                }
            }
            '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_lines_lose_escape_sequences() {
        assert_eq!(
            printable("\x1bc\x1b[?7l\x1b[2J\x1b[0mSeaBIOS (version 1.16)\r"),
            "SeaBIOS (version 1.16)"
        );
        assert_eq!(printable("a\tb\x07c"), "a\tbc");
    }

    #[test]
    fn marker_text_is_found_amid_noise() {
        assert_eq!(
            after("[ 1.2] SGMAP-OUT $ sgmap list", "SGMAP-OUT"),
            Some(" $ sgmap list")
        );
        assert_eq!(after("SGMAP-OUT", "SGMAP-OUT"), Some(""));
        assert_eq!(after("random", "SGMAP-OUT"), None);
    }

    #[test]
    fn modinfo_depends_is_found_among_nul_separated_strings() {
        let image = b"\x7fELF\0junk\0license=GPL\0depends=scsi_mod,crc-t10dif\0name=sd_mod\0";
        assert_eq!(modinfo_values(image, "depends"), ["scsi_mod,crc-t10dif"]);
        assert_eq!(modinfo_values(image, "name"), ["sd_mod"]);
        assert!(modinfo_values(image, "softdep").is_empty());
    }

    #[test]
    fn verdict_line_parses_amid_noise() {
        assert_eq!(
            Verdict::parse("[  12.3] SGMAP-VERDICT pass=7 fail=1"),
            Some(Verdict { pass: 7, fail: 1 })
        );
        assert_eq!(Verdict::parse("SGMAP-VERDICT pass=7"), None);
        assert_eq!(Verdict::parse("test result: ok"), None);
    }
}
