//! Decoding a completed `sg_io_hdr` into one [`Outcome`], and the sg3_utils exit category of
//! each outcome.
//!
//! The kernel reports a completion in four places: the SAM `status` byte, `host_status`
//! (`DID_*`, the transport), `driver_status` (`DRIVER_*`; only `DRIVER_SENSE` in Linux 6.x) and
//! the sense buffer. [`Outcome::decode`] folds them into one value a caller can `match`, in the
//! order sg3_utils reads them (`sg_lib.c: sg_err_category_new()`): a CHECK CONDITION with its
//! sense first, then the transport, then the driver, then the other status bytes. Codes the
//! kernel may add later are kept ([`HostStatus::Unknown`], [`ScsiStatus::Unknown`]), never
//! rejected.
//!
//! # References
//! - SAM-5 §5.3 (status codes); `include/scsi/scsi_status.h` (Linux 6.1) for `DID_*`.
//! - sg3_utils `sg_lib.h` (`SG_LIB_CAT_*`) for the exit categories.

use crate::abi::SgIoHdr;

/// The SAM status byte (`status`, bits 1..=5 significant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScsiStatus {
    /// GOOD (0x00).
    Good,
    /// CHECK CONDITION (0x02): sense data describes the error.
    CheckCondition,
    /// CONDITION MET (0x04).
    ConditionMet,
    /// BUSY (0x08).
    Busy,
    /// INTERMEDIATE (0x10), obsolete.
    Intermediate,
    /// INTERMEDIATE-CONDITION MET (0x14), obsolete.
    IntermediateConditionMet,
    /// RESERVATION CONFLICT (0x18).
    ReservationConflict,
    /// COMMAND TERMINATED (0x22), obsolete; sg3_utils treats it like CHECK CONDITION.
    CommandTerminated,
    /// TASK SET FULL (0x28).
    TaskSetFull,
    /// ACA ACTIVE (0x30).
    AcaActive,
    /// TASK ABORTED (0x40).
    TaskAborted,
    /// Any other value, kept.
    Unknown(u8),
}

impl ScsiStatus {
    /// Decodes a status byte; the reserved bits 0, 6 and 7 are ignored as sg3_utils does.
    pub const fn from_byte(status: u8) -> Self {
        match status & 0x7e {
            0x00 => ScsiStatus::Good,
            0x02 => ScsiStatus::CheckCondition,
            0x04 => ScsiStatus::ConditionMet,
            0x08 => ScsiStatus::Busy,
            0x10 => ScsiStatus::Intermediate,
            0x14 => ScsiStatus::IntermediateConditionMet,
            0x18 => ScsiStatus::ReservationConflict,
            0x22 => ScsiStatus::CommandTerminated,
            0x28 => ScsiStatus::TaskSetFull,
            0x30 => ScsiStatus::AcaActive,
            0x40 => ScsiStatus::TaskAborted,
            _ => ScsiStatus::Unknown(status),
        }
    }

    /// The status byte.
    pub const fn to_byte(self) -> u8 {
        match self {
            ScsiStatus::Good => 0x00,
            ScsiStatus::CheckCondition => 0x02,
            ScsiStatus::ConditionMet => 0x04,
            ScsiStatus::Busy => 0x08,
            ScsiStatus::Intermediate => 0x10,
            ScsiStatus::IntermediateConditionMet => 0x14,
            ScsiStatus::ReservationConflict => 0x18,
            ScsiStatus::CommandTerminated => 0x22,
            ScsiStatus::TaskSetFull => 0x28,
            ScsiStatus::AcaActive => 0x30,
            ScsiStatus::TaskAborted => 0x40,
            ScsiStatus::Unknown(v) => v,
        }
    }

    /// The name SAM gives the status.
    pub const fn name(self) -> &'static str {
        match self {
            ScsiStatus::Good => "Good",
            ScsiStatus::CheckCondition => "Check Condition",
            ScsiStatus::ConditionMet => "Condition Met",
            ScsiStatus::Busy => "Busy",
            ScsiStatus::Intermediate => "Intermediate",
            ScsiStatus::IntermediateConditionMet => "Intermediate-Condition Met",
            ScsiStatus::ReservationConflict => "Reservation Conflict",
            ScsiStatus::CommandTerminated => "Command Terminated",
            ScsiStatus::TaskSetFull => "Task Set Full",
            ScsiStatus::AcaActive => "ACA Active",
            ScsiStatus::TaskAborted => "Task Aborted",
            ScsiStatus::Unknown(_) => "Unknown status",
        }
    }
}

/// The transport's verdict (`host_status`, the kernel's `DID_*` codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostStatus {
    /// `DID_OK` (0).
    Ok,
    /// `DID_NO_CONNECT` (1): could not connect before the timeout.
    NoConnect,
    /// `DID_BUS_BUSY` (2).
    BusBusy,
    /// `DID_TIME_OUT` (3): the command timed out and was aborted.
    TimeOut,
    /// `DID_BAD_TARGET` (4).
    BadTarget,
    /// `DID_ABORT` (5).
    Abort,
    /// `DID_PARITY` (6).
    Parity,
    /// `DID_ERROR` (7): internal error of the host adapter.
    Error,
    /// `DID_RESET` (8).
    Reset,
    /// `DID_BAD_INTR` (9).
    BadIntr,
    /// `DID_PASSTHROUGH` (0xa).
    Passthrough,
    /// `DID_SOFT_ERROR` (0xb).
    SoftError,
    /// `DID_IMM_RETRY` (0xc).
    ImmRetry,
    /// `DID_REQUEUE` (0xd).
    Requeue,
    /// `DID_TRANSPORT_DISRUPTED` (0xe).
    TransportDisrupted,
    /// `DID_TRANSPORT_FAILFAST` (0xf).
    TransportFailfast,
    /// `DID_NEXUS_FAILURE` (0x11, older kernels): a reservation conflict.
    NexusFailure,
    /// `DID_TRANSPORT_MARGINAL` (0x14).
    TransportMarginal,
    /// Any other value, kept.
    Unknown(u16),
}

impl HostStatus {
    /// Decodes `host_status`; never fails.
    pub const fn from_raw(v: u16) -> Self {
        match v {
            0x00 => HostStatus::Ok,
            0x01 => HostStatus::NoConnect,
            0x02 => HostStatus::BusBusy,
            0x03 => HostStatus::TimeOut,
            0x04 => HostStatus::BadTarget,
            0x05 => HostStatus::Abort,
            0x06 => HostStatus::Parity,
            0x07 => HostStatus::Error,
            0x08 => HostStatus::Reset,
            0x09 => HostStatus::BadIntr,
            0x0a => HostStatus::Passthrough,
            0x0b => HostStatus::SoftError,
            0x0c => HostStatus::ImmRetry,
            0x0d => HostStatus::Requeue,
            0x0e => HostStatus::TransportDisrupted,
            0x0f => HostStatus::TransportFailfast,
            0x11 => HostStatus::NexusFailure,
            0x14 => HostStatus::TransportMarginal,
            v => HostStatus::Unknown(v),
        }
    }

    /// The raw `host_status` value.
    pub const fn to_raw(self) -> u16 {
        match self {
            HostStatus::Ok => 0x00,
            HostStatus::NoConnect => 0x01,
            HostStatus::BusBusy => 0x02,
            HostStatus::TimeOut => 0x03,
            HostStatus::BadTarget => 0x04,
            HostStatus::Abort => 0x05,
            HostStatus::Parity => 0x06,
            HostStatus::Error => 0x07,
            HostStatus::Reset => 0x08,
            HostStatus::BadIntr => 0x09,
            HostStatus::Passthrough => 0x0a,
            HostStatus::SoftError => 0x0b,
            HostStatus::ImmRetry => 0x0c,
            HostStatus::Requeue => 0x0d,
            HostStatus::TransportDisrupted => 0x0e,
            HostStatus::TransportFailfast => 0x0f,
            HostStatus::NexusFailure => 0x11,
            HostStatus::TransportMarginal => 0x14,
            HostStatus::Unknown(v) => v,
        }
    }

    /// The kernel's name for the code (`DID_TIME_OUT`, …).
    pub const fn name(self) -> &'static str {
        match self {
            HostStatus::Ok => "DID_OK",
            HostStatus::NoConnect => "DID_NO_CONNECT",
            HostStatus::BusBusy => "DID_BUS_BUSY",
            HostStatus::TimeOut => "DID_TIME_OUT",
            HostStatus::BadTarget => "DID_BAD_TARGET",
            HostStatus::Abort => "DID_ABORT",
            HostStatus::Parity => "DID_PARITY",
            HostStatus::Error => "DID_ERROR",
            HostStatus::Reset => "DID_RESET",
            HostStatus::BadIntr => "DID_BAD_INTR",
            HostStatus::Passthrough => "DID_PASSTHROUGH",
            HostStatus::SoftError => "DID_SOFT_ERROR",
            HostStatus::ImmRetry => "DID_IMM_RETRY",
            HostStatus::Requeue => "DID_REQUEUE",
            HostStatus::TransportDisrupted => "DID_TRANSPORT_DISRUPTED",
            HostStatus::TransportFailfast => "DID_TRANSPORT_FAILFAST",
            HostStatus::NexusFailure => "DID_NEXUS_FAILURE",
            HostStatus::TransportMarginal => "DID_TRANSPORT_MARGINAL",
            HostStatus::Unknown(_) => "DID_unknown",
        }
    }
}

/// `driver_status`: a driver code in the low nibble and a "suggestion" in the high one.
///
/// Linux 6.x only produces `DRIVER_SENSE` (8); the other codes come from older kernels and are
/// decoded so that a header from one of them is still read correctly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DriverStatus(pub u16);

impl DriverStatus {
    /// `DRIVER_OK`.
    pub const OK: u8 = 0;
    /// `DRIVER_BUSY`.
    pub const BUSY: u8 = 1;
    /// `DRIVER_SOFT`.
    pub const SOFT: u8 = 2;
    /// `DRIVER_MEDIA`.
    pub const MEDIA: u8 = 3;
    /// `DRIVER_ERROR`.
    pub const ERROR: u8 = 4;
    /// `DRIVER_INVALID`.
    pub const INVALID: u8 = 5;
    /// `DRIVER_TIMEOUT`.
    pub const TIMEOUT: u8 = 6;
    /// `DRIVER_HARD`.
    pub const HARD: u8 = 7;
    /// `DRIVER_SENSE`: sense data was written.
    pub const SENSE: u8 = 8;

    /// The driver code (`driver_status & 0x0f`).
    pub const fn code(self) -> u8 {
        (self.0 & 0x0f) as u8
    }

    /// The suggestion (`driver_status & 0xf0`: `SUGGEST_RETRY` 0x10 … `SUGGEST_SENSE` 0x80).
    pub const fn suggest(self) -> u8 {
        (self.0 & 0xf0) as u8
    }

    /// The kernel's name for the driver code.
    pub const fn name(self) -> &'static str {
        match self.code() {
            Self::OK => "DRIVER_OK",
            Self::BUSY => "DRIVER_BUSY",
            Self::SOFT => "DRIVER_SOFT",
            Self::MEDIA => "DRIVER_MEDIA",
            Self::ERROR => "DRIVER_ERROR",
            Self::INVALID => "DRIVER_INVALID",
            Self::TIMEOUT => "DRIVER_TIMEOUT",
            Self::HARD => "DRIVER_HARD",
            Self::SENSE => "DRIVER_SENSE",
            _ => "DRIVER_unknown",
        }
    }
}

/// What became of one command, folded from the completed header and its sense bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// GOOD with no transport or driver error.
    Good,
    /// CHECK CONDITION (or `DRIVER_SENSE`): `sense` holds the bytes the driver wrote
    /// (`sb_len_wr` of them, possibly none).
    CheckCondition {
        /// The sense bytes written by the driver.
        sense: &'a [u8],
    },
    /// CONDITION MET.
    ConditionMet,
    /// BUSY.
    Busy,
    /// RESERVATION CONFLICT (or `DID_NEXUS_FAILURE`).
    ReservationConflict,
    /// TASK SET FULL.
    TaskSetFull,
    /// ACA ACTIVE.
    AcaActive,
    /// TASK ABORTED.
    TaskAborted,
    /// `DID_TIME_OUT`: the command timed out and was aborted by the error handler.
    Timeout,
    /// Another transport or host adapter error (`DID_*` other than OK and TIME_OUT).
    Host(HostStatus),
    /// A driver error other than `DRIVER_SENSE` (older kernels).
    Driver(DriverStatus),
    /// A status byte with no category of its own (obsolete or unknown codes).
    Status(ScsiStatus),
}

/// The sense key, ASC and ASCQ of fixed or descriptor sense data, if the bytes hold them.
///
/// Only what the exit category needs; the full decoder is [`crate::sense`].
/// Fixed format (0x70/0x71): key `b[2] & 0xf`, ASC `b[12]`, ASCQ `b[13]` when the additional
/// length `b[7]` reaches them. Descriptor format (0x72/0x73): key `b[1] & 0xf`, ASC `b[2]`,
/// ASCQ `b[3]` (SPC-5 §4.4).
pub fn sense_key_asc(sense: &[u8]) -> Option<(u8, u8, u8)> {
    let code = sense.first()? & 0x7f;
    match code {
        0x70 | 0x71 => {
            let key = sense.get(2)? & 0x0f;
            let added = usize::from(*sense.get(7).unwrap_or(&0));
            let reach = |i: usize| {
                if i < 8 + added {
                    sense.get(i).copied()
                } else {
                    None
                }
            };
            Some((key, reach(12).unwrap_or(0), reach(13).unwrap_or(0)))
        }
        0x72 | 0x73 => Some((
            sense.get(1)? & 0x0f,
            sense.get(2).copied().unwrap_or(0),
            sense.get(3).copied().unwrap_or(0),
        )),
        _ => None,
    }
}

impl<'a> Outcome<'a> {
    /// Folds a completed header into one outcome. `sense` is the caller's sense buffer; only
    /// its first `sb_len_wr` bytes are taken (never more than the buffer holds).
    pub fn decode(hdr: &SgIoHdr, sense: &'a [u8]) -> Self {
        Self::from_parts(
            hdr.status,
            hdr.host_status,
            hdr.driver_status,
            sense.get(..usize::from(hdr.sb_len_wr)).unwrap_or(sense),
        )
    }

    /// The same from the raw fields: `status`, `host_status`, `driver_status` and the sense
    /// bytes that were written.
    pub fn from_parts(status: u8, host: u16, driver: u16, sense: &'a [u8]) -> Self {
        let status = ScsiStatus::from_byte(status);
        let host = HostStatus::from_raw(host);
        let driver = DriverStatus(driver);
        if matches!(
            status,
            ScsiStatus::CheckCondition | ScsiStatus::CommandTerminated
        ) || driver.code() == DriverStatus::SENSE
        {
            return Outcome::CheckCondition { sense };
        }
        match host {
            HostStatus::Ok => {}
            HostStatus::TimeOut => return Outcome::Timeout,
            HostStatus::NexusFailure => return Outcome::ReservationConflict,
            other => return Outcome::Host(other),
        }
        if driver.code() != DriverStatus::OK {
            return Outcome::Driver(driver);
        }
        match status {
            ScsiStatus::Good => Outcome::Good,
            ScsiStatus::ConditionMet => Outcome::ConditionMet,
            ScsiStatus::Busy => Outcome::Busy,
            ScsiStatus::ReservationConflict => Outcome::ReservationConflict,
            ScsiStatus::TaskSetFull => Outcome::TaskSetFull,
            ScsiStatus::AcaActive => Outcome::AcaActive,
            ScsiStatus::TaskAborted => Outcome::TaskAborted,
            other => Outcome::Status(other),
        }
    }

    /// Whether the command succeeded: GOOD, CONDITION MET, or CHECK CONDITION with
    /// RECOVERED ERROR (the data is good, the device had to work for it).
    pub fn is_success(&self) -> bool {
        match self {
            Outcome::Good | Outcome::ConditionMet => true,
            Outcome::CheckCondition { sense } => {
                matches!(sense_key_asc(sense), Some((0x1, _, _)))
            }
            _ => false,
        }
    }

    /// Whether transferred data may be trusted: only after GOOD or RECOVERED ERROR
    /// (sg.c copies the data in either way; a failed command leaves stale bytes).
    pub fn data_valid(&self) -> bool {
        match self {
            Outcome::Good => true,
            Outcome::CheckCondition { sense } => {
                matches!(sense_key_asc(sense), Some((0x1, _, _)))
            }
            _ => false,
        }
    }

    /// The sg3_utils exit category of this outcome (sg3_utils `sg_err_category_new()`); the
    /// sense part is [`ExitCategory::from_sense`].
    pub fn category(&self) -> ExitCategory {
        match *self {
            Outcome::Good => ExitCategory::Clean,
            Outcome::CheckCondition { sense } => ExitCategory::from_sense(sense),
            Outcome::ConditionMet => ExitCategory::ConditionMet,
            Outcome::Busy => ExitCategory::Busy,
            Outcome::ReservationConflict => ExitCategory::ReservationConflict,
            Outcome::TaskSetFull => ExitCategory::TaskSetFull,
            Outcome::AcaActive => ExitCategory::AcaActive,
            Outcome::TaskAborted => ExitCategory::TaskAborted,
            Outcome::Timeout => ExitCategory::Timeout,
            Outcome::Host(HostStatus::NoConnect | HostStatus::BusBusy) => ExitCategory::Timeout,
            Outcome::Host(_) => ExitCategory::Other,
            Outcome::Driver(d) if d.code() == DriverStatus::TIMEOUT => ExitCategory::Timeout,
            Outcome::Driver(_) => ExitCategory::Other,
            Outcome::Status(_) => ExitCategory::Other,
        }
    }
}

/// The exit statuses of sg3_utils (`SG_LIB_CAT_*`), which sgmap's command returns so that
/// scripts written for sg3_utils read the same numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExitCategory {
    /// 0: success.
    Clean,
    /// 1: syntax error in the command line.
    Syntax,
    /// 2: NOT READY.
    NotReady,
    /// 3: MEDIUM ERROR, HARDWARE ERROR or BLANK CHECK.
    MediumHard,
    /// 5: ILLEGAL REQUEST, other than the cases below.
    IllegalRequest,
    /// 6: UNIT ATTENTION.
    UnitAttention,
    /// 7: DATA PROTECT.
    DataProtect,
    /// 9: ILLEGAL REQUEST, invalid command operation code (20/00).
    InvalidOpcode,
    /// 10: COPY ABORTED.
    CopyAborted,
    /// 11: ABORTED COMMAND.
    AbortedCommand,
    /// 14: MISCOMPARE.
    Miscompare,
    /// 15: file error: cannot open, not an sg device, permission.
    FileError,
    /// 20: NO SENSE.
    NoSense,
    /// 21: RECOVERED ERROR.
    Recovered,
    /// 22: LBA out of range (05/21/00).
    LbaOutOfRange,
    /// 24: RESERVATION CONFLICT.
    ReservationConflict,
    /// 25: CONDITION MET.
    ConditionMet,
    /// 26: BUSY.
    Busy,
    /// 27: TASK SET FULL.
    TaskSetFull,
    /// 28: ACA ACTIVE.
    AcaActive,
    /// 29: TASK ABORTED.
    TaskAborted,
    /// 31: contradicting options.
    Contradict,
    /// 33: timeout (`DID_TIME_OUT`, `DID_NO_CONNECT`, `DID_BUS_BUSY`, `DRIVER_TIMEOUT`).
    Timeout,
    /// 40: protection error (ABORTED COMMAND with ASC 0x10).
    Protection,
    /// 50 + errno: an operating system error, as sg3_utils' `sg_convert_errno()` maps it
    /// (errno 1..=46; any other errno gives 50, `SG_LIB_OS_BASE_ERR`).
    OsError(u16),
    /// 97: malformed response.
    MalformedResponse,
    /// 98: sense data that fits no other category.
    Sense,
    /// 99: any other error.
    Other,
}

impl ExitCategory {
    /// The process exit status.
    pub const fn code(self) -> u8 {
        match self {
            ExitCategory::Clean => 0,
            ExitCategory::Syntax => 1,
            ExitCategory::NotReady => 2,
            ExitCategory::MediumHard => 3,
            ExitCategory::IllegalRequest => 5,
            ExitCategory::UnitAttention => 6,
            ExitCategory::DataProtect => 7,
            ExitCategory::InvalidOpcode => 9,
            ExitCategory::CopyAborted => 10,
            ExitCategory::AbortedCommand => 11,
            ExitCategory::Miscompare => 14,
            ExitCategory::FileError => 15,
            ExitCategory::NoSense => 20,
            ExitCategory::Recovered => 21,
            ExitCategory::LbaOutOfRange => 22,
            ExitCategory::ReservationConflict => 24,
            ExitCategory::ConditionMet => 25,
            ExitCategory::Busy => 26,
            ExitCategory::TaskSetFull => 27,
            ExitCategory::AcaActive => 28,
            ExitCategory::TaskAborted => 29,
            ExitCategory::Contradict => 31,
            ExitCategory::Timeout => 33,
            ExitCategory::Protection => 40,
            ExitCategory::OsError(e) if e >= 1 && e <= 46 => 50 + e as u8,
            ExitCategory::OsError(_) => 50,
            ExitCategory::MalformedResponse => 97,
            ExitCategory::Sense => 98,
            ExitCategory::Other => 99,
        }
    }

    /// The category of sense data, as sg3_utils 1.46's `sg_err_category_sense()`: the sense
    /// key, ASC and ASCQ where [`sense_key_asc`] finds them (the rules of
    /// `sg_scsi_normalize_sense()`), whatever the format; 98 for fewer than three bytes or a
    /// response code other than 70h..73h. The Information field plays no part (sg3_utils'
    /// 17 and 18 are never returned by this function).
    pub fn from_sense(sense: &[u8]) -> Self {
        match sense_key_asc(sense) {
            Some((key, asc, ascq)) if sense.len() > 2 => Self::from_key_asc(key, asc, ascq),
            _ => ExitCategory::Sense,
        }
    }

    /// The category of a sense key, ASC and ASCQ: the one table, sg3_utils 1.46's
    /// `sg_err_category_sense()` (lib/sg_lib.c). ILLEGAL REQUEST is 9 for 20/00 (invalid
    /// operation code), 22 for 21/00 (LBA out of range), 5 otherwise (05/26/00 included: 1.48
    /// and later say 19); ABORTED COMMAND is 40 for ASC 10h (protection), 11 otherwise; NOT
    /// READY is 2 whatever the ASC (1.48 and later say 12, 13 or 16 for some 02/04/xx);
    /// VOLUME OVERFLOW, COMPLETED, vendor-specific and reserved keys are 98.
    pub const fn from_key_asc(key: u8, asc: u8, ascq: u8) -> Self {
        match key {
            0x0 => ExitCategory::NoSense,
            0x1 => ExitCategory::Recovered,
            0x2 => ExitCategory::NotReady,
            0x3 | 0x4 | 0x8 => ExitCategory::MediumHard,
            0x5 => match (asc, ascq) {
                (0x20, 0x00) => ExitCategory::InvalidOpcode,
                (0x21, 0x00) => ExitCategory::LbaOutOfRange,
                _ => ExitCategory::IllegalRequest,
            },
            0x6 => ExitCategory::UnitAttention,
            0x7 => ExitCategory::DataProtect,
            0xa => ExitCategory::CopyAborted,
            0xb if asc == 0x10 => ExitCategory::Protection,
            0xb => ExitCategory::AbortedCommand,
            0xe => ExitCategory::Miscompare,
            _ => ExitCategory::Sense,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(key: u8, asc: u8, ascq: u8) -> [u8; 18] {
        let mut s = [0u8; 18];
        s[0] = 0x70;
        s[2] = key;
        s[7] = 10;
        s[12] = asc;
        s[13] = ascq;
        s
    }

    #[test]
    fn all_zero_completion_is_good() {
        let o = Outcome::from_parts(0, 0, 0, &[]);
        assert_eq!(o, Outcome::Good);
        assert_eq!(o.category().code(), 0);
        assert!(o.data_valid());
    }

    #[test]
    fn check_condition_carries_written_sense_only() {
        let mut hdr = SgIoHdr::new();
        hdr.status = 0x02;
        hdr.masked_status = 0x01;
        hdr.driver_status = 0x08;
        hdr.sb_len_wr = 18;
        let mut buf = [0xffu8; 32];
        buf[..18].copy_from_slice(&fixed(0x3, 0x11, 0x00));
        let o = Outcome::decode(&hdr, &buf);
        assert_eq!(o, Outcome::CheckCondition { sense: &buf[..18] });
        assert_eq!(o.category(), ExitCategory::MediumHard);
        assert!(!o.data_valid());
    }

    #[test]
    fn sb_len_wr_beyond_the_buffer_is_clamped() {
        let mut hdr = SgIoHdr::new();
        hdr.status = 0x02;
        hdr.sb_len_wr = 200;
        let buf = fixed(0x6, 0x29, 0x00);
        assert_eq!(
            Outcome::decode(&hdr, &buf),
            Outcome::CheckCondition { sense: &buf }
        );
    }

    #[test]
    fn driver_sense_alone_means_check_condition() {
        let s = fixed(0x6, 0x29, 0x01);
        let o = Outcome::from_parts(0, 0, 0x08, &s);
        assert_eq!(o.category(), ExitCategory::UnitAttention);
    }

    #[test]
    fn did_time_out_is_timeout_category_33() {
        let o = Outcome::from_parts(0, 0x03, 0, &[]);
        assert_eq!(o, Outcome::Timeout);
        assert_eq!(o.category().code(), 33);
        assert!(!o.data_valid());
        assert_eq!(Outcome::from_parts(0, 1, 0, &[]).category().code(), 33);
        assert_eq!(Outcome::from_parts(0, 2, 0, &[]).category().code(), 33);
    }

    #[test]
    fn other_host_errors_are_category_99_as_in_sg3_utils_and_unknown_codes_kept() {
        // sg_err_category_new() (lib/sg_io_linux.c, 1.46): DID_NO_CONNECT, DID_BUS_BUSY and
        // DID_TIME_OUT are 33, DID_NEXUS_FAILURE 24, any other host byte 99.
        let o = Outcome::from_parts(0, 0x07, 0, &[]);
        assert_eq!(o, Outcome::Host(HostStatus::Error));
        assert_eq!(o.category().code(), 99);
        assert_eq!(Outcome::from_parts(0, 0x11, 0, &[]).category().code(), 24);
        // CHECK CONDITION wins over the host byte.
        let s = fixed(0x3, 0x11, 0);
        assert_eq!(Outcome::from_parts(2, 0x07, 8, &s).category().code(), 3);
        let o = Outcome::from_parts(0, 0x77, 0, &[]);
        assert_eq!(o, Outcome::Host(HostStatus::Unknown(0x77)));
        assert_eq!(HostStatus::from_raw(0x77).to_raw(), 0x77);
    }

    #[test]
    fn status_bytes_map_to_their_categories() {
        let cases = [
            (0x04, Outcome::ConditionMet, 25),
            (0x08, Outcome::Busy, 26),
            (0x18, Outcome::ReservationConflict, 24),
            (0x28, Outcome::TaskSetFull, 27),
            (0x30, Outcome::AcaActive, 28),
            (0x40, Outcome::TaskAborted, 29),
        ];
        for (byte, outcome, code) in cases {
            let o = Outcome::from_parts(byte, 0, 0, &[]);
            assert_eq!(o, outcome, "status {byte:#x}");
            assert_eq!(o.category().code(), code, "status {byte:#x}");
        }
        let o = Outcome::from_parts(0x7e, 0, 0, &[]);
        assert_eq!(o, Outcome::Status(ScsiStatus::Unknown(0x7e)));
        assert_eq!(o.category().code(), 99);
    }

    #[test]
    fn every_status_byte_round_trips() {
        for b in 0..=255u8 {
            let s = ScsiStatus::from_byte(b);
            match s {
                ScsiStatus::Unknown(v) => assert_eq!(v, b),
                known => assert_eq!(known.to_byte(), b & 0x7e),
            }
        }
        for v in 0..=0x100u16 {
            assert_eq!(HostStatus::from_raw(v).to_raw(), v);
        }
    }

    #[test]
    fn legacy_driver_timeout_is_timeout() {
        let o = Outcome::from_parts(0, 0, 0x06, &[]);
        assert_eq!(o, Outcome::Driver(DriverStatus(6)));
        assert_eq!(o.category().code(), 33);
        assert_eq!(Outcome::from_parts(0, 0, 0x04, &[]).category().code(), 99);
    }

    #[test]
    fn sense_key_table_follows_sg3_utils() {
        let cases = [
            ((0x0, 0, 0), 20),
            ((0x1, 0x5d, 0), 21),
            ((0x2, 0x04, 0x01), 2),
            ((0x3, 0x11, 0), 3),
            ((0x4, 0x44, 0), 3),
            ((0x8, 0, 0), 3),
            ((0x5, 0x20, 0), 9),
            ((0x5, 0x21, 0), 22),
            ((0x5, 0x26, 0), 5),
            ((0x5, 0x24, 0), 5),
            ((0x6, 0x29, 0x01), 6),
            ((0x7, 0x27, 0), 7),
            ((0xa, 0, 0), 10),
            ((0xb, 0x10, 0x01), 40),
            ((0xb, 0x4b, 0x03), 11),
            ((0xe, 0x1d, 0), 14),
            ((0x9, 0, 0), 98),
            ((0xf, 0, 0), 98),
        ];
        for ((key, asc, ascq), code) in cases {
            let s = fixed(key, asc, ascq);
            assert_eq!(
                ExitCategory::from_sense(&s).code(),
                code,
                "{key:x}/{asc:x}/{ascq:x}"
            );
            let d = [0x72, key, asc, ascq, 0, 0, 0, 0];
            assert_eq!(ExitCategory::from_sense(&d).code(), code, "desc {key:x}");
        }
    }

    #[test]
    fn recovered_error_data_is_valid_other_check_conditions_are_not() {
        let s = fixed(0x1, 0x5d, 0);
        let o = Outcome::from_parts(0x02, 0, 0x08, &s);
        assert!(o.data_valid() && o.is_success());
        let s = fixed(0x0, 0, 0);
        assert!(!Outcome::from_parts(0x02, 0, 0x08, &s).data_valid());
    }

    #[test]
    fn a_valid_information_field_changes_no_category() {
        // sg_lib.h (1.46): 17 and 18 "are not returned by sg_err_category_sense()".
        let mut s = fixed(0x3, 0x11, 0x00);
        s[0] = 0xf0; // VALID
        s[3..7].copy_from_slice(&[0, 0, 0x12, 0x34]);
        assert_eq!(Outcome::from_parts(2, 0, 8, &s).category().code(), 3);
        let mut s = fixed(0x5, 0x24, 0x00);
        s[0] = 0xf0;
        assert_eq!(Outcome::from_parts(2, 0, 8, &s).category().code(), 5);
        s[0] = 0x70;
        assert_eq!(Outcome::from_parts(2, 0, 8, &s).category().code(), 5);
    }

    #[test]
    fn fixed_asc_beyond_additional_length_is_not_read() {
        let mut s = fixed(0x5, 0x20, 0x00);
        s[7] = 4; // additional length stops at byte 11
        assert_eq!(sense_key_asc(&s), Some((0x5, 0, 0)));
        assert_eq!(ExitCategory::from_sense(&s).code(), 5);
    }

    #[test]
    fn malformed_or_empty_sense_is_category_98() {
        assert_eq!(ExitCategory::from_sense(&[]).code(), 98);
        assert_eq!(ExitCategory::from_sense(&[0x70, 0]).code(), 98);
        assert_eq!(ExitCategory::from_sense(&[0x12, 0, 5]).code(), 98);
        assert_eq!(Outcome::from_parts(2, 0, 8, &[]).category().code(), 98);
    }

    #[test]
    fn os_errors_are_50_plus_errno_as_sg_convert_errno() {
        assert_eq!(ExitCategory::OsError(12).code(), 62);
        assert_eq!(ExitCategory::OsError(16).code(), 66);
        assert_eq!(ExitCategory::OsError(46).code(), 96);
        // sg3_utils 1.46 lib/sg_lib.c sg_convert_errno(): 47 and above give 50, not 97+.
        assert_eq!(ExitCategory::OsError(47).code(), 50);
        assert_eq!(ExitCategory::OsError(110).code(), 50);
        assert_eq!(ExitCategory::OsError(0).code(), 50);
    }
}
