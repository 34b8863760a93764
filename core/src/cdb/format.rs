//! FORMAT UNIT and SANITIZE (SBC-4) and their parameter lists. The MODE SENSE (6) / MODE
//! SELECT commands that change the block descriptor before a FORMAT UNIT are in `mode.rs`.
//!
//! The parameter lists are written into a caller's buffer like the CDBs ([`FormatHeader`],
//! [`OverwriteHeader`]); a value that does not fit its field, or a combination SBC-4 forbids
//! (a protection interval exponent in the short header, an overwrite count of 0), is an
//! [`Error`], never truncated.

use super::{fit, out, put_be, Error, Opcode, Size, ToCdb};

/// FORMAT UNIT (SBC-4): 6 bytes; with FMTDATA a parameter list follows as data-out
/// ([`FormatHeader`], then the initialization pattern descriptor and defect list).
///
/// `04, FMTPINFO << 6 | LONGLIST << 5 | FMTDATA << 4 | CMPLST << 3 | DEFECT LIST FORMAT,
/// 0, 0, FFMT, 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FormatUnit {
    /// FMTPINFO (2 bits): with PROTECTION FIELD USAGE, the protection type to format with.
    pub fmtpinfo: u8,
    /// LONGLIST: the parameter list starts with the long (8-byte) header.
    pub longlist: bool,
    /// FMTDATA: a parameter list follows.
    pub fmtdata: bool,
    /// CMPLST: the defect list sent is the complete list (replaces the GLIST).
    pub cmplst: bool,
    /// DEFECT LIST FORMAT (3 bits).
    pub defect_list_format: u8,
    /// FFMT (2 bits): 00b a full format, 01b/10b fast formats.
    pub ffmt: u8,
}

impl ToCdb for FormatUnit {
    fn buffer_len(&self) -> usize {
        6
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        fit("FMTPINFO", u64::from(self.fmtpinfo), 0x03)?;
        fit(
            "DEFECT LIST FORMAT",
            u64::from(self.defect_list_format),
            0x07,
        )?;
        fit("FFMT", u64::from(self.ffmt), 0x03)?;
        let b = out(buf, 6)?;
        b[0] = Opcode::FormatUnit.into();
        b[1] = (self.fmtpinfo << 6)
            | (u8::from(self.longlist) << 5)
            | (u8::from(self.fmtdata) << 4)
            | (u8::from(self.cmplst) << 3)
            | self.defect_list_format;
        b[4] = self.ffmt;
        Ok(6)
    }
}

/// The parameter list header of FORMAT UNIT (SBC-4): short (4 bytes) or, with LONGLIST,
/// long (8 bytes).
///
/// Byte 0: PROTECTION FIELD USAGE (bits 2–0). Byte 1: FOV (7), DPRY (6), DCRT (5), STPF (4),
/// IP (3), IMMED (1). Short: DEFECT LIST LENGTH be16 in bytes 2–3. Long: byte 3 P_I_INFORMATION
/// (7–4) and PROTECTION INTERVAL EXPONENT (3–0), DEFECT LIST LENGTH be32 in bytes 4–7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FormatHeader {
    /// The long (8-byte) header; FORMAT UNIT must then have LONGLIST.
    pub long: bool,
    /// PROTECTION FIELD USAGE (3 bits).
    pub protection_field_usage: u8,
    /// FOV: the DPRY, DCRT, STPF and IP bits are meant (else the device's defaults).
    pub fov: bool,
    /// DPRY: do not use the PLIST.
    pub dpry: bool,
    /// DCRT: do not certify the medium.
    pub dcrt: bool,
    /// STPF: stop if a defect list cannot be found.
    pub stpf: bool,
    /// IP: an initialization pattern descriptor follows the header.
    pub ip: bool,
    /// IMMED: return status once the parameter list is checked, before the format ends.
    pub immed: bool,
    /// P_I_INFORMATION (4 bits, long header only).
    pub p_i_information: u8,
    /// PROTECTION INTERVAL EXPONENT (4 bits, long header only).
    pub protection_interval_exponent: u8,
    /// DEFECT LIST LENGTH (16 bits short, 32 bits long).
    pub defect_list_length: u32,
}

impl FormatHeader {
    /// The header's length: 4 or 8.
    #[allow(clippy::len_without_is_empty)] // never empty
    pub const fn len(&self) -> usize {
        if self.long {
            8
        } else {
            4
        }
    }

    /// Writes the header to the start of `buf` and returns its length; nothing is written on
    /// error (a field too large; P_I_INFORMATION or PROTECTION INTERVAL EXPONENT in the short
    /// header, which has no room for them).
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        fit(
            "PROTECTION FIELD USAGE",
            u64::from(self.protection_field_usage),
            0x07,
        )?;
        let (pi_max, dl_max) = if self.long {
            (0x0f, u64::from(u32::MAX))
        } else {
            (0, u64::from(u16::MAX))
        };
        fit("P_I_INFORMATION", u64::from(self.p_i_information), pi_max)?;
        fit(
            "PROTECTION INTERVAL EXPONENT",
            u64::from(self.protection_interval_exponent),
            pi_max,
        )?;
        fit(
            "DEFECT LIST LENGTH",
            u64::from(self.defect_list_length),
            dl_max,
        )?;
        let len = self.len();
        let b = out(buf, len)?;
        b[0] = self.protection_field_usage;
        b[1] = (u8::from(self.fov) << 7)
            | (u8::from(self.dpry) << 6)
            | (u8::from(self.dcrt) << 5)
            | (u8::from(self.stpf) << 4)
            | (u8::from(self.ip) << 3)
            | (u8::from(self.immed) << 1);
        if self.long {
            b[3] = (self.p_i_information << 4) | self.protection_interval_exponent;
            put_be(&mut b[4..8], u64::from(self.defect_list_length));
        } else {
            put_be(&mut b[2..4], u64::from(self.defect_list_length));
        }
        Ok(len)
    }
}

/// The initialization pattern descriptor of FORMAT UNIT (SBC-4), without a pattern: 4 bytes,
/// `IP MODIFIER << 6 | SI << 5, PATTERN TYPE, 0, 0` (pattern length 0: the device's default
/// pattern of that type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct InitPattern {
    /// IP MODIFIER (2 bits).
    pub modifier: u8,
    /// SI: security initialize (overwrite all areas, reserved ones too).
    pub security_initialize: bool,
    /// INITIALIZATION PATTERN TYPE: 00h the device's default, 01h repeat the pattern.
    pub pattern_type: u8,
}

impl InitPattern {
    /// The descriptor's length.
    pub const LEN: usize = 4;

    /// Writes the descriptor to the start of `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        fit("IP MODIFIER", u64::from(self.modifier), 0x03)?;
        let b = out(buf, Self::LEN)?;
        b[0] = (self.modifier << 6) | (u8::from(self.security_initialize) << 5);
        b[1] = self.pattern_type;
        Ok(Self::LEN)
    }
}

/// The service action of SANITIZE (SBC-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SanitizeAction {
    /// 01h OVERWRITE: write a pattern (parameter list: [`OverwriteHeader`] and the pattern).
    Overwrite,
    /// 02h BLOCK ERASE.
    BlockErase,
    /// 03h CRYPTOGRAPHIC ERASE.
    CryptographicErase,
    /// 1Fh EXIT FAILURE MODE: leave the failed-sanitize state.
    ExitFailureMode,
}

impl From<SanitizeAction> for u8 {
    fn from(a: SanitizeAction) -> u8 {
        match a {
            SanitizeAction::Overwrite => 0x01,
            SanitizeAction::BlockErase => 0x02,
            SanitizeAction::CryptographicErase => 0x03,
            SanitizeAction::ExitFailureMode => 0x1f,
        }
    }
}

/// SANITIZE (SBC-4): 10 bytes; data-out of `parameter_list_length` bytes (OVERWRITE only).
///
/// `48, IMMED << 7 | ZNR << 6 | AUSE << 5 | SERVICE ACTION, 0 x5, be16 PARAMETER LIST
/// LENGTH, 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sanitize {
    /// SERVICE ACTION.
    pub action: SanitizeAction,
    /// IMMED: return once the command is checked; poll REQUEST SENSE for progress.
    pub immed: bool,
    /// ZNR: zone no reset (zoned devices).
    pub znr: bool,
    /// AUSE: allow EXIT FAILURE MODE if this sanitize fails.
    pub ause: bool,
    /// PARAMETER LIST LENGTH.
    pub parameter_list_length: u16,
}

impl ToCdb for Sanitize {
    fn buffer_len(&self) -> usize {
        10
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        if self.action != SanitizeAction::Overwrite && self.parameter_list_length != 0 {
            return Err(Error::TooLarge {
                field: "PARAMETER LIST LENGTH",
                value: u64::from(self.parameter_list_length),
                max: 0,
            });
        }
        let b = out(buf, 10)?;
        b[0] = Opcode::Sanitize.into();
        b[1] = (u8::from(self.immed) << 7)
            | (u8::from(self.znr) << 6)
            | (u8::from(self.ause) << 5)
            | u8::from(self.action);
        put_be(&mut b[7..9], u64::from(self.parameter_list_length));
        Ok(10)
    }
}

/// The header of the SANITIZE OVERWRITE parameter list (SBC-4): 4 bytes, then the
/// initialization pattern of `pattern_length` bytes.
///
/// `INVERT << 7 | TEST << 5 | OVERWRITE COUNT, 0, be16 INITIALIZATION PATTERN LENGTH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OverwriteHeader {
    /// INVERT: invert the pattern between passes.
    pub invert: bool,
    /// TEST (2 bits; 00b in normal use).
    pub test: u8,
    /// OVERWRITE COUNT: passes, 1 to 31 (0 is reserved).
    pub count: u8,
    /// INITIALIZATION PATTERN LENGTH: 1 to the logical block length.
    pub pattern_length: u16,
}

impl OverwriteHeader {
    /// The header's length.
    pub const LEN: usize = 4;

    /// Checks the fields (count 1..=31, TEST 0..=3, a pattern of 1 byte or more and, when
    /// the logical block length is known, no longer than a block) and writes the header.
    pub fn emit(&self, buf: &mut [u8], block_length: Option<u32>) -> Result<usize, Error> {
        fit("TEST", u64::from(self.test), 0x03)?;
        fit("OVERWRITE COUNT", u64::from(self.count), 31)?;
        if self.count == 0 {
            return Err(Error::Unsupported {
                command: "SANITIZE",
                size: Size::Ten,
                what: "OVERWRITE COUNT 0 is reserved (1 to 31 passes)",
            });
        }
        if self.pattern_length == 0 {
            return Err(Error::Unsupported {
                command: "SANITIZE",
                size: Size::Ten,
                what: "OVERWRITE needs an initialization pattern of 1 byte or more",
            });
        }
        if let Some(max) = block_length {
            fit(
                "INITIALIZATION PATTERN LENGTH",
                u64::from(self.pattern_length),
                u64::from(max),
            )?;
        }
        let b = out(buf, Self::LEN)?;
        b[0] = (u8::from(self.invert) << 7) | (self.test << 5) | self.count;
        put_be(&mut b[2..4], u64::from(self.pattern_length));
        Ok(Self::LEN)
    }
}
