//! The control relations of a protocol in the reader's language: each relation the protocol
//! breaks, with both sides' figures, an error first (an error quarantines an entered protocol,
//! `record::may_verify`).

use maud::{html, Markup};
use model::{ControlRule, Election, Protocol, Relation, Severity, Term, Unmet};
use serde::Serialize;
use ui::{Lang, Tr, T};

/// A side of a relation in words: its terms joined by " + ".
fn side(l: Lang, terms: &[Term]) -> String {
    terms
        .iter()
        .map(|t| {
            match *t {
                Term::Line(x) => ui::line(l, x),
                Term::Issued => l.t(T::TermIssued),
                Term::Found => l.t(T::TermFound),
                Term::Choices => l.t(T::TermChoices),
            }
            .to_string()
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// A broken relation in words, with its figures written `lv` and `rv`.
fn broken(l: Lang, rule: &ControlRule, lv: &str, rv: &str) -> Tr {
    let what = match rule.relation {
        Relation::Eq => T::DeskRelationEq,
        Relation::Le => T::DeskRelationLe,
        Relation::Ge => T::DeskRelationGe,
    };
    let relation = l.f(
        what,
        &[
            ("left", &side(l, &rule.lhs)),
            ("lv", lv),
            ("right", &side(l, &rule.rhs)),
            ("rv", rv),
        ],
    );
    let level = match rule.severity {
        Severity::Error => T::DeskRelationError,
        Severity::Warning => T::DeskRelationWarning,
    };
    l.f(level, &[("relation", relation.as_str())])
}

/// An error-level relation `p` cannot be checked against: it lacks one of its lines.
fn unchecked(l: Lang, rule: &ControlRule) -> Tr {
    let relation = format!(
        "{} {} {}",
        side(l, &rule.lhs),
        match rule.relation {
            Relation::Eq => "=",
            Relation::Le => "≤",
            Relation::Ge => "≥",
        },
        side(l, &rule.rhs)
    );
    l.f(T::DeskRelationUnchecked, &[("relation", &relation)])
}

/// The relations of `e` that `p` breaks, errors first, then the error-level relations it
/// cannot be checked against (a line missing: never said to hold); `None` if every one holds.
pub(super) fn broken_list(l: Lang, e: &Election, p: &Protocol) -> Option<Markup> {
    let mut rules: Vec<(&ControlRule, (u128, u128))> = e
        .rules
        .0
        .iter()
        .filter_map(|r| {
            r.sides(p)
                .filter(|&(a, b)| !r.relation.holds(a, b))
                .map(|s| (r, s))
        })
        .collect();
    rules.sort_by_key(|(r, _)| std::cmp::Reverse(r.severity));
    let missing: Vec<&ControlRule> = e
        .rules
        .quarantining(p)
        .into_iter()
        .filter(|&(_, how)| how == Unmet::Unchecked)
        .map(|(r, _)| r)
        .collect();
    (!rules.is_empty() || !missing.is_empty()).then(|| {
        html! {
            ul.relations {
                @for (r, s) in &rules {
                    li class=(if r.severity == Severity::Error { "error" } else { "warning" }) { (broken(l, r, &figure(l, s.0), &figure(l, s.1))) }
                }
                @for r in &missing { li.warning { (unchecked(l, r)) } }
            }
        }
    })
}

/// A side's sum as a count (a sum beyond 64 bits, which no entry holds, at the largest).
fn figure(l: Lang, v: u128) -> String {
    l.count(u64::try_from(v).unwrap_or(u64::MAX))
}

/// One relation as `static/relations.js` checks it while an operator types: its terms by
/// their keys, its comparison, and its words (`{lv}` and `{rv}` where the figures go).
#[derive(Serialize)]
struct Live {
    error: bool,
    lhs: Vec<&'static str>,
    rel: &'static str,
    rhs: Vec<&'static str>,
    broken: String,
    unchecked: String,
    /// Whether the words are the Russian on a Kyrgyz page (marked as the page marks them).
    fallback: bool,
}

/// The relations of `e` checked as the operator types (`static/relations.js`: the same rules
/// as `ControlRule::sides`, figures grouped as the page's language groups them); hidden until
/// the script shows it. Without the script, the Check button asks the service.
pub(super) fn live(l: Lang, e: &Election) -> Markup {
    let keys = |ts: &[Term]| ts.iter().map(|t| t.key()).collect::<Vec<_>>();
    let rules: Vec<Live> = e
        .rules
        .0
        .iter()
        .map(|r| {
            let words = broken(l, r, "{lv}", "{rv}");
            Live {
                error: r.severity == Severity::Error,
                lhs: keys(&r.lhs),
                rel: match r.relation {
                    Relation::Eq => "=",
                    Relation::Le => "<=",
                    Relation::Ge => ">=",
                },
                rhs: keys(&r.rhs),
                fallback: words.is_fallback(),
                broken: words.to_string(),
                unchecked: unchecked(l, r).to_string(),
            }
        })
        .collect();
    let json = serde_json::to_string(&rules).unwrap_or_else(|_| "[]".into());
    html! {
        div #live-relations hidden aria-live="polite" data-rules=(json) data-group=(l.group()) {
            h3 { (l.t(T::DeskChecksHeading)) }
            ul.relations {}
            p { (l.t(T::DeskChecksHold)) }
        }
        script src="/static/relations.js" defer {}
    }
}

/// The checks of `p` as a section: the broken relations, or that every one holds.
pub(super) fn checks(l: Lang, e: &Election, p: &Protocol) -> Markup {
    html! {
        h3 { (l.t(T::DeskChecksHeading)) }
        @match broken_list(l, e, p) {
            Some(list) => (list),
            None => p { (l.t(T::DeskChecksHold)) },
        }
    }
}
