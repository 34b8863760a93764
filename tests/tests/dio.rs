//! Direct IO: what the kernel really does with `SG_FLAG_DIRECT_IO` (sg's `allow_dio`), and
//! the mapped reserve (a `VM_IO` mapping) as the buffer of direct and copying IO.

use rustix::fs::{self, Mode, OFlags};
use rustix::io::Errno;
use sgmap_sys::{Command, Data, IoKind};
use sgmap_tests::scsi::{self, lba_of, AlignedBuf};
use sgmap_tests::Devices;

/// This file's region of the disk: 6 MiB in.
const REGION: u64 = 6 << 20;
const LEN: usize = 8192;

fn direct_read(devices: &Devices, on: bool) -> (IoKind, Vec<u8>) {
    let _dio = scsi::allow_dio(on);
    let mut dev = scsi::open(&devices.sg);
    let mut buf = AlignedBuf::new(LEN);
    let cdb = scsi::read10(lba_of(devices, REGION), scsi::blocks_of(devices, LEN));
    let r = dev
        .execute(&Command::new(&cdb), Data::DirectIn(&mut buf))
        .expect("direct READ(10)");
    scsi::expect_good(&r, "direct READ(10)");
    (r.io_kind(), buf.to_vec())
}

#[test]
fn direct_io_falls_back_to_indirect_while_allow_dio_is_0_and_is_direct_with_1() {
    let devices = Devices::from_env();
    let default = std::fs::read_to_string("/sys/module/sg/parameters/allow_dio").unwrap();
    println!("sg allow_dio by default: {}", default.trim());
    let data = scsi::pattern(0x91, LEN);
    let mut dev = scsi::open(&devices.sg);
    scsi::write_indirect(&devices, &mut dev, REGION, &data);
    drop(dev);
    let (kind, got) = direct_read(&devices, false);
    assert_eq!(kind, IoKind::Indirect, "allow_dio=0 falls back to copying");
    assert_eq!(got, data);
    let (kind, got) = direct_read(&devices, true);
    assert_eq!(
        kind,
        IoKind::Direct,
        "allow_dio=1 with a page-aligned buffer"
    );
    assert_eq!(got, data);
}

#[test]
fn the_mapped_reserve_cannot_be_a_direct_io_buffer_but_copying_io_works() {
    let devices = Devices::from_env();
    let data = scsi::pattern(0x92, LEN);
    let mut writer = scsi::open(&devices.sg);
    scsi::write_indirect(&devices, &mut writer, REGION + LEN as u64, &data);
    drop(writer);

    let mut holder = scsi::open(&devices.sg);
    holder.set_reserved_size(LEN as u64).expect("reserve");
    holder.map().expect("map");
    let mut dev = scsi::open(&devices.sg);
    let cdb = scsi::read10(
        lba_of(&devices, REGION + LEN as u64),
        scsi::blocks_of(&devices, LEN),
    );

    // Direct IO into a VM_IO mapping (another file's reserve).
    let r = {
        let _dio = scsi::allow_dio(true);
        let buf = &mut holder.mapping_mut().expect("mapping_mut")[..LEN];
        dev.execute(&Command::new(&cdb), Data::DirectIn(buf))
    };
    println!("SG_IO direct IO into an sg mapping: {r:?}");
    let e = r.expect_err("direct IO into a VM_IO mapping");
    assert_eq!(e.errno(), Some(Errno::FAULT), "{e}");
    assert_eq!(dev.accounting().in_flight(), 0);

    // O_DIRECT read of the block device into the mapping.
    let block = fs::open(
        &devices.block,
        OFlags::RDONLY | OFlags::DIRECT | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .expect("open O_DIRECT");
    let buf = &mut holder.mapping_mut().unwrap()[..LEN];
    let r = rustix::io::pread(&block, buf, REGION + LEN as u64);
    println!("O_DIRECT pread into an sg mapping: {r:?}");
    assert_eq!(r.err(), Some(Errno::FAULT));

    // Copying IO into the mapping works: an indirect SG_IO on another file, and a plain
    // read() of the block device.
    {
        let buf = &mut holder.mapping_mut().unwrap()[..LEN];
        buf.fill(0);
        let r = dev
            .execute(&Command::new(&cdb), Data::In(buf))
            .expect("indirect READ into the mapping");
        scsi::expect_good(&r, "indirect READ into the mapping");
    }
    assert_eq!(&holder.mapping().unwrap()[..LEN], &data[..]);
    let plain = fs::open(
        &devices.block,
        OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .unwrap();
    let buf = &mut holder.mapping_mut().unwrap()[..LEN];
    buf.fill(0);
    let n = rustix::io::pread(&plain, buf, REGION + LEN as u64)
        .expect("buffered pread into the mapping");
    assert_eq!(n, LEN);
    // The page cache may be older than what sg wrote; compare with an O_DIRECT read.
    let direct = scsi::read_block_direct(&devices.block, REGION + LEN as u64, LEN);
    assert_eq!(direct, data);
}
