//! The commands, one module each, and what their parsers share.

use std::ffi::OsString;

use sgmap_core::status::ExitCategory;

use crate::args::{parse_num, NumError};
use crate::out::{self, CmdResult, Fail};

pub mod capacity;
pub mod dd;
pub mod dev;
pub mod help;
pub mod inquiry;
pub mod list;
pub mod names;
pub mod raw;
pub mod readcap;
pub mod sense;
pub mod tur;
pub mod write_buffer;

/// Runs the command line (without the program name).
pub fn run(argv: Vec<OsString>) -> CmdResult {
    let mut argv = argv.into_iter();
    let Some(first) = argv.next() else {
        out::err_str(help::MAIN);
        return Err(Fail::new(ExitCategory::Syntax));
    };
    let Some(command) = first.to_str() else {
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
    match command {
        "--version" | "-V" | "version" => {
            out::out_str(concat!("sgmap ", env!("CARGO_PKG_VERSION"), "\n"))
        }
        "--help" | "-h" => out::out_str(help::MAIN),
        "help" => {
            let topic = rest.first().and_then(|t| t.to_str());
            match topic {
                None => out::out_str(help::MAIN),
                Some(t) => match help::of(t) {
                    Some(text) => out::out_str(text),
                    None => Err(out::syntax("help", format_args!("no command '{t}'"))),
                },
            }
        }
        "list" => list::run(rest),
        "inquiry" | "inq" => inquiry::run(rest),
        "readcap" => readcap::run_cmd(rest),
        "tur" => tur::run(rest),
        "raw" => raw::run(rest),
        "sense" => sense::run(rest),
        "dd" => dd::run(rest),
        "write-buffer" => write_buffer::run(rest),
        other => Err(out::fail(
            ExitCategory::Syntax,
            "",
            "",
            format_args!("unknown command '{other}' (see 'sgmap help')"),
        )),
    }
}

/// What a command's parser needs: its name for messages and lexopt's state.
pub struct Cli {
    /// The command's name.
    pub name: &'static str,
    parser: lexopt::Parser,
}

impl Cli {
    /// A parser over the command's arguments.
    pub fn new(name: &'static str, args: Vec<OsString>) -> Cli {
        Cli {
            name,
            parser: lexopt::Parser::from_args(args),
        }
    }

    /// The next argument.
    pub fn next(&mut self) -> Result<Option<lexopt::Arg<'_>>, Fail> {
        let name = self.name;
        self.parser
            .next()
            .map_err(|e| out::syntax(name, format_args!("{e}")))
    }

    /// The value of the option just read, as UTF-8.
    pub fn value(&mut self, option: &str) -> Result<String, Fail> {
        let name = self.name;
        let v = self
            .parser
            .value()
            .map_err(|e| out::syntax(name, format_args!("{e}")))?;
        utf8(name, option, v)
    }

    /// The value of the option just read, as a number with suffixes.
    pub fn number(&mut self, option: &str) -> Result<u64, Fail> {
        let v = self.value(option)?;
        number(self.name, option, &v)
    }

    /// A syntax error of this command.
    pub fn syntax(&self, why: std::fmt::Arguments<'_>) -> Fail {
        out::syntax(self.name, why)
    }

    /// Prints the command's help on stdout.
    pub fn help(&self) -> CmdResult {
        out::out_str(help::of(self.name).unwrap_or(help::MAIN))
    }
}

/// A UTF-8 argument, or a syntax error naming `what`.
pub fn utf8(command: &str, what: &str, v: OsString) -> Result<String, Fail> {
    v.into_string().map_err(|v| {
        out::syntax(
            command,
            format_args!("{what}: '{}' is not valid UTF-8", v.to_string_lossy()),
        )
    })
}

/// A number with suffixes, or a syntax error naming the option.
pub fn number(command: &str, option: &str, v: &str) -> Result<u64, Fail> {
    parse_num(v).map_err(|e: NumError| out::syntax(command, format_args!("{option}={v}: {e}")))
}

/// An unexpected argument of `command`.
pub fn unexpected(command: &str, arg: lexopt::Arg<'_>) -> Fail {
    let e = arg.unexpected();
    out::syntax(command, format_args!("{e}"))
}
