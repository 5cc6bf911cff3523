//! The unit search (`GET /api/elections/{name}/units?q=&level=&page=`, and its page
//! `/elections/{name}/units`, [`crate::pages::units`]): an election's units found by name,
//! station number or path (`model::search`), 100 a page, each with its path and totals. The
//! public's list of units, the staff desk and the observers' forms use it.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::Html;
use axum::Json;
use model::search::UnitQuery;
use model::UnitLevel;
use readmodel::{FoundUnit, Searched};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::pages::Example;
use crate::public::blocking;
use crate::reader::Reader;
use crate::{pages, AppState, ServerError};

/// Units a page.
pub(crate) const PER_PAGE: usize = 100;

/// The query string as sent: every field checked by [`Asked::new`], so that a refusal names
/// it.
#[derive(Deserialize)]
pub(crate) struct UnitsQuery {
    q: Option<String>,
    level: Option<String>,
    page: Option<String>,
}

/// A search as asked: the query and the page (from 1).
pub(crate) struct Asked {
    pub(crate) query: UnitQuery,
    pub(crate) page: u64,
}

impl Asked {
    /// The search a query string asks for; an empty field counts as absent (a form sends
    /// its empty fields).
    pub(crate) fn new(q: &UnitsQuery) -> Result<Asked, ServerError> {
        let given = |f: &Option<String>| f.as_deref().filter(|v| !v.is_empty()).map(str::to_string);
        let level = given(&q.level)
            .map(|l| UnitLevel::from_key(&l))
            .transpose()
            .map_err(|e| ServerError::BadRequest(format!("field 'level': {e}")))?;
        let page = match given(&q.page) {
            None => 1,
            Some(p) => p
                .parse::<u64>()
                .ok()
                .filter(|&n| n >= 1 && p.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| {
                    ServerError::BadRequest(format!(
                        "field 'page': '{}' is not a page number (1, 2, 3, ...)",
                        model::names::shown(&p)
                    ))
                })?,
        };
        let query = UnitQuery::new(q.q.as_deref().unwrap_or(""), level)
            .map_err(|e| ServerError::BadRequest(format!("field 'q': {e}")))?;
        Ok(Asked { query, page })
    }

    /// The first unit of the page, counted from 0 (past every unit for an absurd page).
    fn offset(&self) -> usize {
        usize::try_from(self.page - 1)
            .unwrap_or(usize::MAX)
            .saturating_mul(PER_PAGE)
    }
}

/// Searches that may run at once. A search of a national file scans every unit's name: more at
/// once than the cores can run only queue up and hold memory, so one more is refused (503,
/// retry in a moment) rather than let a flood of queries take the machine from the staff.
pub(crate) const AT_ONCE: usize = 4;

/// A permit to search now, or `Busy` when [`AT_ONCE`] searches are running.
fn permit(
    searches: &Arc<tokio::sync::Semaphore>,
) -> Result<tokio::sync::OwnedSemaphorePermit, ServerError> {
    Arc::clone(searches).try_acquire_owned().map_err(|_| {
        ServerError::Busy(format!(
            "{AT_ONCE} searches are running; try again in a moment"
        ))
    })
}

/// The units of election `name` a search finds, one page of them.
pub(crate) fn find(s: &AppState, name: &str, asked: &Asked) -> Result<Searched, ServerError> {
    s.live
        .search(&s.db, name, &asked.query, asked.offset(), PER_PAGE)
}

/// `GET /api/elections/{name}/units`.
pub(crate) async fn units_api(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<UnitsQuery>,
) -> Result<Json<Value>, ServerError> {
    let asked = Asked::new(&q)?;
    let searching = permit(&s.searches)?;
    let (asked, found) = blocking(move || {
        let _searching = searching;
        let found = find(&s, &name, &asked)?;
        Ok((asked, found))
    })
    .await?;
    Ok(Json(json!({
        "query": asked.query.text(),
        "level": asked.query.level().map(UnitLevel::key),
        "total": found.total,
        "page": asked.page,
        "per_page": PER_PAGE,
        "log_size": found.size,
        "units": found.units.iter().map(unit_json).collect::<Vec<_>>(),
    })))
}

/// `GET /elections/{name}/units`: the search's page, in the reader's language.
pub(crate) async fn units_page(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<UnitsQuery>,
    r: Reader,
) -> Result<Html<String>, ServerError> {
    let asked = Asked::new(&q)?;
    let searching = permit(&s.searches)?;
    let html = blocking(move || {
        let _searching = searching;
        let found = find(&s, &name, &asked)?;
        let (h, example) = s.live.with(&s.db, &name, |v| {
            Ok((pages::heading(v, &name), Example::of(v.election())))
        })?;
        Ok(pages::units(r.lang, &asked, &found, &h, example.as_ref()))
    })
    .await?;
    Ok(Html(html))
}

/// A unit found, as JSON; its totals `null` while the election's do not fit in 64 bits.
fn unit_json(u: &FoundUnit) -> Value {
    let c = u.counts;
    json!({
        "id": u.id.0,
        "name": u.name,
        "level": u.level.key(),
        "path": u.path.iter().map(|(id, n)| json!({"id": id.0, "name": n})).collect::<Vec<_>>(),
        "stations": c.map(|c| c.stations),
        "reporting": c.map(|c| c.reporting),
        "annulled": c.map(|c| c.annulled),
        "votes": c.map(|c| c.votes),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// While [`AT_ONCE`] searches run, one more is refused as busy (503), and runs once one
    /// ends (a review found nothing bounded the searches of a national file).
    #[test]
    fn one_search_more_than_at_once_is_busy() {
        let searches = Arc::new(tokio::sync::Semaphore::new(AT_ONCE));
        let running: Vec<_> = (0..AT_ONCE).map(|_| permit(&searches).unwrap()).collect();
        assert!(matches!(permit(&searches), Err(ServerError::Busy(_))));
        drop(running);
        assert!(permit(&searches).is_ok());
    }
}
