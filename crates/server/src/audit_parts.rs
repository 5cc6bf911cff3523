//! Cast-vote records sent in parts (issue 18): a national file is far larger than one request
//! may be, so an auditor begins an upload naming the file's SHA-256 and size, sends it in
//! parts of at most 8 MiB each at its offset, and after a lost connection asks how much
//! arrived and goes on from there. The parts go to the audit files' directory
//! (`serve --audit-files DIR`, [`store::AuditDir`]); the whole must have the declared hash and
//! be a records file (`Batch Name, Position, Choice`), else it is deleted. The audit then
//! names it `sha256:<hex>`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Json;
use base64::Engine;
use serde::{Deserialize, Serialize};
use store::{AuditDir, FileRef, Upload};

use crate::auth::Caller;
use crate::public::blocking;
use crate::{AppState, ServerError};

/// An upload's beginning: the whole file's SHA-256 (`sha256:<hex>` or the hex) and size.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Begin {
    sha256: String,
    size: u64,
}

/// Where an upload stands, as answered.
#[derive(Serialize)]
struct Standing {
    /// The name an audit cites: `sha256:<hex>`.
    file: String,
    size: u64,
    /// Bytes received from the start: the next part's offset.
    received: u64,
    complete: bool,
    /// Where the next part goes, while incomplete.
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

impl From<Upload> for Standing {
    fn from(u: Upload) -> Standing {
        let next = (!u.complete)
            .then(|| format!("/api/audit-files/{}/parts/{}", u.file.hex(), u.received));
        Standing {
            file: u.file.to_string(),
            size: u.size,
            received: u.received,
            complete: u.complete,
            next,
        }
    }
}

/// The audit files' directory, or why no upload in parts can be taken.
fn directory(s: &AppState) -> Result<std::sync::Arc<AuditDir>, ServerError> {
    s.audit_files.clone().ok_or_else(|| {
        ServerError::BadRequest(
            "this service takes files in parts only into its audit files' directory: start it with tallyproof serve --audit-files DIR (a file of at most 8 MiB goes whole with PUT /api/scans)".into(),
        )
    })
}

/// Begins the caller's upload, or answers where their upload of the same file stands.
pub(crate) async fn begin(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Json(b): Json<Begin>,
) -> Result<Response, ServerError> {
    let (dir, file, by) = (directory(&s)?, FileRef::parse(&b.sha256)?, who.staff()?.id);
    let up = blocking(move || Ok(dir.begin_upload(&file, b.size, by)?)).await?;
    Ok((StatusCode::CREATED, Json(Standing::from(up))).into_response())
}

/// Where an upload stands.
pub(crate) async fn standing(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(sha256): Path<String>,
) -> Result<Response, ServerError> {
    let (dir, file, by) = (directory(&s)?, FileRef::parse(&sha256)?, who.staff()?.id);
    let up = blocking(move || Ok(dir.upload(&file, by)?)).await?;
    Ok(Json(Standing::from(up)).into_response())
}

/// Gives up the caller's upload under way (204).
pub(crate) async fn abandon(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(sha256): Path<String>,
) -> Result<Response, ServerError> {
    let (dir, file, by) = (directory(&s)?, FileRef::parse(&sha256)?, who.staff()?.id);
    blocking(move || Ok(dir.abandon(&file, by)?)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The part's SHA-256 (hex) its sender declares in a `Content-Digest` header (RFC 9530:
/// `sha-256=:<base64>:`), if it sends one.
fn declared_digest(headers: &HeaderMap) -> Result<Option<String>, ServerError> {
    let Some(value) = headers.get("content-digest") else {
        return Ok(None);
    };
    let bad = |why: &str| {
        ServerError::BadRequest(format!(
            "Content-Digest: {why}; give sha-256=:<the part's SHA-256 in base64>:"
        ))
    };
    let text = value.to_str().map_err(|_| bad("not text"))?;
    let sha = text
        .split(',')
        .filter_map(|item| item.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("sha-256"))
        .ok_or_else(|| bad("no sha-256 (the only digest checked)"))?
        .1
        .trim();
    let bytes = sha
        .strip_prefix(':')
        .and_then(|x| x.strip_suffix(':'))
        .and_then(|x| base64::engine::general_purpose::STANDARD.decode(x).ok())
        .filter(|b| b.len() == 32)
        .ok_or_else(|| bad("sha-256 is not 32 bytes in base64 between colons"))?;
    Ok(Some(hex::encode(bytes)))
}

/// Appends a part at its offset; the last one makes the file whole, checked by its hash and
/// read through as records (an error names the line and column). A part sent with a
/// `Content-Digest` that its bytes do not have is refused, nothing written.
pub(crate) async fn part(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((sha256, offset)): Path<(String, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ServerError> {
    let (dir, file, by) = (directory(&s)?, FileRef::parse(&sha256)?, who.staff()?.id);
    let declared = declared_digest(&headers)?;
    let up = blocking(move || {
        // Hashed off the async workers, as the part is written.
        if let Some(declared) = declared {
            let got = FileRef::of(&body);
            if got.hex() != declared {
                return Err(ServerError::BadRequest(format!(
                    "the part's {} bytes have the SHA-256 {}, not {declared} (its Content-Digest): nothing was written; send it again",
                    body.len(),
                    got.hex()
                )));
            }
        }
        let name = file.to_string();
        let check = |path: &std::path::Path| {
            let f = std::fs::File::open(path).map_err(|e| format!("{name}: {e}"))?;
            let reader = std::io::BufReader::with_capacity(1 << 20, f);
            formats::audit_files::ballots_keeping(&name, reader, |_, _| false)
                .map(|_| ())
                .map_err(|e| format!("{e}: it was deleted; send a records file"))
        };
        Ok(dir.append_part(&file, by, offset, &body, check)?)
    })
    .await?;
    Ok(Json(Standing::from(up)).into_response())
}
