//! `sgmap-core`: the pure half of sgmap.
//!
//! Bytes in, bytes out: no system calls, no allocation, no `unsafe`. It holds
//!
//! - [`abi`]: the sg driver's v3 interface (`struct sg_io_hdr`, flags, ioctl numbers);
//! - [`status`]: decoding a completed header into an [`status::Outcome`] and its sg3_utils
//!   exit category;
//! - [`accounting`]: the rules of mmap-ed IO as a state machine that answers, before any
//!   system call, whether an operation on an sg file is allowed.
//!
//! `sgmap-sys` performs the system calls and asks this crate first; the driver itself does not
//! check that a mapping exists or is long enough for an mmap-ed request (the sg HOWTO on
//! mmap-ed IO, footnote 1), so [`accounting::Accounting`] is that check.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod abi;
pub mod accounting;
pub mod status;

// SCSI commands, responses and sense data (issue 4).
pub mod cdb;
pub mod response;
pub mod sense;
