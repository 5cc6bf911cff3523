//! The public's pages and API: reading needs no login.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::export::Export;
use crate::reader::Reader;
use crate::{data, pages, AppState, ServerError};
use readmodel::View;

#[derive(Deserialize)]
pub(crate) struct ByQuery {
    by: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct StationQuery {
    station: Option<u32>,
}

#[derive(Deserialize)]
pub(crate) struct LawQuery {
    law: Option<String>,
}

/// Runs blocking store work on tokio's blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ServerError> + Send + 'static,
) -> Result<T, ServerError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServerError::Internal(e.to_string()))?
}

pub(crate) async fn index(
    State(s): State<AppState>,
    r: Reader,
) -> Result<Html<String>, ServerError> {
    let list = blocking(move || data::listing(&s.db, &s.live)).await?;
    let list: Vec<pages::index::Listed> = list
        .into_iter()
        .map(|e| pages::index::Listed {
            heading: pages::listed(&e.context),
            stations: e.stations,
            versions: e.protocol_versions,
            source: e.source,
        })
        .collect();
    Ok(Html(pages::index(r.lang, &list)))
}

/// Every stored election with its title, date, law, status, what it re-votes and as of when.
pub(crate) async fn elections(State(s): State<AppState>) -> Result<Json<Value>, ServerError> {
    let list = blocking(move || data::listing(&s.db, &s.live)).await?;
    Ok(Json(data::listing_json(&list)))
}

/// An election's context (`data::Context`): what every page about it says of it.
pub(crate) async fn context_api(
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ServerError> {
    let (db, n) = (Arc::clone(&s.db), name.clone());
    kept(s, name, "context".into(), JSON, move |v| {
        let c = data::context(&db, v, &n)?;
        serde_json::to_vec(&data::context_json(&c))
            .map_err(|e| ServerError::Internal(e.to_string()))
    })
    .await
}

/// A response computed once per log size and kept: served from memory while fresh, without
/// leaving the async threads; otherwise computed (or caught up) on the blocking pool. It says
/// which log size it covers (`X-Log-Size`): a heavy one may cover an earlier size than the
/// latest (see [`readmodel::COST_FACTOR`]).
pub(crate) async fn kept(
    s: AppState,
    name: String,
    key: String,
    media: &'static str,
    f: impl FnOnce(&mut View<'_>) -> Result<Vec<u8>, ServerError> + Send + 'static,
) -> Result<Response, ServerError> {
    kept_with(s, name, key, media, f, Ok, false).await
}

/// A kept response computed in two steps (see [`readmodel::Live::compute`]): `take`
/// under the election's lock, `make` after it; it may rest if heavy.
async fn kept_apart<T: 'static>(
    s: AppState,
    name: String,
    key: String,
    media: &'static str,
    take: impl FnOnce(&mut View<'_>) -> Result<T, ServerError> + Send + 'static,
    make: impl FnOnce(T) -> Result<Vec<u8>, ServerError> + Send + 'static,
) -> Result<Response, ServerError> {
    kept_with(s, name, key, media, take, make, true).await
}

/// [`kept`] and [`kept_apart`]: served from memory while fresh, else computed on the blocking
/// pool ([`readmodel::Live::compute`]), then sent.
async fn kept_with<T: 'static>(
    s: AppState,
    name: String,
    key: String,
    media: &'static str,
    take: impl FnOnce(&mut View<'_>) -> Result<T, ServerError> + Send + 'static,
    make: impl FnOnce(T) -> Result<Vec<u8>, ServerError> + Send + 'static,
    may_rest: bool,
) -> Result<Response, ServerError> {
    let (size, bytes) = match s.live.fresh(&name, &key) {
        Some(b) => b,
        None => {
            let (st, name, key) = (s.clone(), name.clone(), key.clone());
            blocking(move || st.live.compute(&st.db, &name, &key, take, make, may_rest)).await?
        }
    };
    send(&s, (&name, &key), media, size, bytes).await
}

/// A kept response (the response `key` of election `name`), with the log size it covers; a
/// large one through [`crate::heavy`].
async fn send(
    s: &AppState,
    (name, key): (&str, &str),
    media: &'static str,
    size: u64,
    bytes: axum::body::Bytes,
) -> Result<Response, ServerError> {
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(media)),
        (
            HeaderName::from_static("x-log-size"),
            HeaderValue::from(size),
        ),
    ];
    if bytes.len() < crate::heavy::LARGE {
        return Ok((headers, bytes).into_response());
    }
    let sender = format!("{name}:{key}");
    Ok((headers, crate::heavy::body(&s.heavy, &sender, bytes).await?).into_response())
}

const JSON: &str = "application/json";
const HTML: &str = "text/html; charset=utf-8";

pub(crate) async fn results(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<ByQuery>,
) -> Result<Response, ServerError> {
    let level = data::level(q.by.as_deref())?;
    let key = format!("results?by={}", level.key());
    if level == model::UnitLevel::Station {
        return kept_apart(s, name, key, JSON, data::take_stations, |t| {
            data::report_bytes(&t.report())
        })
        .await;
    }
    kept(s, name, key, JSON, move |v| {
        data::report_bytes(&data::report(v, level)?)
    })
    .await
}

pub(crate) async fn results_page(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<ByQuery>,
    r: Reader,
) -> Result<Response, ServerError> {
    let level = data::level(q.by.as_deref())?;
    let l = r.lang;
    let key = format!("page:results?by={}&lang={}", level.key(), l.key());
    let n = name.clone();
    kept(s, name, key, HTML, move |v| {
        let h = pages::heading(v, &n);
        let (report, all) = match level {
            model::UnitLevel::Station => data::first_stations(v, pages::ROWS)?,
            _ => {
                let r = data::report(v, level)?;
                let all = r.rows.len().saturating_sub(1);
                (r, all)
            }
        };
        // The election's own law draws its threshold.
        let threshold = pages::threshold(l, v);
        Ok(pages::results(l, &report, all, &h, threshold.as_ref()).into_bytes())
    })
    .await
}

pub(crate) async fn seats_page(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<LawQuery>,
    r: Reader,
) -> Result<Response, ServerError> {
    // Without ?law=, the election's own law (its definition names it, once for its life).
    let l = r.lang;
    let key = format!(
        "page:seats?law={}&lang={}",
        q.law.as_deref().unwrap_or(""),
        l.key()
    );
    let n = name.clone();
    kept(s, name, key, HTML, move |v| {
        let h = pages::heading(v, &n);
        let html = match data::allocation(v, &n, q.law.as_deref())? {
            data::Seats::Allocated(a) => pages::seats(l, &a, &h, &a.law),
            data::Seats::NoLaw(_) => pages::no_law(l, &h),
        };
        Ok(html.into_bytes())
    })
    .await
}

/// The posted protocol's form of a station (`pages::posted`), which runs this site's own
/// scripts ([`crate::headers::DESK_POLICY`]: no request leaves the page).
pub(crate) async fn protocol_form(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<StationQuery>,
    r: Reader,
) -> Result<Response, ServerError> {
    let key = s.live.signing().map(|k| k.verifier().fingerprint());
    let html = blocking(move || {
        s.live.with(&s.db, &name, |v| {
            let e = v.election();
            let station = q.station.map(model::UnitId);
            if let Some(id) = station.filter(|&id| !e.units.is_station(id)) {
                return Err(ServerError::NotFound(format!(
                    "election '{name}' has no station {}",
                    id.0
                )));
            }
            let h = pages::heading(v, &name);
            Ok(pages::posted::form(r.lang, e, &h, station, key))
        })
    })
    .await?;
    let mut res = Html(html).into_response();
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(crate::headers::DESK_POLICY),
    );
    Ok(res)
}

/// A unit's page; a station's with its check, which runs this site's own script
/// ([`crate::headers::CHECK_POLICY`]).
pub(crate) async fn unit_page(
    State(s): State<AppState>,
    Path((name, id)): Path<(String, u32)>,
    r: Reader,
) -> Result<Response, ServerError> {
    let (html, checked) = blocking(move || {
        let flags = s.live.flags(&s.db, &name)?;
        s.live.with(&s.db, &name, |v| {
            let u = data::unit(&s.db, v, &name, id, flags.as_deref())?;
            let check = crate::check::station(&s.db, v, &name, &u, s.live.signing())?;
            let h = pages::heading(v, &name);
            Ok((pages::unit(r.lang, &u, &h, check.as_ref()), check.is_some()))
        })
    })
    .await?;
    let mut res = Html(html).into_response();
    if checked {
        res.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(crate::headers::CHECK_POLICY),
        );
    }
    Ok(res)
}

pub(crate) async fn unit_api(
    State(s): State<AppState>,
    Path((name, id)): Path<(String, u32)>,
) -> Result<Json<Value>, ServerError> {
    let v = blocking(move || {
        let flags = s.live.flags(&s.db, &name)?;
        s.live.with(&s.db, &name, |v| {
            Ok(data::unit_json(&data::unit(
                &s.db,
                v,
                &name,
                id,
                flags.as_deref(),
            )?))
        })
    })
    .await?;
    Ok(Json(v))
}

pub(crate) async fn forensics_page(
    State(s): State<AppState>,
    Path(name): Path<String>,
    r: Reader,
) -> Result<Response, ServerError> {
    let l = r.lang;
    let key = format!("page:forensics?lang={}", l.key());
    let n = name.clone();
    kept_apart(
        s,
        name,
        key,
        HTML,
        move |v| Ok((pages::heading(v, &n), v.election().clone(), v.protocols())),
        move |(h, election, protocols)| {
            let report = forensics::report::build(&election, &protocols, 0, None, None)
                .map_err(|x| ServerError::BadRequest(x.to_string()))?;
            Ok(pages::forensics(l, &report, &h).into_bytes())
        },
    )
    .await
}

#[derive(Deserialize)]
pub(crate) struct CountsQuery {
    by: Option<String>,
    law: Option<String>,
}

impl CountsQuery {
    /// The kept response's key: the level, and the law asked for (none: the election's own,
    /// which its log's definition names once for its life).
    fn key(&self, level: model::UnitLevel) -> String {
        let law = self.law.as_deref().unwrap_or("");
        format!("counts?by={}&law={law}", level.key())
    }
}

pub(crate) async fn counts_page(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<CountsQuery>,
    r: Reader,
) -> Result<Response, ServerError> {
    let level = data::level(q.by.as_deref())?;
    let l = r.lang;
    let key = format!("page:{}&lang={}", q.key(level), l.key());
    let (n, law) = (name.clone(), q.law);
    kept(s, name, key, HTML, move |v| {
        let h = pages::heading(v, &n);
        let c = data::counts(v, &n, level, law.as_deref())?;
        Ok(pages::counts(l, &c, &h).into_bytes())
    })
    .await
}

pub(crate) async fn counts_api(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<CountsQuery>,
) -> Result<Response, ServerError> {
    let level = data::level(q.by.as_deref())?;
    let key = q.key(level);
    let (n, law) = (name.clone(), q.law);
    kept(s, name, key, JSON, move |v| {
        let c = data::counts(v, &n, level, law.as_deref())?;
        serde_json::to_vec(&data::counts_json(&c)).map_err(|e| ServerError::Internal(e.to_string()))
    })
    .await
}

pub(crate) async fn audits_page(
    State(s): State<AppState>,
    Path(name): Path<String>,
    r: Reader,
) -> Result<Response, ServerError> {
    let (n, l) = (name.clone(), r.lang);
    let key = format!("page:audits?lang={}", l.key());
    kept(s, name, key, HTML, move |v| {
        let h = pages::heading(v, &n);
        Ok(pages::audits(l, &data::audits(v)?, &h).into_bytes())
    })
    .await
}

/// A round's retrieval list, printable; redrawn from the log (public: anyone can redraw it
/// from the seed).
pub(crate) async fn round_page(
    State(s): State<AppState>,
    Path((name, audit, round)): Path<(String, String, u64)>,
    r: Reader,
) -> Result<Response, ServerError> {
    let (n, l) = (name.clone(), r.lang);
    let key = format!(
        "page:round:{}:{round}?lang={}",
        pages::urlencode(&audit),
        l.key()
    );
    kept(s, name, key, HTML, move |v| {
        let h = pages::heading(v, &n);
        let protocols = v.protocols();
        let listed =
            audit::steps::retrieval_in(v.election(), &protocols, v.audit_entries(), &audit, round)?;
        Ok(pages::retrieval(l, v.election(), &audit, round, &listed, &h).into_bytes())
    })
    .await
}

pub(crate) async fn audits_api(
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ServerError> {
    kept(s, name, "audits".into(), JSON, move |v| {
        let list: Vec<Value> = data::audits(v)?
            .into_iter()
            .map(|r| match r {
                Ok(r) => serde_json::to_value(r).unwrap_or(Value::Null),
                Err(why) => json!({"error": why}),
            })
            .collect();
        serde_json::to_vec(&list).map_err(|e| ServerError::Internal(e.to_string()))
    })
    .await
}

pub(crate) async fn revotes_page(
    State(s): State<AppState>,
    Path(name): Path<String>,
    r: Reader,
) -> Result<Html<String>, ServerError> {
    let html = blocking(move || {
        let list = data::revotes(&s.db, &s.live, &name)?;
        let h = s
            .live
            .with(&s.db, &name, |v| Ok(pages::heading(v, &name)))?;
        Ok(pages::revotes(r.lang, &list, &h))
    })
    .await?;
    Ok(Html(html))
}

async fn export(s: AppState, name: String, to: Export) -> Result<Response, ServerError> {
    kept_apart(
        s,
        name,
        format!("export:{to:?}"),
        to.media(),
        |v| Ok(crate::export::take(v)),
        move |t| crate::export::export(t, to),
    )
    .await
}

pub(crate) async fn export_csv(
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ServerError> {
    export(s, name, Export::Csv).await
}

pub(crate) async fn export_json(
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ServerError> {
    export(s, name, Export::Json).await
}

pub(crate) async fn export_cdf(
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ServerError> {
    export(s, name, Export::Cdf).await
}

pub(crate) async fn verify_page(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    r: Reader,
) -> Result<Html<String>, ServerError> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("HOST")
        .to_string();
    let local =
        host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]");
    let base = format!("{}://{host}", if local { "http" } else { "https" });
    let key = s.live.signing().map(|k| k.verifier());
    let logs = blocking(move || {
        data::elections(&s.db)?
            .into_iter()
            .map(|name| {
                let signed = s.live.with(&s.db, &name, |v| Ok(v.checkpoint()))?;
                Ok((name, signed))
            })
            .collect::<Result<Vec<_>, ServerError>>()
    })
    .await?;
    Ok(Html(pages::verify(r.lang, &logs, key.as_ref(), &base)))
}

pub(crate) async fn seats_of(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<LawQuery>,
) -> Result<Response, ServerError> {
    // Without ?law=, the election's own law; without one, 200 with why there are no seats.
    let key = format!("seats?law={}", q.law.as_deref().unwrap_or(""));
    let n = name.clone();
    kept(s, name, key, JSON, move |v| {
        let seats = data::allocation(v, &n, q.law.as_deref())?;
        serde_json::to_vec(&data::seats_json(&seats))
            .map_err(|e| ServerError::Internal(e.to_string()))
    })
    .await
}

/// Whether the service is ready: every stored election loaded (replayed and its log signed)
/// since the start, so that no request waits for a replay. 503 until then.
pub(crate) async fn ready(State(s): State<AppState>) -> Response {
    let ready = s.ready.load(std::sync::atomic::Ordering::Acquire);
    let status = match ready {
        true => axum::http::StatusCode::OK,
        false => axum::http::StatusCode::SERVICE_UNAVAILABLE,
    };
    (status, Json(json!({"ready": ready}))).into_response()
}

pub(crate) async fn openapi() -> Json<Value> {
    Json(crate::routes::openapi_document())
}
