//! READ, WRITE, VERIFY and SYNCHRONIZE CACHE (SBC-4): the commands that address logical
//! blocks by LBA and length, in their 10- and 16-byte CDBs, and the [`Size`] that picks one.

use super::{fit, out, put_be, Command, Error, Opcode};

/// The CDB size of a command that exists as a 10- and a 16-byte CDB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Size {
    /// The 10-byte CDB: 32-bit LBA, 16-bit length.
    Ten,
    /// The 16-byte CDB: 64-bit LBA, 32-bit length.
    Sixteen,
}

impl Size {
    /// `size`, or the smallest CDB that holds `lba` and `blocks` when `None`: (10) when
    /// `lba` ≤ FFFF_FFFFh and `blocks` ≤ FFFFh, else (16). An explicit size that cannot hold
    /// them is an [`Error::TooLarge`].
    pub fn choose(size: Option<Size>, lba: u64, blocks: u32) -> Result<Size, Error> {
        let fits_ten = lba <= u64::from(u32::MAX) && blocks <= u32::from(u16::MAX);
        match size {
            Some(Size::Sixteen) => Ok(Size::Sixteen),
            Some(Size::Ten) => {
                fit("LOGICAL BLOCK ADDRESS", lba, u64::from(u32::MAX))?;
                fit("TRANSFER LENGTH", u64::from(blocks), u64::from(u16::MAX))?;
                Ok(Size::Ten)
            }
            None if fits_ten => Ok(Size::Ten),
            None => Ok(Size::Sixteen),
        }
    }

    fn len(self) -> usize {
        match self {
            Size::Ten => 10,
            Size::Sixteen => 16,
        }
    }
}

/// The shared layout of READ, WRITE, VERIFY and SYNCHRONIZE CACHE (10) and (16): byte 1
/// flags, LBA at 2..6 or 2..10, length at 7..9 or 10..14.
fn emit_lba_len(
    buf: &mut [u8],
    size: Size,
    ops: (Opcode, Opcode),
    flags: u8,
    lba: u64,
    blocks: u32,
) -> Result<usize, Error> {
    let len = size.len();
    let b = out(buf, len)?;
    b[1] = flags;
    match size {
        Size::Ten => {
            b[0] = ops.0.into();
            put_be(&mut b[2..6], lba);
            put_be(&mut b[7..9], u64::from(blocks));
        }
        Size::Sixteen => {
            b[0] = ops.1.into();
            put_be(&mut b[2..10], lba);
            put_be(&mut b[10..14], u64::from(blocks));
        }
    }
    Ok(len)
}

/// READ (10) or (16) (SBC-4): data-in of `blocks` logical blocks from `lba`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Read {
    /// LOGICAL BLOCK ADDRESS.
    pub lba: u64,
    /// TRANSFER LENGTH in logical blocks (0 transfers nothing).
    pub blocks: u32,
    /// DPO: disable page out (do not keep the data in the cache).
    pub dpo: bool,
    /// FUA: force unit access (read from the medium).
    pub fua: bool,
    /// The CDB size; `None` picks the smallest that fits (see [`Size::choose`]).
    pub size: Option<Size>,
}

impl Read {
    fn flags(&self) -> u8 {
        (u8::from(self.dpo) << 4) | (u8::from(self.fua) << 3)
    }
}

impl Command for Read {
    fn buffer_len(&self) -> usize {
        Size::choose(self.size, self.lba, self.blocks)
            .unwrap_or(Size::Ten)
            .len()
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let size = Size::choose(self.size, self.lba, self.blocks)?;
        let ops = (Opcode::Read10, Opcode::Read16);
        emit_lba_len(buf, size, ops, self.flags(), self.lba, self.blocks)
    }
}

/// WRITE (10) or (16) (SBC-4): data-out of `blocks` logical blocks to `lba`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Write {
    /// LOGICAL BLOCK ADDRESS.
    pub lba: u64,
    /// TRANSFER LENGTH in logical blocks (0 transfers nothing).
    pub blocks: u32,
    /// DPO: disable page out.
    pub dpo: bool,
    /// FUA: force unit access (write through to the medium).
    pub fua: bool,
    /// The CDB size; `None` picks the smallest that fits (see [`Size::choose`]).
    pub size: Option<Size>,
}

impl Command for Write {
    fn buffer_len(&self) -> usize {
        Size::choose(self.size, self.lba, self.blocks)
            .unwrap_or(Size::Ten)
            .len()
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let size = Size::choose(self.size, self.lba, self.blocks)?;
        let flags = (u8::from(self.dpo) << 4) | (u8::from(self.fua) << 3);
        let ops = (Opcode::Write10, Opcode::Write16);
        emit_lba_len(buf, size, ops, flags, self.lba, self.blocks)
    }
}

/// VERIFY (10) or (16) (SBC-4): check `blocks` logical blocks from `lba`, against the medium's
/// own checks or against data-out (BYTCHK).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Verify {
    /// LOGICAL BLOCK ADDRESS.
    pub lba: u64,
    /// VERIFICATION LENGTH in logical blocks.
    pub blocks: u32,
    /// BYTCHK (2 bits): 00b no data-out, 01b compare with `blocks` blocks of data-out, 11b
    /// compare each block with one block of data-out (10b is reserved).
    pub bytchk: u8,
    /// DPO: disable page out.
    pub dpo: bool,
    /// The CDB size; `None` picks the smallest that fits (see [`Size::choose`]).
    pub size: Option<Size>,
}

impl Command for Verify {
    fn buffer_len(&self) -> usize {
        Size::choose(self.size, self.lba, self.blocks)
            .unwrap_or(Size::Ten)
            .len()
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        fit("BYTCHK", u64::from(self.bytchk), 0b11)?;
        let size = Size::choose(self.size, self.lba, self.blocks)?;
        let flags = (u8::from(self.dpo) << 4) | (self.bytchk << 1);
        let ops = (Opcode::Verify10, Opcode::Verify16);
        emit_lba_len(buf, size, ops, flags, self.lba, self.blocks)
    }
}

/// SYNCHRONIZE CACHE (10) or (16) (SBC-4): write cached data of `blocks` logical blocks
/// from `lba` (0 blocks: to the end of the medium) to the medium. No data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SynchronizeCache {
    /// LOGICAL BLOCK ADDRESS.
    pub lba: u64,
    /// NUMBER OF LOGICAL BLOCKS; 0 means through the last LBA.
    pub blocks: u32,
    /// IMMED: return before the data is on the medium.
    pub immed: bool,
    /// The CDB size; `None` picks the smallest that fits (see [`Size::choose`]).
    pub size: Option<Size>,
}

impl Command for SynchronizeCache {
    fn buffer_len(&self) -> usize {
        Size::choose(self.size, self.lba, self.blocks)
            .unwrap_or(Size::Ten)
            .len()
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let size = Size::choose(self.size, self.lba, self.blocks)?;
        let flags = u8::from(self.immed) << 1;
        let ops = (Opcode::SynchronizeCache10, Opcode::SynchronizeCache16);
        emit_lba_len(buf, size, ops, flags, self.lba, self.blocks)
    }
}
