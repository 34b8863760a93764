//! `cargo xtask msrv`: proves the `rust-version` that sgmap-core and sgmap-sys declare, and
//! the lowest versions of their dependencies that their requirements allow.
//!
//! The workspace declares one `rust-version` (`Cargo.toml`, `[workspace.package]`); the two
//! libraries are what others build with it. This installs that toolchain with rustup when
//! it is missing (`--profile minimal`, with the bare-metal target), then, with it:
//!
//! 1. `cargo test` of both crates (their tests, examples and the README's doctest) with the
//!    committed `Cargo.lock`;
//! 2. sgmap-sys without std (the library and its `no_std` example), sgmap-core for
//!    `thumbv7em-none-eabihf`;
//! 3. both crates against the lowest versions their requirements allow (rustix 1.1, not
//!    1.1.6; bitflags 2.6; heapless 0.9.4): a copy of the two in `target/msrv/minimal/`,
//!    resolved with `-Zdirect-minimal-versions` (enabled with `RUSTC_BOOTSTRAP=1`, as
//!    `dist.rs` does for `-Zbuild-std`). What the lock holds is what a dependent may get.
//!
//! The other crates of the workspace (the command, the tests, xtask) are built by the
//! project's own toolchain only: nobody depends on them.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{output, project_root, run, Result};

/// The target on which sgmap-core proves it needs neither std nor alloc.
const BARE_METAL_TARGET: &str = "thumbv7em-none-eabihf";
/// The folders of the two published crates, copied for the minimal-versions build.
const CRATES: &[&str] = &["core", "sys"];

pub fn run_task(args: &[String]) -> Result<bool> {
    if let Some(arg) = args.first() {
        return Err(format!("cargo xtask msrv: unknown option {arg:?}"));
    }
    let manifest = project_root().join("Cargo.toml");
    let text = fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let version = workspace_rust_version(&text).ok_or_else(|| {
        format!(
            "{}: no rust-version in [workspace.package]",
            manifest.display()
        )
    })?;
    ensure_toolchain(version)?;
    let target_dir = target_dir();

    // 1. With the committed lock: build, test, doctest.
    run(
        toolchain_cargo(version, &project_root(), &target_dir).args([
            "test",
            "--locked",
            "-p",
            "sgmap-core",
            "-p",
            "sgmap-sys",
        ]),
    )?;
    // 2. Without std.
    run(
        toolchain_cargo(version, &project_root(), &target_dir).args([
            "build",
            "--locked",
            "-p",
            "sgmap-sys",
            "--no-default-features",
            "--lib",
            "--examples",
        ]),
    )?;
    run(
        toolchain_cargo(version, &project_root(), &target_dir).args([
            "build",
            "--locked",
            "-p",
            "sgmap-core",
            "--target",
            BARE_METAL_TARGET,
        ]),
    )?;

    // 3. The lowest versions the requirements allow, in a workspace of the two alone (the
    // command pins rustix exactly, which would decide the version for all).
    let minimal = target_dir.join("minimal");
    let _ = fs::remove_dir_all(&minimal);
    for name in CRATES {
        copy_crate(&project_root().join(name), &minimal.join(name))?;
    }
    let workspace = only_members(&text, CRATES);
    fs::write(minimal.join("Cargo.toml"), workspace)
        .map_err(|e| format!("{}: {e}", minimal.display()))?;
    run(toolchain_cargo(version, &minimal, &target_dir)
        .args([
            "generate-lockfile",
            "-Zdirect-minimal-versions",
            "--config",
            "resolver.incompatible-rust-versions=\"fallback\"",
        ])
        .env("RUSTC_BOOTSTRAP", "1"))?;
    let lock = fs::read_to_string(minimal.join("Cargo.lock"))
        .map_err(|e| format!("{}: {e}", minimal.display()))?;
    for (name, version) in locked_versions(&lock) {
        if ["rustix", "bitflags", "heapless"].contains(&name.as_str()) {
            eprintln!("minimal versions: {name} {version}");
        }
    }
    run(toolchain_cargo(version, &minimal, &target_dir).args([
        "build",
        "--locked",
        "-p",
        "sgmap-core",
        "-p",
        "sgmap-sys",
        "--all-targets",
    ]))?;
    run(toolchain_cargo(version, &minimal, &target_dir).args([
        "build",
        "--locked",
        "-p",
        "sgmap-sys",
        "--no-default-features",
        "--lib",
        "--examples",
    ]))?;
    eprintln!("sgmap-core and sgmap-sys build with Rust {version}, also at their dependencies' lowest versions");
    Ok(true)
}

/// The `rust-version` of `[workspace.package]` in the root manifest's text.
fn workspace_rust_version(manifest: &str) -> Option<&str> {
    let mut in_section = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_section = line == "[workspace.package]";
        } else if in_section {
            if let Some(value) = line.strip_prefix("rust-version") {
                let value = value.trim_start().strip_prefix('=')?.trim();
                return value.strip_prefix('"')?.strip_suffix('"');
            }
        }
    }
    None
}

/// The root manifest with `members` and `default-members` replaced by `names`.
fn only_members(manifest: &str, names: &[&str]) -> String {
    let list = names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = String::new();
    for line in manifest.lines() {
        if line.starts_with("members =") {
            out.push_str(&format!("members = [{list}]"));
        } else if line.starts_with("default-members =") {
            out.push_str(&format!("default-members = [{list}]"));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// `(name, version)` of every package in a `Cargo.lock`.
fn locked_versions(lock: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_owned());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name.take()) {
            out.push((n, v.trim_matches('"').to_owned()));
        }
    }
    out
}

/// Installs toolchain `version` with the bare-metal target, unless it has both.
fn ensure_toolchain(version: &str) -> Result<()> {
    let sysroot =
        output(Command::new("rustup").args(["run", version, "rustc", "--print", "sysroot"]));
    let has_target = |sysroot: &str| {
        Path::new(sysroot.trim())
            .join("lib/rustlib")
            .join(BARE_METAL_TARGET)
            .join("lib")
            .is_dir()
    };
    match sysroot {
        Ok(s) if has_target(&s) => Ok(()),
        Ok(_) => run(Command::new("rustup").args([
            "target",
            "add",
            "--toolchain",
            version,
            BARE_METAL_TARGET,
        ])),
        Err(_) => run(Command::new("rustup").args([
            "toolchain",
            "install",
            version,
            "--profile",
            "minimal",
            "--target",
            BARE_METAL_TARGET,
        ])),
    }
    .map_err(|e| format!("{e}\nthe declared rust-version's toolchain is needed (`rustup toolchain install {version}`)"))
}

/// `target/msrv` (or `$CARGO_TARGET_DIR/msrv`): apart from the project toolchain's builds.
fn target_dir() -> PathBuf {
    env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join("target"))
        .join("msrv")
}

/// That toolchain's cargo in `dir`: what the running cargo set for its own toolchain is
/// taken out of the environment.
fn toolchain_cargo(version: &str, dir: &Path, target_dir: &Path) -> Command {
    let mut cmd = Command::new("rustup");
    cmd.args(["run", version, "cargo"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC")
        .env_remove("RUSTUP_TOOLCHAIN");
    cmd
}

/// Copies a crate's folder (its manifest, README, sources, examples and tests).
fn copy_crate(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_crate(&path, &dest)?;
        } else {
            fs::copy(&path, &dest).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{locked_versions, only_members, workspace_rust_version};

    #[test]
    fn the_workspace_rust_version_is_read_from_its_own_section() {
        let manifest = "[package]\nrust-version = \"1.70\"\n\n[workspace.package]\n\
                        version = \"0.1.0\"\nrust-version = \"1.88\"\n";
        assert_eq!(workspace_rust_version(manifest), Some("1.88"));
        assert_eq!(
            workspace_rust_version("[package]\nrust-version = \"1.70\"\n"),
            None
        );
        let root = std::fs::read_to_string(crate::project_root().join("Cargo.toml")).unwrap();
        assert!(workspace_rust_version(&root).is_some());
    }

    #[test]
    fn members_are_replaced_and_the_rest_kept() {
        let manifest =
            "[workspace]\nmembers = [\"core\", \"demo\"]\ndefault-members = [\"demo\"]\n\
                        [workspace.package]\nedition = \"2021\"\n";
        assert_eq!(
            only_members(manifest, &["core", "sys"]),
            "[workspace]\nmembers = [\"core\", \"sys\"]\ndefault-members = [\"core\", \"sys\"]\n\
             [workspace.package]\nedition = \"2021\"\n"
        );
    }

    #[test]
    fn locked_versions_pair_each_name_with_its_version() {
        let lock = "version = 4\n\n[[package]]\nname = \"rustix\"\nversion = \"1.1.1\"\n\
                    source = \"registry\"\n\n[[package]]\nname = \"sgmap-sys\"\nversion = \"0.1.0\"\n";
        assert_eq!(
            locked_versions(lock),
            [
                ("rustix".to_owned(), "1.1.1".to_owned()),
                ("sgmap-sys".to_owned(), "0.1.0".to_owned())
            ]
        );
    }
}
