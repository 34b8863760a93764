//! Names sg3_utils prints, shared by the commands that print them as sg3_utils does.
//!
//! # References
//! - sg3_utils 1.46: `lib/sg_lib_data.c` (`sg_lib_pdt_strs`, `sg_exit_str_arr`),
//!   `lib/sg_lib.c` (`sg_exit2str()`, `sg_get_category_sense_str()`), `src/sg_inq_data.c`
//!   (`sg_ansi_version_arr`).

/// `sg_lib_pdt_strs`: the peripheral device type names `sg_get_pdt_str()` gives.
const PDT: [&str; 32] = [
    "disk",
    "tape",
    "printer",
    "processor",
    "write once optical disk",
    "cd/dvd",
    "scanner",
    "optical memory device",
    "medium changer",
    "communications",
    "graphics [0xa]",
    "graphics [0xb]",
    "storage array controller",
    "enclosure services device",
    "simplified direct access device",
    "optical card reader/writer device",
    "bridge controller commands",
    "object based storage",
    "automation/driver interface",
    "security manager device",
    "host managed zoned block",
    "0x15",
    "0x16",
    "0x17",
    "0x18",
    "0x19",
    "0x1a",
    "0x1b",
    "0x1c",
    "0x1d",
    "well known logical unit",
    "unknown or no device type",
];

/// The name of peripheral device type `pdt` (its low five bits), as sg3_utils prints it.
pub fn pdt(pdt: u8) -> &'static str {
    PDT[usize::from(pdt & 0x1f)]
}

/// `sg_ansi_version_arr`: what sg_inq prints for the VERSION field's low four bits.
const ANSI_VERSION: [&str; 16] = [
    "no conformance claimed",
    "SCSI-1",
    "SCSI-2",
    "SPC",
    "SPC-2",
    "SPC-3",
    "SPC-4",
    "SPC-5",
    "ecma=1, [8h]",
    "ecma=1, [9h]",
    "ecma=1, [Ah]",
    "ecma=1, [Bh]",
    "reserved [Ch]",
    "reserved [Dh]",
    "reserved [Eh]",
    "reserved [Fh]",
];

/// The standard a VERSION value claims, as sg_inq names it.
pub fn ansi_version(version: u8) -> &'static str {
    ANSI_VERSION[usize::from(version & 0xf)]
}

/// `sg_exit2str()`: the words for an sg3_utils exit status; `longer` adds the second part
/// some have.
pub fn exit_text(es: u8, longer: bool) -> Option<String> {
    if es == 0 && !longer {
        return Some(String::new());
    }
    if es == 36 && !longer {
        return Some(String::new());
    }
    if (51..97).contains(&es) {
        let e = std::io::Error::from_raw_os_error(i32::from(es - 50));
        let pre = if longer { "OS error: " } else { "" };
        return Some(format!("{pre}{}", crate::out::IoWhy(&e)));
    }
    if (129..255).contains(&es) {
        return Some(format!(
            "Utility stopped/aborted by signal number: {}",
            es - 128
        ));
    }
    // `help/exit_status.txt`: `sg_exit_str_arr`, a line per status: `N|name[|name2]`.
    let key = format!("{es}|");
    let table = crate::help::EXIT_STATUS.to_string();
    let names = table.lines().find_map(|l| l.strip_prefix(key.as_str()))?;
    Some(match names.split_once('|') {
        Some((name, more)) if longer => format!("{name}, {more}"),
        Some((name, _)) => name.to_owned(),
        None => names.to_owned(),
    })
}

/// What `sg_get_category_sense_str()` prints for exit status `code` without `-v`:
/// [`exit_text`]'s words, or `Sense category: N, try '-v' option for more information`
/// for a status without any.
pub fn exit_status(code: u8) -> String {
    exit_text(code, false)
        .unwrap_or_else(|| format!("Sense category: {code}, try '-v' option for more information"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_sg3_utils_prints_them() {
        assert_eq!(pdt(0), "disk");
        assert_eq!(pdt(5), "cd/dvd");
        assert_eq!(pdt(0x1f), "unknown or no device type");
        assert_eq!(pdt(0xff), "unknown or no device type");
        assert_eq!(ansi_version(6), "SPC-4");
        assert_eq!(ansi_version(0x17), "SPC-5");
        assert_eq!(exit_status(5), "Illegal request");
        assert_eq!(exit_status(63), "Permission denied");
        assert_eq!(
            exit_status(130),
            "Utility stopped/aborted by signal number: 2"
        );
        assert_eq!(
            exit_status(45),
            "Sense category: 45, try '-v' option for more information"
        );
    }

    #[test]
    fn exit_text_is_sg_exit2str() {
        let text = |es, longer| exit_text(es, longer);
        // 0 and 36 (SG_LIB_OK_FALSE) are empty unless longer.
        assert_eq!(text(0, false).as_deref(), Some(""));
        assert_eq!(
            text(0, true).as_deref(),
            Some("No errors, may also convey true")
        );
        assert_eq!(text(36, false).as_deref(), Some(""));
        assert_eq!(text(36, true).as_deref(), Some("No errors (false)"));
        // A second name only when longer; none for some.
        assert_eq!(
            text(21, false).as_deref(),
            Some("Recovered error (warning)")
        );
        assert_eq!(
            text(21, true).as_deref(),
            Some("Recovered error (warning), tye: sense key")
        );
        assert_eq!(
            text(17, true).as_deref(),
            Some("Illegal request with Info field")
        );
        assert_eq!(
            text(255, true).as_deref(),
            Some("Utility returned 255 or higher, Windows error number?")
        );
        assert_eq!(
            text(52, true).as_deref(),
            Some("OS error: No such file or directory")
        );
        assert_eq!(text(4, true), None);
        assert_eq!(text(12, false), None);
        // The table's first field is matched whole: 1 is not 10, 11 or 14.
        assert_eq!(text(1, false).as_deref(), Some("Syntax error"));
        assert_eq!(text(10, false).as_deref(), Some("Copy aborted"));
        assert_eq!(
            exit_status(17),
            "Illegal request with Info field",
            "every status of the table, as sg_get_category_sense_str() words it"
        );
    }
}
