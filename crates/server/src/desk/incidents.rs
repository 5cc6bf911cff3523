//! An observer group's incident forms: an observer reports what happened where and when (a
//! unit found by the unit search, a category of the deployment's, the time, whether to publish
//! only the district and the hour, the text, photos); a supervisor reads the reports nobody
//! has checked yet and gives each a status with a public reason. What the forms post is
//! checked and logged as the API's reports and statuses are (`crate::incidents`).

use maud::{html, Markup};
use record::IncidentStatus;
use ui::layout::option;
use ui::{Lang, T};

use super::fields::{self, field};
use super::pick::{self, Picked, Scope};
use super::Desk;
use crate::incidents::{Categories, Listing};

/// How many unchecked reports a supervisor's desk lists (the latest first).
pub(crate) const LISTED: usize = 20;

/// The observer's incident form, under the unit picker; `now` the time it opens with.
pub(super) fn report(
    d: &Desk<'_>,
    scope: &Scope<'_>,
    picked: &Picked,
    categories: &Categories,
    now: &str,
) -> Markup {
    let (l, e) = (d.l, d.election);
    html! {
        h2 #incident { (l.t(T::DeskIncidentHeading)) }
        p.hint { (l.t(T::DeskIncidentNote)) }
        (pick::picker(l, &d.base(), e, scope, picked))
        @match pick::chosen(e, scope, picked) {
            None => p.note { (l.t(T::DeskIncidentChooseFirst)) },
            Some(id) => (d.form("incidents", true, html! {
                input type="hidden" name="unit" value=(id.0);
                (field("incident-category", l.t(T::IncidentsFilterCategory), None, html! {
                    select #incident-category name="category" required {
                        @for k in categories.keys() { (option(k, false, &categories.name(l, k))) }
                    }
                }))
                (field("incident-time", l.t(T::DeskIncidentTime), Some(l.t(T::DeskIncidentTimeHint)), html! {
                    input #incident-time name="time" type="datetime-local" value=(now) max=(now) required aria-describedby=(fields::hint_of("incident-time"));
                }))
                div.check {
                    input #incident-coarsen type="checkbox" name="coarsen" value="yes";
                    label for="incident-coarsen" { (l.t(T::DeskIncidentCoarsen)) }
                }
                (field("incident-text", l.t(T::DeskIncidentText), None, html! {
                    textarea #incident-text name="text" required maxlength=(record::MAX_TEXT) {}
                }))
                (field("incident-photos", l.t(T::DeskIncidentPhotos), Some(l.t(T::DeskIncidentPhotosHint)), html! {
                    input #incident-photos type="file" name="photos" multiple accept="image/jpeg,image/png" aria-describedby=(fields::hint_of("incident-photos"));
                }))
                div.acts { button #report-incident { (l.t(T::DeskIncidentButton)) } }
            })),
        }
    }
}

/// The supervisor's list of the reports nobody has checked yet (`x`: the listing filtered to
/// citizens' reports), each with its status form.
pub(super) fn statuses(d: &Desk<'_>, x: &Listing, categories: &Categories) -> Markup {
    let l = d.l;
    html! {
        h2 #incidents { (l.t(T::DeskIncidentsHeading)) }
        p.note { (l.f(T::DeskIncidentsCount, &[("open", &l.count(x.passing as u64)), ("all", &l.count(x.incidents_in_log as u64))])) }
        @for i in x.incidents.iter().take(LISTED) {
            section.review id=(format!("incident-{}", i.entry)) {
                h3 { (categories.name(l, &i.category)) " · " (i.path) }
                p.meta { (i.time) " UTC" @if i.coarsened { " " (l.t(T::IncidentsCoarsened)) } " · " (l.f(T::DeskPvtEntry, &[("entry", &i.entry.to_string())])) }
                (crate::pages::incidents::what(l, i))
                (status_form(d, l, i.entry))
            }
        }
    }
}

/// A report's status form.
fn status_form(d: &Desk<'_>, l: Lang, entry: u64) -> Markup {
    let id = |what: &str| format!("{what}-{entry}");
    d.form(
        &format!("incidents/{entry}/status"),
        false,
        html! {
            (field(&id("status"), l.t(T::IncidentsFilterStatus), None, html! {
                select id=(id("status")) name="status" required {
                    (option("", true, &l.t(T::DeskIncidentStatusChoose)))
                    @for s in [IncidentStatus::Confirmed, IncidentStatus::Rejected] {
                        (option(s.key(), false, &crate::pages::incidents::status(l, s.key())))
                    }
                }
            }))
            (field(&id("status-reason"), l.t(T::DeskPvtReason), Some(l.t(T::DeskPvtReasonHint)), html! {
                textarea id=(id("status-reason")) name="reason" required maxlength=(record::MAX_REASON) aria-describedby=(fields::hint_of(&id("status-reason"))) {}
            }))
            div.acts { button { (l.t(T::DeskIncidentStatusButton)) } }
        },
    )
}
