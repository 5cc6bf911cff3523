//! An audit's files read into what its steps take (`audit::steps`): the ballot manifest
//! (Arlo's CSV, [`crate::manifest`]), the cast-vote records and the audit boards' readings
//! ([`crate::cvr`]), and a batch audit's hand counts. Rows keep where they were read
//! (`file:line`), so that a refused row is named.

use audit::steps::{BallotFile, BallotRow, CountRow, ManifestRow};

use crate::FormatError;

/// A ballot manifest's batches, each named by its station's path.
pub fn manifest(file: &str, bytes: &[u8]) -> Result<(String, Vec<ManifestRow>), FormatError> {
    let rows = crate::manifest::parse_manifest(file, bytes)?
        .iter()
        .enumerate()
        .map(|(k, b)| ManifestRow {
            station: b.key(),
            ballots: b.ballots,
            at: format!("{file}:{}", k + 2),
        })
        .collect();
    Ok((file.to_string(), rows))
}

/// A choices file (cast-vote records, or a filled retrieval list) with its SHA-256.
pub fn ballots(file: &str, bytes: &[u8]) -> Result<BallotFile, FormatError> {
    let rows = crate::cvr::parse_choices(file, bytes)?;
    Ok(ballot_file(file, record::digest(bytes), rows))
}

/// The ballots of a choices file that `keep` wants (given the batch key and the position,
/// as `audit::steps::Wanted::wants` takes them), read as a stream, with the whole file's
/// SHA-256: a round's records read from a national file without holding the others.
pub fn ballots_keeping<R: std::io::Read>(
    file: &str,
    from: R,
    keep: impl FnMut(&str, u64) -> bool,
) -> Result<BallotFile, FormatError> {
    let mut hashing = crate::cvr::Hashing::new(from);
    let rows = crate::cvr::parse_choices_keeping(file, &mut hashing, keep)?;
    let sha256 = hashing
        .finish()
        .map_err(|e| FormatError::at(file, None, None, None, format!("cannot read it: {e}")))?;
    Ok(ballot_file(file, sha256, rows))
}

fn ballot_file(file: &str, sha256: String, rows: Vec<crate::cvr::BallotChoice>) -> BallotFile {
    BallotFile {
        name: file.to_string(),
        sha256,
        rows: rows
            .into_iter()
            .map(|r| BallotRow {
                station: r.batch,
                position: r.position,
                choice: r.choice,
                at: format!("{file}:{}", r.line),
            })
            .collect(),
    }
}

/// A batch audit's hand counts: a row per station, a column per choice (named as on the
/// ballot), and optionally `Ballots`.
pub fn counts(file: &str, bytes: &[u8], choices: &[String]) -> Result<Vec<CountRow>, FormatError> {
    Ok(crate::cvr::parse_tallies(file, bytes, choices)?
        .into_iter()
        .map(|r| CountRow {
            station: r.batch,
            votes: r.votes,
            ballots: r.ballots,
            at: format!("{file}:{}", r.line),
        })
        .collect())
}
