//! How the guest init judges one test binary: pure functions, host-tested, so that every way
//! a binary can end badly (a crash, a hang, no output, exit 0 without a result, fewer tests
//! run than it lists, none at all) and every kernel taint it leaves is a failure the rig
//! reports, never a green run.

use core::fmt;

/// The counts of one libtest `test result:` line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LibtestResult {
    /// `N passed`.
    pub passed: u64,
    /// `N failed`.
    pub failed: u64,
    /// `N ignored`.
    pub ignored: u64,
    /// `N filtered out`.
    pub filtered: u64,
}

impl LibtestResult {
    /// Every test the line accounts for.
    pub fn accounted(&self) -> u64 {
        self.passed + self.failed + self.ignored + self.filtered
    }
}

/// Parses `test result: ok. 5 passed; 0 failed; 1 ignored; 0 measured; 2 filtered out; …`
/// anywhere in `line`.
pub fn parse_test_result(line: &str) -> Option<LibtestResult> {
    let rest = &line[line.find("test result: ")?..];
    let count = |word: &str| -> Option<u64> {
        rest.split(';')
            .find_map(|part| part.trim().strip_suffix(word))
            .and_then(|n| n.trim().rsplit(' ').next()?.parse().ok())
    };
    Some(LibtestResult {
        passed: count("passed")?,
        failed: count("failed")?,
        ignored: count("ignored").unwrap_or(0),
        filtered: count("filtered out").unwrap_or(0),
    })
}

/// The number of tests in libtest's `--list` output: its summary line `N tests, M
/// benchmarks` (`1 test, 0 benchmarks`).
pub fn parse_listed(line: &str) -> Option<u64> {
    let (n, rest) = line.trim().split_once(' ')?;
    if rest.starts_with("test, ") || rest.starts_with("tests, ") {
        n.parse().ok()
    } else {
        None
    }
}

/// How a test binary ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// It exited with this status.
    Exit(i32),
    /// A signal killed it.
    Signal(i32),
    /// It was killed after this many seconds.
    TimedOut(u64),
    /// It could not be started or waited for: why.
    NotRun(String),
}

impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            End::Exit(code) => write!(f, "exit status {code}"),
            End::Signal(n) => write!(f, "killed by signal {n}"),
            End::TimedOut(secs) => write!(f, "killed after {secs}s"),
            End::NotRun(why) => f.write_str(why),
        }
    }
}

/// The verdict on one binary: tests passed and failed (each error of the binary itself
/// counts as one failure), and the errors to report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Tests that passed.
    pub pass: u64,
    /// Tests that failed, plus one per error.
    pub fail: u64,
    /// What went wrong outside libtest's own failures.
    pub errors: Vec<String>,
}

impl Verdict {
    fn error(&mut self, message: String) {
        self.fail += 1;
        self.errors.push(message);
    }
}

/// Judges a binary from how it ended, its `test result:` lines, and how many tests its
/// `--list` named (`None` when listing failed).
pub fn judge(end: &End, results: &[LibtestResult], listed: Option<u64>) -> Verdict {
    let mut v = Verdict::default();
    let mut total = LibtestResult::default();
    for r in results {
        v.pass += r.passed;
        v.fail += r.failed;
        total.passed += r.passed;
        total.failed += r.failed;
        total.ignored += r.ignored;
        total.filtered += r.filtered;
    }
    match end {
        End::TimedOut(_) => v.error(format!("{end} (sgmap.test_timeout)")),
        End::NotRun(why) => v.error(why.clone()),
        End::Signal(_) => v.error(end.to_string()),
        End::Exit(0) if results.is_empty() => {
            v.error("exited 0 without a `test result:` line".to_owned())
        }
        End::Exit(0) => {}
        End::Exit(_) if results.is_empty() => {
            v.error(format!("{end} without a `test result:` line"))
        }
        End::Exit(_) if total.failed == 0 => v.error(format!("{end} without a failed test")),
        End::Exit(_) => {}
    }
    match listed {
        None => v.error("`--list` failed: its tests cannot be counted".to_owned()),
        Some(0) => v.error("lists no test: a test binary must prove something".to_owned()),
        Some(n) if !results.is_empty() && total.accounted() != n => v.error(format!(
            "accounted for {} of the {n} tests it lists ({} passed, {} failed, {} ignored, \
             {} filtered out)",
            total.accounted(),
            total.passed,
            total.failed,
            total.ignored,
            total.filtered
        )),
        Some(_) => {}
    }
    v
}

/// The copy time a dd-like tool prints with `time=1`, in nanoseconds: sgmap and sgm_dd
/// `time to transfer data: 1.234567 secs at …`, sgp_dd `time to transfer data was 1.234567
/// secs, …` (the number before `secs`).
pub fn parse_transfer_time(line: &str) -> Option<u64> {
    let rest = line.trim().strip_prefix("time to transfer data")?;
    let words: Vec<&str> = rest.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| w.trim_end_matches(',') == "secs")?;
    let (secs, frac) = words.get(at.checked_sub(1)?)?.split_once('.')?;
    let secs: u64 = secs.parse().ok()?;
    let digits = frac.len().min(9);
    let frac: u64 = frac.get(..digits)?.parse().ok()?;
    Some(secs * 1_000_000_000 + frac * 10u64.pow(9 - digits as u32))
}

/// The kernel's taint flags (`/proc/sys/kernel/tainted`, Documentation/admin-guide/
/// tainted-kernels.rst): bit, letter, meaning.
const TAINTS: &[(u32, char, &str)] = &[
    (0, 'P', "proprietary module"),
    (1, 'F', "module force-loaded"),
    (2, 'S', "out of specification"),
    (3, 'R', "module force-unloaded"),
    (4, 'M', "machine check"),
    (5, 'B', "bad page"),
    (6, 'U', "user request"),
    (7, 'D', "kernel died (oops or BUG)"),
    (8, 'A', "ACPI table overridden"),
    (9, 'W', "kernel warning (WARN)"),
    (10, 'C', "staging driver"),
    (11, 'I', "firmware workaround"),
    (12, 'O', "out-of-tree module"),
    (13, 'E', "unsigned module"),
    (14, 'L', "soft lockup"),
    (15, 'K', "live patched"),
    (16, 'X', "auxiliary"),
    (17, 'T', "randstruct"),
];

/// The taint bits that `after` has and `before` had not, named; `None` when there are none.
/// The kernel never clears a taint, so any new bit is something that happened in between:
/// an oops, a WARN, a soft lockup.
pub fn new_taint(before: u64, after: u64) -> Option<String> {
    let new = after & !before;
    if new == 0 {
        return None;
    }
    let names: Vec<String> = (0..64)
        .filter(|bit| new & (1 << bit) != 0)
        .map(|bit| match TAINTS.iter().find(|t| u64::from(t.0) == bit) {
            Some((_, letter, what)) => format!("{letter} ({what})"),
            None => format!("bit {bit}"),
        })
        .collect();
    Some(format!(
        "the kernel's taint went from {before:#x} to {after:#x}: {}",
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(passed: u64, filtered: u64) -> LibtestResult {
        LibtestResult {
            passed,
            filtered,
            ..LibtestResult::default()
        }
    }

    #[test]
    fn result_lines_parse_with_ignored_and_filtered() {
        let line = "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 3 filtered out; \
                    finished in 0.5s";
        assert_eq!(
            parse_test_result(line),
            Some(LibtestResult {
                passed: 12,
                failed: 0,
                ignored: 1,
                filtered: 3
            })
        );
        let failed = "test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 \
                      filtered out";
        assert_eq!(parse_test_result(failed).unwrap().failed, 2);
        assert_eq!(parse_test_result("test foo ... ok"), None);
    }

    #[test]
    fn list_summaries_parse_in_both_numbers() {
        assert_eq!(parse_listed("7 tests, 0 benchmarks"), Some(7));
        assert_eq!(parse_listed("1 test, 0 benchmarks"), Some(1));
        assert_eq!(parse_listed("0 tests, 0 benchmarks"), Some(0));
        assert_eq!(parse_listed("foo: test"), None);
    }

    #[test]
    fn a_clean_binary_passes_with_its_counts() {
        let v = judge(&End::Exit(0), &[ok(5, 2)], Some(7));
        assert_eq!((v.pass, v.fail, v.errors.len()), (5, 0, 0));
    }

    #[test]
    fn a_crash_a_hang_and_a_binary_not_run_each_fail() {
        for end in [
            End::Signal(11),
            End::TimedOut(600),
            End::NotRun("spawn: ENOENT".into()),
        ] {
            let v = judge(&end, &[], Some(3));
            assert!(v.fail >= 1 && !v.errors.is_empty(), "{end}: {v:?}");
        }
        // A crash after its result line still fails.
        let v = judge(&End::Signal(6), &[ok(3, 0)], Some(3));
        assert_eq!((v.pass, v.fail), (3, 1));
    }

    #[test]
    fn silence_and_exit_0_without_a_result_fail() {
        let v = judge(&End::Exit(0), &[], Some(4));
        assert_eq!(v.fail, 1, "{v:?}");
        let v = judge(&End::Exit(101), &[], Some(4));
        assert_eq!(v.fail, 1, "{v:?}");
        let v = judge(&End::Exit(101), &[ok(4, 0)], Some(4));
        assert_eq!(v.fail, 1, "a failing exit without a failed test: {v:?}");
    }

    #[test]
    fn a_binary_that_lists_no_test_or_runs_fewer_than_it_lists_fails() {
        // Every #[test] removed: libtest says `0 passed` and exits 0.
        let v = judge(&End::Exit(0), &[ok(0, 0)], Some(0));
        assert_eq!(v.fail, 1, "{v:?}");
        let v = judge(&End::Exit(0), &[ok(5, 0)], Some(7));
        assert_eq!(v.fail, 1, "{v:?}");
        let v = judge(&End::Exit(0), &[ok(5, 0)], None);
        assert_eq!(v.fail, 1, "{v:?}");
        // All filtered by the phase (the qemu-disk phase skips scsi_debug_*) is fine.
        let v = judge(&End::Exit(0), &[ok(0, 6)], Some(6));
        assert_eq!((v.pass, v.fail), (0, 0));
    }

    #[test]
    fn transfer_times_parse_in_each_tools_words() {
        assert_eq!(
            parse_transfer_time("time to transfer data: 1.234567 secs at 27.18 MB/sec"),
            Some(1_234_567_000)
        );
        assert_eq!(
            parse_transfer_time("time to transfer data was 0.050000 secs, 671.09 MB/sec"),
            Some(50_000_000)
        );
        assert_eq!(
            parse_transfer_time("time to transfer data: 3.5 secs"),
            Some(3_500_000_000)
        );
        assert_eq!(parse_transfer_time("128+0 records in"), None);
        assert_eq!(parse_transfer_time("time to transfer data: soon"), None);
    }

    #[test]
    fn new_taint_bits_are_named_old_ones_are_not() {
        assert_eq!(new_taint(0, 0), None);
        assert_eq!(new_taint(1 << 12, 1 << 12), None);
        let warn = new_taint(0, 1 << 9).unwrap();
        assert!(warn.contains("W (kernel warning (WARN))"), "{warn}");
        let oops = new_taint(1 << 9, (1 << 9) | (1 << 7)).unwrap();
        assert!(
            oops.contains("D (kernel died") && !oops.contains("W ("),
            "{oops}"
        );
        assert!(new_taint(0, 1 << 40).unwrap().contains("bit 40"));
    }
}
