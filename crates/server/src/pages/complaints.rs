//! The complaint register: every complaint with its unit, category, status and reviews, its
//! text unless redacted; never its complainant. The commissioners' desk shows the same cards
//! with a form under each ([`card`]).

use maud::{html, Markup};
use record::{ComplaintCategory, ComplaintStatus};
use ui::{Heading, Lang, Section, Tr, T};

use super::{frame, urlencode};
use crate::register::Row;

/// A complaint's category in words.
pub(crate) fn category(l: Lang, c: Option<ComplaintCategory>) -> Tr {
    l.t(match c {
        Some(ComplaintCategory::Count) => T::CategoryCount,
        Some(ComplaintCategory::VoterList) => T::CategoryVoterList,
        Some(ComplaintCategory::BallotStuffing) => T::CategoryBallotStuffing,
        Some(ComplaintCategory::VoteBuying) => T::CategoryVoteBuying,
        Some(ComplaintCategory::Pressure) => T::CategoryPressure,
        Some(ComplaintCategory::Procedure) => T::CategoryProcedure,
        Some(ComplaintCategory::Other) => T::CategoryOther,
        None => T::CategoryNone,
    })
}

/// A complaint's status in words.
pub(crate) fn status(l: Lang, s: ComplaintStatus) -> Tr {
    l.t(match s {
        ComplaintStatus::Received => T::StatusReceived,
        ComplaintStatus::UnderReview => T::StatusUnderReview,
        ComplaintStatus::Upheld => T::StatusUpheld,
        ComplaintStatus::Dismissed => T::StatusDismissed,
    })
}

/// One complaint: its unit, category, status, text and reviews; `more` under it (a
/// commissioner's form). The attachment is a link if `linked` (the commission's desk: the
/// public may not read stored files), else its SHA-256.
pub(crate) fn card(l: Lang, election: &str, r: &Row, more: Markup, linked: bool) -> Markup {
    let f = &r.filed;
    let id = f.index.to_string();
    let entry = |i: u64| format!("/elections/{}/verify#entry-{i}", urlencode(election));
    html! {
        div.card id=(format!("complaint-{id}")) {
            h3 { (l.f(T::RegisterEntry, &[("id", &id)])) " · " (r.path) }
            p.meta {
                span.status { (status(l, f.status)) } " · " (category(l, f.category))
                @if let Some(t) = f.at { " · " (t.to_string()) }
            }
            @match &r.text {
                Some(t) => p.text { (t) },
                None => p.note { (l.t(T::RegisterTextWithheld)) },
            }
            @if let Some(a) = &r.attachment {
                @if linked {
                    p { a href=(format!("/api/scans/{a}")) download { (l.t(T::DeskAttachment)) } }
                } @else {
                    p.note { (l.t(T::DeskAttachment)) ": " code { (a) } }
                }
            }
            @if !f.reviews.is_empty() {
                ul.plain {
                    @for (x, reason) in f.reviews.iter().zip(&r.reasons) {
                        li {
                            (l.f(T::RegisterReviewed, &[
                                ("status", status(l, x.status).as_str()),
                                ("reason", reason.as_deref().unwrap_or("—")),
                            ]))
                            @if let Some(d) = x.decision {
                                " · " a href=(entry(d)) { (l.f(T::RegisterAnsweredBy, &[("id", &d.to_string())])) }
                            }
                        }
                    }
                }
            }
            (more)
        }
    }
}

/// The register's summary: how many complaints, how many open.
pub(crate) fn summary(l: Lang, rows: &[Row]) -> Markup {
    let open = rows.iter().filter(|r| r.filed.status.is_open()).count();
    html! {
        @if rows.is_empty() {
            p { (l.t(T::RegisterNone)) }
        } @else {
            p { strong { (l.f(T::RegisterSummary, &[("all", &l.count(rows.len() as u64)), ("open", &l.count(open as u64))])) } }
        }
    }
}

/// The public register.
pub fn complaints(l: Lang, rows: &[Row], h: &Heading) -> String {
    let here = format!("/elections/{}/complaints", urlencode(&h.name));
    let body = html! {
        p.note { (l.t(T::RegisterNote)) }
        (summary(l, rows))
        @for r in rows.iter().rev() { (card(l, &h.name, r, html! {}, false)) }
    };
    frame(
        l,
        &here,
        Some(h),
        Section::Complaints,
        l.t(T::RegisterHeading),
        body,
    )
}
