//! `sgmap` under signals: every command reaches the device once whatever stops and
//! continues the process (counted at the device, against the same run without signals), the
//! stop signals end `dd` and `write-buffer` with 128 + the signal after what was in flight
//! is collected and reported, and SIGUSR1 only reports, in every phase of `dd`. In the
//! phase sdebug-512 only (`ONCE` in guest-init.rs): nothing here depends on the sector size.

mod cli_common;

use std::path::Path;
use std::time::Duration;

use cli_common::*;
use rustix::process::Signal;
use sgmap_tests::scsi;
use sgmap_tests::signal::{stop_cycles, Step};

/// 100 jiffies: 0.4 s a command at HZ=250.
const SLOW: u32 = 100;

/// This file's region of the disk: 12 MiB in.
const REGION: u64 = 12 << 20;

/// Stops and continues from 200 ms on: runs 150 ms, stopped 250 ms, `cycles` times.
fn stops(cycles: usize) -> Vec<Step> {
    stop_cycles(
        Duration::from_millis(200),
        Duration::from_millis(150),
        Duration::from_millis(250),
        cycles,
    )
}

/// One signal after `after`.
fn one(after: Duration, sig: Signal) -> Vec<Step> {
    vec![Step::Sleep(after), Step::Send(sig)]
}

/// `sig` every `every` for `times` times, from `every` on.
fn repeated(every: Duration, sig: Signal, times: usize) -> Vec<Step> {
    (0..times)
        .flat_map(|_| [Step::Sleep(every), Step::Send(sig)])
        .collect()
}

/// Runs `args` slowly, once quietly and once under `plan`, and returns both runs with the
/// commands each put on the device.
fn quiet_and_signalled(env: &Env, args: &[&str], plan: Vec<Step>) -> ((Run, u64), (Run, u64)) {
    let sg = Path::new(&env.sg);
    let mut quiet = None;
    let n_quiet = scsi::count_commands(&env.dev, sg, SLOW, || quiet = Some(sgmap(args)));
    let mut loud = None;
    let n_loud = scsi::count_commands(&env.dev, sg, SLOW, || {
        let (run, delivered) = sgmap_signalled(args, plan);
        assert!(delivered >= 2, "the signals reached sgmap:\n{run:?}");
        loud = Some(run);
    });
    ((quiet.expect("ran"), n_quiet), (loud.expect("ran"), n_loud))
}

/// `sgmap write-buffer --json` of a `bytes` image (pattern `seed`) in 4 KiB chunks of mode
/// 0xe and an activation.
fn write_buffer_args(env: &Env, name: &str, bytes: usize, seed: u64) -> Vec<String> {
    let img = scratch_file(name, &pattern(bytes, seed));
    [
        "write-buffer",
        "--mode=dmc_offs_defer",
        "--bpw=4096,act",
        &format!("--in={img}"),
        "--json",
        &env.sg,
    ]
    .map(str::to_owned)
    .to_vec()
}

#[test]
fn scsi_debug_write_buffer_under_stops_sends_each_chunk_once() {
    let env = Env::get();
    let args = write_buffer_args(&env, "sig-wb.bin", 16 * 1024, 81);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let ((quiet, n_quiet), (loud, n_loud)) = quiet_and_signalled(&env, &args, stops(8));
    for (run, n) in [(&quiet, n_quiet), (&loud, n_loud)] {
        run.status(0);
        let j = run.json();
        assert_eq!(
            j.get("sent").num(),
            5,
            "4 chunks and the activation:\n{run:?}"
        );
        let expected = j.get("sent").num() + j.get("retries").num();
        assert_eq!(i128::from(n), expected, "commands at the device:\n{run:?}");
    }
}

#[test]
fn scsi_debug_tur_and_raw_under_stops_reach_the_device_once() {
    let env = Env::get();
    let ((_, n_quiet), (loud, n_loud)) =
        quiet_and_signalled(&env, &["tur", "--number=4", &env.sg], stops(6));
    loud.status(0);
    assert_eq!((n_quiet, n_loud), (4, 4), "TEST UNIT READY x4:\n{loud:?}");
    let request = format!("--request={}", env.ss);
    let args = [
        "raw", &request, &env.sg, "28", "00", "00", "00", "00", "00", "00", "00", "01", "00",
    ];
    let ((_, n_quiet), (loud, n_loud)) = quiet_and_signalled(&env, &args, stops(2));
    loud.status(0);
    assert_eq!((n_quiet, n_loud), (1, 1), "one READ(10):\n{loud:?}");
}

#[test]
fn scsi_debug_dd_under_stops_sends_one_command_per_transfer_both_ways_at_qd_1_and_4() {
    let env = Env::get();
    let blocks = 32 * 1024 / env.ss;
    let at = REGION / env.ss;
    let data = pattern((blocks * env.ss) as usize, 82);
    let input = scratch_file("sig-dd-in.bin", &data);
    for qd in ["1", "4"] {
        // file → sg
        let args = [
            "dd",
            &format!("if={input}"),
            &format!("of={}", env.sg),
            &format!("bs={}", env.ss),
            &format!("seek={at}"),
            "bpt=4",
            &format!("qd={qd}"),
        ];
        let ((quiet, n_quiet), (loud, n_loud)) = quiet_and_signalled(&env, &args, stops(6));
        quiet.status(0);
        loud.status(0).err_has(&format!("{blocks}+0 records out"));
        assert_eq!(
            n_loud, n_quiet,
            "file→sg qd={qd}: commands at the device:\n{loud:?}"
        );
        same(
            &read_block(&env.block, at * env.ss, data.len()),
            &data,
            "what file→sg wrote under stops",
        );
        // sg → file
        let out = scratch("sig-dd-out.bin").display().to_string();
        let args = [
            "dd",
            &format!("if={}", env.sg),
            &format!("of={out}"),
            &format!("bs={}", env.ss),
            &format!("skip={at}"),
            &format!("count={blocks}"),
            "bpt=4",
            &format!("qd={qd}"),
        ];
        let ((quiet, n_quiet), (loud, n_loud)) = quiet_and_signalled(&env, &args, stops(6));
        quiet.status(0);
        loud.status(0).err_has(&format!("{blocks}+0 records in"));
        assert_eq!(
            n_loud, n_quiet,
            "sg→file qd={qd}: commands at the device:\n{loud:?}"
        );
        same(
            &std::fs::read(&out).expect("output"),
            &data,
            "what sg→file read under stops",
        );
    }
}

/// `sgmap dd --json` reading `bytes` of this file's region into the scratch file `name` in
/// `transfers` READs, with `extra` operands; returns the arguments, the output's path and
/// the blocks per transfer.
fn dd_from_region(
    env: &Env,
    name: &str,
    bytes: u64,
    transfers: u64,
    extra: &[&str],
) -> (Vec<String>, String, u64) {
    let blocks = bytes / env.ss;
    let bpt = blocks / transfers;
    let out = scratch(name).display().to_string();
    let mut args = vec![
        "dd".to_owned(),
        format!("if={}", env.sg),
        format!("of={out}"),
        format!("bs={}", env.ss),
        format!("skip={}", REGION / env.ss),
        format!("count={blocks}"),
        format!("bpt={bpt}"),
        "--json".to_owned(),
    ];
    args.extend(extra.iter().map(|a| a.to_string()));
    (args, out, bpt)
}

#[test]
fn scsi_debug_dd_stop_signals_end_the_copy_with_128_plus_the_signal_and_true_counts() {
    let env = Env::get();
    let blocks = 64 * 1024 / env.ss;
    let (args, out, bpt) = dd_from_region(&env, "sig-dd-stop.bin", 64 * 1024, 8, &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    for (sig, code) in [(Signal::TERM, 143), (Signal::INT, 130), (Signal::HUP, 129)] {
        // dd does not truncate an existing output: each run starts from no file, so that
        // the length is this run's, whatever the run before it copied (under load the
        // signal lands after a different number of transfers each time).
        let _ = std::fs::remove_file(&out);
        let mut run = None;
        let n = scsi::count_commands(&env.dev, Path::new(&env.sg), SLOW, || {
            let (r, delivered) = sgmap_signalled(&args, one(Duration::from_millis(1500), sig));
            assert_eq!(delivered, 1, "{r:?}");
            run = Some(r);
        });
        let run = run.expect("ran");
        run.status(code)
            .err_has("records in")
            .err_has("records out");
        let j = run.json();
        assert!(j.get("interrupted").bool(), "{run:?}");
        assert_eq!(j.get("exit_status").num(), i128::from(code));
        let copied = j.get("records_out").get("full").num();
        assert!(copied > 0 && copied < i128::from(blocks), "{run:?}");
        assert_eq!(
            copied + j.get("remaining_blocks").num(),
            i128::from(blocks),
            "{run:?}"
        );
        // What was read reached the file, and nothing more was asked of the device: one
        // READ CAPACITY probe (or two, 10 then 16) and a READ per transfer in.
        let file_len = std::fs::metadata(&out).expect("output").len();
        assert_eq!(file_len as i128, copied * i128::from(env.ss), "{run:?}");
        let reads = (copied as u64).div_ceil(bpt);
        assert!(
            n > reads && n <= reads + 2,
            "{n} commands for {reads} READs and the probe:\n{run:?}"
        );
    }
}

#[test]
fn scsi_debug_dd_usr1_reports_in_every_phase_and_never_kills() {
    let env = Env::get();
    let (args, _, _) = dd_from_region(&env, "sig-dd-usr1.bin", 32 * 1024, 8, &["verify=1"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // 8 READs to copy and 8 to verify, 0.4 s each: SIGUSR1 every 0.5 s reaches both phases.
    let mut run = None;
    scsi::count_commands(&env.dev, Path::new(&env.sg), SLOW, || {
        let (r, delivered) = sgmap_signalled(
            &args,
            repeated(Duration::from_millis(500), Signal::USR1, 12),
        );
        assert!(delivered >= 5, "{r:?}");
        run = Some(r);
    });
    let run = run.expect("ran");
    run.status(0).err_has("Progress report, continuing");
    let j = run.json();
    assert!(j.get("verified").bool(), "{run:?}");
    assert!(!j.get("interrupted").bool(), "{run:?}");
}

#[test]
fn scsi_debug_dd_usr1_while_the_devices_are_probed_does_not_end_it() {
    let env = Env::get();
    let (args, out, _) = dd_from_region(&env, "sig-dd-usr1-probe.bin", 16 * 1024, 4, &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // The probe (READ CAPACITY) takes 0.4 s here: 150 ms in, sgmap is inside it, before any
    // transfer. SIGUSR1's default action would end the process.
    let mut run = None;
    scsi::count_commands(&env.dev, Path::new(&env.sg), SLOW, || {
        let (r, delivered) = sgmap_signalled(&args, one(Duration::from_millis(150), Signal::USR1));
        assert_eq!(delivered, 1, "{r:?}");
        run = Some(r);
    });
    let run = run.expect("ran");
    run.status(0);
    let j = run.json();
    assert!(!j.get("interrupted").bool(), "{run:?}");
    let blocks = i128::from(16 * 1024 / env.ss);
    assert_eq!(j.get("records_out").get("full").num(), blocks, "{run:?}");
    assert_eq!(std::fs::metadata(&out).expect("output").len(), 16 * 1024);
}

#[test]
fn scsi_debug_dd_sigint_in_any_phase_exits_130_after_a_whole_report() {
    let env = Env::get();
    let (args, _, _) = dd_from_region(&env, "sig-dd-int.bin", 32 * 1024, 8, &["verify=1"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // At 1, 3 and 5 s: during the copy, around its end, and during verify.
    for after in [1000, 3000, 5000] {
        let mut run = None;
        scsi::count_commands(&env.dev, Path::new(&env.sg), SLOW, || {
            let (r, _) = sgmap_signalled(&args, one(Duration::from_millis(after), Signal::INT));
            run = Some(r);
        });
        let run = run.expect("ran");
        // Never killed after its report: the status and the JSON agree.
        let j = run.json();
        assert_eq!(j.get("exit_status").num(), i128::from(run.code), "{run:?}");
        if j.get("interrupted").bool() {
            run.status(130);
            assert!(j.get("verified").is_null(), "{run:?}");
        } else {
            // The signal came after the last transfer: the copy and verify were complete.
            run.status(0);
            assert!(j.get("verified").bool(), "{run:?}");
        }
    }
}

#[test]
fn scsi_debug_write_buffer_stopped_by_sigterm_names_the_last_chunk_and_sends_no_activation() {
    let env = Env::get();
    let args = write_buffer_args(&env, "sig-wb-stop.bin", 32 * 1024, 83);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut run = None;
    let n = scsi::count_commands(&env.dev, Path::new(&env.sg), SLOW, || {
        let (r, delivered) = sgmap_signalled(&args, one(Duration::from_millis(1200), Signal::TERM));
        assert_eq!(delivered, 1, "{r:?}");
        run = Some(r);
    });
    let run = run.expect("ran");
    run.status(143)
        .err_has("stopped by SIGTERM before chunk")
        .err_has("activation (chunk 8) was not sent");
    let j = run.json();
    assert!(j.get("interrupted").bool());
    assert_eq!(j.get("signal").num(), 15);
    let sent = j.get("sent").num();
    assert!(sent > 0 && sent < 8, "stopped midway: {run:?}");
    let expected = sent + j.get("retries").num();
    assert_eq!(i128::from(n), expected, "commands at the device:\n{run:?}");
    run.err_has(&format!("the last chunk sent was chunk {}", sent - 1));
}
