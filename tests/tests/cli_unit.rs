//! `sgmap start`, `stop`, `sync`, `verify` and `luns` beside sg3_utils 1.46's `sg_start`,
//! `sg_sync`, `sg_verify` and `sg_luns`, on the same device in the same guest: the same exit
//! status and the same standard output, failures included; and what the commands did to
//! the device (a stopped unit is NOT READY, the compare data of `verify --ndo` reaches it
//! through the mapped reserve).

mod cli_common;

use cli_common::*;

/// Runs `sgmap COMMAND OPTS... DEVICE` and `TOOL OPTS... DEVICE`, compares them, and returns
/// sgmap's run.
#[track_caller]
fn both(command: &str, tool: &str, opts: &[&str], device: &str) -> Run {
    let mut ours = vec![command];
    ours.extend(opts);
    ours.push(device);
    let mut theirs: Vec<&str> = opts.to_vec();
    theirs.push(device);
    let (a, b) = (sgmap(&ours), sg3(tool, &theirs));
    same_text(&a, &b);
    a
}

/// Starts the unit again when dropped, so that a failed test leaves no stopped unit behind.
struct Restart(String);

impl Drop for Restart {
    fn drop(&mut self) {
        let _ = sgmap(&["start", &self.0]);
        let _ = sgmap(&["tur", &self.0]);
    }
}

/// An LBA past the end of the device.
fn past_end(env: &Env) -> String {
    (env.blocks() + 10).to_string()
}

#[test]
fn start_and_stop_exit_as_sg_start_does() {
    let env = Env::get();
    let _restart = Restart(env.sg.clone());
    for opts in [
        &["--stop"][..],
        &["0", "--immed"],
        &["-S", "--noflush"],
        &["--start"],
        &["1"],
        &[],
        &["--immed", "--start"],
        &["--loej"],
        &["--load"],
        &["--fl=1"],
        &["--pc=3"],
        &["--pc=2", "--mod=1"],
        &["--start"],
        // Refusals: contradictions are 31, bad values 1, before anything is sent.
        &["--start", "--stop"],
        &["0", "1"],
        &["--load", "--eject"],
        &["--fl=1", "--stop"],
        &["--fl=1", "--pc=2"],
        &["--fl=4"],
        &["--pc=16"],
        &["--mod=16"],
    ] {
        both("start", "sg_start", opts, &env.sg);
    }
    // `sgmap stop` is `sg_start --stop`.
    let stop = sgmap(&["stop", &env.sg]);
    let theirs = sg3("sg_start", &["--stop", &env.sg]);
    same_text(&stop, &theirs);
    let contradiction = sgmap(&["stop", "--start", &env.sg]);
    same_text(
        &contradiction,
        &sg3("sg_start", &["--stop", "--start", &env.sg]),
    );
    contradiction.status(31).diagnosed();
    sgmap(&["start", &env.sg]).status(0);
    sgmap(&["tur", &env.sg]).status(0);
}

#[test]
fn scsi_debug_stop_makes_the_unit_not_ready_and_start_makes_it_ready() {
    let env = Env::get();
    let _restart = Restart(env.sg.clone());
    let read = |sg: &str| {
        let request = format!("--request={}", env.ss);
        sgmap(&[
            "raw", &request, sg, "28", "00", "00", "00", "00", "00", "00", "00", "01", "00",
        ])
    };
    read(&env.sg).status(0);
    sgmap(&["stop", &env.sg]).status(0);
    // TEST UNIT READY and READ now say NOT READY (2), as sg_turs sees it.
    sgmap(&["tur", &env.sg]).status(2).err_has("Not Ready");
    sg3("sg_turs", &[&env.sg]).status(2);
    read(&env.sg).status(2);
    // The commands a script runs on a stopped unit fail as sg3_utils' do.
    both("sync", "sg_sync", &[], &env.sg);
    both("verify", "sg_verify", &[], &env.sg);
    let json = sgmap(&["start", "--json", &env.sg]).status(0).json();
    assert_eq!(json.get("exit_status").num(), 0);
    assert!(json.get("start").bool());
    assert!(json.get("error").is_null());
    sgmap(&["tur", &env.sg]).status(0);
    read(&env.sg).status(0);
    // And the other way round: sg_start stops, sgmap sees it; sgmap stops, sg_turs sees it.
    sg3("sg_start", &["--stop", &env.sg]).status(0);
    sgmap(&["tur", &env.sg]).status(2);
    sgmap(&["start", "1", &env.sg]).status(0);
    sg3("sg_turs", &[&env.sg]).status(0);
    sgmap(&["start", "0", &env.sg]).status(0);
    sg3("sg_turs", &[&env.sg]).status(2);
    sgmap(&["start", &env.sg]).status(0);
    sg3("sg_turs", &[&env.sg]).status(0);
}

#[test]
fn scsi_debug_a_power_condition_is_an_invalid_field_5_as_sg_start_sees_it() {
    let env = Env::get();
    let _restart = Restart(env.sg.clone());
    // scsi_debug 6.1 refuses any POWER CONDITION (05/24/00, field in byte 4).
    let run = both("start", "sg_start", &["--pc=3"], &env.sg);
    run.status(5).err_has("START STOP UNIT");
    let json = sgmap(&["start", "--pc=3", "--json", &env.sg])
        .status(5)
        .json();
    assert_eq!(json.get("exit_status").num(), 5);
    assert_eq!(json.get("error").get("sense").get("sense_key").num(), 5);
    assert_eq!(json.get("cdb").str(), "1b 00 00 00 30 00");
}

#[test]
fn sync_exits_as_sg_sync_does() {
    let env = Env::get();
    let end = format!("--lba={}", past_end(&env));
    for opts in [
        &[][..],
        &["--16"],
        &["--lba=1", "--count=8", "--immed"],
        &["-S", "-l", "1", "-c", "8", "-i"],
        &["--group=3"],
        &["--16", "--group=3", "--timeout=30"],
        &["--sync-nv"],
        &[&end],
        &["--16", &end],
        &["--count=65536"],
        &["--16", "--count=65536"],
        &["--group=64"],
        &["--lba=-1"],
    ] {
        both("sync", "sg_sync", opts, &env.sg);
    }
}

#[test]
fn scsi_debug_sync_past_the_end_is_lba_out_of_range_22() {
    let env = Env::get();
    let end = format!("--lba={}", past_end(&env));
    both("sync", "sg_sync", &[&end], &env.sg)
        .status(22)
        .err_has("SYNCHRONIZE CACHE (10)");
    both("sync", "sg_sync", &["--16", &end], &env.sg).status(22);
    // The (16) carries a count the (10) cannot (sgmap and sg_sync refuse that one with 99,
    // sending nothing); 65536 blocks pass the end of the 16 MiB device: 22 from the device.
    both("sync", "sg_sync", &["--16", "--count=65536"], &env.sg).status(22);
    both("sync", "sg_sync", &["--count=65536"], &env.sg).status(99);
    let json = sgmap(&["sync", "--json", &end, &env.sg]).status(22).json();
    assert_eq!(json.get("exit_status").num(), 22);
    assert_eq!(json.get("error").get("category").num(), 22);
}

#[test]
fn sync_refuses_a_count_sync_cache_10_cannot_hold() {
    let env = Env::get();
    // sg_sync cuts an LBA past 32 bits to its low 32 bits for the (10); sgmap does as it
    // does (conform_unit compares them).
    // More than 65535 blocks without --16: sg_sync's 99, nothing sent.
    sgmap(&["sync", "--count=70000", &env.sg])
        .status(99)
        .err_has("add --16");
}

#[test]
fn verify_exits_as_sg_verify_does() {
    let env = Env::get();
    let end = format!("--lba={}", past_end(&env));
    for opts in [
        &[][..],
        &["--16"],
        &["--lba=10", "--count=300", "--bpc=100"],
        &["--lba=10", "--count=300", "--bpc=100", "--16", "--dpo"],
        &["--count=0"],
        &["--group=2"],
        &["--16", "--group=2"],
        &[&end],
        &[&end, "--16"],
        // Refusals.
        &["--ebytchk=1"],
        &["--ebytchk=4"],
        &["--vrprotect=8"],
        &["--bpc=0"],
    ] {
        both("verify", "sg_verify", opts, &env.sg);
    }
}

/// Writes `blocks` blocks of a pattern at `lba` through the block node and returns them.
fn written(env: &Env, lba: u64, blocks: u64, seed: u64) -> Vec<u8> {
    let data = pattern((blocks * env.ss) as usize, seed);
    write_block(&env.block, lba * env.ss, &data);
    data
}

#[test]
fn verify_compare_data_goes_through_the_reserve_as_sg_verify_sends_it() {
    let env = Env::get();
    let data = written(&env, 100, 4, 71);
    let right = scratch_file("verify-right.bin", &data);
    let mut bad = data.clone();
    bad[2 * env.ss as usize + 5] ^= 0x5a;
    let wrong = scratch_file("verify-wrong.bin", &bad);
    let ndo = format!("--ndo={}", data.len());
    let one = format!("--ndo={}", env.ss);
    for file in [&right, &wrong] {
        let input = format!("--in={file}");
        for opts in [
            &["--lba=100", "--count=4", &ndo, &input][..],
            &["--16", "--lba=100", "--count=4", &ndo, &input],
            &["--lba=100", "--count=4", &ndo, &input, "--quiet"],
            &["--lba=100", "--count=4", &ndo, &input, "--ebytchk=2"],
        ] {
            both("verify", "sg_verify", opts, &env.sg);
        }
    }
    // From standard input: the same as from the file.
    let args = ["verify", "--lba=100", "--count=4", &ndo, &env.sg];
    let from_file = sgmap(&[
        "verify",
        "--lba=100",
        "--count=4",
        &ndo,
        &format!("--in={right}"),
        &env.sg,
    ]);
    sgmap_in(&args, Some(&data)).status(from_file.code);
    // BYTCHK=3: one block, compared with each of the blocks.
    let same4: Vec<u8> = data[..env.ss as usize].repeat(4);
    write_block(&env.block, 200 * env.ss, &same4);
    let block = scratch_file("verify-block.bin", &data[..env.ss as usize]);
    let input = format!("--in={block}");
    both(
        "verify",
        "sg_verify",
        &["--lba=200", "--count=4", &one, "--ebytchk=3", &input],
        &env.sg,
    );
    both(
        "verify",
        "sg_verify",
        &["--lba=100", "--count=4", &one, "--ebytchk=3", &input],
        &env.sg,
    );
    // Zeros and 0xff as compare data.
    both(
        "verify",
        "sg_verify",
        &["--lba=100", "--count=1", &one, "--0"],
        &env.sg,
    );
    both(
        "verify",
        "sg_verify",
        &["--lba=100", "--count=1", &one, "--0", &input],
        &env.sg,
    );
}

#[test]
fn scsi_debug_verify_with_ndo_reports_a_miscompare_14_and_lba_out_of_range_22() {
    let env = Env::get();
    let data = written(&env, 300, 4, 72);
    let ndo = format!("--ndo={}", data.len());
    let right = format!("--in={}", scratch_file("verify-sd-right.bin", &data));
    let mut bad = data.clone();
    bad[3 * env.ss as usize] ^= 1;
    let wrong = format!("--in={}", scratch_file("verify-sd-wrong.bin", &bad));
    both(
        "verify",
        "sg_verify",
        &["--lba=300", "--count=4", &ndo, &right],
        &env.sg,
    )
    .status(0);
    both(
        "verify",
        "sg_verify",
        &["--lba=300", "--count=4", &ndo, &wrong],
        &env.sg,
    )
    .status(14)
    .err_has("MISCOMPARE");
    // --quiet: the same 14, no report.
    let quiet = sgmap(&[
        "verify",
        "--lba=300",
        "--count=4",
        &ndo,
        &wrong,
        "-q",
        &env.sg,
    ]);
    quiet.status(14);
    assert!(!quiet.stderr.contains("MISCOMPARE"), "{quiet:?}");
    let json = sgmap(&[
        "verify",
        "--lba=300",
        "--count=4",
        &ndo,
        &wrong,
        "--json",
        &env.sg,
    ])
    .status(14)
    .json();
    assert_eq!(json.get("exit_status").num(), 14);
    assert_eq!(json.get("bytchk").num(), 1);
    assert_eq!(json.get("failed_lba").num(), 300);
    assert_eq!(json.get("data_out_bytes").num(), data.len() as i128);
    // Past the end with compare data: 22 (without data scsi_debug claims any range good).
    let end = format!("--lba={}", past_end(&env));
    both(
        "verify",
        "sg_verify",
        &[&end, "--count=4", &ndo, &right],
        &env.sg,
    )
    .status(22);
    // BYTCHK=3: one block of data, compared with each block of the range (scsi_debug 6.1
    // repeats it): blocks that all hold it are good, a range where one differs is 14.
    let ss = env.ss as usize;
    let one = format!("--ndo={ss}");
    write_block(&env.block, 400 * env.ss, &data[..ss].repeat(3));
    let block = format!("--in={}", scratch_file("verify-sd-block.bin", &data[..ss]));
    let bytchk3 = |lba: &str| {
        both(
            "verify",
            "sg_verify",
            &[lba, "--count=3", &one, "--ebytchk=3", &block],
            &env.sg,
        )
    };
    bytchk3("--lba=400").status(0);
    bytchk3("--lba=300").status(14);
    // BYTCHK=2 is reserved: 05/24/00.
    both(
        "verify",
        "sg_verify",
        &["--lba=300", "--count=4", &ndo, &right, "--ebytchk=2"],
        &env.sg,
    )
    .status(5);
    // The data really went through the mapped reserve: compare data larger than the reserve
    // the kernel grants is refused (ENOMEM's 62) before anything is sent.
    let big = pattern(128 * 1024, 73);
    let big_in = format!("--in={}", scratch_file("verify-big.bin", &big));
    let count = format!("--count={}", 128 * 1024 / env.ss);
    let _cap = cap_reserve(&env.block, 64);
    sgmap(&["verify", &count, "--ndo=128k", &big_in, &env.sg])
        .status(62)
        .err_has("does not fit the reserve");
}

#[test]
fn luns_prints_what_sg_luns_prints() {
    let env = Env::get();
    for opts in [
        &[][..],
        &["--decode"],
        &["-d", "-HH"],
        &["--select=1"],
        &["--select=2", "-d"],
        &["-s", "2", "--quiet"],
        &["--select=0x10"],
        &["--select=0x12"],
        &["--hex"],
        &["--raw"],
        &["-s", "2", "--maxlen=16"],
        &["--lu_cong", "-d"],
        &["-L", "-L", "-d"],
        &["--linux", "-d"],
        &["--select=256"],
        &["--maxlen=2000000"],
    ] {
        both("luns", "sg_luns", opts, &env.sg);
    }
    let json = sgmap(&["luns", "--json", "-d", &env.sg]).status(0).json();
    let list = json.get("lun_list").array();
    assert_eq!(json.get("lun_list_length").num(), 8 * list.len() as i128);
    assert!(
        list.iter().all(|l| l.get("lun").str().len() == 23),
        "{list:?}"
    );
}

#[test]
fn scsi_debug_luns_follows_no_lun_0_and_select_report() {
    let env = Env::get();
    // max_luns=1: LUN 0 alone; select 2 adds the REPORT LUNS well known LUN; 0x10 is an
    // invalid field for scsi_debug 6.1.
    both("luns", "sg_luns", &[], &env.sg)
        .status(0)
        .out_has("Lun list length = 8 which imples 1 lun entry");
    both("luns", "sg_luns", &["--select=2", "-d"], &env.sg)
        .status(0)
        .out_has("REPORT LUNS well known logical unit");
    both("luns", "sg_luns", &["--select=0x10"], &env.sg).status(5);
    // A list cut by the allocation length: the count says 2, one is shown.
    both("luns", "sg_luns", &["--select=2", "--maxlen=16"], &env.sg)
        .status(0)
        .err_has("too many luns");
    let sdebug = env.dev.scsi_debug();
    let _no_lun_0 = SysfsKnob::set(&sdebug_param(sdebug.dir(), "no_lun_0"), "1");
    both("luns", "sg_luns", &[], &env.sg)
        .status(0)
        .out_has("Lun list length = 0 which imples 0 lun entries");
    both("luns", "sg_luns", &["-s", "2", "-d"], &env.sg).status(0);
    let json = sgmap(&["luns", "--json", &env.sg]).status(0).json();
    assert_eq!(json.get("lun_list_length").num(), 0);
    assert!(json.get("lun_list").array().is_empty());
}
