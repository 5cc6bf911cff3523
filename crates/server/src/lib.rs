//! The results service (`tallyproof serve`): a JSON API and server-rendered pages over the
//! store. The public reads without logging in; staff log in (a session cookie with a CSRF
//! token, or an API bearer token) and act in their one role. Every route is listed once in
//! [`ROUTES`], from which the router, the authorization guard and the OpenAPI 3.1 document
//! at `/openapi.json` are all made.
//!
//! What the service shows is a replay of each election's log (`readmodel`); every write goes
//! through the store, which appends it and who did it to the log in the same transaction.
//! The store is SQLite and blocking: store work runs on tokio's blocking pool.

mod accounts;
mod audit_parts;
mod audits;
mod auth;
mod boards;
mod check;
mod conn;
mod data;
mod desk;
mod error;
mod export;
mod form;
mod group;
mod headers;
mod heavy;
mod incidents;
mod livelog;
#[cfg(test)]
mod login_burst;
mod map;
mod pages;
mod pool;
mod public;
mod quick;
mod reader;
mod reads;
mod register;
mod routes;
mod rulings;
mod scan;
mod search;
mod signed;
mod sms;
mod staff;
pub mod statics;
#[cfg(test)]
mod testing;
mod tls;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{header, Method as HttpMethod};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put, MethodRouter};
use axum::Router;
use pool::Pool;
use record::Role;
use store::Staffing;

pub use auth::{
    half_as_hashed, hash_password, one_time_half, salt, secret, token_hash, TOKEN_DAYS,
    TOKEN_MAX_DAYS,
};
pub use conn::Timeouts;
pub use error::ServerError;
pub use incidents::Categories;
pub use readmodel::Signing;
pub use routes::{openapi_document, Method, Route, ROUTES};
pub use signed::log_signing;
pub use sms::{SmsConfig, SIGNATURE_HEADER, TIME_HEADER};
pub use tls::Tls;

/// The largest request body, but for scans.
pub const BODY_LIMIT: usize = 64 * 1024;
/// The largest scan.
pub const SCAN_LIMIT: usize = 8 * 1024 * 1024;

/// What every handler shares, behind one `Arc`: axum clones the state for every request
/// (the guard's middleware and the handler), one counter to count is cheaper than six.
#[derive(Clone)]
struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

struct Shared {
    /// Connections to the store (SQLite or PostgreSQL); writers take turns inside it.
    db: Arc<Pool>,
    live: Arc<readmodel::Live>,
    limiter: Arc<auth::Limiter>,
    /// Protocol entries and verifications, committed in groups.
    committer: Arc<group::Committer>,
    /// The permits to send large responses.
    heavy: Arc<heavy::Senders>,
    /// The permits to search units at once (`search::permit`).
    searches: Arc<tokio::sync::Semaphore>,
    /// Whether every stored election has been loaded (replayed and signed) since the start.
    ready: Arc<std::sync::atomic::AtomicBool>,
    /// The directory of audits' large files (`serve --audit-files`), if any.
    audit_files: Option<Arc<store::AuditDir>>,
    /// Audit boards' shares, computed once per round.
    boards: boards::FormedCache,
    /// The SMS gateways' desk (`serve --sms-gateway`), if any.
    sms: Option<Arc<sms::Sms>>,
    /// The incident categories the deployment offers.
    categories: incidents::Categories,
}

/// What a service may have besides its store and log key.
#[derive(Default)]
pub struct Extras {
    /// The directory of audits' large files (`serve --audit-files DIR`).
    pub audit_files: Option<store::AuditDir>,
    /// The SMS gateways, with the phones' key (`serve --sms-gateway`).
    pub sms: Option<SmsConfig>,
    /// The incident categories the deployment offers (`serve --incident-categories`).
    pub categories: Categories,
}

/// The client's address, when the server knows it (for the login limits).
#[derive(Clone, Copy)]
struct ClientAddr(Option<IpAddr>);

/// The router over the store at `db` (a SQLite file or a `postgres://` URL), signing each
/// election's log as it grows with `signing` (served under `/elections/{name}/log/`).
pub fn router(db: &str, signing: Signing) -> Result<Router, ServerError> {
    router_with(db, signing, Extras::default())
}

/// [`router`] with the directory of audits' large files and the SMS gateways.
pub fn router_with(db: &str, signing: Signing, extras: Extras) -> Result<Router, ServerError> {
    Ok(router_over(Pool::new(db)?, signing, Arc::default(), extras))
}

/// [`router`] over the given connections, with the given login limiter (the tests watch
/// its hashes and cap its connections).
fn router_over(
    pool: Arc<Pool>,
    signing: Signing,
    limiter: Arc<auth::Limiter>,
    extras: Extras,
) -> Router {
    let live = Arc::new(readmodel::Live::signed_by(signing));
    let ready = Arc::new(std::sync::atomic::AtomicBool::new(false));
    signed::follow(&pool, &live, &ready);
    let state = AppState(Arc::new(Shared {
        committer: Arc::new(group::Committer::start(Arc::clone(&pool))),
        db: pool,
        live,
        limiter,
        heavy: Arc::default(),
        searches: Arc::new(tokio::sync::Semaphore::new(search::AT_ONCE)),
        ready,
        audit_files: extras.audit_files.map(Arc::new),
        boards: Default::default(),
        sms: extras.sms.map(|c| Arc::new(sms::Sms::new(c))),
        categories: extras.categories,
    }));
    let app = ROUTES
        .iter()
        .fold(Router::new(), |r, route| {
            let guarded = handler(route).route_layer(from_fn_with_state(
                state.clone(),
                move |s: State<AppState>, req: Request, next: Next| guard(s, route, req, next),
            ));
            r.route(route.path, guarded)
        })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state);
    app.layer(headers::layer())
}

/// The handler of a route of [`ROUTES`]; the tests request every documented route.
fn handler(route: &Route) -> MethodRouter<AppState> {
    use routes::Method::{Delete, Get, Post, Put};
    match (route.method, route.path) {
        (Get, "/") => get(public::index),
        (Get, "/elections/{name}") => get(public::results_page),
        (Get, "/elections/{name}/seats") => get(public::seats_page),
        (Get, "/elections/{name}/units") => get(search::units_page),
        (Get, "/elections/{name}/protocol-form") => get(public::protocol_form),
        (Get, "/scan") => get(scan::page),
        (Get, "/api/posted") => get(scan::api),
        (Get, "/api/elections/{name}/units") => get(search::units_api),
        (Get, "/api/elections") => get(public::elections),
        (Get, "/api/elections/{name}/context") => get(public::context_api),
        (Get, "/api/elections/{name}/results") => get(public::results),
        (Get, "/api/elections/{name}/seats") => get(public::seats_of),
        (Get, "/elections/{name}/units/{id}") => get(public::unit_page),
        (Get, "/api/elections/{name}/units/{id}") => get(public::unit_api),
        (Get, "/elections/{name}/forensics") => get(public::forensics_page),
        (Get, "/verify") => get(public::verify_page),
        (Get, "/elections/{name}/log/checkpoint") => get(livelog::checkpoint),
        (Get, "/elections/{name}/log/cosigned") => get(livelog::cosigned),
        (Get, "/elections/{name}/log/log.pub") => get(livelog::key),
        (Get, "/elections/{name}/log/tile/{*tile}") => get(livelog::tile),
        (Get, "/elections/{name}/log/content/{commitment}") => get(livelog::content),
        (Get, "/api/elections/{name}/consistency") => get(check::consistency),
        (Get, "/static/{*file}") => get(statics::file),
        (Post, "/api/elections/{name}/cosignatures") => post(livelog::cosign),
        (Get, "/openapi.json") => get(public::openapi),
        (Get, "/api/ready") => get(public::ready),
        (Get, "/elections/{name}/counts") => get(public::counts_page),
        (Get, "/api/elections/{name}/counts") => get(public::counts_api),
        (Get, "/elections/{name}/audits") => get(public::audits_page),
        (Get, "/elections/{name}/audits/{audit}/rounds/{round}") => get(public::round_page),
        (Get, "/api/elections/{name}/audits") => get(public::audits_api),
        (Get, "/elections/{name}/revotes") => get(public::revotes_page),
        (Get, "/elections/{name}/complaints") => get(register::page),
        (Get, "/api/elections/{name}/complaints") => get(register::api),
        (Get, "/api/elections/{name}/export.csv") => get(public::export_csv),
        (Get, "/api/elections/{name}/export.json") => get(public::export_json),
        (Get, "/api/elections/{name}/export.cdf.json") => get(public::export_cdf),
        (Get, "/login") => get(desk::login_page),
        (Get, "/elections/{name}/staff") => get(desk::desk_page),
        (Post, "/login") => post(desk::login_form),
        (Post, "/api/login") => post(staff::login),
        (Post, "/logout") => post(desk::logout_form),
        (Post, "/api/logout") => post(staff::logout),
        (Post, "/api/tokens") => post(staff::token),
        (Get, "/api/tokens") => get(staff::tokens),
        (Post, "/api/tokens/{id}/revoke") => post(staff::revoke_token),
        (Get, "/api/me") => get(staff::me),
        (Get, "/api/users") => get(staff::users),
        (Post, "/api/users") => post(staff::add_user),
        (Post, "/api/users/{user}/approve") => post(staff::approve_user),
        (Post, "/api/users/{user}/reset") => post(accounts::reset_api),
        (Post, "/api/users/{user}/disable") => post(accounts::disable_api),
        (Post, "/api/users/{user}/phone") => post(accounts::phone_api),
        (Post, "/api/elections/{name}/grants") => post(staff::grant),
        (Post, "/api/elections/{name}/assignments") => post(staff::assign),
        (Put, "/api/scans") => put(staff::upload_scan).layer(DefaultBodyLimit::max(SCAN_LIMIT)),
        (Post, "/api/audit-files") => post(audit_parts::begin),
        (Get, "/api/audit-files/{sha256}") => get(audit_parts::standing),
        (Delete, "/api/audit-files/{sha256}") => delete(audit_parts::abandon),
        (Put, "/api/audit-files/{sha256}/parts/{offset}") => {
            put(audit_parts::part).layer(DefaultBodyLimit::max(SCAN_LIMIT))
        }
        (Get, "/api/scans/{sha256}") => get(staff::scan),
        (Post, "/api/elections/{name}/protocols") => post(staff::enter),
        (Post, "/elections/{name}/staff/protocols") => post(desk::enter_form),
        (Get, "/api/elections/{name}/pending") => get(staff::pending),
        (Post, "/api/elections/{name}/pending/{id}/verify") => post(staff::verify),
        (Post, "/api/elections/{name}/pending/{id}/reject") => post(staff::reject),
        (Post, "/api/elections/{name}/pending/{id}/override") => post(rulings::override_api),
        (Post, "/api/elections/{name}/pending/{id}/resolve") => post(rulings::resolve_api),
        (Post, "/api/elections/{name}/intake") => post(rulings::intake_api),
        (Post, "/api/elections/{name}/complaints/{id}/status") => post(rulings::review_api),
        (Post, "/elections/{name}/staff/pending/{id}") => post(desk::verify_form),
        (Get, "/elections/{name}/staff/pending/{id}") => get(desk::entry_page),
        (Post, "/elections/{name}/staff/pending/{id}/override") => post(desk::override_form),
        (Post, "/elections/{name}/staff/pending/{id}/resolve") => post(desk::resolve_form),
        (Post, "/elections/{name}/staff/intake") => post(desk::intake_form),
        (Post, "/elections/{name}/staff/users") => post(desk::add_user_form),
        (Post, "/elections/{name}/staff/users/{user}/approve") => post(desk::approve_form),
        (Post, "/elections/{name}/staff/users/{user}/reset") => post(desk::reset_form),
        (Post, "/elections/{name}/staff/users/{user}/disable") => post(desk::disable_form),
        (Post, "/elections/{name}/staff/assignments") => post(desk::assign_form),
        (Post, "/elections/{name}/staff/complaints/{id}/status") => post(desk::review_form),
        (Post, "/api/elections/{name}/complaints") => post(staff::complain),
        (Post, "/elections/{name}/staff/complaints") => post(desk::complain_form),
        (Post, "/elections/{name}/staff/certify") => post(desk::certify_form),
        (Post, "/api/elections/{name}/decisions") => post(staff::decide),
        (Post, "/elections/{name}/staff/decisions") => post(desk::decide_form),
        (Post, "/api/elections/{name}/revotes") => post(staff::create_revote),
        (Post, "/api/elections/{name}/certify") => post(staff::certify),
        (Post, "/api/elections/{name}/publish") => post(staff::publish),
        (Post, "/api/elections/{name}/redactions") => post(staff::redact),
        (Post, "/api/elections/{name}/audits") => post(audits::start),
        (Get, "/api/elections/{name}/audits/methods") => get(audits::methods),
        (Post, "/elections/{name}/staff/audits") => post(desk::audit_start_form),
        (Post, "/elections/{name}/staff/audits/{audit}") => post(desk::audit_step_form),
        (Get, "/elections/{name}/staff/boards/{audit}/{board}") => get(desk::board_page),
        (Post, "/elections/{name}/staff/boards/{audit}/{board}/marks/{item}") => {
            post(desk::board_mark_form)
        }
        (Post, "/elections/{name}/staff/boards/{audit}/{board}/sign-off") => {
            post(desk::sign_off_form)
        }
        (Post, "/api/elections/{name}/audits/{audit}/rounds") => post(audits::sample),
        (Get, "/api/elections/{name}/audits/{audit}/rounds/{round}") => get(audits::retrieval),
        (Post, "/api/elections/{name}/audits/{audit}/readings") => {
            post(audits::record).layer(DefaultBodyLimit::max(SCAN_LIMIT))
        }
        (Post, "/api/elections/{name}/audits/{audit}/escalate") => post(audits::escalate),
        (Post, "/api/elections/{name}/audits/{audit}/targets") => post(audits::target),
        (Post, "/api/elections/{name}/audits/{audit}/boards") => post(boards::form),
        (Get, "/api/elections/{name}/audits/{audit}/boards") => get(boards::progress),
        (Get, "/api/elections/{name}/audits/{audit}/boards/{board}") => get(boards::board),
        (Put, "/api/elections/{name}/audits/{audit}/boards/{board}/marks/{item}") => {
            put(boards::mark)
        }
        (Post, "/api/elections/{name}/audits/{audit}/boards/{board}/sign-off") => {
            post(boards::sign_off)
        }
        (Post, "/api/elections/{name}/audits/{audit}/targeted-counts") => {
            post(audits::targeted_counts).layer(DefaultBodyLimit::max(SCAN_LIMIT))
        }
        (Get, "/api/elections/{name}/pvt") => get(quick::list_api),
        (Post, "/api/elections/{name}/pvt/{pvt}/reports") => post(quick::reports_api),
        (Post, "/api/elections/{name}/pvt/{pvt}/reviews") => post(quick::reviews_api),
        (Get, "/api/elections/{name}/pvt/{pvt}/stations/{id}") => get(quick::station_api),
        (Post, "/api/elections/{name}/pvt/{pvt}/sms/{gateway}") => post(sms::receive),
        (Post, "/elections/{name}/staff/pvt/{pvt}/reports") => post(desk::pvt_report_form),
        (Post, "/api/elections/{name}/incidents") => post(incidents::report_api),
        (Post, "/api/elections/{name}/incidents/{id}/status") => post(incidents::status_api),
        (Get, "/api/elections/{name}/incidents") => get(incidents::list_api),
        (Get, "/elections/{name}/incidents") => get(incidents::page),
        (Get, "/api/elections/{name}/incidents.csv") => get(incidents::csv_api),
        (Get, "/elections/{name}/incidents/{id}/photos/{k}") => get(incidents::photo),
        (Post, "/elections/{name}/staff/pvt/{pvt}/reviews") => post(desk::pvt_review_form),
        (Post, "/elections/{name}/staff/incidents") => post(desk::incident_form),
        (Post, "/elections/{name}/staff/incidents/{id}/status") => post(desk::incident_status_form),
        (m, other) => {
            let message = format!("no handler for {} {other}", m.key());
            get(|| async move { ServerError::Internal(message) })
        }
    }
}

/// Who is calling at `now` (Unix seconds): a bearer token, a session cookie, or the public.
/// An unknown bearer token is refused; an unknown or expired session is the public.
async fn caller(
    s: &AppState,
    headers: &axum::http::HeaderMap,
    now: i64,
) -> Result<auth::Caller, ServerError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| auth::token_hash(t.trim()));
    let cookie = auth::session_cookie(&axum_extra::extract::CookieJar::from_headers(headers))
        .map(auth::token_hash);
    if bearer.is_none() && cookie.is_none() {
        return Ok(auth::Caller::public(now));
    }
    let db = Arc::clone(&s.db);
    public::blocking(move || {
        let store = Pool::get(&db)?;
        if let Some(h) = bearer {
            let user = store.token_user(&h, now)?.ok_or_else(|| {
                ServerError::Unauthorized("unknown, expired or revoked API token".into())
            })?;
            return Ok(auth::Caller {
                user: Some(user),
                session: None,
                now,
            });
        }
        let Some(h) = cookie else {
            return Ok(auth::Caller::public(now));
        };
        Ok(match store.session(&h)? {
            Some(sess) if sess.expires > now => auth::Caller {
                user: Some(sess.user),
                session: Some((h, sess.csrf)),
                now,
            },
            _ => auth::Caller::public(now),
        })
    })
    .await
}

/// The route's guard: resolves the caller, checks the role against the route's, and for a
/// write made with a session cookie checks the CSRF token (the `X-CSRF-Token` header, or a
/// form's `csrf` field).
async fn guard(
    State(s): State<AppState>,
    route: &'static Route,
    req: Request,
    next: Next,
) -> Response {
    match guarded(&s, route, req).await {
        Ok(req) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

async fn guarded(s: &AppState, route: &Route, mut req: Request) -> Result<Request, ServerError> {
    let addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if route.roles.is_empty() && route.method != routes::Method::Get {
        // The logins: a cross-site page must not log a browser in (login CSRF).
        same_origin(req.headers())?;
    }
    // The service's clock, read once: the request's time, for its checks and its acts.
    let who = caller(s, req.headers(), auth::now()).await?;
    if !route.roles.is_empty() {
        let role = who.staff()?.role;
        if !route.roles.contains(&role) {
            let allowed: Vec<&str> = route.roles.iter().map(|r| r.key()).collect();
            return Err(ServerError::Forbidden(format!(
                "a {} may not do this; it is for: {}",
                role.key(),
                allowed.join(", ")
            )));
        }
        if req.method() != HttpMethod::GET {
            if let Some((_, csrf)) = &who.session {
                req = check_csrf(req, csrf).await?;
            }
        }
    }
    req.extensions_mut().insert(ClientAddr(addr));
    req.extensions_mut().insert(who);
    Ok(req)
}

async fn check_csrf(req: Request, csrf: &str) -> Result<Request, ServerError> {
    let header = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let Some(h) = header {
        return if h == csrf {
            Ok(req)
        } else {
            Err(ServerError::Forbidden("wrong CSRF token".into()))
        };
    }
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let multipart = ct.starts_with("multipart/form-data");
    if !multipart && !ct.starts_with("application/x-www-form-urlencoded") {
        return Err(ServerError::Forbidden(
            "a write with a session needs its CSRF token (the X-CSRF-Token header)".into(),
        ));
    }
    // A form carrying a file may be as large as a scan; its limits by field are checked
    // here, so that a form over them is refused before anything else (413).
    let limit = if multipart {
        form::MULTIPART_LIMIT
    } else {
        BODY_LIMIT
    };
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
        if timed_out(&e) {
            ServerError::BadRequest(e.to_string())
        } else {
            ServerError::TooLarge(format!("a form may have at most {limit} bytes"))
        }
    })?;
    let token = if multipart {
        form::multipart(&ct, bytes.clone())
            .await?
            .fields
            .remove("csrf")
    } else {
        form_urlencoded_field(&bytes, "csrf")
    };
    if token.as_deref() != Some(csrf) {
        return Err(ServerError::Forbidden(
            "the form's CSRF token is missing or wrong: reload the page".into(),
        ));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Refuses a request that a browser sent from another site: its `Origin` (or, without one,
/// its `Referer`) names another host than the request's `Host`, or `Sec-Fetch-Site` says
/// `cross-site`. A request without these headers (a script, `curl`) is not a browser's
/// cross-site request and passes. Behind a reverse proxy, `X-Forwarded-Host` counts as the host.
fn same_origin(headers: &axum::http::HeaderMap) -> Result<(), ServerError> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let refused = || {
        ServerError::Forbidden(
            "a cross-site request may not log in: log in from this site's own login page".into(),
        )
    };
    if text("sec-fetch-site") == Some("cross-site") {
        return Err(refused());
    }
    let from = match text("origin") {
        Some(o) => Some(o),
        None => text("referer"),
    };
    let Some(from) = from else {
        return Ok(());
    };
    // The host (and port) of `scheme://host[:port][/path]`; "null" (a sandboxed or privacy-
    // sensitive context) has none and is refused.
    let host = from
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""));
    let ours = [text("x-forwarded-host"), text("host")];
    match host {
        Some(h) if ours.iter().flatten().any(|o| o.eq_ignore_ascii_case(h)) => Ok(()),
        _ => Err(refused()),
    }
}

/// Whether reading a body failed because it was not sent in time ([`Timeouts::body`]).
fn timed_out(e: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        {
            return true;
        }
        cause = c.source();
    }
    false
}

/// A field of an `application/x-www-form-urlencoded` body.
fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Serves the router on `listener` until the process ends, with the default [`Timeouts`]:
/// over HTTPS with `tls`, else plain HTTP.
pub async fn serve(
    listener: tokio::net::TcpListener,
    db: &str,
    signing: Signing,
    tls: Option<Tls>,
    extras: Extras,
) -> std::io::Result<()> {
    serve_with(listener, db, signing, Timeouts::default(), tls, extras).await
}

/// [`serve`] with the given read timeouts.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    db: &str,
    signing: Signing,
    timeouts: Timeouts,
    tls: Option<Tls>,
    extras: Extras,
) -> std::io::Result<()> {
    // Connecting (PostgreSQL's client runs its own runtime) blocks: not on this one's threads.
    let db = db.to_string();
    let app = tokio::task::spawn_blocking(move || router_with(&db, signing, extras))
        .await
        .map_err(std::io::Error::other)?
        .map_err(std::io::Error::other)?;
    conn::serve(listener, app, timeouts, tls).await;
    Ok(())
}

/// Adds a staff user to the store at `db` at `now` (the command line's `tallyproof users add`,
/// by the console's clock; the log says the console did it).
pub fn add_user(
    db: &str,
    name: &str,
    role: Role,
    password: &str,
    now: record::Time,
) -> Result<store::User, ServerError> {
    add_user_in(db, name, role, password, None, now)
}

/// [`add_user`] with the role applying only in `elections` (every stored election if none).
pub fn add_user_in(
    db: &str,
    name: &str,
    role: Role,
    password: &str,
    elections: Option<&[String]>,
    now: record::Time,
) -> Result<store::User, ServerError> {
    let phc = hash_password(password)?;
    let mut store = store::open(db)?;
    Ok(store.add_user_in(name, role, &phc, &salt(), None, elections, now)?)
}
