//! The risk-limiting audits: each one's verdict, progress and the risk of every assertion,
//! recomputed from the log's audit entries.

use audit::claim::{Claim, PairRule, Scope};
use audit::steps::Drawn;
use maud::html;
use ui::{Heading, Lang, Section, Tr, T};

use super::{frame, urlencode};

/// The audits page.
pub fn audits(l: Lang, list: &[Result<audit::logged::Report, String>], h: &Heading) -> String {
    let here = format!("/elections/{}/audits", urlencode(&h.name));
    let body = html! {
        p { (l.t(T::AuditsIntro)) " " code { "tallyproof audit status --log DIR" } }
        @if list.is_empty() { p { (l.t(T::NoAudits)) } }
        @for r in list {
            @match r {
                Err(why) => p { (l.t(T::AuditUnreadable)) " " span lang="en" { (why) } },
                Ok(r) => {
                    @let batch = r.method == "batch";
                    h2 { (r.audit) " " small { "(" (method(l, r.method)) ", " (l.f(T::RiskLimit, &[("limit", &l.percent(&r.risk_limit_percent))])) ")" } }
                    p { strong { (status(l, r)) } }
                    p { (l.f(if batch { T::AuditProgressStations } else { T::AuditProgressBallots }, &[
                        ("done", &l.count(r.audited)), ("of", &l.count(if batch { r.stations } else { r.ballots })), ("rounds", &l.count(r.rounds.len() as u64)),
                    ]))
                    @if r.method == "comparison" { " " (l.f(T::AuditDiscrepancies, &[("n", &l.count(r.discrepancies))])) } }
                    p.note { (l.t(T::AuditSeed)) " " code { (r.seed) } }
                    @if !r.rounds.is_empty() && r.changed.is_none() { ul.found { @for (k, n) in (1u64..).zip(&r.rounds) {
                        li { a href=(format!("{here}/{}/rounds/{k}", urlencode(&r.audit))) { (l.f(T::AuditRoundLink, &[("round", &l.count(k)), ("n", &l.count(*n))])) } }
                    } } }
                    @let risks = by_risk(&r.assertions);
                    @if !risks.is_empty() { div.scroll tabindex="0" { table {
                        thead { tr { th scope="col" { (l.t(T::ColAssertion)) } th.n scope="col" { (l.t(T::ColRisk)) } th scope="col" { (l.t(T::ColState)) } } }
                        tbody { @for x in &risks {
                            tr { td.name { (claim(l, &x.claim)) } td.n { (l.decimal(&format!("{:.6}", x.p_value))) }
                                td { (l.t(if x.confirmed { T::AssertionConfirmed } else { T::AssertionOpen })) } }
                        } }
                    } } }
                    @if !r.targeted.is_empty() { (targeted(l, &r.targeted)) }
                }
            }
        }
    };
    frame(l, &here, Some(h), Section::Audits, l.t(T::NavAudits), body)
}

/// Where an audit stands, in a sentence.
fn status(l: Lang, r: &audit::logged::Report) -> Tr {
    match superseded(l, r) {
        Some(s) => s,
        None if r.confirmed => l.t(T::AuditConfirmed),
        None if r.escalated => l.t(T::AuditEscalated),
        None if r.waiting => l.t(T::AuditWaiting),
        None => l.t(T::AuditOpen),
    }
}

/// Why an audit takes no further step, if the results it checks changed since it began.
pub(crate) fn superseded(l: Lang, r: &audit::logged::Report) -> Option<Tr> {
    let changed = r.changed?;
    Some(l.f(
        T::AuditSuperseded,
        &[
            ("changed", &changed.to_string()),
            ("began", &r.began.to_string()),
        ],
    ))
}

/// A round's retrieval list, printable: station by station in the tree's order, each
/// station's ballots by position (a batch audit: the stations to count in full).
pub fn retrieval(
    l: Lang,
    e: &model::Election,
    audit: &str,
    round: u64,
    listed: &audit::steps::Listed,
    h: &Heading,
) -> String {
    let list = format!(
        "elections/{}/audits/{}/rounds/{round}",
        urlencode(&h.name),
        urlencode(audit)
    );
    let (here, csv) = (format!("/{list}"), format!("/api/{list}"));
    let title = l.f(
        T::AuditRoundTitle,
        &[("audit", audit), ("round", &l.count(round))],
    );
    let body = html! {
        @match &listed.drawn {
            Drawn::Ballots(ds) => {
                @let groups = audit::steps::pull_order(ds);
                p { (l.f(T::AuditRoundBallots, &[("ballots", &l.count(ds.len() as u64)), ("stations", &l.count(groups.len() as u64))])) }
                (redraw(l, &listed.started.seed, &csv))
                div.scroll tabindex="0" { table.retrieval {
                    thead { tr {
                        th.n scope="col" { (l.t(T::DeskBoardPosition)) }
                        th.n scope="col" { (l.t(T::ColDraw)) }
                        th.ticket scope="col" { (l.t(T::ColTicket)) }
                        th.blank scope="col" { (l.t(T::DeskBoardWhat)) }
                    } }
                    @for (station, ballots) in &groups {
                        tbody {
                            tr { th.station colspan="4" scope="rowgroup" { (l.f(T::AuditRoundStation, &[("station", &e.units.path(*station)), ("n", &l.count(ballots.len() as u64))])) } }
                            @for d in ballots {
                                tr { td.n { (l.count(d.position)) } td.n { (l.count(d.draw)) } td.ticket { code { (d.ticket) } } td.blank {} }
                            }
                        }
                    }
                } }
            }
            Drawn::Stations(ds) => {
                @let ds = audit::steps::stations_in_order(ds);
                p { (l.f(T::AuditRoundStations, &[("stations", &l.count(ds.len() as u64))])) }
                (redraw(l, &listed.started.seed, &csv))
                div.scroll tabindex="0" { table.retrieval {
                    thead { tr {
                        th scope="col" { (l.t(T::ColPollingStation)) }
                        th scope="col" { (l.t(T::ColDraws)) }
                        th scope="col" { (l.t(T::ColHandCount)) }
                    } }
                    tbody { @for d in &ds {
                        tr { td.name { (e.units.path(d.station)) } td { (d.draws.iter().map(|n| l.count(*n)).collect::<Vec<_>>().join(", ")) } td.blank {} }
                    } }
                } }
            }
        }
    };
    frame(l, &here, Some(h), Section::Audits, title, body)
}

/// Where the list comes from, its seed, and the same list as CSV.
fn redraw(l: Lang, seed: &str, csv: &str) -> maud::Markup {
    html! {
        p.note { (l.t(T::AuditRoundRedraw)) " " code { "tallyproof audit status --log DIR" } ". " (l.t(T::AuditSeed)) " " code { (seed) } }
        p.noprint { a href=(csv) { (l.t(T::AuditRoundCsv)) } }
    }
}

/// The targeted hand counts, apart from the random sample, with the note that they are
/// never counted toward the risk limit.
pub(crate) fn targeted(l: Lang, list: &[audit::logged::Targeted]) -> maud::Markup {
    html! {
        h3 { (l.t(T::AuditTargetedHeading)) }
        p.note { (l.t(T::AuditTargetedNote)) }
        div.scroll tabindex="0" { table.targeted {
            thead { tr {
                th scope="col" { (l.t(T::ColPollingStation)) }
                th scope="col" { (l.t(T::ColReason)) }
                th scope="col" { (l.t(T::ColHandCount)) }
            } }
            tbody { @for t in list {
                tr {
                    td.name { (t.path) }
                    td { @match (&t.flag, t.complaint) {
                        (Some(score), _) => (l.f(T::AuditTargetedFlag, &[("score", &l.decimal(score))])),
                        (None, Some(c)) => (l.f(T::AuditTargetedComplaint, &[("entry", &c.to_string())])),
                        (None, None) => "",
                    } }
                    td { @match t.difference {
                        None => (l.t(T::AuditTargetedNotCounted)),
                        Some(0) => (l.t(T::AuditTargetedAsReported)),
                        Some(d) => strong { (l.f(T::AuditTargetedDiffers, &[("votes", &l.count(d))])) },
                    } }
                }
            } }
        } }
    }
}

/// What an assertion says, in the page's language.
pub(crate) fn claim(l: Lang, c: &Claim) -> Tr {
    let number = |x: f64| l.decimal(&x.to_string());
    match c {
        Claim::Pair {
            winner,
            winner_seat,
            loser,
            loser_seat,
            rule,
        } => {
            let (ws, ls) = (l.count(*winner_seat), l.count(*loser_seat));
            let mut args = vec![
                ("winner", winner.clone()),
                ("winner_seat", ws),
                ("loser", loser.clone()),
                ("loser_seat", ls),
            ];
            let term = match *rule {
                PairRule::Divisor {
                    winner_divisor,
                    loser_divisor,
                } => {
                    args.push(("winner_divisor", number(winner_divisor)));
                    args.push(("loser_divisor", number(loser_divisor)));
                    T::ClaimPairDivisor
                }
                PairRule::LargestRemainder { seats } => {
                    args.push(("seats", l.count(seats)));
                    T::ClaimPairRemainder
                }
            };
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            l.f(term, &args)
        }
        Claim::Above {
            party,
            threshold,
            scope,
        } => threshold_claim(l, true, party, threshold, scope),
        Claim::Below {
            party,
            threshold,
            scope,
        } => threshold_claim(l, false, party, threshold, scope),
        Claim::All { count, bound } => l.f(
            T::ClaimAll,
            &[
                ("count", &l.count(*count as u64)),
                ("bound", &l.decimal(&format!("{bound:.3}"))),
            ],
        ),
    }
}

/// A party above (or below) a threshold, nationally or in a region.
fn threshold_claim(l: Lang, above: bool, party: &str, threshold: &str, scope: &Scope) -> Tr {
    let threshold = l.percent(threshold);
    match scope {
        Scope::National { base } => {
            let base = l.t(match base {
                seats::Base::Valid => T::BaseValid,
                seats::Base::Participated => T::BaseParticipated,
                seats::Base::Registered => T::BaseRegistered,
                seats::Base::Listed => T::BaseListed,
            });
            let term = if above {
                T::ClaimAboveNational
            } else {
                T::ClaimBelowNational
            };
            l.f(
                term,
                &[
                    ("party", party),
                    ("threshold", &threshold),
                    ("base", base.as_str()),
                ],
            )
        }
        Scope::Region { region } => {
            let term = if above {
                T::ClaimAboveRegional
            } else {
                T::ClaimBelowRegional
            };
            l.f(
                term,
                &[
                    ("party", party),
                    ("threshold", &threshold),
                    ("region", region),
                ],
            )
        }
    }
}

/// An audit method's name.
pub(crate) fn method(l: Lang, m: &str) -> ui::Tr {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Each kind of claim in English and Russian: the parties' and regions' names as the data
    /// has them, thresholds, divisors and counts as the language writes numbers.
    #[test]
    fn claims_in_each_language() {
        let pair = |rule| Claim::Pair {
            winner: "«A»".into(),
            winner_seat: 12,
            loser: "«B»".into(),
            loser_seat: 3,
            rule,
        };
        let national = Scope::National {
            base: seats::Base::Participated,
        };
        let region = Scope::Region {
            region: "Чуйская область".into(),
        };
        let cases: Vec<(Claim, &str, &str)> = vec![
            (
                pair(PairRule::Divisor {
                    winner_divisor: 12.0,
                    loser_divisor: 1.5,
                }),
                "«A»'s seat 12 (divisor 12) beats «B»'s seat 3 (divisor 1.5)",
                "Мандат № 12 партии «A» (делитель 12) опережает мандат № 3 партии «B» (делитель 1,5)",
            ),
            (
                pair(PairRule::LargestRemainder { seats: 1200 }),
                "«A»'s seat 12 beats «B»'s seat 3 (largest remainder, 1,200 seats)",
                "Мандат № 12 партии «A» опережает мандат № 3 партии «B» (наибольший остаток, всего мандатов: 1\u{a0}200)",
            ),
            (
                Claim::Above {
                    party: "«A»".into(),
                    threshold: "7.00".into(),
                    scope: national.clone(),
                },
                "«A» is above the national threshold (7.00% of voters who took part)",
                "«A» преодолевает общий барьер (7,00\u{a0}% от принявших участие в голосовании)",
            ),
            (
                Claim::Below {
                    party: "«B»".into(),
                    threshold: "0.70".into(),
                    scope: region,
                },
                "«B» is below the regional threshold in Чуйская область (0.70%)",
                "«B» не преодолевает региональный барьер (0,70\u{a0}%); регион: Чуйская область",
            ),
            (
                Claim::All {
                    count: 1234,
                    bound: 0.5,
                },
                "all 1,234 assertions at once (MACRO, U = 0.500)",
                "все утверждения сразу (их 1\u{a0}234; MACRO, U = 0,500)",
            ),
        ];
        for (c, en, ru) in cases {
            assert_eq!(claim(Lang::En, &c).as_str(), en);
            assert_eq!(claim(Lang::Ru, &c).as_str(), ru);
        }
    }
}
