//! What `if=` and `of=` name, and the file side of dd: regular files, block devices,
//! standard input and output, and the discarding sink. The sg side is in `sg.rs`.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};

use crate::out;
use std::os::unix::fs::{FileExt, FileTypeExt, MetadataExt};

use sgmap_core::status::ExitCategory;

use super::ledger::Ledger;
use super::plan::{is_discard, Extent, Fill, Flags};
use crate::shared::node::{major, SG_MAJOR};

/// What a dd operand names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `-`: standard input or output.
    Std,
    /// `.` or `/dev/null` as `of`: nothing is written.
    Discard,
    /// A character device of major 21.
    Sg,
    /// A block device.
    Block,
    /// A regular file (or, for `of`, one to create).
    Regular,
    /// A pipe, socket or another character device (`/dev/zero`, `/dev/null` as `if`).
    Stream,
    /// `iflag=00|ff|random`: generated input, no file.
    Fill(Fill),
}

/// Classifies an operand. A missing `of` path is a regular file to create; a missing `if`
/// is an error for the caller to report.
pub fn classify(path: &str, output: bool) -> io::Result<Kind> {
    if path == "-" {
        return Ok(Kind::Std);
    }
    if output && is_discard(path) {
        return Ok(Kind::Discard);
    }
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if output && e.kind() == io::ErrorKind::NotFound => return Ok(Kind::Regular),
        Err(e) => return Err(e),
    };
    let ft = meta.file_type();
    Ok(if ft.is_char_device() && major(meta.rdev()) == SG_MAJOR {
        Kind::Sg
    } else if ft.is_block_device() {
        Kind::Block
    } else if ft.is_file() {
        Kind::Regular
    } else if ft.is_dir() {
        return Err(io::Error::from_raw_os_error(21)); // EISDIR
    } else {
        Kind::Stream
    })
}

/// A non-sg input.
#[derive(Debug)]
pub enum Source {
    /// A regular file or block device, read at offsets.
    File {
        /// The file.
        file: File,
        /// `iflag=nocache`: drop what was read from the page cache.
        nocache: bool,
    },
    /// Standard input (a `dup` of fd 0) or another stream, read in order.
    Stream(File),
    /// `iflag=00|ff|random`.
    Fill(Fill),
}

/// The open(2) flags of a file side: `direct`, `dsync`, `excl` (rustix gives each
/// architecture's values).
fn custom_flags(flags: &Flags) -> i32 {
    use rustix::fs::OFlags;
    let mut f = OFlags::empty();
    f.set(OFlags::DIRECT, flags.direct);
    f.set(OFlags::SYNC, flags.dsync);
    f.set(OFlags::EXCL, flags.excl);
    f.bits() as i32
}

/// `flock(LOCK_EX | LOCK_NB)` for `iflag=flock`/`oflag=flock`.
pub fn lock(file: &File) -> io::Result<()> {
    rustix::fs::flock(file, rustix::fs::FlockOperation::NonBlockingLockExclusive)
        .map_err(io::Error::from)
}

/// Drops `len` bytes at `offset` of `file` from the page cache (`nocache`); advice only,
/// its failure changes nothing.
fn drop_cached(file: &File, offset: u64, len: usize) {
    let len = core::num::NonZeroU64::new(len as u64);
    let _ = rustix::fs::fadvise(file, offset, len, rustix::fs::Advice::DontNeed);
}

impl Source {
    /// Opens a non-sg input.
    pub fn open(path: &str, kind: Kind, flags: &Flags) -> io::Result<Source> {
        use std::os::unix::fs::OpenOptionsExt;
        let open = || {
            OpenOptions::new()
                .read(true)
                .custom_flags(custom_flags(flags))
                .open(path)
        };
        let source = match kind {
            Kind::Std => Source::Stream(out::stdin_file()?),
            Kind::Stream => Source::Stream(open()?),
            Kind::Regular | Kind::Block => Source::File {
                file: open()?,
                nocache: flags.nocache,
            },
            Kind::Fill(fill) => return Ok(Source::Fill(fill)),
            Kind::Sg | Kind::Discard => return Err(io::Error::from_raw_os_error(22)),
        };
        if flags.flock {
            match &source {
                Source::File { file, .. } | Source::Stream(file) => lock(file)?,
                Source::Fill(_) => {}
            }
        }
        Ok(source)
    }

    /// Skips `bytes` of a stream by reading them (files are read at offsets instead).
    pub fn skip_stream(&mut self, mut bytes: u64) -> io::Result<u64> {
        let r = match self {
            Source::Stream(r) => r,
            Source::File { .. } | Source::Fill(_) => return Ok(bytes),
        };
        let mut buf = vec![0u8; 65536];
        let mut skipped = 0;
        while bytes > 0 {
            let want = bytes.min(buf.len() as u64) as usize;
            let n = read_full(r, &mut buf[..want])?;
            skipped += n as u64;
            bytes -= n as u64;
            if n < want {
                break;
            }
        }
        Ok(skipped)
    }

    /// Reads up to `buf.len()` bytes at byte `offset` (ignored for a stream), fewer only at
    /// the end of the input.
    pub fn read(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::File { file, nocache } => {
                let n = read_full_at(file, buf, offset)?;
                if *nocache {
                    drop_cached(file, offset, n);
                }
                Ok(n)
            }
            Source::Stream(r) => read_full(r, buf),
            Source::Fill(fill) => {
                fill_bytes(*fill, offset, buf);
                Ok(buf.len())
            }
        }
    }
}

/// `iflag=00|ff|random`'s bytes at `offset`: the random ones are xorshift64 seeded from
/// the offset and the time of the first call, so a copy's bytes differ from run to run.
fn fill_bytes(fill: Fill, offset: u64, buf: &mut [u8]) {
    match fill {
        Fill::Zero => buf.fill(0),
        Fill::Ones => buf.fill(0xff),
        Fill::Random => {
            static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
            let seed = *SEED.get_or_init(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            });
            let mut x = (seed ^ offset.wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1;
            for chunk in buf.chunks_mut(8) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
            }
        }
    }
}

/// A non-sg output.
#[derive(Debug)]
pub enum Sink {
    /// A regular file or block device, written at offsets.
    File {
        /// The file.
        file: File,
        /// `oflag=nocache`: drop what was written from the page cache.
        nocache: bool,
        /// A block device (fsync'ed at the end, so that the sg side sees the data).
        device: bool,
        /// Written at offsets (a regular file or block device), else in order.
        positional: bool,
    },
    /// Nothing is written.
    Discard,
}

impl Sink {
    /// Opens a non-sg output, creating a regular file without truncating it (as sgm_dd
    /// does).
    pub fn open(path: &str, kind: Kind, flags: &Flags) -> io::Result<Sink> {
        use std::os::unix::fs::OpenOptionsExt;
        let (create, device, positional) = match kind {
            Kind::Std => {
                return Ok(Sink::File {
                    file: out::stdout_file()?,
                    nocache: false,
                    device: false,
                    positional: false,
                })
            }
            Kind::Discard => return Ok(Sink::Discard),
            Kind::Stream => (false, false, false),
            Kind::Regular => (true, false, true),
            Kind::Block => (false, true, true),
            Kind::Sg | Kind::Fill(_) => return Err(io::Error::from_raw_os_error(22)),
        };
        // O_APPEND writes at the end whatever the offset: the sink writes in order then.
        let positional = positional && !flags.append;
        let file = OpenOptions::new()
            .write(true)
            .read(positional)
            .create(create && !flags.nocreat)
            .append(flags.append)
            .truncate(false)
            .custom_flags(custom_flags(flags))
            .open(path)?;
        if flags.flock {
            lock(&file)?;
        }
        Ok(Sink::File {
            file,
            nocache: flags.nocache,
            device,
            positional,
        })
    }

    /// Writes `buf` at byte `offset` (a stream ignores it). On an error, the bytes that
    /// were written before it come with it (a full file system takes part of a transfer):
    /// they are on the output and count.
    pub fn write(&mut self, offset: u64, buf: &[u8]) -> Result<(), (usize, io::Error)> {
        let (file, positional, nocache) = match self {
            Sink::File {
                file,
                positional,
                nocache,
                ..
            } => (file, *positional, *nocache),
            Sink::Discard => return Ok(()),
        };
        let mut done = 0;
        while done < buf.len() {
            let r = if positional {
                file.write_at(&buf[done..], offset + done as u64)
            } else {
                file.write(&buf[done..])
            };
            match r {
                Ok(0) => return Err((done, io::Error::from(io::ErrorKind::WriteZero))),
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err((done, e)),
            }
        }
        if nocache && positional {
            let _ = file.sync_data();
            drop_cached(file, offset, done);
        }
        Ok(())
    }

    /// Flushes: stdout's buffer; a block device's page cache to the device when `sync` or
    /// always for a block device (so that a following sg read sees the data); a regular
    /// file's data when `sync`.
    pub fn finish(&mut self, sync: bool) -> io::Result<()> {
        match self {
            Sink::File { file, device, .. } => {
                if *device || sync {
                    file.sync_all()?;
                }
                Ok(())
            }
            Sink::Discard => Ok(()),
        }
    }

    /// Reads back `buf.len()` bytes at `offset` for verify=1.
    pub fn read_back(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Sink::File { file, .. } => read_full_at(file, buf, offset),
            _ => Err(io::Error::from_raw_os_error(22)),
        }
    }
}

/// The extent of a non-sg operand: a block device's size (seeking to its end, since its
/// metadata says 0), a regular file's size (0 for an output not yet created), or a stream.
pub fn extent(path: &str, kind: Kind) -> io::Result<Extent> {
    Ok(match kind {
        Kind::Block => {
            use std::io::Seek;
            let bytes = File::open(path)?.seek(io::SeekFrom::End(0))?;
            Extent::Device { bytes }
        }
        Kind::Regular => Extent::File {
            bytes: match std::fs::metadata(path) {
                Ok(m) => m.len(),
                Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
                Err(e) => return Err(e),
            },
        },
        Kind::Std | Kind::Discard | Kind::Stream | Kind::Sg | Kind::Fill(_) => Extent::Stream,
    })
}

/// Reads until `buf` is full or the input ends; EINTR is retried.
pub fn read_full(r: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Reads at `offset` until `buf` is full or the file ends.
pub fn read_full_at(f: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match f.read_at(&mut buf[got..], offset + got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Skips `skip` blocks of a stream input by reading them (a file is read at offsets
/// instead); false when the input ended first or failed: nothing is left to copy.
pub fn skip_stream(ledger: &mut Ledger<'_>, src: &mut Source, if_name: &str) -> bool {
    if ledger.plan.skip == 0 || !matches!(src, Source::Stream(_)) {
        return true;
    }
    let want = ledger.plan.skip * u64::from(ledger.plan.bs);
    match src.skip_stream(want) {
        Ok(n) if n == want => true,
        Ok(_) => false,
        Err(e) => {
            ledger.fail_io(if_name, "skip", e, None);
            false
        }
    }
}

/// After a copy bounded by the output's room: whether the input still has data, which
/// would not fit.
pub fn input_continues(ledger: &mut Ledger<'_>, src: &mut Source, if_name: &str, of_name: &str) {
    if ledger.plan.count.is_some() || ledger.stopping() || ledger.rin.partial > 0 {
        return;
    }
    let Some(room) = ledger.plan.out_room else {
        return;
    };
    let mut probe = [0u8; 1];
    let at = ledger
        .plan
        .skip
        .saturating_add(room)
        .saturating_mul(u64::from(ledger.plan.bs));
    if let Ok(1) = src.read(at, &mut probe) {
        ledger.fail(
            ExitCategory::LbaOutOfRange,
            of_name,
            format!(
                "{if_name} continues past the end of {of_name} ({room} blocks after seek={})",
                ledger.plan.seek
            ),
            Some(ledger.plan.seek + room),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn major_numbers_decode_like_libc() {
        // makedev(21, 3) and makedev(8, 0); a large minor.
        fn makedev(major: u64, minor: u64) -> u64 {
            ((major & 0xffff_f000) << 32)
                | ((major & 0xfff) << 8)
                | ((minor & 0xffff_ff00) << 12)
                | (minor & 0xff)
        }
        assert_eq!(major(makedev(21, 3)), 21);
        assert_eq!(major(makedev(8, 0)), 8);
        assert_eq!(major(makedev(259, 0x12345)), 259);
        assert_eq!(major(makedev(0x1234, 5)), 0x1234);
    }

    #[test]
    fn operands_classify() {
        assert_eq!(classify("-", false).unwrap(), Kind::Std);
        assert_eq!(classify("-", true).unwrap(), Kind::Std);
        assert_eq!(classify(".", true).unwrap(), Kind::Discard);
        assert_eq!(classify("/dev/null", true).unwrap(), Kind::Discard);
        assert_eq!(classify("/dev/null", false).unwrap(), Kind::Stream);
        let missing = "/nonexistent-sgmap/x";
        assert_eq!(classify(missing, true).unwrap(), Kind::Regular);
        assert_eq!(
            classify(missing, false).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        assert_eq!(
            classify("/", false).unwrap_err().raw_os_error(),
            Some(21),
            "a directory"
        );
        let exe = std::env::current_exe().unwrap();
        assert_eq!(
            classify(exe.to_str().unwrap(), false).unwrap(),
            Kind::Regular
        );
    }

    #[test]
    fn a_file_source_reads_at_offsets_and_ends_short() {
        let path = std::env::temp_dir().join(format!("sgmap-ends-{}", std::process::id()));
        std::fs::write(&path, (0..=255u8).collect::<Vec<_>>()).unwrap();
        let p = path.to_str().unwrap();
        let mut src = Source::open(p, Kind::Regular, &Flags::default()).unwrap();
        assert_eq!(
            extent(p, Kind::Regular).unwrap(),
            Extent::File { bytes: 256 }
        );
        assert_eq!(
            extent("/nonexistent-sgmap", Kind::Regular).unwrap(),
            Extent::File { bytes: 0 }
        );
        let mut buf = [0u8; 100];
        assert_eq!(src.read(200, &mut buf).unwrap(), 56);
        assert_eq!(buf[0], 200);
        let mut sink = Sink::open(p, Kind::Regular, &Flags::default()).unwrap();
        sink.write(1, &[9, 9]).unwrap();
        sink.finish(true).unwrap();
        let mut back = [0u8; 4];
        assert_eq!(sink.read_back(0, &mut back).unwrap(), 4);
        assert_eq!(back, [0, 9, 9, 3]);
        std::fs::remove_file(&path).unwrap();
    }
}
