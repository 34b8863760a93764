//! Where INQUIRY data comes from, for `inquiry` and `vpd`: the device (sg_inq's and
//! sg_vpd's way of fetching a VPD page) or a file's bytes (`--inhex`).

use sgmap_core::cdb::Inquiry as InquiryCdb;
use sgmap_core::status::ExitCategory;
use sgmap_sys::Timeout;

use crate::out::{self, Fail};
use crate::shared::dev;

/// sg_inq's largest allocation length (`MX_ALLOC_LEN`).
pub const MX_ALLOC_LEN: usize = 0xc000 + 0x80;
/// sg_inq's first VPD allocation length (`DEF_ALLOC_LEN`).
pub const DEF_ALLOC_LEN: usize = 252;

/// Where the bytes come from: the device, or a file's (`--inhex`). Shared with `vpd`:
/// sg_vpd fetches pages as sg_inq does.
pub enum Source {
    Device(Box<sgmap_sys::Device>),
    File(Vec<u8>),
}

impl Source {
    /// One INQUIRY with the CDB line at `-v`: the response and its valid bytes.
    pub fn inquiry(
        dev: &mut sgmap_sys::Device,
        name: &str,
        cdb: &InquiryCdb,
        len: usize,
    ) -> Result<(sgmap_sys::Response, Vec<u8>), Fail> {
        let c = dev::cdb(cdb, name)?;
        dev::verbose_cdb("inquiry", c.as_bytes());
        dev::data_in(dev, c.as_bytes(), len, Timeout::DEFAULT)
    }

    /// VPD page `pn` as sg_inq's `vpd_fetch_page_from_dev()` gets it: `mxlen` bytes (0:
    /// 252, then all the page says it has), through the page's last byte. From a file:
    /// the file's bytes, to the page's length.
    pub fn fetch(&mut self, name: &str, pn: u8, mxlen: usize) -> Result<Vec<u8>, Fail> {
        let dev = match self {
            Source::File(data) => {
                let len = data
                    .get(2..4)
                    .map_or(4, |b| usize::from(u16::from_be_bytes([b[0], b[1]])) + 4);
                return Ok(data[..len.min(data.len())].to_vec());
            }
            Source::Device(d) => d,
        };
        let what = format!("INQUIRY VPD page 0x{pn:02x}");
        let bad = |why: String| {
            out::fail(
                ExitCategory::MalformedResponse,
                name,
                &what,
                format_args!("{why}"),
            )
        };
        if mxlen > MX_ALLOC_LEN {
            return Err(out::syntax(
                "inquiry",
                format_args!("--maxlen=LEN too long: {mxlen} > {MX_ALLOC_LEN}"),
            ));
        }
        let n = if mxlen > 0 { mxlen } else { DEF_ALLOC_LEN };
        let (resp, data) = Self::inquiry(dev, name, &InquiryCdb::vpd(pn, n as u16), n)?;
        if !dev::sg3_ok(&resp) {
            return Err(dev::scsi_fail(name, &what, &resp));
        }
        if data.len() < 4 {
            return Err(bad(format!("VPD response too short (len={})", data.len())));
        }
        if data[1] != pn {
            return Err(bad(
                "invalid VPD response; probably a STANDARD INQUIRY response".into(),
            ));
        }
        if pn == 0x80 && data[2] == 2 && data[3] == 2 {
            return Err(bad(
                "invalid Unit Serial Number VPD response; probably a STANDARD INQUIRY response"
                    .into(),
            ));
        }
        let len = usize::from(u16::from_be_bytes([data[2], data[3]])) + 4;
        if len <= data.len() {
            return Ok(data[..len].to_vec());
        }
        if mxlen > 0 {
            return Ok(data);
        }
        if len > MX_ALLOC_LEN {
            return Err(bad(format!(
                "response length too long: {len} > {MX_ALLOC_LEN}"
            )));
        }
        let (resp, data) = Self::inquiry(dev, name, &InquiryCdb::vpd(pn, len as u16), len)?;
        if !dev::sg3_ok(&resp) {
            return Err(dev::scsi_fail(name, &what, &resp));
        }
        Ok(data)
    }
}
