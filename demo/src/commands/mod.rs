//! The commands, one module each (a folder for the larger ones), each the entry point that
//! its row in the table of commands (`crate::table`) names.
//!
//! A command imports no other command: what two commands share lives in `crate::shared`,
//! and the parser toolkit in `crate::cli`. A new command is a module here, its usage text in
//! `src/help/`, and its row in `crate::table`.

#[cfg(feature = "dd")]
pub mod dd;
#[cfg(feature = "format")]
pub mod format;
#[cfg(feature = "inquiry")]
pub mod inquiry;
#[cfg(feature = "list")]
pub mod list;
#[cfg(feature = "luns")]
pub mod luns;
#[cfg(feature = "opcodes")]
pub mod opcodes;
#[cfg(feature = "raw")]
pub mod raw;
#[cfg(feature = "readcap")]
pub mod readcap;
#[cfg(feature = "requests")]
pub mod requests;
#[cfg(feature = "sanitize")]
pub mod sanitize;
#[cfg(feature = "sense")]
pub mod sense;
#[cfg(feature = "start")]
pub mod start;
#[cfg(feature = "sync")]
pub mod sync;
#[cfg(feature = "tur")]
pub mod tur;
#[cfg(feature = "unmap")]
pub mod unmap;
#[cfg(feature = "verify")]
pub mod verify;
#[cfg(feature = "vpd")]
pub mod vpd;
#[cfg(feature = "write-buffer")]
pub mod write_buffer;
#[cfg(feature = "write-same")]
pub mod write_same;
