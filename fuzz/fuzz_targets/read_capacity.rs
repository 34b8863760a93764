//! READ CAPACITY (10) and (16) parameter data, with an emit/parse round trip for (16).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sgmap_core::response::{Capacity10, Capacity16};

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = Capacity10::parse(data) {
        let _ = (c.needs_16(), c.blocks(), c.bytes());
    }
    if let Ok(c) = Capacity16::parse(data) {
        let _ = (c.protection_type(), c.physical_block_length(), c.bytes());
        let mut out = [0u8; 32];
        c.emit(&mut out).unwrap();
        assert_eq!(Capacity16::parse(&out).unwrap(), c);
    }
});
