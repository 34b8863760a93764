use super::*;

/// A `fmt::Write` into a fixed array: renders without allocating.
struct Buf {
    bytes: [u8; 1024],
    len: usize,
}

impl Buf {
    fn new() -> Self {
        Buf {
            bytes: [0; 1024],
            len: 0,
        }
    }
    fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[..self.len]).unwrap()
    }
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
    let mut buf = Buf::new();
    fmt::write(&mut buf, format_args!("{value}")).unwrap();
    buf
}

const MEDIUM_FIXED_VALID: [u8; 18] = [
    0xf0, 0x00, 0x03, 0x00, 0x00, 0x12, 0x34, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00,
    0x00, 0x00,
];

#[test]
fn known_fixed_medium_error_decodes_with_valid_info() {
    let s = Sense::new_checked(&MEDIUM_FIXED_VALID[..]).unwrap();
    assert_eq!(s.format(), Format::Fixed);
    assert!(!s.is_deferred());
    assert_eq!(s.sense_key(), SenseKey::MediumError);
    assert_eq!(s.additional_sense(), Some(AdditionalSense::new(0x11, 0x00)));
    assert_eq!(
        s.information(),
        Some(Information {
            valid: true,
            value: 0x1234
        })
    );
    assert_eq!(s.command_specific(), Some(0));
    assert_eq!(s.sense_key_specific(), None);
    assert_eq!(s.field_replaceable_unit(), None);
    // sg3_utils 1.46 never returns 18: the Information field plays no part.
    assert_eq!(s.category(), ExitCategory::MediumHard);
    assert_eq!(s.category().code(), 3);
}

#[cfg(feature = "asc-strings")]
#[test]
fn known_fixed_medium_error_renders_like_sg_decode_sense() {
    let s = Sense::new_checked(&MEDIUM_FIXED_VALID[..]).unwrap();
    assert_eq!(
        rendered(s).as_str(),
        "Fixed format, current; Sense key: Medium Error\n\
         Additional sense: Unrecovered read error\n  \
         Info fld=0x1234 [4660]"
    );
}

#[cfg(feature = "asc-strings")]
#[test]
fn fixed_info_without_valid_bit_renders_valid_0_and_stream_bits() {
    let mut b = MEDIUM_FIXED_VALID;
    b[0] = 0x70;
    b[2] = 0xe3;
    b[14] = 7;
    let s = Sense::new_checked(&b[..]).unwrap();
    assert_eq!(s.stream_bits(), (true, true, true));
    assert_eq!(s.category(), ExitCategory::MediumHard);
    assert_eq!(
        rendered(s).as_str(),
        "Fixed format, current; Sense key: Medium Error\n\
         Additional sense: Unrecovered read error\n  \
         Valid=0, Info fld=0x1234 [4660]  FMK EOM ILI\n  \
         Field replaceable unit code: 7"
    );
}

#[test]
fn known_descriptor_medium_error_decodes() {
    let b = [0x72, 0x03, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00];
    let s = Sense::new_checked(&b[..]).unwrap();
    assert_eq!(s.format(), Format::Descriptor);
    assert_eq!(s.sense_key(), SenseKey::MediumError);
    assert_eq!(s.additional_sense(), Some(AdditionalSense::new(0x11, 0)));
    assert_eq!(s.information(), None);
    assert_eq!(s.descriptors().count(), 0);
    assert_eq!(category(&b), ExitCategory::MediumHard);
    #[cfg(feature = "asc-strings")]
    assert_eq!(
        rendered(s).as_str(),
        "Descriptor format, current; Sense key: Medium Error\n\
         Additional sense: Unrecovered read error"
    );
}

#[cfg(feature = "asc-strings")]
#[test]
fn known_asc_names_match_t10() {
    let name = |asc, ascq| AdditionalSense::new(asc, ascq).name().map(rendered);
    assert_eq!(
        name(0x29, 0x01).as_ref().map(Buf::as_str),
        Some("Power on occurred")
    );
    assert_eq!(
        name(0x3f, 0x01).as_ref().map(Buf::as_str),
        Some("Microcode has been changed")
    );
    assert_eq!(
        name(0x3f, 0x16).as_ref().map(Buf::as_str),
        Some("Microcode has been changed without reset")
    );
    assert_eq!(
        name(0x24, 0x00).as_ref().map(Buf::as_str),
        Some("Invalid field in cdb")
    );
    assert_eq!(
        name(0x00, 0x00).as_ref().map(Buf::as_str),
        Some("No additional sense information")
    );
    assert_eq!(
        name(0x5d, 0xff).as_ref().map(Buf::as_str),
        Some("Failure prediction threshold exceeded (false)")
    );
    assert!(name(0x00, 0x08).is_none());
    assert!(name(0x4d, 0x05).is_none());
}

#[cfg(feature = "asc-strings")]
#[test]
fn asc_table_has_every_t10_pair_in_order() {
    assert_eq!(ASC_TABLE_ENTRIES, 761);
    assert!(asc::KEYS.windows(2).all(|w| w[0] < w[1]));
    // Every entry is reachable by look-up and non-empty.
    for (i, &key) in asc::KEYS.iter().enumerate() {
        let [a, q] = key.to_be_bytes();
        let n = AdditionalSense::new(a, q).name().unwrap();
        assert!(!n.is_empty(), "entry {i}");
    }
    assert_eq!(asc::KEYS.first(), Some(&0x0000));
    assert_eq!(asc::KEYS.last(), Some(&0x7479));
    assert_eq!(
        ASC_TABLE_BYTES,
        761 * 2 + 762 * 2 + asc::PACKED.len() + asc::PAIRS.len() * 2
    );
    // Packed by byte pairs: the names at well under their own length.
    assert!(
        asc::PACKED.len() * 2 < asc::TEXT_LEN + 2048,
        "{}",
        asc::PACKED.len()
    );
    let unpacked: usize = asc::KEYS
        .iter()
        .map(|&key| {
            let [a, q] = key.to_be_bytes();
            AdditionalSense::new(a, q).name().unwrap().len()
        })
        .sum();
    assert_eq!(unpacked, asc::TEXT_LEN);
}

#[cfg(not(feature = "asc-strings"))]
#[test]
fn without_asc_strings_names_are_absent_and_hex_renders() {
    let a = AdditionalSense::new(0x11, 0x00);
    assert!(a.name().is_none());
    assert_eq!(a.range_name(), None);
    assert_eq!(ASC_TABLE_BYTES, 0);
    assert_eq!(rendered(a).as_str(), "ASC=11, ASCQ=00 (hex)");
    let s = Sense::new_checked(&MEDIUM_FIXED_VALID[..]).unwrap();
    assert_eq!(
        rendered(s).as_str(),
        "Fixed format, current; Sense key: Medium Error\n\
         ASC=11, ASCQ=00 (hex)\n  \
         Info fld=0x1234 [4660]"
    );
}

#[test]
fn unit_attention_power_on_and_microcode_change() {
    for (asc, ascq, name) in [
        (0x29, 0x01, "Power on occurred"),
        (0x3f, 0x01, "Microcode has been changed"),
        (0x3f, 0x16, "Microcode has been changed without reset"),
    ] {
        let b = [
            0x70, 0, 0x06, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, asc, ascq, 0, 0, 0, 0,
        ];
        let s = Sense::new_checked(&b[..]).unwrap();
        assert_eq!(s.sense_key(), SenseKey::UnitAttention);
        assert_eq!(category(&b), ExitCategory::UnitAttention);
        assert_eq!(category(&b).code(), 6);
        #[cfg(feature = "asc-strings")]
        assert_eq!(
            rendered(s).as_str(),
            rendered(format_args!(
                "Fixed format, current; Sense key: Unit Attention\nAdditional sense: {name}"
            ))
            .as_str()
        );
        #[cfg(not(feature = "asc-strings"))]
        let _ = name;
    }
}

#[test]
fn invalid_field_in_cdb_points_at_command_byte_2() {
    let b = [
        0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x24, 0x00, 0, 0xc0, 0x00, 0x02,
    ];
    let s = Sense::new_checked(&b[..]).unwrap();
    assert_eq!(
        s.sense_key_specific(),
        Some(SenseKeySpecific::FieldPointer {
            command: true,
            bit: None,
            byte: 2
        })
    );
    assert_eq!(s.category(), ExitCategory::IllegalRequest);
    #[cfg(feature = "asc-strings")]
    assert_eq!(
        rendered(s).as_str(),
        "Fixed format, current; Sense key: Illegal Request\n\
         Additional sense: Invalid field in cdb\n  \
         Sense Key Specific: Error in Command: byte 2"
    );
}

#[test]
fn field_pointer_with_bit_pointer_and_data_side() {
    let sks = SenseKeySpecific::decode(SenseKey::IllegalRequest, [0x8d, 0x01, 0x02]);
    assert_eq!(
        sks,
        Some(SenseKeySpecific::FieldPointer {
            command: false,
            bit: Some(5),
            byte: 0x102
        })
    );
    assert_eq!(
        rendered(sks.unwrap()).as_str(),
        "Error in Data parameters: byte 258 bit 5"
    );
    assert_eq!(
        SenseKeySpecific::decode(SenseKey::IllegalRequest, [0x4d, 1, 2]),
        None
    );
}

#[test]
fn sense_key_specific_decodes_by_key() {
    let b = [0x80, 0x40, 0x00];
    assert_eq!(
        SenseKeySpecific::decode(SenseKey::NotReady, b),
        Some(SenseKeySpecific::Progress(Progress(0x4000)))
    );
    assert_eq!(
        SenseKeySpecific::decode(SenseKey::NoSense, b),
        Some(SenseKeySpecific::Progress(Progress(0x4000)))
    );
    for key in [
        SenseKey::RecoveredError,
        SenseKey::MediumError,
        SenseKey::HardwareError,
    ] {
        assert_eq!(
            SenseKeySpecific::decode(key, [0x80, 0x00, 0x03]),
            Some(SenseKeySpecific::RetryCount(3))
        );
    }
    assert_eq!(
        SenseKeySpecific::decode(SenseKey::CopyAborted, [0xa9, 0x00, 0x10]),
        Some(SenseKeySpecific::SegmentPointer {
            segment_descriptor: true,
            bit: Some(1),
            byte: 16
        })
    );
    assert_eq!(
        SenseKeySpecific::decode(SenseKey::UnitAttention, [0x81, 0, 0]),
        Some(SenseKeySpecific::UnitAttentionQueueOverflow(true))
    );
    assert_eq!(
        SenseKeySpecific::decode(SenseKey::DataProtect, [0x81, 2, 3]),
        Some(SenseKeySpecific::Other([0x81, 2, 3]))
    );
}

#[test]
fn progress_is_be16_over_65536() {
    assert_eq!(Progress(0x4000).hundredths_of_percent(), 2500);
    assert_eq!(Progress(0xffff).hundredths_of_percent(), 9999);
    assert_eq!(Progress(0).hundredths_of_percent(), 0);
    assert_eq!(rendered(Progress(0x4000)).as_str(), "25.00%");
    assert_eq!(rendered(Progress(0x0290)).as_str(), "1.00%");
}

#[test]
fn not_ready_format_in_progress_renders_percentage() {
    let b = [
        0x70, 0, 0x02, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x04, 0x04, 0, 0x80, 0x40, 0x00,
    ];
    let s = Sense::new_checked(&b[..]).unwrap();
    assert_eq!(
        s.sense_key_specific(),
        Some(SenseKeySpecific::Progress(Progress(0x4000)))
    );
    assert_eq!(s.category(), ExitCategory::NotReady);
    #[cfg(feature = "asc-strings")]
    assert_eq!(
        rendered(s).as_str(),
        "Fixed format, current; Sense key: Not Ready\n\
         Additional sense: Logical unit not ready, format in progress\n  \
         Progress indication: 25.00%"
    );
}

#[test]
fn fixed_asc_is_absent_when_additional_length_stops_short() {
    // Additional length 4: bytes 8..12 only; ASC at 12 is not reported.
    let b = [
        0x70, 0, 0x05, 0, 0, 0, 0, 0x04, 0, 0, 0, 1, 0x24, 0x00, 0, 0xc0, 0, 2,
    ];
    let s = Sense::new_checked(&b[..]).unwrap();
    assert_eq!(s.additional_sense(), None);
    assert_eq!(s.command_specific(), Some(1));
    assert_eq!(s.sense_key_specific(), None);
    assert_eq!(s.category(), ExitCategory::IllegalRequest);
    // Additional length 6 reaches byte 13, not the SKS at 15..18.
    let mut c = b;
    c[7] = 6;
    let s = Sense::new_checked(&c[..]).unwrap();
    assert_eq!(s.additional_sense(), Some(AdditionalSense::new(0x24, 0)));
    assert_eq!(s.sense_key_specific(), None);
    // The buffer, not the additional length, cuts it: ASC there, ASCQ not.
    let mut d = b;
    d[7] = 0x0a;
    let s = Sense::new_checked(&d[..13]).unwrap();
    assert_eq!(s.additional_sense(), None);
}

#[test]
fn short_buffers_are_errors_not_panics() {
    assert_eq!(
        Sense::new_checked(&[][..]).unwrap_err(),
        Error::Truncated { len: 0 }
    );
    assert_eq!(
        Sense::new_checked(&[0x70, 0][..]).unwrap_err(),
        Error::Truncated { len: 2 }
    );
    assert_eq!(
        Sense::new_checked(&[0x72][..]).unwrap_err(),
        Error::Truncated { len: 1 }
    );
    assert_eq!(
        Sense::new_checked(&[0x12, 0x34, 0, 0][..]).unwrap_err(),
        Error::ResponseCode(0x12)
    );
    let s = Sense::new_checked(&[0x70, 0, 0x05][..]).unwrap();
    assert_eq!(s.sense_key(), SenseKey::IllegalRequest);
    assert_eq!(s.additional_sense(), None);
    assert_eq!(s.information(), None);
    assert_eq!(s.valid_len(), 3);
    #[cfg(feature = "asc-strings")]
    assert_eq!(
        rendered(s).as_str(),
        "Fixed format, current; Sense key: Illegal Request"
    );
}

#[test]
fn deferred_codes_are_flagged() {
    let s = Sense::new_checked(&[0x71, 0, 0x0b][..]).unwrap();
    assert!(s.is_deferred());
    assert_eq!(s.format(), Format::Fixed);
    let s = Sense::new_checked(&[0xf3, 0x0b][..]).unwrap();
    assert!(s.is_deferred());
    assert_eq!(s.format(), Format::Descriptor);
    assert_eq!(s.response_code(), 0x73);
    assert!(rendered(s)
        .as_str()
        .starts_with("Descriptor format, <<<deferred>>>;"));
}

/// Information, command-specific, SKS, FRU, stream, block, progress, ATA status return and
/// a vendor descriptor, in one descriptor-format sense buffer.
const DESCRIPTORS: [u8; 66] = [
    0x72, 0x05, 0x24, 0x00, 0, 0, 0, 56, // header, additional length 56
    0x00, 0x0a, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, // information
    0x01, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05, // command specific
    0x02, 0x06, 0, 0, 0xc8, 0x00, 0x02, 0, // sense key specific
    0x03, 0x02, 0, 0x07, // FRU
    0x04, 0x02, 0, 0xe0, // stream
    0x05, 0x02, 0, 0x20, // block
    0x0a, 0x06, 0x02, 0x04, 0x04, 0, 0x40, 0x00, // progress
    0x80, 0x02, 0xaa, 0xbb, // vendor specific
    0xff, 0xff, // past the additional length: ignored
];

#[test]
fn descriptor_walk_decodes_every_known_type() {
    let s = Sense::new_checked(&DESCRIPTORS[..]).unwrap();
    let mut it = s.descriptors();
    assert_eq!(
        it.next(),
        Some(Descriptor::Information(Information {
            valid: true,
            value: 0x1234
        }))
    );
    assert_eq!(it.next(), Some(Descriptor::CommandSpecific(5)));
    assert_eq!(
        it.next(),
        Some(Descriptor::SenseKeySpecific(Some(
            SenseKeySpecific::FieldPointer {
                command: true,
                bit: Some(0),
                byte: 2
            }
        )))
    );
    assert_eq!(it.next(), Some(Descriptor::FieldReplaceableUnit(7)));
    assert_eq!(
        it.next(),
        Some(Descriptor::Stream {
            filemark: true,
            end_of_medium: true,
            incorrect_length: true
        })
    );
    assert_eq!(
        it.next(),
        Some(Descriptor::Block {
            incorrect_length: true
        })
    );
    assert_eq!(
        it.next(),
        Some(Descriptor::Progress {
            key: SenseKey::NotReady,
            additional: AdditionalSense::new(4, 4),
            progress: Progress(0x4000)
        })
    );
    assert_eq!(
        it.next(),
        Some(Descriptor::Other {
            descriptor_type: 0x80,
            bytes: &[0x80, 0x02, 0xaa, 0xbb]
        })
    );
    assert_eq!(it.next(), None);
    assert_eq!(s.information().map(|i| i.value), Some(0x1234));
    assert_eq!(s.command_specific(), Some(5));
    assert_eq!(s.field_replaceable_unit(), Some(7));
    assert_eq!(s.stream_bits(), (true, true, true));
    assert_eq!(s.category(), ExitCategory::IllegalRequest);
    assert_eq!(s.category().code(), 5);
}

#[cfg(feature = "asc-strings")]
#[test]
fn descriptor_sense_renders_each_descriptor() {
    let s = Sense::new_checked(&DESCRIPTORS[..]).unwrap();
    assert_eq!(
        rendered(s).as_str(),
        "Descriptor format, current; Sense key: Illegal Request\n\
         Additional sense: Invalid field in cdb\n  \
         Descriptor type: Information: 0x0000000000001234\n  \
         Descriptor type: Command specific: 0x0000000000000005\n  \
         Descriptor type: Sense key specific: Field pointer:\n        \
         Error in Command: byte 2 bit 0\n  \
         Descriptor type: Field replaceable unit code: 0x7\n  \
         Descriptor type: Stream commands: FILEMARK End Of Medium (EOM) Incorrect Length \
         Indicator (ILI)\n  \
         Descriptor type: Block commands: Incorrect Length Indicator (ILI) set\n  \
         Descriptor type: Another progress indication: 25.00%\n        \
         [sense_key=0x2 asc,ascq=0x4,0x4]\n  \
         Descriptor type: Vendor specific [0x80]\n    aa bb"
    );
}

#[test]
fn ata_status_return_descriptor_decodes_registers() {
    let b = [
        0x72, 0x01, 0x00, 0x1d, 0, 0, 0, 14, // recovered error, ATA pass through info
        0x09, 0x0c, 0x01, 0x04, 0x00, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x40, 0x51,
    ];
    let s = Sense::new_checked(&b[..]).unwrap();
    assert_eq!(
        s.descriptors().next(),
        Some(Descriptor::AtaStatusReturn(AtaStatusReturn {
            extend: true,
            error: 0x04,
            count: 0x0010,
            lba: 0x15_13_11_16_14_12,
            device: 0x40,
            status: 0x51,
        }))
    );
    assert_eq!(s.category(), ExitCategory::Recovered);
}

#[test]
fn descriptor_walk_is_bounded_by_additional_length_and_buffer() {
    // The information descriptor claims 10 more bytes; the additional length allows 6.
    let b = [
        0x72, 0x03, 0x11, 0x00, 0, 0, 0, 6, 0x00, 0x0a, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34,
    ];
    let s = Sense::new_checked(&b[..]).unwrap();
    let all: [Option<Descriptor<'_>>; 2] = {
        let mut it = s.descriptors();
        [it.next(), it.next()]
    };
    assert_eq!(
        all,
        [
            Some(Descriptor::Other {
                descriptor_type: 0,
                bytes: &b[8..14]
            }),
            None
        ]
    );
    assert_eq!(s.information(), None);
    assert_eq!(s.category(), ExitCategory::MediumHard);
    // The buffer cuts it even though the additional length says 0x20.
    let mut c = b;
    c[7] = 0x20;
    let s = Sense::new_checked(&c[..12]).unwrap();
    assert_eq!(s.descriptors().count(), 1);
    assert_eq!(s.information(), None);
    // A lone byte cannot start a descriptor.
    let s = Sense::new_checked(&c[..9]).unwrap();
    assert_eq!(s.descriptors().count(), 0);
}

#[test]
fn descriptor_with_zero_length_advances() {
    let b = [
        0x72, 0, 0, 0, 0, 0, 0, 6, 0x80, 0x00, 0x81, 0x00, 0x82, 0x00,
    ];
    let s = Sense::new_checked(&b[..]).unwrap();
    assert_eq!(s.descriptors().count(), 3);
}

#[test]
fn categories_follow_the_sg3_utils_table() {
    let fixed = |key: u8, asc: u8, ascq: u8, valid: bool| {
        let mut b = [
            0x70, 0, key, 0, 0, 0, 1, 0x0a, 0, 0, 0, 0, asc, ascq, 0, 0, 0, 0,
        ];
        if valid {
            b[0] |= 0x80;
        }
        category(&b).code()
    };
    assert_eq!(fixed(0x0, 0, 0, false), 20);
    assert_eq!(fixed(0x1, 0x17, 1, false), 21);
    assert_eq!(fixed(0x2, 0x04, 0, false), 2);
    assert_eq!(fixed(0x3, 0x11, 0, false), 3);
    assert_eq!(fixed(0x3, 0x11, 0, true), 3);
    assert_eq!(fixed(0x4, 0x44, 0, false), 3);
    assert_eq!(fixed(0x4, 0x44, 0, true), 3);
    assert_eq!(fixed(0x8, 0x00, 5, false), 3);
    assert_eq!(fixed(0x5, 0x20, 0, false), 9);
    assert_eq!(fixed(0x5, 0x20, 0, true), 9);
    assert_eq!(fixed(0x5, 0x21, 0, false), 22);
    assert_eq!(fixed(0x5, 0x26, 0, false), 5);
    assert_eq!(fixed(0x5, 0x24, 0, false), 5);
    assert_eq!(fixed(0x5, 0x24, 0, true), 5);
    assert_eq!(fixed(0x5, 0x20, 1, false), 5);
    assert_eq!(fixed(0x6, 0x29, 0, false), 6);
    assert_eq!(fixed(0x7, 0x27, 0, false), 7);
    assert_eq!(fixed(0x9, 0, 0, false), 98);
    assert_eq!(fixed(0xa, 0, 0, false), 10);
    assert_eq!(fixed(0xb, 0x10, 1, false), 40);
    assert_eq!(fixed(0xb, 0x10, 3, false), 40);
    assert_eq!(fixed(0xb, 0x47, 0, false), 11);
    assert_eq!(fixed(0xc, 0, 0, false), 98);
    assert_eq!(fixed(0xd, 0, 0, false), 98);
    assert_eq!(fixed(0xe, 0x1d, 0, false), 14);
    assert_eq!(fixed(0xf, 0, 0, false), 98);
    // Not sense data at all.
    assert_eq!(category(&[]).code(), 98);
    assert_eq!(category(&[0x70, 0]).code(), 98);
    assert_eq!(category(&[0x00, 0x00, 0x05]).code(), 98);
}

/// sg3_utils 1.46, lib/sg_lib.c, `sg_err_category_sense()`, transcribed case by case: the
/// expected exit category of a sense key and ASC/ASCQ.
fn sg3_utils_1_46(key: u8, asc: u8, ascq: u8) -> u8 {
    match key {
        0x0 => 20,                             // SPC_SK_NO_SENSE → SG_LIB_CAT_NO_SENSE
        0x1 => 21,                             // SPC_SK_RECOVERED_ERROR → SG_LIB_CAT_RECOVERED
        0x2 => 2,                              // SPC_SK_NOT_READY → SG_LIB_CAT_NOT_READY
        0x3 | 0x4 | 0x8 => 3, // MEDIUM, HARDWARE, BLANK CHECK → SG_LIB_CAT_MEDIUM_HARD
        0x6 => 6,             // SPC_SK_UNIT_ATTENTION
        0x5 if asc == 0x20 && ascq == 0 => 9, // SG_LIB_CAT_INVALID_OP
        0x5 if asc == 0x21 && ascq == 0 => 22, // SG_LIB_LBA_OUT_OF_RANGE
        0x5 => 5,             // SG_LIB_CAT_ILLEGAL_REQ
        0xb if asc == 0x10 => 40, // SG_LIB_CAT_PROTECTION
        0xb => 11,            // SG_LIB_CAT_ABORTED_COMMAND
        0xe => 14,            // SG_LIB_CAT_MISCOMPARE
        0x7 => 7,             // SG_LIB_CAT_DATA_PROTECT
        0xa => 10,            // SG_LIB_CAT_COPY_ABORTED
        _ => 98,              // COMPLETED, VOLUME OVERFLOW, vendor, reserved: SG_LIB_CAT_SENSE
    }
}

#[test]
fn every_sense_key_gives_sg3_utils_1_46s_category_in_both_formats_with_or_without_information() {
    let ascs = [0x00, 0x04, 0x10, 0x11, 0x20, 0x21, 0x24, 0x26, 0x29, 0x3f];
    for key in 0..16u8 {
        for asc in ascs {
            for ascq in [0x00, 0x01, 0x02, 0x16] {
                let want = sg3_utils_1_46(key, asc, ascq);
                for valid in [false, true] {
                    let mut fixed = [
                        0x70, 0, key, 0, 0, 0x12, 0x34, 0x0a, 0, 0, 0, 0, asc, ascq, 0, 0, 0, 0,
                    ];
                    if valid {
                        fixed[0] |= 0x80;
                    }
                    let mut desc = [
                        0x72, key, asc, ascq, 0, 0, 0, 12, 0x00, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0,
                        0x12, 0x34,
                    ];
                    if valid {
                        desc[10] = 0x80;
                    }
                    for (format, bytes) in [("fixed", &fixed[..]), ("descriptor", &desc[..])] {
                        assert_eq!(
                            category(bytes).code(),
                            want,
                            "{format} sense {key:x}/{asc:02x}/{ascq:02x} valid={valid}"
                        );
                    }
                }
            }
        }
    }
    // Deferred errors (71h, 73h) too.
    assert_eq!(category(&[0x71, 0, 3, 0, 0, 0, 0, 0]).code(), 3);
    assert_eq!(category(&[0x73, 5, 0x21, 0]).code(), 22);
    // sg_scsi_normalize_sense(): fixed ASC/ASCQ only within the additional length.
    assert_eq!(
        category(&[0x70, 0, 5, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0x20, 0]).code(),
        5
    );
    assert_eq!(
        category(&[0x70, 0, 5, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0x20, 0]).code(),
        9
    );
    // Fewer than three bytes: no sense key.
    assert_eq!(category(&[0x72, 5]).code(), 98);
}

#[test]
fn repr_round_trips_through_both_formats() {
    let poison = [0xa5u8; 32];
    for format in [Format::Fixed, Format::Descriptor] {
        for deferred in [false, true] {
            for information in [
                None,
                Some(Information {
                    valid: true,
                    value: 0xdead_beef,
                }),
                Some(Information {
                    valid: false,
                    value: 7,
                }),
            ] {
                let repr = Repr {
                    format,
                    deferred,
                    key: SenseKey::HardwareError,
                    additional: AdditionalSense::new(0x44, 0x00),
                    information,
                };
                let mut buf = poison;
                let n = repr.emit(&mut buf).unwrap();
                assert_eq!(n, repr.buffer_len());
                assert!(buf[n..].iter().all(|&b| b == 0xa5), "wrote past the end");
                let s = Sense::new_checked(&buf[..n]).unwrap();
                // Fixed format always has the field: absent emits as invalid zero.
                let information = match (format, information) {
                    (Format::Fixed, None) => Some(Information {
                        valid: false,
                        value: 0,
                    }),
                    (_, information) => information,
                };
                assert_eq!(
                    Repr::parse(&s),
                    Repr {
                        information,
                        ..repr
                    }
                );
            }
        }
    }
}

#[test]
fn repr_emits_the_golden_fixed_bytes() {
    let repr = Repr {
        format: Format::Fixed,
        deferred: false,
        key: SenseKey::MediumError,
        additional: AdditionalSense::new(0x11, 0x00),
        information: Some(Information {
            valid: true,
            value: 0x1234,
        }),
    };
    let mut buf = [0xa5u8; 18];
    assert_eq!(repr.emit(&mut buf), Ok(18));
    assert_eq!(buf, MEDIUM_FIXED_VALID);
}

#[test]
fn repr_refuses_short_buffers_and_wide_fixed_information() {
    let mut repr = Repr {
        format: Format::Fixed,
        deferred: false,
        key: SenseKey::MediumError,
        additional: AdditionalSense::new(0x11, 0x00),
        information: None,
    };
    let mut small = [0xa5u8; 17];
    assert_eq!(repr.emit(&mut small), Err(Error::Truncated { len: 17 }));
    assert!(small.iter().all(|&b| b == 0xa5));
    repr.information = Some(Information {
        valid: true,
        value: 1 << 32,
    });
    let mut buf = [0xa5u8; 18];
    assert_eq!(repr.emit(&mut buf), Err(Error::InformationTooWide(1 << 32)));
    assert!(buf.iter().all(|&b| b == 0xa5));
}

#[test]
fn sense_key_round_trips_and_keeps_unknown() {
    for v in 0..=255u8 {
        assert_eq!(u8::from(SenseKey::from(v)), v);
        assert_eq!(SenseKey::from(v).name().is_some(), v <= 0xf);
    }
    assert_eq!(SenseKey::from(0x1f), SenseKey::Unknown(0x1f));
    assert_eq!(
        rendered(SenseKey::from(0x1f)).as_str(),
        "Unknown sense key 0x1f"
    );
}

#[test]
fn vendor_specific_asc_and_ascq_render_in_hex() {
    let v = AdditionalSense::new(0x85, 0x12);
    assert!(v.is_vendor_specific());
    assert_eq!(
        rendered(v).as_str(),
        "vendor specific ASC=85, ASCQ=12 (hex)"
    );
    let q = AdditionalSense::new(0x22, 0x80);
    assert!(q.is_vendor_specific());
    #[cfg(feature = "asc-strings")]
    assert_eq!(
        rendered(q).as_str(),
        "ASC=22, vendor specific qualification ASCQ=80 (hex)"
    );
    assert!(!AdditionalSense::new(0x40, 0x80).is_vendor_specific());
    assert!(!AdditionalSense::new(0x5d, 0xff).is_vendor_specific());
    assert!(!AdditionalSense::new(0x11, 0x00).is_vendor_specific());
}

#[cfg(feature = "asc-strings")]
#[test]
fn numbered_ranges_render_their_number() {
    let r = |asc, ascq| rendered(AdditionalSense::new(asc, ascq));
    assert_eq!(
        r(0x40, 0x91).as_str(),
        "Diagnostic failure on component [0x91]"
    );
    assert_eq!(r(0x40, 0x05).as_str(), "Ram failure [0x5]");
    assert_eq!(r(0x40, 0x00).as_str(), "Ram failure (should use 40 nn)");
    assert_eq!(r(0x41, 0x02).as_str(), "Data path failure [0x2]");
    assert_eq!(
        r(0x42, 0xff).as_str(),
        "Power-on or self-test failure [0xff]"
    );
    assert_eq!(r(0x4d, 0x00).as_str(), "Tagged overlapped commands [0x0]");
    assert_eq!(
        r(0x70, 0x12).as_str(),
        "Decompression exception short algorithm id of 0x12"
    );
}

#[test]
fn render_of_non_sense_bytes_says_why() {
    assert_eq!(
        rendered(render(&[0x12, 0x34])).as_str(),
        "not sense data: response code 0x12 (want 0x70-0x73): 12 34"
    );
    assert_eq!(
        rendered(render(&[])).as_str(),
        "sense data too short: 0 bytes, no sense key:"
    );
}

#[test]
fn fixed_additional_bytes_are_shown_within_the_length() {
    let mut b = [0u8; 24];
    b[0] = 0x70;
    b[2] = 0x04;
    b[7] = 12; // two bytes past the standard 18
    b[18] = 0xab;
    b[19] = 0xcd;
    b[20] = 0xef; // outside the additional length
    let s = Sense::new_checked(&b[..]).unwrap();
    assert_eq!(s.additional_bytes(), &[0xab, 0xcd]);
    assert!(rendered(s)
        .as_str()
        .ends_with("Additional sense bytes: ab cd"));
}

#[test]
fn sense_data_overflow_bit_is_read_in_both_formats() {
    let fixed = [0x70, 0, 0x13, 0, 0, 0, 0, 0];
    let s = Sense::new_checked(&fixed[..]).unwrap();
    assert!(s.sense_data_overflow());
    assert_eq!(s.sense_key(), SenseKey::MediumError);
    assert!(rendered(s)
        .as_str()
        .ends_with("Medium Error\n<<<Sense data overflow (SDAT_OVFL)>>>"));
    let desc = [0x72, 0x03, 0x11, 0x00, 0x80, 0, 0, 0];
    assert!(Sense::new_checked(&desc[..]).unwrap().sense_data_overflow());
    let clear = [0x72, 0x03, 0x11, 0x00, 0x7f, 0, 0, 0];
    assert!(!Sense::new_checked(&clear[..])
        .unwrap()
        .sense_data_overflow());
}

#[test]
fn truncated_descriptor_is_raw_even_when_its_known_fields_fit() {
    // A FRU descriptor claiming 8 more bytes, of which the additional length allows 2.
    let b = [
        0x72, 0x04, 0x44, 0x00, 0, 0, 0, 4, 0x03, 0x08, 0x00, 0x07, 0, 0, 0, 0,
    ];
    let s = Sense::new_checked(&b[..]).unwrap();
    let mut it = s.descriptors();
    assert_eq!(
        it.next(),
        Some(Descriptor::Other {
            descriptor_type: 3,
            bytes: &b[8..12]
        })
    );
    assert_eq!(it.next(), None);
    assert_eq!(s.field_replaceable_unit(), None);
}

#[test]
fn progress_percent_uses_sg3_utils_arithmetic() {
    // 59 * 100 = 5900: 5900 / 656 = 8 where 59 * 10000 / 65536 = 9 (0.08% against 0.09%).
    assert_eq!(Progress(59).sg3_percent(), (0, 8));
    assert_eq!(Progress(59).hundredths_of_percent(), 9);
    assert_eq!(rendered(Progress(59)).as_str(), "0.08%");
    assert_eq!(Progress(0x0290).sg3_percent(), (1, 0));
    assert_eq!(Progress(0x4000).sg3_percent(), (25, 0));
    assert_eq!(Progress(0xffff).sg3_percent(), (99, 99));
    assert_eq!(Progress(0x199a).sg3_percent(), (10, 0));
    // 1967 * 100 = 196700 = 3 * 65536 + 92: 3.00 (sg3), 3.00 (exact 3.0014).
    assert_eq!(rendered(Progress(1967)).as_str(), "3.00%");
    // 27525 * 100 = 2752500 = 41 * 65536 + 65524; 65524 / 656 = 99.
    assert_eq!(rendered(Progress(27525)).as_str(), "41.99%");
    // 6881 * 100 = 688100 = 10 * 65536 + 32740; 32740 / 656 = 49, 32740 / 655.36 = 49.96.
    assert_eq!(rendered(Progress(6881)).as_str(), "10.49%");
    assert_eq!(Progress(6881).hundredths_of_percent(), 1049);
    // Every value: whole percent 0..=99, hundredths 0..=99, never above the exact value.
    for p in 0..=u16::MAX {
        let (w, h) = Progress(p).sg3_percent();
        assert!(w <= 99 && h <= 99);
        assert!(u32::from(w) * 100 + u32::from(h) <= u32::from(p) * 10_000 / 65_536);
    }
}

#[test]
fn progress_found_as_sg3_utils_finds_it() {
    // Fixed, NOT READY, SKSV, 0x4000.
    let mut fixed = [0u8; 18];
    fixed[0] = 0x70;
    fixed[2] = 0x02;
    fixed[7] = 10;
    fixed[12] = 0x04;
    fixed[13] = 0x04;
    fixed[15] = 0x80;
    fixed[16] = 0x40;
    assert_eq!(progress(&fixed), Some(Progress(0x4000)));
    // NO SENSE too; deferred too.
    let mut f = fixed;
    f[2] = 0x00;
    f[0] = 0x71;
    assert_eq!(progress(&f), Some(Progress(0x4000)));
    // Not with SKSV clear, another sense key, or fewer than 18 bytes.
    let mut f = fixed;
    f[15] = 0;
    assert_eq!(progress(&f), None);
    let mut f = fixed;
    f[2] = 0x06;
    assert_eq!(progress(&f), None);
    assert_eq!(progress(&fixed[..17]), None);
    // Descriptor: sense key specific descriptor (02h, length 6, SKSV).
    let desc = [
        0x72, 0x02, 0x04, 0x04, 0, 0, 0, 8, 0x02, 0x06, 0, 0, 0x80, 0x80, 0x00, 0,
    ];
    assert_eq!(progress(&desc), Some(Progress(0x8000)));
    let mut d = desc;
    d[12] = 0;
    assert_eq!(progress(&d), None);
    // The progress indication descriptor (0Ah), any sense key.
    let another = [
        0x72, 0x06, 0x29, 0x00, 0, 0, 0, 8, 0x0a, 0x06, 0x02, 0x04, 0x04, 0, 0x10, 0x00,
    ];
    assert_eq!(progress(&another), Some(Progress(0x1000)));
    // Past the ADDITIONAL SENSE LENGTH: not found.
    let mut a = another;
    a[7] = 0;
    assert_eq!(progress(&a), None);
    // Total: no panic on any prefix or odd bytes.
    for len in 0..=desc.len() {
        let _ = progress(&desc[..len]);
        let _ = progress(&another[..len]);
    }
    let odd = [0x72, 0, 0, 0, 0, 0, 0, 0xff, 0x0a, 0xff, 0x0a];
    assert_eq!(progress(&odd), None);
    assert_eq!(progress(&[0x70; 6]), None);
}
