//! The OpenAPI document lists exactly the routes, each with its method, responses and roles.

use server::ROUTES;

#[test]
fn openapi_lists_every_route() {
    let doc = server::openapi_document();
    let paths = doc["paths"].as_object().unwrap();
    let operations: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(operations, ROUTES.len());
    for r in ROUTES {
        let op = &paths[&r.path.replace("{*", "{")][r.method.key()];
        assert_eq!(op["summary"], r.summary, "{}", r.path);
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
        let roles: Vec<&str> = r.roles.iter().map(|x| x.key()).collect();
        if roles.is_empty() {
            assert!(op.get("x-roles").is_none());
        } else {
            assert_eq!(op["x-roles"], serde_json::json!(roles), "{}", r.path);
            assert!(op["responses"]["403"].is_object());
        }
        assert_eq!(op.get("requestBody").is_some(), r.body.is_some());
    }
}
