//! READ CAPACITY (10) or (16), sent and decoded: what `readcap` prints and what `dd` plans
//! with.

use sgmap_core::cdb::{ReadCapacity10, ReadCapacity16};
use sgmap_core::response::{Capacity10, Capacity16};
use sgmap_core::status::ExitCategory;
use sgmap_sys::{Device, Timeout};

use crate::out::{self, Fail};
use crate::shared::dev;

/// What READ CAPACITY answered, from either CDB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    /// 10 or 16.
    pub cdb: u8,
    /// The last LBA.
    pub last_lba: u64,
    /// The logical block length.
    pub block_length: u32,
    /// READ CAPACITY (16)'s extra fields.
    pub long: Option<Capacity16>,
}

impl Capacity {
    /// Number of logical blocks.
    pub fn blocks(&self) -> u64 {
        self.last_lba.saturating_add(1)
    }

    /// Capacity in bytes (saturating: 2^64 bytes is 16 EiB).
    pub fn bytes(&self) -> u64 {
        self.blocks().saturating_mul(u64::from(self.block_length))
    }
}

/// Sends READ CAPACITY (16 when `long`, or when (10) says the device is too large) and
/// decodes it. UNIT ATTENTION is retried once when `retry_ua` (dd does, as sgm_dd does).
pub fn read_capacity(
    dev: &mut Device,
    device: &str,
    long: bool,
    retry_ua: bool,
) -> Result<Capacity, Fail> {
    if !long {
        let cdb = dev::cdb(&ReadCapacity10, device)?;
        let data = run(
            dev,
            device,
            cdb.as_bytes(),
            8,
            "READ CAPACITY(10)",
            retry_ua,
        )?;
        let c = Capacity10::parse(&data).map_err(|e| malformed(device, "READ CAPACITY(10)", e))?;
        if !c.needs_16() {
            return Ok(Capacity {
                cdb: 10,
                last_lba: u64::from(c.last_lba),
                block_length: c.block_length,
                long: None,
            });
        }
    }
    let cdb = dev::cdb(&ReadCapacity16::default(), device)?;
    let data = run(
        dev,
        device,
        cdb.as_bytes(),
        32,
        "READ CAPACITY(16)",
        retry_ua,
    )?;
    let c = Capacity16::parse(&data).map_err(|e| malformed(device, "READ CAPACITY(16)", e))?;
    Ok(Capacity {
        cdb: 16,
        last_lba: c.last_lba,
        block_length: c.block_length,
        long: Some(c),
    })
}

fn malformed(device: &str, what: &str, e: sgmap_core::response::Error) -> Fail {
    out::fail(
        ExitCategory::MalformedResponse,
        device,
        what,
        format_args!("{e}"),
    )
}

fn run(
    dev: &mut Device,
    device: &str,
    cdb: &[u8],
    len: usize,
    what: &str,
    retry_ua: bool,
) -> Result<Vec<u8>, Fail> {
    let (mut resp, mut data) = dev::data_in(dev, cdb, len, Timeout::DEFAULT)?;
    if retry_ua && resp.category() == ExitCategory::UnitAttention {
        (resp, data) = dev::data_in(dev, cdb, len, Timeout::DEFAULT)?;
    }
    if !resp.is_good() {
        return Err(dev::scsi_fail(device, what, &resp));
    }
    Ok(data)
}

/// READ CAPACITY (16), and (10) when the device refuses (16) as an invalid operation code
/// or field, as sg_unmap and sg_write_same ask (UNIT ATTENTION retried once).
pub fn read_capacity_16_or_10(dev: &mut Device, device: &str) -> Result<Capacity, Fail> {
    match read_capacity(dev, device, true, true) {
        Err(f)
            if f.code == ExitCategory::InvalidOpcode.code()
                || f.code == ExitCategory::IllegalRequest.code() =>
        {
            read_capacity(dev, device, false, true)
        }
        other => other,
    }
}
