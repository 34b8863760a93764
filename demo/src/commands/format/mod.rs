//! `sgmap format`: FORMAT UNIT, with MODE SELECT of the block descriptor first where
//! `--size` or `--count` change it, as `sg_format` (sg3_utils 1.46) does; without
//! `--format`, the current block count and size.
//!
//! The order is sg_format's (`main()`): INQUIRY and the identification lines, MODE SENSE
//! (10, or 6 with `--six`) of the read-write error recovery page and the block descriptor
//! lines, MODE SELECT when asked (SP=1, once more with SP=0 after ILLEGAL REQUEST), then —
//! after the 15-second countdown unless `--quick` — FORMAT UNIT with IMMED (unless
//! `--wait`), and the progress poll (TEST UNIT READY, or REQUEST SENSE with `--poll=1`).

use std::ffi::OsString;
use std::fmt::Write as _;

use sgmap_core::cdb::{ModeSense10, ModeSense6, PageControl, ToCdb as _};
use sgmap_core::response::{Capacity10, Capacity16};
use sgmap_core::sense;
use sgmap_core::status::ExitCategory;
use sgmap_sys::{Command, Data, Device, Timeout};

use crate::cli::Cli;
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use crate::shared::destructive::{self, hex_bytes, hex_lines};
use crate::shared::dev;
use crate::shared::names;
use crate::shared::progress::{self, Style};

pub mod plan;

use plan::{Options, Prepared, Stop};

/// The parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Args {
    o: Options,
    json: bool,
    device: String,
    /// `--preset=ID`: FORMAT WITH PRESET with this PRESET IDENTIFIER.
    preset: Option<u32>,
    /// `--fmtmaxlba`: its FMTMAXLBA bit.
    fmtmaxlba: bool,
    /// `--tape=FM`: FORMAT MEDIUM (tapes).
    tape: Option<u8>,
}

/// A number operand in `lo..=hi`, or sg_format's "bad argument" (exit 1).
fn ranged(cli: &mut Cli, option: &str, lo: u64, hi: u64) -> Result<u64, Fail> {
    cli.number_in(option, lo, hi, &|_, lo, hi| {
        format!("bad argument to '{option}', accepts {lo} to {hi} inclusive")
    })
}

fn parse(args: Vec<OsString>) -> Result<Option<Args>, Fail> {
    let mut cli = Cli::new("format", args);
    let mut o = Options {
        cmplst: true,
        mode_page: 1,
        ..Options::default()
    };
    let (mut cmplst_given, mut json, mut device) = (false, false, None);
    let (mut pinfo, mut rto_req, mut fmtmaxlba) = (false, false, false);
    let (mut preset, mut tape, mut tape_verify): (Option<u64>, Option<u64>, bool) =
        (None, None, false);
    while let Some(arg) = cli.next()? {
        use lexopt::Arg::{Long, Short};
        match arg {
            Long("format") | Short('F') => o.format += 1,
            Long("resize") | Short('r') => o.resize = true,
            Long("count") | Short('c') => {
                let v = cli.value("--count")?;
                o.count = if v == "-1" {
                    u64::MAX
                } else {
                    crate::cli::number("format", "--count", &v)?
                };
            }
            Long("size") | Short('s') => {
                o.size = ranged(&mut cli, "--size", 1, u64::from(u32::MAX >> 1))? as u32;
            }
            Long("fmtpinfo") | Short('f') => {
                o.fmtpinfo = ranged(&mut cli, "--fmtpinfo", 0, 3)? as u8;
            }
            Long("pfu") | Short('P') => o.pfu = ranged(&mut cli, "--pfu", 0, 7)? as u8,
            Long("pie") | Short('q') => o.pie = ranged(&mut cli, "--pie", 0, 15)? as u8,
            Long("ip_def" | "ip-def") | Short('I') => o.ip_def = true,
            Long("security") | Short('S') => o.security = true,
            Long("cmplst") | Short('C') => {
                o.cmplst = ranged(&mut cli, "--cmplst", 0, 1)? == 1;
                cmplst_given = true;
            }
            Long("dcrt") | Short('D') => o.dcrt += 1,
            Long("early") | Short('e') => o.early = true,
            Long("wait") | Short('w') => o.wait = true,
            Long("poll") | Short('x') => {
                o.poll_rs = cli.number("--poll")? != 0;
            }
            Long("quick") | Short('Q') => o.quick = true,
            Long("long") | Short('l') => o.long = true,
            Long("six") | Short('6') => o.six = true,
            Long("timeout") | Short('m') => {
                o.timeout = ranged(&mut cli, "--timeout", 0, u64::from(u32::MAX >> 1))? as u32;
            }
            Long("ffmt") | Short('t') => o.ffmt = ranged(&mut cli, "--ffmt", 0, 3)? as u8,
            Long("dry-run" | "dry_run") | Short('d') => o.dry_run = true,
            Long("pinfo") | Short('p') => pinfo = true,
            Long("rto_req") | Short('R') => rto_req = true,
            Long("mode") | Short('M') => o.mode_page = ranged(&mut cli, "--mode", 0, 62)? as u8,
            Long("fmtmaxlba") | Short('b') => fmtmaxlba = true,
            Long("preset") | Short('E') => {
                let n = cli.number("--preset")?;
                if n > u64::from(u32::MAX) {
                    return Err(cli.syntax(format_args!(
                        "bad argument to '--preset', need 32 bit integer"
                    )));
                }
                preset = Some(n);
            }
            Long("tape") | Short('T') => {
                let v = cli.value("--tape")?;
                if v != "-1" {
                    let n = crate::cli::number("format", "--tape", &v)?;
                    if n > 15 {
                        return Err(cli.syntax(format_args!(
                            "bad argument to '--tape', accepts 0 to 15 inclusive"
                        )));
                    }
                    tape = Some(n);
                }
            }
            Long("verify") | Short('y') => tape_verify = true,
            Long("json") | Short('j') => json = cli.json(),
            Long("help") | Short('h') => {
                cli.help()?;
                return Ok(None);
            }
            lexopt::Arg::Value(v) if device.is_none() => {
                device = Some(crate::cli::utf8("format", "DEVICE", v)?)
            }
            other => return Err(crate::cli::unexpected("format", other)),
        }
    }
    let Some(device) = device else {
        return Err(cli.syntax(format_args!("no DEVICE name given")));
    };
    // sg_format's contradictions (exit 31), before the device is opened.
    let contradict = |why: &str| Err(out::contradict("format", format_args!("{why}")));
    if usize::from(o.format > 0) + usize::from(tape.is_some()) + usize::from(preset.is_some()) > 1 {
        return contradict("Can choose only one of: '--format', '--tape=' and '--preset='");
    }
    if o.ip_def && o.security {
        return contradict("'--ip_def' and '--security' contradict, choose one");
    }
    if o.resize {
        if o.format > 0 {
            return contradict("both '--format' and '--resize' not permitted");
        } else if o.count == 0 {
            return contradict("'--resize' needs a '--count' (other than 0)");
        } else if o.size != 0 {
            return contradict("'--resize' not compatible with '--size'");
        }
    }
    // sgmap's own: a protection interval without protection information (sg_format sends
    // it, and the device refuses it after the MODE SELECT and the countdown).
    if o.pie > 0 && o.fmtpinfo == 0 {
        return contradict(
            "'--pie' sets a protection interval, which needs protection information \
             ('--fmtpinfo=2' or 3)",
        );
    }
    if (pinfo || rto_req) && o.fmtpinfo > 0 {
        return contradict(
            "confusing with both '--pinfo' or '--rto_req' together with '--fmtpinfo', best \
             use '--fmtpinfo' only",
        );
    }
    o.fmtpinfo |= if pinfo { 2 } else { 0 } | if rto_req { 1 } else { 0 };
    // --verify sets FORMAT MEDIUM's VERIFY bit; without --tape sg_format ignores it.
    let _ = tape_verify;
    if o.ffmt > 0 && !cmplst_given {
        o.cmplst = false;
    }
    Ok(Some(Args {
        o,
        json,
        device,
        preset: preset.map(|p| p as u32),
        fmtmaxlba,
        tape: tape.map(|t| t as u8),
    }))
}

/// What the run did, for `--json`.
#[derive(Default)]
struct Record {
    identity: Option<destructive::Identity>,
    block_length: Option<u32>,
    blocks: Option<u64>,
    /// (name, CDB, parameter list, sent)
    commands: Vec<(&'static str, Vec<u8>, Vec<u8>, bool)>,
    seen: Vec<sense::Progress>,
}

/// Prints a line on stdout, or on stderr with `--json`.
fn say(json: bool, text: &str) -> CmdResult {
    if json {
        out::err_str(text);
        Ok(())
    } else {
        out::out_str(text)
    }
}

/// Runs `sgmap format`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let Some(a) = parse(args)? else {
        return Ok(());
    };
    let mut rec = Record::default();
    let result = run_device(&a, &mut rec);
    if a.json {
        let status = match result {
            Ok(()) => 0,
            Err(f) => f.code,
        };
        let mut j = Json::object();
        j.str("device", &a.device).bool("dry_run", a.o.dry_run);
        match &rec.identity {
            Some(id) => {
                j.u64("peripheral_device_type", u64::from(id.pdt))
                    .bool("protect", id.protect);
            }
            None => {
                j.null("peripheral_device_type");
            }
        }
        j.opt_u64("number_of_blocks", rec.blocks)
            .opt_u64("block_size", rec.block_length.map(u64::from));
        j.begin_array("commands");
        for (name, cdb, list, sent) in &rec.commands {
            j.item_object()
                .str("name", name)
                .str("cdb", &hex_bytes(cdb))
                .str("parameter_list", &hex_bytes(list))
                .bool("sent", *sent)
                .end();
        }
        j.end_array();
        progress::json(&mut j, &rec.seen);
        j.u64("exit_status", u64::from(status));
        out::out_str(&j.finish())?;
    }
    result
}

/// Prints what a dry run would send: the CDB and parameter list as sg3_utils' verbose lines
/// show them (`    Format unit cdb: [04 18 00 00 00 00]`, `    Format unit parameter
/// list:` and the bytes; `    mode select(10) parameter list`, without the colon), on
/// stderr, where sg_format -vvv prints them (its dry run prints nothing on stdout).
fn dry_lines(_json: bool, title: &str, cdb: &[u8], list: &[u8]) -> CmdResult {
    let mut s = format!("    {title} cdb: [{}]\n", hex_bytes(cdb));
    if !list.is_empty() {
        let colon = if title.starts_with("mode") { "" } else { ":" };
        let _ = write!(s, "    {title} parameter list{colon}\n{}", hex_lines(list));
    }
    out::err_str(&s);
    Ok(())
}

fn run_device(a: &Args, rec: &mut Record) -> CmdResult {
    let o = &a.o;
    let device = a.device.as_str();
    let mut d = dev::open(device)?;
    let mut total_bytes = 0u64;
    if o.format <= 2 {
        let pdt = match destructive::identify(&mut d, device) {
            Ok(id) => {
                say(a.json, &id.text)?;
                let pdt = id.pdt;
                rec.identity = Some(id);
                pdt
            }
            Err(_) if o.dry_run => {
                out::err_str("INQUIRY failed, assume device is a disk\n");
                0
            }
            Err(f) => return Err(f),
        };
        if a.tape.is_some() {
            // FORMAT MEDIUM is for tapes, media changers and ADC devices.
            if !matches!(pdt, 0x01 | 0x08 | 0x12) {
                out::err_str("This format is only defined for tapes\n");
                return Err(Fail::new(ExitCategory::MalformedResponse));
            }
            // Not driven: sgmap does not send SSC's FORMAT MEDIUM.
            return Err(out::syntax(
                "format",
                format_args!("--tape: sgmap does not send FORMAT MEDIUM (tapes)"),
            ));
        }
        if let Some(id) = a.preset {
            return format_with_preset(&mut d, a, id);
        }
        if o.format > 0 && !matches!(pdt, 0x00 | 0x07 | 0x0e) {
            return Err(out::fail(
                ExitCategory::MalformedResponse,
                device,
                "format",
                format_args!(
                    "peripheral type {} [0x{pdt:x}]: FORMAT UNIT is only defined for disks \
                     (SBC or RBC) and MO media",
                    names::pdt(pdt)
                ),
            ));
        }
        let prepared = match fetch_block_desc(&mut d, device, o) {
            Ok(p) => {
                say(a.json, &p.text)?;
                Some(p)
            }
            Err(_) if o.dry_run => None,
            Err(f) => return Err(f),
        };
        if let Some(p) = &prepared {
            total_bytes = p.total_bytes;
            rec.block_length = Some(p.block_length);
            rec.blocks = Some(p.total_bytes / u64::from(p.block_length.max(1)));
        }
        if let Some((cmd, list)) = prepared.as_ref().and_then(|p| p.select.as_ref()) {
            let six = cmd.six;
            let title = if six {
                "mode select(6)"
            } else {
                "mode select(10)"
            };
            let cdb = dev::cdb(cmd, device)?;
            if o.dry_run {
                out::err_fmt(format_args!(
                    "Due to --dry-run option bypass MODE SELECT({}) command\n",
                    if six { 6 } else { 10 }
                ));
                dry_lines(a.json, title, cdb.as_bytes(), list)?;
                rec.commands
                    .push(("MODE SELECT", cdb.as_bytes().to_vec(), list.clone(), false));
            } else {
                mode_select(&mut d, device, cmd, list, rec)?;
            }
        }
        if o.resize {
            return say(a.json, "Resize operation seems to have been successful\n");
        }
        if o.format == 0 {
            return report_capacity(&mut d, device, a, prepared.as_ref());
        }
    }
    if !o.quick && !o.dry_run {
        destructive::countdown("FORMAT UNIT", device, a.json, progress::sleep_secs)?;
    }
    format_unit(&mut d, a, total_bytes, rec).inspect_err(|_| {
        out::err_str("FORMAT UNIT failed\n");
    })
}

/// MODE SENSE and [`plan::prepare`], once more with LLBAA when the count does not fit.
fn fetch_block_desc(d: &mut Device, device: &str, o: &Options) -> Result<Prepared, Fail> {
    let (mut six, mut llbaa) = (o.six, o.long && !o.six);
    loop {
        let cdb = if six {
            ModeSense6 {
                dbd: false,
                page_control: PageControl::Current,
                page_code: o.mode_page,
                subpage_code: 0,
                allocation_length: 252,
            }
            .to_cdb()
        } else {
            ModeSense10 {
                llbaa,
                dbd: false,
                page_control: PageControl::Current,
                page_code: o.mode_page,
                subpage_code: 0,
                allocation_length: 252,
            }
            .to_cdb()
        };
        let cdb =
            cdb.map_err(|e| out::fail(ExitCategory::Syntax, device, "CDB", format_args!("{e}")))?;
        dev::verbose_sent(cdb.as_bytes());
        let (resp, data) = dev::data_in(d, cdb.as_bytes(), 252, Timeout::DEFAULT)?;
        let what = if six {
            "MODE SENSE (6)"
        } else {
            "MODE SENSE (10)"
        };
        if !resp.is_good() {
            return Err(dev::scsi_fail(device, what, &resp));
        }
        match plan::prepare(o, &data, six, llbaa) {
            Ok(p) => return Ok(p),
            Err(Stop::LongLba) => {
                six = false;
                llbaa = true;
            }
            Err(Stop::Malformed(why)) => {
                return Err(out::fail(
                    ExitCategory::MalformedResponse,
                    device,
                    what,
                    format_args!("{}", why.replace('\n', " ")),
                ));
            }
        }
    }
}

/// MODE SELECT with SP=1, then SP=0 after ILLEGAL REQUEST, as sg_format does; the
/// parameter list goes through the kernel's copy (at most 252 bytes).
fn mode_select(
    d: &mut Device,
    device: &str,
    cmd: &sgmap_core::cdb::ModeSelect,
    list: &[u8],
    rec: &mut Record,
) -> CmdResult {
    let mut cmd = *cmd;
    loop {
        let cdb = dev::cdb(&cmd, device)?;
        dev::verbose_sent(cdb.as_bytes());
        let resp = d
            .execute(&Command::new(cdb.as_bytes()), Data::Out(list))
            .map_err(dev::sys_fail)?;
        rec.commands
            .push(("MODE SELECT", cdb.as_bytes().to_vec(), list.to_vec(), true));
        if resp.category() == ExitCategory::IllegalRequest && cmd.save_pages {
            let _ = dev::scsi_fail(device, "MODE SELECT", &resp);
            out::err_str("Try MODE SELECT again with SP=0 this time\n");
            cmd.save_pages = false;
            continue;
        }
        if !resp.is_good() {
            let f = dev::scsi_fail(device, "MODE SELECT", &resp);
            out::err_fmt(format_args!(
                "MODE SELECT command: {}\n",
                names::exit_status(f.code)
            ));
            return Err(f);
        }
        return Ok(());
    }
}

/// Without `--format`: READ CAPACITY (10, or 16 when needed or with `--long`) and sg_format's
/// lines, then `No changes made.`
fn report_capacity(
    d: &mut Device,
    device: &str,
    a: &Args,
    prepared: Option<&Prepared>,
) -> CmdResult {
    let mut text = String::new();
    let mut long = a.o.long;
    let mut result = Ok(());
    let mut size = 0u32;
    loop {
        let (cdb, len): (sgmap_core::cdb::Cdb, usize) = if long {
            (
                dev::cdb(&sgmap_core::cdb::ReadCapacity16::default(), device)?,
                32,
            )
        } else {
            (dev::cdb(&sgmap_core::cdb::ReadCapacity10, device)?, 8)
        };
        dev::verbose_sent(cdb.as_bytes());
        let (resp, data) = dev::data_in(d, cdb.as_bytes(), len, Timeout::DEFAULT)?;
        if !resp.is_good() {
            let f = dev::scsi_fail(device, "READ CAPACITY", &resp);
            out::err_fmt(format_args!(
                "READ CAPACITY ({}): {}\n",
                if long { 16 } else { 10 },
                names::exit_status(f.code)
            ));
            result = Err(Fail::new(ExitCategory::Other));
            break;
        }
        if long {
            let Ok(c) = Capacity16::parse(&data) else {
                result = Err(Fail::new(ExitCategory::MalformedResponse));
                break;
            };
            let raw = |i: usize| data.get(i).copied().unwrap_or(0);
            let _ = write!(
                text,
                "Read Capacity (16) results:\n   Protection: prot_en={}, p_type={}, \
                 p_i_exponent={}\n   Logical block provisioning: lbpme={}, lbprz={}\n   \
                 Logical blocks per physical block exponent={}\n   Lowest aligned logical \
                 block address={}\n   Number of logical blocks={}\n   Logical block size={} \
                 bytes\n",
                raw(12) & 1,
                (raw(12) >> 1) & 7,
                raw(13) >> 4,
                raw(14) >> 7,
                (raw(14) >> 6) & 1,
                raw(13) & 0xf,
                (u16::from(raw(14)) << 8 | u16::from(raw(15))) & 0x3fff,
                c.last_lba.wrapping_add(1),
                c.block_length
            );
            size = c.block_length;
        } else {
            let Ok(c) = Capacity10::parse(&data) else {
                result = Err(Fail::new(ExitCategory::MalformedResponse));
                break;
            };
            if c.needs_16() {
                long = true;
                continue;
            }
            let _ = write!(
                text,
                "Read Capacity (10) results:\n   Number of logical blocks={}\n   Logical \
                 block size={} bytes\n",
                c.blocks(),
                c.block_length
            );
            size = c.block_length;
        }
        break;
    }
    let bd = prepared.map_or(0, |p| p.block_length);
    if size > 0 && bd > 0 && size != bd {
        let _ = write!(
            text,
            "  Warning: mode sense and read capacity report different block sizes \
             [{bd},{size}]\n           Probably needs format\n"
        );
    }
    text.push_str("No changes made. To format use '--format'. To resize use '--resize'\n");
    say(a.json, &text)?;
    result
}

/// FORMAT UNIT (`scsi_format_unit()` of sg_format), then the progress poll.
fn format_unit(d: &mut Device, a: &Args, total_bytes: u64, rec: &mut Record) -> CmdResult {
    let o = &a.o;
    let device = a.device.as_str();
    let (cmd, list) = plan::format_unit(o);
    let cdb = dev::cdb(&cmd, device)?;
    let immed = !o.wait;
    if o.dry_run {
        out::err_str("Due to --dry-run option bypassing FORMAT UNIT command\n");
        dry_lines(a.json, "Format unit", cdb.as_bytes(), &list)?;
        rec.commands
            .push(("FORMAT UNIT", cdb.as_bytes().to_vec(), list, false));
        if !immed {
            return Ok(());
        }
        if o.early {
            return say(a.json, EARLY);
        }
        return say(a.json, "No point in polling for progress, so exit\n");
    }
    let secs = plan::timeout_secs(o, total_bytes);
    let timeout = Timeout::from_secs(secs).unwrap_or(Timeout::DEFAULT);
    let data = if list.is_empty() {
        Data::None
    } else {
        Data::Out(&list)
    };
    dev::verbose_sent(cdb.as_bytes());
    let resp = d
        .execute(&Command::new(cdb.as_bytes()).timeout(timeout), data)
        .map_err(dev::sys_fail)?;
    rec.commands
        .push(("FORMAT UNIT", cdb.as_bytes().to_vec(), list.clone(), true));
    // NO SENSE and RECOVERED ERROR count as success, as in sg3_utils.
    if !resp.is_good() && !matches!(resp.category().code(), 20 | 21) {
        let f = dev::scsi_fail(device, "FORMAT UNIT", &resp);
        out::err_fmt(format_args!(
            "Format unit command: {}\n",
            names::exit_status(f.code)
        ));
        return Err(f);
    }
    if !immed {
        return Ok(());
    }
    say(a.json, "\nFormat unit has started\n")?;
    if o.early {
        return say(a.json, EARLY);
    }
    let json = a.json;
    let outcome = progress::run(
        Style::Format {
            request_sense: o.poll_rs,
            secs: if o.ffmt > 0 { 10 } else { 60 },
        },
        progress::sleep_secs,
        |ask| progress::poll(d, device, ask),
        progress::emit(json),
    )?;
    rec.seen = outcome.seen;
    Ok(())
}

/// FORMAT WITH PRESET (SBC-4), as sg_format's `--preset=ID`: the countdown unless
/// `--quick`, the command with IMMED unless `--wait` (and FMTMAXLBA with `--fmtmaxlba`),
/// then REQUEST SENSE every 60 seconds while it reports progress.
fn format_with_preset(d: &mut Device, a: &Args, id: u32) -> CmdResult {
    const WHAT: &str = "Format with preset";
    let o = &a.o;
    let device = a.device.as_str();
    if !o.quick {
        destructive::countdown("FORMAT WITH PRESET", device, a.json, progress::sleep_secs)?;
    }
    let immed = !o.wait;
    let mut cdb = [0u8; 10];
    cdb[0] = 0x38;
    cdb[1] = if immed { 0x80 } else { 0 } | if a.fmtmaxlba { 0x40 } else { 0 };
    cdb[2..6].copy_from_slice(&id.to_be_bytes());
    if o.dry_run {
        out::err_str("Due to --dry-run option bypassing FORMAT WITH PRESET command\n");
    } else {
        let secs = if immed { 60 } else { plan::timeout_secs(o, 0) }.max(o.timeout);
        let timeout = Timeout::from_secs(secs).unwrap_or(Timeout::DEFAULT);
        dev::verbose_cdb(WHAT, &cdb);
        let resp = d
            .execute(&Command::new(&cdb).timeout(timeout), Data::None)
            .map_err(dev::sys_fail)?;
        if !resp.is_good() && !matches!(resp.category().code(), 20 | 21) {
            let f = dev::scsi_fail(device, "FORMAT WITH PRESET", &resp);
            out::err_fmt(format_args!(
                "{WHAT} command: {}\nFORMAT WITH PRESET failed\n",
                names::exit_status(f.code)
            ));
            if crate::invocation::verbose() == 0 {
                out::err_str("    try '-v' for more information\n");
            }
            return Err(f);
        }
    }
    if !immed {
        return Ok(());
    }
    if !o.dry_run {
        say(a.json, &format!("\n{WHAT} has started\n"))?;
    }
    if o.early {
        return say(
            a.json,
            &format!("{WHAT} continuing,\n    Request sense can be used to monitor progress\n"),
        );
    }
    if o.dry_run {
        return say(a.json, "No point in polling for progress, so exit\n");
    }
    let json = a.json;
    progress::run(
        Style::Format {
            request_sense: true,
            secs: 60,
        },
        progress::sleep_secs,
        |ask| progress::poll(d, device, ask),
        progress::emit(json),
    )?;
    Ok(())
}

/// `--early`'s lines.
const EARLY: &str = "Format unit continuing,\n    request sense or test unit ready can be used \
                     to monitor progress\n";

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    fn code(list: &[&str]) -> u8 {
        parse(args(list)).unwrap_err().code
    }

    #[test]
    fn operands_as_sg_format_takes_them() {
        let a = parse(args(&[
            "-F", "-s", "512", "-f", "2", "-P", "1", "-q", "3", "-I", "-C", "0", "-D", "-D", "-e",
            "-w", "-x", "1", "-Q", "-l", "-6", "-c", "100", "-m", "30", "-t", "1", "/dev/sg2",
        ]))
        .unwrap()
        .unwrap();
        let o = a.o;
        assert_eq!(
            (o.format, o.size, o.fmtpinfo, o.pfu, o.pie, o.dcrt, o.count, o.timeout, o.ffmt),
            (1, 512, 2, 1, 3, 2, 100, 30, 1)
        );
        assert!(o.ip_def && !o.cmplst && o.early && o.wait && o.poll_rs && o.quick);
        assert!(o.long && o.six);
        assert_eq!(a.device, "/dev/sg2");
        // --ffmt drops CMPLST unless --cmplst is given; -FFF counts.
        let o = parse(args(&["--ffmt=2", "--format", "-FF", "d"]))
            .unwrap()
            .unwrap()
            .o;
        assert!(!o.cmplst);
        assert_eq!(o.format, 3);
        let o = parse(args(&["--ffmt=2", "--cmplst=1", "d"]))
            .unwrap()
            .unwrap()
            .o;
        assert!(o.cmplst);
        let o = parse(args(&["--resize", "--count=-1", "d"]))
            .unwrap()
            .unwrap()
            .o;
        assert_eq!(o.count, u64::MAX);
    }

    #[test]
    fn refusals_before_the_device_as_sg_format() {
        // Values out of range: 1.
        for bad in [
            &["--fmtpinfo=4", "d"][..],
            &["--pfu=8", "d"],
            &["--pie=16", "d"],
            &["--cmplst=2", "d"],
            &["--ffmt=4", "d"],
            &["--size=0", "d"],
            &["--format"],
            &["d", "e"],
            &["--bogus", "d"],
        ] {
            assert_eq!(code(bad), 1, "{bad:?}");
        }
        // Contradictions: 31.
        for bad in [
            &["--format", "--resize", "--count=9", "d"][..],
            &["--resize", "d"],
            &["--resize", "--count=9", "--size=512", "d"],
            &["--ip_def", "--security", "d"],
            &["--format", "--pie=2", "d"],
        ] {
            assert_eq!(code(bad), 31, "{bad:?}");
        }
    }
}
