//! The TCMU command ring as the kernel lays it out (`include/uapi/linux/target_core_user.h`,
//! mailbox version 2, as in Linux 6.1), and one pass over it.
//!
//! The mapping of `/dev/uioN` (map 0) starts with the mailbox; the command ring follows at
//! `cmdr_off`, `cmdr_size` bytes long; the data area after it. Offsets in entries (the CDB,
//! the iovecs' bases) are relative to the start of the mapping. The kernel is 64-bit on
//! every guest, so an iovec is two 64-bit words whatever this process is built for.
//!
//! Each entry starts with `len_op` (length, a multiple of 8, with the opcode in its low 3
//! bits: PAD 0, CMD 1, TMR 2), `cmd_id`, `kflags`, `uflags`. The kernel advances `cmd_head`
//! (release) after writing entries; this side answers each CMD in place (status, sense,
//! `read_len`), advances `cmd_tail` past it (and past PAD and TMR entries), then writes 4
//! bytes to the uio node so that the kernel reaps the completions.

use std::sync::atomic::{AtomicU32, Ordering};

/// Mailbox fields (`struct tcmu_mailbox`, packed, `cmd_tail` on its own 64-byte line).
pub const MB_VERSION: usize = 0;
pub const MB_FLAGS: usize = 2;
pub const MB_CMDR_OFF: usize = 4;
pub const MB_CMDR_SIZE: usize = 8;
pub const MB_CMD_HEAD: usize = 12;
pub const MB_CMD_TAIL: usize = 64;
/// `TCMU_MAILBOX_VERSION`.
pub const MAILBOX_VERSION: u16 = 2;
/// `TCMU_MAILBOX_FLAG_CAP_READ_LEN`: the kernel honours `rsp.read_len`.
pub const CAP_READ_LEN: u16 = 1 << 1;

/// Entry header (`struct tcmu_cmd_entry_hdr`, 8 bytes).
pub const HDR_LEN_OP: usize = 0;
pub const HDR_CMD_ID: usize = 4;
pub const HDR_UFLAGS: usize = 7;
pub const OP_MASK: u32 = 0x7;
pub const OP_PAD: u32 = 0;
pub const OP_CMD: u32 = 1;
/// `TCMU_UFLAG_READ_LEN`.
pub const UFLAG_READ_LEN: u8 = 0x2;

/// `req` (after the header; the inner struct has natural alignment, so `cdb_off` is at 24
/// and the iovecs at 48).
pub const REQ_IOV_CNT: usize = 8;
pub const REQ_IOV_BIDI_CNT: usize = 12;
pub const REQ_CDB_OFF: usize = 24;
pub const REQ_IOV: usize = 48;
/// A kernel `struct iovec` of a 64-bit kernel.
pub const IOVEC_LEN: usize = 16;

/// `rsp`.
pub const RSP_SCSI_STATUS: usize = 8;
pub const RSP_READ_LEN: usize = 12;
pub const RSP_SENSE: usize = 16;
/// `TCMU_SENSE_BUFFERSIZE`.
pub const SENSE_BUFFERSIZE: usize = 96;

/// The kernel's structures, mirrored to prove the offsets above on a 64-bit build (where
/// `u64` is 8-aligned as in the kernel).
#[cfg(target_pointer_width = "64")]
mod layout {
    use core::mem::{offset_of, size_of};

    #[repr(C, packed)]
    struct Mailbox {
        version: u16,
        flags: u16,
        cmdr_off: u32,
        cmdr_size: u32,
        cmd_head: u32,
        _align: [u8; 48],
        cmd_tail: u32,
    }

    #[repr(C, packed)]
    struct Hdr {
        len_op: u32,
        cmd_id: u16,
        kflags: u8,
        uflags: u8,
    }

    #[repr(C)]
    struct Req {
        iov_cnt: u32,
        iov_bidi_cnt: u32,
        iov_dif_cnt: u32,
        cdb_off: u64,
        pad1: u64,
        pad2: u64,
    }

    #[repr(C)]
    struct Rsp {
        scsi_status: u8,
        pad1: u8,
        pad2: u16,
        read_len: u32,
        sense_buffer: [u8; super::SENSE_BUFFERSIZE],
    }

    #[repr(C)]
    struct Iovec {
        base: u64,
        len: u64,
    }

    const _: () = {
        assert!(offset_of!(Mailbox, version) == super::MB_VERSION);
        assert!(offset_of!(Mailbox, flags) == super::MB_FLAGS);
        assert!(offset_of!(Mailbox, cmdr_off) == super::MB_CMDR_OFF);
        assert!(offset_of!(Mailbox, cmdr_size) == super::MB_CMDR_SIZE);
        assert!(offset_of!(Mailbox, cmd_head) == super::MB_CMD_HEAD);
        assert!(offset_of!(Mailbox, cmd_tail) == super::MB_CMD_TAIL);
        assert!(size_of::<Hdr>() == 8);
        assert!(offset_of!(Hdr, len_op) == super::HDR_LEN_OP);
        assert!(offset_of!(Hdr, cmd_id) == super::HDR_CMD_ID);
        assert!(offset_of!(Hdr, kflags) == 6);
        assert!(offset_of!(Hdr, uflags) == super::HDR_UFLAGS);
        assert!(8 + offset_of!(Req, iov_cnt) == super::REQ_IOV_CNT);
        assert!(8 + offset_of!(Req, iov_bidi_cnt) == super::REQ_IOV_BIDI_CNT);
        assert!(8 + offset_of!(Req, iov_dif_cnt) == 16);
        assert!(8 + offset_of!(Req, cdb_off) == super::REQ_CDB_OFF);
        assert!(offset_of!(Req, pad1) == 24 && offset_of!(Req, pad2) == 32);
        assert!(8 + size_of::<Req>() == super::REQ_IOV);
        assert!(size_of::<Iovec>() == super::IOVEC_LEN);
        assert!(offset_of!(Iovec, base) == 0 && offset_of!(Iovec, len) == 8);
        assert!(8 + offset_of!(Rsp, scsi_status) == super::RSP_SCSI_STATUS);
        assert!(offset_of!(Rsp, pad1) == 1 && offset_of!(Rsp, pad2) == 2);
        assert!(8 + offset_of!(Rsp, read_len) == super::RSP_READ_LEN);
        assert!(8 + offset_of!(Rsp, sense_buffer) == super::RSP_SENSE);
        // sizeof(struct tcmu_cmd_entry): the header and the larger member of the union.
        assert!(8 + size_of::<Rsp>() == 112);
    };
}

/// The length of a CDB from its operation code, as the kernel's `scsi_command_size()`.
pub fn cdb_len(cdb0: u8, cdb7: u8) -> usize {
    if cdb0 == 0x7f {
        usize::from(cdb7) + 8
    } else {
        [6, 10, 10, 12, 16, 12, 10, 10][usize::from(cdb0 >> 5)]
    }
}

/// Whether the command carries data to the device (its buffer holds the initiator's
/// bytes). The ring does not say; the kernel only copies data-out into the data area, so
/// the buffer of any other command holds stale bytes. By operation code (and VERIFY's
/// BYTCHK), as tcmu-runner decides it.
pub fn is_data_out(cdb: &[u8]) -> bool {
    let Some(&op) = cdb.first() else {
        return false;
    };
    match op {
        // WRITE 6/10/12/16, WRITE AND VERIFY 10/12/16, WRITE SAME 10/16, UNMAP,
        // FORMAT UNIT, SANITIZE, MODE SELECT 6/10, LOG SELECT, WRITE BUFFER, SEND
        // DIAGNOSTIC, SECURITY PROTOCOL OUT, COMPARE AND WRITE, WRITE ATOMIC,
        // PERSISTENT RESERVE OUT, WRITE LONG.
        0x0a | 0x2a | 0xaa | 0x8a | 0x2e | 0xae | 0x8e | 0x41 | 0x93 | 0x42 | 0x04 | 0x48
        | 0x15 | 0x55 | 0x4c | 0x3b | 0x1d | 0xb5 | 0x89 | 0x9c | 0x5f | 0x3f => true,
        // VERIFY 10/12/16 with BYTCHK.
        0x2f | 0xaf | 0x8f => cdb.get(1).is_some_and(|b| b & 0x06 != 0),
        _ => false,
    }
}

/// The shared mapping of `/dev/uioN`.
pub struct Mapping {
    base: *mut u8,
    len: usize,
}

// SAFETY: the mapping is plain shared memory; one thread (the server) uses it at a time,
// and the kernel's side is synchronised through `cmd_head`/`cmd_tail` (acquire/release).
unsafe impl Send for Mapping {}

impl std::fmt::Debug for Mapping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mapping({:p}, {} bytes)", self.base, self.len)
    }
}

impl Mapping {
    /// # Safety
    ///
    /// `base..base + len` must be a live shared mapping for as long as this value lives
    /// (the owner unmaps it after dropping it), 4-byte aligned at `base` (page aligned).
    pub unsafe fn new(base: *mut u8, len: usize) -> Mapping {
        Mapping { base, len }
    }

    fn check(&self, off: usize, len: usize) -> Option<usize> {
        (off.checked_add(len)? <= self.len).then_some(off)
    }

    /// Copies `len` bytes at `off`, or `None` when out of the mapping.
    pub fn read(&self, off: usize, len: usize) -> Option<Vec<u8>> {
        let off = self.check(off, len)?;
        let mut out = vec![0u8; len];
        // SAFETY: off..off+len is inside the live mapping (checked); the kernel does not
        // write these bytes while the entry is ours (between cmd_head and cmd_tail).
        unsafe { std::ptr::copy_nonoverlapping(self.base.add(off), out.as_mut_ptr(), len) };
        Some(out)
    }

    /// Copies `bytes` to `off`; false when out of the mapping.
    pub fn write(&self, off: usize, bytes: &[u8]) -> bool {
        let Some(off) = self.check(off, bytes.len()) else {
            return false;
        };
        // SAFETY: inside the live, writable mapping (checked); the entry and its data
        // blocks are this side's until cmd_tail passes them.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.base.add(off), bytes.len()) };
        true
    }

    /// Fills `len` bytes at `off` with zeros; false when out of the mapping.
    pub fn zero(&self, off: usize, len: usize) -> bool {
        let Some(off) = self.check(off, len) else {
            return false;
        };
        // SAFETY: as in write().
        unsafe { std::ptr::write_bytes(self.base.add(off), 0, len) };
        true
    }

    pub fn u16_at(&self, off: usize) -> Option<u16> {
        let b = self.read(off, 2)?;
        Some(u16::from_ne_bytes([b[0], b[1]]))
    }

    pub fn u32_at(&self, off: usize) -> Option<u32> {
        let b = self.read(off, 4)?;
        Some(u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn u64_at(&self, off: usize) -> Option<u64> {
        let b = self.read(off, 8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(&b);
        Some(u64::from_ne_bytes(a))
    }

    /// The 32-bit word at `off` (4-aligned) as an atomic: `cmd_head`, `cmd_tail`.
    fn atomic(&self, off: usize) -> &AtomicU32 {
        assert!(off & 3 == 0 && self.check(off, 4).is_some());
        // SAFETY: in the mapping, 4-aligned (the mapping is page aligned); the kernel
        // accesses these words with READ_ONCE/smp_store_release, never wider.
        unsafe { &*(self.base.add(off) as *const AtomicU32) }
    }

    pub fn head(&self) -> u32 {
        self.atomic(MB_CMD_HEAD).load(Ordering::Acquire)
    }

    pub fn tail(&self) -> u32 {
        self.atomic(MB_CMD_TAIL).load(Ordering::Relaxed)
    }

    pub fn set_tail(&self, tail: u32) {
        self.atomic(MB_CMD_TAIL).store(tail, Ordering::Release);
    }
}

/// Walks the ring from `cmd_tail` to `cmd_head`: calls `on_cmd` with the offset of each
/// CMD entry, passes over PAD (the end of the ring) and TMR entries, and advances `cmd_tail`
/// past each entry (release: the kernel reads the answer after it sees the tail). Returns
/// the number of CMD entries, or why the ring cannot be walked.
pub fn drain(map: &Mapping, mut on_cmd: impl FnMut(usize)) -> Result<u32, String> {
    let cmdr_off = map.u32_at(MB_CMDR_OFF).ok_or("no mailbox")? as usize;
    let cmdr_size = map.u32_at(MB_CMDR_SIZE).ok_or("no mailbox")?;
    if cmdr_size == 0 || cmdr_off + cmdr_size as usize > map.len {
        return Err(format!(
            "the mailbox gives a command ring of {cmdr_size} bytes at {cmdr_off:#x}, \
             the mapping has {}",
            map.len
        ));
    }
    let head = map.head() % cmdr_size;
    let mut tail = map.tail() % cmdr_size;
    let mut commands = 0;
    while tail != head {
        let entry = cmdr_off + tail as usize;
        let len_op = map
            .u32_at(entry + HDR_LEN_OP)
            .ok_or_else(|| format!("entry at {entry:#x} outside the mapping"))?;
        let len = len_op & !OP_MASK;
        if len == 0 || len > cmdr_size - tail {
            return Err(format!(
                "entry at {entry:#x} of length {len} (ring {cmdr_size}, tail {tail}): the \
                 ring is broken"
            ));
        }
        if len_op & OP_MASK == OP_CMD {
            on_cmd(entry);
            commands += 1;
        }
        tail = (tail + len) % cmdr_size;
        map.set_tail(tail);
    }
    Ok(commands)
}

/// One command as the ring delivered it.
#[derive(Debug, Clone)]
pub struct Request {
    /// Offset of the entry in the mapping.
    pub entry: usize,
    pub cdb: Vec<u8>,
    /// (offset in the mapping, length) of each data buffer, in order.
    pub iovs: Vec<(usize, usize)>,
}

/// Reads the command entry at `entry`; `Err` says why the ring cannot be read.
pub fn read_request(map: &Mapping, entry: usize) -> Result<Request, String> {
    let bad = |what: &str| format!("entry at {entry:#x}: {what}");
    let iov_cnt = map
        .u32_at(entry + REQ_IOV_CNT)
        .ok_or_else(|| bad("iov_cnt"))? as usize;
    let bidi = map
        .u32_at(entry + REQ_IOV_BIDI_CNT)
        .ok_or_else(|| bad("iov_bidi_cnt"))?;
    if bidi != 0 {
        return Err(bad("bidirectional command (iov_bidi_cnt != 0): not served"));
    }
    let cdb_off = map
        .u64_at(entry + REQ_CDB_OFF)
        .ok_or_else(|| bad("cdb_off"))?;
    let cdb_off = usize::try_from(cdb_off).map_err(|_| bad("cdb_off"))?;
    let head = map
        .read(cdb_off, 8)
        .ok_or_else(|| bad("cdb out of the mapping"))?;
    let cdb = map
        .read(cdb_off, cdb_len(head[0], head[7]))
        .ok_or_else(|| bad("cdb out of the mapping"))?;
    let mut iovs = Vec::with_capacity(iov_cnt);
    for i in 0..iov_cnt {
        let at = entry + REQ_IOV + i * IOVEC_LEN;
        let base = map.u64_at(at).ok_or_else(|| bad("iov"))?;
        let len = map.u64_at(at + 8).ok_or_else(|| bad("iov"))?;
        let (base, len) = (usize::try_from(base), usize::try_from(len));
        let (Ok(base), Ok(len)) = (base, len) else {
            return Err(bad("iov out of range"));
        };
        if map.check(base, len).is_none() {
            return Err(bad("iov out of the mapping"));
        }
        iovs.push((base, len));
    }
    Ok(Request { entry, cdb, iovs })
}

/// The bytes of the data buffers, in order.
pub fn gather(map: &Mapping, iovs: &[(usize, usize)]) -> Vec<u8> {
    let mut out = Vec::new();
    for &(base, len) in iovs {
        out.extend(map.read(base, len).unwrap_or_default());
    }
    out
}

/// Zeroes the data buffers, then copies `data` into them; returns the bytes copied.
pub fn scatter(map: &Mapping, iovs: &[(usize, usize)], data: &[u8]) -> usize {
    let mut done = 0;
    for &(base, len) in iovs {
        map.zero(base, len);
        let n = len.min(data.len() - done);
        map.write(base, &data[done..done + n]);
        done += n;
    }
    done
}

/// Writes the response into the entry: status, sense (at most 96 bytes), and with
/// `read_len` the data-in length (`TCMU_UFLAG_READ_LEN`).
pub fn respond(map: &Mapping, entry: usize, status: u8, sense: &[u8], read_len: Option<u32>) {
    let mut rsp = [0u8; 8 + SENSE_BUFFERSIZE];
    rsp[0] = status;
    if let Some(n) = read_len {
        rsp[4..8].copy_from_slice(&n.to_ne_bytes());
    }
    let n = sense.len().min(SENSE_BUFFERSIZE);
    rsp[8..8 + n].copy_from_slice(&sense[..n]);
    map.write(entry + RSP_SCSI_STATUS, &rsp);
    let uflags = map.read(entry + HDR_UFLAGS, 1).map_or(0, |b| b[0]);
    let uflags = if read_len.is_some() {
        uflags | UFLAG_READ_LEN
    } else {
        uflags & !UFLAG_READ_LEN
    };
    map.write(entry + HDR_UFLAGS, &[uflags]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdb_lengths_follow_the_group_code() {
        assert_eq!(cdb_len(0x00, 0), 6);
        assert_eq!(cdb_len(0x28, 0), 10);
        assert_eq!(cdb_len(0x48, 0), 10);
        assert_eq!(cdb_len(0x88, 0), 16);
        assert_eq!(cdb_len(0xa8, 0), 12);
        assert_eq!(cdb_len(0x7f, 0x18), 32);
    }

    #[test]
    fn data_out_commands_are_told_by_opcode_and_bytchk() {
        assert!(is_data_out(&[0x04, 0x10]));
        assert!(is_data_out(&[0x48, 0x81]));
        assert!(is_data_out(&[0x55, 0x11]));
        assert!(!is_data_out(&[0x12, 0, 0, 0, 36, 0]));
        assert!(!is_data_out(&[0x2f, 0]));
        assert!(is_data_out(&[0x2f, 0x02]));
        assert!(!is_data_out(&[]));
    }

    /// A ring in ordinary memory that wraps: a PAD entry to its end, then a CMD at its
    /// start; the tail follows both, only the CMD is served.
    #[test]
    fn drain_passes_over_pad_to_the_ring_start_and_serves_each_cmd_once() {
        let mut mem = vec![0u64; 256];
        // SAFETY: `mem` outlives `map` and is 8-aligned.
        let map = unsafe { Mapping::new(mem.as_mut_ptr() as *mut u8, mem.len() * 8) };
        let (off, size) = (128usize, 1024u32);
        map.write(MB_CMDR_OFF, &(off as u32).to_ne_bytes());
        map.write(MB_CMDR_SIZE, &size.to_ne_bytes());
        map.write(off + 960, &(64u32 | OP_PAD).to_ne_bytes());
        map.write(off, &(120u32 | OP_CMD).to_ne_bytes());
        map.write(off + 120, &(8u32 | 2).to_ne_bytes()); // a TMR entry
        map.write(off + 128, &(96u32 | OP_CMD).to_ne_bytes());
        map.write(MB_CMD_TAIL, &960u32.to_ne_bytes());
        map.write(MB_CMD_HEAD, &224u32.to_ne_bytes());
        let mut seen = Vec::new();
        assert_eq!(drain(&map, |e| seen.push(e)), Ok(2));
        assert_eq!(seen, [off, off + 128]);
        assert_eq!(map.tail(), 224);
        assert_eq!(drain(&map, |_| panic!("nothing new")), Ok(0));
        // A zero length would loop for ever: an error instead.
        map.write(off + 224, &OP_CMD.to_ne_bytes());
        map.write(MB_CMD_HEAD, &300u32.to_ne_bytes());
        assert!(drain(&map, |_| {}).is_err());
    }

    /// A ring in ordinary memory: one CMD entry with a CDB and two buffers, answered.
    #[test]
    fn an_entry_is_read_and_answered_in_place() {
        let mut mem = vec![0u64; 1024];
        let base = mem.as_mut_ptr() as *mut u8;
        // SAFETY: `mem` outlives `map` and is 8-aligned.
        let map = unsafe { Mapping::new(base, mem.len() * 8) };
        let entry = 256;
        let iov = |i: usize, b: u64, l: u64| {
            map.write(entry + REQ_IOV + i * IOVEC_LEN, &b.to_ne_bytes());
            map.write(entry + REQ_IOV + i * IOVEC_LEN + 8, &l.to_ne_bytes());
        };
        map.write(entry + HDR_LEN_OP, &(128u32 | OP_CMD).to_ne_bytes());
        map.write(entry + REQ_IOV_CNT, &2u32.to_ne_bytes());
        map.write(entry + REQ_CDB_OFF, &((entry + 80) as u64).to_ne_bytes());
        map.write(entry + 80, &[0x12, 0, 0, 0, 36, 0]);
        iov(0, 4096, 4);
        iov(1, 6000, 8);
        let req = read_request(&map, entry).unwrap();
        assert_eq!(req.cdb, [0x12, 0, 0, 0, 36, 0]);
        assert_eq!(req.iovs, [(4096, 4), (6000, 8)]);
        map.write(6000, &[0xee; 8]);
        assert_eq!(scatter(&map, &req.iovs, &[1, 2, 3, 4, 5, 6]), 6);
        assert_eq!(
            gather(&map, &req.iovs),
            [1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0]
        );
        respond(&map, entry, 2, &[0x70, 0, 5], Some(6));
        assert_eq!(map.read(entry + RSP_SCSI_STATUS, 1).unwrap(), [2]);
        assert_eq!(map.u32_at(entry + RSP_READ_LEN), Some(6));
        assert_eq!(map.read(entry + RSP_SENSE, 4).unwrap(), [0x70, 0, 5, 0]);
        assert_eq!(map.read(entry + HDR_UFLAGS, 1).unwrap(), [UFLAG_READ_LEN]);
        // An iovec outside the mapping is an error, not a wild access.
        iov(1, 1 << 40, 8);
        assert!(read_request(&map, entry).is_err());
    }
}
