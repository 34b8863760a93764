//! `sgmap inquiry` (`sg_inq`): standard INQUIRY data and VPD pages, printed as sg_inq 1.46
//! prints them (src/sg_inq.c), with its whole option surface: `-e` (VPD), `-p PG`, `-i`
//! (83h), `-E`/`-x` (86h), `-d` (version descriptors), `-H`/`-HH`/`-HHH`, `-r`/`-rr`,
//! `-u` (udev's `KEY=VALUE` lines), `-l`/`-m` (allocation length), `-o`, `-s`, `-f`,
//! `-B`, `--inhex` (a file instead of the device). sg_inq's page decodings are its own
//! (`inq_pages`), not sg_vpd's. `--json` is sgmap's.

use std::ffi::OsString;
use std::fmt::Write as _;

use sgmap_core::cdb::Inquiry as InquiryCdb;
use sgmap_core::response::{Inquiry, InquiryFlags, Text, Vpd};
use sgmap_core::status::ExitCategory;

use crate::cli::Cli;
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use crate::shared::dev;
use crate::shared::export;
use crate::shared::inhex;
use crate::shared::inq_pages;
use crate::shared::inq_source::{Source, DEF_ALLOC_LEN};
use crate::shared::names;
use crate::shared::vpd_text;

/// sg_inq's first standard INQUIRY length (`SAFE_STD_INQ_RESP_LEN`).
const SAFE_STD_LEN: usize = 36;

/// What the command line asked (sg_inq's `struct opts_t`).
#[derive(Debug, Default)]
struct Opts {
    hex: u8,
    raw: u8,
    export: bool,
    json: bool,
    descriptors: bool,
    vpd: bool,
    decode: bool,
    force: bool,
    only: bool,
    vendor: u8,
    cmddt: bool,
    help: u8,
    bad_option: bool,
    resp_len: usize,
    page: Option<u8>,
    page_given: bool,
    page_arg: Option<String>,
    inhex: Option<String>,
    device: Option<String>,
}

/// A `--page=` value as sg_inq takes it: an abbreviation (`Ok(None)` for `sinq`, the
/// standard INQUIRY data) or a number from 0 to 255.
pub fn parse_page(s: &str) -> Result<Option<u8>, String> {
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return match inq_pages::page_of(s) {
            Some(page) => Ok(page),
            None => Err(format!(
                "abbreviation {s} given to '--page=' not recognized"
            )),
        };
    }
    if s.starts_with('-') {
        return Ok(None);
    }
    match crate::args::parse_num(s) {
        Ok(n) if n <= 0xff => Ok(Some(n as u8)),
        _ => Err("Bad argument to '--page=', expecting 0 to 255 inclusive".to_owned()),
    }
}

/// sg_inq's usage on stderr (under its name, or after an unknown option: as the tool
/// prints it) or sgmap's help on stdout (`sgmap inquiry -h`), then, for `-hh`, the page
/// abbreviations on stdout.
fn help(cli: &Cli, times: u8, to_stderr: bool) -> CmdResult {
    if to_stderr || crate::invocation::tool().is_some() {
        if let Some(text) = crate::help::of(cli.name) {
            out::err_str(&text);
        }
    } else {
        cli.help()?;
    }
    if times > 1 {
        out::err_str("\n>>> Available VPD page abbreviations:\n");
        out::out_str(&inq_pages::enumerate())?;
    }
    Ok(())
}

/// Runs `sgmap inquiry`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let mut cli = Cli::new("inquiry", args);
    let mut o = Opts::default();
    // A value where none is taken, a bad --json=JO: refused (sg_inq's getopt would print
    // its usage and exit 0 for the first).
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("page") | lexopt::Arg::Short('p') => match cli.value("--page") {
                Ok(v) => (o.page_arg, o.page_given) = (Some(v), true),
                Err(_) => o.bad_option = true,
            },
            lexopt::Arg::Short('e') => o.vpd = true,
            lexopt::Arg::Long("vpd") => {
                // sgmap's older `--vpd=PG` is `--page=PG`; sg_inq's `--vpd` takes no value.
                match cli.attached() {
                    Some(v) => {
                        o.page_arg = Some(v);
                        o.page_given = true;
                    }
                    None => o.vpd = true,
                }
            }
            lexopt::Arg::Long("id") | lexopt::Arg::Short('i') => {
                (o.decode, o.vpd, o.page, o.page_given) = (true, true, Some(0x83), true)
            }
            lexopt::Arg::Long("extended") | lexopt::Arg::Short('E' | 'x') => {
                (o.decode, o.vpd, o.page, o.page_given) = (true, true, Some(0x86), true)
            }
            lexopt::Arg::Long("descriptors") | lexopt::Arg::Short('d') => o.descriptors = true,
            lexopt::Arg::Long("hex") | lexopt::Arg::Short('H') => o.hex = o.hex.saturating_add(1),
            lexopt::Arg::Long("raw") | lexopt::Arg::Short('r') => o.raw = o.raw.saturating_add(1),
            lexopt::Arg::Long("export") | lexopt::Arg::Short('u') => o.export = true,
            lexopt::Arg::Long("force") | lexopt::Arg::Short('f') => o.force = true,
            lexopt::Arg::Long("only") | lexopt::Arg::Short('o') => o.only = true,
            lexopt::Arg::Long("vendor") | lexopt::Arg::Short('s') => {
                o.vendor = o.vendor.saturating_add(1)
            }
            lexopt::Arg::Long("long" | "new") | lexopt::Arg::Short('L' | 'N') => {
                // NVMe detail, and "new options" (already the case): nothing for SCSI.
            }
            lexopt::Arg::Long("len" | "maxlen") | lexopt::Arg::Short('l' | 'm') => {
                let Ok(v) = cli.value("--len") else {
                    o.bad_option = true;
                    continue;
                };
                match crate::args::parse_num(&v) {
                    Ok(n) if n <= 65532 => o.resp_len = n as usize,
                    _ => return Err(cli.syntax(format_args!("bad argument to '--len='"))),
                }
            }
            lexopt::Arg::Long("block") | lexopt::Arg::Short('B') => {
                // Whether open() blocks: sgmap's open does not wait on the node.
                let Ok(v) = cli.value("--block") else {
                    o.bad_option = true;
                    continue;
                };
                if !v.starts_with('-') && !matches!(crate::args::parse_num(&v), Ok(0 | 1)) {
                    return Err(cli.syntax(format_args!("bad argument to '--block=' want 0 or 1")));
                }
            }
            lexopt::Arg::Long("cmddt") | lexopt::Arg::Short('c') => o.cmddt = true,
            lexopt::Arg::Long("old") | lexopt::Arg::Short('O') => {
                return Err(cli.syntax(format_args!(
                    "--old: sg_inq's old option syntax is not supported (use the options \
                     of 'sg_inq --help')"
                )));
            }
            lexopt::Arg::Long("inhex") | lexopt::Arg::Short('I') => match cli.value("--inhex") {
                Ok(v) => o.inhex = Some(v),
                Err(_) => o.bad_option = true,
            },
            lexopt::Arg::Short('a') => {
                // In sg_inq's option string, but Debian's build has no ATA IDENTIFY.
                return Err(cli.syntax(format_args!("unrecognised option code a [0x61]")));
            }
            lexopt::Arg::Long("json") | lexopt::Arg::Short('j') => o.json = cli.json(),
            // getopt's `?` for an option it refused with its line: sg_inq's usage on stderr.
            lexopt::Arg::Short('?') if crate::cli::getopt_refused() => o.bad_option = true,
            lexopt::Arg::Long("help") | lexopt::Arg::Short('h' | '?') => {
                o.help = o.help.saturating_add(1)
            }
            lexopt::Arg::Value(v) if o.device.is_none() => {
                o.device = Some(crate::cli::utf8("inquiry", "DEVICE", v)?)
            }
            lexopt::Arg::Value(v) => {
                return Err(cli.syntax(format_args!(
                    "Unexpected extra argument: {}",
                    v.to_string_lossy()
                )))
            }
            _ => o.bad_option = true,
        }
    }
    if o.help > 0 || o.bad_option {
        return help(&cli, o.help, o.help == 0);
    }
    let contradict = |why: &str| Err(out::contradict("inquiry", format_args!("{why}")));
    let mut std_wanted = false;
    if let Some(arg) = o.page_arg.take() {
        if o.page.is_some() {
            return contradict("Given '-p' option and another option that implies a page");
        }
        match parse_page(&arg) {
            Ok(p) => {
                if arg.starts_with(|c: char| c.is_ascii_digit() || c.is_ascii_alphabetic())
                    && o.hex != 1
                    && o.raw == 0
                {
                    o.decode = true;
                }
                o.page = p;
                std_wanted = p.is_none();
            }
            Err(e) => {
                let fail = cli.syntax(format_args!("{e}"));
                if arg.starts_with(|c: char| c.is_ascii_alphabetic()) {
                    out::err_str(">>> Available abbreviations:\n");
                    out::out_str(&inq_pages::enumerate())?;
                }
                return Err(fail);
            }
        }
    }
    if o.cmddt {
        return Err(cli.syntax(format_args!(
            "--cmddt: CmdDt is obsolete (SPC-3 dropped it); 'sgmap opcodes' (sg_opcodes) \
             lists the supported commands"
        )));
    }
    let mut inhex_data = None;
    if let Some(path) = &o.inhex {
        if o.device.is_some() {
            return contradict("Cannot have both a DEVICE and --inhex= option");
        }
        let data = inhex::read("inquiry", path, o.raw > 0)?;
        o.raw = 0;
        if o.page.is_none() && !std_wanted {
            if let Some(p) = guess_page(&data) {
                (o.page, o.vpd) = (Some(p), true);
                if o.hex != 1 {
                    o.decode = true;
                }
            }
        }
        inhex_data = Some(data);
    } else if o.device.is_none() {
        return Err(cli.syntax(format_args!("No DEVICE argument given")));
    }
    if o.export {
        if let Some(p) = o.page {
            if p != 0x83 && p != 0x80 {
                return contradict("Option '--export' only supported for VPD pages 0x80 and 0x83");
            }
            (o.decode, o.vpd) = (true, true);
        }
    }
    if o.page.is_some() && o.page_given {
        o.vpd = true;
    }
    if o.raw > 0 && o.hex > 0 {
        return contradict("Can't do hex and raw at the same time");
    }
    if o.vpd && o.page.is_none() {
        o.page = Some(0);
    }
    if o.descriptors {
        if o.resp_len > 0 && o.resp_len < 60 {
            return Err(cli.syntax(format_args!(
                "version descriptors need INQUIRY response length >= 60 bytes"
            )));
        }
        if o.vpd {
            return Err(cli.syntax(format_args!("version descriptors require standard INQUIRY")));
        }
    }
    if o.json && (o.hex > 0 || o.raw > 0 || o.export) {
        return contradict("--json, --hex, --raw and --export each choose the output: one at most");
    }
    let name = o.device.clone().or(o.inhex.clone()).unwrap_or_default();
    let mut src = match inhex_data {
        Some(data) => Source::File(data),
        None => Source::Device(Box::new(dev::open(&name)?)),
    };
    let mut text = Vec::new();
    let result = match o.page.filter(|_| o.vpd) {
        None => standard(&mut src, &name, &o, &mut text),
        Some(p) if o.json => {
            let r = src.fetch(&name, p, o.resp_len);
            match r {
                Ok(data) => match Vpd::new_checked(&data[..]) {
                    Ok(view) => {
                        text.extend_from_slice(vpd_text::json(&name, &view).as_bytes());
                        Ok(())
                    }
                    Err(_) => Err(malformed(&name, "INQUIRY VPD", data.len())),
                },
                Err(f) => Err(f),
            }
        }
        Some(p) if o.decode => vpd_decode(&mut src, &name, p, &o, &mut text),
        Some(p) => vpd_mainly_hex(&mut src, &name, p, &o, &mut text),
    };
    if !text.is_empty() {
        out::out_bytes(&text)?;
    }
    result
}

/// The standard INQUIRY data, as `std_inq_process()` fetches it and `std_inq_decode()`
/// prints it.
fn standard(src: &mut Source, name: &str, o: &Opts, text: &mut Vec<u8>) -> CmdResult {
    let (data, serial) = match src {
        Source::File(data) => (data.clone(), None),
        Source::Device(dev) => {
            let rlen = if o.resp_len > 0 {
                o.resp_len
            } else {
                SAFE_STD_LEN
            };
            let (resp, mut data) =
                Source::inquiry(dev, name, &InquiryCdb::standard(rlen as u16), rlen)?;
            if !dev::sg3_ok(&resp) {
                return Err(dev::scsi_fail(name, "INQUIRY", &resp));
            }
            let mut len = usize::from(data.get(4).copied().unwrap_or(0)) + 5;
            let mut rlen = rlen;
            if len > SAFE_STD_LEN && len < 256 && o.resp_len == 0 {
                rlen = len;
                let (resp, again) =
                    Source::inquiry(dev, name, &InquiryCdb::standard(len as u16), len)?;
                if !dev::sg3_ok(&resp) {
                    out::err_fmt(format_args!("second INQUIRY ({len} byte) failed\n"));
                    return Err(Fail::new(ExitCategory::Other));
                }
                data = again;
                len = usize::from(data.get(4).copied().unwrap_or(0)) + 5;
            }
            let act_len = if o.resp_len > 0 { rlen } else { rlen.min(len) }.min(data.len());
            data.truncate(act_len);
            let serial = if !o.only && !o.export && o.resp_len == 0 && !o.json {
                unit_serial_number(dev, name)
            } else {
                None
            };
            (data, serial)
        }
    };
    if o.raw > 0 {
        text.extend_from_slice(&data);
        return Ok(());
    }
    if o.hex > 0 {
        inq_pages::hexout(text, &data, if o.hex == 1 { 0 } else { -1 });
        return Ok(());
    }
    if o.export {
        export::standard(text, &data);
        return Ok(());
    }
    if o.json {
        let Ok(view) = Inquiry::new_checked(&data[..]) else {
            return Err(malformed(name, "INQUIRY", data.len()));
        };
        let sn = match src {
            Source::Device(dev) => unit_serial_number(dev, name),
            Source::File(_) => None,
        };
        text.extend_from_slice(
            standard_json(name, &view, data.len(), sn.as_deref().map(str::trim)).as_bytes(),
        );
        return Ok(());
    }
    text.extend_from_slice(&bytes_of(&standard_text_with(
        &data,
        serial.as_deref(),
        o.vendor,
        o.descriptors,
    )));
    Ok(())
}

/// sg_inq's `vpd_mainly_hex()`: the page in hex (00h decoded), after
/// `VPD INQUIRY, page code=0xNN:`.
fn vpd_mainly_hex(src: &mut Source, name: &str, pn: u8, o: &Opts, text: &mut Vec<u8>) -> CmdResult {
    if o.raw == 0 && o.hex < 2 {
        let _ =
            std::io::Write::write_fmt(text, format_args!("VPD INQUIRY, page code=0x{pn:02x}:\n"));
    }
    let rp = match src {
        Source::File(data) => {
            // The page's length, whatever the file holds (sg_inq's buffer is zeroed).
            let len = data
                .get(2..4)
                .map_or(4, |b| usize::from(u16::from_be_bytes([b[0], b[1]])) + 4);
            let mut rp = data.clone();
            rp.resize(len, 0);
            rp
        }
        Source::Device(_) => src.fetch(name, pn, o.resp_len)?,
    };
    if o.raw > 0 {
        text.extend_from_slice(&rp);
    } else if pn == 0 {
        inq_pages::supported(text, &rp, o.hex);
    } else {
        if crate::invocation::verbose() > 0 {
            let b0 = rp.first().copied().unwrap_or(0);
            let _ = std::io::Write::write_fmt(
                text,
                format_args!(
                    "   [PQual={}  Peripheral device type: {}]\n",
                    (b0 & 0xe0) >> 5,
                    names::pdt(b0 & 0x1f)
                ),
            );
        }
        inq_pages::hexout(text, &rp, if o.hex == 1 { 0 } else { -1 });
    }
    Ok(())
}

/// sg_inq's `vpd_decode()`: page `pn` checked against page 00h's list (unless `--force`),
/// fetched and decoded as sg_inq decodes it.
fn vpd_decode(src: &mut Source, name: &str, pn: u8, o: &Opts, text: &mut Vec<u8>) -> CmdResult {
    if let Source::Device(_) = src {
        if !o.force && pn != 0 {
            let list = src.fetch(name, 0, o.resp_len)?;
            let rlen = (usize::from(list[3]) + 4).min(list.len());
            if !list[4..rlen].contains(&pn) {
                return Err(out::fail(
                    ExitCategory::OsError(33),
                    name,
                    &format!("VPD page 0x{pn:02x}"),
                    format_args!(
                        "not in the device's Supported VPD pages (00h) list (--force asks anyway)"
                    ),
                ));
            }
        }
    }
    let raw = o.raw > 0;
    let verbose = crate::invocation::verbose();
    if pn == 0xb2 || (0x80..=0xff).contains(&pn) && !inq_pages::decoded(pn) {
        if (0xb4..=0xb9).contains(&pn) {
            out::err_str("Please try the sg_vpd utility which decodes more VPD pages\n\n");
        }
        if pn == 0xb2 {
            if !raw && o.hex < 2 {
                out::err_str(
                    " Only hex output supported. The sg_vpd utility decodes the B2h page.\n",
                );
            }
        } else if o.hex < 2 {
            out::err_str(" Only hex output supported. The sg_vpd and sdparm utilities decode more VPD pages.\n");
        }
        return vpd_mainly_hex(src, name, pn, o, text);
    }
    if (0x01..0x80).contains(&pn) && !raw && o.hex < 2 {
        let _ = std::io::Write::write_fmt(
            text,
            format_args!("VPD INQUIRY: ASCII information page, FRU code=0x{pn:x}\n"),
        );
    }
    if let Some(h) = inq_pages::heading(pn, o.hex, raw, o.export) {
        text.extend_from_slice(h.as_bytes());
    }
    let rp = match src.fetch(name, pn, o.resp_len) {
        Ok(rp) => rp,
        Err(f) => {
            if matches!(pn, 0xb0 | 0xb1 | 0xb3) && !raw {
                out::err_fmt(format_args!("VPD INQUIRY: page=0x{pn:x}\n"));
            }
            return Err(f);
        }
    };
    inq_pages::decode(text, pn, &rp, o.hex, o.raw, o.export, verbose);
    Ok(())
}

/// Which page saved INQUIRY bytes are, when `--vpd` does not say: sg_inq's guess
/// (`main()`, --inhex): a VPD page when byte 2 (PAGE LENGTH's high byte, a standard
/// response's VERSION) is at most 2, unless it reads as a standard response of a removable
/// device (byte 1 80h with flag bytes, not right-aligned ASCII, in bytes 5–7).
pub fn guess_page(data: &[u8]) -> Option<u8> {
    let b = |i: usize| data.get(i).copied().unwrap_or(0);
    if b(3) & 0xf == 2 && b(2) > 2 {
        return None;
    }
    if b(2) > 2 {
        return None;
    }
    let flags = |c: u8| !(0x20..=0x80).contains(&c);
    if b(1) == 0x80 && (flags(b(5)) || flags(b(6)) || flags(b(7))) {
        return None;
    }
    Some(b(1))
}

fn malformed(device: &str, what: &str, len: usize) -> Fail {
    out::fail(
        ExitCategory::MalformedResponse,
        device,
        what,
        format_args!("response of {len} bytes is too short"),
    )
}

/// The unit serial number as sg_inq shows it under standard INQUIRY data
/// (`fetch_unit_serial_num()`): only when page 00h lists page 80h (both read with the
/// one-byte length sg_inq uses there); the page's bytes up to the first NUL, each
/// unprintable one shown as a space, nothing trimmed.
fn unit_serial_number(dev: &mut sgmap_sys::Device, name: &str) -> Option<String> {
    let short = |dev: &mut sgmap_sys::Device, pn: u8| -> Option<Vec<u8>> {
        let (resp, data) = Source::inquiry(
            dev,
            name,
            &InquiryCdb::vpd(pn, DEF_ALLOC_LEN as u16),
            DEF_ALLOC_LEN,
        )
        .ok()?;
        if !dev::sg3_ok(&resp) || data.len() < 4 || data[1] != pn {
            return None;
        }
        let len = (usize::from(data[3]) + 4).min(data.len());
        Some(data[..len].to_vec())
    };
    let supported = short(dev, 0)?;
    if !supported[4..].contains(&0x80) {
        return None;
    }
    let sn = short(dev, 0x80)?;
    let text: String = sn[4..]
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| {
            if (0x20..0x7f).contains(&c) {
                char::from(c)
            } else {
                ' '
            }
        })
        .collect();
    (!text.is_empty()).then_some(text)
}

/// `0` or `1` for a bit.
fn b01(byte: u8, mask: u8) -> u8 {
    u8::from(byte & mask != 0)
}

/// A fixed-length ASCII field as `printf("%s")` prints it: up to its first NUL; a byte
/// above 7Fh stands in the text as U+F780 + byte, which [`bytes_of`] turns back into it.
fn c_field(data: &[u8], at: usize, len: usize) -> String {
    data.get(at..(at + len).min(data.len()))
        .unwrap_or(&[])
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| match c {
            0..=0x7f => char::from(c),
            _ => char::from_u32(0xf700 + u32::from(c)).unwrap_or('?'),
        })
        .collect()
}

/// The bytes of text built with [`c_field`]: the device's bytes as they came.
fn bytes_of(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        match u32::from(c) {
            n @ 0xf780..=0xf7ff => out.push((n - 0xf700) as u8),
            _ => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    out
}

/// The text of standard INQUIRY data exactly as sg_inq 1.46 prints it (`std_inq_decode()`,
/// without options): `data` is what came back (sg_inq's `act_len` bytes), `serial` the unit
/// serial number line's text.
#[cfg(test)]
pub fn standard_text(data: &[u8], serial: Option<&str>) -> String {
    standard_text_with(data, serial, 0, false)
}

/// The standard INQUIRY text with `-s` (`vendor`: the vendor specific bytes 36–55, and with `-ss`
/// those past 96) and `-d` (`descriptors`: the version descriptors).
fn standard_text_with(data: &[u8], serial: Option<&str>, vendor: u8, descriptors: bool) -> String {
    let act_len = data.len();
    let b = |i: usize| data.get(i).copied().unwrap_or(0);
    let (b1, b3, b5, b6, b7) = (b(1), b(3), b(5), b(6), b(7));
    let pqual = (b(0) & 0xe0) >> 5;
    let pdt = b(0) & 0x1f;
    let len = usize::from(b(4)) + 5;
    let ansi = b(2) & 0x7;
    let mut s = String::from("standard INQUIRY:");
    match pqual {
        0 => s.push('\n'),
        1 => s.push_str(" [PQ indicates LU temporarily unavailable]\n"),
        3 => s.push_str(" [PQ indicates LU not accessible via this port]\n"),
        n => {
            let _ = writeln!(s, " [reserved or vendor specific qualifier [{n}]]");
        }
    }
    let _ = write!(
        s,
        "  PQual={pqual}  PDT={pdt}  RMB={}  LU_CONG={}  hot_pluggable={}  version=0x{:02x} ",
        b01(b1, 0x80),
        b01(b1, 0x40),
        (b1 >> 4) & 0x3,
        b(2)
    );
    let _ = writeln!(s, " [{}]", names::ansi_version(ansi));
    let _ = write!(
        s,
        "  [AERC={}]  [TrmTsk={}]  NormACA={}  HiSUP={}  Resp_data_format={}\n  SCCS={}  ",
        b01(b3, 0x80),
        b01(b3, 0x40),
        b01(b3, 0x20),
        b01(b3, 0x10),
        b3 & 0x0f,
        b01(b5, 0x80)
    );
    let _ = write!(
        s,
        "ACC={}  TPGS={}  3PC={}  Protect={} ",
        b01(b5, 0x40),
        (b5 & 0x30) >> 4,
        b01(b5, 0x08),
        b01(b5, 0x01)
    );
    let _ = write!(
        s,
        " [BQue={}]\n  EncServ={}  ",
        b01(b6, 0x80),
        b01(b6, 0x40)
    );
    if b6 & 0x10 != 0 {
        let _ = write!(s, "MultiP=1 (VS={})  ", b01(b6, 0x20));
    } else {
        s.push_str("MultiP=0  ");
    }
    let _ = write!(
        s,
        "[MChngr={}]  [ACKREQQ={}]  Addr16={}\n  [RelAdr={}]  ",
        b01(b6, 0x08),
        b01(b6, 0x04),
        b01(b6, 0x01),
        b01(b7, 0x80)
    );
    let _ = write!(
        s,
        "WBus16={}  Sync={}  [Linked={}]  [TranDis={}]  ",
        b01(b7, 0x20),
        b01(b7, 0x10),
        b01(b7, 0x08),
        b01(b7, 0x04)
    );
    let _ = writeln!(s, "CmdQue={}", b01(b7, 0x02));
    if act_len > 56 {
        let b56 = b(56);
        let _ = writeln!(
            s,
            "  [SPI: Clocking=0x{:x}  QAS={}  IUS={}]",
            (b56 & 0x0c) >> 2,
            b01(b56, 0x2),
            b01(b56, 0x1)
        );
    }
    if act_len >= len {
        let _ = write!(s, "    length={len} (0x{len:x})");
    } else {
        let _ = write!(
            s,
            "    length={len} (0x{len:x}), but only fetched {act_len} bytes"
        );
    }
    if ansi >= 2 && len < SAFE_STD_LEN {
        s.push_str("\n  [for SCSI>=2, len>=36 is expected]");
    }
    let _ = writeln!(s, "   Peripheral device type: {}", names::pdt(pdt));
    if act_len <= 8 {
        let _ = writeln!(
            s,
            " Inquiry response length={act_len}, no vendor, product or revision data"
        );
    } else {
        let vendor = c_field(data, 8, 8).replace('\t', " ");
        let _ = writeln!(s, " Vendor identification: {vendor}");
        if act_len <= 16 {
            s.push_str(" Product identification: <none>\n");
        } else {
            let _ = writeln!(s, " Product identification: {}", c_field(data, 16, 16));
        }
        if act_len <= 32 {
            s.push_str(" Product revision level: <none>\n");
        } else {
            let _ = writeln!(s, " Product revision level: {}", c_field(data, 32, 4));
        }
    }
    if act_len > 8 && vendor > 0 {
        // sg_inq copies the fields into one buffer in turn and prints the vendor
        // specific bytes from it with %s: a short copy shows the product's tail.
        let mut xtra = [0u8; 64];
        let field = |xtra: &mut [u8; 64], at: usize, n: usize| {
            let end = (at + n).min(act_len);
            let n = end.saturating_sub(at);
            xtra[..n].copy_from_slice(&data[at..end]);
            n
        };
        if act_len > 16 {
            field(&mut xtra, 16, 16);
            xtra[16] = 0;
        }
        if act_len > 32 {
            field(&mut xtra, 32, 4);
            xtra[4] = 0;
        }
        if act_len > 36 && b(36) != 0 && b(36) != b' ' {
            field(&mut xtra, 36, 20);
            let v = c_field(&xtra, 0, 64);
            let _ = writeln!(s, " Vendor specific: {v}");
        }
        if vendor > 1 && act_len > 96 {
            let n = (act_len - 96).min(64);
            let mut x = [0u8; 64];
            x[..n].copy_from_slice(&data[96..96 + n]);
            let _ = writeln!(s, " Vendor specific: {}", c_field(&x, 0, 64));
        }
    }
    if let Some(sn) = serial {
        let _ = writeln!(s, " Unit serial number: {sn}");
    }
    if descriptors {
        let descs: Vec<u16> = (0..8)
            .map(|j| 58 + 2 * j)
            .take_while(|&k| k + 1 < act_len)
            .map(|k| u16::from_be_bytes([b(k), b(k + 1)]))
            .collect();
        if descs.first().copied().unwrap_or(0) == 0 {
            s.push_str("\n  No version descriptors available\n");
        } else {
            s.push_str("\n  Version descriptors:\n");
            for d in descs.into_iter().take_while(|&d| d != 0) {
                match inq_pages::version_descriptor(d) {
                    Some(name) => {
                        let _ = writeln!(s, "    {name}");
                    }
                    None => {
                        let _ = writeln!(s, "    [unrecognised version descriptor code: 0x{d:x}]");
                    }
                }
            }
        }
    }
    s
}

fn text_str(t: Text<'_>) -> String {
    t.to_string()
}

/// The JSON of standard INQUIRY data (schema in JSON.md): sg_inq 1.48's members of
/// `standard_inquiry_data_format` (`std_inq_decode_js()`, src/sg_vpd_common.c) by its
/// names, one-bit fields as booleans; `unit_serial_number` as sg_inq names VPD page 80h's;
/// `device`, `peripheral_device_type_name` and `length` are sgmap's.
pub fn standard_json(device: &str, v: &Inquiry<&[u8]>, len: usize, serial: Option<&str>) -> String {
    let data = v.into_inner();
    let bit = |at: usize, mask: u8| data.get(at).is_some_and(|b| b & mask != 0);
    let pdt = u8::from(v.device_type());
    let f = v.flags();
    let mut j = Json::object();
    j.str("device", device)
        .u64("peripheral_qualifier", u64::from(u8::from(v.qualifier())))
        .u64("peripheral_device_type", u64::from(pdt))
        .str("peripheral_device_type_name", names::pdt(pdt))
        .bool("rmb", v.removable())
        .bool("lu_cong", v.lu_cong())
        .u64(
            "hot_pluggable",
            u64::from(data.get(1).map_or(0, |b| (b >> 4) & 0x3)),
        )
        .u64("version", u64::from(v.version()))
        .bool("aerc", bit(3, 0x80))
        .bool("trmtsk", bit(3, 0x40))
        .bool("normaca", f.contains(InquiryFlags::NORM_ACA))
        .bool("hisup", f.contains(InquiryFlags::HI_SUP))
        .u64("response_data_format", u64::from(v.response_data_format()))
        .bool("sccs", f.contains(InquiryFlags::SCCS))
        .bool("acc", f.contains(InquiryFlags::ACC))
        .u64("tpgs", u64::from(v.tpgs()))
        .bool("3pc", f.contains(InquiryFlags::THREE_PC))
        .bool("protect", f.contains(InquiryFlags::PROTECT))
        .bool("bque", bit(6, 0x80))
        .bool("encserv", f.contains(InquiryFlags::ENC_SERV))
        .bool("multip", f.contains(InquiryFlags::MULTI_P))
        .bool("mchngr", bit(6, 0x08))
        .bool("reladr", bit(7, 0x80))
        .bool("linked", bit(7, 0x08))
        .bool("cmdque", f.contains(InquiryFlags::CMD_QUE))
        .str("t10_vendor_identification", &text_str(v.vendor()))
        .str("product_identification", &text_str(v.product()))
        .str("product_revision_level", &text_str(v.revision()))
        .opt_str("unit_serial_number", serial)
        .u64("length", len as u64)
        .u64("exit_status", 0);
    j.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::vpd_text::{association_name, code_set_name, designator_type_name};
    use sgmap_core::response::{Association, CodeSet, DesignatorType};

    /// scsi_debug's standard INQUIRY data (first 36 bytes).
    fn sdebug() -> Vec<u8> {
        let mut d = vec![0u8, 0, 7, 2, 91, 0, 0, 2];
        d.extend_from_slice(b"Linux   scsi_debug      0191");
        d
    }

    /// scsi_debug's standard INQUIRY data, all 96 bytes.
    fn sdebug96() -> Vec<u8> {
        let mut d = sdebug();
        d[7] = 0x02;
        d[6] = 0x10;
        d.resize(96, 0);
        d[58..60].copy_from_slice(&[0x00, 0xc0]);
        d
    }

    #[test]
    fn standard_text_is_sg_inq_1_46s() {
        let data = sdebug96();
        let t = standard_text(&data, Some("2000"));
        assert_eq!(
            t,
            "standard INQUIRY:\n\
             \x20 PQual=0  PDT=0  RMB=0  LU_CONG=0  hot_pluggable=0  version=0x07  [SPC-5]\n\
             \x20 [AERC=0]  [TrmTsk=0]  NormACA=0  HiSUP=0  Resp_data_format=2\n\
             \x20 SCCS=0  ACC=0  TPGS=0  3PC=0  Protect=0  [BQue=0]\n\
             \x20 EncServ=0  MultiP=1 (VS=0)  [MChngr=0]  [ACKREQQ=0]  Addr16=0\n\
             \x20 [RelAdr=0]  WBus16=0  Sync=0  [Linked=0]  [TranDis=0]  CmdQue=1\n\
             \x20 [SPI: Clocking=0x0  QAS=0  IUS=0]\n\
             \x20   length=96 (0x60)   Peripheral device type: disk\n\
             \x20Vendor identification: Linux   \n\
             \x20Product identification: scsi_debug      \n\
             \x20Product revision level: 0191\n\
             \x20Unit serial number: 2000\n"
        );
        // Short data: what sg_inq says of it.
        let t = standard_text(&data[..20], None);
        assert!(
            t.contains("length=96 (0x60), but only fetched 20 bytes"),
            "{t}"
        );
        assert!(t.contains(" Product identification: scsi"), "{t}");
        assert!(t.ends_with(" Product revision level: <none>\n"), "{t}");
        let t = standard_text(&data[..8], None);
        assert!(t.ends_with("Inquiry response length=8, no vendor, product or revision data\n"));
    }

    #[test]
    fn standard_json_has_sg_inqs_names_and_every_bit_in_its_place() {
        let mut d = sdebug();
        d[0] = (1 << 5) | 5; // PQ 1, cd/dvd
        d[1] = 0x80 | 0x40 | 0x20; // RMB, LU_CONG, HOT PLUGGABLE 2
        d[2] = 6;
        d[3] = 0x80 | 0x20 | 0x02; // AERC, NORMACA, RESPONSE DATA FORMAT 2
        d[5] = 0x40 | 0x20 | 0x08; // ACC, TPGS 2, 3PC
        d[6] = 0x80 | 0x10 | 0x08; // BQUE, MULTIP, MCHNGR
        d[7] = 0x80 | 0x02; // RELADR, CMDQUE
        let v = Inquiry::new_checked(&d[..]).unwrap();
        assert_eq!(
            standard_json("/dev/sg2", &v, 36, Some("SN 1")),
            concat!(
                r#"{"device":"/dev/sg2","peripheral_qualifier":1,"peripheral_device_type":5,"#,
                r#""peripheral_device_type_name":"cd/dvd","rmb":true,"lu_cong":true,"#,
                r#""hot_pluggable":2,"version":6,"aerc":true,"trmtsk":false,"normaca":true,"#,
                r#""hisup":false,"response_data_format":2,"sccs":false,"acc":true,"tpgs":2,"#,
                r#""3pc":true,"protect":false,"bque":true,"encserv":false,"multip":true,"#,
                r#""mchngr":true,"reladr":true,"linked":false,"cmdque":true,"#,
                r#""t10_vendor_identification":"Linux","product_identification":"scsi_debug","#,
                r#""product_revision_level":"0191","unit_serial_number":"SN 1","length":36,"#,
                r#""exit_status":0}"#,
                "\n"
            )
        );
        // The complement: every flag above clear, the others set.
        let mut d = sdebug();
        d[3] = 0x40 | 0x10 | 0x02;
        d[5] = 0x80 | 0x01;
        d[6] = 0x40;
        d[7] = 0x08;
        let v = Inquiry::new_checked(&d[..]).unwrap();
        let j = standard_json("/dev/sg0", &v, 36, None);
        for part in [
            r#""rmb":false,"lu_cong":false,"hot_pluggable":0,"version":7,"aerc":false,"#,
            r#""trmtsk":true,"normaca":false,"hisup":true,"response_data_format":2,"#,
            r#""sccs":true,"acc":false,"tpgs":0,"3pc":false,"protect":true,"bque":false,"#,
            r#""encserv":true,"multip":false,"mchngr":false,"reladr":false,"linked":true,"#,
            r#""cmdque":false,"#,
            r#""unit_serial_number":null,"#,
        ] {
            assert!(j.contains(part), "{part} not in {j}");
        }
    }

    #[test]
    fn vpd_pages() {
        assert_eq!(parse_page("sn"), Ok(Some(0x80)));
        assert_eq!(parse_page("0xb0"), Ok(Some(0xb0)));
        assert_eq!(parse_page("131"), Ok(Some(0x83)));
        assert_eq!(parse_page("sinq"), Ok(None));
        assert_eq!(parse_page("-1"), Ok(None));
        assert!(parse_page("0x100").is_err());
        assert!(parse_page("xx").is_err());
        let sv = [0u8, 0, 0, 3, 0, 0x80, 0x83];
        let v = Vpd::new_checked(&sv[..]).unwrap();
        assert!(vpd_text::json("d", &v).contains(r#""pages":[0,128,131]"#));
        let sn = [0x25u8, 0x80, 0, 6, b' ', b' ', b'2', b'0', b'0', b'0'];
        let v = Vpd::new_checked(&sn[..]).unwrap();
        assert_eq!(
            vpd_text::json("/dev/sg1", &v),
            concat!(
                r#"{"device":"/dev/sg1","peripheral_qualifier":1,"peripheral_device_type":5,"#,
                r#""page_code":128,"page_name":"Unit serial number","page_length":6,"#,
                r#""unit_serial_number":"2000","payload":"20 20 32 30 30 30","exit_status":0}"#,
                "\n"
            )
        );
    }

    #[test]
    fn designator_names_are_sg_inqs() {
        assert_eq!(
            designator_type_name(DesignatorType::from(0)),
            "vendor specific [0x0]"
        );
        assert_eq!(
            designator_type_name(DesignatorType::from(0xb)),
            "Reserved [0xb]"
        );
        assert_eq!(code_set_name(CodeSet::from(0)), "Reserved [0x0]");
        assert_eq!(code_set_name(CodeSet::from(0xf)), "Reserved [0xf]");
        assert_eq!(association_name(Association::from(3)), "Reserved [0x3]");
    }

    #[test]
    fn device_identification_json_has_sg3_utils_names_and_numbers() {
        // An NAA 6 designator of the logical unit (binary), then a relative target port
        // designator of the target port with PIV set, protocol 6 (SAS), ASCII code set.
        let di = [
            0u8, 0x83, 0, 28, //
            0x01, 0x03, 0, 16, 0x60, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, //
            0x62, 0x94, 0, 4, 0, 0, 0, 1,
        ];
        let v = Vpd::new_checked(&di[..]).unwrap();
        let j = vpd_text::json("d", &v);
        assert!(
            j.contains(concat!(
                r#""designation_descriptor_list":[{"association":0,"#,
                r#""association_name":"Addressed logical unit","designator_type":3,"#,
                r#""designator_type_name":"NAA","code_set":1,"code_set_name":"Binary","#,
                r#""piv":false,"protocol_identifier":0,"#,
                r#""identifier":"0x60010203040506070809"#
            )),
            "{j}"
        );
        assert!(
            j.contains(concat!(
                r#"{"association":1,"association_name":"Target port","designator_type":4,"#,
                r#""designator_type_name":"Relative target port","code_set":2,"#,
                r#""code_set_name":"ASCII","piv":true,"protocol_identifier":6,"#,
                r#""identifier":"1","bytes":"00 00 00 01"}]"#
            )),
            "{j}"
        );
    }
}
