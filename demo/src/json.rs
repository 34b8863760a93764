//! A tiny JSON writer: one object built into a `String`, keys in the order written.
//!
//! Enough for `--json` output and no more: objects, arrays, strings (escaped per RFC 8259
//! §7), unsigned and signed integers, booleans and null. No floating point: rates and
//! durations are written as integers in stated units (`_us`, `_bytes`).

use std::fmt::Write as _;

/// Builds one JSON document. Start with [`Json::object`], write members, [`Json::finish`].
#[derive(Debug)]
pub struct Json {
    buf: String,
    /// Per open container: whether it has a member yet (a comma goes before the next).
    first: Vec<bool>,
}

impl Json {
    /// A document whose top level is an object.
    pub fn object() -> Json {
        Json {
            buf: String::from("{"),
            first: vec![true],
        }
    }

    fn sep(&mut self) {
        if let Some(first) = self.first.last_mut() {
            if !*first {
                self.buf.push(',');
            }
            *first = false;
        }
    }

    fn key(&mut self, key: &str) {
        self.sep();
        escape_into(&mut self.buf, key);
        self.buf.push(':');
    }

    /// `"key": "value"`.
    pub fn str(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key);
        escape_into(&mut self.buf, value);
        self
    }

    /// `"key": "value"` or `"key": null`.
    pub fn opt_str(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.str(key, v),
            None => self.null(key),
        }
    }

    /// `"key": 123`.
    pub fn u64(&mut self, key: &str, value: u64) -> &mut Self {
        self.key(key);
        let _ = write!(self.buf, "{value}");
        self
    }

    /// `"key": 123` or `"key": null`.
    pub fn opt_u64(&mut self, key: &str, value: Option<u64>) -> &mut Self {
        match value {
            Some(v) => self.u64(key, v),
            None => self.null(key),
        }
    }

    /// `"key": true`.
    pub fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        self.key(key);
        self.buf.push_str(if value { "true" } else { "false" });
        self
    }

    /// `"key": null`.
    pub fn null(&mut self, key: &str) -> &mut Self {
        self.key(key);
        self.buf.push_str("null");
        self
    }

    /// `"key": "0a 1b …"`: bytes as lower-case hex pairs separated by spaces.
    pub fn hex(&mut self, key: &str, bytes: &[u8]) -> &mut Self {
        self.key(key);
        self.buf.push('"');
        for (i, b) in bytes.iter().enumerate() {
            if i > 0 {
                self.buf.push(' ');
            }
            push_hex_byte(&mut self.buf, *b);
        }
        self.buf.push('"');
        self
    }

    /// `"key": {`; close with [`Json::end`].
    pub fn begin_object(&mut self, key: &str) -> &mut Self {
        self.key(key);
        self.buf.push('{');
        self.first.push(true);
        self
    }

    /// `"key": [`; close with [`Json::end_array`].
    pub fn begin_array(&mut self, key: &str) -> &mut Self {
        self.key(key);
        self.buf.push('[');
        self.first.push(true);
        self
    }

    /// An object as the next array element; close with [`Json::end`].
    pub fn item_object(&mut self) -> &mut Self {
        self.sep();
        self.buf.push('{');
        self.first.push(true);
        self
    }

    /// A number as the next array element.
    pub fn item_u64(&mut self, value: u64) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{value}");
        self
    }

    /// Closes the innermost object.
    pub fn end(&mut self) -> &mut Self {
        self.first.pop();
        self.buf.push('}');
        self
    }

    /// Closes the innermost array.
    pub fn end_array(&mut self) -> &mut Self {
        self.first.pop();
        self.buf.push(']');
        self
    }

    /// Closes whatever is still open and returns the document with a final newline.
    pub fn finish(mut self) -> String {
        // Containers left open are objects or arrays; the writer only closes objects here,
        // so callers close their arrays themselves (the tests check every command's output).
        while self.first.pop().is_some() {
            self.buf.push('}');
        }
        self.buf.push('\n');
        self.buf
    }
}

/// Appends two lower-case hex digits.
pub fn push_hex_byte(buf: &mut String, b: u8) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    buf.push(char::from(DIGITS[usize::from(b >> 4)]));
    buf.push(char::from(DIGITS[usize::from(b & 0xf)]));
}

/// Appends `s` as a JSON string with its quotes (RFC 8259 §7).
pub fn escape_into(buf: &mut String, s: &str) {
    buf.push('"');
    for c in s.chars() {
        match c {
            '"' => buf.push_str("\\\""),
            '\\' => buf.push_str("\\\\"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            '\t' => buf.push_str("\\t"),
            '\u{8}' => buf.push_str("\\b"),
            '\u{c}' => buf.push_str("\\f"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                buf.push_str("\\u00");
                push_hex_byte(buf, c as u8);
            }
            c => buf.push(c),
        }
    }
    buf.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str) -> String {
        let mut b = String::new();
        escape_into(&mut b, s);
        b
    }

    #[test]
    fn escapes_quotes_backslashes_and_controls() {
        assert_eq!(esc("plain"), r#""plain""#);
        assert_eq!(esc(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(esc("l1\nl2\r\t"), r#""l1\nl2\r\t""#);
        assert_eq!(
            esc("\u{0}\u{1f}\u{7f}\u{8}\u{c}"),
            r#""\u0000\u001f\u007f\b\f""#
        );
        assert_eq!(esc("µs é"), "\"µs é\"");
        assert_eq!(esc(""), r#""""#);
    }

    #[test]
    fn nested_document() {
        let mut j = Json::object();
        j.str("device", "/dev/sg0")
            .u64("blocks", 32768)
            .bool("ok", true)
            .null("sense")
            .opt_u64("lba", Some(7))
            .opt_str("block", None)
            .hex("cdb", &[0x12, 0, 0xff]);
        j.begin_array("list");
        j.item_object().u64("a", 1).end();
        j.item_object().end();
        j.item_u64(3);
        j.end_array();
        j.begin_object("inner").str("k", "v").end();
        j.begin_array("empty").end_array();
        assert_eq!(
            j.finish(),
            concat!(
                r#"{"device":"/dev/sg0","blocks":32768,"ok":true,"sense":null,"#,
                r#""lba":7,"block":null,"cdb":"12 00 ff","list":[{"a":1},{},3],"#,
                r#""inner":{"k":"v"},"empty":[]}"#,
                "\n"
            )
        );
    }

    #[test]
    fn finish_closes_open_objects() {
        let mut j = Json::object();
        j.begin_object("a").u64("b", 1);
        assert_eq!(j.finish(), "{\"a\":{\"b\":1}}\n");
        assert_eq!(Json::object().finish(), "{}\n");
    }
}
