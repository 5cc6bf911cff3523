//! The public results service (`tallyproof serve`): a JSON API and server-rendered pages
//! over the store, read-only so far. Every route is listed once in [`ROUTES`], from which
//! both the router and the OpenAPI 3.1 document at `/openapi.json` are made, so the two
//! cannot disagree.
//!
//! The store is SQLite and blocking: each request opens it on tokio's blocking pool.

mod data;
mod error;
mod pages;

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub use error::ServerError;

/// One route: its path (axum syntax), what it answers, and its query parameters.
pub struct Route {
    /// The path, with `{name}` for the election.
    pub path: &'static str,
    /// What it answers.
    pub summary: &'static str,
    /// `application/json` or `text/html`.
    pub media: &'static str,
    /// Query parameters: name and description.
    pub query: &'static [(&'static str, &'static str)],
}

/// Every route the service answers (all `GET`, public, no login).
pub const ROUTES: &[Route] = &[
    Route {
        path: "/",
        summary: "The stored elections (page)",
        media: "text/html",
        query: &[],
    },
    Route {
        path: "/elections/{name}",
        summary:
            "An election's results: national totals, a bar chart and every unit at a level (page)",
        media: "text/html",
        query: &[(
            "by",
            "country, region, constituency, district or station (default region)",
        )],
    },
    Route {
        path: "/elections/{name}/seats",
        summary: "The seat allocation under a law preset: a hemicycle, threshold tests, seats and the closest margins (page)",
        media: "text/html",
        query: &[("law", "kg2010, kg2015, kg2020 or kg2021 (default kg2020)")],
    },
    Route {
        path: "/elections/{name}/units/{id}",
        summary: "A unit (region, district, station): its totals, its units, and a station's every protocol version with the changes marked (page)",
        media: "text/html",
        query: &[],
    },
    Route {
        path: "/api/elections/{name}/units/{id}",
        summary: "A unit: its path, totals, units, and a station's every protocol version",
        media: "application/json",
        query: &[],
    },
    Route {
        path: "/api/elections",
        summary: "The stored elections",
        media: "application/json",
        query: &[],
    },
    Route {
        path: "/api/elections/{name}/results",
        summary:
            "Totals of the first contest at every unit of a level, as `tallyproof results --json`",
        media: "application/json",
        query: &[(
            "by",
            "country, region, constituency, district or station (default region)",
        )],
    },
    Route {
        path: "/api/elections/{name}/seats",
        summary: "The seat allocation under a law preset, as `tallyproof seats --json`",
        media: "application/json",
        query: &[("law", "kg2010, kg2015, kg2020 or kg2021")],
    },
    Route {
        path: "/elections/{name}/forensics",
        summary: "The forensic report: integer percentages, Shpilkin, the Klimek fingerprint, digit tests and station flags, each with what it does and does not mean (page)",
        media: "text/html",
        query: &[],
    },
    Route {
        path: "/verify",
        summary: "The published log: its signed checkpoint and how to verify it; the static tiles are under /log/ when the service publishes them (page)",
        media: "text/html",
        query: &[],
    },
    Route {
        path: "/openapi.json",
        summary: "This API's OpenAPI 3.1 description",
        media: "application/json",
        query: &[],
    },
];

#[derive(Clone)]
struct AppState {
    db: Arc<PathBuf>,
    /// A published log directory served under `/log/`, if any.
    log: Option<Arc<PathBuf>>,
}

#[derive(Deserialize)]
struct ByQuery {
    by: Option<String>,
}

#[derive(Deserialize)]
struct LawQuery {
    law: Option<String>,
}

/// The router over the store at `db`, with the published log directory `log` (as
/// `tallyproof publish` writes it) served as static files under `/log/`.
pub fn router(db: PathBuf, log: Option<PathBuf>) -> Router {
    let state = AppState {
        db: Arc::new(db),
        log: log.clone().map(Arc::new),
    };
    let app = ROUTES
        .iter()
        .fold(Router::new(), |r, route| {
            r.route(route.path, handler(route.path))
        })
        .with_state(state);
    match log {
        Some(dir) => app.nest_service("/log", tower_http::services::ServeDir::new(dir)),
        None => app,
    }
}

/// The handler of a path of [`ROUTES`]; the end-to-end test requests every documented path.
fn handler(path: &str) -> MethodRouter<AppState> {
    match path {
        "/" => get(index),
        "/elections/{name}" => get(results_page),
        "/elections/{name}/seats" => get(seats_page),
        "/api/elections" => get(elections),
        "/api/elections/{name}/results" => get(results),
        "/api/elections/{name}/seats" => get(seats_of),
        "/elections/{name}/units/{id}" => get(unit_page),
        "/api/elections/{name}/units/{id}" => get(unit_api),
        "/elections/{name}/forensics" => get(forensics_page),
        "/verify" => get(verify_page),
        "/openapi.json" => get(openapi),
        other => {
            let message = format!("no handler for {other}");
            get(|| async move { ServerError::Internal(message) })
        }
    }
}

/// Serves the router on `listener` until the process ends.
pub async fn serve(
    listener: tokio::net::TcpListener,
    db: PathBuf,
    log: Option<PathBuf>,
) -> std::io::Result<()> {
    axum::serve(listener, router(db, log)).await
}

/// Runs blocking store work on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ServerError> + Send + 'static,
) -> Result<T, ServerError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServerError::Internal(e.to_string()))?
}

async fn index(State(s): State<AppState>) -> Result<Html<String>, ServerError> {
    let list = blocking(move || data::elections(&s.db)).await?;
    Ok(Html(pages::index(&list)))
}

async fn elections(State(s): State<AppState>) -> Result<Json<Value>, ServerError> {
    let list = blocking(move || data::elections(&s.db)).await?;
    let rows: Vec<Value> = list
        .into_iter()
        .map(|(name, stations, versions, source)| json!({"name": name, "stations": stations, "protocol_versions": versions, "source": source}))
        .collect();
    Ok(Json(Value::Array(rows)))
}

async fn results(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<ByQuery>,
) -> Result<Json<Value>, ServerError> {
    let level = data::level(q.by.as_deref())?;
    let v = blocking(move || {
        let (e, protocols) = data::load(&s.db, &name)?;
        data::report_json(&data::report(&e, &protocols, level))
    })
    .await?;
    Ok(Json(v))
}

async fn results_page(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<ByQuery>,
) -> Result<Response, ServerError> {
    let level = data::level(q.by.as_deref())?;
    let html = blocking(move || {
        let (e, protocols) = data::load(&s.db, &name)?;
        Ok(pages::results(&data::report(&e, &protocols, level), &name))
    })
    .await?;
    Ok(Html(html).into_response())
}

async fn seats_page(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<LawQuery>,
) -> Result<Html<String>, ServerError> {
    let law = q.law.unwrap_or_else(|| "kg2020".into());
    let html = blocking(move || {
        let (e, protocols) = data::load(&s.db, &name)?;
        let a = data::allocation(&e, &protocols, &law)?;
        Ok(pages::seats(&a, &name, &law))
    })
    .await?;
    Ok(Html(html))
}

async fn unit_page(
    State(s): State<AppState>,
    Path((name, id)): Path<(String, u32)>,
) -> Result<Html<String>, ServerError> {
    let html = blocking(move || Ok(pages::unit(&data::unit(&s.db, &name, id)?, &name))).await?;
    Ok(Html(html))
}

async fn unit_api(
    State(s): State<AppState>,
    Path((name, id)): Path<(String, u32)>,
) -> Result<Json<Value>, ServerError> {
    let v = blocking(move || Ok(data::unit_json(&data::unit(&s.db, &name, id)?))).await?;
    Ok(Json(v))
}

async fn forensics_page(
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> Result<Html<String>, ServerError> {
    let html = blocking(move || {
        let (e, protocols) = data::load(&s.db, &name)?;
        forensics::page::build(&e, &protocols, 0, None, None)
            .map(|(html, _)| html)
            .map_err(|x| ServerError::BadRequest(x.to_string()))
    })
    .await?;
    Ok(Html(html))
}

async fn verify_page(State(s): State<AppState>) -> Html<String> {
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

async fn seats_of(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<LawQuery>,
) -> Result<Json<Value>, ServerError> {
    let law = q
        .law
        .ok_or_else(|| ServerError::BadRequest("give ?law=kg2010|kg2015|kg2020|kg2021".into()))?;
    let v = blocking(move || {
        let (e, protocols) = data::load(&s.db, &name)?;
        data::seats(&e, &protocols, &law)
    })
    .await?;
    Ok(Json(v))
}

/// The OpenAPI 3.1 document of [`ROUTES`].
pub fn openapi_document() -> Value {
    let mut paths = serde_json::Map::new();
    for r in ROUTES {
        let mut params: Vec<Value> = r
            .query
            .iter()
            .map(|(n, d)| json!({"name": n, "in": "query", "required": false, "description": d, "schema": {"type": "string"}}))
            .collect();
        if r.path.contains("{id}") {
            params.insert(0, json!({"name": "id", "in": "path", "required": true, "description": "the unit's id (as in the log's units entries)", "schema": {"type": "integer"}}));
        }
        if r.path.contains("{name}") {
            params.insert(0, json!({"name": "name", "in": "path", "required": true, "description": "the election's name", "schema": {"type": "string"}}));
        }
        paths.insert(
            r.path.to_string(),
            json!({"get": {
                "summary": r.summary,
                "parameters": params,
                "responses": {
                    "200": {"description": "OK", "content": {r.media: {}}},
                    "400": {"description": "a parameter is wrong", "content": {"application/json": {}}},
                    "404": {"description": "no such election or law", "content": {"application/json": {}}}
                }
            }}),
        );
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "tallyproof", "version": env!("CARGO_PKG_VERSION"), "description": "Election results anyone can check: the public, read-only API."},
        "paths": paths,
    })
}

async fn openapi() -> Json<Value> {
    Json(openapi_document())
}
