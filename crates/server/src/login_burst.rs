//! A burst of parallel wrong logins (issue 13, finding 3): distinct names from distinct client
//! addresses, so that neither the per-name nor the per-address limit holds them and only the
//! cap on concurrent password hashes does. At most one hash per core runs at once; the excess
//! is answered 429 at once. (`bench/login-burst.py` measures a cheap route and the memory
//! during such a burst against the running binary.)

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

use crate::auth::Limiter;

/// A wrong login for `name`, as if from `addr` (the test hook for distinct client addresses:
/// the server reads the client's address from this extension, as `serve` sets it).
fn wrong_login(name: &str, addr: IpAddr) -> Request<Body> {
    let mut req = Request::post("/api/login")
        .header("content-type", "application/json")
        .body(Body::from(format!(
            r#"{{"name":"{name}","password":"not the password"}}"#
        )))
        .expect("a request");
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(addr, 40000)));
    req
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_wrong_logins_hashes_at_most_one_password_per_core() {
    let dir = tempfile::tempdir().expect("a directory");
    let db = crate::testing::synthetic_store(dir.path());
    let limiter = Arc::new(Limiter::default());
    let router = tokio::task::spawn_blocking({
        let limiter = Arc::clone(&limiter);
        move || {
            crate::pool::Pool::new(&db).map(|p| {
                crate::router_over(
                    p,
                    crate::testing::signing(),
                    limiter,
                    crate::Extras::default(),
                )
            })
        }
    })
    .await
    .expect("joined")
    .expect("a router");
    let burst: Vec<_> = (0..200u32)
        .map(|i| {
            let addr = IpAddr::V4(Ipv4Addr::new(10, 0, (i / 256) as u8, (i % 256) as u8));
            let req = wrong_login(&format!("nobody-{i}"), addr);
            let router = router.clone();
            tokio::spawn(async move {
                let start = Instant::now();
                let a = router.oneshot(req).await.expect("an answer");
                (a.status(), start.elapsed())
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in burst {
        answers.push(task.await.expect("joined"));
    }
    let cap = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(limiter.hash_cap(), cap);
    assert!(
        limiter.peak_hashes() <= cap,
        "{} hashes ran at once; the cap is {cap}",
        limiter.peak_hashes()
    );
    let refused: Vec<Duration> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .map(|(_, t)| *t)
        .collect();
    let hashed = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(refused.len() + hashed, answers.len(), "{answers:?}");
    assert!(hashed >= 1 && refused.len() >= 100, "{hashed} hashed");
    // Refused without waiting for a hash: 200 hashes on this machine's cores would take
    // seconds, each refusal takes no hash at all.
    let slowest = refused.iter().max().copied().unwrap_or_default();
    assert!(slowest < Duration::from_secs(1), "a 429 took {slowest:?}");
    // Once the burst is over, the hash slots are free again: a login is checked (401, not 429).
    let ok = router
        .clone()
        .oneshot(wrong_login("nobody-0", IpAddr::V4(Ipv4Addr::LOCALHOST)))
        .await
        .expect("an answer");
    assert_eq!(ok.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_wrong_logins_for_one_name_are_checked_at_most_its_limit() {
    // Reserved before hashing: however many arrive together, from however many addresses,
    // no more than the per-name limit of them are checked at all.
    let dir = tempfile::tempdir().expect("a directory");
    let db = crate::testing::synthetic_store(dir.path());
    let router = tokio::task::spawn_blocking(move || crate::router(&db, crate::testing::signing()))
        .await
        .expect("joined")
        .expect("a router");
    let mut checked = 0;
    for round in 0..10u8 {
        let burst: Vec<_> = (0..20u8)
            .map(|i| {
                let addr = IpAddr::V4(Ipv4Addr::new(10, 1, round, i));
                let router = router.clone();
                tokio::spawn(async move {
                    router
                        .oneshot(wrong_login("verifier", addr))
                        .await
                        .expect("an answer")
                        .status()
                })
            })
            .collect();
        for task in burst {
            let status = task.await.expect("joined");
            assert!(
                status == StatusCode::UNAUTHORIZED || status == StatusCode::TOO_MANY_REQUESTS,
                "{status}"
            );
            checked += usize::from(status == StatusCode::UNAUTHORIZED);
        }
    }
    assert!(
        checked <= crate::auth::FAILURES_PER_NAME as usize,
        "{checked} wrong passwords were checked"
    );
}
