//! One test per rule of the module docs, named after the rule, and a randomized sequence test
//! against a small reference model.

use super::*;
use crate::abi::{SgIoHdr, SG_MAX_QUEUE};

const PAGE: u32 = 4096;
const CDB: [u8; 10] = [0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0];

fn acct(reserve: u32) -> Accounting {
    Accounting::new(PAGE, reserve).unwrap()
}

fn mapped(reserve: u32) -> Accounting {
    let mut a = acct(reserve);
    let len = a
        .check_map(MapRequest {
            len: u64::from(a.max_map_len()),
            offset: 0,
            shared: true,
        })
        .unwrap();
    a.mapped(len);
    a
}

fn req(pack_id: i32, dir: Direction, len: u32, flags: SgFlags) -> SgIoHdr {
    let mut h = SgIoHdr::new();
    h.cmdp = CDB.as_ptr();
    h.cmd_len = CDB.len() as u8;
    h.dxfer_direction = dir.to_raw();
    h.dxfer_len = len;
    h.flags = flags.bits();
    h.pack_id = pack_id;
    h
}

fn mmap_in(pack_id: i32, len: u32) -> SgIoHdr {
    req(pack_id, Direction::FromDev, len, SgFlags::MMAP_IO)
}

fn indirect_in(pack_id: i32, len: u32) -> SgIoHdr {
    // A non-mmap request carries a data pointer; its value is never dereferenced here.
    let mut h = req(pack_id, Direction::FromDev, len, SgFlags::empty());
    h.dxferp = core::ptr::NonNull::<u8>::dangling().as_ptr().cast();
    h
}

fn done(h: &SgIoHdr, resid: i32) -> SgIoHdr {
    let mut h = *h;
    h.resid = resid;
    h
}

#[test]
fn page_size_must_be_a_power_of_two() {
    assert_eq!(
        Accounting::new(3000, 32768).unwrap_err(),
        Refusal::PageSize { page_size: 3000 }
    );
    assert!(Accounting::new(16384, 32768).is_ok());
}

#[test]
fn reserve_size_is_rounded_up_to_a_page_before_the_ioctl() {
    let a = acct(32768);
    assert_eq!(a.check_reserve(1000), Ok(4096));
    assert_eq!(a.check_reserve(66048), Ok(69632));
    assert_eq!(a.check_reserve(65536), Ok(65536));
}

#[test]
fn reserve_too_large_for_an_int_is_refused() {
    let a = acct(32768);
    assert_eq!(
        a.check_reserve(1 << 31).unwrap_err().errno(),
        Some(errno::EINVAL)
    );
}

#[test]
fn reserve_after_mmap_is_ebusy_even_after_munmap() {
    let mut a = mapped(32768);
    let e = a.check_reserve(65536).unwrap_err();
    assert!(matches!(e, Refusal::ReserveAfterMmap { .. }));
    assert_eq!(e.errno(), Some(errno::EBUSY));
    a.unmapped();
    assert!(a.mmap_called());
    assert_eq!(
        a.check_reserve(65536).unwrap_err().rule(),
        "reserve-after-mmap"
    );
}

#[test]
fn reserve_same_size_after_mmap_is_allowed() {
    let a = mapped(32768);
    assert_eq!(a.check_reserve(32768), Ok(32768));
}

#[test]
fn reserve_after_mmap_compares_the_capped_size() {
    let mut a = acct(524288);
    a.set_cap(524288);
    let len = a
        .check_map(MapRequest {
            len: 4096,
            offset: 0,
            shared: true,
        })
        .unwrap();
    a.mapped(len);
    // 8 MiB is capped to 512 KiB, the size the reserve already has: the kernel accepts it.
    assert!(a.check_reserve(8 << 20).is_ok());
    assert!(a.check_reserve(65536).is_err());
}

#[test]
fn reserve_in_use_by_a_request_is_ebusy() {
    let mut a = acct(32768);
    a.submit(&indirect_in(1, 512)).unwrap();
    assert_eq!(a.check_reserve(65536), Err(Refusal::ReserveInUse));
}

#[test]
fn map_offset_must_be_zero() {
    let a = acct(32768);
    let e = a
        .check_map(MapRequest {
            len: 4096,
            offset: 4096,
            shared: true,
        })
        .unwrap_err();
    assert_eq!(e, Refusal::MapOffset { offset: 4096 });
    assert_eq!(e.errno(), Some(errno::EINVAL));
}

#[test]
fn map_length_zero_is_einval() {
    let a = acct(32768);
    let e = a
        .check_map(MapRequest {
            len: 0,
            offset: 0,
            shared: true,
        })
        .unwrap_err();
    assert_eq!(e, Refusal::MapEmpty);
}

#[test]
fn map_length_is_page_rounded_and_must_fit_the_reserve() {
    // docs/kernel-facts.md (reserve.rs: reserve_of_66048_maps_only_its_page_rounded_down_65536):
    // a reserve of 66048 can map at most 65536; 69632 is ENOMEM.
    let a = acct(66048);
    assert_eq!(a.max_map_len(), 65536);
    let m = |len| {
        a.check_map(MapRequest {
            len,
            offset: 0,
            shared: true,
        })
    };
    assert_eq!(m(65536), Ok(65536));
    assert_eq!(m(65000), Ok(65536));
    let e = m(65537).unwrap_err();
    assert_eq!(
        e,
        Refusal::MapTooLong {
            len: 69632,
            reserve: 66048
        }
    );
    assert_eq!(e.errno(), Some(errno::ENOMEM));
    assert!(m(u64::MAX).is_err());
}

#[test]
fn map_must_be_shared() {
    let a = acct(32768);
    let e = a
        .check_map(MapRequest {
            len: 4096,
            offset: 0,
            shared: false,
        })
        .unwrap_err();
    assert_eq!(e, Refusal::MapPrivate);
    assert_eq!(e.errno(), None);
}

#[test]
fn mmap_request_needs_a_mapping() {
    let mut a = acct(32768);
    assert_eq!(
        a.submit(&mmap_in(1, 512)).unwrap_err(),
        Refusal::MmapWithoutMapping
    );
    assert_eq!(a.in_flight(), 0);
}

#[test]
fn mmap_request_must_fit_the_mapping() {
    let mut a = acct(65536);
    let len = a
        .check_map(MapRequest {
            len: 4096,
            offset: 0,
            shared: true,
        })
        .unwrap();
    a.mapped(len);
    assert_eq!(
        a.submit(&mmap_in(1, 8192)).unwrap_err(),
        Refusal::MmapLongerThanMapping {
            len: 8192,
            mapped: 4096
        }
    );
    assert!(a.submit(&mmap_in(1, 4096)).is_ok());
}

#[test]
fn mmap_request_longer_than_the_reserve_is_enomem() {
    let mut a = mapped(32768);
    let e = a.submit(&mmap_in(1, 32769)).unwrap_err();
    assert_eq!(e.errno(), Some(errno::ENOMEM));
    assert_eq!(e.rule(), "mmap-longer-than-reserve");
}

#[test]
fn mmap_request_with_direct_io_is_einval() {
    let mut a = mapped(32768);
    let h = req(
        1,
        Direction::FromDev,
        512,
        SgFlags::MMAP_IO | SgFlags::DIRECT_IO,
    );
    let e = a.submit(&h).unwrap_err();
    assert_eq!(e, Refusal::MmapWithDirectIo);
    assert_eq!(e.errno(), Some(errno::EINVAL));
}

#[test]
fn mmap_request_must_have_a_null_data_pointer() {
    let mut a = mapped(32768);
    let mut h = mmap_in(1, 512);
    let mut buf = [0u8; 512];
    h.dxferp = buf.as_mut_ptr().cast();
    assert_eq!(a.submit(&h).unwrap_err(), Refusal::MmapDataPointer);
}

#[test]
fn mmap_request_with_data_must_not_use_iovecs_efault() {
    let mut a = mapped(32768);
    let mut h = mmap_in(1, 512);
    h.iovec_count = 2;
    let e = a.submit(&h).unwrap_err();
    assert_eq!(e, Refusal::MmapWithIovec);
    assert_eq!(e.errno(), Some(errno::EFAULT));
    // Without data sg_start_req() looks at no iovec: nothing to refuse.
    h.dxfer_len = 0;
    assert!(a.submit(&h).is_ok());
}

#[test]
fn mmap_request_direction_is_none_to_or_from_device() {
    let mut a = mapped(32768);
    for d in [Direction::None, Direction::ToDev, Direction::FromDev] {
        let t = a.submit(&req(7, d, 512, SgFlags::MMAP_IO)).unwrap();
        a.complete(&req(7, d, 512, SgFlags::MMAP_IO), &[]).unwrap();
        assert!(t.mmap);
    }
    for (d, errno) in [
        (Direction::ToFromDev, Some(errno::EFAULT)),
        (Direction::Unknown, None),
        (Direction::Other(9), None),
    ] {
        let e = a.submit(&req(8, d, 512, SgFlags::MMAP_IO)).unwrap_err();
        assert_eq!(e, Refusal::MmapDirection { direction: d });
        assert_eq!(e.errno(), errno, "{d:?}");
    }
    // TO_FROM_DEV without data copies nothing in: the kernel takes it, and so does this.
    let t = a
        .submit(&req(9, Direction::ToFromDev, 0, SgFlags::MMAP_IO))
        .unwrap();
    assert!(!t.holds_reserve);
    assert_eq!(
        a.submit(&req(10, Direction::Unknown, 0, SgFlags::MMAP_IO))
            .unwrap_err(),
        Refusal::MmapDirection {
            direction: Direction::Unknown
        }
    );
}

#[test]
fn one_mmap_request_in_flight_per_file() {
    let mut a = mapped(32768);
    a.submit(&mmap_in(1, 512)).unwrap();
    let e = a.submit(&mmap_in(2, 512)).unwrap_err();
    assert_eq!(e, Refusal::ReserveBusy { holder: 1 });
    assert_eq!(e.errno(), Some(errno::EBUSY));
    a.complete(&done(&mmap_in(1, 512), 0), &[]).unwrap();
    assert!(a.submit(&mmap_in(2, 512)).is_ok());
}

#[test]
fn indirect_request_that_fits_the_reserve_holds_it_and_clobbers_the_mapping() {
    let mut a = mapped(32768);
    a.submit(&mmap_in(1, 4096)).unwrap();
    a.complete(&done(&mmap_in(1, 4096), 0), &[]).unwrap();
    assert_eq!(a.valid_len(), 4096);
    let t = a.submit(&indirect_in(2, 512)).unwrap();
    assert!(t.holds_reserve && t.clobbers_mapping);
    assert_eq!(a.valid_len(), 0);
    assert_eq!(
        a.submit(&mmap_in(3, 512)).unwrap_err(),
        Refusal::ReserveBusy { holder: 2 }
    );
    assert_eq!(
        a.check_access().unwrap_err(),
        Refusal::MappingBusy { holder: Some(2) }
    );
}

#[test]
fn indirect_request_longer_than_the_reserve_gets_its_own_buffer() {
    let mut a = mapped(32768);
    let t = a.submit(&indirect_in(1, 65536)).unwrap();
    assert!(!t.holds_reserve);
    assert!(a.check_access().is_ok());
    assert!(a.submit(&mmap_in(2, 512)).is_ok());
}

#[test]
fn indirect_request_while_the_reserve_is_held_gets_its_own_buffer() {
    let mut a = mapped(32768);
    a.submit(&mmap_in(1, 512)).unwrap();
    let t = a.submit(&indirect_in(2, 512)).unwrap();
    assert!(!t.holds_reserve);
}

#[test]
fn request_without_data_holds_nothing() {
    let mut a = mapped(32768);
    let t = a
        .submit(&req(1, Direction::None, 0, SgFlags::MMAP_IO))
        .unwrap();
    assert!(!t.holds_reserve);
    assert!(a.check_access().is_ok());
    assert!(a.submit(&mmap_in(2, 512)).is_ok());
}

#[test]
fn at_most_16_requests_outstanding_per_file() {
    let mut a = acct(32768);
    for id in 0..SG_MAX_QUEUE as i32 {
        a.submit(&req(id, Direction::None, 0, SgFlags::empty()))
            .unwrap();
    }
    let e = a
        .submit(&req(99, Direction::None, 0, SgFlags::empty()))
        .unwrap_err();
    assert_eq!(e, Refusal::TooManyOutstanding);
    assert_eq!(e.errno(), Some(errno::EDOM));
}

#[test]
fn pack_ids_are_unique_among_requests_in_flight() {
    let mut a = acct(32768);
    a.submit(&req(5, Direction::None, 0, SgFlags::empty()))
        .unwrap();
    assert_eq!(
        a.submit(&req(5, Direction::None, 0, SgFlags::empty()))
            .unwrap_err(),
        Refusal::DuplicatePackId { pack_id: 5 }
    );
    a.complete(&req(5, Direction::None, 0, SgFlags::empty()), &[])
        .unwrap();
    assert!(a
        .submit(&req(5, Direction::None, 0, SgFlags::empty()))
        .is_ok());
}

#[test]
fn interface_id_must_be_s() {
    let mut a = acct(32768);
    let mut h = req(1, Direction::None, 0, SgFlags::empty());
    h.interface_id = i32::from(b'Q');
    let e = a.submit(&h).unwrap_err();
    assert_eq!(e.errno(), Some(errno::ENOSYS));
}

#[test]
fn cdb_length_is_6_to_32_with_a_pointer() {
    let mut a = acct(32768);
    for (len, errno) in [
        (5u8, errno::EMSGSIZE),
        (33, errno::EINVAL),
        (0, errno::EMSGSIZE),
        (252, errno::EINVAL),
        (253, errno::EMSGSIZE),
        (255, errno::EMSGSIZE),
    ] {
        let mut h = req(1, Direction::None, 0, SgFlags::empty());
        h.cmd_len = len;
        assert_eq!(a.submit(&h).unwrap_err().errno(), Some(errno), "len {len}");
    }
    assert_eq!(
        a.submit(&req(1, Direction::None, 0, SgFlags::empty()))
            .map(|t| t.pack_id),
        Ok(1)
    );
}

#[test]
fn cdb_pointer_must_not_be_null_emsgsize_whatever_the_length() {
    let mut a = acct(32768);
    for len in [10u8, 40, 0] {
        let mut h = req(1, Direction::None, 0, SgFlags::empty());
        h.cmdp = core::ptr::null();
        h.cmd_len = len;
        let e = a.submit(&h).unwrap_err();
        assert_eq!(e, Refusal::CdbMissing, "len {len}");
        assert_eq!(e.errno(), Some(errno::EMSGSIZE), "len {len}");
    }
}

#[test]
fn dxfer_len_of_256_mib_is_einval() {
    let mut a = acct(32768);
    let e = a.submit(&indirect_in(1, 256 << 20)).unwrap_err();
    assert_eq!(e, Refusal::DxferTooLong { len: 256 << 20 });
    assert!(a.submit(&indirect_in(1, (256 << 20) - 1)).is_ok());
}

#[test]
fn valid_bytes_are_dxfer_len_less_resid() {
    let mut a = mapped(32768);
    let h = mmap_in(1, 8192);
    a.submit(&h).unwrap();
    let c = a.complete(&done(&h, 4096), &[]).unwrap();
    assert_eq!(c.valid, 4096);
    assert_eq!(a.valid_len(), 4096);
}

#[test]
fn valid_bytes_never_exceed_dxfer_len() {
    let mut a = mapped(32768);
    let h = mmap_in(1, 8192);
    a.submit(&h).unwrap();
    assert_eq!(a.complete(&done(&h, -100), &[]).unwrap().valid, 8192);
    a.submit(&h).unwrap();
    assert_eq!(a.complete(&done(&h, 1 << 30), &[]).unwrap().valid, 0);
}

#[test]
fn valid_bytes_are_none_unless_good_or_recovered() {
    let mut a = mapped(32768);
    let h = mmap_in(1, 4096);
    let mut medium = [0u8; 18];
    medium[0] = 0x70;
    medium[2] = 0x03;
    medium[7] = 10;
    medium[12] = 0x11;
    let mut bad = done(&h, 0);
    bad.status = 0x02;
    bad.driver_status = 0x08;
    bad.sb_len_wr = 18;
    a.submit(&h).unwrap();
    assert_eq!(a.complete(&bad, &medium).unwrap().valid, 0);
    assert_eq!(a.valid_len(), 0);

    let mut recovered = medium;
    recovered[2] = 0x01;
    a.submit(&h).unwrap();
    assert_eq!(a.complete(&bad, &recovered).unwrap().valid, 4096);

    let mut timeout = done(&h, 0);
    timeout.host_status = 0x03;
    a.submit(&h).unwrap();
    assert_eq!(a.complete(&timeout, &[]).unwrap().valid, 0);
}

#[test]
fn completion_of_an_unknown_pack_id_is_refused() {
    let mut a = mapped(32768);
    assert_eq!(
        a.complete(&mmap_in(4, 512), &[]).unwrap_err(),
        Refusal::UnknownPackId { pack_id: 4 }
    );
}

#[test]
fn mapping_access_is_refused_while_a_request_may_write_it() {
    let mut a = mapped(32768);
    assert_eq!(a.check_access(), Ok(32768));
    let h = mmap_in(1, 512);
    a.submit(&h).unwrap();
    assert_eq!(
        a.check_access(),
        Err(Refusal::MappingBusy { holder: Some(1) })
    );
    a.complete(&h, &[]).unwrap();
    assert_eq!(a.check_access(), Ok(32768));
    a.unmapped();
    assert_eq!(a.check_access(), Err(Refusal::MappingBusy { holder: None }));
}

#[test]
fn cancelled_request_releases_the_reserve() {
    let mut a = mapped(32768);
    a.submit(&mmap_in(1, 512)).unwrap();
    a.cancel(1).unwrap();
    assert_eq!(a.in_flight(), 0);
    assert!(a.check_access().is_ok());
}

#[test]
fn interrupted_request_orphans_the_file() {
    let mut a = mapped(32768);
    a.submit(&mmap_in(1, 512)).unwrap();
    a.orphan(1).unwrap();
    assert_eq!(a.check_access(), Err(Refusal::Orphaned));
    assert_eq!(
        a.submit(&mmap_in(2, 512)).unwrap_err(),
        Refusal::ReserveBusy { holder: 1 }
    );
    assert_eq!(
        a.submit(&req(3, Direction::None, 0, SgFlags::empty()))
            .unwrap_err(),
        Refusal::Orphaned
    );
    assert_eq!(a.check_reserve_exact(4096), Err(Refusal::Orphaned));
    assert!(a.complete(&mmap_in(1, 512), &[]).is_err());
}

#[test]
fn refusal_messages_name_the_numbers() {
    extern crate std;
    use std::string::ToString;
    let m = Refusal::MapTooLong {
        len: 1 << 20,
        reserve: 524288,
    }
    .to_string();
    assert!(
        m.contains("1048576") && m.contains("524288") && m.contains("ENOMEM"),
        "{m}"
    );
    assert_eq!(Refusal::ReserveInUse.category().code(), 66);
    assert_eq!(Refusal::MmapWithoutMapping.category().code(), 99);
    let m = Refusal::CdbLength { len: 33 }.to_string();
    assert!(m.contains("33") && m.contains("EINVAL"), "{m}");
    let m = Refusal::CdbLength { len: 5 }.to_string();
    assert!(m.contains("EMSGSIZE"), "{m}");
}

// ---------------------------------------------------------------------------------------
// Randomized sequences against a reference model.

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The reference model: the same rules written as plainly as possible, without sharing code.
#[derive(Default)]
struct Model {
    reserve: u32,
    mmap_called: bool,
    mapped: u32,
    // (pack_id, holds, mmap)
    flight: std::vec::Vec<(i32, bool, bool)>,
}

extern crate std;

impl Model {
    fn holder(&self) -> bool {
        self.flight.iter().any(|f| f.1)
    }
}

#[test]
fn random_sequences_never_overrun_the_mapping_nor_share_the_reserve() {
    for seed in 1..=300u64 {
        let mut rng = XorShift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let mut a = acct(32768);
        let mut m = Model {
            reserve: 32768,
            ..Model::default()
        };
        let mut next_id = 0i32;
        for _step in 0..400 {
            match rng.below(6) {
                0 => {
                    let asked =
                        [0u64, 1000, 4096, 32768, 65536, 66048, 1 << 20][rng.below(7) as usize];
                    let r = a.check_reserve(asked);
                    let rounded = asked.div_ceil(4096) * 4096;
                    let expect_ok = rounded as u32 == m.reserve || (!m.mmap_called && !m.holder());
                    assert_eq!(r.is_ok(), expect_ok, "seed {seed} reserve {asked}");
                    if let Ok(v) = r {
                        // A kernel that grants at most 512 KiB, 512-aligned.
                        let granted = (v as u32).min(524288);
                        a.reserve_granted(granted);
                        m.reserve = granted;
                    }
                }
                1 => {
                    let len = [0u64, 1, 4096, 8192, 32768, 65536, 524288][rng.below(7) as usize];
                    let r = a.check_map(MapRequest {
                        len,
                        offset: 0,
                        shared: true,
                    });
                    let rounded = len.div_ceil(4096) * 4096;
                    let expect_ok = len > 0 && rounded <= u64::from(m.reserve);
                    assert_eq!(r.is_ok(), expect_ok, "seed {seed} map {len}");
                    if let Ok(l) = r {
                        a.mapped(l);
                        m.mmap_called = true;
                        m.mapped = l;
                    }
                }
                2 => {
                    a.unmapped();
                    m.mapped = 0;
                }
                3 | 4 => {
                    let mmap = rng.below(3) > 0;
                    let len = [0u32, 512, 4096, 32768, 65536, 524288][rng.below(6) as usize];
                    let dir = [Direction::FromDev, Direction::ToDev, Direction::None]
                        [rng.below(3) as usize];
                    let id = if rng.below(10) == 0 {
                        next_id - 1
                    } else {
                        next_id
                    };
                    next_id += 1;
                    let h = if mmap {
                        req(id, dir, len, SgFlags::MMAP_IO)
                    } else {
                        let mut h = req(id, dir, len, SgFlags::empty());
                        h.dxferp = core::ptr::NonNull::<u8>::dangling().as_ptr().cast();
                        h
                    };
                    let r = a.submit(&h);
                    let dup = m.flight.iter().any(|f| f.0 == id);
                    let full = m.flight.len() >= 16;
                    let expect_ok = !full
                        && !dup
                        && (!mmap
                            || (m.mapped > 0
                                && len <= m.mapped
                                && len <= m.reserve
                                && !m.holder()));
                    assert_eq!(r.is_ok(), expect_ok, "seed {seed} submit {h:?} -> {r:?}");
                    if let Ok(t) = r {
                        let data = len > 0 && dir != Direction::None;
                        let holds = data && (mmap || (len <= m.reserve && !m.holder()));
                        assert_eq!(t.holds_reserve, holds, "seed {seed}");
                        // The invariants the accounting exists for.
                        if mmap {
                            assert!(len <= m.mapped && m.mapped <= m.reserve);
                        }
                        m.flight.push((id, holds, mmap));
                        let holders = m.flight.iter().filter(|f| f.1).count();
                        assert!(holders <= 1, "seed {seed}: two requests share the reserve");
                    }
                }
                _ => {
                    if m.flight.is_empty() {
                        continue;
                    }
                    let i = rng.below(m.flight.len() as u64) as usize;
                    let (id, _, _) = m.flight.remove(i);
                    let mut h = req(id, Direction::FromDev, 0, SgFlags::empty());
                    h.resid = 0;
                    a.complete(&h, &[]).unwrap();
                }
            }
            assert_eq!(a.in_flight(), m.flight.len());
            assert_eq!(a.check_access().is_ok(), m.mapped > 0 && !m.holder());
            assert!(a.mapped_len() <= a.reserve());
        }
    }
}
