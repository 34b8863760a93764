//! sg3_utils for the guests: Debian's `sg3-utils` and `libsgutils2-*` packages (`apt-get
//! download`, SHA-256 checked, `dpkg -x` into the cache, like the kernel), and for each
//! program asked for, its ELF loader and every library it needs (`DT_NEEDED`, read with
//! `elf.rs`), from the packages or from the host's `/lib/x86_64-linux-gnu` (the host is
//! Debian like the packages), at their usual paths in the initramfs. For another
//! architecture (the arm64 guest) the C library is Debian's `libc6` of that architecture
//! too, and nothing comes from the host. `cargo xtask bench`
//! times its copiers; `cargo xtask test` runs its tools beside sgmap's commands, so that the
//! guest tests compare exit statuses, counts and text with the real thing.
//!
//! [`debian_programs`] does the same for programs of other Debian packages (a shell and the
//! tools sg3_utils' `rescan-scsi-bus.sh` calls): the same cache, check and library search.
//! A script (`#!`) is copied as it is; it needs no library.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::debian::{self, Unpacked};
use crate::elf::Elf;
use crate::targets::{Arch, AMD64};
use crate::Result;

const SG3_UTILS: &str = "sg3-utils";
/// The cache directory of the packages (beside `kernel/`).
const CACHE_KIND: &str = "sg3-utils";
/// The cache directory of [`debian_programs`]' packages.
const OTHER_KIND: &str = "packages";

/// Debian programs and everything they need to run in the guest.
#[derive(Debug)]
pub struct Programs {
    /// The packages, for messages.
    pub description: String,
    /// (guest path, host file): the programs, their loader and their libraries.
    pub files: Vec<(String, PathBuf)>,
}

/// Where the loader looks for libraries (Debian's multiarch paths first).
fn library_dirs(multiarch: &str) -> Vec<String> {
    let mut dirs = vec![format!("lib/{multiarch}"), format!("usr/lib/{multiarch}")];
    dirs.extend(["lib64", "usr/lib64", "lib", "usr/lib"].map(str::to_owned));
    dirs
}

/// The library `name` in the unpacked packages (`roots`), else on the host when
/// `roots` does not end with `/`: (guest path, file). The directories of the user's
/// `DT_RUNPATH` come first (the absolute ones, as `/usr/lib/x86_64-linux-gnu/ceph` where
/// librados' libceph-common is; `$ORIGIN` ones are not followed).
pub(crate) fn find_library(
    name: &str,
    roots: &[&Path],
    multiarch: &str,
    runpath: &[String],
) -> Result<(String, PathBuf)> {
    let mut dirs: Vec<String> = runpath
        .iter()
        .filter(|d| d.starts_with('/') && !d.contains('$'))
        .map(|d| d.trim_matches('/').to_owned())
        .collect();
    dirs.extend(library_dirs(multiarch));
    for root in roots {
        for dir in &dirs {
            let path = root.join(dir).join(name);
            if path.exists() {
                return Ok((format!("{dir}/{name}"), resolve_in(root, &path)?));
            }
        }
    }
    Err(format!(
        "{name}: not in {} under {}",
        roots
            .iter()
            .map(|r| r.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        dirs.iter()
            .map(|d| format!("/{d}"))
            .collect::<Vec<_>>()
            .join(" ")
    ))
}

/// `path` with its symbolic links followed inside `root` (an unpacked package's absolute
/// link names a path of the guest, not of the host).
fn resolve_in(root: &Path, path: &Path) -> Result<PathBuf> {
    let mut path = path.to_owned();
    for _ in 0..16 {
        let Ok(target) = fs::read_link(&path) else {
            return Ok(path);
        };
        path = if target.is_absolute() {
            root.join(target.strip_prefix("/").unwrap_or(&target))
        } else {
            path.parent().unwrap_or(root).join(target)
        };
    }
    Err(format!("{}: too many symbolic links", path.display()))
}

/// Fetches sg3_utils for `arch` and collects its programs, their loader and their
/// libraries.
pub fn sg3_utils(arch: Arch, programs: &[&str]) -> Result<Programs> {
    let libraries = debian::package_dependencies(arch, SG3_UTILS, "libsgutils2")?;
    let [library] = libraries.as_slice() else {
        return Err(format!(
            "`apt-cache depends {SG3_UTILS}`: expected one libsgutils2 package, found {libraries:?}"
        ));
    };
    let tools = debian::debian_package(arch, CACHE_KIND, SG3_UTILS)?;
    let lib = debian::debian_package(arch, CACHE_KIND, library)?;
    let mut description = format!("{}, {}", tools.description, lib.description);
    let libc = libc(arch)?;
    if let Some(libc) = &libc {
        description = format!("{description}, {}", libc.description);
    }
    let mut roots = vec![lib.root.as_path(), tools.root.as_path()];
    roots.push(libc_root(&libc));
    let programs = programs
        .iter()
        .map(|program| {
            let guest_path = format!("usr/bin/{program}");
            let path = tools.root.join(&guest_path);
            (guest_path, path)
        })
        .collect();
    let files = with_libraries(programs, &roots, arch, BTreeSet::new())?;
    Ok(Programs { description, files })
}

/// The C library's package: none for the host's architecture (the host's own is used),
/// Debian's `libc6` for another.
fn libc(arch: Arch) -> Result<Option<Unpacked>> {
    if arch == AMD64 {
        Ok(None)
    } else {
        debian::debian_package(arch, CACHE_KIND, "libc6").map(Some)
    }
}

/// Where the C library and the loader are: `libc6`'s tree, or the host's `/`.
fn libc_root(libc: &Option<Unpacked>) -> &Path {
    libc.as_ref().map_or(Path::new("/"), |l| l.root.as_path())
}

/// Programs of Debian packages for `arch`: for each (package, paths of its programs
/// inside it, as `bin/bash`), those programs at the same paths in the guest, with their
/// loader and libraries, looked for in the packages `libraries` first (then in the C
/// library's), except those whose file name is already among `have` (the initramfs'
/// other files: sg3_utils' loader and C library are shared).
pub fn debian_programs(
    arch: Arch,
    packages: &[(&str, &[&str])],
    libraries: &[&str],
    have: &[(String, PathBuf)],
) -> Result<Programs> {
    let mut unpacked = Vec::new();
    for package in packages
        .iter()
        .map(|p| p.0)
        .chain(libraries.iter().copied())
    {
        unpacked.push(debian::debian_package(arch, OTHER_KIND, package)?);
    }
    let libc = libc(arch)?;
    let description = unpacked
        .iter()
        .chain(&libc)
        .map(|u| u.description.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut programs = Vec::new();
    for ((_, paths), package) in packages.iter().zip(&unpacked) {
        for path in *paths {
            let path = path.trim_start_matches('/');
            programs.push((path.to_owned(), package.root.join(path)));
        }
    }
    // Libraries from the library packages, then from the programs' own, then libc's.
    let mut roots: Vec<&Path> = unpacked[packages.len()..]
        .iter()
        .chain(&unpacked[..packages.len()])
        .map(|u| u.root.as_path())
        .collect();
    roots.push(libc_root(&libc));
    let seen = have.iter().map(|(guest, _)| file_name(guest)).collect();
    let files = with_libraries(programs, &roots, arch, seen)?;
    Ok(Programs { description, files })
}

/// The last component of a path.
fn file_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_owned()
}

/// `programs` (guest path, file) and, for each that is an ELF file, its loader and every
/// library it needs, recursively, from `roots` (the last one the C library's), except the
/// file names in `seen`. A script (`#!`) needs nothing.
fn with_libraries(
    programs: Vec<(String, PathBuf)>,
    roots: &[&Path],
    arch: Arch,
    mut seen: BTreeSet<String>,
) -> Result<Vec<(String, PathBuf)>> {
    let mut queue: Vec<PathBuf> = programs.iter().map(|(_, path)| path.clone()).collect();
    let mut files = programs;
    while let Some(path) = queue.pop() {
        let image = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if image.starts_with(b"#!") {
            continue;
        }
        let elf = Elf::parse(&image).map_err(|e| format!("{}: {e}", path.display()))?;
        // By file name: libc needs `ld-linux-x86-64.so.2`, which is the loader itself.
        if let Some(interp) = elf.interpreter {
            if seen.insert(file_name(&interp)) {
                let guest_path = interp.trim_start_matches('/').to_owned();
                let root = roots.last().expect("the C library's root is last");
                let file = resolve_in(root, &root.join(&guest_path))?;
                files.push((guest_path, file));
            }
        }
        for name in elf.needed {
            if seen.insert(file_name(&name)) {
                let (guest_path, host_path) =
                    find_library(&name, roots, arch.multiarch, &elf.runpath)?;
                queue.push(host_path.clone());
                files.push((guest_path, host_path));
            }
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libraries_are_found_in_packages_before_the_host() {
        let dir = std::env::temp_dir().join(format!("sgmap-xtask-lib-{}", std::process::id()));
        let lib = dir.join("usr/lib/x86_64-linux-gnu");
        fs::create_dir_all(&lib).unwrap();
        fs::write(lib.join("libc.so.6"), b"").unwrap();
        let found = find_library("libc.so.6", &[&dir], "x86_64-linux-gnu", &[]);
        let _ = fs::remove_dir_all(&dir);
        assert_eq!(
            found.unwrap(),
            (
                "usr/lib/x86_64-linux-gnu/libc.so.6".to_owned(),
                lib.join("libc.so.6")
            )
        );
        assert!(find_library("libnot-there-at-all.so.9", &[], "x86_64-linux-gnu", &[]).is_err());
    }

    #[test]
    fn runpath_directories_are_searched_first() {
        let dir = std::env::temp_dir().join(format!("sgmap-xtask-runpath-{}", std::process::id()));
        let ceph = dir.join("usr/lib/x86_64-linux-gnu/ceph");
        fs::create_dir_all(&ceph).unwrap();
        fs::write(ceph.join("libceph-common.so.2"), b"").unwrap();
        let runpath = ["/usr/lib/x86_64-linux-gnu/ceph/".to_owned()];
        let found = find_library("libceph-common.so.2", &[&dir], "x86_64-linux-gnu", &runpath);
        let without = find_library("libceph-common.so.2", &[&dir], "x86_64-linux-gnu", &[]);
        let _ = fs::remove_dir_all(&dir);
        assert_eq!(
            found.unwrap(),
            (
                "usr/lib/x86_64-linux-gnu/ceph/libceph-common.so.2".to_owned(),
                ceph.join("libceph-common.so.2")
            )
        );
        assert!(without.is_err());
    }

    #[test]
    fn a_script_is_taken_as_it_is_without_libraries() {
        let dir = std::env::temp_dir().join(format!("sgmap-xtask-script-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let script = dir.join("rescan-scsi-bus.sh");
        fs::write(&script, b"#!/bin/bash\necho hi\n").unwrap();
        let programs = vec![("usr/bin/rescan-scsi-bus.sh".to_owned(), script.clone())];
        let files = with_libraries(programs.clone(), &[&dir], AMD64, BTreeSet::new());
        let _ = fs::remove_dir_all(&dir);
        assert_eq!(files.unwrap(), programs);
    }
}
