//! `sgmap vpd`: VPD pages as `sg_vpd` (sg3_utils 1.46) prints them, from the device or
//! from saved bytes (`--inhex`).

use std::ffi::OsString;

use sgmap_core::response::{page, Vpd};
use sgmap_core::status::ExitCategory;

use super::vpd_text::{self, Form};
use super::{dev, inhex, Cli};
use crate::out::{self, CmdResult, Fail};

/// Runs `sgmap vpd`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let mut cli = Cli::new("vpd", args);
    let (mut pg, mut hex, mut raw, mut json, mut force) = (None, 0u32, false, false, false);
    let (mut inhex_path, mut device) = (None, None);
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("page") | lexopt::Arg::Short('p') => {
                if pg.is_some() {
                    return Err(cli.syntax(format_args!("only one '--page=' option permitted")));
                }
                let v = cli.value("--page")?;
                pg = Some(vpd_text::parse_page(&v).map_err(|e| cli.syntax(format_args!("{e}")))?);
            }
            lexopt::Arg::Long("hex") | lexopt::Arg::Short('H') => hex += 1,
            lexopt::Arg::Long("raw") | lexopt::Arg::Short('r') => raw = true,
            lexopt::Arg::Long("force") | lexopt::Arg::Short('f') => force = true,
            lexopt::Arg::Long("inhex") | lexopt::Arg::Short('I') => {
                if inhex_path.is_some() {
                    return Err(cli.syntax(format_args!("only one '--inhex=' option permitted")));
                }
                inhex_path = Some(cli.value("--inhex")?);
            }
            lexopt::Arg::Long("json") | lexopt::Arg::Short('j') => json = cli.json(),
            lexopt::Arg::Long("help") | lexopt::Arg::Short('h') => return cli.help(),
            lexopt::Arg::Value(v) if device.is_none() => {
                device = Some(super::utf8("vpd", "DEVICE", v)?)
            }
            other => return Err(super::unexpected("vpd", other)),
        }
    }
    if hex > 1 {
        return Err(cli.syntax(format_args!(
            "--hex once: sgmap has sg_vpd's -H layout, not -HH or -HHH"
        )));
    }
    let hex = hex == 1;
    // sg_vpd's refusals, all syntax errors (exit 1) there.
    if inhex_path.is_some() && device.is_some() {
        return Err(cli.syntax(format_args!("a DEVICE and --inhex=FILE: choose one")));
    }
    if raw && hex && inhex_path.is_none() {
        return Err(cli.syntax(format_args!("--hex and --raw at the same time")));
    }
    if json && (hex || (raw && inhex_path.is_none())) {
        return Err(out::contradict(
            "vpd",
            format_args!("--json and --hex or --raw both choose the output format"),
        ));
    }
    let form = match (hex, raw && inhex_path.is_none()) {
        (true, _) => Form::Hex,
        (false, true) => Form::Raw,
        _ => Form::Text,
    };
    let (pn, subvalue) = pg.unwrap_or((0, 0));
    if let Some(path) = inhex_path {
        let data = inhex::read("vpd", &path, raw)?;
        return saved(&path, &data, subvalue, form, json);
    }
    let Some(device) = device else {
        return Err(cli.syntax(format_args!("DEVICE or --inhex=FILE is required")));
    };
    let mut dev = dev::open(&device)?;
    if pn != page::SUPPORTED_PAGES && !force {
        let list = dev::fetch_vpd(&mut dev, &device, page::SUPPORTED_PAGES, 252)?;
        // sg_vpd reads the list's length from byte 3 alone.
        let num = usize::from(list[3]).min(list.len() - 4);
        if !list[4..4 + num].contains(&pn) {
            return Err(out::fail(
                ExitCategory::OsError(33),
                &device,
                &format!("VPD page 0x{pn:02x}"),
                format_args!(
                    "not in the device's Supported VPD pages (00h) list (--force asks anyway)"
                ),
            ));
        }
    }
    let mut text = Vec::new();
    if !json {
        text.extend_from_slice(vpd_text::preamble(pn, form).as_bytes());
        if !vpd_text::DECODED.contains(&pn) {
            text.extend_from_slice(vpd_text::unknown_line(pn, form).as_bytes());
        }
    }
    let data = match dev::fetch_vpd(&mut dev, &device, pn, vpd_text::first_alloc(pn)) {
        Ok(d) => d,
        Err(fail) => {
            if !json {
                text.extend_from_slice(vpd_text::fetch_failed(pn, form).as_bytes());
                out::out_bytes(&text)?;
            }
            return Err(fail);
        }
    };
    if json {
        let Ok(view) = Vpd::new_checked(&data[..]) else {
            return Err(Fail::new(ExitCategory::MalformedResponse));
        };
        return out::out_str(&vpd_text::json(&device, &view));
    }
    vpd_text::body(&mut text, &data, subvalue, form);
    out::out_bytes(&text)
}

/// `--inhex`: as sg_vpd, the page is the one the bytes say (byte 1), bounded by its PAGE
/// LENGTH and by the file.
fn saved(path: &str, data: &[u8], subvalue: u8, form: Form, json: bool) -> CmdResult {
    if data.len() < 4 {
        return Err(out::fail(
            ExitCategory::MalformedResponse,
            path,
            "--inhex",
            format_args!("{} bytes are too few for a VPD page", data.len()),
        ));
    }
    let len = (usize::from(u16::from_be_bytes([data[2], data[3]])) + 4).min(data.len());
    let rp = &data[..len];
    let pn = rp[1];
    if json {
        let Ok(view) = Vpd::new_checked(rp) else {
            return Err(Fail::new(ExitCategory::MalformedResponse));
        };
        return out::out_str(&vpd_text::json(path, &view));
    }
    let mut text = Vec::new();
    text.extend_from_slice(vpd_text::preamble(pn, form).as_bytes());
    if !vpd_text::DECODED.contains(&pn) {
        text.extend_from_slice(vpd_text::unknown_line(pn, form).as_bytes());
    }
    vpd_text::body(&mut text, rp, subvalue, form);
    out::out_bytes(&text)
}
