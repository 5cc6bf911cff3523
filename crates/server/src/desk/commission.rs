//! The commission's forms: certify the final result, take a decision.

use maud::{html, Markup};
use record::DecisionKind;
use ui::layout::option;
use ui::T;

use super::fields::{self, field};
use super::Desk;
use crate::pages;

/// The decisions in the order the form offers them.
const KINDS: [DecisionKind; 5] = [
    DecisionKind::AnnulUnit,
    DecisionKind::Recount,
    DecisionKind::Revote,
    DecisionKind::AnnulElection,
    DecisionKind::Reopen,
];

/// Blind double entry: whether it is on, and the button that switches it.
pub(super) fn intake(d: &Desk<'_>, double: bool) -> Markup {
    let l = d.l;
    let (now, switch) = if double {
        (T::DeskIntakeOn, T::DeskIntakeSwitchOff)
    } else {
        (T::DeskIntakeOff, T::DeskIntakeSwitchOn)
    };
    html! {
        h2 { (l.t(T::DeskIntakeHeading)) }
        p { (l.t(now)) }
        (d.form("intake", false, html! {
            input type="hidden" name="double" value=(if double { "off" } else { "on" });
            div.acts { button.alt #intake { (l.t(switch)) } }
        }))
    }
}

/// Certification: the law whose seats the final publication states.
pub(super) fn certify(d: &Desk<'_>) -> Markup {
    let l = d.l;
    html! {
        h2 { (l.t(T::DeskCertifyHeading)) }
        (d.form("certify", false, html! {
            p.hint { (l.t(T::DeskCertifyHint)) }
            (field("law", l.t(T::DeskLaw), None, html! {
                select #law name="law" { (fields::laws(l, d.election.law.as_deref(), true)) }
            }))
            div.acts { button #certify { (l.t(T::DeskCertifyButton)) } }
        }))
    }
}

/// A decision: its kind, the unit it is about and the reason.
pub(super) fn decide(d: &Desk<'_>) -> Markup {
    let l = d.l;
    html! {
        h2 { (l.t(T::DeskDecideHeading)) }
        (d.form("decisions", false, html! {
            (field("kind", l.t(T::AboutDecision), None, html! {
                select #kind name="kind" {
                    @for k in KINDS { (option(k.key(), false, &pages::decision(l, k.key()))) }
                }
            }))
            (field("unit", l.t(T::DeskUnitNumber), Some(l.t(T::DeskDecideUnitHint)), html! {
                input #unit name="unit" inputmode="numeric" pattern="[0-9]*" autocomplete="off" aria-describedby=(fields::hint_of("unit"));
            }))
            (field("reason", l.t(T::DeskReason), None, html! {
                textarea #reason name="reason" required {}
            }))
            div.acts { button #decide { (l.t(T::DeskDecideButton)) } }
        }))
    }
}
