//! The complaint register: every complaint with its unit, category, status and reviews, its
//! text unless redacted; never its complainant. The commissioners' desk shows the same cards
//! with a form under each ([`card`]).

use maud::{html, Markup};
use record::{ComplaintCategory, ComplaintStatus};
use ui::{Heading, Lang, Section, Tr, T};

use super::{frame, urlencode};
use crate::register::{Over, Row};

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
    // A decision's entry is listed, with its inclusion proof, on its unit's page.
    let entry = |i: u64, unit: model::UnitId| {
        format!(
            "/elections/{}/units/{}#entry-{i}",
            urlencode(election),
            unit.0
        )
    };
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
                            @if let (Some(d), Some(u)) = (x.decision, x.decision_unit) {
                                " · " a href=(entry(d, u)) { (l.f(T::RegisterAnsweredBy, &[("id", &d.to_string())])) }
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

/// The certifications that went ahead while complaints were open: when, over which, and the
/// commission's reason.
pub(crate) fn certified_over(l: Lang, over: &[Over]) -> Markup {
    html! {
        @for o in over {
            @let c = &o.certified;
            @let open: Vec<String> = c.open.iter().map(|i| format!("#{i}")).collect();
            div.alert.certified-over {
                p { strong { (l.f(T::RegisterCertifiedOver, &[
                    ("entry", &c.index.to_string()),
                    ("count", &l.count(c.open.len() as u64)),
                    ("complaints", &open.join(", ")),
                ])) } }
                @if let Some(t) = c.at { p.meta { (t.to_string()) } }
                p { (l.f(T::RegisterCertifiedReason, &[("reason", o.reason.as_deref().unwrap_or("—"))])) }
            }
        }
    }
}

/// The public register.
pub fn complaints(l: Lang, rows: &[Row], over: &[Over], h: &Heading) -> String {
    let here = format!("/elections/{}/complaints", urlencode(&h.name));
    let body = html! {
        p.note { (l.t(T::RegisterNote)) }
        (certified_over(l, over))
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

#[cfg(test)]
mod tests {
    use super::*;
    use model::UnitId;
    use readmodel::{Filed, Reviewed};

    /// A review's decision is linked on its unit's page, where its entry and proof are listed
    /// (the log page has no entry anchors).
    #[test]
    fn a_review_links_its_decision_on_the_decisions_unit_page() {
        let reviewed = Reviewed {
            index: 9,
            at: None,
            status: ComplaintStatus::Upheld,
            reason: "c".repeat(64),
            decision: Some(7),
            decision_unit: Some(UnitId(42)),
        };
        let row = Row {
            filed: Filed {
                index: 3,
                at: None,
                unit: UnitId(42),
                category: None,
                text: "t".repeat(64),
                scan: None,
                status: ComplaintStatus::Upheld,
                reviews: vec![reviewed],
            },
            path: "R / 1".into(),
            text: None,
            attachment: None,
            reasons: vec![Some("Seals checked".into())],
        };
        let page = card(Lang::En, "kg 2020", &row, html! {}, false).into_string();
        assert!(
            page.contains(r#"href="/elections/kg%202020/units/42#entry-7""#),
            "{page}"
        );
    }
}
