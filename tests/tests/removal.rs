//! A device that disappears while sgmap holds it: scsi_debug adds a host at run time
//! (`add_host`), the test maps the new device's reserve, deletes the device through sysfs
//! (`/sys/class/scsi_generic/sgN/device/delete`), and proves what the library reports. The
//! host is removed again when the test ends, so the phase's other devices are untouched.

use std::fs;
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use sgmap_sys::{Command, Data, Device, ErrorKind};
use sgmap_tests::scsi::{self, add_device};
use sgmap_tests::Devices;

fn tur(dev: &mut Device) -> Result<sgmap_sys::Response, sgmap_sys::Error> {
    dev.execute(&Command::new(&scsi::TEST_UNIT_READY), Data::None)
}

#[test]
fn scsi_debug_a_removed_device_answers_enodev_and_pollhup_and_its_mapping_stays_readable() {
    let devices = Devices::from_env();
    let (_host, name, path) = add_device(devices.scsi_debug());
    let mut dev = scsi::open(&path);
    let bs = devices.sector_size;
    dev.set_reserved_size(u64::from(8 * bs)).expect("reserve");
    dev.map().expect("map");
    // The first media command may see the new device's power-on unit attention.
    let _ = tur(&mut dev);
    let read = scsi::read10(0, 8);
    let r = dev
        .execute(&Command::new(&read), Data::MmapIn(8 * bs))
        .expect("mmap READ before removal");
    scsi::expect_good(&r, "mmap READ before removal");
    let before: Vec<u8> = dev.valid_data().expect("valid data").to_vec();
    dev.mapping_mut().expect("mapping")[..4].copy_from_slice(b"sgm!");

    let delete = PathBuf::from("/sys/class/scsi_generic")
        .join(&name)
        .join("device/delete");
    fs::write(&delete, "1").unwrap_or_else(|e| panic!("{}: {e}", delete.display()));

    let e = tur(&mut dev).expect_err("SG_IO on a removed device");
    assert_eq!(e.kind(), ErrorKind::DeviceGone, "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains(&*path.to_string_lossy()) && msg.contains("ENODEV"),
        "the message names the device and the errno: {msg}"
    );
    assert_eq!(e.category().code(), 50 + 19, "50 + ENODEV: {msg}");

    let e = dev.poll_ready(1000).expect_err("poll on a removed device");
    assert_eq!(e.kind(), ErrorKind::DeviceGone, "POLLHUP: {e}");

    // The mapping outlives the device: what the application put there is still there.
    let mapping = dev.mapping().expect("the mapping is still readable");
    assert_eq!(&mapping[..4], b"sgm!");
    assert_eq!(&mapping[4..before.len()], &before[4..]);
    drop(dev);

    let e = sgmap_sys::Device::open(&path).expect_err("open of a removed node");
    assert!(
        matches!(e.kind(), ErrorKind::NotFound | ErrorKind::DeviceGone),
        "{e}"
    );
}

#[test]
fn scsi_debug_a_device_removed_during_an_mmap_read_never_hands_out_a_reserve_the_kernel_holds() {
    let devices = Devices::from_env();
    let sdebug = devices.scsi_debug();
    let (_host, name, path) = add_device(sdebug);
    let mut dev = scsi::open(&path);
    let bs = devices.sector_size;
    dev.set_reserved_size(u64::from(8 * bs)).expect("reserve");
    dev.map().expect("map");
    let _ = tur(&mut dev); // the new device's power-on unit attention
    let read = scsi::read10(0, 8);
    let delete = PathBuf::from("/sys/class/scsi_generic")
        .join(&name)
        .join("device/delete");
    // Every command takes 250 jiffies (1 s at HZ=250); the device goes 300 ms into the READ.
    // (The delay is global to scsi_debug; the phase's main device is counted, not used.)
    let mut result = None;
    let _ = scsi::count_commands(&devices, &devices.sg, 250, || {
        let remover = thread::spawn(move || {
            thread::sleep(Duration::from_millis(300));
            fs::write(&delete, "1").unwrap_or_else(|e| panic!("{}: {e}", delete.display()));
        });
        let start = Instant::now();
        let r = dev.execute(&Command::new(&read), Data::MmapIn(8 * bs));
        println!(
            "mmap READ across removal: {r:?} after {:?}",
            start.elapsed()
        );
        remover.join().expect("remover");
        result = Some(r);
    });
    match result.expect("ran") {
        // Collected: the kernel is done with it, and the reserve is the caller's again.
        Ok(r) => {
            println!("collected: {r:?}");
            assert_eq!(dev.accounting().in_flight(), 0);
            dev.mapping()
                .expect("a collected request leaves the mapping readable");
        }
        // Given up: the reserve stays out of reach for the life of the file.
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "{e}");
            let refused = dev
                .mapping()
                .expect_err("the mapping of a given-up request");
            assert_eq!(refused.kind(), ErrorKind::Refused, "{refused}");
        }
    }
}
