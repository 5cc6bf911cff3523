//! The incident reports page: the filters (category, status, days), the counts by region as
//! a tile map with its table, then the reports the latest first, a page at a time; each with
//! its place and time as its reporter published them, its category, status and the
//! supervisors' reasons, its text and photos. Never a reporter.

use maud::{html, Markup};
use model::{Election, UnitId, UnitLevel};
use ui::layout::option;
use ui::{Heading, Lang, Section, Tr, T};

use super::{frame, urlencode};
use crate::incidents::{Categories, Filter, Listing, Shown};

/// A default category's name (another key shows as itself).
pub(crate) fn default_name(l: Lang, key: &str) -> Tr {
    let t = match key {
        "vote-buying" => T::IncidentCategoryVoteBuying,
        "carousel-voting" => T::IncidentCategoryCarouselVoting,
        "ballot-stuffing" => T::IncidentCategoryBallotStuffing,
        "multiple-voting" => T::IncidentCategoryMultipleVoting,
        "pressure-or-violence" => T::IncidentCategoryPressureOrViolence,
        "obstruction-of-observers" => T::IncidentCategoryObstructionOfObservers,
        "campaigning-at-station" => T::IncidentCategoryCampaigningAtStation,
        "other" => T::IncidentCategoryOther,
        _ => return Tr::from(key.to_string()),
    };
    l.t(t)
}

/// A status's words.
pub(crate) fn status(l: Lang, key: &str) -> Tr {
    l.t(match key {
        "confirmed" => T::IncidentStatusConfirmed,
        "rejected" => T::IncidentStatusRejected,
        _ => T::IncidentStatusCitizen,
    })
}

/// The page, with the deployment's categories `c`.
pub(crate) fn incidents(
    l: Lang,
    e: &Election,
    h: &Heading,
    c: &Categories,
    f: &Filter,
    x: &Listing,
) -> String {
    let name = &h.name;
    let base = format!("/elections/{}/incidents", urlencode(name));
    let query = |page: usize| {
        let v = |o: &Option<String>| urlencode(o.as_deref().unwrap_or(""));
        format!(
            "{base}?category={}&status={}&from={}&to={}&page={page}",
            v(&f.category),
            v(&f.status),
            v(&f.from),
            v(&f.to)
        )
    };
    let regions: Vec<(UnitId, String, u64)> = e
        .units
        .iter()
        // Regions only: an election whose stations lie right under the country has no map.
        .filter(|(_, u)| u.parent == Some(e.units.root()) && u.level != UnitLevel::Station)
        .map(|(id, u)| {
            let n = x.by_region.get(u.name).copied().unwrap_or(0);
            (id, u.name.to_string(), n)
        })
        .collect();
    let chosen = |o: &Option<String>, k: &str| o.as_deref() == Some(k);
    let body = html! {
        p { (l.t(T::IncidentsIntro)) }
        form.form.wide method="get" action=(base) role="search" {
            div.rows {
                div {
                    label for="category" { (l.t(T::IncidentsFilterCategory)) }
                    select #category name="category" {
                        (option("", f.category.is_none(), &l.t(T::IncidentsFilterAny)))
                        @for k in c.keys() { (option(k, chosen(&f.category, k), &c.name(l, k))) }
                    }
                }
                div {
                    label for="status" { (l.t(T::IncidentsFilterStatus)) }
                    select #status name="status" {
                        (option("", f.status.is_none(), &l.t(T::IncidentsFilterAny)))
                        @for k in ["citizen", "confirmed", "rejected"] { (option(k, chosen(&f.status, k), &status(l, k))) }
                    }
                }
                div {
                    label for="from" { (l.t(T::IncidentsFilterFrom)) }
                    input #from name="from" type="date" value=(f.from.clone().unwrap_or_default());
                }
                div {
                    label for="to" { (l.t(T::IncidentsFilterTo)) }
                    input #to name="to" type="date" value=(f.to.clone().unwrap_or_default());
                }
            }
            div.acts { button #show { (l.t(T::IncidentsFilterButton)) } }
        }
        p.note #coverage { (l.f(T::IncidentsCoverage, &[("passing", &l.count(x.passing as u64)), ("all", &l.count(x.incidents_in_log as u64))])) }
        (crate::map::count_tiles(l, name, &regions))
        h2 { (l.t(T::IncidentsTitle)) }
        @if x.incidents.is_empty() { p { (l.t(T::IncidentsNone)) } }
        @for i in &x.incidents { (card(l, c, i)) }
        @if x.pages > 1 {
            nav.pager aria-label=(l.f(T::IncidentsPage, &[("page", &x.page.to_string()), ("pages", &x.pages.to_string())])) {
                @if x.page > 1 { a href=(query(x.page - 1)) rel="prev" { (l.t(T::IncidentsNewer)) } }
                span { (l.f(T::IncidentsPage, &[("page", &x.page.to_string()), ("pages", &x.pages.to_string())])) }
                @if x.page < x.pages { a href=(query(x.page + 1)) rel="next" { (l.t(T::IncidentsOlder)) } }
            }
        }
    };
    frame(
        l,
        &base,
        Some(h),
        Section::Incidents,
        l.t(T::IncidentsTitle),
        body,
    )
}

/// One report.
fn card(l: Lang, c: &Categories, i: &Shown) -> Markup {
    html! {
        div.card.incident id=(format!("incident-{}", i.entry)) {
            h3 { (c.name(l, &i.category)) " · " (i.path) }
            p.meta {
                span.status { (status(l, i.status)) } " · " (i.time) " UTC"
                @if i.coarsened { " " (l.t(T::IncidentsCoarsened)) }
            }
            (what(l, i))
            @for s in &i.statuses {
                p.note { (l.f(T::IncidentsStatusGiven, &[("status", status(l, s.status).as_str()), ("time", s.time.as_deref().unwrap_or("")), ("reason", &s.reason)])) }
            }
        }
    }
}

/// What a report says: its text (or that it is withheld) and its photos' links.
pub(crate) fn what(l: Lang, i: &Shown) -> Markup {
    html! {
        @match &i.text {
            Some(t) => p.text { (t) },
            None => p.note { (l.t(T::IncidentsTextWithheld)) },
        }
        @if !i.photos.is_empty() {
            p { @for (k, p) in i.photos.iter().enumerate() {
                a href=(p) { (l.f(T::IncidentsPhoto, &[("k", &(k + 1).to_string())])) } " "
            } }
        }
    }
}
