//! The block device pages of SBC-4: Block Limits (B0h), Block Device Characteristics (B1h),
//! Logical Block Provisioning (B2h).

use super::super::be;
use super::field;

/// The Block Limits VPD page (SBC-4): each field is `None` when the page (bounded by its
/// PAGE LENGTH and the buffer) stops before it, as older devices' 16-byte pages do. Lengths
/// are in logical blocks; 0 means "not reported" for most of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockLimits<'a> {
    pub(super) page: &'a [u8],
}

macro_rules! limits {
    ($($(#[$doc:meta])* $name:ident: $range:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self) -> Option<u32> {
            be(self.page, field::block_limits::$range).map(|v| v as u32)
        }
    )*};
}

impl BlockLimits<'_> {
    /// WSNZ: a WRITE SAME with NUMBER OF LOGICAL BLOCKS 0 is refused.
    pub fn wsnz(&self) -> Option<bool> {
        let b = self.page.get(field::block_limits::WSNZ)?;
        Some(b & 0x01 != 0)
    }

    /// MAXIMUM COMPARE AND WRITE LENGTH.
    pub fn maximum_compare_and_write_length(&self) -> Option<u8> {
        self.page
            .get(field::block_limits::MAX_COMPARE_AND_WRITE)
            .copied()
    }

    /// OPTIMAL TRANSFER LENGTH GRANULARITY.
    pub fn optimal_transfer_length_granularity(&self) -> Option<u16> {
        be(self.page, field::block_limits::OPTIMAL_GRANULARITY).map(|v| v as u16)
    }

    limits! {
        /// MAXIMUM TRANSFER LENGTH (0: no limit reported).
        maximum_transfer_length: MAX_TRANSFER;
        /// OPTIMAL TRANSFER LENGTH.
        optimal_transfer_length: OPTIMAL_TRANSFER;
        /// MAXIMUM PREFETCH LENGTH.
        maximum_prefetch_length: MAX_PREFETCH;
        /// MAXIMUM UNMAP LBA COUNT.
        maximum_unmap_lba_count: MAX_UNMAP_LBA_COUNT;
        /// MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT.
        maximum_unmap_block_descriptor_count: MAX_UNMAP_DESCRIPTORS;
        /// OPTIMAL UNMAP GRANULARITY.
        optimal_unmap_granularity: OPTIMAL_UNMAP_GRANULARITY;
        /// MAXIMUM ATOMIC TRANSFER LENGTH.
        maximum_atomic_transfer_length: MAX_ATOMIC_TRANSFER;
        /// ATOMIC ALIGNMENT.
        atomic_alignment: ATOMIC_ALIGNMENT;
        /// ATOMIC TRANSFER LENGTH GRANULARITY.
        atomic_transfer_length_granularity: ATOMIC_GRANULARITY;
        /// MAXIMUM ATOMIC TRANSFER LENGTH WITH ATOMIC BOUNDARY.
        maximum_atomic_transfer_length_with_boundary: MAX_ATOMIC_WITH_BOUNDARY;
        /// MAXIMUM ATOMIC BOUNDARY SIZE.
        maximum_atomic_boundary_size: MAX_ATOMIC_BOUNDARY;
    }

    /// UNMAP GRANULARITY ALIGNMENT, when UGAVALID says it is valid.
    pub fn unmap_granularity_alignment(&self) -> Option<u32> {
        let v = be(self.page, field::block_limits::UNMAP_ALIGNMENT)? as u32;
        (v & 0x8000_0000 != 0).then_some(v & 0x7fff_ffff)
    }

    /// UGAVALID: the UNMAP GRANULARITY ALIGNMENT field is valid.
    pub fn ugavalid(&self) -> Option<bool> {
        let v = be(self.page, field::block_limits::UNMAP_ALIGNMENT)?;
        Some(v & 0x8000_0000 != 0)
    }

    /// The UNMAP GRANULARITY ALIGNMENT field as it is, valid or not (see
    /// [`BlockLimits::ugavalid`]).
    pub fn unmap_granularity_alignment_field(&self) -> Option<u32> {
        let v = be(self.page, field::block_limits::UNMAP_ALIGNMENT)? as u32;
        Some(v & 0x7fff_ffff)
    }

    /// MAXIMUM WRITE SAME LENGTH.
    pub fn maximum_write_same_length(&self) -> Option<u64> {
        be(self.page, field::block_limits::MAX_WRITE_SAME)
    }
}

/// MEDIUM ROTATION RATE of the Block Device Characteristics page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RotationRate {
    /// 0000h: not reported.
    NotReported,
    /// 0001h: a non-rotating medium (solid state).
    NonRotating,
    /// 0401h–FFFEh: the nominal rate in revolutions per minute.
    Rpm(u16),
    /// 0002h–0400h and FFFFh: reserved.
    Reserved(u16),
}

impl From<u16> for RotationRate {
    fn from(v: u16) -> Self {
        match v {
            0 => RotationRate::NotReported,
            1 => RotationRate::NonRotating,
            0x0401..=0xfffe => RotationRate::Rpm(v),
            other => RotationRate::Reserved(other),
        }
    }
}

/// The Block Device Characteristics VPD page (SBC-4): each field `None` when the page
/// stops before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockDeviceCharacteristics<'a> {
    pub(super) page: &'a [u8],
}

impl BlockDeviceCharacteristics<'_> {
    fn byte(&self, at: usize) -> Option<u8> {
        self.page.get(at).copied()
    }

    /// MEDIUM ROTATION RATE (bytes 4–5), the raw value.
    pub fn medium_rotation_rate_raw(&self) -> Option<u16> {
        be(self.page, 4..6).map(|v| v as u16)
    }

    /// MEDIUM ROTATION RATE with its meaning.
    pub fn medium_rotation_rate(&self) -> Option<RotationRate> {
        self.medium_rotation_rate_raw().map(RotationRate::from)
    }

    /// PRODUCT TYPE (byte 6): 0 not specified, 1 CFast, 2 CompactFlash, 3 MemoryStick,
    /// 4 MultiMediaCard, 5 SD card, 6 XQD, 7 UFS; F0h–FFh vendor specific.
    pub fn product_type(&self) -> Option<u8> {
        self.byte(6)
    }

    /// WABEREQ (byte 7 bits 7–6): write after block erase required.
    pub fn wabereq(&self) -> Option<u8> {
        self.byte(7).map(|b| b >> 6)
    }

    /// WACEREQ (byte 7 bits 5–4): write after cryptographic erase required.
    pub fn wacereq(&self) -> Option<u8> {
        self.byte(7).map(|b| (b >> 4) & 0x3)
    }

    /// NOMINAL FORM FACTOR (byte 7 bits 3–0): 0 not reported, 1 5.25", 2 3.5", 3 2.5",
    /// 4 1.8", 5 less than 1.8".
    pub fn nominal_form_factor(&self) -> Option<u8> {
        self.byte(7).map(|b| b & 0xf)
    }

    /// ZONED (byte 8 bits 5–4): 0 not reported, 1 host aware, 2 device managed.
    pub fn zoned(&self) -> Option<u8> {
        self.byte(8).map(|b| (b >> 4) & 0x3)
    }

    /// RBWZ (byte 8 bit 3): background operation control, write zeros.
    pub fn rbwz(&self) -> Option<bool> {
        self.byte(8).map(|b| b & 0x08 != 0)
    }

    /// BOCS (byte 8 bit 2): background operation control supported.
    pub fn bocs(&self) -> Option<bool> {
        self.byte(8).map(|b| b & 0x04 != 0)
    }

    /// FUAB (byte 8 bit 1): FUA behaviour, SYNCHRONIZE CACHE.
    pub fn fuab(&self) -> Option<bool> {
        self.byte(8).map(|b| b & 0x02 != 0)
    }

    /// VBULS (byte 8 bit 0): verify byte check unmapped LBA supported.
    pub fn vbuls(&self) -> Option<bool> {
        self.byte(8).map(|b| b & 0x01 != 0)
    }

    /// DEPOPULATION TIME (bytes 12–15), in seconds.
    pub fn depopulation_time(&self) -> Option<u32> {
        be(self.page, 12..16).map(|v| v as u32)
    }
}

/// PROVISIONING TYPE of the Logical Block Provisioning page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProvisioningType {
    /// 0: not known or fully provisioned.
    Full,
    /// 1: resource provisioned.
    Resource,
    /// 2: thin provisioned.
    Thin,
    /// 3–7: reserved.
    Reserved(u8),
}

impl From<u8> for ProvisioningType {
    fn from(v: u8) -> Self {
        match v & 0x7 {
            0 => ProvisioningType::Full,
            1 => ProvisioningType::Resource,
            2 => ProvisioningType::Thin,
            other => ProvisioningType::Reserved(other),
        }
    }
}

impl From<ProvisioningType> for u8 {
    fn from(t: ProvisioningType) -> u8 {
        match t {
            ProvisioningType::Full => 0,
            ProvisioningType::Resource => 1,
            ProvisioningType::Thin => 2,
            ProvisioningType::Reserved(n) => n,
        }
    }
}

/// The Logical Block Provisioning VPD page (SBC-4): each field `None` when the page stops
/// before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogicalBlockProvisioning<'a> {
    pub(super) page: &'a [u8],
}

impl<'a> LogicalBlockProvisioning<'a> {
    fn bit(&self, at: usize, mask: u8) -> Option<bool> {
        self.page.get(at).map(|b| b & mask != 0)
    }

    /// THRESHOLD EXPONENT (byte 4; 0: thresholds not supported).
    pub fn threshold_exponent(&self) -> Option<u8> {
        self.page.get(4).copied()
    }

    /// LBPU: UNMAP supported.
    pub fn lbpu(&self) -> Option<bool> {
        self.bit(5, 0x80)
    }

    /// LBPWS: WRITE SAME (16) with UNMAP supported.
    pub fn lbpws(&self) -> Option<bool> {
        self.bit(5, 0x40)
    }

    /// LBPWS10: WRITE SAME (10) with UNMAP supported.
    pub fn lbpws10(&self) -> Option<bool> {
        self.bit(5, 0x20)
    }

    /// LBPRZ (byte 5 bits 4–2; three bits since SBC-4 r07): what an unmapped block reads.
    pub fn lbprz(&self) -> Option<u8> {
        self.page.get(5).map(|b| (b >> 2) & 0x7)
    }

    /// ANC_SUP: anchored LBAs supported.
    pub fn anc_sup(&self) -> Option<bool> {
        self.bit(5, 0x02)
    }

    /// DP: a provisioning group descriptor is present.
    pub fn dp(&self) -> Option<bool> {
        self.bit(5, 0x01)
    }

    /// MINIMUM PERCENTAGE (byte 6 bits 7–3).
    pub fn minimum_percentage(&self) -> Option<u8> {
        self.page.get(6).map(|b| b >> 3)
    }

    /// PROVISIONING TYPE (byte 6 bits 2–0).
    pub fn provisioning_type(&self) -> Option<ProvisioningType> {
        self.page.get(6).map(|&b| ProvisioningType::from(b))
    }

    /// THRESHOLD PERCENTAGE (byte 7; 0: percentages not supported).
    pub fn threshold_percentage(&self) -> Option<u8> {
        self.page.get(7).copied()
    }

    /// The provisioning group descriptor (a designation descriptor from byte 8), when DP is
    /// set and it is there whole.
    pub fn provisioning_group_descriptor(&self) -> Option<super::Designator<'a>> {
        if self.dp() != Some(true) {
            return None;
        }
        super::Designators::over(self.page.get(8..)?).next()
    }
}
