//! Freshness and kept responses: writes made through another connection are seen within
//! `REFRESH` (at once after `written`), and a kept response is computed once per log size.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use model::CountSource::Manual;
use model::UnitLevel::Station;
use readmodel::{Live, REFRESH};

use crate::common::{Failed, Fixture, SMALL};

fn size(live: &Live, x: &Fixture) -> u64 {
    live.with(&x.reader, "x", |v| -> Result<_, Failed> { Ok(v.size()) })
        .unwrap()
}

#[test]
fn another_connections_writes_are_seen_within_refresh() {
    let mut x = Fixture::new(&SMALL, |_| {});
    let live = Live::default();
    let loaded = Instant::now();
    let before = size(&live, &x);
    assert_eq!(before, x.log().len() as u64);
    x.count(x.unit(Station, 1), Manual, 1);
    // Within REFRESH of the last look at the store, the state is served as it was.
    let seen = size(&live, &x);
    if loaded.elapsed() < REFRESH {
        assert_eq!(seen, before);
    }
    std::thread::sleep(REFRESH);
    assert_eq!(size(&live, &x), before + 3);
    // A write the service reports is seen at once.
    x.count(x.unit(Station, 2), Manual, 2);
    live.written(&x.reader, "x").unwrap();
    assert_eq!(size(&live, &x), before + 6);
}

#[test]
fn a_kept_response_is_computed_once_per_log_size() {
    let mut x = Fixture::new(&SMALL, |_| {});
    let live = Live::default();
    let made = AtomicUsize::new(0);
    let compute = |live: &Live, x: &Fixture| {
        live.compute(
            &x.reader,
            "x",
            "size",
            |v| -> Result<_, Failed> { Ok(v.size()) },
            |size| {
                made.fetch_add(1, Ordering::Relaxed);
                Ok(size.to_string().into_bytes())
            },
            false,
        )
        .unwrap()
    };
    let size = x.log().len() as u64;
    let answer = |n: u64| (n, bytes::Bytes::from(n.to_string()));
    assert_eq!(live.fresh("x", "size"), None);
    for _ in 0..3 {
        assert_eq!(compute(&live, &x), answer(size));
    }
    assert_eq!(made.load(Ordering::Relaxed), 1);
    assert_eq!(live.fresh("x", "size"), Some(answer(size)));
    // The log grows: the next read computes it again, once.
    x.count(x.unit(Station, 0), Manual, 3);
    live.written(&x.reader, "x").unwrap();
    assert_eq!(live.fresh("x", "size"), None);
    for _ in 0..3 {
        assert_eq!(compute(&live, &x), answer(size + 3));
    }
    assert_eq!(made.load(Ordering::Relaxed), 2);
    assert_eq!(live.fresh("x", "size"), Some(answer(size + 3)));
}
