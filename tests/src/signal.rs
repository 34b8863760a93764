//! Signals sent from another process, for the tests that prove a command reaches the device
//! once whatever happens to its sender: stops and continues (`SIGSTOP`, `SIGTSTP`,
//! `SIGCONT`) and the stop signals sgmap acts on.
//!
//! The sender is a fork of the test process (a thread would be stopped with its process):
//! its `pre_exec` hook makes the timed `kill()` calls and then fails the exec on purpose.

use std::os::unix::process::CommandExt;
use std::process::Command;
use std::thread;
use std::time::Duration;

use rustix::event::Timespec;
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

/// What a signaller did: how many signals the kernel accepted for the target.
#[derive(Debug)]
pub struct Sent {
    handle: thread::JoinHandle<i32>,
}

impl Sent {
    /// Waits for the signaller and returns how many of its `kill()` calls succeeded (a
    /// signal sent after the target exited fails with `ESRCH` and is not counted).
    pub fn join(self) -> usize {
        let code = self.handle.join().expect("signaller thread");
        usize::try_from(code).unwrap_or(0)
    }
}

fn sleep(d: Duration) {
    let ts = Timespec {
        tv_sec: d.as_secs() as _,
        tv_nsec: d.subsec_nanos() as _,
    };
    let _ = rustix::thread::nanosleep(&ts);
}

/// Runs `plan` against process `target` from a separate process, started now.
pub fn send_from_outside(target: Pid, plan: Vec<Step>) -> Sent {
    let handle = thread::spawn(move || {
        let plan_in_child = plan.clone();
        let in_child = move || -> std::io::Result<()> {
            let mut delivered = 0i32;
            for step in &plan_in_child {
                match *step {
                    Step::Sleep(d) => sleep(d),
                    Step::Send(sig) => {
                        if kill_process(target, sig).is_ok() {
                            delivered += 1;
                        }
                    }
                }
            }
            // The count comes back as the exec's "error": 10_000 + delivered.
            Err(std::io::Error::from_raw_os_error(10_000 + delivered))
        };
        let mut p = Command::new("/nonexistent/sgmap-signaller");
        // SAFETY: `in_child` makes only raw system calls (nanosleep, kill) on memory that the
        // fork copied: async-signal-safe.
        unsafe { p.pre_exec(in_child) };
        match p.spawn() {
            Err(e) => match e.raw_os_error() {
                Some(n) if n >= 10_000 => n - 10_000,
                _ => panic!("signaller: {e}"),
            },
            Ok(mut child) => {
                let _ = child.kill();
                panic!("the signaller exec'd something");
            }
        }
    });
    Sent { handle }
}

/// Runs `plan` against this very process.
pub fn send_to_me(plan: Vec<Step>) -> Sent {
    send_from_outside(rustix::process::getpid(), plan)
}
