//! dd's ledger: the counts, the first failure, the signal state and progress of one copy,
//! and the final report. Every path of the copy (the sg side, the file side, sync and
//! verify) reports to it, and nothing else counts.
//!
//! Counting rules: blocks count "in" when their data was valid and is used, "out" when they
//! reached the output. After a failure no new transfer starts and nothing read later is
//! written: READs still in flight are collected and dropped (neither in nor out), WRITEs in
//! flight are collected and count out when they succeeded, since their blocks are on the
//! output. A failed READ therefore leaves the counts on one contiguous prefix of the copy,
//! at any qd: a rerun with `skip`/`seek` advanced by the "out" count resumes it. A failed
//! WRITE at qd > 1 may have later WRITEs that succeeded: they count too, and the output
//! holds them past the hole.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::time::Instant;

use sgmap_core::status::ExitCategory;
use sgmap_sys::Response;

use super::plan::{self, Estimate, Operands, Plan, Records};
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use crate::shared::dev;
use crate::signals::{Caught, Pending};

/// Seconds between progress reports.
const PROGRESS_EVERY_US: u64 = 2_000_000;

/// `progress=1`: the clock is read every this many transfer boundaries at first; the
/// number then doubles while a read finds less than [`CLOCK_MIN_US`] passed since the last,
/// and halves while it finds more than [`CLOCK_MAX_US`] (down to every boundary), so that a
/// fast copy reads it a few times a second and not per transfer (where no vDSO clock is
/// there, as in many guests, each read is a system call costing as much as a command's).
const CLOCK_FIRST_EVERY: u32 = 1;
/// See [`CLOCK_FIRST_EVERY`].
const CLOCK_MIN_US: u64 = 50_000;
/// See [`CLOCK_FIRST_EVERY`].
const CLOCK_MAX_US: u64 = 200_000;
/// The most transfers between two clock reads.
const CLOCK_MOST_EVERY: u32 = 1 << 16;

/// The first failure of a copy.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The exit status: the category's, or 141 for a closed standard output.
    pub code: u8,
    /// The message as printed (without `sgmap: `).
    pub message: String,
    /// The LBA (or block number of a file) where it happened.
    pub lba: Option<u64>,
}

/// State shared by every copy loop: counts, the first failure, signals and progress.
#[derive(Debug)]
pub struct Ledger<'a> {
    /// The operands.
    pub ops: &'a Operands,
    /// The plan.
    pub plan: Plan,
    /// Blocks per transfer in force (after any reduction).
    pub bpt: u32,
    /// The bpt asked for, when it was reduced.
    pub bpt_asked: Option<u32>,
    /// Records in.
    pub rin: Records,
    /// Records out.
    pub rout: Records,
    /// Blocks done without reaching the output: skipped by `oflag=sparse`, or a WRITE
    /// failure passed over by `oflag=coe` (sg_dd counts them done, not out).
    pub skipped: u64,
    /// `oflag=sparse`: the blocks it skipped (sg_dd's "bypassed records out").
    pub sparse: Option<u64>,
    /// Commands that ended with RECOVERED ERROR (their data used, as sg_dd does).
    pub recovered: u64,
    /// `retries=N`: commands sent again.
    pub retries: u64,
    /// sg_dd `--verify`: VERIFY commands that reported MISCOMPARE.
    pub miscompares: u64,
    /// Commands that failed for good (passed over with coe, or the one that stopped
    /// the copy).
    pub unrecovered: u64,
    /// The device of an sg side disappeared: the copy ends with 69 (ENODEV) whatever the
    /// moment and the errors it met.
    pub removed: Option<String>,
    /// The first failure.
    pub failure: Option<Failure>,
    /// SIGINT, SIGTERM, SIGQUIT or SIGHUP seen: no new transfers.
    pub interrupted: bool,
    /// The number of the stop signal, for the exit status (128 + it).
    stop_signal: Option<i32>,
    /// verify=1 result: `Some(true)` when it compared equal.
    pub verified: Option<bool>,
    /// Bytes of input data written (a partial last block counts its bytes only).
    pub bytes: u64,
    start: Instant,
    last_report_us: u64,
    /// `progress=1`: transfer boundaries between clock reads, those left before the next,
    /// and the time of the last.
    clock_every: u32,
    clock_left: u32,
    last_clock_us: u64,
    tty: bool,
    signals: Caught,
    progress_shown: bool,
}

impl<'a> Ledger<'a> {
    /// A ledger about to start.
    pub fn new(ops: &'a Operands, plan: Plan, bpt: u32, signals: Caught) -> Ledger<'a> {
        Ledger {
            ops,
            plan,
            bpt,
            bpt_asked: (bpt != plan.bpt).then_some(plan.bpt),
            rin: Records::default(),
            rout: Records::default(),
            skipped: 0,
            sparse: ops.oflag.sparse.then_some(0),
            recovered: 0,
            retries: 0,
            unrecovered: 0,
            miscompares: 0,
            removed: None,
            failure: None,
            interrupted: false,
            stop_signal: None,
            verified: None,
            bytes: 0,
            start: Instant::now(),
            last_report_us: 0,
            clock_every: CLOCK_FIRST_EVERY,
            clock_left: CLOCK_FIRST_EVERY,
            last_clock_us: 0,
            tty: std::io::stderr().is_terminal(),
            signals,
            progress_shown: false,
        }
    }

    /// Whether the copy is stopping: a failure (nothing more is written) or SIGINT (what
    /// is in flight is still written).
    pub fn failed(&self) -> bool {
        self.failure.is_some()
    }

    /// The exit status of the first failure, if any.
    pub fn failure_code(&self) -> Option<u8> {
        self.failure.as_ref().map(|f| f.code)
    }

    /// Whether no new transfer may start.
    pub fn stopping(&self) -> bool {
        self.failure.is_some() || self.interrupted
    }

    /// Whether a transfer collected now is used and counted: a WRITE always (its blocks
    /// are on the output), a READ only while the copy has not failed (nothing read after a
    /// failure is written: it is dropped, neither in nor out).
    pub fn uses_collected(&self, write: bool) -> bool {
        write || self.failure.is_none()
    }

    /// How long to look at the sg sides' sysfs state for a removal under way after the
    /// first failure (`None` before one): up to a second after a failure of the transport
    /// or the system, which is how a removal may show first (33: a timeout,
    /// DID_NO_CONNECT; 99: DID_ERROR and the other host and driver statuses; 50 and up: an
    /// errno), and once after an answer of the device itself (a sense category).
    pub fn removal_window_ms(&self) -> Option<u64> {
        let code = self.failure_code()?;
        Some(if code == 33 || code >= 50 { 1000 } else { 0 })
    }

    /// Records the first failure and prints it; later ones are printed only.
    pub fn fail(
        &mut self,
        category: ExitCategory,
        subject: &str,
        message: String,
        lba: Option<u64>,
    ) {
        self.clear_progress_line();
        out::diag(subject, "", format_args!("{message}"));
        if self.failure.is_none() {
            self.failure = Some(Failure {
                code: category.code(),
                message: format!("{subject}: {message}"),
                lba,
            });
        }
    }

    /// Records an `io::Error` of a file side during the copy: exit status 99, as sg_dd
    /// ends after a failed `read(2)` or `write(2)` (its `-1`), the errno's text in the
    /// message. A reader that closed standard output ends the copy quietly with 141, as
    /// SIGPIPE ends sg3_utils' tools; the counts are still reported.
    pub fn fail_io(&mut self, subject: &str, what: &str, e: std::io::Error, lba: Option<u64>) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            if self.failure.is_none() {
                self.failure = Some(Failure {
                    code: out::BROKEN_PIPE_STATUS,
                    message: format!("{subject}: {what}: {}", out::IoWhy(&e)),
                    lba,
                });
            }
            return;
        }
        let message = match lba {
            Some(lba) => format!("{what} at block {lba}: {}", out::IoWhy(&e)),
            None => format!("{what}: {}", out::IoWhy(&e)),
        };
        self.fail(ExitCategory::Other, subject, message, lba);
    }

    /// Records an error of the device layer (its message names the device).
    pub fn fail_sys(&mut self, e: sgmap_sys::Error, lba: Option<u64>) {
        if e.kind() == sgmap_sys::ErrorKind::DeviceGone && self.removed.is_none() {
            self.removed = Some(e.path().to_owned());
        }
        self.fail(e.category(), "", e.to_string(), lba);
    }

    /// Records a failed SCSI command: what, where, why, and the decoded sense.
    pub fn fail_scsi(&mut self, path: &str, op: &str, lba: u64, blocks: u32, resp: &Response) {
        let msg = format!(
            "{op} at LBA {lba} ({blocks} blocks): {}",
            dev::describe(resp)
        );
        self.fail(resp.category(), path, msg, Some(lba));
        out::err_str(&dev::sense_lines(resp));
    }

    /// `oflag=sparse`: whether transfer `t`, whose data is `data`, is skipped: all zeros
    /// and not the last of a known count (sg_dd always writes the last). A skipped one is
    /// counted as bypassed, not out.
    pub fn sparse_skip(&mut self, t: &plan::Transfer, data: &[u8]) -> bool {
        let Some(bypassed) = self.sparse.as_mut() else {
            return false;
        };
        let last = self
            .plan
            .count
            .is_none_or(|c| t.offset + u64::from(t.blocks) >= c);
        if last || data.iter().any(|&b| b != 0) {
            return false;
        }
        *bypassed += u64::from(t.blocks);
        self.skipped += u64::from(t.blocks);
        true
    }

    /// Counts whole blocks (and a partial one) in.
    pub fn count_in(&mut self, full: u64, partial: bool) {
        self.rin.full += full;
        self.rin.partial += u64::from(partial);
    }

    /// Counts the part of a transfer that a file took before its write failed: `bytes`
    /// of blocks of `bs` (as sgm_dd counts a short write).
    pub fn count_written(&mut self, bytes: usize, bs: usize) {
        self.count_out((bytes / bs) as u64, !bytes.is_multiple_of(bs));
        self.bytes += bytes as u64;
    }

    /// Counts whole blocks (and a partial one) out.
    pub fn count_out(&mut self, full: u64, partial: bool) {
        self.rout.full += full;
        self.rout.partial += u64::from(partial);
    }

    /// Between transfers, in every phase (copy, sync, verify): takes the stop signals and
    /// SIGUSR1 caught meanwhile, and with `progress=1` prints progress when due. No system
    /// call, but for the clock read that `progress=1` makes every so many calls (see
    /// [`CLOCK_FIRST_EVERY`]) and the progress line itself.
    pub fn tick(&mut self) {
        self.take_signals();
        if !self.ops.progress {
            return;
        }
        self.clock_left -= 1;
        if self.clock_left > 0 {
            return;
        }
        let now = self.elapsed_us();
        let since = now.saturating_sub(self.last_clock_us);
        self.last_clock_us = now;
        if since < CLOCK_MIN_US {
            self.clock_every = (self.clock_every * 2).min(CLOCK_MOST_EVERY);
        } else if since > CLOCK_MAX_US {
            self.clock_every = (self.clock_every / 2).max(1);
        }
        self.clock_left = self.clock_every;
        if now.saturating_sub(self.last_report_us) >= PROGRESS_EVERY_US {
            self.last_report_us = now;
            self.progress_line();
        }
    }

    /// Takes every stop signal and SIGUSR1 caught since the last look.
    fn take_signals(&mut self) {
        while let Some(sig) = self.signals.take() {
            match sig {
                Pending::Stop(n) => {
                    self.interrupted = true;
                    self.stop_signal.get_or_insert(n);
                }
                Pending::Report => self.report_now(),
            }
        }
    }

    fn elapsed_us(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    fn done_blocks(&self) -> u64 {
        self.rout.full + self.rout.partial + self.skipped
    }

    /// The progress line: percent done and time left, or blocks and rate when the total
    /// is unknown.
    fn progress_text(&self) -> String {
        let us = self.elapsed_us();
        let done = self.done_blocks();
        let bytes = done.saturating_mul(u64::from(self.plan.bs));
        let rate = out::Centi(out::rate_centi_mb(bytes, us));
        match self.plan.count {
            Some(total) => {
                let Estimate {
                    permille,
                    secs_left,
                } = plan::estimate(done, total, us);
                let left = match secs_left {
                    Some(s) => format!("about {s} s left"),
                    None => "time left unknown".to_owned(),
                };
                format!(
                    "dd: {}.{}% done, {left} ({done} of {total} blocks, {rate} MB/sec)",
                    permille / 10,
                    permille % 10
                )
            }
            None => format!("dd: {done} blocks copied ({rate} MB/sec)"),
        }
    }

    fn progress_line(&mut self) {
        let text = self.progress_text();
        if self.tty {
            // One line that updates in place; padded to cover a longer previous one.
            out::err_fmt(format_args!("\r{text:<78}"));
            self.progress_shown = true;
        } else {
            out::err_fmt(format_args!("{text}\n"));
        }
    }

    fn clear_progress_line(&mut self) {
        if self.progress_shown {
            out::err_str("\n");
            self.progress_shown = false;
        }
    }

    /// SIGUSR1: a report like sg_dd's, then the copy goes on.
    fn report_now(&mut self) {
        self.clear_progress_line();
        out::err_fmt(format_args!(
            "Progress report, continuing ...\n{}\n  {} records in\n  {} records out\n",
            self.progress_text(),
            self.rin,
            self.rout
        ));
    }

    /// The blocks not copied, when the count is known and something stopped the copy.
    pub fn remaining(&self) -> Option<u64> {
        let count = self.plan.count?;
        let left = count.saturating_sub(self.done_blocks());
        (left > 0 && (self.failure.is_some() || self.interrupted)).then_some(left)
    }

    /// Prints the final report on stderr (and the JSON object on stdout) and returns the
    /// exit status.
    ///
    /// The signals stay caught until the process exits: one that arrives while or after the
    /// report is printed changes neither the report nor the exit status.
    pub fn finish(mut self, if_name: &str, of_name: &str) -> CmdResult {
        self.take_signals();
        self.clear_progress_line();
        let us = self.elapsed_us();
        let bytes = self.rout.full.saturating_mul(u64::from(self.plan.bs));
        let mut text = String::new();
        let sgp = self.ops.tool == Some(super::tool::Flavor::Sgp);
        if self.ops.time {
            // sgp_dd: "was", and ", N MB/sec"; both leave the rate out below 512 bytes.
            let (was, at) = if sgp { (" was", ",") } else { (":", " at") };
            let _ = write!(text, "time to transfer data{was} {} secs", out::Secs(us));
            if bytes > 511 && us > 10 {
                let _ = write!(
                    text,
                    "{at} {} MB/sec",
                    out::Centi(out::rate_centi_mb(bytes, us))
                );
            }
            text.push('\n');
        }
        if let (true, Some(left)) = (sgp, self.remaining()) {
            let _ = write!(text,
                ">>>> Some error occurred, remaining blocks={left}\n  remaining block count={left}\n"
            );
        } else if let Some(left) = self.remaining() {
            // sgm_dd's words before it: "Some error occurred," after a failure (its
            // main loop), "Interrupted by signal," after a stop (its handler).
            let why = if self.failure.is_some() {
                "Some error occurred,"
            } else {
                "Interrupted by signal,"
            };
            let _ = writeln!(text, "{why}  remaining block count={left}");
        }
        let out_word = if self.ops.compare { "verified" } else { "out" };
        let _ = write!(
            text,
            "{} records in\n{} records {out_word}\n",
            self.rin, self.rout
        );
        // sg_dd's further lines (print_stats()), each when it has something to say.
        if let Some(n) = self.sparse {
            let _ = writeln!(text, "{n} bypassed records out");
        }
        if self.recovered > 0 {
            let _ = writeln!(text, "{} recovered errors", self.recovered);
        }
        if self.retries > 0 {
            let _ = writeln!(text, "{} retries attempted", self.retries);
        }
        if self.unrecovered > 0 {
            let _ = writeln!(text, "{} unrecovered error(s)", self.unrecovered);
            if self.ops.iflag.coe > 0 || self.ops.oflag.coe > 0 {
                // sgmap sends no READ LONG: coe=2 and 3 act as 1.
                text.push_str("0 read_longs fetched part of unrecovered read errors\n");
            }
        }
        if self.miscompares > 0 {
            let _ = writeln!(text, "{} miscompare error(s)", self.miscompares);
        }
        if let Some(path) = &self.removed {
            let _ = writeln!(
                text,
                "sgmap: {path}: the device was removed during the copy"
            );
        }
        out::err_str(&text);
        let code = match (&self.failure, self.interrupted) {
            _ if self.removed.is_some() => ExitCategory::OsError(19).code(),
            (Some(f), _) => f.code,
            (None, true) => 128 + self.stop_signal.unwrap_or(2) as u8,
            (None, false) => 0,
        };
        if self.ops.json {
            let mut j = Json::object();
            j.str("if", if_name)
                .str("of", of_name)
                .u64("bs", u64::from(self.plan.bs))
                .u64("bpt", u64::from(self.bpt))
                .opt_u64("bpt_asked", self.bpt_asked.map(u64::from))
                .u64("qd", u64::from(self.ops.qd))
                .opt_u64("count", self.plan.count)
                .u64("skip", self.plan.skip)
                .u64("seek", self.plan.seek);
            for (key, r) in [("records_in", self.rin), ("records_out", self.rout)] {
                j.begin_object(key)
                    .u64("full", r.full)
                    .u64("partial", r.partial)
                    .end();
            }
            j.u64("bytes", bytes)
                .u64("elapsed_us", us)
                .u64("bytes_per_sec", out::scale(bytes, 1_000_000, us))
                .opt_u64("remaining_blocks", self.remaining())
                .bool("interrupted", self.interrupted)
                .opt_u64("sparse_bypassed", self.sparse)
                .u64("recovered_errors", self.recovered)
                .u64("retries", self.retries)
                .u64("unrecovered_errors", self.unrecovered)
                .bool("removed", self.removed.is_some());
            match self.verified {
                Some(v) => j.bool("verified", v),
                None => j.null("verified"),
            };
            match &self.failure {
                Some(f) => {
                    j.begin_object("error")
                        .u64("category", u64::from(f.code))
                        .str("message", &f.message)
                        .opt_u64("lba", f.lba)
                        .end();
                }
                None => {
                    j.null("error");
                }
            }
            j.u64("exit_status", u64::from(code));
            out::out_str(&j.finish())?;
        }
        // Keep the signals caught to the end: dropping the guard would raise again a stop
        // signal that came meanwhile and kill the process after its report.
        std::mem::forget(self.signals);
        match code {
            0 => Ok(()),
            c => Err(Fail::code(c)),
        }
    }
}

#[cfg(test)]
mod tests;
