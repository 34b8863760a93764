//! The 36-byte standard INQUIRY that sg3_utils' `sg_simple_inquiry()` sends before some
//! commands (sg_opcodes, sg_unmap), and the `VENDOR  PRODUCT  REV` they print from it: the
//! fields as the device sent them, padding kept, cut at a NUL as `%.8s` cuts.

use sgmap_core::cdb::Inquiry;
use sgmap_core::response::{Inquiry as InquiryData, InquiryRepr};
use sgmap_sys::{Device, Response, Timeout};

use crate::out::Fail;
use crate::shared::dev;

/// What the INQUIRY answered.
#[derive(Debug, Clone)]
pub struct Simple {
    /// Peripheral device type (byte 0, low 5 bits).
    pub pdt: u8,
    /// T10 VENDOR IDENTIFICATION, 8 bytes as sent (zeros where the device sent less).
    pub vendor: [u8; 8],
    /// PRODUCT IDENTIFICATION, 16 bytes.
    pub product: [u8; 16],
    /// PRODUCT REVISION LEVEL, 4 bytes.
    pub revision: [u8; 4],
}

impl Simple {
    /// From standard INQUIRY data (fields past its end are zeros), through sgmap-core's
    /// decoder.
    pub fn from_bytes(b: &[u8]) -> Simple {
        let mut all = [0u8; 36];
        let n = b.len().min(36);
        all[..n].copy_from_slice(&b[..n]);
        match InquiryRepr::parse(&InquiryData::new_unchecked(&all[..])) {
            Ok(r) => Simple {
                pdt: u8::from(r.device_type),
                vendor: r.vendor,
                product: r.product,
                revision: r.revision,
            },
            // Not reached: the decoder takes any 36 bytes.
            Err(_) => Simple {
                pdt: 0,
                vendor: [0; 8],
                product: [0; 16],
                revision: [0; 4],
            },
        }
    }

    /// `VENDOR  PRODUCT  REV` as sg3_utils prints it (`"%.8s  %.16s  %.4s"`): each field up
    /// to a NUL, bytes as they are (non-ASCII as U+FFFD).
    pub fn line(&self) -> String {
        let field = |b: &[u8]| {
            let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
            String::from_utf8_lossy(&b[..end]).into_owned()
        };
        format!(
            "{}  {}  {}",
            field(&self.vendor),
            field(&self.product),
            field(&self.revision)
        )
    }
}

/// Sends a standard INQUIRY of 36 bytes: the response and what it says, `None` when the
/// command failed.
pub fn inquire(dev: &mut Device) -> Result<(Response, Option<Simple>), Fail> {
    let cdb = dev::cdb(&Inquiry::standard(36), "INQUIRY")?;
    let (resp, data) = dev::data_in(dev, cdb.as_bytes(), 36, Timeout::DEFAULT)?;
    let simple = resp.is_good().then(|| Simple::from_bytes(&data));
    Ok((resp, simple))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_keep_their_padding_and_stop_at_nul() {
        let s = Simple::from_bytes(b"\x00\x00\x05\x12\x1f\x00\x00\x02QEMU    QEMU HARDDISK   2.5+");
        assert_eq!(s.line(), "QEMU      QEMU HARDDISK     2.5+");
        assert_eq!(s.pdt, 0);
        let s = Simple::from_bytes(b"\x05\x00\x05\x12\x1f\x00\x00\x02AB\0");
        assert_eq!(s.line(), "AB    ");
        assert_eq!(s.pdt, 5);
    }
}
