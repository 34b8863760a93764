//! VPD pages as sg_vpd 1.46 prints them (`svpd_decode_t10()` and its page decoders,
//! src/sg_vpd.c; the designation descriptors as lib/sg_lib.c's
//! `sg_get_designation_descriptor_str()` gives them), and their JSON: shared by
//! `sgmap vpd` and `sgmap inquiry --vpd`. The decoding is sgmap-core's; this is the layout.
//!
//! Text is built as bytes, not `String`: sg_vpd prints the device's bytes as they are
//! (`%s`), and so must a drop-in.

use std::io::Write as _;

use sgmap_core::response::{
    page, Association, CodeSet, Designator, DesignatorType, Designators, RotationRate, Vpd,
};

use crate::json::Json;

/// sg_vpd's `standard_vpd_pg[]` (page, peripheral device type or -1 for any, acronym,
/// name), in its order: alphabetical by acronym, which is the order its look-ups find.
const STANDARD: &[(u8, i8, &str, &str)] = &[
    (0x89, -1, "ai", "ATA information (SAT)"),
    (
        0x82,
        -1,
        "aod",
        "ASCII implemented operating definition (obsolete)",
    ),
    (0xb3, 1, "adsn", "Automation device serial number (SSC)"),
    (0xb0, 0, "bl", "Block limits (SBC)"),
    (0xb7, 0, "ble", "Block limits extension (SBC)"),
    (0xb1, 0, "bdc", "Block device characteristics (SBC)"),
    (
        0xb5,
        0,
        "bdce",
        "Block device characteristics extension (SBC)",
    ),
    (0x8c, 0, "cfa", "CFA profile information"),
    (0xb9, 0, "cpr", "Concurrent positioning ranges"),
    (0x8b, -1, "dc", "Device constituents"),
    (0x83, -1, "di", "Device identification"),
    (
        0x83,
        -1,
        "di_asis",
        "Like 'di' but designators ordered as found",
    ),
    (0x83, -1, "di_lu", "Device identification, lu only"),
    (
        0x83,
        -1,
        "di_port",
        "Device identification, target port only",
    ),
    (
        0x83,
        -1,
        "di_target",
        "Device identification, target device only",
    ),
    (
        0xb4,
        1,
        "dtde",
        "Data transfer device element address (SSC)",
    ),
    (0x86, -1, "ei", "Extended inquiry data"),
    (0xb8, 0, "fp", "Format presets"),
    (
        0x81,
        -1,
        "iod",
        "Implemented operating definition (obsolete)",
    ),
    (0xb5, 0, "lbpro", "Logical block protection (SSC)"),
    (0xb2, 0, "lbpv", "Logical block provisioning (SBC)"),
    (0xb1, 1, "mas", "Manufacturer assigned serial number (SSC)"),
    (
        0xb1,
        0x12,
        "masa",
        "Manufacturer assigned serial number (ADC)",
    ),
    (0x85, -1, "mna", "Management network addresses"),
    (0x87, -1, "mpp", "Mode page policy"),
    (0xb0, 0x11, "oi", "OSD information"),
    (0x8a, -1, "pc", "Power condition"),
    (0x8d, -1, "psm", "Power consumption"),
    (
        0x90,
        -1,
        "pslu",
        "Protocol-specific logical unit information",
    ),
    (0x91, -1, "pspo", "Protocol-specific port information"),
    (0xb3, 0, "ref", "Referrals (SBC)"),
    (
        0xb0,
        1,
        "sad",
        "Sequential access device capabilities (SSC)",
    ),
    (
        0xb4,
        0,
        "sbl",
        "Supported block lengths and protection types (SBC)",
    ),
    (0x92, -1, "sfs", "SCSI feature sets"),
    (0x84, -1, "sii", "Software interface identification"),
    (0x80, -1, "sn", "Unit serial number"),
    (0x88, -1, "sp", "SCSI ports"),
    (0xb1, 0x11, "st", "Security token (OSD)"),
    (0x00, -1, "sv", "Supported VPD pages"),
    (0xb2, 1, "tas", "TapeAlert supported flags (SSC)"),
    (0x8f, -1, "tpc", "Third party copy"),
    (0xb6, -1, "zbdch", "Zoned block device characteristics"),
];

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

/// Parses sg_vpd's `--page=PG`: an acronym of [`STANDARD`] or a number (0 to 255): the page
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
        return match STANDARD.iter().find(|e| e.2 == s) {
            Some(e) => Ok((e.0, subvalue)),
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
fn detail(pn: u8, pdt: u8) -> Option<(&'static str, &'static str)> {
    let of_type = STANDARD
        .iter()
        .find(|e| e.0 == pn && i16::from(e.1) == i16::from(pdt));
    of_type
        .or_else(|| STANDARD.iter().find(|e| e.0 == pn))
        .map(|e| (e.3, e.2))
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

/// Appends page `rp` (its bytes through the last one, as fetched) as sg_vpd prints it
/// after the preamble; `subvalue` selects 83h's designators (see [`di`]).
pub fn body(out: &mut Vec<u8>, rp: &[u8], subvalue: u8, form: Form) {
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
        0x83 => device_identification(out, rp, subvalue),
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
        0x86 => extended_inquiry(out, rp),
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
                    dev_ids(
                        out,
                        Some(""),
                        "  ",
                        port.target_port_descriptors,
                        Some(Association::TargetPort),
                    );
                }
            }
        }
        0x89 => ata_information(out, &v),
        0xb0 if is_block(pdt) => block_limits(out, &v),
        0xb0 if matches!(pdt, 1 | 8) => {
            let _ = writeln!(out, "  WORM={}", at(4) & 1);
        }
        0xb1 if is_block(pdt) => block_device_characteristics(out, &v),
        0xb1 if matches!(pdt, 1 | 8 | 0x12) => {
            out.extend_from_slice(b"  Manufacturer-assigned serial number: ");
            out.extend_from_slice(c_str(rp.get(4..).unwrap_or(&[])));
            out.push(b'\n');
        }
        0xb2 if is_block(pdt) => logical_block_provisioning(out, &v),
        0xb0..=0xb2 => {}
        _ => hex(out, rp),
    }
}

/// Disk, write-once, optical memory, zoned: the SBC device types.
fn is_block(pdt: u8) -> bool {
    matches!(pdt, 0x00 | 0x04 | 0x07 | 0x14)
}

fn block_page_name(pn: u8, pdt: u8) -> Option<&'static str> {
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
fn c_str(b: &[u8]) -> &[u8] {
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
fn hex2str(out: &mut Vec<u8>, data: &[u8], leadin: &str, ascii: bool) {
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

/// sg3_utils' `sg_lib_transport_proto_strs`.
const PROTOCOLS: [&str; 16] = [
    "Fibre Channel Protocol for SCSI (FCP-5)",
    "SCSI Parallel Interface (SPI-5)",
    "Serial Storage Architecture SCSI-3 Protocol (SSA-S3P)",
    "Serial Bus Protocol for IEEE 1394 (SBP-3)",
    "SCSI RDMA Protocol (SRP)",
    "Internet SCSI (iSCSI)",
    "Serial Attached SCSI Protocol (SPL-4)",
    "Automation/Drive Interface Transport (ADT-2)",
    "AT Attachment Interface (ACS-2)",
    "USB Attached SCSI (UAS-2)",
    "SCSI over PCI Express (SOP)",
    "PCIe",
    "Oxc",
    "Oxd",
    "Oxe",
    "No specific protocol",
];

fn service_type(t: u8) -> String {
    const NAMES: [&str; 8] = [
        "unspecified",
        "storage configuration service",
        "diagnostics",
        "status",
        "logging",
        "code download",
        "copy service",
        "administrative configuration service",
    ];
    match NAMES.get(usize::from(t)) {
        Some(n) => (*n).to_owned(),
        None => format!("reserved[0x{t:x}]"),
    }
}

/// sg3_utils' names of designator types, code sets and associations (lib/sg_lib.c
/// `sg_get_desig_type_str()`, `sg_get_desig_code_set_str()`, `sg_get_desig_assoc_str()`).
pub fn designator_type_name(t: DesignatorType) -> String {
    match t {
        DesignatorType::VendorSpecific => "vendor specific [0x0]",
        DesignatorType::T10VendorId => "T10 vendor identification",
        DesignatorType::Eui64 => "EUI-64 based",
        DesignatorType::Naa => "NAA",
        DesignatorType::RelativeTargetPort => "Relative target port",
        DesignatorType::TargetPortGroup => "Target port group",
        DesignatorType::LogicalUnitGroup => "Logical unit group",
        DesignatorType::Md5LogicalUnit => "MD5 logical unit identifier",
        DesignatorType::ScsiName => "SCSI name string",
        DesignatorType::ProtocolSpecificPort => "Protocol specific port identifier",
        DesignatorType::Uuid => "UUID identifier",
        DesignatorType::Unknown(n) => return format!("Reserved [0x{n:x}]"),
    }
    .to_owned()
}

/// See [`designator_type_name`].
pub fn code_set_name(c: CodeSet) -> String {
    match c {
        CodeSet::Binary => "Binary",
        CodeSet::Ascii => "ASCII",
        CodeSet::Utf8 => "UTF-8",
        CodeSet::Unknown(n) => return format!("Reserved [0x{n:x}]"),
    }
    .to_owned()
}

/// See [`designator_type_name`].
pub fn association_name(a: Association) -> String {
    match a {
        Association::LogicalUnit => "Addressed logical unit",
        Association::TargetPort => "Target port",
        Association::TargetDevice => "Target device that contains addressed lu",
        Association::Unknown(n) => return format!("Reserved [0x{n:x}]"),
    }
    .to_owned()
}

/// The 83h page (`decode_id_vpd()`): by association (subvalue 0: all three in turn), or
/// as found.
fn device_identification(out: &mut Vec<u8>, rp: &[u8], subvalue: u8) {
    let b = rp.get(4..).unwrap_or(&[]);
    let groups = [
        (di::LU, Association::LogicalUnit),
        (di::PORT, Association::TargetPort),
        (di::TARGET, Association::TargetDevice),
    ];
    if subvalue == di::AS_IS {
        return dev_ids(out, None, "", b, None);
    }
    for (bit, assoc) in groups {
        if subvalue == 0 || subvalue & bit != 0 {
            dev_ids(out, Some(&association_name(assoc)), "", b, Some(assoc));
        }
    }
}

/// `decode_dev_ids()`: the designators of `buff` with association `only` (all for
/// `None`); `heading` once before the first (when not empty), or, for `None`, each one's
/// association before it.
fn dev_ids(
    out: &mut Vec<u8>,
    heading: Option<&str>,
    sp: &str,
    buff: &[u8],
    only: Option<Association>,
) {
    if buff.get(2).is_some_and(|&b| b != 0) {
        return;
    }
    let mut printed = false;
    for d in Designators::over(buff) {
        if only.is_some_and(|a| a != d.association) {
            continue;
        }
        match heading {
            Some(h) if !printed => {
                printed = true;
                if !h.is_empty() {
                    let _ = writeln!(out, "  {h}:");
                }
            }
            Some(_) => {}
            None => {
                let _ = writeln!(out, "  {sp}{}:", association_name(d.association));
            }
        }
        designator(out, sp, &d);
    }
}

/// One designation descriptor as `sg_get_designation_descriptor_str()` prints it (not
/// long), each line led by `lip`.
pub fn designator(out: &mut Vec<u8>, lip: &str, d: &Designator<'_>) {
    let ip = d.designator;
    let dlen = ip.len();
    let c_set = u8::from(d.code_set);
    let assoc = u8::from(d.association);
    let at = |i: usize| ip.get(i).copied().unwrap_or(0);
    let be16 = |i: usize| u16::from_be_bytes([at(i), at(i + 1)]);
    let hexs = |out: &mut Vec<u8>, b: &[u8]| {
        out.extend_from_slice(b"0x");
        for x in b {
            let _ = write!(out, "{x:02x}");
        }
        out.push(b'\n');
    };
    let _ = writeln!(
        out,
        "{lip}    designator type: {},  code set: {}",
        designator_type_name(d.designator_type),
        code_set_name(d.code_set)
    );
    if d.piv && (assoc == 1 || assoc == 2) {
        let _ = writeln!(
            out,
            "{lip}     transport: {}",
            PROTOCOLS[usize::from(d.protocol_identifier & 0xf)]
        );
    }
    let pre = format!("{lip}      ");
    match u8::from(d.designator_type) {
        0 => {
            let mut k = 0;
            if c_set == 1 || c_set == 2 {
                k = ip.iter().take_while(|c| (0x20..0x7f).contains(*c)).count();
                if k >= dlen {
                    k = 1;
                }
            }
            if k != 0 {
                let _ = write!(out, "{pre}vendor specific: ");
                out.extend_from_slice(c_str(ip));
                out.push(b'\n');
            } else {
                let _ = writeln!(out, "{pre}vendor specific:");
                hex2str(out, ip, lip, true);
            }
        }
        1 => {
            let _ = write!(out, "{pre}vendor id: ");
            out.extend_from_slice(c_str(ip.get(..8).unwrap_or(ip)));
            out.push(b'\n');
            if dlen > 8 {
                let _ = write!(out, "{pre}vendor specific: ");
                let rest = ip.get(8..).unwrap_or(&[]);
                if c_set == 2 || c_set == 3 {
                    out.extend_from_slice(c_str(rest));
                    out.push(b'\n');
                } else {
                    hexs(out, rest);
                }
            }
        }
        2 => {
            if matches!(dlen, 8 | 12 | 16) {
                out.extend_from_slice(pre.as_bytes());
                hexs(out, ip);
            } else {
                let _ = writeln!(out, "{pre}<< expect 8, 12 and 16 byte EUI, got {dlen} >>");
                hex2str(out, ip, lip, false);
            }
        }
        3 => {
            let naa = at(0) >> 4;
            let want = match naa {
                2 | 3 | 5 => Some(8),
                6 => Some(16),
                _ => None,
            };
            if c_set != 1 {
                let _ = writeln!(out, "{pre}<< unexpected code set {c_set} for NAA >>");
                hex2str(out, ip, lip, false);
            } else if want.is_none() {
                let _ = writeln!(out, "{pre}<< unexpected NAA [0x{naa:x}] >>");
                hex2str(out, ip, lip, false);
            } else if want != Some(dlen) {
                let _ = writeln!(
                    out,
                    "{pre}<< unexpected NAA {naa} identifier length: 0x{dlen:x} >>"
                );
                hex2str(out, ip, lip, false);
            } else {
                out.extend_from_slice(pre.as_bytes());
                hexs(out, ip);
            }
        }
        t @ 4..=6 => {
            let (want_assoc, what, name) = match t {
                4 => (1, "target port", "Relative target port"),
                5 => (1, "target port", "Target port group"),
                _ => (0, "logical unit", "Logical unit group"),
            };
            if c_set != 1 || assoc != want_assoc || dlen != 4 {
                let _ = writeln!(
                    out,
                    "{pre}<< expected binary code_set, {what} association, length 4 >>"
                );
                hex2str(out, ip, if t == 4 { "" } else { lip }, false);
            } else {
                let _ = writeln!(out, "{pre}{name}: 0x{:x}", be16(2));
            }
        }
        7 => {
            if c_set != 1 || assoc != 0 {
                let _ = writeln!(
                    out,
                    "{pre}<< expected binary code_set, logical unit association >>"
                );
                hex2str(out, ip, "", false);
            } else {
                let _ = writeln!(out, "{pre}MD5 logical unit identifier:");
                hex2str(out, ip, lip, false);
            }
        }
        8 => {
            if c_set != 3 && c_set != 2 {
                let _ = writeln!(out, "{pre}<< expected UTF-8 code_set >>");
                hex2str(out, ip, lip, true);
            } else {
                let _ = writeln!(out, "{pre}SCSI name string:");
                out.extend_from_slice(pre.as_bytes());
                out.extend_from_slice(c_str(ip));
                out.push(b'\n');
            }
        }
        9 => {
            if !d.piv {
                let _ = writeln!(
                    out,
                    " {pre}>>>> Protocol specific port identifier expects protocol\n{lip}          \
                     identifier to be valid and it is not"
                );
            }
            match d.protocol_identifier {
                9 => {
                    let _ = writeln!(out, "{pre}USB device address: 0x{:x}", at(0) & 0x7f);
                    let _ = writeln!(out, "{pre}USB interface number: 0x{:x}", at(2));
                }
                0xa => {
                    let _ = writeln!(out, "{pre}PCIe routing ID, bus number: 0x{:x}", at(0));
                    let _ = writeln!(out, "{lip}          function number: 0x{:x}", at(1));
                    let _ = writeln!(
                        out,
                        "{lip}          [or device number: 0x{:x}, function number: 0x{:x}]",
                        (at(1) >> 3) & 0x1f,
                        at(1) & 0x7
                    );
                }
                p => {
                    let _ = writeln!(
                        out,
                        "{pre}>>>> unexpected protocol identifier: {}\n{lip}           with \
                         Protocol specific port identifier",
                        PROTOCOLS[usize::from(p & 0xf)]
                    );
                }
            }
        }
        0xa => {
            if c_set != 1 {
                let _ = writeln!(out, "{pre}<< expected binary code_set >>");
                hex2str(out, ip, lip, true);
            } else if at(0) >> 4 != 1 || dlen != 18 {
                let _ = writeln!(
                    out,
                    "{pre}<< expected locally assigned UUID, 16 bytes long >>"
                );
                hex2str(out, ip, lip, true);
            } else {
                let _ = write!(out, "{pre}Locally assigned UUID: ");
                for m in 0..16 {
                    if matches!(m, 4 | 6 | 8 | 10) {
                        out.push(b'-');
                    }
                    let _ = write!(out, "{:02x}", at(2 + m));
                }
                out.push(b'\n');
            }
        }
        t => {
            let _ = writeln!(out, "{pre}reserved designator=0x{t:x}");
            hex2str(out, ip, lip, false);
        }
    }
}

/// The 86h page (`decode_x_inq_vpd()`, not long).
fn extended_inquiry(out: &mut Vec<u8>, rp: &[u8]) {
    if rp.len() < 7 {
        return;
    }
    let b = |i: usize| rp.get(i).copied().unwrap_or(0);
    let f = |i: usize, m: u8| u8::from(b(i) & m != 0);
    let _ = writeln!(
        out,
        "  ACTIVATE_MICROCODE={} SPT={} GRD_CHK={} APP_CHK={} REF_CHK={}",
        b(4) >> 6,
        (b(4) >> 3) & 7,
        f(4, 4),
        f(4, 2),
        f(4, 1)
    );
    let _ = writeln!(
        out,
        "  UASK_SUP={} GROUP_SUP={} PRIOR_SUP={} HEADSUP={} ORDSUP={} SIMPSUP={}",
        f(5, 0x20),
        f(5, 0x10),
        f(5, 8),
        f(5, 4),
        f(5, 2),
        f(5, 1)
    );
    let _ = writeln!(
        out,
        "  WU_SUP={} [CRD_SUP={}] NV_SUP={} V_SUP={}",
        f(6, 8),
        f(6, 4),
        f(6, 2),
        f(6, 1)
    );
    let _ = writeln!(
        out,
        "  NO_PI_CHK={} P_I_I_SUP={} LUICLR={}",
        f(7, 0x20),
        f(7, 0x10),
        f(7, 1)
    );
    let _ = writeln!(
        out,
        "  LU_COLL_TYPE={} R_SUP={} RTD_SUP={} HSSRELEF={} [CBCS={}]",
        b(8) >> 5,
        f(8, 0x10),
        f(8, 8),
        f(8, 2),
        f(8, 1)
    );
    let _ = writeln!(out, "  Multi I_T nexus microcode download={}", b(9) & 0xf);
    let _ = writeln!(
        out,
        "  Extended self-test completion minutes={}",
        u16::from_be_bytes([b(10), b(11)])
    );
    let _ = writeln!(
        out,
        "  POA_SUP={} HRA_SUP={} VSA_SUP={} DMS_VALID={}",
        f(12, 0x80),
        f(12, 0x40),
        f(12, 0x20),
        f(12, 0x10)
    );
    let _ = writeln!(out, "  Maximum supported sense data length={}", b(13));
    let _ = writeln!(
        out,
        "  IBS={} IAS={} SAC={} NRD1={} NRD0={}",
        f(14, 0x80),
        f(14, 0x40),
        f(14, 4),
        f(14, 2),
        f(14, 1)
    );
    let _ = writeln!(
        out,
        "  Maximum inquiry change logs={}",
        u16::from_be_bytes([b(15), b(16)])
    );
    let _ = writeln!(
        out,
        "  Maximum mode page change logs={}",
        u16::from_be_bytes([b(17), b(18)])
    );
    let _ = writeln!(
        out,
        "  DM_MD_4={} DM_MD_5={} DM_MD_6={} DM_MD_7={}",
        f(19, 0x80),
        f(19, 0x40),
        f(19, 0x20),
        f(19, 0x10)
    );
    let _ = writeln!(
        out,
        "  DM_MD_D={} DM_MD_E={} DM_MD_F={}",
        f(19, 8),
        f(19, 4),
        f(19, 2)
    );
}

/// The 89h page (`decode_ata_info_vpd()`, not long).
fn ata_information(out: &mut Vec<u8>, v: &Vpd<&[u8]>) {
    let len = v.page().len();
    let Ok(ai) = v.ata_information() else {
        return;
    };
    if len < 36 {
        return;
    }
    for (label, field) in [
        ("SAT Vendor identification", ai.sat_vendor()),
        ("SAT Product identification", ai.sat_product()),
        ("SAT Product revision level", ai.sat_revision()),
    ] {
        let _ = write!(out, "  {label}: ");
        out.extend_from_slice(c_str(field.unwrap_or(&[])));
        out.push(b'\n');
    }
    if len < 56 {
        return;
    }
    let transport = if ai.is_sata() == Some(true) {
        "SATA"
    } else {
        "PATA"
    };
    let _ = writeln!(out, "  Device signature indicates {transport} transport");
    let cc = ai.command_code().unwrap_or(0);
    let _ = writeln!(out, "  Command code: 0x{cc:x}");
    if len < 60 {
        return;
    }
    let kind = match cc {
        0xec => "",
        0xa1 => "PACKET ",
        _ => return,
    };
    let _ = writeln!(out, "  ATA command IDENTIFY {kind}DEVICE response summary:");
    for (label, s) in [
        ("model", ai.model()),
        ("serial number", ai.serial()),
        ("firmware revision", ai.firmware()),
    ] {
        let _ = write!(out, "    {label}: ");
        out.extend(s.chars());
        out.push(b'\n');
    }
}

/// `N blocks`, or `0 blocks [why]` for 0.
fn blocks(out: &mut Vec<u8>, label: &str, n: u32, zero: &str) {
    if n == 0 {
        let _ = writeln!(out, "  {label}: 0 {zero}");
    } else {
        let _ = writeln!(out, "  {label}: {n} blocks");
    }
}

/// The B0h page of a block device (`decode_b0_vpd()`).
fn block_limits(out: &mut Vec<u8>, v: &Vpd<&[u8]>) {
    let len = v.page().len();
    let Ok(bl) = v.block_limits() else {
        return;
    };
    if len < 16 {
        return;
    }
    let page = v.page();
    let be32 = |i: usize| {
        page.get(i..i + 4)
            .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let nr = "blocks [not reported]";
    let _ = writeln!(
        out,
        "  Write same non-zero (WSNZ): {}",
        u8::from(bl.wsnz() == Some(true))
    );
    blocks(
        out,
        "Maximum compare and write length",
        u32::from(bl.maximum_compare_and_write_length().unwrap_or(0)),
        "blocks [Command not implemented]",
    );
    blocks(
        out,
        "Optimal transfer length granularity",
        u32::from(bl.optimal_transfer_length_granularity().unwrap_or(0)),
        nr,
    );
    blocks(out, "Maximum transfer length", be32(8), nr);
    blocks(out, "Optimal transfer length", be32(12), nr);
    if len > 19 {
        blocks(
            out,
            "Maximum prefetch transfer length",
            be32(16),
            "blocks [ignored]",
        );
    }
    if len > 27 {
        for (label, n) in [
            ("Maximum unmap LBA count", be32(20)),
            ("Maximum unmap block descriptor count", be32(24)),
        ] {
            match n {
                0 => {
                    let _ = writeln!(out, "  {label}: 0 [Unmap command not implemented]");
                }
                u32::MAX => {
                    let _ = writeln!(out, "  {label}: -1 [unbounded]");
                }
                n => {
                    let _ = writeln!(out, "  {label}: {n}");
                }
            }
        }
    }
    if len > 35 {
        blocks(out, "Optimal unmap granularity", be32(28), nr);
        let valid = bl.ugavalid() == Some(true);
        let _ = writeln!(out, "  Unmap granularity alignment valid: {valid}");
        let _ = writeln!(
            out,
            "  Unmap granularity alignment: {}{}",
            be32(32) & 0x7fff_ffff,
            if valid { "" } else { " [invalid]" }
        );
    }
    if len > 43 {
        match bl.maximum_write_same_length().unwrap_or(0) {
            0 => {
                let _ = writeln!(out, "  Maximum write same length: 0 {nr}");
            }
            n => {
                let _ = writeln!(out, "  Maximum write same length: 0x{n:x} blocks");
            }
        }
    }
    if len > 44 {
        blocks(out, "Maximum atomic transfer length", be32(44), nr);
        let plain = |out: &mut Vec<u8>, label: &str, n: u32, zero: &str| {
            if n == 0 {
                let _ = writeln!(out, "  {label}: 0 [{zero}");
            } else {
                let _ = writeln!(out, "  {label}: {n}");
            }
        };
        plain(
            out,
            "Atomic alignment",
            be32(48),
            "unaligned atomic writes permitted]",
        );
        // sg_vpd 1.46 leaves this bracket open.
        plain(
            out,
            "Atomic transfer length granularity",
            be32(52),
            "no granularity requirement",
        );
    }
    if len > 56 {
        blocks(
            out,
            "Maximum atomic transfer length with atomic boundary",
            be32(56),
            nr,
        );
        blocks(
            out,
            "Maximum atomic boundary size",
            be32(60),
            "blocks [can only write atomic 1 block]",
        );
    }
}

/// The B1h page of a block device (`decode_b1_vpd()`).
fn block_device_characteristics(out: &mut Vec<u8>, v: &Vpd<&[u8]>) {
    const PRODUCT: [&str; 8] = [
        "Not specified",
        "CFast",
        "CompactFlash",
        "MemoryStick",
        "MultiMediaCard",
        "Secure Digital Card (SD)",
        "XQD",
        "Universal Flash Storage Card (UFS)",
    ];
    const FORM: [&str; 6] = [
        " not reported",
        ": 5.25 inch",
        ": 3.5 inch",
        ": 2.5 inch",
        ": 1.8 inch",
        ": less then 1.8 inch",
    ];
    const ZONED: [&str; 4] = ["", "  [host-aware]", "  [host-managed]", ""];
    let Ok(c) = v.block_device_characteristics() else {
        return;
    };
    if v.page().len() < 64 {
        return;
    }
    match c.medium_rotation_rate() {
        Some(RotationRate::NotReported) | None => {
            out.extend_from_slice(b"  Medium rotation rate is not reported\n")
        }
        Some(RotationRate::NonRotating) => {
            out.extend_from_slice(b"  Non-rotating medium (e.g. solid state)\n")
        }
        Some(RotationRate::Reserved(n)) => {
            let _ = writeln!(out, "  Reserved [0x{n:x}]");
        }
        Some(RotationRate::Rpm(n)) => {
            let _ = writeln!(out, "  Nominal rotation rate: {n} rpm");
        }
    }
    let pt = c.product_type().unwrap_or(0);
    match PRODUCT.get(usize::from(pt)) {
        Some(name) => {
            let _ = writeln!(out, "  Product type: {name}");
        }
        None if pt < 0xf0 => {
            let _ = writeln!(out, "  Product type: Reserved [0x{pt:x}]");
        }
        None => {
            let _ = writeln!(out, "  Product type: Vendor specific [0x{pt:x}]");
        }
    }
    let _ = writeln!(out, "  WABEREQ={}", c.wabereq().unwrap_or(0));
    let _ = writeln!(out, "  WACEREQ={}", c.wacereq().unwrap_or(0));
    let ff = c.nominal_form_factor().unwrap_or(0);
    let _ = writeln!(
        out,
        "  Nominal form factor{}",
        FORM.get(usize::from(ff)).unwrap_or(&": reserved")
    );
    let zoned = c.zoned().unwrap_or(0);
    let bit = |b: Option<bool>| u8::from(b == Some(true));
    let _ = writeln!(out, "  ZONED={zoned}{}", ZONED[usize::from(zoned & 3)]);
    let _ = writeln!(out, "  RBWZ={}", bit(c.rbwz()));
    let _ = writeln!(out, "  BOCS={}", bit(c.bocs()));
    let _ = writeln!(out, "  FUAB={}", bit(c.fuab()));
    let _ = writeln!(out, "  VBULS={}", bit(c.vbuls()));
    let _ = writeln!(
        out,
        "  DEPOPULATION_TIME={} (seconds)",
        c.depopulation_time().unwrap_or(0)
    );
}

/// The B2h page of a block device (`decode_block_lb_prov_vpd()`).
fn logical_block_provisioning(out: &mut Vec<u8>, v: &Vpd<&[u8]>) {
    const TYPE: [&str; 3] = [
        "not known or fully provisioned",
        "resource provisioned",
        "thin provisioned",
    ];
    let Ok(p) = v.logical_block_provisioning() else {
        return;
    };
    let bit = |b: Option<bool>| u8::from(b == Some(true));
    let _ = writeln!(out, "  Unmap command supported (LBPU): {}", bit(p.lbpu()));
    let _ = writeln!(
        out,
        "  Write same (16) with unmap bit supported (LBPWS): {}",
        bit(p.lbpws())
    );
    let _ = writeln!(
        out,
        "  Write same (10) with unmap bit supported (LBPWS10): {}",
        bit(p.lbpws10())
    );
    let _ = writeln!(
        out,
        "  Logical block provisioning read zeros (LBPRZ): {}",
        p.lbprz().unwrap_or(0)
    );
    let _ = writeln!(
        out,
        "  Anchored LBAs supported (ANC_SUP): {}",
        bit(p.anc_sup())
    );
    match p.threshold_exponent().unwrap_or(0) {
        0 => out.extend_from_slice(b"  Threshold exponent: 0 [threshold sets not supported]\n"),
        n => {
            let _ = writeln!(out, "  Threshold exponent: {n}");
        }
    }
    let _ = writeln!(out, "  Descriptor present (DP): {}", bit(p.dp()));
    match p.minimum_percentage().unwrap_or(0) {
        0 => out.extend_from_slice(b"  Minimum percentage: 0 [not reported]\n"),
        n => {
            let _ = writeln!(out, "  Minimum percentage: {n}");
        }
    }
    let pt = p.provisioning_type().map_or(0, u8::from);
    let name = match TYPE.get(usize::from(pt)) {
        Some(n) => (*n).to_owned(),
        None => format!("reserved [0x{pt:x}]"),
    };
    let _ = writeln!(out, "  Provisioning type: {pt} ({name})");
    match p.threshold_percentage().unwrap_or(0) {
        0 => out.extend_from_slice(b"  Threshold percentage: 0 [percentages not supported]\n"),
        n => {
            let _ = writeln!(out, "  Threshold percentage: {n}");
        }
    }
    if v.page().len() > 11 {
        if let Some(d) = p.provisioning_group_descriptor() {
            if !d.designator.is_empty() {
                out.extend_from_slice(b"  Provisioning group descriptor:\n");
                designator(out, "    ", &d);
            }
        }
    }
}

/// The page's name for JSON: sg_vpd's, for the device type.
pub fn page_name(pn: u8, pdt: u8) -> Option<&'static str> {
    detail(pn, pdt).map(|(name, _)| name)
}

/// The JSON of a VPD page (schema in JSON.md): the header and the fields sg_vpd 1.48 names
/// (`sg_vpd_js_hdr()` and the page decoders of src/sg_vpd_common.c,
/// `sgj_js_designation_descriptor()` of lib/sg_json_sg_lib.c), snake_case as its
/// `sgj_convert2snake()` makes them, one-bit fields as booleans, absent ones `null`;
/// `device`, `page_name`, `page_length`, `payload`, `pages` and the `_name` strings are
/// sgmap's.
pub fn json(device: &str, v: &Vpd<&[u8]>) -> String {
    let p = v.page_code();
    let pdt = u8::from(v.device_type());
    let mut j = Json::object();
    j.str("device", device)
        .u64("peripheral_qualifier", u64::from(u8::from(v.qualifier())))
        .u64("peripheral_device_type", u64::from(pdt))
        .u64("page_code", u64::from(p))
        .opt_str("page_name", page_name(p, pdt))
        .u64("page_length", u64::from(v.page_length()));
    let o8 = |x: Option<u8>| x.map(u64::from);
    let o16 = |x: Option<u16>| x.map(u64::from);
    let o32 = |x: Option<u32>| x.map(u64::from);
    let ob = |j: &mut Json, k: &str, x: Option<bool>| {
        match x {
            Some(b) => j.bool(k, b),
            None => j.null(k),
        };
    };
    match p {
        page::SUPPORTED_PAGES => {
            j.begin_array("pages");
            if let Ok(pages) = v.supported_pages() {
                for code in pages {
                    j.item_u64(u64::from(code));
                }
            }
            j.end_array();
        }
        page::UNIT_SERIAL_NUMBER => {
            let sn = v.unit_serial_number().map(|t| t.to_string()).ok();
            j.opt_str("unit_serial_number", sn.as_deref());
        }
        page::DEVICE_IDENTIFICATION => {
            j.begin_array("designation_descriptor_list");
            if let Ok(designators) = v.designators() {
                for d in designators {
                    designator_json(&mut j, &d);
                }
            }
            j.end_array();
        }
        page::EXTENDED_INQUIRY => {
            if let Ok(x) = v.extended_inquiry() {
                j.opt_u64("activate_microcode", o8(x.activate_microcode()))
                    .opt_u64("spt", o8(x.spt()));
                type Bit =
                    for<'a, 'b> fn(&'a sgmap_core::response::ExtendedInquiry<'b>) -> Option<bool>;
                let bits: [(&str, Bit); 36] = [
                    ("grd_chk", |x| x.grd_chk()),
                    ("app_chk", |x| x.app_chk()),
                    ("ref_chk", |x| x.ref_chk()),
                    ("uask_sup", |x| x.uask_sup()),
                    ("group_sup", |x| x.group_sup()),
                    ("prior_sup", |x| x.prior_sup()),
                    ("headsup", |x| x.headsup()),
                    ("ordsup", |x| x.ordsup()),
                    ("simpsup", |x| x.simpsup()),
                    ("wu_sup", |x| x.wu_sup()),
                    ("crd_sup", |x| x.crd_sup()),
                    ("nv_sup", |x| x.nv_sup()),
                    ("v_sup", |x| x.v_sup()),
                    ("no_pi_chk", |x| x.no_pi_chk()),
                    ("p_i_i_sup", |x| x.p_i_i_sup()),
                    ("luiclr", |x| x.luiclr()),
                    ("r_sup", |x| x.r_sup()),
                    ("rtd_sup", |x| x.rtd_sup()),
                    ("hssrelef", |x| x.hssrelef()),
                    ("cbcs", |x| x.cbcs()),
                    ("poa_sup", |x| x.poa_sup()),
                    ("hra_sup", |x| x.hra_sup()),
                    ("vsa_sup", |x| x.vsa_sup()),
                    ("dms_valid", |x| x.dms_valid()),
                    ("ibs", |x| x.ibs()),
                    ("ias", |x| x.ias()),
                    ("sac", |x| x.sac()),
                    ("nrd1", |x| x.nrd1()),
                    ("nrd0", |x| x.nrd0()),
                    ("dm_md_4", |x| x.dm_md_4()),
                    ("dm_md_5", |x| x.dm_md_5()),
                    ("dm_md_6", |x| x.dm_md_6()),
                    ("dm_md_7", |x| x.dm_md_7()),
                    ("dm_md_d", |x| x.dm_md_d()),
                    ("dm_md_e", |x| x.dm_md_e()),
                    ("dm_md_f", |x| x.dm_md_f()),
                ];
                for (k, f) in bits {
                    ob(&mut j, k, f(&x));
                }
                j.opt_u64("lu_coll_type", o8(x.lu_coll_type()))
                    .opt_u64(
                        "multi_i_t_nexus_microcode_download",
                        o8(x.multi_i_t_nexus_microcode_download()),
                    )
                    .opt_u64(
                        "extended_self_test_completion_minutes",
                        o16(x.extended_self_test_completion_minutes()),
                    )
                    .opt_u64(
                        "maximum_supported_sense_data_length",
                        o8(x.maximum_supported_sense_data_length()),
                    )
                    .opt_u64(
                        "maximum_inquiry_change_logs",
                        o16(x.maximum_inquiry_change_logs()),
                    )
                    .opt_u64(
                        "maximum_mode_page_change_logs",
                        o16(x.maximum_mode_page_change_logs()),
                    );
            }
        }
        page::ATA_INFORMATION => {
            if let Ok(a) = v.ata_information() {
                let text =
                    |b: Option<&[u8]>| b.map(|b| String::from_utf8_lossy(c_str(b)).into_owned());
                j.opt_str("sat_vendor_identification", text(a.sat_vendor()).as_deref())
                    .opt_str(
                        "sat_product_identification",
                        text(a.sat_product()).as_deref(),
                    )
                    .opt_str(
                        "sat_product_revision_level",
                        text(a.sat_revision()).as_deref(),
                    );
                match a.device_signature() {
                    Some(s) => j.hex("ata_device_signature", s),
                    None => j.null("ata_device_signature"),
                };
                j.opt_u64("command_code", o8(a.command_code()));
                let ata = !a.identify().is_empty();
                let s = |x: sgmap_core::response::AtaString<'_>| ata.then(|| x.to_string());
                j.opt_str("model", s(a.model()).as_deref())
                    .opt_str("serial_number", s(a.serial()).as_deref())
                    .opt_str("firmware_revision", s(a.firmware()).as_deref());
            }
        }
        page::BLOCK_LIMITS => {
            if let Ok(bl) = v.block_limits() {
                ob(&mut j, "wsnz", bl.wsnz());
                j.opt_u64(
                    "maximum_compare_and_write_length",
                    o8(bl.maximum_compare_and_write_length()),
                )
                .opt_u64(
                    "optimal_transfer_length_granularity",
                    o16(bl.optimal_transfer_length_granularity()),
                )
                .opt_u64("maximum_transfer_length", o32(bl.maximum_transfer_length()))
                .opt_u64("optimal_transfer_length", o32(bl.optimal_transfer_length()))
                .opt_u64("maximum_prefetch_length", o32(bl.maximum_prefetch_length()))
                .opt_u64("maximum_unmap_lba_count", o32(bl.maximum_unmap_lba_count()))
                .opt_u64(
                    "maximum_unmap_block_descriptor_count",
                    o32(bl.maximum_unmap_block_descriptor_count()),
                )
                .opt_u64(
                    "optimal_unmap_granularity",
                    o32(bl.optimal_unmap_granularity()),
                );
                ob(&mut j, "unmap_granularity_alignment_valid", bl.ugavalid());
                j.opt_u64(
                    "unmap_granularity_alignment",
                    o32(bl.unmap_granularity_alignment_field()),
                )
                .opt_u64("maximum_write_same_length", bl.maximum_write_same_length())
                .opt_u64(
                    "maximum_atomic_transfer_length",
                    o32(bl.maximum_atomic_transfer_length()),
                )
                .opt_u64("atomic_alignment", o32(bl.atomic_alignment()))
                .opt_u64(
                    "atomic_transfer_length_granularity",
                    o32(bl.atomic_transfer_length_granularity()),
                )
                .opt_u64(
                    "maximum_atomic_transfer_length_with_atomic_boundary",
                    o32(bl.maximum_atomic_transfer_length_with_boundary()),
                )
                .opt_u64(
                    "maximum_atomic_boundary_size",
                    o32(bl.maximum_atomic_boundary_size()),
                );
            }
        }
        page::BLOCK_DEVICE_CHARACTERISTICS if is_block(pdt) => {
            if let Ok(c) = v.block_device_characteristics() {
                j.opt_u64("medium_rotation_rate", o16(c.medium_rotation_rate_raw()))
                    .opt_u64("product_type", o8(c.product_type()))
                    .opt_u64("wabereq", o8(c.wabereq()))
                    .opt_u64("wacereq", o8(c.wacereq()))
                    .opt_u64("nominal_form_factor", o8(c.nominal_form_factor()))
                    .opt_u64("zoned", o8(c.zoned()));
                ob(&mut j, "rbwz", c.rbwz());
                ob(&mut j, "bocs", c.bocs());
                ob(&mut j, "fuab", c.fuab());
                ob(&mut j, "vbuls", c.vbuls());
                j.opt_u64("depopulation_time", o32(c.depopulation_time()));
            }
        }
        page::LOGICAL_BLOCK_PROVISIONING if is_block(pdt) => {
            if let Ok(p) = v.logical_block_provisioning() {
                j.opt_u64("threshold_exponent", o8(p.threshold_exponent()));
                ob(&mut j, "lbpu", p.lbpu());
                ob(&mut j, "lbpws", p.lbpws());
                ob(&mut j, "lbpws10", p.lbpws10());
                j.opt_u64("lbprz", o8(p.lbprz()));
                ob(&mut j, "anc_sup", p.anc_sup());
                ob(&mut j, "dp", p.dp());
                j.opt_u64("minimum_percentage", o8(p.minimum_percentage()))
                    .opt_u64(
                        "provisioning_type",
                        p.provisioning_type().map(|t| u64::from(u8::from(t))),
                    )
                    .opt_u64("threshold_percentage", o8(p.threshold_percentage()));
            }
        }
        _ => {}
    }
    j.hex("payload", v.payload()).u64("exit_status", 0);
    j.finish()
}

/// One designation descriptor as a JSON array element.
fn designator_json(j: &mut Json, d: &Designator<'_>) {
    j.item_object()
        .u64("association", u64::from(u8::from(d.association)))
        .str("association_name", &association_name(d.association))
        .u64("designator_type", u64::from(u8::from(d.designator_type)))
        .str(
            "designator_type_name",
            &designator_type_name(d.designator_type),
        )
        .u64("code_set", u64::from(u8::from(d.code_set)))
        .str("code_set_name", &code_set_name(d.code_set))
        .bool("piv", d.piv)
        .u64("protocol_identifier", u64::from(d.protocol_identifier))
        .str("identifier", &d.identifier().to_string())
        .hex("bytes", d.designator)
        .end();
}
