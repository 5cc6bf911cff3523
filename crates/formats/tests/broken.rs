//! Every file in `test_data/broken/` must be rejected with exactly the message in its
//! `.expected` file. `UPDATE_EXPECT=1 cargo test` rewrites the expectations.

use formats::{import, Collect, Format, ImportOptions};

fn format_of(name: &str) -> Format {
    match name.split('_').next() {
        Some("kg2020") => Format::Kg2020,
        Some("ru") => Format::Ru,
        Some("csv") => Format::Csv,
        Some("json") => Format::Json,
        other => panic!("test file {name}: unknown format prefix {other:?}"),
    }
}

#[test]
fn broken_files_are_rejected_with_the_exact_error() {
    let dir = crate::test_data("broken");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| !n.ends_with(".expected"))
        .collect();
    names.sort();
    assert!(names.len() >= 20, "only {} broken-file cases", names.len());
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for name in &names {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let mut sink = Collect::default();
        let got = match import(
            format_of(name),
            name,
            &bytes,
            &ImportOptions::named("t"),
            &mut sink,
        ) {
            Ok(im) => format!("ACCEPTED: {} protocols", im.protocols),
            Err(e) => e.to_string(),
        };
        let expected_path = dir.join(format!("{name}.expected"));
        if update {
            std::fs::write(&expected_path, format!("{got}\n")).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&expected_path).unwrap_or_default();
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
}
