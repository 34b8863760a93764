//! The parser toolkit every command uses: [`Cli`] over lexopt (sg3_utils' `-v`, `-V`,
//! `--json[=JO]` and combined short flags taken alike by every command), and the shared
//! refusals ([`utf8`], [`number`], [`unexpected`]).

use std::ffi::OsString;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::args::{parse_num, NumError};
use crate::out::{self, CmdResult, Fail};
use crate::{help, invocation};

/// What a command's parser needs: its name for messages and lexopt's state.
pub struct Cli {
    /// The command's name.
    pub name: &'static str,
    parser: lexopt::Parser,
    /// The long option just read (an owned copy, so that `next` can look past `=JO`).
    long: String,
    /// Whether the command took `--json` / `-j`.
    json: bool,
}

impl Cli {
    /// A parser over the command's arguments.
    pub fn new(name: &'static str, args: Vec<OsString>) -> Cli {
        Cli {
            name,
            parser: lexopt::Parser::from_args(args),
            long: String::new(),
            json: false,
        }
    }

    /// The next argument. After `--json` or `-j` (see [`Cli::json`]) an attached `=JO`
    /// is checked and passed over here, as sg3_utils takes it: `--json=JO`, `-j=JO`; not
    /// `--json JO` (JO is then an operand) and not `-jJO` (the letters are further short
    /// options, as `-jH` is `-j -H`).
    pub fn next(&mut self) -> Result<Option<lexopt::Arg<'_>>, Fail> {
        let name = self.name;
        loop {
            let arg = match self.parser.next() {
                Ok(None) => return Ok(None),
                Ok(Some(lexopt::Arg::Long(l))) => Owned::Long(l.to_owned()),
                Ok(Some(lexopt::Arg::Short('v'))) => {
                    invocation::verbose_more();
                    continue;
                }
                Ok(Some(lexopt::Arg::Short('V'))) => return Err(invocation::version()),
                Ok(Some(lexopt::Arg::Short(c))) => Owned::Short(c),
                Ok(Some(lexopt::Arg::Value(v))) => Owned::Value(v),
                // lexopt's word for a value after an option that takes none: for
                // `--json=JO` and `-j=JO`, the JO.
                Err(lexopt::Error::UnexpectedValue { option, value })
                    if self.json && (option == "--json" || option == "-j") =>
                {
                    let jo = utf8(name, &option, value)?;
                    crate::args::check_json_opts(&jo)
                        .map_err(|e| out::syntax(name, format_args!("{option}={jo}: {e}")))?;
                    continue;
                }
                // As getopt: glibc's line, and the option is `?` to the command, which
                // refuses it as its tool refuses what getopt returns as `?`.
                Err(e) if Self::getopt_complaint(&e) => return Ok(Some(lexopt::Arg::Short('?'))),
                Err(e) => return Err(out::syntax(name, format_args!("{e}"))),
            };
            return Ok(Some(match arg {
                Owned::Short(c) => self.short(c),
                Owned::Long(l) => {
                    self.long = self.abbreviation(l);
                    match self.long.as_str() {
                        "verbose" => {
                            invocation::verbose_more();
                            continue;
                        }
                        "version" => return Err(invocation::version()),
                        _ => lexopt::Arg::Long(&self.long),
                    }
                }
                Owned::Value(v) => lexopt::Arg::Value(v),
            }));
        }
    }

    /// A long option as the running tool's getopt_long takes it (see [`long_option`]): a
    /// unique abbreviation is the option's name (`--verb` is `--verbose`). One that is
    /// ambiguous, or that no option has, is reported as glibc reports it, on stderr, and
    /// taken whole with any `=VALUE`, as getopt takes it; it is returned as given, so that
    /// the command refuses it as the tool refuses an option getopt returns as `?`.
    fn abbreviation(&mut self, given: String) -> String {
        let possible = match long_option(&given) {
            Long::Name(name) => return name,
            Long::Unknown => None,
            Long::Ambiguous(possible) => Some(possible),
        };
        let value = self.parser.optional_value().unwrap_or_default();
        let eq = if value.is_empty() { "" } else { "=" };
        let option = format!("'--{given}{eq}{}'", value.to_string_lossy());
        match possible {
            Some(possible) => getopt_said(format_args!(
                "option {option} is ambiguous; possibilities:{possible}"
            )),
            None => getopt_said(format_args!("unrecognized option {option}")),
        }
        given
    }

    /// `-c`, with glibc's line on stderr first when the running tool's getopt does not
    /// take it (`invalid option -- 'c'`): the command then refuses it as the tool does.
    fn short(&mut self, c: char) -> lexopt::Arg<'static> {
        let Some(table) = getopt_table() else {
            return lexopt::Arg::Short(c);
        };
        if !getopt_short(&table, c) {
            getopt_said(format_args!("invalid option -- '{c}'"));
        } else if getopt_takes_argument(&table, c)
            && self
                .parser
                .try_raw_args()
                .is_some_and(|raw| raw.peek().is_none())
        {
            // Its argument would be the next one, and there is none: getopt's `?`.
            getopt_said(format_args!("option requires an argument -- '{c}'"));
            return lexopt::Arg::Short('?');
        }
        lexopt::Arg::Short(c)
    }

    /// Under a tool's getopt, glibc's line for lexopt's error `e`, if glibc has one: an
    /// option missing its argument (`option requires an argument -- 'p'`, `option '--page'
    /// requires an argument`) or a long option given one it does not take (`option '--hex'
    /// doesn't allow an argument`), the option named in full. Whether it printed one.
    fn getopt_complaint(e: &lexopt::Error) -> bool {
        let full = |long: &str| match long_option(long) {
            Long::Name(name) => name,
            _ => long.to_owned(),
        };
        let said = match e {
            _ if getopt_table().is_none() => None,
            lexopt::Error::MissingValue {
                option: Some(option),
            } => Some(match option.strip_prefix("--") {
                Some(long) => format!("option '--{}' requires an argument", full(long)),
                None => format!(
                    "option requires an argument -- '{}'",
                    option.trim_start_matches('-')
                ),
            }),
            lexopt::Error::UnexpectedValue { option, .. } => option
                .strip_prefix("--")
                .map(|long| format!("option '--{}' doesn't allow an argument", full(long))),
            _ => None,
        };
        if let Some(said) = &said {
            getopt_said(format_args!("{said}"));
        }
        said.is_some()
    }

    /// The refusal of lexopt's error `e` when the command asked a value: glibc's line
    /// ([`Cli::getopt_complaint`]) or sgmap's, and the syntax error's status.
    fn option_error(&self, e: lexopt::Error) -> Fail {
        if Self::getopt_complaint(&e) {
            Fail::new(sgmap_core::status::ExitCategory::Syntax)
        } else {
            out::syntax(self.name, format_args!("{e}"))
        }
    }

    /// `--json[=JO]` or `-j[=JO]` was read and the command takes it: notes it (for the
    /// `exit_status` object of a command that fails before printing its own, see
    /// [`out::json_failure`]) and returns true.
    pub fn json(&mut self) -> bool {
        self.json = true;
        out::json_asked();
        true
    }

    /// The value attached to the option just read (`--vpd=X`), if any: for an option whose
    /// value is optional.
    pub fn attached(&mut self) -> Option<String> {
        self.parser
            .optional_value()
            .map(|v| v.to_string_lossy().into_owned())
    }

    /// The value of the option just read, as UTF-8.
    pub fn value(&mut self, option: &str) -> Result<String, Fail> {
        let v = match self.parser.value() {
            Ok(v) => v,
            Err(e) => return Err(self.option_error(e)),
        };
        utf8(self.name, option, v)
    }

    /// The value of the option just read, as a number with suffixes.
    pub fn number(&mut self, option: &str) -> Result<u64, Fail> {
        let v = self.value(option)?;
        number(self.name, option, &v)
    }

    /// The value of the option just read, as a number in `lo..=hi`, or a syntax error in
    /// the words `why(lo, hi)` gives (each tool words its own range).
    pub fn number_in(
        &mut self,
        option: &str,
        lo: u64,
        hi: u64,
        why: &dyn Fn(u64, u64, u64) -> String,
    ) -> Result<u64, Fail> {
        let n = self.number(option)?;
        if (lo..=hi).contains(&n) {
            Ok(n)
        } else {
            Err(self.syntax(format_args!("{}", why(n, lo, hi))))
        }
    }

    /// `n`, the value of `option`, if within `lo..=hi`; else a syntax error in sgmap's own
    /// words (`--group=64: 0 to 63`).
    pub fn in_range(&self, option: &str, n: u64, lo: u64, hi: u64) -> Result<u64, Fail> {
        if (lo..=hi).contains(&n) {
            Ok(n)
        } else {
            Err(self.syntax(format_args!("{option}={n}: {lo} to {hi}")))
        }
    }

    /// The value of the option just read as a command timeout in seconds: see
    /// [`Cli::seconds_from`].
    pub fn seconds(&mut self, option: &str, lo: u32) -> Result<u32, Fail> {
        let n = self.number(option)?;
        self.seconds_from(option, n, lo)
    }

    /// `n` as a command timeout in seconds, from `lo` to what a timeout can carry
    /// (`u32::MAX / 1000`: the kernel takes milliseconds in 32 bits), or a syntax error.
    pub fn seconds_from(&self, option: &str, n: u64, lo: u32) -> Result<u32, Fail> {
        let hi = u32::MAX / 1000;
        match u32::try_from(n) {
            Ok(s) if (lo..=hi).contains(&s) => Ok(s),
            _ => Err(self.syntax(format_args!("{option}={n}: {lo} to {hi} seconds"))),
        }
    }

    /// The command's one DEVICE operand, `v`: it fills `device`, or, when that is filled
    /// already, is a syntax error.
    pub fn device(&self, device: &mut Option<String>, v: OsString) -> Result<(), Fail> {
        if device.is_some() {
            return Err(self.syntax(format_args!(
                "unexpected extra argument: {}",
                v.to_string_lossy()
            )));
        }
        *device = Some(utf8(self.name, "DEVICE", v)?);
        Ok(())
    }

    /// A syntax error of this command.
    pub fn syntax(&self, why: std::fmt::Arguments<'_>) -> Fail {
        out::syntax(self.name, why)
    }

    /// Prints the command's help on stdout.
    pub fn help(&self) -> CmdResult {
        match help::of(self.name) {
            Some(text) => out::out_str(&text),
            None => out::out_str(&help::main()),
        }
    }
}

/// What getopt_long makes of a long option (see [`getopt_long`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Long<T> {
    /// An option's name: as given, or the one it abbreviates.
    Name(T),
    /// No option's name begins with it: getopt's "unrecognized option".
    Unknown,
    /// Several options' names begin with it: the possibilities, as glibc lists them
    /// (` '--a' '--b'`: the first match, then each later match of another option).
    Ambiguous(String),
}

/// What getopt_long makes of a long option `given` (without its `--` and `=VALUE`) by the
/// tool's line `table` of `help/getopt.txt` (the tool, its getopt option string, then its
/// long options in the order of its `long_options[]`, the names of one option joined by
/// commas, then sgmap's additions, each after a `+`): a name of the table as it is; else the
/// option whose name it begins, if only one option's names begin with it. sgmap's additions
/// (`--json`) are taken in full only.
fn getopt_long<'a>(table: &'a str, given: &'a str) -> Long<&'a str> {
    let mut found: Option<(usize, &str)> = None;
    let mut others = String::new();
    for (i, option) in table.split(' ').skip(2).enumerate() {
        if let Some(added) = option.strip_prefix('+') {
            if added == given {
                return Long::Name(given);
            }
            continue;
        }
        for name in option.split(',') {
            if name == given {
                return Long::Name(given);
            }
            match found {
                _ if !name.starts_with(given) => {}
                None => found = Some((i, name)),
                Some((first, _)) if first != i => others += &[" '--", name, "'"].concat(),
                Some(_) => {}
            }
        }
    }
    match found {
        None => Long::Unknown,
        Some((_, name)) if others.is_empty() => Long::Name(name),
        Some((_, name)) => Long::Ambiguous([" '--", name, "'", &others].concat()),
    }
}

/// Whether getopt takes `-c` by the tool's line `table` of `help/getopt.txt` (see
/// [`getopt_long`]): a letter of its option string, or one of sgmap's additions (`-j`).
fn getopt_short(table: &str, c: char) -> bool {
    let mut words = table.split(' ').skip(1);
    let letters = words.next().unwrap_or_default();
    let added = |w: &str| w.strip_prefix('+').is_some_and(|a| a.chars().eq([c]));
    (c != ':' && letters.contains(c)) || words.any(added)
}

/// Whether the tool's option string has `c` take an argument (`c:`).
fn getopt_takes_argument(table: &str, c: char) -> bool {
    let letters = table.split(' ').nth(1).unwrap_or_default();
    letters
        .char_indices()
        .any(|(i, l)| l == c && c != ':' && letters[i + c.len_utf8()..].starts_with(':'))
}

/// The running tool's line of `help/getopt.txt`: the tool it was invoked as, else the
/// command's first tool. `None` for a command without one (`dd`, whose tools parse their
/// own operands, and `list`): it takes options in full only, as it names them.
fn getopt_table() -> Option<String> {
    let tool = invocation::getopt_tool()?;
    let tables = help::GETOPT.to_string();
    let table = tables.lines().find(|l| l.split(' ').next() == Some(tool))?;
    Some(table.to_owned())
}

/// The long option `given` (without `--` and `=VALUE`) as the running tool's getopt_long
/// takes it (see [`getopt_long`]); without a table, `given` itself.
pub fn long_option(given: &str) -> Long<String> {
    let Some(table) = getopt_table() else {
        return Long::Name(given.to_owned());
    };
    match getopt_long(&table, given) {
        Long::Name(name) => Long::Name(name.to_owned()),
        Long::Unknown => Long::Unknown,
        Long::Ambiguous(possible) => Long::Ambiguous(possible),
    }
}

/// Whether a line of glibc's getopt was printed ([`getopt_said`]): an option was refused
/// as the running tool's getopt refuses it, so the command refuses it without a line of
/// its own. (Every such option ends the command, so one flag serves the process.)
static GETOPT_REFUSED: AtomicBool = AtomicBool::new(false);

/// One of glibc getopt's lines on stderr, after the program's name as it was typed
/// (`argv[0]`), as glibc names it.
fn getopt_said(what: std::fmt::Arguments<'_>) {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    out::err_fmt(format_args!("{}: {what}\n", argv0.to_string_lossy()));
    GETOPT_REFUSED.store(true, Ordering::Relaxed);
}

/// Whether an option was refused with glibc's line (see [`GETOPT_REFUSED`]).
pub fn getopt_refused() -> bool {
    GETOPT_REFUSED.load(Ordering::Relaxed)
}

/// An argument of [`Cli::next`], owned while `next` decides whether to return it.
enum Owned {
    Short(char),
    Long(String),
    Value(OsString),
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

/// An unexpected argument of `command`: sgmap's line, unless it is an option of which
/// glibc's line was printed already ([`getopt_refused`]); the syntax error's status.
pub fn unexpected(command: &str, arg: lexopt::Arg<'_>) -> Fail {
    if getopt_refused() && !matches!(arg, lexopt::Arg::Value(_)) {
        return Fail::new(sgmap_core::status::ExitCategory::Syntax);
    }
    let e = arg.unexpected();
    out::syntax(command, format_args!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command that takes `--json`, `-H`, `--page=P`/`-p P` and operands: what it saw,
    /// or the exit status of the refusal.
    fn parse(args: &[&str]) -> Result<(bool, bool, Vec<String>), u8> {
        let mut cli = Cli::new("test", args.iter().map(OsString::from).collect());
        let (mut json, mut hex, mut rest) = (false, false, Vec::new());
        while let Some(arg) = cli.next().map_err(|f| f.code)? {
            match arg {
                lexopt::Arg::Long("json") | lexopt::Arg::Short('j') => json = cli.json(),
                lexopt::Arg::Short('H') => hex = true,
                lexopt::Arg::Long("page") | lexopt::Arg::Short('p') => {
                    rest.push(format!("page {}", cli.value("--page").map_err(|f| f.code)?));
                }
                lexopt::Arg::Value(v) => rest.push(v.to_string_lossy().into_owned()),
                other => return Err(unexpected("test", other).code),
            }
        }
        Ok((json, hex, rest))
    }

    #[test]
    fn json_takes_jo_as_sg3_utils_does() {
        let plain = Ok((true, false, vec!["/dev/sg0".to_owned()]));
        for form in [
            "--json",
            "--json=",
            "--json=e",
            "--json=-e",
            "--json==h",
            "--json=0",
            "-j",
            "-j=",
            "-j=h",
            "-j==h",
            "-j=!p~s",
        ] {
            assert_eq!(parse(&[form, "/dev/sg0"]), plain, "{form}");
            assert_eq!(parse(&["/dev/sg0", form]), plain, "{form} last");
        }
        // `-jH` is `-j -H`, as in sg3_utils; `-Hj=o` is `-H -j=o`.
        assert_eq!(parse(&["-jH", "d"]), Ok((true, true, vec!["d".to_owned()])));
        assert_eq!(
            parse(&["-Hj=o", "d"]),
            Ok((true, true, vec!["d".to_owned()]))
        );
        // An optional argument must be attached: `--json e` has the operand `e`.
        assert_eq!(
            parse(&["--json", "e"]),
            Ok((true, false, vec!["e".to_owned()]))
        );
        // Other options keep their values, `=` included where lexopt strips it.
        assert_eq!(
            parse(&["-j", "--page=sn", "-p", "di"]),
            Ok((
                true,
                false,
                vec!["page sn".to_owned(), "page di".to_owned()]
            ))
        );
        // Unknown letters and `?` are syntax errors, as sg3_utils exits 1 for them.
        for bad in ["--json=x", "-j=x", "--json=?", "-j=e=", "--json= =e"] {
            assert_eq!(parse(&[bad, "d"]), Err(1), "{bad}");
        }
        // `=` after an option that takes no value stays an error.
        assert_eq!(parse(&["-H=1", "d"]), Err(1));
        assert_eq!(parse(&["--js-file=x", "d"]), Err(1));
    }

    #[test]
    fn a_timeout_is_taken_from_its_least_to_what_milliseconds_in_32_bits_hold() {
        let secs = |v: &str, lo: u32| {
            let mut cli = Cli::new("test", vec![OsString::from(format!("--timeout={v}"))]);
            assert!(matches!(cli.next(), Ok(Some(lexopt::Arg::Long("timeout")))));
            cli.seconds("--timeout", lo).map_err(|f| f.code)
        };
        assert_eq!(secs("0", 0), Ok(0));
        assert_eq!(secs("0", 1), Err(1));
        assert_eq!(secs("4294967", 1), Ok(4_294_967));
        assert_eq!(secs("4294968", 0), Err(1));
        assert_eq!(secs("1k", 1), Ok(1024));
    }

    #[test]
    fn a_group_number_takes_6_bits_and_names_the_option_when_refused() {
        let cli = Cli::new("test", Vec::new());
        assert_eq!(
            cli.in_range("--group", 63, 0, 63).map_err(|f| f.code),
            Ok(63)
        );
        assert_eq!(
            cli.in_range("--group", 64, 0, 63).map_err(|f| f.code),
            Err(1)
        );
    }

    /// sg_turs' table, and a made-up one with an option of three names.
    const TURS: &str =
        "sg_turs d:hln:NOptvV delay help low new number,num old progress time verbose version +json +j";
    const THREE: &str = "tool e:f: err,exit-status,exit_status file";

    #[test]
    fn getopt_long_takes_a_unique_abbreviation_as_the_options_name() {
        assert_eq!(getopt_long(TURS, "verb"), Long::Name("verbose"));
        assert_eq!(getopt_long(TURS, "vers"), Long::Name("version"));
        assert_eq!(getopt_long(TURS, "p"), Long::Name("progress"));
        assert_eq!(getopt_long(TURS, "numb"), Long::Name("number"));
        // A name in full is itself, though it begins another name of the option.
        assert_eq!(getopt_long(TURS, "num"), Long::Name("num"));
        assert_eq!(getopt_long(TURS, "delay"), Long::Name("delay"));
        // Names of one option are one option: the first name of the table is taken.
        assert_eq!(getopt_long(THREE, "e"), Long::Name("err"));
        assert_eq!(getopt_long(THREE, "exit"), Long::Name("exit-status"));
        assert_eq!(getopt_long(THREE, "exit_"), Long::Name("exit_status"));
    }

    #[test]
    fn getopt_long_lists_the_possibilities_of_an_ambiguous_abbreviation_as_glibc_does() {
        assert_eq!(
            getopt_long(TURS, "ver"),
            Long::Ambiguous(" '--verbose' '--version'".into())
        );
        // The first match, then every later match of another option: `num` after
        // `number` although both are one option, since `new` came first.
        assert_eq!(
            getopt_long(TURS, "n"),
            Long::Ambiguous(" '--new' '--number' '--num'".into())
        );
        // An empty name begins every name: the whole table but the first option's others.
        assert_eq!(
            getopt_long(THREE, ""),
            Long::Ambiguous(" '--err' '--file'".into())
        );
    }

    #[test]
    fn getopt_long_knows_no_other_option_and_sgmaps_additions_in_full_only() {
        assert_eq!(getopt_long(TURS, "verbosely"), Long::Unknown);
        assert_eq!(getopt_long(TURS, "sg_turs"), Long::Unknown);
        assert_eq!(getopt_long(TURS, "d:hln:NOptvV"), Long::Unknown);
        assert_eq!(getopt_long(TURS, "json"), Long::Name("json"));
        assert_eq!(getopt_long(TURS, "js"), Long::Unknown);
        assert_eq!(getopt_long(TURS, "+json"), Long::Unknown);
        assert_eq!(getopt_long(THREE, "filex"), Long::Unknown);
    }

    #[test]
    fn getopt_short_takes_the_option_strings_letters_and_sgmaps_additions() {
        for c in "dhlnNOptvVj".chars() {
            assert!(getopt_short(TURS, c), "{c}");
        }
        for c in "aDsxJ:+?-".chars() {
            assert!(!getopt_short(TURS, c), "{c}");
        }
        assert!(getopt_short(THREE, 'e') && getopt_short(THREE, 'f'));
        assert!(!getopt_short(THREE, 'j') && !getopt_short(THREE, ':'));
        assert!(getopt_takes_argument(TURS, 'd') && getopt_takes_argument(TURS, 'n'));
        assert!(!getopt_takes_argument(TURS, 'h') && !getopt_takes_argument(TURS, 'l'));
        assert!(!getopt_takes_argument(TURS, ':') && !getopt_takes_argument(TURS, 'j'));
    }

    #[test]
    fn every_tool_has_one_getopt_line() {
        let tables = help::GETOPT.to_string();
        let mut seen = Vec::new();
        for line in tables.lines() {
            let tool = line.split(' ').next().unwrap_or_default();
            assert!(!seen.contains(&tool), "{tool} twice");
            seen.push(tool);
            assert!(
                crate::table::tool_named(tool).is_some() || crate::table::left_out(tool),
                "{tool}: no command answers to it"
            );
            for name in ["help", "verbose", "version"] {
                assert!(
                    line.split([' ', ',']).any(|n| n == name),
                    "{tool}: no --{name}"
                );
            }
        }
        for tool in crate::table::tool_names() {
            let own_parser = ["sg_dd", "sgm_dd", "sgp_dd"].contains(&tool);
            assert_eq!(seen.contains(&tool), !own_parser, "{tool}");
        }
    }
}
