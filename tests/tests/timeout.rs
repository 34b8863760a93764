//! Timeouts and signals: a dropped command comes back as `DID_TIME_OUT` after about its
//! timeout and the file works afterwards; a stop signal during `ioctl(SG_IO)` makes the
//! kernel reissue the command, while sgmap-sys's `write()` + `read()` runs it once.
//!
//! Each stop test asserts that its stop landed where it means: the signaller records what
//! the test's thread was doing while stopped (`/proc/…/task/<tid>/stat` and `syscall`), and
//! it must have been stopped inside the waiting system call (`ioctl` for `SG_IO`, `read` for
//! sgmap-sys's wait), not before or after it.

use std::time::{Duration, Instant};

use sgmap_sys::{raw, Command, Data, Outcome, Timeout};
use sgmap_tests::scsi::{self, lba_of};
use sgmap_tests::signal::{self, Seen};
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

/// From another process: SIGSTOP this one at 0.5 s, SIGCONT it 0.5 s later.
fn one_stop() -> signal::Sent {
    signal::send_to_me(signal::stop_cycles(
        Duration::from_millis(500),
        Duration::ZERO,
        Duration::from_millis(500),
        1,
    ))
}

/// Asserts that both signals of [`one_stop`] were sent and that the stop found the test's
/// thread waiting in `read()`: sgmap-sys's wait for the response.
#[track_caller]
fn stopped_in_read(signaller: signal::Sent) {
    let sent = signaller.report();
    assert_eq!(
        sent.delivered, 2,
        "SIGSTOP and SIGCONT were delivered: {sent:?}"
    );
    assert_eq!(
        sent.seen,
        [Seen::stopped_in(libc::SYS_read)],
        "the stop landed while the thread waited in read() for the response"
    );
}

#[test]
fn scsi_debug_sg_io_interrupted_by_a_stop_signal_is_reissued_by_the_kernel() {
    let devices = Devices::from_env();
    // 500 jiffies: 2 s at HZ=250. Stopped at 0.5 s for 0.5 s.
    let count = scsi::count_commands(&devices, &devices.sg, 500, || {
        let fd = scsi::raw_open(&devices.sg);
        let signaller = one_stop();
        let start = Instant::now();
        let mut hdr = scsi::raw_tur();
        // SAFETY: a request without data or sense buffer; the file is this test's own.
        let r = unsafe { raw::sg_io(&fd, &mut hdr) };
        let took = start.elapsed();
        let sent = signaller.report();
        println!("SG_IO across SIGSTOP/SIGCONT: {r:?} after {took:?}; signaller {sent:?}");
        assert_eq!(sent.delivered, 2, "SIGSTOP and SIGCONT were delivered");
        assert_eq!(
            sent.seen,
            [Seen::stopped_in(libc::SYS_ioctl)],
            "the stop landed while the thread waited in SG_IO's ioctl()"
        );
        r.expect("no EINTR reaches the caller: the kernel restarted the ioctl");
        assert!(
            hdr.status == 0 || hdr.status == 2,
            "status {:#x}",
            hdr.status
        );
        assert!(
            took >= Duration::from_millis(2800),
            "the reissued command ran its delay again: {took:?}"
        );
    });
    assert_eq!(count, 2, "the device received the TUR twice");
}

#[test]
fn scsi_debug_execute_across_a_stop_signal_runs_the_command_once() {
    let devices = Devices::from_env();
    let count = scsi::count_commands(&devices, &devices.sg, 500, || {
        let mut dev = scsi::open(&devices.sg);
        let tur = Command::new(&scsi::TEST_UNIT_READY).timeout(Timeout::from_secs(30).unwrap());
        let signaller = one_stop();
        let r = dev
            .execute(&tur, Data::None)
            .expect("execute across SIGSTOP/SIGCONT");
        stopped_in_read(signaller);
        assert!(r.is_good() || r.status == 2, "{r:?}");
    });
    assert_eq!(count, 1, "the device received the TUR once");
}

#[test]
fn scsi_debug_submit_and_wait_across_a_stop_signal_runs_the_command_once() {
    let devices = Devices::from_env();
    let count = scsi::count_commands(&devices, &devices.sg, 500, || {
        let mut dev = scsi::open(&devices.sg);
        let tur = Command::new(&scsi::TEST_UNIT_READY).timeout(Timeout::from_secs(30).unwrap());
        let signaller = one_stop();
        let id = dev.submit(&tur, Data::None).expect("submit");
        let r = dev.wait(id).expect("wait across SIGSTOP/SIGCONT");
        stopped_in_read(signaller);
        assert!(r.is_good() || r.status == 2, "{r:?}");
    });
    assert_eq!(count, 1, "the device received the TUR once");
}
