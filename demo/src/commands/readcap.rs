//! `sgmap readcap`: READ CAPACITY (10) or (16), printed as `sg_readcap` prints it.

use std::ffi::OsString;
use std::fmt::Write as _;

use sgmap_core::cdb::{ReadCapacity10, ReadCapacity16};
use sgmap_core::response::Capacity16;
use sgmap_core::status::ExitCategory;
use sgmap_sys::Timeout;

use crate::args::parse_num;
use crate::cli::Cli;
use crate::json::Json;
use crate::out::{self, CmdResult, Fail};
use crate::shared::capacity::Capacity;
use crate::shared::dev;
use crate::shared::unit_opts::{self, Letter};

/// sg_readcap's options.
#[derive(Debug, Default)]
struct Options {
    long: bool,
    brief: bool,
    json: bool,
    hex: u32,
    raw: bool,
    pmi: bool,
    lba: u64,
    readonly: bool,
    zbc: bool,
    help: bool,
    /// `-V` in the old interface (the new one's is answered by [`Cli`]).
    version: bool,
    device: Option<String>,
}

/// Parses sg_readcap 1.46's options: its new interface, or the old one (`--old`, `-O`,
/// `SG3_UTILS_OLD_OPTS`) until `-N`; `Err` for the tool's syntax errors.
fn parse(args: Vec<OsString>) -> Result<Options, Fail> {
    let raw = args.clone();
    let mut o = Options::default();
    if unit_opts::old_from_env() {
        if old_parse(&raw, &mut o)? {
            new_parse(args, &mut o)?;
        }
        return Ok(o);
    }
    // After `-O`, the old interface reads every argument; its `-N` then ends the
    // parsing (sg3_utils switches back only when SG3_UTILS_OLD_OPTS chose the old one).
    if new_parse(args, &mut o)? {
        old_parse(&raw, &mut o)?;
    }
    Ok(o)
}

/// The old interface: `-16`, `-b`, `-H`, `-lba=LBA` (hex), `-pmi`, `-r`, `-R`, `-z`...
/// `Ok(true)` at `-N` (back to the new one).
fn old_parse(args: &[OsString], o: &mut Options) -> Result<bool, Fail> {
    unit_opts::old_style(
        "readcap",
        args,
        o,
        |o, c, rest| {
            match c {
                '1' if rest.starts_with("16") => {
                    o.long = true;
                    return Letter::Long(2);
                }
                'p' if rest.starts_with("pmi") => {
                    o.pmi = true;
                    return Letter::Long(3);
                }
                'b' => o.brief = true,
                'h' | '?' => o.help = true,
                'H' => o.hex += 1,
                'N' => return Letter::Stop,
                'O' => {}
                'r' => o.raw = true,
                'R' => o.readonly = true,
                'v' => crate::invocation::verbose_more(),
                'V' => o.version = true,
                'z' => o.zbc = true,
                _ => return Letter::Out,
            }
            Letter::Flag
        },
        |o, w| {
            let Some(v) = w.strip_prefix("lba=") else {
                return Ok(false);
            };
            let Some(lba) = unit_opts::scan_u64(v, true) else {
                out::out_str("Bad value after 'lba=' option\n")?;
                return Err(out::syntax("readcap", format_args!("bad value: {w}")));
            };
            if lba > 0xffff_fffe {
                o.long = true;
            }
            o.lba = lba;
            Ok(true)
        },
        |o, d| {
            if o.device.is_some() {
                return Err(out::syntax(
                    "readcap",
                    format_args!("too many arguments: {d}"),
                ));
            }
            o.device = Some(d.to_owned());
            Ok(())
        },
    )
}

/// The new interface; `Ok(true)` at `--old`/`-O` (the old one then reads every argument).
fn new_parse(args: Vec<OsString>, o: &mut Options) -> Result<bool, Fail> {
    let mut cli = Cli::new("readcap", args);
    let mut a_one = false;
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Short('1') => a_one = true,
            lexopt::Arg::Short('6') => o.long |= a_one,
            lexopt::Arg::Long("16" | "long") | lexopt::Arg::Short('l') => o.long = true,
            lexopt::Arg::Long("brief") | lexopt::Arg::Short('b') => o.brief = true,
            lexopt::Arg::Long("hex") | lexopt::Arg::Short('H') => o.hex += 1,
            lexopt::Arg::Long("raw") | lexopt::Arg::Short('r') => o.raw = true,
            lexopt::Arg::Long("pmi") | lexopt::Arg::Short('p') => o.pmi = true,
            lexopt::Arg::Long("readonly") | lexopt::Arg::Short('R') => o.readonly = true,
            lexopt::Arg::Long("zbc") | lexopt::Arg::Short('z') => o.zbc = true,
            lexopt::Arg::Long("new") | lexopt::Arg::Short('N') => {}
            lexopt::Arg::Long("old") | lexopt::Arg::Short('O') => return Ok(true),
            lexopt::Arg::Long("lba") | lexopt::Arg::Short('L') => {
                let Some(v) = unit_opts::value(&mut cli, "--lba")? else {
                    o.help = true;
                    continue;
                };
                o.lba = parse_num(&v)
                    .map_err(|e| cli.syntax(format_args!("bad argument to '--lba={v}': {e}")))?;
                // sg_readcap sends READ CAPACITY (16) for an LBA (10) cannot hold.
                if o.lba > 0xffff_fffe {
                    o.long = true;
                }
            }
            lexopt::Arg::Long("json") | lexopt::Arg::Short('j') => o.json = cli.json(),
            lexopt::Arg::Value(v) => cli.device(&mut o.device, v)?,
            // `-h`, and what getopt_long() answers '?' for: the usage, status 0.
            _ => o.help = true,
        }
    }
    Ok(false)
}

/// Runs `sgmap readcap` (`sg_readcap`).
pub fn run_cmd(args: Vec<OsString>) -> CmdResult {
    let mut o = parse(args)?;
    if o.help {
        return unit_opts::usage("readcap");
    }
    if o.version {
        return Err(crate::invocation::version());
    }
    let Some(device) = o.device.take() else {
        return Err(out::syntax("readcap", format_args!("DEVICE is required")));
    };
    if o.brief && o.json {
        return Err(out::contradict(
            "readcap",
            format_args!("--brief and --json both choose the output format"),
        ));
    }
    if o.zbc {
        o.long = true;
    }
    if !o.pmi && o.lba > 0 {
        return Err(out::contradict(
            "readcap",
            format_args!("--lba can only be non-zero when --pmi is given"),
        ));
    }
    // sg_readcap opens read-only for READ CAPACITY (10), read-write for (16) unless -R.
    let mut dev = match unit_opts::open(&device, o.long && !o.readonly)? {
        Some(d) => d,
        None => return failed(&o, 75),
    };
    let data = if o.long {
        None
    } else {
        let mut cdb = *dev::cdb(&ReadCapacity10, &device)?
            .as_bytes()
            .first_chunk::<10>()
            .unwrap_or(&[0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        cdb[2..6].copy_from_slice(&(o.lba as u32).to_be_bytes());
        cdb[8] = u8::from(o.pmi);
        dev::verbose_cdb("read capacity(10)", &cdb);
        let (resp, mut data) = dev::data_in(&mut dev, &cdb, 8, Timeout::DEFAULT)?;
        let status = sg3_status(&resp);
        if status == ExitCategory::InvalidOpcode.code() {
            None
        } else if status != 0 {
            let _ = dev::scsi_fail(&device, "READ CAPACITY(10)", &resp);
            return failed(&o, status);
        } else {
            data.resize(8, 0);
            if o.hex > 0 || o.raw {
                return dump(&o, &data);
            }
            if data[..4] == [0xff; 4] {
                out::out_str(
                    "READ CAPACITY (10) indicates device capacity too large\n  now trying 16 \
                     byte cdb variant\n",
                )?;
                None
            } else {
                Some(Capacity {
                    cdb: 10,
                    last_lba: u64::from(u32::from_be_bytes([data[0], data[1], data[2], data[3]])),
                    block_length: u32::from_be_bytes([data[4], data[5], data[6], data[7]]),
                    long: None,
                })
            }
        }
    };
    let cap = match data {
        Some(c) => c,
        None => {
            let mut cdb = *dev::cdb(&ReadCapacity16::default(), &device)?
                .as_bytes()
                .first_chunk::<16>()
                .unwrap_or(&[0; 16]);
            cdb[2..10].copy_from_slice(&o.lba.to_be_bytes());
            cdb[14] = u8::from(o.pmi);
            dev::verbose_cdb("read capacity(16)", &cdb);
            let (resp, mut data) = dev::data_in(&mut dev, &cdb, 32, Timeout::DEFAULT)?;
            let status = sg3_status(&resp);
            if status != 0 {
                let _ = dev::scsi_fail(&device, "READ CAPACITY(16)", &resp);
                return failed(&o, status);
            }
            data.resize(32, 0);
            if o.hex > 0 || o.raw {
                return dump(&o, &data);
            }
            let long = Capacity16::parse(&data).map_err(|e| {
                out::fail(
                    ExitCategory::MalformedResponse,
                    &device,
                    "READ CAPACITY(16)",
                    format_args!("{e}"),
                )
            })?;
            Capacity {
                cdb: 16,
                last_lba: long.last_lba,
                block_length: long.block_length,
                long: Some(long),
            }
        }
    };
    let text = if o.brief {
        format!(
            "0x{:x} 0x{:x}\n",
            cap.last_lba.wrapping_add(1) & if cap.cdb == 10 { 0xffff_ffff } else { u64::MAX },
            cap.block_length
        )
    } else if o.json {
        to_json(&device, &cap)
    } else {
        to_text_as(&cap, o.zbc, o.pmi.then_some(o.lba))
    };
    out::out_str(&text)
}

/// sg_readcap's status for a completed command: 0 for GOOD and for sense sg3_utils counts
/// as success (RECOVERED ERROR, NO SENSE).
fn sg3_status(resp: &sgmap_sys::Response) -> u8 {
    if dev::sg3_ok(resp) {
        0
    } else {
        resp.category().code()
    }
}

/// After a failed command: `0x0 0x0` for `--brief`, as sg_readcap prints, and the status.
fn failed(o: &Options, status: u8) -> CmdResult {
    if o.brief {
        out::out_str("0x0 0x0\n")?;
    }
    unit_opts::exit(status)
}

/// `--hex` (`-HHH`: without offsets) and `--raw`: the parameter data as it came.
fn dump(o: &Options, data: &[u8]) -> CmdResult {
    if o.raw {
        out::out_bytes(data)
    } else if o.hex > 2 {
        out::out_str(&unit_opts::hex_bare(data))
    } else {
        out::out_str(&unit_opts::hex_offsets(data))
    }
}

/// [`to_text`] with sg_readcap's `--zbc` line and `--pmi` lines.
fn to_text_as(c: &Capacity, zbc: bool, pmi: Option<u64>) -> String {
    let mut s = to_text(c);
    if zbc {
        if let Some(l) = &c.long {
            let basis = match l.rc_basis {
                0 => "last contiguous that's not seq write required".to_owned(),
                1 => "last LBA on logical unit".to_owned(),
                r => format!("reserved (0x{r:x})"),
            };
            let line = format!("   ZBC's rc_basis={} [{basis}]\n", l.rc_basis);
            if let Some(at) = s.find("   Logical block provisioning") {
                s.insert_str(at, &line);
            }
        }
    }
    if let Some(lba) = pmi {
        let mut t = String::new();
        for line in s.lines() {
            if line.starts_with("   Last LBA=") {
                let _ = writeln!(
                    t,
                    "   PMI mode: given lba=0x{lba:x}, last lba before delay=0x{:x}",
                    c.last_lba
                );
            } else if line == "Hence:" {
                break;
            } else {
                t.push_str(line);
                t.push('\n');
            }
        }
        s = t;
    }
    s
}

/// sg_readcap 1.46's text, line for line (its `printf` formats; the sizes as `%.1f` and
/// `%.2f` of the same doubles, which Rust's formatting rounds as glibc does).
pub fn to_text(c: &Capacity) -> String {
    let mut s = String::from("Read Capacity results:\n");
    if let Some(l) = &c.long {
        let _ = write!(
            s,
            "   Protection: prot_en={}, p_type={}, p_i_exponent={}",
            u8::from(l.prot_en),
            l.p_type,
            l.p_i_exponent
        );
        if l.prot_en {
            let _ = write!(s, " [type {} protection]", l.p_type + 1);
        }
        s.push('\n');
        let _ = writeln!(
            s,
            "   Logical block provisioning: lbpme={}, lbprz={}",
            u8::from(l.lbpme),
            u8::from(l.lbprz)
        );
    }
    let _ = writeln!(
        s,
        "   Last LBA={} (0x{:x}), Number of logical blocks={}",
        c.last_lba,
        c.last_lba,
        c.blocks()
    );
    let _ = writeln!(s, "   Logical block length={} bytes", c.block_length);
    if let Some(l) = &c.long {
        let e = l.logical_per_physical_exponent;
        let _ = write!(s, "   Logical blocks per physical block exponent={e}");
        if e > 0 {
            let physical = u64::from(c.block_length) << e.min(31);
            let _ = write!(s, " [so physical block length={physical} bytes]");
        }
        s.push('\n');
        let _ = writeln!(s, "   Lowest aligned LBA={}", l.lowest_aligned_lba);
    }
    let bytes = c.bytes();
    let as_double = c.blocks() as f64 * f64::from(c.block_length);
    let (mib, gb) = (as_double / 1_048_576.0, as_double / 1_000_000_000.0);
    let _ = write!(
        s,
        "Hence:\n   Device size: {bytes} bytes, {} MiB, {} GB",
        out::Fixed::<1>(mib),
        out::Fixed::<2>(gb)
    );
    if gb > 2000.0 {
        let _ = write!(s, ", {} TB", out::Fixed::<2>(gb / 1000.0));
    }
    s.push('\n');
    s
}

/// The JSON object (schema in JSON.md). The fields of the parameter data have the names
/// sg_readcap 1.48 gives them (src/sg_readcap.c); `device`, `cdb`, `blocks` and `bytes`
/// are sgmap's.
pub fn to_json(device: &str, c: &Capacity) -> String {
    let mut j = Json::object();
    j.str("device", device)
        .u64("cdb", u64::from(c.cdb))
        .u64("returned_logical_block_address", c.last_lba)
        .u64("logical_block_length_in_bytes", u64::from(c.block_length))
        .u64("blocks", c.blocks())
        .u64("bytes", c.bytes());
    if let Some(l) = &c.long {
        j.u64("rc_basis", u64::from(l.rc_basis))
            .u64("p_type", u64::from(l.p_type))
            .bool("prot_en", l.prot_en)
            .u64("p_i_exponent", u64::from(l.p_i_exponent))
            .u64(
                "logical_blocks_per_physical_block_exponent",
                u64::from(l.logical_per_physical_exponent),
            )
            .bool("lbpme", l.lbpme)
            .bool("lbprz", l.lbprz)
            .u64(
                "lowest_aligned_logical_block_address",
                u64::from(l.lowest_aligned_lba),
            );
    }
    j.u64("exit_status", 0);
    j.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sgmap_core::response::Capacity16;

    #[test]
    fn sg_readcap_lines() {
        let c = Capacity {
            cdb: 10,
            last_lba: 32767,
            block_length: 512,
            long: None,
        };
        assert_eq!(
            to_text(&c),
            "Read Capacity results:\n   Last LBA=32767 (0x7fff), Number of logical blocks=32768\n   \
             Logical block length=512 bytes\nHence:\n   Device size: 16777216 bytes, 16.0 MiB, \
             0.02 GB\n"
        );
        let j = to_json("/dev/sg0", &c);
        assert_eq!(
            j,
            "{\"device\":\"/dev/sg0\",\"cdb\":10,\"returned_logical_block_address\":32767,\
             \"logical_block_length_in_bytes\":512,\"blocks\":32768,\"bytes\":16777216,\
             \"exit_status\":0}\n"
        );
    }

    #[test]
    fn long_form_and_terabytes() {
        let data = {
            let mut d = [0u8; 32];
            d[..8].copy_from_slice(&((3u64 << 40) / 4096 - 1).to_be_bytes());
            d[8..12].copy_from_slice(&4096u32.to_be_bytes());
            d[13] = 3;
            d
        };
        let c = Capacity {
            cdb: 16,
            last_lba: (3u64 << 40) / 4096 - 1,
            block_length: 4096,
            long: Some(Capacity16::parse(&data).unwrap()),
        };
        let t = to_text(&c);
        assert!(
            t.contains("Protection: prot_en=0, p_type=0, p_i_exponent=0"),
            "{t}"
        );
        assert!(t.contains(
            "Logical blocks per physical block exponent=3 [so physical block length=32768 bytes]"
        ));
        assert!(
            t.contains("3298534883328 bytes, 3145728.0 MiB, 3298.53 GB, 3.30 TB"),
            "{t}"
        );
        assert_eq!(
            to_json("d", &c),
            concat!(
                r#"{"device":"d","cdb":16,"returned_logical_block_address":805306367,"#,
                r#""logical_block_length_in_bytes":4096,"blocks":805306368,"#,
                r#""bytes":3298534883328,"rc_basis":0,"p_type":0,"prot_en":false,"#,
                r#""p_i_exponent":0,"logical_blocks_per_physical_block_exponent":3,"#,
                r#""lbpme":false,"lbprz":false,"lowest_aligned_logical_block_address":0,"#,
                r#""exit_status":0}"#,
                "\n"
            )
        );
    }

    #[test]
    fn read_capacity_16_fields_take_sg_readcaps_names() {
        let mut d = [0xa5u8; 32];
        d[..8].copy_from_slice(&0x1_0000_0000u64.to_be_bytes());
        d[8..12].copy_from_slice(&512u32.to_be_bytes());
        d[12] = 0x10 | (1 << 1) | 1; // RC BASIS 1, P_TYPE 1, PROT_EN
        d[13] = 0x23; // P_I_EXPONENT 2, LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT 3
        d[14..16].copy_from_slice(&[0xc0, 0x07]); // LBPME, LBPRZ, lowest aligned LBA 7
        let c = Capacity {
            cdb: 16,
            last_lba: 0x1_0000_0000,
            block_length: 512,
            long: Some(Capacity16::parse(&d).unwrap()),
        };
        assert_eq!(
            to_json("/dev/sg1", &c),
            concat!(
                r#"{"device":"/dev/sg1","cdb":16,"returned_logical_block_address":4294967296,"#,
                r#""logical_block_length_in_bytes":512,"blocks":4294967297,"#,
                r#""bytes":2199023256064,"rc_basis":1,"p_type":1,"prot_en":true,"#,
                r#""p_i_exponent":2,"logical_blocks_per_physical_block_exponent":3,"#,
                r#""lbpme":true,"lbprz":true,"lowest_aligned_logical_block_address":7,"#,
                r#""exit_status":0}"#,
                "\n"
            )
        );
    }
}
