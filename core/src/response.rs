//! Decoders of the data-in that SCSI commands return.
//!
//! - [`Inquiry`] / [`InquiryRepr`]: standard INQUIRY data (SPC-5 §6.7.2).
//! - [`Vpd`]: vital product data pages (SPC-5, "Vital product data parameters"): supported
//!   pages (00h), unit serial number (80h), device identification (83h, [`Designators`]),
//!   software interface identification (84h), management network addresses (85h),
//!   extended INQUIRY data (86h, [`ExtendedInquiry`]), mode page policy (87h), SCSI ports
//!   (88h), ATA information (89h, [`AtaInformation`], SAT-5), block limits (B0h,
//!   [`BlockLimits`]), block device characteristics (B1h, [`BlockDeviceCharacteristics`]) and
//!   logical block provisioning (B2h, [`LogicalBlockProvisioning`]) of SBC-4.
//! - [`Capacity10`] and [`Capacity16`]: READ CAPACITY (10) and (16) parameter data (SBC-4).
//! - [`ReportLuns`]: REPORT LUNS parameter data and its [`Lun`]s (SPC-5; LUN structure: SAM-6).
//! - [`ReadBufferDescriptor`]: READ BUFFER descriptor mode data (SPC-5).
//! - [`SupportedOpcodes`] / [`OneCommand`] / [`SupportedTmf`]: REPORT SUPPORTED OPERATION
//!   CODES (all_commands, one_command) and REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS data
//!   (SPC-5).
//! - [`ModeHeader`] and its [`BlockDescriptor`]: MODE SENSE (6)/(10) parameter data (SPC-5).
//!
//! Every decoder is total: any byte string gives a value or an [`Error`], and walks
//! (designators, LUNs, pages) stop at the length the device reports *and* at the end of the
//! buffer, whichever is first. Devices often return less than they say (the allocation
//! length cut it) or say less than they return (the buffer holds stale bytes); neither
//! reads past what is there.

use core::fmt;

mod buffer;
mod capacity;
mod inquiry;
mod luns;
mod mode;
mod opcodes;
mod vpd;

pub use buffer::{OffsetBoundary, ReadBufferDescriptor};
pub use capacity::{Capacity10, Capacity16};
pub use inquiry::{DeviceType, Inquiry, InquiryFlags, InquiryRepr, PeripheralQualifier};
pub use luns::{AddressMethod, Lun, Luns, ReportLuns};
pub use mode::{BlockDescriptor, ModeHeader};
pub use opcodes::{
    CommandDescriptor, CommandTimeouts, Descriptors, OneCommand, Support, SupportedOpcodes,
    SupportedTmf,
};
pub use vpd::{
    page, Association, AtaInformation, AtaString, BlockDeviceCharacteristics, BlockLimits, CodeSet,
    Designator, DesignatorType, Designators, ExtendedInquiry, Identifier, LogicalBlockProvisioning,
    ModePagePolicies, ModePagePolicy, NetworkAddress, NetworkAddresses, ProvisioningType,
    RotationRate, ScsiPort, ScsiPorts, SoftwareInterfaceIds, SupportedPages, Vpd,
};

/// Why bytes are not the response asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Fewer bytes than the fixed part of the response.
    Truncated {
        /// Bytes needed.
        needed: usize,
        /// Bytes there were.
        got: usize,
    },
    /// A VPD page other than the one asked for.
    WrongPage {
        /// The page asked for.
        expected: u8,
        /// The PAGE CODE in the data.
        got: u8,
    },
    /// An emit (`InquiryRepr::emit`…) into a buffer that is too short.
    BufferTooShort {
        /// Bytes needed.
        needed: usize,
        /// Bytes there were.
        got: usize,
    },
}

impl core::error::Error for Error {}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::Truncated { needed, got } => {
                write!(f, "response too short: {got} bytes, need {needed}")
            }
            Error::WrongPage { expected, got } => {
                write!(
                    f,
                    "VPD page 0x{got:02x} where 0x{expected:02x} was asked for"
                )
            }
            Error::BufferTooShort { needed, got } => {
                write!(f, "buffer too short: {got} bytes, need {needed}")
            }
        }
    }
}

/// A text field from a device: ASCII where the standard says so, but devices differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Text<'a> {
    /// Printable ASCII (20h–7Eh), trailing spaces and NULs trimmed.
    Str(&'a str),
    /// Anything else, trailing spaces and NULs trimmed: shown in hex.
    Raw(&'a [u8]),
}

impl<'a> Text<'a> {
    /// `bytes` with trailing spaces and NULs trimmed, as text if printable ASCII.
    pub fn new(bytes: &'a [u8]) -> Self {
        let end = bytes
            .iter()
            .rposition(|&b| b != b' ' && b != 0)
            .map_or(0, |i| i + 1);
        let bytes = bytes.get(..end).unwrap_or(&[]);
        Self::classify(bytes)
    }

    /// `bytes` with leading and trailing spaces and NULs trimmed (serial numbers are often
    /// right-aligned).
    pub fn trimmed(bytes: &'a [u8]) -> Self {
        let start = bytes
            .iter()
            .position(|&b| b != b' ' && b != 0)
            .unwrap_or(bytes.len());
        Self::new(bytes.get(start..).unwrap_or(&[]))
    }

    fn classify(bytes: &'a [u8]) -> Self {
        if bytes.iter().all(|&b| (0x20..0x7f).contains(&b)) {
            if let Ok(s) = core::str::from_utf8(bytes) {
                return Text::Str(s);
            }
        }
        Text::Raw(bytes)
    }

    /// The text, if it is printable ASCII.
    pub fn as_str(&self) -> Option<&'a str> {
        match *self {
            Text::Str(s) => Some(s),
            Text::Raw(_) => None,
        }
    }

    /// The bytes either way.
    pub fn as_bytes(&self) -> &'a [u8] {
        match *self {
            Text::Str(s) => s.as_bytes(),
            Text::Raw(b) => b,
        }
    }
}

impl fmt::Display for Text<'_> {
    /// The text as is, or raw bytes as `0x` and hex digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Text::Str(s) => f.write_str(s),
            Text::Raw(bytes) => {
                f.write_str("0x")?;
                for b in bytes {
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
        }
    }
}

/// Big-endian integer of the bytes at `range`, if `bytes` holds them all (up to 8 bytes).
fn be(bytes: &[u8], range: core::ops::Range<usize>) -> Option<u64> {
    let slice = bytes.get(range)?;
    if slice.len() > 8 {
        return None;
    }
    Some(slice.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b)))
}

/// Checks that `bytes` has at least `needed` bytes.
fn need(bytes: &[u8], needed: usize) -> Result<(), Error> {
    if bytes.len() < needed {
        Err(Error::Truncated {
            needed,
            got: bytes.len(),
        })
    } else {
        Ok(())
    }
}

/// The first `len` bytes of `buf`, zeroed, or [`Error::BufferTooShort`].
fn out(buf: &mut [u8], len: usize) -> Result<&mut [u8], Error> {
    let got = buf.len();
    let out = buf
        .get_mut(..len)
        .ok_or(Error::BufferTooShort { needed: len, got })?;
    out.fill(0);
    Ok(out)
}

#[cfg(test)]
mod tests;
