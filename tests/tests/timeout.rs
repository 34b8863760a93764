//! Timeouts and signals: a dropped command comes back as `DID_TIME_OUT` after about its
//! timeout and the file works afterwards; a stop signal during `ioctl(SG_IO)` makes the
//! kernel reissue the command, while `write()` + `poll()` + `read()` runs it once.

use std::os::unix::process::CommandExt;
use std::process::Command as Process;
use std::thread;
use std::time::{Duration, Instant};

use rustix::event::Timespec;
use rustix::io::Errno;
use rustix::process::{getpid, kill_process, Signal};
use sgmap_sys::{Command, Data, Outcome, Timeout};
use sgmap_tests::scsi::{self, lba_of};
use sgmap_tests::Devices;

/// This file's region of the disk: 5 MiB in.
const REGION: u64 = 5 << 20;

#[test]
fn scsi_debug_dropped_command_returns_did_time_out_after_its_timeout_and_the_file_works_after() {
    let devices = Devices::from_env();
    let sdebug = devices.scsi_debug();
    let mut dev = scsi::open(&devices.sg);
    dev.map().expect("map");
    let block = devices.sector_size;
    let cdb = scsi::read10(lba_of(&devices, REGION), 1);
    let cmd = Command::new(&cdb).timeout(Timeout::from_millis(1500).unwrap());
    let start = Instant::now();
    let r = {
        let _drop_every_command = sdebug.inject(0x4, 1); // SDEBUG_OPT_TIMEOUT, every_nth=1
        dev.execute(&cmd, Data::MmapIn(block))
            .expect("SG_IO returns 0 on a timeout")
    };
    let took = start.elapsed();
    println!("dropped command: {r:?} after {took:?}");
    assert_eq!(r.host_status, 0x03, "DID_TIME_OUT: {r:?}");
    assert_eq!(r.outcome(), Outcome::Timeout);
    assert_eq!(r.category().code(), 33);
    assert_eq!(r.valid, 0);
    assert!(
        took >= Duration::from_millis(1400),
        "came back before its timeout: {took:?}"
    );
    assert!(took < Duration::from_secs(60), "took {took:?}");
    assert!(dev.valid_data().expect("valid_data").is_empty());
    // The file works afterwards.
    let r = dev
        .execute(&cmd, Data::MmapIn(block))
        .expect("READ after the timeout");
    scsi::expect_good(&r, "READ after the timeout");
}

#[test]
fn scsi_debug_dropped_async_command_times_out_and_is_collected() {
    let devices = Devices::from_env();
    let sdebug = devices.scsi_debug();
    let mut dev = scsi::open(&devices.sg);
    let tur = Command::new(&scsi::TEST_UNIT_READY).timeout(Timeout::from_millis(1000).unwrap());
    let r = {
        let _drop_every_command = sdebug.inject(0x4, 1);
        let id = dev.submit(&tur, Data::None).expect("submit");
        dev.wait(id).expect("wait collects the timed-out request")
    };
    assert_eq!(r.outcome(), Outcome::Timeout, "{r:?}");
    let id = dev.submit(&tur, Data::None).expect("submit after");
    dev.wait(id).expect("TUR after the timeout");
}

fn sleep(d: Duration) {
    let ts = Timespec {
        tv_sec: d.as_secs() as _,
        tv_nsec: d.subsec_nanos() as _,
    };
    let _ = rustix::thread::nanosleep(&ts);
}

/// From another process: SIGSTOP this process after `after`, SIGCONT it `stopped` later.
/// (A thread cannot do it: it would be stopped too.) The other process is a fork whose
/// `pre_exec` does the job and then fails the exec on purpose.
fn stop_and_continue_me(after: Duration, stopped: Duration) -> thread::JoinHandle<()> {
    let me = getpid();
    thread::spawn(move || {
        let in_child = move || -> std::io::Result<()> {
            sleep(after);
            let _ = kill_process(me, Signal::STOP);
            sleep(stopped);
            let _ = kill_process(me, Signal::CONT);
            Err(std::io::Error::from_raw_os_error(
                Errno::CHILD.raw_os_error(),
            ))
        };
        let mut p = Process::new("/nonexistent/sgmap-signaller");
        // SAFETY: `in_child` makes only raw system calls (nanosleep, kill): async-signal-safe.
        unsafe { p.pre_exec(in_child) };
        match p.spawn() {
            Err(e) if e.raw_os_error() == Some(Errno::CHILD.raw_os_error()) => {}
            other => panic!("signaller: {other:?}"),
        }
    })
}

/// Runs `f` with scsi_debug answering after `delay` jiffies, and returns how many commands
/// the SCSI midlayer dispatched to the device meanwhile.
fn count_commands(devices: &Devices, delay_jiffies: u32, f: impl FnOnce()) -> u64 {
    let sdebug = devices.scsi_debug();
    let old = sdebug.param("delay");
    let before = scsi::iorequest_count(&devices.sg);
    sdebug.set_param("delay", delay_jiffies);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    // Let the orphan (if any) finish before restoring the delay (the write fails while
    // commands are queued).
    thread::sleep(Duration::from_millis(delay_jiffies as u64 * 4 + 500));
    sdebug.set_param("delay", old);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
    scsi::iorequest_count(&devices.sg) - before
}

#[test]
fn scsi_debug_sg_io_interrupted_by_a_stop_signal_is_reissued_by_the_kernel() {
    let devices = Devices::from_env();
    // 500 jiffies: 2 s at HZ=250. Stopped at 0.5 s for 0.5 s.
    let count = count_commands(&devices, 500, || {
        let mut dev = scsi::open(&devices.sg);
        let signaller =
            stop_and_continue_me(Duration::from_millis(500), Duration::from_millis(500));
        let start = Instant::now();
        let tur = Command::new(&scsi::TEST_UNIT_READY).timeout(Timeout::from_secs(30).unwrap());
        let r = dev.execute(&tur, Data::None);
        let took = start.elapsed();
        signaller.join().expect("signaller");
        println!("SG_IO across SIGSTOP/SIGCONT: {r:?} after {took:?}");
        let r = r.expect("no EINTR reaches the caller: the kernel restarted the ioctl");
        assert!(r.is_good() || r.status == 2, "{r:?}");
        assert!(
            took >= Duration::from_millis(2800),
            "the reissued command ran its delay again: {took:?}"
        );
    });
    assert_eq!(count, 2, "the device received the TUR twice");
}

#[test]
fn scsi_debug_submit_and_wait_across_a_stop_signal_runs_the_command_once() {
    let devices = Devices::from_env();
    let count = count_commands(&devices, 500, || {
        let mut dev = scsi::open(&devices.sg);
        let tur = Command::new(&scsi::TEST_UNIT_READY).timeout(Timeout::from_secs(30).unwrap());
        let signaller =
            stop_and_continue_me(Duration::from_millis(500), Duration::from_millis(500));
        let id = dev.submit(&tur, Data::None).expect("submit");
        let r = dev.wait(id).expect("wait across SIGSTOP/SIGCONT");
        signaller.join().expect("signaller");
        assert!(r.is_good() || r.status == 2, "{r:?}");
    });
    assert_eq!(count, 1, "the device received the TUR once");
}
