//! The sg driver itself, seen through its character device: the node is sg's and the driver
//! answers its version ioctl.

use std::ffi::c_int;

use rustix::fs::{self, Mode, OFlags};
use rustix::ioctl::{self, Getter};
use sgmap_tests::Devices;

/// `SG_GET_VERSION_NUM` (include/scsi/sg.h).
const SG_GET_VERSION_NUM: ioctl::Opcode = 0x2282;

/// sg's character device major, `SCSI_GENERIC_MAJOR` (include/uapi/linux/major.h).
const SCSI_GENERIC_MAJOR: u32 = 21;

#[test]
fn sg_node_is_a_char_device_of_major_21() {
    let devices = Devices::from_env();
    let stat =
        fs::stat(&devices.sg).unwrap_or_else(|e| panic!("stat {}: {e}", devices.sg.display()));
    let file_type = fs::FileType::from_raw_mode(stat.st_mode);
    assert_eq!(
        file_type,
        fs::FileType::CharacterDevice,
        "{} is not a character device",
        devices.sg.display()
    );
    assert_eq!(
        fs::major(stat.st_rdev),
        SCSI_GENERIC_MAJOR,
        "{}: st_rdev {:#x}",
        devices.sg.display(),
        stat.st_rdev
    );
}

#[test]
fn sg_get_version_num_answers_sg3_or_later() {
    let devices = Devices::from_env();
    let fd = fs::open(
        &devices.sg,
        OFlags::RDWR | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .unwrap_or_else(|e| panic!("open {} O_RDWR|O_NONBLOCK: {e}", devices.sg.display()));
    let st = fs::fstat(&fd).unwrap_or_else(|e| panic!("fstat {}: {e}", devices.sg.display()));
    assert_eq!(fs::major(st.st_rdev), SCSI_GENERIC_MAJOR);

    // SAFETY: SG_GET_VERSION_NUM writes one `int` through its argument pointer (sg.c:
    // sg_ioctl_common(), `put_user(sg_version_num, ip)`), which is the `c_int` that
    // `Getter` provides; `fd` is an open sg node, as the major number checked above shows.
    let version = unsafe { ioctl::ioctl(&fd, Getter::<SG_GET_VERSION_NUM, c_int>::new()) }
        .unwrap_or_else(|e| panic!("{}: ioctl SG_GET_VERSION_NUM: {e}", devices.sg.display()));
    println!("{}: sg version {version}", devices.sg.display());
    assert!(
        version >= 30000,
        "{}: SG_GET_VERSION_NUM = {version}, expected at least 30000 (sg v3)",
        devices.sg.display()
    );
    // What docs/kernel-facts.md says every device answered: sg 3.5.36, the last version of
    // the driver merged (`sg_version_num` in sg.c); a kernel with another shows here.
    assert_eq!(version, 30536, "{}", devices.sg.display());
}
