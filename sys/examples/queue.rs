//! Queue depth 4: the device opened four times, each file with its own mapped reserve, and
//! up to four mmap-ed READs in flight at once, collected in the order they were sent. It
//! reads the first MiB (or `BYTES`) of the device in transfers of at most 64 KiB and prints
//! a checksum of what it read, and how long it took.
//!
//! ```text
//! cargo run -p sgmap-sys --example queue -- /dev/sg1 [BYTES]
//! ```
//!
//! One sg file takes one mmap-ed request at a time (the request holds the file's single
//! reserve until it is collected), which is why depth N is N files: what `sgmap dd qd=4`
//! does. Every command is sent with one `write()` and collected with a blocking `read()`.

use std::process::ExitCode;
use std::time::Instant;

use sgmap_sys::sgmap_core::cdb::{Read, ReadCapacity10, ToCdb};
use sgmap_sys::sgmap_core::response::Capacity10;
use sgmap_sys::{Command, Data, Error, ExitCategory, Queue};

const DEPTH: usize = 4;
const TRANSFER: u64 = 64 * 1024;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(path), bytes) = (args.next(), args.next()) else {
        eprintln!("usage: queue DEVICE [BYTES]");
        return ExitCode::from(ExitCategory::Syntax.code());
    };
    let Some(bytes) = bytes.map_or(Some(1 << 20), |b| b.parse().ok()) else {
        eprintln!("queue: BYTES is a decimal number");
        return ExitCode::from(ExitCategory::Syntax.code());
    };
    match copy(&path, bytes) {
        Ok(category) => ExitCode::from(category.code()),
        Err(e) => {
            eprintln!("queue: {e}");
            ExitCode::from(e.category().code())
        }
    }
}

fn copy(path: &str, bytes: u64) -> Result<ExitCategory, Error> {
    let mut queue = Queue::open(path, DEPTH, TRANSFER)?;

    // The block length, with a READ CAPACITY (10) on the first file (nothing is in flight).
    let mut data = [0u8; 8];
    let cdb = ReadCapacity10
        .to_cdb()
        .expect("READ CAPACITY (10) has no fields");
    let r = queue
        .device(0)
        .execute(&Command::new(cdb.as_bytes()), Data::In(&mut data))?;
    if !r.is_good() {
        eprintln!("queue: READ CAPACITY (10): {:?}", r.outcome());
        return Ok(r.category());
    }
    let capacity = Capacity10::parse(&data).expect("8 bytes are READ CAPACITY (10) data");
    let block = u64::from(capacity.block_length).max(1);
    // Every slot's mapping takes `granted()` bytes: the kernel may have granted less than
    // asked for.
    let per_transfer = (u64::from(queue.granted()) / block).max(1);
    let total = (bytes / block).min(capacity.blocks());

    let started = Instant::now();
    let (mut next_lba, mut done, mut checksum) = (0u64, 0u64, 0u64);
    while done < total {
        // Keep DEPTH requests in flight while there is something left to send.
        while next_lba < total && queue.in_flight() < queue.depth() {
            let blocks = per_transfer.min(total - next_lba);
            let read = Read {
                lba: next_lba,
                blocks: blocks as u32,
                ..Read::default()
            }
            .to_cdb()
            .expect("an LBA within READ CAPACITY (10)'s fits READ (10)");
            queue.submit(
                &Command::new(read.as_bytes()),
                Data::MmapIn((blocks * block) as u32),
            )?;
            next_lba += blocks;
        }
        // The oldest one: its data is in its slot's mapping, until that slot is reused.
        let (slot, r) = queue.wait_oldest()?;
        if !r.is_good() {
            eprintln!("queue: READ: {:?}", r.outcome());
            return Ok(r.category());
        }
        let data = queue.data(slot)?;
        checksum = data.iter().fold(checksum, |sum, &b| {
            sum.wrapping_mul(31).wrapping_add(u64::from(b))
        });
        done += data.len() as u64 / block;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{path}: {} bytes at depth {DEPTH} in {secs:.3} s ({:.1} MB/s), checksum {checksum:016x}",
        done * block,
        (done * block) as f64 / secs.max(1e-9) / 1e6,
    );
    Ok(ExitCategory::Clean)
}
