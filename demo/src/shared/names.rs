//! Names sg3_utils prints, shared by the commands that print them as sg3_utils does.
//!
//! # References
//! - sg3_utils 1.46: `lib/sg_lib_data.c` (`sg_lib_pdt_strs`), `src/sg_inq_data.c`
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

/// `sg_exit_str_arr` (lib/sg_lib_data.c): the short name of each exit status, as
/// `sg_get_category_sense_str()` gives it without `-v`.
const EXIT: &[(u8, &str)] = &[
    (0, "No errors"),
    (1, "Syntax error"),
    (2, "Device not ready"),
    (3, "Medium or hardware error"),
    (5, "Illegal request"),
    (6, "Unit attention"),
    (7, "Data protect"),
    (9, "Illegal request, Invalid opcode"),
    (10, "Copy aborted"),
    (11, "Aborted command"),
    (14, "Miscompare"),
    (15, "File error"),
    (20, "No sense key"),
    (21, "Recovered error (warning)"),
    (22, "LBA out of range"),
    (24, "Reservation conflict"),
    (25, "Condition met"),
    (26, "Busy"),
    (27, "Task set full"),
    (28, "ACA aactive"),
    (29, "Task aborted"),
    (31, "Contradict"),
    (33, "SCSI command timeout"),
    (40, "Aborted command, protection error"),
    (97, "Malformed SCSI command"),
    (98, "Some other sense error"),
    (99, "Some other error"),
];

/// What `sg_get_category_sense_str()` prints for exit status `code` without `-v`
/// (`sg_exit2str()`): the table's name, the system's text of an OS error (51..=96), or the
/// signal of 129..=254; otherwise `Sense category: N, try '-v' option for more information`.
pub fn exit_status(code: u8) -> String {
    if let Some((_, name)) = EXIT.iter().find(|(c, _)| *c == code) {
        return (*name).to_owned();
    }
    if (51..97).contains(&code) {
        if let Some(text) = sgmap_sys::errno_text(i32::from(code) - 50) {
            return text.to_owned();
        }
    }
    if (129..255).contains(&code) {
        return format!("Utility stopped/aborted by signal number: {}", code - 128);
    }
    format!("Sense category: {code}, try '-v' option for more information")
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
}
