//! The risk-limiting audits: each one's verdict, progress and the risk of every assertion,
//! recomputed from the log's audit entries.

use maud::html;
use ui::{Heading, Lang, Section, T};

use super::{frame, urlencode};

/// The audits page.
pub fn audits(l: Lang, list: &[Result<audit::logged::Report, String>], h: &Heading) -> String {
    let here = format!("/elections/{}/audits", urlencode(&h.name));
    let body = html! {
        p { (l.t(T::AuditsIntro)) " " code { "tallyproof audit status --log DIR" } }
        @if list.is_empty() { p { (l.t(T::NoAudits)) } }
        @for r in list {
            @match r {
                Err(why) => p lang="en" { (why) },
                Ok(r) => {
                    @let batch = r.method == "batch";
                    h2 { (r.audit) " " small { "(" (method(l, r.method)) ", " (l.f(T::RiskLimit, &[("limit", &l.percent(&r.risk_limit_percent))])) ")" } }
                    p { strong { (l.t(if r.confirmed { T::AuditConfirmed } else if r.escalated { T::AuditEscalated } else if r.waiting { T::AuditWaiting } else { T::AuditOpen })) } }
                    p { (l.f(if batch { T::AuditProgressStations } else { T::AuditProgressBallots }, &[
                        ("done", &l.count(r.audited)), ("of", &l.count(if batch { r.stations } else { r.ballots })), ("rounds", &l.count(r.rounds.len() as u64)),
                    ]))
                    @if r.method == "comparison" { " " (l.f(T::AuditDiscrepancies, &[("n", &l.count(r.discrepancies))])) } }
                    p.note { (l.t(T::AuditSeed)) " " code { (r.seed) } }
                    @let risks = by_risk(&r.assertions);
                    div.scroll tabindex="0" { table {
                        thead { tr { th scope="col" { (l.t(T::ColAssertion)) } th.n scope="col" { (l.t(T::ColRisk)) } th scope="col" { (l.t(T::ColState)) } } }
                        tbody { @for x in &risks {
                            tr { td.name lang="en" { (x.label) } td.n { (l.decimal(&format!("{:.6}", x.p_value))) }
                                td { (l.t(if x.confirmed { T::AssertionConfirmed } else { T::AssertionOpen })) } }
                        } }
                    } }
                }
            }
        }
    };
    frame(l, &here, Some(h), Section::Audits, l.t(T::NavAudits), body)
}

/// An audit method's name.
fn method(l: Lang, m: &str) -> ui::Tr {
    l.t(match m {
        "comparison" => T::MethodComparison,
        "polling" => T::MethodPolling,
        _ => T::MethodBatch,
    })
}

/// The assertions, the riskiest first.
fn by_risk(list: &[audit::workflow::Risk]) -> Vec<&audit::workflow::Risk> {
    let mut v: Vec<_> = list.iter().collect();
    v.sort_by(|x, y| y.p_value.total_cmp(&x.p_value));
    v
}
