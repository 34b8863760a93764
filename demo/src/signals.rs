//! The signals that stop or report on `dd` and `write-buffer`: SIGINT, SIGTERM, SIGQUIT and
//! SIGHUP (stop) and SIGUSR1 (report) are caught by a handler that only sets a flag, and the
//! job looks at the flags between commands.
//!
//! Why a flag: looking costs no system call, so the copy looks at every transfer boundary
//! and its per-transfer path holds only the command's `write()` and `read()` (an earlier
//! design blocked the signals and asked the kernel with `rt_sigpending()`, which took a
//! clock read per transfer to ration). The handler does nothing else: what a stop or a
//! report does happens between commands, where the job knows what is in flight and what its
//! counts are. The handlers are installed with `SA_RESTART`, so a system call that a signal
//! interrupts is resumed by the kernel (the sg driver's waiting `read()` among them). Not
//! that it matters for what reaches the device: no signal can make sgmap-sys send a command
//! twice, caught or not, restarted or not, stopped or not (sgmap-sys's crate docs, "The one
//! command path"). SIGSTOP, SIGTSTP and the freezer need no handling.
//!
//! The flags are process-wide, as dispositions are: [`Caught`] is one guard per job, neither
//! `Send` nor `Sync`. When it is dropped, the old dispositions come back and a stop signal
//! that came and was not taken is raised again: that ends the process, as it would have
//! without the guard. To end with a report instead, take it first with [`Caught::take`]
//! and exit without dropping.
//!
//! The handlers are installed through the C library's `signal()`, which this static binary
//! links anyway: musl's (and glibc's, for the host tests) sets `SA_RESTART` and provides the
//! return trampoline (`sa_restorer`) that the kernel requires on x86_64 and that a raw
//! `rt_sigaction` would need written by hand for each architecture.
//!
//! # References
//! - signal(2), sigaction(2) (`SA_RESTART`), signal-safety(7).

use core::ffi::c_int;
use core::marker::PhantomData;
use core::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// A signal that a job acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// SIGINT, SIGTERM, SIGQUIT or SIGHUP (the number is given): stop after collecting what
    /// is in flight, report, and exit with 128 + the number.
    Stop(i32),
    /// SIGUSR1: print a progress report and go on.
    Report,
}

/// SIGINT, SIGTERM, SIGQUIT and SIGHUP: the same numbers on every Linux architecture.
const STOPS: [c_int; 4] = [2, 15, 3, 1];

/// SIGUSR1 on x86 and ARM, the architectures sgmap ships for (MIPS, SPARC, Alpha and PA-RISC
/// number it otherwise).
const USR1: c_int = 10;

/// The first stop signal caught and not yet taken (0: none).
static STOP: AtomicI32 = AtomicI32::new(0);
/// A SIGUSR1 caught and not yet taken.
static REPORT: AtomicBool = AtomicBool::new(false);

/// `sighandler_t`: a handler's address, or `SIG_DFL` (0), `SIG_IGN` (1), `SIG_ERR` (-1).
type Handler = usize;
const SIG_ERR: Handler = usize::MAX;

unsafe extern "C" {
    /// The C library's `signal()`: installs `handler` for `sig` with `SA_RESTART`, and
    /// returns the one it replaces.
    fn signal(sig: c_int, handler: Handler) -> Handler;
    /// The C library's `raise()`: sends `sig` to the calling thread.
    fn raise(sig: c_int) -> c_int;
}

/// The handler: records the signal, nothing more (an atomic store is async-signal-safe).
extern "C" fn caught(sig: c_int) {
    if sig == USR1 {
        REPORT.store(true, Ordering::Relaxed);
    } else {
        // The first stop wins: its number is the exit status.
        let _ = STOP.compare_exchange(0, sig, Ordering::Relaxed, Ordering::Relaxed);
    }
}

/// The stop signals and SIGUSR1 caught until dropped, when the old handlers come back.
#[derive(Debug)]
pub struct Caught {
    /// The dispositions replaced, in the order of [`STOPS`] then SIGUSR1; `None` for a guard
    /// that installed nothing (host tests of the jobs, which must not touch the process's
    /// dispositions while other tests raise signals).
    old: Option<[Handler; 5]>,
    /// One job at a time: not `Send`, not `Sync`.
    _job: PhantomData<*const ()>,
}

impl Caught {
    /// Catches SIGINT, SIGTERM, SIGQUIT, SIGHUP and SIGUSR1, with no signal taken yet.
    pub fn new() -> Caught {
        STOP.store(0, Ordering::Relaxed);
        REPORT.store(false, Ordering::Relaxed);
        let mut old = [SIG_ERR; 5];
        for (slot, sig) in old.iter_mut().zip(STOPS.into_iter().chain([USR1])) {
            // SAFETY: `caught` is an `extern "C" fn(c_int)` that only touches atomics, which
            // is async-signal-safe; none of these signals is one the C library reserves.
            *slot = unsafe { signal(sig, caught as extern "C" fn(c_int) as Handler) };
        }
        Caught {
            old: Some(old),
            _job: PhantomData,
        }
    }

    /// A guard that catches nothing and never reports a signal: for host tests of the jobs.
    #[cfg(test)]
    pub fn none() -> Caught {
        Caught {
            old: None,
            _job: PhantomData,
        }
    }

    /// Takes what was caught since the last call, a stop first (no system call).
    pub fn take(&self) -> Option<Pending> {
        self.old?;
        match STOP.swap(0, Ordering::Relaxed) {
            0 => REPORT
                .swap(false, Ordering::Relaxed)
                .then_some(Pending::Report),
            n => Some(Pending::Stop(n)),
        }
    }
}

impl Default for Caught {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Caught {
    /// Restores the old handlers, discards a report not taken, and raises again a stop
    /// signal not taken, so that it ends the process as it would have without the guard.
    fn drop(&mut self) {
        let Some(olds) = self.old else {
            return;
        };
        for (&old, sig) in olds.iter().zip(STOPS.into_iter().chain([USR1])) {
            if old != SIG_ERR {
                // SAFETY: puts back the disposition that `new` replaced.
                unsafe { signal(sig, old) };
            }
        }
        REPORT.store(false, Ordering::Relaxed);
        let stop = STOP.swap(0, Ordering::Relaxed);
        if stop != 0 {
            // SAFETY: sends a signal to this thread; its disposition is the old one again.
            unsafe { raise(stop) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Dispositions and the flags are process-wide: one test at a time.
    static ONE: Mutex<()> = Mutex::new(());

    fn raised(sig: c_int) {
        // SAFETY: the signal is caught by `caught` while a `Caught` lives.
        assert_eq!(unsafe { raise(sig) }, 0);
    }

    #[test]
    fn a_raised_usr1_is_taken_once() {
        let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
        let c = Caught::new();
        assert_eq!(c.take(), None);
        raised(USR1);
        assert_eq!(c.take(), Some(Pending::Report));
        assert_eq!(c.take(), None);
    }

    #[test]
    fn a_report_not_taken_is_discarded_not_delivered() {
        let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
        let c = Caught::new();
        raised(USR1);
        // Delivered with its default action, SIGUSR1 would end this test process.
        drop(c);
        assert!(!REPORT.load(Ordering::Relaxed));
    }

    #[test]
    fn a_stop_comes_before_a_report_and_the_first_stop_is_kept() {
        let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
        let c = Caught::new();
        for sig in [USR1, 15, 1] {
            raised(sig);
        }
        assert_eq!(c.take(), Some(Pending::Stop(15)));
        assert_eq!(c.take(), Some(Pending::Report));
        assert_eq!(c.take(), None);
        // The process goes on: none of them had its default action.
    }

    #[test]
    fn the_old_handlers_come_back_on_drop() {
        let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: reads the dispositions by setting and restoring them.
        let before = unsafe { signal(USR1, 1) };
        let c = Caught::new();
        drop(c);
        // SAFETY: as above.
        let after = unsafe { signal(USR1, before) };
        assert_eq!(after, 1, "SIG_IGN, set before the guard, is back");
    }
}
