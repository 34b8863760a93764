//! The mode parameter header and the first block descriptor of MODE SENSE (6) and (10)
//! parameter data (SPC-5, mode parameter list; SBC-4, block descriptors).

use super::{be, need, Error};

/// The mode parameter header of MODE SENSE (6) (4 bytes) or (10) (8 bytes), and where its
/// block descriptors are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ModeHeader {
    /// The (6) header (`true`) or the (10) one.
    pub six: bool,
    /// The parameter data's whole length by its MODE DATA LENGTH: (6) byte 0 + 1, (10)
    /// be16 at 0 + 2 (sg3_utils' `sg_msense_calc_length()`).
    pub total_len: usize,
    /// DEVICE-SPECIFIC PARAMETER (for direct access devices: WP bit 7, DPOFUA bit 4).
    pub device_specific: u8,
    /// LONGLBA (the (10) header's byte 4 bit 0): 16-byte block descriptors.
    pub long_lba: bool,
    /// BLOCK DESCRIPTOR LENGTH.
    pub block_descriptor_len: usize,
}

impl ModeHeader {
    /// Reads the header at the start of `bytes`: at least 4 bytes for (6), 8 for (10).
    pub fn parse(bytes: &[u8], six: bool) -> Result<Self, Error> {
        if six {
            need(bytes, 4)?;
            Ok(ModeHeader {
                six,
                total_len: usize::from(bytes[0]) + 1,
                device_specific: bytes[2],
                long_lba: false,
                block_descriptor_len: usize::from(bytes[3]),
            })
        } else {
            need(bytes, 8)?;
            Ok(ModeHeader {
                six,
                total_len: be(bytes, 0..2).unwrap_or(0) as usize + 2,
                device_specific: bytes[3],
                long_lba: bytes[4] & 1 != 0,
                block_descriptor_len: be(bytes, 6..8).unwrap_or(0) as usize,
            })
        }
    }

    /// The header's length, where the block descriptors start: 4 or 8.
    #[allow(clippy::len_without_is_empty)] // never empty
    pub const fn len(&self) -> usize {
        if self.six {
            4
        } else {
            8
        }
    }

    /// WP: the medium is write-protected.
    pub const fn write_protected(&self) -> bool {
        self.device_specific & 0x40 != 0
    }

    /// The first block descriptor in `bytes` (the whole parameter data), if the header says
    /// there is one and `bytes` holds it: short (8 bytes: be32 NUMBER OF LOGICAL BLOCKS,
    /// be24 LOGICAL BLOCK LENGTH at 5) or, with LONGLBA, long (16 bytes: be64 and be32 at
    /// 12).
    pub fn block_descriptor(&self, bytes: &[u8]) -> Option<BlockDescriptor> {
        if self.block_descriptor_len == 0 {
            return None;
        }
        let at = self.len();
        if self.long_lba {
            Some(BlockDescriptor {
                blocks: be(bytes, at..at + 8)?,
                block_length: be(bytes, at + 12..at + 16)? as u32,
            })
        } else {
            Some(BlockDescriptor {
                blocks: be(bytes, at..at + 4)?,
                block_length: be(bytes, at + 5..at + 8)? as u32,
            })
        }
    }
}

/// A block descriptor's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlockDescriptor {
    /// NUMBER OF LOGICAL BLOCKS (FFFF_FFFFh in a short descriptor: too many, ask with
    /// LLBAA).
    pub blocks: u64,
    /// LOGICAL BLOCK LENGTH.
    pub block_length: u32,
}
