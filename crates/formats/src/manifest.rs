//! Ballot manifests in Arlo's CSV format: one row per batch of paper ballots, with the
//! columns `Container`, `Tabulator` (both optional), `Batch Name` and `Number of Ballots`
//! (VotingWorks Arlo, "Ballot Manifest" upload). A batch here is usually a polling
//! station's ballot box.

use std::collections::HashSet;

use crate::FormatError;

/// One batch of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestBatch {
    /// The container (a box, a bag), if the manifest has the column.
    pub container: Option<String>,
    /// The tabulator (scanner), if the manifest has the column.
    pub tabulator: Option<String>,
    /// The batch's name.
    pub name: String,
    /// Paper ballots in the batch.
    pub ballots: u64,
}

impl ManifestBatch {
    /// The batch's key: container, tabulator and name, those present, joined by ` / `.
    pub fn key(&self) -> String {
        batch_key(
            self.container.as_deref(),
            self.tabulator.as_deref(),
            &self.name,
        )
    }
}

/// Reads a manifest; `file` names it in errors. Header names are matched without regard
/// to case or surrounding spaces. A batch listed twice, a count that is not a whole
/// number, or a missing column is refused with its line and column.
pub fn parse_manifest(file: &str, bytes: &[u8]) -> Result<Vec<ManifestBatch>, FormatError> {
    let (mut reader, header) = reader(file, bytes, csv::Trim::All)?;
    let col = |name: &str| column(&header, name);
    let (Some(batch_col), Some(count_col)) = (col("Batch Name"), col("Number of Ballots")) else {
        return Err(FormatError::at(
            file,
            Some(1),
            None,
            None,
            "the header needs the columns 'Batch Name' and 'Number of Ballots' (and optionally 'Container' and 'Tabulator')",
        ));
    };
    let (container_col, tabulator_col) = (col("Container"), col("Tabulator"));
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (k, row) in reader.records().enumerate() {
        let line = k as u64 + 2;
        let row = row.map_err(|e| FormatError::at(file, Some(line), None, None, e.to_string()))?;
        let cell = |c: usize| row.get(c).unwrap_or("");
        let name = cell(batch_col);
        if name.is_empty() {
            return Err(FormatError::at(
                file,
                Some(line),
                Some(batch_col as u64 + 1),
                Some("Batch Name"),
                "empty batch name",
            ));
        }
        let count = cell(count_col);
        let ballots: u64 = count.parse().map_err(|_| {
            FormatError::at(
                file,
                Some(line),
                Some(count_col as u64 + 1),
                Some("Number of Ballots"),
                format!("'{count}' is not a whole number of ballots"),
            )
        })?;
        let opt = |c: Option<usize>| c.map(|c| cell(c).to_string()).filter(|s| !s.is_empty());
        let batch = ManifestBatch {
            container: opt(container_col),
            tabulator: opt(tabulator_col),
            name: name.to_string(),
            ballots,
        };
        if !seen.insert(batch.key()) {
            return Err(FormatError::at(
                file,
                Some(line),
                Some(batch_col as u64 + 1),
                Some("Batch Name"),
                format!("the batch '{}' is listed twice", batch.key()),
            ));
        }
        out.push(batch);
    }
    Ok(out)
}

/// A CSV reader over `bytes` that trims `trim` (the header at least), and its header row;
/// `file` names it in errors.
pub(crate) fn reader<R: std::io::Read>(
    file: &str,
    bytes: R,
    trim: csv::Trim,
) -> Result<(csv::Reader<R>, csv::StringRecord), FormatError> {
    let mut reader = csv::ReaderBuilder::new().trim(trim).from_reader(bytes);
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
    Ok((reader, header))
}

/// The index of a header column, matched without regard to case or a byte-order mark.
pub(crate) fn column(header: &csv::StringRecord, name: &str) -> Option<usize> {
    header
        .iter()
        .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
}

/// The key of a batch from its optional container and tabulator and its name, as
/// [`ManifestBatch::key`] writes it.
pub(crate) fn batch_key(container: Option<&str>, tabulator: Option<&str>, name: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    parts.extend(container.filter(|s| !s.is_empty()));
    parts.extend(tabulator.filter(|s| !s.is_empty()));
    parts.push(name);
    parts.join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_arlo_manifests_and_names_errors() {
        let ok = "Container,Tabulator,Batch Name,Number of Ballots\nBox 1,T1,Station 101,412\nBox 1,T2,Station 102,388\n";
        let m = parse_manifest("m.csv", ok.as_bytes()).unwrap_or_default();
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[1].key(), m[1].ballots),
            ("Box 1 / T2 / Station 102".to_string(), 388)
        );
        let short = "Batch Name,Number of Ballots\nA,10\n";
        assert_eq!(
            parse_manifest("m.csv", short.as_bytes())
                .map(|m| m[0].key())
                .ok()
                .as_deref(),
            Some("A")
        );
        let cases = [
            (
                "Batch Name,Number of Ballots\nA,10\nA,12\n",
                "m.csv:3:1 (Batch Name): the batch 'A' is listed twice",
            ),
            (
                "Batch Name,Number of Ballots\nA,ten\n",
                "m.csv:2:2 (Number of Ballots): 'ten' is not a whole number of ballots",
            ),
            (
                "Batch,Ballots\nA,10\n",
                "m.csv:1: the header needs the columns",
            ),
        ];
        for (text, want) in cases {
            let e = parse_manifest("m.csv", text.as_bytes())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(e.starts_with(want), "{e}");
        }
    }
}
