//! The service's static files: the desk's control relations as an operator types
//! (`relations.js`), the posted protocol's form (`protocol-form.js`, with the vendored
//! `qrcode-generator` that draws its QR code), the phone's scan of a posted protocol
//! (`scan.js`, with the vendored `zxing-wasm` reader that reads the code: WebAssembly, served
//! as `application/wasm`), the station check's script and the pure-JavaScript
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
        "protocol-form.js",
        include_bytes!("../static/protocol-form.js"),
    ),
    (
        "vendor/qrcode-generator/qrcode.js",
        include_bytes!("../static/vendor/qrcode-generator/qrcode.js"),
    ),
    ("scan.js", include_bytes!("../static/scan.js")),
    (
        "vendor/zxing-wasm/es/reader/index.js",
        include_bytes!("../static/vendor/zxing-wasm/es/reader/index.js"),
    ),
    (
        "vendor/zxing-wasm/es/share.js",
        include_bytes!("../static/vendor/zxing-wasm/es/share.js"),
    ),
    (
        "vendor/zxing-wasm/reader/zxing_reader.wasm",
        include_bytes!("../static/vendor/zxing-wasm/reader/zxing_reader.wasm"),
    ),
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

/// The bytes of static file `name` (its path below `/static/`).
pub fn bytes(name: &str) -> Option<&'static [u8]> {
    FILES.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}

/// The posted protocol form's scripts, in the order a page loads them: the QR encoder, then
/// the form's own (`ui::posted`).
pub const PROTOCOL_FORM: [&str; 2] = ["vendor/qrcode-generator/qrcode.js", "protocol-form.js"];

/// `GET /static/{*file}`: a static script, cacheable for a day (its name does not change
/// with its content, so not for ever).
pub(crate) async fn file(Path(file): Path<String>) -> Result<Response, ServerError> {
    let bytes =
        bytes(&file).ok_or_else(|| ServerError::NotFound(format!("no static file '{file}'")))?;
    let media = match file.ends_with(".wasm") {
        true => "application/wasm",
        false => "text/javascript; charset=utf-8",
    };
    Ok((
        [
            (header::CONTENT_TYPE, media),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        bytes,
    )
        .into_response())
}
