//! The commissioners' rulings on the record (`docs/log-format.md`, revision 3): a complaint's
//! review (its new status, with a reason and the decision that answers it), an override of an
//! entered protocol's quarantine, a resolution of a blind double entry that differs, and blind
//! double entry switched on or off. What each logs is `record`'s (`review_act`, `reason_act`);
//! whether the log takes it is the store's and `record`'s rules (`record::Register`,
//! `record::may_verify`), as for every act.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use record::{encode, Entry, StaffAct};
use serde::Deserialize;
use serde_json::json;
use store::Staffing;

use crate::auth::{self, Acting, Caller};
use crate::pool::Pool;
use crate::public::blocking;
use crate::staff::{act, Logged};
use crate::{AppState, ServerError};

fn refused(e: record::RecordError) -> ServerError {
    ServerError::BadRequest(e.to_string())
}

/// A complaint's new status as a commissioner gives it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewStatus {
    /// `under-review`, `upheld` or `dismissed`.
    pub status: String,
    /// Why.
    pub reason: String,
    /// The decision entry that answers the complaint, by its index in the log.
    #[serde(default)]
    pub decision: Option<u64>,
}

/// Logs a review of the complaint at entry `complaint`; answers the log's size.
pub(crate) async fn review(
    s: &AppState,
    by: Acting,
    name: String,
    complaint: u64,
    n: NewStatus,
) -> Result<u64, ServerError> {
    let status = record::complaint_status(&n.status).map_err(refused)?;
    let (review, row) = record::review_act(complaint, status, &n.reason, n.decision, &auth::salt())
        .map_err(refused)?;
    let logged = Logged {
        kind: StaffAct::Review,
        entries: vec![encode(&Entry::Review(review))],
        content: vec![row],
        files: Vec::new(),
        at: None,
    };
    act(s, by, name, logged).await
}

/// `POST /api/elections/{name}/complaints/{id}/status`.
pub(crate) async fn review_api(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, complaint)): Path<(String, u64)>,
    Json(n): Json<NewStatus>,
) -> Result<Response, ServerError> {
    let size = review(&s, who.acting()?, name, complaint, n).await?;
    Ok((StatusCode::CREATED, Json(json!({"logged_as": size - 1}))).into_response())
}

/// A ruling's reason.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Reasoned {
    /// Why.
    pub reason: String,
}

/// What a commissioner rules on an entered protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnEntered {
    /// Lifts its quarantine: it may be verified though it breaks an error-level relation.
    Override,
    /// Chooses it between the two keyings of a blind double entry that differ.
    Resolve,
}

/// Logs `ruling` on entered protocol `id` with its reason; answers the log's size.
pub(crate) async fn on_entered(
    s: &AppState,
    by: Acting,
    name: String,
    id: i64,
    ruling: OnEntered,
    reason: &str,
) -> Result<u64, ServerError> {
    let (db, n) = (std::sync::Arc::clone(&s.db), name.clone());
    let entered = blocking(move || Ok(Pool::get(&db)?.pending_one(&n, id)?)).await?;
    let (reason, row) = record::reason_act("reason", reason, &auth::salt()).map_err(refused)?;
    let protocol = entered.digest;
    let kind = match ruling {
        OnEntered::Override => StaffAct::Override { protocol, reason },
        OnEntered::Resolve => StaffAct::Resolve { protocol, reason },
    };
    let logged = Logged {
        kind,
        entries: Vec::new(),
        content: vec![row],
        files: Vec::new(),
        at: None,
    };
    act(s, by, name, logged).await
}

async fn on_entered_api(
    s: AppState,
    who: Caller,
    (name, id): (String, i64),
    ruling: OnEntered,
    r: Reasoned,
) -> Result<Response, ServerError> {
    let size = on_entered(&s, who.acting()?, name, id, ruling, &r.reason).await?;
    Ok((StatusCode::CREATED, Json(json!({"logged_as": size - 1}))).into_response())
}

/// `POST /api/elections/{name}/pending/{id}/override`.
pub(crate) async fn override_api(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(at): Path<(String, i64)>,
    Json(r): Json<Reasoned>,
) -> Result<Response, ServerError> {
    on_entered_api(s, who, at, OnEntered::Override, r).await
}

/// `POST /api/elections/{name}/pending/{id}/resolve`.
pub(crate) async fn resolve_api(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(at): Path<(String, i64)>,
    Json(r): Json<Reasoned>,
) -> Result<Response, ServerError> {
    on_entered_api(s, who, at, OnEntered::Resolve, r).await
}

/// Whether protocols are keyed twice.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Intake {
    /// Blind double entry on or off.
    pub double: bool,
}

/// Switches blind double entry on or off; answers the log's size.
pub(crate) async fn intake(
    s: &AppState,
    by: Acting,
    name: String,
    double: bool,
) -> Result<u64, ServerError> {
    let logged = Logged {
        kind: StaffAct::Intake { double },
        entries: Vec::new(),
        content: Vec::new(),
        files: Vec::new(),
        at: None,
    };
    act(s, by, name, logged).await
}

/// `POST /api/elections/{name}/intake`.
pub(crate) async fn intake_api(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    Json(i): Json<Intake>,
) -> Result<Response, ServerError> {
    let size = intake(&s, who.acting()?, name, i.double).await?;
    Ok((StatusCode::CREATED, Json(json!({"logged_as": size - 1}))).into_response())
}
