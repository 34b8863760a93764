//! `armv7-unknown-linux-musleabihf` (32-bit ARM, hard float, static musl): a target for
//! which rustup has no prebuilt standard library on this toolchain's channel (`rustup target
//! add` answers 404). Everything built for it compiles std from the `rust-src` component
//! (`-Zbuild-std`, enabled with `RUSTC_BOOTSTRAP=1` as `dist.rs` does for its small
//! flavour), and links with the bundled `rust-lld` against what the prebuilt std would have
//! carried in its `self-contained/` directory, taken from Debian's armhf packages instead:
//!
//! - `musl-dev` (armhf): `libc.a` and the start files `crt1.o`, `crti.o`, `crtn.o` (also
//!   `Scrt1.o`, `rcrt1.o`);
//! - `libgcc-N-dev` (armhf; N is the `gcc-N` that Debian's `gcc` depends on): `crtbegin.o`
//!   (its `crtbeginT.o`, the static-executable one), `crtend.o` and their `S` variants,
//!   and `libgcc_eh.a` as `libunwind.a`: the ARM EHABI unwinder that std's `unwind` crate
//!   links under that name (the test binaries unwind; the shipped `sgmap` aborts).
//!
//! Both are fetched with `apt-get download` for armhf (package lists of their own in the
//! cache), SHA-256 checked and unpacked by [`debian::debian_package`], never installed; the
//! link kit is those files in one directory of the cache (`toolchain-armhf/link-…`),
//! given to rustc as `-Lnative=`: rustc looks for the start files of a self-contained musl
//! link there when its sysroot has none.
//!
//! Debian 12's musl is 1.2.3; Rust's std for this target expects 1.2.5, whose extra
//! symbols std does not use here (the guest tests prove the binaries).

use std::fs;
use std::path::{Path, PathBuf};

use crate::debian;
use crate::targets::{has_prebuilt_std, ARMHF, ARMV7};
use crate::Result;

/// The cache directory of the packages (`toolchain-armhf/`).
const CACHE_KIND: &str = "toolchain";

/// The files of the link kit: (name in the kit, which package, path in the package).
const KIT: &[(&str, Package, &str)] = &[
    ("libc.a", Package::Musl, "libc.a"),
    ("crt1.o", Package::Musl, "crt1.o"),
    ("Scrt1.o", Package::Musl, "Scrt1.o"),
    ("rcrt1.o", Package::Musl, "rcrt1.o"),
    ("crti.o", Package::Musl, "crti.o"),
    ("crtn.o", Package::Musl, "crtn.o"),
    ("crtbegin.o", Package::Gcc, "crtbeginT.o"),
    ("crtend.o", Package::Gcc, "crtend.o"),
    ("crtbeginS.o", Package::Gcc, "crtbeginS.o"),
    ("crtendS.o", Package::Gcc, "crtendS.o"),
    ("libunwind.a", Package::Gcc, "libgcc_eh.a"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Package {
    /// `musl-dev`: `usr/lib/arm-linux-musleabihf/`.
    Musl,
    /// `libgcc-N-dev`: `usr/lib/gcc/arm-linux-gnueabihf/N/`.
    Gcc,
}

/// The rustc flags that a build for `target` needs beyond the usual ones: for
/// [`ARMV7`], `-Lnative=<link kit>` (fetched and assembled when missing); none for the
/// others.
pub fn rustc_flags(target: &str) -> Result<Vec<String>> {
    if has_prebuilt_std(target) {
        return Ok(Vec::new());
    }
    let kit = link_kit()?;
    Ok(vec![format!("-Lnative={}", kit.display())])
}

/// The libgcc development package of Debian's default gcc for armhf (`libgcc-12-dev`).
fn libgcc_package() -> Result<String> {
    let gccs = debian::package_dependencies(ARMHF, "gcc", "gcc-")?;
    let [gcc] = gccs.as_slice() else {
        return Err(format!(
            "`apt-cache depends gcc` (armhf): expected one gcc-N, found {gccs:?}"
        ));
    };
    let libs: Vec<String> = debian::package_dependencies(ARMHF, gcc, "libgcc-")?
        .into_iter()
        .filter(|p| p.ends_with("-dev"))
        .collect();
    match libs.as_slice() {
        [lib] => Ok(lib.clone()),
        _ => Err(format!(
            "`apt-cache depends {gcc}` (armhf): expected one libgcc-*-dev, found {libs:?}"
        )),
    }
}

/// The one directory under `dir` (`usr/lib/gcc/arm-linux-gnueabihf/<N>`).
fn only_subdir(dir: &Path) -> Result<PathBuf> {
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let dirs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    match dirs.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(format!(
            "{}: expected one gcc version directory, found {dirs:?}",
            dir.display()
        )),
    }
}

/// The link kit's directory, from the cache or assembled from the two packages.
pub fn link_kit() -> Result<PathBuf> {
    let musl = debian::debian_package(ARMHF, CACHE_KIND, "musl-dev")?;
    let gcc = debian::debian_package(ARMHF, CACHE_KIND, &libgcc_package()?)?;
    let musl_dir = musl.root.join("usr/lib/arm-linux-musleabihf");
    let gcc_dir = only_subdir(&gcc.root.join("usr/lib/gcc/arm-linux-gnueabihf"))?;
    // Named after both packages' versions: a new one of either is a new kit.
    let name = format!("link-{}-{}", musl.description, gcc.description).replace([' ', ':'], "_");
    let parent = debian::cache_root().join(format!("{CACHE_KIND}-{}", ARMHF.debian));
    let kit = parent.join(name);
    let marker = kit.join("sgmap-complete");
    if marker.is_file() {
        return Ok(kit);
    }
    // Assembled in a private directory, then renamed: a concurrent run never sees half.
    let staging = parent.join(format!(".staging-kit-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging).map_err(|e| format!("mkdir {}: {e}", staging.display()))?;
    let assembled = (|| -> Result<()> {
        for (name, package, file) in KIT {
            let from = match package {
                Package::Musl => musl_dir.join(file),
                Package::Gcc => gcc_dir.join(file),
            };
            fs::copy(&from, staging.join(name))
                .map_err(|e| format!("{}: {e} (the armv7 link kit)", from.display()))?;
        }
        let record = format!("{}\n{}\n", musl.description, gcc.description);
        fs::write(staging.join("sgmap-complete"), record)
            .map_err(|e| format!("write the marker in {}: {e}", staging.display()))
    })();
    if let Err(e) = assembled {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    if kit.exists() {
        // A leftover without the marker.
        fs::remove_dir_all(&kit).map_err(|e| format!("rm -r {}: {e}", kit.display()))?;
    }
    if let Err(e) = fs::rename(&staging, &kit) {
        let _ = fs::remove_dir_all(&staging);
        if !marker.is_file() {
            return Err(format!(
                "rename {} to {}: {e}",
                staging.display(),
                kit.display()
            ));
        }
    }
    eprintln!(
        "{ARMV7}: link kit from {} and {} in {}",
        musl.description,
        gcc.description,
        kit.display()
    );
    Ok(kit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_armv7_needs_the_link_kit() {
        assert_eq!(rustc_flags("x86_64-unknown-linux-musl"), Ok(Vec::new()));
        assert_eq!(rustc_flags("aarch64-unknown-linux-musl"), Ok(Vec::new()));
    }

    #[test]
    fn link_kit_has_every_start_file_of_the_target_spec() {
        // rustc's armv7-unknown-linux-musleabihf: static-nopic-exe takes crt1.o crti.o
        // crtbegin.o … crtend.o crtn.o; std's unwind crate links libunwind.a; libc's libc.a.
        for name in [
            "crt1.o",
            "crti.o",
            "crtbegin.o",
            "crtend.o",
            "crtn.o",
            "libunwind.a",
            "libc.a",
        ] {
            assert!(KIT.iter().any(|(n, _, _)| *n == name), "{name}");
        }
    }
}
