//! Opening: only sg nodes, refused before any SCSI command with a message that says what the
//! path is; the reserve and its cap are read back at open.

use std::path::Path;

use sgmap_sys::{Device, ErrorKind, FileKind, OpenOptions};
use sgmap_tests::scsi;
use sgmap_tests::Devices;

fn refused(path: &str) -> sgmap_sys::Error {
    match Device::open(path) {
        Ok(dev) => panic!("{path}: opened as an sg device: {dev:?}"),
        Err(e) => e,
    }
}

#[test]
fn open_missing_path_is_not_found() {
    let e = refused("/dev/sgmap-no-such-node");
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert_eq!(e.category().code(), 15);
    assert_eq!(
        e.to_string(),
        "/dev/sgmap-no-such-node: open: No such file or directory (ENOENT)"
    );
}

#[test]
fn open_regular_file_is_refused_as_not_sg() {
    let path = "/tmp/sgmap-regular-file";
    std::fs::write(path, b"not a device").expect("write /tmp file");
    let e = refused(path);
    assert_eq!(e.kind(), ErrorKind::NotSgDevice, "{e}");
    assert_eq!(e.file_kind(), Some(FileKind::Regular));
    assert_eq!(
        e.to_string(),
        format!("{path}: open: a regular file, not an sg device")
    );
    assert_eq!(e.category().code(), 15);
}

#[test]
fn open_directory_is_refused_as_not_sg() {
    let e = refused("/dev");
    assert_eq!(e.kind(), ErrorKind::NotSgDevice, "{e}");
    assert_eq!(e.file_kind(), Some(FileKind::Directory));
    assert_eq!(e.to_string(), "/dev: open: a directory, not an sg device");
}

#[test]
fn open_dev_null_is_refused_as_char_device_1_3() {
    let e = refused("/dev/null");
    assert_eq!(e.kind(), ErrorKind::NotSgDevice, "{e}");
    assert_eq!(e.file_kind(), Some(FileKind::Char { major: 1, minor: 3 }));
    assert_eq!(
        e.to_string(),
        "/dev/null: open: character device 1:3, not an sg device (sg is major 21)"
    );
}

#[test]
fn open_char_device_of_another_major_is_refused_without_opening_it() {
    // /dev/tty (5:0): opening it would make it the controlling terminal's alias; the
    // library must refuse it from stat() alone.
    let e = refused("/dev/tty");
    assert_eq!(e.kind(), ErrorKind::NotSgDevice, "{e}");
    assert_eq!(e.file_kind(), Some(FileKind::Char { major: 5, minor: 0 }));
    assert!(e.to_string().contains("character device 5:0"), "{e}");
}

#[test]
fn open_block_device_is_refused_and_names_its_sg_node() {
    let devices = Devices::from_env();
    let block = devices.block.to_str().expect("UTF-8 path");
    let e = refused(block);
    assert_eq!(e.kind(), ErrorKind::NotSgDevice, "{e}");
    let sg_name = devices.sg.file_name().unwrap().to_str().unwrap();
    let n: u32 = sg_name.strip_prefix("sg").unwrap().parse().unwrap();
    match e.file_kind() {
        Some(FileKind::Block { sg, .. }) => assert_eq!(sg, Some(n), "{e}"),
        other => panic!("{block}: {other:?} ({e})"),
    }
    let msg = e.to_string();
    assert!(
        msg.starts_with(&format!("{block}: open: a block device (")),
        "{msg}"
    );
    assert!(
        msg.ends_with(&format!(
            "not an sg device; its sg node is {}",
            devices.sg.display()
        )),
        "{msg}"
    );
}

#[test]
fn open_reads_back_version_reserve_and_cap() {
    let devices = Devices::from_env();
    let dev = scsi::open(&devices.sg);
    let version = dev.version().expect("version");
    assert!(version >= 30000, "version {version}");
    let fd = scsi::raw_open(&devices.sg);
    let reserve = scsi::raw_reserve(&fd) as u32;
    assert_eq!(dev.accounting().reserve(), reserve);
    let cap = dev.max_transfer_bytes().expect("BLKSECTGET");
    println!(
        "{}: sg {version}, reserve {reserve}, BLKSECTGET {cap} bytes",
        dev.path()
    );
    assert!(cap >= reserve, "cap {cap} < reserve {reserve}");
    assert_eq!(dev.path(), devices.sg.to_str().unwrap());
    assert!(!dev.accounting().mmap_called());
}

#[test]
fn open_read_only_maps_read_only_and_refuses_mapping_mut() {
    let devices = Devices::from_env();
    let mut dev = OpenOptions::new()
        .read_only(true)
        .open(&devices.sg)
        .expect("open read-only");
    assert!(dev.is_read_only());
    let len = dev.map().expect("map a read-only file");
    assert_eq!(dev.mapping().expect("mapping").len(), len as usize);
    let e = dev.mapping_mut().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Refused, "{e}");
    // Commands go through write(): refused with the kernel's EBADF, before any system call.
    let before = sgmap_tests::scsi::iorequest_count(&devices.sg);
    let tur = sgmap_sys::Command::new(&sgmap_tests::scsi::TEST_UNIT_READY);
    let e = dev.execute(&tur, sgmap_sys::Data::None).unwrap_err();
    assert_eq!(e.errno(), Some(rustix::io::Errno::BADF), "{e}");
    assert!(e.to_string().contains("read-write"), "{e}");
    assert_eq!(dev.accounting().in_flight(), 0);
    assert_eq!(sgmap_tests::scsi::iorequest_count(&devices.sg), before);
}

#[test]
fn open_exclusive_read_only_is_eperm_and_exclusive_twice_is_ebusy() {
    let devices = Devices::from_env();
    let e = OpenOptions::new()
        .read_only(true)
        .exclusive(true)
        .open(&devices.sg)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e}");
    assert_eq!(e.errno(), Some(rustix::io::Errno::PERM));

    let held = OpenOptions::new()
        .exclusive(true)
        .open(&devices.sg)
        .expect("first exclusive open");
    let e = OpenOptions::new()
        .exclusive(true)
        .open(&devices.sg)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Busy, "{e}");
    let e = Device::open(&devices.sg).unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Busy,
        "a plain open while held O_EXCL: {e}"
    );
    drop(held);
    Device::open(Path::new(&devices.sg)).expect("open after the exclusive holder closed");
}
