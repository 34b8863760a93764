//! `sgmap`: one static binary for SCSI generic (sg) devices, with mmap-ed IO.
//!
//! It replaces the sg3_utils 1.46 programs an initramfs or a provisioning script uses, with
//! the same operands and the same exit statuses, under their own names (`sg_inq`, `sgm_dd`,
//! … as links to `sgmap`) or as `sgmap COMMAND`, and lists the sg devices as `sg_map` and
//! `lsscsi -g` do (`sgmap list`). Which command answers to which tool is one table,
//! [`table::COMMANDS`]: `sgmap help` prints it, `sgmap --list-names` lists the tools' names.
//! The exit statuses:
//!
//! | status | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | syntax error |
//! | 2–29, 40 | the SCSI category of the failing command (sense key, ASC/ASCQ, status), as sg3_utils 1.46's `sg_err_category_sense()` gives it, whatever the sense format |
//! | 15 | file error: missing path, not an sg device, permission |
//! | 31 | contradicting options |
//! | 33 | timeout |
//! | 50 + errno | an operating system error |
//! | 97 | malformed response |
//! | 98 | sense data without a sense key |
//! | 99 | other: a host (transport) error other than a time-out, an unknown outcome |
//! | 128 + signal | `dd` or `write-buffer` stopped by SIGINT, SIGTERM, SIGQUIT or SIGHUP (after reporting) |
//!
//! Diagnostics go to stderr as `sgmap: DEVICE: WHAT: WHY`; data and decodes to stdout;
//! `--json` prints one JSON object per command (schemas in `demo/JSON.md`).
//!
//! Layout (see also the repository's `ARCHITECTURE.md`): [`table`] is the one table of
//! commands and the dispatch it drives, [`invocation`] the tool names, `-V` and
//! `--install`; [`commands`] holds one module per command, [`shared`] what commands share
//! (no command imports another), [`cli`] the parser toolkit, [`help`] the usage texts;
//! [`args`] parses numbers and hex, [`json`] writes JSON, [`out`] prints diagnostics and
//! dumps, [`signals`] catches the signals that stop `dd` and `write-buffer`. The device
//! layer is `sgmap-sys`; CDBs, responses and sense decoding come from `sgmap-core`.

// A build with some commands left out leaves shared code that only those used.
#![cfg_attr(not(feature = "every-command"), allow(dead_code, unused_imports))]

mod args;
mod cli;
mod commands;
#[cfg(any(test, target_env = "musl"))]
mod heap;
mod help;
mod invocation;
mod json;
mod out;
mod shared;
mod signals;
mod table;

use std::ffi::OsString;
use std::process::ExitCode;

fn main() -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().collect();
    match table::run(argv) {
        Ok(()) => ExitCode::SUCCESS,
        Err(fail) => ExitCode::from(fail.code),
    }
}
