//! The staff desk's form bodies: `application/x-www-form-urlencoded` for plain forms and
//! `multipart/form-data` (RFC 7578) for forms that carry a file (a protocol's scan, a
//! complaint's attachment, an audit's manifest, records or readings), read alike into
//! fields and files. The route guard finds a multipart form's CSRF token with
//! [`multipart_field`] before the handler runs.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
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

/// A form's fields and files (files left empty by the sender are absent).
#[derive(Debug, Default)]
pub(crate) struct DeskForm {
    pub fields: HashMap<String, String>,
    pub files: HashMap<String, Upload>,
}

impl DeskForm {
    /// A field's text, if sent.
    pub fn get(&self, key: &str) -> Option<&String> {
        self.fields.get(key)
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
            ServerError::TooLarge(format!(
                "a form may carry at most {} bytes",
                crate::SCAN_LIMIT
            ))
        }
        other => ServerError::BadRequest(format!("the form's body: {other}")),
    }
}

/// A multipart reader over a body already in memory.
fn reader(content_type: &str, body: Bytes) -> Result<multer::Multipart<'static>, ServerError> {
    let boundary = multer::parse_boundary(content_type).map_err(multipart_error)?;
    let stream = futures_util::stream::once(std::future::ready(Ok::<Bytes, std::io::Error>(body)));
    Ok(multer::Multipart::new(stream, boundary))
}

/// The text of field `name` of a multipart body, if it has one.
pub(crate) async fn multipart_field(content_type: &str, body: Bytes, name: &str) -> Option<String> {
    let mut m = reader(content_type, body).ok()?;
    while let Ok(Some(field)) = m.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

impl<S: Send + Sync> FromRequest<S> for DeskForm {
    type Rejection = ServerError;

    async fn from_request(req: Request, state: &S) -> Result<DeskForm, ServerError> {
        let ct = content_type(&req);
        let mut out = DeskForm::default();
        if !ct.starts_with("multipart/form-data") {
            let Form(pairs) = Form::<Vec<(String, String)>>::from_request(req, state)
                .await
                .map_err(|e| ServerError::BadRequest(e.body_text()))?;
            out.fields = pairs.into_iter().collect();
            return Ok(out);
        }
        let body = axum::body::to_bytes(req.into_body(), crate::SCAN_LIMIT + crate::BODY_LIMIT)
            .await
            .map_err(|_| {
                ServerError::TooLarge(format!(
                    "a form may carry at most {} bytes",
                    crate::SCAN_LIMIT
                ))
            })?;
        let mut m = reader(&ct, body)?;
        while let Some(field) = m.next_field().await.map_err(multipart_error)? {
            let key = field.name().unwrap_or_default().to_string();
            match field.file_name().map(str::to_string) {
                Some(file) => {
                    // The declared media type is ignored: the store decides by the bytes.
                    let bytes = field.bytes().await.map_err(multipart_error)?;
                    if !bytes.is_empty() {
                        out.files.insert(key, Upload { name: file, bytes });
                    }
                }
                None => {
                    let text = field.text().await.map_err(multipart_error)?;
                    out.fields.insert(key, text);
                }
            }
        }
        Ok(out)
    }
}
