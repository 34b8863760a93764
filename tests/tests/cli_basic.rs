//! `/bin/sgmap` against the phase's device: every subcommand but dd and write-buffer, its
//! text and JSON output and exit status, and the bad paths and operands.

mod cli_common;

use std::fs;

use cli_common::*;

#[test]
fn version_and_help_exit_0_and_bad_commands_exit_1() {
    sgmap(&["--version"]).status(0).out_has("sgmap ");
    sgmap(&["help"]).status(0).out_has("write-buffer");
    for cmd in [
        "list",
        "inquiry",
        "vpd",
        "readcap",
        "tur",
        "requests",
        "format",
        "sanitize",
        "dd",
        "write-buffer",
        "raw",
        "sense",
    ] {
        sgmap(&["help", cmd]).status(0).out_has("Usage: sgmap");
        // As the tools: sg_sanitize prints its usage on stderr.
        let help = sgmap(&[cmd, "--help"]);
        help.status(0);
        if cmd == "sanitize" {
            help.err_has("Usage: sgmap");
        } else {
            help.out_has("Usage: sgmap");
        }
    }
    sgmap(&["help", "frobnicate"]).status(1).diagnosed();
    sgmap(&["frobnicate"]).status(1).diagnosed();
    sgmap(&[]).status(1);
}

#[test]
fn list_names_the_device_with_its_block_node_in_text_and_json() {
    let env = Env::get();
    let run = sgmap(&["list"]);
    run.status(0);
    let line = run
        .out()
        .lines()
        .find(|l| l.split_whitespace().next() == Some(env.sg.as_str()))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("{} not listed:\n{run:?}", env.sg));
    assert!(
        line.ends_with(&env.block),
        "{line:?} does not end with {}",
        env.block
    );
    assert!(line.contains(" disk "), "{line:?}");

    let json = sgmap(&["list", "--json"]).status(0).json();
    let devices = json.get("attached_scsi_device_list").array();
    let me = devices
        .iter()
        .find(|d| d.get("sg_node").str() == env.sg)
        .unwrap_or_else(|| panic!("{} not in {json:?}", env.sg));
    assert_eq!(me.get("primary_device_node").str(), env.block);
    assert_eq!(me.get("peripheral_device_type").num(), 0);
    assert_eq!(me.get("peripheral_device_type_name").str(), "disk");
    let hctl = me.get("hctl").str();
    assert_eq!(hctl.split(':').count(), 4, "{hctl}");
    let sysfs_vendor = sysfs_attr(&env.sg, "vendor");
    assert_eq!(me.get("t10_vendor_identification").str(), sysfs_vendor);
}

fn sysfs_attr(sg: &str, attr: &str) -> String {
    let name = sg.trim_start_matches("/dev/");
    let path = format!("/sys/class/scsi_generic/{name}/device/{attr}");
    fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .trim()
        .to_owned()
}

#[test]
fn inquiry_prints_sg_inq_lines_and_json() {
    let env = Env::get();
    let run = sgmap(&["inquiry", &env.sg]);
    run.status(0);
    let out = run.out();
    let field = |name: &str| -> String {
        out.lines()
            .find_map(|l| l.trim_start().strip_prefix(name))
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("no {name:?} line:\n{run:?}"))
    };
    let vendor = field("Vendor identification:");
    let product = field("Product identification:");
    let revision = field("Product revision level:");
    assert_eq!(vendor, sysfs_attr(&env.sg, "vendor"));
    assert_eq!(product, sysfs_attr(&env.sg, "model"));
    assert_eq!(revision, sysfs_attr(&env.sg, "rev"));
    // sg_inq 1.46's order: the fields first, then the identification lines.
    assert!(out.starts_with("standard INQUIRY:\n"), "{run:?}");

    let json = sgmap(&["inquiry", "--json", &env.sg]).status(0).json();
    assert_eq!(json.get("device").str(), env.sg);
    assert_eq!(json.get("t10_vendor_identification").str(), vendor);
    assert_eq!(json.get("product_identification").str(), product);
    assert_eq!(json.get("product_revision_level").str(), revision);
    assert_eq!(json.get("peripheral_device_type").num(), 0);
    match json.get("unit_serial_number") {
        Json::Null => assert!(!out.contains("Unit serial number:"), "{run:?}"),
        serial => assert_eq!(field("Unit serial number:"), serial.str()),
    }
}

#[test]
fn inquiry_vpd_pages_and_hex() {
    let env = Env::get();
    let json = sgmap(&["inquiry", "--vpd=sv", "--json", &env.sg])
        .status(0)
        .json();
    assert_eq!(json.get("page_code").num(), 0);
    let pages: Vec<i128> = json.get("pages").array().iter().map(Json::num).collect();
    assert!(pages.contains(&0), "{pages:?}");
    sgmap(&["inquiry", "--vpd=0", &env.sg])
        .status(0)
        .out_has("Supported VPD pages");
    if pages.contains(&0x80) {
        let sn = sgmap(&["inquiry", "--vpd=sn", "--json", &env.sg])
            .status(0)
            .json();
        assert_eq!(sn.get("page_code").num(), 0x80);
        let std = sgmap(&["inquiry", "--json", &env.sg]).status(0).json();
        assert_eq!(sn.get("unit_serial_number"), std.get("unit_serial_number"));
    }
    if pages.contains(&0x83) {
        let di = sgmap(&["inquiry", "--vpd=di", "--json", &env.sg])
            .status(0)
            .json();
        assert!(
            !di.get("designation_descriptor_list").array().is_empty(),
            "{di:?}"
        );
    }
    let hex = sgmap(&["inquiry", "--hex", &env.sg]).status(0).out();
    assert!(hex.starts_with(" 00     "), "{hex}");
    // A page the device does not have: ILLEGAL REQUEST (invalid field in cdb), exit 5.
    let missing = (0xc0..=0xff)
        .find(|p| !pages.contains(p))
        .expect("an unused page");
    sgmap(&["inquiry", &format!("--vpd={missing:#x}"), &env.sg])
        .status(5)
        .diagnosed();
}

#[test]
fn readcap_prints_sg_readcap_lines_brief_and_json() {
    let env = Env::get();
    let blocks = env.blocks();
    let run = sgmap(&["readcap", &env.sg]);
    run.status(0)
        .out_has(&format!(
            "Last LBA={}, Number of logical blocks={blocks}",
            format_args!("{} (0x{:x})", blocks - 1, blocks - 1)
        ))
        .out_has(&format!("Logical block length={} bytes", env.ss))
        .out_has(&format!("Device size: {} bytes", blocks * env.ss));
    sgmap(&["readcap", "--16", &env.sg])
        .status(0)
        .out_has("Protection: prot_en=")
        .out_has(&format!("Number of logical blocks={blocks}"));
    let brief = sgmap(&["readcap", "--brief", &env.sg]).status(0).out();
    assert_eq!(brief, format!("0x{blocks:x} 0x{:x}\n", env.ss));
    let json = sgmap(&["readcap", "--json", &env.sg]).status(0).json();
    assert_eq!(json.get("blocks").num(), i128::from(blocks));
    assert_eq!(
        json.get("returned_logical_block_address").num(),
        i128::from(blocks - 1)
    );
    assert_eq!(
        json.get("logical_block_length_in_bytes").num(),
        i128::from(env.ss)
    );
    assert_eq!(json.get("bytes").num(), i128::from(blocks * env.ss));
    assert_eq!(json.get("cdb").num(), 10);
    let json = sgmap(&["readcap", "--16", "--json", &env.sg])
        .status(0)
        .json();
    assert_eq!(json.get("cdb").num(), 16);
    assert!(json.has("lbpme"));
    sgmap(&["readcap", "--brief", "--json", &env.sg])
        .status(31)
        .diagnosed();
}

#[test]
fn tur_is_good_and_counts_in_json() {
    let env = Env::get();
    let run = sgmap(&["tur", &env.sg]);
    run.status(0);
    assert!(run.out().is_empty() && run.stderr.is_empty(), "{run:?}");
    sgmap(&["tur", "--number=3", &env.sg])
        .status(0)
        .out_has("Completed 3 Test Unit Ready commands with 0 errors");
    let json = sgmap(&["tur", "-n", "2", "--json", &env.sg])
        .status(0)
        .json();
    assert_eq!(json.get("commands").num(), 2);
    assert_eq!(json.get("errors").num(), 0);
    assert!(json.get("ready").bool());
    assert!(json.get("last_error").is_null());
    assert_eq!(json.get("exit_status").num(), 0);
    sgmap(&["tur", "--number=0", &env.sg]).status(1).diagnosed();
}

#[test]
fn raw_inquiry_data_in_as_hex_binary_and_outfile() {
    let env = Env::get();
    let run = sgmap(&[
        "raw",
        "--request=36",
        &env.sg,
        "12",
        "00",
        "00",
        "00",
        "24",
        "00",
    ]);
    run.status(0).err_has("SCSI Status: Good");
    assert!(run.out().starts_with(" 00     "), "{run:?}");
    let bin = sgmap(&["raw", "-r", "36", "--binary", &env.sg, "12 00 00 00 24 00"]);
    bin.status(0);
    assert_eq!(bin.stdout.len(), 36, "{bin:?}");
    let vendor = String::from_utf8_lossy(&bin.stdout[8..16])
        .trim()
        .to_owned();
    assert_eq!(vendor, sysfs_attr(&env.sg, "vendor"));
    let out = scratch("raw-inquiry.bin");
    let outs = out.display().to_string();
    sgmap(&[
        "raw",
        "--request=36",
        &format!("--outfile={outs}"),
        &env.sg,
        "120000002400",
    ])
    .status(0);
    assert_eq!(fs::read(&out).unwrap(), bin.stdout);
}

/// WRITE (10) and READ (10) of one block at LBA `lba` as CDB bytes.
fn rw10(opcode: u8, lba: u32) -> Vec<String> {
    let b = lba.to_be_bytes();
    [opcode, 0, b[0], b[1], b[2], b[3], 0, 0, 1, 0]
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

#[test]
fn raw_data_out_writes_a_block_read_back_by_raw_and_the_block_node() {
    let env = Env::get();
    let lba = 100u32;
    let data = pattern(env.ss as usize, 11);
    let file = scratch_file("raw-block.bin", &data);
    let len = format!("--send={}", env.ss);
    let mut args = vec![
        "raw",
        len.as_str(),
        "--infile",
        file.as_str(),
        env.sg.as_str(),
    ];
    let cdb = rw10(0x2a, lba);
    args.extend(cdb.iter().map(String::as_str));
    sgmap(&args).status(0).err_has("SCSI Status: Good");
    assert_eq!(
        read_block(&env.block, u64::from(lba) * env.ss, data.len()),
        data
    );

    let req = format!("--request={}", env.ss);
    let mut args = vec!["raw", req.as_str(), "--binary", env.sg.as_str()];
    let cdb = rw10(0x28, lba);
    args.extend(cdb.iter().map(String::as_str));
    let run = sgmap(&args);
    run.status(0);
    same(&run.stdout, &data, "READ(10) through raw");

    // Data-out from stdin.
    let data2 = pattern(env.ss as usize, 12);
    let mut args = vec!["raw", len.as_str(), env.sg.as_str()];
    let cdb = rw10(0x2a, lba + 1);
    args.extend(cdb.iter().map(String::as_str));
    sgmap_in(&args, Some(&data2)).status(0);
    assert_eq!(
        read_block(&env.block, u64::from(lba + 1) * env.ss, data2.len()),
        data2
    );
}

#[test]
fn raw_refuses_bad_cdbs_and_options_before_any_system_call() {
    let env = Env::get();
    // Five bytes, 33 bytes, bad hex: exit 1.
    sgmap(&["raw", &env.sg, "00", "00", "00", "00", "00"])
        .status(1)
        .err_has("6 to 32");
    let long = vec!["00"; 33];
    let mut args = vec!["raw", env.sg.as_str()];
    args.extend(long.iter().copied());
    sgmap(&args).status(1).err_has("6 to 32");
    sgmap(&["raw", &env.sg, "12", "00", "00", "00", "24", "0g"])
        .status(1)
        .diagnosed();
    // Even a nonexistent device: the CDB is checked first.
    sgmap(&["raw", "/nonexistent/sg", "00", "00", "00"]).status(1);
    sgmap(&[
        "raw",
        "--request=8",
        "--send=8",
        &env.sg,
        "00 00 00 00 00 00",
    ])
    .status(31);
    sgmap(&["raw", "--infile=/tmp/x", &env.sg, "00 00 00 00 00 00"]).status(31);
    sgmap(&["raw", "--request=0", &env.sg, "00 00 00 00 00 00"]).status(1);
    // An unsupported opcode: ILLEGAL REQUEST, invalid command operation code, exit 9.
    sgmap(&["raw", &env.sg, "ff", "00", "00", "00", "00", "00"])
        .status(9)
        .err_has("Illegal Request");
    // --send with too little data: a file error, nothing sent.
    let short = scratch_file("raw-short.bin", &[1, 2, 3]);
    sgmap(&[
        "raw",
        "--send=512",
        &format!("--infile={short}"),
        &env.sg,
        "2a 00 00 00 00 64 00 00 01 00",
    ])
    .status(15);
}

#[test]
fn sense_decodes_arguments_stdin_and_json() {
    sgmap(&[
        "sense", "f0", "00", "03", "00", "00", "12", "34", "0a", "00", "00", "00", "00", "11",
        "00", "00", "00", "00", "00",
    ])
    .status(0)
    .out_has("Fixed format, current; Sense key: Medium Error")
    .out_has("Unrecovered read error")
    .out_has("0x1234");
    sgmap_in(&["sense"], Some(b"72 03 11 00 00 00 00 00\n"))
        .status(0)
        .out_has("Descriptor format, current; Sense key: Medium Error");
    let json = sgmap(&[
        "sense",
        "--json",
        "70 00 06 00 00 00 00 0a 00 00 00 00 3f 16 00 00 00 00",
    ])
    .status(0)
    .json();
    assert_eq!(json.get("sense_key").num(), 6);
    assert_eq!(json.get("additional_sense_code").num(), 0x3f);
    assert_eq!(json.get("additional_sense_code_qualifier").num(), 0x16);
    assert_eq!(json.get("category").num(), 6);
    assert_eq!(
        json.get("additional_sense_str").str(),
        "Microcode has been changed without reset"
    );
    sgmap(&["sense", "12", "34"]).status(97);
    sgmap(&["sense", "zz"]).status(1).diagnosed();
    sgmap(&["sense"]).status(1);
}

#[test]
fn bad_paths_have_the_tools_statuses_and_name_the_path() {
    // The device operand: sg3_utils' statuses (50 + errno of the open, 75 for a file that is
    // no SCSI node), compared with the tools themselves in cli_multicall.
    sgmap(&["inquiry", "/nonexistent/sg9"])
        .status(52)
        .err_has("/nonexistent/sg9");
    let regular = scratch_file("not-a-device", b"hello");
    sgmap(&["readcap", &regular])
        .status(75)
        .err_has("not an sg node");
    sgmap(&["tur", "/dev/null"]).status(75).diagnosed();
    // dd's input that cannot be examined is sgm_dd's "unable to access", 15; a firmware
    // file that does not open is a file error too.
    sgmap(&["dd", "if=/nonexistent/in", "of=."])
        .status(15)
        .diagnosed();
    let env = Env::get();
    sgmap(&["write-buffer", "--mode=5", "--in=/nonexistent/fw", &env.sg]).status(15);
}

#[test]
fn bad_operands_are_syntax_errors_1_and_contradictions_31() {
    let env = Env::get();
    sgmap(&["readcap"]).status(1).diagnosed();
    sgmap(&["readcap", "--bogus", &env.sg])
        .status(1)
        .diagnosed();
    sgmap(&["inquiry", "--vpd=zz", &env.sg])
        .status(1)
        .diagnosed();
    sgmap(&["inquiry", "--hex", "--json", &env.sg])
        .status(31)
        .diagnosed();
    sgmap(&["write-buffer", "--in=/tmp/x", &env.sg])
        .status(1)
        .diagnosed();
    sgmap(&[
        "write-buffer",
        "--mode=5",
        "--in=/tmp/x",
        "--bpw=0",
        &env.sg,
    ])
    .status(1);
    sgmap(&["dd", &format!("if={}", env.sg), "of=.", "bs=abc"])
        .status(1)
        .diagnosed();
    sgmap(&["dd", &format!("if={}", env.sg), "of=.", "colour=red"]).status(1);
    sgmap(&["dd", &format!("if={}", env.sg), "of=.", "bs=1x"]).status(1);
    sgmap(&[
        "dd",
        &format!("if={}", env.sg),
        "of=.",
        "count=18446744073709551616",
    ])
    .status(1);
    sgmap(&["dd", &format!("if={}", env.sg), "of=.", "verify=1"])
        .status(31)
        .diagnosed();
    sgmap(&["dd", &format!("if={}", env.sg), "of=-", "--json"]).status(31);
    sgmap(&["dd", &format!("if={}", env.sg)]).status(1);
}
