//! The administrator's desk: the staff accounts of the election (role, whether active,
//! waiting for a second admin's approval or disabled, an operator's units) with their acts
//! (approve, reset the password, disable), adding a user, and assigning an operator a unit
//! chosen by the unit search. The one-time password of a new or reset account is shown once,
//! on the page the act answers ([`password`]).

use maud::{html, Markup};
use model::UnitId;
use record::Role;
use store::User;
use ui::layout::option;
use ui::{Lang, Tr, T};

use super::fields::field;
use super::pick::{self, Picked, Scope};
use super::{role, Desk};
use crate::pages::urlencode;

/// An account as the admin's desk lists it.
pub(crate) struct Account {
    pub user: User,
    /// Whether the role applies in this election (granted, approved or not).
    pub here: bool,
    /// An operator's units here.
    pub units: Vec<UnitId>,
}

/// The desk: the accounts, adding a user, assigning an operator.
pub(super) fn desk(
    d: &Desk<'_>,
    me: &User,
    accounts: &[Account],
    scope: &Scope<'_>,
    picked: &Picked,
) -> Markup {
    let (l, e) = (d.l, d.election);
    let operators: Vec<&Account> = accounts
        .iter()
        .filter(|a| a.here && a.user.role == Role::Operator && !a.user.disabled)
        .collect();
    let unit = pick::chosen(e, scope, picked);
    html! {
        h2 { (l.t(T::AdminUsersHeading)) }
        @for a in accounts { (card(d, a, a.user.id == me.id)) }
        h2 { (l.t(T::AdminAddHeading)) }
        (d.form("users", false, html! {
            p.hint { (l.t(T::AdminAddHint)) }
            (field("new-name", l.t(T::DeskUserName), None, html! {
                input #new-name name="name" autocomplete="off" autocapitalize="none" spellcheck="false" required;
            }))
            (field("new-role", l.t(T::AdminRole), None, html! {
                select #new-role name="role" {
                    @for &r in Role::ALL { (option(r.key(), r == Role::Operator, &role(l, r))) }
                }
            }))
            div.acts { button #add-user { (l.t(T::AdminAddButton)) } }
        }))
        h2 { (l.t(T::AdminAssignHeading)) }
        (pick::picker(l, &d.base(), e, scope, picked))
        @if let Some(id) = unit {
            @if operators.is_empty() {
                p { (l.t(T::AdminNoOperators)) }
            } @else {
                (d.form("assignments", false, html! {
                    input type="hidden" name="unit" value=(id.0);
                    (field("operator", l.t(T::AdminOperator), None, html! {
                        select #operator name="user" {
                            @for a in &operators { (option(&a.user.name, false, &Tr::from(a.user.name.clone()))) }
                        }
                    }))
                    div.acts { button #assign { (l.t(T::AdminAssignButton)) } }
                }))
            }
        }
    }
}

/// One account, with the acts an admin may take on it (none on their own: another admin
/// resets or disables it).
fn card(d: &Desk<'_>, a: &Account, own: bool) -> Markup {
    let (l, e) = (d.l, d.election);
    let u = &a.user;
    let state = l.t(if u.disabled {
        T::AccountDisabled
    } else if u.pending {
        T::AccountPending
    } else if !a.here {
        T::AccountNotHere
    } else {
        T::AccountActive
    });
    let about = l.f(
        T::AdminUserAbout,
        &[
            ("role", role(l, u.role).as_str()),
            ("state", state.as_str()),
        ],
    );
    let act = |what: &str| format!("users/{}/{what}", urlencode(&u.name));
    let units: Vec<String> = a
        .units
        .iter()
        .map(|&id| match e.units.get(id).parent {
            Some(_) => e.units.path(id),
            None => l.t(T::AdminWholeCountry).to_string(),
        })
        .collect();
    html! {
        div.card {
            h3 { (u.name) }
            p.note { (about) }
            @if let Some(w) = &u.awaiting {
                p class=(if w.reset { "alert" } else { "note" }) { (l.f(if w.reset { T::AdminAwaitingReset } else { T::AdminAwaitingAdded }, &[("admin", &w.by)])) }
            }
            @if u.must_change && !u.disabled { p.note { (l.t(T::AdminMustChange)) } }
            @if !units.is_empty() { p { (l.f(T::AdminUnits, &[("units", &units.join("; "))])) } }
            @if !u.disabled && !own {
                div.acts {
                    @if u.pending { (d.form(&act("approve"), false, html! { button { (l.t(T::AdminApprove)) } })) }
                    (d.form(&act("reset"), false, html! { button.alt { (l.t(T::AdminReset)) } }))
                    (d.form(&act("disable"), false, html! { button.alt { (l.t(T::AdminDisable)) } }))
                }
            }
        }
    }
}

/// Which half of a one-time password a page shows.
#[derive(Clone, Copy)]
pub(crate) enum Half {
    /// The admin's who added or reset the account.
    First,
    /// The admin's who approved it.
    Second,
}

/// The page a half of a new or reset account's one-time password is shown on, once.
pub(crate) fn password(l: Lang, user: &str, half: &str, which: Half, back: &str) -> Markup {
    let (heading, note) = match which {
        Half::First => (T::AdminPasswordHeading, T::AdminPasswordNote),
        Half::Second => (T::AdminSecondHalfHeading, T::AdminSecondHalfNote),
    };
    html! {
        h2 { (l.f(heading, &[("user", user)])) }
        p.done { code.password { (half) } }
        p { (l.f(note, &[("user", user)])) }
        p { a href=(back) { (l.t(T::DeskBack)) } }
    }
}
