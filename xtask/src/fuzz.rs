//! `cargo xtask fuzz`: a short libFuzzer run of every target in `fuzz/`, as CI does.
//!
//! The targets feed arbitrary bytes to sgmap-core's decoders of device data (sense,
//! INQUIRY, VPD 83h, READ CAPACITY, REPORT LUNS). cargo-fuzz is installed from crates.io when
//! missing. It passes nightly flags (`-Zsanitizer=address`) to rustc: on the project's stable
//! compiler they are enabled with `RUSTC_BOOTSTRAP=1`, as for the shipped binary's
//! `-Zbuild-std` (see `dist.rs`). A crash fails the task and leaves its input in
//! `fuzz/artifacts/<target>/`.

use std::fs;
use std::process::Command;

use crate::cargo::cargo;
use crate::{project_root, run, Result};

/// How long each target runs by default.
const DEFAULT_SECONDS: u32 = 20;

/// Inputs longer than this gain nothing: sense data is at most 252 bytes, the VPD pages
/// sgmap reads are as long.
const MAX_LEN: u32 = 300;

/// The fuzz targets: the files of `fuzz/fuzz_targets/`, sorted.
fn targets() -> Result<Vec<String>> {
    let dir = project_root().join("fuzz/fuzz_targets");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".rs").map(str::to_owned)
        })
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(format!("{}: no fuzz targets", dir.display()));
    }
    Ok(names)
}

/// Installs cargo-fuzz unless `cargo fuzz --version` already answers.
fn ensure_cargo_fuzz() -> Result<()> {
    let present = cargo()
        .args(["fuzz", "--version"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if present {
        return Ok(());
    }
    run(cargo().args(["install", "cargo-fuzz", "--locked"]))
        .map_err(|e| format!("{e}\ncargo-fuzz is needed (`cargo install cargo-fuzz`)"))
}

fn parse_seconds(args: &[String]) -> Result<u32> {
    let mut seconds = DEFAULT_SECONDS;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = match arg.strip_prefix("--seconds=") {
            Some(v) => v.to_owned(),
            None if arg == "--seconds" => args
                .next()
                .cloned()
                .ok_or("cargo xtask fuzz: --seconds needs a number")?,
            None => return Err(format!("cargo xtask fuzz: unknown option {arg:?}")),
        };
        seconds = value.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
            format!("cargo xtask fuzz: --seconds {value:?}: not a whole number above 0")
        })?;
    }
    Ok(seconds)
}

pub fn run_task(args: &[String]) -> Result<bool> {
    let seconds = parse_seconds(args)?;
    let targets = targets()?;
    let fuzz_dir = project_root().join("fuzz");
    // The fuzz crate has its own workspace: fmt and clippy here, with its committed lock.
    let manifest = fuzz_dir.join("Cargo.toml");
    let manifest = manifest.to_str().ok_or("fuzz/Cargo.toml: not UTF-8")?;
    run(cargo().args(["fmt", "--manifest-path", manifest, "--", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--manifest-path",
        manifest,
        "--locked",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    ensure_cargo_fuzz()?;
    for target in &targets {
        // New inputs go to the run's corpus (not kept); the committed seeds start every run
        // from real device bytes rather than from nothing.
        let corpus = format!("corpus/{target}");
        let seeds = format!("seeds/{target}");
        fs::create_dir_all(fuzz_dir.join(&corpus)).map_err(|e| format!("fuzz/{corpus}: {e}"))?;
        if !fuzz_dir.join(&seeds).is_dir() {
            return Err(format!("fuzz/{seeds}: no seed inputs for {target}"));
        }
        let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.current_dir(&fuzz_dir)
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", target, &corpus, &seeds, "--"])
            .arg(format!("-max_total_time={seconds}"))
            .arg(format!("-max_len={MAX_LEN}"));
        run(&mut cmd).map_err(|e| format!("fuzz target {target}: {e}"))?;
    }
    println!(
        "fuzz: {} targets ran {seconds} s each without a failure: {}",
        targets.len(),
        targets.join(", ")
    );
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_default_and_forms() {
        assert_eq!(parse_seconds(&[]), Ok(DEFAULT_SECONDS));
        assert_eq!(parse_seconds(&["--seconds=5".into()]), Ok(5));
        assert_eq!(parse_seconds(&["--seconds".into(), "7".into()]), Ok(7));
        assert!(parse_seconds(&["--seconds=0".into()]).is_err());
        assert!(parse_seconds(&["--seconds".into()]).is_err());
        assert!(parse_seconds(&["--fast".into()]).is_err());
    }

    #[test]
    fn every_fuzz_target_has_seeds() {
        for t in targets().unwrap() {
            let dir = project_root().join("fuzz/seeds").join(&t);
            let n = fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
            assert!(n > 0, "{}: no seeds", dir.display());
        }
    }

    #[test]
    fn every_fuzz_target_is_found() {
        let found = targets().unwrap();
        for t in ["inquiry", "read_capacity", "report_luns", "sense", "vpd83"] {
            assert!(found.iter().any(|f| f == t), "{t} in {found:?}");
        }
    }
}
