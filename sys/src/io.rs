//! Requests: synchronous `SG_IO`, and asynchronous `write()` / `poll()` / `read()`.

use core::fmt;
use core::num::NonZeroU32;
use core::ptr;

use rustix::event::{self, PollFd, PollFlags, Timespec};
use rustix::io::Errno;
use rustix::time::{clock_gettime, ClockId};
use sgmap_core::abi::{Direction, IoKind, SgFlags, SgInfo, SgIoHdr, SG_MAX_SENSE};
use sgmap_core::accounting::Refusal;
use sgmap_core::status::{ExitCategory, Outcome};

use crate::device::{Device, Slot};
use crate::error::{Detail, Error, ErrorKind, Op};
use crate::raw::{self, HDR_LEN};

/// How long past its own timeout a request is waited for ([`Device::wait`]): the SCSI error
/// handler aborts a timed-out command, and may escalate to resets, before sg completes it.
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
    /// flags ([`SgFlags::MMAP_IO`], [`SgFlags::DIRECT_IO`]) come from [`Data`].
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
        };
        Ok((hdr, slot))
    }

    /// Forgets a request the kernel did not take.
    fn cancel(&mut self, slot: usize) {
        let _ = self.acct.cancel(self.slots[slot].pack_id);
        self.slots[slot] = Slot::FREE;
    }

    /// Marks a request whose outcome is unknown (`EINTR`): its slot stays taken for the life
    /// of the file, and the accounting refuses further use of the reserve.
    fn orphan(&mut self, slot: usize) {
        let _ = self.acct.orphan(self.slots[slot].pack_id);
        self.slots[slot].orphan = true;
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

    /// Waits until the kernel is done with an orphaned direct-IO request's pages: the device
    /// may still read or write the caller's buffer after `SG_IO` returned `EINTR`, and that
    /// buffer's borrow ends when `execute` returns.
    fn await_orphan(&self, pack_id: i32, timeout_ms: u32) {
        let bound = u64::from(timeout_ms) + u64::from(WAIT_MARGIN_MS);
        let start = now_ms();
        loop {
            // SAFETY: `self.fd` is an sg node (checked at open).
            match unsafe { raw::get_request_table(&self.fd) } {
                Ok(table) => {
                    if !table
                        .iter()
                        .any(|r| r.pack_id == pack_id && r.req_state == 1)
                    {
                        return;
                    }
                }
                // Cannot look: give the command its whole timeout and margin.
                Err(_) if now_ms() - start >= bound => return,
                Err(_) => {}
            }
            sleep_ms(10);
        }
    }

    /// Runs one command with `ioctl(SG_IO)` and waits for it.
    ///
    /// Mmap-ed data moves through the mapped reserve, which no reference can view meanwhile
    /// (`&mut self`). A non-mmap request whose data fits the free reserve borrows it too (the
    /// driver's rule): the mapped bytes are then overwritten and [`Device::valid_data`]
    /// becomes empty.
    ///
    /// `EINTR` ([`ErrorKind::Interrupted`]) means the outcome is unknown; the request is not
    /// reissued, and the file refuses further requests. For direct IO this call first waits
    /// until the device is done with the caller's buffer.
    pub fn execute(&mut self, cmd: &Command<'_>, mut data: Data<'_>) -> Result<Response, Error> {
        let op = Op::SgIo(cmd.opcode());
        let (mut hdr, slot) = self.prepare(op, cmd, &mut data)?;
        // SAFETY: `self.fd` is an sg node (checked at open). `cmdp` points to `cmd.cdb`
        // (`cmd_len` bytes, the accounting refused more than 32), `sbp` to this request's
        // 96-byte slot in the sense page, and `dxferp` to the caller's buffer of `dxfer_len`
        // bytes, borrowed by `data` for this whole call (or NULL for mmap-ed IO, whose data
        // goes to the reserve that no reference can view during `&mut self`). An
        // interrupted direct request is waited for below before the borrow ends.
        let result = unsafe { raw::sg_io(&self.fd, &mut hdr) };
        match result {
            Ok(()) => self.finish(op, slot, &hdr),
            Err(Errno::INTR) => {
                self.orphan(slot);
                if hdr.flags().contains(SgFlags::DIRECT_IO) && !hdr.dxferp.is_null() {
                    self.await_orphan(hdr.pack_id, hdr.timeout);
                }
                Err(self.os(op, Errno::INTR))
            }
            Err(e) => {
                self.cancel(slot);
                Err(self.os(op, e))
            }
        }
    }

    /// Submits one command with `write()` and returns its pack id; collect it with
    /// [`Device::wait`] or [`Device::collect`].
    ///
    /// Only [`Data::None`], [`Data::MmapIn`] and [`Data::MmapOut`]: the kernel writes a
    /// request's data and sense when it is collected, so no caller buffer may be involved.
    /// The sense goes to a slot of a page this `Device` owns at a fixed address. Fill the
    /// mapping before an [`Data::MmapOut`]; it cannot be read or written again until the
    /// request is collected.
    pub fn submit(&mut self, cmd: &Command<'_>, mut data: Data<'_>) -> Result<i32, Error> {
        let op = Op::Submit(cmd.opcode());
        if !data.is_async_safe() {
            return Err(Error::new(ErrorKind::Refused, op, &self.name).with(Detail::Text(
                "only Data::None, MmapIn and MmapOut can be submitted: a caller's buffer cannot outlive the call",
            )));
        }
        let (hdr, slot) = self.prepare(op, cmd, &mut data)?;
        // SAFETY: `self.fd` is an sg node (checked at open). The kernel copies the CDB during
        // the call; `dxferp` is NULL (no data, or mmap-ed IO into the reserve, which the
        // accounting keeps from safe code until collection); `sbp` is this request's slot in
        // the sense page, which stays at its address until the Device is dropped, and the
        // Device collects or closes the file before unmapping it.
        let result = unsafe { raw::write_request(&self.fd, &hdr) };
        match result {
            Ok(n) if n == HDR_LEN => Ok(hdr.pack_id),
            Ok(_) => {
                self.cancel(slot);
                Err(self
                    .os(op, Errno::IO)
                    .with(Detail::Text("short write of the header")))
            }
            Err(Errno::INTR) => {
                self.orphan(slot);
                Err(self.os(op, Errno::INTR))
            }
            Err(e) => {
                self.cancel(slot);
                Err(self.os(op, e))
            }
        }
    }

    /// `poll()` for a finished response: `true` when one waits to be collected (not
    /// necessarily a given one), `false` when `timeout_ms` passed (negative: no limit).
    /// [`ErrorKind::DeviceGone`] on `POLLHUP` (the device is being removed).
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

    /// Collects a finished request with `read()`: the one with `pack_id` (turning
    /// `SG_SET_FORCE_PACK_ID` on if needed), or with `None` the oldest finished one.
    ///
    /// [`ErrorKind::WouldBlock`] when it has not finished (on an `O_NONBLOCK` file; a
    /// blocking file waits). Refused after an interrupted request: an orphan's buffers may
    /// be gone, so this crate never reads one.
    pub fn collect(&mut self, pack_id: Option<i32>) -> Result<Response, Error> {
        let op = Op::Collect(pack_id);
        if self.acct.is_orphaned() {
            return Err(self.refused(op, Refusal::Orphaned));
        }
        let mut hdr = SgIoHdr::new();
        match pack_id {
            Some(id) => {
                if self.slot_of(id).is_none() {
                    return Err(self.refused(op, Refusal::UnknownPackId { pack_id: id }));
                }
                if !self.force_pack_id {
                    self.set_force_pack_id(true)?;
                }
                hdr.pack_id = id;
            }
            None => {
                if !self.slots.iter().any(|s| s.busy && !s.orphan) {
                    return Err(Error::new(ErrorKind::Refused, op, &self.name)
                        .with(Detail::Text("no request in flight")));
                }
                // -1 matches any pack id.
                hdr.pack_id = -1;
            }
        }
        // With SG_SET_FORCE_PACK_ID on, read() takes the pack id to match from this header
        // only when `dxfer_direction` is negative; otherwise from the old sg_header's pack_id
        // field (bytes 8..12 here: cmd_len, mx_sb_len, iovec_count), which would be 0 and
        // match nothing (sg.c: sg_read()). So always negative, with -1 for "any".
        hdr.dxfer_direction = Direction::None.to_raw();
        // SAFETY: `self.fd` is an sg node, not shared with other code (`borrow_fd` is unsafe
        // and forbids requests through it), so read() can only return a request this Device
        // submitted with `write()`: its `sbp` is its slot in the sense page, still mapped,
        // and its `dxferp` NULL. Interrupted SG_IO requests, which may carry a caller's
        // buffer, are never returned: without keep_orphan the kernel does not queue them for
        // read(), and with it this call is refused above once any orphan exists.
        let n = unsafe { raw::read_response(&self.fd, &mut hdr) }.map_err(|e| self.os(op, e))?;
        if n != HDR_LEN {
            return Err(self
                .os(op, Errno::IO)
                .with(Detail::Text("short read of the header")));
        }
        let Some(slot) = self.slot_of(hdr.pack_id) else {
            return Err(self.refused(
                op,
                Refusal::UnknownPackId {
                    pack_id: hdr.pack_id,
                },
            ));
        };
        self.finish(op, slot, &hdr)
    }

    /// Waits for the request `pack_id` and collects it: `poll()` then `read()`, bounded by
    /// the command's timeout plus [`WAIT_MARGIN_MS`] ([`ErrorKind::TimedOut`] after that, the
    /// request still in flight). The bound holds on an `O_NONBLOCK` file (the default); a
    /// blocking file may wait in `read()` while other responses are ready.
    pub fn wait(&mut self, pack_id: i32) -> Result<Response, Error> {
        let op = Op::Wait(pack_id);
        let Some(slot) = self.slot_of(pack_id) else {
            return Err(self.refused(op, Refusal::UnknownPackId { pack_id }));
        };
        let bound = u64::from(self.slots[slot].timeout_ms) + u64::from(WAIT_MARGIN_MS);
        let start = now_ms();
        let mut other_ready = false;
        loop {
            match self.collect(Some(pack_id)) {
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                done => return done,
            }
            if other_ready {
                // poll() said a response is ready, but it is another one: do not spin.
                sleep_ms(1);
            }
            let elapsed = now_ms().saturating_sub(start);
            if elapsed >= bound {
                return Err(Error::new(ErrorKind::TimedOut, op, &self.name).with(Detail::Text(
                    "no response within the command's timeout and margin; it is still in flight",
                )));
            }
            let remaining = (bound - elapsed).min(i32::MAX as u64) as i32;
            other_ready = self.poll_ready(remaining)?;
        }
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        if self.acct.is_orphaned() {
            return;
        }
        for i in 0..self.slots.len() {
            let Slot { busy, pack_id, .. } = self.slots[i];
            if busy {
                let _ = self.wait(pack_id);
            }
        }
    }
}
