//! `cargo xtask bench`: `sgmap dd` against sg3_utils' `sgm_dd` (mmap-ed) and `sg_dd`, in
//! the same guest, on the same scsi_debug disk.
//!
//! Speed is measured here, never asserted in tests. QEMU runs under TCG (KVM does not boot
//! here), which makes absolute numbers meaningless; what compares is the ratio of each
//! tool to `sgm_dd` in the same boot.
//!
//! sg3_utils comes from Debian's archive like the kernel (`apt-get download`, SHA-256
//! checked, `dpkg -x` into the cache): `sg3-utils` and the `libsgutils2-*` package it
//! depends on. Its programs are linked against glibc: the loader and the libraries they
//! need (`DT_NEEDED`, read with `elf.rs`) come from the packages or from the host's
//! `/lib/x86_64-linux-gnu` (the host is Debian like the packages) and go into the
//! initramfs at their usual paths.
//!
//! The guest's init runs [`script`] (`sgmap.mode=bench`, see `run_bench` in
//! tests/src/bin/guest-init.rs): for each scsi_debug latency, reads from the sg node to
//! /dev/null and writes from /dev/zero, each tool timed from spawn to exit on the guest's
//! monotonic clock, [`RUNS`] times in turn. The table gives the median.
//!
//! The task fails only when a tool fails (or the guest does), never for slowness.

use std::fs;
use std::path::Path;
use std::time::Instant;

use crate::cargo::ensure_rust_targets;
use crate::dist::kib;
use crate::guest::{self, after, Boot, WorkDir, GUEST_TARGET};
use crate::test::format_duration;
use crate::{dist, sg3, Result};

/// Block size: 512, as the disk's sectors.
const BS: u64 = 512;
/// Blocks per transfer and the case-name suffix: sgm_dd's default for 512-byte blocks
/// (64 KiB), and 512 KiB, the largest reserve scsi_debug grants (`max_sectors_kb` 512).
const TRANSFERS: &[(u64, &str)] = &[(128, "64k"), (1024, "512k")];
/// Bytes each run reads, or writes.
const READ_BYTES: u64 = 64 << 20;
const WRITE_BYTES: u64 = 32 << 20;
/// Runs of each tool in each case (`--runs`); the table shows the median.
const RUNS: usize = 3;

/// scsi_debug for every case: one 256 MiB disk of 512-byte sectors.
const SDEBUG: &str =
    "dev_size_mb=256 sector_size=512 add_host=1 num_tgts=1 max_luns=1 statistics=0";

/// A scsi_debug latency setting.
struct Latency {
    /// In the case names: `read-20us`.
    id: &'static str,
    params: &'static str,
    label: &'static str,
}

const LATENCIES: &[Latency] = &[
    Latency {
        id: "20us",
        params: "ndelay=20000",
        label: "ndelay=20000: each command completes 20 µs later, from a timer",
    },
    Latency {
        id: "1ms",
        params: "ndelay=1000000",
        label: "ndelay=1000000: 1 ms, a latency that TCG's slowness does not hide",
    },
    Latency {
        id: "0",
        params: "delay=0",
        label: "delay=0: completes at once, in the submitter's context",
    },
];

/// A tool in the table, and its command for one direction.
struct Tool {
    id: &'static str,
    label: &'static str,
    program: &'static str,
    /// Extra operands after `if=`, `of=`, `bs=`, `bpt=`, `count=`.
    extra: &'static str,
    writes: bool,
}

const BASELINE: &str = "sgm_dd";

const TOOLS: &[Tool] = &[
    Tool {
        id: BASELINE,
        label: "sgm_dd (sg3_utils, mmap-ed)",
        program: "/usr/bin/sgm_dd",
        extra: "",
        writes: true,
    },
    Tool {
        id: "sg_dd",
        label: "sg_dd (sg3_utils)",
        program: "/usr/bin/sg_dd",
        extra: "",
        writes: false,
    },
    Tool {
        id: "sgmap-qd1",
        label: "sgmap dd qd=1",
        program: "/bin/sgmap",
        extra: " qd=1",
        writes: true,
    },
    Tool {
        id: "sgmap-qd4",
        label: "sgmap dd qd=4",
        program: "/bin/sgmap",
        extra: " qd=4",
        writes: true,
    },
];

/// The init's bench script (`/etc/sgmap/bench`), `runs` runs of each tool in each case.
pub fn script(runs: usize) -> String {
    let mut s = String::from("# written by `cargo xtask bench` (xtask/src/bench.rs)\n");
    for latency in LATENCIES {
        s += &format!("scsi_debug {SDEBUG} {}\n", latency.params);
        for &(bpt, size) in TRANSFERS {
            for (direction, bytes) in [("read", READ_BYTES), ("write", WRITE_BYTES)] {
                let records = bytes / BS;
                // Tools in turn, `runs` rounds: a drift in the guest's speed spreads over all.
                for _ in 0..runs {
                    for tool in TOOLS.iter().filter(|t| direction == "read" || t.writes) {
                        let (input, output) = if direction == "read" {
                            ("$SG", "/dev/null")
                        } else {
                            ("/dev/zero", "$SG")
                        };
                        let dd = if tool.program.ends_with("sgmap") {
                            " dd"
                        } else {
                            ""
                        };
                        s += &format!(
                            "run case={direction}-{}-{size} tool={} bytes={bytes} \
                             records={records} runs=1 -- {}{dd} if={input} of={output} \
                             bs={BS} bpt={bpt} count={records}{}\n",
                            latency.id, tool.id, tool.program, tool.extra
                        );
                    }
                }
            }
        }
    }
    s
}

/// One `SGMAP-BENCH` line.
#[derive(Debug, Clone, PartialEq)]
struct Sample {
    case: String,
    tool: String,
    bytes: u64,
    ns: u64,
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
        })
    }
}

/// The samples of one tool in one case.
#[derive(Debug)]
struct Row {
    case: String,
    tool: String,
    bytes: u64,
    ns: Vec<u64>,
}

impl Row {
    fn median_ns(&self) -> u64 {
        let mut ns = self.ns.clone();
        ns.sort_unstable();
        ns[ns.len() / 2]
    }

    /// MB/s (10^6 bytes, as sg3_utils counts) at the median time.
    fn mb_per_s(&self) -> f64 {
        self.bytes as f64 / (self.median_ns() as f64 / 1e9) / 1e6
    }

    /// (max - min) / median.
    fn spread(&self) -> f64 {
        let (min, max) = (
            *self.ns.iter().min().expect("a row has samples"),
            *self.ns.iter().max().expect("a row has samples"),
        );
        (max - min) as f64 / self.median_ns() as f64
    }
}

/// Samples grouped by case and tool, in the order they first came.
fn rows(samples: &[Sample]) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for s in samples {
        match rows
            .iter_mut()
            .find(|r| r.case == s.case && r.tool == s.tool)
        {
            Some(row) => row.ns.push(s.ns),
            None => rows.push(Row {
                case: s.case.clone(),
                tool: s.tool.clone(),
                bytes: s.bytes,
                ns: vec![s.ns],
            }),
        }
    }
    rows
}

/// The table: each row's median MB/s and its ratio to [`BASELINE`] in the same case.
fn table(rows: &[Row]) -> String {
    let mut out = format!(
        "{:<16} {:<30} {:>9} {:>10} {:>8}\n",
        "case", "tool", "MB/s", "vs sgm_dd", "spread"
    );
    for row in rows {
        let baseline = rows
            .iter()
            .find(|r| r.case == row.case && r.tool == BASELINE)
            .map(Row::mb_per_s);
        let ratio =
            baseline.map_or_else(|| "-".to_owned(), |b| format!("{:.2}", row.mb_per_s() / b));
        let label = TOOLS
            .iter()
            .find(|t| t.id == row.tool)
            .map_or(row.tool.as_str(), |t| t.label);
        out += &format!(
            "{:<16} {:<30} {:>9.1} {:>10} {:>7.0}%\n",
            row.case,
            label,
            row.mb_per_s(),
            ratio,
            row.spread() * 100.0
        );
    }
    out
}

/// The size of a file (a symbolic link's target).
fn size(path: &Path) -> Result<u64> {
    fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs the bench.
pub fn run(args: &[String]) -> Result<bool> {
    let mut runs = RUNS;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = match arg.strip_prefix("--runs") {
            Some("") => args.next().map(String::as_str),
            Some(rest) => rest.strip_prefix('='),
            None => return Err(format!("cargo xtask bench: unknown option {arg:?}")),
        };
        runs = value
            .and_then(|v| v.parse().ok())
            .filter(|&n| n > 0)
            .ok_or("cargo xtask bench: --runs takes a number of runs, at least 1")?;
    }
    let started = Instant::now();
    ensure_rust_targets(&[GUEST_TARGET])?;
    let rig = guest::prepare()?;
    let sg3 = sg3::sg3_utils(&["sgm_dd", "sg_dd"])?;
    let init = guest::build_init()?;
    let sgmap = dist::build_sgmap(GUEST_TARGET)?;
    dist::check_static(&sgmap, GUEST_TARGET)?;

    let work = WorkDir::new("bench")?;
    let initramfs = work.path().join("initramfs.cpio");
    let mut files = vec![("bin/sgmap".to_owned(), sgmap.clone())];
    files.extend(sg3.files.iter().cloned());
    let script = script(runs);
    guest::write_initramfs(
        &initramfs,
        &init,
        &rig.modules,
        &files,
        &[("etc/sgmap/bench", script.as_bytes())],
    )?;
    let disk = work.path().join("scratch.img");
    guest::create_scratch_disk(&disk)?;

    let accel = guest::accelerator()?;
    eprintln!(
        "booting {} in QEMU ({accel}) with {}",
        rig.kernel.description, sg3.description
    );
    let mut samples = Vec::new();
    let mut errors = Vec::new();
    let outcome = guest::boot(
        &Boot {
            kernel: &rig.kernel,
            initramfs: &initramfs,
            mode: "bench",
            cmdline: Vec::new(),
            disk: &disk,
            echo: false,
        },
        |line| {
            if let Some(sample) = Sample::parse(line) {
                eprint!(".");
                samples.push(sample);
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

    let rows = rows(&samples);
    println!();
    println!("sgmap bench: `sgmap dd` against sg3_utils in the same guest, on one scsi_debug disk");
    println!(
        "(256 MiB, 512-byte sectors), bs={BS}, transfers of 64 KiB (bpt=128, sgm_dd's default) \
         and 512 KiB (bpt=1024) for every tool:"
    );
    println!(
        "    {:<9} {} MiB from the sg node to /dev/null",
        "read-*",
        READ_BYTES >> 20
    );
    println!(
        "    {:<9} {} MiB from /dev/zero to the sg node",
        "write-*",
        WRITE_BYTES >> 20
    );
    for latency in LATENCIES {
        println!(
            "    {:<9} scsi_debug {}",
            format!("*-{}", latency.id),
            latency.label
        );
    }
    println!(
        "Each figure is the median of {runs} runs, each timed in the guest from spawn to exit \
         (monotonic clock);"
    );
    println!("spread = (slowest - fastest) / median.");
    if accel == "tcg" {
        println!(
            "QEMU runs under TCG (no KVM): absolute MB/s mean little; the ratios to sgm_dd, \
             measured in the same guest, are what compares."
        );
    }
    println!();
    print!("{}", table(&rows));

    println!();
    println!("What an initramfs must carry to run each:");
    let sgmap_size = size(&sgmap)?;
    println!("    {:<44} {:>12}", "sgmap (static)", kib(sgmap_size));
    let mut total = 0;
    let mut parts = Vec::new();
    for (guest_path, host_path) in sg3.files.iter().filter(|(g, _)| !g.ends_with("/sg_dd")) {
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

    let mut problems = outcome.problems();
    problems.extend(errors);
    let expected = LATENCIES.len()
        * TRANSFERS.len()
        * runs
        * (TOOLS.len() + TOOLS.iter().filter(|t| t.writes).count());
    if problems.is_empty() && samples.len() != expected {
        problems.push(format!(
            "{} timed runs reported, {expected} expected",
            samples.len()
        ));
    }
    println!();
    println!(
        "bench: {} timed runs (guest {}, total {})",
        samples.len(),
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
    fn script_times_every_tool_in_every_case() {
        let script = script(RUNS);
        let runs: Vec<&str> = script.lines().filter(|l| l.starts_with("run ")).collect();
        assert_eq!(
            runs.len(),
            LATENCIES.len() * TRANSFERS.len() * RUNS * (4 + 3)
        );
        assert_eq!(script.matches("scsi_debug ").count(), LATENCIES.len());
        let first = runs[0];
        assert_eq!(
            first,
            "run case=read-20us-64k tool=sgm_dd bytes=67108864 records=131072 runs=1 -- \
             /usr/bin/sgm_dd if=$SG of=/dev/null bs=512 bpt=128 count=131072"
        );
        assert!(script.contains(
            "tool=sgmap-qd4 bytes=33554432 records=65536 runs=1 -- /bin/sgmap dd \
             if=/dev/zero of=$SG bs=512 bpt=1024 count=65536 qd=4"
        ));
        assert!(
            !script.contains("/dev/sg"),
            "device names come from the guest"
        );
    }

    #[test]
    fn samples_give_medians_and_ratios() {
        let console = "\
SGMAP-BENCH case=read-0 tool=sgm_dd run=1 bytes=1000000 ns=2000000000
SGMAP-BENCH case=read-0 tool=sgmap-qd1 run=1 bytes=1000000 ns=1000000000
[   5.1] SGMAP-BENCH case=read-0 tool=sgm_dd run=1 bytes=1000000 ns=1000000000
SGMAP-BENCH case=read-0 tool=sgmap-qd1 run=1 bytes=1000000 ns=500000000
SGMAP-BENCH case=read-0 tool=sgm_dd run=1 bytes=1000000 ns=4000000000
SGMAP-BENCH case=read-0 tool=sgmap-qd1 run=1 bytes=1000000 ns=250000000
SGMAP-BENCH case=read-0 tool=broken
SGMAP-OUT something else";
        let samples: Vec<Sample> = console.lines().filter_map(Sample::parse).collect();
        assert_eq!(samples.len(), 6);
        let rows = rows(&samples);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].median_ns(), 2_000_000_000);
        assert!((rows[0].mb_per_s() - 0.5).abs() < 1e-9);
        assert_eq!(rows[1].median_ns(), 500_000_000);
        assert!((rows[0].spread() - 1.5).abs() < 1e-9);
        let table = table(&rows);
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[1].contains("sgm_dd (sg3_utils, mmap-ed)") && lines[1].contains("1.00"));
        assert!(
            lines[2].contains("sgmap dd qd=1") && lines[2].contains("4.00"),
            "{table}"
        );
    }
}
