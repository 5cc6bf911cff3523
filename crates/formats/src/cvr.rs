//! Ballot-level choices in CSV: the generic cast-vote-record file of a comparison audit,
//! and the readings of sampled paper ballots. One row per ballot: `Container` and
//! `Tabulator` (optional, as in Arlo's manifests), `Batch Name`, `Position` (from 1) and
//! `Choice` (the choice's name as on the ballot; empty for a ballot with no valid vote).

use std::collections::HashSet;

use foldhash::fast::FixedState;

use crate::manifest::{batch_key, column, reader};
use crate::FormatError;

/// One ballot's choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotChoice {
    /// The batch key (container, tabulator, name joined by ` / `).
    pub batch: String,
    /// The position in the batch, from 1.
    pub position: u64,
    /// The choice, if any.
    pub choice: Option<String>,
    /// The line it was read from.
    pub line: u64,
}

/// Reads a choices file; `file` names it in errors. A ballot listed twice or a position
/// that is not a whole number from 1 is refused with its line and column.
pub fn parse_choices(file: &str, bytes: &[u8]) -> Result<Vec<BallotChoice>, FormatError> {
    parse_choices_keeping(file, bytes, |_, _| true)
}

/// A reader that hashes (SHA-256) every byte read through it.
pub struct Hashing<R> {
    inner: R,
    hash: sha2::Sha256,
    /// Bytes of the line read so far (since the last newline), and its number.
    open: usize,
    line: u64,
}

/// The longest line a streamed file may have: a records file's rows are short, and a line
/// without end would otherwise be held whole in memory by the CSV reader.
pub const MAX_LINE: usize = 64 * 1024;

impl<R: std::io::Read> Hashing<R> {
    /// Hashes what is read from `inner`, refusing a line longer than [`MAX_LINE`] bytes.
    pub fn new(inner: R) -> Hashing<R> {
        Hashing {
            inner,
            hash: sha2::Digest::new(),
            open: 0,
            line: 1,
        }
    }

    /// The hex SHA-256 of every byte read, after reading what is left.
    pub fn finish(mut self) -> std::io::Result<String> {
        std::io::copy(&mut self, &mut std::io::sink())?;
        Ok(hex::encode(sha2::Digest::finalize(self.hash)))
    }
}

impl<R: std::io::Read> std::io::Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = &buf[..n];
        sha2::Digest::update(&mut self.hash, chunk);
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', chunk).chain([n]) {
            let open = self.open + (end - start);
            if open > MAX_LINE {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("line {} is longer than {MAX_LINE} bytes", self.line),
                ));
            }
            if end < n {
                (self.open, self.line, start) = (0, self.line + 1, end + 1);
            } else {
                self.open = open;
            }
        }
        Ok(n)
    }
}

/// Reads the ballots of a choices file that `keep` (given the batch key and the position)
/// wants, in one pass that allocates only for them: what an audit round reads from a
/// national file of cast-vote records, whose every row was checked when the audit started
/// (the caller checks that the file is that one, by its SHA-256). A row kept is checked as
/// [`parse_choices`] checks it; a position is checked on every row.
pub fn parse_choices_keeping<R: std::io::Read>(
    file: &str,
    bytes: R,
    mut keep: impl FnMut(&str, u64) -> bool,
) -> Result<Vec<BallotChoice>, FormatError> {
    // Fields are trimmed as they are read (`text`), and only those a row is judged by: the
    // reader's own trimming would copy every record.
    let (mut reader, header) = reader(file, bytes, csv::Trim::Headers)?;
    let (Some(batch_col), Some(pos_col), Some(choice_col)) = (
        column(&header, "Batch Name"),
        column(&header, "Position"),
        column(&header, "Choice"),
    ) else {
        return Err(FormatError::at(
            file,
            Some(1),
            None,
            None,
            "the header needs the columns 'Batch Name', 'Position' and 'Choice' (and optionally 'Container' and 'Tabulator')",
        ));
    };
    let (container_col, tabulator_col) =
        (column(&header, "Container"), column(&header, "Tabulator"));
    let mut out = Vec::new();
    let mut seen: HashSet<(String, u64), FixedState> = HashSet::default();
    // Byte records: only the fields a row is judged by are checked as UTF-8.
    let mut row = csv::ByteRecord::new();
    let mut line = 1u64;
    loop {
        line += 1;
        let more = reader
            .read_byte_record(&mut row)
            .map_err(|e| FormatError::at(file, Some(line), None, None, e.to_string()))?;
        if !more {
            break;
        }
        let text = |c: usize| -> Result<&str, FormatError> {
            // Trimmed as text, as `StringRecord`s are (Unicode spaces too).
            std::str::from_utf8(row.get(c).unwrap_or(b""))
                .map(str::trim)
                .map_err(|_| {
                    FormatError::at(
                        file,
                        Some(line),
                        Some(c as u64 + 1),
                        header.get(c),
                        "not UTF-8 text",
                    )
                })
        };
        let pos_text = text(pos_col)?;
        let position = pos_text
            .parse::<u64>()
            .ok()
            .filter(|&p| p >= 1)
            .ok_or_else(|| {
                FormatError::at(
                    file,
                    Some(line),
                    Some(pos_col as u64 + 1),
                    Some("Position"),
                    format!("'{pos_text}' is not a ballot position (a whole number from 1)"),
                )
            })?;
        // Without a container or tabulator, the key is the batch's name: no allocation.
        let container = container_col.map(&text).transpose()?;
        let tabulator = tabulator_col.map(&text).transpose()?;
        let name = text(batch_col)?;
        let joined;
        let batch: &str = if container.is_some_and(|c| !c.is_empty())
            || tabulator.is_some_and(|t| !t.is_empty())
        {
            joined = batch_key(container, tabulator, name);
            &joined
        } else {
            name
        };
        if !keep(batch, position) {
            continue;
        }
        if !seen.insert((batch.to_string(), position)) {
            return Err(FormatError::at(
                file,
                Some(line),
                Some(pos_col as u64 + 1),
                Some("Position"),
                format!("ballot {position} of '{batch}' is listed twice"),
            ));
        }
        let choice = Some(text(choice_col)?.to_string()).filter(|c| !c.is_empty());
        out.push(BallotChoice {
            batch: batch.to_string(),
            position,
            choice,
            line,
        });
    }
    Ok(out)
}

/// One batch's hand count: votes per choice (in the order asked for) and paper ballots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchCount {
    /// The batch key.
    pub batch: String,
    /// Votes per choice.
    pub votes: Vec<u64>,
    /// Paper ballots in the batch, if the file has a `Ballots` column.
    pub ballots: Option<u64>,
    /// The line it was read from.
    pub line: u64,
}

/// Reads batch tallies (Arlo's batch-tally shape): `Batch Name` (with optional `Container`
/// and `Tabulator`), one column per choice named as on the ballot, and optionally
/// `Ballots`. Every choice must have its column; a batch listed twice or a count that is not
/// a whole number is refused with its line and column.
pub fn parse_tallies(
    file: &str,
    bytes: &[u8],
    choices: &[String],
) -> Result<Vec<BatchCount>, FormatError> {
    let (mut reader, header) = reader(file, bytes, csv::Trim::All)?;
    let Some(batch_col) = column(&header, "Batch Name") else {
        return Err(FormatError::at(
            file,
            Some(1),
            None,
            None,
            "the header needs the column 'Batch Name'",
        ));
    };
    // Column names are typed: folded as `model::names` folds them (NFKC, case, quotes,
    // look-alikes); a column that matches two choices, or two columns one, is refused.
    let index = model::names::NameIndex::new(choices, "choice");
    let mut found: Vec<Option<usize>> = vec![None; choices.len()];
    for (col, h) in header.iter().enumerate() {
        let i = match index.find(h) {
            Ok(i) => i,
            Err(model::ModelError::NoMatch { .. }) => continue,
            Err(e) => {
                return Err(FormatError::at(
                    file,
                    Some(1),
                    Some(col as u64 + 1),
                    None,
                    e.to_string(),
                ))
            }
        };
        if let Some(first) = found[i] {
            return Err(FormatError::at(
                file,
                Some(1),
                Some(col as u64 + 1),
                None,
                format!(
                    "columns {} and {} are both the choice '{}'",
                    first + 1,
                    col + 1,
                    choices[i]
                ),
            ));
        }
        found[i] = Some(col);
    }
    let mut choice_cols = Vec::with_capacity(choices.len());
    for (c, col) in choices.iter().zip(found) {
        let col = col.ok_or_else(|| {
            FormatError::at(
                file,
                Some(1),
                None,
                None,
                format!("the header has no column for the choice '{c}'"),
            )
        })?;
        choice_cols.push(col);
    }
    let (container_col, tabulator_col, ballots_col) = (
        column(&header, "Container"),
        column(&header, "Tabulator"),
        column(&header, "Ballots"),
    );
    let mut seen: HashSet<String, FixedState> = HashSet::default();
    let mut out = Vec::new();
    for (k, row) in reader.records().enumerate() {
        let line = k as u64 + 2;
        let row = row.map_err(|e| FormatError::at(file, Some(line), None, None, e.to_string()))?;
        let cell = |c: usize| row.get(c).unwrap_or("");
        let count = |c: usize, field: &str| -> Result<u64, FormatError> {
            cell(c).parse::<u64>().map_err(|_| {
                FormatError::at(
                    file,
                    Some(line),
                    Some(c as u64 + 1),
                    Some(field),
                    format!("'{}' is not a whole number", cell(c)),
                )
            })
        };
        let opt = |c: Option<usize>| c.map(cell);
        let batch = batch_key(opt(container_col), opt(tabulator_col), cell(batch_col));
        if !seen.insert(batch.clone()) {
            return Err(FormatError::at(
                file,
                Some(line),
                Some(batch_col as u64 + 1),
                Some("Batch Name"),
                format!("the batch '{batch}' is listed twice"),
            ));
        }
        let votes = choice_cols
            .iter()
            .zip(choices)
            .map(|(&c, name)| count(c, name))
            .collect::<Result<Vec<u64>, _>>()?;
        let ballots = ballots_col.map(|c| count(c, "Ballots")).transpose()?;
        out.push(BatchCount {
            batch,
            votes,
            ballots,
            line,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streamed reading trims each field it judges a row by as the whole reading trims
    /// it (spaces, and Unicode spaces too), though its reader trims only the header.
    #[test]
    fn a_streamed_row_is_trimmed_as_a_whole_file_is() {
        let text = " Batch Name , Position ,Choice\n R 1 , 2 ,\u{a0}A\u{a0}\nR 1,3, \n";
        let kept = parse_choices_keeping("c.csv", text.as_bytes(), |b, _| b == "R 1").unwrap();
        let got: Vec<(&str, u64, Option<&str>)> = kept
            .iter()
            .map(|r| (r.batch.as_str(), r.position, r.choice.as_deref()))
            .collect();
        assert_eq!(got, [("R 1", 2, Some("A")), ("R 1", 3, None)]);
    }

    /// A line longer than [`MAX_LINE`] bytes is refused by number, read in small pieces as
    /// through a socket; lines up to it pass, whatever the pieces.
    #[test]
    fn a_line_without_end_is_refused() {
        struct Pieces<'a>(&'a [u8], usize);
        impl std::io::Read for Pieces<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.1.min(buf.len()).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let head = "Batch Name,Position,Choice\n";
        let fits = format!("{head}R,1,{}\nR,2,A\n", "x".repeat(MAX_LINE - 5));
        for piece in [7, 4096, 1 << 20] {
            let got = crate::audit_files::ballots_keeping(
                "c.csv",
                Pieces(fits.as_bytes(), piece),
                |_, _| false,
            );
            assert!(got.is_ok(), "{piece}: {got:?}");
            let long = format!("{head}R,1,A\nR,2,{}\n", "x".repeat(MAX_LINE));
            let e = crate::audit_files::ballots_keeping(
                "c.csv",
                Pieces(long.as_bytes(), piece),
                |_, _| false,
            )
            .unwrap_err()
            .to_string();
            assert!(
                e.contains("line 3 is longer than 65536 bytes"),
                "{piece}: {e}"
            );
        }
    }

    /// Issue 18, item 5: a round reads only the ballots it wants, in one pass, and the hash of
    /// the whole stream; every row's position is still checked, a wanted ballot listed twice
    /// is refused, rows not wanted are not held.
    #[test]
    fn keeps_only_the_wanted_ballots_and_hashes_the_whole_stream() {
        let text = "Container,Batch Name,Position,Choice\nR,1,1,A\nR,1,2,B\nR,2,1,\nR,2,1,A\n";
        let got = crate::audit_files::ballots_keeping("c.csv", text.as_bytes(), |b, p| {
            (b, p) == ("R / 1", 2)
        })
        .unwrap();
        assert_eq!(got.sha256, record::digest(text.as_bytes()));
        let rows: Vec<_> = got
            .rows
            .iter()
            .map(|r| {
                (
                    r.station.as_str(),
                    r.position,
                    r.choice.as_deref(),
                    r.at.as_str(),
                )
            })
            .collect();
        assert_eq!(rows, [("R / 1", 2, Some("B"), "c.csv:3")]);
        let twice = parse_choices_keeping("c.csv", text.as_bytes(), |b, _| b == "R / 2")
            .unwrap_err()
            .to_string();
        assert!(
            twice.contains("c.csv:5") && twice.contains("listed twice"),
            "{twice}"
        );
        let bad = "Batch Name,Position,Choice\n1,1,A\n1,x,A\n";
        let e = parse_choices_keeping("c.csv", bad.as_bytes(), |_, _| false)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("c.csv:3") && e.contains("'x' is not a ballot position"),
            "{e}"
        );
    }

    #[test]
    fn reads_choices_and_refuses_duplicates() {
        let ok = "Container,Batch Name,Position,Choice\nR,1,1,A\nR,1,2,\n";
        let c = parse_choices("c.csv", ok.as_bytes()).unwrap_or_default();
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[0].batch.as_str(), c[0].position, c[0].choice.as_deref()),
            ("R / 1", 1, Some("A"))
        );
        assert_eq!(c[1].choice, None);
        let dup = "Batch Name,Position,Choice\n1,1,A\n1,1,B\n";
        let e = parse_choices("c.csv", dup.as_bytes())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(e, "c.csv:3:2 (Position): ballot 1 of '1' is listed twice");
        let bad = "Batch Name,Position,Choice\n1,0,A\n";
        let e = parse_choices("c.csv", bad.as_bytes())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.starts_with("c.csv:2:2 (Position): '0' is not a ballot position"),
            "{e}"
        );
    }

    #[test]
    fn reads_tallies() {
        let choices = ["A".to_string(), "B".to_string()];
        let ok = "Batch Name,B,A,Ballots\nS1,4,6,11\n";
        let t = parse_tallies("t.csv", ok.as_bytes(), &choices).unwrap_or_default();
        assert_eq!((t[0].votes.clone(), t[0].ballots), (vec![6, 4], Some(11)));
        let missing = "Batch Name,A\nS1,6\n";
        let e = parse_tallies("t.csv", missing.as_bytes(), &choices)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(e, "t.csv:1: the header has no column for the choice 'B'");
        let bad = "Batch Name,A,B\nS1,6,x\n";
        let e = parse_tallies("t.csv", bad.as_bytes(), &choices)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(e, "t.csv:2:3 (B): 'x' is not a whole number");
    }

    /// Issue 13, finding 7: column names are typed party names, folded once; a column that
    /// could be either of two columns' choice is refused, never guessed.
    #[test]
    fn tally_columns_are_matched_as_typed_names() {
        let choices = ["БИРИМДИК".to_string(), "Ата-Журт".to_string()];
        let folded = "Batch Name,«БИРИМДИК»,ата-журт\nS1,6,4\n";
        let t = parse_tallies("t.csv", folded.as_bytes(), &choices).unwrap_or_default();
        assert_eq!(t.first().map(|r| r.votes.clone()), Some(vec![6, 4]));
        let err = |text: &str, choices: &[String]| {
            parse_tallies("t.csv", text.as_bytes(), choices)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            err(
                "Batch Name,БИРИМДИК,биримдик,Ата-Журт\nS1,1,2,3\n",
                &choices
            ),
            "t.csv:1:3: columns 2 and 3 are both the choice 'БИРИМДИК'"
        );
        let twins = ["Party A".to_string(), "Раrtу А".to_string()];
        assert!(err("Batch Name,party a\nS1,1\n", &twins).contains("matches more than one choice"));
    }
}
