//! dd's arithmetic, before any transfer: the block size checks, the default and checked
//! count, the end-of-device refusals, bpt reduction to a granted reserve, the transfer
//! schedule and the progress estimate, from the operands that [`super::operands`] parsed
//! (re-exported here). Pure: every rule here has a host test.

use core::fmt;

use sgmap_core::abi::SG_MAX_DXFER_LEN;

pub use super::operands::{is_discard, Fill, Flags, Operands};

/// The most bytes one transfer may carry: sg refuses a `dxfer_len` of
/// [`SG_MAX_DXFER_LEN`] (256 MiB) and more; the largest page multiple below it.
pub const MAX_TRANSFER_BYTES: u64 = SG_MAX_DXFER_LEN as u64 - 4096;

/// How far a file extends, in the terms dd needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extent {
    /// An sg device: READ CAPACITY's blocks of its logical block size.
    Sg {
        /// Number of logical blocks.
        blocks: u64,
        /// Logical block length in bytes.
        block_size: u32,
    },
    /// A block device: its size in bytes, a hard end.
    Device {
        /// Size in bytes.
        bytes: u64,
    },
    /// A regular file: its size now (an input ends there, an output grows).
    File {
        /// Size in bytes.
        bytes: u64,
    },
    /// A pipe, terminal, character device or the discarding sink: no known end.
    Stream,
}

impl Extent {
    /// Whole blocks of `bs` as an input: a regular file's partial last block counts.
    fn input_blocks(self, bs: u32) -> Option<u64> {
        let bs = u64::from(bs);
        match self {
            Extent::Sg { blocks, .. } => Some(blocks),
            Extent::Device { bytes } => Some(bytes / bs),
            Extent::File { bytes } => Some(bytes.div_ceil(bs)),
            Extent::Stream => None,
        }
    }

    /// The hard end of an output in blocks of `bs`, if it has one.
    fn output_limit(self, bs: u32) -> Option<u64> {
        match self {
            Extent::Sg { blocks, .. } => Some(blocks),
            Extent::Device { bytes } => Some(bytes / u64::from(bs)),
            Extent::File { .. } | Extent::Stream => None,
        }
    }

    /// Whether reading past the end is an error (a device) rather than end of file.
    fn hard_input_end(self) -> bool {
        matches!(self, Extent::Sg { .. } | Extent::Device { .. })
    }
}

/// Why a copy was refused before any transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// bs differs from an sg device's logical block size (exit 1).
    BlockSize {
        /// `if` or `of`.
        side: &'static str,
        /// bs in force.
        bs: u32,
        /// The device's logical block length.
        block_size: u32,
    },
    /// The copy would read or write past the end of a device (exit 22, as the device's
    /// LBA OUT OF RANGE would be).
    PastEnd {
        /// `if` or `of`.
        side: &'static str,
        /// First block (skip or seek).
        start: u64,
        /// Blocks asked for.
        count: u64,
        /// The device's size in blocks.
        end: u64,
    },
    /// bs × bpt too large for one transfer.
    TooLarge {
        /// bs.
        bs: u32,
        /// bpt.
        bpt: u32,
    },
    /// A byte offset (skip or seek × bs) that does not fit 64 bits.
    Overflow(&'static str),
}

impl PlanError {
    /// The message, naming the files: `if` and `of` are the operands' values.
    pub fn describe(&self, if_name: &str, of_name: &str) -> String {
        let name = |side: &str| if side == "if" { if_name } else { of_name };
        match *self {
            PlanError::BlockSize {
                side,
                bs,
                block_size,
            } => format!(
                "bs={bs} but {} ({side}) has {block_size}-byte logical blocks: give bs={block_size}",
                name(side)
            ),
            PlanError::PastEnd {
                side,
                start,
                count,
                end,
            } => {
                let what = if side == "if" { "read" } else { "write" };
                let op = if side == "if" { "skip" } else { "seek" };
                format!(
                    "{op}={start} count={count} would {what} past the end of {} ({side}, \
                     {end} blocks): refused before any transfer",
                    name(side)
                )
            }
            _ => self.to_string(),
        }
    }
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PlanError::BlockSize { .. } | PlanError::PastEnd { .. } => {
                f.write_str(&self.describe("if", "of"))
            }
            PlanError::TooLarge { bs, bpt } => write!(
                f,
                "bs={bs} bpt={bpt}: {} bytes per transfer, the sg driver's limit is {}",
                u64::from(bs) * u64::from(bpt),
                MAX_TRANSFER_BYTES
            ),
            PlanError::Overflow(what) => write!(f, "{what}: byte offset too large"),
        }
    }
}

/// The copy as planned: what every transfer derives from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Bytes per block.
    pub bs: u32,
    /// Blocks per transfer, before any reduction to a granted reserve.
    pub bpt: u32,
    /// Blocks to copy; `None`: until the input ends.
    pub count: Option<u64>,
    /// First input block.
    pub skip: u64,
    /// First output block.
    pub seek: u64,
    /// Blocks the output can take from `seek` when the count is unknown (a device output
    /// fed by a stream); a transfer past it is refused.
    pub out_room: Option<u64>,
}

/// The default bpt of sgm_dd: 128, or 32 when bs ≥ 2048.
pub fn default_bpt(bs: u32) -> u32 {
    if bs >= 2048 {
        32
    } else {
        128
    }
}

/// Plans a copy from the operands and what the two files are.
pub fn plan(ops: &Operands, input: Extent, output: Extent) -> Result<Plan, PlanError> {
    let bs = ops.bs.unwrap_or(512);
    for (side, extent) in [("if", input), ("of", output)] {
        if let Extent::Sg { block_size, .. } = extent {
            if block_size != bs {
                return Err(PlanError::BlockSize {
                    side,
                    bs,
                    block_size,
                });
            }
        }
    }
    let bpt = ops.bpt.unwrap_or_else(|| default_bpt(bs));
    if u64::from(bs) * u64::from(bpt) > MAX_TRANSFER_BYTES {
        return Err(PlanError::TooLarge { bs, bpt });
    }
    ops.skip
        .checked_mul(u64::from(bs))
        .ok_or(PlanError::Overflow("skip"))?;
    ops.seek
        .checked_mul(u64::from(bs))
        .ok_or(PlanError::Overflow("seek"))?;

    let in_blocks = input.input_blocks(bs);
    let out_limit = output.output_limit(bs);
    let in_left = in_blocks.map(|b| b.saturating_sub(ops.skip));
    let out_left = out_limit.map(|b| b.saturating_sub(ops.seek));

    let count = match ops.count {
        Some(count) => {
            if let Some(end) = in_blocks.filter(|_| input.hard_input_end()) {
                if ops.skip.checked_add(count).is_none_or(|last| last > end) {
                    return Err(PlanError::PastEnd {
                        side: "if",
                        start: ops.skip,
                        count,
                        end,
                    });
                }
            }
            Some(count)
        }
        None => match (in_left, out_left) {
            (Some(i), Some(o)) => Some(i.min(o)),
            (Some(i), None) => Some(i),
            // A stream into a device: as much as the input gives, bounded by out_room.
            (None, _) => None,
        },
    };
    if let (Some(count), Some(end)) = (count, out_limit) {
        if ops.seek.checked_add(count).is_none_or(|last| last > end) {
            return Err(PlanError::PastEnd {
                side: "of",
                start: ops.seek,
                count,
                end,
            });
        }
    }
    if let Some(count) = count {
        ops.skip
            .checked_add(count)
            .and_then(|b| b.checked_mul(u64::from(bs)))
            .ok_or(PlanError::Overflow("skip+count"))?;
        ops.seek
            .checked_add(count)
            .and_then(|b| b.checked_mul(u64::from(bs)))
            .ok_or(PlanError::Overflow("seek+count"))?;
    }
    Ok(Plan {
        bs,
        bpt,
        count,
        skip: ops.skip,
        seek: ops.seek,
        out_room: if count.is_none() { out_left } else { None },
    })
}

/// The bpt that fits a granted reserve of `granted` bytes (already page-rounded down): the
/// asked bpt if it fits, else as many whole blocks as fit; `None` if not even one does.
pub fn fit_bpt(bs: u32, bpt: u32, granted: u32) -> Option<u32> {
    let fits = granted / bs;
    match fits {
        0 => None,
        n => Some(n.min(bpt)),
    }
}

/// One transfer of the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transfer {
    /// Index of the first block of the copy (0-based, relative to skip/seek).
    pub offset: u64,
    /// Blocks in this transfer.
    pub blocks: u32,
}

impl Transfer {
    /// The input LBA.
    pub fn in_lba(&self, plan: &Plan) -> u64 {
        plan.skip + self.offset
    }

    /// The output LBA.
    pub fn out_lba(&self, plan: &Plan) -> u64 {
        plan.seek + self.offset
    }
}

/// Walks the copy in transfers of at most `bpt` blocks.
#[derive(Debug, Clone)]
pub struct Schedule {
    next: u64,
    count: Option<u64>,
    bpt: u32,
}

impl Schedule {
    /// The schedule of `count` blocks (`None`: unbounded) at `bpt` per transfer.
    pub fn new(count: Option<u64>, bpt: u32) -> Schedule {
        Schedule {
            next: 0,
            count,
            bpt: bpt.max(1),
        }
    }
}

impl Iterator for Schedule {
    type Item = Transfer;

    fn next(&mut self) -> Option<Transfer> {
        let left = match self.count {
            Some(count) => count - self.next,
            None => u64::MAX - self.next,
        };
        if left == 0 {
            return None;
        }
        let blocks = left.min(u64::from(self.bpt)) as u32;
        let t = Transfer {
            offset: self.next,
            blocks,
        };
        self.next += u64::from(blocks);
        Some(t)
    }
}

/// A progress estimate: done in tenths of a percent, and seconds left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    /// Tenths of a percent done (0..=1000).
    pub permille: u64,
    /// Seconds left at the rate so far; `None` before any block moved.
    pub secs_left: Option<u64>,
}

/// Estimates progress after `done` of `total` blocks in `elapsed_us`.
pub fn estimate(done: u64, total: u64, elapsed_us: u64) -> Estimate {
    if total == 0 {
        return Estimate {
            permille: 1000,
            secs_left: Some(0),
        };
    }
    let done = done.min(total);
    // Floating point: no 128-bit division in the binary, and nothing formatted as a float.
    let permille = (done as f64 * 1000.0 / total as f64) as u64;
    let secs_left = if done == 0 {
        None
    } else {
        let left_us = (total - done) as f64 * elapsed_us as f64 / done as f64;
        Some((left_us / 1e6).ceil() as u64)
    };
    Estimate {
        permille,
        secs_left,
    }
}

/// Records of dd: whole and partial blocks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Records {
    /// Whole blocks.
    pub full: u64,
    /// A partial last block (0 or 1).
    pub partial: u64,
}

impl fmt::Display for Records {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}+{}", self.full, self.partial)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SG512: Extent = Extent::Sg {
        blocks: 32768,
        block_size: 512,
    };
    const SG4K: Extent = Extent::Sg {
        blocks: 4096,
        block_size: 4096,
    };

    #[test]
    fn defaults_follow_sgm_dd() {
        let p = plan(&Operands::default(), SG512, Extent::Stream).unwrap();
        assert_eq!((p.bs, p.bpt, p.count), (512, 128, Some(32768)));
        let o = Operands {
            bs: Some(4096),
            ..Operands::default()
        };
        let p = plan(&o, SG4K, Extent::Stream).unwrap();
        assert_eq!((p.bs, p.bpt, p.count), (4096, 32, Some(4096)));
        assert_eq!(default_bpt(2047), 128);
        assert_eq!(default_bpt(2048), 32);
    }

    #[test]
    fn bs_must_match_the_sg_block_size_on_either_side() {
        let e = plan(&Operands::default(), SG4K, Extent::Stream).unwrap_err();
        assert_eq!(
            e,
            PlanError::BlockSize {
                side: "if",
                bs: 512,
                block_size: 4096
            }
        );
        let o = Operands {
            bs: Some(512),
            ..Operands::default()
        };
        let e = plan(&o, Extent::File { bytes: 4096 }, SG4K).unwrap_err();
        assert!(matches!(e, PlanError::BlockSize { side: "of", .. }));
        assert!(plan(&o, SG512, SG4K).is_err());
        assert!(e.to_string().contains("give bs=4096"));
        assert_eq!(
            e.describe("in.bin", "/dev/sg1"),
            "bs=512 but /dev/sg1 (of) has 4096-byte logical blocks: give bs=4096"
        );
        // Block devices and files take any bs.
        assert!(plan(&o, Extent::Device { bytes: 1 << 20 }, Extent::Stream).is_ok());
    }

    #[test]
    fn count_defaults_to_capacity_less_skip_and_output_room() {
        let o = Operands {
            skip: 100,
            ..Operands::default()
        };
        assert_eq!(plan(&o, SG512, Extent::Stream).unwrap().count, Some(32668));
        let o = Operands {
            skip: 40000,
            ..Operands::default()
        };
        assert_eq!(plan(&o, SG512, Extent::Stream).unwrap().count, Some(0));
        // sg to a smaller device: the output's room limits the default count.
        let small = Extent::Sg {
            blocks: 1000,
            block_size: 512,
        };
        let o = Operands {
            seek: 10,
            ..Operands::default()
        };
        assert_eq!(plan(&o, SG512, small).unwrap().count, Some(990));
        // A regular file input: its partial last block counts.
        let p = plan(
            &Operands::default(),
            Extent::File { bytes: 1000 },
            Extent::Stream,
        )
        .unwrap();
        assert_eq!(p.count, Some(2));
        // A stream into a device: unbounded, with the room recorded.
        let p = plan(&o, Extent::Stream, small).unwrap();
        assert_eq!((p.count, p.out_room), (None, Some(990)));
        let p = plan(&o, Extent::Stream, Extent::Stream).unwrap();
        assert_eq!((p.count, p.out_room), (None, None));
    }

    #[test]
    fn count_past_either_end_is_refused_before_any_transfer() {
        let o = Operands {
            count: Some(32768),
            skip: 1,
            ..Operands::default()
        };
        let e = plan(&o, SG512, Extent::Stream).unwrap_err();
        assert_eq!(
            e,
            PlanError::PastEnd {
                side: "if",
                start: 1,
                count: 32768,
                end: 32768
            }
        );
        let o = Operands {
            count: Some(32768),
            ..Operands::default()
        };
        assert!(plan(&o, SG512, Extent::Stream).is_ok());
        let o = Operands {
            count: Some(100),
            seek: 32669,
            ..Operands::default()
        };
        let e = plan(&o, Extent::Stream, SG512).unwrap_err();
        assert!(matches!(e, PlanError::PastEnd { side: "of", .. }), "{e:?}");
        assert!(e
            .describe("-", "/dev/sg1")
            .contains("would write past the end of /dev/sg1 (of, 32768 blocks)"));
        let o = Operands {
            count: Some(100),
            seek: 32668,
            ..Operands::default()
        };
        assert!(plan(&o, Extent::Stream, SG512).is_ok());
        // A block device output has a hard end too; a regular file grows.
        let o = Operands {
            count: Some(3),
            ..Operands::default()
        };
        assert!(plan(&o, Extent::Stream, Extent::Device { bytes: 1024 }).is_err());
        assert!(plan(&o, Extent::Stream, Extent::File { bytes: 0 }).is_ok());
        // A regular file input just ends early, as dd's does.
        assert!(plan(&o, Extent::File { bytes: 512 }, Extent::Stream).is_ok());
        // Overflowing skip+count is refused, not wrapped.
        let o = Operands {
            count: Some(u64::MAX),
            skip: 2,
            ..Operands::default()
        };
        assert!(plan(&o, SG512, Extent::Stream).is_err());
        assert!(plan(&o, Extent::Stream, Extent::Stream).is_err());
    }

    #[test]
    fn too_large_transfers_and_offsets_are_refused() {
        let o = Operands {
            bs: Some(1 << 20),
            bpt: Some(256),
            ..Operands::default()
        };
        assert!(matches!(
            plan(&o, Extent::Stream, Extent::Stream),
            Err(PlanError::TooLarge { .. })
        ));
        let o = Operands {
            skip: u64::MAX / 2,
            ..Operands::default()
        };
        assert_eq!(
            plan(&o, Extent::Stream, Extent::Stream),
            Err(PlanError::Overflow("skip"))
        );
    }

    #[test]
    fn bpt_reduces_to_the_granted_reserve() {
        assert_eq!(fit_bpt(512, 128, 65536), Some(128));
        assert_eq!(fit_bpt(512, 2048, 524288), Some(1024));
        assert_eq!(fit_bpt(4096, 256, 524288), Some(128));
        assert_eq!(fit_bpt(4096, 32, 32768), Some(8));
        assert_eq!(fit_bpt(4096, 32, 4095), None);
        assert_eq!(fit_bpt(512, 1, 4096), Some(1));
    }

    #[test]
    fn schedule_covers_the_count_in_bpt_pieces() {
        let t: Vec<Transfer> = Schedule::new(Some(300), 128).collect();
        assert_eq!(
            t,
            [
                Transfer {
                    offset: 0,
                    blocks: 128
                },
                Transfer {
                    offset: 128,
                    blocks: 128
                },
                Transfer {
                    offset: 256,
                    blocks: 44
                },
            ]
        );
        assert_eq!(Schedule::new(Some(0), 128).next(), None);
        let mut s = Schedule::new(None, 8);
        assert_eq!(s.next().map(|t| t.blocks), Some(8));
        let p = Plan {
            bs: 512,
            bpt: 128,
            count: Some(300),
            skip: 10,
            seek: 20,
            out_room: None,
        };
        assert_eq!(t[2].in_lba(&p), 266);
        assert_eq!(t[2].out_lba(&p), 276);
    }

    #[test]
    fn progress_estimates() {
        assert_eq!(
            estimate(0, 100, 0),
            Estimate {
                permille: 0,
                secs_left: None
            }
        );
        assert_eq!(
            estimate(25, 100, 10_000_000),
            Estimate {
                permille: 250,
                secs_left: Some(30)
            }
        );
        assert_eq!(estimate(100, 100, 5).permille, 1000);
        assert_eq!(estimate(200, 100, 5).secs_left, Some(0));
        assert_eq!(estimate(0, 0, 0).permille, 1000);
        assert_eq!(
            Records {
                full: 12,
                partial: 1
            }
            .to_string(),
            "12+1"
        );
    }
}
