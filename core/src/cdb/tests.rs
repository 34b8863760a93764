use super::*;

/// Emits `cmd` into a poisoned buffer, checks that exactly `expected` was written and that
/// nothing past it was touched, and that `to_cdb` agrees.
pub(super) fn golden(cmd: &dyn ToCdb, expected: &[u8]) {
    let mut buf = [0xa5u8; 40];
    let n = cmd.emit(&mut buf).unwrap();
    assert_eq!(n, expected.len());
    assert_eq!(cmd.buffer_len(), n);
    assert_eq!(&buf[..n], expected);
    assert!(buf[n..].iter().all(|&b| b == 0xa5), "wrote past the CDB");
    assert_eq!(cmd.to_cdb().unwrap().as_bytes(), expected);
}

/// Checks that `cmd` refuses with `err` and leaves a poisoned buffer untouched.
pub(super) fn refused(cmd: &dyn ToCdb, err: Error) {
    let mut buf = [0xa5u8; 40];
    assert_eq!(cmd.emit(&mut buf), Err(err));
    assert!(buf.iter().all(|&b| b == 0xa5), "wrote on error");
    assert_eq!(cmd.to_cdb(), Err(err));
}

#[test]
fn raw_cdb_accepts_6_to_32_bytes_only() {
    for len in 0..=40 {
        let bytes = [0x12u8; 40];
        let r = Cdb::new(&bytes[..len]);
        if (6..=32).contains(&len) {
            let cdb = r.unwrap();
            assert_eq!(cdb.len(), len);
            assert_eq!(cdb.as_bytes(), &bytes[..len]);
            assert_eq!(cdb.opcode(), Opcode::Inquiry);
        } else {
            assert_eq!(r, Err(Error::Length(len)));
        }
    }
    assert_eq!(MAX_LEN, 32);
    assert_eq!(SG_HEADER_MAX_LEN, 252);
}

#[test]
fn cdb_debug_prints_hex_bytes() {
    let cdb = TestUnitReady.to_cdb().unwrap();
    let mut s = [0u8; 64];
    let mut w = Writer(&mut s, 0);
    core::fmt::write(&mut w, format_args!("{cdb:?}")).unwrap();
    let n = w.1;
    assert_eq!(&s[..n], b"Cdb[00 00 00 00 00 00]");
}

struct Writer<'a>(&'a mut [u8], usize);
impl fmt::Write for Writer<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.1 + s.len();
        self.0
            .get_mut(self.1..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.1 = end;
        Ok(())
    }
}

#[test]
fn test_unit_ready_is_six_zero_bytes() {
    golden(&TestUnitReady, &[0, 0, 0, 0, 0, 0]);
    assert_eq!(
        TestUnitReady.to_cdb().unwrap().transfer(),
        Some(Transfer::NONE)
    );
}

#[test]
fn request_sense_sets_desc_and_allocation_length() {
    golden(
        &RequestSense {
            descriptor: true,
            allocation_length: 252,
        },
        &[0x03, 0x01, 0, 0, 0xfc, 0],
    );
    golden(
        &RequestSense {
            descriptor: false,
            allocation_length: 18,
        },
        &[0x03, 0x00, 0, 0, 18, 0],
    );
    let t = RequestSense::default().to_cdb().unwrap().transfer();
    assert_eq!(
        t,
        Some(Transfer {
            direction: Direction::FromDevice,
            length: Length::AtMost(252)
        })
    );
}

#[test]
fn inquiry_standard_and_vpd() {
    golden(&Inquiry::standard(36), &[0x12, 0, 0, 0x00, 0x24, 0]);
    golden(
        &Inquiry::vpd(0x83, 0x1234),
        &[0x12, 0x01, 0x83, 0x12, 0x34, 0],
    );
    golden(
        &Inquiry::vpd(0x00, 0xffff),
        &[0x12, 0x01, 0x00, 0xff, 0xff, 0],
    );
    assert_eq!(
        Inquiry::vpd(0x80, 252).to_cdb().unwrap().transfer(),
        Some(Transfer {
            direction: Direction::FromDevice,
            length: Length::AtMost(252)
        })
    );
}

#[test]
fn read_capacity_10_and_16() {
    golden(&ReadCapacity10, &[0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    golden(
        &ReadCapacity16::default(),
        &[0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0],
    );
    golden(
        &ReadCapacity16 {
            allocation_length: 0x0102_0304,
        },
        &[0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0],
    );
    assert_eq!(
        ReadCapacity10.to_cdb().unwrap().transfer(),
        Some(Transfer {
            direction: Direction::FromDevice,
            length: Length::Bytes(8)
        })
    );
    assert_eq!(
        ReadCapacity16::default().to_cdb().unwrap().transfer(),
        Some(Transfer {
            direction: Direction::FromDevice,
            length: Length::AtMost(32)
        })
    );
    // Another service action of 9Eh has no known transfer.
    let mut other = [0u8; 16];
    other[0] = 0x9e;
    other[1] = 0x12;
    assert_eq!(Cdb::new(&other).unwrap().transfer(), None);
}

#[test]
fn read_picks_10_when_it_fits() {
    golden(
        &Read {
            lba: 0x1234_5678,
            blocks: 8,
            ..Read::default()
        },
        &[0x28, 0, 0x12, 0x34, 0x56, 0x78, 0, 0, 8, 0],
    );
    golden(
        &Read {
            lba: 0xffff_ffff,
            blocks: 0xffff,
            dpo: true,
            fua: true,
            size: None,
        },
        &[0x28, 0x18, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff, 0],
    );
}

#[test]
fn read_picks_16_for_large_lba_or_length() {
    golden(
        &Read {
            lba: 0x1_0000_0000,
            blocks: 1,
            ..Read::default()
        },
        &[0x88, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0],
    );
    golden(
        &Read {
            lba: 0,
            blocks: 0x1_0000,
            fua: true,
            ..Read::default()
        },
        &[0x88, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0],
    );
    golden(
        &Read {
            lba: 0x0102_0304_0506_0708,
            blocks: 0x0a0b_0c0d,
            dpo: true,
            ..Read::default()
        },
        &[
            0x88, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 0x0a, 0x0b, 0x0c, 0x0d, 0, 0,
        ],
    );
}

#[test]
fn read_honours_an_explicit_size_or_refuses() {
    golden(
        &Read {
            lba: 5,
            blocks: 1,
            size: Some(Size::Sixteen),
            ..Read::default()
        },
        &[0x88, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0],
    );
    refused(
        &Read {
            lba: 0x1_0000_0000,
            blocks: 1,
            size: Some(Size::Ten),
            ..Read::default()
        },
        Error::TooLarge {
            field: "LOGICAL BLOCK ADDRESS",
            value: 0x1_0000_0000,
            max: 0xffff_ffff,
        },
    );
    refused(
        &Read {
            lba: 0,
            blocks: 0x1_0000,
            size: Some(Size::Ten),
            ..Read::default()
        },
        Error::TooLarge {
            field: "TRANSFER LENGTH",
            value: 0x1_0000,
            max: 0xffff,
        },
    );
}

#[test]
fn write_10_and_16_with_fua() {
    golden(
        &Write {
            lba: 0x10,
            blocks: 0x20,
            fua: true,
            ..Write::default()
        },
        &[0x2a, 0x08, 0, 0, 0, 0x10, 0, 0, 0x20, 0],
    );
    golden(
        &Write {
            lba: 0x10,
            blocks: 0x20,
            dpo: true,
            size: Some(Size::Sixteen),
            ..Write::default()
        },
        &[0x8a, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x20, 0, 0],
    );
    let t = Write {
        lba: 1,
        blocks: 7,
        ..Write::default()
    }
    .to_cdb()
    .unwrap()
    .transfer();
    assert_eq!(
        t,
        Some(Transfer {
            direction: Direction::ToDevice,
            length: Length::Blocks(7)
        })
    );
    let t = Read {
        lba: 1 << 40,
        blocks: 70_000,
        ..Read::default()
    }
    .to_cdb()
    .unwrap()
    .transfer();
    assert_eq!(
        t,
        Some(Transfer {
            direction: Direction::FromDevice,
            length: Length::Blocks(70_000)
        })
    );
}

#[test]
fn verify_sets_bytchk_and_implies_data_out() {
    golden(
        &Verify {
            lba: 0x100,
            blocks: 4,
            ..Verify::default()
        },
        &[0x2f, 0, 0, 0, 0x01, 0x00, 0, 0, 4, 0],
    );
    golden(
        &Verify {
            lba: 0x100,
            blocks: 4,
            bytchk: 1,
            dpo: true,
            size: Some(Size::Sixteen),
            ..Verify::default()
        },
        &[0x8f, 0x12, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0, 0, 0, 4, 0, 0],
    );
    // sg_verify --16 --vrprotect=5 --group=0x21 --ebytchk=3 --dpo: VRPROTECT in byte 1
    // bits 7-5, GROUP NUMBER in byte 14 (byte 6 of the (10), byte 10 of the (12)).
    golden(
        &Verify {
            lba: 0x0102_0304_0506_0708,
            blocks: 0x0a0b_0c0d,
            bytchk: 3,
            dpo: true,
            vrprotect: 5,
            group_number: 0x21,
            size: Some(Size::Sixteen),
        },
        &[
            0x8f, 0xb6, 1, 2, 3, 4, 5, 6, 7, 8, 0x0a, 0x0b, 0x0c, 0x0d, 0x21, 0,
        ],
    );
    golden(
        &Verify {
            lba: 9,
            blocks: 2,
            vrprotect: 7,
            group_number: 3,
            size: Some(Size::Ten),
            ..Verify::default()
        },
        &[0x2f, 0xe0, 0, 0, 0, 9, 3, 0, 2, 0],
    );
    golden(
        &Verify {
            lba: 9,
            blocks: 2,
            group_number: 3,
            size: Some(Size::Twelve),
            ..Verify::default()
        },
        &[0xaf, 0, 0, 0, 0, 9, 0, 0, 0, 2, 3, 0],
    );
    refused(
        &Verify {
            vrprotect: 8,
            ..Verify::default()
        },
        Error::TooLarge {
            field: "VRPROTECT",
            value: 8,
            max: 7,
        },
    );
    refused(
        &Verify {
            group_number: 0x40,
            ..Verify::default()
        },
        Error::TooLarge {
            field: "GROUP NUMBER",
            value: 0x40,
            max: 0x3f,
        },
    );
    refused(
        &Verify {
            bytchk: 4,
            ..Verify::default()
        },
        Error::TooLarge {
            field: "BYTCHK",
            value: 4,
            max: 3,
        },
    );
    let transfer = |bytchk| {
        Verify {
            blocks: 9,
            bytchk,
            ..Verify::default()
        }
        .to_cdb()
        .unwrap()
        .transfer()
    };
    assert_eq!(transfer(0), Some(Transfer::NONE));
    assert_eq!(
        transfer(1),
        Some(Transfer {
            direction: Direction::ToDevice,
            length: Length::Blocks(9)
        })
    );
    assert_eq!(transfer(2), None);
    assert_eq!(
        transfer(3),
        Some(Transfer {
            direction: Direction::ToDevice,
            length: Length::Blocks(1)
        })
    );
}

#[test]
fn synchronize_cache_10_and_16() {
    golden(
        &SynchronizeCache::default(),
        &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    golden(
        &SynchronizeCache {
            lba: 0x1_0000_0000,
            blocks: 3,
            immed: true,
            size: None,
            ..SynchronizeCache::default()
        },
        &[0x91, 0x02, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0],
    );
    // sg_sync --sync-nv --immed --group=5 --lba=0x12345678 --count=0x1234: SYNC_NV is byte 1
    // bit 2, GROUP NUMBER byte 6 of the (10) and byte 14 of the (16).
    golden(
        &SynchronizeCache {
            lba: 0x1234_5678,
            blocks: 0x1234,
            immed: true,
            sync_nv: true,
            group_number: 5,
            size: Some(Size::Ten),
        },
        &[0x35, 0x06, 0x12, 0x34, 0x56, 0x78, 0x05, 0x12, 0x34, 0],
    );
    golden(
        &SynchronizeCache {
            lba: 7,
            blocks: 0x1_0000,
            group_number: 0x3f,
            size: Some(Size::Sixteen),
            ..SynchronizeCache::default()
        },
        &[0x91, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 1, 0, 0, 0x3f, 0],
    );
    refused(
        &SynchronizeCache {
            group_number: 0x40,
            ..SynchronizeCache::default()
        },
        Error::TooLarge {
            field: "GROUP NUMBER",
            value: 0x40,
            max: 0x3f,
        },
    );
    assert_eq!(
        SynchronizeCache::default().to_cdb().unwrap().transfer(),
        Some(Transfer::NONE)
    );
}

#[test]
fn write_buffer_layout_matches_sg_write_buffer() {
    golden(
        &WriteBuffer {
            mode: WriteBufferMode::DownloadMicrocodeOffsetsSave,
            mode_specific: 0,
            buffer_id: 0,
            offset: 0x01_0000,
            length: 0x00_8000,
        },
        &[0x3b, 0x07, 0x00, 0x01, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00],
    );
    golden(
        &WriteBuffer {
            mode: WriteBufferMode::DownloadMicrocodeOffsetsDefer,
            mode_specific: 0b101,
            buffer_id: 0x22,
            offset: 0xff_ffff,
            length: 0xff_fffe,
        },
        &[0x3b, 0xae, 0x22, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0x00],
    );
    golden(
        &WriteBuffer {
            mode: WriteBufferMode::ActivateMicrocode,
            mode_specific: 0,
            buffer_id: 0,
            offset: 0,
            length: 0,
        },
        &[0x3b, 0x0f, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    let t = WriteBuffer {
        mode: WriteBufferMode::Data,
        mode_specific: 0,
        buffer_id: 1,
        offset: 0,
        length: 512,
    }
    .to_cdb()
    .unwrap()
    .transfer();
    assert_eq!(
        t,
        Some(Transfer {
            direction: Direction::ToDevice,
            length: Length::Bytes(512)
        })
    );
}

#[test]
fn write_buffer_refuses_values_wider_than_their_fields() {
    let base = WriteBuffer {
        mode: WriteBufferMode::Data,
        mode_specific: 0,
        buffer_id: 0,
        offset: 0,
        length: 0,
    };
    refused(
        &WriteBuffer {
            offset: 0x100_0000,
            ..base
        },
        Error::TooLarge {
            field: "BUFFER OFFSET",
            value: 0x100_0000,
            max: 0xff_ffff,
        },
    );
    refused(
        &WriteBuffer {
            length: 0x100_0000,
            ..base
        },
        Error::TooLarge {
            field: "PARAMETER LIST LENGTH",
            value: 0x100_0000,
            max: 0xff_ffff,
        },
    );
    refused(
        &WriteBuffer {
            mode_specific: 8,
            ..base
        },
        Error::TooLarge {
            field: "MODE SPECIFIC",
            value: 8,
            max: 7,
        },
    );
    refused(
        &WriteBuffer {
            mode: WriteBufferMode::Unknown(0x20),
            ..base
        },
        Error::TooLarge {
            field: "MODE",
            value: 0x20,
            max: 0x1f,
        },
    );
}

#[test]
fn write_buffer_modes_by_number_and_acronym() {
    let table = [
        ("hd", 0x0),
        ("vendor", 0x1),
        ("data", 0x2),
        ("dmc", 0x4),
        ("dmc_save", 0x5),
        ("dmc_offs", 0x6),
        ("dmc_offs_save", 0x7),
        ("echo", 0xa),
        ("dmc_offs_ev_defer", 0xd),
        ("dmc_offs_defer", 0xe),
        ("activate_mc", 0xf),
    ];
    for (acronym, number) in table {
        let mode = WriteBufferMode::from_acronym(acronym).unwrap();
        assert_eq!(u8::from(mode), number);
        assert_eq!(WriteBufferMode::from(number), mode);
        assert_eq!(mode.acronym(), Some(acronym));
        assert_eq!(WriteBufferMode::parse(acronym), Some(mode));
    }
    for n in 0..=255u8 {
        assert_eq!(u8::from(WriteBufferMode::from(n)), n);
    }
    assert_eq!(WriteBufferMode::from(3), WriteBufferMode::Unknown(3));
    assert_eq!(WriteBufferMode::Unknown(3).acronym(), None);
    assert_eq!(WriteBufferMode::from_acronym("DMC"), None);
    assert_eq!(
        WriteBufferMode::parse("0xe"),
        Some(WriteBufferMode::DownloadMicrocodeOffsetsDefer)
    );
    assert_eq!(
        WriteBufferMode::parse("13"),
        Some(WriteBufferMode::DownloadMicrocodeOffsetsEventDefer)
    );
    assert_eq!(
        WriteBufferMode::parse("28"),
        Some(WriteBufferMode::Unknown(28))
    );
    assert_eq!(WriteBufferMode::parse("32"), None);
    assert_eq!(WriteBufferMode::parse("0x"), None);
    assert_eq!(WriteBufferMode::parse(""), None);
}

#[test]
fn read_buffer_data_and_descriptor() {
    golden(
        &ReadBuffer::data(0x01, 0x00_1000, 0x00_0200),
        &[0x3c, 0x02, 0x01, 0x00, 0x10, 0x00, 0x00, 0x02, 0x00, 0x00],
    );
    golden(
        &ReadBuffer::descriptor(0x07),
        &[0x3c, 0x03, 0x07, 0, 0, 0, 0, 0, 4, 0],
    );
    assert_eq!(
        ReadBuffer::descriptor(0).to_cdb().unwrap().transfer(),
        Some(Transfer {
            direction: Direction::FromDevice,
            length: Length::AtMost(4)
        })
    );
    refused(
        &ReadBuffer::data(0, 0x100_0000, 1),
        Error::TooLarge {
            field: "BUFFER OFFSET",
            value: 0x100_0000,
            max: 0xff_ffff,
        },
    );
    refused(
        &ReadBuffer::data(0, 0, 0x100_0000),
        Error::TooLarge {
            field: "ALLOCATION LENGTH",
            value: 0x100_0000,
            max: 0xff_ffff,
        },
    );
    for n in 0..=255u8 {
        assert_eq!(u8::from(ReadBufferMode::from(n)), n);
    }
}

#[test]
fn report_luns_layout() {
    golden(
        &ReportLuns {
            select_report: 2,
            allocation_length: 0x0001_0008,
        },
        &[0xa0, 0, 0x02, 0, 0, 0, 0x00, 0x01, 0x00, 0x08, 0, 0],
    );
    assert_eq!(
        ReportLuns::default().to_cdb().unwrap().transfer(),
        Some(Transfer {
            direction: Direction::FromDevice,
            length: Length::AtMost(8 + 8 * 256)
        })
    );
}

#[test]
fn start_stop_unit_bits() {
    golden(
        &StartStopUnit {
            start: true,
            ..StartStopUnit::default()
        },
        &[0x1b, 0, 0, 0, 0x01, 0],
    );
    golden(
        &StartStopUnit {
            immed: true,
            power_condition_modifier: 0xa,
            power_condition: 0x3,
            no_flush: true,
            load_eject: true,
            start: false,
        },
        &[0x1b, 0x01, 0, 0x0a, 0x36, 0],
    );
    // sg_start --fl=2 --immed: FORMAT LAYER NUMBER 2 in byte 3, FL|LOEJ|START in byte 4.
    golden(
        &StartStopUnit::format_layer(2, true),
        &[0x1b, 0x01, 0, 0x02, 0x07, 0],
    );
    refused(
        &StartStopUnit {
            power_condition: 0x10,
            ..StartStopUnit::default()
        },
        Error::TooLarge {
            field: "POWER CONDITION",
            value: 0x10,
            max: 0xf,
        },
    );
    refused(
        &StartStopUnit {
            power_condition_modifier: 0x10,
            ..StartStopUnit::default()
        },
        Error::TooLarge {
            field: "POWER CONDITION MODIFIER",
            value: 0x10,
            max: 0xf,
        },
    );
}

#[test]
fn mode_sense_10_fields() {
    golden(
        &ModeSense10 {
            llbaa: true,
            dbd: true,
            page_control: PageControl::Saved,
            page_code: 0x08,
            subpage_code: 0xff,
            allocation_length: 0x1000,
        },
        &[0x5a, 0x18, 0xc8, 0xff, 0, 0, 0, 0x10, 0x00, 0],
    );
    golden(
        &ModeSense10 {
            page_control: PageControl::Changeable,
            page_code: 0x3f,
            allocation_length: 252,
            ..ModeSense10::default()
        },
        &[0x5a, 0x00, 0x7f, 0x00, 0, 0, 0, 0x00, 0xfc, 0],
    );
    refused(
        &ModeSense10 {
            page_code: 0x40,
            ..ModeSense10::default()
        },
        Error::TooLarge {
            field: "PAGE CODE",
            value: 0x40,
            max: 0x3f,
        },
    );
    assert_eq!(
        ModeSense10 {
            allocation_length: 252,
            ..ModeSense10::default()
        }
        .to_cdb()
        .unwrap()
        .transfer(),
        Some(Transfer {
            direction: Direction::FromDevice,
            length: Length::AtMost(252)
        })
    );
}

#[test]
fn emit_into_a_short_buffer_is_an_error() {
    let mut buf = [0xa5u8; 9];
    assert_eq!(
        ReadCapacity10.emit(&mut buf),
        Err(Error::BufferTooShort { needed: 10, got: 9 })
    );
    assert!(buf.iter().all(|&b| b == 0xa5));
}

#[test]
fn transfer_of_unknown_or_short_cdbs_is_none() {
    assert_eq!(Cdb::new(&[0xc0, 0, 0, 0, 0, 0]).unwrap().transfer(), None);
    // A READ (16) opcode in a 10-byte CDB cannot hold its transfer length.
    assert_eq!(
        Cdb::new(&[0x88, 0, 0, 0, 0, 0, 0, 0, 0, 0])
            .unwrap()
            .transfer(),
        None
    );
    assert_eq!(
        Cdb::new(&[0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
            .unwrap()
            .transfer(),
        None
    );
}

#[test]
fn opcode_round_trips_every_byte() {
    for n in 0..=255u8 {
        assert_eq!(u8::from(Opcode::from(n)), n);
    }
}

#[test]
fn size_choice_follows_the_fit_rule() {
    assert_eq!(Size::choose(None, 0xffff_ffff, 0xffff), Ok(Size::Ten));
    assert_eq!(Size::choose(None, 0x1_0000_0000, 0), Ok(Size::Sixteen));
    assert_eq!(Size::choose(None, 0, 0x1_0000), Ok(Size::Sixteen));
    assert_eq!(Size::choose(Some(Size::Sixteen), 0, 0), Ok(Size::Sixteen));
    assert_eq!(Size::choose(Some(Size::Ten), 0, 0xffff), Ok(Size::Ten));
}

/// `Display` of `value` into a fixed buffer, compared with `expected`.
fn displays(value: &dyn fmt::Display, expected: &str) {
    let mut s = [0u8; 128];
    let mut w = Writer(&mut s, 0);
    core::fmt::write(&mut w, format_args!("{value}")).unwrap();
    let n = w.1;
    assert_eq!(core::str::from_utf8(&s[..n]).unwrap(), expected);
}

fn blocks_in(n: u32) -> Option<Transfer> {
    Some(Transfer {
        direction: Direction::FromDevice,
        length: Length::Blocks(n),
    })
}

fn blocks_out(n: u32) -> Option<Transfer> {
    Some(Transfer {
        direction: Direction::ToDevice,
        length: Length::Blocks(n),
    })
}

#[test]
fn read_6_and_write_6_put_lba_bits_20_to_16_in_byte_1_and_256_blocks_as_0() {
    golden(
        &Read {
            lba: 0x12_3456,
            blocks: 8,
            size: Some(Size::Six),
            ..Read::default()
        },
        &[0x08, 0x12, 0x34, 0x56, 0x08, 0x00],
    );
    golden(
        &Read {
            lba: 0,
            blocks: 255,
            size: Some(Size::Six),
            ..Read::default()
        },
        &[0x08, 0x00, 0x00, 0x00, 0xff, 0x00],
    );
    golden(
        &Write {
            lba: 0x1f_ffff,
            blocks: 256,
            size: Some(Size::Six),
            ..Write::default()
        },
        &[0x0a, 0x1f, 0xff, 0xff, 0x00, 0x00],
    );
    golden(
        &Write {
            lba: 0x0a_0b0c,
            blocks: 1,
            size: Some(Size::Six),
            ..Write::default()
        },
        &[0x0a, 0x0a, 0x0b, 0x0c, 0x01, 0x00],
    );
}

#[test]
fn read_12_and_write_12_carry_dpo_fua_and_32_bit_lba_and_length() {
    golden(
        &Read {
            lba: 0x0102_0304,
            blocks: 0x0506_0708,
            dpo: true,
            fua: true,
            size: Some(Size::Twelve),
        },
        &[0xa8, 0x18, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0],
    );
    golden(
        &Read {
            lba: 7,
            blocks: 0,
            size: Some(Size::Twelve),
            ..Read::default()
        },
        &[0xa8, 0x00, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0],
    );
    golden(
        &Write {
            lba: 0xffff_ffff,
            blocks: 0xffff_ffff,
            fua: true,
            size: Some(Size::Twelve),
            ..Write::default()
        },
        &[
            0xaa, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0,
        ],
    );
    golden(
        &Write {
            lba: 0x10,
            blocks: 0x1_0000,
            dpo: true,
            size: Some(Size::Twelve),
            ..Write::default()
        },
        &[0xaa, 0x10, 0, 0, 0, 0x10, 0, 1, 0, 0, 0, 0],
    );
}

#[test]
fn verify_12_sets_dpo_and_bytchk() {
    golden(
        &Verify {
            lba: 0x100,
            blocks: 4,
            bytchk: 1,
            dpo: true,
            size: Some(Size::Twelve),
            ..Verify::default()
        },
        &[0xaf, 0x12, 0, 0, 0x01, 0x00, 0, 0, 0, 4, 0, 0],
    );
    golden(
        &Verify {
            lba: 0x100,
            blocks: 4,
            size: Some(Size::Twelve),
            ..Verify::default()
        },
        &[0xaf, 0x00, 0, 0, 0x01, 0x00, 0, 0, 0, 4, 0, 0],
    );
}

#[test]
fn six_byte_cdbs_refuse_what_they_cannot_say() {
    let six = |lba, blocks| Read {
        lba,
        blocks,
        size: Some(Size::Six),
        ..Read::default()
    };
    refused(
        &six(0x20_0000, 1),
        Error::TooLarge {
            field: "LOGICAL BLOCK ADDRESS",
            value: 0x20_0000,
            max: 0x1f_ffff,
        },
    );
    refused(
        &Write {
            blocks: 257,
            size: Some(Size::Six),
            ..Write::default()
        },
        Error::TooLarge {
            field: "TRANSFER LENGTH",
            value: 257,
            max: 256,
        },
    );
    let zero = Error::Unsupported {
        command: "READ",
        size: Size::Six,
        what: "cannot ask for 0 blocks (its TRANSFER LENGTH 0 means 256)",
    };
    refused(&six(0, 0), zero);
    displays(
        &zero,
        "READ (6) cannot ask for 0 blocks (its TRANSFER LENGTH 0 means 256)",
    );
    refused(
        &Write {
            size: Some(Size::Six),
            ..Write::default()
        },
        Error::Unsupported {
            command: "WRITE",
            size: Size::Six,
            what: "cannot ask for 0 blocks (its TRANSFER LENGTH 0 means 256)",
        },
    );
    assert_eq!(
        Size::choose(Some(Size::Six), 0, 0),
        Err(Error::Unsupported {
            command: "READ or WRITE",
            size: Size::Six,
            what: "cannot ask for 0 blocks (its TRANSFER LENGTH 0 means 256)",
        })
    );
    let no_flags = |command| Error::Unsupported {
        command,
        size: Size::Six,
        what: "has no DPO or FUA bit",
    };
    refused(
        &Read {
            dpo: true,
            ..six(1, 1)
        },
        no_flags("READ"),
    );
    refused(
        &Read {
            fua: true,
            ..six(1, 1)
        },
        no_flags("READ"),
    );
    refused(
        &Write {
            lba: 1,
            blocks: 1,
            dpo: true,
            fua: true,
            size: Some(Size::Six),
        },
        no_flags("WRITE"),
    );
    displays(&no_flags("WRITE"), "WRITE (6) has no DPO or FUA bit");
}

#[test]
fn twelve_byte_cdbs_refuse_an_lba_past_32_bits() {
    let err = Error::TooLarge {
        field: "LOGICAL BLOCK ADDRESS",
        value: 0x1_0000_0000,
        max: 0xffff_ffff,
    };
    refused(
        &Read {
            lba: 0x1_0000_0000,
            blocks: 1,
            size: Some(Size::Twelve),
            ..Read::default()
        },
        err,
    );
    refused(
        &Verify {
            lba: 0x1_0000_0000,
            size: Some(Size::Twelve),
            ..Verify::default()
        },
        err,
    );
}

#[test]
fn verify_6_and_synchronize_cache_6_and_12_do_not_exist() {
    let missing = |command, size| Error::Unsupported {
        command,
        size,
        what: "is not an SBC command",
    };
    // Refused for the size itself, before any field is looked at (0 blocks would also be
    // refused by a 6-byte CDB).
    refused(
        &Verify {
            size: Some(Size::Six),
            ..Verify::default()
        },
        missing("VERIFY", Size::Six),
    );
    refused(
        &SynchronizeCache {
            size: Some(Size::Six),
            ..SynchronizeCache::default()
        },
        missing("SYNCHRONIZE CACHE", Size::Six),
    );
    refused(
        &SynchronizeCache {
            immed: true,
            size: Some(Size::Twelve),
            ..SynchronizeCache::default()
        },
        missing("SYNCHRONIZE CACHE", Size::Twelve),
    );
    displays(
        &missing("SYNCHRONIZE CACHE", Size::Twelve),
        "SYNCHRONIZE CACHE (12) is not an SBC command",
    );
    displays(
        &missing("VERIFY", Size::Six),
        "VERIFY (6) is not an SBC command",
    );
}

#[test]
fn raw_6_and_12_byte_reads_and_writes_decode_direction_and_length() {
    let cdb = |bytes: &[u8]| Cdb::new(bytes).unwrap();
    assert_eq!(cdb(&[0x08, 0, 0, 0, 0, 0]).transfer(), blocks_in(256));
    assert_eq!(
        cdb(&[0x08, 0x1f, 0xff, 0xff, 1, 0]).transfer(),
        blocks_in(1)
    );
    assert_eq!(cdb(&[0x0a, 0, 0, 0, 0, 0]).transfer(), blocks_out(256));
    assert_eq!(cdb(&[0x0a, 0, 0, 9, 0xff, 0]).transfer(), blocks_out(255));
    let twelve = |op, b1| [op, b1, 0, 0, 0, 0, 0x01, 0x02, 0x03, 0x04, 0, 0];
    assert_eq!(cdb(&twelve(0xa8, 0)).transfer(), blocks_in(0x0102_0304));
    assert_eq!(cdb(&twelve(0xaa, 0x18)).transfer(), blocks_out(0x0102_0304));
    // VERIFY (12): BYTCHK in byte 1 bits 2..1, as in (10) and (16).
    assert_eq!(cdb(&twelve(0xaf, 0x00)).transfer(), Some(Transfer::NONE));
    assert_eq!(cdb(&twelve(0xaf, 0x02)).transfer(), blocks_out(0x0102_0304));
    assert_eq!(cdb(&twelve(0xaf, 0x04)).transfer(), None);
    assert_eq!(cdb(&twelve(0xaf, 0x06)).transfer(), blocks_out(1));
    // A 12-byte opcode in a 10-byte CDB cannot hold its transfer length.
    for op in [0xa8, 0xaa, 0xaf] {
        assert_eq!(cdb(&twelve(op, 0)[..10]).transfer(), None, "{op:#x}");
    }
    let named = [
        (0x08, Opcode::Read6),
        (0x0a, Opcode::Write6),
        (0xa8, Opcode::Read12),
        (0xaa, Opcode::Write12),
        (0xaf, Opcode::Verify12),
    ];
    for (byte, op) in named {
        assert_eq!(Opcode::from(byte), op);
        assert_eq!(u8::from(op), byte);
    }
}

#[test]
fn every_size_round_trips_through_the_transfer_decoder() {
    let cases: [(Size, &[u32]); 4] = [
        (Size::Six, &[1, 2, 255, 256]),
        (Size::Ten, &[0, 1, 0xffff]),
        (Size::Twelve, &[0, 1, 0x1_0000, u32::MAX]),
        (Size::Sixteen, &[0, 1, u32::MAX]),
    ];
    for (size, counts) in cases {
        for &blocks in counts {
            let read = Read {
                lba: 0x1f_ffff,
                blocks,
                size: Some(size),
                ..Read::default()
            };
            let cdb = read.to_cdb().unwrap();
            assert_eq!(cdb.len(), size.len());
            assert_eq!(Size::from_len(cdb.len()), Some(size));
            assert_eq!(cdb.transfer(), blocks_in(blocks), "{size:?} {blocks}");
            let write = Write {
                lba: 3,
                blocks,
                size: Some(size),
                ..Write::default()
            };
            let cdb = write.to_cdb().unwrap();
            assert_eq!(cdb.transfer(), blocks_out(blocks), "{size:?} {blocks}");
        }
    }
    for (size, blocks) in [(Size::Ten, 0xffff), (Size::Twelve, 0x1234_5678)] {
        let verify = Verify {
            blocks,
            bytchk: 1,
            size: Some(size),
            ..Verify::default()
        };
        let cdb = verify.to_cdb().unwrap();
        assert_eq!(cdb.transfer(), blocks_out(blocks), "{size:?}");
    }
}

#[test]
fn size_lengths_and_sg_dd_cdbsz_values() {
    for size in [Size::Six, Size::Ten, Size::Twelve, Size::Sixteen] {
        assert_eq!(Size::from_len(size.len()), Some(size));
    }
    for len in [0, 5, 7, 8, 11, 13, 15, 17, 32] {
        assert_eq!(Size::from_len(len), None);
    }
    // `None` never picks (6) or (12), even where they would fit.
    assert_eq!(Size::choose(None, 0, 1), Ok(Size::Ten));
    assert_eq!(Size::choose(None, 0, 0x1_0000), Ok(Size::Sixteen));
    assert_eq!(Size::choose(Some(Size::Six), 0x1f_ffff, 256), Ok(Size::Six));
    assert_eq!(
        Size::choose(Some(Size::Twelve), 0xffff_ffff, u32::MAX),
        Ok(Size::Twelve)
    );
}

/// Emits a parameter list with `emit` into a poisoned buffer; checks the bytes and that
/// nothing past them was touched.
fn golden_list(emit: impl Fn(&mut [u8]) -> Result<usize, Error>, expected: &[u8]) {
    let mut buf = [0xa5u8; 16];
    let n = emit(&mut buf).unwrap();
    assert_eq!(&buf[..n], expected);
    assert!(buf[n..].iter().all(|&b| b == 0xa5), "wrote past the list");
}

/// Checks that `emit` refuses with `err` and leaves a poisoned buffer untouched.
fn refused_list(emit: impl Fn(&mut [u8]) -> Result<usize, Error>, err: Error) {
    let mut buf = [0xa5u8; 16];
    assert_eq!(emit(&mut buf), Err(err));
    assert!(buf.iter().all(|&b| b == 0xa5), "wrote on error");
}

#[test]
fn format_unit_packs_fmtpinfo_longlist_fmtdata_cmplst_dlf_and_ffmt() {
    golden(&FormatUnit::default(), &[0x04, 0, 0, 0, 0, 0]);
    // sg_format --format: FMTDATA (IMMED in the header) and CMPLST.
    let fu = FormatUnit {
        fmtdata: true,
        cmplst: true,
        ..FormatUnit::default()
    };
    golden(&fu, &[0x04, 0x18, 0, 0, 0, 0]);
    let all = FormatUnit {
        fmtpinfo: 3,
        longlist: true,
        fmtdata: true,
        cmplst: true,
        defect_list_format: 7,
        ffmt: 2,
    };
    golden(&all, &[0x04, 0xff, 0, 0, 0x02, 0]);
    assert_eq!(fu.to_cdb().unwrap().transfer(), None);
    assert_eq!(
        FormatUnit::default().to_cdb().unwrap().transfer(),
        Some(Transfer::NONE)
    );
    let too = |field, value, max| Error::TooLarge { field, value, max };
    refused(
        &FormatUnit {
            fmtpinfo: 4,
            ..FormatUnit::default()
        },
        too("FMTPINFO", 4, 3),
    );
    refused(
        &FormatUnit {
            ffmt: 4,
            ..FormatUnit::default()
        },
        too("FFMT", 4, 3),
    );
    refused(
        &FormatUnit {
            defect_list_format: 8,
            ..FormatUnit::default()
        },
        too("DEFECT LIST FORMAT", 8, 7),
    );
}

#[test]
fn format_header_short_and_long() {
    let immed = FormatHeader {
        immed: true,
        ..FormatHeader::default()
    };
    golden_list(|b| immed.emit(b), &[0, 0x02, 0, 0]);
    // --dcrt: FOV and DCRT; --ip_def: FOV and IP; --pfu=5.
    let h = FormatHeader {
        protection_field_usage: 5,
        fov: true,
        dcrt: true,
        ip: true,
        immed: true,
        ..FormatHeader::default()
    };
    golden_list(|b| h.emit(b), &[0x05, 0xaa, 0, 0]);
    let all = FormatHeader {
        fov: true,
        dpry: true,
        dcrt: true,
        stpf: true,
        ip: true,
        immed: true,
        defect_list_length: 0x1234,
        ..FormatHeader::default()
    };
    golden_list(|b| all.emit(b), &[0, 0xfa, 0x12, 0x34]);
    // The long header: P_I_INFORMATION and PROTECTION INTERVAL EXPONENT in byte 3.
    let long = FormatHeader {
        long: true,
        protection_field_usage: 1,
        immed: true,
        p_i_information: 0xa,
        protection_interval_exponent: 3,
        defect_list_length: 0x0102_0304,
        ..FormatHeader::default()
    };
    golden_list(|b| long.emit(b), &[0x01, 0x02, 0, 0xa3, 1, 2, 3, 4]);
    // The short header has no room for them.
    let short_pie = FormatHeader {
        protection_interval_exponent: 1,
        ..FormatHeader::default()
    };
    refused_list(
        |b| short_pie.emit(b),
        Error::TooLarge {
            field: "PROTECTION INTERVAL EXPONENT",
            value: 1,
            max: 0,
        },
    );
    let pfu = FormatHeader {
        protection_field_usage: 8,
        ..FormatHeader::default()
    };
    refused_list(
        |b| pfu.emit(b),
        Error::TooLarge {
            field: "PROTECTION FIELD USAGE",
            value: 8,
            max: 7,
        },
    );
    let dl = FormatHeader {
        defect_list_length: 0x1_0000,
        ..FormatHeader::default()
    };
    refused_list(
        |b| dl.emit(b),
        Error::TooLarge {
            field: "DEFECT LIST LENGTH",
            value: 0x1_0000,
            max: 0xffff,
        },
    );
    refused_list(
        |b| immed.emit(&mut b[..3]),
        Error::BufferTooShort { needed: 4, got: 3 },
    );
}

#[test]
fn init_pattern_descriptor_sets_si() {
    let si = InitPattern {
        security_initialize: true,
        ..InitPattern::default()
    };
    golden_list(|b| si.emit(b), &[0x20, 0, 0, 0]);
    let m = InitPattern {
        modifier: 2,
        security_initialize: false,
        pattern_type: 1,
    };
    golden_list(|b| m.emit(b), &[0x80, 0x01, 0, 0]);
}

#[test]
fn sanitize_packs_immed_znr_ause_action_and_length() {
    let s = |action, immed, znr, ause, len| Sanitize {
        action,
        immed,
        znr,
        ause,
        parameter_list_length: len,
    };
    golden(
        &s(SanitizeAction::BlockErase, true, false, false, 0),
        &[0x48, 0x82, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    golden(
        &s(SanitizeAction::CryptographicErase, false, true, true, 0),
        &[0x48, 0x63, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    golden(
        &s(SanitizeAction::ExitFailureMode, false, false, false, 0),
        &[0x48, 0x1f, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    let ow = s(SanitizeAction::Overwrite, true, false, true, 0x0204);
    golden(&ow, &[0x48, 0xa1, 0, 0, 0, 0, 0, 0x02, 0x04, 0]);
    assert_eq!(
        ow.to_cdb().unwrap().transfer(),
        Some(Transfer {
            direction: Direction::ToDevice,
            length: Length::Bytes(0x204)
        })
    );
    // Only OVERWRITE has a parameter list.
    refused(
        &s(SanitizeAction::BlockErase, true, false, false, 4),
        Error::TooLarge {
            field: "PARAMETER LIST LENGTH",
            value: 4,
            max: 0,
        },
    );
}

#[test]
fn overwrite_header_and_its_refusals() {
    let h = |invert, test, count, pattern_length| OverwriteHeader {
        invert,
        test,
        count,
        pattern_length,
    };
    golden_list(|b| h(false, 0, 1, 4).emit(b, Some(512)), &[0x01, 0, 0, 4]);
    golden_list(
        |b| h(true, 3, 31, 512).emit(b, Some(512)),
        &[0xff, 0, 0x02, 0x00],
    );
    golden_list(
        |b| h(false, 1, 2, 0xffff).emit(b, None),
        &[0x22, 0, 0xff, 0xff],
    );
    let unsupported = |what| Error::Unsupported {
        command: "SANITIZE",
        size: Size::Ten,
        what,
    };
    refused_list(
        |b| h(false, 0, 0, 4).emit(b, None),
        unsupported("OVERWRITE COUNT 0 is reserved (1 to 31 passes)"),
    );
    refused_list(
        |b| h(false, 0, 32, 4).emit(b, None),
        Error::TooLarge {
            field: "OVERWRITE COUNT",
            value: 32,
            max: 31,
        },
    );
    refused_list(
        |b| h(false, 0, 1, 0).emit(b, None),
        unsupported("OVERWRITE needs an initialization pattern of 1 byte or more"),
    );
    // A pattern longer than the logical block.
    refused_list(
        |b| h(false, 0, 1, 513).emit(b, Some(512)),
        Error::TooLarge {
            field: "INITIALIZATION PATTERN LENGTH",
            value: 513,
            max: 512,
        },
    );
    refused_list(
        |b| h(false, 4, 1, 1).emit(b, None),
        Error::TooLarge {
            field: "TEST",
            value: 4,
            max: 3,
        },
    );
}

#[test]
fn mode_sense_6_and_mode_select_6_and_10() {
    let ms = ModeSense6 {
        dbd: false,
        page_control: PageControl::Current,
        page_code: 1,
        subpage_code: 0,
        allocation_length: 252,
    };
    golden(&ms, &[0x1a, 0, 0x01, 0, 0xfc, 0]);
    let all = ModeSense6 {
        dbd: true,
        page_control: PageControl::Saved,
        page_code: 0x3f,
        subpage_code: 0xff,
        allocation_length: 4,
    };
    golden(&all, &[0x1a, 0x08, 0xff, 0xff, 4, 0]);
    assert_eq!(
        ms.to_cdb().unwrap().transfer(),
        Some(Transfer {
            direction: Direction::FromDevice,
            length: Length::AtMost(252)
        })
    );
    let sel = |six, sp, len| ModeSelect {
        six,
        page_format: true,
        save_pages: sp,
        parameter_list_length: len,
    };
    golden(&sel(true, true, 24), &[0x15, 0x11, 0, 0, 24, 0]);
    golden(
        &sel(false, false, 0x0120),
        &[0x55, 0x10, 0, 0, 0, 0, 0, 0x01, 0x20, 0],
    );
    assert_eq!(
        sel(false, true, 28).to_cdb().unwrap().transfer(),
        Some(Transfer {
            direction: Direction::ToDevice,
            length: Length::Bytes(28)
        })
    );
    refused(
        &sel(true, true, 256),
        Error::TooLarge {
            field: "PARAMETER LIST LENGTH",
            value: 256,
            max: 255,
        },
    );
}
