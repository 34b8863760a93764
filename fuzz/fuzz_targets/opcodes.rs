//! REPORT SUPPORTED OPERATION CODES (all_commands, one_command) and REPORT SUPPORTED TASK
//! MANAGEMENT FUNCTIONS data, and the command names of what they list.
#![no_main]

use core::fmt::Write as _;

use libfuzzer_sys::fuzz_target;
use sgmap_core::cdb::CommandName;
use sgmap_core::response::{OneCommand, SupportedOpcodes, SupportedTmf};

fuzz_target!(|data: &[u8]| {
    if let Ok(all) = SupportedOpcodes::new_checked(data) {
        let _ = all.is_truncated();
        let mut n = 0;
        for d in all.descriptors() {
            n += 1;
            let pdt = data.first().copied().unwrap_or(0);
            let mut s = String::new();
            let _ = write!(s, "{}", CommandName::opcode(d.opcode, pdt));
            let _ = write!(
                s,
                "{}",
                CommandName::service_action(d.opcode, d.service_action, pdt)
            );
            let _ = d.timeouts;
        }
        assert!(n <= data.len().saturating_sub(4) / 8);
    }
    if let Ok(one) = OneCommand::new_checked(data) {
        assert!(one.usage_data().len() <= data.len() - 4);
        let _ = (one.support(), one.timeouts());
    }
    if let Ok(t) = SupportedTmf::new_checked(data) {
        let _ = (t.bit(1, 2), t.long_timeout(), t.short_timeout());
    }
});
