//! A read through the mapped reserve: READ CAPACITY (10) for the block length, then a READ
//! whose data the device puts straight into the reserve that `mmap()` shares with the
//! driver, read in place and dumped as hex. No data byte is copied through user memory.
//!
//! ```text
//! cargo run -p sgmap-sys --example read_mapped -- /dev/sg1 [LBA] [BLOCKS]
//! ```
//!
//! It needs read-write access to the node: every command goes through `write()`, which a
//! read-only file refuses. It exits with sg3_utils' status for what went wrong (15 for a
//! path that is not an sg node, 3 for a medium error, 50 + errno for the kernel's errors).

use std::process::ExitCode;

use sgmap_sys::sgmap_core::cdb::{Read, ReadCapacity10, ToCdb};
use sgmap_sys::sgmap_core::response::Capacity10;
use sgmap_sys::{Command, Data, Device, Error, ExitCategory, Response};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(path), lba, blocks) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: read_mapped DEVICE [LBA] [BLOCKS]");
        return ExitCode::from(ExitCategory::Syntax.code());
    };
    let number = |arg: Option<String>, default: u64| match arg {
        None => Some(default),
        Some(text) => text.parse().ok(),
    };
    let (Some(lba), Some(blocks)) = (number(lba, 0), number(blocks, 8)) else {
        eprintln!("read_mapped: LBA and BLOCKS are decimal numbers");
        return ExitCode::from(ExitCategory::Syntax.code());
    };
    match read(&path, lba, blocks) {
        Ok(category) => ExitCode::from(category.code()),
        Err(e) => {
            eprintln!("read_mapped: {e}");
            ExitCode::from(e.category().code())
        }
    }
}

fn read(path: &str, lba: u64, blocks: u64) -> Result<ExitCategory, Error> {
    let mut dev = Device::open(path)?; // refuses anything that is not an sg node

    // READ CAPACITY (10) into a buffer of ours: 8 bytes, copied by the kernel.
    let mut data = [0u8; 8];
    let cdb = ReadCapacity10
        .to_cdb()
        .expect("READ CAPACITY (10) has no fields");
    let r = dev.execute(&Command::new(cdb.as_bytes()), Data::In(&mut data))?;
    if !r.is_good() {
        return Ok(failed("READ CAPACITY (10)", &r));
    }
    let capacity = Capacity10::parse(&data).expect("8 bytes are READ CAPACITY (10) data");
    let block = u64::from(capacity.block_length);

    // The reserve: ask for what the READ needs; the kernel may grant less, and the mapping
    // is the grant rounded down to a page.
    let want = blocks.saturating_mul(block);
    dev.set_reserved_size(want)?;
    let mapped = u64::from(dev.map()?);
    let blocks = blocks.min(mapped / block.max(1));
    if blocks == 0 {
        eprintln!("read_mapped: the mapped reserve ({mapped} bytes) holds no {block}-byte block");
        return Ok(ExitCategory::Other);
    }
    let Ok(read) = (Read {
        lba,
        blocks: u32::try_from(blocks).unwrap_or(u32::MAX),
        ..Read::default()
    })
    .to_cdb() else {
        eprintln!("read_mapped: LBA {lba} does not fit a READ CDB");
        return Ok(ExitCategory::Syntax);
    };
    let len = u32::try_from(blocks * block).unwrap_or(u32::MAX);
    let r = dev.execute(&Command::new(read.as_bytes()), Data::MmapIn(len))?;
    if !r.is_good() {
        return Ok(failed("READ", &r));
    }

    // The bytes the device wrote, in the mapping itself: borrowed from `dev`, so no other
    // request can start while they are read.
    let bytes = dev.valid_data()?;
    println!(
        "{path}: {} blocks of {block} bytes from LBA {lba}, {} bytes read in place",
        blocks,
        bytes.len()
    );
    for (i, line) in bytes.chunks(16).take(8).enumerate() {
        let hex: Vec<String> = line.iter().map(|b| format!("{b:02x}")).collect();
        println!("{:08x}  {}", i * 16, hex.join(" "));
    }
    Ok(ExitCategory::Clean)
}

/// Says how a command ended when it did not succeed, and returns its category.
fn failed(what: &str, r: &Response) -> ExitCategory {
    eprintln!("read_mapped: {what}: {:?}", r.outcome());
    if !r.sense().is_empty() {
        eprintln!("{}", sgmap_sys::sgmap_core::sense::render(r.sense()));
    }
    r.category()
}
