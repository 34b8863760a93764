//! INQUIRY (SPC-5): standard INQUIRY data or a vital product data page (decoded by
//! `response::Inquiry` and `response::Vpd`).

use super::{out, put_be, Error, Opcode, ToCdb};

/// INQUIRY (SPC-5): standard INQUIRY data, or a vital product data page with EVPD. 6 bytes;
/// data-in of at most `allocation_length` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Inquiry {
    /// `Some(page)`: EVPD set and PAGE CODE `page`; `None`: standard INQUIRY data.
    pub vpd_page: Option<u8>,
    /// ALLOCATION LENGTH.
    pub allocation_length: u16,
}

impl Inquiry {
    /// Standard INQUIRY data (36 bytes is the SPC minimum a device returns; 96 has the
    /// version descriptors).
    pub const fn standard(allocation_length: u16) -> Self {
        Inquiry {
            vpd_page: None,
            allocation_length,
        }
    }

    /// The VPD page `page`.
    pub const fn vpd(page: u8, allocation_length: u16) -> Self {
        Inquiry {
            vpd_page: Some(page),
            allocation_length,
        }
    }
}

impl ToCdb for Inquiry {
    fn buffer_len(&self) -> usize {
        6
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let b = out(buf, 6)?;
        b[0] = Opcode::Inquiry.into();
        if let Some(page) = self.vpd_page {
            b[1] = 0x01;
            b[2] = page;
        }
        put_be(&mut b[3..5], u64::from(self.allocation_length));
        Ok(6)
    }
}
