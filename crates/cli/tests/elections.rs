//! An election's law, date and title (issue 16, item 4): given at import and checked at once,
//! the kg2020 format's defaults, the listing, and the Russian 2011 Duma election, which names
//! no law: its seats say so instead of failing.

use serde_json::Value;

use crate::serve::{get, serve};
use crate::{run, stderr, stdout, workspace};

const KG: &str = "data/kg2020/stations_by_region_2413.csv";
const KG_TITLE: &str = "Выборы депутатов Жогорку Кенеша Кыргызской Республики";

#[test]
fn an_import_takes_a_law_and_a_date_checked_at_once() {
    let csv = workspace("crates/formats/test_data/accepted/csv_bom.csv");
    let (kg, csv) = (
        workspace(KG).display().to_string(),
        csv.display().to_string(),
    );
    // Each import's arguments and its exit code with what it prints (the summary's end, or
    // the error on standard error).
    let presets = "expected one of: kg2010, kg2015, kg2020, kg2021";
    let cases: Vec<(Vec<&str>, i32, String)> = vec![
        (vec![&kg], 0, "; law kg2020, date 2020-10-04".into()),
        (
            vec![&kg, "--law", "kg2015", "--date", "2020-10-05"],
            0,
            "; law kg2015, date 2020-10-05".into(),
        ),
        (vec![&csv], 0, "; law none, date unknown".into()),
        (
            vec![&csv, "--law", "kg2021", "--date", "2021-11-28"],
            0,
            "; law kg2021, date 2021-11-28".into(),
        ),
        (
            vec![&kg, "--law", "kg1999"],
            2,
            format!("invalid value 'kg1999' for '--law <LAW>': unknown law preset 'kg1999', {presets}"),
        ),
        (
            vec![&kg, "--date", "2020-02-30"],
            2,
            "invalid value '2020-02-30' for '--date <DATE>': '2020-02-30' is not a date: February 2020 has 29 days".into(),
        ),
        (
            vec![&kg, "--date", "2021-02-29"],
            2,
            "'2021-02-29' is not a date: February 2021 has 28 days".into(),
        ),
        (
            vec![&kg, "--date", "04.10.2020"],
            2,
            "'04.10.2020' is not a date: write it YYYY-MM-DD, e.g. 2020-10-04".into(),
        ),
    ];
    for (i, (args, code, says)) in cases.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let name = format!("e{i}");
        let mut all = vec!["import", "--db", "s.db", "--name", &name];
        all.extend(args);
        let o = run(dir.path(), &all);
        assert_eq!(o.status.code(), Some(*code), "{args:?}: {}", stderr(&o));
        let said = if *code == 0 { stdout(&o) } else { stderr(&o) };
        assert!(said.contains(says.as_str()), "{args:?}: {said}");
        if *code != 0 {
            let o = run(dir.path(), &["elections", "--db", "s.db"]);
            assert!(stdout(&o).starts_with("no elections"), "{args:?}");
        }
    }
}

#[test]
fn the_listing_says_each_election_s_status_date_law_and_title() {
    let dir = tempfile::tempdir().unwrap();
    let kg = workspace(KG).display().to_string();
    let o = run(dir.path(), &["import", &kg, "--db", "s.db", "--name", "kg"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let listed = |dir: &std::path::Path| stdout(&run(dir, &["elections", "--db", "s.db"]));
    let source = format!("from {kg} (kg2020)");
    assert_eq!(
        listed(dir.path()),
        format!("kg\t2413 stations\t2413 protocol versions\t{source}\topen\tdate 2020-10-04\tlaw kg2020\t{KG_TITLE}\n")
    );
    let o = run(
        dir.path(),
        &[
            "decide",
            "--db",
            "s.db",
            "--election",
            "kg",
            "--annul-election",
            "--reason",
            "protests",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(listed(dir.path()).contains(&format!("{source}\tannulled\tdate 2020-10-04")));
}

#[test]
fn the_russian_2011_duma_election_has_its_title_and_says_it_has_no_law() {
    let dir = tempfile::tempdir().unwrap();
    let ru = workspace("test_data/ru/2011.csv.zip").display().to_string();
    let o = run(
        dir.path(),
        &[
            "import",
            &ru,
            "--format",
            "ru",
            "--db",
            "s.db",
            "--date",
            "2011-12-04",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).ends_with("; law none, date 2011-12-04\n"),
        "{}",
        stdout(&o)
    );
    let title = "Выборы депутатов Государственной Думы Федерального Собрания Российской Федерации";
    let o = run(dir.path(), &["elections", "--db", "s.db"]);
    assert!(
        stdout(&o).ends_with(&format!("\topen\tdate 2011-12-04\tlaw none\t{title}\n")),
        "{}",
        stdout(&o)
    );
    let server = serve(dir.path(), &[]);
    let a = &server.addr;
    // Without a law, the seats are none and the answer says why: 200, not the Kyrgyz
    // default's "cap 65 is below the seats needed".
    let (status, body) = get(a, "/api/elections/2011/seats");
    assert_eq!(status, 200, "{body}");
    let seats: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (&seats["law"], &seats["seats"]),
        (&Value::Null, &Value::Null)
    );
    assert!(
        seats["why"]
            .as_str()
            .unwrap()
            .starts_with("election '2011' names no law preset"),
        "{seats}"
    );
    let (status, page) = get(a, "/elections/2011/seats");
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("No law is recorded for this election"),
        "{page}"
    );
    let (status, body) = get(a, "/api/elections");
    assert_eq!(status, 200, "{body}");
    let list: Value = serde_json::from_str(&body).unwrap();
    let e = &list[0];
    assert_eq!(
        (&e["title"], &e["date"], &e["law"], &e["status"]["key"]),
        (
            &Value::from(title),
            &Value::from("2011-12-04"),
            &Value::Null,
            &Value::from("open")
        )
    );
    assert_eq!(e["stations"], 95_225);
}
