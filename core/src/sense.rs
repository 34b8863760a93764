//! Sense data: the device's account of why a command ended in CHECK CONDITION.
//!
//! Two layouts exist (SPC-5, "Sense data"): *fixed* (response codes 70h current, 71h deferred) and
//! *descriptor* (72h current, 73h deferred). [`Sense`] is a byte view over either;
//! [`Repr`] is the plain-value form that also builds sense data. Everything here is total:
//! any byte string gives a value or an [`Error`], never a panic, and every field past the
//! buffer or past the device's ADDITIONAL SENSE LENGTH reads as absent.
//!
//! - [`SenseKey`] and [`AdditionalSense`] (ASC/ASCQ) name the condition; with the cargo
//!   feature `asc-strings` (on by default) [`AdditionalSense::name`] gives T10's name for
//!   each of the ~760 named pairs, from a compact table (see [`ASC_TABLE_BYTES`]).
//! - [`SenseKeySpecific`] decodes the three sense-key-specific bytes (field pointer,
//!   progress, retry count…); [`Descriptors`] walks descriptor-format sense data.
//! - [`Sense`]'s `Display` (and [`render`] for bytes that may not parse) prints what
//!   sg3_utils' `sg_decode_sense` prints, without allocating.
//! - [`category`] maps sense data to the sg3_utils exit status (`SG_LIB_CAT_*`).

use core::fmt;

use crate::status::ExitCategory;

#[cfg(feature = "asc-strings")]
mod asc;

mod field {
    #![allow(dead_code)]
    use core::ops::Range;

    /// Response code (bits 6–0) and, in fixed format, the VALID bit (bit 7).
    pub const RESPONSE_CODE: usize = 0;
    /// ADDITIONAL SENSE LENGTH, in both formats: bytes that follow byte 7.
    pub const ADDITIONAL_LENGTH: usize = 7;
    /// The bytes up to and including ADDITIONAL SENSE LENGTH.
    pub const HEADER_LEN: usize = 8;

    /// Fixed format sense data (SPC-5).
    pub mod fixed {
        use super::Range;
        /// FILEMARK (bit 7), EOM (bit 6), ILI (bit 5), SDAT_OVFL (bit 4), SENSE KEY (3–0).
        pub const KEY: usize = 2;
        /// INFORMATION, be32.
        pub const INFORMATION: Range<usize> = 3..7;
        /// COMMAND-SPECIFIC INFORMATION, be32.
        pub const COMMAND_SPECIFIC: Range<usize> = 8..12;
        /// ADDITIONAL SENSE CODE.
        pub const ASC: usize = 12;
        /// ADDITIONAL SENSE CODE QUALIFIER.
        pub const ASCQ: usize = 13;
        /// FIELD REPLACEABLE UNIT CODE.
        pub const FRU: usize = 14;
        /// SKSV (byte 15 bit 7) and the sense-key-specific bytes.
        pub const SENSE_KEY_SPECIFIC: Range<usize> = 15..18;
        /// The length of fixed-format sense data with nothing additional (ADDITIONAL SENSE
        /// LENGTH 0Ah).
        pub const LEN: usize = 18;
    }

    /// Descriptor format sense data (SPC-5).
    pub mod desc {
        /// SENSE KEY (bits 3–0).
        pub const KEY: usize = 1;
        /// ADDITIONAL SENSE CODE.
        pub const ASC: usize = 2;
        /// ADDITIONAL SENSE CODE QUALIFIER.
        pub const ASCQ: usize = 3;
        /// SDAT_OVFL (bit 7).
        pub const FLAGS: usize = 4;
        /// Where the first sense data descriptor starts.
        pub const DESCRIPTORS: usize = 8;
    }
}

/// Why bytes are not sense data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Too few bytes to hold the response code and the sense key.
    Truncated {
        /// How many bytes there were.
        len: usize,
    },
    /// The response code (byte 0, bits 6–0) is none of 70h–73h.
    ResponseCode(u8),
    /// [`Repr::emit`]: an INFORMATION value wider than the 32 bits of fixed format.
    InformationTooWide(u64),
}

impl core::error::Error for Error {}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::Truncated { len } => {
                write!(f, "sense data too short: {len} bytes, no sense key")
            }
            Error::ResponseCode(code) => {
                write!(
                    f,
                    "not sense data: response code 0x{code:02x} (want 0x70-0x73)"
                )
            }
            Error::InformationTooWide(value) => {
                write!(
                    f,
                    "information 0x{value:x} does not fit fixed-format sense (32 bits)"
                )
            }
        }
    }
}

/// The layout of sense data, from its RESPONSE CODE (SPC-5, sense data introduction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Fixed format: response code 70h (current) or 71h (deferred).
    Fixed,
    /// Descriptor format: response code 72h (current) or 73h (deferred).
    Descriptor,
}

/// SENSE KEY: the class of the condition (SPC-5, table "Sense key descriptions").
///
/// The field is four bits wide, so every value from the device decodes to a named key;
/// [`SenseKey::Unknown`] holds anything wider handed to [`SenseKey::from`] by a caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SenseKey {
    /// 0h NO SENSE.
    NoSense,
    /// 1h RECOVERED ERROR.
    RecoveredError,
    /// 2h NOT READY.
    NotReady,
    /// 3h MEDIUM ERROR.
    MediumError,
    /// 4h HARDWARE ERROR.
    HardwareError,
    /// 5h ILLEGAL REQUEST.
    IllegalRequest,
    /// 6h UNIT ATTENTION.
    UnitAttention,
    /// 7h DATA PROTECT.
    DataProtect,
    /// 8h BLANK CHECK.
    BlankCheck,
    /// 9h VENDOR SPECIFIC.
    VendorSpecific,
    /// Ah COPY ABORTED.
    CopyAborted,
    /// Bh ABORTED COMMAND.
    AbortedCommand,
    /// Ch, obsolete (EQUAL in SCSI-2; sg3_utils prints "Equal").
    Equal,
    /// Dh VOLUME OVERFLOW.
    VolumeOverflow,
    /// Eh MISCOMPARE.
    Miscompare,
    /// Fh COMPLETED.
    Completed,
    /// A value that does not fit the four-bit field.
    Unknown(u8),
}

impl From<u8> for SenseKey {
    fn from(value: u8) -> Self {
        match value {
            0x0 => SenseKey::NoSense,
            0x1 => SenseKey::RecoveredError,
            0x2 => SenseKey::NotReady,
            0x3 => SenseKey::MediumError,
            0x4 => SenseKey::HardwareError,
            0x5 => SenseKey::IllegalRequest,
            0x6 => SenseKey::UnitAttention,
            0x7 => SenseKey::DataProtect,
            0x8 => SenseKey::BlankCheck,
            0x9 => SenseKey::VendorSpecific,
            0xa => SenseKey::CopyAborted,
            0xb => SenseKey::AbortedCommand,
            0xc => SenseKey::Equal,
            0xd => SenseKey::VolumeOverflow,
            0xe => SenseKey::Miscompare,
            0xf => SenseKey::Completed,
            other => SenseKey::Unknown(other),
        }
    }
}

impl From<SenseKey> for u8 {
    fn from(key: SenseKey) -> u8 {
        match key {
            SenseKey::NoSense => 0x0,
            SenseKey::RecoveredError => 0x1,
            SenseKey::NotReady => 0x2,
            SenseKey::MediumError => 0x3,
            SenseKey::HardwareError => 0x4,
            SenseKey::IllegalRequest => 0x5,
            SenseKey::UnitAttention => 0x6,
            SenseKey::DataProtect => 0x7,
            SenseKey::BlankCheck => 0x8,
            SenseKey::VendorSpecific => 0x9,
            SenseKey::CopyAborted => 0xa,
            SenseKey::AbortedCommand => 0xb,
            SenseKey::Equal => 0xc,
            SenseKey::VolumeOverflow => 0xd,
            SenseKey::Miscompare => 0xe,
            SenseKey::Completed => 0xf,
            SenseKey::Unknown(other) => other,
        }
    }
}

impl SenseKey {
    /// The name sg3_utils prints ("Medium Error", "Illegal Request", …); `None` for
    /// [`SenseKey::Unknown`].
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            SenseKey::NoSense => "No Sense",
            SenseKey::RecoveredError => "Recovered Error",
            SenseKey::NotReady => "Not Ready",
            SenseKey::MediumError => "Medium Error",
            SenseKey::HardwareError => "Hardware Error",
            SenseKey::IllegalRequest => "Illegal Request",
            SenseKey::UnitAttention => "Unit Attention",
            SenseKey::DataProtect => "Data Protect",
            SenseKey::BlankCheck => "Blank Check",
            SenseKey::VendorSpecific => "Vendor specific(9)",
            SenseKey::CopyAborted => "Copy Aborted",
            SenseKey::AbortedCommand => "Aborted Command",
            SenseKey::Equal => "Equal",
            SenseKey::VolumeOverflow => "Volume Overflow",
            SenseKey::Miscompare => "Miscompare",
            SenseKey::Completed => "Completed",
            SenseKey::Unknown(_) => return None,
        })
    }
}

impl fmt::Display for SenseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "Unknown sense key 0x{:x}", u8::from(*self)),
        }
    }
}

/// Bytes that the ASC/ASCQ name table adds to a binary: sorted 2-byte codes, 2-byte offsets
/// and the names' text back to back. 0 without the feature `asc-strings`, when no table is
/// linked.
#[cfg(feature = "asc-strings")]
pub const ASC_TABLE_BYTES: usize = asc::TABLE_BYTES;
/// Bytes that the ASC/ASCQ name table adds to a binary: sorted 2-byte codes, 2-byte offsets
/// and the names' text back to back. 0 without the feature `asc-strings`, when no table is
/// linked.
#[cfg(not(feature = "asc-strings"))]
pub const ASC_TABLE_BYTES: usize = 0;

/// How many ASC/ASCQ pairs have a name (0 without the feature `asc-strings`).
#[cfg(feature = "asc-strings")]
pub const ASC_TABLE_ENTRIES: usize = asc::COUNT;
/// How many ASC/ASCQ pairs have a name (0 without the feature `asc-strings`).
#[cfg(not(feature = "asc-strings"))]
pub const ASC_TABLE_ENTRIES: usize = 0;

/// ADDITIONAL SENSE CODE and QUALIFIER: the condition in detail (SPC-5, table "ASC and ASCQ
/// assignments"; T10's asc-num.txt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AdditionalSense {
    /// ADDITIONAL SENSE CODE (ASC).
    pub asc: u8,
    /// ADDITIONAL SENSE CODE QUALIFIER (ASCQ).
    pub ascq: u8,
}

impl AdditionalSense {
    /// The pair `asc`/`ascq`.
    pub const fn new(asc: u8, ascq: u8) -> Self {
        AdditionalSense { asc, ascq }
    }

    /// T10's name for this exact pair ("Unrecovered read error" for 11h/00h), as sg3_utils
    /// spells it; `None` for pairs without a name, for the numbered ranges (see
    /// [`AdditionalSense::range_name`]) and always without the feature `asc-strings`.
    pub fn name(self) -> Option<crate::packed::PackedStr> {
        #[cfg(feature = "asc-strings")]
        {
            asc::lookup(self.asc, self.ascq)
        }
        #[cfg(not(feature = "asc-strings"))]
        {
            None
        }
    }

    /// For the pairs T10 names with a number in them (40h/NN "Diagnostic failure on component
    /// NN", 41h/NN, 42h/NN, 4Dh/NN "Tagged overlapped commands", 70h/NN "Decompression
    /// exception short algorithm id of NN"), the text before the number; the number is
    /// [`AdditionalSense::ascq`]. `None` otherwise and without the feature `asc-strings`.
    pub fn range_name(self) -> Option<&'static str> {
        #[cfg(feature = "asc-strings")]
        {
            asc::range(self.asc, self.ascq)
        }
        #[cfg(not(feature = "asc-strings"))]
        {
            None
        }
    }

    /// Whether the ASC (≥ 80h) or, outside the named ranges and pairs, the ASCQ (≥ 80h) is
    /// vendor specific (SPC-5).
    pub fn is_vendor_specific(self) -> bool {
        if self.asc >= 0x80 {
            return true;
        }
        // 40h/80h–FFh is T10's "Diagnostic failure on component NN", 4Dh/NN a task tag,
        // 70h/NN an algorithm id, 5Dh/FFh "Failure prediction threshold exceeded (false)".
        let numbered = matches!(self.asc, 0x40 | 0x41 | 0x42 | 0x4d | 0x70);
        self.ascq >= 0x80 && !numbered && !(self.asc == 0x5d && self.ascq == 0xff)
    }
}

impl fmt::Display for AdditionalSense {
    /// As sg3_utils prints it: the name, `name [0xNN]` for a numbered range, else
    /// `vendor specific ASC=85, ASCQ=12 (hex)`, `ASC=22, vendor specific qualification
    /// ASCQ=80 (hex)` or `ASC=00, ASCQ=08 (hex)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let AdditionalSense { asc, ascq } = *self;
        if let Some(text) = self.range_name() {
            return if asc == 0x70 {
                write!(f, "{text} 0x{ascq:x}")
            } else {
                write!(f, "{text} [0x{ascq:x}]")
            };
        }
        if let Some(name) = self.name() {
            return write!(f, "{name}");
        }
        if asc >= 0x80 {
            write!(f, "vendor specific ASC={asc:02x}, ASCQ={ascq:02x} (hex)")
        } else if ascq >= 0x80 {
            write!(
                f,
                "ASC={asc:02x}, vendor specific qualification ASCQ={ascq:02x} (hex)"
            )
        } else {
            write!(f, "ASC={asc:02x}, ASCQ={ascq:02x} (hex)")
        }
    }
}

/// A field that comes with a VALID bit: the INFORMATION field (SPC-5, Information
/// sense data descriptor and fixed format sense data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Information {
    /// The VALID bit: whether the value is defined by the standard for this condition (for
    /// example the first LBA in error of a READ).
    pub valid: bool,
    /// The field's value: be32 in fixed format, be64 in descriptor format.
    pub value: u64,
}

/// A PROGRESS INDICATION: the fraction done of a long operation, in 65536ths (SPC-5,
/// progress indication).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Progress(pub u16);

impl Progress {
    /// The fraction done in hundredths of a percent, rounded down (0 to 9998).
    pub fn hundredths_of_percent(self) -> u16 {
        // 65535 * 10000 / 65536 = 9999.8: fits u16 after the division.
        (u32::from(self.0) * 10_000 / 65_536) as u16
    }
}

impl Progress {
    /// The percentage as sg3_utils prints it: whole percent `(p * 100) / 65536` and the
    /// hundredths `((p * 100) % 65536) / 656` (656, not 655.36: the hundredths are at times
    /// one lower than [`Progress::hundredths_of_percent`]'s, and never above 99).
    pub fn sg3_percent(self) -> (u8, u8) {
        let scaled = u32::from(self.0) * 100;
        ((scaled / 65_536) as u8, ((scaled % 65_536) / 656) as u8)
    }
}

impl fmt::Display for Progress {
    /// `25.00%`, with sg3_utils' arithmetic ([`Progress::sg3_percent`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, hundredths) = self.sg3_percent();
        write!(f, "{whole}.{hundredths:02}%")
    }
}

/// The progress indication in sense data, by sg3_utils 1.46's rule
/// (`sg_get_sense_progress_fld()`), over the `bytes` there are:
///
/// - fixed format (70h/71h), at least 18 bytes, sense key NO SENSE or NOT READY, SKSV set:
///   bytes 16–17;
/// - descriptor format (72h/73h): with sense key NO SENSE or NOT READY, a sense key specific
///   descriptor (02h) of additional length 6 with SKSV set: its bytes 5–6; else, whatever
///   the sense key, a progress indication descriptor (0Ah) of additional length 6: its
///   bytes 6–7.
///
/// `None` for anything else (too short, other response codes). Total: never panics.
pub fn progress(bytes: &[u8]) -> Option<Progress> {
    let be16 = |at: usize| -> Option<Progress> {
        let hi = *bytes.get(at)?;
        let lo = *bytes.get(at + 1)?;
        Some(Progress(u16::from_be_bytes([hi, lo])))
    };
    if bytes.len() < 7 {
        return None;
    }
    let key_ok = |k: u8| k & 0x0f == 0x00 || k & 0x0f == 0x02;
    match bytes[0] & 0x7f {
        0x70 | 0x71 => {
            if bytes.len() < 18 || !key_ok(bytes[2]) || bytes[15] & 0x80 == 0 {
                return None;
            }
            be16(16)
        }
        0x72 | 0x73 => {
            let find = |kind: u8| -> Option<usize> {
                // Descriptors within ADDITIONAL SENSE LENGTH and the buffer.
                let end = bytes.len().min(8 + usize::from(*bytes.get(7)?));
                let mut at = 8;
                while at + 1 < end {
                    let (t, len) = (bytes[at], usize::from(bytes[at + 1]));
                    if t == kind {
                        return Some(at);
                    }
                    at += 2 + len;
                }
                None
            };
            if key_ok(bytes[1]) {
                if let Some(at) = find(0x02) {
                    if bytes.get(at + 1) == Some(&6)
                        && bytes.get(at + 4).is_some_and(|b| b & 0x80 != 0)
                    {
                        return be16(at + 5);
                    }
                }
            }
            let at = find(0x0a)?;
            if bytes.get(at + 1) == Some(&6) {
                be16(at + 6)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The SENSE KEY SPECIFIC bytes, decoded by sense key (SPC-5, sense key specific sense data
/// descriptor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SenseKeySpecific {
    /// ILLEGAL REQUEST: where the bad field is (SPC-5, field pointer).
    FieldPointer {
        /// C/D: `true` when the field is in the CDB, `false` when in the parameter data.
        command: bool,
        /// BIT POINTER, when BPV says it is valid: the field's leftmost bit (0–7).
        bit: Option<u8>,
        /// FIELD POINTER: the byte holding the field.
        byte: u16,
    },
    /// NOT READY or NO SENSE: how far a long operation (FORMAT UNIT, SANITIZE…) has come
    /// (SPC-5, progress indication).
    Progress(Progress),
    /// RECOVERED ERROR, MEDIUM ERROR or HARDWARE ERROR: ACTUAL RETRY COUNT (SPC-5).
    RetryCount(u16),
    /// COPY ABORTED: where in the copy parameters the error is (SPC-5, segment pointer).
    SegmentPointer {
        /// SD: `true` when relative to the start of a segment descriptor, `false` when to the
        /// start of the parameter list.
        segment_descriptor: bool,
        /// BIT POINTER, when BPV says it is valid.
        bit: Option<u8>,
        /// FIELD POINTER: the byte.
        byte: u16,
    },
    /// UNIT ATTENTION: the OVERFLOW bit of the unit attention condition queue (SPC-5).
    UnitAttentionQueueOverflow(bool),
    /// Any other sense key: the three bytes, SKSV included.
    Other([u8; 3]),
}

impl SenseKeySpecific {
    /// Decodes the three bytes for `key`; `None` when SKSV (bit 7 of the first byte) is
    /// clear, that is when the bytes mean nothing.
    pub fn decode(key: SenseKey, bytes: [u8; 3]) -> Option<Self> {
        let [b0, b1, b2] = bytes;
        if b0 & 0x80 == 0 {
            return None;
        }
        let value = u16::from_be_bytes([b1, b2]);
        let bit = if b0 & 0x08 != 0 {
            Some(b0 & 0x07)
        } else {
            None
        };
        Some(match key {
            SenseKey::IllegalRequest => SenseKeySpecific::FieldPointer {
                command: b0 & 0x40 != 0,
                bit,
                byte: value,
            },
            SenseKey::NotReady | SenseKey::NoSense => SenseKeySpecific::Progress(Progress(value)),
            SenseKey::RecoveredError | SenseKey::MediumError | SenseKey::HardwareError => {
                SenseKeySpecific::RetryCount(value)
            }
            SenseKey::CopyAborted => SenseKeySpecific::SegmentPointer {
                segment_descriptor: b0 & 0x20 != 0,
                bit,
                byte: value,
            },
            SenseKey::UnitAttention => SenseKeySpecific::UnitAttentionQueueOverflow(b0 & 0x01 != 0),
            _ => SenseKeySpecific::Other(bytes),
        })
    }
}

impl SenseKeySpecific {
    /// Renders as sg3_utils does: `descriptor` picks its wording for the sense key specific
    /// descriptor, which differs a little from the fixed-format one.
    fn render(&self, f: &mut fmt::Formatter<'_>, descriptor: bool) -> fmt::Result {
        const INDENT: &str = "\n        ";
        let bit_suffix = |f: &mut fmt::Formatter<'_>, bit: Option<u8>| match bit {
            Some(bit) => write!(f, " bit {bit}"),
            None => Ok(()),
        };
        match *self {
            SenseKeySpecific::FieldPointer { command, bit, byte } => {
                if descriptor {
                    write!(f, "Field pointer:{INDENT}")?;
                }
                let place = if command {
                    "Command"
                } else {
                    "Data parameters"
                };
                write!(f, "Error in {place}: byte {byte}")?;
                bit_suffix(f, bit)
            }
            SenseKeySpecific::Progress(p) => write!(f, "Progress indication: {p}"),
            SenseKeySpecific::RetryCount(n) if descriptor => {
                write!(f, "Actual retry count: {n}")
            }
            SenseKeySpecific::RetryCount(n) => write!(f, "Actual retry count: 0x{n:04x}"),
            SenseKeySpecific::SegmentPointer {
                segment_descriptor,
                bit,
                byte,
            } => {
                let rel = if segment_descriptor {
                    "segment descriptor"
                } else {
                    "parameter list"
                };
                let sep = if descriptor { INDENT } else { " " };
                write!(
                    f,
                    "Segment pointer:{sep}Relative to start of {rel}, byte {byte}"
                )?;
                bit_suffix(f, bit)
            }
            SenseKeySpecific::UnitAttentionQueueOverflow(o) => {
                let sep = if descriptor { INDENT } else { " " };
                write!(
                    f,
                    "Unit attention condition queue:{sep}overflow flag is {}",
                    u8::from(o)
                )
            }
            SenseKeySpecific::Other([a, b, c]) => {
                write!(f, "Sense key specific: 0x{a:02x} 0x{b:02x} 0x{c:02x}")
            }
        }
    }
}

impl fmt::Display for SenseKeySpecific {
    /// As sg3_utils prints it in fixed-format sense data, e.g. `Error in Command: byte 2 bit
    /// 0`, `Progress indication: 25.00%`, `Actual retry count: 0x0003`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.render(f, false)
    }
}

/// The ATA Status Return sense data descriptor: an ATA device's registers after a
/// pass-through command (SAT-5, ATA Status Return sense data descriptor, type 09h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AtaStatusReturn {
    /// EXTEND: the 48-bit fields are all valid.
    pub extend: bool,
    /// ERROR register.
    pub error: u8,
    /// COUNT (15:0).
    pub count: u16,
    /// LBA (47:0).
    pub lba: u64,
    /// DEVICE register.
    pub device: u8,
    /// STATUS register.
    pub status: u8,
}

impl AtaStatusReturn {
    /// The 14-byte descriptor; `None` when shorter.
    fn parse(d: &[u8]) -> Option<Self> {
        let b = |i: usize| d.get(i).copied();
        let lba = [b(10)?, b(8)?, b(6)?, b(11)?, b(9)?, b(7)?];
        Some(AtaStatusReturn {
            extend: b(2)? & 0x01 != 0,
            error: b(3)?,
            count: u16::from_be_bytes([b(4)?, b(5)?]),
            // LBA (47:40) at +10, (39:32) +8, (31:24) +6, (23:16) +11, (15:8) +9, (7:0) +7.
            lba: lba.iter().fold(0u64, |acc, &x| acc << 8 | u64::from(x)),
            device: b(12)?,
            status: b(13)?,
        })
    }
}

/// One sense data descriptor of descriptor-format sense data (SPC-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Descriptor<'a> {
    /// 00h Information (be64 at +4, VALID at +2 bit 7).
    Information(Information),
    /// 01h Command-specific information (be64 at +4).
    CommandSpecific(u64),
    /// 02h Sense key specific, decoded for the sense data's key; `None` when SKSV is clear.
    SenseKeySpecific(Option<SenseKeySpecific>),
    /// 03h Field replaceable unit: the code.
    FieldReplaceableUnit(u8),
    /// 04h Stream commands (SSC).
    Stream {
        /// FILEMARK.
        filemark: bool,
        /// EOM: end of medium.
        end_of_medium: bool,
        /// ILI: incorrect length.
        incorrect_length: bool,
    },
    /// 05h Block commands (SBC).
    Block {
        /// ILI: incorrect length.
        incorrect_length: bool,
    },
    /// 09h ATA Status Return (SAT).
    AtaStatusReturn(AtaStatusReturn),
    /// 0Ah Another progress indication: progress of an operation other than the one the sense
    /// data reports.
    Progress {
        /// The operation's sense key.
        key: SenseKey,
        /// The operation's ASC/ASCQ.
        additional: AdditionalSense,
        /// How far it has come.
        progress: Progress,
    },
    /// A descriptor of another type, or of a known type but too short for its fields: the
    /// whole descriptor, header included (cut short if the sense data was).
    Other {
        /// DESCRIPTOR TYPE (byte 0).
        descriptor_type: u8,
        /// The descriptor's bytes.
        bytes: &'a [u8],
    },
}

impl<'a> Descriptor<'a> {
    /// Decodes the descriptor `d` (header included) of sense data whose key is `key`.
    fn parse(key: SenseKey, d: &'a [u8]) -> Self {
        let descriptor_type = d.first().copied().unwrap_or(0);
        Self::parse_known(key, descriptor_type, d).unwrap_or(Descriptor::Other {
            descriptor_type,
            bytes: d,
        })
    }

    fn parse_known(key: SenseKey, descriptor_type: u8, d: &'a [u8]) -> Option<Self> {
        let b = |i: usize| d.get(i).copied();
        let be64 = |at: usize| -> Option<u64> {
            let bytes: [u8; 8] = d.get(at..at + 8)?.try_into().ok()?;
            Some(u64::from_be_bytes(bytes))
        };
        Some(match descriptor_type {
            0x00 => Descriptor::Information(Information {
                valid: b(2)? & 0x80 != 0,
                value: be64(4)?,
            }),
            0x01 => Descriptor::CommandSpecific(be64(4)?),
            0x02 => {
                Descriptor::SenseKeySpecific(SenseKeySpecific::decode(key, [b(4)?, b(5)?, b(6)?]))
            }
            0x03 => Descriptor::FieldReplaceableUnit(b(3)?),
            0x04 => {
                let x = b(3)?;
                Descriptor::Stream {
                    filemark: x & 0x80 != 0,
                    end_of_medium: x & 0x40 != 0,
                    incorrect_length: x & 0x20 != 0,
                }
            }
            0x05 => Descriptor::Block {
                incorrect_length: b(3)? & 0x20 != 0,
            },
            0x09 => Descriptor::AtaStatusReturn(AtaStatusReturn::parse(d)?),
            0x0a => Descriptor::Progress {
                key: SenseKey::from(b(2)? & 0x0f),
                additional: AdditionalSense::new(b(3)?, b(4)?),
                progress: Progress(u16::from_be_bytes([b(6)?, b(7)?])),
            },
            _ => return None,
        })
    }
}

/// The sense data descriptors of descriptor-format sense data, in order.
///
/// The walk is bounded by both the ADDITIONAL SENSE LENGTH and the buffer: it stops at the
/// first descriptor whose header does not fit, and yields a descriptor that is cut short as
/// [`Descriptor::Other`] with the bytes there are, then stops. Each step advances at least
/// two bytes, so there are at most 122 items.
#[derive(Debug, Clone)]
pub struct Descriptors<'a> {
    key: SenseKey,
    rest: &'a [u8],
}

impl<'a> Iterator for Descriptors<'a> {
    type Item = Descriptor<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let len = usize::from(*self.rest.get(1)?) + 2;
        if len > self.rest.len() {
            // Cut short by the additional length or the buffer: kept raw, and the last.
            let bytes = core::mem::take(&mut self.rest);
            let descriptor_type = bytes.first().copied().unwrap_or(0);
            return Some(Descriptor::Other {
                descriptor_type,
                bytes,
            });
        }
        let (this, rest) = self.rest.split_at(len);
        self.rest = rest;
        Some(Descriptor::parse(self.key, this))
    }
}

/// A view of sense data in either format (SPC-5, "Sense data").
///
/// [`Sense::new_checked`] makes sure that the response code is 70h–73h and that the sense
/// key is in the buffer; every other getter returns `None` for a field that the buffer or the
/// ADDITIONAL SENSE LENGTH leaves out, and never panics.
///
/// # Examples
///
/// ```
/// use sgmap_core::sense::{Sense, SenseKey};
/// use sgmap_core::status::ExitCategory;
///
/// // Fixed format, MEDIUM ERROR, 11h/00h: unrecovered read error.
/// let bytes = [0x70, 0, 3, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x11, 0, 0, 0, 0, 0];
/// let sense = Sense::new_checked(&bytes[..])?;
/// assert_eq!(sense.sense_key(), SenseKey::MediumError);
/// let asc = sense.additional_sense().unwrap();
/// assert_eq!((asc.asc, asc.ascq), (0x11, 0x00));
/// assert_eq!(sense.category(), ExitCategory::MediumHard);
/// # Ok::<(), sgmap_core::sense::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sense<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Sense<T> {
    /// Wraps `buffer` without checks; the getters stay total, but [`Sense::sense_key`] of
    /// bytes that [`Sense::check_len`] rejects is [`SenseKey::NoSense`] and [`Sense::format`]
    /// of an unknown response code is [`Format::Fixed`].
    pub const fn new_unchecked(buffer: T) -> Self {
        Sense { buffer }
    }

    /// Wraps `buffer` after [`Sense::check_len`].
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let sense = Self::new_unchecked(buffer);
        sense.check_len()?;
        Ok(sense)
    }

    /// Checks that the buffer holds a known response code and the sense key: at least three
    /// bytes for fixed format, two for descriptor format.
    pub fn check_len(&self) -> Result<(), Error> {
        let b = self.buffer.as_ref();
        let code = match b.first() {
            Some(&first) => first & 0x7f,
            None => return Err(Error::Truncated { len: 0 }),
        };
        let need = match code {
            0x70 | 0x71 => field::fixed::KEY + 1,
            0x72 | 0x73 => field::desc::KEY + 1,
            other => return Err(Error::ResponseCode(other)),
        };
        if b.len() < need {
            return Err(Error::Truncated { len: b.len() });
        }
        Ok(())
    }

    /// The wrapped buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.bytes().get(at).copied()
    }

    /// RESPONSE CODE: byte 0, bits 6–0 (70h–73h after the check).
    pub fn response_code(&self) -> u8 {
        self.byte(field::RESPONSE_CODE).unwrap_or(0) & 0x7f
    }

    /// Fixed or descriptor format.
    pub fn format(&self) -> Format {
        match self.response_code() {
            0x72 | 0x73 => Format::Descriptor,
            _ => Format::Fixed,
        }
    }

    /// Whether the sense data reports a deferred error (71h, 73h): one of an earlier
    /// command, whose data may be lost.
    pub fn is_deferred(&self) -> bool {
        matches!(self.response_code(), 0x71 | 0x73)
    }

    /// SENSE KEY.
    pub fn sense_key(&self) -> SenseKey {
        let at = match self.format() {
            Format::Fixed => field::fixed::KEY,
            Format::Descriptor => field::desc::KEY,
        };
        SenseKey::from(self.byte(at).unwrap_or(0) & 0x0f)
    }

    /// SDAT_OVFL: the sense data did not fit the device's buffer and was cut (fixed format
    /// byte 2 bit 4, descriptor format byte 4 bit 7).
    pub fn sense_data_overflow(&self) -> bool {
        match self.format() {
            Format::Fixed => self.byte(field::fixed::KEY).unwrap_or(0) & 0x10 != 0,
            Format::Descriptor => self.byte(field::desc::FLAGS).unwrap_or(0) & 0x80 != 0,
        }
    }

    /// ADDITIONAL SENSE LENGTH (byte 7), if the buffer has it.
    pub fn additional_length(&self) -> Option<u8> {
        self.byte(field::ADDITIONAL_LENGTH)
    }

    /// The bytes the device says it returned, cut to the buffer: 8 plus ADDITIONAL SENSE
    /// LENGTH, or the whole buffer when it is shorter or has no byte 7.
    pub fn valid_len(&self) -> usize {
        let len = self.bytes().len();
        match self.additional_length() {
            Some(add) => len.min(field::HEADER_LEN + usize::from(add)),
            None => len,
        }
    }

    /// The byte at `at` if the ADDITIONAL SENSE LENGTH and the buffer both reach it.
    fn reported(&self, at: usize) -> Option<u8> {
        if at < self.valid_len() {
            self.byte(at)
        } else {
            None
        }
    }

    /// ASC and ASCQ; `None` unless both are there (fixed format: bytes 12 and 13 inside the
    /// ADDITIONAL SENSE LENGTH; descriptor format: bytes 2 and 3 in the buffer).
    pub fn additional_sense(&self) -> Option<AdditionalSense> {
        match self.format() {
            Format::Fixed => Some(AdditionalSense::new(
                self.reported(field::fixed::ASC)?,
                self.reported(field::fixed::ASCQ)?,
            )),
            Format::Descriptor => Some(AdditionalSense::new(
                self.byte(field::desc::ASC)?,
                self.byte(field::desc::ASCQ)?,
            )),
        }
    }

    /// The INFORMATION field with its VALID bit: fixed format bytes 3–6 (VALID is byte 0 bit
    /// 7), descriptor format the first Information descriptor. `None` when absent.
    pub fn information(&self) -> Option<Information> {
        match self.format() {
            Format::Fixed => {
                let b: [u8; 4] = self
                    .bytes()
                    .get(field::fixed::INFORMATION)?
                    .try_into()
                    .ok()?;
                Some(Information {
                    valid: self.byte(field::RESPONSE_CODE)? & 0x80 != 0,
                    value: u64::from(u32::from_be_bytes(b)),
                })
            }
            Format::Descriptor => self.descriptors().find_map(|d| match d {
                Descriptor::Information(info) => Some(info),
                _ => None,
            }),
        }
    }

    /// COMMAND-SPECIFIC INFORMATION: fixed format bytes 8–11 (inside the ADDITIONAL SENSE
    /// LENGTH), descriptor format the first Command-specific descriptor.
    pub fn command_specific(&self) -> Option<u64> {
        match self.format() {
            Format::Fixed => {
                let range = field::fixed::COMMAND_SPECIFIC;
                if range.end > self.valid_len() {
                    return None;
                }
                let b: [u8; 4] = self.bytes().get(range)?.try_into().ok()?;
                Some(u64::from(u32::from_be_bytes(b)))
            }
            Format::Descriptor => self.descriptors().find_map(|d| match d {
                Descriptor::CommandSpecific(v) => Some(v),
                _ => None,
            }),
        }
    }

    /// The sense-key-specific data, decoded for the key: fixed format bytes 15–17 (inside
    /// the ADDITIONAL SENSE LENGTH), descriptor format the first Sense key specific
    /// descriptor. `None` when absent or when SKSV is clear.
    pub fn sense_key_specific(&self) -> Option<SenseKeySpecific> {
        match self.format() {
            Format::Fixed => {
                let range = field::fixed::SENSE_KEY_SPECIFIC;
                if range.end > self.valid_len() {
                    return None;
                }
                let b: [u8; 3] = self.bytes().get(range)?.try_into().ok()?;
                SenseKeySpecific::decode(self.sense_key(), b)
            }
            Format::Descriptor => self.descriptors().find_map(|d| match d {
                Descriptor::SenseKeySpecific(s) => s,
                _ => None,
            }),
        }
    }

    /// FIELD REPLACEABLE UNIT CODE: fixed format byte 14, descriptor format the FRU
    /// descriptor; `None` when absent or zero (zero means none).
    pub fn field_replaceable_unit(&self) -> Option<u8> {
        let code = match self.format() {
            Format::Fixed => self.reported(field::fixed::FRU)?,
            Format::Descriptor => self.descriptors().find_map(|d| match d {
                Descriptor::FieldReplaceableUnit(c) => Some(c),
                _ => None,
            })?,
        };
        if code == 0 {
            None
        } else {
            Some(code)
        }
    }

    /// FILEMARK, EOM and ILI: fixed format byte 2 bits 7–5, descriptor format the Stream
    /// commands descriptor (and ILI of the Block commands descriptor). All `false` when
    /// absent.
    pub fn stream_bits(&self) -> (bool, bool, bool) {
        match self.format() {
            Format::Fixed => {
                let b = self.byte(field::fixed::KEY).unwrap_or(0);
                (b & 0x80 != 0, b & 0x40 != 0, b & 0x20 != 0)
            }
            Format::Descriptor => {
                let (mut fm, mut eom, mut ili) = (false, false, false);
                for d in self.descriptors() {
                    match d {
                        Descriptor::Stream {
                            filemark,
                            end_of_medium,
                            incorrect_length,
                        } => {
                            fm |= filemark;
                            eom |= end_of_medium;
                            ili |= incorrect_length;
                        }
                        Descriptor::Block { incorrect_length } => ili |= incorrect_length,
                        _ => {}
                    }
                }
                (fm, eom, ili)
            }
        }
    }

    /// The sense data descriptors (descriptor format); empty for fixed format.
    pub fn descriptors(&self) -> Descriptors<'_> {
        let rest = match self.format() {
            Format::Fixed => &[][..],
            Format::Descriptor => self
                .bytes()
                .get(field::desc::DESCRIPTORS..self.valid_len())
                .unwrap_or(&[]),
        };
        Descriptors {
            key: self.sense_key(),
            rest,
        }
    }

    /// The additional sense bytes of fixed format (byte 18 on, inside the ADDITIONAL SENSE
    /// LENGTH); empty for descriptor format.
    pub fn additional_bytes(&self) -> &[u8] {
        match self.format() {
            Format::Fixed => self
                .bytes()
                .get(field::fixed::LEN..self.valid_len())
                .unwrap_or(&[]),
            Format::Descriptor => &[],
        }
    }

    /// The sg3_utils exit category of this sense data (see [`category`]).
    pub fn category(&self) -> ExitCategory {
        ExitCategory::from_sense(self.buffer.as_ref())
    }
}

impl<T: AsRef<[u8]>> fmt::Display for Sense<T> {
    /// What `sg_decode_sense` prints, line by line, without a final newline:
    ///
    /// ```text
    /// Fixed format, current; Sense key: Medium Error
    /// Additional sense: Unrecovered read error
    ///   Info fld=0x1234 [4660]
    /// ```
    ///
    /// The output is bounded: at most a few kilobytes for any input.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = match self.format() {
            Format::Fixed => "Fixed",
            Format::Descriptor => "Descriptor",
        };
        let when = if self.is_deferred() {
            "<<<deferred>>>"
        } else {
            "current"
        };
        write!(
            f,
            "{format} format, {when}; Sense key: {}",
            self.sense_key()
        )?;
        if self.sense_data_overflow() {
            f.write_str("\n<<<Sense data overflow (SDAT_OVFL)>>>")?;
        }
        if let Some(additional) = self.additional_sense() {
            if additional.name().is_some() || additional.range_name().is_some() {
                write!(f, "\nAdditional sense: {additional}")?;
            } else {
                write!(f, "\n{additional}")?;
            }
        }
        match self.format() {
            Format::Fixed => self.fmt_fixed(f),
            Format::Descriptor => self.fmt_descriptors(f),
        }
    }
}

impl<T: AsRef<[u8]>> Sense<T> {
    fn fmt_fixed(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (fm, eom, ili) = self.stream_bits();
        let info = self.information();
        let show_info = info.is_some_and(|i| i.valid || i.value != 0);
        if show_info || fm || eom || ili {
            f.write_str("\n ")?;
            if let Some(Information { valid, value }) = info.filter(|_| show_info) {
                if !valid {
                    f.write_str(" Valid=0,")?;
                }
                write!(f, " Info fld=0x{value:x} [{value}]")?;
                if fm || eom || ili {
                    // sg3_utils ends the field with a space before the bits.
                    f.write_str(" ")?;
                }
            }
            for (set, name) in [(fm, " FMK"), (eom, " EOM"), (ili, " ILI")] {
                if set {
                    f.write_str(name)?;
                }
            }
        }
        if let Some(cs) = self.command_specific().filter(|&v| v != 0) {
            write!(f, "\n  Command specific=0x{cs:x}")?;
        }
        if let Some(fru) = self.field_replaceable_unit() {
            write!(f, "\n  Field replaceable unit code: {fru}")?;
        }
        if let Some(sks) = self.sense_key_specific() {
            match sks {
                SenseKeySpecific::FieldPointer { .. } => {
                    write!(f, "\n  Sense Key Specific: {sks}")?
                }
                _ => write!(f, "\n  {sks}")?,
            }
        }
        let extra = self.additional_bytes();
        if !extra.is_empty() {
            f.write_str("\n  Additional sense bytes:")?;
            fmt_hex(f, extra)?;
        }
        Ok(())
    }

    fn fmt_descriptors(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.descriptors() {
            f.write_str("\n  Descriptor type: ")?;
            match d {
                Descriptor::Information(Information { valid, value }) => {
                    f.write_str("Information: ")?;
                    if !valid {
                        f.write_str("Valid=0 (-> vendor specific) ")?;
                    }
                    write!(f, "0x{value:016x}")?
                }
                Descriptor::CommandSpecific(v) => write!(f, "Command specific: 0x{v:016x}")?,
                Descriptor::SenseKeySpecific(Some(sks)) => {
                    f.write_str("Sense key specific: ")?;
                    sks.render(f, true)?
                }
                Descriptor::SenseKeySpecific(None) => f.write_str("Sense key specific: SKSV=0")?,
                Descriptor::FieldReplaceableUnit(c) => {
                    write!(f, "Field replaceable unit code: 0x{c:x}")?
                }
                Descriptor::Stream {
                    filemark,
                    end_of_medium,
                    incorrect_length,
                } => {
                    f.write_str("Stream commands:")?;
                    for (set, name) in [
                        (filemark, " FILEMARK"),
                        (end_of_medium, " End Of Medium (EOM)"),
                        (incorrect_length, " Incorrect Length Indicator (ILI)"),
                    ] {
                        if set {
                            f.write_str(name)?;
                        }
                    }
                }
                Descriptor::Block { incorrect_length } => {
                    f.write_str("Block commands: Incorrect Length Indicator (ILI) ")?;
                    f.write_str(if incorrect_length { "set" } else { "clear" })?
                }
                Descriptor::AtaStatusReturn(a) => write!(
                    f,
                    "ATA Status Return: extend={} error=0x{:x} count=0x{:x} lba=0x{:x} \
                     device=0x{:x} status=0x{:x}",
                    u8::from(a.extend),
                    a.error,
                    a.count,
                    a.lba,
                    a.device,
                    a.status
                )?,
                Descriptor::Progress {
                    key,
                    additional,
                    progress,
                } => write!(
                    f,
                    "Another progress indication: {progress}\n        [sense_key=0x{:x} \
                     asc,ascq=0x{:x},0x{:x}]",
                    u8::from(key),
                    additional.asc,
                    additional.ascq
                )?,
                Descriptor::Other {
                    descriptor_type,
                    bytes,
                } => {
                    if descriptor_type >= 0x80 {
                        write!(f, "Vendor specific [0x{descriptor_type:x}]\n   ")?;
                    } else {
                        write!(f, "[0x{descriptor_type:x}]\n   ")?;
                    }
                    fmt_hex(f, bytes.get(2..).unwrap_or(&[]))?;
                }
            }
        }
        Ok(())
    }
}

/// ` 01 02 03` …
fn fmt_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    for b in bytes {
        write!(f, " {b:02x}")?;
    }
    Ok(())
}

/// Renders any bytes as sense data: a [`Sense`] when they parse, else why not (see
/// [`render`]).
#[derive(Debug, Clone, Copy)]
pub struct Render<'a>(&'a [u8]);

/// Renders `bytes` for a person as `sg_decode_sense` does; bytes that are not sense data
/// render as the [`Error`] with the bytes in hex.
pub fn render(bytes: &[u8]) -> Render<'_> {
    Render(bytes)
}

impl fmt::Display for Render<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Sense::new_checked(self.0) {
            Ok(sense) => sense.fmt(f),
            Err(e) => {
                write!(f, "{e}:")?;
                // At most the first 252 bytes (the sg driver's sense buffer is far smaller).
                fmt_hex(f, self.0.get(..252).unwrap_or(self.0))
            }
        }
    }
}

/// The sg3_utils exit category of a command that ended in CHECK CONDITION with `sense`:
/// [`ExitCategory::from_sense`], the one table (sg3_utils 1.46's `sg_err_category_sense()`).
///
/// Sense key 0→20, 1→21, 2→2, 3/4/8→3, 5→9 (20h/00h), 22 (21h/00h), else 5, 6→6, 7→7,
/// Ah→10, Bh→40 (ASC 10h) else 11, Eh→14, any other key→98, the same in fixed and
/// descriptor format. The Information field does not matter.
///
/// Sense data without a sense key (fewer than three bytes, or a response code other than
/// 70h–73h) is [`ExitCategory::Sense`] (98), as in sg3_utils, rather than 97 ("malformed
/// response", which sg3_utils keeps for data-in that does not parse).
pub fn category(sense: &[u8]) -> ExitCategory {
    ExitCategory::from_sense(sense)
}

/// Sense data as plain values: what [`Sense`] decodes of the common fields, and enough to
/// build sense data (for tests, emulated devices and SCSI targets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Fixed or descriptor format.
    pub format: Format,
    /// A deferred error (71h/73h) rather than a current one (70h/72h).
    pub deferred: bool,
    /// SENSE KEY (only the low four bits are emitted).
    pub key: SenseKey,
    /// ASC/ASCQ.
    pub additional: AdditionalSense,
    /// The INFORMATION field; emitted as be32 in fixed format (the value must fit) and as an
    /// Information descriptor in descriptor format.
    pub information: Option<Information>,
}

impl Repr {
    /// Reads the common fields of `sense`; an absent ASC/ASCQ reads as 00h/00h.
    pub fn parse<T: AsRef<[u8]>>(sense: &Sense<T>) -> Repr {
        Repr {
            format: sense.format(),
            deferred: sense.is_deferred(),
            key: sense.sense_key(),
            additional: sense
                .additional_sense()
                .unwrap_or(AdditionalSense::new(0, 0)),
            information: sense.information(),
        }
    }

    /// The bytes [`Repr::emit`] writes: 18 for fixed format, 8 (+12 with information) for
    /// descriptor format.
    pub fn buffer_len(&self) -> usize {
        match self.format {
            Format::Fixed => field::fixed::LEN,
            Format::Descriptor => {
                field::desc::DESCRIPTORS + if self.information.is_some() { 12 } else { 0 }
            }
        }
    }

    /// Writes the sense data to the start of `buf`, every byte of [`Repr::buffer_len`].
    ///
    /// Fails with [`Error::Truncated`] when `buf` is shorter than [`Repr::buffer_len`], and
    /// with [`Error::InformationTooWide`] when a fixed-format INFORMATION value does not fit
    /// in 32 bits; `buf` is unchanged then.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let len = self.buffer_len();
        let have = buf.len();
        let out = buf.get_mut(..len).ok_or(Error::Truncated { len: have })?;
        let fixed_info = match (self.format, self.information) {
            (Format::Fixed, Some(Information { value, .. })) => {
                Some(u32::try_from(value).map_err(|_| Error::InformationTooWide(value))?)
            }
            _ => None,
        };
        out.fill(0);
        let key = u8::from(self.key) & 0x0f;
        let AdditionalSense { asc, ascq } = self.additional;
        match self.format {
            Format::Fixed => {
                let code = if self.deferred { 0x71 } else { 0x70 };
                out[field::RESPONSE_CODE] = code;
                out[field::fixed::KEY] = key;
                if let Some(value) = fixed_info {
                    if self.information.is_some_and(|i| i.valid) {
                        out[field::RESPONSE_CODE] |= 0x80;
                    }
                    out[field::fixed::INFORMATION].copy_from_slice(&value.to_be_bytes());
                }
                out[field::ADDITIONAL_LENGTH] = (field::fixed::LEN - field::HEADER_LEN) as u8;
                out[field::fixed::ASC] = asc;
                out[field::fixed::ASCQ] = ascq;
            }
            Format::Descriptor => {
                out[field::RESPONSE_CODE] = if self.deferred { 0x73 } else { 0x72 };
                out[field::desc::KEY] = key;
                out[field::desc::ASC] = asc;
                out[field::desc::ASCQ] = ascq;
                out[field::ADDITIONAL_LENGTH] = (len - field::HEADER_LEN) as u8;
                if let Some(Information { valid, value }) = self.information {
                    let d = &mut out[field::desc::DESCRIPTORS..];
                    d[0] = 0x00;
                    d[1] = 0x0a;
                    d[2] = if valid { 0x80 } else { 0 };
                    d[4..12].copy_from_slice(&value.to_be_bytes());
                }
            }
        }
        Ok(len)
    }
}

#[cfg(test)]
mod tests;
