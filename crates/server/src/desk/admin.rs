//! The administrator's desk: where users, roles and assignments are managed (the desk's own
//! admin forms are issue 17's).

use maud::{html, Markup};
use ui::{Lang, T};

/// Where the administrator works.
pub(super) fn note(l: Lang) -> Markup {
    html! {
        p { (l.t(T::DeskAdminNote)) }
        pre { code { "tallyproof users --help" } }
        p { a href="/openapi.json" { code { "/openapi.json" } } }
    }
}
