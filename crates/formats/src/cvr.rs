//! Ballot-level choices in CSV: the generic cast-vote-record file of a comparison audit,
//! and the readings of sampled paper ballots. One row per ballot: `Container` and
//! `Tabulator` (optional, as in Arlo's manifests), `Batch Name`, `Position` (from 1) and
//! `Choice` (the choice's name as on the ballot; empty for a ballot with no valid vote).

use std::collections::HashSet;

use foldhash::fast::FixedState;

use crate::manifest::{batch_key, column};
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
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| {
            FormatError::at(
                file,
                Some(1),
                None,
                None,
                format!("cannot read the header: {e}"),
            )
        })?
        .clone();
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
    for (k, row) in reader.records().enumerate() {
        let line = k as u64 + 2;
        let row = row.map_err(|e| FormatError::at(file, Some(line), None, None, e.to_string()))?;
        let cell = |c: usize| row.get(c).unwrap_or("");
        let opt = |c: Option<usize>| c.map(cell);
        let batch = batch_key(opt(container_col), opt(tabulator_col), cell(batch_col));
        let pos_text = cell(pos_col);
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
        if !seen.insert((batch.clone(), position)) {
            return Err(FormatError::at(
                file,
                Some(line),
                Some(pos_col as u64 + 1),
                Some("Position"),
                format!("ballot {position} of '{batch}' is listed twice"),
            ));
        }
        let choice = Some(cell(choice_col).to_string()).filter(|c| !c.is_empty());
        out.push(BallotChoice {
            batch,
            position,
            choice,
            line,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
