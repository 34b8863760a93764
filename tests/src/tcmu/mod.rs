//! A scripted SCSI target in the guest, through the kernel's own target stack: LIO's
//! userspace backstore (TCMU, `target_core_user`) exported by its loopback fabric
//! (`tcm_loop`).
//!
//! The guest then has a real SCSI host (`tcm_loop`) with a real disk on it, found by the
//! SCSI mid-layer's scan, probed by sd, and a real `/dev/sgN` under the real sg driver.
//! Every command sent to it goes initiator → sg → SCSI mid-layer → tcm_loop → target core
//! → TCMU's command ring, mapped here from `/dev/uioN`, where a [`Handler`] written by the
//! test answers it: status, sense, data-in. This is the path tcmu-runner serves in
//! production, not a fake file descriptor. The target core passes every command through
//! (`passthrough_parse_cdb`) except the few it emulates itself: REPORT LUNS, and the
//! reservations (PERSISTENT RESERVE IN/OUT, RESERVE, RELEASE); those never reach the
//! handler.
//!
//! [`Target::new`] builds it in configfs (the guest init mounts configfs and loads
//! `target_core_user` and `tcm_loop`):
//!
//! 1. `target/core/user_N/NAME`: `control` (`dev_config`, `dev_size`, `hw_block_size`,
//!    `max_data_area_mb`), `enable`; the kernel registers a uio device named
//!    `tcm-user/N/NAME/dev_config`, whose map 0 this side maps ([`ring`]);
//! 2. `target/loopback/naa.W/tpgt_1` with its `nexus`, then `lun/lun_0` linked to the
//!    backstore: tcm_loop adds the SCSI device (the address in `tpgt_1/address`);
//! 3. waits for the device's sg node, and for sd's probe to end (no command for a while),
//!    then clears the record.
//!
//! A thread serves the ring from then on: it records every command (CDB and data-out
//! bytes, [`Target::commands`]) and passes it to the handler. Dropping the [`Target`]
//! undoes it all in the reverse order (the LUN link, which removes the SCSI device while
//! the thread still answers, the LUN, the TPG and its nexus, the WWN, then the thread, the
//! mapping, the uio node, the backstore and its HBA): nothing is left, and a second target
//! can be made after.
//!
//! [`Disk`] is the default handler: a RAM disk with a scriptable "operation in progress"
//! (FORMAT UNIT, SANITIZE) that reports its progress as sg3_utils and SPC-5 expect.

pub mod disk;
pub mod ring;

use std::fs;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rustix::event::{poll, PollFd, PollFlags, Timespec};
use rustix::fs::{Mode, OFlags};
use rustix::mm::{mmap, munmap, MapFlags, ProtFlags};

pub use disk::{Disk, Operation, Protection};
use ring::Mapping;

/// Where configfs shows the target core.
pub const TARGET_CONFIGFS: &str = "/sys/kernel/config/target";

/// What a handler answers to one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// SCSI status: 0 GOOD, 2 CHECK CONDITION, 8 BUSY, …
    pub status: u8,
    /// Sense data with CHECK CONDITION (at most 96 bytes reach the initiator).
    pub sense: Vec<u8>,
    /// Data-in; shorter than the initiator's buffer means a residual.
    pub data_in: Vec<u8>,
}

impl Reply {
    /// GOOD, no data.
    pub fn good() -> Reply {
        Reply {
            status: disk::GOOD,
            sense: Vec::new(),
            data_in: Vec::new(),
        }
    }

    /// GOOD with data-in.
    pub fn data(data_in: Vec<u8>) -> Reply {
        Reply {
            data_in,
            ..Reply::good()
        }
    }

    /// CHECK CONDITION with this sense data.
    pub fn check(sense: Vec<u8>) -> Reply {
        Reply {
            status: disk::CHECK_CONDITION,
            sense,
            data_in: Vec::new(),
        }
    }
}

/// Answers the target's commands, one at a time, in the order they arrive.
pub trait Handler: Send + 'static {
    /// `cdb`; `data_out`, the initiator's bytes for a data-out command (else empty);
    /// `data_in_len`, the size of the initiator's buffer (the data-in the reply may fill).
    fn handle(&mut self, cdb: &[u8], data_out: &[u8], data_in_len: usize) -> Reply;
}

impl<F> Handler for F
where
    F: FnMut(&[u8], &[u8], usize) -> Reply + Send + 'static,
{
    fn handle(&mut self, cdb: &[u8], data_out: &[u8], data_in_len: usize) -> Reply {
        self(cdb, data_out, data_in_len)
    }
}

/// One recorded command: its CDB and its data-out bytes (empty for other commands).
pub type Recorded = (Vec<u8>, Vec<u8>);

/// The default size of [`Target::with_progress`]'s disk: 2048 blocks of 512 bytes.
pub const DEFAULT_BLOCKS: u64 = 2048;
pub const DEFAULT_BLOCK_SIZE: u32 = 512;

/// How long the target may take to show up, and sd's probe to settle.
const APPEAR_WAIT: Duration = Duration::from_secs(60);
/// sd's probe is over when the target has seen no command for this long.
const SETTLE_QUIET: Duration = Duration::from_millis(700);
/// ... or this long when sd reads no partition table (a block length sd does not take, such
/// as 520, leaves the disk at zero blocks).
const SETTLE_QUIET_UNREAD: Duration = Duration::from_secs(5);
/// How often the server looks at the ring without a notification.
const SERVE_POLL_MS: i32 = 20;

/// Whether this kernel has the target stack: configfs mounted with the target core, and
/// the TCMU backstore and loopback fabric loaded (the guest init loads them).
pub fn available() -> bool {
    Path::new(TARGET_CONFIGFS).join("core").is_dir()
        && Path::new("/sys/module/target_core_user").exists()
        && Path::new("/sys/module/tcm_loop").exists()
}

/// A TCMU disk exported through tcm_loop; see the module documentation.
#[derive(Debug)]
pub struct Target {
    name: String,
    /// `target/core/user_N`.
    hba: PathBuf,
    /// `target/core/user_N/NAME`.
    backstore: Option<PathBuf>,
    /// `target/loopback/naa.W`.
    wwn: Option<PathBuf>,
    tpg: Option<PathBuf>,
    lun: Option<PathBuf>,
    link: Option<PathBuf>,
    server: Option<Server>,
    record: Arc<Mutex<Vec<Recorded>>>,
    disk: Option<Disk>,
    hctl: String,
    sg: PathBuf,
    block: Option<PathBuf>,
}

#[derive(Debug)]
struct Server {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Vec<String>>>,
    /// Commands served (answered) so far.
    served: Arc<AtomicU32>,
    /// Unmapped and closed when the server is dropped, after [`Server::stop`].
    _map: MapRegion,
}

/// The mapping and the uio node it came from, undone in that order.
#[derive(Debug)]
struct MapRegion {
    base: usize,
    len: usize,
    uio: Arc<OwnedFd>,
}

impl Drop for MapRegion {
    fn drop(&mut self) {
        // SAFETY: base/len are the mapping made in Target::new; the server thread that
        // used it has been joined (Server::stop) before this runs.
        if let Err(e) = unsafe { munmap(self.base as *mut _, self.len) } {
            eprintln!("tcmu: munmap: {e}");
        }
    }
}

static NEXT: AtomicU32 = AtomicU32::new(0);

fn write_attr(path: &Path, value: &str) -> Result<(), String> {
    fs::write(path, value).map_err(|e| format!("write {value:?} to {}: {e}", path.display()))
}

fn mkdir(path: &Path) -> Result<(), String> {
    fs::create_dir(path).map_err(|e| format!("mkdir {}: {e}", path.display()))
}

impl Target {
    /// A target named `name` (letters, digits, `_`, `-`) of `blocks` blocks of
    /// `block_size` bytes (the sizes the target core is told; READ CAPACITY is the
    /// handler's), served by `handler`.
    pub fn new(
        name: &str,
        blocks: u64,
        block_size: u32,
        handler: impl Handler,
    ) -> Result<Target, String> {
        Target::build(name, blocks, block_size, Box::new(handler), None)
    }

    /// A target served by `disk` (a clone of it: [`Target::disk`] gives the handle back).
    pub fn with_disk(name: &str, disk: &Disk) -> Result<Target, String> {
        let (blocks, block_size) = (disk.blocks(), disk.block_size());
        Target::build(
            name,
            blocks,
            block_size,
            Box::new(disk.clone()),
            Some(disk.clone()),
        )
    }

    /// A default disk ([`DEFAULT_BLOCKS`] × [`DEFAULT_BLOCK_SIZE`]) whose operations answer
    /// `steps` polls with a progress indication before they end.
    pub fn with_progress(name: &str, steps: u32) -> Result<Target, String> {
        let disk = Disk::new(DEFAULT_BLOCKS, DEFAULT_BLOCK_SIZE);
        disk.set_progress_steps(steps);
        Target::with_disk(name, &disk)
    }

    fn build(
        name: &str,
        blocks: u64,
        block_size: u32,
        handler: Box<dyn Handler>,
        disk: Option<Disk>,
    ) -> Result<Target, String> {
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(format!(
                "target name {name:?}: letters, digits, _ and - only"
            ));
        }
        if !available() {
            return Err(format!(
                "no target stack: {TARGET_CONFIGFS}/core, target_core_user or tcm_loop \
                 missing (configfs not mounted, or the modules not loaded)"
            ));
        }
        let core = Path::new(TARGET_CONFIGFS).join("core");
        let n = (0..1000)
            .map(|_| NEXT.fetch_add(1, Ordering::Relaxed) + std::process::id() % 1000 * 1000)
            .find(|n| !core.join(format!("user_{n}")).exists())
            .ok_or("no free user_N HBA in configfs")?;
        let hba = core.join(format!("user_{n}"));
        mkdir(&hba)?;
        let mut target = Target {
            name: name.to_owned(),
            hba,
            backstore: None,
            wwn: None,
            tpg: None,
            lun: None,
            link: None,
            server: None,
            record: Arc::new(Mutex::new(Vec::new())),
            disk,
            hctl: String::new(),
            sg: PathBuf::new(),
            block: None,
        };
        // On an error, Drop undoes what was made.
        target.bring_up(n, blocks, block_size, handler)?;
        Ok(target)
    }

    fn bring_up(
        &mut self,
        n: u32,
        blocks: u64,
        block_size: u32,
        handler: Box<dyn Handler>,
    ) -> Result<(), String> {
        let name = self.name.clone();
        // 1. The backstore and its ring.
        let backstore = self.hba.join(&name);
        mkdir(&backstore)?;
        self.backstore = Some(backstore.clone());
        let bytes = blocks
            .checked_mul(u64::from(block_size))
            .ok_or("target size overflows")?;
        write_attr(
            &backstore.join("control"),
            &format!(
                "dev_config=sgmap/{name},dev_size={bytes},hw_block_size={block_size},\
                 hw_max_sectors=2048,max_data_area_mb=32,nl_reply_supported=-1"
            ),
        )?;
        write_attr(&backstore.join("enable"), "1")?;
        let uio_name = format!("tcm-user/{n}/{name}/sgmap/{name}");
        let uio = find_uio(&uio_name)?;
        let size_path = format!("/sys/class/uio/{uio}/maps/map0/size");
        let size = fs::read_to_string(&size_path).map_err(|e| format!("{size_path}: {e}"))?;
        let len = crate::parse_sysfs_int(&size)
            .and_then(|s| usize::try_from(s).ok())
            .ok_or_else(|| format!("{size_path}: {size:?}"))?;
        let dev = format!("/dev/{uio}");
        let fd = rustix::fs::open(&dev, OFlags::RDWR | OFlags::CLOEXEC, Mode::empty())
            .map_err(|e| format!("open {dev}: {e}"))?;
        // SAFETY: a new shared mapping of the uio device's map 0, at an address the kernel
        // picks; nothing else refers to that range. Its exact size is what tcmu_mmap asks.
        let base = unsafe {
            mmap(
                std::ptr::null_mut(),
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::SHARED,
                &fd,
                0,
            )
        }
        .map_err(|e| format!("mmap {dev} ({len} bytes): {e}"))?;
        let region = MapRegion {
            base: base as usize,
            len,
            uio: Arc::new(fd),
        };
        // SAFETY: the mapping lives in `region`, which the Server owns and unmaps only
        // after joining the thread that holds this Mapping.
        let map = unsafe { Mapping::new(base.cast(), len) };
        let version = map.u16_at(ring::MB_VERSION).unwrap_or(0);
        if version != ring::MAILBOX_VERSION {
            return Err(format!(
                "{dev}: mailbox version {version}, this side speaks {}",
                ring::MAILBOX_VERSION
            ));
        }
        let stop = Arc::new(AtomicBool::new(false));
        let served = Arc::new(AtomicU32::new(0));
        let thread = {
            let (stop, served, record, uio) = (
                stop.clone(),
                served.clone(),
                self.record.clone(),
                region.uio.clone(),
            );
            thread::Builder::new()
                .name(format!("tcmu-{name}"))
                .spawn(move || serve(map, &uio, &stop, &served, &record, handler))
                .map_err(|e| format!("spawn the ring server: {e}"))?
        };
        self.server = Some(Server {
            stop,
            thread: Some(thread),
            served,
            _map: region,
        });

        // 2. The loopback fabric: WWN, TPG with its nexus, LUN linked to the backstore.
        let loopback = Path::new(TARGET_CONFIGFS).join("loopback");
        if !loopback.is_dir() {
            mkdir(&loopback)?;
        }
        let wwn_name = format!("naa.5001405{:09x}", u64::from(n) * 2);
        let wwn = loopback.join(&wwn_name);
        mkdir(&wwn)?;
        self.wwn = Some(wwn.clone());
        let tpg = wwn.join("tpgt_1");
        mkdir(&tpg)?;
        self.tpg = Some(tpg.clone());
        let initiator = format!("naa.5001405{:09x}", u64::from(n) * 2 + 1);
        write_attr(&tpg.join("nexus"), &initiator)?;
        let lun = tpg.join("lun/lun_0");
        mkdir(&lun)?;
        self.lun = Some(lun.clone());
        let link = lun.join("sgmap");
        std::os::unix::fs::symlink(&backstore, &link)
            .map_err(|e| format!("ln -s {} {}: {e}", backstore.display(), link.display()))?;
        self.link = Some(link);

        // 3. The SCSI device, its sg node, and sd's probe over.
        let address_path = tpg.join("address");
        let address = fs::read_to_string(&address_path)
            .map_err(|e| format!("{}: {e}", address_path.display()))?;
        self.hctl = format!("{}:0", address.trim());
        self.wait_for_device()?;
        self.settle()?;
        self.clear_record();
        Ok(())
    }

    /// Waits for `/sys/bus/scsi/devices/H:C:T:L/scsi_generic/sgN` and `/dev/sgN`.
    fn wait_for_device(&mut self) -> Result<(), String> {
        let dev = Path::new("/sys/bus/scsi/devices").join(&self.hctl);
        let deadline = Instant::now() + APPEAR_WAIT;
        loop {
            let sg = fs::read_dir(dev.join("scsi_generic"))
                .ok()
                .and_then(|mut d| d.next())
                .and_then(Result::ok)
                .map(|e| Path::new("/dev").join(e.file_name()));
            if let Some(sg) = sg.filter(|p| p.exists()) {
                self.sg = sg;
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "target {}: no sg node for SCSI device {} after {}s",
                    self.name,
                    self.hctl,
                    APPEAR_WAIT.as_secs()
                ));
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until sd has attached (the block node is there) and no command has arrived
    /// for [`SETTLE_QUIET`]: the probe's commands are over.
    fn settle(&mut self) -> Result<(), String> {
        let dev = Path::new("/sys/bus/scsi/devices").join(&self.hctl);
        let deadline = Instant::now() + APPEAR_WAIT;
        let mut last = (self.served(), Instant::now());
        loop {
            thread::sleep(Duration::from_millis(50));
            if self.block.is_none() {
                self.block = fs::read_dir(dev.join("block"))
                    .ok()
                    .and_then(|mut d| d.next())
                    .and_then(Result::ok)
                    .map(|e| Path::new("/dev").join(e.file_name()))
                    .filter(|p| p.exists());
            }
            let now = self.served();
            if now != last.0 {
                last = (now, Instant::now());
            } else if self.block.is_some()
                && last.1.elapsed() >= SETTLE_QUIET
                && (self.partitions_read() || last.1.elapsed() >= SETTLE_QUIET_UNREAD)
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "target {}: sd's probe of {} not over after {}s (block node {:?}, {} \
                     commands)",
                    self.name,
                    self.hctl,
                    APPEAR_WAIT.as_secs(),
                    self.block,
                    now
                ));
            }
        }
    }

    /// Whether sd's probe has read the partition table (a READ of LBA 0), its last step
    /// (`add_disk()` scans the partitions once the disk is revalidated). Quiet alone is not
    /// enough: on a loaded machine sd's revalidation (READ CAPACITY, VPD pages, MODE SENSE)
    /// came more than [`SETTLE_QUIET`] after the scan's INQUIRYs and landed in a test's record.
    fn partitions_read(&self) -> bool {
        self.commands().iter().any(|(cdb, _)| match cdb.first() {
            Some(0x28) => cdb.get(2..6) == Some(&[0, 0, 0, 0][..]),
            Some(0x88) => cdb.get(2..10) == Some(&[0; 8][..]),
            _ => false,
        })
    }

    fn served(&self) -> u32 {
        self.server
            .as_ref()
            .map_or(0, |s| s.served.load(Ordering::Acquire))
    }

    /// The sg node, e.g. `/dev/sg3`.
    pub fn sg_path(&self) -> &Path {
        &self.sg
    }

    /// [`Target::sg_path`] as a string, for command lines.
    pub fn sg(&self) -> String {
        self.sg.display().to_string()
    }

    /// The block node sd made, e.g. `/dev/sdc`.
    pub fn block_path(&self) -> Option<&Path> {
        self.block.as_deref()
    }

    /// The SCSI address `H:C:T:L`.
    pub fn hctl(&self) -> &str {
        &self.hctl
    }

    /// The disk behind the target, when made with [`Target::with_disk`] or
    /// [`Target::with_progress`].
    ///
    /// # Panics
    ///
    /// When the target has another handler.
    pub fn disk(&self) -> &Disk {
        self.disk
            .as_ref()
            .unwrap_or_else(|| panic!("target {} has a handler of its own", self.name))
    }

    /// Every command the handler saw since the record was last cleared, in order: CDB
    /// and data-out bytes.
    pub fn commands(&self) -> Vec<Recorded> {
        self.record
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The CDBs of [`Target::commands`].
    pub fn cdbs(&self) -> Vec<Vec<u8>> {
        self.commands().into_iter().map(|(cdb, _)| cdb).collect()
    }

    /// The recorded commands with operation code `opcode`.
    pub fn commands_with(&self, opcode: u8) -> Vec<Recorded> {
        self.commands()
            .into_iter()
            .filter(|(cdb, _)| cdb.first() == Some(&opcode))
            .collect()
    }

    /// Forgets the commands recorded so far.
    pub fn clear_record(&self) {
        self.record
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Undoes everything, in the reverse order; the first error, after trying the rest.
    fn teardown(&mut self) -> Result<(), String> {
        let mut first: Option<String> = None;
        let mut note = |r: Result<(), String>| {
            if let Err(e) = r {
                eprintln!("tcmu teardown: {e}");
                first.get_or_insert(e);
            }
        };
        let rmdir = |p: &Path| fs::remove_dir(p).map_err(|e| format!("rmdir {}: {e}", p.display()));
        // The LUN link first: tcm_loop removes the SCSI device (sd may still send a
        // command or two, which the server answers).
        if let Some(link) = self.link.take() {
            note(fs::remove_file(&link).map_err(|e| format!("rm {}: {e}", link.display())));
        }
        if let Some(lun) = self.lun.take() {
            note(rmdir(&lun));
        }
        // Removing the TPG drops its nexus.
        if let Some(tpg) = self.tpg.take() {
            note(rmdir(&tpg));
        }
        if let Some(wwn) = self.wwn.take() {
            note(rmdir(&wwn));
        }
        if let Some(mut server) = self.server.take() {
            note(server.stop());
        }
        if let Some(backstore) = self.backstore.take() {
            note(rmdir(&backstore));
        }
        if self.hba.is_dir() {
            note(rmdir(&self.hba));
        }
        match first {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Tears the target down now, reporting what went wrong (Drop only prints it).
    pub fn remove(mut self) -> Result<(), String> {
        self.teardown()
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = self.teardown();
    }
}

impl Server {
    /// Stops and joins the thread; then the mapping and the uio node go (MapRegion).
    fn stop(&mut self) -> Result<(), String> {
        self.stop.store(true, Ordering::Release);
        let errors = match self.thread.take().map(JoinHandle::join) {
            Some(Ok(errors)) => errors,
            Some(Err(_)) => vec!["the ring server panicked".to_owned()],
            None => Vec::new(),
        };
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }
}

/// The uio device whose `name` is `name`, e.g. `uio0`.
fn find_uio(name: &str) -> Result<String, String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut seen = Vec::new();
        for entry in fs::read_dir("/sys/class/uio")
            .map_err(|e| format!("/sys/class/uio: {e}"))?
            .flatten()
        {
            let uio = entry.file_name().to_string_lossy().into_owned();
            let found = fs::read_to_string(entry.path().join("name")).unwrap_or_default();
            if found.trim() == name {
                return Ok(uio);
            }
            seen.push(format!("{uio}={:?}", found.trim()));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "no uio device named {name:?} (seen: {})",
                seen.join(", ")
            ));
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// The ring server: until `stop`, waits for the kernel's notification (or a short time),
/// answers every entry between `cmd_tail` and `cmd_head`, and tells the kernel. Returns
/// what went wrong with the ring, if anything.
fn serve(
    map: Mapping,
    uio: &OwnedFd,
    stop: &AtomicBool,
    served: &AtomicU32,
    record: &Mutex<Vec<Recorded>>,
    mut handler: Box<dyn Handler>,
) -> Vec<String> {
    let mut errors = Vec::new();
    let flags = map.u16_at(ring::MB_FLAGS).unwrap_or(0);
    let read_len = flags & ring::CAP_READ_LEN != 0;
    while !stop.load(Ordering::Acquire) {
        let mut fds = [PollFd::new(uio, PollFlags::IN)];
        if let Ok(n) = poll(&mut fds, Some(&timespec_ms(SERVE_POLL_MS))) {
            if n > 0 {
                let mut count = [0u8; 4];
                let _ = rustix::io::read(uio, &mut count);
            }
        }
        let drained = ring::drain(&map, |entry| match ring::read_request(&map, entry) {
            Ok(req) => answer(&map, &req, record, handler.as_mut(), read_len),
            Err(e) => {
                // Answered anyway, so that the initiator is not left waiting.
                ring::respond(&map, entry, disk::CHECK_CONDITION, &[], None);
                errors.push(e);
            }
        });
        match drained {
            Ok(0) => {}
            Ok(n) => {
                if let Err(e) = rustix::io::write(uio, &1u32.to_ne_bytes()) {
                    errors.push(format!("write to the uio node: {e}"));
                }
                served.fetch_add(n, Ordering::AcqRel);
            }
            Err(e) => {
                errors.push(e);
                break;
            }
        }
    }
    errors
}

fn timespec_ms(ms: i32) -> Timespec {
    Timespec {
        tv_sec: 0,
        tv_nsec: i64::from(ms) * 1_000_000,
    }
}

/// Records one command, asks the handler, writes its answer into the ring.
fn answer(
    map: &Mapping,
    req: &ring::Request,
    record: &Mutex<Vec<Recorded>>,
    handler: &mut dyn Handler,
    read_len: bool,
) {
    let out = ring::is_data_out(&req.cdb);
    let buffer: usize = req.iovs.iter().map(|&(_, len)| len).sum();
    let data_out = if out {
        ring::gather(map, &req.iovs)
    } else {
        Vec::new()
    };
    record
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((req.cdb.clone(), data_out.clone()));
    let reply = handler.handle(&req.cdb, &data_out, if out { 0 } else { buffer });
    let mut n = None;
    if !out && buffer > 0 {
        let copied = ring::scatter(map, &req.iovs, &reply.data_in);
        // read_len 0 means "not given" to the kernel: then it copies the (zeroed) buffer.
        if read_len && copied > 0 {
            n = u32::try_from(copied).ok();
        }
    }
    ring::respond(map, req.entry, reply.status, &reply.sense, n);
}
