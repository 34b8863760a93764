//! `--inhex=FILE`: response bytes saved earlier, decoded without a device (sg3_utils 1.46
//! lib/sg_lib.c `sg_f2hex_arr()`): with `--raw` the file is binary, else hex text: pairs
//! separated by spaces, tabs or commas, a `#` to the end of a line is a comment, blank
//! lines are skipped. `-` is standard input. Shared by `inquiry` and `vpd`.

use std::io::Read as _;

use sgmap_core::status::ExitCategory;

use crate::out::{self, Fail};

/// The most sg_vpd and sg_inq read (`MX_ALLOC_LEN + 2`).
const MAX: usize = 0xc000 + 0x80 + 2;

/// The bytes of `path` for `command`: binary when `raw`, else hex text.
pub fn read(command: &str, path: &str, raw: bool) -> Result<Vec<u8>, Fail> {
    let name = if path == "-" { "stdin" } else { path };
    let file = if path == "-" {
        out::stdin_file()
    } else {
        std::fs::File::open(path)
    };
    let mut bytes = Vec::new();
    // sg3_utils reports an open or read error as 50 + errno (ENOENT: 52).
    let io = |e: std::io::Error| {
        let cat = e
            .raw_os_error()
            .and_then(|n| u16::try_from(n).ok())
            .map_or(ExitCategory::Other, ExitCategory::OsError);
        out::fail(cat, name, "--inhex", format_args!("{}", out::IoWhy(&e)))
    };
    file.and_then(|f| f.take(MAX as u64 * 8).read_to_end(&mut bytes))
        .map_err(io)?;
    if raw {
        bytes.truncate(MAX);
        if bytes.is_empty() {
            return Err(out::syntax(
                command,
                format_args!("--inhex={path}: read 0 bytes from the binary file"),
            ));
        }
        return Ok(bytes);
    }
    parse_hex(&bytes).map_err(|(line, why)| {
        out::syntax(
            command,
            format_args!("--inhex={path}: line {line}: {why} (hex bytes, or --raw for binary)"),
        )
    })
}

/// Hex text as `sg_f2hex_arr()` reads it: the bytes, or the line (from 1) and what is
/// wrong there.
pub fn parse_hex(text: &[u8]) -> Result<Vec<u8>, (usize, &'static str)> {
    let mut out = Vec::new();
    for (n, line) in text.split(|&c| c == b'\n').enumerate() {
        let line = match line.iter().position(|&c| c == b'#' || c == b'\r') {
            Some(end) => &line[..end],
            None => line,
        };
        for token in line
            .split(|&c| c == b' ' || c == b'\t' || c == b',')
            .filter(|t| !t.is_empty())
        {
            if !token.iter().all(u8::is_ascii_hexdigit) {
                return Err((n + 1, "not a hex byte"));
            }
            let digits = &token[token.iter().take_while(|&&c| c == b'0').count()..];
            let value = digits.iter().try_fold(0u16, |acc, &c| {
                let d = (c as char).to_digit(16).unwrap_or(0) as u16;
                let v = acc * 16 + d;
                (v <= 0xff).then_some(v)
            });
            match value {
                Some(v) if out.len() < MAX => out.push(v as u8),
                Some(_) => return Err((n + 1, "more bytes than a response holds")),
                None => return Err((n + 1, "hex number larger than 0xff")),
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_text_is_read_as_sg_f2hex_arr_reads_it() {
        assert_eq!(
            parse_hex(b"# sysfs vpd_pg80\n00 80 00 04\n 32,30\t30 30 # sn\r\n\n"),
            Ok(vec![0, 0x80, 0, 4, 0x32, 0x30, 0x30, 0x30])
        );
        assert_eq!(parse_hex(b"0 a 00ff"), Ok(vec![0, 0xa, 0xff]));
        assert_eq!(
            parse_hex(b"00 100"),
            Err((1, "hex number larger than 0xff"))
        );
        assert_eq!(parse_hex(b"00\n0x12"), Err((2, "not a hex byte")));
        assert_eq!(parse_hex(b""), Ok(vec![]));
    }
}
