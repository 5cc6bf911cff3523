//! What the unit tests share: a store holding a small synthetic election.

/// A SQLite store in `dir` holding the synthetic election `s` (300 stations); its location.
pub(crate) fn synthetic_store(dir: &std::path::Path) -> String {
    let db = dir.join("s.db").display().to_string();
    let p = synth::Params {
        stations: 300,
        parties: 4,
        regions: 2,
        stations_per_district: 10,
        seed: 1,
    };
    let mut ps = Vec::new();
    let (mut e, _) = synth::generate(&p, |_, x| ps.push(x)).expect("generated");
    e.name = "s".into();
    let mut store = store::open(&db).expect("a store");
    let mut tx = store::Store::import(&mut store).expect("an import");
    tx.begin(&e, "synthetic").expect("begun");
    for p in &ps {
        tx.protocol(&e, p).expect("stored");
    }
    tx.commit(&e).expect("committed");
    db
}

/// A signing for the unit tests' services (a fixed, public seed).
pub(crate) fn signing() -> readmodel::Signing {
    let key = translog::note::NoteSigner::from_seed("tests.local", [7; 32]).unwrap();
    readmodel::Signing::new(key, "tests.local", Vec::new())
}

/// The test's clock, as the service reads it for a request.
pub(crate) fn clock() -> record::Time {
    let now = u64::try_from(crate::auth::now()).expect("a clock after 1970");
    record::Time::from_unix(now).expect("a clock after 2000")
}
