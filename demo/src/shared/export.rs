//! `sgmap inquiry --export`: the `KEY=VALUE` lines of `sg_inq --export` (sg3_utils 1.46
//! src/sg_inq.c: `std_inq_decode()` with `do_export`, `vpd_decode()` for pages 80h and 83h,
//! `export_dev_ids()`), which Debian's udev rules (55-scsi-sg3_id.rules) read to name
//! `/dev/disk/by-id` links. Byte for byte, the `_ENC` escapes and udev's character set
//! included.

use std::io::Write as _;

use crate::shared::names;

/// `isblank()` in the C locale: space and tab.
fn blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// `isprint()` in the C locale.
fn print(c: u8) -> bool {
    (0x20..0x7f).contains(&c)
}

/// sg_inq's `encode_whitespaces()`: leading blanks dropped, then leading control bytes
/// (a Unicode prefix); trailing blanks and NULs dropped; each run of blanks one `_`
/// (none at the start, none after a `_`); other unprintable bytes `.`; a single NUL
/// skipped, two in a row end the string. Empty unless a printable byte or a `_` came out.
fn encode_whitespaces(s: &[u8]) -> Vec<u8> {
    let mut j = s.iter().take_while(|&&c| blank(c)).count();
    if j < s.len() {
        j += s[j..].iter().take_while(|&&c| c < 0x20).count();
    }
    let mut end = s.len();
    while end > j && (blank(s[end - 1]) || s[end - 1] == 0) {
        end -= 1;
    }
    let (mut out, mut valid, mut zeroes) = (Vec::new(), false, false);
    for &c in s.get(j..end).unwrap_or(&[]) {
        if blank(c) {
            if out.last().is_some_and(|&l| l != b'_') {
                out.push(b'_');
                valid = true;
            }
            zeroes = false;
        } else if !print(c) {
            if c == 0 {
                if zeroes {
                    break;
                }
                zeroes = true;
                continue;
            }
            out.push(b'.');
            zeroes = false;
        } else {
            out.push(c);
            valid = true;
            zeroes = false;
        }
    }
    if !valid {
        out.clear();
    }
    out
}

/// sg_inq's `encode_string()`: blanks and unprintable bytes as `\xNN`.
fn encode_string(out: &mut Vec<u8>, s: &[u8]) {
    for &c in s {
        if blank(c) || !print(c) {
            let _ = write!(out, "\\x{c:02x}");
        } else {
            out.push(c);
        }
    }
}

/// udev's safe characters as sg_inq writes them: alphanumerics and `#+-.:=@_` as they
/// are, others `\xNN`.
fn udev(out: &mut Vec<u8>, s: &[u8]) {
    for &c in s {
        if c.is_ascii_alphanumeric() || b"#+-.:=@_".contains(&c) {
            out.push(c);
        } else {
            let _ = write!(out, "\\x{c:02x}");
        }
    }
}

/// The lines for standard INQUIRY data (`data`: what came back, sg_inq's `act_len` bytes).
pub fn standard(out: &mut Vec<u8>, data: &[u8]) {
    let act_len = data.len();
    let mut rp = data.to_vec();
    rp.resize(rp.len().max(36), 0);
    let _ = writeln!(out, "SCSI_TPGS={}", (rp[5] & 0x30) >> 4);
    let _ = writeln!(out, "SCSI_TYPE={}", names::pdt(rp[0] & 0x1f));
    if act_len <= 8 {
        return;
    }
    // (key, its _ENC twin, offset, length); the byte before each is how much sg_inq needs.
    for (key, enc, at, len) in [
        ("SCSI_VENDOR", Some("SCSI_VENDOR_ENC"), 8, 8),
        ("SCSI_MODEL", Some("SCSI_MODEL_ENC"), 16, 16),
        ("SCSI_REVISION", None, 32, 4),
    ] {
        if act_len <= at {
            break;
        }
        let raw = &rp[at..at + len];
        let mut text = raw.to_vec();
        if at == 8 {
            // sg_inq turns the vendor's tabs into spaces (not the model's).
            text.iter_mut()
                .filter(|c| **c == b'\t')
                .for_each(|c| *c = b' ');
        }
        let v = encode_whitespaces(&text);
        if v.is_empty() {
            continue;
        }
        let _ = write!(out, "{key}=");
        out.extend_from_slice(&v);
        out.push(b'\n');
        if let Some(enc) = enc {
            let _ = write!(out, "{enc}=");
            encode_string(out, raw);
            out.push(b'\n');
        }
    }
}

/// The line for page 80h (`rp`: the page through its last byte).
pub fn serial(out: &mut Vec<u8>, rp: &[u8]) {
    let sn = rp.get(4..rp.len().min(4 + 251)).unwrap_or(&[]);
    let v = encode_whitespaces(sn);
    if v.is_empty() {
        return;
    }
    out.extend_from_slice(b"SCSI_IDENT_SERIAL=");
    udev(out, &v);
    out.push(b'\n');
}

/// The lines for page 83h (`rp`: the page through its last byte): one per designator sg_inq
/// exports, `SCSI_IDENT_<LUN|PORT|TARGET>_<TYPE>=<value>`.
pub fn device_identification(out: &mut Vec<u8>, rp: &[u8]) {
    let buff = rp.get(4..).unwrap_or(&[]);
    let len = buff.len();
    let at = |i: usize| buff.get(i).copied().unwrap_or(0);
    // A descriptor list whose first reserved byte is not zero: sg_inq takes the first 16
    // bytes as one NAA designator of the logical unit, then walks on from byte 16.
    let mut off: Option<usize> = None;
    if at(2) != 0 {
        one(out, 0, 1, 3, 0xf, buff);
        off = Some(16);
    }
    loop {
        // sg_vpd_dev_id_iter(): the next descriptor whose header fits.
        let k = match off {
            None => 0,
            Some(k) => k + usize::from(at(k + 3)) + 4,
        };
        if k + 4 > len {
            return;
        }
        off = Some(k);
        let i_len = usize::from(at(k + 3));
        let Some(ip) = buff.get(k + 4..k + 4 + i_len) else {
            return;
        };
        let (b0, b1) = (at(k), at(k + 1));
        one(out, (b1 >> 4) & 3, b0 & 0xf, b1 & 0xf, b0 >> 4, ip);
    }
}

/// One designator's line (`export_dev_ids()`'s switch).
fn one(out: &mut Vec<u8>, assoc: u8, c_set: u8, desig_type: u8, p_id: u8, ip: &[u8]) {
    let assoc_str = match assoc {
        0 => "LUN",
        1 => "PORT",
        2 => "TARGET",
        _ => return,
    };
    let i_len = ip.len();
    let at = |i: usize| ip.get(i).copied().unwrap_or(0);
    let hexs = |out: &mut Vec<u8>, b: &[u8]| {
        for x in b {
            let _ = write!(out, "{x:02x}");
        }
        out.push(b'\n');
    };
    match desig_type {
        0 => {
            if i_len == 0 || i_len > 128 {
                return;
            }
            if c_set == 2 || c_set == 3 {
                let v = encode_whitespaces(ip);
                if !v.is_empty() {
                    let _ = write!(out, "SCSI_IDENT_{assoc_str}_VENDOR=");
                    udev(out, &v);
                    out.push(b'\n');
                }
            } else {
                let _ = write!(out, "SCSI_IDENT_{assoc_str}_VENDOR=");
                hexs(out, ip);
            }
        }
        1 => {
            let _ = write!(out, "SCSI_IDENT_{assoc_str}_T10=");
            if c_set == 2 || c_set == 3 {
                let v = encode_whitespaces(ip);
                udev(out, &v);
                out.push(b'\n');
                // sg_inq compares the encoded bytes (NUL-terminated in place).
                if v.starts_with(b"ATA_") {
                    let _ = write!(out, "SCSI_IDENT_{assoc_str}_ATA=");
                    out.extend_from_slice(v.get(4..).unwrap_or(&[]));
                    out.push(b'\n');
                }
            } else {
                hexs(out, ip);
            }
        }
        2 if c_set == 1 => {
            let _ = write!(out, "SCSI_IDENT_{assoc_str}_EUI64=");
            hexs(out, ip);
        }
        3 if c_set == 1 => {
            let suffix = match at(0) >> 4 {
                6 => "REGEXT",
                5 => "REG",
                2 => "EXT",
                _ => "LOCAL",
            };
            let _ = write!(out, "SCSI_IDENT_{assoc_str}_NAA_{suffix}=");
            hexs(out, ip);
        }
        4 if c_set == 1 && assoc == 1 && i_len == 4 => {
            let _ = writeln!(
                out,
                "SCSI_IDENT_{assoc_str}_RELATIVE={}",
                u16::from_be_bytes([at(2), at(3)])
            );
        }
        5 if c_set == 1 && assoc == 1 && i_len == 4 => {
            let _ = writeln!(
                out,
                "SCSI_IDENT_{assoc_str}_TARGET_PORT_GROUP=0x{:x}",
                u16::from_be_bytes([at(2), at(3)])
            );
        }
        6 if c_set == 1 && assoc == 0 && i_len == 4 => {
            let _ = writeln!(
                out,
                "SCSI_IDENT_{assoc_str}_LOGICAL_UNIT_GROUP=0x{:x}",
                u16::from_be_bytes([at(2), at(3)])
            );
        }
        7 if c_set == 1 && assoc == 0 => {
            // hex2stdout(.., -1): no offsets, sixteen bytes a line.
            let _ = write!(out, "SCSI_IDENT_{assoc_str}_MD5=");
            for chunk in ip.chunks(16) {
                let mut line = String::new();
                for (i, b) in chunk.iter().enumerate() {
                    if i == 8 {
                        line.push(' ');
                    }
                    let _ = std::fmt::Write::write_fmt(&mut line, format_args!("{b:02x} "));
                }
                out.extend_from_slice(line.trim_end().as_bytes());
                out.push(b'\n');
            }
        }
        8 if c_set == 3 => {
            // sg_inq's prefix test is always true (a chain of strncmp()s), so every name
            // string is exported.
            let _ = write!(out, "SCSI_IDENT_{assoc_str}_NAME=");
            let end = ip.iter().position(|&c| c == 0).unwrap_or(i_len);
            out.extend_from_slice(&ip[..end]);
            out.push(b'\n');
        }
        9 => match p_id {
            9 if i_len == 4 && assoc == 1 => {
                let _ = writeln!(
                    out,
                    "SCSI_IDENT_{assoc_str}_UAS_DEVICE_ADDRESS=0x{:x}",
                    at(0) & 0x7f
                );
                let _ = writeln!(
                    out,
                    "SCSI_IDENT_{assoc_str}_UAS_INTERFACE_NUMBER=0x{:x}",
                    at(2)
                );
            }
            0xa if i_len == 4 || i_len == 8 => {
                let _ = writeln!(
                    out,
                    "SCSI_IDENT_{assoc_str}_SOP_ROUTING_ID=0x{:x}",
                    u16::from_be_bytes([at(0), at(1)])
                );
            }
            _ => {}
        },
        0xa if c_set == 1 && i_len >= 18 => {
            let _ = write!(out, "SCSI_IDENT_{assoc_str}_UUID=");
            for m in 2..i_len {
                if matches!(m, 6 | 8 | 10 | 12) {
                    out.push(b'-');
                }
                let _ = write!(out, "{:02x}", at(m));
            }
            out.push(b'\n');
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(s: &[u8]) -> String {
        String::from_utf8(encode_whitespaces(s)).unwrap()
    }

    #[test]
    fn encode_whitespaces_is_sg_inqs() {
        assert_eq!(ws(b"Linux   "), "Linux");
        assert_eq!(ws(b"  a  b\tc  "), "a_b_c");
        assert_eq!(ws(b"a_ b"), "a_b");
        assert_eq!(ws(b"\x01\x02abc"), "abc");
        assert_eq!(ws(b"a\x00b"), "ab");
        assert_eq!(ws(b"a\x00\x00b"), "a");
        assert_eq!(ws(b"a\x80b"), "a.b");
        assert_eq!(ws(b"\x80"), "");
        assert_eq!(ws(b"        "), "");
        assert_eq!(ws(b"QEMU HARDDISK   "), "QEMU_HARDDISK");
    }

    #[test]
    fn standard_lines_are_sg_inq_exports() {
        let mut d = vec![0u8, 0, 7, 2, 91, 0x10, 0, 2];
        d.extend_from_slice(b"Linux   scsi_debug      0191");
        let mut out = Vec::new();
        standard(&mut out, &d);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "SCSI_TPGS=1\nSCSI_TYPE=disk\nSCSI_VENDOR=Linux\n\
             SCSI_VENDOR_ENC=Linux\\x20\\x20\\x20\nSCSI_MODEL=scsi_debug\n\
             SCSI_MODEL_ENC=scsi_debug\\x20\\x20\\x20\\x20\\x20\\x20\nSCSI_REVISION=0191\n"
        );
        let mut out = Vec::new();
        standard(&mut out, &d[..8]);
        assert_eq!(out, b"SCSI_TPGS=1\nSCSI_TYPE=disk\n");
    }

    #[test]
    fn designators_export_by_type_and_association() {
        let page = [
            0u8, 0x83, 0, 44, //
            0x02, 0x01, 0, 8, b'A', b'T', b'A', b' ', b' ', b'X', b' ', b'Y', //
            0x01, 0x03, 0, 8, 0x53, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x30, //
            0x61, 0x94, 0, 4, 0, 0, 0, 1, //
            0x01, 0x06, 0, 4, 0, 0, 0x01, 0x00,
        ];
        let mut out = Vec::new();
        device_identification(&mut out, &page);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "SCSI_IDENT_LUN_T10=ATA_X_Y\nSCSI_IDENT_LUN_ATA=X_Y\n\
             SCSI_IDENT_LUN_NAA_REG=5333333333333330\nSCSI_IDENT_PORT_RELATIVE=1\n\
             SCSI_IDENT_LUN_LOGICAL_UNIT_GROUP=0x100\n"
        );
        let mut out = Vec::new();
        serial(
            &mut out,
            &[0, 0x80, 0, 6, b' ', b'a', b' ', b'/', b'1', b' '],
        );
        assert_eq!(out, b"SCSI_IDENT_SERIAL=a_\\x2f1\n");
    }
}
