//! The text of pages 86h, 89h, B0h, B1h and B2h as sg_vpd 1.46 prints them.

use std::io::Write as _;

use sgmap_core::response::{RotationRate, Vpd};

use super::{c_str, designator};

/// The 86h page (`decode_x_inq_vpd()`, not long).
pub fn extended_inquiry(out: &mut Vec<u8>, rp: &[u8]) {
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

/// The 86h page as `--long` prints it: a field a line, the SPT value explained when the
/// standard INQUIRY data's PROTECT bit is set (`protect`).
pub(super) fn extended_inquiry_long(out: &mut Vec<u8>, rp: &[u8], protect: bool) {
    // Name, byte, mask (0: the 16-bit value there). NO_PI_CHK is bit 4, as sg_vpd's long
    // form reads it.
    const FIELDS: &[(&str, u8, u8)] = &[
        ("GRD_CHK", 4, 4),
        ("APP_CHK", 4, 2),
        ("REF_CHK", 4, 1),
        ("UASK_SUP", 5, 0x20),
        ("GROUP_SUP", 5, 0x10),
        ("PRIOR_SUP", 5, 8),
        ("HEADSUP", 5, 4),
        ("ORDSUP", 5, 2),
        ("SIMPSUP", 5, 1),
        ("WU_SUP", 6, 8),
        ("CRD_SUP", 6, 4),
        ("NV_SUP", 6, 2),
        ("V_SUP", 6, 1),
        ("NO_PI_CHK", 7, 0x10),
        ("P_I_I_SUP", 7, 0x10),
        ("LUICLR", 7, 1),
        ("LU_COLL_TYPE", 8, 0xe0),
        ("R_SUP", 8, 0x10),
        ("RTD_SUP", 8, 8),
        ("HSSRELEF", 8, 2),
        ("CBCS", 8, 1),
        ("Multi I_T nexus microcode download", 9, 0xf),
        ("Extended self-test completion minutes", 10, 0),
        ("POA_SUP", 12, 0x80),
        ("HRA_SUP", 12, 0x40),
        ("VSA_SUP", 12, 0x20),
        ("DMS_VALID", 12, 0x10),
        ("Maximum supported sense data length", 13, 0xff),
        ("IBS", 14, 0x80),
        ("IAS", 14, 0x40),
        ("SAC", 14, 4),
        ("NRD1", 14, 2),
        ("NRD0", 14, 1),
        ("Maximum inquiry change logs", 15, 0),
        ("Maximum mode page change logs", 17, 0),
        ("DM_MD_4", 19, 0x80),
        ("DM_MD_5", 19, 0x40),
        ("DM_MD_6", 19, 0x20),
        ("DM_MD_7", 19, 0x10),
        ("DM_MD_D", 19, 8),
        ("DM_MD_E", 19, 4),
        ("DM_MD_F", 19, 2),
    ];
    const SPT: [&str; 8] = [
        "protection type 1 supported",
        "protection types 1 and 2 supported",
        "protection type 2 supported",
        "protection types 1 and 3 supported",
        "protection type 3 supported",
        "protection types 2 and 3 supported",
        "see Supported block lengths and protection types VPD page",
        "protection types 1, 2 and 3 supported",
    ];
    if rp.len() < 7 {
        return;
    }
    let b = |i: u8| u16::from(rp.get(usize::from(i)).copied().unwrap_or(0));
    let am = b(4) >> 6;
    let _ = write!(out, "  ACTIVATE_MICROCODE={am}");
    let _ = match am {
        1 => writeln!(out, " [before final WRITE BUFFER]"),
        2 => writeln!(out, " [after power on or hard reset]"),
        _ => writeln!(out),
    };
    let spt = (b(4) >> 3) & 7;
    let _ = write!(out, "  SPT={spt}");
    let _ = if protect {
        writeln!(out, " [{}]", SPT[usize::from(spt)])
    } else {
        writeln!(out)
    };
    for &(name, at, mask) in FIELDS {
        let v = if mask == 0 {
            b(at) << 8 | b(at + 1)
        } else {
            (b(at) & u16::from(mask)) >> mask.trailing_zeros()
        };
        let _ = writeln!(out, "  {name}={v}");
    }
}

/// The 89h page (`decode_ata_info_vpd()`); `long` adds the signature and the IDENTIFY
/// data in hex.
pub(super) fn ata_information(out: &mut Vec<u8>, v: &Vpd<&[u8]>, long: bool) {
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
    let rp = v.page();
    if long {
        let _ = writeln!(out, "  Device signature [{transport}] (in hex):");
        super::hex(out, &rp[36..56]);
    } else {
        let _ = writeln!(out, "  Device signature indicates {transport} transport");
    }
    let cc = ai.command_code().unwrap_or(0);
    let _ = writeln!(out, "  Command code: 0x{cc:x}");
    if len < 60 {
        return;
    }
    let kind = match cc {
        0xec => "",
        0xa1 => "PACKET ",
        _ if long => {
            let _ = writeln!(out, "  ATA command 0x{cc:x} got following response:");
            ""
        }
        _ => return,
    };
    if matches!(cc, 0xec | 0xa1) {
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
        if long {
            let _ = writeln!(out, "  ATA command IDENTIFY {kind}DEVICE response in hex:");
        }
    }
    if long && len >= 572 {
        crate::cmd::inq_pages::word_hex(out, &rp[60..572], 0);
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
pub fn block_limits(out: &mut Vec<u8>, v: &Vpd<&[u8]>) {
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
pub(super) fn block_device_characteristics(out: &mut Vec<u8>, v: &Vpd<&[u8]>) {
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
pub(super) fn logical_block_provisioning(out: &mut Vec<u8>, v: &Vpd<&[u8]>) {
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
                designator(out, "    ", &d, false);
            }
        }
    }
}
