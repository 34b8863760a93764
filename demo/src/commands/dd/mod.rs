//! `sgmap dd`: sgm_dd's copy through the mmap-ed reserve, with a queue depth.
//!
//! - [`operands`]: `if=`, `of=`, `bs=`, ... parsed and checked (pure, host-tested);
//! - [`plan`]: the arithmetic (pure, host-tested);
//! - [`ends`]: the non-sg files (regular files, block devices, stdin/stdout, discard);
//! - [`copy`]: opening both sides and running the copy;
//! - [`sg`]: the sg side, READ and WRITE through the mapped reserves at a queue depth;
//! - [`ledger`]: counts, the first failure, signals, progress and the report;
//! - [`verify`]: `verify=1`, the copy read again and compared.

use std::ffi::OsString;

use sgmap_core::status::ExitCategory;

use crate::cli::Cli;
use crate::out::{self, CmdResult, Fail};

pub mod copy;
pub mod ends;
pub mod ledger;
pub mod operands;
pub mod plan;
pub mod sg;
pub mod tool;
pub mod verify;

use operands::{OperandError, Operands};

/// Runs `sgmap dd`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    if let Some(flavor) = tool::Flavor::of_invocation() {
        return match tool::parse(flavor, args)? {
            tool::Parsed::Copy(mut ops) => {
                ops.finish().map_err(operand_fail)?;
                copy::run(&ops)
            }
            tool::Parsed::Done => Ok(()),
        };
    }
    let mut cli = Cli::new("dd", args);
    let mut ops = Operands::default();
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("progress") | lexopt::Arg::Short('p') => ops.progress = true,
            lexopt::Arg::Long("json") | lexopt::Arg::Short('j') => ops.json = cli.json(),
            // sg_dd's spelling and its underscore variant.
            lexopt::Arg::Long("dry-run" | "dry_run") => ops.dry_run = true,
            lexopt::Arg::Long("help") | lexopt::Arg::Short('h') => return cli.help(),
            lexopt::Arg::Value(v) => {
                let v = crate::cli::utf8("dd", "operand", v)?;
                ops.apply(&v).map_err(operand_fail)?;
            }
            other => return Err(crate::cli::unexpected("dd", other)),
        }
    }
    ops.finish().map_err(operand_fail)?;
    copy::run(&ops)
}

fn operand_fail(e: OperandError) -> Fail {
    if e.contradiction {
        out::contradict("dd", format_args!("{}", e.message))
    } else {
        out::syntax("dd", format_args!("{}", e.message))
    }
}

/// The exit category of a plan refusal.
pub fn plan_category(e: &plan::PlanError) -> ExitCategory {
    match e {
        plan::PlanError::BlockSize { .. }
        | plan::PlanError::TooLarge { .. }
        | plan::PlanError::Overflow(_) => ExitCategory::Syntax,
        plan::PlanError::PastEnd { .. } => ExitCategory::LbaOutOfRange,
    }
}
