//! No stored XSS (the hostile review of issue 13, "what held"), on both backends: a hostile
//! payload goes into every name and text the service takes and shows later (the election,
//! the country, the contest, every party, region, district and station, through an imported
//! file; complaint texts, decision reasons, an audit's name and seed, a token's label, a
//! re-vote's name, the file names of uploaded scans; user names, which are refused), and then
//! every page route of `ROUTES` is requested for both elections, every unit and every query
//! value, and the staff desk as the public and as each role (`sweep`). No page may carry a
//! payload as markup: no element it opens, no event handler or `javascript:` URL in any tag.
//! A payload shown as text (`&lt;script&gt;`) is what must happen, and each is seen at least
//! once. Texts and names with a NUL, or otherwise unfit to show, are refused alike on both
//! stores (PostgreSQL's text refuses a NUL that SQLite keeps).

use axum::http::StatusCode;
use formats::{BoxError, ImportOptions, Sink};
use model::{Election, Protocol};
use record::Role;
use serde_json::json;
use store::Store;

use crate::common::{on_every_backend, scan_file, Answer, App};
use crate::sweep::{units, urlencode, Fill, Sweep};

on_every_backend!(no_stored_name_or_text_becomes_markup_on_any_page);

/// The payloads of the review.
const PAYLOADS: [&str; 6] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "</textarea><svg onload=alert(1)>",
    "{{7*7}}",
    "' onmouseover='alert(1)",
];

/// A text with a NUL, which PostgreSQL's text refuses and SQLite stores.
const NUL: &str = "a\u{0}b";

/// Every payload in one text.
fn all_payloads() -> String {
    PAYLOADS.join(" ")
}

/// A tallyproof CSV whose regions, districts, stations and parties are all named by payloads.
/// Two parties share the votes, wide apart enough that a polling audit is not a full count.
fn hostile_csv() -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = ["region", "district", "station", "registered", "valid"]
        .map(String::from)
        .to_vec();
    header.extend(PAYLOADS.iter().map(|p| format!("party:{p}")));
    w.write_record(&header).unwrap();
    for (i, region) in PAYLOADS.iter().enumerate() {
        for k in 0..3 {
            let valid = 200_000 + i as u64 * 7_919 + k * 10_473;
            let small = valid / 200;
            let first = valid * 515 / 1000;
            let votes = [first, valid - first - 4 * small, small, small, small, small];
            let mut row = vec![
                region.to_string(),
                PAYLOADS[(i + 1) % 6].to_string(),
                PAYLOADS[(i + k as usize + 2) % 6].to_string(),
                (valid + 20_000 + k * 3_001).to_string(),
                valid.to_string(),
            ];
            row.extend(votes.iter().map(u64::to_string));
            w.write_record(&row).unwrap();
        }
    }
    w.into_inner().unwrap()
}

/// Feeds an import into a store transaction, as the command line's `import` does.
struct ToStore<'a>(Box<dyn store::Import + 'a>);

impl Sink for ToStore<'_> {
    fn begin(&mut self, election: &Election) -> Result<(), BoxError> {
        Ok(self.0.begin(election, &all_payloads())?)
    }
    fn protocol(&mut self, election: &Election, p: &Protocol) -> Result<(), BoxError> {
        Ok(self.0.protocol(election, p)?)
    }
    fn finish(&mut self, election: &Election) -> Result<(), BoxError> {
        Ok(self.0.units(election)?)
    }
}

/// Imports the hostile file as election `name`, its source named by the payloads too, and
/// grants every role there (on the console).
fn import_hostile(s: &mut store::SqlStore, name: &str) {
    let options = ImportOptions {
        country: Some(all_payloads()),
        contest: Some(all_payloads()),
        ..ImportOptions::named(name)
    };
    {
        let mut sink = ToStore(s.import().unwrap());
        let file = format!("{}.csv", PAYLOADS[0]);
        let csv = hostile_csv();
        let im = formats::import(formats::Format::Csv, &file, &csv, &options, &mut sink).unwrap();
        sink.0.commit(&im.election).unwrap();
    }
    for &role in Role::ALL {
        store::Staffing::grant(s, role.key(), name, None, crate::common::clock()).unwrap();
    }
}

async fn no_stored_name_or_text_becomes_markup_on_any_page(app: &App) {
    let hostile = all_payloads();
    let n = hostile.clone();
    app.with_store(move |s| import_hostile(s, &n)).await;
    let staff = Staff::of(app, &hostile).await;
    staff.cannot_take_hostile_user_names().await;
    staff.label_a_token().await;
    let scan = staff.enter_protocols().await;
    staff.complain().await;
    let revote = staff.decide().await;
    staff.start_an_audit().await;
    staff.form_a_board().await;

    let mut sweep = Sweep::new(&PAYLOADS);
    let fill = Fill {
        scan,
        audit: all_payloads(),
        auditor_token: staff.token(Role::Auditor).to_string(),
    };
    for election in [&hostile, &revote] {
        sweep.every_page_of(app, election, &fill).await;
    }
    reflected(&mut sweep, &staff).await;
    the_log_page_of_a_published_log(&mut sweep, app).await;
    sweep.assert_clean(100);
}

/// The staff of the hostile election `name`, with an API token per role, acting in it.
struct Staff<'a> {
    app: &'a App,
    name: String,
    tokens: Vec<String>,
}

/// Asserts an answer's status, and hands the answer on.
fn expect(a: Answer, want: StatusCode, what: &str) -> Answer {
    assert_eq!(a.status, want, "{what}: {}", a.text());
    a
}

impl Staff<'_> {
    async fn of<'a>(app: &'a App, name: &str) -> Staff<'a> {
        let mut tokens = Vec::new();
        for &role in Role::ALL {
            tokens.push(app.token(role).await);
        }
        Staff {
            app,
            name: name.to_string(),
            tokens,
        }
    }

    fn token(&self, r: Role) -> &str {
        &self.tokens[Role::ALL.iter().position(|x| *x == r).unwrap()]
    }

    /// A path of the election's API.
    fn api(&self, path: &str) -> String {
        format!("/api/elections/{}/{path}", urlencode(&self.name))
    }

    /// A path of the election's staff desk.
    fn desk(&self, path: &str) -> String {
        format!("/elections/{}/staff/{path}", urlencode(&self.name))
    }

    /// Posts JSON with a role's token.
    async fn post(&self, role: Role, path: &str, body: serde_json::Value) -> Answer {
        self.app.api("POST", path, self.token(role), body).await
    }

    /// User names are restricted (`model::names::normalise_user_name`): no payload is one.
    async fn cannot_take_hostile_user_names(&self) {
        for p in PAYLOADS {
            let body = json!({"name": p, "role": "observer"});
            let a = self.post(Role::Admin, "/api/users", body).await;
            assert!(
                a.status.is_client_error(),
                "user {p:?}: {} {}",
                a.status,
                a.text()
            );
        }
    }

    /// A token labelled by payloads (its list is JSON only); a label with a NUL is refused
    /// on both stores.
    async fn label_a_token(&self) {
        let (cookie, csrf) = self.app.login(Role::Operator).await;
        let headers = [
            ("cookie", cookie.as_str()),
            ("x-csrf-token", csrf.as_str()),
            ("content-type", "application/json"),
        ];
        for (label, want) in [
            (NUL, StatusCode::BAD_REQUEST),
            (&all_payloads(), StatusCode::OK),
        ] {
            let body = serde_json::to_vec(&json!({ "label": label })).unwrap();
            let a = self.app.call("POST", "/api/tokens", &headers, body).await;
            expect(a, want, "token");
        }
    }

    /// Protocols entered with scans: by the API, verified, so that its station shows two
    /// versions; and by the desk's form with a file named by a payload. Answers the scan's
    /// SHA-256.
    async fn enter_protocols(&self) -> String {
        let body = json!({"user": "operator", "unit": 0});
        expect(
            self.post(Role::Admin, &self.api("assignments"), body).await,
            StatusCode::OK,
            "assignment",
        );
        let name = self.name.clone();
        let protocols = self
            .app
            .with_store(move |s| s.load(&name).unwrap().protocols)
            .await;
        let scan = self
            .app
            .uploaded(self.token(Role::Operator), &scan_file("scan.png"))
            .await;
        let mut votes = protocols[0].votes.clone();
        votes[1] += 1;
        let body = json!({"station": protocols[0].station.0, "votes": votes, "scan": scan,
                          "lines": crate::common::lines_for(&votes)});
        let entered = self
            .post(Role::Operator, &self.api("protocols"), body)
            .await;
        let pending = expect(entered, StatusCode::CREATED, "entry").json()["id"]
            .as_i64()
            .unwrap();
        let verify = format!("{}/{pending}/verify", self.api("pending"));
        expect(
            self.post(Role::Verifier, &verify, json!({})).await,
            StatusCode::OK,
            "verification",
        );

        let (cookie, csrf) = self.app.login(Role::Operator).await;
        let station = protocols[1].station.0.to_string();
        let votes: Vec<(String, String)> = protocols[1]
            .votes
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("vote_{i}"), v.to_string()))
            .collect();
        let mut fields = vec![("csrf", csrf.as_str()), ("station", station.as_str())];
        fields.extend(votes.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let png = scan_file("scan.png");
        let files = [(
            "scan",
            "<script>alert(1)</script>.png",
            "image/png",
            png.as_slice(),
        )];
        let a = self
            .app
            .multipart(&self.desk("protocols"), &cookie, &fields, &files)
            .await;
        expect(a, StatusCode::SEE_OTHER, "desk entry");
        scan.trim_start_matches("sha256:").to_string()
    }

    /// Complaints with hostile texts: by the API citing a scan, and by the desk's form with a
    /// file named by a payload.
    async fn complain(&self) {
        let (_, stations) = units(self.app, &self.name).await;
        let evidence = self
            .app
            .uploaded(self.token(Role::Observer), &scan_file("scan.jpg"))
            .await;
        let body = json!({"unit": stations[2], "text": NUL});
        let a = self
            .post(Role::Observer, &self.api("complaints"), body)
            .await;
        expect(a, StatusCode::BAD_REQUEST, "a complaint with a NUL");
        for p in PAYLOADS {
            let body = json!({"unit": stations[2], "text": p, "scan": evidence});
            let a = self
                .post(Role::Observer, &self.api("complaints"), body)
                .await;
            expect(a, StatusCode::CREATED, "complaint");
        }
        let (cookie, csrf) = self.app.login(Role::Observer).await;
        let unit = stations[3].to_string();
        let fields = [
            ("csrf", csrf.as_str()),
            ("unit", unit.as_str()),
            ("text", PAYLOADS[3]),
        ];
        let jpg = scan_file("scan.jpg");
        let files = [(
            "scan",
            "</textarea><svg onload=alert(1)>.jpg",
            "image/jpeg",
            jpg.as_slice(),
        )];
        let a = self
            .app
            .multipart(&self.desk("complaints"), &cookie, &fields, &files)
            .await;
        expect(a, StatusCode::SEE_OTHER, "desk complaint");
    }

    /// Decisions with hostile reasons (a recount, a station annulled, a region's re-vote by
    /// the desk's form), and the re-vote created under a hostile name; answers that name.
    async fn decide(&self) -> String {
        let (ids, stations) = units(self.app, &self.name).await;
        let body = json!({"kind": "recount", "unit": stations[4], "reason": NUL});
        let a = self
            .post(Role::Commissioner, &self.api("decisions"), body)
            .await;
        expect(a, StatusCode::BAD_REQUEST, "a reason with a NUL");
        for (kind, unit) in [("recount", stations[4]), ("annul-unit", stations[5])] {
            let body = json!({"kind": kind, "unit": unit, "reason": all_payloads()});
            let a = self
                .post(Role::Commissioner, &self.api("decisions"), body)
                .await;
            expect(a, StatusCode::CREATED, kind);
        }
        let region = ids[1].to_string();
        let (cookie, csrf) = self.app.login(Role::Commissioner).await;
        let fields = [
            ("csrf", csrf.as_str()),
            ("kind", "revote"),
            ("unit", region.as_str()),
            ("reason", PAYLOADS[1]),
        ];
        let body = serde_urlencoded::to_string(fields).unwrap();
        let a = self
            .app
            .form(&self.desk("decisions"), &cookie, body.into_bytes())
            .await;
        expect(a, StatusCode::SEE_OTHER, "desk decision");
        // A re-vote's name is an election's: one unfit to show is refused (a NUL would fail
        // PostgreSQL's text), HTML is not.
        for unfit in ["", NUL, "\u{202e}etov-er", "=cmd|' /C calc'!A0"] {
            let body = json!({"unit": ids[1], "name": unfit});
            let a = self
                .post(Role::Commissioner, &self.api("revotes"), body)
                .await;
            expect(a, StatusCode::BAD_REQUEST, "an unfit re-vote name");
        }
        let revote: Vec<&str> = PAYLOADS.iter().rev().copied().collect();
        let revote = revote.join(" ");
        let body = json!({"unit": ids[1], "name": revote});
        expect(
            self.post(Role::Commissioner, &self.api("revotes"), body)
                .await,
            StatusCode::CREATED,
            "re-vote",
        );
        revote
    }

    /// An audit named and seeded by payloads: its assertions are labelled by party names.
    /// An audit's name, shown on pages and in paths, must be fit to show.
    async fn start_an_audit(&self) {
        let audit = |name: &str| {
            json!({"audit": name, "law": "kg2020", "risk_limit": 5, "method": "polling",
                   "seed": all_payloads()})
        };
        for unfit in [NUL, "\u{202e}1a", "=1+1"] {
            let a = self
                .post(Role::Auditor, &self.api("audits"), audit(unfit))
                .await;
            expect(a, StatusCode::BAD_REQUEST, "an unfit audit name");
        }
        let a = self
            .post(Role::Auditor, &self.api("audits"), audit(&all_payloads()))
            .await;
        expect(a, StatusCode::CREATED, "audit");
    }

    /// A round of the audit with one board (the board member and a second one), a ballot
    /// marked with a party named by payloads: the board's screen shows its names.
    async fn form_a_board(&self) {
        let audit = all_payloads();
        let a = self
            .post(
                Role::Auditor,
                &self.api(&format!("audits/{}/rounds", urlencode(&audit))),
                json!({"ballots": 3}),
            )
            .await;
        expect(a, StatusCode::CREATED, "round");
        let db = self.app.db.clone();
        tokio::task::spawn_blocking(move || {
            server::add_user(
                &db,
                "second-member",
                Role::BoardMember,
                "a password",
                crate::common::clock(),
            )
            .unwrap();
        })
        .await
        .unwrap();
        let boards = json!({"boards": [["board-member", "second-member"]]});
        let path = self.api(&format!("audits/{}/boards", urlencode(&audit)));
        expect(
            self.post(Role::Auditor, &path, boards).await,
            StatusCode::CREATED,
            "boards",
        );
        let member = self.token(Role::BoardMember);
        let board = self
            .app
            .api("GET", &format!("{path}/1"), member, json!(null))
            .await;
        let first = expect(board, StatusCode::OK, "board").json()["items"][0]["item"]
            .as_u64()
            .unwrap();
        let mark = self
            .app
            .api(
                "PUT",
                &format!("{path}/1/marks/{first}"),
                member,
                json!({"choice": PAYLOADS[0]}),
            )
            .await;
        expect(mark, StatusCode::OK, "mark");
    }
}

/// Payloads in the request itself (a query, an election's name): answered, never shown as
/// markup.
async fn reflected(sweep: &mut Sweep, staff: &Staff<'_>) {
    let (cookie, _) = staff.app.login(Role::Commissioner).await;
    let h = urlencode(&staff.name);
    for p in PAYLOADS {
        let q = urlencode(p);
        for url in [
            format!("/elections/{h}?by={q}"),
            format!("/elections/{h}/seats?law={q}"),
            format!("/elections/{h}/counts?law={q}"),
            format!("/elections/{h}/staff?done={q}&id=1"),
            format!("/elections/{q}"),
            format!("/elections/{q}/units/1"),
        ] {
            sweep
                .visit(&staff.app.router, "reflected", &url, &[("cookie", &cookie)])
                .await;
        }
    }
}

/// The log's page: each election's signed checkpoint (whose origin carries the election's
/// name) and the command that verifies its log.
async fn the_log_page_of_a_published_log(sweep: &mut Sweep, app: &App) {
    sweep.visit(&app.router, "/verify", "/verify", &[]).await;
}
