//! Property: for random generated elections, the tabulated totals at every level equal the
//! generator's own recorded totals, after a trip through tallyproof CSV.

use formats::{import, Collect, Columns, CsvWriter, Format, ImportOptions};
use model::{Line, UnitLevel};
use proptest::prelude::*;
use tabulate::{tabulate, Filter};

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn tabulation_equals_the_generators_totals(
        stations in 1u64..400,
        parties in 1usize..9,
        regions in 1usize..6,
        per_district in 1u64..60,
        seed in any::<u64>(),
    ) {
        prop_assume!(regions as u64 <= stations);
        let params = synth::Params { stations, parties, regions, stations_per_district: per_district, seed };
        let mut writer = None;
        let columns = Columns { lines: Line::ALL.iter().copied().collect(), ..Columns::default() };
        let (e, truth) = synth::generate(&params, |e, p| {
            let w = writer.get_or_insert_with(|| CsvWriter::new(Vec::new(), e, 0, &columns).unwrap());
            w.station(e, p.station, Some(&p)).unwrap();
        }).unwrap();
        let csv = writer.unwrap().finish().unwrap();
        let mut sink = Collect::default();
        let im = import(Format::Csv, "gen.csv", &csv, &ImportOptions::named("g"), &mut sink).unwrap();
        prop_assert!(im.diagnostics.is_empty());
        let e2 = im.election;
        let tally = tabulate(&e2, 0, &sink.0, Filter::default()).unwrap();
        let mut checked = 0;
        for (id, u) in e.units.iter() {
            if u.level == UnitLevel::Station {
                continue;
            }
            let want = truth.0[id.index()].as_ref().unwrap();
            // Unit ids may differ after the trip; find the unit by its path.
            let mut id2 = e2.units.root();
            for name in e.units.path_names(id) {
                id2 = e2.units.child(id2, name).unwrap();
            }
            let got = tally.totals(id2);
            prop_assert_eq!(got.stations, want.stations);
            prop_assert_eq!(got.reporting, want.stations);
            prop_assert_eq!(got.line(Line::Registered), Some(want.registered));
            prop_assert_eq!(got.turnout_issued, want.issued);
            prop_assert_eq!(got.line(Line::Valid), Some(want.valid));
            prop_assert_eq!(got.line(Line::Invalid), Some(want.invalid));
            prop_assert_eq!(&got.votes, &want.votes);
            checked += 1;
        }
        prop_assert_eq!(checked, e.units.len() - stations as usize);
    }
}
