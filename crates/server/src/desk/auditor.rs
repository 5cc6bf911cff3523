//! The auditor's forms: each audit with where it stands, its rounds' retrieval lists and its
//! next step (draw a round, record its readings, escalate), and a form to start one.

use std::collections::HashMap;

use audit::logged::Report;
use maud::{html, Markup};
use ui::layout::option;
use ui::{Lang, Tr, T};

use super::fields::{self, field};
use super::Desk;
use crate::boards::Board;
use crate::pages::{method, urlencode};

/// Every audit, then the form that starts one.
pub(super) fn forms(
    d: &Desk<'_>,
    audits: &[Result<Report, String>],
    methods: Option<&str>,
    boards: &HashMap<String, Vec<Board>>,
    members: &[String],
) -> Markup {
    let l = d.l;
    html! {
        h2 { (l.t(T::NavAudits)) }
        @if audits.is_empty() { p { (l.t(T::NoAudits)) } }
        @for a in audits {
            @match a {
                Err(why) => p lang="en" { (why) },
                Ok(r) => (audit(d, r, boards.get(&r.audit).map(Vec::as_slice), members)),
            }
        }
        // The comparison, rendered once per log size (`desk::render`).
        @if let Some(m) = methods { (maud::PreEscaped(m)) }
        (start(d))
    }
}

/// Where an audit stands, in words.
fn verdict(l: Lang, r: &Report) -> Tr {
    let round = r.rounds.len().to_string();
    if let Some(s) = crate::pages::superseded(l, r) {
        s
    } else if r.confirmed {
        l.t(T::AuditConfirmed)
    } else if r.escalated {
        l.t(T::AuditEscalated)
    } else if r.waiting && r.method == "batch" {
        l.f(T::DeskAuditWaitingCounts, &[("n", &round)])
    } else if r.waiting {
        l.f(T::DeskAuditWaitingReadings, &[("n", &round)])
    } else if r.full_count_advised {
        l.t(T::DeskAuditFullCountAdvised)
    } else {
        l.t(T::DeskAuditNextRound)
    }
}

/// The highest risk measured among the assertions not confirmed yet (the audit's risk now).
fn risk_now(r: &Report) -> Option<f64> {
    r.assertions
        .iter()
        .filter(|a| !a.confirmed)
        .map(|a| a.p_value)
        .fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.max(p))))
}

/// One audit and its next step.
fn audit(d: &Desk<'_>, r: &Report, boards: Option<&[Board]>, members: &[String]) -> Markup {
    let l = d.l;
    let lists = format!(
        "/api/elections/{}/audits/{}/rounds",
        urlencode(d.name),
        urlencode(&r.audit)
    );
    let act = format!("audits/{}", urlencode(&r.audit));
    let next = r.rounds.len() + 1;
    let id = |what: &str| format!("{what}-{}", urlencode(&r.audit));
    html! {
        div.card {
            h3 { (r.audit) " " small { "(" (method(l, r.method)) ", " (l.f(T::RiskLimit, &[("limit", &l.percent(&r.risk_limit_percent))])) ")" } }
            p { strong { (verdict(l, r)) } }
            @if let (Some(risk), false) = (risk_now(r), r.rounds.is_empty()) {
                p { (l.f(T::DeskAuditRiskNow, &[("risk", &l.percent(&format!("{:.2}", risk * 100.0))), ("limit", &l.percent(&r.risk_limit_percent))])) }
            }
            p.note { (l.t(T::AuditSeed)) " " code { (r.seed) } }
            @if r.changed.is_none() { p { (l.t(T::DeskRetrievalLists)) " "
                @if r.rounds.is_empty() { (l.t(T::DeskNoneYet)) }
                @for k in 1..=r.rounds.len() {
                    @if k > 1 { " · " }
                    a href=(format!("{lists}/{k}")) { (l.f(T::DeskRound, &[("n", &k.to_string())])) }
                }
            } }
            @if !(r.confirmed || r.escalated || r.changed.is_some()) {
                @if r.waiting {
                    (super::boards::auditor(d, &r.audit, r.rounds.len(), boards, members))
                }
                @if r.waiting && boards.is_none() {
                    @let readings = id("readings");
                    @let what = if r.method == "batch" { T::DeskReadingsCounts } else { T::DeskReadingsBallots };
                    (d.form(&act, true, html! {
                        input type="hidden" name="action" value="readings";
                        (field(&readings, l.f(T::DeskReadings, &[("n", &r.rounds.len().to_string())]), Some(l.t(what)), html! {
                            input id=(readings) type="file" name="readings" accept="text/csv,.csv" required aria-describedby=(fields::hint_of(&readings));
                        }))
                        div.acts { button { (l.t(T::DeskRecordButton)) } }
                    }))
                } @else if !r.waiting {
                    @let ballots = id("ballots");
                    @let hint = r.next_round.map(|n| l.f(T::DeskDrawsHint, &[("suggested", &l.count(n))]));
                    @let described = hint.as_ref().map(|_| fields::hint_of(&ballots));
                    (d.form(&act, true, html! {
                        input type="hidden" name="action" value="round";
                        (field(&ballots, l.f(T::DeskDraws, &[("n", &next.to_string())]), hint, html! {
                            input id=(ballots) name="ballots" inputmode="numeric" pattern="[0-9]*" autocomplete="off" aria-describedby=[described];
                        }))
                        div.acts { button { (l.f(T::DeskDrawButton, &[("n", &next.to_string())])) } }
                    }))
                }
                (d.form(&act, true, html! {
                    input type="hidden" name="action" value="escalate";
                    div.acts { button.alt { (l.t(T::DeskEscalateButton)) } }
                }))
            }
            @if !r.targeted.is_empty() { (crate::pages::targeted(l, &r.targeted)) }
            @if !r.rounds.is_empty() && !r.escalated && r.changed.is_none() { (targets(d, r)) }
        }
    }
}

/// The forms that add targeted stations to the latest round and record their hand counts.
fn targets(d: &Desk<'_>, r: &Report) -> Markup {
    let l = d.l;
    let act = format!("audits/{}", urlencode(&r.audit));
    let id = |what: &str| format!("{what}-{}", urlencode(&r.audit));
    let (flagged, complaint, counts) = (id("flagged"), id("complaint"), id("targeted"));
    html! {
        (d.form(&act, false, html! {
            input type="hidden" name="action" value="target-flagged";
            (field(&flagged, l.t(T::DeskTargetFlagged), None, html! {
                input id=(flagged) name="flagged_above" inputmode="decimal" autocomplete="off" required;
            }))
            div.acts { button.alt { (l.t(T::DeskTargetFlaggedButton)) } }
        }))
        (d.form(&act, false, html! {
            input type="hidden" name="action" value="target-complaint";
            (field(&complaint, l.t(T::DeskTargetComplaint), None, html! {
                input id=(complaint) name="complaint" inputmode="numeric" pattern="[0-9]*" autocomplete="off" required;
            }))
            div.acts { button.alt { (l.t(T::DeskTargetComplaintButton)) } }
        }))
        @if !r.targeted.is_empty() {
            (d.form(&act, true, html! {
                input type="hidden" name="action" value="targeted-counts";
                (field(&counts, l.t(T::DeskTargetedCounts), None, html! {
                    input id=(counts) type="file" name="targeted" accept="text/csv,.csv" required;
                }))
                div.acts { button { (l.t(T::DeskRecordButton)) } }
            }))
        }
    }
}

/// The form that starts an audit.
fn start(d: &Desk<'_>) -> Markup {
    let l = d.l;
    html! {
        h3 { (l.t(T::DeskAuditStartHeading)) }
        (d.form("audits", true, html! {
            (field("audit", l.t(T::DeskAuditName), None, html! {
                input #audit name="audit" autocapitalize="none" spellcheck="false" required;
            }))
            (field("law", l.t(T::DeskLaw), None, html! {
                select #law name="law" { (fields::laws(l, d.election.law.as_deref(), false)) }
            }))
            (field("method", l.t(T::DeskAuditMethod), Some(l.t(T::DeskAuditMethodHint)), html! {
                select #method name="method" aria-describedby=(fields::hint_of("method")) {
                    @for m in ["batch", "polling", "comparison"] { (option(m, false, &method(l, m))) }
                }
            }))
            (field("risk_limit", l.t(T::DeskRiskLimit), None, html! {
                input #risk_limit name="risk_limit" value="5" inputmode="decimal" autocomplete="off" required;
            }))
            (field("seed", l.t(T::DeskSeed), None, html! {
                input #seed name="seed" autocomplete="off" required;
            }))
            (field("manifest", l.t(T::DeskManifest), None, html! {
                input #manifest type="file" name="manifest" accept="text/csv,.csv";
            }))
            (field("cvrs", l.t(T::DeskCvrs), Some(l.t(T::DeskCvrsHint)), html! {
                input #cvrs type="file" name="cvrs" accept="text/csv,.csv" aria-describedby=(fields::hint_of("cvrs"));
            }))
            (field("cvrs_name", l.t(T::DeskCvrsName), Some(l.t(T::DeskCvrsNameHint)), html! {
                input #cvrs_name name="cvrs_name" autocomplete="off" spellcheck="false" aria-describedby=(fields::hint_of("cvrs_name"));
            }))
            div.acts { button #start-audit { (l.t(T::DeskStartButton)) } }
        }))
    }
}
