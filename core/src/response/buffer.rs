//! READ BUFFER descriptor mode data (SPC-5, READ BUFFER descriptor mode).

use super::{be, need, out, Error};

mod field {
    use core::ops::Range;

    /// OFFSET BOUNDARY.
    pub const OFFSET_BOUNDARY: usize = 0;
    /// BUFFER CAPACITY (be24).
    pub const CAPACITY: Range<usize> = 1..4;
    /// The descriptor's length.
    pub const LEN: usize = 4;
}

/// OFFSET BOUNDARY: the alignment BUFFER OFFSET must have in READ and WRITE BUFFER.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OffsetBoundary {
    /// Offsets must be multiples of 2^n (n = 0 for any byte, 9 for 512-byte sectors…).
    PowerOfTwo(u8),
    /// FFh: 0 is the only offset the buffer takes.
    ZeroOnly,
}

impl From<u8> for OffsetBoundary {
    fn from(value: u8) -> Self {
        match value {
            0xff => OffsetBoundary::ZeroOnly,
            n => OffsetBoundary::PowerOfTwo(n),
        }
    }
}

impl From<OffsetBoundary> for u8 {
    fn from(b: OffsetBoundary) -> u8 {
        match b {
            OffsetBoundary::ZeroOnly => 0xff,
            OffsetBoundary::PowerOfTwo(n) => n,
        }
    }
}

impl OffsetBoundary {
    /// The alignment in bytes, 2^n; `None` for [`OffsetBoundary::ZeroOnly`] and for
    /// exponents of 64 or more (no u64 offset but 0 is aligned to them).
    pub fn alignment(self) -> Option<u64> {
        match self {
            OffsetBoundary::PowerOfTwo(n) => 1u64.checked_shl(u32::from(n)),
            OffsetBoundary::ZeroOnly => None,
        }
    }

    /// Whether `offset` is a BUFFER OFFSET the buffer takes.
    pub fn allows(self, offset: u64) -> bool {
        match self.alignment() {
            Some(align) => offset.is_multiple_of(align),
            None => offset == 0,
        }
    }
}

/// READ BUFFER descriptor: the buffer's offset boundary and capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReadBufferDescriptor {
    /// OFFSET BOUNDARY.
    pub offset_boundary: OffsetBoundary,
    /// BUFFER CAPACITY in bytes (24 bits).
    pub capacity: u32,
}

impl ReadBufferDescriptor {
    /// Reads the 4 bytes at the start of `bytes`.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        need(bytes, field::LEN)?;
        Ok(ReadBufferDescriptor {
            offset_boundary: OffsetBoundary::from(
                bytes.get(field::OFFSET_BOUNDARY).copied().unwrap_or(0),
            ),
            capacity: be(bytes, field::CAPACITY).unwrap_or(0) as u32,
        })
    }

    /// 4.
    pub fn buffer_len(&self) -> usize {
        field::LEN
    }

    /// Writes the 4 bytes to the start of `buf`; the capacity is cut to 24 bits.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let b = out(buf, field::LEN)?;
        b[field::OFFSET_BOUNDARY] = self.offset_boundary.into();
        b[field::CAPACITY].copy_from_slice(&self.capacity.to_be_bytes()[1..]);
        Ok(field::LEN)
    }
}
