// Byte-pair packing of ASCII text, while building: the encoder half of
// `sgmap_core::packed` (src/packed.rs decodes). Included by core's build.rs and demo's, and
// by src/packed.rs's tests; it names nothing outside itself.
//
// Every text is printable ASCII and line feeds. The other 159 byte values are codes: code
// number i (`code(i)`: 80h to FFh, then 00h to 09h and 0Bh to 1Fh) stands for the pair
// `pairs[i]`, whose two bytes are text or codes defined before it. The most frequent
// adjacent pair of the whole set is replaced first, and so on while a pair occurs at least
// three times and codes are left. A text never shares a pair with the next one, so each
// unpacks alone.

/// The pairs and the texts packed with them.
pub struct PackedSet {
    /// Code `0x80 + i` stands for `pairs[i]`.
    pub pairs: Vec<[u8; 2]>,
    /// The texts, in the order given, packed.
    pub texts: Vec<Vec<u8>>,
    /// The deepest nesting of a code: what the decoder's stack must hold.
    pub depth: usize,
}

/// How deep the decoder's stack is (`packed::MAX_DEPTH`).
pub const MAX_DEPTH: usize = 24;

/// How many codes there are.
pub const CODES: usize = 159;

/// Whether `b` is text (printable ASCII or a line feed) rather than a code.
pub fn is_text(b: u8) -> bool {
    (0x20..0x80).contains(&b) && b != 0x7f || b == b'\n'
}

/// The byte of code number `i` (below [`CODES`]).
pub fn code(i: usize) -> u8 {
    match i {
        0..=127 => 0x80 + i as u8,
        128..=137 => (i - 128) as u8,
        _ => (i - 127) as u8,
    }
}

/// The number of code byte `b` (not text).
pub fn code_number(b: u8) -> usize {
    match b {
        0x80.. => usize::from(b) - 0x80,
        0..=9 => 128 + usize::from(b),
        _ => 127 + usize::from(b),
    }
}

/// Packs `texts`; fails on a byte that is not ASCII.
pub fn pack(texts: &[&[u8]]) -> Result<PackedSet, String> {
    for (i, t) in texts.iter().enumerate() {
        if let Some(b) = t.iter().find(|&&b| !is_text(b)) {
            return Err(format!(
                "text {i}: byte {b:#x} is neither printable ASCII nor a line feed"
            ));
        }
    }
    let mut seqs: Vec<Vec<u8>> = texts.iter().map(|t| t.to_vec()).collect();
    let mut pairs = Vec::new();
    let mut depths = [0usize; 256];
    let mut counts = vec![0u32; 1 << 16];
    while pairs.len() < CODES {
        counts.iter_mut().for_each(|c| *c = 0);
        for s in &seqs {
            let mut i = 0;
            while i + 1 < s.len() {
                let k = usize::from(s[i]) << 8 | usize::from(s[i + 1]);
                counts[k] += 1;
                // "aaa" holds one "aa" that can be replaced, not two.
                if s[i] == s[i + 1] && s.get(i + 2) == Some(&s[i]) {
                    i += 1;
                }
                i += 1;
            }
        }
        let (best, &n) = counts
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
            .expect("65,536 counts");
        if n < 3 {
            break;
        }
        let (a, b) = ((best >> 8) as u8, best as u8);
        let code = code(pairs.len());
        depths[usize::from(code)] = 1 + depths[usize::from(a)].max(depths[usize::from(b)]);
        pairs.push([a, b]);
        for s in &mut seqs {
            let mut out = Vec::with_capacity(s.len());
            let mut i = 0;
            while i < s.len() {
                if i + 1 < s.len() && s[i] == a && s[i + 1] == b {
                    out.push(code);
                    i += 2;
                } else {
                    out.push(s[i]);
                    i += 1;
                }
            }
            *s = out;
        }
    }
    let depth = depths.iter().copied().max().unwrap_or(0);
    if depth >= MAX_DEPTH {
        return Err(format!("pairs nest {depth} deep, past {MAX_DEPTH}"));
    }
    Ok(PackedSet {
        pairs,
        texts: seqs,
        depth,
    })
}

/// Unpacks one packed text (the reference the decoder is tested against).
pub fn unpack(pairs: &[[u8; 2]], packed: &[u8]) -> Vec<u8> {
    fn put(pairs: &[[u8; 2]], b: u8, out: &mut Vec<u8>) {
        if is_text(b) {
            out.push(b);
        } else {
            let [x, y] = pairs[code_number(b)];
            put(pairs, x, out);
            put(pairs, y, out);
        }
    }
    let mut out = Vec::new();
    for &b in packed {
        put(pairs, b, &mut out);
    }
    out
}

/// Rust source for a byte array: `[1, 2, 3]`, twenty to a line.
pub fn byte_array(bytes: &[u8]) -> String {
    let mut s = String::from("[");
    for (i, b) in bytes.iter().enumerate() {
        if i % 20 == 0 {
            s.push_str("\n    ");
        }
        s.push_str(&format!("{b}, "));
    }
    s.push_str("\n]");
    s
}

/// Rust source for the pair table: `[[1, 2], ...]`.
pub fn pair_array(pairs: &[[u8; 2]]) -> String {
    let mut s = String::from("[");
    for (i, [a, b]) in pairs.iter().enumerate() {
        if i % 8 == 0 {
            s.push_str("\n    ");
        }
        s.push_str(&format!("[{a}, {b}], "));
    }
    s.push_str("\n]");
    s
}
