//! An SMS gateway's requests, authenticated: each gateway signs a request with its own secret
//! (HMAC-SHA256 of `tallyproof-sms-v2`, its name, the time, the request's path and the body,
//! each on its own line; `docs/sms.md`), the service takes a signature only within [`WINDOW`]
//! seconds of its time, and [`Seen`] refuses a message received before, so that a request
//! caught on the way can be neither changed, nor sent to another election or quick count,
//! nor sent again.

use std::collections::{BTreeMap, VecDeque};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::ObserveError;

/// Seconds between a request's time and now that are taken either way.
pub const WINDOW: u64 = 300;

/// The shortest secret, in bytes.
pub const MIN_SECRET: usize = 32;

/// What a signature is computed over, before the rest.
const DOMAIN: &str = "tallyproof-sms-v2";

/// A gateway's name and secret.
#[derive(Clone)]
pub struct Gateway {
    name: String,
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Gateway({}, secret withheld)", self.name)
    }
}

impl Gateway {
    /// A gateway `name` (letters, digits, `-`, `_`, `.`; at most 64) with `secret` (at least
    /// [`MIN_SECRET`] bytes).
    pub fn new(name: &str, secret: &[u8]) -> Result<Gateway, ObserveError> {
        let name_ok = (1..=64).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if !name_ok {
            return Err(ObserveError::invalid(
                "gateway",
                format!("'{name}': 1 to 64 letters, digits, '-', '_' or '.'"),
            ));
        }
        if secret.len() < MIN_SECRET {
            return Err(ObserveError::invalid(
                "gateway",
                format!("{name}: a secret of at least {MIN_SECRET} bytes"),
            ));
        }
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
            .map_err(|e| ObserveError::invalid("gateway", e.to_string()))?;
        Ok(Gateway {
            name: name.to_string(),
            mac,
        })
    }

    /// The gateway's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn mac_of(&self, time: u64, path: &str, body: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.mac.clone();
        mac.update(format!("{DOMAIN}\n{}\n{time}\n{path}\n", self.name).as_bytes());
        mac.update(body);
        mac
    }

    /// The signature of a request to `path` (as sent, percent-encoded) with `body` at
    /// `time` (Unix seconds), in lower-case hex: what the gateway sends (and what the tests
    /// and `bench/` send as one).
    pub fn sign(&self, time: u64, path: &str, body: &[u8]) -> String {
        hex::encode(self.mac_of(time, path, body).finalize().into_bytes())
    }

    /// Whether `signature` (hex) is this gateway's for a request to `path` with `body` at
    /// `time`, and `time` within [`WINDOW`] of `now`. The signature is compared in constant
    /// time.
    pub fn check(
        &self,
        time: u64,
        path: &str,
        body: &[u8],
        signature: &str,
        now: u64,
    ) -> Result<(), ObserveError> {
        let given = hex::decode(signature.trim()).map_err(|_| ObserveError::BadSignature)?;
        self.mac_of(time, path, body)
            .verify_slice(&given)
            .map_err(|_| ObserveError::BadSignature)?;
        if time.abs_diff(now) > WINDOW {
            return Err(ObserveError::Stale {
                time,
                now,
                window: WINDOW,
            });
        }
        Ok(())
    }
}

/// The messages received in the last 2 × [`WINDOW`] seconds, by gateway and the gateway's
/// message id: a request older than that is refused as stale anyway. The ids are kept in
/// memory from `since` (the service's start): a request signed before then may have been
/// taken by the service before it restarted, so it is refused too, and its gateway signs it
/// again (a replay cannot).
#[derive(Debug, Clone, Default)]
pub struct Seen {
    since: u64,
    ids: BTreeMap<(String, String), u64>,
    order: VecDeque<(u64, (String, String))>,
}

impl Seen {
    /// The ids taken from `since` (Unix seconds) on.
    pub fn since(since: u64) -> Seen {
        Seen {
            since,
            ..Seen::default()
        }
    }

    /// Takes message `id` of `gateway`, signed at `signed` and received at `now`, unless it
    /// was received before, or signed before the ids were kept.
    pub fn take(
        &mut self,
        gateway: &str,
        id: &str,
        signed: u64,
        now: u64,
    ) -> Result<(), ObserveError> {
        if signed < self.since {
            return Err(ObserveError::BeforeStart {
                time: signed,
                start: self.since,
            });
        }
        while let Some((at, _)) = self.order.front() {
            if now.saturating_sub(*at) <= 2 * WINDOW {
                break;
            }
            let (_, key) = self.order.pop_front().expect("front");
            self.ids.remove(&key);
        }
        let key = (gateway.to_string(), id.to_string());
        if self.ids.contains_key(&key) {
            return Err(ObserveError::Replayed { id: id.to_string() });
        }
        self.ids.insert(key.clone(), now);
        self.order.push_back((now, key));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_signature_is_checked_over_the_name_the_time_the_path_and_the_body() {
        let g = Gateway::new("beeline-kg", SECRET).unwrap();
        let path = "/api/elections/kg/pvt/pvt/sms/beeline-kg";
        let body = br#"{"id":"m1","from":"+996555000111","text":"PVT 12 A1"}"#;
        let sig = g.sign(1_000_000, path, body);
        assert_eq!(g.check(1_000_000, path, body, &sig, 1_000_100), Ok(()));
        assert_eq!(
            g.check(1_000_000, path, body, &sig.to_uppercase(), 1_000_000),
            Ok(())
        );
        // Another body, time, path, gateway or secret: refused.
        let mut changed = body.to_vec();
        changed[40] ^= 1;
        assert_eq!(
            g.check(1_000_000, path, &changed, &sig, 1_000_000),
            Err(ObserveError::BadSignature)
        );
        assert_eq!(
            g.check(1_000_001, path, body, &sig, 1_000_000),
            Err(ObserveError::BadSignature)
        );
        let elsewhere = "/api/elections/kg2/pvt/pvt/sms/beeline-kg";
        assert_eq!(
            g.check(1_000_000, elsewhere, body, &sig, 1_000_000),
            Err(ObserveError::BadSignature)
        );
        let other = Gateway::new("megacom", SECRET).unwrap();
        assert_eq!(
            other.check(1_000_000, path, body, &sig, 1_000_000),
            Err(ObserveError::BadSignature)
        );
        for bad in ["", "zz", &sig[..10]] {
            assert_eq!(
                g.check(1_000_000, path, body, bad, 1_000_000),
                Err(ObserveError::BadSignature)
            );
        }
        // Signed too long ago, or ahead.
        assert!(matches!(
            g.check(1_000_000, path, body, &sig, 1_000_000 + WINDOW + 1),
            Err(ObserveError::Stale { .. })
        ));
        assert!(matches!(
            g.check(1_000_000, path, body, &sig, 1_000_000 - WINDOW - 1),
            Err(ObserveError::Stale { .. })
        ));
    }

    #[test]
    fn a_gateway_needs_a_name_and_a_long_secret() {
        assert!(Gateway::new("ok", &SECRET[..31]).is_err());
        assert!(Gateway::new("", SECRET).is_err());
        assert!(Gateway::new("a b", SECRET).is_err());
        assert!(!format!("{:?}", Gateway::new("ok", SECRET).unwrap()).contains("0123"));
    }

    #[test]
    fn a_message_received_again_is_refused_until_it_would_be_stale() {
        let mut seen = Seen::since(90);
        assert_eq!(seen.take("g", "m1", 95, 100), Ok(()));
        assert_eq!(seen.take("h", "m1", 95, 101), Ok(()));
        assert_eq!(
            seen.take("g", "m1", 95, 100 + 2 * WINDOW),
            Err(ObserveError::Replayed { id: "m1".into() })
        );
        assert_eq!(seen.take("g", "m1", 101 + WINDOW, 101 + 2 * WINDOW), Ok(()));
    }

    #[test]
    fn a_message_signed_before_the_ids_were_kept_is_refused() {
        // The service restarted at 1,000: a request signed at 990 may be one it took before
        // and forgot; its gateway signs it again.
        let mut seen = Seen::since(1_000);
        assert_eq!(
            seen.take("g", "m1", 990, 1_001),
            Err(ObserveError::BeforeStart {
                time: 990,
                start: 1_000
            })
        );
        assert_eq!(seen.take("g", "m1", 1_001, 1_002), Ok(()));
    }
}
