//! The operator's desk: find a station of their units by the unit search (no cap), see what
//! counts for it now, key its protocol (its count, lines, votes and the scan of the paper
//! protocol), check the figures against the election's control relations before entering
//! them, and follow their own entries (waiting, verified, or rejected with the verifier's
//! reason). Under blind double entry an operator sees only their own keyings.

use maud::{html, Markup};
use model::{CountSource, Election, Line, Protocol, UnitId};
use store::{Pending, PendingState};
use ui::layout::option;
use ui::{Lang, Tr, T};

use super::fields::{self, field};
use super::pick::{self, Picked, Scope};
use super::{relations, Desk};
use crate::pages;

/// A protocol as typed into the form and checked without entering it.
pub(crate) struct Typed {
    /// The protocol (station, count, lines, votes).
    pub protocol: Protocol,
}

/// The operator's desk: the picker, the chosen station's form, their entries.
pub(super) fn desk(
    d: &Desk<'_>,
    scope: &Scope<'_>,
    picked: &Picked,
    current: Option<&Protocol>,
    typed: Option<&Typed>,
    mine: &[Pending],
) -> Markup {
    let (l, e) = (d.l, d.election);
    let station = pick::chosen(e, scope, picked);
    html! {
        h2 { (l.t(T::DeskEnterHeading)) }
        @if scope.assigned.is_empty() {
            p { (l.t(T::DeskNoStations)) }
        } @else {
            p.hint { (l.t(T::DeskEnterHint)) }
            (pick::picker(l, &d.base(), e, scope, picked))
            @match station {
                Some(id) => {
                    (counted_now(l, e, current))
                    (form(d, id, typed))
                    @if let Some(t) = typed { div #checked-relations { (relations::checks(l, e, &t.protocol)) } }
                }
                None => p.note { (l.t(T::DeskChooseFirst)) },
            }
        }
        (entries(d, mine))
    }
}

/// What counts for the station now.
fn counted_now(l: Lang, e: &Election, current: Option<&Protocol>) -> Markup {
    let Some(p) = current else {
        return html! { p { (l.t(T::DeskNoProtocolYet)) } };
    };
    let about = l.f(
        T::DeskCurrentVersion,
        &[
            ("version", &p.version.to_string()),
            ("source", pages::source(l, p.source).as_str()),
        ],
    );
    html! {
        details {
            summary { (about) }
            (figures(l, e, p))
        }
    }
}

/// A protocol's lines and votes as a table.
pub(super) fn figures(l: Lang, e: &model::Election, p: &Protocol) -> Markup {
    let choices = e
        .contests
        .get(p.contest)
        .map_or(&[][..], |c| &c.choices[..]);
    html! {
        div.scroll tabindex="0" { table {
            thead { tr { th scope="col" { (l.t(T::ColLine)) } th.n scope="col" { (l.t(T::ColVotes)) } } }
            tbody {
                @for &x in Line::ALL {
                    @if let Some(v) = p.line(x) { tr { td { (ui::line(l, x)) } td.n { (l.count(v)) } } }
                }
                @for (i, v) in p.votes.iter().enumerate() {
                    tr {
                        td.name { (choices.get(i).map_or_else(|| Tr::from((i + 1).to_string()), |c| Tr::from(c.name.clone()))) }
                        td.n { (l.count(*v)) }
                    }
                }
            }
        } }
    }
}

/// The entry form of station `id`, with the figures typed before a check.
fn form(d: &Desk<'_>, id: UnitId, typed: Option<&Typed>) -> Markup {
    let (l, e) = (d.l, d.election);
    let choices = e.contests.first().map_or(&[][..], |c| &c.choices[..]);
    let typed = typed.map(|t| &t.protocol);
    let line_value = |x: Line| typed.and_then(|p| p.line(x)).map(|v| v.to_string());
    let vote_value = |i: usize| typed.and_then(|p| p.votes.get(i)).map(|v| v.to_string());
    let machine = typed.is_some_and(|p| p.source == CountSource::Machine);
    html! {
        form.form.wide method="post" action=(format!("{}/protocols", d.base())) enctype="multipart/form-data" {
            (d.csrf)
            input type="hidden" name="station" value=(id.0);
            (field("source", l.t(T::DeskCountSource), None, html! {
                select #source name="source" {
                    (option("manual", !machine, &pages::source(l, CountSource::Manual)))
                    (option("machine", machine, &pages::source(l, CountSource::Machine)))
                }
            }))
            fieldset {
                legend { (l.t(T::DeskLines)) }
                div.rows { @for (x, needed) in e.rules.form_lines() { (fields::count_with(x.key(), ui::line(l, x), needed, line_value(x).as_deref())) } }
            }
            fieldset {
                legend { (l.t(T::VotesByChoice)) }
                div.rows {
                    @for (i, ch) in choices.iter().enumerate() {
                        (fields::count_with(&format!("vote_{i}"), Tr::from(ch.name.clone()), true, vote_value(i).as_deref()))
                    }
                }
            }
            (field("code", l.t(T::DeskPostedCode), Some(l.t(T::DeskPostedCodeHint)), html! {
                input #code name="code" autocomplete="off" spellcheck="false" aria-describedby=(fields::hint_of("code"));
            }))
            (field("scan", l.t(T::DeskScan), scan_hint(l, e), html! {
                input #scan type="file" name="scan" accept="image/png,image/jpeg,application/pdf";
            }))
            (relations::live(l, e))
            div.acts {
                button.alt #check-protocol name="action" value="check" formnovalidate { (l.t(T::DeskCheckButton)) }
                button #enter-protocol name="action" value="enter" { (l.t(T::DeskEnterButton)) }
            }
        }
    }
}

/// Where the law requires the scan of the paper protocol of its legal count, the hint that
/// says so (`record::scan_required`).
fn scan_hint(l: Lang, e: &Election) -> Option<Tr> {
    let law = e.law.as_deref();
    record::scan_required(law).map(|_| {
        let count = pages::source(l, record::legal_count(law));
        l.f(T::DeskScanRequired, &[("count", count.as_str())])
    })
}

/// The operator's own entries, newest first: their state, and a rejection's reason.
fn entries(d: &Desk<'_>, mine: &[Pending]) -> Markup {
    let (l, e) = (d.l, d.election);
    html! {
        h2 { (l.t(T::DeskMyEntries)) }
        @if mine.is_empty() {
            p { (l.t(T::DeskMyEntriesNone)) }
        } @else {
            ul.plain.entries {
                @for p in mine.iter().rev() {
                    li.card {
                        p {
                            strong { (l.f(T::DeskEntryTitle, &[("id", &p.id.to_string())])) }
                            " · " (e.units.path(p.protocol.station)) " · " (state(l, p.state))
                        }
                        @if p.state == PendingState::Rejected {
                            p { (match &p.rejected_because {
                                Some(why) => l.f(T::DeskRejectedBecause, &[("reason", why)]),
                                None => l.t(T::DeskRejectedNoReason),
                            }) }
                        }
                    }
                }
            }
        }
    }
}

/// An entry's state in words.
pub(super) fn state(l: Lang, s: PendingState) -> Tr {
    l.t(match s {
        PendingState::Entered => T::StateEntered,
        PendingState::Verified => T::StateVerified,
        PendingState::Rejected => T::StateRejected,
    })
}
