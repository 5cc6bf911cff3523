//! The complaint register: each complaint of an election with its unit's path, category,
//! status, reviews and, where the store still holds them and the log makes them public, its
//! text and the reasons of its reviews (`GET /elections/{name}/complaints` and its JSON,
//! `/api/elections/{name}/complaints`). Complainants are never shown: the log carries them
//! only as commitments whose content is never public (`record::ContentKind`). The
//! commissioners' desk lists the same rows, texts included.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::Html;
use axum::Json;
use readmodel::{Decided, Filed, View};
use serde_json::{json, Value};
use store::Store;

use crate::pool::Pool;
use crate::public::blocking;
use crate::reader::Reader;
use crate::{pages, AppState, ServerError};

/// A complaint as the register shows it.
pub(crate) struct Row {
    /// The complaint, as the log says it.
    pub filed: Filed,
    /// Its unit's path.
    pub path: String,
    /// Its text, where shown.
    pub text: Option<String>,
    /// Its attachment (`sha256:<hex>`), where shown.
    pub attachment: Option<String>,
    /// The reason of each review, where shown (in the order of `filed.reviews`).
    pub reasons: Vec<Option<String>>,
}

/// A certification made while complaints were open, as the register shows it.
pub(crate) struct Over {
    /// The `certify` entry, its time and the complaints open then (`readmodel::CertifiedOver`).
    pub certified: readmodel::CertifiedOver,
    /// Its reason, where shown.
    pub reason: Option<String>,
}

/// The certifications made while complaints were open, with their reasons where shown.
pub(crate) fn over(v: &View<'_>, content: &HashMap<String, String>, who: Audience) -> Vec<Over> {
    v.certified_over()
        .iter()
        .map(|c| Over {
            reason: shown(v, content, who, &c.reason),
            certified: c.clone(),
        })
        .collect()
}

/// The stored text of commitment `c`, if `who` may read it.
fn shown(
    v: &View<'_>,
    content: &HashMap<String, String>,
    who: Audience,
    c: &str,
) -> Option<String> {
    let may = who == Audience::Commission || v.content_is_public(c);
    may.then(|| content.get(c).cloned()).flatten()
}

/// Who reads the register: the public sees only public content; a commissioner every text
/// the store still holds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Audience {
    Public,
    Commission,
}

/// The register's rows and the decisions of the log, from the view `v` and the store's
/// `content` (commitment to text).
pub(crate) fn rows(
    v: &View<'_>,
    content: &HashMap<String, String>,
    who: Audience,
) -> (Vec<Row>, Vec<Decided>) {
    let e = v.election();
    let open = |c: &str| shown(v, content, who, c);
    let rows = v
        .complaints()
        .iter()
        .map(|f| Row {
            path: e.units.path(f.unit),
            text: open(&f.text),
            attachment: f.scan.as_deref().and_then(open),
            reasons: f.reviews.iter().map(|r| open(&r.reason)).collect(),
            filed: f.clone(),
        })
        .collect();
    (rows, v.decisions().to_vec())
}

/// The store's content of election `name`, by commitment.
pub(crate) fn content(s: &AppState, name: &str) -> Result<HashMap<String, String>, ServerError> {
    let store = Pool::get(&s.db)?;
    Ok(store
        .contents(name)?
        .into_iter()
        .map(|c| (c.commitment, c.text))
        .collect())
}

/// `GET /elections/{name}/complaints`.
pub(crate) async fn page(
    State(s): State<AppState>,
    Path(name): Path<String>,
    r: Reader,
) -> Result<Html<String>, ServerError> {
    let html = blocking(move || {
        let content = content(&s, &name)?;
        s.live.with(&s.db, &name, |v| {
            let (rows, _) = rows(v, &content, Audience::Public);
            let over = over(v, &content, Audience::Public);
            let h = pages::heading(v, &name);
            Ok(pages::complaints(r.lang, &rows, &over, &h))
        })
    })
    .await?;
    Ok(Html(html))
}

/// `GET /api/elections/{name}/complaints`.
pub(crate) async fn api(
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<Value>, ServerError> {
    let v = blocking(move || {
        let content = content(&s, &name)?;
        s.live.with(&s.db, &name, |v| {
            let (rows, _) = rows(v, &content, Audience::Public);
            let over = over(v, &content, Audience::Public);
            Ok(json!({
                "log_size": v.size(),
                "complaints": rows.iter().map(row_json).collect::<Vec<_>>(),
                "certified_over_open_complaints": over.iter().map(|o| json!({
                    "entry": o.certified.index,
                    "at": o.certified.at.map(|t| t.to_string()),
                    "reason": o.reason,
                    "open": o.certified.open,
                })).collect::<Vec<_>>(),
            }))
        })
    })
    .await?;
    Ok(Json(v))
}

fn row_json(r: &Row) -> Value {
    let f = &r.filed;
    json!({
        "entry": f.index,
        "filed_at": f.at.map(|t| t.to_string()),
        "unit": {"id": f.unit.0, "path": r.path},
        "category": f.category.map(|c| c.key()),
        "status": f.status.key(),
        "text": r.text,
        "attachment": r.attachment,
        "reviews": f.reviews.iter().zip(&r.reasons).map(|(x, reason)| json!({
            "entry": x.index,
            "at": x.at.map(|t| t.to_string()),
            "status": x.status.key(),
            "reason": reason,
            "decision": x.decision,
        })).collect::<Vec<_>>(),
    })
}
