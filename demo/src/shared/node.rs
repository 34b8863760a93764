//! The node a user names, and the sg node its unit is reached through.
//!
//! sg3_utils' tools take an sg node (`/dev/sg1`), a block node (`/dev/sdb`, `/dev/sr0`, the
//! one udev hands to `sg_inq --export $tempnode`) or a bsg node (`/dev/bsg/1:0:0:0`), and
//! send `SG_IO` on whichever it is. sgmap sends every command through the sg driver's
//! `write()`/`read()` and its mapped reserve, which only an sg node has: a block or bsg node
//! is resolved to the sg node of the same SCSI unit through sysfs
//! (`/sys/dev/block/MAJ:MIN/device/scsi_generic/sgN`), and that node is opened. Nothing is
//! sent to any other unit.
//!
//! Failures take the tools' statuses: a path that cannot be reached is 50 + errno (as
//! `sg_convert_errno()` of the failed `open()`: a missing path 52, no permission 63), a file
//! that is no SCSI node at all is 75 (50 + ENOTTY, what the tools' first `SG_IO` gets
//! there), and a SCSI unit without an sg node (the `sg` module not loaded) is 15 with a
//! message that names the fix.

use std::fs;
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use sgmap_core::status::ExitCategory;

use crate::out::{self, Fail};

/// sg's character major (include/uapi/linux/major.h `SCSI_GENERIC_MAJOR`).
pub const SG_MAJOR: u32 = 21;
/// `ENOTTY`: what `ioctl(SG_IO)` says on a file that is no SCSI node.
const ENOTTY: u16 = 25;

/// What a named node is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// An sg node.
    Sg,
    /// A block node (sd, sr) or another character node (bsg): its unit's sysfs directory.
    Unit(PathBuf),
    /// Anything else: a regular file, a directory, a character device of another driver.
    Other,
}

/// The major number of a `dev_t` (glibc and musl `major()`).
pub fn major(rdev: u64) -> u32 {
    (((rdev >> 32) & 0xffff_f000) | ((rdev >> 8) & 0x0000_0fff)) as u32
}

/// The minor number of a `dev_t` (glibc and musl `minor()`).
pub fn minor(rdev: u64) -> u32 {
    ((rdev & 0xff) | ((rdev >> 12) & 0xfff_ff00)) as u32
}

/// Classifies `path` by `stat()`.
pub fn classify(path: &str) -> io::Result<Kind> {
    let meta = fs::metadata(path)?;
    let ft = meta.file_type();
    let (major, minor) = (major(meta.rdev()), minor(meta.rdev()));
    if ft.is_char_device() && major == SG_MAJOR {
        return Ok(Kind::Sg);
    }
    let class = if ft.is_block_device() {
        "block"
    } else if ft.is_char_device() {
        "char"
    } else {
        return Ok(Kind::Other);
    };
    let mut dir = PathBuf::from(format!("/sys/dev/{class}/{major}:{minor}"));
    // A partition's own directory has no `device`: its disk's has.
    if dir.join("partition").exists() {
        dir.push("..");
    }
    if dir.join("device").join("scsi_level").exists()
        || dir.join("device").join("scsi_generic").exists()
    {
        Ok(Kind::Unit(dir.join("device")))
    } else {
        Ok(Kind::Other)
    }
}

/// The sg node in `/dev` of the SCSI unit whose sysfs directory is `unit`, if the sg driver
/// has one for it.
pub fn sg_of_unit(unit: &Path) -> Option<String> {
    let entries = fs::read_dir(unit.join("scsi_generic")).ok()?;
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .find(|n| n.starts_with("sg"))
        .map(|n| format!("/dev/{n}"))
}

/// The sg node of the whole disk `path` (a block node): `None` for a partition (its
/// offsets are not the disk's) or a block device with no sg node. `dd`'s `sgio` flag.
pub fn sg_node_of_disk(path: &str) -> io::Result<Option<String>> {
    let rdev = fs::metadata(path)?.rdev();
    let dir = PathBuf::from(format!("/sys/dev/block/{}:{}", major(rdev), minor(rdev)));
    if dir.join("partition").exists() {
        return Ok(None);
    }
    Ok(sg_of_unit(&dir.join("device")))
}

/// The sg node to open for the node `path` the user named: `path` itself when it is one,
/// else the sg node of its SCSI unit. Reports the failure (naming `path`) otherwise.
pub fn sg_path(path: &str) -> Result<String, Fail> {
    match classify(path) {
        Ok(Kind::Sg) => Ok(path.to_owned()),
        Ok(Kind::Unit(unit)) => match sg_of_unit(&unit) {
            Some(sg) if Path::new(&sg).exists() => Ok(sg),
            Some(sg) => Err(out::fail(
                ExitCategory::FileError,
                path,
                "open",
                format_args!(
                    "its SCSI unit's sg node {sg} is missing from /dev (devtmpfs not mounted?)"
                ),
            )),
            None => Err(out::fail(
                ExitCategory::FileError,
                path,
                "open",
                format_args!(
                    "its SCSI unit has no sg node: the sg driver is not loaded (modprobe sg)"
                ),
            )),
        },
        Ok(Kind::Other) => Err(out::fail(
            ExitCategory::OsError(ENOTTY),
            path,
            "open",
            format_args!("not an sg node, nor the block or bsg node of a SCSI unit"),
        )),
        Err(e) => Err(out::fail(
            os_category(&e),
            path,
            "open",
            format_args!("{}", out::IoWhy(&e)),
        )),
    }
}

/// 50 + errno, as `sg_convert_errno()`.
fn os_category(e: &io::Error) -> ExitCategory {
    e.raw_os_error()
        .and_then(|n| u16::try_from(n).ok())
        .map(ExitCategory::OsError)
        .unwrap_or(ExitCategory::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_numbers_split_as_glibc_does() {
        // makedev(21, 1), makedev(8, 16), makedev(259, 3).
        for (rdev, mm) in [(0x1501, (21, 1)), (0x0810, (8, 16)), (0x10303, (259, 3))] {
            assert_eq!((major(rdev), minor(rdev)), mm, "{rdev:#x}");
        }
    }

    #[test]
    fn files_that_are_no_scsi_node_are_other() {
        assert_eq!(classify("/").ok(), Some(Kind::Other));
        assert_eq!(classify("/proc/self/status").ok(), Some(Kind::Other));
        assert!(classify("/nonexistent/sgmap").is_err());
    }

    #[test]
    fn a_missing_path_is_50_plus_enoent() {
        assert_eq!(sg_path("/nonexistent/sgmap").unwrap_err().code, 52);
        assert_eq!(sg_path("/").unwrap_err().code, 75);
    }
}
