//! The observer's form: a complaint about a unit chosen by the unit search, its category, its
//! text and an attachment.

use maud::{html, Markup};
use record::ComplaintCategory;
use ui::layout::option;
use ui::T;

use super::fields::field;
use super::pick::{self, Picked, Scope};
use super::Desk;
use crate::pages;

/// The complaint form, under the unit picker.
pub(super) fn complaint(d: &Desk<'_>, scope: &Scope<'_>, picked: &Picked) -> Markup {
    let (l, e) = (d.l, d.election);
    let unit = pick::chosen(e, scope, picked);
    html! {
        h2 { (l.t(T::DeskComplaintHeading)) }
        (pick::picker(l, &d.base(), e, scope, picked))
        @match unit {
            None => p.note { (l.t(T::DeskChooseFirst)) },
            Some(id) => (d.form("complaints", true, html! {
                input type="hidden" name="unit" value=(id.0);
                (field("category", l.t(T::DeskCategory), None, html! {
                    select #category name="category" required {
                        @for &c in ComplaintCategory::ALL {
                            (option(c.key(), false, &pages::category(l, Some(c))))
                        }
                    }
                }))
                (field("text", l.t(T::DeskComplaintText), None, html! {
                    textarea #text name="text" required {}
                }))
                (field("scan", l.t(T::DeskAttachment), None, html! {
                    input #scan type="file" name="scan" accept="image/png,image/jpeg,application/pdf";
                }))
                p.note { (l.t(T::DeskComplaintNote)) }
                div.acts { button #complain { (l.t(T::DeskComplaintButton)) } }
            })),
        }
    }
}
