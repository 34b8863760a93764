//! A writer of "newc" cpio archives (magic `070701`), the format the kernel unpacks as an
//! initramfs (Documentation/driver-api/early-userspace/buffer-format.rst).
//!
//! Each entry is a 110-byte ASCII header (the magic, then 13 fields of 8 hex digits), the
//! NUL-terminated name, padding to 4 bytes, the data, padding to 4 bytes. The archive ends
//! with an entry named `TRAILER!!!`. Times and owners are zero, so the same inputs give the
//! same bytes.

use std::collections::BTreeSet;
use std::io::{self, Write};

const MAGIC: &[u8; 6] = b"070701";
const TRAILER: &str = "TRAILER!!!";

const S_IFDIR: u32 = 0o040000;
const S_IFREG: u32 = 0o100000;
const S_IFCHR: u32 = 0o020000;

/// Writes a newc archive to `W`. Paths are relative to the archive root (a leading `/` is
/// dropped); missing parent directories are added with mode 0755.
#[derive(Debug)]
pub struct Writer<W: Write> {
    out: W,
    next_ino: u32,
    written: u64,
    dirs: BTreeSet<String>,
}

/// The fields of one header that vary here.
struct Header<'a> {
    name: &'a str,
    mode: u32,
    nlink: u32,
    size: u32,
    rdev: (u32, u32),
}

impl<W: Write> Writer<W> {
    pub fn new(out: W) -> Writer<W> {
        Writer {
            out,
            next_ino: 1,
            written: 0,
            dirs: BTreeSet::new(),
        }
    }

    /// A directory, and its missing parents.
    pub fn dir(&mut self, path: &str, mode: u32) -> io::Result<()> {
        let path = normalize(path)?;
        self.parents(path)?;
        self.dir_entry(path, mode)
    }

    /// A regular file holding `data`.
    pub fn file(&mut self, path: &str, mode: u32, data: &[u8]) -> io::Result<()> {
        let path = normalize(path)?;
        let size = u32::try_from(data.len())
            .map_err(|_| invalid(format!("{path}: {} bytes is over 4 GiB", data.len())))?;
        self.parents(path)?;
        self.header(&Header {
            name: path,
            mode: S_IFREG | (mode & 0o7777),
            nlink: 1,
            size,
            rdev: (0, 0),
        })?;
        self.write_padded(data)
    }

    /// A character device node.
    pub fn char_device(&mut self, path: &str, mode: u32, major: u32, minor: u32) -> io::Result<()> {
        let path = normalize(path)?;
        self.parents(path)?;
        self.header(&Header {
            name: path,
            mode: S_IFCHR | (mode & 0o7777),
            nlink: 1,
            size: 0,
            rdev: (major, minor),
        })
    }

    /// Writes the trailer and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.header(&Header {
            name: TRAILER,
            mode: 0,
            nlink: 1,
            size: 0,
            rdev: (0, 0),
        })?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn parents(&mut self, path: &str) -> io::Result<()> {
        let mut end = 0;
        while let Some(slash) = path[end..].find('/') {
            end += slash;
            if !self.dirs.contains(&path[..end]) {
                self.dir_entry(&path[..end], 0o755)?;
            }
            end += 1;
        }
        Ok(())
    }

    fn dir_entry(&mut self, path: &str, mode: u32) -> io::Result<()> {
        if !self.dirs.insert(path.to_owned()) {
            return Ok(());
        }
        self.header(&Header {
            name: path,
            mode: S_IFDIR | (mode & 0o7777),
            nlink: 2,
            size: 0,
            rdev: (0, 0),
        })
    }

    fn header(&mut self, h: &Header<'_>) -> io::Result<()> {
        let ino = if h.name == TRAILER { 0 } else { self.next_ino };
        self.next_ino += 1;
        let namesize = u32::try_from(h.name.len() + 1).map_err(|_| invalid("name too long"))?;
        let (uid, gid, mtime, devmajor, devminor, check) = (0, 0, 0, 0, 0, 0);
        let fields = [
            ino, h.mode, uid, gid, h.nlink, mtime, h.size, devmajor, devminor, h.rdev.0, h.rdev.1,
            namesize, check,
        ];
        let mut header = Vec::with_capacity(110 + h.name.len() + 4);
        header.extend_from_slice(MAGIC);
        for field in fields {
            header.extend_from_slice(format!("{field:08x}").as_bytes());
        }
        header.extend_from_slice(h.name.as_bytes());
        header.push(0);
        self.write_padded(&header)
    }

    fn write_padded(&mut self, data: &[u8]) -> io::Result<()> {
        self.out.write_all(data)?;
        self.written += data.len() as u64;
        let pad = (4 - (self.written % 4) as usize) % 4;
        self.out.write_all(&[0; 3][..pad])?;
        self.written += pad as u64;
        Ok(())
    }
}

fn normalize(path: &str) -> io::Result<&str> {
    let path = path.trim_start_matches('/').trim_end_matches('/');
    if path.is_empty()
        || path
            .split('/')
            .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return Err(invalid(format!("bad archive path {path:?}")));
    }
    Ok(path)
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message.into())
}

#[cfg(test)]
mod tests {
    use super::Writer;

    fn header(ino: u32, mode: u32, nlink: u32, size: u32, rdev: (u32, u32), name: &str) -> String {
        format!(
            "070701{ino:08x}{mode:08x}{:08x}{:08x}{nlink:08x}{:08x}{size:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{name}\0",
            0, 0, 0, 0, 0, rdev.0, rdev.1, name.len() + 1, 0
        )
    }

    #[test]
    fn archive_bytes_match_the_newc_layout() {
        let mut w = Writer::new(Vec::new());
        w.file("/bin/x", 0o755, b"hello").unwrap();
        w.char_device("dev/console", 0o600, 5, 1).unwrap();
        let bytes = w.finish().unwrap();

        let mut expected = String::new();
        // "bin": 110 + 4 = 114 bytes, padded to 116.
        expected += &header(1, 0o040755, 2, 0, (0, 0), "bin");
        expected += "\0\0";
        // "bin/x": 110 + 6 = 116; the data 5 bytes, padded to 8.
        expected += &header(2, 0o100755, 1, 5, (0, 0), "bin/x");
        expected += "hello\0\0\0";
        // "dev": 114, padded to 116.
        expected += &header(3, 0o040755, 2, 0, (0, 0), "dev");
        expected += "\0\0";
        // "dev/console": 110 + 12 = 122, padded to 124.
        expected += &header(4, 0o020600, 1, 0, (5, 1), "dev/console");
        expected += "\0\0";
        // The trailer: 110 + 11 = 121, padded to 124.
        expected += &header(0, 0, 1, 0, (0, 0), "TRAILER!!!");
        expected += "\0\0\0";
        assert_eq!(String::from_utf8(bytes).unwrap(), expected);
    }

    #[test]
    fn directories_are_written_once() {
        let mut w = Writer::new(Vec::new());
        w.dir("a/b", 0o755).unwrap();
        w.dir("a", 0o700).unwrap();
        w.file("a/b/c", 0o644, b"").unwrap();
        let bytes = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(bytes.matches("070701").count(), 4, "a, a/b, a/b/c, trailer");
        assert_eq!(bytes.len() % 4, 0);
    }

    #[test]
    fn bad_paths_are_refused() {
        let mut w = Writer::new(Vec::new());
        for bad in ["", "/", "a/../b", "a//b", "./a"] {
            assert!(w.file(bad, 0o644, b"").is_err(), "{bad:?} accepted");
        }
    }
}
