//! The logical unit's state: TEST UNIT READY and REQUEST SENSE (SPC-5), whether it is ready
//! and why not; START STOP UNIT (SBC-4), its power condition and its medium.

use super::{fit, out, Error, Opcode, ToCdb};

/// TEST UNIT READY (SPC-5): is the logical unit ready? 6 bytes, no data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TestUnitReady;

impl ToCdb for TestUnitReady {
    fn buffer_len(&self) -> usize {
        6
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let b = out(buf, 6)?;
        b[0] = Opcode::TestUnitReady.into();
        Ok(6)
    }
}

/// REQUEST SENSE (SPC-5): the sense data of the last command or a pending condition. 6
/// bytes; data-in of at most `allocation_length` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestSense {
    /// DESC: ask for descriptor-format sense data.
    pub descriptor: bool,
    /// ALLOCATION LENGTH (SPC-5 recommends 252).
    pub allocation_length: u8,
}

impl Default for RequestSense {
    fn default() -> Self {
        RequestSense {
            descriptor: false,
            allocation_length: 252,
        }
    }
}

impl ToCdb for RequestSense {
    fn buffer_len(&self) -> usize {
        6
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let b = out(buf, 6)?;
        b[0] = Opcode::RequestSense.into();
        b[1] = u8::from(self.descriptor);
        b[4] = self.allocation_length;
        Ok(6)
    }
}

/// START STOP UNIT (SBC-4): spin up or down, load or eject, change power condition. 6
/// bytes, no data.
///
/// MMC-6 gives two of the bits other names: byte 3 bits 1–0 (SBC's POWER CONDITION
/// MODIFIER) are its FORMAT LAYER NUMBER, and byte 4 bit 2 (SBC's NO_FLUSH) is its FL
/// (load and select that format layer); see [`StartStopUnit::format_layer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct StartStopUnit {
    /// IMMED: return before the operation completes.
    pub immed: bool,
    /// POWER CONDITION MODIFIER (4 bits).
    pub power_condition_modifier: u8,
    /// POWER CONDITION (4 bits): 0h START_VALID (use `start`/`load_eject`), 1h ACTIVE, 2h
    /// IDLE, 3h STANDBY, 7h LU_CONTROL, Ah/Bh FORCE_IDLE_0/FORCE_STANDBY_0.
    pub power_condition: u8,
    /// NO_FLUSH: do not write the cache to the medium before stopping.
    pub no_flush: bool,
    /// LOEJ: load (with `start`) or eject (without) the medium.
    pub load_eject: bool,
    /// START: start (`true`) or stop the unit.
    pub start: bool,
}

impl StartStopUnit {
    /// MMC-6's form that loads the medium and selects format layer `layer` (0–3): FL, LOEJ
    /// and START set, FORMAT LAYER NUMBER in byte 3, no power condition (as `sg_start
    /// --fl=FL` sends it).
    pub const fn format_layer(layer: u8, immed: bool) -> Self {
        StartStopUnit {
            immed,
            power_condition_modifier: layer,
            power_condition: 0,
            no_flush: true,
            load_eject: true,
            start: true,
        }
    }
}

impl ToCdb for StartStopUnit {
    fn buffer_len(&self) -> usize {
        6
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let modifier = self.power_condition_modifier;
        fit("POWER CONDITION MODIFIER", u64::from(modifier), 0x0f)?;
        fit("POWER CONDITION", u64::from(self.power_condition), 0x0f)?;
        let b = out(buf, 6)?;
        b[0] = Opcode::StartStopUnit.into();
        b[1] = u8::from(self.immed);
        b[3] = modifier;
        b[4] = (self.power_condition << 4)
            | (u8::from(self.no_flush) << 2)
            | (u8::from(self.load_eject) << 1)
            | u8::from(self.start);
        Ok(6)
    }
}
