//! `sgmap readcap`: READ CAPACITY (10) or (16), printed as `sg_readcap` prints it.

use std::ffi::OsString;
use std::fmt::Write as _;

use super::capacity::{read_capacity, Capacity};
use super::{dev, Cli};
use crate::json::Json;
use crate::out::{self, CmdResult};

/// Runs `sgmap readcap`.
pub fn run_cmd(args: Vec<OsString>) -> CmdResult {
    let mut cli = Cli::new("readcap", args);
    let (mut long, mut brief, mut json, mut device) = (false, false, false, None);
    while let Some(arg) = cli.next()? {
        match arg {
            lexopt::Arg::Long("16") | lexopt::Arg::Long("long") | lexopt::Arg::Short('l') => {
                long = true
            }
            lexopt::Arg::Long("brief") | lexopt::Arg::Short('b') => brief = true,
            lexopt::Arg::Long("json") | lexopt::Arg::Short('j') => json = cli.json(),
            lexopt::Arg::Long("help") | lexopt::Arg::Short('h') => return cli.help(),
            lexopt::Arg::Value(v) if device.is_none() => {
                device = Some(super::utf8("readcap", "DEVICE", v)?)
            }
            other => return Err(super::unexpected("readcap", other)),
        }
    }
    let Some(device) = device else {
        return Err(cli.syntax(format_args!("DEVICE is required")));
    };
    if brief && json {
        return Err(out::contradict(
            "readcap",
            format_args!("--brief and --json both choose the output format"),
        ));
    }
    let mut dev = dev::open(&device)?;
    let cap = read_capacity(&mut dev, &device, long, false)?;
    let text = if brief {
        format!("0x{:x} 0x{:x}\n", cap.blocks(), cap.block_length)
    } else if json {
        to_json(&device, &cap)
    } else {
        to_text(&cap)
    };
    out::out_str(&text)
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
        "Hence:\n   Device size: {bytes} bytes, {mib:.1} MiB, {gb:.2} GB"
    );
    if gb > 2000.0 {
        let _ = write!(s, ", {:.2} TB", gb / 1000.0);
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
