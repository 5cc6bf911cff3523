//! The control relations of a protocol in the reader's language: each relation the protocol
//! breaks, with both sides' figures, an error first (an error quarantines an entered protocol,
//! `record::may_verify`).

use maud::{html, Markup};
use model::{ControlRule, Election, Protocol, Relation, Severity, Term, Unmet};
use ui::{Lang, Tr, T};

use crate::pages;

/// A side of a relation in words: its terms joined by " + ".
fn side(l: Lang, terms: &[Term]) -> String {
    terms
        .iter()
        .map(|t| {
            match *t {
                Term::Line(x) => pages::line(l, x),
                Term::Issued => l.t(T::TermIssued),
                Term::Found => l.t(T::TermFound),
                Term::Choices => l.t(T::TermChoices),
            }
            .to_string()
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// A broken relation in words, with its figures.
fn broken(l: Lang, rule: &ControlRule, (lv, rv): (u128, u128)) -> Tr {
    let what = match rule.relation {
        Relation::Eq => T::DeskRelationEq,
        Relation::Le => T::DeskRelationLe,
        Relation::Ge => T::DeskRelationGe,
    };
    let relation = l.f(
        what,
        &[
            ("left", &side(l, &rule.lhs)),
            ("lv", &l.count(u64::try_from(lv).unwrap_or(u64::MAX))),
            ("right", &side(l, &rule.rhs)),
            ("rv", &l.count(u64::try_from(rv).unwrap_or(u64::MAX))),
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
        .filter_map(|r| r.sides(p).filter(|_| !r.holds(p)).map(|s| (r, s)))
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
                    li class=(if r.severity == Severity::Error { "error" } else { "warning" }) { (broken(l, r, *s)) }
                }
                @for r in &missing { li.warning { (unchecked(l, r)) } }
            }
        }
    })
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
