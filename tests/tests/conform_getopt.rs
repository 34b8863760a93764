//! Long options as the sg3_utils tools' getopt_long takes them, beside the real tools: a
//! unique abbreviation is the option (`--vers` is `--version`), an ambiguous one is refused
//! with glibc's list of the possibilities, and the table sgmap abbreviates by
//! (`demo/src/help/getopt.txt`) is each tool's own. No device is opened: the
//! abbreviations on a device are in the conformance tables of conform_unit and conform_inq.

mod cli_common;

use cli_common::*;

/// What sgmap knows each tool gives getopt_long (a line a tool: the tool, its option
/// string, its long options, sgmap's additions).
const GETOPT: &str = include_str!("../../demo/src/help/getopt.txt");

/// The tools sgmap answers to whose options getopt_long parses (sg_dd, sgm_dd and sgp_dd
/// parse their own), with the command of each.
const TOOLS: &[(&str, &str)] = &[
    ("inquiry", "sg_inq"),
    ("vpd", "sg_vpd"),
    ("readcap", "sg_readcap"),
    ("tur", "sg_turs"),
    ("requests", "sg_requests"),
    ("format", "sg_format"),
    ("sanitize", "sg_sanitize"),
    ("write-buffer", "sg_write_buffer"),
    ("start", "sg_start"),
    ("sync", "sg_sync"),
    ("verify", "sg_verify"),
    ("luns", "sg_luns"),
    ("opcodes", "sg_opcodes"),
    ("unmap", "sg_unmap"),
    ("write-same", "sg_write_same"),
    ("raw", "sg_raw"),
    ("sense", "sg_decode_sense"),
];

/// The tools that print their usage on stdout, where sgmap prints its own usage (on
/// stderr): of a case that ends in the usage, their exit status and glibc's line are
/// compared, not stdout.
const USAGE_ON_STDOUT: &[&str] = &["sg_turs", "sg_format"];

/// glibc's line about an option, from `: ` on (see [`ambiguity`]): an unrecognized long
/// option, an invalid letter, a missing argument, an argument to an option without one.
fn getopt_line(run: &Run) -> Option<String> {
    run.stderr
        .lines()
        .find(|l| {
            [
                ": unrecognized option '",
                ": invalid option -- '",
                "' requires an argument",
                ": option requires an argument -- '",
                "' doesn't allow an argument",
            ]
            .iter()
            .any(|said| l.contains(said))
        })
        .and_then(|l| l.find(": ").map(|at| l[at..].to_owned()))
}

/// glibc's line for an ambiguous option, from `: option '` on (the program is named as
/// argv[0] was typed: `/usr/bin/sg_inq` for the tool, the link's path for sgmap).
fn ambiguity(run: &Run) -> Option<String> {
    run.stderr
        .lines()
        .find(|l| l.contains("' is ambiguous; possibilities:"))
        .and_then(|l| l.find(": option '").map(|at| l[at..].to_owned()))
}

/// The options of glibc's list, in its order.
fn possibilities(line: &str) -> Vec<String> {
    line.split("possibilities:")
        .nth(1)
        .unwrap_or_default()
        .split_whitespace()
        .map(|p| p.trim_matches('\'').to_owned())
        .collect()
}

/// What differs between the tool's run and sgmap's (through the link) of one case.
fn differences(tool: &str, theirs: &Run, ours: &Run, stderr_too: bool) -> Vec<String> {
    let mut why = Vec::new();
    if theirs.code != ours.code {
        why.push(format!("exit status {} (sgmap {})", theirs.code, ours.code));
    }
    let usage = theirs.code != 0 || !theirs.stdout.is_empty();
    let stdout_kept = !(usage && USAGE_ON_STDOUT.contains(&tool));
    if stdout_kept && theirs.stdout != ours.stdout {
        why.push("stdout".to_owned());
    }
    if ambiguity(theirs) != ambiguity(ours) {
        why.push(format!(
            "ambiguity line {:?} (sgmap {:?})",
            ambiguity(theirs),
            ambiguity(ours)
        ));
    }
    if stderr_too && theirs.stderr != ours.stderr {
        why.push(format!(
            "stderr {:?} (sgmap {:?})",
            theirs.stderr, ours.stderr
        ));
    }
    why
}

/// An empty name (`--=1`) begins every long option's name, so getopt_long lists the whole
/// table as ambiguous: the first option and every other option (each of its names). That
/// list, from the real tool, is the table sgmap must abbreviate by; the case itself must
/// end as the tool ends it.
#[test]
fn long_option_tables_without_a_device_is_sg3_utils_getopt_long() {
    let mut failures = Vec::new();
    for (_, tool) in TOOLS {
        let theirs = sg3(tool, &["--=1"]);
        let ours = as_tool(tool, &["--=1"]);
        let listed = ambiguity(&theirs).map(|l| possibilities(&l));
        assert!(
            listed.as_ref().is_some_and(|l| l.len() > 3),
            "{tool} --=1 listed no table: {theirs:?}"
        );
        for why in differences(tool, &theirs, &ours, false) {
            failures.push(format!("{tool} --=1: {why}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Abbreviations every tool has: `--vers` is `--version` (its line, exactly), `--verb` is
/// `--verbose`, `--ver` is ambiguous (and `--ve` in sg_format, beside `--verify`), `--hel`
/// is `--help`; an abbreviation with `=VALUE` that is ambiguous is listed with its value.
/// Each also as `sgmap COMMAND`, whose exit status is the tool's.
#[test]
fn abbreviations_without_a_device_is_sg3_utils_getopt_long() {
    let mut failures = Vec::new();
    for (command, tool) in TOOLS {
        let cases: &[(&[&str], bool)] = &[
            (&["--vers"], true),
            (&["--verb", "--vers"], false),
            (&["--ver"], false),
            (&["--ve=2"], false),
            (&["--hel"], false),
        ];
        for (args, stderr_too) in cases {
            let theirs = sg3(tool, args);
            let ours = as_tool(tool, args);
            for why in differences(tool, &theirs, &ours, *stderr_too) {
                failures.push(format!("{tool} {args:?}: {why}"));
            }
            let mut sub = vec![*command];
            sub.extend_from_slice(args);
            let ours = sgmap(&sub);
            if ours.code != theirs.code {
                failures.push(format!(
                    "sgmap {sub:?}: exit status {} (the tool's {})",
                    ours.code, theirs.code
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Options a tool does not take: an unknown long option (with a value, which glibc quotes),
/// letters that are in no tool's option string, an argument to `--verbose` (also
/// abbreviated: glibc names the option in full), and the first letter of the tool's option
/// string that takes an argument given none; each refused with glibc's line, the tool's
/// exit status and stdout. And `sg_unmap -H`, a letter of its option string that its
/// switch does not handle.
#[test]
fn unknown_options_without_a_device_is_sg3_utils_getopt_long() {
    let mut failures = Vec::new();
    for (_, tool) in TOOLS {
        // The first letter of the tool's option string that takes an argument, given none.
        let letters = GETOPT
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{tool} ")))
            .and_then(|l| l.split(' ').next())
            .unwrap_or_default();
        let needs = letters
            .char_indices()
            .find(|&(i, c)| c != ':' && letters[i + c.len_utf8()..].starts_with(':'))
            .map(|(_, c)| format!("-{c}"))
            .unwrap_or_else(|| panic!("{tool}: no letter with an argument in {letters:?}"));
        let cases: [&[&str]; 8] = [
            &["--bogus=1"],
            &["--nosuch"],
            &["-K"],
            &["-Y"],
            &["-7"],
            &["--verbose=2"],
            &["--verb=2"],
            &[&needs],
        ];
        for args in cases {
            let theirs = sg3(tool, args);
            let ours = as_tool(tool, args);
            for why in differences(tool, &theirs, &ours, false) {
                failures.push(format!("{tool} {args:?}: {why}"));
            }
            if getopt_line(&theirs).is_none() || getopt_line(&theirs) != getopt_line(&ours) {
                failures.push(format!(
                    "{tool} {args:?}: getopt's line {:?} (sgmap {:?})",
                    getopt_line(&theirs),
                    getopt_line(&ours)
                ));
            }
        }
    }
    let theirs = sg3("sg_unmap", &["-H"]);
    let ours = as_tool("sg_unmap", &["-H"]);
    for why in differences("sg_unmap", &theirs, &ours, false) {
        failures.push(format!("sg_unmap -H: {why}"));
    }
    assert!(
        ours.stderr
            .starts_with("unrecognised option code 0x48 ??\n"),
        "{ours:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
