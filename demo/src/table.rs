//! The one table of commands: each row is a command's name, its aliases, the sg3_utils
//! tools it answers to (busybox-style, under the tool's own name), its one-line summary, its
//! help and its entry point. Dispatch ([`crate::table::run`]), `sgmap help`, `sgmap
//! --list-names` and `sgmap --install` all read it ([`crate::invocation`]); adding a
//! command touches one row here and its own module.

use std::ffi::OsString;

use crate::help;
use crate::invocation;
use crate::out::{self, CmdResult, Fail};
use sgmap_core::packed::PackedStr;
use sgmap_core::status::ExitCategory;

/// An sg3_utils tool that a command answers to.
pub struct Tool {
    /// The tool's program name (`sg_inq`).
    pub name: &'static str,
    /// What `TOOL -V` prints on stderr (without the last newline), as the tool's 1.46
    /// release prints it: scripts parse it (rescan-scsi-bus.sh takes the third field of
    /// `sg_inq -V`).
    pub version: &'static str,
}

/// One command.
pub struct Command {
    /// `sgmap NAME`.
    pub name: &'static str,
    /// Other names `sgmap` takes for it.
    pub aliases: &'static [&'static str],
    /// The sg3_utils tools it answers to, by program name.
    pub tools: &'static [Tool],
    /// The line of `sgmap help`.
    pub summary: &'static str,
    /// `sgmap help NAME`, `sgmap NAME --help`.
    pub help: PackedStr,
    /// The entry point, given the arguments after the command's name.
    pub run: fn(Vec<OsString>) -> CmdResult,
}

/// A tool row.
const fn tool(name: &'static str, version: &'static str) -> Tool {
    Tool { name, version }
}

/// Every command, in the order `sgmap help` lists them.
pub static COMMANDS: &[Command] = &[
    #[cfg(feature = "list")]
    Command {
        name: "list",
        aliases: &[],
        tools: &[],
        summary: "list the sg devices (from /sys/class/scsi_generic)",
        help: help::LIST,
        run: crate::commands::list::run,
    },
    #[cfg(feature = "inquiry")]
    Command {
        name: "inquiry",
        aliases: &["inq"],
        tools: &[tool("sg_inq", "Version string: 2.10 20210328")],
        summary: "INQUIRY: identification, VPD pages, --export",
        help: help::INQUIRY,
        run: crate::commands::inquiry::run,
    },
    #[cfg(feature = "vpd")]
    Command {
        name: "vpd",
        aliases: &[],
        tools: &[tool("sg_vpd", "version: 1.63 20210328")],
        summary: "VPD pages decoded as sg_vpd prints them",
        help: help::VPD,
        run: crate::commands::vpd::run,
    },
    #[cfg(feature = "readcap")]
    Command {
        name: "readcap",
        aliases: &[],
        tools: &[tool("sg_readcap", "Version string: 4.05 20200122")],
        summary: "READ CAPACITY: blocks and block length",
        help: help::READCAP,
        run: crate::commands::readcap::run_cmd,
    },
    #[cfg(feature = "tur")]
    Command {
        name: "tur",
        aliases: &[],
        tools: &[tool("sg_turs", "Version string: 3.48 20210102")],
        summary: "TEST UNIT READY, --progress",
        help: help::TUR,
        run: crate::commands::tur::run,
    },
    #[cfg(feature = "requests")]
    Command {
        name: "requests",
        aliases: &[],
        tools: &[tool("sg_requests", "sg_requests: version: 1.36 20210329")],
        summary: "REQUEST SENSE, --progress",
        help: help::REQUESTS,
        run: crate::commands::requests::run,
    },
    #[cfg(feature = "format")]
    Command {
        name: "format",
        aliases: &[],
        tools: &[tool("sg_format", "sg_format version: 1.62 20201223")],
        summary: "FORMAT UNIT, block size change, progress",
        help: help::FORMAT,
        run: crate::commands::format::run,
    },
    #[cfg(feature = "sanitize")]
    Command {
        name: "sanitize",
        aliases: &[],
        tools: &[tool("sg_sanitize", "sg_sanitize: version: 1.15 20201223")],
        summary: "SANITIZE: block, crypto, overwrite, progress",
        help: help::SANITIZE,
        run: crate::commands::sanitize::run,
    },
    #[cfg(feature = "dd")]
    Command {
        name: "dd",
        aliases: &[],
        tools: &[
            tool("sgm_dd", "sgm_dd: : 1.67 20200510"),
            tool("sg_dd", "sg_dd: version: 6.25 20210326"),
            tool("sgp_dd", "sgp_dd: 5.77 20210103"),
        ],
        summary: "copy through the mapped reserve, queued",
        help: help::DD,
        run: crate::commands::dd::run,
    },
    #[cfg(feature = "write-buffer")]
    Command {
        name: "write-buffer",
        aliases: &[],
        tools: &[tool("sg_write_buffer", "version: 1.29 20181112")],
        summary: "firmware download with WRITE BUFFER",
        help: help::WRITE_BUFFER,
        run: crate::commands::write_buffer::run,
    },
    #[cfg(feature = "start")]
    Command {
        name: "start",
        aliases: &[],
        tools: &[tool("sg_start", "Version string: 0.67 20200930")],
        summary: "START STOP UNIT: spin up, load, or as sg_start",
        help: help::START,
        run: crate::commands::start::run_start,
    },
    #[cfg(feature = "start")]
    Command {
        name: "stop",
        aliases: &[],
        tools: &[],
        summary: "START STOP UNIT: spin down, eject",
        help: help::START,
        run: crate::commands::start::run_stop,
    },
    #[cfg(feature = "sync")]
    Command {
        name: "sync",
        aliases: &[],
        tools: &[tool("sg_sync", "version: 1.25 20191220")],
        summary: "SYNCHRONIZE CACHE (10) or (16)",
        help: help::SYNC,
        run: crate::commands::sync::run,
    },
    #[cfg(feature = "verify")]
    Command {
        name: "verify",
        aliases: &[],
        tools: &[tool("sg_verify", "sg_verify: version: 1.27 20201029")],
        summary: "VERIFY (10) or (16), against data with --ndo",
        help: help::VERIFY,
        run: crate::commands::verify::run,
    },
    #[cfg(feature = "luns")]
    Command {
        name: "luns",
        aliases: &[],
        tools: &[tool("sg_luns", "version: 1.45 20200708")],
        summary: "REPORT LUNS, decoded",
        help: help::LUNS,
        run: crate::commands::luns::run,
    },
    #[cfg(feature = "opcodes")]
    Command {
        name: "opcodes",
        aliases: &[],
        tools: &[tool("sg_opcodes", "Version string: 0.69 20210319")],
        summary: "REPORT SUPPORTED OPERATION CODES / TMFs",
        help: help::OPCODES,
        run: crate::commands::opcodes::run,
    },
    #[cfg(feature = "unmap")]
    Command {
        name: "unmap",
        aliases: &[],
        tools: &[tool("sg_unmap", "version: 1.17 20180628")],
        summary: "UNMAP block ranges (trim)",
        help: help::UNMAP,
        run: crate::commands::unmap::run,
    },
    #[cfg(feature = "write-same")]
    Command {
        name: "write-same",
        aliases: &[],
        tools: &[tool(
            "sg_write_same",
            "sg_write_same: version: 1.31 20200430",
        )],
        summary: "WRITE SAME (10), (16), (32)",
        help: help::WRITE_SAME,
        run: crate::commands::write_same::run,
    },
    #[cfg(feature = "raw")]
    Command {
        name: "raw",
        aliases: &[],
        tools: &[tool(
            "sg_raw",
            concat!(
                "sg_raw 0.4.34 (2021-01-03)\n",
                "Copyright (C) 2007-2021 Ingo van Lil <inguin@gmx.de>\n",
                "This is free software.  You may redistribute copies of it under the terms of\n",
                "the GNU General Public License <http://www.gnu.org/licenses/gpl.html>.\n",
                "There is NO WARRANTY, to the extent permitted by law."
            ),
        )],
        summary: "any CDB, data through the mapped reserve",
        help: help::RAW,
        run: crate::commands::raw::run,
    },
    #[cfg(feature = "sense")]
    Command {
        name: "sense",
        aliases: &[],
        tools: &[tool("sg_decode_sense", "version: 1.21 20190602")],
        summary: "decode sense data",
        help: help::SENSE,
        run: crate::commands::sense::run,
    },
];

/// What this build left out (the commands' cargo features): their names, aliases and tool
/// names. Asking for one says that the build lacks it ([`left_out`]) rather than that no such
/// command exists.
static LEFT_OUT: &[&str] = &[
    #[cfg(not(feature = "list"))]
    "list",
    #[cfg(not(feature = "inquiry"))]
    "inquiry",
    #[cfg(not(feature = "inquiry"))]
    "inq",
    #[cfg(not(feature = "inquiry"))]
    "sg_inq",
    #[cfg(not(feature = "vpd"))]
    "vpd",
    #[cfg(not(feature = "vpd"))]
    "sg_vpd",
    #[cfg(not(feature = "readcap"))]
    "readcap",
    #[cfg(not(feature = "readcap"))]
    "sg_readcap",
    #[cfg(not(feature = "tur"))]
    "tur",
    #[cfg(not(feature = "tur"))]
    "sg_turs",
    #[cfg(not(feature = "requests"))]
    "requests",
    #[cfg(not(feature = "requests"))]
    "sg_requests",
    #[cfg(not(feature = "format"))]
    "format",
    #[cfg(not(feature = "format"))]
    "sg_format",
    #[cfg(not(feature = "sanitize"))]
    "sanitize",
    #[cfg(not(feature = "sanitize"))]
    "sg_sanitize",
    #[cfg(not(feature = "dd"))]
    "dd",
    #[cfg(not(feature = "dd"))]
    "sgm_dd",
    #[cfg(not(feature = "dd"))]
    "sg_dd",
    #[cfg(not(feature = "dd"))]
    "sgp_dd",
    #[cfg(not(feature = "write-buffer"))]
    "write-buffer",
    #[cfg(not(feature = "write-buffer"))]
    "sg_write_buffer",
    #[cfg(not(feature = "start"))]
    "start",
    #[cfg(not(feature = "start"))]
    "sg_start",
    #[cfg(not(feature = "start"))]
    "stop",
    #[cfg(not(feature = "sync"))]
    "sync",
    #[cfg(not(feature = "sync"))]
    "sg_sync",
    #[cfg(not(feature = "verify"))]
    "verify",
    #[cfg(not(feature = "verify"))]
    "sg_verify",
    #[cfg(not(feature = "luns"))]
    "luns",
    #[cfg(not(feature = "luns"))]
    "sg_luns",
    #[cfg(not(feature = "opcodes"))]
    "opcodes",
    #[cfg(not(feature = "opcodes"))]
    "sg_opcodes",
    #[cfg(not(feature = "unmap"))]
    "unmap",
    #[cfg(not(feature = "unmap"))]
    "sg_unmap",
    #[cfg(not(feature = "write-same"))]
    "write-same",
    #[cfg(not(feature = "write-same"))]
    "sg_write_same",
    #[cfg(not(feature = "raw"))]
    "raw",
    #[cfg(not(feature = "raw"))]
    "sg_raw",
    #[cfg(not(feature = "sense"))]
    "sense",
    #[cfg(not(feature = "sense"))]
    "sg_decode_sense",
];

/// Whether `name` is a command, alias or tool name that this build left out.
pub fn left_out(name: &str) -> bool {
    LEFT_OUT.contains(&name)
}

/// The refusal of a command this build left out: it names the build's commands, exit 127
/// (what a shell gives for a command that is not there).
fn not_built(name: &str) -> Fail {
    let built: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
    out::err_fmt(format_args!(
        "sgmap: {name}: not in this build of sgmap (its commands: {})\n",
        built.join(", ")
    ));
    Fail::code(127)
}

/// The command named `name` (or one of its aliases).
pub fn command(name: &str) -> Option<&'static Command> {
    COMMANDS
        .iter()
        .find(|c| c.name == name || c.aliases.contains(&name))
}

/// The command that answers to the sg3_utils tool `name`, and the tool's row.
pub fn tool_named(name: &str) -> Option<(&'static Command, &'static Tool)> {
    COMMANDS
        .iter()
        .find_map(|c| c.tools.iter().find(|t| t.name == name).map(|t| (c, t)))
}

/// Every tool name, in table order.
pub fn tool_names() -> impl Iterator<Item = &'static str> {
    COMMANDS.iter().flat_map(|c| c.tools.iter().map(|t| t.name))
}

/// Runs the command line: `argv[0]` first. Under the name of an sg3_utils tool that a
/// command answers to (a link named `sg_inq`), that command runs as the tool; otherwise
/// the first argument names the command (`sgmap inquiry`, or a tool name: `sgmap sg_inq`).
/// A command asked for `--json` that fails before it prints its object prints
/// `{"exit_status":N}` (see [`out::json_failure`]).
pub fn run(argv: Vec<OsString>) -> CmdResult {
    let result = dispatch(argv);
    if let Err(fail) = result {
        if fail.code != 0 {
            out::json_failure(fail);
        }
    }
    // `-V` ends a command with the status 0 (see `invocation::version`).
    match result {
        Err(Fail { code: 0 }) => Ok(()),
        other => other,
    }
}

/// Runs one command.
fn dispatch(argv: Vec<OsString>) -> CmdResult {
    let mut argv = argv.into_iter();
    let program = argv.next().unwrap_or_default();
    let called = invocation::program_name(&program);
    if let Some((command, tool)) = called.and_then(tool_named) {
        invocation::set_running(command, Some(tool));
        return (command.run)(argv.collect());
    }
    if let Some(name) = called.filter(|n| left_out(n)) {
        return Err(not_built(name));
    }
    let Some(first) = argv.next() else {
        out::err_str(&help::main());
        return Err(Fail::new(ExitCategory::Syntax));
    };
    let Some(name) = first.to_str() else {
        return Err(out::fail(
            ExitCategory::Syntax,
            "",
            "",
            format_args!(
                "'{}': not a command (see 'sgmap help')",
                first.to_string_lossy()
            ),
        ));
    };
    let rest: Vec<OsString> = argv.collect();
    if let Some(command) = command(name) {
        invocation::set_running(command, None);
        return (command.run)(rest);
    }
    if let Some((command, tool)) = tool_named(name) {
        invocation::set_running(command, Some(tool));
        return (command.run)(rest);
    }
    if left_out(name) {
        return Err(not_built(name));
    }
    match name {
        "--version" | "-V" | "version" => out::out_str(&invocation::version_text()),
        "--help" | "-h" => out::out_str(&help::main()),
        "--list-names" => invocation::list_names(),
        "--install" => invocation::install(rest),
        "help" => {
            let topic = rest.first().and_then(|t| t.to_str());
            match topic {
                None => out::out_str(&help::main()),
                Some(t) => match help::of(t) {
                    Some(text) => out::out_str(&text),
                    None => Err(out::syntax("help", format_args!("no command '{t}'"))),
                },
            }
        }
        other => Err(out::fail(
            ExitCategory::Syntax,
            "",
            "",
            format_args!("unknown command '{other}' (see 'sgmap help')"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_taken_once() {
        let mut seen: Vec<&str> = Vec::new();
        for c in COMMANDS {
            for n in std::iter::once(c.name)
                .chain(c.aliases.iter().copied())
                .chain(c.tools.iter().map(|t| t.name))
            {
                assert!(!seen.contains(&n), "{n} twice in the table");
                seen.push(n);
            }
        }
    }

    #[test]
    fn the_tools_the_readme_promises_are_answered() {
        for name in [
            "sg_inq",
            "sg_vpd",
            "sg_readcap",
            "sg_turs",
            "sg_requests",
            "sg_start",
            "sg_sync",
            "sg_verify",
            "sg_luns",
            "sg_opcodes",
            "sg_format",
            "sg_sanitize",
            "sg_unmap",
            "sg_write_same",
            "sg_dd",
            "sgm_dd",
            "sgp_dd",
            "sg_write_buffer",
            "sg_raw",
            "sg_decode_sense",
        ] {
            assert!(tool_named(name).is_some(), "{name}");
        }
        assert_eq!(tool_names().count(), 20);
    }

    #[test]
    fn lookups_find_names_and_aliases_only() {
        assert_eq!(command("inq").map(|c| c.name), Some("inquiry"));
        assert_eq!(
            command("write-buffer").map(|c| c.name),
            Some("write-buffer")
        );
        assert!(command("sg_inq").is_none());
        assert!(command("help").is_none());
        assert_eq!(tool_named("sgp_dd").map(|(c, _)| c.name), Some("dd"));
    }
}
