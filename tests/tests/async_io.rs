//! Asynchronous requests: `write()`, `poll()`, `read()` matched by pack id, the reserve held
//! until collection, and the queue limit of 16.

use std::ptr;

use rustix::io::Errno;
use rustix::mm::{MapFlags, ProtFlags};
use sgmap_sys::raw;
use sgmap_sys::sgmap_core::abi::SgIoHdr;
use sgmap_sys::{Command, Data, ErrorKind, Refusal, SgFlags, Timeout};
use sgmap_tests::scsi::{self, lba_of};
use sgmap_tests::Devices;

/// This file's region of the disk: 2 MiB in.
const REGION: u64 = 2 << 20;
const LEN: usize = 8192;

fn tur() -> Command<'static> {
    Command::new(&scsi::TEST_UNIT_READY).timeout(Timeout::from_secs(10).unwrap())
}

#[test]
fn mmap_data_is_in_the_mapping_before_the_response_is_collected() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let data = scsi::pattern(0x71, LEN);
    scsi::write_indirect(&devices, &mut dev, REGION, &data);
    dev.set_reserved_size(LEN as u64).expect("reserve");
    let mapped = dev.map().expect("map") as usize;
    dev.mapping_mut().unwrap().fill(0);

    let cdb = scsi::read10(lba_of(&devices, REGION), scsi::blocks_of(&devices, LEN));
    let id = dev
        .submit(&Command::new(&cdb), Data::MmapIn(LEN as u32))
        .expect("submit mmap READ");
    assert!(dev.poll_ready(20_000).expect("poll"), "POLLIN within 20 s");
    assert_eq!(dev.num_waiting().unwrap(), 1);
    assert_eq!(dev.first_pack_id().unwrap(), Some(id));
    // The library will not show the bytes while the request holds the reserve...
    let e = dev.mapping().unwrap_err();
    assert!(
        matches!(e.refusal(), Some(Refusal::MappingBusy { holder: Some(h) }) if h == id),
        "{e}"
    );
    // ...but the kernel already put them there: a second mapping of the same file shows
    // them before read().
    // SAFETY: a second read-only mapping of the Device's reserve, read through raw pointers
    // only while the request (which has completed) waits to be collected; no request is
    // made through the fd.
    let second = unsafe {
        raw::mmap(
            dev.borrow_fd(),
            mapped,
            ProtFlags::READ,
            MapFlags::SHARED,
            0,
        )
    }
    .expect("second mmap");
    let mut seen = vec![0u8; LEN];
    // SAFETY: `second` maps at least LEN bytes; copied out with a raw read.
    unsafe { ptr::copy_nonoverlapping(second.cast::<u8>(), seen.as_mut_ptr(), LEN) };
    // SAFETY: made above, no reference into it.
    unsafe { raw::munmap(second, mapped) }.unwrap();
    assert_eq!(
        seen, data,
        "data-in is in the reserve before the response is read"
    );

    let r = dev.collect(Some(id)).expect("collect");
    scsi::expect_good(&r, "async mmap READ");
    assert_eq!(r.pack_id, id);
    assert_eq!(dev.valid_data().unwrap(), &data[..]);
    assert_eq!(dev.num_waiting().unwrap(), 0);
}

#[test]
fn a_second_mmap_request_on_a_busy_file_is_ebusy_and_refused_first() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    dev.map().expect("map");
    let block = devices.sector_size;
    let cdb = scsi::read10(lba_of(&devices, REGION), 1);
    let id = dev
        .submit(&Command::new(&cdb), Data::MmapIn(block))
        .expect("first mmap request");
    // The library: refused, the reserve is held.
    let e = dev
        .submit(&Command::new(&cdb), Data::MmapIn(block))
        .unwrap_err();
    assert_eq!(
        e.refusal(),
        Some(Refusal::ReserveBusy { holder: id }),
        "{e}"
    );
    assert_eq!(e.category().code(), 66);
    // The kernel: EBUSY (the first response is not read yet, even if the command is done).
    let mut hdr = SgIoHdr::new();
    hdr.dxfer_direction = -3;
    hdr.cmd_len = 10;
    hdr.cmdp = cdb.as_ptr();
    hdr.dxfer_len = block;
    hdr.flags = SgFlags::MMAP_IO.bits();
    hdr.pack_id = 999;
    hdr.timeout = 10_000;
    // SAFETY: an mmap-ed request with no sense buffer and dxferp NULL; the kernel refuses it
    // (and if it took it, it would write only the reserve).
    let r = unsafe { raw::write_request(dev.borrow_fd(), &hdr) };
    assert_eq!(r.err(), Some(Errno::BUSY));
    let r = dev.wait(id).expect("collect the first");
    scsi::expect_good(&r, "first mmap request");
    let id2 = dev
        .submit(&Command::new(&cdb), Data::MmapIn(block))
        .expect("a new mmap request once the first is collected");
    dev.wait(id2).expect("collect the second");
}

#[test]
fn a_17th_outstanding_request_is_edom_and_refused_first() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let ids: Vec<i32> = (0..16)
        .map(|i| {
            dev.submit(&tur(), Data::None)
                .unwrap_or_else(|e| panic!("TUR {i}: {e}"))
        })
        .collect();
    // Finished or not, responses not yet read count against the 16.
    let e = dev.submit(&tur(), Data::None).unwrap_err();
    assert_eq!(e.refusal(), Some(Refusal::TooManyOutstanding), "{e}");
    assert_eq!(e.category().code(), 83, "50 + EDOM");
    let mut hdr = SgIoHdr::new();
    hdr.cmd_len = 6;
    hdr.cmdp = scsi::TEST_UNIT_READY.as_ptr();
    hdr.pack_id = 17_000;
    hdr.timeout = 10_000;
    // SAFETY: a request without data or sense buffer; refused by the kernel.
    let r = unsafe { raw::write_request(dev.borrow_fd(), &hdr) };
    assert_eq!(r.err(), Some(Errno::DOM), "the kernel's 17th");
    let table = dev.request_table().expect("request table");
    assert_eq!(table.iter().filter(|r| r.req_state != 0).count(), 16);
    for id in ids {
        dev.wait(id).unwrap_or_else(|e| panic!("collect {id}: {e}"));
    }
    assert_eq!(dev.accounting().in_flight(), 0);
}

#[test]
fn responses_are_matched_by_pack_id_in_any_order() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let a = dev.submit(&tur(), Data::None).expect("A");
    let b = dev.submit(&tur(), Data::None).expect("B");
    let c = dev.submit(&tur(), Data::None).expect("C");
    assert_eq!(dev.wait(c).expect("C").pack_id, c);
    assert_eq!(dev.wait(a).expect("A").pack_id, a);
    assert_eq!(dev.collect(None).expect("the remaining one").pack_id, b);
    let e = dev.collect(None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Refused, "nothing in flight: {e}");
    let e = dev.wait(a).unwrap_err();
    assert_eq!(
        e.refusal(),
        Some(Refusal::UnknownPackId { pack_id: a }),
        "{e}"
    );
}

#[test]
fn poll_times_out_when_nothing_has_finished() {
    let devices = Devices::from_env();
    let dev = scsi::open(&devices.sg);
    let start = std::time::Instant::now();
    assert!(!dev.poll_ready(200).expect("poll"));
    assert!(start.elapsed().as_millis() >= 150, "{:?}", start.elapsed());
}

#[test]
fn scsi_debug_poll_before_completion_is_not_ready_then_wait_gets_it() {
    let devices = Devices::from_env();
    let sdebug = devices.scsi_debug();
    let mut dev = scsi::open(&devices.sg);
    let old = sdebug.param("delay");
    sdebug.set_param("delay", 250); // jiffies: about a second at HZ=250
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let id = dev.submit(&tur(), Data::None).expect("submit");
        // The file is blocking once open (collect would wait): poll says it is not ready.
        assert!(!dev.poll_ready(0).expect("poll"), "not ready yet");
        let table = dev.request_table().unwrap();
        assert!(
            table.iter().any(|r| r.pack_id == id && r.req_state == 1),
            "in flight"
        );
        let r = dev.wait(id).expect("wait");
        assert_eq!(r.pack_id, id);
    }));
    sdebug.set_param("delay", old);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn only_requests_without_caller_buffers_may_be_submitted() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let cdb = scsi::read10(0, 1);
    let mut buf = vec![0u8; devices.sector_size as usize];
    let e = dev
        .submit(&Command::new(&cdb), Data::In(&mut buf))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Refused, "{e}");
    let e = dev
        .submit(&Command::new(&cdb), Data::Out(&buf))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Refused, "{e}");
    assert_eq!(dev.accounting().in_flight(), 0);
    assert_eq!(
        dev.request_table()
            .unwrap()
            .iter()
            .filter(|r| r.req_state != 0)
            .count(),
        0
    );
}

#[test]
fn a_dropped_device_collects_its_requests_so_the_reserve_is_free() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    dev.map().expect("map");
    // SAFETY: the duplicate is only used for queries after the Device is gone.
    let dup = rustix::io::dup(unsafe { dev.borrow_fd() }).expect("dup");
    let cdb = scsi::read10(lba_of(&devices, REGION), 1);
    dev.submit(&Command::new(&cdb), Data::MmapIn(devices.sector_size))
        .expect("submit");
    dev.submit(&tur(), Data::None).expect("submit");
    drop(dev);
    // The file lives on through `dup`: nothing is left to read, the reserve is not held.
    // SAFETY: `dup` is the same sg file.
    let waiting = unsafe { raw::get_num_waiting(&dup) }.unwrap();
    // SAFETY: as above.
    let table = unsafe { raw::get_request_table(&dup) }.unwrap();
    assert_eq!(waiting, 0);
    assert!(
        table.iter().all(|r| r.req_state == 0),
        "requests left: {table:?}"
    );
    // SAFETY: as above.
    let reserve = unsafe { raw::get_reserved_size(&dup) }.unwrap();
    // The reserve is free: an mmap-ed request on the same file is accepted.
    let mut hdr = SgIoHdr::new();
    hdr.dxfer_direction = -3;
    hdr.cmd_len = 10;
    hdr.cmdp = cdb.as_ptr();
    hdr.dxfer_len = devices.sector_size.min(reserve as u32);
    hdr.flags = SgFlags::MMAP_IO.bits();
    hdr.timeout = 10_000;
    // SAFETY: dxferp NULL, no sense buffer: the kernel writes only the reserve.
    unsafe { raw::sg_io(&dup, &mut hdr) }.expect("an mmap-ed SG_IO on the freed reserve");
}

#[test]
fn with_force_pack_id_a_read_with_nonnegative_direction_matches_the_v2_pack_id_field() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    // SAFETY: `fd` is an sg node.
    unsafe { raw::set_force_pack_id(&fd, 1) }.expect("SG_SET_FORCE_PACK_ID");
    let mut hdr = SgIoHdr::new();
    hdr.cmd_len = 6;
    hdr.cmdp = scsi::TEST_UNIT_READY.as_ptr();
    hdr.pack_id = 5;
    hdr.timeout = 10_000;
    // SAFETY: a request without data or sense buffer.
    unsafe { raw::write_request(&fd, &hdr) }.expect("write TUR");
    let mut fds = [rustix::event::PollFd::new(
        &fd,
        rustix::event::PollFlags::IN,
    )];
    let ts = rustix::event::Timespec {
        tv_sec: 20,
        tv_nsec: 0,
    };
    assert_eq!(
        rustix::event::poll(&mut fds, Some(&ts)).expect("poll"),
        1,
        "POLLIN"
    );
    // dxfer_direction 0: the kernel takes the old sg_header's pack_id, bytes 8..12 here
    // (cmd_len, mx_sb_len, iovec_count), all 0: no match although a response is ready.
    let mut back = SgIoHdr::new();
    back.dxfer_direction = 0;
    back.pack_id = -1;
    // SAFETY: the only request on `fd` is the TUR, which has no buffers.
    let r = unsafe { raw::read_response(&fd, &mut back) };
    assert_eq!(
        r.err(),
        Some(Errno::AGAIN),
        "pack_id -1 with a non-negative direction is not 'any'"
    );
    // The same with 5 in bytes 8..12 (little-endian int: cmd_len = 5) matches it.
    let mut back = SgIoHdr::new();
    back.dxfer_direction = 0;
    back.cmd_len = if cfg!(target_endian = "little") { 5 } else { 0 };
    // SAFETY: as above.
    let n = unsafe { raw::read_response(&fd, &mut back) }.expect("read with the v2 pack id");
    assert_eq!(n, raw::HDR_LEN);
    assert_eq!(back.pack_id, 5);
    // A negative direction with pack_id -1 is "any".
    hdr.pack_id = 6;
    // SAFETY: as above.
    unsafe { raw::write_request(&fd, &hdr) }.expect("write TUR");
    assert_eq!(rustix::event::poll(&mut fds, Some(&ts)).expect("poll"), 1);
    let mut back = SgIoHdr::new();
    back.dxfer_direction = -1;
    back.pack_id = -1;
    // SAFETY: as above.
    unsafe { raw::read_response(&fd, &mut back) }.expect("read any");
    assert_eq!(back.pack_id, 6);
}

/// A 32-bit process writes the 64-byte header. On a 64-bit kernel (the i686 phase, through
/// the compat layer) `write()` of the bare 64 bytes is `EINVAL`, because sg_new_write()
/// compares `count` with the kernel's own 88-byte `sizeof(sg_io_hdr_t)` before it reads the
/// compat header; on a 32-bit kernel (the armhf phase) 64 bytes are its own header and are
/// taken. On both, 88 bytes (the header and zeros, what `raw::write_request` writes) are
/// taken, and `read()` and `SG_IO` take 64.
#[cfg(target_pointer_width = "32")]
#[test]
fn a_64_byte_write_is_einval_on_a_64_bit_kernel_only_while_88_bytes_read_and_sg_io_work_on_both() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    assert_eq!(raw::HDR_LEN, 64);
    let uname = rustix::system::uname();
    let machine = uname.machine().to_string_lossy().into_owned();
    let kernel_64 = matches!(machine.as_str(), "x86_64" | "aarch64");
    let collect = |pack_id: i32| {
        let mut back = SgIoHdr::new();
        back.dxfer_direction = -1;
        back.pack_id = -1;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let n = loop {
            // SAFETY: the only requests on `fd` are TURs, which have no buffers.
            match unsafe { raw::read_response(&fd, &mut back) } {
                Err(Errno::AGAIN) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(5))
                }
                r => break r.expect("read() of 64 bytes"),
            }
        };
        assert_eq!((n, back.pack_id), (64, pack_id), "kernel {machine}");
    };
    let mut hdr = scsi::raw_tur();
    hdr.pack_id = 31;
    let bytes = raw::header_bytes(&hdr);
    if kernel_64 {
        assert_eq!(
            rustix::io::write(&fd, &bytes).err(),
            Some(Errno::INVAL),
            "write() of 64 bytes on a {machine} kernel"
        );
    } else {
        assert_eq!(
            rustix::io::write(&fd, &bytes),
            Ok(64),
            "write() of 64 bytes on a {machine} kernel"
        );
        collect(31);
    }
    hdr.pack_id = 32;
    // SAFETY: a request without data or sense buffer.
    let n = unsafe { raw::write_request(&fd, &hdr) }.expect("write() of 88 bytes");
    assert_eq!((n, raw::WRITE_LEN), (64, 88));
    collect(32);
    // SAFETY: as above.
    unsafe { raw::sg_io(&fd, &mut hdr) }.expect("SG_IO with the 64-byte header");
    assert_eq!(hdr.host_status, 0, "{hdr:?}");
}

/// Turns SG_SET_FORCE_PACK_ID off behind `dev`'s back, as code holding its descriptor can.
fn force_pack_id_off_behind_its_back(dev: &sgmap_sys::Device) {
    use std::os::fd::AsFd;
    // SAFETY: `dev` is an sg node; the ioctl changes one setting of the file.
    unsafe { raw::set_force_pack_id(dev.as_fd(), 0) }.expect("SG_SET_FORCE_PACK_ID 0");
}

#[test]
fn a_read_that_returns_another_requests_response_keeps_it_for_that_request_and_frees_no_other() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let data = scsi::pattern(0x5d, LEN);
    scsi::write_indirect(&devices, &mut dev, REGION + 0x10000, &data);
    dev.set_reserved_size(LEN as u64).expect("reserve");
    dev.map().expect("map");
    // A wait turns force-pack-id on; the Device then believes it on.
    let r = dev.execute(&tur(), Data::None).expect("TUR");
    scsi::expect_good(&r, "TUR");

    // B finishes first and waits, unread; then A, an mmap-ed READ that holds the reserve.
    let b = dev.submit(&tur(), Data::None).expect("submit TUR");
    assert!(dev.poll_ready(20_000).expect("poll"), "TUR finished");
    let cdb = scsi::read10(
        lba_of(&devices, REGION + 0x10000),
        scsi::blocks_of(&devices, LEN),
    );
    let a = dev
        .submit(&Command::new(&cdb), Data::MmapIn(LEN as u32))
        .expect("submit mmap READ");
    force_pack_id_off_behind_its_back(&dev);

    // read() for A now returns B (the oldest finished): B's response is kept for B, A is
    // still waited for, and nothing frees A's hold on the reserve meanwhile.
    let ra = dev.wait(a).unwrap_or_else(|e| panic!("wait for A: {e}"));
    assert_eq!(ra.pack_id, a, "A's own response");
    scsi::expect_good(&ra, "mmap READ");
    assert_eq!(dev.valid_data().expect("valid data"), &data[..]);
    let rb = dev.wait(b).unwrap_or_else(|e| panic!("wait for B: {e}"));
    assert_eq!(rb.pack_id, b, "B's response, kept for it");
    scsi::expect_good(&rb, "TUR");
    assert_eq!(dev.accounting().in_flight(), 0);
    let table = dev.request_table().unwrap();
    assert!(
        table.iter().all(|r| r.req_state == 0),
        "nothing left on the file: {table:?}"
    );

    // The same through collect(): a response for the wrong pack id is kept, not returned.
    let b = dev.submit(&tur(), Data::None).expect("submit TUR");
    assert!(dev.poll_ready(20_000).expect("poll"), "TUR finished");
    let a = dev
        .submit(&Command::new(&cdb), Data::MmapIn(LEN as u32))
        .expect("submit mmap READ");
    force_pack_id_off_behind_its_back(&dev);
    assert_eq!(dev.collect(Some(a)).expect("collect A").pack_id, a);
    assert_eq!(dev.collect(Some(b)).expect("collect B").pack_id, b);
    assert_eq!(dev.accounting().in_flight(), 0);
}

#[test]
fn a_response_taken_by_a_foreign_read_leaves_its_request_unknown_and_the_reserve_out_of_reach() {
    use std::io::Read as _;
    use std::os::fd::AsFd;
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    dev.set_reserved_size(LEN as u64).expect("reserve");
    dev.map().expect("map");
    let cdb = scsi::read10(lba_of(&devices, REGION), scsi::blocks_of(&devices, LEN));
    let id = dev
        .submit(&Command::new(&cdb), Data::MmapIn(LEN as u32))
        .expect("submit mmap READ");
    assert!(dev.poll_ready(20_000).expect("poll"), "READ finished");
    // Safe code with the descriptor (AsFd) reads the response before the Device does.
    let mut file = std::fs::File::from(dev.as_fd().try_clone_to_owned().expect("dup"));
    let mut buf = [0u8; raw::HDR_LEN];
    assert_eq!(file.read(&mut buf).expect("foreign read()"), raw::HDR_LEN);
    drop(file);
    let e = dev
        .try_collect(Some(id))
        .expect_err("the Device finds its request gone");
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "{e}");
    match dev.mapping() {
        Ok(m) => panic!("the reserve was handed out ({} bytes)", m.len()),
        Err(refused) => assert_eq!(refused.kind(), ErrorKind::Refused, "{refused}"),
    }
}

#[test]
fn scsi_debug_try_collect_says_not_yet_without_blocking_then_collects_once_readable() {
    use rustix::event::{poll, PollFd, PollFlags};
    use std::os::fd::{AsFd, AsRawFd};
    use std::time::{Duration, Instant};
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    assert!(dev.as_raw_fd() >= 0);
    let _ = scsi::count_commands(&devices, &devices.sg, 250, || {
        let id = dev.submit(&tur(), Data::None).expect("submit");
        let start = Instant::now();
        assert!(dev.try_collect(Some(id)).expect("try_collect").is_none());
        assert!(dev.try_collect(None).expect("try_collect any").is_none());
        assert!(
            start.elapsed() < Duration::from_millis(500),
            "try_collect did not wait for the second-long TUR: {:?}",
            start.elapsed()
        );
        {
            let fd = dev.as_fd();
            let mut fds = [PollFd::new(&fd, PollFlags::IN)];
            assert_eq!(poll(&mut fds, None).expect("poll"), 1);
        }
        let r = dev
            .try_collect(Some(id))
            .expect("try_collect")
            .expect("readable: the response is there");
        assert_eq!(r.pack_id, id);
        scsi::expect_good(&r, "TUR");
        assert_eq!(dev.accounting().in_flight(), 0);
    });
}

#[test]
fn scsi_debug_close_within_and_set_close_timeout_bound_the_wait_for_requests_in_flight() {
    use std::time::{Duration, Instant};
    let devices = Devices::from_env();
    let _ = scsi::count_commands(&devices, &devices.sg, 250, || {
        // A second-long TUR in flight: close_within(100) leaves it to the kernel.
        let mut dev = scsi::open(&devices.sg);
        dev.submit(&tur(), Data::None).expect("submit");
        let start = Instant::now();
        let e = dev.close_within(100).expect_err("a request is left");
        assert_eq!(e.kind(), ErrorKind::TimedOut, "{e}");
        assert!(
            start.elapsed() < Duration::from_millis(600),
            "close_within(100) took {:?}",
            start.elapsed()
        );
        // drain() reports what is left; Drop waits no longer than set_close_timeout says.
        let mut dev = scsi::open(&devices.sg);
        dev.submit(&tur(), Data::None).expect("submit");
        assert_eq!(dev.drain(0).expect("drain"), 1, "one request left");
        dev.set_close_timeout(50);
        let start = Instant::now();
        drop(dev);
        assert!(
            start.elapsed() < Duration::from_millis(600),
            "drop took {:?}",
            start.elapsed()
        );
    });
}
