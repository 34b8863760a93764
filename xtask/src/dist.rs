//! `cargo xtask dist`: the static `sgmap` binaries, with the workspace's release profile
//! (opt-level z, LTO, one codegen unit, panic abort, strip), for x86_64 and aarch64 musl.
//!
//! The shipped flavour also rebuilds the standard library with the binary (`-Zbuild-std`)
//! and `panic=immediate-abort`: std's panic machinery (the backtrace printer with its DWARF
//! reader, about 220 KiB) is linked into every std binary even with `panic = "abort"`, and
//! only this leaves it out. With nothing left to unwind, `-Cforce-unwind-tables=no` drops
//! the unwind tables too (`.eh_frame`: 48 KiB of the x86_64 binary). A panic then ends the process at once without a message; sgmap
//! never panics on input, so a panic is a bug either way. Both options are unstable: they are
//! enabled on the project's stable compiler with `RUSTC_BOOTSTRAP=1`, from the `rust-src`
//! component that this task installs. `--plain` builds the stable-only flavour instead
//! (about 590 KiB), for a toolchain where that does not work.
//!
//! Each lands in `<target dir>/dist/sgmap-<target>`, checked to be static (an ELF without
//! `PT_INTERP` or `DT_NEEDED`, of the right machine), and its size is printed. With
//! `--check`, a binary past the budget (`targets::BUDGET`) on any target fails the task (an initramfs carries
//! it), and so does an aarch64 or armv7 build that fails (without it, that is a warning).
//!
//! [`build_sgmap`] is also how `test`, `demo` and `bench` build the `sgmap` they put in the
//! guest, so that they all test the binary a user gets.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use crate::cargo::{build_executables, cargo, ensure_rust_targets, find_bin};
use crate::elf::{self, Elf};
use crate::targets::{self, expected_machine, linker_env, AARCH64, ARMV7, BUDGET, X86_64};
use crate::{armv7, project_root, Result};

/// Which standard library the binary is built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// std rebuilt with `panic=immediate-abort` (`-Zbuild-std`): the shipped binary.
    Small,
    /// The toolchain's prebuilt std: stable options only.
    Plain,
}

/// The target directory of the small flavour: its own, since its `RUSTFLAGS` would otherwise
/// make cargo rebuild every other artifact of the same target.
fn small_target_dir() -> PathBuf {
    target_dir().join("sgmap-small")
}

/// The workspace's target directory (`$CARGO_TARGET_DIR`, or `target/`).
pub fn target_dir() -> PathBuf {
    env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join("target"))
}

/// Makes sure the toolchain has `rust-src`, which `-Zbuild-std` compiles.
pub fn ensure_rust_src() -> Result<()> {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = std::process::Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("rustc --print sysroot: {e}"))?;
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let std_src = Path::new(&sysroot).join("lib/rustlib/src/rust/library/std/Cargo.toml");
    if std_src.is_file() {
        return Ok(());
    }
    let status = std::process::Command::new("rustup")
        .current_dir(project_root())
        .args(["component", "add", "rust-src"])
        .status()
        .map_err(|e| format!("rustup component add rust-src: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(
            "the small sgmap needs the rust-src component (`rustup component add rust-src`); \
             `cargo xtask dist --plain` builds without it"
                .into(),
        )
    }
}

/// The shipped `sgmap` for `target` ([`Flavour::Small`]); the executable it built.
pub fn build_sgmap(target: &str) -> Result<PathBuf> {
    build_sgmap_flavour(target, Flavour::Small)
}

/// `cargo build -p sgmap --release --target TARGET`, in the given flavour.
pub fn build_sgmap_flavour(target: &str, flavour: Flavour) -> Result<PathBuf> {
    build_sgmap_with(target, flavour, false)
}

/// [`build_sgmap_flavour`], and with `lean` without the command's default features (its
/// name tables: `sgmap --no-default-features`).
fn build_sgmap_with(target: &str, flavour: Flavour, lean: bool) -> Result<PathBuf> {
    let mut cmd = cargo();
    cmd.args(["build", "-p", "sgmap", "--release", "--target", target]);
    if lean {
        cmd.arg("--no-default-features");
    }
    let mut rustflags = Vec::new();
    // A target without a prebuilt std (armv7) builds it from source in both flavours.
    if flavour == Flavour::Small || !targets::has_prebuilt_std(target) {
        ensure_rust_src()?;
        cmd.arg("--target-dir")
            .arg(small_target_dir())
            .args(["-Zbuild-std=std,panic_abort"])
            .env("RUSTC_BOOTSTRAP", "1");
    }
    if flavour == Flavour::Small {
        rustflags.extend(targets::small_rustflags(target));
        // std's own choice of smaller algorithms (sorting, formatting): 4 KiB.
        cmd.arg("-Zbuild-std-features=optimize_for_size");
    }
    rustflags.extend(armv7::rustc_flags(target)?);
    if !rustflags.is_empty() {
        cmd.env("CARGO_ENCODED_RUSTFLAGS", rustflags.join("\x1f"));
    }
    if let Some((var, linker)) = linker_env(target) {
        if env::var_os(var).is_none() {
            cmd.env(var, linker);
        }
    }
    find_bin(build_executables(&mut cmd)?, "sgmap")
}

/// Reads the file's ELF headers: it must be static and built for the target's machine.
pub fn check_static(path: &Path, target: &str) -> Result<Elf> {
    let image = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let elf = Elf::parse(&image).map_err(|e| format!("{}: {e}", path.display()))?;
    if let Some(machine) = expected_machine(target) {
        if elf.machine != machine {
            return Err(format!(
                "{}: built for {target} but its ELF machine is {}",
                path.display(),
                elf.machine_name()
            ));
        }
    }
    // `…eabihf`: the hard-float ABI of Debian's armhf (and the guest's); a soft-float
    // binary would call its float functions with the wrong registers.
    if target.ends_with("eabihf") && elf.flags & elf::EF_ARM_ABI_FLOAT_HARD == 0 {
        return Err(format!(
            "{}: built for {target} but not marked hard-float ({})",
            path.display(),
            elf.abi()
        ));
    }
    if elf.is_static() {
        return Ok(elf);
    }
    Err(match &elf.interpreter {
        Some(interp) => format!(
            "{}: not static: it asks for the loader {interp} (PT_INTERP)",
            path.display()
        ),
        None => format!(
            "{}: not static: it needs {} (DT_NEEDED)",
            path.display(),
            elf.needed.join(", ")
        ),
    })
}

/// A size in KiB with one decimal, as the reports print it.
pub fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

/// The path as the user would type it from the workspace root.
fn shown(path: &Path) -> String {
    path.strip_prefix(project_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

pub fn run(args: &[String]) -> Result<bool> {
    let mut check = false;
    let mut flavour = Flavour::Small;
    for arg in args {
        match arg.as_str() {
            "--check" => check = true,
            "--plain" => flavour = Flavour::Plain,
            other => return Err(format!("cargo xtask dist: unknown option {other:?}")),
        }
    }
    ensure_rust_targets(&[X86_64])?;
    let mut built = vec![(X86_64, build_sgmap_flavour(X86_64, flavour)?)];
    match ensure_rust_targets(&[AARCH64]).and_then(|()| build_sgmap_flavour(AARCH64, flavour)) {
        Ok(path) => built.push((AARCH64, path)),
        // `--check` (CI) proves every binary builds: the README quotes their sizes.
        Err(e) if check => return Err(format!("{AARCH64}: {e}")),
        Err(e) => eprintln!(
            "warning: skipping {AARCH64}: {e}\n\
             (it needs `rustup target add {AARCH64}` and the bundled rust-lld)"
        ),
    }
    match build_sgmap_flavour(ARMV7, flavour) {
        Ok(path) => built.push((ARMV7, path)),
        Err(e) if check => return Err(format!("{ARMV7}: {e}")),
        Err(e) => eprintln!(
            "warning: skipping {ARMV7}: {e}\n\
             (it needs the rust-src component, the bundled rust-lld, and Debian's armhf \
             musl-dev and libgcc-*-dev, which it fetches with apt-get)"
        ),
    }

    // <target dir>[/sgmap-small]/<target>/release/sgmap → <target dir>/dist
    let dist = small_target_dir()
        .parent()
        .ok_or("the target directory has no parent")?
        .join("dist");
    fs::create_dir_all(&dist).map_err(|e| format!("mkdir {}: {e}", dist.display()))?;
    // The build choice the README prices: x86_64 without the name tables. Copied away at
    // once, since the next build of the same target overwrites it.
    let lean_path = build_sgmap_with(X86_64, flavour, true)?;
    let lean = dist.join(format!("sgmap-{X86_64}-lean"));
    fs::copy(&lean_path, &lean)
        .map_err(|e| format!("copy {} to {}: {e}", lean_path.display(), lean.display()))?;

    println!();
    let mut over = None;
    // The x86_64 binary is built again last, so that its path holds the full one.
    built[0].1 = build_sgmap_flavour(X86_64, flavour)?;
    for (target, path) in &built {
        let elf = check_static(path, target)?;
        let copy = dist.join(format!("sgmap-{target}"));
        fs::copy(path, &copy)
            .map_err(|e| format!("copy {} to {}: {e}", path.display(), copy.display()))?;
        let size = fs::metadata(&copy)
            .map_err(|e| format!("{}: {e}", copy.display()))?
            .len();
        let mut line = format!(
            "{:<50} {:>10}  ({size} bytes), static, {}, {}",
            shown(&copy),
            kib(size),
            elf.machine_name(),
            elf.abi()
        );
        // Every target's binary is held to the budget: an image on any of them carries it.
        if size > BUDGET {
            line += &format!(
                "  OVER the budget of {} by {}",
                kib(BUDGET),
                kib(size - BUDGET)
            );
            over.get_or_insert((copy.clone(), size));
        } else {
            line += &format!("  (budget {}: {} left)", kib(BUDGET), kib(BUDGET - size));
        }
        println!("{line}");
    }
    // A tree an image builder copies as it is (`cp -a root-TARGET/. $ROOT`): sgmap and a
    // relative link to it under each sg3_utils name it answers to. The names come from the
    // x86_64 binary itself (`--list-names`, read from its table of commands), which runs
    // here; the other targets are built from the same source.
    let names = list_names(&dist.join(format!("sgmap-{X86_64}")))?;
    for (target, _) in &built {
        let bin = dist.join(format!("root-{target}")).join("usr/bin");
        make_root(&bin, &dist.join(format!("sgmap-{target}")), &names)?;
        println!(
            "{:<50} sgmap and {} links (sg_inq, sg_turs, ...): copy as is",
            format!("{}/", shown(&bin)),
            names.len()
        );
    }
    check_static(&lean, X86_64)?;
    let lean_size = fs::metadata(&lean)
        .map_err(|e| format!("{}: {e}", lean.display()))?
        .len();
    println!(
        "{:<50} {:>10}  ({lean_size} bytes), x86_64 without the name tables \
         (sgmap --no-default-features: ASC/ASCQ and command names)",
        shown(&lean),
        kib(lean_size)
    );
    match over {
        Some((path, size)) if check => Err(format!(
            "{}: {} is over the size budget of {} by {}",
            shown(&path),
            kib(size),
            kib(BUDGET),
            kib(size - BUDGET)
        )),
        _ => Ok(true),
    }
}

/// The names `sgmap --list-names` prints.
fn list_names(sgmap: &Path) -> Result<Vec<String>> {
    let out = std::process::Command::new(sgmap)
        .arg("--list-names")
        .output()
        .map_err(|e| format!("{} --list-names: {e}", sgmap.display()))?;
    if !out.status.success() {
        return Err(format!("{} --list-names: {}", sgmap.display(), out.status));
    }
    let names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    if names.is_empty() || names.iter().any(|n| n.is_empty() || n.contains('/')) {
        return Err(format!(
            "{} --list-names printed {names:?}",
            sgmap.display()
        ));
    }
    Ok(names)
}

/// Fills `bin` (made anew) with a copy of `sgmap` and a relative symbolic link to it under
/// each of `names`.
fn make_root(bin: &Path, sgmap: &Path, names: &[String]) -> Result<()> {
    let _ = fs::remove_dir_all(bin);
    fs::create_dir_all(bin).map_err(|e| format!("mkdir {}: {e}", bin.display()))?;
    let copy = bin.join("sgmap");
    fs::copy(sgmap, &copy)
        .map_err(|e| format!("copy {} to {}: {e}", sgmap.display(), copy.display()))?;
    for name in names {
        let link = bin.join(name);
        std::os::unix::fs::symlink("sgmap", &link)
            .map_err(|e| format!("symlink {}: {e}", link.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_prints_as_512_kib() {
        assert_eq!(kib(BUDGET), "512.0 KiB");
        assert_eq!(kib(522_584), "510.3 KiB");
    }

    #[test]
    fn the_root_tree_holds_sgmap_and_a_relative_link_per_name() {
        let tmp = env::temp_dir().join(format!("sgmap-xtask-root-{}", std::process::id()));
        fs::create_dir_all(&tmp).unwrap();
        let bin = tmp.join("sgmap-bin");
        fs::write(&bin, b"\x7fELF").unwrap();
        let usr_bin = tmp.join("root/usr/bin");
        let names = ["sg_inq".to_owned(), "sg_turs".to_owned()];
        make_root(&usr_bin, &bin, &names).unwrap();
        // Made anew: a second run replaces the first.
        make_root(&usr_bin, &bin, &names).unwrap();
        assert_eq!(fs::read(usr_bin.join("sgmap")).unwrap(), b"\x7fELF");
        for name in &names {
            assert_eq!(
                fs::read_link(usr_bin.join(name)).unwrap(),
                Path::new("sgmap")
            );
        }
        assert_eq!(fs::read_dir(&usr_bin).unwrap().count(), 3);
        fs::remove_dir_all(&tmp).unwrap();
    }
}
