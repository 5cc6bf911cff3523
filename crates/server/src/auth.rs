//! Who is calling, and may they: passwords hashed with Argon2id (RFC 9106), session cookies
//! with a CSRF token per session (OWASP's synchronizer-token pattern), API bearer tokens,
//! and a limit on failed logins.
//!
//! Secrets are stored only as hashes. A session or API token is 32 random bytes (hex), so it
//! cannot be guessed and a plain SHA-256 of it is enough to store and look it up: checking
//! one costs a hash and an index lookup, not a password hash.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use record::Role;
use store::User;

use crate::ServerError;

/// The session cookie's name.
pub const COOKIE: &str = "tallyproof_session";

/// How long a session lasts.
pub const SESSION_SECONDS: i64 = 12 * 3600;

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
}

impl Caller {
    /// The public: no login.
    pub fn public() -> Caller {
        Caller {
            user: None,
            session: None,
        }
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
    b.iter().map(|x| format!("{x:02x}")).collect()
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

/// Counts failed logins per user name and per client address in a sliding window.
#[derive(Default)]
pub struct Limiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Limiter {
    fn keys(name: &str, addr: Option<IpAddr>) -> [(String, u32); 2] {
        [
            (format!("name:{name}"), FAILURES_PER_NAME),
            (
                format!("addr:{}", addr.map_or("-".into(), |a| a.to_string())),
                FAILURES_PER_ADDRESS,
            ),
        ]
    }

    /// Refuses (429) while a limit is reached.
    pub fn check(&self, name: &str, addr: Option<IpAddr>) -> Result<(), ServerError> {
        let now = Instant::now();
        let mut f = self
            .failures
            .lock()
            .map_err(|e| ServerError::Internal(e.to_string()))?;
        f.retain(|_, (_, since)| now.duration_since(*since) < WINDOW);
        for (key, limit) in Limiter::keys(name, addr) {
            if f.get(&key).is_some_and(|(n, _)| *n >= limit) {
                return Err(ServerError::TooMany(format!(
                    "too many failed logins: wait {} seconds",
                    WINDOW.as_secs()
                )));
            }
        }
        Ok(())
    }

    /// Records a failed login.
    pub fn failed(&self, name: &str, addr: Option<IpAddr>) {
        if let Ok(mut f) = self.failures.lock() {
            let now = Instant::now();
            for (key, _) in Limiter::keys(name, addr) {
                let e = f.entry(key).or_insert((0, now));
                e.0 += 1;
            }
        }
    }
}

/// The session token in a `Cookie` header.
pub fn session_cookie(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v)
}

/// The `Set-Cookie` value that starts a session: not readable by scripts, sent only to this
/// site (`SameSite=Strict`, a second defence against cross-site requests).
pub fn set_cookie(token: &str) -> String {
    format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={SESSION_SECONDS}")
}

/// The `Set-Cookie` value that ends a session.
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
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

    #[test]
    fn the_limiter_counts_per_name_and_address() {
        let l = Limiter::default();
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..FAILURES_PER_NAME {
            l.check("x", Some(a)).unwrap();
            l.failed("x", Some(a));
        }
        assert!(matches!(
            l.check("x", Some(a)),
            Err(ServerError::TooMany(_))
        ));
        l.check("y", Some(a)).unwrap();
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        assert_eq!(
            session_cookie("a=b; tallyproof_session=abc; c=d"),
            Some("abc")
        );
        assert_eq!(session_cookie("a=b"), None);
    }
}
