//! Every command builder of sgmap-core, sent to the device under test: each is answered, and
//! what the decoders read agrees with what the kernel's SCSI layer says in sysfs about the
//! same device (issue 4, in the guest).
//!
//! Where a device does not implement a command, the test pins its answer (ILLEGAL REQUEST,
//! invalid command operation code) by name of the device, so that a change shows.

use std::fs;
use std::path::{Path, PathBuf};

use sgmap_core::cdb::{self, Size};
use sgmap_core::response::{Capacity10, Capacity16, Inquiry, ReportLuns, Text, Vpd};
use sgmap_core::status::ExitCategory;
use sgmap_sys::{Command, Data, Device, Response};
use sgmap_tests::scsi::{self, lba_of};
use sgmap_tests::{Devices, SenseFormat};

/// This file's region of the disk: 12 MiB in (the scsi_debug stores are 16 MiB).
const REGION: u64 = 12 << 20;

fn send(dev: &mut Device, what: &str, cmd: &impl cdb::ToCdb, data: Data<'_>) -> Response {
    let cdb = cmd
        .to_cdb()
        .unwrap_or_else(|e| panic!("{what}: build: {e}"));
    dev.execute(&Command::new(cdb.as_bytes()), data)
        .unwrap_or_else(|e| panic!("{what}: {e}"))
}

fn good(dev: &mut Device, what: &str, cmd: &impl cdb::ToCdb, data: Data<'_>) -> Response {
    let r = send(dev, what, cmd, data);
    assert!(
        r.is_good(),
        "{what}: not good: {:?}, sense {:02x?}",
        r.outcome(),
        r.sense()
    );
    r
}

/// The sysfs directory of the SCSI device behind an sg node.
fn sysfs_device(sg: &Path) -> PathBuf {
    let name = sg.file_name().expect("sg node name");
    PathBuf::from("/sys/class/scsi_generic")
        .join(name)
        .join("device")
}

fn sysfs(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .trim()
        .to_string()
}

fn text(t: Text<'_>) -> String {
    t.as_str()
        .unwrap_or_else(|| panic!("not printable: {t:?}"))
        .to_string()
}

fn is_qemu(devices: &Devices) -> bool {
    devices.scsi_debug.is_none()
}

#[test]
fn test_unit_ready_is_good() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    good(&mut dev, "TEST UNIT READY", &cdb::TestUnitReady, Data::None);
}

#[test]
fn standard_inquiry_agrees_with_sysfs() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let mut buf = [0u8; 96];
    let r = good(
        &mut dev,
        "INQUIRY",
        &cdb::Inquiry::standard(96),
        Data::In(&mut buf),
    );
    let got = &buf[..r.valid as usize];
    let inq = Inquiry::new_checked(got).expect("standard INQUIRY parses");
    let sys = sysfs_device(&devices.sg);
    assert_eq!(text(inq.vendor()), sysfs(sys.join("vendor")));
    assert_eq!(text(inq.product()), sysfs(sys.join("model")));
    assert_eq!(text(inq.revision()), sysfs(sys.join("rev")));
    assert_eq!(
        u8::from(inq.device_type()).to_string(),
        sysfs(sys.join("type"))
    );
}

#[test]
fn vpd_pages_listed_as_supported_are_answered_and_parse() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let mut buf = [0u8; 252];
    let r = good(
        &mut dev,
        "INQUIRY VPD 00h",
        &cdb::Inquiry::vpd(0x00, 252),
        Data::In(&mut buf),
    );
    let list = Vpd::new_checked(&buf[..r.valid as usize]).expect("VPD 00h parses");
    let pages: Vec<u8> = list.supported_pages().expect("page 00h").collect();
    assert!(pages.contains(&0x00), "page 00h lists itself: {pages:02x?}");
    assert!(pages.contains(&0x83), "device identification: {pages:02x?}");
    for page in pages {
        let mut buf = [0u8; 252];
        let r = good(
            &mut dev,
            &format!("INQUIRY VPD {page:02x}h"),
            &cdb::Inquiry::vpd(page, 252),
            Data::In(&mut buf),
        );
        let vpd = Vpd::new_checked(&buf[..r.valid as usize])
            .unwrap_or_else(|e| panic!("VPD {page:02x}h: {e:?}"));
        assert_eq!(vpd.page_code(), page);
        match page {
            0x80 => {
                let serial = text(vpd.unit_serial_number().expect("page 80h"));
                if is_qemu(&devices) {
                    // The rig gives QEMU's disk this serial number.
                    assert_eq!(serial, "sgmap-scratch-0");
                } else {
                    assert!(!serial.is_empty());
                }
            }
            0x83 => {
                let n = vpd.designators().expect("page 83h").count();
                assert!(n >= 1, "at least one designator");
            }
            0xb0 => {
                vpd.block_limits().expect("page B0h");
            }
            _ => {}
        }
    }
}

#[test]
fn read_capacity_10_and_16_agree_with_sysfs() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let mut b10 = [0u8; 8];
    good(
        &mut dev,
        "READ CAPACITY (10)",
        &cdb::ReadCapacity10,
        Data::In(&mut b10),
    );
    let c10 = Capacity10::parse(&b10).expect("parse (10)");
    let mut b16 = [0u8; 32];
    good(
        &mut dev,
        "READ CAPACITY (16)",
        &cdb::ReadCapacity16::default(),
        Data::In(&mut b16),
    );
    let c16 = Capacity16::parse(&b16).expect("parse (16)");
    assert!(!c10.needs_16());
    assert_eq!(u64::from(c10.last_lba), c16.last_lba);
    assert_eq!(c10.block_length, c16.block_length);
    assert_eq!(c16.block_length, devices.sector_size);

    let block = devices.block.file_name().expect("block name").to_owned();
    let sys = PathBuf::from("/sys/block").join(block);
    let sectors_512: u64 = sysfs(sys.join("size")).parse().expect("size");
    let lbs: u32 = sysfs(sys.join("queue/logical_block_size"))
        .parse()
        .expect("logical_block_size");
    assert_eq!(lbs, c16.block_length);
    assert_eq!(
        (c16.last_lba + 1) * u64::from(c16.block_length),
        sectors_512 * 512
    );
}

#[test]
fn read_and_write_10_and_16_round_trip() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let bs = devices.sector_size as usize;
    let lba = u64::from(lba_of(&devices, REGION));
    for (i, (wsize, rsize)) in [(Size::Ten, Size::Sixteen), (Size::Sixteen, Size::Ten)]
        .into_iter()
        .enumerate()
    {
        let data = scsi::pattern(0xc0 + i as u32, 4 * bs);
        let write = cdb::Write {
            lba,
            blocks: 4,
            dpo: false,
            fua: true,
            size: Some(wsize),
        };
        good(&mut dev, "WRITE", &write, Data::Out(&data));
        let mut back = vec![0u8; 4 * bs];
        let read = cdb::Read {
            lba,
            blocks: 4,
            dpo: true,
            fua: false,
            size: Some(rsize),
        };
        good(&mut dev, "READ", &read, Data::In(&mut back));
        assert!(back == data, "{wsize:?} write then {rsize:?} read differ");
    }
}

#[test]
fn verify_10_and_16_compare_the_medium() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let bs = devices.sector_size as usize;
    let lba = u64::from(lba_of(&devices, REGION)) + 8;
    let data = scsi::pattern(0xd0, 2 * bs);
    let write = cdb::Write {
        lba,
        blocks: 2,
        dpo: false,
        fua: false,
        size: None,
    };
    good(&mut dev, "WRITE", &write, Data::Out(&data));
    for size in [Size::Ten, Size::Sixteen] {
        let medium_only = cdb::Verify {
            lba,
            blocks: 2,
            bytchk: 0,
            dpo: false,
            size: Some(size),
            ..cdb::Verify::default()
        };
        good(&mut dev, "VERIFY BYTCHK=0", &medium_only, Data::None);
        let compare = cdb::Verify {
            bytchk: 1,
            ..medium_only
        };
        if is_qemu(&devices) {
            // QEMU's scsi-hd verifies the medium only: BYTCHK=1 is 05/24/00 (invalid field
            // in CDB), so sgmap's `dd verify=1` reads back and compares on the host instead.
            let r = send(&mut dev, "VERIFY BYTCHK=1", &compare, Data::Out(&data));
            assert_eq!(
                r.category(),
                ExitCategory::IllegalRequest,
                "{:?}",
                r.outcome()
            );
            assert_eq!(
                sgmap_core::status::sense_key_asc(r.sense()),
                Some((0x5, 0x24, 0x00))
            );
            continue;
        }
        good(&mut dev, "VERIFY BYTCHK=1", &compare, Data::Out(&data));
        let mut wrong = data.clone();
        wrong[bs + 3] ^= 0xff;
        let r = send(
            &mut dev,
            "VERIFY BYTCHK=1 wrong",
            &compare,
            Data::Out(&wrong),
        );
        assert_eq!(
            r.category(),
            ExitCategory::Miscompare,
            "{size:?}: {:?} sense {:02x?}",
            r.outcome(),
            r.sense()
        );
    }
}

#[test]
fn synchronize_cache_10_and_16_are_good() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    for size in [Size::Ten, Size::Sixteen] {
        let sync = cdb::SynchronizeCache {
            lba: 0,
            blocks: 0,
            immed: false,
            size: Some(size),
            ..cdb::SynchronizeCache::default()
        };
        let r = send(&mut dev, "SYNCHRONIZE CACHE", &sync, Data::None);
        let expected = match (is_qemu(&devices), size) {
            // QEMU's scsi-hd does not implement SYNCHRONIZE CACHE (16).
            (true, Size::Sixteen) => ExitCategory::InvalidOpcode,
            _ => ExitCategory::Clean,
        };
        assert_eq!(
            r.category(),
            expected,
            "{size:?}: {:?} {:02x?}",
            r.outcome(),
            r.sense()
        );
    }
}

#[test]
fn request_sense_answers_in_the_format_asked() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    for descriptor in [false, true] {
        let mut buf = [0u8; 252];
        let r = good(
            &mut dev,
            "REQUEST SENSE",
            &cdb::RequestSense {
                descriptor,
                allocation_length: 252,
            },
            Data::In(&mut buf),
        );
        assert!(r.valid >= 8, "sense data returned: {r:?}");
        let code = buf[0] & 0x7f;
        let expected = if descriptor { 0x72 } else { 0x70 };
        assert_eq!(
            code,
            expected,
            "descriptor={descriptor}: {:02x?}",
            &buf[..18]
        );
    }
    let _ = SenseFormat::Fixed;
}

#[test]
fn report_luns_lists_the_device_lun() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    // The buffer must be as long as the CDB's ALLOCATION LENGTH: QEMU's virtio-scsi answers
    // a longer allocation than dxfer_len with DID_ERROR (overrun), scsi_debug truncates
    // (an_allocation_length_beyond_dxfer_len_is_did_error_on_qemu_and_truncated_on_scsi_debug).
    let report = cdb::ReportLuns::default();
    let mut buf = vec![0u8; report.allocation_length as usize];
    let r = good(&mut dev, "REPORT LUNS", &report, Data::In(&mut buf));
    let luns = ReportLuns::new_checked(&buf[..r.valid as usize]).expect("REPORT LUNS parses");
    let id = dev.scsi_id().expect("SG_GET_SCSI_ID");
    let listed: Vec<u64> = luns.luns().map(|l| l.to_linux()).collect();
    assert!(
        listed.contains(&(id.lun as u64)),
        "LUN {} in {listed:?}",
        id.lun
    );
}

#[test]
fn start_stop_unit_start_is_good() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let start = cdb::StartStopUnit {
        immed: false,
        power_condition_modifier: 0,
        power_condition: 0,
        no_flush: false,
        load_eject: false,
        start: true,
    };
    good(&mut dev, "START STOP UNIT", &start, Data::None);
}

#[test]
fn mode_sense_10_returns_its_header() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let mut buf = [0u8; 512];
    let sense = cdb::ModeSense10 {
        llbaa: false,
        dbd: false,
        page_control: cdb::PageControl::Current,
        page_code: 0x3f,
        subpage_code: 0,
        allocation_length: 512,
    };
    let r = good(&mut dev, "MODE SENSE (10)", &sense, Data::In(&mut buf));
    assert!(r.valid >= 8, "mode parameter header: {r:?}");
    let mode_data_length = u16::from_be_bytes([buf[0], buf[1]]) as u32;
    if is_qemu(&devices) {
        // QEMU's scsi-hd sends the whole allocation length, zero-padded, with resid 0: the
        // transfer's valid length over-counts, and only MODE DATA LENGTH tells the truth.
        assert_eq!(r.valid, 512, "QEMU pads to the allocation length: {r:?}");
        let end = mode_data_length as usize + 2;
        assert!(end < 512, "header {:02x?}", &buf[..16]);
        assert!(
            buf[end..].iter().all(|&b| b == 0),
            "zero padding after the {end} bytes of mode data"
        );
    } else {
        assert_eq!(
            mode_data_length + 2,
            r.valid,
            "MODE DATA LENGTH counts what follows it: resid {} header {:02x?}",
            r.resid,
            &buf[..16]
        );
    }
}

/// The MODE SENSE (10) parameter header and the block descriptors after it (SPC-5 §7.5.6,
/// SBC-4 §6.5.2 and §6.5.3): offsets in the data-in buffer.
mod mode10 {
    use std::ops::Range;

    /// LONGLBA is bit 0 of this byte.
    pub const LONGLBA: usize = 4;
    /// BLOCK DESCRIPTOR LENGTH.
    pub const DESCRIPTOR_LENGTH: Range<usize> = 6..8;
    /// The header's length: the first descriptor starts here.
    pub const HEADER_LEN: usize = 8;
    /// LOGICAL BLOCK LENGTH in a short (8-byte) descriptor, from its start.
    pub const SHORT_BLOCK_LENGTH: Range<usize> = 5..8;
    /// LOGICAL BLOCK LENGTH in a long (16-byte) descriptor, from its start.
    pub const LONG_BLOCK_LENGTH: Range<usize> = 12..16;
}

#[test]
fn mode_sense_10_block_descriptor_gives_the_block_length_in_each_length_the_device_sends() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let be = |b: &[u8]| b.iter().fold(0u32, |n, &x| (n << 8) | u32::from(x));
    let mut lengths = Vec::new();
    for (llbaa, dbd) in [(false, false), (true, false), (false, true)] {
        let mut buf = [0u8; 512];
        let sense = cdb::ModeSense10 {
            llbaa,
            dbd,
            page_control: cdb::PageControl::Current,
            page_code: 0x3f,
            subpage_code: 0,
            allocation_length: 512,
        };
        good(&mut dev, "MODE SENSE (10)", &sense, Data::In(&mut buf));
        let len = be(&buf[mode10::DESCRIPTOR_LENGTH]);
        let longlba = buf[mode10::LONGLBA] & 1 == 1;
        let desc = &buf[mode10::HEADER_LEN..];
        let what = format!("LLBAA={llbaa} DBD={dbd}: header {:02x?}", &buf[..24]);
        let block_length = match (dbd, len, longlba) {
            (true, 0, false) => None,
            (false, 8, false) => Some(be(&desc[mode10::SHORT_BLOCK_LENGTH])),
            (false, 16, true) if llbaa => Some(be(&desc[mode10::LONG_BLOCK_LENGTH])),
            _ => panic!("{what}: a descriptor length of {len}, LONGLBA {longlba}"),
        };
        if let Some(block_length) = block_length {
            assert_eq!(block_length, devices.sector_size, "{what}");
        }
        lengths.push(len);
    }
    println!("block descriptor lengths for LLBAA 0, LLBAA 1, DBD: {lengths:?}");
    // scsi_debug answers LLBAA with a long descriptor; QEMU's scsi-hd ignores it.
    let expected = if is_qemu(&devices) {
        [8, 8, 0]
    } else {
        [8, 16, 0]
    };
    assert_eq!(lengths, expected);
}

#[test]
fn an_allocation_length_beyond_dxfer_len_is_did_error_on_qemu_and_truncated_on_scsi_debug() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    // ALLOCATION LENGTH 2056, a buffer of 8 bytes: only the LUN list's header fits.
    let report = cdb::ReportLuns::default();
    let mut buf = [0u8; 8];
    let r = send(&mut dev, "REPORT LUNS", &report, Data::In(&mut buf));
    println!(
        "REPORT LUNS, {} bytes asked into 8: {:?}, {r:?}",
        report.allocation_length,
        r.outcome()
    );
    if is_qemu(&devices) {
        // virtio-scsi: QEMU answers VIRTIO_SCSI_S_OVERRUN before running the command when
        // the CDB asks for more than the buffer holds; the guest driver makes it DID_ERROR.
        assert_eq!(r.host_status, 0x07, "DID_ERROR: {:?}", r.outcome());
        assert_eq!(r.category(), ExitCategory::Other, "{:?}", r.outcome());
        assert_eq!(r.valid, 0);
    } else {
        // scsi_debug fills what fits and says GOOD: the LUN LIST LENGTH tells that more
        // was there.
        assert!(r.is_good(), "{:?}", r.outcome());
        assert_eq!(r.valid, 8, "{r:?}");
        let list_length = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]);
        assert!(list_length >= 8, "LUN LIST LENGTH {list_length}");
    }
}

#[test]
fn read_buffer_is_not_implemented_by_either_device() {
    // Neither scsi_debug nor QEMU's scsi-hd implements READ BUFFER: pinned so that a kernel
    // or QEMU that adds it shows here (and the READ BUFFER decoders get a real device).
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let mut desc = [0u8; 4];
    let r = send(
        &mut dev,
        "READ BUFFER descriptor",
        &cdb::ReadBuffer::descriptor(0),
        Data::In(&mut desc),
    );
    assert_eq!(
        r.category(),
        ExitCategory::InvalidOpcode,
        "{:?}",
        r.outcome()
    );
    let mut data = [0u8; 512];
    let r = send(
        &mut dev,
        "READ BUFFER data",
        &cdb::ReadBuffer::data(0, 0, 512),
        Data::In(&mut data),
    );
    assert_eq!(
        r.category(),
        ExitCategory::InvalidOpcode,
        "{:?}",
        r.outcome()
    );
}

#[test]
fn write_buffer_deferred_microcode_is_good_on_scsi_debug_only() {
    let devices = Devices::from_env();
    let mut dev = scsi::open(&devices.sg);
    let wb = cdb::WriteBuffer {
        mode: cdb::WriteBufferMode::from_acronym("dmc_offs_defer").expect("mode 0xe"),
        mode_specific: 0,
        buffer_id: 0,
        offset: 0,
        length: 512,
    };
    let image = vec![0xffu8; 512];
    let r = send(&mut dev, "WRITE BUFFER mode 0xe", &wb, Data::Out(&image));
    let expected = if is_qemu(&devices) {
        ExitCategory::InvalidOpcode
    } else {
        // scsi_debug: modes 0xe and 0xf answer GOOD and raise nothing (cli_write_buffer.rs asserts it).
        ExitCategory::Clean
    };
    assert_eq!(
        r.category(),
        expected,
        "{:?} {:02x?}",
        r.outcome(),
        r.sense()
    );
    good(
        &mut dev,
        "TEST UNIT READY after mode 0xe",
        &cdb::TestUnitReady,
        Data::None,
    );
}
