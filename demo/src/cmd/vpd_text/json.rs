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
                ints(
                    &mut j,
                    &[
                        ("activate_microcode", o8(x.activate_microcode())),
                        ("spt", o8(x.spt())),
                        ("lu_coll_type", o8(x.lu_coll_type())),
                        (
                            "multi_i_t_nexus_microcode_download",
                            o8(x.multi_i_t_nexus_microcode_download()),
                        ),
                        (
                            "extended_self_test_completion_minutes",
                            o16(x.extended_self_test_completion_minutes()),
                        ),
                        (
                            "maximum_supported_sense_data_length",
                            o8(x.maximum_supported_sense_data_length()),
                        ),
                        (
                            "maximum_inquiry_change_logs",
                            o16(x.maximum_inquiry_change_logs()),
                        ),
                        (
                            "maximum_mode_page_change_logs",
                            o16(x.maximum_mode_page_change_logs()),
                        ),
                    ],
                );
                bools(
                    &mut j,
                    &[
                        ("grd_chk", x.grd_chk()),
                        ("app_chk", x.app_chk()),
                        ("ref_chk", x.ref_chk()),
                        ("uask_sup", x.uask_sup()),
                        ("group_sup", x.group_sup()),
                        ("prior_sup", x.prior_sup()),
                        ("headsup", x.headsup()),
                        ("ordsup", x.ordsup()),
                        ("simpsup", x.simpsup()),
                        ("wu_sup", x.wu_sup()),
                        ("crd_sup", x.crd_sup()),
                        ("nv_sup", x.nv_sup()),
                        ("v_sup", x.v_sup()),
                        ("no_pi_chk", x.no_pi_chk()),
                        ("p_i_i_sup", x.p_i_i_sup()),
                        ("luiclr", x.luiclr()),
                        ("r_sup", x.r_sup()),
                        ("rtd_sup", x.rtd_sup()),
                        ("hssrelef", x.hssrelef()),
                        ("cbcs", x.cbcs()),
                        ("poa_sup", x.poa_sup()),
                        ("hra_sup", x.hra_sup()),
                        ("vsa_sup", x.vsa_sup()),
                        ("dms_valid", x.dms_valid()),
                        ("ibs", x.ibs()),
                        ("ias", x.ias()),
                        ("sac", x.sac()),
                        ("nrd1", x.nrd1()),
                        ("nrd0", x.nrd0()),
                        ("dm_md_4", x.dm_md_4()),
                        ("dm_md_5", x.dm_md_5()),
                        ("dm_md_6", x.dm_md_6()),
                        ("dm_md_7", x.dm_md_7()),
                        ("dm_md_d", x.dm_md_d()),
                        ("dm_md_e", x.dm_md_e()),
                        ("dm_md_f", x.dm_md_f()),
                    ],
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
                bools(
                    &mut j,
                    &[
                        ("wsnz", bl.wsnz()),
                        ("unmap_granularity_alignment_valid", bl.ugavalid()),
                    ],
                );
                ints(
                    &mut j,
                    &[
                        (
                            "maximum_compare_and_write_length",
                            o8(bl.maximum_compare_and_write_length()),
                        ),
                        (
                            "optimal_transfer_length_granularity",
                            o16(bl.optimal_transfer_length_granularity()),
                        ),
                        ("maximum_transfer_length", o32(bl.maximum_transfer_length())),
                        ("optimal_transfer_length", o32(bl.optimal_transfer_length())),
                        ("maximum_prefetch_length", o32(bl.maximum_prefetch_length())),
                        ("maximum_unmap_lba_count", o32(bl.maximum_unmap_lba_count())),
                        (
                            "maximum_unmap_block_descriptor_count",
                            o32(bl.maximum_unmap_block_descriptor_count()),
                        ),
                        (
                            "optimal_unmap_granularity",
                            o32(bl.optimal_unmap_granularity()),
                        ),
                        (
                            "unmap_granularity_alignment",
                            o32(bl.unmap_granularity_alignment_field()),
                        ),
                        ("maximum_write_same_length", bl.maximum_write_same_length()),
                        (
                            "maximum_atomic_transfer_length",
                            o32(bl.maximum_atomic_transfer_length()),
                        ),
                        ("atomic_alignment", o32(bl.atomic_alignment())),
                        (
                            "atomic_transfer_length_granularity",
                            o32(bl.atomic_transfer_length_granularity()),
                        ),
                        (
                            "maximum_atomic_transfer_length_with_atomic_boundary",
                            o32(bl.maximum_atomic_transfer_length_with_boundary()),
                        ),
                        (
                            "maximum_atomic_boundary_size",
                            o32(bl.maximum_atomic_boundary_size()),
                        ),
                    ],
                );
            }
        }
        page::BLOCK_DEVICE_CHARACTERISTICS if is_block(pdt) => {
            if let Ok(c) = v.block_device_characteristics() {
                ints(
                    &mut j,
                    &[
                        ("medium_rotation_rate", o16(c.medium_rotation_rate_raw())),
                        ("product_type", o8(c.product_type())),
                        ("wabereq", o8(c.wabereq())),
                        ("wacereq", o8(c.wacereq())),
                        ("nominal_form_factor", o8(c.nominal_form_factor())),
                        ("zoned", o8(c.zoned())),
                        ("depopulation_time", o32(c.depopulation_time())),
                    ],
                );
                bools(
                    &mut j,
                    &[
                        ("rbwz", c.rbwz()),
                        ("bocs", c.bocs()),
                        ("fuab", c.fuab()),
                        ("vbuls", c.vbuls()),
                    ],
                );
            }
        }
        page::LOGICAL_BLOCK_PROVISIONING if is_block(pdt) => {
            if let Ok(p) = v.logical_block_provisioning() {
                ints(
                    &mut j,
                    &[
                        ("threshold_exponent", o8(p.threshold_exponent())),
                        ("lbprz", o8(p.lbprz())),
                        ("minimum_percentage", o8(p.minimum_percentage())),
                        ("provisioning_type", o8(p.provisioning_type().map(u8::from))),
                        ("threshold_percentage", o8(p.threshold_percentage())),
                    ],
                );
                bools(
                    &mut j,
                    &[
                        ("lbpu", p.lbpu()),
                        ("lbpws", p.lbpws()),
                        ("lbpws10", p.lbpws10()),
                        ("anc_sup", p.anc_sup()),
                        ("dp", p.dp()),
                    ],
                );
            }
        }
        _ => {}
    }
    j.hex("payload", v.payload()).u64("exit_status", 0);
    j.finish()
}

/// Members that are numbers, or null where the page stops before them.
fn ints(j: &mut Json, members: &[(&str, Option<u64>)]) {
    for &(k, v) in members {
        j.opt_u64(k, v);
    }
}

/// Members that are one-bit fields, or null where the page stops before them.
fn bools(j: &mut Json, members: &[(&str, Option<bool>)]) {
    for &(k, v) in members {
        match v {
            Some(b) => j.bool(k, b),
            None => j.null(k),
        };
    }
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
