//! The T10 ASC/ASCQ names as static data (feature `asc-strings`).
//!
//! The list is T10's "SCSI ASC/ASCQ Assignments" (asc-num.txt, the SPC annex of additional
//! sense codes): every named pair, in the capitalisation sg3_utils prints. It was checked
//! against sg3_utils 1.46 `sg_decode_sense` for every ASC below 80h with every ASCQ: the
//! same names, ranges and vendor-specific wording. The ranges (40h/NN, 41h/NN, 42h/NN,
//! 4Dh/NN, 70h/NN) are in [`RANGES`], not in the table.
//!
//! To add a pair T10 assigns later: insert its line in `asc.txt`, in code order (the build
//! fails on a line out of order).
//!
//! # Layout
//!
//! The names are written once, in `asc.txt`; the build script makes the statics the binary
//! holds: `KEYS` (the sorted `ASC << 8 | ASCQ` codes, 2 bytes each), `OFFSETS` (where each
//! name starts in `PACKED`, 2 bytes each), `PACKED` (the names back to back, packed by byte
//! pairs, [`crate::packed`]) and `PAIRS`. A look-up is a binary search of `KEYS` and a slice
//! of `PACKED`: no pointers per entry (a `&[(u16, &str)]` table would spend 12 bytes per
//! entry on 32-bit targets, 24 on 64-bit, before the text), no relocations, and the whole
//! lives in flash, at about half the names' length.

use crate::packed::PackedStr;

include!(concat!(env!("OUT_DIR"), "/asc_table.rs"));

/// The name of the exact pair `asc`/`ascq`, if T10 names it.
pub(crate) fn lookup(asc: u8, ascq: u8) -> Option<PackedStr> {
    let code = u16::from_be_bytes([asc, ascq]);
    let i = KEYS.binary_search(&code).ok()?;
    let start = usize::from(*OFFSETS.get(i)?);
    let end = usize::from(*OFFSETS.get(i + 1)?);
    Some(PackedStr::new(&PAIRS, PACKED.get(start..end)?))
}

/// The ranges T10 names with a number inside them, as sg3_utils prints them: `(asc, first
/// ascq, last ascq, text)`. sg3_utils renders `text [0xNN]` (`text 0xNN` for 70h/NN).
pub(crate) static RANGES: [(u8, u8, u8, &str); 6] = [
    (0x40, 0x01, 0x7f, "Ram failure"),
    (0x40, 0x80, 0xff, "Diagnostic failure on component"),
    (0x41, 0x01, 0xff, "Data path failure"),
    (0x42, 0x01, 0xff, "Power-on or self-test failure"),
    (0x4d, 0x00, 0xff, "Tagged overlapped commands"),
    (
        0x70,
        0x00,
        0xff,
        "Decompression exception short algorithm id of",
    ),
];

/// The range text for `asc`/`ascq`, if the pair falls in one of [`RANGES`].
pub(crate) fn range(asc: u8, ascq: u8) -> Option<&'static str> {
    RANGES
        .iter()
        .find(|&&(a, lo, hi, _)| a == asc && (lo..=hi).contains(&ascq))
        .map(|&(_, _, _, text)| text)
}

/// Bytes the table occupies in the binary: keys, offsets, packed text and pairs (not
/// counting [`RANGES`]).
pub(crate) const TABLE_BYTES: usize = core::mem::size_of_val(&KEYS)
    + core::mem::size_of_val(&OFFSETS)
    + core::mem::size_of_val(&PACKED)
    + core::mem::size_of_val(&PAIRS);
