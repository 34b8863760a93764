//! fork(): the child shares the mapping and the reserve. Its `SG_IO` with mmap-ed IO lands in
//! the parent's mapping; its `read()`/`write()` on the inherited file are refused.
//!
//! The child runs inside `std::process::Command::pre_exec` (the child side of `fork()`),
//! makes only raw system calls, writes its results into a shared anonymous page, and fails
//! the `exec` on purpose so that `spawn()` returns to the parent.

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
    // SAFETY: as above.
    let page = unsafe {
        rustix::mm::mmap_anonymous(
            ptr::null_mut(),
            4096,
            ProtFlags::READ | ProtFlags::WRITE,
            MapFlags::SHARED,
        )
    }
    .expect("shared page");
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
        // Fail the exec on purpose: spawn() returns this error in the parent.
        Err(std::io::Error::from_raw_os_error(
            Errno::CHILD.raw_os_error(),
        ))
    };
    let mut child = Process::new("/nonexistent/sgmap-fork-child");
    // SAFETY: `in_child` is async-signal-safe, as said above.
    unsafe { child.pre_exec(in_child) };
    let spawned = child.spawn();
    match spawned {
        Err(e) if e.raw_os_error() == Some(Errno::CHILD.raw_os_error()) => {}
        Err(e) => panic!("the child failed otherwise: {e}"),
        Ok(mut c) => {
            let _ = c.kill();
            panic!("the child exec-ed");
        }
    }
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
