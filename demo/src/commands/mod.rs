//! The commands, one module each (a folder for the larger ones), each the entry point that
//! its row in the table of commands (`crate::table`) names.
//!
//! A command imports no other command: what two commands share lives in `crate::shared`,
//! and the parser toolkit in `crate::cli`. A new command is a module here, its usage text in
//! `src/help/`, and its row in `crate::table`.

pub mod dd;
pub mod format;
pub mod inquiry;
pub mod list;
pub mod luns;
pub mod opcodes;
pub mod raw;
pub mod readcap;
pub mod requests;
pub mod sanitize;
pub mod sense;
pub mod start;
pub mod sync;
pub mod tur;
pub mod unmap;
pub mod verify;
pub mod vpd;
pub mod write_buffer;
pub mod write_same;
