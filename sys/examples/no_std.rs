//! A `no_std` use: the part of a program without std (an initramfs tool, a `#![no_main]`
//! firmware loader) that reads a device's first blocks through the mapped reserve, with
//! sgmap-sys built `default-features = false`. Nothing here allocates or needs std: the
//! path is a `CStr`, the block goes into the caller's buffer, and an error is a value whose
//! `Display` writes into any `core::fmt::Write`.
//!
//! This example is a library (`crate-type = ["lib"]` in `Cargo.toml`): a `no_std` binary
//! needs `panic = "abort"` and its own entry point, which are the program's choice, not a
//! crate's. CI builds it against sgmap-sys without std (`cargo build -p sgmap-sys
//! --no-default-features --examples`). A program would call it like this:
//!
//! ```text
//! let mut block = [0u8; 4096];
//! match first_blocks(c"/dev/sg1", &mut block) {
//!     Ok(len) => { /* use block[..len] */ }
//!     Err(e) => { /* write!(console, "{e}") and e.category().code() for the exit status */ }
//! }
//! ```
#![no_std]

use core::ffi::CStr;

use sgmap_sys::sgmap_core::cdb::{self, Read, ReadCapacity10, ToCdb};
use sgmap_sys::sgmap_core::response::Capacity10;
use sgmap_sys::{Command, Data, Error, ErrorKind, ExitCategory, OpenOptions};

/// Reads the device's first whole blocks that fit `buf` through its mapped reserve into
/// `buf`, and returns how many bytes arrived.
pub fn first_blocks(path: &CStr, buf: &mut [u8]) -> Result<usize, Failure> {
    let mut dev = OpenOptions::new().open_cstr(path)?;

    // The block length: READ CAPACITY (10) into 8 bytes of our own.
    let mut capacity = [0u8; 8];
    let cdb = ReadCapacity10.to_cdb()?;
    let r = dev.execute(&Command::new(cdb.as_bytes()), Data::In(&mut capacity))?;
    if !r.is_good() {
        return Err(Failure::Command(r.category()));
    }
    let block = Capacity10::parse(&capacity)
        .map_err(|_| Failure::Unusable)?
        .block_length as usize;

    // The reserve, mapped; the kernel may grant less than asked.
    dev.set_reserved_size(buf.len() as u64)?;
    let mapped = dev.map()? as usize;
    let blocks = buf.len().min(mapped).checked_div(block).unwrap_or(0);
    if blocks == 0 {
        return Err(Failure::Unusable);
    }
    let read = Read {
        lba: 0,
        blocks: blocks as u32,
        ..Read::default()
    }
    .to_cdb()?;
    let r = dev.execute(
        &Command::new(read.as_bytes()),
        Data::MmapIn((blocks * block) as u32),
    )?;
    if !r.is_good() {
        return Err(Failure::Command(r.category()));
    }

    // Read in place, copied once into the caller's buffer.
    let data = dev.valid_data()?;
    buf[..data.len()].copy_from_slice(data);
    Ok(data.len())
}

/// Why [`first_blocks`] failed.
#[derive(Debug)]
pub enum Failure {
    /// The open, a system call or the accounting failed: the error says which, on what, and
    /// what the kernel said (`e.kind()`, `e.errno()`, `e.raw_os_error()`, and its
    /// `Display`).
    Sys(Error),
    /// A command ended other than GOOD: sg3_utils' category for it (`code()` is the exit
    /// status sg3_utils would give).
    Command(ExitCategory),
    /// A CDB could not carry what was asked.
    Cdb(cdb::Error),
    /// The device's answer was unusable (a block length of 0, or more than `buf` holds).
    Unusable,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Sys(e)
    }
}

impl From<cdb::Error> for Failure {
    fn from(e: cdb::Error) -> Failure {
        Failure::Cdb(e)
    }
}

/// Whether a failure is worth a retry: the device or its reserve was busy, or a wait was
/// interrupted by a signal handler (nothing was lost).
pub fn is_transient(f: &Failure) -> bool {
    matches!(f, Failure::Sys(e) if matches!(e.kind(), ErrorKind::Busy | ErrorKind::Interrupted))
}
