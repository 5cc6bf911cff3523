//! The live log (issue 15, item 3): every size the service shows is signed, the log is
//! served as tiles that `published::verify` (the engine of `tallyproof verify`) checks, with
//! every complaint and decision in it; witnesses' cosignatures are checked and served.

use axum::http::StatusCode;
use record::Role;
use serde_json::{json, Value};
use translog::checkpoint::{Checkpoint, Cosigner};
use translog::note::{NoteSigner, NoteVerifier};

use crate::common::{on_every_backend, App, LOG_SEED};

fn log_key() -> NoteVerifier {
    NoteSigner::from_seed("tests.local", LOG_SEED)
        .unwrap()
        .verifier()
}

/// The verdict of `published::verify` on the service's live log of `name`, read through the
/// router (as `tallyproof verify URL` reads it over HTTP).
async fn verdict(router: &axum::Router, name: &str, saved: Option<String>) -> published::Verdict {
    let (router, name) = (router.clone(), name.to_string());
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let fetch = |p: &str| {
            let path = format!("/elections/{name}/log/{p}");
            let got = handle.block_on(get(&router, &path));
            (got.0 == StatusCode::OK).then_some(got.1)
        };
        published::verify(&fetch, &name, &log_key(), saved.as_deref(), &[], 0, &|_| ()).unwrap()
    })
    .await
    .unwrap()
}

async fn get(router: &axum::Router, path: &str) -> (StatusCode, Vec<u8>) {
    use tower::ServiceExt;
    let req = axum::http::Request::builder()
        .uri(path)
        .body(axum::body::Body::empty())
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, body.to_vec())
}

fn lines(v: &published::Verdict) -> String {
    match v {
        published::Verdict::Valid(l) => l.join("\n"),
        published::Verdict::Rejected(why) => panic!("rejected: {why}"),
    }
}

async fn checkpoint(app: &App) -> (Checkpoint, String) {
    let text = app.get("/elections/s/log/checkpoint").await.text();
    let (c, _) = Checkpoint::open(&text, &log_key()).unwrap();
    (c, text)
}

async fn every_act_is_signed_and_served_as_a_verifiable_log(app: &App) {
    let (before, first) = checkpoint(app).await;
    assert_eq!(before.origin, "tests.local/s");
    let saved = first.clone();
    let v = verdict(&app.router, "s", None).await;
    assert!(lines(&v).contains("0 complaint(s)"), "{}", lines(&v));
    // A complaint and an annulment, acknowledged: the very next checkpoint covers them.
    let obs = app.token(Role::Observer).await;
    let com = app.token(Role::Commissioner).await;
    let c = app
        .api(
            "POST",
            "/api/elections/s/complaints",
            &obs,
            json!({"unit": 1, "text": "observers were kept out"}),
        )
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text());
    let d = app
        .api(
            "POST",
            "/api/elections/s/decisions",
            &com,
            json!({"kind": "annul-unit", "unit": 1, "reason": "ballot stuffing on video"}),
        )
        .await;
    assert_eq!(d.status, StatusCode::CREATED, "{}", d.text());
    let logged = app
        .with_store(|s| store::Store::log(s, "s").unwrap().len())
        .await as u64;
    let (after, _) = checkpoint(app).await;
    assert_eq!(
        after.size, logged,
        "the checkpoint covers every acknowledged act"
    );
    let v = verdict(&app.router, "s", Some(saved)).await;
    let said = lines(&v);
    for want in [
        "1 complaint(s)",
        "1 annulled unit(s)",
        &format!(
            "consistent with the saved checkpoint of size {}",
            before.size
        ),
        &format!("size {logged},"),
    ] {
        assert!(said.contains(want), "{want} not in {said}");
    }
    // A unit's page cites the signed checkpoint its proofs are for.
    let page = app.get("/elections/s/units/1").await.text();
    assert!(page.contains(&format!("{logged}\n")), "{page}");
    assert!(page.contains("— tests.local "), "{page}");
}

async fn tiles_and_content_are_served_only_as_the_log_has_them(app: &App) {
    let (c, _) = checkpoint(app).await;
    let full = c.size / 256;
    let partial = c.size % 256;
    for (path, want) in [
        (format!("tile/0/{full:03}.p/{partial}"), StatusCode::OK),
        (
            format!("tile/entries/{full:03}.p/{partial}"),
            StatusCode::OK,
        ),
        // The partial tile of another width, a full tile the log does not have yet, and
        // paths that are not tiles.
        (
            format!("tile/0/{full:03}.p/{}", partial + 1),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("tile/entries/{:03}", full + 1),
            StatusCode::NOT_FOUND,
        ),
        ("tile/0/0".to_string(), StatusCode::NOT_FOUND),
        ("tile/entries/x000/000".to_string(), StatusCode::NOT_FOUND),
        ("tile/9/000".to_string(), StatusCode::NOT_FOUND),
        (
            "tile/entries/../../../etc/passwd".to_string(),
            StatusCode::NOT_FOUND,
        ),
        ("content/zz".to_string(), StatusCode::NOT_FOUND),
        (format!("content/{}", "0".repeat(64)), StatusCode::NOT_FOUND),
    ] {
        let got = get(&app.router, &format!("/elections/s/log/{path}")).await;
        assert_eq!(got.0, want, "{path}");
    }
    // A full tile is immutable; the partial one is not.
    let partial_tile = app
        .get(&format!("/elections/s/log/tile/0/{full:03}.p/{partial}"))
        .await;
    assert_eq!(partial_tile.headers["cache-control"], "no-cache");
    if full > 0 {
        let full_tile = app.get("/elections/s/log/tile/0/000").await;
        assert!(full_tile.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable"));
    }
    // The observer's name behind a complaint is never served; the commission's staff are.
    let obs = app.token(Role::Observer).await;
    let c = app
        .api(
            "POST",
            "/api/elections/s/complaints",
            &obs,
            json!({"unit": 1, "text": "a text"}),
        )
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text());
    let contents = app
        .with_store(|s| store::Store::contents(s, "s").unwrap())
        .await;
    let named = |who: &str| {
        contents
            .iter()
            .find(|c| c.text == who)
            .unwrap_or_else(|| panic!("no content {who}"))
            .commitment
            .clone()
    };
    for (who, want) in [
        ("observer", StatusCode::NOT_FOUND),
        ("commissioner", StatusCode::OK),
    ] {
        if who == "commissioner" {
            let com = app.token(Role::Commissioner).await;
            let d = app
                .api(
                    "POST",
                    "/api/elections/s/decisions",
                    &com,
                    json!({"kind": "recount", "unit": 1, "reason": "a recount"}),
                )
                .await;
            assert_eq!(d.status, StatusCode::CREATED, "{}", d.text());
        }
        let path = format!("/elections/s/log/content/{}", named(who));
        assert_eq!(app.get(&path).await.status, want, "{who}");
    }
}

on_every_backend!(
    every_act_is_signed_and_served_as_a_verifiable_log,
    tiles_and_content_are_served_only_as_the_log_has_them
);

/// A service over `db` that keeps the cosignatures of one witness.
fn witnessed(db: &str, witness: &Cosigner) -> axum::Router {
    let key = NoteSigner::from_seed("tests.local", LOG_SEED).unwrap();
    let signing =
        server::log_signing(&key.text(), "tests.local", &[witness.verifier().text()]).unwrap();
    server::router(db, signing).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_witness_cosignature_is_served_beside_the_checkpoint() {
    let app = App::blocking(|| Some(App::sqlite())).await.unwrap();
    let witness = Cosigner::from_seed("observers.test", [9; 32]);
    let stranger = Cosigner::from_seed("stranger.test", [8; 32]);
    let router = {
        let db = app.db.clone();
        let w = witness.clone();
        tokio::task::spawn_blocking(move || witnessed(&db, &w))
            .await
            .unwrap()
    };
    let (status, text) = get(&router, "/elections/s/log/checkpoint").await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(text).unwrap();
    let (c, _) = Checkpoint::open(&text, &log_key()).unwrap();
    assert_eq!(
        get(&router, "/elections/s/log/cosigned").await.0,
        StatusCode::NOT_FOUND
    );
    let submit = |note: String| {
        let router = router.clone();
        async move {
            use tower::ServiceExt;
            let req = axum::http::Request::post("/api/elections/s/cosignatures")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(
                    json!({"checkpoint": note}).to_string(),
                ))
                .unwrap();
            let res = router.oneshot(req).await.unwrap();
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .unwrap();
            (status, serde_json::from_slice::<Value>(&body).unwrap())
        }
    };
    let cosigned =
        |w: &Cosigner, c: &Checkpoint| format!("{text}{}\n", w.cosign(c, 1_764_740_000).unwrap());
    // A stranger's cosignature, and a cosignature of another root, are refused.
    let (status, body) = submit(cosigned(&stranger, &c)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("observers.test"),
        "{body}"
    );
    let mut forked = c.clone();
    forked.root = translog::Hash([1; 32]);
    let (status, body) = submit(cosigned(&witness, &forked)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // The witness's own is kept and served with the checkpoint it cosigns.
    let (status, body) = submit(cosigned(&witness, &c)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body,
        json!({"size": c.size, "witnesses": ["observers.test"], "kept": true})
    );
    for path in ["/elections/s/log/cosigned", "/elections/s/log/checkpoint"] {
        let (status, served) = get(&router, path).await;
        assert_eq!(status, StatusCode::OK);
        let served = String::from_utf8(served).unwrap();
        let note = translog::note::Note::parse(&served).unwrap();
        let ok =
            translog::checkpoint::verify_cosignatures(&c, &note.signatures, &[witness.verifier()])
                .unwrap();
        assert_eq!(ok.len(), 1, "{path}: {served}");
    }
    App::drop_blocking(Some(app)).await;
}
