//! Device identification (83h): designation descriptors, their walk and their decoding.

use super::super::{be, Text};
use super::field;
use core::fmt;

/// CODE SET of a designator (SPC-5, Device Identification VPD page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeSet {
    /// 1h binary.
    Binary,
    /// 2h ASCII printable characters.
    Ascii,
    /// 3h UTF-8.
    Utf8,
    /// Any other value (reserved).
    Unknown(u8),
}

impl From<u8> for CodeSet {
    fn from(value: u8) -> Self {
        match value {
            1 => CodeSet::Binary,
            2 => CodeSet::Ascii,
            3 => CodeSet::Utf8,
            other => CodeSet::Unknown(other),
        }
    }
}

impl From<CodeSet> for u8 {
    fn from(c: CodeSet) -> u8 {
        match c {
            CodeSet::Binary => 1,
            CodeSet::Ascii => 2,
            CodeSet::Utf8 => 3,
            CodeSet::Unknown(n) => n,
        }
    }
}

/// ASSOCIATION: what the designator names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Association {
    /// 00b the logical unit.
    LogicalUnit,
    /// 01b the target port that received the INQUIRY.
    TargetPort,
    /// 10b the SCSI target device holding the logical unit.
    TargetDevice,
    /// 11b reserved.
    Unknown(u8),
}

impl From<u8> for Association {
    fn from(value: u8) -> Self {
        match value {
            0 => Association::LogicalUnit,
            1 => Association::TargetPort,
            2 => Association::TargetDevice,
            other => Association::Unknown(other),
        }
    }
}

impl From<Association> for u8 {
    fn from(a: Association) -> u8 {
        match a {
            Association::LogicalUnit => 0,
            Association::TargetPort => 1,
            Association::TargetDevice => 2,
            Association::Unknown(n) => n,
        }
    }
}

/// DESIGNATOR TYPE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DesignatorType {
    /// 0h vendor specific.
    VendorSpecific,
    /// 1h T10 vendor ID based.
    T10VendorId,
    /// 2h EUI-64 based.
    Eui64,
    /// 3h NAA.
    Naa,
    /// 4h relative target port identifier.
    RelativeTargetPort,
    /// 5h target port group.
    TargetPortGroup,
    /// 6h logical unit group.
    LogicalUnitGroup,
    /// 7h MD5 logical unit identifier.
    Md5LogicalUnit,
    /// 8h SCSI name string.
    ScsiName,
    /// 9h protocol specific port identifier.
    ProtocolSpecificPort,
    /// Ah UUID.
    Uuid,
    /// Any other value (reserved).
    Unknown(u8),
}

impl From<u8> for DesignatorType {
    fn from(value: u8) -> Self {
        match value {
            0x0 => DesignatorType::VendorSpecific,
            0x1 => DesignatorType::T10VendorId,
            0x2 => DesignatorType::Eui64,
            0x3 => DesignatorType::Naa,
            0x4 => DesignatorType::RelativeTargetPort,
            0x5 => DesignatorType::TargetPortGroup,
            0x6 => DesignatorType::LogicalUnitGroup,
            0x7 => DesignatorType::Md5LogicalUnit,
            0x8 => DesignatorType::ScsiName,
            0x9 => DesignatorType::ProtocolSpecificPort,
            0xa => DesignatorType::Uuid,
            other => DesignatorType::Unknown(other),
        }
    }
}

impl From<DesignatorType> for u8 {
    fn from(t: DesignatorType) -> u8 {
        match t {
            DesignatorType::VendorSpecific => 0x0,
            DesignatorType::T10VendorId => 0x1,
            DesignatorType::Eui64 => 0x2,
            DesignatorType::Naa => 0x3,
            DesignatorType::RelativeTargetPort => 0x4,
            DesignatorType::TargetPortGroup => 0x5,
            DesignatorType::LogicalUnitGroup => 0x6,
            DesignatorType::Md5LogicalUnit => 0x7,
            DesignatorType::ScsiName => 0x8,
            DesignatorType::ProtocolSpecificPort => 0x9,
            DesignatorType::Uuid => 0xa,
            DesignatorType::Unknown(n) => n,
        }
    }
}

/// One designation descriptor of VPD page 83h.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Designator<'a> {
    /// PROTOCOL IDENTIFIER (meaningful when [`Designator::piv`] is set and the association
    /// is a target port or device).
    pub protocol_identifier: u8,
    /// CODE SET.
    pub code_set: CodeSet,
    /// PIV: the protocol identifier is valid.
    pub piv: bool,
    /// ASSOCIATION.
    pub association: Association,
    /// DESIGNATOR TYPE.
    pub designator_type: DesignatorType,
    /// The DESIGNATOR bytes.
    pub designator: &'a [u8],
}

/// A designator decoded by type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Identifier<'a> {
    /// NAA: the NAA nibble (2, 3, 5 or 6) and the whole identifier (8 or 16 bytes).
    Naa {
        /// NAA (bits 7–4 of the first byte).
        naa: u8,
        /// The identifier, NAA nibble included.
        bytes: &'a [u8],
    },
    /// EUI-64 based (8, 12 or 16 bytes).
    Eui64(&'a [u8]),
    /// T10 vendor ID based: the 8-byte vendor and the vendor specific rest.
    T10VendorId {
        /// T10 VENDOR IDENTIFICATION.
        vendor: Text<'a>,
        /// VENDOR SPECIFIC IDENTIFIER.
        specific: Text<'a>,
    },
    /// SCSI name string (UTF-8, NUL padded): `Text::Str` when printable ASCII.
    ScsiName(Text<'a>),
    /// Relative target port identifier.
    RelativeTargetPort(u16),
    /// Target port group.
    TargetPortGroup(u16),
    /// Logical unit group.
    LogicalUnitGroup(u16),
    /// Any other type, or a designator too short for its type: the bytes.
    Raw(&'a [u8]),
}

impl<'a> Designator<'a> {
    /// The designator decoded by its type.
    pub fn identifier(&self) -> Identifier<'a> {
        let d = self.designator;
        let be16_at_2 = || be(d, 2..4).map(|v| v as u16);
        let decoded = match self.designator_type {
            DesignatorType::Naa => d.first().map(|&b| Identifier::Naa {
                naa: b >> 4,
                bytes: d,
            }),
            DesignatorType::Eui64 if d.len() >= 8 => Some(Identifier::Eui64(d)),
            DesignatorType::T10VendorId => d.get(..8).map(|vendor| Identifier::T10VendorId {
                vendor: Text::new(vendor),
                specific: Text::new(d.get(8..).unwrap_or(&[])),
            }),
            DesignatorType::ScsiName => Some(Identifier::ScsiName(Text::new(d))),
            DesignatorType::RelativeTargetPort => be16_at_2().map(Identifier::RelativeTargetPort),
            DesignatorType::TargetPortGroup => be16_at_2().map(Identifier::TargetPortGroup),
            DesignatorType::LogicalUnitGroup => be16_at_2().map(Identifier::LogicalUnitGroup),
            _ => None,
        };
        decoded.unwrap_or(Identifier::Raw(d))
    }
}

impl fmt::Display for Identifier<'_> {
    /// NAA and EUI-64 as `0x` and hex, as `sg_inq -p di` prints them; T10 vendor ID as
    /// `vendor specific`; numbers in decimal; raw bytes in hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = |f: &mut fmt::Formatter<'_>, bytes: &[u8]| {
            f.write_str("0x")?;
            bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
        };
        match *self {
            Identifier::Naa { bytes, .. } | Identifier::Eui64(bytes) | Identifier::Raw(bytes) => {
                hex(f, bytes)
            }
            Identifier::T10VendorId { vendor, specific } => write!(f, "{vendor} {specific}"),
            Identifier::ScsiName(name) => write!(f, "{name}"),
            Identifier::RelativeTargetPort(n)
            | Identifier::TargetPortGroup(n)
            | Identifier::LogicalUnitGroup(n) => write!(f, "{n}"),
        }
    }
}

/// The designation descriptors of VPD page 83h.
///
/// The walk is bounded by PAGE LENGTH and by the buffer; it stops at the first descriptor
/// that does not fit whole. Each descriptor takes at least 4 bytes, so there are at most
/// 16383 items in a 65539-byte page.
#[derive(Debug, Clone)]
pub struct Designators<'a> {
    pub(super) rest: &'a [u8],
}

impl<'a> Designators<'a> {
    /// A walk over the designation descriptors in `bytes` (the descriptor list of 83h, the
    /// target port descriptors of 88h, the provisioning group descriptor of B2h).
    pub fn over(bytes: &'a [u8]) -> Self {
        Designators { rest: bytes }
    }
}

impl<'a> Iterator for Designators<'a> {
    type Item = Designator<'a>;

    fn next(&mut self) -> Option<Designator<'a>> {
        use field::designator as f;
        let header = self.rest.get(..f::HEADER_LEN)?;
        let len = f::HEADER_LEN + usize::from(*header.get(f::LENGTH)?);
        let Some(this) = self.rest.get(..len) else {
            self.rest = &[];
            return None;
        };
        self.rest = self.rest.get(len..).unwrap_or(&[]);
        let b0 = *this.get(f::CODE_SET)?;
        let b1 = *this.get(f::TYPE)?;
        Some(Designator {
            protocol_identifier: b0 >> 4,
            code_set: CodeSet::from(b0 & 0x0f),
            piv: b1 & 0x80 != 0,
            association: Association::from((b1 >> 4) & 0x03),
            designator_type: DesignatorType::from(b1 & 0x0f),
            designator: this.get(f::HEADER_LEN..).unwrap_or(&[]),
        })
    }
}
