use super::*;

/// A `fmt::Write` into a fixed array.
struct Buf {
    bytes: [u8; 512],
    len: usize,
}

impl fmt::Write for Buf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.bytes
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

fn rendered(value: impl fmt::Display) -> Buf {
    let mut buf = Buf {
        bytes: [0; 512],
        len: 0,
    };
    fmt::write(&mut buf, format_args!("{value}")).unwrap();
    buf
}

fn same(buf: Buf, expected: &str) {
    assert_eq!(
        core::str::from_utf8(&buf.bytes[..buf.len]).unwrap(),
        expected
    );
}

/// Standard INQUIRY data of a QEMU SCSI disk (the first 36 bytes), SPC-3, CmdQue.
const QEMU_INQUIRY: [u8; 36] = *b"\x00\x00\x05\x12\x1f\x00\x00\x02QEMU    QEMU HARDDISK   2.5+";

#[test]
fn standard_inquiry_decodes_identification_and_flags() {
    let inq = Inquiry::new_checked(&QEMU_INQUIRY[..]).unwrap();
    assert_eq!(inq.qualifier(), PeripheralQualifier::Connected);
    assert_eq!(inq.device_type(), DeviceType::DirectAccess);
    assert!(!inq.removable());
    assert_eq!(inq.version(), 5);
    assert_eq!(inq.response_data_format(), 2);
    assert_eq!(inq.additional_length(), 0x1f);
    assert_eq!(inq.flags(), InquiryFlags::HI_SUP | InquiryFlags::CMD_QUE);
    assert_eq!(inq.tpgs(), 0);
    assert_eq!(inq.vendor(), Text::Str("QEMU"));
    assert_eq!(inq.product(), Text::Str("QEMU HARDDISK"));
    assert_eq!(inq.revision(), Text::Str("2.5+"));
    same(
        rendered(inq),
        " Vendor identification: QEMU\n Product identification: QEMU HARDDISK\n \
         Product revision level: 2.5+",
    );
}

#[test]
fn inquiry_flags_bits_sit_where_spc_puts_them() {
    let mut b = QEMU_INQUIRY;
    b[0] = 0x7f; // qualifier 011b, type 1Fh
    b[1] = 0xc0; // RMB, LU_CONG
    b[3] = 0x32; // NORMACA, HISUP, format 2
    b[5] = 0xb9; // SCCS, TPGS 11b, 3PC, PROTECT
    b[6] = 0x71; // ENCSERV, VS, MULTIP, ADDR16
    b[7] = 0x33; // WBUS16, SYNC, CMDQUE, VS
    let inq = Inquiry::new_checked(&b[..]).unwrap();
    assert_eq!(inq.qualifier(), PeripheralQualifier::NotSupported);
    assert_eq!(inq.device_type(), DeviceType::NoDevice);
    assert!(inq.removable() && inq.lu_cong());
    assert_eq!(inq.tpgs(), 3);
    let f = inq.flags();
    for flag in [
        InquiryFlags::NORM_ACA,
        InquiryFlags::HI_SUP,
        InquiryFlags::SCCS,
        InquiryFlags::THREE_PC,
        InquiryFlags::PROTECT,
        InquiryFlags::ENC_SERV,
        InquiryFlags::VS6,
        InquiryFlags::MULTI_P,
        InquiryFlags::ADDR16,
        InquiryFlags::WBUS16,
        InquiryFlags::SYNC,
        InquiryFlags::CMD_QUE,
        InquiryFlags::VS7,
    ] {
        assert!(f.contains(flag), "{flag:?}");
    }
    assert!(!f.contains(InquiryFlags::ACC));
    // The multi-bit fields are not flags.
    assert_eq!(f.bits() & ((0x0f << 24) | (0x30 << 16)), 0);
}

#[test]
fn inquiry_text_with_control_bytes_is_raw_and_short_data_is_refused() {
    let mut b = QEMU_INQUIRY;
    b[8..16].copy_from_slice(b"AB\x01D\0\0  ");
    let inq = Inquiry::new_checked(&b[..]).unwrap();
    assert_eq!(inq.vendor(), Text::Raw(b"AB\x01D"));
    same(rendered(inq.vendor()), "0x41420144");
    assert_eq!(
        Inquiry::new_checked(&QEMU_INQUIRY[..35]).unwrap_err(),
        Error::Truncated {
            needed: 36,
            got: 35
        }
    );
    let all_spaces = Text::new(b"        ");
    assert_eq!(all_spaces, Text::Str(""));
}

#[test]
fn inquiry_repr_round_trips_into_a_poisoned_buffer() {
    let inq = Inquiry::new_checked(&QEMU_INQUIRY[..]).unwrap();
    let repr = InquiryRepr::parse(&inq).unwrap();
    assert_eq!(repr.vendor_text(), Text::Str("QEMU"));
    assert_eq!(repr.product_text(), Text::Str("QEMU HARDDISK"));
    assert_eq!(repr.revision_text(), Text::Str("2.5+"));
    let mut buf = [0xa5u8; 40];
    assert_eq!(repr.emit(&mut buf), Ok(36));
    assert_eq!(buf[..36], QEMU_INQUIRY);
    assert_eq!(&buf[36..], &[0xa5; 4]);
    let mut short = [0xa5u8; 35];
    assert_eq!(
        repr.emit(&mut short),
        Err(Error::BufferTooShort {
            needed: 36,
            got: 35
        })
    );
    assert!(short.iter().all(|&b| b == 0xa5));
}

#[test]
fn device_type_and_qualifier_keep_every_value() {
    for n in 0..=255u8 {
        assert_eq!(u8::from(DeviceType::from(n)), n);
        assert_eq!(u8::from(PeripheralQualifier::from(n)), n);
    }
    assert_eq!(DeviceType::from(0x0a), DeviceType::Unknown(0x0a));
    assert_eq!(DeviceType::from(0x14), DeviceType::ZonedBlock);
    assert_eq!(
        PeripheralQualifier::from(2),
        PeripheralQualifier::Unknown(2)
    );
}

#[test]
fn vpd_00_lists_supported_pages_within_page_length() {
    // Page length 4, but 6 bytes follow: the last two are not pages.
    let b = [0x00, 0x00, 0x00, 0x04, 0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2];
    let vpd = Vpd::new_checked(&b[..]).unwrap();
    let mut pages = [0u8; 8];
    let mut n = 0;
    for p in vpd.supported_pages().unwrap() {
        pages[n] = p;
        n += 1;
    }
    assert_eq!(&pages[..n], &[0x00, 0x80, 0x83, 0xb0]);
    // The buffer cuts a page length that claims more.
    let vpd = Vpd::new_checked(&b[..6]).unwrap();
    assert_eq!(vpd.supported_pages().unwrap().len(), 2);
}

#[test]
fn vpd_header_qualifier_and_type() {
    let b = [0x7f, 0x80, 0x00, 0x00];
    let vpd = Vpd::new_checked(&b[..]).unwrap();
    assert_eq!(vpd.qualifier(), PeripheralQualifier::NotSupported);
    assert_eq!(u8::from(vpd.device_type()), 0x1f);
    let b = [0x25, 0x80, 0x00, 0x00];
    let vpd = Vpd::new_checked(&b[..]).unwrap();
    assert_eq!(u8::from(vpd.qualifier()), 1);
    assert_eq!(u8::from(vpd.device_type()), 5);
}

#[test]
fn designator_codes_round_trip_through_u8() {
    for n in 0..=0xffu8 {
        assert_eq!(u8::from(CodeSet::from(n)), n);
        assert_eq!(u8::from(Association::from(n)), n);
        assert_eq!(u8::from(DesignatorType::from(n)), n);
    }
}

#[test]
fn vpd_asked_of_the_wrong_page_is_an_error() {
    let b = [0x00, 0x80, 0x00, 0x00];
    let vpd = Vpd::new_checked(&b[..]).unwrap();
    assert_eq!(
        vpd.supported_pages().unwrap_err(),
        Error::WrongPage {
            expected: 0x00,
            got: 0x80
        }
    );
    assert!(vpd.designators().is_err());
    assert!(vpd.block_limits().is_err());
    assert_eq!(vpd.unit_serial_number(), Ok(Text::Str("")));
    assert_eq!(
        Vpd::new_checked(&b[..3]).unwrap_err(),
        Error::Truncated { needed: 4, got: 3 }
    );
}

#[test]
fn vpd_80_serial_number_is_trimmed() {
    let b = *b"\x00\x80\x00\x0c  WD-12345  \xff\xff";
    let vpd = Vpd::new_checked(&b[..]).unwrap();
    assert_eq!(vpd.page_length(), 12);
    assert_eq!(vpd.unit_serial_number(), Ok(Text::Str("WD-12345")));
}

/// Device identification: NAA 6 (16 bytes), T10 vendor ID, EUI-64, SCSI name string,
/// relative target port (port association, PIV, SAS), target port group, and an MD5
/// designator kept raw.
const VPD_83: [u8; 4 + 20 + 16 + 12 + 16 + 8 + 8 + 8] = [
    0x00, 0x83, 0x00, 0x58, // header, page length 88
    0x01, 0x03, 0x00, 0x10, 0x60, 0x01, 0x40, 0x5d, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
    0x99, 0xaa, 0xbb, 0xcc, // NAA 6, binary, LU
    0x02, 0x01, 0x00, 0x0c, b'A', b'C', b'M', b'E', b' ', b' ', b' ', b' ', b'S', b'N', b'1',
    b' ', // T10 vendor ID, ASCII
    0x01, 0x02, 0x00, 0x08, 0x00, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55, // EUI-64
    0x03, 0x08, 0x00, 0x0c, b'i', b'q', b'n', b'.', b'x', b'.', b'y', b'.', b'z', 0, 0,
    0, // SCSI name string, UTF-8
    0x61, 0x94, 0x00, 0x04, 0x00, 0x00, 0x00, 0x02, // relative target port 2 (SAS, PIV)
    0x01, 0x15, 0x00, 0x04, 0x00, 0x00, 0x01, 0x05, // target port group 0x105
    0x01, 0x07, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef, // MD5 (short): raw
];

#[test]
fn vpd_83_designators_decode_by_type() {
    let vpd = Vpd::new_checked(&VPD_83[..]).unwrap();
    let mut it = vpd.designators().unwrap();

    let naa = it.next().unwrap();
    assert_eq!(naa.code_set, CodeSet::Binary);
    assert_eq!(naa.association, Association::LogicalUnit);
    assert_eq!(naa.designator_type, DesignatorType::Naa);
    assert!(!naa.piv);
    assert_eq!(
        naa.identifier(),
        Identifier::Naa {
            naa: 6,
            bytes: &VPD_83[8..24]
        }
    );
    same(
        rendered(naa.identifier()),
        "0x6001405d112233445566778899aabbcc",
    );

    let t10 = it.next().unwrap();
    assert_eq!(t10.code_set, CodeSet::Ascii);
    assert_eq!(
        t10.identifier(),
        Identifier::T10VendorId {
            vendor: Text::Str("ACME"),
            specific: Text::Str("SN1")
        }
    );

    let eui = it.next().unwrap();
    assert_eq!(eui.identifier(), Identifier::Eui64(&VPD_83[44..52]));

    let name = it.next().unwrap();
    assert_eq!(name.code_set, CodeSet::Utf8);
    assert_eq!(
        name.identifier(),
        Identifier::ScsiName(Text::Str("iqn.x.y.z"))
    );

    let port = it.next().unwrap();
    assert!(port.piv);
    assert_eq!(port.protocol_identifier, 6);
    assert_eq!(port.association, Association::TargetPort);
    assert_eq!(port.identifier(), Identifier::RelativeTargetPort(2));

    let group = it.next().unwrap();
    assert_eq!(group.association, Association::TargetPort);
    assert_eq!(group.identifier(), Identifier::TargetPortGroup(0x105));

    let md5 = it.next().unwrap();
    assert_eq!(md5.designator_type, DesignatorType::Md5LogicalUnit);
    assert_eq!(md5.identifier(), Identifier::Raw(&[0xde, 0xad, 0xbe, 0xef]));

    assert_eq!(it.next(), None);
}

#[test]
fn vpd_83_walk_stops_at_page_length_and_buffer() {
    // The page length covers the NAA descriptor only.
    let mut b = VPD_83;
    b[3] = 20;
    let vpd = Vpd::new_checked(&b[..]).unwrap();
    assert_eq!(vpd.designators().unwrap().count(), 1);
    // The page length covers the NAA and half the T10 descriptor: one.
    b[3] = 26;
    let vpd = Vpd::new_checked(&b[..]).unwrap();
    assert_eq!(vpd.designators().unwrap().count(), 1);
    // The buffer cuts the second descriptor although the page length covers all.
    let vpd = Vpd::new_checked(&VPD_83[..30]).unwrap();
    assert_eq!(vpd.designators().unwrap().count(), 1);
    // A designator whose length runs past the page ends the walk.
    let b = [0x00, 0x83, 0x00, 0x08, 0x01, 0x03, 0x00, 0xff, 0, 0, 0, 0];
    let vpd = Vpd::new_checked(&b[..]).unwrap();
    assert_eq!(vpd.designators().unwrap().count(), 0);
}

#[test]
fn designators_too_short_for_their_type_are_raw() {
    let b = [
        0x00, 0x83, 0x00, 0x0e, 0x01, 0x02, 0x00, 0x02, 0xaa, 0xbb, // EUI-64 of 2 bytes
        0x01, 0x04, 0x00, 0x02, 0x00, 0x01, // relative port of 2 bytes
    ];
    let vpd = Vpd::new_checked(&b[..]).unwrap();
    let mut it = vpd.designators().unwrap();
    assert_eq!(
        it.next().unwrap().identifier(),
        Identifier::Raw(&[0xaa, 0xbb])
    );
    assert_eq!(
        it.next().unwrap().identifier(),
        Identifier::Raw(&[0x00, 0x01])
    );
    assert_eq!(it.next(), None);
}

/// A full 64-byte block limits page.
fn block_limits_page() -> [u8; 64] {
    let mut b = [0u8; 64];
    b[1] = 0xb0;
    b[3] = 0x3c;
    b[4] = 0x01; // WSNZ
    b[5] = 0x08; // max compare and write
    b[6..8].copy_from_slice(&8u16.to_be_bytes());
    b[8..12].copy_from_slice(&0x0000_4000u32.to_be_bytes());
    b[12..16].copy_from_slice(&0x0000_0800u32.to_be_bytes());
    b[16..20].copy_from_slice(&0x10u32.to_be_bytes());
    b[20..24].copy_from_slice(&0x0040_0000u32.to_be_bytes());
    b[24..28].copy_from_slice(&1u32.to_be_bytes());
    b[28..32].copy_from_slice(&8u32.to_be_bytes());
    b[32..36].copy_from_slice(&0x8000_0003u32.to_be_bytes());
    b[36..44].copy_from_slice(&0x0000_0000_0001_0000u64.to_be_bytes());
    b[44..48].copy_from_slice(&0x100u32.to_be_bytes());
    b[48..52].copy_from_slice(&2u32.to_be_bytes());
    b[52..56].copy_from_slice(&4u32.to_be_bytes());
    b[56..60].copy_from_slice(&0x80u32.to_be_bytes());
    b[60..64].copy_from_slice(&0x40u32.to_be_bytes());
    b
}

#[test]
fn vpd_b0_block_limits_decode_every_field() {
    let b = block_limits_page();
    let vpd = Vpd::new_checked(&b[..]).unwrap();
    let bl = vpd.block_limits().unwrap();
    assert_eq!(bl.wsnz(), Some(true));
    assert_eq!(bl.maximum_compare_and_write_length(), Some(8));
    assert_eq!(bl.optimal_transfer_length_granularity(), Some(8));
    assert_eq!(bl.maximum_transfer_length(), Some(0x4000));
    assert_eq!(bl.optimal_transfer_length(), Some(0x800));
    assert_eq!(bl.maximum_prefetch_length(), Some(0x10));
    assert_eq!(bl.maximum_unmap_lba_count(), Some(0x40_0000));
    assert_eq!(bl.maximum_unmap_block_descriptor_count(), Some(1));
    assert_eq!(bl.optimal_unmap_granularity(), Some(8));
    assert_eq!(bl.unmap_granularity_alignment(), Some(3));
    assert_eq!(bl.maximum_write_same_length(), Some(0x1_0000));
    assert_eq!(bl.maximum_atomic_transfer_length(), Some(0x100));
    assert_eq!(bl.atomic_alignment(), Some(2));
    assert_eq!(bl.atomic_transfer_length_granularity(), Some(4));
    assert_eq!(
        bl.maximum_atomic_transfer_length_with_boundary(),
        Some(0x80)
    );
    assert_eq!(bl.maximum_atomic_boundary_size(), Some(0x40));
}

#[test]
fn vpd_b0_short_page_leaves_later_fields_absent() {
    let mut b = block_limits_page();
    b[3] = 0x0c; // an old 16-byte page
    b[32] = 0x00; // UGAVALID clear
    let vpd = Vpd::new_checked(&b[..]).unwrap();
    let bl = vpd.block_limits().unwrap();
    assert_eq!(bl.optimal_transfer_length(), Some(0x800));
    assert_eq!(bl.maximum_prefetch_length(), None);
    assert_eq!(bl.maximum_write_same_length(), None);
    let full = block_limits_page();
    let mut no_uga = full;
    no_uga[32] = 0;
    let vpd = Vpd::new_checked(&no_uga[..]).unwrap();
    assert_eq!(
        vpd.block_limits().unwrap().unmap_granularity_alignment(),
        None
    );
    // The buffer cuts it as well.
    let vpd = Vpd::new_checked(&full[..10]).unwrap();
    let bl = vpd.block_limits().unwrap();
    assert_eq!(bl.wsnz(), Some(true));
    assert_eq!(bl.maximum_transfer_length(), None);
}

#[test]
fn read_capacity_10_golden_and_escape_to_16() {
    let b = [0x00, 0x3f, 0xff, 0xff, 0x00, 0x00, 0x02, 0x00];
    let cap = Capacity10::parse(&b).unwrap();
    assert_eq!(
        cap,
        Capacity10 {
            last_lba: 0x3f_ffff,
            block_length: 512
        }
    );
    assert!(!cap.needs_16());
    assert_eq!(cap.blocks(), 0x40_0000);
    assert_eq!(cap.bytes(), 2 * 1024 * 1024 * 1024);
    same(
        rendered(cap),
        "   Last LBA=4194303 (0x3fffff), Number of logical blocks=4194304\n   \
         Logical block length=512 bytes\n   Device size: 2147483648 bytes",
    );
    let mut buf = [0xa5u8; 9];
    assert_eq!(cap.emit(&mut buf), Ok(8));
    assert_eq!(buf[..8], b);
    assert_eq!(buf[8], 0xa5);
    let big = Capacity10::parse(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0x10, 0]).unwrap();
    assert!(big.needs_16());
    assert_eq!(
        Capacity10::parse(&b[..7]),
        Err(Error::Truncated { needed: 8, got: 7 })
    );
}

#[test]
fn read_capacity_16_golden_with_protection_and_provisioning() {
    let mut b = [0u8; 32];
    b[..8].copy_from_slice(&0x0000_0001_d1c0_beafu64.to_be_bytes());
    b[8..12].copy_from_slice(&512u32.to_be_bytes());
    b[12] = 0x13; // RC BASIS 01b, P_TYPE 001b (type 2), PROT_EN
    b[13] = 0x23; // P_I_EXPONENT 2, 8 logical per physical
    b[14] = 0xc0; // LBPME, LBPRZ
    b[15] = 0x07; // lowest aligned LBA 7
    let cap = Capacity16::parse(&b).unwrap();
    assert_eq!(
        cap,
        Capacity16 {
            last_lba: 0x1_d1c0_beaf,
            block_length: 512,
            rc_basis: 1,
            p_type: 1,
            prot_en: true,
            p_i_exponent: 2,
            logical_per_physical_exponent: 3,
            lbpme: true,
            lbprz: true,
            lowest_aligned_lba: 7,
        }
    );
    assert_eq!(cap.protection_type(), Some(2));
    assert_eq!(cap.logical_per_physical(), 8);
    assert_eq!(cap.physical_block_length(), 4096);
    assert_eq!(cap.blocks(), 0x1_d1c0_beb0);
    let mut buf = [0xa5u8; 33];
    assert_eq!(cap.emit(&mut buf), Ok(32));
    assert_eq!(buf[..32], b);
    assert_eq!(buf[32], 0xa5);
    assert_eq!(
        Capacity16::parse(&b[..15]),
        Err(Error::Truncated {
            needed: 16,
            got: 15
        })
    );
    let plain = Capacity16::parse(&[0u8; 16]).unwrap();
    assert_eq!(plain.protection_type(), None);
    assert_eq!(plain.logical_per_physical(), 1);
}

#[test]
fn read_capacity_16_of_the_largest_device_does_not_overflow() {
    let mut b = [0xffu8; 32];
    b[13] = 0xff;
    let cap = Capacity16::parse(&b).unwrap();
    assert_eq!(cap.blocks(), u64::MAX);
    assert_eq!(cap.bytes(), (1u128 << 64) * u128::from(u32::MAX));
    assert_eq!(cap.logical_per_physical(), 1 << 15);
    assert_eq!(cap.lowest_aligned_lba, 0x3fff);
    assert_eq!(cap.protection_type(), Some(8));
    let _ = rendered(cap);
}

#[test]
fn report_luns_iterates_whole_entries_within_list_length() {
    let b = [
        0x00, 0x00, 0x00, 0x18, 0, 0, 0, 0, // three LUNs
        0x00, 0x00, 0, 0, 0, 0, 0, 0, // LUN 0
        0x00, 0x05, 0, 0, 0, 0, 0, 0, // peripheral, LUN 5
        0x41, 0x23, 0, 0, 0, 0, 0, 0, // flat, LUN 0x123
        0x00, 0x07, 0, 0, 0, 0, 0, 0, // past the list length
    ];
    let rl = ReportLuns::new_checked(&b[..]).unwrap();
    assert_eq!(rl.list_length(), 24);
    assert!(!rl.is_truncated());
    let mut luns = rl.luns();
    assert_eq!(luns.len(), 3);
    let l0 = luns.next().unwrap();
    assert_eq!(l0.number(), Some(0));
    let l5 = luns.next().unwrap();
    assert_eq!(l5.address_method(), AddressMethod::Peripheral);
    assert_eq!(l5.number(), Some(5));
    assert_eq!(l5.to_linux(), 5);
    let flat = luns.next().unwrap();
    assert_eq!(flat.address_method(), AddressMethod::Flat);
    assert_eq!(flat.number(), Some(0x123));
    assert_eq!(flat.to_linux(), 0x4123);
    same(rendered(flat), "4123000000000000");
    assert_eq!(luns.next(), None);
}

#[test]
fn report_luns_bounded_by_buffer_and_partial_entries() {
    let b = [
        0x00, 0x00, 0x01, 0x00, 0, 0, 0, 0, // 32 LUNs claimed
        0x00, 0x01, 0, 0, 0, 0, 0, 0, // one whole LUN
        0x00, 0x02, 0, 0, // half a LUN
    ];
    let rl = ReportLuns::new_checked(&b[..]).unwrap();
    assert!(rl.is_truncated());
    assert_eq!(rl.luns().count(), 1);
    assert_eq!(
        ReportLuns::new_checked(&b[..7]).unwrap_err(),
        Error::Truncated { needed: 8, got: 7 }
    );
    let empty = [0u8; 8];
    assert_eq!(
        ReportLuns::new_checked(&empty[..]).unwrap().luns().count(),
        0
    );
}

#[test]
fn lun_forms_without_a_simple_number() {
    let multi = Lun([0x00, 0x01, 0x00, 0x02, 0, 0, 0, 0]);
    assert!(!multi.is_single_level());
    assert_eq!(multi.number(), None);
    assert_eq!(multi.to_linux(), 0x0002_0001);
    assert_eq!(Lun::from_linux(0x0002_0001), multi);
    let bus = Lun([0x02, 0x01, 0, 0, 0, 0, 0, 0]);
    assert_eq!(bus.number(), None);
    let wlun = Lun([0xc1, 0x01, 0, 0, 0, 0, 0, 0]);
    assert_eq!(wlun.address_method(), AddressMethod::Extended);
    assert_eq!(wlun.number(), None);
    let lu = Lun([0x80, 0x01, 0, 0, 0, 0, 0, 0]);
    assert_eq!(lu.address_method(), AddressMethod::LogicalUnit);
    for x in [0u64, 1, 0x4123, 0xdead_beef_0123_4567, u64::MAX] {
        assert_eq!(Lun::from_linux(x).to_linux(), x);
    }
}

#[test]
fn read_buffer_descriptor_boundary_and_capacity() {
    let d = ReadBufferDescriptor::parse(&[0x09, 0x01, 0x00, 0x00]).unwrap();
    assert_eq!(d.offset_boundary, OffsetBoundary::PowerOfTwo(9));
    assert_eq!(d.offset_boundary.alignment(), Some(512));
    assert!(d.offset_boundary.allows(1024));
    assert!(!d.offset_boundary.allows(100));
    assert_eq!(d.capacity, 0x01_0000);
    let mut buf = [0xa5u8; 5];
    assert_eq!(d.emit(&mut buf), Ok(4));
    assert_eq!(buf, [0x09, 0x01, 0x00, 0x00, 0xa5]);

    let zero = ReadBufferDescriptor::parse(&[0xff, 0xff, 0xff, 0xff, 0x12]).unwrap();
    assert_eq!(zero.offset_boundary, OffsetBoundary::ZeroOnly);
    assert_eq!(zero.offset_boundary.alignment(), None);
    assert!(zero.offset_boundary.allows(0));
    assert!(!zero.offset_boundary.allows(1));
    assert_eq!(zero.capacity, 0xff_ffff);

    let huge = OffsetBoundary::PowerOfTwo(64);
    assert_eq!(huge.alignment(), None);
    assert!(huge.allows(0) && !huge.allows(1 << 63));
    assert_eq!(OffsetBoundary::PowerOfTwo(63).alignment(), Some(1 << 63));
    assert_eq!(
        ReadBufferDescriptor::parse(&[0x09, 0x01, 0x00]),
        Err(Error::Truncated { needed: 4, got: 3 })
    );
    for n in 0..=255u8 {
        assert_eq!(u8::from(OffsetBoundary::from(n)), n);
    }
}

#[test]
fn mode_header_and_block_descriptor_6_10_and_long() {
    // MODE SENSE (6): length 0x17 (24 bytes), WP, one 8-byte descriptor: 0x12345 blocks of 520.
    let six = [
        0x17, 0, 0x80, 8, 0, 0x01, 0x23, 0x45, 0, 0, 0x02, 0x08, 0x01, 0x0a, 0, 0,
    ];
    let h = ModeHeader::parse(&six, true).unwrap();
    assert_eq!(
        (h.total_len, h.len(), h.block_descriptor_len, h.long_lba),
        (24, 4, 8, false)
    );
    assert!(!h.write_protected());
    assert_eq!(
        h.block_descriptor(&six),
        Some(BlockDescriptor {
            blocks: 0x12345,
            block_length: 520
        })
    );
    // MODE SENSE (10) with LONGLBA: a 16-byte descriptor.
    let mut ten = [0u8; 24];
    ten[1] = 22;
    ten[3] = 0x40;
    ten[4] = 1;
    ten[7] = 16;
    ten[8..16].copy_from_slice(&0x1_0000_0000u64.to_be_bytes());
    ten[20..24].copy_from_slice(&4096u32.to_be_bytes());
    let h = ModeHeader::parse(&ten, false).unwrap();
    assert_eq!((h.total_len, h.len(), h.block_descriptor_len), (24, 8, 16));
    assert!(h.long_lba && h.write_protected());
    assert_eq!(
        h.block_descriptor(&ten),
        Some(BlockDescriptor {
            blocks: 0x1_0000_0000,
            block_length: 4096
        })
    );
    // No descriptor, or one cut short: none.
    let mut none = ten;
    none[7] = 0;
    assert_eq!(
        ModeHeader::parse(&none, false)
            .unwrap()
            .block_descriptor(&none),
        None
    );
    assert_eq!(h.block_descriptor(&ten[..23]), None);
    // Too short for the header.
    assert_eq!(
        ModeHeader::parse(&six[..3], true),
        Err(Error::Truncated { needed: 4, got: 3 })
    );
    assert_eq!(
        ModeHeader::parse(&ten[..7], false),
        Err(Error::Truncated { needed: 8, got: 7 })
    );
    // Total over every prefix.
    for len in 0..=ten.len() {
        for six in [true, false] {
            if let Ok(h) = ModeHeader::parse(&ten[..len], six) {
                let _ = h.block_descriptor(&ten[..len]);
            }
        }
    }
}
