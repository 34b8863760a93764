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
    // Linux 6.1 (measured): read() waits for the request across the removal and returns
    // it, so it is collected: the kernel is done with it, and the reserve is the caller's
    // again. (Kernels before the 2022 change answered ENODEV at once; the library then looks
    // again until the command's timeout and a margin, and gives the request up if it is
    // still unfinished: the reserve then stays out of reach for the life of the file.)
    let r = result
        .expect("ran")
        .expect("6.1: the request is collected across the removal");
    println!("collected: {r:?}");
    assert_eq!(dev.accounting().in_flight(), 0);
    dev.mapping()
        .expect("a collected request leaves the mapping readable");
}

#[test]
fn scsi_debug_on_a_removed_device_read_waits_for_a_request_in_flight_then_answers_enodev() {
    use rustix::io::Errno;
    use sgmap_sys::raw;
    use sgmap_sys::sgmap_core::abi::SgIoHdr;
    let devices = Devices::from_env();
    let sdebug = devices.scsi_debug();
    let (_host, name, path) = add_device(sdebug);
    let _ = tur(&mut scsi::open(&path)); // the new device's power-on unit attention
    let fd = scsi::raw_open(&path);
    // Blocking, as the library makes its files: read() then waits.
    rustix::fs::fcntl_setfl(&fd, rustix::fs::OFlags::empty()).expect("F_SETFL");
    let delete = PathBuf::from("/sys/class/scsi_generic")
        .join(&name)
        .join("device/delete");
    let _ = scsi::count_commands(&devices, &devices.sg, 250, || {
        // A TEST UNIT READY that scsi_debug answers after a second, then the device removed
        // while it is in flight and read() waits for it.
        let hdr = scsi::raw_tur();
        // SAFETY: a request without data or sense buffer.
        let n = unsafe { raw::write_request(&fd, &hdr) }.expect("write the TUR");
        assert_eq!(n, raw::HDR_LEN);
        let start = Instant::now();
        let remover = thread::spawn(move || {
            fs::write(&delete, "1").unwrap_or_else(|e| panic!("{}: {e}", delete.display()));
            start.elapsed()
        });
        let mut back = SgIoHdr::new();
        // SAFETY: the only request on the file is the TUR above, which has no buffers.
        let r = unsafe { raw::read_response(&fd, &mut back) };
        let read_took = start.elapsed();
        let removal_took = remover.join().expect("remover");
        println!(
            "read(): {r:?} after {read_took:?} (status {:#x}, host {:#x}, duration {} ms); \
             the removal took {removal_took:?}",
            back.status, back.host_status, back.duration
        );
        assert_eq!(
            r,
            Ok(raw::HDR_LEN),
            "read() returns the request in flight, not ENODEV"
        );
        assert_eq!(back.pack_id, hdr.pack_id);
        // Nothing is left in flight: now read() answers ENODEV at once, and poll() POLLHUP.
        let mut again = SgIoHdr::new();
        let start = Instant::now();
        // SAFETY: no request is left on the file.
        let r = unsafe { raw::read_response(&fd, &mut again) };
        assert_eq!(r, Err(Errno::NODEV));
        assert!(
            start.elapsed() < Duration::from_millis(500),
            "{:?}",
            start.elapsed()
        );
    });
}
