//! The re-votes linked to an election, each beside the annulled results it replaces.

use maud::html;
use ui::{Heading, Lang, Section, T};

use super::{frame, urlencode};
use crate::data::Revote;

/// The re-votes page.
pub fn revotes(l: Lang, list: &[Revote], h: &Heading) -> String {
    let here = format!("/elections/{}/revotes", urlencode(&h.name));
    let body = html! {
        @if list.is_empty() { p { (l.t(T::NoRevotes)) } }
        @for r in list {
            h2 { (r.unit) }
            p { (l.t(T::RevoteIntro)) " "
                a href=(format!("/elections/{}", urlencode(&r.election))) { (r.election) } " · "
                a href=(format!("/elections/{}", urlencode(&r.parent))) { (r.parent) } }
            p { (super::coverage(l, &r.after)) }
            div.scroll tabindex="0" { table {
                thead { tr { th scope="col" { (l.t(T::ColChoice)) } th.n scope="col" { (l.t(T::ColAnnulledVote)) } th.n scope="col" { (l.t(T::ColRevote)) } } }
                tbody { @for (i, c) in r.choices.iter().enumerate() {
                    tr { td.name { (c) } td.n { (l.count(r.before.votes.get(i).copied().unwrap_or(0))) } td.n { (l.count(r.after.votes.get(i).copied().unwrap_or(0))) } }
                } }
            } }
        }
    };
    frame(
        l,
        &here,
        Some(h),
        Section::Revotes,
        l.t(T::NavRevotes),
        body,
    )
}
