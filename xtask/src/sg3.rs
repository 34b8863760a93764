//! sg3_utils for the guests: Debian's `sg3-utils` and `libsgutils2-*` packages (`apt-get
//! download`, SHA-256 checked, `dpkg -x` into the cache, like the kernel), and for each
//! program asked for, its ELF loader and every library it needs (`DT_NEEDED`, read with
//! `elf.rs`), from the packages or from the host's `/lib/x86_64-linux-gnu` (the host is
//! Debian like the packages), at their usual paths in the initramfs. `cargo xtask bench`
//! times its copiers; `cargo xtask test` runs its tools beside sgmap's commands, so that the
//! guest tests compare exit statuses, counts and text with the real thing.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::elf::Elf;
use crate::{guest, Result};

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
const LIBRARY_DIRS: &[&str] = &[
    "lib/x86_64-linux-gnu",
    "usr/lib/x86_64-linux-gnu",
    "lib64",
    "usr/lib64",
    "lib",
    "usr/lib",
];

/// The library `name` in the unpacked packages, else on the host: (guest path, file).
pub(crate) fn find_library(name: &str, roots: &[&Path]) -> Result<(String, PathBuf)> {
    for root in roots.iter().copied().chain([Path::new("/")]) {
        for dir in LIBRARY_DIRS {
            let path = root.join(dir).join(name);
            if path.exists() {
                return Ok((format!("{dir}/{name}"), path));
            }
        }
    }
    Err(format!(
        "{name}: not in the sg3_utils packages nor in the host's {}",
        LIBRARY_DIRS
            .iter()
            .map(|d| format!("/{d}"))
            .collect::<Vec<_>>()
            .join(" ")
    ))
}

/// Fetches sg3_utils and collects its programs, their loader and their libraries.
pub fn sg3_utils(programs: &[&str]) -> Result<Sg3Utils> {
    let libraries = guest::package_dependencies(SG3_UTILS, "libsgutils2")?;
    let [library] = libraries.as_slice() else {
        return Err(format!(
            "`apt-cache depends {SG3_UTILS}`: expected one libsgutils2 package, found {libraries:?}"
        ));
    };
    let tools = guest::debian_package(CACHE_KIND, SG3_UTILS)?;
    let lib = guest::debian_package(CACHE_KIND, library)?;
    let roots = [lib.root.as_path(), tools.root.as_path()];

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
                files.push((
                    interp.trim_start_matches('/').to_owned(),
                    PathBuf::from(&interp),
                ));
            }
        }
        for name in elf.needed {
            if seen.insert(file_name(&name)) {
                let (guest_path, host_path) = find_library(&name, &roots)?;
                queue.push(host_path.clone());
                files.push((guest_path, host_path));
            }
        }
    }
    Ok(Sg3Utils {
        description: format!("{}, {}", tools.description, lib.description),
        files,
    })
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
        let found = find_library("libc.so.6", &[&dir]);
        let _ = fs::remove_dir_all(&dir);
        assert_eq!(
            found.unwrap(),
            (
                "usr/lib/x86_64-linux-gnu/libc.so.6".to_owned(),
                lib.join("libc.so.6")
            )
        );
        assert!(find_library("libnot-there-at-all.so.9", &[]).is_err());
    }
}
