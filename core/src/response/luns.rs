//! REPORT LUNS parameter data (SPC-5, REPORT LUNS) and LUN structure (SAM-6).

use super::{be, need, Error};
use core::fmt;

mod field {
    use core::ops::Range;

    /// LUN LIST LENGTH (be32): bytes of LUNs after the header.
    pub const LIST_LENGTH: Range<usize> = 0..4;
    /// The header's length (4 bytes reserved after the list length).
    pub const HEADER_LEN: usize = 8;
    /// One LUN's length.
    pub const LUN_LEN: usize = 8;
}

/// A view of REPORT LUNS parameter data: an 8-byte header and 8-byte LUNs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportLuns<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> ReportLuns<T> {
    /// Wraps `buffer` without checks.
    pub const fn new_unchecked(buffer: T) -> Self {
        ReportLuns { buffer }
    }

    /// Wraps `buffer` after [`ReportLuns::check_len`].
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let view = Self::new_unchecked(buffer);
        view.check_len()?;
        Ok(view)
    }

    /// Checks for the 8-byte header.
    pub fn check_len(&self) -> Result<(), Error> {
        need(self.buffer.as_ref(), field::HEADER_LEN)
    }

    /// The wrapped buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// LUN LIST LENGTH: the bytes of LUNs the device has, which may be more than were sent
    /// (then ask again with ALLOCATION LENGTH `8 + list_length`).
    pub fn list_length(&self) -> u32 {
        be(self.buffer.as_ref(), field::LIST_LENGTH).unwrap_or(0) as u32
    }

    /// Whether the device has more LUNs than the buffer holds.
    pub fn is_truncated(&self) -> bool {
        let have = self.buffer.as_ref().len().saturating_sub(field::HEADER_LEN);
        (self.list_length() as usize) > have
    }

    /// The LUNs, bounded by LUN LIST LENGTH and the buffer (whole 8-byte entries only).
    pub fn luns(&self) -> Luns<'_> {
        let b = self.buffer.as_ref();
        let list = b.get(field::HEADER_LEN..).unwrap_or(&[]);
        let len = list.len().min(self.list_length() as usize);
        Luns {
            chunks: list.get(..len).unwrap_or(&[]).chunks_exact(field::LUN_LEN),
        }
    }
}

/// The LUNs of REPORT LUNS parameter data, in the device's order.
#[derive(Debug, Clone)]
pub struct Luns<'a> {
    chunks: core::slice::ChunksExact<'a, u8>,
}

impl Iterator for Luns<'_> {
    type Item = Lun;
    fn next(&mut self) -> Option<Lun> {
        let chunk = self.chunks.next()?;
        let mut lun = [0u8; 8];
        lun.copy_from_slice(chunk);
        Some(Lun(lun))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
}

impl ExactSizeIterator for Luns<'_> {}

/// ADDRESS METHOD of a LUN's first level (SAM-6, bits 7–6 of byte 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressMethod {
    /// 00b peripheral device addressing: bus identifier and target or LUN.
    Peripheral,
    /// 01b flat space addressing: a 14-bit LUN.
    Flat,
    /// 10b logical unit addressing: target, bus, LUN.
    LogicalUnit,
    /// 11b extended logical unit addressing (and well-known LUNs).
    Extended,
}

/// An 8-byte LUN as the device reports it (SAM-6, LUN structure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lun(pub [u8; 8]);

impl Lun {
    /// The first level's ADDRESS METHOD.
    pub fn address_method(&self) -> AddressMethod {
        match self.0[0] >> 6 {
            0 => AddressMethod::Peripheral,
            1 => AddressMethod::Flat,
            2 => AddressMethod::LogicalUnit,
            _ => AddressMethod::Extended,
        }
    }

    /// Whether only the first level is used (bytes 2–7 zero).
    pub fn is_single_level(&self) -> bool {
        self.0[2..].iter().all(|&b| b == 0)
    }

    /// The LUN number of a single-level LUN with peripheral device addressing on bus 0
    /// (byte 1) or flat space addressing (14 bits); `None` for other forms.
    pub fn number(&self) -> Option<u16> {
        if !self.is_single_level() {
            return None;
        }
        let [b0, b1, ..] = self.0;
        match self.address_method() {
            AddressMethod::Peripheral if b0 & 0x3f == 0 => Some(u16::from(b1)),
            AddressMethod::Flat => Some(u16::from_be_bytes([b0 & 0x3f, b1])),
            _ => None,
        }
    }

    /// The integer Linux uses for this LUN (`scsilun_to_int`: each 2-byte level in turn
    /// from the low 16 bits up). sg's `GET_SCSI_ID` and sysfs names report this number.
    pub fn to_linux(&self) -> u64 {
        self.0
            .chunks_exact(2)
            .enumerate()
            .fold(0u64, |acc, (i, level)| {
                let word = u64::from(u16::from_be_bytes([level[0], level[1]]));
                acc | word << (16 * i)
            })
    }

    /// The LUN for Linux's integer `lun` (`int_to_scsilun`).
    pub fn from_linux(lun: u64) -> Lun {
        let mut bytes = [0u8; 8];
        for (i, level) in bytes.chunks_exact_mut(2).enumerate() {
            let word = (lun >> (16 * i)) as u16;
            level.copy_from_slice(&word.to_be_bytes());
        }
        Lun(bytes)
    }
}

impl fmt::Display for Lun {
    /// 16 hex digits, as `sg_luns` prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}
