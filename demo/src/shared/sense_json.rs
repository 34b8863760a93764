//! The JSON members of sense data: what `sgmap sense --json` prints and what the `sense`
//! object of every failed command's status carries (schema in JSON.md).
//!
//! A member with a field in sg3_utils 1.48's sense JSON (`sgj_js_sense()`,
//! lib/sg_json_sg_lib.c, which `sg_decode_sense --json` prints) has its name:
//! `response_code`, `descriptor_format`, `sdat_ovfl`, `sense_key`, `additional_sense_code`,
//! `additional_sense_code_qualifier`, `additional_sense_str`, `valid` (the VALID bit),
//! `information`, `command_specific_information`, `filemark`, `eom`, `ili`, and
//! `sense_decode_error` for bytes that are not sense data. One-bit fields are booleans where
//! sg3_utils gives 0 or 1, and a field the bytes do not hold is null where sg3_utils leaves
//! the member out or says 0.

use sgmap_core::sense::{Format, Sense};

use crate::json::Json;

/// Appends the members of `bytes`: `bytes` itself, then the decode, or
/// `sense_decode_error` when they are not sense data. Returns whether they were.
pub fn members(j: &mut Json, bytes: &[u8]) -> bool {
    j.hex("bytes", bytes);
    match Sense::new_checked(bytes) {
        Ok(s) => {
            decoded(j, &s);
            true
        }
        Err(e) => {
            j.str("sense_decode_error", &e.to_string());
            false
        }
    }
}

/// Appends `"key": {...}` with the members of `bytes`, or `"key": null` when there are none.
pub fn object(j: &mut Json, key: &str, bytes: &[u8]) {
    if bytes.is_empty() {
        j.null(key);
        return;
    }
    j.begin_object(key);
    members(j, bytes);
    j.end();
}

/// The members of parsed sense data.
fn decoded(j: &mut Json, s: &Sense<&[u8]>) {
    let descriptor = s.format() == Format::Descriptor;
    let key = s.sense_key();
    let info = s.information();
    // VALID: byte 0 bit 7 in fixed format; in descriptor format, the Information
    // descriptor's (sg3_utils gives it inside that descriptor).
    let valid = if descriptor {
        info.is_some_and(|i| i.valid)
    } else {
        s.into_inner().first().is_some_and(|b| b & 0x80 != 0)
    };
    let (filemark, eom, ili) = s.stream_bits();
    j.u64("response_code", u64::from(s.response_code()))
        .bool("descriptor_format", descriptor)
        .bool("deferred", s.is_deferred())
        .bool("sdat_ovfl", s.sense_data_overflow())
        .u64("sense_key", u64::from(u8::from(key)))
        .str("sense_key_name", &key.to_string());
    match s.additional_sense() {
        Some(a) => {
            j.u64("additional_sense_code", u64::from(a.asc))
                .u64("additional_sense_code_qualifier", u64::from(a.ascq))
                .str("additional_sense_str", &a.to_string());
        }
        None => {
            j.null("additional_sense_code")
                .null("additional_sense_code_qualifier")
                .null("additional_sense_str");
        }
    }
    j.bool("valid", valid)
        .opt_u64("information", info.map(|i| i.value))
        .opt_u64("command_specific_information", s.command_specific())
        .bool("filemark", filemark)
        .bool("eom", eom)
        .bool("ili", ili)
        .u64("category", u64::from(s.category().code()))
        .str(
            "text",
            crate::shared::sense_text::sense_str(s.into_inner(), false).trim_end(),
        );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(bytes: &[u8]) -> String {
        let mut j = Json::object();
        members(&mut j, bytes);
        j.finish()
    }

    #[test]
    fn fixed_format_with_sg3_utils_names() {
        // Medium Error 11h/00h at LBA 0x1234, VALID set, ILI set, CSI 0x01020304.
        let fixed = [
            0xf0, 0, 0x23, 0, 0, 0x12, 0x34, 0x0a, 1, 2, 3, 4, 0x11, 0, 0, 0, 0, 0,
        ];
        assert_eq!(
            json(&fixed),
            concat!(
                r#"{"bytes":"f0 00 23 00 00 12 34 0a 01 02 03 04 11 00 00 00 00 00","#,
                r#""response_code":112,"descriptor_format":false,"deferred":false,"#,
                r#""sdat_ovfl":false,"sense_key":3,"sense_key_name":"Medium Error","#,
                r#""additional_sense_code":17,"additional_sense_code_qualifier":0,"#,
                r#""additional_sense_str":"Unrecovered read error","valid":true,"#,
                r#""information":4660,"command_specific_information":16909060,"#,
                r#""filemark":false,"eom":false,"ili":true,"category":3,"#,
                r#""text":"Fixed format, current; Sense key: Medium Error\n"#,
                r#"Additional sense: Unrecovered read error\n  Info fld=0x1234 [4660]  ILI""#,
                "}\n"
            )
        );
        // VALID clear: the INFORMATION field is still there, with valid false.
        let mut clear = fixed;
        clear[0] = 0x70;
        let j = json(&clear);
        assert!(j.contains(r#""valid":false,"information":4660,"#), "{j}");
    }

    #[test]
    fn descriptor_format_and_short_sense() {
        // 72h, Not Ready 04h/02h, an Information descriptor with VALID and 0x10, SDAT_OVFL.
        let desc = [
            0x72, 2, 4, 2, 0x80, 0, 0, 12, 0, 10, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let j = json(&desc);
        for part in [
            r#""response_code":114,"descriptor_format":true,"deferred":false,"sdat_ovfl":true,"#,
            r#""sense_key":2,"sense_key_name":"Not Ready","additional_sense_code":4,"#,
            r#""additional_sense_code_qualifier":2,"#,
            r#""valid":true,"information":16,"command_specific_information":null,"#,
        ] {
            assert!(j.contains(part), "{part} not in {j}");
        }
        // Descriptor format without an Information descriptor: no VALID, no INFORMATION.
        let j = json(&[0x73, 6, 0x29, 0, 0, 0, 0, 0]);
        assert!(j.contains(r#""deferred":true,"#), "{j}");
        assert!(j.contains(r#""valid":false,"information":null,"#), "{j}");
        // Fixed format cut after the sense key: no ASC, ASCQ or INFORMATION.
        let j = json(&[0x70, 0, 5]);
        assert!(
            j.contains(concat!(
                r#""additional_sense_code":null,"additional_sense_code_qualifier":null,"#,
                r#""additional_sense_str":null,"valid":false,"information":null,"#
            )),
            "{j}"
        );
    }

    #[test]
    fn not_sense_data_and_none() {
        assert_eq!(
            json(&[0x12, 0x34]),
            "{\"bytes\":\"12 34\",\"sense_decode_error\":\"not sense data: response code \
             0x12 (want 0x70-0x73)\"}\n"
        );
        let mut j = Json::object();
        object(&mut j, "sense", &[]);
        object(&mut j, "other", &[0x70]);
        assert_eq!(
            j.finish(),
            "{\"sense\":null,\"other\":{\"bytes\":\"70\",\"sense_decode_error\":\"sense data \
             too short: 1 bytes, no sense key\"}}\n"
        );
    }
}
