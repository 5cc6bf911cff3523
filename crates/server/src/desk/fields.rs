//! The desk's form fields: each label above its input (the stylesheet's `.form` makes the
//! inputs full width up to a reading measure, 44 px high), a hint between them that the input
//! names as its description, counts with a numeric keypad.

use maud::{html, Markup};
use ui::layout::option;
use ui::{Lang, Tr, T};

use crate::auth::Caller;

/// The session's CSRF token as a form's hidden field (nothing for a caller without a session).
pub(super) fn csrf(who: &Caller) -> Markup {
    html! {
        @if let Some((_, token)) = &who.session {
            input type="hidden" name="csrf" value=(token);
        }
    }
}

/// A field: its label, its hint if any, then `control`, whose id is `id` (and which names the
/// hint, `{id}-hint`, with `aria-describedby`: [`hint_of`]).
pub(super) fn field(id: &str, label: Tr, hint: Option<Tr>, control: Markup) -> Markup {
    html! {
        div {
            label for=(id) { (label) }
            @if let Some(h) = hint { p.hint id=(format!("{id}-hint")) { (h) } }
            (control)
        }
    }
}

/// The `aria-describedby` of a control whose field has a hint.
pub(super) fn hint_of(id: &str) -> String {
    format!("{id}-hint")
}

/// A count: digits only, on a numeric keypad; `value` what was typed before a check.
pub(super) fn count_with(id: &str, label: Tr, required: bool, value: Option<&str>) -> Markup {
    field(
        id,
        label,
        None,
        html! {
            input id=(id) name=(id) inputmode="numeric" pattern="[0-9]*" autocomplete="off" required[required] value=[value];
        },
    )
}

/// The law presets as options, `chosen` selected (the election's own law); with `none`, an
/// option for no law last, selected when the election has none; without, `kg2020` then.
pub(super) fn laws(l: Lang, chosen: Option<&str>, none: bool) -> Markup {
    let chosen = chosen.or((!none).then_some("kg2020"));
    html! {
        @for key in seats::preset::KEYS.split(", ") {
            option value=(key) selected[chosen == Some(key)] { (key) }
        }
        @if none { (option("", chosen.is_none(), &l.t(T::DeskLawNone))) }
    }
}
