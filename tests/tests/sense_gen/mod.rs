//! Seeded random sense buffers for the sg_decode_sense conformance tests, and the
//! comparison of one decode.

#![allow(dead_code)]

use crate::cli_common::*;

/// xorshift64*: a small deterministic generator, so that every run sees the same buffers.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn byte(&mut self) -> u8 {
        self.next() as u8
    }
    pub fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len() as u64) as usize]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A fixed-format sense buffer: realistic often (18 bytes, additional length 10, named
/// ASCs, SKSV and each sense key), cut short or stretched sometimes.
pub fn fixed(r: &mut Rng) -> Vec<u8> {
    let mut b: Vec<u8> = (0..48).map(|_| r.byte()).collect();
    b[0] = r.pick(&[0x70, 0x71, 0xf0, 0xf1]);
    b[2] = (b[2] & 0xf0) | r.below(16) as u8;
    let wild = r.byte();
    b[7] = r.pick(&[10, 10, 10, 0, 6, 14, 30, wild]);
    if r.chance(50) {
        b[12] = r.pick(&[
            0x00, 0x04, 0x11, 0x20, 0x24, 0x29, 0x3f, 0x40, 0x41, 0x4d, 0x5d, 0x70,
        ]);
    }
    if r.chance(15) {
        b[12] = 0;
        b[13] = 0x1d;
    }
    if r.chance(30) {
        b[14] = 0;
    }
    let len = if r.chance(70) {
        18
    } else {
        1 + r.below(40) as usize
    };
    b.truncate(len);
    b
}

/// A descriptor-format sense buffer: zero to four descriptors of the types sg3_utils
/// decodes (and some it does not), mostly of their proper lengths.
pub fn descriptor(r: &mut Rng) -> Vec<u8> {
    let mut b = vec![
        r.pick(&[0x72, 0x73]),
        r.byte(),
        r.byte(),
        r.byte(),
        r.pick(&[0, 0x80]),
        0,
        0,
        0,
    ];
    let mut descs = Vec::new();
    for _ in 0..r.below(5) {
        let t = r.pick(&[
            0x00, 0x01, 0x02, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
            0x0d, 0x0f, 0x10, 0x33, 0x80, 0xfe,
        ]);
        let mut len = match t {
            0x00 | 0x01 => 10,
            0x02 | 0x0a | 0x0f => 6,
            0x03..=0x05 => 2,
            0x09 => 12,
            0x0d => 30,
            _ => r.below(20) as u8,
        };
        if r.chance(15) {
            len = r.below(14) as u8;
        }
        descs.push(t);
        descs.push(len);
        descs.extend((0..len).map(|_| r.byte()));
    }
    b[7] = if r.chance(80) {
        descs.len().min(255) as u8
    } else {
        r.byte()
    };
    b.extend(descs);
    if r.chance(20) {
        let keep = 1 + r.below(b.len() as u64) as usize;
        b.truncate(keep);
    }
    b
}

/// The bytes as operands, two hex digits each.
pub fn hex_args(b: &[u8]) -> Vec<String> {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Every `LINK_EVERY`th buffer also goes through the link named sg_decode_sense (the same
/// code as `sgmap sense`; a process less per buffer keeps a binary inside the guest's time
/// limit under TCG).
pub const LINK_EVERY: usize = 8;

/// `bytes` decoded by `sgmap sense` (and, when `link`, by the link) and by
/// sg_decode_sense, with `extra` options first: the same status and stdout.
pub fn decodes_the_same(bytes: &[u8], extra: &[&str], link: bool) {
    let hex = hex_args(bytes);
    let mut args: Vec<&str> = extra.to_vec();
    args.extend(hex.iter().map(String::as_str));
    if link {
        same_as_tool("sense", "sg_decode_sense", &args);
        return;
    }
    let theirs = sg3("sg_decode_sense", &args);
    let mut sub = vec!["sense"];
    sub.extend_from_slice(&args);
    same_text(&sgmap(&sub), &theirs);
}

/// `n` buffers from `seed`, each decoded by sgmap and sg_decode_sense (and every
/// `LINK_EVERY`th by the link) with `extra` options first.
pub fn random_buffers_decode_the_same(seed: u64, n: usize, extra: &[&str]) {
    let mut r = Rng(seed);
    for k in 0..n {
        let b = if r.chance(50) {
            fixed(&mut r)
        } else {
            descriptor(&mut r)
        };
        decodes_the_same(&b, extra, k.is_multiple_of(LINK_EVERY));
    }
}
