//! The copy: opening both sides, the transfer loops, signals, progress, and the final
//! report (`N+M records in/out`, the time, `remaining block count=`, and the JSON object).
//!
//! Counting rules: blocks count "in" when their data was valid and is used, "out" when they
//! reached the output. After a failure no new transfer starts and nothing read later is
//! written: READs still in flight are collected and dropped (neither in nor out), WRITEs in
//! flight are collected and count out when they succeeded, since their blocks are on the
//! output. A failed READ therefore leaves the counts on one contiguous prefix of the copy,
//! at any qd: a rerun with `skip`/`seek` advanced by the "out" count resumes it. A failed
//! WRITE at qd > 1 may have later WRITEs that succeeded: they count too, and the output
//! holds them past the hole.

use std::io::IsTerminal;
use std::time::Instant;

use sgmap_core::status::ExitCategory;

use super::ends::{self, Kind, Sink, Source};
use super::plan::{self, Estimate, Operands, Plan, Records, Schedule};
use super::sg::{self, Output, Reader, SgSide};
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use sgmap_sys::signals::{Blocked, Pending};

/// Seconds between progress reports.
const PROGRESS_EVERY_US: u64 = 2_000_000;

/// How often the copy asks whether a signal is pending: at every transfer boundary once this
/// much time has passed since it last asked (the clock is read through the vDSO; asking is a
/// system call, which sgm_dd does not make per transfer). A stop therefore comes within one
/// transfer or this time, whichever is longer.
const SIGNAL_CHECK_US: u64 = 5_000;

/// The first failure of a copy.
#[derive(Debug, Clone)]
pub struct Failure {
    /// Exit category.
    pub category: ExitCategory,
    /// The message as printed (without `sgmap: `).
    pub message: String,
    /// The LBA (or block number of a file) where it happened.
    pub lba: Option<u64>,
}

/// State shared by every copy loop: counts, the first failure, signals and progress.
#[derive(Debug)]
pub struct Job<'a> {
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
    last_signal_check_us: Option<u64>,
    tty: bool,
    signals: Blocked,
    progress_shown: bool,
}

impl<'a> Job<'a> {
    /// A job about to start.
    pub fn new(ops: &'a Operands, plan: Plan, bpt: u32) -> Job<'a> {
        Job {
            ops,
            plan,
            bpt,
            bpt_asked: (bpt != plan.bpt).then_some(plan.bpt),
            rin: Records::default(),
            rout: Records::default(),
            failure: None,
            interrupted: false,
            stop_signal: None,
            verified: None,
            bytes: 0,
            start: Instant::now(),
            last_report_us: 0,
            last_signal_check_us: None,
            tty: std::io::stderr().is_terminal(),
            signals: Blocked::new(),
            progress_shown: false,
        }
    }

    /// Whether the copy is stopping: a failure (nothing more is written) or SIGINT (what
    /// is in flight is still written).
    pub fn failed(&self) -> bool {
        self.failure.is_some()
    }

    /// Whether no new transfer may start.
    pub fn stopping(&self) -> bool {
        self.failure.is_some() || self.interrupted
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
                category,
                message: format!("{subject}: {message}"),
                lba,
            });
        }
    }

    /// Records an `io::Error` of a file side.
    pub fn fail_io(&mut self, subject: &str, what: &str, e: std::io::Error, lba: Option<u64>) {
        let message = match lba {
            Some(lba) => format!("{what} at block {lba}: {}", out::IoWhy(&e)),
            None => format!("{what}: {}", out::IoWhy(&e)),
        };
        self.fail(out::io_category(&e), subject, message, lba);
    }

    /// Counts whole blocks (and a partial one) in.
    pub fn count_in(&mut self, full: u64, partial: bool) {
        self.rin.full += full;
        self.rin.partial += u64::from(partial);
    }

    /// Counts whole blocks (and a partial one) out.
    pub fn count_out(&mut self, full: u64, partial: bool) {
        self.rout.full += full;
        self.rout.partial += u64::from(partial);
    }

    /// Between transfers, in every phase (copy, sync, verify): takes the pending stop
    /// signals and SIGUSR1 (at most every [`SIGNAL_CHECK_US`]) and prints progress when due.
    pub fn tick(&mut self) {
        let now = self.elapsed_us();
        let due = self
            .last_signal_check_us
            .is_none_or(|last| now.saturating_sub(last) >= SIGNAL_CHECK_US);
        if due {
            self.last_signal_check_us = Some(now);
            self.take_signals();
        }
        if self.ops.progress && now.saturating_sub(self.last_report_us) >= PROGRESS_EVERY_US {
            self.last_report_us = now;
            self.progress_line();
        }
    }

    /// Takes every pending stop signal and SIGUSR1 now.
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
        self.rout.full + self.rout.partial
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
            out::err_str(&format!("\r{text:<78}"));
            self.progress_shown = true;
        } else {
            out::err_str(&format!("{text}\n"));
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
        out::err_str(&format!(
            "Progress report, continuing ...\n{}\n  {} records in\n  {} records out\n",
            self.progress_text(),
            self.rin,
            self.rout
        ));
    }

    /// The blocks not copied, when the count is known and something stopped the copy.
    pub fn remaining(&self) -> Option<u64> {
        let count = self.plan.count?;
        let left = count.saturating_sub(self.rout.full + self.rout.partial);
        (left > 0 && (self.failure.is_some() || self.interrupted)).then_some(left)
    }

    /// Prints the final report on stderr (and the JSON object on stdout) and returns the
    /// exit status.
    ///
    /// The signals stay blocked until the process exits: one that arrives while or after the
    /// report is printed changes neither the report nor the exit status.
    pub fn finish(mut self, if_name: &str, of_name: &str) -> CmdResult {
        self.take_signals();
        self.clear_progress_line();
        let us = self.elapsed_us();
        let bytes = self.rout.full.saturating_mul(u64::from(self.plan.bs));
        let mut text = String::new();
        if self.ops.time {
            text.push_str(&format!(
                "time to transfer data: {} secs at {} MB/sec\n",
                out::Secs(us),
                out::Centi(out::rate_centi_mb(bytes, us))
            ));
        }
        if let Some(left) = self.remaining() {
            // sgm_dd's words before it: "Some error occurred," after a failure (its
            // main loop), "Interrupted by signal," after a stop (its handler).
            let why = if self.failure.is_some() {
                "Some error occurred,"
            } else {
                "Interrupted by signal,"
            };
            text.push_str(&format!("{why}  remaining block count={left}\n"));
        }
        text.push_str(&format!(
            "{} records in\n{} records out\n",
            self.rin, self.rout
        ));
        out::err_str(&text);
        let code = match (&self.failure, self.interrupted) {
            (Some(f), _) => f.category.code(),
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
                .bool("interrupted", self.interrupted);
            match self.verified {
                Some(v) => j.bool("verified", v),
                None => j.null("verified"),
            };
            match &self.failure {
                Some(f) => {
                    j.begin_object("error")
                        .u64("category", u64::from(f.category.code()))
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
        // Keep the signals blocked to the end: dropping the guard would deliver a stop
        // signal that came meanwhile and kill the process after its report.
        std::mem::forget(self.signals);
        match code {
            0 => Ok(()),
            c => Err(Fail::code(c)),
        }
    }
}

/// Opens both sides, plans, copies, and reports.
pub fn run(ops: &Operands) -> CmdResult {
    let if_name = ops.input.as_deref().unwrap_or("-");
    let of_name = ops.output.as_deref().unwrap_or("-");
    let in_kind = ends::classify(if_name, false).map_err(|e| out::io_fail(if_name, "open", e))?;
    let out_kind = ends::classify(of_name, true).map_err(|e| out::io_fail(of_name, "open", e))?;
    if ops.seek > 0 && out_kind == Kind::Std {
        return Err(out::contradict(
            "dd",
            format_args!("seek={} with of=-: standard output cannot seek", ops.seek),
        ));
    }
    if ops.verify && matches!(in_kind, Kind::Stream) {
        return Err(out::contradict(
            "dd",
            format_args!("verify=1 needs an input that can be read again, {if_name} is a stream"),
        ));
    }
    if ops.verify && matches!(out_kind, Kind::Stream) {
        return Err(out::contradict(
            "dd",
            format_args!("verify=1 needs an output that can be read back, {of_name} is a stream"),
        ));
    }
    let extent = |path: &str, kind: Kind| -> Result<plan::Extent, Fail> {
        if kind == Kind::Sg {
            sg::probe(path)
        } else {
            ends::extent(path, kind).map_err(|e| out::io_fail(path, "open", e))
        }
    };
    let in_extent = extent(if_name, in_kind)?;
    let out_extent = extent(of_name, out_kind)?;
    let plan = plan::plan(ops, in_extent, out_extent).map_err(|e| {
        let why = e.describe(if_name, of_name);
        out::fail(super::plan_category(&e), "dd", "", format_args!("{why}"))
    })?;

    // The sg sides: qd files each, reserves for bs × bpt; bpt comes down to what every
    // side was granted.
    let mut bpt = plan.bpt;
    let mut open_sg = |path: &str, kind: Kind| -> Result<Option<SgSide>, Fail> {
        if kind != Kind::Sg {
            return Ok(None);
        }
        let (side, fit) = SgSide::open(path, ops.qd, plan.bs, plan.bpt)?;
        let asked = u64::from(plan.bs) * u64::from(plan.bpt);
        match fit {
            Some(n) if n < plan.bpt => {
                out::diag(
                    path,
                    "reserve",
                    format_args!(
                        "asked for {asked} bytes, the kernel granted {}: bpt reduced from {} to {n}",
                        side.granted(),
                        plan.bpt
                    ),
                );
                bpt = bpt.min(n);
            }
            Some(_) => {}
            None => {
                return Err(out::fail(
                    ExitCategory::OsError(12),
                    path,
                    "reserve",
                    format_args!(
                        "the kernel granted {} bytes, less than one block of bs={}",
                        side.granted(),
                        plan.bs
                    ),
                ))
            }
        }
        Ok(Some(side))
    };
    let mut sg_in = open_sg(if_name, in_kind)?;
    let mut sg_out = open_sg(of_name, out_kind)?;
    if ops.dry_run {
        // As sg_dd: the devices are opened and probed (READ CAPACITY), nothing is read or
        // written, and no output file is created.
        return dry_run(ops, &plan, bpt, if_name, of_name);
    }
    let mut src = match in_kind {
        Kind::Sg => None,
        k => Some(Source::open(if_name, k).map_err(|e| out::io_fail(if_name, "open", e))?),
    };
    let mut sink = match out_kind {
        Kind::Sg => None,
        k => Some(Sink::open(of_name, k).map_err(|e| out::io_fail(of_name, "open", e))?),
    };

    let mut job = Job::new(ops, plan, bpt);
    let qd = ops.qd as usize;
    match (&mut sg_in, &mut sg_out, &mut src, &mut sink) {
        (Some(i), Some(o), _, _) => sg::copy_from_sg(&mut job, i, Output::Sg(o), qd),
        (Some(i), None, _, Some(k)) => sg::copy_from_sg(&mut job, i, Output::Sink(k, of_name), qd),
        (None, Some(o), Some(s), _) => sg::copy_to_sg(&mut job, s, if_name, o),
        (None, None, Some(s), Some(k)) => copy_files(&mut job, s, k, if_name, of_name),
        _ => {}
    }
    // sync=1: SYNCHRONIZE CACHE on an sg output; a block device output is always flushed.
    // What was written is flushed even after a failure or a stop, as sgm_dd does.
    let written = job.rout.full + job.rout.partial > 0;
    if let Some(o) = &mut sg_out {
        if ops.sync && written {
            o.synchronize(&mut job);
        }
    }
    if let Some(k) = &mut sink {
        if let Err(e) = k.finish(ops.sync) {
            job.fail_io(of_name, "flush", e, None);
        }
    }
    // A report or a stop that came during SYNCHRONIZE CACHE.
    job.tick();
    if ops.verify && !job.stopping() {
        let a = match (&mut sg_in, &mut src) {
            (Some(i), _) => Some(Reader::Sg(i)),
            (None, Some(s)) => Some(Reader::Source(s)),
            _ => None,
        };
        let b = match (&mut sg_out, &mut sink) {
            (Some(o), _) => Some(Reader::Sg(o)),
            (None, Some(k)) => Some(Reader::Sink(k)),
            _ => None,
        };
        if let (Some(a), Some(b)) = (a, b) {
            sg::verify(&mut job, a, b, if_name, of_name);
        }
    }
    job.finish(if_name, of_name)
}

/// `--dry-run`: what the copy would do, on stderr (and the JSON object on stdout).
fn dry_run(ops: &Operands, plan: &Plan, bpt: u32, if_name: &str, of_name: &str) -> CmdResult {
    let transfers = plan.count.map(|c| c.div_ceil(u64::from(bpt)));
    let blocks = match plan.count {
        Some(c) => format!("{c} blocks"),
        None => "blocks until the input ends".to_owned(),
    };
    let count = match transfers {
        Some(t) => format!("{t} transfers"),
        None => "transfers".to_owned(),
    };
    out::err_str(&format!(
        "Since --dry-run option given, bypassing copy\n\
         dd: would copy {blocks} of {} bytes from {if_name} (skip={}) to {of_name} (seek={}): \
         {count} of up to {bpt} blocks, qd={}\n",
        plan.bs, plan.skip, plan.seek, ops.qd
    ));
    if ops.json {
        let mut j = Json::object();
        j.bool("dry_run", true)
            .str("if", if_name)
            .str("of", of_name)
            .u64("bs", u64::from(plan.bs))
            .u64("bpt", u64::from(bpt))
            .opt_u64(
                "bpt_asked",
                (bpt != plan.bpt).then_some(u64::from(plan.bpt)),
            )
            .u64("qd", u64::from(ops.qd))
            .opt_u64("count", plan.count)
            .u64("skip", plan.skip)
            .u64("seek", plan.seek)
            .opt_u64("transfers", transfers)
            .u64("exit_status", 0);
        out::out_str(&j.finish())?;
    }
    Ok(())
}

/// Skips `skip` blocks of a stream input by reading them (a file is read at offsets
/// instead); false when the input ended first or failed: nothing is left to copy.
pub fn skip_stream(job: &mut Job<'_>, src: &mut Source, if_name: &str) -> bool {
    if job.plan.skip == 0 || !matches!(src, Source::Stream(_)) {
        return true;
    }
    let want = job.plan.skip * u64::from(job.plan.bs);
    match src.skip_stream(want) {
        Ok(n) if n == want => true,
        Ok(_) => false,
        Err(e) => {
            job.fail_io(if_name, "skip", e, None);
            false
        }
    }
}

/// The number of transfers: the count, or the output's room when the count is unknown.
fn schedule(job: &Job<'_>) -> Schedule {
    Schedule::new(job.plan.count.or(job.plan.out_room), job.bpt)
}

/// After a copy bounded by the output's room: whether the input still has data, which
/// would not fit.
pub fn input_continues(job: &mut Job<'_>, src: &mut Source, if_name: &str, of_name: &str) {
    if job.plan.count.is_some() || job.stopping() || job.rin.partial > 0 {
        return;
    }
    let Some(room) = job.plan.out_room else {
        return;
    };
    let mut probe = [0u8; 1];
    let at = job
        .plan
        .skip
        .saturating_add(room)
        .saturating_mul(u64::from(job.plan.bs));
    if let Ok(1) = src.read(at, &mut probe) {
        job.fail(
            ExitCategory::LbaOutOfRange,
            of_name,
            format!(
                "{if_name} continues past the end of {of_name} ({room} blocks after seek={})",
                job.plan.seek
            ),
            Some(job.plan.seek + room),
        );
    }
}

/// File to file (no sg side): read at most bpt blocks, write them, until done.
fn copy_files(job: &mut Job<'_>, src: &mut Source, sink: &mut Sink, if_name: &str, of_name: &str) {
    let bs = job.plan.bs as usize;
    let mut buf = vec![0u8; bs * job.bpt as usize];
    if !skip_stream(job, src, if_name) {
        return;
    }
    let mut sched = schedule(job);
    loop {
        job.tick();
        if job.stopping() {
            break;
        }
        let Some(t) = sched.next() else {
            break;
        };
        let len = t.blocks as usize * bs;
        let in_block = t.in_lba(&job.plan);
        let n = match src.read(in_block * bs as u64, &mut buf[..len]) {
            Ok(n) => n,
            Err(e) => {
                job.fail_io(if_name, "read", e, Some(in_block));
                break;
            }
        };
        let (full, partial) = ((n / bs) as u64, n % bs != 0);
        job.count_in(full, partial);
        if n > 0 {
            let out_block = t.out_lba(&job.plan);
            if let Err(e) = sink.write(out_block * bs as u64, &buf[..n]) {
                job.fail_io(of_name, "write", e, Some(out_block));
                break;
            }
            job.count_out(full, partial);
            job.bytes += n as u64;
        }
        if n < len {
            break;
        }
    }
    input_continues(job, src, if_name, of_name);
}

/// The index of the first differing byte, or of the end of the shorter slice when the
/// lengths differ.
pub fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(i) => Some(i),
        None if a.len() != b.len() => Some(a.len().min(b.len())),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences() {
        assert_eq!(first_difference(b"abc", b"abc"), None);
        assert_eq!(first_difference(b"abc", b"abd"), Some(2));
        assert_eq!(first_difference(b"abc", b"ab"), Some(2));
        assert_eq!(first_difference(b"", b""), None);
    }
}
