//! Host tests: golden `sg_io_hdr` byte images of the requests this crate builds, and the
//! parts of the API that need no kernel.

use core::mem::{offset_of, size_of};
use core::ptr;

use sgmap_core::abi::{SgFlags, SgIoHdr};

use crate::io::{header, holds_buffer, lends_pages, req_state, still_listed};
use crate::raw::{header_bytes, header_from_bytes, HDR_LEN};
use crate::{Command, Data, Timeout};

/// Fixed addresses for the pointer fields, so that the images are reproducible.
const CDB_ADDR: usize = 0x1122_3340;
const SENSE_ADDR: usize = 0x5566_7780;

fn fix_pointers(hdr: &mut SgIoHdr) {
    hdr.cmdp = ptr::without_provenance(CDB_ADDR);
    hdr.sbp = ptr::without_provenance_mut(SENSE_ADDR);
}

/// The byte ranges of the header's fields: the rest is padding.
fn field_ranges() -> [(usize, usize); 22] {
    macro_rules! r {
        ($f:ident, $t:ty) => {
            (offset_of!(SgIoHdr, $f), size_of::<$t>())
        };
    }
    [
        r!(interface_id, i32),
        r!(dxfer_direction, i32),
        r!(cmd_len, u8),
        r!(mx_sb_len, u8),
        r!(iovec_count, u16),
        r!(dxfer_len, u32),
        r!(dxferp, usize),
        r!(cmdp, usize),
        r!(sbp, usize),
        r!(timeout, u32),
        r!(flags, u32),
        r!(pack_id, i32),
        r!(usr_ptr, usize),
        r!(status, u8),
        r!(masked_status, u8),
        r!(msg_status, u8),
        r!(sb_len_wr, u8),
        r!(host_status, u16),
        r!(driver_status, u16),
        r!(resid, i32),
        r!(duration, u32),
        r!(info, u32),
    ]
}

/// Checks that the header's own memory (what `ioctl(SG_IO)` hands the kernel) holds the
/// golden bytes in every field, viewed field by field (padding is never read: it is not
/// initialized memory).
fn assert_memory_matches(hdr: &SgIoHdr, golden: &[u8; HDR_LEN]) {
    let base = ptr::from_ref(hdr).cast::<u8>();
    for (at, len) in field_ranges() {
        // SAFETY: `at..at + len` is one field of `*hdr` (offset_of/size_of), so the bytes are
        // initialized and inside the borrowed struct for the slice's life.
        let field = unsafe { core::slice::from_raw_parts(base.add(at), len) };
        assert_eq!(field, &golden[at..at + len], "field at offset {at}");
    }
}

#[cfg(target_pointer_width = "64")]
fn golden_read10_mmap() -> [u8; HDR_LEN] {
    let mut g = [0u8; 88];
    g[0..4].copy_from_slice(&(b'S' as i32).to_ne_bytes());
    g[4..8].copy_from_slice(&(-3i32).to_ne_bytes()); // SG_DXFER_FROM_DEV
    g[8] = 10; // cmd_len
    g[9] = 96; // mx_sb_len
    g[12..16].copy_from_slice(&4096u32.to_ne_bytes());
    // 16..24 dxferp: NULL, zero copy
    g[24..32].copy_from_slice(&(CDB_ADDR as u64).to_ne_bytes());
    g[32..40].copy_from_slice(&(SENSE_ADDR as u64).to_ne_bytes());
    g[40..44].copy_from_slice(&5000u32.to_ne_bytes()); // timeout in ms
    g[44..48].copy_from_slice(&4u32.to_ne_bytes()); // SG_FLAG_MMAP_IO
    g[48..52].copy_from_slice(&7i32.to_ne_bytes()); // pack_id
    g
}

#[cfg(target_pointer_width = "32")]
fn golden_read10_mmap() -> [u8; HDR_LEN] {
    let mut g = [0u8; 64];
    g[0..4].copy_from_slice(&(b'S' as i32).to_ne_bytes());
    g[4..8].copy_from_slice(&(-3i32).to_ne_bytes());
    g[8] = 10;
    g[9] = 96;
    g[12..16].copy_from_slice(&4096u32.to_ne_bytes());
    g[20..24].copy_from_slice(&(CDB_ADDR as u32).to_ne_bytes());
    g[24..28].copy_from_slice(&(SENSE_ADDR as u32).to_ne_bytes());
    g[28..32].copy_from_slice(&5000u32.to_ne_bytes());
    g[32..36].copy_from_slice(&4u32.to_ne_bytes());
    g[36..40].copy_from_slice(&7i32.to_ne_bytes());
    g
}

#[test]
fn mmap_read10_data_in_4096_has_golden_header_bytes() {
    // READ(10) of 8 blocks of 512 at LBA 0x1234.
    let cdb = [0x28, 0, 0, 0, 0x12, 0x34, 0, 0, 8, 0];
    let cmd = Command::new(&cdb).timeout(Timeout::from_millis(5000).unwrap());
    let mut hdr = header(&cmd, &mut Data::MmapIn(4096), 7, ptr::null_mut());
    assert_eq!(hdr.cmdp, cdb.as_ptr(), "cmdp points at the caller's CDB");
    assert!(
        hdr.dxferp.is_null(),
        "mmap-ed IO is zero copy only with dxferp NULL"
    );
    fix_pointers(&mut hdr);
    let golden = golden_read10_mmap();
    assert_eq!(header_bytes(&hdr), golden);
    assert_memory_matches(&hdr, &golden);
}

#[test]
fn test_unit_ready_without_data_has_golden_header_bytes() {
    let cdb = [0u8; 6];
    let cmd = Command::new(&cdb);
    let mut hdr = header(&cmd, &mut Data::None, 1, ptr::null_mut());
    fix_pointers(&mut hdr);
    let mut golden = [0u8; HDR_LEN];
    let put = |g: &mut [u8; HDR_LEN], at: usize, v: &[u8]| g[at..at + v.len()].copy_from_slice(v);
    put(&mut golden, 0, &(b'S' as i32).to_ne_bytes());
    put(&mut golden, 4, &(-1i32).to_ne_bytes()); // SG_DXFER_NONE
    golden[8] = 6;
    golden[9] = 96;
    put(
        &mut golden,
        offset_of!(SgIoHdr, cmdp),
        &CDB_ADDR.to_ne_bytes(),
    );
    put(
        &mut golden,
        offset_of!(SgIoHdr, sbp),
        &SENSE_ADDR.to_ne_bytes(),
    );
    put(
        &mut golden,
        offset_of!(SgIoHdr, timeout),
        &60_000u32.to_ne_bytes(),
    );
    put(
        &mut golden,
        offset_of!(SgIoHdr, pack_id),
        &1i32.to_ne_bytes(),
    );
    assert_eq!(header_bytes(&hdr), golden);
    assert_memory_matches(&hdr, &golden);
}

#[test]
fn indirect_write_and_direct_read_carry_the_callers_buffer() {
    let cdb = [0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0];
    let out = [0x5au8; 512];
    let cmd = Command::new(&cdb).flags(crate::SgFlags::Q_AT_TAIL);
    let hdr = header(&cmd, &mut Data::Out(&out), 3, ptr::null_mut());
    let b = header_bytes(&hdr);
    assert_eq!(&b[4..8], &(-2i32).to_ne_bytes(), "SG_DXFER_TO_DEV");
    assert_eq!(&b[12..16], &512u32.to_ne_bytes());
    let at = offset_of!(SgIoHdr, dxferp);
    assert_eq!(
        &b[at..at + size_of::<usize>()],
        &out.as_ptr().addr().to_ne_bytes()
    );
    let at = offset_of!(SgIoHdr, flags);
    assert_eq!(&b[at..at + 4], &0x10u32.to_ne_bytes(), "Q_AT_TAIL only");

    let mut buf = [0u8; 1024];
    let cmd = Command::new(&cdb[..]);
    let hdr = header(&cmd, &mut Data::DirectIn(&mut buf), 4, ptr::null_mut());
    assert_eq!(hdr.flags, 0x1, "SG_FLAG_DIRECT_IO");
    assert_eq!(hdr.dxfer_direction, -3);
    assert_eq!(hdr.dxfer_len, 1024);
}

#[test]
fn direct_io_set_through_command_flags_is_waited_for_as_data_direct_is() {
    // execute() waits for the kernel to let go of a direct transfer's pages when the device
    // goes away; SG_FLAG_DIRECT_IO set through Command::flags on a Data::In buffer is the
    // same direct transfer (it was given up as a copied one).
    let cdb = [0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0];
    let mut buf = [0u8; 512];
    let plain = Command::new(&cdb[..]);
    let flagged = plain.flags(SgFlags::DIRECT_IO);
    assert!(lends_pages(&header(
        &flagged,
        &mut Data::In(&mut buf),
        1,
        ptr::null_mut()
    )));
    assert!(lends_pages(&header(
        &flagged,
        &mut Data::Out(&buf),
        2,
        ptr::null_mut()
    )));
    assert!(lends_pages(&header(
        &plain,
        &mut Data::DirectIn(&mut buf),
        3,
        ptr::null_mut()
    )));
    assert!(!lends_pages(&header(
        &plain,
        &mut Data::In(&mut buf),
        4,
        ptr::null_mut()
    )));
    // No buffer, no pages lent (and an mmap-ed one with direct IO the accounting refuses).
    assert!(!lends_pages(&header(
        &flagged,
        &mut Data::None,
        5,
        ptr::null_mut()
    )));
    assert!(!lends_pages(&header(
        &flagged,
        &mut Data::MmapIn(512),
        6,
        ptr::null_mut()
    )));
}

#[test]
fn a_request_table_the_kernel_could_not_give_is_asked_again_not_taken_as_finished() {
    use rustix::io::Errno;
    use sgmap_core::abi::{SgReqInfo, SG_MAX_QUEUE};
    let mut table = [SgReqInfo::default(); SG_MAX_QUEUE];
    table[3].pack_id = 7;
    table[3].req_state = 1;
    assert!(still_listed(Ok(table), 7), "in flight");
    assert!(!still_listed(Ok(table), 8), "not listed");
    table[3].req_state = 2;
    assert!(!still_listed(Ok(table), 7), "finished, not yet read");
    // No memory for the kernel's copy (kcalloc), or a signal: it says nothing of the request.
    for transient in [Errno::NOMEM, Errno::INTR, Errno::AGAIN] {
        assert!(still_listed(Err(transient), 7), "{transient}");
    }
    // The device gone: its requests are gone with it.
    for gone in [Errno::NODEV, Errno::NXIO, Errno::BADF] {
        assert!(!still_listed(Err(gone), 7), "{gone}");
    }
}

#[test]
fn a_data_in_buffer_is_held_until_collected_a_data_out_one_only_when_direct() {
    // The read() that collects a copied data-in writes its buffer, whoever makes it: such a
    // request is never given up while the kernel may hold it. A copied data-out was taken
    // at write() time.
    let cdb = [0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0];
    let mut buf = [0u8; 512];
    let cmd = Command::new(&cdb[..]);
    let held = |data: &mut Data<'_>| holds_buffer(&header(&cmd, data, 1, ptr::null_mut()));
    assert!(held(&mut Data::In(&mut buf)));
    assert!(held(&mut Data::DirectIn(&mut buf)));
    assert!(held(&mut Data::DirectOut(&buf)));
    assert!(!held(&mut Data::Out(&buf)));
    assert!(!held(&mut Data::None));
    assert!(!held(&mut Data::MmapIn(512)));
    assert!(!held(&mut Data::MmapOut(512)));
}

#[test]
fn a_request_off_the_kernels_list_is_state_0_and_an_unreadable_table_says_in_flight() {
    use rustix::io::Errno;
    use sgmap_core::abi::{SgReqInfo, SG_MAX_QUEUE};
    let mut table = [SgReqInfo::default(); SG_MAX_QUEUE];
    table[5].pack_id = 9;
    for state in [1, 2, 3] {
        table[5].req_state = state;
        assert_eq!(req_state(Ok(table), 9), state);
    }
    assert_eq!(req_state(Ok(table), 10), 0, "not on the list");
    // An unused entry whose pack id happens to match is not the request.
    table[5].req_state = 0;
    assert_eq!(req_state(Ok(table), 9), 0);
    assert_eq!(req_state(Err(Errno::NOMEM), 9), 1);
}

#[test]
fn header_bytes_round_trip_and_padding_is_zero() {
    let cdb = [0x12, 0, 0, 0, 36, 0];
    let mut hdr = header(
        &Command::new(&cdb),
        &mut Data::MmapOut(8192),
        42,
        ptr::null_mut(),
    );
    fix_pointers(&mut hdr);
    hdr.status = 2;
    hdr.masked_status = 1;
    hdr.sb_len_wr = 18;
    hdr.host_status = 3;
    hdr.driver_status = 8;
    hdr.resid = -5;
    hdr.duration = 77;
    hdr.info = 1;
    let bytes = header_bytes(&hdr);
    let back = header_from_bytes(&bytes);
    assert_eq!(header_bytes(&back), bytes);
    let mut covered = [false; HDR_LEN];
    for (at, len) in field_ranges() {
        covered[at..at + len].iter_mut().for_each(|c| *c = true);
    }
    for (i, c) in covered.iter().enumerate() {
        if !c {
            assert_eq!(bytes[i], 0, "padding byte {i}");
        }
    }
}

#[test]
fn oversized_cdb_and_buffer_saturate_for_the_accounting_to_refuse() {
    let cdb = [0u8; 300];
    let hdr = header(
        &Command::new(&cdb),
        &mut Data::MmapIn(1),
        1,
        ptr::null_mut(),
    );
    assert_eq!(hdr.cmd_len, 255);
    let mut acct = crate::Accounting::new(4096, 32768).unwrap();
    acct.mapped(32768);
    assert!(matches!(
        acct.check_submit(&hdr),
        Err(crate::Refusal::CdbLength { len: 255 })
    ));
}

#[test]
fn timeouts_are_never_zero() {
    assert_eq!(Timeout::from_millis(0), None);
    assert_eq!(Timeout::from_secs(0), None);
    assert_eq!(Timeout::from_secs(u32::MAX), None);
    assert_eq!(Timeout::from_secs(3).unwrap().as_millis(), 3000);
    assert_eq!(Timeout::DEFAULT.as_millis(), 60_000);
}

#[test]
fn only_buffers_the_kernel_never_keeps_are_async_safe() {
    let mut b = [0u8; 4];
    assert!(Data::None.is_async_safe());
    assert!(Data::MmapIn(4).is_async_safe());
    assert!(Data::MmapOut(4).is_async_safe());
    assert!(!Data::In(&mut b).is_async_safe());
    assert!(!Data::Out(&[1]).is_async_safe());
    assert!(!Data::DirectIn(&mut b).is_async_safe());
    assert!(!Data::DirectOut(&[1]).is_async_safe());
}

#[cfg(feature = "std")]
mod open {
    use crate::{Device, ErrorKind, FileKind};

    #[test]
    fn missing_path_is_not_found_with_its_name() {
        let e = Device::open("/nonexistent/sgmap-test").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.category().code(), 15);
        assert_eq!(
            e.to_string(),
            "/nonexistent/sgmap-test: open: No such file or directory (ENOENT)"
        );
    }

    #[test]
    fn directory_and_regular_file_are_refused_before_open() {
        let e = Device::open("/").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotSgDevice);
        assert_eq!(e.file_kind(), Some(FileKind::Directory));
        assert_eq!(e.to_string(), "/: open: a directory, not an sg device");
        let e = Device::open("/proc/self/exe").unwrap_err();
        assert_eq!(e.file_kind(), Some(FileKind::Regular));
        assert!(
            e.to_string().ends_with("a regular file, not an sg device"),
            "{e}"
        );
    }

    #[test]
    fn dev_null_is_refused_as_character_device_1_3() {
        let e = Device::open("/dev/null").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotSgDevice);
        assert_eq!(e.file_kind(), Some(FileKind::Char { major: 1, minor: 3 }));
        assert_eq!(
            e.to_string(),
            "/dev/null: open: character device 1:3, not an sg device (sg is major 21)"
        );
    }
}

mod messages {
    #[cfg(not(feature = "std"))]
    use std::string::ToString;

    use crate::error::{Detail, Error, Name, Op};
    use crate::{ErrorKind, FileKind, Refusal};
    use rustix::io::Errno;

    #[test]
    fn an_old_driver_is_named_with_its_version() {
        let e = Error::new(ErrorKind::NotSgDevice, Op::Open, &Name::new(b"/dev/sg0"))
            .with(Detail::OldDriver(20000));
        assert_eq!(
            e.to_string(),
            "/dev/sg0: open: sg driver version 20000 is older than 3.0 (30000)"
        );
        assert_eq!(e.category().code(), 15);
    }

    #[test]
    fn a_block_device_without_sg_node_says_so() {
        let kind = FileKind::Block {
            major: 259,
            minor: 0,
            sg: None,
        };
        let e = Error::new(
            ErrorKind::NotSgDevice,
            Op::Open,
            &Name::new(b"/dev/nvme0n1"),
        )
        .with(Detail::NotSg(kind));
        assert_eq!(
            e.to_string(),
            "/dev/nvme0n1: open: a block device (259:0), not an sg device; sysfs links no sg node to it"
        );
    }

    #[test]
    fn kernel_errors_name_the_operation_the_errno_and_the_reserve() {
        let e = Error::os(Op::Mmap(1 << 20), &Name::new(b"/dev/sg3"), Errno::NOMEM)
            .with(Detail::Reserve(524288));
        assert_eq!(
            e.to_string(),
            "/dev/sg3: mmap 1048576 bytes: Cannot allocate memory (ENOMEM; reserve is 524288 bytes)"
        );
        assert_eq!(e.category().code(), 62);
        let e = Error::os(Op::Collect(Some(7)), &Name::new(b"/dev/sg3"), Errno::INTR);
        assert_eq!(e.kind(), ErrorKind::Interrupted);
        assert_eq!(
            e.to_string(),
            "/dev/sg3: read (pack id 7): Interrupted system call (EINTR)"
        );
        assert_eq!(e.category().code(), 99);
    }

    #[test]
    fn an_unknown_outcome_is_never_io_interrupted() {
        let e = Error::os(Op::Execute(0x3b), &Name::new(b"/dev/sg3"), Errno::NODEV)
            .outcome_unknown()
            .with(Detail::Text("the command was sent; its outcome is unknown"));
        assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
        assert_eq!(
            e.to_string(),
            "/dev/sg3: command (opcode 0x3b): No such device (ENODEV; the command was sent; its outcome is unknown)"
        );
        assert_eq!(e.category().code(), 99);
        #[cfg(feature = "std")]
        {
            let io = std::io::Error::from(e);
            assert_ne!(io.kind(), std::io::ErrorKind::Interrupted);
            // An interrupted wait lost nothing: retrying it (as read_exact does) is right.
            let e = Error::os(Op::Collect(None), &Name::new(b"/dev/sg3"), Errno::INTR);
            assert_eq!(
                std::io::Error::from(e).kind(),
                std::io::ErrorKind::Interrupted
            );
        }
    }

    #[test]
    fn refusals_carry_the_kernels_category() {
        let e = Error::refused(
            Op::Submit(0x28),
            &Name::new(b"/dev/sg1"),
            Refusal::ReserveBusy { holder: 4 },
        );
        assert_eq!(e.kind(), ErrorKind::Refused);
        assert_eq!(e.errno(), None);
        assert_eq!(e.category().code(), 66);
        assert!(
            e.to_string().starts_with("/dev/sg1: write (opcode 0x28): "),
            "{e}"
        );
        assert!(!e.to_string().ends_with('.'), "{e}");
    }
}
