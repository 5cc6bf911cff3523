//! An observer group's quick count in the service (issue 20): observers report the
//! protocols they copied at the drawn stations assigned to them (JSON, a CSV file, the desk's
//! form), supervisors choose between reports that differ and put stations in quarantine, and
//! anyone reads the estimates. Every report and review is a staff act through the store
//! (`quick-count`, `supervise`), checked first by the quick count's own rules in the core
//! (`record::QuickCount::report_fault`, `review_fault`), so that the log's replay takes it.

use std::collections::{BTreeMap, HashMap, HashSet};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use model::{Election, Line, Protocol, UnitId};
use record::{encode, Entry, PvtStep, QuickCount, ReviewAction, StaffAct};
use serde::Deserialize;
use serde_json::{json, Value};
use store::Staffing;

use crate::auth::{Acting, Caller};
use crate::pool::Pool;
use crate::public::blocking;
use crate::staff::{act_checked, caught_up, set_lines};
use crate::{AppState, ServerError};

/// The most reports one request logs (a CSV file of an observer's stations).
pub(crate) const MOST_REPORTS: usize = 500;

/// An observer's copy of a drawn station's protocol.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewReport {
    /// The station's unit id (a typed copy).
    #[serde(default)]
    pub station: Option<u32>,
    /// Lines by key (`registered`, `issued_total`, `invalid`, ...).
    #[serde(default)]
    pub lines: BTreeMap<String, u64>,
    /// Votes per choice, in the contest's order.
    #[serde(default)]
    pub votes: Option<Vec<u64>>,
    /// Instead of the figures: the posted protocol's QR code, as read (`docs/protocol-qr.md`).
    #[serde(default)]
    pub code: Option<String>,
}

/// A copy to log: its figures, and the posted protocol's QR code they were read from, if any.
pub(crate) type Copy = (Protocol, Option<String>);

impl NewReport {
    fn copy(&self) -> Result<Copy, ServerError> {
        match (&self.code, self.station, &self.votes) {
            (Some(code), None, None) if self.lines.is_empty() => from_code(code),
            (None, Some(station), Some(votes)) => {
                let mut p = Protocol::new(UnitId(station), 0, 0);
                p.votes.clone_from(votes);
                set_lines(&mut p, &self.lines)?;
                Ok((p, None))
            }
            _ => Err(ServerError::BadRequest(
                "a report gives either its 'station', 'lines' and 'votes', or the posted \
                 protocol's QR 'code' alone"
                    .into(),
            )),
        }
    }
}

/// The copy a posted protocol's QR `code` holds (its station, lines and votes), logged with
/// the code as [`read_code`] takes it.
pub(crate) fn from_code(code: &str) -> Result<Copy, ServerError> {
    let (code, posted) = read_code(code)?;
    Ok((posted.protocol(), Some(code.to_string())))
}

/// A posted protocol's QR code as a reader or a paste gives it: the code without the blanks
/// around it (what is logged, or digested), and what it holds.
pub(crate) fn read_code(code: &str) -> Result<(&str, postedqr::Posted), ServerError> {
    let code = code.trim();
    let posted =
        postedqr::Posted::decode(code).map_err(|e| ServerError::BadRequest(e.to_string()))?;
    Ok((code, posted))
}

/// A supervisor's review of a drawn station.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewReview {
    /// The station's unit id.
    pub station: u32,
    /// `choose`, `quarantine` or `release`.
    pub action: String,
    /// The chosen report's log index (`choose` only).
    #[serde(default)]
    pub report: Option<u64>,
    /// Why: public, naming no one.
    pub reason: String,
}

/// Whether `user` holds their role in election `name` (a grant there that waits for no
/// approval).
pub(crate) fn granted_here(
    store: &store::SqlStore,
    user: &store::User,
    name: &str,
) -> Result<bool, ServerError> {
    Ok(store
        .grants(user.id)?
        .iter()
        .any(|(e, waiting)| e == name && !*waiting))
}

/// The quick count `pvt` of the election `v` shows, or 404.
pub(crate) fn find(
    v: &readmodel::View<'_>,
    name: &str,
    pvt: &str,
) -> Result<QuickCount, ServerError> {
    v.quick_counts()
        .into_iter()
        .find(|q| q.name == pvt)
        .ok_or_else(|| ServerError::NotFound(format!("no quick count '{pvt}' in '{name}'")))
}

/// A unit id of `e` that is a station, or why not.
fn station_of(e: &Election, id: u32) -> Result<UnitId, ServerError> {
    let unit = UnitId(id);
    if !e.units.is_station(unit) {
        return Err(ServerError::BadRequest(format!(
            "unit {id} is not a station"
        )));
    }
    Ok(unit)
}

/// `GET /api/elections/{name}/pvt`: every quick count of the election, with its sample, how
/// it reported and its estimates (each with its base and the stations it covers). Names no
/// observer.
pub(crate) async fn list_api(
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ServerError> {
    // Kept per log size: the estimates are recomputed once per new entry, not per request.
    let n = name.clone();
    crate::public::kept(s, name, "pvt".into(), "application/json", move |v| {
        let e = v.election();
        let counts: Vec<Value> = v.quick_counts().iter().map(|q| public(e, q)).collect();
        serde_json::to_vec(&json!({
            "election": n,
            "log_size": v.size(),
            "as_of": v.as_of().map(|t| t.to_string()),
            "quick_counts": counts,
        }))
        .map_err(|e| ServerError::Internal(e.to_string()))
    })
    .await
}

/// A quick count as the public reads it.
fn public(e: &Election, q: &QuickCount) -> Value {
    let paths =
        |units: &[UnitId]| -> Vec<String> { units.iter().map(|&u| e.units.path(u)).collect() };
    // The number an observer's SMS names each drawn station by (none where two of a stratum
    // share one: the SMS channel then refuses the quick count, and says so).
    let numbers = crate::sms::numbers_of(&q.drawn).ok();
    json!({
        "name": q.name,
        "contest": e.contests.get(q.contest).map(|c| c.name.clone()),
        "frame_stations": q.frame_stations,
        "designed": q.design.is_some(),
        "designed_at": q.designed_at.map(|t| t.to_string()),
        "designed_before_vote": q.designed_before_vote,
        "seed_revealed_at": q.revealed_at.map(|t| t.to_string()),
        "sample": q.design.as_ref().map(|d| d.size.stations),
        "drawn": q.drawn.iter().enumerate().map(|(k, d)| json!({
            "station": d.unit.0, "path": d.path, "stratum": d.stratum,
            "reserve": d.reserve, "rank": d.rank, "registered": d.registered,
            "sms_number": numbers.as_ref().map(|n| n.number(k)),
        })).collect::<Vec<_>>(),
        "reports_logged": q.reports_logged,
        "stations_counted": q.reports(),
        "conflicts": paths(&q.conflicts),
        "quarantined": paths(&q.quarantined),
        "revised": paths(&q.revised),
        "disputed": paths(&q.disputed),
        "estimates": q.estimates,
    })
}

/// `POST /api/elections/{name}/pvt/{pvt}/reports`: an observer's report (JSON), or their
/// reports in a CSV file (`Content-Type: text/csv`; [`read_csv`]), logged all or none.
pub(crate) async fn reports_api(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, pvt)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ServerError> {
    let by = who.acting()?;
    let csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/csv"));
    let copies = if csv {
        let (state, n, p) = (s.clone(), name.clone(), pvt.clone());
        blocking(move || {
            state.live.with(&state.db, &n, |v| {
                let read = read_csv(v.election(), v.quick(), &p, &body)?;
                Ok(read.into_iter().map(|c| (c, None)).collect::<Vec<Copy>>())
            })
        })
        .await?
    } else {
        let r: NewReport = serde_json::from_slice(&body)
            .map_err(|e| ServerError::BadRequest(format!("the report: {e}")))?;
        vec![r.copy()?]
    };
    let answer = log_reports(&s, by, name, pvt, copies).await?;
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// Logs `copies` as one `quick-count` act of observer `by`, all or none: each of a drawn
/// station assigned to them (the store's check), once, and taken by the quick count's rules.
/// Answers each report's log entry.
pub(crate) async fn log_reports(
    s: &AppState,
    by: Acting,
    name: String,
    pvt: String,
    mut copies: Vec<Copy>,
) -> Result<Value, ServerError> {
    if copies.is_empty() || copies.len() > MOST_REPORTS {
        return Err(ServerError::BadRequest(format!(
            "{} reports: from 1 to {MOST_REPORTS} a request",
            copies.len()
        )));
    }
    let (state, n, p) = (s.clone(), name.clone(), pvt.clone());
    let (entries, stations) = blocking(move || {
        state.live.with(&state.db, &n, |v| {
            let (q, e) = (v.quick(), v.election());
            let mut seen = HashSet::new();
            let mut entries = Vec::with_capacity(copies.len());
            for (k, (c, code)) in copies.iter_mut().enumerate() {
                let at = |m: String| format!("report {}: {m}", k + 1);
                station_of(e, c.station.0)
                    .map_err(|x| ServerError::BadRequest(at(x.to_string())))?;
                if !seen.insert(c.station) {
                    return Err(ServerError::BadRequest(at(format!(
                        "{} is reported twice in one request",
                        e.units.path(c.station)
                    ))));
                }
                if let Some((contest, _)) = q.contest(&p) {
                    c.contest = contest;
                }
                if let Some(f) = q.report_fault(&p, e, c) {
                    return Err(ServerError::Unprocessable(at(format!(
                        "{}: {f}",
                        e.units.path(c.station)
                    ))));
                }
                entries.push(encode(&Entry::Pvt(PvtStep::Report {
                    pvt: p.clone(),
                    protocol: Box::new(c.clone()),
                    code: code.clone(),
                })));
            }
            Ok((
                entries,
                copies.iter().map(|(c, _)| c.station).collect::<Vec<_>>(),
            ))
        })
    })
    .await?;
    // A report's checks hold after any later entry (`QuickCount::report_fault`): logged in
    // the next group commit, durable before the answer.
    let (n, count) = (name.clone(), entries.len() as u64);
    let size = s
        .committer
        .write(move |st| {
            let a = store::Act::of(StaffAct::QuickCount, &entries, by.now);
            Ok(st.act(&n, store::Actor::User(&by.user), a)?)
        })
        .await?;
    caught_up(s, &name).await?;
    // The answer says what was logged, never how other observers' copies of the station
    // stand: an observer who learnt that nobody else covers a station could invent its count.
    let (state, n) = (s.clone(), name.clone());
    blocking(move || {
        state.live.with(&state.db, &n, |v| {
            let e = v.election();
            let first = size - count;
            let reports: Vec<Value> = stations
                .iter()
                .enumerate()
                .map(|(k, &u)| {
                    json!({
                        "station": u.0,
                        "path": e.units.path(u),
                        "logged_as": first + k as u64,
                    })
                })
                .collect();
            Ok(json!({"quick_count": pvt, "reports": reports}))
        })
    })
    .await
}

/// Reads an observer's reports from a CSV file: a header row `station`, then line keys
/// (`registered`, `issued_total`, `invalid`, ...) and the contest's choices by name, in any
/// order, every choice present; a row per station, its unit id or its path
/// (`Region / District / Station`) first. Errors name the row and column.
pub(crate) fn read_csv(
    e: &Election,
    q: &record::QuickCounts,
    pvt: &str,
    body: &[u8],
) -> Result<Vec<Protocol>, ServerError> {
    let bad = |m: String| ServerError::BadRequest(format!("the CSV file: {m}"));
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body);
    let mut records = r.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(x)) => return Err(bad(x.to_string())),
        None => return Err(bad("it is empty".into())),
    };
    let (contest, choices) = q.contest(pvt).ok_or_else(|| {
        ServerError::NotFound(format!("no quick count '{pvt}' designed in '{}'", e.name))
    })?;
    #[derive(Clone, Copy)]
    enum Column {
        Station,
        Line(Line),
        Choice(usize),
    }
    let mut columns = Vec::with_capacity(header.len());
    let mut given = HashSet::new();
    for (c, h) in header.iter().enumerate() {
        let h = h.trim();
        let col = if h == "station" {
            Column::Station
        } else if let Some(l) = Line::from_key(h) {
            Column::Line(l)
        } else if let Some(k) = choices.iter().position(|ch| ch == h) {
            Column::Choice(k)
        } else {
            return Err(bad(format!(
                "line 1, column {}: '{h}' is not 'station', a line's key or one of the contest's choices",
                c + 1
            )));
        };
        if !given.insert(h.to_string()) {
            return Err(bad(format!("line 1, column {}: '{h}' twice", c + 1)));
        }
        columns.push(col);
    }
    if !matches!(columns.first(), Some(Column::Station)) {
        return Err(bad("line 1: the first column is 'station'".into()));
    }
    if let Some(missing) = choices.iter().find(|ch| !given.contains(ch.as_str())) {
        return Err(bad(format!("line 1: no column for the choice '{missing}'")));
    }
    let by_path: HashMap<&str, UnitId> = q
        .drawn(pvt)
        .iter()
        .map(|d| (d.path.as_str(), d.unit))
        .collect();
    let mut out = Vec::new();
    for (row, rec) in records.enumerate() {
        let line = row + 2;
        let rec = rec.map_err(|x| bad(format!("line {line}: {x}")))?;
        if rec.len() != columns.len() {
            return Err(bad(format!(
                "line {line}: {} fields, the header has {}",
                rec.len(),
                columns.len()
            )));
        }
        if out.len() == MOST_REPORTS {
            return Err(bad(format!("more than {MOST_REPORTS} rows")));
        }
        let mut p = Protocol::new(UnitId(0), contest, choices.len());
        for (c, (field, col)) in rec.iter().zip(&columns).enumerate() {
            let field = field.trim();
            let at = |m: &str| {
                bad(format!(
                    "line {line}, column {} ('{}'): {m}",
                    c + 1,
                    header.get(c).unwrap_or("").trim()
                ))
            };
            match *col {
                Column::Station => {
                    p.station = match field.parse::<u32>() {
                        Ok(id) => station_of(e, id).map_err(|x| at(&x.to_string()))?,
                        Err(_) => *by_path.get(field).ok_or_else(|| {
                            at(&format!(
                                "'{field}' is no station drawn for quick count '{}'",
                                pvt
                            ))
                        })?,
                    }
                }
                // A line left blank is not given; a choice's votes always are.
                Column::Line(_) if field.is_empty() => {}
                Column::Line(l) => p.set_line(l, count(field).map_err(|m| at(&m))?),
                Column::Choice(k) => p.votes[k] = count(field).map_err(|m| at(&m))?,
            }
        }
        out.push(p);
    }
    if out.is_empty() {
        return Err(bad("no row after the header".into()));
    }
    Ok(out)
}

/// A count as a CSV field gives it: digits only.
fn count(field: &str) -> Result<u64, String> {
    if field.is_empty() || !field.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("'{field}' is not a count (digits only)"));
    }
    field.parse().map_err(|_| format!("'{field}' is too large"))
}

/// `POST /api/elections/{name}/pvt/{pvt}/reviews`: a supervisor's review of a drawn station.
pub(crate) async fn reviews_api(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, pvt)): Path<(String, String)>,
    Json(r): Json<NewReview>,
) -> Result<Response, ServerError> {
    let size = log_review(&s, who.acting()?, name, pvt, r).await?;
    Ok((StatusCode::CREATED, Json(json!({"logged_as": size - 1}))).into_response())
}

/// Logs a review as a `supervise` act of `by`, at the log's size it was checked at (a review
/// depends on the reports before it: if the log grew meanwhile, as it does while reports
/// arrive, it is checked again against the log as it then stands: `staff::act_checked`).
/// Answers the log's size.
pub(crate) async fn log_review(
    s: &AppState,
    by: Acting,
    name: String,
    pvt: String,
    r: NewReview,
) -> Result<u64, ServerError> {
    let action: ReviewAction = r.action.parse().map_err(|_| {
        ServerError::BadRequest(format!(
            "action '{}': choose, quarantine or release",
            r.action
        ))
    })?;
    let reviewer = by.user.commitment.clone();
    act_checked(s, by, name.clone(), move |v| {
        let q = find(v, &name, &pvt)?;
        let station = station_of(v.election(), r.station)?;
        if let Some(f) = q.review_fault(station, (action, r.report, &r.reason), &reviewer) {
            return Err(ServerError::Unprocessable(f.to_string()));
        }
        let step = PvtStep::Review {
            pvt: pvt.clone(),
            station,
            action,
            report: r.report,
            reason: r.reason.clone(),
        };
        Ok((StaffAct::Supervise, encode(&Entry::Pvt(step))))
    })
    .await
}

/// `GET /api/elections/{name}/pvt/{pvt}/stations/{id}`: a drawn station's reports and
/// reviews for its supervisors: each observer's latest report, the choice and quarantine in
/// force, and every version of every report, with the observers' names.
pub(crate) async fn station_api(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, pvt, id)): Path<(String, String, u32)>,
) -> Result<Json<Value>, ServerError> {
    let (db, me, n) = (
        std::sync::Arc::clone(&s.db),
        who.staff()?.clone(),
        name.clone(),
    );
    let names: HashMap<String, String> = blocking(move || {
        let store = Pool::get(&db)?;
        // Observers' names are their own group's supervisors' only.
        if !granted_here(&store, &me, &n)? {
            return Err(ServerError::Forbidden(format!(
                "'{}' holds no role in '{n}'",
                me.name
            )));
        }
        Ok(store
            .users()?
            .into_iter()
            .map(|u| (u.commitment, u.name))
            .collect())
    })
    .await?;
    blocking(move || {
        s.live.with(&s.db, &name, |v| {
            let q = find(v, &name, &pvt)?;
            let e = v.election();
            let unit = station_of(e, id)?;
            let drawn = q.drawn_station(unit).ok_or_else(|| {
                ServerError::NotFound(format!("{} is not drawn for '{pvt}'", e.units.path(unit)))
            })?;
            let who = |c: &str| names.get(c).cloned().unwrap_or_else(|| c.to_string());
            let copy = |p: &Protocol| {
                let lines: BTreeMap<&str, u64> = Line::ALL
                    .iter()
                    .filter_map(|&l| Some((l.key(), p.line(l)?)))
                    .collect();
                json!({"lines": lines, "votes": p.votes})
            };
            let here = q.station(unit);
            Ok(Json(json!({
                "station": id,
                "path": drawn.path,
                "registered": drawn.registered,
                "standing": here.map(|h| h.standing.key()),
                "latest": here.map_or_else(Vec::new, |h| h.latest.iter().map(|(u, at, p)| {
                    json!({"observer": who(u), "entry": at, "copy": copy(p)})
                }).collect()),
                "chosen": here.and_then(|h| h.chosen.as_ref()).map(copy),
                "quarantined": here.is_some_and(|h| h.quarantined),
                "counted": here.and_then(|h| h.counted.as_ref()).map(copy),
                "history": here.map_or_else(Vec::new, |h| h.history.iter().map(|x| {
                    let what = match &x.what {
                        record::Step::Report(p) => json!({"report": copy(p)}),
                        record::Step::Review { action, report, reason } => {
                            json!({"review": {"action": action.key(), "report": report, "reason": reason}})
                        }
                    };
                    json!({"entry": x.index, "by": who(&x.user), "time": x.time.map(|t| t.to_string()), "what": what})
                }).collect()),
            })))
        })
    })
    .await
}
