//! The accounting of mmap-ed IO: the sg driver's rules as a pure state machine.
//!
//! One [`Accounting`] belongs to one open sg file (one file descriptor). It knows the page
//! size, the reserve the kernel granted, whether and how much of it is mapped, and which
//! requests are in flight, and it answers **before any system call** whether an operation is
//! allowed. A refusal is a [`Refusal`] that names the rule it enforces.
//!
//! The driver itself does not check that a mapping exists, nor that it is long enough for an
//! mmap-ed request: "The logic to do mmap-ed IO _assumes_ that an appropriate mmap() call has
//! been made by the application. In other words it does not check" (the sg HOWTO, mmap-ed IO,
//! footnote 1). This accounting is that check. `sgmap-sys` asks it before every `ioctl`,
//! `mmap`, `write()` and access to the mapped bytes, and issues nothing it refused.
//!
//! # The rules
//!
//! | rule | kernel result | [`Refusal`] |
//! |---|---|---|
//! | reserve size after the first `mmap()` must not change, even after `munmap()` | `EBUSY` | [`Refusal::ReserveAfterMmap`] |
//! | reserve size cannot change while a request holds the reserve | `EBUSY` | [`Refusal::ReserveInUse`] |
//! | reserve size must fit an `int` | `EINVAL` | [`Refusal::ReserveTooLarge`] |
//! | mmap offset must be 0 | `EINVAL` | [`Refusal::MapOffset`] |
//! | mmap length must not be 0 | `EINVAL` | [`Refusal::MapEmpty`] |
//! | page-rounded mmap length must fit the reserve | `ENOMEM` | [`Refusal::MapTooLong`] |
//! | the mapping must be `MAP_SHARED` (a private one never reaches the device) | accepted, wrong | [`Refusal::MapPrivate`] |
//! | at most 16 requests outstanding per file | `EDOM` | [`Refusal::TooManyOutstanding`] |
//! | `interface_id` must be `'S'` | `ENOSYS` | [`Refusal::InterfaceId`] |
//! | `cmdp` must not be NULL | `EMSGSIZE` | [`Refusal::CdbMissing`] |
//! | CDB of 6..=32 bytes | `EMSGSIZE` below 6 or above 252, `EINVAL` from 33 | [`Refusal::CdbLength`] |
//! | `dxfer_len` below 256 MiB | `EINVAL` | [`Refusal::DxferTooLong`] |
//! | mmap request: `dxfer_len` ≤ reserve | `ENOMEM` | [`Refusal::MmapLongerThanReserve`] |
//! | mmap request: no direct-IO flag | `EINVAL` | [`Refusal::MmapWithDirectIo`] |
//! | mmap request: reserve not held by another request | `EBUSY` | [`Refusal::ReserveBusy`] |
//! | mmap request: a mapping exists | accepted: the data moves through the unmapped reserve | [`Refusal::MmapWithoutMapping`] |
//! | mmap request: `dxfer_len` ≤ mapped length | accepted: the data runs on past the mapping | [`Refusal::MmapLongerThanMapping`] |
//! | mmap request: `dxferp` NULL (else the kernel copies, and data-out takes `dxferp`'s bytes) | accepted, wrong | [`Refusal::MmapDataPointer`] |
//! | mmap request with data: no iovecs (the array would be at `dxferp`, NULL) | `EFAULT` | [`Refusal::MmapWithIovec`] |
//! | mmap request: direction NONE, TO_DEV or FROM_DEV (or TO_FROM_DEV without data) | `EFAULT` for TO_FROM_DEV with data; UNKNOWN is taken as FROM_DEV | [`Refusal::MmapDirection`] |
//! | pack ids unique among requests in flight (else completions cannot be matched) | accepted, ambiguous | [`Refusal::DuplicatePackId`] |
//! | the mapped bytes are the caller's only while no request may write them | data race | [`Refusal::MappingBusy`] |
//! | after a request was given up the reserve's state is unknown | `EBUSY` or accepted, depending on time and operation | [`Refusal::Orphaned`] |
//!
//! A kernel result in this table is what the driver answered in the guest tests
//! (`tests/tests/refusals.rs` makes each refused call raw against the real driver and compares
//! its errno with [`Refusal::errno`]; `docs/kernel-facts.md` names the test of every rule).
//! Where the kernel accepts the call, [`Refusal::errno`] is `None`: the rule is sgmap's own.
//!
//! # Requests that are not mmap-ed
//!
//! sg.c (`sg_start_req()`) lends the reserve to **any** non-mmap request with data whose
//! `dxfer_len` fits it while it is free, and copies that request's data through it: the
//! mapped bytes are overwritten. This accounting **accounts for it** rather than refusing it:
//! such a request is recorded as holding the reserve (so an mmap request, a resize or an access
//! to the mapped bytes is refused until it completes), and it invalidates the valid bytes of
//! the last mmap-ed data-in ([`Accounting::valid_len`] becomes 0, and
//! [`Ticket::clobbers_mapping`] says so). Bytes a caller placed in the mapping for a data-out
//! are lost too: submit them before any such request. A direct-IO request may fall back to
//! indirect IO through the reserve (when the buffer is not aligned), so it counts as holding
//! the reserve whenever it could.
//!
//! # References
//! - The sg HOWTO, "mmap-ed IO" (`shared/seed/sg-howto-mmap-io.txt`).
//! - `drivers/scsi/sg.c` (Linux 6.1): `sg_mmap()`, `sg_new_write()`, `sg_start_req()`,
//!   `sg_ioctl_common()` (`SG_SET_RESERVED_SIZE`), `sg_add_request()` (`SG_MAX_QUEUE`).

use core::fmt;

use crate::abi::{Direction, SgFlags, SgIoHdr, SG_INTERFACE_ID_ORIG, SG_MAX_CDB_SIZE};
use crate::abi::{SG_MAX_DXFER_LEN, SG_MAX_QUEUE, SG_MIN_CDB_SIZE};
use crate::status::{ExitCategory, Outcome};

/// Linux errno values the kernel returns for the rules here (asm-generic/errno*.h).
pub mod errno {
    /// `EINTR`.
    pub const EINTR: i32 = 4;
    /// `ENOMEM`.
    pub const ENOMEM: i32 = 12;
    /// `EFAULT`.
    pub const EFAULT: i32 = 14;
    /// `EBUSY`.
    pub const EBUSY: i32 = 16;
    /// `EINVAL`.
    pub const EINVAL: i32 = 22;
    /// `EDOM`.
    pub const EDOM: i32 = 33;
    /// `ENOSYS`.
    pub const ENOSYS: i32 = 38;
    /// `EMSGSIZE`.
    pub const EMSGSIZE: i32 = 90;
}

/// An operation the accounting refused, naming the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The page size is not a power of two of at least 512 bytes.
    PageSize {
        /// The page size given.
        page_size: u32,
    },
    /// `SG_SET_RESERVED_SIZE` to a different size after `mmap()` (kernel: `EBUSY`, sticky
    /// even after `munmap()`; sg.c keeps `mmap_called` set for the life of the file).
    ReserveAfterMmap {
        /// The size the reserve has.
        reserve: u32,
        /// The size asked for (after the kernel's cap).
        asked: u64,
    },
    /// `SG_SET_RESERVED_SIZE` while a request holds the reserve (kernel: `EBUSY`).
    ReserveInUse,
    /// A reserve size that does not fit the ioctl's `int` (kernel: `EINVAL`, since the bits of
    /// 2^31..2^32 read as a negative `int`; larger values cannot be passed at all).
    ReserveTooLarge {
        /// The size asked for.
        asked: u64,
    },
    /// `mmap()` at a non-zero offset (kernel: `EINVAL`).
    MapOffset {
        /// The offset given.
        offset: u64,
    },
    /// `mmap()` of length 0 (kernel: `EINVAL`).
    MapEmpty,
    /// `mmap()` whose page-rounded length exceeds the reserve (kernel: `ENOMEM`; the seed).
    MapTooLong {
        /// The length asked for, rounded up to a page.
        len: u64,
        /// The reserve's length.
        reserve: u32,
    },
    /// `mmap()` without `MAP_SHARED`: the driver accepts it, but the copy-on-write pages
    /// never reach the device (the seed: "The 'flags' argument should contain MAP_SHARED").
    MapPrivate,
    /// A 17th request on one file (kernel: `EDOM`, `SG_MAX_QUEUE` is 16).
    TooManyOutstanding,
    /// `interface_id` other than `'S'` (kernel: `ENOSYS`).
    InterfaceId {
        /// The value found.
        found: i32,
    },
    /// A NULL CDB pointer, whatever `cmd_len` says (kernel: `EMSGSIZE`; sg.c:
    /// `sg_new_write()`).
    CdbMissing,
    /// CDB length outside 6..=32 (kernel: `EMSGSIZE` below 6 or above 252 in
    /// `sg_new_write()`, `EINVAL` from 33 to 252 in `sg_start_req()`, whose `struct scsi_cmnd`
    /// holds 32 bytes).
    CdbLength {
        /// `cmd_len`.
        len: u8,
    },
    /// `dxfer_len` of 256 MiB or more (kernel: `EINVAL`).
    DxferTooLong {
        /// `dxfer_len`.
        len: u32,
    },
    /// An mmap request longer than the reserve (kernel: `ENOMEM`).
    MmapLongerThanReserve {
        /// `dxfer_len`.
        len: u32,
        /// The reserve's length.
        reserve: u32,
    },
    /// An mmap request with `SG_FLAG_DIRECT_IO` too (kernel: `EINVAL`).
    MmapWithDirectIo,
    /// An mmap request while another request holds the reserve (kernel: `EBUSY`): one mmap
    /// request in flight per file.
    ReserveBusy {
        /// The pack id of the request holding the reserve.
        holder: i32,
    },
    /// An mmap request on a file with nothing mapped. The driver does not check: it moves the
    /// data through the reserve all the same, where nothing of the caller's can see it.
    MmapWithoutMapping,
    /// An mmap request longer than the mapping. The driver does not check: the data runs on
    /// into the reserve past the end of the mapping.
    MmapLongerThanMapping {
        /// `dxfer_len`.
        len: u32,
        /// The mapped length.
        mapped: u32,
    },
    /// An mmap request with a non-NULL `dxferp`. The driver accepts it and copies through
    /// it: data-in reaches `dxferp` as well as the mapping, and a data-out sends `dxferp`'s
    /// bytes rather than the mapping's (and overwrites the mapping with them).
    MmapDataPointer,
    /// An mmap request with data and iovecs (kernel: `EFAULT`: with `dxferp` NULL it reads
    /// the iovec array from address 0; without data it looks at neither).
    MmapWithIovec,
    /// An mmap request with data whose direction is not NONE, TO_DEV or FROM_DEV. Kernel:
    /// `EFAULT` for TO_FROM_DEV (it copies in from `dxferp`, NULL); UNKNOWN is accepted as a
    /// data-in. (A non-negative value given to `write()` would be read as the old
    /// `sg_header`'s `reply_len`, and the header as a v2 request: sg.c `sg_write()`, not run
    /// here.)
    MmapDirection {
        /// The direction found.
        direction: Direction,
    },
    /// A pack id already in use by a request in flight on this file. The driver accepts it;
    /// `read()` of that pack id then returns whichever of them is the oldest finished.
    DuplicatePackId {
        /// The pack id.
        pack_id: i32,
    },
    /// A completion for a pack id that is not in flight.
    UnknownPackId {
        /// The pack id.
        pack_id: i32,
    },
    /// Access to the mapped bytes while a request may write them (or nothing is mapped).
    MappingBusy {
        /// The pack id of the request holding the reserve, if any.
        holder: Option<i32>,
    },
    /// An earlier request was given up (its outcome unknown): it may still hold the reserve
    /// and write into the mapping. The file must be opened again. The kernel answers a resize
    /// or an mmap request with `EBUSY` while such a request holds the reserve (a `write()`
    /// request until it is read, which sgmap never does for a given-up one; an interrupted
    /// `SG_IO` until it completes) and accepts anything else, so no one errno stands for it.
    Orphaned,
}

impl Refusal {
    /// The errno the kernel returns for the same operation, where the kernel checks the rule.
    /// `None` for the rules the kernel does not check, which only this accounting enforces.
    pub const fn errno(&self) -> Option<i32> {
        use errno::*;
        match self {
            Refusal::ReserveAfterMmap { .. } | Refusal::ReserveInUse => Some(EBUSY),
            Refusal::ReserveTooLarge { .. } => Some(EINVAL),
            Refusal::MapOffset { .. } | Refusal::MapEmpty => Some(EINVAL),
            Refusal::MapTooLong { .. } => Some(ENOMEM),
            Refusal::TooManyOutstanding => Some(EDOM),
            Refusal::InterfaceId { .. } => Some(ENOSYS),
            Refusal::CdbMissing => Some(EMSGSIZE),
            Refusal::CdbLength { len } => {
                if (*len as usize) < SG_MIN_CDB_SIZE || *len > 252 {
                    Some(EMSGSIZE)
                } else {
                    Some(EINVAL)
                }
            }
            Refusal::DxferTooLong { .. } => Some(EINVAL),
            Refusal::MmapLongerThanReserve { .. } => Some(ENOMEM),
            Refusal::MmapWithDirectIo => Some(EINVAL),
            Refusal::ReserveBusy { .. } => Some(EBUSY),
            Refusal::MmapWithIovec => Some(EFAULT),
            Refusal::MmapDirection {
                direction: Direction::ToFromDev,
            } => Some(EFAULT),
            _ => None,
        }
    }

    /// A short name of the rule, stable for logs and tests.
    pub const fn rule(&self) -> &'static str {
        match self {
            Refusal::PageSize { .. } => "page-size",
            Refusal::ReserveAfterMmap { .. } => "reserve-after-mmap",
            Refusal::ReserveInUse => "reserve-in-use",
            Refusal::ReserveTooLarge { .. } => "reserve-too-large",
            Refusal::MapOffset { .. } => "map-offset",
            Refusal::MapEmpty => "map-empty",
            Refusal::MapTooLong { .. } => "map-too-long",
            Refusal::MapPrivate => "map-private",
            Refusal::TooManyOutstanding => "too-many-outstanding",
            Refusal::InterfaceId { .. } => "interface-id",
            Refusal::CdbMissing => "cdb-missing",
            Refusal::CdbLength { .. } => "cdb-length",
            Refusal::DxferTooLong { .. } => "dxfer-too-long",
            Refusal::MmapLongerThanReserve { .. } => "mmap-longer-than-reserve",
            Refusal::MmapWithDirectIo => "mmap-with-direct-io",
            Refusal::ReserveBusy { .. } => "reserve-busy",
            Refusal::MmapWithoutMapping => "mmap-without-mapping",
            Refusal::MmapLongerThanMapping { .. } => "mmap-longer-than-mapping",
            Refusal::MmapDataPointer => "mmap-data-pointer",
            Refusal::MmapWithIovec => "mmap-with-iovec",
            Refusal::MmapDirection { .. } => "mmap-direction",
            Refusal::DuplicatePackId { .. } => "duplicate-pack-id",
            Refusal::UnknownPackId { .. } => "unknown-pack-id",
            Refusal::MappingBusy { .. } => "mapping-busy",
            Refusal::Orphaned => "orphaned",
        }
    }

    /// The sg3_utils exit category: 50 + errno where the kernel would have said it, else 99.
    pub const fn category(&self) -> ExitCategory {
        match self.errno() {
            Some(e) => ExitCategory::OsError(e as u16),
            None => ExitCategory::Other,
        }
    }
}

impl core::error::Error for Refusal {}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Refusal::PageSize { page_size } => {
                write!(f, "page size {page_size} is not a power of two of at least 512")
            }
            Refusal::ReserveAfterMmap { reserve, asked } => write!(
                f,
                "reserve is {reserve} bytes and already mapped: it cannot become {asked} (EBUSY; open the device again to resize)"
            ),
            Refusal::ReserveInUse => write!(f, "a request in flight holds the reserve (EBUSY)"),
            Refusal::ReserveTooLarge { asked } => {
                write!(f, "reserve size {asked} does not fit the driver's int (EINVAL)")
            }
            Refusal::MapOffset { offset } => {
                write!(f, "mmap offset must be 0, not {offset} (EINVAL)")
            }
            Refusal::MapEmpty => write!(f, "mmap length 0 (EINVAL)"),
            Refusal::MapTooLong { len, reserve } => write!(
                f,
                "mmap of {len} bytes (page-rounded) exceeds the {reserve}-byte reserve (ENOMEM)"
            ),
            Refusal::MapPrivate => write!(
                f,
                "mmap without MAP_SHARED: writes to private pages never reach the device"
            ),
            Refusal::TooManyOutstanding => {
                write!(f, "16 requests already outstanding on this file (EDOM)")
            }
            Refusal::InterfaceId { found } => {
                write!(f, "interface_id {found:#x} is not 'S' (ENOSYS)")
            }
            Refusal::CdbMissing => write!(f, "the CDB pointer is NULL (EMSGSIZE)"),
            Refusal::CdbLength { len } => {
                let errno = if self.errno() == Some(errno::EMSGSIZE) {
                    "EMSGSIZE"
                } else {
                    "EINVAL"
                };
                write!(f, "CDB length {len} is outside 6..=32 ({errno})")
            }
            Refusal::DxferTooLong { len } => {
                write!(f, "transfer of {len} bytes is 256 MiB or more (EINVAL)")
            }
            Refusal::MmapLongerThanReserve { len, reserve } => write!(
                f,
                "mmap-ed transfer of {len} bytes exceeds the {reserve}-byte reserve (ENOMEM)"
            ),
            Refusal::MmapWithDirectIo => {
                write!(f, "mmap-ed IO and direct IO together (EINVAL)")
            }
            Refusal::ReserveBusy { holder } => write!(
                f,
                "the reserve is held by request {holder}: one mmap-ed request per file (EBUSY)"
            ),
            Refusal::MmapWithoutMapping => {
                write!(f, "mmap-ed transfer with nothing mapped (the driver does not check)")
            }
            Refusal::MmapLongerThanMapping { len, mapped } => write!(
                f,
                "mmap-ed transfer of {len} bytes exceeds the {mapped}-byte mapping (the driver does not check)"
            ),
            Refusal::MmapDataPointer => write!(
                f,
                "mmap-ed transfer with a data pointer: it would be copied, not mapped"
            ),
            Refusal::MmapWithIovec => write!(f, "mmap-ed transfer with iovecs (EFAULT)"),
            Refusal::MmapDirection { direction } => write!(
                f,
                "mmap-ed transfer with direction {} (only none, to-device, from-device)",
                direction.to_raw()
            ),
            Refusal::DuplicatePackId { pack_id } => {
                write!(f, "pack id {pack_id} is already in flight on this file")
            }
            Refusal::UnknownPackId { pack_id } => {
                write!(f, "no request with pack id {pack_id} is in flight on this file")
            }
            Refusal::MappingBusy { holder: Some(h) } => write!(
                f,
                "the mapped reserve belongs to request {h} until it is collected"
            ),
            Refusal::MappingBusy { holder: None } => write!(f, "nothing is mapped"),
            Refusal::Orphaned => write!(
                f,
                "an interrupted request may still own the reserve: open the device again"
            ),
        }
    }
}

/// How a mapping is asked for (`mmap(NULL, len, prot, flags, fd, offset)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapRequest {
    /// `length`, before page rounding.
    pub len: u64,
    /// `offset`.
    pub offset: u64,
    /// `flags` contains `MAP_SHARED`.
    pub shared: bool,
}

/// What [`Accounting::submit`] recorded about a request it accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    /// The request's pack id.
    pub pack_id: i32,
    /// Whether the request is mmap-ed IO.
    pub mmap: bool,
    /// Whether the request holds (or may hold) the reserve until it is collected.
    pub holds_reserve: bool,
    /// Whether the kernel will overwrite the mapped bytes with this request's data (a
    /// non-mmap request that borrows the reserve).
    pub clobbers_mapping: bool,
}

/// What [`Accounting::complete`] found about a collected request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    /// The request's pack id.
    pub pack_id: i32,
    /// Whether it was mmap-ed IO.
    pub mmap: bool,
    /// The bytes of data that are valid: `dxfer_len - resid` (resid clamped to
    /// `0..=dxfer_len`), and 0 unless the outcome was GOOD or RECOVERED ERROR.
    pub valid: u32,
}

#[derive(Debug, Clone, Copy)]
struct InFlight {
    pack_id: i32,
    mmap: bool,
    holds_reserve: bool,
    data_in: bool,
    dxfer_len: u32,
    orphaned: bool,
}

/// The accounting of one open sg file. See the [module docs](self) for the rules.
#[derive(Debug, Clone)]
pub struct Accounting {
    page_size: u32,
    reserve: u32,
    cap: Option<u32>,
    mmap_called: bool,
    mapped: u32,
    valid: u32,
    in_flight: heapless::Vec<InFlight, SG_MAX_QUEUE>,
}

/// Rounds `n` up to a multiple of `page` (a power of two), saturating.
const fn round_up(n: u64, page: u32) -> u64 {
    let mask = page as u64 - 1;
    match n.checked_add(mask) {
        Some(v) => v & !mask,
        None => !mask,
    }
}

impl Accounting {
    /// The accounting of a freshly opened file whose reserve (read back with
    /// `SG_GET_RESERVED_SIZE`) is `reserve` bytes, on a system with `page_size`-byte pages.
    pub fn new(page_size: u32, reserve: u32) -> Result<Self, Refusal> {
        if !page_size.is_power_of_two() || page_size < 512 {
            return Err(Refusal::PageSize { page_size });
        }
        Ok(Accounting {
            page_size,
            reserve,
            cap: None,
            mmap_called: false,
            mapped: 0,
            valid: 0,
            in_flight: heapless::Vec::new(),
        })
    }

    /// Records the largest reserve the kernel will grant (`BLKSECTGET` on the sg file, in
    /// bytes): `SG_SET_RESERVED_SIZE` caps silently to it (sg.c: `max_sectors_bytes()`).
    pub fn set_cap(&mut self, cap: u32) {
        self.cap = Some(cap);
    }

    /// The page size.
    pub const fn page_size(&self) -> u32 {
        self.page_size
    }

    /// The reserve's length as last read back from the kernel.
    pub const fn reserve(&self) -> u32 {
        self.reserve
    }

    /// The longest mapping the reserve allows: its length rounded **down** to a page (the
    /// reserve is 512-aligned, not page-aligned, and `mmap()` rounds the length up).
    pub const fn max_map_len(&self) -> u32 {
        self.reserve & !(self.page_size - 1)
    }

    /// The length of the mapping in use, 0 if none.
    pub const fn mapped_len(&self) -> u32 {
        self.mapped
    }

    /// Whether `mmap()` has succeeded on this file at least once (sg.c's `mmap_called`).
    pub const fn mmap_called(&self) -> bool {
        self.mmap_called
    }

    /// Requests in flight (submitted and not yet collected), orphans included.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Whether an interrupted request left the file in an unknown state.
    pub fn is_orphaned(&self) -> bool {
        self.in_flight.iter().any(|r| r.orphaned)
    }

    /// The bytes at the start of the mapping that hold valid data from the last mmap-ed
    /// data-in; 0 after anything that may have overwritten them.
    pub const fn valid_len(&self) -> u32 {
        self.valid
    }

    fn holder(&self) -> Option<i32> {
        self.in_flight
            .iter()
            .find(|r| r.holds_reserve)
            .map(|r| r.pack_id)
    }

    /// Checks `SG_SET_RESERVED_SIZE` to `asked` bytes and returns the value to pass: `asked`
    /// rounded up to a page, as the seed says ("the size passed to
    /// ioctl(SG_SET_RESERVED_SIZE) should be rounded up to the next page size multiple").
    ///
    /// The kernel caps that value at `BLKSECTGET` and may grant less still: read the size back
    /// and record it with [`Accounting::reserve_granted`].
    pub fn check_reserve(&self, asked: u64) -> Result<i32, Refusal> {
        let rounded = round_up(asked, self.page_size);
        let value = i32::try_from(rounded).map_err(|_| Refusal::ReserveTooLarge { asked })?;
        self.check_reserve_exact(value as u32)?;
        Ok(value)
    }

    /// Checks `SG_SET_RESERVED_SIZE` to exactly `value` bytes, not rounded (the driver accepts
    /// any non-negative int and 512-aligns it).
    pub fn check_reserve_exact(&self, value: u32) -> Result<(), Refusal> {
        if value > i32::MAX as u32 {
            return Err(Refusal::ReserveTooLarge {
                asked: value as u64,
            });
        }
        if self.is_orphaned() {
            return Err(Refusal::Orphaned);
        }
        let effective = match self.cap {
            Some(cap) => value.min(cap),
            None => value,
        };
        if effective == self.reserve {
            return Ok(()); // sg.c: the same size again is a no-op, even after mmap
        }
        if self.mmap_called {
            return Err(Refusal::ReserveAfterMmap {
                reserve: self.reserve,
                asked: effective as u64,
            });
        }
        if self.holder().is_some() {
            return Err(Refusal::ReserveInUse);
        }
        Ok(())
    }

    /// Records the reserve's length as read back with `SG_GET_RESERVED_SIZE`.
    pub fn reserve_granted(&mut self, granted: u32) {
        if granted != self.reserve {
            self.valid = 0;
        }
        self.reserve = granted;
    }

    /// Checks a `mmap()` of this file and returns its length rounded up to a page.
    pub fn check_map(&self, req: MapRequest) -> Result<u32, Refusal> {
        if req.offset != 0 {
            return Err(Refusal::MapOffset { offset: req.offset });
        }
        if req.len == 0 {
            return Err(Refusal::MapEmpty);
        }
        let len = round_up(req.len, self.page_size);
        if len > u64::from(self.reserve) {
            return Err(Refusal::MapTooLong {
                len,
                reserve: self.reserve,
            });
        }
        if !req.shared {
            return Err(Refusal::MapPrivate);
        }
        Ok(len as u32)
    }

    /// Records a successful `mmap()` of `len` bytes (already page-rounded) as the mapping
    /// used for mmap-ed requests. From now on the reserve's size is fixed.
    pub fn mapped(&mut self, len: u32) {
        self.mmap_called = true;
        self.mapped = len.min(self.max_map_len());
    }

    /// Records `munmap()` of the mapping. The reserve's size stays fixed (sg.c never clears
    /// `mmap_called`).
    pub fn unmapped(&mut self) {
        self.mapped = 0;
        self.valid = 0;
    }

    /// Checks a request about to be submitted (with `ioctl(SG_IO)` or `write()`), without
    /// recording it. The rules are checked in the kernel's order first, then the ones only
    /// this accounting enforces.
    pub fn check_submit(&self, hdr: &SgIoHdr) -> Result<Ticket, Refusal> {
        if self.in_flight.len() >= SG_MAX_QUEUE {
            return Err(Refusal::TooManyOutstanding);
        }
        if hdr.interface_id != SG_INTERFACE_ID_ORIG {
            return Err(Refusal::InterfaceId {
                found: hdr.interface_id,
            });
        }
        let flags = hdr.flags();
        let mmap = flags.contains(SgFlags::MMAP_IO);
        let holder = self.holder();
        if mmap {
            if hdr.dxfer_len > self.reserve {
                return Err(Refusal::MmapLongerThanReserve {
                    len: hdr.dxfer_len,
                    reserve: self.reserve,
                });
            }
            if flags.contains(SgFlags::DIRECT_IO) {
                return Err(Refusal::MmapWithDirectIo);
            }
            if let Some(holder) = holder {
                return Err(Refusal::ReserveBusy { holder });
            }
        }
        if hdr.cmdp.is_null() {
            return Err(Refusal::CdbMissing);
        }
        if (hdr.cmd_len as usize) < SG_MIN_CDB_SIZE || (hdr.cmd_len as usize) > SG_MAX_CDB_SIZE {
            return Err(Refusal::CdbLength { len: hdr.cmd_len });
        }
        if hdr.dxfer_len >= SG_MAX_DXFER_LEN {
            return Err(Refusal::DxferTooLong { len: hdr.dxfer_len });
        }
        let direction = hdr.direction();
        if mmap {
            if self.mapped == 0 {
                return Err(Refusal::MmapWithoutMapping);
            }
            if hdr.dxfer_len > self.mapped {
                return Err(Refusal::MmapLongerThanMapping {
                    len: hdr.dxfer_len,
                    mapped: self.mapped,
                });
            }
            if !hdr.dxferp.is_null() {
                return Err(Refusal::MmapDataPointer);
            }
            // sg.c sg_start_req(): without data the kernel looks at neither iovecs nor buffer.
            let moves_data = hdr.dxfer_len > 0 && direction != Direction::None;
            if moves_data && hdr.iovec_count != 0 {
                return Err(Refusal::MmapWithIovec);
            }
            match direction {
                Direction::None | Direction::ToDev | Direction::FromDev => {}
                Direction::ToFromDev if !moves_data => {}
                _ => return Err(Refusal::MmapDirection { direction }),
            }
        }
        if self.is_orphaned() {
            return Err(Refusal::Orphaned);
        }
        if self.in_flight.iter().any(|r| r.pack_id == hdr.pack_id) {
            return Err(Refusal::DuplicatePackId {
                pack_id: hdr.pack_id,
            });
        }
        // sg.c sg_start_req(): no data, or direction NONE, uses no buffer at all.
        let has_data = hdr.dxfer_len > 0 && direction != Direction::None;
        let holds_reserve =
            has_data && (mmap || (hdr.dxfer_len <= self.reserve && holder.is_none()));
        Ok(Ticket {
            pack_id: hdr.pack_id,
            mmap,
            holds_reserve,
            clobbers_mapping: holds_reserve && !mmap,
        })
    }

    /// Checks a request and records it as in flight. Call right before the system call; if
    /// the system call fails without the kernel taking the request, call
    /// [`Accounting::cancel`]; if it is interrupted, [`Accounting::orphan`].
    pub fn submit(&mut self, hdr: &SgIoHdr) -> Result<Ticket, Refusal> {
        let ticket = self.check_submit(hdr)?;
        let entry = InFlight {
            pack_id: ticket.pack_id,
            mmap: ticket.mmap,
            holds_reserve: ticket.holds_reserve,
            data_in: matches!(
                hdr.direction(),
                Direction::FromDev | Direction::ToFromDev | Direction::Unknown
            ),
            dxfer_len: hdr.dxfer_len,
            orphaned: false,
        };
        if ticket.holds_reserve {
            self.valid = 0;
        }
        // check_submit refused a full queue, so this push cannot fail.
        self.in_flight
            .push(entry)
            .map_err(|_| Refusal::TooManyOutstanding)?;
        Ok(ticket)
    }

    fn position(&self, pack_id: i32) -> Result<usize, Refusal> {
        self.in_flight
            .iter()
            .position(|r| r.pack_id == pack_id && !r.orphaned)
            .ok_or(Refusal::UnknownPackId { pack_id })
    }

    /// Forgets a request the kernel did not take (its system call failed before queuing it).
    pub fn cancel(&mut self, pack_id: i32) -> Result<(), Refusal> {
        let i = self.position(pack_id)?;
        self.in_flight.swap_remove(i);
        Ok(())
    }

    /// Marks a request whose outcome is unknown (`ioctl(SG_IO)` returned `EINTR`): the
    /// kernel may still run it and write into the reserve, so the file refuses further mmap
    /// use, resizes and access to the mapped bytes. Open the device again.
    pub fn orphan(&mut self, pack_id: i32) -> Result<(), Refusal> {
        let i = self.position(pack_id)?;
        if let Some(r) = self.in_flight.get_mut(i) {
            r.orphaned = true;
        }
        self.valid = 0;
        Ok(())
    }

    /// Records the collection of a request (`ioctl(SG_IO)` returned, or `read()` gave its
    /// header back) and says how many bytes of its data are valid.
    pub fn complete(&mut self, hdr: &SgIoHdr, sense: &[u8]) -> Result<Completion, Refusal> {
        let i = self.position(hdr.pack_id)?;
        let r = self.in_flight.swap_remove(i);
        let outcome = Outcome::decode(hdr, sense);
        let resid = hdr.resid.clamp(0, r.dxfer_len.min(i32::MAX as u32) as i32) as u32;
        let valid = if outcome.data_valid() {
            r.dxfer_len - resid
        } else {
            0
        };
        if r.mmap && r.data_in {
            self.valid = valid;
        }
        Ok(Completion {
            pack_id: r.pack_id,
            mmap: r.mmap,
            valid,
        })
    }

    /// Checks that the caller may read or write the mapped bytes now, and returns the mapped
    /// length: refused while nothing is mapped or a request may write the reserve.
    pub fn check_access(&self) -> Result<u32, Refusal> {
        if self.is_orphaned() {
            return Err(Refusal::Orphaned);
        }
        if let Some(h) = self.holder() {
            return Err(Refusal::MappingBusy { holder: Some(h) });
        }
        if self.mapped == 0 {
            return Err(Refusal::MappingBusy { holder: None });
        }
        Ok(self.mapped)
    }
}

#[cfg(test)]
mod tests;
