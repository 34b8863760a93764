//! `sgmap vpd` beside `sg_vpd`, and `sgmap inquiry --export` beside `sg_inq --export`
//! (sg3_utils 1.46, in the same guest, on every device of the phase): the same stdout byte
//! for byte and the same exit status, for every page each device lists in page 00h, for a
//! page it lacks, and for the forms Debian's udev rules (55-scsi-sg3_id.rules) use, the
//! device's own sysfs copies (`inquiry`, `vpd_pg80`, `vpd_pg83`) through `--inhex`
//! included.

mod cli_common;

use cli_common::*;

/// The sg nodes of the phase: its device and, when there is one, the second.
fn devices(env: &Env) -> Vec<String> {
    let mut v = vec![env.sg.clone()];
    if let Some(sg2) = &env.dev.sg2 {
        v.push(sg2.display().to_string());
    }
    v
}

/// The page codes a device lists in its Supported VPD pages page, read with sgmap's
/// `--raw` (and checked against sg_vpd's own `--raw`).
fn listed_pages(sg: &str) -> Vec<u8> {
    let ours = sgmap(&["vpd", "--page=0", "--raw", sg]);
    ours.status(0);
    same_text(&ours, &sg3("sg_vpd", &["--page=0", "--raw", sg]));
    let b = &ours.stdout;
    assert!(b.len() >= 4 && b[1] == 0, "page 00h of {sg}: {b:02x?}");
    b[4..].to_vec()
}

/// The sysfs directory of an sg node's SCSI device.
fn sysfs_device(sg: &str) -> String {
    let name = sg.rsplit('/').next().unwrap_or(sg);
    format!("/sys/class/scsi_generic/{name}/device")
}

#[test]
fn vpd_prints_what_sg_vpd_prints_for_every_listed_page() {
    let env = Env::get();
    for sg in devices(&env) {
        let pages = listed_pages(&sg);
        assert!(
            pages.contains(&0x83),
            "{sg} lists no page 83h: {pages:02x?}"
        );
        same_text(&sgmap(&["vpd", &sg]), &sg3("sg_vpd", &[&sg]));
        for p in pages {
            let page = format!("--page=0x{p:02x}");
            for form in [None, Some("--hex"), Some("--raw")] {
                let mut args = vec![page.as_str()];
                args.extend(form);
                args.push(&sg);
                let theirs = sg3("sg_vpd", &args);
                let mut ours_args = vec!["vpd"];
                ours_args.extend(&args);
                let ours = sgmap(&ours_args);
                same_text(&ours, &theirs);
                assert_eq!(ours.code, 0, "{ours:?}");
            }
        }
    }
}

#[test]
fn vpd_takes_sg_vpds_abbreviations() {
    let env = Env::get();
    for sg in devices(&env) {
        let pages = listed_pages(&sg);
        for (abbrev, p) in [
            ("sv", 0x00),
            ("sn", 0x80),
            ("di", 0x83),
            ("di_lu", 0x83),
            ("di_port", 0x83),
            ("di_asis", 0x83),
            ("ei", 0x86),
            ("ai", 0x89),
            ("bl", 0xb0),
            ("bdc", 0xb1),
            ("lbpv", 0xb2),
        ] {
            let arg = format!("-p{abbrev}");
            let ours = sgmap(&["vpd", &arg, &sg]);
            same_text(&ours, &sg3("sg_vpd", &[&arg, &sg]));
            assert_eq!(ours.code == 0, pages.contains(&p), "{ours:?}");
        }
    }
}

#[test]
fn vpd_of_a_page_the_device_lacks_exits_as_sg_vpd_does() {
    let env = Env::get();
    for sg in devices(&env) {
        let pages = listed_pages(&sg);
        // A decoded page and an undecoded one the device does not list.
        let lacking = [0x86u8, 0x89, 0xb1, 0xb2, 0x8a, 0xc0]
            .into_iter()
            .filter(|p| !pages.contains(p));
        let mut n = 0;
        for p in lacking {
            n += 1;
            let page = format!("--page=0x{p:x}");
            let ours = sgmap(&["vpd", &page, &sg]);
            same_text(&ours, &sg3("sg_vpd", &[&page, &sg]));
            ours.status(83).diagnosed();
        }
        assert!(n > 0, "{sg} lists every page tried: {pages:02x?}");
    }
}

#[test]
fn vpd_inhex_of_sysfs_pages_prints_what_the_device_gives() {
    let env = Env::get();
    for sg in devices(&env) {
        let dir = sysfs_device(&sg);
        for (file, page) in [("vpd_pg80", "0x80"), ("vpd_pg83", "0x83")] {
            let path = format!("{dir}/{file}");
            let ours = sgmap(&["vpd", "--raw", &format!("--inhex={path}")]);
            let device = sgmap(&["vpd", &format!("--page={page}"), &sg]);
            same_text(&ours, &device);
            same_text(
                &ours,
                &sg3("sg_vpd", &["--raw", &format!("--inhex={path}")]),
            );
            // The same bytes as hex text, with a comment and commas.
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            let mut text = format!("# {path}\n");
            for line in bytes.chunks(16) {
                let pairs: Vec<String> = line.iter().map(|b| format!("{b:02x}")).collect();
                text.push_str(&pairs.join(","));
                text.push_str("  # bytes\n");
            }
            let text_file = scratch_file(&format!("{file}.hex"), text.as_bytes());
            let from_hex = sgmap(&["vpd", &format!("--inhex={text_file}")]);
            same_text(&from_hex, &device);
            same_text(
                &from_hex,
                &sg3("sg_vpd", &[&format!("--inhex={text_file}")]),
            );
        }
    }
}

#[test]
fn vpd_json_is_one_object_with_sg3_utils_names() {
    let env = Env::get();
    for sg in devices(&env) {
        for p in listed_pages(&sg) {
            let page = format!("--page={p}");
            let run = sgmap(&["vpd", "--json", &page, &sg]);
            run.status(0);
            let j = run.json();
            assert_eq!(j.get("page_code").num(), i128::from(p), "{run:?}");
            assert_eq!(j.get("exit_status").num(), 0);
            let member = match p {
                0x86 => "activate_microcode",
                0x89 => "sat_vendor_identification",
                0xb0 => "maximum_transfer_length",
                0xb1 => "medium_rotation_rate",
                0xb2 => "lbpu",
                _ => "payload",
            };
            assert!(!j.get(member).is_null(), "{member}: {run:?}");
        }
    }
}

#[test]
fn vpd_refuses_bad_operands_before_opening_a_device() {
    let env = Env::get();
    for (args, code) in [
        (vec!["vpd", "--page=nope", "/dev/nonexistent"], 1),
        (vec!["vpd", "--page=256", "/dev/nonexistent"], 1),
        (vec!["vpd", "--hex", "--raw", "/dev/nonexistent"], 1),
        (vec!["vpd", "--json", "--hex", "/dev/nonexistent"], 31),
        (vec!["vpd", "--inhex=/dev/null", &env.sg], 1),
        (vec!["vpd"], 1),
    ] {
        sgmap(&args).status(code).diagnosed();
    }
    // As sg_vpd: a missing --inhex file is 50 + ENOENT.
    let ours = sgmap(&["vpd", "--inhex=/nonexistent"]);
    assert_eq!(ours.code, sg3("sg_vpd", &["--inhex=/nonexistent"]).code);
    ours.status(52).diagnosed();
}

/// The inquiry forms of Debian's 55-scsi-sg3_id.rules, and sg_inq's short options.
fn export_forms(sg: &str) -> Vec<Vec<String>> {
    let dir = sysfs_device(sg);
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        s(&["--export", sg]),
        s(&["--export", "--page=sn", sg]),
        s(&["--export", "--page=di", sg]),
        s(&["-u", "-p", "0x83", sg]),
        s(&["--export", &format!("--inhex={dir}/inquiry"), "--raw"]),
        s(&["--export", &format!("--inhex={dir}/vpd_pg80"), "--raw"]),
        s(&["--export", &format!("--inhex={dir}/vpd_pg83"), "--raw"]),
    ]
}

#[test]
fn inquiry_export_prints_what_sg_inq_export_prints() {
    let env = Env::get();
    for sg in devices(&env) {
        for form in export_forms(&sg) {
            let args: Vec<&str> = form.iter().map(String::as_str).collect();
            let theirs = sg3("sg_inq", &args);
            let mut ours_args = vec!["inquiry"];
            ours_args.extend(&args);
            let ours = sgmap(&ours_args);
            same_text(&ours, &theirs);
            ours.status(0).out_has("SCSI_");
        }
    }
}

#[test]
fn inquiry_export_from_sysfs_is_what_the_device_says() {
    let env = Env::get();
    for sg in devices(&env) {
        let dir = sysfs_device(&sg);
        for (file, page) in [
            ("inquiry", None),
            ("vpd_pg80", Some("sn")),
            ("vpd_pg83", Some("di")),
        ] {
            let inhex = format!("--inhex={dir}/{file}");
            let saved = sgmap(&["inquiry", "--export", &inhex, "--raw"]);
            let mut args = vec!["inquiry", "--export"];
            let p = page.map(|p| format!("--page={p}"));
            args.extend(p.as_deref());
            args.push(&sg);
            same_text(&saved, &sgmap(&args));
        }
    }
}

#[test]
fn inquiry_inhex_prints_what_sg_inq_prints_from_the_same_file() {
    let env = Env::get();
    for sg in devices(&env) {
        let dir = sysfs_device(&sg);
        let inhex = format!("--inhex={dir}/inquiry");
        let ours = sgmap(&["inquiry", &inhex, "--raw"]);
        same_text(&ours, &sg3("sg_inq", &[&inhex, "--raw"]));
        // From a file, sg_inq has no unit serial number line; otherwise the device's text.
        let device = sgmap(&["inquiry", &sg]).out();
        let without_sn: String = device
            .lines()
            .filter(|l| !l.starts_with(" Unit serial number:"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(ours.out(), without_sn, "{ours:?}");
        // --raw out, then back in: the device's bytes.
        let raw = sgmap(&["inquiry", "--raw", &sg]);
        raw.status(0);
        let file = scratch_file("inquiry.bin", &raw.stdout);
        same_text(
            &sgmap(&["inquiry", &format!("--inhex={file}"), "--raw", "--export"]),
            &sgmap(&["inquiry", "--export", &sg]),
        );
    }
}

#[test]
fn inquiry_export_refusals_are_sg_inqs() {
    let env = Env::get();
    for args in [
        vec!["--export", "--page=0xb0", env.sg.as_str()],
        vec!["--export", "--page=sv", env.sg.as_str()],
        vec!["--inhex=/dev/null", env.sg.as_str()],
        vec!["--hex", "--raw", env.sg.as_str()],
    ] {
        let theirs = sg3("sg_inq", &args);
        let mut ours_args = vec!["inquiry"];
        ours_args.extend(&args);
        let ours = sgmap(&ours_args);
        assert_eq!(ours.code, theirs.code, "{ours:?}\n{theirs:?}");
        ours.status(31).diagnosed();
        assert!(ours.stdout.is_empty(), "{ours:?}");
    }
}
