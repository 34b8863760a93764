//! sgmap beside the sg3_utils 1.46 tools it replaces, in the same guest on the same device
//! (`cargo xtask test` puts Debian's sg3-utils in `/usr/bin`): the same exit status, and
//! byte for byte the same text where both print the same thing.

mod cli_common;

use cli_common::*;

/// dd's operands for 1000 blocks from the device to /dev/null, for sgm_dd and sg_dd
/// (prefix `dd` for sgmap).
fn dd_to_null(env: &Env) -> Vec<String> {
    vec![
        format!("if={}", env.sg),
        "of=/dev/null".to_owned(),
        format!("bs={}", env.ss),
        "count=1000".to_owned(),
    ]
}

/// Medium errors on READs of LBAs 600 and 601 until the guards drop.
fn medium_error_at_600(env: &Env) -> (SysfsKnob, SysfsKnob, sgmap_tests::FaultInjection<'_>) {
    let sdebug = env.dev.scsi_debug();
    let start = SysfsKnob::set(&sdebug_param(sdebug.dir(), "medium_error_start"), "600");
    let count = SysfsKnob::set(&sdebug_param(sdebug.dir(), "medium_error_count"), "2");
    (start, count, sdebug.inject(0x2, 0))
}

#[test]
fn inquiry_prints_what_sg_inq_prints() {
    let env = Env::get();
    same_text(&sgmap(&["inquiry", &env.sg]), &sg3("sg_inq", &[&env.sg]));
}

#[test]
fn scsi_debug_medium_error_exits_as_sg_raw_and_sg_dd_do() {
    let env = Env::get();
    let _medium = medium_error_at_600(&env);
    let request = format!("--request={}", env.ss);
    let cdb = ["28", "00", "00", "00", "02", "58", "00", "00", "01", "00"];
    let mut ours = vec!["raw", request.as_str(), env.sg.as_str()];
    ours.extend(cdb);
    let theirs_request = format!("--request={}", env.ss);
    let mut theirs = vec![theirs_request.as_str(), env.sg.as_str()];
    theirs.extend(cdb);
    let (a, b) = (sgmap(&ours), sg3("sg_raw", &theirs));
    assert_eq!((a.code, b.code), (3, 3), "sgmap:\n{a:?}\nsg_raw:\n{b:?}");
    let args = dd_to_null(&env);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    for tool in ["sgm_dd", "sg_dd"] {
        let mut dd = vec!["dd"];
        dd.extend(&args);
        let (a, b) = (sgmap(&dd), sg3(tool, &args));
        assert_eq!(a.code, b.code, "sgmap:\n{a:?}\n{tool}:\n{b:?}");
    }
}

#[test]
fn scsi_debug_a_stopped_unit_exits_and_prints_as_sg_turs_does() {
    let env = Env::get();
    sgmap(&["raw", &env.sg, "1b", "00", "00", "00", "00", "00"]).status(0);
    let once = (sgmap(&["tur", &env.sg]), sg3("sg_turs", &[&env.sg]));
    let three = (
        sgmap(&["tur", "--number=3", &env.sg]),
        sg3("sg_turs", &["--number=3", &env.sg]),
    );
    sgmap(&["raw", &env.sg, "1b", "00", "00", "00", "01", "00"]).status(0);
    // One command: "device not ready" on stdout, exit 2.
    same_text(&once.0, &once.1);
    once.0.status(2).out_has("device not ready");
    // Several: the count of errors on stdout, and exit 0 (sg_turs keeps the status of a
    // single command only).
    same_text(&three.0, &three.1);
    three
        .0
        .status(0)
        .out_has("Completed 3 Test Unit Ready commands with 3 errors");
}

#[test]
fn readcap_prints_what_sg_readcap_prints() {
    let env = Env::get();
    for opts in [&[][..], &["--16"], &["--brief"], &["--16", "--brief"]] {
        let mut args = vec!["readcap"];
        args.extend(opts);
        args.push(&env.sg);
        let mut theirs: Vec<&str> = opts.to_vec();
        theirs.push(&env.sg);
        same_text(&sgmap(&args), &sg3("sg_readcap", &theirs));
    }
}

#[test]
fn tur_prints_what_sg_turs_prints_on_a_ready_unit() {
    let env = Env::get();
    same_text(&sgmap(&["tur", &env.sg]), &sg3("sg_turs", &[&env.sg]));
    same_text(
        &sgmap(&["tur", "--number=4", &env.sg]),
        &sg3("sg_turs", &["--number=4", &env.sg]),
    );
}

/// The lines of dd's report that scripts read: `remaining block count=`, `N+M records in`,
/// `N+M records out`.
fn dd_counts(run: &Run) -> Vec<String> {
    run.stderr
        .lines()
        .filter(|l| {
            l.contains("records in")
                || l.contains("records out")
                || l.contains("remaining block count=")
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn scsi_debug_dd_prints_sgm_dds_count_lines_after_a_clean_copy_and_a_medium_error() {
    let env = Env::get();
    let args = dd_to_null(&env);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut ours = vec!["dd"];
    ours.extend(&args);
    let (a, b) = (sgmap(&ours), sg3("sgm_dd", &args));
    assert_eq!((a.code, b.code), (0, 0), "sgmap:\n{a:?}\nsgm_dd:\n{b:?}");
    assert_eq!(
        dd_counts(&a),
        dd_counts(&b),
        "sgmap:\n{a:?}\nsgm_dd:\n{b:?}"
    );
    assert_eq!(dd_counts(&a).len(), 2, "{a:?}");
    let _medium = medium_error_at_600(&env);
    let (a, b) = (sgmap(&ours), sg3("sgm_dd", &args));
    assert_eq!((a.code, b.code), (3, 3), "sgmap:\n{a:?}\nsgm_dd:\n{b:?}");
    assert_eq!(
        dd_counts(&a),
        dd_counts(&b),
        "sgmap:\n{a:?}\nsgm_dd:\n{b:?}"
    );
}

#[test]
fn dd_an_output_that_cannot_be_opened_exits_as_sgm_dd_does() {
    // A directory, a file on a read-only file system, a file in a missing directory: the
    // status and what was created are sgm_dd's, in the same guest.
    let env = Env::get();
    let ro = "/mnt/sgmap-ro";
    let _ = std::fs::create_dir_all(ro);
    rustix::mount::mount(
        "tmpfs",
        ro,
        "tmpfs",
        rustix::mount::MountFlags::RDONLY,
        None,
    )
    .unwrap_or_else(|e| panic!("mount a read-only tmpfs on {ro}: {e}"));
    let cases = [
        "/tmp",
        "/mnt/sgmap-ro/out.bin",
        "/tmp/sgmap-missing-dir/out.bin",
    ];
    let mut results = Vec::new();
    for of in cases {
        let ops = [
            format!("if={}", env.sg),
            format!("of={of}"),
            format!("bs={}", env.ss),
            "count=8".to_owned(),
        ];
        let ops: Vec<&str> = ops.iter().map(String::as_str).collect();
        let theirs = sg3("sgm_dd", &ops);
        let ours = sgmap(&[&["dd"], &ops[..]].concat());
        results.push((of, ours.code, theirs.code));
        assert_ne!(ours.code, 0, "{ours:?}");
        assert!(ours.stderr.contains(of), "the message names {of}: {ours:?}");
    }
    let _ = rustix::mount::unmount(ro, rustix::mount::UnmountFlags::empty());
    for (of, ours, theirs) in results {
        assert_eq!(ours, theirs, "of={of}: sgmap {ours}, sgm_dd {theirs}");
    }
}
