//! Incident reports in the service (issue 20): an observer reports what happened where and
//! when (a category, a station or unit, a time, a text, photos stored without their metadata),
//! choosing to publish the place only to its district and the time only to the hour; a
//! supervisor confirms or rejects it with a public reason; anyone reads them, filtered by
//! category, status and time, as JSON or CSV, and sees their published photos. The reporter
//! appears nowhere: the log names them only by their act's commitment, never opened.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use model::{Election, UnitId};
use record::{encode, Entry, Incident, IncidentStatus, IncidentStep, StaffAct, Time};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{FileRef, Staffing};
use ui::{Lang, Tr};

use crate::auth::{self, Acting, Caller};
use crate::pool::Pool;
use crate::public::blocking;
use crate::staff::{act, act_checked, Logged};
use crate::{AppState, ServerError};

/// An incident as its reporter sends it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewIncident {
    /// A category of the deployment's list ([`Categories`]).
    pub category: String,
    /// Where: a station's or unit's id.
    pub unit: u32,
    /// When, to the minute, UTC: `YYYY-MM-DD HH:MM`.
    pub time: String,
    /// Publish the place only to its district and the time only to the hour.
    #[serde(default)]
    pub coarsen: bool,
    /// What happened.
    pub text: String,
    /// Photos, each `sha256:<hex>` as `PUT /api/scans` answered (the reporter's own uploads).
    #[serde(default)]
    pub photos: Vec<String>,
}

/// The incident categories a deployment offers, in its form's order, with their names: its
/// own (`serve --incident-categories FILE`), or [`record::DEFAULT_CATEGORIES`] named by the
/// glossary.
#[derive(Default)]
pub enum Categories {
    /// The default list.
    #[default]
    Default,
    /// The deployment's own.
    Own(Vec<formats::categories::Category>),
}

impl Categories {
    /// The categories' keys, in the form's order.
    pub(crate) fn keys(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        match self {
            Categories::Default => Box::new(record::DEFAULT_CATEGORIES.into_iter()),
            Categories::Own(list) => Box::new(list.iter().map(|c| c.key.as_str())),
        }
    }

    /// Category `key`'s name in language `l` (a key the deployment does not offer, logged
    /// under another list, shows as itself).
    pub(crate) fn name(&self, l: Lang, key: &str) -> Tr {
        match self {
            Categories::Default => crate::pages::incidents::default_name(l, key),
            Categories::Own(list) => match list.iter().find(|c| c.key == key) {
                None => Tr::from(key.to_string()),
                Some(c) => match (l, &c.ky) {
                    (Lang::En, _) => Tr::from(c.en.clone()),
                    (Lang::Ru, _) => Tr::from(c.ru.clone()),
                    (Lang::Ky, Some(ky)) => Tr::from(ky.clone()),
                    (Lang::Ky, None) => Tr::russian(c.ru.clone()),
                },
            },
        }
    }
}

/// A supervisor's status for a report.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewStatus {
    /// `confirmed`, `rejected` or `citizen`.
    pub status: String,
    /// Why: public, naming no one.
    pub reason: String,
}

/// `POST /api/elections/{name}/incidents`.
pub(crate) async fn report_api(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    Json(r): Json<NewIncident>,
) -> Result<Response, ServerError> {
    let (size, said) = report(&s, who.acting()?, name, r).await?;
    let mut said = said;
    said["logged_as"] = json!(size - 1);
    Ok((StatusCode::CREATED, Json(said)).into_response())
}

/// Logs incident `r` as observer `by`'s `incident` act: its category among the deployment's,
/// its time not after now, its photos the reporter's own uploads. Answers the log's size and
/// what the log says of the place and time (as coarsened).
pub(crate) async fn report(
    s: &AppState,
    by: Acting,
    name: String,
    r: NewIncident,
) -> Result<(u64, Value), ServerError> {
    if !s.categories.keys().any(|k| k == r.category) {
        return Err(ServerError::BadRequest(format!(
            "field 'category': '{}', expected one of: {}",
            r.category,
            s.categories.keys().collect::<Vec<_>>().join(", ")
        )));
    }
    if let Some((t, _)) = Time::parse_minute(&r.time) {
        if t > by.now {
            return Err(ServerError::Unprocessable(format!(
                "field 'time': {} is later than now ({})",
                r.time, by.now
            )));
        }
    }
    let files: Vec<FileRef> = r
        .photos
        .iter()
        .map(|p| FileRef::parse(p))
        .collect::<Result<_, _>>()?;
    // A photo is a photo: an uploaded PDF or CSV is no incident's photo.
    let (db, cited) = (std::sync::Arc::clone(&s.db), files.clone());
    blocking(move || {
        let store = Pool::get(&db)?;
        for f in &cited {
            let media = store.scan(f)?.and_then(|x| x.media);
            if !matches!(media, Some(store::Media::Jpeg | store::Media::Png)) {
                return Err(ServerError::BadRequest(format!(
                    "field 'photos': {f} is not a stored JPEG or PNG photo"
                )));
            }
        }
        Ok(())
    })
    .await?;
    let photos: Vec<String> = files.iter().map(ToString::to_string).collect();
    let (state, n) = (s.clone(), name.clone());
    let (entry, rows, said) = blocking(move || {
        state.live.with(&state.db, &n, |v| {
            let e = v.election();
            if r.unit as usize >= e.units.len() {
                return Err(ServerError::BadRequest(format!(
                    "field 'unit': no unit {}",
                    r.unit
                )));
            }
            let given = record::NewIncident {
                category: &r.category,
                unit: UnitId(r.unit),
                time: &r.time,
                coarsen: r.coarsen,
                text: &r.text,
                photos: &photos,
            };
            let (step, rows) = record::incident_report(e, &given, &mut auth::salt)
                .map_err(|x| ServerError::BadRequest(x.to_string()))?;
            let said = match &step {
                IncidentStep::Report {
                    unit, time, exact, ..
                } => json!({"unit": unit.0, "path": e.units.path(*unit), "time": time,
                            "coarsened": exact.is_some()}),
                IncidentStep::Status { .. } => Value::Null,
            };
            Ok((encode(&Entry::Incident(step)), rows, said))
        })
    })
    .await?;
    // Each photo is cited through its commitment (the content rows follow the text's).
    let files = files
        .into_iter()
        .zip(rows.iter().skip(1))
        .map(|(f, row)| (f, Some(row.commitment.clone())))
        .collect();
    let size = act(
        s,
        by,
        name,
        Logged {
            kind: StaffAct::Incident,
            entries: vec![entry],
            content: rows,
            files,
            at: None,
        },
    )
    .await?;
    Ok((size, said))
}

/// `POST /api/elections/{name}/incidents/{id}/status`.
pub(crate) async fn status_api(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, id)): Path<(String, u64)>,
    Json(r): Json<NewStatus>,
) -> Result<Response, ServerError> {
    let size = give_status(&s, who.acting()?, name, id, r).await?;
    Ok((StatusCode::CREATED, Json(json!({"logged_as": size - 1}))).into_response())
}

/// Logs a supervisor's status for report `id` (its entry index) at the log's size it was
/// checked at, checked again if the log grew meanwhile. Answers the log's size.
pub(crate) async fn give_status(
    s: &AppState,
    by: Acting,
    name: String,
    id: u64,
    r: NewStatus,
) -> Result<u64, ServerError> {
    let status: IncidentStatus = record::parse_key(&r.status)
        .map_err(|m| ServerError::BadRequest(format!("field 'status': {m}")))?;
    let reason = r.reason;
    act_checked(s, by, name, move |v| {
        v.incidents()
            .status_fault(id, status, &reason)
            .map_err(|(f, m)| ServerError::Unprocessable(format!("field '{f}': {m}")))?;
        let step = IncidentStep::Status {
            incident: id,
            status,
            reason: reason.clone(),
        };
        Ok((StaffAct::IncidentStatus, encode(&Entry::Incident(step))))
    })
    .await
}

/// The public's filters: category, status, and a time range (`from`, `to`: `YYYY-MM-DD
/// HH:MM` or a day `YYYY-MM-DD`), and the page (100 incidents a page, the latest first).
#[derive(Deserialize, Default, Clone)]
pub(crate) struct Filter {
    pub category: Option<String>,
    pub status: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<u32>,
}

/// Incidents a page.
pub(crate) const PAGE: usize = 100;

impl Filter {
    /// The bounds of the time range, as Unix seconds (a day: its first or last minute).
    fn bounds(&self) -> Result<(u64, u64), ServerError> {
        let read = |t: &Option<String>, end: bool| -> Result<Option<u64>, ServerError> {
            let Some(t) = t.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
                return Ok(None);
            };
            let day = t.len() == 10;
            let text = if day {
                format!("{t} {}", if end { "23:59" } else { "00:00" })
            } else {
                t.to_string()
            };
            match Time::parse_minute(&text) {
                Some((at, false)) => Ok(Some(at.unix())),
                _ => Err(ServerError::BadRequest(format!(
                    "'{t}': a day 'YYYY-MM-DD' or a minute 'YYYY-MM-DD HH:MM' (UTC)"
                ))),
            }
        };
        Ok((
            read(&self.from, false)?.unwrap_or(0),
            read(&self.to, true)?.unwrap_or(u64::MAX),
        ))
    }

    /// Whether `x` passes the filters, given the bounds.
    fn passes(&self, x: &Incident, (from, to): (u64, u64)) -> bool {
        let blank = |f: &Option<String>| f.as_deref().is_none_or(|v| v.trim().is_empty());
        (blank(&self.category) || self.category.as_deref() == Some(x.category.as_str()))
            && (blank(&self.status) || self.status.as_deref() == Some(x.status.key()))
            && (from..=to).contains(&x.at.unix())
    }

    /// The key a kept answer is kept under.
    fn key(&self, what: &str) -> String {
        let f = |v: &Option<String>| v.clone().unwrap_or_default();
        format!(
            "{what}?c={}&s={}&f={}&t={}&p={}",
            f(&self.category),
            f(&self.status),
            f(&self.from),
            f(&self.to),
            self.page.unwrap_or(1)
        )
    }
}

/// The region a unit is in (itself, if a region), by name; none for the country.
pub(crate) fn region(e: &Election, unit: UnitId) -> Option<String> {
    let mut at = unit;
    loop {
        let u = e.units.get(at);
        match u.parent {
            Some(p) if p == e.units.root() => return Some(u.name.to_string()),
            Some(p) => at = p,
            None => return None,
        }
    }
}

/// An incident as the public reads it: never its reporter; its text and photos where the log
/// makes them public and they are not redacted.
#[derive(Serialize)]
pub(crate) struct Shown {
    pub entry: u64,
    pub category: String,
    pub unit: u32,
    pub path: String,
    pub region: Option<String>,
    pub time: String,
    pub coarsened: bool,
    pub reported_at: Option<String>,
    pub status: &'static str,
    pub text: Option<String>,
    /// The photos' addresses.
    pub photos: Vec<String>,
    pub statuses: Vec<StatusShown>,
}

/// A status a supervisor gave.
#[derive(Serialize)]
pub(crate) struct StatusShown {
    pub entry: u64,
    pub status: &'static str,
    pub reason: String,
    pub time: Option<String>,
}

fn shown(
    v: &readmodel::View<'_>,
    content: &HashMap<String, String>,
    name: &str,
    x: &Incident,
) -> Shown {
    let e = v.election();
    let open = |c: &str| {
        v.content_is_public(c)
            .then(|| content.get(c).cloned())
            .flatten()
    };
    Shown {
        entry: x.index,
        category: x.category.clone(),
        unit: x.unit.0,
        path: e.units.path(x.unit),
        region: region(e, x.unit),
        time: x.time.clone(),
        coarsened: x.coarsened,
        reported_at: x.reported_at.map(|t| t.to_string()),
        status: x.status.key(),
        text: open(&x.text),
        photos: (0..x.photos.len())
            .filter(|&k| open(&x.photos[k]).is_some())
            .map(|k| {
                format!(
                    "/elections/{}/incidents/{}/photos/{k}",
                    crate::pages::urlencode(name),
                    x.index
                )
            })
            .collect(),
        statuses: x
            .history
            .iter()
            .map(|(entry, s, reason, t)| StatusShown {
                entry: *entry,
                status: s.key(),
                reason: reason.clone(),
                time: t.map(|t| t.to_string()),
            })
            .collect(),
    }
}

/// What the listing says: the incidents that pass the filters (a page of them) and the
/// counts of all that pass.
#[derive(Serialize)]
pub(crate) struct Listing {
    pub election: String,
    pub log_size: u64,
    pub as_of: Option<String>,
    pub incidents_in_log: usize,
    pub passing: usize,
    pub page: usize,
    pub pages: usize,
    pub by_category: BTreeMap<String, u64>,
    pub by_status: BTreeMap<String, u64>,
    pub by_region: BTreeMap<String, u64>,
    pub incidents: Vec<Shown>,
}

/// The listing of election `name`'s incidents under filter `f`.
pub(crate) fn listing(
    v: &readmodel::View<'_>,
    content: &HashMap<String, String>,
    name: &str,
    f: &Filter,
    bounds: (u64, u64),
) -> Listing {
    let e = v.election();
    let all = v.incidents().list();
    let mut passing: Vec<&Incident> = all.iter().filter(|x| f.passes(x, bounds)).collect();
    passing.sort_by(|a, b| b.at.cmp(&a.at).then(b.index.cmp(&a.index)));
    let by = |key: &dyn Fn(&Incident) -> String| {
        let mut m: BTreeMap<String, u64> = BTreeMap::new();
        for x in &passing {
            *m.entry(key(x)).or_default() += 1;
        }
        m
    };
    let by_category = by(&|x| x.category.clone());
    let by_status = by(&|x| x.status.key().to_string());
    let by_region = by(&|x| region(e, x.unit).unwrap_or_default());
    let page = f.page.unwrap_or(1).max(1) as usize;
    Listing {
        election: name.to_string(),
        log_size: v.size(),
        as_of: v.as_of().map(|t| t.to_string()),
        incidents_in_log: all.len(),
        passing: passing.len(),
        page,
        pages: passing.len().div_ceil(PAGE).max(1),
        by_category,
        by_status,
        by_region,
        incidents: passing
            .iter()
            .skip((page - 1) * PAGE)
            .take(PAGE)
            .map(|x| shown(v, content, name, x))
            .collect(),
    }
}

/// The store's content of election `name` (texts and photos behind the log's commitments).
async fn stored_content(s: &AppState, name: &str) -> Result<HashMap<String, String>, ServerError> {
    let (s, n) = (s.clone(), name.to_string());
    blocking(move || crate::register::content(&s, &n)).await
}

/// `GET /api/elections/{name}/incidents`: the incidents that pass the filters, the latest
/// first, a page of [`PAGE`]; with the counts of all that pass by category, status and
/// region (what the map shows) and of every incident in the log.
pub(crate) async fn list_api(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(f): Query<Filter>,
) -> Result<Response, ServerError> {
    let bounds = f.bounds()?;
    let content = stored_content(&s, &name).await?;
    let (key, n) = (f.key("incidents"), name.clone());
    crate::public::kept(s, name, key, "application/json", move |v| {
        let body = listing(v, &content, &n, &f, bounds);
        serde_json::to_vec(&body).map_err(|e| ServerError::Internal(e.to_string()))
    })
    .await
}

/// `GET /elections/{name}/incidents`: the page, in the reader's language, kept per log size,
/// language and filter.
pub(crate) async fn page(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(f): Query<Filter>,
    r: crate::reader::Reader,
) -> Result<Response, ServerError> {
    let bounds = f.bounds()?;
    let content = stored_content(&s, &name).await?;
    let (key, n, l, state) = (
        format!("page:{}&lang={}", f.key("incidents"), r.lang.key()),
        name.clone(),
        r.lang,
        s.clone(),
    );
    crate::public::kept(s, name, key, "text/html; charset=utf-8", move |v| {
        let x = listing(v, &content, &n, &f, bounds);
        let h = crate::pages::heading(v, &n);
        Ok(crate::pages::incidents(l, v.election(), &h, &state.categories, &f, &x).into_bytes())
    })
    .await
}

/// `GET /api/elections/{name}/incidents.csv`: every incident that passes the filters, the
/// form's fields as columns (entry, category, region, place, time, coarsened, status, text,
/// photos), never the reporter.
pub(crate) async fn csv_api(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(f): Query<Filter>,
) -> Result<Response, ServerError> {
    let bounds = f.bounds()?;
    let content = stored_content(&s, &name).await?;
    let (key, n) = (f.key("incidents.csv"), name.clone());
    crate::public::kept(s, name, key, "text/csv; charset=utf-8", move |v| {
        let e = v.election();
        let mut w = csv::Writer::from_writer(Vec::new());
        let io = |x: csv::Error| ServerError::Internal(x.to_string());
        w.write_record([
            "entry",
            "category",
            "region",
            "place",
            "time",
            "coarsened",
            "status",
            "text",
            "photos",
        ])
        .map_err(io)?;
        for x in v.incidents().list().iter().filter(|x| f.passes(x, bounds)) {
            let p = shown(v, &content, &n, x);
            w.write_record([
                x.index.to_string(),
                x.category.clone(),
                region(e, x.unit).unwrap_or_default(),
                e.units.path(x.unit),
                x.time.clone(),
                x.coarsened.to_string(),
                x.status.key().to_string(),
                // A spreadsheet must not read a text as a formula.
                p.text.as_deref().map(formula_safe).unwrap_or_default(),
                p.photos.join(" "),
            ])
            .map_err(io)?;
        }
        w.into_inner()
            .map_err(|x| ServerError::Internal(x.to_string()))
    })
    .await
}

/// A text a spreadsheet shows as text: one beginning with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading apostrophe.
fn formula_safe(t: &str) -> String {
    if t.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{t}")
    } else {
        t.to_string()
    }
}

/// `GET /elections/{name}/incidents/{id}/photos/{k}`: photo `k` of incident `id`, if the log
/// makes it public and it is not redacted; served as an image, never as a page.
pub(crate) async fn photo(
    State(s): State<AppState>,
    Path((name, id, k)): Path<(String, u64, usize)>,
) -> Result<Response, ServerError> {
    let content = stored_content(&s, &name).await?;
    let (state, n) = (s.clone(), name.clone());
    let file = blocking(move || {
        state.live.with(&state.db, &n, |v| {
            let x = v
                .incidents()
                .list()
                .iter()
                .find(|x| x.index == id)
                .ok_or_else(|| ServerError::NotFound(format!("no incident at entry {id}")))?;
            let c = x
                .photos
                .get(k)
                .ok_or_else(|| ServerError::NotFound(format!("incident {id} has no photo {k}")))?;
            let text = v
                .content_is_public(c)
                .then(|| content.get(c))
                .flatten()
                .ok_or_else(|| ServerError::NotFound("the photo is redacted".into()))?;
            Ok(FileRef::parse(text)?)
        })
    })
    .await?;
    let (db, f) = (std::sync::Arc::clone(&s.db), file.clone());
    let stored = blocking(move || Ok(Pool::get(&db)?.scan(&f)?))
        .await?
        .ok_or_else(|| ServerError::NotFound("the photo is no longer stored".into()))?;
    Ok(crate::staff::stored_file(&file, stored, "public"))
}
