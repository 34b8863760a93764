//! What the xtask needs to know of an ELF file, read from its program headers: the
//! machine, the interpreter (`PT_INTERP`: a dynamically linked executable names its loader
//! there) and the shared libraries it needs (`DT_NEEDED` in `PT_DYNAMIC`), with the
//! directories it names for them (`DT_RUNPATH`, or the older `DT_RPATH`).
//!
//! A static executable has no `PT_INTERP` and needs no library; a static-pie one (musl's
//! default) still has a `PT_DYNAMIC`, for its own relocations.
//!
//! References: the System V gABI, "Program Header" and "Dynamic Section"; `<elf.h>`.

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const DT_NULL: u64 = 0;
const DT_NEEDED: u64 = 1;
const DT_STRTAB: u64 = 5;
const DT_RPATH: u64 = 15;
const DT_RUNPATH: u64 = 29;

pub const EM_386: u16 = 3;
pub const EM_X86_64: u16 = 62;
pub const EM_AARCH64: u16 = 183;
pub const EM_ARM: u16 = 40;

/// ARM `e_flags`: the EABI version in the top byte, and the hard-float procedure call
/// standard (`EF_ARM_ABI_FLOAT_HARD`, the armhf ABI) ("ELF for the Arm Architecture").
const EF_ARM_EABIMASK: u32 = 0xff00_0000;
pub const EF_ARM_ABI_FLOAT_HARD: u32 = 0x400;
const EF_ARM_ABI_FLOAT_SOFT: u32 = 0x200;

/// What an ELF file's program headers say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elf {
    pub class64: bool,
    /// `e_machine`: [`EM_X86_64`], [`EM_AARCH64`], …
    pub machine: u16,
    /// `e_flags`: processor-specific (ARM: the EABI version and the float ABI).
    pub flags: u32,
    /// `PT_INTERP`: the loader of a dynamically linked executable.
    pub interpreter: Option<String>,
    /// `DT_NEEDED`: the shared libraries, in order.
    pub needed: Vec<String>,
    /// `DT_RUNPATH` (or `DT_RPATH`): where the loader looks for them first, each directory
    /// as written (`/usr/lib/x86_64-linux-gnu/ceph`, `$ORIGIN/..`).
    pub runpath: Vec<String>,
}

impl Elf {
    /// Reads the ELF header, the program headers and the dynamic section of a whole file.
    pub fn parse(image: &[u8]) -> Result<Elf, String> {
        if image.get(..4) != Some(b"\x7fELF") {
            return Err("not an ELF file".to_owned());
        }
        let class64 = match image.get(4) {
            Some(1) => false,
            Some(2) => true,
            other => return Err(format!("bad ELF class {other:?}")),
        };
        let little = match image.get(5) {
            Some(1) => true,
            Some(2) => false,
            other => return Err(format!("bad ELF data encoding {other:?}")),
        };
        let r = Reader { image, little };
        let machine = r.u16(18)?;
        let (phoff, flags, phentsize, phnum) = if class64 {
            (r.u64(32)?, r.u32(48)?, r.u16(54)?, r.u16(56)?)
        } else {
            (u64::from(r.u32(28)?), r.u32(36)?, r.u16(42)?, r.u16(44)?)
        };

        let mut loads = Vec::new();
        let mut interpreter = None;
        let mut dynamic = None;
        for i in 0..u64::from(phnum) {
            let ph = phoff + i * u64::from(phentsize);
            let p_type = r.u32(ph)?;
            // (offset, vaddr, filesz)
            let seg = if class64 {
                (r.u64(ph + 8)?, r.u64(ph + 16)?, r.u64(ph + 32)?)
            } else {
                (
                    u64::from(r.u32(ph + 4)?),
                    u64::from(r.u32(ph + 8)?),
                    u64::from(r.u32(ph + 16)?),
                )
            };
            match p_type {
                PT_LOAD => loads.push(seg),
                PT_DYNAMIC => dynamic = Some(seg),
                PT_INTERP => {
                    let bytes = r.bytes(seg.0, seg.2)?;
                    let path = bytes.split(|&b| b == 0).next().unwrap_or_default();
                    interpreter = Some(
                        String::from_utf8(path.to_vec())
                            .map_err(|_| "PT_INTERP is not UTF-8".to_owned())?,
                    );
                }
                _ => {}
            }
        }

        let mut needed = Vec::new();
        let mut runpath = Vec::new();
        if let Some((offset, _, size)) = dynamic {
            let entry = if class64 { 16 } else { 8 };
            let mut strtab = None;
            let mut needed_offsets = Vec::new();
            let mut runpath_offset = None;
            for i in 0..size / entry {
                let at = offset + i * entry;
                let (tag, val) = if class64 {
                    (r.u64(at)?, r.u64(at + 8)?)
                } else {
                    (u64::from(r.u32(at)?), u64::from(r.u32(at + 4)?))
                };
                match tag {
                    DT_NULL => break,
                    DT_NEEDED => needed_offsets.push(val),
                    DT_STRTAB => strtab = Some(val),
                    DT_RUNPATH => runpath_offset = Some(val),
                    DT_RPATH => runpath_offset = runpath_offset.or(Some(val)),
                    _ => {}
                }
            }
            if !needed_offsets.is_empty() || runpath_offset.is_some() {
                let vaddr = strtab.ok_or("DT_NEEDED without DT_STRTAB")?;
                let table = loads
                    .iter()
                    .find(|(_, start, filesz)| (*start..start + filesz).contains(&vaddr))
                    .map(|(off, start, _)| off + (vaddr - start))
                    .ok_or_else(|| format!("DT_STRTAB {vaddr:#x} is in no PT_LOAD segment"))?;
                for name in needed_offsets {
                    needed.push(r.c_string(table + name)?);
                }
                if let Some(at) = runpath_offset {
                    let dirs = r.c_string(table + at)?;
                    runpath = dirs
                        .split(':')
                        .filter(|d| !d.is_empty())
                        .map(str::to_owned)
                        .collect();
                }
            }
        }
        Ok(Elf {
            class64,
            machine,
            flags,
            interpreter,
            needed,
            runpath,
        })
    }

    /// Linked statically: no loader, no shared library.
    pub fn is_static(&self) -> bool {
        self.interpreter.is_none() && self.needed.is_empty()
    }

    /// The machine as `uname -m` says it.
    pub fn machine_name(&self) -> String {
        match self.machine {
            EM_386 => "i386".to_owned(),
            EM_X86_64 => "x86_64".to_owned(),
            EM_AARCH64 => "aarch64".to_owned(),
            EM_ARM => "arm".to_owned(),
            other => format!("e_machine {other}"),
        }
    }

    /// What `file` says of the class and, on ARM, the ABI: `ELF32, EABI5, hard-float`.
    pub fn abi(&self) -> String {
        let mut abi = if self.class64 { "ELF64" } else { "ELF32" }.to_owned();
        if self.machine == EM_ARM {
            match (self.flags & EF_ARM_EABIMASK) >> 24 {
                0 => abi.push_str(", no EABI version"),
                v => abi.push_str(&format!(", EABI{v}")),
            }
            if self.flags & EF_ARM_ABI_FLOAT_HARD != 0 {
                abi.push_str(", hard-float");
            } else if self.flags & EF_ARM_ABI_FLOAT_SOFT != 0 {
                abi.push_str(", soft-float");
            }
        }
        abi
    }
}

/// A function or object of the symbol table (`SHT_SYMTAB`): its name as linked and its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub size: u64,
    /// `STT_FUNC` (code) rather than `STT_OBJECT` (data).
    pub function: bool,
}

const SHT_SYMTAB: u32 = 2;
const STT_OBJECT: u8 = 1;
const STT_FUNC: u8 = 2;

/// The functions and objects of a file's symbol table, with a size (none in a stripped
/// file). Two symbols at the same address (aliases, folded functions) are one.
pub fn symbols(image: &[u8]) -> Result<Vec<Symbol>, String> {
    let class64 = image.get(4) == Some(&2);
    let r = Reader {
        image,
        little: image.get(5) == Some(&1),
    };
    let (shoff, shentsize, shnum) = if class64 {
        (r.u64(40)?, r.u16(58)?, r.u16(60)?)
    } else {
        (u64::from(r.u32(32)?), r.u16(46)?, r.u16(48)?)
    };
    // (type, offset, size, link) of section `i`.
    let section = |i: u64| -> Result<(u32, u64, u64, u32), String> {
        let at = shoff + i * u64::from(shentsize);
        Ok(if class64 {
            (
                r.u32(at + 4)?,
                r.u64(at + 24)?,
                r.u64(at + 32)?,
                r.u32(at + 40)?,
            )
        } else {
            (
                r.u32(at + 4)?,
                u64::from(r.u32(at + 16)?),
                u64::from(r.u32(at + 20)?),
                r.u32(at + 24)?,
            )
        })
    };
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..u64::from(shnum) {
        let (kind, offset, size, link) = section(i)?;
        if kind != SHT_SYMTAB {
            continue;
        }
        let (_, strtab, _, _) = section(u64::from(link))?;
        let entry = if class64 { 24 } else { 16 };
        for k in 0..size / entry {
            let at = offset + k * entry;
            let (name, info, value, size) = if class64 {
                (
                    r.u32(at)?,
                    r.bytes(at + 4, 1)?[0],
                    r.u64(at + 8)?,
                    r.u64(at + 16)?,
                )
            } else {
                (
                    r.u32(at)?,
                    r.bytes(at + 12, 1)?[0],
                    u64::from(r.u32(at + 4)?),
                    u64::from(r.u32(at + 8)?),
                )
            };
            let kind = info & 0x0f;
            if size == 0 || !(kind == STT_FUNC || kind == STT_OBJECT) || !seen.insert(value) {
                continue;
            }
            out.push(Symbol {
                name: r.c_string(strtab + u64::from(name))?,
                size,
                function: kind == STT_FUNC,
            });
        }
    }
    Ok(out)
}

/// A Rust symbol's path, from its legacy mangling (`_ZN` length-prefixed parts, the hash
/// part dropped, `$LT$` and the like decoded); other names as they are.
pub fn demangle(name: &str) -> String {
    let Some(mut rest) = name.strip_prefix("_ZN") else {
        return name.to_owned();
    };
    let mut parts = Vec::new();
    while let Some(digits) = rest.find(|c: char| !c.is_ascii_digit()).filter(|&d| d > 0) {
        let Ok(len) = rest[..digits].parse::<usize>() else {
            break;
        };
        let Some(part) = rest.get(digits..digits + len) else {
            break;
        };
        // A part that starts with an escape carries a `_` before it (`_$LT$`).
        parts.push(
            part.strip_prefix('_')
                .filter(|p| p.starts_with('$'))
                .unwrap_or(part),
        );
        rest = &rest[digits + len..];
    }
    if parts.last().is_some_and(|p| {
        p.len() == 17 && p.starts_with('h') && p[1..].chars().all(|c| c.is_ascii_hexdigit())
    }) {
        parts.pop();
    }
    let mut text = parts.join("::");
    for (code, ch) in [
        ("$LT$", "<"),
        ("$GT$", ">"),
        ("$RF$", "&"),
        ("$BP$", "*"),
        ("$C$", ","),
        ("$u20$", " "),
        ("$u27$", "'"),
        ("$u5b$", "["),
        ("$u5d$", "]"),
        ("$u7b$", "{"),
        ("$u7d$", "}"),
        ("$u7e$", "~"),
        ("$LP$", "("),
        ("$RP$", ")"),
        ("..", "::"),
    ] {
        text = text.replace(code, ch);
    }
    text
}

/// Bounds-checked reads in the file's byte order.
struct Reader<'a> {
    image: &'a [u8],
    little: bool,
}

impl Reader<'_> {
    fn bytes(&self, at: u64, len: u64) -> Result<&[u8], String> {
        usize::try_from(at)
            .ok()
            .zip(usize::try_from(len).ok())
            .and_then(|(at, len)| self.image.get(at..at.checked_add(len)?))
            .ok_or_else(|| {
                format!(
                    "truncated: {len} bytes at {at:#x} (the file has {:#x})",
                    self.image.len()
                )
            })
    }

    fn array<const N: usize>(&self, at: u64) -> Result<[u8; N], String> {
        let mut a: [u8; N] = self.bytes(at, N as u64)?.try_into().expect("N bytes");
        if !self.little {
            a.reverse();
        }
        Ok(a)
    }

    fn u16(&self, at: u64) -> Result<u16, String> {
        self.array(at).map(u16::from_le_bytes)
    }

    fn u32(&self, at: u64) -> Result<u32, String> {
        self.array(at).map(u32::from_le_bytes)
    }

    fn u64(&self, at: u64) -> Result<u64, String> {
        self.array(at).map(u64::from_le_bytes)
    }

    fn c_string(&self, at: u64) -> Result<String, String> {
        let start = usize::try_from(at).map_err(|_| format!("string at {at:#x}"))?;
        let rest = self
            .image
            .get(start..)
            .ok_or_else(|| format!("string at {at:#x} is past the end"))?;
        let end = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| format!("string at {at:#x} has no NUL"))?;
        String::from_utf8(rest[..end].to_vec()).map_err(|_| format!("string at {at:#x}: not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A little-endian ELF64 with a PT_LOAD over the whole file, a PT_INTERP (if any) and a
    /// PT_DYNAMIC with DT_NEEDED entries; the string table sits at vaddr 0x400000 + offset.
    fn elf64(interp: Option<&str>, needed: &[&str]) -> Vec<u8> {
        elf64_runpath(interp, needed, None)
    }

    /// [`elf64`] with a `DT_RUNPATH` entry.
    fn elf64_runpath(interp: Option<&str>, needed: &[&str], runpath: Option<&str>) -> Vec<u8> {
        const BASE: u64 = 0x40_0000;
        let mut strtab = vec![0u8];
        let mut name_offsets = Vec::new();
        for name in needed.iter().chain(&runpath) {
            name_offsets.push(strtab.len() as u64);
            strtab.extend_from_slice(name.as_bytes());
            strtab.push(0);
        }
        let interp_bytes = interp.map(|i| [i.as_bytes(), b"\0"].concat());
        let phnum = 2 + u64::from(interp.is_some());
        let phoff = 64u64;
        let mut at = phoff + phnum * 56;
        let interp_at = at;
        at += interp_bytes.as_ref().map_or(0, |b| b.len() as u64);
        let strtab_at = at;
        at += strtab.len() as u64;
        at = at.next_multiple_of(8);
        let dynamic_at = at;
        let mut dynamic = Vec::new();
        for (i, off) in name_offsets.iter().enumerate() {
            let tag = if i < needed.len() {
                DT_NEEDED
            } else {
                DT_RUNPATH
            };
            dynamic.extend_from_slice(&tag.to_le_bytes());
            dynamic.extend_from_slice(&off.to_le_bytes());
        }
        dynamic.extend_from_slice(&DT_STRTAB.to_le_bytes());
        dynamic.extend_from_slice(&(BASE + strtab_at).to_le_bytes());
        dynamic.extend_from_slice(&[0; 16]);
        let total = dynamic_at + dynamic.len() as u64;

        let mut f = vec![0xa5u8; total as usize];
        f[..16].copy_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
        f[18..20].copy_from_slice(&EM_X86_64.to_le_bytes());
        f[32..40].copy_from_slice(&phoff.to_le_bytes());
        f[54..56].copy_from_slice(&56u16.to_le_bytes());
        f[56..58].copy_from_slice(&(phnum as u16).to_le_bytes());
        let mut ph = phoff as usize;
        let mut header = |f: &mut Vec<u8>, p_type: u32, offset: u64, vaddr: u64, size: u64| {
            f[ph..ph + 56].fill(0);
            f[ph..ph + 4].copy_from_slice(&p_type.to_le_bytes());
            f[ph + 8..ph + 16].copy_from_slice(&offset.to_le_bytes());
            f[ph + 16..ph + 24].copy_from_slice(&vaddr.to_le_bytes());
            f[ph + 32..ph + 40].copy_from_slice(&size.to_le_bytes());
            ph += 56;
        };
        header(&mut f, PT_LOAD, 0, BASE, total);
        if let Some(bytes) = &interp_bytes {
            header(
                &mut f,
                PT_INTERP,
                interp_at,
                BASE + interp_at,
                bytes.len() as u64,
            );
            f[interp_at as usize..][..bytes.len()].copy_from_slice(bytes);
        }
        let dyn_len = dynamic.len() as u64;
        header(&mut f, PT_DYNAMIC, dynamic_at, BASE + dynamic_at, dyn_len);
        f[strtab_at as usize..][..strtab.len()].copy_from_slice(&strtab);
        f[dynamic_at as usize..][..dynamic.len()].copy_from_slice(&dynamic);
        f
    }

    #[test]
    fn dynamic_executable_names_its_loader_and_libraries() {
        let image = elf64(
            Some("/lib64/ld-linux-x86-64.so.2"),
            &["libsgutils2-1.46.so.2", "libc.so.6"],
        );
        let elf = Elf::parse(&image).unwrap();
        assert_eq!(
            elf,
            Elf {
                class64: true,
                machine: EM_X86_64,
                flags: 0xa5a5_a5a5,
                interpreter: Some("/lib64/ld-linux-x86-64.so.2".to_owned()),
                needed: vec!["libsgutils2-1.46.so.2".to_owned(), "libc.so.6".to_owned()],
                runpath: Vec::new(),
            }
        );
        assert!(!elf.is_static());
        assert_eq!(elf.machine_name(), "x86_64");
        assert_eq!(elf.abi(), "ELF64");
    }

    /// librados.so.2 of Debian 12 finds libceph-common.so.2 through its `DT_RUNPATH`.
    #[test]
    fn runpath_names_the_directories_searched_first() {
        let image = elf64_runpath(
            None,
            &["libceph-common.so.2", "libc.so.6"],
            Some("/usr/lib/x86_64-linux-gnu/ceph::$ORIGIN/x"),
        );
        let elf = Elf::parse(&image).unwrap();
        assert_eq!(elf.needed, ["libceph-common.so.2", "libc.so.6"]);
        assert_eq!(elf.runpath, ["/usr/lib/x86_64-linux-gnu/ceph", "$ORIGIN/x"]);
        assert!(Elf::parse(&elf64(None, &["libc.so.6"]))
            .unwrap()
            .runpath
            .is_empty());
    }

    #[test]
    fn arm_flags_give_the_eabi_version_and_the_float_abi() {
        let arm = |flags: u32| Elf {
            class64: false,
            machine: EM_ARM,
            flags,
            interpreter: None,
            needed: Vec::new(),
            runpath: Vec::new(),
        };
        // readelf: "Flags: 0x5000400, Version5 EABI, hard-float ABI".
        assert_eq!(arm(0x0500_0400).abi(), "ELF32, EABI5, hard-float");
        assert_eq!(arm(0x0500_0200).abi(), "ELF32, EABI5, soft-float");
        assert_eq!(arm(0).abi(), "ELF32, no EABI version");
        assert_eq!(arm(0).machine_name(), "arm");
    }

    #[test]
    fn static_pie_has_a_dynamic_section_but_no_loader() {
        let elf = Elf::parse(&elf64(None, &[])).unwrap();
        assert!(elf.is_static(), "{elf:?}");
    }

    #[test]
    fn truncated_and_foreign_files_are_errors_not_panics() {
        let image = elf64(Some("/lib/ld.so"), &["libc.so.6"]);
        for len in 0..image.len() {
            let _ = Elf::parse(&image[..len]);
        }
        assert!(Elf::parse(&image[..100]).is_err());
        assert!(Elf::parse(b"#!/bin/sh\n").is_err());
    }

    /// The xtask's own test binary, built for the host: a glibc host links it dynamically.
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64"))]
    fn this_test_binary_is_dynamic_on_a_glibc_host() {
        let elf = Elf::parse(&std::fs::read("/proc/self/exe").unwrap()).unwrap();
        assert_eq!(elf.machine, EM_X86_64);
        assert!(elf.interpreter.is_some(), "{elf:?}");
        assert!(
            elf.needed.iter().any(|n| n.starts_with("libc.so")),
            "{elf:?}"
        );
    }

    #[test]
    fn rust_legacy_names_read_as_paths() {
        assert_eq!(
            demangle("_ZN5sgmap8commands7inquiry3run17h0123456789abcdefE"),
            "sgmap::commands::inquiry::run"
        );
        assert_eq!(
            demangle("_ZN56_$LT$sgmap..out..IoWhy$u20$as$u20$core..fmt..Display$GT$3fmt17h0123456789abcdefE"),
            "<sgmap::out::IoWhy as core::fmt::Display>::fmt"
        );
        assert_eq!(demangle("memcpy"), "memcpy");
    }

    #[test]
    fn the_symbols_of_this_test_program_have_sizes_and_names() {
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let syms = symbols(&me).unwrap();
        assert!(syms
            .iter()
            .any(|s| s.function && demangle(&s.name).contains("rust_legacy_names_read_as_paths")));
        assert!(syms.iter().all(|s| s.size > 0));
    }
}
