//! `cargo xtask bench`: `sgmap dd` against sg3_utils' `sgm_dd` (mmap-ed, one request at a
//! time), `sgp_dd` (threads, `iflag=mmap`/`oflag=mmap`) and fio's `sg` engine (`write()` of
//! each request's header, `read()` of its answer, `iodepth` of them at once), in the same
//! guest, on the same scsi_debug disk; and the system calls each makes per transfer,
//! counted by strace.
//!
//! Speed is measured here, never asserted in tests. QEMU runs under TCG (KVM does not boot
//! here), which makes absolute numbers meaningless; what compares is each tool against the
//! others in the same boot.
//!
//! What one guest run measures ([`script`]):
//!
//! - the matrix: reads (sg node → /dev/null) and writes (/dev/zero → sg node), transfers of
//!   64 KiB and 512 KiB, on a device that answers at once (`delay=0`) and one that answers
//!   1 ms late (`ndelay=1000000`, from a timer); `sgmap dd` at qd 1, 2, 4 and 8, `sgp_dd` at
//!   `thr=` 1, 2, 4 and 8, fio at `iodepth=` 1, 2, 4 and 8, `sgm_dd` (qd 1 only: it has no
//!   depth);
//! - the sweep: reads at no latency, transfers of 8 KiB to 512 KiB, `sgmap dd qd=1` and
//!   `sgm_dd`, for the model fit: time per command = per-command cost + bytes × per-byte
//!   cost ([`fit`]), so that a shortfall says which of the two it is;
//! - the system calls: one more run of each tool at depth 1 and 4, reading and writing
//!   2,048 transfers of 64 KiB at no latency, under `strace -f -qq -c` (every thread and
//!   child, start-up included); the calls divided by the transfers, those on the
//!   per-transfer path ([`PATH_EVERY`]) and the three most frequent ([`Strace`]).
//!
//! Every figure is the median of `--runs` runs (5 by default) with its spread. The tools are
//! interleaved within a round and the order is reversed every other round, so that a drift
//! of the guest's speed falls on all of them. Each run is timed by the tool itself
//! (`time=1`: the copy, without the process's start and exit; fio's own run time, in whole
//! milliseconds, from its terse output, [`Fio`]); the start-up (spawn to exit, less the
//! copy) is reported apart.
//!
//! Output: the tables on stdout, and an SVG plot of MB/s against the queue depth (a panel per
//! latency and direction, a line per tool and transfer size) written to
//! `target/bench/bench.svg` by [`svg`], with no dependency; the guest's console (every
//! command line, fio's and strace's output) in `target/bench/console.log`.
//!
//! sg3_utils comes from Debian's archive like the kernel (see `sg3.rs`), and so do fio and
//! strace with every library they load ([`FIO_LIBRARIES`]). The task fails only when a tool
//! fails (or the guest does), never for slowness.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::time::Instant;

use crate::cargo::ensure_rust_targets;
use crate::dist::kib;
use crate::guest::{self, after, Boot, WorkDir};
use crate::targets::{AMD64, GUEST_TARGET};
use crate::test::format_duration;
use crate::{dist, project_root, sg3, Result};

/// Block size: 512, as the disk's sectors.
const BS: u64 = 512;
/// Blocks per transfer of the matrix, and their names: sgm_dd's default for 512-byte
/// blocks (64 KiB), and 512 KiB, the largest reserve scsi_debug grants (`max_sectors_kb`).
const TRANSFERS: &[(u64, &str)] = &[(128, "64k"), (1024, "512k")];
/// Blocks per transfer of the sweep (8 KiB to 512 KiB).
const SWEEP: &[u64] = &[16, 32, 64, 128, 256, 512, 1024];
/// Queue depths (`qd=` of sgmap, `thr=` of sgp_dd, `iodepth=` of fio).
const DEPTHS: &[u32] = &[1, 2, 4, 8];
/// Bytes each run reads, or writes.
const READ_BYTES: u64 = 32 << 20;
const WRITE_BYTES: u64 = 16 << 20;
const SWEEP_BYTES: u64 = 16 << 20;
/// Runs of each tool in each case (`--runs`); the tables show the median.
const RUNS: usize = 5;
/// The guest's time limit unless `SGMAP_GUEST_TIMEOUT` is set: the whole bench takes about
/// 15 minutes under TCG on a quiet 2-core machine (the strace runs 6 of them), more than a
/// test boot's 20-minute limit allows for on a loaded one.
const GUEST_TIMEOUT: &str = "3600";
/// The system-call count: transfers of 64 KiB (`bpt=128`) at no latency, this many of
/// them, each tool at these depths.
const SYSCALL_BPT: u64 = 128;
const SYSCALL_TRANSFERS: u64 = 2048;
const SYSCALL_DEPTHS: &[u32] = &[1, 4];
/// Cases whose runs are counted by strace, not timed: `syscalls-read-0-64k`.
const SYSCALLS: &str = "syscalls-";
/// strace before a tool's command: every thread and child (`-f`), a table of counts at the
/// end (`-c`, on stderr after the tool's own lines), no notes of attaches and exits.
const STRACE: &str = "/usr/bin/strace -f -qq -c";

/// Debian's fio (3.33 in Debian 12) links every engine it has: Ceph's librados and librbd
/// (whose libceph-common sits in the directory of their `DT_RUNPATH`), GlusterFS, RDMA,
/// PMDK, NBD (through libxml2, ICU). These are the packages of every library it loads,
/// besides the C library's, so that nothing comes from the host.
const FIO_LIBRARIES: &[&str] = &[
    "libaio1",
    "libgfapi0",
    "libglusterfs0",
    "libgfrpc0",
    "libgfxdr0",
    "libibverbs1",
    "librdmacm1",
    "libnl-3-200",
    "libnl-route-3-200",
    "libnbd0",
    "libxml2",
    "libicu72",
    "libgnutls30",
    "libnuma1",
    "libpmem1",
    "libpmemblk1",
    "libndctl6",
    "libdaxctl1",
    "librados2",
    "librbd1",
    "libfmt9",
    "libboost-thread1.74.0",
    "libboost-iostreams1.74.0",
    "libstdc++6",
    "libgcc-s1",
    "libssl3",
    "libcryptsetup12",
    "libdevmapper1.02.1",
    "libargon2-1",
    "libjson-c5",
    "libselinux1",
    "libpcre2-8-0",
    "libblkid1",
    "libuuid1",
    "libudev1",
    "libkmod2",
    "zlib1g",
    "libzstd1",
    "liblzma5",
    "libbz2-1.0",
    "libp11-kit0",
    "libidn2-0",
    "libunistring2",
    "libtasn1-6",
    "libnettle8",
    "libhogweed6",
    "libgmp10",
    "libffi8",
    "libacl1",
    "libtirpc3",
    "libgssapi-krb5-2",
    "libkrb5-3",
    "libk5crypto3",
    "libkrb5support0",
    "libcom-err2",
    "libkeyutils1",
];
/// The programs of Debian packages in the bench's guest, beside sg3_utils.
const PROGRAMS: &[(&str, &[&str])] = &[("fio", &["usr/bin/fio"]), ("strace", &["usr/bin/strace"])];
/// strace's libraries (libunwind's, for `-k`), beside [`FIO_LIBRARIES`].
const STRACE_LIBRARIES: &[&str] = &["libunwind8"];

/// scsi_debug for every case: one 256 MiB disk of 512-byte sectors.
const SDEBUG: &str =
    "dev_size_mb=256 sector_size=512 add_host=1 num_tgts=1 max_luns=1 statistics=0";

/// A scsi_debug latency setting.
struct Latency {
    /// In the case names: `read-1ms-64k`.
    id: &'static str,
    params: &'static str,
    label: &'static str,
}

const LATENCIES: &[Latency] = &[
    Latency {
        id: "0",
        // At load, `delay=0` alone: `ndelay` stays 0 (a later write of `ndelay=0` would put
        // the driver back on its one-jiffy `delay`).
        params: "delay=0",
        label: "delay=0: each command completes at once, in the submitter's context",
    },
    Latency {
        id: "1ms",
        params: "ndelay=1000000",
        label: "ndelay=1000000: each command completes 1 ms later, from a timer",
    },
];

/// The tools: `sgmap` (qd), `sgp_dd` (thr), `sgm_dd`, fio (iodepth).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sgmap,
    Sgp,
    Sgm,
    Fio,
}

impl Kind {
    /// The tool's id at a depth: `sgmap-qd4`, `sgp_dd-thr4`, `sgm_dd`, `fio-iodepth4`.
    fn id(self, depth: u32) -> String {
        match self {
            Kind::Sgmap => format!("sgmap-qd{depth}"),
            Kind::Sgp => format!("sgp_dd-thr{depth}"),
            Kind::Sgm => "sgm_dd".to_owned(),
            Kind::Fio => format!("fio-iodepth{depth}"),
        }
    }

    /// The command line of one copy of `bytes` in transfers of `bpt` blocks: reading
    /// (`dir` "read") from the sg node to `/dev/null`, or writing from `/dev/zero` to it
    /// (fio writes its own zeroed buffers).
    fn command(self, depth: u32, dir: &str, bpt: u64, bytes: u64) -> String {
        let (input, output) = if dir == "read" {
            ("$SG", "/dev/null")
        } else {
            ("/dev/zero", "$SG")
        };
        let count = bytes / BS;
        let common = format!("if={input} of={output} bs={BS} bpt={bpt} count={count} time=1");
        match self {
            Kind::Sgmap => format!("/bin/sgmap dd {common} qd={depth}"),
            Kind::Sgm => format!("/usr/bin/sgm_dd {common}"),
            Kind::Sgp => {
                let flag = if input == "$SG" {
                    "iflag=mmap"
                } else {
                    "oflag=mmap"
                };
                format!("/usr/bin/sgp_dd {common} thr={depth} {flag}")
            }
            Kind::Fio => format!(
                "/usr/bin/fio --name=bench --filename=$SG --ioengine=sg --rw={dir} --bs={} \
                 --iodepth={depth} --size={bytes} --invalidate=0 --zero_buffers --gtod_reduce=1 \
                 --output-format=terse --terse-version=3",
                bpt * BS
            ),
        }
    }
}

/// The tools of one matrix case, in their order within a round.
fn matrix_tools() -> Vec<(Kind, u32)> {
    let mut tools = vec![(Kind::Sgm, 1)];
    for &d in DEPTHS {
        tools.push((Kind::Sgmap, d));
        tools.push((Kind::Sgp, d));
        tools.push((Kind::Fio, d));
    }
    tools
}

/// One `run` line of the init's script; under strace if `strace`. A dd's line has its
/// `records=`, which the init checks; fio's output, and strace's, go to the host
/// (`output=1`).
fn run_line(
    case: &str,
    kind: Kind,
    depth: u32,
    dir: &str,
    (bpt, bytes): (u64, u64),
    strace: bool,
) -> String {
    let records = if kind == Kind::Fio {
        String::new()
    } else {
        format!(" records={}", bytes / BS)
    };
    let output = if kind == Kind::Fio || strace {
        " output=1"
    } else {
        ""
    };
    let strace = if strace {
        format!("{STRACE} ")
    } else {
        String::new()
    };
    format!(
        "run case={case} tool={} bytes={bytes}{records} runs=1{output} -- {strace}{}\n",
        kind.id(depth),
        kind.command(depth, dir, bpt, bytes)
    )
}

/// `runs` rounds of `tools`, every other one in reverse order.
fn rounds(runs: usize, tools: &[(Kind, u32)], mut line: impl FnMut(Kind, u32) -> String) -> String {
    let mut s = String::new();
    for round in 0..runs {
        let order: Vec<&(Kind, u32)> = if round % 2 == 0 {
            tools.iter().collect()
        } else {
            tools.iter().rev().collect()
        };
        for &&(kind, depth) in &order {
            s += &line(kind, depth);
        }
    }
    s
}

/// What one bench measures: `--runs`, and with `--quick` 64 KiB transfers alone and no
/// sweep.
#[derive(Debug, Clone, Copy)]
struct Plan {
    runs: usize,
    quick: bool,
}

impl Plan {
    fn transfers(self) -> &'static [(u64, &'static str)] {
        if self.quick {
            &TRANSFERS[..1]
        } else {
            TRANSFERS
        }
    }
}

/// The tools whose system calls are counted, in their order.
fn syscall_tools() -> Vec<(Kind, u32)> {
    let mut tools = vec![(Kind::Sgm, 1)];
    for kind in [Kind::Sgmap, Kind::Sgp, Kind::Fio] {
        tools.extend(SYSCALL_DEPTHS.iter().map(|&d| (kind, d)));
    }
    tools
}

/// The system-call cases: `syscalls-read-0-64k`, `syscalls-write-0-64k`.
fn syscall_cases() -> [(String, &'static str); 2] {
    ["read", "write"].map(|dir| {
        let size = SYSCALL_BPT * BS / 1024;
        (format!("{SYSCALLS}{dir}-{}-{size}k", LATENCIES[0].id), dir)
    })
}

/// The init's bench script (`/etc/sgmap/bench`): the matrix, then the sweep (not with
/// `--quick`), then the system-call counts.
fn script(plan: Plan) -> String {
    let mut s = String::from("# written by `cargo xtask bench` (xtask/src/bench.rs)\n");
    let tools = matrix_tools();
    for latency in LATENCIES {
        s += &format!("scsi_debug {SDEBUG} {}\n", latency.params);
        for &(bpt, size) in plan.transfers() {
            for (dir, bytes) in [("read", READ_BYTES), ("write", WRITE_BYTES)] {
                let case = format!("{dir}-{}-{size}", latency.id);
                s += &rounds(plan.runs, &tools, |kind, depth| {
                    run_line(&case, kind, depth, dir, (bpt, bytes), false)
                });
            }
        }
    }
    s += &format!("scsi_debug {SDEBUG} {}\n", LATENCIES[0].params);
    if !plan.quick {
        for &bpt in SWEEP {
            let case = format!("sweep-{}k", bpt * BS / 1024);
            s += &rounds(
                plan.runs,
                &[(Kind::Sgm, 1), (Kind::Sgmap, 1)],
                |kind, depth| run_line(&case, kind, depth, "read", (bpt, SWEEP_BYTES), false),
            );
        }
    }
    let bytes = SYSCALL_TRANSFERS * SYSCALL_BPT * BS;
    for (case, dir) in syscall_cases() {
        for (kind, depth) in syscall_tools() {
            s += &run_line(&case, kind, depth, dir, (SYSCALL_BPT, bytes), true);
        }
    }
    s
}

/// One `SGMAP-BENCH` line, and the `SGMAP-TOOL` lines before it.
#[derive(Debug, Clone, PartialEq)]
struct Sample {
    case: String,
    tool: String,
    bytes: u64,
    /// Spawn to exit.
    ns: u64,
    /// The tool's own figure: a dd's `time=1`, fio's run time ([`resolve`]); 0 until then.
    xfer_ns: u64,
    /// The run's output, for the host to read (fio's, strace's).
    output: Vec<String>,
}

impl Sample {
    fn parse(line: &str) -> Option<Sample> {
        let rest = after(line, "SGMAP-BENCH ")?;
        let value = |key: &str| {
            rest.split_whitespace()
                .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
        };
        Some(Sample {
            case: value("case")?.to_owned(),
            tool: value("tool")?.to_owned(),
            bytes: value("bytes")?.parse().ok()?,
            ns: value("ns")?.parse().ok()?,
            xfer_ns: value("xfer_ns")?.parse().ok()?,
            output: Vec::new(),
        })
    }
}

/// Takes a console line that is a run's (`SGMAP-TOOL`, kept for the next sample) or a
/// run's end (`SGMAP-BENCH`: a sample, with those lines); false for any other line.
fn take_line(line: &str, output: &mut Vec<String>, samples: &mut Vec<Sample>) -> bool {
    if let Some(text) = after(line, "SGMAP-TOOL ") {
        output.push(text.to_owned());
    } else if let Some(mut sample) = Sample::parse(line) {
        sample.output = std::mem::take(output);
        samples.push(sample);
    } else {
        return false;
    }
    true
}

/// What fio's terse output (version 3: one line of `;`-separated fields) says of a job:
/// the bytes it moved and its run time (the I/O alone, not its start-up), for reads and
/// writes together (a job does one of them here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fio {
    bytes: u64,
    runtime_ms: u64,
}

/// Terse version 3 fields, from 0: 4 the job's error, 5 and 8 the reads' KiB and run time
/// (ms), 46 and 49 the writes' (fio's HOWTO, "Terse output").
const FIO_ERROR: usize = 4;
const FIO_READ: (usize, usize) = (5, 8);
const FIO_WRITE: (usize, usize) = (46, 49);

impl Fio {
    fn parse(output: &[String]) -> Option<Fio> {
        let line = output.iter().find(|l| l.starts_with("3;fio-"))?;
        let fields: Vec<&str> = line.split(';').collect();
        let number = |i: usize| fields.get(i)?.parse::<u64>().ok();
        if number(FIO_ERROR)? != 0 {
            return None;
        }
        let (kib, ms) = [FIO_READ, FIO_WRITE]
            .iter()
            .map(|&(kib, ms)| Some((number(kib)?, number(ms)?)))
            .try_fold((0, 0), |(k, m), x| x.map(|(a, b)| (k + a, m.max(b))))?;
        Some(Fio {
            bytes: kib * 1024,
            runtime_ms: ms,
        })
    }
}

/// strace's `-c` table: the calls of each system call, most first, and their total.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Strace {
    calls: Vec<(String, u64)>,
    total: u64,
}

impl Strace {
    /// From the table at the end of a run's output:
    ///
    /// ```text
    /// % time     seconds  usecs/call     calls    errors syscall
    /// ------ ----------- ----------- --------- --------- ----------------
    ///  51.03    0.030151          14      2050           read
    /// ...
    /// ------ ----------- ----------- --------- --------- ----------------
    /// 100.00    0.059086          14      4150         3 total
    /// ```
    fn parse(output: &[String]) -> Option<Strace> {
        let header = output
            .iter()
            .position(|l| l.trim_start().starts_with("% time"))?;
        let mut calls = Vec::new();
        let mut lines = output[header + 1..].iter().map(|l| l.trim());
        if !lines.next()?.starts_with("---") {
            return None;
        }
        for line in lines.by_ref() {
            if line.starts_with("---") {
                break;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            let name = *words.last()?;
            calls.push((name.to_owned(), words.get(3)?.parse::<u64>().ok()?));
        }
        let total: Vec<&str> = lines.next()?.split_whitespace().collect();
        if total.last() != Some(&"total") {
            return None;
        }
        let total = total.get(3)?.parse().ok()?;
        calls.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Some(Strace { calls, total })
    }
}

/// The system calls of one tool in one case.
#[derive(Debug)]
struct Count {
    case: String,
    tool: String,
    transfers: u64,
    strace: Strace,
}

/// A system call made at least once per this many transfers is on the per-transfer path;
/// the others (start-up and exit: a few each) are not.
const PATH_EVERY: u64 = 16;

impl Count {
    /// All the calls, per transfer.
    fn per_transfer(&self) -> f64 {
        self.strace.total as f64 / self.transfers as f64
    }

    /// The calls on the per-transfer path ([`PATH_EVERY`]), per transfer.
    fn path(&self) -> f64 {
        let recurring: u64 = self
            .strace
            .calls
            .iter()
            .map(|c| c.1)
            .filter(|&n| n * PATH_EVERY >= self.transfers)
            .sum();
        recurring as f64 / self.transfers as f64
    }
}

/// Reads what the host reads from the runs' output: fio's bytes (all of them, or the run
/// is a problem) and run time into `xfer_ns`, strace's tables into [`Count`]s. Returns the
/// timed samples (those with a time), the counts, and the problems.
fn resolve(samples: Vec<Sample>) -> (Vec<Sample>, Vec<Count>, Vec<String>) {
    let mut timed = Vec::new();
    let mut counts = Vec::new();
    let mut problems = Vec::new();
    for mut s in samples {
        let who = format!("{} {}", s.case, s.tool);
        if s.case.starts_with(SYSCALLS) {
            match Strace::parse(&s.output) {
                Some(strace) => counts.push(Count {
                    transfers: s.bytes / (SYSCALL_BPT * BS),
                    case: s.case,
                    tool: s.tool,
                    strace,
                }),
                None => problems.push(format!("{who}: no strace -c table in its output")),
            }
            continue;
        }
        if s.tool.starts_with("fio-") {
            match Fio::parse(&s.output) {
                Some(fio) if fio.bytes == s.bytes && fio.runtime_ms > 0 => {
                    s.xfer_ns = fio.runtime_ms * 1_000_000;
                }
                Some(fio) => problems.push(format!(
                    "{who}: fio moved {} bytes in {} ms, not {} bytes",
                    fio.bytes, fio.runtime_ms, s.bytes
                )),
                None => problems.push(format!("{who}: no terse line of a job without error")),
            }
        }
        if s.xfer_ns > 0 {
            timed.push(s);
        } else if !s.tool.starts_with("fio-") {
            problems.push(format!("{who}: no time"));
        }
    }
    (timed, counts, problems)
}

/// The samples of one tool in one case.
#[derive(Debug)]
struct Row {
    case: String,
    tool: String,
    bytes: u64,
    xfer_ns: Vec<u64>,
    startup_ns: Vec<u64>,
}

fn median(v: &[u64]) -> u64 {
    let mut v = v.to_vec();
    v.sort_unstable();
    v[v.len() / 2]
}

impl Row {
    /// MB/s (10^6 bytes, as sg3_utils counts) at the median copy time.
    fn mb_per_s(&self) -> f64 {
        self.bytes as f64 / (median(&self.xfer_ns) as f64 / 1e9) / 1e6
    }

    /// (slowest - fastest) / median of the copy times.
    fn spread(&self) -> f64 {
        let min = *self.xfer_ns.iter().min().expect("a row has samples");
        let max = *self.xfer_ns.iter().max().expect("a row has samples");
        (max - min) as f64 / median(&self.xfer_ns) as f64
    }
}

/// Samples grouped by case and tool, in the order they first came.
fn rows(samples: &[Sample]) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for s in samples {
        let startup = s.ns.saturating_sub(s.xfer_ns);
        match rows
            .iter_mut()
            .find(|r| r.case == s.case && r.tool == s.tool)
        {
            Some(row) => {
                row.xfer_ns.push(s.xfer_ns);
                row.startup_ns.push(startup);
            }
            None => rows.push(Row {
                case: s.case.clone(),
                tool: s.tool.clone(),
                bytes: s.bytes,
                xfer_ns: vec![s.xfer_ns],
                startup_ns: vec![startup],
            }),
        }
    }
    rows
}

fn find<'a>(rows: &'a [Row], case: &str, tool: &str) -> Option<&'a Row> {
    rows.iter().find(|r| r.case == case && r.tool == tool)
}

/// `MB/s ±half-spread`, or `-`.
fn cell(r: Option<&Row>) -> String {
    r.map_or_else(
        || "-".to_owned(),
        |r| format!("{:.1} ±{:.0}%", r.mb_per_s(), r.spread() * 50.0),
    )
}

/// `x` against `y` in MB/s, or `-`.
fn ratio(x: Option<&Row>, y: Option<&Row>) -> String {
    match (x, y) {
        (Some(x), Some(y)) => format!("{:.2}", x.mb_per_s() / y.mb_per_s()),
        _ => "-".to_owned(),
    }
}

/// The faster of two rows (either if one is missing).
fn better<'a>(a: Option<&'a Row>, b: Option<&'a Row>) -> Option<&'a Row> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.mb_per_s() > a.mb_per_s() { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// The matrix cases: (case, latency, direction, size).
fn matrix_cases() -> Vec<(String, &'static Latency, &'static str, &'static str)> {
    let mut cases = Vec::new();
    for latency in LATENCIES {
        for &(_, size) in TRANSFERS {
            for dir in ["read", "write"] {
                cases.push((format!("{dir}-{}-{size}", latency.id), latency, dir, size));
            }
        }
    }
    cases
}

/// The matrix table: per case, sgm_dd, then per depth sgmap, sgp_dd and fio, their MB/s
/// and spreads, sgmap against each at the same depth, against the better of sgp_dd and
/// fio (depth 2 and more: issue 20's goal) and against sgm_dd.
fn matrix_table(rows: &[Row]) -> String {
    let mut out = String::new();
    for (case, ..) in matrix_cases() {
        let Some(sgm) = find(rows, &case, "sgm_dd") else {
            continue;
        };
        let _ = writeln!(
            out,
            "{case}: sgm_dd {:.1} MB/s ±{:.0}%",
            sgm.mb_per_s(),
            sgm.spread() * 50.0
        );
        let _ = writeln!(
            out,
            "    {:>3}  {:>14}  {:>14}  {:>14}  {:>9}  {:>6}  {:>7}  {:>9}",
            "qd",
            "sgmap dd MB/s",
            "sgp_dd MB/s",
            "fio MB/s",
            "vs sgp_dd",
            "vs fio",
            "vs best",
            "vs sgm_dd"
        );
        for &d in DEPTHS {
            let a = find(rows, &case, &Kind::Sgmap.id(d));
            let b = find(rows, &case, &Kind::Sgp.id(d));
            let f = find(rows, &case, &Kind::Fio.id(d));
            let best = if d >= 2 {
                ratio(a, better(b, f))
            } else {
                "-".to_owned()
            };
            let _ = writeln!(
                out,
                "    {d:>3}  {:>14}  {:>14}  {:>14}  {:>9}  {:>6}  {:>7}  {:>9}",
                cell(a),
                cell(b),
                cell(f),
                ratio(a, b),
                ratio(a, f),
                best,
                ratio(a, Some(sgm))
            );
        }
    }
    out
}

/// The system-call table: per case and tool, the calls per transfer, those on the
/// per-transfer path, and the three most frequent.
fn syscall_table(counts: &[Count]) -> String {
    let mut out = String::new();
    for (case, _) in syscall_cases() {
        let _ = writeln!(
            out,
            "    {:<16} {:>6}  {:>6}   most frequent",
            &case[SYSCALLS.len()..],
            "all",
            "path"
        );
        for c in counts.iter().filter(|c| c.case == case) {
            let top: Vec<String> = c
                .strace
                .calls
                .iter()
                .take(3)
                .map(|(name, n)| format!("{name} {:.2}", *n as f64 / c.transfers as f64))
                .collect();
            let _ = writeln!(
                out,
                "    {:<16} {:>6.2}  {:>6.2}   {}",
                c.tool,
                c.per_transfer(),
                c.path(),
                top.join(", ")
            );
        }
    }
    out
}

/// A goal's verdict on a ratio: reached or missed, and whether the ratio is within the
/// half-spreads of its two figures of the goal (then the verdict could go the other way).
fn verdict(x: &Row, y: &Row, goal: f64) -> String {
    let r = x.mb_per_s() / y.mb_per_s();
    let noise = (x.spread() + y.spread()) / 2.0;
    let word = if r >= goal { "reached" } else { "missed" };
    let near = if (r - goal).abs() <= noise * r {
        ", within the spreads"
    } else {
        ""
    };
    format!(
        "{r:.2} (±{:.0}%, ±{:.0}%): {word}{near}",
        x.spread() * 50.0,
        y.spread() * 50.0
    )
}

/// Issue 20's goals, cell by cell: qd=1 at no latency against sgm_dd (≥ 1.0); qd=N at 1 ms
/// against the better of sgp_dd thr=N and fio iodepth=N (≥ 1.1, N = 2, 4, 8); sgmap's
/// system calls per transfer on its path (2: the command's `write()` and `read()`, and 1
/// more for the file side's `read()` of /dev/zero when writing).
fn goals(rows: &[Row], counts: &[Count]) -> String {
    let mut out = String::new();
    for (case, latency, _, _) in matrix_cases() {
        let sgmap = |d: u32| find(rows, &case, &Kind::Sgmap.id(d));
        if latency.id == "0" {
            if let (Some(a), Some(b)) = (sgmap(1), find(rows, &case, "sgm_dd")) {
                let _ = writeln!(
                    out,
                    "    {case:<14} qd=1 vs sgm_dd ≥ 1.0: {}",
                    verdict(a, b, 1.0)
                );
            }
            continue;
        }
        for &d in &DEPTHS[1..] {
            let peer = better(
                find(rows, &case, &Kind::Sgp.id(d)),
                find(rows, &case, &Kind::Fio.id(d)),
            );
            if let (Some(a), Some(b)) = (sgmap(d), peer) {
                let _ = writeln!(
                    out,
                    "    {case:<14} qd={d} vs {:<14} ≥ 1.1: {}",
                    b.tool,
                    verdict(a, b, 1.1)
                );
            }
        }
    }
    for c in counts.iter().filter(|c| c.tool.starts_with("sgmap-")) {
        let goal = if c.case.contains("write") { 3.0 } else { 2.0 };
        let path = c.path();
        // Two decimals, as printed: the last transfer's few extra calls do not count.
        let word = if path < goal + 0.005 {
            "reached"
        } else {
            "missed"
        };
        let _ = writeln!(
            out,
            "    {:<14} {:<10} system calls per transfer on the path {path:.2} (goal {goal:.0}; \
             all {:.2}): {word}",
            &c.case[SYSCALLS.len()..],
            c.tool,
            c.per_transfer()
        );
    }
    out
}

/// A straight line through points by least squares: (intercept, slope).
fn fit(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let (mx, my) = (sx / n, sy / n);
    let sxx: f64 = points.iter().map(|(x, _)| (x - mx) * (x - mx)).sum();
    let sxy: f64 = points.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    if sxx == 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    Some((my - slope * mx, slope))
}

/// The sweep's model for one tool: per-command cost (µs) and per-byte cost (ns per KiB),
/// from the median time per command at each transfer size.
fn model(rows: &[Row], tool: &str) -> Option<(f64, f64)> {
    let points: Vec<(f64, f64)> = SWEEP
        .iter()
        .filter_map(|&bpt| {
            let bytes = bpt * BS;
            let r = find(rows, &format!("sweep-{}k", bytes / 1024), tool)?;
            let commands = (r.bytes / bytes) as f64;
            Some((bytes as f64, median(&r.xfer_ns) as f64 / commands))
        })
        .collect();
    let (a, b) = fit(&points)?;
    Some((a / 1000.0, b * 1024.0))
}

/// The SVG plot: a panel per latency and direction, MB/s against the depth, a line per
/// tool and transfer size (sgm_dd a point at qd 1).
fn svg(rows: &[Row]) -> String {
    const W: f64 = 420.0;
    const H: f64 = 300.0;
    const M: f64 = 50.0;
    let panels: Vec<(String, String)> = LATENCIES
        .iter()
        .flat_map(|l| {
            ["read", "write"].map(|d| (format!("{d}-{}", l.id), format!("{d}s, latency {}", l.id)))
        })
        .collect();
    let colours = [
        ("sgmap-qd", "#1b6ac9"),
        ("sgp_dd-thr", "#d9480f"),
        ("sgm_dd", "#2b8a3e"),
        ("fio-iodepth", "#7048e8"),
    ];
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" \
         font-family=\"sans-serif\" font-size=\"11\">\n",
        W * 2.0,
        H * 2.0 + 30.0
    );
    for (i, (prefix, title)) in panels.iter().enumerate() {
        let (ox, oy) = ((i % 2) as f64 * W, (i / 2) as f64 * H);
        let mut max: f64 = 1.0;
        for r in rows
            .iter()
            .filter(|r| r.case.starts_with(&format!("{prefix}-")))
        {
            max = max.max(r.mb_per_s());
        }
        let max = (max * 1.1).ceil();
        let x = |qd: u32| ox + M + (f64::from(qd).log2() / 3.0) * (W - 2.0 * M);
        let y = |v: f64| oy + H - M - v / max * (H - 2.0 * M);
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"13\">{title} (MB/s)</text>",
            ox + M,
            oy + 20.0
        );
        let _ = writeln!(
            s,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>",
            ox + M,
            oy + M,
            W - 2.0 * M,
            H - 2.0 * M
        );
        for &d in DEPTHS {
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">qd {d}</text>",
                x(d),
                oy + H - M + 15.0
            );
        }
        for k in 0..=4 {
            let v = max * f64::from(k) / 4.0;
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{v:.0}</text>",
                ox + M - 4.0,
                y(v) + 4.0
            );
        }
        for &(_, size) in TRANSFERS {
            let case = format!("{prefix}-{size}");
            let dash = if size == "64k" {
                ""
            } else {
                " stroke-dasharray=\"5,3\""
            };
            for (tool, colour) in colours {
                let points: Vec<String> = DEPTHS
                    .iter()
                    .filter_map(|&d| {
                        let id = if tool == "sgm_dd" {
                            (d == 1).then(|| tool.to_owned())?
                        } else {
                            format!("{tool}{d}")
                        };
                        let r = find(rows, &case, &id)?;
                        Some(format!("{:.1},{:.1}", x(d), y(r.mb_per_s())))
                    })
                    .collect();
                if points.len() > 1 {
                    let _ = writeln!(
                        s,
                        "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" \
                         stroke-width=\"2\"{dash}/>",
                        points.join(" ")
                    );
                }
                for p in &points {
                    let (px, py) = p.split_once(',').unwrap_or(("0", "0"));
                    let _ = writeln!(
                        s,
                        "<circle cx=\"{px}\" cy=\"{py}\" r=\"3\" fill=\"{colour}\"/>"
                    );
                }
            }
        }
    }
    let _ = writeln!(
        s,
        "<text x=\"{M}\" y=\"{}\">blue: sgmap dd (qd), orange: sgp_dd (thr, mmap), purple: \
         fio sg (iodepth), green: sgm_dd (qd 1); solid: 64 KiB transfers, dashed: 512 \
         KiB</text>",
        H * 2.0 + 20.0
    );
    s.push_str("</svg>\n");
    s
}

/// The size of a file (a symbolic link's target).
fn size(path: &Path) -> Result<u64> {
    fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs the bench.
/// `--runs N` and `--quick` (1 run unless `--runs` says otherwise, 64 KiB transfers
/// alone, no sweep).
fn parse_args(args: &[String]) -> Result<Plan> {
    let mut runs = None;
    let mut quick = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--quick" {
            quick = true;
            continue;
        }
        let value = match arg.strip_prefix("--runs") {
            Some("") => args.next().map(String::as_str),
            Some(rest) => rest.strip_prefix('='),
            None => return Err(format!("cargo xtask bench: unknown option {arg:?}")),
        };
        runs = Some(
            value
                .and_then(|v| v.parse().ok())
                .filter(|&n| n > 0)
                .ok_or("cargo xtask bench: --runs takes a number of runs, at least 1")?,
        );
    }
    let runs = runs.unwrap_or(if quick { 1 } else { RUNS });
    Ok(Plan { runs, quick })
}

pub fn run(args: &[String]) -> Result<bool> {
    let plan = parse_args(args)?;
    let runs = plan.runs;
    let started = Instant::now();
    ensure_rust_targets(&[GUEST_TARGET])?;
    let rig = guest::prepare(AMD64)?;
    let sg3 = sg3::sg3_utils(AMD64, &["sgm_dd", "sgp_dd"])?;
    let init = guest::build_init(GUEST_TARGET)?;
    let sgmap = dist::build_sgmap(GUEST_TARGET)?;
    dist::check_static(&sgmap, GUEST_TARGET)?;

    let work = WorkDir::new("bench")?;
    let initramfs = work.path().join("initramfs.cpio");
    let mut files = vec![("bin/sgmap".to_owned(), sgmap.clone())];
    files.extend(sg3.files.iter().cloned());
    let libraries: Vec<&str> = FIO_LIBRARIES
        .iter()
        .chain(STRACE_LIBRARIES)
        .copied()
        .collect();
    let programs = sg3::debian_programs(AMD64, PROGRAMS, &libraries, &files)?;
    files.extend(programs.files.iter().cloned());
    let script = script(plan);
    let initramfs_size = guest::write_initramfs(
        &initramfs,
        &init,
        &rig.modules,
        &files,
        &[("etc/sgmap/bench", script.as_bytes())],
    )?;
    eprintln!(
        "initramfs: {:.1} MiB (fio, strace and their libraries: {} files)",
        initramfs_size as f64 / f64::from(1 << 20),
        programs.files.len()
    );
    let disk = work.path().join("scratch.img");
    guest::create_scratch_disk(&disk)?;

    if std::env::var_os("SGMAP_GUEST_TIMEOUT").is_none() {
        // Read by guest::boot; nothing else runs in this process now.
        std::env::set_var("SGMAP_GUEST_TIMEOUT", GUEST_TIMEOUT);
    }
    let accel = guest::accelerator()?;
    eprintln!(
        "booting {} in QEMU ({accel}) with {}",
        rig.kernel.description, sg3.description
    );
    let mut samples = Vec::new();
    let mut errors = Vec::new();
    let mut tool_lines = Vec::new();
    let mut console = String::new();
    let outcome = guest::boot(
        &Boot {
            arch: rig.arch,
            kernel: &rig.kernel,
            initramfs: &initramfs,
            mode: "bench",
            cmdline: Vec::new(),
            disk: &disk,
            echo: false,
        },
        |line| {
            console.push_str(line);
            console.push('\n');
            if take_line(line, &mut tool_lines, &mut samples) {
                if line.contains("SGMAP-BENCH ") {
                    eprint!(".");
                }
            } else if let Some(error) = after(line, "SGMAP-ERROR ") {
                eprintln!("{line}");
                errors.push(error.to_owned());
            } else if let Some(text) = after(line, "SGMAP-OUT ") {
                if text.starts_with("    ") {
                    // A failed tool's output.
                    eprintln!("{text}");
                }
            }
        },
    )?;
    eprintln!();

    let reported = samples.len();
    let (samples, counts, unread) = resolve(samples);
    errors.extend(unread);
    let rows = rows(&samples);
    println!();
    println!(
        "sgmap bench: `sgmap dd` against sg3_utils' sgm_dd and sgp_dd (iflag/oflag=mmap) and \
         fio's sg engine in the"
    );
    println!(
        "same guest, on one scsi_debug disk (256 MiB, 512-byte sectors), bs={BS}; reads: {} MiB \
         from the sg node to /dev/null, writes: {} MiB from /dev/zero to it.",
        READ_BYTES >> 20,
        WRITE_BYTES >> 20
    );
    for latency in LATENCIES {
        println!("    latency {:<4} scsi_debug {}", latency.id, latency.label);
    }
    println!(
        "Each figure: the median of {runs} runs of the copy as the tool times it (time=1; fio: \
         its run time, whole ms), ± half the spread (slowest - fastest); tools interleaved, \
         the order reversed every other round."
    );
    println!(
        "fio: Debian's fio, --ioengine=sg on the sg node (write() of each request, read() of \
         its answer, iodepth at once), writing its own zeroed buffers; \"vs best\": sgmap qd=N \
         against the better of sgp_dd thr=N and fio iodepth=N."
    );
    if accel == "tcg" {
        println!(
            "QEMU runs under TCG (no KVM) on {} host CPUs: absolute MB/s mean little; the \
             ratios in the same guest are what compares.",
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
    }
    println!();
    print!("{}", matrix_table(&rows));

    println!();
    println!(
        "System calls per transfer ({SYSCALL_TRANSFERS} transfers of {} KiB, no latency; one \
         run under `{STRACE}`): all (every thread and child, start-up and exit included), \
         those on the per-transfer path (each made at least once per {PATH_EVERY} \
         transfers), and the three most frequent. fio's include its parent's wait4, \
         clock_nanosleep and pselect6, made per unit of time while the job runs.",
        SYSCALL_BPT * BS / 1024
    );
    print!("{}", syscall_table(&counts));

    println!();
    println!("Issue 20's goals (medians; ± half the spreads of sgmap's and the peer's figures):");
    print!("{}", goals(&rows, &counts));

    // The sweep is left out with --quick.
    if !plan.quick {
        println!();
        println!(
            "Model (reads, no latency, qd 1, {} MiB at 8 to 512 KiB per command): time per \
             command = per-command cost + size × per-byte cost",
            SWEEP_BYTES >> 20
        );
        println!(
            "    {:>6}  {:>22}  {:>22}",
            "size", "sgm_dd µs/cmd (MB/s)", "sgmap qd1 µs/cmd (MB/s)"
        );
        for &bpt in SWEEP {
            let bytes = bpt * BS;
            let case = format!("sweep-{}k", bytes / 1024);
            let cell = |tool: &str| {
                find(&rows, &case, tool).map_or_else(
                    || "-".to_owned(),
                    |r| {
                        let per = median(&r.xfer_ns) as f64 / (r.bytes / bytes) as f64 / 1e3;
                        format!("{per:.1} ({:.1})", r.mb_per_s())
                    },
                )
            };
            println!(
                "    {:>5}k  {:>22}  {:>22}",
                bytes / 1024,
                cell("sgm_dd"),
                cell("sgmap-qd1")
            );
        }
        for tool in ["sgm_dd", "sgmap-qd1"] {
            match model(&rows, tool) {
                Some((us, ns_per_kib)) => println!(
                    "    {tool:<10} {us:>8.1} µs per command, {ns_per_kib:>8.1} ns per KiB \
                     ({:.0} MB/s for the bytes alone)",
                    1024.0 / ns_per_kib * 1e3
                ),
                None => println!("    {tool:<10} (no fit: samples missing)"),
            }
        }
    }

    println!();
    println!("Start-up and exit (spawn to exit, less the copy), median over every run:");
    for (label, prefix) in [
        ("sgmap dd", "sgmap-qd"),
        ("sgp_dd", "sgp_dd-thr"),
        ("sgm_dd", "sgm_dd"),
        ("fio", "fio-iodepth"),
    ] {
        let all: Vec<u64> = rows
            .iter()
            .filter(|r| r.tool.starts_with(prefix))
            .flat_map(|r| r.startup_ns.iter().copied())
            .collect();
        if !all.is_empty() {
            println!("    {label:<10} {:.1} ms", median(&all) as f64 / 1e6);
        }
    }

    let plot_dir = project_root().join("target/bench");
    fs::create_dir_all(&plot_dir).map_err(|e| format!("{}: {e}", plot_dir.display()))?;
    let plot = plot_dir.join("bench.svg");
    fs::write(&plot, svg(&rows)).map_err(|e| format!("{}: {e}", plot.display()))?;
    let log = plot_dir.join("console.log");
    fs::write(&log, &console).map_err(|e| format!("{}: {e}", log.display()))?;
    println!();
    println!("plot: {}", plot.display());
    println!(
        "the guest's console (every tool's command line, fio's and strace's output): {}",
        log.display()
    );

    println!();
    println!("What an initramfs must carry to run each:");
    let sgmap_size = size(&sgmap)?;
    println!("    {:<44} {:>12}", "sgmap (static)", kib(sgmap_size));
    let mut total = 0;
    let mut parts = Vec::new();
    for (guest_path, host_path) in sg3.files.iter().filter(|(g, _)| !g.ends_with("/sgp_dd")) {
        let size = size(host_path)?;
        total += size;
        let name = guest_path.rsplit('/').next().unwrap_or(guest_path);
        parts.push(format!("{name} {}", kib(size)));
    }
    println!(
        "    {:<44} {:>12}  ({:.1}x)",
        "sgm_dd + libsgutils2 + libc + loader",
        kib(total),
        total as f64 / sgmap_size as f64
    );
    println!("        {}", parts.join(", "));
    let fio: Vec<&(String, std::path::PathBuf)> = programs
        .files
        .iter()
        .chain(
            sg3.files
                .iter()
                .filter(|(g, _)| g.contains("/libc.so") || g.contains("/ld-linux")),
        )
        .filter(|(g, _)| !g.contains("strace") && !g.contains("libunwind"))
        .collect();
    let mut fio_total = 0;
    for (_, host_path) in &fio {
        fio_total += size(host_path)?;
    }
    println!(
        "    {:<44} {:>12}  ({:.1}x)",
        format!("fio + {} libraries + loader", fio.len().saturating_sub(2)),
        kib(fio_total),
        fio_total as f64 / sgmap_size as f64
    );

    let mut problems = outcome.problems();
    problems.extend(errors);
    let expected = script.lines().filter(|l| l.starts_with("run ")).count();
    if problems.is_empty() && reported != expected {
        problems.push(format!("{reported} runs reported, {expected} expected"));
    }
    println!();
    println!(
        "bench: {reported} runs (guest {}, total {})",
        format_duration(outcome.elapsed),
        format_duration(started.elapsed())
    );
    for problem in &problems {
        println!("    {problem}");
    }
    Ok(problems.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_times_every_tool_at_every_depth_size_direction_and_latency() {
        let script = script(Plan {
            runs: RUNS,
            quick: false,
        });
        let runs: Vec<&str> = script.lines().filter(|l| l.starts_with("run ")).collect();
        let matrix = LATENCIES.len() * TRANSFERS.len() * 2 * RUNS * (1 + 3 * DEPTHS.len());
        let syscalls = 2 * (1 + 3 * SYSCALL_DEPTHS.len());
        assert_eq!(runs.len(), matrix + SWEEP.len() * RUNS * 2 + syscalls);
        assert_eq!(script.matches("scsi_debug ").count(), LATENCIES.len() + 1);
        assert_eq!(
            runs[0],
            "run case=read-0-64k tool=sgm_dd bytes=33554432 records=65536 runs=1 -- \
             /usr/bin/sgm_dd if=$SG of=/dev/null bs=512 bpt=128 count=65536 time=1"
        );
        assert!(script.contains(
            "tool=sgp_dd-thr4 bytes=16777216 records=32768 runs=1 -- /usr/bin/sgp_dd \
             if=/dev/zero of=$SG bs=512 bpt=1024 count=32768 time=1 thr=4 oflag=mmap"
        ));
        assert!(script.contains("/bin/sgmap dd if=$SG of=/dev/null bs=512 bpt=16 "));
        assert!(script.contains(
            "run case=write-1ms-512k tool=fio-iodepth8 bytes=16777216 runs=1 output=1 -- \
             /usr/bin/fio --name=bench --filename=$SG --ioengine=sg --rw=write --bs=524288 \
             --iodepth=8 --size=16777216 --invalidate=0 --zero_buffers --gtod_reduce=1 \
             --output-format=terse \
             --terse-version=3\n"
        ));
        assert!(script.contains(
            "run case=syscalls-read-0-64k tool=sgmap-qd4 bytes=134217728 records=262144 runs=1 \
             output=1 -- /usr/bin/strace -f -qq -c /bin/sgmap dd if=$SG of=/dev/null bs=512 \
             bpt=128 count=262144 time=1 qd=4\n"
        ));
        assert!(script.contains(
            "run case=syscalls-write-0-64k tool=fio-iodepth1 bytes=134217728 runs=1 output=1 \
             -- /usr/bin/strace -f -qq -c /usr/bin/fio --name=bench --filename=$SG \
             --ioengine=sg --rw=write --bs=65536 --iodepth=1 --size=134217728 "
        ));
        // The counts run at no latency, after the sweep.
        let last_load = script.rfind("scsi_debug ").unwrap();
        assert!(script[last_load..].starts_with(&format!("scsi_debug {SDEBUG} delay=0\n")));
        assert!(script.find("case=sweep-").unwrap() < script.find("case=syscalls-").unwrap());
        assert!(
            !script.contains("/dev/sg"),
            "device names come from the guest"
        );
    }

    #[test]
    fn quick_is_one_run_of_64k_transfers_without_the_sweep() {
        let plan = parse_args(&["--quick".to_owned()]).unwrap();
        assert_eq!((plan.runs, plan.quick), (1, true));
        let plan = parse_args(&["--quick".into(), "--runs".into(), "3".into()]).unwrap();
        assert_eq!((plan.runs, plan.quick), (3, true));
        let plan = parse_args(&[]).unwrap();
        assert_eq!((plan.runs, plan.quick), (RUNS, false));
        assert!(parse_args(&["--runs=0".into()]).is_err());
        assert!(parse_args(&["--fast".into()]).is_err());
        let script = script(Plan {
            runs: 1,
            quick: true,
        });
        let runs = script.lines().filter(|l| l.starts_with("run ")).count();
        assert_eq!(
            runs,
            LATENCIES.len() * 2 * (1 + 3 * DEPTHS.len()) + 2 * (1 + 3 * SYSCALL_DEPTHS.len())
        );
        assert!(!script.contains("bpt=1024") && !script.contains("case=sweep-"));
        assert!(script.contains("case=syscalls-write-0-64k tool=sgm_dd "));
    }

    // Captured from the tools in the bench's guest (Debian 12's fio 3.33 and strace 6.1,
    // `cargo xtask bench --quick`, target/bench/console.log).

    /// fio, reading 32 MiB at iodepth 1 (read-0-64k): 32,768 KiB in 2,361 ms.
    const FIO_READ_RUN: &str = r#"SGMAP-OUT read-0-64k fio-iodepth1: /usr/bin/fio --name=bench --filename=/dev/sg1 --ioengine=sg --rw=read --bs=65536 --iodepth=1 --size=33554432 --invalidate=0 --zero_buffers --output-format=terse --terse-version=3
SGMAP-TOOL 3;fio-3.33;bench;0;0;32768;13878;216;2361;1;8331;35.104961;510.287457;492;41699;4490.756445;5996.995562;1.000000%=497;5.000000%=505;10.000000%=528;20.000000%=569;30.000000%=659;40.000000%=1335;50.000000%=1400;60.000000%=1630;70.000000%=5931;80.000000%=9502;90.000000%=11337;95.000000%=17694;99.000000%=24772;99.500000%=27131;99.900000%=41680;99.950000%=41680;99.990000%=41680;0%=0;0%=0;0%=0;494;41703;4525.861406;6004.925317;12825;14592;99.556853%;13816.500000;814.578214;0;0;0;0;0;0;0.000000;0.000000;0;0;0.000000;0.000000;1.000000%=0;5.000000%=0;10.000000%=0;20.000000%=0;30.000000%=0;40.000000%=0;50.000000%=0;60.000000%=0;70.000000%=0;80.000000%=0;90.000000%=0;95.000000%=0;99.000000%=0;99.500000%=0;99.900000%=0;99.950000%=0;99.990000%=0;0%=0;0%=0;0%=0;0;0;0.000000;0.000000;0;0;0.000000%;0.000000;0.000000;3.091910%;90.173655%;522;0;26;100.0%;0.0%;0.0%;0.0%;0.0%;0.0%;0.0%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%;1.95%;34.38%;2.34%;25.59%;2.34%;16.21%;14.45%;2.73%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%
SGMAP-BENCH case=read-0-64k tool=fio-iodepth1 run=1 bytes=33554432 ns=4569892080 xfer_ns=0"#;
    /// fio, writing 16 MiB at iodepth 8 (write-1ms-64k): 16,384 KiB in 183 ms.
    const FIO_WRITE_TERSE: &str = r#"3;fio-3.33;bench;0;0;0;0;0;0;0;0;0.000000;0.000000;0;0;0.000000;0.000000;1.000000%=0;5.000000%=0;10.000000%=0;20.000000%=0;30.000000%=0;40.000000%=0;50.000000%=0;60.000000%=0;70.000000%=0;80.000000%=0;90.000000%=0;95.000000%=0;99.000000%=0;99.500000%=0;99.900000%=0;99.950000%=0;99.990000%=0;0%=0;0%=0;0%=0;0;0;0.000000;0.000000;0;0;0.000000%;0.000000;0.000000;16384;89530;1398;183;1;159;2.814531;9.862263;2536;10314;5453.675195;1090.827550;1.000000%=3719;5.000000%=4358;10.000000%=4489;20.000000%=4751;30.000000%=4816;40.000000%=4947;50.000000%=5079;60.000000%=5472;70.000000%=5734;80.000000%=6193;90.000000%=6651;95.000000%=7176;99.000000%=10027;99.500000%=10158;99.900000%=10289;99.950000%=10289;99.990000%=10289;0%=0;0%=0;0%=0;2537;10316;5456.489727;1091.482357;0;0;0.000000%;0.000000;0.000000;3.278689%;93.989071%;8;0;9;0.4%;0.8%;1.6%;97.3%;0.0%;0.0%;0.0%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%;1.17%;97.66%;1.17%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%"#;
    /// `sgmap dd qd=1` reading 2,048 transfers of 64 KiB under strace (before its
    /// per-transfer clock read went: 7,067 calls).
    const STRACE_SGMAP: &str = r#"SGMAP-OUT syscalls-read-0-64k sgmap-qd1: /usr/bin/strace -f -qq -c /bin/sgmap dd if=/dev/sg1 of=/dev/null bs=512 bpt=128 count=262144 time=1 qd=1
SGMAP-TOOL time to transfer data: 12.125447 secs at 11.07 MB/sec
SGMAP-TOOL 262144+0 records in
SGMAP-TOOL 262144+0 records out
SGMAP-TOOL % time     seconds  usecs/call     calls    errors syscall
SGMAP-TOOL ------ ----------- ----------- --------- --------- ----------------
SGMAP-TOOL  39.77    1.674541         816      2050           write
SGMAP-TOOL  22.33    0.940407         458      2053           read
SGMAP-TOOL  21.73    0.914888         445      2052           clock_gettime
SGMAP-TOOL  15.79    0.665036         766       868           rt_sigpending
SGMAP-TOOL   0.29    0.012012        4003         3           fstat
SGMAP-TOOL   0.02    0.000926         231         4           open
SGMAP-TOOL   0.01    0.000582         582         1           execve
SGMAP-TOOL   0.01    0.000565          51        11         1 ioctl
SGMAP-TOOL   0.01    0.000474         118         4           mmap
SGMAP-TOOL   0.01    0.000458         152         3           munmap
SGMAP-TOOL   0.01    0.000333         111         3           stat
SGMAP-TOOL   0.01    0.000322          80         4           close
SGMAP-TOOL   0.00    0.000101          33         3           fcntl
SGMAP-TOOL   0.00    0.000100          50         2           newfstatat
SGMAP-TOOL   0.00    0.000025          25         1           poll
SGMAP-TOOL   0.00    0.000024          24         1           rt_sigprocmask
SGMAP-TOOL   0.00    0.000022          22         1           arch_prctl
SGMAP-TOOL   0.00    0.000020          20         1           rt_sigaction
SGMAP-TOOL   0.00    0.000018          18         1         1 prctl
SGMAP-TOOL   0.00    0.000016          16         1           set_tid_address
SGMAP-TOOL ------ ----------- ----------- --------- --------- ----------------
SGMAP-TOOL 100.00    4.210870         595      7067         2 total
SGMAP-BENCH case=syscalls-read-0-64k tool=sgmap-qd1 run=1 bytes=134217728 ns=12292531880 xfer_ns=12125447000"#;
    /// `sgmap dd qd=4` reading them once the path was the command's `write()` and `read()`
    /// (4,199 calls: 2,050 and 2,053 of them, the rest start-up and exit).
    const STRACE_SGMAP_QD4: &str = r#"SGMAP-OUT syscalls-read-0-64k sgmap-qd4: /usr/bin/strace -f -qq -c /bin/sgmap dd if=/dev/sg1 of=/dev/null bs=512 bpt=128 count=262144 time=1 qd=4
SGMAP-TOOL time to transfer data: 15.262876 secs at 8.79 MB/sec
SGMAP-TOOL 262144+0 records in
SGMAP-TOOL 262144+0 records out
SGMAP-TOOL % time     seconds  usecs/call     calls    errors syscall
SGMAP-TOOL ------ ----------- ----------- --------- --------- ----------------
SGMAP-TOOL  55.65    3.601704        1756      2050           write
SGMAP-TOOL  41.25    2.669889        1300      2053           read
SGMAP-TOOL   1.28    0.082865        2857        29         1 ioctl
SGMAP-TOOL   0.35    0.022841        2284        10           mmap
SGMAP-TOOL   0.28    0.017818        2545         7           open
SGMAP-TOOL   0.25    0.016052        2675         6           fcntl
SGMAP-TOOL   0.18    0.011559        1651         7           close
SGMAP-TOOL   0.16    0.010617        1769         6           rt_sigaction
SGMAP-TOOL   0.14    0.009363        1872         5           newfstatat
SGMAP-TOOL   0.10    0.006379        2126         3           stat
SGMAP-TOOL   0.07    0.004712         785         6           fstat
SGMAP-TOOL   0.06    0.004117        4117         1           execve
SGMAP-TOOL   0.06    0.004045        2022         2           clock_gettime
SGMAP-TOOL   0.06    0.003951        3950         1           poll
SGMAP-TOOL   0.05    0.003323        3323         1           rt_sigprocmask
SGMAP-TOOL   0.02    0.001455         161         9           munmap
SGMAP-TOOL   0.01    0.000797         797         1           set_tid_address
SGMAP-TOOL   0.00    0.000231         231         1         1 prctl
SGMAP-TOOL   0.00    0.000000           0         1           arch_prctl
SGMAP-TOOL ------ ----------- ----------- --------- --------- ----------------
SGMAP-TOOL 100.00    6.471718        1541      4199         2 total
SGMAP-BENCH case=syscalls-read-0-64k tool=sgmap-qd4 run=1 bytes=134217728 ns=15870616590 xfer_ns=15262876000"#;
    /// `sgp_dd thr=4` writing them (an errors column: 14,694 calls, 932 errors).
    const STRACE_SGP: &str = r#"SGMAP-OUT syscalls-write-0-64k sgp_dd-thr4: /usr/bin/strace -f -qq -c /usr/bin/sgp_dd if=/dev/zero of=/dev/sg1 bs=512 bpt=128 count=262144 time=1 thr=4 oflag=mmap
SGMAP-TOOL time to transfer data was 29.983127 secs, 4.48 MB/sec
SGMAP-TOOL 262144+0 records in
SGMAP-TOOL 262144+0 records out
SGMAP-TOOL % time     seconds  usecs/call     calls    errors syscall
SGMAP-TOOL ------ ----------- ----------- --------- --------- ----------------
SGMAP-TOOL  69.61  100.775760       12040      8370       893 futex
SGMAP-TOOL  19.90   28.812403    28812403         1           rt_sigtimedwait
SGMAP-TOOL   6.19    8.964040        2187      4098           read
SGMAP-TOOL   4.26    6.170495        3007      2052           write
SGMAP-TOOL   0.01    0.010214        1134         9           mprotect
SGMAP-TOOL   0.01    0.007924        7924         1           execve
SGMAP-TOOL   0.00    0.007154         298        24           rt_sigprocmask
SGMAP-TOOL   0.00    0.005536        2768         2           gettimeofday
SGMAP-TOOL   0.00    0.005432         194        28        20 openat
SGMAP-TOOL   0.00    0.003882         194        20           mmap
SGMAP-TOOL   0.00    0.003311         174        19           ioctl
SGMAP-TOOL   0.00    0.003159         631         5           clone3
SGMAP-TOOL   0.00    0.001512          65        23        18 newfstatat
SGMAP-TOOL   0.00    0.001374         229         6           rseq
SGMAP-TOOL   0.00    0.001291         215         6           set_robust_list
SGMAP-TOOL   0.00    0.000435          48         9           rt_sigaction
SGMAP-TOOL   0.00    0.000344         114         3           brk
SGMAP-TOOL   0.00    0.000300          60         5           madvise
SGMAP-TOOL   0.00    0.000255          63         4           close
SGMAP-TOOL   0.00    0.000173         173         1         1 access
SGMAP-TOOL   0.00    0.000127         127         1           tgkill
SGMAP-TOOL   0.00    0.000125          62         2           pread64
SGMAP-TOOL   0.00    0.000082          82         1           getrandom
SGMAP-TOOL   0.00    0.000048          48         1           prlimit64
SGMAP-TOOL   0.00    0.000043          43         1           set_tid_address
SGMAP-TOOL   0.00    0.000034          34         1           getpid
SGMAP-TOOL   0.00    0.000021          21         1           arch_prctl
SGMAP-TOOL ------ ----------- ----------- --------- --------- ----------------
SGMAP-TOOL 100.00  144.775474        9852     14694       932 total
SGMAP-BENCH case=syscalls-write-0-64k tool=sgp_dd-thr4 run=1 bytes=134217728 ns=30226123040 xfer_ns=29983127000"#;

    /// The samples of console lines, as `run` reads them.
    fn console(text: &str) -> Vec<Sample> {
        let (mut output, mut samples) = (Vec::new(), Vec::new());
        for line in text.lines() {
            take_line(line, &mut output, &mut samples);
        }
        samples
    }

    #[test]
    fn fio_terse_output_gives_its_bytes_and_run_time() {
        let fio = |text: &str| Fio::parse(&text.lines().map(str::to_owned).collect::<Vec<_>>());
        let read = FIO_READ_RUN
            .lines()
            .find(|l| l.contains(";fio-3.33;"))
            .unwrap();
        let read = read.strip_prefix("SGMAP-TOOL ").unwrap();
        assert_eq!(
            fio(read),
            Some(Fio {
                bytes: 32 << 20,
                runtime_ms: 2361
            })
        );
        assert_eq!(
            fio(&format!("note: a line before\n{FIO_WRITE_TERSE}")),
            Some(Fio {
                bytes: 16 << 20,
                runtime_ms: 183
            })
        );
        // A job that failed (its error field), a line cut short, no terse line: nothing.
        let failed = FIO_WRITE_TERSE.replacen(";bench;0;0;", ";bench;0;5;", 1);
        assert_eq!(fio(&failed), None);
        let cut: String = FIO_WRITE_TERSE
            .split(';')
            .take(48)
            .collect::<Vec<_>>()
            .join(";");
        assert_eq!(fio(&cut), None);
        assert_eq!(fio("fio: engine sg not loadable"), None);
    }

    #[test]
    fn strace_table_gives_the_calls_of_each_system_call_and_their_total() {
        let strace = |text: &str| {
            let samples = console(text);
            Strace::parse(&samples[0].output)
        };
        let sgmap = strace(STRACE_SGMAP).unwrap();
        assert_eq!(sgmap.total, 7067);
        assert_eq!(
            sgmap.calls[..4],
            [
                ("read".to_owned(), 2053),
                ("clock_gettime".to_owned(), 2052),
                ("write".to_owned(), 2050),
                ("rt_sigpending".to_owned(), 868)
            ]
        );
        assert_eq!(sgmap.calls.iter().map(|c| c.1).sum::<u64>(), 7067);
        let sgp = strace(STRACE_SGP).unwrap();
        assert_eq!(sgp.total, 14694);
        assert_eq!(sgp.calls[0], ("futex".to_owned(), 8370));
        assert_eq!(sgp.calls.iter().map(|c| c.1).sum::<u64>(), 14694);
        // Without its total line, or without the table, nothing.
        let cut: String = STRACE_SGP
            .lines()
            .filter(|l| !l.contains(" total"))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(strace(&cut), None);
        let none: String = STRACE_SGP
            .lines()
            .filter(|l| !l.contains("% time"))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(strace(&none), None);
    }

    #[test]
    fn fio_is_timed_by_its_own_run_time_and_strace_runs_are_counted_not_timed() {
        let text = format!("{FIO_READ_RUN}\n{STRACE_SGMAP}\n{STRACE_SGP}");
        let (timed, counts, problems) = resolve(console(&text));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(timed.len(), 1);
        assert_eq!(
            (timed[0].tool.as_str(), timed[0].xfer_ns),
            ("fio-iodepth1", 2_361_000_000)
        );
        assert_eq!(timed[0].ns, 4_569_892_080);
        assert_eq!(counts.len(), 2);
        assert_eq!(
            (counts[0].tool.as_str(), counts[0].transfers),
            ("sgmap-qd1", 2048)
        );
        let table = syscall_table(&counts);
        assert!(
            table.contains(
                "    sgmap-qd1          3.45    3.43   read 1.00, clock_gettime 1.00, write 1.00\n"
            ),
            "{table}"
        );
        assert!(
            table.contains(
                "    sgp_dd-thr4        7.17    7.09   futex 4.09, read 2.00, write 1.00\n"
            ),
            "{table}"
        );
        let goals = goals(&[], &counts);
        assert!(
            goals.contains(
                "read-0-64k     sgmap-qd1  system calls per transfer on the path 3.43 (goal 2; \
                 all 3.45): missed"
            ),
            "{goals}"
        );
        let (_, counts, _) = resolve(console(STRACE_SGMAP_QD4));
        assert_eq!(counts[0].strace.total, 4199);
        let goals = super::goals(&[], &counts);
        assert!(
            goals.contains(
                "read-0-64k     sgmap-qd4  system calls per transfer on the path 2.00 (goal 2; \
                 all 2.05): reached"
            ),
            "{goals}"
        );

        // fio that moved less than asked is a problem, not a sample.
        let short = FIO_READ_RUN.replace("bytes=33554432", "bytes=67108864");
        let (timed, _, problems) = resolve(console(&short));
        assert!(timed.is_empty());
        assert_eq!(
            problems,
            ["read-0-64k fio-iodepth1: fio moved 33554432 bytes in 2361 ms, not 67108864 bytes"]
        );
        // A strace run without its table is a problem too.
        let (_, counts, problems) = resolve(console(&STRACE_SGMAP.replace("% time", "%")));
        assert!(counts.is_empty());
        assert_eq!(
            problems,
            ["syscalls-read-0-64k sgmap-qd1: no strace -c table in its output"]
        );
    }

    #[test]
    fn the_matrix_puts_sgmap_against_fio_and_the_better_peer() {
        let sample = |tool: &str, mb_per_s: u64| Sample {
            case: "read-1ms-64k".into(),
            tool: tool.into(),
            bytes: 100_000_000,
            ns: 1,
            xfer_ns: 100_000_000 / mb_per_s * 1000,
            output: Vec::new(),
        };
        let rows = rows(&[
            sample("sgm_dd", 10),
            sample("sgmap-qd1", 12),
            sample("sgp_dd-thr1", 8),
            sample("fio-iodepth1", 24),
            sample("sgmap-qd2", 40),
            sample("sgp_dd-thr2", 20),
            sample("fio-iodepth2", 32),
            sample("sgmap-qd4", 40),
            sample("sgp_dd-thr4", 50),
        ]);
        let table = matrix_table(&rows);
        let line = |qd: &str| {
            table
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{qd} ")))
                .unwrap()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert!(
            table.contains("fio MB/s  vs sgp_dd  vs fio  vs best  vs sgm_dd"),
            "{table}"
        );
        // qd, sgmap, sgp_dd, fio (each with its spread), vs sgp_dd, vs fio, vs best, vs sgm_dd.
        assert_eq!(line("1"), "1 12.0 ±0% 8.0 ±0% 24.0 ±0% 1.50 0.50 - 1.20");
        assert_eq!(
            line("2"),
            "2 40.0 ±0% 20.0 ±0% 32.0 ±0% 2.00 1.25 1.25 4.00"
        );
        assert_eq!(line("4"), "4 40.0 ±0% 50.0 ±0% - 0.80 - 0.80 4.00");
        let goals = goals(&rows, &[]);
        assert!(
            goals.contains(
                "read-1ms-64k   qd=2 vs fio-iodepth2   ≥ 1.1: 1.25 (±0%, ±0%): reached\n"
            ),
            "{goals}"
        );
        assert!(
            goals
                .contains("read-1ms-64k   qd=4 vs sgp_dd-thr4    ≥ 1.1: 0.80 (±0%, ±0%): missed\n"),
            "{goals}"
        );
    }

    #[test]
    fn rounds_alternate_their_order() {
        let tools = [(Kind::Sgm, 1), (Kind::Sgmap, 2)];
        let s = rounds(3, &tools, |k, d| format!("{}\n", k.id(d)));
        assert_eq!(
            s,
            "sgm_dd\nsgmap-qd2\nsgmap-qd2\nsgm_dd\nsgm_dd\nsgmap-qd2\n"
        );
    }

    #[test]
    fn samples_give_medians_spreads_and_ratios() {
        let console = "\
SGMAP-BENCH case=read-0-64k tool=sgm_dd run=1 bytes=1000000 ns=2100000000 xfer_ns=2000000000
SGMAP-BENCH case=read-0-64k tool=sgmap-qd1 run=1 bytes=1000000 ns=1000000000 xfer_ns=1000000000
[   5.1] SGMAP-BENCH case=read-0-64k tool=sgm_dd run=1 bytes=1000000 ns=1 xfer_ns=1000000000
SGMAP-BENCH case=read-0-64k tool=sgmap-qd1 run=1 bytes=1000000 ns=600000000 xfer_ns=500000000
SGMAP-BENCH case=read-0-64k tool=sgm_dd run=1 bytes=1000000 ns=4000000000 xfer_ns=4000000000
SGMAP-BENCH case=read-0-64k tool=sgmap-qd1 run=1 bytes=1000000 ns=250000000 xfer_ns=250000000
SGMAP-BENCH case=read-0-64k tool=sgp_dd-thr1 run=1 bytes=1000000 ns=1 xfer_ns=0
SGMAP-BENCH case=read-0-64k tool=broken
SGMAP-OUT something else";
        let samples: Vec<Sample> = console.lines().filter_map(Sample::parse).collect();
        assert_eq!(samples.len(), 7, "a broken line is no sample");
        let (samples, counts, problems) = resolve(samples);
        assert_eq!(samples.len(), 6, "a run without a time is not timed");
        assert!(counts.is_empty());
        assert_eq!(problems, ["read-0-64k sgp_dd-thr1: no time"]);
        let rows = rows(&samples);
        assert_eq!(rows.len(), 2);
        assert!((rows[0].mb_per_s() - 0.5).abs() < 1e-9);
        assert!((rows[0].spread() - 1.5).abs() < 1e-9);
        assert_eq!(median(&rows[1].startup_ns), 0);
        assert_eq!(median(&rows[0].startup_ns), 0);
        let table = matrix_table(&rows);
        assert!(table.contains("read-0-64k: sgm_dd 0.5 MB/s"), "{table}");
        let qd1 = table
            .lines()
            .find(|l| l.trim_start().starts_with("1 "))
            .unwrap();
        assert!(
            qd1.contains("2.0 ±") && qd1.trim_end().ends_with("4.00"),
            "{table}"
        );
    }

    #[test]
    fn the_model_recovers_a_known_line() {
        // 100 µs per command and 2 ns per byte, exactly.
        let (a, b) = fit(&[
            (1000.0, 102_000.0),
            (5000.0, 110_000.0),
            (9000.0, 118_000.0),
        ])
        .unwrap();
        assert!((a - 100_000.0).abs() < 1e-6 && (b - 2.0).abs() < 1e-9);
        assert_eq!(fit(&[(1.0, 1.0)]), None);
        let mut samples = Vec::new();
        for &bpt in SWEEP {
            let bytes = bpt * BS;
            let commands = SWEEP_BYTES / bytes;
            let per = 50_000 + bytes; // 50 µs + 1 ns per byte
            samples.push(Sample {
                case: format!("sweep-{}k", bytes / 1024),
                tool: "sgm_dd".into(),
                bytes: SWEEP_BYTES,
                ns: commands * per,
                xfer_ns: commands * per,
                output: Vec::new(),
            });
        }
        let (us, ns_per_kib) = model(&rows(&samples), "sgm_dd").unwrap();
        assert!((us - 50.0).abs() < 1e-6 && (ns_per_kib - 1024.0).abs() < 1e-6);
    }

    #[test]
    fn the_plot_is_one_svg_with_a_panel_per_latency_and_direction() {
        let mut samples = Vec::new();
        for l in LATENCIES {
            for d in ["read", "write"] {
                for &dep in DEPTHS {
                    samples.push(Sample {
                        case: format!("{d}-{}-64k", l.id),
                        tool: Kind::Sgmap.id(dep),
                        bytes: 1_000_000,
                        ns: 2,
                        xfer_ns: 1_000_000 / u64::from(dep),
                        output: Vec::new(),
                    });
                }
            }
        }
        let svg = svg(&rows(&samples));
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 4);
        assert_eq!(svg.matches("(MB/s)</text>").count(), 4);
    }
}
