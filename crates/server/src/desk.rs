//! The staff desk: the login form and, per election, the forms of the logged-in user's role
//! (protocol entry, verification, decisions). Plain HTML forms, no JavaScript; each form
//! carries the session's CSRF token, and each posts to a handler that does what the API does
//! and then returns to the desk (303).

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use model::{Election, UnitId};
use model::{Line, UnitLevel};
use record::Role;
use store::{Pending, Staffing, User};

use crate::auth::{self, Caller};
use crate::form::{DeskForm, Upload};
use crate::pages::urlencode;

/// The desk's page frame (to be moved onto the `ui` layout with the desk's forms).
fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>{t}</title><style>body{{font:15px/1.4 system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}}\
table{{border-collapse:collapse}}td,th{{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:right}}\
td:first-child,th:first-child{{text-align:left}}small{{color:#555}}\
pre{{white-space:pre-wrap}}pre,code{{overflow-wrap:anywhere}}.wide{{overflow-x:auto}}</style></head><body>{body}</body></html>",
        t = text(title)
    )
}
use crate::pool::Pool;
use crate::public::blocking;
use crate::staff::{self, Entered, Login, NewDecision};
use crate::{AppState, ClientAddr, ServerError};

const LOGIN_FORM: &str = "<form method=\"post\" action=\"/login\"><p><label>name / имя / аты <input name=\"name\" autocomplete=\"username\" required></label></p>\
<p><label>password / пароль / сырсөз <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label></p>\
<p><button>log in / войти / кирүү</button></p></form>";

pub(crate) async fn login_page() -> Html<String> {
    Html(page(
        "tallyproof: staff login",
        &format!("<p><a href=\"/\">elections</a></p><h1>Staff login <small>/ Вход для сотрудников / Кызматкерлер үчүн кирүү</small></h1>{LOGIN_FORM}\
<p><small>The public needs no login. / Для просмотра результатов вход не нужен.</small></p>"),
    ))
}

pub(crate) async fn login_form(
    State(s): State<AppState>,
    Extension(addr): Extension<ClientAddr>,
    Form(l): Form<Login>,
) -> Result<Response, ServerError> {
    let (token, _, _) = staff::start_session(&s, addr, l).await?;
    Ok((auth::set_cookie(&token), Redirect::to("/")).into_response())
}

pub(crate) async fn logout_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
) -> Result<Response, ServerError> {
    staff::end_session(&s, &who).await?;
    Ok((auth::clear_cookie(), Redirect::to("/")).into_response())
}

fn hidden_csrf(who: &Caller) -> String {
    who.session.as_ref().map_or(String::new(), |(_, c)| {
        format!(
            "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
            attr(c)
        )
    })
}

/// The desk of election `name` for the caller's role.
pub(crate) async fn desk_page(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    Query(done): Query<Done>,
) -> Result<Html<String>, ServerError> {
    let back = format!(
        "<p><a href=\"/elections/{0}\">results</a></p>",
        urlencode(&name)
    );
    let Some(user) = who.user.clone() else {
        return Ok(Html(page(
            "tallyproof: staff desk",
            &format!("{back}<h1>Staff desk <small>/ Рабочее место / Жумуш орду</small></h1><p>Log in to act. / Войдите.</p>{LOGIN_FORM}"),
        )));
    };
    let (state, n, w) = (s.clone(), name.clone(), who.clone());
    let html = blocking(move || {
        let store = Pool::get(&state.db)?;
        let (pending, assigned) = (store.pending(&n)?, store.assignments(user.id, &n)?);
        drop(store);
        state.live.with(&state.db, &n, |v| {
            let audits = if user.role == Role::Auditor {
                crate::data::audits(&state.db, v, &n)?
            } else {
                Vec::new()
            };
            let work = Work {
                pending: &pending,
                assigned: &assigned,
                audits: &audits,
            };
            Ok(render(v.election(), &w, &user, &n, &work, &done))
        })
    })
    .await?;
    Ok(Html(html))
}

/// What the desk lists: protocols waiting, the operator's units, the audits.
struct Work<'a> {
    pending: &'a [Pending],
    assigned: &'a [UnitId],
    audits: &'a [Result<audit::logged::Report, String>],
}

/// The desk's page for a logged-in user.
fn render(
    e: &Election,
    who: &Caller,
    user: &User,
    name: &str,
    work: &Work<'_>,
    done: &Done,
) -> String {
    let (pending, assigned) = (work.pending, work.assigned);
    let back = format!(
        "<p><a href=\"/elections/{0}\">results</a></p>",
        urlencode(name)
    );
    let csrf = hidden_csrf(who);
    let base = format!("/elections/{}/staff", urlencode(name));
    let mut body = format!(
        "{back}<h1>Staff desk <small>/ Рабочее место / Жумуш орду</small>: {}</h1><p>{} ({})</p>\
<form method=\"post\" action=\"/logout\">{csrf}<button>log out / выйти / чыгуу</button></form>",
        text(&name),
        text(&user.name),
        user.role.key()
    );
    body.push_str(&done.message());
    let role = who.role();
    if role == Some(Role::Operator) {
        let stations: Vec<String> = e
            .units
            .iter()
            .filter(|(id, u)| {
                u.level == UnitLevel::Station
                    && e.units.ancestry(*id).any(|c| assigned.contains(&c))
            })
            .take(500)
            .map(|(id, _)| {
                format!(
                    "<option value=\"{}\">{}</option>",
                    id.0,
                    text(&e.units.path(id))
                )
            })
            .collect();
        let lines: String = Line::ALL
            .iter()
            .filter(|l| {
                matches!(
                    l,
                    Line::Registered
                        | Line::IssuedTotal
                        | Line::FoundTotal
                        | Line::Invalid
                        | Line::Valid
                )
            })
            .map(|l| {
                format!(
                    "<tr><td>{}</td><td><input name=\"{}\" inputmode=\"numeric\"></td></tr>",
                    text(l.label()),
                    l.key()
                )
            })
            .collect();
        let votes: String = e.contests.first().map_or(String::new(), |c| {
            c.choices
                .iter()
                .enumerate()
                .map(|(i, ch)| format!("<tr><td>{}</td><td><input name=\"vote_{i}\" inputmode=\"numeric\" required></td></tr>", text(&ch.name)))
                .collect()
        });
        body.push_str(&format!(
            "<h2>Enter a protocol <small>/ Ввод протокола / Протоколду киргизүү</small></h2>{}<form method=\"post\" action=\"{base}/protocols\" enctype=\"multipart/form-data\">{csrf}\
<p><label>station / участок <select name=\"station\">{}</select></label> <label>count / подсчёт <select name=\"source\"><option>manual</option><option>machine</option></select></label></p>\
<table>{lines}{votes}</table><p><label>scan of the paper protocol / скан протокола <input type=\"file\" name=\"scan\" accept=\"image/*,application/pdf\"></label></p>\
<p><button>enter / ввести / киргизүү</button></p></form>",
            if stations.is_empty() { "<p>No station is assigned to you. / Участки не назначены.</p>" } else { "" },
            stations.join("")
        ));
    }
    if matches!(
        role,
        Some(Role::Operator | Role::Verifier | Role::Commissioner)
    ) {
        let mut rows = String::from("<table><tr><th>id</th><th>station</th><th>version</th><th>count</th><th>votes</th><th>entered by</th><th></th></tr>");
        for p in pending {
            let station = p.protocol.station;
            let path = if station.index() < e.units.len() {
                e.units.path(station)
            } else {
                station.0.to_string()
            };
            let act = if role == Some(Role::Verifier) {
                format!(
                    "<form method=\"post\" action=\"{base}/pending/{}\">{csrf}<button name=\"action\" value=\"verify\">verify / подтвердить / ырастоо</button> \
<button name=\"action\" value=\"reject\">reject / отклонить / четке кагуу</button></form>",
                    p.id
                )
            } else {
                String::new()
            };
            let votes: Vec<String> = p.protocol.votes.iter().map(u64::to_string).collect();
            rows.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{act}</td></tr>",
                p.id,
                text(&path),
                p.protocol.version,
                p.protocol.source.key(),
                votes.join(" · "),
                text(&p.entered_by)
            ));
        }
        rows.push_str("</table>");
        body.push_str(&format!(
            "<h2>Waiting for verification <small>/ Ожидают проверки / Текшерүүнү күтүүдө</small></h2>{rows}"
        ));
    }
    if role == Some(Role::Observer) {
        body.push_str(&format!(
            "<h2>File a complaint <small>/ Жалоба / Даттануу</small></h2><form method=\"post\" action=\"{base}/complaints\" enctype=\"multipart/form-data\">{csrf}\
<p><label>unit id / единица <input name=\"unit\" inputmode=\"numeric\" required></label></p>\
<p><label>complaint / текст <textarea name=\"text\" required></textarea></label></p>\
<p><label>attachment / приложение <input type=\"file\" name=\"scan\"></label></p>\
<p><small>Your name, the text and the attachment enter the log only as commitments; the commission can redact them.</small></p>\
<p><button>file / подать</button></p></form>"
        ));
    }
    if role == Some(Role::Commissioner) {
        body.push_str(&format!(
            "<h2>Certify <small>/ Утвердить итоги / Жыйынтыктарды бекитүү</small></h2><form method=\"post\" action=\"{base}/certify\">{csrf}\
<p>The final result as it stands now (totals and seats under the law) enters the log as the final publication.</p>\
<p><label>law <select name=\"law\"><option>kg2020</option><option>kg2021</option><option>kg2015</option><option>kg2010</option>\
<option value=\"\">(totals only)</option></select></label> <button>certify / утвердить / бекитүү</button></p></form>"
        ));
        body.push_str(&format!(
            "<h2>Decide <small>/ Решение / Чечим</small></h2><form method=\"post\" action=\"{base}/decisions\">{csrf}\
<p><label>decision <select name=\"kind\"><option value=\"annul-unit\">annul a unit / отменить итоги / жыйынтыктарды жокко чыгаруу</option><option value=\"recount\">recount / пересчёт / кайра эсептөө</option>\
<option value=\"revote\">re-vote / повторное голосование / кайра добуш берүү</option><option value=\"annul-election\">annul the election / признать выборы недействительными</option><option value=\"reopen\">reopen a certified or annulled election / возобновить</option></select></label></p>\
<p><label>unit id / единица <input name=\"unit\" inputmode=\"numeric\"></label></p><p><label>reason / основание <textarea name=\"reason\" required></textarea></label></p>\
<p><button>decide / принять решение / чечим кабыл алуу</button></p></form>"
        ));
    }
    if role == Some(Role::Auditor) {
        body.push_str(&audit_forms(name, &csrf, work.audits));
    }
    page(&format!("{name}: staff desk"), &body)
}

/// The auditor's forms: each audit with its rounds' retrieval lists and its next step, and
/// a form to start one.
fn audit_forms(name: &str, csrf: &str, audits: &[Result<audit::logged::Report, String>]) -> String {
    let base = format!("/elections/{}/staff/audits", urlencode(name));
    let mut out = String::from("<h2>Audits <small>/ Аудит</small></h2>");
    for a in audits {
        let r = match a {
            Ok(r) => r,
            Err(why) => {
                out.push_str(&format!("<p>{}</p>", text(why)));
                continue;
            }
        };
        let lists: Vec<String> = (1..=r.rounds.len())
            .map(|k| {
                format!(
                    "<a href=\"/api/elections/{}/audits/{}/rounds/{k}\">round {k}</a>",
                    urlencode(name),
                    urlencode(&r.audit)
                )
            })
            .collect();
        out.push_str(&format!(
            "<h3>{} <small>({}, risk limit {}%, seed {})</small></h3><p>{}</p><p>Retrieval lists (CSV): {}</p>",
            text(&r.audit),
            r.method,
            text(&r.risk_limit_percent),
            text(&r.seed),
            text(&r.verdict),
            if lists.is_empty() { "none yet".to_string() } else { lists.join(" · ") }
        ));
        if r.confirmed || r.escalated {
            continue;
        }
        let action = format!("{base}/{}", urlencode(&r.audit));
        if r.waiting {
            let what = if r.method == "batch" {
                "the drawn stations' hand counts (the retrieval list with a count per choice and Ballots)"
            } else {
                "the retrieval list with its Choice column filled"
            };
            out.push_str(&format!(
                "<form method=\"post\" action=\"{action}\" enctype=\"multipart/form-data\">{csrf}<input type=\"hidden\" name=\"action\" value=\"readings\">\
<p><label>round {} readings / результаты тура: {what} <input type=\"file\" name=\"readings\" accept=\"text/csv\" required></label> <button>record / внести</button></p></form>",
                r.rounds.len()
            ));
        } else {
            out.push_str(&format!(
                "<form method=\"post\" action=\"{action}\" enctype=\"multipart/form-data\">{csrf}<input type=\"hidden\" name=\"action\" value=\"round\">\
<p><label>draws / выборка{} <input name=\"ballots\" inputmode=\"numeric\"></label> <button>draw round {} / провести тур</button></p></form>",
                r.next_round.map_or(String::new(), |n| format!(" (suggested {n}; empty: the suggestion)")),
                r.rounds.len() + 1
            ));
        }
        out.push_str(&format!(
            "<form method=\"post\" action=\"{action}\" enctype=\"multipart/form-data\">{csrf}<input type=\"hidden\" name=\"action\" value=\"escalate\">\
<p><button>escalate to a full hand count / полный ручной пересчёт</button></p></form>"
        ));
    }
    out.push_str(&format!(
        "<h3>Start an audit <small>/ Начать аудит / Аудитти баштоо</small></h3><form method=\"post\" action=\"{base}\" enctype=\"multipart/form-data\">{csrf}\
<p><label>name <input name=\"audit\" required></label> <label>law <select name=\"law\"><option>kg2020</option><option>kg2021</option><option>kg2015</option><option>kg2010</option></select></label></p>\
<p><label>method <select name=\"method\"><option value=\"batch\">batch (whole stations counted by hand)</option><option value=\"polling\">ballot polling</option>\
<option value=\"comparison\">ballot comparison (needs the cast-vote records)</option></select></label> <label>risk limit % <input name=\"risk_limit\" value=\"5\" inputmode=\"decimal\" required></label></p>\
<p><label>seed (from dice rolled in public) <input name=\"seed\" required></label></p>\
<p><label>ballot manifest (Arlo's CSV; default: each station's reported ballots) <input type=\"file\" name=\"manifest\" accept=\"text/csv\"></label></p>\
<p><label>cast-vote records (CSV: Batch Name, Position, Choice) <input type=\"file\" name=\"cvrs\" accept=\"text/csv\"></label></p>\
<p><button>start / начать / баштоо</button></p></form>"
    ));
    out
}

pub(crate) async fn audit_start_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    let file_text = |key: &str| -> Result<Option<String>, ServerError> {
        form.files
            .get(key)
            .map(|f| {
                String::from_utf8(f.bytes.to_vec()).map_err(|_| {
                    ServerError::BadRequest(format!("{}: the {key} is not UTF-8 text", f.name))
                })
            })
            .transpose()
    };
    let risk_limit = form
        .get("risk_limit")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .ok_or_else(|| ServerError::BadRequest("field 'risk_limit' is not a number".into()))?;
    let start = crate::audits::Start {
        audit: form.get("audit").cloned().unwrap_or_default(),
        law: form.get("law").cloned().unwrap_or_default(),
        risk_limit,
        method: form.get("method").cloned(),
        seed: form.get("seed").cloned().unwrap_or_default(),
        manifest: file_text("manifest")?,
        cvrs: stored(&s, &who, form.files.get("cvrs")).await?,
    };
    let cvrs = start.cvrs.clone();
    let started = crate::audits::started(&s, &who.acting()?, &name, start).await;
    unless_done(&s, &who, cvrs, started).await?;
    Ok(back_to_desk(&name, "audit-started", 0))
}

pub(crate) async fn audit_step_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, audit)): Path<(String, String)>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    let by = &who.acting()?;
    match form.get("action").map(String::as_str) {
        Some("round") => {
            let ballots = count(&form, "ballots")?;
            let r = crate::audits::sampled(&s, by, &name, &audit, ballots).await?;
            Ok(back_to_desk(
                &name,
                "round",
                r["round"].as_i64().unwrap_or(0),
            ))
        }
        Some("readings") => {
            let file = form.files.get("readings").ok_or_else(|| {
                ServerError::BadRequest("field 'readings': choose the filled retrieval list".into())
            })?;
            let r = crate::audits::recorded(&s, by, &name, &audit, file.bytes.to_vec()).await?;
            Ok(back_to_desk(
                &name,
                "recorded",
                r["round"].as_i64().unwrap_or(0),
            ))
        }
        Some("escalate") => {
            let size = crate::audits::escalated(&s, by, &name, &audit).await?;
            Ok(back_to_desk(&name, "escalated", size as i64 - 1))
        }
        _ => Err(ServerError::BadRequest(
            "field 'action' must be round, readings or escalate".into(),
        )),
    }
}

pub(crate) async fn complain_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    let unit = unit_id(&form, "unit")?
        .ok_or_else(|| ServerError::BadRequest("field 'unit' is missing".into()))?;
    let c = staff::NewComplaint {
        unit: unit.0,
        text: form.get("text").cloned().unwrap_or_default(),
        scan: stored(&s, &who, form.files.get("scan")).await?,
    };
    let scan = c.scan.clone();
    let filed = staff::file_complaint(&s, who.acting()?, name.clone(), c).await;
    let size = unless_done(&s, &who, scan, filed).await?;
    Ok(back_to_desk(&name, "complained", size as i64 - 1))
}

pub(crate) async fn certify_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    let law = form.get("law").filter(|l| !l.is_empty()).cloned();
    let (size, _) =
        staff::publication(&s, who.acting()?, name.clone(), record::Stage::Final, law).await?;
    Ok(back_to_desk(&name, "certified", size as i64 - 1))
}

/// Stores a file sent with a form (as `PUT /api/scans` does); answers `sha256:<hex>`.
async fn stored(
    s: &AppState,
    who: &Caller,
    file: Option<&Upload>,
) -> Result<Option<String>, ServerError> {
    let Some(f) = file.cloned() else {
        return Ok(None);
    };
    let user = who.staff()?.clone();
    let file = staff::write(s, move |st| Ok(st.put_scan(&user, &f.bytes)?)).await?;
    Ok(Some(file.to_string()))
}

/// The act's outcome; if it was refused, the file its form carried is taken back, so that a
/// refused form stores nothing.
async fn unless_done<T>(
    s: &AppState,
    who: &Caller,
    file: Option<String>,
    outcome: Result<T, ServerError>,
) -> Result<T, ServerError> {
    if let (Err(_), Some(f)) = (&outcome, file) {
        let (user, f) = (who.staff()?.clone(), store::FileRef::parse(&f)?);
        staff::write(s, move |st| Ok(st.forget_upload(&user, &f)?)).await?;
    }
    outcome
}

/// Back to the desk after an act (303), saying what was done.
fn back_to_desk(name: &str, done: &str, id: i64) -> Response {
    Redirect::to(&format!(
        "/elections/{}/staff?done={done}&id={id}",
        urlencode(name)
    ))
    .into_response()
}

/// What the desk says after an act (`?done=...&id=...`).
#[derive(serde::Deserialize)]
pub(crate) struct Done {
    done: Option<String>,
    id: Option<i64>,
}

impl Done {
    fn message(&self) -> String {
        let id = self.id.unwrap_or(0);
        let what = match self.done.as_deref() {
            Some("entered") => format!("Protocol entry {id} is waiting for a second person's verification. / Протокол ожидает проверки."),
            Some("verified") => format!("Protocol entry {id} is verified and counts now. / Протокол подтверждён."),
            Some("rejected") => format!("Protocol entry {id} is rejected. / Протокол отклонён."),
            Some("decided") => format!("The decision is log entry {id}. / Решение внесено в журнал."),
            Some("complained") => format!("The complaint is log entry {id}. / Жалоба внесена в журнал."),
            Some("certified") => format!("The final result is log entry {id}. / Итоги утверждены."),
            Some("audit-started") => "The audit is started: draw its first round. / Аудит начат.".to_string(),
            Some("round") => format!("Round {id} is drawn: retrieve its ballots with the retrieval list. / Выборка тура {id} сделана."),
            Some("recorded") => format!("Round {id} is recorded. / Результаты тура {id} внесены."),
            Some("escalated") => format!("The audit is escalated to a full hand count (log entry {id}). / Назначен полный ручной пересчёт."),
            _ => return String::new(),
        };
        format!("<p role=\"status\"><strong>{}</strong></p>", text(&what))
    }
}

fn count(form: &DeskForm, key: &str) -> Result<Option<u64>, ServerError> {
    match form.get(key).map(|v| v.trim()) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| ServerError::BadRequest(format!("field '{key}': '{v}' is not a count"))),
    }
}

/// A unit id field, parsed once as its type (never wrapped into range); none if empty.
fn unit_id(form: &DeskForm, key: &str) -> Result<Option<UnitId>, ServerError> {
    match form.get(key).map(|v| v.trim()) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse::<UnitId>()
            .map(Some)
            .map_err(|e| ServerError::BadRequest(format!("field '{key}': {e}"))),
    }
}

pub(crate) async fn enter_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    let by = who.acting()?;
    let station = unit_id(&form, "station")?
        .ok_or_else(|| ServerError::BadRequest("field 'station' is missing".into()))?;
    let mut lines = std::collections::BTreeMap::new();
    for &l in Line::ALL {
        if let Some(v) = count(&form, l.key())? {
            lines.insert(l.key().to_string(), v);
        }
    }
    let mut votes = Vec::new();
    while let Some(v) = count(&form, &format!("vote_{}", votes.len()))? {
        votes.push(v);
    }
    let e = Entered {
        station: station.0,
        contest: 0,
        source: form.get("source").cloned(),
        lines,
        votes,
        scan: stored(&s, &who, form.files.get("scan")).await?,
    };
    let scan = e.scan.clone();
    let entered = staff::enter_protocol(&s, by, name.clone(), e).await;
    let v = unless_done(&s, &who, scan, entered).await?;
    let id = v["id"].as_i64().unwrap_or(0);
    Ok(back_to_desk(&name, "entered", id))
}

pub(crate) async fn verify_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, id)): Path<(String, i64)>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    let accept = match form.get("action").map(String::as_str) {
        Some("verify") => true,
        Some("reject") => false,
        _ => {
            return Err(ServerError::BadRequest(
                "field 'action' must be verify or reject".into(),
            ))
        }
    };
    staff::settle(&s, who.acting()?, name.clone(), id, accept).await?;
    Ok(back_to_desk(
        &name,
        if accept { "verified" } else { "rejected" },
        id,
    ))
}

pub(crate) async fn decide_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    let d = NewDecision {
        kind: form.get("kind").cloned().unwrap_or_default(),
        unit: unit_id(&form, "unit")?.map(|u| u.0),
        reason: form.get("reason").cloned().unwrap_or_default(),
    };
    let size = staff::decision(&s, who.acting()?, name.clone(), d).await?;
    Ok(back_to_desk(&name, "decided", size as i64 - 1))
}
