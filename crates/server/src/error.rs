//! The errors of the service, as HTTP answers.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use thiserror::Error;

/// What a request can run into.
#[derive(Debug, Error)]
pub enum ServerError {
    /// No such election, law or unit.
    #[error("{0}")]
    NotFound(String),
    /// A query parameter is wrong.
    #[error("{0}")]
    BadRequest(String),
    /// The store or a computation failed.
    #[error("{0}")]
    Internal(String),
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        let status = match self {
            ServerError::NotFound(_) => StatusCode::NOT_FOUND,
            ServerError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ServerError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (
            status,
            Json(serde_json::json!({ "error": self.to_string() })),
        )
            .into_response()
    }
}
