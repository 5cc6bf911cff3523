//! The service's static files: the desk's control relations as an operator types
//! (`relations.js`), the station check's script and the pure-JavaScript
//! Ed25519 and SHA-2 it falls back on where the browser's own cryptography is not available
//! (a page over plain HTTP), vendored unchanged from the npm registry (`static/vendor/README.md`).
//! `static/SHA256SUMS` lists every file's SHA-256; a test recomputes them.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::ServerError;

/// Each file: its path below `/static/` and its bytes.
pub const FILES: &[(&str, &[u8])] = &[
    ("check.js", include_bytes!("../static/check.js")),
    ("relations.js", include_bytes!("../static/relations.js")),
    (
        "vendor/noble-ed25519/index.js",
        include_bytes!("../static/vendor/noble-ed25519/index.js"),
    ),
    (
        "vendor/noble-hashes/sha2.js",
        include_bytes!("../static/vendor/noble-hashes/sha2.js"),
    ),
    (
        "vendor/noble-hashes/_md.js",
        include_bytes!("../static/vendor/noble-hashes/_md.js"),
    ),
    (
        "vendor/noble-hashes/_u64.js",
        include_bytes!("../static/vendor/noble-hashes/_u64.js"),
    ),
    (
        "vendor/noble-hashes/utils.js",
        include_bytes!("../static/vendor/noble-hashes/utils.js"),
    ),
];

/// `GET /static/{*file}`: a static script, cacheable for a day (its name does not change
/// with its content, so not for ever).
pub(crate) async fn file(Path(file): Path<String>) -> Result<Response, ServerError> {
    let (_, bytes) = FILES
        .iter()
        .find(|(name, _)| *name == file)
        .ok_or_else(|| ServerError::NotFound(format!("no static file '{file}'")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        *bytes,
    )
        .into_response())
}
