//! The errors of the service, as HTTP answers.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::atomic::{AtomicU64, Ordering};

use thiserror::Error;

/// What a request can run into.
#[derive(Debug, Error)]
pub enum ServerError {
    /// No such election, law, unit, user or entered protocol.
    #[error("{0}")]
    NotFound(String),
    /// A query parameter is wrong.
    #[error("{0}")]
    BadRequest(String),
    /// The request needs a login (or its token is unknown).
    #[error("{0}")]
    Unauthorized(String),
    /// The caller's role may not do this, or the CSRF token is missing.
    #[error("{0}")]
    Forbidden(String),
    /// The store's rules refuse the act (the two-person rule, a stale entry, a taken name).
    #[error("{0}")]
    Conflict(String),
    /// The act was computed at a log size the log has grown past (compute it again).
    #[error("{0}")]
    Stale(String),
    /// An uploaded file of a kind the service does not take (decided by its bytes).
    #[error("{0}")]
    Unsupported(String),
    /// The request is well formed but its values are refused (a count above the
    /// plausibility bound).
    #[error("{0}")]
    Unprocessable(String),
    /// The request body is too large.
    #[error("{0}")]
    TooLarge(String),
    /// The service is busy with large responses: try again shortly.
    #[error("{0}")]
    Busy(String),
    /// Too many failed logins.
    #[error("{0}")]
    TooMany(String),
    /// The store or a computation failed.
    #[error("{0}")]
    Internal(String),
    /// The TLS certificate or key given to the service is refused (at start, never answered).
    #[error("{0}")]
    Tls(String),
}

impl From<store::StoreError> for ServerError {
    fn from(e: store::StoreError) -> ServerError {
        use store::StoreError as S;
        match e {
            S::NoElection(_) | S::NotFound(_) => ServerError::NotFound(e.to_string()),
            S::BadCorrection(_) | S::BadInput(_) => ServerError::BadRequest(e.to_string()),
            S::BadFile(_) => ServerError::Unsupported(e.to_string()),
            S::Refused(_) | S::ElectionExists(_) => ServerError::Conflict(e.to_string()),
            S::Stale { .. } => ServerError::Stale(e.to_string()),
            S::NotAssigned(_) => ServerError::Forbidden(e.to_string()),
            other => ServerError::Internal(other.to_string()),
        }
    }
}

/// Totals that do not fit in 64 bits: the log holds them (an import), but no total can be
/// shown or certified until a correction brings them back.
impl From<tabulate::TabulateError> for ServerError {
    fn from(e: tabulate::TabulateError) -> ServerError {
        ServerError::Conflict(e.to_string())
    }
}

/// The read model's errors: an unknown election is not found; totals beyond 64 bits are a
/// conflict, as [`tabulate::TabulateError`]; the rest is the service's failure.
impl From<readmodel::ReadError> for ServerError {
    fn from(e: readmodel::ReadError) -> ServerError {
        use readmodel::ReadError as R;
        match e {
            R::NoElection(_) => ServerError::NotFound(e.to_string()),
            R::Totals(t) => t.into(),
            R::Cosignature(_) => ServerError::BadRequest(e.to_string()),
            other => ServerError::Internal(other.to_string()),
        }
    }
}

/// Internal errors answered since the service started: the reference in an answer.
static INTERNAL: AtomicU64 = AtomicU64::new(0);

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        let status = match self {
            ServerError::NotFound(_) => StatusCode::NOT_FOUND,
            ServerError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ServerError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ServerError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServerError::Conflict(_) | ServerError::Stale(_) => StatusCode::CONFLICT,
            ServerError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServerError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ServerError::Unsupported(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ServerError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            ServerError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            ServerError::Internal(_) | ServerError::Tls(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let busy = matches!(self, ServerError::Busy(_));
        let text = match &self {
            // The store's or a computation's failure is for the operator, not the caller (it may
            // name tables, files or statements): the answer gives a reference to it.
            ServerError::Internal(detail) | ServerError::Tls(detail) => {
                let n = INTERNAL.fetch_add(1, Ordering::Relaxed) + 1;
                eprintln!("tallyproof serve: internal error {n}: {detail}");
                format!(
                    "the service failed (internal error {n}; its operator's log has the details)"
                )
            }
            other => other.to_string(),
        };
        let mut res = (status, Json(serde_json::json!({ "error": text }))).into_response();
        if busy {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("5"),
            );
        }
        res
    }
}

/// The largest error body rewritten as JSON; a longer one is cut.
const ERROR_TEXT_LIMIT: usize = 4096;

/// Every error of the API answers JSON (`{"error": ...}`), as the OpenAPI document says: the
/// answers that axum's extractors and router make themselves (a JSON body that does not parse,
/// a body over its limit, a path parameter of the wrong type, an unknown path or method) are
/// plain text or empty, and are rewritten here (by [`crate::headers::Edge`], for the paths
/// under `/api/`). The pages (`/`, `/elections/...`) keep theirs.
pub(crate) async fn as_json(res: Response) -> Response {
    let status = res.status();
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = match axum::body::to_bytes(body, ERROR_TEXT_LIMIT).await {
        Ok(b) if !b.is_empty() => String::from_utf8_lossy(&b).trim().to_string(),
        _ => status.canonical_reason().unwrap_or("error").to_lowercase(),
    };
    let mut out = (status, Json(serde_json::json!({ "error": text }))).into_response();
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

/// A page's error (a JSON error from a handler, or axum's own text) as a page in the
/// reader's language, with a way back (to the staff desk or its login too, from `desk`, the
/// desk's address for a path of the desk: [`crate::desk::home`]); other answers pass.
pub(crate) async fn as_page(
    res: Response,
    reader: &crate::reader::Reader,
    desk: Option<&str>,
) -> Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, ERROR_TEXT_LIMIT)
        .await
        .unwrap_or_default();
    let detail = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(v) => v["error"].as_str().unwrap_or_default().to_string(),
        Err(_) => String::from_utf8_lossy(&bytes).trim().to_string(),
    };
    let back = desk.map(|home| crate::desk::way_back(reader.lang, home, status));
    let html = ui::layout::error_page(reader.lang, status.as_u16(), &detail, &reader.here, back);
    let mut out = (status, axum::response::Html(html)).into_response();
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store failure's text (a statement, a table, a path) never reaches the caller; the
    /// answer refers to the operator's log.
    #[tokio::test]
    async fn an_internal_error_answers_a_reference_not_its_detail() {
        let detail = "no such table: staff_user (SELECT hash FROM staff_user WHERE name = ?1)";
        let res = ServerError::from(store::StoreError::Corrupt(detail.into())).into_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(res.into_body(), 4096).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let text = body["error"].as_str().unwrap();
        assert!(
            text.starts_with("the service failed (internal error "),
            "{text}"
        );
        assert!(!text.contains("staff_user"), "{text}");
        // The others keep their text: it is the caller's to read.
        let res = ServerError::Conflict("refused: a staff 'certify' ...".into()).into_response();
        let body = axum::body::to_bytes(res.into_body(), 4096).await.unwrap();
        assert!(String::from_utf8_lossy(&body).contains("refused: a staff 'certify'"));
    }
}
