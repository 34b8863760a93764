//! The text of pages 86h, 89h, B0h, B1h and B2h as sg_vpd 1.46 prints them.

use std::io::Write as _;

use sgmap_core::response::{RotationRate, Vpd};

use super::{c_str, designator};

/// Appends `tpl` with each `$IIMM` (four hex digits) replaced by the field of `b` at byte
/// II under mask MM, in decimal (mask 00: the 16-bit value at II and II+1). Bytes past the
/// end of `b` read as zero, as sg3_utils' zeroed buffers do.
pub fn fields(out: &mut Vec<u8>, b: &[u8], tpl: &str) {
    let at = |i: usize| u16::from(b.get(i).copied().unwrap_or(0));
    let mut rest = tpl;
    while let Some(k) = rest.find('$') {
        out.extend_from_slice(&rest.as_bytes()[..k]);
        let code = u16::from_str_radix(&rest[k + 1..k + 5], 16).unwrap_or(0);
        let (i, mask) = (usize::from(code >> 8), code & 0xff);
        let v = if mask == 0 {
            at(i) << 8 | at(i + 1)
        } else {
            (at(i) & mask) >> mask.trailing_zeros()
        };
        let _ = write!(out, "{v}");
        rest = &rest[k + 5..];
    }
    out.extend_from_slice(rest.as_bytes());
}

/// The 86h page after ACTIVATE_MICROCODE and SPT, each line's fields (`,` between them),
/// as `decode_x_inq_vpd()` lists them; `[...]`: bracketed in the short form.
const X_INQ: &str = "GRD_CHK=$0404,APP_CHK=$0402,REF_CHK=$0401
UASK_SUP=$0520,GROUP_SUP=$0510,PRIOR_SUP=$0508,HEADSUP=$0504,ORDSUP=$0502,SIMPSUP=$0501
WU_SUP=$0608,[CRD_SUP=$0604],NV_SUP=$0602,V_SUP=$0601
NO_PI_CHK=$0720,P_I_I_SUP=$0710,LUICLR=$0701
LU_COLL_TYPE=$08e0,R_SUP=$0810,RTD_SUP=$0808,HSSRELEF=$0802,[CBCS=$0801]
Multi I_T nexus microcode download=$090f
Extended self-test completion minutes=$0a00
POA_SUP=$0c80,HRA_SUP=$0c40,VSA_SUP=$0c20,DMS_VALID=$0c10
Maximum supported sense data length=$0dff
IBS=$0e80,IAS=$0e40,SAC=$0e04,NRD1=$0e02,NRD0=$0e01
Maximum inquiry change logs=$0f00
Maximum mode page change logs=$1100
DM_MD_4=$1380,DM_MD_5=$1340,DM_MD_6=$1320,DM_MD_7=$1310
DM_MD_D=$1308,DM_MD_E=$1304,DM_MD_F=$1302
";

/// The 86h page (`decode_x_inq_vpd()`): with `long`, a field a line, SPT explained when
/// the standard INQUIRY data's PROTECT bit is set (`protect`).
pub fn extended_inquiry(out: &mut Vec<u8>, rp: &[u8], long: bool, protect: bool) {
    // The protection types of each SPT value (6: see the B4h page).
    const SPT: [&str; 8] = [
        "1",
        "1 and 2",
        "2",
        "1 and 3",
        "3",
        "2 and 3",
        "",
        "1, 2 and 3",
    ];
    if rp.len() < 7 {
        return;
    }
    let tpl = if long {
        let (am, spt) = (rp[4] >> 6, (rp[4] >> 3) & 7);
        let _ = writeln!(
            out,
            "  ACTIVATE_MICROCODE={am}{}\n  SPT={spt}{}",
            match am {
                1 => " [before final WRITE BUFFER]",
                2 => " [after power on or hard reset]",
                _ => "",
            },
            match SPT[usize::from(spt)] {
                _ if !protect => String::new(),
                "" => " [see Supported block lengths and protection types VPD page]".into(),
                t => format!(
                    " [protection type{} {t} supported]",
                    if t.len() > 1 { "s" } else { "" }
                ),
            }
        );
        // sg_vpd's long form reads NO_PI_CHK at bit 4.
        X_INQ
            .replace(['[', ']'], "")
            .replace("$0720", "$0710")
            .replace(',', "\n")
    } else {
        format!("ACTIVATE_MICROCODE=$04c0 SPT=$0438 {X_INQ}").replace(',', " ")
    };
    for line in tpl.lines() {
        out.extend_from_slice(b"  ");
        fields(out, rp, line);
        out.push(b'\n');
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
        crate::shared::inq_pages::word_hex(out, &rp[60..572], 0);
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
pub(super) fn logical_block_provisioning(out: &mut Vec<u8>, v: &Vpd<&[u8]>, long: bool) {
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
                designator(out, "    ", &d, long);
            }
        }
    }
}
