//! READ CAPACITY (10) and (16) parameter data (SBC-4, READ CAPACITY commands).

use super::{be, need, out, Error};
use core::fmt;

mod field {
    use core::ops::Range;

    /// READ CAPACITY (10): RETURNED LOGICAL BLOCK ADDRESS (be32).
    pub const LBA10: Range<usize> = 0..4;
    /// READ CAPACITY (10): LOGICAL BLOCK LENGTH IN BYTES (be32).
    pub const BLOCK_LENGTH10: Range<usize> = 4..8;
    /// READ CAPACITY (10) parameter data length.
    pub const LEN10: usize = 8;

    /// READ CAPACITY (16): RETURNED LOGICAL BLOCK ADDRESS (be64).
    pub const LBA16: Range<usize> = 0..8;
    /// READ CAPACITY (16): LOGICAL BLOCK LENGTH IN BYTES (be32).
    pub const BLOCK_LENGTH16: Range<usize> = 8..12;
    /// RC BASIS (bits 5–4), P_TYPE (bits 3–1), PROT_EN (bit 0).
    pub const PROTECTION: usize = 12;
    /// P_I_EXPONENT (bits 7–4), LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT (bits 3–0).
    pub const EXPONENTS: usize = 13;
    /// LBPME (byte 14 bit 7), LBPRZ (bit 6), LOWEST ALIGNED LOGICAL BLOCK ADDRESS (14 bits).
    pub const ALIGNMENT: Range<usize> = 14..16;
    /// The bytes decoded; 16–31 are reserved.
    pub const LEN16: usize = 16;
    /// The whole READ CAPACITY (16) parameter data.
    pub const FULL_LEN16: usize = 32;
}

/// READ CAPACITY (10) parameter data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Capacity10 {
    /// RETURNED LOGICAL BLOCK ADDRESS: the last LBA; FFFF_FFFFh means "too large, use READ
    /// CAPACITY (16)".
    pub last_lba: u32,
    /// LOGICAL BLOCK LENGTH IN BYTES.
    pub block_length: u32,
}

impl Capacity10 {
    /// Reads the 8 bytes at the start of `bytes`.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        need(bytes, field::LEN10)?;
        Ok(Capacity10 {
            last_lba: be(bytes, field::LBA10).unwrap_or(0) as u32,
            block_length: be(bytes, field::BLOCK_LENGTH10).unwrap_or(0) as u32,
        })
    }

    /// Whether the capacity does not fit and READ CAPACITY (16) must be used.
    pub fn needs_16(&self) -> bool {
        self.last_lba == u32::MAX
    }

    /// The number of logical blocks (last LBA + 1); meaningless when [`Capacity10::needs_16`].
    pub fn blocks(&self) -> u64 {
        u64::from(self.last_lba) + 1
    }

    /// The capacity in bytes.
    pub fn bytes(&self) -> u64 {
        self.blocks() * u64::from(self.block_length)
    }

    /// 8.
    pub fn buffer_len(&self) -> usize {
        field::LEN10
    }

    /// Writes the 8 bytes to the start of `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let b = out(buf, field::LEN10)?;
        b[field::LBA10].copy_from_slice(&self.last_lba.to_be_bytes());
        b[field::BLOCK_LENGTH10].copy_from_slice(&self.block_length.to_be_bytes());
        Ok(field::LEN10)
    }
}

impl fmt::Display for Capacity10 {
    /// `sg_readcap`'s lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_capacity(f, u64::from(self.last_lba), self.block_length)
    }
}

fn fmt_capacity(f: &mut fmt::Formatter<'_>, last_lba: u64, block_length: u32) -> fmt::Result {
    let blocks = u128::from(last_lba) + 1;
    write!(
        f,
        "   Last LBA={last_lba} (0x{last_lba:x}), Number of logical blocks={blocks}\n   \
         Logical block length={block_length} bytes\n   Device size: {} bytes",
        blocks * u128::from(block_length)
    )
}

/// READ CAPACITY (16) parameter data (the first 16 bytes; 16–31 are reserved).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Capacity16 {
    /// RETURNED LOGICAL BLOCK ADDRESS: the last LBA.
    pub last_lba: u64,
    /// LOGICAL BLOCK LENGTH IN BYTES.
    pub block_length: u32,
    /// RC BASIS (2 bits): 00b the capacity of the whole medium, 01b of the addressable part.
    pub rc_basis: u8,
    /// P_TYPE (3 bits): protection type − 1, when [`Capacity16::prot_en`].
    pub p_type: u8,
    /// PROT_EN: protection information enabled.
    pub prot_en: bool,
    /// P_I_EXPONENT (4 bits): protection information intervals per logical block, as 2^n.
    pub p_i_exponent: u8,
    /// LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT (4 bits): 2^n logical blocks per physical.
    pub logical_per_physical_exponent: u8,
    /// LBPME: logical block provisioning management (thin provisioning) enabled.
    pub lbpme: bool,
    /// LBPRZ: unmapped blocks read as zeros.
    pub lbprz: bool,
    /// LOWEST ALIGNED LOGICAL BLOCK ADDRESS (14 bits).
    pub lowest_aligned_lba: u16,
}

impl Capacity16 {
    /// Reads the first 16 bytes of `bytes` (devices send 32; the rest is reserved).
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        need(bytes, field::LEN16)?;
        let b = |at: usize| bytes.get(at).copied().unwrap_or(0);
        let prot = b(field::PROTECTION);
        let exps = b(field::EXPONENTS);
        let align = be(bytes, field::ALIGNMENT).unwrap_or(0) as u16;
        Ok(Capacity16 {
            last_lba: be(bytes, field::LBA16).unwrap_or(0),
            block_length: be(bytes, field::BLOCK_LENGTH16).unwrap_or(0) as u32,
            rc_basis: (prot >> 4) & 0x03,
            p_type: (prot >> 1) & 0x07,
            prot_en: prot & 0x01 != 0,
            p_i_exponent: exps >> 4,
            logical_per_physical_exponent: exps & 0x0f,
            lbpme: align & 0x8000 != 0,
            lbprz: align & 0x4000 != 0,
            lowest_aligned_lba: align & 0x3fff,
        })
    }

    /// The protection type (1–3, or more in later standards) when enabled, `None` when not
    /// (type 0).
    pub fn protection_type(&self) -> Option<u8> {
        self.prot_en.then_some(self.p_type.saturating_add(1))
    }

    /// Logical blocks per physical block: 2^exponent (1 to 32768).
    pub fn logical_per_physical(&self) -> u32 {
        1 << (self.logical_per_physical_exponent & 0x0f)
    }

    /// The physical block length in bytes (saturating).
    pub fn physical_block_length(&self) -> u64 {
        u64::from(self.block_length).saturating_mul(u64::from(self.logical_per_physical()))
    }

    /// The number of logical blocks (last LBA + 1; saturates at `u64::MAX`).
    pub fn blocks(&self) -> u64 {
        self.last_lba.saturating_add(1)
    }

    /// The capacity in bytes (u128: 2^64 blocks of 2^32 bytes do not fit u64).
    pub fn bytes(&self) -> u128 {
        (u128::from(self.last_lba) + 1) * u128::from(self.block_length)
    }

    /// 32: the whole parameter data, reserved bytes zeroed.
    pub fn buffer_len(&self) -> usize {
        field::FULL_LEN16
    }

    /// Writes the 32 bytes to the start of `buf`; fields wider than their bits are cut.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let b = out(buf, field::FULL_LEN16)?;
        b[field::LBA16].copy_from_slice(&self.last_lba.to_be_bytes());
        b[field::BLOCK_LENGTH16].copy_from_slice(&self.block_length.to_be_bytes());
        b[field::PROTECTION] =
            ((self.rc_basis & 0x03) << 4) | ((self.p_type & 0x07) << 1) | u8::from(self.prot_en);
        b[field::EXPONENTS] =
            ((self.p_i_exponent & 0x0f) << 4) | (self.logical_per_physical_exponent & 0x0f);
        let align = (u16::from(self.lbpme) << 15)
            | (u16::from(self.lbprz) << 14)
            | (self.lowest_aligned_lba & 0x3fff);
        b[field::ALIGNMENT].copy_from_slice(&align.to_be_bytes());
        Ok(field::FULL_LEN16)
    }
}

impl fmt::Display for Capacity16 {
    /// `sg_readcap --16`'s main lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "   Protection: prot_en={}, p_type={}, p_i_exponent={}\n   \
             Logical block provisioning: lbpme={}, lbprz={}\n",
            u8::from(self.prot_en),
            self.p_type,
            self.p_i_exponent,
            u8::from(self.lbpme),
            u8::from(self.lbprz)
        )?;
        fmt_capacity(f, self.last_lba, self.block_length)?;
        write!(
            f,
            "\n   Logical blocks per physical block exponent={}\n   \
             Lowest aligned LBA={}",
            self.logical_per_physical_exponent, self.lowest_aligned_lba
        )
    }
}
