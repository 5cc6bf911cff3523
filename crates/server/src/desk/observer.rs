//! The observer's form: a complaint about a unit, with an attachment.

use maud::{html, Markup};
use ui::T;

use super::fields::{self, field};
use super::Desk;

/// The complaint form.
pub(super) fn complaint(d: &Desk<'_>) -> Markup {
    let l = d.l;
    html! {
        h2 { (l.t(T::DeskComplaintHeading)) }
        (d.form("complaints", true, html! {
            (field("unit", l.t(T::DeskUnitNumber), Some(l.t(T::DeskUnitNumberHint)), html! {
                input #unit name="unit" inputmode="numeric" pattern="[0-9]*" autocomplete="off" required aria-describedby=(fields::hint_of("unit"));
            }))
            (field("text", l.t(T::DeskComplaintText), None, html! {
                textarea #text name="text" required {}
            }))
            (field("scan", l.t(T::DeskAttachment), None, html! {
                input #scan type="file" name="scan" accept="image/png,image/jpeg,application/pdf";
            }))
            p.note { (l.t(T::DeskComplaintNote)) }
            div.acts { button #complain { (l.t(T::DeskComplaintButton)) } }
        }))
    }
}
