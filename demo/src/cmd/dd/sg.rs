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

use sgmap_core::cdb::{self, Command as _};
use sgmap_core::status::ExitCategory;
use sgmap_sys::{Command, Data, Queue, Response, Timeout};

use super::ends::{Sink, Source};
use super::ledger::Ledger;
use super::plan::{fit_bpt, Extent, Schedule, Transfer};
use crate::cmd::{capacity, dev};
use crate::out::Fail;

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

/// One sg side of the copy.
#[derive(Debug)]
pub struct SgSide {
    /// The path as given.
    pub path: String,
    queue: Queue,
    bs: u32,
    pending: VecDeque<Pending>,
    timeout: Timeout,
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

/// The name of a READ or WRITE CDB.
fn op_name(write: bool, cdb_len: usize) -> &'static str {
    match (write, cdb_len) {
        (false, 16) => "READ(16)",
        (false, _) => "READ(10)",
        (true, 16) => "WRITE(16)",
        (true, _) => "WRITE(10)",
    }
}

/// Whether dd retries a command that ended so: once, on UNIT ATTENTION or ABORTED COMMAND.
fn retryable(resp: &Response) -> bool {
    matches!(
        resp.category(),
        ExitCategory::UnitAttention | ExitCategory::AbortedCommand
    )
}

impl SgSide {
    /// Opens `qd` files with reserves for `bs × bpt` and maps them; returns the side and
    /// the bpt its granted reserve allows (`None`: not even one block).
    pub fn open(path: &str, qd: u32, bs: u32, bpt: u32) -> Result<(SgSide, Option<u32>), Fail> {
        let want = u64::from(bs) * u64::from(bpt);
        let queue = Queue::open(path, qd as usize, want).map_err(dev::sys_fail)?;
        let fit = fit_bpt(bs, bpt, queue.granted());
        Ok((
            SgSide {
                path: path.to_owned(),
                queue,
                bs,
                pending: VecDeque::new(),
                timeout: Timeout::DEFAULT,
            },
            fit,
        ))
    }

    /// The largest mapped transfer every file takes.
    pub fn granted(&self) -> u32 {
        self.queue.granted()
    }

    fn cdb(&self, write: bool, lba: u64, blocks: u32) -> Result<cdb::Cdb, cdb::Error> {
        if write {
            cdb::Write {
                lba,
                blocks,
                ..cdb::Write::default()
            }
            .to_cdb()
        } else {
            cdb::Read {
                lba,
                blocks,
                ..cdb::Read::default()
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

    /// Waits for the oldest transfer; retries it once, synchronously on its own file, after
    /// UNIT ATTENTION or ABORTED COMMAND. `Some((slot, p))` when it succeeded; on failure it
    /// is reported and `None` returned. A READ collected after the copy failed is dropped
    /// unreported and uncounted (nothing read after a failure is written); a WRITE is still
    /// retried, reported and, when it succeeded, counted: its blocks are on the output.
    fn complete(&mut self, ledger: &mut Ledger<'_>, write: bool) -> Option<(usize, Pending)> {
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
        if !write && ledger.failed() {
            return None;
        }
        if !resp.is_good() && retryable(&resp) {
            let Ok(cdb) = self.cdb(write, p.lba, p.blocks) else {
                return None;
            };
            let cmd = Command::new(cdb.as_bytes()).timeout(self.timeout);
            let data = self.data(write, p.blocks);
            match self.queue.device(slot).execute(&cmd, data) {
                Ok(r) => resp = r,
                Err(e) => {
                    ledger.fail_sys(e, Some(p.lba));
                    return None;
                }
            }
        }
        if !resp.is_good() {
            let long = p.lba > u64::from(u32::MAX) || p.blocks > 0xffff;
            let name = op_name(write, if long { 16 } else { 10 });
            ledger.fail_scsi(&self.path, name, p.lba, p.blocks, &resp);
            return None;
        }
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
                    op_name(false, 10),
                    p.lba,
                    p.blocks,
                    resp.valid,
                    resp.resid
                ),
                Some(p.lba + u64::from(full)),
            );
            // The failure is recorded; the caller still writes these whole blocks.
            return Some((slot, short));
        }
        Some((slot, p))
    }

    /// Waits for the oldest WRITE and counts it out.
    fn complete_write(&mut self, ledger: &mut Ledger<'_>) {
        if let Some((_, p)) = self.complete(ledger, true) {
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
        let cdb = self
            .cdb(false, lba, blocks)
            .map_err(|e| format!("CDB: {e}"))?;
        let cmd = Command::new(cdb.as_bytes()).timeout(self.timeout);
        let dev = self.queue.device(0);
        let mut resp = dev
            .execute(&cmd, Data::MmapIn(blocks * self.bs))
            .map_err(|e| e.to_string())?;
        if !resp.is_good() && retryable(&resp) {
            resp = dev
                .execute(&cmd, Data::MmapIn(blocks * self.bs))
                .map_err(|e| e.to_string())?;
        }
        if !resp.is_good() {
            return Err(format!(
                "verify: READ at LBA {lba} ({blocks} blocks): {}",
                dev::describe(&resp)
            ));
        }
        buf.clear();
        buf.extend_from_slice(dev.valid_data().map_err(|e| e.to_string())?);
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
        let Some((slot, p)) = input.complete(ledger, false) else {
            continue;
        };
        if short_before {
            continue;
        }
        let len = p.bytes as usize;
        let data = match input.queue.data(slot) {
            Ok(d) if d.len() >= len => &d[..len],
            Ok(d) => {
                let n = d.len();
                ledger.fail(
                    ExitCategory::Other,
                    &input.path,
                    format!("{n} valid bytes where {len} were expected"),
                    Some(p.lba),
                );
                continue;
            }
            Err(e) => {
                ledger.fail_sys(e, Some(p.lba));
                continue;
            }
        };
        ledger.count_in(u64::from(p.blocks), false);
        if p.blocks == 0 {
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
        if blocks > 0 {
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
