//! fork(): the child shares the mapping and the reserve. Its `SG_IO` with mmap-ed IO lands in
//! the parent's mapping; its `read()`/`write()` on the inherited file are refused.
//!
//! The child runs inside `std::process::Command::pre_exec` (the child side of `fork()`),
//! makes only raw system calls, writes its results into a shared anonymous page, and fails
//! the `exec` on purpose so that `spawn()` returns to the parent.

use std::ffi::c_void;
use std::os::unix::process::CommandExt;
use std::process::Command as Process;
use std::ptr;

use rustix::fd::{AsRawFd, BorrowedFd};
use rustix::io::Errno;
use rustix::mm::{MapFlags, ProtFlags};
use sgmap_sys::raw;
use sgmap_sys::sgmap_core::abi::SgIoHdr;
use sgmap_sys::SgFlags;
use sgmap_tests::scsi::{self, lba_of};
use sgmap_tests::Devices;

/// This file's region of the disk: 3 MiB in.
const REGION: u64 = 3 << 20;
const LEN: usize = 8192;

/// An anonymous page shared with a child (`MAP_SHARED`), used through raw pointers only.
fn shared_page() -> *mut c_void {
    // SAFETY: no MAP_FIXED; no reference into the page is ever made.
    unsafe {
        rustix::mm::mmap_anonymous(
            ptr::null_mut(),
            4096,
            ProtFlags::READ | ProtFlags::WRITE,
            MapFlags::SHARED,
        )
    }
    .expect("shared page")
}

/// Runs `f` in a child made by `fork()` (inside `pre_exec`, whose exec then fails on
/// purpose so that `spawn()` returns to the parent once `f` returned), and panics if the
/// child ended otherwise (killed before `f` returned, or `f` failed).
///
/// # Safety
///
/// What `pre_exec` asks: `f` runs in a forked copy of a multithreaded process.
unsafe fn run_in_child(mut f: impl FnMut() -> std::io::Result<()> + Send + Sync + 'static) {
    let mut child = Process::new("/nonexistent/sgmap-fork-child");
    let in_child = move || {
        f()?;
        // Fail the exec on purpose: spawn() returns this error in the parent.
        Err(std::io::Error::from_raw_os_error(
            Errno::CHILD.raw_os_error(),
        ))
    };
    // SAFETY: the caller's promise.
    unsafe { child.pre_exec(in_child) };
    match child.spawn() {
        Err(e) if e.raw_os_error() == Some(Errno::CHILD.raw_os_error()) => {}
        Err(e) => panic!("the child failed otherwise: {e}"),
        Ok(mut c) => {
            let _ = c.kill();
            panic!(
                "the child did not return to the failed exec: {:?}",
                c.wait()
            );
        }
    }
}

/// What the child reports, in the shared page.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
struct Report {
    /// 1 once the child ran.
    ran: i32,
    /// errno of the child's SG_IO (0: it succeeded).
    sg_io: i32,
    /// SCSI status, host status and resid of the child's SG_IO.
    status: i32,
    host_status: i32,
    resid: i32,
    /// errno of the child's write() (0: it succeeded) and read().
    write: i32,
    read: i32,
}

#[test]
fn after_fork_the_childs_mmap_sg_io_is_seen_by_the_parent_and_its_read_write_are_eperm() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let data = scsi::pattern(0x81, LEN);
    scsi::write_indirect(&devices, &mut dev, REGION, &data);
    drop(dev);

    let fd = scsi::raw_open(&devices.sg);
    // SAFETY: `fd` is an sg node.
    unsafe { raw::set_reserved_size(&fd, LEN as i32) }.expect("reserve");
    // SAFETY: no MAP_FIXED; both mappings are used through raw pointers only.
    let map = unsafe {
        raw::mmap(
            &fd,
            LEN,
            ProtFlags::READ | ProtFlags::WRITE,
            MapFlags::SHARED,
            0,
        )
    }
    .expect("mmap the reserve");
    let page = shared_page();
    // SAFETY: `map` is LEN bytes of live mapping.
    unsafe { ptr::write_bytes(map.cast::<u8>(), 0xa5, LEN) };

    let raw_fd = fd.as_raw_fd();
    let report_addr = page as usize;
    let lba = lba_of(&devices, REGION);
    let blocks = scsi::blocks_of(&devices, LEN);
    // Runs in the forked child: only system calls through rustix (async-signal-safe, no
    // allocation, no locks), on the child's copy of its stack and the shared page.
    let in_child = move || -> std::io::Result<()> {
        // SAFETY: the descriptor is inherited by the child and open there.
        let fd = unsafe { BorrowedFd::borrow_raw(raw_fd) };
        let cdb = scsi::read10(lba, blocks);
        let mut sense = [0u8; 96];
        let mut hdr = SgIoHdr::new();
        hdr.dxfer_direction = -3;
        hdr.cmd_len = 10;
        hdr.cmdp = cdb.as_ptr();
        hdr.mx_sb_len = 96;
        hdr.sbp = sense.as_mut_ptr();
        hdr.dxfer_len = LEN as u32;
        hdr.flags = SgFlags::MMAP_IO.bits();
        hdr.timeout = 20_000;
        hdr.pack_id = 1;
        let mut r = Report {
            ran: 1,
            sg_io: 0,
            status: -1,
            host_status: -1,
            resid: -1,
            write: 0,
            read: 0,
        };
        // SAFETY: an sg fd; cdb and sense live through the call; dxferp NULL (mmap-ed IO
        // into the shared reserve).
        match unsafe { raw::sg_io(fd, &mut hdr) } {
            Ok(()) => {
                r.status = i32::from(hdr.status);
                r.host_status = i32::from(hdr.host_status);
                r.resid = hdr.resid;
            }
            Err(e) => r.sg_io = e.raw_os_error(),
        }
        let mut tur = SgIoHdr::new();
        tur.cmd_len = 6;
        tur.cmdp = scsi::TEST_UNIT_READY.as_ptr();
        tur.timeout = 20_000;
        tur.pack_id = 2;
        // SAFETY: a request without data or sense buffer.
        if let Err(e) = unsafe { raw::write_request(fd, &tur) } {
            r.write = e.raw_os_error();
        }
        let mut back = SgIoHdr::new();
        // SAFETY: the only request it could return is the TUR above, which has no buffers.
        if let Err(e) = unsafe { raw::read_response(fd, &mut back) } {
            r.read = e.raw_os_error();
        }
        // SAFETY: the shared page is mapped in the child too and holds one Report.
        unsafe { (report_addr as *mut Report).write_volatile(r) };
        Ok(())
    };
    // SAFETY: `in_child` is async-signal-safe, as said above.
    unsafe { run_in_child(in_child) };
    // SAFETY: the page is shared with the child, which has exited; read through a raw pointer.
    let r = unsafe { (page as *const Report).read_volatile() };
    println!("child: {r:?}");
    assert_eq!(r.ran, 1, "the child ran");
    assert_eq!(r.sg_io, 0, "the child's SG_IO on the inherited fd works");
    assert_eq!((r.status, r.host_status, r.resid), (0, 0, 0), "{r:?}");
    let mut seen = vec![0u8; LEN];
    // SAFETY: `map` is LEN bytes of live mapping; copied out with a raw read.
    unsafe { ptr::copy_nonoverlapping(map.cast::<u8>(), seen.as_mut_ptr(), LEN) };
    assert_eq!(
        seen, data,
        "the child's mmap-ed data-in is in the parent's mapping"
    );
    assert_eq!(
        r.write,
        Errno::PERM.raw_os_error(),
        "the child's write(): {r:?}"
    );
    assert_eq!(
        r.read,
        Errno::PERM.raw_os_error(),
        "the child's read(): {r:?}"
    );
    // SAFETY: made above; no references into them.
    unsafe {
        raw::munmap(map, LEN).unwrap();
        rustix::mm::munmap(page, 4096).unwrap();
    }
}

/// What the child reports of its copy of the parent's `Device`, in the shared page.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
struct CopyReport {
    /// 1 once the child ran.
    ran: i32,
    /// 1 when the copy refused `mapping()` / `set_force_pack_id(false)`.
    mapping_refused: i32,
    force_pack_id_refused: i32,
    /// 1 once the copy's drop returned.
    dropped: i32,
}

#[test]
fn after_fork_the_childs_copy_of_a_device_waits_for_nothing_on_drop_and_refuses_the_reserve() {
    use sgmap_sys::{Command, Data, Device, Timeout};
    use std::time::{Duration, Instant};
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    dev.map().expect("map");
    let tur = Command::new(&scsi::TEST_UNIT_READY).timeout(Timeout::from_secs(20).unwrap());
    // The parent's request, finished and unread: a drop in the child that tried to collect
    // it would read() (EPERM there) again and again until its 20-second timeout.
    let id = dev.submit(&tur, Data::None).expect("submit");
    assert!(dev.poll_ready(20_000).expect("poll"), "TUR finished");
    let page = shared_page();
    let report_addr = page as usize;
    let dev_addr = &dev as *const Device as usize;
    let in_child = move || -> std::io::Result<()> {
        // A drop that does not return is ended here, after 3 s, by SIGALRM.
        // SAFETY: alarm() is async-signal-safe.
        unsafe { libc::alarm(3) };
        // SAFETY: the child's own copy of the parent's `Device` (fork copied the memory);
        // read out once and dropped once here. The parent's `dev` is never dropped in the
        // child, which leaves through the failed exec.
        let mut copy = unsafe { ptr::read(dev_addr as *const Device) };
        let mut r = CopyReport {
            ran: 1,
            mapping_refused: i32::from(copy.mapping().is_err()),
            force_pack_id_refused: i32::from(copy.set_force_pack_id(false).is_err()),
            dropped: 0,
        };
        drop(copy);
        r.dropped = 1;
        // SAFETY: as above.
        unsafe { libc::alarm(0) };
        // SAFETY: the shared page is mapped in the child too and holds one CopyReport.
        unsafe { (report_addr as *mut CopyReport).write_volatile(r) };
        Ok(())
    };
    let start = Instant::now();
    // SAFETY: the closure makes system calls and drops a Device (munmap, close, and the
    // release of its name, which musl's malloc allows in a forked child). A drop that does
    // not return is killed by its alarm, which run_in_child reports.
    unsafe { run_in_child(in_child) };
    let took = start.elapsed();
    // SAFETY: the page is shared with the child, which has exited.
    let r = unsafe { (page as *const CopyReport).read_volatile() };
    println!("child: {r:?} in {took:?}");
    assert_eq!((r.ran, r.dropped), (1, 1), "{r:?}");
    assert!(
        took < Duration::from_secs(2),
        "the child's drop took {took:?}"
    );
    assert_eq!(r.mapping_refused, 1, "the child reached the reserve: {r:?}");
    assert_eq!(
        r.force_pack_id_refused, 1,
        "the child changed the file's force-pack-id: {r:?}"
    );
    // The parent's request and mapping are untouched.
    let back = dev.wait(id).expect("the parent collects its request");
    assert_eq!(back.pack_id, id);
    dev.mapping().expect("the parent's mapping");
    // SAFETY: made above; no references into it.
    unsafe { rustix::mm::munmap(page, 4096).unwrap() };
}
