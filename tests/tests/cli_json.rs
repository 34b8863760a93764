//! `--json` of every command on every device of the phase: each output parsed, every member
//! of `demo/JSON.md` present with its type and no other, `exit_status` equal to the process's
//! exit status, the `--json=JO` forms sg3_utils 1.48 accepts giving the same object, and the
//! values that sg3_utils 1.46 (in the guest) prints as text — `sg_inq`, `sg_readcap`,
//! `sg_decode_sense` — equal to sgmap's.

mod cli_common;

use cli_common::*;
use sgmap_tests::SenseFormat;

/// A member's type in JSON.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum T {
    Str,
    Int,
    Bool,
    /// Hex bytes, `"12 00 ff"`.
    Hex,
    Arr,
    Obj,
    StrOrNull,
    IntOrNull,
    BoolOrNull,
    ObjOrNull,
}

/// Panics unless `j` is an object with exactly the members of `spec`, each of its type.
#[track_caller]
fn shape(j: &Json, what: &str, spec: &[(&str, T)]) {
    let Json::Object(m) = j else {
        panic!("{what}: not an object: {j:?}");
    };
    for (key, ty) in spec {
        let v = m
            .get(*key)
            .unwrap_or_else(|| panic!("{what}: no member {key:?} in {j:?}"));
        let ok = match (ty, v) {
            (T::Str | T::StrOrNull, Json::Str(_))
            | (T::Int | T::IntOrNull, Json::Num(_))
            | (T::Bool | T::BoolOrNull, Json::Bool(_))
            | (T::Arr, Json::Array(_))
            | (T::Obj | T::ObjOrNull, Json::Object(_))
            | (T::StrOrNull | T::IntOrNull | T::BoolOrNull | T::ObjOrNull, Json::Null) => true,
            (T::Hex, Json::Str(s)) => is_hex(s),
            _ => false,
        };
        assert!(ok, "{what}: {key:?} is {v:?}, not {ty:?}");
        if let Json::Num(n) = v {
            assert!(*n >= 0, "{what}: {key:?} = {n} is negative");
        }
    }
    let extra: Vec<&String> = m
        .keys()
        .filter(|k| !spec.iter().any(|(s, _)| s == k))
        .collect();
    assert!(
        extra.is_empty(),
        "{what}: members not in JSON.md: {extra:?}"
    );
}

/// Lower-case hex bytes separated by single spaces (or nothing).
fn is_hex(s: &str) -> bool {
    s.is_empty()
        || s.split(' ').all(|b| {
            b.len() == 2
                && b.bytes()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        })
}

/// `a` then `b`.
fn with(a: &[(&'static str, T)], b: &[(&'static str, T)]) -> Vec<(&'static str, T)> {
    a.iter().chain(b).copied().collect()
}

const LIST: &[(&str, T)] = &[
    ("number_of_attached_scsi_devices", T::Int),
    ("attached_scsi_device_list", T::Arr),
    ("exit_status", T::Int),
];
const LIST_DEVICE: &[(&str, T)] = &[
    ("sg_node", T::Str),
    ("hctl", T::StrOrNull),
    ("peripheral_device_type", T::IntOrNull),
    ("peripheral_device_type_name", T::StrOrNull),
    ("t10_vendor_identification", T::Str),
    ("product_identification", T::Str),
    ("revision", T::Str),
    ("primary_device_node", T::StrOrNull),
];
const INQUIRY: &[(&str, T)] = &[
    ("device", T::Str),
    ("peripheral_qualifier", T::Int),
    ("peripheral_device_type", T::Int),
    ("peripheral_device_type_name", T::Str),
    ("rmb", T::Bool),
    ("lu_cong", T::Bool),
    ("hot_pluggable", T::Int),
    ("version", T::Int),
    ("aerc", T::Bool),
    ("trmtsk", T::Bool),
    ("normaca", T::Bool),
    ("hisup", T::Bool),
    ("response_data_format", T::Int),
    ("sccs", T::Bool),
    ("acc", T::Bool),
    ("tpgs", T::Int),
    ("3pc", T::Bool),
    ("protect", T::Bool),
    ("bque", T::Bool),
    ("encserv", T::Bool),
    ("multip", T::Bool),
    ("mchngr", T::Bool),
    ("reladr", T::Bool),
    ("linked", T::Bool),
    ("cmdque", T::Bool),
    ("t10_vendor_identification", T::Str),
    ("product_identification", T::Str),
    ("product_revision_level", T::Str),
    ("unit_serial_number", T::StrOrNull),
    ("length", T::Int),
    ("exit_status", T::Int),
];
const VPD: &[(&str, T)] = &[
    ("device", T::Str),
    ("peripheral_qualifier", T::Int),
    ("peripheral_device_type", T::Int),
    ("page_code", T::Int),
    ("page_name", T::StrOrNull),
    ("page_length", T::Int),
    ("payload", T::Hex),
    ("exit_status", T::Int),
];
/// Block Limits (B0h): sg3_utils 1.48's names.
const VPD_B0: &[(&str, T)] = &[
    ("wsnz", T::BoolOrNull),
    ("maximum_compare_and_write_length", T::IntOrNull),
    ("optimal_transfer_length_granularity", T::IntOrNull),
    ("maximum_transfer_length", T::IntOrNull),
    ("optimal_transfer_length", T::IntOrNull),
    ("maximum_prefetch_length", T::IntOrNull),
    ("maximum_unmap_lba_count", T::IntOrNull),
    ("maximum_unmap_block_descriptor_count", T::IntOrNull),
    ("optimal_unmap_granularity", T::IntOrNull),
    ("unmap_granularity_alignment_valid", T::BoolOrNull),
    ("unmap_granularity_alignment", T::IntOrNull),
    ("maximum_write_same_length", T::IntOrNull),
    ("maximum_atomic_transfer_length", T::IntOrNull),
    ("atomic_alignment", T::IntOrNull),
    ("atomic_transfer_length_granularity", T::IntOrNull),
    (
        "maximum_atomic_transfer_length_with_atomic_boundary",
        T::IntOrNull,
    ),
    ("maximum_atomic_boundary_size", T::IntOrNull),
];
/// Extended INQUIRY Data (86h).
const VPD_86: &[(&str, T)] = &[
    ("activate_microcode", T::IntOrNull),
    ("spt", T::IntOrNull),
    ("grd_chk", T::BoolOrNull),
    ("app_chk", T::BoolOrNull),
    ("ref_chk", T::BoolOrNull),
    ("uask_sup", T::BoolOrNull),
    ("group_sup", T::BoolOrNull),
    ("prior_sup", T::BoolOrNull),
    ("headsup", T::BoolOrNull),
    ("ordsup", T::BoolOrNull),
    ("simpsup", T::BoolOrNull),
    ("wu_sup", T::BoolOrNull),
    ("crd_sup", T::BoolOrNull),
    ("nv_sup", T::BoolOrNull),
    ("v_sup", T::BoolOrNull),
    ("no_pi_chk", T::BoolOrNull),
    ("p_i_i_sup", T::BoolOrNull),
    ("luiclr", T::BoolOrNull),
    ("r_sup", T::BoolOrNull),
    ("rtd_sup", T::BoolOrNull),
    ("hssrelef", T::BoolOrNull),
    ("cbcs", T::BoolOrNull),
    ("poa_sup", T::BoolOrNull),
    ("hra_sup", T::BoolOrNull),
    ("vsa_sup", T::BoolOrNull),
    ("dms_valid", T::BoolOrNull),
    ("ibs", T::BoolOrNull),
    ("ias", T::BoolOrNull),
    ("sac", T::BoolOrNull),
    ("nrd1", T::BoolOrNull),
    ("nrd0", T::BoolOrNull),
    ("dm_md_4", T::BoolOrNull),
    ("dm_md_5", T::BoolOrNull),
    ("dm_md_6", T::BoolOrNull),
    ("dm_md_7", T::BoolOrNull),
    ("dm_md_d", T::BoolOrNull),
    ("dm_md_e", T::BoolOrNull),
    ("dm_md_f", T::BoolOrNull),
    ("lu_coll_type", T::IntOrNull),
    ("multi_i_t_nexus_microcode_download", T::IntOrNull),
    ("extended_self_test_completion_minutes", T::IntOrNull),
    ("maximum_supported_sense_data_length", T::IntOrNull),
    ("maximum_inquiry_change_logs", T::IntOrNull),
    ("maximum_mode_page_change_logs", T::IntOrNull),
];
/// ATA Information (89h).
const VPD_89: &[(&str, T)] = &[
    ("sat_vendor_identification", T::StrOrNull),
    ("sat_product_identification", T::StrOrNull),
    ("sat_product_revision_level", T::StrOrNull),
    ("ata_device_signature", T::StrOrNull),
    ("command_code", T::IntOrNull),
    ("model", T::StrOrNull),
    ("serial_number", T::StrOrNull),
    ("firmware_revision", T::StrOrNull),
];
/// Block Device Characteristics (B1h).
const VPD_B1: &[(&str, T)] = &[
    ("medium_rotation_rate", T::IntOrNull),
    ("product_type", T::IntOrNull),
    ("wabereq", T::IntOrNull),
    ("wacereq", T::IntOrNull),
    ("nominal_form_factor", T::IntOrNull),
    ("zoned", T::IntOrNull),
    ("rbwz", T::BoolOrNull),
    ("bocs", T::BoolOrNull),
    ("fuab", T::BoolOrNull),
    ("vbuls", T::BoolOrNull),
    ("depopulation_time", T::IntOrNull),
];
/// Logical Block Provisioning (B2h).
const VPD_B2: &[(&str, T)] = &[
    ("threshold_exponent", T::IntOrNull),
    ("lbpu", T::BoolOrNull),
    ("lbpws", T::BoolOrNull),
    ("lbpws10", T::BoolOrNull),
    ("lbprz", T::IntOrNull),
    ("anc_sup", T::BoolOrNull),
    ("dp", T::BoolOrNull),
    ("minimum_percentage", T::IntOrNull),
    ("provisioning_type", T::IntOrNull),
    ("threshold_percentage", T::IntOrNull),
];
const DESIGNATOR: &[(&str, T)] = &[
    ("association", T::Int),
    ("association_name", T::Str),
    ("designator_type", T::Int),
    ("designator_type_name", T::Str),
    ("code_set", T::Int),
    ("code_set_name", T::Str),
    ("piv", T::Bool),
    ("protocol_identifier", T::Int),
    ("identifier", T::Str),
    ("bytes", T::Hex),
];
const READCAP: &[(&str, T)] = &[
    ("device", T::Str),
    ("cdb", T::Int),
    ("returned_logical_block_address", T::Int),
    ("logical_block_length_in_bytes", T::Int),
    ("blocks", T::Int),
    ("bytes", T::Int),
    ("exit_status", T::Int),
];
const READCAP_16: &[(&str, T)] = &[
    ("rc_basis", T::Int),
    ("p_type", T::Int),
    ("prot_en", T::Bool),
    ("p_i_exponent", T::Int),
    ("logical_blocks_per_physical_block_exponent", T::Int),
    ("lbpme", T::Bool),
    ("lbprz", T::Bool),
    ("lowest_aligned_logical_block_address", T::Int),
];
const SENSE: &[(&str, T)] = &[
    ("bytes", T::Hex),
    ("response_code", T::Int),
    ("descriptor_format", T::Bool),
    ("deferred", T::Bool),
    ("sdat_ovfl", T::Bool),
    ("sense_key", T::Int),
    ("sense_key_name", T::Str),
    ("additional_sense_code", T::IntOrNull),
    ("additional_sense_code_qualifier", T::IntOrNull),
    ("additional_sense_str", T::StrOrNull),
    ("valid", T::Bool),
    ("information", T::IntOrNull),
    ("command_specific_information", T::IntOrNull),
    ("filemark", T::Bool),
    ("eom", T::Bool),
    ("ili", T::Bool),
    ("category", T::Int),
    ("text", T::Str),
];
const NOT_SENSE: &[(&str, T)] = &[("bytes", T::Hex), ("sense_decode_error", T::Str)];
const STATUS: &[(&str, T)] = &[
    ("status", T::Int),
    ("host_status", T::Int),
    ("driver_status", T::Int),
    ("category", T::Int),
    ("sense", T::ObjOrNull),
];
const TUR: &[(&str, T)] = &[
    ("device", T::Str),
    ("commands", T::Int),
    ("errors", T::Int),
    ("ready", T::Bool),
    ("last_error", T::ObjOrNull),
    ("exit_status", T::Int),
];
const DD_COMMON: &[(&str, T)] = &[
    ("if", T::Str),
    ("of", T::Str),
    ("bs", T::Int),
    ("bpt", T::Int),
    ("bpt_asked", T::IntOrNull),
    ("qd", T::Int),
    ("count", T::IntOrNull),
    ("skip", T::Int),
    ("seek", T::Int),
    ("exit_status", T::Int),
];
const DD: &[(&str, T)] = &[
    ("records_in", T::Obj),
    ("records_out", T::Obj),
    ("bytes", T::Int),
    ("elapsed_us", T::Int),
    ("bytes_per_sec", T::Int),
    ("remaining_blocks", T::IntOrNull),
    ("interrupted", T::Bool),
    ("sparse_bypassed", T::IntOrNull),
    ("recovered_errors", T::Int),
    ("retries", T::Int),
    ("unrecovered_errors", T::Int),
    ("removed", T::Bool),
    ("verified", T::BoolOrNull),
    ("error", T::ObjOrNull),
];
const DD_DRY: &[(&str, T)] = &[("dry_run", T::Bool), ("transfers", T::IntOrNull)];
const RECORDS: &[(&str, T)] = &[("full", T::Int), ("partial", T::Int)];
const WRITE_BUFFER: &[(&str, T)] = &[
    ("device", T::Str),
    ("dry_run", T::Bool),
    ("mode", T::Int),
    ("mode_name", T::StrOrNull),
    ("buffer_id", T::Int),
    ("image_bytes", T::Int),
    ("bytes", T::Int),
    ("chunks", T::Arr),
    ("exit_status", T::Int),
];
const WRITE_BUFFER_SENT: &[(&str, T)] = &[
    ("sent", T::Int),
    ("bytes_sent", T::Int),
    ("retries", T::Int),
    ("interrupted", T::Bool),
    ("signal", T::IntOrNull),
    ("error", T::ObjOrNull),
];
const CHUNK: &[(&str, T)] = &[("mode", T::Int), ("offset", T::Int), ("length", T::Int)];
const FAILED: &[(&str, T)] = &[("exit_status", T::Int)];

/// The `--json` spellings sg3_utils 1.48 accepts (src/sg_inq.c and the others:
/// `--json[=JO]`, `-j[=JO]`), with valid `JO` letters (lib/sg_json.c `sgj_parse_opts()`).
const FORMS: &[&str] = &[
    "--json",
    "--json=",
    "--json=e",
    "--json=-e",
    "--json==p",
    "--json=0",
    "-j",
    "-j=",
    "-j=o",
    "-j=-s",
    "-j=!l~k",
    "-j==h",
];

/// Runs sgmap, parses its stdout as one JSON object and checks `exit_status` against the
/// process's exit status.
#[track_caller]
fn json_run(args: &[&str]) -> (Run, Json) {
    let run = sgmap(args);
    let j = run.json();
    assert_eq!(
        j.get("exit_status").num(),
        i128::from(run.code),
        "exit_status is not the exit status:\n{run:?}"
    );
    (run, j)
}

/// `args` with `form` where `--json` is.
fn with_form<'a>(args: &[&'a str], form: &'a str) -> Vec<&'a str> {
    args.iter()
        .map(|a| if *a == "--json" { form } else { *a })
        .collect()
}

/// Runs `args` (which hold `--json`) with every spelling of [`FORMS`]: each prints the same
/// stdout with the same exit status; then an unknown letter and `?`, which exit 1 printing
/// nothing. Returns the run with `--json` and its object.
#[track_caller]
fn every_form(args: &[&str]) -> (Run, Json) {
    let (first, j) = json_run(args);
    for form in FORMS {
        let run = sgmap(&with_form(args, form));
        assert_eq!(
            (run.code, run.out()),
            (first.code, first.out()),
            "{form}:\n{run:?}\n--json:\n{first:?}"
        );
    }
    for bad in ["--json=x", "-j=J", "--json=e=", "-j=?"] {
        let run = sgmap(&with_form(args, bad));
        run.status(1).diagnosed();
        assert!(run.stdout.is_empty(), "{bad} printed:\n{run:?}");
    }
    (first, j)
}

/// The phase's devices: (sg node, block node).
fn devices(env: &Env) -> Vec<(String, String)> {
    let mut v = vec![(env.sg.clone(), env.block.clone())];
    if let (Some(sg), Some(block)) = (&env.dev.sg2, &env.dev.block2) {
        let sg = sg.display().to_string();
        clear_unit_attention(&sg);
        v.push((sg, block.display().to_string()));
    }
    v
}

/// A sysfs attribute of an sg node's SCSI device, trimmed.
fn sysfs(sg: &str, attr: &str) -> String {
    let name = sg.trim_start_matches("/dev/");
    let path = format!("/sys/class/scsi_generic/{name}/device/{attr}");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .trim()
        .to_owned()
}

/// The number after `prefix` in `text` (decimal, or hex after `0x`).
#[track_caller]
fn number_after(text: &str, prefix: &str) -> i128 {
    let at = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix:?} in:\n{text}"));
    let rest = &text[at + prefix.len()..];
    let (digits, radix) = match rest.strip_prefix("0x") {
        Some(hex) => (hex, 16),
        None => (rest, 10),
    };
    let end = digits
        .find(|c: char| !c.is_ascii_hexdigit() || (radix == 10 && !c.is_ascii_digit()))
        .unwrap_or(digits.len());
    i128::from_str_radix(&digits[..end], radix)
        .unwrap_or_else(|e| panic!("{prefix:?} in {text:?}: {e}"))
}

/// The rest of the first line that has `prefix`, after it, trimmed.
fn line_after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|l| l.find(prefix).map(|at| &l[at + prefix.len()..]))
        .map(str::trim)
}

/// A JSON boolean as sg3_utils' text shows the bit.
fn bit(j: &Json, key: &str) -> i128 {
    i128::from(j.get(key).bool())
}

#[test]
fn list_json_names_every_device_as_sysfs_does() {
    let env = Env::get();
    let (_, j) = every_form(&["list", "--json"]);
    shape(&j, "list", LIST);
    assert_eq!(j.get("exit_status").num(), 0);
    let list = j.get("attached_scsi_device_list").array();
    assert_eq!(
        j.get("number_of_attached_scsi_devices").num(),
        list.len() as i128
    );
    for d in list {
        shape(d, "list device", LIST_DEVICE);
        let sg = d.get("sg_node").str();
        assert!(std::path::Path::new(sg).exists(), "{sg}: no such node");
        assert_eq!(
            d.get("peripheral_device_type").num().to_string(),
            sysfs(sg, "type"),
            "{sg}"
        );
        assert_eq!(
            d.get("t10_vendor_identification").str(),
            sysfs(sg, "vendor")
        );
        assert_eq!(d.get("product_identification").str(), sysfs(sg, "model"));
        assert_eq!(d.get("revision").str(), sysfs(sg, "rev"));
        let link = std::fs::read_link(format!(
            "/sys/class/scsi_generic/{}/device",
            sg.trim_start_matches("/dev/")
        ))
        .unwrap_or_else(|e| panic!("{sg}: device link: {e}"));
        assert_eq!(
            d.get("hctl").str(),
            link.file_name().unwrap().to_str().unwrap()
        );
    }
    for (sg, block) in devices(&env) {
        let me = list
            .iter()
            .find(|d| d.get("sg_node").str() == sg)
            .unwrap_or_else(|| panic!("{sg} not in {j:?}"));
        assert_eq!(me.get("primary_device_node").str(), block);
    }
}

#[test]
fn inquiry_json_has_the_values_sg_inq_prints() {
    let env = Env::get();
    for (sg, _) in devices(&env) {
        let (_, j) = every_form(&["inquiry", "--json", &sg]);
        shape(&j, "inquiry", INQUIRY);
        assert_eq!(j.get("device").str(), sg);
        let theirs = sg3("sg_inq", &[&sg]);
        theirs.status(0);
        let text = theirs.out();
        for (key, name) in [
            ("t10_vendor_identification", "Vendor identification:"),
            ("product_identification", "Product identification:"),
            ("product_revision_level", "Product revision level:"),
        ] {
            assert_eq!(
                Some(j.get(key).str()),
                line_after(&text, name),
                "{key}:\n{theirs:?}"
            );
        }
        assert_eq!(
            j.get("unit_serial_number"),
            &match line_after(&text, "Unit serial number:") {
                Some(sn) => Json::Str(sn.to_owned()),
                None => Json::Null,
            },
            "{theirs:?}"
        );
        for (key, name) in [
            ("peripheral_qualifier", "PQual="),
            ("peripheral_device_type", "PDT="),
            ("hot_pluggable", "hot_pluggable="),
            ("version", "version="),
            ("response_data_format", "Resp_data_format="),
            ("tpgs", "TPGS="),
        ] {
            assert_eq!(
                j.get(key).num(),
                number_after(&text, name),
                "{key}:\n{theirs:?}"
            );
        }
        for (key, name) in [
            ("rmb", "RMB="),
            ("lu_cong", "LU_CONG="),
            ("aerc", "[AERC="),
            ("trmtsk", "[TrmTsk="),
            ("normaca", "NormACA="),
            ("hisup", "HiSUP="),
            ("sccs", "SCCS="),
            ("acc", "ACC="),
            ("3pc", "3PC="),
            ("protect", "Protect="),
            ("bque", "[BQue="),
            ("encserv", "EncServ="),
            ("multip", "MultiP="),
            ("mchngr", "[MChngr="),
            ("reladr", "[RelAdr="),
            ("linked", "[Linked="),
            ("cmdque", "CmdQue="),
        ] {
            assert_eq!(
                bit(&j, key),
                number_after(&text, name),
                "{key}:\n{theirs:?}"
            );
        }
        assert_eq!(
            j.get("peripheral_device_type_name").str(),
            line_after(&text, "Peripheral device type:").unwrap_or("?"),
            "{theirs:?}"
        );
    }
}

#[test]
fn vpd_json_has_the_pages_sg_inq_lists_and_decodes() {
    let env = Env::get();
    for (sg, _) in devices(&env) {
        let (_, sv) = every_form(&["inquiry", "--vpd=sv", "--json", &sg]);
        shape(&sv, "vpd 00h", &with(VPD, &[("pages", T::Arr)]));
        assert_eq!(sv.get("page_code").num(), 0);
        let pages: Vec<i128> = sv.get("pages").array().iter().map(Json::num).collect();
        let theirs = sg3("sg_inq", &["--page=sv", &sg]);
        theirs.status(0);
        let listed: Vec<i128> = theirs
            .out()
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("0x"))
            .map(|l| {
                let hex = l.split_whitespace().next().unwrap_or("");
                i128::from_str_radix(hex, 16).unwrap_or_else(|e| panic!("{l:?}: {e}"))
            })
            .collect();
        assert_eq!(pages, listed, "{theirs:?}");
        let std = json_run(&["inquiry", "--json", &sg]).1;
        for &page in &pages {
            let p = format!("--vpd={page:#x}");
            let (_, j) = json_run(&["inquiry", &p, "--json", &sg]);
            assert_eq!(j.get("page_code").num(), page);
            assert_eq!(
                j.get("peripheral_device_type"),
                std.get("peripheral_device_type")
            );
            match page {
                0x00 => {}
                0x80 => {
                    shape(
                        &j,
                        "vpd 80h",
                        &with(VPD, &[("unit_serial_number", T::StrOrNull)]),
                    );
                    let theirs = sg3("sg_inq", &["--page=sn", &sg]);
                    theirs.status(0);
                    assert_eq!(
                        Some(j.get("unit_serial_number").str()),
                        line_after(&theirs.out(), "Unit serial number:"),
                        "{theirs:?}"
                    );
                }
                0x83 => {
                    shape(
                        &j,
                        "vpd 83h",
                        &with(VPD, &[("designation_descriptor_list", T::Arr)]),
                    );
                    let list = j.get("designation_descriptor_list").array();
                    assert!(!list.is_empty(), "{j:?}");
                    let theirs = sg3("sg_inq", &["--page=di", &sg]);
                    theirs.status(0);
                    let text = theirs.out();
                    let types: Vec<&str> = text
                        .lines()
                        .filter_map(|l| l.trim_start().strip_prefix("designator_type: "))
                        .collect();
                    let assocs: Vec<&str> = text
                        .lines()
                        .filter_map(|l| l.trim_start().strip_prefix("associated with the "))
                        .collect();
                    assert_eq!(types.len(), list.len(), "{theirs:?}\n{j:?}");
                    assert_eq!(assocs.len(), list.len(), "{theirs:?}\n{j:?}");
                    for ((d, line), assoc) in list.iter().zip(types).zip(assocs) {
                        shape(d, "designator", DESIGNATOR);
                        let want = format!(
                            "{},  code_set: {}",
                            d.get("designator_type_name").str(),
                            d.get("code_set_name").str()
                        );
                        assert_eq!(line, want, "{theirs:?}");
                        assert_eq!(d.get("association_name").str(), assoc);
                    }
                }
                0xb0 => {
                    shape(&j, "vpd b0h", &with(VPD, VPD_B0));
                    let theirs = sg3("sg_inq", &["--page=bl", &sg]);
                    theirs.status(0);
                    let text = theirs.out();
                    for (key, name) in [
                        (
                            "optimal_transfer_length_granularity",
                            "Optimal transfer length granularity: ",
                        ),
                        ("maximum_transfer_length", "Maximum transfer length: "),
                        ("optimal_transfer_length", "Optimal transfer length: "),
                    ] {
                        assert_eq!(
                            j.get(key).num(),
                            number_after(&text, &format!("\n  {name}")),
                            "{key}:\n{theirs:?}"
                        );
                    }
                }
                0x86 => shape(&j, "vpd 86h", &with(VPD, VPD_86)),
                0x89 => shape(&j, "vpd 89h", &with(VPD, VPD_89)),
                0xb1 => shape(&j, "vpd b1h", &with(VPD, VPD_B1)),
                0xb2 => shape(&j, "vpd b2h", &with(VPD, VPD_B2)),
                _ => shape(&j, "vpd page", VPD),
            }
        }
    }
}

#[test]
fn readcap_json_has_the_values_sg_readcap_prints() {
    let env = Env::get();
    for (sg, block) in devices(&env) {
        let ss = i128::from(env.ss);
        let blocks = (block_device_bytes(&block) / env.ss) as i128;
        for long in [false, true] {
            let mut args = vec!["readcap"];
            let mut theirs_args = vec![];
            if long {
                args.push("--16");
                theirs_args.push("--16");
            }
            args.extend(["--json", &sg]);
            theirs_args.push(&sg);
            let (_, j) = every_form(&args);
            if long {
                shape(&j, "readcap --16", &with(READCAP, READCAP_16));
            } else {
                shape(&j, "readcap", READCAP);
            }
            let theirs = sg3("sg_readcap", &theirs_args);
            theirs.status(0);
            let text = theirs.out();
            assert_eq!(j.get("cdb").num(), if long { 16 } else { 10 });
            assert_eq!(
                j.get("returned_logical_block_address").num(),
                number_after(&text, "Last LBA=")
            );
            assert_eq!(j.get("returned_logical_block_address").num(), blocks - 1);
            assert_eq!(
                j.get("logical_block_length_in_bytes").num(),
                number_after(&text, "Logical block length=")
            );
            assert_eq!(j.get("logical_block_length_in_bytes").num(), ss);
            assert_eq!(j.get("blocks").num(), blocks);
            assert_eq!(j.get("bytes").num(), blocks * ss);
            if long {
                for (key, name) in [
                    ("p_type", "p_type="),
                    ("p_i_exponent", "p_i_exponent="),
                    (
                        "logical_blocks_per_physical_block_exponent",
                        "Logical blocks per physical block exponent=",
                    ),
                    (
                        "lowest_aligned_logical_block_address",
                        "Lowest aligned LBA=",
                    ),
                ] {
                    assert_eq!(j.get(key).num(), number_after(&text, name), "{key}");
                }
                for (key, name) in [
                    ("prot_en", "prot_en="),
                    ("lbpme", "lbpme="),
                    ("lbprz", "lbprz="),
                ] {
                    assert_eq!(bit(&j, key), number_after(&text, name), "{key}");
                }
            }
        }
    }
}

#[test]
fn tur_json_counts_on_every_device() {
    let env = Env::get();
    for (sg, _) in devices(&env) {
        for n in ["1", "3"] {
            let (_, j) = every_form(&["tur", "--number", n, "--json", &sg]);
            shape(&j, "tur", TUR);
            assert_eq!(j.get("commands").num(), n.parse::<i128>().unwrap());
            assert_eq!(j.get("errors").num(), 0);
            assert!(j.get("ready").bool());
            assert_eq!(j.get("exit_status").num(), 0);
        }
    }
}

/// Sense data and what sg_decode_sense says of it.
const SENSE_BYTES: &[&str] = &[
    // Fixed, current, UNIT ATTENTION 29h/00h.
    "70 00 06 00 00 00 00 0a 00 00 00 00 29 00 00 00 00 00",
    // Fixed, deferred, MEDIUM ERROR 11h/00h with VALID and an LBA, ILI.
    "f1 00 23 00 00 12 34 0a 00 00 00 05 11 00 00 00 00 00",
    // Descriptor, current, NOT READY 04h/02h, an Information descriptor with VALID.
    "72 02 04 02 00 00 00 0c 00 0a 80 00 00 00 00 00 00 00 00 2a",
    // Descriptor, deferred, ILLEGAL REQUEST 24h/00h, SDAT_OVFL.
    "73 05 24 00 80 00 00 00",
];

#[test]
fn sense_json_has_the_values_sg_decode_sense_prints() {
    let _env = Env::get();
    for hex in SENSE_BYTES {
        let (_, j) = every_form(&["sense", "--json", hex]);
        shape(&j, "sense", &with(SENSE, &[("exit_status", T::Int)]));
        assert_eq!(j.get("bytes").str(), *hex);
        assert_eq!(j.get("exit_status").num(), 0);
        let bytes: Vec<&str> = hex.split(' ').collect();
        let theirs = sg3("sg_decode_sense", &bytes);
        theirs.status(0);
        let text = theirs.out();
        let first = text.lines().next().unwrap_or("");
        assert_eq!(
            first.contains("Descriptor format"),
            j.get("descriptor_format").bool(),
            "{theirs:?}"
        );
        assert_eq!(
            first.contains("deferred"),
            j.get("deferred").bool(),
            "{theirs:?}"
        );
        assert!(
            first.ends_with(&format!("Sense key: {}", j.get("sense_key_name").str())),
            "{first:?} vs {j:?}"
        );
        assert_eq!(
            line_after(&text, "Additional sense:"),
            Some(j.get("additional_sense_str").str()),
            "{theirs:?}"
        );
        let b0 = u8::from_str_radix(&hex[..2], 16).unwrap();
        assert_eq!(j.get("response_code").num(), i128::from(b0 & 0x7f));
        assert_eq!(
            text.contains("(SDAT_OVFL)"),
            j.get("sdat_ovfl").bool(),
            "{theirs:?}"
        );
        if j.get("valid").bool() {
            let label = if j.get("descriptor_format").bool() {
                "Information: "
            } else {
                "Info fld="
            };
            assert_eq!(
                j.get("information").num(),
                number_after(&text, label),
                "{theirs:?}"
            );
        }
    }
    // Not sense data: sense_decode_error, and sgmap's exit status 97 in the object.
    let (run, j) = json_run(&["sense", "--json", "12 34 56"]);
    run.status(97);
    shape(
        &j,
        "not sense",
        &with(NOT_SENSE, &[("exit_status", T::Int)]),
    );
}

#[test]
fn dd_json_reports_the_copy_the_dry_run_and_a_refused_plan() {
    let env = Env::get();
    for (sg, block) in devices(&env) {
        let blocks = block_device_bytes(&block) / env.ss;
        let (i, bs) = (format!("if={sg}"), format!("bs={}", env.ss));
        let (run, j) = json_run(&["dd", &i, "of=/dev/null", &bs, "count=64", "--json"]);
        run.status(0);
        shape(&j, "dd", &with(DD_COMMON, DD));
        for key in ["records_in", "records_out"] {
            shape(j.get(key), key, RECORDS);
            assert_eq!(j.get(key).get("full").num(), 64);
        }
        assert_eq!(j.get("bytes").num(), 64 * i128::from(env.ss));
        assert!(j.get("error").is_null());
        assert!(j.get("sparse_bypassed").is_null());
        assert!(!j.get("removed").bool());
        // Every spelling: the same copy (times aside).
        for form in FORMS {
            let (_, k) = json_run(&["dd", &i, "of=/dev/null", &bs, "count=64", form]);
            assert_eq!(k.get("records_out"), j.get("records_out"), "{form}");
        }
        let (run, j) = json_run(&[
            "dd",
            &i,
            "of=/dev/null",
            &bs,
            "count=64",
            "--dry-run",
            "-j=e",
        ]);
        run.status(0);
        shape(&j, "dd --dry-run", &with(DD_COMMON, DD_DRY));
        assert!(j.get("dry_run").bool());
        // A plan past the end is refused before any transfer: exit 22 and only exit_status.
        let skip = format!("skip={blocks}");
        let (run, j) = json_run(&["dd", &i, "of=/dev/null", &bs, &skip, "count=1", "--json"]);
        run.status(22).diagnosed();
        shape(&j, "dd refused", FAILED);
        // A usage error prints no JSON.
        let run = sgmap(&["dd", &i, "of=-", &bs, "count=1", "--json"]);
        run.status(31);
        assert!(run.stdout.is_empty(), "{run:?}");
    }
}

#[test]
fn write_buffer_json_plans_and_sends_or_reports_the_failure() {
    let env = Env::get();
    let image = scratch_file("json-wb.bin", &pattern(1024, 7));
    let input = format!("--in={image}");
    for (sg, _) in devices(&env) {
        let (_, j) = every_form(&[
            "write-buffer",
            "--mode=data",
            &input,
            "--bpw=512",
            "--dry-run",
            "--json",
            &sg,
        ]);
        shape(&j, "write-buffer --dry-run", WRITE_BUFFER);
        assert_eq!(j.get("mode").num(), 2);
        let chunks = j.get("chunks").array();
        assert_eq!(chunks.len(), 2, "{j:?}");
        for c in chunks {
            shape(c, "chunk", CHUNK);
        }
        // Mode 2 (data) only fills the device's buffer. scsi_debug takes it; a device that
        // does not has its failure, with the status and sense, in `error`.
        let (run, j) = json_run(&["write-buffer", "--mode=data", &input, "--json", &sg]);
        shape(&j, "write-buffer", &with(WRITE_BUFFER, WRITE_BUFFER_SENT));
        if run.code == 0 {
            assert!(j.get("error").is_null(), "{run:?}");
            assert_eq!(j.get("bytes_sent").num(), 1024);
        } else {
            let e = j.get("error");
            shape(
                e,
                "write-buffer error",
                &with(
                    &[
                        ("chunk", T::Int),
                        ("offset", T::Int),
                        ("length", T::Int),
                        ("message", T::Str),
                    ],
                    STATUS,
                ),
            );
            assert_eq!(e.get("category").num(), i128::from(run.code));
            if !e.get("sense").is_null() {
                shape(e.get("sense"), "write-buffer sense", SENSE);
                assert_eq!(e.get("sense").get("category").num(), i128::from(run.code));
            }
        }
    }
}

#[test]
fn a_command_that_fails_before_its_object_prints_its_exit_status() {
    let env = Env::get();
    for (sg, _) in devices(&env) {
        // A VPD page the device does not have: CHECK CONDITION, ILLEGAL REQUEST (5).
        let (_, sv) = json_run(&["inquiry", "--vpd=sv", "--json", &sg]);
        let pages: Vec<i128> = sv.get("pages").array().iter().map(Json::num).collect();
        let missing = (0xc0..=0xff).find(|p| !pages.contains(p)).unwrap();
        let p = format!("--vpd={missing:#x}");
        for form in FORMS {
            let (run, j) = json_run(&["inquiry", &p, form, &sg]);
            run.status(5).diagnosed();
            shape(&j, "inquiry failed", FAILED);
        }
    }
    // A node that does not exist: 50 + ENOENT as sg_inq, sg_readcap and sg_turs; dd's
    // input that cannot be examined, sgm_dd's 15.
    for (args, status) in [
        (&["inquiry", "--json", "/dev/sgmap-none"][..], 52),
        (&["readcap", "-j=e", "/dev/sgmap-none"], 52),
        (&["tur", "--json", "/dev/sgmap-none"], 52),
        (&["dd", "if=/dev/sgmap-none", "of=/dev/null", "--json"], 15),
    ] {
        let (run, j) = json_run(args);
        run.status(status).diagnosed();
        shape(&j, "no such device", FAILED);
    }
    // raw has no --json: as sg_raw takes an unknown option, the usage on stderr and
    // status 0, nothing on stdout and nothing sent.
    let run = sgmap(&["raw", "--json", &env.sg, "00", "00", "00", "00", "00", "00"]);
    run.status(0).err_has("Usage: sgmap raw");
    assert!(run.stdout.is_empty(), "{run:?}");
}

#[test]
fn scsi_debug_a_stopped_unit_reports_sense_in_tur_json_as_sg_decode_sense_decodes_it() {
    let env = Env::get();
    for (sg, _) in devices(&env) {
        sgmap(&["raw", &sg, "1b", "00", "00", "00", "00", "00"]).status(0);
        let one = json_run(&["tur", "--json", &sg]);
        let three = json_run(&["tur", "-n", "3", "-j=e", &sg]);
        sgmap(&["raw", &sg, "1b", "00", "00", "00", "01", "00"]).status(0);
        clear_unit_attention(&sg);
        let ((run, j), (run3, j3)) = (one, three);
        run.status(2);
        run3.status(0);
        shape(&j, "tur", TUR);
        assert_eq!(j3.get("errors").num(), 3);
        assert!(!j.get("ready").bool());
        let e = j.get("last_error");
        shape(e, "last_error", &with(&[("message", T::Str)], STATUS));
        assert_eq!(e.get("category").num(), 2);
        let sense = e.get("sense");
        shape(sense, "tur sense", SENSE);
        assert_eq!(sense.get("sense_key").num(), 2);
        assert_eq!(
            sense.get("descriptor_format").bool(),
            env.dev.sense_format == SenseFormat::Descriptor
        );
        let bytes: Vec<&str> = sense.get("bytes").str().split(' ').collect();
        let theirs = sg3("sg_decode_sense", &bytes);
        theirs.status(0);
        assert!(
            theirs
                .out()
                .contains(&format!("Sense key: {}", sense.get("sense_key_name").str())),
            "{theirs:?}"
        );
        assert_eq!(
            line_after(&theirs.out(), "Additional sense:"),
            Some(sense.get("additional_sense_str").str()),
            "{theirs:?}"
        );
        assert_eq!(
            sense.get("text").str(),
            theirs.out().trim_end(),
            "{theirs:?}"
        );
    }
}
