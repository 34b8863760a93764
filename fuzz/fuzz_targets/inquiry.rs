//! Standard INQUIRY data: view, Repr parse and emit, and the identification text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sgmap_core::response::{Inquiry, InquiryRepr};

fuzz_target!(|data: &[u8]| {
    if let Ok(inq) = Inquiry::new_checked(data) {
        let _ = (inq.qualifier(), inq.device_type(), inq.flags(), inq.tpgs());
        let _ = (inq.vendor(), inq.product(), inq.revision());
        let repr = InquiryRepr::parse(&inq).unwrap();
        let mut out = [0u8; 36];
        repr.emit(&mut out).unwrap();
        assert_eq!(out[8..36], data[8..36]);
        let again = InquiryRepr::parse(&Inquiry::new_checked(&out[..]).unwrap()).unwrap();
        assert_eq!(again, repr);
    }
});
