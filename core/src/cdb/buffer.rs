//! WRITE BUFFER and READ BUFFER (SPC-5) and their MODE fields: the device's buffers, the
//! echo buffer, microcode download (READ BUFFER's descriptor mode is decoded by
//! `response::ReadBufferDescriptor`).

use super::{fit, out, put_be, Error, Opcode, ToCdb};

/// The MODE field of WRITE BUFFER (SPC-5, WRITE BUFFER mode table), with sg3_utils'
/// `sg_write_buffer --mode` acronyms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WriteBufferMode {
    /// 00h `hd`: combined header and data.
    CombinedHeaderAndData,
    /// 01h `vendor`: vendor specific.
    Vendor,
    /// 02h `data`: write data.
    Data,
    /// 04h `dmc`: download microcode and activate.
    DownloadMicrocode,
    /// 05h `dmc_save`: download microcode, save and activate.
    DownloadMicrocodeSave,
    /// 06h `dmc_offs`: download microcode with offsets and activate.
    DownloadMicrocodeOffsets,
    /// 07h `dmc_offs_save`: download microcode with offsets, save and activate.
    DownloadMicrocodeOffsetsSave,
    /// 0Ah `echo`: write data to the echo buffer.
    Echo,
    /// 0Dh `dmc_offs_ev_defer`: download microcode with offsets, select activation events,
    /// save and defer activation.
    DownloadMicrocodeOffsetsEventDefer,
    /// 0Eh `dmc_offs_defer`: download microcode with offsets, save and defer activation.
    DownloadMicrocodeOffsetsDefer,
    /// 0Fh `activate_mc`: activate deferred microcode.
    ActivateMicrocode,
    /// Any other mode number (the field is 5 bits: 00h–1Fh).
    Unknown(u8),
}

/// `(mode, number, acronym)` for every named mode.
const WRITE_BUFFER_MODES: [(WriteBufferMode, u8, &str); 11] = [
    (WriteBufferMode::CombinedHeaderAndData, 0x00, "hd"),
    (WriteBufferMode::Vendor, 0x01, "vendor"),
    (WriteBufferMode::Data, 0x02, "data"),
    (WriteBufferMode::DownloadMicrocode, 0x04, "dmc"),
    (WriteBufferMode::DownloadMicrocodeSave, 0x05, "dmc_save"),
    (WriteBufferMode::DownloadMicrocodeOffsets, 0x06, "dmc_offs"),
    (
        WriteBufferMode::DownloadMicrocodeOffsetsSave,
        0x07,
        "dmc_offs_save",
    ),
    (WriteBufferMode::Echo, 0x0a, "echo"),
    (
        WriteBufferMode::DownloadMicrocodeOffsetsEventDefer,
        0x0d,
        "dmc_offs_ev_defer",
    ),
    (
        WriteBufferMode::DownloadMicrocodeOffsetsDefer,
        0x0e,
        "dmc_offs_defer",
    ),
    (WriteBufferMode::ActivateMicrocode, 0x0f, "activate_mc"),
];

impl WriteBufferMode {
    /// The mode of sg3_utils acronym `acronym` (`"dmc_offs_save"`), if any.
    pub fn from_acronym(acronym: &str) -> Option<Self> {
        WRITE_BUFFER_MODES
            .iter()
            .find(|(_, _, a)| *a == acronym)
            .map(|&(mode, _, _)| mode)
    }

    /// The sg3_utils acronym, if the mode has one.
    pub fn acronym(self) -> Option<&'static str> {
        WRITE_BUFFER_MODES
            .iter()
            .find(|(mode, _, _)| *mode == self)
            .map(|&(_, _, a)| a)
    }

    /// Parses `--mode` as `sg_write_buffer` takes it: an acronym, a decimal number or a
    /// `0x` hex number, 0 to 31.
    pub fn parse(text: &str) -> Option<Self> {
        if let Some(mode) = Self::from_acronym(text) {
            return Some(mode);
        }
        let number = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            Some(hex) => u8::from_str_radix(hex, 16).ok()?,
            None => text.parse::<u8>().ok()?,
        };
        (number <= 0x1f).then(|| Self::from(number))
    }
}

impl From<u8> for WriteBufferMode {
    fn from(value: u8) -> Self {
        WRITE_BUFFER_MODES
            .iter()
            .find(|(_, n, _)| *n == value)
            .map_or(WriteBufferMode::Unknown(value), |&(mode, _, _)| mode)
    }
}

impl From<WriteBufferMode> for u8 {
    fn from(mode: WriteBufferMode) -> u8 {
        match mode {
            WriteBufferMode::Unknown(n) => n,
            known => WRITE_BUFFER_MODES
                .iter()
                .find(|(m, _, _)| *m == known)
                .map_or(0, |&(_, n, _)| n),
        }
    }
}

/// WRITE BUFFER (SPC-5): data-out of `length` bytes to buffer `buffer_id` at `offset`, in
/// `mode`. 10 bytes: `3b, mode | mode_specific << 5, id, be24 offset, be24 length, 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WriteBuffer {
    /// MODE (5 bits).
    pub mode: WriteBufferMode,
    /// MODE SPECIFIC (3 bits: byte 1 bits 7–5), e.g. PO_ACT/HR_ACT for deferred microcode.
    pub mode_specific: u8,
    /// BUFFER ID.
    pub buffer_id: u8,
    /// BUFFER OFFSET (24 bits).
    pub offset: u32,
    /// PARAMETER LIST LENGTH (24 bits): the bytes of data-out.
    pub length: u32,
}

impl ToCdb for WriteBuffer {
    fn buffer_len(&self) -> usize {
        10
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mode = u8::from(self.mode);
        fit("MODE", u64::from(mode), 0x1f)?;
        fit("MODE SPECIFIC", u64::from(self.mode_specific), 0x07)?;
        fit("BUFFER OFFSET", u64::from(self.offset), 0xff_ffff)?;
        fit("PARAMETER LIST LENGTH", u64::from(self.length), 0xff_ffff)?;
        let b = out(buf, 10)?;
        b[0] = Opcode::WriteBuffer.into();
        b[1] = mode | (self.mode_specific << 5);
        b[2] = self.buffer_id;
        put_be(&mut b[3..6], u64::from(self.offset));
        put_be(&mut b[6..9], u64::from(self.length));
        Ok(10)
    }
}

/// The MODE field of READ BUFFER (SPC-5, READ BUFFER mode table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadBufferMode {
    /// 00h: combined header and data.
    CombinedHeaderAndData,
    /// 01h: vendor specific.
    Vendor,
    /// 02h: data.
    Data,
    /// 03h: descriptor (4 bytes: offset boundary and buffer capacity; see
    /// `response::ReadBufferDescriptor`).
    Descriptor,
    /// 0Ah: read data from the echo buffer.
    Echo,
    /// 0Bh: echo buffer descriptor.
    EchoDescriptor,
    /// 1Ch: error history.
    ErrorHistory,
    /// Any other mode number (5 bits).
    Unknown(u8),
}

impl From<u8> for ReadBufferMode {
    fn from(value: u8) -> Self {
        match value {
            0x00 => ReadBufferMode::CombinedHeaderAndData,
            0x01 => ReadBufferMode::Vendor,
            0x02 => ReadBufferMode::Data,
            0x03 => ReadBufferMode::Descriptor,
            0x0a => ReadBufferMode::Echo,
            0x0b => ReadBufferMode::EchoDescriptor,
            0x1c => ReadBufferMode::ErrorHistory,
            other => ReadBufferMode::Unknown(other),
        }
    }
}

impl From<ReadBufferMode> for u8 {
    fn from(mode: ReadBufferMode) -> u8 {
        match mode {
            ReadBufferMode::CombinedHeaderAndData => 0x00,
            ReadBufferMode::Vendor => 0x01,
            ReadBufferMode::Data => 0x02,
            ReadBufferMode::Descriptor => 0x03,
            ReadBufferMode::Echo => 0x0a,
            ReadBufferMode::EchoDescriptor => 0x0b,
            ReadBufferMode::ErrorHistory => 0x1c,
            ReadBufferMode::Unknown(n) => n,
        }
    }
}

/// READ BUFFER (SPC-5): data-in of at most `allocation_length` bytes of buffer `buffer_id`
/// from `offset`. 10 bytes: `3c, mode, id, be24 offset, be24 allocation length, 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReadBuffer {
    /// MODE (5 bits).
    pub mode: ReadBufferMode,
    /// BUFFER ID.
    pub buffer_id: u8,
    /// BUFFER OFFSET (24 bits).
    pub offset: u32,
    /// ALLOCATION LENGTH (24 bits).
    pub allocation_length: u32,
}

impl ReadBuffer {
    /// Data mode (02h): `allocation_length` bytes of buffer `buffer_id` from `offset`.
    pub const fn data(buffer_id: u8, offset: u32, allocation_length: u32) -> Self {
        ReadBuffer {
            mode: ReadBufferMode::Data,
            buffer_id,
            offset,
            allocation_length,
        }
    }

    /// Descriptor mode (03h): the 4-byte descriptor of buffer `buffer_id`.
    pub const fn descriptor(buffer_id: u8) -> Self {
        ReadBuffer {
            mode: ReadBufferMode::Descriptor,
            buffer_id,
            offset: 0,
            allocation_length: 4,
        }
    }
}

impl ToCdb for ReadBuffer {
    fn buffer_len(&self) -> usize {
        10
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mode = u8::from(self.mode);
        fit("MODE", u64::from(mode), 0x1f)?;
        fit("BUFFER OFFSET", u64::from(self.offset), 0xff_ffff)?;
        fit(
            "ALLOCATION LENGTH",
            u64::from(self.allocation_length),
            0xff_ffff,
        )?;
        let b = out(buf, 10)?;
        b[0] = Opcode::ReadBuffer.into();
        b[1] = mode;
        b[2] = self.buffer_id;
        put_be(&mut b[3..6], u64::from(self.offset));
        put_be(&mut b[6..9], u64::from(self.allocation_length));
        Ok(10)
    }
}
