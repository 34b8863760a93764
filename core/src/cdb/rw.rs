//! READ, WRITE, VERIFY and SYNCHRONIZE CACHE: the commands that address logical blocks by
//! LBA and length, and the [`Size`] of CDB that carries them.

use super::{fit, out, put_be, Error, Opcode, ToCdb};

/// The CDB size of a READ, WRITE, VERIFY or SYNCHRONIZE CACHE command.
///
/// | command           | (6) | (10) | (12) | (16) |
/// |-------------------|-----|------|------|------|
/// | READ              | 08h | 28h  | A8h  | 88h  |
/// | WRITE             | 0Ah | 2Ah  | AAh  | 8Ah  |
/// | VERIFY            | —   | 2Fh  | AFh  | 8Fh  |
/// | SYNCHRONIZE CACHE | —   | 35h  | —    | 91h  |
///
/// Sources: SBC-4 for the (10) and (16) CDBs; SBC-3 for READ (6), WRITE (6), READ (12),
/// WRITE (12) and VERIFY (12). Asking a command for a size it does not have is an
/// [`Error::Unsupported`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Size {
    /// The 6-byte CDB (READ (6) and WRITE (6) only): a 21-bit LBA (at most 1F_FFFFh; byte 1
    /// holds LBA bits 20..16) and an 8-bit TRANSFER LENGTH of 1 to 256 blocks, where 256 is
    /// sent as 0, so 0 blocks cannot be asked for. Byte 1 has no room for DPO or FUA.
    Six,
    /// The 10-byte CDB: 32-bit LBA, 16-bit length.
    Ten,
    /// The 12-byte CDB (READ (12), WRITE (12), VERIFY (12)): 32-bit LBA, 32-bit length.
    Twelve,
    /// The 16-byte CDB: 64-bit LBA, 32-bit length.
    Sixteen,
}

impl Size {
    /// `size`, or the smallest CDB that holds `lba` and `blocks` when `None`: (10) when
    /// `lba` ≤ FFFF_FFFFh and `blocks` ≤ FFFFh, else (16); `None` never picks (6) or (12).
    ///
    /// An explicit size that cannot hold them is an [`Error::TooLarge`]: (6) an LBA past
    /// 1F_FFFFh or more than 256 blocks, (10) an LBA past FFFF_FFFFh or more than FFFFh
    /// blocks, (12) an LBA past FFFF_FFFFh. (6) with 0 blocks is an [`Error::Unsupported`]:
    /// its TRANSFER LENGTH 0 means 256.
    pub fn choose(size: Option<Size>, lba: u64, blocks: u32) -> Result<Size, Error> {
        Size::choose_for("READ or WRITE", size, lba, blocks)
    }

    /// [`Size::choose`], naming `command` in an [`Error::Unsupported`].
    fn choose_for(
        command: &'static str,
        size: Option<Size>,
        lba: u64,
        blocks: u32,
    ) -> Result<Size, Error> {
        let lba_field = "LOGICAL BLOCK ADDRESS";
        let len_field = "TRANSFER LENGTH";
        match size {
            Some(Size::Six) => {
                fit(lba_field, lba, 0x1f_ffff)?;
                fit(len_field, u64::from(blocks), 256)?;
                if blocks == 0 {
                    return Err(Error::Unsupported {
                        command,
                        size: Size::Six,
                        what: "cannot ask for 0 blocks (its TRANSFER LENGTH 0 means 256)",
                    });
                }
                Ok(Size::Six)
            }
            Some(Size::Ten) => {
                fit(lba_field, lba, u64::from(u32::MAX))?;
                fit(len_field, u64::from(blocks), u64::from(u16::MAX))?;
                Ok(Size::Ten)
            }
            Some(Size::Twelve) => {
                fit(lba_field, lba, u64::from(u32::MAX))?;
                Ok(Size::Twelve)
            }
            Some(Size::Sixteen) => Ok(Size::Sixteen),
            None if lba <= u64::from(u32::MAX) && blocks <= u32::from(u16::MAX) => Ok(Size::Ten),
            None => Ok(Size::Sixteen),
        }
    }

    /// The CDB's length in bytes: 6, 10, 12 or 16.
    #[allow(clippy::len_without_is_empty)] // never empty
    pub const fn len(self) -> usize {
        match self {
            Size::Six => 6,
            Size::Ten => 10,
            Size::Twelve => 12,
            Size::Sixteen => 16,
        }
    }

    /// The size of a `len`-byte CDB (sg_dd's `cdbsz=6|10|12|16`), if `len` is one of them.
    pub const fn from_len(len: usize) -> Option<Size> {
        match len {
            6 => Some(Size::Six),
            10 => Some(Size::Ten),
            12 => Some(Size::Twelve),
            16 => Some(Size::Sixteen),
            _ => None,
        }
    }

    /// The length a builder with `size`, `lba` and `blocks` reports as its
    /// [`ToCdb::buffer_len`]: the size asked for, or the one [`Size::choose`] picks.
    fn len_for(size: Option<Size>, lba: u64, blocks: u32) -> usize {
        match size {
            Some(size) => size.len(),
            None => Size::choose(None, lba, blocks).map_or(16, Size::len),
        }
    }
}

/// One command of the family: its name and its operation code in each size it has.
struct Family {
    name: &'static str,
    six: Option<Opcode>,
    ten: Opcode,
    twelve: Option<Opcode>,
    sixteen: Opcode,
}

impl Family {
    fn opcode(&self, size: Size) -> Option<Opcode> {
        match size {
            Size::Six => self.six,
            Size::Ten => Some(self.ten),
            Size::Twelve => self.twelve,
            Size::Sixteen => Some(self.sixteen),
        }
    }
}

const READ: Family = Family {
    name: "READ",
    six: Some(Opcode::Read6),
    ten: Opcode::Read10,
    twelve: Some(Opcode::Read12),
    sixteen: Opcode::Read16,
};

const WRITE: Family = Family {
    name: "WRITE",
    six: Some(Opcode::Write6),
    ten: Opcode::Write10,
    twelve: Some(Opcode::Write12),
    sixteen: Opcode::Write16,
};

const VERIFY: Family = Family {
    name: "VERIFY",
    six: None,
    ten: Opcode::Verify10,
    twelve: Some(Opcode::Verify12),
    sixteen: Opcode::Verify16,
};

const SYNCHRONIZE_CACHE: Family = Family {
    name: "SYNCHRONIZE CACHE",
    six: None,
    ten: Opcode::SynchronizeCache10,
    twelve: None,
    sixteen: Opcode::SynchronizeCache16,
};

/// Writes `family`'s CDB of `size` (see [`Size::choose`]) with `flags` in byte 1.
///
/// The shared layout: (6) LBA at 1..4 (byte 1 bits 4..0 are LBA bits 20..16, so no flags),
/// TRANSFER LENGTH at 4 (256 sent as 0); (10) flags at 1, LBA at 2..6, length at 7..9;
/// (12) flags at 1, LBA at 2..6, length at 6..10; (16) flags at 1, LBA at 2..10, length at
/// 10..14.
fn emit_lba_len(
    buf: &mut [u8],
    family: &Family,
    size: Option<Size>,
    flags: u8,
    lba: u64,
    blocks: u32,
) -> Result<usize, Error> {
    let unsupported = |size, what| Error::Unsupported {
        command: family.name,
        size,
        what,
    };
    if let Some(size) = size {
        if family.opcode(size).is_none() {
            return Err(unsupported(size, "is not an SBC command"));
        }
    }
    let size = Size::choose_for(family.name, size, lba, blocks)?;
    if size == Size::Six && flags != 0 {
        // Only READ and WRITE have a (6), and their only flags are DPO and FUA.
        return Err(unsupported(size, "has no DPO or FUA bit"));
    }
    let opcode = family
        .opcode(size)
        .ok_or(unsupported(size, "is not an SBC command"))?;
    let len = size.len();
    let b = out(buf, len)?;
    b[0] = opcode.into();
    match size {
        Size::Six => {
            put_be(&mut b[1..4], lba);
            // 256 (checked above to be the most) keeps its low byte: 0, as the field wants.
            put_be(&mut b[4..5], u64::from(blocks));
        }
        Size::Ten => {
            b[1] = flags;
            put_be(&mut b[2..6], lba);
            put_be(&mut b[7..9], u64::from(blocks));
        }
        Size::Twelve => {
            b[1] = flags;
            put_be(&mut b[2..6], lba);
            put_be(&mut b[6..10], u64::from(blocks));
        }
        Size::Sixteen => {
            b[1] = flags;
            put_be(&mut b[2..10], lba);
            put_be(&mut b[10..14], u64::from(blocks));
        }
    }
    Ok(len)
}

/// READ (6), (10), (12) or (16): data-in of `blocks` logical blocks from `lba`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Read {
    /// LOGICAL BLOCK ADDRESS.
    pub lba: u64,
    /// TRANSFER LENGTH in logical blocks (0 transfers nothing, except that READ (6) cannot
    /// say 0: see [`Size::Six`]).
    pub blocks: u32,
    /// DPO: disable page out (do not keep the data in the cache). Not in READ (6).
    pub dpo: bool,
    /// FUA: force unit access (read from the medium). Not in READ (6).
    pub fua: bool,
    /// The CDB size; `None` picks (10) or (16), the smaller that fits (see [`Size::choose`]).
    pub size: Option<Size>,
}

impl Read {
    fn flags(&self) -> u8 {
        (u8::from(self.dpo) << 4) | (u8::from(self.fua) << 3)
    }
}

impl ToCdb for Read {
    fn buffer_len(&self) -> usize {
        Size::len_for(self.size, self.lba, self.blocks)
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        emit_lba_len(buf, &READ, self.size, self.flags(), self.lba, self.blocks)
    }
}

/// WRITE (6), (10), (12) or (16): data-out of `blocks` logical blocks to `lba`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Write {
    /// LOGICAL BLOCK ADDRESS.
    pub lba: u64,
    /// TRANSFER LENGTH in logical blocks (0 transfers nothing, except that WRITE (6) cannot
    /// say 0: see [`Size::Six`]).
    pub blocks: u32,
    /// DPO: disable page out. Not in WRITE (6).
    pub dpo: bool,
    /// FUA: force unit access (write through to the medium). Not in WRITE (6).
    pub fua: bool,
    /// The CDB size; `None` picks (10) or (16), the smaller that fits (see [`Size::choose`]).
    pub size: Option<Size>,
}

impl ToCdb for Write {
    fn buffer_len(&self) -> usize {
        Size::len_for(self.size, self.lba, self.blocks)
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let flags = (u8::from(self.dpo) << 4) | (u8::from(self.fua) << 3);
        emit_lba_len(buf, &WRITE, self.size, flags, self.lba, self.blocks)
    }
}

/// VERIFY (10), (12) or (16): check `blocks` logical blocks from `lba`, against the medium's
/// own checks or against data-out (BYTCHK). There is no VERIFY (6) in SBC.
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
    /// VRPROTECT (3 bits, byte 1 bits 7–5): how protection information is checked.
    pub vrprotect: u8,
    /// GROUP NUMBER (6 bits: byte 6 of (10), byte 10 of (12), byte 14 of (16)).
    pub group_number: u8,
    /// The CDB size; `None` picks (10) or (16), the smaller that fits (see [`Size::choose`]);
    /// [`Size::Six`] is an [`Error::Unsupported`].
    pub size: Option<Size>,
}

impl ToCdb for Verify {
    fn buffer_len(&self) -> usize {
        Size::len_for(self.size, self.lba, self.blocks)
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        fit("BYTCHK", u64::from(self.bytchk), 0b11)?;
        fit("VRPROTECT", u64::from(self.vrprotect), 0b111)?;
        fit("GROUP NUMBER", u64::from(self.group_number), 0x3f)?;
        let flags = (self.vrprotect << 5) | (u8::from(self.dpo) << 4) | (self.bytchk << 1);
        let len = emit_lba_len(buf, &VERIFY, self.size, flags, self.lba, self.blocks)?;
        put_group(buf, len, self.group_number);
        Ok(len)
    }
}

/// Writes GROUP NUMBER into a CDB of `len` bytes that [`emit_lba_len`] wrote: byte 6 of a
/// (10), byte 10 of a (12), byte 14 of a (16) (SBC-4).
fn put_group(buf: &mut [u8], len: usize, group: u8) {
    let at = match len {
        10 => 6,
        12 => 10,
        16 => 14,
        _ => return,
    };
    if let Some(b) = buf.get_mut(at) {
        *b = group;
    }
}

/// SYNCHRONIZE CACHE (10) or (16): write cached data of `blocks` logical blocks from `lba`
/// (0 blocks: to the end of the medium) to the medium. No data. There is no (6) or (12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SynchronizeCache {
    /// LOGICAL BLOCK ADDRESS.
    pub lba: u64,
    /// NUMBER OF LOGICAL BLOCKS; 0 means through the last LBA.
    pub blocks: u32,
    /// IMMED: return before the data is on the medium.
    pub immed: bool,
    /// SYNC_NV (byte 1 bit 2; SBC-3, obsolete since sbc3r35): to non-volatile cache only.
    pub sync_nv: bool,
    /// GROUP NUMBER (6 bits: byte 6 of (10), byte 14 of (16)).
    pub group_number: u8,
    /// The CDB size; `None` picks the smaller that fits (see [`Size::choose`]);
    /// [`Size::Six`] and [`Size::Twelve`] are an [`Error::Unsupported`].
    pub size: Option<Size>,
}

impl ToCdb for SynchronizeCache {
    fn buffer_len(&self) -> usize {
        Size::len_for(self.size, self.lba, self.blocks)
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        fit("GROUP NUMBER", u64::from(self.group_number), 0x3f)?;
        let flags = (u8::from(self.sync_nv) << 2) | (u8::from(self.immed) << 1);
        let family = &SYNCHRONIZE_CACHE;
        let len = emit_lba_len(buf, family, self.size, flags, self.lba, self.blocks)?;
        put_group(buf, len, self.group_number);
        Ok(len)
    }
}
