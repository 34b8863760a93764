//! The JSON of a VPD page (schema in JSON.md).

use sgmap_core::response::{page, Designator, Vpd};

use super::{association_name, c_str, code_set_name, designator_type_name, is_block, page_name};
use crate::json::Json;

/// The JSON of a VPD page (schema in JSON.md): the header and the fields sg_vpd 1.48 names
/// (`sg_vpd_js_hdr()` and the page decoders of src/sg_vpd_common.c,
/// `sgj_js_designation_descriptor()` of lib/sg_json_sg_lib.c), snake_case as its
/// `sgj_convert2snake()` makes them, one-bit fields as booleans, absent ones `null`;
/// `device`, `page_name`, `page_length`, `payload`, `pages` and the `_name` strings are
/// sgmap's.
///
/// Without the feature `vpd-pages`, pages other than 00h, 80h and 83h have the header and
/// the payload only.
// The field helpers serve only the pages that feature decodes.
#[cfg_attr(not(feature = "vpd-pages"), allow(unused_variables))]
pub fn json(device: &str, v: &Vpd<&[u8]>) -> String {
    let p = v.page_code();
    let pdt = u8::from(v.device_type());
    let mut j = Json::object();
    j.str("device", device)
        .u64("peripheral_qualifier", u64::from(u8::from(v.qualifier())))
        .u64("peripheral_device_type", u64::from(pdt))
        .u64("page_code", u64::from(p))
        .opt_str("page_name", page_name(p, pdt).as_deref())
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
        #[cfg(feature = "vpd-pages")]
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
        #[cfg(feature = "vpd-pages")]
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
        #[cfg(feature = "vpd-pages")]
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
        #[cfg(feature = "vpd-pages")]
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
        #[cfg(feature = "vpd-pages")]
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
