//! REPORT LUNS parameter data: the LUN walk, LUN numbers and the Linux integer form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sgmap_core::response::{Lun, ReportLuns};

fuzz_target!(|data: &[u8]| {
    let Ok(rl) = ReportLuns::new_checked(data) else {
        return;
    };
    let _ = rl.is_truncated();
    let mut n = 0;
    for lun in rl.luns() {
        n += 1;
        let _ = (lun.address_method(), lun.number());
        assert_eq!(Lun::from_linux(lun.to_linux()), lun);
    }
    assert!(n <= data.len().saturating_sub(8) / 8);
});
