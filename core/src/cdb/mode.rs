//! MODE SENSE (6) and (10), MODE SELECT (6) and (10) (SPC-5): mode pages and the block
//! descriptor (the parameter data is decoded by `response::ModeHeader`).

use super::{fit, out, put_be, Error, Opcode, ToCdb};

/// PC, the page control field of MODE SENSE (SPC-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PageControl {
    /// 00b: current values.
    #[default]
    Current,
    /// 01b: changeable values (a mask).
    Changeable,
    /// 10b: default values.
    Default,
    /// 11b: saved values.
    Saved,
}

/// MODE SENSE (10) (SPC-5): a mode page. 10 bytes; data-in of at most `allocation_length`
/// bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ModeSense10 {
    /// LLBAA: long LBA block descriptors accepted.
    pub llbaa: bool,
    /// DBD: disable block descriptors.
    pub dbd: bool,
    /// PC: which values.
    pub page_control: PageControl,
    /// PAGE CODE (6 bits; 3Fh all pages).
    pub page_code: u8,
    /// SUBPAGE CODE (FFh all subpages).
    pub subpage_code: u8,
    /// ALLOCATION LENGTH.
    pub allocation_length: u16,
}

impl ToCdb for ModeSense10 {
    fn buffer_len(&self) -> usize {
        10
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        fit("PAGE CODE", u64::from(self.page_code), 0x3f)?;
        let b = out(buf, 10)?;
        b[0] = Opcode::ModeSense10.into();
        b[1] = (u8::from(self.llbaa) << 4) | (u8::from(self.dbd) << 3);
        b[2] = ((self.page_control as u8) << 6) | self.page_code;
        b[3] = self.subpage_code;
        put_be(&mut b[7..9], u64::from(self.allocation_length));
        Ok(10)
    }
}

/// MODE SENSE (6) (SPC-5): 6 bytes; data-in of at most `allocation_length` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ModeSense6 {
    /// DBD: disable block descriptors.
    pub dbd: bool,
    /// PC: which values.
    pub page_control: PageControl,
    /// PAGE CODE (6 bits).
    pub page_code: u8,
    /// SUBPAGE CODE.
    pub subpage_code: u8,
    /// ALLOCATION LENGTH.
    pub allocation_length: u8,
}

impl ToCdb for ModeSense6 {
    fn buffer_len(&self) -> usize {
        6
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        fit("PAGE CODE", u64::from(self.page_code), 0x3f)?;
        let b = out(buf, 6)?;
        b[0] = Opcode::ModeSense6.into();
        b[1] = u8::from(self.dbd) << 3;
        b[2] = ((self.page_control as u8) << 6) | self.page_code;
        b[3] = self.subpage_code;
        b[4] = self.allocation_length;
        Ok(6)
    }
}

/// MODE SELECT (6) or (10) (SPC-5): data-out of `parameter_list_length` bytes (the mode
/// parameter header, block descriptors and pages, as MODE SENSE returned them with the
/// header's MODE DATA LENGTH zeroed).
///
/// (6): `15, PF << 4 | SP, 0, 0, PARAMETER LIST LENGTH, 0`; (10): `55, PF << 4 | SP, 0 x5,
/// be16 PARAMETER LIST LENGTH, 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ModeSelect {
    /// `true` for MODE SELECT (6), `false` for (10).
    pub six: bool,
    /// PF: the pages follow SPC's page format.
    pub page_format: bool,
    /// SP: save the pages.
    pub save_pages: bool,
    /// PARAMETER LIST LENGTH (8 bits in (6), 16 in (10)).
    pub parameter_list_length: u16,
}

impl ToCdb for ModeSelect {
    fn buffer_len(&self) -> usize {
        if self.six {
            6
        } else {
            10
        }
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let len = self.buffer_len();
        let max = if self.six { 0xff } else { 0xffff };
        fit(
            "PARAMETER LIST LENGTH",
            u64::from(self.parameter_list_length),
            max,
        )?;
        let b = out(buf, len)?;
        b[1] = (u8::from(self.page_format) << 4) | u8::from(self.save_pages);
        if self.six {
            b[0] = Opcode::ModeSelect6.into();
            b[4] = self.parameter_list_length as u8;
        } else {
            b[0] = Opcode::ModeSelect10.into();
            put_be(&mut b[7..9], u64::from(self.parameter_list_length));
        }
        Ok(len)
    }
}
