//! The commission's forms: the complaint register with a review under each open complaint,
//! blind double entry, certification (what it certifies, first), a decision about a unit
//! chosen by the unit search.

use maud::{html, Markup};
use model::UnitId;
use readmodel::Decided;
use record::{ComplaintStatus, DecisionKind};
use ui::layout::option;
use ui::T;

use super::fields::{self, field};
use super::Desk;
use crate::pages;
use crate::register::Row;

/// The decisions in the order the form offers them.
const KINDS: [DecisionKind; 5] = [
    DecisionKind::AnnulUnit,
    DecisionKind::Recount,
    DecisionKind::Revote,
    DecisionKind::AnnulElection,
    DecisionKind::Reopen,
];

/// The statuses a review may give, in the order the form offers them.
const STATUSES: [ComplaintStatus; 3] = [
    ComplaintStatus::UnderReview,
    ComplaintStatus::Upheld,
    ComplaintStatus::Dismissed,
];

/// Blind double entry: whether it is on, and the button that switches it.
pub(super) fn intake(d: &Desk<'_>, double: bool) -> Markup {
    let l = d.l;
    let (now, switch) = if double {
        (T::DeskIntakeOn, T::DeskIntakeSwitchOff)
    } else {
        (T::DeskIntakeOff, T::DeskIntakeSwitchOn)
    };
    html! {
        h2 { (l.t(T::DeskIntakeHeading)) }
        p { (l.t(now)) }
        (d.form("intake", false, html! {
            input type="hidden" name="double" value=(if double { "off" } else { "on" });
            div.acts { button.alt #intake { (l.t(switch)) } }
        }))
    }
}

/// The register: open complaints first, each with the form that reviews it.
pub(super) fn register(d: &Desk<'_>, rows: &[Row], decisions: &[Decided]) -> Markup {
    let l = d.l;
    let mut order: Vec<&Row> = rows.iter().collect();
    order.sort_by_key(|r| (!r.filed.status.is_open(), std::cmp::Reverse(r.filed.index)));
    html! {
        h2 { (l.t(T::RegisterHeading)) }
        (pages::register_summary(l, rows))
        @for r in order {
            (pages::complaint_card(l, d.name, r, review(d, r, decisions), true))
        }
    }
}

/// The review form of an open complaint.
fn review(d: &Desk<'_>, r: &Row, decisions: &[Decided]) -> Markup {
    let (l, e) = (d.l, d.election);
    let f = &r.filed;
    if !f.status.is_open() {
        return html! {};
    }
    let id = |k: &str| format!("{k}-{}", f.index);
    html! {
        details {
            summary { (l.t(T::DeskReviewHeading)) }
            (d.form(&format!("complaints/{}/status", f.index), false, html! {
                (field(&id("status"), l.t(T::DeskReviewStatus), None, html! {
                    select id=(id("status")) name="status" {
                        @for s in STATUSES {
                            @if f.status.may_become(s).is_ok() { (option(s.key(), false, &pages::status(l, s))) }
                        }
                    }
                }))
                (field(&id("reason"), l.t(T::DeskReason), None, html! {
                    textarea id=(id("reason")) name="reason" required {}
                }))
                (field(&id("decision"), l.t(T::DeskReviewDecision), None, html! {
                    select id=(id("decision")) name="decision" {
                        (option("", true, &l.t(T::DeskReviewNoDecision)))
                        @for x in decisions.iter().rev() {
                            (option(&x.index.to_string(), false, &ui::Tr::from(format!(
                                "{} · {} · {}", x.index, pages::decision(l, x.kind.key()), e.units.path(x.unit)
                            ))))
                        }
                    }
                }))
                div.acts { button id=(id("review")) { (l.t(T::DeskReviewButton)) } }
            }))
        }
    }
}

/// What a certification would certify, as the desk says it before the commissioner does.
pub(super) struct Certifying {
    /// Stations counted and all stations, at the country.
    pub counted: u64,
    pub stations: u64,
    /// Units annulled.
    pub annulled: usize,
    /// Complaints still open.
    pub open: usize,
    /// The election's standing: certification only while open.
    pub standing: record::Standing,
    /// The country's votes per choice, with the seats under the election's own law (none
    /// where it names no law or the law cannot allocate them).
    pub votes: Vec<(String, u64, Option<u64>)>,
    /// That law, if the seats are shown.
    pub law: Option<String>,
    /// The log's size all this is at: the form certifies only if the log is still that size.
    pub size: u64,
}

/// Certification: what it certifies, the law whose seats the final publication states, a
/// confirmation, and the reason when complaints are open.
pub(super) fn certify(d: &Desk<'_>, c: &Certifying) -> Markup {
    let l = d.l;
    if c.standing != record::Standing::Open {
        return html! {
            h2 { (l.t(T::DeskCertifyHeading)) }
            p.alert { (l.f(T::DeskCertifyFrozen, &[("standing", l.t(match c.standing {
                record::Standing::Certified => T::StatusCertified,
                _ => T::StatusAnnulled,
            }).as_str())])) }
        };
    }
    let summary = l.f(
        T::DeskCertifySummary,
        &[
            ("counted", &l.count(c.counted)),
            ("stations", &l.count(c.stations)),
            ("annulled", &l.count(c.annulled as u64)),
            ("open", &l.count(c.open as u64)),
        ],
    );
    html! {
        h2 { (l.t(T::DeskCertifyHeading)) }
        (d.form("certify", false, html! {
            input type="hidden" name="at" value=(c.size);
            p { strong { (summary) } }
            div.scroll tabindex="0" { table {
                @if let Some(law) = &c.law { caption { (l.f(T::SeatsUnderLaw, &[("law", law)])) } }
                thead { tr {
                    th scope="col" { (l.t(T::ColChoice)) }
                    th.n scope="col" { (l.t(T::ColVotes)) }
                    @if c.law.is_some() { th.n scope="col" { (l.t(T::NavSeats)) } }
                } }
                tbody { @for (name, votes, seats) in &c.votes {
                    tr {
                        td.name { (name) }
                        td.n { (l.count(*votes)) }
                        @if c.law.is_some() { td.n { (seats.map_or_else(String::new, |s| l.count(s))) } }
                    }
                } }
            } }
            p.hint { (l.t(T::DeskCertifyHint)) }
            (field("law", l.t(T::DeskLaw), None, html! {
                select #law name="law" { (fields::laws(l, d.election.law.as_deref(), true)) }
            }))
            @if c.open > 0 {
                p.alert { (l.t(T::DeskCertifyOpen)) }
                (field("certify-reason", l.t(T::DeskReason), None, html! {
                    textarea #certify-reason name="reason" required {}
                }))
            }
            div.check {
                input #confirm type="checkbox" name="confirm" value="yes" required;
                label for="confirm" { (l.t(T::DeskCertifyConfirm)) }
            }
            div.acts { button #certify { (l.t(T::DeskCertifyButton)) } }
        }))
    }
}

/// A decision: its kind, the unit chosen above (none for the election as a whole) and the
/// reason.
pub(super) fn decide(d: &Desk<'_>, unit: Option<UnitId>) -> Markup {
    let (l, e) = (d.l, d.election);
    html! {
        (d.form("decisions", false, html! {
            @match unit {
                Some(id) => {
                    input type="hidden" name="unit" value=(id.0);
                    p { (l.f(T::DeskDecideUnitChosen, &[("unit", &e.units.path(id))])) }
                }
                None => p.note { (l.t(T::DeskDecideNoUnit)) },
            }
            (field("kind", l.t(T::AboutDecision), None, html! {
                select #kind name="kind" {
                    @for k in KINDS { (option(k.key(), false, &pages::decision(l, k.key()))) }
                }
            }))
            (field("reason", l.t(T::DeskReason), None, html! {
                textarea #reason name="reason" required {}
            }))
            div.acts { button #decide { (l.t(T::DeskDecideButton)) } }
        }))
    }
}
