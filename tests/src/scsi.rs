//! Helpers for the guest tests of sgmap-sys: CDBs, opening, test data in a region of the
//! disk, and the other paths to the same blocks (indirect SG_IO, the block device).
//!
//! Regions: each test file works on its own byte range of the device (scsi_debug stores are
//! 16 MiB, QEMU's disk 64 MiB), given as a byte offset and turned into LBAs with the phase's
//! sector size, never assuming 512.

use std::alloc::{self, Layout};
use std::ffi::c_int;
use std::ops::{Deref, DerefMut};
use std::path::Path;

use rustix::fd::OwnedFd;
use rustix::fs::{self, Mode, OFlags};
use sgmap_sys::{Command, Data, Device, Response};

use crate::Devices;

/// `TEST UNIT READY`.
pub const TEST_UNIT_READY: [u8; 6] = [0; 6];

/// `READ(10)` of `blocks` logical blocks at `lba`.
pub fn read10(lba: u32, blocks: u16) -> [u8; 10] {
    let l = lba.to_be_bytes();
    let n = blocks.to_be_bytes();
    [0x28, 0, l[0], l[1], l[2], l[3], 0, n[0], n[1], 0]
}

/// `WRITE(10)` of `blocks` logical blocks at `lba`.
pub fn write10(lba: u32, blocks: u16) -> [u8; 10] {
    let mut cdb = read10(lba, blocks);
    cdb[0] = 0x2a;
    cdb
}

/// Opens the phase's sg node with the library, or panics saying why.
pub fn open(path: &Path) -> Device {
    Device::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

/// Opens an sg node with plain system calls (`O_RDWR | O_NONBLOCK`), for the tests that show
/// what the kernel itself does.
pub fn raw_open(path: &Path) -> OwnedFd {
    let fd = fs::open(
        path,
        OFlags::RDWR | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    let st = fs::fstat(&fd).unwrap_or_else(|e| panic!("fstat {}: {e}", path.display()));
    assert_eq!(
        fs::major(st.st_rdev),
        21,
        "{} is not an sg node",
        path.display()
    );
    fd
}

/// The reserve of a raw sg fd (`SG_GET_RESERVED_SIZE`).
pub fn raw_reserve(fd: &OwnedFd) -> c_int {
    // SAFETY: `fd` is an sg node (raw_open checked its major).
    unsafe { sgmap_sys::raw::get_reserved_size(fd) }.expect("SG_GET_RESERVED_SIZE")
}

/// Asserts that a command succeeded.
pub fn expect_good(r: &Response, what: &str) {
    assert!(r.is_good(), "{what}: not good: {r:?} ({:?})", r.outcome());
    assert_eq!(r.resid, 0, "{what}: resid {r:?}");
}

/// `len` bytes of a pattern that differs for every `seed` and every offset.
pub fn pattern(seed: u32, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

/// The LBA of byte offset `offset` in this phase's sector size.
pub fn lba_of(devices: &Devices, offset: u64) -> u32 {
    assert_eq!(
        offset % u64::from(devices.sector_size),
        0,
        "offset not sector-aligned"
    );
    (offset / u64::from(devices.sector_size)) as u32
}

/// The number of blocks of `len` bytes.
pub fn blocks_of(devices: &Devices, len: usize) -> u16 {
    assert_eq!(
        len % devices.sector_size as usize,
        0,
        "length not a whole number of sectors"
    );
    (len / devices.sector_size as usize) as u16
}

/// Writes `data` at byte `offset` with indirect IO (WRITE(10) from a caller buffer).
pub fn write_indirect(devices: &Devices, dev: &mut Device, offset: u64, data: &[u8]) {
    let cdb = write10(lba_of(devices, offset), blocks_of(devices, data.len()));
    let r = dev
        .execute(&Command::new(&cdb), Data::Out(data))
        .unwrap_or_else(|e| panic!("indirect WRITE(10) at {offset}: {e}"));
    expect_good(&r, "indirect WRITE(10)");
}

/// Reads `len` bytes at byte `offset` with indirect IO (READ(10) into a caller buffer).
pub fn read_indirect(devices: &Devices, dev: &mut Device, offset: u64, len: usize) -> Vec<u8> {
    let cdb = read10(lba_of(devices, offset), blocks_of(devices, len));
    let mut buf = vec![0u8; len];
    let r = dev
        .execute(&Command::new(&cdb), Data::In(&mut buf))
        .unwrap_or_else(|e| panic!("indirect READ(10) at {offset}: {e}"));
    expect_good(&r, "indirect READ(10)");
    buf
}

/// Reads `len` bytes at byte `offset` of the block device with `O_DIRECT` (no page cache,
/// so what sg wrote is what is read).
pub fn read_block_direct(block: &Path, offset: u64, len: usize) -> Vec<u8> {
    let fd = fs::open(
        block,
        OFlags::RDONLY | OFlags::DIRECT | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .unwrap_or_else(|e| panic!("open {} O_DIRECT: {e}", block.display()));
    let mut buf = AlignedBuf::new(len);
    let mut done = 0;
    while done < len {
        let n = rustix::io::pread(&fd, &mut buf[done..], offset + done as u64)
            .unwrap_or_else(|e| panic!("pread {} O_DIRECT at {offset}: {e}", block.display()));
        assert!(
            n > 0,
            "{}: end of device at {}",
            block.display(),
            offset + done as u64
        );
        done += n;
    }
    buf.to_vec()
}

/// A zeroed, page-aligned heap buffer (for `O_DIRECT` and direct IO).
#[derive(Debug)]
pub struct AlignedBuf {
    ptr: *mut u8,
    len: usize,
}

impl AlignedBuf {
    /// `len` zero bytes aligned to 4096.
    pub fn new(len: usize) -> AlignedBuf {
        let layout = Layout::from_size_align(len.max(1), 4096).expect("layout");
        // SAFETY: the layout has a non-zero size.
        let ptr = unsafe { alloc::alloc_zeroed(layout) };
        assert!(!ptr.is_null(), "out of memory");
        AlignedBuf { ptr, len }
    }
}

impl Deref for AlignedBuf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // SAFETY: `ptr` is a live allocation of at least `len` initialized (zeroed) bytes.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

impl DerefMut for AlignedBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `deref`, and `&mut self` makes this the only reference.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl Drop for AlignedBuf {
    fn drop(&mut self) {
        let layout = Layout::from_size_align(self.len.max(1), 4096).expect("layout");
        // SAFETY: allocated in `new` with this layout.
        unsafe { alloc::dealloc(self.ptr, layout) };
    }
}

/// A TEST UNIT READY header for [`sgmap_sys::raw::sg_io`] or `write_request`, without data
/// or sense buffer, pack id 1, timeout 30 s.
pub fn raw_tur() -> sgmap_sys::sgmap_core::abi::SgIoHdr {
    let mut tur = sgmap_sys::sgmap_core::abi::SgIoHdr::new();
    tur.cmd_len = 6;
    tur.cmdp = TEST_UNIT_READY.as_ptr();
    tur.timeout = 30_000;
    tur.pack_id = 1;
    tur
}

/// The SCSI midlayer's count of commands dispatched to the device of sg node `sg`
/// (`iorequest_cnt` of its SCSI device in sysfs).
pub fn iorequest_count(sg: &Path) -> u64 {
    let name = sg.file_name().expect("sg node name").to_string_lossy();
    let path = format!("/sys/class/scsi_generic/{name}/device/iorequest_cnt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    crate::parse_sysfs_int(&text).unwrap_or_else(|| panic!("{path}: {text:?}")) as u64
}

/// Sets sg's `allow_dio` module parameter and returns a guard that restores the old value.
pub fn allow_dio(on: bool) -> AllowDio {
    const PATH: &str = "/sys/module/sg/parameters/allow_dio";
    let old = std::fs::read_to_string(PATH)
        .unwrap_or_else(|e| panic!("read {PATH}: {e}"))
        .trim()
        .to_owned();
    std::fs::write(PATH, if on { "1" } else { "0" })
        .unwrap_or_else(|e| panic!("write {PATH}: {e}"));
    AllowDio { old }
}

/// sg's `allow_dio` as it was, restored on drop.
#[derive(Debug)]
pub struct AllowDio {
    old: String,
}

impl Drop for AllowDio {
    fn drop(&mut self) {
        if let Err(e) = std::fs::write("/sys/module/sg/parameters/allow_dio", &self.old) {
            eprintln!("restore allow_dio: {e}");
        }
    }
}

/// Runs `f` with scsi_debug answering each command after `delay_jiffies` (`delay`, global
/// to the driver), and returns how many commands the SCSI midlayer dispatched to the device
/// of `sg` meanwhile. The old delay comes back afterwards, once no command is queued (the
/// driver refuses a new delay while one is).
pub fn count_commands(devices: &Devices, sg: &Path, delay_jiffies: u32, f: impl FnOnce()) -> u64 {
    let sdebug = devices.scsi_debug();
    let old = sdebug.param("delay");
    let before = iorequest_count(sg);
    set_delay(sdebug, &delay_jiffies.to_string());
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    set_delay(sdebug, &old);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
    iorequest_count(sg) - before
}

/// Writes scsi_debug's `delay`, again and again while the driver answers `EBUSY` (it does
/// while any command is queued: the sd driver probing a new device, a test's last command),
/// for up to a minute.
///
/// # Panics
///
/// When the write still fails after that.
pub fn set_delay(sdebug: &crate::ScsiDebug, value: &str) {
    let path = sdebug.dir().join("delay");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        match std::fs::write(&path, value) {
            Ok(()) => return,
            Err(e) if std::time::Instant::now() > deadline => {
                panic!("write {value:?} to {}: {e}", path.display())
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    }
}

fn sg_nodes() -> std::collections::BTreeSet<String> {
    std::fs::read_dir("/sys/class/scsi_generic")
        .expect("/sys/class/scsi_generic")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

/// A scsi_debug host added for this test, removed (with whatever is left of it) on drop.
#[derive(Debug)]
pub struct AddedHost<'a>(&'a crate::ScsiDebug);

impl Drop for AddedHost<'_> {
    fn drop(&mut self) {
        // A negative add_host removes the most recently added host.
        if let Err(e) = std::fs::write(self.0.dir().join("add_host"), "-1") {
            eprintln!("remove the added scsi_debug host: {e}");
        }
    }
}

/// Adds a host and returns its sg node once udev-less devtmpfs shows it.
pub fn add_device(sdebug: &crate::ScsiDebug) -> (AddedHost<'_>, String, std::path::PathBuf) {
    let before = sg_nodes();
    sdebug.set_param("add_host", 1);
    let host = AddedHost(sdebug);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let new: Vec<String> = sg_nodes().difference(&before).cloned().collect();
        if let [name] = new.as_slice() {
            let dev = std::path::Path::new("/dev").join(name);
            if dev.exists() {
                return (host, name.clone(), dev);
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no new sg node after add_host=1 (new: {new:?})"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
