//! VPD pages 84h–89h and B0h–B2h: every view's getters, walks and ATA strings on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sgmap_core::response::Vpd;

fuzz_target!(|data: &[u8]| {
    let Ok(vpd) = Vpd::new_checked(data) else {
        return;
    };
    let bound = data.len();
    assert!(vpd.page().len() <= bound);
    if let Ok(ids) = vpd.software_interface_ids() {
        assert!(ids.count() <= bound / 6);
    }
    if let Ok(na) = vpd.network_addresses() {
        for a in na {
            assert!(a.address.len() <= bound);
        }
    }
    if let Ok(x) = vpd.extended_inquiry() {
        let _ = (
            x.activate_microcode(),
            x.spt(),
            x.grd_chk(),
            x.dm_md_f(),
            x.nrd0(),
        );
        let _ = (
            x.extended_self_test_completion_minutes(),
            x.maximum_supported_sense_data_length(),
            x.maximum_mode_page_change_logs(),
        );
    }
    if let Ok(p) = vpd.mode_page_policies() {
        assert!(p.count() <= bound / 4);
    }
    if let Ok(ports) = vpd.scsi_ports() {
        for port in ports {
            for d in port.target_ports() {
                let _ = d.identifier();
            }
        }
    }
    if let Ok(a) = vpd.ata_information() {
        assert!(a.identify().len() <= 512);
        for s in [a.model(), a.serial(), a.firmware()] {
            assert!(s.chars().count() <= 40);
            let _ = s.to_string();
        }
        let _ = (
            a.sat_vendor(),
            a.device_signature(),
            a.command_code(),
            a.is_sata(),
        );
    }
    if let Ok(b) = vpd.block_limits() {
        let _ = (b.ugavalid(), b.unmap_granularity_alignment_field());
        let _ = (
            b.maximum_write_same_length(),
            b.maximum_atomic_boundary_size(),
        );
    }
    if let Ok(c) = vpd.block_device_characteristics() {
        let _ = (
            c.medium_rotation_rate(),
            c.product_type(),
            c.zoned(),
            c.depopulation_time(),
        );
    }
    if let Ok(l) = vpd.logical_block_provisioning() {
        let _ = (l.lbprz(), l.provisioning_type(), l.threshold_percentage());
        if let Some(d) = l.provisioning_group_descriptor() {
            assert!(d.designator.len() <= bound);
        }
    }
});
