//! Exit statuses of `sgmap` on SCSI faults, against sg3_utils 1.46's table
//! (`sg_err_category_sense()` and `sg_err_category_new()`, which sgmap-core's
//! `ExitCategory::from_key_asc` transcribes): the same number in fixed and descriptor sense,
//! for every command. scsi_debug makes each fault on demand; both scsi_debug phases run these,
//! one with fixed and one with descriptor sense.

mod cli_common;

use cli_common::*;

/// READ(10) of one block at `lba` by `sgmap raw`.
fn raw_read(env: &Env, lba: u32) -> Run {
    let b = lba.to_be_bytes();
    let hex: Vec<String> = [0x28, 0, b[0], b[1], b[2], b[3], 0, 0, 1, 0]
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect();
    let request = format!("--request={}", env.ss);
    let mut args = vec!["raw", &request, &env.sg];
    args.extend(hex.iter().map(String::as_str));
    sgmap(&args)
}

#[test]
fn scsi_debug_medium_error_is_3_in_either_sense_format() {
    let env = Env::get();
    let sdebug = env.dev.scsi_debug();
    let _start = SysfsKnob::set(&sdebug_param(sdebug.dir(), "medium_error_start"), "600");
    let _count = SysfsKnob::set(&sdebug_param(sdebug.dir(), "medium_error_count"), "2");
    let _inject = sdebug.inject(0x2, 0); // SDEBUG_OPT_MEDIUM_ERR
    raw_read(&env, 600)
        .status(3)
        .err_has("Medium Error")
        .err_has("Unrecovered read error");
    raw_read(&env, 599).status(0);
}

#[test]
fn scsi_debug_a_stopped_unit_is_not_ready_2_until_started() {
    let env = Env::get();
    // START STOP UNIT with START=0, then TEST UNIT READY.
    sgmap(&["raw", &env.sg, "1b", "00", "00", "00", "00", "00"]).status(0);
    let stopped = sgmap(&["tur", &env.sg]);
    let started = sgmap(&["raw", &env.sg, "1b", "00", "00", "00", "01", "00"]);
    stopped.status(2).err_has("Not Ready");
    started.status(0);
    sgmap(&["tur", &env.sg]).status(0);
}

#[test]
fn scsi_debug_a_write_protected_unit_is_data_protect_7() {
    let env = Env::get();
    let sdebug = env.dev.scsi_debug();
    let data = scratch_file("cat-wp.bin", &pattern(env.ss as usize, 91));
    let send = format!("--send={}", env.ss);
    let infile = format!("--infile={data}");
    let write = || {
        sgmap(&[
            "raw", &send, &infile, &env.sg, "2a", "00", "00", "00", "02", "80", "00", "00", "01",
            "00",
        ])
    };
    {
        let _wp = SysfsKnob::set(&sdebug_param(sdebug.dir(), "wp"), "1");
        write().status(7).err_has("Data Protect");
    }
    write().status(0);
}

#[test]
fn scsi_debug_illegal_requests_are_5_9_and_22() {
    let env = Env::get();
    // MODE SENSE(6) of a page scsi_debug does not have: INVALID FIELD IN CDB (05/24/00).
    sgmap(&[
        "raw",
        "--request=64",
        &env.sg,
        "1a",
        "00",
        "3e",
        "00",
        "40",
        "00",
    ])
    .status(5)
    .err_has("Illegal Request");
    // An operation code scsi_debug does not know: INVALID COMMAND OPERATION CODE (05/20/00).
    sgmap(&["raw", &env.sg, "c7", "00", "00", "00", "00", "00"]).status(9);
    // Past the last block: LBA OUT OF RANGE (05/21/00).
    raw_read(&env, 0x00ff_ffff).status(22);
}

#[test]
fn scsi_debug_aborted_command_with_a_protection_asc_is_decoded_and_exits_as_sg_raw() {
    let env = Env::get();
    let sdebug = env.dev.scsi_debug();
    // SDEBUG_OPT_DIF_ERR on every READ: ABORTED COMMAND 10/01 (guard check failed), which
    // scsi_debug returns with the host status DID_ABORT. (6.1's scsi_debug no longer injects
    // a plain ABORTED COMMAND; 11, and 40 for 0B/10/xx, are proven on the host in
    // sgmap-core's status tests.) sg_raw takes the host status first: a transport error,
    // 99, with the sense decoded on stderr; sgmap raw does as sg_raw does.
    let _inject = sdebug.inject(0x20, 1);
    let ours = raw_read(&env, 700);
    let b = 700u32.to_be_bytes();
    let hex: Vec<String> = [0x28, 0, b[0], b[1], b[2], b[3], 0, 0, 1, 0]
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect();
    let request = format!("--request={}", env.ss);
    let mut args = vec![request.as_str(), env.sg.as_str()];
    args.extend(hex.iter().map(String::as_str));
    let theirs = sg3("sg_raw", &args);
    drop(_inject);
    same_text(&ours, &theirs);
    ours.status(99)
        .err_has("Aborted Command")
        .err_has("guard check failed");
}

#[test]
fn scsi_debug_a_pending_unit_attention_is_6_once_as_sg_turs_says() {
    let env = Env::get();
    let img = scratch_file("cat-ua-fw.bin", &pattern(4096, 33));
    // WRITE BUFFER mode 5 (download microcode and save) leaves 06/3f/01 or 3f/16 pending.
    for tool in ["sgmap", "sg_turs"] {
        sgmap(&[
            "write-buffer",
            "--mode=dmc_save",
            &format!("--in={img}"),
            &env.sg,
        ])
        .status(0);
        let run = if tool == "sgmap" {
            sgmap(&["tur", &env.sg])
        } else {
            sg3("sg_turs", &[&env.sg])
        };
        assert_eq!(run.code, 6, "{tool}: {run:?}");
        // Reported once: the next command is GOOD.
        sgmap(&["tur", &env.sg]).status(0);
    }
}

#[test]
fn scsi_debug_a_command_that_times_out_is_33_in_every_command() {
    // scsi_debug drops every command (opts=4, every_nth=1): the midlayer times it out and
    // the host byte says DID_TIME_OUT. sgmap says 33 where sg_raw says 99 (docs/cli.md's
    // deliberate difference).
    let env = Env::get();
    let sdebug = env.dev.scsi_debug();
    let run = {
        let _drop = sdebug.inject(0x4, 1);
        sgmap(&[
            "raw",
            "--timeout=2",
            &format!("--request={}", env.ss),
            &env.sg,
            "28",
            "00",
            "00",
            "00",
            "00",
            "10",
            "00",
            "00",
            "01",
            "00",
        ])
    };
    run.status(33);
    clear_unit_attention(&env.sg);
}
