//! The posted protocol's form of one station (`GET /elections/{name}/protocol-form`): the
//! page on which a precinct commission types its figures and prints the protocol with its QR
//! code (`ui::posted`, `static/protocol-form.js`). Served by every deployment; it needs the
//! log key the service signs with, which the code names.

use maud::html;
use model::{Election, UnitId};
use ui::{Heading, Lang, Section, T};

use super::{frame, urlencode};

/// The form of `station` of election `e`, under the log key whose fingerprint is `key`; without
/// a station, how to choose one; without a key, why there is no form.
pub(crate) fn form(
    l: Lang,
    e: &Election,
    h: &Heading,
    station: Option<UnitId>,
    key: Option<String>,
) -> String {
    let n = urlencode(&h.name);
    let here = match station {
        Some(id) => format!("/elections/{n}/protocol-form?station={}", id.0),
        None => format!("/elections/{n}/protocol-form"),
    };
    let body = match (station, key) {
        (_, None) => html! { p { (l.t(T::LogUnsigned)) } },
        (None, _) => html! {
            p { (l.t(T::PostedChooseStation)) " " a href=(format!("/elections/{n}/units")) { (l.t(T::NavUnits)) } }
        },
        (Some(id), Some(key)) => {
            let f = ui::posted::Form::of(e, &h.name, id, &key);
            html! {
                (ui::posted::body(l, &f))
                @for s in crate::statics::PROTOCOL_FORM { script src=(format!("/static/{s}")) {} }
            }
        }
    };
    frame(l, &here, Some(h), Section::Units, l.t(T::PostedTitle), body)
}
