//! The audit admin's method comparison (`audit::methods`): before an audit starts, each
//! method's ballots to read and stations to open at the chosen risk limit, which would amount
//! to a full count and why (the hardest assertion and its margin in ballots), and the larger
//! risk limit that would make it possible, with its consequence.

use audit::methods::{Methods, Work};
use audit::workflow::Method;
use maud::{html, Markup};
use ui::{Lang, T};

use super::fields::{self, field};
use super::Desk;
use crate::pages::{claim, method};

/// The comparison, or why it cannot be made, with the form that asks for another risk limit.
pub(super) fn compared(d: &Desk<'_>, m: &Result<Methods, String>, risk_limit: f64) -> Markup {
    let l = d.l;
    html! {
        h3 { (l.t(T::DeskMethodsHeading)) }
        @match m {
            Err(why) => p { (l.t(T::DeskMethodsUnavailable)) " " span lang="en" { (why) } },
            Ok(m) => (table(l, m)),
        }
        form.form method="get" action=(format!("{}#methods", d.base())) {
            @let law = m.as_ref().ok().map(|m| m.law.as_str());
            (field("methods-law", l.t(T::DeskLaw), None, html! {
                select #methods-law name="law" { (fields::laws(l, law.or(d.election.law.as_deref()), false)) }
            }))
            (field("methods-risk-limit", l.t(T::DeskRiskLimit), None, html! {
                input #methods-risk-limit name="risk_limit" value=(risk_limit) inputmode="decimal" autocomplete="off" required;
            }))
            div.acts { button.alt { (l.t(T::DeskMethodsRecompute)) } }
        }
    }
}

fn table(l: Lang, m: &Methods) -> Markup {
    let limit = l.percent(&m.risk_limit_percent.to_string());
    html! {
        p { (l.f(T::DeskMethodsBase, &[
            ("ballots", &l.count(m.ballots)), ("stations", &l.count(m.stations)),
            ("assertions", &l.count(m.assertions as u64)), ("law", &m.law), ("limit", &limit),
        ])) }
        @if let Some(c) = &m.closest {
            p { (l.f(T::DeskMethodsClosest, &[("claim", claim(l, &c.claim).as_str()), ("margin", &l.count(c.margin_ballots))])) }
        }
        div.scroll #methods tabindex="0" { table {
            thead { tr {
                th scope="col" { (l.t(T::ColMethod)) }
                th.n scope="col" { (l.t(T::ColBallotsToRead)) }
                th.n scope="col" { (l.t(T::ColStationsToOpen)) }
                th scope="col" { (l.t(T::ColVerdict)) }
            } }
            tbody { @for w in &m.methods {
                tr data-method=(w.method.key()) data-full-count=(w.full_count) {
                    td { (method(l, w.method.key())) }
                    td.n { (l.count(w.ballots)) }
                    td.n { (l.count(w.stations)) }
                    td { (verdict(l, m, w)) }
                }
            } }
        } }
        p.note { (l.t(T::DeskMethodsExpected)) }
    }
}

/// Whether a method is possible, and if not why and from which risk limit it would be.
fn verdict(l: Lang, m: &Methods, w: &Work) -> Markup {
    if !w.full_count {
        return html! {
            @if w.method == Method::Comparison {
                (l.f(T::DeskMethodNeedsCvrs, &[("ballots", &l.count(m.ballots))]))
            } @else { (l.t(T::DeskMethodPossible)) }
        };
    }
    html! {
        @if let Some(h) = &w.hardest {
            (l.f(T::DeskMethodFullCount, &[("claim", claim(l, &h.claim).as_str()), ("margin", &l.count(h.margin_ballots))]))
            " "
        }
        @match w.feasible_at {
            Some(r) => (l.f(T::DeskMethodLargerLimit, &[("limit", &l.percent(&r.to_string()))])),
            None => (l.t(T::DeskMethodNoLimit)),
        }
    }
}
