//! What an import says of the election itself: its title (the first contest's name), date and
//! law, from the format's defaults, the file, or the import's options; and the options it
//! refuses.

use formats::{import, Collect, Format, ImportOptions};

const KG: &[u8] =
    "«А»,«Б»,БААРЫНА КАРШЫ,total,form2_percent,level_one\n10.0,5.0,1.0,16.0,50.0,ОШ Г.\n"
        .as_bytes();
const RU_PARTIES: &[u8] = "region,tik,uik,Число действительных избирательных бюллетеней,1. Партия А,2. Партия Б\nОбласть А,ТИК 1,1,10,6,4\n".as_bytes();
const RU_CANDIDATES: &[u8] = "region,tik,uik,Число действительных избирательных бюллетеней,Иванов Иван,Петров Пётр\nОбласть А,ТИК 1,1,10,6,4\n".as_bytes();
const RU_NAMED: &[u8] = "name,region,tik,uik,Число действительных бюллетеней,ДА,НЕТ\nОбщероссийское голосование по вопросу одобрения изменений в Конституцию Российской Федерации,Область А,ТИК 1,УИК №1,10,6,4\n".as_bytes();
const CSV: &[u8] = b"station,valid,party:A,party:B\n1,10,6,4\n";
const JSON_DATED: &str = r#"{"format": "tallyproof-election/1", "election": {"name": "x", "country": "C", "date": "2024-03-17", "rules": []}, "contests": [{"name": "c", "kind": "party-list", "choices": [{"name": "A", "kind": "party"}]}], "units": [{"id": 1, "parent": 0, "level": "station", "name": "1"}], "protocols": [{"station": 1, "contest": 0, "version": 1, "source": "manual", "lines": {}, "votes": [1]}]}"#;

/// A case: what it shows, the format and the file, the date and law given with the import,
/// and what [`election`] answers.
type Case<'a> = (
    &'a str,
    Format,
    &'a [u8],
    Option<&'a str>,
    Option<&'a str>,
    String,
);

/// An import's (title, date, law), or its error.
fn election(format: Format, bytes: &[u8], date: Option<&str>, law: Option<&str>) -> String {
    let mut options = ImportOptions::named("e");
    (options.date, options.law) = (date.map(str::to_string), law.map(str::to_string));
    match import(format, "f", bytes, &options, &mut Collect::default()) {
        Ok(im) => {
            let e = im.election;
            format!(
                "{} | {} | {}",
                e.contests[0].name,
                e.date.as_deref().unwrap_or("-"),
                e.law.as_deref().unwrap_or("-")
            )
        }
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn each_import_gets_its_title_date_and_law() {
    let kg_title = "Выборы депутатов Жогорку Кенеша Кыргызской Республики";
    let not_leap = JSON_DATED.replace("2024-03-17", "2023-02-29");
    let cases: &[Case] = &[
        (
            "the kg2020 files are of 4 October 2020, under the 2020 law",
            Format::Kg2020,
            KG,
            None,
            None,
            format!("{kg_title} | 2020-10-04 | kg2020"),
        ),
        (
            "what the import gives comes first",
            Format::Kg2020,
            KG,
            Some("2021-11-28"),
            Some("kg2021"),
            format!("{kg_title} | 2021-11-28 | kg2021"),
        ),
        (
            "Russian party lists are the State Duma's",
            Format::Ru,
            RU_PARTIES,
            Some("2011-12-04"),
            None,
            "Выборы депутатов Государственной Думы Федерального Собрания Российской Федерации | 2011-12-04 | -".into(),
        ),
        (
            "Russian candidates are the President's",
            Format::Ru,
            RU_CANDIDATES,
            None,
            None,
            "Выборы Президента Российской Федерации | - | -".into(),
        ),
        (
            "a Russian file's own name",
            Format::Ru,
            RU_NAMED,
            None,
            None,
            "Общероссийское голосование по вопросу одобрения изменений в Конституцию Российской Федерации | - | -".into(),
        ),
        (
            "tallyproof CSV: nothing known",
            Format::Csv,
            CSV,
            None,
            None,
            "contest | - | -".into(),
        ),
        (
            "JSON: the file's date",
            Format::Json,
            JSON_DATED.as_bytes(),
            None,
            Some("kg2015"),
            "c | 2024-03-17 | kg2015".into(),
        ),
        (
            "JSON: the import's date over the file's",
            Format::Json,
            JSON_DATED.as_bytes(),
            Some("2024-03-15"),
            None,
            "c | 2024-03-15 | -".into(),
        ),
        (
            "a date that is not a day",
            Format::Kg2020,
            KG,
            Some("2020-02-30"),
            None,
            "error: f: date: '2020-02-30' is not a date: February 2020 has 29 days (given with the import)".into(),
        ),
        (
            "a law that is not a preset",
            Format::Ru,
            RU_PARTIES,
            None,
            Some("ru2011"),
            "error: f: law: unknown law preset 'ru2011', expected one of: kg2010, kg2015, kg2020, kg2021 (given with the import)".into(),
        ),
        (
            "a JSON file's date that is not a day",
            Format::Json,
            not_leap.as_bytes(),
            None,
            None,
            "error: f (election.date): '2023-02-29' is not a date: February 2023 has 28 days".into(),
        ),
    ];
    for (what, format, bytes, date, law, want) in cases {
        assert_eq!(&election(*format, bytes, *date, *law), want, "{what}");
    }
}
