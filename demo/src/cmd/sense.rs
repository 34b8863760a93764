//! `sgmap sense`: decode sense bytes given as hex arguments or on stdin, as
//! `sg_decode_sense` does.

use std::ffi::OsString;

use sgmap_core::sense::{self, Sense};
use sgmap_core::status::ExitCategory;

use super::{sense_json, Cli};
use crate::args::parse_hex_bytes;
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};

/// Runs `sgmap sense`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let mut cli = Cli::new("sense", args);
    let mut json = false;
    let mut words: Vec<String> = Vec::new();
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("json") | lexopt::Arg::Short('j') => json = cli.json(),
            lexopt::Arg::Long("help") | lexopt::Arg::Short('h') => return cli.help(),
            lexopt::Arg::Value(v) => words.push(super::utf8("sense", "HEX-BYTE", v)?),
            other => return Err(super::unexpected("sense", other)),
        }
    }
    if words.is_empty() {
        let bytes = out::read_input(None, 1 << 20)?;
        words.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    let mut bytes = Vec::new();
    parse_hex_bytes(words.iter().map(String::as_str), &mut bytes)
        .map_err(|e| cli.syntax(format_args!("{e}")))?;
    if bytes.is_empty() {
        return Err(cli.syntax(format_args!("no sense bytes given")));
    }
    let (text, code) = decode(&bytes, json);
    out::out_str(&text)?;
    match code {
        0 => Ok(()),
        code => Err(Fail::code(code)),
    }
}

/// The decode of `bytes` (text or JSON) and the exit status: 0, or 97 when the bytes are not
/// sense data.
pub fn decode(bytes: &[u8], json: bool) -> (String, u8) {
    let code = match Sense::new_checked(bytes) {
        Ok(_) => 0,
        Err(_) => ExitCategory::MalformedResponse.code(),
    };
    if !json {
        let mut text = sense::render(bytes).to_string();
        text.push('\n');
        return (text, code);
    }
    let mut j = Json::object();
    sense_json::members(&mut j, bytes);
    j.u64("exit_status", u64::from(code));
    (j.finish(), code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_decodes() {
        let fixed = [
            0xf0, 0, 3, 0, 0, 0x12, 0x34, 0x0a, 0, 0, 0, 0, 0x11, 0, 0, 0, 0, 0,
        ];
        let (text, code) = decode(&fixed, false);
        assert_eq!(code, 0);
        assert!(text.starts_with("Fixed format, current; Sense key: Medium Error\n"));
        assert!(text.contains("Unrecovered read error"));
        assert!(text.contains("0x1234"));
        let (text, _) = decode(&[0x72, 3, 0x11, 0, 0, 0, 0, 0], false);
        assert!(text.starts_with("Descriptor format, current; Sense key: Medium Error"));
    }

    #[test]
    fn json_decode_and_garbage() {
        let (j, code) = decode(&[0x70, 0, 6, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x3f, 0x16], true);
        assert_eq!(code, 0);
        assert!(j.starts_with(r#"{"bytes":"70 00 06"#), "{j}");
        assert!(j.contains(r#""sense_key":6,"sense_key_name":"Unit Attention""#));
        assert!(j.contains(r#""additional_sense_code":63,"additional_sense_code_qualifier":22"#));
        assert!(j.contains(r#""valid":false,"#), "{j}");
        assert!(j.ends_with(",\"exit_status\":0}\n"), "{j}");
        let (j, code) = decode(&[0x12, 0x34], true);
        assert_eq!(code, 97);
        assert!(
            j.ends_with(
                r#""sense_decode_error":"not sense data: response code 0x12 (want 0x70-0x73)","exit_status":97}
"#
            ),
            "{j}"
        );
        let (text, code) = decode(&[0x12], false);
        assert_eq!(code, 97);
        assert!(text.ends_with("12\n"), "{text}");
    }
}
