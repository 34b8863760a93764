//! Vital product data pages (SPC-5; block limits: SBC-4, Block Limits VPD page).

use super::{be, need, Error, Text};
use core::fmt;

/// PAGE CODEs of the pages decoded here.
pub mod page {
    /// 00h Supported VPD pages.
    pub const SUPPORTED_PAGES: u8 = 0x00;
    /// 80h Unit serial number.
    pub const UNIT_SERIAL_NUMBER: u8 = 0x80;
    /// 83h Device identification.
    pub const DEVICE_IDENTIFICATION: u8 = 0x83;
    /// B0h Block limits (SBC).
    pub const BLOCK_LIMITS: u8 = 0xb0;
}

mod field {
    use core::ops::Range;

    /// PERIPHERAL QUALIFIER and DEVICE TYPE, as in standard INQUIRY data.
    pub const PERIPHERAL: usize = 0;
    /// PAGE CODE.
    pub const PAGE_CODE: usize = 1;
    /// PAGE LENGTH (be16): bytes after byte 3.
    pub const PAGE_LENGTH: Range<usize> = 2..4;
    /// The page header's length.
    pub const HEADER_LEN: usize = 4;

    /// One designation descriptor of the device identification page.
    pub mod designator {
        /// PROTOCOL IDENTIFIER (bits 7–4), CODE SET (bits 3–0).
        pub const CODE_SET: usize = 0;
        /// PIV (bit 7), ASSOCIATION (bits 5–4), DESIGNATOR TYPE (bits 3–0).
        pub const TYPE: usize = 1;
        /// DESIGNATOR LENGTH.
        pub const LENGTH: usize = 3;
        /// The descriptor header's length.
        pub const HEADER_LEN: usize = 4;
    }

    /// Block limits page fields, as offsets from the page's byte 0 (SBC-4).
    pub mod block_limits {
        use super::Range;
        /// WSNZ (bit 0).
        pub const WSNZ: usize = 4;
        /// MAXIMUM COMPARE AND WRITE LENGTH.
        pub const MAX_COMPARE_AND_WRITE: usize = 5;
        /// OPTIMAL TRANSFER LENGTH GRANULARITY.
        pub const OPTIMAL_GRANULARITY: Range<usize> = 6..8;
        /// MAXIMUM TRANSFER LENGTH.
        pub const MAX_TRANSFER: Range<usize> = 8..12;
        /// OPTIMAL TRANSFER LENGTH.
        pub const OPTIMAL_TRANSFER: Range<usize> = 12..16;
        /// MAXIMUM PREFETCH LENGTH.
        pub const MAX_PREFETCH: Range<usize> = 16..20;
        /// MAXIMUM UNMAP LBA COUNT.
        pub const MAX_UNMAP_LBA_COUNT: Range<usize> = 20..24;
        /// MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT.
        pub const MAX_UNMAP_DESCRIPTORS: Range<usize> = 24..28;
        /// OPTIMAL UNMAP GRANULARITY.
        pub const OPTIMAL_UNMAP_GRANULARITY: Range<usize> = 28..32;
        /// UGAVALID (bit 31) and UNMAP GRANULARITY ALIGNMENT.
        pub const UNMAP_ALIGNMENT: Range<usize> = 32..36;
        /// MAXIMUM WRITE SAME LENGTH (be64).
        pub const MAX_WRITE_SAME: Range<usize> = 36..44;
        /// MAXIMUM ATOMIC TRANSFER LENGTH.
        pub const MAX_ATOMIC_TRANSFER: Range<usize> = 44..48;
        /// ATOMIC ALIGNMENT.
        pub const ATOMIC_ALIGNMENT: Range<usize> = 48..52;
        /// ATOMIC TRANSFER LENGTH GRANULARITY.
        pub const ATOMIC_GRANULARITY: Range<usize> = 52..56;
        /// MAXIMUM ATOMIC TRANSFER LENGTH WITH ATOMIC BOUNDARY.
        pub const MAX_ATOMIC_WITH_BOUNDARY: Range<usize> = 56..60;
        /// MAXIMUM ATOMIC BOUNDARY SIZE.
        pub const MAX_ATOMIC_BOUNDARY: Range<usize> = 60..64;
    }
}

/// A view of a VPD page: a 4-byte header (qualifier and device type, PAGE CODE, PAGE LENGTH)
/// and the page's own bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vpd<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Vpd<T> {
    /// Wraps `buffer` without checks.
    pub const fn new_unchecked(buffer: T) -> Self {
        Vpd { buffer }
    }

    /// Wraps `buffer` after [`Vpd::check_len`].
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let view = Self::new_unchecked(buffer);
        view.check_len()?;
        Ok(view)
    }

    /// Checks for the 4-byte header.
    pub fn check_len(&self) -> Result<(), Error> {
        need(self.buffer.as_ref(), field::HEADER_LEN)
    }

    /// The wrapped buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// PAGE CODE.
    pub fn page_code(&self) -> u8 {
        self.buffer
            .as_ref()
            .get(field::PAGE_CODE)
            .copied()
            .unwrap_or(0)
    }

    /// PERIPHERAL QUALIFIER (bits 7–5 of byte 0).
    pub fn qualifier(&self) -> super::PeripheralQualifier {
        let b = self.buffer.as_ref().get(field::PERIPHERAL).copied();
        super::PeripheralQualifier::from(b.unwrap_or(0) >> 5)
    }

    /// PERIPHERAL DEVICE TYPE (bits 4–0 of byte 0).
    pub fn device_type(&self) -> super::DeviceType {
        let b = self.buffer.as_ref().get(field::PERIPHERAL).copied();
        super::DeviceType::from(b.unwrap_or(0) & 0x1f)
    }

    /// PAGE LENGTH: the bytes after the header the device has (it may have sent fewer).
    pub fn page_length(&self) -> u16 {
        be(self.buffer.as_ref(), field::PAGE_LENGTH).unwrap_or(0) as u16
    }

    /// The page through its last byte: `4 + PAGE LENGTH` bytes, or the buffer if shorter.
    fn page(&self) -> &[u8] {
        let b = self.buffer.as_ref();
        let end = b
            .len()
            .min(field::HEADER_LEN + usize::from(self.page_length()));
        b.get(..end).unwrap_or(b)
    }

    /// The page's bytes after the header, bounded by PAGE LENGTH and the buffer.
    pub fn payload(&self) -> &[u8] {
        self.page().get(field::HEADER_LEN..).unwrap_or(&[])
    }

    fn expect(&self, expected: u8) -> Result<(), Error> {
        self.check_len()?;
        match self.page_code() {
            got if got == expected => Ok(()),
            got => Err(Error::WrongPage { expected, got }),
        }
    }

    /// Page 00h: the page codes the device supports, in its order.
    pub fn supported_pages(&self) -> Result<SupportedPages<'_>, Error> {
        self.expect(page::SUPPORTED_PAGES)?;
        Ok(SupportedPages {
            rest: self.payload().iter(),
        })
    }

    /// Page 80h: PRODUCT SERIAL NUMBER, leading and trailing spaces trimmed.
    pub fn unit_serial_number(&self) -> Result<Text<'_>, Error> {
        self.expect(page::UNIT_SERIAL_NUMBER)?;
        Ok(Text::trimmed(self.payload()))
    }

    /// Page 83h: the designation descriptors.
    pub fn designators(&self) -> Result<Designators<'_>, Error> {
        self.expect(page::DEVICE_IDENTIFICATION)?;
        Ok(Designators {
            rest: self.payload(),
        })
    }

    /// Page B0h: the block limits.
    pub fn block_limits(&self) -> Result<BlockLimits<'_>, Error> {
        self.expect(page::BLOCK_LIMITS)?;
        Ok(BlockLimits { page: self.page() })
    }
}

/// The page codes of VPD page 00h (an iterator over at most PAGE LENGTH bytes).
#[derive(Debug, Clone)]
pub struct SupportedPages<'a> {
    rest: core::slice::Iter<'a, u8>,
}

impl Iterator for SupportedPages<'_> {
    type Item = u8;
    fn next(&mut self) -> Option<u8> {
        self.rest.next().copied()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.rest.size_hint()
    }
}

impl ExactSizeIterator for SupportedPages<'_> {}

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
    rest: &'a [u8],
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

/// The Block Limits VPD page (SBC-4): each field is `None` when the page (bounded by its
/// PAGE LENGTH and the buffer) stops before it, as older devices' 16-byte pages do. Lengths
/// are in logical blocks; 0 means "not reported" for most of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockLimits<'a> {
    page: &'a [u8],
}

macro_rules! limits {
    ($($(#[$doc:meta])* $name:ident: $range:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self) -> Option<u32> {
            be(self.page, field::block_limits::$range).map(|v| v as u32)
        }
    )*};
}

impl BlockLimits<'_> {
    /// WSNZ: a WRITE SAME with NUMBER OF LOGICAL BLOCKS 0 is refused.
    pub fn wsnz(&self) -> Option<bool> {
        let b = self.page.get(field::block_limits::WSNZ)?;
        Some(b & 0x01 != 0)
    }

    /// MAXIMUM COMPARE AND WRITE LENGTH.
    pub fn maximum_compare_and_write_length(&self) -> Option<u8> {
        self.page
            .get(field::block_limits::MAX_COMPARE_AND_WRITE)
            .copied()
    }

    /// OPTIMAL TRANSFER LENGTH GRANULARITY.
    pub fn optimal_transfer_length_granularity(&self) -> Option<u16> {
        be(self.page, field::block_limits::OPTIMAL_GRANULARITY).map(|v| v as u16)
    }

    limits! {
        /// MAXIMUM TRANSFER LENGTH (0: no limit reported).
        maximum_transfer_length: MAX_TRANSFER;
        /// OPTIMAL TRANSFER LENGTH.
        optimal_transfer_length: OPTIMAL_TRANSFER;
        /// MAXIMUM PREFETCH LENGTH.
        maximum_prefetch_length: MAX_PREFETCH;
        /// MAXIMUM UNMAP LBA COUNT.
        maximum_unmap_lba_count: MAX_UNMAP_LBA_COUNT;
        /// MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT.
        maximum_unmap_block_descriptor_count: MAX_UNMAP_DESCRIPTORS;
        /// OPTIMAL UNMAP GRANULARITY.
        optimal_unmap_granularity: OPTIMAL_UNMAP_GRANULARITY;
        /// MAXIMUM ATOMIC TRANSFER LENGTH.
        maximum_atomic_transfer_length: MAX_ATOMIC_TRANSFER;
        /// ATOMIC ALIGNMENT.
        atomic_alignment: ATOMIC_ALIGNMENT;
        /// ATOMIC TRANSFER LENGTH GRANULARITY.
        atomic_transfer_length_granularity: ATOMIC_GRANULARITY;
        /// MAXIMUM ATOMIC TRANSFER LENGTH WITH ATOMIC BOUNDARY.
        maximum_atomic_transfer_length_with_boundary: MAX_ATOMIC_WITH_BOUNDARY;
        /// MAXIMUM ATOMIC BOUNDARY SIZE.
        maximum_atomic_boundary_size: MAX_ATOMIC_BOUNDARY;
    }

    /// UNMAP GRANULARITY ALIGNMENT, when UGAVALID says it is valid.
    pub fn unmap_granularity_alignment(&self) -> Option<u32> {
        let v = be(self.page, field::block_limits::UNMAP_ALIGNMENT)? as u32;
        (v & 0x8000_0000 != 0).then_some(v & 0x7fff_ffff)
    }

    /// MAXIMUM WRITE SAME LENGTH.
    pub fn maximum_write_same_length(&self) -> Option<u64> {
        be(self.page, field::block_limits::MAX_WRITE_SAME)
    }
}
