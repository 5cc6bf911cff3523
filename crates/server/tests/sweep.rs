//! A sweep of every page of the service: every GET route of `ROUTES` requested for an
//! election, its units, every value of its query parameters, and the staff desk as the
//! public and as each role. Each HTML answer must carry the content security policy and no
//! markup that a stored payload put there; each other answer must not be HTML. It counts what
//! it saw, so that it cannot silently shrink. The one script a page may carry is the station
//! check's (`/static/check.js`, on station pages only), and only under its own policy.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use model::UnitLevel;
use record::Role;
use server::{Method, ROUTES};
use store::Store;
use tower::ServiceExt;

use crate::common::App;

/// What fills a route's other parameters: a stored scan's SHA-256 (hex), an audit's name,
/// and the auditor's API token for the API's answers.
pub struct Fill {
    pub scan: String,
    pub audit: String,
    pub auditor_token: String,
}

/// What the sweep found.
pub struct Sweep {
    /// The payloads that must show as text somewhere.
    payloads: Vec<String>,
    /// HTML pages answered.
    pub pages: usize,
    /// Other answers (JSON, CSV, files).
    pub other: usize,
    /// Station pages with the check's script.
    pub checks: usize,
    /// Posted protocol forms with their scripts.
    pub forms: usize,
    /// The page routes answered with 200.
    routes: BTreeSet<&'static str>,
    /// Whether each payload was seen, escaped, in a page.
    seen: Vec<bool>,
    failures: Vec<String>,
}

impl Sweep {
    pub fn new(payloads: &[&str]) -> Sweep {
        Sweep {
            payloads: payloads.iter().map(|p| p.to_string()).collect(),
            pages: 0,
            other: 0,
            checks: 0,
            forms: 0,
            routes: BTreeSet::new(),
            seen: vec![false; payloads.len()],
            failures: Vec::new(),
        }
    }

    /// Requests `url` (of route `route`) from `router` with the given headers and checks its
    /// answer.
    pub async fn visit(
        &mut self,
        router: &Router,
        route: &'static str,
        url: &str,
        headers: &[(&str, &str)],
    ) {
        let mut req = Request::builder().uri(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = router
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let header = |k: &str| {
            res.headers()
                .get(k)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let (nosniff, media, csp) = (
            header("x-content-type-options"),
            header("content-type"),
            header("content-security-policy"),
        );
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        // The route and the end of the URL (a unit id, a query) name the visit.
        let tail: Vec<char> = url.chars().rev().take(40).collect();
        let at = format!("{route} …{}", tail.iter().rev().collect::<String>());
        if nosniff != "nosniff" {
            self.failures.push(format!("{at}: no nosniff"));
        }
        if !media.starts_with("text/html") {
            self.other += 1;
            return;
        }
        self.pages += 1;
        let html = String::from_utf8_lossy(&body);
        // The station check: its one script tag, under the policy that allows this site's
        // scripts, on a unit page only; the desk's: its script at most once, under the desk's
        // policy, on the desk only; any other script is what a payload put there.
        let checked =
            route == "/elections/{name}/units/{id}" && html.matches(CHECK_SCRIPT).count() == 1;
        let path = url.split('?').next().unwrap_or(url);
        let desk = path.starts_with("/elections/")
            && (path.ends_with("/staff") || path.ends_with("/staff/protocols"))
            && csp == DESK_POLICY;
        // The posted protocol's form: its two scripts, once each, under the desk's policy.
        let form = route == "/elections/{name}/protocol-form"
            && csp == DESK_POLICY
            && FORM_SCRIPTS.iter().all(|t| html.matches(t).count() == 1);
        // The scan of a posted protocol: its one module, under its own policy.
        let scan = route == "/scan" && csp == SCAN_POLICY && html.matches(SCAN_SCRIPT).count() == 1;
        let html = if scan {
            html.replace(SCAN_SCRIPT, "")
        } else if form {
            self.forms += 1;
            FORM_SCRIPTS
                .iter()
                .fold(html.into_owned(), |h, t| h.replace(t, ""))
        } else if checked {
            self.checks += 1;
            if csp != CHECK_POLICY {
                self.failures
                    .push(format!("{at}: the check's policy is {csp:?}"));
            }
            html.replace(CHECK_SCRIPT, "")
        } else if desk {
            if html.matches(DESK_SCRIPT).count() > 1 {
                self.failures.push(format!("{at}: the desk's script twice"));
            }
            html.replace(DESK_SCRIPT, "")
        } else {
            if !csp.contains("default-src 'none'") || csp.contains("script-src") {
                self.failures.push(format!("{at}: policy {csp:?}"));
            }
            html.into_owned()
        };
        if let Some(what) = injected(&html) {
            self.failures.push(format!("{at}: {what}"));
        }
        if status == StatusCode::OK {
            self.routes.insert(route);
        }
        // Shown as text: escaped as text (`<`, `>`, `&`), or as the templates escape it
        // (`"` too).
        for (seen, p) in self.seen.iter_mut().zip(&self.payloads) {
            *seen |= html.contains(&*html_escape::encode_text(p))
                || html.contains(&maud::html! { (p) }.into_string());
        }
    }

    /// Every GET route of `ROUTES` for `election`: every unit, every query value, the staff
    /// desk as the public and as each role; the API's answers with the auditor's token.
    pub async fn every_page_of(&mut self, app: &App, election: &str, fill: &Fill) {
        let (ids, _) = units(app, election).await;
        let mut sessions = Vec::new();
        for &role in Role::ALL {
            sessions.push(app.login(role).await.0);
        }
        let bearer = format!("Bearer {}", fill.auditor_token);
        for route in ROUTES.iter().filter(|r| r.method == Method::Get) {
            let base = route
                .path
                .replace("{name}", &urlencode(election))
                .replace("{sha256}", &fill.scan)
                .replace("{audit}", &urlencode(&fill.audit))
                .replace("{pvt}", "pvt")
                .replace("{k}", "0")
                .replace("{round}", "1")
                .replace("{offset}", "0")
                .replace("{board}", "1");
            let staff_screen =
                route.path.contains("/staff/pending/{id}") || route.path.contains("/staff/boards/");
            let urls: Vec<String> = if route.path.contains("/staff/boards/") {
                vec![base.clone()]
            } else if staff_screen {
                // The entered protocols' screens, each as every role sees it.
                let name = election.to_string();
                let entered = app
                    .with_store(move |s| store::Staffing::entries(s, &name).unwrap())
                    .await;
                entered
                    .iter()
                    .map(|p| base.replace("{id}", &p.id.to_string()))
                    .collect()
            } else if base.contains("{id}") {
                ids.iter()
                    .map(|id| base.replace("{id}", &id.to_string()))
                    .collect()
            } else {
                with_queries(&base, route.query)
            };
            let mut callers: Vec<Vec<(&str, &str)>> = vec![Vec::new()];
            if route.media != "text/html" && route.roles.contains(&Role::Auditor) {
                callers = vec![vec![("authorization", bearer.as_str())]];
            }
            if route.path.ends_with("/staff") || staff_screen {
                callers.extend(sessions.iter().map(|c| vec![("cookie", c.as_str())]));
            }
            for url in &urls {
                for headers in &callers {
                    self.visit(&app.router, route.path, url, headers).await;
                }
            }
        }
    }

    /// Asserts what the sweep saw: no failure, every page route of `ROUTES` answered with
    /// 200 at least once, every payload shown as text, at least `pages` pages and 20 other
    /// answers.
    pub fn assert_clean(&self, pages: usize) {
        assert!(self.failures.is_empty(), "{}", self.failures.join("\n"));
        let all: BTreeSet<&str> = ROUTES
            .iter()
            .filter(|r| r.method == Method::Get && r.media == "text/html")
            .map(|r| r.path)
            .collect();
        let missed: Vec<&&str> = all.difference(&self.routes).collect();
        assert!(missed.is_empty(), "page routes never shown: {missed:?}");
        let unseen: Vec<&String> = self
            .payloads
            .iter()
            .zip(&self.seen)
            .filter(|(_, seen)| !**seen)
            .map(|(p, _)| p)
            .collect();
        assert!(
            unseen.is_empty(),
            "payloads never shown as text: {unseen:?}"
        );
        assert!(self.pages >= pages, "only {} page visits", self.pages);
        assert!(self.checks > 0, "no station page carried the station check");
        assert!(
            self.forms > 0,
            "no station's protocol form carried its scripts"
        );
        assert!(self.other >= 20, "only {} other answers", self.other);
    }
}

/// The station check's script element (`server::check::SCRIPT`).
const CHECK_SCRIPT: &str = "<script type=\"module\" src=\"/static/check.js\"></script>";

/// The policy of a station page with the check (`server::headers::CHECK_POLICY`): this site's
/// scripts and requests, nothing else added to the pages' policy.
const CHECK_POLICY: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; \
     img-src 'self' data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// The desk's script element (the control relations as an operator types).
const DESK_SCRIPT: &str = "<script src=\"/static/relations.js\" defer></script>";

/// The scan page's script.
const SCAN_SCRIPT: &str = "<script type=\"module\" src=\"/static/scan.js\"></script>";

/// The posted protocol form's scripts (`server::statics::PROTOCOL_FORM`), in their order.
const FORM_SCRIPTS: [&str; 2] = [
    "<script src=\"/static/vendor/qrcode-generator/qrcode.js\"></script>",
    "<script src=\"/static/protocol-form.js\"></script>",
];

/// The policy of the desk (`server::headers::DESK_POLICY`): this site's scripts, nothing else
/// added to the pages' policy.
const DESK_POLICY: &str = "default-src 'none'; script-src 'self'; img-src 'self' data:; \
     style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The policy of the scan page (`server::scan::SCAN_POLICY`): this site's scripts and
/// requests, WebAssembly compiled from its own reader, the camera's video and a chosen photo.
const SCAN_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
     connect-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; \
     style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What of a page is markup a payload put there, if anything: an element a payload opens,
/// or an event handler or `javascript:` URL inside any tag (the pages have neither: they run
/// no script).
fn injected(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    for raw in ["<script", "<img src=x", "<svg onload", "</textarea><svg"] {
        if lower.contains(raw) {
            return Some(raw.to_string());
        }
    }
    for tag in lower.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        let handler = tag.match_indices(" on").any(|(i, _)| {
            let rest = &tag[i + 3..];
            let name_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            name_len > 0 && rest[name_len..].trim_start().starts_with('=')
        });
        if handler || tag.contains("javascript:") {
            return Some(format!("<{tag}>"));
        }
    }
    None
}

/// The ids of every unit of a stored election, and of its stations.
pub async fn units(app: &App, name: &str) -> (Vec<u32>, Vec<u32>) {
    let name = name.to_string();
    let e = app
        .with_store(move |s| s.load(&name).unwrap().election)
        .await;
    let all = e.units.iter().map(|(id, _)| id.0).collect();
    let stations = e
        .units
        .iter()
        .filter(|(_, u)| u.level == UnitLevel::Station)
        .map(|(id, _)| id.0)
        .collect();
    (all, stations)
}

/// A path segment, percent-encoded as the pages' links are.
pub fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// `base` with every combination of the route's query parameters' values.
fn with_queries(base: &str, query: &[(&str, &str)]) -> Vec<String> {
    let mut urls = vec![base.to_string()];
    for (key, _) in query {
        let values: &[&str] = match *key {
            "by" => &["country", "region", "constituency", "district", "station"],
            "law" => &["kg2010", "kg2015", "kg2020", "kg2021"],
            // The log's consistency proofs take sizes; the incident reports' filters days
            // (blank: no bound).
            "from" => &["1", "", "2020-10-04"],
            "to" => &["2", ""],
            // The unit search: everything, a number, a path, and markup typed as a query.
            "q" => &["", "1", "s%20%2F%201", "%3Cb%3Ex%22"],
            "level" => &["", "station", "region"],
            "page" => &["1", "2"],
            "risk_limit" => &["5", "20"],
            // The incident reports' filters: a category, markup typed as one, a status.
            "category" => &["", "vote-buying", "%3Cb%3Ex%22"],
            "status" => &["", "confirmed"],
            // The posted protocol's form: none (how to find a station), the stations, a unit
            // that is none, and markup typed as one.
            "station" => &["", "30", "35", "1", "%3Cb%3E"],
            // A posted protocol's code: none, not one, markup.
            "code" => &["", "TPQ1%2Fx", "%3Cb%3Ex%22"],
            other => panic!("no values for query parameter {other}: add them here"),
        };
        urls = urls
            .iter()
            .flat_map(|u| {
                let sep = if u.contains('?') { '&' } else { '?' };
                values.iter().map(move |v| format!("{u}{sep}{key}={v}"))
            })
            .collect();
    }
    urls
}
