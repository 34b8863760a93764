//! A SCSI unit without an sg node, because the `sg` module is not loaded: a command on its
//! block node says so, names the fix (`modprobe sg`) and exits with sg3_utils' file-error
//! status (15), under sgmap's own name and under a tool's; with `sg` loaded again the same
//! command answers. Its own test binary, run in one phase (`ONCE` in guest-init): it unloads
//! the module every other test's node belongs to, so nothing may run beside it.

mod cli_common;

use std::ffi::CString;
use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use cli_common::*;
use rustix::io::Errno;
use rustix::system;

/// Where the guest's init loads its modules from.
const SG_MODULE: &str = "/lib/modules/sg.ko";

/// How long the kernel may take to let go of `sg` or to make the node again.
const WAIT: Duration = Duration::from_secs(20);

/// Loads `sg` again when dropped, and waits for the unit's node: whatever the test found,
/// the phase's later binaries get their node back.
struct Reload<'a> {
    sg: &'a str,
}

impl Drop for Reload<'_> {
    fn drop(&mut self) {
        let file = File::open(SG_MODULE).expect(SG_MODULE);
        match system::finit_module(&file, c"", 0) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => panic!("finit_module {SG_MODULE}: {e}"),
        }
        let deadline = Instant::now() + WAIT;
        while !Path::new(self.sg).exists() {
            assert!(Instant::now() < deadline, "{} did not come back", self.sg);
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Unloads `sg` (as `rmmod sg`: refused while a node is open, so retried until then).
fn unload_sg() {
    let name = CString::new("sg").unwrap();
    let deadline = Instant::now() + WAIT;
    loop {
        match system::delete_module(&name, rustix::fs::OFlags::NONBLOCK.bits() as i32) {
            Ok(()) => return,
            Err(Errno::AGAIN | Errno::BUSY) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => panic!("delete_module sg: {e}"),
        }
    }
}

#[test]
fn without_the_sg_module_a_block_node_names_the_fix() {
    let env = Env::get();
    let sg_name = env.sg.rsplit('/').next().unwrap();
    let runs = {
        let _reload = Reload { sg: &env.sg };
        unload_sg();
        assert!(
            !Path::new(&format!("/sys/class/scsi_generic/{sg_name}")).exists(),
            "{sg_name} still in sysfs"
        );
        [
            sgmap(&["inquiry", &env.block]),
            as_tool("sg_inq", &[&env.block]),
            as_tool("sg_readcap", &[&env.block]),
            as_tool("sg_turs", &[&env.block]),
        ]
    };
    for run in &runs {
        run.status(15).err_has("modprobe sg").err_has(&env.block);
    }
    // sg is back (the guard waited for the node): the same command answers.
    sgmap(&["inquiry", &env.block]).status(0);
}
