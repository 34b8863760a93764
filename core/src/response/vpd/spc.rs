//! The SPC pages besides 00h, 80h and 83h: Software Interface Identification (84h),
//! Management Network Addresses (85h), Extended INQUIRY Data (86h), Mode Page Policy
//! (87h), SCSI Ports (88h).

use super::super::be;
use super::designators::{Association, Designators};

/// The Extended INQUIRY Data VPD page (SPC-5): each field `None` when the page stops before
/// it (the page is 64 bytes long; SPC-3 devices send fewer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtendedInquiry<'a> {
    pub(super) page: &'a [u8],
}

macro_rules! bits {
    ($($(#[$doc:meta])* $name:ident: $at:literal & $mask:literal;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self) -> Option<bool> {
            self.page.get($at).map(|b| b & $mask != 0)
        }
    )*};
}

impl ExtendedInquiry<'_> {
    /// ACTIVATE_MICROCODE (byte 4 bits 7–6): 0 not reported, 1 before the final WRITE
    /// BUFFER's completion, 2 after a power on or hard reset.
    pub fn activate_microcode(&self) -> Option<u8> {
        self.page.get(4).map(|b| b >> 6)
    }

    /// SPT (byte 4 bits 5–3): the supported protection types.
    pub fn spt(&self) -> Option<u8> {
        self.page.get(4).map(|b| (b >> 3) & 0x7)
    }

    /// LU_COLL_TYPE (byte 8 bits 7–5): logical unit collection type.
    pub fn lu_coll_type(&self) -> Option<u8> {
        self.page.get(8).map(|b| b >> 5)
    }

    /// MULTI I_T NEXUS MICROCODE DOWNLOAD (byte 9 bits 3–0).
    pub fn multi_i_t_nexus_microcode_download(&self) -> Option<u8> {
        self.page.get(9).map(|b| b & 0xf)
    }

    /// EXTENDED SELF-TEST COMPLETION MINUTES (bytes 10–11).
    pub fn extended_self_test_completion_minutes(&self) -> Option<u16> {
        be(self.page, 10..12).map(|v| v as u16)
    }

    /// MAXIMUM SUPPORTED SENSE DATA LENGTH (byte 13).
    pub fn maximum_supported_sense_data_length(&self) -> Option<u8> {
        self.page.get(13).copied()
    }

    /// MAXIMUM INQUIRY CHANGE LOGS (bytes 15–16).
    pub fn maximum_inquiry_change_logs(&self) -> Option<u16> {
        be(self.page, 15..17).map(|v| v as u16)
    }

    /// MAXIMUM MODE PAGE CHANGE LOGS (bytes 17–18).
    pub fn maximum_mode_page_change_logs(&self) -> Option<u16> {
        be(self.page, 17..19).map(|v| v as u16)
    }

    bits! {
        /// GRD_CHK: the guard is checked.
        grd_chk: 4 & 0x04;
        /// APP_CHK: the application tag is checked.
        app_chk: 4 & 0x02;
        /// REF_CHK: the reference tag is checked.
        ref_chk: 4 & 0x01;
        /// UASK_SUP: sense-key specific data with UNIT ATTENTION.
        uask_sup: 5 & 0x20;
        /// GROUP_SUP: grouping function supported.
        group_sup: 5 & 0x10;
        /// PRIOR_SUP: command priority supported.
        prior_sup: 5 & 0x08;
        /// HEADSUP: HEAD OF QUEUE task attribute supported.
        headsup: 5 & 0x04;
        /// ORDSUP: ORDERED task attribute supported.
        ordsup: 5 & 0x02;
        /// SIMPSUP: SIMPLE task attribute supported.
        simpsup: 5 & 0x01;
        /// WU_SUP: WRITE UNCORRECTABLE supported.
        wu_sup: 6 & 0x08;
        /// CRD_SUP: correction disable supported (obsolete).
        crd_sup: 6 & 0x04;
        /// NV_SUP: a non-volatile cache.
        nv_sup: 6 & 0x02;
        /// V_SUP: a volatile cache.
        v_sup: 6 & 0x01;
        /// NO_PI_CHK: no protection information checking.
        no_pi_chk: 7 & 0x20;
        /// P_I_I_SUP: protection information intervals supported.
        p_i_i_sup: 7 & 0x10;
        /// LUICLR: logical unit I_T nexus clear.
        luiclr: 7 & 0x01;
        /// R_SUP: referrals supported.
        r_sup: 8 & 0x10;
        /// RTD_SUP: revert to defaults supported.
        rtd_sup: 8 & 0x08;
        /// HSSRELEF: history snapshots release effects.
        hssrelef: 8 & 0x02;
        /// CBCS: capability-based command security (obsolete).
        cbcs: 8 & 0x01;
        /// POA_SUP: power on activation supported.
        poa_sup: 12 & 0x80;
        /// HRA_SUP: hard reset activation supported.
        hra_sup: 12 & 0x40;
        /// VSA_SUP: vendor specific activation supported.
        vsa_sup: 12 & 0x20;
        /// DMS_VALID: the download microcode support byte is valid.
        dms_valid: 12 & 0x10;
        /// IBS: implicit bind supported.
        ibs: 14 & 0x80;
        /// IAS: implicit affiliation supported.
        ias: 14 & 0x40;
        /// SAC: SET AFFILIATION supported.
        sac: 14 & 0x04;
        /// NRD1: no redirect one supported.
        nrd1: 14 & 0x02;
        /// NRD0: no redirect zero supported.
        nrd0: 14 & 0x01;
        /// DM_MD_4: download microcode mode 4 supported.
        dm_md_4: 19 & 0x80;
        /// DM_MD_5: download microcode mode 5 supported.
        dm_md_5: 19 & 0x40;
        /// DM_MD_6: download microcode mode 6 supported.
        dm_md_6: 19 & 0x20;
        /// DM_MD_7: download microcode mode 7 supported.
        dm_md_7: 19 & 0x10;
        /// DM_MD_D: download microcode mode 0Dh supported.
        dm_md_d: 19 & 0x08;
        /// DM_MD_E: download microcode mode 0Eh supported.
        dm_md_e: 19 & 0x04;
        /// DM_MD_F: download microcode mode 0Fh supported.
        dm_md_f: 19 & 0x02;
    }
}

/// The software interface identifiers of page 84h: (IEEE company ID, vendor specific
/// extension), six bytes each; a partial last one is left out.
#[derive(Debug, Clone)]
pub struct SoftwareInterfaceIds<'a> {
    pub(super) rest: &'a [u8],
}

impl Iterator for SoftwareInterfaceIds<'_> {
    type Item = (u32, u32);
    fn next(&mut self) -> Option<(u32, u32)> {
        let this = self.rest.get(..6)?;
        self.rest = self.rest.get(6..).unwrap_or(&[]);
        Some((be(this, 0..3)? as u32, be(this, 3..6)? as u32))
    }
}

/// One network service descriptor of page 85h.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkAddress<'a> {
    /// ASSOCIATION (byte 0 bits 6–5).
    pub association: Association,
    /// SERVICE TYPE (byte 0 bits 4–0).
    pub service_type: u8,
    /// NETWORK ADDRESS: NUL-terminated, NUL-padded ASCII (a URL).
    pub address: &'a [u8],
}

/// The network service descriptors of page 85h; the walk stops at the first one that does
/// not fit whole.
#[derive(Debug, Clone)]
pub struct NetworkAddresses<'a> {
    pub(super) rest: &'a [u8],
}

impl<'a> Iterator for NetworkAddresses<'a> {
    type Item = NetworkAddress<'a>;
    fn next(&mut self) -> Option<NetworkAddress<'a>> {
        let b0 = *self.rest.first()?;
        let len = be(self.rest, 2..4).map(|n| 4 + n as usize);
        let Some(this) = len.and_then(|len| self.rest.get(..len)) else {
            self.rest = &[];
            return None;
        };
        self.rest = self.rest.get(this.len()..).unwrap_or(&[]);
        Some(NetworkAddress {
            association: Association::from((b0 >> 5) & 0x3),
            service_type: b0 & 0x1f,
            address: this.get(4..).unwrap_or(&[]),
        })
    }
}

/// One mode page policy descriptor of page 87h.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ModePagePolicy {
    /// POLICY PAGE CODE (byte 0 bits 5–0).
    pub page_code: u8,
    /// POLICY SUBPAGE CODE.
    pub subpage_code: u8,
    /// MLUS: the policy is shared by every logical unit of the target.
    pub mlus: bool,
    /// MODE PAGE POLICY (byte 2 bits 1–0): 0 shared, 1 per target port, 2 per initiator
    /// port (obsolete), 3 per I_T nexus.
    pub policy: u8,
}

/// The mode page policy descriptors of page 87h, four bytes each; a partial last one is
/// left out.
#[derive(Debug, Clone)]
pub struct ModePagePolicies<'a> {
    pub(super) rest: &'a [u8],
}

impl Iterator for ModePagePolicies<'_> {
    type Item = ModePagePolicy;
    fn next(&mut self) -> Option<ModePagePolicy> {
        let this = self.rest.get(..4)?;
        self.rest = self.rest.get(4..).unwrap_or(&[]);
        let (b0, b1, b2) = (*this.first()?, *this.get(1)?, *this.get(2)?);
        Some(ModePagePolicy {
            page_code: b0 & 0x3f,
            subpage_code: b1,
            mlus: b2 & 0x80 != 0,
            policy: b2 & 0x3,
        })
    }
}

/// One SCSI port designation descriptor of page 88h.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScsiPort<'a> {
    /// RELATIVE PORT IDENTIFIER.
    pub relative_port: u16,
    /// INITIATOR PORT TRANSPORTID (empty for none).
    pub initiator_transport_id: &'a [u8],
    /// The target port descriptors: designation descriptors (see [`ScsiPort::target_ports`]).
    pub target_port_descriptors: &'a [u8],
}

impl<'a> ScsiPort<'a> {
    /// The target port designators.
    pub fn target_ports(&self) -> Designators<'a> {
        Designators::over(self.target_port_descriptors)
    }
}

/// The SCSI port designation descriptors of page 88h; the walk stops at the first one that
/// does not fit whole.
#[derive(Debug, Clone)]
pub struct ScsiPorts<'a> {
    pub(super) rest: &'a [u8],
}

impl<'a> Iterator for ScsiPorts<'a> {
    type Item = ScsiPort<'a>;
    fn next(&mut self) -> Option<ScsiPort<'a>> {
        let r = self.rest;
        let port = (|| {
            let relative_port = be(r, 2..4)? as u16;
            let tid_end = 8 + be(r, 6..8)? as usize;
            let initiator_transport_id = r.get(8..tid_end)?;
            let tpd_len = be(r, tid_end + 2..tid_end + 4)? as usize;
            let end = tid_end + 4 + tpd_len;
            let target_port_descriptors = r.get(tid_end + 4..end)?;
            Some((
                ScsiPort {
                    relative_port,
                    initiator_transport_id,
                    target_port_descriptors,
                },
                end,
            ))
        })();
        match port {
            Some((p, end)) => {
                self.rest = r.get(end..).unwrap_or(&[]);
                Some(p)
            }
            None => {
                self.rest = &[];
                None
            }
        }
    }
}
