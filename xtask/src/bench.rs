//! `cargo xtask bench`: `sgmap dd` against sg3_utils' `sgm_dd` (mmap-ed, one request at a
//! time) and `sgp_dd` (threads, `iflag=mmap`/`oflag=mmap`), in the same guest, on the same
//! scsi_debug disk.
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
//!   `thr=` 1, 2, 4 and 8, `sgm_dd` (qd 1 only: it has no depth);
//! - the sweep: reads at no latency, transfers of 8 KiB to 512 KiB, `sgmap dd qd=1` and
//!   `sgm_dd`, for the model fit: time per command = per-command cost + bytes × per-byte
//!   cost ([`fit`]), so that a shortfall says which of the two it is.
//!
//! Every figure is the median of `--runs` runs (5 by default) with its spread. The tools are
//! interleaved within a round and the order is reversed every other round, so that a drift
//! of the guest's speed falls on all of them. Each run is timed by the tool itself
//! (`time=1`: the copy, without the process's start and exit); the start-up (spawn to exit,
//! less the copy) is reported apart.
//!
//! Output: the tables on stdout, and an SVG plot of MB/s against the queue depth (a panel per
//! latency and direction, a line per tool and transfer size) written to
//! `target/bench/bench.svg` by [`svg`], with no dependency.
//!
//! sg3_utils comes from Debian's archive like the kernel (see `sg3.rs`). The task fails only
//! when a tool fails (or the guest does), never for slowness.

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
/// Queue depths (`qd=` of sgmap, `thr=` of sgp_dd).
const DEPTHS: &[u32] = &[1, 2, 4, 8];
/// Bytes each run reads, or writes.
const READ_BYTES: u64 = 32 << 20;
const WRITE_BYTES: u64 = 16 << 20;
const SWEEP_BYTES: u64 = 16 << 20;
/// Runs of each tool in each case (`--runs`); the tables show the median.
const RUNS: usize = 5;

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

/// The tools: `sgmap` (qd), `sgp_dd` (thr), `sgm_dd`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sgmap,
    Sgp,
    Sgm,
}

impl Kind {
    /// The tool's id at a depth: `sgmap-qd4`, `sgp_dd-thr4`, `sgm_dd`.
    fn id(self, depth: u32) -> String {
        match self {
            Kind::Sgmap => format!("sgmap-qd{depth}"),
            Kind::Sgp => format!("sgp_dd-thr{depth}"),
            Kind::Sgm => "sgm_dd".to_owned(),
        }
    }

    /// The command line of one copy: `input` → `output`, `sg_out` when the sg node is
    /// the output.
    fn command(self, depth: u32, input: &str, output: &str, bpt: u64, count: u64) -> String {
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
        }
    }
}

/// The tools of one matrix case, in their order within a round.
fn matrix_tools() -> Vec<(Kind, u32)> {
    let mut tools = vec![(Kind::Sgm, 1)];
    for &d in DEPTHS {
        tools.push((Kind::Sgmap, d));
        tools.push((Kind::Sgp, d));
    }
    tools
}

/// One `run` line of the init's script.
fn run_line(case: &str, kind: Kind, depth: u32, dir: &str, bpt: u64, bytes: u64) -> String {
    let records = bytes / BS;
    let (input, output) = if dir == "read" {
        ("$SG", "/dev/null")
    } else {
        ("/dev/zero", "$SG")
    };
    format!(
        "run case={case} tool={} bytes={bytes} records={records} runs=1 -- {}\n",
        kind.id(depth),
        kind.command(depth, input, output, bpt, records)
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

/// The init's bench script (`/etc/sgmap/bench`): the matrix, then the sweep.
pub fn script(runs: usize) -> String {
    let mut s = String::from("# written by `cargo xtask bench` (xtask/src/bench.rs)\n");
    let tools = matrix_tools();
    for latency in LATENCIES {
        s += &format!("scsi_debug {SDEBUG} {}\n", latency.params);
        for &(bpt, size) in TRANSFERS {
            for (dir, bytes) in [("read", READ_BYTES), ("write", WRITE_BYTES)] {
                let case = format!("{dir}-{}-{size}", latency.id);
                s += &rounds(runs, &tools, |kind, depth| {
                    run_line(&case, kind, depth, dir, bpt, bytes)
                });
            }
        }
    }
    s += &format!("scsi_debug {SDEBUG} {}\n", LATENCIES[0].params);
    for &bpt in SWEEP {
        let case = format!("sweep-{}k", bpt * BS / 1024);
        s += &rounds(runs, &[(Kind::Sgm, 1), (Kind::Sgmap, 1)], |kind, depth| {
            run_line(&case, kind, depth, "read", bpt, SWEEP_BYTES)
        });
    }
    s
}

/// One `SGMAP-BENCH` line.
#[derive(Debug, Clone, PartialEq)]
struct Sample {
    case: String,
    tool: String,
    bytes: u64,
    /// Spawn to exit.
    ns: u64,
    /// The tool's own `time=1` figure.
    xfer_ns: u64,
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
            xfer_ns: value("xfer_ns")?.parse().ok().filter(|&n| n > 0)?,
        })
    }
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

/// The matrix table: per case, sgm_dd, then per depth sgmap and sgp_dd, their MB/s and
/// spreads, sgmap against sgp_dd at the same depth and against sgm_dd.
fn matrix_table(rows: &[Row]) -> String {
    let mut out = String::new();
    for latency in LATENCIES {
        for &(_, size) in TRANSFERS {
            for dir in ["read", "write"] {
                let case = format!("{dir}-{}-{size}", latency.id);
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
                    "    {:>3}  {:>16}  {:>16}  {:>12}  {:>12}",
                    "qd", "sgmap dd MB/s", "sgp_dd MB/s", "vs sgp_dd", "vs sgm_dd"
                );
                for &d in DEPTHS {
                    let a = find(rows, &case, &Kind::Sgmap.id(d));
                    let b = find(rows, &case, &Kind::Sgp.id(d));
                    let cell = |r: Option<&Row>| {
                        r.map_or_else(
                            || "-".to_owned(),
                            |r| format!("{:.1} ±{:.0}%", r.mb_per_s(), r.spread() * 50.0),
                        )
                    };
                    let ratio = |x: Option<&Row>, y: Option<&Row>| match (x, y) {
                        (Some(x), Some(y)) => format!("{:.2}", x.mb_per_s() / y.mb_per_s()),
                        _ => "-".to_owned(),
                    };
                    let _ = writeln!(
                        out,
                        "    {d:>3}  {:>16}  {:>16}  {:>12}  {:>12}",
                        cell(a),
                        cell(b),
                        ratio(a, b),
                        ratio(a, Some(sgm))
                    );
                }
            }
        }
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
        "<text x=\"{M}\" y=\"{}\">blue: sgmap dd (qd), orange: sgp_dd (thr, mmap), green: \
         sgm_dd (qd 1); solid: 64 KiB transfers, dashed: 512 KiB</text>",
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
    let rig = guest::prepare(AMD64)?;
    let sg3 = sg3::sg3_utils(AMD64, &["sgm_dd", "sgp_dd"])?;
    let init = guest::build_init(GUEST_TARGET)?;
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
            arch: rig.arch,
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
    println!(
        "sgmap bench: `sgmap dd` against sg3_utils' sgm_dd and sgp_dd (iflag/oflag=mmap) in the"
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
        "Each figure: the median of {runs} runs of the copy as the tool times it (time=1), ± \
         half the spread (slowest - fastest); tools interleaved, the order reversed every \
         other round."
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

    println!();
    println!("Start-up and exit (spawn to exit, less the copy), median over every run:");
    for (label, prefix) in [
        ("sgmap dd", "sgmap-qd"),
        ("sgp_dd", "sgp_dd-thr"),
        ("sgm_dd", "sgm_dd"),
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
    println!();
    println!("plot: {}", plot.display());

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

    let mut problems = outcome.problems();
    problems.extend(errors);
    let expected = script.lines().filter(|l| l.starts_with("run ")).count();
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
    fn script_times_every_tool_at_every_depth_size_direction_and_latency() {
        let script = script(RUNS);
        let runs: Vec<&str> = script.lines().filter(|l| l.starts_with("run ")).collect();
        let matrix = LATENCIES.len() * TRANSFERS.len() * 2 * RUNS * (1 + 2 * DEPTHS.len());
        assert_eq!(runs.len(), matrix + SWEEP.len() * RUNS * 2);
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
        assert!(
            !script.contains("/dev/sg"),
            "device names come from the guest"
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
        assert_eq!(
            samples.len(),
            6,
            "xfer_ns=0 and a broken line are not samples"
        );
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
