//! The staff desk: the login page and, per election, the forms of the logged-in user's role
//! (protocol entry, verification, complaints, decisions, certification, audits), in the
//! reader's language on the pages' one layout. Plain HTML forms, no JavaScript, written for a
//! phone first (labels above full-width inputs, 44 px targets, a numeric keypad for counts);
//! each form carries the session's CSRF token and posts to an act ([`acts`]) that does what
//! the API does and returns to the desk, which says what was done ([`done`]).

mod acts;
mod admin;
mod auditor;
mod boards;
mod commission;
mod done;
mod fields;
mod incidents;
mod methods;
mod observer;
mod operator;
mod pending;
mod pick;
mod quick;
mod relations;

pub(crate) use acts::{
    add_user_form, approve_form, assign_form, audit_start_form, audit_step_form, certify_form,
    complain_form, decide_form, disable_form, enter_form, incident_form, incident_status_form,
    intake_form, login_form, logout_form, override_form, pvt_report_form, pvt_review_form,
    reset_form, resolve_form, review_form, verify_form,
};
pub(crate) use boards::{mark_form as board_mark_form, page as board_page, sign_off_form};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Html;
use axum::Extension;
use maud::{html, Markup};
use model::{Election, Protocol, UnitId};
use record::Role;
use serde::Deserialize;
use store::{Pending, Staffing, User};
use ui::{Lang, Section, T};

use crate::auth::Caller;
use crate::pages::{self, urlencode};
use crate::pool::Pool;
use crate::public::blocking;
use crate::reader::Reader;
use crate::{AppState, ServerError};
use done::Done;
pub(crate) use operator::Typed;
use pick::{Picked, Scope};

/// The login page.
pub(crate) async fn login_page(r: Reader) -> Html<String> {
    let l = r.lang;
    let body = html! {
        (login(l))
        p.note { (l.t(T::DeskLoginPublic)) }
    };
    Html(pages::frame(
        l,
        &r.here,
        None,
        Section::Staff,
        l.t(T::DeskLoginTitle),
        body,
    ))
}

/// The page on which a user who logged in with a one-time password chooses their own: it
/// logs in again with both (the one-time password is carried in the form, on a page no cache
/// keeps).
pub(crate) fn choose_password_page(r: &Reader, name: &str, one_time: &str) -> String {
    let l = r.lang;
    let body = html! {
        p { (l.t(T::DeskChooseNote)) }
        form.form method="post" action="/login" {
            input type="hidden" name="name" value=(name);
            input type="hidden" name="password" value=(one_time);
            (fields::field("new_password", l.t(T::DeskNewPassword), None, html! {
                input #new_password name="new_password" type="password" autocomplete="new-password" minlength="10" required;
            }))
            (fields::field("new_password_again", l.t(T::DeskNewPasswordAgain), None, html! {
                input #new_password_again name="new_password_again" type="password" autocomplete="new-password" minlength="10" required;
            }))
            div.acts { button #choose-password { (l.t(T::DeskChooseButton)) } }
        }
    };
    pages::frame(
        l,
        "/login",
        None,
        Section::Staff,
        l.t(T::DeskChooseTitle),
        body,
    )
}

/// The login form (on the login page, and on a desk before a login).
fn login(l: Lang) -> Markup {
    html! {
        form.form method="post" action="/login" {
            (fields::field("name", l.t(T::DeskUserName), None, html! {
                input #name name="name" autocomplete="username" autocapitalize="none" spellcheck="false" required;
            }))
            (fields::field("password", l.t(T::DeskPassword), Some(l.t(T::DeskLoginOneTime)), html! {
                input #password name="password" type="password" autocomplete="current-password" required aria-describedby="password-hint";
            }))
            div.acts { button #log-in { (l.t(T::DeskLogIn)) } }
        }
    }
}

/// The desk's query: what was just done (`done`, `id`), the unit search (`q`) and the unit
/// chosen from it (`unit`).
#[derive(Deserialize, Default)]
pub(crate) struct DeskQuery {
    done: Option<String>,
    id: Option<i64>,
    q: Option<String>,
    unit: Option<String>,
    /// The auditor's method comparison's law (default the election's own, else `kg2020`, as
    /// the form that starts an audit) and risk limit, in percent.
    law: Option<String>,
    risk_limit: Option<f64>,
}

impl DeskQuery {
    /// The desk with station `id` chosen.
    pub(crate) fn chosen(id: UnitId) -> DeskQuery {
        DeskQuery {
            unit: Some(id.0.to_string()),
            ..DeskQuery::default()
        }
    }
}

/// The desk of election `name` for the caller's role.
pub(crate) async fn desk_page(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    Query(q): Query<DeskQuery>,
    r: Reader,
) -> Result<axum::response::Response, ServerError> {
    Ok(with_scripts(render(s, who, name, q, r, None).await?))
}

/// A desk page, which may run this site's own static scripts ([`crate::headers::DESK_POLICY`]).
pub(crate) fn with_scripts(page: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut res = Html(page).into_response();
    res.headers_mut().insert(
        axum::http::header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static(crate::headers::DESK_POLICY),
    );
    res
}

/// The desk, with the protocol `typed` before a check of its figures if there is one.
pub(crate) async fn render(
    s: AppState,
    who: Caller,
    name: String,
    q: DeskQuery,
    r: Reader,
    typed: Option<Typed>,
) -> Result<String, ServerError> {
    blocking(move || {
        let listed = match &who.user {
            Some(user) => Listed::of(&s, user, &name)?,
            None => Listed::default(),
        };
        let role = who.role();
        let scope = Scope {
            role: role.unwrap_or(Role::Observer),
            assigned: &listed.assigned,
        };
        // The search runs before the election's state is read (it takes it itself).
        let picked = match role {
            Some(Role::Operator | Role::Observer | Role::Commissioner | Role::Admin) => {
                pick::pick(&s, &name, &scope, q.q.as_deref(), q.unit.as_deref())?
            }
            _ => Picked::default(),
        };
        let content = match role {
            Some(Role::Commissioner) => crate::register::content(&s, &name)?,
            Some(Role::Supervisor) if listed.here => crate::register::content(&s, &name)?,
            _ => Default::default(),
        };
        // The auditor's method comparison, computed outside the election's lock; at the
        // default law and risk limit kept per log size and language, as a page is.
        let methods = match role {
            Some(Role::Auditor) => Some(methods::kept(
                &s,
                &name,
                r.lang,
                q.law.as_deref(),
                q.risk_limit,
            )?),
            _ => None,
        };
        // The audit boards, read outside the election's lock (their shares take it).
        let names = match role {
            Some(Role::Auditor | Role::BoardMember) => s.live.with(&s.db, &name, |v| {
                Ok(audit::logged::names(v.audit_entries())?)
            })?,
            _ => Vec::new(),
        };
        let (member_boards, (audit_boards, members)) = match (&who.user, role) {
            (Some(u), Some(Role::BoardMember)) => {
                (boards::of_member(&s, &name, &names, u)?, Default::default())
            }
            (Some(u), Some(Role::Auditor)) => {
                (Vec::new(), boards::of_auditor(&s, &name, &names, u)?)
            }
            _ => Default::default(),
        };
        s.live.with(&s.db, &name, |v| {
            let audits = match role {
                Some(Role::Auditor) => crate::data::audits(v)?,
                _ => Vec::new(),
            };
            let heading = pages::heading(v, &name);
            let chosen = pick::chosen(v.election(), &scope, &picked);
            let current = chosen.and_then(|id| v.protocol(id, 0)).cloned();
            let (register, certifying) = match role {
                Some(Role::Commissioner) => {
                    let audience = crate::register::Audience::Commission;
                    let register = crate::register::rows(v, &content, audience);
                    let country = v.tally().ok().map(|t| t.totals(v.election().units.root()));
                    // The seats under the election's own law, as its seats page gives them.
                    let seats = match crate::data::allocation(v, &name, None) {
                        Ok(crate::data::Seats::Allocated(a)) => Some(a),
                        _ => None,
                    };
                    let choices = v
                        .election()
                        .contests
                        .first()
                        .map_or(&[][..], |c| &c.choices[..]);
                    let votes = choices
                        .iter()
                        .enumerate()
                        .map(|(i, ch)| {
                            let n = country
                                .as_ref()
                                .and_then(|t| t.votes.get(i).copied())
                                .unwrap_or(0);
                            let s = seats.as_ref().and_then(|a| {
                                a.outcome
                                    .parties
                                    .iter()
                                    .find(|p| p.name == ch.name)
                                    .map(|p| p.seats)
                            });
                            (ch.name.clone(), n, s)
                        })
                        .collect();
                    let certifying = commission::Certifying {
                        size: v.size(),
                        votes,
                        law: seats.as_ref().map(|a| a.law.clone()),
                        counted: country.as_ref().map_or(0, |t| t.reporting),
                        stations: country.as_ref().map_or(0, |t| t.stations),
                        annulled: v.annulled().len(),
                        open: register
                            .0
                            .iter()
                            .filter(|r| r.filed.status.is_open())
                            .count(),
                        standing: v.standing(),
                    };
                    (Some(register), Some(certifying))
                }
                _ => (None, None),
            };
            // An observer group's election (its log holds a quick count): its observers report
            // and its supervisors review; in a commission's, an observer files complaints.
            let quick = match role {
                Some(Role::Observer | Role::Supervisor) if listed.here => {
                    v.quick_counts().into_iter().next()
                }
                _ => None,
            };
            // A supervisor's incident reports nobody has checked yet.
            let unchecked = match role {
                Some(Role::Supervisor) if quick.is_some() => {
                    let citizen = crate::incidents::Filter {
                        status: Some(record::IncidentStatus::Citizen.key().to_string()),
                        ..Default::default()
                    };
                    Some(crate::incidents::listing(
                        v,
                        &content,
                        &name,
                        &citizen,
                        (0, u64::MAX),
                    ))
                }
                _ => None,
            };
            let desk = Desk {
                l: r.lang,
                name: &name,
                election: v.election(),
                csrf: fields::csrf(&who),
            };
            let work = Work {
                listed: &listed,
                audits: &audits,
                scope: &scope,
                picked: &picked,
                current: current.as_ref(),
                typed: typed.as_ref(),
                register: register.as_ref(),
                certifying: certifying.as_ref(),
                counted: &|p: &Pending| {
                    v.protocol(p.protocol.station, p.protocol.contest)
                        .map_or(0, |c| c.version)
                },
                methods: methods.as_deref(),
                member_boards: &member_boards,
                audit_boards: &audit_boards,
                members: &members,
                quick: quick.as_ref(),
                unchecked: unchecked.as_ref(),
                categories: &s.categories,
            };
            let done = Done::new(q.done.clone(), q.id);
            let body = desk.body(who.user.as_ref(), &work, &done);
            Ok(pages::frame(
                r.lang,
                &r.here,
                Some(&heading),
                Section::Staff,
                r.lang.t(T::DeskTitle),
                body,
            ))
        })
    })
    .await
}

/// A page of the election's desk with `body` under the desk's title (a one-time password,
/// shown once: [`admin::password`]).
pub(crate) async fn page_with(
    s: AppState,
    name: String,
    r: Reader,
    body: impl FnOnce(Lang, &str) -> Markup + Send + 'static,
) -> Result<String, ServerError> {
    blocking(move || {
        s.live.with(&s.db, &name, |v| {
            let heading = pages::heading(v, &name);
            let base = format!("/elections/{}/staff", urlencode(&name));
            Ok(pages::frame(
                r.lang,
                &r.here,
                Some(&heading),
                Section::Staff,
                r.lang.t(T::DeskTitle),
                body(r.lang, &base),
            ))
        })
    })
    .await
}

/// The screen of one entered protocol (`/elections/{name}/staff/pending/{id}`), for a
/// verifier or a commissioner.
pub(crate) async fn entry_page(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, id)): Path<(String, i64)>,
    r: Reader,
) -> Result<Html<String>, ServerError> {
    let html = blocking(move || {
        let store = Pool::get(&s.db)?;
        let entry = store.pending_one(&name, id)?;
        let all = store.pending(&name)?;
        let double = store.double_entry(&name)?;
        let scan = match &entry.scan {
            Some(f) => store::FileRef::parse(f)
                .ok()
                .and_then(|f| store.scan(&f).ok().flatten())
                .and_then(|f| f.media),
            None => None,
        };
        drop(store);
        s.live.with(&s.db, &name, |v| {
            let heading = pages::heading(v, &name);
            let desk = Desk {
                l: r.lang,
                name: &name,
                election: v.election(),
                csrf: fields::csrf(&who),
            };
            let screen = pending::Screen {
                role: who.role().unwrap_or(Role::Verifier),
                all: &all,
                double,
                current: v.protocol(entry.protocol.station, entry.protocol.contest),
                scan,
            };
            let body = html! {
                p { a href=(desk.base()) { (r.lang.t(T::DeskBack)) } }
                (pending::screen(&desk, &entry, &screen))
            };
            Ok(pages::frame(
                r.lang,
                &r.here,
                Some(&heading),
                Section::Staff,
                r.lang.t(T::DeskTitle),
                body,
            ))
        })
    })
    .await?;
    Ok(Html(html))
}

/// What the store lists for the caller's role: protocols waiting, the operator's units and
/// own entries, whether blind double entry is on, the accounts for an admin.
#[derive(Default)]
struct Listed {
    pending: Vec<Pending>,
    assigned: Vec<UnitId>,
    mine: Vec<Pending>,
    double: bool,
    accounts: Vec<admin::Account>,
    /// Users' names by their log commitments (a supervisor's desk).
    names: std::collections::HashMap<String, String>,
    /// Whether the user holds their role in this election.
    here: bool,
}

impl Listed {
    fn of(s: &AppState, user: &User, name: &str) -> Result<Listed, ServerError> {
        let store = Pool::get(&s.db)?;
        let pending = match user.role {
            Role::Verifier | Role::Commissioner => store.pending(name)?,
            _ => Vec::new(),
        };
        let (assigned, mine) = match user.role {
            Role::Operator => {
                let mut mine = store.entries(name)?;
                mine.retain(|p| p.entered_by == user.name);
                (store.assignments(user.id, name)?, mine)
            }
            Role::Observer => (store.assignments(user.id, name)?, Vec::new()),
            _ => (Vec::new(), Vec::new()),
        };
        // A supervisor of this election's group sees whose copy is whose (the log names users
        // by commitments only).
        // Asked of the quick count's roles only: no other desk reads it.
        let here = matches!(user.role, Role::Observer | Role::Supervisor)
            && crate::quick::granted_here(&store, user, name)?;
        let names = match user.role {
            Role::Supervisor if here => store
                .users()?
                .into_iter()
                .map(|u| (u.commitment, u.name))
                .collect(),
            _ => Default::default(),
        };
        let double = store.double_entry(name)?;
        let mut accounts = Vec::new();
        if user.role == Role::Admin {
            for u in store.users()? {
                let here = store.grants(u.id)?.iter().any(|(e, _)| e == name);
                let units = match u.role {
                    Role::Operator if here => store.assignments(u.id, name)?,
                    _ => Vec::new(),
                };
                accounts.push(admin::Account {
                    user: u,
                    here,
                    units,
                });
            }
        }
        Ok(Listed {
            pending,
            assigned,
            mine,
            double,
            accounts,
            names,
            here,
        })
    }
}

/// What the desk lists: [`Listed`], the audits, the operator's search and chosen station.
struct Work<'a> {
    listed: &'a Listed,
    audits: &'a [Result<audit::logged::Report, String>],
    scope: &'a Scope<'a>,
    picked: &'a Picked,
    current: Option<&'a Protocol>,
    typed: Option<&'a Typed>,
    /// A commissioner's register and the log's decisions.
    register: Option<&'a (Vec<crate::register::Row>, Vec<readmodel::Decided>)>,
    /// What a certification would certify.
    certifying: Option<&'a commission::Certifying>,
    /// The version that counts for an entry's station now.
    counted: &'a dyn Fn(&Pending) -> u32,
    /// The auditor's method comparison, rendered.
    methods: Option<&'a str>,
    /// A board member's boards.
    member_boards: &'a [crate::boards::Board],
    /// The auditor's view of each audit's latest boards, by audit.
    audit_boards: &'a std::collections::HashMap<String, Vec<crate::boards::Board>>,
    /// The board members who may sit in this election (for the auditor's form).
    members: &'a [String],
    /// The election's quick count, for an observer group's observers and supervisors.
    quick: Option<&'a record::QuickCount>,
    /// A supervisor's incident reports nobody has checked yet.
    unchecked: Option<&'a crate::incidents::Listing>,
    /// The incident categories the deployment offers.
    categories: &'a crate::incidents::Categories,
}

/// What every form of an election's desk needs.
struct Desk<'a> {
    l: Lang,
    /// The election's name in the store.
    name: &'a str,
    election: &'a Election,
    /// The session's CSRF token as a hidden field.
    csrf: Markup,
}

impl Desk<'_> {
    /// The address the desk's forms post under.
    fn base(&self) -> String {
        format!("/elections/{}/staff", urlencode(self.name))
    }

    /// A form of the desk posting to the act `act` (under [`Desk::base`]), multipart if it
    /// carries `files`, with the CSRF token and `fields`.
    fn form(&self, act: &str, files: bool, fields: Markup) -> Markup {
        html! {
            form.form method="post" action=(format!("{}/{act}", self.base()))
                enctype=[files.then_some("multipart/form-data")] {
                (self.csrf)
                (fields)
            }
        }
    }

    /// What the quick count's desk shows `user`.
    fn quick_desk<'w>(
        &self,
        q: &'w record::QuickCount,
        user: &'w User,
        work: &'w Work<'_>,
    ) -> quick::QuickDesk<'w> {
        quick::QuickDesk {
            q,
            assigned: &work.listed.assigned,
            names: &work.listed.names,
            me: &user.commitment,
        }
    }

    /// The desk under the election's heading: the login form, or who is logged in, what was
    /// just done and the role's forms.
    fn body(&self, user: Option<&User>, work: &Work<'_>, done: &Done) -> Markup {
        let l = self.l;
        let Some(user) = user else {
            return html! { p { (l.t(T::DeskLogInToAct)) } (login(l)) };
        };
        let pending = &work.listed.pending;
        html! {
            div.acts {
                p { (l.f(T::DeskLoggedIn, &[("name", &user.name), ("role", role(l, user.role).as_str())])) }
                form method="post" action="/logout" { (self.csrf) button.alt #log-out { (l.t(T::DeskLogOut)) } }
            }
            @if let Some(m) = done.message(l) { (m) }
            @match user.role {
                Role::Operator => {
                    (operator::desk(self, work.scope, work.picked, work.current, work.typed, &work.listed.mine))
                }
                Role::Verifier => (pending::list(self, pending, work.listed.double, work.counted)),
                Role::Commissioner => {
                    (pending::list(self, pending, work.listed.double, work.counted))
                    @if let Some((rows, decisions)) = work.register {
                        (commission::register(self, rows, decisions))
                    }
                    (commission::intake(self, work.listed.double))
                    @if let Some(c) = work.certifying { (commission::certify(self, c)) }
                    h2 { (l.t(T::DeskDecideHeading)) }
                    (pick::picker(l, &self.base(), self.election, work.scope, work.picked))
                    (commission::decide(self, pick::chosen(self.election, work.scope, work.picked)))
                }
                Role::Observer => @match &work.quick {
                    Some(q) => {
                        (quick::observer(self, &self.quick_desk(q, user, work)))
                        (incidents::report(self, work.scope, work.picked, work.categories, &minute_now()))
                    }
                    None => (observer::complaint(self, work.scope, work.picked)),
                },
                Role::Auditor => (auditor::forms(self, work.audits, work.methods, work.audit_boards, work.members)),
                Role::BoardMember => (boards::member(self, work.member_boards)),
                Role::Admin => (admin::desk(self, user, &work.listed.accounts, work.scope, work.picked)),
                Role::Supervisor => @match &work.quick {
                    Some(q) => {
                        (quick::supervisor(self, &self.quick_desk(q, user, work)))
                        @if let Some(x) = work.unchecked { (incidents::statuses(self, x, work.categories)) }
                    }
                    None => p { (l.t(T::DeskSupervisorNone)) },
                },
            }
        }
    }
}

/// The minute now, UTC, as a form's `datetime-local` field writes it (`YYYY-MM-DDTHH:MM`).
fn minute_now() -> String {
    let now = record::Time::from_unix(crate::auth::now().max(0) as u64)
        .map(|t| t.to_string())
        .unwrap_or_default();
    now.get(..16).unwrap_or_default().replacen(' ', "T", 1)
}

/// A role's name.
fn role(l: Lang, r: Role) -> ui::Tr {
    l.t(match r {
        Role::Operator => T::RoleOperator,
        Role::Verifier => T::RoleVerifier,
        Role::Commissioner => T::RoleCommissioner,
        Role::Auditor => T::RoleAuditor,
        Role::Observer => T::RoleObserver,
        Role::Admin => T::RoleAdmin,
        Role::BoardMember => T::RoleBoardMember,
        Role::Supervisor => T::RoleSupervisor,
    })
}

/// Where an error at `path` leads back to, if it is one of the desk's acts or the login: the
/// election's desk, or the login page.
pub(crate) fn home(path: &str) -> Option<String> {
    if path == "/login" {
        return Some(path.to_string());
    }
    let (name, act) = path.strip_prefix("/elections/")?.split_once("/staff/")?;
    (!name.contains('/') && !act.is_empty()).then(|| format!("/elections/{name}/staff"))
}

/// The way back to `home` ([`home`]) from an error with `status`: a failed login says so,
/// and a form refused for its values says that it is the form.
pub(crate) fn way_back(l: Lang, home: &str, status: StatusCode) -> ui::layout::Back {
    let login = home == "/login";
    let title = match status {
        StatusCode::UNAUTHORIZED if login => Some(T::DeskLoginFailed),
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY if !login => {
            Some(T::DeskFormRefused)
        }
        _ => None,
    };
    let label = if login {
        T::DeskBackToLogin
    } else {
        T::DeskBack
    };
    ui::layout::Back {
        href: home.to_string(),
        label: l.t(label),
        title: title.map(|t| l.t(t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_of_the_acts_and_the_login_lead_back_to_them() {
        let cases = [
            ("/login", Some("/login")),
            ("/elections/kg/staff/protocols", Some("/elections/kg/staff")),
            (
                "/elections/a%20b/staff/audits/d1",
                Some("/elections/a%20b/staff"),
            ),
            ("/elections/kg/staff", None),
            ("/elections/kg/staff/", None),
            ("/elections/kg/units/3/staff/x", None),
            ("/logout", None),
            ("/elections/kg", None),
        ];
        for (path, want) in cases {
            assert_eq!(home(path).as_deref(), want, "{path}");
        }
        let back = way_back(Lang::Ru, "/login", StatusCode::UNAUTHORIZED);
        assert_eq!(
            back.title.map(|t| t.to_string()),
            Some("Неверное имя пользователя или пароль".to_string())
        );
        let back = way_back(Lang::En, "/elections/kg/staff", StatusCode::UNAUTHORIZED);
        assert!(back.title.is_none());
        assert_eq!(back.label.to_string(), "Back to the staff desk");
        let back = way_back(Lang::En, "/elections/kg/staff", StatusCode::BAD_REQUEST);
        assert_eq!(
            back.title.map(|t| t.to_string()),
            Some("The form was not accepted: check the field the service names below".to_string())
        );
        assert!(way_back(Lang::En, "/login", StatusCode::BAD_REQUEST)
            .title
            .is_none());
    }
}
