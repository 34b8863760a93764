//! `sgmap list`: the sg devices as sysfs describes them, without opening any.
//!
//! `/sys/class/scsi_generic/sgN/device` links to the SCSI device
//! (`/sys/devices/.../H:C:T:L`), whose `type`, `vendor`, `model` and `rev` attributes and
//! `block/` directory give the rest (Documentation/ABI, drivers/scsi/scsi_sysfs.c).

use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::io;

use sgmap_core::status::ExitCategory;

use crate::cli::Cli;
use crate::json::Json;
use crate::out::{self, CmdResult};

const CLASS: &str = "/sys/class/scsi_generic";

/// One sg device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// `sg0`.
    pub name: String,
    /// H:C:T:L as numbers, for the order.
    pub hctl: Option<[u64; 4]>,
    /// The peripheral device type.
    pub scsi_type: Option<u8>,
    /// Vendor identification, trimmed.
    pub vendor: String,
    /// Product identification, trimmed.
    pub product: String,
    /// Product revision level, trimmed.
    pub revision: String,
    /// `sda`, when a block driver is attached.
    pub block: Option<String>,
}

/// Runs `sgmap list`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let mut cli = Cli::new("list", args);
    let mut json = false;
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("json") | lexopt::Arg::Short('j') => json = cli.json(),
            lexopt::Arg::Long("help") | lexopt::Arg::Short('h') => return cli.help(),
            other => return Err(crate::cli::unexpected("list", other)),
        }
    }
    let entries = scan(CLASS).map_err(|e| {
        out::fail(
            ExitCategory::FileError,
            CLASS,
            "read",
            format_args!("{}", out::IoWhy(&e)),
        )
    })?;
    let text = if json {
        to_json(&entries)
    } else {
        to_text(&entries)
    };
    out::out_str(&text)
}

/// Reads every `sgN` under `class`; a missing directory (no sg driver) is an empty list.
pub fn scan(class: &str) -> io::Result<Vec<Entry>> {
    let dir = match fs::read_dir(class) {
        Ok(dir) => dir,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut entries = Vec::new();
    for item in dir {
        let item = item?;
        let Ok(name) = item.file_name().into_string() else {
            continue;
        };
        let dev = format!("{class}/{name}/device");
        let read = |attr: &str| {
            fs::read_to_string(format!("{dev}/{attr}"))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let hctl = fs::read_link(&dev)
            .ok()
            .and_then(|target| target.file_name()?.to_str().and_then(parse_hctl));
        let block = fs::read_dir(format!("{dev}/block"))
            .ok()
            .and_then(|mut d| d.find_map(|e| e.ok()?.file_name().into_string().ok()));
        entries.push(Entry {
            hctl,
            scsi_type: read("type").parse().ok(),
            vendor: read("vendor"),
            product: read("model"),
            revision: read("rev"),
            block,
            name,
        });
    }
    // Insertion sort: a handful of devices, and no sort machinery in the binary.
    let key = |e: &Entry| (e.hctl.unwrap_or([u64::MAX; 4]), sg_number(&e.name));
    for i in 1..entries.len() {
        let mut j = i;
        while j > 0 && key(&entries[j - 1]) > key(&entries[j]) {
            entries.swap(j - 1, j);
            j -= 1;
        }
    }
    Ok(entries)
}

fn sg_number(name: &str) -> u64 {
    name.trim_start_matches("sg").parse().unwrap_or(u64::MAX)
}

/// Parses `H:C:T:L`.
pub fn parse_hctl(s: &str) -> Option<[u64; 4]> {
    let mut out = [0u64; 4];
    let mut parts = s.split(':');
    for slot in &mut out {
        *slot = parts.next()?.parse().ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// The short name of a peripheral device type (SPC-5 table 50, as lsscsi shortens them).
pub fn type_name(t: u8) -> &'static str {
    match t {
        0x00 => "disk",
        0x01 => "tape",
        0x02 => "printer",
        0x03 => "process",
        0x04 => "worm",
        0x05 => "cd/dvd",
        0x06 => "scanner",
        0x07 => "optical",
        0x08 => "mediumx",
        0x09 => "comms",
        0x0c => "storage",
        0x0d => "enclosu",
        0x0e => "sim dsk",
        0x0f => "opti rd",
        0x10 => "bridge",
        0x11 => "osd",
        0x12 => "adi",
        0x13 => "sec man",
        0x14 => "zbc",
        0x1e => "wlun",
        0x1f => "no dev",
        _ => "unknown",
    }
}

fn hctl_str(h: Option<[u64; 4]>) -> String {
    match h {
        Some([a, b, c, d]) => format!("{a}:{b}:{c}:{d}"),
        None => "?:?:?:?".to_owned(),
    }
}

/// The text listing, one device a line.
pub fn to_text(entries: &[Entry]) -> String {
    let mut s = String::new();
    for e in entries {
        let block = e
            .block
            .as_deref()
            .map(|b| format!("/dev/{b}"))
            .unwrap_or_else(|| "-".to_owned());
        let t = e.scsi_type.map(type_name).unwrap_or("unknown");
        let _ = writeln!(
            s,
            "{:<10} {:<10} {:<8} {:<8} {:<16} {:<4}  {}",
            format!("/dev/{}", e.name),
            hctl_str(e.hctl),
            t,
            e.vendor,
            e.product,
            e.revision,
            block
        );
    }
    s
}

/// The JSON listing (schema in JSON.md): the members `lsscsi --json` has take its names
/// (lsscsi 0.33's src/lsscsi.c), the rest are sgmap's.
pub fn to_json(entries: &[Entry]) -> String {
    let mut j = Json::object();
    j.u64("number_of_attached_scsi_devices", entries.len() as u64);
    j.begin_array("attached_scsi_device_list");
    for e in entries {
        j.item_object()
            .str("sg_node", &format!("/dev/{}", e.name))
            .opt_str("hctl", e.hctl.map(|h| hctl_str(Some(h))).as_deref())
            .opt_u64("peripheral_device_type", e.scsi_type.map(u64::from))
            .opt_str("peripheral_device_type_name", e.scsi_type.map(type_name))
            .str("t10_vendor_identification", &e.vendor)
            .str("product_identification", &e.product)
            .str("revision", &e.revision)
            .opt_str(
                "primary_device_node",
                e.block.as_ref().map(|b| format!("/dev/{b}")).as_deref(),
            )
            .end();
    }
    j.end_array();
    j.u64("exit_status", 0);
    j.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hctl_parses_four_numbers_only() {
        assert_eq!(parse_hctl("0:0:0:0"), Some([0, 0, 0, 0]));
        assert_eq!(parse_hctl("2:0:1:15"), Some([2, 0, 1, 15]));
        assert_eq!(parse_hctl("2:0:1"), None);
        assert_eq!(parse_hctl("2:0:1:1:1"), None);
        assert_eq!(parse_hctl("host0"), None);
    }

    #[test]
    fn scans_a_fake_sysfs_tree() {
        let root = std::env::temp_dir().join(format!("sgmap-list-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let class = root.join("class");
        for (sg, hctl, block) in [("sg1", "3:0:0:0", None), ("sg0", "2:0:0:0", Some("sda"))] {
            let dev = root.join("devices").join(hctl);
            fs::create_dir_all(&dev).unwrap();
            fs::write(dev.join("type"), "0\n").unwrap();
            fs::write(dev.join("vendor"), "Linux   \n").unwrap();
            fs::write(dev.join("model"), "scsi_debug      \n").unwrap();
            fs::write(dev.join("rev"), "0191\n").unwrap();
            if let Some(b) = block {
                fs::create_dir_all(dev.join("block").join(b)).unwrap();
            }
            fs::create_dir_all(class.join(sg)).unwrap();
            std::os::unix::fs::symlink(&dev, class.join(sg).join("device")).unwrap();
        }
        let entries = scan(class.to_str().unwrap()).unwrap();
        let _ = fs::remove_dir_all(&root);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].name, "sg0");
        assert_eq!(entries[0].hctl, Some([2, 0, 0, 0]));
        assert_eq!(entries[0].block.as_deref(), Some("sda"));
        assert_eq!(entries[0].vendor, "Linux");
        assert_eq!(entries[1].block, None);
        let text = to_text(&entries);
        assert!(
            text.starts_with(
                "/dev/sg0   2:0:0:0    disk     Linux    scsi_debug       0191  /dev/sda\n"
            ),
            "{text}"
        );
        let j = to_json(&entries);
        assert_eq!(
            j,
            concat!(
                r#"{"number_of_attached_scsi_devices":2,"attached_scsi_device_list":["#,
                r#"{"sg_node":"/dev/sg0","hctl":"2:0:0:0","peripheral_device_type":0,"#,
                r#""peripheral_device_type_name":"disk","t10_vendor_identification":"Linux","#,
                r#""product_identification":"scsi_debug","revision":"0191","#,
                r#""primary_device_node":"/dev/sda"},"#,
                r#"{"sg_node":"/dev/sg1","hctl":"3:0:0:0","peripheral_device_type":0,"#,
                r#""peripheral_device_type_name":"disk","t10_vendor_identification":"Linux","#,
                r#""product_identification":"scsi_debug","revision":"0191","#,
                r#""primary_device_node":null}],"exit_status":0}"#,
                "\n"
            )
        );
        assert_eq!(
            scan(root.join("nothing").to_str().unwrap()).unwrap(),
            Vec::new()
        );
    }
}
