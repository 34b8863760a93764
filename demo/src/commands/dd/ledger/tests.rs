//! The ledger's rules (the module doc of `ledger.rs`), on the host: what counts in and out,
//! which failure is kept, what a transfer collected after a failure does, the blocks left
//! and the exit status chosen. How the copy loops call these is proven in the guest
//! (`cli_dd_counts`).

use std::io;

use sgmap_core::status::{ExitCategory, Outcome};

use super::Ledger;
use crate::commands::dd::plan::{Operands, Plan, Records};
use crate::signals::Caught;

/// 64 blocks of 512 bytes, 8 a transfer.
const PLAN: Plan = Plan {
    bs: 512,
    bpt: 8,
    count: Some(64),
    skip: 0,
    seek: 0,
    out_room: None,
};

/// The one place a test builds a ledger.
fn ledger(ops: &Operands) -> Ledger<'_> {
    Ledger::new(ops, PLAN, PLAN.bpt, Caught::none())
}

fn records(full: u64, partial: u64) -> Records {
    Records { full, partial }
}

/// The exit status `finish` chooses.
fn exit_status(ledger: Ledger<'_>) -> u8 {
    match ledger.finish("in", "out") {
        Ok(()) => 0,
        Err(f) => f.code,
    }
}

/// The category of a completion with host status `host` and no sense.
fn host(host: u16) -> ExitCategory {
    Outcome::from_parts(0, host, 0, &[]).category()
}

#[test]
fn whole_blocks_and_a_partial_one_count_in_and_out_apart() {
    let ops = Operands::default();
    let mut l = ledger(&ops);
    l.count_in(8, false);
    l.count_in(3, true);
    l.count_out(8, false);
    assert_eq!((l.rin, l.rout), (records(11, 1), records(8, 0)));
    l.count_out(3, true);
    assert_eq!(l.rout, records(11, 1));
}

#[test]
fn a_short_file_write_counts_its_whole_blocks_out_and_a_partial_one_for_the_rest() {
    let ops = Operands::default();
    let mut l = ledger(&ops);
    l.count_written(1300, 512);
    assert_eq!((l.rout, l.bytes), (records(2, 1), 1300));
    l.count_written(1024, 512);
    assert_eq!((l.rout, l.bytes), (records(4, 1), 2324));
    l.count_written(0, 512);
    assert_eq!(l.rout, records(4, 1), "nothing written counts nothing");
}

#[test]
fn the_first_failure_is_kept_and_later_ones_change_nothing() {
    let ops = Operands::default();
    let mut l = ledger(&ops);
    assert!(!l.failed() && l.failure_code().is_none());
    l.fail(
        ExitCategory::MediumHard,
        "/dev/sg1",
        "READ".into(),
        Some(200),
    );
    l.fail(ExitCategory::Other, "/dev/sg2", "WRITE".into(), Some(300));
    l.fail_io("out", "write", io::Error::other("later"), Some(9));
    let f = l.failure.as_ref().expect("a failure");
    assert_eq!(
        (f.code, f.message.as_str(), f.lba),
        (3, "/dev/sg1: READ", Some(200))
    );
    assert_eq!(l.failure_code(), Some(3));
    assert_eq!(exit_status(l), 3);
}

#[test]
fn a_closed_standard_output_ends_with_141_unless_a_failure_came_first() {
    let ops = Operands::default();
    let pipe = || io::Error::from(io::ErrorKind::BrokenPipe);
    let mut l = ledger(&ops);
    l.fail_io("-", "write", pipe(), Some(4));
    assert_eq!(l.failure_code(), Some(141));
    l.fail(ExitCategory::MediumHard, "/dev/sg1", "READ".into(), Some(5));
    assert_eq!(l.failure_code(), Some(141), "the closed output came first");
    let mut l = ledger(&ops);
    l.fail(ExitCategory::MediumHard, "/dev/sg1", "READ".into(), Some(5));
    l.fail_io("-", "write", pipe(), Some(4));
    assert_eq!(l.failure_code(), Some(3), "the medium error came first");
}

#[test]
fn a_file_error_ends_with_99_and_names_its_block() {
    let ops = Operands::default();
    let mut l = ledger(&ops);
    l.fail_io("out.bin", "write", io::Error::other("disk full"), Some(7));
    let f = l.failure.as_ref().expect("a failure");
    assert_eq!((f.code, f.lba), (99, Some(7)));
    assert!(
        f.message.starts_with("out.bin: write at block 7: "),
        "{}",
        f.message
    );
}

#[test]
fn after_a_failure_reads_collected_are_dropped_and_writes_still_count() {
    let ops = Operands::default();
    let mut l = ledger(&ops);
    assert!(l.uses_collected(false) && l.uses_collected(true));
    l.fail(
        ExitCategory::MediumHard,
        "/dev/sg1",
        "READ".into(),
        Some(200),
    );
    assert!(!l.uses_collected(false), "a READ in flight is dropped");
    assert!(l.uses_collected(true), "a WRITE in flight is on the output");
}

#[test]
fn after_a_stop_signal_what_is_in_flight_is_still_used_but_nothing_new_starts() {
    let ops = Operands::default();
    let mut l = ledger(&ops);
    assert!(!l.stopping());
    l.interrupted = true;
    assert!(l.stopping() && !l.failed());
    assert!(l.uses_collected(false) && l.uses_collected(true));
    let mut l = ledger(&ops);
    l.fail(ExitCategory::Other, "in", "read".into(), None);
    assert!(l.stopping(), "nor after a failure");
}

#[test]
fn the_blocks_left_are_told_only_when_a_failure_or_a_stop_ended_the_copy() {
    let ops = Operands::default();
    let mut l = ledger(&ops);
    l.count_out(16, false);
    l.skipped = 8;
    assert_eq!(l.remaining(), None, "still copying");
    l.interrupted = true;
    assert_eq!(l.remaining(), Some(40), "64 less 16 out and 8 passed over");
    let mut l = ledger(&ops);
    l.count_out(64, false);
    l.fail(ExitCategory::Other, "out", "flush".into(), None);
    assert_eq!(l.remaining(), None, "nothing left");
}

#[test]
fn a_clean_copy_exits_0() {
    let ops = Operands::default();
    let mut l = ledger(&ops);
    l.count_in(64, false);
    l.count_out(64, false);
    assert_eq!(exit_status(l), 0);
}

#[test]
fn a_stop_signal_without_a_failure_exits_128_and_the_signal() {
    let ops = Operands::default();
    let mut l = ledger(&ops);
    l.interrupted = true;
    assert_eq!(exit_status(l), 130, "SIGINT's when no number was taken");
}

#[test]
fn a_failure_outranks_a_stop_signal() {
    let ops = Operands::default();
    let mut l = ledger(&ops);
    l.interrupted = true;
    l.fail(host(0x07), "/dev/sg1", "READ".into(), Some(1));
    assert_eq!(exit_status(l), 99);
}

#[test]
fn a_removal_ends_with_69_whatever_failure_or_signal_came_first() {
    let ops = Operands::default();
    for first in [
        ExitCategory::MediumHard,
        ExitCategory::Timeout,
        ExitCategory::Other,
        ExitCategory::OsError(5),
    ] {
        let mut l = ledger(&ops);
        l.fail(first, "/dev/sg1", "READ".into(), Some(1));
        l.interrupted = true;
        l.removed = Some("/dev/sg1".into());
        assert_eq!(exit_status(l), 69, "{first:?} first");
    }
    let mut l = ledger(&ops);
    l.removed = Some("/dev/sg1".into());
    assert_eq!(exit_status(l), 69, "no failure recorded");
}

#[test]
fn a_failure_a_removal_may_show_first_is_looked_at_for_a_second_a_device_answer_once() {
    let ops = Operands::default();
    assert_eq!(ledger(&ops).removal_window_ms(), None, "no failure");
    let may_be_removal = [
        ("DID_NO_CONNECT", host(0x01)),
        ("DID_BUS_BUSY", host(0x02)),
        ("DID_TIME_OUT", host(0x03)),
        ("DID_BAD_TARGET", host(0x04)),
        ("DID_ABORT", host(0x05)),
        ("DID_ERROR", host(0x07)),
        ("DID_TRANSPORT_DISRUPTED", host(0x0e)),
        (
            "DRIVER_TIMEOUT",
            Outcome::from_parts(0, 0, 6, &[]).category(),
        ),
        ("ENODEV", ExitCategory::OsError(19)),
        ("EIO", ExitCategory::OsError(5)),
        ("a wait that timed out", ExitCategory::Timeout),
    ];
    for (what, category) in may_be_removal {
        let mut l = ledger(&ops);
        l.fail(category, "/dev/sg1", what.into(), Some(1));
        assert_eq!(l.removal_window_ms(), Some(1000), "{what}: {category:?}");
    }
    let answers = [
        ExitCategory::NotReady,
        ExitCategory::MediumHard,
        ExitCategory::IllegalRequest,
        ExitCategory::UnitAttention,
        ExitCategory::DataProtect,
        ExitCategory::AbortedCommand,
        ExitCategory::Miscompare,
        ExitCategory::LbaOutOfRange,
    ];
    for category in answers {
        let mut l = ledger(&ops);
        l.fail(category, "/dev/sg1", "READ".into(), Some(1));
        assert_eq!(l.removal_window_ms(), Some(0), "{category:?}");
    }
}
