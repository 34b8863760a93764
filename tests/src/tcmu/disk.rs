//! [`Disk`]: the target's default behaviour, a small RAM disk with a scriptable "operation
//! in progress" state. Pure logic (CDB in, [`Reply`] out): host-tested below with golden
//! bytes, total on any CDB and parameter list.
//!
//! What it answers (everything else: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE):
//!
//! | command | answer |
//! |---|---|
//! | TEST UNIT READY | GOOD; during an operation CHECK CONDITION, NOT READY with its progress (a poll) |
//! | REQUEST SENSE | GOOD with NO SENSE; during an operation GOOD with NOT READY and its progress as data (SPC-5 §6.39; a poll); DESC picks the format |
//! | INQUIRY | standard (disk, SPC-4, PROTECT, CmdQue); VPD 00h, 80h, 83h (an NAA designator) |
//! | READ CAPACITY (10), (16) | the current size; (16) with the protection set by FORMAT UNIT |
//! | MODE SENSE (6), (10) | a block descriptor (short, or long with LLBAA) and pages 01h, 08h, 0Ah (D_SENSE as the disk's sense format), 3Fh for all |
//! | MODE SELECT (6), (10) | the block descriptor's block length (and count) become the next FORMAT UNIT's |
//! | FORMAT UNIT | FMTPINFO and PFU set the protection, the block length of MODE SELECT applies, the store is zeroed; with IMMED (parameter list header) an operation in progress starts, without it the command completes after the operation |
//! | SANITIZE | block erase and crypto erase zero the store, overwrite fills it with the pattern; IMMED starts an operation in progress |
//! | READ, WRITE (6, 10, 12, 16) | the RAM store; LOGICAL BLOCK ADDRESS OUT OF RANGE past the end |
//! | SYNCHRONIZE CACHE (10, 16), START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL, VERIFY (10, 16) | GOOD |
//!
//! During an operation every other command but INQUIRY gets CHECK CONDITION, NOT READY,
//! LOGICAL UNIT NOT READY, FORMAT IN PROGRESS (04h/04h) or SANITIZE IN PROGRESS (04h/1Bh),
//! with the progress, as SBC-4 §4.34 and §5.3 ask; only TEST UNIT READY and REQUEST SENSE
//! count as polls. After [`Disk::set_progress_steps`]`(n)`, an operation answers `n` polls
//! with progress `k * 65536 / (n + 1)` (k = 1..=n, rising) and is over at poll `n + 1`,
//! which finds the unit ready (GOOD; REQUEST SENSE without a progress indication).

use std::sync::{Arc, Mutex, MutexGuard};

use super::{Handler, Reply};
use crate::SenseFormat;

/// GOOD.
pub const GOOD: u8 = 0x00;
/// CHECK CONDITION.
pub const CHECK_CONDITION: u8 = 0x02;

/// Sense keys.
pub const NO_SENSE: u8 = 0x0;
pub const NOT_READY: u8 = 0x2;
pub const ILLEGAL_REQUEST: u8 = 0x5;

/// The long operations a [`Disk`] can be in the middle of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// FORMAT UNIT: ASC/ASCQ 04h/04h, FORMAT IN PROGRESS.
    Format,
    /// SANITIZE: ASC/ASCQ 04h/1Bh, SANITIZE IN PROGRESS.
    Sanitize,
}

impl Operation {
    /// The additional sense code qualifier of LOGICAL UNIT NOT READY, ... IN PROGRESS.
    pub fn ascq(self) -> u8 {
        match self {
            Operation::Format => 0x04,
            Operation::Sanitize => 0x1b,
        }
    }
}

/// What an operation does to the medium when it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Effect {
    Format {
        block_size: Option<u32>,
        blocks: Option<u64>,
        protection: Protection,
    },
    Fill(Vec<u8>),
    Nothing,
}

/// READ CAPACITY (16)'s PROT_EN and P_TYPE.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Protection {
    pub prot_en: bool,
    pub p_type: u8,
}

#[derive(Debug)]
struct Running {
    op: Operation,
    /// Polls answered so far.
    polls: u32,
    effect: Effect,
}

#[derive(Debug)]
struct State {
    block_size: u32,
    blocks: u64,
    store: Vec<u8>,
    protection: Protection,
    /// From MODE SELECT, for the next FORMAT UNIT.
    pending_block_size: Option<u32>,
    pending_blocks: Option<u64>,
    steps: u32,
    sense_format: SenseFormat,
    running: Option<Running>,
    /// Operations that have run to their end (IMMED or not).
    completed: Vec<Operation>,
}

/// The default handler: a RAM disk. Clones share one disk, so a test keeps one to script
/// it while the target's thread serves the other.
#[derive(Debug, Clone)]
pub struct Disk(Arc<Mutex<State>>);

impl Disk {
    /// A disk of `blocks` blocks of `block_size` bytes, zeroed, fixed-format sense, and
    /// operations that are over at the first poll ([`Disk::set_progress_steps`]).
    ///
    /// # Panics
    ///
    /// When the store would not fit in memory.
    pub fn new(blocks: u64, block_size: u32) -> Disk {
        let len = usize::try_from(blocks * u64::from(block_size)).expect("store size");
        Disk(Arc::new(Mutex::new(State {
            block_size,
            blocks,
            store: vec![0; len],
            protection: Protection::default(),
            pending_block_size: None,
            pending_blocks: None,
            steps: 0,
            sense_format: SenseFormat::Fixed,
            running: None,
            completed: Vec::new(),
        })))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic in a test while holding the lock must not hide the disk from Drop.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many polls an operation answers with a progress indication before it is over.
    pub fn set_progress_steps(&self, steps: u32) {
        self.state().steps = steps;
    }

    /// The format of the sense data of CHECK CONDITION (REQUEST SENSE follows its DESC bit),
    /// and the control page's D_SENSE.
    pub fn set_sense_format(&self, format: SenseFormat) {
        self.state().sense_format = format;
    }

    /// Starts `op` as if a command with IMMED had: the next polls see it in progress.
    pub fn begin(&self, op: Operation) {
        self.state().running = Some(Running {
            op,
            polls: 0,
            effect: Effect::Nothing,
        });
    }

    /// The operation in progress, if any.
    pub fn in_progress(&self) -> Option<Operation> {
        self.state().running.as_ref().map(|r| r.op)
    }

    /// The operations that have ended, in order.
    pub fn completed(&self) -> Vec<Operation> {
        self.state().completed.clone()
    }

    /// The logical block size (READ CAPACITY's).
    pub fn block_size(&self) -> u32 {
        self.state().block_size
    }

    /// The number of logical blocks.
    pub fn blocks(&self) -> u64 {
        self.state().blocks
    }

    /// READ CAPACITY (16)'s protection fields.
    pub fn protection(&self) -> Protection {
        self.state().protection
    }

    /// A copy of the medium.
    pub fn contents(&self) -> Vec<u8> {
        self.state().store.clone()
    }
}

impl Handler for Disk {
    fn handle(&mut self, cdb: &[u8], data_out: &[u8], data_in_len: usize) -> Reply {
        self.state().command(cdb, data_out, data_in_len)
    }
}

/// Fixed-format sense (SPC-5 §4.4.3): 18 bytes, current error; `progress` sets SKSV and the
/// sense-key-specific progress indication.
pub fn fixed_sense(key: u8, asc: u8, ascq: u8, progress: Option<u16>) -> Vec<u8> {
    let mut s = vec![0u8; 18];
    s[0] = 0x70;
    s[2] = key & 0xf;
    s[7] = 10;
    s[12] = asc;
    s[13] = ascq;
    if let Some(p) = progress {
        s[15] = 0x80;
        s[16..18].copy_from_slice(&p.to_be_bytes());
    }
    s
}

/// Descriptor-format sense (SPC-5 §4.4.2), current error; `progress` adds a
/// sense-key-specific descriptor (02h) with SKSV and the progress indication.
pub fn descriptor_sense(key: u8, asc: u8, ascq: u8, progress: Option<u16>) -> Vec<u8> {
    let mut s = vec![0x72, key & 0xf, asc, ascq, 0, 0, 0, 0];
    if let Some(p) = progress {
        let [hi, lo] = p.to_be_bytes();
        s.extend_from_slice(&[0x02, 0x06, 0, 0, 0x80, hi, lo, 0]);
    }
    s[7] = (s.len() - 8) as u8;
    s
}

fn sense(format: SenseFormat, key: u8, asc: u8, ascq: u8, progress: Option<u16>) -> Vec<u8> {
    match format {
        SenseFormat::Fixed => fixed_sense(key, asc, ascq, progress),
        SenseFormat::Descriptor => descriptor_sense(key, asc, ascq, progress),
    }
}

/// The progress indication of poll `k` (1..=steps) of `steps`: rising, below 65536.
pub fn progress_at(k: u32, steps: u32) -> u16 {
    (u64::from(k) * 65536 / (u64::from(steps) + 1)).min(65535) as u16
}

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |acc, &b| (acc << 8) | u64::from(b))
}

/// `cdb[range]` as a big-endian number; 0 when the CDB is too short.
fn field(cdb: &[u8], start: usize, len: usize) -> u64 {
    cdb.get(start..start + len).map_or(0, be)
}

fn padded(mut s: Vec<u8>, len: usize) -> Vec<u8> {
    s.resize(len, b' ');
    s
}

/// The designator of VPD page 83h, from the disk's identity (an NAA 5 name).
const NAA: [u8; 8] = [0x56, 0x00, 0x14, 0x05, 0x00, 0x00, 0x00, 0x01];

impl State {
    fn check(&self, key: u8, asc: u8, ascq: u8) -> Reply {
        Reply::check(sense(self.sense_format, key, asc, ascq, None))
    }

    fn invalid_opcode(&self) -> Reply {
        self.check(ILLEGAL_REQUEST, 0x20, 0x00)
    }

    fn invalid_field_in_cdb(&self) -> Reply {
        self.check(ILLEGAL_REQUEST, 0x24, 0x00)
    }

    fn invalid_field_in_parameter_list(&self) -> Reply {
        self.check(ILLEGAL_REQUEST, 0x26, 0x00)
    }

    fn parameter_list_length_error(&self) -> Reply {
        self.check(ILLEGAL_REQUEST, 0x1a, 0x00)
    }

    fn command(&mut self, cdb: &[u8], data_out: &[u8], data_in_len: usize) -> Reply {
        let Some(&opcode) = cdb.first() else {
            return self.invalid_opcode();
        };
        if let Some(reply) = self.while_running(opcode, cdb) {
            return reply;
        }
        let mut reply = match opcode {
            0x00 => Reply::good(),
            0x03 => self.request_sense(cdb, None),
            0x12 => self.inquiry(cdb),
            0x25 => self.read_capacity_10(),
            0x9e if cdb.get(1).map(|b| b & 0x1f) == Some(0x10) => self.read_capacity_16(),
            0x1a | 0x5a => self.mode_sense(cdb),
            0x15 | 0x55 => self.mode_select(cdb, data_out),
            0x04 => self.format_unit(cdb, data_out),
            0x48 => self.sanitize(cdb, data_out),
            0x08 | 0x28 | 0xa8 | 0x88 => self.read(cdb),
            0x0a | 0x2a | 0xaa | 0x8a => self.write(cdb, data_out),
            0x35 | 0x91 | 0x1b | 0x1e | 0x2f | 0x8f => Reply::good(),
            0x9e => self.invalid_field_in_cdb(),
            _ => self.invalid_opcode(),
        };
        reply.data_in.truncate(data_in_len);
        reply
    }

    /// During an operation: TEST UNIT READY and REQUEST SENSE are polls; INQUIRY is
    /// answered as always; everything else is NOT READY with the progress so far.
    fn while_running(&mut self, opcode: u8, cdb: &[u8]) -> Option<Reply> {
        let running = self.running.as_mut()?;
        let (op, progress) = match opcode {
            0x12 => return None,
            0x00 | 0x03 => {
                running.polls += 1;
                if running.polls > self.steps {
                    self.finish();
                    return None;
                }
                (running.op, progress_at(running.polls, self.steps))
            }
            _ => (running.op, progress_at(running.polls, self.steps)),
        };
        Some(if opcode == 0x03 {
            self.request_sense(cdb, Some((op, progress)))
        } else {
            Reply::check(sense(
                self.sense_format,
                NOT_READY,
                0x04,
                op.ascq(),
                Some(progress),
            ))
        })
    }

    /// The operation in progress ends: its effect on the medium.
    fn finish(&mut self) {
        if let Some(running) = self.running.take() {
            self.apply(running.effect);
            self.completed.push(running.op);
        }
    }

    fn apply(&mut self, effect: Effect) {
        match effect {
            Effect::Format {
                block_size,
                blocks,
                protection,
            } => {
                let bytes = self.store.len() as u64;
                if let Some(size) = block_size.filter(|&s| s > 0) {
                    self.block_size = size;
                    self.blocks = bytes / u64::from(size);
                }
                if let Some(blocks) = blocks.filter(|&b| b > 0 && b <= self.blocks) {
                    self.blocks = blocks;
                }
                self.protection = protection;
                self.store = vec![0; (self.blocks * u64::from(self.block_size)) as usize];
            }
            Effect::Fill(pattern) => {
                if pattern.is_empty() {
                    self.store.fill(0);
                } else {
                    for (b, p) in self.store.iter_mut().zip(pattern.iter().cycle()) {
                        *b = *p;
                    }
                }
            }
            Effect::Nothing => {}
        }
    }

    fn start(&mut self, op: Operation, immed: bool, effect: Effect) -> Reply {
        if immed {
            self.running = Some(Running {
                op,
                polls: 0,
                effect,
            });
        } else {
            self.apply(effect);
            self.completed.push(op);
        }
        Reply::good()
    }

    /// REQUEST SENSE: GOOD, the sense data as parameter data (SPC-5 §6.39).
    fn request_sense(&self, cdb: &[u8], running: Option<(Operation, u16)>) -> Reply {
        let desc = cdb.get(1).is_some_and(|b| b & 1 != 0);
        let format = if desc {
            SenseFormat::Descriptor
        } else {
            SenseFormat::Fixed
        };
        let data = match running {
            Some((op, progress)) => sense(format, NOT_READY, 0x04, op.ascq(), Some(progress)),
            None => sense(format, NO_SENSE, 0, 0, None),
        };
        let alloc = field(cdb, 4, 1) as usize;
        Reply::data(data.into_iter().take(alloc).collect())
    }

    fn inquiry(&self, cdb: &[u8]) -> Reply {
        let evpd = cdb.get(1).is_some_and(|b| b & 1 != 0);
        let page = field(cdb, 2, 1) as u8;
        let alloc = field(cdb, 3, 2) as usize;
        let data = if evpd {
            match page {
                0x00 => vec![0, 0x00, 0, 3, 0x00, 0x80, 0x83],
                0x80 => {
                    let serial = b"SGMAP-TCMU-0001";
                    let mut d = vec![0, 0x80, 0, serial.len() as u8];
                    d.extend_from_slice(serial);
                    d
                }
                0x83 => {
                    let mut d = vec![0, 0x83, 0, 12, 0x01, 0x03, 0x00, 0x08];
                    d.extend_from_slice(&NAA);
                    d
                }
                _ => return self.invalid_field_in_cdb(),
            }
        } else if page != 0 {
            return self.invalid_field_in_cdb();
        } else {
            let mut d = vec![0x00, 0x00, 0x06, 0x12, 31, 0x01, 0x00, 0x02];
            d.extend_from_slice(&padded(b"SGMAP".to_vec(), 8));
            d.extend_from_slice(&padded(b"TCMU DISK".to_vec(), 16));
            d.extend_from_slice(b"0001");
            d
        };
        Reply::data(data.into_iter().take(alloc).collect())
    }

    fn read_capacity_10(&self) -> Reply {
        let last = self.blocks.saturating_sub(1).min(0xffff_ffff) as u32;
        let mut d = last.to_be_bytes().to_vec();
        d.extend_from_slice(&self.block_size.to_be_bytes());
        Reply::data(d)
    }

    fn read_capacity_16(&self) -> Reply {
        let mut d = vec![0u8; 32];
        d[0..8].copy_from_slice(&self.blocks.saturating_sub(1).to_be_bytes());
        d[8..12].copy_from_slice(&self.block_size.to_be_bytes());
        d[12] = (self.protection.p_type & 0x7) << 1 | u8::from(self.protection.prot_en);
        Reply::data(d)
    }

    /// A mode page as current values (`changeable`: the mask, nothing changeable).
    fn mode_page(&self, code: u8, changeable: bool) -> Option<Vec<u8>> {
        let mut page = match code {
            0x01 => vec![0x01, 0x0a, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            0x08 => {
                let mut p = vec![0u8; 20];
                p[0] = 0x08;
                p[1] = 0x12;
                p
            }
            0x0a => {
                let d_sense = if self.sense_format == SenseFormat::Descriptor {
                    0x04
                } else {
                    0
                };
                vec![0x0a, 0x0a, d_sense, 0x10, 0, 0, 0, 0, 0xff, 0xff, 0, 0]
            }
            _ => return None,
        };
        if changeable {
            page[2..].fill(0);
        }
        Some(page)
    }

    fn mode_sense(&self, cdb: &[u8]) -> Reply {
        let ten = cdb[0] == 0x5a;
        let b1 = field(cdb, 1, 1) as u8;
        let dbd = b1 & 0x08 != 0;
        let llbaa = ten && b1 & 0x10 != 0;
        let b2 = field(cdb, 2, 1) as u8;
        let (pc, code) = (b2 >> 6, b2 & 0x3f);
        let subpage = field(cdb, 3, 1) as u8;
        if pc == 3 {
            return self.check(ILLEGAL_REQUEST, 0x39, 0x00); // SAVING PARAMETERS NOT SUPPORTED
        }
        let pages: Vec<u8> = match (code, subpage) {
            (0x3f, 0 | 0xff) => [0x01, 0x08, 0x0a]
                .iter()
                .filter_map(|&c| self.mode_page(c, pc == 1))
                .flatten()
                .collect(),
            (c, 0) => match self.mode_page(c, pc == 1) {
                Some(p) => p,
                None => return self.invalid_field_in_cdb(),
            },
            _ => return self.invalid_field_in_cdb(),
        };
        let bd: Vec<u8> = if dbd {
            Vec::new()
        } else if llbaa {
            let mut d = vec![0u8; 16];
            d[0..8].copy_from_slice(&self.blocks.to_be_bytes());
            d[12..16].copy_from_slice(&self.block_size.to_be_bytes());
            d
        } else {
            let mut d = vec![0u8; 8];
            d[0..4].copy_from_slice(&(self.blocks.min(0xffff_ffff) as u32).to_be_bytes());
            d[5..8].copy_from_slice(&self.block_size.to_be_bytes()[1..]);
            d
        };
        let mut data = if ten {
            let mut h = vec![0u8; 8];
            h[4] = u8::from(llbaa);
            h[6..8].copy_from_slice(&(bd.len() as u16).to_be_bytes());
            h
        } else {
            vec![0, 0, 0, bd.len() as u8]
        };
        data.extend_from_slice(&bd);
        data.extend_from_slice(&pages);
        if ten {
            let len = (data.len() - 2) as u16;
            data[0..2].copy_from_slice(&len.to_be_bytes());
        } else {
            data[0] = (data.len() - 1) as u8;
        }
        let alloc = if ten {
            field(cdb, 7, 2)
        } else {
            field(cdb, 4, 1)
        } as usize;
        data.truncate(alloc);
        Reply::data(data)
    }

    /// MODE SELECT: the first block descriptor's block length and count are kept for the
    /// next FORMAT UNIT (as a disk does); pages are accepted as they are.
    fn mode_select(&mut self, cdb: &[u8], data: &[u8]) -> Reply {
        let ten = cdb[0] == 0x55;
        let (header, bd_len, long) = if ten {
            (
                8,
                field(data, 6, 2) as usize,
                data.get(4).is_some_and(|b| b & 1 != 0),
            )
        } else {
            (4, field(data, 3, 1) as usize, false)
        };
        let list_len = if ten {
            field(cdb, 7, 2)
        } else {
            field(cdb, 4, 1)
        } as usize;
        if data.len() < header || list_len != data.len() {
            return self.parameter_list_length_error();
        }
        if header + bd_len > data.len() {
            return self.invalid_field_in_parameter_list();
        }
        let bd = &data[header..header + bd_len];
        match (long, bd.len()) {
            (_, 0) => {}
            (false, n) if n >= 8 => {
                self.pending_blocks = Some(field(bd, 0, 4));
                self.pending_block_size = Some(field(bd, 5, 3) as u32);
            }
            (true, n) if n >= 16 => {
                self.pending_blocks = Some(field(bd, 0, 8));
                self.pending_block_size = Some(field(bd, 12, 4) as u32);
            }
            _ => return self.invalid_field_in_parameter_list(),
        }
        if self.pending_block_size == Some(0) {
            self.pending_block_size = None;
        }
        Reply::good()
    }

    /// FORMAT UNIT (SBC-4 §5.3): FMTPINFO, LONGLIST, FMTDATA from the CDB; IMMED from
    /// the parameter list header.
    fn format_unit(&mut self, cdb: &[u8], data: &[u8]) -> Reply {
        let b1 = field(cdb, 1, 1) as u8;
        let fmtpinfo = b1 >> 6;
        let longlist = b1 & 0x20 != 0;
        let fmtdata = b1 & 0x10 != 0;
        let header = if longlist { 8 } else { 4 };
        if fmtdata && data.len() < header {
            return self.parameter_list_length_error();
        }
        let immed = fmtdata && data[1] & 0x02 != 0;
        let pfu = if fmtdata { data[0] & 0x07 } else { 0 };
        let protection = match (fmtpinfo, pfu) {
            (0 | 1, _) => Protection::default(),
            (2, _) => Protection {
                prot_en: true,
                p_type: 0,
            },
            (3, 0) => Protection {
                prot_en: true,
                p_type: 1,
            },
            (3, 1) => Protection {
                prot_en: true,
                p_type: 2,
            },
            _ => return self.invalid_field_in_parameter_list(),
        };
        let effect = Effect::Format {
            block_size: self.pending_block_size.take(),
            blocks: self.pending_blocks.take(),
            protection,
        };
        self.start(Operation::Format, immed, effect)
    }

    /// SANITIZE (SBC-4 §5.30): service actions 01h overwrite (with its parameter list),
    /// 02h block erase, 03h cryptographic erase, 1Fh exit failure mode.
    fn sanitize(&mut self, cdb: &[u8], data: &[u8]) -> Reply {
        let b1 = field(cdb, 1, 1) as u8;
        let immed = b1 & 0x80 != 0;
        let list_len = field(cdb, 7, 2) as usize;
        if list_len != data.len() {
            return self.parameter_list_length_error();
        }
        let effect = match b1 & 0x1f {
            0x01 => {
                if data.len() < 4 {
                    return self.parameter_list_length_error();
                }
                let pattern_len = field(data, 2, 2) as usize;
                let block = self.block_size as usize;
                if pattern_len == 0 || pattern_len > block || 4 + pattern_len > data.len() {
                    return self.invalid_field_in_parameter_list();
                }
                Effect::Fill(data[4..4 + pattern_len].to_vec())
            }
            0x02 | 0x03 if list_len == 0 => Effect::Fill(Vec::new()),
            0x02 | 0x03 => return self.invalid_field_in_cdb(),
            0x1f => Effect::Nothing,
            _ => return self.invalid_field_in_cdb(),
        };
        self.start(Operation::Sanitize, immed, effect)
    }

    /// LBA and transfer length of READ/WRITE (6, 10, 12, 16).
    fn lba_len(cdb: &[u8]) -> (u64, u64) {
        match cdb[0] {
            0x08 | 0x0a => {
                let lba = field(cdb, 1, 3) & 0x1f_ffff;
                let len = field(cdb, 4, 1);
                (lba, if len == 0 { 256 } else { len })
            }
            0x28 | 0x2a => (field(cdb, 2, 4), field(cdb, 7, 2)),
            0xa8 | 0xaa => (field(cdb, 2, 4), field(cdb, 6, 4)),
            _ => (field(cdb, 2, 8), field(cdb, 10, 4)),
        }
    }

    /// The byte range of a READ/WRITE, or LOGICAL BLOCK ADDRESS OUT OF RANGE.
    fn range(&self, cdb: &[u8]) -> Result<std::ops::Range<usize>, Reply> {
        let (lba, len) = Self::lba_len(cdb);
        match lba.checked_add(len) {
            Some(end) if end <= self.blocks => {
                let bs = u64::from(self.block_size);
                Ok((lba * bs) as usize..(end * bs) as usize)
            }
            _ => Err(self.check(ILLEGAL_REQUEST, 0x21, 0x00)),
        }
    }

    fn read(&self, cdb: &[u8]) -> Reply {
        match self.range(cdb) {
            Ok(r) => Reply::data(self.store.get(r).unwrap_or_default().to_vec()),
            Err(reply) => reply,
        }
    }

    fn write(&mut self, cdb: &[u8], data: &[u8]) -> Reply {
        match self.range(cdb) {
            Ok(r) => {
                let n = data.len().min(r.len());
                if let Some(dst) = self.store.get_mut(r.start..r.start + n) {
                    dst.copy_from_slice(&data[..n]);
                }
                Reply::good()
            }
            Err(reply) => reply,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(disk: &mut Disk, cdb: &[u8], out: &[u8]) -> Reply {
        disk.handle(cdb, out, 4096)
    }

    #[test]
    fn fixed_sense_carries_sksv_and_progress_in_bytes_15_to_17() {
        assert_eq!(
            fixed_sense(NOT_READY, 0x04, 0x04, Some(0x8000)),
            [0x70, 0, 2, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x04, 0x04, 0, 0x80, 0x80, 0x00]
        );
        assert_eq!(fixed_sense(NO_SENSE, 0, 0, None)[15], 0);
    }

    #[test]
    fn descriptor_sense_carries_a_sense_key_specific_descriptor() {
        assert_eq!(
            descriptor_sense(NOT_READY, 0x04, 0x1b, Some(0x4000)),
            [0x72, 2, 0x04, 0x1b, 0, 0, 0, 8, 0x02, 0x06, 0, 0, 0x80, 0x40, 0x00, 0]
        );
        assert_eq!(
            descriptor_sense(NO_SENSE, 0, 0, None),
            [0x72, 0, 0, 0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn progress_rises_over_the_steps_and_stays_below_100_percent() {
        assert_eq!(progress_at(1, 1), 0x8000);
        let p: Vec<u16> = (1..=3).map(|k| progress_at(k, 3)).collect();
        assert_eq!(p, [0x4000, 0x8000, 0xc000]);
        assert_eq!(progress_at(u32::MAX, 0), 65535);
    }

    #[test]
    fn format_with_immed_reports_progress_over_n_polls_then_is_ready() {
        let mut disk = Disk::new(64, 512);
        disk.set_progress_steps(2);
        // FMTDATA=1, short header with IMMED.
        let r = run(&mut disk, &[0x04, 0x10, 0, 0, 0, 0], &[0, 0x02, 0, 0]);
        assert_eq!(r.status, GOOD);
        assert_eq!(disk.in_progress(), Some(Operation::Format));
        let r = run(&mut disk, &[0, 0, 0, 0, 0, 0], &[]);
        assert_eq!(r.status, CHECK_CONDITION);
        assert_eq!(r.sense, fixed_sense(NOT_READY, 4, 4, Some(0x5555)));
        // READ CAPACITY during the format: NOT READY, not a poll.
        let r = run(&mut disk, &[0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[]);
        assert_eq!(r.sense, fixed_sense(NOT_READY, 4, 4, Some(0x5555)));
        let r = run(&mut disk, &[0x03, 0, 0, 0, 252, 0], &[]);
        assert_eq!(
            (r.status, r.data_in),
            (GOOD, fixed_sense(NOT_READY, 4, 4, Some(0xaaaa)))
        );
        let r = run(&mut disk, &[0x03, 1, 0, 0, 252, 0], &[]);
        assert_eq!(
            (r.status, r.data_in),
            (GOOD, descriptor_sense(NO_SENSE, 0, 0, None))
        );
        assert_eq!(disk.in_progress(), None);
        assert_eq!(disk.completed(), [Operation::Format]);
        assert_eq!(run(&mut disk, &[0; 6], &[]).status, GOOD);
    }

    #[test]
    fn mode_select_block_length_applies_at_format_and_read_capacity_shows_it() {
        let mut disk = Disk::new(64, 520);
        let r = run(&mut disk, &[0x5a, 0, 0x01, 0, 0, 0, 0, 0x10, 0, 0], &[]);
        // Header (8), short block descriptor (8), page 01h (12).
        assert_eq!(r.data_in.len(), 28);
        assert_eq!(&r.data_in[..8], [0, 26, 0, 0, 0, 0, 0, 8]);
        assert_eq!(&r.data_in[8..16], [0, 0, 0, 64, 0, 0, 0x02, 0x08]);
        let mut select = r.data_in.clone();
        select[..4].fill(0);
        select[8..12].fill(0);
        select[13..16].copy_from_slice(&[0, 0x02, 0x00]);
        let cdb = [0x55, 0x11, 0, 0, 0, 0, 0, 0, 28, 0];
        assert_eq!(run(&mut disk, &cdb, &select).status, GOOD);
        assert_eq!(disk.block_size(), 520, "MODE SELECT alone changes nothing");
        // FORMAT UNIT without IMMED, FMTPINFO=2: completes after the operation.
        let r = run(&mut disk, &[0x04, 0x90, 0, 0, 0, 0], &[0, 0, 0, 0]);
        assert_eq!(r.status, GOOD);
        assert_eq!(disk.in_progress(), None);
        assert_eq!((disk.block_size(), disk.blocks()), (512, 65));
        let r = run(
            &mut disk,
            &[0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0],
            &[],
        );
        assert_eq!(&r.data_in[..13], [0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 2, 0, 1]);
    }

    #[test]
    fn sanitize_overwrite_fills_the_medium_with_the_pattern() {
        let mut disk = Disk::new(4, 512);
        let cdb = [0x48, 0x01, 0, 0, 0, 0, 0, 0, 8, 0];
        let r = run(&mut disk, &cdb, &[1, 0, 0, 4, 0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(r.status, GOOD);
        assert_eq!(
            &disk.contents()[..8],
            [0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef]
        );
        // Block erase with IMMED, descriptor sense: SANITIZE IN PROGRESS.
        disk.set_sense_format(SenseFormat::Descriptor);
        disk.set_progress_steps(1);
        assert_eq!(
            run(&mut disk, &[0x48, 0x82, 0, 0, 0, 0, 0, 0, 0, 0], &[]).status,
            GOOD
        );
        let r = run(&mut disk, &[0; 6], &[]);
        assert_eq!(r.sense, descriptor_sense(NOT_READY, 4, 0x1b, Some(0x8000)));
        assert_eq!(run(&mut disk, &[0; 6], &[]).status, GOOD);
        assert!(disk.contents().iter().all(|&b| b == 0));
        // A parameter list with block erase, and an unknown service action, are refused.
        let r = run(&mut disk, &[0x48, 0x02, 0, 0, 0, 0, 0, 0, 4, 0], &[0; 4]);
        assert_eq!(&r.sense[..4], [0x72, ILLEGAL_REQUEST, 0x24, 0]);
        let r = run(&mut disk, &[0x48, 0x05, 0, 0, 0, 0, 0, 0, 0, 0], &[]);
        assert_eq!(&r.sense[..4], [0x72, ILLEGAL_REQUEST, 0x24, 0]);
    }

    #[test]
    fn reads_and_writes_go_to_the_store_within_its_end() {
        let mut disk = Disk::new(8, 512);
        let data = vec![0x5a; 1024];
        let w = [0x2a, 0, 0, 0, 0, 6, 0, 0, 2, 0];
        assert_eq!(run(&mut disk, &w, &data).status, GOOD);
        let r = run(&mut disk, &[0x28, 0, 0, 0, 0, 6, 0, 0, 2, 0], &[]);
        assert_eq!(r.data_in, data);
        let r = run(&mut disk, &[0x28, 0, 0, 0, 0, 7, 0, 0, 2, 0], &[]);
        assert_eq!(r.sense, fixed_sense(ILLEGAL_REQUEST, 0x21, 0, None));
        let r = run(
            &mut disk,
            &[
                0x88, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 0,
            ],
            &[],
        );
        assert_eq!(r.status, CHECK_CONDITION);
    }

    #[test]
    fn any_cdb_and_parameter_list_gets_an_answer_without_panic() {
        let mut disk = Disk::new(4, 512);
        let mut seed = 0x1234_5678u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for op in 0..=255u8 {
            for len in [0usize, 1, 6, 10, 16] {
                let mut cdb: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                if let Some(first) = cdb.first_mut() {
                    *first = op;
                }
                let out: Vec<u8> = (0..(next() % 40) as usize).map(|_| next() as u8).collect();
                let r = disk.handle(&cdb, &out, (next() % 600) as usize);
                assert!(r.status == GOOD || r.status == CHECK_CONDITION);
            }
        }
    }
}
