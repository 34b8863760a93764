//! Exactly once: every command that sgmap-sys sends reaches the device once, counted at the
//! device (`iorequest_cnt`), whatever happens to the sending process meanwhile — repeated
//! stops (`SIGSTOP`, `SIGTSTP`), a signal handler with or without `SA_RESTART` — and the
//! mapped reserve is never handed out while the kernel may still write it. Beside each, what
//! `ioctl(SG_IO)` itself does in the same situation, which is why sgmap-sys does not use it.

use std::time::Duration;

use rustix::io::Errno;
use sgmap_sys::{raw, Command, Data, Device, Timeout};
use sgmap_tests::scsi::{self, lba_of};
use sgmap_tests::signal::{self, Handler, Seen};
use sgmap_tests::Devices;

/// This file's region of the disk: 9 MiB in.
const REGION: u64 = 9 << 20;
const LEN: u32 = 8192;

/// 100 jiffies: 0.4 s a command at HZ=250.
const SLOW: u32 = 100;

fn mapped(devices: &Devices) -> Device {
    let mut dev = scsi::open(&devices.sg);
    dev.set_reserved_size(u64::from(LEN)).expect("reserve");
    dev.map().expect("map");
    dev
}

fn read_cmd(devices: &Devices) -> [u8; 10] {
    scsi::read10(
        lba_of(devices, REGION),
        scsi::blocks_of(devices, LEN as usize),
    )
}

/// After a call returned: nothing of this file is in flight, in the accounting or in the
/// kernel's table, and so the mapping may be read.
#[track_caller]
fn nothing_in_flight(dev: &Device, what: &str) {
    assert_eq!(dev.accounting().in_flight(), 0, "{what}: accounting");
    let table = dev.request_table().expect("SG_GET_REQUEST_TABLE");
    assert!(
        table.iter().all(|r| r.req_state != 1),
        "{what}: the kernel still runs a request of this file: {table:?}"
    );
    dev.mapping().expect("the mapping is the caller's again");
}

#[test]
fn scsi_debug_execute_across_repeated_stops_reaches_the_device_once_per_call() {
    let devices = Devices::from_env();
    const CALLS: u64 = 8;
    let count = scsi::count_commands(&devices, &devices.sg, SLOW, || {
        let mut dev = mapped(&devices);
        let cdb = read_cmd(&devices);
        let cmd = Command::new(&cdb).timeout(Timeout::from_secs(60).unwrap());
        // Runs 150 ms, stopped 250 ms, ten times: most commands see one stop or more.
        let signaller = signal::send_to_me(signal::stop_cycles(
            Duration::from_millis(100),
            Duration::from_millis(150),
            Duration::from_millis(250),
            10,
        ));
        for i in 0..CALLS {
            let r = dev
                .execute(&cmd, Data::MmapIn(LEN))
                .unwrap_or_else(|e| panic!("call {i}: {e}"));
            scsi::expect_good(&r, "mmap READ across stops");
            assert_eq!(dev.valid_data().expect("valid data").len(), LEN as usize);
            nothing_in_flight(&dev, "after execute");
        }
        assert_eq!(
            signaller.join(),
            20,
            "every SIGSTOP/SIGTSTP and SIGCONT arrived"
        );
    });
    assert_eq!(count, CALLS, "one READ at the device per execute");
}

#[test]
fn scsi_debug_sg_io_with_an_sa_restart_handler_is_reissued_at_every_signal() {
    let devices = Devices::from_env();
    let count = scsi::count_commands(&devices, &devices.sg, SLOW, || {
        let fd = scsi::raw_open(&devices.sg);
        let handler = Handler::install(true, 3);
        let mut hdr = scsi::raw_tur();
        // SAFETY: a request without data or sense buffer on the test's own file.
        let r = unsafe { raw::sg_io(&fd, &mut hdr) };
        let hits = handler.finish();
        println!("SG_IO with an SA_RESTART handler: {r:?}, handler ran {hits} times");
        r.expect("SA_RESTART: the kernel restarts the ioctl, no EINTR");
        assert!(hits > 0, "the handler ran");
    });
    assert!(
        count >= 2,
        "the kernel sent the TUR again after each restart: {count} at the device"
    );
}

#[test]
fn scsi_debug_sg_io_with_a_handler_without_sa_restart_returns_eintr_and_the_command_runs_on() {
    let devices = Devices::from_env();
    let count = scsi::count_commands(&devices, &devices.sg, SLOW, || {
        let fd = scsi::raw_open(&devices.sg);
        let handler = Handler::install(false, 3);
        let mut hdr = scsi::raw_tur();
        // SAFETY: as above.
        let r = unsafe { raw::sg_io(&fd, &mut hdr) };
        let hits = handler.finish();
        assert!(hits > 0, "the handler ran");
        assert_eq!(
            r,
            Err(Errno::INTR),
            "EINTR: the outcome is unknown to the caller"
        );
    });
    assert_eq!(count, 1, "the orphaned TUR still reached the device, once");
}

fn execute_under_handler(restart: bool) {
    let devices = Devices::from_env();
    let count = scsi::count_commands(&devices, &devices.sg, SLOW, || {
        let mut dev = mapped(&devices);
        let cdb = read_cmd(&devices);
        let cmd = Command::new(&cdb).timeout(Timeout::from_secs(60).unwrap());
        let handler = Handler::install(restart, 12);
        let mut results = Vec::new();
        for _ in 0..3 {
            results.push(dev.execute(&cmd, Data::MmapIn(LEN)));
        }
        let hits = handler.finish();
        assert!(hits >= 3, "the handler ran during the commands: {hits}");
        for r in results {
            let r = r.expect("execute is not interrupted by a handler");
            scsi::expect_good(&r, "mmap READ under a signal handler");
        }
        nothing_in_flight(&dev, "after execute");
    });
    assert_eq!(count, 3, "one READ at the device per execute");
}

#[test]
fn scsi_debug_execute_with_an_sa_restart_handler_reaches_the_device_once_per_call() {
    execute_under_handler(true);
}

#[test]
fn scsi_debug_execute_with_a_handler_without_sa_restart_reaches_the_device_once_per_call() {
    execute_under_handler(false);
}

/// 50 jiffies: 0.2 s a command at HZ=250, long enough for the signals below to land in its
/// `read()`.
const SLOW_KIND: u32 = 50;
/// Calls of each kind.
const KIND_CALLS: u64 = 2;

/// Runs [`KIND_CALLS`] commands of each kind of data that no reserve guards, in turn — none
/// (TEST UNIT READY), data-out from the caller's buffer (WRITE(10)), data-in to the
/// caller's buffer (READ(10), which must read back what the WRITE wrote) — and returns for
/// each kind its name, the commands the device counted during its calls, and what
/// `after_kind` said after them. The tests above use mmap-ed data, whose re-sent request
/// the kernel would refuse (EBUSY: the first one holds the reserve); a re-sent request of
/// these kinds would reach the device.
fn each_unmapped_kind<T>(
    devices: &Devices,
    mut after_kind: impl FnMut() -> T,
) -> Vec<(&'static str, u64, T)> {
    let mut dev = scsi::open(&devices.sg);
    let timeout = Timeout::from_secs(60).unwrap();
    let data = scsi::pattern(7, LEN as usize);
    let write = scsi::write10(
        lba_of(devices, REGION),
        scsi::blocks_of(devices, LEN as usize),
    );
    let read = read_cmd(devices);
    let mut counted = Vec::new();
    for kind in ["no data", "data-out", "data-in"] {
        let before = scsi::iorequest_count(&devices.sg);
        for i in 0..KIND_CALLS {
            let what = format!("{kind}, call {i}");
            let mut buf = vec![0u8; LEN as usize];
            let r = match kind {
                "no data" => dev.execute(
                    &Command::new(&scsi::TEST_UNIT_READY).timeout(timeout),
                    Data::None,
                ),
                "data-out" => dev.execute(&Command::new(&write).timeout(timeout), Data::Out(&data)),
                _ => dev.execute(&Command::new(&read).timeout(timeout), Data::In(&mut buf)),
            };
            let r = r.unwrap_or_else(|e| panic!("{what}: {e}"));
            scsi::expect_good(&r, &what);
            if kind == "data-in" {
                assert!(buf == data, "{what}: not the data the WRITEs wrote");
            }
            assert_eq!(dev.accounting().in_flight(), 0, "{what}: accounting");
        }
        let count = scsi::iorequest_count(&devices.sg) - before;
        counted.push((kind, count, after_kind()));
    }
    counted
}

#[test]
fn scsi_debug_execute_of_each_unmapped_data_kind_with_a_handler_without_sa_restart_reaches_the_device_once_per_call(
) {
    let devices = Devices::from_env();
    let total = scsi::count_commands(&devices, &devices.sg, SLOW_KIND, || {
        let handler = Handler::install(false, 100);
        let mut seen = 0;
        let counted = each_unmapped_kind(&devices, || {
            let hits = handler.hits();
            let during = hits - seen;
            seen = hits;
            during
        });
        let _ = handler.finish();
        println!("(kind, at the device, signals handled): {counted:?}");
        assert!(
            counted.iter().all(|&(_, _, hits)| hits > 0),
            "the handler ran during each kind's calls: {counted:?}"
        );
        assert!(
            counted.iter().all(|&(_, count, _)| count == KIND_CALLS),
            "{KIND_CALLS} commands at the device of each kind, one per execute: {counted:?}"
        );
    });
    assert_eq!(
        total,
        3 * KIND_CALLS,
        "no command of another test meanwhile"
    );
}

#[test]
fn scsi_debug_execute_of_each_unmapped_data_kind_across_repeated_stops_reaches_the_device_once_per_call(
) {
    let devices = Devices::from_env();
    let total = scsi::count_commands(&devices, &devices.sg, SLOW_KIND, || {
        // Stopped 150 ms every 250 ms, six times: each kind's 0.4 s of commands meets one.
        let signaller = signal::send_to_me(signal::stop_cycles(
            Duration::from_millis(50),
            Duration::from_millis(100),
            Duration::from_millis(150),
            6,
        ));
        let counted = each_unmapped_kind(&devices, || ());
        let report = signaller.report();
        assert_eq!(report.delivered, 12, "every stop and SIGCONT arrived");
        let in_read = report
            .seen
            .iter()
            .filter(|s| **s == Seen::stopped_in(libc::SYS_read))
            .count();
        println!("stops seen in read(): {in_read} of {:?}", report.seen);
        assert!(in_read > 0, "a stop landed in a read(): {:?}", report.seen);
        assert!(
            counted.iter().all(|&(_, count, ())| count == KIND_CALLS),
            "{KIND_CALLS} commands at the device of each kind, one per execute: {counted:?}"
        );
    });
    assert_eq!(
        total,
        3 * KIND_CALLS,
        "no command of another test meanwhile"
    );
}

#[test]
fn scsi_debug_collect_interrupted_by_a_handler_loses_nothing() {
    let devices = Devices::from_env();
    let count = scsi::count_commands(&devices, &devices.sg, SLOW, || {
        let mut dev = mapped(&devices);
        let cdb = read_cmd(&devices);
        let id = dev
            .submit(&Command::new(&cdb), Data::MmapIn(LEN))
            .expect("submit");
        let handler = Handler::install(false, 4);
        let mut interrupted = 0;
        let r = loop {
            match dev.collect(Some(id)) {
                Err(e) if e.kind() == sgmap_sys::ErrorKind::Interrupted => {
                    // What io::ErrorKind says too: retrying is right.
                    assert_eq!(
                        std::io::Error::from(e).kind(),
                        std::io::ErrorKind::Interrupted
                    );
                    interrupted += 1;
                }
                other => break other.expect("collect"),
            }
        };
        let _ = handler.finish();
        assert!(interrupted > 0, "a handler interrupted the blocking read()");
        scsi::expect_good(&r, "mmap READ collected after EINTR");
        nothing_in_flight(&dev, "after collect");
    });
    assert_eq!(count, 1, "the READ reached the device once");
}

#[test]
fn scsi_debug_drop_and_close_wait_no_longer_than_the_requests_timeouts() {
    let devices = Devices::from_env();
    let sdebug = devices.scsi_debug();
    let tur = Command::new(&scsi::TEST_UNIT_READY).timeout(Timeout::from_millis(1000).unwrap());
    let _ignore_every_command = sdebug.inject(0x4, 1); // SDEBUG_OPT_TIMEOUT, every_nth=1
    let mut dev = scsi::open(&devices.sg);
    dev.submit(&tur, Data::None).expect("submit");
    let start = std::time::Instant::now();
    let r = dev.close();
    let took = start.elapsed();
    println!("close with an unanswered TUR (timeout 1 s): {r:?} after {took:?}");
    assert!(
        took < Duration::from_millis(1000 + 1500),
        "close waited past the request's timeout: {took:?}"
    );
    if let Err(e) = r {
        assert_eq!(e.kind(), sgmap_sys::ErrorKind::TimedOut, "{e}");
    }
    let mut dev = scsi::open(&devices.sg);
    dev.submit(&tur, Data::None).expect("submit");
    let start = std::time::Instant::now();
    drop(dev);
    let took = start.elapsed();
    assert!(
        took < Duration::from_millis(1000 + 1500),
        "drop waited past the request's timeout: {took:?}"
    );
}
