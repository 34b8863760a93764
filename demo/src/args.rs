//! Command-line values: numbers with sg3_utils' suffixes, hex bytes, the `JO` letters of
//! `--json=JO`, and the errors of operand parsing.
//!
//! Numbers follow sg3_utils `sg_get_llnum()` (sg_lib.c): decimal with an optional
//! multiplier suffix, `0x…` or a trailing `h` for hexadecimal (no suffix then), and `AxB`
//! for a product, where `B` is itself a number. Unlike sg3_utils, an overflow is an error,
//! never a wrap, and a sign is refused.
//!
//! | suffix | × | suffix | × |
//! |---|---|---|---|
//! | `c` | 1 | `w` | 2 |
//! | `b` | 512 | `k` `K` `KiB` | 2^10 |
//! | `KB` `kB` | 10^3 | `m` `M` `MiB` | 2^20 |
//! | `MB` | 10^6 | `g` `G` `GiB` | 2^30 |
//! | `GB` | 10^9 | `t` `T` `TiB` | 2^40 |
//! | `TB` | 10^12 | `p` `P` `PiB` | 2^50 |
//! | `PB` | 10^15 | | |

use core::fmt;

/// Why a number did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumError {
    /// Empty, no digits, or a character that belongs nowhere.
    Invalid,
    /// A suffix sg3_utils does not know.
    Suffix,
    /// The value does not fit 64 bits.
    Overflow,
}

impl fmt::Display for NumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NumError::Invalid => "not a number",
            NumError::Suffix => "unknown multiplier suffix",
            NumError::Overflow => "too large",
        })
    }
}

/// Parses a number the way sg3_utils' `sg_get_llnum()` does (see the module docs), without
/// its wrap-around on overflow.
pub fn parse_num(s: &str) -> Result<u64, NumError> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Err(NumError::Invalid);
    }
    if b.len() > 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') {
        return parse_hex(&s[2..]);
    }
    if b.len() > 1 && (b[b.len() - 1] == b'h' || b[b.len() - 1] == b'H') {
        return parse_hex(&s[..s.len() - 1]);
    }
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return Err(NumError::Invalid);
    }
    let mut num: u64 = 0;
    for &c in &b[..digits] {
        num = num
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(c - b'0')))
            .ok_or(NumError::Overflow)?;
    }
    let suffix = &s[digits..];
    if let Some(rest) = suffix
        .strip_prefix('x')
        .or_else(|| suffix.strip_prefix('X'))
    {
        let other = parse_num(rest)?;
        return num.checked_mul(other).ok_or(NumError::Overflow);
    }
    let mult = multiplier(suffix)?;
    num.checked_mul(mult).ok_or(NumError::Overflow)
}

/// The multiplier of a suffix (case-insensitive, as sg3_utils upper-cases it).
fn multiplier(suffix: &str) -> Result<u64, NumError> {
    let b = suffix.as_bytes();
    let Some(&first) = b.first() else {
        return Ok(1);
    };
    let rest = &b[1..];
    let power: u32 = match first.to_ascii_uppercase() {
        b'C' if rest.is_empty() => return Ok(1),
        b'W' if rest.is_empty() => return Ok(2),
        b'B' if rest.is_empty() => return Ok(512),
        b'K' => 1,
        b'M' => 2,
        b'G' => 3,
        b'T' => 4,
        b'P' => 5,
        _ => return Err(NumError::Suffix),
    };
    if rest.is_empty() || rest.eq_ignore_ascii_case(b"ib") {
        Ok(1u64 << (10 * power))
    } else if rest.eq_ignore_ascii_case(b"b") {
        Ok(10u64.pow(3 * power))
    } else {
        Err(NumError::Suffix)
    }
}

fn parse_hex(s: &str) -> Result<u64, NumError> {
    if s.is_empty() {
        return Err(NumError::Invalid);
    }
    let mut num: u64 = 0;
    for c in s.bytes() {
        let d = hex_digit(c).ok_or(NumError::Invalid)?;
        if num >> 60 != 0 {
            return Err(NumError::Overflow);
        }
        num = (num << 4) | u64::from(d);
    }
    Ok(num)
}

/// The value of one hex digit.
pub fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Why a list of hex bytes did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexError {
    /// The offending token.
    pub token: String,
}

impl fmt::Display for HexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' is not a hex byte", self.token)
    }
}

/// Parses hex bytes as `sg_raw` and `sg_decode_sense` take them: tokens separated by white
/// space or commas, each one or two hex digits with an optional `0x`, or a longer run of an
/// even number of digits read two at a time (`"12000000240"` is refused, `"1200000024 00"`
/// is six bytes).
pub fn parse_hex_bytes<'a, I>(tokens: I, out: &mut Vec<u8>) -> Result<(), HexError>
where
    I: IntoIterator<Item = &'a str>,
{
    for token in tokens {
        for word in token
            .split(|c: char| c.is_ascii_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
        {
            parse_hex_word(word, out).map_err(|()| HexError {
                token: word.to_owned(),
            })?;
        }
    }
    Ok(())
}

fn parse_hex_word(word: &str, out: &mut Vec<u8>) -> Result<(), ()> {
    let digits = word
        .strip_prefix("0x")
        .or_else(|| word.strip_prefix("0X"))
        .unwrap_or(word)
        .as_bytes();
    match digits.len() {
        0 => Err(()),
        1 | 2 => {
            let mut v = 0u8;
            for &c in digits {
                v = (v << 4) | hex_digit(c).ok_or(())?;
            }
            out.push(v);
            Ok(())
        }
        n if n % 2 == 0 && digits.len() == word.len() => {
            for pair in digits.chunks_exact(2) {
                let hi = hex_digit(pair[0]).ok_or(())?;
                let lo = hex_digit(pair[1]).ok_or(())?;
                out.push((hi << 4) | lo);
            }
            Ok(())
        }
        _ => Err(()),
    }
}

/// Why the `JO` of `--json=JO` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonOptsError {
    /// A character sg3_utils does not know.
    Unknown(char),
    /// `?`: sg3_utils prints the letters' help and exits 1.
    Help,
}

impl fmt::Display for JsonOptsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let JsonOptsError::Unknown(c) = self {
            write!(f, "unrecognized character '{c}'; ")?;
        }
        f.write_str(
            "JO is made of 0 2 3 4 8 e g h k l n o p q s v y z, each may follow - ! or ~ \
             (negation), and may start with = (sgmap accepts them and prints one compact \
             object whatever they ask)",
        )
    }
}

/// Checks the `JO` of `--json=JO` (or `-j=JO`) the way sg3_utils 1.48's `sgj_parse_opts()`
/// (lib/sg_json.c) takes it: leading white space, then a `=` only as the very first
/// character, the negations `-`, `!`, `~`, the indent digits `0 2 3 4 8` and the letters
/// `e g h k l n o p q s v y z`. Anything else is refused, as sg3_utils refuses it (exit 1).
/// sgmap gives the letters no effect: its output is the same with any of them.
pub fn check_json_opts(jo: &str) -> Result<(), JsonOptsError> {
    let start = jo
        .char_indices()
        .find(|&(_, c)| !c.is_ascii_whitespace() && c != '\u{b}')
        .map_or(jo.len(), |(i, _)| i);
    for (i, c) in jo.char_indices().skip_while(|&(i, _)| i < start) {
        match c {
            '=' if i == 0 => {}
            '-' | '!' | '~' | '0' | '2' | '3' | '4' | '8' => {}
            'e' | 'g' | 'h' | 'k' | 'l' | 'n' | 'o' | 'p' | 'q' | 's' | 'v' | 'y' | 'z' => {}
            '?' => return Err(JsonOptsError::Help),
            other => return Err(JsonOptsError::Unknown(other)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimal_and_hex_forms() {
        assert_eq!(parse_num("0"), Ok(0));
        assert_eq!(parse_num("512"), Ok(512));
        assert_eq!(parse_num("0x200"), Ok(512));
        assert_eq!(parse_num("0X1f"), Ok(31));
        assert_eq!(parse_num("200h"), Ok(512));
        assert_eq!(parse_num("1fH"), Ok(31));
        assert_eq!(parse_num("0xffffffffffffffff"), Ok(u64::MAX));
    }

    #[test]
    fn every_sg3_utils_suffix() {
        let cases: &[(&str, u64)] = &[
            ("3c", 3),
            ("3w", 6),
            ("3b", 1536),
            ("3B", 1536),
            ("2k", 2048),
            ("2K", 2048),
            ("2KiB", 2048),
            ("2kib", 2048),
            ("2KB", 2000),
            ("2kB", 2000),
            ("2m", 2 << 20),
            ("2M", 2 << 20),
            ("2MiB", 2 << 20),
            ("2MB", 2_000_000),
            ("2g", 2 << 30),
            ("2GiB", 2 << 30),
            ("2GB", 2_000_000_000),
            ("2t", 2 << 40),
            ("2TiB", 2 << 40),
            ("2TB", 2_000_000_000_000),
            ("2p", 2 << 50),
            ("2PiB", 2 << 50),
            ("2PB", 2_000_000_000_000_000),
        ];
        for &(s, v) in cases {
            assert_eq!(parse_num(s), Ok(v), "{s}");
        }
    }

    #[test]
    fn x_multiplies_and_nests() {
        assert_eq!(parse_num("2x512"), Ok(1024));
        assert_eq!(parse_num("4X2k"), Ok(8192));
        assert_eq!(parse_num("2x3x4"), Ok(24));
        assert_eq!(parse_num("2x0x10"), Ok(32));
        assert_eq!(parse_num("2x"), Err(NumError::Invalid));
    }

    #[test]
    fn garbage_is_refused() {
        for s in [
            "", "x", "k", "-1", "+1", " 1", "1 ", "1.5", "0x", "h", "0xg", "12z", "1kk", "1KiBB",
            "1bb", "1cw", "4kx2",
        ] {
            assert!(parse_num(s).is_err(), "{s:?} parsed");
        }
        assert_eq!(parse_num("7q"), Err(NumError::Suffix));
    }

    #[test]
    fn overflow_is_an_error_never_a_wrap() {
        assert_eq!(parse_num("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(parse_num("18446744073709551616"), Err(NumError::Overflow));
        assert_eq!(parse_num("0x10000000000000000"), Err(NumError::Overflow));
        assert_eq!(parse_num("16385P"), Err(NumError::Overflow));
        assert_eq!(parse_num("16384PiB"), Err(NumError::Overflow));
        assert_eq!(parse_num("16383PiB"), Ok(16383 << 50));
        assert_eq!(parse_num("4294967296x4294967296"), Err(NumError::Overflow));
    }

    #[test]
    fn hex_byte_lists() {
        let mut v = Vec::new();
        parse_hex_bytes(["12", "0", "0x0", "00", "24,00"], &mut v).unwrap();
        assert_eq!(v, [0x12, 0, 0, 0, 0x24, 0]);
        v.clear();
        parse_hex_bytes(["f0 00 03\n00\t00 12"], &mut v).unwrap();
        assert_eq!(v, [0xf0, 0, 3, 0, 0, 0x12]);
        v.clear();
        parse_hex_bytes(["1200000024 00"], &mut v).unwrap();
        assert_eq!(v, [0x12, 0, 0, 0, 0x24, 0]);
        for bad in ["123", "zz", "0x", "0x123", "1g", "-1"] {
            v.clear();
            let e = parse_hex_bytes([bad], &mut v).unwrap_err();
            assert_eq!(e.token, bad);
        }
        v.clear();
        parse_hex_bytes(["", " , "], &mut v).unwrap();
        assert!(v.is_empty());
    }

    #[test]
    fn json_opts_as_sg3_utils_takes_them() {
        for ok in [
            "",
            "=",
            "e",
            "-e",
            "=h",
            "0248",
            "3",
            "!p~s-k",
            "eghklnopqsvyz",
            "  o",
            "\tp",
            "=-e",
        ] {
            assert_eq!(check_json_opts(ok), Ok(()), "{ok:?}");
        }
        assert_eq!(check_json_opts("x"), Err(JsonOptsError::Unknown('x')));
        assert_eq!(check_json_opts("ehx1"), Err(JsonOptsError::Unknown('x')));
        assert_eq!(check_json_opts("1"), Err(JsonOptsError::Unknown('1')));
        // '=' only as the very first character, not after white space or letters.
        assert_eq!(check_json_opts("e="), Err(JsonOptsError::Unknown('=')));
        assert_eq!(check_json_opts(" =e"), Err(JsonOptsError::Unknown('=')));
        assert_eq!(check_json_opts("=="), Err(JsonOptsError::Unknown('=')));
        assert_eq!(check_json_opts("?"), Err(JsonOptsError::Help));
        assert_eq!(check_json_opts("J"), Err(JsonOptsError::Unknown('J')));
        assert!(JsonOptsError::Unknown('x')
            .to_string()
            .starts_with("unrecognized character 'x'; JO is made of"));
    }
}
