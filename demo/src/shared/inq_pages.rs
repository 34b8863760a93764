//! sg_inq's own VPD page decodings (sg3_utils 1.46 src/sg_inq.c: `vpd_decode()`,
//! `vpd_mainly_hex()` and their `decode_*()` page decoders), which word the pages
//! differently from sg_vpd: `sgmap inquiry --page=PG` prints these, `sgmap vpd` the
//! others (`vpd_text`). Layout only: the bytes come from the device or a file.
//!
//! Text is bytes: the device's ASCII fields are printed as they are, as `printf("%s")`
//! prints them.

use std::fmt::Write as _;
use std::io::Write as _;

use sgmap_core::response::{Association, CodeSet, DesignatorType};

use crate::out;
use crate::shared::vpd_text::{
    association_name, code_set_name, designator_type_name, hex, hex2str, hex_no_ascii, PROTOCOLS,
    SERVICE_TYPES,
};

/// The page of sg_inq's `--page=` abbreviation `acronym` (`vpd_pg[]`,
/// [`crate::help::INQ_PAGES`]): `Some(None)` for `sinq`, the standard INQUIRY data.
pub fn page_of(acronym: &str) -> Option<Option<u8>> {
    let table = crate::help::INQ_PAGES.to_string();
    let [page, _, _] = crate::help::rows::<3>(&table).find(|e| e[1] == acronym)?;
    Some(u8::from_str_radix(page, 16).ok())
}

/// The abbreviation list sg_inq prints (`enumerate_vpds()`).
pub fn enumerate() -> String {
    let mut s = String::new();
    let table = crate::help::INQ_PAGES.to_string();
    for [page, acron, name] in crate::help::rows::<3>(&table) {
        if page == "--" {
            let _ = writeln!(s, "  {acron:<10}   -1      {name}");
        } else {
            let _ = writeln!(s, "  {acron:<10} 0x{page}      {name}");
        }
    }
    s
}

/// `get_vpd_page_str()`: sg_inq's name of a page in the Supported VPD pages list
/// (`vpd_name_arr[]`, [`crate::help::INQ_PAGE_NAMES`]): in B0h–BFh the entry of the
/// device's type, else of type 0.
fn page_name(pn: u8, pdt: u8) -> Option<String> {
    let table = crate::help::INQ_PAGE_NAMES.to_string();
    let page = format!("{pn:02x}");
    let of_page = || crate::help::rows::<3>(&table).filter(|e| e[0] == page);
    let e = if (0xb0..0xc0).contains(&pn) {
        let find = |t: String| of_page().find(|e| e[1] == t);
        find(pdt.to_string()).or_else(|| find("0".to_owned()))
    } else {
        of_page().next()
    };
    e.map(|[_, _, name]| name.to_owned())
}

/// `hex2stdout(b, len, no_ascii)`: 0 offsets and ASCII, 1 offsets only, -1 bytes only.
pub fn hexout(out: &mut Vec<u8>, data: &[u8], no_ascii: i8) {
    match no_ascii {
        0 => hex(out, data),
        n if n > 0 => hex_no_ascii(out, data),
        _ => hex2str(out, data, "", false),
    }
}

/// sg_inq's usual `(1 == do_hex) ? 0 : -1`.
fn level(h: u8) -> i8 {
    if h == 1 {
        0
    } else {
        -1
    }
}

fn be16(b: &[u8], i: usize) -> u32 {
    u32::from(b.get(i).copied().unwrap_or(0)) << 8 | u32::from(b.get(i + 1).copied().unwrap_or(0))
}

fn be24(b: &[u8], i: usize) -> u32 {
    be16(b, i) << 8 | u32::from(b.get(i + 2).copied().unwrap_or(0))
}

fn be32(b: &[u8], i: usize) -> u32 {
    be16(b, i) << 16 | be16(b, i + 2)
}

fn be64(b: &[u8], i: usize) -> u64 {
    u64::from(be32(b, i)) << 32 | u64::from(be32(b, i + 4))
}

fn bit(b: &[u8], i: usize, mask: u8) -> u8 {
    u8::from(b.get(i).is_some_and(|&c| c & mask != 0))
}

fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// `isprint()` in the C locale.
fn print(c: u8) -> bool {
    (0x20..0x7f).contains(&c)
}

/// Bytes up to the first NUL.
fn c_str(b: &[u8]) -> &[u8] {
    &b[..b.iter().position(|&c| c == 0).unwrap_or(b.len())]
}

/// The header line `vpd_decode()` prints before it fetches page `pn` (when not raw and
/// the hex level allows), or `None` for the pages whose line depends on the response.
pub fn heading(pn: u8, hex: u8, raw: bool, export: bool) -> Option<&'static str> {
    if raw {
        return None;
    }
    let (text, max_hex) = match pn {
        0x00 => ("VPD INQUIRY: Supported VPD pages page\n", 2),
        0x80 if !export => ("VPD INQUIRY: Unit serial number page\n", 2),
        0x83 if !export => ("VPD INQUIRY: Device Identification page\n", 3),
        0x84 => ("VPD INQUIRY: Software interface identification page\n", 2),
        0x85 => ("VPD INQUIRY: Management network addresses page\n", 2),
        0x86 => ("VPD INQUIRY: extended INQUIRY data page\n", 2),
        0x87 => ("VPD INQUIRY: Mode page policy\n", 2),
        0x88 => ("VPD INQUIRY: SCSI Ports page\n", 2),
        0x89 => ("VPD INQUIRY: ATA information page\n", 2),
        0x8a => ("VPD INQUIRY: Power condition page\n", 2),
        _ => return None,
    };
    (hex < max_hex).then_some(text)
}

/// The pages `vpd_decode()` decodes itself (the others go to `vpd_mainly_hex()`, after a
/// note on stderr; 01h–7Fh are ASCII information pages).
///
/// A build without the feature `vpd-pages` decodes 00h, 80h and 83h only and prints the
/// others as sg_inq prints a page it does not decode.
pub fn decoded(pn: u8) -> bool {
    if cfg!(feature = "vpd-pages") {
        matches!(pn, 0x00 | 0x80 | 0x83..=0x8a | 0xb0 | 0xb1 | 0xb3 | 0x01..=0x7f)
    } else {
        matches!(pn, 0x00 | 0x80 | 0x83)
    }
}

/// The heading of B0h, B1h and B3h, from the device type of the response.
fn block_heading(pn: u8, pdt: u8) -> String {
    let disk = matches!(pdt, 0 | 4 | 7);
    let name = match (pn, pdt) {
        (0xb0, _) if disk => "VPD INQUIRY: Block limits page (SBC)",
        (0xb0, 1 | 8) => "VPD INQUIRY: Sequential access device capabilities (SSC)",
        (0xb0, 0x11) => "VPD INQUIRY: OSD information (OSD)",
        (0xb1, _) if disk => "VPD INQUIRY: Block device characteristics page (SBC)",
        (0xb1, 1 | 8) => "Manufactured assigned serial number VPD page (SSC):",
        (0xb1, 0x11) => "Security token VPD page (OSD):",
        (0xb1, 0x12) => "Manufactured assigned serial number VPD page (ADC):",
        (0xb3, _) if disk => "VPD INQUIRY: Referrals VPD page (SBC)",
        _ => return format!("VPD INQUIRY: page=0x{pn:x}, pdt=0x{pdt:x}\n"),
    };
    format!("{name}\n")
}

/// What `vpd_decode()` prints for page `pn` of `rp` (the bytes through the page's last
/// one; from a file they may be another page's, decoded as `pn` all the same) after its
/// heading:
/// `hex` and `raw` are the `-H` and `-r` counts, `pdt_hex` is page 00h's quirk (sg_inq
/// passes the device type where the hex level goes).
pub fn decode(out: &mut Vec<u8>, pn: u8, rp: &[u8], hex: u8, raw: u8, export: bool, verbose: u8) {
    let len = rp.len();
    if raw > 0 && !(pn == 0x89 && raw == 2) {
        out.extend_from_slice(rp);
        return;
    }
    match pn {
        0x00 => {
            if hex > 0 {
                hexout(out, rp, level(hex));
            } else {
                // sg_inq 1.46 passes the device type as the hex level here.
                supported(out, rp, at(rp, 0) & 0x1f);
            }
        }
        0x80 => {
            if hex > 0 {
                hexout(out, rp, level(hex));
            } else if export {
                crate::shared::export::serial(out, rp);
            } else {
                serial(out, rp);
            }
        }
        0x83 => {
            if hex > 2 {
                hexout(out, rp, -1);
            } else if export {
                crate::shared::export::device_identification(out, rp);
            } else if len < 4 {
                out::err_fmt(format_args!(
                    "Device identification VPD page length too short={len}\n"
                ));
            } else {
                dev_ids(out, &rp[4..], hex, verbose);
            }
        }
        // The pages only the feature `vpd-pages` decodes.
        #[cfg(feature = "vpd-pages")]
        0x01..=0x7f | 0x84..=0x8a | 0xb0 | 0xb1 | 0xb3 => more(out, pn, rp, hex, raw, verbose),
        _ => hexout(out, rp, level(hex)),
    }
}

/// [`decode`] of the pages beyond 00h, 80h and 83h (`vpd-pages`).
#[cfg(feature = "vpd-pages")]
fn more(out: &mut Vec<u8>, pn: u8, rp: &[u8], hex: u8, raw: u8, verbose: u8) {
    match pn {
        0x84 => {
            if hex > 0 {
                hexout(out, rp, level(hex));
            } else {
                for d in rp.get(4..).unwrap_or(&[]).chunks_exact(6) {
                    let _ = writeln!(
                        out,
                        "    IEEE Company_id: 0x{:06x}, vendor specific extension id: 0x{:06x}",
                        be24(d, 0),
                        be24(d, 3)
                    );
                }
            }
        }
        0x85 => net_man(out, rp, hex),
        0x86 => extended(out, rp, hex),
        0x87 => mode_policy(out, rp, hex),
        0x88 => scsi_ports(out, rp, hex, verbose),
        0x89 => ata_info(out, rp, hex, raw),
        0x8a => power_condition(out, rp, hex),
        0xb0 | 0xb1 | 0xb3 => {
            if hex < 2 {
                out.extend_from_slice(block_heading(pn, at(rp, 0) & 0x1f).as_bytes());
            }
            if hex > 0 {
                hexout(out, rp, level(hex));
            } else if pn == 0xb0 {
                block_limits(out, rp);
            } else if pn == 0xb1 {
                block_characteristics(out, rp);
            } else {
                referrals(out, rp);
            }
        }
        _ => ascii_information(out, rp, hex),
    }
}

/// `decode_supported_vpd()`.
pub fn supported(out: &mut Vec<u8>, rp: &[u8], hex: u8) {
    if hex > 0 {
        return hexout(out, rp, level(hex));
    }
    let mut len = rp.len();
    if len < 4 {
        out::err_fmt(format_args!(
            "Supported VPD pages VPD page length too short={len}\n"
        ));
        return;
    }
    let pdt = rp[0] & 0x1f;
    let rlen = usize::from(rp[3]) + 4;
    if rlen > len {
        out::err_fmt(format_args!(
            "Supported VPD pages VPD page truncated, indicates {rlen}, got {len}\n"
        ));
    } else {
        len = rlen;
    }
    out.extend_from_slice(b"   Supported VPD pages:\n");
    for &p in &rp[4..len] {
        match page_name(p, pdt) {
            Some(name) => {
                let _ = writeln!(out, "     0x{p:x}\t{name}");
            }
            None => {
                let _ = writeln!(out, "     0x{p:x}");
            }
        }
    }
}

/// Page 80h's line: the serial number as `encode_unicode()` leaves it, in place in sg_inq's
/// zeroed buffer (a lone NUL dropped, two end it, unprintable bytes as spaces).
fn serial(out: &mut Vec<u8>, rp: &[u8]) {
    let mut buf = [0u8; 252];
    let n = rp.len().saturating_sub(4).min(251);
    buf[..n].copy_from_slice(&rp[4..4 + n]);
    let (mut res, mut zeroes) = (0, false);
    for k in 0..n {
        let c = buf[k];
        if c == 0 {
            if zeroes {
                buf[res] = 0;
                res += 1;
                break;
            }
            zeroes = true;
        } else {
            zeroes = false;
            buf[res] = if print(c) { c } else { b' ' };
            res += 1;
        }
    }
    if res > 0 {
        out.extend_from_slice(b"  Unit serial number: ");
        out.extend_from_slice(c_str(&buf));
        out.push(b'\n');
    }
}

/// `decode_dev_ids()` of sg_inq: the designation descriptors of `buff` (page 83h's, or
/// a port's in page 88h) with sg_inq's wording.
fn dev_ids(out: &mut Vec<u8>, buff: &[u8], hex: u8, verbose: u8) {
    let len = buff.len();
    if at(buff, 2) != 0 {
        // A pre-SPC page (EMC Symmetrix): the first 16 bytes are one NAA designator.
        let _ = writeln!(out, "  Pre-SPC descriptor, descriptor length: {len}");
        let hdr = [at(buff, 0), at(buff, 1), at(buff, 2), at(buff, 3)];
        one_id(out, hdr, 0xf, 1, false, 0, 3, buff, hex, verbose);
        return;
    }
    let mut off: Option<usize> = None;
    let mut j = 1;
    loop {
        let k = match off {
            None => 0,
            Some(k) => k + usize::from(at(buff, k + 3)) + 4,
        };
        if k + 4 > len {
            return;
        }
        off = Some(k);
        let bp = &buff[k..];
        let i_len = usize::from(bp[3]);
        let _ = writeln!(
            out,
            "  Designation descriptor number {j}, descriptor length: {}",
            i_len + 4
        );
        if k + i_len + 4 > len {
            out::err_fmt(format_args!(
                "Device identification VPD page error: designator length longer than\n     \
                 remaining response length={}\n",
                len - k
            ));
            return;
        }
        let ip = &bp[4..4 + i_len];
        let hdr = [bp[0], bp[1], bp[2], bp[3]];
        one_id(
            out,
            hdr,
            bp[0] >> 4,
            bp[0] & 0xf,
            bp[1] & 0x80 != 0,
            (bp[1] >> 4) & 3,
            bp[1] & 0xf,
            ip,
            hex,
            verbose,
        );
        j += 1;
    }
}

/// One designator of [`dev_ids`].
#[allow(clippy::too_many_arguments)]
fn one_id(
    out: &mut Vec<u8>,
    hdr: [u8; 4],
    p_id: u8,
    c_set: u8,
    piv: bool,
    assoc: u8,
    desig_type: u8,
    ip: &[u8],
    hex: u8,
    verbose: u8,
) {
    let i_len = ip.len();
    let hexs = |out: &mut Vec<u8>, b: &[u8]| {
        out.extend_from_slice(b"      [0x");
        for x in b {
            let _ = write!(out, "{x:02x}");
        }
        out.extend_from_slice(b"]\n");
    };
    let err_hex = |why: &str, no_ascii: i8| {
        let mut e = format!("      {why}\n").into_bytes();
        hexout(&mut e, ip, no_ascii);
        out::err_str(&String::from_utf8_lossy(&e));
    };
    if piv && (assoc == 1 || assoc == 2) {
        let _ = writeln!(out, "    transport: {}", PROTOCOLS[usize::from(p_id & 0xf)]);
    }
    let _ = writeln!(
        out,
        "    designator_type: {},  code_set: {}",
        designator_type_name(DesignatorType::from(desig_type)),
        code_set_name(CodeSet::from(c_set))
    );
    let _ = writeln!(
        out,
        "    associated with the {}",
        association_name(Association::from(assoc))
    );
    if hex > 0 {
        let _ = writeln!(
            out,
            "    designator header(hex): {:02x} {:02x} {:02x} {:02x}",
            hdr[0], hdr[1], hdr[2], hdr[3]
        );
        out.extend_from_slice(b"    designator:\n");
        hexout(out, ip, 0);
        return;
    }
    match desig_type {
        0 => {
            let mut k = 0;
            if c_set == 2 || c_set == 3 {
                k = ip.iter().take_while(|&&c| print(c)).count();
                if k >= i_len {
                    k = 1;
                }
            }
            if k != 0 {
                out.extend_from_slice(b"      vendor specific: ");
                out.extend_from_slice(c_str(ip));
                out.push(b'\n');
            } else {
                out.extend_from_slice(b"      vendor specific:\n");
                hexout(out, ip, -1);
            }
        }
        1 => {
            out.extend_from_slice(b"      vendor id: ");
            out.extend_from_slice(c_str(&ip[..i_len.min(8)]));
            out.push(b'\n');
            if i_len > 8 {
                if c_set == 2 || c_set == 3 {
                    out.extend_from_slice(b"      vendor specific: ");
                    out.extend_from_slice(c_str(&ip[8..]));
                    out.push(b'\n');
                } else {
                    out.extend_from_slice(b"      vendor specific: 0x");
                    for x in &ip[8..] {
                        let _ = write!(out, "{x:02x}");
                    }
                    out.push(b'\n');
                }
            }
        }
        2 => {
            let _ = writeln!(out, "      EUI-64 based {i_len} byte identifier");
            if c_set != 1 {
                return err_hex("<< expected binary code_set (1)>>", -1);
            }
            let mut ci_off = 0;
            if i_len == 16 {
                ci_off = 8;
                let _ = writeln!(out, "      Identifier extension: 0x{:x}", be64(ip, 0));
            } else if i_len != 8 && i_len != 12 {
                return err_hex("<< can only decode 8, 12 and 16 byte ids>>", -1);
            }
            let _ = writeln!(out, "      IEEE Company_id: 0x{:x}", be24(ip, ci_off));
            let vsei = u64::from(be24(ip, ci_off + 3)) << 24 | u64::from(be24(ip, ci_off + 6));
            let _ = writeln!(
                out,
                "      Vendor Specific Extension Identifier: 0x{vsei:x}"
            );
            if i_len == 12 {
                let _ = writeln!(out, "      Directory ID: 0x{:x}", be32(ip, 8));
            }
            hexs(out, ip);
        }
        3 => {
            let naa = at(ip, 0) >> 4;
            if c_set != 1 {
                return err_hex(
                    &format!("<< expected binary code_set (1), got {c_set} for NAA={naa}>>"),
                    -1,
                );
            }
            let want = if naa == 6 { 16 } else { 8 };
            if matches!(naa, 2 | 3 | 5 | 6) && i_len != want {
                return err_hex(
                    &format!("<< unexpected NAA {naa} identifier length: 0x{i_len:x}>>"),
                    if naa == 6 { 0 } else { -1 },
                );
            }
            let c_id = (u32::from(at(ip, 0) & 0xf) << 20)
                | (u32::from(at(ip, 1)) << 12)
                | (u32::from(at(ip, 2)) << 4)
                | (u32::from(at(ip, 3)) >> 4);
            let vsei = (u64::from(at(ip, 3) & 0xf) << 32) | u64::from(be32(ip, 4));
            match naa {
                2 => {
                    let _ = writeln!(
                        out,
                        "      NAA 2, vendor specific identifier A: 0x{:x}",
                        (u32::from(at(ip, 0) & 0xf) << 8) | u32::from(at(ip, 1))
                    );
                    let _ = writeln!(out, "      IEEE Company_id: 0x{:x}", be24(ip, 2));
                    let _ = writeln!(
                        out,
                        "      vendor specific identifier B: 0x{:x}",
                        be24(ip, 5)
                    );
                    hexs(out, &ip[..8]);
                }
                3 => {
                    out.extend_from_slice(b"      NAA 3, Locally assigned:\n");
                    hexs(out, &ip[..8]);
                }
                5 => {
                    let _ = writeln!(out, "      NAA 5, IEEE Company_id: 0x{c_id:x}");
                    let _ = writeln!(out, "      Vendor Specific Identifier: 0x{vsei:x}");
                    hexs(out, &ip[..8]);
                }
                6 => {
                    let _ = writeln!(out, "      NAA 6, IEEE Company_id: 0x{c_id:x}");
                    let _ = writeln!(out, "      Vendor Specific Identifier: 0x{vsei:x}");
                    let _ = writeln!(
                        out,
                        "      Vendor Specific Identifier Extension: 0x{:x}",
                        be64(ip, 8)
                    );
                    hexs(out, &ip[..16]);
                }
                _ => err_hex(
                    &format!("<< bad NAA nibble , expect 2, 3, 5 or 6, got {naa}>>"),
                    -1,
                ),
            }
        }
        4..=6 => {
            let (want_assoc, name, what) = match desig_type {
                4 => (1, "Relative target port", "target port"),
                5 => (1, "Target port group", "target port"),
                _ => (0, "Logical unit group", "logical unit"),
            };
            if c_set != 1 || assoc != want_assoc || i_len != 4 {
                return err_hex(
                    &format!("<< expected binary code_set, {what} association, length 4>>"),
                    -1,
                );
            }
            let _ = writeln!(out, "      {name}: 0x{:x}", be16(ip, 2));
        }
        7 => {
            if c_set != 1 || assoc != 0 {
                return err_hex(
                    "<< expected binary code_set, logical unit association>>",
                    -1,
                );
            }
            out.extend_from_slice(b"      MD5 logical unit identifier:\n");
            hexout(out, ip, -1);
        }
        8 => {
            if c_set != 3 {
                if c_set == 2 {
                    if verbose > 0 {
                        out::err_str("      << expected UTF-8, use ASCII>>\n");
                    }
                } else {
                    return err_hex("<< expected UTF-8 code_set>>", -1);
                }
            }
            out.extend_from_slice(b"      SCSI name string:\n      ");
            out.extend_from_slice(c_str(ip));
            out.push(b'\n');
        }
        9 => {
            if !piv {
                out.extend_from_slice(
                    b"      >>>> Protocol specific port identifier expects protocol\n           \
                      identifier to be valid and it is not\n",
                );
            }
            match p_id {
                9 => {
                    let _ = writeln!(out, "      USB device address: 0x{:x}", at(ip, 0) & 0x7f);
                    let _ = writeln!(out, "      USB interface number: 0x{:x}", at(ip, 2));
                }
                0xa => {
                    let (b0, b1) = (at(ip, 0), at(ip, 1));
                    let _ = writeln!(out, "      PCIe routing ID, bus number: 0x{b0:x}");
                    let _ = writeln!(out, "          function number: 0x{b1:x}");
                    let _ = writeln!(
                        out,
                        "          [or device number: 0x{:x}, function number: 0x{:x}]",
                        0x1f & (b1 >> 3),
                        b1 & 7
                    );
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "      >>>> unexpected protocol indentifier: {}\n           with \
                         Protocol specific port identifier",
                        PROTOCOLS[usize::from(p_id & 0xf)]
                    );
                }
            }
        }
        0xa => {
            if c_set != 1 {
                return err_hex("<< expected binary code_set >>", 0);
            }
            if at(ip, 0) >> 4 != 1 || i_len != 18 {
                return err_hex("<< expected locally assigned UUID, 16 bytes long >>", 0);
            }
            out.extend_from_slice(b"      Locally assigned UUID: ");
            for m in 0..16 {
                if matches!(m, 4 | 6 | 8 | 10) {
                    out.push(b'-');
                }
                let _ = write!(out, "{:02x}", ip[2 + m]);
            }
            out.push(b'\n');
        }
        _ => err_hex(&format!("reserved designator=0x{desig_type:x}"), -1),
    }
}

const ASSOC: [&str; 4] = [
    "addressed logical unit",
    "target port",
    "target device that contains addressed lu",
    "reserved [0x3]",
];

/// `decode_net_man_vpd()` (85h).
fn net_man(out: &mut Vec<u8>, rp: &[u8], hex: u8) {
    if rp.len() < 4 {
        return;
    }
    if hex > 2 {
        return hexout(out, rp, -1);
    }
    let b = &rp[4..];
    let mut k = 0;
    while k < b.len() {
        let bp = &b[k..];
        let t = usize::from(bp[0] & 0x1f);
        let _ = write!(
            out,
            "  {}, Service type: ",
            ASSOC[usize::from((bp[0] >> 5) & 3)]
        );
        match SERVICE_TYPES.get(t) {
            Some(s) => {
                let _ = writeln!(out, "{s}");
            }
            None => {
                let _ = writeln!(out, "[0x{t:x}]");
            }
        }
        let na_len = be16(bp, 2) as usize;
        let bump = 4 + na_len;
        if k + bump > b.len() {
            return;
        }
        if na_len > 0 {
            if hex > 0 {
                out.extend_from_slice(b"    Network address:\n");
                hexout(out, &bp[4..bump], 0);
            } else {
                out.extend_from_slice(b"    ");
                out.extend_from_slice(c_str(&bp[4..bump]));
                out.push(b'\n');
            }
        }
        k += bump;
    }
}

/// `decode_mode_policy_vpd()` (87h).
fn mode_policy(out: &mut Vec<u8>, rp: &[u8], hex: u8) {
    const POLICY: [&str; 4] = [
        "shared",
        "per target port",
        "per initiator port",
        "per I_T nexus",
    ];
    if rp.len() < 4 {
        return;
    }
    if hex > 2 {
        return hexout(out, rp, -1);
    }
    for bp in rp[4..].chunks(4) {
        if bp.len() < 4 {
            return;
        }
        if hex > 0 {
            hexout(out, bp, if hex == 1 { 1 } else { -1 });
            continue;
        }
        let _ = write!(out, "  Policy page code: 0x{:x}", bp[0] & 0x3f);
        if bp[1] != 0 {
            let _ = writeln!(out, ",  subpage code: 0x{:x}", bp[1]);
        } else {
            out.push(b'\n');
        }
        let _ = writeln!(
            out,
            "    MLUS={},  Policy: {}",
            bit(bp, 2, 0x80),
            POLICY[usize::from(bp[2] & 3)]
        );
    }
}

/// `decode_scsi_ports_vpd()` (88h); an initiator port TransportID is shown in hex.
fn scsi_ports(out: &mut Vec<u8>, rp: &[u8], hex: u8, verbose: u8) {
    if rp.len() < 4 {
        return;
    }
    if hex > 2 {
        return hexout(out, rp, -1);
    }
    let b = &rp[4..];
    let len = b.len();
    let mut k = 0;
    while k < len {
        let bp = &b[k..];
        let _ = writeln!(out, "Relative port={}", be16(bp, 2));
        let ip_tid_len = be16(bp, 6) as usize;
        let mut bump = 8 + ip_tid_len;
        if k + bump > len {
            return;
        }
        if ip_tid_len > 0 {
            out.extend_from_slice(b" Initiator port transport id:\n");
            hexout(out, &bp[8..bump], if hex == 1 { 1 } else { -1 });
        }
        let tpd_len = be16(bp, bump + 2) as usize;
        if k + bump + tpd_len + 4 > len {
            return;
        }
        if tpd_len > 0 {
            out.extend_from_slice(b" Target port descriptor(s):\n");
            let tpd = &bp[bump + 4..bump + 4 + tpd_len];
            if hex > 0 {
                hexout(out, tpd, if hex == 1 { 1 } else { -1 });
            } else {
                dev_ids(out, tpd, hex, verbose);
            }
        }
        bump += tpd_len + 4;
        k += bump;
    }
}

/// `decode_x_inq_vpd()` (86h): its lines are sg_vpd's.
fn extended(out: &mut Vec<u8>, b: &[u8], hex: u8) {
    if b.len() < 7 {
        out::err_fmt(format_args!(
            "Extended INQUIRY data VPD page length too short={}\n",
            b.len()
        ));
        return;
    }
    if hex > 0 {
        return hexout(out, b, level(hex));
    }
    crate::shared::vpd_text::pages::extended_inquiry(out, b, false, false);
}

/// `sg_ata_get_chars()`: the characters of `num` IDENTIFY words from `start` (each word
/// little-endian, its high byte first), up to a NUL.
fn ata_chars(words: &[u8], start: usize, num: usize) -> Vec<u8> {
    let mut s = Vec::new();
    for k in start..start + num {
        for c in [at(words, 2 * k + 1), at(words, 2 * k)] {
            if c == 0 {
                return s;
            }
            s.push(c);
        }
    }
    s
}

/// `dWordHex()` of the 256 IDENTIFY words: `-2` the words alone, eight a line (hdparm's
/// `--Istdin` form), `0` with offsets and each word's two characters.
pub fn word_hex(out: &mut Vec<u8>, words: &[u8], no_ascii: i8) {
    for (line, chunk) in words.chunks(16).enumerate() {
        let w: Vec<u16> = chunk
            .chunks(2)
            .map(|p| u16::from_le_bytes([p[0], p.get(1).copied().unwrap_or(0)]))
            .collect();
        if no_ascii < 0 {
            let text: Vec<String> = w.iter().map(|x| format!("{x:04x}")).collect();
            let _ = writeln!(out, "{}", text.join(" "));
            continue;
        }
        let mut l = format!(" {:02x}", line * 8);
        while l.len() < 8 {
            l.push(' ');
        }
        for x in &w {
            let _ = write!(l, "{x:04x} ");
        }
        while l.len() < 52 {
            l.push(' ');
        }
        for x in &w {
            for c in [(x >> 8) as u8, *x as u8] {
                l.push(if print(c) { char::from(c) } else { '.' });
            }
            l.push(' ');
        }
        while l.len() < 76 {
            l.push(' ');
        }
        let _ = writeln!(out, "{}", &l[..76]);
    }
}

/// `decode_ata_info_vpd()` (89h); with `-rr` or `-HHH` the IDENTIFY words for hdparm.
fn ata_info(out: &mut Vec<u8>, b: &[u8], hex: u8, raw: u8) {
    let len = b.len();
    if raw == 2 || hex == 3 {
        let words = b.get(60..572).unwrap_or(&[]);
        return word_hex(out, words, -2);
    }
    if len < 36 {
        out::err_fmt(format_args!(
            "ATA information VPD page length too short={len}\n"
        ));
        return;
    }
    if hex > 0 && hex != 2 {
        return hexout(out, b, if hex == 3 { 0 } else { -1 });
    }
    for (label, at_, n) in [
        ("SAT Vendor identification", 8, 8),
        ("SAT Product identification", 16, 16),
        ("SAT Product revision level", 32, 4),
    ] {
        let _ = write!(out, "  {label}: ");
        out.extend_from_slice(c_str(&b[at_..at_ + n]));
        out.push(b'\n');
    }
    if len < 56 {
        return;
    }
    out.extend_from_slice(b"  Signature (Device to host FIS):\n");
    hexout(out, &b[36..56], 1);
    if len < 60 {
        return;
    }
    let words = &b[60..];
    if b[56] == 0xec || b[56] == 0xa1 {
        let packet = if b[56] == 0xa1 { "PACKET " } else { "" };
        let _ = writeln!(
            out,
            "  ATA command IDENTIFY {packet}DEVICE response summary:"
        );
        for (label, start, num) in [
            ("model", 27, 20),
            ("serial number", 10, 10),
            ("firmware revision", 23, 4),
        ] {
            let _ = write!(out, "    {label}: ");
            out.extend_from_slice(&ata_chars(words, start, num));
            out.push(b'\n');
        }
        out.extend_from_slice(b"  response in hex:\n");
    } else {
        let _ = writeln!(out, "  ATA command 0x{:x} got following response:", b[56]);
    }
    if len < 572 {
        return;
    }
    if hex == 2 {
        hexout(out, &b[60..572], 0);
    } else {
        word_hex(out, &b[60..572], 0);
    }
}

/// `decode_power_condition()` (8Ah).
fn power_condition(out: &mut Vec<u8>, b: &[u8], hex: u8) {
    if b.len() < 18 {
        out::err_fmt(format_args!(
            "Power condition VPD page length too short={}\n",
            b.len()
        ));
        return;
    }
    if hex > 0 {
        return hexout(out, b, level(hex));
    }
    let _ = writeln!(
        out,
        "  Standby_y={} Standby_z={} Idle_c={} Idle_b={} Idle_a={}",
        bit(b, 4, 2),
        bit(b, 4, 1),
        bit(b, 5, 4),
        bit(b, 5, 2),
        bit(b, 5, 1)
    );
    for (name, i) in [
        ("Stopped", 6),
        ("Standby_z", 8),
        ("Standby_y", 10),
        ("Idle_a", 12),
        ("Idle_b", 14),
        ("Idle_c", 16),
    ] {
        let _ = writeln!(out, "  {name} condition recovery time (ms) {}", be16(b, i));
    }
}

/// `decode_b0_vpd()` after the heading.
fn block_limits(out: &mut Vec<u8>, b: &[u8]) {
    let len = b.len();
    let pdt = at(b, 0) & 0x1f;
    match pdt {
        0 | 4 | 7 => {}
        1 | 8 => {
            let _ = writeln!(out, "  WORM={}", bit(b, 4, 1));
            return;
        }
        _ => {
            let _ = writeln!(out, "  Unable to decode pdt=0x{pdt:x}, in hex:");
            return hexout(out, b, 0);
        }
    }
    if len < 16 {
        out::err_fmt(format_args!(
            "Block limits VPD page length too short={len}\n"
        ));
        return;
    }
    // sg_inq's lines are sg_vpd's without its first (WSNZ).
    let Ok(v) = sgmap_core::response::Vpd::new_checked(b) else {
        return;
    };
    let mut text = Vec::new();
    crate::shared::vpd_text::pages::block_limits(&mut text, &v);
    let first = text.iter().position(|&c| c == b'\n').map_or(0, |i| i + 1);
    out.extend_from_slice(&text[first..]);
}

/// `decode_b1_vpd()` after the heading.
fn block_characteristics(out: &mut Vec<u8>, b: &[u8]) {
    let len = b.len();
    let pdt = at(b, 0) & 0x1f;
    match pdt {
        0 | 4 | 7 => {}
        1 | 8 | 0x12 => {
            out.extend_from_slice(b"  Manufacturer-assigned serial number: ");
            out.extend_from_slice(c_str(b.get(4..).unwrap_or(&[])));
            out.push(b'\n');
            return;
        }
        _ => {
            let _ = writeln!(out, "  Unable to decode pdt=0x{pdt:x}, in hex:");
            return hexout(out, b, 0);
        }
    }
    if len < 64 {
        out::err_fmt(format_args!(
            "Block device characteristics VPD page length too short={len}\n"
        ));
        return;
    }
    let u = be16(b, 4);
    match u {
        0 => out.extend_from_slice(b"  Medium rotation rate is not reported\n"),
        1 => out.extend_from_slice(b"  Non-rotating medium (e.g. solid state)\n"),
        u if u < 0x401 || u == 0xffff => {
            let _ = writeln!(out, "  Reserved [0x{u:x}]");
        }
        u => {
            let _ = writeln!(out, "  Nominal rotation rate: {u} rpm");
        }
    }
    let _ = writeln!(out, "  Product type={}", b[6]);
    let _ = writeln!(out, "  WABEREQ={}", (b[7] >> 6) & 3);
    let _ = writeln!(out, "  WACEREQ={}", (b[7] >> 4) & 3);
    let ff = b[7] & 0xf;
    let form = match ff {
        0 => "is not reported".to_owned(),
        1 => "5.25 inches".to_owned(),
        2 => "3.5 inches".to_owned(),
        3 => "2.5 inches".to_owned(),
        4 => "1.8 inches".to_owned(),
        5 => "less then 1.8 inches".to_owned(),
        n => format!("reserved [{n}]"),
    };
    let _ = writeln!(out, "  Nominal form factor {form}");
    let zoned = (b[8] >> 4) & 3;
    let zs = ["", "  [host-aware]", "  [host-managed]", ""][usize::from(zoned)];
    let _ = writeln!(out, "  ZONED={zoned}{zs}");
    let _ = writeln!(out, "  FUAB={}", b[8] & 2);
    let _ = writeln!(out, "  VBULS={}", b[8] & 1);
    let _ = writeln!(out, "  DEPOPULATION_TIME={} (seconds)", be32(b, 12));
}

/// `decode_b3_vpd()` after the heading.
fn referrals(out: &mut Vec<u8>, b: &[u8]) {
    let pdt = at(b, 0) & 0x1f;
    if !matches!(pdt, 0 | 4 | 7) {
        let _ = writeln!(out, "  Unable to decode pdt=0x{pdt:x}, in hex:");
        return hexout(out, b, 0);
    }
    if b.len() < 16 {
        return;
    }
    let (s, m) = (be32(b, 8), be32(b, 12));
    if s == 0 {
        out.extend_from_slice(b"  Single user data segment\n");
    } else if m == 0 {
        out.extend_from_slice(b"  Segment size specified by user data segment descriptor\n");
    } else {
        let _ = writeln!(out, "  Segment size: {s}, segment multiplier: {m}");
    }
}

/// `decode_ascii_inf()` (01h–7Fh).
fn ascii_information(out: &mut Vec<u8>, b: &[u8], hex: u8) {
    let len = b.len();
    if hex > 0 {
        return hexout(out, b, level(hex));
    }
    if len <= 4 {
        return;
    }
    let al = usize::from(b[4]).min(len.saturating_sub(5));
    let text = &b[5..5 + al];
    let mut k = 0;
    while k < al {
        let rest = &text[k..];
        match rest.iter().position(|&c| c == 0) {
            None => {
                out.extend_from_slice(b"  ");
                out.extend_from_slice(rest);
                out.push(b'\n');
                break;
            }
            Some(p) => {
                out.extend_from_slice(b"  ");
                out.extend_from_slice(&rest[..p]);
                out.push(b'\n');
                k += p + 1;
            }
        }
    }
    if 5 + al < len {
        out.extend_from_slice(b"Vendor specific information in hex:\n");
        hexout(out, &b[5 + al..], 0);
    }
}

/// The version descriptor families sg_inq names (the "no version claimed" entries of
/// sg3_utils' `sg_version_descriptor_arr[]`, SPC-5 Annex E): their values.
const VERSION_VALUES: [u16; 132] = [
    0x20, 0x40, 0x60, 0x80, 0xa0, 0xc0, 0x120, 0x140, 0x160, 0x180, 0x1a0, 0x1c0, 0x200, 0x220,
    0x240, 0x260, 0x280, 0x2a0, 0x2e0, 0x300, 0x320, 0x340, 0x360, 0x380, 0x3a0, 0x3c0, 0x3e0,
    0x400, 0x420, 0x440, 0x460, 0x480, 0x4a0, 0x4c0, 0x4e0, 0x500, 0x520, 0x560, 0x580, 0x5a0,
    0x5c0, 0x5e0, 0x600, 0x620, 0x640, 0x660, 0x680, 0x820, 0x840, 0x860, 0x880, 0x8a0, 0x8c0,
    0x8e0, 0x900, 0x920, 0x940, 0x960, 0x980, 0x9a0, 0x9c0, 0x9e0, 0xa00, 0xa20, 0xa40, 0xa60,
    0xaa0, 0xac0, 0xae0, 0xb00, 0xb20, 0xb40, 0xb60, 0xbe0, 0xc00, 0xc20, 0xc40, 0xc60, 0xc80,
    0xd20, 0xd40, 0xd60, 0xd80, 0xda0, 0xdc0, 0xde0, 0xe00, 0xe20, 0xe40, 0xe60, 0xe80, 0xea0,
    0xec0, 0xee0, 0xf00, 0xf20, 0xf40, 0xf60, 0xf80, 0x12a0, 0x12c0, 0x12e0, 0x1300, 0x1320,
    0x1340, 0x1360, 0x1380, 0x14a0, 0x14c0, 0x14e0, 0x15e0, 0x1600, 0x1620, 0x1621, 0x1622, 0x1623,
    0x1740, 0x1761, 0x1780, 0x1ea0, 0x1ec0, 0x1ee0, 0x1f00, 0x20a0, 0x20c0, 0x20e0, 0x2100, 0x2120,
    0x21e0, 0x2200, 0x2240, 0xffc0,
];

/// The standards of [`VERSION_VALUES`], in its order, `|` between them.
const VERSION_NAMES: &str = "SAM|SAM-2|SAM-3|SAM-4|SAM-5|SAM-6|SPC|MMC|SCC|SBC|SMC|SES|SSC|RBC|MMC-2|SPC-2|OCRW|MMC-3|SMC-2|SPC-3|SBC-2|OSD|SSC-2|BCC|MMC-4|ADC|SES-2|SSC-3|MMC-5|OSD-2|SPC-4|SMC-3|ADC-2|SBC-3|MMC-6|ADC-3|SSC-4|OSD-3|SES-3|SSC-5|SPC-5|SFSC|SBC-4|ZBC|ADC-4|ZBC-2|SES-4|SSA-TL2|SSA-TL1|SSA-S3P|SSA-S2P|SIP|FCP|SBP-2|FCP-2|SST|SRP|iSCSI|SBP-3|SRP-2|ADP|ADT|FCP-3|ADT-2|FCP-4|ADT-3|SPI|Fast-20|SPI-2|SPI-3|EPI|SPI-4|SPI-5|SAS|SAS-1.1|SAS-2|SAS-2.1|SAS-3|SAS-4|FC-PH|FC-AL|FC-AL-2|FC-PH-3|FC-FS|FC-PI|FC-PI-2|FC-FS-2|FC-LS|FC-SP|FC-PI-3|FC-PI-4|FC 10GFC|FC-SP-2|FC-FS-3|FC-LS-2|FC-PI-5|FC-PI-6|FC-FS-4|FC-LS-3|FC-SCM|FC-DA-2|FC-DA|FC-Tape|FC-FLA|FC-PLDA|SSA-PH2|SSA-PH3|IEEE 1394|IEEE 1394a|IEEE 1394b|ATA/ATAPI-6|ATA/ATAPI-7|ATA/ATAPI-8 ATA-AAM Architecture model|ATA/ATAPI-8 ATA-PT Parallel transport|ATA/ATAPI-8 ATA-AST Serial transport|ATA/ATAPI-8 ATA-ACS ATA/ATAPI command set|UAS|ACS-2|UAS-2|SAT|SAT-2|SAT-3|SAT-4|SPL|SPL-2|SPL-3|SPL-4|SPL-5|SOP|PQI|PQI-2|IEEE 1667";

/// A version descriptor as sg_inq names it; `None` for the ones sgmap does not know (the
/// specific revisions of each standard).
pub fn version_descriptor(v: u16) -> Option<String> {
    if v == 0 {
        return Some("Version Descriptor not supported or No standard identified".to_owned());
    }
    let k = VERSION_VALUES.iter().position(|&x| x == v)?;
    let name = VERSION_NAMES.split('|').nth(k)?;
    Some(format!("{name} (no version claimed)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enumerate_lists_sinq_as_minus_one() {
        let e = enumerate();
        assert!(
            e.starts_with("  ai         0x89      ATA information (SAT)\n"),
            "{e}"
        );
        assert!(e.contains("  sinq         -1      Standard inquiry response\n"));
    }

    #[test]
    fn supported_names_depend_on_the_device_type_in_b0h_to_bfh() {
        assert_eq!(
            page_name(0xb0, 1).as_deref(),
            Some("Sequential access device capabilities (ssc3)")
        );
        assert_eq!(page_name(0xb0, 5).as_deref(), Some("Block limits (sbc2)"));
        assert_eq!(page_name(0xb4, 0), None);
        assert_eq!(page_name(0x80, 1).as_deref(), Some("Unit serial number"));
        assert_eq!(page_of("sn"), Some(Some(0x80)));
        assert_eq!(page_of("sinq"), Some(None));
        assert_eq!(page_of("rdac_vers"), Some(Some(0xc2)));
        assert_eq!(page_of("s"), None);
        let mut out = Vec::new();
        supported(&mut out, &[0, 0, 0, 3, 0, 0x80, 0xb9], 0);
        assert_eq!(
            out,
            b"   Supported VPD pages:\n     0x0\tSupported VPD pages\n     \
              0x80\tUnit serial number\n     0xb9\n"
        );
    }

    #[test]
    fn serial_keeps_sg_inqs_in_place_leftovers() {
        let mut out = Vec::new();
        serial(&mut out, &[0, 0x80, 0, 3, b'a', 0, b'b']);
        assert_eq!(out, b"  Unit serial number: abb\n");
    }

    #[test]
    fn word_hex_is_dwordhexs_layout() {
        let mut words = vec![0u8; 16];
        words[0] = 0x5a;
        words[1] = 0x0c;
        let mut out = Vec::new();
        word_hex(&mut out, &words, 0);
        let line = String::from_utf8(out).unwrap();
        assert_eq!(line.len(), 77);
        assert!(line.starts_with(" 00     0c5a 0000 "), "{line}");
        let mut out = Vec::new();
        word_hex(&mut out, &words, -2);
        assert_eq!(out, b"0c5a 0000 0000 0000 0000 0000 0000 0000\n");
    }

    #[test]
    fn version_descriptor_families() {
        assert_eq!(
            version_descriptor(0x5c0).as_deref(),
            Some("SPC-5 (no version claimed)")
        );
        assert_eq!(version_descriptor(0x5c1), None);
    }
}
