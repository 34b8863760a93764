//! REPORT SUPPORTED OPERATION CODES and REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (SPC-5):
//! service actions 0Ch and 0Dh of MAINTENANCE IN (A3h). 12 bytes each, data-in.

use super::{fit, out, put_be, Error, ToCdb};

/// MAINTENANCE IN, the operation code of both commands.
pub const MAINTENANCE_IN: u8 = 0xa3;
/// The service action of REPORT SUPPORTED OPERATION CODES.
pub const RSOC_SERVICE_ACTION: u8 = 0x0c;
/// The service action of REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS.
pub const RSTMF_SERVICE_ACTION: u8 = 0x0d;

/// REPORTING OPTIONS of REPORT SUPPORTED OPERATION CODES (SPC-5, 3 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReportingOptions {
    /// 000b: all commands (the all_commands parameter data).
    #[default]
    All,
    /// 001b: one command by operation code, which must have no service actions.
    Opcode,
    /// 010b: one command by operation code and service action.
    OpcodeServiceAction,
    /// 011b: one command by operation code, with or without a service action.
    OpcodeMaybeServiceAction,
    /// Any other value (the field is 3 bits).
    Other(u8),
}

impl From<ReportingOptions> for u8 {
    fn from(o: ReportingOptions) -> u8 {
        match o {
            ReportingOptions::All => 0,
            ReportingOptions::Opcode => 1,
            ReportingOptions::OpcodeServiceAction => 2,
            ReportingOptions::OpcodeMaybeServiceAction => 3,
            ReportingOptions::Other(n) => n,
        }
    }
}

/// REPORT SUPPORTED OPERATION CODES (SPC-5): `A3h, 0Ch, RCTD<<7 | options, opcode, be16
/// service action, be32 allocation length, 0, control`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReportSupportedOpcodes {
    /// RCTD: return command timeouts descriptors.
    pub rctd: bool,
    /// REPORTING OPTIONS.
    pub reporting_options: ReportingOptions,
    /// REQUESTED OPERATION CODE (with a one-command option).
    pub opcode: u8,
    /// REQUESTED SERVICE ACTION (with a one-command option).
    pub service_action: u16,
    /// ALLOCATION LENGTH.
    pub allocation_length: u32,
}

impl ReportSupportedOpcodes {
    /// All commands, in at most `allocation_length` bytes.
    pub const fn all(rctd: bool, allocation_length: u32) -> Self {
        ReportSupportedOpcodes {
            rctd,
            reporting_options: ReportingOptions::All,
            opcode: 0,
            service_action: 0,
            allocation_length,
        }
    }

    /// One command: `opcode` alone (option 001b) or with `service_action` (option 010b).
    pub const fn one(
        rctd: bool,
        opcode: u8,
        service_action: Option<u16>,
        allocation_length: u32,
    ) -> Self {
        let (reporting_options, service_action) = match service_action {
            Some(sa) => (ReportingOptions::OpcodeServiceAction, sa),
            None => (ReportingOptions::Opcode, 0),
        };
        ReportSupportedOpcodes {
            rctd,
            reporting_options,
            opcode,
            service_action,
            allocation_length,
        }
    }
}

impl ToCdb for ReportSupportedOpcodes {
    fn buffer_len(&self) -> usize {
        12
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let options = u8::from(self.reporting_options);
        fit("REPORTING OPTIONS", u64::from(options), 0x07)?;
        let b = out(buf, 12)?;
        b[0] = MAINTENANCE_IN;
        b[1] = RSOC_SERVICE_ACTION;
        b[2] = (u8::from(self.rctd) << 7) | options;
        b[3] = self.opcode;
        put_be(&mut b[4..6], u64::from(self.service_action));
        put_be(&mut b[6..10], u64::from(self.allocation_length));
        Ok(12)
    }
}

/// REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (SPC-5): `A3h, 0Dh, REPD<<7, 0, 0, 0, be32
/// allocation length, 0, control`. The data is 4 bytes, 16 with REPD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReportSupportedTmf {
    /// REPD: return the extended parameter data (16 bytes).
    pub repd: bool,
    /// ALLOCATION LENGTH.
    pub allocation_length: u32,
}

impl ToCdb for ReportSupportedTmf {
    fn buffer_len(&self) -> usize {
        12
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let b = out(buf, 12)?;
        b[0] = MAINTENANCE_IN;
        b[1] = RSTMF_SERVICE_ACTION;
        b[2] = u8::from(self.repd) << 7;
        put_be(&mut b[6..10], u64::from(self.allocation_length));
        Ok(12)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cdb::tests::golden;

    #[test]
    fn report_supported_operation_codes_bytes() {
        golden(
            &ReportSupportedOpcodes::all(false, 8192),
            &[0xa3, 0x0c, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0],
        );
        golden(
            &ReportSupportedOpcodes::all(true, 0x0102_0304),
            &[0xa3, 0x0c, 0x80, 0, 0, 0, 1, 2, 3, 4, 0, 0],
        );
        golden(
            &ReportSupportedOpcodes::one(false, 0x28, None, 64),
            &[0xa3, 0x0c, 0x01, 0x28, 0, 0, 0, 0, 0, 64, 0, 0],
        );
        golden(
            &ReportSupportedOpcodes::one(true, 0x9e, Some(0x1234), 64),
            &[0xa3, 0x0c, 0x82, 0x9e, 0x12, 0x34, 0, 0, 0, 64, 0, 0],
        );
        golden(
            &ReportSupportedOpcodes {
                reporting_options: ReportingOptions::OpcodeMaybeServiceAction,
                ..ReportSupportedOpcodes::default()
            },
            &[0xa3, 0x0c, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        );
        let mut buf = [0xa5u8; 12];
        assert_eq!(
            ReportSupportedOpcodes {
                reporting_options: ReportingOptions::Other(8),
                ..ReportSupportedOpcodes::default()
            }
            .emit(&mut buf),
            Err(Error::TooLarge {
                field: "REPORTING OPTIONS",
                value: 8,
                max: 7
            })
        );
        assert!(buf.iter().all(|&b| b == 0xa5));
    }

    #[test]
    fn report_supported_tmf_bytes() {
        golden(
            &ReportSupportedTmf {
                repd: false,
                allocation_length: 4,
            },
            &[0xa3, 0x0d, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0],
        );
        golden(
            &ReportSupportedTmf {
                repd: true,
                allocation_length: 16,
            },
            &[0xa3, 0x0d, 0x80, 0, 0, 0, 0, 0, 0, 16, 0, 0],
        );
    }
}
