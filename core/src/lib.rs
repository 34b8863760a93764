//! `sgmap-core`: the pure half of sgmap.
//!
//! ```
//! use sgmap_core::cdb::{Read, ToCdb};
//! use sgmap_core::sense::Sense;
//! use sgmap_core::status::ExitCategory;
//!
//! let read = Read { lba: 2048, blocks: 8, ..Read::default() }.to_cdb()?; // READ (10)
//! assert_eq!(read.as_bytes(), [0x28, 0, 0, 0, 0x08, 0, 0, 0, 0x08, 0]);
//! let sense = [0x70, 0, 0x03, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x11, 0x00, 0, 0, 0, 0];
//! let sense = Sense::new_checked(&sense[..])?; // fixed format, MEDIUM ERROR, 11/00
//! assert_eq!(sense.category(), ExitCategory::MediumHard); // sg3_utils' exit status 3
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```
//!
//! Bytes in, bytes out: no system calls, no allocation, no `unsafe`. It holds
//!
//! - [`abi`]: the sg driver's v3 interface (`struct sg_io_hdr`, flags, ioctl numbers);
//! - [`status`]: decoding a completed header into an [`status::Outcome`] and its sg3_utils
//!   exit category;
//! - [`packed`]: static text packed by byte pairs, unpacked as it is printed (the name
//!   tables);
//! - [`accounting`]: the rules of mmap-ed IO as a state machine that answers, before any
//!   system call, whether an operation on an sg file is allowed;
//! - [`cdb`]: builders of the SCSI commands sgmap sends, a validated raw [`cdb::Cdb`], and
//!   sg3_utils' command names ([`cdb::CommandName`], cargo feature `opcode-names`);
//! - [`response`]: decoders of INQUIRY, VPD pages, READ CAPACITY, REPORT LUNS, READ BUFFER
//!   and REPORT SUPPORTED OPERATION CODES / TASK MANAGEMENT FUNCTIONS data;
//! - [`sense`]: fixed and descriptor sense data, the T10 ASC/ASCQ names (cargo feature
//!   `asc-strings`), and a rendering close to sg3_utils' `sg_decode_sense`.
//!
//! Every decoder of device bytes is total: any input gives a value or an error, never a
//! panic or a read out of bounds (`core/tests/decoders_total.rs` feeds them a million
//! buffers; `fuzz/` holds cargo-fuzz targets).
//!
//! `sgmap-sys` performs the system calls and asks this crate first; the driver itself does not
//! check that a mapping exists or is long enough for an mmap-ed request (the sg HOWTO on
//! mmap-ed IO, footnote 1), so [`accounting::Accounting`] is that check.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod abi;
pub mod accounting;
pub mod cdb;
pub mod packed;
pub mod response;
pub mod sense;
pub mod status;

/// The crate README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
