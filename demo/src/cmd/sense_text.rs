//! Sense data as text, worded and laid out as sg3_utils 1.46 words it (`sg_decode_sense`,
//! and the sense that `sg_raw` and the `sg_cmds_*` functions print): the header line, the
//! additional sense line, then the fixed-format fields or one block per sense data
//! descriptor. The names (sense keys, ASC/ASCQ) and the typed fields come from
//! `sgmap_core::sense`; this module only lays them out.
//!
//! sg3_utils reads past the end of short sense data into a zeroed buffer; [`Bytes::at`]
//! does the same (a byte past the end reads as 0), so that truncated descriptors print
//! what the tool prints.

use std::fmt::Write as _;

use sgmap_core::sense::{AdditionalSense, Progress, SenseKey};

/// The most text `sg_decode_sense` prints for one decode (its 2048-byte buffer, less one
/// for the NUL it keeps in reserve and one more for the string's own NUL).
pub const DECODE_CAP: usize = 2046;

/// Text pieces without `format!` (the decoder runs over every byte of sense data and the
/// static binary counts its size): `S` a string, `D` decimal, `X` hex without padding,
/// `B` two hex digits.
enum P<'a> {
    S(&'a str),
    D(u64),
    X(u64),
    B(u8),
}

/// Appends the pieces.
fn put(o: &mut String, parts: &[P<'_>]) {
    for p in parts {
        match *p {
            P::S(s) => o.push_str(s),
            P::D(n) => radix(o, n, 10),
            P::X(n) => radix(o, n, 16),
            P::B(b) => crate::json::push_hex_byte(o, b),
        }
    }
}

fn radix(o: &mut String, mut n: u64, base: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b"0123456789abcdef"[(n % base) as usize];
        n /= base;
        if n == 0 {
            break;
        }
    }
    o.push_str(core::str::from_utf8(&buf[i..]).unwrap_or(""));
}

use P::{B, D, S, X};

/// The bytes, read as the tools read them: past the end is 0.
#[derive(Clone, Copy)]
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn at(self, i: usize) -> u8 {
        self.0.get(i).copied().unwrap_or(0)
    }
    fn be16(self, i: usize) -> u16 {
        u16::from_be_bytes([self.at(i), self.at(i + 1)])
    }
    fn be32(self, i: usize) -> u32 {
        u32::from_be_bytes([self.at(i), self.at(i + 1), self.at(i + 2), self.at(i + 3)])
    }
}

/// The sense key's name as sg3_utils spells it.
pub fn key_name(key: u8) -> &'static str {
    SenseKey::from(key & 0x0f).name().unwrap_or("")
}

/// The additional sense line: `Additional sense: NAME`, or the numbered forms.
pub fn asc_line(asc: u8, ascq: u8) -> String {
    let a = AdditionalSense::new(asc, ascq);
    if a.name().is_some() || a.range_name().is_some() {
        let mut s = String::from("Additional sense: ");
        let _ = write!(s, "{a}");
        s
    } else {
        a.to_string()
    }
}

/// `sg_get_scsi_status_str()`: the SCSI status byte's name.
pub fn status_name(status: u8) -> String {
    let s = status & 0x7e;
    let name = match s {
        0x00 => "Good",
        0x02 => "Check Condition",
        0x04 => "Condition Met",
        0x08 => "Busy",
        0x10 => "Intermediate (obsolete)",
        0x14 => "Intermediate-Condition Met (obsolete)",
        0x18 => "Reservation Conflict",
        0x22 => "Command terminated (obsolete)",
        0x28 => "Task Set Full",
        0x30 => "ACA Active",
        0x40 => "Task Aborted",
        _ => {
            let mut o = String::new();
            put(&mut o, &[S("Unknown status [0x"), X(s.into()), S("]")]);
            return o;
        }
    };
    name.to_owned()
}

/// Hex bytes 16 a line, a space more between the 8th and 9th, each line led by `lead`,
/// without the ASCII column (sg3_utils' `hex2str(..., -1)`); `out` grows.
pub fn hex_lines(out: &mut String, lead: &str, bytes: &[u8]) {
    for chunk in bytes.chunks(16) {
        out.push_str(lead);
        for (k, b) in chunk.iter().enumerate() {
            if k == 8 {
                out.push(' ');
            }
            put(out, &[B(*b)]);
            if k + 1 < chunk.len() {
                out.push(' ');
            }
        }
        out.push('\n');
    }
}

/// What `sg_get_sense_str(NULL, bytes, len, raw, ...)` writes, uncut: `raw` adds the
/// "Raw sense data" hex (the tools' `-v`).
pub fn sense_str(bytes: &[u8], raw: bool) -> String {
    let mut o = String::new();
    let b = Bytes(bytes);
    let sb_len = bytes.len();
    if sb_len == 0 {
        o.push_str(" >>> sense buffer empty\n");
        return o;
    }
    let code = b.at(0) & 0x7f;
    let valid = b.at(0) & 0x80 != 0;
    if (0x70..=0x73).contains(&code) {
        let descriptor = code >= 0x72;
        let (mut len, key, asc, ascq, ovfl);
        if descriptor {
            len = sb_len;
            key = if sb_len > 1 { b.at(1) & 0x0f } else { 0 };
            asc = if sb_len > 2 { b.at(2) } else { 0 };
            ascq = if sb_len > 3 { b.at(3) } else { 0 };
            ovfl = sb_len > 4 && b.at(4) & 0x80 != 0;
        } else {
            len = if sb_len > 7 {
                usize::from(b.at(7)) + 8
            } else {
                sb_len
            };
            len = len.min(sb_len);
            key = if sb_len > 2 { b.at(2) & 0x0f } else { 0 };
            asc = if len > 12 && sb_len > 7 { b.at(12) } else { 0 };
            ascq = if len > 13 && sb_len > 7 { b.at(13) } else { 0 };
            ovfl = len > 2 && b.at(2) & 0x10 != 0;
        }
        let what = match code {
            0x70 => "Fixed format, current",
            0x71 => "Fixed format, <<<deferred>>>",
            0x72 => "Descriptor format, current",
            _ => "Descriptor format, <<<deferred>>>",
        };
        put(
            &mut o,
            &[S(what), S("; Sense key: "), S(key_name(key)), S("\n")],
        );
        if ovfl {
            o.push_str("<<<Sense data overflow (SDAT_OVFL)>>>\n");
        }
        let asc_text = |o: &mut String| put(o, &[S(&asc_line(asc, ascq)), S("\n")]);
        if descriptor {
            asc_text(&mut o);
            descriptors(&mut o, b, len);
        } else if len > 12 && asc == 0 && ascq == 0x1d {
            asc_text(&mut o);
            ata_pass_through_fixed(&mut o, b, key);
        } else if len > 2 {
            if len > 12 {
                asc_text(&mut o);
            }
            let mut r = String::new();
            fixed(&mut r, b, len, key, valid);
            // sg3_utils builds these lines in a 256-byte buffer.
            r.truncate(255);
            o.push_str(&r);
        } else {
            put(
                &mut o,
                &[
                    S(" fixed descriptor length too short, len="),
                    D(len as u64),
                    S("\n"),
                ],
            );
        }
    } else if sb_len < 4 {
        o.push_str("sense buffer too short (4 byte minimum)\n");
    } else if code == 0x7f {
        o.push_str("Vendor specific sense buffer, in hex:\n");
        hex_lines(&mut o, "", bytes);
        return o;
    } else {
        o.push_str("Probably uninitialized data.\n  Try to view as SCSI-1 non-extended sense:\n");
        put(
            &mut o,
            &[
                S("  AdValid="),
                D(valid.into()),
                S("  Error class="),
                D(((b.at(0) >> 4) & 7).into()),
                S("  Error code="),
                D((b.at(0) & 0x0f).into()),
                S("\n"),
            ],
        );
        if valid {
            let lba = u32::from_be_bytes([0, b.at(1), b.at(2), b.at(3)]) & 0x1f_ffff;
            put(&mut o, &[S("  lba=0x"), X(lba.into()), S("\n")]);
        }
        o.push('\n');
    }
    if raw {
        put(
            &mut o,
            &[S(" Raw sense data (in hex), sb_len="), D(sb_len as u64)],
        );
        let embed = if sb_len > 7 && (0x70..0x74).contains(&b.at(0)) {
            let e = usize::from(b.at(7)) + 8;
            put(&mut o, &[S(", embedded_len="), D(e as u64), S("\n")]);
            e
        } else {
            o.push('\n');
            sb_len
        };
        let shown: Vec<u8> = (0..embed).map(|i| b.at(i)).collect();
        hex_lines(&mut o, "        ", &shown);
    }
    o
}

/// The fields of fixed-format sense data after the additional sense line.
fn fixed(r: &mut String, b: Bytes<'_>, len: usize, key: u8, valid: bool) {
    let mut info = 0;
    if len > 6 {
        info = b.be32(3);
        if valid {
            put(
                r,
                &[
                    S("  Info fld=0x"),
                    X(info.into()),
                    S(" ["),
                    D(info.into()),
                    S("] "),
                ],
            );
        } else if info > 0 {
            put(
                r,
                &[
                    S("  Valid=0, Info fld=0x"),
                    X(info.into()),
                    S(" ["),
                    D(info.into()),
                    S("] "),
                ],
            );
        }
    }
    let flags = b.at(2);
    if flags & 0xe0 != 0 {
        for (bit, name) in [(0x80, " FMK"), (0x40, " EOM"), (0x20, " ILI")] {
            if flags & bit != 0 {
                r.push_str(name);
            }
        }
        r.push('\n');
    } else if valid || info > 0 {
        r.push('\n');
    }
    if len >= 14 && b.at(14) != 0 {
        put(
            r,
            &[
                S("  Field replaceable unit code: "),
                D(b.at(14).into()),
                S("\n"),
            ],
        );
    }
    if len >= 18 && b.at(15) & 0x80 != 0 {
        let b15 = b.at(15);
        let bit = |r: &mut String| {
            if b15 & 0x08 != 0 {
                put(r, &[S(" bit "), D((b15 & 7).into())]);
            }
            r.push('\n');
        };
        match key {
            5 => {
                put(
                    r,
                    &[
                        S("  Sense Key Specific: Error in "),
                        S(place(b15)),
                        S(": byte "),
                        D(b.be16(16).into()),
                    ],
                );
                bit(r);
            }
            0 | 2 => {
                r.push_str("  Progress indication: ");
                percent(r, b.be16(16), "%\n");
            }
            1 | 3 | 4 => {
                put(
                    r,
                    &[
                        S("  Actual retry count: 0x"),
                        B(b.at(16)),
                        B(b.at(17)),
                        S("\n"),
                    ],
                );
            }
            0x0a => {
                put(
                    r,
                    &[
                        S("  Segment pointer: Relative to start of "),
                        S(segment_origin(b15)),
                        S(", byte "),
                        D(b.be16(16).into()),
                    ],
                );
                bit(r);
            }
            6 => {
                put(
                    r,
                    &[
                        S("  Unit attention condition queue: overflow flag is "),
                        D((b15 & 1).into()),
                        S("\n"),
                    ],
                );
            }
            _ => {
                put(
                    r,
                    &[S("  Sense_key: 0x"), X(key.into()), S(" unexpected\n")],
                );
            }
        }
    }
}

fn place(flags: u8) -> &'static str {
    if flags & 0x40 != 0 {
        "Command"
    } else {
        "Data parameters"
    }
}

fn segment_origin(flags: u8) -> &'static str {
    if flags & 0x20 != 0 {
        "segment descriptor"
    } else {
        "parameter list"
    }
}

/// SAT's ATA PASS-THROUGH results in fixed-format sense data (ASC/ASCQ 00h/1Dh).
fn ata_pass_through_fixed(o: &mut String, b: Bytes<'_>, key: u8) {
    if key != 1 {
        o.push_str("  >> expected Sense key: Recovered Error ??\n");
    }
    let flags = b.at(8);
    let plus = |set: bool| if set { "+\n" } else { " \n" };
    put(
        o,
        &[
            S("  error=0x"),
            X(b.at(3).into()),
            S(", status=0x"),
            X(b.at(4).into()),
            S(", device=0x"),
            X(b.at(5).into()),
            S(", count(7:0)=0x"),
            X(b.at(6).into()),
            S(plus(flags & 0x40 != 0)),
            S("  extend="),
            D((flags >> 7).into()),
            S(", log_index=0x"),
            X((flags & 0x0f).into()),
            S(", lba_high,mid,low(7:0)=0x"),
            X(b.at(9).into()),
            S(",0x"),
            X(b.at(10).into()),
            S(",0x"),
            X(b.at(11).into()),
            S(plus(flags & 0x20 != 0)),
        ],
    );
}

const TOO_SHORT: &str = "   >> descriptor too short\n";

/// The sense-key-specific bytes at `d[4..7]` of a descriptor (types 02h and 0Dh); false
/// when the bytes are to be dumped after.
fn sks(o: &mut String, d: Bytes<'_>, add_len: isize, key: u8) -> bool {
    let bit = |o: &mut String| {
        if d.at(4) & 0x08 != 0 {
            put(o, &[S(" bit "), D((d.at(4) & 7).into())]);
        }
        o.push('\n');
    };
    match key {
        5 => {
            o.push_str("Field pointer:");
            if add_len < 6 {
                o.push(' ');
                o.push_str(TOO_SHORT);
                return false;
            }
            put(
                o,
                &[
                    S("\n        Error in "),
                    S(place(d.at(4))),
                    S(": byte "),
                    D(d.be16(5).into()),
                ],
            );
            bit(o);
        }
        1 | 3 | 4 => {
            o.push_str("Actual retry count: ");
            if add_len < 6 {
                o.push_str(TOO_SHORT);
                return false;
            }
            put(o, &[D(d.be16(5).into()), S("\n")]);
        }
        0 | 2 => {
            o.push_str("Progress indication: ");
            if add_len < 6 {
                o.push_str(TOO_SHORT);
                return false;
            }
            percent(o, d.be16(5), "%\n");
        }
        0x0a => {
            o.push_str("Segment pointer:\n");
            if add_len < 6 {
                o.push_str(TOO_SHORT);
                return false;
            }
            put(
                o,
                &[
                    S("        Relative to start of "),
                    S(segment_origin(d.at(4))),
                    S(", byte "),
                    D(d.be16(5).into()),
                ],
            );
            bit(o);
        }
        6 => {
            put(
                o,
                &[
                    S("Unit attention condition queue:\n        overflow flag is "),
                    D((d.at(4) & 1).into()),
                    S("\n"),
                ],
            );
        }
        _ => {
            put(o, &[S("Sense_key: 0x"), X(key.into()), S(" unexpected\n")]);
            return false;
        }
    }
    true
}

/// sg3_utils' progress percentage (`25.00`), then `tail`.
fn percent(o: &mut String, p: u16, tail: &str) {
    let (whole, hundredths) = Progress(p).sg3_percent();
    put(o, &[D(whole.into()), S(".")]);
    if hundredths < 10 {
        o.push('0');
    }
    put(o, &[D(hundredths.into()), S(tail)]);
}

/// `0x` and eight bytes from `d[at..]`, then a newline.
fn hex8(o: &mut String, d: Bytes<'_>, at: usize) {
    o.push_str("0x");
    for j in 0..8 {
        put(o, &[B(d.at(at + j))]);
    }
    o.push('\n');
}

/// The sense data descriptors of descriptor-format sense data of `sb_len` bytes.
fn descriptors(o: &mut String, b: Bytes<'_>, sb_len: usize) {
    if sb_len < 8 || b.at(7) == 0 {
        return;
    }
    let add_sb_len = usize::from(b.at(7)).min(sb_len - 8) as isize;
    let key = b.at(1) & 0x0f;
    let mut k: isize = 0;
    while k < add_sb_len {
        let start = 8 + k as usize;
        let d = Bytes(b.0.get(start..).unwrap_or(&[]));
        let mut add_len: isize = if k < add_sb_len - 1 {
            isize::from(d.at(1))
        } else {
            -1
        };
        if k + add_len + 2 > add_sb_len {
            add_len = add_sb_len - k - 2;
        }
        let desc_len = add_len + 2;
        o.push_str("  Descriptor type: ");
        let processed = descriptor(o, d, add_len, key);
        if !processed && add_len > 0 {
            o.push_str("    ");
            for j in 0..add_len as usize {
                if j > 0 && j % 24 == 0 {
                    o.push_str("\n    ");
                }
                put(o, &[B(d.at(j + 2)), S(" ")]);
            }
            o.push('\n');
        }
        if add_len < 0 {
            o.push_str("    short descriptor\n");
        }
        k += desc_len;
        if o.len() >= DECODE_CAP {
            break;
        }
    }
}

/// One descriptor after its `Descriptor type: `; false when its bytes are to be dumped.
fn descriptor(o: &mut String, d: Bytes<'_>, add_len: isize, key: u8) -> bool {
    let short = |o: &mut String| {
        o.push_str(TOO_SHORT);
        false
    };
    match d.at(0) {
        0x00 => {
            o.push_str("Information: ");
            if add_len < 10 {
                return short(o);
            }
            if d.at(2) & 0x80 == 0 {
                o.push_str("Valid=0 (-> vendor specific) ");
            }
            hex8(o, d, 4);
        }
        0x01 => {
            o.push_str("Command specific: ");
            if add_len < 10 {
                return short(o);
            }
            hex8(o, d, 4);
        }
        0x02 => {
            o.push_str("Sense key specific: ");
            return sks(o, d, add_len, key);
        }
        0x03 => {
            o.push_str("Field replaceable unit code: ");
            if add_len < 2 {
                return short(o);
            }
            put(o, &[S("0x"), X(d.at(3).into()), S("\n")]);
        }
        0x04 => {
            o.push_str("Stream commands: ");
            if add_len < 2 {
                return short(o);
            }
            let x = d.at(3);
            for (bit, name) in [
                (0x80, "FILEMARK"),
                (0x40, "End Of Medium (EOM)"),
                (0x20, "Incorrect Length Indicator (ILI)"),
            ] {
                if x & bit != 0 {
                    o.push_str(name);
                }
            }
            o.push('\n');
        }
        0x05 => {
            o.push_str("Block commands: ");
            if add_len < 2 {
                return short(o);
            }
            let set = if d.at(3) & 0x20 != 0 { "set" } else { "clear" };
            put(
                o,
                &[S("Incorrect Length Indicator (ILI) "), S(set), S("\n")],
            );
        }
        0x06 => {
            o.push_str("OSD object identification\n");
            return false;
        }
        0x07 => {
            o.push_str("OSD response integrity check value\n");
            return false;
        }
        0x08 => {
            o.push_str("OSD attribute identification\n");
            return false;
        }
        0x09 => {
            o.push_str("ATA Status Return: ");
            if add_len < 12 {
                return short(o);
            }
            let extend = d.at(2) & 1;
            let count = u16::from(d.at(5))
                + if extend != 0 {
                    u16::from(d.at(4)) << 8
                } else {
                    0
                };
            put(
                o,
                &[
                    S("extend="),
                    D(extend.into()),
                    S(" error=0x"),
                    X(d.at(3).into()),
                    S(" \n        count=0x"),
                    X(count.into()),
                    S(" "),
                ],
            );
            if extend != 0 {
                o.push_str("lba=0x");
                for i in [10, 8, 6, 11, 9, 7] {
                    put(o, &[B(d.at(i))]);
                }
                o.push(' ');
            } else {
                put(
                    o,
                    &[S("lba=0x"), B(d.at(11)), B(d.at(9)), B(d.at(7)), S(" ")],
                );
            }
            put(
                o,
                &[
                    S("device=0x"),
                    X(d.at(12).into()),
                    S(" status=0x"),
                    X(d.at(13).into()),
                    S("\n"),
                ],
            );
        }
        0x0a => {
            o.push_str("Another progress indication: ");
            if add_len < 6 {
                return short(o);
            }
            // sg3_utils 1.46 prints the hundredths after a literal ".02" (a slip in its
            // format string, kept: scripts see that text).
            let (whole, hundredths) = Progress(d.be16(6)).sg3_percent();
            put(
                o,
                &[D(whole.into()), S(".02"), D(hundredths.into()), S("%\n")],
            );
            put(
                o,
                &[
                    S("        [sense_key=0x"),
                    X(d.at(2).into()),
                    S(" asc,ascq=0x"),
                    X(d.at(3).into()),
                    S(",0x"),
                    X(d.at(4).into()),
                    S("]\n"),
                ],
            );
        }
        0x0b => {
            o.push_str("User data segment referral: ");
            if add_len < 2 {
                return short(o);
            }
            o.push('\n');
            referrals(o, d, add_len);
        }
        0x0c => {
            o.push_str("Forwarded sense data\n");
            if add_len < 2 {
                return short(o);
            }
            o.push_str(if d.at(2) & 0x80 != 0 {
                "    FSDT: set\n"
            } else {
                "    FSDT: clear\n"
            });
            o.push_str("    Sense data source: ");
            let src = d.at(2) & 0x0f;
            match src {
                0 => o.push_str("Extended copy command source device\n"),
                1..=7 => {
                    put(
                        o,
                        &[
                            S("Extended copy command destination device "),
                            D((src - 1).into()),
                            S("\n"),
                        ],
                    );
                }
                _ => {
                    put(o, &[S("unknown ["), D(src.into()), S("]\n")]);
                }
            }
            put(
                o,
                &[
                    S("    Forwarded status: "),
                    S(&status_name(d.at(3))),
                    S("\n"),
                ],
            );
            if add_len > 2 {
                o.push_str(" vvvvvvvvvvvvvvvv\n");
                let inner: Vec<u8> = (0..(add_len - 2) as usize).map(|i| d.at(4 + i)).collect();
                let mut s = sense_str(&inner, false);
                // Decoded into a 480-byte buffer.
                s.truncate(479);
                o.push_str(&s);
                o.push_str(" ^^^^^^^^^^^^^^^^\n");
            }
        }
        0x0d => {
            o.push_str("Direct-access block device\n");
            if add_len < 28 {
                return short(o);
            }
            let mut processed = true;
            if d.at(2) & 0x20 != 0 {
                o.push_str("    ILI (incorrect length indication) set\n");
            }
            if d.at(4) & 0x80 != 0 {
                o.push_str("    Sense key specific: ");
                processed = sks(o, d, add_len, key);
            }
            put(
                o,
                &[
                    S("    Field replaceable unit code: 0x"),
                    X(d.at(7).into()),
                    S("\n"),
                ],
            );
            if d.at(2) & 0x80 != 0 {
                o.push_str("    Information: ");
                hex8(o, d, 8);
            }
            o.push_str("    Command specific: ");
            hex8(o, d, 16);
            return processed;
        }
        0x0f => {
            o.push_str("Microcode activation ");
            if add_len < 6 {
                return short(o);
            }
            match d.be16(6) {
                0 => o.push_str("time: unknown\n"),
                t => {
                    put(o, &[S("time: "), D(t.into()), S(" seconds\n")]);
                }
            }
        }
        t if t >= 0x80 && t != 0xde => {
            put(o, &[S("Vendor specific [0x"), X(t.into()), S("]\n")]);
            return false;
        }
        0xde => {
            o.push_str("NVMe Status: ");
            if add_len < 6 {
                return short(o);
            }
            let sct_sc = d.be16(6);
            put(
                o,
                &[
                    S("DNR="),
                    D((d.at(5) >> 7).into()),
                    S(", M="),
                    D(((d.at(5) >> 6) & 1).into()),
                    S(", SCT_SC=0x"),
                    X(sct_sc.into()),
                    S("\n"),
                ],
            );
            if sct_sc > 0 {
                // sgmap drives no NVMe device and carries no NVMe status names.
                put(o, &[S("    NVMe status 0x"), X(sct_sc.into()), S("\n")]);
            }
        }
        t => {
            put(o, &[S("Unknown [0x"), X(t.into()), S("]\n")]);
            return false;
        }
    }
    true
}

/// SBC's user data segment referral descriptor (0Bh).
fn referrals(o: &mut String, d: Bytes<'_>, add_len: isize) {
    let dlen = add_len - 2;
    put(
        o,
        &[
            S("   Not all referrals: "),
            D((d.at(2) & 1).into()),
            S("\n"),
        ],
    );
    let mut at = 4usize;
    let mut k: isize = 0;
    let mut f = 1u64;
    while k + 4 < dlen {
        let groups = usize::from(d.at(at + 3));
        let g = (groups * 4 + 20) as isize;
        put(o, &[S("    Descriptor "), D(f), S("\n")]);
        if k + g > dlen {
            o.push_str("      truncated descriptor, stop\n");
            return;
        }
        let be64 = |i: usize| (0..8).fold(0u64, |acc, j| acc << 8 | u64::from(d.at(i + j)));
        put(
            o,
            &[
                S("      first uds LBA: 0x"),
                X(be64(at + 4)),
                S("\n      last uds LBA:  0x"),
                X(be64(at + 12)),
                S("\n"),
            ],
        );
        for j in 0..groups {
            let tp = at + 20 + j * 4;
            let state = match d.at(tp) & 0x0f {
                0x0 => "active/optimized".to_owned(),
                0x1 => "active/non optimized".to_owned(),
                0x2 => "standby".to_owned(),
                0x3 => "unavailable".to_owned(),
                0xe => "offline".to_owned(),
                0xf => "transitioning between states".to_owned(),
                s => {
                    let mut t = String::from("unknown: 0x");
                    radix(&mut t, s.into(), 16);
                    t
                }
            };
            put(
                o,
                &[
                    S("        tpg: "),
                    D(d.be16(tp + 2).into()),
                    S("  state: "),
                    S(&state),
                    S("\n"),
                ],
            );
        }
        k += g;
        at += g as usize;
        f += 1;
    }
}

/// What `sg_decode_sense` prints for `bytes` (its `-v` adds the raw hex): the decode cut
/// to its buffer, then a newline.
pub fn decode_sense(bytes: &[u8], raw: bool) -> String {
    let mut s = sense_str(bytes, raw);
    s.truncate(DECODE_CAP);
    s.push('\n');
    s
}
