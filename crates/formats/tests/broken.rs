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
    let checked = crate::check_expectations(
        "broken",
        |_| true,
        |name, bytes| {
            let mut sink = Collect::default();
            match import(
                format_of(name),
                name,
                bytes,
                &ImportOptions::named("t"),
                &mut sink,
            ) {
                Ok(im) => format!("ACCEPTED: {} protocols", im.protocols),
                Err(e) => e.to_string(),
            }
        },
    );
    assert!(checked >= 20, "only {checked} broken-file cases");
}
