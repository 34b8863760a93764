//! Requests: each handed to the kernel with one `write()` of its header and collected with a
//! `read()` of its pack id, blocking ([`Device::execute`], [`Device::wait`]) or not
//! ([`Device::try_collect`]).

use core::fmt;
use core::num::NonZeroU32;
use core::ptr;

use rustix::event::{self, PollFd, PollFlags, Timespec};
use rustix::io::Errno;
use rustix::time::{clock_gettime, ClockId};
use sgmap_core::abi::{
    Direction, IoKind, SgFlags, SgInfo, SgIoHdr, SgReqInfo, SG_MAX_QUEUE, SG_MAX_SENSE,
};
use sgmap_core::accounting::Refusal;
use sgmap_core::status::{ExitCategory, Outcome};

use crate::device::{Device, Slot};
use crate::error::{Detail, Error, ErrorKind, Op};
use crate::raw::{self, HDR_LEN};

/// How long past its own timeout a request is waited for while its device is being removed
/// ([`Device::wait`], [`Device::execute`]): the SCSI error handler aborts a timed-out
/// command, and may escalate to resets, before sg completes it. Otherwise a wait lasts until
/// the kernel finishes the request, however long error handling takes.
pub const WAIT_MARGIN_MS: u32 = 30_000;

/// A command timeout in milliseconds, never 0 (which the driver takes as "the queue's
/// default", about 30 s, not as "none").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timeout(NonZeroU32);

impl Timeout {
    /// 60 seconds.
    pub const DEFAULT: Timeout = match NonZeroU32::new(60_000) {
        Some(ms) => Timeout(ms),
        None => unreachable!(),
    };

    /// `ms` milliseconds; `None` for 0.
    pub const fn from_millis(ms: u32) -> Option<Timeout> {
        match NonZeroU32::new(ms) {
            Some(ms) => Some(Timeout(ms)),
            None => None,
        }
    }

    /// `s` seconds; `None` for 0 or more than `u32::MAX` milliseconds.
    pub const fn from_secs(s: u32) -> Option<Timeout> {
        match s.checked_mul(1000) {
            Some(ms) => Self::from_millis(ms),
            None => None,
        }
    }

    /// The timeout in milliseconds, as the header carries it.
    pub const fn as_millis(self) -> u32 {
        self.0.get()
    }
}

impl Default for Timeout {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A SCSI command: its CDB, timeout and extra request flags.
#[derive(Debug, Clone, Copy)]
pub struct Command<'a> {
    /// The CDB, 6 to 32 bytes.
    pub cdb: &'a [u8],
    /// How long the device may take.
    pub timeout: Timeout,
    /// Flags or-ed into the request's (e.g. [`SgFlags::Q_AT_TAIL`]); the data transfer's own
    /// flags ([`SgFlags::MMAP_IO`], [`SgFlags::DIRECT_IO`]) come from [`Data`]. Set here
    /// too, they are sent as set: an mmap-ed request with direct IO is refused, and a
    /// buffer sent with direct IO is waited for as [`Data::DirectIn`]'s is.
    pub flags: SgFlags,
}

impl<'a> Command<'a> {
    /// The command `cdb` with [`Timeout::DEFAULT`] and no extra flags.
    pub const fn new(cdb: &'a [u8]) -> Self {
        Command {
            cdb,
            timeout: Timeout::DEFAULT,
            flags: SgFlags::empty(),
        }
    }

    /// The same command with timeout `timeout`.
    pub const fn timeout(mut self, timeout: Timeout) -> Self {
        self.timeout = timeout;
        self
    }

    /// The same command with extra flags `flags`.
    pub const fn flags(mut self, flags: SgFlags) -> Self {
        self.flags = flags;
        self
    }

    /// The operation code (the CDB's first byte; 0 for an empty CDB).
    pub fn opcode(&self) -> u8 {
        self.cdb.first().copied().unwrap_or(0)
    }
}

/// The data of a request and how it moves.
#[derive(Debug)]
pub enum Data<'a> {
    /// No data (`SG_DXFER_NONE`).
    None,
    /// Data-in, copied by the kernel into the caller's buffer.
    In(&'a mut [u8]),
    /// Data-out, copied by the kernel from the caller's buffer.
    Out(&'a [u8]),
    /// Data-in with `SG_FLAG_DIRECT_IO`: the device writes the caller's pages if the driver
    /// allows it (`allow_dio`) and the buffer is aligned; otherwise the kernel falls back to
    /// copying. [`Response::io_kind`] says which happened.
    DirectIn(&'a mut [u8]),
    /// Data-out with `SG_FLAG_DIRECT_IO`.
    DirectOut(&'a [u8]),
    /// Data-in of this many bytes into the mapped reserve, zero copy (`SG_FLAG_MMAP_IO`,
    /// `dxferp` NULL). Read it with [`Device::valid_data`].
    MmapIn(u32),
    /// Data-out of this many bytes from the start of the mapped reserve, zero copy; fill it
    /// first with [`Device::mapping_mut`].
    MmapOut(u32),
}

impl Data<'_> {
    /// Whether the request may be submitted with `write()` and outlive the call: only when
    /// no caller buffer is involved.
    pub fn is_async_safe(&self) -> bool {
        matches!(self, Data::None | Data::MmapIn(_) | Data::MmapOut(_))
    }
}

/// What one reading of `SG_GET_REQUEST_TABLE` says of request `pack_id`: whether to go on
/// waiting for the kernel to let go of it. Listed in flight: wait. Not listed: done. A table
/// the kernel could not give this time (no memory for its copy, a signal) says nothing:
/// wait and ask again. Any other error is the file or the device gone, and its requests
/// with it.
pub(crate) fn still_listed(table: Result<[SgReqInfo; SG_MAX_QUEUE], Errno>, pack_id: i32) -> bool {
    match table {
        Ok(table) => table
            .iter()
            .any(|r| r.pack_id == pack_id && r.req_state == 1),
        Err(Errno::NOMEM | Errno::INTR | Errno::AGAIN) => true,
        Err(_) => false,
    }
}

/// What one reading of `SG_GET_REQUEST_TABLE` says of request `pack_id`: 1 in flight, 2
/// finished and waiting to be read, 3 being read, 0 not on the file's list at all (collected
/// by a `read()`, or never sent). An error says nothing: 1.
pub(crate) fn req_state(table: Result<[SgReqInfo; SG_MAX_QUEUE], Errno>, pack_id: i32) -> i8 {
    match table {
        Ok(table) => table
            .iter()
            .find(|r| r.pack_id == pack_id && r.req_state != 0)
            .map_or(0, |r| r.req_state),
        Err(_) => 1,
    }
}

/// Whether the kernel may still write the caller's memory when the request is collected:
/// a direct transfer ([`lends_pages`]), or a copied data-in, which the `read()` that
/// collects the request copies into the buffer. Such a request is never given up while the
/// kernel may hold it: whichever `read()` on the file takes it writes the buffer then.
pub(crate) fn holds_buffer(hdr: &SgIoHdr) -> bool {
    lends_pages(hdr)
        || (!hdr.dxferp.is_null()
            && matches!(hdr.direction(), Direction::FromDev | Direction::ToFromDev))
}

/// Whether the kernel may work on the caller's own pages for this request
/// (`SG_FLAG_DIRECT_IO` with a buffer), and so may still hold them after the device is
/// removed: then a collection waits for the kernel to let go, whatever set the flag
/// ([`Data::DirectIn`] or [`Command::flags`]).
pub(crate) fn lends_pages(hdr: &SgIoHdr) -> bool {
    hdr.flags().contains(SgFlags::DIRECT_IO) && !hdr.dxferp.is_null()
}

/// Builds a request header. The pointers come from `cmd` and `data` (borrowed by the
/// caller for as long as the kernel may use them) and `sbp`.
pub(crate) fn header(
    cmd: &Command<'_>,
    data: &mut Data<'_>,
    pack_id: i32,
    sbp: *mut u8,
) -> SgIoHdr {
    let mut flags = cmd.flags;
    let (direction, len, dxferp): (Direction, usize, *mut u8) = match data {
        Data::None => (Direction::None, 0, ptr::null_mut()),
        Data::In(b) => (Direction::FromDev, b.len(), b.as_mut_ptr()),
        Data::Out(b) => (Direction::ToDev, b.len(), b.as_ptr().cast_mut()),
        Data::DirectIn(b) => {
            flags |= SgFlags::DIRECT_IO;
            (Direction::FromDev, b.len(), b.as_mut_ptr())
        }
        Data::DirectOut(b) => {
            flags |= SgFlags::DIRECT_IO;
            (Direction::ToDev, b.len(), b.as_ptr().cast_mut())
        }
        Data::MmapIn(n) => {
            flags |= SgFlags::MMAP_IO;
            (Direction::FromDev, *n as usize, ptr::null_mut())
        }
        Data::MmapOut(n) => {
            flags |= SgFlags::MMAP_IO;
            (Direction::ToDev, *n as usize, ptr::null_mut())
        }
    };
    let mut hdr = SgIoHdr::new();
    hdr.dxfer_direction = direction.to_raw();
    // Too long for the field: u8::MAX / u32::MAX, which the accounting refuses.
    hdr.cmd_len = u8::try_from(cmd.cdb.len()).unwrap_or(u8::MAX);
    hdr.cmdp = cmd.cdb.as_ptr();
    hdr.mx_sb_len = SG_MAX_SENSE as u8;
    hdr.sbp = sbp;
    hdr.dxfer_len = u32::try_from(len).unwrap_or(u32::MAX);
    hdr.dxferp = dxferp.cast();
    hdr.timeout = cmd.timeout.as_millis();
    hdr.flags = flags.bits();
    hdr.pack_id = pack_id;
    hdr
}

/// A completed request: the header's status fields and the sense data, copied out.
#[derive(Clone, Copy)]
pub struct Response {
    /// The SAM status byte.
    pub status: u8,
    /// `host_status` (`DID_*`).
    pub host_status: u16,
    /// `driver_status` (`DRIVER_SENSE` when sense was written).
    pub driver_status: u16,
    /// `resid`: bytes of `dxfer_len` not transferred.
    pub resid: i32,
    /// `duration` in milliseconds.
    pub duration_ms: u32,
    /// `info`: [`SgInfo::CHECK`] and how the data moved.
    pub info: SgInfo,
    /// The request's pack id.
    pub pack_id: i32,
    /// Valid data bytes: `dxfer_len - resid`, and 0 unless the command succeeded (GOOD or
    /// RECOVERED ERROR).
    pub valid: u32,
    sense: [u8; SG_MAX_SENSE],
    sense_len: u8,
}

impl Response {
    fn new(hdr: &SgIoHdr, valid: u32, sense: [u8; SG_MAX_SENSE], sense_len: usize) -> Response {
        Response {
            status: hdr.status,
            host_status: hdr.host_status,
            driver_status: hdr.driver_status,
            resid: hdr.resid,
            duration_ms: hdr.duration,
            info: hdr.info(),
            pack_id: hdr.pack_id,
            valid,
            sense,
            sense_len: sense_len.min(SG_MAX_SENSE) as u8,
        }
    }

    /// The sense bytes the driver wrote (`sb_len_wr`), possibly none.
    pub fn sense(&self) -> &[u8] {
        &self.sense[..usize::from(self.sense_len)]
    }

    /// The completion folded into one [`Outcome`].
    pub fn outcome(&self) -> Outcome<'_> {
        Outcome::from_parts(
            self.status,
            self.host_status,
            self.driver_status,
            self.sense(),
        )
    }

    /// The sg3_utils exit category of the completion.
    pub fn category(&self) -> ExitCategory {
        self.outcome().category()
    }

    /// Whether the command succeeded: GOOD, CONDITION MET, or RECOVERED ERROR.
    pub fn is_good(&self) -> bool {
        self.outcome().is_success()
    }

    /// How the data really moved (`info & SG_INFO_DIRECT_IO_MASK`).
    pub fn io_kind(&self) -> IoKind {
        self.info.io_kind()
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &format_args!("{:#04x}", self.status))
            .field("host_status", &format_args!("{:#x}", self.host_status))
            .field("driver_status", &format_args!("{:#x}", self.driver_status))
            .field("resid", &self.resid)
            .field("duration_ms", &self.duration_ms)
            .field("info", &self.info)
            .field("pack_id", &self.pack_id)
            .field("valid", &self.valid)
            .field("sense", &self.sense())
            .finish()
    }
}

/// Monotonic milliseconds.
fn now_ms() -> u64 {
    let t = clock_gettime(ClockId::Monotonic);
    (t.tv_sec as u64) * 1000 + (t.tv_nsec as u64) / 1_000_000
}

fn timespec_ms(ms: u64) -> Timespec {
    Timespec {
        tv_sec: (ms / 1000) as _,
        tv_nsec: ((ms % 1000) * 1_000_000) as _,
    }
}

/// Sleeps about `ms` milliseconds (`poll()` with no file).
fn sleep_ms(ms: u64) {
    let _ = event::poll(&mut [], Some(&timespec_ms(ms)));
}

/// How often a wait looks again while the device is being removed (`read()` then answers
/// `ENODEV` at once for a request that has not finished, and `poll()` `POLLHUP`).
const REMOVAL_POLL_MS: u64 = 10;

/// What a wait does when the device is being removed and the request has not finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnRemoval {
    /// Wait for it however long it takes: the device may still write the caller's pages
    /// (direct IO).
    WaitForIt,
    /// Wait up to the command's timeout and [`WAIT_MARGIN_MS`], then give the request up:
    /// it is never collected, and the file refuses further use of its reserve.
    GiveUp,
    /// Wait up to the same bound, then return [`ErrorKind::DeviceGone`] with the request
    /// still in flight (no caller buffer is involved: it can be waited for again).
    Return,
}

/// What one `read()` brought back.
enum Read {
    /// The response asked for (or, asking for any, one of this Device's), and its slot.
    Mine(usize, SgIoHdr),
    /// Another request's response: SG_SET_FORCE_PACK_ID had been turned off behind the
    /// Device's back. Kept in that request's slot if it is this Device's (`Some`).
    Other(Option<usize>, i32),
    /// A header that did not come back whole, with the pack id it claims.
    Short(i32),
}

impl Device {
    fn free_slot(&self) -> Option<usize> {
        self.slots.iter().position(|s| !s.busy)
    }

    pub(crate) fn slot_of(&self, pack_id: i32) -> Option<usize> {
        self.slots
            .iter()
            .position(|s| s.busy && !s.orphan && s.pack_id == pack_id)
    }

    fn next_pack_id(&mut self) -> i32 {
        loop {
            let id = self.next_pack_id;
            // Positive ids only: -1 means "any" to read().
            self.next_pack_id = if id == i32::MAX { 1 } else { id + 1 };
            if !self.slots.iter().any(|s| s.busy && s.pack_id == id) {
                return id;
            }
        }
    }

    /// Builds a request, records it in the accounting and takes a sense slot for it.
    fn prepare(
        &mut self,
        op: Op,
        cmd: &Command<'_>,
        data: &mut Data<'_>,
    ) -> Result<(SgIoHdr, usize), Error> {
        if !self.writable {
            // write() on an O_RDONLY file is EBADF; say why before trying.
            return Err(self.os(op, Errno::BADF).with(Detail::Text(
                "not sent: commands go through write(), which needs the file opened read-write",
            )));
        }
        let slot = self.free_slot();
        let sbp = slot.map_or(ptr::null_mut(), |i| self.sense.slot_ptr(i));
        let pack_id = self.next_pack_id();
        let hdr = header(cmd, data, pack_id, sbp);
        self.acct.submit(&hdr).map_err(|r| self.refused(op, r))?;
        let Some(slot) = slot else {
            // Unreachable while the slots mirror the accounting's requests in flight (it
            // refuses a 17th first); kept as a refusal rather than a panic.
            let _ = self.acct.cancel(pack_id);
            return Err(self.refused(op, Refusal::TooManyOutstanding));
        };
        self.slots[slot] = Slot {
            busy: true,
            orphan: false,
            pack_id,
            timeout_ms: cmd.timeout.as_millis(),
            stray: None,
        };
        Ok((hdr, slot))
    }

    /// Forgets a request the kernel did not take.
    fn cancel(&mut self, slot: usize) {
        let _ = self.acct.cancel(self.slots[slot].pack_id);
        self.slots[slot] = Slot::FREE;
    }

    /// Gives up a request whose outcome cannot be known: the kernel took it and may still
    /// run it. Its slot stays taken for the life of the file, it is never collected (a
    /// caller's buffer it names may be gone), and the accounting refuses further use of the
    /// reserve.
    fn give_up(&mut self, slot: usize) {
        let _ = self.acct.orphan(self.slots[slot].pack_id);
        self.slots[slot].orphan = true;
    }

    /// One `read()` of the response `want` (-1: any), with SG_SET_FORCE_PACK_ID turned on
    /// first unless this Device set it. A response that is not the one asked for means the
    /// setting was turned off behind the Device's back (a forked child through a copy of
    /// this `Device`, before children were refused; or code holding the descriptor): it is
    /// kept for its own request if that is this Device's, never taken for `want`'s, and the
    /// setting is turned on again before the next read.
    fn read_one(&mut self, want: i32) -> Result<Read, Errno> {
        if want != -1 && !self.force_pack_id {
            // Without it read() returns whichever request finished first. If it cannot be
            // set, such a response is kept for its own request below.
            let _ = self.set_force_pack_id(true);
        }
        let mut hdr = SgIoHdr::new();
        hdr.pack_id = want;
        // With SG_SET_FORCE_PACK_ID on, read() takes the pack id to match from this header
        // only when `dxfer_direction` is negative; otherwise from the old sg_header's
        // pack_id field (bytes 8..12 here), which would match nothing (sg.c: sg_read(),
        // get_sg_io_pack_id()).
        hdr.dxfer_direction = Direction::None.to_raw();
        // SAFETY: `self.fd` is an sg node. read() returns a request of this file: one this
        // Device submitted, whose sense slot (and data buffer, if any: only `execute` sends
        // one and collects it before it returns) is valid until it is collected; or one
        // other code wrote through the descriptor, whose pointers are that code's.
        let n = unsafe { raw::read_response(&self.fd, &mut hdr) }?;
        if n != HDR_LEN {
            return Ok(Read::Short(hdr.pack_id));
        }
        let slot = self.slot_of(hdr.pack_id);
        match slot {
            Some(s) if want == -1 || hdr.pack_id == want => Ok(Read::Mine(s, hdr)),
            _ => {
                self.force_pack_id = false;
                if let Some(s) = slot {
                    self.slots[s].stray = Some(raw::header_bytes(&hdr));
                }
                Ok(Read::Other(slot, hdr.pack_id))
            }
        }
    }

    /// Collects the request of `slot` from the response a read for another one kept.
    fn take_stray(&mut self, op: Op, slot: usize) -> Option<Result<Response, Error>> {
        let bytes = self.slots[slot].stray.take()?;
        Some(self.finish(op, slot, &raw::header_from_bytes(&bytes)))
    }

    /// A header that did not come back whole: some request ran once, with an unknown
    /// outcome. The request it names (or `want`) is given up, never freed: the one consumed
    /// may have been another.
    fn short(&mut self, op: Op, claimed: i32) -> Error {
        if let Some(slot) = self.slot_of(claimed) {
            self.give_up(slot);
        }
        Error::new(ErrorKind::OutcomeUnknown, op, &self.name).with(Detail::Text(
            "the response's header did not come back whole",
        ))
    }

    /// Records a collected request and copies its sense out.
    fn finish(&mut self, op: Op, slot: usize, hdr: &SgIoHdr) -> Result<Response, Error> {
        let mut sense = [0u8; SG_MAX_SENSE];
        let n = usize::from(hdr.sb_len_wr).min(SG_MAX_SENSE);
        self.sense.copy_out(slot, &mut sense, n);
        self.slots[slot] = Slot::FREE;
        let done = self
            .acct
            .complete(hdr, &sense[..n])
            .map_err(|r| self.refused(op, r))?;
        Ok(Response::new(hdr, done.valid, sense, n))
    }

    /// Hands the request of `slot` to the kernel with `write()`.
    ///
    /// sg's `write()` either queues the request and returns the count, or fails before
    /// queuing it (sg.c: `sg_write()`, `sg_new_write()`, `sg_common_write()` remove the
    /// request on every error path before `blk_execute_rq_nowait()`); it has no
    /// interruptible wait, so a signal cannot make it run twice. Any other count is not
    /// something the driver returns: the request is then given up as unknown.
    ///
    /// # Safety
    ///
    /// `hdr` was built by [`Device::prepare`] for `slot`, and every pointer in it stays
    /// valid until the request is collected or given up.
    unsafe fn send(&mut self, op: Op, slot: usize, hdr: &SgIoHdr) -> Result<(), Error> {
        // SAFETY: `self.fd` is an sg node (checked at open); the caller vouches for the
        // pointers in `hdr`.
        match unsafe { raw::write_request(&self.fd, hdr) } {
            Ok(n) if n == HDR_LEN => Ok(()),
            Ok(_) => {
                self.give_up(slot);
                Err(Error::new(ErrorKind::OutcomeUnknown, op, &self.name).with(Detail::Text(
                    "write() returned a short count: whether the device got the command is unknown",
                )))
            }
            Err(e) => {
                self.cancel(slot);
                Err(self.os(op, e).with(Detail::Text("not sent")))
            }
        }
    }

    /// Waits for the request of `slot` and collects it with a blocking `read()` of its pack
    /// id: one system call when nothing interrupts it.
    ///
    /// A signal that interrupts `read()` takes nothing (sg.c: `sg_read()` waits before it
    /// picks a request): the wait resumes, whether the kernel restarted it or returned
    /// `EINTR`. While the device is being removed, `read()` answers `ENODEV` at once for a
    /// request that has not finished, although the kernel still finishes it: the wait then
    /// looks again every few milliseconds, and `on_removal` says for how long.
    fn wait_slot(&mut self, op: Op, slot: usize, on_removal: OnRemoval) -> Result<Response, Error> {
        let pack_id = self.slots[slot].pack_id;
        if let Some(r) = self.take_stray(op, slot) {
            return r;
        }
        let mut removal_since: Option<u64> = None;
        loop {
            match self.read_one(pack_id) {
                Ok(Read::Mine(s, hdr)) => return self.finish(op, s, &hdr),
                Ok(Read::Other(..)) => {}
                Ok(Read::Short(_)) => return Err(self.short(op, pack_id)),
                Err(Errno::INTR) => {}
                Err(Errno::AGAIN) => {
                    // The file was made non-blocking behind this Device's back: wait in
                    // poll() instead.
                    let mut fds = [PollFd::new(&self.fd, PollFlags::IN)];
                    let _ = event::poll(&mut fds, Some(&timespec_ms(REMOVAL_POLL_MS)));
                }
                Err(Errno::NODEV) => {
                    // SAFETY: `self.fd` is an sg node (checked at open).
                    let table = unsafe { raw::get_request_table(&self.fd) };
                    if req_state(table, pack_id) == 0 {
                        // Not on the file's list: another read() took it (the kernel is done
                        // with it). Nothing is left to wait for.
                        return Err(self.stranded(op, slot, OnRemoval::GiveUp, Errno::NODEV));
                    }
                    let since = *removal_since.get_or_insert_with(now_ms);
                    let bound = u64::from(self.slots[slot].timeout_ms) + u64::from(WAIT_MARGIN_MS);
                    if on_removal != OnRemoval::WaitForIt && now_ms().saturating_sub(since) >= bound
                    {
                        return Err(self.stranded(op, slot, on_removal, Errno::NODEV));
                    }
                    sleep_ms(REMOVAL_POLL_MS);
                }
                Err(e) => return Err(self.stranded(op, slot, on_removal, e)),
            }
        }
    }

    /// A wait that cannot go on although the request may still be in flight.
    fn stranded(&mut self, op: Op, slot: usize, on_removal: OnRemoval, errno: Errno) -> Error {
        match on_removal {
            OnRemoval::Return => self.os(op, errno).with(Detail::Text(
                "the request is still in flight; it can be waited for again",
            )),
            OnRemoval::GiveUp | OnRemoval::WaitForIt => {
                if on_removal == OnRemoval::WaitForIt {
                    // Direct IO: the device may still use the caller's pages. Hold the
                    // caller until the kernel no longer lists the request as in flight.
                    self.await_unlisted(self.slots[slot].pack_id);
                }
                self.give_up(slot);
                self.os(op, errno)
                    .outcome_unknown()
                    .with(Detail::Text("the command was sent; its outcome is unknown"))
            }
        }
    }

    /// Waits until `SG_GET_REQUEST_TABLE` no longer shows `pack_id` in flight (see
    /// [`still_listed`]).
    fn await_unlisted(&self, pack_id: i32) {
        // SAFETY: `self.fd` is an sg node (checked at open).
        while still_listed(unsafe { raw::get_request_table(&self.fd) }, pack_id) {
            sleep_ms(REMOVAL_POLL_MS);
        }
    }

    /// Runs one command and waits for it: `write()` hands it to the kernel, a blocking
    /// `read()` of its pack id collects it. This is the crate's one command path: every
    /// way of sending a command goes through it (see the crate docs for why not `SG_IO`).
    ///
    /// The command reaches the device **once**. Signals, stops (`SIGSTOP`, `SIGTSTP`, the
    /// cgroup freezer, a debugger) and handlers with or without `SA_RESTART` interrupt only
    /// the wait, which resumes: `execute` returns when the kernel has finished the command,
    /// or with [`ErrorKind::OutcomeUnknown`] when it cannot know how it ended. An error of
    /// any other kind means the command was **not** sent.
    ///
    /// Mmap-ed data moves through the mapped reserve, which no reference can view meanwhile
    /// (`&mut self`). A non-mmap request whose data fits the free reserve borrows it too (the
    /// driver's rule): the mapped bytes are then overwritten and [`Device::valid_data`]
    /// becomes empty.
    ///
    /// While the device is being removed, Linux 6.1's `read()` waits for the request as
    /// usual (measured: the guest test `removal.rs`), so nothing changes. Kernels before the
    /// 2022 change to sg's `read()` answer `ENODEV` at once instead; the wait then looks
    /// again every few milliseconds for up to the command's timeout and [`WAIT_MARGIN_MS`],
    /// and a command still unfinished is given up: [`ErrorKind::OutcomeUnknown`], and the
    /// file refuses further use of its reserve. A command whose data comes into the
    /// caller's buffer ([`Data::In`], [`Data::DirectIn`]) or goes from it directly
    /// ([`Data::DirectOut`]) is not given up while the kernel may hold it: the `read()` that
    /// collects a copied data-in writes the buffer, and another `read()` on the file (through
    /// [`AsFd`](rustix::fd::AsFd)) could make it after this call returned.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use sgmap_sys::sgmap_core::cdb::{Inquiry, ToCdb};
    /// use sgmap_sys::{Command, Data, Device, ErrorKind};
    ///
    /// let mut dev = Device::open("/dev/sg1")?;
    /// let cdb = Inquiry::standard(36).to_cdb()?;
    /// let mut buf = [0u8; 36];
    /// match dev.execute(&Command::new(cdb.as_bytes()), Data::In(&mut buf)) {
    ///     Ok(r) if r.is_good() => println!("{}", String::from_utf8_lossy(&buf[8..32])),
    ///     Ok(r) => println!("{:?}, exit category {}", r.outcome(), r.category().code()),
    ///     // Sent, and how it ended cannot be known: never send it again blindly.
    ///     Err(e) if e.kind() == ErrorKind::OutcomeUnknown => eprintln!("{e}"),
    ///     Err(e) => eprintln!("not sent: {e}"),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn execute(&mut self, cmd: &Command<'_>, mut data: Data<'_>) -> Result<Response, Error> {
        let op = Op::Execute(cmd.opcode());
        let (hdr, slot) = self.prepare(op, cmd, &mut data)?;
        // Direct IO as the request says it, not as `data` names it: `Command::flags` can
        // carry SG_FLAG_DIRECT_IO for a `Data::In`/`Out` buffer too. A copied data-in is
        // written into the buffer by the read() that collects it, whoever makes it.
        let direct = holds_buffer(&hdr);
        // SAFETY: `cmdp` points to `cmd.cdb` (`cmd_len` bytes, the accounting refused more
        // than 32; the kernel copies it during write()), `sbp` to this request's 96-byte slot
        // in the sense page, and `dxferp` to the caller's buffer of `dxfer_len` bytes,
        // borrowed by `data` for this whole call (or NULL for mmap-ed IO, whose data goes to
        // the reserve that no reference can view during `&mut self`). This call returns only
        // once the request is collected, or given up (never collected, so the kernel copies
        // nothing to the buffer later; for direct IO, only once the kernel lists it no more).
        unsafe { self.send(op, slot, &hdr) }?;
        let on_removal = if direct {
            OnRemoval::WaitForIt
        } else {
            OnRemoval::GiveUp
        };
        // `data` (the caller's borrow) lives until here: past the collection.
        let result = self.wait_slot(op, slot, on_removal);
        let _ = &data;
        result
    }

    /// Submits one command with `write()` and returns its pack id; collect it with
    /// [`Device::wait`] or [`Device::collect`].
    ///
    /// Only [`Data::None`], [`Data::MmapIn`] and [`Data::MmapOut`]: the kernel writes a
    /// request's data and sense when it is collected, so no caller buffer may be involved.
    /// The sense goes to a slot of a page this `Device` owns at a fixed address. Fill the
    /// mapping before an [`Data::MmapOut`]; it cannot be read or written again until the
    /// request is collected.
    ///
    /// An error of a kind other than [`ErrorKind::OutcomeUnknown`] means the command was
    /// not sent.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use sgmap_sys::sgmap_core::cdb::{Read, ToCdb};
    /// use sgmap_sys::{Command, Data, Device};
    ///
    /// let mut dev = Device::open("/dev/sg1")?;
    /// dev.set_reserved_size(64 * 1024)?;
    /// dev.map()?;
    /// let cdb = Read { lba: 0, blocks: 128, ..Read::default() }.to_cdb()?;
    /// let id = dev.submit(&Command::new(cdb.as_bytes()), Data::MmapIn(64 * 1024))?;
    /// // ... other work; the mapping is out of reach until the request is collected ...
    /// let r = dev.collect(Some(id))?;
    /// assert_eq!(r.pack_id, id);
    /// println!("{:?}: {} bytes", r.outcome(), dev.valid_data()?.len());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn submit(&mut self, cmd: &Command<'_>, mut data: Data<'_>) -> Result<i32, Error> {
        let op = Op::Submit(cmd.opcode());
        if !data.is_async_safe() {
            return Err(Error::new(ErrorKind::Refused, op, &self.name).with(Detail::Text(
                "only Data::None, MmapIn and MmapOut can be submitted: a caller's buffer cannot outlive the call",
            )));
        }
        let (hdr, slot) = self.prepare(op, cmd, &mut data)?;
        // SAFETY: `dxferp` is NULL (no data, or mmap-ed IO into the reserve, which the
        // accounting keeps from safe code until collection); `cmdp` is copied during the
        // call; `sbp` is this request's slot in the sense page, which stays at its address
        // until the Device is dropped, and the Device collects or closes the file before
        // unmapping it.
        unsafe { self.send(op, slot, &hdr) }?;
        Ok(hdr.pack_id)
    }

    /// `poll()` for a finished response: `true` when one waits to be collected (not
    /// necessarily a given one), `false` when `timeout_ms` passed (negative: no limit) or a
    /// signal came. [`ErrorKind::DeviceGone`] on `POLLHUP` (the device is being removed).
    pub fn poll_ready(&self, timeout_ms: i32) -> Result<bool, Error> {
        let mut fds = [PollFd::new(&self.fd, PollFlags::IN)];
        let ts;
        let timeout = if timeout_ms < 0 {
            None
        } else {
            ts = timespec_ms(timeout_ms as u64);
            Some(&ts)
        };
        match event::poll(&mut fds, timeout) {
            Ok(0) | Err(Errno::INTR) => Ok(false),
            Ok(_) => {
                let revents = fds[0].revents();
                if revents.contains(PollFlags::IN) {
                    Ok(true)
                } else if revents.intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL) {
                    Err(Error::new(ErrorKind::DeviceGone, Op::Poll, &self.name)
                        .with(Detail::Text("POLLHUP: the device is being removed")))
                } else {
                    Ok(false)
                }
            }
            Err(e) => Err(self.os(Op::Poll, e)),
        }
    }

    /// Collects a finished request with one `read()`: the one with `pack_id` (turning
    /// `SG_SET_FORCE_PACK_ID` on if needed), or with `None` the oldest finished one.
    ///
    /// The file is blocking (see [`OpenOptions::nonblocking`](crate::OpenOptions)): this
    /// waits until such a response is there. Use [`Device::poll_ready`] first to wait with a
    /// bound. [`ErrorKind::Interrupted`] when a signal handler without `SA_RESTART` ran
    /// meanwhile: nothing was collected and nothing was lost, the request is still in
    /// flight. Refused after a request was given up ([`ErrorKind::OutcomeUnknown`]): its
    /// buffers may be gone, so this crate never reads one.
    pub fn collect(&mut self, pack_id: Option<i32>) -> Result<Response, Error> {
        let op = Op::Collect(pack_id);
        if self.acct.is_orphaned() {
            return Err(self.refused(op, Refusal::Orphaned));
        }
        let want = match pack_id {
            Some(id) => {
                let Some(slot) = self.slot_of(id) else {
                    return Err(self.refused(op, Refusal::UnknownPackId { pack_id: id }));
                };
                if let Some(r) = self.take_stray(op, slot) {
                    return r;
                }
                id
            }
            None => {
                for slot in 0..SG_MAX_QUEUE {
                    if let Some(r) = self.take_stray(op, slot) {
                        return r;
                    }
                }
                if !self.slots.iter().any(|s| s.busy && !s.orphan) {
                    return Err(Error::new(ErrorKind::Refused, op, &self.name)
                        .with(Detail::Text("no request in flight")));
                }
                // -1 matches any pack id.
                -1
            }
        };
        loop {
            // A given-up request is never read (refused above), whatever read() is asked:
            // with SG_SET_FORCE_PACK_ID off behind this Device's back, one for `want` could
            // return it, so its response counts as another request's (`Other`).
            match self.read_one(want).map_err(|e| self.os(op, e))? {
                Read::Mine(slot, hdr) => return self.finish(op, slot, &hdr),
                Read::Short(claimed) => return Err(self.short(op, claimed)),
                Read::Other(None, id) if want == -1 => {
                    return Err(self.refused(op, Refusal::UnknownPackId { pack_id: id }))
                }
                Read::Other(..) => {}
            }
        }
    }

    /// Collects a finished request without blocking: `Ok(None)` while it (with `None`: every
    /// request) is still in flight. For an event loop, after `poll()` or `epoll` said the
    /// descriptor is readable ([`AsFd`](rustix::fd::AsFd)).
    ///
    /// With a pack id it asks `SG_GET_REQUEST_TABLE` first (one `ioctl`), then reads only a
    /// finished response; with `None` it asks `poll()` with no wait first. A request that
    /// is on the file's list no more although this Device did not collect it was taken by
    /// a `read()` other code made on the descriptor: it is given up
    /// ([`ErrorKind::OutcomeUnknown`]) rather than freed, and the file refuses further use
    /// of its reserve. Otherwise as [`Device::collect`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use sgmap_sys::{Command, Data, Device};
    ///
    /// let mut dev = Device::open("/dev/sg1")?;
    /// dev.map()?;
    /// let read10 = [0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0];
    /// let id = dev.submit(&Command::new(&read10), Data::MmapIn(4096))?;
    /// loop {
    ///     if let Some(response) = dev.try_collect(Some(id))? {
    ///         println!("{} bytes", response.valid);
    ///         break;
    ///     }
    ///     // ... other work, or poll() on the descriptor ...
    /// }
    /// # Ok::<(), sgmap_sys::Error>(())
    /// ```
    pub fn try_collect(&mut self, pack_id: Option<i32>) -> Result<Option<Response>, Error> {
        let op = Op::Collect(pack_id);
        match pack_id {
            Some(id) => {
                let Some(slot) = self.slot_of(id) else {
                    return Err(self.refused(op, Refusal::UnknownPackId { pack_id: id }));
                };
                if self.slots[slot].stray.is_none() {
                    // SAFETY: `self.fd` is an sg node (checked at open).
                    let table =
                        unsafe { raw::get_request_table(&self.fd) }.map_err(|e| self.os(op, e));
                    match req_state(Ok(table?), id) {
                        1 => return Ok(None),
                        2 => {}
                        _ => {
                            self.give_up(slot);
                            return Err(Error::new(ErrorKind::OutcomeUnknown, op, &self.name)
                                .with(Detail::Text(
                                    "its response was taken by another read() on the file",
                                )));
                        }
                    }
                }
            }
            None => {
                if !self.slots.iter().any(|s| s.stray.is_some()) && !self.poll_ready(0)? {
                    return Ok(None);
                }
            }
        }
        self.collect(pack_id).map(Some)
    }

    /// Waits for the request `pack_id` (from [`Device::submit`]) and collects it: one
    /// blocking `read()`, resumed after any signal, until the kernel has finished it.
    ///
    /// The SCSI midlayer bounds that time: a command that passes its timeout is aborted and
    /// completed with `DID_TIME_OUT`, after error handling that may take minutes. While the
    /// device is being removed the wait lasts at most the command's timeout and
    /// [`WAIT_MARGIN_MS`], then answers [`ErrorKind::DeviceGone`] with the request still in
    /// flight.
    pub fn wait(&mut self, pack_id: i32) -> Result<Response, Error> {
        let op = Op::Wait(pack_id);
        let Some(slot) = self.slot_of(pack_id) else {
            return Err(self.refused(op, Refusal::UnknownPackId { pack_id }));
        };
        self.wait_slot(op, slot, OnRemoval::Return)
    }

    /// Collects every request in flight, at most for the longest of their timeouts (or the
    /// bound set with [`Device::set_close_timeout`]), then unmaps the reserve and closes the
    /// file. The first error is returned: requests that did not finish in time
    /// ([`ErrorKind::TimedOut`]; the file is closed without them, and the kernel frees them),
    /// or one given up earlier ([`ErrorKind::OutcomeUnknown`]). Responses collected here are
    /// dropped; collect them first to read them.
    pub fn close(mut self) -> Result<(), Error> {
        let left = self.quiesce(self.close_ms);
        // Drop waits no more.
        self.close_ms = 0;
        if left? > 0 {
            return Err(
                Error::new(ErrorKind::TimedOut, Op::Close, &self.name).with(Detail::Text(
                    "requests still in flight after the wait; closed without them",
                )),
            );
        }
        Ok(())
    }

    /// [`Device::close`], waiting at most `timeout_ms` milliseconds for the requests in
    /// flight.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn main() -> Result<(), sgmap_sys::Error> {
    /// use sgmap_sys::{Command, Data, Device, ErrorKind};
    ///
    /// let mut dev = Device::open("/dev/sg1")?;
    /// dev.submit(&Command::new(&[0; 6]), Data::None)?;
    /// match dev.close_within(100) {
    ///     Err(e) if e.kind() == ErrorKind::TimedOut => eprintln!("left in flight: {e}"),
    ///     other => other?,
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn close_within(mut self, timeout_ms: u32) -> Result<(), Error> {
        self.close_ms = timeout_ms;
        self.close()
    }

    /// Bounds how long dropping this `Device` (and [`Device::close`]) waits for the requests
    /// in flight: at most `timeout_ms` milliseconds (0: not at all), instead of the longest
    /// of their timeouts. What is left is freed by the kernel once the file is closed.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use sgmap_sys::{Command, Data, Device};
    ///
    /// let mut dev = Device::open("/dev/sg1")?;
    /// dev.set_close_timeout(50);
    /// dev.submit(&Command::new(&[0; 6]), Data::None)?;
    /// drop(dev); // waits 50 ms at most
    /// # Ok::<(), sgmap_sys::Error>(())
    /// ```
    pub fn set_close_timeout(&mut self, timeout_ms: u32) {
        self.close_ms = timeout_ms;
    }

    /// Collects and drops the responses of the requests in flight for at most `timeout_ms`
    /// milliseconds, and returns how many are still in flight. The `Device` stays usable.
    /// In a child after `fork()`: 0 at once (the requests are the parent's).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use sgmap_sys::{Command, Data, Device};
    ///
    /// let mut dev = Device::open("/dev/sg1")?;
    /// dev.submit(&Command::new(&[0; 6]), Data::None)?;
    /// let left = dev.drain(1000)?;
    /// println!("{left} still in flight");
    /// # Ok::<(), sgmap_sys::Error>(())
    /// ```
    pub fn drain(&mut self, timeout_ms: u32) -> Result<usize, Error> {
        self.quiesce(timeout_ms)
    }

    /// What `drain`, `close` and `Drop` do: collects what is in flight for at most the
    /// longest timeout among it and `bound_ms`, and says how much is left.
    fn quiesce(&mut self, bound_ms: u32) -> Result<usize, Error> {
        if self.sense.forked() {
            // A child's copy: the requests are the parent's, and its read() is EPERM.
            return Ok(0);
        }
        if self.acct.is_orphaned() {
            // A given-up request may name a caller's buffer: never read() again. Closing the
            // file lets the kernel free it without copying (sg.c: sg_remove_sfp_usercontext()
            // runs without a user address space).
            return Err(
                Error::new(ErrorKind::OutcomeUnknown, Op::Close, &self.name).with(Detail::Text(
                    "a request was given up earlier; its outcome is unknown",
                )),
            );
        }
        for slot in 0..SG_MAX_QUEUE {
            let _ = self.take_stray(Op::Close, slot);
        }
        let longest = self
            .slots
            .iter()
            .filter(|s| s.busy)
            .map(|s| s.timeout_ms)
            .max();
        let deadline = now_ms() + u64::from(longest.unwrap_or(0).min(bound_ms));
        let mut first: Option<Error> = None;
        loop {
            let busy = self.slots.iter().filter(|s| s.busy).count();
            let wait = deadline.saturating_sub(now_ms());
            if busy == 0 || wait == 0 || self.acct.is_orphaned() {
                return first.map_or(Ok(busy), Err);
            }
            match self.poll_ready(wait.min(i32::MAX as u64) as i32) {
                Ok(true) => {
                    if let Err(e) = self.collect(None) {
                        first.get_or_insert(e);
                    }
                }
                Ok(false) => {}
                // POLLHUP: being removed; the requests still finish, look again shortly.
                Err(_) => sleep_ms(REMOVAL_POLL_MS),
            }
        }
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        let _ = self.quiesce(self.close_ms);
        if self.slots.iter().any(|s| s.busy) {
            // Left in flight (or given up): the kernel holds their sense addresses, and a
            // duplicate of the descriptor may outlive this Device.
            self.sense.leak();
        }
    }
}
