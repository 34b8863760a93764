//! The accounting's refusals against the real driver. For each rule that sgmap refuses before
//! any system call, the same call is made raw (a plain fd, `sgmap_sys::raw`), and the test
//! asserts what the kernel answers:
//!
//! - where the kernel refuses, its errno is the one the refusal carries ([`Refusal::errno`],
//!   read from the refusal the accounting gave for the very header handed to the kernel),
//!   and the literal that `drivers/scsi/sg.c` (Linux 6.1) returns, quoted beside it;
//! - where the kernel takes the call, the refusal carries no errno (the rule is sgmap's own),
//!   and the test shows what the kernel does instead.
//!
//! The accounting of each test mirrors its raw file: the page size, the reserve read back,
//! what is mapped and what is in flight. Requests go in with `write()` and out with
//! `read()` (sgmap-sys's one path), and the refused ones also with `SG_IO`, which shares
//! `sg_new_write()` and must answer alike.

use std::ffi::c_void;
use std::ptr;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::fd::OwnedFd;
use rustix::io::Errno;
use rustix::mm::{MapFlags, ProtFlags};
use sgmap_sys::raw;
use sgmap_sys::sgmap_core::abi::{Direction, SgIoHdr};
use sgmap_sys::{Accounting, Refusal, SgFlags};
use sgmap_tests::scsi::{self, lba_of};
use sgmap_tests::signal::Handler;
use sgmap_tests::Devices;

/// This file's region of the disk: 10 MiB in.
const REGION: u64 = 10 << 20;
/// Two pages: a transfer that can be longer than a one-page mapping.
const LEN: usize = 8192;

fn page() -> usize {
    rustix::param::page_size()
}

/// An accounting for the raw file `fd` as it is now: fresh, nothing mapped or in flight.
fn model(fd: &OwnedFd) -> Accounting {
    let mut acct = Accounting::new(page() as u32, scsi::raw_reserve(fd) as u32).expect("page");
    // SAFETY: `fd` is an sg node (raw_open checked its major).
    let cap = unsafe { raw::blksectget(fd) }.expect("BLKSECTGET");
    acct.set_cap(cap as u32);
    acct
}

/// The errno the refusal says the kernel gives.
#[track_caller]
fn said(refusal: Refusal) -> Errno {
    match refusal.errno() {
        Some(e) => Errno::from_raw_os_error(e),
        None => panic!("{refusal:?} ({refusal}) carries no kernel errno"),
    }
}

/// A v3 header for `cdb`, without sense buffer or data pointer, timeout 20 s.
fn header(cdb: &[u8], direction: Direction, len: u32, flags: SgFlags, pack_id: i32) -> SgIoHdr {
    let mut hdr = SgIoHdr::new();
    hdr.cmdp = cdb.as_ptr();
    hdr.cmd_len = cdb.len().min(255) as u8;
    hdr.dxfer_direction = direction.to_raw();
    hdr.dxfer_len = len;
    hdr.flags = flags.bits();
    hdr.pack_id = pack_id;
    hdr.timeout = 20_000;
    hdr
}

/// `SG_SET_RESERVED_SIZE` on a raw fd.
fn set_reserve(fd: &OwnedFd, bytes: i32) -> Result<(), Errno> {
    // SAFETY: `fd` is an sg node (raw_open checked its major).
    unsafe { raw::set_reserved_size(fd, bytes) }
}

/// What `write()` and `SG_IO` both answer to `hdr`, which the kernel must refuse.
///
/// # Safety
///
/// Every pointer in `hdr` is valid for what it describes (or NULL), should the kernel take
/// the request after all.
#[track_caller]
unsafe fn refused_both_ways(fd: &OwnedFd, hdr: &SgIoHdr) -> Errno {
    // SAFETY: the caller's promise.
    let by_write = unsafe { raw::write_request(fd, hdr) };
    let mut copy = *hdr;
    // SAFETY: as above.
    let by_sg_io = unsafe { raw::sg_io(fd, &mut copy) };
    match (by_write, by_sg_io) {
        (Err(a), Err(b)) if a == b => a,
        other => panic!("write() and SG_IO of {hdr:?}: {other:?}"),
    }
}

/// Submits `hdr` with `write()`; the kernel must take it.
///
/// # Safety
///
/// As [`raw::write_request`]: the buffers of `hdr` stay valid until it is collected.
#[track_caller]
unsafe fn submit(fd: &OwnedFd, hdr: &SgIoHdr) {
    // SAFETY: the caller's promise.
    let n = unsafe { raw::write_request(fd, hdr) }
        .unwrap_or_else(|e| panic!("write() of pack id {}: {e}", hdr.pack_id));
    assert_eq!(n, raw::HDR_LEN);
}

/// Collects the request `pack_id` with `read()` (`SG_SET_FORCE_PACK_ID` on), waiting for it
/// in `poll()` for up to 20 s.
///
/// # Safety
///
/// The buffers of every request with that pack id are still valid.
#[track_caller]
unsafe fn collect(fd: &OwnedFd, pack_id: i32) -> SgIoHdr {
    // SAFETY: `fd` is an sg node.
    unsafe { raw::set_force_pack_id(fd, 1) }.expect("SG_SET_FORCE_PACK_ID");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut hdr = SgIoHdr::new();
        hdr.pack_id = pack_id;
        // Negative: read() takes the pack id from this header (sg.c: sg_read()).
        hdr.dxfer_direction = Direction::None.to_raw();
        // SAFETY: the caller's promise.
        match unsafe { raw::read_response(fd, &mut hdr) } {
            Ok(n) => {
                assert_eq!(n, raw::HDR_LEN);
                assert_eq!(hdr.pack_id, pack_id);
                return hdr;
            }
            Err(Errno::AGAIN) if Instant::now() < deadline => {
                let mut fds = [PollFd::new(fd, PollFlags::IN)];
                let ts = Timespec {
                    tv_sec: 0,
                    tv_nsec: 100_000_000,
                };
                let _ = rustix::event::poll(&mut fds, Some(&ts));
            }
            Err(e) => panic!("read() of pack id {pack_id}: {e}"),
        }
    }
}

/// Waits until `n` responses of `fd` are finished and unread (`SG_GET_NUM_WAITING`).
#[track_caller]
fn await_waiting(fd: &OwnedFd, n: i32) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        // SAFETY: `fd` is an sg node.
        let waiting = unsafe { raw::get_num_waiting(fd) }.expect("SG_GET_NUM_WAITING");
        if waiting == n {
            return;
        }
        assert!(Instant::now() < deadline, "{waiting} waiting, not {n}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[track_caller]
fn expect_good(hdr: &SgIoHdr, what: &str) {
    assert_eq!(
        (hdr.status, hdr.host_status, hdr.resid),
        (0, 0, 0),
        "{what}: {hdr:?}"
    );
}

/// A shared mapping of a raw sg fd, unmapped on drop; read only by copying out.
struct Mapping {
    ptr: *mut c_void,
    len: usize,
}

impl Mapping {
    fn new(fd: &OwnedFd, len: usize) -> Mapping {
        // SAFETY: no MAP_FIXED; the memory is used through raw pointers only.
        let ptr = unsafe {
            raw::mmap(
                fd,
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::SHARED,
                0,
            )
        }
        .unwrap_or_else(|e| panic!("mmap {len}: {e}"));
        Mapping { ptr, len }
    }

    fn bytes(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.len];
        // SAFETY: `len` bytes of live mapping, copied out while no request of the file runs.
        unsafe { ptr::copy_nonoverlapping(self.ptr.cast::<u8>(), v.as_mut_ptr(), self.len) };
        v
    }

    fn fill(&self, bytes: &[u8]) {
        assert!(bytes.len() <= self.len);
        // SAFETY: as in `bytes`.
        unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), self.ptr.cast::<u8>(), bytes.len()) };
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: mapped in `new`; no reference points into it.
        if let Err(e) = unsafe { raw::munmap(self.ptr, self.len) } {
            eprintln!("munmap: {e}");
        }
    }
}

/// Puts `data` on the disk at `offset` with the library (indirect WRITE on its own file).
fn put(devices: &Devices, offset: u64, data: &[u8]) {
    let mut dev = scsi::open(&devices.sg);
    scsi::write_indirect(devices, &mut dev, offset, data);
}

fn read_cmd(devices: &Devices, offset: u64, len: usize) -> [u8; 10] {
    scsi::read10(lba_of(devices, offset), scsi::blocks_of(devices, len))
}

#[test]
fn reserve_in_use_resize_is_the_kernels_ebusy() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    let mut acct = model(&fd);
    let asked = acct.reserve() / 2;
    // An indirect READ whose data fits the reserve borrows it until it is read.
    let block = devices.sector_size as usize;
    let mut data = vec![0u8; block];
    let cdb = read_cmd(&devices, REGION, block);
    let mut hdr = header(&cdb, Direction::FromDev, block as u32, SgFlags::empty(), 1);
    hdr.dxferp = data.as_mut_ptr().cast();
    let ticket = acct.submit(&hdr).expect("the accounting takes the READ");
    assert!(ticket.holds_reserve);
    let refusal = acct.check_reserve_exact(asked).unwrap_err();
    assert_eq!(refusal, Refusal::ReserveInUse);

    // SAFETY: `data` outlives the collection below; no sense buffer.
    unsafe { submit(&fd, &hdr) };
    let kernel = set_reserve(&fd, asked as i32).unwrap_err();
    assert_eq!(kernel, said(refusal));
    // sg.c sg_ioctl_common(), SG_SET_RESERVED_SIZE:
    // `if (sfp->mmap_called || sfp->res_in_use) { ... return -EBUSY; }`
    assert_eq!(kernel, Errno::BUSY);

    // SAFETY: `data` is alive.
    let back = unsafe { collect(&fd, 1) };
    expect_good(&back, "the READ");
    acct.complete(&back, &[]).expect("complete");
    assert_eq!(acct.check_reserve_exact(asked), Ok(()));
    set_reserve(&fd, asked as i32).expect("resize once the READ was read");
}

#[test]
fn reserve_too_large_for_an_int_is_the_kernels_einval() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    let acct = model(&fd);
    let before = scsi::raw_reserve(&fd);
    for asked in [1u32 << 31, 3 << 30, u32::MAX] {
        let refusal = acct.check_reserve_exact(asked).unwrap_err();
        assert_eq!(
            refusal,
            Refusal::ReserveTooLarge {
                asked: u64::from(asked)
            }
        );
        assert_eq!(
            acct.check_reserve(u64::from(asked)).map_err(|r| r.rule()),
            Err("reserve-too-large")
        );
        // The ioctl's argument is an int: these bits read as a negative one.
        let kernel = set_reserve(&fd, asked as i32).unwrap_err();
        assert_eq!(kernel, said(refusal), "{asked}");
        // sg.c SG_SET_RESERVED_SIZE: `if (val < 0) return -EINVAL;`
        assert_eq!(kernel, Errno::INVAL, "{asked}");
    }
    assert_eq!(scsi::raw_reserve(&fd), before, "the reserve did not change");
}

#[test]
fn interface_id_other_than_s_is_the_kernels_enosys() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    let acct = model(&fd);
    let mut hdr = header(
        &scsi::TEST_UNIT_READY,
        Direction::None,
        0,
        SgFlags::empty(),
        1,
    );
    hdr.interface_id = i32::from(b'Q');
    let refusal = acct.check_submit(&hdr).unwrap_err();
    assert_eq!(
        refusal,
        Refusal::InterfaceId {
            found: i32::from(b'Q')
        }
    );
    // SAFETY: no data or sense buffer; the CDB outlives the calls.
    let kernel = unsafe { refused_both_ways(&fd, &hdr) };
    assert_eq!(kernel, said(refusal));
    // sg.c sg_new_write(): `if (hp->interface_id != 'S') { ... return -ENOSYS; }`
    assert_eq!(kernel, Errno::NOSYS);
}

#[test]
fn cdb_length_outside_6_to_32_is_the_kernels_emsgsize_or_einval() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    let acct = model(&fd);
    // TEST UNIT READY and zeros: as long as any cmd_len reads.
    let cdb = [0u8; 256];
    for (len, literal) in [
        // sg.c sg_new_write(): `(hp->cmd_len < 6) || (hp->cmd_len > sizeof (cmnd))` (252)
        // → `return -EMSGSIZE;`
        (0u8, Errno::MSGSIZE),
        (5, Errno::MSGSIZE),
        (253, Errno::MSGSIZE),
        (255, Errno::MSGSIZE),
        // sg.c sg_start_req(): `if (hp->cmd_len > sizeof(scmd->cmnd))` (32) `return -EINVAL;`
        (33, Errno::INVAL),
        (252, Errno::INVAL),
    ] {
        let mut hdr = header(&cdb, Direction::None, 0, SgFlags::empty(), 1);
        hdr.cmd_len = len;
        let refusal = acct.check_submit(&hdr).unwrap_err();
        assert_eq!(refusal, Refusal::CdbLength { len });
        // SAFETY: the 256-byte CDB covers any cmd_len; no data or sense buffer.
        let kernel = unsafe { refused_both_ways(&fd, &hdr) };
        assert_eq!(kernel, said(refusal), "cmd_len {len}");
        assert_eq!(kernel, literal, "cmd_len {len}");
    }
    // The bounds themselves are taken by both.
    for len in [6u8, 32] {
        let mut hdr = header(&cdb, Direction::None, 0, SgFlags::empty(), 1);
        hdr.cmd_len = len;
        assert!(acct.check_submit(&hdr).is_ok(), "cmd_len {len}");
        // SAFETY: as above.
        let r = unsafe { raw::sg_io(&fd, &mut hdr) };
        assert_eq!(r, Ok(()), "cmd_len {len}: {hdr:?}");
    }
}

#[test]
fn cdb_missing_is_the_kernels_emsgsize() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    let acct = model(&fd);
    for len in [6u8, 10, 40] {
        let mut hdr = header(
            &scsi::TEST_UNIT_READY,
            Direction::None,
            0,
            SgFlags::empty(),
            1,
        );
        hdr.cmdp = ptr::null();
        hdr.cmd_len = len;
        let refusal = acct.check_submit(&hdr).unwrap_err();
        assert_eq!(refusal, Refusal::CdbMissing);
        // SAFETY: no CDB, data or sense buffer to read or write.
        let kernel = unsafe { refused_both_ways(&fd, &hdr) };
        assert_eq!(kernel, said(refusal), "cmd_len {len}");
        // sg.c sg_new_write(): `if ((!hp->cmdp) || ...) { ... return -EMSGSIZE; }`
        assert_eq!(kernel, Errno::MSGSIZE, "cmd_len {len}");
    }
}

#[test]
fn dxfer_too_long_256_mib_is_the_kernels_einval_and_an_mmap_one_is_enomem_first() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    let acct = model(&fd);
    let cdb = read_cmd(&devices, REGION, devices.sector_size as usize);
    let hdr = header(&cdb, Direction::FromDev, 256 << 20, SgFlags::empty(), 1);
    let refusal = acct.check_submit(&hdr).unwrap_err();
    assert_eq!(refusal, Refusal::DxferTooLong { len: 256 << 20 });
    // SAFETY: refused before any buffer is set up (dxferp NULL would fail the copy anyway).
    let kernel = unsafe { refused_both_ways(&fd, &hdr) };
    assert_eq!(kernel, said(refusal));
    // sg.c sg_common_write(): `if (hp->dxfer_len >= SZ_256M) { ... return -EINVAL; }`
    assert_eq!(kernel, Errno::INVAL);

    // With the mmap flag the reserve's check comes first, in the kernel and in the model.
    let hdr = header(&cdb, Direction::FromDev, 256 << 20, SgFlags::MMAP_IO, 1);
    let refusal = acct.check_submit(&hdr).unwrap_err();
    assert_eq!(refusal.rule(), "mmap-longer-than-reserve");
    // SAFETY: as above; an mmap-ed request has no data pointer.
    let kernel = unsafe { refused_both_ways(&fd, &hdr) };
    assert_eq!(kernel, said(refusal));
    // sg.c sg_new_write(): `if (hp->dxfer_len > sfp->reserve.bufflen) { ... return -ENOMEM; }`
    assert_eq!(kernel, Errno::NOMEM);
}

#[test]
fn mmap_direction_to_from_dev_is_the_kernels_efault_and_unknown_is_taken_as_data_in() {
    let devices = Devices::from_env();
    let block = devices.sector_size as usize;
    let data = scsi::pattern(0xa1, block);
    put(&devices, REGION, &data);
    let fd = scsi::raw_open(&devices.sg);
    let mut acct = model(&fd);
    let map = Mapping::new(&fd, page());
    acct.mapped(page() as u32);
    let cdb = read_cmd(&devices, REGION, block);

    let hdr = header(
        &cdb,
        Direction::ToFromDev,
        block as u32,
        SgFlags::MMAP_IO,
        1,
    );
    let refusal = acct.check_submit(&hdr).unwrap_err();
    assert_eq!(
        refusal,
        Refusal::MmapDirection {
            direction: Direction::ToFromDev
        }
    );
    // SAFETY: dxferp NULL, no sense buffer: the kernel can write only the reserve.
    let kernel = unsafe { refused_both_ways(&fd, &hdr) };
    assert_eq!(kernel, said(refusal));
    // sg.c sg_start_req() sets `md->from_user = 1` for TO_FROM_DEV, so blk_rq_map_user()
    // copies the data in from dxferp, which is NULL: bio_copy_from_iter() fails, -EFAULT.
    assert_eq!(kernel, Errno::FAULT);

    // Without data nothing is copied: both take it.
    let mut hdr = header(
        &scsi::TEST_UNIT_READY,
        Direction::ToFromDev,
        0,
        SgFlags::MMAP_IO,
        2,
    );
    assert!(acct.check_submit(&hdr).is_ok());
    // SAFETY: no data or sense buffer.
    assert_eq!(unsafe { raw::sg_io(&fd, &mut hdr) }, Ok(()), "{hdr:?}");

    // UNKNOWN: refused by sgmap alone; the kernel moves the data in, as for FROM_DEV.
    map.fill(&vec![0xa5; page()]);
    let hdr = header(&cdb, Direction::Unknown, block as u32, SgFlags::MMAP_IO, 3);
    let refusal = acct.check_submit(&hdr).unwrap_err();
    assert_eq!(
        refusal,
        Refusal::MmapDirection {
            direction: Direction::Unknown
        }
    );
    assert_eq!(refusal.errno(), None);
    // SAFETY: dxferp NULL, no sense buffer; collected below.
    unsafe { submit(&fd, &hdr) };
    // SAFETY: the request has no buffer of the caller's.
    let back = unsafe { collect(&fd, 3) };
    expect_good(&back, "mmap READ with direction UNKNOWN");
    assert_eq!(
        &map.bytes()[..block],
        &data[..],
        "the data-in is in the mapping"
    );
}

#[test]
fn mmap_with_iovec_and_data_is_the_kernels_efault_and_without_data_is_taken() {
    let devices = Devices::from_env();
    let block = devices.sector_size;
    let fd = scsi::raw_open(&devices.sg);
    let mut acct = model(&fd);
    let _map = Mapping::new(&fd, page());
    acct.mapped(page() as u32);
    let cdb = read_cmd(&devices, REGION, block as usize);
    let mut hdr = header(&cdb, Direction::FromDev, block, SgFlags::MMAP_IO, 1);
    hdr.iovec_count = 1;
    let refusal = acct.check_submit(&hdr).unwrap_err();
    assert_eq!(refusal, Refusal::MmapWithIovec);
    // SAFETY: the iovec array would be at dxferp, NULL: the kernel reads nothing of ours.
    let kernel = unsafe { refused_both_ways(&fd, &hdr) };
    assert_eq!(kernel, said(refusal));
    // sg.c sg_start_req(): `import_iovec(rw, hp->dxferp, iov_count, ...)` copies the array
    // from dxferp, NULL: -EFAULT.
    assert_eq!(kernel, Errno::FAULT);

    // Without data sg_start_req() returns before it looks at the iovecs: both take it.
    let mut hdr = header(
        &scsi::TEST_UNIT_READY,
        Direction::FromDev,
        0,
        SgFlags::MMAP_IO,
        2,
    );
    hdr.iovec_count = 1;
    assert!(acct.check_submit(&hdr).is_ok());
    // SAFETY: no data or sense buffer.
    assert_eq!(unsafe { raw::sg_io(&fd, &mut hdr) }, Ok(()), "{hdr:?}");
}

#[test]
fn duplicate_pack_id_is_taken_by_the_kernel_and_read_returns_the_oldest() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    let mut acct = model(&fd);
    let mut first = header(
        &scsi::TEST_UNIT_READY,
        Direction::None,
        0,
        SgFlags::empty(),
        7,
    );
    first.usr_ptr = ptr::without_provenance_mut(1);
    let mut second = first;
    second.usr_ptr = ptr::without_provenance_mut(2);
    acct.submit(&first).expect("the first");
    let refusal = acct.check_submit(&second).unwrap_err();
    assert_eq!(refusal, Refusal::DuplicatePackId { pack_id: 7 });
    assert_eq!(refusal.errno(), None);

    // SAFETY: requests without data or sense buffers.
    unsafe {
        submit(&fd, &first);
        submit(&fd, &second);
    }
    // SAFETY: `fd` is an sg node.
    let table = unsafe { raw::get_request_table(&fd) }.expect("SG_GET_REQUEST_TABLE");
    assert_eq!(
        table
            .iter()
            .filter(|r| r.req_state != 0 && r.pack_id == 7)
            .count(),
        2,
        "both are the kernel's: {table:?}"
    );
    await_waiting(&fd, 2);
    // SAFETY: neither request has a buffer.
    let (a, b) = unsafe { (collect(&fd, 7), collect(&fd, 7)) };
    // sg.c sg_get_rq_mark(): the first finished request on the list with that pack id.
    assert_eq!(
        (a.usr_ptr.addr(), b.usr_ptr.addr()),
        (1, 2),
        "read() gives the oldest: the caller cannot choose"
    );
}

#[test]
fn mmap_without_mapping_is_taken_by_the_kernel_and_the_data_lands_in_the_unmapped_reserve() {
    let devices = Devices::from_env();
    let data = scsi::pattern(0xa2, LEN);
    put(&devices, REGION, &data);
    let fd = scsi::raw_open(&devices.sg);
    let acct = model(&fd);
    let cdb = read_cmd(&devices, REGION, LEN);
    let hdr = header(&cdb, Direction::FromDev, LEN as u32, SgFlags::MMAP_IO, 1);
    let refusal = acct.check_submit(&hdr).unwrap_err();
    assert_eq!(refusal, Refusal::MmapWithoutMapping);
    assert_eq!(refusal.errno(), None);

    // SAFETY: dxferp NULL, no sense buffer.
    unsafe { submit(&fd, &hdr) };
    // SAFETY: no buffer of the caller's.
    let back = unsafe { collect(&fd, 1) };
    expect_good(&back, "mmap READ with nothing mapped");
    // The data went to the reserve, where a mapping made now finds it.
    let map = Mapping::new(&fd, LEN);
    assert_eq!(map.bytes(), data);
}

#[test]
fn mmap_longer_than_mapping_is_taken_by_the_kernel_and_the_data_runs_on_past_the_mapping() {
    let devices = Devices::from_env();
    let data = scsi::pattern(0xa3, LEN);
    put(&devices, REGION, &data);
    let fd = scsi::raw_open(&devices.sg);
    let mut acct = model(&fd);
    let map = Mapping::new(&fd, page());
    acct.mapped(page() as u32);
    map.fill(&vec![0xa5; page()]);
    let cdb = read_cmd(&devices, REGION, LEN);
    let hdr = header(&cdb, Direction::FromDev, LEN as u32, SgFlags::MMAP_IO, 1);
    let refusal = acct.check_submit(&hdr).unwrap_err();
    assert_eq!(
        refusal,
        Refusal::MmapLongerThanMapping {
            len: LEN as u32,
            mapped: page() as u32
        }
    );
    assert_eq!(refusal.errno(), None);

    // SAFETY: dxferp NULL, no sense buffer.
    unsafe { submit(&fd, &hdr) };
    // SAFETY: no buffer of the caller's.
    let back = unsafe { collect(&fd, 1) };
    expect_good(&back, "mmap READ longer than the mapping");
    assert_eq!(map.bytes(), &data[..page()]);
    let whole = Mapping::new(&fd, LEN);
    assert_eq!(
        whole.bytes(),
        data,
        "the rest is in the reserve past the mapping"
    );
}

#[test]
fn mmap_data_pointer_is_taken_by_the_kernel_which_copies_through_it_both_ways() {
    let devices = Devices::from_env();
    let on_disk = scsi::pattern(0xa4, LEN);
    put(&devices, REGION, &on_disk);
    let fd = scsi::raw_open(&devices.sg);
    let mut acct = model(&fd);
    let map = Mapping::new(&fd, LEN);
    acct.mapped(LEN as u32);

    // Data-in: the bytes reach dxferp as well as the mapping.
    map.fill(&[0u8; LEN]);
    let mut buf = vec![0u8; LEN];
    let cdb = read_cmd(&devices, REGION, LEN);
    let mut hdr = header(&cdb, Direction::FromDev, LEN as u32, SgFlags::MMAP_IO, 1);
    hdr.dxferp = buf.as_mut_ptr().cast();
    let refusal = acct.check_submit(&hdr).unwrap_err();
    assert_eq!(refusal, Refusal::MmapDataPointer);
    assert_eq!(refusal.errno(), None);
    // SAFETY: `buf` outlives the collection; no sense buffer.
    unsafe { submit(&fd, &hdr) };
    // SAFETY: `buf` is alive.
    let back = unsafe { collect(&fd, 1) };
    expect_good(&back, "mmap READ with a data pointer");
    assert_eq!(buf, on_disk, "copied out to dxferp");
    assert_eq!(map.bytes(), on_disk, "and in the mapping");

    // Data-out: dxferp's bytes reach the device, not the mapping's, and overwrite them.
    let in_mapping = scsi::pattern(0xb1, LEN);
    let at_pointer = scsi::pattern(0xb2, LEN);
    map.fill(&in_mapping);
    let offset = REGION + LEN as u64;
    let cdb = scsi::write10(lba_of(&devices, offset), scsi::blocks_of(&devices, LEN));
    let mut hdr = header(&cdb, Direction::ToDev, LEN as u32, SgFlags::MMAP_IO, 2);
    hdr.dxferp = at_pointer.as_ptr().cast_mut().cast();
    assert_eq!(acct.check_submit(&hdr), Err(Refusal::MmapDataPointer));
    // SAFETY: the kernel only reads `at_pointer` (data-out), which outlives the collection.
    unsafe { submit(&fd, &hdr) };
    // SAFETY: as above.
    let back = unsafe { collect(&fd, 2) };
    expect_good(&back, "mmap WRITE with a data pointer");
    let mut dev = scsi::open(&devices.sg);
    assert_eq!(
        scsi::read_indirect(&devices, &mut dev, offset, LEN),
        at_pointer,
        "the device got dxferp's bytes"
    );
    assert_eq!(map.bytes(), at_pointer, "copied over the mapped bytes");
}

#[test]
fn orphaned_request_never_read_holds_the_reserve_and_the_kernel_takes_other_requests() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    let mut acct = model(&fd);
    let asked = acct.reserve() / 2;
    // A request the caller gave up: sgmap-sys never reads such a one (its buffers may be
    // gone). An indirect READ that fits the reserve borrows it.
    let block = devices.sector_size as usize;
    let mut data = vec![0u8; block];
    let cdb = read_cmd(&devices, REGION, block);
    let mut hdr = header(&cdb, Direction::FromDev, block as u32, SgFlags::empty(), 1);
    hdr.dxferp = data.as_mut_ptr().cast();
    assert!(acct.submit(&hdr).expect("submit").holds_reserve);
    // SAFETY: `data` outlives the request (read at the end of the test).
    unsafe { submit(&fd, &hdr) };
    acct.orphan(1).expect("orphan");
    await_waiting(&fd, 1);

    // Finished, but not read: the kernel still counts the reserve as in use.
    let refusal = acct.check_reserve_exact(asked).unwrap_err();
    assert_eq!(refusal, Refusal::Orphaned);
    assert_eq!(refusal.errno(), None);
    assert_eq!(set_reserve(&fd, asked as i32), Err(Errno::BUSY));
    // An mmap request meets the same reserve: EBUSY, which the accounting says as
    // ReserveBusy (the holder is known).
    let mmap_cdb = read_cmd(&devices, REGION, block);
    let mmap = header(
        &mmap_cdb,
        Direction::FromDev,
        block as u32,
        SgFlags::MMAP_IO,
        2,
    );
    // SAFETY: dxferp NULL, no sense buffer.
    let kernel = unsafe { refused_both_ways(&fd, &mmap) };
    assert_eq!(kernel, Errno::BUSY);
    // A request without data is the kernel's as usual; sgmap refuses it all the same.
    let tur = header(
        &scsi::TEST_UNIT_READY,
        Direction::None,
        0,
        SgFlags::empty(),
        3,
    );
    assert_eq!(acct.check_submit(&tur), Err(Refusal::Orphaned));
    // SAFETY: no buffers.
    unsafe { submit(&fd, &tur) };
    // SAFETY: the TUR has no buffers; the READ (pack id 1) is not returned for pack id 3.
    let back = unsafe { collect(&fd, 3) };
    assert_eq!(back.host_status, 0, "{back:?}");
    // So the kernel's answer depends on the operation: no one errno stands for the rule.
    // Reading the request at last lets the reserve go.
    // SAFETY: `data` is alive.
    let back = unsafe { collect(&fd, 1) };
    expect_good(&back, "the READ read at last");
    set_reserve(&fd, asked as i32).expect("resize once it was read");
}

#[test]
fn scsi_debug_orphaned_sg_io_holds_the_reserve_only_until_it_completes() {
    let devices = Devices::from_env();
    // 100 jiffies: the READ takes 0.4 s at HZ=250; the handler's signal comes at 0.1 s.
    let count = scsi::count_commands(&devices, &devices.sg, 100, || {
        let fd = scsi::raw_open(&devices.sg);
        let mut acct = model(&fd);
        let asked = acct.reserve() / 2;
        let block = devices.sector_size as usize;
        // Kept to the end: the kernel never copies into it (an orphan's data is dropped in
        // a workqueue, without the caller's address space: blk-map.c bio_uncopy_user()).
        let mut data = vec![0u8; block];
        let cdb = read_cmd(&devices, REGION, block);
        let mut hdr = header(&cdb, Direction::FromDev, block as u32, SgFlags::empty(), 1);
        hdr.dxferp = data.as_mut_ptr().cast();
        assert!(acct.submit(&hdr).expect("submit").holds_reserve);
        let handler = Handler::install(false, 1);
        // SAFETY: `data` outlives the request, which never writes it (see above).
        let r = unsafe { raw::sg_io(&fd, &mut hdr) };
        assert!(handler.finish() >= 1, "the handler ran");
        assert_eq!(r, Err(Errno::INTR), "a handler without SA_RESTART: {hdr:?}");
        acct.orphan(1).expect("orphan");
        let refusal = acct.check_reserve_exact(asked).unwrap_err();
        assert_eq!(refusal, Refusal::Orphaned);
        assert_eq!(refusal.errno(), None);

        // The kernel: EBUSY while the orphan runs...
        // SAFETY: `fd` is an sg node.
        let table = unsafe { raw::get_request_table(&fd) }.expect("request table");
        assert!(
            table.iter().any(|r| r.orphan == 1 && r.req_state == 1),
            "the orphan is in flight: {table:?}"
        );
        assert_eq!(set_reserve(&fd, asked as i32), Err(Errno::BUSY));
        // ...and nothing once it completes: the driver frees an orphan by itself
        // (keep_orphan 0; sg.c sg_rq_end_io() hands it to sg_rq_end_io_usercontext()).
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            // SAFETY: as above.
            let table = unsafe { raw::get_request_table(&fd) }.expect("request table");
            if table.iter().all(|r| r.req_state == 0) {
                break;
            }
            assert!(Instant::now() < deadline, "the orphan stays: {table:?}");
            std::thread::sleep(Duration::from_millis(10));
        }
        set_reserve(&fd, asked as i32).expect("resize once the orphan completed");
        drop(data);
    });
    assert_eq!(count, 1, "the orphaned READ reached the device once");
}
