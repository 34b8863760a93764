//! What the device commands share: opening, running one command, and reporting a failed
//! one as `sgmap: DEVICE: WHAT: WHY` with its decoded sense.

use std::fmt::Write as _;

use sgmap_core::sense::Sense;
use sgmap_core::status::{ExitCategory, Outcome};
use sgmap_sys::{Command, Data, Device, OpenOptions, Response, Timeout};

use crate::json::Json;
use crate::out::{self, Fail};
use crate::shared::node;
use crate::shared::sense_json;

/// Opens the sg node of the device `path` names (an sg node, or a block or bsg node whose
/// unit's sg node is found through sysfs: see [`node`]) `O_RDWR`: every command is sent
/// with `write()` (sgmap-sys's one command path), which a read-only file refuses. (sg_inq,
/// sg_turs and sg_readcap open read-only and use `SG_IO`; docs/cli.md says so.) An `open()`
/// that fails is 50 + errno, as the tools' `sg_convert_errno()`.
pub fn open(path: &str) -> Result<Device, Fail> {
    let sg = node::sg_path(path)?;
    OpenOptions::new().open(&sg).map_err(|e| {
        let code = match (e.operation(), e.raw_os_error()) {
            ("open", Some(errno)) => u16::try_from(errno)
                .map(ExitCategory::OsError)
                .unwrap_or(ExitCategory::Other),
            _ => e.category(),
        };
        out::err_fmt(format_args!("sgmap: {e}\n"));
        Fail::new(code)
    })
}

/// Prints the CDB line sg3_utils prints at `-v` (`    inquiry cdb: [12 00 00 00 24 00]`,
/// as its `sg_cmds_*` functions do) on stderr, when `-v` was given.
pub fn verbose_cdb(what: &str, cdb: &[u8]) {
    if crate::invocation::verbose() == 0 {
        return;
    }
    let mut line = format!("    {what} cdb: ");
    push_cdb(&mut line, cdb);
    line.push('\n');
    out::err_str(&line);
}

/// Appends the CDB as sg3_utils' `sg_get_command_str()` writes its bytes: `[12 00 00 00 24
/// 00]`.
pub fn push_cdb(line: &mut String, cdb: &[u8]) {
    line.push('[');
    for (k, b) in cdb.iter().enumerate() {
        if k > 0 {
            line.push(' ');
        }
        crate::json::push_hex_byte(line, *b);
    }
    line.push(']');
}

/// Reports an error of the device layer, whose message names the device and the operation.
pub fn sys_fail(e: sgmap_sys::Error) -> Fail {
    out::err_fmt(format_args!("sgmap: {e}\n"));
    Fail::new(e.category())
}

/// Why a command failed, on one line: the sense key and additional sense, or the transport
/// or status problem.
pub fn describe(resp: &Response) -> String {
    match resp.outcome() {
        Outcome::Good => "Good".to_owned(),
        Outcome::CheckCondition { sense: bytes } => match Sense::new_checked(bytes) {
            Ok(s) => {
                let mut t = s.sense_key().to_string();
                if let Some(a) = s.additional_sense() {
                    let _ = write!(t, ": {a}");
                }
                if let Some(i) = s.information().filter(|i| i.valid) {
                    let _ = write!(t, " (info 0x{:x})", i.value);
                }
                t
            }
            Err(_) if bytes.is_empty() => "Check Condition without sense data".to_owned(),
            Err(e) => format!("Check Condition, sense data not decoded: {e}"),
        },
        Outcome::Timeout => "timed out (DID_TIME_OUT): the command was aborted".to_owned(),
        Outcome::Host(h) => format!("transport error {} ({:#x})", h.name(), h.to_raw()),
        Outcome::Driver(d) => format!("driver error {} ({:#x})", d.name(), d.0),
        Outcome::ConditionMet => "SCSI status Condition Met".to_owned(),
        Outcome::Busy => "SCSI status Busy".to_owned(),
        Outcome::ReservationConflict => "SCSI status Reservation Conflict".to_owned(),
        Outcome::TaskSetFull => "SCSI status Task Set Full".to_owned(),
        Outcome::AcaActive => "SCSI status ACA Active".to_owned(),
        Outcome::TaskAborted => "SCSI status Task Aborted".to_owned(),
        Outcome::Status(s) => format!("SCSI status {} ({:#x})", s.name(), s.to_byte()),
    }
}

/// The decoded sense of a response, each line indented by two spaces; empty without sense.
pub fn sense_lines(resp: &Response) -> String {
    let bytes = resp.sense();
    if bytes.is_empty() {
        return String::new();
    }
    let mut s = String::new();
    for line in crate::shared::sense_text::sense_str(bytes, false).lines() {
        s.push_str("  ");
        s.push_str(line);
        s.push('\n');
    }
    s
}

/// Reports a command that completed with an error: the summary line, then the sense.
pub fn scsi_fail(device: &str, what: &str, resp: &Response) -> Fail {
    let mut text = format!("sgmap: {device}: {what}: {}\n", describe(resp));
    text.push_str(&sense_lines(resp));
    out::err_str(&text);
    Fail::new(scsi_category(resp))
}

/// The exit category of a completed command: the response's, or 97 for a good status with
/// an unusable response (callers decide that).
pub fn scsi_category(resp: &Response) -> ExitCategory {
    resp.category()
}

/// Runs a data-in command of at most `len` bytes into a buffer (the kernel copies; for the
/// small responses of INQUIRY and READ CAPACITY) and returns the response and valid bytes.
pub fn data_in(
    dev: &mut Device,
    cdb: &[u8],
    len: usize,
    timeout: Timeout,
) -> Result<(Response, Vec<u8>), Fail> {
    let mut buf = vec![0u8; len];
    let resp = dev
        .execute(&Command::new(cdb).timeout(timeout), Data::In(&mut buf))
        .map_err(sys_fail)?;
    let valid = (resp.valid as usize).min(len);
    buf.truncate(valid);
    Ok((resp, buf))
}

/// Appends the members of a completed command's status to a JSON object.
pub fn status_json(j: &mut Json, resp: &Response) {
    j.u64("status", u64::from(resp.status))
        .u64("host_status", u64::from(resp.host_status))
        .u64("driver_status", u64::from(resp.driver_status))
        .u64("category", u64::from(resp.category().code()));
    sense_json::object(j, "sense", resp.sense());
}

/// Builds a CDB from a core builder (never fails for the values the commands use; a
/// failure is reported as a syntax error of the operands that led to it).
pub fn cdb(cmd: &impl sgmap_core::cdb::ToCdb, what: &str) -> Result<sgmap_core::cdb::Cdb, Fail> {
    cmd.to_cdb()
        .map_err(|e| out::fail(ExitCategory::Syntax, what, "CDB", format_args!("{e}")))
}

/// Whether a command ended as sg3_utils' `sg_ll_*` functions count success: GOOD,
/// CONDITION MET, or CHECK CONDITION with RECOVERED ERROR or NO SENSE (sg_start, sg_sync,
/// sg_verify and sg_luns exit 0 after those).
pub fn sg3_ok(resp: &Response) -> bool {
    resp.is_good() || resp.category() == ExitCategory::NoSense
}

/// Appends `key`: null, or the failure as an object: its `lba` when given, `message` (one
/// line) and the status members. Every command's JSON names its failure so: `error`, null
/// on success.
pub fn error_json(j: &mut Json, key: &str, failure: Option<&Response>, lba: Option<u64>) {
    match failure {
        Some(resp) => {
            j.begin_object(key);
            if let Some(lba) = lba {
                j.u64("lba", lba);
            }
            j.str("message", &describe(resp));
            status_json(j, resp);
            j.end();
        }
        None => {
            j.null(key);
        }
    }
}

/// Sizes the reserve for `len` bytes and maps it, or refuses (62, ENOMEM's status) when the
/// kernel grants less: `what` (the data, in a few words) does not fit, with the sizes, and
/// what `advice` says of the bytes that do fit (empty, or `: ...`).
pub fn map_reserve(
    d: &mut Device,
    device: &str,
    what: &str,
    len: u32,
    advice: &dyn Fn(u32) -> String,
) -> Result<(), Fail> {
    let granted = d.set_reserved_size(u64::from(len)).map_err(sys_fail)?;
    let mapped = d.map().map_err(sys_fail)?;
    if mapped < len {
        return Err(out::fail(
            ExitCategory::OsError(12),
            device,
            "reserve",
            format_args!(
                "{what} ({len} bytes) does not fit the reserve the kernel grants ({granted} \
                 bytes, {mapped} mappable){}",
                advice(mapped)
            ),
        ));
    }
    Ok(())
}

/// [`map_reserve`] for `data`, then copies it to the start of the mapping, for a
/// `Data::MmapOut` of its length.
pub fn load_reserve(d: &mut Device, device: &str, what: &str, data: &[u8]) -> Result<u32, Fail> {
    let len = u32::try_from(data.len()).map_err(|_| {
        out::fail(
            ExitCategory::OsError(12),
            device,
            "reserve",
            format_args!("{what} ({} bytes) is larger than any reserve", data.len()),
        )
    })?;
    map_reserve(d, device, what, len, &|_| String::new())?;
    d.mapping_mut().map_err(sys_fail)?[..data.len()].copy_from_slice(data);
    Ok(len)
}

/// `--help` of a command whose sg3_utils tool prints its usage on stderr (most do, with
/// `pr2serr()`): the help goes to stderr, so that standard output stays the tool's (empty).
pub fn help_as_tool(cli: &crate::cli::Cli) -> crate::out::CmdResult {
    match crate::help::of(cli.name) {
        Some(text) => out::err_str(&text),
        None => out::err_str(&crate::help::main()),
    }
    Ok(())
}

/// An option that getopt does not know, or one missing its argument, for the tools whose
/// getopt loop takes `?` as `-h` (sg_sanitize, sg_unmap, sg_write_same): getopt's complaint,
/// the usage (here the help, on stderr), and the status 0 those tools then return.
/// When [`crate::cli::Cli`] printed glibc's line already ([`crate::cli::getopt_refused`]),
/// the usage alone.
pub fn getopt_usage(name: &str, why: std::fmt::Arguments<'_>) -> Fail {
    if !crate::cli::getopt_refused() {
        out::err_fmt(format_args!(
            "{}: {why}\n",
            crate::invocation::tool().unwrap_or(name)
        ));
    }
    if let Some(text) = crate::help::of(name) {
        out::err_str(&text);
    }
    Fail::code(0)
}

/// [`getopt_usage`] for a syntax error of [`crate::cli::Cli::next`] (lexopt's: a value after
/// an option that takes none, a missing value); other failures pass through.
pub fn getopt_error(name: &str, f: Fail) -> Fail {
    if f.code == 1 {
        getopt_usage(name, format_args!("invalid option use"))
    } else {
        f
    }
}

/// [`verbose_cdb`] under the name sg3_utils' functions give the command (`inquiry`,
/// `mode sense(10)`, `read capacity(16)`, `Format unit`, `unmap`, `Sanitize`,
/// `Write same(16)`, ...), from its operation code.
pub fn verbose_sent(cdb: &[u8]) {
    let name = match (cdb.first(), cdb.get(1).map(|b| b & 0x1f), cdb.get(9)) {
        (Some(0x00), _, _) => "test unit ready",
        (Some(0x03), _, _) => "request sense",
        (Some(0x04), _, _) => "Format unit",
        (Some(0x12), _, _) => "inquiry",
        (Some(0x15), _, _) => "mode select(6)",
        (Some(0x1a), _, _) => "mode sense(6)",
        (Some(0x25), _, _) => "read capacity(10)",
        (Some(0x35), _, _) => "synchronize cache(10)",
        (Some(0x41), _, _) => "Write same(10)",
        (Some(0x42), _, _) => "unmap",
        (Some(0x48), _, _) => "Sanitize",
        (Some(0x55), _, _) => "mode select(10)",
        (Some(0x5a), _, _) => "mode sense(10)",
        (Some(0x7f), _, _) => "Write same(32)",
        (Some(0x93), _, _) => "Write same(16)",
        (Some(0x9e), Some(0x10), _) => "read capacity(16)",
        _ => "command",
    };
    verbose_cdb(name, cdb);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdb_bytes_are_bracketed_as_sg_get_command_str_writes_them() {
        let mut line = String::from("    inquiry cdb: ");
        push_cdb(&mut line, &[0x12, 0, 0, 0, 0x24, 0]);
        assert_eq!(line, "    inquiry cdb: [12 00 00 00 24 00]");
        let mut empty = String::new();
        push_cdb(&mut empty, &[]);
        assert_eq!(empty, "[]");
        let mut one = String::new();
        push_cdb(&mut one, &[0xab]);
        assert_eq!(one, "[ab]");
    }
}
