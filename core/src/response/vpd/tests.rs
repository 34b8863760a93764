//! Golden bytes of the VPD pages added to 00h/80h/83h/B0h: every field in its place (each
//! bit set alone in a page of zeros, and cleared alone in a page of 0xff), short pages
//! giving `None`.

extern crate std;

use super::*;
use std::string::ToString;
use std::vec::Vec;
use std::{format, vec};

/// A page of `len` bytes after the header, every byte `fill`.
fn page(code: u8, len: usize, fill: u8) -> Vec<u8> {
    let mut p = vec![fill; 4 + len];
    p[0] = 0;
    p[1] = code;
    p[2..4].copy_from_slice(&(len as u16).to_be_bytes());
    p
}

type Bit = fn(&ExtendedInquiry<'_>) -> Option<bool>;

/// Every one-bit field of 86h: its getter, byte and mask.
const EI_BITS: &[(Bit, usize, u8)] = &[
    (|x| x.grd_chk(), 4, 0x04),
    (|x| x.app_chk(), 4, 0x02),
    (|x| x.ref_chk(), 4, 0x01),
    (|x| x.uask_sup(), 5, 0x20),
    (|x| x.group_sup(), 5, 0x10),
    (|x| x.prior_sup(), 5, 0x08),
    (|x| x.headsup(), 5, 0x04),
    (|x| x.ordsup(), 5, 0x02),
    (|x| x.simpsup(), 5, 0x01),
    (|x| x.wu_sup(), 6, 0x08),
    (|x| x.crd_sup(), 6, 0x04),
    (|x| x.nv_sup(), 6, 0x02),
    (|x| x.v_sup(), 6, 0x01),
    (|x| x.no_pi_chk(), 7, 0x20),
    (|x| x.p_i_i_sup(), 7, 0x10),
    (|x| x.luiclr(), 7, 0x01),
    (|x| x.r_sup(), 8, 0x10),
    (|x| x.rtd_sup(), 8, 0x08),
    (|x| x.hssrelef(), 8, 0x02),
    (|x| x.cbcs(), 8, 0x01),
    (|x| x.poa_sup(), 12, 0x80),
    (|x| x.hra_sup(), 12, 0x40),
    (|x| x.vsa_sup(), 12, 0x20),
    (|x| x.dms_valid(), 12, 0x10),
    (|x| x.ibs(), 14, 0x80),
    (|x| x.ias(), 14, 0x40),
    (|x| x.sac(), 14, 0x04),
    (|x| x.nrd1(), 14, 0x02),
    (|x| x.nrd0(), 14, 0x01),
    (|x| x.dm_md_4(), 19, 0x80),
    (|x| x.dm_md_5(), 19, 0x40),
    (|x| x.dm_md_6(), 19, 0x20),
    (|x| x.dm_md_7(), 19, 0x10),
    (|x| x.dm_md_d(), 19, 0x08),
    (|x| x.dm_md_e(), 19, 0x04),
    (|x| x.dm_md_f(), 19, 0x02),
];

#[test]
fn extended_inquiry_bits_are_each_in_their_place() {
    for (k, &(_, at, mask)) in EI_BITS.iter().enumerate() {
        for (fill, set) in [(0x00u8, true), (0xff, false)] {
            let mut p = page(0x86, 60, fill);
            p[at] ^= mask;
            let v = Vpd::new_checked(&p[..]).unwrap();
            let x = v.extended_inquiry().unwrap();
            for (m, &(get, _, _)) in EI_BITS.iter().enumerate() {
                let want = if m == k { set } else { !set };
                assert_eq!(get(&x), Some(want), "bit {k} ({at}, {mask:#x}), getter {m}");
            }
        }
    }
}

#[test]
fn extended_inquiry_fields() {
    let mut p = page(0x86, 60, 0);
    p[4] = 0b10_101_000; // ACTIVATE_MICROCODE 2, SPT 5
    p[8] = 0b011_00000; // LU_COLL_TYPE 3
    p[9] = 0xf7; // MULTI I_T NEXUS MICROCODE DOWNLOAD 7 (high nibble reserved)
    p[10..12].copy_from_slice(&0x1234u16.to_be_bytes());
    p[13] = 252;
    p[15..17].copy_from_slice(&0x0102u16.to_be_bytes());
    p[17..19].copy_from_slice(&0x0304u16.to_be_bytes());
    let v = Vpd::new_checked(&p[..]).unwrap();
    let x = v.extended_inquiry().unwrap();
    assert_eq!(x.activate_microcode(), Some(2));
    assert_eq!(x.spt(), Some(5));
    assert_eq!(x.lu_coll_type(), Some(3));
    assert_eq!(x.multi_i_t_nexus_microcode_download(), Some(7));
    assert_eq!(x.extended_self_test_completion_minutes(), Some(0x1234));
    assert_eq!(x.maximum_supported_sense_data_length(), Some(252));
    assert_eq!(x.maximum_inquiry_change_logs(), Some(0x0102));
    assert_eq!(x.maximum_mode_page_change_logs(), Some(0x0304));
    // A page of 10 bytes: what is past its end is None; PAGE LENGTH bounds the
    // page even when more bytes follow.
    let mut short = page(0x86, 6, 0xff);
    short.extend_from_slice(&[0xff; 20]);
    let v = Vpd::new_checked(&short[..]).unwrap();
    let x = v.extended_inquiry().unwrap();
    assert_eq!(x.v_sup(), Some(true));
    assert_eq!(x.maximum_supported_sense_data_length(), None);
    assert_eq!(x.extended_self_test_completion_minutes(), None);
    assert_eq!(x.dm_md_f(), None);
    assert!(Vpd::new_checked(&p[..]).unwrap().block_limits().is_err());
}

/// `s` as an ATA string of `words` words: two characters a word, the first in the high
/// (second) byte, padded with spaces.
fn ata_words(s: &str, words: usize) -> Vec<u8> {
    let mut b: Vec<u8> = s.bytes().collect();
    b.resize(2 * words, b' ');
    b.chunks(2).flat_map(|w| [w[1], w[0]]).collect()
}

#[test]
fn ata_information_decodes_the_sat_fields_and_identify_strings() {
    let mut p = page(0x89, 0x238, 0);
    p[8..16].copy_from_slice(b"linux   ");
    p[16..32].copy_from_slice(b"libata          ");
    p[32..36].copy_from_slice(b"3.00");
    p[36] = 0x34;
    p[56] = 0xec;
    let id = 60;
    p[id + 20..id + 40].copy_from_slice(&ata_words("QM00001", 10));
    p[id + 46..id + 54].copy_from_slice(&ata_words("2.5+", 4));
    p[id + 54..id + 94].copy_from_slice(&ata_words("QEMU HARDDISK", 20));
    let v = Vpd::new_checked(&p[..]).unwrap();
    let a = v.ata_information().unwrap();
    assert_eq!(a.sat_vendor(), Some(&b"linux   "[..]));
    assert_eq!(a.sat_product(), Some(&b"libata          "[..]));
    assert_eq!(a.sat_revision(), Some(&b"3.00"[..]));
    assert_eq!(a.is_sata(), Some(true));
    assert_eq!(a.device_signature().map(<[u8]>::len), Some(20));
    assert_eq!(a.command_code(), Some(0xec));
    assert_eq!(a.identify().len(), 512);
    assert_eq!(a.model().to_string(), format!("{:<40}", "QEMU HARDDISK"));
    assert_eq!(a.serial().to_string(), format!("{:<20}", "QM00001"));
    assert_eq!(a.firmware().to_string(), "2.5+    ");
    // A NUL ends a string; an odd one ends it mid-word.
    let mut q = p.clone();
    q[id + 54 + 3] = 0; // the third character
    let v = Vpd::new_checked(&q[..]).unwrap();
    assert_eq!(v.ata_information().unwrap().model().to_string(), "QE");
    // A page that stops in the IDENTIFY data: strings from the words that are there.
    let cut = &p[..id + 58];
    let v = Vpd::new_checked(cut).unwrap();
    let a = v.ata_information().unwrap();
    assert_eq!(a.identify().len(), 58);
    assert_eq!(a.model().to_string(), "QEMU");
    assert_eq!(a.firmware().to_string(), "2.5+    ");
    let v = Vpd::new_checked(&p[..40]).unwrap();
    let a = v.ata_information().unwrap();
    assert_eq!(a.command_code(), None);
    assert_eq!(a.device_signature(), None);
    assert_eq!(a.identify(), &[] as &[u8]);
    assert_eq!(a.model().to_string(), "");
}

#[test]
fn block_limits_unmap_alignment_valid_or_not() {
    let mut p = page(0xb0, 0x3c, 0);
    p[32..36].copy_from_slice(&0x8000_0010u32.to_be_bytes());
    let v = Vpd::new_checked(&p[..]).unwrap();
    let b = v.block_limits().unwrap();
    assert_eq!(b.ugavalid(), Some(true));
    assert_eq!(b.unmap_granularity_alignment(), Some(0x10));
    assert_eq!(b.unmap_granularity_alignment_field(), Some(0x10));
    p[32] = 0x00;
    let v = Vpd::new_checked(&p[..]).unwrap();
    let b = v.block_limits().unwrap();
    assert_eq!(b.ugavalid(), Some(false));
    assert_eq!(b.unmap_granularity_alignment(), None);
    assert_eq!(b.unmap_granularity_alignment_field(), Some(0x10));
    let v = Vpd::new_checked(&p[..32]).unwrap();
    assert_eq!(v.block_limits().unwrap().ugavalid(), None);
}

#[test]
fn block_device_characteristics_fields() {
    let mut p = page(0xb1, 0x3c, 0xff);
    p[4..6].copy_from_slice(&7200u16.to_be_bytes());
    p[6] = 0x05;
    p[7] = 0b1001_0011; // WABEREQ 2, WACEREQ 1, 2.5"
    p[8] = 0b1110_1010; // ZONED 2, RBWZ 1, BOCS 0, FUAB 1, VBULS 0
    p[12..16].copy_from_slice(&0x0001_0203u32.to_be_bytes());
    let v = Vpd::new_checked(&p[..]).unwrap();
    let c = v.block_device_characteristics().unwrap();
    assert_eq!(c.medium_rotation_rate(), Some(RotationRate::Rpm(7200)));
    assert_eq!(c.medium_rotation_rate_raw(), Some(7200));
    assert_eq!(c.product_type(), Some(5));
    assert_eq!(c.wabereq(), Some(2));
    assert_eq!(c.wacereq(), Some(1));
    assert_eq!(c.nominal_form_factor(), Some(3));
    assert_eq!(c.zoned(), Some(2));
    assert_eq!(
        (c.rbwz(), c.bocs(), c.fuab(), c.vbuls()),
        (Some(true), Some(false), Some(true), Some(false))
    );
    assert_eq!(c.depopulation_time(), Some(0x0001_0203));
    for (raw, rate) in [
        (0, RotationRate::NotReported),
        (1, RotationRate::NonRotating),
        (2, RotationRate::Reserved(2)),
        (0x400, RotationRate::Reserved(0x400)),
        (0x401, RotationRate::Rpm(0x401)),
        (0xffff, RotationRate::Reserved(0xffff)),
    ] {
        assert_eq!(RotationRate::from(raw), rate);
    }
    let v = Vpd::new_checked(&p[..7]).unwrap();
    let c = v.block_device_characteristics().unwrap();
    assert_eq!(c.product_type(), Some(5));
    assert_eq!(c.wabereq(), None);
    assert_eq!(c.zoned(), None);
    assert_eq!(c.depopulation_time(), None);
}

#[test]
fn logical_block_provisioning_fields_and_group_descriptor() {
    let mut p = page(0xb2, 4, 0);
    p[4] = 9;
    p[5] = 0b1010_1101; // LBPU, LBPWS10, LBPRZ 3, DP
    p[6] = (17 << 3) | 2; // minimum percentage 17, thin
    p[7] = 50;
    // The provisioning group descriptor: NAA 6 of the logical unit.
    p.extend_from_slice(&[0x01, 0x03, 0x00, 0x10]);
    p.extend_from_slice(&[0x60, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    p[3] = (p.len() - 4) as u8;
    let v = Vpd::new_checked(&p[..]).unwrap();
    let l = v.logical_block_provisioning().unwrap();
    assert_eq!(l.threshold_exponent(), Some(9));
    assert_eq!(
        (l.lbpu(), l.lbpws(), l.lbpws10(), l.anc_sup(), l.dp()),
        (Some(true), Some(false), Some(true), Some(false), Some(true))
    );
    assert_eq!(l.lbprz(), Some(3));
    assert_eq!(l.minimum_percentage(), Some(17));
    assert_eq!(l.provisioning_type(), Some(ProvisioningType::Thin));
    assert_eq!(l.threshold_percentage(), Some(50));
    let d = l.provisioning_group_descriptor().unwrap();
    assert_eq!(d.designator_type, DesignatorType::Naa);
    assert_eq!(d.designator.len(), 16);
    // Without DP, or cut short: no descriptor.
    let mut q = p.clone();
    q[5] &= !1;
    let v = Vpd::new_checked(&q[..]).unwrap();
    assert_eq!(
        v.logical_block_provisioning()
            .unwrap()
            .provisioning_group_descriptor(),
        None
    );
    let v = Vpd::new_checked(&p[..20]).unwrap();
    assert_eq!(
        v.logical_block_provisioning()
            .unwrap()
            .provisioning_group_descriptor(),
        None
    );
    for n in 0..=7u8 {
        assert_eq!(u8::from(ProvisioningType::from(n)), n);
    }
}

#[test]
fn spc_descriptor_pages_walk_whole_descriptors_only() {
    // 84h: two identifiers and a partial third.
    let mut p = page(0x84, 14, 0);
    p[4..10].copy_from_slice(&[0x00, 0x0e, 0xd1, 0x01, 0x02, 0x03]);
    p[10..16].copy_from_slice(&[0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
    let v = Vpd::new_checked(&p[..]).unwrap();
    let ids: Vec<_> = v.software_interface_ids().unwrap().collect();
    assert_eq!(ids, [(0x000ed1, 0x010203), (0xaabbcc, 0xddeeff)]);
    // 85h: a URL, then a descriptor longer than the page.
    let mut p = page(0x85, 0, 0);
    p.extend_from_slice(&[0x21, 0, 0, 4, b'h', b't', 0, 0]);
    p.extend_from_slice(&[0x05, 0, 0, 9, b'x']);
    p[3] = (p.len() - 4) as u8;
    let v = Vpd::new_checked(&p[..]).unwrap();
    let na: Vec<_> = v.network_addresses().unwrap().collect();
    assert_eq!(na.len(), 1);
    assert_eq!(na[0].association, Association::TargetPort);
    assert_eq!(na[0].service_type, 1);
    assert_eq!(na[0].address, b"ht\0\0");
    // 87h: one policy for all pages and subpages, MLUS.
    let mut p = page(0x87, 6, 0);
    p[4..8].copy_from_slice(&[0x3f, 0xff, 0x83, 0]);
    let v = Vpd::new_checked(&p[..]).unwrap();
    let pol: Vec<_> = v.mode_page_policies().unwrap().collect();
    assert_eq!(
        pol,
        [ModePagePolicy {
            page_code: 0x3f,
            subpage_code: 0xff,
            mlus: true,
            policy: 3
        }]
    );
    // 88h: relative port 1 with one target port designator; then a port cut short.
    let mut p = page(0x88, 0, 0);
    p.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 8]);
    p.extend_from_slice(&[0x61, 0x93, 0, 4, 1, 2, 3, 4]);
    p.extend_from_slice(&[0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 8, 0x61]);
    p[3] = (p.len() - 4) as u8;
    let v = Vpd::new_checked(&p[..]).unwrap();
    let ports: Vec<_> = v.scsi_ports().unwrap().collect();
    assert_eq!(ports.len(), 1);
    assert_eq!(ports[0].relative_port, 1);
    assert!(ports[0].initiator_transport_id.is_empty());
    let d: Vec<_> = ports[0].target_ports().collect();
    assert_eq!(d.len(), 1);
    assert!(d[0].piv);
    assert_eq!(d[0].association, Association::TargetPort);
    assert_eq!(d[0].designator, [1, 2, 3, 4]);
}

/// The first 154 bytes of scsi_debug's (Linux 6.1) ATA Information page, as the guest read
/// it: the SAT fields and IDENTIFY words 0–46.
const SDEBUG_89: [u8; 154] = [
    0x00, 0x89, 0x02, 0x38, 0x00, 0x00, 0x00, 0x00, 0x6c, 0x69, 0x6e, 0x75, 0x78, 0x20, 0x20, 0x20,
    0x53, 0x41, 0x54, 0x20, 0x73, 0x63, 0x73, 0x69, 0x5f, 0x64, 0x65, 0x62, 0x75, 0x67, 0x20, 0x20,
    0x31, 0x32, 0x33, 0x34, 0x34, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xec, 0x00, 0x00, 0x00, 0x5a, 0x0c, 0xff, 0x3f,
    0x37, 0xc8, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x00, 0x00, 0x00, 0x40, 0x04, 0x00, 0x2e, 0x33, 0x38, 0x31, 0x20, 0x20,
    0x20, 0x20, 0x54, 0x53, 0x38, 0x33, 0x30, 0x30, 0x33, 0x31, 0x53, 0x41, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
];

#[test]
fn ata_information_of_scsi_debug() {
    let v = Vpd::new_checked(&SDEBUG_89[..]).unwrap();
    assert_eq!(v.page_length(), 0x238);
    let a = v.ata_information().unwrap();
    assert_eq!(a.sat_vendor(), Some(&b"linux   "[..]));
    assert_eq!(a.sat_product(), Some(&b"SAT scsi_debug  "[..]));
    assert_eq!(a.sat_revision(), Some(&b"1234"[..]));
    assert_eq!(a.is_sata(), Some(true));
    assert_eq!(a.command_code(), Some(0xec));
    assert_eq!(a.model().to_string(), format!("{:<40}", "ST380013AS"));
    assert_eq!(a.serial().to_string(), format!("{:<20}", "XXXXXXXX"));
    assert_eq!(a.firmware().to_string(), "3.18    ");
}
