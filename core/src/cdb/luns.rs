//! REPORT LUNS (SPC-5): the logical unit inventory (decoded by `response::ReportLuns`).

use super::{out, put_be, Error, Opcode, ToCdb};

/// REPORT LUNS (SPC-5): the logical unit inventory. 12 bytes; data-in of at most
/// `allocation_length` bytes (SPC-5 wants at least 16; the device checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReportLuns {
    /// SELECT REPORT: 00h all logical units except well-known ones, 01h well-known only,
    /// 02h all, 10h–12h administrative and subsidiary selections.
    pub select_report: u8,
    /// ALLOCATION LENGTH.
    pub allocation_length: u32,
}

impl Default for ReportLuns {
    fn default() -> Self {
        ReportLuns {
            select_report: 0,
            allocation_length: 8 + 8 * 256,
        }
    }
}

impl ToCdb for ReportLuns {
    fn buffer_len(&self) -> usize {
        12
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let b = out(buf, 12)?;
        b[0] = Opcode::ReportLuns.into();
        b[2] = self.select_report;
        put_be(&mut b[6..10], u64::from(self.allocation_length));
        Ok(12)
    }
}
