//! dd's operands as sg_dd, sgm_dd and sgp_dd take them: `if=`, `of=`, `bs=`, `count=`,
//! `skip=`, `seek=`, `iflag=`/`oflag=` and the rest, one `key=value` at a time
//! ([`Operands::apply`]), then the checks that need them all ([`Operands::finish`]): a
//! syntax error (exit 1) or a contradiction (exit 31). What the copy does with them is
//! [`super::plan`]'s arithmetic. Pure: every rule here has a host test.

use crate::args::{parse_num, NumError};

/// The operands of `sgmap dd`, as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Operands {
    /// `if=`.
    pub input: Option<String>,
    /// `of=`.
    pub output: Option<String>,
    /// `bs=`.
    pub bs: Option<u32>,
    /// `bpt=`.
    pub bpt: Option<u32>,
    /// `count=`.
    pub count: Option<u64>,
    /// `skip=` (input blocks).
    pub skip: u64,
    /// `seek=` (output blocks).
    pub seek: u64,
    /// `qd=`: transfers in flight.
    pub qd: u32,
    /// `sync=1`.
    pub sync: bool,
    /// `verify=1`.
    pub verify: bool,
    /// `time=1`.
    pub time: bool,
    /// `--progress`.
    pub progress: bool,
    /// `--json`.
    pub json: bool,
    /// `--dry-run`: open, probe and plan, then copy nothing.
    pub dry_run: bool,
    /// `iflag=` (and `conv=noerror`, `coe=`).
    pub iflag: Flags,
    /// `oflag=` (and `conv=nocreat,sparse`, `coe=`, `append=`).
    pub oflag: Flags,
    /// `cdbsz=6|10|12|16`: the READ and WRITE CDB size; `None` picks 10, or 16 where 10
    /// cannot address the LBA or hold the blocks.
    pub cdbsz: Option<u8>,
    /// `retries=N`: a failed READ or WRITE is sent again up to N times (sg_dd's rule).
    pub retries: u32,
    /// `coe_limit=N`: with coe, at most N unreadable stretches in a row (0: no limit).
    pub coe_limit: u32,
    /// The sg3_utils dd tool whose name `dd` runs under (its dry run and report lines);
    /// `None` for `sgmap dd`, which reports as sgm_dd does.
    pub tool: Option<super::tool::Flavor>,
    /// sg_dd's `--verify`/`-x`: the output (an sg device) is compared with VERIFY (BYTCHK=1)
    /// against the input's data instead of written.
    pub compare: bool,
}

/// What `iflag=`/`oflag=` set on one side: sg_dd's flags (a superset of sgm_dd's).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    /// `append`: O_APPEND on a file output.
    pub append: bool,
    /// `coe`: continue on error (given twice, level 2; sgmap takes levels 2 and 3, READ
    /// LONG in sg_dd, as 1).
    pub coe: u8,
    /// `dio`: sg_dd's direct IO; sgmap's sg data goes through the mapped reserve instead,
    /// so the flag is accepted and noted.
    pub dio: bool,
    /// `direct`: O_DIRECT on a file.
    pub direct: bool,
    /// `dpo`: the DPO bit of READ or WRITE.
    pub dpo: bool,
    /// `dsync`: O_SYNC.
    pub dsync: bool,
    /// `excl`: O_EXCL (for sg: the driver's exclusive open).
    pub excl: bool,
    /// `flock`: an exclusive, non-blocking `flock()` after the open (exit 90 when taken).
    pub flock: bool,
    /// `fua`: the FUA bit of READ or WRITE.
    pub fua: bool,
    /// `nocache`: `posix_fadvise(DONTNEED)` on a file after each transfer.
    pub nocache: bool,
    /// `nocreat`: the output must exist.
    pub nocreat: bool,
    /// `sgio`: a block device is used through its sg node.
    pub sgio: bool,
    /// `sparse` (output): an all-zero transfer other than the last is skipped.
    pub sparse: bool,
    /// `00`, `ff`, `random` (input): generated data instead of `if=`.
    pub fill: Option<Fill>,
    /// sgp_dd's `mmap`: that side's sg reserve is mmap-ed (sgmap's always is); on a side
    /// that is not an sg device sgp_dd fails.
    pub mmap: bool,
}

/// The generated input of `iflag=00|ff|random`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// Zeros.
    Zero,
    /// 0xff bytes.
    Ones,
    /// Pseudo-random bytes.
    Random,
}

impl Fill {
    /// The flag's name.
    pub fn name(self) -> &'static str {
        match self {
            Fill::Zero => "00",
            Fill::Ones => "ff",
            Fill::Random => "random",
        }
    }
}

impl Flags {
    /// Applies a comma list of flag names (sg_dd `process_flags()`); `input`: iflag=.
    fn apply(&mut self, key: &str, list: &str, input: bool) -> Result<(), OperandError> {
        for name in list.split(',') {
            match name {
                "append" => self.append = true,
                "coe" => self.coe = self.coe.saturating_add(1),
                "dio" => self.dio = true,
                "direct" => self.direct = true,
                "dpo" => self.dpo = true,
                "dsync" => self.dsync = true,
                "excl" => self.excl = true,
                "flock" => self.flock = true,
                "fua" => self.fua = true,
                "nocache" => self.nocache = true,
                "nocreat" => self.nocreat = true,
                "null" => {}
                // sg_dd 1.48's synonym.
                "sgio" | "pt" => self.sgio = true,
                "sparse" => self.sparse = true,
                "00" | "ff" | "random" => {
                    // sg_dd: ignored on the output side; ff wins over random over 00.
                    if input {
                        let new = match name {
                            "00" => Fill::Zero,
                            "ff" => Fill::Ones,
                            _ => Fill::Random,
                        };
                        self.fill = Some(match (self.fill, new) {
                            (Some(Fill::Ones), _) | (_, Fill::Ones) => Fill::Ones,
                            (Some(Fill::Random), _) | (_, Fill::Random) => Fill::Random,
                            _ => Fill::Zero,
                        });
                    }
                }
                "" => return Err(syntax(format!("{key}={list}: no flag found"))),
                other => return Err(syntax(format!("{key}={list}: unrecognised flag: {other}"))),
            }
        }
        Ok(())
    }
}

/// A bad operand: the message, and whether it is a contradiction (exit 31) rather than a
/// syntax error (exit 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperandError {
    /// What is wrong.
    pub message: String,
    /// Contradicting operands (exit 31), else a syntax error (exit 1).
    pub contradiction: bool,
}

fn syntax(message: String) -> OperandError {
    OperandError {
        message,
        contradiction: false,
    }
}

fn num_err(key: &str, value: &str, e: NumError) -> OperandError {
    syntax(format!("{key}={value}: {e}"))
}

impl Operands {
    /// Applies one `key=value` operand (sg_dd's syntax); a later one overrides an earlier.
    pub fn apply(&mut self, operand: &str) -> Result<(), OperandError> {
        let Some((key, value)) = operand.split_once('=') else {
            return Err(syntax(format!(
                "'{operand}': expected an operand KEY=VALUE or an option"
            )));
        };
        if value.is_empty() && key != "if" && key != "of" {
            return Err(syntax(format!("{key}=: empty value")));
        }
        let num = |v: &str| parse_num(v).map_err(|e| num_err(key, v, e));
        let num32 = |v: &str| {
            let n = parse_num(v).map_err(|e| num_err(key, v, e))?;
            u32::try_from(n).map_err(|_| num_err(key, v, NumError::Overflow))
        };
        let flag = |v: &str| match v {
            "0" => Ok(false),
            "1" => Ok(true),
            _ => Err(syntax(format!("{key}={v}: expected 0 or 1"))),
        };
        match key {
            "if" => self.input = Some(nonempty(key, value)?),
            "of" => self.output = Some(nonempty(key, value)?),
            "bs" => self.bs = Some(positive(key, value, num32(value)?)?),
            "ibs" | "obs" => {
                // sgm_dd accepts ibs/obs only equal to bs.
                let n = positive(key, value, num32(value)?)?;
                match self.bs {
                    Some(bs) if bs != n => {
                        return Err(OperandError {
                            message: format!("{key}={n} differs from bs={bs}"),
                            contradiction: true,
                        })
                    }
                    _ => self.bs = Some(n),
                }
            }
            "bpt" => self.bpt = Some(positive(key, value, num32(value)?)?),
            // sgm_dd and sg_dd take count=-1 as "not given": copy to the end.
            "count" if value == "-1" => self.count = None,
            "count" => self.count = Some(num(value)?),
            "skip" => self.skip = num(value)?,
            "seek" => self.seek = num(value)?,
            "qd" => {
                let n = num32(value)?;
                if !(1..=16).contains(&n) {
                    return Err(syntax(format!("qd={value}: expected 1 to 16")));
                }
                self.qd = n;
            }
            "iflag" => self.iflag.apply(key, value, true)?,
            "oflag" => self.oflag.apply(key, value, false)?,
            // sg_dd's conv=: noerror is iflag=coe, nocreat and sparse are oflag's; notrunc,
            // null and sync are what sg_dd does anyway.
            "conv" => {
                for name in value.split(',') {
                    match name {
                        "noerror" => self.iflag.coe = self.iflag.coe.saturating_add(1),
                        "nocreat" => self.oflag.nocreat = true,
                        "sparse" => self.oflag.sparse = true,
                        "notrunc" | "null" | "sync" => {}
                        other => {
                            return Err(syntax(format!("conv={value}: unrecognised flag: {other}")))
                        }
                    }
                }
            }
            "coe" => {
                let n = u8::try_from(num(value)?).unwrap_or(u8::MAX);
                self.iflag.coe = n;
                self.oflag.coe = n;
            }
            "coe_limit" => self.coe_limit = num32(value)?,
            "retries" => self.retries = num32(value)?,
            "cdbsz" => {
                let n = num32(value)?;
                if ![6, 10, 12, 16].contains(&n) {
                    return Err(syntax(format!("cdbsz={value}: expected 6, 10, 12 or 16")));
                }
                self.cdbsz = Some(n as u8);
            }
            // sgm_dd's and sg_dd's append=1 (oflag=append).
            "append" => self.oflag.append = flag(value)?,
            "sync" => self.sync = flag(value)?,
            "verify" => self.verify = flag(value)?,
            "time" => self.time = flag(value)?,
            // sg_dd's verbosity, as `-v` counts it elsewhere.
            "verbose" => {
                let level = num(value)?;
                crate::invocation::set_verbose(u8::try_from(level).unwrap_or(u8::MAX));
            }
            _ => return Err(syntax(format!("unknown operand {key}="))),
        }
        Ok(())
    }

    /// The checks that need all operands: both files given, no contradictions.
    pub fn finish(&mut self) -> Result<(), OperandError> {
        if self.qd == 0 {
            self.qd = 1;
        }
        let contradiction = |message: String| OperandError {
            message,
            contradiction: true,
        };
        if let Some(fill) = self.iflag.fill {
            if let Some(input) = &self.input {
                return Err(contradiction(format!(
                    "iflag={} and if={input} contradict",
                    fill.name()
                )));
            }
            if self.verify {
                return Err(contradiction(format!(
                    "verify=1 with iflag={}: the generated input cannot be read again",
                    fill.name()
                )));
            }
            self.input = Some(format!("iflag={}", fill.name()));
        }
        let Some(input) = self.input.as_deref() else {
            return Err(syntax("if=FILE is required".into()));
        };
        let Some(output) = self.output.as_deref() else {
            return Err(syntax("of=FILE is required".into()));
        };
        if self.oflag.append && self.seek > 0 {
            return Err(contradiction(format!(
                "oflag=append with seek={}: can't use both append and seek",
                self.seek
            )));
        }
        if self.verify && self.oflag.sparse {
            return Err(contradiction(
                "verify=1 cannot be used with oflag=sparse".into(),
            ));
        }
        if self.cdbsz == Some(6) {
            for (side, f) in [("iflag", &self.iflag), ("oflag", &self.oflag)] {
                if f.dpo || f.fua {
                    return Err(contradiction(format!(
                        "cdbsz=6 with {side}={}: 6-byte READ and WRITE have no DPO or FUA bit",
                        if f.dpo { "dpo" } else { "fua" }
                    )));
                }
            }
            if let Some(bpt) = self.bpt.filter(|&b| b > 256) {
                return Err(contradiction(format!(
                    "cdbsz=6 with bpt={bpt}: a 6-byte READ or WRITE carries at most 256 blocks"
                )));
            }
        }
        if self.json && output == "-" {
            return Err(contradiction(
                "--json and of=- both write to standard output".into(),
            ));
        }
        if self.verify && is_discard(output) {
            return Err(contradiction(format!(
                "verify=1 with of={output}: nothing to read back"
            )));
        }
        if self.verify && (input == "-" || output == "-") {
            return Err(contradiction(
                "verify=1 needs an input and an output that can be read again (not -)".into(),
            ));
        }
        if input == "." {
            return Err(syntax("if=.: '.' discards, it is only an output".into()));
        }
        Ok(())
    }
}

fn nonempty(key: &str, value: &str) -> Result<String, OperandError> {
    if value.is_empty() {
        Err(syntax(format!("{key}=: empty file name")))
    } else {
        Ok(value.to_owned())
    }
}

fn positive(key: &str, value: &str, n: u32) -> Result<u32, OperandError> {
    if n == 0 {
        Err(syntax(format!("{key}={value}: must be at least 1")))
    } else {
        Ok(n)
    }
}

/// Whether `of=` names the discarding sink (`/dev/null` or `.`).
pub fn is_discard(path: &str) -> bool {
    path == "." || path == "/dev/null"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(list: &[&str]) -> Result<Operands, OperandError> {
        let mut o = Operands::default();
        for a in list {
            o.apply(a)?;
        }
        o.finish()?;
        Ok(o)
    }

    #[test]
    fn operands_parse_with_suffixes() {
        let o = ops(&[
            "if=/dev/sg0",
            "of=out.bin",
            "bs=4k",
            "bpt=0x10",
            "count=1k",
            "skip=2",
            "seek=3b",
            "qd=4",
            "sync=1",
            "verify=1",
            "time=1",
            "verbose=2",
        ])
        .unwrap();
        assert_eq!(o.bs, Some(4096));
        assert_eq!(o.bpt, Some(16));
        assert_eq!(o.count, Some(1024));
        assert_eq!((o.skip, o.seek, o.qd), (2, 1536, 4));
        assert!(o.sync && o.verify && o.time);
        assert_eq!(ops(&["if=a", "of=b"]).unwrap().qd, 1);
    }

    #[test]
    fn iflag_oflag_conv_coe_cdbsz_and_retries_parse_as_sg_dd_names_them() {
        let o = ops(&[
            "if=a",
            "of=b",
            "iflag=dpo,fua,coe,coe,direct,null",
            "oflag=append,dsync,excl,flock,nocache,nocreat,sparse,pt",
            "conv=noerror,notrunc,sync",
            "cdbsz=12",
            "retries=3",
            "coe_limit=2",
        ])
        .unwrap();
        assert!(o.iflag.dpo && o.iflag.fua && o.iflag.direct);
        assert_eq!(o.iflag.coe, 3, "coe twice and conv=noerror");
        let f = o.oflag;
        assert!(f.append && f.dsync && f.excl && f.flock && f.nocache && f.nocreat);
        assert!(f.sparse && f.sgio && !f.dpo);
        assert_eq!((o.cdbsz, o.retries, o.coe_limit), (Some(12), 3, 2));
        let o = ops(&["if=a", "of=b", "coe=1"]).unwrap();
        assert_eq!((o.iflag.coe, o.oflag.coe), (1, 1));
        // ff wins over random over 00; on oflag they are ignored, as sg_dd does.
        let o = ops(&["of=b", "iflag=00,ff,random", "oflag=00"]).unwrap();
        assert_eq!((o.iflag.fill, o.oflag.fill), (Some(Fill::Ones), None));
        assert_eq!(o.input.as_deref(), Some("iflag=ff"));
    }

    #[test]
    fn unknown_flags_and_cdb_sizes_are_syntax_errors() {
        for bad in [
            "iflag=dpo,bogus",
            "oflag=",
            "iflag=,",
            "conv=swab",
            "cdbsz=8",
            "cdbsz=32",
        ] {
            let e = ops(&["if=a", "of=b", bad]).unwrap_err();
            assert!(!e.contradiction, "{bad}: {e:?}");
        }
        let e = ops(&["if=a", "of=b", "iflag=bogus"]).unwrap_err();
        assert!(e.message.contains("unrecognised flag: bogus"), "{e:?}");
    }

    #[test]
    fn flags_that_cannot_work_together_are_contradictions() {
        for bad in [
            &["if=a", "of=b", "oflag=append", "seek=1"][..],
            &["if=a", "of=b", "oflag=sparse", "verify=1"],
            &["if=a", "of=b", "iflag=00"],
            &["of=b", "iflag=random", "verify=1"],
            &["if=a", "of=b", "cdbsz=6", "oflag=fua"],
            &["if=a", "of=b", "cdbsz=6", "iflag=dpo"],
            &["if=a", "of=b", "cdbsz=6", "bpt=257"],
        ] {
            let e = ops(bad).unwrap_err();
            assert!(e.contradiction, "{bad:?}: {e:?}");
        }
        assert!(ops(&["if=a", "of=b", "cdbsz=6", "bpt=256"]).is_ok());
        assert!(ops(&["if=a", "of=b", "oflag=append"]).is_ok());
    }

    #[test]
    fn bad_operands_are_syntax_errors() {
        for bad in [
            &["if=a"][..],
            &["of=b"],
            &["if=a", "of=b", "bs=0"],
            &["if=a", "of=b", "bs=x"],
            &["if=a", "of=b", "bs=4G"],
            &["if=a", "of=b", "qd=0"],
            &["if=a", "of=b", "qd=17"],
            &["if=a", "of=b", "sync=2"],
            &["if=a", "of=b", "colour=blue"],
            &["if=a", "of=b", "count"],
            &["if=a", "of=b", "count="],
            &["if=a", "of=b", "count=-2"],
            &["if=", "of=b"],
            &["if=a", "of=b", "skip=99999999999999999999"],
            &["if=.", "of=b"],
        ] {
            let e = ops(bad).unwrap_err();
            assert!(!e.contradiction, "{bad:?}: {e:?}");
        }
    }

    #[test]
    fn count_minus_one_means_not_given_as_in_sgm_dd() {
        assert_eq!(ops(&["if=a", "of=b", "count=-1"]).unwrap().count, None);
        assert_eq!(
            ops(&["if=a", "of=b", "count=8", "count=-1"]).unwrap().count,
            None
        );
        assert_eq!(ops(&["if=a", "of=b", "count=0"]).unwrap().count, Some(0));
    }

    #[test]
    fn contradictions_are_exit_31() {
        let mut o = Operands {
            json: true,
            ..Operands::default()
        };
        o.apply("if=a").unwrap();
        o.apply("of=-").unwrap();
        assert!(o.finish().unwrap_err().contradiction);
        for bad in [
            &["if=a", "of=.", "verify=1"][..],
            &["if=a", "of=/dev/null", "verify=1"],
            &["if=-", "of=b", "verify=1"],
            &["if=a", "of=b", "bs=512", "ibs=1024"],
        ] {
            let e = ops(bad).unwrap_err();
            assert!(e.contradiction, "{bad:?}: {e:?}");
        }
        assert_eq!(
            ops(&["if=a", "of=b", "ibs=1024"]).unwrap().bs,
            Some(1024),
            "ibs alone sets bs"
        );
    }
}
