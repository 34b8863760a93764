//! The sg side of dd: READ and WRITE through the mapped reserves of a [`Queue`], `qd`
//! transfers in flight over `qd` files, completions in submission order.
//!
//! # One copy, and why not zero
//!
//! sg→file writes the file straight from the input's mapping, file→sg reads the file
//! straight into the output's mapping: the only copy is the kernel's own `read(2)` or
//! `write(2)`. sg→sg maps both devices and copies each transfer once, from the input's
//! mapping into the output's. That copy is the minimum with two sg files: an mmap-ed request
//! moves data between the device and *its own file's* reserve (sg.c `sg_mmap()`,
//! `sg_start_req()` with `SG_FLAG_MMAP_IO`), and the driver has no way to lend one file's
//! reserve to another file's request. The alternatives only move the copy: an indirect
//! WRITE whose `dxferp` points into the input's mapping has the kernel copy it into the
//! output's reserve (`copy_from_user`), and direct IO cannot pin the mapping's `VM_IO`
//! pages, so it falls back to that same copy. (sgm_dd maps only the input side and
//! writes with an indirect WRITE: the same one copy, made by the kernel.)

use std::collections::VecDeque;

use sgmap_core::cdb::{self, Size, ToCdb as _};
use sgmap_core::sense::Sense;
use sgmap_core::status::ExitCategory;
use sgmap_sys::{Command, Data, OpenOptions, Queue, Response, Timeout};

use super::ends::{Sink, Source};
use super::ledger::Ledger;
use super::plan::{fit_bpt, Extent, Flags, Schedule, Transfer};
use crate::out::{self, Fail};
use crate::shared::capacity;
use crate::shared::dev;

/// sg_dd's exit status when `flock` finds the file locked (`SG_LIB_FLOCK_ERR`).
pub const FLOCK_ERR: u8 = 90;

/// A transfer in flight (or being retried).
#[derive(Debug, Clone, Copy)]
struct Pending {
    /// Where it sits in the copy.
    t: Transfer,
    /// The LBA on this device.
    lba: u64,
    /// Blocks on this device (a padded partial block included).
    blocks: u32,
    /// The last block is a padded partial one (file input).
    partial: bool,
    /// Input bytes it carries (for the verify range).
    bytes: u64,
}

/// A transfer collected: its slot, and for a READ that `coe` pieced together, the data
/// (the mapping then holds only the last piece).
#[derive(Debug)]
struct Done {
    slot: usize,
    p: Pending,
    data: Option<Vec<u8>>,
    /// A WRITE that failed and `oflag=coe` passed over: done, not out.
    bypassed: bool,
}

/// How one side sends its READs and WRITEs: the operands that concern the sg side.
#[derive(Debug, Clone, Copy, Default)]
pub struct SideOptions {
    /// `cdbsz=`: `None` picks (10), or (16) where (10) cannot hold the command.
    pub size: Option<Size>,
    /// The side's `iflag=`/`oflag=`.
    pub flags: Flags,
    /// `retries=`.
    pub retries: u32,
    /// `coe_limit=`.
    pub coe_limit: u32,
    /// sg_dd `--verify` on the output side: VERIFY (BYTCHK=1) instead of WRITE.
    pub verify: bool,
}

impl SideOptions {
    /// The options of one side from the operands.
    pub fn new(ops: &super::plan::Operands, flags: Flags) -> SideOptions {
        SideOptions {
            size: match ops.cdbsz {
                Some(6) => Some(Size::Six),
                Some(10) => Some(Size::Ten),
                Some(12) => Some(Size::Twelve),
                Some(16) => Some(Size::Sixteen),
                _ => None,
            },
            flags,
            retries: ops.retries,
            coe_limit: ops.coe_limit,
            verify: false,
        }
    }
}

/// One sg side of the copy.
#[derive(Debug)]
pub struct SgSide {
    /// The path as given.
    pub path: String,
    queue: Queue,
    bs: u32,
    pending: VecDeque<Pending>,
    timeout: Timeout,
    opts: SideOptions,
    /// The peripheral device type, from sysfs (for sg_dd's coe lines).
    pdt: u8,
    /// The sg minor, to tell whether the device is still there.
    minor: Option<u32>,
    /// coe: unreadable stretches in a row.
    coe_count: u32,
}

/// READ CAPACITY of an sg operand, through a file of its own (before the queue's files
/// fix their reserves), as the extent for the plan.
pub fn probe(path: &str) -> Result<Extent, Fail> {
    let mut d = dev::open(path)?;
    let cap = capacity::read_capacity(&mut d, path, false, true)?;
    Ok(Extent::Sg {
        blocks: cap.blocks(),
        block_size: cap.block_length,
    })
}

/// The name of a READ or WRITE CDB of `cdb_len` bytes.
fn op_name(write: bool, cdb_len: usize) -> String {
    format!("{}({cdb_len})", if write { "WRITE" } else { "READ" })
}

/// Whether dd retries a command that ended so: once, on UNIT ATTENTION or ABORTED COMMAND.
fn retryable(resp: &Response) -> bool {
    matches!(
        resp.category(),
        ExitCategory::UnitAttention | ExitCategory::AbortedCommand
    )
}

/// RECOVERED ERROR: the command succeeded after the device's own recovery (`is_good()`,
/// sgmap-core's `Outcome::is_success`, counts it a success); sg_dd counts and reports it.
fn recovered(resp: &Response) -> bool {
    resp.category() == ExitCategory::Recovered
}

/// What `retries=N` sends again (sg_dd `sg_read()`, `main()`'s write loop): any failure
/// but NOT READY and what is retried once anyway.
fn retried_by_count(resp: &Response) -> bool {
    !matches!(
        resp.category(),
        ExitCategory::NotReady | ExitCategory::UnitAttention | ExitCategory::AbortedCommand
    )
}

/// The sense INFORMATION field, when its VALID bit is set (sg_get_sense_info_fld()).
fn information(resp: &Response) -> Option<u64> {
    let sense = Sense::new_checked(resp.sense()).ok()?;
    sense.information().filter(|i| i.valid).map(|i| i.value)
}

/// The minor number of the sg node `path` and its peripheral device type from sysfs.
fn sysfs_identity(path: &str) -> (Option<u32>, u8) {
    use std::os::unix::fs::MetadataExt;
    let minor = std::fs::metadata(path)
        .ok()
        .map(|m| crate::shared::node::minor(m.rdev()));
    let pdt = minor
        .and_then(|n| {
            std::fs::read_to_string(format!("/sys/class/scsi_generic/sg{n}/device/type")).ok()
        })
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0);
    (minor, pdt)
}

impl SgSide {
    /// Opens `qd` files with reserves for `bs × bpt` and maps them; returns the side and
    /// the bpt its granted reserve allows (`None`: not even one block).
    pub fn open(
        path: &str,
        qd: u32,
        bs: u32,
        bpt: u32,
        opts: SideOptions,
    ) -> Result<(SgSide, Option<u32>), Fail> {
        let want = u64::from(bs) * u64::from(bpt);
        let mut options = OpenOptions::new();
        options.exclusive(opts.flags.excl);
        let mut queue =
            Queue::open_with(&options, path, qd as usize, want).map_err(dev::sys_fail)?;
        if opts.flags.flock {
            // One lock for the side: the queue's other files belong to the same copy.
            if let Err(e) = queue.device(0).lock_exclusive() {
                // sg_dd's SG_LIB_FLOCK_ERR.
                out::err_fmt(format_args!("sgmap: {e}\n"));
                return Err(Fail::code(FLOCK_ERR));
            }
        }
        let fit = fit_bpt(bs, bpt, queue.granted());
        let (minor, pdt) = sysfs_identity(path);
        Ok((
            SgSide {
                path: path.to_owned(),
                queue,
                bs,
                pending: VecDeque::new(),
                timeout: Timeout::DEFAULT,
                opts,
                pdt,
                minor,
                coe_count: 0,
            },
            fit,
        ))
    }

    /// The largest mapped transfer every file takes.
    pub fn granted(&self) -> u32 {
        self.queue.granted()
    }

    /// Whether the device has gone (its sg node left sysfs): a removal, not an error of
    /// the copy.
    pub fn gone(&self) -> bool {
        let Some(n) = self.minor else {
            return false;
        };
        // Being removed: the SCSI device is in state `cancel` or `deleted`, then leaves sysfs.
        match std::fs::read_to_string(format!("/sys/class/scsi_generic/sg{n}/device/state")) {
            Ok(state) => matches!(state.trim(), "cancel" | "deleted"),
            Err(_) => !std::path::Path::new(&format!("/sys/class/scsi_generic/sg{n}")).exists(),
        }
    }

    fn cdb(&self, write: bool, lba: u64, blocks: u32) -> Result<cdb::Cdb, cdb::Error> {
        let (dpo, fua, size) = (self.opts.flags.dpo, self.opts.flags.fua, self.opts.size);
        if write && self.opts.verify {
            cdb::Verify {
                lba,
                blocks,
                bytchk: 1,
                dpo,
                vrprotect: 0,
                group_number: 0,
                size,
            }
            .to_cdb()
        } else if write {
            cdb::Write {
                lba,
                blocks,
                dpo,
                fua,
                size,
            }
            .to_cdb()
        } else {
            cdb::Read {
                lba,
                blocks,
                dpo,
                fua,
                size,
            }
            .to_cdb()
        }
    }

    fn data(&self, write: bool, blocks: u32) -> Data<'static> {
        let len = blocks * self.bs;
        if write {
            Data::MmapOut(len)
        } else {
            Data::MmapIn(len)
        }
    }

    /// Submits a READ or WRITE on the next slot.
    fn submit(&mut self, ledger: &mut Ledger<'_>, write: bool, p: Pending) -> bool {
        let cdb = match self.cdb(write, p.lba, p.blocks) {
            Ok(c) => c,
            Err(e) => {
                ledger.fail(
                    ExitCategory::Syntax,
                    &self.path,
                    format!("CDB: {e}"),
                    Some(p.lba),
                );
                return false;
            }
        };
        let cmd = Command::new(cdb.as_bytes()).timeout(self.timeout);
        match self.queue.submit(&cmd, self.data(write, p.blocks)) {
            Ok(_) => {
                self.pending.push_back(p);
                true
            }
            Err(e) => {
                ledger.fail_sys(e, Some(p.lba));
                false
            }
        }
    }

    /// Sends a READ or WRITE again, synchronously on `slot`'s file (its mapping holds the
    /// data of a WRITE still, and takes the data of a READ).
    fn again(
        &mut self,
        slot: usize,
        write: bool,
        lba: u64,
        blocks: u32,
    ) -> Result<Response, String> {
        let cdb = self
            .cdb(write, lba, blocks)
            .map_err(|e| format!("CDB: {e}"))?;
        let cmd = Command::new(cdb.as_bytes()).timeout(self.timeout);
        let data = self.data(write, blocks);
        self.queue
            .device(slot)
            .execute(&cmd, data)
            .map_err(|e| e.to_string())
    }

    /// Reports a RECOVERED ERROR as sg_dd does.
    fn report_recovered(&self, ledger: &mut Ledger<'_>, write: bool, p: &Pending, r: &Response) {
        ledger.recovered += 1;
        let what = if write { "WRITE" } else { "READ" };
        match information(r) {
            Some(lba) => out::err_fmt(format_args!(
                "    lba of last recovered error in this {what}=0x{lba:x}\n"
            )),
            None => out::err_fmt(format_args!(
                "Recovered error: [no info] {} block=0x{:x}, num={}\n{}",
                if write { "writing to" } else { "reading from" },
                p.lba,
                p.blocks,
                dev::sense_lines(r)
            )),
        }
    }

    /// Waits for the oldest transfer and applies dd's rules to how it ended:
    ///
    /// - UNIT ATTENTION or ABORTED COMMAND: sent once more, on its own file;
    /// - `retries=N`: sent again up to N times after any other failure but NOT READY
    ///   (`>>> retrying a sgio read, lba=0x…`);
    /// - RECOVERED ERROR: a success, counted and reported;
    /// - a READ failure with `iflag=coe`: pieced together as sg_dd does ([`Self::salvage`]);
    /// - a WRITE failure with `oflag=coe`: passed over (done, not out);
    /// - anything else: the copy fails, reported once.
    ///
    /// A READ collected after the copy failed is dropped unreported and uncounted (nothing
    /// read after a failure is written); a WRITE is still retried, reported and, when it
    /// succeeded, counted: its blocks are on the output.
    fn complete(&mut self, ledger: &mut Ledger<'_>, write: bool) -> Option<Done> {
        let p = self.pending.pop_front()?;
        let (slot, mut resp) = match self.queue.wait_oldest() {
            Ok(r) => r,
            Err(e) => {
                // The request may still be in flight (the device is being removed): waiting
                // for the others behind it would meet it again. Stop here; dropping the queue
                // collects what is left (sgmap-sys `Device`'s drop).
                ledger.fail_sys(e, Some(p.lba));
                self.pending.clear();
                return None;
            }
        };
        if !ledger.uses_collected(write) {
            return None;
        }
        let mut budget = self.opts.retries;
        let mut once = true;
        while !resp.is_good() {
            let by_count = retried_by_count(&resp) && !(write && self.opts.flags.coe > 0);
            if once && retryable(&resp) {
                once = false;
            } else if by_count && budget > 0 {
                budget -= 1;
                ledger.retries += 1;
                out::err_fmt(format_args!(
                    ">>> retrying a sgio {}, lba=0x{:x}\n",
                    if write { "write" } else { "read" },
                    p.lba
                ));
            } else {
                break;
            }
            match self.again(slot, write, p.lba, p.blocks) {
                Ok(r) => resp = r,
                Err(why) => {
                    ledger.fail(ExitCategory::Other, &self.path, why, Some(p.lba));
                    return None;
                }
            }
        }
        if recovered(&resp) {
            self.report_recovered(ledger, write, &p, &resp);
        } else if !resp.is_good() {
            if !write && self.opts.flags.coe > 0 {
                return self.salvage(ledger, slot, p, resp);
            }
            if write && self.opts.verify && resp.category() == ExitCategory::Miscompare {
                // sg_dd --verify: a miscompare is counted as such; with coe passed over.
                ledger.miscompares += 1;
                if self.opts.flags.coe > 0 {
                    return Some(Done {
                        slot,
                        p,
                        data: None,
                        bypassed: true,
                    });
                }
                out::err_str("VERIFY reports miscompare\n");
                let name = format!("VERIFY({})", self.cdb_len(p.lba, p.blocks));
                ledger.fail_scsi(&self.path, &name, p.lba, p.blocks, &resp);
                return None;
            }
            if !retryable(&resp) {
                ledger.unrecovered += 1;
            }
            if write && self.opts.flags.coe > 0 && resp.category() != ExitCategory::NotReady {
                // sg_dd: the sense is printed, the blocks are not counted out, the copy goes on.
                out::err_fmt(format_args!(
                    "{} at LBA {} ({} blocks): {}, passed over (oflag=coe)\n{}",
                    op_name(true, self.cdb_len(p.lba, p.blocks)),
                    p.lba,
                    p.blocks,
                    dev::describe(&resp),
                    dev::sense_lines(&resp)
                ));
                return Some(Done {
                    slot,
                    p,
                    data: None,
                    bypassed: true,
                });
            }
            let name = op_name(write, self.cdb_len(p.lba, p.blocks));
            ledger.fail_scsi(&self.path, &name, p.lba, p.blocks, &resp);
            return None;
        }
        self.coe_count = 0;
        let want = p.blocks * self.bs;
        if !write && resp.valid < want {
            // A short read (resid): the whole blocks that came are valid, the rest did not.
            let full = resp.valid / self.bs;
            let short = Pending {
                blocks: full,
                bytes: u64::from(full) * u64::from(self.bs),
                ..p
            };
            ledger.fail(
                ExitCategory::Other,
                &self.path,
                format!(
                    "{} at LBA {} ({} blocks): short read, {} of {want} bytes (resid {})",
                    op_name(false, self.cdb_len(p.lba, p.blocks)),
                    p.lba,
                    p.blocks,
                    resp.valid,
                    resp.resid
                ),
                Some(p.lba + u64::from(full)),
            );
            // The failure is recorded; the caller still writes these whole blocks.
            return Some(Done {
                slot,
                p: short,
                data: None,
                bypassed: false,
            });
        }
        Some(Done {
            slot,
            p,
            data: None,
            bypassed: false,
        })
    }

    /// The length of the CDB that carries `blocks` at `lba`.
    fn cdb_len(&self, lba: u64, blocks: u32) -> usize {
        self.cdb(false, lba, blocks)
            .map_or(10, |c| c.as_bytes().len())
    }

    /// `iflag=coe`: a READ that failed, pieced together as sg_dd's `sg_read()` does. With a
    /// MEDIUM ERROR whose INFORMATION names a block of the transfer, the blocks before it
    /// are read again, that block is zeros (`>> unrecovered read error at blk=…, pdt=…, use
    /// zeros`), and the rest is read on, block by bad block. Without such an LBA, the rest
    /// of the transfer is zeros (`>> unable to read at blk=… for … bytes, use zeros`) and
    /// the copy goes on after a medium error, stops after any other. Every failed READ
    /// counts as an unrecovered error.
    fn salvage(
        &mut self,
        ledger: &mut Ledger<'_>,
        slot: usize,
        p: Pending,
        first: Response,
    ) -> Option<Done> {
        let bs = u64::from(self.bs);
        let end = p.lba + u64::from(p.blocks);
        let mut buf = vec![0u8; (u64::from(p.blocks) * bs) as usize];
        let mut lba = p.lba;
        let mut resp = first;
        let done = |buf| {
            Some(Done {
                slot,
                p,
                data: Some(buf),
                bypassed: false,
            })
        };
        loop {
            ledger.unrecovered += 1;
            let medium = resp.category() == ExitCategory::MediumHard;
            let may_coe = match information(&resp).filter(|_| medium) {
                Some(bad) if (lba..end).contains(&bad) => {
                    let mut ok = true;
                    if bad > lba {
                        ok = self.read_piece(slot, lba, bad, p.lba, &mut buf);
                    }
                    if ok {
                        lba = bad;
                        out::err_fmt(format_args!(
                            ">> unrecovered read error at blk={lba}, pdt={}, use zeros\n",
                            self.pdt
                        ));
                        lba += 1;
                        self.coe_count += 1;
                        if self.opts.coe_limit > 0 && self.coe_count > self.opts.coe_limit {
                            out::err_str(">> coe_limit on consecutive reads exceeded\n");
                            let name = op_name(false, self.cdb_len(p.lba, p.blocks));
                            ledger.fail_scsi(&self.path, &name, bad, 1, &resp);
                            return None;
                        }
                        if lba == end {
                            return done(buf);
                        }
                        let blocks = (end - lba) as u32;
                        match self.again(slot, false, lba, blocks) {
                            Ok(r) if r.is_good() => {
                                if self.copy_piece(slot, lba, end, p.lba, &mut buf) {
                                    return done(buf);
                                }
                                false
                            }
                            Ok(r) => {
                                resp = r;
                                continue;
                            }
                            Err(why) => {
                                ledger.fail(ExitCategory::Other, &self.path, why, Some(lba));
                                return None;
                            }
                        }
                    } else {
                        false
                    }
                }
                Some(bad) => {
                    out::err_fmt(format_args!(
                        "  Unrecovered error lba 0x{bad:x} not in correct range:\n\t[0x{lba:x},0x{:x}]\n",
                        end - 1
                    ));
                    true
                }
                None if medium => {
                    out::err_str(
                        "Medium, hardware or blank check error but no lba of failure in sense\n",
                    );
                    true
                }
                None => false,
            };
            let blks = end - lba;
            out::err_fmt(format_args!(
                ">> unable to read at blk={lba} for {} bytes, use zeros\n",
                blks * bs
            ));
            if blks > 1 {
                out::err_str(
                    ">>   try reducing bpt to limit number of zeros written near bad block(s)\n",
                );
            }
            self.coe_count += 1;
            let over = self.opts.coe_limit > 0 && self.coe_count > self.opts.coe_limit;
            if over {
                out::err_str(">> coe_limit on consecutive reads exceeded\n");
            }
            if may_coe && !over {
                return done(buf);
            }
            let name = op_name(false, self.cdb_len(p.lba, p.blocks));
            ledger.fail_scsi(&self.path, &name, lba, blks as u32, &resp);
            return None;
        }
    }

    /// Reads `from..to` again on `slot` and copies it into `buf` (which starts at
    /// `base`); false when that READ failed too.
    fn read_piece(&mut self, slot: usize, from: u64, to: u64, base: u64, buf: &mut [u8]) -> bool {
        match self.again(slot, false, from, (to - from) as u32) {
            Ok(r) if r.is_good() => self.copy_piece(slot, from, to, base, buf),
            _ => false,
        }
    }

    /// Copies `from..to`, just read into `slot`'s mapping, into `buf` (which starts at
    /// `base`).
    fn copy_piece(&self, slot: usize, from: u64, to: u64, base: u64, buf: &mut [u8]) -> bool {
        let bs = self.bs as usize;
        let at = (from - base) as usize * bs;
        let len = (to - from) as usize * bs;
        match self.queue.data(slot) {
            Ok(d) if d.len() >= len => {
                buf[at..at + len].copy_from_slice(&d[..len]);
                true
            }
            _ => false,
        }
    }

    /// Waits for the oldest WRITE and counts it out (or done, when coe passed it over).
    fn complete_write(&mut self, ledger: &mut Ledger<'_>) {
        if let Some(done) = self.complete(ledger, true) {
            let p = done.p;
            if done.bypassed {
                ledger.skipped += u64::from(p.blocks);
                return;
            }
            let full = u64::from(p.blocks) - u64::from(p.partial);
            ledger.count_out(full, p.partial);
            ledger.bytes += p.bytes;
        }
    }

    /// Hands out the next free slot's mapping, completing the oldest WRITE first while none
    /// is free. `None` when the copy failed meanwhile.
    fn free_slot(&mut self, ledger: &mut Ledger<'_>) -> Option<()> {
        loop {
            if ledger.failed() {
                return None;
            }
            match self.queue.free_slot_mut() {
                Ok(Some(_)) => return Some(()),
                Ok(None) => self.complete_write(ledger),
                Err(e) => {
                    ledger.fail_sys(e, None);
                    return None;
                }
            }
        }
    }

    /// Completes every WRITE in flight.
    fn drain_writes(&mut self, ledger: &mut Ledger<'_>) {
        while !self.pending.is_empty() {
            self.complete_write(ledger);
        }
    }

    /// Collects every READ in flight, dropping the data (after a failure).
    fn drain_reads(&mut self, ledger: &mut Ledger<'_>) {
        while !self.pending.is_empty() {
            let _ = self.complete(ledger, false);
        }
    }

    /// SYNCHRONIZE CACHE (10) over the whole device, retried once on UNIT ATTENTION.
    pub fn synchronize(&mut self, ledger: &mut Ledger<'_>) {
        let Ok(cdb) = cdb::SynchronizeCache::default().to_cdb() else {
            return;
        };
        let cmd = Command::new(cdb.as_bytes()).timeout(self.timeout);
        for attempt in 0..2 {
            match self.queue.device(0).execute(&cmd, Data::None) {
                Ok(r) if r.is_good() => return,
                Ok(r) if attempt == 0 && retryable(&r) => continue,
                Ok(r) => return ledger.fail_scsi(&self.path, "SYNCHRONIZE CACHE(10)", 0, 0, &r),
                Err(e) => return ledger.fail_sys(e, None),
            }
        }
    }

    /// Reads `blocks` at `lba` synchronously (retried once) into `buf`, for verify=1.
    pub(super) fn read_into(
        &mut self,
        lba: u64,
        blocks: u32,
        buf: &mut Vec<u8>,
    ) -> Result<(), String> {
        let mut resp = self.again(0, false, lba, blocks)?;
        if !resp.is_good() && retryable(&resp) {
            resp = self.again(0, false, lba, blocks)?;
        }
        if !resp.is_good() {
            return Err(format!(
                "verify: READ at LBA {lba} ({blocks} blocks): {}",
                dev::describe(&resp)
            ));
        }
        buf.clear();
        buf.extend_from_slice(self.queue.data(0).map_err(|e| e.to_string())?);
        Ok(())
    }
}

/// The non-sg or sg output of a copy from an sg input.
#[derive(Debug)]
pub enum Output<'a> {
    /// Another sg device.
    Sg(&'a mut SgSide),
    /// A file, stdout or the discard.
    Sink(&'a mut Sink, &'a str),
}

/// sg → anything: `qd` READs in flight; each completed one, in order, goes to the output
/// (written from the mapping, or copied once into the output's mapping and written).
pub fn copy_from_sg(
    ledger: &mut Ledger<'_>,
    input: &mut SgSide,
    mut output: Output<'_>,
    qd: usize,
) {
    let bs = u64::from(ledger.plan.bs);
    let mut sched = Schedule::new(ledger.plan.count, ledger.bpt);
    loop {
        ledger.tick();
        while !ledger.stopping() && input.pending.len() < qd {
            let Some(t) = sched.next() else {
                break;
            };
            let p = Pending {
                t,
                lba: t.in_lba(&ledger.plan),
                blocks: t.blocks,
                partial: false,
                bytes: u64::from(t.blocks) * bs,
            };
            if !input.submit(ledger, false, p) {
                break;
            }
        }
        if input.pending.is_empty() {
            break;
        }
        let short_before = ledger.failed();
        let Some(done) = input.complete(ledger, false) else {
            continue;
        };
        if short_before {
            continue;
        }
        let (slot, p) = (done.slot, done.p);
        let len = p.bytes as usize;
        let data = match (&done.data, input.queue.data(slot)) {
            (Some(pieced), _) => &pieced[..len],
            (None, Ok(d)) if d.len() >= len => &d[..len],
            (None, Ok(d)) => {
                let n = d.len();
                ledger.fail(
                    ExitCategory::Other,
                    &input.path,
                    format!("{n} valid bytes where {len} were expected"),
                    Some(p.lba),
                );
                continue;
            }
            (None, Err(e)) => {
                ledger.fail_sys(e, Some(p.lba));
                continue;
            }
        };
        ledger.count_in(u64::from(p.blocks), false);
        if p.blocks == 0 || ledger.sparse_skip(&p.t, data) {
            continue;
        }
        let out_lba = p.t.out_lba(&ledger.plan);
        match &mut output {
            Output::Sink(sink, name) => {
                if let Err((done, e)) = sink.write(out_lba * bs, data) {
                    ledger.count_written(done, bs as usize);
                    let at = out_lba + done as u64 / bs;
                    ledger.fail_io(name, "write", e, Some(at));
                } else {
                    ledger.count_out(u64::from(p.blocks), false);
                    ledger.bytes += p.bytes;
                }
            }
            Output::Sg(out_side) => {
                if out_side.free_slot(ledger).is_none() {
                    continue;
                }
                match out_side.queue.free_slot_mut() {
                    Ok(Some((_, map))) if map.len() >= len => map[..len].copy_from_slice(data),
                    Ok(_) => {
                        ledger.fail(
                            ExitCategory::Other,
                            &out_side.path,
                            "no free slot".into(),
                            None,
                        );
                        continue;
                    }
                    Err(e) => {
                        ledger.fail_sys(e, None);
                        continue;
                    }
                }
                let w = Pending { lba: out_lba, ..p };
                out_side.submit(ledger, true, w);
            }
        }
    }
    input.drain_reads(ledger);
    if let Output::Sg(out_side) = output {
        out_side.drain_writes(ledger);
    }
}

/// file or stream → sg: read straight into the next free slot's mapping, `qd` WRITEs in
/// flight. A partial last block is padded with zeros to a whole block.
pub fn copy_to_sg(ledger: &mut Ledger<'_>, src: &mut Source, if_name: &str, output: &mut SgSide) {
    if !super::ends::skip_stream(ledger, src, if_name) {
        return;
    }
    let bs = ledger.plan.bs as usize;
    let mut sched = Schedule::new(ledger.plan.count.or(ledger.plan.out_room), ledger.bpt);
    loop {
        ledger.tick();
        if ledger.stopping() {
            break;
        }
        let Some(t) = sched.next() else {
            break;
        };
        if output.free_slot(ledger).is_none() {
            break;
        }
        let len = t.blocks as usize * bs;
        let in_block = t.in_lba(&ledger.plan);
        let read = match output.queue.free_slot_mut() {
            Ok(Some((_, map))) if map.len() >= len => {
                let r = src.read(in_block * bs as u64, &mut map[..len]);
                if let Ok(n) = r {
                    // Pad a partial block; the device takes whole blocks only.
                    let end = n.div_ceil(bs) * bs;
                    map[n..end].fill(0);
                }
                r
            }
            Ok(_) => {
                ledger.fail(
                    ExitCategory::Other,
                    &output.path,
                    "no free slot".into(),
                    None,
                );
                break;
            }
            Err(e) => {
                ledger.fail_sys(e, None);
                break;
            }
        };
        let n = match read {
            Ok(n) => n,
            Err(e) => {
                ledger.fail_io(if_name, "read", e, Some(in_block));
                break;
            }
        };
        let (full, partial) = ((n / bs) as u32, n % bs != 0);
        ledger.count_in(u64::from(full), partial);
        let blocks = full + u32::from(partial);
        // oflag=sparse looks at the bytes just read into the mapping; without it, nothing.
        let zeros = ledger.sparse.is_some()
            && match output.queue.free_slot_mut() {
                Ok(Some((_, map))) => ledger.sparse_skip(&t, &map[..n]),
                _ => false,
            };
        if blocks > 0 && !zeros {
            let p = Pending {
                t,
                lba: t.out_lba(&ledger.plan),
                blocks,
                partial,
                bytes: n as u64,
            };
            if !output.submit(ledger, true, p) {
                break;
            }
        }
        if n < len {
            break;
        }
    }
    output.drain_writes(ledger);
    super::ends::input_continues(ledger, src, if_name, &output.path);
}
