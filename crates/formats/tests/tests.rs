//! The formats crate's integration tests: one binary, data-driven where the data allows.

#![allow(clippy::unwrap_used)] // Test helpers panic on failure by design.

mod broken;
mod election;
mod real;
mod roundtrip;
mod small;

use std::path::PathBuf;

/// A path under the workspace root.
pub fn workspace(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// A path under this crate's `test_data`.
pub fn test_data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test_data")
        .join(rel)
}
mod contest;

/// Runs `run` on every file of `test_data/DIR` that `wanted` admits and compares its message
/// with the file's `.expected` twin; `UPDATE_EXPECT=1` rewrites the twins instead. Returns
/// how many files were checked.
pub fn check_expectations(
    dir: &str,
    wanted: impl Fn(&str) -> bool,
    run: impl Fn(&str, &[u8]) -> String,
) -> usize {
    let dir = test_data(dir);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| !n.ends_with(".expected") && wanted(n))
        .collect();
    names.sort();
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for name in &names {
        let got = run(name, &std::fs::read(dir.join(name)).unwrap());
        let expected = dir.join(format!("{name}.expected"));
        if update {
            std::fs::write(&expected, format!("{got}\n")).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&expected).unwrap_or_default();
        if want.trim_end() != got {
            failures.push(format!(
                "{name}\n  want: {}\n  got:  {got}",
                want.trim_end()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches (UPDATE_EXPECT=1 rewrites):\n{}",
        failures.len(),
        failures.join("\n")
    );
    names.len()
}
