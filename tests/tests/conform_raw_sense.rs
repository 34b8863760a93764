//! `sgmap raw`, `sgmap sense` and `sgmap write-buffer` beside sg3_utils 1.46's `sg_raw`,
//! `sg_decode_sense` and `sg_write_buffer` in the same guest (issue 18): the same exit
//! status and standard output from `sgmap COMMAND`, the link named for the tool and the
//! tool itself, and for sg_raw (whose status lines, sense and data hex are on stderr) the
//! same standard error too.
//!
//! The sense decoder's random fixed and descriptor buffers are in
//! `conform_sense_random.rs` (500 a phase); here 120 more with `-v` and 80 that are not
//! sense data.

mod cli_common;
mod sense_gen;

use std::fs;

use cli_common::*;
use sense_gen::{decodes_the_same, random_buffers_decode_the_same, Rng, LINK_EVERY};

#[test]
fn sense_random_buffers_with_v_add_the_raw_hex_as_sg_decode_sense() {
    let _env = Env::get();
    random_buffers_decode_the_same(0x5eed_1018, 120, &["-v"]);
}

#[test]
fn sense_buffers_that_are_not_sense_data_decode_as_sg_decode_sense() {
    let _env = Env::get();
    let mut r = Rng(0x5eed_2018);
    for _ in 0..80 {
        let len = 1 + r.below(30) as usize;
        let mut b: Vec<u8> = (0..len).map(|_| r.byte()).collect();
        if r.chance(30) {
            b[0] = 0x7f;
        }
        decodes_the_same(&b, &[], b.len().is_multiple_of(LINK_EVERY));
    }
}

#[test]
fn sense_options_are_sg_decode_senses() {
    let _env = Env::get();
    let hex = scratch_file(
        "sense-hex.txt",
        b"72 05 24 00 00 00 00 08\n02 06 00 00 80 00 01 02\n",
    );
    let nospace = scratch_file("sense-nospace.txt", b"7205240000000008\n0206000080000102\n");
    let bin = scratch_file(
        "sense.bin",
        &[
            0x70, 0, 5, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x24, 0, 0, 0xc0, 0, 2,
        ],
    );
    let empty = scratch_file("sense-empty.bin", &[]);
    let f_hex = format!("--file={hex}");
    let f_bin = format!("--binary={bin}");
    let cases: &[&[&str]] = &[
        &["--status=2"],
        &["-s", "18"],
        &["-s", "0x28", "70", "00", "02", "00", "00", "00", "00", "0a"],
        &["-s", "zz"],
        &["-s", "100"],
        &["--err=0"],
        &["--err=1"],
        &["-e", "3"],
        &["-vv", "-e", "3"],
        &["-e", "36"],
        &["-vv", "-e", "36"],
        &["-vv", "-e", "0"],
        &["-e", "200"],
        &["-e", "44"],
        &["-e", "99"],
        &["-e", "256"],
        &["-e", "0x10"],
        &["--exit-status=24"],
        &["--exit_status=97"],
        &["--cdb", "12", "00", "00", "00", "24", "00"],
        &["-c", "9e", "10", "00", "00"],
        &[
            "-c", "28", "00", "00", "00", "00", "00", "00", "00", "01", "00",
        ],
        &["-c", "a3", "0c", "00", "00"],
        &[
            "-c", "7f", "00", "00", "00", "00", "00", "00", "18", "00", "0d",
        ],
        &["--nospace", "7205240000000008"],
        &["-n", "72052400", "00000008"],
        &["-n", "7205240g"],
        &[&f_hex],
        &["-f", &nospace, "-n"],
        &[&f_bin],
        &["-b", &empty],
        &["-b", "/nonexistent/sense"],
        &["-b", &bin, "-f", &hex],
        &["-b", &bin, "70", "00"],
        &["70", "00", "0g"],
        &["0x70", "00", "05"],
        &["100", "00"],
        &["+70", "00", "05"],
        &[],
        &["--help"],
        &["-h"],
        &["-V"],
        &["--version"],
    ];
    for args in cases {
        same_as_tool("sense", "sg_decode_sense", args);
    }
    // --write: the same file, binary and with --hex as C-style hex.
    let bytes = [
        "70", "00", "05", "00", "00", "00", "00", "0a", "00", "00", "00", "00", "24", "00", "00",
        "c0", "00", "02", "11",
    ];
    for hex_form in [false, true] {
        let ours = scratch("sense-w-ours");
        let theirs = scratch("sense-w-theirs");
        let link = scratch("sense-w-link");
        let mk = |p: &std::path::Path| {
            let mut a = vec![format!("--write={}", p.display())];
            if hex_form {
                a.push("--hex".to_owned());
            }
            a.extend(bytes.iter().map(|s| s.to_string()));
            a
        };
        let (a1, a2, a3) = (mk(&ours), mk(&theirs), mk(&link));
        fn v(a: &[String]) -> Vec<&str> {
            a.iter().map(String::as_str).collect()
        }
        let mut sub = vec!["sense"];
        sub.extend(v(&a1));
        let mine = sgmap(&sub);
        let real = sg3("sg_decode_sense", &v(&a2));
        let linked = as_tool("sg_decode_sense", &v(&a3));
        same_text(&mine, &real);
        same_text(&linked, &real);
        assert_eq!(
            fs::read(&ours).unwrap(),
            fs::read(&theirs).unwrap(),
            "--write hex={hex_form}"
        );
        assert_eq!(
            fs::read(&link).unwrap(),
            fs::read(&theirs).unwrap(),
            "--write hex={hex_form}"
        );
    }
    // --file=- reads standard input.
    let input = b"70 00 06 00 00 00 00 0a 00 00 00 00 29 00 00 00 00 00\n";
    let mine = sgmap_in(&["sense", "--file=-"], Some(input));
    let real = sg3_in("sg_decode_sense", &["--file=-"], input);
    same_text(&mine, &real);
}

/// sg3_utils' `tool` with `args` and `input` on stdin.
fn sg3_in(tool: &str, args: &[&str], input: &[u8]) -> Run {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new(format!("/usr/bin/{tool}"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the tool");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        args: std::iter::once(tool.to_owned())
            .chain(args.iter().map(|a| a.to_string()))
            .collect(),
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const INQUIRY: [&str; 6] = ["12", "00", "00", "00", "24", "00"];

#[test]
fn raw_status_sense_and_data_go_where_sg_raw_puts_them() {
    let env = Env::get();
    let sg = env.sg.as_str();
    // Settle any unit attention first.
    sg3("sg_turs", &[sg]);
    sg3("sg_turs", &[sg]);
    let with_cdb = |pre: &[&str], cdb: &[&str]| -> Vec<String> {
        pre.iter()
            .chain(std::iter::once(&sg))
            .chain(cdb.iter())
            .map(|s| s.to_string())
            .collect()
    };
    let cases: Vec<Vec<String>> = vec![
        with_cdb(&["-r", "36"], &INQUIRY),
        with_cdb(&["--request=36"], &INQUIRY),
        with_cdb(&["-r", "1k"], &["12", "00", "00", "00", "60", "00"]),
        with_cdb(&["-r", "36", "-b"], &INQUIRY),
        with_cdb(&["-r", "36", "--binary"], &INQUIRY),
        with_cdb(&["-r", "36", "-o", "-"], &INQUIRY),
        with_cdb(&["-r", "0"], &INQUIRY),
        with_cdb(&["-b"], &["00", "00", "00", "00", "00", "00"]),
        with_cdb(&[], &["00", "00", "00", "00", "00", "00"]),
        with_cdb(&["-R"], &["00", "00", "00", "00", "00", "00"]),
        with_cdb(&["--readonly", "-r", "36"], &INQUIRY),
        with_cdb(&["-t", "5"], &["00", "00", "00", "00", "00", "00"]),
        with_cdb(
            &["--timeout=30", "-r", "8"],
            &["25", "00", "00", "00", "00", "00", "00", "00", "00", "00"],
        ),
        // An unsupported opcode: ILLEGAL REQUEST, sense on stderr; --nosense leaves it out.
        with_cdb(&[], &["ff", "00", "00", "00", "00", "00"]),
        with_cdb(&["-n"], &["ff", "00", "00", "00", "00", "00"]),
        with_cdb(
            &["--nosense", "-r", "16"],
            &["ff", "00", "00", "00", "00", "00"],
        ),
        // An invalid field in the CDB (INQUIRY with EVPD of an unknown page).
        with_cdb(&["-r", "36"], &["12", "01", "fe", "00", "24", "00"]),
        with_cdb(&["-v", "-r", "36"], &["12", "01", "fe", "00", "24", "00"]),
        with_cdb(&["-v", "-r", "36"], &INQUIRY),
        with_cdb(&["-v"], &["00", "00", "00", "00", "00", "00"]),
        with_cdb(&["-k", "0", "-r", "36"], &INQUIRY),
        // INQUIRY, then opcode 13h (no command of a disk): both harmless.
        with_cdb(&["--scan=0x12,0x13", "-r", "36"], &INQUIRY),
    ];
    for args in &cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        same_as_tool_with_stderr("raw", "sg_raw", &a);
    }
}

#[test]
fn raw_outfile_infile_skip_and_cmdfile_are_sg_raws() {
    let env = Env::get();
    let sg = env.sg.as_str();
    sg3("sg_turs", &[sg]);
    // --outfile: the same bytes in the file, the same "Writing N bytes" line.
    let mut files = Vec::new();
    for who in ["ours", "link", "theirs"] {
        let p = scratch(&format!("raw-out-{who}.bin")).display().to_string();
        let mut a = vec![
            "-r".to_owned(),
            "36".to_owned(),
            format!("--outfile={p}"),
            sg.to_owned(),
        ];
        a.extend(INQUIRY.iter().map(|s| s.to_string()));
        let v: Vec<&str> = a.iter().map(String::as_str).collect();
        let run = match who {
            "ours" => {
                let mut sub = vec!["raw"];
                sub.extend(&v);
                sgmap(&sub)
            }
            "link" => as_tool("sg_raw", &v),
            _ => sg3("sg_raw", &v),
        };
        run.status(0);
        assert!(
            run.stderr
                .contains(&format!("Writing 36 bytes of data to {p}")),
            "{run:?}"
        );
        files.push(fs::read(&p).unwrap());
    }
    assert_eq!(files[0], files[2]);
    assert_eq!(files[1], files[2]);
    // --cmdfile, hex and (--raw) binary.
    let hexcmd = scratch_file("raw-cmd.txt", b"12 00 00 00 24 00\n");
    let bincmd = scratch_file("raw-cmd.bin", &[0x12, 0, 0, 0, 0x24, 0]);
    same_as_tool_with_stderr("raw", "sg_raw", &["-r", "36", "--cmdfile", &hexcmd, sg]);
    same_as_tool_with_stderr("raw", "sg_raw", &["-r", "36", "-c", &bincmd, "-w", sg]);
    same_as_tool_with_stderr("raw", "sg_raw", &["-r", "36", "-c", &bincmd, "--raw", sg]);
    // --send from --infile with --skip: a WRITE BUFFER of 8 bytes in mode 2 (data) to
    // buffer 0, which both tools send alike whatever the device makes of it.
    let data: Vec<u8> = (0u8..64).collect();
    let infile = scratch_file("raw-send.bin", &data);
    let wb = ["3b", "02", "00", "00", "00", "00", "00", "00", "08", "00"];
    for pre in [
        vec!["-s", "8", "-i", infile.as_str()],
        vec!["--send=8", "--infile", infile.as_str(), "--skip=16"],
        vec!["-s", "8", "-i", infile.as_str(), "-k", "60"],
        vec!["-s", "8", "-i", "/nonexistent/raw"],
    ] {
        let mut a = pre.clone();
        a.push(sg);
        a.extend(wb);
        same_as_tool("raw", "sg_raw", &a);
    }
}

#[test]
fn raw_refusals_and_enumerate_are_sg_raws() {
    let env = Env::get();
    let sg = env.sg.as_str();
    let cases: &[&[&str]] = &[
        &[],
        &[sg],
        &[sg, "00", "00", "00", "00", "00"],
        &[sg, "12", "00", "00", "00", "24", "0g"],
        &[sg, "12", "00", "00", "00", "24", "100"],
        &["-r", "x", sg, "00", "00", "00", "00", "00", "00"],
        &["-r", "2m", sg, "00", "00", "00", "00", "00", "00"],
        &["-s", "-1", sg, "00", "00", "00", "00", "00", "00"],
        &["-k", "-1", sg, "00", "00", "00", "00", "00", "00"],
        &["-t", "x", sg, "00", "00", "00", "00", "00", "00"],
        &["-i", "a", "-i", "b", sg, "00", "00", "00", "00", "00", "00"],
        &["-o", "a", "-o", "b", sg, "00", "00", "00", "00", "00", "00"],
        &["-C", "3", sg, "00", "00", "00", "00", "00", "00"],
        &["-Q", "1", sg, "00", "00", "00", "00", "00", "00"],
        &["-Q", "1,300", sg, "00", "00", "00", "00", "00", "00"],
        &["-e", sg, "12", "00", "00", "00", "24", "00"],
        &[
            "--enumerate",
            "/nonexistent/sg",
            "9e",
            "10",
            "00",
            "00",
            "00",
            "00",
            "00",
            "00",
            "00",
            "00",
            "00",
            "00",
            "00",
            "20",
            "00",
            "00",
        ],
        &[
            "-e", sg, "28", "00", "00", "00", "00", "00", "00", "00", "01", "00",
        ],
        &[
            "-vv", "-e", sg, "2a", "00", "00", "00", "00", "00", "00", "00", "01", "00",
        ],
        &["-h"],
        &["--help"],
        &["--bogus", sg],
        &["-V"],
        &["/nonexistent/sg", "00", "00", "00", "00", "00", "00"],
    ];
    for args in cases {
        same_as_tool("raw", "sg_raw", args);
    }
    same_as_tool_with_stderr("raw", "sg_raw", &["-V"]);
}

#[test]
fn write_buffer_options_are_sg_write_buffers() {
    let env = Env::get();
    let sg = env.sg.as_str();
    sg3("sg_turs", &[sg]);
    let img = scratch_file("wb-conform.bin", &pattern(10_000, 51));
    let i = format!("--in={img}");
    // --dry-run sends nothing: the -v lines on stderr say what would be sent.
    let with_stderr: &[&[&str]] = &[
        &[
            "-d",
            "-I",
            &img,
            "-m",
            "dmc_offs_save",
            "-b",
            "4k",
            "-v",
            sg,
        ],
        &["-d", "-I", &img, "-m", "7", "-v", sg],
        &[
            "--dry-run",
            &i,
            "--mode=dmc_offs_defer",
            "--bpw=4096,act",
            "--offset=0x100",
            "-v",
            sg,
        ],
        &[
            "--dry_run",
            &i,
            "--mode=7",
            "--length=20000",
            "--bpw=8k",
            "-v",
            sg,
        ],
        &["-d", &i, "-m", "7", "-l", "12000", sg],
        &["-d", &i, "-m", "7", "-s", "100", "-v", sg],
        &["-d", &i, "-m", "7", "--skip=4000", "--bpw=1000", "-v", sg],
        &["-d", &i, "-m", "7", "-S", "3", "-v", sg],
        &["-d", &i, "-m", "7", "--specific=5", "-b", "4096", "-v", sg],
        &["-d", &i, "-m", "data", "-i", "5", "-v", sg],
        &["-d", &i, "-m", "dmc_o", "--id=7", "-v", sg],
        &["-d", &i, "-m", "0x0e", "-t", "10", "-v", sg],
        &["-d", &i, "--timeout=60", "-v", sg],
        &["-d", &i, "-m", "7", "--bpw=0", "-v", sg],
        &["-d", &i, "-m", "7", "--bpw=4k,now", "-v", sg],
        &["-d", &i, "-m", "7", "-l", "100", "-b", "4k", "-v", sg],
        &["-m", "xxx", sg],
        &["--mode=nonsense", &i, sg],
        &["-V"],
        &["--version"],
    ];
    for args in with_stderr {
        same_as_tool_with_stderr("write-buffer", "sg_write_buffer", args);
    }
    let plain: &[&[&str]] = &[
        &["-h"],
        &["--help"],
        &["-hh"],
        &["--bogus", sg],
        &[],
        &["-d", &i],
        &["-d", &i, sg, sg],
        &["-m", "32", &i, sg],
        &["-S", "8", &i, sg],
        &["-i", "256", &i, sg],
        &["-d", "-I", "/nonexistent/fw", "-m", "7", sg],
        &["-d", "-I", &img, "-m", "7", "/nonexistent/sg"],
        // A real download in mode 2 (data): whatever the device answers, the same status.
        &["-m", "2", "-I", &img, sg],
        &["-m", "data", "--in", &img, "--bpw=4k", sg],
    ];
    for args in plain {
        same_as_tool("write-buffer", "sg_write_buffer", args);
    }
    sg3("sg_turs", &[sg]);
}
