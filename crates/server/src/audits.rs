//! The auditor's steps over HTTP: start an audit, draw a round, record what the audit boards
//! read (or a batch audit's hand counts), escalate. Each step is `audit::steps`'s, computed
//! on the election's state at one log size and logged, with a staff `audit` entry naming the
//! auditor, only if the log is still that size (else computed again): the command line's
//! `tallyproof audit` takes the same steps, and `tallyproof audit status` recomputes them.

use std::sync::Arc;

use audit::steps::{self, BallotFile, Readings};
use audit::workflow::{parse_method, Method};
use audit::AuditError;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use model::{Election, Protocol};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{FileRef, Staffing, Store};

use crate::auth::{Acting, Caller};
use crate::pool::Pool;
use crate::public::blocking;
use crate::staff::{act, Logged};
use crate::{AppState, ServerError};

/// Times a step is computed again when the log grew between computing and logging it.
const ATTEMPTS: usize = 5;

impl From<AuditError> for ServerError {
    fn from(e: AuditError) -> ServerError {
        match e {
            AuditError::AuditOver | AuditError::FullCount(_) | AuditError::Superseded(_) => {
                ServerError::Conflict(e.to_string())
            }
            AuditError::Log(_) => ServerError::NotFound(e.to_string()),
            other => ServerError::BadRequest(other.to_string()),
        }
    }
}

/// The election, its latest protocols and its log, all at one log size.
pub(crate) struct At {
    pub election: Election,
    pub protocols: Arc<Vec<Protocol>>,
    pub log: Vec<Vec<u8>>,
}

pub(crate) async fn state_at(s: &AppState, name: &str) -> Result<At, ServerError> {
    let (state, n) = (s.clone(), name.to_string());
    blocking(move || {
        let (election, protocols, size) = state.live.with(&state.db, &n, |v| {
            Ok((v.election().clone(), v.protocols(), v.size()))
        })?;
        let mut log = Pool::get(&state.db)?.log(&n)?;
        log.truncate(size as usize);
        Ok(At {
            election,
            protocols,
            log,
        })
    })
    .await
}

/// Computes a step with `f` and logs its entries after a staff `audit` entry, if the log has
/// not grown since; answers the step and the log's size after it.
pub(crate) async fn take<T: Send + 'static>(
    s: &AppState,
    by: &Acting,
    name: &str,
    files: Vec<FileRef>,
    f: impl Fn(&mut At) -> Result<(Vec<Vec<u8>>, T), ServerError> + Send + Sync + 'static,
) -> Result<(T, u64), ServerError> {
    take_act(s, by, name, files, move |at| {
        let (entries, out) = f(at)?;
        Ok((record::StaffAct::Audit, entries, out))
    })
    .await
}

/// [`take`] for any staff act: `f` answers the act, its entries and what the caller is told.
pub(crate) async fn take_act<T: Send + 'static>(
    s: &AppState,
    by: &Acting,
    name: &str,
    files: Vec<FileRef>,
    f: impl Fn(&mut At) -> Result<(record::StaffAct, Vec<Vec<u8>>, T), ServerError>
        + Send
        + Sync
        + 'static,
) -> Result<(T, u64), ServerError> {
    let f = Arc::new(f);
    let mut last = None;
    for _ in 0..ATTEMPTS {
        let at = state_at(s, name).await?;
        let g = Arc::clone(&f);
        let (at, (kind, entries, out)) = blocking(move || {
            let mut at = at;
            let r = g(&mut at)?;
            Ok((at, r))
        })
        .await?;
        let logged = Logged {
            kind,
            entries,
            content: Vec::new(),
            files: files.iter().map(|f| (f.clone(), None)).collect(),
            at: Some(at.log.len() as u64),
        };
        match act(s, by.clone(), name.to_string(), logged).await {
            Ok(size) => return Ok((out, size)),
            // The log grew meanwhile (protocols keep arriving): compute it again.
            Err(ServerError::Stale(why)) => last = Some(why),
            Err(e) => return Err(e),
        }
    }
    Err(ServerError::Stale(last.unwrap_or_default()))
}

/// A stored file (uploaded with `PUT /api/scans`) read as a choices file.
/// Where a comparison audit's cast-vote records are: an uploaded file (`sha256:<hex>`), or a
/// file in the audit files' directory (`file:NAME`), parsed once.
enum Records {
    Uploaded(FileRef),
    InDirectory(String),
}

impl Records {
    fn parse(s: &str) -> Result<Records, ServerError> {
        match s.strip_prefix("file:") {
            Some(name) => Ok(Records::InDirectory(name.to_string())),
            None => Ok(Records::Uploaded(FileRef::parse(s)?)),
        }
    }
}

/// The audit files' directory, or why there is none.
fn directory(s: &AppState) -> Result<&store::AuditDir, ServerError> {
    s.audit_files.as_deref().ok_or_else(|| {
        ServerError::BadRequest(
            "cvrs: this service has no audit files' directory (tallyproof serve --audit-files DIR); upload the records (PUT /api/scans) and name them sha256:<hex>".into(),
        )
    })
}

/// Where a file named by its SHA-256 is: stored whole (`PUT /api/scans`), or in the audit
/// files' directory under this name.
enum Located {
    Stored(Vec<u8>),
    InDirectory(String),
}

/// Finds the file `file`: stored whole, else in the audit files' directory: only as sent in
/// parts unless `anywhere` (an audit's start never searches the rest of the directory), or
/// as any file there with that SHA-256.
fn locate(
    s: &AppState,
    file: &FileRef,
    what: &str,
    anywhere: bool,
) -> Result<Located, ServerError> {
    // The connection goes back to the pool before the file is parsed.
    let stored = Pool::get(&s.db)?.scan(file)?;
    if let Some(stored) = stored {
        return Ok(Located::Stored(stored.bytes));
    }
    let found = match s.audit_files.as_deref() {
        Some(d) if anywhere => d.find(file.hex())?,
        Some(d) => d.sent_in_parts(file),
        None => None,
    };
    let elsewhere = if anywhere {
        ", or put it in the audit files' directory"
    } else {
        ""
    };
    found.map(Located::InDirectory).ok_or_else(|| {
        ServerError::NotFound(format!(
            "{what}: no stored file {file}; upload it first (PUT /api/scans, or in parts: POST /api/audit-files){elsewhere}"
        ))
    })
}

/// An audit's cast-vote records as its start names them, every record read (at most as
/// many as the protocols of election `name` report ballots: [`records_from`]), with the
/// stored upload the start cites, if that is where they are (a file in the audit files'
/// directory is named by its hash in the log only).
fn start_records(
    s: &AppState,
    name: &str,
    records: Records,
) -> Result<(BallotFile, Option<FileRef>), ServerError> {
    let cap = s
        .live
        .with(&s.db, name, |v| Ok(steps::reported_total(&v.protocols())))?;
    match records {
        Records::Uploaded(file) => {
            let shown = file.to_string();
            match locate(s, &file, "cvrs", false)? {
                Located::Stored(bytes) => Ok((
                    records_from(&shown, &bytes[..], cap, Some(&file))?,
                    Some(file),
                )),
                Located::InDirectory(inside) => {
                    let reader = directory(s)?.reader(&inside)?;
                    Ok((records_from(&shown, reader, cap, Some(&file))?, None))
                }
            }
        }
        Records::InDirectory(inside) => {
            let reader = directory(s)?.reader(&inside)?;
            Ok((
                records_from(&format!("file:{inside}"), reader, cap, None)?,
                None,
            ))
        }
    }
}

/// The records read from `reader` (named `name` in errors): at most `cap` rows held (the
/// ballots the protocols report: a longer file is refused, never held whole), and, with
/// `sha256`, the bytes read must have it (a file found by its hash may change before it is
/// read).
fn records_from(
    name: &str,
    reader: impl std::io::Read,
    cap: u64,
    sha256: Option<&FileRef>,
) -> Result<BallotFile, ServerError> {
    let mut rows = 0u64;
    let records = formats::audit_files::ballots_keeping(name, reader, |_, _| {
        rows += 1;
        rows <= cap
    })
    .map_err(|e| ServerError::BadRequest(e.to_string()))?;
    if rows > cap {
        return Err(ServerError::BadRequest(format!(
            "{name}: {rows} records for the {cap} ballots the protocols report"
        )));
    }
    same_file(name, &records, sha256)?;
    Ok(records)
}

/// Refuses records whose bytes do not have the SHA-256 they were found by.
fn same_file(
    name: &str,
    records: &BallotFile,
    sha256: Option<&FileRef>,
) -> Result<(), ServerError> {
    match sha256 {
        Some(f) if records.sha256 != f.hex() => Err(ServerError::Conflict(format!(
            "{name} changed while it was read: its SHA-256 is now {}",
            records.sha256
        ))),
        _ => Ok(()),
    }
}

/// Of the ballots `keep` wants: the uploaded file, or else the audit files' directory's file
/// with that SHA-256.
pub(crate) fn stored_ballots(
    s: &AppState,
    file: &FileRef,
    what: &str,
    keep: impl FnMut(&str, u64) -> bool,
) -> Result<BallotFile, ServerError> {
    let bad = |e: formats::FormatError| ServerError::BadRequest(e.to_string());
    match locate(s, file, what, true)? {
        Located::Stored(bytes) => {
            formats::audit_files::ballots_keeping(&file.to_string(), &bytes[..], keep).map_err(bad)
        }
        Located::InDirectory(name) => {
            let shown = format!("file:{name}");
            let reader = directory(s)?.reader(&name)?;
            let records =
                formats::audit_files::ballots_keeping(&shown, reader, keep).map_err(bad)?;
            same_file(&shown, &records, Some(file))?;
            Ok(records)
        }
    }
}

/// The method comparison's question: a law (default the election's own) and a risk limit
/// in percent (default 5).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct MethodsQuery {
    #[serde(default)]
    pub law: Option<String>,
    #[serde(default)]
    pub risk_limit: Option<f64>,
}

/// The risk limit an audit is planned at unless the auditor asks for another, in percent.
pub(crate) const DEFAULT_RISK_LIMIT: f64 = 5.0;

pub(crate) async fn methods(
    State(s): State<AppState>,
    Path(name): Path<String>,
    axum::extract::Query(q): axum::extract::Query<MethodsQuery>,
) -> Result<Response, ServerError> {
    Ok(Json(compared(&s, &name, &q).await?).into_response())
}

/// Every method's work for the election's allocation (`audit::methods`), computed outside
/// the election's lock from its protocols at one log size.
pub(crate) async fn compared(
    s: &AppState,
    name: &str,
    q: &MethodsQuery,
) -> Result<audit::methods::Methods, ServerError> {
    let (state, n, law) = (s.clone(), name.to_string(), q.law.clone());
    let risk_limit = q.risk_limit.unwrap_or(DEFAULT_RISK_LIMIT);
    blocking(move || methods_now(&state, &n, law.as_deref(), risk_limit)).await
}

/// [`compared`] on the calling (blocking) thread.
pub(crate) fn methods_now(
    s: &AppState,
    name: &str,
    law: Option<&str>,
    risk_limit: f64,
) -> Result<audit::methods::Methods, ServerError> {
    let (election, protocols, law) = s.live.with(&s.db, name, |v| {
        let law = crate::data::law_of(v, law)?;
        Ok((v.election().clone(), v.protocols(), law))
    })?;
    let law = law.ok_or_else(|| ServerError::BadRequest(crate::data::no_law(name)))?;
    Ok(audit::methods::compare(
        &election, &protocols, &law, risk_limit, None,
    )?)
}

/// An audit as the auditor starts it.
#[derive(Deserialize)]
pub(crate) struct Start {
    pub audit: String,
    pub law: String,
    pub risk_limit: f64,
    #[serde(default)]
    pub method: Option<String>,
    pub seed: String,
    /// The ballot manifest's CSV text (Arlo's columns).
    #[serde(default)]
    pub manifest: Option<String>,
    /// The cast-vote records, `sha256:<hex>` of a stored file.
    #[serde(default)]
    pub cvrs: Option<String>,
}

pub(crate) async fn start(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    Json(b): Json<Start>,
) -> Result<Response, ServerError> {
    let body = started(&s, &who.acting()?, &name, b).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Starts an audit; answers what the auditor is told.
pub(crate) async fn started(
    s: &AppState,
    by: &Acting,
    name: &str,
    b: Start,
) -> Result<Value, ServerError> {
    let manifest = match &b.manifest {
        Some(text) => Some(
            formats::audit_files::manifest("manifest", text.as_bytes())
                .map_err(|e| ServerError::BadRequest(e.to_string()))?,
        ),
        None => None,
    };
    let records = b.cvrs.as_deref().map(Records::parse).transpose()?;
    let (cvrs, cited) = match records {
        Some(records) => {
            let (st, n) = (s.clone(), name.to_string());
            let (cvrs, cited) = blocking(move || start_records(&st, &n, records)).await?;
            (Some(cvrs), cited)
        }
        None => (None, None),
    };
    let request = steps::StartRequest {
        audit: b.audit.clone(),
        law: b.law.clone(),
        risk_limit: b.risk_limit,
        method: parse_method(b.method.as_deref().unwrap_or("comparison"))?,
        seed: b.seed.clone(),
        manifest,
        cvrs,
    };
    let (begun, size) = take(s, by, name, cited.into_iter().collect(), move |at| {
        let begun = steps::start(&at.election, &at.protocols, &at.log, &request)?;
        Ok((begun.entries.clone(), begun))
    })
    .await?;
    Ok(json!({
        "audit": b.audit,
        "logged_as": [size - begun.entries.len() as u64, size - 1],
        "assertions": begun.assertions,
        "ballots": begun.ballots,
        "stations": begun.stations,
        "expected_work": begun.work,
        "unit": begun.unit,
    }))
}

/// A round as the auditor asks for it.
#[derive(Deserialize, Default)]
pub(crate) struct Sample {
    /// Draws in the round; default: the estimate for the hardest open assertion.
    #[serde(default)]
    ballots: Option<u64>,
}

pub(crate) async fn sample(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, audit)): Path<(String, String)>,
    Json(b): Json<Sample>,
) -> Result<Response, ServerError> {
    let body = sampled(&s, &who.acting()?, &name, &audit, b.ballots).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Draws a round; answers it with its retrieval list.
pub(crate) async fn sampled(
    s: &AppState,
    by: &Acting,
    name: &str,
    audit: &str,
    ballots: Option<u64>,
) -> Result<Value, ServerError> {
    let a = audit.to_string();
    let ((round, table), size) = take(s, by, name, Vec::new(), move |at| {
        let r = steps::sample(&at.election, &at.protocols, &at.log, &a, ballots)?;
        let table = r.drawn.table(&at.election, r.round);
        Ok((r.entries, ((r.round, r.size), table)))
    })
    .await?;
    Ok(json!({
        "audit": audit,
        "round": round.0,
        "size": round.1,
        "logged_as": size - 1,
        "retrieval_list": format!("/api/elections/{}/audits/{}/rounds/{}", crate::pages::urlencode(name), crate::pages::urlencode(audit), round.0),
        "rows": rows_as_objects(&table),
    }))
}

/// A table (header first) as a list of objects keyed by the header.
fn rows_as_objects(table: &[Vec<String>]) -> Vec<Value> {
    let Some((header, rows)) = table.split_first() else {
        return Vec::new();
    };
    rows.iter()
        .map(|r| {
            let mut o = serde_json::Map::new();
            for (k, v) in header.iter().zip(r) {
                o.insert(k.clone(), json!(v));
            }
            Value::Object(o)
        })
        .collect()
}

/// The retrieval list of a logged round, as CSV: anyone can redraw it from the seed.
pub(crate) async fn retrieval(
    State(s): State<AppState>,
    Path((name, audit, round)): Path<(String, String, u64)>,
) -> Result<Response, ServerError> {
    let at = state_at(&s, &name).await?;
    let csv = blocking(move || {
        let drawn = steps::retrieval(&at.election, &at.protocols, &at.log, &audit, round)?;
        table_csv(&drawn.table(&at.election, round))
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response())
}

fn table_csv(table: &[Vec<String>]) -> Result<Vec<u8>, ServerError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in table {
        w.write_record(row)
            .map_err(|e| ServerError::Internal(e.to_string()))?;
    }
    w.into_inner()
        .map_err(|e| ServerError::Internal(e.to_string()))
}

pub(crate) async fn record(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, audit)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ServerError> {
    let body = recorded(&s, &who.acting()?, &name, &audit, body.to_vec()).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Records the waiting round from the filled retrieval list (CSV); a comparison audit's
/// records are the stored file it started with.
pub(crate) async fn recorded(
    s: &AppState,
    by: &Acting,
    name: &str,
    audit: &str,
    csv: Vec<u8>,
) -> Result<Value, ServerError> {
    let (a, st) = (audit.to_string(), s.clone());
    // Read once: a retry after the log grew (protocols arriving) reads the same files, as
    // they depend only on the audit's start, which never changes.
    let read: std::sync::Mutex<Option<Readings>> = std::sync::Mutex::new(None);
    let ((rec, report), size) = take(s, by, name, Vec::new(), move |at| {
        let mut kept = read
            .lock()
            .map_err(|_| ServerError::Internal("the readings' lock".into()))?;
        let readings = match kept.as_ref() {
            Some(r) => r.clone(),
            None => {
                let r = readings_of(&st, at, &a, &csv)?;
                *kept = Some(r.clone());
                r
            }
        };
        drop(kept);
        let r = steps::record(&at.election, &at.protocols, &at.log, &a, &readings)?;
        // The status once these entries are logged (the staff entry before them changes no
        // audit), computed with the round's draws.
        let report = r.report.clone();
        Ok((r.entries.clone(), (r, report)))
    })
    .await?;
    Ok(json!({
        "audit": audit,
        "round": rec.round,
        "read": rec.read,
        "logged_as": size - 1,
        "status": report,
    }))
}

/// Stations' hand counts (a column per choice of the election's contest, `Ballots`).
fn hand_counts(e: &Election, file: &str, csv: &[u8]) -> Result<Vec<steps::CountRow>, ServerError> {
    let choices: Vec<String> = e
        .contests
        .first()
        .map(|c| c.choices.iter().map(|x| x.name.clone()).collect())
        .unwrap_or_default();
    formats::audit_files::counts(file, csv, &choices)
        .map_err(|e| ServerError::BadRequest(e.to_string()))
}

/// The filled retrieval list read for the audit's method: a batch audit's hand counts, or the
/// ballots read (with the stored records a comparison audit started with).
fn readings_of(s: &AppState, at: &At, audit: &str, csv: &[u8]) -> Result<Readings, ServerError> {
    let started = audit::logged::started(
        &audit::logged::logged(audit::logged::indexed(&at.log), audit)?,
        audit,
    )?;
    let file = "readings";
    let bad = |e: formats::FormatError| ServerError::BadRequest(e.to_string());
    if started.method == Method::Batch {
        let rows = hand_counts(&at.election, file, csv)?;
        return Ok(Readings::Counts {
            name: file.into(),
            rows,
        });
    }
    let paper = formats::audit_files::ballots(file, csv).map_err(bad)?;
    // Only the ballots read are read from the records (checked whole at the start).
    let cvrs = match &started.cvrs {
        Some(sha) => {
            let mut wanted = steps::wanted(&at.election, &paper)?;
            Some(stored_ballots(
                s,
                &FileRef::parse(sha)?,
                "the audit's cast-vote records",
                |b, p| wanted.wants(b, p),
            )?)
        }
        None => None,
    };
    Ok(Readings::Ballots { paper, cvrs })
}

/// Stations to target, as the auditor names them: flagged above a score, or an upheld
/// complaint's (its own station, or `stations`, unit ids under its unit).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct Targets {
    #[serde(default)]
    pub flagged_above: Option<f64>,
    #[serde(default)]
    pub complaint: Option<u64>,
    #[serde(default)]
    pub stations: Vec<u32>,
}

pub(crate) async fn target(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, audit)): Path<(String, String)>,
    Json(b): Json<Targets>,
) -> Result<Response, ServerError> {
    let body = targeted(&s, &who.acting()?, &name, &audit, b).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Adds targeted stations to the audit's latest round (`audit::steps::target`); answers them.
pub(crate) async fn targeted(
    s: &AppState,
    by: &Acting,
    name: &str,
    audit: &str,
    b: Targets,
) -> Result<Value, ServerError> {
    let a = audit.to_string();
    let ((targets, in_sample), size) = take(s, by, name, Vec::new(), move |at| {
        let (scores, stations);
        let choose = match (b.flagged_above, b.complaint) {
            (Some(above), None) => {
                scores = forensics::flags::scores(&at.election, &at.protocols)
                    .map_err(|e| ServerError::Conflict(e.to_string()))?;
                steps::Choose::Flagged {
                    scores: &scores,
                    above,
                }
            }
            (None, Some(complaint)) => {
                stations = b.stations.iter().map(|&u| model::UnitId(u)).collect::<Vec<_>>();
                steps::Choose::Complaint {
                    complaint,
                    stations: &stations,
                }
            }
            _ => return Err(ServerError::BadRequest(
                "give flagged_above (a forensic flags score) or complaint (an upheld complaint's entry)"
                    .into(),
            )),
        };
        let targets = steps::chosen(&at.election, &at.log, &a, choose)?;
        let logged = steps::target(&at.election, &at.protocols, &at.log, &a, &targets)?;
        let listed: Vec<Value> = logged
            .targets
            .iter()
            .map(|(st, flag, complaint)| {
                json!({"station": st, "path": at.election.units.path(model::UnitId(*st)), "flag": flag, "complaint": complaint})
            })
            .collect();
        let in_sample: Vec<String> =
            logged.in_sample.iter().map(|&u| at.election.units.path(u)).collect();
        Ok((logged.entries, (listed, in_sample)))
    })
    .await?;
    Ok(json!({
        "audit": audit,
        "targets": targets,
        "in_random_sample": in_sample,
        "logged_as": size - 1,
        "note": "targeted stations are counted by hand beside the random sample and reported apart: never counted toward the risk limit",
    }))
}

pub(crate) async fn targeted_counts(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, audit)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ServerError> {
    let body = counted_targets(&s, &who.acting()?, &name, &audit, body.to_vec()).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Records targeted stations' hand counts (CSV as a batch audit's); answers the status.
pub(crate) async fn counted_targets(
    s: &AppState,
    by: &Acting,
    name: &str,
    audit: &str,
    csv: Vec<u8>,
) -> Result<Value, ServerError> {
    let a = audit.to_string();
    let (rec, size) = take(s, by, name, Vec::new(), move |at| {
        let file = "targeted counts";
        let rows = hand_counts(&at.election, file, &csv)?;
        let r = steps::record_targeted(&at.election, &at.protocols, &at.log, &a, file, &rows)?;
        Ok((r.entries.clone(), r))
    })
    .await?;
    Ok(json!({
        "audit": audit,
        "counted": rec.read,
        "logged_as": size - 1,
        "status": rec.report,
    }))
}

pub(crate) async fn escalate(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, audit)): Path<(String, String)>,
) -> Result<Response, ServerError> {
    let size = escalated(&s, &who.acting()?, &name, &audit).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"audit": audit, "escalated": true, "logged_as": size - 1})),
    )
        .into_response())
}

/// Escalates an audit to a full hand count; answers the log's size.
pub(crate) async fn escalated(
    s: &AppState,
    by: &Acting,
    name: &str,
    audit: &str,
) -> Result<u64, ServerError> {
    let a = audit.to_string();
    let ((), size) = take(s, by, name, Vec::new(), move |at| {
        Ok((vec![steps::escalate(&at.log, &a)?], ()))
    })
    .await?;
    Ok(size)
}
