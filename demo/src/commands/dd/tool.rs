//! `dd` under the name of an sg3_utils dd tool (`sgm_dd`, `sg_dd`, `sgp_dd`): each tool's
//! own operand set and parser rules (1.46), mapped onto [`Operands`]. `sgmap dd` keeps its
//! own parser (sgm_dd's operands and sg_dd's, and sgmap's options), in [`super::run`].
//!
//! The tools parse their command lines by hand, alike in form: `KEY=VALUE`; a word starting
//! with one `-` is a cluster of letters, each counted (`-dvv`); `--dry-run`, `--help`,
//! `--verb`, `--vers` are matched by prefix; anything else is "Unrecognized option" (1).
//! A value that is not a number is, for the operands the tools check, a syntax error (1);
//! the others take it as -1, as `sg_get_num()` returns it.

use std::ffi::OsString;

use sgmap_core::status::ExitCategory;

use super::plan::{Fill, Operands};
use crate::args::parse_num;
use crate::out::{self, Fail};

/// Which sg3_utils dd tool `dd` runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// sgm_dd: the mmap-ed copy; `sgmap dd` follows it too.
    Sgm,
    /// sg_dd: SG_IO, with coe, retries, sparse, progress.
    Sg,
    /// sgp_dd: threads (`thr=N`, sgmap's queue depth).
    Sgp,
}

impl Flavor {
    /// The flavour of the tool name sgmap was invoked under, if it is a dd tool's.
    pub fn of_invocation() -> Option<Flavor> {
        match crate::invocation::tool()? {
            "sgm_dd" => Some(Flavor::Sgm),
            "sg_dd" => Some(Flavor::Sg),
            "sgp_dd" => Some(Flavor::Sgp),
            _ => None,
        }
    }

    /// The status of "Won't default both IFILE to stdin _and_ OFILE to stdout" and of two
    /// `if=`: sgm_dd and sg_dd say contradiction (31), sgp_dd syntax (1).
    fn contradict_code(self) -> ExitCategory {
        match self {
            Flavor::Sgp => ExitCategory::Syntax,
            _ => ExitCategory::Contradict,
        }
    }
}

/// What the command line asked for.
pub enum Parsed {
    /// A copy (or dry run) with these operands.
    Copy(Box<Operands>),
    /// `--help` or `-V`: already printed; the status is 0.
    Done,
}

/// `sg_get_num()`: the number, or -1 when it does not parse (or is out of `i64`'s range).
fn get_num(v: &str) -> i64 {
    match v.strip_prefix('-') {
        Some(rest) => parse_num(rest)
            .ok()
            .and_then(|n| i64::try_from(n).ok())
            .map_or(-1, |n| -n),
        None => parse_num(v)
            .ok()
            .and_then(|n| i64::try_from(n).ok())
            .unwrap_or(-1),
    }
}

fn syntax(msg: &str) -> Fail {
    out::err_str(msg);
    Fail::new(ExitCategory::Syntax)
}

/// A message and a status, as the tools print them (no `sgmap:` prefix).
fn refuse(category: ExitCategory, msg: &str) -> Fail {
    out::err_str(msg);
    Fail::new(category)
}

/// Applies one flag of `iflag=`/`oflag=` as `flavor`'s `process_flags()` knows it.
fn flag(flavor: Flavor, ops: &mut Operands, input: bool, name: &str, mmap: &mut bool) -> bool {
    let f = if input {
        &mut ops.iflag
    } else {
        &mut ops.oflag
    };
    let sg_only = flavor == Flavor::Sg;
    match name {
        "append" => f.append = true,
        "dio" => f.dio = true,
        "direct" => f.direct = true,
        "dpo" => f.dpo = true,
        "dsync" => f.dsync = true,
        "excl" => f.excl = true,
        "fua" => f.fua = true,
        "null" => {}
        "coe" if flavor != Flavor::Sgm => f.coe = f.coe.saturating_add(1),
        "mmap" if flavor == Flavor::Sgp => {
            *mmap = true;
            f.mmap = true;
        }
        "flock" if sg_only => f.flock = true,
        "nocache" if sg_only => f.nocache = true,
        "nocreat" if sg_only => f.nocreat = true,
        "sgio" if sg_only => f.sgio = true,
        "sparse" if sg_only => f.sparse = true,
        "00" | "ff" | "random" if sg_only => {
            if input {
                let new = match name {
                    "00" => Fill::Zero,
                    "ff" => Fill::Ones,
                    _ => Fill::Random,
                };
                f.fill = Some(match (f.fill, new) {
                    (Some(Fill::Ones), _) | (_, Fill::Ones) => Fill::Ones,
                    (Some(Fill::Random), _) | (_, Fill::Random) => Fill::Random,
                    _ => Fill::Zero,
                });
            }
        }
        _ => return false,
    }
    true
}

/// Parses the command line of `flavor`.
pub fn parse(flavor: Flavor, args: Vec<OsString>) -> Result<Parsed, Fail> {
    let me = match flavor {
        Flavor::Sgm => "sgm_dd: ",
        Flavor::Sg => "sg_dd: ",
        Flavor::Sgp => "sgp_dd: ",
    };
    let no_args = args.is_empty();
    let mut ops = Operands {
        tool: Some(flavor),
        ..Operands::default()
    };
    let (mut bs, mut ibs, mut obs): (i64, i64, i64) = (0, 0, 0);
    let mut bpt: i64 = 128;
    let mut bpt_given = false;
    let mut dry_run = 0u32;
    let mut version = false;
    let mut verbose: i64 = 0;
    let mut skip: i64 = 0;
    let mut seek: i64 = 0;
    let mut threads: i64 = 4;
    let mut mmap_in = false;
    let mut mmap_out = false;
    let mut verify = false;
    // -v or --verbose seen (sg_dd and sgp_dd note it; sgm_dd's `-v` does not).
    let mut verbose_given = false;
    for arg in args {
        let arg = arg.to_string_lossy().into_owned();
        let (key, value) = match arg.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (arg.clone(), String::new()),
        };
        let n = get_num(&value);
        let bad = |what: &str| syntax(&format!("{me}bad argument to '{what}'\n"));
        // sg_dd and sgp_dd name the operand with its `=`.
        let eq = if flavor == Flavor::Sgm { "" } else { "=" };
        match key.as_str() {
            "bpt" => {
                if n == -1 {
                    return Err(bad(&format!("bpt{eq}")));
                }
                bpt = n;
                bpt_given = true;
            }
            "bs" => {
                // sg_dd 1.46 notes `bpt` as given after bs= (so bs ≥ 2048 keeps bpt 128),
                // and takes a bad value as -1 (then 512, "Assume default").
                if flavor == Flavor::Sg {
                    bpt_given = true;
                } else if n == -1 {
                    return Err(bad(&format!("bs{eq}")));
                }
                bs = n;
            }
            "cdbsz" => {
                if ![6, 10, 12, 16].contains(&n) {
                    return Err(syntax(&format!(
                        "{me}expected cdb size of 6, 10, 12, or 16 but got {n}\n"
                    )));
                }
                ops.cdbsz = Some(n as u8);
            }
            "coe" => {
                if flavor != Flavor::Sgm {
                    let level = match flavor {
                        Flavor::Sgp => u8::from(n != 0),
                        _ => u8::try_from(n.max(0)).unwrap_or(u8::MAX),
                    };
                    ops.iflag.coe = level;
                    ops.oflag.coe = level;
                }
            }
            "count" => {
                if value != "-1" {
                    if n == -1 {
                        return Err(bad(&format!("count{eq}")));
                    }
                    ops.count = Some(n as u64);
                }
            }
            "dio" => {
                ops.oflag.dio = n != 0;
                if flavor != Flavor::Sgm {
                    ops.iflag.dio = n != 0;
                }
            }
            "fua" => {
                ops.oflag.fua |= n & 1 != 0;
                ops.iflag.fua |= n & 2 != 0;
            }
            "ibs" => {
                if n == -1 && flavor != Flavor::Sg {
                    return Err(bad(&format!("ibs{eq}")));
                }
                ibs = n;
            }
            "obs" => {
                if n == -1 && flavor != Flavor::Sg {
                    return Err(bad(&format!("obs{eq}")));
                }
                obs = n;
            }
            "if" => {
                if ops.input.as_deref().is_some_and(|s| !s.is_empty()) {
                    let msg = match flavor {
                        Flavor::Sg => "Second IFILE argument??\n",
                        _ => "Second 'if=' argument??\n",
                    };
                    let cat = match flavor {
                        Flavor::Sgm => ExitCategory::Contradict,
                        _ => ExitCategory::Syntax,
                    };
                    return Err(refuse(cat, msg));
                }
                ops.input = Some(value);
            }
            "of" => {
                if ops.output.as_deref().is_some_and(|s| !s.is_empty()) {
                    let msg = match flavor {
                        Flavor::Sg => "Second OFILE argument??\n",
                        _ => "Second 'of=' argument??\n",
                    };
                    return Err(refuse(flavor.contradict_code(), msg));
                }
                ops.output = Some(value);
            }
            "iflag" | "oflag" => {
                let input = key == "iflag";
                let mmap = if input { &mut mmap_in } else { &mut mmap_out };
                for name in value.split(',') {
                    if !flag(flavor, &mut ops, input, name, mmap) {
                        out::err_fmt(format_args!("unrecognised flag: {name}\n"));
                        return Err(bad(&format!("{key}{eq}")));
                    }
                }
            }
            "seek" => {
                if n == -1 {
                    return Err(bad(&format!("seek{eq}")));
                }
                seek = n;
            }
            "skip" => {
                if n == -1 {
                    return Err(bad(&format!("skip{eq}")));
                }
                skip = n;
            }
            "sync" => ops.sync = n != 0,
            "time" => {
                let (t, to) = match value.split_once(',') {
                    Some((t, to)) if flavor == Flavor::Sg => (get_num(t), Some(to)),
                    _ => (n, None),
                };
                if let Some(to) = to {
                    if get_num(to) < 0 {
                        return Err(syntax(&format!("{me}bad argument to 'time=0|1,TO'\n")));
                    }
                }
                ops.time = t != 0;
            }
            "thr" if flavor == Flavor::Sgp => threads = n,
            k if k.starts_with("verb") || (flavor == Flavor::Sgp && k.starts_with("deb")) => {
                verbose = n;
            }
            // sg_dd's own operands.
            k if flavor == Flavor::Sg && k.starts_with("app") => {
                ops.iflag.append = n != 0;
                ops.oflag.append = n != 0;
            }
            "blk_sgio" if flavor == Flavor::Sg => {
                ops.iflag.sgio = n != 0;
                ops.oflag.sgio = n != 0;
            }
            "cdl" if flavor == Flavor::Sg => {
                let (i, o) = match value.split_once(',') {
                    Some((i, o)) => (get_num(i), Some(get_num(o))),
                    None => (n, None),
                };
                if !(0..=7).contains(&i) {
                    return Err(syntax(&format!(
                        "{me}bad argument to 'cdl=', expect 0 to 7\n"
                    )));
                }
                if o.is_some_and(|o| !(0..=7).contains(&o)) {
                    return Err(syntax(&format!(
                        "{me}bad argument to 'cdl=ICDL,OCDL', expect OCDL to be 0 to 7\n"
                    )));
                }
                if i != 0 || o.unwrap_or(0) != 0 {
                    // Not driven: sgmap's READ and WRITE carry no command duration limit.
                    return Err(syntax(
                        "cdl=: sgmap sends no command duration limits (only cdl=0)\n",
                    ));
                }
            }
            "coe_limit" if flavor == Flavor::Sg => {
                if n == -1 {
                    return Err(bad("coe_limit="));
                }
                ops.coe_limit = u32::try_from(n).unwrap_or(u32::MAX);
            }
            "conv" if flavor == Flavor::Sg => {
                for name in value.split(',') {
                    match name {
                        "noerror" => ops.iflag.coe = ops.iflag.coe.saturating_add(1),
                        "nocreat" => ops.oflag.nocreat = true,
                        "sparse" => ops.oflag.sparse = true,
                        "notrunc" | "null" | "sync" => {}
                        other => {
                            out::err_fmt(format_args!("unrecognised flag: {other}\n"));
                            return Err(bad("conv="));
                        }
                    }
                }
            }
            "odir" if flavor == Flavor::Sg => {
                ops.iflag.direct = n != 0;
                ops.oflag.direct = n != 0;
            }
            "of2" if flavor == Flavor::Sg => {
                // Not driven yet: a second output.
                return Err(syntax("of2=: sgmap copies to one output only\n"));
            }
            "retries" if flavor == Flavor::Sg => {
                if n == -1 {
                    return Err(bad("retries="));
                }
                ops.retries = u32::try_from(n).unwrap_or(u32::MAX);
            }
            k if k.len() > 1 && k.starts_with('-') && !k.starts_with("--") => {
                let letters = &k[1..];
                let count = |c: char| letters.chars().filter(|&x| x == c).count();
                let mut known = count('d') + count('v') + count('V');
                dry_run += count('d') as u32;
                if count('h') > 0 {
                    help();
                    return Ok(Parsed::Done);
                }
                verbose += count('v') as i64;
                verbose_given |= count('v') > 0 && flavor != Flavor::Sgm;
                version |= count('V') > 0;
                if flavor == Flavor::Sg {
                    known += count('p') + count('x');
                    ops.progress |= count('p') > 0;
                    verify |= count('x') > 0;
                }
                if known < letters.chars().count() {
                    return Err(syntax(&format!(
                        "Unrecognised short option in '{k}', try '--help'\n"
                    )));
                }
            }
            k if k.starts_with("--dry-run") || k.starts_with("--dry_run") => dry_run += 1,
            k if k.starts_with("--help") || k == "-?" => {
                help();
                return Ok(Parsed::Done);
            }
            k if flavor == Flavor::Sg && k.starts_with("--progress") => ops.progress = true,
            k if k.starts_with("--verb") => {
                verbose += 1;
                verbose_given |= flavor != Flavor::Sgm;
            }
            k if flavor == Flavor::Sg && k.starts_with("--veri") => verify = true,
            k if k.starts_with("--vers") => version = true,
            k => {
                return Err(syntax(&format!(
                    "Unrecognized option '{k}'\nFor more information use '--help'\n"
                )))
            }
        }
    }
    if verbose_given && version {
        out::err_str("Not in DEBUG mode, so '-vV' has no special action\n");
    }
    if version {
        return Err(crate::invocation::version());
    }
    crate::invocation::set_verbose(u8::try_from(verbose.max(0)).unwrap_or(u8::MAX));
    if flavor == Flavor::Sg && ops.progress {
        ops.time = true;
    }
    if flavor == Flavor::Sg && no_args {
        return Err(refuse(
            ExitCategory::Contradict,
            "Won't default both IFILE to stdin _and_ OFILE to stdout\n\
             For more information use '--help'\n",
        ));
    }
    if bs <= 0 {
        bs = 512;
        out::err_str("Assume default 'bs' ((logical) block size) of 512 bytes\n");
    }
    let bs_u32 = u32::try_from(bs).map_err(|_| syntax(&format!("{me}bad argument to 'bs'\n")))?;
    ops.bs = Some(bs_u32);
    if (ibs != 0 && ibs != bs) || (obs != 0 && obs != bs) {
        return Err(refuse(
            flavor.contradict_code(),
            "If 'ibs' or 'obs' given must be same as 'bs'\n",
        ));
    }
    if skip < 0 || seek < 0 {
        return Err(refuse(
            flavor.contradict_code(),
            "skip and seek cannot be negative\n",
        ));
    }
    if ops.oflag.append && seek > 0 {
        return Err(refuse(
            flavor.contradict_code(),
            "Can't use both append and seek switches\n",
        ));
    }
    if bpt < 1 {
        return Err(syntax("bpt must be greater than 0\n"));
    }
    if flavor == Flavor::Sgp {
        if mmap_in && mmap_out {
            return Err(syntax(
                "can only use mmap flag in iflag= or oflag=, not both\n",
            ));
        }
        if !(1..=1024).contains(&threads) {
            return Err(syntax("too few or too many threads requested\n"));
        }
        // sgp_dd's threads each carry one transfer at a time: sgmap's queue depth, up to
        // its 16. sgp_dd's threads share one file descriptor; sgmap's queue opens the
        // device once per slot, which the driver's exclusive open allows once: with excl,
        // one slot.
        ops.qd = threads.min(16) as u32;
        if ops.iflag.excl || ops.oflag.excl {
            ops.qd = 1;
        }
    }
    ops.compare = verify;
    ops.bpt = if bs >= 2048 && !bpt_given {
        None
    } else {
        Some(u32::try_from(bpt).unwrap_or(u32::MAX))
    };
    ops.skip = skip as u64;
    ops.seek = seek as u64;
    ops.dry_run = dry_run > 0;
    let input = ops.input.take().filter(|s| !s.is_empty());
    let output = ops.output.take().filter(|s| !s.is_empty());
    // '.' is /dev/null (of=); an empty or absent name is stdin / stdout.
    let std = |s: &Option<String>| s.as_deref().is_none_or(|s| s.starts_with('-'));
    if std(&input) && std(&output) && ops.iflag.fill.is_none() {
        return Err(refuse(
            flavor.contradict_code(),
            "Won't default both IFILE to stdin _and_ OFILE to stdout\n\
             For more information use '--help'\n",
        ));
    }
    ops.input = input.or_else(|| ops.iflag.fill.is_none().then(|| "-".to_owned()));
    ops.output = Some(output.unwrap_or_else(|| "-".to_owned()));
    if ops.iflag.sparse && flavor == Flavor::Sg {
        out::err_str("sparse flag ignored for iflag\n");
    }
    Ok(Parsed::Copy(Box::new(ops)))
}

/// The help of `dd` on stderr, where the tools print their usage.
fn help() {
    if let Some(text) = crate::help::of("dd") {
        out::err_str(&text);
    }
}
