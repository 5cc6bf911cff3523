//! An observer group's desk for its quick count: an observer's drawn stations with where
//! each stands and the form that reports a copied protocol; a supervisor's stations whose
//! observers disagree or that are in quarantine, every observer's copy side by side, and the
//! forms that choose a copy, quarantine and release, each with a public reason. What the forms
//! post is checked and logged as the API's reports and reviews are (`crate::quick`).

use std::collections::HashMap;

use maud::{html, Markup};
use model::{Election, Line, UnitId};
use record::{QuickCount, ReportStanding, ReviewAction, StationReports};
use ui::layout::option;
use ui::{Lang, Tr, T};

use super::fields::{self, field};
use super::Desk;

/// The lines a copy gives, as an SMS gives them: registered voters, ballots issued, invalid
/// ballots (with the votes, what every report is checked against).
pub(crate) const LINES: [Line; 3] = [Line::Registered, Line::IssuedTotal, Line::Invalid];

/// What the quick-count desk shows: the election's quick count, and for an observer the units
/// assigned to them, for a supervisor the observers' names by their log commitments.
pub(super) struct QuickDesk<'a> {
    pub q: &'a QuickCount,
    pub assigned: &'a [UnitId],
    pub names: &'a HashMap<String, String>,
    /// The observer's own log commitment.
    pub me: &'a str,
}

/// Whether `unit` is in or under one of `assigned`.
fn under(e: &Election, unit: UnitId, assigned: &[UnitId]) -> bool {
    let mut at = Some(unit);
    while let Some(u) = at {
        if assigned.contains(&u) {
            return true;
        }
        at = e.units.get(u).parent;
    }
    false
}

fn standing(l: Lang, s: Option<ReportStanding>) -> ui::Tr {
    l.t(match s {
        None => T::DeskPvtNotReported,
        Some(ReportStanding::Recorded) => T::DeskPvtRecorded,
        Some(ReportStanding::Confirmed) => T::DeskPvtConfirmed,
        Some(ReportStanding::Conflict) => T::DeskPvtConflict,
        Some(ReportStanding::Chosen) => T::DeskPvtChosen,
        Some(ReportStanding::Quarantined) => T::DeskPvtQuarantined,
    })
}

/// The address of quick count `pvt`'s forms.
fn act(pvt: &str, what: &str) -> String {
    format!("pvt/{}/{what}", crate::pages::urlencode(pvt))
}

/// The observer's desk: their drawn stations and the report form.
pub(super) fn observer(d: &Desk<'_>, w: &QuickDesk<'_>) -> Markup {
    let (l, e, q) = (d.l, d.election, w.q);
    let mine: Vec<_> = q
        .drawn
        .iter()
        .enumerate()
        .filter(|(_, s)| under(e, s.unit, w.assigned))
        .collect();
    let numbers = crate::sms::numbers_of(&q.drawn).ok();
    let choices = q.design.as_ref().map_or(&[][..], |x| &x.choices[..]);
    html! {
        h2 { (l.f(T::DeskPvtHeading, &[("pvt", &q.name)])) }
        @if q.estimates.is_none() {
            p.note { (l.t(T::DeskPvtBeforeSeed)) }
        } @else if mine.is_empty() {
            p { (l.t(T::DeskNoStations)) }
        } @else {
            p.hint { (l.t(T::DeskPvtNote)) }
            div.scroll tabindex="0" { table #pvt-stations {
                thead { tr {
                    th scope="col" { (l.t(T::DeskPvtStation)) }
                    th scope="col" { (l.t(T::DeskPvtSmsNumber)) }
                    th scope="col" { (l.t(T::DeskPvtYourReport)) }
                } }
                tbody {
                    @for (k, s) in &mine {
                        @let own = q.station(s.unit).is_some_and(|h| h.latest.iter().any(|(u, _, _)| u == w.me));
                        tr {
                            td.name {
                                (s.path)
                                @if s.reserve { " " span.hint { (l.f(T::DeskPvtReserve, &[("rank", &s.rank.to_string())])) } }
                            }
                            td { (numbers.as_ref().map_or("", |n| n.number(*k))) }
                            // Only their own report: never how others' copies stand.
                            td { @if own { (l.t(T::DeskPvtYours)) } @else { (l.t(T::DeskPvtNotReported)) } }
                        }
                    }
                }
            } }
            (d.form(&act(&q.name, "reports"), false, html! {
                (field("station", l.t(T::DeskPvtStation), None, html! {
                    select #station name="station" required {
                        @for (_, s) in &mine { (option(&s.unit.0.to_string(), false, &Tr::from(s.path.clone()))) }
                    }
                }))
                @for x in LINES { (fields::count_with(x.key(), ui::line(l, x), true, None)) }
                @for (i, ch) in choices.iter().enumerate() {
                    (fields::count_with(&format!("vote_{i}"), Tr::from(ch.clone()), true, None))
                }
                div.acts { button #report { (l.t(T::DeskPvtReportButton)) } }
            }))
        }
    }
}

/// The supervisor's desk: the stations to review, each observer's copy, the review forms.
pub(super) fn supervisor(d: &Desk<'_>, w: &QuickDesk<'_>) -> Markup {
    let (l, e, q) = (d.l, d.election, w.q);
    let review: Vec<&StationReports> = q
        .stations
        .iter()
        .filter(|s| {
            matches!(
                s.standing,
                ReportStanding::Conflict | ReportStanding::Quarantined
            )
        })
        .collect();
    let counted: Vec<&StationReports> = q
        .stations
        .iter()
        .filter(|s| {
            !matches!(
                s.standing,
                ReportStanding::Conflict | ReportStanding::Quarantined
            )
        })
        .collect();
    let name = |c: &str| w.names.get(c).cloned().unwrap_or_else(|| c.to_string());
    html! {
        h2 { (l.f(T::DeskPvtHeading, &[("pvt", &q.name)])) }
        @if q.estimates.is_none() {
            p.note { (l.t(T::DeskPvtBeforeSeed)) }
        } @else {
            h3 { (l.t(T::DeskPvtReviewHeading)) }
            @if review.is_empty() { p { (l.t(T::DeskPvtReviewNone)) } }
            @for s in &review {
                section.review {
                    h4 { (e.units.path(s.station)) " · " (standing(l, Some(s.standing))) }
                    (side_by_side(l, e, &s.latest, &name))
                    @if s.standing == ReportStanding::Conflict {
                        (d.form(&act(&q.name, "reviews"), false, html! {
                            input type="hidden" name="station" value=(s.station.0);
                            input type="hidden" name="action" value=(ReviewAction::Choose.key());
                            (field(&format!("report-{}", s.station.0), l.t(T::DeskPvtChoose), None, html! {
                                select id=(format!("report-{}", s.station.0)) name="report" required {
                                    @for (user, entry, _) in &s.latest {
                                        (option(&entry.to_string(), false, &l.f(T::DeskPvtCopyOf, &[("observer", &name(user)), ("entry", &entry.to_string())])))
                                    }
                                }
                            }))
                            (reason(l, &format!("choose-{}", s.station.0)))
                            div.acts { button { (l.t(T::DeskPvtChooseButton)) } }
                        }))
                    }
                    @if s.standing == ReportStanding::Conflict {
                        details {
                            summary { (l.t(T::DeskPvtInsteadQuarantine)) }
                            (quarantine(d, q, s.station, false))
                        }
                    } @else {
                        (quarantine(d, q, s.station, true))
                    }
                }
            }
            h3 { (l.t(T::DeskPvtCountedHeading)) }
            @if counted.is_empty() { p { (l.t(T::DeskPvtCountedNone)) } }
            @else {
                div.scroll tabindex="0" { table #pvt-counted {
                    thead { tr {
                        th scope="col" { (l.t(T::DeskPvtStation)) }
                        th scope="col" { (l.t(T::DeskPvtStanding)) }
                        th.n scope="col" { (l.t(T::DeskPvtObservers)) }
                    } }
                    tbody { @for s in &counted { tr {
                        td.name { (e.units.path(s.station)) }
                        td { (standing(l, Some(s.standing))) }
                        td.n { (l.count(s.latest.len() as u64)) }
                    } } }
                } }
                (d.form(&act(&q.name, "reviews"), false, html! {
                    input type="hidden" name="action" value=(ReviewAction::Quarantine.key());
                    (field("quarantine-station", l.t(T::DeskPvtStation), None, html! {
                        select #quarantine-station name="station" required {
                            @for s in &counted { (option(&s.station.0.to_string(), false, &Tr::from(e.units.path(s.station)))) }
                        }
                    }))
                    (reason(l, "quarantine"))
                    div.acts { button.alt { (l.t(T::DeskPvtQuarantineButton)) } }
                }))
            }
        }
    }
}

/// A review's reason field.
fn reason(l: Lang, id: &str) -> Markup {
    let id = format!("reason-{id}");
    field(
        &id,
        l.t(T::DeskPvtReason),
        Some(l.t(T::DeskPvtReasonHint)),
        html! {
            textarea id=(id) name="reason" required maxlength=(record::MAX_REASON) aria-describedby=(fields::hint_of(&id)) {}
        },
    )
}

/// A station's quarantine or release form.
fn quarantine(d: &Desk<'_>, q: &QuickCount, station: UnitId, quarantined: bool) -> Markup {
    let l = d.l;
    let (action, label) = if quarantined {
        (ReviewAction::Release, T::DeskPvtReleaseButton)
    } else {
        (ReviewAction::Quarantine, T::DeskPvtQuarantineButton)
    };
    d.form(
        &act(&q.name, "reviews"),
        false,
        html! {
            input type="hidden" name="station" value=(station.0);
            input type="hidden" name="action" value=(action.key());
            (reason(l, &format!("{}-{}", action.key(), station.0)))
            div.acts { button.alt { (l.t(label)) } }
        },
    )
}

/// The observers' copies of a station side by side, a column each (headed by who copied it
/// and its log entry), the rows where they differ marked.
fn side_by_side(
    l: Lang,
    e: &Election,
    copies: &[(String, u64, model::Protocol)],
    name: &dyn Fn(&str) -> String,
) -> Markup {
    let choices = copies
        .first()
        .and_then(|(_, _, p)| e.contests.get(p.contest))
        .map_or(&[][..], |c| &c.choices[..]);
    let lines: Vec<Line> = Line::ALL
        .iter()
        .copied()
        .filter(|&x| copies.iter().any(|(_, _, p)| p.line(x).is_some()))
        .collect();
    let votes = copies
        .iter()
        .map(|(_, _, p)| p.votes.len())
        .max()
        .unwrap_or(0);
    let row = |label: Tr, values: Vec<Option<u64>>| {
        let differ = values.windows(2).any(|w| w[0] != w[1]);
        html! {
            tr.changed[differ] {
                td.name { (label) }
                @for v in &values { td.n { @if let Some(v) = v { (l.count(*v)) } @else { "—" } } }
            }
        }
    };
    html! {
        div.scroll tabindex="0" { table.copies {
            thead { tr {
                th scope="col" { (l.t(T::ColLine)) }
                @for (user, entry, _) in copies {
                    th.n scope="col" { (name(user)) br; small { (l.f(T::DeskPvtEntry, &[("entry", &entry.to_string())])) } }
                }
            } }
            tbody {
                @for &x in &lines {
                    (row(ui::line(l, x), copies.iter().map(|(_, _, p)| p.line(x)).collect()))
                }
                @for i in 0..votes {
                    (row(
                        choices.get(i).map_or_else(|| Tr::from((i + 1).to_string()), |c| Tr::from(c.name.clone())),
                        copies.iter().map(|(_, _, p)| p.votes.get(i).copied()).collect(),
                    ))
                }
            }
        } }
    }
}
