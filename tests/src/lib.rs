//! Tests that need the real sg driver, and the helpers they share.
//!
//! Nothing here runs on the host. `cargo xtask test` builds the `[[test]]` targets of this
//! package (feature `guest`) for `x86_64-unknown-linux-musl`, packs them into an initramfs
//! with the `guest-init` binary, and boots a stock Debian kernel under QEMU. The init runs
//! every test binary once per *phase*, each phase with its own SCSI device:
//!
//! | phase | device |
//! |---|---|
//! | `sdebug-512` | scsi_debug, 512-byte sectors, fixed-format sense, two hosts with separate stores |
//! | `sdebug-4096` | scsi_debug, 4096-byte sectors, descriptor-format sense, two hosts |
//! | `qemu-disk` | QEMU's `scsi-hd` behind virtio-scsi; tests named `scsi_debug_*` are skipped |
//! | `i686-sdebug-512` | as `sdebug-512`, for the library's tests built for `i686-unknown-linux-musl` (the kernel's 32-bit compat path) |
//!
//! The devices reach the tests through the environment, read by [`Devices::from_env`]:
//!
//! | variable | meaning |
//! |---|---|
//! | `SGMAP_PHASE` | the phase name above |
//! | `SGMAP_SG` | the sg node under test, e.g. `/dev/sg0` |
//! | `SGMAP_BLOCK` | the same device's block node, e.g. `/dev/sda` |
//! | `SGMAP_SG2`, `SGMAP_BLOCK2` | a second, independent device (scsi_debug phases only) |
//! | `SGMAP_SCSI_DEBUG` | `1` when the devices are scsi_debug |
//! | `SGMAP_SECTOR_SIZE` | logical block size in bytes |
//! | `SGMAP_SENSE_FORMAT` | `fixed` or `descriptor` |
//! | `SGMAP_SDEBUG_SYSFS` | scsi_debug's parameter directory (scsi_debug phases only) |
//!
//! Tests panic with a message rather than return `Result`, and never look for devices
//! themselves: a test that cannot find its device fails. The exception is [`tcmu`]: a
//! SCSI disk a test makes for itself through the kernel's target stack, whose answers it
//! scripts (FORMAT UNIT and SANITIZE with their progress, which no phase's device has).

pub mod harness;
pub mod scsi;
pub mod signal;
pub mod tcmu;

use std::env;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// The sense data format a device answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenseFormat {
    /// Fixed format (response codes 0x70/0x71), SPC-5 §4.4.3.
    Fixed,
    /// Descriptor format (response codes 0x72/0x73), SPC-5 §4.4.2.
    Descriptor,
}

/// The devices of the current phase, from the `SGMAP_*` environment.
#[derive(Debug, Clone)]
pub struct Devices {
    /// `SGMAP_PHASE`.
    pub phase: String,
    /// `SGMAP_SG`: the sg node under test.
    pub sg: PathBuf,
    /// `SGMAP_BLOCK`: the block node of the same device.
    pub block: PathBuf,
    /// `SGMAP_SG2`: a second, independent sg device, when the phase has one.
    pub sg2: Option<PathBuf>,
    /// `SGMAP_BLOCK2`: the second device's block node.
    pub block2: Option<PathBuf>,
    /// `SGMAP_SECTOR_SIZE`: logical block size in bytes.
    pub sector_size: u32,
    /// `SGMAP_SENSE_FORMAT`.
    pub sense_format: SenseFormat,
    /// `SGMAP_SCSI_DEBUG=1` and `SGMAP_SDEBUG_SYSFS`: the scsi_debug controls, when the
    /// devices are scsi_debug.
    pub scsi_debug: Option<ScsiDebug>,
}

impl Devices {
    /// Reads the devices of the current phase from the environment.
    ///
    /// # Panics
    ///
    /// When `SGMAP_SG` or another required variable is missing or malformed: these tests
    /// only run inside the guest that `cargo xtask test` boots.
    pub fn from_env() -> Devices {
        let sg = match env::var_os("SGMAP_SG") {
            Some(sg) => PathBuf::from(sg),
            None => panic!(
                "SGMAP_SG is not set: guest tests run only inside the guest booted by \
                 `cargo xtask test` (is this test file missing its [[test]] entry with \
                 required-features = [\"guest\"] in tests/Cargo.toml?)"
            ),
        };
        let scsi_debug = if var_opt("SGMAP_SCSI_DEBUG").as_deref() == Some("1") {
            Some(ScsiDebug::new(var("SGMAP_SDEBUG_SYSFS")))
        } else {
            None
        };
        let sense_format = match var("SGMAP_SENSE_FORMAT").as_str() {
            "fixed" => SenseFormat::Fixed,
            "descriptor" => SenseFormat::Descriptor,
            other => panic!("SGMAP_SENSE_FORMAT={other:?}: expected fixed or descriptor"),
        };
        let sector_size = var("SGMAP_SECTOR_SIZE");
        let sector_size = sector_size
            .parse()
            .unwrap_or_else(|_| panic!("SGMAP_SECTOR_SIZE={sector_size:?}: not a number"));
        Devices {
            phase: var("SGMAP_PHASE"),
            sg,
            block: PathBuf::from(var("SGMAP_BLOCK")),
            sg2: var_opt("SGMAP_SG2").map(PathBuf::from),
            block2: var_opt("SGMAP_BLOCK2").map(PathBuf::from),
            sector_size,
            sense_format,
            scsi_debug,
        }
    }

    /// The scsi_debug controls.
    ///
    /// # Panics
    ///
    /// When the phase's device is not scsi_debug. Name tests that call this `scsi_debug_*`
    /// so the phases without scsi_debug skip them.
    pub fn scsi_debug(&self) -> &ScsiDebug {
        match &self.scsi_debug {
            Some(sdebug) => sdebug,
            None => panic!(
                "phase {}: {} is not scsi_debug (a test that needs scsi_debug must be named \
                 scsi_debug_* so that this phase skips it)",
                self.phase,
                self.sg.display()
            ),
        }
    }

    /// The second device's sg and block nodes.
    ///
    /// # Panics
    ///
    /// When the phase has a single device.
    pub fn second(&self) -> (&Path, &Path) {
        match (&self.sg2, &self.block2) {
            (Some(sg2), Some(block2)) => (sg2, block2),
            _ => panic!(
                "phase {}: no second device (SGMAP_SG2/SGMAP_BLOCK2)",
                self.phase
            ),
        }
    }
}

fn var(name: &str) -> String {
    var_opt(name).unwrap_or_else(|| panic!("{name} is not set by the guest init"))
}

fn var_opt(name: &str) -> Option<String> {
    match env::var(name) {
        Ok(value) if !value.is_empty() => Some(value),
        Ok(_) | Err(env::VarError::NotPresent) => None,
        Err(env::VarError::NotUnicode(value)) => panic!("{name}={value:?}: not UTF-8"),
    }
}

/// scsi_debug's run-time parameters under `/sys/bus/pseudo/drivers/scsi_debug/`.
///
/// Fault injection (`opts`, `every_nth`) is global to the driver: take it through
/// [`ScsiDebug::inject`], whose guard resets both when the test ends, even by a panic.
#[derive(Clone, PartialEq, Eq)]
pub struct ScsiDebug {
    dir: PathBuf,
}

impl fmt::Debug for ScsiDebug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ScsiDebug").field(&self.dir).finish()
    }
}

impl ScsiDebug {
    /// The parameter directory `dir`, normally `/sys/bus/pseudo/drivers/scsi_debug`.
    pub fn new(dir: impl Into<PathBuf>) -> ScsiDebug {
        ScsiDebug { dir: dir.into() }
    }

    /// The parameter directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Reads parameter `name`, trimmed.
    ///
    /// # Panics
    ///
    /// When the file cannot be read.
    pub fn param(&self, name: &str) -> String {
        let path = self.dir.join(name);
        match fs::read_to_string(&path) {
            Ok(value) => value.trim().to_owned(),
            Err(e) => panic!("read {}: {e}", path.display()),
        }
    }

    /// Reads integer parameter `name` (decimal, or hexadecimal with `0x`, as `opts` shows).
    ///
    /// # Panics
    ///
    /// When the file cannot be read or does not hold an integer.
    pub fn param_int(&self, name: &str) -> i64 {
        let value = self.param(name);
        parse_sysfs_int(&value)
            .unwrap_or_else(|| panic!("scsi_debug {name} = {value:?}: not an integer"))
    }

    /// Writes `value` to parameter `name`.
    ///
    /// # Panics
    ///
    /// When the kernel refuses the write.
    pub fn set_param(&self, name: &str, value: impl fmt::Display) {
        let path = self.dir.join(name);
        let value = value.to_string();
        if let Err(e) = fs::write(&path, &value) {
            panic!("write {value:?} to {}: {e}", path.display());
        }
    }

    /// Sets `opts` (fault injection bits) and `every_nth`, and returns a guard that sets
    /// both back to 0 when dropped.
    ///
    /// `every_nth` needs scsi_debug loaded with `statistics=1`, which the guest init does.
    #[must_use = "dropping the guard resets the injection at once"]
    pub fn inject(&self, opts: u32, every_nth: i32) -> FaultInjection<'_> {
        self.set_param("every_nth", every_nth);
        self.set_param("opts", format_args!("{opts:#x}"));
        FaultInjection { sdebug: self }
    }

    /// Sets `opts` and `every_nth` back to 0: no fault injection.
    pub fn reset(&self) {
        self.set_param("opts", 0);
        self.set_param("every_nth", 0);
    }
}

/// Fault injection in force until dropped; see [`ScsiDebug::inject`].
#[derive(Debug)]
pub struct FaultInjection<'a> {
    sdebug: &'a ScsiDebug,
}

impl Drop for FaultInjection<'_> {
    fn drop(&mut self) {
        // No panic while unwinding from a failed test: that would abort and hide its message.
        for name in ["opts", "every_nth"] {
            let path = self.sdebug.dir.join(name);
            if let Err(e) = fs::write(&path, "0") {
                eprintln!("reset {}: {e}", path.display());
            }
        }
    }
}

/// Parses a sysfs integer: decimal, or hexadecimal with a `0x` prefix, optionally negative.
pub fn parse_sysfs_int(value: &str) -> Option<i64> {
    let value = value.trim();
    let (negative, digits) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let magnitude = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => i64::from_str_radix(hex, 16).ok()?,
        None => digits.parse().ok()?,
    };
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::parse_sysfs_int;

    #[test]
    fn sysfs_ints_parse_in_decimal_and_hex() {
        assert_eq!(parse_sysfs_int("0x0\n"), Some(0));
        assert_eq!(parse_sysfs_int("0x8000"), Some(0x8000));
        assert_eq!(parse_sysfs_int("100"), Some(100));
        assert_eq!(parse_sysfs_int("-3"), Some(-3));
        assert_eq!(parse_sysfs_int(""), None);
        assert_eq!(parse_sysfs_int("0xg"), None);
    }
}

/// The workspace README's examples, compiled as doctests (the crates' own READMEs are
/// theirs: a published crate cannot reach a file outside its folder).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
