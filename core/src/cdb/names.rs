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
//! As the ASC table (`sense::asc`): the entries exist as a `const` while compiling; the
//! binary holds sorted 4-byte keys `table << 24 | value << 8 | device type`, 2-byte offsets
//! and the names back to back: [`TABLE_BYTES`] in all.

use core::fmt;

/// `(table << 24 | value << 8 | device type, name)`, sorted by key. Table 0 is the
/// operation codes; the others are service actions (see `SERVICE_ACTIONS`). Within one
/// value, the smallest device type is the one sg3_utils lists first, its fallback.
#[cfg(feature = "opcode-names")]
#[allow(clippy::large_const_arrays)]
const ENTRIES: [(u32, &str); COUNT] = [
    (0x00000000, "Test Unit Ready"),
    (0x00000100, "Rezero Unit"),
    (0x00000101, "Rewind"),
    (0x00000300, "Request Sense"),
    (0x00000400, "Format Unit"),
    (0x00000401, "Format medium"),
    (0x00000402, "Format"),
    (0x00000500, "Read Block Limits"),
    (0x00000700, "Reassign Blocks"),
    (0x00000708, "Initialize element status"),
    (0x00000800, "Read(6)"),
    (0x00000803, "Receive"),
    (0x00000a00, "Write(6)"),
    (0x00000a02, "Print"),
    (0x00000a03, "Send"),
    (0x00000b00, "Seek(6)"),
    (0x00000b01, "Set capacity"),
    (0x00000b02, "Slew and print"),
    (0x00000f00, "Read reverse(6)"),
    (0x00001000, "Write filemarks(6)"),
    (0x00001002, "Synchronize buffer"),
    (0x00001100, "Space(6)"),
    (0x00001200, "Inquiry"),
    (0x00001300, "Verify(6)"),
    (0x00001400, "Recover buffered data"),
    (0x00001500, "Mode select(6)"),
    (0x00001600, "Reserve(6)"),
    (0x00001608, "Reserve element(6)"),
    (0x00001700, "Release(6)"),
    (0x00001708, "Release element(6)"),
    (0x00001800, "Copy"),
    (0x00001900, "Erase(6)"),
    (0x00001a00, "Mode sense(6)"),
    (0x00001b00, "Start stop unit"),
    (0x00001b01, "Load unload"),
    (0x00001b02, "Stop print"),
    (0x00001b12, "Load unload"),
    (0x00001c00, "Receive diagnostic results"),
    (0x00001d00, "Send diagnostic"),
    (0x00001e00, "Prevent allow medium removal"),
    (0x00002300, "Read Format capacities"),
    (0x00002400, "Set window"),
    (0x00002500, "Read capacity(10)"),
    (0x0000250f, "Read card capacity"),
    (0x00002800, "Read(10)"),
    (0x00002900, "Read generation"),
    (0x00002a00, "Write(10)"),
    (0x00002b00, "Seek(10)"),
    (0x00002b01, "Locate(10)"),
    (0x00002b08, "Position to element"),
    (0x00002c00, "Erase(10)"),
    (0x00002d00, "Read updated block"),
    (0x00002e00, "Write and verify(10)"),
    (0x00002f00, "Verify(10)"),
    (0x00003000, "Search data high(10)"),
    (0x00003100, "Search data equal(10)"),
    (0x00003200, "Search data low(10)"),
    (0x00003300, "Set limits(10)"),
    (0x00003400, "Pre-fetch(10)"),
    (0x00003401, "Read position"),
    (0x00003500, "Synchronize cache(10)"),
    (0x00003600, "Lock unlock cache(10)"),
    (0x00003700, "Read defect data(10)"),
    (0x00003708, "Initialize element status with range"),
    (0x00003800, "Format with preset scan"),
    (0x0000380f, "Medium scan"),
    (0x00003900, "Compare"),
    (0x00003a00, "Copy and verify"),
    (0x00003b00, "Write buffer"),
    (0x00003c00, "Read buffer(10)"),
    (0x00003d00, "Update block"),
    (0x00003e00, "Read long(10)"),
    (0x00003f00, "Write long(10)"),
    (0x00004000, "Change definition"),
    (0x00004100, "Write same(10)"),
    (0x00004200, "Unmap"),
    (0x00004205, "Read sub-channel"),
    (0x00004305, "Read TOC/PMA/ATIP"),
    (0x00004400, "Report density support"),
    (0x00004505, "Play audio(10)"),
    (0x00004605, "Get configuration"),
    (0x00004705, "Play audio msf"),
    (0x00004800, "Sanitize"),
    (0x00004a05, "Get event status notification"),
    (0x00004b05, "Pause/resume"),
    (0x00004c00, "Log select"),
    (0x00004d00, "Log sense"),
    (0x00004e00, "Stop play/scan"),
    (0x00005000, "Xdwrite(10)"),
    (0x00005100, "Xpwrite(10)"),
    (0x00005105, "Read disk information"),
    (0x00005200, "Xdread(10)"),
    (0x00005205, "Read track information"),
    (0x00005300, "Xdwriteread(10)"),
    (0x00005400, "Send OPC information"),
    (0x00005500, "Mode select(10)"),
    (0x00005600, "Reserve(10)"),
    (0x00005608, "Reserve element(10)"),
    (0x00005700, "Release(10)"),
    (0x00005708, "Release element(10)"),
    (0x00005800, "Repair track"),
    (0x00005a00, "Mode sense(10)"),
    (0x00005b00, "Close track/session"),
    (0x00005c00, "Read buffer capacity"),
    (0x00005d00, "Send cue sheet"),
    (0x00005e00, "Persistent reserve in"),
    (0x00005f00, "Persistent reserve out"),
    (0x00007e00, "Extended cdb (XCBD)"),
    (0x00008000, "Xdwrite extended(16)"),
    (0x00008001, "Write filemarks(16)"),
    (0x00008100, "Rebuild(16)"),
    (0x00008101, "Read reverse(16)"),
    (0x00008200, "Regenerate(16)"),
    (0x00008300, "Third party copy out"),
    (0x00008400, "Third party copy in"),
    (0x00008500, "ATA pass-through(16)"),
    (0x00008600, "Access control in"),
    (0x00008700, "Access control out"),
    (0x00008800, "Read(16)"),
    (0x00008900, "Compare and write"),
    (0x00008a00, "Write(16)"),
    (0x00008b00, "Orwrite(16)"),
    (0x00008c00, "Read attribute"),
    (0x00008d00, "Write attribute"),
    (0x00008e00, "Write and verify(16)"),
    (0x00008f00, "Verify(16)"),
    (0x00009000, "Pre-fetch(16)"),
    (0x00009100, "Synchronize cache(16)"),
    (0x00009101, "Space(16)"),
    (0x00009200, "Lock unlock cache(16)"),
    (0x00009201, "Locate(16)"),
    (0x00009300, "Write same(16)"),
    (0x00009301, "Erase(16)"),
    (0x00009414, "ZBC out"),
    (0x00009514, "ZBC in"),
    (0x00009a00, "Write stream(16)"),
    (0x00009b00, "Read buffer(16)"),
    (0x00009c00, "Write atomic(16)"),
    (0x00009d00, "Service action bidirectional"),
    (0x00009e00, "Service action in(16)"),
    (0x00009f00, "Service action out(16)"),
    (0x0000a000, "Report luns"),
    (0x0000a100, "ATA pass-through(12)"),
    (0x0000a105, "Blank"),
    (0x0000a200, "Security protocol in"),
    (0x0000a300, "Maintenance in"),
    (0x0000a305, "Send key"),
    (0x0000a400, "Maintenance out"),
    (0x0000a405, "Report key"),
    (0x0000a500, "Move medium"),
    (0x0000a505, "Play audio(12)"),
    (0x0000a600, "Exchange medium"),
    (0x0000a605, "Load/unload medium"),
    (0x0000a700, "Move medium attached"),
    (0x0000a705, "Set read ahead"),
    (0x0000a800, "Read(12)"),
    (0x0000a900, "Service action out(12)"),
    (0x0000aa00, "Write(12)"),
    (0x0000ab00, "Service action in(12)"),
    (0x0000ac00, "erase(12)"),
    (0x0000ac05, "Get performance"),
    (0x0000ad05, "Read DVD/BD structure"),
    (0x0000ae00, "Write and verify(12)"),
    (0x0000af00, "Verify(12)"),
    (0x0000b000, "Search data high(12)"),
    (0x0000b100, "Search data equal(12)"),
    (0x0000b108, "Open/close import/export element"),
    (0x0000b200, "Search data low(12)"),
    (0x0000b300, "Set limits(12)"),
    (0x0000b400, "Read element status attached"),
    (0x0000b500, "Security protocol out"),
    (0x0000b508, "Request volume element address"),
    (0x0000b600, "Send volume tag"),
    (0x0000b605, "Set streaming"),
    (0x0000b700, "Read defect data(12)"),
    (0x0000b800, "Read element status"),
    (0x0000b900, "Read CD msf"),
    (0x0000ba00, "Redundancy group in"),
    (0x0000ba05, "Scan"),
    (0x0000bb00, "Redundancy group out"),
    (0x0000bb05, "Set CD speed"),
    (0x0000bc00, "Spare in"),
    (0x0000bd00, "Spare out"),
    (0x0000bd05, "Mechanism status"),
    (0x0000be00, "Volume set in"),
    (0x0000be05, "Read CD"),
    (0x0000bf00, "Volume set out"),
    (0x0000bf05, "Send DVD/BD structure"),
    (0x01000100, "Rebuild(32)"),
    (0x01000200, "Regenerate(32)"),
    (0x01000300, "Xdread(32)"),
    (0x01000400, "Xdwrite(32)"),
    (0x01000500, "Xdwrite extended(32)"),
    (0x01000600, "Xpwrite(32)"),
    (0x01000700, "Xdwriteread(32)"),
    (0x01000800, "Xdwrite extended(64)"),
    (0x01000900, "Read(32)"),
    (0x01000a00, "Verify(32)"),
    (0x01000b00, "Write(32)"),
    (0x01000c00, "Write and verify(32)"),
    (0x01000d00, "Write same(32)"),
    (0x01000e00, "Orwrite(32)"),
    (0x01000f00, "Atomic write(32)"),
    (0x01001000, "Write stream(32)"),
    (0x01001100, "Write scattered(32)"),
    (0x01001200, "Get LBA status(32)"),
    (0x01180000, "Receive credential"),
    (0x011ff000, "ATA pass-through(32)"),
    (0x0200000c, "Report assigned/unassigned p_extent"),
    (0x02000012, "Report automation device attributes"),
    (0x0200010c, "Report component device"),
    (0x0200020c, "Report component device attachments"),
    (0x0200030c, "Report peripheral device"),
    (0x0200040c, "Report peripheral device associations"),
    (0x02000500, "Report identifying information"),
    (0x0200060c, "Report states"),
    (0x0200070c, "Report device identification"),
    (0x0200080c, "Report unconfigured capacity"),
    (0x0200090c, "Report supported configuration method"),
    (0x02000a00, "Report target port groups"),
    (0x02000b00, "Report aliases"),
    (0x02000c00, "Report supported operation codes"),
    (0x02000d00, "Report supported task management functions"),
    (0x02000e00, "Report priority"),
    (0x02000f00, "Report timestamp"),
    (0x02001000, "Management protocol in"),
    (0x02001d00, "Report provisioning initialization pattern"),
    (0x02001d01, "Receive recommended access order"),
    (0x02001e01, "Read dynamic runtime attribute"),
    (0x02001e12, "Report automation device attributes"),
    (0x02001f00, "Maintenance in vendor specific"),
    (0x0300000c, "Add peripheral device / component device"),
    (0x03000012, "Set automation device attribute"),
    (0x0300010c, "Attach to component device"),
    (0x0300020c, "Exchange p_extent"),
    (0x0300030c, "Exchange peripheral device / component device"),
    (0x0300040c, "Instruct component device"),
    (0x0300050c, "Remove peripheral device / component device"),
    (0x03000600, "Set identifying information"),
    (0x0300070c, "Break peripheral device / component device"),
    (0x03000a00, "Set target port groups"),
    (0x03000b00, "Change aliases"),
    (0x03000c00, "Remove I_T nexus"),
    (0x03000e00, "Set priority"),
    (0x03000f00, "Set timestamp"),
    (0x03001000, "Management protocol out"),
    (0x03001d01, "Generate recommended access order"),
    (0x03001e01, "write dynamic runtime attribute"),
    (0x03001e12, "Set automation device attributes"),
    (0x03001f00, "Maintenance out vendor specific"),
    (0x04000100, "Read media serial number"),
    (0x05001f12, "Set medium attribute"),
    (0x0500ff00, "Impossible command name"),
    (0x06000f00, "Receive binding report"),
    (0x06001000, "Read capacity(16)"),
    (0x06001100, "Read long(16)"),
    (0x06001200, "Get LBA status(16)"),
    (0x06001300, "Report referrals"),
    (0x06001400, "Stream control"),
    (0x06001500, "Background control"),
    (0x06001600, "Get stream status"),
    (0x06001700, "Get physical element status"),
    (0x06001800, "Remove element and truncate"),
    (0x06001900, "Restore elements and rebuild"),
    (0x06001a00, "Remove element and modify zones"),
    (0x07000b00, "Test bind"),
    (0x07000c00, "Prepare bind report"),
    (0x07000d00, "Set affiliation"),
    (0x07000e00, "Bind"),
    (0x07000f00, "Unbind"),
    (0x07001100, "Write long(16)"),
    (0x07001200, "Write scattered(16)"),
    (0x07001414, "Reset write pointer"),
    (0x07001f12, "Notify data transfer device(16)"),
    (0x09000000, "read keys"),
    (0x09000100, "read reservation"),
    (0x09000200, "report capabilities"),
    (0x09000300, "read full status"),
    (0x0a000000, "register"),
    (0x0a000100, "reserve"),
    (0x0a000200, "release"),
    (0x0a000300, "clear"),
    (0x0a000400, "preempt"),
    (0x0a000500, "preempt and abort"),
    (0x0a000600, "register and ignore existing key"),
    (0x0a000700, "register and move"),
    (0x0a000800, "replace lost reservation"),
    (0x0b000000, "Extended copy(LID1)"),
    (0x0b000100, "Extended copy"),
    (0x0b001000, "Populate token"),
    (0x0b001100, "Write using token"),
    (0x0b001601, "Set tape stream mirroring"),
    (0x0b001c00, "Copy operation abort"),
    (0x0c000000, "Receive copy status(LID1)"),
    (0x0c000100, "Receive copy data(LID1)"),
    (0x0c000300, "Receive copy operating parameters"),
    (0x0c000400, "Receive copy failure details(LID1)"),
    (0x0c000500, "Receive copy status"),
    (0x0c000600, "Receive copy data"),
    (0x0c000700, "Receive ROD token information"),
    (0x0c000800, "Report all ROD tokens"),
    (0x0c001601, "Report tape stream mirroring"),
    (0x0d000000, "combined header and data [or multiple modes]"),
    (0x0d000200, "data"),
    (0x0d000300, "descriptor"),
    (0x0d000a00, "read data from echo buffer"),
    (0x0d000b00, "echo buffer descriptor"),
    (0x0d001a00, "enable expander comms protocol and echo buffer"),
    (0x0d001c00, "error history"),
    (0x0e000000, "attribute values"),
    (0x0e000100, "attribute list"),
    (0x0e000200, "logical volume list"),
    (0x0e000300, "partition list"),
    (0x0e000500, "supported attributes"),
    (0x0f000001, "short form - block id"),
    (0x0f000101, "short form - vendor specific"),
    (0x0f000601, "long form"),
    (0x0f000801, "extended form"),
    (0x10000100, "overwrite"),
    (0x10000200, "block erase"),
    (0x10000300, "cryptographic erase"),
    (0x10001f00, "exit failure mode"),
    (0x11000000, "combined header and data [or multiple modes]"),
    (0x11000200, "data"),
    (0x11000400, "download microcode and activate"),
    (0x11000500, "download microcode, save, and activate"),
    (0x11000600, "download microcode with offsets and activate"),
    (
        0x11000700,
        "download microcode with offsets, save, and activate",
    ),
    (0x11000a00, "write data to echo buffer"),
    (
        0x11000d00,
        "download microcode with offsets, select activation events, save and defer activate",
    ),
    (
        0x11000e00,
        "download microcode with offsets, save and defer activate",
    ),
    (0x11000f00, "activate deferred microcode"),
    (0x11001a00, "enable expander comms protocol and echo buffer"),
    (0x11001b00, "disable expander comms protocol"),
    (0x11001c00, "download application client error history"),
    (0x12000014, "Report zones"),
    (0x12000614, "Report realms"),
    (0x12000714, "Report zone domains"),
    (0x12000814, "Zone activate"),
    (0x12000914, "Zone query"),
    (0x13000114, "Close zone"),
    (0x13000214, "Finish zone"),
    (0x13000314, "Open zone"),
    (0x13000414, "Reset write pointer"),
    (0x13001014, "Sequentialize zone"),
];

/// Entries in the table.
#[cfg(feature = "opcode-names")]
pub(crate) const COUNT: usize = 345;

#[cfg(feature = "opcode-names")]
const TEXT_LEN: usize = {
    let mut total = 0;
    let mut i = 0;
    while i < COUNT {
        total += ENTRIES[i].1.len();
        i += 1;
    }
    total
};

#[cfg(feature = "opcode-names")]
static KEYS: [u32; COUNT] = {
    let mut keys = [0u32; COUNT];
    let mut i = 0;
    while i < COUNT {
        keys[i] = ENTRIES[i].0;
        assert!(
            i == 0 || ENTRIES[i - 1].0 < ENTRIES[i].0,
            "opcode names not sorted"
        );
        i += 1;
    }
    keys
};

#[cfg(feature = "opcode-names")]
static OFFSETS: [u16; COUNT + 1] = {
    let mut offsets = [0u16; COUNT + 1];
    let mut at = 0usize;
    let mut i = 0;
    while i < COUNT {
        offsets[i] = at as u16;
        at += ENTRIES[i].1.len();
        i += 1;
    }
    assert!(at <= u16::MAX as usize, "opcode names longer than 64 KiB");
    offsets[COUNT] = at as u16;
    offsets
};

#[cfg(feature = "opcode-names")]
static TEXT_BYTES: [u8; TEXT_LEN] = {
    let mut text = [0u8; TEXT_LEN];
    let mut at = 0;
    let mut i = 0;
    while i < COUNT {
        let name = ENTRIES[i].1.as_bytes();
        let mut j = 0;
        while j < name.len() {
            assert!(
                name[j] >= 0x20 && name[j] < 0x7f,
                "opcode name not printable ASCII"
            );
            text[at] = name[j];
            at += 1;
            j += 1;
        }
        i += 1;
    }
    text
};

#[cfg(feature = "opcode-names")]
static TEXT: &str = match core::str::from_utf8(&TEXT_BYTES) {
    Ok(text) => text,
    Err(_) => panic!("opcode names not UTF-8"),
};

/// Bytes the name table adds to a binary (keys, offsets, text; not the small tables of
/// service-action operation codes and device types). 0 without the feature `opcode-names`.
#[cfg(feature = "opcode-names")]
pub const TABLE_BYTES: usize =
    core::mem::size_of::<[u32; COUNT]>() + core::mem::size_of::<[u16; COUNT + 1]>() + TEXT_LEN;
/// Bytes the name table adds to a binary. 0 without the feature `opcode-names`.
#[cfg(not(feature = "opcode-names"))]
pub const TABLE_BYTES: usize = 0;

/// The name of `value` in `table` for device type `pdt` (sg3_utils' `get_value_name()`):
/// the exact entry, else the first listed for `value`.
#[cfg(feature = "opcode-names")]
fn lookup(table: u8, value: u16, pdt: u8) -> Option<&'static str> {
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
    TEXT.get(start..end)
}

#[cfg(not(feature = "opcode-names"))]
fn lookup(_table: u8, _value: u16, _pdt: u8) -> Option<&'static str> {
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
                Some(name) => f.write_str(name),
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
            (Some(name), None) => f.write_str(name),
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
        assert_eq!(COUNT, KEYS.len());
        const { assert!(TABLE_BYTES < 9 * 1024) };
    }
}
