//! The copy: opening both sides, planning, choosing the loop (sg side or file to file),
//! sync, verify, and the report through the [`Ledger`].

use sgmap_core::status::ExitCategory;
use std::fmt::Write as _;

use super::ends::{self, Kind, Sink, Source};
use super::ledger::Ledger;
use super::plan::{self, Flags, Operands, Plan, Schedule};
use super::sg::{self, Output, SgSide};
use super::verify::{self, Reader};
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use crate::signals::Caught;

/// Opens both sides, plans, copies, and reports.
pub fn run(ops: &Operands) -> CmdResult {
    // From the start, before the devices are opened and probed: a SIGUSR1 sent as soon as the
    // process exists must not end it (the probe can take a while on a slow device), and a
    // stop signal is taken once the copy can report.
    let signals = Caught::new();
    let if_given = ops.input.as_deref().unwrap_or("-");
    let of_given = ops.output.as_deref().unwrap_or("-");
    // An input that cannot be examined is sgm_dd's "unable to access" (15); an open that
    // fails afterwards, on either side, is its `sg_convert_errno()` of the errno (50 + it).
    let in_kind = match ops.iflag.fill {
        Some(fill) => Kind::Fill(fill),
        None => ends::classify(if_given, false).map_err(|e| {
            out::fail(
                ExitCategory::FileError,
                if_given,
                "open",
                format_args!("{}", out::IoWhy(&e)),
            )
        })?,
    };
    let out_kind = ends::classify(of_given, true).map_err(|e| open_fail(of_given, e))?;
    // iflag/oflag=sgio: a block device is used through its sg node.
    let (if_name, in_kind) = sgio(if_given, in_kind, &ops.iflag)?;
    let (of_name, out_kind) = sgio(of_given, out_kind, &ops.oflag)?;
    let (if_name, of_name) = (if_name.as_str(), of_name.as_str());
    check_flags(ops, in_kind, out_kind, of_name)?;
    if ops.tool == Some(super::tool::Flavor::Sgp)
        && ((ops.iflag.mmap && in_kind != Kind::Sg) || (ops.oflag.mmap && out_kind != Kind::Sg))
    {
        // sgp_dd maps the reserve of the side with mmap, which only an sg device has.
        out::err_str("SG_GET_RESERVED_SIZE error: Inappropriate ioctl for device\n");
        return Err(Fail::new(ExitCategory::Syntax));
    }
    if ops.compare && ops.cdbsz == Some(6) {
        out::err_str("sg_dd: there is no VERIFY(6), choose a larger cdbsz\n");
        return Err(Fail::new(ExitCategory::Syntax));
    }
    if ops.seek > 0 && out_kind == Kind::Std {
        return Err(out::contradict(
            "dd",
            format_args!("seek={} with of=-: standard output cannot seek", ops.seek),
        ));
    }
    if ops.verify && matches!(in_kind, Kind::Stream) {
        return Err(out::contradict(
            "dd",
            format_args!("verify=1 needs an input that can be read again, {if_name} is a stream"),
        ));
    }
    if ops.verify && matches!(out_kind, Kind::Stream) {
        return Err(out::contradict(
            "dd",
            format_args!("verify=1 needs an output that can be read back, {of_name} is a stream"),
        ));
    }
    let extent = |path: &str, kind: Kind| -> Result<plan::Extent, Fail> {
        if kind == Kind::Sg {
            sg::probe(path)
        } else {
            ends::extent(path, kind).map_err(|e| open_fail(path, e))
        }
    };
    let in_extent = extent(if_name, in_kind)?;
    let out_extent = extent(of_name, out_kind)?;
    if let Some(flavor) = ops.tool {
        // The tools take a count from an sg device's READ CAPACITY or a block device's
        // size only: with neither side one, count= is needed.
        let sized =
            |e: &plan::Extent| matches!(e, plan::Extent::Sg { .. } | plan::Extent::Device { .. });
        if ops.count.is_none() && !sized(&in_extent) && !sized(&out_extent) {
            out::err_str("Couldn't calculate count, please give one\n");
            return Err(Fail::new(match flavor {
                super::tool::Flavor::Sgm => ExitCategory::Syntax,
                _ => ExitCategory::Other,
            }));
        }
    }
    let plan = plan::plan(ops, in_extent, out_extent).map_err(|e| {
        let why = e.describe(if_name, of_name);
        out::fail(super::plan_category(&e), "dd", "", format_args!("{why}"))
    })?;
    if matches!(in_kind, Kind::Fill(_)) && plan.count.or(plan.out_room).is_none() {
        // sgm_dd: "Couldn't calculate count, please give one".
        return Err(out::syntax(
            "dd",
            format_args!("{if_name} has no end: give count=N"),
        ));
    }
    if ops.compare && (out_kind != Kind::Sg || ops.oflag.sparse) {
        // sg_dd's checks of --verify, once the count is known; then its report.
        let mut text = if out_kind != Kind::Sg {
            "--verify only supported when OFILE is a sg device or oflag=sgio\n".to_owned()
        } else {
            "--verify cannot be used with oflag=sparse\n".to_owned()
        };
        match plan.count {
            Some(left) if left > 0 => {
                let _ = writeln!(text, "Some error occurred,  remaining block count={left}");
            }
            _ => {}
        }
        text.push_str("0+0 records in\n0+0 records verified\n");
        out::err_str(&text);
        return Err(Fail::new(ExitCategory::Contradict));
    }
    check_cdb_size(ops, &plan, in_kind, out_kind)?;

    // The sg sides: qd files each, reserves for bs × bpt; bpt comes down to what every
    // side was granted.
    let mut bpt = plan.bpt;
    let mut open_sg = |path: &str,
                       kind: Kind,
                       flags: Flags,
                       output: bool|
     -> Result<Option<SgSide>, Fail> {
        if kind != Kind::Sg {
            return Ok(None);
        }
        let mut options = sg::SideOptions::new(ops, flags);
        // sg_dd --verify: the output side compares instead of writing.
        options.verify = ops.compare && output;
        let (side, fit) = SgSide::open(path, ops.qd, plan.bs, plan.bpt, options)?;
        let asked = u64::from(plan.bs) * u64::from(plan.bpt);
        match fit {
            Some(n) if n < plan.bpt => {
                out::diag(
                    path,
                    "reserve",
                    format_args!(
                        "asked for {asked} bytes, the kernel granted {}: bpt reduced from {} to {n}",
                        side.granted(),
                        plan.bpt
                    ),
                );
                bpt = bpt.min(n);
            }
            Some(_) => {}
            None => {
                return Err(out::fail(
                    ExitCategory::OsError(12),
                    path,
                    "reserve",
                    format_args!(
                        "the kernel granted {} bytes, less than one block of bs={}",
                        side.granted(),
                        plan.bs
                    ),
                ))
            }
        }
        Ok(Some(side))
    };
    let mut sg_in = open_sg(if_name, in_kind, ops.iflag, false)?;
    let mut sg_out = open_sg(of_name, out_kind, ops.oflag, true)?;
    if ops.dry_run {
        // As sg_dd: the devices are opened and probed (READ CAPACITY), nothing is read or
        // written, and no output file is created.
        return dry_run(ops, &plan, bpt, if_name, of_name);
    }
    let mut src = match in_kind {
        Kind::Sg => None,
        k => Some(Source::open(if_name, k, &ops.iflag).map_err(|e| open_fail(if_name, e))?),
    };
    let mut sink = match out_kind {
        Kind::Sg => None,
        k => Some(Sink::open(of_name, k, &ops.oflag).map_err(|e| open_fail(of_name, e))?),
    };

    let mut ledger = Ledger::new(ops, plan, bpt, signals);
    let qd = ops.qd as usize;
    match (&mut sg_in, &mut sg_out, &mut src, &mut sink) {
        (Some(i), Some(o), _, _) => sg::copy_from_sg(&mut ledger, i, Output::Sg(o), qd),
        (Some(i), None, _, Some(k)) => {
            sg::copy_from_sg(&mut ledger, i, Output::Sink(k, of_name), qd)
        }
        (None, Some(o), Some(s), _) => sg::copy_to_sg(&mut ledger, s, if_name, o),
        (None, None, Some(s), Some(k)) => copy_files(&mut ledger, s, k, if_name, of_name),
        _ => {}
    }
    // A device that disappeared ends the copy with one status (69, ENODEV), whatever the
    // moment and the error its removal caused.
    // A failure of the transport or the system (not a sense category) may be a removal
    // under way: its sysfs state is looked at for up to a second (Ledger::removal_window_ms).
    if let Some(window) = ledger.removal_window_ms() {
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(window);
        loop {
            for side in [&sg_in, &sg_out].into_iter().flatten() {
                if ledger.removed.is_none() && side.gone() {
                    ledger.removed = Some(side.path.clone());
                }
            }
            if ledger.removed.is_some() || std::time::Instant::now() >= deadline {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    // sync=1: SYNCHRONIZE CACHE on an sg output; a block device output is always flushed.
    // What was written is flushed even after a failure or a stop, as sgm_dd does.
    let written = ledger.rout.full + ledger.rout.partial > 0;
    if let Some(o) = &mut sg_out {
        if ops.sync && written && ledger.removed.is_none() {
            o.synchronize(&mut ledger);
        }
    }
    if let Some(k) = &mut sink {
        if let Err(e) = k.finish(ops.sync) {
            ledger.fail_io(of_name, "flush", e, None);
        }
    }
    // A report or a stop that came during SYNCHRONIZE CACHE.
    ledger.tick();
    if ops.verify && !ledger.stopping() {
        let a = match (&mut sg_in, &mut src) {
            (Some(i), _) => Some(Reader::Sg(i)),
            (None, Some(s)) => Some(Reader::Source(s)),
            _ => None,
        };
        let b = match (&mut sg_out, &mut sink) {
            (Some(o), _) => Some(Reader::Sg(o)),
            (None, Some(k)) => Some(Reader::Sink(k)),
            _ => None,
        };
        if let (Some(a), Some(b)) = (a, b) {
            verify::verify(&mut ledger, a, b, if_name, of_name);
        }
    }
    ledger.finish(if_name, of_name)
}

/// `sgio` on a block device: its sg node (a partition has none of its own: the LBAs would
/// be the disk's).
fn sgio(path: &str, kind: Kind, flags: &Flags) -> Result<(String, Kind), Fail> {
    if !(flags.sgio && kind == Kind::Block) {
        return Ok((path.to_owned(), kind));
    }
    match crate::shared::node::sg_node_of_disk(path) {
        Ok(Some(sg)) => Ok((sg, Kind::Sg)),
        Ok(None) => Err(out::contradict(
            "dd",
            format_args!("sgio: {path} has no sg node of its own (a partition, or not SCSI)"),
        )),
        Err(e) => Err(open_fail(path, e)),
    }
}

/// The flags that cannot work with these operands (exit 31), and the notes sg_dd prints.
fn check_flags(ops: &Operands, in_kind: Kind, out_kind: Kind, of_name: &str) -> Result<(), Fail> {
    for (side, flags, kind) in [
        ("iflag", &ops.iflag, in_kind),
        ("oflag", &ops.oflag, out_kind),
    ] {
        if flags.excl && kind == Kind::Sg && ops.qd > 1 {
            return Err(out::contradict(
                "dd",
                format_args!(
                    "{side}=excl with qd={}: the sg driver allows one exclusive open, qd \
                     opens the device {} times",
                    ops.qd, ops.qd
                ),
            ));
        }
        if flags.dio {
            out::err_fmt(format_args!(
                ">> {side}=dio: not used, sgmap dd moves sg data through the mapped reserve\n"
            ));
        }
    }
    if ops.iflag.sparse {
        out::err_str("sparse flag ignored for iflag\n");
    }
    if ops.oflag.sparse && matches!(out_kind, Kind::Std | Kind::Stream) {
        return Err(out::contradict(
            "dd",
            format_args!("oflag=sparse needs seekable output file, {of_name} is not"),
        ));
    }
    Ok(())
}

/// `cdbsz=6|10|12` on an sg side: the LBAs and the blocks per command must fit the CDB
/// (sg_dd 1.46 cuts the LBA to 32 bits silently; sgmap refuses before any transfer).
fn check_cdb_size(ops: &Operands, plan: &Plan, in_kind: Kind, out_kind: Kind) -> Result<(), Fail> {
    let Some(size) = ops.cdbsz.filter(|&n| n != 16) else {
        return Ok(());
    };
    let (max_lba, max_blocks): (u64, u64) = match size {
        6 => (0x1f_ffff, 256),
        10 => (u64::from(u32::MAX), 0xffff),
        _ => (u64::from(u32::MAX), u64::from(u32::MAX)),
    };
    let blocks = plan.count.or(plan.out_room).unwrap_or(0);
    for (kind, start, side) in [(in_kind, plan.skip, "if"), (out_kind, plan.seek, "of")] {
        if kind != Kind::Sg {
            continue;
        }
        let last = (start + blocks).saturating_sub(1);
        if last > max_lba {
            return Err(out::contradict(
                "dd",
                format_args!(
                    "cdbsz={size}: the copy reaches LBA {last} on {side}=, a {size}-byte READ or \
                     WRITE addresses up to {max_lba}"
                ),
            ));
        }
        if u64::from(plan.bpt) > max_blocks {
            return Err(out::contradict(
                "dd",
                format_args!(
                    "cdbsz={size} with bpt={}: a {size}-byte READ or WRITE carries at most \
                     {max_blocks} blocks",
                    plan.bpt
                ),
            ));
        }
    }
    Ok(())
}

/// A file operand that did not open: 50 + errno, as sgm_dd returns `sg_convert_errno()`;
/// a lock that another file holds (`flock`): sg_dd's 90.
fn open_fail(path: &str, e: std::io::Error) -> Fail {
    if e.kind() == std::io::ErrorKind::WouldBlock {
        out::diag(
            path,
            "flock(LOCK_EX | LOCK_NB)",
            format_args!("{}", out::IoWhy(&e)),
        );
        return Fail::code(sg::FLOCK_ERR);
    }
    let category = match e.raw_os_error() {
        // sg_dd ends every failed open with SG_LIB_FILE_ERROR (15); sgm_dd and sgp_dd with
        // sg_convert_errno() (50 + errno).
        Some(_) if crate::invocation::tool() == Some("sg_dd") => ExitCategory::FileError,
        Some(errno) => ExitCategory::OsError(u16::try_from(errno).unwrap_or(0)),
        None => ExitCategory::Other,
    };
    out::fail(category, path, "open", format_args!("{}", out::IoWhy(&e)))
}

/// `--dry-run`: what the copy would do, on stderr (and the JSON object on stdout).
fn dry_run(ops: &Operands, plan: &Plan, bpt: u32, if_name: &str, of_name: &str) -> CmdResult {
    if let Some(flavor) = ops.tool {
        tool_dry_run(flavor, ops, plan);
        return Ok(());
    }
    let transfers = plan.count.map(|c| c.div_ceil(u64::from(bpt)));
    let blocks = match plan.count {
        Some(c) => format!("{c} blocks"),
        None => "blocks until the input ends".to_owned(),
    };
    let count = match transfers {
        Some(t) => format!("{t} transfers"),
        None => "transfers".to_owned(),
    };
    out::err_fmt(format_args!(
        "Since --dry-run option given, bypassing copy\n\
         dd: would copy {blocks} of {} bytes from {if_name} (skip={}) to {of_name} (seek={}): \
         {count} of up to {bpt} blocks, qd={}\n",
        plan.bs, plan.skip, plan.seek, ops.qd
    ));
    if ops.json {
        let mut j = Json::object();
        j.bool("dry_run", true)
            .str("if", if_name)
            .str("of", of_name)
            .u64("bs", u64::from(plan.bs))
            .u64("bpt", u64::from(bpt))
            .opt_u64(
                "bpt_asked",
                (bpt != plan.bpt).then_some(u64::from(plan.bpt)),
            )
            .u64("qd", u64::from(ops.qd))
            .opt_u64("count", plan.count)
            .u64("skip", plan.skip)
            .u64("seek", plan.seek)
            .opt_u64("transfers", transfers)
            .u64("exit_status", 0);
        out::out_str(&j.finish())?;
    }
    Ok(())
}

/// The number of transfers: the count, or the output's room when the count is unknown.
fn schedule(ledger: &Ledger<'_>) -> Schedule {
    Schedule::new(ledger.plan.count.or(ledger.plan.out_room), ledger.bpt)
}

/// File to file (no sg side): read at most bpt blocks, write them, until done.
fn copy_files(
    ledger: &mut Ledger<'_>,
    src: &mut Source,
    sink: &mut Sink,
    if_name: &str,
    of_name: &str,
) {
    let bs = ledger.plan.bs as usize;
    // Page-aligned, as O_DIRECT (iflag/oflag=direct) needs.
    let size = bs * ledger.bpt as usize;
    let mut raw = vec![0u8; size + 4096];
    let at = raw.as_ptr().align_offset(4096).min(4096);
    let buf = &mut raw[at..at + size];
    if !ends::skip_stream(ledger, src, if_name) {
        return;
    }
    let mut sched = schedule(ledger);
    loop {
        ledger.tick();
        if ledger.stopping() {
            break;
        }
        let Some(t) = sched.next() else {
            break;
        };
        let len = t.blocks as usize * bs;
        let in_block = t.in_lba(&ledger.plan);
        let n = match src.read(in_block * bs as u64, &mut buf[..len]) {
            Ok(n) => n,
            Err(e) => {
                ledger.fail_io(if_name, "read", e, Some(in_block));
                break;
            }
        };
        let (full, partial) = ((n / bs) as u64, n % bs != 0);
        ledger.count_in(full, partial);
        if n > 0 && !ledger.sparse_skip(&t, &buf[..n]) {
            let out_block = t.out_lba(&ledger.plan);
            if let Err((done, e)) = sink.write(out_block * bs as u64, &buf[..n]) {
                ledger.count_written(done, bs);
                ledger.fail_io(of_name, "write", e, Some(out_block + (done / bs) as u64));
                break;
            }
            ledger.count_out(full, partial);
            ledger.bytes += n as u64;
        }
        if n < len {
            break;
        }
    }
    ends::input_continues(ledger, src, if_name, of_name);
}

/// `--dry-run` under a tool's name: the tool's lines. sgm_dd and sgp_dd report the count
/// as not done (sgp_dd after its note); sg_dd says it bypasses the copy, and prints its
/// time line when asked, with nothing moved.
fn tool_dry_run(flavor: super::tool::Flavor, ops: &Operands, plan: &Plan) {
    use super::tool::Flavor;
    let count = plan.count.unwrap_or(0);
    let mut text = String::new();
    match flavor {
        Flavor::Sg => {
            text.push_str("Since --dry-run option given, bypassing copy\n");
            if ops.time {
                text.push_str("time to transfer data: 0.000000 secs\n");
            }
        }
        Flavor::Sgm | Flavor::Sgp => {
            if flavor == Flavor::Sgp {
                text.push_str("Due to --dry-run option, bypass copy/read\n");
            }
            if count != 0 {
                let _ = writeln!(text, "  remaining block count={count}");
            }
            text.push_str("0+0 records in\n0+0 records out\n");
        }
    }
    out::err_str(&text);
}
