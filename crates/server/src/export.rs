//! Bulk exports of the current results, in the formats people already use: tallyproof's
//! station CSV, its election JSON, and NIST SP 1500-100's Election Results CDF (JSON). Each
//! holds the latest version of every protocol, without the stations of annulled units, as
//! the results pages count them; each is computed once per log size.

use formats::cdf::{write_cdf, CdfHeader, ContestResults};
use formats::{write_csv, write_json};
use std::sync::Arc;

use model::{Election, Protocol};
use tabulate::{tabulate, Filter};

use crate::ServerError;
use readmodel::View;

/// An export format.
#[derive(Debug, Clone, Copy)]
pub enum Export {
    /// tallyproof station CSV, first contest.
    Csv,
    /// tallyproof election JSON.
    Json,
    /// NIST SP 1500-100 Election Results CDF, JSON, precinct level.
    Cdf,
}

impl Export {
    /// The media type.
    pub fn media(self) -> &'static str {
        match self {
            Export::Csv => "text/csv; charset=utf-8",
            Export::Json | Export::Cdf => "application/json",
        }
    }
}

fn failed(e: impl std::fmt::Display) -> ServerError {
    ServerError::Internal(format!("cannot write the export: {e}"))
}

/// What an export needs of the election's state, taken under its lock.
pub struct Taken {
    election: Election,
    protocols: Arc<Vec<Protocol>>,
    filter: Filter,
}

/// Takes what an export needs (shared protocols, a copy of the election).
pub fn take(v: &mut View<'_>) -> Taken {
    Taken {
        election: v.election().clone(),
        protocols: v.protocols(),
        filter: v.filter(),
    }
}

/// The export of the election's results as taken.
pub fn export(t: Taken, to: Export) -> Result<Vec<u8>, ServerError> {
    let (all, filter, e) = (t.protocols, t.filter, &t.election);
    let counted: Vec<Protocol> = all
        .iter()
        .filter(|p| filter.admits(&e.units, p.station))
        .cloned()
        .collect();
    let mut out = Vec::new();
    match to {
        Export::Csv => {
            write_csv(&mut out, e, 0, &counted).map_err(failed)?;
        }
        Export::Json => write_json(&mut out, e, &counted).map_err(failed)?,
        Export::Cdf => {
            let tallies: Vec<tabulate::Tally> = (0..e.contests.len())
                .map(|c| {
                    tabulate(
                        e,
                        c,
                        counted.iter().filter(|p| p.contest == c),
                        filter.clone(),
                    )
                })
                .collect::<Result<_, _>>()?;
            let results: Vec<_> = tallies
                .iter()
                .enumerate()
                .map(|(c, t)| ContestResults::new(e, c, t, &counted))
                .collect();
            let complete = tallies
                .first()
                .map(|t| t.totals(e.units.root()))
                .is_some_and(|r| r.reporting == r.stations);
            let header = CdfHeader {
                issuer: "tallyproof".into(),
                issuer_abbreviation: "tallyproof".into(),
                // Reproducible: the election's date, not the clock.
                generated: format!(
                    "{}T00:00:00Z",
                    e.date.clone().unwrap_or_else(|| "1970-01-01".into())
                ),
                status: if complete {
                    "unofficial-complete"
                } else {
                    "unofficial-partial"
                }
                .into(),
            };
            write_cdf(&mut out, e, &results, &header).map_err(failed)?;
        }
    }
    Ok(out)
}
