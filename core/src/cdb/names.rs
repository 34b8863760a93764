//! SCSI command names as sg3_utils 1.46 prints them ("Read(10)", "Write same(16)",
//! "Report supported operation codes"), for an operation code, a service action and a
//! peripheral device type (feature `opcode-names`).
//!
//! The names and the rules are those of sg3_utils' `sg_get_opcode_name()` and
//! `sg_get_opcode_sa_name()` (lib/sg_lib.c, lib/sg_lib_data.c of release 1.46): a name may
//! depend on the device type (08h is "Read(6)" on a disk, "Receive" on a processor), and a
//! type without its own name takes the first one listed; operation codes with service
//! actions take the service action's name, some with a prefix ("Persistent reserve in,
//! read keys"); unnamed codes are "Opcode=0x..", "Reserved [0x..]" (group 3) or "Vendor
//! specific [0x..]" (groups 6 and 7). The OSD variable-length commands (T10 withdrew OSD,
//! Linux dropped it in 5.4) are left out: they print as "Variable length service
//! action=0x....".
//!
//! # Layout
//!
//! As the ASC table (`sense::asc`): the entries are written once, in `names.txt`; the build
//! script makes the statics the binary holds: sorted 4-byte keys `table << 24 | value << 8
//! | device type`, 2-byte offsets and the names back to back, packed by byte pairs
//! ([`crate::packed`]): [`TABLE_BYTES`] in all.

use core::fmt;

#[cfg(feature = "opcode-names")]
use crate::packed::PackedStr;

#[cfg(feature = "opcode-names")]
mod table {
    // `COUNT`, `TEXT_LEN`, `KEYS` (table << 24 | value << 8 | device type, sorted; table 0
    // is the operation codes, the others service actions, see `SERVICE_ACTIONS`; within one
    // value, the smallest device type is the one sg3_utils lists first, its fallback),
    // `OFFSETS`, `PACKED`, `PAIRS`: from names.txt, by build.rs.
    include!(concat!(env!("OUT_DIR"), "/names_table.rs"));
}
#[cfg(feature = "opcode-names")]
use table::{KEYS, OFFSETS, PACKED, PAIRS};

/// Bytes the name table adds to a binary (keys, offsets, text; not the small tables of
/// service-action operation codes and device types). 0 without the feature `opcode-names`.
#[cfg(feature = "opcode-names")]
pub const TABLE_BYTES: usize = core::mem::size_of_val(&KEYS)
    + core::mem::size_of_val(&OFFSETS)
    + core::mem::size_of_val(&PACKED)
    + core::mem::size_of_val(&PAIRS);
/// Bytes the name table adds to a binary. 0 without the feature `opcode-names`.
#[cfg(not(feature = "opcode-names"))]
pub const TABLE_BYTES: usize = 0;

/// The name of `value` in `table` for device type `pdt` (sg3_utils' `get_value_name()`):
/// the exact entry, else the first listed for `value`.
#[cfg(feature = "opcode-names")]
fn lookup(table: u8, value: u16, pdt: u8) -> Option<PackedStr> {
    let base = (u32::from(table) << 24) | (u32::from(value) << 8);
    let i = match KEYS.binary_search(&(base | u32::from(pdt))) {
        Ok(i) => i,
        Err(_) => {
            let i = KEYS.partition_point(|&k| k < base);
            if KEYS.get(i)? & !0xff != base {
                return None;
            }
            i
        }
    };
    let start = usize::from(*OFFSETS.get(i)?);
    let end = usize::from(*OFFSETS.get(i + 1)?);
    Some(PackedStr::new(&PAIRS, PACKED.get(start..end)?))
}

#[cfg(not(feature = "opcode-names"))]
fn lookup(_table: u8, _value: u16, _pdt: u8) -> Option<core::convert::Infallible> {
    None
}

/// The operation codes with service actions: `(opcode, device-type class or -1 for all,
/// table, prefix)`. The class is the decayed type ([`decay`]): 0 disk-like, 1 tape-like.
const SERVICE_ACTIONS: [(u8, i8, u8, Option<&str>); 20] = [
    (0x7f, -1, 1, None),
    (0xa3, -1, 2, None),
    (0xa4, -1, 3, None),
    (0xab, -1, 4, None),
    (0xa9, -1, 5, None),
    (0x9e, -1, 6, None),
    (0x9f, -1, 7, None),
    (0x9d, -1, 8, None),
    (0x5e, -1, 9, Some("Persistent reserve in")),
    (0x5f, -1, 10, Some("Persistent reserve out")),
    (0x83, -1, 11, None),
    (0x84, -1, 12, None),
    (0x3c, -1, 13, Some("Read buffer(10)")),
    (0x9b, -1, 13, Some("Read buffer(16)")),
    (0x8c, -1, 14, Some("Read attribute")),
    (0x34, 1, 15, Some("Read position")),
    (0x48, 0, 16, Some("Sanitize")),
    (0x3b, -1, 17, Some("Write buffer")),
    (0x95, 0, 18, None),
    (0x94, 0, 19, None),
];

/// sg3_utils' `sg_lib_pdt_decay_arr`: the device type whose command set a type shares
/// (write-once, optical, RBC and ZBC are disks; printers and ADC are tapes).
pub const fn decay(pdt: u8) -> u8 {
    match pdt & 0x1f {
        0x04 | 0x07 | 0x0e | 0x14 => 0x00,
        0x02 | 0x12 => 0x01,
        other => other,
    }
}

/// A command's name as sg3_utils prints it; see the module docs. Built by
/// [`CommandName::opcode`] (`sg_get_opcode_name()`) or [`CommandName::service_action`]
/// (`sg_get_opcode_sa_name()`), shown with `Display`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommandName {
    opcode: u8,
    service_action: Option<u16>,
    pdt: u8,
}

impl CommandName {
    /// The operation code's name for device type `pdt` (low 5 bits), ignoring service
    /// actions: "Service action in(16)" for 9Eh.
    pub const fn opcode(opcode: u8, pdt: u8) -> Self {
        CommandName {
            opcode,
            service_action: None,
            pdt: pdt & 0x1f,
        }
    }

    /// The name of `opcode` with `service_action` for device type `pdt`: the service
    /// action's name where the operation code has service actions ("Read capacity(16)"
    /// for 9Eh/10h), else the operation code's.
    pub const fn service_action(opcode: u8, service_action: u16, pdt: u8) -> Self {
        CommandName {
            opcode,
            service_action: Some(service_action),
            pdt: pdt & 0x1f,
        }
    }

    fn fmt_opcode(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = self.opcode;
        if op == 0x7f {
            return f.write_str("Variable length");
        }
        match op >> 5 {
            3 => write!(f, "Reserved [0x{op:x}]"),
            6 | 7 => write!(f, "Vendor specific [0x{op:x}]"),
            _ => match lookup(0, u16::from(op), self.pdt) {
                Some(name) => write!(f, "{name}"),
                None => write!(f, "Opcode=0x{op:x}"),
            },
        }
    }
}

impl fmt::Display for CommandName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(sa) = self.service_action else {
            return self.fmt_opcode(f);
        };
        let Some(&(_, class, table, prefix)) = SERVICE_ACTIONS
            .iter()
            .find(|(op, _, _, _)| *op == self.opcode)
        else {
            return self.fmt_opcode(f);
        };
        if class >= 0 && decay(self.pdt) != class as u8 {
            return self.fmt_opcode(f);
        }
        match (lookup(table, sa, self.pdt), prefix) {
            (Some(name), Some(prefix)) => write!(f, "{prefix}, {name}"),
            (Some(name), None) => write!(f, "{name}"),
            (None, _) => {
                self.fmt_opcode(f)?;
                write!(f, " service action=0x{sa:x}")
            }
        }
    }
}

#[cfg(all(test, feature = "opcode-names"))]
mod tests {
    use super::*;

    /// `CommandName` rendered into a fixed buffer (no allocation in this crate).
    fn name(n: CommandName) -> heapless::String<128> {
        let mut s = heapless::String::new();
        core::fmt::write(&mut s, format_args!("{n}")).unwrap();
        s
    }

    #[test]
    fn names_as_sg3_utils_prints_them() {
        let op = |o, pdt| name(CommandName::opcode(o, pdt));
        let sa = |o, s, pdt| name(CommandName::service_action(o, s, pdt));
        assert_eq!(op(0x00, 0), "Test Unit Ready");
        assert_eq!(op(0x28, 0), "Read(10)");
        assert_eq!(op(0x41, 0), "Write same(10)");
        assert_eq!(op(0x42, 0), "Unmap");
        assert_eq!(op(0x93, 0), "Write same(16)");
        // By device type, and the first listed for a type without its own.
        assert_eq!(op(0x08, 0), "Read(6)");
        assert_eq!(op(0x08, 3), "Receive");
        assert_eq!(op(0x08, 0x1f), "Read(6)");
        assert_eq!(op(0x42, 5), "Read sub-channel");
        assert_eq!(op(0x43, 0), "Read TOC/PMA/ATIP");
        assert_eq!(op(0x1b, 0x12), "Load unload");
        // Unnamed, reserved, vendor specific, variable length.
        assert_eq!(op(0x06, 0), "Opcode=0x6");
        assert_eq!(op(0x60, 0), "Reserved [0x60]");
        assert_eq!(op(0xc0, 0), "Vendor specific [0xc0]");
        assert_eq!(op(0x7f, 0), "Variable length");
        // Service actions, with their prefixes, and the fallback.
        assert_eq!(sa(0x9e, 0x10, 0), "Read capacity(16)");
        assert_eq!(sa(0x9e, 0x12, 0), "Get LBA status(16)");
        assert_eq!(sa(0xa3, 0x0c, 0), "Report supported operation codes");
        assert_eq!(sa(0xa3, 0x00, 0x0c), "Report assigned/unassigned p_extent");
        assert_eq!(sa(0x5e, 0x01, 0), "Persistent reserve in, read reservation");
        assert_eq!(sa(0x3c, 0x02, 0), "Read buffer(10), data");
        assert_eq!(sa(0x9b, 0x02, 0), "Read buffer(16), data");
        assert_eq!(sa(0x7f, 0x0d, 0), "Write same(32)");
        assert_eq!(sa(0x7f, 0x8801, 0), "Variable length service action=0x8801");
        assert_eq!(
            sa(0x9e, 0x00, 0),
            "Service action in(16) service action=0x0"
        );
        assert_eq!(
            sa(0x9d, 0x01, 0),
            "Service action bidirectional service action=0x1"
        );
        // A device-type class mismatch gives the operation code's name.
        assert_eq!(sa(0x48, 0x01, 0), "Sanitize, overwrite");
        assert_eq!(sa(0x48, 0x01, 1), "Sanitize");
        assert_eq!(sa(0x34, 0x06, 1), "Read position, long form");
        assert_eq!(sa(0x34, 0x06, 0), "Pre-fetch(10)");
        assert_eq!(sa(0x95, 0x00, 0x14), "Report zones");
        // An operation code without service actions, asked with one.
        assert_eq!(sa(0x28, 0, 0), "Read(10)");
    }

    #[test]
    fn device_types_decay_as_sg3_utils_decays_them() {
        for (pdt, d) in [
            (0, 0),
            (4, 0),
            (7, 0),
            (0xe, 0),
            (0x14, 0),
            (2, 1),
            (0x12, 1),
        ] {
            assert_eq!(decay(pdt), d);
        }
        assert_eq!(decay(5), 5);
        assert_eq!(decay(0x1f), 0x1f);
    }

    #[test]
    fn the_table_costs_what_it_says() {
        assert_eq!(table::COUNT, KEYS.len());
        assert_eq!(table::COUNT + 1, OFFSETS.len());
        assert_eq!(*OFFSETS.last().unwrap() as usize, PACKED.len());
        // Packed by byte pairs: well under the names' own length.
        const { assert!(TABLE_BYTES < 6 * 1024) };
        assert!(PACKED.len() * 2 < table::TEXT_LEN + 1024);
        let unpacked: usize = (0..table::COUNT)
            .map(|i| {
                let (a, b) = (OFFSETS[i] as usize, OFFSETS[i + 1] as usize);
                PackedStr::new(&PAIRS, &PACKED[a..b]).len()
            })
            .sum();
        assert_eq!(unpacked, table::TEXT_LEN);
    }
}
