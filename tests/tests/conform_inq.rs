//! Conformance of `sgmap inquiry` with sg_inq and of `sgmap vpd` with sg_vpd (sg3_utils
//! 1.46, in the same guest): each option of the tools' usage texts, run as `sgmap COMMAND`
//! and through a link named for the tool, gives the tool's stdout byte for byte and its
//! exit status, on the sg node and on the block node of every device of the phase, and
//! without a device where the tool takes none. First of all the `IMPORT{program}` lines of
//! sg3_utils' udev rules (55-scsi-sg3_id.rules), run unchanged through the links.

mod cli_common;

use cli_common::*;

/// A check of [`all_of`]: what it runs, and the run.
type Check = (String, Box<dyn FnOnce() + std::panic::UnwindSafe>);

/// Runs each check, then fails listing every one that failed (each failure's own message
/// is printed as it happens), so that one run shows all the differences.
fn all_of(checks: Vec<Check>) {
    let failed: Vec<String> = checks
        .into_iter()
        .filter_map(|(what, check)| std::panic::catch_unwind(check).err().map(|_| what))
        .collect();
    assert!(
        failed.is_empty(),
        "{} differ:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// A [`same_as_tool`] check for [`all_of`], with the tool's status when `status` says.
fn same(command: &'static str, tool: &'static str, args: &[&str], status: Option<i32>) -> Check {
    let owned: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let what = format!("{tool} {}", owned.join(" "));
    (
        what,
        Box::new(move || {
            let a: Vec<&str> = owned.iter().map(String::as_str).collect();
            let theirs = same_as_tool(command, tool, &a);
            if let Some(code) = status {
                theirs.status(code);
            }
        }),
    )
}

/// The nodes of the phase: its device's sg node and block node (the second device of the
/// scsi_debug phases is the same model and left out, for the guest's time).
fn nodes(env: &Env) -> Vec<String> {
    vec![env.sg.clone(), env.block.clone()]
}

/// The block nodes of the phase.
fn blocks(env: &Env) -> Vec<String> {
    let mut v = vec![env.block.clone()];
    if let Some(b) = &env.dev.block2 {
        v.push(b.display().to_string());
    }
    v
}

/// The `IMPORT{program}` lines of sg3_utils 1.46's scripts/55-scsi-sg3_id.rules, as
/// written there (the guest has the rules file when Debian's sg3-utils-udev is installed;
/// then its lines are the ones run).
const RULES_LINES: &[&str] = &[
    r#"IMPORT{program}="/usr/bin/sg_inq --export --inhex=$env{.SYSFS_PATH}/inquiry --raw", \"#,
    r#"IMPORT{program}="/usr/bin/sg_inq --export --inhex=$env{.SYSFS_PATH}/vpd_pg80 --raw""#,
    r#"IMPORT{program}="/usr/bin/sg_inq --export --inhex=$env{.SYSFS_PATH}/vpd_pg83 --raw""#,
    r#"IMPORT{program}="/usr/bin/sg_inq --export $env{.INQUIRY_DEV}", ENV{ID_SCSI}="1""#,
    r#"IMPORT{program}="/usr/bin/sg_inq --export --page=sn $env{.INQUIRY_DEV}""#,
    r#"IMPORT{program}="/usr/bin/sg_inq --export --page=di $env{.INQUIRY_DEV}""#,
];

/// The sg_inq command lines of the rules: the program's arguments, with `$env{...}` still
/// in them.
fn rules_command_lines() -> Vec<Vec<String>> {
    let installed = ["/usr/lib/udev/rules.d", "/lib/udev/rules.d"]
        .iter()
        .find_map(|d| std::fs::read_to_string(format!("{d}/55-scsi-sg3_id.rules")).ok());
    let text = installed.unwrap_or_else(|| RULES_LINES.join("\n"));
    let mut lines = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.split("IMPORT{program}=\"").nth(1) else {
            continue;
        };
        let program = rest.split('"').next().unwrap_or("");
        let mut words = program.split_whitespace();
        if words.next().is_some_and(|w| w.ends_with("/sg_inq")) {
            lines.push(words.map(str::to_owned).collect());
        }
    }
    lines
}

/// `$sys/class/scsi_device/$id/device` of a block node, as the rules' `.SYSFS_PATH`.
fn sysfs_path(block: &str) -> String {
    let name = block.rsplit('/').next().unwrap_or(block);
    let dev = std::fs::canonicalize(format!("/sys/class/block/{name}/device"))
        .unwrap_or_else(|e| panic!("{name}'s sysfs device: {e}"));
    let id = dev.file_name().unwrap().to_string_lossy().into_owned();
    format!("/sys/class/scsi_device/{id}/device")
}

#[test]
fn udev_rules_lines_give_sg_inqs_keys_through_the_links() {
    let env = Env::get();
    let lines = rules_command_lines();
    assert!(lines.len() >= 6, "rules lines: {lines:?}");
    for block in blocks(&env) {
        let sysfs = sysfs_path(&block);
        for line in &lines {
            let args: Vec<String> = line
                .iter()
                .map(|w| {
                    w.replace("$env{.SYSFS_PATH}", &sysfs)
                        .replace("$env{.INQUIRY_DEV}", &block)
                })
                .collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let theirs = same_as_tool("inquiry", "sg_inq", &args);
            theirs.status(0);
            // Every line gives keys on these devices: the standard data's, page 80h's
            // serial, page 83h's designators.
            theirs.out_has("SCSI_");
        }
    }
}

/// sg_inq's options with a device, each after its own arguments and before the node.
const INQ_CASES: &[&[&str]] = &[
    &[],
    &["-e"],
    &["--vpd"],
    &["-d"],
    &["--descriptors"],
    &["-i"],
    &["--id"],
    &["-E"],
    &["-x"],
    &["--extended"],
    &["-H"],
    &["-HH"],
    &["-HHH"],
    &["--hex"],
    &["-r"],
    &["--raw"],
    &["-u"],
    &["--export"],
    &["-o"],
    &["--only"],
    &["-s"],
    &["-ss"],
    &["--vendor"],
    &["-f", "-p", "0x86"],
    &["--force", "--page=0x80"],
    &["-l", "36"],
    &["--len=64"],
    &["-m", "96"],
    &["--maxlen=252", "-e"],
    &["-l", "8", "-p", "0x83"],
    &["-l", "40", "-d"],
    &["-d", "-e"],
    &["-dH"],
    &["-B", "0"],
    &["--block=1"],
    &["-B", "2"],
    &["-L"],
    &["--long"],
    &["-N"],
    &["-eH"],
    &["-eHH"],
    &["-er"],
    &["-iH"],
    &["-iHH"],
    &["-iHHH"],
    &["-ir"],
    &["-Hr"],
    &["-ue"],
    &["-uH"],
    &["-ur"],
    &["-36"],
    &["--bogus"],
    // Long options abbreviated as getopt_long takes them (--ex: --export or --extended).
    &["--pa=sn"],
    &["--des"],
    &["--ex"],
    &["--ata"],
    &["--new"],
    &["-a"],
    &["-p", "sinq"],
    &["-p", "-1"],
    &["-p", "zz"],
    &["-p", "256"],
    &["-p", "0x83", "-i"],
    &["-u", "-p", "0"],
    &["-u", "-p", "sn"],
    &["-u", "-p", "di"],
    &["-u", "-p", "0x83", "-HHH"],
    &["-p", "0x5"],
    &["-p", "0xb5"],
    &["-p", "0x8a"],
    &["-f", "-p", "0x8a"],
    &["-p", "0xb3"],
];

/// sg_inq's page abbreviations of the pages these devices may have.
const INQ_ACRONYMS: &[&str] = &[
    "sv", "sn", "di", "ei", "bl", "bdc", "lbpv", "ai", "mna", "mpp", "sp", "sii", "zbdch",
];

/// The page codes a device lists in page 00h (sg_inq's own `-e -r`).
fn listed_pages(node: &str) -> Vec<u8> {
    let run = sg3("sg_inq", &["-e", "-r", node]);
    run.status(0);
    let b = &run.stdout;
    assert!(b.len() >= 4 && b[1] == 0, "page 00h of {node}: {b:02x?}");
    b[4..].to_vec()
}

#[test]
fn inquiry_options_print_what_sg_inq_prints() {
    let env = Env::get();
    let mut checks = Vec::new();
    for node in nodes(&env) {
        for case in INQ_CASES {
            let mut args = case.to_vec();
            args.push(&node);
            checks.push(same("inquiry", "sg_inq", &args, None));
        }
        for acron in INQ_ACRONYMS {
            checks.push(same("inquiry", "sg_inq", &["-p", acron, &node], None));
        }
        // Every page in every form: on the sg node (the block node answers the same, as
        // the cases above show).
        let pages = if node == env.sg {
            listed_pages(&node)
        } else {
            Vec::new()
        };
        for p in pages {
            let page = format!("0x{p:02x}");
            for form in [
                &[][..],
                &["-H"],
                &["-HH"],
                &["-HHH"],
                &["-r"],
                &["-rr"],
                &["-e"],
            ] {
                let mut args = vec!["--page", &page];
                args.extend_from_slice(form);
                args.push(&node);
                checks.push(same("inquiry", "sg_inq", &args, Some(0)));
            }
        }
    }
    all_of(checks);
}

#[test]
fn inquiry_without_a_device_exits_as_sg_inq_does() {
    let env = Env::get();
    let sysfs = sysfs_path(&env.block);
    let inq = format!("--inhex={sysfs}/inquiry");
    let hex_file = scratch_file("inq-hex.txt", b"00 00 05 02 1f 00 00 00\n");
    let cases: Vec<Vec<&str>> = vec![
        vec![],
        vec!["/dev/null"],
        vec!["/nonexistent"],
        vec!["-I", "/nonexistent"],
        vec!["--inhex=/dev/null"],
        vec!["--inhex=/dev/null", "--raw"],
        vec![&inq, "--raw"],
        vec![&inq, "--raw", "-H"],
        vec![&inq, "--raw", "-d"],
        vec![&inq, "--raw", "-u"],
        vec![&inq, "--raw", "-p", "sinq"],
        vec![&inq, "--raw", &env.sg],
        vec!["-I", &hex_file],
        vec!["-I", &hex_file, "-HH"],
        vec!["-p", "zz"],
        vec!["-p"],
        vec!["/dev/null", "extra"],
        vec!["-l", "70000", "/dev/null"],
    ];
    let mut checks: Vec<Check> = cases
        .iter()
        .map(|args| same("inquiry", "sg_inq", args, None))
        .collect();
    // Refused, deliberately: CmdDt (obsolete since SPC-3) and the old option syntax.
    for args in [
        ["-c", "/dev/null"],
        ["--cmddt", "/dev/null"],
        ["-O", "/dev/null"],
    ] {
        let theirs = sg3("sg_inq", &args);
        assert_ne!(theirs.code, 0, "{theirs:?}");
        for ours in [
            sgmap(&["inquiry", args[0], args[1]]),
            as_tool("sg_inq", &args),
        ] {
            ours.status(1)
                .err_has(if args[0] == "-O" { "--old" } else { "--cmddt" });
            assert!(ours.stdout.is_empty(), "{ours:?}");
        }
    }
    for page in [
        "vpd_pg80", "vpd_pg83", "vpd_pg00", "vpd_pgb0", "vpd_pgb1", "vpd_pgb2",
    ] {
        let path = format!("{sysfs}/{page}");
        if std::path::Path::new(&path).exists() {
            let inhex = format!("--inhex={path}");
            for form in [&[][..], &["-H"], &["-HH"], &["-u"]] {
                let mut args = vec![inhex.as_str(), "--raw"];
                args.extend_from_slice(form);
                checks.push(same("inquiry", "sg_inq", &args, None));
            }
        }
    }
    all_of(checks);
}

#[test]
fn inquiry_help_and_version_are_sg_inqs() {
    // Under the tool's name, the usage goes to stderr and the status is sg_inq's; -hh
    // lists the page abbreviations on stdout.
    for args in [&["-h"][..], &["--help"], &["-hh"], &["-36", "/dev/null"]] {
        same_text(&as_tool("sg_inq", args), &sg3("sg_inq", args));
    }
    let v = same_as_tool_with_stderr("inquiry", "sg_inq", &["-V"]);
    // rescan-scsi-bus.sh reads the third field of `sg_inq -V` 2>&1.
    let third = v.stderr.split_whitespace().nth(2).unwrap_or("");
    assert_eq!(third, "2.10", "{v:?}");
    same_as_tool_with_stderr("vpd", "sg_vpd", &["-V"]);
    same_as_tool_with_stderr("vpd", "sg_vpd", &["--version"]);
}

/// The lines of `stderr` that show a CDB.
fn cdb_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains("cdb:"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn verbose_prints_sg_inqs_and_sg_vpds_cdb_lines() {
    let env = Env::get();
    for (command, tool, args) in [
        ("inquiry", "sg_inq", &["-v"][..]),
        ("inquiry", "sg_inq", &["-v", "-p", "0x83"]),
        ("inquiry", "sg_inq", &["--verbose", "-e"]),
        ("vpd", "sg_vpd", &["-v"]),
        ("vpd", "sg_vpd", &["-v", "-p", "di"]),
    ] {
        let mut a = args.to_vec();
        a.push(&env.sg);
        let theirs = same_as_tool(command, tool, &a);
        let want = cdb_lines(&theirs.stderr);
        assert!(!want.is_empty(), "{theirs:?}");
        let mut sub = vec![command];
        sub.extend_from_slice(&a);
        for ours in [sgmap(&sub), as_tool(tool, &a)] {
            assert_eq!(
                cdb_lines(&ours.stderr),
                want,
                "{ours:?}\nsg3_utils:\n{theirs:?}"
            );
        }
    }
}

/// sg_vpd's options with a device, each before the node.
const VPD_CASES: &[&[&str]] = &[
    &[],
    &["-a"],
    &["--all"],
    &["-a", "-q"],
    &["-a", "-H"],
    &["-i"],
    &["--ident"],
    &["-ii"],
    &["-q"],
    &["--quiet"],
    &["-q", "-p", "di"],
    &["-l"],
    &["--long"],
    &["-l", "-p", "0x80"],
    &["-H"],
    &["-HH"],
    &["-HHH"],
    &["-r"],
    &["-Hr"],
    &["-v", "-H"],
    &["-m", "8"],
    &["--maxlen=20", "-p", "0x83"],
    &["-m", "70000"],
    &["-f", "-p", "0x8a"],
    &["-p", "0x8a"],
    &["-p", "zz"],
    &["-p", "300"],
    &["-p", "sn", "-p", "di"],
    &["-p", "di_lu"],
    &["-p", "di_port"],
    &["-p", "di_target"],
    &["-p", "di_asis"],
    &["-e"],
    &["--bogus"],
    &["--pa=sn"],
    &["--id"],
    &["--e"],
    &["-h"],
    &["-p", "sinq"],
];

/// sg_vpd's options run on the sg node only (the block node answers the same, as
/// [`VPD_CASES`] shows): --examine asks every page code from 80h (00h with -EE), listed or
/// not, 128 commands a run, so a few of its forms.
const VPD_SG_CASES: &[&[&str]] = &[
    &["-E"],
    &["--examine", "-l"],
    &["-E", "-q"],
    &["-E", "-HH"],
    &["-E", "-r"],
    &["-EE"],
    &["-E", "-p", "0x86"],
    // sg_vpd's own layout of the standard INQUIRY data.
    &["--page=-1"],
    &["-p", "-2"],
    &["-p", "sinq", "-H"],
    &["-p", "sinq", "-HH"],
    &["-p", "sinq", "-HHH"],
    &["-p", "sinq", "-q", "-H"],
    &["-p", "sinq", "-r"],
    &["-p", "sinq", "-l"],
    &["-p", "sinq", "-l", "-H"],
    &["-p", "sinq", "-m", "64"],
    &["-p", "sinq", "-i"],
    &["-p", "sinq", "-a", "-q"],
];

/// The page code forms each listed page is shown in.
const VPD_FORMS: &[&[&str]] = &[
    &[],
    &["-H"],
    &["-HH"],
    &["-HHH"],
    &["-r"],
    &["-rr"],
    &["-q"],
    &["-v"],
    &["-l"],
    &["-l", "-H"],
];

#[test]
fn vpd_options_print_what_sg_vpd_prints() {
    let env = Env::get();
    let mut checks = Vec::new();
    for node in nodes(&env) {
        for case in VPD_CASES {
            let mut args = case.to_vec();
            args.push(&node);
            if case == &["-h"] {
                same_text(&as_tool("sg_vpd", &args), &sg3("sg_vpd", &args));
                continue;
            }
            checks.push(same("vpd", "sg_vpd", &args, None));
        }
        if node == env.sg {
            for case in VPD_SG_CASES {
                let mut args = case.to_vec();
                args.push(&node);
                checks.push(same("vpd", "sg_vpd", &args, None));
            }
        }
        let list = sg3("sg_vpd", &["-p", "0", "-r", &node]);
        list.status(0);
        let pages = if node == env.sg {
            &list.stdout[4..]
        } else {
            &[][..]
        };
        for &p in pages {
            let page = format!("--page=0x{p:02x}");
            for form in VPD_FORMS {
                let mut args = vec![page.as_str()];
                args.extend_from_slice(form);
                args.push(&node);
                checks.push(same("vpd", "sg_vpd", &args, Some(0)));
            }
        }
    }
    all_of(checks);
}

#[test]
fn vpd_without_a_device_exits_as_sg_vpd_does() {
    let env = Env::get();
    let sysfs = sysfs_path(&env.block);
    let inq = format!("--inhex={sysfs}/inquiry");
    let cases: Vec<Vec<&str>> = vec![
        vec![],
        vec!["-e"],
        vec!["--enumerate"],
        vec!["-e", "-p", "0x83"],
        vec!["-e", "-p", "0xb0"],
        vec!["-e", "-p", "0xc0"],
        vec!["-e", "-p", "0x99"],
        vec!["-e", "-p", "sn"],
        vec!["-e", "-p", "-1"],
        vec!["-e", "-M", "hp3par"],
        vec!["-e", "-M", "4"],
        vec!["-e", "-M", "zz"],
        vec!["-e", "/dev/null"],
        vec!["/dev/null"],
        vec!["-H", "/dev/null"],
        vec!["/nonexistent"],
        vec!["-p", "zz", "/dev/null"],
        vec!["--inhex=/nonexistent"],
        vec!["-p"],
        vec!["-E", "/dev/null"],
        vec!["-p", "sinq", "/dev/null"],
        vec![&inq, "--raw", "-p", "sinq"],
        vec![&inq, "--raw", "-p", "-1", "-H"],
        vec![&inq, "--raw", "-p", "sinq", "-l"],
        vec![&inq, "--raw", "-p", "sinq", "-m", "8"],
    ];
    let mut checks: Vec<Check> = cases
        .iter()
        .map(|args| same("vpd", "sg_vpd", args, None))
        .collect();
    for page in [
        "vpd_pg80", "vpd_pg83", "vpd_pg00", "vpd_pgb0", "vpd_pgb1", "vpd_pgb2",
    ] {
        let path = format!("{sysfs}/{page}");
        if std::path::Path::new(&path).exists() {
            let inhex = format!("--inhex={path}");
            for form in [
                &[][..],
                &["-H"],
                &["-HH"],
                &["-q"],
                &["-i"],
                &["-a"],
                &["-l"],
            ] {
                let mut args = vec![inhex.as_str(), "--raw"];
                args.extend_from_slice(form);
                checks.push(same("vpd", "sg_vpd", &args, None));
            }
        }
    }
    all_of(checks);
}
