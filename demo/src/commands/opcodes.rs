//! `sgmap opcodes`: REPORT SUPPORTED OPERATION CODES (all commands, or one) and REPORT
//! SUPPORTED TASK MANAGEMENT FUNCTIONS, printed as `sg_opcodes` 1.46 prints them.

use std::ffi::OsString;
use std::fmt::Write as _;

use sgmap_core::cdb::{CommandName, ReportSupportedOpcodes, ReportSupportedTmf};
use sgmap_core::response::{
    CommandDescriptor, OneCommand, Support, SupportedOpcodes, SupportedTmf,
};
use sgmap_core::status::ExitCategory;
use sgmap_sys::{Device, Timeout};

use crate::args::parse_num;
use crate::cli::Cli;
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use crate::shared::dev;
use crate::shared::names;
use crate::shared::simple_inquiry::{self, Simple};
use crate::shared::unit_opts::Letter;

/// sg_opcodes' allocation length for all commands (`MX_ALLOC_LEN`).
const ALL_LEN: u32 = 8192;
/// The allocation length of one command's data with `--mask`.
const MASK_LEN: u32 = 64;

/// The parsed options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub alpha: bool,
    pub compact: bool,
    pub enumerate: bool,
    pub hex: bool,
    pub mask: bool,
    pub mlu: bool,
    pub no_inquiry: bool,
    pub opcode: Option<u8>,
    pub sa: Option<u16>,
    pub pdt: Option<u8>,
    pub raw: bool,
    pub rctd: bool,
    pub repd: bool,
    pub tmf: bool,
    pub unsorted: bool,
    pub json: bool,
    /// `-h`, an unknown option, an option without its argument: the usage, status 0.
    pub help: bool,
    /// `-V` in the old interface.
    pub version: bool,
    /// `-N` in the old interface: back to the new one.
    pub renew: bool,
    pub device: Option<String>,
}

fn num_in(cli: &Cli, what: &str, v: &str, max: u64) -> Result<u64, Fail> {
    match parse_num(v) {
        Ok(n) if n <= max => Ok(n),
        _ => Err(cli.syntax(format_args!(
            "bad argument to '{what}': {v} (0 to {max:#x})"
        ))),
    }
}

/// Parses the options; `None` after `--help`.
pub fn parse(args: Vec<OsString>) -> Result<Option<Options>, Fail> {
    let raw = args.clone();
    let mut o = Options::default();
    if crate::shared::unit_opts::old_from_env() {
        old_parse(&raw, &mut o)?;
        if o.renew {
            new_parse(args, &mut o)?;
        }
    } else if new_parse(args, &mut o)? {
        old_parse(&raw, &mut o)?;
    }
    if o.help {
        crate::shared::unit_opts::usage("opcodes")?;
        return Ok(None);
    }
    if o.version {
        return Err(crate::invocation::version());
    }
    if o.device.is_none() && !o.enumerate {
        return Err(out::syntax("opcodes", format_args!("DEVICE is required")));
    }
    if o.sa.is_some() && o.opcode.is_none() {
        return Err(out::contradict(
            "opcodes",
            format_args!(
                "--sa=SA needs --opcode=OP (sg_opcodes: when '-s' is chosen, so must '-o' be)"
            ),
        ));
    }
    if (o.raw || o.hex) && o.json {
        return Err(out::contradict(
            "opcodes",
            format_args!("--json with --raw or --hex: one output format"),
        ));
    }
    Ok(Some(o))
}

/// sg_opcodes' old interface: letters `-acehHmMnqrRtu`, words `o=OP`, `s=SA` (hex) and
/// `p=DT` (decimal, -1 to 31).
fn old_parse(args: &[OsString], o: &mut Options) -> Result<(), Fail> {
    crate::shared::unit_opts::old_style(
        "opcodes",
        args,
        o,
        |o, c, _| {
            match c {
                'a' => o.alpha = true,
                'c' => o.compact = true,
                'e' => o.enumerate = true,
                'H' => o.hex = true,
                'm' => o.mask = true,
                'M' => o.mlu = true,
                'n' => o.no_inquiry = true,
                'N' => {
                    o.renew = true;
                    return Letter::Stop;
                }
                'O' => {}
                'q' => o.repd = true,
                'r' => o.raw = true,
                'R' => o.rctd = true,
                't' => o.tmf = true,
                'u' => o.unsorted = true,
                'v' => crate::invocation::verbose_more(),
                'V' => o.version = true,
                'h' | '?' => o.help = true,
                _ => return Letter::Out,
            }
            Letter::Flag
        },
        |o, w| {
            let bad = |what: &str| {
                out::syntax("opcodes", format_args!("Bad number after '{what}' option"))
            };
            if let Some(v) = w.strip_prefix("o=") {
                let n = crate::shared::unit_opts::scan_u64(v, true)
                    .filter(|n| *n <= 255)
                    .ok_or_else(|| bad("o="))?;
                o.opcode = Some(n as u8);
            } else if let Some(v) = w.strip_prefix("p=") {
                let n = crate::shared::unit_opts::scan_u64(v, false)
                    .map(|n| n as i64)
                    .filter(|n| (-1..=0x1f).contains(n))
                    .ok_or_else(|| bad("p="))?;
                o.pdt = u8::try_from(n).ok();
            } else if let Some(v) = w.strip_prefix("s=") {
                let n = crate::shared::unit_opts::scan_u64(v, true).ok_or_else(|| bad("s="))?;
                o.sa = Some(n as u16);
            } else {
                return Ok(false);
            }
            Ok(true)
        },
        |o, d| {
            if o.device.is_some() {
                return Err(out::syntax(
                    "opcodes",
                    format_args!("too many arguments: {d}"),
                ));
            }
            o.device = Some(d.to_owned());
            Ok(())
        },
    )?;
    Ok(())
}

/// The new interface; `Ok(true)` at `--old`/`-O`.
fn new_parse(args: Vec<OsString>, o: &mut Options) -> Result<bool, Fail> {
    let mut cli = Cli::new("opcodes", args);
    while let Some(arg) = cli.next()? {
        use lexopt::Arg::{Long, Short, Value};
        match arg {
            Long("alpha") | Short('a') => o.alpha = true,
            Long("compact") | Short('c') => o.compact = true,
            Long("enumerate") | Short('e') => o.enumerate = true,
            Long("hex") | Short('H') => o.hex = true,
            Long("mask") | Short('m') => o.mask = true,
            Long("mlu") | Short('M') => o.mlu = true,
            Long("no-inquiry") | Long("no_inquiry") | Short('n') => o.no_inquiry = true,
            Long("opcode") | Short('o') => {
                let Some(v) = crate::shared::unit_opts::value(&mut cli, "--opcode")? else {
                    o.help = true;
                    continue;
                };
                let (op, sa) = match v.split_once(',') {
                    Some((op, sa)) => (op, Some(sa)),
                    None => (v.as_str(), None),
                };
                o.opcode = Some(num_in(&cli, "--opcode", op, 0xff)? as u8);
                if let Some(sa) = sa {
                    o.sa = Some(num_in(&cli, "--opcode", sa, 0xffff)? as u16);
                }
            }
            Long("sa") | Short('s') => {
                let Some(v) = crate::shared::unit_opts::value(&mut cli, "--sa")? else {
                    o.help = true;
                    continue;
                };
                o.sa = Some(num_in(&cli, "--sa", &v, 0xffff)? as u16);
            }
            Long("pdt") | Short('p') => {
                let Some(v) = crate::shared::unit_opts::value(&mut cli, "--pdt")? else {
                    o.help = true;
                    continue;
                };
                o.pdt = match v.as_str() {
                    "-1" => None,
                    _ => Some(num_in(&cli, "--pdt", &v, 0x1f)? as u8),
                };
            }
            Long("raw") | Short('r') => o.raw = true,
            Long("rctd") | Short('R') => o.rctd = true,
            Long("repd") | Short('q') => o.repd = true,
            Long("tmf") | Short('t') => o.tmf = true,
            Long("unsorted") | Short('u') => o.unsorted = true,
            Long("json") | Short('j') => o.json = cli.json(),
            Long("new") | Short('N') => {}
            Long("old") | Short('O') => return Ok(true),
            Value(v) => cli.device(&mut o.device, v)?,
            // `-h` and what getopt_long() answers '?' for.
            _ => o.help = true,
        }
    }
    Ok(false)
}

/// Runs `sgmap opcodes`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let Some(o) = parse(args)? else {
        return Ok(());
    };
    if o.unsorted && o.alpha {
        out::diag(
            "opcodes",
            "",
            format_args!("warning: --unsorted and --alpha, ignoring --alpha"),
        );
    }
    if o.tmf && (o.opcode.is_some() || o.alpha || o.unsorted) {
        out::diag(
            "opcodes",
            "",
            format_args!("warning: --tmf chosen, so --alpha, --unsorted and --opcode are ignored"),
        );
    }
    if o.enumerate {
        return enumerate(&o);
    }
    let device = o.device.clone().unwrap_or_default();
    // sg_opcodes opens read-only to list all commands (INQUIRY first), read-write to ask
    // about one; on a file that is no SCSI node its INQUIRY fails (99), or the first
    // REPORT command (75).
    let asks_inquiry = o.opcode.is_none() && !(o.no_inquiry && o.pdt.is_some());
    let Some(mut d) = crate::shared::unit_opts::open(&device, o.opcode.is_some())? else {
        return Err(Fail::new(if asks_inquiry {
            ExitCategory::Other
        } else {
            ExitCategory::OsError(25)
        }));
    };
    let mut pdt = o.pdt;
    let mut text = String::new();
    let mut inquiry: Option<Simple> = None;
    if o.opcode.is_none() {
        if o.no_inquiry && o.pdt.is_none() {
            out::diag(
                "opcodes",
                "",
                format_args!("--no-inquiry ignored because --pdt= not given"),
            );
        }
        if !(o.no_inquiry && o.pdt.is_some()) {
            dev::verbose_cdb("inquiry", &[0x12, 0, 0, 0, 36, 0]);
            let (resp, simple) = simple_inquiry::inquire(&mut d)?;
            let Some(simple) = simple else {
                let _ = dev::scsi_fail(&device, "INQUIRY", &resp);
                return Err(out::fail(
                    ExitCategory::Other,
                    &device,
                    "",
                    format_args!("doesn't respond to a SCSI INQUIRY"),
                ));
            };
            pdt = Some(simple.pdt);
            if !(o.raw || o.no_inquiry || o.json) {
                let _ = writeln!(text, "  {}", simple.line());
                let _ = writeln!(text, "  Peripheral device type: {}", names::pdt(simple.pdt));
            }
            inquiry = Some(simple);
        }
    }
    let pdt_n = pdt.unwrap_or(0);
    let (what, cdb, len) = if o.tmf {
        let len = if o.repd { 16 } else { 4 };
        let c = ReportSupportedTmf {
            repd: o.repd,
            allocation_length: len,
        };
        (
            "Report supported task management functions",
            dev::cdb(&c, &device)?,
            len,
        )
    } else {
        let c = match o.opcode {
            None => ReportSupportedOpcodes::all(o.rctd, ALL_LEN),
            Some(op) => ReportSupportedOpcodes::one(o.rctd, op, o.sa, ALL_LEN),
        };
        (
            "Report supported operation codes",
            dev::cdb(&c, &device)?,
            ALL_LEN,
        )
    };
    dev::verbose_cdb(what, cdb.as_bytes());
    let (resp, data) = dev::data_in(&mut d, cdb.as_bytes(), len as usize, Timeout::DEFAULT)?;
    if !resp.is_good() {
        let fail = dev::scsi_fail(&device, &what.to_ascii_uppercase(), &resp);
        out::err_fmt(format_args!("{what}: {}\n", names::exit_status(fail.code)));
        if o.sa == Some(0) && o.opcode.is_some() {
            out::err_str("    >> perhaps try again without a service action [SA] of 0\n");
        }
        if !text.is_empty() && !o.json {
            out::out_str(&text)?;
        }
        return Err(fail);
    }
    let mut j = Json::object();
    if o.json {
        j.str("device", &device);
        match &inquiry {
            Some(s) => j.u64("peripheral_device_type", u64::from(s.pdt)),
            None => j.opt_u64("peripheral_device_type", pdt.map(u64::from)),
        };
    }
    let mut code = 0u8;
    if o.tmf {
        if o.raw {
            out::out_str(&text)?;
            return out::out_bytes(&data);
        }
        code = tmf(&o, &data, &mut text, &mut j)?;
    } else if o.opcode.is_none() {
        let len = SupportedOpcodes::new_checked(&data[..])
            .map(|s| (s.command_data_length() as usize).saturating_add(4))
            .unwrap_or(0)
            .min(data.len());
        if o.raw {
            return out::out_bytes(&data[..len]);
        }
        if o.hex {
            hex_dump_no_ascii(&data[..len], &mut text);
        } else {
            list_all(&o, &data[..len], pdt_n, &mut d, &device, &mut text, &mut j)?;
        }
    } else {
        let cd_len = data
            .get(2..4)
            .map_or(0, |b| usize::from(u16::from_be_bytes([b[0], b[1]])));
        let len = (cd_len + 4).min(data.len());
        if o.raw {
            return out::out_bytes(&data[..len]);
        }
        if o.hex {
            hex_dump_no_ascii(&data[..len], &mut text);
        } else {
            // As sg_opcodes: the timeouts descriptor is read past CDB SIZE's bytes.
            list_one(&o, &data, pdt_n, &mut text, &mut j);
        }
    }
    if o.json {
        j.u64("exit_status", u64::from(code));
        out::out_str(&j.finish())?;
    } else {
        out::out_str(&text)?;
    }
    match code {
        0 => Ok(()),
        c => Err(Fail::code(c)),
    }
}

/// `--enumerate`: the name of `--opcode` (and `--sa`) for `--pdt`, without a device.
fn enumerate(o: &Options) -> CmdResult {
    if o.tmf {
        return out::out_str("enumerate not supported with task management functions\n");
    }
    let name =
        CommandName::service_action(o.opcode.unwrap_or(0), o.sa.unwrap_or(0), o.pdt.unwrap_or(0));
    if o.json {
        let mut j = Json::object();
        j.u64("operation_code", u64::from(o.opcode.unwrap_or(0)))
            .u64("service_action", u64::from(o.sa.unwrap_or(0)))
            .u64("peripheral_device_type", u64::from(o.pdt.unwrap_or(0)))
            .str("name", &name.to_string())
            .u64("exit_status", 0);
        return out::out_str(&j.finish());
    }
    out::out_fmt(format_args!("SCSI command:\n  {name}\n"))
}

/// `dStrHex(.., 1)`: sg3_utils' hex dump with offsets and without the ASCII column.
pub fn hex_dump_no_ascii(data: &[u8], out: &mut String) {
    let mut s = String::new();
    out::hex_dump(data, &mut s);
    for line in s.lines() {
        let hex = line.get(..line.len().min(58)).unwrap_or(line);
        out.push_str(hex.trim_end());
        out.push('\n');
    }
}

/// The name of a listed command, as sg_opcodes gets it.
fn name_of(d: &CommandDescriptor, pdt: u8) -> String {
    match d.service_action() {
        Some(sa) => CommandName::service_action(d.opcode, sa, pdt).to_string(),
        None => CommandName::opcode(d.opcode, pdt).to_string(),
    }
}

/// The header lines of the list.
fn header(o: &Options) -> &'static str {
    match (o.rctd, o.compact, o.mlu) {
        (true, true, _) => "\nOpcode,sa  Nominal  Recommended  Name\n  (hex)    timeout  timeout(sec)     \n--------------------------------------------------------\n",
        (true, false, _) => "\nOpcode  Service    CDB   Nominal  Recommended  Name\n(hex)   action(h)  size  timeout  timeout(sec)     \n----------------------------------------------------------------\n",
        (false, true, _) => "\nOpcode,sa  Name\n  (hex)        \n---------------------------------------\n",
        (false, false, true) => "\nOpcode  Service    CDB    MLU    Name\n(hex)   action(h)  size              \n-----------------------------------------------\n",
        (false, false, false) => "\nOpcode  Service    CDB  RWCDLP,  Name\n(hex)   action(h)  size   CDLP       \n-----------------------------------------------\n",
    }
}

/// One line of the list (sg_opcodes' columns).
pub fn line(o: &Options, d: &CommandDescriptor, name: &str) -> String {
    let sa = match d.service_action() {
        Some(sa) if o.compact => format!("{sa:<4x}"),
        Some(sa) => format!("{sa:>4x}"),
        None => "    ".to_owned(),
    };
    let comma = if d.servactv { ',' } else { ' ' };
    let op = d.opcode;
    let size = d.cdb_length;
    if o.rctd {
        match d.timeouts.filter(|_| d.ctdp) {
            Some(t) => {
                let mut s = if o.compact {
                    format!(" {op:02x}{comma}{sa}")
                } else {
                    format!(" {op:02x}     {sa}       {size:3}")
                };
                match t.nominal {
                    0 => s.push_str("         -"),
                    n => {
                        let _ = write!(s, "  {n:8}");
                    }
                }
                match t.recommended {
                    0 => s.push_str("          -"),
                    n => {
                        let _ = write!(s, "   {n:8}");
                    }
                }
                format!("{s}    {name}\n")
            }
            None if o.compact => format!(" {op:02x}{comma}{sa}                        {name}\n"),
            None => format!(" {op:02x}     {sa}       {size:3}                         {name}\n"),
        }
    } else if o.compact {
        format!(" {op:02x}{comma}{sa}   {name}\n")
    } else if o.mlu {
        format!(
            " {op:02x}     {sa}       {size:3}   {:3}     {name}\n",
            d.mlu
        )
    } else {
        // sg_opcodes 1.46 prints CDLP (byte 5 bits 3-2) under "RWCDLP," and RWCDLP (bit 6)
        // under "CDLP": the same here, so that the columns read alike.
        format!(
            " {op:02x}     {sa}       {size:3}    {},{}    {name}\n",
            d.cdlp,
            u8::from(d.rwcdlp)
        )
    }
}

/// The order sg_opcodes lists the commands in: by operation code and service action, or
/// with `alpha` by name (bytewise, as `strncmp`). An insertion sort of indices, stable: a
/// few hundred commands at most, and no sort routine per element type in the binary.
pub fn sorted(list: &[(CommandDescriptor, String)], alpha: bool) -> Vec<usize> {
    let key = |i: usize| {
        let (d, _) = &list[i];
        (d.opcode, d.service_action().unwrap_or(0))
    };
    let less = |a: usize, b: usize| {
        if alpha {
            list[a].1.as_bytes() < list[b].1.as_bytes()
        } else {
            key(a) < key(b)
        }
    };
    let mut order: Vec<usize> = Vec::with_capacity(list.len());
    for i in 0..list.len() {
        let at = order
            .iter()
            .rposition(|&k| !less(i, k))
            .map_or(0, |p| p + 1);
        order.insert(at, i);
    }
    order
}

/// The list of all commands (`list_all_codes()`), and with `--mask` each one's usage data.
fn list_all(
    o: &Options,
    data: &[u8],
    pdt: u8,
    d: &mut Device,
    device: &str,
    text: &mut String,
    j: &mut Json,
) -> Result<(), Fail> {
    let Ok(all) = SupportedOpcodes::new_checked(data) else {
        text.push_str("sg_opcodes: no commands to display\n");
        return Ok(());
    };
    let have = data.len().saturating_sub(4);
    let cd_len = all.command_data_length() as usize;
    if cd_len > have {
        let _ = writeln!(
            text,
            "sg_opcodes: command data length={cd_len}, allocation={have}; truncate"
        );
    }
    if cd_len == 0 {
        text.push_str("sg_opcodes: no commands to display\n");
        if o.json {
            j.begin_array("all_command_descriptor").end_array();
        }
        return Ok(());
    }
    let mut list: Vec<(CommandDescriptor, String)> = Vec::new();
    for desc in all.descriptors() {
        let name = name_of(&desc, pdt);
        list.push((desc, name));
    }
    let order = if o.unsorted {
        (0..list.len()).collect()
    } else {
        sorted(&list, o.alpha)
    };
    text.push_str(header(o));
    if o.json {
        j.begin_array("all_command_descriptor");
    }
    for (desc, name) in order.iter().filter_map(|&i| list.get(i)) {
        text.push_str(&line(o, desc, name));
        if o.json {
            j.item_object()
                .u64("operation_code", u64::from(desc.opcode))
                .opt_u64("service_action", desc.service_action().map(u64::from))
                .str("name", name)
                .bool("rwcdlp", desc.rwcdlp)
                .u64("mlu", u64::from(desc.mlu))
                .u64("cdlp", u64::from(desc.cdlp))
                .bool("ctdp", desc.ctdp)
                .bool("servactv", desc.servactv)
                .u64("cdb_length", u64::from(desc.cdb_length));
            if let Some(t) = desc.timeouts {
                j.u64("nominal_command_processing_timeout", u64::from(t.nominal))
                    .u64("recommended_command_timeout", u64::from(t.recommended));
            }
        }
        if o.mask {
            let c =
                ReportSupportedOpcodes::one(false, desc.opcode, desc.service_action(), MASK_LEN);
            let cdb = dev::cdb(&c, device)?;
            let (resp, usage) =
                dev::data_in(d, cdb.as_bytes(), MASK_LEN as usize, Timeout::DEFAULT)?;
            if !resp.is_good() {
                // sg_opcodes stops the list there and still exits 0.
                let _ = dev::scsi_fail(
                    device,
                    "REPORT SUPPORTED OPERATION CODES (one command)",
                    &resp,
                );
                if o.json {
                    j.end();
                }
                break;
            }
            let one = OneCommand::new_checked(&usage[..]).ok();
            let size = one.map_or(0, |one| usize::from(one.cdb_size()).min(usage.len()));
            if (1..=80).contains(&size) {
                text.push_str(if o.compact {
                    "             usage: "
                } else {
                    "        cdb usage: "
                });
                let bytes = usage.get(4..(4 + size).min(usage.len())).unwrap_or(&[]);
                for b in bytes {
                    let _ = write!(text, "{b:02x} ");
                }
                text.push('\n');
                if o.json {
                    j.u64("cdb_size", size as u64).hex("cdb_usage_data", bytes);
                }
            }
        }
        if o.json {
            j.end();
        }
    }
    if o.json {
        j.end_array();
    }
    Ok(())
}

/// One command's data (`list_one()`).
fn list_one(o: &Options, data: &[u8], pdt: u8, text: &mut String, j: &mut Json) {
    let Ok(one) = OneCommand::new_checked(data) else {
        return;
    };
    let op = o.opcode.unwrap_or(0);
    let sa = o.sa.unwrap_or(0);
    let _ = write!(text, "\n  Opcode=0x{op:02x}");
    if o.sa.is_some() {
        let _ = write!(text, "  Service_action=0x{sa:04x}");
    }
    text.push('\n');
    let name = CommandName::service_action(op, sa, pdt).to_string();
    let _ = writeln!(text, "  Command_name: {name}");
    let support = match one.support() {
        Support::NotAvailable => "not currently available".to_owned(),
        Support::NotSupported => "NOT supported".to_owned(),
        Support::Standard => "supported [conforming to SCSI standard]".to_owned(),
        Support::Vendor => "supported [in a vendor specific manner]".to_owned(),
        Support::Reserved(n) => format!("support reserved [0x{n:x}]"),
    };
    let dlp = match (one.cdlp(), one.rwcdlp()) {
        (0, false) => "No command duration limit mode page",
        (0, true) => "Reserved [RWCDLP=1, CDLP=0]",
        (1, false) => "Command duration limit A mode page",
        (1, true) => "Command duration limit T2A mode page",
        (2, false) => "Command duration limit B mode page",
        (2, true) => "Command duration limit T2B mode page",
        _ => "reserved [CDLP=3]",
    };
    let mlu = match one.mlu() {
        0 => "not reported",
        1 => "affects only this logical unit",
        2 => "affects more than 1, but not all LUs in this target",
        _ => "affects all LUs in this target",
    };
    let _ = writeln!(text, "  Command is {support}");
    let _ = writeln!(text, "  {dlp}");
    let _ = writeln!(text, "  Multiple Logical Units (MLU): {mlu}");
    let usage = one.usage_data();
    if one.support().is_supported() {
        text.push_str("  Usage data: ");
        for b in usage {
            let _ = write!(text, "{b:02x} ");
        }
        text.push('\n');
    }
    if o.json {
        j.str("name", &name)
            .u64("operation_code", u64::from(op))
            .opt_u64("service_action", o.sa.map(u64::from))
            .bool("rwcdlp", one.rwcdlp())
            .bool("ctdp", one.ctdp())
            .u64("mlu", u64::from(one.mlu()))
            .u64("cdlp", u64::from(one.cdlp()))
            .u64("support", u64::from(data.get(1).map_or(0, |b| b & 7)))
            .str("support_str", &support)
            .u64("cdb_size", u64::from(one.cdb_size()))
            .hex("cdb_usage_data", usage);
    }
    if one.ctdp() {
        let at = 4 + usize::from(one.cdb_size());
        let t = sgmap_core::response::CommandTimeouts::parse(data.get(at..).unwrap_or(&[]));
        let line = match t {
            None => "command timeout descriptor length 0 (expect 10)".to_owned(),
            Some(t) if t.descriptor_length != 10 => format!(
                "command timeout descriptor length {} (expect 10)",
                t.descriptor_length
            ),
            Some(t) => {
                let nominal = match t.nominal {
                    0 => "no nominal timeout, ".to_owned(),
                    n => format!("nominal timeout: {n} secs, "),
                };
                let recommended = match t.recommended {
                    0 => "no recommended timeout".to_owned(),
                    n => format!("recommended timeout: {n} secs"),
                };
                format!("{nominal}{recommended}")
            }
        };
        let _ = writeln!(text, "  {line}");
        if let (true, Some(t)) = (o.json, t) {
            j.u64("command_specific", u64::from(t.command_specific))
                .u64("nominal_command_processing_timeout", u64::from(t.nominal))
                .u64("recommended_command_timeout", u64::from(t.recommended));
        }
    }
}

/// REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS data; the exit status (97 when REPD's data is
/// short, as sg_opcodes' 99 says "byte 3 should be >= 12").
fn tmf(o: &Options, data: &[u8], text: &mut String, j: &mut Json) -> Result<u8, Fail> {
    text.push_str("\nTask Management Functions supported by device:\n");
    if o.hex {
        hex_dump_no_ascii(data, text);
        return Ok(0);
    }
    let Ok(t) = SupportedTmf::new_checked(data) else {
        return Err(out::fail(
            ExitCategory::Other,
            o.device.as_deref().unwrap_or(""),
            "REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS",
            format_args!("{} bytes of data, 4 needed", data.len()),
        ));
    };
    const FLAGS: [(usize, u8, &str, &str); 11] = [
        (0, 7, "Abort task", "ats"),
        (0, 6, "Abort task set", "atss"),
        (0, 5, "Clear ACA", "cacas"),
        (0, 4, "Clear task set", "ctss"),
        (0, 3, "Logical unit reset", "lurs"),
        (0, 2, "Query task", "qts"),
        (0, 1, "Target reset (obsolete)", "trs"),
        (0, 0, "Wakeup (obsolete)", "ws"),
        (1, 2, "Query asynchronous event", "qaes"),
        (1, 1, "Query task set", "qtss"),
        (1, 0, "I_T nexus reset", "itnrs"),
    ];
    for (at, bit, line, key) in FLAGS {
        if t.bit(at, bit) {
            let _ = writeln!(text, "    {line}");
        }
        if o.json {
            j.bool(key, t.bit(at, bit));
        }
    }
    if o.repd {
        if t.additional_length() < 0x0c {
            out::err_str("when REPD given, byte 3 of response should be >= 12\n");
            return Ok(ExitCategory::Other.code());
        }
        text.push_str("  Extended parameter data:\n");
        const EXT: [(usize, u8, &str); 10] = [
            (4, 0, "TMFTMOV"),
            (6, 7, "ATTS"),
            (6, 6, "ATSTS"),
            (6, 5, "CACATS"),
            (6, 4, "CTSTS"),
            (6, 3, "LURTS"),
            (6, 2, "QTTS"),
            (7, 2, "QAETS"),
            (7, 1, "QTSTS"),
            (7, 0, "ITNRTS"),
        ];
        for (at, bit, name) in EXT {
            let _ = writeln!(text, "    {name}={}", u8::from(t.bit(at, bit)));
            if o.json {
                j.bool(&name.to_ascii_lowercase(), t.bit(at, bit));
            }
        }
        let _ = writeln!(
            text,
            "    tmf long timeout: {} (100 ms units)",
            t.long_timeout()
        );
        let _ = writeln!(
            text,
            "    tmf short timeout: {} (100 ms units)",
            t.short_timeout()
        );
        if o.json {
            j.u64("tmf_long_timeout", u64::from(t.long_timeout()))
                .u64("tmf_short_timeout", u64::from(t.short_timeout()));
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn options_as_sg_opcodes_takes_them() {
        let o = parse(args(&["-o", "0x9e,0x10", "-R", "/dev/sg0"]))
            .unwrap()
            .unwrap();
        assert_eq!((o.opcode, o.sa, o.rctd), (Some(0x9e), Some(0x10), true));
        let o = parse(args(&["--opcode=28h", "--sa=3", "-p", "-1", "d"]))
            .unwrap()
            .unwrap();
        assert_eq!((o.opcode, o.sa, o.pdt), (Some(0x28), Some(3), None));
        let o = parse(args(&["-e", "--opcode=0x12"])).unwrap().unwrap();
        assert!(o.enumerate && o.device.is_none());
        for (bad, code) in [
            (&["--opcode=256", "d"][..], 1),
            (&["--opcode=1,0x10000", "d"], 1),
            (&["--pdt=32", "d"], 1),
            (&["--sa=1", "d"], 31),
            (&[][..], 1),
            (&["d", "e"], 1),
            (&["--json", "--raw", "d"], 31),
        ] {
            assert_eq!(parse(args(bad)).unwrap_err().code, code, "{bad:?}");
        }
    }

    fn desc(opcode: u8, sa: Option<u16>, byte5: u8, size: u16) -> CommandDescriptor {
        CommandDescriptor {
            opcode,
            service_action: sa.unwrap_or(0),
            servactv: sa.is_some(),
            ctdp: byte5 & 2 != 0,
            cdlp: (byte5 >> 2) & 3,
            mlu: (byte5 >> 4) & 3,
            rwcdlp: byte5 & 0x40 != 0,
            byte5,
            cdb_length: size,
            timeouts: None,
        }
    }

    #[test]
    fn lines_have_sg_opcodes_columns() {
        let o = Options::default();
        assert_eq!(
            line(&o, &desc(0x28, None, 0, 10), "Read(10)"),
            " 28                 10    0,0    Read(10)\n"
        );
        assert_eq!(
            line(
                &o,
                &desc(0x9e, Some(0x10), 1 | 0x0c | 0x40, 16),
                "Read capacity(16)"
            ),
            " 9e       10        16    3,1    Read capacity(16)\n"
        );
        let c = Options {
            compact: true,
            ..Options::default()
        };
        assert_eq!(
            line(&c, &desc(0x9e, Some(0x10), 1, 16), "X"),
            " 9e,10     X\n"
        );
        assert_eq!(line(&c, &desc(0x28, None, 0, 10), "Y"), " 28        Y\n");
        let m = Options {
            mlu: true,
            ..Options::default()
        };
        assert_eq!(
            line(&m, &desc(0x28, None, 0x30, 10), "Z"),
            " 28                 10     3     Z\n"
        );
        let r = Options {
            rctd: true,
            ..Options::default()
        };
        let mut t = desc(0x28, None, 2, 10);
        t.timeouts = Some(sgmap_core::response::CommandTimeouts {
            descriptor_length: 10,
            command_specific: 0,
            nominal: 0,
            recommended: 30,
        });
        assert_eq!(
            line(&r, &t, "Read(10)"),
            " 28                 10         -         30    Read(10)\n"
        );
        assert_eq!(
            line(&r, &desc(0x28, None, 0, 10), "Read(10)"),
            " 28                 10                         Read(10)\n"
        );
    }

    #[test]
    fn one_command_prints_as_list_one() {
        let o = Options {
            opcode: Some(0x28),
            ..Options::default()
        };
        let data = [
            0, 3, 0, 10, 0x28, 0xfa, 0xff, 0xff, 0xff, 0xff, 0x3f, 0xff, 0xff, 0x07,
        ];
        let mut text = String::new();
        list_one(&o, &data, 0, &mut text, &mut Json::object());
        assert_eq!(
            text,
            "\n  Opcode=0x28\n  Command_name: Read(10)\n  Command is supported [conforming to SCSI standard]\n  \
             No command duration limit mode page\n  Multiple Logical Units (MLU): not reported\n  \
             Usage data: 28 fa ff ff ff ff 3f ff ff 07 \n"
        );
        let o = Options {
            opcode: Some(0x9e),
            sa: Some(0x12),
            ..Options::default()
        };
        let mut text = String::new();
        list_one(&o, &[0, 1, 0, 0], 0, &mut text, &mut Json::object());
        assert!(text.starts_with("\n  Opcode=0x9e  Service_action=0x0012\n  Command_name: Get LBA status(16)\n  Command is NOT supported\n"), "{text}");
    }

    #[test]
    fn sorted_by_opcode_and_service_action_or_by_name() {
        let list = vec![
            (
                desc(0x9e, Some(0x12), 1, 16),
                "Get LBA status(16)".to_owned(),
            ),
            (desc(0x28, None, 0, 10), "Read(10)".to_owned()),
            (
                desc(0x9e, Some(0x10), 1, 16),
                "Read capacity(16)".to_owned(),
            ),
            (desc(0x00, None, 0, 6), "Test Unit Ready".to_owned()),
            (desc(0x28, None, 0, 10), "Read(10)".to_owned()),
        ];
        assert_eq!(sorted(&list, false), [3, 1, 4, 2, 0]);
        // Bytewise, as strncmp: "Read capacity" (a space) before "Read(10)".
        assert_eq!(sorted(&list, true), [0, 2, 1, 4, 3]);
        assert_eq!(sorted(&[], true), Vec::<usize>::new());
    }

    #[test]
    fn hex_without_ascii_trims_each_line() {
        let mut s = String::new();
        hex_dump_no_ascii(&(0u8..18).collect::<Vec<_>>(), &mut s);
        assert_eq!(
            s,
            " 00     00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f\n 10     10 11\n"
        );
    }
}
