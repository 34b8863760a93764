//! Opening an sg node, its ioctls, and its mapped reserve.

use core::ffi::{c_int, CStr};
use core::fmt::{self, Write as _};
use core::mem::MaybeUninit;

use rustix::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use rustix::fs::{self, FileType, Mode, OFlags, RawDir};
use rustix::io::Errno;
use sgmap_core::abi::{SgReqInfo, SgScsiId, SG_MAJOR, SG_MAX_QUEUE, SG_MIN_VERSION};
use sgmap_core::accounting::{Accounting, MapRequest};

use crate::error::{Detail, Error, ErrorKind, FileKind, Name, Op};
use crate::mapping::{Mapping, SensePage};
use crate::raw;

/// How to open an sg node: `O_RDWR | O_NONBLOCK` unless told otherwise.
///
/// `O_CLOEXEC` is always set: the file and its reserve must not leak into programs this
/// process executes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenOptions {
    read_only: bool,
    exclusive: bool,
    nonblocking: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl OpenOptions {
    /// Read-write, not exclusive, non-blocking.
    pub const fn new() -> Self {
        OpenOptions {
            read_only: false,
            exclusive: false,
            nonblocking: true,
        }
    }

    /// Open `O_RDONLY`: the mapping is then `PROT_READ` only, and no command can be sent
    /// ([`Device::execute`] and [`Device::submit`] answer `EBADF` before any system call):
    /// commands go through `write()`, which needs a read-write file. What remains are the
    /// ioctls and reading a mapping that another process's requests fill.
    pub fn read_only(&mut self, on: bool) -> &mut Self {
        self.read_only = on;
        self
    }

    /// Open `O_EXCL`: no other opener of the device meanwhile (`EBUSY` if there is one with
    /// `O_NONBLOCK`; the kernel refuses `O_EXCL | O_RDONLY` with `EPERM`).
    pub fn exclusive(&mut self, on: bool) -> &mut Self {
        self.exclusive = on;
        self
    }

    /// Open `O_NONBLOCK` (the default): `open()` does not wait for a recovering device, and
    /// an `O_EXCL` open fails with `EBUSY` instead of waiting for the other opener.
    ///
    /// Once open, the file is made blocking whatever this says: [`Device::wait`] and
    /// [`Device::execute`] collect with one blocking `read()`, and `write()` waits while the
    /// host recovers from errors, as `SG_IO` does. Use [`Device::poll_ready`] for a bounded
    /// wait.
    pub fn nonblocking(&mut self, on: bool) -> &mut Self {
        self.nonblocking = on;
        self
    }

    /// Opens `path`, refusing anything that is not an sg node before any SCSI command.
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn open(&self, path: impl AsRef<std::path::Path>) -> Result<Device, Error> {
        use std::os::unix::ffi::OsStrExt;
        let path = path.as_ref();
        let bytes = path.as_os_str().as_bytes();
        let name = Name::new(bytes);
        let c_path = std::ffi::CString::new(bytes).map_err(|_| {
            Error::os(Op::Open, &name, Errno::INVAL).with(Detail::Text("NUL in path"))
        })?;
        self.open_named(&c_path, name)
    }

    /// Opens `path`, refusing anything that is not an sg node before any SCSI command.
    ///
    /// The checks, in order: `stat()` (the path must be a character device of major 21, so
    /// that opening another device has no side effect), `open()`, `fstat()` (still the same
    /// device), `SG_GET_VERSION_NUM` ≥ 30000. Then the reserve (`SG_GET_RESERVED_SIZE`) and
    /// its cap (`BLKSECTGET`) are read into the [`Accounting`].
    pub fn open_cstr(&self, path: &CStr) -> Result<Device, Error> {
        self.open_named(path, Name::new(path.to_bytes()))
    }

    fn open_named(&self, path: &CStr, name: Name) -> Result<Device, Error> {
        let not_sg = |kind: FileKind| {
            Error::new(ErrorKind::NotSgDevice, Op::Open, &name).with(Detail::NotSg(kind))
        };
        let st = fs::stat(path).map_err(|e| Error::os(Op::Open, &name, e))?;
        let rdev = st.st_rdev;
        match FileType::from_raw_mode(st.st_mode) {
            FileType::CharacterDevice if fs::major(rdev) == SG_MAJOR => {}
            other => return Err(not_sg(file_kind(other, rdev))),
        }

        let mut flags = OFlags::CLOEXEC | OFlags::NOCTTY;
        flags |= if self.read_only {
            OFlags::RDONLY
        } else {
            OFlags::RDWR
        };
        if self.nonblocking {
            flags |= OFlags::NONBLOCK;
        }
        if self.exclusive {
            flags |= OFlags::EXCL;
        }
        let fd = fs::open(path, flags, Mode::empty()).map_err(|e| Error::os(Op::Open, &name, e))?;
        let st = fs::fstat(&fd).map_err(|e| Error::os(Op::Open, &name, e))?;
        if FileType::from_raw_mode(st.st_mode) != FileType::CharacterDevice || st.st_rdev != rdev {
            return Err(Error::new(ErrorKind::NotSgDevice, Op::Open, &name).with(Detail::Replaced));
        }

        // SAFETY: fstat just showed `fd` is a character device of major 21: an sg node.
        let version = unsafe { raw::get_version_num(&fd) }.map_err(|e| {
            let mut err = Error::os(Op::Ioctl("SG_GET_VERSION_NUM"), &name, e);
            if e == Errno::NOTTY || e == Errno::INVAL {
                err = Error::new(
                    ErrorKind::NotSgDevice,
                    Op::Ioctl("SG_GET_VERSION_NUM"),
                    &name,
                )
                .with(Detail::Text(
                    "the driver does not answer SG_GET_VERSION_NUM: not sg",
                ));
            }
            err
        })?;
        if version < SG_MIN_VERSION {
            return Err(Error::new(ErrorKind::NotSgDevice, Op::Open, &name)
                .with(Detail::OldDriver(version)));
        }

        if self.nonblocking {
            // F_SETFL with no flag clears O_NONBLOCK (the only status flag set above).
            fs::fcntl_setfl(&fd, OFlags::empty())
                .map_err(|e| Error::os(Op::Ioctl("F_SETFL"), &name, e))?;
        }

        // SAFETY: `fd` is an sg node (checked above).
        let reserve = unsafe { raw::get_reserved_size(&fd) }
            .map_err(|e| Error::os(Op::Ioctl("SG_GET_RESERVED_SIZE"), &name, e))?;
        let page_size = rustix::param::page_size();
        let mut acct = Accounting::new(page_size as u32, reserve.max(0) as u32)
            .map_err(|r| Error::refused(Op::Open, &name, r))?;
        // SAFETY: `fd` is an sg node (checked above).
        match unsafe { raw::blksectget(&fd) } {
            Ok(cap) if cap > 0 => acct.set_cap(cap as u32),
            // Kernels that do not answer BLKSECTGET on sg leave the cap unknown.
            Ok(_) | Err(Errno::NOTTY | Errno::INVAL) => {}
            Err(e) => return Err(Error::os(Op::Ioctl("BLKSECTGET"), &name, e)),
        }
        let sense = SensePage::new(page_size)
            .map_err(|e| Error::os(Op::Mmap(page_size as u64), &name, e))?;

        Ok(Device {
            mapping: None,
            fd,
            sense,
            name,
            acct,
            slots: [Slot::FREE; SG_MAX_QUEUE],
            next_pack_id: 1,
            force_pack_id: false,
            writable: !self.read_only,
            close_ms: u32::MAX,
        })
    }
}

/// What a path that is not an sg node is.
fn file_kind(file_type: FileType, rdev: fs::Dev) -> FileKind {
    let (major, minor) = (fs::major(rdev), fs::minor(rdev));
    match file_type {
        FileType::RegularFile => FileKind::Regular,
        FileType::Directory => FileKind::Directory,
        FileType::Fifo => FileKind::Fifo,
        FileType::Socket => FileKind::Socket,
        FileType::CharacterDevice => FileKind::Char { major, minor },
        FileType::BlockDevice => FileKind::Block {
            major,
            minor,
            sg: block_sg_node(major, minor),
        },
        _ => FileKind::Unknown,
    }
}

/// A path built on the stack (no allocation, for `no_std`).
struct StackPath {
    buf: [u8; 96],
    len: usize,
}

impl fmt::Write for StackPath {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end >= self.buf.len() {
            return Err(fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The `N` of the `/dev/sgN` that sysfs links to block device `major:minor`: its
/// `device/scsi_generic/sgN`, or its disk's for a partition.
fn block_sg_node(major: u32, minor: u32) -> Option<u32> {
    ["", "/.."].iter().find_map(|up| {
        let mut path = StackPath {
            buf: [0; 96],
            len: 0,
        };
        write!(
            path,
            "/sys/dev/block/{major}:{minor}{up}/device/scsi_generic"
        )
        .ok()?;
        path.buf[path.len] = 0;
        let path = CStr::from_bytes_with_nul(&path.buf[..=path.len]).ok()?;
        let dir = fs::open(
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .ok()?;
        let mut buf = [MaybeUninit::<u8>::uninit(); 1024];
        let mut entries = RawDir::new(dir, &mut buf);
        while let Some(entry) = entries.next() {
            let entry = entry.ok()?;
            let digits = entry.file_name().to_bytes().strip_prefix(b"sg");
            if let Some(n) = digits
                .and_then(|d| core::str::from_utf8(d).ok())
                .and_then(|d| d.parse().ok())
            {
                return Some(n);
            }
        }
        None
    })
}

/// A sense slot and the request that owns it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot {
    pub(crate) busy: bool,
    pub(crate) orphan: bool,
    pub(crate) pack_id: i32,
    pub(crate) timeout_ms: u32,
    /// The response header of this request, when a `read()` for another one returned it
    /// (`SG_SET_FORCE_PACK_ID` turned off behind the Device's back): the kernel is done with
    /// the request, and its collection takes this instead of reading again.
    pub(crate) stray: Option<[u8; raw::HDR_LEN]>,
}

impl Slot {
    pub(crate) const FREE: Slot = Slot {
        busy: false,
        orphan: false,
        pack_id: 0,
        timeout_ms: 0,
        stray: None,
    };
}

/// An open sg node: its file, the accounting of its reserve, the mapping, and the sense
/// buffers of its requests.
///
/// # Dropping blocks
///
/// Dropping a `Device` with requests in flight first collects them, together and for at most
/// the longest of their timeouts (a minute with [`Timeout::DEFAULT`](crate::Timeout)), then
/// unmaps the reserve and closes the file; the kernel finishes whatever is left on its own.
/// [`Device::close`] does the same and returns what went wrong; [`Device::close_within`]
/// waits no longer than the bound it is given and says how many requests it left. After a
/// request was given up ([`ErrorKind::OutcomeUnknown`]) nothing is collected: closing the
/// file is what frees the kernel's side. If requests are left, the page their sense
/// buffers are in is never unmapped (4 KiB): a duplicate of the descriptor may outlive the
/// `Device`, and a `read()` through it makes the kernel write there.
///
/// # After `fork()`
///
/// A `Device` knows whether it is in the process that opened it (its sense page is marked
/// `MADV_WIPEONFORK`, so a child's copy reads differently; no system call). In a child, the
/// requests in flight and the reserve are the parent's: dropping the child's copy waits for
/// nothing, and the calls that would reach or change the parent's reserve or its
/// force-pack-id setting ([`Device::mapping`], [`Device::mapping_mut`],
/// [`Device::valid_data`], [`Device::map`], [`Device::set_reserved_size`],
/// [`Device::set_force_pack_id`]) are refused. The kernel refuses the child's `read()` and
/// `write()` on the inherited file itself (`EPERM`: the credentials differ from the
/// opener's): open the device again in the child.
///
/// # In an event loop
///
/// `Device` is [`AsFd`] and [`AsRawFd`]: register the descriptor for readability
/// (`POLLIN` means a response waits; `POLLHUP` that the device is being removed) and
/// collect without blocking with [`Device::try_collect`]. This is sound: what safe code can
/// do with the descriptor alone is `read()`, `write()`, `poll()`, `fcntl()` and `fstat()`
/// (`mmap()` and `ioctl()` are `unsafe`), and none of them makes the mapped reserve, the
/// sense page or a caller's buffer reachable while the kernel may write them:
///
/// - a `read()` by other code takes a response this `Device` waits for. The kernel has then
///   finished that request, so the `Device`'s accounting, which still counts it in flight,
///   only errs on the safe side: its reserve stays out of reach. [`Device::try_collect`] finds
///   such a request gone from the kernel's table and gives it up
///   ([`ErrorKind::OutcomeUnknown`]); a blocking wait for it waits until the device goes.
///   The data of a request with a caller's buffer is copied by whichever `read()` takes it,
///   so [`Device::execute`] never gives such a request up while the kernel may still hold
///   it (see there): the buffer is alive whenever the kernel copies;
/// - `fcntl(F_SETFL, O_NONBLOCK)` makes the waits of this crate poll instead of block;
/// - a `write()` of an `sg_io_hdr` submits a request whose pointers the writer chose: like
///   writing `/proc/self/mem`, outside what any library can guard (see the crate docs).
#[derive(Debug)]
pub struct Device {
    // Drop order matters: the mapping and the file go before the sense page, whose
    // addresses the kernel holds for requests in flight until the file is closed.
    pub(crate) mapping: Option<Mapping>,
    pub(crate) fd: OwnedFd,
    pub(crate) sense: SensePage,
    pub(crate) name: Name,
    pub(crate) acct: Accounting,
    pub(crate) slots: [Slot; SG_MAX_QUEUE],
    pub(crate) next_pack_id: i32,
    pub(crate) force_pack_id: bool,
    pub(crate) writable: bool,
    /// How long Drop and `close` wait for the requests in flight, at most (ms).
    pub(crate) close_ms: u32,
}

impl Device {
    /// Opens `path` `O_RDWR | O_NONBLOCK`; see [`OpenOptions::open_cstr`] for the checks.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use sgmap_sys::{Device, ErrorKind};
    ///
    /// match Device::open("/dev/sda") {
    ///     Ok(dev) => println!("sg driver {}", dev.version()?),
    ///     // A block node, /dev/null, a missing path: refused before any SCSI command.
    ///     Err(e) if e.kind() == ErrorKind::NotSgDevice => eprintln!("{e}"),
    ///     Err(e) => return Err(e.into()),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<Device, Error> {
        OpenOptions::new().open(path)
    }

    /// The path as given to `open` (in `no_std`, at most its first 31 bytes).
    pub fn path(&self) -> &str {
        self.name.as_str()
    }

    /// Whether the file was opened read-only.
    pub fn is_read_only(&self) -> bool {
        !self.writable
    }

    /// The file descriptor, as [`AsFd::as_fd`] gives it (this was the only way before
    /// `Device` was `AsFd`).
    ///
    /// # Safety
    ///
    /// None beyond what `unsafe` code that uses the descriptor must uphold anyway: make no
    /// request (`write()`, `SG_IO`), `mmap()` or reserve change through it; the
    /// [`Accounting`] would not know, and the kernel could write the mapped bytes while safe
    /// code reads them.
    pub unsafe fn borrow_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// Refused in a child of the process that opened the file (see "After `fork()`").
    pub(crate) fn opener(&self, op: Op) -> Result<(), Error> {
        if self.sense.forked() {
            return Err(
                Error::new(ErrorKind::Refused, op, &self.name).with(Detail::Text(
                    "after fork(): the file's requests and reserve are the parent's",
                )),
            );
        }
        Ok(())
    }

    /// The accounting of this file's reserve and requests.
    pub fn accounting(&self) -> &Accounting {
        &self.acct
    }

    pub(crate) fn os(&self, op: Op, errno: Errno) -> Error {
        Error::os(op, &self.name, errno)
    }

    pub(crate) fn refused(&self, op: Op, refusal: sgmap_core::accounting::Refusal) -> Error {
        Error::refused(op, &self.name, refusal)
    }

    /// `flock(LOCK_EX | LOCK_NB)`: the advisory lock that other processes asking for it see
    /// (sg_dd's `flock` flag); `WouldBlock` while another open file holds it.
    pub fn lock_exclusive(&self) -> Result<(), Error> {
        rustix::fs::flock(
            &self.fd,
            rustix::fs::FlockOperation::NonBlockingLockExclusive,
        )
        .map_err(|e| self.os(Op::Ioctl("flock"), e))
    }

    /// `SG_GET_VERSION_NUM`: the driver's version (30536 for sg 3.5.36).
    pub fn version(&self) -> Result<i32, Error> {
        // SAFETY: `self.fd` is an sg node: `open` checked its major and version.
        unsafe { raw::get_version_num(&self.fd) }
            .map_err(|e| self.os(Op::Ioctl("SG_GET_VERSION_NUM"), e))
    }

    /// `SG_GET_RESERVED_SIZE`: the reserve's length, also recorded in the accounting.
    pub fn reserved_size(&mut self) -> Result<u32, Error> {
        // SAFETY: `self.fd` is an sg node (checked at open).
        let n = unsafe { raw::get_reserved_size(&self.fd) }
            .map_err(|e| self.os(Op::Ioctl("SG_GET_RESERVED_SIZE"), e))?;
        let n = n.max(0) as u32;
        self.acct.reserve_granted(n);
        Ok(n)
    }

    /// Asks for a reserve of `bytes` rounded up to a page (as the sg HOWTO advises), then
    /// reads back and returns what the kernel granted, which may be less (it caps at
    /// [`Device::max_transfer_bytes`] and halves on allocation failure, silently).
    ///
    /// Refused after the first `mmap()` of this file unless the size stays the same: open
    /// the device again to resize.
    pub fn set_reserved_size(&mut self, bytes: u64) -> Result<u32, Error> {
        let op = Op::SetReserve(bytes);
        let value = self
            .acct
            .check_reserve(bytes)
            .map_err(|r| self.refused(op, r))?;
        self.set_reserve_raw(op, value)
    }

    /// Asks for a reserve of exactly `bytes` (the driver rounds to 512, not to a page), then
    /// reads back and returns what was granted.
    pub fn set_reserved_size_exact(&mut self, bytes: u32) -> Result<u32, Error> {
        let op = Op::SetReserve(u64::from(bytes));
        self.acct
            .check_reserve_exact(bytes)
            .map_err(|r| self.refused(op, r))?;
        self.set_reserve_raw(op, bytes as c_int)
    }

    fn set_reserve_raw(&mut self, op: Op, value: c_int) -> Result<u32, Error> {
        self.opener(op)?;
        // SAFETY: `self.fd` is an sg node (checked at open).
        unsafe { raw::set_reserved_size(&self.fd, value) }
            .map_err(|e| self.os(op, e).with(Detail::Reserve(self.acct.reserve())))?;
        self.reserved_size()
    }

    /// `BLKSECTGET` on the sg file: the largest transfer in **bytes**, the cap of the reserve.
    pub fn max_transfer_bytes(&self) -> Result<u32, Error> {
        // SAFETY: `self.fd` is an sg node, on which BLKSECTGET writes an int.
        let n = unsafe { raw::blksectget(&self.fd) }
            .map_err(|e| self.os(Op::Ioctl("BLKSECTGET"), e))?;
        Ok(n.max(0) as u32)
    }

    /// `SG_GET_SCSI_ID`: host, channel, target, LUN, peripheral type.
    pub fn scsi_id(&self) -> Result<SgScsiId, Error> {
        // SAFETY: `self.fd` is an sg node (checked at open).
        unsafe { raw::get_scsi_id(&self.fd) }.map_err(|e| self.os(Op::Ioctl("SG_GET_SCSI_ID"), e))
    }

    /// `SG_GET_COMMAND_Q`: whether this file queues several commands.
    pub fn command_queuing(&self) -> Result<bool, Error> {
        // SAFETY: `self.fd` is an sg node (checked at open).
        let v = unsafe { raw::get_command_q(&self.fd) }
            .map_err(|e| self.os(Op::Ioctl("SG_GET_COMMAND_Q"), e))?;
        Ok(v != 0)
    }

    /// `SG_SET_COMMAND_Q`.
    pub fn set_command_queuing(&self, on: bool) -> Result<(), Error> {
        // SAFETY: `self.fd` is an sg node (checked at open).
        unsafe { raw::set_command_q(&self.fd, c_int::from(on)) }
            .map_err(|e| self.os(Op::Ioctl("SG_SET_COMMAND_Q"), e))
    }

    /// `SG_SET_FORCE_PACK_ID`: with `true`, [`Device::collect`] with a pack id returns only
    /// that request's response. [`Device::collect`] turns it on itself when it needs it.
    ///
    /// Turned off, a `read()` for one request may return another's: this crate keeps such a
    /// response for its own request and turns the setting on again. Refused in a child
    /// after `fork()`: the setting belongs to the file, which the parent uses.
    pub fn set_force_pack_id(&mut self, on: bool) -> Result<(), Error> {
        self.opener(Op::Ioctl("SG_SET_FORCE_PACK_ID"))?;
        // SAFETY: `self.fd` is an sg node (checked at open).
        unsafe { raw::set_force_pack_id(&self.fd, c_int::from(on)) }
            .map_err(|e| self.os(Op::Ioctl("SG_SET_FORCE_PACK_ID"), e))?;
        self.force_pack_id = on;
        Ok(())
    }

    /// `SG_GET_PACK_ID`: the pack id of the first finished, unread response, if any.
    pub fn first_pack_id(&self) -> Result<Option<i32>, Error> {
        // SAFETY: `self.fd` is an sg node (checked at open).
        let id = unsafe { raw::get_pack_id(&self.fd) }
            .map_err(|e| self.os(Op::Ioctl("SG_GET_PACK_ID"), e))?;
        Ok((id != -1).then_some(id))
    }

    /// `SG_GET_NUM_WAITING`: finished responses not yet collected.
    pub fn num_waiting(&self) -> Result<u32, Error> {
        // SAFETY: `self.fd` is an sg node (checked at open).
        let n = unsafe { raw::get_num_waiting(&self.fd) }
            .map_err(|e| self.os(Op::Ioctl("SG_GET_NUM_WAITING"), e))?;
        Ok(n.max(0) as u32)
    }

    /// `SG_GET_KEEP_ORPHAN`. (There is no setter: this crate never orphans a request —
    /// it does not use `SG_IO` — and never collects one.)
    pub fn keep_orphan(&self) -> Result<bool, Error> {
        // SAFETY: `self.fd` is an sg node (checked at open).
        let v = unsafe { raw::get_keep_orphan(&self.fd) }
            .map_err(|e| self.os(Op::Ioctl("SG_GET_KEEP_ORPHAN"), e))?;
        Ok(v != 0)
    }

    /// `SG_GET_TIMEOUT`: the old interface's default timeout in jiffies (`USER_HZ`). Requests
    /// made here carry their own timeout in milliseconds ([`crate::Timeout`]).
    pub fn timeout_jiffies(&self) -> Result<i32, Error> {
        // SAFETY: `self.fd` is an sg node (checked at open).
        unsafe { raw::get_timeout(&self.fd) }.map_err(|e| self.os(Op::Ioctl("SG_GET_TIMEOUT"), e))
    }

    /// `SG_SET_TIMEOUT`, in jiffies (`USER_HZ`); negative → `EIO`.
    pub fn set_timeout_jiffies(&self, jiffies: i32) -> Result<(), Error> {
        // SAFETY: `self.fd` is an sg node (checked at open).
        unsafe { raw::set_timeout(&self.fd, jiffies) }
            .map_err(|e| self.os(Op::Ioctl("SG_SET_TIMEOUT"), e))
    }

    /// `SG_GET_REQUEST_TABLE`: the file's requests (`req_state` 1 in flight, 2 finished and
    /// unread; 0 unused).
    pub fn request_table(&self) -> Result<[SgReqInfo; SG_MAX_QUEUE], Error> {
        // SAFETY: `self.fd` is an sg node (checked at open).
        unsafe { raw::get_request_table(&self.fd) }
            .map_err(|e| self.os(Op::Ioctl("SG_GET_REQUEST_TABLE"), e))
    }

    /// Maps the reserve: its granted length rounded **down** to a page, `MAP_SHARED`,
    /// `PROT_READ | PROT_WRITE` (`PROT_READ` on a read-only file), offset 0. Returns the
    /// mapped length; mapping an already mapped file returns the existing length.
    ///
    /// From now on the reserve's size is fixed for the life of the file (the driver refuses
    /// a resize after `mmap()` even once unmapped).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use sgmap_sys::Device;
    ///
    /// let mut dev = Device::open("/dev/sg1")?;
    /// let granted = dev.set_reserved_size(256 * 1024)?; // may be less than asked
    /// let mapped = dev.map()?; // `granted` rounded down to a page
    /// dev.mapping_mut()?[..4].copy_from_slice(b"data"); // nothing in flight: writable
    /// println!("{granted} granted, {mapped} mapped");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn map(&mut self) -> Result<u32, Error> {
        if let Some(m) = &self.mapping {
            return Ok(m.len() as u32);
        }
        self.map_exact(MapRequest {
            len: u64::from(self.acct.max_map_len()),
            offset: 0,
            shared: true,
        })
    }

    /// Maps the reserve as `req` asks, if the accounting allows it: offset 0, `MAP_SHARED`
    /// only (a private mapping is refused: the driver accepts it, but its copy-on-write
    /// pages never reach the device), a page-rounded length within the reserve.
    pub fn map_exact(&mut self, req: MapRequest) -> Result<u32, Error> {
        let op = Op::Mmap(req.len);
        if self.mapping.is_some() {
            return Err(
                Error::new(ErrorKind::Refused, op, &self.name).with(Detail::Text(
                    "the reserve is already mapped: unmap it first",
                )),
            );
        }
        self.opener(op)?;
        let len = self.acct.check_map(req).map_err(|r| self.refused(op, r))?;
        let mapping = Mapping::new(&self.fd, len as usize, self.writable)
            .map_err(|e| self.os(op, e).with(Detail::Reserve(self.acct.reserve())))?;
        self.mapping = Some(mapping);
        self.acct.mapped(len);
        Ok(len)
    }

    /// Unmaps the reserve (a no-op if nothing is mapped). The reserve's size stays fixed.
    pub fn unmap(&mut self) -> Result<(), Error> {
        if self.mapping.take().is_some() {
            self.acct.unmapped();
        }
        Ok(())
    }

    /// The whole mapping, to read. Refused while nothing is mapped or a request may write
    /// the reserve (an mmap-ed request in flight, or another request borrowing the reserve).
    pub fn mapping(&self) -> Result<&[u8], Error> {
        self.opener(Op::Access)?;
        let len = self
            .acct
            .check_access()
            .map_err(|r| self.refused(Op::Access, r))?;
        match &self.mapping {
            // SAFETY: check_access says no request in flight may write the reserve, and none
            // can start while this borrow of `self` lives (submitting needs `&mut self`);
            // `len` is the mapped length.
            Some(m) => Ok(unsafe { m.bytes(len as usize) }),
            None => Err(self.refused(
                Op::Access,
                sgmap_core::accounting::Refusal::MappingBusy { holder: None },
            )),
        }
    }

    /// The whole mapping, to fill (for an mmap-ed data-out). Refused as [`Device::mapping`],
    /// and on a read-only file.
    pub fn mapping_mut(&mut self) -> Result<&mut [u8], Error> {
        self.opener(Op::Access)?;
        let len = self
            .acct
            .check_access()
            .map_err(|r| self.refused(Op::Access, r))?;
        let name = &self.name;
        match &mut self.mapping {
            Some(m) if !m.writable() => Err(Error::new(ErrorKind::Refused, Op::Access, name).with(
                Detail::Text("the file is open read-only: its mapping is PROT_READ"),
            )),
            // SAFETY: as in `mapping`; `&mut self` makes this the only reference, and the
            // mapping is writable.
            Some(m) => Ok(unsafe { m.bytes_mut(len as usize) }),
            None => Err(Error::refused(
                Op::Access,
                name,
                sgmap_core::accounting::Refusal::MappingBusy { holder: None },
            )),
        }
    }

    /// The valid bytes of the last mmap-ed data-in: `dxfer_len - resid` from the start of
    /// the mapping, and never the stale tail beyond them (the reserve is not cleared between
    /// transfers). Empty after anything that may have overwritten them.
    pub fn valid_data(&self) -> Result<&[u8], Error> {
        let bytes = self.mapping()?;
        let valid = (self.acct.valid_len() as usize).min(bytes.len());
        Ok(&bytes[..valid])
    }
}

/// The descriptor, for an event loop's `poll()`/`epoll` (see "In an event loop" on
/// [`Device`] for why lending it is sound).
///
/// # Examples
///
/// ```no_run
/// use std::os::fd::AsFd;
/// use rustix::event::{poll, PollFd, PollFlags};
/// use sgmap_sys::{Command, Data, Device};
///
/// let mut dev = Device::open("/dev/sg1")?;
/// let id = dev.submit(&Command::new(&[0; 6]), Data::None)?; // TEST UNIT READY
/// {
///     let fd = dev.as_fd();
///     poll(&mut [PollFd::new(&fd, PollFlags::IN)], None)?;
/// }
/// if let Some(response) = dev.try_collect(Some(id))? {
///     println!("status {:#04x}", response.status);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl AsFd for Device {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// The descriptor's number (see [`AsFd`]).
impl AsRawFd for Device {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
