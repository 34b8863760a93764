//! `sgmap-sys`: the Linux sg driver over rustix — open, ioctls, the mapped reserve, and
//! commands sent with `write()` and collected with `read()`, each reaching the device once.
//!
//! ```no_run
//! use sgmap_sys::sgmap_core::cdb::{Read, ToCdb};
//! use sgmap_sys::{Command, Data, Device};
//!
//! let mut dev = Device::open("/dev/sg1")?; // an sg node, or refused before any command
//! dev.set_reserved_size(1 << 20)?; // the kernel may grant less: it says how much
//! dev.map()?; // the reserve, mapped: the data's one home
//! let read = Read { lba: 0, blocks: 8, ..Read::default() }.to_cdb()?;
//! let r = dev.execute(&Command::new(read.as_bytes()), Data::MmapIn(8 * 512))?;
//! println!("{:?}: {} bytes read in place", r.outcome(), dev.valid_data()?.len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Where to go from here: [`Device`] (one open file: [`Device::execute`],
//! [`Device::submit`] and [`Device::collect`], [`Device::try_collect`] for an event loop, the
//! mapping), `Queue` (std: requests in flight over several files of one device), [`Error`]
//! and [`ErrorKind`] (what went wrong, and whether the command was sent), [`raw`] (one
//! `unsafe fn` per kernel operation). The rest of this page is the design: why no
//! `ioctl(SG_IO)`, and why the safe API is sound.
//!
//! # The one command path
//!
//! Every command this crate sends — [`Device::execute`], [`Device::submit`], and through
//! them [`Queue`] — is handed to the kernel by one `write()` of its `sg_io_hdr` and
//! collected by a `read()` of its pack id. Nothing here uses `ioctl(SG_IO)`. The argument:
//!
//! - **`write()` queues the command once or not at all.** sg's `write()` has no
//!   interruptible wait; it returns the header's length once the request is queued, and
//!   removes the request on every error path before queuing it (sg.c: `sg_write()`,
//!   `sg_new_write()`, `sg_common_write()`). So an error from it means *not sent*.
//! - **`read()` loses nothing when interrupted.** It waits *before* it picks a request
//!   (sg.c: `sg_read()`), so a signal — with a handler or not, with `SA_RESTART` or not, or a
//!   stop by `SIGSTOP`, `SIGTSTP`, the cgroup freezer or a debugger — only ends or restarts
//!   the wait; the request stays queued and the next `read()` returns it.
//! - **`SG_IO` does not have these properties.** When its wait is interrupted the kernel
//!   marks the request an orphan, lets it run, and (for a stop, or a handler with
//!   `SA_RESTART`) restarts the ioctl as a *new* request: the device sees the command twice,
//!   and the orphan may still own the reserve while the caller thinks it free. The guest test
//!   `scsi_debug_sg_io_interrupted_by_a_stop_signal_is_reissued_by_the_kernel` shows it with
//!   [`raw::sg_io`]; the tests beside it count one command at the device for every
//!   `execute`, `submit` and `Queue` transfer under the same stops.
//!
//! So a command reaches the device exactly once, or the caller is told
//! [`ErrorKind::OutcomeUnknown`]: the kernel took it and its end cannot be known (a
//! `write()` count the driver never returns, a response that does not come back whole, a
//! response taken by a `read()` other code made on the file, or — on kernels before the
//! 2022 change to sg's `read()` — a device removed for longer than the command's timeout and
//! [`WAIT_MARGIN_MS`]). Such a request is never collected and its file refuses further use of
//! the reserve. On a device being removed, Linux 6.1's `read()` waits for a request still in
//! flight and returns it as usual; `ENODEV` comes only when the file has no such request
//! (measured in the guest: `removal.rs`). With no
//! signal the cost is what `SG_IO` costs plus one system call: `write()`, then one blocking
//! `read()` (the file is made blocking once open; see [`OpenOptions::nonblocking`]).
//!
//! # Layers
//!
//! - [`raw`]: one `unsafe fn` per kernel operation (`write()` of a header, `ioctl(fd, SG_IO,
//!   &hdr)`, `mmap`, …), public so that tests can show what the kernel itself does;
//! - [`Device`]: an open sg node. Every `mmap()`, request and access to the mapped bytes is
//!   first checked by its [`Accounting`] (sgmap-core), the one place that knows the rules of
//!   mmap-ed IO; this crate never re-checks them and issues nothing it refused;
//! - `Queue` (std only): queue depth over several files of one device.
//!
//! Opening refuses anything that is not an sg node before any SCSI command: `stat()` first
//! (so that opening another device, which may do something, never happens), then `open()`,
//! `fstat()` (the same node), and `SG_GET_VERSION_NUM` ≥ 30000.
//!
//! # Soundness
//!
//! The kernel writes memory outside Rust's view in three places. The safe API keeps each of
//! them from racing with a Rust reference:
//!
//! 1. **The mapped reserve.** The device writes it during an mmap-ed data-in, and sg lends it
//!    to any other request on the file whose data fits. Safe code reaches it only through
//!    [`Device::mapping`], [`Device::mapping_mut`] and [`Device::valid_data`], which borrow
//!    the `Device` and ask [`Accounting::check_access`] first: refused while any request that
//!    may write the reserve is in flight (an mmap-ed one, one borrowing the reserve, or one
//!    given up). While the returned slice lives, no request can start, because starting one
//!    ([`Device::execute`], [`Device::submit`]) takes `&mut self`. A request leaves the
//!    accounting only when `read()` returned it, that is when the kernel is done with it;
//!    there is no orphan that the kernel keeps running behind the accounting's back. There is
//!    no guard object whose leaking could open a window. The mapping is unmapped only
//!    through `&mut self` or on drop.
//! 2. **Caller buffers.** [`Data::In`], [`Data::Out`] and the direct variants borrow the
//!    caller's slice for the duration of [`Device::execute`]. The kernel copies indirect
//!    data-out during `write()` and indirect data-in during the `read()` that collects the
//!    request, both inside `execute`. A data-in request is never given up while the kernel
//!    may copy into its buffer: the `read()` that collects it copies, whoever makes it (a
//!    file closed with a request pending frees it from a workqueue, which has no user
//!    address space to copy to: `bio_uncopy_user()`). A given-up data-out was copied at
//!    `write()` time. Direct IO — the device uses the caller's pages while the command
//!    runs — is waited for the same way: `execute` returns from a direct request only once
//!    the kernel no longer lists it as in flight. Only
//!    [`Data::None`], [`Data::MmapIn`] and [`Data::MmapOut`] may be submitted without
//!    waiting ([`Device::submit`]): no caller buffer can outlive the call.
//! 3. **Sense buffers.** A request's `sbp` is kept by the kernel and written at `read()`
//!    time. Every request's sense goes to its own 96-byte slot of one anonymous page owned
//!    by the `Device`, at a fixed address whatever happens to the `Device` value; Rust never
//!    references the page and copies a slot out only after its request was collected. On
//!    drop the `Device` collects what is in flight (for at most the longest timeout among
//!    them), then closes the file, then unmaps the page — or leaves the page mapped for
//!    good if requests are left: a duplicate of the descriptor may outlive the `Device`.
//!
//! What this argument assumes: that no other code submits requests on the `Device`'s file.
//! The file is opened `O_CLOEXEC`. `Device` is `AsFd` (for event loops), which lets safe
//! code `read()` from it: such a read takes a response, which leaves the request counted in
//! flight — erring on the safe side — and never frees anything the kernel may still write;
//! a caller's buffer is never given up while the kernel may copy into it (see "In an event
//! loop" on [`Device`]). A read for one request that returns another's (force-pack-id
//! turned off behind the `Device`'s back) is kept for that request's own collection.
//! A process that `fork()`s (itself `unsafe`) shares the reserve with its child, like any
//! `MAP_SHARED` memory; the child's copy of a `Device` knows it is one and refuses the
//! reserve and the file's settings, and its drop waits for nothing ("After `fork()`" on
//! [`Device`]). As with `/proc/self/mem`, a program that submits requests pointing into its
//! own memory with plain system calls — on its own sg file or by `write()` on this one — is
//! outside what any library can guard.
//!
//! # Cargo features and `no_std`
//!
//! - `std` (default): [`Device::open`] and [`OpenOptions::open`] with a `Path`, `Queue`,
//!   [`Error`]'s conversion to `std::io::Error`, and its errno as its error `source()`
//!   ([`Error`] is a `core::error::Error` with or without `std`).
//! - `asc-strings` (default): sgmap-core's T10 ASC/ASCQ names (its feature of the same
//!   name), a 15 KiB table (26 KiB of names, packed).
//!
//! With `default-features = false` the crate is `no_std` and allocates nothing: open with
//! [`OpenOptions::open_cstr`]; there is no `Queue`; device names in messages keep the
//! path's first 31 bytes. It still needs Linux (rustix's raw system calls, no libc), not an
//! operating system's absence: `no_std` here is for programs that bring no std of their
//! own, such as an initramfs tool or a `#![no_main]` firmware loader.
//!
//! # Signals
//!
//! The crate installs no signal handler and blocks no signal: what a signal does to a
//! program is the program's choice, and none can make a command of this crate run twice
//! ("The one command path"). A program that wants to stop a long job between commands catches
//! the signals itself and looks between commands (the `sgmap` command's handlers set a flag,
//! which costs no system call to look at).
//!
//! # Public dependencies
//!
//! - **rustix 1** (any 1.x from 1.1): [`Errno`] (re-exported here), returned by
//!   [`Error::errno`] (for the plain number, [`Error::raw_os_error`]); the file
//!   descriptor types `BorrowedFd`, `AsFd` and `AsRawFd` of [`Device`] and [`raw`], which
//!   are std's own (`std::os::fd`) with the `std` feature and rustix's without; and, in
//!   [`raw`] only, `rustix::io::Result` and the [`raw::MapFlags`] and [`raw::ProtFlags`]
//!   of [`raw::mmap`] (re-exported there). Nothing else of rustix is public. A rustix 2
//!   would be a major release of this crate.
//! - **sgmap-core**, re-exported whole as [`sgmap_core`], with the types of its that this
//!   API uses at this crate's root.
//!
//! # References
//! - The sg HOWTO, "mmap-ed IO".
//! - `drivers/scsi/sg.c` (Linux 6.1), `include/scsi/sg.h`.
//! - The repository's `docs/kernel-facts.md`: each rule of the driver this crate relies on,
//!   with the guest test that proves it against the real kernel.
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

mod device;
mod error;
mod io;
mod mapping;
#[cfg(feature = "std")]
mod queue;
pub mod raw;

pub use device::{Device, OpenOptions};
pub use error::{errno_name, errno_text, Error, ErrorKind, FileKind};
pub use io::{Command, Data, Response, Timeout, WAIT_MARGIN_MS};
#[cfg(feature = "std")]
pub use queue::Queue;
/// rustix's errno type, which [`Error::errno`] returns: named here so that matching it needs
/// no rustix dependency of one's own (see "Public dependencies" in the crate docs).
pub use rustix::io::Errno;

pub use sgmap_core::abi::{IoKind, SgFlags, SgInfo, SgReqInfo, SgScsiId};
pub use sgmap_core::accounting::{Accounting, MapRequest, Refusal};
pub use sgmap_core::status::{ExitCategory, Outcome};

/// sgmap-core, re-exported so that one dependency gives both layers.
pub use sgmap_core;

#[cfg(all(test, not(feature = "std")))]
extern crate std;

#[cfg(test)]
mod tests;

/// The crate README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
