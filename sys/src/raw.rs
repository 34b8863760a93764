//! The sg driver's system calls, one thin wrapper per kernel operation.
//!
//! These are `unsafe`: the sg ioctl numbers are plain numbers, not `_IOC`-encoded, so on a
//! file of another driver the same number may read or write any memory; and the requests
//! carry pointers the kernel writes through (`dxferp`, `sbp`), some of them long after the
//! call returns (a `write()` request's sense buffer is written at `read()` time). The safe
//! layer ([`Device`](crate::Device)) calls them only on a file it checked to be an sg node,
//! after [`Accounting`](sgmap_core::accounting::Accounting) agreed. They are public so that
//! tests can show what the kernel itself does where the accounting refuses first.
//!
//! # References
//! - `drivers/scsi/sg.c` (Linux 6.1): `sg_ioctl_common()`, `sg_write()`, `sg_read()`,
//!   `sg_mmap()`.
//! - `include/scsi/sg.h`.

use core::ffi::{c_int, c_void};
use core::mem::{offset_of, size_of};
use core::ptr;

use rustix::fd::AsFd;
use rustix::io;
use rustix::ioctl::{self, Getter, Ioctl, IoctlOutput, Opcode, Setter, Updater};
use sgmap_core::abi::ioctl as nr;
use sgmap_core::abi::{SgIoHdr, SgReqInfo, SgScsiId, SG_MAX_QUEUE};

/// The flags of [`mmap`], rustix's (see "Public dependencies" in the crate docs).
pub use rustix::mm::{MapFlags, ProtFlags};

/// The size of `struct sg_io_hdr` on this target: what `write()` and `read()` move.
pub const HDR_LEN: usize = size_of::<SgIoHdr>();

/// How many bytes [`write_request`] writes: at least the 64-bit kernel's `sizeof(sg_io_hdr)`
/// (88), whatever this process's pointer width.
pub const WRITE_LEN: usize = if HDR_LEN > 88 { HDR_LEN } else { 88 };

const fn op(n: u32) -> Opcode {
    n as Opcode
}

/// An ioctl whose answer is its return value and which takes no argument
/// (`SG_GET_TIMEOUT` returns the timeout rather than writing it through a pointer).
struct ReturnValue<const OPCODE: Opcode>;

// SAFETY: the argument is NULL and the kernel writes no user memory for the opcodes this is
// used with (sg.c: `case SG_GET_TIMEOUT: return sfp->timeout_user;`); the output is the
// ioctl's non-negative return value, which is what `output_from_ptr` hands back.
unsafe impl<const OPCODE: Opcode> Ioctl for ReturnValue<OPCODE> {
    type Output = c_int;
    const IS_MUTATING: bool = false;

    fn opcode(&self) -> Opcode {
        OPCODE
    }

    fn as_ptr(&mut self) -> *mut c_void {
        ptr::null_mut()
    }

    unsafe fn output_from_ptr(out: IoctlOutput, _: *mut c_void) -> io::Result<c_int> {
        Ok(out)
    }
}

/// `ioctl(fd, SG_GET_VERSION_NUM, &int)` — the driver's version, e.g. 30536 for sg 3.5.36.
///
/// # Safety
///
/// `fd` is an sg device (character major 21): the number is not `_IOC`-encoded, and another
/// driver may give it another meaning.
///
/// # References
/// - sg.c: `sg_ioctl_common()`, `case SG_GET_VERSION_NUM`.
#[inline]
#[doc(alias = "SG_GET_VERSION_NUM")]
pub unsafe fn get_version_num<Fd: AsFd>(fd: Fd) -> io::Result<c_int> {
    // SAFETY: sg writes one int through the pointer (`put_user(sg_version_num, ip)`), which
    // is the c_int Getter provides; the caller promises an sg fd.
    unsafe { ioctl::ioctl(fd, Getter::<{ op(nr::SG_GET_VERSION_NUM) }, c_int>::new()) }
}

/// `ioctl(fd, SG_GET_RESERVED_SIZE, &int)` — the reserve buffer's length in bytes.
///
/// # Safety
///
/// `fd` is an sg device.
///
/// # References
/// - sg.c: `case SG_GET_RESERVED_SIZE` (`min(bufflen, max_sectors_bytes)`).
#[inline]
#[doc(alias = "SG_GET_RESERVED_SIZE")]
pub unsafe fn get_reserved_size<Fd: AsFd>(fd: Fd) -> io::Result<c_int> {
    // SAFETY: sg writes one int through the pointer; the caller promises an sg fd.
    unsafe { ioctl::ioctl(fd, Getter::<{ op(nr::SG_GET_RESERVED_SIZE) }, c_int>::new()) }
}

/// `ioctl(fd, SG_SET_RESERVED_SIZE, &int)` — asks for a reserve of `bytes`; the kernel caps
/// it silently, so read it back with [`get_reserved_size`].
///
/// `EINVAL` for a negative size, `EBUSY` for a different size after `mmap()` or while a
/// request holds the reserve.
///
/// # Safety
///
/// `fd` is an sg device.
///
/// # References
/// - sg.c: `case SG_SET_RESERVED_SIZE`.
#[inline]
#[doc(alias = "SG_SET_RESERVED_SIZE")]
pub unsafe fn set_reserved_size<Fd: AsFd>(fd: Fd, bytes: c_int) -> io::Result<()> {
    // SAFETY: sg reads one int through the pointer (`get_user`), which Setter provides.
    unsafe {
        ioctl::ioctl(
            fd,
            Setter::<{ op(nr::SG_SET_RESERVED_SIZE) }, c_int>::new(bytes),
        )
    }
}

/// `ioctl(fd, BLKSECTGET, &int)` — on an sg file: the largest transfer in **bytes** (the cap
/// of the reserve).
///
/// # Safety
///
/// `fd` is an sg device. (On a block device the same number writes an `unsigned short`
/// counting sectors.)
///
/// # References
/// - sg.c: `case BLKSECTGET: put_user(max_sectors_bytes(...), ip)`.
#[inline]
#[doc(alias = "BLKSECTGET")]
pub unsafe fn blksectget<Fd: AsFd>(fd: Fd) -> io::Result<c_int> {
    // SAFETY: sg writes one int through the pointer; the caller promises an sg fd.
    unsafe { ioctl::ioctl(fd, Getter::<{ op(nr::BLKSECTGET) }, c_int>::new()) }
}

/// `ioctl(fd, SG_GET_SCSI_ID, &sg_scsi_id)` — host, channel, target, LUN and device type.
///
/// # Safety
///
/// `fd` is an sg device.
///
/// # References
/// - sg.c: `case SG_GET_SCSI_ID`.
#[inline]
#[doc(alias = "SG_GET_SCSI_ID")]
pub unsafe fn get_scsi_id<Fd: AsFd>(fd: Fd) -> io::Result<SgScsiId> {
    // SAFETY: sg copies a 32-byte `struct sg_scsi_id` to the pointer; SgScsiId mirrors it
    // (its layout is checked in sgmap-core) and any bit pattern is a valid SgScsiId.
    unsafe { ioctl::ioctl(fd, Getter::<{ op(nr::SG_GET_SCSI_ID) }, SgScsiId>::new()) }
}

/// `ioctl(fd, SG_GET_COMMAND_Q, &int)` — whether command queuing is on for this file.
///
/// # Safety
///
/// `fd` is an sg device.
#[inline]
#[doc(alias = "SG_GET_COMMAND_Q")]
pub unsafe fn get_command_q<Fd: AsFd>(fd: Fd) -> io::Result<c_int> {
    // SAFETY: sg writes one int through the pointer; the caller promises an sg fd.
    unsafe { ioctl::ioctl(fd, Getter::<{ op(nr::SG_GET_COMMAND_Q) }, c_int>::new()) }
}

/// `ioctl(fd, SG_SET_COMMAND_Q, &int)` — turns command queuing on or off for this file.
///
/// # Safety
///
/// `fd` is an sg device.
#[inline]
#[doc(alias = "SG_SET_COMMAND_Q")]
pub unsafe fn set_command_q<Fd: AsFd>(fd: Fd, on: c_int) -> io::Result<()> {
    // SAFETY: sg reads one int through the pointer, which Setter provides.
    unsafe { ioctl::ioctl(fd, Setter::<{ op(nr::SG_SET_COMMAND_Q) }, c_int>::new(on)) }
}

/// `ioctl(fd, SG_SET_FORCE_PACK_ID, &int)` — with 1, `read()` returns the response whose
/// `pack_id` matches the one in its buffer, when that buffer's `dxfer_direction` is negative.
///
/// # Safety
///
/// `fd` is an sg device.
///
/// # References
/// - sg.c: `sg_read()` (`old_hdr->reply_len < 0`).
#[inline]
#[doc(alias = "SG_SET_FORCE_PACK_ID")]
pub unsafe fn set_force_pack_id<Fd: AsFd>(fd: Fd, on: c_int) -> io::Result<()> {
    // SAFETY: sg reads one int through the pointer, which Setter provides.
    unsafe {
        ioctl::ioctl(
            fd,
            Setter::<{ op(nr::SG_SET_FORCE_PACK_ID) }, c_int>::new(on),
        )
    }
}

/// `ioctl(fd, SG_GET_PACK_ID, &int)` — the pack id of the first finished response, or -1.
///
/// # Safety
///
/// `fd` is an sg device.
#[inline]
#[doc(alias = "SG_GET_PACK_ID")]
pub unsafe fn get_pack_id<Fd: AsFd>(fd: Fd) -> io::Result<c_int> {
    // SAFETY: sg writes one int through the pointer; the caller promises an sg fd.
    unsafe { ioctl::ioctl(fd, Getter::<{ op(nr::SG_GET_PACK_ID) }, c_int>::new()) }
}

/// `ioctl(fd, SG_GET_NUM_WAITING, &int)` — finished responses not yet read.
///
/// # Safety
///
/// `fd` is an sg device.
#[inline]
#[doc(alias = "SG_GET_NUM_WAITING")]
pub unsafe fn get_num_waiting<Fd: AsFd>(fd: Fd) -> io::Result<c_int> {
    // SAFETY: sg writes one int through the pointer; the caller promises an sg fd.
    unsafe { ioctl::ioctl(fd, Getter::<{ op(nr::SG_GET_NUM_WAITING) }, c_int>::new()) }
}

/// `ioctl(fd, SG_GET_KEEP_ORPHAN, &int)` — whether an interrupted request's response is
/// kept for a later `read()`.
///
/// # Safety
///
/// `fd` is an sg device.
#[inline]
#[doc(alias = "SG_GET_KEEP_ORPHAN")]
pub unsafe fn get_keep_orphan<Fd: AsFd>(fd: Fd) -> io::Result<c_int> {
    // SAFETY: sg writes one int through the pointer; the caller promises an sg fd.
    unsafe { ioctl::ioctl(fd, Getter::<{ op(nr::SG_GET_KEEP_ORPHAN) }, c_int>::new()) }
}

/// `ioctl(fd, SG_SET_KEEP_ORPHAN, &int)` — keep (1) or discard (0) interrupted requests'
/// responses.
///
/// # Safety
///
/// `fd` is an sg device.
#[inline]
#[doc(alias = "SG_SET_KEEP_ORPHAN")]
pub unsafe fn set_keep_orphan<Fd: AsFd>(fd: Fd, on: c_int) -> io::Result<()> {
    // SAFETY: sg reads one int through the pointer, which Setter provides.
    unsafe { ioctl::ioctl(fd, Setter::<{ op(nr::SG_SET_KEEP_ORPHAN) }, c_int>::new(on)) }
}

/// `ioctl(fd, SG_GET_TIMEOUT, 0)` — the default timeout of the old interface in
/// jiffies (`USER_HZ`); the value is the ioctl's **return value**.
///
/// # Safety
///
/// `fd` is an sg device.
///
/// # References
/// - sg.c: `case SG_GET_TIMEOUT: return sfp->timeout_user;`.
#[inline]
#[doc(alias = "SG_GET_TIMEOUT")]
pub unsafe fn get_timeout<Fd: AsFd>(fd: Fd) -> io::Result<c_int> {
    // SAFETY: the caller promises an sg fd, for which this opcode takes no argument and
    // returns the value (ReturnValue's contract).
    unsafe { ioctl::ioctl(fd, ReturnValue::<{ op(nr::SG_GET_TIMEOUT) }>) }
}

/// `ioctl(fd, SG_SET_TIMEOUT, &int)` — sets that default timeout in jiffies (`USER_HZ`);
/// negative → `EIO`.
///
/// # Safety
///
/// `fd` is an sg device.
#[inline]
#[doc(alias = "SG_SET_TIMEOUT")]
pub unsafe fn set_timeout<Fd: AsFd>(fd: Fd, jiffies: c_int) -> io::Result<()> {
    // SAFETY: sg reads one int through the pointer, which Setter provides.
    unsafe {
        ioctl::ioctl(
            fd,
            Setter::<{ op(nr::SG_SET_TIMEOUT) }, c_int>::new(jiffies),
        )
    }
}

/// `ioctl(fd, SG_GET_REQUEST_TABLE, &[sg_req_info; 16])` — the file's requests, in flight or
/// finished and not yet read; unused entries are zero.
///
/// # Safety
///
/// `fd` is an sg device.
///
/// # References
/// - sg.c: `sg_fill_request_table()` (`req_state = done + 1`).
#[inline]
#[doc(alias = "SG_GET_REQUEST_TABLE")]
pub unsafe fn get_request_table<Fd: AsFd>(fd: Fd) -> io::Result<[SgReqInfo; SG_MAX_QUEUE]> {
    // SAFETY: sg copies SG_MAX_QUEUE `struct sg_req_info` (zeroed first, so every byte is
    // written) to the pointer; SgReqInfo mirrors it and any bit pattern is valid for it.
    unsafe {
        ioctl::ioctl(
            fd,
            Getter::<{ op(nr::SG_GET_REQUEST_TABLE) }, [SgReqInfo; SG_MAX_QUEUE]>::new(),
        )
    }
}

/// `ioctl(fd, SG_IO, &hdr)` — submits a request and waits for it; the completion is written
/// back into `hdr`.
///
/// Returns 0 even when the command failed: read `status`, `host_status`, `driver_status`.
/// `EINTR` means a signal came while waiting: the request is orphaned and its outcome
/// unknown (with `SA_RESTART` the kernel reissues the ioctl instead).
///
/// # Safety
///
/// `fd` is an sg device; `hdr.cmdp` points to `hdr.cmd_len` readable bytes; `hdr.sbp` to
/// `hdr.mx_sb_len` writable bytes; unless `SG_FLAG_MMAP_IO` is set with a NULL `dxferp`,
/// `hdr.dxferp` points to `hdr.dxfer_len` bytes (an iovec array if `iovec_count` is set)
/// that the kernel may read or write during the call — and, for direct IO interrupted by a
/// signal, until the orphaned command completes.
///
/// # References
/// - sg.c: `case SG_IO`, `sg_new_write()`, `sg_new_read()`.
#[inline]
#[doc(alias = "SG_IO")]
pub unsafe fn sg_io<Fd: AsFd>(fd: Fd, hdr: &mut SgIoHdr) -> io::Result<()> {
    // SAFETY: sg reads and writes back one `struct sg_io_hdr` (SgIoHdr mirrors it); the
    // buffers it points to are the caller's promise.
    unsafe { ioctl::ioctl(fd, Updater::<{ op(nr::SG_IO) }, SgIoHdr>::new(hdr)) }
}

/// `write(fd, &hdr, sizeof hdr)` — submits a request without waiting; collect it with
/// [`read_response`].
///
/// `EDOM` with 16 requests outstanding on the file; `EBUSY` for an mmap-ed request while the
/// reserve is in use; `ENOMEM` for one longer than the reserve.
///
/// A 32-bit process writes [`WRITE_LEN`] bytes, the header followed by zeros: on a 64-bit
/// kernel `sg_new_write()` refuses a `count` below the kernel's own 88-byte header with
/// `EINVAL` before it reads the 64-byte compat header (proven in the guest's i686 phase); a
/// 32-bit kernel reads its 64 bytes and ignores the rest. The return value counts at most
/// the header.
///
/// # Safety
///
/// `fd` is an sg device; `hdr.cmdp` points to `hdr.cmd_len` readable bytes (copied during
/// the call). The kernel keeps `hdr.sbp` and `hdr.dxferp` and writes through them when the
/// response is read, so the sense buffer and any data buffer must stay valid and unaliased
/// until then (or until the file is closed).
///
/// # References
/// - sg.c: `sg_write()`, `sg_new_write()`.
#[inline]
#[doc(alias = "write")]
pub unsafe fn write_request<Fd: AsFd>(fd: Fd, hdr: &SgIoHdr) -> io::Result<usize> {
    let mut bytes = [0u8; WRITE_LEN];
    bytes[..HDR_LEN].copy_from_slice(&header_bytes(hdr));
    io::write(fd, &bytes).map(|n| n.min(HDR_LEN))
}

/// `read(fd, &hdr, sizeof hdr)` — collects a finished request submitted with
/// [`write_request`]; `hdr` carries the pack id to match (with `SG_SET_FORCE_PACK_ID` and a
/// negative `dxfer_direction`) and receives the completed header.
///
/// `EAGAIN` on an `O_NONBLOCK` file when nothing matching has finished.
///
/// # Safety
///
/// `fd` is an sg device, and every request this read may return still has the sense and data
/// buffers it was submitted with: the kernel writes the sense and copies data-in through
/// them now.
///
/// # References
/// - sg.c: `sg_read()`, `sg_get_rq_mark()`, `sg_new_read()`.
#[inline]
#[doc(alias = "read")]
pub unsafe fn read_response<Fd: AsFd>(fd: Fd, hdr: &mut SgIoHdr) -> io::Result<usize> {
    let mut bytes = header_bytes(hdr);
    let n = io::read(fd, &mut bytes[..])?;
    if n == HDR_LEN {
        *hdr = header_from_bytes(&bytes);
    }
    Ok(n)
}

/// `mmap(NULL, len, prot, flags, fd, offset)` — maps the reserve buffer of an sg file.
///
/// The driver answers `ENOMEM` when the page-rounded length exceeds the reserve and `EINVAL`
/// for a non-zero offset; it does not check `MAP_SHARED` (see the crate docs).
///
/// # Safety
///
/// `flags` does not contain `MAP_FIXED` (or anything else that replaces existing mappings).
/// The returned memory may change at any time while a request on the file is in flight: do
/// not make Rust references to it then.
///
/// # References
/// - sg.c: `sg_mmap()`, `sg_vma_fault()`.
#[inline]
pub unsafe fn mmap<Fd: AsFd>(
    fd: Fd,
    len: usize,
    prot: ProtFlags,
    flags: MapFlags,
    offset: u64,
) -> io::Result<*mut c_void> {
    // SAFETY: a NULL address hint without MAP_FIXED (the caller's promise) replaces nothing.
    unsafe { rustix::mm::mmap(ptr::null_mut(), len, prot, flags, fd, offset) }
}

/// `munmap(ptr, len)` — removes a mapping.
///
/// # Safety
///
/// `ptr` and `len` describe a mapping made by [`mmap`] (or part of one) that no Rust
/// reference points into.
#[inline]
pub unsafe fn munmap(ptr: *mut c_void, len: usize) -> io::Result<()> {
    // SAFETY: the caller's promise.
    unsafe { rustix::mm::munmap(ptr, len) }
}

/// The bytes of `hdr` as `write()` hands them to the kernel: every field at its offset in
/// native byte order, the padding zero. Pointers go in as their addresses.
pub fn header_bytes(hdr: &SgIoHdr) -> [u8; HDR_LEN] {
    let mut b = [0u8; HDR_LEN];
    macro_rules! put {
        ($field:ident, $value:expr) => {{
            let v = $value.to_ne_bytes();
            let at = offset_of!(SgIoHdr, $field);
            b[at..at + v.len()].copy_from_slice(&v);
        }};
    }
    put!(interface_id, hdr.interface_id);
    put!(dxfer_direction, hdr.dxfer_direction);
    put!(cmd_len, hdr.cmd_len);
    put!(mx_sb_len, hdr.mx_sb_len);
    put!(iovec_count, hdr.iovec_count);
    put!(dxfer_len, hdr.dxfer_len);
    put!(dxferp, hdr.dxferp.expose_provenance());
    put!(cmdp, hdr.cmdp.expose_provenance());
    put!(sbp, hdr.sbp.expose_provenance());
    put!(timeout, hdr.timeout);
    put!(flags, hdr.flags);
    put!(pack_id, hdr.pack_id);
    put!(usr_ptr, hdr.usr_ptr.expose_provenance());
    put!(status, hdr.status);
    put!(masked_status, hdr.masked_status);
    put!(msg_status, hdr.msg_status);
    put!(sb_len_wr, hdr.sb_len_wr);
    put!(host_status, hdr.host_status);
    put!(driver_status, hdr.driver_status);
    put!(resid, hdr.resid);
    put!(duration, hdr.duration);
    put!(info, hdr.info);
    b
}

/// The header `read()` wrote as bytes (the inverse of [`header_bytes`]).
pub fn header_from_bytes(b: &[u8; HDR_LEN]) -> SgIoHdr {
    macro_rules! get {
        ($field:ident: $t:ty) => {{
            const N: usize = size_of::<$t>();
            let at = offset_of!(SgIoHdr, $field);
            let mut v = [0u8; N];
            v.copy_from_slice(&b[at..at + N]);
            <$t>::from_ne_bytes(v)
        }};
    }
    SgIoHdr {
        interface_id: get!(interface_id: i32),
        dxfer_direction: get!(dxfer_direction: i32),
        cmd_len: get!(cmd_len: u8),
        mx_sb_len: get!(mx_sb_len: u8),
        iovec_count: get!(iovec_count: u16),
        dxfer_len: get!(dxfer_len: u32),
        dxferp: ptr::with_exposed_provenance_mut(get!(dxferp: usize)),
        cmdp: ptr::with_exposed_provenance(get!(cmdp: usize)),
        sbp: ptr::with_exposed_provenance_mut(get!(sbp: usize)),
        timeout: get!(timeout: u32),
        flags: get!(flags: u32),
        pack_id: get!(pack_id: i32),
        usr_ptr: ptr::with_exposed_provenance_mut(get!(usr_ptr: usize)),
        status: get!(status: u8),
        masked_status: get!(masked_status: u8),
        msg_status: get!(msg_status: u8),
        sb_len_wr: get!(sb_len_wr: u8),
        host_status: get!(host_status: u16),
        driver_status: get!(driver_status: u16),
        resid: get!(resid: i32),
        duration: get!(duration: u32),
        info: get!(info: u32),
    }
}
