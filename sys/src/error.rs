//! The one error type of this crate: what failed, on what, and what the kernel (or the
//! accounting) said.

use core::fmt;

use rustix::io::Errno;
use sgmap_core::accounting::Refusal;
use sgmap_core::status::ExitCategory;

/// What kind of failure an [`Error`] is, for a caller to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The path does not exist (`ENOENT`).
    NotFound,
    /// The path is not an sg node (a regular file, a directory, a block device, a character
    /// device of another driver) or its driver is older than sg 3.0.
    NotSgDevice,
    /// `EACCES` or `EPERM`.
    PermissionDenied,
    /// `EBUSY` or `EDOM`: the reserve or the file's request queue is in use.
    Busy,
    /// `EAGAIN`: nothing has finished yet (a `read()` on a file made `O_NONBLOCK`).
    WouldBlock,
    /// The accounting (or this crate) refused the operation before any system call; see
    /// [`Error::refusal`].
    Refused,
    /// `EINTR`: a signal handler ran while [`Device::collect`](crate::Device::collect)
    /// waited. Nothing was collected and nothing was lost: the request is still in flight,
    /// and collecting again is right (as for [`std::io::ErrorKind::Interrupted`]).
    Interrupted,
    /// The command was handed to the kernel, and whether or how it ended cannot be known: it
    /// may have reached the device, and may still be running. The request is never collected
    /// and the file refuses further use of its reserve: open the device again, and find out
    /// from the device what happened. Never mapped to `std::io::ErrorKind::Interrupted`.
    OutcomeUnknown,
    /// `ENODEV` or `ENXIO`: the device is gone or being removed.
    DeviceGone,
    /// A wait passed its bound (the command's timeout and a margin) without a response.
    TimedOut,
    /// Any other errno.
    Os,
}

/// What a path turned out to be, when it is not an sg node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileKind {
    /// A regular file.
    Regular,
    /// A directory.
    Directory,
    /// A named pipe.
    Fifo,
    /// A socket.
    Socket,
    /// A character device of another driver.
    Char {
        /// Major number.
        major: u32,
        /// Minor number.
        minor: u32,
    },
    /// A block device.
    Block {
        /// Major number.
        major: u32,
        /// Minor number.
        minor: u32,
        /// The `N` of its `/dev/sgN`, when sysfs links one to it (or to its disk).
        sg: Option<u32>,
    },
    /// Anything else.
    Unknown,
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            FileKind::Regular => f.write_str("a regular file, not an sg device"),
            FileKind::Directory => f.write_str("a directory, not an sg device"),
            FileKind::Fifo => f.write_str("a named pipe, not an sg device"),
            FileKind::Socket => f.write_str("a socket, not an sg device"),
            FileKind::Char { major, minor } => write!(
                f,
                "character device {major}:{minor}, not an sg device (sg is major {})",
                sgmap_core::abi::SG_MAJOR
            ),
            FileKind::Block {
                major,
                minor,
                sg: Some(n),
            } => write!(
                f,
                "a block device ({major}:{minor}), not an sg device; its sg node is /dev/sg{n}"
            ),
            FileKind::Block {
                major,
                minor,
                sg: None,
            } => write!(
                f,
                "a block device ({major}:{minor}), not an sg device; sysfs links no sg node to it"
            ),
            FileKind::Unknown => f.write_str("not an sg device"),
        }
    }
}

/// The operation that failed, with what it was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Open,
    Ioctl(&'static str),
    SetReserve(u64),
    Mmap(u64),
    Access,
    Execute(u8),
    Submit(u8),
    Collect(Option<i32>),
    Poll,
    Wait(i32),
    Close,
    #[cfg(feature = "std")]
    Queue(&'static str),
}

impl Op {
    fn name(&self) -> &'static str {
        match self {
            Op::Open => "open",
            Op::Ioctl(name) => name,
            Op::SetReserve(_) => "SG_SET_RESERVED_SIZE",
            Op::Mmap(_) => "mmap",
            Op::Access => "access to the mapped reserve",
            Op::Execute(_) => "command",
            Op::Submit(_) => "write",
            Op::Collect(_) => "read",
            Op::Poll => "poll",
            Op::Wait(_) => "wait",
            Op::Close => "close",
            #[cfg(feature = "std")]
            Op::Queue(what) => what,
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Op::SetReserve(n) => write!(f, "SG_SET_RESERVED_SIZE {n}"),
            Op::Mmap(n) => write!(f, "mmap {n} bytes"),
            Op::Execute(opcode) => write!(f, "command (opcode {opcode:#04x})"),
            Op::Submit(opcode) => write!(f, "write (opcode {opcode:#04x})"),
            Op::Collect(Some(id)) => write!(f, "read (pack id {id})"),
            Op::Collect(None) => f.write_str("read"),
            Op::Wait(id) => write!(f, "wait (pack id {id})"),
            other => f.write_str(other.name()),
        }
    }
}

/// More about a failure, for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detail {
    None,
    NotSg(FileKind),
    OldDriver(i32),
    Replaced,
    Reserve(u32),
    Text(&'static str),
}

/// The name of a device in messages: the path as given.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Name {
    #[cfg(feature = "std")]
    text: std::sync::Arc<str>,
    #[cfg(not(feature = "std"))]
    buf: [u8; Name::CAP],
    #[cfg(not(feature = "std"))]
    len: u8,
}

impl Name {
    #[cfg(not(feature = "std"))]
    const CAP: usize = 31;

    /// The name of the path `bytes` (lossy: invalid UTF-8 ends it; in `no_std`, so does the
    /// 31st byte).
    pub(crate) fn new(bytes: &[u8]) -> Name {
        let text = match core::str::from_utf8(bytes) {
            Ok(s) => s,
            // The prefix up to the first invalid byte is valid UTF-8.
            Err(e) => core::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("sg"),
        };
        #[cfg(feature = "std")]
        {
            Name {
                text: std::sync::Arc::from(text),
            }
        }
        #[cfg(not(feature = "std"))]
        {
            let mut end = text.len().min(Self::CAP);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let mut buf = [0u8; Self::CAP];
            buf[..end].copy_from_slice(&text.as_bytes()[..end]);
            Name {
                buf,
                len: end as u8,
            }
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        #[cfg(feature = "std")]
        {
            &self.text
        }
        #[cfg(not(feature = "std"))]
        {
            core::str::from_utf8(&self.buf[..usize::from(self.len)]).unwrap_or("sg")
        }
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// An error of this crate: what failed, on what, what the kernel or the accounting said.
///
/// Its [`Display`](fmt::Display) reads like `"/dev/sg3: mmap 1048576 bytes: ENOMEM (reserve
/// is 524288 bytes)"` or `"/dev/sda: open: a block device (8:0), not an sg device; its sg
/// node is /dev/sg1"`.
#[derive(Clone)]
pub struct Error {
    kind: ErrorKind,
    op: Op,
    name: Name,
    errno: Option<Errno>,
    refusal: Option<Refusal>,
    detail: Detail,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, op: Op, name: &Name) -> Error {
        Error {
            kind,
            op,
            name: name.clone(),
            errno: None,
            refusal: None,
            detail: Detail::None,
        }
    }

    /// The kernel answered `errno`.
    pub(crate) fn os(op: Op, name: &Name, errno: Errno) -> Error {
        let mut e = Error::new(kind_of(errno), op, name);
        e.errno = Some(errno);
        e
    }

    /// The accounting refused before any system call.
    pub(crate) fn refused(op: Op, name: &Name, refusal: Refusal) -> Error {
        let mut e = Error::new(ErrorKind::Refused, op, name);
        e.refusal = Some(refusal);
        e
    }

    /// The same failure, with the outcome of the command it concerns unknown.
    pub(crate) fn outcome_unknown(mut self) -> Error {
        self.kind = ErrorKind::OutcomeUnknown;
        self
    }

    pub(crate) fn with(mut self, detail: Detail) -> Error {
        self.detail = detail;
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The errno the kernel answered, if a system call failed, as rustix's [`Errno`] (also
    /// re-exported as [`crate::Errno`]): match it against `Errno::NOMEM`, `Errno::BUSY`, …
    ///
    /// [`raw_os_error`](Error::raw_os_error) gives the same errno as a plain number.
    pub fn errno(&self) -> Option<Errno> {
        self.errno
    }

    /// The errno the kernel answered, if a system call failed, as the plain Linux number
    /// (`12` for `ENOMEM`), as `std::io::Error::raw_os_error` gives it: for a caller that
    /// keeps rustix out of its own code, or logs the number. [`errno_name`] and
    /// [`errno_text`] name it.
    pub fn raw_os_error(&self) -> Option<i32> {
        self.errno.map(Errno::raw_os_error)
    }

    /// The accounting's refusal, if the operation was refused before any system call.
    pub fn refusal(&self) -> Option<Refusal> {
        self.refusal
    }

    /// The path the failure concerns, as given to `open`.
    pub fn path(&self) -> &str {
        self.name.as_str()
    }

    /// The operation that failed: `"open"`, `"mmap"`, `"SG_IO"`, `"write"`, `"read"`, an
    /// ioctl's name, …
    pub fn operation(&self) -> &'static str {
        self.op.name()
    }

    /// What a path that is not an sg node turned out to be.
    pub fn file_kind(&self) -> Option<FileKind> {
        match self.detail {
            Detail::NotSg(kind) => Some(kind),
            _ => None,
        }
    }

    /// The sg3_utils exit category: 15 (file error) for a path that cannot be used, the
    /// refusal's category (50 + errno where the kernel would have said it), 50 + errno for
    /// the kernel's errors, 33 for a wait that timed out, 99 otherwise.
    pub fn category(&self) -> ExitCategory {
        match self.kind {
            ErrorKind::NotFound | ErrorKind::NotSgDevice | ErrorKind::PermissionDenied => {
                ExitCategory::FileError
            }
            ErrorKind::Refused => match self.refusal {
                Some(r) => r.category(),
                None => ExitCategory::Other,
            },
            ErrorKind::TimedOut => ExitCategory::Timeout,
            ErrorKind::Interrupted | ErrorKind::OutcomeUnknown => ExitCategory::Other,
            _ => match self.errno {
                Some(e) => ExitCategory::OsError(e.raw_os_error() as u16),
                None => ExitCategory::Other,
            },
        }
    }
}

/// The kind of an errno.
fn kind_of(errno: Errno) -> ErrorKind {
    match errno {
        Errno::NOENT => ErrorKind::NotFound,
        Errno::ACCESS | Errno::PERM => ErrorKind::PermissionDenied,
        Errno::BUSY | Errno::DOM => ErrorKind::Busy,
        Errno::AGAIN => ErrorKind::WouldBlock,
        Errno::INTR => ErrorKind::Interrupted,
        Errno::NODEV | Errno::NXIO => ErrorKind::DeviceGone,
        _ => ErrorKind::Os,
    }
}

/// Linux errnos 1..=40 and a few beyond: the symbolic name and the text glibc's
/// `strerror()` gives (what sg3_utils prints on Debian). The numbers are the target's own,
/// rustix's constants: MIPS and SPARC number many of them apart from x86 and ARM (`ENOSYS`
/// is 38 on x86, 89 on MIPS, 90 on SPARC).
const ERRNOS: &[(Errno, &str, &str)] = &[
    (Errno::PERM, "EPERM", "Operation not permitted"),
    (Errno::NOENT, "ENOENT", "No such file or directory"),
    (Errno::SRCH, "ESRCH", "No such process"),
    (Errno::INTR, "EINTR", "Interrupted system call"),
    (Errno::IO, "EIO", "Input/output error"),
    (Errno::NXIO, "ENXIO", "No such device or address"),
    (Errno::TOOBIG, "E2BIG", "Argument list too long"),
    (Errno::NOEXEC, "ENOEXEC", "Exec format error"),
    (Errno::BADF, "EBADF", "Bad file descriptor"),
    (Errno::CHILD, "ECHILD", "No child processes"),
    (Errno::AGAIN, "EAGAIN", "Resource temporarily unavailable"),
    (Errno::NOMEM, "ENOMEM", "Cannot allocate memory"),
    (Errno::ACCESS, "EACCES", "Permission denied"),
    (Errno::FAULT, "EFAULT", "Bad address"),
    (Errno::NOTBLK, "ENOTBLK", "Block device required"),
    (Errno::BUSY, "EBUSY", "Device or resource busy"),
    (Errno::EXIST, "EEXIST", "File exists"),
    (Errno::XDEV, "EXDEV", "Invalid cross-device link"),
    (Errno::NODEV, "ENODEV", "No such device"),
    (Errno::NOTDIR, "ENOTDIR", "Not a directory"),
    (Errno::ISDIR, "EISDIR", "Is a directory"),
    (Errno::INVAL, "EINVAL", "Invalid argument"),
    (Errno::NFILE, "ENFILE", "Too many open files in system"),
    (Errno::MFILE, "EMFILE", "Too many open files"),
    (Errno::NOTTY, "ENOTTY", "Inappropriate ioctl for device"),
    (Errno::TXTBSY, "ETXTBSY", "Text file busy"),
    (Errno::FBIG, "EFBIG", "File too large"),
    (Errno::NOSPC, "ENOSPC", "No space left on device"),
    (Errno::SPIPE, "ESPIPE", "Illegal seek"),
    (Errno::ROFS, "EROFS", "Read-only file system"),
    (Errno::MLINK, "EMLINK", "Too many links"),
    (Errno::PIPE, "EPIPE", "Broken pipe"),
    (Errno::DOM, "EDOM", "Numerical argument out of domain"),
    (Errno::RANGE, "ERANGE", "Numerical result out of range"),
    (Errno::DEADLK, "EDEADLK", "Resource deadlock avoided"),
    (Errno::NAMETOOLONG, "ENAMETOOLONG", "File name too long"),
    (Errno::NOLCK, "ENOLCK", "No locks available"),
    (Errno::NOSYS, "ENOSYS", "Function not implemented"),
    (Errno::NOTEMPTY, "ENOTEMPTY", "Directory not empty"),
    (Errno::LOOP, "ELOOP", "Too many levels of symbolic links"),
    (Errno::NODATA, "ENODATA", "No data available"),
    (
        Errno::OVERFLOW,
        "EOVERFLOW",
        "Value too large for defined data type",
    ),
    (Errno::MSGSIZE, "EMSGSIZE", "Message too long"),
    (Errno::OPNOTSUPP, "EOPNOTSUPP", "Operation not supported"),
    (Errno::TIMEDOUT, "ETIMEDOUT", "Connection timed out"),
    (Errno::DQUOT, "EDQUOT", "Disk quota exceeded"),
];

/// The symbolic name of a Linux errno (`"EACCES"`), if it is one of the common ones.
pub fn errno_name(errno: i32) -> Option<&'static str> {
    ERRNOS
        .iter()
        .find(|e| e.0.raw_os_error() == errno)
        .map(|e| e.1)
}

/// glibc's `strerror()` text for a Linux errno (`"Permission denied"`), if it is one of the
/// common ones: what sg3_utils prints, so that sgmap reads the same.
pub fn errno_text(errno: i32) -> Option<&'static str> {
    ERRNOS
        .iter()
        .find(|e| e.0.raw_os_error() == errno)
        .map(|e| e.2)
}

impl fmt::Display for Error {
    /// `PATH: OPERATION: WHY`. An errno reads as the system's text with its symbol beside it,
    /// and what else is known joins the symbol: `Cannot allocate memory (ENOMEM; reserve is
    /// 524288 bytes)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: ", self.name.as_str(), self.op)?;
        let extra: Option<&dyn fmt::Display> = match &self.detail {
            Detail::Reserve(reserve) => Some(reserve as &dyn fmt::Display),
            Detail::Text(text) => Some(text as &dyn fmt::Display),
            _ => None,
        };
        if let Some(refusal) = self.refusal {
            write!(f, "{refusal}")?;
            return match (&self.detail, extra) {
                (Detail::Reserve(r), _) => write!(f, " (reserve is {r} bytes)"),
                (_, Some(text)) => write!(f, " ({text})"),
                _ => Ok(()),
            };
        }
        if let Some(errno) = self.errno {
            let n = errno.raw_os_error();
            let text = errno_text(n);
            let name = errno_name(n);
            match text {
                Some(t) => f.write_str(t)?,
                None => write!(f, "errno {n}")?,
            }
            let mut parts = 0;
            let mut part = |f: &mut fmt::Formatter<'_>, p: &dyn fmt::Display| {
                let sep = if parts == 0 { " (" } else { "; " };
                parts += 1;
                write!(f, "{sep}{p}")
            };
            if let (Some(_), Some(name)) = (text, name) {
                part(f, &name)?;
            }
            match &self.detail {
                Detail::Reserve(r) => part(f, &format_args!("reserve is {r} bytes"))?,
                Detail::Text(t) => part(f, t)?,
                _ => {}
            }
            if parts > 0 {
                f.write_str(")")?;
            }
            return Ok(());
        }
        match self.detail {
            Detail::None => Ok(()),
            Detail::NotSg(kind) => write!(f, "{kind}"),
            Detail::OldDriver(version) => write!(
                f,
                "sg driver version {version} is older than 3.0 ({})",
                sgmap_core::abi::SG_MIN_VERSION
            ),
            Detail::Replaced => f.write_str("the node changed between stat and open"),
            Detail::Reserve(reserve) => write!(f, "reserve is {reserve} bytes"),
            Detail::Text(text) => f.write_str(text),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("path", &self.name)
            .field("op", &self.op)
            .field("errno", &self.errno.map(|e| e.raw_os_error()))
            .field("refusal", &self.refusal)
            .field("message", &format_args!("{self}"))
            .finish()
    }
}

/// With and without `std` (`std::error::Error` is this trait). The source is what the
/// message already tells: the accounting's [`Refusal`], or the kernel's [`Errno`] (with
/// `std` only: rustix makes its `Errno` an error there).
impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        if let Some(refusal) = &self.refusal {
            return Some(refusal);
        }
        #[cfg(feature = "std")]
        if let Some(errno) = &self.errno {
            return Some(errno);
        }
        None
    }
}

/// The kind maps to the nearest [`std::io::ErrorKind`]; the `Error` itself is kept as the
/// inner error, with its errno.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl From<Error> for std::io::Error {
    fn from(e: Error) -> std::io::Error {
        let kind = match e.kind {
            ErrorKind::NotFound => std::io::ErrorKind::NotFound,
            ErrorKind::PermissionDenied => std::io::ErrorKind::PermissionDenied,
            ErrorKind::WouldBlock => std::io::ErrorKind::WouldBlock,
            ErrorKind::Interrupted => std::io::ErrorKind::Interrupted,
            ErrorKind::TimedOut => std::io::ErrorKind::TimedOut,
            ErrorKind::Busy => std::io::ErrorKind::ResourceBusy,
            _ => std::io::ErrorKind::Other,
        };
        std::io::Error::new(kind, e)
    }
}

#[cfg(test)]
mod tests {
    use core::error::Error as _;

    use super::*;

    #[test]
    fn errno_names_and_texts_are_found_by_the_targets_numbers() {
        for &(errno, name, text) in ERRNOS {
            let n = errno.raw_os_error();
            assert_eq!(errno_name(n), Some(name), "{n}");
            assert_eq!(errno_text(n), Some(text), "{n}");
        }
        assert_eq!(errno_name(0), None);
        assert_eq!(errno_text(4095), None);
    }

    /// The host's own C library (glibc, on the Debian hosts this runs on) numbers and names
    /// errnos for the architecture it runs on: each entry's text is what it says for that
    /// entry's number.
    #[cfg(all(feature = "std", target_env = "gnu"))]
    #[test]
    fn errno_texts_are_glibcs_strerror_of_the_same_numbers() {
        for &(errno, name, text) in ERRNOS {
            let n = errno.raw_os_error();
            let io = std::io::Error::from_raw_os_error(n).to_string();
            assert_eq!(io, std::format!("{text} (os error {n})"), "{name}");
        }
    }

    #[test]
    fn the_source_is_the_refusal_or_with_std_the_errno() {
        let name = Name::new(b"/dev/sg1");
        let busy = Refusal::ReserveBusy { holder: 4 };
        let e = Error::refused(Op::Submit(0x28), &name, busy);
        let source = e.source().and_then(|s| s.downcast_ref::<Refusal>());
        assert_eq!(source, Some(&busy));
        let e = Error::os(Op::Mmap(4096), &name, Errno::NOMEM);
        #[cfg(feature = "std")]
        assert_eq!(
            e.source().and_then(|s| s.downcast_ref::<Errno>()),
            Some(&Errno::NOMEM)
        );
        #[cfg(not(feature = "std"))]
        assert!(e.source().is_none());
        let e = Error::new(ErrorKind::NotFound, Op::Open, &name);
        assert!(e.source().is_none());
    }
}
