//! A service over a fresh store holding a synthetic election `s` and one user per role
//! (named after the role, password `password-<role>`), and requests to it.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use model::{Election, Protocol};
use record::Role;
use serde_json::Value;
use store::Store;
use tower::ServiceExt;

pub struct App {
    pub router: Router,
    /// The store: a SQLite file or a PostgreSQL URL.
    pub db: String,
    pub election: Election,
    pub protocols: Vec<Protocol>,
    _dir: tempfile::TempDir,
}

/// Runs a test body (`async fn name(app: App)`) on each backend: SQLite, and PostgreSQL when
/// `TALLYPROOF_TEST_POSTGRES` names a test server (the test command starts one).
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = crate::common::App::blocking(|| Some(crate::common::App::sqlite())).await;
                super::$name(app.as_ref().unwrap()).await;
                crate::common::App::drop_blocking(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = crate::common::App::blocking(crate::common::App::postgres).await;
                match &app {
                    Some(app) => super::$name(app).await,
                    None => {
                        // Under CI a missing server fails the run instead of skipping.
                        assert!(
                            std::env::var("CI").as_deref() != Ok("true"),
                            "TALLYPROOF_TEST_POSTGRES is not set under CI=true"
                        );
                        eprintln!("skipped: TALLYPROOF_TEST_POSTGRES is not set")
                    }
                }
                crate::common::App::drop_blocking(app).await;
            }
        }
    )*};
}
pub(crate) use on_every_backend;

/// Generates a synthetic election and imports it as `name`: its model and protocols.
pub fn import(
    store: &mut store::SqlStore,
    p: &synth::Params,
    name: &str,
) -> (Election, Vec<Protocol>) {
    import_under(store, p, name, None)
}

/// [`import`], the election held under the law preset `law`.
pub fn import_under(
    store: &mut store::SqlStore,
    p: &synth::Params,
    name: &str,
    law: Option<&str>,
) -> (Election, Vec<Protocol>) {
    let mut protocols = Vec::new();
    let (mut election, _) = synth::generate(p, |_, x| protocols.push(x)).unwrap();
    election.name = name.into();
    election.law = law.map(str::to_string);
    let mut tx = store.import().unwrap();
    tx.begin(&election, "synthetic").unwrap();
    for p in &protocols {
        tx.protocol(&election, p).unwrap();
    }
    tx.units(&election).unwrap();
    tx.commit(&election).unwrap();
    (election, protocols)
}

/// The synthetic election every test's store holds (as election "s").
pub const PARAMS: synth::Params = synth::Params {
    stations: 40,
    parties: 4,
    regions: 2,
    stations_per_district: 5,
    seed: 3,
};

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }

    /// A page's text as a reader sees it: [`visible`].
    pub fn visible(&self) -> String {
        visible(&self.text())
    }
}

/// The text of an HTML page without its `<head>` and tags, entities decoded, every run of
/// white space (the no-break space of Russian numbers too) one space: what the tests compare
/// with what a reader would read.
pub fn visible(html: &str) -> String {
    let body = html.split_once("<body>").map_or(html, |(_, b)| b);
    let mut out = String::with_capacity(body.len());
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    out.split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lines a protocol with these votes needs to be verified: as many valid ballots as votes,
/// none invalid, as many found in the boxes (the error-level control relations hold; a blank
/// line quarantines it, `record::may_verify`).
pub fn lines_for(votes: &[u64]) -> Value {
    let valid: u64 = votes.iter().sum();
    serde_json::json!({"valid": valid, "invalid": 0, "found_total": valid})
}

/// A test file of `tests/data/scans/` (see its README).
pub fn scan_file(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/data/scans/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The test PNG padded to `total` bytes with a text chunk before its end.
pub fn padded_png(total: usize) -> Vec<u8> {
    let png = scan_file("scan.png");
    let (body, end) = png.split_at(png.len() - 12);
    let len = total - png.len() - 12;
    let mut out = body.to_vec();
    out.extend((len as u32).to_be_bytes());
    out.extend(b"tEXt");
    out.extend(std::iter::repeat_n(b'a', len));
    out.extend([0; 4]);
    out.extend(end);
    out
}

/// The test's clock, as the service and the console read theirs (Unix seconds).
/// Unix seconds now.
pub fn clock_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn clock() -> record::Time {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    record::Time::from_unix(now.as_secs()).unwrap()
}

pub fn password(role: Role) -> String {
    format!("password-{}", role.key())
}

impl App {
    /// Makes an app off the async threads (PostgreSQL's client blocks on its own runtime).
    pub async fn blocking(f: fn() -> Option<App>) -> Option<App> {
        tokio::task::spawn_blocking(f).await.unwrap()
    }

    /// Drops an app off the async threads, for the same reason.
    pub async fn drop_blocking(app: Option<App>) {
        tokio::task::spawn_blocking(move || drop(app))
            .await
            .unwrap();
    }

    /// Runs `f` on a fresh connection to the app's store, off the async threads.
    pub async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut store::SqlStore) -> T + Send + 'static,
    ) -> T {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || f(&mut store::open(&db).unwrap()))
            .await
            .unwrap()
    }

    pub fn sqlite() -> App {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db").display().to_string();
        App::on(db, dir)
    }

    pub fn postgres() -> Option<App> {
        let admin = std::env::var("TALLYPROOF_TEST_POSTGRES").ok()?;
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let name = format!(
            "s_{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        let url = store::create_database(&admin, &name).unwrap();
        Some(App::on(url, tempfile::tempdir().unwrap()))
    }

    fn on(db: String, dir: tempfile::TempDir) -> App {
        let (election, protocols) = import(&mut store::open(&db).unwrap(), &PARAMS, "s");
        for &role in Role::ALL {
            server::add_user(&db, role.key(), role, &password(role), clock()).unwrap();
        }
        // The audit files' directory (`serve --audit-files`), where records arrive in parts.
        let files = dir.path().join("audit-files");
        std::fs::create_dir(&files).unwrap();
        let files = store::AuditDir::open(&files).unwrap();
        let extras = server::Extras {
            audit_files: Some(files),
            sms: Some(sms()),
            categories: server::Categories::Default,
        };
        let router = server::router_with(&db, signing(), extras).unwrap();
        App {
            router,
            db,
            election,
            protocols,
            _dir: dir,
        }
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Answer {
        App::call_on(&self.router, method, path, headers, body).await
    }

    /// Another router over the same store (a service configured otherwise, or restarted),
    /// made outside the runtime's threads (a PostgreSQL store's client blocks); drop it with
    /// [`App::drop_router`].
    pub async fn router_with(&self, extras: server::Extras) -> Router {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || server::router_with(&db, signing(), extras).unwrap())
            .await
            .unwrap()
    }

    /// Drops a router from [`App::router_with`] outside the runtime's threads.
    pub async fn drop_router(router: Router) {
        tokio::task::spawn_blocking(move || drop(router))
            .await
            .unwrap();
    }

    /// A request to another router over the same store (a service configured otherwise).
    pub async fn call_on(
        router: &Router,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = router
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        Answer {
            status,
            headers,
            body,
        }
    }

    /// The JSON answer of another router (a restarted service) to a GET.
    pub async fn answer(router: &Router, path: &str) -> Value {
        let req = Request::builder().uri(path).body(Body::empty()).unwrap();
        let res = router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call("GET", path, &[], Vec::new()).await
    }

    /// The election's first region.
    pub fn first_region(&self) -> model::UnitId {
        self.election
            .units
            .iter()
            .find(|(_, u)| u.level == model::UnitLevel::Region)
            .unwrap()
            .0
    }

    /// A page, with a session cookie.
    pub async fn page(&self, path: &str, cookie: &str) -> String {
        self.call("GET", path, &[("cookie", cookie)], Vec::new())
            .await
            .text()
    }

    /// A form posted with a session cookie (its fields urlencoded, the CSRF token among them).
    pub async fn form(&self, path: &str, cookie: &str, fields: Vec<u8>) -> Answer {
        let form = ("content-type", "application/x-www-form-urlencoded");
        self.call("POST", path, &[("cookie", cookie), form], fields)
            .await
    }

    /// A `multipart/form-data` form posted with a session cookie: text fields, then files
    /// (field, file name, media type, bytes), as a browser sends a form with file inputs.
    pub async fn multipart(
        &self,
        path: &str,
        cookie: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &str, &[u8])],
    ) -> Answer {
        const B: &str = "tallyproof-test-boundary";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend(
                format!("--{B}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                    .into_bytes(),
            );
        }
        for (k, name, media, bytes) in files {
            body.extend(
                format!("--{B}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: {media}\r\n\r\n")
                    .into_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{B}--\r\n").into_bytes());
        let ct = format!("multipart/form-data; boundary={B}");
        self.call(
            "POST",
            path,
            &[("cookie", cookie), ("content-type", &ct)],
            body,
        )
        .await
    }

    /// A JSON request with a bearer token.
    pub async fn api(&self, method: &str, path: &str, token: &str, body: Value) -> Answer {
        let auth = format!("Bearer {token}");
        self.call(
            method,
            path,
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            serde_json::to_vec(&body).unwrap(),
        )
        .await
    }

    /// Uploads a file with a bearer token (`PUT /api/scans`), declaring `media`.
    pub async fn upload(&self, token: &str, media: &str, bytes: &[u8]) -> Answer {
        let auth = format!("Bearer {token}");
        self.call(
            "PUT",
            "/api/scans",
            &[("authorization", &auth), ("content-type", media)],
            bytes.to_vec(),
        )
        .await
    }

    /// Uploads a file that must be taken; answers its `sha256:<hex>`.
    pub async fn uploaded(&self, token: &str, bytes: &[u8]) -> String {
        let a = self.upload(token, "application/octet-stream", bytes).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
        a.json()["scan"].as_str().unwrap().to_string()
    }

    /// Logs in: (session cookie header value, CSRF token).
    pub async fn login(&self, role: Role) -> (String, String) {
        self.login_as(role.key(), &password(role)).await
    }

    /// Logs the user `name` in: the session cookie and its CSRF token.
    pub async fn login_as(&self, name: &str, password: &str) -> (String, String) {
        let body = serde_json::json!({"name": name, "password": password});
        let a = self
            .call(
                "POST",
                "/api/login",
                &[("content-type", "application/json")],
                serde_json::to_vec(&body).unwrap(),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        let cookie = a.headers["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_string();
        (cookie, a.json()["csrf"].as_str().unwrap().to_string())
    }

    /// An API token for a role's user.
    /// The admin assigns the operator the whole country (unit 0).
    pub async fn assign_operator_everywhere(&self) {
        let admin = self.token(Role::Admin).await;
        let a = self
            .api(
                "POST",
                "/api/elections/s/assignments",
                &admin,
                serde_json::json!({"user": "operator", "unit": 0}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    }

    pub async fn token(&self, role: Role) -> String {
        self.token_as(role.key(), &password(role)).await
    }

    /// An API token for the user `name`.
    pub async fn token_as(&self, name: &str, password: &str) -> String {
        let (cookie, csrf) = self.login_as(name, password).await;
        let a = self
            .call(
                "POST",
                "/api/tokens",
                &[
                    ("cookie", &cookie),
                    ("x-csrf-token", &csrf),
                    ("content-type", "application/json"),
                ],
                br#"{"label":"test"}"#.to_vec(),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        a.json()["token"].as_str().unwrap().to_string()
    }
}

/// The tests' SMS gateway's secret (public: a test's).
pub const GATEWAY_SECRET: &[u8] = b"tallyproof tests' SMS gateway key";
/// The tests' phone key (public: a test's).
pub const PHONE_KEY: &[u8] = b"tallyproof tests' phones' key 32b";

/// The tests' SMS gateway "tests-gw" and phone key, numbers dialled as in Kyrgyzstan.
pub fn sms() -> server::SmsConfig {
    server::SmsConfig {
        gateways: vec![observe::gateway::Gateway::new("tests-gw", GATEWAY_SECRET).unwrap()],
        key: observe::phone::PhoneKey::new(PHONE_KEY).unwrap(),
        dialling: observe::phone::Dialling {
            country: "996".into(),
            trunk: "0".into(),
        },
    }
}

/// The tests' log key: a fixed, public seed.
pub const LOG_SEED: [u8; 32] = *b"tallyproof server tests' log key";

/// The signing of the tests' services: the tests' key, origins `tests.local/NAME`.
pub fn signing() -> server::Signing {
    let key = translog::note::NoteSigner::from_seed("tests.local", LOG_SEED).unwrap();
    server::log_signing(&key.text(), "tests.local", &[]).unwrap()
}

/// Writes `log` (election `name`'s) as a published log in `dir`: its tiles, a checkpoint
/// signed with the tests' key, and that key (`log.pub`), for the verifiers.
pub fn write_log(dir: &std::path::Path, name: &str, log: &[Vec<u8>]) {
    let _ = std::fs::remove_dir_all(dir);
    let tree = translog::Tree::from_entries(log);
    for (path, bytes) in translog::tiles::write_tiles(&tree, log, tree.size()).unwrap() {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let key = translog::note::NoteSigner::from_seed("tests.local", LOG_SEED).unwrap();
    let c = translog::checkpoint::Checkpoint {
        origin: format!("tests.local/{name}"),
        size: tree.size(),
        root: tree.root(),
    };
    std::fs::write(dir.join("checkpoint"), c.sign(&key).unwrap()).unwrap();
    std::fs::write(dir.join("log.pub"), format!("{}\n", key.verifier().text())).unwrap();
}
