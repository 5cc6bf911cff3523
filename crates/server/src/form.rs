//! The staff desk's form bodies: `application/x-www-form-urlencoded` for plain forms and
//! `multipart/form-data` (RFC 7578) for forms that carry a file (a protocol's scan, a
//! complaint's attachment, an audit's manifest, records or readings), read alike into
//! fields and files, with limits by field (a file 8 MiB, any other field and a form without a
//! file 64 KiB). The route guard reads a form's CSRF token before the handler runs.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::Form;

use crate::ServerError;

/// A file sent with a form.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    /// Its name on the sender's machine (for errors only).
    pub name: String,
    /// Its bytes.
    pub bytes: Bytes,
}

/// A form's fields and files (files left empty by the sender are absent), each file with its
/// field's name, in the order sent (a field may take several).
#[derive(Debug, Default)]
pub(crate) struct DeskForm {
    pub fields: HashMap<String, String>,
    pub files: Vec<(String, Upload)>,
}

impl DeskForm {
    /// A field's text, if sent.
    pub fn get(&self, key: &str) -> Option<&String> {
        self.fields.get(key)
    }

    /// Every file sent in field `key`, in order.
    pub fn files_of<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Upload> + 'a {
        self.files
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, f)| f)
    }

    /// The file sent in field `key` (the last, if it was sent several).
    pub fn file(&self, key: &str) -> Option<&Upload> {
        self.files
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, f)| f)
    }
}

fn content_type(req: &Request) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn multipart_error(e: multer::Error) -> ServerError {
    match e {
        multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
            too_large()
        }
        other => ServerError::BadRequest(format!("the form's body: {other}")),
    }
}

fn too_large() -> ServerError {
    ServerError::TooLarge(format!(
        "a form's file may have at most {} bytes, its other fields and a form without a file at most {} bytes",
        crate::SCAN_LIMIT,
        crate::BODY_LIMIT
    ))
}

/// The most a multipart body is read: one file (or several, in all no larger) and the other
/// fields.
pub(crate) const MULTIPART_LIMIT: usize = crate::SCAN_LIMIT + crate::BODY_LIMIT;

/// A multipart reader over a body already in memory.
fn reader(content_type: &str, body: Bytes) -> Result<multer::Multipart<'static>, ServerError> {
    let boundary = multer::parse_boundary(content_type).map_err(multipart_error)?;
    let stream = futures_util::stream::once(std::future::ready(Ok::<Bytes, std::io::Error>(body)));
    Ok(multer::Multipart::new(stream, boundary))
}

/// Reads a multipart body (at most [`MULTIPART_LIMIT`] bytes, already read) into its fields
/// and files, with the limits by field: a file at most [`crate::SCAN_LIMIT`] bytes, any
/// other field at most [`crate::BODY_LIMIT`], and a form that carries no file at most
/// [`crate::BODY_LIMIT`] in all. A form over a limit is refused whole (413), before anything
/// of it is stored.
pub(crate) async fn multipart(content_type: &str, body: Bytes) -> Result<DeskForm, ServerError> {
    let total = body.len();
    let mut out = DeskForm::default();
    let mut m = reader(content_type, body)?;
    while let Some(field) = m.next_field().await.map_err(multipart_error)? {
        let key = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(file) => {
                // The declared media type is ignored: the store decides by the bytes.
                let bytes = field.bytes().await.map_err(multipart_error)?;
                if bytes.len() > crate::SCAN_LIMIT {
                    return Err(too_large());
                }
                if !bytes.is_empty() {
                    out.files.push((key, Upload { name: file, bytes }));
                }
            }
            None => {
                let text = field.text().await.map_err(multipart_error)?;
                if text.len() > crate::BODY_LIMIT {
                    return Err(too_large());
                }
                out.fields.insert(key, text);
            }
        }
    }
    if out.files.is_empty() && total > crate::BODY_LIMIT {
        return Err(too_large());
    }
    Ok(out)
}

impl<S: Send + Sync> FromRequest<S> for DeskForm {
    type Rejection = ServerError;

    async fn from_request(req: Request, state: &S) -> Result<DeskForm, ServerError> {
        let ct = content_type(&req);
        if !ct.starts_with("multipart/form-data") {
            let Form(pairs) = Form::<Vec<(String, String)>>::from_request(req, state)
                .await
                .map_err(|e| match e.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => too_large(),
                    _ => ServerError::BadRequest(e.body_text()),
                })?;
            return Ok(DeskForm {
                fields: pairs.into_iter().collect(),
                ..DeskForm::default()
            });
        }
        let body = axum::body::to_bytes(req.into_body(), MULTIPART_LIMIT)
            .await
            .map_err(|_| too_large())?;
        multipart(&ct, body).await
    }
}
