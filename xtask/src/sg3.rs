//! sg3_utils for the guests: Debian's `sg3-utils` and `libsgutils2-*` packages (`apt-get
//! download`, SHA-256 checked, `dpkg -x` into the cache, like the kernel), and for each
//! program asked for, its ELF loader and every library it needs (`DT_NEEDED`, read with
//! `elf.rs`), from the packages or from the host's `/lib/x86_64-linux-gnu` (the host is
//! Debian like the packages), at their usual paths in the initramfs. For another
//! architecture (the arm64 guest) the C library is Debian's `libc6` of that architecture
//! too, and nothing comes from the host. `cargo xtask bench`
//! times its copiers; `cargo xtask test` runs its tools beside sgmap's commands, so that the
//! guest tests compare exit statuses, counts and text with the real thing.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::elf::Elf;
use crate::guest::{self, Arch};
use crate::Result;

const SG3_UTILS: &str = "sg3-utils";
/// The cache directory of the packages (beside `kernel/`).
const CACHE_KIND: &str = "sg3-utils";

/// sg3_utils' programs and everything they need to run in the guest.
#[derive(Debug)]
pub struct Sg3Utils {
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
/// `roots` does not end with `/`: (guest path, file).
pub(crate) fn find_library(
    name: &str,
    roots: &[&Path],
    multiarch: &str,
) -> Result<(String, PathBuf)> {
    let dirs = library_dirs(multiarch);
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
pub fn sg3_utils(arch: Arch, programs: &[&str]) -> Result<Sg3Utils> {
    let libraries = guest::package_dependencies(arch, SG3_UTILS, "libsgutils2")?;
    let [library] = libraries.as_slice() else {
        return Err(format!(
            "`apt-cache depends {SG3_UTILS}`: expected one libsgutils2 package, found {libraries:?}"
        ));
    };
    let tools = guest::debian_package(arch, CACHE_KIND, SG3_UTILS)?;
    let lib = guest::debian_package(arch, CACHE_KIND, library)?;
    let mut description = format!("{}, {}", tools.description, lib.description);
    // The C library: the host's for the host's architecture, Debian's libc6 for another.
    let libc = if arch == guest::AMD64 {
        None
    } else {
        let libc = guest::debian_package(arch, CACHE_KIND, "libc6")?;
        description = format!("{description}, {}", libc.description);
        Some(libc)
    };
    let mut roots = vec![lib.root.as_path(), tools.root.as_path()];
    match &libc {
        Some(libc) => roots.push(libc.root.as_path()),
        None => roots.push(Path::new("/")),
    }

    let mut files = Vec::new();
    let mut queue = Vec::new();
    for program in programs {
        let guest_path = format!("usr/bin/{program}");
        let path = tools.root.join(&guest_path);
        queue.push(path.clone());
        files.push((guest_path, path));
    }
    let mut seen = BTreeSet::new();
    while let Some(path) = queue.pop() {
        let image = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let elf = Elf::parse(&image).map_err(|e| format!("{}: {e}", path.display()))?;
        // By file name: libc needs `ld-linux-x86-64.so.2`, which is the loader itself.
        let file_name = |path: &str| path.rsplit('/').next().unwrap_or(path).to_owned();
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
                let (guest_path, host_path) = find_library(&name, &roots, arch.multiarch)?;
                queue.push(host_path.clone());
                files.push((guest_path, host_path));
            }
        }
    }
    Ok(Sg3Utils { description, files })
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
        let found = find_library("libc.so.6", &[&dir], "x86_64-linux-gnu");
        let _ = fs::remove_dir_all(&dir);
        assert_eq!(
            found.unwrap(),
            (
                "usr/lib/x86_64-linux-gnu/libc.so.6".to_owned(),
                lib.join("libc.so.6")
            )
        );
        assert!(find_library("libnot-there-at-all.so.9", &[], "x86_64-linux-gnu").is_err());
    }
}
