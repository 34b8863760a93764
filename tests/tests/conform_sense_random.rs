//! `sgmap sense` and the link named `sg_decode_sense` beside sg3_utils 1.46's
//! `sg_decode_sense` on a few thousand random fixed and descriptor sense buffers from a
//! seeded generator (the same buffers on every run), with and without `-v`, and on bytes
//! that are not sense data: the same exit status and stdout (issue 18).

mod cli_common;

use cli_common::*;

/// xorshift64*: a small deterministic generator, so that every run sees the same buffers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
    fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A fixed-format sense buffer: realistic often (18 bytes, additional length 10, named
/// ASCs, SKSV and each sense key), cut short or stretched sometimes.
fn fixed(r: &mut Rng) -> Vec<u8> {
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
fn descriptor(r: &mut Rng) -> Vec<u8> {
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

fn hex_args(b: &[u8]) -> Vec<String> {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `n` buffers from `seed`, each decoded by sgmap, the link and sg_decode_sense with
/// `extra` options first.
fn random_buffers_decode_the_same(seed: u64, n: usize, extra: &[&str]) {
    let mut r = Rng(seed);
    for _ in 0..n {
        let b = if r.chance(50) {
            fixed(&mut r)
        } else {
            descriptor(&mut r)
        };
        let hex = hex_args(&b);
        let mut args: Vec<&str> = extra.to_vec();
        args.extend(hex.iter().map(String::as_str));
        same_as_tool("sense", "sg_decode_sense", &args);
    }
}

#[test]
fn sense_random_fixed_and_descriptor_buffers_decode_as_sg_decode_sense() {
    let _env = Env::get();
    random_buffers_decode_the_same(0x5eed_0018, 2000, &[]);
}

#[test]
fn sense_random_buffers_with_v_add_the_raw_hex_as_sg_decode_sense() {
    let _env = Env::get();
    random_buffers_decode_the_same(0x5eed_1018, 400, &["-v"]);
}

#[test]
fn sense_buffers_that_are_not_sense_data_decode_as_sg_decode_sense() {
    let _env = Env::get();
    let mut r = Rng(0x5eed_2018);
    for _ in 0..200 {
        let len = 1 + r.below(30) as usize;
        let mut b: Vec<u8> = (0..len).map(|_| r.byte()).collect();
        if r.chance(30) {
            b[0] = 0x7f;
        }
        same_as_tool(
            "sense",
            "sg_decode_sense",
            &hex_args(&b).iter().map(String::as_str).collect::<Vec<_>>(),
        );
    }
}
