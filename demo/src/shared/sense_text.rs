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
        format!("Additional sense: {a}")
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
        _ => return format!("Unknown status [0x{s:x}]"),
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
            let _ = write!(out, "{b:02x}");
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
        let _ = writeln!(o, "{what}; Sense key: {}", key_name(key));
        if ovfl {
            o.push_str("<<<Sense data overflow (SDAT_OVFL)>>>\n");
        }
        if descriptor {
            let _ = writeln!(o, "{}", asc_line(asc, ascq));
            descriptors(&mut o, b, len);
        } else if len > 12 && asc == 0 && ascq == 0x1d {
            let _ = writeln!(o, "{}", asc_line(asc, ascq));
            ata_pass_through_fixed(&mut o, b, key);
        } else if len > 2 {
            if len > 12 {
                let _ = writeln!(o, "{}", asc_line(asc, ascq));
            }
            let mut r = String::new();
            fixed(&mut r, b, len, key, valid);
            // sg3_utils builds these lines in a 256-byte buffer.
            r.truncate(255);
            o.push_str(&r);
        } else {
            let _ = writeln!(o, " fixed descriptor length too short, len={len}");
        }
    } else if sb_len < 4 {
        o.push_str("sense buffer too short (4 byte minimum)\n");
    } else if code == 0x7f {
        o.push_str("Vendor specific sense buffer, in hex:\n");
        hex_lines(&mut o, "", bytes);
        return o;
    } else {
        o.push_str("Probably uninitialized data.\n  Try to view as SCSI-1 non-extended sense:\n");
        let _ = writeln!(
            o,
            "  AdValid={}  Error class={}  Error code={}",
            u8::from(valid),
            (b.at(0) >> 4) & 7,
            b.at(0) & 0x0f
        );
        if valid {
            let lba = u32::from_be_bytes([0, b.at(1), b.at(2), b.at(3)]) & 0x1f_ffff;
            let _ = writeln!(o, "  lba=0x{lba:x}");
        }
        o.push('\n');
    }
    if raw {
        let _ = write!(o, " Raw sense data (in hex), sb_len={sb_len}");
        let embed = if sb_len > 7 && (0x70..0x74).contains(&b.at(0)) {
            let e = usize::from(b.at(7)) + 8;
            let _ = writeln!(o, ", embedded_len={e}");
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
            let _ = write!(r, "  Info fld=0x{info:x} [{info}] ");
        } else if info > 0 {
            let _ = write!(r, "  Valid=0, Info fld=0x{info:x} [{info}] ");
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
        let _ = writeln!(r, "  Field replaceable unit code: {}", b.at(14));
    }
    if len >= 18 && b.at(15) & 0x80 != 0 {
        let b15 = b.at(15);
        let bit = |r: &mut String| {
            if b15 & 0x08 != 0 {
                let _ = write!(r, " bit {}", b15 & 7);
            }
            r.push('\n');
        };
        match key {
            5 => {
                let _ = write!(
                    r,
                    "  Sense Key Specific: Error in {}: byte {}",
                    if b15 & 0x40 != 0 {
                        "Command"
                    } else {
                        "Data parameters"
                    },
                    b.be16(16)
                );
                bit(r);
            }
            0 | 2 => {
                let _ = writeln!(r, "  Progress indication: {}", Progress(b.be16(16)));
            }
            1 | 3 | 4 => {
                let _ = writeln!(
                    r,
                    "  Actual retry count: 0x{:02x}{:02x}",
                    b.at(16),
                    b.at(17)
                );
            }
            0x0a => {
                let _ = write!(
                    r,
                    "  Segment pointer: Relative to start of {}, byte {}",
                    segment_origin(b15),
                    b.be16(16)
                );
                bit(r);
            }
            6 => {
                let _ = writeln!(
                    r,
                    "  Unit attention condition queue: overflow flag is {}",
                    b15 & 1
                );
            }
            _ => {
                let _ = writeln!(r, "  Sense_key: 0x{key:x} unexpected");
            }
        }
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
    let plus = |set: bool| if set { '+' } else { ' ' };
    let _ = writeln!(
        o,
        "  error=0x{:x}, status=0x{:x}, device=0x{:x}, count(7:0)=0x{:x}{}",
        b.at(3),
        b.at(4),
        b.at(5),
        b.at(6),
        plus(flags & 0x40 != 0)
    );
    let _ = writeln!(
        o,
        "  extend={}, log_index=0x{:x}, lba_high,mid,low(7:0)=0x{:x},0x{:x},0x{:x}{}",
        u8::from(flags & 0x80 != 0),
        flags & 0x0f,
        b.at(9),
        b.at(10),
        b.at(11),
        plus(flags & 0x20 != 0)
    );
}

const TOO_SHORT: &str = "   >> descriptor too short";

/// The sense-key-specific bytes at `d[4..7]` of a descriptor (types 02h and 0Dh); false
/// when the bytes are to be dumped after.
fn sks(o: &mut String, d: Bytes<'_>, add_len: isize, key: u8) -> bool {
    let bit = |o: &mut String| {
        if d.at(4) & 0x08 != 0 {
            let _ = write!(o, " bit {}", d.at(4) & 7);
        }
        o.push('\n');
    };
    match key {
        5 => {
            o.push_str("Field pointer:");
            if add_len < 6 {
                o.push(' ');
                let _ = writeln!(o, "{TOO_SHORT}");
                return false;
            }
            let _ = write!(
                o,
                "\n        Error in {}: byte {}",
                if d.at(4) & 0x40 != 0 {
                    "Command"
                } else {
                    "Data parameters"
                },
                d.be16(5)
            );
            bit(o);
        }
        1 | 3 | 4 => {
            o.push_str("Actual retry count: ");
            if add_len < 6 {
                let _ = writeln!(o, "{TOO_SHORT}");
                return false;
            }
            let _ = writeln!(o, "{}", d.be16(5));
        }
        0 | 2 => {
            o.push_str("Progress indication: ");
            if add_len < 6 {
                let _ = writeln!(o, "{TOO_SHORT}");
                return false;
            }
            let _ = writeln!(o, "{}", Progress(d.be16(5)));
        }
        0x0a => {
            o.push_str("Segment pointer:\n");
            if add_len < 6 {
                let _ = writeln!(o, "{TOO_SHORT}");
                return false;
            }
            let _ = write!(
                o,
                "        Relative to start of {}, byte {}",
                segment_origin(d.at(4)),
                d.be16(5)
            );
            bit(o);
        }
        6 => {
            let _ = writeln!(
                o,
                "Unit attention condition queue:\n        overflow flag is {}",
                d.at(4) & 1
            );
        }
        _ => {
            let _ = writeln!(o, "Sense_key: 0x{key:x} unexpected");
            return false;
        }
    }
    true
}

/// `0x` and eight bytes from `d[at..]`, then a newline.
fn hex8(o: &mut String, d: Bytes<'_>, at: usize) {
    o.push_str("0x");
    for j in 0..8 {
        let _ = write!(o, "{:02x}", d.at(at + j));
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
                let _ = write!(o, "{:02x} ", d.at(j + 2));
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
        let _ = writeln!(o, "{TOO_SHORT}");
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
            let _ = writeln!(o, "0x{:x}", d.at(3));
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
            let _ = writeln!(o, "Incorrect Length Indicator (ILI) {set}");
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
            let _ = write!(
                o,
                "extend={extend} error=0x{:x} \n        count=0x{count:x} ",
                d.at(3)
            );
            if extend != 0 {
                let _ = write!(o, "lba=0x");
                for i in [10, 8, 6, 11, 9, 7] {
                    let _ = write!(o, "{:02x}", d.at(i));
                }
                o.push(' ');
            } else {
                let _ = write!(o, "lba=0x{:02x}{:02x}{:02x} ", d.at(11), d.at(9), d.at(7));
            }
            let _ = writeln!(o, "device=0x{:x} status=0x{:x}", d.at(12), d.at(13));
        }
        0x0a => {
            o.push_str("Another progress indication: ");
            if add_len < 6 {
                return short(o);
            }
            // sg3_utils 1.46 prints the hundredths after a literal ".02" (a slip in its
            // format string, kept: scripts see that text).
            let (whole, hundredths) = Progress(d.be16(6)).sg3_percent();
            let _ = writeln!(o, "{whole}.02{hundredths}%");
            let _ = writeln!(
                o,
                "        [sense_key=0x{:x} asc,ascq=0x{:x},0x{:x}]",
                d.at(2),
                d.at(3),
                d.at(4)
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
            let _ = writeln!(
                o,
                "    FSDT: {}",
                if d.at(2) & 0x80 != 0 { "set" } else { "clear" }
            );
            o.push_str("    Sense data source: ");
            let src = d.at(2) & 0x0f;
            match src {
                0 => o.push_str("Extended copy command source device\n"),
                1..=7 => {
                    let _ = writeln!(o, "Extended copy command destination device {}", src - 1);
                }
                _ => {
                    let _ = writeln!(o, "unknown [{src}]");
                }
            }
            let _ = writeln!(o, "    Forwarded status: {}", status_name(d.at(3)));
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
            let _ = writeln!(o, "    Field replaceable unit code: 0x{:x}", d.at(7));
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
                    let _ = writeln!(o, "time: {t} seconds");
                }
            }
        }
        t if t >= 0x80 && t != 0xde => {
            let _ = writeln!(o, "Vendor specific [0x{t:x}]");
            return false;
        }
        0xde => {
            o.push_str("NVMe Status: ");
            if add_len < 6 {
                return short(o);
            }
            let sct_sc = d.be16(6);
            let _ = writeln!(
                o,
                "DNR={}, M={}, SCT_SC=0x{sct_sc:x}",
                u8::from(d.at(5) & 0x80 != 0),
                u8::from(d.at(5) & 0x40 != 0)
            );
            if sct_sc > 0 {
                // sgmap drives no NVMe device and carries no NVMe status names.
                let _ = writeln!(o, "    NVMe status 0x{sct_sc:x}");
            }
        }
        t => {
            let _ = writeln!(o, "Unknown [0x{t:x}]");
            return false;
        }
    }
    true
}

/// SBC's user data segment referral descriptor (0Bh).
fn referrals(o: &mut String, d: Bytes<'_>, add_len: isize) {
    let dlen = add_len - 2;
    let _ = writeln!(o, "   Not all referrals: {}", d.at(2) & 1);
    let mut at = 4usize;
    let mut k: isize = 0;
    let mut f = 1;
    while k + 4 < dlen {
        let groups = usize::from(d.at(at + 3));
        let g = (groups * 4 + 20) as isize;
        let _ = writeln!(o, "    Descriptor {f}");
        if k + g > dlen {
            o.push_str("      truncated descriptor, stop\n");
            return;
        }
        let be64 = |i: usize| (0..8).fold(0u64, |acc, j| acc << 8 | u64::from(d.at(i + j)));
        let _ = writeln!(o, "      first uds LBA: 0x{:x}", be64(at + 4));
        let _ = writeln!(o, "      last uds LBA:  0x{:x}", be64(at + 12));
        for j in 0..groups {
            let tp = at + 20 + j * 4;
            let state = match d.at(tp) & 0x0f {
                0x0 => "active/optimized".to_owned(),
                0x1 => "active/non optimized".to_owned(),
                0x2 => "standby".to_owned(),
                0x3 => "unavailable".to_owned(),
                0xe => "offline".to_owned(),
                0xf => "transitioning between states".to_owned(),
                s => format!("unknown: 0x{s:x}"),
            };
            let _ = writeln!(o, "        tpg: {}  state: {state}", d.be16(tp + 2));
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
