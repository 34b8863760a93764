//! REPORT SUPPORTED OPERATION CODES parameter data (SPC-5): all_commands (a list of command
//! descriptors) and one_command (support, CDB usage data), with command timeouts
//! descriptors; and REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS parameter data.

use super::{be, need, Error};

/// A command timeouts descriptor (SPC-5): 12 bytes, `be16 length (0Ah), reserved, command
/// specific, be32 nominal command processing timeout, be32 recommended command timeout`
/// (seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommandTimeouts {
    /// DESCRIPTOR LENGTH (0Ah when well formed).
    pub descriptor_length: u16,
    /// COMMAND SPECIFIC.
    pub command_specific: u8,
    /// NOMINAL COMMAND PROCESSING TIMEOUT in seconds (0: not given).
    pub nominal: u32,
    /// RECOMMENDED COMMAND TIMEOUT in seconds (0: not given).
    pub recommended: u32,
}

impl CommandTimeouts {
    /// The descriptor's length.
    pub const LEN: usize = 12;

    /// Decodes the 12 bytes at the start of `bytes`, or `None` if fewer are there.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let b = bytes.get(..Self::LEN)?;
        Some(CommandTimeouts {
            descriptor_length: be(b, 0..2)? as u16,
            command_specific: b[3],
            nominal: be(b, 4..8)? as u32,
            recommended: be(b, 8..12)? as u32,
        })
    }
}

/// One command descriptor of all_commands parameter data: 8 bytes, 20 with CTDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommandDescriptor {
    /// OPERATION CODE.
    pub opcode: u8,
    /// SERVICE ACTION (meaningful when `servactv`).
    pub service_action: u16,
    /// SERVACTV: the command has a service action.
    pub servactv: bool,
    /// CTDP: a command timeouts descriptor follows.
    pub ctdp: bool,
    /// CDLP (2 bits): command duration limit page.
    pub cdlp: u8,
    /// MLU (2 bits): multiple logical units affected.
    pub mlu: u8,
    /// RWCDLP: the R/W command duration limit pages.
    pub rwcdlp: bool,
    /// Byte 5 as sent (sg_opcodes prints some of its bits by position).
    pub byte5: u8,
    /// CDB LENGTH.
    pub cdb_length: u16,
    /// The command timeouts descriptor, with CTDP.
    pub timeouts: Option<CommandTimeouts>,
}

impl CommandDescriptor {
    /// The service action when SERVACTV is set.
    pub fn service_action(&self) -> Option<u16> {
        self.servactv.then_some(self.service_action)
    }
}

/// A view of all_commands parameter data: `be32 COMMAND DATA LENGTH`, then descriptors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupportedOpcodes<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> SupportedOpcodes<T> {
    /// Wraps `buffer` after checking for the 4-byte header.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        need(buffer.as_ref(), 4)?;
        Ok(SupportedOpcodes { buffer })
    }

    /// COMMAND DATA LENGTH: the bytes of descriptors the device has.
    pub fn command_data_length(&self) -> u32 {
        be(self.buffer.as_ref(), 0..4).unwrap_or(0) as u32
    }

    /// Whether the device has more descriptors than the buffer holds.
    pub fn is_truncated(&self) -> bool {
        self.command_data_length() as usize > self.buffer.as_ref().len().saturating_sub(4)
    }

    /// The descriptor bytes: after the header, up to COMMAND DATA LENGTH and the buffer's end.
    pub fn descriptor_bytes(&self) -> &[u8] {
        let b = self.buffer.as_ref().get(4..).unwrap_or(&[]);
        let len = b.len().min(self.command_data_length() as usize);
        b.get(..len).unwrap_or(&[])
    }

    /// The descriptors in the device's order; a descriptor cut short ends the walk.
    pub fn descriptors(&self) -> Descriptors<'_> {
        Descriptors {
            rest: self.descriptor_bytes(),
        }
    }
}

/// The command descriptors of all_commands parameter data.
#[derive(Debug, Clone)]
pub struct Descriptors<'a> {
    rest: &'a [u8],
}

impl Iterator for Descriptors<'_> {
    type Item = CommandDescriptor;
    fn next(&mut self) -> Option<CommandDescriptor> {
        let b = self.rest;
        let byte5 = *b.get(5)?;
        let ctdp = byte5 & 0x02 != 0;
        let len = if ctdp { 20 } else { 8 };
        if b.len() < len {
            self.rest = &[];
            return None;
        }
        let d = CommandDescriptor {
            opcode: b[0],
            service_action: be(b, 2..4)? as u16,
            servactv: byte5 & 0x01 != 0,
            ctdp,
            cdlp: (byte5 >> 2) & 0x03,
            mlu: (byte5 >> 4) & 0x03,
            rwcdlp: byte5 & 0x40 != 0,
            byte5,
            cdb_length: be(b, 6..8)? as u16,
            timeouts: if ctdp {
                CommandTimeouts::parse(b.get(8..)?)
            } else {
                None
            },
        };
        self.rest = b.get(len..).unwrap_or(&[]);
        Some(d)
    }
}

/// SUPPORT of one_command parameter data (3 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Support {
    /// 000b: data not currently available.
    NotAvailable,
    /// 001b: the command is not supported.
    NotSupported,
    /// 011b: supported as the standard says.
    Standard,
    /// 101b: supported in a vendor specific manner.
    Vendor,
    /// Any other (reserved) value.
    Reserved(u8),
}

impl Support {
    /// Whether the command is supported (standard or vendor specific).
    pub fn is_supported(self) -> bool {
        matches!(self, Support::Standard | Support::Vendor)
    }
}

impl From<u8> for Support {
    fn from(v: u8) -> Self {
        match v & 0x07 {
            0 => Support::NotAvailable,
            1 => Support::NotSupported,
            3 => Support::Standard,
            5 => Support::Vendor,
            other => Support::Reserved(other),
        }
    }
}

/// A view of one_command parameter data: `RWCDLP (byte 0 bit 0), CTDP | MLU | CDLP |
/// SUPPORT, be16 CDB SIZE, CDB USAGE DATA, [command timeouts descriptor]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OneCommand<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> OneCommand<T> {
    /// Wraps `buffer` after checking for the 4-byte header.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        need(buffer.as_ref(), 4)?;
        Ok(OneCommand { buffer })
    }

    fn byte(&self, at: usize) -> u8 {
        self.buffer.as_ref().get(at).copied().unwrap_or(0)
    }

    /// RWCDLP.
    pub fn rwcdlp(&self) -> bool {
        self.byte(0) & 0x01 != 0
    }

    /// CTDP: a command timeouts descriptor follows the usage data.
    pub fn ctdp(&self) -> bool {
        self.byte(1) & 0x80 != 0
    }

    /// MLU (2 bits).
    pub fn mlu(&self) -> u8 {
        (self.byte(1) >> 5) & 0x03
    }

    /// CDLP (2 bits).
    pub fn cdlp(&self) -> u8 {
        (self.byte(1) >> 3) & 0x03
    }

    /// SUPPORT.
    pub fn support(&self) -> Support {
        Support::from(self.byte(1))
    }

    /// CDB SIZE: the length of the usage data, as the device says it.
    pub fn cdb_size(&self) -> u16 {
        be(self.buffer.as_ref(), 2..4).unwrap_or(0) as u16
    }

    /// CDB USAGE DATA, bounded by CDB SIZE and the buffer.
    pub fn usage_data(&self) -> &[u8] {
        let b = self.buffer.as_ref().get(4..).unwrap_or(&[]);
        b.get(..b.len().min(usize::from(self.cdb_size())))
            .unwrap_or(&[])
    }

    /// The command timeouts descriptor after the usage data, with CTDP, if all there.
    pub fn timeouts(&self) -> Option<CommandTimeouts> {
        if !self.ctdp() {
            return None;
        }
        let at = 4usize + usize::from(self.cdb_size());
        CommandTimeouts::parse(self.buffer.as_ref().get(at..)?)
    }
}

/// REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS parameter data: 4 bytes of flags, and with
/// REPD 12 more (timeouts and their flags). Bits read past the buffer are 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupportedTmf<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> SupportedTmf<T> {
    /// Wraps `buffer` after checking for the 4-byte basic data.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        need(buffer.as_ref(), 4)?;
        Ok(SupportedTmf { buffer })
    }

    /// Byte `at`, 0 past the end.
    pub fn byte(&self, at: usize) -> u8 {
        self.buffer.as_ref().get(at).copied().unwrap_or(0)
    }

    /// Whether bit `bit` of byte `at` is set (0 past the end).
    pub fn bit(&self, at: usize, bit: u8) -> bool {
        self.byte(at) & (1u8 << (bit & 7)) != 0
    }

    /// ADDITIONAL DATA LENGTH (byte 3): 0Ch with the extended data.
    pub fn additional_length(&self) -> u8 {
        self.byte(3)
    }

    /// TMF LONG TIMEOUT (100 ms units), 0 without the extended data.
    pub fn long_timeout(&self) -> u32 {
        be(self.buffer.as_ref(), 8..12).unwrap_or(0) as u32
    }

    /// TMF SHORT TIMEOUT (100 ms units), 0 without the extended data.
    pub fn short_timeout(&self) -> u32 {
        be(self.buffer.as_ref(), 12..16).unwrap_or(0) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// all_commands data: READ(10) without timeouts; 9Eh/10h with a timeouts descriptor.
    const ALL: [u8; 32] = [
        0,
        0,
        0,
        28, // COMMAND DATA LENGTH
        0x28,
        0,
        0,
        0,
        0,
        0x40 | 0x20 | 0x08,
        0,
        10, // RWCDLP, MLU 2, CDLP 2
        0x9e,
        0xa5,
        0,
        0x10,
        0xa5,
        0x03,
        0,
        16, // CTDP, SERVACTV
        0,
        10,
        0,
        7,
        0,
        0,
        0,
        30,
        0,
        0,
        1,
        0, // timeouts
    ];

    #[test]
    fn all_commands_descriptors_decode() {
        let s = SupportedOpcodes::new_checked(&ALL[..]).unwrap();
        assert_eq!(s.command_data_length(), 28);
        assert!(!s.is_truncated());
        let d: heapless::Vec<CommandDescriptor, 4> = s.descriptors().collect();
        assert_eq!(d.len(), 2);
        assert_eq!(
            d[0],
            CommandDescriptor {
                opcode: 0x28,
                service_action: 0,
                servactv: false,
                ctdp: false,
                cdlp: 2,
                mlu: 2,
                rwcdlp: true,
                byte5: 0x68,
                cdb_length: 10,
                timeouts: None,
            }
        );
        assert_eq!(d[0].service_action(), None);
        assert_eq!(d[1].service_action(), Some(0x10));
        assert_eq!((d[1].cdb_length, d[1].ctdp), (16, true));
        assert_eq!(
            d[1].timeouts,
            Some(CommandTimeouts {
                descriptor_length: 10,
                command_specific: 7,
                nominal: 30,
                recommended: 256,
            })
        );
    }

    #[test]
    fn all_commands_walk_stops_at_the_length_and_the_buffer() {
        // The length says one descriptor: the second is not read.
        let mut b = ALL;
        b[3] = 8;
        let s = SupportedOpcodes::new_checked(&b[..]).unwrap();
        assert_eq!(s.descriptors().count(), 1);
        // The buffer cuts the second descriptor's timeouts: the walk ends before it.
        let s = SupportedOpcodes::new_checked(&ALL[..25]).unwrap();
        assert!(s.is_truncated());
        assert_eq!(s.descriptors().count(), 1);
        assert_eq!(
            SupportedOpcodes::new_checked(&ALL[..3]),
            Err(Error::Truncated { needed: 4, got: 3 })
        );
    }

    #[test]
    fn one_command_decodes_support_usage_and_timeouts() {
        let b = [
            0x01,
            0x80 | 0x40 | 0x10 | 0x03,
            0,
            10, // RWCDLP; CTDP, MLU 2, CDLP 2, SUPPORT 3
            0x2a,
            0xfa,
            0xff,
            0xff,
            0xff,
            0xff,
            0x3f,
            0xff,
            0xff,
            0x07, // usage
            0,
            10,
            0,
            0,
            0,
            0,
            0,
            5,
            0,
            0,
            0,
            9, // timeouts
        ];
        let one = OneCommand::new_checked(&b[..]).unwrap();
        assert!(one.rwcdlp() && one.ctdp());
        assert_eq!((one.mlu(), one.cdlp()), (2, 2));
        assert_eq!(one.support(), Support::Standard);
        assert!(one.support().is_supported());
        assert_eq!(one.cdb_size(), 10);
        assert_eq!(one.usage_data(), &b[4..14]);
        assert_eq!(
            one.timeouts().map(|t| (t.nominal, t.recommended)),
            Some((5, 9))
        );
        // Cut: usage data bounded by the buffer, no timeouts.
        let one = OneCommand::new_checked(&b[..8]).unwrap();
        assert_eq!(one.usage_data(), &b[4..8]);
        assert_eq!(one.timeouts(), None);
        assert_eq!(Support::from(1), Support::NotSupported);
        assert_eq!(Support::from(0), Support::NotAvailable);
        assert_eq!(Support::from(5), Support::Vendor);
        assert_eq!(Support::from(6), Support::Reserved(6));
    }

    #[test]
    fn task_management_functions_decode() {
        let b = [
            0x88, 0x01, 0, 0x0c, 0x01, 0, 0x80, 0x01, 0, 0, 1, 0, 0, 0, 0, 9,
        ];
        let t = SupportedTmf::new_checked(&b[..]).unwrap();
        assert!(t.bit(0, 7) && t.bit(0, 3) && t.bit(1, 0) && !t.bit(0, 6));
        assert_eq!(t.additional_length(), 12);
        assert_eq!((t.long_timeout(), t.short_timeout()), (256, 9));
        let t = SupportedTmf::new_checked(&b[..4]).unwrap();
        assert_eq!((t.long_timeout(), t.byte(6), t.bit(7, 0)), (0, 0, false));
    }
}
