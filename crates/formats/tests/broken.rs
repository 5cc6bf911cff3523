//! Hostile and broken import files (`test_data/broken/README.md` names each one's source).
//! Every file in `test_data/broken/` must be refused with exactly the message in its
//! `.expected` file; every file in `test_data/accepted/` must be read into exactly the summary
//! in its `.expected` file. Inputs whose size is the point are made here instead of being
//! committed. `UPDATE_EXPECT=1 cargo test` rewrites the expectations.

use std::io::Write;

use formats::{import, Collect, Format, ImportOptions, Imported};
use model::{Protocol, UnitLevel};
use tabulate::{tabulate, Filter};

/// The format a test file's name starts with.
fn format_of(name: &str) -> Format {
    match name.split('_').next() {
        Some("kg2020") => Format::Kg2020,
        Some("ru") => Format::Ru,
        Some("csv") => Format::Csv,
        Some("json") => Format::Json,
        other => panic!("test file {name}: unknown format prefix {other:?}"),
    }
}

/// Imports `bytes` as the format `name` starts with.
fn run(
    name: &str,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<(Imported, Vec<Protocol>), String> {
    let mut sink = Collect::default();
    import(format_of(name), name, bytes, options, &mut sink)
        .map(|im| (im, sink.0))
        .map_err(|e| e.to_string())
}

/// What an accepted file was read as: its counts, its stations and choices, and its
/// tabulation (or why the tabulation refuses it).
fn summary(im: &Imported, protocols: &[Protocol]) -> String {
    let e = &im.election;
    let stations: Vec<String> = e
        .units
        .iter()
        .filter(|(_, u)| u.level == UnitLevel::Station)
        .map(|(id, _)| format!("{:?}", e.units.path(id)))
        .collect();
    let choices: Vec<String> = e.contests[0]
        .choices
        .iter()
        .map(|c| format!("{:?}", c.name))
        .collect();
    let tabulated = match tabulate(e, 0, protocols, Filter::default()) {
        Ok(t) => {
            let root = t.totals(e.units.root());
            let votes: Vec<String> = root.votes.iter().map(u64::to_string).collect();
            format!(
                "votes {}; valid {}",
                votes.join(", "),
                root.line(model::Line::Valid)
                    .map_or("-".to_string(), |v| v.to_string())
            )
        }
        Err(err) => format!("refused: {err}"),
    };
    format!(
        "ACCEPTED: {} rows, {} protocols, {} not reported, {} warnings, {} diagnostics\n\
         stations: {}\nchoices: {}\ntabulation: {tabulated}",
        im.rows,
        im.protocols,
        im.not_reported,
        im.warnings.len(),
        im.diagnostics.len(),
        stations.join(", "),
        choices.join(", "),
    )
}

#[test]
fn broken_files_are_rejected_with_the_exact_error() {
    let checked = crate::check_expectations(
        "broken",
        |n| n != "README.md",
        |name, bytes| match run(name, bytes, &ImportOptions::named("t")) {
            Ok((im, _)) => format!("ACCEPTED: {} protocols", im.protocols),
            Err(e) => e,
        },
    );
    assert!(checked >= 52, "only {checked} broken-file cases");
}

#[test]
fn accepted_files_are_read_as_their_summary_says() {
    let checked = crate::check_expectations(
        "accepted",
        |n| n != "README.md",
        |name, bytes| match run(name, bytes, &ImportOptions::named("t")) {
            Ok((im, protocols)) => summary(&im, &protocols),
            Err(e) => format!("REFUSED: {e}"),
        },
    );
    assert!(checked >= 10, "only {checked} accepted-file cases");
}

/// A zip archive of `entries` (name, bytes), deflated.
fn zipped(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(*name, deflated).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Sets every "uncompressed size" field of a one-entry zip archive (the local header's and
/// the central directory's) to `size`: an archive that lies about what it expands to.
fn lying_about_its_size(mut zip: Vec<u8>, size: u32) -> Vec<u8> {
    for (signature, offset) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
        let at = zip
            .windows(4)
            .position(|w| w == signature)
            .expect("a zip header");
        zip[at + offset..at + offset + 4].copy_from_slice(&size.to_le_bytes());
    }
    zip
}

/// A one-station document whose protocol has the given votes and one attribute's value.
fn document(votes: &str, attribute: &str) -> Vec<u8> {
    format!(
        "{{\"format\": \"tallyproof-election/1\", \"election\": {{\"name\": \"x\", \"country\": \"C\", \"rules\": []}}, \
\"contests\": [{{\"name\": \"c\", \"kind\": \"party-list\", \"choices\": [{{\"name\": \"A\", \"kind\": \"party\"}}]}}], \
\"units\": [{{\"id\": 1, \"parent\": 0, \"level\": \"station\", \"name\": \"1\"}}], \
\"protocols\": [{{\"station\": 1, \"contest\": 0, \"version\": 1, \"source\": \"manual\", \"lines\": {{}}, \"votes\": {votes}, \
\"attributes\": [[\"deep\", {attribute}]]}}]}}"
    )
    .into_bytes()
}

/// A JSON value nested `depth` arrays (or objects) deep.
fn nested(depth: usize, objects: bool) -> String {
    if objects {
        format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))
    } else {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    }
}

/// Hostile inputs whose size is the point, made here: each is refused with its exact error
/// (hostile review of issue 13).
/// Row `k` of [`many_rows`]: a quoted district name with a comma and doubled quotes.
fn row(k: usize) -> String {
    let a = k % 3;
    let valid = 10 + k % 5;
    format!(
        "Region {},\"District, \"\"{}\"\"\",{k},{valid},{a},{}\r\n",
        k / 10_000,
        k / 100,
        valid - a
    )
}

/// A tallyproof CSV of `rows` stations over several of the reader's 256 KiB chunks, with
/// Windows line ends and a blank line every 9,999 rows; `edit` gives row `k`'s text from its
/// number and [`row`]'s. Returns the file and the line each row starts on.
fn many_rows(rows: usize, edit: impl Fn(usize, String) -> String) -> (Vec<u8>, Vec<u64>) {
    let mut csv = String::from("region,district,station,valid,party:A,party:B\r\n");
    let (mut line, mut lines) = (2, Vec::with_capacity(rows));
    for k in 0..rows {
        if k % 9_999 == 0 {
            csv.push_str("\r\n");
            line += 1;
        }
        csv.push_str(&edit(k, row(k)));
        lines.push(line);
        line += 1;
    }
    (csv.into_bytes(), lines)
}

#[test]
fn rows_past_the_first_chunk_are_read_in_file_order_at_their_own_lines() {
    let rows = 60_000;
    let (csv, _) = many_rows(rows, |_, row| row);
    assert!(
        csv.len() > 2 << 20,
        "{} bytes: not several chunks",
        csv.len()
    );
    let (im, protocols) = run("csv_many.csv", &csv, &ImportOptions::named("t")).unwrap();
    assert_eq!((im.rows, im.protocols), (rows as u64, rows as u64));
    let stations: Vec<u32> = protocols.iter().map(|p| p.station.0).collect();
    assert!(
        stations.windows(2).all(|w| w[0] < w[1]),
        "not in file order"
    );
    let a: usize = (0..rows).map(|k| k % 3).sum();
    let valid: usize = (0..rows).map(|k| 10 + k % 5).sum();
    assert_eq!(
        summary(&im, &protocols).lines().last(),
        Some(format!("tabulation: votes {a}, {}; valid {valid}", valid - a).as_str())
    );

    // The first error in the file is the one reported, wherever the chunks fall, at the
    // line its row starts on.
    let (bad, short) = (30_001, 35_000);
    let edit = |k: usize, row: String| match k {
        _ if k == bad => format!("Region 3,x,{k},1O,0,10\r\n"),
        _ if k == short => format!("Region 3,x,{k},1\r\n"),
        _ => row,
    };
    let (csv, lines) = many_rows(rows, edit);
    let err = run("csv_many.csv", &csv, &ImportOptions::named("t")).unwrap_err();
    assert_eq!(
        err,
        format!(
            "csv_many.csv:{}:4 (valid): '1O' is not a count: a count is written in digits only (no sign, exponent or thousands separator)",
            lines[bad]
        )
    );
    let (csv, lines) = many_rows(rows, |k, row| edit(k, row).replace(",1O,", ",10,"));
    let err = run("csv_many.csv", &csv, &ImportOptions::named("t")).unwrap_err();
    assert_eq!(
        err,
        format!(
            "csv_many.csv:{}: the row has 4 fields, the header has 6 (is the file truncated, or a delimiter missing?)",
            lines[short]
        )
    );
    // A station given again, chunks after the first time: both lines named.
    let (first, again) = (1_234, 38_000);
    let (csv, lines) = many_rows(rows, |k, r| if k == again { row(first) } else { r });
    let err = run("csv_many.csv", &csv, &ImportOptions::named("t")).unwrap_err();
    assert!(
        err.starts_with(&format!("csv_many.csv:{}: station ", lines[again]))
            && err.ends_with(&format!(
                "appears twice under the same key (first at line {})",
                lines[first]
            )),
        "{err}"
    );
}

#[test]
fn large_hostile_inputs_are_refused_within_bounds() {
    const MB: usize = 1 << 20;
    let csv = |station: &str| format!("station,valid,party:A\n{station},5,5\n").into_bytes();
    let ru_row = "region,tik,uik,Число действительных избирательных бюллетеней,Иванов Иван\nОбласть А,ТИК 1,1,10,10\n";
    let default = ImportOptions::named("t");
    let small_cap = ImportOptions {
        zip_limit: MB as u64,
        ..ImportOptions::named("t")
    };
    // An error quotes at most 120 characters of a name or a cell.
    let cut = |c: &str| format!("{}…", c.repeat(120));
    let cases: Vec<(&str, Vec<u8>, &ImportOptions, String)> = vec![
        (
            "csv_station_name_of_one_megabyte.csv",
            csv(&"7".repeat(MB)),
            &default,
            format!("csv_station_name_of_one_megabyte.csv:2:1 (station): station name '{}' is 1048576 bytes long: a name has at most 1000", cut("7")),
        ),
        (
            "csv_count_of_one_megabyte.csv",
            format!("station,valid,party:A\n1,5,{}\n", "9".repeat(MB)).into_bytes(),
            &default,
            format!("csv_count_of_one_megabyte.csv:2:3 (party:A): count {} is too large (the largest is 18446744073709551615)", cut("9")),
        ),
        (
            "csv_header_of_one_megabyte.csv",
            format!("station,valid,party:{}\n1,5,5\n", "A".repeat(MB)).into_bytes(),
            &default,
            format!(
                "csv_header_of_one_megabyte.csv:1:3 (party:{}…): choice name '{}' is 1048576 bytes long: a name has at most 1000",
                "A".repeat(114),
                cut("A")
            ),
        ),
        (
            "json_vote_string_of_one_megabyte.json",
            document(&format!("[\"{}\"]", "7".repeat(MB)), "1"),
            &default,
            format!(
                "json_vote_string_of_one_megabyte.json:1:{}: invalid type: string \"{}",
                MB + 358,
                "7".repeat(300 - 22) + "…"
            ),
        ),
        (
            "json_nested_10000_levels.json",
            document("[1]", &nested(10_000, false)),
            &default,
            "json_nested_10000_levels.json:1:507: recursion limit exceeded".into(),
        ),
        (
            "json_nested_10000_objects.json",
            document("[1]", &nested(10_000, true)),
            &default,
            "json_nested_10000_objects.json:1:995: recursion limit exceeded".into(),
        ),
        (
            "ru_zip_bomb.csv.zip",
            zipped(&[("x.csv", &[b' '; 4 * MB])]),
            &small_cap,
            "ru_zip_bomb.csv.zip: 'x.csv' in the zip archive expands to more than 1048576 bytes: refused (unzip it and import the plain file, which is read as a stream)".into(),
        ),
        (
            "ru_zip_bomb_lying_about_its_size.csv.zip",
            lying_about_its_size(zipped(&[("x.csv", &[b' '; 4 * MB])]), 100),
            &small_cap,
            "ru_zip_bomb_lying_about_its_size.csv.zip: 'x.csv' in the zip archive expands to more than 1048576 bytes: refused (unzip it and import the plain file, which is read as a stream)".into(),
        ),
        (
            // Unpacked as it is read: rows past the first chunks are parsed before the limit
            // is crossed, and the import is refused all the same, with the same words.
            "ru_zip_bomb_after_rows_lying_about_its_size.csv.zip",
            lying_about_its_size(
                zipped(&[("x.csv", &{
                    let mut rows = ru_row.as_bytes().to_vec();
                    for uik in 2..20_000 {
                        rows.extend_from_slice(format!("Область А,ТИК 1,{uik},10,10\n").as_bytes());
                    }
                    rows.resize(4 * MB, b'\n');
                    rows
                })]),
                100,
            ),
            &small_cap,
            "ru_zip_bomb_after_rows_lying_about_its_size.csv.zip: 'x.csv' in the zip archive expands to more than 1048576 bytes: refused (unzip it and import the plain file, which is read as a stream)".into(),
        ),
        (
            "ru_zip_two_files_one_hidden.csv.zip",
            zipped(&[("x.csv", ru_row.as_bytes()), ("__MACOSX/._x.csv", b"\0\x05\x16\x07")]),
            &default,
            "ru_zip_two_files_one_hidden.csv.zip: the zip archive must hold exactly one file, it holds 2".into(),
        ),
    ];
    let mut failures = Vec::new();
    for (name, bytes, options, want) in &cases {
        let got = match run(name, bytes, options) {
            Ok((im, _)) => format!("ACCEPTED: {} protocols", im.protocols),
            Err(e) => e,
        };
        if got != *want {
            failures.push(format!("{name}\n  want: {want}\n  got:  {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
