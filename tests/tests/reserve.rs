//! The reserve buffer and `mmap()` of an sg file: what the kernel grants and answers, and
//! that the library refuses before calling where the kernel would fail or go wrong.

use std::ffi::c_void;
use std::ptr;

use rustix::io::Errno;
use rustix::mm::{MapFlags, ProtFlags};
use sgmap_sys::raw;
use sgmap_sys::{ErrorKind, MapRequest, Refusal};
use sgmap_tests::scsi;
use sgmap_tests::Devices;

const PAGE: usize = 4096;

/// `mmap()` of a raw sg fd; the error if it fails.
fn raw_map(
    fd: &rustix::fd::OwnedFd,
    len: usize,
    flags: MapFlags,
    offset: u64,
) -> Result<*mut c_void, Errno> {
    // SAFETY: no MAP_FIXED; the tests read the memory only through raw pointers.
    unsafe { raw::mmap(fd, len, ProtFlags::READ | ProtFlags::WRITE, flags, offset) }
}

fn raw_unmap(p: *mut c_void, len: usize) {
    // SAFETY: `p` is a mapping of `len` bytes made by raw_map; no reference points into it.
    unsafe { raw::munmap(p, len) }.expect("munmap");
}

fn raw_set_reserve(fd: &rustix::fd::OwnedFd, bytes: i32) -> Result<(), Errno> {
    // SAFETY: `fd` is an sg node (raw_open checked its major).
    unsafe { raw::set_reserved_size(fd, bytes) }
}

#[test]
fn reserve_is_read_back_and_capped_at_blksectget() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let cap = dev.max_transfer_bytes().expect("BLKSECTGET");
    let granted = dev.set_reserved_size(8 << 20).expect("set 8 MiB");
    println!("asked 8 MiB, granted {granted}, BLKSECTGET {cap}");
    assert_eq!(granted, cap.min(8 << 20), "granted {granted}, cap {cap}");
    assert_eq!(dev.accounting().reserve(), granted);
    if devices.scsi_debug.is_some() {
        // sd caps max_sectors at scsi_debug's optimal transfer length, opt_blks (1024)
        // logical blocks: 512 KiB with 512-byte sectors, 4 MiB with 4096-byte ones.
        let opt_blks: u32 = std::fs::read_to_string("/sys/module/scsi_debug/parameters/opt_blks")
            .expect("scsi_debug opt_blks")
            .trim()
            .parse()
            .expect("opt_blks");
        assert_eq!(granted, (opt_blks * devices.sector_size).min(8 << 20));
    }
    // The same through the raw ioctls: the kernel returns 0 and grants less.
    let fd = scsi::raw_open(&devices.sg);
    raw_set_reserve(&fd, 8 << 20).expect("raw SG_SET_RESERVED_SIZE 8 MiB");
    assert_eq!(scsi::raw_reserve(&fd) as u32, granted);
    // Below a page the kernel builds a page (sg.c: sg_build_reserve() raises `req_size` to
    // PAGE_SIZE); above, it rounds to 512 bytes only (sg_build_indirect(): ALIGN(size,
    // SG_SECTOR_SZ)). Both are below every device's cap.
    let page = rustix::param::page_size() as i32;
    raw_set_reserve(&fd, 1000).expect("raw SG_SET_RESERVED_SIZE 1000");
    assert_eq!(scsi::raw_reserve(&fd), page, "asked 1000: one page");
    raw_set_reserve(&fd, page + 1).expect("raw SG_SET_RESERVED_SIZE page + 1");
    assert_eq!(
        scsi::raw_reserve(&fd),
        page + 512,
        "asked a page and a byte: 512-aligned, not page-aligned"
    );
    assert_eq!(
        raw_set_reserve(&fd, -1),
        Err(Errno::INVAL),
        "a negative size"
    );
}

#[test]
fn reserve_of_66048_maps_only_its_page_rounded_down_65536() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    assert_eq!(
        dev.set_reserved_size_exact(66048).expect("set 66048"),
        66048
    );
    // The kernel: 69632 (66048 rounded up to a page) exceeds the reserve.
    let fd = scsi::raw_open(&devices.sg);
    raw_set_reserve(&fd, 66048).expect("raw set 66048");
    assert_eq!(scsi::raw_reserve(&fd), 66048);
    assert_eq!(
        raw_map(&fd, 69632, MapFlags::SHARED, 0).err(),
        Some(Errno::NOMEM)
    );
    assert_eq!(
        raw_map(&fd, 66048, MapFlags::SHARED, 0).err(),
        Some(Errno::NOMEM)
    );
    let p = raw_map(&fd, 65536, MapFlags::SHARED, 0).expect("mmap 65536 of a 66048 reserve");
    raw_unmap(p, 65536);
    // The library maps exactly the page-rounded-down length, and refuses the longer one.
    let e = dev
        .map_exact(MapRequest {
            len: 66048,
            offset: 0,
            shared: true,
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Refused, "{e}");
    assert!(
        matches!(
            e.refusal(),
            Some(Refusal::MapTooLong {
                len: 69632,
                reserve: 66048
            })
        ),
        "{e}"
    );
    assert!(!dev.accounting().mmap_called(), "refused before any mmap()");
    assert_eq!(dev.map().expect("map"), 65536);
    assert_eq!(dev.mapping().expect("mapping").len(), 65536);
}

#[test]
fn mmap_longer_than_reserve_is_enomem_and_refused_first() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    let reserve = scsi::raw_reserve(&fd) as usize;
    let too_long = (reserve / PAGE + 1) * PAGE;
    assert_eq!(
        raw_map(&fd, too_long, MapFlags::SHARED, 0).err(),
        Some(Errno::NOMEM)
    );

    let mut dev = scsi::open(&devices.sg);
    let e = dev
        .map_exact(MapRequest {
            len: too_long as u64,
            offset: 0,
            shared: true,
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Refused, "{e}");
    assert_eq!(e.errno(), None, "no system call was made");
    assert!(
        matches!(e.refusal(), Some(Refusal::MapTooLong { .. })),
        "{e}"
    );
    assert_eq!(
        e.category().code(),
        62,
        "50 + ENOMEM, as if the kernel had said it"
    );
    assert!(!dev.accounting().mmap_called());
    // Not marked by the kernel either: the reserve can still be resized.
    dev.set_reserved_size(reserve as u64 * 2)
        .expect("resize after a refused mmap");
}

#[test]
fn mmap_at_an_offset_or_of_length_0_is_einval_and_refused_first() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    assert_eq!(
        raw_map(&fd, PAGE, MapFlags::SHARED, PAGE as u64).err(),
        Some(Errno::INVAL)
    );
    assert_eq!(
        raw_map(&fd, 0, MapFlags::SHARED, 0).err(),
        Some(Errno::INVAL)
    );

    let mut dev = scsi::open(&devices.sg);
    let e = dev
        .map_exact(MapRequest {
            len: PAGE as u64,
            offset: PAGE as u64,
            shared: true,
        })
        .unwrap_err();
    assert!(
        matches!(e.refusal(), Some(Refusal::MapOffset { offset: 4096 })),
        "{e}"
    );
    let e = dev
        .map_exact(MapRequest {
            len: 0,
            offset: 0,
            shared: true,
        })
        .unwrap_err();
    assert_eq!(e.refusal(), Some(Refusal::MapEmpty), "{e}");
    assert!(!dev.accounting().mmap_called());
}

#[test]
fn map_private_is_refused_by_the_library_though_the_kernel_accepts_it() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    // The kernel accepts MAP_PRIVATE, but its copy-on-write pages are not the reserve.
    let shared = raw_map(&fd, PAGE, MapFlags::SHARED, 0).expect("MAP_SHARED");
    let private = raw_map(&fd, PAGE, MapFlags::PRIVATE, 0).expect("MAP_PRIVATE is accepted");
    // SAFETY: both are live mappings of at least one page, used through raw pointers only.
    unsafe {
        ptr::write_bytes(shared.cast::<u8>(), 0x11, PAGE);
        ptr::write_volatile(private.cast::<u8>(), 0x77);
        assert_eq!(
            ptr::read_volatile(shared.cast::<u8>()),
            0x11,
            "a private write reached the reserve"
        );
    }
    raw_unmap(private, PAGE);
    raw_unmap(shared, PAGE);

    let mut dev = scsi::open(&devices.sg);
    let e = dev
        .map_exact(MapRequest {
            len: PAGE as u64,
            offset: 0,
            shared: false,
        })
        .unwrap_err();
    assert_eq!(e.refusal(), Some(Refusal::MapPrivate), "{e}");
    assert_eq!(e.errno(), None);
    assert!(!dev.accounting().mmap_called());
}

#[test]
fn resize_after_mmap_is_ebusy_even_after_munmap_and_same_size_is_ok() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    let reserve = scsi::raw_reserve(&fd);
    let p = raw_map(&fd, PAGE, MapFlags::SHARED, 0).expect("mmap");
    assert_eq!(
        raw_set_reserve(&fd, reserve * 2),
        Err(Errno::BUSY),
        "after mmap"
    );
    raw_unmap(p, PAGE);
    assert_eq!(
        raw_set_reserve(&fd, reserve * 2),
        Err(Errno::BUSY),
        "after munmap"
    );
    assert_eq!(raw_set_reserve(&fd, reserve), Ok(()), "the same size again");

    let mut dev = scsi::open(&devices.sg);
    let reserve = dev.accounting().reserve();
    dev.map().expect("map");
    let e = dev.set_reserved_size(u64::from(reserve) * 2).unwrap_err();
    assert!(
        matches!(e.refusal(), Some(Refusal::ReserveAfterMmap { .. })),
        "{e}"
    );
    assert_eq!(e.category().code(), 66, "50 + EBUSY");
    dev.unmap().expect("unmap");
    let e = dev.set_reserved_size(u64::from(reserve) * 2).unwrap_err();
    assert!(
        matches!(e.refusal(), Some(Refusal::ReserveAfterMmap { .. })),
        "after unmap: {e}"
    );
    assert_eq!(
        dev.set_reserved_size(u64::from(reserve))
            .expect("same size"),
        reserve
    );
}

#[test]
fn resize_while_a_request_holds_the_reserve_is_ebusy() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    let reserve = scsi::raw_reserve(&fd);
    // An indirect request whose data fits the reserve borrows it until it is read.
    let mut data = vec![0u8; devices.sector_size as usize];
    let mut sense = [0u8; 96];
    let cdb = scsi::read10(0, 1);
    let mut hdr = sgmap_sys::sgmap_core::abi::SgIoHdr::new();
    hdr.dxfer_direction = -3;
    hdr.cmd_len = 10;
    hdr.cmdp = cdb.as_ptr();
    hdr.dxfer_len = data.len() as u32;
    hdr.dxferp = data.as_mut_ptr().cast();
    hdr.mx_sb_len = 96;
    hdr.sbp = sense.as_mut_ptr();
    hdr.timeout = 10_000;
    hdr.pack_id = 9;
    // SAFETY: `fd` is sg; cdb, data and sense outlive the request, which is read below.
    let n = unsafe { raw::write_request(&fd, &hdr) }.expect("write");
    assert_eq!(n, raw::HDR_LEN);
    assert_eq!(
        raw_set_reserve(&fd, reserve * 2),
        Err(Errno::BUSY),
        "reserve in use"
    );
    let mut back = sgmap_sys::sgmap_core::abi::SgIoHdr::new();
    let start = std::time::Instant::now();
    loop {
        // SAFETY: the only request on `fd` is the one above, whose buffers are alive.
        match unsafe { raw::read_response(&fd, &mut back) } {
            Ok(_) => break,
            Err(Errno::AGAIN) if start.elapsed().as_secs() < 20 => {
                std::thread::sleep(std::time::Duration::from_millis(5))
            }
            Err(e) => panic!("read: {e}"),
        }
    }
    assert_eq!(back.pack_id, 9);
    raw_set_reserve(&fd, reserve * 2).expect("resize once the request was read");
}

#[test]
fn several_mmaps_of_one_fd_see_the_same_bytes() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    let a = raw_map(&fd, PAGE * 2, MapFlags::SHARED, 0).expect("first mmap");
    let b = raw_map(&fd, PAGE, MapFlags::SHARED, 0).expect("second mmap");
    assert_ne!(a, b);
    // SAFETY: live mappings, raw pointer access only.
    unsafe {
        ptr::write_bytes(a.cast::<u8>(), 0x3c, PAGE);
        assert_eq!(ptr::read_volatile(b.cast::<u8>().add(100)), 0x3c);
        ptr::write_volatile(b.cast::<u8>().add(7), 0xc3);
        assert_eq!(ptr::read_volatile(a.cast::<u8>().add(7)), 0xc3);
    }
    raw_unmap(a, PAGE * 2);
    raw_unmap(b, PAGE);
}

#[test]
fn mapping_survives_close_of_the_file() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    let p = raw_map(&fd, PAGE, MapFlags::SHARED, 0).expect("mmap");
    // SAFETY: a live mapping, raw pointer access only.
    unsafe { ptr::write_bytes(p.cast::<u8>(), 0x5e, PAGE) };
    drop(fd);
    // SAFETY: the mapping keeps the file (and its reserve) alive after close().
    unsafe {
        assert_eq!(ptr::read_volatile(p.cast::<u8>().add(PAGE - 1)), 0x5e);
        ptr::write_volatile(p.cast::<u8>(), 0x01);
        assert_eq!(ptr::read_volatile(p.cast::<u8>()), 0x01);
    }
    raw_unmap(p, PAGE);
}
