//! ATA Information (89h, SAT-5): the SAT layer's identification, the ATA device signature
//! and the device's IDENTIFY (PACKET) DEVICE data.

use core::fmt;

/// The ATA Information VPD page: each field `None` when the page stops before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtaInformation<'a> {
    pub(super) page: &'a [u8],
}

/// Where the IDENTIFY data starts, and its length.
const IDENTIFY: usize = 60;
const IDENTIFY_LEN: usize = 512;

impl<'a> AtaInformation<'a> {
    /// SAT VENDOR IDENTIFICATION (bytes 8–15), as sent.
    pub fn sat_vendor(&self) -> Option<&'a [u8]> {
        self.page.get(8..16)
    }

    /// SAT PRODUCT IDENTIFICATION (bytes 16–31), as sent.
    pub fn sat_product(&self) -> Option<&'a [u8]> {
        self.page.get(16..32)
    }

    /// SAT PRODUCT REVISION LEVEL (bytes 32–35), as sent.
    pub fn sat_revision(&self) -> Option<&'a [u8]> {
        self.page.get(32..36)
    }

    /// ATA DEVICE SIGNATURE (bytes 36–55): the register values after reset.
    pub fn device_signature(&self) -> Option<&'a [u8]> {
        self.page.get(36..56)
    }

    /// Whether the signature is a Serial ATA one (its TRANSPORT IDENTIFIER, byte 36, is
    /// 34h), else Parallel ATA.
    pub fn is_sata(&self) -> Option<bool> {
        self.page.get(36).map(|&b| b == 0x34)
    }

    /// COMMAND CODE (byte 56): ECh IDENTIFY DEVICE, A1h IDENTIFY PACKET DEVICE.
    pub fn command_code(&self) -> Option<u8> {
        self.page.get(56).copied()
    }

    /// The IDENTIFY data: up to 512 bytes from byte 60, as many as the page has.
    pub fn identify(&self) -> &'a [u8] {
        let end = self.page.len().min(IDENTIFY + IDENTIFY_LEN);
        self.page.get(IDENTIFY..end).unwrap_or(&[])
    }

    /// MODEL NUMBER (IDENTIFY words 27–46).
    pub fn model(&self) -> AtaString<'a> {
        AtaString::words(self.identify(), 27, 20)
    }

    /// SERIAL NUMBER (IDENTIFY words 10–19).
    pub fn serial(&self) -> AtaString<'a> {
        AtaString::words(self.identify(), 10, 10)
    }

    /// FIRMWARE REVISION (IDENTIFY words 23–26).
    pub fn firmware(&self) -> AtaString<'a> {
        AtaString::words(self.identify(), 23, 4)
    }
}

/// An ATA string of IDENTIFY data: little-endian words, each holding its first character in
/// its high byte. Iterates the characters in order up to the first NUL (as hdparm and
/// sg3_utils' `sg_ata_get_chars()` read them); padding spaces are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtaString<'a> {
    bytes: &'a [u8],
}

impl<'a> AtaString<'a> {
    /// Words `start..start + count` of `data`, those that are there.
    pub fn words(data: &'a [u8], start: usize, count: usize) -> Self {
        let from = (2 * start).min(data.len());
        let to = (2 * (start + count)).min(data.len());
        AtaString {
            bytes: data.get(from..to).unwrap_or(&[]),
        }
    }

    /// The characters (bytes) in order, up to the first NUL.
    pub fn chars(&self) -> impl Iterator<Item = u8> + 'a {
        self.bytes
            .chunks_exact(2)
            .flat_map(|w| [w.get(1).copied(), w.first().copied()])
            .map(|c| c.unwrap_or(0))
            .take_while(|&c| c != 0)
    }
}

impl fmt::Display for AtaString<'_> {
    /// The characters, each byte outside printable ASCII as `.`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write as _;
        self.chars().try_for_each(|c| {
            f.write_char(if (0x20..0x7f).contains(&c) {
                char::from(c)
            } else {
                '.'
            })
        })
    }
}
