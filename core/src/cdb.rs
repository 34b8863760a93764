//! SCSI command descriptor blocks: a validated raw [`Cdb`] and builders for the commands
//! sgmap sends.
//!
//! Every builder is a plain struct whose public fields are the command's fields; through the
//! [`ToCdb`] trait it writes its bytes into a caller's buffer ([`ToCdb::emit`]) or yields
//! a [`Cdb`] ([`ToCdb::to_cdb`]). A value that does not fit its field is an [`Error`], never
//! truncated. [`Cdb::transfer`] tells the data direction and length a CDB implies.
//!
//! This file holds [`Cdb`], [`Opcode`], [`Transfer`] and the [`ToCdb`] trait; the builders
//! live by command family, as their data's decoders do in [`crate::response`]:
//!
//! - `unit`: [`TestUnitReady`], [`RequestSense`], [`StartStopUnit`];
//! - `inquiry`: [`Inquiry`] (standard data and VPD pages); `luns`: [`ReportLuns`];
//! - `capacity`: [`ReadCapacity10`], [`ReadCapacity16`];
//! - `rw`: [`Read`], [`Write`], [`Verify`], [`SynchronizeCache`] and their CDB [`Size`];
//! - `provision`: [`Unmap`] and its parameter list, [`WriteSame`];
//! - `format`: [`FormatUnit`], [`Sanitize`] and their parameter lists;
//! - `mode`: [`ModeSense6`], [`ModeSense10`], [`ModeSelect`];
//! - `buffer`: [`WriteBuffer`], [`ReadBuffer`] and their modes;
//! - `opcodes`: [`ReportSupportedOpcodes`], [`ReportSupportedTmf`] (MAINTENANCE IN);
//! - [`names`]: sg3_utils' names of the commands.
//!
//! Sources: SPC-5 (INQUIRY, REQUEST SENSE, REPORT LUNS, MODE SENSE (6) and (10), MODE SELECT
//! (6) and (10), READ BUFFER, WRITE BUFFER, TEST UNIT READY), SBC-4 (READ, WRITE, VERIFY,
//! SYNCHRONIZE CACHE, READ CAPACITY, START STOP UNIT, UNMAP, WRITE SAME, FORMAT UNIT,
//! SANITIZE) and SBC-3 (READ (6), WRITE (6), READ (12), WRITE (12), VERIFY (12)), each
//! command's CDB table; REPORT SUPPORTED OPERATION CODES and REPORT SUPPORTED TASK
//! MANAGEMENT FUNCTIONS (SPC-5).

use core::fmt;

mod buffer;
mod capacity;
mod format;
mod inquiry;
mod luns;
mod mode;
pub mod names;
mod opcodes;
mod provision;
mod rw;
mod unit;

pub use buffer::{ReadBuffer, ReadBufferMode, WriteBuffer, WriteBufferMode};
pub use capacity::{ReadCapacity10, ReadCapacity16};
pub use format::{
    FormatHeader, FormatUnit, InitPattern, OverwriteHeader, Sanitize, SanitizeAction,
};
pub use inquiry::Inquiry;
pub use luns::ReportLuns;
pub use mode::{ModeSelect, ModeSense10, ModeSense6, PageControl};
pub use names::CommandName;
pub use opcodes::{
    ReportSupportedOpcodes, ReportSupportedTmf, ReportingOptions, MAINTENANCE_IN,
    RSOC_SERVICE_ACTION, RSTMF_SERVICE_ACTION,
};
pub use provision::{
    unmap_parameters, unmap_parameters_len, Unmap, WriteSame, WriteSameSize, UNMAP,
    UNMAP_MAX_DESCRIPTORS, VARIABLE_LENGTH, WRITE_SAME_10, WRITE_SAME_16,
    WRITE_SAME_32_SERVICE_ACTION,
};
pub use rw::{Read, Size, SynchronizeCache, Verify, Write};
pub use unit::{RequestSense, StartStopUnit, TestUnitReady};

/// The shortest CDB: a 6-byte (group 0) command.
pub const MIN_LEN: usize = 6;

/// The longest CDB the sg driver sends: 32 bytes (the variable-length commands of SPC-5).
///
/// The sg driver checks `cmd_len` twice: its header check (sg.c, on `write()` and `SG_IO`)
/// refuses fewer than 6 or more than 252 bytes ([`SG_HEADER_MAX_LEN`]) with `EMSGSIZE`, and
/// request setup later refuses more than 32 with `EINVAL`. 32 is the limit that matters, so
/// it is [`Cdb`]'s capacity.
pub const MAX_LEN: usize = 32;

/// The sg driver's header-check limit on `cmd_len` (`SG_MAX_CDB_SIZE`, 252 bytes): longer
/// CDBs fail with `EMSGSIZE`; any longer than [`MAX_LEN`] fails later with `EINVAL`.
pub const SG_HEADER_MAX_LEN: usize = 252;

/// Why a CDB could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A raw CDB of a length outside [`MIN_LEN`]..=[`MAX_LEN`].
    Length(usize),
    /// A field's value does not fit the field (or the CDB size asked for).
    TooLarge {
        /// The field, as the standard names it.
        field: &'static str,
        /// The value asked for.
        value: u64,
        /// The largest value the field holds.
        max: u64,
    },
    /// The command has no CDB of the size asked for (SYNCHRONIZE CACHE (12)), or that CDB
    /// cannot carry what was asked (READ (6) has no DPO or FUA bit, and cannot ask for 0
    /// blocks).
    Unsupported {
        /// The command, as the standard names it, without its size: `"READ"`.
        command: &'static str,
        /// The CDB size asked for.
        size: Size,
        /// What is wrong, a predicate of "READ (6)": `"has no DPO or FUA bit"`.
        what: &'static str,
    },
    /// The output buffer is shorter than the CDB.
    BufferTooShort {
        /// The CDB's length.
        needed: usize,
        /// The buffer's length.
        got: usize,
    },
}

impl core::error::Error for Error {}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::Length(len) => write!(
                f,
                "CDB of {len} bytes: the sg driver takes {MIN_LEN} to {MAX_LEN}"
            ),
            Error::TooLarge { field, value, max } => {
                write!(f, "{field} {value:#x} does not fit (max {max:#x})")
            }
            Error::Unsupported {
                command,
                size,
                what,
            } => write!(f, "{command} ({}) {what}", size.len()),
            Error::BufferTooShort { needed, got } => {
                write!(f, "CDB needs {needed} bytes, buffer has {got}")
            }
        }
    }
}

/// A command descriptor block of 6 to 32 bytes, validated when built.
///
/// Only [`Cdb::new`] and the [`ToCdb`] builders make one, so a `Cdb` is always a length
/// the sg driver accepts. Bytes past [`Cdb::len`] are zero.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cdb {
    bytes: [u8; MAX_LEN],
    len: u8,
}

impl Cdb {
    /// Copies `bytes` into a CDB; fails with [`Error::Length`] unless 6 to 32 bytes long.
    ///
    /// The group code of the operation code (its top three bits) is not checked against the
    /// length: vendor and variable-length commands need the freedom, and the device checks.
    pub fn new(bytes: &[u8]) -> Result<Cdb, Error> {
        if !(MIN_LEN..=MAX_LEN).contains(&bytes.len()) {
            return Err(Error::Length(bytes.len()));
        }
        let mut cdb = Cdb {
            bytes: [0; MAX_LEN],
            len: bytes.len() as u8,
        };
        cdb.bytes[..bytes.len()].copy_from_slice(bytes);
        Ok(cdb)
    }

    /// The CDB's bytes, [`Cdb::len`] of them.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
            .get(..usize::from(self.len))
            .unwrap_or(&self.bytes)
    }

    /// The CDB's length: 6 to 32.
    #[allow(clippy::len_without_is_empty)] // never empty
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// OPERATION CODE (byte 0).
    pub fn opcode(&self) -> Opcode {
        Opcode::from(self.bytes[0])
    }

    fn be(&self, range: core::ops::Range<usize>) -> u32 {
        self.as_bytes()
            .get(range)
            .unwrap_or(&[])
            .iter()
            .fold(0u32, |acc, &b| acc << 8 | u32::from(b))
    }

    fn byte(&self, at: usize) -> u8 {
        self.as_bytes().get(at).copied().unwrap_or(0)
    }

    /// The data transfer this CDB implies, for the commands this module builds (whichever
    /// way the CDB was made); `None` for other operation codes, for a CDB too short for its
    /// command, and for VERIFY with the reserved BYTCHK 10b.
    ///
    /// The length is [`Length::AtMost`] for allocation lengths (the device may send less),
    /// [`Length::Blocks`] for transfer lengths in logical blocks, and [`Length::Bytes`] for
    /// exact byte counts. READ (6) and WRITE (6) with TRANSFER LENGTH 0 move 256 blocks.
    pub fn transfer(&self) -> Option<Transfer> {
        use Direction::{FromDevice, ToDevice};
        let need = match self.opcode() {
            Opcode::Read16
            | Opcode::Write16
            | Opcode::Verify16
            | Opcode::SynchronizeCache16
            | Opcode::ServiceActionIn16 => 16,
            Opcode::ReportLuns | Opcode::Read12 | Opcode::Write12 | Opcode::Verify12 => 12,
            Opcode::TestUnitReady
            | Opcode::RequestSense
            | Opcode::Read6
            | Opcode::Write6
            | Opcode::Inquiry
            | Opcode::StartStopUnit
            | Opcode::FormatUnit
            | Opcode::ModeSelect6
            | Opcode::ModeSense6 => 6,
            Opcode::Unknown(_) => return None,
            _ => 10,
        };
        if self.len() < need {
            return None;
        }
        let t = |direction, length| Some(Transfer { direction, length });
        // READ (6) and WRITE (6): TRANSFER LENGTH 0 means 256 blocks (SBC-3).
        let blocks6 = match self.byte(4) {
            0 => 256,
            n => u32::from(n),
        };
        match self.opcode() {
            Opcode::TestUnitReady | Opcode::StartStopUnit => Some(Transfer::NONE),
            Opcode::SynchronizeCache10 | Opcode::SynchronizeCache16 => Some(Transfer::NONE),
            Opcode::RequestSense => t(FromDevice, Length::AtMost(u32::from(self.byte(4)))),
            Opcode::Inquiry => t(FromDevice, Length::AtMost(self.be(3..5))),
            Opcode::ModeSense10 => t(FromDevice, Length::AtMost(self.be(7..9))),
            Opcode::ModeSense6 => t(FromDevice, Length::AtMost(u32::from(self.byte(4)))),
            Opcode::ModeSelect6 => t(ToDevice, Length::Bytes(u32::from(self.byte(4)))),
            Opcode::ModeSelect10 => t(ToDevice, Length::Bytes(self.be(7..9))),
            // FORMAT UNIT's parameter list length is in the list, not the CDB.
            Opcode::FormatUnit if self.byte(1) & 0x10 == 0 => Some(Transfer::NONE),
            Opcode::FormatUnit => None,
            Opcode::Sanitize if self.be(7..9) == 0 => Some(Transfer::NONE),
            Opcode::Sanitize => t(ToDevice, Length::Bytes(self.be(7..9))),
            Opcode::ReadCapacity10 => t(FromDevice, Length::Bytes(8)),
            Opcode::ServiceActionIn16 if self.byte(1) & 0x1f == 0x10 => {
                t(FromDevice, Length::AtMost(self.be(10..14)))
            }
            Opcode::ServiceActionIn16 => None,
            Opcode::Read6 => t(FromDevice, Length::Blocks(blocks6)),
            Opcode::Read10 => t(FromDevice, Length::Blocks(self.be(7..9))),
            Opcode::Read12 => t(FromDevice, Length::Blocks(self.be(6..10))),
            Opcode::Read16 => t(FromDevice, Length::Blocks(self.be(10..14))),
            Opcode::Write6 => t(ToDevice, Length::Blocks(blocks6)),
            Opcode::Write10 => t(ToDevice, Length::Blocks(self.be(7..9))),
            Opcode::Write12 => t(ToDevice, Length::Blocks(self.be(6..10))),
            Opcode::Write16 => t(ToDevice, Length::Blocks(self.be(10..14))),
            Opcode::Verify10 | Opcode::Verify12 | Opcode::Verify16 => {
                let blocks = match self.opcode() {
                    Opcode::Verify10 => self.be(7..9),
                    Opcode::Verify12 => self.be(6..10),
                    _ => self.be(10..14),
                };
                match (self.byte(1) >> 1) & 0x03 {
                    0b00 => Some(Transfer::NONE),
                    0b01 => t(ToDevice, Length::Blocks(blocks)),
                    0b11 => t(ToDevice, Length::Blocks(1)),
                    _ => None,
                }
            }
            Opcode::WriteBuffer => t(ToDevice, Length::Bytes(self.be(6..9))),
            Opcode::ReadBuffer => t(FromDevice, Length::AtMost(self.be(6..9))),
            Opcode::ReportLuns => t(FromDevice, Length::AtMost(self.be(6..10))),
            Opcode::Unknown(_) => None,
        }
    }
}

impl AsRef<[u8]> for Cdb {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for Cdb {
    /// `Cdb[28 00 00 00 00 10 00 00 08 00]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cdb[")?;
        for (i, b) in self.as_bytes().iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{b:02x}")?;
        }
        f.write_str("]")
    }
}

/// The OPERATION CODE of the commands this module knows (SPC-5 Annex E, operation codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Opcode {
    /// 00h TEST UNIT READY.
    TestUnitReady,
    /// 03h REQUEST SENSE.
    RequestSense,
    /// 04h FORMAT UNIT.
    FormatUnit,
    /// 08h READ (6).
    Read6,
    /// 0Ah WRITE (6).
    Write6,
    /// 12h INQUIRY.
    Inquiry,
    /// 15h MODE SELECT (6).
    ModeSelect6,
    /// 1Ah MODE SENSE (6).
    ModeSense6,
    /// 1Bh START STOP UNIT.
    StartStopUnit,
    /// 25h READ CAPACITY (10).
    ReadCapacity10,
    /// 28h READ (10).
    Read10,
    /// 2Ah WRITE (10).
    Write10,
    /// 2Fh VERIFY (10).
    Verify10,
    /// 35h SYNCHRONIZE CACHE (10).
    SynchronizeCache10,
    /// 3Bh WRITE BUFFER.
    WriteBuffer,
    /// 3Ch READ BUFFER.
    ReadBuffer,
    /// 48h SANITIZE.
    Sanitize,
    /// 55h MODE SELECT (10).
    ModeSelect10,
    /// 5Ah MODE SENSE (10).
    ModeSense10,
    /// 88h READ (16).
    Read16,
    /// 8Ah WRITE (16).
    Write16,
    /// 8Fh VERIFY (16).
    Verify16,
    /// 91h SYNCHRONIZE CACHE (16).
    SynchronizeCache16,
    /// 9Eh SERVICE ACTION IN (16) (READ CAPACITY (16) is its service action 10h).
    ServiceActionIn16,
    /// A0h REPORT LUNS.
    ReportLuns,
    /// A8h READ (12).
    Read12,
    /// AAh WRITE (12).
    Write12,
    /// AFh VERIFY (12).
    Verify12,
    /// Any other operation code.
    Unknown(u8),
}

impl From<u8> for Opcode {
    fn from(value: u8) -> Self {
        match value {
            0x00 => Opcode::TestUnitReady,
            0x03 => Opcode::RequestSense,
            0x04 => Opcode::FormatUnit,
            0x08 => Opcode::Read6,
            0x0a => Opcode::Write6,
            0x12 => Opcode::Inquiry,
            0x15 => Opcode::ModeSelect6,
            0x1a => Opcode::ModeSense6,
            0x1b => Opcode::StartStopUnit,
            0x25 => Opcode::ReadCapacity10,
            0x28 => Opcode::Read10,
            0x2a => Opcode::Write10,
            0x2f => Opcode::Verify10,
            0x35 => Opcode::SynchronizeCache10,
            0x3b => Opcode::WriteBuffer,
            0x3c => Opcode::ReadBuffer,
            0x48 => Opcode::Sanitize,
            0x55 => Opcode::ModeSelect10,
            0x5a => Opcode::ModeSense10,
            0x88 => Opcode::Read16,
            0x8a => Opcode::Write16,
            0x8f => Opcode::Verify16,
            0x91 => Opcode::SynchronizeCache16,
            0x9e => Opcode::ServiceActionIn16,
            0xa0 => Opcode::ReportLuns,
            0xa8 => Opcode::Read12,
            0xaa => Opcode::Write12,
            0xaf => Opcode::Verify12,
            other => Opcode::Unknown(other),
        }
    }
}

impl From<Opcode> for u8 {
    fn from(op: Opcode) -> u8 {
        match op {
            Opcode::TestUnitReady => 0x00,
            Opcode::RequestSense => 0x03,
            Opcode::FormatUnit => 0x04,
            Opcode::Read6 => 0x08,
            Opcode::Write6 => 0x0a,
            Opcode::Inquiry => 0x12,
            Opcode::ModeSelect6 => 0x15,
            Opcode::ModeSense6 => 0x1a,
            Opcode::StartStopUnit => 0x1b,
            Opcode::ReadCapacity10 => 0x25,
            Opcode::Read10 => 0x28,
            Opcode::Write10 => 0x2a,
            Opcode::Verify10 => 0x2f,
            Opcode::SynchronizeCache10 => 0x35,
            Opcode::WriteBuffer => 0x3b,
            Opcode::ReadBuffer => 0x3c,
            Opcode::Sanitize => 0x48,
            Opcode::ModeSelect10 => 0x55,
            Opcode::ModeSense10 => 0x5a,
            Opcode::Read16 => 0x88,
            Opcode::Write16 => 0x8a,
            Opcode::Verify16 => 0x8f,
            Opcode::SynchronizeCache16 => 0x91,
            Opcode::ServiceActionIn16 => 0x9e,
            Opcode::ReportLuns => 0xa0,
            Opcode::Read12 => 0xa8,
            Opcode::Write12 => 0xaa,
            Opcode::Verify12 => 0xaf,
            Opcode::Unknown(other) => other,
        }
    }
}

/// Which way data moves (the sg driver's `dxfer_direction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// No data phase (`SG_DXFER_NONE`).
    None,
    /// Data-in, device to host (`SG_DXFER_FROM_DEV`).
    FromDevice,
    /// Data-out, host to device (`SG_DXFER_TO_DEV`).
    ToDevice,
}

/// How much data moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Length {
    /// Exactly this many bytes.
    Bytes(u32),
    /// At most this many bytes: an ALLOCATION LENGTH; the device may send fewer.
    AtMost(u32),
    /// This many logical blocks: multiply by the logical block length (READ CAPACITY).
    Blocks(u32),
}

/// The data transfer a command implies: see [`Cdb::transfer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Transfer {
    /// Which way.
    pub direction: Direction,
    /// How much.
    pub length: Length,
}

impl Transfer {
    /// No data phase.
    pub const NONE: Transfer = Transfer {
        direction: Direction::None,
        length: Length::Bytes(0),
    };
}

/// A command that builds its CDB.
pub trait ToCdb {
    /// The CDB's length in bytes, for the field values as they are now.
    fn buffer_len(&self) -> usize;

    /// Writes the CDB to the start of `buf`, every one of its [`ToCdb::buffer_len`] bytes,
    /// and returns that length. On error (a field too large, `buf` too short) nothing is
    /// written.
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error>;

    /// The CDB as a [`Cdb`].
    fn to_cdb(&self) -> Result<Cdb, Error> {
        let mut bytes = [0u8; MAX_LEN];
        let len = self.emit(&mut bytes)?;
        Cdb::new(bytes.get(..len).unwrap_or(&[]))
    }
}

/// Checks that `value` fits `max`, naming `field` if not.
fn fit(field: &'static str, value: u64, max: u64) -> Result<(), Error> {
    if value > max {
        Err(Error::TooLarge { field, value, max })
    } else {
        Ok(())
    }
}

/// The first `len` bytes of `buf`, zeroed, or [`Error::BufferTooShort`].
fn out(buf: &mut [u8], len: usize) -> Result<&mut [u8], Error> {
    let got = buf.len();
    let out = buf
        .get_mut(..len)
        .ok_or(Error::BufferTooShort { needed: len, got })?;
    out.fill(0);
    Ok(out)
}

/// Writes the low `to.len()` bytes of `value`, big-endian.
fn put_be(to: &mut [u8], value: u64) {
    let bytes = value.to_be_bytes();
    let skip = bytes.len().saturating_sub(to.len());
    to.copy_from_slice(&bytes[skip..]);
}

#[cfg(test)]
mod tests;
