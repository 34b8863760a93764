//! `sgmap-sys`: the Linux sg driver over rustix — open, ioctls, the mapped reserve, `SG_IO`,
//! and asynchronous `write()` / `poll()` / `read()`.
//!
//! # Layers
//!
//! - [`raw`]: one `unsafe fn` per kernel operation (`ioctl(fd, SG_IO, &hdr)`, `mmap`, …),
//!   public so that tests can show what the kernel itself does;
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
//!    may write the reserve is in flight (an mmap-ed one, one borrowing the reserve, or an
//!    orphan). While the returned slice lives, no request can start, because starting one
//!    ([`Device::execute`], [`Device::submit`]) takes `&mut self`; an `SG_IO` request runs
//!    entirely inside `execute`, with `&mut self` held. There is no guard object whose
//!    leaking could open a window. The mapping is unmapped only through `&mut self` or on
//!    drop.
//! 2. **Caller buffers.** [`Data::In`], [`Data::Out`] and the direct variants borrow the
//!    caller's slice for the duration of [`Device::execute`], which covers the whole
//!    `SG_IO` call: the kernel copies indirect data inside it, and an orphaned request
//!    (`EINTR`) finishing in the kernel's workqueue copies nothing to user memory. Direct
//!    IO is the exception — the device may keep using the caller's pages after `EINTR` — so
//!    `execute` then waits until `SG_GET_REQUEST_TABLE` shows the request done before it
//!    returns. Only [`Data::None`], [`Data::MmapIn`] and [`Data::MmapOut`] may be submitted
//!    with `write()` ([`Device::submit`]): no caller buffer can outlive the call.
//! 3. **Sense buffers.** A `write()` request's `sbp` is kept by the kernel and written at
//!    `read()` time. Every request's sense goes to its own 96-byte slot of one anonymous page
//!    owned by the `Device`, at a fixed address whatever happens to the `Device` value; Rust
//!    never references the page and copies a slot out only after its request was collected.
//!    On drop the `Device` collects what is in flight, then closes the file, then unmaps
//!    the page. After an interrupted request ([`ErrorKind::Interrupted`]) the file refuses
//!    every request and collection: with `SG_SET_KEEP_ORPHAN` a later `read()` could return
//!    the orphan and copy into buffers that are gone.
//!
//! What this argument assumes: that no other code submits requests on the `Device`'s file.
//! The file is opened `O_CLOEXEC` and not exposed except through the `unsafe`
//! [`Device::borrow_fd`]; a process that `fork()`s (itself `unsafe`) shares the reserve with
//! its child, like any `MAP_SHARED` memory. As with `/proc/self/mem`, a program that opens
//! an sg node with plain system calls and submits requests pointing into its own memory is
//! outside what any library can guard.
//!
//! # `no_std`
//!
//! With `default-features = false` the crate is `no_std` and allocates nothing: open with
//! [`OpenOptions::open_cstr`]; there is no `Queue`; device names in messages keep the
//! path's first 31 bytes.
//!
//! # References
//! - The sg HOWTO, "mmap-ed IO".
//! - `drivers/scsi/sg.c` (Linux 6.1), `include/scsi/sg.h`; `shared/reference/sg-driver.md`.
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

mod device;
mod error;
mod io;
mod mapping;
#[cfg(feature = "std")]
mod queue;
pub mod raw;
#[cfg(feature = "std")]
pub mod signals;

pub use device::{Device, OpenOptions};
pub use error::{Error, ErrorKind, FileKind};
pub use io::{Command, Data, Response, Timeout, WAIT_MARGIN_MS};
#[cfg(feature = "std")]
pub use queue::Queue;

pub use sgmap_core::abi::{IoKind, SgFlags, SgInfo, SgReqInfo, SgScsiId};
pub use sgmap_core::accounting::{Accounting, MapRequest, Refusal};
pub use sgmap_core::status::{ExitCategory, Outcome};

/// sgmap-core, re-exported so that one dependency gives both layers.
pub use sgmap_core;

#[cfg(all(test, not(feature = "std")))]
extern crate std;

#[cfg(test)]
mod tests;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
