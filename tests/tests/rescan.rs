//! sg3_utils' own script, `rescan-scsi-bus.sh` (1.46, as Debian ships it), run unchanged
//! with sgmap's links first in `PATH`, gives the same report and leaves the same devices
//! as with sg3_utils' programs. It calls `sg_inq -V` (the third field chooses
//! `--len=36` or `-36`), `sg_luns` (REPORT LUNS, the list it scans), `sg_turs` and
//! `sg_inq --len=36` (is an existing unit still the same?). The guest has bash, busybox
//! (whose applets this test links), GNU find and pr (`cargo xtask test` puts them in the
//! amd64 guest); no udevadm, multipath or modprobe, so the script takes its paths without
//! them.
//!
//! The scenario: scsi_debug's `max_luns` is raised from 1 to 2, so the target of the
//! device under test gains a LUN 1 that REPORT LUNS lists but the kernel has not scanned;
//! each run (the real tools, then the links) starts without it, checks LUN 0 and adds
//! LUN 1. Nothing in the report depends on time, so it is compared byte for byte, with
//! stderr and the exit status. The four command lines the script runs are then compared
//! directly too, since the 1.46 script reads only part of their output.

mod cli_common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cli_common::*;
use sgmap_tests::Devices;

/// sg3_utils' script, where sg3-utils installs it.
const SCRIPT: &str = "/usr/bin/rescan-scsi-bus.sh";
/// busybox, and the directory of its applet links this test makes.
const BUSYBOX: &str = "/bin/busybox";
const BUSYBOX_DIR: &str = "/tmp/rescan-busybox";
/// The programs the script calls that busybox provides (`find` and `pr` are GNU's, in
/// /usr/bin: busybox's find lacks `-printf` and busybox has no pr).
const APPLETS: &[&str] = &[
    "awk", "basename", "cat", "cut", "egrep", "grep", "head", "hexdump", "ls", "mktemp",
    "readlink", "rm", "sed", "seq", "sleep", "sort", "sync", "tail", "tr", "wc", "which",
];
/// `BASH_ENV`: bash reads it before the script; it records where the script's `PATH`
/// finds the sg3_utils names it calls.
const BASH_ENV: &str = "/tmp/rescan-bash-env";
const RESOLVED: &str = "/tmp/rescan-resolved";
/// The sg3_utils programs the script calls.
const CALLED: &[&str] = &["sg_inq", "sg_turs", "sg_luns"];
const SCSI_DEVICES: &str = "/sys/class/scsi_device";

/// One run of the script.
#[derive(Debug)]
struct Report {
    code: i32,
    stdout: String,
    stderr: String,
    /// `command -v` of each of [`CALLED`] in the script's shell.
    resolved: Vec<String>,
}

/// Runs the script with `args` and `PATH=path`, and nothing else in its environment but
/// [`BASH_ENV`].
fn rescan(path: &str, args: &[&str]) -> Report {
    let _ = fs::remove_file(RESOLVED);
    let started = Instant::now();
    let out = Command::new(SCRIPT)
        .args(args)
        .env_clear()
        .env("PATH", path)
        .env("BASH_ENV", BASH_ENV)
        .current_dir("/tmp")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {SCRIPT}: {e}"));
    println!(
        "PATH={path} {SCRIPT} {}: {} ms",
        args.join(" "),
        started.elapsed().as_millis()
    );
    let resolved = fs::read_to_string(RESOLVED)
        .unwrap_or_else(|e| panic!("{RESOLVED}: {e} (was BASH_ENV read?)"))
        .lines()
        .map(str::to_owned)
        .collect();
    Report {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        resolved,
    }
}

/// Each SCSI device (`H:C:T:L`) with what sysfs says of it: vendor, model, revision, type.
fn scsi_devices() -> BTreeMap<String, String> {
    let mut devices = BTreeMap::new();
    for entry in fs::read_dir(SCSI_DEVICES).expect("read /sys/class/scsi_device") {
        let name = entry.expect("read /sys/class/scsi_device").file_name();
        let name = name.to_string_lossy().into_owned();
        let attr = |a: &str| {
            fs::read_to_string(format!("{SCSI_DEVICES}/{name}/device/{a}"))
                .map(|v| v.trim_end().to_owned())
                .unwrap_or_else(|e| format!("({a}: {e})"))
        };
        let what = ["vendor", "model", "rev", "type"].map(attr).join("|");
        devices.insert(name, what);
    }
    devices
}

/// Removes the SCSI device `hctl` (as `echo 1 > delete`) and waits until it is gone.
fn delete(hctl: &str) {
    let dir = format!("{SCSI_DEVICES}/{hctl}");
    fs::write(format!("{dir}/device/delete"), "1").unwrap_or_else(|e| panic!("delete {hctl}: {e}"));
    let start = Instant::now();
    while Path::new(&dir).exists() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{hctl} still there 10 s after delete"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Until dropped: scsi_debug's `max_luns` raised to 2. Then LUN 1 of the target goes, the
/// old value comes back, and the unit attentions that both changes leave on the phase's
/// devices are taken, for the next tests.
struct ExtraLun {
    max_luns: Option<SysfsKnob>,
    lun1: String,
    sgs: Vec<String>,
}

impl ExtraLun {
    fn add(dev: &Devices, lun1: &str) -> ExtraLun {
        let param = sdebug_param(dev.scsi_debug().dir(), "max_luns");
        let mut sgs = vec![dev.sg.display().to_string()];
        sgs.extend(dev.sg2.as_ref().map(|s| s.display().to_string()));
        ExtraLun {
            max_luns: Some(SysfsKnob::set(&param, "2")),
            lun1: lun1.to_owned(),
            sgs,
        }
    }

    /// Each device's pending unit attention (REPORTED LUNS DATA HAS CHANGED) taken.
    fn quiet(&self) {
        for sg in &self.sgs {
            clear_unit_attention(sg);
        }
    }
}

impl Drop for ExtraLun {
    fn drop(&mut self) {
        let delete = format!("{SCSI_DEVICES}/{}/device/delete", self.lun1);
        if Path::new(&delete).exists() {
            if let Err(e) = fs::write(&delete, "1") {
                eprintln!("delete {}: {e}", self.lun1);
            }
        }
        drop(self.max_luns.take());
        // Not clear_unit_attention: no panic in a drop.
        for sg in &self.sgs {
            let _ = (0..4).any(|_| sgmap(&["tur", sg]).code == 0);
        }
    }
}

/// The `H:C:T:L` of an sg node, from sysfs.
fn hctl_of(sg: &Path) -> String {
    let name = sg.file_name().expect("an sg node's name").to_string_lossy();
    let link = fs::read_link(format!("/sys/class/scsi_generic/{name}/device"))
        .unwrap_or_else(|e| panic!("{name}: its SCSI device: {e}"));
    link.file_name()
        .expect("a SCSI device's name")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn scsi_debug_rescan_scsi_bus_sh_reports_and_adds_the_same_through_the_links_as_with_sg3_utils() {
    let dev = Devices::from_env();
    let hctl = hctl_of(&dev.sg);
    let (host, lun0) = hctl.split_once(':').expect("H:C:T:L");
    assert!(
        lun0.ends_with(":0"),
        "{hctl}: the device under test is LUN 0"
    );
    let target = hctl.rsplit_once(':').expect("H:C:T:L").0.to_owned();

    // The links, busybox's applets, and the BASH_ENV probe.
    let links = Path::new(&tool_link("sg_inq"))
        .parent()
        .expect("the link directory")
        .display()
        .to_string();
    let _ = fs::remove_dir_all(BUSYBOX_DIR);
    fs::create_dir_all(BUSYBOX_DIR).expect("mkdir the busybox directory");
    for applet in APPLETS {
        symlink(BUSYBOX, format!("{BUSYBOX_DIR}/{applet}"))
            .unwrap_or_else(|e| panic!("link {applet} to {BUSYBOX}: {e}"));
    }
    fs::write(
        BASH_ENV,
        format!("command -v {} > {RESOLVED}\n", CALLED.join(" ")),
    )
    .expect("write the BASH_ENV file");

    let before = scsi_devices();
    let lun1 = format!("{target}:1");
    assert!(!before.contains_key(&lun1), "{lun1} exists before the test");
    let extra = ExtraLun::add(&dev, &lun1);
    let args = [format!("--hosts={host}")];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    extra.quiet();
    let theirs = rescan(&format!("{BUSYBOX_DIR}:/usr/bin"), &args);
    let after_theirs = scsi_devices();
    delete(&lun1);
    extra.quiet();
    let ours = rescan(&format!("{links}:{BUSYBOX_DIR}:/usr/bin"), &args);
    let after_ours = scsi_devices();

    let expected: Vec<String> = CALLED.iter().map(|t| format!("/usr/bin/{t}")).collect();
    assert_eq!(theirs.resolved, expected, "sg3_utils' run:\n{theirs:#?}");
    let expected: Vec<String> = CALLED.iter().map(|t| format!("{links}/{t}")).collect();
    assert_eq!(ours.resolved, expected, "the links' run:\n{ours:#?}");
    for name in CALLED {
        let target = fs::read_link(format!("{links}/{name}"))
            .unwrap_or_else(|e| panic!("{links}/{name}: {e}"));
        assert_eq!(target, Path::new(SGMAP), "{links}/{name}");
    }

    // The scenario happened: LUN 1 was found (by sg3_utils' own run, the reference).
    assert!(
        after_theirs.contains_key(&lun1) && after_theirs.len() == before.len() + 1,
        "sg3_utils' run did not add {lun1} alone:\nbefore {before:#?}\nafter {after_theirs:#?}\n\
         {theirs:#?}"
    );
    assert_eq!(theirs.code, 0, "{theirs:#?}");
    assert_eq!(
        (ours.code, &ours.stdout, &ours.stderr),
        (theirs.code, &theirs.stdout, &theirs.stderr),
        "the report (status, stdout, stderr) through the links differs from sg3_utils':\n\
         links: {ours:#?}\nsg3_utils: {theirs:#?}"
    );
    assert_eq!(
        after_ours, after_theirs,
        "the devices after the run through the links differ from those after sg3_utils'"
    );

    // What the script read, command line by command line: the 1.46 script uses only part
    // of it (it looks for `PQual=N  Device_type=`, which sg_inq 1.46 no longer prints).
    extra.quiet();
    let sg = dev.sg.display().to_string();
    let calls: [(&str, &[&str]); 4] = [
        ("sg_inq", &["-V"]),
        ("sg_luns", &[&sg]),
        ("sg_turs", &[&sg]),
        ("sg_inq", &["--len=36", &sg]),
    ];
    for (tool, args) in calls {
        let theirs = sg3(tool, args);
        let ours = as_tool(tool, args);
        same_text(&ours, &theirs);
        // `sg_inq -V 2>&1 | cut -d " " -f 3`: its version is on stderr.
        if args == ["-V"] {
            assert_eq!(
                ours.stderr, theirs.stderr,
                "{ours:?}\nsg3_utils:\n{theirs:?}"
            );
        }
    }
    drop(extra);
}
