//! What the `cli_*` guest tests share: running `/bin/sgmap`, reading a device through its
//! block node, scratch files, sysfs knobs restored on drop, and a small JSON parser that
//! checks `--json` output is one well-formed object.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sgmap_tests::Devices;

/// The binary under test: the static release `sgmap` the rig puts in the initramfs.
pub const SGMAP: &str = "/bin/sgmap";

/// What one run of sgmap did.
pub struct Run {
    /// The command line, for messages.
    pub args: Vec<String>,
    /// The exit status (a signal's death is -1).
    pub code: i32,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: String,
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sgmap {}\n  exit status {}\n  stdout: {}\n  stderr: {}",
            self.args.join(" "),
            self.code,
            String::from_utf8_lossy(&self.stdout[..self.stdout.len().min(4000)]),
            self.stderr
        )
    }
}

impl Run {
    /// Standard output as text.
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Panics unless the exit status is `code`.
    #[track_caller]
    pub fn status(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "unexpected exit status:\n{self:?}");
        self
    }

    /// Panics unless stderr contains `text`.
    #[track_caller]
    pub fn err_has(&self, text: &str) -> &Run {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}:\n{self:?}"
        );
        self
    }

    /// Panics unless stdout contains `text`.
    #[track_caller]
    pub fn out_has(&self, text: &str) -> &Run {
        assert!(
            self.out().contains(text),
            "stdout lacks {text:?}:\n{self:?}"
        );
        self
    }

    /// Standard output parsed as one JSON object.
    #[track_caller]
    pub fn json(&self) -> Json {
        let text = self.out();
        match parse_json(&text) {
            Ok(v @ Json::Object(_)) => v,
            Ok(other) => panic!("--json printed {other:?}, not an object:\n{self:?}"),
            Err(e) => panic!("--json printed malformed JSON ({e}):\n{self:?}"),
        }
    }

    /// Panics unless stderr says `sgmap: ` somewhere: the diagnostic format.
    #[track_caller]
    pub fn diagnosed(&self) -> &Run {
        assert!(
            self.stderr.lines().any(|l| l.starts_with("sgmap: ")),
            "no 'sgmap: ...' diagnostic:\n{self:?}"
        );
        self
    }
}

/// Runs sgmap with `args` and no input.
pub fn sgmap(args: &[&str]) -> Run {
    sgmap_in(args, None)
}

/// Runs sgmap with `args` while another process sends it the signals of `plan` (from the
/// moment it starts); returns the run and how many of the signals were delivered.
pub fn sgmap_signalled(args: &[&str], plan: Vec<sgmap_tests::signal::Step>) -> (Run, usize) {
    let child = Command::new(SGMAP)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {SGMAP} {}: {e}", args.join(" ")));
    let pid = rustix::process::Pid::from_child(&child);
    let sent = sgmap_tests::signal::send_from_outside(pid, plan);
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("wait for sgmap {}: {e}", args.join(" ")));
    let delivered = sent.join();
    let run = Run {
        args: args.iter().map(|s| s.to_string()).collect(),
        code: output.status.code().unwrap_or(-1),
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    (run, delivered)
}

/// Runs sgmap with `args`, feeding `input` on stdin.
pub fn sgmap_in(args: &[&str], input: Option<&[u8]>) -> Run {
    let mut cmd = Command::new(SGMAP);
    cmd.args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {SGMAP} {}: {e}", args.join(" ")));
    let feeder = input.map(|bytes| {
        let mut stdin = child.stdin.take().expect("piped stdin");
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            // A command that stops reading early closes the pipe: not an error here.
            let _ = stdin.write_all(&bytes);
        })
    });
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("wait for sgmap {}: {e}", args.join(" ")));
    if let Some(f) = feeder {
        let _ = f.join();
    }
    Run {
        args: args.iter().map(|s| s.to_string()).collect(),
        code: output.status.code().unwrap_or(-1),
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The phase's devices, as strings for command lines.
pub struct Env {
    /// The devices.
    pub dev: Devices,
    /// `SGMAP_SG`.
    pub sg: String,
    /// `SGMAP_BLOCK`.
    pub block: String,
    /// Logical block size.
    pub ss: u64,
}

impl Env {
    /// From the environment; clears a pending unit attention first so that each test
    /// starts from a quiet device.
    pub fn get() -> Env {
        let dev = Devices::from_env();
        let env = Env {
            sg: dev.sg.display().to_string(),
            block: dev.block.display().to_string(),
            ss: u64::from(dev.sector_size),
            dev,
        };
        clear_unit_attention(&env.sg);
        env
    }

    /// The logical block size as an operand value.
    pub fn bs(&self) -> String {
        self.ss.to_string()
    }

    /// The device's blocks, from sysfs (`size` is in 512-byte units).
    pub fn blocks(&self) -> u64 {
        block_device_bytes(&self.block) / self.ss
    }
}

/// TEST UNIT READY until it answers GOOD (a unit attention is reported once).
pub fn clear_unit_attention(sg: &str) {
    for _ in 0..4 {
        if sgmap(&["tur", sg]).code == 0 {
            return;
        }
    }
    panic!(
        "{sg}: TEST UNIT READY does not become GOOD:\n{:?}",
        sgmap(&["tur", sg])
    );
}

/// A block device's size in bytes, from `/sys/class/block/NAME/size`.
pub fn block_device_bytes(block: &str) -> u64 {
    let name = Path::new(block)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_else(|| panic!("{block}: no file name"));
    let path = format!("/sys/class/block/{name}/size");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.trim()
        .parse::<u64>()
        .unwrap_or_else(|_| panic!("{path}: {text:?}"))
        * 512
}

/// Drops the page cache, so that a read through the block node sees what an sg command
/// wrote behind its back.
pub fn drop_caches() {
    rustix::fs::sync();
    fs::write("/proc/sys/vm/drop_caches", "3")
        .unwrap_or_else(|e| panic!("/proc/sys/vm/drop_caches: {e}"));
}

/// Reads `len` bytes at `offset` through the block node (after dropping the page cache).
pub fn read_block(block: &str, offset: u64, len: usize) -> Vec<u8> {
    drop_caches();
    let f = fs::File::open(block).unwrap_or_else(|e| panic!("open {block}: {e}"));
    let mut buf = vec![0u8; len];
    f.read_exact_at(&mut buf, offset)
        .unwrap_or_else(|e| panic!("read {len} bytes at {offset} of {block}: {e}"));
    buf
}

/// Writes `data` at `offset` through the block node and flushes it to the device.
pub fn write_block(block: &str, offset: u64, data: &[u8]) {
    let f = fs::OpenOptions::new()
        .write(true)
        .open(block)
        .unwrap_or_else(|e| panic!("open {block} for writing: {e}"));
    f.write_all_at(data, offset)
        .unwrap_or_else(|e| panic!("write {} bytes at {offset} of {block}: {e}", data.len()));
    f.sync_all()
        .unwrap_or_else(|e| panic!("fsync {block}: {e}"));
    drop_caches();
}

/// `len` bytes of a pattern that differs per `seed` and per block (xorshift).
pub fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut v = Vec::with_capacity(len + 8);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    v
}

/// A scratch file path under /tmp (the guest's tmpfs), removed first.
pub fn scratch(name: &str) -> PathBuf {
    let p = PathBuf::from(format!("/tmp/sgmap-cli-{name}"));
    let _ = fs::remove_file(&p);
    p
}

/// Writes a scratch file and returns its path as a string.
pub fn scratch_file(name: &str, data: &[u8]) -> String {
    let p = scratch(name);
    fs::write(&p, data).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
    p.display().to_string()
}

/// Panics with the offset of the first difference unless `a == b`.
#[track_caller]
pub fn same(a: &[u8], b: &[u8], what: &str) {
    if a == b {
        return;
    }
    let first = a.iter().zip(b).position(|(x, y)| x != y);
    panic!(
        "{what}: {} bytes vs {} bytes, first difference at byte {:?}",
        a.len(),
        b.len(),
        first
    );
}

/// A sysfs attribute set for the test's duration and restored on drop.
pub struct SysfsKnob {
    path: String,
    old: String,
}

impl SysfsKnob {
    /// Sets `path` to `value`.
    pub fn set(path: &str, value: &str) -> SysfsKnob {
        let old = fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("read {path}: {e}"))
            .trim()
            .to_owned();
        fs::write(path, value).unwrap_or_else(|e| panic!("write {value:?} to {path}: {e}"));
        SysfsKnob {
            path: path.to_owned(),
            old,
        }
    }
}

impl Drop for SysfsKnob {
    fn drop(&mut self) {
        if let Err(e) = fs::write(&self.path, &self.old) {
            eprintln!("restore {} to {:?}: {e}", self.path, self.old);
        }
    }
}

/// The path of a scsi_debug parameter: a driver attribute under `dir`, or else a module
/// parameter under `/sys/module/scsi_debug/parameters`.
pub fn sdebug_param(dir: &Path, name: &str) -> String {
    let driver = dir.join(name);
    if driver.exists() {
        return driver.display().to_string();
    }
    format!("/sys/module/scsi_debug/parameters/{name}")
}

/// Caps the block device's `max_sectors_kb`, which caps the sg reserve (sg.c
/// `max_sectors_bytes()`), until dropped.
pub fn cap_reserve(block: &str, kib: u32) -> SysfsKnob {
    let name = Path::new(block)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("");
    SysfsKnob::set(
        &format!("/sys/class/block/{name}/queue/max_sectors_kb"),
        &kib.to_string(),
    )
}

/// A JSON value, as the `--json` outputs use them.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Num(i128),
    Str(String),
    Array(Vec<Json>),
    Object(BTreeMap<String, Json>),
}

impl Json {
    /// A member of an object.
    #[track_caller]
    pub fn get(&self, key: &str) -> &Json {
        match self {
            Json::Object(m) => m
                .get(key)
                .unwrap_or_else(|| panic!("no member {key:?} in {self:?}")),
            other => panic!("{other:?} is not an object (looking for {key:?})"),
        }
    }

    /// Whether an object has `key`.
    pub fn has(&self, key: &str) -> bool {
        matches!(self, Json::Object(m) if m.contains_key(key))
    }

    /// A number.
    #[track_caller]
    pub fn num(&self) -> i128 {
        match self {
            Json::Num(n) => *n,
            other => panic!("{other:?} is not a number"),
        }
    }

    /// A string.
    #[track_caller]
    pub fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            other => panic!("{other:?} is not a string"),
        }
    }

    /// A boolean.
    #[track_caller]
    pub fn bool(&self) -> bool {
        match self {
            Json::Bool(b) => *b,
            other => panic!("{other:?} is not a boolean"),
        }
    }

    /// An array.
    #[track_caller]
    pub fn array(&self) -> &[Json] {
        match self {
            Json::Array(a) => a,
            other => panic!("{other:?} is not an array"),
        }
    }

    /// Whether this is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }
}

/// Parses one JSON document (RFC 8259; numbers are integers, as sgmap writes them), with
/// only white space after it.
pub fn parse_json(text: &str) -> Result<Json, String> {
    let mut p = Parser {
        b: text.as_bytes(),
        i: 0,
    };
    let v = p.value()?;
    p.ws();
    if p.i != p.b.len() {
        return Err(format!("trailing bytes at {}", p.i));
    }
    Ok(v)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\n' | b'\r' | b'\t') {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Result<(), String> {
        self.ws();
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected {:?} at {}", c as char, self.i))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.ws();
        match self.b.get(self.i) {
            Some(b'{') => {
                self.i += 1;
                let mut m = BTreeMap::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Json::Object(m));
                }
                loop {
                    self.ws();
                    let k = self.string()?;
                    self.eat(b':')?;
                    let v = self.value()?;
                    if m.insert(k.clone(), v).is_some() {
                        return Err(format!("duplicate key {k:?}"));
                    }
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Json::Object(m));
                        }
                        _ => return Err(format!("expected , or }} at {}", self.i)),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut a = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Json::Array(a));
                }
                loop {
                    a.push(self.value()?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Array(a));
                        }
                        _ => return Err(format!("expected , or ] at {}", self.i)),
                    }
                }
            }
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b't') => self.word("true", Json::Bool(true)),
            Some(b'f') => self.word("false", Json::Bool(false)),
            Some(b'n') => self.word("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => {
                let start = self.i;
                self.i += 1;
                while self.i < self.b.len() && self.b[self.i].is_ascii_digit() {
                    self.i += 1;
                }
                let s = std::str::from_utf8(&self.b[start..self.i]).map_err(|e| e.to_string())?;
                s.parse()
                    .map(Json::Num)
                    .map_err(|e| format!("number {s:?}: {e}"))
            }
            _ => Err(format!("unexpected byte at {}", self.i)),
        }
    }

    fn word(&mut self, w: &str, v: Json) -> Result<Json, String> {
        if self.b[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            Ok(v)
        } else {
            Err(format!("bad literal at {}", self.i))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        if self.b.get(self.i) != Some(&b'"') {
            return Err(format!("expected a string at {}", self.i));
        }
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let c = *self.b.get(self.i).ok_or("unterminated string")?;
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = *self.b.get(self.i).ok_or("bad escape")?;
                    self.i += 1;
                    match e {
                        b'"' | b'\\' | b'/' => out.push(e),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'u' => {
                            let hex = self.b.get(self.i..self.i + 4).ok_or("short \\u")?;
                            let hex = std::str::from_utf8(hex).map_err(|e| e.to_string())?;
                            let n = u32::from_str_radix(hex, 16).map_err(|e| e.to_string())?;
                            self.i += 4;
                            let ch = char::from_u32(n).ok_or("bad \\u")?;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return Err(format!("bad escape at {}", self.i)),
                    }
                }
                c if c < 0x20 => return Err(format!("control byte in a string at {}", self.i)),
                c => out.push(c),
            }
        }
        String::from_utf8(out).map_err(|e| e.to_string())
    }
}

/// sgmap's run and sg3_utils' gave the same exit status and the same standard output.
#[track_caller]
pub fn same_text(ours: &Run, theirs: &Run) {
    assert_eq!(
        ours.code, theirs.code,
        "exit status:\n{ours:?}\nsg3_utils:\n{theirs:?}"
    );
    // Bytes, not text: `--raw` output is binary.
    assert!(
        ours.stdout == theirs.stdout,
        "stdout:\n{ours:?}\nsg3_utils:\n{theirs:?}"
    );
}

/// Runs sg3_utils' `tool` with `args`.
pub fn sg3(tool: &str, args: &[&str]) -> Run {
    let path = format!("/usr/bin/{tool}");
    let out = Command::new(&path)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {path}: {e}"));
    Run {
        args: std::iter::once(tool.to_owned())
            .chain(args.iter().map(|a| a.to_string()))
            .collect(),
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Where [`tool_link`] puts the links `sgmap --install --symlinks` makes.
pub const LINK_DIR: &str = "/tmp/sgmap-links";

/// The path of a link named `tool` to `/bin/sgmap` (made once per test binary, by `sgmap
/// --install --symlinks`, as an image builder makes them).
pub fn tool_link(tool: &str) -> String {
    static INSTALLED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    INSTALLED.get_or_init(|| {
        fs::create_dir_all(LINK_DIR).expect("mkdir the link directory");
        sgmap(&["--install", "--symlinks", "--force", LINK_DIR]).status(0);
    });
    format!("{LINK_DIR}/{tool}")
}

/// Runs sgmap through a link named `tool` (busybox-style), with `args`.
pub fn as_tool(tool: &str, args: &[&str]) -> Run {
    let path = tool_link(tool);
    let out = Command::new(&path)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {path}: {e}"));
    Run {
        args: std::iter::once(format!("(link) {tool}"))
            .chain(args.iter().map(|a| a.to_string()))
            .collect(),
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The sg3_utils tool `tool` and sgmap, both as `sgmap COMMAND` and through a link named
/// `tool`, run with `args`: asserts the same exit status and standard output from all
/// three, and returns the tool's run (for checks of its own).
#[track_caller]
pub fn same_as_tool(command: &str, tool: &str, args: &[&str]) -> Run {
    let theirs = sg3(tool, args);
    let mut sub = vec![command];
    sub.extend_from_slice(args);
    same_text(&sgmap(&sub), &theirs);
    same_text(&as_tool(tool, args), &theirs);
    theirs
}

/// As [`same_as_tool`], and the same standard error too (for the tools and options whose
/// stderr carries data: sg_raw's status lines and data, `-V`).
#[track_caller]
pub fn same_as_tool_with_stderr(command: &str, tool: &str, args: &[&str]) -> Run {
    let theirs = sg3(tool, args);
    let mut sub = vec![command];
    sub.extend_from_slice(args);
    for ours in [sgmap(&sub), as_tool(tool, args)] {
        same_text(&ours, &theirs);
        assert_eq!(
            ours.stderr, theirs.stderr,
            "stderr:\n{ours:?}\nsg3_utils:\n{theirs:?}"
        );
    }
    theirs
}

/// Runs `a` in a thread of its own and `b` in this one, at the same time, and returns both
/// results: for two runs that mostly wait on their own sleeps (sg3_utils' countdowns and
/// polls), which would otherwise add up.
pub fn at_once<A: Send, B>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(|s| {
        let a = s.spawn(a);
        let b = b();
        (a.join().expect("the other run panicked"), b)
    })
}
