//! `sgmap inquiry`: standard INQUIRY data and VPD pages, printed as `sg_inq` prints them.

use std::ffi::OsString;
use std::fmt::Write as _;

use sgmap_core::cdb::Inquiry as InquiryCdb;
use sgmap_core::response::{page, Inquiry, InquiryFlags, Text, Vpd};
use sgmap_core::status::ExitCategory;
use sgmap_sys::Timeout;

use super::vpd_text::{association_name, code_set_name, designator_type_name};
use super::{dev, export, inhex, names, vpd_text, Cli};
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};

/// VPD page names as `sg_inq --page=` takes them.
const PAGES: &[(&str, u8, &str)] = &[
    ("sv", 0x00, "Supported VPD pages"),
    ("sn", 0x80, "Unit serial number"),
    ("di", 0x83, "Device identification"),
    ("ei", 0x86, "Extended INQUIRY data"),
    ("bl", 0xb0, "Block limits"),
    ("bdc", 0xb1, "Block device characteristics"),
    ("lbpv", 0xb2, "Logical block provisioning"),
];

/// Standard INQUIRY allocation length (sg_inq asks 36, then the rest; 96 has everything
/// that is printed here).
/// VPD allocation length.
const VPD_LEN: usize = 0xfc;

/// Parses `--vpd=PAGE`: a name or a number.
pub fn parse_page(s: &str) -> Result<u8, String> {
    if let Some(&(_, n, _)) = PAGES.iter().find(|(name, _, _)| *name == s) {
        return Ok(n);
    }
    match crate::args::parse_num(s) {
        Ok(n) if n <= 0xff => Ok(n as u8),
        _ => Err(format!(
            "--vpd={s}: not a page number (0 to 0xff) or one of sv, sn, di, ei, bl, bdc, lbpv"
        )),
    }
}

fn page_name(p: u8) -> Option<&'static str> {
    PAGES.iter().find(|(_, n, _)| *n == p).map(|(_, _, d)| *d)
}

/// What `inquiry` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Show {
    Text,
    Hex,
    Raw,
    Json,
    Export,
}

/// Runs `sgmap inquiry`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let mut cli = Cli::new("inquiry", args);
    let (mut vpd, mut hex, mut json, mut device) = (None, false, false, None);
    let (mut raw, mut export, mut inhex_path) = (false, false, None);
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("vpd") | lexopt::Arg::Long("page") | lexopt::Arg::Short('p') => {
                let v = cli.value("--vpd")?;
                vpd = Some(parse_page(&v).map_err(|e| cli.syntax(format_args!("{e}")))?);
            }
            lexopt::Arg::Long("hex") | lexopt::Arg::Short('H') => hex = true,
            lexopt::Arg::Long("raw") | lexopt::Arg::Short('r') => raw = true,
            lexopt::Arg::Long("export") | lexopt::Arg::Short('u') => export = true,
            lexopt::Arg::Long("inhex") | lexopt::Arg::Short('I') => {
                inhex_path = Some(cli.value("--inhex")?)
            }
            lexopt::Arg::Long("json") | lexopt::Arg::Short('j') => json = cli.json(),
            lexopt::Arg::Long("help") | lexopt::Arg::Short('h') => return cli.help(),
            lexopt::Arg::Value(v) if device.is_none() => {
                device = Some(super::utf8("inquiry", "DEVICE", v)?)
            }
            other => return Err(super::unexpected("inquiry", other)),
        }
    }
    // sg_inq's refusals: 31 for these, as it exits.
    let contradict = |why: &str| Err(out::contradict("inquiry", format_args!("{why}")));
    if inhex_path.is_some() && device.is_some() {
        return contradict("a DEVICE and --inhex=FILE: choose one");
    }
    if inhex_path.is_none() && device.is_none() {
        return Err(cli.syntax(format_args!("DEVICE or --inhex=FILE is required")));
    }
    if export && vpd.is_some_and(|p| p != page::UNIT_SERIAL_NUMBER && p != 0x83) {
        return contradict("--export: only the standard INQUIRY data and VPD pages 0x80 and 0x83");
    }
    // --raw with --inhex says how the file is read, not how to print.
    let raw_out = raw && inhex_path.is_none();
    let chosen = [
        (hex, Show::Hex),
        (raw_out, Show::Raw),
        (json, Show::Json),
        (export, Show::Export),
    ];
    let mut shows = chosen.iter().filter(|(on, _)| *on).map(|(_, s)| *s);
    let show = shows.next().unwrap_or(Show::Text);
    if shows.next().is_some() {
        return contradict("--hex, --raw, --json and --export each choose the output: one at most");
    }
    if let Some(path) = inhex_path {
        let data = inhex::read("inquiry", &path, raw)?;
        return saved(&path, &data, vpd, show);
    }
    let Some(device) = device else {
        return Err(cli.syntax(format_args!("DEVICE or --inhex=FILE is required")));
    };
    let mut dev = dev::open(&device)?;
    match vpd {
        None => {
            // As sg_inq: 36 bytes first, then the length the device says it has (below 256).
            let (resp, mut data) = standard_inquiry(&mut dev, &device, SAFE_STD_LEN)?;
            let len = usize::from(data.get(4).copied().unwrap_or(0)) + 5;
            let mut resp = resp;
            if resp.is_good() && len > SAFE_STD_LEN && len < 256 {
                (resp, data) = standard_inquiry(&mut dev, &device, len)?;
                data.truncate(len);
            }
            if !resp.is_good() {
                return Err(dev::scsi_fail(&device, "INQUIRY", &resp));
            }
            match show {
                Show::Hex => return dump(&data),
                Show::Raw => return out::out_bytes(&data),
                Show::Export => {
                    let mut text = Vec::new();
                    export::standard(&mut text, &data);
                    return out::out_bytes(&text);
                }
                Show::Text | Show::Json => {}
            }
            let Ok(view) = Inquiry::new_checked(&data[..]) else {
                return Err(malformed(&device, "INQUIRY", data.len()));
            };
            // sg_inq prints the serial number too when page 00h lists page 80h.
            let serial = unit_serial_number(&mut dev);
            let text = if json {
                standard_json(&device, &view, data.len(), serial.as_deref().map(str::trim))
            } else {
                standard_text(&data, serial.as_deref())
            };
            out::out_str(&text)
        }
        Some(p) if show == Show::Export => {
            // sg_inq's vpd_decode(): the page must be in page 00h's list (else 83, EDOM).
            let list = dev::fetch_vpd(&mut dev, &device, page::SUPPORTED_PAGES, VPD_LEN)?;
            let num = usize::from(list[3]).min(list.len() - 4);
            if !list[4..4 + num].contains(&p) {
                return Err(out::fail(
                    ExitCategory::OsError(33),
                    &device,
                    &format!("VPD page 0x{p:02x}"),
                    format_args!("not in the device's Supported VPD pages (00h) list"),
                ));
            }
            let data = dev::fetch_vpd(&mut dev, &device, p, VPD_LEN)?;
            let mut text = Vec::new();
            export_page(&mut text, p, &data);
            out::out_bytes(&text)
        }
        Some(p) => {
            let data = match fetch_vpd(&mut dev, p) {
                Ok(d) => d,
                Err(resp) => {
                    return Err(dev::scsi_fail(
                        &device,
                        &format!("INQUIRY VPD page 0x{p:02x}"),
                        &resp,
                    ))
                }
            };
            match show {
                Show::Hex => return dump(&data),
                Show::Raw => return out::out_bytes(&data),
                _ => {}
            }
            let Ok(view) = Vpd::new_checked(&data[..]) else {
                return Err(malformed(&device, "INQUIRY VPD", data.len()));
            };
            let text = if json {
                vpd_text::json(&device, &view)
            } else {
                page_text(&view)
            };
            out::out_str(&text)
        }
    }
}

/// The export lines of VPD page 80h or 83h.
fn export_page(text: &mut Vec<u8>, p: u8, data: &[u8]) {
    if p == page::UNIT_SERIAL_NUMBER {
        export::serial(text, data);
    } else {
        export::device_identification(text, data);
    }
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

/// `--inhex`: the saved bytes decoded as the device's would be (standard INQUIRY data
/// without the unit serial number line, as sg_inq prints it from a file).
fn saved(path: &str, data: &[u8], vpd: Option<u8>, show: Show) -> CmdResult {
    let Some(p) = vpd.or_else(|| guess_page(data)) else {
        return match show {
            Show::Hex => dump(data),
            Show::Export => {
                let mut text = Vec::new();
                export::standard(&mut text, data);
                out::out_bytes(&text)
            }
            Show::Json => match Inquiry::new_checked(data) {
                Ok(view) => out::out_str(&standard_json(path, &view, data.len(), None)),
                Err(_) => Err(malformed(path, "INQUIRY", data.len())),
            },
            Show::Text | Show::Raw => out::out_str(&standard_text(data, None)),
        };
    };
    let len = data
        .get(2..4)
        .map_or(data.len(), |b| {
            usize::from(u16::from_be_bytes([b[0], b[1]])) + 4
        })
        .min(data.len());
    let rp = &data[..len];
    match show {
        Show::Hex => dump(rp),
        Show::Export => {
            let mut text = Vec::new();
            export_page(&mut text, p, rp);
            out::out_bytes(&text)
        }
        _ => {
            let Ok(view) = Vpd::new_checked(rp) else {
                return Err(malformed(path, "INQUIRY VPD", rp.len()));
            };
            if show == Show::Json {
                out::out_str(&vpd_text::json(path, &view))
            } else {
                out::out_str(&page_text(&view))
            }
        }
    }
}

fn dump(data: &[u8]) -> CmdResult {
    let mut s = String::new();
    out::hex_dump(data, &mut s);
    out::out_str(&s)
}

fn malformed(device: &str, what: &str, len: usize) -> Fail {
    out::fail(
        ExitCategory::MalformedResponse,
        device,
        what,
        format_args!("response of {len} bytes is too short"),
    )
}

/// INQUIRY with EVPD for page `p`: the valid bytes, or the failed response.
fn fetch_vpd(dev: &mut sgmap_sys::Device, p: u8) -> Result<Vec<u8>, sgmap_sys::Response> {
    let Ok(cdb) = sgmap_core::cdb::Command::to_cdb(&InquiryCdb::vpd(p, VPD_LEN as u16)) else {
        return Ok(Vec::new());
    };
    let mut buf = vec![0u8; VPD_LEN];
    match dev.execute(
        &sgmap_sys::Command::new(cdb.as_bytes()),
        sgmap_sys::Data::In(&mut buf),
    ) {
        Ok(resp) if resp.is_good() => {
            buf.truncate((resp.valid as usize).min(VPD_LEN));
            Ok(buf)
        }
        Ok(resp) => Err(resp),
        Err(e) => {
            dev::sys_fail(e);
            Ok(Vec::new())
        }
    }
}

/// sg_inq's first standard INQUIRY length (`SAFE_STD_INQ_RESP_LEN`).
const SAFE_STD_LEN: usize = 36;

/// A standard INQUIRY of `len` bytes: the response and the bytes that came.
fn standard_inquiry(
    dev: &mut sgmap_sys::Device,
    device: &str,
    len: usize,
) -> Result<(sgmap_sys::Response, Vec<u8>), Fail> {
    let cdb = dev::cdb(&InquiryCdb::standard(len as u16), device)?;
    dev::data_in(dev, cdb.as_bytes(), len, Timeout::DEFAULT)
}

/// The unit serial number as sg_inq shows it under standard INQUIRY data
/// (`fetch_unit_serial_num()`): only when page 00h lists page 80h; the page's bytes up to the
/// first NUL, each unprintable one shown as a space, nothing trimmed.
fn unit_serial_number(dev: &mut sgmap_sys::Device) -> Option<String> {
    let supported = fetch_vpd(dev, page::SUPPORTED_PAGES).ok()?;
    let listed = Vpd::new_checked(&supported[..]).ok()?;
    if !listed.payload().contains(&page::UNIT_SERIAL_NUMBER) {
        return None;
    }
    let sn = fetch_vpd(dev, page::UNIT_SERIAL_NUMBER).ok()?;
    let len = sn
        .get(2..4)
        .map_or(0, |b| usize::from(u16::from_be_bytes([b[0], b[1]])));
    let bytes = sn.get(4..(4 + len).min(sn.len()))?;
    let text: String = bytes
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

/// A fixed-length ASCII field as `printf("%s")` prints it: up to its first NUL.
fn c_field(data: &[u8], at: usize, len: usize) -> String {
    data.get(at..(at + len).min(data.len()))
        .unwrap_or(&[])
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| char::from(c))
        .collect()
}

/// The text of standard INQUIRY data exactly as sg_inq 1.46 prints it (`std_inq_decode()`,
/// without options): `data` is what came back (sg_inq's `act_len` bytes), `serial` the unit
/// serial number line's text.
pub fn standard_text(data: &[u8], serial: Option<&str>) -> String {
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
    if let Some(sn) = serial {
        let _ = writeln!(s, " Unit serial number: {sn}");
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

/// The text of a VPD page.
pub fn page_text(v: &Vpd<&[u8]>) -> String {
    let p = v.page_code();
    let mut s = match page_name(p) {
        Some(name) => format!("VPD INQUIRY: {name} page\n"),
        None => format!("VPD INQUIRY: page 0x{p:02x}\n"),
    };
    match p {
        page::SUPPORTED_PAGES => {
            if let Ok(pages) = v.supported_pages() {
                s.push_str("   Supported VPD pages:\n");
                for code in pages {
                    let name = page_name(code).unwrap_or("");
                    let _ = writeln!(s, "     0x{code:02x}  {name}");
                }
            }
        }
        page::UNIT_SERIAL_NUMBER => {
            if let Ok(sn) = v.unit_serial_number() {
                let _ = writeln!(s, "  Unit serial number: {sn}");
            }
        }
        page::DEVICE_IDENTIFICATION => {
            if let Ok(designators) = v.designators() {
                for (i, d) in designators.enumerate() {
                    let _ = writeln!(
                        s,
                        "  Designation descriptor number {}, descriptor length: {}\n    \
                         designator_type: {},  code_set: {}\n    associated with the {}\n      \
                         {}",
                        i + 1,
                        d.designator.len() + 4,
                        designator_type_name(d.designator_type),
                        code_set_name(d.code_set),
                        association_name(d.association),
                        d.identifier()
                    );
                }
            }
        }
        page::BLOCK_LIMITS => {
            if let Ok(bl) = v.block_limits() {
                let lines: [(&str, Option<u32>); 4] = [
                    ("Maximum transfer length", bl.maximum_transfer_length()),
                    ("Optimal transfer length", bl.optimal_transfer_length()),
                    ("Maximum unmap LBA count", bl.maximum_unmap_lba_count()),
                    (
                        "Maximum unmap block descriptor count",
                        bl.maximum_unmap_block_descriptor_count(),
                    ),
                ];
                if let Some(g) = bl.optimal_transfer_length_granularity() {
                    let _ = writeln!(s, "  Optimal transfer length granularity: {g} blocks");
                }
                for (name, value) in lines {
                    if let Some(n) = value {
                        let _ = writeln!(s, "  {name}: {n} blocks");
                    }
                }
            }
        }
        _ => out::hex_dump(v.payload(), &mut s),
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
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
        assert_eq!(parse_page("sn"), Ok(0x80));
        assert_eq!(parse_page("0xb0"), Ok(0xb0));
        assert_eq!(parse_page("131"), Ok(0x83));
        assert!(parse_page("0x100").is_err());
        assert!(parse_page("xx").is_err());
        let sv = [0u8, 0, 0, 3, 0, 0x80, 0x83];
        let v = Vpd::new_checked(&sv[..]).unwrap();
        assert!(page_text(&v).contains("0x80  Unit serial number"));
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
        let sn = [0u8, 0x80, 0, 6, b' ', b' ', b'2', b'0', b'0', b'0'];
        let v = Vpd::new_checked(&sn[..]).unwrap();
        assert!(page_text(&v).contains("Unit serial number: 2000"));
        let other = [0u8, 0x89, 0, 2, 0xab, 0xcd];
        let v = Vpd::new_checked(&other[..]).unwrap();
        assert!(page_text(&v).contains(" 00     ab cd"));
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
