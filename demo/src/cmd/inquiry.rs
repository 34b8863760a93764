//! `sgmap inquiry`: standard INQUIRY data and VPD pages, printed as `sg_inq` prints them.

use std::ffi::OsString;
use std::fmt::Write as _;

use sgmap_core::cdb::Inquiry as InquiryCdb;
use sgmap_core::response::{
    page, Association, CodeSet, DesignatorType, Inquiry, InquiryFlags, Text, Vpd,
};
use sgmap_core::status::ExitCategory;
use sgmap_sys::Timeout;

use super::{dev, list::type_name, Cli};
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
const STD_LEN: usize = 96;
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

/// sg_inq's names of designator types, code sets and associations (stable strings for
/// the JSON schema, unlike `Debug`).
fn designator_type_name(t: DesignatorType) -> &'static str {
    match t {
        DesignatorType::VendorSpecific => "vendor specific",
        DesignatorType::T10VendorId => "T10 vendor identification",
        DesignatorType::Eui64 => "EUI-64 based",
        DesignatorType::Naa => "NAA",
        DesignatorType::RelativeTargetPort => "Relative target port",
        DesignatorType::TargetPortGroup => "Target port group",
        DesignatorType::LogicalUnitGroup => "Logical unit group",
        DesignatorType::Md5LogicalUnit => "MD5 logical unit identifier",
        DesignatorType::ScsiName => "SCSI name string",
        DesignatorType::ProtocolSpecificPort => "Protocol specific port identifier",
        DesignatorType::Uuid => "UUID identifier",
        _ => "reserved",
    }
}

fn code_set_name(c: CodeSet) -> &'static str {
    match c {
        CodeSet::Binary => "Binary",
        CodeSet::Ascii => "ASCII",
        CodeSet::Utf8 => "UTF-8",
        _ => "reserved",
    }
}

fn association_name(a: Association) -> &'static str {
    match a {
        Association::LogicalUnit => "Addressed logical unit",
        Association::TargetPort => "Target port",
        Association::TargetDevice => "Target device that contains addressed lu",
        _ => "reserved",
    }
}

fn page_name(p: u8) -> Option<&'static str> {
    PAGES.iter().find(|(_, n, _)| *n == p).map(|(_, _, d)| *d)
}

/// Runs `sgmap inquiry`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let mut cli = Cli::new("inquiry", args);
    let (mut vpd, mut hex, mut json, mut device) = (None, false, false, None);
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("vpd") | lexopt::Arg::Long("page") | lexopt::Arg::Short('p') => {
                let v = cli.value("--vpd")?;
                vpd = Some(parse_page(&v).map_err(|e| cli.syntax(format_args!("{e}")))?);
            }
            lexopt::Arg::Long("hex") | lexopt::Arg::Short('H') => hex = true,
            lexopt::Arg::Long("json") | lexopt::Arg::Short('j') => json = true,
            lexopt::Arg::Long("help") | lexopt::Arg::Short('h') => return cli.help(),
            lexopt::Arg::Value(v) if device.is_none() => {
                device = Some(super::utf8("inquiry", "DEVICE", v)?)
            }
            other => return Err(super::unexpected("inquiry", other)),
        }
    }
    let Some(device) = device else {
        return Err(cli.syntax(format_args!("DEVICE is required")));
    };
    if hex && json {
        return Err(out::contradict(
            "inquiry",
            format_args!("--hex and --json both choose the output format"),
        ));
    }
    let mut dev = dev::open(&device)?;
    match vpd {
        None => {
            let cdb = dev::cdb(&InquiryCdb::standard(STD_LEN as u16), &device)?;
            let (resp, data) = dev::data_in(&mut dev, cdb.as_bytes(), STD_LEN, Timeout::DEFAULT)?;
            if !resp.is_good() {
                return Err(dev::scsi_fail(&device, "INQUIRY", &resp));
            }
            if hex {
                return dump(&data);
            }
            let Ok(view) = Inquiry::new_checked(&data[..]) else {
                return Err(malformed(&device, "INQUIRY", data.len()));
            };
            // sg_inq asks for the serial number too; a device without page 80h has none.
            let serial = fetch_vpd(&mut dev, page::UNIT_SERIAL_NUMBER)
                .ok()
                .and_then(|d| {
                    Vpd::new_checked(&d[..])
                        .ok()
                        .and_then(|v| v.unit_serial_number().ok().map(|t| t.to_string()))
                })
                .filter(|s| !s.is_empty());
            let text = if json {
                standard_json(&device, &view, data.len(), serial.as_deref())
            } else {
                standard_text(&view, data.len(), serial.as_deref())
            };
            out::out_str(&text)
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
            if hex {
                return dump(&data);
            }
            let Ok(view) = Vpd::new_checked(&data[..]) else {
                return Err(malformed(&device, "INQUIRY VPD", data.len()));
            };
            let text = if json {
                vpd_json(&device, &view)
            } else {
                vpd_text(&view)
            };
            out::out_str(&text)
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

fn bit(flags: InquiryFlags, f: InquiryFlags) -> u8 {
    u8::from(flags.contains(f))
}

/// The text of standard INQUIRY data: the identification lines first (what scripts read),
/// then the fields.
pub fn standard_text(v: &Inquiry<&[u8]>, len: usize, serial: Option<&str>) -> String {
    let mut s = format!("{v}\n");
    if let Some(sn) = serial {
        let _ = writeln!(s, " Unit serial number: {sn}");
    }
    let f = v.flags();
    let pdt = u8::from(v.device_type());
    let _ = write!(
        s,
        "standard INQUIRY:\n  PQual={}  PDT={pdt}  RMB={}  LU_CONG={}  version=0x{:02x}  \
         Resp_data_format={}\n  NormACA={}  HiSUP={}  SCCS={}  ACC={}  TPGS={}  3PC={}  \
         Protect={}\n  EncServ={}  MultiP={}  Addr16={}  WBus16={}  Sync={}  CmdQue={}\n    \
         length={len} (0x{len:x})   Peripheral device type: {}\n",
        u8::from(v.qualifier()),
        u8::from(v.removable()),
        u8::from(v.lu_cong()),
        v.version(),
        v.response_data_format(),
        bit(f, InquiryFlags::NORM_ACA),
        bit(f, InquiryFlags::HI_SUP),
        bit(f, InquiryFlags::SCCS),
        bit(f, InquiryFlags::ACC),
        v.tpgs(),
        bit(f, InquiryFlags::THREE_PC),
        bit(f, InquiryFlags::PROTECT),
        bit(f, InquiryFlags::ENC_SERV),
        bit(f, InquiryFlags::MULTI_P),
        bit(f, InquiryFlags::ADDR16),
        bit(f, InquiryFlags::WBUS16),
        bit(f, InquiryFlags::SYNC),
        bit(f, InquiryFlags::CMD_QUE),
        type_name(pdt),
    );
    s
}

fn text_str(t: Text<'_>) -> String {
    t.to_string()
}

/// The JSON of standard INQUIRY data (schema in JSON.md).
pub fn standard_json(device: &str, v: &Inquiry<&[u8]>, len: usize, serial: Option<&str>) -> String {
    let pdt = u8::from(v.device_type());
    let f = v.flags();
    let mut j = Json::object();
    j.str("device", device)
        .str("vendor", &text_str(v.vendor()))
        .str("product", &text_str(v.product()))
        .str("revision", &text_str(v.revision()))
        .opt_str("serial", serial)
        .u64("peripheral_qualifier", u64::from(u8::from(v.qualifier())))
        .u64("device_type", u64::from(pdt))
        .str("device_type_name", type_name(pdt))
        .bool("removable", v.removable())
        .u64("version", u64::from(v.version()))
        .u64("response_data_format", u64::from(v.response_data_format()))
        .u64("tpgs", u64::from(v.tpgs()))
        .bool("cmdque", f.contains(InquiryFlags::CMD_QUE))
        .bool("protect", f.contains(InquiryFlags::PROTECT))
        .u64("length", len as u64);
    j.finish()
}

/// The text of a VPD page.
pub fn vpd_text(v: &Vpd<&[u8]>) -> String {
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

/// The JSON of a VPD page (schema in JSON.md).
pub fn vpd_json(device: &str, v: &Vpd<&[u8]>) -> String {
    let p = v.page_code();
    let mut j = Json::object();
    j.str("device", device)
        .u64("page", u64::from(p))
        .opt_str("page_name", page_name(p))
        .u64("page_length", u64::from(v.page_length()));
    match p {
        page::SUPPORTED_PAGES => {
            j.begin_array("pages");
            if let Ok(pages) = v.supported_pages() {
                for code in pages {
                    j.item_u64(u64::from(code));
                }
            }
            j.end_array();
        }
        page::UNIT_SERIAL_NUMBER => {
            let sn = v.unit_serial_number().map(|t| t.to_string()).ok();
            j.opt_str("serial", sn.as_deref());
        }
        page::DEVICE_IDENTIFICATION => {
            j.begin_array("designators");
            if let Ok(designators) = v.designators() {
                for d in designators {
                    j.item_object()
                        .str("type", designator_type_name(d.designator_type))
                        .str("code_set", code_set_name(d.code_set))
                        .str("association", association_name(d.association))
                        .str("identifier", &d.identifier().to_string())
                        .hex("bytes", d.designator)
                        .end();
                }
            }
            j.end_array();
        }
        page::BLOCK_LIMITS => {
            if let Ok(bl) = v.block_limits() {
                j.opt_u64(
                    "optimal_transfer_length_granularity",
                    bl.optimal_transfer_length_granularity().map(u64::from),
                )
                .opt_u64(
                    "maximum_transfer_length",
                    bl.maximum_transfer_length().map(u64::from),
                )
                .opt_u64(
                    "optimal_transfer_length",
                    bl.optimal_transfer_length().map(u64::from),
                );
            }
        }
        _ => {}
    }
    j.hex("payload", v.payload());
    j.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// scsi_debug's standard INQUIRY data (first 36 bytes).
    fn sdebug() -> Vec<u8> {
        let mut d = vec![0u8, 0, 7, 2, 91, 0, 0, 2];
        d.extend_from_slice(b"Linux   scsi_debug      0191");
        d
    }

    #[test]
    fn identification_lines_first() {
        let data = sdebug();
        let v = Inquiry::new_checked(&data[..]).unwrap();
        let t = standard_text(&v, 36, Some("2000"));
        assert!(
            t.starts_with(
                " Vendor identification: Linux\n Product identification: scsi_debug\n \
             Product revision level: 0191\n Unit serial number: 2000\nstandard INQUIRY:\n"
            ),
            "{t}"
        );
        assert!(t.contains("PDT=0  RMB=0"));
        assert!(t.contains("CmdQue=1"));
        assert!(t.contains("Peripheral device type: disk"));
        let j = standard_json("/dev/sg0", &v, 36, None);
        assert!(j.starts_with(r#"{"device":"/dev/sg0","vendor":"Linux","product":"scsi_debug","revision":"0191","serial":null,"#), "{j}");
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
        assert!(vpd_text(&v).contains("0x80  Unit serial number"));
        assert!(vpd_json("d", &v).contains(r#""pages":[0,128,131]"#));
        let sn = [0u8, 0x80, 0, 6, b' ', b' ', b'2', b'0', b'0', b'0'];
        let v = Vpd::new_checked(&sn[..]).unwrap();
        assert!(vpd_text(&v).contains("Unit serial number: 2000"));
        assert!(vpd_json("d", &v).contains(r#""serial":"2000""#));
        let other = [0u8, 0x89, 0, 2, 0xab, 0xcd];
        let v = Vpd::new_checked(&other[..]).unwrap();
        assert!(vpd_text(&v).contains(" 00     ab cd"));
    }
}
