//! How sgmap was invoked: as `sgmap COMMAND`, or busybox-style under the name of an
//! sg3_utils tool it replaces (a link named `sg_inq`, or `sgmap sg_inq ...`); the `-v` level
//! and `-V` that every command takes; and the two multi-call options, `--list-names` and
//! `--install [--symlinks] [--force] DIR`. All of them read [`crate::table`].

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

use sgmap_core::status::ExitCategory;

use crate::out::{self, CmdResult, Fail};
use crate::table::{self, Command, Tool};

/// The command being run, and the tool whose name it was invoked under, if any.
static RUNNING: OnceLock<(&'static Command, Option<&'static Tool>)> = OnceLock::new();
/// How many `-v` / `--verbose` the command line holds.
static VERBOSE: AtomicU8 = AtomicU8::new(0);

/// Notes the command about to run (once per process).
pub fn set_running(command: &'static Command, tool: Option<&'static Tool>) {
    let _ = RUNNING.set((command, tool));
}

/// The sg3_utils tool whose name sgmap was invoked under (`sg_inq` through a link, or
/// `sgmap sg_inq`), or `None` for `sgmap COMMAND`.
pub fn tool() -> Option<&'static str> {
    RUNNING.get().and_then(|(_, t)| t.map(|t| t.name))
}

/// The sg3_utils tool whose options the running command takes: the tool it was invoked
/// as, else the command's first tool (`sg_inq` for `sgmap inquiry`).
pub fn getopt_tool() -> Option<&'static str> {
    RUNNING
        .get()
        .and_then(|&(c, t)| t.or(c.tools.first()).map(|t| t.name))
}

/// One more `-v`.
pub fn verbose_more() {
    let _ = VERBOSE.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
        Some(v.saturating_add(1))
    });
}

/// Sets the verbosity (`verbose=N`, `-vvv` counted elsewhere).
pub fn set_verbose(level: u8) {
    VERBOSE.store(level, Ordering::Relaxed);
}

/// The `-v` level: 0 unless asked.
pub fn verbose() -> u8 {
    VERBOSE.load(Ordering::Relaxed)
}

/// `-V` / `--version`: under a tool's name (or for a command that answers to a tool) the
/// tool's own version line on stderr, as scripts parse it; for a command with no tool,
/// sgmap's version on stdout. Returns the status 0 that ends the command.
pub fn version() -> Fail {
    let running = RUNNING.get();
    let tool = running.and_then(|&(c, t)| t.or_else(|| c.tools.first()));
    match tool {
        Some(t) => {
            // Every 1.46 tool says this first when -v came with -V.
            if verbose() > 0 {
                out::err_str("Not in DEBUG mode, so '-vV' has no special action\n");
            }
            out::err_fmt(format_args!("{}\n", t.version));
        }
        None => {
            let _ = out::out_str(&version_text());
        }
    }
    Fail::code(0)
}

/// `sgmap --version`.
pub fn version_text() -> String {
    let commands: Vec<&str> = table::COMMANDS.iter().map(|c| c.name).collect();
    format!(
        "sgmap {}\ncommands: {}\nname tables: {}\nVPD pages decoded: {}\n",
        env!("CARGO_PKG_VERSION"),
        commands.join(" "),
        if cfg!(feature = "names") { "yes" } else { "no" },
        if cfg!(feature = "vpd-pages") {
            "all"
        } else {
            "00h 80h 83h"
        }
    )
}

/// The file name of a program path (`/usr/bin/sg_inq` → `sg_inq`).
pub fn program_name(argv0: &OsStr) -> Option<&str> {
    Path::new(argv0).file_name()?.to_str()
}

/// `sgmap --list-names`: the sg3_utils names sgmap answers to, one a line.
pub fn list_names() -> CmdResult {
    let mut text = String::new();
    for name in table::tool_names() {
        text.push_str(name);
        text.push('\n');
    }
    out::out_str(&text)
}

/// How `--install` makes each name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkKind {
    Hard,
    Symbolic,
}

/// `sgmap --install [--symlinks|-s] [--force|-f] DIR`, as `busybox --install [-s] DIR`: a
/// link to this binary under each tool name in DIR (hard links, or symbolic ones with
/// `--symlinks`; a symbolic link is relative when the binary is in DIR itself, so the
/// directory can be copied into an image as it is). A name that already exists in DIR is
/// left alone and reported (status 15) unless it already is this binary or `--force` is
/// given.
pub fn install(args: Vec<OsString>) -> CmdResult {
    const WHAT: &str = "--install";
    let mut kind = LinkKind::Hard;
    let mut force = false;
    let mut dir: Option<PathBuf> = None;
    let mut p = lexopt::Parser::from_args(args);
    loop {
        let arg = p
            .next()
            .map_err(|e| out::syntax("sgmap", format_args!("{WHAT}: {e}")))?;
        match arg {
            None => break,
            Some(lexopt::Arg::Long("symlinks") | lexopt::Arg::Short('s')) => {
                kind = LinkKind::Symbolic;
            }
            Some(lexopt::Arg::Long("force") | lexopt::Arg::Short('f')) => force = true,
            Some(lexopt::Arg::Value(v)) if dir.is_none() => dir = Some(PathBuf::from(v)),
            Some(other) => {
                let e = other.unexpected();
                return Err(out::syntax("sgmap", format_args!("{WHAT}: {e}")));
            }
        }
    }
    let Some(dir) = dir else {
        return Err(out::syntax(
            "sgmap",
            format_args!("{WHAT}: DIR is required: sgmap --install [--symlinks] [--force] DIR"),
        ));
    };
    if !dir.is_dir() {
        return Err(out::fail(
            ExitCategory::FileError,
            &dir.display().to_string(),
            "--install",
            format_args!("not a directory"),
        ));
    }
    let exe = std::env::current_exe()
        .map_err(|e| out::io_fail("sgmap", "--install: finding this binary", e))?;
    // The same directory: the same inode on the same device (as `realpath` would find,
    // without the libc's `realpath`).
    let same_dir = {
        use std::os::unix::fs::MetadataExt;
        let id = |p: &std::path::Path| std::fs::metadata(p).ok().map(|m| (m.dev(), m.ino()));
        let exe_dir = exe.parent().and_then(id);
        exe_dir.is_some() && id(&dir) == exe_dir
    };
    let target: PathBuf = match (kind, same_dir, exe.file_name()) {
        (LinkKind::Symbolic, true, Some(file)) => PathBuf::from(file),
        _ => exe.clone(),
    };
    let exe_meta = std::fs::metadata(&exe)
        .map_err(|e| out::io_fail(&exe.display().to_string(), "--install", e))?;
    let mut failed: Option<Fail> = None;
    for name in table::tool_names() {
        let path = dir.join(name);
        let shown = path.display().to_string();
        if let Ok(meta) = std::fs::metadata(&path) {
            use std::os::unix::fs::MetadataExt;
            let ours = meta.dev() == exe_meta.dev() && meta.ino() == exe_meta.ino();
            let link_ok =
                kind == LinkKind::Hard || std::fs::read_link(&path).is_ok_and(|t| t == target);
            if ours && link_ok {
                continue;
            }
            if !force {
                out::diag(
                    &shown,
                    "--install",
                    format_args!("exists and is not this sgmap (--force replaces it)"),
                );
                failed = Some(Fail::new(ExitCategory::FileError));
                continue;
            }
        }
        if force || std::fs::symlink_metadata(&path).is_ok() {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    failed = Some(out::io_fail(&shown, "--install: removing", e));
                    continue;
                }
            }
        }
        let made = match kind {
            LinkKind::Hard => std::fs::hard_link(&exe, &path),
            LinkKind::Symbolic => std::os::unix::fs::symlink(&target, &path),
        };
        match made {
            Ok(()) => {}
            // EXDEV: a hard link cannot reach another file system.
            Err(e) if kind == LinkKind::Hard && e.raw_os_error() == Some(18) => {
                failed = Some(out::fail(
                    out::io_category(&e),
                    &shown,
                    "--install: linking",
                    format_args!(
                        "{} (a hard link cannot reach another file system: --symlinks can)",
                        out::IoWhy(&e)
                    ),
                ));
            }
            Err(e) => failed = Some(out::io_fail(&shown, "--install: linking", e)),
        }
    }
    match failed {
        Some(f) => Err(f),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_name_is_the_file_name() {
        assert_eq!(program_name(OsStr::new("/usr/bin/sg_inq")), Some("sg_inq"));
        assert_eq!(program_name(OsStr::new("sgmap")), Some("sgmap"));
        assert_eq!(program_name(OsStr::new("./bin/sg_turs")), Some("sg_turs"));
        assert_eq!(program_name(OsStr::new("/")), None);
    }
}
