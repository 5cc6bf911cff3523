//! Choosing a unit on the desk by the unit search (`model::search`: a name, a station's
//! number or a path), never by an internal id: a search form that reloads the desk with
//! `?q=`, the units found as links that choose one (`?unit=`), and the chosen unit's path.
//! An operator finds only stations, and only in the units assigned to them; the others any
//! unit. The chosen id is checked again by the act that uses it (the store's assignment rule).

use maud::{html, Markup};
use model::search::UnitQuery;
use model::{Election, UnitId, UnitLevel};
use readmodel::FoundUnit;
use record::Role;
use ui::{Lang, T};

use super::fields::{self, field};
use crate::pages::urlencode;
use crate::{AppState, ServerError};

/// Units the search looks through for the ones the user may act on.
const SCANNED: usize = 5_000;
/// Units listed.
const SHOWN: usize = 50;

/// What a desk's picker shows: the query, the units found that the user may choose, and the
/// chosen one.
#[derive(Default)]
pub(super) struct Picked {
    /// The query as typed.
    pub query: String,
    /// The units found that may be chosen, at most [`SHOWN`].
    pub found: Vec<FoundUnit>,
    /// How many of those the search found (among the first [`SCANNED`]).
    pub total: usize,
    /// The unit chosen, if it may be.
    pub chosen: Option<UnitId>,
}

/// Who picks what: an operator a station of their units, anyone else any unit.
pub(super) struct Scope<'a> {
    pub role: Role,
    /// The operator's assigned units.
    pub assigned: &'a [UnitId],
}

impl Scope<'_> {
    fn level(&self) -> Option<UnitLevel> {
        (self.role == Role::Operator).then_some(UnitLevel::Station)
    }

    /// Whether the unit whose ancestors (and itself) are `up` may be chosen.
    fn allows(&self, mut up: impl Iterator<Item = UnitId>) -> bool {
        self.role != Role::Operator || up.any(|u| self.assigned.contains(&u))
    }

    /// Whether `id` of `e` may be chosen.
    pub fn allows_unit(&self, e: &Election, id: UnitId) -> bool {
        if id.index() >= e.units.len() {
            return false;
        }
        if self.level().is_some_and(|l| e.units.get(id).level != l) {
            return false;
        }
        let mut chain = vec![id];
        let mut at = id;
        while let Some(p) = e.units.get(at).parent {
            chain.push(p);
            at = p;
        }
        self.allows(chain.into_iter())
    }
}

/// Searches election `name` for `query` (when not blank) and checks the chosen unit `unit`
/// (the desk's `?unit=`, a number: anything else chooses nothing).
pub(super) fn pick(
    s: &AppState,
    name: &str,
    scope: &Scope<'_>,
    query: Option<&str>,
    unit: Option<&str>,
) -> Result<Picked, ServerError> {
    let query = query.unwrap_or("").trim().to_string();
    let mut picked = Picked {
        query: query.clone(),
        ..Picked::default()
    };
    if !query.is_empty() {
        let mut q = UnitQuery::new(&query, scope.level())
            .map_err(|e| ServerError::BadRequest(format!("field 'q': {e}")))?;
        // An operator's units apply before the cap: their stations are found wherever they
        // are in the tree.
        if scope.role == Role::Operator {
            q = q.in_units(scope.assigned);
        }
        let found = s.live.search(&s.db, name, &q, 0, SCANNED)?;
        let allowed: Vec<FoundUnit> = found
            .units
            .into_iter()
            // A path names the units below the country: the country is above every one.
            .filter(|u| scope.allows(u.path.iter().map(|(id, _)| *id).chain([UnitId(0)])))
            .collect();
        picked.total = allowed.len();
        picked.found = allowed.into_iter().take(SHOWN).collect();
    }
    picked.chosen = unit.and_then(|u| u.trim().parse::<u32>().ok()).map(UnitId);
    Ok(picked)
}

/// The picker of a desk at `base` (the desk's address): the search form, the units found,
/// the chosen unit (checked against `e` and `scope`).
pub(super) fn picker(l: Lang, base: &str, e: &Election, scope: &Scope<'_>, p: &Picked) -> Markup {
    let station = scope.role == Role::Operator;
    let (label, hint) = if station {
        (T::DeskFindStation, T::DeskFindHint)
    } else {
        (T::DeskFindUnit, T::DeskFindHint)
    };
    let chosen = p.chosen.filter(|&u| scope.allows_unit(e, u));
    let link = |id: UnitId| format!("{base}?q={}&unit={}", urlencode(&p.query), id.0);
    html! {
        form.form method="get" action=(base) role="search" {
            (field("q", l.t(label), Some(l.t(hint)), html! {
                input #q name="q" type="search" value=(p.query) autocomplete="off" spellcheck="false" aria-describedby=(fields::hint_of("q"));
            }))
            div.acts { button #find { (l.t(T::DeskFindButton)) } }
        }
        @if !p.query.is_empty() && chosen.is_none() {
            @if p.found.is_empty() {
                p { (l.t(T::DeskFoundNone)) }
            } @else {
                p.note { (l.f(T::DeskFound, &[("all", &l.count(p.total as u64)), ("shown", &l.count(p.found.len() as u64))])) }
                ul.plain.found {
                    @for u in &p.found {
                        li { a href=(link(u.id)) { (e.units.path(u.id)) } }
                    }
                }
            }
        }
        @if let Some(id) = chosen {
            p.chosen { strong { (l.f(T::DeskChosen, &[("unit", &e.units.path(id))])) } " "
                a href=(format!("{base}?q={}", urlencode(&p.query))) { (l.t(T::DeskChooseAnother)) } }
        }
    }
}

/// The chosen unit, if the scope allows it.
pub(super) fn chosen(e: &Election, scope: &Scope<'_>, p: &Picked) -> Option<UnitId> {
    p.chosen.filter(|&u| scope.allows_unit(e, u))
}
