//! Running cargo: through `$CARGO` (the cargo that runs this xtask), in the workspace root.

use std::env;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::json::Value;
use crate::{command_line, output, project_root, run, Result};

/// `cargo` as a command, in the workspace root.
pub fn cargo() -> Command {
    let mut cmd = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(project_root());
    cmd
}

/// One file cargo built, from a `compiler-artifact` message.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// The target's name (`driver`, `guest-init`).
    pub name: String,
    /// The target's kinds (`test`, `bin`, `lib`).
    pub kinds: Vec<String>,
    /// Built as a test harness.
    pub test: bool,
    pub executable: PathBuf,
}

/// Runs a cargo build command with `--message-format=json-render-diagnostics` and returns
/// the executables it built (compile errors still reach the terminal as text).
pub fn build_executables(cmd: &mut Command) -> Result<Vec<Artifact>> {
    cmd.arg("--message-format=json-render-diagnostics")
        .stdout(Stdio::piped());
    let line = command_line(cmd);
    eprintln!("$ {line}");
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("{line}: cannot start: {e}"))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut artifacts = Vec::new();
    let mut parse_error = None;
    for message in BufReader::new(stdout).lines() {
        let message = message.map_err(|e| format!("{line}: reading its output: {e}"))?;
        match parse_artifact(&message) {
            Ok(Some(artifact)) => artifacts.push(artifact),
            Ok(None) => {}
            Err(e) => parse_error = Some(e),
        }
    }
    let status = child.wait().map_err(|e| format!("{line}: {e}"))?;
    if !status.success() {
        return Err(format!("{line}: {status}"));
    }
    if let Some(e) = parse_error {
        return Err(format!("{line}: {e}"));
    }
    Ok(artifacts)
}

/// The binary target `name` among what cargo built.
pub fn find_bin(artifacts: Vec<Artifact>, name: &str) -> Result<PathBuf> {
    artifacts
        .into_iter()
        .find(|a| a.name == name && a.kinds.iter().any(|k| k == "bin"))
        .map(|a| a.executable)
        .ok_or_else(|| format!("cargo built no binary {name:?}"))
}

/// The executable of one cargo JSON message, if it is a `compiler-artifact` that has one.
fn parse_artifact(message: &str) -> Result<Option<Artifact>> {
    if !message.starts_with('{') {
        return Ok(None);
    }
    let value = Value::parse(message)?;
    if value.get("reason").and_then(Value::as_str) != Some("compiler-artifact") {
        return Ok(None);
    }
    let Some(executable) = value.get("executable").and_then(Value::as_str) else {
        return Ok(None);
    };
    let target = value.get("target").ok_or("artifact without a target")?;
    Ok(Some(Artifact {
        name: target
            .get("name")
            .and_then(Value::as_str)
            .ok_or("artifact without a target name")?
            .to_owned(),
        kinds: target
            .get("kind")
            .and_then(Value::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(|k| k.as_str().map(str::to_owned))
            .collect(),
        test: value
            .get("profile")
            .and_then(|p| p.get("test"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
        executable: PathBuf::from(executable),
    }))
}

/// Makes sure the active toolchain has the standard library of each target, adding the
/// missing ones with `rustup target add`.
pub fn ensure_rust_targets(targets: &[&str]) -> Result<()> {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = output(Command::new(&rustc).args(["--print", "sysroot"]))?;
    let rustlib = Path::new(sysroot.trim()).join("lib/rustlib");
    let missing: Vec<&str> = targets
        .iter()
        .copied()
        .filter(|t| !rustlib.join(t).join("lib").is_dir())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut rustup = Command::new("rustup");
    rustup
        .current_dir(project_root())
        .args(["target", "add"])
        .args(&missing);
    run(&mut rustup).map_err(|e| {
        format!(
            "{e}\nthe Rust targets {} are needed (`rustup target add {}`)",
            missing.join(", "),
            missing.join(" ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::parse_artifact;

    #[test]
    fn test_and_bin_artifacts_are_read() {
        let test = r#"{"reason":"compiler-artifact","package_id":"p","target":{"kind":["test"],"name":"driver"},"profile":{"test":true},"filenames":["/t/driver-0011"],"executable":"/t/driver-0011","fresh":true}"#;
        let a = parse_artifact(test).unwrap().unwrap();
        assert_eq!(
            (a.name.as_str(), a.kinds, a.test, a.executable.to_str()),
            (
                "driver",
                vec!["test".to_owned()],
                true,
                Some("/t/driver-0011")
            )
        );

        let lib = r#"{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"x"},"profile":{"test":false},"executable":null}"#;
        assert!(parse_artifact(lib).unwrap().is_none());
        let done = r#"{"reason":"build-finished","success":true}"#;
        assert!(parse_artifact(done).unwrap().is_none());
        assert!(parse_artifact("not json").unwrap().is_none());
        assert!(parse_artifact("{broken").is_err());
    }
}
