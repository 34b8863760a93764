//! `sgmap dd`'s counts are true: after a fault on either side, in every direction and at
//! qd 1 and 4, `records out` is exactly what the output holds, compared block by block, and
//! `records in` what was read. Faults are real ones of the driver below: a medium error on
//! READ (scsi_debug `opts=2`), a write-protected target switched on mid-copy (`wp`, so the
//! WRITEs in flight at that moment meet it wherever the copy is), a medium error under a
//! block-device input, and a file system that fills up under a file output.

mod cli_common;

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use cli_common::*;
use sgmap_tests::scsi::{count_commands, iorequest_count};

/// Blocks copied by each run, in transfers of [`BPT`].
const COUNT: u64 = 400;
const BPT: u64 = 16;
/// The first bad LBA of the input faults; its transfer starts at 192.
const BAD: u64 = 200;
const BEFORE_BAD: u64 = BAD / BPT * BPT;

/// The final `N+M records in/out` counts (the last of each on stderr).
#[track_caller]
fn counts(run: &Run) -> ((u64, u64), (u64, u64)) {
    let get = |what: &str| {
        let suffix = format!(" records {what}");
        let line = run
            .stderr
            .lines()
            .rev()
            .find(|l| l.ends_with(&suffix))
            .unwrap_or_else(|| panic!("no `records {what}` line:\n{run:?}"));
        let (full, partial) = line
            .strip_suffix(&suffix)
            .and_then(|n| n.split_once('+'))
            .unwrap_or_else(|| panic!("{line:?}"));
        (full.parse().unwrap(), partial.parse().unwrap())
    };
    (get("in"), get("out"))
}

/// Checks that `target` holds `source`'s blocks exactly where the copy says it wrote them:
/// `out` blocks equal the source's, every other block is untouched (zeros). Returns how many
/// matched.
#[track_caller]
fn holds_exactly(target: &[u8], source: &[u8], ss: u64, out: u64, what: &str) {
    let ss = ss as usize;
    let mut matched = Vec::new();
    for (i, (t, s)) in target.chunks(ss).zip(source.chunks(ss)).enumerate() {
        if t == s {
            matched.push(i as u64);
        } else {
            assert!(
                t.iter().all(|&b| b == 0),
                "{what}: block {i} of the target is neither the source's nor untouched"
            );
        }
    }
    assert_eq!(
        matched.len() as u64,
        out,
        "{what}: records out {out}, the target holds {} blocks of the source ({:?}…)",
        matched.len(),
        &matched[..matched.len().min(8)]
    );
}

/// The source region of the first device (from LBA 0) filled with a pattern.
fn fill_source(env: &Env, seed: u64) -> Vec<u8> {
    let data = pattern((COUNT * env.ss) as usize, seed);
    write_block(&env.block, 0, &data);
    data
}

/// The target region of the second device, 2 MiB in, cleared; returns its seek.
fn clear_target(env: &Env, block2: &str) -> u64 {
    let seek = (2 << 20) / env.ss;
    write_block(block2, seek * env.ss, &vec![0u8; (COUNT * env.ss) as usize]);
    seek
}

/// Sets scsi_debug's `wp` (global) once the device of `sg` has seen `after` more commands,
/// from a thread, while `f` runs; every WRITE after that moment fails with DATA PROTECT.
/// scsi_debug checks `wp` when it takes a command, in the order they were sent.
fn write_protect_after<T>(env: &Env, sg: &Path, after: u64, f: impl FnOnce() -> T) -> T {
    let sdebug = env.dev.scsi_debug().clone();
    let wp = sdebug_param(sdebug.dir(), "wp");
    let start = iorequest_count(sg);
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (sg, wp, done) = (sg.to_owned(), wp.clone(), done.clone());
        thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !done.load(Ordering::Relaxed) && Instant::now() < deadline {
                if iorequest_count(&sg) >= start + after {
                    fs::write(&wp, "1").unwrap_or_else(|e| panic!("{wp}: {e}"));
                    return true;
                }
                thread::sleep(Duration::from_micros(200));
            }
            false
        })
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    done.store(true, Ordering::Relaxed);
    let protected = watcher.join().expect("the watcher");
    fs::write(&wp, "0").unwrap_or_else(|e| panic!("{wp}: {e}"));
    let result = result.unwrap_or_else(|p| std::panic::resume_unwind(p));
    assert!(protected, "the target never saw {after} commands");
    result
}

/// Medium errors on READ at [`BAD`]..+4 of the first device while `f` runs.
fn with_medium_error<T>(env: &Env, f: impl FnOnce() -> T) -> T {
    let sdebug = env.dev.scsi_debug();
    let _start = SysfsKnob::set(
        &sdebug_param(sdebug.dir(), "medium_error_start"),
        &BAD.to_string(),
    );
    let _count = SysfsKnob::set(&sdebug_param(sdebug.dir(), "medium_error_count"), "4");
    let _inject = sdebug.inject(0x2, 0);
    f()
}

/// The operands of a copy of [`COUNT`] blocks, for sgmap, sgm_dd and sg_dd.
fn dd_ops(input: &str, output: &str, env: &Env, seek: u64) -> Vec<String> {
    vec![
        format!("if={input}"),
        format!("of={output}"),
        format!("bs={}", env.ss),
        format!("count={COUNT}"),
        format!("seek={seek}"),
    ]
}

fn dd(input: &str, output: &str, env: &Env, seek: u64, qd: u32) -> Run {
    let mut args = vec!["dd".to_owned(), format!("bpt={BPT}"), format!("qd={qd}")];
    args.extend(dd_ops(input, output, env, seek));
    sgmap(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn scsi_debug_counts_sg_to_sg_read_error_are_what_the_target_holds() {
    let env = Env::get();
    let (sg2, block2) = env.dev.second();
    let (sg2, block2) = (sg2.display().to_string(), block2.display().to_string());
    let source = fill_source(&env, 501);
    for qd in [1, 4] {
        let seek = clear_target(&env, &block2);
        let run = with_medium_error(&env, || dd(&env.sg, &sg2, &env, seek, qd));
        run.status(3).err_has("Unrecovered read error");
        let (rin, rout) = counts(&run);
        assert_eq!((rin, rout), ((BEFORE_BAD, 0), (BEFORE_BAD, 0)), "qd={qd}");
        let target = read_block(&block2, seek * env.ss, source.len());
        holds_exactly(&target, &source, env.ss, rout.0, &format!("qd={qd}"));
    }
}

/// Runs `f` (a dd whose output is the device of `sg`) with scsi_debug answering each
/// command after one jiffy (4 ms) and the target write-protected after 8 of its commands:
/// the copy is well under way, WRITEs are in flight at qd > 1.
fn protected_mid_copy(env: &Env, sg: &Path, f: impl FnOnce() -> Run) -> Run {
    let mut run = None;
    count_commands(&env.dev, sg, 1, || {
        run = Some(write_protect_after(env, sg, 8, f));
    });
    run.expect("ran")
}

/// The checks of a copy stopped by the write protection: DATA PROTECT (7), a count out
/// strictly inside the copy, at most `in_flight` transfers read and not written, and the
/// target holding exactly the blocks counted out.
#[track_caller]
fn check_protected(
    env: &Env,
    run: &Run,
    source: &[u8],
    (block2, seek): (&str, u64),
    qd: u32,
    in_flight: u64,
) {
    run.status(7).err_has("Data Protect");
    let ((rin, _), (rout, _)) = counts(run);
    assert!(rout > 0 && rout < COUNT, "qd={qd}: out {rout}\n{run:?}");
    assert!(
        rin >= rout && rin <= rout + in_flight * BPT,
        "qd={qd}: in {rin}, out {rout}"
    );
    let target = read_block(block2, seek * env.ss, source.len());
    holds_exactly(&target, source, env.ss, rout, &format!("qd={qd}"));
}

#[test]
fn scsi_debug_counts_sg_to_sg_write_protected_mid_copy_are_what_the_target_holds() {
    let env = Env::get();
    let (sg2, block2) = env.dev.second();
    let (sg2, block2) = (sg2.to_owned(), block2.display().to_string());
    let source = fill_source(&env, 502);
    for qd in [1, 4] {
        let seek = clear_target(&env, &block2);
        let run = protected_mid_copy(&env, &sg2, || {
            dd(&env.sg, &sg2.display().to_string(), &env, seek, qd)
        });
        // qd READs and qd WRITEs are in flight together.
        let in_flight = 2 * u64::from(qd);
        check_protected(&env, &run, &source, (&block2, seek), qd, in_flight);
    }
}

#[test]
fn scsi_debug_counts_file_to_sg_write_protected_mid_copy_are_what_the_target_holds() {
    let env = Env::get();
    let (sg2, block2) = env.dev.second();
    let (sg2, block2) = (sg2.to_owned(), block2.display().to_string());
    let source = pattern((COUNT * env.ss) as usize, 503);
    let file = scratch_file("counts-in.bin", &source);
    for qd in [1, 4] {
        let seek = clear_target(&env, &block2);
        let run = protected_mid_copy(&env, &sg2, || {
            dd(&file, &sg2.display().to_string(), &env, seek, qd)
        });
        check_protected(&env, &run, &source, (&block2, seek), qd, u64::from(qd));
    }
}

#[test]
fn scsi_debug_counts_block_device_input_error_to_sg_are_what_the_target_holds() {
    // The input is the first device's block node (a file to dd, read through the page
    // cache): its medium error reaches dd as a short read or EIO, wherever the kernel's
    // readahead puts it.
    let env = Env::get();
    let (sg2, block2) = env.dev.second();
    let (sg2, block2) = (sg2.display().to_string(), block2.display().to_string());
    let source = fill_source(&env, 504);
    for qd in [1, 4] {
        let seek = clear_target(&env, &block2);
        drop_caches();
        let run = with_medium_error(&env, || dd(&env.block, &sg2, &env, seek, qd));
        assert_ne!(run.code, 0, "qd={qd}: {run:?}");
        let ((rin, pin), (rout, pout)) = counts(&run);
        assert_eq!((pin, pout), (0, 0), "qd={qd}: whole blocks only");
        assert!(rout <= BAD && rout == rin, "qd={qd}: in {rin} out {rout}");
        let target = read_block(&block2, seek * env.ss, source.len());
        holds_exactly(&target, &source, env.ss, rout, &format!("qd={qd}"));
    }
}

#[test]
fn scsi_debug_counts_sg_to_file_read_error_are_what_the_file_holds() {
    let env = Env::get();
    let source = fill_source(&env, 505);
    for qd in [1, 4] {
        let out = scratch("counts-out.bin");
        let run = with_medium_error(&env, || {
            dd(&env.sg, &out.display().to_string(), &env, 0, qd)
        });
        run.status(3).err_has("Unrecovered read error");
        assert_eq!(counts(&run), ((BEFORE_BAD, 0), (BEFORE_BAD, 0)), "qd={qd}");
        let file = fs::read(&out).unwrap();
        same(
            &file,
            &source[..(BEFORE_BAD * env.ss) as usize],
            &format!("qd={qd}"),
        );
    }
}

/// A tmpfs of `bytes` mounted for the test's duration.
struct SmallFs(&'static str);

impl SmallFs {
    fn mount(bytes: u64) -> SmallFs {
        let dir = "/mnt/sgmap-small";
        let _ = fs::create_dir_all(dir);
        rustix::mount::mount(
            "tmpfs",
            dir,
            "tmpfs",
            rustix::mount::MountFlags::empty(),
            Some(
                std::ffi::CString::new(format!("size={bytes}"))
                    .unwrap()
                    .as_c_str(),
            ),
        )
        .unwrap_or_else(|e| panic!("mount a tmpfs on {dir}: {e}"));
        SmallFs(dir)
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        if let Err(e) = rustix::mount::unmount(self.0, rustix::mount::UnmountFlags::empty()) {
            eprintln!("unmount {}: {e}", self.0);
        }
    }
}

#[test]
fn scsi_debug_counts_sg_to_a_full_file_system_are_what_the_file_holds_as_sg_dd_counts() {
    // The file system holds 40 % of the copy: the write that meets its end is taken in
    // part (a short write), and that part counts, as sg_dd and sgm_dd count it. The status
    // is sg_dd's for a failed write(2), 99 (sgm_dd 1.46 exits 0 there: it does not set its
    // status when a write to a file fails).
    let env = Env::get();
    let source = fill_source(&env, 506);
    let room = COUNT * env.ss * 2 / 5 / 4096 * 4096;
    let theirs = {
        let fs = SmallFs::mount(room);
        let out = format!("{}/out.bin", fs.0);
        let bpt = format!("bpt={BPT}");
        let ops = dd_ops(&env.sg, &out, &env, 0);
        let mut args: Vec<&str> = ops.iter().map(String::as_str).collect();
        args.push(&bpt);
        sg3("sg_dd", &args)
    };
    assert_eq!(theirs.code, 99, "sg_dd: {theirs:?}");
    for qd in [1, 4] {
        let fs = SmallFs::mount(room);
        let out = format!("{}/out.bin", fs.0);
        let run = dd(&env.sg, &out, &env, 0, qd);
        run.status(theirs.code).err_has("No space left on device");
        let ((rin, _), (rout, pout)) = counts(&run);
        assert_eq!(
            counts(&run).1,
            counts(&theirs).1,
            "qd={qd}: records out, sgmap vs sg_dd"
        );
        let file = fs::read(&out).unwrap();
        assert_eq!(file.len() as u64, room, "qd={qd}: the file system is full");
        assert_eq!(
            rout * env.ss + u64::from(pout > 0) * (room % env.ss),
            room,
            "qd={qd}: out is what the file holds"
        );
        assert!(rin >= rout, "qd={qd}");
        same(&file, &source[..file.len()], &format!("qd={qd}"));
    }
}

/// The logical block size of sg node `name`'s disk, from sysfs, once sd has attached (up
/// to 20 s: the sg node can come first).
fn logical_block_size(name: &str) -> u64 {
    let dir = format!("/sys/class/scsi_generic/{name}/device/block");
    let deadline = Instant::now() + Duration::from_secs(20);
    let disk = loop {
        match fs::read_dir(&dir).map(|mut d| d.next()) {
            Ok(Some(Ok(entry))) => break entry.file_name(),
            _ if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
            other => panic!("{dir}: no disk: {other:?}"),
        }
    };
    fs::read_to_string(format!(
        "/sys/class/scsi_generic/{name}/device/block/{}/queue/logical_block_size",
        disk.to_string_lossy()
    ))
    .unwrap()
    .trim()
    .parse()
    .unwrap()
}

/// A scsi_debug device added for the test, its unit attention cleared: the guard that
/// removes its host, its sg node's name and path, and its logical block size.
fn added_device(
    sdebug: &sgmap_tests::ScsiDebug,
) -> (sgmap_tests::scsi::AddedHost<'_>, String, String, u64) {
    let (host, name, path) = sgmap_tests::scsi::add_device(sdebug);
    let sg = path.display().to_string();
    clear_unit_attention(&sg);
    let ss = logical_block_size(&name);
    (host, name, sg, ss)
}

/// Waits up to 20 s for `path` to hold data.
fn await_data(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while fs::metadata(path).map_or(0, |m| m.len()) == 0 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(2));
    }
}

/// Whether process `pid` has `files` files of `node` open and waits in `read()`.
fn waits_in_read_with(pid: u32, node: &Path, files: usize) -> bool {
    let open = fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |dir| {
        dir.filter_map(|e| fs::read_link(e.ok()?.path()).ok())
            .filter(|target| target == node)
            .count()
    });
    let syscall = fs::read_to_string(format!("/proc/{pid}/syscall")).unwrap_or_default();
    open == files && syscall.split(' ').next() == Some(libc::SYS_read.to_string().as_str())
}

#[test]
fn scsi_debug_a_device_removed_while_its_reads_queue_ends_dd_with_69_though_did_error_shows_first()
{
    // The device takes one command at a time (queue_depth 1, 0.2 s each) and dd's four
    // READs are the whole copy (count = qd × bpt: none is sent after the removal, whose
    // write() would fail with ENODEV first). The device is deleted while the first runs:
    // it completes, and the midlayer fails the three queued behind it with DID_ERROR (the
    // device is being removed, not offline), which alone would end dd with 99. dd looks at
    // sysfs after a failure of the transport, sees the removal, and ends with 69 and counts
    // that match the file.
    let env = Env::get();
    let sdebug = env.dev.scsi_debug();
    let old_delay = sdebug.param("delay");
    let (_host, name, sg, ss) = added_device(sdebug);
    let path = Path::new(&sg);
    let out = scratch("queued.bin");
    let device = format!("/sys/class/scsi_generic/{name}/device");
    fs::write(format!("{device}/queue_depth"), "1").expect("queue_depth 1");
    sgmap_tests::scsi::set_delay(sdebug, "50");
    let args = [
        "dd".to_owned(),
        format!("if={sg}"),
        format!("of={}", out.display()),
        format!("bs={ss}"),
        "count=32".to_owned(),
        "bpt=8".to_owned(),
        "qd=4".to_owned(),
    ];
    let child = std::process::Command::new(SGMAP)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn sgmap dd");
    // Its four READs sent (they go out before the first wait), it waits for the first.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !waits_in_read_with(child.id(), path, 4) {
        assert!(
            Instant::now() < deadline,
            "dd never waited with four files open"
        );
        thread::sleep(Duration::from_millis(5));
    }
    fs::write(format!("{device}/delete"), "1").expect("delete the device");
    let output = child.wait_with_output().expect("wait for sgmap dd");
    sgmap_tests::scsi::set_delay(sdebug, &old_delay);
    let run = Run {
        args: args.to_vec(),
        code: output.status.code().unwrap_or(-1),
        stdout: Vec::new(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    run.err_has("DID_ERROR")
        .status(69)
        .err_has("the device was removed during the copy");
    let ((rin, _), (rout, _)) = counts(&run);
    assert!(rout < 32 && rin == rout, "in {rin} out {rout}\n{run:?}");
    assert_eq!(
        fs::metadata(&out).map_or(0, |m| m.len()),
        rout * ss,
        "the file holds what was counted"
    );
}

#[test]
fn scsi_debug_a_device_removed_mid_copy_ends_with_69_and_true_counts_within_seconds() {
    // A scsi_debug host added for the test, its device deleted through sysfs while dd
    // reads it into a file: at qd 1 and 4, early and late, the copy ends with 69 (ENODEV)
    // and the counts, which match the file, within seconds.
    let env = Env::get();
    let sdebug = env.dev.scsi_debug();
    let old_delay = sdebug.param("delay");
    for (qd, after_ms) in [(1u32, 100u64), (4, 100), (1, 400), (4, 400)] {
        let (_host, name, sg, ss) = added_device(sdebug);
        let out = scratch("removed.bin");
        let delete = format!("/sys/class/scsi_generic/{name}/device/delete");
        // One jiffy (4 ms) per command: the copy of 4000 blocks takes 0.5 to 2 s.
        sgmap_tests::scsi::set_delay(sdebug, "1");
        // `after_ms` from the copy's first data in the file (`scratch` removed it), not from
        // the spawn: on a loaded host sgmap may not have sent its READ CAPACITY by then.
        let written = out.clone();
        let deleter = thread::spawn(move || {
            await_data(&written);
            thread::sleep(Duration::from_millis(after_ms));
            fs::write(&delete, "1").unwrap_or_else(|e| panic!("{delete}: {e}"));
        });
        let started = Instant::now();
        let run = sgmap(&[
            "dd",
            &format!("if={sg}"),
            &format!("of={}", out.display()),
            &format!("bs={ss}"),
            "count=4000",
            "bpt=8",
            &format!("qd={qd}"),
        ]);
        let took = started.elapsed();
        deleter.join().expect("the deleter");
        sgmap_tests::scsi::set_delay(sdebug, &old_delay);
        let what = format!("qd={qd}, deleted after {after_ms} ms");
        run.status(69)
            .err_has("the device was removed during the copy");
        let ((rin, _), (rout, _)) = counts(&run);
        assert!(
            rout < 4000 && rin == rout,
            "{what}: in {rin} out {rout}\n{run:?}"
        );
        assert_eq!(
            fs::metadata(&out).map_or(0, |m| m.len()),
            rout * ss,
            "{what}: the file holds what was counted"
        );
        assert!(
            took < Duration::from_secs(20),
            "{what}: took {took:?}\n{run:?}"
        );
        eprintln!("{what}: {rout} blocks out, ended in {took:?}");
    }
}
