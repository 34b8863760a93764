//! Every decoder of device bytes is total: arbitrary and mutated-valid buffers (0 to 300
//! bytes) give a value or an error, never a panic, and every walk and rendering stays
//! within a bound.
//!
//! No dependencies: a xorshift PRNG with fixed seeds, so a failure reproduces. Four tests of
//! 250 000 buffers each (a million in all, every buffer through every decoder) run in
//! parallel under `cargo test`.

use core::fmt::{self, Write as _};
use sgmap_core::cdb::{Cdb, ToCdb};
use sgmap_core::response::{
    Capacity10, Capacity16, Inquiry, InquiryRepr, ModeHeader, OneCommand, ReadBufferDescriptor,
    ReportLuns, SupportedOpcodes, SupportedTmf, Vpd,
};
use sgmap_core::sense::{self, Sense};

/// xorshift64* (Vigna): small, fast, good enough to pick bytes.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
    /// Appends `len` random bytes, eight per step.
    fn fill(&mut self, buf: &mut Vec<u8>, len: usize) {
        let start = buf.len();
        while buf.len() < start + len {
            let word = self.next().to_le_bytes();
            let take = (start + len - buf.len()).min(8);
            buf.extend_from_slice(&word[..take]);
        }
    }
}

/// Counts what is written, keeps nothing: Display without allocation.
struct Count(usize);

impl fmt::Write for Count {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

fn rendered_len(value: impl fmt::Display) -> usize {
    let mut count = Count(0);
    write!(count, "{value}").expect("Display must not fail");
    count.0
}

const MAX_LEN: usize = 300;

/// The most any sense rendering may write: header and fixed fields, or 122 descriptors of
/// at most ~140 characters plus three per byte.
const SENSE_TEXT_BOUND: usize = 20_000;

/// Pages 84h–89h, B1h and B2h: every walk bounded, every getter and string total.
fn other_pages(vpd: &Vpd<&[u8]>, len: usize) {
    assert!(vpd.page().len() <= len);
    if let Ok(ids) = vpd.software_interface_ids() {
        assert!(ids.take(len + 1).count() <= len / 6);
    }
    if let Ok(na) = vpd.network_addresses() {
        assert!(na.take(len + 1).count() <= len / 4);
    }
    if let Ok(x) = vpd.extended_inquiry() {
        let _ = (
            x.activate_microcode(),
            x.spt(),
            x.lu_coll_type(),
            x.grd_chk(),
        );
        let _ = (x.extended_self_test_completion_minutes(), x.dm_md_f());
        let _ = (
            x.maximum_inquiry_change_logs(),
            x.maximum_mode_page_change_logs(),
        );
    }
    if let Ok(p) = vpd.mode_page_policies() {
        assert!(p.take(len + 1).count() <= len / 4);
    }
    if let Ok(ports) = vpd.scsi_ports() {
        let mut n = 0;
        for port in ports.take(len + 1) {
            n += 1;
            assert!(port.target_ports().take(len + 1).count() <= len / 4);
        }
        assert!(n <= len / 12);
    }
    if let Ok(a) = vpd.ata_information() {
        assert!(a.identify().len() <= 512);
        for s in [a.model(), a.serial(), a.firmware()] {
            assert!(s.chars().count() <= 40);
            assert!(rendered_len(s) <= 40);
        }
        let _ = (
            a.sat_vendor(),
            a.device_signature(),
            a.command_code(),
            a.is_sata(),
        );
    }
    if let Ok(bl) = vpd.block_limits() {
        let _ = (bl.ugavalid(), bl.unmap_granularity_alignment_field());
    }
    if let Ok(c) = vpd.block_device_characteristics() {
        let _ = (
            c.medium_rotation_rate(),
            c.product_type(),
            c.zoned(),
            c.depopulation_time(),
        );
        let _ = (c.wabereq(), c.wacereq(), c.nominal_form_factor(), c.vbuls());
    }
    if let Ok(l) = vpd.logical_block_provisioning() {
        let _ = (
            l.lbprz(),
            l.provisioning_type(),
            l.threshold_percentage(),
            l.dp(),
        );
        if let Some(d) = l.provisioning_group_descriptor() {
            assert!(d.designator.len() <= len);
        }
    }
}

/// Valid buffers of each kind, to mutate.
fn seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = vec![
        // Sense, fixed: the known decodes.
        vec![
            0xf0, 0x00, 0x03, 0x00, 0x00, 0x12, 0x34, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x11, 0x00,
            0x00, 0x00, 0x00, 0x00,
        ],
        vec![
            0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x24, 0x00, 0, 0xc0, 0x00, 0x02,
        ],
        vec![
            0x70, 0, 0x02, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x04, 0x04, 0, 0x80, 0x40, 0x00,
        ],
        // Sense, descriptor, with several descriptors.
        vec![0x72, 0x03, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00],
        vec![
            0x72, 0x05, 0x24, 0x00, 0, 0, 0, 56, 0x00, 0x0a, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34,
            0x01, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05, 0x02, 0x06, 0, 0, 0xc8, 0x00, 0x02, 0,
            0x03, 0x02, 0, 0x07, 0x04, 0x02, 0, 0xe0, 0x05, 0x02, 0, 0x20, 0x0a, 0x06, 0x02, 0x04,
            0x04, 0, 0x40, 0x00, 0x80, 0x02, 0xaa, 0xbb,
        ],
        vec![
            0x72, 0x01, 0x00, 0x1d, 0, 0, 0, 14, 0x09, 0x0c, 0x01, 0x04, 0x00, 0x10, 0x11, 0x12,
            0x13, 0x14, 0x15, 0x16, 0x40, 0x51,
        ],
        // Standard INQUIRY.
        b"\x00\x00\x05\x12\x1f\x00\x00\x02QEMU    QEMU HARDDISK   2.5+".to_vec(),
        // VPD 00, 80, 83.
        vec![0x00, 0x00, 0x00, 0x04, 0x00, 0x80, 0x83, 0xb0],
        b"\x00\x80\x00\x0c  WD-12345  ".to_vec(),
        vec![
            0x00, 0x83, 0x00, 0x38, 0x01, 0x03, 0x00, 0x10, 0x60, 0x01, 0x40, 0x5d, 0x11, 0x22,
            0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0x02, 0x01, 0x00, 0x0c,
            b'A', b'C', b'M', b'E', b' ', b' ', b' ', b' ', b'S', b'N', b'1', b' ', 0x03, 0x08,
            0x00, 0x08, b'i', b'q', b'n', b'.', b'x', 0, 0, 0, 0x61, 0x94, 0x00, 0x04, 0x00, 0x00,
            0x00, 0x02,
        ],
        // READ CAPACITY (10), (16).
        vec![0x00, 0x3f, 0xff, 0xff, 0x00, 0x00, 0x02, 0x00],
        {
            let mut b = vec![0u8; 32];
            b[..8].copy_from_slice(&0x1_d1c0_beafu64.to_be_bytes());
            b[8..12].copy_from_slice(&512u32.to_be_bytes());
            b[12] = 0x13;
            b[13] = 0x23;
            b[14] = 0xc0;
            b
        },
        // REPORT LUNS.
        vec![
            0, 0, 0, 0x18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0x41, 0x23,
            0, 0, 0, 0, 0, 0,
        ],
        // READ BUFFER descriptor.
        vec![0x09, 0x01, 0x00, 0x00],
        // REPORT SUPPORTED OPERATION CODES, all_commands: one plain, one with timeouts.
        vec![
            0, 0, 0, 28, 0x28, 0, 0, 0, 0, 0x00, 0, 10, 0x9e, 0, 0, 0x10, 0, 0x03, 0, 16, 0, 10, 0,
            0, 0, 0, 0, 30, 0, 0, 0, 60,
        ],
        // one_command with usage data and timeouts.
        vec![
            0, 0x83, 0, 10, 0x2a, 0xfa, 0xff, 0xff, 0xff, 0xff, 0x3f, 0xff, 0xff, 0x07, 0, 10, 0,
            0, 0, 0, 0, 5, 0, 0, 0, 9,
        ],
    ];
    // VPD B0, full page.
    let mut b0 = vec![0u8; 64];
    b0[1] = 0xb0;
    b0[3] = 0x3c;
    b0[8..12].copy_from_slice(&0x4000u32.to_be_bytes());
    b0[32..36].copy_from_slice(&0x8000_0003u32.to_be_bytes());
    seeds.push(b0);
    seeds
}

/// One buffer: random, a mutated seed, or random behind a plausible first byte.
fn make(rng: &mut Rng, seeds: &[Vec<u8>], buf: &mut Vec<u8>) {
    buf.clear();
    match rng.below(4) {
        0 => {
            let len = rng.below(MAX_LEN + 1);
            rng.fill(buf, len);
        }
        1 | 2 => {
            buf.extend_from_slice(&seeds[rng.below(seeds.len())]);
            for _ in 0..1 + rng.below(8) {
                if buf.is_empty() {
                    break;
                }
                let at = rng.below(buf.len());
                buf[at] = match rng.below(4) {
                    0 => 0x00,
                    1 => 0xff,
                    _ => rng.byte(),
                };
            }
            match rng.below(4) {
                0 => {
                    let len = rng.below(buf.len() + 1);
                    buf.truncate(len);
                }
                1 => {
                    let extra = rng.below(MAX_LEN + 1 - buf.len());
                    rng.fill(buf, extra);
                }
                _ => {}
            }
        }
        _ => {
            let len = rng.below(MAX_LEN + 1);
            rng.fill(buf, len);
            if let Some(first) = buf.first_mut() {
                *first = [0x70, 0x71, 0x72, 0x73, 0x00, 0x12][rng.below(6)];
            }
            if buf.len() > 7 && rng.below(2) == 0 {
                // A small length field makes the walks end inside the buffer.
                buf[3] = rng.below(64) as u8;
                buf[7] = rng.below(64) as u8;
            }
        }
    }
    assert!(buf.len() <= MAX_LEN);
}

/// Runs every decoder on `b` and checks the bounds; returns the longest sense rendering.
fn exercise(b: &[u8]) -> usize {
    let len = b.len();

    // Sense data: view, every getter, walks, Display, category.
    let category = sense::category(b);
    assert!(
        [2, 3, 5, 6, 7, 9, 10, 11, 14, 17, 18, 19, 20, 21, 22, 40, 98].contains(&category.code())
    );
    let mut longest = 0;
    // The progress indication (sg3_utils' rule) and the mode parameter header.
    if let Some(p) = sense::progress(b) {
        let (whole, hundredths) = p.sg3_percent();
        assert!(whole <= 99 && hundredths <= 99);
    }
    for six in [true, false] {
        if let Ok(h) = ModeHeader::parse(b, six) {
            assert!(h.total_len <= 0xffff + 2);
            let _ = h.block_descriptor(b);
        }
    }
    if let Ok(s) = Sense::new_checked(b) {
        let _ = (
            s.format(),
            s.is_deferred(),
            s.sense_key(),
            s.additional_length(),
        );
        let _ = (s.additional_sense(), s.information(), s.command_specific());
        let _ = (
            s.sense_key_specific(),
            s.field_replaceable_unit(),
            s.stream_bits(),
            s.sense_data_overflow(),
        );
        assert!(s.valid_len() <= len);
        assert!(s.additional_bytes().len() <= len);
        assert!(s.descriptors().take(len / 2 + 2).count() <= len / 2);
        assert_eq!(s.category(), category);
        let n = rendered_len(sense::render(b));
        assert!(n <= SENSE_TEXT_BOUND, "Display wrote {n} bytes");
        longest = longest.max(n);
        if let Some(a) = s.additional_sense() {
            assert!(rendered_len(a) <= 80);
        }
        let repr = sense::Repr::parse(&s);
        let mut out = [0u8; 32];
        if let Ok(n) = repr.emit(&mut out) {
            let again = Sense::new_checked(&out[..n]).expect("emitted sense parses");
            assert_eq!(again.sense_key(), repr.key);
        }
    } else if len.is_multiple_of(16) {
        // Rendering an error prints the bytes in hex: slow in debug builds, so a sample.
        let n = rendered_len(sense::render(b));
        assert!(n <= 60 + 3 * len, "render of an error wrote {n} bytes");
    }
    let unchecked = Sense::new_unchecked(b);
    let _ = (
        unchecked.sense_key(),
        unchecked.additional_sense(),
        unchecked.information(),
    );
    assert!(unchecked.descriptors().take(len / 2 + 2).count() <= len / 2);

    // Standard INQUIRY.
    if let Ok(inq) = Inquiry::new_checked(b) {
        let _ = (
            inq.qualifier(),
            inq.device_type(),
            inq.removable(),
            inq.version(),
        );
        let _ = (inq.flags(), inq.tpgs(), inq.response_data_format());
        assert!(inq.vendor().as_bytes().len() <= 8);
        assert!(inq.product().as_bytes().len() <= 16);
        assert!(inq.revision().as_bytes().len() <= 4);
        assert!(rendered_len(inq) <= 200);
        let repr = InquiryRepr::parse(&inq).expect("checked view parses");
        let mut out = [0u8; 36];
        repr.emit(&mut out).expect("36 bytes fit");
        assert_eq!(out[8..36], b[8..36]);
    }
    let _ = Inquiry::new_unchecked(b).vendor();

    // VPD pages: whichever page code the bytes claim, and each decoder regardless.
    if let Ok(vpd) = Vpd::new_checked(b) {
        assert!(vpd.payload().len() <= len.saturating_sub(4));
        if let Ok(pages) = vpd.supported_pages() {
            assert!(pages.take(len + 1).count() <= len);
        }
        if let Ok(serial) = vpd.unit_serial_number() {
            assert!(serial.as_bytes().len() <= len);
            assert!(rendered_len(serial) <= 2 + 2 * len);
        }
        if let Ok(designators) = vpd.designators() {
            let mut n = 0;
            for d in designators.take(len / 4 + 2) {
                n += 1;
                assert!(d.designator.len() <= 255);
                assert!(rendered_len(d.identifier()) <= 2 + 2 * 255 + 1);
            }
            assert!(n <= len / 4);
        }
        if let Ok(bl) = vpd.block_limits() {
            let _ = (
                bl.wsnz(),
                bl.maximum_transfer_length(),
                bl.optimal_transfer_length(),
            );
            let _ = (
                bl.unmap_granularity_alignment(),
                bl.maximum_write_same_length(),
            );
            let _ = bl.maximum_atomic_boundary_size();
        }
        other_pages(&vpd, len);
        // The same bytes as another page, whatever their page code says.
        const CODES: [u8; 12] = [
            0x00, 0x80, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0xb0, 0xb1, 0xb2,
        ];
        let code = CODES[usize::from(b[0]) % CODES.len()];
        let mut copy = [0u8; MAX_LEN];
        copy[..len].copy_from_slice(b);
        copy[1] = code;
        let vpd = Vpd::new_checked(&copy[..len]).unwrap();
        let _ = vpd.supported_pages().map(|p| p.count());
        let _ = vpd.unit_serial_number();
        if let Ok(designators) = vpd.designators() {
            designators.for_each(|d| {
                let _ = d.identifier();
            });
        }
        let _ = vpd.block_limits().map(|bl| bl.maximum_transfer_length());
        other_pages(&vpd, len);
    }

    // READ CAPACITY.
    if let Ok(c) = Capacity10::parse(b) {
        let _ = (c.needs_16(), c.blocks(), c.bytes());
        assert!(rendered_len(c) <= 200);
    }
    if let Ok(c) = Capacity16::parse(b) {
        let _ = (
            c.protection_type(),
            c.logical_per_physical(),
            c.physical_block_length(),
        );
        let _ = (c.blocks(), c.bytes());
        assert!(rendered_len(c) <= 400);
        let mut out = [0u8; 32];
        c.emit(&mut out).expect("32 bytes fit");
        assert_eq!(Capacity16::parse(&out).unwrap(), c);
    }

    // REPORT LUNS.
    if let Ok(rl) = ReportLuns::new_checked(b) {
        let _ = rl.is_truncated();
        let mut n = 0;
        for lun in rl.luns().take(len / 8 + 2) {
            n += 1;
            let _ = (lun.address_method(), lun.number());
            if n == 1 {
                assert_eq!(rendered_len(lun), 16);
                assert_eq!(sgmap_core::response::Lun::from_linux(lun.to_linux()), lun);
            }
        }
        assert!(n <= len.saturating_sub(8) / 8);
    }

    // READ BUFFER descriptor.
    if let Ok(d) = ReadBufferDescriptor::parse(b) {
        assert!(d.capacity <= 0xff_ffff);
        let _ = (
            d.offset_boundary.alignment(),
            d.offset_boundary.allows(4096),
        );
    }

    // REPORT SUPPORTED OPERATION CODES and TASK MANAGEMENT FUNCTIONS data.
    if let Ok(s) = SupportedOpcodes::new_checked(b) {
        let _ = s.is_truncated();
        assert!(s.descriptor_bytes().len() <= len.saturating_sub(4));
        let mut n = 0;
        for d in s.descriptors() {
            n += 1;
            let _ = (d.service_action(), d.timeouts.map(|t| t.nominal));
            assert!(d.mlu < 4 && d.cdlp < 4);
            let name = sgmap_core::cdb::CommandName::service_action(d.opcode, d.service_action, 0);
            assert!(rendered_len(name) < 128);
        }
        assert!(n <= len.saturating_sub(4) / 8);
    }
    if let Ok(one) = OneCommand::new_checked(b) {
        assert!(one.usage_data().len() <= len - 4);
        let _ = (
            one.support(),
            one.timeouts(),
            one.rwcdlp(),
            one.mlu(),
            one.cdlp(),
        );
    }
    if let Ok(t) = SupportedTmf::new_checked(b) {
        let _ = (
            t.bit(0, 7),
            t.bit(40, 9),
            t.long_timeout(),
            t.short_timeout(),
        );
    }

    // A raw CDB and the transfer it implies.
    if let Ok(cdb) = Cdb::new(b) {
        let _ = (cdb.opcode(), cdb.transfer());
        assert_eq!(cdb.as_bytes(), b);
    }

    longest
}

fn run(seed: u64, count: usize) {
    let seeds = seeds();
    for s in &seeds {
        exercise(s);
    }
    let mut rng = Rng::new(seed);
    let mut buf = Vec::with_capacity(MAX_LEN);
    let mut longest = 0;
    for _ in 0..count {
        make(&mut rng, &seeds, &mut buf);
        longest = longest.max(exercise(&buf));
    }
    // The renderer ran on real sense data, not only on errors.
    assert!(
        longest > 100,
        "longest sense rendering only {longest} bytes"
    );
}

const PER_TEST: usize = 250_000;

#[test]
fn decoders_total_on_random_and_mutated_buffers_seed_1() {
    run(0x9e37_79b9_7f4a_7c15, PER_TEST);
}

#[test]
fn decoders_total_on_random_and_mutated_buffers_seed_2() {
    run(0xd1b5_4a32_d192_ed03, PER_TEST);
}

#[test]
fn decoders_total_on_random_and_mutated_buffers_seed_3() {
    run(0x8cb9_2ba7_2f3d_8dd7, PER_TEST);
}

#[test]
fn decoders_total_on_random_and_mutated_buffers_seed_4() {
    run(0x2545_f491_4f6c_dd1d, PER_TEST);
}

#[test]
fn every_two_byte_prefix_and_short_buffer_is_total() {
    // Exhaustive over the first two bytes at lengths 0 to 20 with a fixed tail.
    let tail: [u8; 18] = [
        0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x24, 0, 0, 0xc0, 0, 2, 0xff, 0x00,
    ];
    for b0 in 0..=255u8 {
        for b1 in 0..=255u8 {
            let mut b = [0u8; 20];
            b[0] = b0;
            b[1] = b1;
            b[2..].copy_from_slice(&tail);
            for len in [1, 2, 3, 8, 18] {
                exercise(&b[..len]);
            }
        }
    }
}

#[test]
fn builders_emit_what_the_transfer_helper_reads_back() {
    use sgmap_core::cdb::{Direction, Length, Read, Size, Write};
    // Which CDB a READ or WRITE gets, if any: the rules of `Size::choose` and READ (6).
    fn expected(size: Option<Size>, lba: u64, blocks: u32, flags: bool) -> Option<Size> {
        let fits_ten = lba <= 0xffff_ffff && blocks <= 0xffff;
        match size {
            None if fits_ten => Some(Size::Ten),
            None | Some(Size::Sixteen) => Some(Size::Sixteen),
            Some(Size::Ten) => fits_ten.then_some(Size::Ten),
            Some(Size::Twelve) => (lba <= 0xffff_ffff).then_some(Size::Twelve),
            Some(Size::Six) => {
                let fits = lba <= 0x1f_ffff && (1..=256).contains(&blocks) && !flags;
                fits.then_some(Size::Six)
            }
        }
    }
    let sizes = [
        None,
        Some(Size::Six),
        Some(Size::Ten),
        Some(Size::Twelve),
        Some(Size::Sixteen),
    ];
    let mut rng = Rng::new(7);
    for _ in 0..100_000 {
        let lba = match rng.below(4) {
            0 => rng.next() & 0xffff_ffff,
            1 => rng.next(),
            2 => rng.next() & 0x3f_ffff,
            _ => rng.next() & 0xff,
        };
        let blocks = match rng.below(4) {
            0 => (rng.next() & 0xffff) as u32,
            1 => rng.next() as u32,
            2 => (rng.next() & 0x1ff) as u32,
            _ => 1,
        };
        let size = sizes[rng.below(sizes.len())];
        let read = Read {
            lba,
            blocks,
            dpo: rng.below(2) == 0,
            fua: rng.below(2) == 0,
            size,
        };
        let want = expected(size, lba, blocks, read.dpo || read.fua);
        match (read.to_cdb(), want) {
            (Ok(cdb), Some(want)) => {
                assert_eq!(cdb.len(), want.len());
                assert_eq!(read.buffer_len(), want.len());
                let t = cdb.transfer().unwrap();
                assert_eq!(t.direction, Direction::FromDevice);
                assert_eq!(t.length, Length::Blocks(blocks));
                let b = cdb.as_bytes();
                let lba_back = match want {
                    Size::Six => u64::from(u32::from_be_bytes([0, b[1], b[2], b[3]])),
                    Size::Ten | Size::Twelve => {
                        u64::from(u32::from_be_bytes(b[2..6].try_into().unwrap()))
                    }
                    Size::Sixteen => u64::from_be_bytes(b[2..10].try_into().unwrap()),
                };
                assert_eq!(lba_back, lba);
            }
            (Err(_), None) => {}
            (got, want) => panic!("{read:?}: got {got:?}, want {want:?}"),
        }
        let write = Write {
            lba,
            blocks,
            dpo: false,
            fua: rng.below(2) == 0,
            size,
        };
        let want = expected(size, lba, blocks, write.fua);
        match (write.to_cdb(), want) {
            (Ok(cdb), Some(want)) => {
                assert_eq!(cdb.len(), want.len());
                let t = cdb.transfer().unwrap();
                assert_eq!(t.direction, Direction::ToDevice);
                assert_eq!(t.length, Length::Blocks(blocks));
            }
            (Err(_), None) => {}
            (got, want) => panic!("{write:?}: got {got:?}, want {want:?}"),
        }
        assert!([6, 10, 12, 16].contains(&write.buffer_len()));
    }
}

#[test]
fn sense_repr_emit_then_parse_is_identity() {
    use sgmap_core::sense::{AdditionalSense, Format, Information, Repr, SenseKey};
    let mut rng = Rng::new(11);
    for _ in 0..100_000 {
        let format = if rng.below(2) == 0 {
            Format::Fixed
        } else {
            Format::Descriptor
        };
        let information = match rng.below(3) {
            0 => None,
            _ => Some(Information {
                valid: rng.below(2) == 0,
                value: if format == Format::Fixed {
                    rng.next() & 0xffff_ffff
                } else {
                    rng.next()
                },
            }),
        };
        let repr = Repr {
            format,
            deferred: rng.below(2) == 0,
            key: SenseKey::from(rng.byte() & 0x0f),
            additional: AdditionalSense::new(rng.byte(), rng.byte()),
            information,
        };
        let mut buf = [0xa5u8; 32];
        let n = repr.emit(&mut buf).unwrap();
        let parsed = Repr::parse(&Sense::new_checked(&buf[..n]).unwrap());
        let expected = match (format, information) {
            (Format::Fixed, None) => Repr {
                information: Some(Information {
                    valid: false,
                    value: 0,
                }),
                ..repr
            },
            _ => repr,
        };
        assert_eq!(parsed, expected);
    }
}
