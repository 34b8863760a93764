//! `sgmap write-buffer`: firmware download with WRITE BUFFER through the mapped reserve, as
//! `sg_write_buffer` does it.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::time::Instant;

use sgmap_core::cdb::{WriteBuffer, WriteBufferMode};
use sgmap_core::status::ExitCategory;
use sgmap_sys::{Command, Data, Response, Timeout};

use crate::cli::Cli;
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use crate::shared::dev;
use crate::signals::{Caught, Pending};

pub mod plan;

use plan::{Chunk, Request};

/// The parsed options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--mode`.
    pub mode: Option<u8>,
    /// `--in`.
    pub input: Option<String>,
    /// `--bpw`.
    pub bpw: u32,
    /// `,act`.
    pub activate: bool,
    /// `--offset`.
    pub offset: u64,
    /// `--id`.
    pub id: u8,
    /// `--length`.
    pub length: Option<u64>,
    /// `--timeout` in seconds.
    pub timeout_secs: u32,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--skip`: bytes of the file passed over.
    pub skip: u64,
    /// `--specific`: the 3-bit mode specific field.
    pub specific: u8,
    /// `--json`.
    pub json: bool,
    /// DEVICE.
    pub device: Option<String>,
}

/// Parses the options of write-buffer.
pub fn parse(args: Vec<OsString>) -> Result<Option<Options>, Fail> {
    let mut cli = Cli::new("write-buffer", args);
    let mut help = 0u8;
    let mut o = Options {
        timeout_secs: 300,
        ..Options::default()
    };
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("mode") | lexopt::Arg::Short('m') => {
                let v = cli.value("--mode")?;
                match plan::parse_mode_as_tool(&v) {
                    Some(m) => o.mode = Some(m),
                    None if v.starts_with(|c: char| c.is_ascii_digit()) => {
                        out::err_str("argument to '--mode' should be in the range 0 to 31\n");
                        return Err(Fail::new(ExitCategory::Syntax));
                    }
                    None => {
                        out::err_str(&plan::modes_text());
                        return Err(Fail::new(ExitCategory::Syntax));
                    }
                }
            }
            lexopt::Arg::Long("read-stdin" | "read_stdin" | "raw") | lexopt::Arg::Short('r') => {
                o.input = Some("-".to_owned())
            }
            lexopt::Arg::Long("skip") | lexopt::Arg::Short('s') => o.skip = cli.number("--skip")?,
            lexopt::Arg::Long("specific") | lexopt::Arg::Short('S') => {
                let v = cli.value("--specific")?;
                match crate::args::parse_num(&v).ok().filter(|&n| n <= 7) {
                    Some(n) => o.specific = n as u8,
                    None => {
                        out::err_str("expected argument to '--specific' to be 0 to 7\n");
                        return Err(Fail::new(ExitCategory::Syntax));
                    }
                }
            }
            lexopt::Arg::Long("in") | lexopt::Arg::Short('I') => o.input = Some(cli.value("--in")?),
            lexopt::Arg::Long("bpw") | lexopt::Arg::Short('b') => {
                let v = cli.value("--bpw")?;
                let (bpw, act) =
                    plan::parse_bpw(&v).map_err(|e| cli.syntax(format_args!("{e}")))?;
                o.bpw = bpw;
                o.activate = act;
            }
            lexopt::Arg::Long("offset") | lexopt::Arg::Short('o') => {
                o.offset = cli.number("--offset")?
            }
            lexopt::Arg::Long("id") | lexopt::Arg::Short('i') => {
                let n = cli.number("--id")?;
                o.id = u8::try_from(n)
                    .map_err(|_| cli.syntax(format_args!("--id={n}: the buffer id is one byte")))?;
            }
            lexopt::Arg::Long("length") | lexopt::Arg::Short('l') => {
                o.length = Some(cli.number("--length")?)
            }
            lexopt::Arg::Long("timeout") | lexopt::Arg::Short('t') => {
                o.timeout_secs = cli.seconds("--timeout", 1)?;
            }
            lexopt::Arg::Long("dry-run" | "dry_run") | lexopt::Arg::Short('d') => o.dry_run = true,
            lexopt::Arg::Long("json") | lexopt::Arg::Short('j') => o.json = cli.json(),
            lexopt::Arg::Long("help") | lexopt::Arg::Short('h') => help += 1,
            lexopt::Arg::Value(v) if o.device.is_none() => {
                o.device = Some(crate::cli::utf8("write-buffer", "DEVICE", v)?);
            }
            lexopt::Arg::Value(v) => {
                out::err_fmt(format_args!(
                    "Unexpected extra argument: {}\n",
                    v.to_string_lossy()
                ));
                out::err_str(&crate::help::WRITE_BUFFER.to_string());
                return Err(Fail::new(ExitCategory::Syntax));
            }
            // getopt's '?' is sg_write_buffer's help: the usage, status 0.
            _ => help += 1,
        }
    }
    if help > 0 {
        // As sg_write_buffer: the usage on stderr, with the modes after a second -h.
        out::err_str(&crate::help::WRITE_BUFFER.to_string());
        if help > 1 {
            out::err_str("\n");
            out::err_str(&plan::modes_text());
        }
        return Ok(None);
    }
    // Mode 0 unless given, as sg_write_buffer.
    let mode = *o.mode.get_or_insert(0);
    if o.device.is_none() {
        return Err(cli.syntax(format_args!("DEVICE is required")));
    }
    if o.input.is_none() && mode != plan::MODE_ACTIVATE && o.length.is_none() {
        return Err(cli.syntax(format_args!("--in=FILE is required for mode {mode:#x}")));
    }
    if o.json && o.input.as_deref() == Some("-") && !o.dry_run {
        // Fine: stdin is the image, stdout the JSON.
    }
    Ok(Some(o))
}

/// Reads the image (`-`: stdin) into memory.
pub fn read_image(path: Option<&str>) -> Result<Vec<u8>, Fail> {
    match path {
        // More than the 24-bit fields can address is refused by the plan anyway.
        Some(p) => out::read_input(Some(p), 1 << 30),
        None => Ok(Vec::new()),
    }
}

/// Writes one chunk into `dst` (the mapped reserve): the image's bytes, then 0xff past the
/// image's end (`--length`). `dst` holds at least `c.length` bytes; the chunk goes straight
/// into the mapping, with no copy in between.
pub fn fill_chunk(dst: &mut [u8], image: &[u8], c: &Chunk) {
    let len = c.length as usize;
    let dst = &mut dst[..len];
    let start = (c.image_offset as usize).min(image.len());
    let from_image = (image.len() - start).min(len);
    dst[..from_image].copy_from_slice(&image[start..start + from_image]);
    dst[from_image..].fill(0xff);
}

/// What sg_write_buffer says of the image it read, on stderr: a `--length` longer than the
/// file is padded with 0xff (always said); else with `-v` how much it will write (it reads
/// at most 8 MiB and says so against that).
fn read_lines(o: &Options, got: u64) {
    const DEF_XFER_LEN: u64 = 8 * 1024 * 1024;
    let Some(file) = o.input.as_deref() else {
        return;
    };
    let want = o.length.filter(|&l| l > 0);
    match want {
        Some(len) if got < len => out::err_fmt(format_args!(
            "tried to read {len} bytes from {file}, got {got} bytes\npad with 0xff bytes and \
             continue\n"
        )),
        None if got < DEF_XFER_LEN && crate::invocation::verbose() > 0 => {
            let per = if o.bpw > 0 {
                format!(", {} bytes per WRITE BUFFER command", o.bpw)
            } else {
                String::new()
            };
            out::err_fmt(format_args!(
                "tried to read {DEF_XFER_LEN} bytes from {file}, got {got} bytes\nwill write \
                 {got} bytes{per}\n"
            ));
        }
        _ => {}
    }
}

/// sg_write_buffer's `-v` lines for the plan, on stderr: one per command, and what
/// `--dry-run` skips.
fn verbose_lines(o: &Options, chunks: &[Chunk], bpw: u32) {
    let mut s = String::new();
    for c in chunks {
        if c.mode == plan::MODE_ACTIVATE && o.activate {
            s.push_str("sending Activate deferred microcode [0xf]\n");
            if o.dry_run {
                s.push_str("skipping WRITE BUFFER(ACTIVATE) command due to --dry-run\n");
            }
        } else if bpw > 0 {
            let _ = writeln!(
                s,
                "sending write buffer, mode=0x{:x}, mspec={}, id={},  offset={}, len={}",
                c.mode, o.specific, o.id, c.offset, c.length
            );
            if o.dry_run {
                s.push_str("skipping WRITE BUFFER command due to --dry-run\n");
            }
        } else {
            let _ = writeln!(
                s,
                "sending single write buffer, mode=0x{:x}, mpsec={}, id={}, offset={}, len={}",
                c.mode, o.specific, o.id, c.offset, c.length
            );
            if o.dry_run {
                s.push_str("skipping WRITE BUFFER(all in one) command due to --dry-run\n");
            }
        }
    }
    out::err_str(&s);
}

/// Appends the plan's members to a JSON object.
pub fn plan_json(j: &mut Json, chunks: &[Chunk]) {
    j.begin_array("chunks");
    for c in chunks {
        j.item_object()
            .u64("mode", u64::from(c.mode))
            .u64("offset", u64::from(c.offset))
            .u64("length", u64::from(c.length))
            .end();
    }
    j.end_array();
}

/// Runs `sgmap write-buffer`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let Some(o) = parse(args)? else {
        return Ok(());
    };
    let device = o.device.clone().unwrap_or_default();
    let mode = o.mode.unwrap_or(0);
    if let Some(path) = o.input.as_deref().filter(|p| *p != "-") {
        // As sg_write_buffer: an image that cannot be opened is 50 + errno.
        if let Err(e) = std::fs::File::open(path) {
            out::err_fmt(format_args!(
                "sg_write_buffer: could not open {path} for reading: {}\n",
                out::IoWhy(&e)
            ));
            let cat = e
                .raw_os_error()
                .and_then(|n| u16::try_from(n).ok())
                .map_or(ExitCategory::FileError, ExitCategory::OsError);
            return Err(Fail::new(cat));
        }
    }
    let mut image = read_image(o.input.as_deref())?;
    if o.skip > 0 {
        if o.input.as_deref() == Some("-") {
            out::err_str("Can't skip on stdin\n");
            return Err(Fail::new(ExitCategory::FileError));
        }
        image.drain(..(o.skip as usize).min(image.len()));
    }
    let req = Request {
        mode,
        id: o.id,
        offset: o.offset,
        bpw: o.bpw,
        activate: o.activate,
        file_len: image.len() as u64,
        length: o.length,
    };
    let chunks = plan::plan(&req).map_err(|e| {
        let cat = if e.contradiction {
            ExitCategory::Contradict
        } else {
            ExitCategory::Syntax
        };
        out::fail(cat, "write-buffer", "", format_args!("{e}"))
    })?;
    if !o.json {
        if o.length.is_some_and(|l| l > 0 && u64::from(o.bpw) > l) {
            out::err_str("trim chunk size (CS) to be the same as LEN\n");
        }
        read_lines(&o, image.len() as u64);
    }
    if crate::invocation::verbose() > 0 && !o.json {
        verbose_lines(&o, &chunks, req.bpw);
    }
    if o.dry_run {
        // As sg_write_buffer, which opens the device before it skips the commands.
        drop(dev::open(&device)?);
        if o.json {
            let mut j = Json::object();
            j.str("device", &device)
                .bool("dry_run", true)
                .u64("mode", u64::from(mode))
                .opt_str("mode_name", plan::mode_name(mode))
                .u64("buffer_id", u64::from(o.id))
                .u64("image_bytes", image.len() as u64)
                .u64("bytes", req.length.unwrap_or(req.file_len));
            plan_json(&mut j, &chunks);
            j.u64("exit_status", 0);
            return out::out_str(&j.finish());
        }
        return Ok(());
    }
    send(&o, &device, &image, &chunks, &req)
}

/// The name of a stop signal.
fn signal_name(n: i32) -> &'static str {
    match n {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        15 => "SIGTERM",
        _ => "a signal",
    }
}

/// Sends the chunks through the mapped reserve; the first failure stops the download.
///
/// SIGINT, SIGTERM, SIGQUIT and SIGHUP are caught for the whole download and looked at
/// between chunks: a chunk being sent is finished and collected, no later chunk (and no
/// activation) is sent, and the exit status is 128 + the signal. Stops and continues
/// (`SIGSTOP`/`SIGCONT`, the freezer) only pause it: each chunk reaches the device once.
fn send(o: &Options, device: &str, image: &[u8], chunks: &[Chunk], req: &Request) -> CmdResult {
    // Caught before the device is opened, and never dropped: the signals stay caught until
    // the process exits, so that one arriving after the last chunk changes neither the report
    // nor the exit status.
    let signals = std::mem::ManuallyDrop::new(Caught::new());
    let mut d = dev::open(device)?;
    let largest = plan::largest(chunks);
    if largest > 0 {
        dev::map_reserve(&mut d, device, "a chunk", largest, &|m| {
            format!(": the largest chunk allowed is {m} bytes (--bpw={m})")
        })?;
    }
    let timeout = Timeout::from_secs(o.timeout_secs).unwrap_or(Timeout::DEFAULT);
    let start = Instant::now();
    let mut last_report = 0u64;
    let tty = std::io::stderr().is_terminal();
    let total: u64 = chunks.iter().map(|c| u64::from(c.length)).sum();
    let mut sent_bytes = 0u64;
    let mut failure: Option<(usize, Chunk, Response)> = None;
    let mut sent = 0usize;
    let mut retries = 0u64;
    let mut stopped_by: Option<i32> = None;
    for (i, c) in chunks.iter().enumerate() {
        if let Some(n) = take_stop(&signals) {
            stopped_by = Some(n);
            break;
        }
        let cdb = dev::cdb(
            &WriteBuffer {
                mode: WriteBufferMode::from(c.mode),
                mode_specific: if c.mode == plan::MODE_ACTIVATE && o.activate {
                    0
                } else {
                    o.specific
                },
                buffer_id: req.id,
                offset: c.offset,
                length: c.length,
            },
            device,
        )?;
        let data = if c.length == 0 {
            Data::None
        } else {
            let map = d.mapping_mut().map_err(dev::sys_fail)?;
            fill_chunk(map, image, c);
            Data::MmapOut(c.length)
        };
        let cmd = Command::new(cdb.as_bytes()).timeout(timeout);
        let not_sent = |e| {
            out::err_fmt(format_args!(
                "sgmap: {device}: write-buffer: chunk {i} at offset {:#x} ({} bytes) not sent\n",
                c.offset, c.length
            ));
            dev::sys_fail(e)
        };
        let mut resp = d.execute(&cmd, data).map_err(not_sent)?;
        // A UNIT ATTENTION means the command was not performed (SAM-5 §5.14): send the
        // chunk again, once. A download raises one itself: scsi_debug reports "microcode
        // changed" on the command after each mode 5 or 7 WRITE BUFFER.
        if resp.category() == ExitCategory::UnitAttention {
            retries += 1;
            let data = if c.length == 0 {
                Data::None
            } else {
                Data::MmapOut(c.length)
            };
            resp = d.execute(&cmd, data).map_err(not_sent)?;
        }
        if !resp.is_good() {
            failure = Some((i, *c, resp));
            break;
        }
        sent += 1;
        sent_bytes += u64::from(c.length);
        // Progress on long images: every two seconds, one updating line on a terminal.
        let us = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX);
        if chunks.len() > 1 && us.saturating_sub(last_report) >= 2_000_000 {
            last_report = us;
            let pct = out::scale(sent_bytes, 100, total.max(1));
            let line = format!(
                "write-buffer: {pct}% ({sent_bytes} of {total} bytes, chunk {} of {})",
                i + 1,
                chunks.len()
            );
            out::err_str(&if tty {
                format!("\r{line:<70}")
            } else {
                format!("{line}\n")
            });
        }
    }
    if stopped_by.is_none() {
        stopped_by = take_stop(&signals);
    }
    if last_report > 0 && tty {
        out::err_str("\n");
    }
    if let Some(n) = stopped_by.filter(|_| failure.is_none() && sent < chunks.len()) {
        let last = match sent {
            0 => "no chunk was sent".to_owned(),
            k => {
                let c = chunks[k - 1];
                format!(
                    "the last chunk sent was chunk {} (offset {:#x}, {} bytes)",
                    k - 1,
                    c.offset,
                    c.length
                )
            }
        };
        let activation = match chunks[sent..].iter().position(|c| c.mode == 0xf) {
            Some(k) => format!("; activation (chunk {}) was not sent", sent + k),
            None => String::new(),
        };
        out::diag(
            device,
            "write-buffer",
            format_args!(
                "stopped by {} before chunk {sent} of {}: {last}; chunks {sent} to {} were not sent{activation}",
                signal_name(n),
                chunks.len(),
                chunks.len() - 1
            ),
        );
    } else {
        stopped_by = None;
    }
    let code = match &failure {
        Some((i, c, resp)) => {
            let what = format!(
                "WRITE BUFFER chunk {i} (mode {:#x}, offset {:#x}, {} bytes)",
                c.mode, c.offset, c.length
            );
            dev::scsi_fail(device, &what, resp).code
        }
        None => match stopped_by {
            Some(n) => 128 + n as u8,
            None => 0,
        },
    };
    if o.json {
        let mut j = Json::object();
        j.str("device", device)
            .bool("dry_run", false)
            .u64("mode", u64::from(req.mode))
            .opt_str("mode_name", plan::mode_name(req.mode))
            .u64("buffer_id", u64::from(req.id))
            .u64("image_bytes", req.file_len)
            .u64("bytes", req.length.unwrap_or(req.file_len));
        plan_json(&mut j, chunks);
        j.u64("sent", sent as u64)
            .u64("bytes_sent", sent_bytes)
            .u64("retries", retries)
            .bool("interrupted", stopped_by.is_some())
            .opt_u64("signal", stopped_by.map(|n| n as u64));
        match &failure {
            Some((i, c, resp)) => {
                j.begin_object("error")
                    .u64("chunk", *i as u64)
                    .u64("offset", u64::from(c.offset))
                    .u64("length", u64::from(c.length))
                    .str("message", &dev::describe(resp));
                dev::status_json(&mut j, resp);
                j.end();
            }
            None => {
                j.null("error");
            }
        }
        j.u64("exit_status", u64::from(code));
        out::out_str(&j.finish())?;
    }
    match code {
        0 => Ok(()),
        c => Err(Fail::code(c)),
    }
}

/// Takes the pending signals: the number of a stop signal, if one came (a SIGUSR1 is taken
/// and ignored: write-buffer reports progress by itself).
fn take_stop(signals: &Caught) -> Option<i32> {
    let mut stop = None;
    while let Some(p) = signals.take() {
        if let Pending::Stop(n) = p {
            stop.get_or_insert(n);
        }
    }
    stop
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn options_parse() {
        let o = parse(args(&[
            "--mode=dmc_offs_defer",
            "--in=fw.bin",
            "--bpw=4k,act",
            "--offset=0x100",
            "--id=2",
            "--length=8k",
            "--timeout=30",
            "--dry-run",
            "/dev/sg0",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(o.mode, Some(0xe));
        assert_eq!((o.bpw, o.activate), (4096, true));
        assert_eq!((o.offset, o.id, o.length), (0x100, 2, Some(8192)));
        assert_eq!(o.timeout_secs, 30);
        assert!(o.dry_run);
        assert_eq!(o.device.as_deref(), Some("/dev/sg0"));
        let o = parse(args(&["--mode", "activate_mc", "/dev/sg0"]))
            .unwrap()
            .unwrap();
        assert_eq!((o.mode, o.timeout_secs), (Some(0xf), 300));
    }

    #[test]
    fn bad_options() {
        for bad in [
            &["--mode=5", "/dev/sg0"][..],
            &["--mode=5", "--in=x"],
            &["--mode=nope", "--in=x", "/dev/sg0"],
            &["--mode=5", "--in=x", "--id=256", "/dev/sg0"],
            &["--mode=5", "--in=x", "--timeout=0", "/dev/sg0"],
            &["--mode=5", "--in=x", "--bpw=1k_", "/dev/sg0"],
            &["--mode=5", "--in=x", "/dev/sg0", "/dev/sg1"],
            &["--mode=5", "--in=x", "--specific=8", "/dev/sg0"],
            &["--mode=32", "--in=x", "/dev/sg0"],
        ] {
            assert_eq!(parse(args(bad)).unwrap_err().code, 1, "{bad:?}");
        }
    }

    #[test]
    fn chunks_pad_with_ff() {
        let image = [1u8, 2, 3];
        let fill = |c: &Chunk| {
            let mut map = [0xa5u8; 6];
            fill_chunk(&mut map, &image, c);
            map
        };
        let c = Chunk {
            mode: 7,
            offset: 0,
            image_offset: 2,
            length: 4,
        };
        assert_eq!(fill(&c), [3, 0xff, 0xff, 0xff, 0xa5, 0xa5]);
        let c = Chunk {
            image_offset: 0,
            length: 2,
            ..c
        };
        assert_eq!(fill(&c), [1, 2, 0xa5, 0xa5, 0xa5, 0xa5]);
        let c = Chunk {
            image_offset: 9,
            length: 2,
            ..c
        };
        assert_eq!(fill(&c), [0xff, 0xff, 0xa5, 0xa5, 0xa5, 0xa5]);
    }

    #[test]
    fn plan_renders() {
        let chunks = [
            Chunk {
                mode: 0xe,
                offset: 0,
                image_offset: 0,
                length: 4096,
            },
            Chunk {
                mode: 0xf,
                offset: 0,
                image_offset: 4096,
                length: 0,
            },
        ];
        let mut j = Json::object();
        plan_json(&mut j, &chunks);
        assert_eq!(
            j.finish(),
            "{\"chunks\":[{\"mode\":14,\"offset\":0,\"length\":4096},{\"mode\":15,\"offset\":0,\"length\":0}]}\n"
        );
    }
}
