//! Who is calling, and may they: passwords hashed with Argon2id (RFC 9106), session cookies
//! with a CSRF token per session (OWASP's synchronizer-token pattern), API bearer tokens,
//! and a limit on failed logins.
//!
//! Secrets are stored only as hashes. A session or API token is 32 random bytes (hex), so it
//! cannot be guessed and a plain SHA-256 of it is enough to store and look it up: checking
//! one costs a hash and an index lookup, not a password hash.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use rand::RngCore;
use record::{Role, Time};
use store::User;

use crate::ServerError;

/// The session cookie's name.
pub const COOKIE: &str = "tallyproof_session";

/// How long a session lasts.
pub const SESSION_SECONDS: i64 = 12 * 3600;

/// How long an API token lasts unless its request says otherwise, in days.
pub const TOKEN_DAYS: i64 = 30;
/// The longest an API token may last, in days.
pub const TOKEN_MAX_DAYS: i64 = 365;

/// Failed logins allowed per user name, and per client address, in [`WINDOW`].
pub const FAILURES_PER_NAME: u32 = 5;
/// Failed logins allowed per client address in [`WINDOW`].
pub const FAILURES_PER_ADDRESS: u32 = 20;
/// The window of the login limits.
pub const WINDOW: Duration = Duration::from_secs(60);

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The staff user, or none for the public.
    pub user: Option<User>,
    /// For a session: the session token's hash and its CSRF token.
    pub session: Option<(String, String)>,
    /// When the request came, by the service's clock (Unix seconds, read once per request):
    /// the time of the staff entries its acts log.
    pub now: i64,
}

/// A staff user acting, and when: the time their acts' staff entries carry.
#[derive(Debug, Clone)]
pub struct Acting {
    /// Who.
    pub user: User,
    /// When the request came.
    pub now: Time,
}

impl Caller {
    /// The public, calling at `now`: no login.
    pub fn public(now: i64) -> Caller {
        Caller {
            user: None,
            session: None,
            now,
        }
    }

    /// The user acting at the request's time, or 401; a clock that reads no time a log takes
    /// (before 2000: never set) is the service's fault, not the caller's.
    pub fn acting(&self) -> Result<Acting, ServerError> {
        let user = self.staff()?.clone();
        let now = u64::try_from(self.now)
            .map_err(|_| ())
            .and_then(|t| Time::from_unix(t).map_err(|_| ()))
            .map_err(|()| {
                ServerError::Internal(format!(
                    "the service's clock reads {} (Unix seconds): set it before taking acts",
                    self.now
                ))
            })?;
        Ok(Acting { user, now })
    }

    /// The role, if any.
    pub fn role(&self) -> Option<Role> {
        self.user.as_ref().map(|u| u.role)
    }

    /// The user, or 401.
    pub fn staff(&self) -> Result<&User, ServerError> {
        self.user
            .as_ref()
            .ok_or_else(|| ServerError::Unauthorized("log in first".into()))
    }
}

/// 32 random bytes from the operating system, as hex.
pub fn secret() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// How many characters each half of a one-time password has (about 59 bits each).
pub const HALF: usize = 12;

/// One half of a one-time password: 12 letters and digits that cannot be mistaken for one
/// another, drawn from the operating system's generator, in groups of four (`abcd-efgh-jkmn`).
/// The admin who adds or resets an account hands out the first, the admin who approves it
/// the second; the user types both ([`opens`]).
pub fn one_time_half() -> String {
    const ALPHABET: &[u8; 31] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut chars = Vec::with_capacity(HALF);
    while chars.len() < HALF {
        let mut b = [0u8; 1];
        rand::rngs::OsRng.fill_bytes(&mut b);
        // Bytes from 248 on would favour the first letters: drawn again.
        if b[0] < 248 {
            chars.push(char::from(ALPHABET[usize::from(b[0] % 31)]));
        }
    }
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A half as typed or shown, as it is hashed: without the spaces and dashes between its
/// groups, in lower case.
pub fn half_as_hashed(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether `typed` opens what a login is checked against: the password itself; for a
/// one-time password given in two halves, the first half then the second (spaces, dashes and
/// letter case aside). Both halves are checked whatever the first gives.
pub fn opens(stored: &store::Stored, typed: &str) -> bool {
    let Some(second) = &stored.second else {
        return password_matches(&stored.phc, typed);
    };
    let both = half_as_hashed(typed);
    let (a, b) = both.split_at(both.len().min(HALF));
    let first = password_matches(&stored.phc, a);
    let second = password_matches(second, b);
    first & second && both.len() == 2 * HALF
}

/// 32 random bytes (a commitment's salt).
pub fn salt() -> [u8; 32] {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

/// The hash under which a session or API token is stored.
pub fn token_hash(token: &str) -> String {
    record::digest(token.as_bytes())
}

/// A password's Argon2id PHC string (the crate's default parameters: 19 MiB, 2 passes).
pub fn hash_password(password: &str) -> Result<String, ServerError> {
    if password.len() < 10 {
        return Err(ServerError::BadRequest(
            "a password needs at least 10 characters".into(),
        ));
    }
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServerError::Internal(format!("cannot hash a password: {e}")))
}

/// Whether `password` matches the PHC string.
pub fn password_matches(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The login limits: attempts per user name and per client address in a window, and the
/// number of password hashes running at once.
///
/// An attempt is reserved before its password is hashed, atomically against both limits, so
/// that a burst of parallel attempts cannot all pass the check before any of them has failed:
/// a reservation counts as a failure until the login succeeds, which gives it back. At most
/// one Argon2 hash per core runs at once; an attempt beyond them is
/// answered 429 at once rather than queued, so a burst costs at most that many hashes' memory
/// and cores.
pub struct Limiter {
    attempts: Mutex<HashMap<String, (u32, Instant)>>,
    hashing: AtomicUsize,
    peak: AtomicUsize,
    cap: usize,
}

impl Default for Limiter {
    fn default() -> Limiter {
        Limiter::with_hash_cap(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

/// A login attempt reserved against the limits: it counts as a failure unless
/// [`Attempt::succeeded`] gives it back.
#[must_use]
pub struct Attempt {
    limiter: Arc<Limiter>,
    /// The keys it was counted under, with the start of their window then.
    keys: Vec<(String, Instant)>,
}

impl Attempt {
    /// The login succeeded: the attempt no longer counts.
    pub fn succeeded(self) {
        if let Ok(mut a) = self.limiter.attempts.lock() {
            for (key, since) in &self.keys {
                if let Some((n, s)) = a.get_mut(key) {
                    if s == since {
                        *n = n.saturating_sub(1);
                    }
                }
            }
        }
    }
}

/// The right to run one password hash; given back when dropped.
pub struct HashSlot {
    limiter: Arc<Limiter>,
}

impl Drop for HashSlot {
    fn drop(&mut self) {
        self.limiter.hashing.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Limiter {
    /// A limiter that lets at most `cap` (at least 1) password hashes run at once.
    pub fn with_hash_cap(cap: usize) -> Limiter {
        Limiter {
            attempts: Mutex::default(),
            hashing: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            cap: cap.max(1),
        }
    }

    /// How many password hashes may run at once.
    #[cfg(test)]
    pub fn hash_cap(&self) -> usize {
        self.cap
    }

    /// The most password hashes that ever ran at once.
    #[cfg(test)]
    pub fn peak_hashes(&self) -> usize {
        self.peak.load(Ordering::Acquire)
    }

    fn keys(name: &str, addr: Option<IpAddr>) -> [(String, u32); 2] {
        [
            (format!("name:{name}"), FAILURES_PER_NAME),
            (
                format!("addr:{}", addr.map_or("-".into(), |a| a.to_string())),
                FAILURES_PER_ADDRESS,
            ),
        ]
    }

    fn too_many() -> ServerError {
        ServerError::TooMany(format!(
            "too many failed logins: wait {} seconds",
            WINDOW.as_secs()
        ))
    }

    /// Reserves an attempt for `name` from `addr`, or refuses (429) while either limit is
    /// reached (failures and attempts in flight both count).
    pub fn reserve(
        self: &Arc<Self>,
        name: &str,
        addr: Option<IpAddr>,
    ) -> Result<Attempt, ServerError> {
        let now = Instant::now();
        let mut a = self
            .attempts
            .lock()
            .map_err(|e| ServerError::Internal(e.to_string()))?;
        a.retain(|_, (_, since)| now.duration_since(*since) < WINDOW);
        let keys = Limiter::keys(name, addr);
        if keys
            .iter()
            .any(|(key, limit)| a.get(key).is_some_and(|(n, _)| n >= limit))
        {
            return Err(Limiter::too_many());
        }
        let keys = keys
            .into_iter()
            .map(|(key, _)| {
                let e = a.entry(key.clone()).or_insert((0, now));
                e.0 += 1;
                (key, e.1)
            })
            .collect();
        Ok(Attempt {
            limiter: Arc::clone(self),
            keys,
        })
    }

    /// A slot to hash a password in, or 429 at once when every slot is taken.
    pub fn hash_slot(self: &Arc<Self>) -> Result<HashSlot, ServerError> {
        let taken = self
            .hashing
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.cap).then_some(n + 1)
            })
            .map_err(|_| {
                ServerError::TooMany("too many logins at once: try again in a moment".into())
            })?;
        self.peak.fetch_max(taken + 1, Ordering::AcqRel);
        Ok(HashSlot {
            limiter: Arc::clone(self),
        })
    }
}

/// The session token among a request's cookies.
pub fn session_cookie(jar: &CookieJar) -> Option<&str> {
    jar.get(COOKIE).map(Cookie::value)
}

/// The session cookie: not readable by scripts, sent only to this site (`SameSite=Strict`,
/// a second defence against cross-site requests). `Secure` is added at the edge when the
/// request came over HTTPS ([`crate::headers`]).
fn session(token: &str) -> Cookie<'static> {
    Cookie::build((COOKIE, token.to_string()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(cookie::time::Duration::seconds(SESSION_SECONDS))
        .build()
}

/// The `Set-Cookie` that starts a session.
pub fn set_cookie(token: &str) -> CookieJar {
    CookieJar::new().add(session(token))
}

/// The `Set-Cookie` that ends a session: the same cookie, empty and already expired.
pub fn clear_cookie() -> CookieJar {
    let mut c = session("");
    c.make_removal();
    CookieJar::new().add(c)
}

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_check() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(password_matches(&h, "correct horse battery"));
        assert!(!password_matches(&h, "correct horse battery!"));
        assert!(!password_matches("not a hash", "x"));
        assert!(hash_password("short").is_err());
    }

    /// A one-time password in two halves opens only with both, the first then the second, as
    /// shown or without the dashes, in either case.
    #[test]
    fn a_one_time_password_opens_with_both_halves_only() {
        let (a, b) = (one_time_half(), one_time_half());
        assert_eq!((a.len(), a.matches('-').count()), (14, 2), "{a}");
        let hash = |h: &str| hash_password(&half_as_hashed(h)).unwrap();
        let stored = store::Stored {
            phc: hash(&a),
            second: Some(hash(&b)),
        };
        for typed in [
            format!("{a}-{b}"),
            format!("{a} {b}"),
            format!("{a}{b}").replace('-', "").to_uppercase(),
        ] {
            assert!(opens(&stored, &typed), "{typed}");
        }
        for typed in [
            a.clone(),
            b.clone(),
            format!("{b}-{a}"),
            format!("{a}-{b}x"),
        ] {
            assert!(!opens(&stored, &typed), "{typed}");
        }
    }

    #[test]
    fn the_limiter_counts_per_name_and_address() {
        let l = Arc::new(Limiter::default());
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..FAILURES_PER_NAME {
            drop(l.reserve("x", Some(a)).unwrap());
        }
        assert!(matches!(
            l.reserve("x", Some(a)),
            Err(ServerError::TooMany(_))
        ));
        drop(l.reserve("y", Some(a)).unwrap());
    }

    #[test]
    fn attempts_in_flight_count_and_a_success_gives_its_back() {
        let l = Arc::new(Limiter::default());
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        // Reserved together, before any has failed: the sixth is refused.
        let held: Vec<Attempt> = (0..FAILURES_PER_NAME)
            .map(|_| l.reserve("x", Some(a)).unwrap())
            .collect();
        assert!(matches!(
            l.reserve("x", Some(a)),
            Err(ServerError::TooMany(_))
        ));
        // Successes give their reservations back; failures keep them.
        let mut held = held.into_iter();
        held.next().unwrap().succeeded();
        held.next().unwrap().succeeded();
        drop(held);
        l.reserve("x", Some(a)).unwrap().succeeded();
        drop(l.reserve("x", Some(a)).unwrap());
        drop(l.reserve("x", Some(a)).unwrap());
        assert!(l.reserve("x", Some(a)).is_err());
        // Per address: distinct names from one address stop at its limit.
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        for i in 0..FAILURES_PER_ADDRESS {
            drop(l.reserve(&format!("n{i}"), Some(b)).unwrap());
        }
        assert!(l.reserve("another", Some(b)).is_err());
    }

    #[test]
    fn hash_slots_are_capped() {
        let l = Arc::new(Limiter::with_hash_cap(2));
        let one = l.hash_slot().unwrap();
        let two = l.hash_slot().unwrap();
        assert!(matches!(l.hash_slot(), Err(ServerError::TooMany(_))));
        drop(one);
        let three = l.hash_slot().unwrap();
        drop((two, three));
        assert_eq!(l.peak_hashes(), 2);
        assert!(Limiter::default().hash_cap() >= 1);
    }

    fn jar(cookies: &[&'static str]) -> CookieJar {
        let mut h = axum::http::HeaderMap::new();
        for c in cookies {
            h.append(axum::http::header::COOKIE, c.parse().unwrap());
        }
        CookieJar::from_headers(&h)
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        assert_eq!(
            session_cookie(&jar(&["a=b; tallyproof_session=abc; c=d"])),
            Some("abc")
        );
        assert_eq!(session_cookie(&jar(&["a=b"])), None);
        // In a second `Cookie` header (as HTTP/2 clients may send them).
        assert_eq!(
            session_cookie(&jar(&["a=b", "tallyproof_session=abc"])),
            Some("abc")
        );
    }

    #[test]
    fn the_session_cookie_is_http_only_strict_and_site_wide() {
        let set = |j: CookieJar| {
            let res = axum::response::IntoResponse::into_response((j, ()));
            let all: Vec<String> = res
                .headers()
                .get_all(axum::http::header::SET_COOKIE)
                .iter()
                .map(|v| v.to_str().unwrap().to_string())
                .collect();
            all
        };
        assert_eq!(
            set(set_cookie("abc")),
            ["tallyproof_session=abc; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200"]
        );
        let cleared = set(clear_cookie());
        assert_eq!(cleared.len(), 1);
        assert!(
            cleared[0].starts_with(
                "tallyproof_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Expires="
            ),
            "{cleared:?}"
        );
    }
}
