//! The server crate's own tests; the end-to-end tests of `tallyproof serve` are in the
//! binary's suite (`crates/cli/tests/serve.rs`).

#![allow(clippy::unwrap_used)] // Test helpers panic on failure by design.

/// The OpenAPI document lists exactly the routes, each with its responses.
#[test]
fn openapi_lists_every_route() {
    let doc = server::openapi_document();
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(paths.len(), server::ROUTES.len());
    for r in server::ROUTES {
        let op = &paths[r.path]["get"];
        assert_eq!(op["summary"], r.summary);
        assert!(
            op["responses"]["200"]["content"][r.media].is_object(),
            "{}",
            r.path
        );
        let has_name = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "name" && p["in"] == "path");
        assert_eq!(has_name, r.path.contains("{name}"));
    }
}
