//! Standard INQUIRY data (SPC-5 §6.7.2).

use super::{need, out, Error, Text};
use core::fmt;

mod field {
    use core::ops::Range;

    /// PERIPHERAL QUALIFIER (bits 7–5), PERIPHERAL DEVICE TYPE (bits 4–0).
    pub const PERIPHERAL: usize = 0;
    /// RMB (bit 7), LU_CONG (bit 6).
    pub const RMB: usize = 1;
    /// VERSION.
    pub const VERSION: usize = 2;
    /// NORMACA (bit 5), HISUP (bit 4), RESPONSE DATA FORMAT (bits 3–0).
    pub const FLAGS3: usize = 3;
    /// ADDITIONAL LENGTH: bytes after byte 4.
    pub const ADDITIONAL_LENGTH: usize = 4;
    /// SCCS, ACC, TPGS (bits 5–4), 3PC, PROTECT.
    pub const FLAGS5: usize = 5;
    /// ENCSERV, VS, MULTIP, ADDR16.
    pub const FLAGS6: usize = 6;
    /// WBUS16, SYNC, CMDQUE, VS.
    pub const FLAGS7: usize = 7;
    /// T10 VENDOR IDENTIFICATION.
    pub const VENDOR: Range<usize> = 8..16;
    /// PRODUCT IDENTIFICATION.
    pub const PRODUCT: Range<usize> = 16..32;
    /// PRODUCT REVISION LEVEL.
    pub const REVISION: Range<usize> = 32..36;
    /// The shortest standard INQUIRY data a device returns.
    pub const LEN: usize = 36;
}

/// PERIPHERAL QUALIFIER: is a device of this type there? (SPC-5 §6.7.2)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeripheralQualifier {
    /// 000b: a device of the type is connected (or may be).
    Connected,
    /// 001b: the logical unit supports the type, but no device is connected.
    NotConnected,
    /// 011b: the logical unit does not exist; the device type is 1Fh.
    NotSupported,
    /// 010b (reserved) and 100b–111b (vendor specific).
    Unknown(u8),
}

impl From<u8> for PeripheralQualifier {
    fn from(value: u8) -> Self {
        match value {
            0 => PeripheralQualifier::Connected,
            1 => PeripheralQualifier::NotConnected,
            3 => PeripheralQualifier::NotSupported,
            other => PeripheralQualifier::Unknown(other),
        }
    }
}

impl From<PeripheralQualifier> for u8 {
    fn from(q: PeripheralQualifier) -> u8 {
        match q {
            PeripheralQualifier::Connected => 0,
            PeripheralQualifier::NotConnected => 1,
            PeripheralQualifier::NotSupported => 3,
            PeripheralQualifier::Unknown(other) => other,
        }
    }
}

/// PERIPHERAL DEVICE TYPE (SPC-5 §6.7.2, "Peripheral device type" table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceType {
    /// 00h direct access block device (SBC): a disk.
    DirectAccess,
    /// 01h sequential access device (SSC): a tape.
    SequentialAccess,
    /// 02h printer.
    Printer,
    /// 03h processor.
    Processor,
    /// 04h write-once device.
    WriteOnce,
    /// 05h CD/DVD device (MMC).
    CdDvd,
    /// 06h scanner (obsolete).
    Scanner,
    /// 07h optical memory device.
    OpticalMemory,
    /// 08h media changer (SMC).
    MediumChanger,
    /// 09h communications device (obsolete).
    Communications,
    /// 0Ch storage array controller (SCC).
    StorageArray,
    /// 0Dh enclosure services device (SES).
    Enclosure,
    /// 0Eh simplified direct-access device (RBC).
    SimplifiedDirectAccess,
    /// 0Fh optical card reader/writer.
    OpticalCard,
    /// 10h bridge controller commands.
    BridgeController,
    /// 11h object-based storage device (OSD).
    ObjectStorage,
    /// 12h automation/drive interface (ADC).
    AutomationDrive,
    /// 13h security manager device.
    SecurityManager,
    /// 14h host managed zoned block device (ZBC).
    ZonedBlock,
    /// 1Eh well known logical unit.
    WellKnownLogicalUnit,
    /// 1Fh unknown or no device type.
    NoDevice,
    /// Any other value (0Ah, 0Bh obsolete; 15h–1Dh reserved).
    Unknown(u8),
}

const DEVICE_TYPES: [(DeviceType, u8); 21] = [
    (DeviceType::DirectAccess, 0x00),
    (DeviceType::SequentialAccess, 0x01),
    (DeviceType::Printer, 0x02),
    (DeviceType::Processor, 0x03),
    (DeviceType::WriteOnce, 0x04),
    (DeviceType::CdDvd, 0x05),
    (DeviceType::Scanner, 0x06),
    (DeviceType::OpticalMemory, 0x07),
    (DeviceType::MediumChanger, 0x08),
    (DeviceType::Communications, 0x09),
    (DeviceType::StorageArray, 0x0c),
    (DeviceType::Enclosure, 0x0d),
    (DeviceType::SimplifiedDirectAccess, 0x0e),
    (DeviceType::OpticalCard, 0x0f),
    (DeviceType::BridgeController, 0x10),
    (DeviceType::ObjectStorage, 0x11),
    (DeviceType::AutomationDrive, 0x12),
    (DeviceType::SecurityManager, 0x13),
    (DeviceType::ZonedBlock, 0x14),
    (DeviceType::WellKnownLogicalUnit, 0x1e),
    (DeviceType::NoDevice, 0x1f),
];

impl From<u8> for DeviceType {
    fn from(value: u8) -> Self {
        DEVICE_TYPES
            .iter()
            .find(|(_, n)| *n == value)
            .map_or(DeviceType::Unknown(value), |&(t, _)| t)
    }
}

impl From<DeviceType> for u8 {
    fn from(t: DeviceType) -> u8 {
        match t {
            DeviceType::Unknown(n) => n,
            known => DEVICE_TYPES
                .iter()
                .find(|(d, _)| *d == known)
                .map_or(0, |&(_, n)| n),
        }
    }
}

bitflags::bitflags! {
    /// The one-bit fields of standard INQUIRY data bytes 3, 5, 6 and 7, as `byte3 << 24 |
    /// byte5 << 16 | byte6 << 8 | byte7` without the multi-bit fields (RESPONSE DATA FORMAT,
    /// TPGS). Unknown and obsolete bits are kept.
    #[repr(transparent)]
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct InquiryFlags: u32 {
        /// NORMACA: normal ACA supported.
        const NORM_ACA = 0x20 << 24;
        /// HISUP: hierarchical LUN addressing.
        const HI_SUP = 0x10 << 24;
        /// SCCS: embedded storage array controller.
        const SCCS = 0x80 << 16;
        /// ACC: access controls coordinator.
        const ACC = 0x40 << 16;
        /// 3PC: third-party copy supported.
        const THREE_PC = 0x08 << 16;
        /// PROTECT: protection information supported.
        const PROTECT = 0x01 << 16;
        /// ENCSERV: embedded enclosure services.
        const ENC_SERV = 0x40 << 8;
        /// VS: vendor specific (byte 6 bit 5).
        const VS6 = 0x20 << 8;
        /// MULTIP: multiple SCSI ports.
        const MULTI_P = 0x10 << 8;
        /// ADDR16 (obsolete, SPI).
        const ADDR16 = 0x01 << 8;
        /// WBUS16 (obsolete, SPI).
        const WBUS16 = 0x20;
        /// SYNC (obsolete, SPI).
        const SYNC = 0x10;
        /// CMDQUE: command queuing supported.
        const CMD_QUE = 0x02;
        /// VS: vendor specific (byte 7 bit 0).
        const VS7 = 0x01;
        const _ = !0;
    }
}

/// Bits of the flags word that are multi-bit fields, not flags.
const NOT_FLAGS: u32 = (0x0f << 24) | (0x30 << 16);

/// A view of standard INQUIRY data (SPC-5 §6.7.2): at least 36 bytes after the check.
///
/// # Examples
///
/// ```
/// use sgmap_core::response::{DeviceType, Inquiry};
///
/// let mut data = [0u8; 36];
/// data[2] = 0x07; // SPC-5
/// data[4] = 31; // additional length
/// data[8..16].copy_from_slice(b"Linux   ");
/// data[16..32].copy_from_slice(b"scsi_debug      ");
/// data[32..36].copy_from_slice(b"0191");
/// let inq = Inquiry::new_checked(&data[..])?;
/// assert_eq!(inq.device_type(), DeviceType::DirectAccess);
/// assert_eq!(inq.vendor().to_string(), "Linux"); // trailing spaces trimmed
/// assert_eq!(inq.product().to_string(), "scsi_debug");
/// assert!(Inquiry::new_checked(&data[..20]).is_err()); // too short to be INQUIRY data
/// # Ok::<(), sgmap_core::response::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inquiry<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Inquiry<T> {
    /// Wraps `buffer` without checks; getters of absent fields read zeros.
    pub const fn new_unchecked(buffer: T) -> Self {
        Inquiry { buffer }
    }

    /// Wraps `buffer` after [`Inquiry::check_len`].
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let view = Self::new_unchecked(buffer);
        view.check_len()?;
        Ok(view)
    }

    /// Checks for the 36 bytes every device returns (through PRODUCT REVISION LEVEL).
    pub fn check_len(&self) -> Result<(), Error> {
        need(self.buffer.as_ref(), field::LEN)
    }

    /// The wrapped buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn byte(&self, at: usize) -> u8 {
        self.buffer.as_ref().get(at).copied().unwrap_or(0)
    }

    fn bytes(&self, range: core::ops::Range<usize>) -> &[u8] {
        self.buffer.as_ref().get(range).unwrap_or(&[])
    }

    /// PERIPHERAL QUALIFIER.
    pub fn qualifier(&self) -> PeripheralQualifier {
        PeripheralQualifier::from(self.byte(field::PERIPHERAL) >> 5)
    }

    /// PERIPHERAL DEVICE TYPE.
    pub fn device_type(&self) -> DeviceType {
        DeviceType::from(self.byte(field::PERIPHERAL) & 0x1f)
    }

    /// RMB: removable medium.
    pub fn removable(&self) -> bool {
        self.byte(field::RMB) & 0x80 != 0
    }

    /// LU_CONG: part of a logical unit conglomerate.
    pub fn lu_cong(&self) -> bool {
        self.byte(field::RMB) & 0x40 != 0
    }

    /// VERSION: the SPC version claimed (6 SPC-4, 7 SPC-5, 0 none).
    pub fn version(&self) -> u8 {
        self.byte(field::VERSION)
    }

    /// RESPONSE DATA FORMAT (2 for every current device).
    pub fn response_data_format(&self) -> u8 {
        self.byte(field::FLAGS3) & 0x0f
    }

    /// ADDITIONAL LENGTH: the bytes after byte 4 the device has (it may have sent fewer).
    pub fn additional_length(&self) -> u8 {
        self.byte(field::ADDITIONAL_LENGTH)
    }

    /// The one-bit fields.
    pub fn flags(&self) -> InquiryFlags {
        let word = u32::from_be_bytes([
            self.byte(field::FLAGS3),
            self.byte(field::FLAGS5),
            self.byte(field::FLAGS6),
            self.byte(field::FLAGS7),
        ]);
        InquiryFlags::from_bits_retain(word & !NOT_FLAGS)
    }

    /// TPGS: target port group support (0 none, 1 implicit, 2 explicit, 3 both).
    pub fn tpgs(&self) -> u8 {
        (self.byte(field::FLAGS5) >> 4) & 0x03
    }

    /// T10 VENDOR IDENTIFICATION, trailing spaces trimmed.
    pub fn vendor(&self) -> Text<'_> {
        Text::new(self.bytes(field::VENDOR))
    }

    /// PRODUCT IDENTIFICATION, trailing spaces trimmed.
    pub fn product(&self) -> Text<'_> {
        Text::new(self.bytes(field::PRODUCT))
    }

    /// PRODUCT REVISION LEVEL, trailing spaces trimmed.
    pub fn revision(&self) -> Text<'_> {
        Text::new(self.bytes(field::REVISION))
    }
}

impl<T: AsRef<[u8]>> fmt::Display for Inquiry<T> {
    /// `sg_inq`'s three identification lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            " Vendor identification: {}\n Product identification: {}\n Product revision level: {}",
            self.vendor(),
            self.product(),
            self.revision()
        )
    }
}

/// Standard INQUIRY data as plain values (the first 36 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InquiryRepr {
    /// PERIPHERAL QUALIFIER.
    pub qualifier: PeripheralQualifier,
    /// PERIPHERAL DEVICE TYPE.
    pub device_type: DeviceType,
    /// RMB.
    pub removable: bool,
    /// VERSION.
    pub version: u8,
    /// RESPONSE DATA FORMAT (4 bits).
    pub response_data_format: u8,
    /// ADDITIONAL LENGTH.
    pub additional_length: u8,
    /// The one-bit fields (LU_CONG is not among them: see [`InquiryRepr::lu_cong`]).
    pub flags: InquiryFlags,
    /// LU_CONG.
    pub lu_cong: bool,
    /// TPGS (2 bits).
    pub tpgs: u8,
    /// T10 VENDOR IDENTIFICATION as sent, space padded.
    pub vendor: [u8; 8],
    /// PRODUCT IDENTIFICATION as sent.
    pub product: [u8; 16],
    /// PRODUCT REVISION LEVEL as sent.
    pub revision: [u8; 4],
}

impl InquiryRepr {
    /// Reads the first 36 bytes of `view`.
    pub fn parse<T: AsRef<[u8]>>(view: &Inquiry<T>) -> Result<Self, Error> {
        view.check_len()?;
        let array = |r: core::ops::Range<usize>| view.bytes(r);
        let mut vendor = [b' '; 8];
        let mut product = [b' '; 16];
        let mut revision = [b' '; 4];
        vendor.copy_from_slice(array(field::VENDOR));
        product.copy_from_slice(array(field::PRODUCT));
        revision.copy_from_slice(array(field::REVISION));
        Ok(InquiryRepr {
            qualifier: view.qualifier(),
            device_type: view.device_type(),
            removable: view.removable(),
            version: view.version(),
            response_data_format: view.response_data_format(),
            additional_length: view.additional_length(),
            flags: view.flags(),
            lu_cong: view.lu_cong(),
            tpgs: view.tpgs(),
            vendor,
            product,
            revision,
        })
    }

    /// 36.
    pub fn buffer_len(&self) -> usize {
        field::LEN
    }

    /// Writes the 36 bytes to the start of `buf`. Fields wider than their bits are cut to
    /// them (qualifier 3 bits, device type 5, format 4, TPGS 2).
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let b = out(buf, field::LEN)?;
        b[field::PERIPHERAL] =
            (u8::from(self.qualifier) << 5) | (u8::from(self.device_type) & 0x1f);
        b[field::RMB] = (u8::from(self.removable) << 7) | (u8::from(self.lu_cong) << 6);
        b[field::VERSION] = self.version;
        let [f3, f5, f6, f7] = (self.flags.bits() & !NOT_FLAGS).to_be_bytes();
        b[field::FLAGS3] = f3 | (self.response_data_format & 0x0f);
        b[field::ADDITIONAL_LENGTH] = self.additional_length;
        b[field::FLAGS5] = f5 | ((self.tpgs & 0x03) << 4);
        b[field::FLAGS6] = f6;
        b[field::FLAGS7] = f7;
        b[field::VENDOR].copy_from_slice(&self.vendor);
        b[field::PRODUCT].copy_from_slice(&self.product);
        b[field::REVISION].copy_from_slice(&self.revision);
        Ok(field::LEN)
    }

    /// The vendor, trimmed.
    pub fn vendor_text(&self) -> Text<'_> {
        Text::new(&self.vendor)
    }

    /// The product, trimmed.
    pub fn product_text(&self) -> Text<'_> {
        Text::new(&self.product)
    }

    /// The revision, trimmed.
    pub fn revision_text(&self) -> Text<'_> {
        Text::new(&self.revision)
    }
}
