//! Queue depth over several files of one device: each file its own reserve and mapping, one
//! mmap-ed request in flight per file, completions handed back in submission order.

use sgmap_sys::{Command, Data, ErrorKind, Queue};
use sgmap_tests::scsi::{self, lba_of};
use sgmap_tests::Devices;

/// This file's region of the disk: 8 MiB in.
const REGION: u64 = 8 << 20;
const LEN: usize = 16384;
const DEPTH: usize = 4;
const TRANSFERS: usize = 10;

#[test]
fn queue_of_depth_4_reads_in_submission_order_each_slot_its_own_reserve() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let chunks: Vec<Vec<u8>> = (0..TRANSFERS)
        .map(|i| scsi::pattern(0xa0 + i as u32, LEN))
        .collect();
    for (i, chunk) in chunks.iter().enumerate() {
        scsi::write_indirect(&devices, &mut dev, REGION + (i * LEN) as u64, chunk);
    }
    drop(dev);

    let mut q = Queue::open(&devices.sg, DEPTH, LEN as u64).expect("open the queue");
    assert_eq!(q.depth(), DEPTH);
    assert!(q.granted() as usize >= LEN, "granted {}", q.granted());
    let blocks = scsi::blocks_of(&devices, LEN);
    let cdbs: Vec<[u8; 10]> = (0..TRANSFERS)
        .map(|i| scsi::read10(lba_of(&devices, REGION + (i * LEN) as u64), blocks))
        .collect();
    let mut next = 0;
    let mut done = 0;
    let mut slots = Vec::new();
    while done < TRANSFERS {
        while next < TRANSFERS && q.in_flight() < DEPTH {
            let slot = q
                .submit(&Command::new(&cdbs[next]), Data::MmapIn(LEN as u32))
                .unwrap_or_else(|e| panic!("submit {next}: {e}"));
            slots.push(slot);
            next += 1;
        }
        if next < TRANSFERS {
            let e = q
                .submit(&Command::new(&cdbs[next]), Data::MmapIn(LEN as u32))
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Busy, "a full queue: {e}");
        }
        let (slot, r) = q.wait_oldest().expect("wait_oldest");
        assert_eq!(
            slot, slots[done],
            "completion {done} comes back on its slot"
        );
        scsi::expect_good(&r, "queued mmap READ");
        assert_eq!(
            q.data(slot).expect("data"),
            &chunks[done][..],
            "transfer {done}"
        );
        done += 1;
    }
    assert_eq!(slots[..DEPTH], [0, 1, 2, 3], "round robin");
    assert_eq!(q.in_flight(), 0);
    // Every slot has its own mapped reserve.
    for slot in 0..DEPTH {
        let acct = q.device(slot).accounting();
        assert!(
            acct.mmap_called() && acct.mapped_len() as usize >= LEN,
            "slot {slot}"
        );
    }
}

#[test]
fn queue_writes_from_each_slots_mapping() {
    let devices = Devices::from_env();
    let mut q = Queue::open(&devices.sg, 2, LEN as u64).expect("open the queue");
    let blocks = scsi::blocks_of(&devices, LEN);
    let base = REGION + (TRANSFERS * LEN) as u64;
    let chunks: Vec<Vec<u8>> = (0..3).map(|i| scsi::pattern(0xb0 + i, LEN)).collect();
    let cdbs: Vec<[u8; 10]> = (0..3)
        .map(|i| scsi::write10(lba_of(&devices, base + (i * LEN) as u64), blocks))
        .collect();
    for (i, chunk) in chunks.iter().enumerate() {
        if q.in_flight() == q.depth() {
            let (_, r) = q.wait_oldest().expect("wait");
            scsi::expect_good(&r, "queued mmap WRITE");
        }
        let (slot, buf) = q
            .free_slot_mut()
            .expect("free slot")
            .expect("a slot is free");
        buf[..LEN].copy_from_slice(chunk);
        assert_eq!(
            q.submit(&Command::new(&cdbs[i]), Data::MmapOut(LEN as u32))
                .unwrap(),
            slot
        );
    }
    assert!(q.free_slot_mut().unwrap().is_none(), "both slots in flight");
    while q.in_flight() > 0 {
        let (_, r) = q.wait_oldest().expect("wait");
        scsi::expect_good(&r, "queued mmap WRITE");
    }
    let mut dev = scsi::open(&devices.sg);
    for (i, chunk) in chunks.iter().enumerate() {
        assert_eq!(
            &scsi::read_indirect(&devices, &mut dev, base + (i * LEN) as u64, LEN),
            chunk
        );
    }
}

#[test]
fn scsi_debug_wait_any_returns_whichever_request_finishes_first_and_frees_its_slot() {
    let devices = Devices::from_env();
    let base = REGION + (2 * TRANSFERS * LEN) as u64;
    let data = scsi::pattern(0xc7, LEN);
    let mut dev = scsi::open(&devices.sg);
    scsi::write_indirect(&devices, &mut dev, base, &data);
    drop(dev);
    let mut q = Queue::open(&devices.sg, 2, LEN as u64).expect("open the queue");
    let read = scsi::read10(lba_of(&devices, base), scsi::blocks_of(&devices, LEN));
    let inquiry = [0x12, 0, 0, 0, 36, 0];
    // scsi_debug delays the READ by a second, and answers INQUIRY at once whatever its
    // `delay` (its F_DELAY_OVERR commands): the younger request finishes first.
    let _ = scsi::count_commands(&devices, &devices.sg, 250, || {
        let slow = q
            .submit(&Command::new(&read), Data::MmapIn(LEN as u32))
            .expect("submit READ");
        let fast = q
            .submit(&Command::new(&inquiry), Data::MmapIn(36))
            .expect("submit INQUIRY");
        let (slot, r) = q.wait_any().expect("wait_any");
        assert_eq!(slot, fast, "the INQUIRY, submitted second, finished first");
        scsi::expect_good(&r, "INQUIRY");
        assert_eq!(r.valid, 36);
        // Its slot is free again while the READ is still in flight: submit takes it.
        let again = q
            .submit(&Command::new(&inquiry), Data::MmapIn(36))
            .expect("submit on the freed slot");
        assert_eq!(again, fast);
        let (slot, r) = q.wait_any().expect("wait_any");
        assert_eq!(slot, fast, "the second INQUIRY still beats the READ");
        scsi::expect_good(&r, "INQUIRY");
        let (slot, r) = q.wait_any().expect("wait_any");
        assert_eq!(slot, slow);
        scsi::expect_good(&r, "READ");
        assert_eq!(q.data(slot).expect("data"), &data[..]);
        assert_eq!(q.in_flight(), 0);
        let e = q.wait_any().expect_err("nothing in flight");
        assert_eq!(e.kind(), ErrorKind::Refused, "{e}");
    });
}
