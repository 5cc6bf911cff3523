//! The audit admin's method comparison (`audit::methods`): before an audit starts, each
//! method's ballots to read and stations to open at the chosen risk limit, which would amount
//! to a full count and why (the hardest assertion and its margin in ballots), and the larger
//! risk limit that would make it possible, with its consequence.

use audit::methods::{Methods, Work};
use audit::workflow::Method;
use maud::{html, Markup};
use ui::{Lang, T};

use super::fields::{self, field};
use crate::pages::{claim, method};

/// The comparison as the auditor's desk shows it (HTML), for `law` (default the election's
/// own, else `kg2020`, as the form that starts an audit) at `risk_limit` (default 5%): at the
/// defaults kept per log size and language (every desk load shows it; the national
/// allocation takes a while to compute), else computed when asked.
pub(super) fn kept(
    s: &crate::AppState,
    name: &str,
    l: Lang,
    law: Option<&str>,
    risk_limit: Option<f64>,
) -> Result<String, crate::ServerError> {
    let base = format!("/elections/{}/staff", crate::pages::urlencode(name));
    let default = law.is_none() && risk_limit.is_none();
    let asked = law.map(str::to_string);
    let risk = risk_limit.unwrap_or(crate::audits::DEFAULT_RISK_LIMIT);
    let take = |v: &mut readmodel::View<'_>| {
        let own = v.law().map(str::to_string);
        Ok((v.election().clone(), v.protocols(), own))
    };
    let make = move |(e, protocols, own): (
        model::Election,
        std::sync::Arc<Vec<model::Protocol>>,
        Option<String>,
    )| {
        let law = asked
            .or(own.clone())
            .unwrap_or_else(|| "kg2020".to_string());
        let m =
            audit::methods::compare(&e, &protocols, &law, risk, None).map_err(|e| e.to_string());
        Ok(compared(l, &base, own.as_deref(), &m, risk)
            .into_string()
            .into_bytes())
    };
    let bytes = if default {
        let key = format!("desk-methods?lang={}", l.key());
        match s.live.fresh(name, &key) {
            Some((_, b)) => b,
            None => s.live.compute(&s.db, name, &key, take, make, true)?.1,
        }
    } else {
        let taken = s.live.with(&s.db, name, take)?;
        make(taken)?.into()
    };
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The comparison, or why it cannot be made, with the form that asks for another law or risk
/// limit (a GET of the desk at `base`; `own` the election's own law).
pub(super) fn compared(
    l: Lang,
    base: &str,
    own: Option<&str>,
    m: &Result<Methods, String>,
    risk_limit: f64,
) -> Markup {
    html! {
        h3 { (l.t(T::DeskMethodsHeading)) }
        @match m {
            Err(why) => p { (l.t(T::DeskMethodsUnavailable)) " " span lang="en" { (why) } },
            Ok(m) => (table(l, m)),
        }
        form.form method="get" action=(format!("{base}#methods")) {
            @let law = m.as_ref().ok().map(|m| m.law.as_str());
            (field("methods-law", l.t(T::DeskLaw), None, html! {
                select #methods-law name="law" { (fields::laws(l, law.or(own), false)) }
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
