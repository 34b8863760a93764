//! Sense data: view, every getter, the descriptor walk, Display and the exit category.
#![no_main]

use core::fmt::Write;
use libfuzzer_sys::fuzz_target;
use sgmap_core::sense::{self, Sense};

/// Counts what Display writes, without keeping it.
struct Count(usize);

impl Write for Count {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = sense::category(data);
    let mut count = Count(0);
    write!(count, "{}", sense::render(data)).unwrap();
    assert!(count.0 <= 20_000);
    if let Ok(s) = Sense::new_checked(data) {
        let _ = (
            s.format(),
            s.is_deferred(),
            s.sense_key(),
            s.additional_sense(),
        );
        let _ = (
            s.information(),
            s.command_specific(),
            s.sense_key_specific(),
        );
        let _ = (
            s.field_replaceable_unit(),
            s.stream_bits(),
            s.sense_data_overflow(),
        );
        assert!(s.valid_len() <= data.len());
        assert!(s.descriptors().count() <= data.len() / 2);
        let _ = sense::Repr::parse(&s);
    }
});
