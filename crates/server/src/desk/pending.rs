//! The protocols entered and waiting for a second person: each with its station, version,
//! count and votes by party (open for a verifier), and for a verifier the buttons that verify
//! or reject it.

use maud::{html, Markup};
use store::Pending;
use ui::{Tr, T};

use super::Desk;
use crate::pages;

/// The list; `verifier` adds the acts.
pub(super) fn list(d: &Desk<'_>, pending: &[Pending], verifier: bool) -> Markup {
    let l = d.l;
    html! {
        h2 { (l.t(T::DeskPendingHeading)) }
        @if pending.is_empty() {
            p { (l.t(T::DeskPendingNone)) }
        } @else {
            @if verifier { p.hint { (l.t(T::DeskPendingHint)) } }
            @for p in pending { (card(d, p, verifier)) }
        }
    }
}

/// One entry.
fn card(d: &Desk<'_>, p: &Pending, verifier: bool) -> Markup {
    let (l, e) = (d.l, d.election);
    let station = p.protocol.station;
    let path = if station.index() < e.units.len() {
        e.units.path(station)
    } else {
        station.0.to_string()
    };
    let choices = e
        .contests
        .get(p.protocol.contest)
        .map_or(&[][..], |c| &c.choices[..]);
    let about = l.f(
        T::DeskPendingAbout,
        &[
            ("version", &p.protocol.version.to_string()),
            ("source", pages::source(l, p.protocol.source).as_str()),
            ("by", &p.entered_by),
        ],
    );
    html! {
        div.card {
            h3 { (l.f(T::DeskPendingEntry, &[("id", &p.id.to_string())])) " · " (path) }
            p.note { (about) }
            details open[verifier] {
                summary { (l.t(T::VotesByChoice)) }
                div.scroll tabindex="0" { table {
                    thead { tr { th scope="col" { (l.t(T::ColChoice)) } th.n scope="col" { (l.t(T::ColVotes)) } } }
                    tbody { @for (i, v) in p.protocol.votes.iter().enumerate() {
                        tr {
                            td.name { (choices.get(i).map_or_else(|| Tr::from((i + 1).to_string()), |c| Tr::from(c.name.clone()))) }
                            td.n { (l.count(*v)) }
                        }
                    } }
                } }
            }
            @if verifier {
                form method="post" action=(format!("{}/pending/{}", d.base(), p.id)) {
                    (d.csrf)
                    div.acts {
                        button name="action" value="verify" { (l.t(T::DeskVerify)) }
                        button.alt name="action" value="reject" { (l.t(T::DeskReject)) }
                    }
                }
            }
        }
    }
}
