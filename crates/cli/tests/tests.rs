//! End-to-end tests of the `tallyproof` binary and of the workspace as a whole.

#![allow(clippy::unwrap_used)] // Test helpers panic on failure by design.

mod audit;
mod axe;
mod boards;
mod browser;
mod commands;
mod crash;
mod desk;
mod differential;
mod elections;
mod forensics;
mod https;
mod language;
mod malformed;
mod overflow;
mod pages;
mod posted;
mod posted_form;
mod property;
mod pvt;
mod scan;
mod serve;
mod tidy;
mod vectors;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The test's clock, as the console and the service read theirs.
pub fn clock() -> record::Time {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    record::Time::from_unix(now.as_secs()).unwrap()
}

/// A path under the workspace root.
pub fn workspace(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// Runs the binary in `dir` with `args`.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tallyproof"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// `tallyproof witness TARGET` as the observers' witness of the tests (key `w.key`, state
/// `w.state` in `dir`), over the log whose key is in the file `log_key`.
pub fn witness(dir: &Path, target: &str, log_key: &str) -> Output {
    let args = [
        "--key",
        "w.key",
        "--name",
        "observers.test",
        "--state",
        "w.state",
    ];
    let mut all = vec!["witness", target];
    all.extend(args);
    all.extend(["--log-key", log_key]);
    run(dir, &all)
}

/// Every file under `dir`, at any depth, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// Adds the user `name` with `role` to the store `s.db` in `dir`, with `password`.
pub fn add_user(dir: &Path, name: &str, role: &str, password: &str) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_tallyproof"))
        .args(["users", "add", name, "--role", role, "--db", "s.db"])
        .env("TALLYPROOF_PASSWORD", password)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// A temporary folder holding `s.db`, a store into which the workspace file `rel` was
/// imported as the election `kg`.
pub fn store_with(rel: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let file = workspace(rel).display().to_string();
    let o = run(
        dir.path(),
        &["import", &file, "--db", "s.db", "--name", "kg"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    dir
}
