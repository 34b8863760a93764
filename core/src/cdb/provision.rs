//! Logical block provisioning (SBC-4): UNMAP with its parameter list, and WRITE SAME (10),
//! (16) and (32).

use super::{fit, out, put_be, Error, ToCdb};

/// UNMAP's operation code.
pub const UNMAP: u8 = 0x42;
/// WRITE SAME (10)'s operation code.
pub const WRITE_SAME_10: u8 = 0x41;
/// WRITE SAME (16)'s operation code.
pub const WRITE_SAME_16: u8 = 0x93;
/// The operation code of the variable-length commands (SPC-5), WRITE SAME (32) among them.
pub const VARIABLE_LENGTH: u8 = 0x7f;
/// WRITE SAME (32)'s service action.
pub const WRITE_SAME_32_SERVICE_ACTION: u16 = 0x000d;

/// GROUP NUMBER is 6 bits in SBC-4 (sg3_utils 1.46 masks it to 5).
const GROUP_NUMBER_MAX: u64 = 0x3f;

/// UNMAP (SBC-4): `42h, ANCHOR, 0, 0, 0, 0, group number, be16 parameter list length,
/// control`. 10 bytes; data-out of `parameter_list_length` bytes (see [`unmap_parameters`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Unmap {
    /// ANCHOR: anchor the blocks instead of deallocating them.
    pub anchor: bool,
    /// GROUP NUMBER (6 bits).
    pub group_number: u8,
    /// PARAMETER LIST LENGTH: the bytes of data-out.
    pub parameter_list_length: u16,
}

impl ToCdb for Unmap {
    fn buffer_len(&self) -> usize {
        10
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        fit(
            "GROUP NUMBER",
            u64::from(self.group_number),
            GROUP_NUMBER_MAX,
        )?;
        let b = out(buf, 10)?;
        b[0] = UNMAP;
        b[1] = u8::from(self.anchor);
        b[6] = self.group_number;
        put_be(&mut b[7..9], u64::from(self.parameter_list_length));
        Ok(10)
    }
}

/// The bytes of an UNMAP parameter list with `count` block descriptors: an 8-byte header
/// and 16 bytes each.
pub const fn unmap_parameters_len(count: usize) -> usize {
    8 + 16 * count
}

/// The most block descriptors a parameter list can hold (its UNMAP DATA LENGTH is 16 bits).
pub const UNMAP_MAX_DESCRIPTORS: usize = (u16::MAX as usize - 6) / 16;

/// Writes an UNMAP parameter list (SBC-4) to the start of `buf`: UNMAP DATA LENGTH (be16,
/// the bytes after it), UNMAP BLOCK DESCRIPTOR DATA LENGTH (be16), 4 reserved bytes, then
/// per `(lba, blocks)` a 16-byte descriptor: be64 LBA, be32 NUMBER OF LOGICAL BLOCKS, 4
/// reserved. Returns the list's length; on error (`buf` too short, more than
/// [`UNMAP_MAX_DESCRIPTORS`]) the bytes written so far are unspecified.
pub fn unmap_parameters(
    descriptors: impl IntoIterator<Item = (u64, u32)>,
    buf: &mut [u8],
) -> Result<usize, Error> {
    let mut at = 8;
    for (lba, blocks) in descriptors {
        let got = buf.len();
        let d = buf.get_mut(at..at + 16).ok_or(Error::BufferTooShort {
            needed: at + 16,
            got,
        })?;
        put_be(&mut d[0..8], lba);
        put_be(&mut d[8..12], u64::from(blocks));
        d[12..16].fill(0);
        at += 16;
    }
    let count = (at - 8) / 16;
    fit(
        "UNMAP block descriptors",
        count as u64,
        UNMAP_MAX_DESCRIPTORS as u64,
    )?;
    let h = out(buf, 8)?;
    put_be(&mut h[0..2], (at - 2) as u64);
    put_be(&mut h[2..4], (at - 8) as u64);
    Ok(at)
}

/// The CDB size of WRITE SAME.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum WriteSameSize {
    /// WRITE SAME (10): 32-bit LBA, 16-bit NUMBER OF LOGICAL BLOCKS, no NDOB.
    #[default]
    Ten,
    /// WRITE SAME (16): 64-bit LBA, 32-bit NUMBER OF LOGICAL BLOCKS.
    Sixteen,
    /// WRITE SAME (32): variable length (7Fh, service action 000Dh), as (16).
    ThirtyTwo,
}

impl WriteSameSize {
    /// The CDB's length.
    #[allow(clippy::len_without_is_empty)] // never empty
    pub const fn len(self) -> usize {
        match self {
            WriteSameSize::Ten => 10,
            WriteSameSize::Sixteen => 16,
            WriteSameSize::ThirtyTwo => 32,
        }
    }
}

/// WRITE SAME (SBC-4): `blocks` logical blocks from `lba` written with the one block of
/// data-out (none with NDOB), or unmapped with UNMAP.
///
/// - (10): `41h, flags, be32 LBA, group, be16 blocks, control`;
/// - (16): `93h, flags | NDOB, be64 LBA, be32 blocks, group, control`;
/// - (32): `7Fh, control, 0 ×4, group, 18h, be16 000Dh, flags | NDOB, 0, be64 LBA, be32
///   expected initial LBRT, be16 LBAT, be16 LBATM, be32 blocks` (the protection fields 0).
///
/// The flags byte is `WRPROTECT << 5 | ANCHOR << 4 | UNMAP << 3 | PBDATA << 2 | LBDATA << 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct WriteSame {
    /// The CDB size.
    pub size: WriteSameSize,
    /// WRPROTECT (3 bits).
    pub wrprotect: u8,
    /// ANCHOR.
    pub anchor: bool,
    /// UNMAP: unmap the blocks if the device can.
    pub unmap: bool,
    /// PBDATA (obsolete in SBC-4).
    pub pbdata: bool,
    /// LBDATA (obsolete in SBC-4).
    pub lbdata: bool,
    /// NDOB: no data-out buffer, the blocks read back as zeros (not in (10)).
    pub ndob: bool,
    /// LOGICAL BLOCK ADDRESS.
    pub lba: u64,
    /// NUMBER OF LOGICAL BLOCKS (0: SBC-4 lets the device take it as "to the end" or refuse).
    pub blocks: u32,
    /// GROUP NUMBER (6 bits).
    pub group_number: u8,
}

impl ToCdb for WriteSame {
    fn buffer_len(&self) -> usize {
        self.size.len()
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        fit("WRPROTECT", u64::from(self.wrprotect), 0x07)?;
        fit(
            "GROUP NUMBER",
            u64::from(self.group_number),
            GROUP_NUMBER_MAX,
        )?;
        let flags = (self.wrprotect << 5)
            | (u8::from(self.anchor) << 4)
            | (u8::from(self.unmap) << 3)
            | (u8::from(self.pbdata) << 2)
            | (u8::from(self.lbdata) << 1);
        let len = self.size.len();
        if self.size == WriteSameSize::Ten {
            fit("LOGICAL BLOCK ADDRESS", self.lba, u64::from(u32::MAX))?;
            fit(
                "NUMBER OF LOGICAL BLOCKS",
                u64::from(self.blocks),
                u64::from(u16::MAX),
            )?;
            if self.ndob {
                return Err(Error::Unsupported {
                    command: "WRITE SAME",
                    size: super::Size::Ten,
                    what: "has no NDOB bit",
                });
            }
        }
        if buf.len() < len {
            return Err(Error::BufferTooShort {
                needed: len,
                got: buf.len(),
            });
        }
        let b = out(buf, len)?;
        match self.size {
            WriteSameSize::Ten => {
                b[0] = WRITE_SAME_10;
                b[1] = flags;
                put_be(&mut b[2..6], self.lba);
                b[6] = self.group_number;
                put_be(&mut b[7..9], u64::from(self.blocks));
            }
            WriteSameSize::Sixteen => {
                b[0] = WRITE_SAME_16;
                b[1] = flags | u8::from(self.ndob);
                put_be(&mut b[2..10], self.lba);
                put_be(&mut b[10..14], u64::from(self.blocks));
                b[14] = self.group_number;
            }
            WriteSameSize::ThirtyTwo => {
                b[0] = VARIABLE_LENGTH;
                b[6] = self.group_number;
                b[7] = 0x18;
                put_be(&mut b[8..10], u64::from(WRITE_SAME_32_SERVICE_ACTION));
                b[10] = flags | u8::from(self.ndob);
                put_be(&mut b[12..20], self.lba);
                put_be(&mut b[28..32], u64::from(self.blocks));
            }
        }
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Size;
    use super::*;
    use crate::cdb::tests::{golden, refused};

    #[test]
    fn unmap_cdb_bytes() {
        golden(
            &Unmap {
                anchor: true,
                group_number: 0x3f,
                parameter_list_length: 0x0118,
            },
            &[0x42, 0x01, 0, 0, 0, 0, 0x3f, 0x01, 0x18, 0],
        );
        golden(
            &Unmap {
                parameter_list_length: 24,
                ..Unmap::default()
            },
            &[0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0],
        );
        refused(
            &Unmap {
                group_number: 0x40,
                ..Unmap::default()
            },
            Error::TooLarge {
                field: "GROUP NUMBER",
                value: 0x40,
                max: 0x3f,
            },
        );
    }

    #[test]
    fn unmap_parameter_list_bytes() {
        let mut buf = [0xa5u8; 60];
        let n =
            unmap_parameters([(0x0102_0304_0506_0708, 0x0a0b_0c0d), (0x10, 1)], &mut buf).unwrap();
        assert_eq!(n, unmap_parameters_len(2));
        let expected: [u8; 40] = [
            0, 38, 0, 32, 0, 0, 0, 0, // header
            1, 2, 3, 4, 5, 6, 7, 8, 0x0a, 0x0b, 0x0c, 0x0d, 0, 0, 0, 0, // first
            0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 1, 0, 0, 0, 0, // second
        ];
        assert_eq!(&buf[..n], &expected[..]);
        assert!(buf[n..].iter().all(|&b| b == 0xa5));
        // No descriptor: the header alone.
        assert_eq!(unmap_parameters([], &mut buf).unwrap(), 8);
        assert_eq!(&buf[..8], &[0, 6, 0, 0, 0, 0, 0, 0]);
        // Too short a buffer for the descriptors.
        assert_eq!(
            unmap_parameters([(0, 1), (1, 1)], &mut [0u8; 30]),
            Err(Error::BufferTooShort {
                needed: 40,
                got: 30
            })
        );
        // UNMAP DATA LENGTH (the list less 2 bytes) is 16 bits.
        assert!(unmap_parameters_len(UNMAP_MAX_DESCRIPTORS) - 2 <= usize::from(u16::MAX));
        assert!(unmap_parameters_len(UNMAP_MAX_DESCRIPTORS + 1) - 2 > usize::from(u16::MAX));
    }

    #[test]
    fn write_same_10_16_32_bytes() {
        let ws = WriteSame {
            lba: 0x1234_5678,
            blocks: 0x9abc,
            ..WriteSame::default()
        };
        golden(&ws, &[0x41, 0, 0x12, 0x34, 0x56, 0x78, 0, 0x9a, 0xbc, 0]);
        golden(
            &WriteSame {
                wrprotect: 7,
                anchor: true,
                unmap: true,
                pbdata: true,
                lbdata: true,
                group_number: 0x21,
                ..ws
            },
            &[0x41, 0xfe, 0x12, 0x34, 0x56, 0x78, 0x21, 0x9a, 0xbc, 0],
        );
        golden(
            &WriteSame {
                size: WriteSameSize::Sixteen,
                ndob: true,
                unmap: true,
                lba: 0x0102_0304_0506_0708,
                blocks: 0x0a0b_0c0d,
                group_number: 5,
                ..WriteSame::default()
            },
            &[
                0x93, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 0x0a, 0x0b, 0x0c, 0x0d, 5, 0,
            ],
        );
        let mut ws32 = [0u8; 32];
        ws32[0] = 0x7f;
        ws32[6] = 3;
        ws32[7] = 0x18;
        ws32[9] = 0x0d;
        ws32[10] = 0x20 | 0x10 | 0x01;
        ws32[12..20].copy_from_slice(&0x0102_0304_0506_0708u64.to_be_bytes());
        ws32[28..32].copy_from_slice(&0x0a0b_0c0du32.to_be_bytes());
        golden(
            &WriteSame {
                size: WriteSameSize::ThirtyTwo,
                wrprotect: 1,
                anchor: true,
                ndob: true,
                lba: 0x0102_0304_0506_0708,
                blocks: 0x0a0b_0c0d,
                group_number: 3,
                ..WriteSame::default()
            },
            &ws32,
        );
    }

    #[test]
    fn write_same_refuses_what_its_cdb_cannot_carry() {
        let ws = WriteSame::default();
        refused(
            &WriteSame { lba: 1 << 32, ..ws },
            Error::TooLarge {
                field: "LOGICAL BLOCK ADDRESS",
                value: 1 << 32,
                max: 0xffff_ffff,
            },
        );
        refused(
            &WriteSame {
                blocks: 0x1_0000,
                ..ws
            },
            Error::TooLarge {
                field: "NUMBER OF LOGICAL BLOCKS",
                value: 0x1_0000,
                max: 0xffff,
            },
        );
        refused(
            &WriteSame { ndob: true, ..ws },
            Error::Unsupported {
                command: "WRITE SAME",
                size: Size::Ten,
                what: "has no NDOB bit",
            },
        );
        refused(
            &WriteSame { wrprotect: 8, ..ws },
            Error::TooLarge {
                field: "WRPROTECT",
                value: 8,
                max: 7,
            },
        );
        let mut short = [0xa5u8; 15];
        assert_eq!(
            WriteSame {
                size: WriteSameSize::Sixteen,
                ..ws
            }
            .emit(&mut short),
            Err(Error::BufferTooShort {
                needed: 16,
                got: 15
            })
        );
        assert!(short.iter().all(|&b| b == 0xa5));
    }
}
