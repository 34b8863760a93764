//! VPD pages, device identification (83h) first: the designator walk and its decoding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sgmap_core::response::Vpd;

fuzz_target!(|data: &[u8]| {
    let Ok(vpd) = Vpd::new_checked(data) else {
        return;
    };
    if let Ok(designators) = vpd.designators() {
        let mut n = 0;
        for d in designators {
            n += 1;
            let _ = d.identifier();
        }
        assert!(n <= data.len() / 4);
    }
    // The same decoders must hold for the other pages' bytes too.
    let _ = vpd.supported_pages().map(|p| p.count());
    let _ = vpd.unit_serial_number();
    let _ = vpd
        .block_limits()
        .map(|b| (b.maximum_transfer_length(), b.wsnz()));
});
