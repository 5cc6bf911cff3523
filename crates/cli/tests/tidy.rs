//! Workspace rules checked as tests (after rust-analyzer's `tidy`): the pure core crates
//! stay free of I/O and async dependencies, and every source file opens with a `//!` doc.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::workspace;

/// The core crates: no I/O, no async (ARCHITECTURE.md). A new core crate joins this list.
const CORE: &[&str] = &[
    "model",
    "tabulate",
    "synth",
    "sampler",
    "seats",
    "translog",
    "record",
    "forensics",
    "audit",
    "pvt",
    "observe",
    "postedqr",
    "readmodel",
    "published",
];

/// Crates no core crate may depend on, directly or transitively.
const FORBIDDEN: &[&str] = &[
    "tokio",
    "axum",
    "sqlx",
    "rusqlite",
    "hyper",
    "reqwest",
    "ureq",
    "rustls",
    "async-std",
    "mio",
];

#[test]
fn core_crates_do_not_depend_on_io_or_async_crates() {
    // Only the host's dependencies: the build has fetched them, while another platform's
    // (Windows' console crates, say) may never have been downloaded on this machine.
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked"])
        .args(["--filter-platform", &host_triple()])
        .current_dir(workspace(""))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: BTreeMap<&str, &str> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let deps: BTreeMap<&str, Vec<&str>> = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let ds = n["deps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| {
                    d["dep_kinds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|k| k["kind"].is_null())
                })
                .map(|d| d["pkg"].as_str().unwrap())
                .collect();
            (n["id"].as_str().unwrap(), ds)
        })
        .collect();
    for core in CORE {
        let id = names
            .iter()
            .find(|(_, n)| *n == core)
            .map(|(id, _)| *id)
            .unwrap();
        let mut seen = BTreeSet::new();
        let mut stack = vec![id];
        while let Some(x) = stack.pop() {
            if seen.insert(x) {
                stack.extend(deps.get(x).into_iter().flatten());
            }
        }
        let bad: Vec<&str> = seen
            .iter()
            .map(|id| names[id])
            .filter(|n| FORBIDDEN.contains(n))
            .collect();
        assert!(bad.is_empty(), "core crate {core} depends on {bad:?}");
    }
}

/// The triple of the machine the tests run on, as `rustc -vV` names it.
fn host_triple() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = std::process::Command::new(rustc)
        .arg("-vV")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV names its host")
        .to_string()
}

#[test]
fn core_crates_do_not_touch_the_file_system() {
    for core in CORE {
        for file in rust_files(&workspace(&format!("crates/{core}/src"))) {
            let text = std::fs::read_to_string(&file).unwrap();
            for banned in [
                "std::fs",
                "std::net",
                "std::env",
                "SystemTime",
                "thread_rng",
            ] {
                assert!(!text.contains(banned), "{} uses {banned}", file.display());
            }
        }
    }
}

#[test]
fn every_source_file_opens_with_a_module_doc() {
    let mut missing = Vec::new();
    for file in rust_files(&workspace("crates")) {
        let text = std::fs::read_to_string(&file).unwrap();
        if !text.starts_with("//!") {
            missing.push(file.display().to_string());
        }
    }
    assert!(missing.is_empty(), "files without a //! doc: {missing:?}");
}

fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    crate::files_under(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect()
}
