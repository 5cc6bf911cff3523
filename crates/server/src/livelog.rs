//! The election's log as it grows, served as C2SP tlog-tiles under
//! `/elections/{name}/log/`: the checkpoint signed for the log's current size (signed by the
//! read model before any read sees that size), the hash tiles from the state's Merkle tree,
//! the entry bundles from the store, and the public content behind the log's commitments;
//! `tallyproof verify URL` and `verifier/verify.py` read it as they read a directory.
//! Witnesses submit their cosignatures, which are served beside the checkpoint.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use store::Store;
use translog::tiles::{entry_bundle, parse_tile_path, WIDTH};

use crate::pool::Pool;
use crate::public::blocking;
use crate::{AppState, ServerError};

/// Full tiles never change: a year's caching, and no revalidation.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The checkpoint, partial tiles and content change as the log grows (or is redacted).
const CURRENT: &str = "no-cache";

fn text(body: impl Into<axum::body::Body>, media: &'static str, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, media),
            (header::CACHE_CONTROL, cache),
        ],
        body.into(),
    )
        .into_response()
}

/// `checkpoint`: the signed checkpoint of the log's current size, with the witnesses'
/// cosignatures when they cosigned this size.
pub(crate) async fn checkpoint(
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ServerError> {
    let note = blocking(move || s.live.with(&s.db, &name, |v| Ok(v.checkpoint()))).await?;
    let note = note.ok_or_else(|| ServerError::NotFound("this service signs no log".into()))?;
    Ok(text(
        note.note.to_string(),
        "text/plain; charset=utf-8",
        CURRENT,
    ))
}

/// `cosigned`: the latest checkpoint that witnesses cosigned, with their cosignatures.
pub(crate) async fn cosigned(
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ServerError> {
    let note = blocking(move || s.live.with(&s.db, &name, |v| Ok(v.cosigned()))).await?;
    let note =
        note.ok_or_else(|| ServerError::NotFound("no witness has cosigned this log yet".into()))?;
    Ok(text(
        note.note.to_string(),
        "text/plain; charset=utf-8",
        CURRENT,
    ))
}

/// `log.pub`: the log's verifier key, for convenience only: a verifier must take the key
/// from a channel it trusts, not from the log it checks.
pub(crate) async fn key(State(s): State<AppState>) -> Result<Response, ServerError> {
    let key = s
        .live
        .signing()
        .map(|k| format!("{}\n", k.verifier().text()))
        .ok_or_else(|| ServerError::NotFound("this service signs no log".into()))?;
    Ok(text(key, "text/plain; charset=utf-8", CURRENT))
}

/// `tile/...`: a hash tile or an entry bundle of the log at its signed size.
pub(crate) async fn tile(
    State(s): State<AppState>,
    Path((name, path)): Path<(String, String)>,
) -> Result<Response, ServerError> {
    let (level, index, width) = parse_tile_path(&format!("tile/{path}"))
        .map_err(|e| ServerError::NotFound(e.to_string()))?;
    let missing = move |size: u64| {
        ServerError::NotFound(format!(
            "the log of {size} entries has no tile {path} (width {width})"
        ))
    };
    let bytes = blocking(move || {
        let (size, hashes) = s.live.with(&s.db, &name, |v| {
            Ok((v.size(), level.map(|l| v.hash_tile(l, index, width))))
        })?;
        match hashes {
            Some(tile) => tile.ok_or_else(|| missing(size)),
            None if !readmodel::tile_in(size, None, index, width) => Err(missing(size)),
            None => {
                let from = index * WIDTH;
                let entries = Pool::get(&s.db)?.log_range(&name, from, from + width)?;
                if entries.len() as u64 != width {
                    return Err(missing(size));
                }
                entry_bundle(&entries).map_err(|e| ServerError::Internal(e.to_string()))
            }
        }
    })
    .await?;
    let cache = if width == WIDTH { IMMUTABLE } else { CURRENT };
    Ok(text(bytes, "application/octet-stream", cache))
}

/// `content/<commitment>`: the salt in hex, a newline, the text, for a content the log makes
/// public (never an observer's or a complainant's name); absent once redacted.
pub(crate) async fn content(
    State(s): State<AppState>,
    Path((name, commitment)): Path<(String, String)>,
) -> Result<Response, ServerError> {
    if commitment.len() != 64 || !commitment.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ServerError::NotFound(format!(
            "'{commitment}' is not a commitment (64 hex digits)"
        )));
    }
    let body = blocking(move || {
        let public = s
            .live
            .with(&s.db, &name, |v| Ok(v.content_is_public(&commitment)))?;
        let found = match public {
            true => Pool::get(&s.db)?.content(&name, &commitment)?,
            false => None,
        };
        let c = found.ok_or_else(|| {
            ServerError::NotFound(format!(
                "no public content for {commitment}: not in the log, redacted, or private"
            ))
        })?;
        Ok(format!("{}\n{}", c.salt, c.text))
    })
    .await?;
    Ok(text(body, "text/plain; charset=utf-8", CURRENT))
}

/// A witness's cosignature: the checkpoint as the witness cosigned it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Cosignature {
    checkpoint: String,
}

/// `POST /api/elections/{name}/cosignatures`: a witness's cosigned checkpoint. Anyone may
/// submit one: it is kept only if the checkpoint is one this log signed and a witness the
/// service was started with (`--witness`) cosigned it.
pub(crate) async fn cosign(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Json(c): Json<Cosignature>,
) -> Result<Response, ServerError> {
    let taken = blocking(move || s.live.cosign(&s.db, &name, &c.checkpoint)).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"size": taken.size, "witnesses": taken.witnesses, "kept": taken.kept})),
    )
        .into_response())
}
