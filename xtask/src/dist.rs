//! `cargo xtask dist`: the static `sgmap` binaries, with the workspace's release profile
//! (opt-level z, LTO, one codegen unit, panic abort, strip), for x86_64, i686, aarch64 and
//! armv7 musl, each also as the build choices ([`choices`]: without the name tables, the
//! firmware profile, `--commands=LIST`); a table of their sizes, target × build ([`table`]);
//! and where the bytes go, of the full and the firmware builds ([`bloat`]).
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
use crate::targets::{self, expected_machine, linker_env, AARCH64, ARMV7, BUDGET, I686, X86_64};
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
    build_sgmap_with(target, flavour, None)
}

/// A build of `sgmap` with some of its cargo features, which `dist` makes for every target
/// besides the full one.
struct Choice {
    /// The file name's suffix: `sgmap-x86_64-unknown-linux-musl-firmware`.
    name: &'static str,
    /// The cargo features (with `--no-default-features`).
    features: String,
    /// What it is, for the table.
    about: String,
    /// Its own budget, if it has one.
    budget: Option<u64>,
    /// Whether `--check` holds it to the budget (else the budget is a goal, reported).
    enforced: bool,
}

/// The firmware build: what a provisioning image needs (identify, check ready, download).
pub const FIRMWARE: &str = "firmware";
/// Its budget: a goal, not reached (225 KiB today: `tur` alone with what every command
/// shares is 122 KiB, the name tables 16.6 KiB, `inquiry` without `vpd-pages` 51.6 KiB;
/// docs/bench.md), so `--check` reports it and does not fail.
pub const FIRMWARE_BUDGET: u64 = 160 * 1024;

/// The builds besides the full ones: without the name tables, the firmware profile, and
/// the commands asked for with `--commands=`.
fn choices(commands: Option<&str>) -> Vec<Choice> {
    let mut v = vec![
        Choice {
            name: "lean",
            features: "every-command".to_owned(),
            about: "every command, no name tables (ASC/ASCQ and command names)".to_owned(),
            budget: Some(BUDGET),
            enforced: true,
        },
        Choice {
            name: FIRMWARE,
            features: FIRMWARE.to_owned(),
            about: "inquiry, tur, readcap, write-buffer, with the name tables".to_owned(),
            budget: Some(FIRMWARE_BUDGET),
            enforced: false,
        },
    ];
    if let Some(list) = commands {
        v.push(Choice {
            name: "commands",
            features: format!("names,{list}"),
            about: format!("--commands={list}, with the name tables"),
            budget: None,
            enforced: false,
        });
    }
    v
}

/// [`build_sgmap_flavour`] with the command's cargo features `features` instead of its
/// default ones (every command and the name tables) when given.
fn build_sgmap_with(target: &str, flavour: Flavour, features: Option<&str>) -> Result<PathBuf> {
    build_sgmap_cmd(cargo(), target, flavour, features, &small_target_dir(), &[])
}

/// A debug build of `sgmap` for `target` with just the cargo features `features` (what the
/// guest tests run as `/bin/sgmap-firmware`: the build choice, not the shipped flags).
pub fn build_sgmap_debug(target: &str, features: &str) -> Result<PathBuf> {
    let mut cmd = cargo();
    cmd.args(["build", "-p", "sgmap", "--target", target]);
    cmd.args(["--no-default-features", "--features", features]);
    find_bin(build_executables(&mut cmd)?, "sgmap")
}

/// The shipped x86_64 build's code and data as they are (with the cargo features
/// `features` instead of the default ones when given), but with its symbol table (not
/// stripped; in a target directory of its own): what [`bloat`] reads.
fn build_with_symbols(flavour: Flavour, features: Option<&str>) -> Result<PathBuf> {
    let mut cmd = cargo();
    cmd.env("CARGO_PROFILE_RELEASE_STRIP", "false");
    // The legacy mangling, which `elf::demangle` reads (names only: the code is the same).
    let legacy = ["-Zunstable-options", "-Csymbol-mangling-version=legacy"];
    build_sgmap_cmd(
        cmd,
        X86_64,
        flavour,
        features,
        &target_dir().join("sgmap-symbols"),
        &legacy,
    )
}

fn build_sgmap_cmd(
    mut cmd: std::process::Command,
    target: &str,
    flavour: Flavour,
    features: Option<&str>,
    small_dir: &Path,
    extra_flags: &[&str],
) -> Result<PathBuf> {
    cmd.args(["build", "-p", "sgmap", "--release", "--target", target]);
    if let Some(features) = features {
        cmd.args(["--no-default-features", "--features", features]);
    }
    let mut rustflags = Vec::new();
    // A target without a prebuilt std (armv7) builds it from source in both flavours.
    if flavour == Flavour::Small || !targets::has_prebuilt_std(target) {
        ensure_rust_src()?;
        cmd.arg("--target-dir")
            .arg(small_dir)
            .args(["-Zbuild-std=std,panic_abort"])
            .env("RUSTC_BOOTSTRAP", "1");
    }
    if flavour == Flavour::Small {
        rustflags.extend(targets::small_rustflags(target));
        // std's own choice of smaller algorithms (sorting, formatting): 4 KiB.
        cmd.arg("-Zbuild-std-features=optimize_for_size");
    }
    rustflags.extend(armv7::rustc_flags(target)?);
    rustflags.extend(extra_flags.iter().map(|f| (*f).to_owned()));
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
    let mut commands = None;
    for arg in args {
        match arg.as_str() {
            "--check" => check = true,
            "--plain" => flavour = Flavour::Plain,
            other => match other.strip_prefix("--commands=") {
                Some(list) if !list.is_empty() => commands = Some(list.to_owned()),
                _ => return Err(format!("cargo xtask dist: unknown option {other:?}")),
            },
        }
    }
    // <target dir>[/sgmap-small]/<target>/release/sgmap → <target dir>/dist
    let dist = small_target_dir()
        .parent()
        .ok_or("the target directory has no parent")?
        .join("dist");
    fs::create_dir_all(&dist).map_err(|e| format!("mkdir {}: {e}", dist.display()))?;
    let choices = choices(commands.as_deref());
    ensure_rust_targets(&[X86_64, I686])?;
    // Each target's builds: the choices, then the full one last, so that the target
    // directory holds the full build that `test`, `demo` and `bench` use. Each is copied
    // away at once, since the next build of the same target overwrites it.
    let mut rows: Vec<Row> = Vec::new();
    for target in [X86_64, I686, AARCH64, ARMV7] {
        let row = (|| -> Result<Row> {
            if target == AARCH64 {
                ensure_rust_targets(&[AARCH64])?;
            }
            let mut sizes = Vec::new();
            for choice in &choices {
                let path = build_sgmap_with(target, flavour, Some(&choice.features))?;
                let copy = dist.join(format!("sgmap-{target}-{}", choice.name));
                sizes.push(copy_checked(&path, &copy, target)?);
            }
            let path = build_sgmap_flavour(target, flavour)?;
            let full = copy_checked(&path, &dist.join(format!("sgmap-{target}")), target)?;
            Ok(Row {
                target,
                full,
                choices: sizes,
            })
        })();
        match row {
            Ok(row) => rows.push(row),
            // `--check` (CI) proves every binary builds: the README quotes their sizes.
            Err(e) if check || target == X86_64 || target == I686 => {
                return Err(format!("{target}: {e}"))
            }
            Err(e) => eprintln!(
                "warning: skipping {target}: {e}\n(it needs the bundled rust-lld{})",
                if target == ARMV7 {
                    ", the rust-src component and Debian's armhf musl-dev and libgcc-*-dev, \
                     which it fetches with apt-get"
                } else {
                    " and `rustup target add`"
                }
            ),
        }
    }
    println!();
    for row in &rows {
        println!(
            "{:<50} {}, {}, static",
            shown(&dist.join(format!("sgmap-{}", row.target))),
            row.full.machine,
            row.full.abi
        );
    }
    // A tree an image builder copies as it is (`cp -a root-TARGET/. $ROOT`): sgmap and a
    // relative link to it under each sg3_utils name it answers to. The names come from the
    // x86_64 binary itself (`--list-names`, read from its table of commands), which runs
    // here; the other targets are built from the same source.
    let names = list_names(&dist.join(format!("sgmap-{X86_64}")))?;
    for row in &rows {
        let bin = dist.join(format!("root-{}", row.target)).join("usr/bin");
        make_root(&bin, &dist.join(format!("sgmap-{}", row.target)), &names)?;
        println!(
            "{:<50} sgmap and {} links (sg_inq, sg_turs, ...): copy as is",
            format!("{}/", shown(&bin)),
            names.len()
        );
    }
    println!();
    let (text, over) = table(&rows, &choices);
    print!("{text}");
    // Where the bytes go: of the full build, and of the firmware build, whose goal is
    // furthest from reach.
    for (what, features) in [
        ("every command", None),
        ("the firmware build", Some(FIRMWARE)),
    ] {
        let symbols = build_with_symbols(flavour, features)?;
        let image = fs::read(&symbols).map_err(|e| format!("{}: {e}", symbols.display()))?;
        println!();
        print!("{}", bloat(what, &elf::symbols(&image)?));
    }
    match over {
        Some(over) if check => Err(over),
        _ => Ok(true),
    }
}

/// One built binary: its size and what its ELF header says.
struct Built {
    size: u64,
    machine: String,
    abi: String,
}

/// The builds of one target.
struct Row {
    target: &'static str,
    full: Built,
    /// One per [`Choice`], in their order.
    choices: Vec<Built>,
}

/// Copies `path` to `copy` (checked static, of `target`'s machine).
fn copy_checked(path: &Path, copy: &Path, target: &str) -> Result<Built> {
    let elf = check_static(path, target)?;
    fs::copy(path, copy)
        .map_err(|e| format!("copy {} to {}: {e}", path.display(), copy.display()))?;
    let size = fs::metadata(copy)
        .map_err(|e| format!("{}: {e}", copy.display()))?
        .len();
    Ok(Built {
        size,
        machine: elf.machine_name(),
        abi: elf.abi(),
    })
}

/// The table of sizes, target × build, and the first build past a budget that `--check`
/// enforces (its message), if any. The full build of every target is held to [`BUDGET`],
/// and so is each choice that has an enforced budget; a goal (`enforced: false`) is
/// reported for x86_64, whose build it names.
fn table(rows: &[Row], choices: &[Choice]) -> (String, Option<String>) {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut over = None;
    let _ = write!(out, "{:<34} {:>9}", "bytes", "full");
    for c in choices {
        let _ = write!(out, " {:>9}", c.name);
    }
    out.push('\n');
    for row in rows {
        let _ = write!(out, "{:<34} {:>9}", row.target, row.full.size);
        for b in &row.choices {
            let _ = write!(out, " {:>9}", b.size);
        }
        out.push('\n');
    }
    for c in choices {
        let _ = writeln!(out, "  {}: {}", c.name, c.about);
    }
    let mut notes = Vec::new();
    let builds = rows.iter().flat_map(|row| {
        std::iter::once((row.target, "full", Some(BUDGET), true, &row.full)).chain(
            choices
                .iter()
                .zip(&row.choices)
                .map(move |(c, b)| (row.target, c.name, c.budget, c.enforced, b)),
        )
    });
    for (target, name, budget, enforced, built) in builds {
        let Some(budget) = budget else { continue };
        let size = built.size;
        if !enforced {
            // A goal is x86_64's (the firmware build's 160 KiB).
            if target == X86_64 {
                notes.push(if size > budget {
                    format!(
                        "{name}, {target}: goal {}, {} over (reported, not enforced)",
                        kib(budget),
                        kib(size - budget)
                    )
                } else {
                    format!("{name}, {target}: goal {} reached", kib(budget))
                });
            }
        } else if size > budget {
            let message = format!(
                "sgmap-{target}{}: {} is OVER the size budget of {} by {}",
                if name == "full" {
                    String::new()
                } else {
                    format!("-{name}")
                },
                kib(size),
                kib(budget),
                kib(size - budget)
            );
            notes.push(message.clone());
            over.get_or_insert(message);
        } else if name == "full" {
            notes.push(format!(
                "full, {target}: {} of {} ({} left)",
                kib(size),
                kib(budget),
                kib(budget - size)
            ));
        }
    }
    let _ = writeln!(
        out,
        "every build of every target within {} unless said here:",
        kib(BUDGET)
    );
    for n in notes {
        let _ = writeln!(out, "  {n}");
    }
    (out, over)
}

/// Where the bytes of the x86_64 binary go, from its symbol table: the largest functions and
/// tables, and the code of each command, of what commands share and of the libraries, so
/// that what an addition costs is seen when it is made.
fn bloat(what: &str, symbols: &[elf::Symbol]) -> String {
    use std::collections::BTreeMap;
    use std::fmt::Write as _;
    let named: Vec<(String, &elf::Symbol)> = symbols
        .iter()
        .map(|s| (elf::demangle(&s.name), s))
        .collect();
    let total: u64 = symbols.iter().map(|s| s.size).sum();
    let mut out = format!(
        "Where the bytes go (x86_64, {what}; {} in {} symbols):\n",
        kib(total),
        symbols.len()
    );
    // The owner of a symbol: a command, a shared module, or a crate.
    let owner = |name: &str| -> String {
        let path = name.trim_start_matches('<');
        for (prefix, label) in [
            ("sgmap::commands::", "command "),
            ("sgmap::shared::", "shared "),
        ] {
            if let Some(rest) = path.strip_prefix(prefix) {
                let module = rest.split("::").next().unwrap_or(rest);
                return format!("{label}{module}");
            }
        }
        match path.split("::").next() {
            Some(c @ ("sgmap" | "sgmap_core" | "sgmap_sys" | "rustix" | "lexopt")) => c.to_owned(),
            Some("std" | "core" | "alloc") => "std".to_owned(),
            _ if path.contains("::") => "other Rust".to_owned(),
            _ => "C library and start files".to_owned(),
        }
    };
    let mut owners: BTreeMap<String, u64> = BTreeMap::new();
    for (name, s) in &named {
        *owners.entry(owner(name)).or_default() += s.size;
    }
    let mut owners: Vec<(String, u64)> = owners.into_iter().collect();
    owners.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let _ = writeln!(out, "  by owner:");
    for (who, size) in &owners {
        let _ = writeln!(out, "    {:>10}  {who}", kib(*size));
    }
    let mut largest: Vec<&(String, &elf::Symbol)> = named.iter().collect();
    largest.sort_by(|a, b| b.1.size.cmp(&a.1.size).then(a.0.cmp(&b.0)));
    let _ = writeln!(out, "  the largest:");
    for (name, s) in largest.iter().take(15) {
        let kind = if s.function { "code" } else { "data" };
        let shown: String = name.chars().take(90).collect();
        let _ = writeln!(out, "    {:>10}  {kind}  {shown}", kib(s.size));
    }
    out
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

    fn built(size: u64) -> Built {
        Built {
            size,
            machine: String::new(),
            abi: String::new(),
        }
    }

    #[test]
    fn the_size_table_holds_every_full_build_to_the_budget_and_reports_the_firmware_goal() {
        let choices = choices(None);
        let rows = vec![
            Row {
                target: X86_64,
                full: built(BUDGET - 1024),
                choices: vec![built(400_000), built(FIRMWARE_BUDGET + 2048)],
            },
            Row {
                target: ARMV7,
                full: built(BUDGET + 512),
                choices: vec![built(500_000), built(FIRMWARE_BUDGET + 9999)],
            },
        ];
        let (text, over) = table(&rows, &choices);
        assert!(
            text.contains(&format!(
                "{X86_64:<34} {:>9} {:>9} {:>9}\n",
                BUDGET - 1024,
                400_000,
                FIRMWARE_BUDGET + 2048
            )),
            "{text}"
        );
        assert!(
            text.contains("full, x86_64-unknown-linux-musl: 511.0 KiB of 512.0 KiB (1.0 KiB left)"),
            "{text}"
        );
        assert!(
            text.contains("firmware, x86_64-unknown-linux-musl: goal 160.0 KiB, 2.0 KiB over"),
            "{text}"
        );
        // The goal is x86_64's; armv7's firmware build is not measured against it.
        assert!(!text.contains("firmware, armv7"), "{text}");
        let over = over.expect("armv7's full build is over");
        assert!(
            over.contains("sgmap-armv7-unknown-linux-musleabihf: 512.5 KiB is OVER the size budget of 512.0 KiB by 0.5 KiB"),
            "{over}"
        );
        // Within every budget: nothing to fail on.
        let rows = vec![Row {
            target: I686,
            full: built(BUDGET),
            choices: vec![built(1), built(1)],
        }];
        assert!(table(&rows, &choices).1.is_none());
    }

    #[test]
    fn the_bytes_go_to_commands_shared_modules_and_crates() {
        let sym = |name: &str, size, function| elf::Symbol {
            name: name.to_owned(),
            size,
            function,
        };
        let report = bloat(
            "the firmware build",
            &[
                sym(
                    "_ZN5sgmap8commands7inquiry3run17h0123456789abcdefE",
                    3000,
                    true,
                ),
                sym(
                    "_ZN5sgmap8commands7inquiry5parse17h0123456789abcdefE",
                    1000,
                    true,
                ),
                sym("_ZN5sgmap6shared3dev4open17h0123456789abcdefE", 2048, true),
                sym(
                    "_ZN10sgmap_core5sense3asc6PACKED17h0123456789abcdefE",
                    1024,
                    false,
                ),
                sym("memcpy", 100, true),
            ],
        );
        assert!(
            report.contains("(x86_64, the firmware build; 7.0 KiB in 5 symbols)"),
            "{report}"
        );
        assert!(report.contains("3.9 KiB  command inquiry"), "{report}");
        assert!(report.contains("2.0 KiB  shared dev"), "{report}");
        assert!(report.contains("1.0 KiB  sgmap_core"), "{report}");
        assert!(report.contains("C library and start files"), "{report}");
        assert!(
            report.contains("1.0 KiB  data  sgmap_core::sense::asc::PACKED"),
            "{report}"
        );
    }
}
