//! The sg driver's v3 interface: `struct sg_io_hdr`, its constants, and the ioctl numbers.
//!
//! Everything here mirrors `include/scsi/sg.h` of Linux 6.1 (sg 3.5.36) field for field; the
//! layout is checked at compile time for both pointer widths (see the `layout` checks at the
//! bottom of this file). The kernel reads these structures directly, so nothing here may
//! change size or order.
//!
//! # References
//! - `include/scsi/sg.h` (Linux 6.1): `struct sg_io_hdr`, `SG_FLAG_*`, `SG_INFO_*`, ioctls.
//! - `drivers/scsi/sg.c`: `sg_ioctl_common()`, `sg_new_write()`.

use core::ffi::c_void;
use core::ptr;

/// `'S'`: the only `interface_id` the v3 driver accepts (others → `ENOSYS`).
pub const SG_INTERFACE_ID_ORIG: i32 = b'S' as i32;

/// The largest number of requests one sg file may have outstanding (`SG_MAX_QUEUE`);
/// one more is refused with `EDOM` (sg.c: `sg_new_write()`).
pub const SG_MAX_QUEUE: usize = 16;

/// The largest sense buffer the driver copies out (`SCSI_SENSE_BUFFERSIZE`).
pub const SG_MAX_SENSE: usize = 96;

/// The largest CDB the request setup accepts: the 32-byte `cmnd` of `struct scsi_cmnd`
/// (sg.c: `sg_start_req()`, `EINVAL` above it; `sg_new_write()` already refused more than
/// 252 with `EMSGSIZE`).
pub const SG_MAX_CDB_SIZE: usize = 32;

/// The smallest CDB the driver accepts (`cmd_len < 6` → `EMSGSIZE`).
pub const SG_MIN_CDB_SIZE: usize = 6;

/// The sg character device major number.
pub const SG_MAJOR: u32 = 21;

/// The oldest driver whose v3 interface this crate speaks (`SG_GET_VERSION_NUM` ≥ 30000).
pub const SG_MIN_VERSION: i32 = 30000;

/// The reserve an sg file gets at `open()` when nothing caps it (`def_reserved_size`).
pub const SG_DEF_RESERVED_SIZE: u32 = 32768;

/// `dxfer_len` at or above this is refused with `EINVAL` (sg.c: `sg_common_write()`).
pub const SG_MAX_DXFER_LEN: u32 = 256 << 20;

/// The ioctl request numbers of the sg driver.
///
/// They are plain numbers, not `_IOC`-encoded; the argument is an `int *` unless noted.
pub mod ioctl {
    /// `SG_SET_TIMEOUT`: default timeout in jiffies for `write()` requests (`int *`).
    pub const SG_SET_TIMEOUT: u32 = 0x2201;
    /// `SG_GET_TIMEOUT`: the value is the ioctl's return value, not written through the pointer.
    pub const SG_GET_TIMEOUT: u32 = 0x2202;
    /// `SG_EMULATED_HOST`.
    pub const SG_EMULATED_HOST: u32 = 0x2203;
    /// `SG_GET_COMMAND_Q`.
    pub const SG_GET_COMMAND_Q: u32 = 0x2270;
    /// `SG_SET_COMMAND_Q`.
    pub const SG_SET_COMMAND_Q: u32 = 0x2271;
    /// `SG_GET_RESERVED_SIZE`.
    pub const SG_GET_RESERVED_SIZE: u32 = 0x2272;
    /// `SG_SET_RESERVED_SIZE`: caps silently; always read back.
    pub const SG_SET_RESERVED_SIZE: u32 = 0x2275;
    /// `SG_GET_SCSI_ID`: fills a [`SgScsiId`](super::SgScsiId).
    pub const SG_GET_SCSI_ID: u32 = 0x2276;
    /// `SG_GET_LOW_DMA`.
    pub const SG_GET_LOW_DMA: u32 = 0x227a;
    /// `SG_SET_FORCE_PACK_ID`.
    pub const SG_SET_FORCE_PACK_ID: u32 = 0x227b;
    /// `SG_GET_PACK_ID`: the first finished request's pack id, or -1.
    pub const SG_GET_PACK_ID: u32 = 0x227c;
    /// `SG_GET_NUM_WAITING`: finished requests not yet read.
    pub const SG_GET_NUM_WAITING: u32 = 0x227d;
    /// `SG_GET_SG_TABLESIZE`.
    pub const SG_GET_SG_TABLESIZE: u32 = 0x227f;
    /// `SG_GET_VERSION_NUM`: 30536 for sg 3.5.36.
    pub const SG_GET_VERSION_NUM: u32 = 0x2282;
    /// `SG_NEXT_CMD_LEN`.
    pub const SG_NEXT_CMD_LEN: u32 = 0x2283;
    /// `SG_SCSI_RESET`.
    pub const SG_SCSI_RESET: u32 = 0x2284;
    /// `SG_IO`: the synchronous request; argument `struct sg_io_hdr *`.
    pub const SG_IO: u32 = 0x2285;
    /// `SG_GET_REQUEST_TABLE`: fills `SG_MAX_QUEUE` [`SgReqInfo`](super::SgReqInfo) entries.
    pub const SG_GET_REQUEST_TABLE: u32 = 0x2286;
    /// `SG_SET_KEEP_ORPHAN`.
    pub const SG_SET_KEEP_ORPHAN: u32 = 0x2287;
    /// `SG_GET_KEEP_ORPHAN`.
    pub const SG_GET_KEEP_ORPHAN: u32 = 0x2288;
    /// `SG_GET_ACCESS_COUNT`.
    pub const SG_GET_ACCESS_COUNT: u32 = 0x2289;
    /// `BLKSECTGET`: on an sg file the answer is in **bytes** (the reserve's cap).
    pub const BLKSECTGET: u32 = 0x1267;
}

/// The data transfer direction of a request (`dxfer_direction`).
///
/// Decoding keeps values the kernel does not define ([`Direction::Other`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `SG_DXFER_NONE` (-1): no data.
    None,
    /// `SG_DXFER_TO_DEV` (-2): data-out.
    ToDev,
    /// `SG_DXFER_FROM_DEV` (-3): data-in.
    FromDev,
    /// `SG_DXFER_TO_FROM_DEV` (-4): data-in after copying the buffer to the kernel first.
    ToFromDev,
    /// `SG_DXFER_UNKNOWN` (-5).
    Unknown,
    /// Any other value.
    Other(i32),
}

impl Direction {
    /// The raw `dxfer_direction` value.
    pub const fn to_raw(self) -> i32 {
        match self {
            Direction::None => -1,
            Direction::ToDev => -2,
            Direction::FromDev => -3,
            Direction::ToFromDev => -4,
            Direction::Unknown => -5,
            Direction::Other(v) => v,
        }
    }

    /// Decodes a raw `dxfer_direction` value; never fails.
    pub const fn from_raw(raw: i32) -> Self {
        match raw {
            -1 => Direction::None,
            -2 => Direction::ToDev,
            -3 => Direction::FromDev,
            -4 => Direction::ToFromDev,
            -5 => Direction::Unknown,
            v => Direction::Other(v),
        }
    }
}

bitflags::bitflags! {
    /// The `flags` member of `sg_io_hdr` (`SG_FLAG_*`). Unknown bits are kept.
    #[repr(transparent)]
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SgFlags: u32 {
        /// `SG_FLAG_DIRECT_IO`: ask for direct IO into the caller's buffer (may fall back).
        const DIRECT_IO = 0x1;
        /// `SG_FLAG_UNUSED_LUN_INHIBIT`.
        const UNUSED_LUN_INHIBIT = 0x2;
        /// `SG_FLAG_MMAP_IO`: the transfer uses the reserve, which the application has mapped.
        const MMAP_IO = 0x4;
        /// `SG_FLAG_Q_AT_TAIL`: queue the command at the tail (the default is the head).
        const Q_AT_TAIL = 0x10;
        /// `SG_FLAG_Q_AT_HEAD`.
        const Q_AT_HEAD = 0x20;
        /// `SG_FLAG_NO_DXFER`: a no-op in Linux 6.1.
        const NO_DXFER = 0x10000;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// The `info` member of a completed `sg_io_hdr` (`SG_INFO_*`). Unknown bits are kept.
    #[repr(transparent)]
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SgInfo: u32 {
        /// `SG_INFO_CHECK`: masked_status, host_status or driver_status is non-zero.
        const CHECK = 0x1;
        /// `SG_INFO_DIRECT_IO`: the transfer really was direct IO.
        const DIRECT_IO = 0x2;
        /// `SG_INFO_MIXED_IO`: part direct, part indirect.
        const MIXED_IO = 0x4;
        const _ = !0;
    }
}

impl SgInfo {
    /// `SG_INFO_OK_MASK`.
    pub const OK_MASK: u32 = 0x1;
    /// `SG_INFO_DIRECT_IO_MASK`.
    pub const DIRECT_IO_MASK: u32 = 0x6;

    /// How the data really moved, from `info & SG_INFO_DIRECT_IO_MASK`.
    pub const fn io_kind(self) -> IoKind {
        match self.bits() & Self::DIRECT_IO_MASK {
            0 => IoKind::Indirect,
            2 => IoKind::Direct,
            4 => IoKind::Mixed,
            v => IoKind::Other(v),
        }
    }
}

/// How the kernel moved the data of a completed request (`info & SG_INFO_DIRECT_IO_MASK`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IoKind {
    /// `SG_INFO_INDIRECT_IO` (0): copied through a kernel buffer (mmap-ed IO reports this too).
    Indirect,
    /// `SG_INFO_DIRECT_IO` (2).
    Direct,
    /// `SG_INFO_MIXED_IO` (4).
    Mixed,
    /// Bits the kernel does not define.
    Other(u32),
}

/// `struct sg_io_hdr`, the v3 request and response header.
///
/// The pointer fields are raw pointers: this crate never dereferences them. `sgmap-sys` fills
/// them from borrowed slices right before the system call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct SgIoHdr {
    /// `interface_id`: `'S'` ([`SG_INTERFACE_ID_ORIG`]).
    pub interface_id: i32,
    /// `dxfer_direction`: see [`Direction`].
    pub dxfer_direction: i32,
    /// `cmd_len`: CDB length, 6..=32 in practice.
    pub cmd_len: u8,
    /// `mx_sb_len`: the size of the sense buffer at `sbp`.
    pub mx_sb_len: u8,
    /// `iovec_count`: 0 for a flat buffer.
    pub iovec_count: u16,
    /// `dxfer_len`: bytes to transfer.
    pub dxfer_len: u32,
    /// `dxferp`: the data buffer; **NULL for zero-copy mmap-ed IO**.
    pub dxferp: *mut c_void,
    /// `cmdp`: the CDB.
    pub cmdp: *const u8,
    /// `sbp`: the sense buffer.
    pub sbp: *mut u8,
    /// `timeout` in milliseconds; 0 means the queue's default, not "none".
    pub timeout: u32,
    /// `flags`: see [`SgFlags`].
    pub flags: u32,
    /// `pack_id`: the caller's tag, echoed back.
    pub pack_id: i32,
    /// `usr_ptr`: echoed back, never dereferenced.
    pub usr_ptr: *mut c_void,
    /// `status`: the SAM status byte.
    pub status: u8,
    /// `masked_status`: `(status >> 1) & 0x7f`.
    pub masked_status: u8,
    /// `msg_status`.
    pub msg_status: u8,
    /// `sb_len_wr`: bytes of sense the driver wrote.
    pub sb_len_wr: u8,
    /// `host_status`: `DID_*`.
    pub host_status: u16,
    /// `driver_status`: `DRIVER_*`.
    pub driver_status: u16,
    /// `resid`: `dxfer_len` less what was actually transferred.
    pub resid: i32,
    /// `duration` in milliseconds.
    pub duration: u32,
    /// `info`: see [`SgInfo`].
    pub info: u32,
}

impl Default for SgIoHdr {
    fn default() -> Self {
        Self::new()
    }
}

impl SgIoHdr {
    /// A header with `interface_id = 'S'`, no data, null pointers and everything else zero.
    pub const fn new() -> Self {
        SgIoHdr {
            interface_id: SG_INTERFACE_ID_ORIG,
            dxfer_direction: Direction::None.to_raw(),
            cmd_len: 0,
            mx_sb_len: 0,
            iovec_count: 0,
            dxfer_len: 0,
            dxferp: ptr::null_mut(),
            cmdp: ptr::null(),
            sbp: ptr::null_mut(),
            timeout: 0,
            flags: 0,
            pack_id: 0,
            usr_ptr: ptr::null_mut(),
            status: 0,
            masked_status: 0,
            msg_status: 0,
            sb_len_wr: 0,
            host_status: 0,
            driver_status: 0,
            resid: 0,
            duration: 0,
            info: 0,
        }
    }

    /// The transfer direction.
    pub const fn direction(&self) -> Direction {
        Direction::from_raw(self.dxfer_direction)
    }

    /// The request flags, unknown bits kept.
    pub const fn flags(&self) -> SgFlags {
        SgFlags::from_bits_retain(self.flags)
    }

    /// The completion info, unknown bits kept.
    pub const fn info(&self) -> SgInfo {
        SgInfo::from_bits_retain(self.info)
    }
}

/// `struct sg_scsi_id`, filled by `SG_GET_SCSI_ID` (32 bytes on every ABI).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SgScsiId {
    /// `host_no`.
    pub host_no: i32,
    /// `channel`.
    pub channel: i32,
    /// `scsi_id` (target).
    pub scsi_id: i32,
    /// `lun`.
    pub lun: i32,
    /// `scsi_type`: the peripheral device type (0 disk, 5 CD/DVD, …).
    pub scsi_type: i32,
    /// `h_cmd_per_lun`.
    pub h_cmd_per_lun: i16,
    /// `d_queue_depth`.
    pub d_queue_depth: i16,
    /// `unused[2]`.
    pub unused: [i32; 2],
}

/// `struct sg_req_info`, one entry of `SG_GET_REQUEST_TABLE` ([`SG_MAX_QUEUE`] of them).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct SgReqInfo {
    /// `req_state`: 0 unused, 1 in flight, 2 finished (awaiting `read()`).
    pub req_state: i8,
    /// `orphan`: 1 if the caller gave up on it (interrupted `SG_IO`).
    pub orphan: i8,
    /// `sg_io_owned`: 1 if it came from `SG_IO` rather than `write()`.
    pub sg_io_owned: i8,
    /// `problem`: 1 if the completion has a non-zero status.
    pub problem: i8,
    /// `pack_id`.
    pub pack_id: i32,
    /// `usr_ptr`.
    pub usr_ptr: *mut c_void,
    /// `duration` in milliseconds (so far, while in flight).
    pub duration: u32,
    /// `unused`.
    pub unused: i32,
}

impl Default for SgReqInfo {
    fn default() -> Self {
        SgReqInfo {
            req_state: 0,
            orphan: 0,
            sg_io_owned: 0,
            problem: 0,
            pack_id: 0,
            usr_ptr: ptr::null_mut(),
            duration: 0,
            unused: 0,
        }
    }
}

/// Compile-time layout checks against the kernel's ABI (`include/scsi/sg.h`; the table in
/// the repository's `docs/kernel-facts.md`, "The `sg_io_hdr` layout").
mod layout {
    use super::*;
    use core::mem::{align_of, offset_of, size_of};

    const _: () = assert!(size_of::<SgScsiId>() == 32);
    const _: () = assert!(offset_of!(SgScsiId, scsi_type) == 16);
    const _: () = assert!(offset_of!(SgScsiId, h_cmd_per_lun) == 20);
    const _: () = assert!(offset_of!(SgScsiId, d_queue_depth) == 22);
    const _: () = assert!(size_of::<SgFlags>() == 4 && size_of::<SgInfo>() == 4);

    const _: () = assert!(offset_of!(SgIoHdr, interface_id) == 0);
    const _: () = assert!(offset_of!(SgIoHdr, dxfer_direction) == 4);
    const _: () = assert!(offset_of!(SgIoHdr, cmd_len) == 8);
    const _: () = assert!(offset_of!(SgIoHdr, mx_sb_len) == 9);
    const _: () = assert!(offset_of!(SgIoHdr, iovec_count) == 10);
    const _: () = assert!(offset_of!(SgIoHdr, dxfer_len) == 12);
    const _: () = assert!(offset_of!(SgIoHdr, dxferp) == 16);

    #[cfg(target_pointer_width = "64")]
    mod width {
        use super::*;
        const _: () = assert!(size_of::<SgIoHdr>() == 88);
        const _: () = assert!(align_of::<SgIoHdr>() == 8);
        const _: () = assert!(offset_of!(SgIoHdr, cmdp) == 24);
        const _: () = assert!(offset_of!(SgIoHdr, sbp) == 32);
        const _: () = assert!(offset_of!(SgIoHdr, timeout) == 40);
        const _: () = assert!(offset_of!(SgIoHdr, flags) == 44);
        const _: () = assert!(offset_of!(SgIoHdr, pack_id) == 48);
        const _: () = assert!(offset_of!(SgIoHdr, usr_ptr) == 56);
        const _: () = assert!(offset_of!(SgIoHdr, status) == 64);
        const _: () = assert!(offset_of!(SgIoHdr, masked_status) == 65);
        const _: () = assert!(offset_of!(SgIoHdr, msg_status) == 66);
        const _: () = assert!(offset_of!(SgIoHdr, sb_len_wr) == 67);
        const _: () = assert!(offset_of!(SgIoHdr, host_status) == 68);
        const _: () = assert!(offset_of!(SgIoHdr, driver_status) == 70);
        const _: () = assert!(offset_of!(SgIoHdr, resid) == 72);
        const _: () = assert!(offset_of!(SgIoHdr, duration) == 76);
        const _: () = assert!(offset_of!(SgIoHdr, info) == 80);
        const _: () = assert!(size_of::<SgReqInfo>() == 24);
    }

    #[cfg(target_pointer_width = "32")]
    mod width {
        use super::*;
        const _: () = assert!(size_of::<SgIoHdr>() == 64);
        const _: () = assert!(align_of::<SgIoHdr>() == 4);
        const _: () = assert!(offset_of!(SgIoHdr, cmdp) == 20);
        const _: () = assert!(offset_of!(SgIoHdr, sbp) == 24);
        const _: () = assert!(offset_of!(SgIoHdr, timeout) == 28);
        const _: () = assert!(offset_of!(SgIoHdr, flags) == 32);
        const _: () = assert!(offset_of!(SgIoHdr, pack_id) == 36);
        const _: () = assert!(offset_of!(SgIoHdr, usr_ptr) == 40);
        const _: () = assert!(offset_of!(SgIoHdr, status) == 44);
        const _: () = assert!(offset_of!(SgIoHdr, masked_status) == 45);
        const _: () = assert!(offset_of!(SgIoHdr, msg_status) == 46);
        const _: () = assert!(offset_of!(SgIoHdr, sb_len_wr) == 47);
        const _: () = assert!(offset_of!(SgIoHdr, host_status) == 48);
        const _: () = assert!(offset_of!(SgIoHdr, driver_status) == 50);
        const _: () = assert!(offset_of!(SgIoHdr, resid) == 52);
        const _: () = assert!(offset_of!(SgIoHdr, duration) == 56);
        const _: () = assert!(offset_of!(SgIoHdr, info) == 60);
        const _: () = assert!(size_of::<SgReqInfo>() == 20);
    }
}
