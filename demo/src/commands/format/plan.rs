//! The pure part of `sgmap format`: the FORMAT UNIT CDB and parameter list sg_format 1.46
//! sends for the options (`scsi_format_unit()`), its timeout, and the MODE SELECT data
//! prepared from MODE SENSE's (`fetch_block_desc()`).

use sgmap_core::cdb::{FormatHeader, FormatUnit, InitPattern, ModeSelect, ToCdb as _};
use sgmap_core::response::ModeHeader;
use std::fmt::Write as _;

/// The options that shape the commands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    /// `--format` given this many times (3: FORMAT UNIT only, no INQUIRY or MODE SENSE).
    pub format: u32,
    /// `--resize`.
    pub resize: bool,
    /// `--count=`: 0 keeps the count; `u64::MAX` is `--count=-1` (all ones).
    pub count: u64,
    /// `--size=`: 0 keeps the block size.
    pub size: u32,
    /// `--fmtpinfo=` (0..=3).
    pub fmtpinfo: u8,
    /// `--pfu=` (0..=7).
    pub pfu: u8,
    /// `--pie=` (0..=15).
    pub pie: u8,
    /// `--ip_def`.
    pub ip_def: bool,
    /// `--security`.
    pub security: bool,
    /// CMPLST (1 unless `--cmplst=0`, or FFMT without `--cmplst`).
    pub cmplst: bool,
    /// `--dcrt` given this many times.
    pub dcrt: u32,
    /// `--ffmt=` (0..=3).
    pub ffmt: u8,
    /// `--wait`: no IMMED.
    pub wait: bool,
    /// `--early`.
    pub early: bool,
    /// `--poll=1`: REQUEST SENSE.
    pub poll_rs: bool,
    /// `--quick`.
    pub quick: bool,
    /// `--long`.
    pub long: bool,
    /// `--six`.
    pub six: bool,
    /// `--timeout=` seconds.
    pub timeout: u32,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--mode=`: the mode page MODE SENSE asks for (1, read-write error recovery,
    /// unless given).
    pub mode_page: u8,
}

/// FORMAT UNIT's CDB and parameter list for `o`.
pub fn format_unit(o: &Options) -> (FormatUnit, Vec<u8>) {
    let immed = !o.wait;
    let longlist = o.pie > 0;
    let ip_desc = o.ip_def || o.security;
    let header = FormatHeader {
        long: longlist,
        protection_field_usage: o.pfu & 0x07,
        fov: o.dcrt > 0 || ip_desc,
        dcrt: o.dcrt == 1,
        ip: ip_desc,
        immed,
        protection_interval_exponent: if longlist { o.pie & 0x0f } else { 0 },
        ..FormatHeader::default()
    };
    let need = immed || o.cmplst || o.dcrt > 0 || ip_desc || o.pfu > 0 || o.pie > 0;
    let mut list = Vec::new();
    if need {
        let mut buf = [0u8; 12];
        let mut n = header.emit(&mut buf).unwrap_or(0);
        if ip_desc {
            let ip = InitPattern {
                security_initialize: o.security,
                ..InitPattern::default()
            };
            n += ip.emit(&mut buf[n..]).unwrap_or(0);
        }
        list.extend_from_slice(&buf[..n]);
    }
    let cdb = FormatUnit {
        fmtpinfo: o.fmtpinfo & 0x03,
        longlist,
        fmtdata: need,
        cmplst: o.cmplst,
        defect_list_format: 0,
        ffmt: o.ffmt & 0x03,
    };
    (cdb, list)
}

/// sg_format's FORMAT UNIT timeout in seconds: 20 with IMMED, else 20 hours (40 past 4 TB,
/// 80 past 8 TB); `--timeout` when longer.
pub fn timeout_secs(o: &Options, total_bytes: u64) -> u32 {
    const TB: u64 = 1000 * 1000 * 1000 * 1000;
    let t = if !o.wait {
        20
    } else if total_bytes > 8 * TB {
        80 * 3600
    } else if total_bytes > 4 * TB {
        40 * 3600
    } else {
        20 * 3600
    };
    t.max(o.timeout)
}

/// What MODE SENSE showed and what to send with MODE SELECT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// The lines sg_format prints (`Mode Sense (block descriptor) data, prior to
    /// changes:`…).
    pub text: String,
    /// The block descriptor's LOGICAL BLOCK LENGTH (0 without one).
    pub block_length: u32,
    /// Blocks × length, for the timeout.
    pub total_bytes: u64,
    /// The MODE SELECT to send, and its parameter list; `None` when no change is asked for.
    pub select: Option<(ModeSelect, Vec<u8>)>,
}

/// Why [`prepare`] stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// Ask again with MODE SENSE (10) and LLBAA (the count does not fit 32 bits).
    LongLba,
    /// The response is unusable (exit 97): the message.
    Malformed(String),
}

/// Whether the options ask for MODE SELECT, given the current block length `bd`.
pub fn wants_select(o: &Options, bd: u32) -> bool {
    o.resize || (o.format > 0 && (o.count != 0 || (o.size > 0 && o.size != bd)))
}

/// sg_format's `fetch_block_desc()` after MODE SENSE (`six`, LLBAA `long` asked) returned
/// `data` (the valid bytes): the lines to print, and the MODE SELECT data — the response
/// with the header's length and device-specific bytes zeroed, the first page's PS bit
/// cleared, and the descriptor's count and length changed as asked.
pub fn prepare(o: &Options, data: &[u8], six: bool, long_asked: bool) -> Result<Prepared, Stop> {
    let h = ModeHeader::parse(data, six).map_err(|_| {
        Stop::Malformed(format!(
            "MS({}) response length too short ({})",
            if six { 6 } else { 10 },
            data.len()
        ))
    })?;
    let calc = h.total_len;
    if data.len() < calc {
        return Err(Stop::Malformed(format!(
            "MS response length truncated ({} < {calc})",
            data.len()
        )));
    }
    let mut buf = data[..calc].to_vec();
    let offset = h.len();
    for b in buf.iter_mut().take(if six { 3 } else { 4 }) {
        *b = 0;
    }
    if let Some(ps) = buf.get_mut(offset + h.block_descriptor_len) {
        *ps &= 0x7f;
    }
    let long = !six && h.long_lba;
    let mut text = String::from("Mode Sense (block descriptor) data, prior to changes:\n");
    if h.write_protected() {
        text.push_str("  <<< Write Protect (WP) bit set >>>\n");
    }
    let prob;
    let mut bd_len = 0u32;
    let mut total_bytes = 0;
    match h
        .block_descriptor(data)
        .filter(|_| offset + h.block_descriptor_len <= data.len())
    {
        Some(bd) => {
            bd_len = bd.block_length;
            if !long && !long_asked {
                let rq = u64::from(o.size);
                let cur = u64::from(bd.block_length);
                if bd.blocks == 0xffff_ffff
                    || (rq > 0 && rq < cur && bd.blocks * cur / rq >= 0xffff_ffff)
                {
                    return Err(Stop::LongLba);
                }
            }
            if long {
                text.push_str("  <<< longlba flag set (64 bit lba) >>>\n");
                prob = h.block_descriptor_len != 16;
            } else {
                prob = h.block_descriptor_len != 8;
            }
            let _ = write!(
                text,
                "  Number of blocks={} [0x{:x}]\n  Block size={} [0x{:x}]\n",
                bd.blocks, bd.blocks, bd.block_length, bd.block_length
            );
            total_bytes = bd.blocks.saturating_mul(u64::from(bd.block_length));
        }
        None => {
            text.push_str("  No block descriptors present\n");
            prob = true;
        }
    }
    let mut select = None;
    if wants_select(o, bd_len) {
        if prob {
            return Err(Stop::Malformed(
                "Need to perform MODE SELECT (to change number or blocks or block length)\n\
                 but (single) block descriptor not found in earlier MODE SENSE"
                    .to_owned(),
            ));
        }
        let new_size = o.size > 0 && o.size != bd_len;
        let (count_len, size_at, size_len) = if long { (8, 12, 4) } else { (4, 5, 3) };
        let put = |buf: &mut [u8], at: usize, len: usize, v: u64| {
            let bytes = v.to_be_bytes();
            if let Some(dst) = buf.get_mut(at..at + len) {
                dst.copy_from_slice(&bytes[8 - len..]);
            }
        };
        if o.count != 0 {
            put(&mut buf, offset, count_len, o.count);
        } else if new_size {
            // 0: the most blocks of the new size.
            put(&mut buf, offset, count_len, 0);
        }
        if new_size {
            put(&mut buf, offset + size_at, size_len, u64::from(o.size));
        }
        let cmd = ModeSelect {
            six,
            page_format: true,
            save_pages: true,
            parameter_list_length: calc as u16,
        };
        // Never fails: calc fits (6) in a byte (its header's length is one) and (10) in 16 bits.
        let _ = cmd.to_cdb();
        select = Some((cmd, buf));
    }
    Ok(Prepared {
        text,
        block_length: bd_len,
        total_bytes,
        select,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options {
            format: 1,
            cmplst: true,
            ..Options::default()
        }
    }

    fn fu(o: &Options) -> (Vec<u8>, Vec<u8>) {
        let (cdb, list) = format_unit(o);
        (cdb.to_cdb().unwrap().as_bytes().to_vec(), list)
    }

    #[test]
    fn format_unit_bytes_as_sg_format_sends_them() {
        // The default: IMMED in a short header, FMTDATA and CMPLST.
        assert_eq!(fu(&opts()), (vec![4, 0x18, 0, 0, 0, 0], vec![0, 2, 0, 0]));
        // --wait with --cmplst=0: no parameter list at all.
        let o = Options {
            wait: true,
            cmplst: false,
            ..opts()
        };
        assert_eq!(fu(&o), (vec![4, 0, 0, 0, 0, 0], vec![]));
        // --wait alone: CMPLST asks for the header.
        let o = Options {
            wait: true,
            ..opts()
        };
        assert_eq!(fu(&o), (vec![4, 0x18, 0, 0, 0, 0], vec![0, 0, 0, 0]));
        // --fmtpinfo=2 --pfu=1 --pie=3: LONGLIST, the long header with PIE.
        let o = Options {
            fmtpinfo: 2,
            pfu: 1,
            pie: 3,
            ..opts()
        };
        assert_eq!(
            fu(&o),
            (vec![4, 0xb8, 0, 0, 0, 0], vec![1, 2, 0, 3, 0, 0, 0, 0])
        );
        // --dcrt: FOV and DCRT; twice: FOV only.
        let o = Options { dcrt: 1, ..opts() };
        assert_eq!(fu(&o).1, vec![0, 0xa2, 0, 0]);
        let o = Options { dcrt: 2, ..opts() };
        assert_eq!(fu(&o).1, vec![0, 0x82, 0, 0]);
        // --ip_def: FOV, IP and an empty pattern descriptor; --security sets SI in it.
        let o = Options {
            ip_def: true,
            ..opts()
        };
        assert_eq!(fu(&o).1, vec![0, 0x8a, 0, 0, 0, 0, 0, 0]);
        let o = Options {
            security: true,
            pie: 1,
            ..opts()
        };
        assert_eq!(fu(&o).1, vec![0, 0x8a, 0, 1, 0, 0, 0, 0, 0x20, 0, 0, 0]);
        // --ffmt=1 (CMPLST dropped by the parser): FFMT in byte 4.
        let o = Options {
            ffmt: 1,
            cmplst: false,
            ..opts()
        };
        assert_eq!(fu(&o), (vec![4, 0x10, 0, 0, 1, 0], vec![0, 2, 0, 0]));
    }

    #[test]
    fn timeouts_as_sg_format() {
        let o = opts();
        assert_eq!(timeout_secs(&o, 0), 20);
        assert_eq!(
            timeout_secs(
                &Options {
                    timeout: 90,
                    ..o.clone()
                },
                0
            ),
            90
        );
        let w = Options { wait: true, ..o };
        assert_eq!(timeout_secs(&w, 1 << 40), 20 * 3600);
        assert_eq!(timeout_secs(&w, 5_000_000_000_000), 40 * 3600);
        assert_eq!(timeout_secs(&w, 9_000_000_000_000), 80 * 3600);
    }

    /// MODE SENSE (10) data: page 1 of 12 bytes after one 8-byte descriptor.
    fn sense10(blocks: u32, len: u32) -> Vec<u8> {
        let mut d = vec![0u8; 8 + 8 + 12];
        d[1] = (d.len() - 2) as u8;
        d[3] = 0x10;
        d[7] = 8;
        d[8..12].copy_from_slice(&blocks.to_be_bytes());
        d[13..16].copy_from_slice(&len.to_be_bytes()[1..]);
        d[16] = 0x81;
        d[17] = 0x0a;
        d
    }

    #[test]
    fn mode_select_data_from_mode_sense_as_fetch_block_desc() {
        let data = sense10(0x8000, 520);
        // Report only: the lines, no MODE SELECT.
        let p = prepare(&Options::default(), &data, false, false).unwrap();
        assert_eq!(
            p.text,
            "Mode Sense (block descriptor) data, prior to changes:\n  Number of \
             blocks=32768 [0x8000]\n  Block size=520 [0x208]\n"
        );
        assert_eq!((p.block_length, p.total_bytes), (520, 0x8000 * 520));
        assert_eq!(p.select, None);
        // --size=512: count 0 (the most), the new length, header zeroed, PS cleared.
        let o = Options {
            size: 512,
            ..opts()
        };
        let p = prepare(&o, &data, false, false).unwrap();
        let (cmd, list) = p.select.unwrap();
        assert_eq!(
            cmd.to_cdb().unwrap().as_bytes(),
            &[0x55, 0x11, 0, 0, 0, 0, 0, 0, 28, 0]
        );
        let mut want = data.clone();
        want[..4].fill(0);
        want[8..12].fill(0);
        want[13..16].copy_from_slice(&[0, 2, 0]);
        want[16] = 0x01;
        assert_eq!(list, want);
        // The same size: nothing to change.
        let o = Options {
            size: 520,
            ..opts()
        };
        assert_eq!(prepare(&o, &data, false, false).unwrap().select, None);
        // --resize --count=1000 keeps the length.
        let o = Options {
            resize: true,
            count: 1000,
            ..Options::default()
        };
        let (_, list) = prepare(&o, &data, false, false).unwrap().select.unwrap();
        assert_eq!(&list[8..16], &[0, 0, 0x03, 0xe8, 0, 0, 0x02, 0x08]);
    }

    #[test]
    fn mode_sense_6_long_lba_and_refusals() {
        // MODE SENSE (6): 4-byte header, WP.
        let mut six = vec![0u8; 4 + 8];
        six[0] = 11;
        six[2] = 0x80 | 0x40;
        six[3] = 8;
        six[4..8].copy_from_slice(&100u32.to_be_bytes());
        six[9..12].copy_from_slice(&[0, 2, 0]);
        let o = Options {
            size: 4096,
            ..opts()
        };
        let p = prepare(&o, &six, true, false).unwrap();
        assert!(p.text.contains("  <<< Write Protect (WP) bit set >>>\n"));
        let (cmd, list) = p.select.unwrap();
        assert_eq!(cmd.to_cdb().unwrap().as_bytes(), &[0x15, 0x11, 0, 0, 12, 0]);
        assert_eq!(&list[..4], &[0, 0, 0, 8]);
        assert_eq!(&list[4..12], &[0, 0, 0, 0, 0, 0, 0x10, 0]);
        // A count of FFFF_FFFFh asks for LLBAA.
        let data = sense10(0xffff_ffff, 512);
        assert_eq!(prepare(&opts(), &data, false, false), Err(Stop::LongLba));
        // Going to a smaller size that would overflow 32 bits too.
        let data = sense10(0x4000_0000, 4096);
        let o = Options {
            size: 512,
            ..opts()
        };
        assert_eq!(prepare(&o, &data, false, false), Err(Stop::LongLba));
        // The long descriptor.
        let mut long = vec![0u8; 8 + 16];
        long[1] = 22;
        long[4] = 1;
        long[7] = 16;
        long[8..16].copy_from_slice(&0x1_0000_0000u64.to_be_bytes());
        long[20..24].copy_from_slice(&4096u32.to_be_bytes());
        let p = prepare(&o, &long, false, true).unwrap();
        assert!(p.text.contains("  <<< longlba flag set (64 bit lba) >>>\n"));
        let (_, list) = p.select.unwrap();
        assert_eq!(&list[8..16], &[0; 8]);
        assert_eq!(&list[20..24], &512u32.to_be_bytes());
        // No descriptor while a change is asked for: malformed.
        let mut none = sense10(1, 512);
        none[7] = 0;
        assert!(matches!(
            prepare(&o, &none, false, false),
            Err(Stop::Malformed(_))
        ));
        // Short and truncated responses.
        assert!(matches!(
            prepare(&o, &[0; 7], false, false),
            Err(Stop::Malformed(_))
        ));
        assert!(matches!(
            prepare(&o, &sense10(1, 512)[..20], false, false),
            Err(Stop::Malformed(_))
        ));
        // Total.
        let data = sense10(7, 512);
        for len in 0..data.len() {
            for six in [false, true] {
                let _ = prepare(&o, &data[..len], six, false);
            }
        }
    }
}
