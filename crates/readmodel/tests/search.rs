//! The unit search of the read model (`Live::search`): a protocol's reference typed whole
//! finds its stations, and the search follows the log: a correction's new reference and
//! counts show at once, the old reference no longer finds the station.

use model::search::UnitQuery;
use model::{CountSource, UnitId, UnitLevel};
use readmodel::{Counts, Live};

use crate::common::{Fixture, SMALL};

/// Where two stations' protocols were published (one page for both), and a third's scan.
const PAGE: &str = "https://example.org/tik/1?vibid=7";
const SCAN: &str = "5f2b9d0c3a1e";

/// The ids `text` finds in election `x`, and the total.
fn find(live: &Live, f: &Fixture, text: &str) -> (usize, Vec<UnitId>) {
    let q = UnitQuery::new(text, None).unwrap();
    let found = live.search(&f.reader, "x", &q, 0, 100).unwrap();
    (found.total, found.units.iter().map(|u| u.id).collect())
}

#[test]
fn a_reference_finds_its_stations_and_follows_corrections() {
    let mut f = Fixture::new(&SMALL, |ps| {
        ps[3].reference = Some(PAGE.into());
        ps[4].reference = Some(PAGE.into());
        ps[5].reference = Some(SCAN.into());
    });
    let station = |n| f.unit(UnitLevel::Station, n);
    let (s3, s4, s5) = (station(3), station(4), station(5));
    let live = Live::default();
    assert_eq!(find(&live, &f, PAGE), (2, vec![s3, s4]));
    assert_eq!(find(&live, &f, &format!("  {SCAN} ")), (1, vec![s5]));
    // Part of a reference is no reference.
    assert_eq!(find(&live, &f, "5f2b9d0c3a1"), (0, vec![]));
    // A correction published elsewhere, with 7 votes for the first choice.
    let mut p = f.latest(s3);
    p.reference = Some("https://example.org/tik/1/corrected".into());
    f.correct(&p);
    f.count(s3, CountSource::Manual, 7);
    // The writes were another writer's: the service marks them (within REFRESH otherwise).
    live.written(&f.reader, "x").unwrap();
    assert_eq!(find(&live, &f, PAGE), (1, vec![s4]));
    let q = UnitQuery::new("https://example.org/tik/1/corrected", None).unwrap();
    let found = live.search(&f.reader, "x", &q, 0, 100).unwrap();
    let latest = f.latest(s3);
    assert_eq!(found.total, 1);
    assert_eq!(found.size, f.log().len() as u64);
    assert_eq!(
        (found.units[0].id, found.units[0].counts),
        (
            s3,
            Some(Counts {
                stations: 1,
                annulled: 0,
                reporting: 1,
                votes: latest.votes.iter().sum(),
            })
        )
    );
    assert_eq!(latest.votes[0], 7);
}
