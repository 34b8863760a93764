//! sgmap as a multi-call binary: the sg3_utils names it answers to (`--list-names`), the
//! links `--install` makes, dispatch on the program name, each tool's `-V` line beside the
//! real tool's, the nodes the tools accept (sg, block) and the statuses of a node that
//! does not open, compared with sg3_utils 1.46 in the same guest.

mod cli_common;

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use cli_common::*;

/// The names sgmap answers to, as `--list-names` prints them.
fn names() -> Vec<String> {
    let run = sgmap(&["--list-names"]);
    run.status(0);
    run.out().lines().map(str::to_owned).collect()
}

/// A fresh, empty directory on the file system of `/bin/sgmap` (the initramfs' root; /tmp
/// is another one, where a hard link cannot reach).
fn fresh_dir(name: &str) -> String {
    let dir = format!("/{name}");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("mkdir");
    dir
}

#[test]
fn list_names_prints_every_tool_sgmap_replaces_once() {
    let names = names();
    for tool in [
        "sg_inq",
        "sg_vpd",
        "sg_readcap",
        "sg_turs",
        "sg_requests",
        "sg_start",
        "sg_sync",
        "sg_verify",
        "sg_luns",
        "sg_opcodes",
        "sg_format",
        "sg_sanitize",
        "sg_unmap",
        "sg_write_same",
        "sg_dd",
        "sgm_dd",
        "sgp_dd",
        "sg_write_buffer",
        "sg_raw",
        "sg_decode_sense",
    ] {
        assert_eq!(
            names.iter().filter(|n| *n == tool).count(),
            1,
            "{tool} in {names:?}"
        );
        // Each is a real sg3_utils program in this guest.
        assert!(Path::new(&format!("/usr/bin/{tool}")).exists(), "{tool}");
    }
    assert_eq!(names.len(), 20, "{names:?}");
}

#[test]
fn install_makes_hard_links_by_default_and_symlinks_on_request() {
    let sgmap_ino = fs::metadata(SGMAP).unwrap().ino();
    let hard = fresh_dir("sgmap-install-hard");
    sgmap(&["--install", &hard]).status(0);
    for name in names() {
        let meta = fs::symlink_metadata(format!("{hard}/{name}")).unwrap();
        assert!(meta.file_type().is_file(), "{name}: a hard link");
        assert_eq!(meta.ino(), sgmap_ino, "{name}: the same file as sgmap");
    }
    // Again: nothing to do, still 0.
    sgmap(&["--install", &hard]).status(0);

    let soft = fresh_dir("sgmap-install-soft");
    sgmap(&["--install", "--symlinks", &soft]).status(0);
    for name in names() {
        let link = format!("{soft}/{name}");
        let target = fs::read_link(&link).unwrap();
        assert_eq!(target, Path::new(SGMAP), "{name}");
    }
    // `-s` is busybox's spelling; the same links, nothing to do.
    sgmap(&["--install", "-s", &soft]).status(0);
}

#[test]
fn install_leaves_a_file_that_is_not_sgmap_unless_forced() {
    let dir = fresh_dir("sgmap-install-clash");
    fs::write(format!("{dir}/sg_inq"), b"#!/bin/sh\necho other\n").unwrap();
    let run = sgmap(&["--install", &dir]);
    run.status(15).err_has("sg_inq");
    // The other file is untouched; every other name was made.
    assert_eq!(
        fs::read(format!("{dir}/sg_inq")).unwrap(),
        b"#!/bin/sh\necho other\n"
    );
    assert!(Path::new(&format!("{dir}/sg_turs")).exists());
    sgmap(&["--install", "--force", &dir]).status(0);
    assert_eq!(
        fs::metadata(format!("{dir}/sg_inq")).unwrap().ino(),
        fs::metadata(SGMAP).unwrap().ino()
    );
    // Usage errors: no directory, an unknown option.
    sgmap(&["--install"]).status(1).diagnosed();
    sgmap(&["--install", "--bogus", &dir]).status(1).diagnosed();
    // A directory that does not exist: a file error, said once.
    let run = sgmap(&["--install", "/nonexistent/dir"]);
    run.status(15).err_has("not a directory");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    // Hard links cannot cross to another file system (/tmp here): EXDEV, 50 + 18, with the
    // way out named; symbolic links can.
    let tmp = format!("/tmp/{}", dir.trim_start_matches('/'));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp).unwrap();
    sgmap(&["--install", &tmp]).status(68).err_has("--symlinks");
    sgmap(&["--install", "--symlinks", &tmp]).status(0);
}

#[test]
fn a_link_with_a_tool_name_runs_that_tool_and_its_version_line_is_the_tools() {
    for name in names() {
        let theirs = sg3(&name, &["-V"]);
        let ours = as_tool(&name, &["-V"]);
        assert_eq!(ours.code, theirs.code, "{name} -V:\n{ours:?}\n{theirs:?}");
        assert_eq!(
            ours.stderr, theirs.stderr,
            "{name} -V:\n{ours:?}\n{theirs:?}"
        );
        assert_eq!(
            ours.stdout, theirs.stdout,
            "{name} -V:\n{ours:?}\n{theirs:?}"
        );
        // `sgmap TOOL` is the same program.
        let sub = sgmap(&[name.as_str(), "-V"]);
        assert_eq!(sub.stderr, theirs.stderr, "sgmap {name} -V");
    }
    // rescan-scsi-bus.sh takes the third field of `sg_inq -V` to choose its options.
    let line = as_tool("sg_inq", &["-V"]).stderr;
    let third = line
        .trim_end()
        .split(' ')
        .nth(2)
        .unwrap_or_default()
        .to_owned();
    assert!(third.starts_with("2."), "{line:?}");
    // A name sgmap does not answer to is not dispatched on: sgmap's own usage, 1.
    let other = fresh_dir("sgmap-other-name");
    let path = format!("{other}/sg_frobnicate");
    std::os::unix::fs::symlink(SGMAP, &path).unwrap();
    let out = std::process::Command::new(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Usage: sgmap"));
}

#[test]
fn the_tools_answer_from_the_block_node_as_sg3_utils_does() {
    let env = Env::get();
    same_as_tool("inquiry", "sg_inq", &[&env.block]);
    same_as_tool("readcap", "sg_readcap", &[&env.block]);
    same_as_tool("tur", "sg_turs", &[&env.block]);
    same_as_tool("inquiry", "sg_inq", &["--export", &env.block]);
    // The block node and the sg node are the same unit.
    assert_eq!(
        as_tool("sg_inq", &[&env.block]).stdout,
        as_tool("sg_inq", &[&env.sg]).stdout
    );
}

#[test]
fn the_tools_answer_from_the_bsg_node_as_sg3_utils_does() {
    let env = Env::get();
    // The unit's bsg node is named for its H:C:T:L, the one entry of its sysfs `bsg`
    // directory (the guests' kernels have CONFIG_BLK_DEV_BSG).
    let sg_name = env.sg.rsplit('/').next().unwrap();
    let dir = format!("/sys/class/scsi_generic/{sg_name}/device/bsg");
    let hctl = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .next()
        .unwrap_or_else(|| panic!("{dir} is empty"))
        .unwrap()
        .file_name();
    let bsg = format!("/dev/bsg/{}", hctl.to_string_lossy());
    assert!(std::path::Path::new(&bsg).exists(), "{bsg}");
    same_as_tool("inquiry", "sg_inq", &[&bsg]);
    same_as_tool("readcap", "sg_readcap", &[&bsg]);
    same_as_tool("tur", "sg_turs", &[&bsg]);
    same_as_tool("inquiry", "sg_inq", &["--export", &bsg]);
    // The bsg node and the sg node are the same unit.
    assert_eq!(
        as_tool("sg_inq", &[&bsg]).stdout,
        as_tool("sg_inq", &[&env.sg]).stdout
    );
}

#[test]
fn a_node_that_does_not_open_has_the_tools_status() {
    let dir = fresh_dir("sgmap-not-a-node");
    let regular = scratch_file("multicall-regular", b"hello");
    for (command, tool) in [
        ("inquiry", "sg_inq"),
        ("readcap", "sg_readcap"),
        ("tur", "sg_turs"),
    ] {
        for path in [
            "/nonexistent/sg9",
            "/dev/null",
            dir.as_str(),
            regular.as_str(),
        ] {
            let theirs = sg3(tool, &[path]);
            for ours in [sgmap(&[command, path]), as_tool(tool, &[path])] {
                // The same status and stdout as the tool (sg_turs prints the errno's text
                // there), and a diagnostic that names the node on stderr.
                same_text(&ours, &theirs);
                assert!(ours.stderr.contains(path), "{ours:?}");
            }
        }
    }
}
