//! SIGINT and SIGUSR1 for a long copy, without libc and without a handler: both are blocked,
//! and the copy loop asks between transfers whether one is pending.
//!
//! Blocking (`rt_sigprocmask`) rather than catching keeps the sg file in a known state: a
//! handler would interrupt `ioctl(SG_IO)` or `read()` with EINTR and orphan the command
//! (sg-driver.md §5), while a blocked signal waits until the loop looks. The loop then
//! consumes it with `rt_sigtimedwait` and a zero timeout.
//!
//! rustix 1.1 offers these only in its experimental runtime module (cargo feature
//! `runtime`), whose public name carries a random suffix that rustix rotates between
//! releases (`rustix::runtime_448b8ad740e2a26f` in 1.1.6; it was `runtime` in 1.1.0) to keep
//! libc-level users aware that it is not a stable API. The one `use` below is the only
//! place that names it: an update of rustix that renames it breaks the build here, loudly.
//! (By the house style the two `unsafe` calls belong in sgmap-sys; they live here until
//! sgmap-sys offers a signal-mask wrapper.)
//!
//! # References
//! - rt_sigprocmask(2), rt_sigtimedwait(2), sigpending(2).

use rustix::runtime_448b8ad740e2a26f as rt;

use rt::{How, KernelSigSet, Signal, Timespec};

/// A pending signal that dd acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// SIGINT: stop after collecting what is in flight.
    Interrupt,
    /// SIGUSR1: print a progress report and go on.
    Report,
}

/// SIGINT and SIGUSR1 blocked until dropped, when the old mask comes back (a SIGINT still
/// pending then ends the process, as it would have).
#[derive(Debug)]
pub struct Blocked {
    old: Option<KernelSigSet>,
}

fn set() -> KernelSigSet {
    let mut s = KernelSigSet::empty();
    s.insert(Signal::INT);
    s.insert(Signal::USR1);
    s
}

impl Blocked {
    /// Blocks SIGINT and SIGUSR1 for this thread (sgmap has no other).
    pub fn new() -> Blocked {
        let s = set();
        // SAFETY: the set holds SIGINT and SIGUSR1 only, neither of which musl or glibc
        // reserves for itself (they reserve 32..=34 around SIGRTMIN), and no code in sgmap
        // relies on their delivery: the copy loop polls for them instead.
        let old = unsafe { rt::kernel_sigprocmask(How::BLOCK, Some(&s)) }.ok();
        Blocked { old }
    }

    /// Takes one pending SIGINT or SIGUSR1, SIGINT first, without waiting.
    pub fn take(&self) -> Option<Pending> {
        let pending = rt::kernel_sigpending();
        let which = if pending.contains(Signal::INT) {
            Signal::INT
        } else if pending.contains(Signal::USR1) {
            Signal::USR1
        } else {
            return None;
        };
        let mut one = KernelSigSet::empty();
        one.insert(which);
        let zero = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: as in `new`: the set holds one signal that no libc reserves, and that
        // signal is blocked, so waiting for it with a zero timeout only dequeues it.
        let _ = unsafe { rt::kernel_sigtimedwait(&one, Some(&zero)) };
        Some(if which == Signal::INT {
            Pending::Interrupt
        } else {
            Pending::Report
        })
    }
}

impl Default for Blocked {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Blocked {
    fn drop(&mut self) {
        if let Some(old) = self.old.take() {
            // SAFETY: restores the mask that was in force before `new`.
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
}
