//! Designation descriptors as sg3_utils prints them: page 83h by association, 88h's target
//! ports, B2h's provisioning group (lib/sg_lib.c `sg_get_designation_descriptor_str()`,
//! src/sg_vpd.c `decode_id_vpd()`, `decode_dev_ids()`).

use std::io::Write as _;

use sgmap_core::response::{Association, CodeSet, Designator, DesignatorType, Designators};

use super::{c_str, di, hex2str};

/// sg3_utils' `sg_lib_transport_proto_strs`.
pub const PROTOCOLS: [&str; 16] = [
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
pub(super) fn device_identification(out: &mut Vec<u8>, rp: &[u8], subvalue: u8, long: bool) {
    let b = rp.get(4..).unwrap_or(&[]);
    let groups = [
        (di::LU, Association::LogicalUnit),
        (di::PORT, Association::TargetPort),
        (di::TARGET, Association::TargetDevice),
    ];
    if subvalue == di::AS_IS {
        return dev_ids(out, None, "", b, None, long);
    }
    for (bit, assoc) in groups {
        if subvalue == 0 || subvalue & bit != 0 {
            dev_ids(
                out,
                Some(&association_name(assoc)),
                "",
                b,
                Some(assoc),
                long,
            );
        }
    }
}

/// `decode_dev_ids()`: the designators of `buff` with association `only` (all for
/// `None`); `heading` once before the first (when not empty), or, for `None`, each one's
/// association before it.
pub(super) fn dev_ids(
    out: &mut Vec<u8>,
    heading: Option<&str>,
    sp: &str,
    buff: &[u8],
    only: Option<Association>,
    long: bool,
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
        designator(out, sp, &d, long);
    }
}

/// One designation descriptor as `sg_get_designation_descriptor_str()` prints it, each
/// line led by `lip`; `long` breaks EUI-64 and NAA identifiers into their fields.
pub fn designator(out: &mut Vec<u8>, lip: &str, d: &Designator<'_>, long: bool) {
    let ip = d.designator;
    let dlen = ip.len();
    let c_set = u8::from(d.code_set);
    let assoc = u8::from(d.association);
    let at = |i: usize| ip.get(i).copied().unwrap_or(0);
    let be16 = |i: usize| u16::from_be_bytes([at(i), at(i + 1)]);
    // `n` bytes from `i`, big-endian.
    let be = |i: usize, n: usize| (i..i + n).fold(0u64, |v, k| v << 8 | u64::from(at(k)));
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
    // A field of a designator `--long` breaks up: `label: 0x...`.
    let kv = |out: &mut Vec<u8>, label: &str, v: u64| {
        let _ = writeln!(out, "{pre}{label}: 0x{v:x}");
    };
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
        2 if long => {
            let _ = writeln!(out, "{pre}EUI-64 based {dlen} byte identifier");
            let off = if dlen == 16 { 8 } else { 0 };
            if c_set != 1 {
                let _ = writeln!(out, "{pre}<< expected binary code_set (1) >>");
                hex2str(out, ip, lip, false);
            } else if !matches!(dlen, 8 | 12 | 16) {
                let _ = writeln!(out, "{pre}<< can only decode 8, 12 and 16 byte ids >>");
                hex2str(out, ip, lip, false);
            } else {
                if off == 8 {
                    kv(out, "Identifier extension", be(0, 8));
                }
                kv(out, "IEEE Company_id", be(off, 3));
                kv(out, "Vendor Specific Extension Identifier", be(off + 3, 5));
                if dlen == 12 {
                    kv(out, "Directory ID", be(8, 4));
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
            } else if long {
                match naa {
                    2 => {
                        kv(out, "NAA 2, vendor specific identifier A", be(0, 2) & 0xfff);
                        kv(out, "IEEE Company_id", be(2, 3));
                        kv(out, "vendor specific identifier B", be(5, 3));
                    }
                    3 => {
                        let _ = writeln!(out, "{pre}NAA 3, Locally assigned:");
                    }
                    _ => {
                        // NAA 5's and 6's company: bits 59..36.
                        let company = (be(0, 4) >> 4) & 0xff_ffff;
                        let label = if naa == 5 { "NAA 5" } else { "NAA 6" };
                        kv(out, &format!("{label}, IEEE Company_id"), company);
                        kv(out, "Vendor Specific Identifier", be(3, 5) & 0xf_ffff_ffff);
                        if naa == 6 {
                            kv(out, "Vendor Specific Identifier Extension", be(8, 8));
                        }
                    }
                }
                if naa != 3 {
                    let _ = write!(out, "{pre}[");
                    hexs(out, ip);
                    out.pop();
                    out.extend_from_slice(b"]\n");
                }
                if naa < 5 {
                    out.extend_from_slice(pre.as_bytes());
                    hexs(out, ip);
                }
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

/// Page 83h with `--quiet` (sg_vpd's `decode_dev_ids_quiet()`, per association as
/// `decode_id_vpd()` asks): one line per identifier a script can use (EUI-64, NAA, SCSI
/// name string, UUID; a SAS target port's NAA with its relative port after a comma).
pub fn quiet_ids(out: &mut Vec<u8>, rp: &[u8], subvalue: u8) {
    let buff = rp.get(4..).unwrap_or(&[]);
    let assocs: &[u8] = match subvalue {
        0 => &[0, 1, 2],
        di::AS_IS => &[0xff],
        s => {
            let all = [(di::LU, 0u8), (di::PORT, 1), (di::TARGET, 2)];
            let picked: Vec<u8> = all
                .iter()
                .filter(|(b, _)| s & b != 0)
                .map(|e| e.1)
                .collect();
            for a in picked {
                quiet_assoc(out, buff, a);
            }
            return;
        }
    };
    for &a in assocs {
        quiet_assoc(out, buff, a);
    }
}

/// [`quiet_ids`] for the designators of association `m_assoc` (0xff: all).
fn quiet_assoc(out: &mut Vec<u8>, buff: &[u8], m_assoc: u8) {
    let len = buff.len();
    let hexs = |out: &mut Vec<u8>, b: &[u8]| {
        out.extend_from_slice(b"  0x");
        for x in b {
            let _ = write!(out, "{x:02x}");
        }
    };
    let mut rtp: u16 = 0;
    let mut sas_tport: Option<[u8; 8]> = None;
    let mut k = 0;
    while k + 4 <= len {
        let bp = &buff[k..];
        let i_len = usize::from(bp[3]);
        let next = k + i_len + 4;
        let assoc = (bp[1] >> 4) & 3;
        if m_assoc != 0xff && assoc != m_assoc {
            k = next;
            continue;
        }
        if next > len {
            return;
        }
        let ip = &bp[4..4 + i_len];
        let c_set = bp[0] & 0xf;
        let is_sas = bp[1] & 0x80 != 0 && bp[0] >> 4 == 6;
        match bp[1] & 0xf {
            2 => {
                hexs(out, ip);
                out.push(b'\n');
            }
            3 if c_set == 1 => match ip.first().map(|b| b >> 4) {
                Some(2) if i_len == 8 => {
                    hexs(out, ip);
                    out.push(b'\n');
                }
                Some(3 | 5) if i_len == 8 => {
                    if !is_sas || assoc != 1 {
                        hexs(out, ip);
                        out.push(b'\n');
                    } else if rtp != 0 {
                        hexs(out, ip);
                        let _ = writeln!(out, ",0x{rtp:x}");
                        rtp = 0;
                    } else {
                        if let Some(a) = sas_tport {
                            hexs(out, &a);
                            out.push(b'\n');
                        }
                        let mut a = [0u8; 8];
                        a.copy_from_slice(ip);
                        sas_tport = Some(a).filter(|a| a[0] != 0);
                    }
                }
                Some(6) if i_len == 16 => {
                    hexs(out, ip);
                    out.push(b'\n');
                }
                _ => {}
            },
            4 if is_sas && c_set == 1 && assoc == 1 && i_len == 4 => {
                rtp = u16::from_be_bytes([ip[2], ip[3]]);
                if let Some(a) = sas_tport.take() {
                    hexs(out, &a);
                    let _ = writeln!(out, ",0x{rtp:x}");
                    rtp = 0;
                }
            }
            8 if c_set >= 2 => {
                out.extend_from_slice(b"  ");
                out.extend_from_slice(c_str(ip));
                out.push(b'\n');
            }
            0xa if c_set == 1 && i_len == 18 && ip[0] >> 4 == 1 => {
                for (m, b) in ip[2..18].iter().enumerate() {
                    if matches!(m, 4 | 6 | 8 | 10) {
                        out.push(b'-');
                    }
                    let _ = write!(out, "{b:02x}");
                }
                out.push(b'\n');
            }
            _ => {}
        }
        k = next;
    }
    if let Some(a) = sas_tport {
        hexs(out, &a);
        out.push(b'\n');
    }
}
