//! The desk's acts: each form posts to a handler that does what the API does and then
//! returns to the desk (303) saying what was done ([`super::Done`]); a refusal is an error,
//! which the edge writes as a page in the reader's language with a way back to the desk.

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use model::{Line, UnitId};
use store::Staffing;

use super::done::Act;
use crate::auth::{self, Caller};
use crate::form::{DeskForm, Upload};
use crate::pages::urlencode;
use crate::reader::Reader;
use crate::staff::{self, Entered, Login, NewDecision};
use crate::{accounts, rulings};
use crate::{AppState, ClientAddr, ServerError};

/// Logs in; with a one-time password, answers the page on which the user chooses their own
/// (never cached), which logs them in.
pub(crate) async fn login_form(
    State(s): State<AppState>,
    Extension(addr): Extension<ClientAddr>,
    r: Reader,
    Form(l): Form<Login>,
) -> Result<Response, ServerError> {
    let password = l.password.clone();
    match staff::start_session(&s, addr, l).await? {
        staff::LoggedIn::Session(token, _, _) => {
            Ok((auth::set_cookie(&token), Redirect::to("/")).into_response())
        }
        staff::LoggedIn::OneTime(u) => Ok(shown_once(super::choose_password_page(
            &r, &u.name, &password,
        ))),
    }
}

pub(crate) async fn logout_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
) -> Result<Response, ServerError> {
    staff::end_session(&s, &who).await?;
    Ok((auth::clear_cookie(), Redirect::to("/")).into_response())
}

pub(crate) async fn audit_start_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    let file_text = |key: &str| -> Result<Option<String>, ServerError> {
        form.file(key)
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
    // Records too large for the form are named: sent in parts, or in the audit files'
    // directory.
    let named = form
        .get("cvrs_name")
        .map(|v| v.trim())
        .filter(|v| !v.is_empty());
    if named.is_some() && form.file("cvrs").is_some() {
        return Err(ServerError::BadRequest(
            "field 'cvrs_name': choose the records' file or name them, not both".into(),
        ));
    }
    let manifest = file_text("manifest")?;
    let uploaded = stored(&s, &who, form.file("cvrs")).await?;
    let start = crate::audits::Start {
        audit: form.get("audit").cloned().unwrap_or_default(),
        law: form.get("law").cloned().unwrap_or_default(),
        risk_limit,
        method: form.get("method").cloned(),
        seed: form.get("seed").cloned().unwrap_or_default(),
        manifest,
        cvrs: uploaded.clone().or(named.map(str::to_string)),
    };
    let started = crate::audits::started(&s, &who.acting()?, &name, start).await;
    unless_done(&s, &who, uploaded, started).await?;
    Ok(back_to_desk(&name, Act::AuditStarted, 0))
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
                Act::Round,
                r["round"].as_i64().unwrap_or(0),
            ))
        }
        Some("readings") => {
            let file = form.file("readings").ok_or_else(|| {
                ServerError::BadRequest("field 'readings': choose the filled retrieval list".into())
            })?;
            let r = crate::audits::recorded(&s, by, &name, &audit, file.bytes.to_vec()).await?;
            Ok(back_to_desk(
                &name,
                Act::Recorded,
                r["round"].as_i64().unwrap_or(0),
            ))
        }
        Some("escalate") => {
            let size = crate::audits::escalated(&s, by, &name, &audit).await?;
            Ok(back_to_desk(&name, Act::Escalated, size as i64 - 1))
        }
        Some("target-flagged") => {
            let above = form
                .get("flagged_above")
                .and_then(|x| x.trim().replace(',', ".").parse::<f64>().ok())
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    ServerError::BadRequest("field 'flagged_above': a score, such as 5.5".into())
                })?;
            let targets = crate::audits::Targets {
                flagged_above: Some(above),
                ..Default::default()
            };
            let r = crate::audits::targeted(&s, by, &name, &audit, targets).await?;
            Ok(back_to_desk(&name, Act::Targeted, r["logged_as"].as_i64().unwrap_or(0)))
        }
        Some("target-complaint") => {
            let complaint = count(&form, "complaint")?.ok_or_else(|| {
                ServerError::BadRequest("field 'complaint': the complaint's log entry".into())
            })?;
            let targets = crate::audits::Targets {
                complaint: Some(complaint),
                ..Default::default()
            };
            let r = crate::audits::targeted(&s, by, &name, &audit, targets).await?;
            Ok(back_to_desk(&name, Act::Targeted, r["logged_as"].as_i64().unwrap_or(0)))
        }
        Some("targeted-counts") => {
            let file = form.file("targeted").ok_or_else(|| {
                ServerError::BadRequest("field 'targeted': choose the hand counts' file".into())
            })?;
            let r =
                crate::audits::counted_targets(&s, by, &name, &audit, file.bytes.to_vec()).await?;
            Ok(back_to_desk(&name, Act::TargetCounted, r["logged_as"].as_i64().unwrap_or(0)))
        }
        Some("boards") => {
            let boards = super::boards::formed_boards(&form)?;
            crate::boards::formed_by(&s, by, &name, &audit, boards).await?;
            let round = s.live.with(&s.db, &name, |v| {
                Ok(audit::logged::logged(v.audit_entries(), &audit)?.rounds.len())
            })?;
            Ok(back_to_desk(&name, Act::Boards, round as i64))
        }
        _ => Err(ServerError::BadRequest(
            "field 'action' must be round, readings, escalate, target-flagged, target-complaint, targeted-counts or boards".into(),
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
        category: form.get("category").filter(|c| !c.is_empty()).cloned(),
        text: form.get("text").cloned().unwrap_or_default(),
        scan: stored(&s, &who, form.file("scan")).await?,
    };
    let scan = c.scan.clone();
    let filed = staff::file_complaint(&s, who.acting()?, name.clone(), c).await;
    let size = unless_done(&s, &who, scan, filed).await?;
    Ok(back_to_desk(&name, Act::Complained, size as i64 - 1))
}

pub(crate) async fn certify_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    // Certification freezes the result: the form asks the commissioner to confirm.
    if form.get("confirm").map(String::as_str) != Some("yes") {
        return Err(ServerError::BadRequest(
            "field 'confirm': confirm that you checked what will be certified".into(),
        ));
    }
    let law = form.get("law").filter(|l| !l.is_empty()).cloned();
    // The log's size the form showed its summary at: certified only if it is still that.
    let seen = match text(&form, "at") {
        None => None,
        Some(n) => Some(n.trim().parse::<u64>().map_err(|_| {
            ServerError::BadRequest(format!("field 'at': '{n}' is not a log size"))
        })?),
    };
    let (size, _) = staff::publication(
        &s,
        who.acting()?,
        name.clone(),
        record::Stage::Final,
        law,
        text(&form, "reason"),
        seen,
    )
    .await?;
    Ok(back_to_desk(&name, Act::Certified, size as i64 - 1))
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

/// Stores every file of `files` (as [`stored`]); if one is refused, the others are taken
/// back. Answers each `sha256:<hex>`.
async fn stored_all(
    s: &AppState,
    who: &Caller,
    files: Vec<&Upload>,
) -> Result<Vec<String>, ServerError> {
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let one = stored(s, who, Some(f)).await.map(Option::unwrap_or_default);
        out.push(unless_done(s, who, out.clone(), one).await?);
    }
    Ok(out)
}

/// The act's outcome; if it was refused, the files its form carried are taken back, so that
/// a refused form stores nothing.
async fn unless_done<T>(
    s: &AppState,
    who: &Caller,
    files: impl IntoIterator<Item = String>,
    outcome: Result<T, ServerError>,
) -> Result<T, ServerError> {
    if outcome.is_err() {
        for f in files {
            let (user, f) = (who.staff()?.clone(), store::FileRef::parse(&f)?);
            staff::write(s, move |st| Ok(st.forget_upload(&user, &f)?)).await?;
        }
    }
    outcome
}

/// Back to the desk after an act (303), saying what was done.
fn back_to_desk(name: &str, done: Act, id: i64) -> Response {
    Redirect::to(&format!(
        "/elections/{}/staff?done={}&id={id}",
        urlencode(name),
        done.key()
    ))
    .into_response()
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

/// The form's votes, `vote_0` on, as many as it has fields: a blank one is refused (0 where a
/// choice has none), never read as the end of the list.
fn votes(form: &DeskForm) -> Result<Vec<u64>, ServerError> {
    let mut votes = Vec::new();
    loop {
        let key = format!("vote_{}", votes.len());
        if form.get(&key).is_none() {
            return Ok(votes);
        }
        votes.push(count(form, &key)?.ok_or_else(|| {
            ServerError::BadRequest(format!(
                "field '{key}': blank: give every choice's count, 0 where it has none"
            ))
        })?);
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

/// Enters a protocol (`action=enter`), or checks its figures against the election's
/// control relations and shows the desk again with them (`action=check`: nothing is stored,
/// not even the scan).
pub(crate) async fn enter_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    r: Reader,
    form: DeskForm,
) -> Result<Response, ServerError> {
    let station = unit_id(&form, "station")?
        .ok_or_else(|| ServerError::BadRequest("field 'station' is missing".into()))?;
    if form.get("action").map(String::as_str) == Some("check") {
        let mut p = model::Protocol::new(station, 0, 0);
        p.source = match form.get("source").map(String::as_str) {
            Some("machine") => model::CountSource::Machine,
            _ => model::CountSource::Manual,
        };
        for &l in Line::ALL {
            if let Some(v) = count(&form, l.key())? {
                p.set_line(l, v);
            }
        }
        p.votes = votes(&form)?;
        let q = super::DeskQuery::chosen(station);
        let typed = super::Typed { protocol: p };
        let page = super::render(s, who, name, q, r, Some(typed)).await?;
        return Ok(super::with_scripts(page));
    }
    let by = who.acting()?;
    let mut lines = std::collections::BTreeMap::new();
    for &l in Line::ALL {
        if let Some(v) = count(&form, l.key())? {
            lines.insert(l.key().to_string(), v);
        }
    }
    let votes = votes(&form)?;
    let e = Entered {
        station: station.0,
        contest: 0,
        source: form.get("source").cloned(),
        lines,
        votes,
        scan: stored(&s, &who, form.file("scan")).await?,
        code: form.get("code").cloned(),
    };
    let scan = e.scan.clone();
    let entered = staff::enter_protocol(&s, by, name.clone(), e).await;
    let v = unless_done(&s, &who, scan, entered).await?;
    let id = v["id"].as_i64().unwrap_or(0);
    Ok(back_to_desk(&name, Act::Entered, id))
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
    let decision = if accept {
        Ok(())
    } else {
        Err(text(&form, "reason"))
    };
    staff::settle(&s, who.acting()?, name.clone(), id, decision).await?;
    Ok(back_to_desk(
        &name,
        if accept { Act::Verified } else { Act::Rejected },
        id,
    ))
}

/// Lifts the quarantine of an entered protocol, with the reason (the commission's form).
pub(crate) async fn override_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, id)): Path<(String, i64)>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    ruling_form(&s, &who, name, id, &form, rulings::OnEntered::Override).await
}

/// Chooses one of two keyings that differ, with the reason (the commission's form).
pub(crate) async fn resolve_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, id)): Path<(String, i64)>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    ruling_form(&s, &who, name, id, &form, rulings::OnEntered::Resolve).await
}

/// A commissioner's ruling on entered protocol `id`, with the form's reason; back to the desk.
async fn ruling_form(
    s: &AppState,
    who: &Caller,
    name: String,
    id: i64,
    form: &DeskForm,
    ruling: rulings::OnEntered,
) -> Result<Response, ServerError> {
    let reason = form.get("reason").cloned().unwrap_or_default();
    let done = match ruling {
        rulings::OnEntered::Override => Act::Overridden,
        rulings::OnEntered::Resolve => Act::Resolved,
    };
    rulings::on_entered(s, who.acting()?, name.clone(), id, ruling, &reason).await?;
    Ok(back_to_desk(&name, done, id))
}

/// Moves a complaint forward, with a reason and the decision that answers it (the
/// commission's form).
pub(crate) async fn review_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, complaint)): Path<(String, u64)>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    let decision = match text(&form, "decision") {
        None => None,
        Some(d) => Some(d.trim().parse::<u64>().map_err(|_| {
            ServerError::BadRequest(format!("field 'decision': '{d}' is not a log entry"))
        })?),
    };
    let n = rulings::NewStatus {
        status: form.get("status").cloned().unwrap_or_default(),
        reason: form.get("reason").cloned().unwrap_or_default(),
        decision,
    };
    let size = rulings::review(&s, who.acting()?, name.clone(), complaint, n).await?;
    Ok(back_to_desk(&name, Act::Reviewed, size as i64 - 1))
}

/// Switches blind double entry on (`double=on`) or off (the commission's form).
pub(crate) async fn intake_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    let double = match form.get("double").map(String::as_str) {
        Some("on") => true,
        Some("off") => false,
        _ => {
            return Err(ServerError::BadRequest(
                "field 'double' must be on or off".into(),
            ))
        }
    };
    let size = rulings::intake(&s, who.acting()?, name.clone(), double).await?;
    Ok(back_to_desk(&name, Act::Intake, size as i64 - 1))
}

/// Adds a user in this election (the admin's form): answers the page that shows the first
/// half of their one-time password, once.
pub(crate) async fn add_user_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    r: Reader,
    form: DeskForm,
) -> Result<Response, ServerError> {
    let role = accounts::role(form.get("role").map_or("", String::as_str))?;
    let user = form.get("name").cloned().unwrap_or_default();
    let elections = Some(vec![name.clone()]);
    let (u, first) = accounts::add(&s, who.acting()?, user, role, elections).await?;
    staff::caught_up(&s, &name).await?;
    let page = super::page_with(s, name, r, move |l, base| {
        super::admin::password(l, &u.name, &first, super::admin::Half::First, base)
    })
    .await?;
    Ok(shown_once(page))
}

/// A page with a one-time password: never kept by a cache.
fn shown_once(page: String) -> Response {
    (
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Html(page),
    )
        .into_response()
}

/// Resets a user's password (the admin's form): answers the page that shows the first half
/// of the new one-time password, once.
pub(crate) async fn reset_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, user)): Path<(String, String)>,
    r: Reader,
) -> Result<Response, ServerError> {
    let (u, first) = accounts::reset(&s, who.acting()?, user).await?;
    let page = super::page_with(s, name, r, move |l, base| {
        super::admin::password(l, &u.name, &first, super::admin::Half::First, base)
    })
    .await?;
    Ok(shown_once(page))
}

/// Approves what another admin granted a user (the admin's form): for an account an admin
/// added or reset, answers the page that shows the second half of its one-time password,
/// once.
pub(crate) async fn approve_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, user)): Path<(String, String)>,
    r: Reader,
) -> Result<Response, ServerError> {
    let (u, second) = accounts::approve(&s, who.acting()?, user).await?;
    staff::caught_up(&s, &name).await?;
    let Some(second) = second else {
        return Ok(back_to_desk(&name, Act::Approved, 0));
    };
    let page = super::page_with(s, name, r, move |l, base| {
        super::admin::password(l, &u.name, &second, super::admin::Half::Second, base)
    })
    .await?;
    Ok(shown_once(page))
}

/// Disables a user (the admin's form).
pub(crate) async fn disable_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, user)): Path<(String, String)>,
) -> Result<Response, ServerError> {
    accounts::disable(&s, who.acting()?, user).await?;
    Ok(back_to_desk(&name, Act::Disabled, 0))
}

/// Lets an operator enter protocols in a unit chosen by search (the admin's form).
pub(crate) async fn assign_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    let unit = unit_id(&form, "unit")?
        .ok_or_else(|| ServerError::BadRequest("field 'unit' is missing".into()))?;
    let user = form.get("user").cloned().unwrap_or_default();
    let size = staff::assign_operator(&s, who.acting()?, name.clone(), user, unit).await?;
    Ok(back_to_desk(&name, Act::Assigned, size as i64 - 1))
}

/// A form's free text, if not blank.
fn text(form: &DeskForm, key: &str) -> Option<String> {
    form.get(key).filter(|t| !t.trim().is_empty()).cloned()
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
    Ok(back_to_desk(&name, Act::Decided, size as i64 - 1))
}

/// An observer's report from the desk's form: the station, the lines a copy gives
/// (`super::quick::LINES`) and every choice's votes (`vote_0`, `vote_1`, ...); or, from the
/// phone's scan, the posted protocol's QR `code` alone.
pub(crate) async fn pvt_report_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, pvt)): Path<(String, String)>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    if let Some(code) = text(&form, "code") {
        let copy = crate::quick::from_code(&code)?;
        let answer =
            crate::quick::log_reports(&s, who.acting()?, name.clone(), pvt, vec![copy]).await?;
        let entry = answer["reports"][0]["logged_as"].as_i64().unwrap_or(0);
        return Ok(back_to_desk(&name, Act::Reported, entry));
    }
    let station = unit_id(&form, "station")?
        .ok_or_else(|| ServerError::BadRequest("field 'station' is missing".into()))?;
    let mut p = model::Protocol::new(station, 0, 0);
    for line in super::quick::LINES {
        if let Some(n) = count(&form, line.key())? {
            p.set_line(line, n);
        }
    }
    for i in 0.. {
        match count(&form, &format!("vote_{i}"))? {
            Some(n) => p.votes.push(n),
            None => break,
        }
    }
    let answer =
        crate::quick::log_reports(&s, who.acting()?, name.clone(), pvt, vec![(p, None)]).await?;
    let entry = answer["reports"][0]["logged_as"].as_i64().unwrap_or(0);
    Ok(back_to_desk(&name, Act::Reported, entry))
}

/// A supervisor's review from the desk's form: station, action, the chosen report, reason.
pub(crate) async fn pvt_review_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, pvt)): Path<(String, String)>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    let station = unit_id(&form, "station")?
        .ok_or_else(|| ServerError::BadRequest("field 'station' is missing".into()))?;
    let report = match text(&form, "report") {
        None => None,
        Some(r) => Some(r.trim().parse::<u64>().map_err(|_| {
            ServerError::BadRequest(format!("field 'report': '{r}' is not a log entry"))
        })?),
    };
    let r = crate::quick::NewReview {
        station: station.0,
        action: text(&form, "action").unwrap_or_default(),
        report,
        reason: form.get("reason").cloned().unwrap_or_default(),
    };
    let size = crate::quick::log_review(&s, who.acting()?, name.clone(), pvt, r).await?;
    Ok(back_to_desk(&name, Act::Supervised, size as i64 - 1))
}

/// An observer's incident report from the desk's form: the unit chosen, the category, the
/// time (the form's `YYYY-MM-DDTHH:MM`, UTC), whether to coarsen, the text, the photos (at
/// most [`record::MAX_PHOTOS`]; stored without their metadata, taken back if the report is
/// refused).
pub(crate) async fn incident_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    let unit = unit_id(&form, "unit")?
        .ok_or_else(|| ServerError::BadRequest("field 'unit' is missing".into()))?;
    let photos: Vec<&Upload> = form.files_of("photos").collect();
    if photos.len() > record::MAX_PHOTOS {
        return Err(ServerError::BadRequest(format!(
            "field 'photos': {} photos, at most {}",
            photos.len(),
            record::MAX_PHOTOS
        )));
    }
    let photos = stored_all(&s, &who, photos).await?;
    let r = crate::incidents::NewIncident {
        category: text(&form, "category").unwrap_or_default(),
        unit: unit.0,
        time: text(&form, "time")
            .unwrap_or_default()
            .trim()
            .replacen('T', " ", 1),
        coarsen: form.get("coarsen").map(String::as_str) == Some("yes"),
        text: form.get("text").cloned().unwrap_or_default(),
        photos: photos.clone(),
    };
    let reported = crate::incidents::report(&s, who.acting()?, name.clone(), r).await;
    let (size, _) = unless_done(&s, &who, photos, reported).await?;
    Ok(back_to_desk(&name, Act::Incident, size as i64 - 1))
}

/// A supervisor's status for incident `id` (its entry) from the desk's form.
pub(crate) async fn incident_status_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, id)): Path<(String, u64)>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    let r = crate::incidents::NewStatus {
        status: text(&form, "status").unwrap_or_default(),
        reason: form.get("reason").cloned().unwrap_or_default(),
    };
    let size = crate::incidents::give_status(&s, who.acting()?, name.clone(), id, r).await?;
    Ok(back_to_desk(&name, Act::IncidentStatus, size as i64 - 1))
}
