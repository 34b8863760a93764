//! verify=1: the copied range read again on both sides and compared.

use sgmap_core::status::ExitCategory;

use super::ends::{Sink, Source};
use super::ledger::Ledger;
use super::plan::Schedule;
use super::sg::SgSide;
use crate::out;

/// One side of a verify: re-reading the input or the output.
#[derive(Debug)]
pub enum Reader<'a> {
    /// An sg device.
    Sg(&'a mut SgSide),
    /// A file input.
    Source(&'a mut Source),
    /// A file output.
    Sink(&'a mut Sink),
}

impl Reader<'_> {
    fn read(&mut self, block: u64, blocks: u32, bs: u32, buf: &mut Vec<u8>) -> Result<(), String> {
        match self {
            Reader::Sg(side) => side.read_into(block, blocks, buf),
            Reader::Source(src) => {
                buf.resize(blocks as usize * bs as usize, 0);
                let n = src
                    .read(block * u64::from(bs), buf)
                    .map_err(|e| format!("verify read: {}", out::IoWhy(&e)))?;
                buf.truncate(n);
                Ok(())
            }
            Reader::Sink(sink) => {
                buf.resize(blocks as usize * bs as usize, 0);
                let n = sink
                    .read_back(block * u64::from(bs), buf)
                    .map_err(|e| format!("verify read: {}", out::IoWhy(&e)))?;
                buf.truncate(n);
                Ok(())
            }
        }
    }
}

/// verify=1: reads the copied range of the input and the written range of the output
/// again, `bpt` blocks at a time, and reports the first differing block (MISCOMPARE).
pub fn verify(
    ledger: &mut Ledger<'_>,
    mut a: Reader<'_>,
    mut b: Reader<'_>,
    if_name: &str,
    of_name: &str,
) {
    let bs = ledger.plan.bs;
    let total = ledger.bytes;
    let blocks_total = total.div_ceil(u64::from(bs));
    let sched = Schedule::new(Some(blocks_total), ledger.bpt);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for t in sched {
        ledger.tick();
        if ledger.stopping() {
            return;
        }
        if let Err(m) = a.read(t.in_lba(&ledger.plan), t.blocks, bs, &mut x) {
            return ledger.fail(ExitCategory::Other, if_name, m, None);
        }
        if let Err(m) = b.read(t.out_lba(&ledger.plan), t.blocks, bs, &mut y) {
            return ledger.fail(ExitCategory::Other, of_name, m, None);
        }
        // Compare only input bytes: a padded partial block's zeros are not the input's.
        let start = t.offset * u64::from(bs);
        let want = (total - start).min(u64::from(t.blocks) * u64::from(bs)) as usize;
        // A side that read back less is a short read, not a miscompare.
        for (got, name, lba) in [
            (x.len(), if_name, ledger.plan.skip + t.offset),
            (y.len(), of_name, ledger.plan.seek + t.offset),
        ] {
            if got < want {
                return ledger.fail(
                    ExitCategory::Other,
                    name,
                    format!(
                        "verify: short read at LBA {lba}: {got} of {want} bytes came back \
                         (not compared)"
                    ),
                    Some(lba),
                );
            }
        }
        let (xa, yb) = (&x[..want], &y[..want]);
        if let Some(i) = first_difference(xa, yb) {
            let block = t.offset + (i as u64) / u64::from(bs);
            ledger.verified = Some(false);
            return ledger.fail(
                ExitCategory::Miscompare,
                of_name,
                format!(
                    "verify: first difference at LBA {} of {of_name} (LBA {} of {if_name}, \
                     block {block} of the copy)",
                    ledger.plan.seek + block,
                    ledger.plan.skip + block
                ),
                Some(ledger.plan.seek + block),
            );
        }
    }
    ledger.verified = Some(true);
}

/// The index of the first differing byte, or of the end of the shorter slice when the
/// lengths differ.
pub fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(i) => Some(i),
        None if a.len() != b.len() => Some(a.len().min(b.len())),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences() {
        assert_eq!(first_difference(b"abc", b"abc"), None);
        assert_eq!(first_difference(b"abc", b"abd"), Some(2));
        assert_eq!(first_difference(b"abc", b"ab"), Some(2));
        assert_eq!(first_difference(b"", b""), None);
    }
}
