//! Mmap-ed IO with `SG_IO`: the data goes through the mapped reserve, equals what the other
//! paths read and write, only its valid part is ever handed out, and the kernel's own
//! answers where the library refuses first.

use rustix::io::Errno;
use sgmap_sys::raw;
use sgmap_sys::sgmap_core::abi::SgIoHdr;
use sgmap_sys::{Command, Data, ErrorKind, Outcome, Refusal, SgFlags, Timeout};
use sgmap_tests::scsi::{self, lba_of};
use sgmap_tests::{Devices, SenseFormat};

/// This file's region of the disk: 1 MiB in.
const REGION: u64 = 1 << 20;
const LEN: usize = 16384;

/// A raw SG_IO of an mmap-ed request on `fd` with the given tweaks; the errno if it fails.
fn raw_mmap_sg_io(
    fd: &rustix::fd::OwnedFd,
    tweak: impl FnOnce(&mut SgIoHdr),
) -> Result<SgIoHdr, Errno> {
    let cdb = scsi::read10(0, 1);
    let mut sense = [0u8; 96];
    let mut hdr = SgIoHdr::new();
    hdr.dxfer_direction = -3;
    hdr.cmd_len = 10;
    hdr.cmdp = cdb.as_ptr();
    hdr.mx_sb_len = 96;
    hdr.sbp = sense.as_mut_ptr();
    hdr.timeout = 10_000;
    hdr.flags = SgFlags::MMAP_IO.bits();
    tweak(&mut hdr);
    // SAFETY: `fd` is sg; cmdp and sbp point to live buffers; dxferp is NULL or whatever the
    // tweak set, which the tests keep valid for the call.
    unsafe { raw::sg_io(fd, &mut hdr) }.map(|()| hdr)
}

#[test]
fn mmap_read_equals_indirect_read_and_the_block_device() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let data = scsi::pattern(0x11, LEN);
    scsi::write_indirect(&devices, &mut dev, REGION, &data);

    dev.set_reserved_size(LEN as u64).expect("reserve");
    dev.map().expect("map");
    dev.mapping_mut().expect("mapping_mut").fill(0);
    let cdb = scsi::read10(lba_of(&devices, REGION), scsi::blocks_of(&devices, LEN));
    let r = dev
        .execute(&Command::new(&cdb), Data::MmapIn(LEN as u32))
        .expect("mmap READ(10)");
    scsi::expect_good(&r, "mmap READ(10)");
    assert_eq!(r.valid, LEN as u32);
    assert_eq!(
        dev.valid_data().expect("valid_data"),
        &data[..],
        "mmap-ed data-in"
    );
    assert_eq!(
        scsi::read_indirect(&devices, &mut dev, REGION, LEN),
        data,
        "indirect"
    );
    assert_eq!(
        scsi::read_block_direct(&devices.block, REGION, LEN),
        data,
        "the block device with O_DIRECT"
    );
}

#[test]
fn mmap_write_reads_back_identical_by_other_paths() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    dev.set_reserved_size(LEN as u64).expect("reserve");
    dev.map().expect("map");
    let data = scsi::pattern(0x22, LEN);
    dev.mapping_mut().expect("mapping_mut")[..LEN].copy_from_slice(&data);
    let offset = REGION + LEN as u64;
    let cdb = scsi::write10(lba_of(&devices, offset), scsi::blocks_of(&devices, LEN));
    let r = dev
        .execute(&Command::new(&cdb), Data::MmapOut(LEN as u32))
        .expect("mmap WRITE(10)");
    scsi::expect_good(&r, "mmap WRITE(10)");
    let mut other = scsi::open(&devices.sg);
    assert_eq!(
        scsi::read_indirect(&devices, &mut other, offset, LEN),
        data,
        "indirect"
    );
    assert_eq!(
        scsi::read_block_direct(&devices.block, offset, LEN),
        data,
        "block device"
    );
}

#[test]
fn resid_is_honoured_and_the_stale_tail_never_returned() {
    let devices = Devices::from_env();
    let block = devices.sector_size as usize;
    let mut dev = scsi::open(&devices.sg);
    let data = scsi::pattern(0x33, block);
    let offset = REGION + 2 * LEN as u64;
    scsi::write_indirect(&devices, &mut dev, offset, &data);
    dev.set_reserved_size(2 * block as u64).expect("reserve");
    dev.map().expect("map");
    dev.mapping_mut().expect("mapping_mut").fill(0xa5);
    // READ(10) of one block into a transfer of two: the device sends one block and reports
    // a residual count.
    let cdb = scsi::read10(lba_of(&devices, offset), 1);
    let r = dev
        .execute(&Command::new(&cdb), Data::MmapIn(2 * block as u32))
        .expect("READ(10) with a long transfer");
    assert!(r.is_good(), "{r:?}");
    assert!(r.resid > 0, "a residual count: {r:?}");
    let valid_len = 2 * block - r.resid as usize;
    assert_eq!(r.valid as usize, valid_len, "{r:?}");
    let valid = dev.valid_data().expect("valid_data");
    assert_eq!(valid.len(), valid_len, "valid_data follows resid: {r:?}");
    assert_eq!(valid, &data[..valid_len]);
    let whole = dev.mapping().expect("mapping");
    println!(
        "READ(10) of 1 block into 2: {r:?}; mapping {:02x?} … {:02x?}",
        &whole[..8],
        &whole[block..block + 8]
    );
    if devices.scsi_debug.is_some() {
        // scsi_debug sends exactly the CDB's block and leaves the rest of the reserve as it
        // was: the stale tail is there, and valid_data stops before it.
        assert_eq!(r.resid, block as i32, "{r:?}");
        assert_eq!(&whole[..block], &data[..]);
        assert!(
            whole[block..2 * block].iter().all(|&b| b == 0xa5),
            "the kernel left the planted tail alone (it does not clear the reserve)"
        );
    } else {
        // QEMU's scsi-hd (virtio-scsi) writes the block and zeros over the rest of the
        // buffer, and reports resid equal to the whole transfer: valid_data is then empty,
        // as the resid says, though the block is there.
        assert_eq!(r.resid, 2 * block as i32, "{r:?}");
        assert_eq!(&whole[..block], &data[..]);
        assert!(
            whole[block..2 * block].iter().all(|&b| b == 0),
            "QEMU zeroes the tail"
        );
    }
}

#[test]
fn scsi_debug_short_transfer_sets_resid_and_valid_data_excludes_the_tail() {
    let devices = Devices::from_env();
    let sdebug = devices.scsi_debug();
    let len = 4 * devices.sector_size as usize;
    let mut dev = scsi::open(&devices.sg);
    let offset = REGION + 3 * LEN as u64;
    let data = scsi::pattern(0x44, len);
    scsi::write_indirect(&devices, &mut dev, offset, &data);
    dev.set_reserved_size(len as u64).expect("reserve");
    dev.map().expect("map");
    dev.mapping_mut().expect("mapping_mut").fill(0xa5);
    let cdb = scsi::read10(lba_of(&devices, offset), scsi::blocks_of(&devices, len));
    let r = {
        let _inject = sdebug.inject(0x100, 1); // SDEBUG_OPT_SHORT_TRANSFER on every command
        dev.execute(&Command::new(&cdb), Data::MmapIn(len as u32))
            .expect("short READ(10)")
    };
    println!("short transfer: {r:?}");
    assert!(r.is_good(), "{r:?}");
    assert_eq!(r.resid, (len / 2) as i32, "half the data: {r:?}");
    let valid = dev.valid_data().expect("valid_data");
    assert_eq!(valid, &data[..len / 2]);
    assert!(dev.mapping().unwrap()[len / 2..len]
        .iter()
        .all(|&b| b == 0xa5));
}

#[test]
fn read_past_the_end_fails_with_05_21_00_category_22_and_no_valid_data() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    dev.map().expect("map");
    let block = devices.sector_size;
    let cdb = scsi::read10(u32::MAX - 1, 1);
    let r = dev
        .execute(&Command::new(&cdb), Data::MmapIn(block))
        .expect("the ioctl succeeds, the command fails");
    println!("READ past the end: {r:?}");
    assert!(!r.is_good());
    assert_eq!(r.status, 0x02, "CHECK CONDITION");
    assert_eq!(r.driver_status & 0x0f, 0x08, "DRIVER_SENSE");
    let sense = r.sense();
    let (key, asc, ascq) = sgmap_sys::sgmap_core::status::sense_key_asc(sense).expect("sense");
    assert_eq!((key, asc, ascq), (0x5, 0x21, 0x00), "{sense:02x?}");
    // The format the guest init announces for the phase (SGMAP_SENSE_FORMAT): scsi_debug's
    // dsense parameter, and for QEMU's disk fixed, which scsi_build_sense() always builds.
    let expected_code = match devices.sense_format {
        SenseFormat::Fixed => 0x70,
        SenseFormat::Descriptor => 0x72,
    };
    assert_eq!(
        sense[0] & 0x7f,
        expected_code,
        "phase {}: {:?} sense expected: {sense:02x?}",
        devices.phase,
        devices.sense_format
    );
    assert!(matches!(r.outcome(), Outcome::CheckCondition { .. }));
    assert_eq!(r.category().code(), 22);
    assert_eq!(r.valid, 0);
    assert!(dev.valid_data().expect("valid_data").is_empty());
}

#[test]
fn mmap_with_direct_io_is_einval_and_refused_first() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    let _ = raw_mmap_and_keep(&fd);
    let r = raw_mmap_sg_io(&fd, |h| {
        h.dxfer_len = 512;
        h.flags |= SgFlags::DIRECT_IO.bits();
    });
    assert_eq!(r.err(), Some(Errno::INVAL));

    let mut dev = scsi::open(&devices.sg);
    dev.map().expect("map");
    let cdb = scsi::read10(0, 1);
    let cmd = Command::new(&cdb).flags(SgFlags::DIRECT_IO);
    let e = dev
        .execute(&cmd, Data::MmapIn(devices.sector_size))
        .unwrap_err();
    assert_eq!(e.refusal(), Some(Refusal::MmapWithDirectIo), "{e}");
    assert_eq!(dev.accounting().in_flight(), 0);
}

/// Maps one page of `fd` for the rest of the test (the driver does not check it, but an
/// mmap-ed request of a real program would have it).
fn raw_mmap_and_keep(fd: &rustix::fd::OwnedFd) -> *mut std::ffi::c_void {
    // SAFETY: no MAP_FIXED; never referenced from Rust.
    unsafe {
        raw::mmap(
            fd,
            4096,
            rustix::mm::ProtFlags::READ | rustix::mm::ProtFlags::WRITE,
            rustix::mm::MapFlags::SHARED,
            0,
        )
    }
    .expect("mmap")
}

#[test]
fn mmap_request_longer_than_the_reserve_is_enomem_and_refused_first() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    let reserve = scsi::raw_reserve(&fd) as u32;
    let _ = raw_mmap_and_keep(&fd);
    let r = raw_mmap_sg_io(&fd, |h| h.dxfer_len = reserve + 512);
    assert_eq!(r.err(), Some(Errno::NOMEM));
    // Also with dxfer_len 0? The checks come before any data: a NULL-length mmap request
    // on a free reserve is fine.
    let r = raw_mmap_sg_io(&fd, |h| {
        h.dxfer_len = 0;
        h.dxfer_direction = -1;
        h.cmdp = scsi::TEST_UNIT_READY.as_ptr();
        h.cmd_len = 6;
    });
    assert!(r.is_ok(), "{r:?}");

    let mut dev = scsi::open(&devices.sg);
    dev.map().expect("map");
    let reserve = dev.accounting().reserve();
    let cdb = scsi::read10(0, 1);
    let e = dev
        .execute(&Command::new(&cdb), Data::MmapIn(reserve + 512))
        .unwrap_err();
    assert!(
        matches!(e.refusal(), Some(Refusal::MmapLongerThanReserve { .. })),
        "{e}"
    );
    assert_eq!(e.kind(), ErrorKind::Refused);
}

#[test]
fn mmap_to_from_dev_with_null_dxferp_is_efault_and_refused_first() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    let _ = raw_mmap_and_keep(&fd);
    let r = raw_mmap_sg_io(&fd, |h| {
        h.dxfer_len = 512;
        h.dxfer_direction = -4; // SG_DXFER_TO_FROM_DEV
    });
    println!("mmap TO_FROM_DEV with dxferp NULL: {:?}", r.as_ref().err());
    assert_eq!(r.err(), Some(Errno::FAULT));

    // The library cannot build such a request; the accounting refuses it with that errno.
    let mut dev = scsi::open(&devices.sg);
    dev.map().expect("map");
    let cdb = scsi::read10(0, 1);
    let mut hdr = SgIoHdr::new();
    hdr.cmd_len = 10;
    hdr.cmdp = cdb.as_ptr();
    hdr.dxfer_direction = -4;
    hdr.dxfer_len = 512;
    hdr.flags = SgFlags::MMAP_IO.bits();
    let refusal = dev.accounting().check_submit(&hdr).unwrap_err();
    assert!(
        matches!(refusal, Refusal::MmapDirection { .. }),
        "{refusal}"
    );
    assert_eq!(refusal.errno(), Some(Errno::FAULT.raw_os_error()));
}

#[test]
fn mmap_with_iovec_and_null_dxferp_is_efault() {
    let devices = Devices::from_env();
    let fd = scsi::raw_open(&devices.sg);
    let _ = raw_mmap_and_keep(&fd);
    let r = raw_mmap_sg_io(&fd, |h| {
        h.dxfer_len = 512;
        h.iovec_count = 1;
    });
    println!(
        "mmap with iovec_count 1 and dxferp NULL: {:?}",
        r.as_ref().err()
    );
    assert_eq!(r.err(), Some(Errno::FAULT), "{r:?}");

    let mut dev = scsi::open(&devices.sg);
    dev.map().expect("map");
    // The library never builds such a request; the accounting refuses it if asked.
    let mut hdr = SgIoHdr::new();
    hdr.cmd_len = 10;
    let cdb = scsi::read10(0, 1);
    hdr.cmdp = cdb.as_ptr();
    hdr.dxfer_direction = -3;
    hdr.dxfer_len = 512;
    hdr.flags = SgFlags::MMAP_IO.bits();
    hdr.iovec_count = 1;
    assert_eq!(
        dev.accounting().check_submit(&hdr),
        Err(Refusal::MmapWithIovec)
    );
    assert_eq!(
        Refusal::MmapWithIovec.errno(),
        Some(Errno::FAULT.raw_os_error()),
        "the kernel's answer, as the accounting says it"
    );
}

#[test]
fn a_request_borrowing_the_reserve_clobbers_the_mapping_and_valid_data() {
    let devices = Devices::from_env();
    let block = devices.sector_size as usize;
    let mut dev = scsi::open(&devices.sg);
    let offset = REGION + 4 * LEN as u64;
    let a = scsi::pattern(0x55, block);
    let b = scsi::pattern(0x66, block);
    scsi::write_indirect(&devices, &mut dev, offset, &a);
    scsi::write_indirect(&devices, &mut dev, offset + block as u64, &b);
    dev.map().expect("map");
    let cdb = scsi::read10(lba_of(&devices, offset), 1);
    let r = dev
        .execute(
            &Command::new(&cdb).timeout(Timeout::from_secs(10).unwrap()),
            Data::MmapIn(block as u32),
        )
        .expect("mmap READ");
    scsi::expect_good(&r, "mmap READ");
    assert_eq!(dev.valid_data().unwrap(), &a[..]);
    // An indirect READ of the next block fits the free reserve: the driver copies it
    // through the reserve, so the mapped bytes now hold b, and valid_data says nothing.
    let got = scsi::read_indirect(&devices, &mut dev, offset + block as u64, block);
    assert_eq!(got, b);
    assert!(
        dev.valid_data().unwrap().is_empty(),
        "valid data invalidated"
    );
    assert_eq!(
        &dev.mapping().unwrap()[..block],
        &b[..],
        "the reserve was lent to the indirect read"
    );
}
