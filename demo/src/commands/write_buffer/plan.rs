//! write-buffer's arithmetic: the mode names of sg_write_buffer, `--bpw=CHUNK[,act]`, and
//! the chunk plan (each chunk's buffer offset and length), checked before any device is
//! opened. Pure, with host tests.

use core::fmt;
use std::fmt::Write as _;

use crate::args::parse_num;

/// WRITE BUFFER's buffer offset and parameter list length are 24-bit fields (SPC-5 §6.49).
pub const MAX_FIELD: u64 = 0x00ff_ffff;

/// `MODE_ACTIVATE_MC`.
pub const MODE_ACTIVATE: u8 = 0xf;

/// sg_write_buffer's modes, with the three obsolete or expander ones it also lists.
pub const TOOL_MODES: &[(&str, u8, &str)] = &[
    ("hd", 0x0, "combined header and data (obsolete)"),
    ("vendor", 0x1, "vendor specific"),
    ("data", 0x2, "data"),
    ("dmc", 0x4, "download microcode and activate"),
    ("dmc_save", 0x5, "download microcode, save and activate"),
    ("dmc_offs", 0x6, "download microcode with offsets and activate"),
    ("dmc_offs_save", 0x7, "download microcode with offsets, save and\n\t\t\t\tactivate"),
    ("echo", 0xa, "write data to echo buffer"),
    (
        "dmc_offs_ev_defer",
        0xd,
        "download microcode with offsets, select\n\t\t\t\tactivation event, save and defer activation",
    ),
    (
        "dmc_offs_defer",
        0xe,
        "download microcode with offsets, save and\n\t\t\t\tdefer activation",
    ),
    ("activate_mc", 0xf, "activate deferred microcode"),
    (
        "en_ex",
        0x1a,
        "enable expander communications protocol and\n\t\t\t\techo buffer (obsolete)",
    ),
    ("dis_ex", 0x1b, "disable expander communications protocol\n\t\t\t\t(obsolete)"),
    ("deh", 0x1c, "download application client error history "),
];

/// `--mode` as sg_write_buffer takes it: a number (0 to 31) when it starts with a digit,
/// else the first acronym the text begins (`dmc_o` is dmc_offs). `None` when neither.
pub fn parse_mode_as_tool(s: &str) -> Option<u8> {
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        return parse_num(s).ok().filter(|&n| n <= 31).map(|n| n as u8);
    }
    TOOL_MODES
        .iter()
        .find(|(name, _, _)| name.starts_with(s))
        .map(|&(_, n, _)| n)
}

/// sg_write_buffer's list of modes (`-m xxx`, `-hh`).
pub fn modes_text() -> String {
    let mut s = String::from(
        "The modes parameter argument can be numeric (hex or decimal)\nor symbolic:\n",
    );
    for (name, n, what) in TOOL_MODES {
        let _ = writeln!(s, " {n:2} (0x{n:02x})  {name:<18}{what}");
    }
    s.push_str(
        "\nAdditionally '--bpw=<val>,act' does a activate deferred microcode after\n\
         successful dmc_offs_defer and dmc_offs_ev_defer mode downloads.\n",
    );
    s
}

/// The acronym of a mode, if it has one.
pub fn mode_name(mode: u8) -> Option<&'static str> {
    TOOL_MODES
        .iter()
        .find(|(_, n, _)| *n == mode)
        .map(|(name, _, _)| *name)
}

/// Whether the mode uses the buffer offset field, so that an image may be sent in chunks.
pub fn is_offset_mode(mode: u8) -> bool {
    matches!(mode, 0x1 | 0x2 | 0x6 | 0x7 | 0xd | 0xe)
}

/// Parses `--bpw=CHUNK[,act]`.
pub fn parse_bpw(s: &str) -> Result<(u32, bool), String> {
    // As sg_write_buffer: text after the comma other than 'act' is ignored, and 0 is one
    // command for the whole image (',act' then does nothing).
    let (num, act) = match s.split_once(',') {
        Some((num, rest)) => (num, rest.starts_with("act")),
        None => (s, false),
    };
    match parse_num(num) {
        Ok(0) => Ok((0, false)),
        Ok(n) if n <= MAX_FIELD => Ok((n as u32, act)),
        Ok(_) => Err(format!(
            "--bpw={s}: chunk size exceeds the 24-bit length field ({MAX_FIELD})"
        )),
        Err(e) => Err(format!("--bpw={s}: {e}")),
    }
}

/// What the operands ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// The mode field.
    pub mode: u8,
    /// `--id`: buffer id.
    pub id: u8,
    /// `--offset`: buffer offset of the first byte.
    pub offset: u64,
    /// `--bpw`: chunk size, 0 for one transfer.
    pub bpw: u32,
    /// `,act`: a final ACTIVATE DEFERRED MICROCODE.
    pub activate: bool,
    /// Bytes in the image file.
    pub file_len: u64,
    /// `--length`: bytes to send (the image cut or padded with 0xff); None: the file's.
    pub length: Option<u64>,
}

/// One WRITE BUFFER command of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    /// The mode field.
    pub mode: u8,
    /// The buffer offset field.
    pub offset: u32,
    /// Where the chunk's bytes start in the image.
    pub image_offset: u64,
    /// The parameter list length field.
    pub length: u32,
}

/// Why a plan is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    /// The message.
    pub message: String,
    /// Contradicting options (exit 31) rather than a bad value (exit 1).
    pub contradiction: bool,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn bad(message: String) -> PlanError {
    PlanError {
        message,
        contradiction: false,
    }
}

fn contra(message: String) -> PlanError {
    PlanError {
        message,
        contradiction: true,
    }
}

/// The chunks of a download, in order; the activate, if asked, is the last.
pub fn plan(r: &Request) -> Result<Vec<Chunk>, PlanError> {
    let len = r.length.unwrap_or(r.file_len);
    if len > MAX_FIELD && r.bpw == 0 {
        return Err(bad(format!(
            "{len} bytes exceed the 24-bit parameter list length: give --bpw=CHUNK"
        )));
    }
    if r.offset > MAX_FIELD {
        return Err(bad(format!(
            "--offset={}: exceeds the 24-bit buffer offset field",
            r.offset
        )));
    }
    if r.offset != 0 && !is_offset_mode(r.mode) {
        return Err(contra(format!(
            "--offset={} with mode {:#x}, which has no buffer offset",
            r.offset, r.mode
        )));
    }
    if r.mode == MODE_ACTIVATE && len != 0 {
        return Err(contra(format!(
            "mode activate_mc (0xf) sends no data, but {len} bytes are given"
        )));
    }
    let mut chunks = Vec::new();
    let chunk = if r.bpw == 0 {
        len.max(1)
    } else {
        u64::from(r.bpw)
    };
    if r.bpw != 0 && len > chunk && !is_offset_mode(r.mode) {
        return Err(contra(format!(
            "--bpw={} splits {len} bytes, but mode {:#x} has no buffer offset: each chunk \
             would replace the last (use an offset mode such as dmc_offs_save)",
            r.bpw, r.mode
        )));
    }
    let mut k = 0u64;
    loop {
        let n = (len - k).min(chunk);
        let offset = r.offset + k;
        if offset > MAX_FIELD {
            return Err(bad(format!(
                "chunk at image offset {k}: buffer offset {offset} exceeds the 24-bit field"
            )));
        }
        chunks.push(Chunk {
            mode: r.mode,
            offset: offset as u32,
            image_offset: k,
            length: n as u32,
        });
        k += n;
        if k >= len {
            break;
        }
    }
    if r.activate {
        chunks.push(Chunk {
            mode: MODE_ACTIVATE,
            offset: 0,
            image_offset: len,
            length: 0,
        });
    }
    Ok(chunks)
}

/// The largest data chunk of a plan, in bytes.
pub fn largest(chunks: &[Chunk]) -> u32 {
    chunks.iter().map(|c| c.length).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(mode: u8, file_len: u64) -> Request {
        Request {
            mode,
            id: 0,
            offset: 0,
            bpw: 0,
            activate: false,
            file_len,
            length: None,
        }
    }

    #[test]
    fn modes_by_name_and_number() {
        let m = parse_mode_as_tool;
        assert_eq!(m("dmc_save"), Some(5));
        assert_eq!(m("dmc_offs_save"), Some(7));
        assert_eq!(m("dmc_offs_defer"), Some(0xe));
        assert_eq!(m("activate_mc"), Some(0xf));
        assert_eq!(m("hd"), Some(0));
        assert_eq!(m("echo"), Some(0xa));
        assert_eq!(m("deh"), Some(0x1c));
        // As sg_write_buffer: the first acronym the text begins.
        assert_eq!(m("dmc_o"), Some(6));
        assert_eq!(m("d"), Some(2));
        assert_eq!(m("0xe"), Some(0xe));
        assert_eq!(m("5"), Some(5));
        assert_eq!(m("0x1f"), Some(0x1f));
        assert_eq!(m("0x20"), None);
        assert_eq!(m("dmc_foo"), None);
        assert!(modes_text().contains(" 28 (0x1c)  deh"));
        assert_eq!(mode_name(0xd), Some("dmc_offs_ev_defer"));
        assert_eq!(mode_name(0x1f), None);
    }

    #[test]
    fn bpw_with_and_without_act() {
        assert_eq!(parse_bpw("4k"), Ok((4096, false)));
        assert_eq!(parse_bpw("0x1000,act"), Ok((4096, true)));
        assert_eq!(parse_bpw("0"), Ok((0, false)));
        assert_eq!(parse_bpw("0,act"), Ok((0, false)));
        assert_eq!(parse_bpw("4k,now"), Ok((4096, false)));
        assert!(parse_bpw("16m").is_err());
        assert!(parse_bpw(",act").is_err());
    }

    #[test]
    fn one_chunk_without_bpw() {
        let c = plan(&req(5, 10_000)).unwrap();
        assert_eq!(
            c,
            [Chunk {
                mode: 5,
                offset: 0,
                image_offset: 0,
                length: 10_000
            }]
        );
        assert_eq!(largest(&c), 10_000);
    }

    #[test]
    fn chunks_at_offset_plus_k_then_activate() {
        let r = Request {
            offset: 0x100,
            bpw: 4096,
            activate: true,
            ..req(0xe, 10_000)
        };
        let c = plan(&r).unwrap();
        let got: Vec<(u8, u32, u64, u32)> = c
            .iter()
            .map(|c| (c.mode, c.offset, c.image_offset, c.length))
            .collect();
        assert_eq!(
            got,
            [
                (0xe, 0x100, 0, 4096),
                (0xe, 0x1100, 4096, 4096),
                (0xe, 0x2100, 8192, 1808),
                (0xf, 0, 10_000, 0),
            ]
        );
        assert_eq!(largest(&c), 4096);
    }

    #[test]
    fn exact_multiple_has_no_empty_tail() {
        let r = Request {
            bpw: 1024,
            ..req(7, 4096)
        };
        assert_eq!(plan(&r).unwrap().len(), 4);
    }

    #[test]
    fn length_pads_or_cuts_the_image() {
        let r = Request {
            length: Some(8192),
            bpw: 4096,
            ..req(7, 5000)
        };
        let c = plan(&r).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].length, 4096);
        let r = Request {
            length: Some(100),
            ..req(5, 5000)
        };
        assert_eq!(plan(&r).unwrap()[0].length, 100);
    }

    #[test]
    fn activate_alone_sends_nothing() {
        let c = plan(&req(0xf, 0)).unwrap();
        assert_eq!(
            c,
            [Chunk {
                mode: 0xf,
                offset: 0,
                image_offset: 0,
                length: 0
            }]
        );
        assert!(plan(&req(0xf, 10)).unwrap_err().contradiction);
    }

    #[test]
    fn refusals() {
        // Chunks of a mode without offsets would overwrite each other.
        let r = Request {
            bpw: 1024,
            ..req(5, 4096)
        };
        assert!(plan(&r).unwrap_err().contradiction);
        // But a single chunk is fine.
        let r = Request {
            bpw: 8192,
            ..req(5, 4096)
        };
        assert_eq!(plan(&r).unwrap().len(), 1);
        let r = Request {
            offset: 16,
            ..req(5, 4096)
        };
        assert!(plan(&r).unwrap_err().contradiction);
        let e = plan(&req(7, 1 << 24)).unwrap_err();
        assert!(!e.contradiction && e.message.contains("--bpw"));
        let r = Request {
            offset: MAX_FIELD + 1,
            ..req(7, 1)
        };
        assert!(!plan(&r).unwrap_err().contradiction);
        let r = Request {
            offset: MAX_FIELD - 10,
            bpw: 8,
            ..req(7, 100)
        };
        assert!(plan(&r).unwrap_err().message.contains("24-bit"));
    }
}
