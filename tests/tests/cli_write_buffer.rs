//! `sgmap write-buffer` against the phase's device: the dry-run plan, the refusals, and on
//! scsi_debug the downloads of modes 5, 7 and 0xe (with `,act`) and the unit attention
//! scsi_debug raises afterwards (as this file asserts: modes 5 and 7 raise 06/3f/16 on the next
//! command; 0xe and 0xf raise nothing).

mod cli_common;

use cli_common::*;
use sgmap_tests::scsi::iorequest_count;

#[test]
fn write_buffer_dry_run_prints_the_plan_and_sends_nothing() {
    let env = Env::get();
    let img = scratch_file("wb-plan.bin", &pattern(10_000, 41));
    let run = sgmap(&[
        "write-buffer",
        "--mode=dmc_offs_defer",
        "--bpw=4096,act",
        "--offset=0x100",
        &format!("--in={img}"),
        "--dry-run",
        "-v",
        &env.sg,
    ]);
    // As sg_write_buffer: nothing on stdout; with -v each command and its skipping on
    // stderr.
    run.status(0)
        .err_has("sending write buffer, mode=0xe, mspec=0, id=0,  offset=256, len=4096\nskipping WRITE BUFFER command due to --dry-run")
        .err_has("sending write buffer, mode=0xe, mspec=0, id=0,  offset=4352, len=4096")
        .err_has("sending write buffer, mode=0xe, mspec=0, id=0,  offset=8448, len=1808")
        .err_has("sending Activate deferred microcode [0xf]\nskipping WRITE BUFFER(ACTIVATE) command due to --dry-run");
    assert!(run.stdout.is_empty(), "{run:?}");
    let json = sgmap(&[
        "write-buffer",
        "--mode=7",
        "--bpw=8k",
        "--length=20000",
        &format!("--in={img}"),
        "--dry-run",
        "--json",
        &env.sg,
    ])
    .status(0)
    .json();
    assert!(json.get("dry_run").bool());
    assert_eq!(json.get("mode").num(), 7);
    assert_eq!(json.get("mode_name").str(), "dmc_offs_save");
    assert_eq!(json.get("bytes").num(), 20000);
    let chunks = json.get("chunks").array();
    let got: Vec<(i128, i128)> = chunks
        .iter()
        .map(|c| (c.get("offset").num(), c.get("length").num()))
        .collect();
    assert_eq!(got, [(0, 8192), (8192, 8192), (16384, 3616)]);
    // Nothing was sent: no unit attention on a scsi_debug device either.
    sgmap(&["tur", &env.sg]).status(0);
}

#[test]
fn write_buffer_refuses_contradictions_and_a_chunk_larger_than_the_reserve() {
    let env = Env::get();
    let img = scratch_file("wb-refuse.bin", &pattern(256 * 1024, 42));
    // Chunks of a mode without buffer offsets would overwrite each other.
    sgmap(&[
        "write-buffer",
        "--mode=dmc_save",
        "--bpw=4096",
        &format!("--in={img}"),
        &env.sg,
    ])
    .status(31)
    .diagnosed();
    sgmap(&[
        "write-buffer",
        "--mode=dmc_save",
        "--offset=16",
        &format!("--in={img}"),
        &env.sg,
    ])
    .status(31);
    sgmap(&[
        "write-buffer",
        "--mode=activate_mc",
        &format!("--in={img}"),
        &env.sg,
    ])
    .status(31);
    sgmap(&[
        "write-buffer",
        "--mode=nonsense",
        &format!("--in={img}"),
        &env.sg,
    ])
    .status(1);
    // A 128 KiB chunk where the kernel grants a 64 KiB reserve: ENOMEM's status (62), the
    // largest chunk allowed named, and nothing sent.
    let _cap = cap_reserve(&env.block, 64);
    sgmap(&[
        "write-buffer",
        "--mode=dmc_offs_save",
        "--bpw=128k",
        &format!("--in={img}"),
        &env.sg,
    ])
    .status(62)
    .err_has("the largest chunk allowed is 65536 bytes");
    sgmap(&["tur", &env.sg]).status(0);
}

/// The unit attention after a download: TEST UNIT READY reports it (exit 6, 06/3f/16),
/// once.
#[track_caller]
fn expect_microcode_ua(sg: &str) {
    let json = sgmap(&["tur", "--json", sg]).status(6).json();
    let sense = json.get("last_error").get("sense");
    assert_eq!(sense.get("sense_key").num(), 6);
    assert_eq!(sense.get("additional_sense_code").num(), 0x3f);
    assert_eq!(sense.get("additional_sense_code_qualifier").num(), 0x16);
    sgmap(&["tur", sg]).status(0);
}

#[test]
fn scsi_debug_write_buffer_mode_5_raises_microcode_changed_without_reset() {
    let env = Env::get();
    let img = scratch_file("wb-5.bin", &pattern(16 * 1024, 43));
    let json = sgmap(&[
        "write-buffer",
        "--mode=dmc_save",
        &format!("--in={img}"),
        "--json",
        &env.sg,
    ])
    .status(0)
    .json();
    assert_eq!(json.get("sent").num(), 1);
    assert_eq!(json.get("bytes_sent").num(), 16 * 1024);
    assert!(json.get("error").is_null());
    let run = sgmap(&["tur", &env.sg]);
    run.status(6)
        .err_has("Unit Attention")
        .err_has("Microcode has been changed without reset");
    sgmap(&["tur", &env.sg]).status(0);
}

#[test]
fn scsi_debug_write_buffer_mode_7_in_chunks_raises_the_same_unit_attention() {
    let env = Env::get();
    let img = scratch_file("wb-7.bin", &pattern(40_000, 44));
    let json = sgmap(&[
        "write-buffer",
        "--mode=0x7",
        "--bpw=8192",
        &format!("--in={img}"),
        "--json",
        &env.sg,
    ])
    .status(0)
    .json();
    assert_eq!(json.get("sent").num(), 5);
    // scsi_debug raises the unit attention after every mode 7 command: each next chunk
    // meets it and is sent again, once.
    assert_eq!(json.get("retries").num(), 4);
    expect_microcode_ua(&env.sg);
}

#[test]
fn scsi_debug_write_buffer_mode_e_with_act_sends_the_activate_and_raises_nothing() {
    let env = Env::get();
    let img = scratch_file("wb-e.bin", &pattern(10_000, 45));
    let json = sgmap(&[
        "write-buffer",
        "--mode=dmc_offs_defer",
        "--bpw=4096,act",
        &format!("--in={img}"),
        "--timeout=30",
        "--json",
        &env.sg,
    ])
    .status(0)
    .json();
    let chunks = json.get("chunks").array();
    assert_eq!(chunks.len(), 4);
    assert_eq!(chunks[3].get("mode").num(), 0xf);
    assert_eq!(chunks[3].get("length").num(), 0);
    assert_eq!(json.get("sent").num(), 4);
    assert_eq!(json.get("exit_status").num(), 0);
    sgmap(&["tur", &env.sg]).status(0);
}

/// Runs `sgmap write-buffer ARGS --json` and returns its JSON and the commands the device
/// counted meanwhile (`iorequest_cnt`).
fn write_buffer_counted(env: &Env, args: &[&str]) -> (Json, u64) {
    let before = iorequest_count(&env.dev.sg);
    let mut all = vec!["write-buffer"];
    all.extend_from_slice(args);
    all.extend(["--json", &env.sg]);
    let json = sgmap(&all).status(0).json();
    (json, iorequest_count(&env.dev.sg) - before)
}

#[test]
fn scsi_debug_write_buffer_sends_each_chunk_retry_and_activation_to_the_device_once() {
    let env = Env::get();
    let img = scratch_file("wb-once.bin", &pattern(10_000, 47));
    let img = format!("--in={img}");
    // Three chunks of mode 0xe and the activation (mode 0xf).
    let (json, count) =
        write_buffer_counted(&env, &["--mode=dmc_offs_defer", "--bpw=4096,act", &img]);
    assert_eq!((json.get("sent").num(), json.get("retries").num()), (4, 0));
    assert_eq!(count, 4, "three chunks and one activation at the device");
    // The deferred microcode activated on its own: one command.
    let (json, count) = write_buffer_counted(&env, &["--mode=activate_mc"]);
    assert_eq!(json.get("sent").num(), 1);
    assert_eq!(count, 1, "one activation at the device");
    // Mode 7 in chunks: each next chunk meets the unit attention the previous one raised
    // and is sent again, once; the device counts every send.
    let (json, count) = write_buffer_counted(&env, &["--mode=7", "--bpw=4096", &img]);
    let (sent, retries) = (json.get("sent").num(), json.get("retries").num());
    assert_eq!((sent, retries), (3, 2));
    assert_eq!(
        count as i128,
        sent + retries,
        "each send once at the device"
    );
    expect_microcode_ua(&env.sg);
}

#[test]
fn scsi_debug_write_buffer_timeout_names_the_chunk_and_exits_33() {
    let env = Env::get();
    let sdebug = env.dev.scsi_debug();
    let img = scratch_file("wb-fail.bin", &pattern(8192, 46));
    // Every command is dropped: the first chunk times out after --timeout and the error
    // handler aborts it (DID_TIME_OUT).
    let run = {
        let _inject = sdebug.inject(0x4, 1);
        sgmap(&[
            "write-buffer",
            "--mode=dmc_offs_defer",
            "--bpw=4096",
            "--offset=0x200",
            "--timeout=2",
            &format!("--in={img}"),
            &env.sg,
        ])
    };
    run.status(33)
        .err_has("chunk 0 (mode 0xe, offset 0x200, 4096 bytes)")
        .err_has("timed out");
    clear_unit_attention(&env.sg);
}

#[test]
fn a_reader_that_closes_the_pipe_early_ends_the_command_quietly_with_141() {
    use std::io::Read as _;
    use std::process::{Command, Stdio};
    let env = Env::get();
    // 4 MiB in 512-byte chunks: a JSON plan of about 8192 chunks, far more than a pipe
    // holds.
    let img = scratch_file("wb-pipe.bin", &pattern(4 << 20, 44));
    let mut child = Command::new(SGMAP)
        .args([
            "write-buffer",
            "--mode=dmc_offs_defer",
            "--bpw=512",
            &format!("--in={img}"),
            "--dry-run",
            "--json",
            &env.sg,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sgmap");
    let mut pipe = child.stdout.take().expect("stdout");
    let mut head = [0u8; 200];
    pipe.read_exact(&mut head).expect("the plan's first bytes");
    let first = String::from_utf8_lossy(&head).into_owned();
    drop(pipe); // as `| head -c 200` does
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(first.contains("\"chunks\":[{\"mode\":14"), "{first}");
    assert_eq!(out.status.code(), Some(141), "stderr: {stderr}");
    assert!(stderr.is_empty(), "quiet: {stderr}");
}
