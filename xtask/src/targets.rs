//! The target table: the Rust targets the project builds for and the guests it boots, each
//! with what a build or a boot needs to know of it.
//!
//! - the triples of the static `sgmap` ([`X86_64`], [`AARCH64`], [`ARMV7`]) and of what runs
//!   in the amd64 guest ([`GUEST_TARGET`]);
//! - [`Arch`]: a guest architecture ([`AMD64`], [`ARM64`], [`ARMHF`]): its Debian name,
//!   kernel and modules, its QEMU, its Rust target;
//! - per target: its linker ([`linker_env`]), its ELF machine ([`expected_machine`]), whether
//!   rustup ships its std ([`has_prebuilt_std`]), the rustc flags of the shipped binary
//!   ([`small_rustflags`]); and the binary's size budget ([`BUDGET`]).
//!
//! It imports no other module but `elf.rs` (the machine numbers): the Debian fetcher
//! (`debian.rs`), the armv7 link kit (`armv7.rs`), the release build (`dist.rs`) and the
//! guest rig (`guest.rs`) all read it, none of them through another.

use crate::elf;

pub const X86_64: &str = "x86_64-unknown-linux-musl";
pub const AARCH64: &str = "aarch64-unknown-linux-musl";
/// 32-bit x86: the kernel's compat path is the i686 guest phase's; the binary is held to
/// the budget too.
pub const I686: &str = "i686-unknown-linux-musl";
/// 32-bit ARM, hard float: std built from source, linked with Debian's musl (`armv7.rs`).
pub const ARMV7: &str = "armv7-unknown-linux-musleabihf";

/// The target of everything that runs in the amd64 guest: static binaries.
pub const GUEST_TARGET: &str = AMD64.target;

/// The size budget of the binary, on every target: what an initramfs should pay for sgmap.
pub const BUDGET: u64 = 512 * 1024;

/// A guest architecture: its Debian kernel, its QEMU and the Rust target of its binaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arch {
    /// Debian's name (`dpkg --print-architecture`): `amd64`, `arm64`, `armhf`.
    pub debian: &'static str,
    /// The Rust target of the init and the test binaries (static, musl).
    pub target: &'static str,
    pub qemu: &'static str,
    pub qemu_package: &'static str,
    /// QEMU's machine and CPU under TCG.
    pub machine: &'static [&'static str],
    /// The serial console's device (`console=`).
    pub console: &'static str,
    /// The meta package whose `linux-image-*` dependency is the kernel.
    pub kernel_meta: &'static str,
    /// The modules the guest loads, as roots: `guest::resolve_modules` adds their dependencies;
    /// a root that this kernel has built in (`modules.builtin`) is left out.
    pub modules: &'static [&'static str],
    /// Debian's multiarch directory (`lib/<multiarch>`) of its shared libraries.
    pub multiarch: &'static str,
}

/// The PC guest: every phase of `cargo xtask test`, the demo and the bench.
///
/// `crc-t10dif` and `crc64-rocksoft` ask the crypto API for an implementation when they
/// load (their `softdep`s); the generic ones come first so that the kernel does not call a
/// `modprobe` that the initramfs does not have. `target_core_user` and `tcm_loop` (with
/// `target_core_mod`, `configfs` and `uio`) are LIO's userspace backstore and loopback
/// fabric: the scripted SCSI target of `sgmap_tests::tcmu`.
pub const AMD64: Arch = Arch {
    debian: "amd64",
    target: X86_64,
    qemu: "qemu-system-x86_64",
    qemu_package: "qemu-system-x86",
    machine: &["-cpu", "max"],
    console: "ttyS0",
    kernel_meta: "linux-image-amd64",
    modules: &[
        "crct10dif_generic",
        "crc64_rocksoft_generic",
        "sg",
        "sd_mod",
        "virtio_pci",
        "virtio_scsi",
        "scsi_debug",
        "target_core_user",
        "tcm_loop",
    ],
    multiarch: "x86_64-linux-gnu",
};

/// The 64-bit ARM guest (`virt` machine) of `cargo xtask test`'s `aarch64-qemu-disk` phase.
/// Debian's arm64 kernel has no `scsi_debug`: the guest has QEMU's disk, and the TCMU
/// target (`target_core_user`, `tcm_loop`), which it does build.
/// `pauth-impdef`: QEMU's own pointer-authentication algorithm, much cheaper under TCG
/// than the architected QARMA.
pub const ARM64: Arch = Arch {
    debian: "arm64",
    target: AARCH64,
    qemu: "qemu-system-aarch64",
    qemu_package: "qemu-system-arm",
    machine: &["-M", "virt", "-cpu", "max,pauth-impdef=on"],
    console: "ttyAMA0",
    kernel_meta: "linux-image-arm64",
    modules: &[
        "crct10dif_generic",
        "crc64_rocksoft_generic",
        "sg",
        "sd_mod",
        "virtio_pci",
        "virtio_scsi",
        "target_core_user",
        "tcm_loop",
    ],
    multiarch: "aarch64-linux-gnu",
};

/// The 32-bit ARM guest (`virt` machine, hard float) of `cargo xtask test`'s
/// `armhf-qemu-disk` phase: Debian's `armmp-lpae` kernel (Cortex-A15 and later, the one
/// that addresses all of the guest's 2 GiB), QEMU's disk only (no `scsi_debug` in
/// Debian's ARM kernels). Its binaries are built for `armv7-unknown-linux-musleabihf`,
/// which has no prebuilt std: see `armv7.rs`.
pub const ARMHF: Arch = Arch {
    debian: "armhf",
    target: ARMV7,
    qemu: "qemu-system-arm",
    qemu_package: "qemu-system-arm",
    machine: &["-M", "virt", "-cpu", "cortex-a15"],
    console: "ttyAMA0",
    kernel_meta: "linux-image-armmp-lpae",
    modules: &[
        "crct10dif_generic",
        "crc64_rocksoft_generic",
        "sg",
        "sd_mod",
        "virtio_pci",
        "virtio_scsi",
    ],
    multiarch: "arm-linux-gnueabihf",
};

/// The environment that selects a target's linker: musl on aarch64 has no C cross
/// toolchain here, and the bundled `rust-lld` links it (static, with Rust's self-contained
/// musl start files). A value the user set wins.
pub fn linker_env(target: &str) -> Option<(&'static str, &'static str)> {
    match target {
        AARCH64 => Some(("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER", "rust-lld")),
        ARMV7 => Some((
            "CARGO_TARGET_ARMV7_UNKNOWN_LINUX_MUSLEABIHF_LINKER",
            "rust-lld",
        )),
        _ => None,
    }
}

/// The ELF machine (`e_machine`) of `target`'s binaries, from its architecture.
pub fn expected_machine(target: &str) -> Option<u16> {
    match target.split('-').next() {
        Some("x86_64") => Some(elf::EM_X86_64),
        Some("aarch64") => Some(elf::EM_AARCH64),
        Some("armv7") => Some(elf::EM_ARM),
        Some("i686" | "i586") => Some(elf::EM_386),
        _ => None,
    }
}

/// Whether rustup ships a std for `target` (all the project's targets but [`ARMV7`]).
pub fn has_prebuilt_std(target: &str) -> bool {
    target != ARMV7
}

/// What the shipped armv7 binary adds to [`small_rustflags`] (508,588 bytes of A32 code
/// before them, 395,796 after: 22 % less, measured 2026-12-08 on the same tree):
///
/// - Thumb-2 (`+thumb-mode`): the same target and hardware baseline (ARMv7, VFPv3-D16, no
///   NEON), 2- and 4-byte instructions instead of 4: `.text` 387,840 → 270,948 bytes.
///   std and compiler_builtins are built from source with it too, so all of the Rust code
///   is Thumb; Debian's armhf `libc.a` and start files already are (its gcc builds Thumb-2),
///   so nothing is interworked but what the A32 binary already did (rust-lld's `blx`).
///   rustc calls the feature unstable and warns once per crate; `RUSTC_BOOTSTRAP` is set
///   for `-Zbuild-std` anyway. `thumbv7neon-unknown-linux-musleabihf` (no prebuilt std
///   either, and `+crt-static` needed) made 776 bytes more code and requires NEON.
/// - 4 KiB pages (`-z max-page-size=4096`; 32-bit ARM Linux has no other page size):
///   rust-lld put one whole max page of zeros in the file between the Thumb binary's code
///   and its writable segment (`.text` ended 4 bytes short of the 8-byte alignment of the
///   `.tbss` after it), 64 KiB at ARM's default: 457,236 bytes with Thumb alone, 60 KiB
///   more than with this flag. The A32 code happened to end aligned.
///
/// The machine outliner still pays in Thumb (7 KiB of `.text`).
fn armv7_small_rustflags() -> [&'static str; 2] {
    [
        "-Ctarget-feature=+thumb-mode",
        "-Clink-arg=-zmax-page-size=4096",
    ]
}

/// The rustc flags of the shipped binary (`dist.rs`' small flavour, std rebuilt with it) for
/// `target`.
pub fn small_rustflags(target: &str) -> Vec<String> {
    let mut flags: Vec<String> = [
        "-Zunstable-options",
        "-Cpanic=immediate-abort",
        "-Cforce-unwind-tables=no",
        // Not position-independent: a static-pie carries its own relocations
        // (`.rela.dyn`, 21 KiB of the x86_64 binary, and the GOT's indirections:
        // 29 KiB in all). The executable then loads at a fixed address.
        "-Crelocation-model=static",
        // Inline only what costs nothing to inline: opt-level z still inlines small
        // functions at each of their call sites (8 KiB on x86_64). The per-transfer
        // path is a few calls either way, each far cheaper than its system call.
        "-Cllvm-args=-inline-threshold=0",
        // Repeated instruction sequences become one function each (8 KiB).
        "-Cllvm-args=-enable-machine-outliner",
        // MIR's own optimisations at their lightest: LLVM's then make less code of it
        // (1.4 KiB).
        "-Zmir-opt-level=1",
    ]
    .map(str::to_owned)
    .to_vec();
    if target == ARMV7 {
        flags.extend(armv7_small_rustflags().map(str::to_owned));
    }
    // Linked by rust-lld, which folds identical functions whose addresses nothing
    // compares (`--icf=safe`, from the compiler's address-significance tables) and puts
    // code and read-only data in one segment, with no page of padding between them.
    // x86_64 (linked through the C compiler, which would run GNU ld: 3 KiB more) takes
    // it through the compiler; aarch64 and armv7 link with rust-lld itself.
    if linker_env(target).is_none() {
        flags.extend(
            [
                "-Clink-self-contained=+linker",
                "-Clinker-flavor=gnu-lld-cc",
                "-Clink-arg=-Wl,--icf=safe",
            ]
            .map(str::to_owned),
        );
    } else {
        flags.push("-Clink-arg=--icf=safe".to_owned());
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_map_to_machines_and_linkers() {
        assert_eq!(expected_machine(X86_64), Some(elf::EM_X86_64));
        assert_eq!(expected_machine(AARCH64), Some(elf::EM_AARCH64));
        assert_eq!(
            expected_machine("i686-unknown-linux-musl"),
            Some(elf::EM_386)
        );
        assert_eq!(linker_env(X86_64), None);
        assert_eq!(
            linker_env(AARCH64),
            Some(("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER", "rust-lld"))
        );
        assert_eq!(expected_machine(ARMV7), Some(elf::EM_ARM));
        assert_eq!(
            linker_env(ARMV7),
            Some((
                "CARGO_TARGET_ARMV7_UNKNOWN_LINUX_MUSLEABIHF_LINKER",
                "rust-lld"
            ))
        );
    }

    #[test]
    fn only_armv7_builds_std_from_source() {
        assert!(!has_prebuilt_std(ARMV7));
        assert!(has_prebuilt_std(X86_64));
        assert!(has_prebuilt_std(AARCH64));
    }

    #[test]
    fn x86_64_links_through_the_compiler_the_others_with_rust_lld() {
        let x86_64 = small_rustflags(X86_64);
        assert!(x86_64.contains(&"-Clinker-flavor=gnu-lld-cc".to_owned()));
        assert!(x86_64.contains(&"-Clink-arg=-Wl,--icf=safe".to_owned()));
        for target in [AARCH64, ARMV7] {
            let flags = small_rustflags(target);
            assert_eq!(
                flags.last().map(String::as_str),
                Some("-Clink-arg=--icf=safe")
            );
            assert!(!flags.iter().any(|f| f.contains("linker-flavor")));
        }
        // Every target's shipped binary aborts at once on a panic.
        assert!(x86_64.contains(&"-Cpanic=immediate-abort".to_owned()));
    }

    #[test]
    fn armv7_ships_thumb_code_on_4_kib_pages_and_no_other_target_does() {
        let armv7 = small_rustflags(ARMV7);
        for flag in [
            "-Ctarget-feature=+thumb-mode",
            "-Clink-arg=-zmax-page-size=4096",
        ] {
            assert!(armv7.iter().any(|f| f == flag), "{flag} in {armv7:?}");
        }
        for target in [X86_64, I686, AARCH64] {
            let flags = small_rustflags(target);
            assert!(
                !flags
                    .iter()
                    .any(|f| f.contains("thumb") || f.contains("max-page-size")),
                "{target}: {flags:?}"
            );
        }
    }

    #[test]
    fn guests_run_binaries_of_the_project_targets() {
        assert_eq!(GUEST_TARGET, X86_64);
        assert_eq!(ARM64.target, AARCH64);
        assert_eq!(ARMHF.target, ARMV7);
    }
}
