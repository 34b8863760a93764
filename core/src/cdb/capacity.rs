//! READ CAPACITY (10) and (16) (SBC-4): the last LBA and the block length (decoded by
//! `response::Capacity10` and `response::Capacity16`).

use super::{out, put_be, Error, Opcode, ToCdb};

/// READ CAPACITY (10) (SBC-4): last LBA and block length, 8 bytes of data-in. 10 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReadCapacity10;

impl ToCdb for ReadCapacity10 {
    fn buffer_len(&self) -> usize {
        10
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let b = out(buf, 10)?;
        b[0] = Opcode::ReadCapacity10.into();
        Ok(10)
    }
}

/// READ CAPACITY (16) (SBC-4): SERVICE ACTION IN (16) 9Eh, service action 10h. 16 bytes;
/// data-in of at most `allocation_length` bytes (32 holds all the parameter data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReadCapacity16 {
    /// ALLOCATION LENGTH.
    pub allocation_length: u32,
}

impl Default for ReadCapacity16 {
    fn default() -> Self {
        ReadCapacity16 {
            allocation_length: 32,
        }
    }
}

impl ToCdb for ReadCapacity16 {
    fn buffer_len(&self) -> usize {
        16
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let b = out(buf, 16)?;
        b[0] = Opcode::ServiceActionIn16.into();
        b[1] = 0x10;
        put_be(&mut b[10..14], u64::from(self.allocation_length));
        Ok(16)
    }
}
