//! Signals sent from another process, for the tests that prove a command reaches the device
//! once whatever happens to its sender: stops and continues (`SIGSTOP`, `SIGTSTP`,
//! `SIGCONT`) and the stop signals sgmap acts on; and a `SIGUSR2` handler for the tests that
//! show what a handler does to a waiting system call.
//!
//! The sender is a fork of the test process (a thread would be stopped with its process):
//! its `pre_exec` hook makes the timed `kill()` calls and then fails the exec on purpose. It
//! records what it did in a shared anonymous page, as `fork.rs`'s child does: how many
//! `kill()` calls the kernel accepted, and, before each `SIGCONT`, what the stopped thread
//! was doing (its state and the system call it was stopped in, from `/proc`). So a test can
//! assert that its stop landed where it meant it to, not merely that a signal was sent.

use std::ffi::{c_int, CString};
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use rustix::event::Timespec;
use rustix::fs::{Mode, OFlags};
use rustix::mm::{MapFlags, ProtFlags};
use rustix::process::{kill_process, Pid, Signal};

/// One step of a signal plan.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    /// Wait this long.
    Sleep(Duration),
    /// Send this signal.
    Send(Signal),
}

/// Waits `first`, then `cycles` times: stops the target (SIGSTOP and SIGTSTP in turn) for
/// `stopped`, continues it, and lets it run for `running`.
pub fn stop_cycles(
    first: Duration,
    running: Duration,
    stopped: Duration,
    cycles: usize,
) -> Vec<Step> {
    let mut plan = vec![Step::Sleep(first)];
    for i in 0..cycles {
        let stop = if i % 2 == 0 {
            Signal::STOP
        } else {
            Signal::TSTP
        };
        plan.extend([
            Step::Send(stop),
            Step::Sleep(stopped),
            Step::Send(Signal::CONT),
            Step::Sleep(running),
        ]);
    }
    plan
}

/// What the signaller saw of the target thread right before it sent a `SIGCONT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// The state letter of `/proc/<pid>/task/<tid>/stat`: `b'T'` when stopped by a signal,
    /// `0` when the file could not be read.
    pub state: u8,
    /// The system call the thread was in, from `/proc/<pid>/task/<tid>/syscall` (the
    /// number of the calling ABI: a 32-bit process shows its own numbers); `None` when it
    /// was in none (`running`, or `-1`) or the file could not be read.
    pub syscall: Option<i64>,
}

impl Seen {
    /// Stopped by a signal inside system call `nr` (e.g. `libc::SYS_read`): what a test
    /// expects when its stop landed while it waited in that call.
    pub fn stopped_in(nr: std::ffi::c_long) -> Seen {
        // c_long is 32 bits wide on i686, 64 on x86_64.
        #[allow(clippy::unnecessary_cast)]
        let nr = nr as i64;
        Seen {
            state: b'T',
            syscall: Some(nr),
        }
    }
}

/// What a signaller did, read back from the page it shared with the test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// How many of its `kill()` calls the kernel accepted (a signal sent after the target
    /// exited fails with `ESRCH` and is not counted).
    pub delivered: usize,
    /// What it saw before each `SIGCONT`, in order (at most [`MAX_SEEN`]).
    pub seen: Vec<Seen>,
}

/// The most observations a signaller records.
pub const MAX_SEEN: usize = 64;

/// The signaller's record in the shared page.
#[repr(C)]
#[derive(Clone, Copy)]
struct Shared {
    delivered: i32,
    seen: i32,
    entries: [RawSeen; MAX_SEEN],
}

#[repr(C)]
#[derive(Clone, Copy)]
struct RawSeen {
    state: u8,
    in_syscall: u8,
    nr: i64,
}

const SHARED_LEN: usize = 4096;
const _: () = assert!(std::mem::size_of::<Shared>() <= SHARED_LEN);

/// A signaller at work; [`Sent::join`] or [`Sent::report`] waits for it.
#[derive(Debug)]
pub struct Sent {
    handle: thread::JoinHandle<Report>,
}

impl Sent {
    /// Waits for the signaller and returns how many of its `kill()` calls succeeded.
    pub fn join(self) -> usize {
        self.report().delivered
    }

    /// Waits for the signaller and returns its whole record.
    pub fn report(self) -> Report {
        self.handle.join().expect("signaller thread")
    }
}

fn sleep(d: Duration) {
    let ts = Timespec {
        tv_sec: d.as_secs() as _,
        tv_nsec: d.subsec_nanos() as _,
    };
    let _ = rustix::thread::nanosleep(&ts);
}

/// Reads the start of a `/proc` file into `buf` with plain system calls (no allocation:
/// this runs in the forked signaller); the bytes read, 0 on any error.
fn read_proc(path: &CString, buf: &mut [u8]) -> usize {
    match rustix::fs::open(
        path.as_c_str(),
        OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
    ) {
        Ok(fd) => rustix::io::read(&fd, buf).unwrap_or(0),
        Err(_) => 0,
    }
}

/// The state letter of a `stat` line (`tid (comm) S …`): the byte after the last `) `.
fn stat_state(stat: &[u8]) -> u8 {
    match stat.iter().rposition(|&b| b == b')') {
        Some(i) if i + 2 < stat.len() => stat[i + 2],
        _ => 0,
    }
}

/// The system call number at the start of a `syscall` line, if the thread is in one.
fn syscall_nr(line: &[u8]) -> Option<i64> {
    let (negative, digits) = match line.first() {
        Some(b'-') => (true, &line[1..]),
        _ => (false, line),
    };
    let end = digits
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    if end == 0 {
        return None; // "running"
    }
    let mut n: i64 = 0;
    for &d in &digits[..end] {
        n = n.checked_mul(10)?.checked_add(i64::from(d - b'0'))?;
    }
    if negative {
        None // -1: not in a system call
    } else {
        Some(n)
    }
}

/// Runs `plan` against process `target` from a separate process, started now; what it sees
/// before each `SIGCONT` is the target's main thread.
pub fn send_from_outside(target: Pid, plan: Vec<Step>) -> Sent {
    send(target, target.as_raw_nonzero().get(), plan)
}

/// Runs `plan` against this very process; what it sees before each `SIGCONT` is the calling
/// thread (the test's own, which makes the system call under test).
pub fn send_to_me(plan: Vec<Step>) -> Sent {
    send(
        rustix::process::getpid(),
        rustix::thread::gettid().as_raw_nonzero().get(),
        plan,
    )
}

fn send(target: Pid, tid: i32, plan: Vec<Step>) -> Sent {
    let pid = target.as_raw_nonzero().get();
    let stat = CString::new(format!("/proc/{pid}/task/{tid}/stat")).expect("path");
    let syscall = CString::new(format!("/proc/{pid}/task/{tid}/syscall")).expect("path");
    let handle = thread::spawn(move || {
        // SAFETY: a fresh anonymous shared mapping; no MAP_FIXED. Unmapped below, after the
        // signaller (the only other user) has exited.
        let page = unsafe {
            rustix::mm::mmap_anonymous(
                ptr::null_mut(),
                SHARED_LEN,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::SHARED,
            )
        }
        .expect("the signaller's shared page");
        let shared_addr = page as usize;
        let in_child = move || -> std::io::Result<()> {
            let shared = shared_addr as *mut Shared;
            let mut record = Shared {
                delivered: 0,
                seen: 0,
                entries: [RawSeen {
                    state: 0,
                    in_syscall: 0,
                    nr: 0,
                }; MAX_SEEN],
            };
            let mut buf = [0u8; 512];
            for step in &plan {
                match *step {
                    Step::Sleep(d) => sleep(d),
                    Step::Send(sig) => {
                        if sig == Signal::CONT && (record.seen as usize) < MAX_SEEN {
                            let n = read_proc(&stat, &mut buf);
                            let state = stat_state(&buf[..n]);
                            let n = read_proc(&syscall, &mut buf);
                            let nr = if n == 0 { None } else { syscall_nr(&buf[..n]) };
                            record.entries[record.seen as usize] = RawSeen {
                                state,
                                in_syscall: u8::from(nr.is_some()),
                                nr: nr.unwrap_or(0),
                            };
                            record.seen += 1;
                        }
                        if kill_process(target, sig).is_ok() {
                            record.delivered += 1;
                        }
                    }
                }
            }
            // SAFETY: the shared page is mapped in this child too and holds one Shared.
            unsafe { shared.write_volatile(record) };
            // Fail the exec on purpose: spawn() returns this error in the parent.
            Err(std::io::Error::from_raw_os_error(
                rustix::io::Errno::CHILD.raw_os_error(),
            ))
        };
        let mut p = Command::new("/nonexistent/sgmap-signaller");
        // SAFETY: `in_child` makes only raw system calls (nanosleep, kill, open, read,
        // close) on memory that the fork copied and the shared page: async-signal-safe.
        unsafe { p.pre_exec(in_child) };
        match p.spawn() {
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::CHILD.raw_os_error()) => {}
            Err(e) => panic!("signaller: {e}"),
            Ok(mut child) => {
                let _ = child.kill();
                panic!("the signaller exec'd something");
            }
        }
        // SAFETY: the page holds the Shared the signaller wrote before it exited (spawn()
        // returned only after the child's exec failed); read through a raw pointer.
        let record = unsafe { (page as *const Shared).read_volatile() };
        // SAFETY: mapped above; no reference into it.
        unsafe { rustix::mm::munmap(page, SHARED_LEN) }.expect("munmap the shared page");
        let seen = record.entries[..(record.seen.max(0) as usize).min(MAX_SEEN)]
            .iter()
            .map(|r| Seen {
                state: r.state,
                syscall: (r.in_syscall != 0).then_some(r.nr),
            })
            .collect();
        Report {
            delivered: usize::try_from(record.delivered).unwrap_or(0),
            seen,
        }
    });
    Sent { handle }
}

/// SIGUSR2 deliveries seen by [`on_usr2`].
static HITS: AtomicUsize = AtomicUsize::new(0);

extern "C" fn on_usr2(_: c_int) {
    HITS.fetch_add(1, Ordering::SeqCst);
}

/// A SIGUSR2 handler installed for the test's life, with or without `SA_RESTART`, and a
/// thread that sends SIGUSR2 to the test's thread every 50 ms after the first 100 ms,
/// `signals` times at most (a bound: `SG_IO` with `SA_RESTART` restarts at each signal, and
/// would never finish under an endless stream of them).
pub struct Handler {
    stop: Arc<AtomicBool>,
    sender: Option<thread::JoinHandle<()>>,
    old: libc::sigaction,
}

impl std::fmt::Debug for Handler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handler")
            .field("hits", &HITS.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

impl Handler {
    /// Installs the handler and starts the sender aimed at the calling thread.
    pub fn install(restart: bool, signals: usize) -> Handler {
        HITS.store(0, Ordering::SeqCst);
        // SAFETY: a plain sigaction with an async-signal-safe handler (one atomic add).
        let old = unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_usr2 as *const () as usize;
            sa.sa_flags = if restart { libc::SA_RESTART } else { 0 };
            libc::sigemptyset(&mut sa.sa_mask);
            let mut old: libc::sigaction = std::mem::zeroed();
            assert_eq!(libc::sigaction(libc::SIGUSR2, &sa, &mut old), 0);
            old
        };
        let pid = rustix::process::getpid().as_raw_nonzero().get();
        let tid = rustix::thread::gettid().as_raw_nonzero().get();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let sender = thread::spawn(move || {
            thread::sleep(Duration::from_millis(100));
            for _ in 0..signals {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                // SAFETY: tgkill to a thread of this process, which handles SIGUSR2.
                unsafe { libc::syscall(libc::SYS_tgkill, pid, tid, libc::SIGUSR2) };
                thread::sleep(Duration::from_millis(50));
            }
        });
        Handler {
            stop,
            sender: Some(sender),
            old,
        }
    }

    /// How many times the handler ran so far.
    pub fn hits(&self) -> usize {
        HITS.load(Ordering::SeqCst)
    }

    /// Stops the sender and returns how many times the handler ran.
    pub fn finish(mut self) -> usize {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.sender.take() {
            t.join().expect("sender");
        }
        HITS.load(Ordering::SeqCst)
    }
}

impl Drop for Handler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.sender.take() {
            let _ = t.join();
        }
        // SAFETY: restores the disposition saved in `install`.
        unsafe { libc::sigaction(libc::SIGUSR2, &self.old, std::ptr::null_mut()) };
    }
}

#[cfg(test)]
mod tests {
    use super::{stat_state, syscall_nr};

    #[test]
    fn proc_lines_parse_as_the_kernel_writes_them() {
        assert_eq!(stat_state(b"1234 (tim (e)out) T 1 1234 1234 0 -1"), b'T');
        assert_eq!(stat_state(b"1234 (x) S 1"), b'S');
        assert_eq!(stat_state(b""), 0);
        assert_eq!(
            syscall_nr(b"16 0x3 0x2285 0x7ffc 0x0 0x0 0x0 0x7ffc 0x7f00\n"),
            Some(16)
        );
        assert_eq!(
            syscall_nr(b"0 0x3 0x7ffc 0x58 0x0 0x0 0x0 0x7ffc 0x7f00\n"),
            Some(0)
        );
        assert_eq!(syscall_nr(b"-1 0x7ffc 0x7f00\n"), None);
        assert_eq!(syscall_nr(b"running\n"), None);
    }
}
