//! The staff API: logins and tokens, users and assignments, protocol entry under the
//! two-person rule, complaints, decisions, certification and redaction. The route guard has
//! checked the role (and the CSRF token of a session) before a handler runs; the store
//! checks the two-person rule again and logs every act with who did it.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use model::{CountSource, Line, Protocol, UnitId};
use record::{encode, Entry};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{FileRef, Media, PendingState, SqlStore, Staffing, Store, User};

use crate::auth::{self, Acting, Caller};
use crate::pool::Pool;
use crate::public::blocking;
use crate::{AppState, ClientAddr, ServerError};
use readmodel::View;

/// After a write: the election's state takes the new entries now, so that the writer's next
/// read sees them (and everyone's within the time it takes to recompute a response).
pub(crate) async fn caught_up(s: &AppState, name: &str) -> Result<(), ServerError> {
    let (state, n) = (s.clone(), name.to_string());
    blocking(move || state.live.written(&state.db, &n)).await
}

/// Runs `f` with a store connection on the blocking pool (the store's write transactions
/// take turns: SQLite's `BEGIN IMMEDIATE`, PostgreSQL's advisory lock).
pub(crate) async fn write<T: Send + 'static>(
    s: &AppState,
    f: impl FnOnce(&mut SqlStore) -> Result<T, ServerError> + Send + 'static,
) -> Result<T, ServerError> {
    let db = std::sync::Arc::clone(&s.db);
    blocking(move || {
        let mut store = Pool::get(&db)?;
        f(&mut store)
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct Login {
    pub name: String,
    pub password: String,
    /// A password of the user's own to replace `password` with: needed when `password` is a
    /// one-time password an admin handed out (`User::must_change`).
    #[serde(default)]
    pub new_password: Option<String>,
    /// The new password typed again (the desk's form), if given the same.
    #[serde(default)]
    pub new_password_again: Option<String>,
}

/// A login that checked.
pub(crate) enum LoggedIn {
    /// A session started: its token, its CSRF token, whose.
    Session(String, String, User),
    /// The password was a one-time password and no password of their own came with it: no
    /// session; log in again with `new_password`.
    OneTime(User),
}

/// The new password of a login, if it has one, as its PHC string: at least 10 characters,
/// typed the same twice where typed twice, not the one-time password again.
fn new_password(l: &Login) -> Result<Option<String>, ServerError> {
    let Some(new) = &l.new_password else {
        return Ok(None);
    };
    if l.new_password_again
        .as_ref()
        .is_some_and(|again| again != new)
    {
        return Err(ServerError::BadRequest(
            "field 'new_password_again': the two new passwords differ".into(),
        ));
    }
    if *new == l.password {
        return Err(ServerError::BadRequest(
            "field 'new_password': choose a password other than the one-time password".into(),
        ));
    }
    auth::hash_password(new).map(Some)
}

/// Checks a login (with the failed-login limits) and starts a session, after replacing a
/// one-time password with the user's own (`new_password`): an account with a one-time
/// password gets no session without one. The attempt is reserved against the limits and given
/// a hash slot before anything else, so a burst is refused (429) without hashing; a failed
/// attempt keeps its reservation.
pub(crate) async fn start_session(
    s: &AppState,
    addr: ClientAddr,
    l: Login,
) -> Result<LoggedIn, ServerError> {
    let slot = s.limiter.hash_slot()?;
    let attempt = s.limiter.reserve(&l.name, addr.0)?;
    let db = std::sync::Arc::clone(&s.db);
    let name = l.name.clone();
    let found = blocking(move || Ok(Pool::get(&db)?.user_by_name(&name)?)).await?;
    // The password is checked even for an unknown name, so that timing does not tell them apart.
    let stored = found.as_ref().map_or_else(
        || store::Stored {
            phc: "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3c7fQ0V2vJZ6lY6b6o0yqv7b4dB7Y9r2b6Jm9yKk0jA".into(),
            second: None,
        },
        |(_, p)| p.clone(),
    );
    // The new password is hashed only after the password checked, in the same slot.
    let (ok, chosen) = blocking(move || {
        let ok = auth::opens(&stored, &l.password);
        let chosen = if ok { new_password(&l) } else { Ok(None) };
        drop(slot);
        Ok((ok, chosen))
    })
    .await?;
    let user = match (found, ok) {
        (Some((u, _)), true) => u,
        _ => return Err(ServerError::Unauthorized("wrong name or password".into())),
    };
    attempt.succeeded();
    let chosen = chosen?;
    if user.must_change && chosen.is_none() {
        return Ok(LoggedIn::OneTime(user));
    }
    let (token, csrf) = (auth::secret(), auth::secret());
    let (h, c, id) = (auth::token_hash(&token), csrf.clone(), user.id);
    write(s, move |st| {
        if let Some(phc) = &chosen {
            st.choose_password(id, phc)?;
        }
        Ok(st.start_session(&h, id, &c, auth::now() + auth::SESSION_SECONDS)?)
    })
    .await?;
    let user = User {
        must_change: false,
        ..user
    };
    Ok(LoggedIn::Session(token, csrf, user))
}

pub(crate) async fn login(
    State(s): State<AppState>,
    Extension(addr): Extension<ClientAddr>,
    Json(l): Json<Login>,
) -> Result<Response, ServerError> {
    match start_session(&s, addr, l).await? {
        LoggedIn::Session(token, csrf, user) => Ok((
            auth::set_cookie(&token),
            Json(json!({"user": user.name, "role": user.role.key(), "csrf": csrf})),
        )
            .into_response()),
        LoggedIn::OneTime(user) => Err(ServerError::Forbidden(format!(
            "'{}' logs in with a one-time password: log in again with 'new_password', a \
             password of your own (at least 10 characters); the one-time password then no \
             longer works",
            user.name
        ))),
    }
}

pub(crate) async fn end_session(s: &AppState, who: &Caller) -> Result<(), ServerError> {
    if let Some((h, _)) = who.session.clone() {
        write(s, move |st| Ok(st.end_session(&h)?)).await?;
    }
    Ok(())
}

/// `POST /api/logout`'s query: `?tokens=revoke` also revokes every API token of the caller.
#[derive(Deserialize)]
pub(crate) struct Logout {
    tokens: Option<String>,
}

/// Ends the caller's session; revokes nothing else unless asked (`?tokens=revoke`).
pub(crate) async fn logout(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Query(q): Query<Logout>,
) -> Result<Response, ServerError> {
    let revoke = match q.tokens.as_deref() {
        None => false,
        Some("revoke") => true,
        Some(other) => {
            return Err(ServerError::BadRequest(format!(
                "tokens={other}: the only value is 'revoke'"
            )))
        }
    };
    end_session(&s, &who).await?;
    let mut revoked = 0;
    if revoke {
        let id = who.staff()?.id;
        revoked = write(&s, move |st| Ok(st.revoke_tokens(id)?)).await?;
    }
    Ok((
        auth::clear_cookie(),
        Json(json!({"logged_out": true, "tokens_revoked": revoked})),
    )
        .into_response())
}

#[derive(Deserialize)]
pub(crate) struct TokenRequest {
    label: String,
    /// How many days it lasts (default [`auth::TOKEN_DAYS`], at most [`auth::TOKEN_MAX_DAYS`]).
    days: Option<i64>,
}

pub(crate) async fn token(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Json(t): Json<TokenRequest>,
) -> Result<Json<Value>, ServerError> {
    let user = who.staff()?.clone();
    // A token made with another token would let a leaked token renew itself past its
    // expiry for ever: tokens are made from a session, which needs the password.
    if who.session.is_none() {
        return Err(ServerError::Forbidden(
            "an API token is made from a logged-in session (POST /api/login), not with another token"
                .into(),
        ));
    }
    refuse_control("label", "the token's label", &t.label)?;
    let days = t.days.unwrap_or(auth::TOKEN_DAYS);
    if !(1..=auth::TOKEN_MAX_DAYS).contains(&days) {
        return Err(ServerError::BadRequest(format!(
            "days: a token lasts 1 to {} days",
            auth::TOKEN_MAX_DAYS
        )));
    }
    let token = auth::secret();
    let h = auth::token_hash(&token);
    let (created, expires) = (auth::now(), auth::now() + days * 86_400);
    let id = h.clone();
    write(&s, move |st| {
        Ok(st.add_token(&h, user.id, &t.label, created, expires)?)
    })
    .await?;
    Ok(Json(json!({
        "token": token,
        "id": id,
        "expires": expires,
        "note": "shown once; send it as Authorization: Bearer TOKEN"
    })))
}

/// The caller's own API tokens (never the tokens themselves: their ids).
pub(crate) async fn tokens(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
) -> Result<Json<Value>, ServerError> {
    let (db, id) = (std::sync::Arc::clone(&s.db), who.staff()?.id);
    let list = blocking(move || Ok(Pool::get(&db)?.tokens(id)?)).await?;
    let now = auth::now();
    Ok(Json(Value::Array(
        list.iter()
            .map(|t| {
                json!({"id": t.id, "label": t.label, "created": t.created,
                       "expires": t.expires, "expired": t.expires <= now})
            })
            .collect(),
    )))
}

/// Revokes one of the caller's own API tokens.
pub(crate) async fn revoke_token(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(token): Path<String>,
) -> Result<Json<Value>, ServerError> {
    let user = who.staff()?.id;
    let id = token.clone();
    write(&s, move |st| Ok(st.revoke_token(user, &id)?)).await?;
    Ok(Json(json!({"revoked": token})))
}

pub(crate) async fn me(Extension(who): Extension<Caller>) -> Result<Json<Value>, ServerError> {
    let u = who.staff()?;
    Ok(Json(json!({"user": u.name, "role": u.role.key()})))
}

pub(crate) async fn users(State(s): State<AppState>) -> Result<Json<Value>, ServerError> {
    let db = std::sync::Arc::clone(&s.db);
    let list = blocking(move || {
        let st = Pool::get(&db)?;
        let mut out = Vec::new();
        for u in st.users()? {
            let grants = st.grants(u.id)?;
            out.push((u, grants));
        }
        Ok(out)
    })
    .await?;
    Ok(Json(Value::Array(
        list.iter()
            .map(|(u, grants)| {
                let elections: Vec<Value> = grants
                    .iter()
                    .map(|(e, p)| json!({"election": e, "pending": p}))
                    .collect();
                json!({"name": u.name, "role": u.role.key(), "commitment": u.commitment,
                       "pending": u.pending, "disabled": u.disabled, "elections": elections})
            })
            .collect(),
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewUser {
    name: String,
    role: String,
    /// The elections the role applies in; every stored election if absent.
    elections: Option<Vec<String>>,
}

pub(crate) async fn add_user(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Json(n): Json<NewUser>,
) -> Result<Response, ServerError> {
    let role = crate::accounts::role(&n.role)?;
    let by = who.acting()?;
    let (u, first) = crate::accounts::add(&s, by, n.name, role, n.elections).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "user": u.name,
            "role": u.role.key(),
            "commitment": u.commitment,
            "pending": u.pending,
            "first_half": first,
            "note": "the first half of the user's one-time password, shown once: hand it to the user; they hold no role until a second admin approves (POST /api/users/NAME/approve), which gives the second half"
        })),
    )
        .into_response())
}

#[derive(Deserialize)]
pub(crate) struct NewGrant {
    user: String,
}

/// An admin grants a user's role in one more election: pending until a second admin approves.
pub(crate) async fn grant(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    Json(g): Json<NewGrant>,
) -> Result<Response, ServerError> {
    let Acting { user: admin, now } = who.acting()?;
    let n = name.clone();
    write(&s, move |st| {
        Ok(st.grant(&g.user, &n, Some(&admin), now)?)
    })
    .await?;
    caught_up(&s, &name).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"election": name, "pending": true})),
    )
        .into_response())
}

/// A second admin approves the role an admin granted (the two-person rule for grants).
pub(crate) async fn approve_user(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(user): Path<String>,
) -> Result<Json<Value>, ServerError> {
    let (u, second) = crate::accounts::approve(&s, who.acting()?, user).await?;
    Ok(Json(
        json!({"user": u.name, "role": u.role.key(), "pending": u.pending,
                   "second_half": second}),
    ))
}

#[derive(Deserialize)]
pub(crate) struct Assignment {
    user: String,
    unit: u32,
}

pub(crate) async fn assign(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    Json(a): Json<Assignment>,
) -> Result<Json<Value>, ServerError> {
    let user = a.user.clone();
    assign_operator(&s, who.acting()?, name, a.user, UnitId(a.unit)).await?;
    Ok(Json(json!({"user": user, "unit": a.unit})))
}

/// Lets operator `user` enter protocols in `unit` of election `name` (an observer: report
/// its drawn stations); answers the log's size.
pub(crate) async fn assign_operator(
    s: &AppState,
    by: Acting,
    name: String,
    user: String,
    unit: UnitId,
) -> Result<u64, ServerError> {
    let Acting { user: admin, now } = by;
    let n = name.clone();
    write(s, move |st| {
        let (u, _) = st
            .user_by_name(&user)?
            .ok_or_else(|| ServerError::NotFound(format!("no user named '{user}'")))?;
        // The store refuses a user who is neither an operator nor an observer.
        st.assign(u.id, &n, unit, Some(&admin), now)?;
        Ok(())
    })
    .await?;
    caught_up(s, &name).await?;
    let (state, n) = (s.clone(), name);
    blocking(move || state.live.with(&state.db, &n, |v| Ok(v.size()))).await
}

pub(crate) async fn upload_scan(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ServerError> {
    let user = who.staff()?.clone();
    // The store keeps an observer's photo without its metadata (`Staffing::put_scan`).
    let file = write(&s, move |st| Ok(st.put_scan(&user, &body)?)).await?;
    Ok((StatusCode::CREATED, Json(json!({"scan": file.to_string()}))).into_response())
}

/// A stored file, served as what its bytes are and never as a page: `nosniff`, a sandbox
/// that runs no script, images in place and everything else as a download.
pub(crate) async fn scan(
    State(s): State<AppState>,
    Path(sha): Path<String>,
) -> Result<Response, ServerError> {
    let file = FileRef::parse(&sha)?;
    let db = std::sync::Arc::clone(&s.db);
    let f = file.clone();
    let found = blocking(move || Ok(Pool::get(&db)?.scan(&f)?)).await?;
    let stored = found.ok_or_else(|| ServerError::NotFound("no such scan".into()))?;
    Ok(stored_file(&file, stored, "private"))
}

/// A stored file's answer: its media type from its bytes, `nosniff`, a sandbox that runs no
/// script, images in place and everything else as a download; cached as `cache` says
/// (`private`: a staff scan; `public`: an incident's published photo).
pub(crate) fn stored_file(file: &FileRef, stored: store::StoredFile, cache: &str) -> Response {
    let (mime, disposition) = match stored.media {
        Some(m) if m.inline() => (m.mime(), "inline"),
        Some(m) => (m.mime(), "attachment"),
        None => ("application/octet-stream", "attachment"),
    };
    let ext = stored.media.map_or("bin", Media::extension);
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'; img-src 'self'".into(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"sha256-{}.{ext}\"", file.hex()),
            ),
            (header::CACHE_CONTROL, format!("{cache}, max-age=86400")),
            (
                header::HeaderName::from_static("cross-origin-resource-policy"),
                "same-origin".into(),
            ),
        ],
        stored.bytes,
    )
        .into_response()
}

/// A protocol as an operator enters it.
#[derive(Deserialize)]
pub(crate) struct Entered {
    pub station: u32,
    #[serde(default)]
    pub contest: usize,
    pub source: Option<String>,
    #[serde(default)]
    pub lines: BTreeMap<String, u64>,
    pub votes: Vec<u64>,
    pub scan: Option<String>,
    /// The posted protocol's QR code the figures were typed from, as read: they must be
    /// what it holds, and the entry records its SHA-256 (`docs/protocol-qr.md`).
    #[serde(default)]
    pub code: Option<String>,
}

/// What entering a protocol needs to know of the election: the station's current version,
/// the choices' names and the control relations the entered protocol breaks. Counts above the plausibility bound (`model::check_plausible`)
/// are refused (422) before anything is stored.
struct Context {
    current: Option<Protocol>,
    choices: Vec<String>,
    diagnostics: Vec<Value>,
}

fn context(v: &View<'_>, name: &str, p: &Protocol) -> Result<Context, ServerError> {
    let e = v.election();
    let station = p.station;
    if !e.units.is_station(station) {
        return Err(ServerError::BadRequest(format!(
            "unit {} is not a station of '{name}'",
            station.0
        )));
    }
    let current = v.protocol(station, p.contest).cloned();
    // Typed counts are bounded by the station's registered voters, as its counted protocol
    // states them (the core's plausibility bound); imported files are not.
    let registered = current.as_ref().and_then(|c| c.line(Line::Registered));
    model::check_plausible(p, registered).map_err(|x| {
        ServerError::Unprocessable(format!("station '{}': {x}", e.units.path(station)))
    })?;
    let mut checked = p.clone();
    checked.version = current.as_ref().map_or(1, |c| c.version + 1);
    Ok(Context {
        current,
        choices: e.choice_names(p.contest),
        diagnostics: e
            .rules
            .check(e, &checked)
            .iter()
            .map(|d| json!({"severity": d.severity.key(), "rule": d.rule, "detail": d.detail}))
            .collect(),
    })
}

/// Enters a protocol: stores it as entered (the store checks the operator's assignment), and
/// answers the control relations it breaks and how it differs from the station's current
/// version.
/// Sets `p`'s lines from their keys (`registered`, `valid`, ...), refusing an unknown key.
pub(crate) fn set_lines(
    p: &mut Protocol,
    lines: &BTreeMap<String, u64>,
) -> Result<(), ServerError> {
    for (k, v) in lines {
        let line = Line::from_key(k).ok_or_else(|| {
            let keys: Vec<&str> = Line::ALL.iter().map(|l| l.key()).collect();
            ServerError::BadRequest(format!(
                "unknown line '{k}'; expected one of {}",
                keys.join(", ")
            ))
        })?;
        p.set_line(line, *v);
    }
    Ok(())
}

pub(crate) async fn enter_protocol(
    s: &AppState,
    by: Acting,
    name: String,
    e: Entered,
) -> Result<Value, ServerError> {
    let station = UnitId(e.station);
    let mut p = Protocol::new(station, e.contest, 0);
    p.votes = e.votes;
    p.source = match e.source.as_deref() {
        None => CountSource::Manual,
        Some(k) => CountSource::from_key(k).map_err(|x| ServerError::BadRequest(x.to_string()))?,
    };
    set_lines(&mut p, &e.lines)?;
    let posted = match e.code.as_deref().filter(|c| !c.trim().is_empty()) {
        None => None,
        Some(code) => {
            let (code, read) = crate::quick::read_code(code)?;
            let differ = read.differences(&p);
            if !differ.is_empty() {
                return Err(ServerError::BadRequest(format!(
                    "the figures are not the posted protocol's QR code's: {}",
                    differ.join("; ")
                )));
            }
            Some(postedqr::Posted::digest(code))
        }
    };
    let ctx = {
        let (state, n, q) = (s.clone(), name.clone(), p.clone());
        blocking(move || state.live.with(&state.db, &n, |v| context(v, &n, &q))).await?
    };
    let scan = e.scan.as_deref().map(FileRef::parse).transpose()?;
    let (n2, p2) = (name.clone(), p);
    let pending = s
        .committer
        // The store refuses a station outside the operator's units (`Staffing::enter`).
        .write(move |st| {
            let posted = posted.as_deref();
            Ok(st.enter_from(&n2, &p2, &by.user, scan.as_ref(), posted, by.now)?)
        })
        .await?;
    caught_up(s, &name).await?;
    Ok(json!({
        "id": pending.id,
        "station": station.0,
        "version": pending.protocol.version,
        "digest": pending.digest,
        "scan": pending.scan,
        "state": PendingState::Entered.key(),
        "diagnostics": ctx.diagnostics,
        "differences": differences(ctx.current.as_ref(), &pending.protocol, &ctx.choices),
    }))
}

/// What changed from the station's current version (of either count) to the entered one.
fn differences(old: Option<&Protocol>, new: &Protocol, choices: &[String]) -> Value {
    let Some(old) = old else {
        return json!({"against": null, "changes": []});
    };
    let mut changes = Vec::new();
    for &l in Line::ALL {
        if old.line(l) != new.line(l) {
            changes.push(json!({"field": l.key(), "was": old.line(l), "now": new.line(l)}));
        }
    }
    for (i, (a, b)) in old.votes.iter().zip(&new.votes).enumerate() {
        if a != b {
            let name = choices.get(i).cloned().unwrap_or_default();
            changes.push(json!({"field": name, "was": a, "now": b}));
        }
    }
    json!({"against": {"version": old.version, "source": old.source.key()}, "changes": changes})
}

pub(crate) async fn enter(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    Json(e): Json<Entered>,
) -> Result<Response, ServerError> {
    let v = enter_protocol(&s, who.acting()?, name, e).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

pub(crate) async fn pending(
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<Value>, ServerError> {
    let db = std::sync::Arc::clone(&s.db);
    let list = blocking(move || Ok(Pool::get(&db)?.pending(&name)?)).await?;
    Ok(Json(Value::Array(
        list.iter()
            .map(|p| {
                json!({"id": p.id, "station": p.protocol.station.0, "contest": p.protocol.contest,
                       "version": p.protocol.version, "source": p.protocol.source.key(),
                       "votes": p.protocol.votes, "digest": p.digest, "scan": p.scan,
                       "entered_by": p.entered_by})
            })
            .collect(),
    )))
}

/// Verifies (`Ok`) or rejects (`Err`, with its reason if one is given) an entered protocol.
pub(crate) async fn settle(
    s: &AppState,
    by: Acting,
    name: String,
    id: i64,
    decision: Result<(), Option<String>>,
) -> Result<Value, ServerError> {
    let n = name.clone();
    let accept = decision.is_ok();
    let reason = match decision {
        Err(None) => {
            return Err(ServerError::BadRequest(
                "a rejection says why: give its 'reason', which the operator who entered the \
                 protocol reads"
                    .into(),
            ))
        }
        Err(Some(why)) => Some(
            record::reason_act("reason", &why, &auth::salt())
                .map_err(|e| ServerError::BadRequest(e.to_string()))?
                .1,
        ),
        _ => None,
    };
    let out = s
        .committer
        .write(move |st| {
            if accept {
                let v = st.verify(&n, id, &by.user, by.now)?;
                Ok(json!({"id": id, "state": PendingState::Verified.key(), "version": v}))
            } else {
                st.reject(&n, id, &by.user, reason.as_ref(), by.now)?;
                Ok(json!({"id": id, "state": PendingState::Rejected.key()}))
            }
        })
        .await?;
    caught_up(s, &name).await?;
    Ok(out)
}

pub(crate) async fn verify(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, id)): Path<(String, i64)>,
) -> Result<Json<Value>, ServerError> {
    Ok(Json(settle(&s, who.acting()?, name, id, Ok(())).await?))
}

/// A rejection's body: why (the operator reads it); a rejection without one is refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rejecting {
    #[serde(default)]
    reason: Option<String>,
}

pub(crate) async fn reject(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, id)): Path<(String, i64)>,
    Json(r): Json<Rejecting>,
) -> Result<Json<Value>, ServerError> {
    let why = r.reason.filter(|t| !t.trim().is_empty());
    Ok(Json(settle(&s, who.acting()?, name, id, Err(why)).await?))
}

/// An act to log: what (with what it is about), its entry, its content, and the log size it
/// was computed at (if it depends on the state).
pub(crate) struct Logged {
    pub kind: record::StaffAct,
    pub entries: Vec<Vec<u8>>,
    pub content: Vec<record::Content>,
    /// The files the act cites (each the actor's own upload), with their commitments.
    pub files: Vec<(FileRef, Option<String>)>,
    pub at: Option<u64>,
}

pub(crate) async fn act(
    s: &AppState,
    by: Acting,
    name: String,
    a: Logged,
) -> Result<u64, ServerError> {
    let n = name.clone();
    let size = write(s, move |st| {
        Ok(st.act(
            &n,
            store::Actor::User(&by.user),
            store::Act {
                act: a.kind,
                entries: &a.entries,
                content: &a.content,
                files: &a.files,
                at: a.at,
                time: by.now,
            },
        )?)
    })
    .await?;
    caught_up(s, &name).await?;
    Ok(size)
}

/// How many times an act that depends on the log's state is checked again when the log grew
/// meanwhile (reports arriving while a supervisor reviews).
const CHECK_TRIES: u32 = 8;

/// Logs the act `check` makes from the election's state (its entries depend on the state: a
/// review, a status), at the log size it was checked at: if the log grew meanwhile, the act
/// is checked again against the log as it then stands, up to [`CHECK_TRIES`] times. Answers
/// the log's size.
pub(crate) async fn act_checked(
    s: &AppState,
    by: Acting,
    name: String,
    check: impl Fn(&mut View<'_>) -> Result<(record::StaffAct, Vec<u8>), ServerError>
        + Clone
        + Send
        + 'static,
) -> Result<u64, ServerError> {
    let mut tries = 0;
    loop {
        let (state, n, f) = (s.clone(), name.clone(), check.clone());
        let (kind, entry, at) = blocking(move || {
            state.live.with(&state.db, &n, |v| {
                let (kind, entry) = f(v)?;
                Ok((kind, entry, v.size()))
            })
        })
        .await?;
        let logged = Logged {
            kind,
            entries: vec![entry],
            content: Vec::new(),
            files: Vec::new(),
            at: Some(at),
        };
        match act(s, by.clone(), name.clone(), logged).await {
            Err(ServerError::Stale(_)) if tries + 1 < CHECK_TRIES => tries += 1,
            other => return other,
        }
    }
}

/// Checks that a unit exists in the election.
async fn known_unit(s: &AppState, name: &str, unit: u32) -> Result<UnitId, ServerError> {
    let (state, n) = (s.clone(), name.to_string());
    let units = blocking(move || {
        state
            .live
            .with(&state.db, &n, |v| Ok(v.election().units.len()))
    })
    .await?;
    if (unit as usize) < units {
        Ok(UnitId(unit))
    } else {
        Err(ServerError::BadRequest(format!("no unit {unit}")))
    }
}

/// A complaint as an observer files it.
#[derive(Deserialize)]
pub(crate) struct NewComplaint {
    pub unit: u32,
    /// What it is about (`record::ComplaintCategory`'s keys).
    #[serde(default)]
    pub category: Option<String>,
    pub text: String,
    pub scan: Option<String>,
}

pub(crate) async fn complain(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    Json(c): Json<NewComplaint>,
) -> Result<Response, ServerError> {
    let size = file_complaint(&s, who.acting()?, name, c).await?;
    Ok((StatusCode::CREATED, Json(json!({"logged_as": size - 1}))).into_response())
}

/// Logs a complaint; answers the log's size.
pub(crate) async fn file_complaint(
    s: &AppState,
    by: Acting,
    name: String,
    c: NewComplaint,
) -> Result<u64, ServerError> {
    let unit = known_unit(s, &name, c.unit).await?;
    let file = c.scan.as_deref().map(FileRef::parse).transpose()?;
    let scan = file.as_ref().map(|f| f.to_string());
    let category = c
        .category
        .as_deref()
        .map(record::complaint_category)
        .transpose()
        .map_err(|e| ServerError::BadRequest(e.to_string()))?;
    let (complaint, rows) = record::complaint_act(
        unit,
        category,
        &by.user.name,
        &c.text,
        scan.as_deref(),
        &mut auth::salt,
    )
    .map_err(|e| ServerError::BadRequest(e.to_string()))?;
    let files = file
        .map(|f| (f, complaint.scan.clone()))
        .into_iter()
        .collect();
    let entry = encode(&Entry::Complaint(complaint));
    act(
        s,
        by,
        name,
        Logged {
            kind: record::StaffAct::Complain,
            entries: vec![entry],
            content: rows,
            files,
            at: None,
        },
    )
    .await
}

/// Refuses a free text holding a control character other than a tab or a line end
/// ([`model::names::text_fault`]): a NUL would be stored by SQLite and fail PostgreSQL.
fn refuse_control(field: &str, what: &str, text: &str) -> Result<(), ServerError> {
    match model::names::text_fault(text) {
        Some(c) => Err(ServerError::BadRequest(format!(
            "{field}: {what} holds the control character U+{:04X}",
            c as u32
        ))),
        None => Ok(()),
    }
}

/// A decision as a commissioner gives it.
#[derive(Deserialize)]
pub(crate) struct NewDecision {
    pub kind: String,
    pub unit: Option<u32>,
    pub reason: String,
}

/// Logs a decision.
pub(crate) async fn decision(
    s: &AppState,
    by: Acting,
    name: String,
    d: NewDecision,
) -> Result<u64, ServerError> {
    let kind =
        record::decision_kind(&d.kind).map_err(|e| ServerError::BadRequest(e.to_string()))?;
    let unit = match d.unit.filter(|_| kind.has_unit()) {
        Some(u) => Some(known_unit(s, &name, u).await?),
        None => None,
    };
    let (decision, row) = record::decision_act(kind, unit, &d.reason, &auth::salt())
        .map_err(|e| ServerError::BadRequest(e.to_string()))?;
    let entry = encode(&Entry::Decision(decision));
    act(
        s,
        by,
        name,
        Logged {
            kind: record::StaffAct::Decide,
            entries: vec![entry],
            content: vec![row],
            files: Vec::new(),
            at: None,
        },
    )
    .await
}

pub(crate) async fn decide(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    Json(d): Json<NewDecision>,
) -> Result<Response, ServerError> {
    let size = decision(&s, who.acting()?, name, d).await?;
    Ok((StatusCode::CREATED, Json(json!({"logged_as": size - 1}))).into_response())
}

/// A publication's request body: the law preset whose seats it states, if any.
#[derive(Deserialize)]
pub(crate) struct Publishing {
    law: Option<String>,
    /// Why certify while complaints are open (a certification only).
    #[serde(default)]
    reason: Option<String>,
}

/// Certifies the final result (`POST /api/elections/{name}/certify`).
pub(crate) async fn certify(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    Json(c): Json<Publishing>,
) -> Result<Response, ServerError> {
    publish_at(s, who, name, record::Stage::Final, c).await
}

/// Publishes preliminary results (`POST /api/elections/{name}/publish`): totals, and seats
/// under the law if one is named, for every contest, changing nothing.
pub(crate) async fn publish(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    Json(c): Json<Publishing>,
) -> Result<Response, ServerError> {
    if c.reason.is_some() {
        return Err(ServerError::BadRequest(
            "reason: a preliminary publication gives no reason".into(),
        ));
    }
    publish_at(s, who, name, record::Stage::Preliminary, c).await
}

async fn publish_at(
    s: AppState,
    who: Caller,
    name: String,
    stage: record::Stage,
    c: Publishing,
) -> Result<Response, ServerError> {
    let why = c.reason.filter(|t| !t.trim().is_empty());
    let (size, p) = publication(&s, who.acting()?, name, stage, c.law, why, None).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"logged_as": size - 1, "stage": stage.key(), "stations_counted": p.stations_counted,
                    "votes": p.votes, "seats": p.seats.map(|x| x.seats)}),
        ),
    )
        .into_response())
}

/// Publishes every contest at `stage` (`record::publication_act`: preliminary results, or the
/// certified final result): computes the publications from the state at a log size and logs
/// them only if the log is still that size; answers the log's size and the first contest's
/// publication.
pub(crate) async fn publication(
    s: &AppState,
    by: Acting,
    name: String,
    stage: record::Stage,
    law: Option<String>,
    reason: Option<String>,
    seen: Option<u64>,
) -> Result<(u64, record::Publication), ServerError> {
    // Why certify while complaints are open: committed to, logged on the `certify` entry.
    let reason = reason
        .map(|why| record::reason_act("reason", &why, &auth::salt()))
        .transpose()
        .map_err(|e| ServerError::BadRequest(e.to_string()))?;
    if let Some(l) = &law {
        seats::preset::law(l).map_err(|x| ServerError::NotFound(x.to_string()))?;
    }
    // A replay recomputes each publication at its place in the log.
    let (state, n) = (s.clone(), name.clone());
    let (built, at) = blocking(move || {
        // Whether the election's standing takes the act is the store's check, made when the
        // act is appended (`record::Standing`).
        // The publication declares the key that signs the log's checkpoints, if the log
        // does not yet (a verifier checks the checkpoint's key against it).
        let key = state.live.signing().map(|k| k.verifier().text());
        state.live.with(&state.db, &n, |v| {
            let protocols = v.protocols();
            let built = record::publication_act(
                v.election(),
                &protocols,
                v.annulled(),
                stage,
                law.as_deref(),
                v.keys(),
                key.as_deref(),
            )
            .map_err(|e| ServerError::BadRequest(e.to_string()))?;
            // What the commissioner was shown (`seen`, the log's size then) is what is
            // certified: a log grown since is refused, to be looked at again.
            if let Some(seen) = seen.filter(|&n| n != v.size()) {
                return Err(ServerError::Conflict(format!(
                    "the log grew from {seen} to {} entries since the page showed what certification certifies: look at it again",
                    v.size()
                )));
            }
            Ok((built, v.size()))
        })
    })
    .await?;
    let (kind, content) = match (built.act, reason) {
        (record::StaffAct::Certify { .. }, Some((commitment, row))) => (
            record::StaffAct::Certify {
                reason: Some(commitment),
            },
            vec![row],
        ),
        (kind, _) => (kind, Vec::new()),
    };
    let size = act(
        s,
        by,
        name,
        Logged {
            kind,
            entries: built.entries,
            content,
            files: Vec::new(),
            at: Some(at),
        },
    )
    .await?;
    let first = built.publications.into_iter().next();
    Ok((
        size,
        first.ok_or_else(|| ServerError::BadRequest("the election has no contest".into()))?,
    ))
}

#[derive(Deserialize)]
pub(crate) struct Redaction {
    commitment: String,
}

pub(crate) async fn redact(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    Json(r): Json<Redaction>,
) -> Result<Json<Value>, ServerError> {
    let size = act(
        &s,
        who.acting()?,
        name,
        Logged {
            kind: record::StaffAct::Redact {
                commitment: r.commitment,
            },
            entries: Vec::new(),
            content: Vec::new(),
            files: Vec::new(),
            at: None,
        },
    )
    .await?;
    Ok(Json(json!({"logged_as": size - 1, "redacted": true})))
}

#[derive(Deserialize)]
pub(crate) struct NewRevote {
    unit: u32,
    name: String,
}

/// Creates the re-vote of a unit as a new election, linked to this one: the unit, its
/// ancestors and everything under it, with no protocols yet (operators enter them with the
/// usual two-person rule). The re-vote must have been decided (a `revote` decision in the log).
pub(crate) async fn create_revote(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(name): Path<String>,
    Json(r): Json<NewRevote>,
) -> Result<Response, ServerError> {
    let unit = UnitId(r.unit);
    // An election's name is shown on every page and stored as text (PostgreSQL's refuses a
    // NUL): it must be fit to show, as an imported file's names must.
    if let Some(fault) = model::names::name_fault(&r.name) {
        return Err(ServerError::BadRequest(format!(
            "name: the re-vote's name {fault}"
        )));
    }
    let (state, n, child_name) = (s.clone(), name.clone(), r.name.clone());
    let child = blocking(move || {
        state.live.with(&state.db, &n, |v| {
            if !v.revotes().contains(&unit) {
                return Err(ServerError::Conflict(format!(
                    "no re-vote of unit {} was decided in '{n}': decide one first (kind revote)",
                    unit.0
                )));
            }
            v.election()
                .part(&child_name, unit)
                .map_err(|e| ServerError::BadRequest(e.to_string()))
        })
    })
    .await?;
    let parent = name.clone();
    let created = child.name.clone();
    let by = who.acting()?;
    write(&s, move |st| {
        let mut tx = st.import()?;
        tx.begin(&child, &format!("re-vote of unit {} of {parent}", unit.0))?;
        tx.revote_of(&parent, unit, &by.user, by.now)?;
        tx.commit(&child)?;
        Ok(())
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"election": created, "revote_of": name, "unit": unit.0})),
    )
        .into_response())
}
