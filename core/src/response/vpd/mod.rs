//! Vital product data pages (SPC-5; the block device pages: SBC-4; ATA information: SAT-5).
//!
//! [`Vpd`] wraps a page and hands out one view per page code; each view's getters return
//! `None` for a field the page (bounded by its PAGE LENGTH and by the buffer) stops before.
//! The families live in their own files: [`designators`] (83h, and the designation
//! descriptors that 88h and B2h carry), [`spc`] (84h, 85h, 86h, 87h, 88h), [`ata`] (89h),
//! [`block`] (B0h, B1h, B2h).

use super::{be, need, Error, Text};

mod ata;
mod block;
mod designators;
mod spc;

pub use ata::{AtaInformation, AtaString};
pub use block::{
    BlockDeviceCharacteristics, BlockLimits, LogicalBlockProvisioning, ProvisioningType,
    RotationRate,
};
pub use designators::{Association, CodeSet, Designator, DesignatorType, Designators, Identifier};
pub use spc::{
    ExtendedInquiry, ModePagePolicies, ModePagePolicy, NetworkAddress, NetworkAddresses, ScsiPort,
    ScsiPorts, SoftwareInterfaceIds,
};

/// PAGE CODEs of the pages decoded here.
pub mod page {
    /// 00h Supported VPD pages.
    pub const SUPPORTED_PAGES: u8 = 0x00;
    /// 80h Unit serial number.
    pub const UNIT_SERIAL_NUMBER: u8 = 0x80;
    /// 83h Device identification.
    pub const DEVICE_IDENTIFICATION: u8 = 0x83;
    /// 84h Software interface identification.
    pub const SOFTWARE_INTERFACE_IDENTIFICATION: u8 = 0x84;
    /// 85h Management network addresses.
    pub const MANAGEMENT_NETWORK_ADDRESSES: u8 = 0x85;
    /// 86h Extended INQUIRY data.
    pub const EXTENDED_INQUIRY: u8 = 0x86;
    /// 87h Mode page policy.
    pub const MODE_PAGE_POLICY: u8 = 0x87;
    /// 88h SCSI ports.
    pub const SCSI_PORTS: u8 = 0x88;
    /// 89h ATA information (SAT).
    pub const ATA_INFORMATION: u8 = 0x89;
    /// B0h Block limits (SBC).
    pub const BLOCK_LIMITS: u8 = 0xb0;
    /// B1h Block device characteristics (SBC).
    pub const BLOCK_DEVICE_CHARACTERISTICS: u8 = 0xb1;
    /// B2h Logical block provisioning (SBC).
    pub const LOGICAL_BLOCK_PROVISIONING: u8 = 0xb2;
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

    /// The page through its last byte: `4 + PAGE LENGTH` bytes, or the buffer if shorter
    /// (what sg3_utils decodes: the length it reports is this slice's).
    pub fn page(&self) -> &[u8] {
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

    /// Page 84h: the software interface identifiers.
    pub fn software_interface_ids(&self) -> Result<SoftwareInterfaceIds<'_>, Error> {
        self.expect(page::SOFTWARE_INTERFACE_IDENTIFICATION)?;
        Ok(SoftwareInterfaceIds {
            rest: self.payload(),
        })
    }

    /// Page 85h: the network service descriptors.
    pub fn network_addresses(&self) -> Result<NetworkAddresses<'_>, Error> {
        self.expect(page::MANAGEMENT_NETWORK_ADDRESSES)?;
        Ok(NetworkAddresses {
            rest: self.payload(),
        })
    }

    /// Page 86h: the extended INQUIRY data.
    pub fn extended_inquiry(&self) -> Result<ExtendedInquiry<'_>, Error> {
        self.expect(page::EXTENDED_INQUIRY)?;
        Ok(ExtendedInquiry { page: self.page() })
    }

    /// Page 87h: the mode page policy descriptors.
    pub fn mode_page_policies(&self) -> Result<ModePagePolicies<'_>, Error> {
        self.expect(page::MODE_PAGE_POLICY)?;
        Ok(ModePagePolicies {
            rest: self.payload(),
        })
    }

    /// Page 88h: the SCSI port designation descriptors.
    pub fn scsi_ports(&self) -> Result<ScsiPorts<'_>, Error> {
        self.expect(page::SCSI_PORTS)?;
        Ok(ScsiPorts {
            rest: self.payload(),
        })
    }

    /// Page 89h: ATA information (SAT).
    pub fn ata_information(&self) -> Result<AtaInformation<'_>, Error> {
        self.expect(page::ATA_INFORMATION)?;
        Ok(AtaInformation { page: self.page() })
    }

    /// Page B0h: the block limits.
    pub fn block_limits(&self) -> Result<BlockLimits<'_>, Error> {
        self.expect(page::BLOCK_LIMITS)?;
        Ok(BlockLimits { page: self.page() })
    }

    /// Page B1h: the block device characteristics.
    pub fn block_device_characteristics(&self) -> Result<BlockDeviceCharacteristics<'_>, Error> {
        self.expect(page::BLOCK_DEVICE_CHARACTERISTICS)?;
        Ok(BlockDeviceCharacteristics { page: self.page() })
    }

    /// Page B2h: logical block provisioning.
    pub fn logical_block_provisioning(&self) -> Result<LogicalBlockProvisioning<'_>, Error> {
        self.expect(page::LOGICAL_BLOCK_PROVISIONING)?;
        Ok(LogicalBlockProvisioning { page: self.page() })
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

#[cfg(test)]
mod tests;
