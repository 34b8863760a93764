//! VPD pages as sg_vpd 1.46 prints them (`svpd_decode_t10()` and its page decoders,
//! src/sg_vpd.c; the designation descriptors as lib/sg_lib.c's
//! `sg_get_designation_descriptor_str()` gives them), and their JSON: shared by
//! `sgmap vpd` and `sgmap inquiry --vpd`. The decoding is sgmap-core's; this is the layout.
//!
//! Files by family: `designator` (83h's and every designation descriptor), `pages` (86h,
//! 89h, B0h–B2h), `json`.
//!
//! Text is built as bytes, not `String`: sg_vpd prints the device's bytes as they are
//! (`%s`), and so must a drop-in.

use std::io::Write as _;

use sgmap_core::response::{page, Association, Vpd};

mod designator;
mod json;
pub mod pages;

pub use designator::{
    association_name, code_set_name, designator, designator_type_name, quiet_ids, PROTOCOLS,
};
pub use json::json;

/// sg_vpd's standard pages (`standard_vpd_pg[]`), in its order (alphabetical by acronym,
/// which is the order its look-ups find): the rows of `table`, which is
/// [`crate::help::VPD_PAGES`] unpacked, each `[page, device type, acronym, name]` (the page
/// in two hex digits, the type -1 for any).
pub fn standard(table: &str) -> impl Iterator<Item = [&str; 4]> {
    crate::help::rows::<4>(table)
}

/// `--page=` subvalues of page 83h (sg_vpd's `VPD_DI_SEL_*`): which associations, or all
/// as found.
pub mod di {
    /// Logical unit designators only.
    pub const LU: u8 = 1;
    /// Target port designators only.
    pub const PORT: u8 = 2;
    /// Target device designators only.
    pub const TARGET: u8 = 4;
    /// Every designator in the page's order, each under its association.
    pub const AS_IS: u8 = 32;
}

/// The pages sgmap decodes; others are dumped in hex as sg_vpd dumps a page it does not
/// know.
pub const DECODED: &[u8] = &[
    0x00, 0x80, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0xb0, 0xb1, 0xb2,
];

/// Parses sg_vpd's `--page=PG`: an acronym of [`standard`] or a number (0 to 255): the page
/// and the 83h subvalue.
pub fn parse_page(s: &str) -> Result<(u8, u8), String> {
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        let subvalue = match s {
            "di_asis" => di::AS_IS,
            "di_lu" => di::LU,
            "di_port" => di::PORT,
            "di_target" => di::TARGET,
            _ => 0,
        };
        let table = crate::help::VPD_PAGES.to_string();
        let page = standard(&table).find(|e| e[2] == s);
        return match page.and_then(|e| u8::from_str_radix(e[0], 16).ok()) {
            Some(pn) => Ok((pn, subvalue)),
            None if s == "sinq" => Err(format!(
                "--page={s}: the standard INQUIRY data is 'sgmap inquiry'"
            )),
            None => Err(format!(
                "--page={s}: abbreviation doesn't match a VPD page (sv, sn, di, ei, ai, bl, \
                 bdc, lbpv, ...)"
            )),
        };
    }
    match crate::args::parse_num(s) {
        Ok(n) if n <= 0xff => Ok((n as u8, 0)),
        _ => Err(format!(
            "--page={s}: not a page number (0 to 255) or an abbreviation"
        )),
    }
}

/// sg_vpd's name and acronym of page `pn` for a device of type `pdt`
/// (`sdp_get_vpd_detail()`): the first entry of that type, else the first of any.
pub fn detail(pn: u8, pdt: u8) -> Option<(String, String)> {
    let table = crate::help::VPD_PAGES.to_string();
    let (page, pdt) = (format!("{pn:02x}"), pdt.to_string());
    let of_page = || standard(&table).filter(|e| e[0] == page);
    let e = of_page()
        .find(|e| e[1] == pdt)
        .or_else(|| of_page().next())?;
    Some((e[3].to_owned(), e[2].to_owned()))
}

/// How the page is to be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Decoded.
    Text,
    /// `--hex`: a hex dump.
    Hex,
    /// `--raw`: the bytes.
    Raw,
}

/// What sg_vpd prints before it fetches page `pn` (the page's name line, or for a page
/// it does not decode, that it has only hex): nothing for B0h–B2h, whose name depends on
/// the device type in the response.
pub fn preamble(pn: u8, form: Form) -> &'static str {
    if form == Form::Raw {
        return "";
    }
    match pn {
        0x00 => "Supported VPD pages VPD page:\n",
        0x80 => "Unit serial number VPD page:\n",
        0x83 => "Device Identification VPD page:\n",
        0x84 => "Software interface identification VPD page:\n",
        0x85 => "Management network addresses VPD page:\n",
        0x86 => "extended INQUIRY data VPD page:\n",
        0x87 => "Mode page policy VPD page:\n",
        0x88 => "SCSI Ports VPD page:\n",
        0x89 => "ATA information VPD page:\n",
        0xb0..=0xb2 => "",
        _ if form == Form::Text => "Only hex output supported\n",
        _ => "",
    }
}

/// The line after the preamble of a page sgmap does not decode (`VPD page code=0xNN:`).
pub fn unknown_line(pn: u8, form: Form) -> String {
    match form {
        Form::Raw => String::new(),
        _ => format!("VPD page code=0x{pn:02x}:\n"),
    }
}

/// What sg_vpd prints on stdout when fetching page `pn` failed (after the preamble).
pub fn fetch_failed(pn: u8, form: Form) -> String {
    match pn {
        0xb0..=0xb2 if form != Form::Raw => format!("VPD page=0x{pn:x}\n"),
        _ => String::new(),
    }
}

/// The allocation length sg_vpd asks first for page `pn` (`VPD_ATA_INFO_LEN` for 89h,
/// else `DEF_ALLOC_LEN`).
pub fn first_alloc(pn: u8) -> usize {
    if pn == page::ATA_INFORMATION {
        572
    } else {
        252
    }
}

/// What `--long` adds to a page's text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Long {
    /// EUI-64 and NAA designators broken into their fields (83h, 88h, B2h's).
    pub designators: bool,
    /// A field a line (86h), the signature and IDENTIFY data in hex (89h): `--long`
    /// without `--quiet`.
    pub fields: bool,
    /// 86h's SPT explained: the standard INQUIRY data has PROTECT set.
    pub protect: bool,
}

/// Appends page `rp` (its bytes through the last one, as fetched) as sg_vpd prints it
/// after the preamble; `subvalue` selects 83h's designators (see [`di`]).
pub fn body(out: &mut Vec<u8>, rp: &[u8], subvalue: u8, form: Form, long: Long) {
    let pn = rp.get(1).copied().unwrap_or(0);
    let pdt = rp.first().copied().unwrap_or(0) & 0x1f;
    if (0xb0..=0xb2).contains(&pn) {
        let name = block_page_name(pn, pdt);
        match name {
            None => {
                let _ = writeln!(out, "VPD page=0x{pn:x}, pdt=0x{pdt:x}:");
            }
            Some(n) if form != Form::Raw => {
                let _ = writeln!(out, "{n}");
            }
            Some(_) => {}
        }
    }
    match form {
        Form::Raw => return out.extend_from_slice(rp),
        Form::Hex if !DECODED.contains(&pn) => return hex_no_ascii(out, rp),
        Form::Hex if matches!(pn, 0x87 | 0x88) => return hex_no_ascii(out, rp),
        Form::Hex if pn == 0x86 && rp.len() < 7 => return,
        Form::Hex if pn == 0x89 && rp.len() < 36 => return,
        Form::Hex => return hex(out, rp),
        Form::Text => {}
    }
    let len = rp.len();
    let at = |i: usize| rp.get(i).copied().unwrap_or(0);
    let Ok(v) = Vpd::new_checked(rp) else {
        return;
    };
    match pn {
        0x00 => {
            let num = usize::from(at(3)).min(len.saturating_sub(4));
            for &code in rp.get(4..4 + num).unwrap_or(&[]) {
                match detail(code, pdt) {
                    Some((name, acron)) => {
                        let _ = writeln!(out, "  {name} [{acron}]");
                    }
                    None => {
                        let _ = writeln!(out, "  0x{code:x}");
                    }
                }
            }
        }
        0x80 => {
            out.extend_from_slice(b"  Unit serial number: ");
            let sn = rp.get(4..len.min(4 + 251)).unwrap_or(&[]);
            out.extend_from_slice(c_str(sn));
            out.push(b'\n');
        }
        0x83 => designator::device_identification(out, rp, subvalue, long.designators),
        0x84 => {
            for (company, ext) in v.software_interface_ids().into_iter().flatten() {
                let _ = writeln!(
                    out,
                    "    IEEE Company_id: 0x{company:06x}, vendor specific extension id: \
                     0x{ext:06x}"
                );
            }
        }
        0x85 => {
            for na in v.network_addresses().into_iter().flatten() {
                let _ = writeln!(
                    out,
                    "  {}, Service type: {}",
                    association_name(na.association),
                    service_type(na.service_type)
                );
                if !na.address.is_empty() {
                    out.extend_from_slice(b"    ");
                    out.extend_from_slice(c_str(na.address));
                    out.push(b'\n');
                }
            }
        }
        0x86 => pages::extended_inquiry(out, rp, long.fields, long.protect),
        0x87 => {
            const POLICY: [&str; 4] = [
                "shared",
                "per target port",
                "per initiator port",
                "per I_T nexus",
            ];
            for (k, p) in v.mode_page_policies().into_iter().flatten().enumerate() {
                let _ = write!(out, "  Policy page code: 0x{:x}", p.page_code);
                if p.subpage_code != 0 {
                    let _ = writeln!(out, ",  subpage code: 0x{:x}", p.subpage_code);
                } else {
                    out.push(b'\n');
                }
                if k == 0 && p.page_code == 0x3f && p.subpage_code == 0xff {
                    out.extend_from_slice(
                        b"  therefore the policy applies to all modes pages and subpages\n",
                    );
                }
                let _ = writeln!(
                    out,
                    "    MLUS={},  Policy: {}",
                    u8::from(p.mlus),
                    POLICY[usize::from(p.policy & 3)]
                );
            }
        }
        0x88 => {
            for port in v.scsi_ports().into_iter().flatten() {
                let _ = writeln!(out, "  Relative port={}", port.relative_port);
                if !port.initiator_transport_id.is_empty() {
                    // sg_vpd decodes the TransportID (sg_decode_transportid_str()); sgmap
                    // shows it in hex.
                    out.extend_from_slice(b"    Initiator port transport id:\n");
                    hex2str(out, port.initiator_transport_id, "    ", false);
                }
                if !port.target_port_descriptors.is_empty() {
                    out.extend_from_slice(b"    Target port descriptor(s):\n");
                    designator::dev_ids(
                        out,
                        Some(""),
                        "  ",
                        port.target_port_descriptors,
                        Some(Association::TargetPort),
                        long.designators,
                    );
                }
            }
        }
        0x89 => pages::ata_information(out, &v, long.fields),
        0xb0 if is_block(pdt) => pages::block_limits(out, &v),
        0xb0 if matches!(pdt, 1 | 8) => {
            let _ = writeln!(out, "  WORM={}", at(4) & 1);
        }
        0xb1 if is_block(pdt) => pages::block_device_characteristics(out, &v),
        0xb1 if matches!(pdt, 1 | 8 | 0x12) => {
            out.extend_from_slice(b"  Manufacturer-assigned serial number: ");
            out.extend_from_slice(c_str(rp.get(4..).unwrap_or(&[])));
            out.push(b'\n');
        }
        0xb2 if is_block(pdt) => pages::logical_block_provisioning(out, &v, long.designators),
        0xb0..=0xb2 => {}
        _ => hex(out, rp),
    }
}

/// Disk, write-once, optical memory, zoned: the SBC device types.
pub fn is_block(pdt: u8) -> bool {
    matches!(pdt, 0x00 | 0x04 | 0x07 | 0x14)
}

pub fn block_page_name(pn: u8, pdt: u8) -> Option<&'static str> {
    let tape = matches!(pdt, 1 | 8);
    Some(match pn {
        0xb0 if is_block(pdt) => "Block limits VPD page (SBC):",
        0xb0 if tape => "Sequential-access device capabilities VPD page (SSC):",
        0xb0 if pdt == 0x11 => "OSD information VPD page (OSD):",
        0xb1 if is_block(pdt) => "Block device characteristics VPD page (SBC):",
        0xb1 if tape => "Manufactured-assigned serial number VPD page (SSC):",
        0xb1 if pdt == 0x11 => "Security token VPD page (OSD):",
        0xb1 if pdt == 0x12 => "Manufactured-assigned serial number VPD page (ADC):",
        0xb2 if is_block(pdt) => "Logical block provisioning VPD page (SBC):",
        0xb2 if tape => "TapeAlert supported flags VPD page (SSC):",
        _ => return None,
    })
}

/// Bytes up to the first NUL, as `printf("%s")` prints them.
pub(crate) fn c_str(b: &[u8]) -> &[u8] {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    b.get(..end).unwrap_or(b)
}

/// `dStrHex(.., 0)`: offset, bytes, ASCII.
pub fn hex(out: &mut Vec<u8>, data: &[u8]) {
    let mut s = String::new();
    crate::out::hex_dump(data, &mut s);
    out.extend_from_slice(s.as_bytes());
}

/// `dStrHex(.., 1)`: offset and bytes, no ASCII, trailing spaces trimmed.
pub fn hex_no_ascii(out: &mut Vec<u8>, data: &[u8]) {
    let mut s = String::new();
    crate::out::hex_dump(data, &mut s);
    for line in s.lines() {
        out.extend_from_slice(line.get(..60).unwrap_or(line).trim_end().as_bytes());
        out.push(b'\n');
    }
}

/// `hex2str()` (`dStrHexStr()`): each line `leadin` and sixteen bytes (an extra space after
/// the eighth), trailing spaces trimmed; with `ascii`, the printable characters after
/// column `leadin + 52` (the last line's padded with spaces).
pub fn hex2str(out: &mut Vec<u8>, data: &[u8], leadin: &str, ascii: bool) {
    for chunk in data.chunks(16) {
        let mut line = String::from(leadin);
        for (i, b) in chunk.iter().enumerate() {
            if i == 8 {
                line.push(' ');
            }
            crate::json::push_hex_byte(&mut line, *b);
            line.push(' ');
        }
        let line = line.trim_end();
        if ascii {
            let _ = write!(out, "{line:<w$}   ", w = leadin.len() + 49);
            for i in 0..16 {
                out.push(match chunk.get(i) {
                    Some(&c) if (0x20..0x7f).contains(&c) => c,
                    Some(_) => b'.',
                    None => b' ',
                });
            }
        } else {
            out.extend_from_slice(line.as_bytes());
        }
        out.push(b'\n');
    }
}

pub fn service_type(t: u8) -> String {
    match SERVICE_TYPES.get(usize::from(t)) {
        Some(n) => (*n).to_owned(),
        None => format!("reserved[0x{t:x}]"),
    }
}

/// The service types of page 85h's network service descriptors (SPC), as sg3_utils names
/// them.
pub const SERVICE_TYPES: [&str; 8] = [
    "unspecified",
    "storage configuration service",
    "diagnostics",
    "status",
    "logging",
    "code download",
    "copy service",
    "administrative configuration service",
];

/// The page's name for JSON: sg_vpd's, for the device type.
pub fn page_name(pn: u8, pdt: u8) -> Option<String> {
    detail(pn, pdt).map(|(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A seed page (fuzz/seeds/vpd, read from scsi_debug and QEMU in the guest) and its text
    /// (demo/testdata/vpd), which is what sg_vpd 1.46 printed for the same device's page:
    /// the guest test cli_vpd compares the two there.
    macro_rules! golden {
        ($name:literal) => {
            (
                $name,
                &include_bytes!(concat!("../../../../fuzz/seeds/vpd/", $name))[..],
                include_str!(concat!("../../../testdata/vpd/", $name, ".txt")),
            )
        };
    }

    #[test]
    fn pages_read_in_the_guest_print_as_sg_vpd_printed_them() {
        let golden: &[(&str, &[u8], &str)] = &[
            golden!("qemu-b0-bl"),
            golden!("qemu-b1-bdc"),
            golden!("qemu-b2-lbpv"),
            golden!("scsi-debug-84-sii"),
            golden!("scsi-debug-85-mna"),
            golden!("scsi-debug-86-ei"),
            golden!("scsi-debug-87-mpp"),
            golden!("scsi-debug-88-sp"),
            golden!("scsi-debug-89-ai"),
            golden!("scsi-debug-b0-bl"),
            golden!("scsi-debug-b1-bdc"),
            golden!("scsi-debug-b2-lbpv"),
        ];
        for &(name, page, text) in golden {
            let mut out = Vec::new();
            out.extend_from_slice(preamble(page[1], Form::Text).as_bytes());
            body(&mut out, page, 0, Form::Text, Long::default());
            assert_eq!(String::from_utf8_lossy(&out), text, "{name}");
        }
    }

    #[test]
    fn page_abbreviations_and_numbers() {
        assert_eq!(parse_page("ai"), Ok((0x89, 0)));
        assert_eq!(parse_page("di_lu"), Ok((0x83, di::LU)));
        assert_eq!(parse_page("0xb2"), Ok((0xb2, 0)));
        assert_eq!(parse_page("178"), Ok((0xb2, 0)));
        assert!(parse_page("256").is_err());
        assert!(parse_page("sinq").is_err());
        assert!(parse_page("nope").is_err());
        // sg_vpd's names: of the device's type first, else the first of any type.
        let detail = |pn, pdt| detail(pn, pdt).map(|(n, a)| format!("{n} [{a}]"));
        assert_eq!(detail(0xb0, 0).as_deref(), Some("Block limits (SBC) [bl]"));
        assert_eq!(
            detail(0xb0, 1).as_deref(),
            Some("Sequential access device capabilities (SSC) [sad]")
        );
        assert_eq!(
            detail(0xb1, 0x12).as_deref(),
            Some("Manufacturer assigned serial number (ADC) [masa]")
        );
        assert_eq!(
            detail(0x83, 0).as_deref(),
            Some("Device identification [di]")
        );
        assert_eq!(
            detail(0x89, 5).as_deref(),
            Some("ATA information (SAT) [ai]")
        );
        assert_eq!(detail(0xc0, 0), None);
        // Every row: a page in two hex digits, a device type from -1 to 31, an acronym, a
        // name; inquiry's tables likewise.
        let table = crate::help::VPD_PAGES.to_string();
        for [page, pdt, acronym, name] in standard(&table) {
            assert!(
                page.len() == 2 && u8::from_str_radix(page, 16).is_ok(),
                "{page}"
            );
            assert!(matches!(pdt.parse::<i8>(), Ok(-1..=31)), "{page}: {pdt}");
            assert!(!acronym.is_empty() && !name.is_empty(), "{page}");
        }
        let table = crate::help::INQ_PAGES.to_string();
        for [page, acronym, name] in crate::help::rows::<3>(&table) {
            let hex = u8::from_str_radix(page, 16).is_ok();
            assert!(page.len() == 2 && (hex || page == "--"), "{page}");
            assert!(!acronym.is_empty() && !name.is_empty(), "{page}");
        }
        let table = crate::help::INQ_PAGE_NAMES.to_string();
        for [page, pdt, name] in crate::help::rows::<3>(&table) {
            assert!(
                page.len() == 2 && u8::from_str_radix(page, 16).is_ok(),
                "{page}"
            );
            assert!(matches!(pdt.parse::<u8>(), Ok(0..=31)), "{page}: {pdt}");
            assert!(!name.is_empty(), "{page}");
        }
    }

    #[test]
    fn field_templates_take_masked_bits_and_16_bit_values() {
        let mut out = Vec::new();
        pages::fields(
            &mut out,
            &[0xc5, 0x12, 0x34],
            "a=$00c0 b=$0007 c=$0100 d=$0280 e=$0901.",
        );
        assert_eq!(String::from_utf8(out).unwrap(), "a=3 b=5 c=4660 d=0 e=0.");
    }

    #[test]
    fn hex_layouts_are_dstrhexs() {
        let data: Vec<u8> = (0u8..20).collect();
        let mut out = Vec::new();
        hex_no_ascii(&mut out, &data);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            " 00     00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f\n 10     10 11 12 13\n"
        );
        let mut out = Vec::new();
        hex2str(&mut out, b"AB\x01", "  ", true);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("{:<51}   AB.{:13}\n", "  41 42 01", "")
        );
    }
}
