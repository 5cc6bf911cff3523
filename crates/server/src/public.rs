//! The public's pages and API: reading needs no login.

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{data, pages, AppState, ServerError};

#[derive(Deserialize)]
pub(crate) struct ByQuery {
    by: Option<String>,
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

pub(crate) async fn index(State(s): State<AppState>) -> Result<Html<String>, ServerError> {
    let list = blocking(move || data::elections(&s.db)).await?;
    Ok(Html(pages::index(&list)))
}

pub(crate) async fn elections(State(s): State<AppState>) -> Result<Json<Value>, ServerError> {
    let list = blocking(move || data::elections(&s.db)).await?;
    let rows: Vec<Value> = list
        .into_iter()
        .map(|(name, stations, versions, source)| json!({"name": name, "stations": stations, "protocol_versions": versions, "source": source}))
        .collect();
    Ok(Json(Value::Array(rows)))
}

pub(crate) async fn results(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<ByQuery>,
) -> Result<Json<Value>, ServerError> {
    let level = data::level(q.by.as_deref())?;
    let v = blocking(move || {
        let snap = s.live.snapshot(&s.db, &name)?;
        data::report_json(&data::report(&snap, level))
    })
    .await?;
    Ok(Json(v))
}

pub(crate) async fn results_page(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<ByQuery>,
) -> Result<Response, ServerError> {
    let level = data::level(q.by.as_deref())?;
    let html = blocking(move || {
        let snap = s.live.snapshot(&s.db, &name)?;
        Ok(pages::results(
            &data::report(&snap, level),
            &name,
            snap.election_annulled,
        ))
    })
    .await?;
    Ok(Html(html).into_response())
}

pub(crate) async fn seats_page(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<LawQuery>,
) -> Result<Html<String>, ServerError> {
    let law = q.law.unwrap_or_else(|| "kg2020".into());
    let html = blocking(move || {
        let snap = s.live.snapshot(&s.db, &name)?;
        let a = data::allocation(&snap, &law)?;
        Ok(pages::seats(&a, &name, &law))
    })
    .await?;
    Ok(Html(html))
}

pub(crate) async fn unit_page(
    State(s): State<AppState>,
    Path((name, id)): Path<(String, u32)>,
) -> Result<Html<String>, ServerError> {
    let html = blocking(move || {
        let snap = s.live.snapshot(&s.db, &name)?;
        Ok(pages::unit(&data::unit(&s.db, &snap, &name, id)?, &name))
    })
    .await?;
    Ok(Html(html))
}

pub(crate) async fn unit_api(
    State(s): State<AppState>,
    Path((name, id)): Path<(String, u32)>,
) -> Result<Json<Value>, ServerError> {
    let v = blocking(move || {
        let snap = s.live.snapshot(&s.db, &name)?;
        Ok(data::unit_json(&data::unit(&s.db, &snap, &name, id)?))
    })
    .await?;
    Ok(Json(v))
}

pub(crate) async fn forensics_page(
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> Result<Html<String>, ServerError> {
    let html = blocking(move || {
        let snap = s.live.snapshot(&s.db, &name)?;
        forensics::page::build(&snap.election, &snap.protocols, 0, None, None)
            .map(|(html, _)| html)
            .map_err(|x| ServerError::BadRequest(x.to_string()))
    })
    .await?;
    Ok(Html(html))
}

pub(crate) async fn verify_page(State(s): State<AppState>) -> Html<String> {
    let checkpoint = s
        .log
        .as_ref()
        .and_then(|d| std::fs::read_to_string(d.join("checkpoint")).ok());
    let key = s
        .log
        .as_ref()
        .and_then(|d| std::fs::read_to_string(d.join("log.pub")).ok());
    Html(pages::verify(checkpoint.as_deref(), key.as_deref()))
}

pub(crate) async fn seats_of(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<LawQuery>,
) -> Result<Json<Value>, ServerError> {
    let law = q
        .law
        .ok_or_else(|| ServerError::BadRequest("give ?law=kg2010|kg2015|kg2020|kg2021".into()))?;
    let v = blocking(move || {
        let snap = s.live.snapshot(&s.db, &name)?;
        data::seats(&snap, &law)
    })
    .await?;
    Ok(Json(v))
}

pub(crate) async fn openapi() -> Json<Value> {
    Json(crate::routes::openapi_document())
}
