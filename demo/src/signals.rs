//! The signals that stop or report on `dd` and `write-buffer`, taken without a handler:
//! SIGINT, SIGTERM, SIGQUIT and SIGHUP (stop) and SIGUSR1 (report) are blocked, and the job
//! asks between commands whether one is pending.
//!
//! Why blocked rather than caught: a handler runs at any moment, and what it may do there is
//! little (no allocation, no printing that could interleave with the job's own); a blocked
//! signal waits until the job looks, which is where the job knows what is in flight and what
//! its counts are. It is not what keeps commands from running twice: no signal can do that
//! to sgmap-sys's commands, blocked or not, caught or not, stopped or not (sgmap-sys's crate
//! docs, "The one command path"). SIGSTOP, SIGTSTP and the freezer are not blocked and need
//! not be.
//!
//! Blocking is per thread: [`Blocked`] is neither `Send` nor `Sync`, so it is dropped (and
//! the old mask restored) on the thread that blocked. When it is dropped, a stop signal still
//! pending is delivered: that ends the process, as it would have without it. To end with a
//! report instead, take it first with [`Blocked::take`] and exit without dropping.
//!
//! Why this is here and not in sgmap-sys: rustix 1.1 offers these calls only in its
//! experimental runtime module (cargo feature `runtime`), whose public name carries a random
//! suffix that rustix rotates between releases (`rustix::runtime_448b8ad740e2a26f` in 1.1.6;
//! it was `runtime` in 1.1.0) to keep libc-level users aware that it is not a stable API.
//! Naming it takes an exact `=1.1.6` requirement, which a library cannot impose on the
//! programs that depend on it (any of them needing another rustix 1.x would fail to
//! resolve). This binary can: nothing resolves against it (`demo/Cargo.toml` pins rustix for
//! it). The one `use` below is the only place that names the module: an update of rustix
//! that renames it breaks the build here, loudly.
//!
//! # References
//! - rt_sigprocmask(2), rt_sigtimedwait(2), sigpending(2).

use core::marker::PhantomData;

use rustix::runtime_448b8ad740e2a26f as rt;

use rt::{How, KernelSigSet, Signal, Timespec};

/// A pending signal that a job acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// SIGINT, SIGTERM, SIGQUIT or SIGHUP (the number is given): stop after collecting what
    /// is in flight, report, and exit with 128 + the number.
    Stop(i32),
    /// SIGUSR1: print a progress report and go on.
    Report,
}

/// The stop signals, in the order [`Blocked::take`] takes them.
const STOPS: [Signal; 4] = [Signal::INT, Signal::TERM, Signal::QUIT, Signal::HUP];

/// The stop signals and SIGUSR1 blocked for this thread until dropped, when the old mask
/// comes back.
#[derive(Debug)]
pub struct Blocked {
    old: Option<KernelSigSet>,
    /// Signal masks are per thread: not `Send`, not `Sync`.
    _thread: PhantomData<*const ()>,
}

fn set() -> KernelSigSet {
    let mut s = KernelSigSet::empty();
    for sig in STOPS {
        s.insert(sig);
    }
    s.insert(Signal::USR1);
    s
}

impl Blocked {
    /// Blocks SIGINT, SIGTERM, SIGQUIT, SIGHUP and SIGUSR1 for this thread.
    pub fn new() -> Blocked {
        let s = set();
        // SAFETY: the set holds none of the signals that musl or glibc reserve for
        // themselves (32..=34 around SIGRTMIN), and nothing relies on their delivery while
        // they are blocked: the job polls for them instead.
        let old = unsafe { rt::kernel_sigprocmask(How::BLOCK, Some(&s)) }.ok();
        Blocked {
            old,
            _thread: PhantomData,
        }
    }

    /// Takes one pending signal of the set without waiting, stop signals first (one
    /// `rt_sigpending()`, and one `rt_sigtimedwait()` when there is something to take).
    pub fn take(&self) -> Option<Pending> {
        let pending = rt::kernel_sigpending();
        let which = STOPS
            .into_iter()
            .find(|s| pending.contains(*s))
            .or_else(|| pending.contains(Signal::USR1).then_some(Signal::USR1))?;
        let mut one = KernelSigSet::empty();
        one.insert(which);
        let zero = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: as in `new`: the set holds one signal that no libc reserves, and that
        // signal is blocked, so waiting for it with a zero timeout only dequeues it.
        let _ = unsafe { rt::kernel_sigtimedwait(&one, Some(&zero)) };
        Some(if which == Signal::USR1 {
            Pending::Report
        } else {
            Pending::Stop(which.as_raw())
        })
    }
}

impl Default for Blocked {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Blocked {
    /// Discards a pending SIGUSR1 (a report asked for while the job could not give one:
    /// unblocked, its default action would end the process), then restores the old mask. A
    /// pending stop signal is left to be delivered.
    fn drop(&mut self) {
        if let Some(old) = self.old.take() {
            while rt::kernel_sigpending().contains(Signal::USR1) {
                let mut one = KernelSigSet::empty();
                one.insert(Signal::USR1);
                let zero = Timespec {
                    tv_sec: 0,
                    tv_nsec: 0,
                };
                // SAFETY: as in `take`: SIGUSR1 is blocked, so this only dequeues it.
                if unsafe { rt::kernel_sigtimedwait(&one, Some(&zero)) }.is_err() {
                    break;
                }
            }
            // SAFETY: restores the mask that was in force before `new`, on the same thread
            // (`Blocked` is not `Send`).
            let _ = unsafe { rt::kernel_sigprocmask(How::SETMASK, Some(&old)) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raised_usr1_is_taken_once_and_not_delivered() {
        let blocked = Blocked::new();
        assert_eq!(blocked.take(), None);
        // SAFETY: SIGUSR1 is blocked in this thread; tkill to this thread leaves it pending.
        unsafe { rt::tkill(rustix::thread::gettid(), Signal::USR1) }.unwrap();
        assert_eq!(blocked.take(), Some(Pending::Report));
        assert_eq!(blocked.take(), None);
    }

    #[test]
    fn a_report_pending_when_unblocked_is_discarded_not_delivered() {
        let blocked = Blocked::new();
        // SAFETY: SIGUSR1 is blocked in this thread; tkill to this thread leaves it pending.
        unsafe { rt::tkill(rustix::thread::gettid(), Signal::USR1) }.unwrap();
        // Delivered, SIGUSR1's default action would end this test process.
        drop(blocked);
        assert!(!rt::kernel_sigpending().contains(Signal::USR1));
    }

    #[test]
    fn stop_signals_come_before_a_report_and_carry_their_number() {
        let blocked = Blocked::new();
        let me = rustix::thread::gettid();
        for sig in [Signal::USR1, Signal::TERM, Signal::HUP] {
            // SAFETY: each is blocked in this thread; tkill leaves it pending.
            unsafe { rt::tkill(me, sig) }.unwrap();
        }
        assert_eq!(blocked.take(), Some(Pending::Stop(15)));
        assert_eq!(blocked.take(), Some(Pending::Stop(1)));
        assert_eq!(blocked.take(), Some(Pending::Report));
        assert_eq!(blocked.take(), None);
    }

    #[test]
    fn stop_signal_numbers_match_the_taken_ones() {
        // SIGINT, SIGTERM, SIGQUIT and SIGHUP on every Linux architecture; the exit status is
        // 128 + these.
        for (sig, n) in STOPS.into_iter().zip([2, 15, 3, 1]) {
            assert_eq!(sig.as_raw(), n);
        }
    }
}
