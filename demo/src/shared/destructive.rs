//! What `format` and `sanitize` share before they destroy data: sg3_utils' identification
//! lines of the device (`print_dev_id()` of sg_format.c and sg_sanitize.c, 1.46) and the
//! 15-second warning countdown.

use sgmap_core::cdb::Inquiry;
use sgmap_core::response::{Inquiry as InquiryData, InquiryFlags, InquiryRepr};
use sgmap_sys::{Device, Timeout};
use std::fmt::Write as _;

use crate::out::{self, Fail};
use crate::shared::dev;
use crate::shared::names;

/// What [`identify`] learnt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// PERIPHERAL DEVICE TYPE.
    pub pdt: u8,
    /// PROTECT: the device supports protection information.
    pub protect: bool,
    /// The lines sg3_utils prints on stdout.
    pub text: String,
}

/// `%.Ns` of C: the bytes up to the first NUL, at most `n`, as text.
fn c_str(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// The identification lines from the standard INQUIRY data (36 bytes asked for): `    VENDOR
/// PRODUCT  REV   peripheral_type: disk [0x0]` and, with PROTECT, `      << supports
/// protection information>>`. `Err(97)`-like: `None` when fewer than 36 bytes came
/// (sg3_utils: "Short INQUIRY response").
pub fn standard_lines(b: &[u8]) -> Option<(u8, bool, String)> {
    if usize::from(*b.get(4)?) + 5 < 36 {
        return None;
    }
    let r = InquiryRepr::parse(&InquiryData::new_checked(b).ok()?).ok()?;
    let pdt = u8::from(r.device_type);
    let protect = r.flags.contains(InquiryFlags::PROTECT);
    let mut text = format!(
        "    {}  {}  {}   peripheral_type: {} [0x{:x}]\n",
        c_str(&r.vendor),
        c_str(&r.product),
        c_str(&r.revision),
        names::pdt(pdt),
        pdt
    );
    if protect {
        text.push_str("      << supports protection information>>\n");
    }
    Some((pdt, protect, text))
}

/// Whether supported-pages data (VPD 00h, at most 36 bytes asked for) lists the unit serial
/// number page and the device identification page, as sg3_utils scans it (at most 32 page
/// codes; the scan stops at 83h).
pub fn has_sn_di(b: &[u8]) -> (bool, bool) {
    if b.get(1) != Some(&0) || b.len() < 4 {
        return (false, false);
    }
    let n = (usize::from(b[2]) << 8 | usize::from(b[3])).min(32);
    let (mut sn, mut di) = (false, false);
    for &page in b.iter().skip(4).take(n) {
        if page == 0x80 {
            sn = true;
        } else if page == 0x83 {
            di = true;
            break;
        }
    }
    (sn, di)
}

/// `      Unit serial number: SN` from VPD 80h data (at most 256 bytes), or `None` when the
/// page code is not 80h.
pub fn serial_line(b: &[u8]) -> Option<String> {
    if b.get(1) != Some(&0x80) || b.len() < 4 {
        return None;
    }
    let n = (usize::from(b[2]) << 8 | usize::from(b[3])).min(252);
    let end = (4 + n).min(b.len());
    Some(format!("      Unit serial number: {}\n", c_str(&b[4..end])))
}

/// Finds a designator as sg3_utils' `sg_vpd_dev_id_iter()` does: from after the one at
/// `off` (the start when `None`), one of association `assoc`, type `kind` and code set
/// `code_set`. Total over any bytes.
fn find(list: &[u8], off: Option<usize>, assoc: u8, kind: u8, code_set: u8) -> Option<usize> {
    let len = list.len();
    let mut k = off;
    loop {
        let next = match k {
            None => 0,
            Some(k) => k + usize::from(*list.get(k + 3)?) + 4,
        };
        if next + 4 > len {
            return None;
        }
        k = Some(next);
        let (b0, b1) = (list[next], list[next + 1]);
        if b0 & 0x0f == code_set && (b1 >> 4) & 0x03 == assoc && b1 & 0x0f == kind {
            return Some(next);
        }
    }
}

/// The logical unit's name from VPD 83h data (at most 256 bytes) as sg_format and
/// sg_sanitize choose it (`get_lu_name()`): an iSCSI name, else the NAA designator (8 or 16
/// bytes) in hex, else the EUI-64 one (8, 12 or 16 bytes), else the SCSI name string.
pub fn lu_name(page: &[u8]) -> String {
    if page.get(1) != Some(&0x83) || page.len() < 4 {
        return String::new();
    }
    let n = (usize::from(page[2]) << 8 | usize::from(page[3])).min(252);
    let list = &page[4..(4 + n).min(page.len())];
    let hex = |at: usize, ok: &[usize]| -> String {
        let dlen = usize::from(list.get(at + 3).copied().unwrap_or(0));
        if !ok.contains(&dlen) {
            return String::new();
        }
        list.iter()
            .skip(at + 4)
            .take(dlen)
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let mut off = None;
    let mut sns = String::new();
    if let Some(at) = find(list, None, 0, 8, 3) {
        let dlen = usize::from(list.get(at + 3).copied().unwrap_or(0));
        let end = (at + 4 + dlen).min(list.len());
        sns = c_str(&list[at + 4..end]);
        if let Some(t) = find(list, None, 1, 8, 3) {
            off = Some(t);
            // sg3_utils looks at the first designator's PIV and protocol here.
            let (b0, b1) = (list.first().copied(), list.get(1).copied());
            if b1.is_some_and(|b| b & 0x80 != 0) && b0.is_some_and(|b| b >> 4 == 5) {
                return sns;
            }
        }
    }
    if let Some(at) = find(list, off, 0, 3, 1) {
        return hex(at, &[8, 16]);
    }
    if let Some(at) = find(list, off, 0, 2, 1) {
        return hex(at, &[8, 12, 16]);
    }
    sns
}

/// Sends INQUIRY (36 bytes), then VPD 00h, 80h and 83h where the device lists them, and
/// returns the lines sg3_utils prints. A failed standard INQUIRY is the failure (its status);
/// a failed VPD page only ends the lines there, as in sg3_utils.
pub fn identify(d: &mut Device, device: &str) -> Result<Identity, Fail> {
    let inq = |d: &mut Device, page: Option<u8>, len: u16| {
        let cdb = dev::cdb(
            &Inquiry {
                vpd_page: page,
                allocation_length: len,
            },
            device,
        )?;
        dev::verbose_sent(cdb.as_bytes());
        dev::data_in(d, cdb.as_bytes(), usize::from(len), Timeout::DEFAULT)
    };
    let (resp, data) = inq(d, None, 36)?;
    if !resp.is_good() {
        return Err(dev::scsi_fail(device, "INQUIRY", &resp));
    }
    let Some((pdt, protect, mut text)) = standard_lines(&data) else {
        let n = data.get(4).map_or(0, |&b| (usize::from(b) + 5).min(36));
        return Err(out::fail(
            sgmap_core::status::ExitCategory::Other,
            device,
            "INQUIRY",
            format_args!(
                "short response: {} bytes, expect at least 36",
                n.min(data.len())
            ),
        ));
    };
    // sg_format and sg_sanitize print the PROTECT bit at -v, after the first line.
    if crate::invocation::verbose() > 0 {
        let at = text.find('\n').map_or(text.len(), |n| n + 1);
        text.insert_str(at, &format!("      PROTECT={}\n", u8::from(protect)));
    }
    let mut id = Identity {
        pdt,
        protect,
        text: String::new(),
    };
    let (resp, data) = inq(d, Some(0x00), 36)?;
    if resp.is_good() {
        let (sn, di) = has_sn_di(&data);
        let mut go = true;
        if sn {
            let (resp, data) = inq(d, Some(0x80), 256)?;
            match serial_line(&data).filter(|_| resp.is_good()) {
                Some(line) => text.push_str(&line),
                None => go = false,
            }
        }
        if di && go {
            let (resp, data) = inq(d, Some(0x83), 256)?;
            if resp.is_good() {
                let name = lu_name(&data);
                if !name.is_empty() {
                    let _ = writeln!(text, "      LU name: {name}");
                }
            }
        }
    }
    id.text = text;
    Ok(id)
}

/// The warning sg_format and sg_sanitize print before they start, with 5 seconds after
/// each part: `A FORMAT UNIT will commence in 15 seconds` (then 10, then 5), `    ALL data
/// on DEVICE will be DESTROYED`, `        Press control-C to abort`. On stdout, as they
/// print it; on stderr with `--json` (stdout holds the object only).
pub fn countdown(
    what: &str,
    device: &str,
    to_stderr: bool,
    sleep: impl Fn(u32),
) -> Result<(), Fail> {
    for left in [15, 10, 5] {
        let text = countdown_text(what, device, left);
        if to_stderr {
            out::err_str(&text);
        } else {
            out::out_str(&text)?;
        }
        sleep(5);
    }
    Ok(())
}

/// One part of the countdown.
pub fn countdown_text(what: &str, device: &str, left: u32) -> String {
    format!(
        "\nA {what} will commence in {left} seconds\n    ALL data on {device} will be \
         DESTROYED\n        Press control-C to abort\n"
    )
}

/// A CDB or parameter list as sg3_utils' verbose lines show it: hex bytes, one space apart.
pub fn hex_bytes(bytes: &[u8]) -> String {
    let mut s = String::new();
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        crate::json::push_hex_byte(&mut s, *b);
    }
    s
}

/// dStrHex's layout without offsets or ASCII (`hex2stderr(b, n, -1)`): 16 bytes a line, an
/// extra space after the eighth.
pub fn hex_lines(bytes: &[u8]) -> String {
    let mut s = String::new();
    for chunk in bytes.chunks(16) {
        for (i, b) in chunk.iter().enumerate() {
            if i == 8 {
                s.push(' ');
            }
            if i > 0 {
                s.push(' ');
            }
            crate::json::push_hex_byte(&mut s, *b);
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn std_inq(pdt: u8, protect: bool) -> Vec<u8> {
        let mut b = vec![0u8; 36];
        b[0] = pdt;
        b[4] = 31;
        b[5] = u8::from(protect);
        b[8..16].copy_from_slice(b"Linux   ");
        b[16..32].copy_from_slice(b"scsi_debug      ");
        b[32..36].copy_from_slice(b"0191");
        b
    }

    #[test]
    fn standard_line_as_print_dev_id() {
        let (pdt, protect, text) = standard_lines(&std_inq(0, false)).unwrap();
        assert_eq!((pdt, protect), (0, false));
        assert_eq!(
            text,
            "    Linux     scsi_debug        0191   peripheral_type: disk [0x0]\n"
        );
        let (_, protect, text) = standard_lines(&std_inq(0x0e, true)).unwrap();
        assert!(protect);
        assert!(text.ends_with(
            "peripheral_type: simplified direct access device [0xe]\n      << supports \
             protection information>>\n"
        ));
        // A NUL ends a field as C's %.8s does.
        let mut b = std_inq(0, false);
        b[11] = 0;
        assert!(standard_lines(&b)
            .unwrap()
            .2
            .starts_with("    Lin  scsi_debug"));
        // Short: ADDITIONAL LENGTH under 31, or fewer bytes.
        let mut b = std_inq(0, false);
        b[4] = 30;
        assert_eq!(standard_lines(&b), None);
        assert_eq!(standard_lines(&std_inq(0, false)[..35]), None);
        assert_eq!(standard_lines(&[]), None);
    }

    #[test]
    fn vpd_scans_as_print_dev_id() {
        assert_eq!(has_sn_di(&[0, 0, 0, 3, 0x00, 0x80, 0x83]), (true, true));
        assert_eq!(has_sn_di(&[0, 0, 0, 2, 0x00, 0x83, 0x80]), (false, true));
        assert_eq!(has_sn_di(&[0, 0x80, 0, 2, 0x80, 0x83]), (false, false));
        assert_eq!(has_sn_di(&[0, 0, 0, 9, 0x80]), (true, false));
        assert_eq!(
            serial_line(&[0, 0x80, 0, 4, b'1', b'2', b'3', b'4']).unwrap(),
            "      Unit serial number: 1234\n"
        );
        assert_eq!(serial_line(&[0, 0x83, 0, 0]), None);
    }

    #[test]
    fn lu_name_prefers_naa_then_eui_then_the_name_string() {
        // An NAA designator (type 3, binary, LU) of 16 bytes after a T10 vendor one.
        let mut page = vec![0, 0x83, 0, 0];
        page.extend([0x02, 0x01, 0, 4, b'A', b'B', b'C', b'D']);
        page.extend([0x01, 0x03, 0, 16]);
        page.extend(0x60u8..0x70);
        page.extend([0x03, 0x08, 0, 4, b'n', b'a', b'a', b'.']);
        page[3] = (page.len() - 4) as u8;
        assert_eq!(lu_name(&page), "606162636465666768696a6b6c6d6e6f");
        // An NAA of another length: nothing.
        let mut odd = vec![0, 0x83, 0, 8, 0x01, 0x03, 0, 4, 1, 2, 3, 4];
        assert_eq!(lu_name(&odd), "");
        // EUI-64 of 8 bytes.
        odd[5] = 0x02;
        odd[7] = 8;
        odd.extend([5, 6, 7, 8]);
        odd[3] = 12;
        assert_eq!(lu_name(&odd), "0102030405060708");
        // Only a SCSI name string of the LU.
        let sns = vec![0, 0x83, 0, 8, 0x03, 0x08, 0, 4, b'n', b'a', b'a', b'.'];
        assert_eq!(lu_name(&sns), "naa.");
        // Total over prefixes and nonsense.
        for len in 0..page.len() {
            let _ = lu_name(&page[..len]);
        }
        assert_eq!(lu_name(&[0, 0x83, 0xff, 0xff, 1, 3, 0xff]), "");
    }

    #[test]
    fn countdown_lines_as_sg_format() {
        assert_eq!(
            countdown_text("FORMAT UNIT", "/dev/sg1", 15),
            "\nA FORMAT UNIT will commence in 15 seconds\n    ALL data on /dev/sg1 will be \
             DESTROYED\n        Press control-C to abort\n"
        );
        assert_eq!(hex_bytes(&[0x04, 0x18, 0, 0]), "04 18 00 00");
    }

    #[test]
    fn parameter_list_lines_as_hex2stderr() {
        assert_eq!(hex_lines(&[0x01, 0, 0, 4, 0xaa]), "01 00 00 04 aa\n");
        let v: Vec<u8> = (0..18).collect();
        assert_eq!(
            hex_lines(&v),
            "00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f\n10 11\n"
        );
    }
}
