//! A unit's page: where it is, its totals with what they cover, its units, and for a station
//! its protocol: every line and every version, the changes from one version to the next marked
//! in words as well as in bold; its forensic flag; its entries in the log with their inclusion
//! proofs; and the check of the station in the reader's browser.

use forensics::ForensicsError;
use maud::{html, Markup};
use model::Line;
use ui::chart::{bars, Bar};
use ui::layout::label;
use ui::{source, Heading, Lang, Section, Tr, T};

use super::{coverage, data_links, frame, level, share, turnout, urlencode};
use crate::data::{NoFlag, UnitView};

/// The most child units listed; the station search lists them all.
const CHILDREN: usize = 100;

/// A unit's page.
pub fn unit(
    l: Lang,
    u: &UnitView,
    h: &Heading,
    check: Option<&crate::check::StationCheck>,
) -> String {
    let n = urlencode(&h.name);
    let base = format!("/elections/{n}");
    let here = format!("{base}/units/{}", u.id);
    let total: u64 = u.totals.votes.iter().sum();
    // The unit's name from the data; the country's, its level's name in the reader's language.
    let title = match u.path.last() {
        Some((_, name)) => Tr::from(name.clone()),
        None => level(l, u.level),
    };
    // The votes as the results page draws them, in the data's order.
    let rows: Vec<Bar<'_>> = u
        .choices
        .iter()
        .zip(&u.totals.votes)
        .map(|(c, &v)| Bar {
            label: c,
            votes: v,
            share: share(l, v, total),
        })
        .collect();
    let body = html! {
        nav aria-labelledby="l-crumbs" {
            (label("l-crumbs", &l.t(T::Breadcrumbs)))
            ol.crumbs {
                li { a href=(base) { (l.t(T::LevelCountry)) } }
                @for (id, name) in &u.path { li { a href=(format!("{base}/units/{id}")) { (name) } } }
            }
        }
        p.meta { (level(l, u.level)) }
        @if u.annulled { div.banner role="note" { strong { (l.t(T::UnitAnnulled)) } } }
        p { (coverage(l, &u.totals)) ". " (l.f(T::VotesOverReporting, &[("votes", &l.count(total))])) }
        p { (turnout(l, &u.totals)) }
        (bars(l, l.t(T::VotesByChoice), [l.t(T::ColChoice), l.t(T::ColVotes), l.t(T::ColShareOfVotes)], &rows, None))
        @if !u.children.is_empty() {
            h2 { (l.t(T::UnitsWithin)) }
            div.scroll tabindex="0" { table {
                thead { tr { th scope="col" { (l.t(T::ColUnit)) } th.n scope="col" { (l.t(T::ColStations)) } th.n scope="col" { (l.t(T::ColVotes)) } } }
                tbody { @for (id, name, st, v) in u.children.iter().take(CHILDREN) {
                    tr { td.name { a href=(format!("{base}/units/{id}")) { (name) } } td.n { (l.count(*st)) } td.n { (l.count(*v)) } }
                } }
            } }
            @if u.children.len() > CHILDREN {
                p { (l.f(T::FirstRowsOf, &[("shown", &l.count(CHILDREN as u64)), ("all", &l.count(u.children.len() as u64))])) " "
                    a href=(format!("{base}/units?q={}", urlencode(&format!("{} /", u.path.iter().map(|x| x.1.as_str()).collect::<Vec<_>>().join(" / "))))) { (l.t(T::SeeAllUnits)) } }
            }
        }
        (versions(l, u))
        @if u.level == model::UnitLevel::Station {
            p { a href=(format!("{base}/protocol-form?station={}", u.id)) { (l.t(T::PostedOpenForm)) } }
        }
        (flag(l, u, &base))
        (logged(l, u, check))
        (data_links(l, &[("JSON", format!("/api{base}/units/{}", u.id))]))
    };
    frame(l, &here, Some(h), Section::Results, title, body)
}

/// A station's protocol versions, one column each, the protocol's lines then the votes; a
/// value that changed from the version before is bold and says so.
fn versions(l: Lang, u: &UnitView) -> Markup {
    if u.versions.is_empty() {
        return html! {};
    }
    let lines: Vec<Line> = Line::ALL
        .iter()
        .copied()
        .filter(|x| u.versions.iter().any(|p| p.line(*x).is_some()))
        .collect();
    let cell = |now: Option<u64>, before: Option<Option<u64>>| {
        let changed = before.is_some_and(|b| b != now);
        let value = now.map_or("–".to_string(), |v| l.count(v));
        html! {
            @if changed { td.n { b { (value) } br; small { (l.t(T::Changed)) } } } @else { td.n { (value) } }
        }
    };
    html! {
        h2 { (l.t(T::ProtocolVersions)) }
        p.note { (l.t(T::ProtocolVersionsNote)) }
        div.scroll tabindex="0" { table {
            thead { tr {
                th scope="col" { (l.t(T::ColLine)) }
                @for p in &u.versions {
                    th.n scope="col" { (l.f(T::VersionN, &[("version", &p.version.to_string())])) br; small { (source(l, p.source)) } }
                }
            } }
            tbody {
                @for x in &lines {
                    tr { th scope="row" { (ui::line(l, *x)) }
                        @for (k, p) in u.versions.iter().enumerate() {
                            (cell(p.line(*x), k.checked_sub(1).map(|j| u.versions[j].line(*x))))
                        }
                    }
                }
                @for (i, c) in u.choices.iter().enumerate() {
                    tr { th scope="row" { (c) }
                        @for (k, p) in u.versions.iter().enumerate() {
                            (cell(p.votes.get(i).copied(), k.checked_sub(1).map(|j| u.versions[j].votes.get(i).copied())))
                        }
                    }
                }
            }
        } }
    }
}

/// A station's forensic flag, or why it has none.
fn flag(l: Lang, u: &UnitView, base: &str) -> Markup {
    let one = |x: f64| l.fixed(x, 1);
    match &u.flag {
        Ok(Some((f, rank, of))) => html! {
            h2 { (l.t(T::FlagHeading)) }
            p { (l.f(T::FlagScore, &[
                ("score", &one(f.score)), ("rank", &l.count(*rank as u64)), ("of", &l.count(*of as u64)),
                ("turnout", &l.percent(&format!("{:.1}", f.turnout_pct))), ("tz", &one(f.turnout_z)),
                ("leader", &l.percent(&format!("{:.1}", f.leader_pct))), ("lz", &one(f.leader_z)),
            ])) }
            @if f.integer_turnout || f.integer_leader { p { (l.t(T::FlagWholePercent)) } }
            @if f.impossible { p { b { (l.t(T::FlagImpossible)) } } }
            p { (l.t(T::FlagNotEvidence)) " " a href=(format!("{base}/forensics")) { (l.t(T::NavForensics)) } }
        },
        Err(why) if u.level == model::UnitLevel::Station => html! {
            p.note { (l.t(T::FlagNone)) " "
                @match why {
                    NoFlag::Scoring => (l.t(T::FlagScoring)),
                    NoFlag::Unscorable(ForensicsError::MissingLine(_)) => (l.t(T::FlagMissingLine)),
                    NoFlag::Unscorable(ForensicsError::NothingLeft) => (l.t(T::FlagNothingLeft)),
                    NoFlag::Unscorable(other) => span lang="en" { (other) },
                }
            }
        },
        _ => html! {},
    }
}

/// The log entries about a unit, each with its leaf hash and inclusion proof and the command
/// that checks it, and the station's check in the browser.
fn logged(l: Lang, u: &UnitView, check: Option<&crate::check::StationCheck>) -> Markup {
    if u.logged.is_empty() {
        return html! {};
    }
    let (size, root) = (u.log.0, u.log.1.hex());
    html! {
        h2 { (l.t(T::InTheLog)) }
        p { (l.f(T::InTheLogIntro, &[("size", &l.count(size))])) " " code { (root) } }
        @match &u.checkpoint {
            Some(c) if c.size == size => {
                p { (l.t(T::CheckpointSigned)) " " a href="/verify" { (l.t(T::NavLog)) } }
                pre #checkpoint-note { (c.note) }
            }
            _ => p { (l.t(T::CheckpointUnsigned)) },
        }
        p { (l.t(T::CheckProofWith)) " " code { "tallyproof log verify-inclusion" } }
        div.scroll tabindex="0" { table {
            thead { tr { th.n scope="col" { (l.t(T::ColEntry)) } th scope="col" { (l.t(T::ColWhen)) } th scope="col" { (l.t(T::ColWhat)) } th scope="col" { (l.t(T::ColProof)) } } }
            tbody { @for e in &u.logged {
                tr #(format!("entry-{}", e.index)) {
                    td.n { (e.index) }
                    td { (e.made_at.map_or("—".to_string(), |t| t.to_string())) }
                    td { (about(l, &e.about, &u.reasons)) }
                    td { details {
                        summary { code { (&e.leaf.hex()[..16]) } }
                        pre { "tallyproof log verify-inclusion \\\n  --leaf-hash " (e.leaf.hex()) " --index " (e.index) " --size " (size) " \\\n  --root " (root) " \\\n  --proof " (e.proof.iter().map(|h| h.hex()).collect::<Vec<_>>().join(",")) }
                    } }
                }
            } }
        } }
        @if let Some(c) = check { (crate::check::section(l, c)) }
    }
}

/// What a logged entry is, in words; a protocol counted after a commissioner lifted its
/// quarantine says so, with the reason (`reasons`, by commitment) where it is public.
fn about(
    l: Lang,
    a: &readmodel::About,
    reasons: &std::collections::HashMap<String, String>,
) -> Markup {
    match a {
        readmodel::About::Protocol {
            contest,
            version,
            source: s,
            overridden,
        } => html! {
            (l.f(T::AboutProtocol, &[("contest", &(contest + 1).to_string()), ("version", &version.to_string())])) " (" (source(l, *s)) ")"
            @if let Some(c) = overridden {
                br;
                strong.override { (match reasons.get(c) {
                    Some(why) => l.f(T::AboutOverridden, &[("reason", why)]),
                    None => l.t(T::AboutOverriddenWithheld),
                }) }
            }
        },
        readmodel::About::Complaint => html! { (l.t(T::AboutComplaint)) },
        readmodel::About::Decision(kind) => {
            html! { (l.t(T::AboutDecision)) ": " (decision(l, kind)) }
        }
    }
}

/// A decision's kind, in words.
pub(crate) fn decision(l: Lang, kind: &str) -> ui::Tr {
    use record::DecisionKind as D;
    let term = match kind.parse::<D>() {
        Ok(D::AnnulUnit) => T::DecisionAnnulUnit,
        Ok(D::AnnulElection) => T::DecisionAnnulElection,
        Ok(D::Recount) => T::DecisionRecount,
        Ok(D::Revote) => T::DecisionRevote,
        Ok(D::Reopen) => T::DecisionReopen,
        Err(_) => return ui::Tr::from(kind.to_string()),
    };
    l.t(term)
}
