//! Static text packed by byte-pair encoding: the ASC/ASCQ names, the command names (and the
//! `sgmap` command's usage texts) are held this way, at about half their size.
//!
//! A packed text is printable ASCII and line feeds, in which each other byte is a code that
//! stands for two bytes, each text or an earlier code: `pairs[i]` for code number `i`, the
//! bytes 80h to FFh being numbers 0 to 127, 00h to 09h numbers 128 to 137, and 0Bh to 1Fh
//! numbers 138 to 158. The build script packs the texts (`build/pack.rs`, the
//! encoder); [`PackedStr`] unpacks one on the way out, through [`fmt::Display`], with no
//! allocation and a stack of [`MAX_DEPTH`] bytes. Each text of a set unpacks alone, so a
//! table of packed texts stays a table: a look-up finds the packed bytes, and only the text
//! printed is unpacked.

use core::fmt;

/// How deeply codes may nest: the encoder refuses a set that nests deeper.
pub const MAX_DEPTH: usize = 24;

/// One packed text and the pairs of its set.
#[derive(Clone, Copy)]
pub struct PackedStr {
    pairs: &'static [[u8; 2]],
    bytes: &'static [u8],
}

impl PackedStr {
    /// The text `bytes`, packed with `pairs`.
    pub const fn new(pairs: &'static [[u8; 2]], bytes: &'static [u8]) -> Self {
        PackedStr { pairs, bytes }
    }

    /// Calls `out` with the unpacked text, a piece at a time (pieces of at most 64 bytes).
    /// Fails with [`fmt::Error`] if `out` does, or if the data is not a packed text (a code
    /// without a pair, nesting past [`MAX_DEPTH`]): never for a text the build packed.
    pub fn unpack(self, mut out: impl FnMut(&str) -> fmt::Result) -> fmt::Result {
        let mut piece = [0u8; 64];
        let mut len = 0;
        let mut stack = [0u8; MAX_DEPTH];
        for &first in self.bytes {
            stack[0] = first;
            let mut depth = 1;
            while depth > 0 {
                depth -= 1;
                let b = stack[depth];
                if (0x20..0x7f).contains(&b) || b == b'\n' {
                    piece[len] = b;
                    len += 1;
                    if len == piece.len() {
                        out(ascii(&piece)?)?;
                        len = 0;
                    }
                    continue;
                }
                let number = match b {
                    0x80.. => usize::from(b) - 0x80,
                    0..=9 => 128 + usize::from(b),
                    _ => 127 + usize::from(b),
                };
                let [x, y] = *self.pairs.get(number).ok_or(fmt::Error)?;
                if depth + 2 > stack.len() {
                    return Err(fmt::Error);
                }
                stack[depth] = y;
                stack[depth + 1] = x;
                depth += 2;
            }
        }
        if len > 0 {
            out(ascii(&piece[..len])?)?;
        }
        Ok(())
    }

    /// The length of the unpacked text in bytes.
    pub fn len(self) -> usize {
        let mut n = 0;
        let _ = self.unpack(|piece| {
            n += piece.len();
            Ok(())
        });
        n
    }

    /// Whether the unpacked text is empty.
    pub fn is_empty(self) -> bool {
        self.bytes.is_empty()
    }

    /// Whether the unpacked text is `text`.
    pub fn eq_str(self, text: &str) -> bool {
        let mut rest = text.as_bytes();
        let same = self.unpack(|piece| match rest.strip_prefix(piece.as_bytes()) {
            Some(after) => {
                rest = after;
                Ok(())
            }
            None => Err(fmt::Error),
        });
        same.is_ok() && rest.is_empty()
    }
}

/// The piece as text: ASCII always is.
fn ascii(piece: &[u8]) -> Result<&str, fmt::Error> {
    core::str::from_utf8(piece).map_err(|_| fmt::Error)
}

impl fmt::Display for PackedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.width().is_some() || f.precision().is_some() {
            // Padding needs the whole text: names are short. A text past 256 bytes is
            // printed as it is.
            let mut text = heapless::String::<256>::new();
            if self
                .unpack(|piece| text.push_str(piece).map_err(|_| fmt::Error))
                .is_ok()
            {
                return f.pad(&text);
            }
        }
        self.unpack(|piece| f.write_str(piece))
    }
}

impl fmt::Debug for PackedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        self.unpack(|piece| write!(f, "{}", piece.escape_debug()))?;
        f.write_str("\"")
    }
}

impl PartialEq<&str> for PackedStr {
    fn eq(&self, other: &&str) -> bool {
        self.eq_str(other)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::{String, ToString};
    use std::vec::Vec;

    use super::*;

    #[allow(dead_code)]
    mod encoder {
        extern crate std;
        use std::string::String;
        use std::vec::Vec;
        use std::{format, vec};
        include!("../build/pack.rs");
    }

    fn leak_pairs(p: Vec<[u8; 2]>) -> &'static [[u8; 2]] {
        std::boxed::Box::leak(p.into_boxed_slice())
    }

    fn leak(p: Vec<u8>) -> &'static [u8] {
        std::boxed::Box::leak(p.into_boxed_slice())
    }

    #[test]
    fn every_packed_text_unpacks_to_itself() {
        let mut texts: Vec<String> = (0..300)
            .map(|i| std::format!("Logical unit not ready, cause {i} not reportable"))
            .collect();
        texts.push(String::new());
        texts.push(
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".repeat(9),
        );
        texts.push("  --hex, -H   the response in hex\n".repeat(40));
        let bytes: Vec<&[u8]> = texts.iter().map(|t| t.as_bytes()).collect();
        let set = encoder::pack(&bytes).unwrap();
        assert!(set.pairs.len() > 20, "{}", set.pairs.len());
        assert_eq!(encoder::MAX_DEPTH, MAX_DEPTH);
        assert!(set.depth > 3 && set.depth < MAX_DEPTH, "{}", set.depth);
        let pairs = leak_pairs(set.pairs.clone());
        let mut packed_len = 0;
        for (text, packed) in texts.iter().zip(set.texts) {
            packed_len += packed.len();
            assert_eq!(encoder::unpack(pairs, &packed), text.as_bytes());
            let p = PackedStr::new(pairs, leak(packed));
            assert_eq!(p.to_string(), *text);
            assert_eq!(p.len(), text.len());
            assert!(p.eq_str(text));
            assert!(p == text.as_str());
            assert!(!p.eq_str(&std::format!("{text}x")));
        }
        let total: usize = texts.iter().map(String::len).sum();
        assert!(packed_len * 2 < total, "{packed_len} of {total}");
    }

    #[test]
    fn the_codes_are_every_byte_that_is_not_text() {
        let mut seen = [false; 256];
        for i in 0..encoder::CODES {
            let b = encoder::code(i);
            assert!(!encoder::is_text(b), "{b:#x}");
            assert_eq!(encoder::code_number(b), i);
            assert!(!core::mem::replace(&mut seen[usize::from(b)], true));
        }
        let text = (0..=255u8).filter(|&b| encoder::is_text(b)).count();
        assert_eq!(
            text + encoder::CODES,
            256 - 1,
            "all but DEL (7Fh), which is neither"
        );
    }

    #[test]
    fn packed_text_pads_as_str_does() {
        let set = encoder::pack(&[b"Read(10)", b"Read(16)"]).unwrap();
        let pairs = leak_pairs(set.pairs);
        let p = PackedStr::new(pairs, leak(set.texts[0].clone()));
        assert_eq!(std::format!("[{p:<10}]"), "[Read(10)  ]");
        assert_eq!(std::format!("[{p:>10}]"), "[  Read(10)]");
        assert_eq!(std::format!("{p:?}"), "\"Read(10)\"");
    }

    #[test]
    fn a_code_without_a_pair_is_an_error_not_a_panic() {
        let p = PackedStr::new(&[[b'a', b'b']], &[b'x', 0x81]);
        assert!(p.unpack(|_| Ok(())).is_err());
        let p = PackedStr::new(&[[b'a', b'b']], &[0x7f]);
        assert!(p.unpack(|_| Ok(())).is_err());
        // A pair that names itself nests without end: the stack's bound stops it.
        let p = PackedStr::new(&[[0x80, 0x80]], &[0x80]);
        assert!(p.unpack(|_| Ok(())).is_err());
    }

    #[test]
    fn the_encoder_refuses_text_that_is_not_ascii() {
        assert!(encoder::pack(&["é".as_bytes()]).is_err());
        assert!(encoder::pack(&[b"tab\there"]).is_err());
        assert!(encoder::pack(&[b"del\x7f"]).is_err());
        assert!(encoder::pack(&[b"line\nfeed"]).is_ok());
    }
}
