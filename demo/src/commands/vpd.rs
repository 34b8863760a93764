//! `sgmap vpd` (`sg_vpd`): VPD pages as sg_vpd (sg3_utils 1.46) prints them, from the
//! device or from saved bytes (`--inhex`), with its options: `-p PG`, `-a` (every listed
//! page), `-E` (every page code asked, listed or not), `-p sinq` (the standard INQUIRY
//! data in sg_vpd's layout), `-i` (83h; `-ii` the logical unit's designators alone), `-q`,
//! `-l`, `-H` levels, `-r`, `-m LEN`, `-f`, `-e` (the page list, no device). `--json` is
//! sgmap's.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::Write as _;

use sgmap_core::response::{page, Vpd};
use sgmap_core::status::ExitCategory;

use crate::cli::Cli;
use crate::out::{self, CmdResult, Fail};
use crate::shared::dev;
use crate::shared::inhex;
use crate::shared::inq_pages;
use crate::shared::inq_source::Source;
use crate::shared::names;
use crate::shared::vpd_text::{self, Form};

/// sg_vpd's vendor and product identifiers (`vp_arr[]`) as `--enumerate` lists them:
/// acronym, number, name.
const VENDORS: &str = concat!(
    "  dds        3      DDS tape family from IBM\n",
    "  emc        2      EMC (company)\n",
    "  hit        7      WDC/Hitachi disk\n",
    "  hp3par     4      3PAR array (HP was Left Hand)\n",
    "  hp_lto     6      HP LTO tape/systems\n",
    "  ibm_lto    5      IBM LTO tape/systems\n",
    "  nvme       8      NVMe related\n",
    "  rdac       1      RDAC array (NetApp E-Series)\n",
    "  sea        0      Seagate disk\n",
    "  sg         9      sg3_utils extensions\n",
    "  wdc        7      WDC/Hitachi disk\n",
);

/// sg_vpd's vendor specific pages (`vendor_vpd_pg[]`) as `--enumerate` lists them:
/// acronym, page and vendor number, name.
const VENDOR_PAGES: &str = concat!(
    "  aci        0xc5,6      ACI revision level (HP LTO)\n",
    "  datc       0xc1,0      Date code (Seagate)\n",
    "  dcrl       0xc0,5      Drive component revision levels (IBM LTO)\n",
    "  ddsver     0xc0,3      Firmware revision (DDS)\n",
    "  devb       0xc3,0      Device behavior (Seagate)\n",
    "  dsn        0xc1,5      Drive serial numbers (IBM LTO)\n",
    "  ducd       0xc7,5      Device unique configuration data (IBM LTO)\n",
    "  edid       0xc8,1      Extended device identification (RDAC)\n",
    "  firm       0xc0,0      Firmware numbers (Seagate)\n",
    "  frl        0xc0,6      Firmware revision level (HP LTO)\n",
    "  fwr4       0xc1,1      Firmware version (RDAC)\n",
    "  head       0xc4,6      Head Assy revision level (HP LTO)\n",
    "  hp3par     0xc0,4      Volume information (HP/3PAR)\n",
    "  hrl        0xc1,6      Hardware revision level (HP LTO)\n",
    "  hwr4       0xc0,1      Hardware version (RDAC)\n",
    "  jump       0xc2,0      Jump setting (Seagate)\n",
    "  mech       0xc3,6      Mechanism revision level (HP LTO)\n",
    "  mpds       0xc8,5      Mode parameter default settings (IBM LTO)\n",
    "  nicr       0xde,9      NVMe Identify Controller Response (sg3_utils)\n",
    "  pca        0xc2,6      PCA revision level (HP LTO)\n",
    "  prm4       0xc3,1      Feature Parameters (RDAC)\n",
    "  rvsi       0xca,1      Replicated volume source identifier (RDAC)\n",
    "  said       0xd0,1      Storage array world wide name (RDAC)\n",
    "  subs       0xc4,1      Subsystem identifier (RDAC)\n",
    "  swr4       0xc2,1      Software version (RDAC)\n",
    "  upr        0xc0,2      Unit path report (EMC)\n",
    "  vac1       0xc9,1      Volume access control (RDAC)\n",
    "  wp3        0x03,7      Page 0x3 (WDC/Hitachi)\n",
    "  wpd1       0xd1,7      Page 0xd1 (WDC/Hitachi)\n",
    "  wpd2       0xd2,7      Page 0xd2 (WDC/Hitachi)\n",
);

/// The second field of an enumeration line.
fn field(line: &str, n: usize) -> &str {
    line.split_whitespace().nth(n).unwrap_or("")
}

/// What the command line asked (sg_vpd's `struct opts_t`).
#[derive(Debug, Default, Clone)]
struct Opts {
    hex: u8,
    raw: u8,
    json: bool,
    force: bool,
    quiet: bool,
    long: bool,
    all: bool,
    enumerate: bool,
    examine: u8,
    ident: u8,
    maxlen: usize,
    vendor: Option<String>,
    page: Option<String>,
    inhex: Option<String>,
    device: Option<String>,
    help: bool,
}

/// sg_vpd's page list (`enumerate_vpds(1, 1)`): the standard pages, the vendors, the
/// vendor pages.
fn enumerate_all() -> String {
    let mut s = String::new();
    let table = crate::help::VPD_PAGES.to_string();
    for [pn, _, acron, name] in vpd_text::standard(&table) {
        if acron == "sn" {
            s.push_str("  sinq       -1        Standard inquiry response\n");
        }
        let _ = writeln!(s, "  {acron:<10} 0x{pn}      {name}");
    }
    s.push_str("\nVendor/product identifiers:\n");
    s.push_str(VENDORS);
    s.push_str(&vendor_pages(None));
    s
}

/// The vendor specific pages (of one vendor).
fn vendor_pages(vp: Option<u8>) -> String {
    let mut s = String::from("\nVendor specific VPD pages:\n");
    for line in VENDOR_PAGES.lines() {
        let v = field(line, 1)
            .split(',')
            .nth(1)
            .and_then(|n| n.parse::<u8>().ok());
        if vp.is_none() || v == vp {
            s.push_str(line);
            s.push('\n');
        }
    }
    s
}

/// `--enumerate`: no device is opened.
fn enumerate(o: &Opts) -> CmdResult {
    if let Some(vp) = &o.vendor {
        let n = if vp.starts_with(|c: char| c.is_ascii_digit()) {
            crate::args::parse_num(vp)
                .ok()
                .filter(|&n| n <= 10)
                .map(|n| n as u8)
        } else {
            VENDORS
                .lines()
                .find(|l| field(l, 0) == vp)
                .and_then(|l| field(l, 1).parse().ok())
        };
        let Some(n) = n else {
            return Err(out::syntax(
                "vpd",
                format_args!("Bad vendor/product acronym after '--vendor=' option"),
            ));
        };
        return out::out_str(&vendor_pages(Some(n)));
    }
    let Some(p) = &o.page else {
        return out::out_fmt(format_args!("Standard VPD pages:\n{}", enumerate_all()));
    };
    let pn: i32 = if p == "-1" || p == "-2" {
        -1
    } else if p.starts_with(|c: char| c.is_ascii_digit()) {
        match crate::args::parse_num(p) {
            Ok(n) if n <= 255 => n as i32,
            _ => {
                return Err(out::syntax(
                    "vpd",
                    format_args!("Bad page code value after '-p' option"),
                ))
            }
        }
    } else {
        return Err(out::syntax(
            "vpd",
            format_args!("with --enumerate only search using VPD page numbers"),
        ));
    };
    let mut s = String::new();
    if pn < 0 {
        s.push_str(
            "Matching standard VPD pages:\n  sinq       -1        Standard inquiry response\n",
        );
        return out::out_str(&s);
    }
    let table = crate::help::VPD_PAGES.to_string();
    let want = format!("{pn:02x}");
    for [v, _, acron, name] in vpd_text::standard(&table) {
        if v == want {
            if s.is_empty() {
                s.push_str("Matching standard VPD pages:\n");
            }
            let _ = writeln!(s, "  {acron:<10} 0x{v}      {name}");
        }
    }
    if s.is_empty() {
        let want = format!("0x{pn:02x},");
        for line in VENDOR_PAGES
            .lines()
            .filter(|l| field(l, 1).starts_with(&want))
        {
            if s.is_empty() {
                s.push_str("Matching vendor specific VPD pages:\n");
            }
            s.push_str(line);
            s.push('\n');
        }
    }
    if s.is_empty() {
        s = format!("No matches found for VPD page number 0x{pn:x}\n");
    }
    out::out_str(&s)
}

/// sg_vpd's usage on stderr (under its name, or after an unknown option) or sgmap's help
/// (`sgmap vpd -h`).
fn help(cli: &Cli, to_stderr: bool) -> CmdResult {
    if to_stderr || crate::invocation::tool().is_some() {
        if let Some(text) = crate::help::of(cli.name) {
            out::err_str(&text);
        }
        Ok(())
    } else {
        cli.help()
    }
}

/// A `--page=` value sg_vpd refuses: the reason on stderr, the standard pages on stdout.
fn bad_page(why: &str) -> Fail {
    let fail = out::syntax("vpd", format_args!("{why}"));
    let _ = out::out_fmt(format_args!(
        "Available standard VPD pages:\n{}",
        enumerate_all()
    ));
    fail
}

/// Runs `sgmap vpd`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let mut cli = Cli::new("vpd", args);
    let mut o = Opts::default();
    let mut bad_option = false;
    // A value where none is taken, a bad --json=JO: refused (sg_vpd's getopt would print
    // its usage and exit 0 for the first).
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("page") | lexopt::Arg::Short('p') => {
                let Ok(v) = cli.value("--page") else {
                    bad_option = true;
                    continue;
                };
                if o.page.is_some() {
                    return Err(cli.syntax(format_args!("only one '--page=' option permitted")));
                }
                o.page = Some(v);
            }
            lexopt::Arg::Long("hex") | lexopt::Arg::Short('H') => o.hex = o.hex.saturating_add(1),
            lexopt::Arg::Long("raw") | lexopt::Arg::Short('r') => o.raw = o.raw.saturating_add(1),
            lexopt::Arg::Long("force") | lexopt::Arg::Short('f') => o.force = true,
            lexopt::Arg::Long("quiet") | lexopt::Arg::Short('q') => o.quiet = true,
            lexopt::Arg::Long("long") | lexopt::Arg::Short('l') => o.long = true,
            lexopt::Arg::Long("all") | lexopt::Arg::Short('a') => o.all = true,
            lexopt::Arg::Long("enumerate") | lexopt::Arg::Short('e') => o.enumerate = true,
            lexopt::Arg::Long("examine") | lexopt::Arg::Short('E') => {
                o.examine = o.examine.saturating_add(1)
            }
            lexopt::Arg::Long("ident") | lexopt::Arg::Short('i') => {
                o.ident = o.ident.saturating_add(1)
            }
            lexopt::Arg::Long("maxlen") | lexopt::Arg::Short('m') => {
                let Ok(v) = cli.value("--maxlen") else {
                    bad_option = true;
                    continue;
                };
                match crate::args::parse_num(&v) {
                    Ok(n) if n <= 0xc080 => o.maxlen = n as usize,
                    _ => {
                        return Err(cli.syntax(format_args!(
                            "argument to '--maxlen' should be 49280 or less"
                        )))
                    }
                }
            }
            lexopt::Arg::Long("vendor") | lexopt::Arg::Short('M') => {
                let Ok(v) = cli.value("--vendor") else {
                    bad_option = true;
                    continue;
                };
                if o.vendor.is_some() {
                    return Err(cli.syntax(format_args!("only one '--vendor=' option permitted")));
                }
                o.vendor = Some(v);
            }
            lexopt::Arg::Long("inhex") | lexopt::Arg::Short('I') => {
                let Ok(v) = cli.value("--inhex") else {
                    bad_option = true;
                    continue;
                };
                if o.inhex.is_some() {
                    return Err(cli.syntax(format_args!("only one '--inhex=' option permitted")));
                }
                o.inhex = Some(v);
            }
            lexopt::Arg::Long("json") | lexopt::Arg::Short('j') => o.json = cli.json(),
            lexopt::Arg::Long("help") | lexopt::Arg::Short('h') => o.help = true,
            lexopt::Arg::Value(v) if o.device.is_none() => {
                o.device = Some(crate::cli::utf8("vpd", "DEVICE", v)?)
            }
            lexopt::Arg::Value(v) => {
                return Err(cli.syntax(format_args!(
                    "Unexpected extra argument: {}",
                    v.to_string_lossy()
                )))
            }
            _ => bad_option = true,
        }
    }
    if o.help || bad_option {
        return help(&cli, !o.help);
    }
    if o.enumerate {
        return enumerate(&o);
    }
    // The page and 83h's subvalue.
    let mut pn = 0u8;
    let mut subvalue = 0u8;
    // sg_vpd's `-p sinq` (`-1`, `-2`): the standard INQUIRY data, in its own layout.
    let mut sinq = false;
    if let Some(p) = &o.page {
        if p == "-1" || p == "-2" || p == "sinq" {
            sinq = true;
        } else if p.starts_with(|c: char| c.is_ascii_alphabetic()) {
            if VENDOR_PAGES.lines().any(|l| field(l, 0) == p) {
                return Err(cli.syntax(format_args!(
                    "--page={p}: a vendor's private page; sgmap decodes only the standard ones"
                )));
            }
            match vpd_text::parse_page(p) {
                Ok((n, s)) => (pn, subvalue) = (n, s),
                Err(_) => return Err(bad_page("abbreviation doesn't match a VPD page")),
            }
        } else {
            let (num, vp) = p
                .split_once(',')
                .map_or((p.as_str(), None), |(a, b)| (a, Some(b)));
            if vp.is_some() || o.vendor.is_some() {
                return Err(cli.syntax(format_args!(
                    "--page=PG,VP and --vendor=VP: vendors' private pages are not decoded"
                )));
            }
            match crate::args::parse_num(num) {
                Ok(n) if n <= 255 => pn = n as u8,
                _ => return Err(bad_page("Bad page code value after '-p' option")),
            }
        }
    } else if o.vendor.is_some() {
        return Err(cli.syntax(format_args!(
            "--vendor: vendors' private pages are not decoded"
        )));
    }
    if o.json && sinq {
        return Err(cli.syntax(format_args!(
            "--json with --page={}: 'sgmap inquiry --json' gives the standard INQUIRY data",
            o.page.as_deref().unwrap_or("")
        )));
    }
    let inhex_data = match &o.inhex {
        Some(path) => {
            if o.device.is_some() {
                return Err(cli.syntax(format_args!(
                    "Cannot have both a DEVICE and --inhex= option"
                )));
            }
            let mut d = inhex::read("vpd", path, o.raw > 0)?;
            o.raw = 0;
            // sg_vpd decodes the page the bytes say, whatever --page says, within
            // --maxlen (the standard data's decoding reads on past it).
            if o.maxlen > 0 && (!sinq || o.all) {
                d.truncate(o.maxlen);
            }
            Some(d)
        }
        None if o.device.is_none() => {
            return Err(cli.syntax(format_args!("No DEVICE argument given")));
        }
        None => None,
    };
    if o.raw > 0 && o.hex > 0 {
        return Err(cli.syntax(format_args!("Can't do hex and raw at the same time")));
    }
    if o.ident > 0 {
        pn = page::DEVICE_IDENTIFICATION;
        if o.ident > 1 {
            if !o.long {
                o.quiet = true;
            }
            subvalue = vpd_text::di::LU;
        }
    }
    if o.ident > 0 {
        sinq = false;
    }
    if let Some(d) = inhex_data.as_ref().filter(|d| d.len() >= 4 && !sinq) {
        pn = d[1];
    }
    if o.json && (o.hex > 0 || o.raw > 0) {
        return Err(out::contradict(
            "vpd",
            format_args!("--json and --hex or --raw both choose the output format"),
        ));
    }
    let name = o.device.clone().or(o.inhex.clone()).unwrap_or_default();
    let mut src = match inhex_data {
        Some(d) => Source::File(d),
        None => match dev::open(&name) {
            Ok(d) => Source::Device(Box::new(d)),
            Err(f) => {
                // sg_vpd opens any file and prints the page's heading before its INQUIRY
                // fails on one that is not a SCSI device.
                let form = if o.hex > 0 { Form::Hex } else { Form::Text };
                if f.code == 75
                    && !sinq
                    && o.examine == 0
                    && !o.all
                    && !o.json
                    && o.raw == 0
                    && (!o.quiet || o.long)
                    && o.hex < 3
                    && (o.force || pn == 0)
                    && vpd_text::DECODED.contains(&pn)
                {
                    out::out_str(vpd_text::preamble(pn, form))?;
                }
                return Err(f);
            }
        },
    };
    let mut text = Vec::new();
    let result = if o.examine > 0 && matches!(src, Source::Device(_)) {
        examine(&mut src, &name, if sinq { 0 } else { pn }, &o, &mut text)
    } else if sinq && !o.all {
        standard(&mut src, &name, &o, &mut text)
    } else if o.all {
        all(&mut src, &name, &o, &mut text)
    } else {
        one(&mut src, &name, pn, subvalue, &o, "", &mut text)
    };
    if !text.is_empty() {
        out::out_bytes(&text)?;
    }
    result
}

/// `--examine`: every page from 80h (00h with `-EE`) through `max` (FFh for 0) asked for,
/// whether page 00h lists it or not; those the device answers shown as `--all` shows
/// them, each named after it came (after `[0xNN] ` with `--long`), a blank line after each
/// but the last page code. ILLEGAL REQUEST, the refusal of a page the device lacks, is no
/// failure.
fn examine(src: &mut Source, name: &str, max: u8, o: &Opts, text: &mut Vec<u8>) -> CmdResult {
    let max = if max == 0 { 0xff } else { max };
    let first = if o.examine > 1 { 0 } else { 0x80 };
    let mut result = Ok(());
    for pn in first..=max {
        let prefix = if o.long {
            format!("[0x{pn:x}] ")
        } else {
            String::new()
        };
        match one(src, name, pn, 0, o, &prefix, text) {
            Ok(()) if pn < max => text.push(b'\n'),
            Ok(()) => {}
            Err(f) if f.code == 5 => {}
            Err(f) => result = Err(f),
        }
    }
    result
}

/// `-p sinq`: the standard INQUIRY data (36 bytes, 252 with `--long`, or `--maxlen`) as
/// sg_vpd's `std_inq_decode()` lays it out, or in hex or raw.
fn standard(src: &mut Source, name: &str, o: &Opts, text: &mut Vec<u8>) -> CmdResult {
    let (b, len) = match src {
        Source::File(d) => {
            let len = if o.maxlen > 0 { o.maxlen } else { d.len() };
            (d.clone(), len.min(d.len()))
        }
        Source::Device(dev) => {
            let n = match o.maxlen {
                0 if o.long => 252,
                0 => 36,
                n => n,
            };
            let cdb = sgmap_core::cdb::Inquiry::standard(n as u16);
            let (resp, b) = Source::inquiry(dev, name, &cdb, n)?;
            if !dev::sg3_ok(&resp) {
                return Err(dev::scsi_fail(name, "INQUIRY", &resp));
            }
            if b.len() < 4 {
                return Err(Fail::new(ExitCategory::MalformedResponse));
            }
            let len = b.len();
            (b, len)
        }
    };
    if o.raw > 0 {
        text.extend_from_slice(&b[..len]);
        return Ok(());
    }
    if o.hex > 0 {
        if !o.quiet && o.hex < 3 {
            text.extend_from_slice(b"Standard Inquiry response:\n");
        }
        inq_pages::hexout(text, &b[..len], if o.hex == 1 { 0 } else { -1 });
        return Ok(());
    }
    if len < 4 {
        return Ok(());
    }
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let pq = at(0) >> 5;
    text.extend_from_slice(b"standard INQUIRY:");
    let _ = match pq {
        0 => writeln!(text),
        1 => writeln!(text, " [PQ indicates LU temporarily unavailable]"),
        3 => writeln!(text, " [PQ indicates LU not accessible via this port]"),
        _ => writeln!(text, " [reserved or vendor specific qualifier [{pq}]]"),
    };
    let fields = |text: &mut Vec<u8>, tpl: &str| vpd_text::pages::fields(text, &b, tpl);
    fields(
        text,
        "  PQual=$00e0  PDT=$001f  RMB=$0180  LU_CONG=$0140  hot_pluggable=$0130  version=0x",
    );
    let _ = writeln!(text, "{:02x}  [{}]", at(2), names::ansi_version(at(2)));
    fields(
        text,
        "  [AERC=$0380]  [TrmTsk=$0340]  NormACA=$0320  HiSUP=$0310  Resp_data_format=$030f\n",
    );
    if len < 5 {
        return Ok(());
    }
    fields(
        text,
        "  SCCS=$0580  ACC=$0540  TPGS=$0530  3PC=$0508  Protect=$0501  [BQue=$0680]\n  \
         EncServ=$0640  ",
    );
    fields(
        text,
        if at(6) & 0x10 != 0 {
            "MultiP=1 (VS=$0620)  "
        } else {
            "MultiP=0  "
        },
    );
    fields(
        text,
        "[MChngr=$0608]  [ACKREQQ=$0604]  Addr16=$0601\n  [RelAdr=$0780]  WBus16=$0720  \
         Sync=$0710  [Linked=$0708]  [TranDis=$0704]  CmdQue=$0702\n",
    );
    if len >= 36 {
        for (label, r) in [
            ("Vendor_identification", 8..16),
            ("Product_identification", 16..32),
            ("Product_revision_level", 32..36),
        ] {
            let _ = write!(text, "  {label}: ");
            text.extend_from_slice(vpd_text::c_str(&b[r]));
            text.push(b'\n');
        }
    }
    Ok(())
}

/// The page list of page 00h, as fetched (or the file's pages, in order).
fn all(src: &mut Source, name: &str, o: &Opts, text: &mut Vec<u8>) -> CmdResult {
    let max_pn = o
        .page
        .as_deref()
        .and_then(|p| crate::args::parse_num(p).ok())
        .filter(|&n| n > 0 && n <= 255)
        .map_or(255, |n| n as u8);
    if let Source::File(data) = src {
        let data = data.clone();
        let (mut off, mut prev) = (0usize, None::<u8>);
        while off + 4 <= data.len() {
            let pn = data[off + 1];
            let bump = (usize::from(u16::from_be_bytes([data[off + 2], data[off + 3]])) + 4)
                .min(data.len() - off);
            if prev.is_some_and(|p| pn <= p) {
                break;
            }
            prev = Some(pn);
            if pn <= max_pn {
                if o.long {
                    let _ = write!(text, "[0x{pn:x}] ");
                }
                let mut one_src = Source::File(data[off..off + bump].to_vec());
                one(&mut one_src, name, pn, 0, o, "", text)?;
            }
            off += bump;
        }
        return Ok(());
    }
    let list = src.fetch(name, 0, o.maxlen)?;
    let n = usize::from(u16::from_be_bytes([list[2], list[3]])).min(list.len() - 4);
    let mut any_err = Ok(());
    for (k, &pn) in list[4..4 + n].iter().enumerate() {
        if pn > max_pn {
            continue;
        }
        if k > 0 {
            text.push(b'\n');
        }
        if o.long {
            let _ = write!(text, "[0x{pn:x}] ");
        }
        let mut all_o = o.clone();
        all_o.force = true;
        if let Err(f) = one(src, name, pn, 0, &all_o, "", text) {
            any_err = Err(f);
        }
    }
    any_err
}

/// One page as `svpd_decode_t10()` prints it; with `--examine` its name after it came,
/// after `prefix`, and nothing when it did not.
fn one(
    src: &mut Source,
    name: &str,
    pn: u8,
    subvalue: u8,
    o: &Opts,
    prefix: &str,
    text: &mut Vec<u8>,
) -> CmdResult {
    let is_device = matches!(src, Source::Device(_));
    let examine = o.examine > 0;
    if is_device && !o.force && !examine && pn != page::SUPPORTED_PAGES {
        let list = src.fetch(name, 0, o.maxlen)?;
        let num = usize::from(list[3]).min(list.len() - 4);
        if !list[4..4 + num].contains(&pn) {
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
    let form = if o.raw > 0 {
        Form::Raw
    } else if o.hex > 0 {
        Form::Hex
    } else {
        Form::Text
    };
    let allow_name = !(o.raw > 0 || (o.quiet && !o.long && !o.all) || o.hex >= 3 || examine);
    // --examine names a page once it came.
    let found = examine && !o.quiet;
    let decoded = vpd_text::DECODED.contains(&pn);
    if o.json {
        let data = src.fetch(name, pn, o.maxlen)?;
        let Ok(view) = Vpd::new_checked(&data[..]) else {
            return Err(Fail::new(ExitCategory::MalformedResponse));
        };
        text.extend_from_slice(vpd_text::json(name, &view).as_bytes());
        return Ok(());
    }
    // Pages sg_vpd decodes and sgmap shows in hex: sg_vpd's heading first all the same.
    let other = match pn {
        0x8a => Some("Power condition VPD page:"),
        0x8b => Some("Device constituents VPD page:"),
        0x8d => Some("Power consumption VPD page:"),
        0x8f => Some("Third party copy VPD page:"),
        0x90 => Some("Protocol-specific logical unit information:"),
        0x91 => Some("Protocol-specific port information:"),
        0x92 => Some("SCSI Feature sets:"),
        _ => None,
    };
    let heading = match vpd_text::preamble(pn, Form::Text) {
        h if decoded && !h.is_empty() => Some(h.trim_end()),
        _ => other,
    };
    if let Some(h) = heading {
        if allow_name {
            let _ = writeln!(text, "{h}");
        }
    } else if !examine && !decoded {
        if o.hex == 0 && o.raw == 0 {
            text.extend_from_slice(b"Only hex output supported\n");
        }
        if o.raw == 0 && o.hex < 2 {
            text.extend_from_slice(vpd_text::unknown_line(pn, form).as_bytes());
        }
    }
    let alloc = if o.maxlen > 0 {
        o.maxlen
    } else if pn == page::ATA_INFORMATION && is_device {
        vpd_text::first_alloc(pn)
    } else {
        0
    };
    let rp = match src.fetch(name, pn, alloc) {
        Ok(rp) => rp,
        Err(f) => {
            if decoded && o.raw == 0 && !o.quiet && o.hex < 3 && !examine {
                text.extend_from_slice(vpd_text::fetch_failed(pn, form).as_bytes());
            }
            return Err(f);
        }
    };
    if let Some(h) = heading.filter(|_| found) {
        let _ = writeln!(text, "{prefix}{h}");
    }
    if pn == page::ATA_INFORMATION && (o.raw == 2 || o.hex == 3) {
        // For hdparm --Istdin: the IDENTIFY words alone.
        inq_pages::word_hex(text, rp.get(60..572).unwrap_or(&[]), -2);
        return Ok(());
    }
    if pn == 0x88 && o.quiet && o.raw == 0 && o.hex == 0 {
        let b = &rp[4..];
        let mut k = 0;
        while k + 8 <= b.len() {
            let d = &b[k..];
            let _ = writeln!(text, "  Relative port={}", u16::from_be_bytes([d[2], d[3]]));
            let mut bump = 8 + usize::from(u16::from_be_bytes([d[6], d[7]]));
            if k + bump + 4 > b.len() {
                break;
            }
            let tpd = usize::from(u16::from_be_bytes([d[bump + 2], d[bump + 3]]));
            if k + bump + 4 + tpd > b.len() {
                break;
            }
            let mut page = vec![0u8, 0x83, 0, 0];
            page.extend_from_slice(&d[bump + 4..bump + 4 + tpd]);
            vpd_text::quiet_ids(text, &page, vpd_text::di::PORT);
            bump += 4 + tpd;
            k += bump;
        }
        return Ok(());
    }
    let verbose = crate::invocation::verbose() > 0;
    if !decoded {
        match o.raw {
            0 if o.hex > 1 => inq_pages::hexout(text, &rp, -1),
            0 if o.hex == 1 && !o.long => inq_pages::hexout(text, &rp, 1),
            0 => inq_pages::hexout(text, &rp, 0),
            _ => text.extend_from_slice(&rp),
        }
        return Ok(());
    }
    // The device type line at -v or --long, where sg_vpd prints it.
    let pq_line = o.raw == 0
        && pn != 0x85
        && (verbose || (o.long && !o.quiet))
        && (o.hex == 0 || !matches!(pn, 0x00 | 0x80 | 0x83));
    if pq_line && !(0xb0..=0xb2).contains(&pn) {
        let b0 = rp.first().copied().unwrap_or(0);
        let _ = writeln!(
            text,
            "   [PQual={}  Peripheral device type: {}]",
            (b0 & 0xe0) >> 5,
            names::pdt(b0 & 0x1f)
        );
    }
    if o.raw == 0 && o.hex == 2 && pn == 0x85 {
        // sg_vpd's -HH of 85h: each address in hex under its descriptor's line.
        let mut k = 4;
        while k + 4 <= rp.len() {
            let d = &rp[k..];
            let na_len = usize::from(u16::from_be_bytes([d[2], d[3]]));
            let assoc = sgmap_core::response::Association::from((d[0] >> 5) & 3);
            let _ = writeln!(
                text,
                "  {}, Service type: {}",
                vpd_text::association_name(assoc),
                vpd_text::service_type(d[0] & 0x1f)
            );
            if k + 4 + na_len > rp.len() {
                break;
            }
            if na_len > 0 {
                text.extend_from_slice(b"    Network address:\n");
                inq_pages::hexout(text, &d[4..4 + na_len], 0);
            }
            k += 4 + na_len;
        }
        return Ok(());
    }
    if o.raw == 0 && o.hex == 2 && pn == 0x89 {
        // sg_vpd's -HH of 89h: the summary, then the IDENTIFY data in hex.
        vpd_text::body(text, &rp, subvalue, Form::Text, vpd_text::Long::default());
        if rp.len() >= 572 {
            inq_pages::hexout(text, &rp[60..572], 0);
        }
        return Ok(());
    }
    if o.raw == 0 && o.hex == 2 && pn == 0x87 {
        // sg_vpd's -HH of 87h: each policy descriptor in hex.
        for d in rp[4..].chunks_exact(4) {
            inq_pages::hexout(text, d, 1);
        }
        return Ok(());
    }
    if o.raw == 0 && o.hex == 2 && pn == 0x88 {
        // sg_vpd's -HH of 88h: each port's TransportID and target port descriptors in hex.
        let b = &rp[4..];
        let mut k = 0;
        while k + 8 <= b.len() {
            let d = &b[k..];
            let _ = writeln!(text, "  Relative port={}", u16::from_be_bytes([d[2], d[3]]));
            let tid = usize::from(u16::from_be_bytes([d[6], d[7]]));
            let mut bump = 8 + tid;
            if k + bump + 4 > b.len() {
                break;
            }
            if tid > 0 {
                text.extend_from_slice(b"    Initiator port transport id:\n");
                inq_pages::hexout(text, &d[8..bump], 1);
            }
            let tpd = usize::from(u16::from_be_bytes([d[bump + 2], d[bump + 3]]));
            if k + bump + 4 + tpd > b.len() {
                break;
            }
            if tpd > 0 {
                text.extend_from_slice(b"    Target port descriptor(s):\n");
                inq_pages::hexout(text, &d[bump + 4..bump + 4 + tpd], 1);
            }
            bump += 4 + tpd;
            k += bump;
        }
        return Ok(());
    }
    if o.raw == 0 && o.hex >= 2 {
        if (0xb0..=0xb2).contains(&pn) {
            let pdt = rp.first().copied().unwrap_or(0) & 0x1f;
            match vpd_text::block_page_name(pn, pdt) {
                Some(h) if allow_name || found => {
                    let _ = writeln!(text, "{prefix}{h}");
                }
                Some(_) => {}
                None => {
                    let _ = writeln!(text, "VPD page=0x{pn:x}, pdt=0x{pdt:x}:");
                }
            }
            if pq_line {
                let _ = writeln!(
                    text,
                    "   [PQual={}  Peripheral device type: {}]",
                    (rp[0] & 0xe0) >> 5,
                    names::pdt(pdt)
                );
            }
        }
        inq_pages::hexout(text, &rp, -1);
        return Ok(());
    }
    if o.raw == 0 && o.hex == 0 {
        if pn == page::SUPPORTED_PAGES && o.long {
            let num = usize::from(rp[3]).min(rp.len() - 4);
            let pdt = rp[0] & 0x1f;
            for &code in &rp[4..4 + num] {
                match vpd_text::detail(code, pdt) {
                    Some((n, acron)) => {
                        let _ = writeln!(text, "  0x{code:02x}  {n} [{acron}]");
                    }
                    None => {
                        let _ = writeln!(text, "  0x{code:x}");
                    }
                }
            }
            return Ok(());
        }
        if pn == page::DEVICE_IDENTIFICATION && o.quiet {
            vpd_text::quiet_ids(text, &rp, subvalue);
            return Ok(());
        }
    }
    let fields = o.long && !o.quiet;
    let long = vpd_text::Long {
        designators: o.long,
        fields,
        // sg_vpd asks the standard INQUIRY data for 86h's --long.
        protect: pn == page::EXTENDED_INQUIRY
            && fields
            && match src {
                Source::Device(dev) => {
                    let cdb = sgmap_core::cdb::Inquiry::standard(36);
                    Source::inquiry(dev, name, &cdb, 36).is_ok_and(|(resp, b)| {
                        dev::sg3_ok(&resp) && b.get(5).is_some_and(|x| x & 1 != 0)
                    })
                }
                Source::File(_) => false,
            },
    };
    let mut body = Vec::new();
    vpd_text::body(&mut body, &rp, subvalue, form, long);
    if (0xb0..=0xb2).contains(&pn) {
        // The B0h–B2h heading (the name, or `VPD page=` for another device type) is the
        // body's first line but for --raw: after it, the device type line.
        let named = vpd_text::block_page_name(pn, rp[0] & 0x1f);
        let split = if form == Form::Raw {
            if let Some(h) = named.filter(|_| found) {
                let _ = writeln!(text, "{prefix}{h}");
            }
            0
        } else {
            let at = body.iter().position(|&c| c == b'\n').map_or(0, |i| i + 1);
            if named.is_none() || allow_name || found {
                if named.is_some() {
                    text.extend_from_slice(prefix.as_bytes());
                }
                text.extend_from_slice(&body[..at]);
            }
            at
        };
        if pq_line {
            let b0 = rp[0];
            let _ = writeln!(
                text,
                "   [PQual={}  Peripheral device type: {}]",
                (b0 & 0xe0) >> 5,
                names::pdt(b0 & 0x1f)
            );
        }
        text.extend_from_slice(&body[split..]);
    } else {
        text.extend_from_slice(&body);
    }
    Ok(())
}
