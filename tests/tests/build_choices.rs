//! The commands as build choices (issue 22): `/bin/sgmap-firmware`, sgmap built with the
//! `firmware` features only (inquiry, tur, readcap, write-buffer and the name tables; a
//! debug build of the same source, put in the amd64 guest by `cargo xtask test`), against
//! the full `/bin/sgmap` on the phase's device. What it has answers as the full build does;
//! what it left out is refused, by command name and by tool name, with 127 and the build's
//! commands named, and nothing reaches the device.

mod cli_common;

use std::path::Path;
use std::process::{Command, Stdio};

use cli_common::*;
use sgmap_tests::scsi::iorequest_count;

const FIRMWARE: &str = "/bin/sgmap-firmware";
/// Links to the firmware build under sg3_utils' names.
const LINKS: &str = "/tmp/sgmap-firmware-links";

fn run(program: &str, args: &[&str]) -> Run {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    Run {
        args: std::iter::once(program.to_owned())
            .chain(args.iter().map(|a| a.to_string()))
            .collect(),
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn firmware(args: &[&str]) -> Run {
    run(FIRMWARE, args)
}

/// A link named `tool` to the firmware build.
fn link(tool: &str) -> String {
    std::fs::create_dir_all(LINKS).expect("mkdir the link directory");
    let path = format!("{LINKS}/{tool}");
    if !Path::new(&path).exists() {
        std::os::unix::fs::symlink(FIRMWARE, &path).expect("symlink");
    }
    path
}

#[test]
fn firmware_build_lists_its_commands_and_only_their_tool_names() {
    let version = firmware(&["--version"]);
    version.status(0);
    assert!(
        version.out().contains(
            "commands: inquiry readcap tur write-buffer\nname tables: yes\n\
                 VPD pages decoded: 00h 80h 83h\n"
        ),
        "{version:?}"
    );
    let names = firmware(&["--list-names"]);
    names.status(0);
    assert_eq!(
        names.out(),
        "sg_inq\nsg_readcap\nsg_turs\nsg_write_buffer\n",
        "{names:?}"
    );
    let help = firmware(&["help"]);
    help.status(0);
    assert!(help.out().contains("write-buffer"), "{help:?}");
    assert!(!help.out().contains("format"), "{help:?}");
    // The full build lists every command.
    sgmap(&["--version"])
        .status(0)
        .out_has("commands: list inquiry vpd readcap")
        .out_has("VPD pages decoded: all\n");
}

#[test]
fn firmware_build_commands_answer_as_the_full_build_does() {
    let env = Env::get();
    let dev = env.sg.as_str();
    for args in [
        &["inquiry", dev][..],
        &["inquiry", "--page=0x83", dev],
        &["inquiry", "--json", dev],
        &["readcap", "--16", dev],
        &["tur", dev],
        &[
            "write-buffer",
            "--mode=dmc_offs_defer",
            "--in=/dev/null",
            "--dry-run",
            dev,
        ],
        &["inquiry", "--frobnicate", dev],
    ] {
        let full = sgmap(args);
        let fw = firmware(args);
        assert_eq!(
            (fw.code, fw.out(), fw.stderr.replace(FIRMWARE, SGMAP)),
            (full.code, full.out(), full.stderr.clone()),
            "{args:?}: firmware {fw:?}\nfull {full:?}"
        );
    }
    // Under the tool's own name, as the full build's link answers.
    let theirs = as_tool("sg_turs", &[dev]);
    let ours = run(&link("sg_turs"), &[dev]);
    assert_eq!(
        (ours.code, ours.out()),
        (theirs.code, theirs.out()),
        "{ours:?}"
    );
}

#[test]
fn firmware_build_refuses_a_left_out_command_with_127_naming_the_build_and_sends_nothing() {
    let env = Env::get();
    let dev = env.sg.as_str();
    let sg = Path::new(dev);
    let before = iorequest_count(sg);
    for (program, args) in [
        (
            FIRMWARE.to_owned(),
            vec!["format", "--format", "--quick", dev],
        ),
        (
            FIRMWARE.to_owned(),
            vec!["dd", &format!("if={dev}"), "of=/dev/null"],
        ),
        (FIRMWARE.to_owned(), vec!["sg_format", "--format", dev]),
        (link("sg_format"), vec!["--format", "--quick", dev]),
        (link("sgm_dd"), vec![&format!("if={dev}"), "of=/dev/null"]),
    ] {
        let r = run(&program, &args);
        r.status(127).err_has(
            "not in this build of sgmap (its commands: inquiry, readcap, tur, write-buffer)",
        );
        assert!(r.out().is_empty(), "{r:?}");
    }
    assert_eq!(iorequest_count(sg), before, "no command reached the device");
    // An unknown name is still unknown (1), not "left out".
    firmware(&["frobnicate"]).status(1);
}

/// The firmware build is without `vpd-pages`: `inquiry` decodes 00h, 80h and 83h (above)
/// and prints any other page as sg_inq prints a page it does not decode, in hex after its
/// note. The hex is sg_inq's own: the real sg_inq given the same bytes as a page it does not
/// decode (B4h) prints them alike. The JSON has the page's header and payload, not its fields.
#[test]
fn firmware_build_prints_the_pages_it_does_not_decode_in_hex_as_sg_inq_does() {
    let env = Env::get();
    let dev = env.sg.as_str();
    let raw = sgmap(&["inquiry", "--page=0xb0", "--raw", dev]);
    raw.status(0);
    assert!(raw.stdout.len() > 4 && raw.stdout[1] == 0xb0, "{raw:?}");
    let file = "/tmp/build-choices-b0.bin";
    std::fs::write(file, &raw.stdout).expect("write the page");
    let theirs = sg3(
        "sg_inq",
        &[&format!("--inhex={file}"), "--raw", "--page=0xb4"],
    );
    theirs.status(0);
    let expected = theirs
        .out()
        .replacen("page code=0xb4:", "page code=0xb0:", 1);
    let fw = firmware(&["inquiry", "--page=0xb0", dev]);
    fw.status(0).err_has(" Only hex output supported.");
    assert_eq!(fw.out(), expected, "{fw:?}\nsg_inq {theirs:?}");
    // The full build decodes it.
    let full = sgmap(&["inquiry", "--page=0xb0", dev]);
    full.status(0).out_has("Block limits");
    let fw_json = firmware(&["inquiry", "--json", "--page=0xb0", dev]);
    fw_json
        .status(0)
        .out_has(r#""page_code":176"#)
        .out_has(r#""payload":"#);
    assert!(
        !fw_json.out().contains("maximum_transfer_length"),
        "{fw_json:?}"
    );
    sgmap(&["inquiry", "--json", "--page=0xb0", dev])
        .status(0)
        .out_has("maximum_transfer_length");
}
