//! `sgmap write-same`: WRITE SAME (10), (16) or (32) (SBC-4), as `sg_write_same` 1.46 sends
//! it; the one block of data-out goes through the mapped reserve. `--dry-run` (sgmap's)
//! prints the command and sends no WRITE SAME.

use std::ffi::OsString;
use std::fmt::Write as _;

use sgmap_core::cdb::{WriteSame, WriteSameSize};
use sgmap_core::sense::Sense;
use sgmap_core::status::ExitCategory;
use sgmap_sys::{Command, Data, Timeout};

use crate::cli::Cli;
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use crate::shared::capacity;
use crate::shared::dev;
use crate::shared::names;

/// sg_write_same's largest data-out (`MAX_XFER_LEN`).
pub const MAX_XFER_LEN: u64 = 64 * 1024;

/// The parsed options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `--10`.
    pub want_10: bool,
    /// `--16` or `--32`.
    pub size: Option<WriteSameSize>,
    pub anchor: bool,
    pub ff: bool,
    pub group: u8,
    pub input: Option<String>,
    pub lba: Option<u64>,
    pub num: Option<u32>,
    pub lbdata: bool,
    pub ndob: bool,
    pub pbdata: bool,
    pub timeout_secs: u32,
    pub unmap: bool,
    pub wrprotect: u8,
    pub xferlen: u64,
    pub dry_run: bool,
    pub json: bool,
    pub device: String,
}

/// The CDB size sg_write_same picks: (10) unless asked for (16) or (32), and (16) instead of
/// (10) when the blocks exceed 65535, LBA + blocks exceeds 32 bits, with NDOB, or with UNMAP
/// unless `--10` was given.
pub fn choose_size(o: &Options) -> WriteSameSize {
    let blocks = u64::from(o.num.unwrap_or(1));
    let lba = o.lba.unwrap_or(0);
    match o.size {
        Some(s) => s,
        None if blocks > 0xffff
            || lba.saturating_add(blocks) > u64::from(u32::MAX)
            || o.ndob
            || (o.unmap && !o.want_10) =>
        {
            WriteSameSize::Sixteen
        }
        None => WriteSameSize::Ten,
    }
}

/// The command as the options ask for it.
pub fn command(o: &Options) -> WriteSame {
    WriteSame {
        size: choose_size(o),
        wrprotect: o.wrprotect,
        anchor: o.anchor,
        unmap: o.unmap,
        pbdata: o.pbdata,
        lbdata: o.lbdata,
        ndob: o.ndob,
        lba: o.lba.unwrap_or(0),
        blocks: o.num.unwrap_or(1),
        group_number: o.group,
    }
}

/// Parses the options; `None` after `--help`.
pub fn parse(args: Vec<OsString>) -> Result<Option<Options>, Fail> {
    let mut cli = Cli::new("write-same", args);
    let mut o = Options {
        timeout_secs: 60,
        ..Options::default()
    };
    let mut device = None;
    let once = |o: &Options| {
        if o.size.is_some() {
            Err(out::contradict(
                "write-same",
                format_args!("only one of --10, --16 or --32"),
            ))
        } else {
            Ok(())
        }
    };
    while let Some(arg) = cli.next().map_err(|f| dev::getopt_error("write-same", f))? {
        use lexopt::Arg::{Long, Short, Value};
        match arg {
            Long("10") | Short('R') => o.want_10 = true,
            Long("16") | Short('S') => {
                once(&o)?;
                o.size = Some(WriteSameSize::Sixteen);
            }
            Long("32") | Short('T') => {
                once(&o)?;
                o.size = Some(WriteSameSize::ThirtyTwo);
            }
            Long("anchor") | Short('a') => o.anchor = true,
            Long("ff") | Short('f') => o.ff = true,
            Long("grpnum") | Short('g') => {
                let n = cli.number("--grpnum")?;
                o.group = cli.in_range("--grpnum", n, 0, 63)? as u8;
            }
            Long("in") | Short('i') => o.input = Some(cli.value("--in")?),
            Long("lba") | Short('l') => o.lba = Some(cli.number("--lba")?),
            Long("lbdata") | Short('L') => o.lbdata = true,
            Long("ndob") | Short('N') => o.ndob = true,
            Long("num") | Short('n') => {
                let n = cli.number("--num")?;
                o.num =
                    Some(u32::try_from(n).map_err(|_| {
                        cli.syntax(format_args!("--num={n}: the field is 32 bits"))
                    })?);
            }
            Long("pbdata") | Short('P') => o.pbdata = true,
            Long("timeout") | Short('t') => {
                o.timeout_secs = match cli.seconds("--timeout", 0)? {
                    0 => 60,
                    n => n,
                };
            }
            Long("unmap") | Short('U') => o.unmap = true,
            Long("wrprotect") | Short('w') => {
                let n = cli.number("--wrprotect")?;
                o.wrprotect = u8::try_from(n)
                    .ok()
                    .filter(|&w| w <= 7)
                    .ok_or_else(|| cli.syntax(format_args!("--wrprotect={n}: 0 to 7")))?;
            }
            Long("xferlen") | Short('x') => o.xferlen = cli.number("--xferlen")?,
            Long("dry-run") | Short('d') => o.dry_run = true,
            Long("json") | Short('j') => o.json = cli.json(),
            Long("help") | Short('h') => {
                dev::help_as_tool(&cli)?;
                return Ok(None);
            }
            Value(v) if device.is_none() => {
                device = Some(crate::cli::utf8("write-same", "DEVICE", v)?)
            }
            lexopt::Arg::Value(v) => {
                return Err(crate::cli::unexpected("write-same", lexopt::Arg::Value(v)))
            }
            other => {
                let e = other.unexpected();
                return Err(dev::getopt_usage("write-same", format_args!("{e}")));
            }
        }
    }
    if o.want_10 && o.size.is_some() {
        return Err(out::contradict(
            "write-same",
            format_args!("only one of --10, --16 or --32"),
        ));
    }
    let Some(device) = device else {
        return Err(cli.syntax(format_args!("DEVICE is required")));
    };
    o.device = device;
    if o.input.is_none() && o.lba.is_none() && o.num.is_none() {
        return Err(out::contradict(
            "write-same",
            format_args!("as a precaution, one of --in=, --lba= or --num= is required"),
        ));
    }
    if o.ndob {
        if o.input.is_some() {
            return Err(out::contradict(
                "write-same",
                format_args!("--ndob sends no data: not with --in="),
            ));
        }
        if o.xferlen != 0 {
            return Err(out::contradict(
                "write-same",
                format_args!("with --ndob only --xferlen=0 (or none) is acceptable"),
            ));
        }
    }
    Ok(Some(o))
}

/// The data-out block: `len` bytes of the file (padded with zeros, or 0xff with `--ff`),
/// or zeros (0xff with `--ff`; with protection and WRPROTECT, the last 8 bytes 0xff).
fn pattern(o: &Options, len: usize, protection: bool) -> Result<Vec<u8>, Fail> {
    let mut buf = vec![if o.ff { 0xff } else { 0 }; len];
    match o.input.as_deref() {
        Some(path) => {
            let got = out::read_input(Some(path), len as u64)?;
            buf[..got.len()].copy_from_slice(&got);
            if got.len() < len {
                out::err_fmt(format_args!(
                    "tried to read {len} bytes from {path}, got {} bytes\n  so pad with 0x{:02x} bytes and continue\n",
                    got.len(),
                    if o.ff { 0xff } else { 0 }
                ));
            }
        }
        None if protection && o.wrprotect > 0 && len >= 8 => {
            buf[len - 8..].fill(0xff);
        }
        None => {}
    }
    Ok(buf)
}

/// Runs `sgmap write-same`.
pub fn run(args: Vec<OsString>) -> CmdResult {
    let Some(mut o) = parse(args)? else {
        return Ok(());
    };
    if let Some(path) = o.input.as_deref().filter(|p| *p != "-") {
        // sg_write_same: a file it cannot stat exits 50 + errno (not 15).
        let meta = std::fs::metadata(path).map_err(|e| {
            let code = e
                .raw_os_error()
                .and_then(|n| u16::try_from(n).ok())
                .map_or(ExitCategory::Other, ExitCategory::OsError);
            out::fail(code, path, "stat", format_args!("{}", out::IoWhy(&e)))
        })?;
        if o.xferlen == 0 {
            o.xferlen = meta.len();
        }
    }
    let ws = command(&o);
    let cdb = dev::cdb(&ws, &o.device)?;
    let mut d = dev::open(&o.device)?;
    let mut protection = false;
    let data = if o.ndob {
        Vec::new()
    } else {
        if o.xferlen == 0 {
            // sg_write_same: without the block length it cannot build the data-out, and
            // says so with a syntax error (1), whatever READ CAPACITY's failure was.
            if let Ok(rc) = dev::cdb(&sgmap_core::cdb::ReadCapacity16::default(), &o.device) {
                dev::verbose_sent(rc.as_bytes());
            }
            let c = capacity::read_capacity_16_or_10(&mut d, &o.device).map_err(|_| {
                out::syntax(
                    "write-same",
                    format_args!("unable to deduce the block size, please give --xferlen="),
                )
            })?;
            protection = c.long.is_some_and(|l| l.prot_en);
            o.xferlen =
                u64::from(c.block_length) + if protection && o.wrprotect > 0 { 8 } else { 0 };
        }
        if o.xferlen == 0 {
            return Err(out::syntax(
                "write-same",
                format_args!("unable to deduce the block size, please give --xferlen="),
            ));
        }
        if o.xferlen > MAX_XFER_LEN {
            return Err(out::syntax(
                "write-same",
                format_args!(
                    "--xferlen={} is out of range (at most {MAX_XFER_LEN})",
                    o.xferlen
                ),
            ));
        }
        pattern(&o, o.xferlen as usize, protection)?
    };
    let size = ws.size.len();
    if o.dry_run {
        if o.json {
            let mut j = Json::object();
            json_head(&mut j, &o, &ws, cdb.as_bytes(), data.len());
            j.bool("dry_run", true).u64("exit_status", 0);
            return out::out_str(&j.finish());
        }
        let mut s = format!("Write same({size}) cdb: ");
        for (i, b) in cdb.as_bytes().iter().enumerate() {
            let _ = write!(s, "{}{b:02x}", if i > 0 { " " } else { "" });
        }
        let _ = writeln!(
            s,
            "\n    Data-out buffer length={}\nDry run: WRITE SAME not sent to {}",
            data.len(),
            o.device
        );
        return out::out_str(&s);
    }
    if !data.is_empty() {
        dev::load_reserve(&mut d, &o.device, "the data-out", &data)?;
    }
    let timeout = Timeout::from_secs(o.timeout_secs).unwrap_or(Timeout::DEFAULT);
    let io = if data.is_empty() {
        Data::None
    } else {
        Data::MmapOut(data.len() as u32)
    };
    dev::verbose_sent(cdb.as_bytes());
    let resp = d
        .execute(&Command::new(cdb.as_bytes()).timeout(timeout), io)
        .map_err(dev::sys_fail)?;
    let code = if resp.is_good() {
        0
    } else {
        let fail = dev::scsi_fail(&o.device, &format!("WRITE SAME({size})"), &resp);
        if fail.code == ExitCategory::MediumHard.code() {
            if let Some(i) = Sense::new_checked(resp.sense())
                .ok()
                .and_then(|s| s.information())
                .filter(|i| i.valid)
            {
                out::err_fmt(format_args!(
                    "Medium or hardware error starting at lba={} [0x{:x}]\n",
                    i.value, i.value
                ));
            }
        }
        out::err_fmt(format_args!(
            "Write same({size}): {}\n",
            names::exit_status(fail.code)
        ));
        fail.code
    };
    if o.json {
        let mut j = Json::object();
        json_head(&mut j, &o, &ws, cdb.as_bytes(), data.len());
        j.bool("dry_run", false);
        dev::error_json(&mut j, "error", (code != 0).then_some(&resp), None);
        j.u64("exit_status", u64::from(code));
        out::out_str(&j.finish())?;
    }
    match code {
        0 => Ok(()),
        c => Err(Fail::code(c)),
    }
}

fn json_head(j: &mut Json, o: &Options, ws: &WriteSame, cdb: &[u8], data_len: usize) {
    j.str("device", &o.device)
        .u64("cdb_size", ws.size.len() as u64)
        .hex("cdb", cdb)
        .u64("lba", ws.lba)
        .u64("blocks", u64::from(ws.blocks))
        .bool("unmap", ws.unmap)
        .bool("ndob", ws.ndob)
        .bool("anchor", ws.anchor)
        .u64("data_out_bytes", data_len as u64);
}

#[cfg(test)]
mod tests {
    use super::*;

    use sgmap_core::cdb::ToCdb as _;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    fn opts(list: &[&str]) -> Options {
        parse(args(list)).unwrap().unwrap()
    }

    #[test]
    fn the_cdb_size_is_sg_write_sames_choice() {
        assert_eq!(choose_size(&opts(&["--lba=1", "d"])), WriteSameSize::Ten);
        assert_eq!(
            choose_size(&opts(&["--num=65536", "d"])),
            WriteSameSize::Sixteen
        );
        assert_eq!(
            choose_size(&opts(&["--num=65535", "d"])),
            WriteSameSize::Ten
        );
        assert_eq!(
            choose_size(&opts(&["--lba=0xffffffff", "--num=1", "d"])),
            WriteSameSize::Sixteen
        );
        assert_eq!(
            choose_size(&opts(&["--lba=0xfffffffe", "--num=1", "d"])),
            WriteSameSize::Ten
        );
        assert_eq!(
            choose_size(&opts(&["-N", "--num=1", "d"])),
            WriteSameSize::Sixteen
        );
        assert_eq!(
            choose_size(&opts(&["-U", "--num=1", "d"])),
            WriteSameSize::Sixteen
        );
        assert_eq!(
            choose_size(&opts(&["-U", "--10", "--num=1", "d"])),
            WriteSameSize::Ten
        );
        // --10 does not keep (10) when the range needs (16), as in sg_write_same.
        assert_eq!(
            choose_size(&opts(&["--10", "--num=70000", "d"])),
            WriteSameSize::Sixteen
        );
        assert_eq!(
            choose_size(&opts(&["--32", "--num=1", "d"])),
            WriteSameSize::ThirtyTwo
        );
    }

    #[test]
    fn cdb_bytes_for_the_options() {
        let o = opts(&["--lba=0x10", "--num=8", "-U", "--10", "-g", "3", "d"]);
        let cdb = command(&o).to_cdb().unwrap();
        assert_eq!(cdb.as_bytes(), &[0x41, 0x08, 0, 0, 0, 0x10, 3, 0, 8, 0]);
        let o = opts(&["--lba=0x10", "--num=8", "-N", "-a", "-w", "2", "d"]);
        let cdb = command(&o).to_cdb().unwrap();
        assert_eq!(
            cdb.as_bytes(),
            &[0x93, 0x51, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 8, 0, 0]
        );
    }

    #[test]
    fn refusals_exit_as_sg_write_same_does() {
        for (bad, code) in [
            (&["d"][..], 31),
            (&["--16", "--32", "--num=1", "d"], 31),
            (&["--10", "--16", "--num=1", "d"], 31),
            (&["-N", "--in=x", "d"], 31),
            (&["-N", "--xferlen=512", "--num=1", "d"], 31),
            (&["--num=1"], 1),
            (&["--num=0x100000000", "d"], 1),
            (&["--wrprotect=8", "--num=1", "d"], 1),
            (&["--grpnum=64", "--num=1", "d"], 1),
            (&["--num=1", "d", "e"], 1),
        ] {
            assert_eq!(parse(args(bad)).unwrap_err().code, code, "{bad:?}");
        }
    }
}
