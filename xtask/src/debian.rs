//! Debian's packages for the guests and the armv7 link kit: the candidate version of a
//! package for an architecture (`apt-cache show`), fetched with `apt-get download`, checked
//! against the archive's SHA-256, unpacked with `dpkg -x` into a cache outside the tree
//! ([`cache_root`]), never installed ([`debian_package`]); the packages another depends on
//! ([`package_dependencies`]). For an architecture other than the host's, apt gets
//! `-oAPT::Architecture=` and package lists of its own in the cache.
//!
//! Its users: the guest kernel (`guest.rs`), sg3_utils and the guest's other programs
//! (`sg3.rs`), armv7's musl and libgcc (`armv7.rs`).

use std::env;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::targets::{Arch, AMD64};
use crate::{have_program, is_root, output, run, sha256, Result};

/// The cache root: `$SGMAP_CACHE_DIR`, `$XDG_CACHE_HOME/sgmap`, `~/.cache/sgmap`.
pub fn cache_root() -> PathBuf {
    let non_empty = |name| {
        env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = non_empty("SGMAP_CACHE_DIR") {
        return dir;
    }
    if let Some(dir) = non_empty("XDG_CACHE_HOME") {
        return dir.join("sgmap");
    }
    if let Some(home) = non_empty("HOME") {
        return home.join(".cache/sgmap");
    }
    env::temp_dir().join("sgmap-cache")
}

/// The record of one package in `apt-cache show`.
#[derive(Debug, PartialEq, Eq)]
struct PackageRecord {
    version: String,
    sha256: String,
}

/// The `Version:` and `SHA256:` of the first record of `apt-cache show`.
fn parse_package_record(show: &str) -> Option<PackageRecord> {
    let record = show.split("\n\n").next()?;
    let field = |name: &str| {
        record.lines().find_map(|line| {
            line.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(':'))
                .map(|v| v.trim().to_owned())
        })
    };
    Some(PackageRecord {
        version: field("Version")?,
        sha256: field("SHA256")?.to_ascii_lowercase(),
    })
}

/// The host's Debian architecture (`dpkg --print-architecture`).
pub fn host_arch() -> Result<String> {
    Ok(output(Command::new("dpkg").arg("--print-architecture"))?
        .trim()
        .to_owned())
}

/// apt's options for `arch`: none for the host's own; for another, that architecture
/// alone with package lists of its own in the cache (`apt-get download` then fetches its
/// packages without touching the host's dpkg or lists).
fn apt_options(arch: Arch) -> Result<Vec<String>> {
    if host_arch()? == arch.debian {
        return Ok(Vec::new());
    }
    let lists = cache_root()
        .join(format!("apt-{}", arch.debian))
        .join("lists");
    let partial = lists.join("partial");
    fs::create_dir_all(&partial).map_err(|e| format!("mkdir {}: {e}", partial.display()))?;
    Ok(vec![
        format!("-oAPT::Architecture={}", arch.debian),
        format!("-oAPT::Architectures={}", arch.debian),
        format!("-oDir::State::Lists={}", lists.display()),
    ])
}

fn apt_cache(arch: Arch, args: &[&str]) -> Result<String> {
    output(
        Command::new("apt-cache")
            .args(apt_options(arch)?)
            .args(args),
    )
}

/// `apt-cache ARGS`; when it fails as root, once more after `apt-get update` (a fresh
/// system has no package lists, nor the cache the lists of another architecture).
fn apt_cache_or_update(arch: Arch, args: &[&str]) -> Result<String> {
    // `apt-cache show` of a package that no list has says nothing and exits 0.
    let found = |out: Result<String>| match out {
        Ok(out) if out.trim().is_empty() => Err(format!(
            "apt-cache {} ({}): nothing found",
            args.join(" "),
            arch.debian
        )),
        other => other,
    };
    match found(apt_cache(arch, args)) {
        Ok(out) => Ok(out),
        Err(e) if is_root() => {
            eprintln!("{e}\nupdating the package lists ({})", arch.debian);
            let mut update = Command::new("apt-get");
            update.args(apt_options(arch)?).arg("update");
            if host_arch()? != arch.debian {
                // Lists in a root-owned cache, which apt's user _apt cannot write.
                update.arg("-oAPT::Sandbox::User=root");
            }
            // A list that failed (a mirror in mid-sync, say, for the security suite) makes
            // apt-get fail even when the lists that were fetched have the package.
            let updated = run(&mut update);
            found(apt_cache(arch, args)).map_err(|again| match updated {
                Err(update) => format!("{update}\n{again}"),
                Ok(()) => again,
            })
        }
        Err(e) => Err(format!(
            "{e}\nthe package lists may be missing: run `sudo apt-get update`"
        )),
    }
}

/// The host's Debian tools, which fetch and unpack the guest's packages.
pub fn require_apt(what: &str) -> Result<()> {
    for tool in ["apt-cache", "apt-get", "dpkg"] {
        if !have_program(tool) {
            return Err(format!(
                "{tool} not found: {what} comes from Debian's archive"
            ));
        }
    }
    Ok(())
}

/// A Debian package unpacked (`dpkg -x`) in the cache, never installed.
#[derive(Debug, Clone)]
pub struct Unpacked {
    /// `<package> <version>`.
    pub description: String,
    /// The root of the unpacked tree (`usr/bin/…`).
    pub root: PathBuf,
}

/// The packages that `apt-cache depends PACKAGE` names on its `Depends:` lines and that
/// start with `prefix` (alternatives `|` included).
pub fn package_dependencies(arch: Arch, package: &str, prefix: &str) -> Result<Vec<String>> {
    require_apt(package)?;
    let depends = apt_cache_or_update(arch, &["depends", package])?;
    Ok(parse_dependencies(&depends, prefix))
}

fn parse_dependencies(depends: &str, prefix: &str) -> Vec<String> {
    depends
        .lines()
        .filter_map(|line| {
            let line = line.trim().trim_start_matches('|');
            let name = line.strip_prefix("Depends:")?.trim();
            name.starts_with(prefix).then(|| name.to_owned())
        })
        .collect()
}

/// `package` (the candidate version for `arch`) from the cache under `<cache>/<kind>/`
/// (`<kind>-<arch>/` for an architecture other than amd64), or fetched with `apt-get
/// download`, checked against the archive's SHA-256 and unpacked there.
pub fn debian_package(arch: Arch, kind: &str, package: &str) -> Result<Unpacked> {
    require_apt(package)?;
    let show = apt_cache_or_update(arch, &["show", "--no-all-versions", package])?;
    let record = parse_package_record(&show)
        .ok_or_else(|| format!("`apt-cache show {package}`: no Version or SHA256 field"))?;
    let description = format!("{package} {}", record.version);

    let kind = if arch == AMD64 {
        kind.to_owned()
    } else {
        format!("{kind}-{}", arch.debian)
    };
    let dir = cache_root()
        .join(&kind)
        .join(format!("{package}_{}", record.version.replace(':', "%3a")));
    let marker = dir.join("sgmap-verified");
    let unpacked = Unpacked {
        description,
        root: dir.join("root"),
    };
    if fs::read_to_string(&marker).is_ok_and(|m| m.trim() == record.sha256) {
        eprintln!(
            "{kind}: {} (cached in {})",
            unpacked.description,
            dir.display()
        );
        return Ok(unpacked);
    }

    eprintln!(
        "{kind}: fetching {} into {}",
        unpacked.description,
        dir.display()
    );
    let parent = dir.parent().expect("the cache dir has a parent");
    fs::create_dir_all(parent).map_err(|e| format!("mkdir {}: {e}", parent.display()))?;
    // Build in a private directory, then rename: a concurrent run never sees half a package.
    let staging = parent.join(format!(".staging-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging).map_err(|e| format!("mkdir {}: {e}", staging.display()))?;
    let fetched = fetch_and_unpack(arch, &kind, package, &record, &staging);
    if let Err(e) = fetched {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    if dir.exists() && !marker.exists() {
        // A leftover without the marker: incomplete or unverified.
        fs::remove_dir_all(&dir).map_err(|e| format!("rm -r {}: {e}", dir.display()))?;
    }
    if let Err(e) = fs::rename(&staging, &dir) {
        let _ = fs::remove_dir_all(&staging);
        if !marker.exists() {
            return Err(format!(
                "rename {} to {}: {e}",
                staging.display(),
                dir.display()
            ));
        }
        // Another run got there first with the same verified package.
    }
    Ok(unpacked)
}

/// `apt-get download`, SHA-256 check, `dpkg -x` into `dir/root`, then the marker.
fn fetch_and_unpack(
    arch: Arch,
    kind: &str,
    package: &str,
    record: &PackageRecord,
    dir: &Path,
) -> Result<()> {
    let mut download = Command::new("apt-get");
    download
        .current_dir(dir)
        .args(apt_options(arch)?)
        .arg("download");
    if is_root() {
        // apt drops to user _apt for downloads, which cannot write to a root-owned cache.
        download.arg("-oAPT::Sandbox::User=root");
    }
    download.arg(format!("{package}={}", record.version));
    // Its progress to stderr with the rest of the task's chatter: stdout is for results.
    download.stdout(io::stderr());
    run(&mut download)?;
    let debs: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "deb"))
        .collect();
    let [deb] = debs.as_slice() else {
        return Err(format!(
            "apt-get download {package}: expected one .deb in {}, found {debs:?}",
            dir.display()
        ));
    };
    let actual = sha256::file_hex(deb).map_err(|e| format!("{}: {e}", deb.display()))?;
    if actual != record.sha256 {
        return Err(format!(
            "{}: SHA-256 {actual}, but the archive says {} (apt-cache show {package}): \
             refusing it",
            deb.display(),
            record.sha256
        ));
    }
    eprintln!("{kind}: {} verified (SHA-256 {actual})", deb.display());
    let root = dir.join("root");
    run(Command::new("dpkg").arg("-x").arg(deb).arg(&root))?;
    fs::write(dir.join("sgmap-verified"), format!("{actual}\n"))
        .map_err(|e| format!("write marker in {}: {e}", dir.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apt_cache_depends_lists_dependencies_by_prefix() {
        let depends = "sg3-utils\n  Depends: libc6\n  Depends: libsgutils2-1.46-2\n  \
                       Conflicts: <cdwrite>\n";
        assert_eq!(
            parse_dependencies(depends, "libsgutils2"),
            ["libsgutils2-1.46-2"]
        );
        assert_eq!(
            parse_dependencies(depends, "lib"),
            ["libc6", "libsgutils2-1.46-2"]
        );
        assert!(parse_dependencies(depends, "cdwrite").is_empty());
    }

    #[test]
    fn apt_cache_depends_names_the_image_package() {
        let depends = "linux-image-amd64\n  Depends: linux-image-6.1.0-56-amd64\n";
        assert_eq!(
            parse_dependencies(depends, "linux-image-"),
            ["linux-image-6.1.0-56-amd64"]
        );
        assert!(parse_dependencies("linux-image-amd64\n", "linux-image-").is_empty());
    }

    #[test]
    fn apt_cache_show_gives_version_and_sha256() {
        let show = "Package: linux-image-6.1.0-56-amd64\nSource: linux-signed-amd64 (6.1.192+2)\n\
                    Version: 6.1.192-2\nSHA256: A86E20\nDescription: x\n\nPackage: other\nVersion: 0\n";
        assert_eq!(
            parse_package_record(show),
            Some(PackageRecord {
                version: "6.1.192-2".into(),
                sha256: "a86e20".into()
            })
        );
        assert_eq!(parse_package_record("Package: x\nVersion: 1\n"), None);
    }
}
