//! Drawing ballots from a manifest with the consistent sampler (Rivest's, as Arlo uses it;
//! the project's `rla.md`, §2): every ballot gets an id from its batch and position, and
//! ids are drawn in ticket order from a public seed, so anyone holding the manifest and
//! the seed can redraw the sample.

pub use sampler::Options;
use serde::Serialize;

use crate::AuditError;

/// How ballot ids are written before hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdStyle {
    /// `BATCH#POSITION`.
    Plain,
    /// Arlo's Python tuple text, `('BATCH', POSITION)`.
    Arlo,
}

/// One drawn ballot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drawn {
    /// The ticket, trimmed.
    pub ticket: String,
    /// The batch's index in the manifest.
    pub batch: usize,
    /// The ballot's position in its batch, from 1.
    pub position: u64,
    /// 1 for a ballot's first draw, 2 for its second (with replacement), ...
    pub generation: u32,
    /// The id that was hashed.
    pub id: String,
}

/// A ballot's id text.
pub fn ballot_id(style: IdStyle, batch: &str, position: u64) -> String {
    let mut s = String::new();
    write_ballot_id(style, batch, position, &mut s);
    s
}

/// Appends a ballot's id text to `buf`.
fn write_ballot_id(style: IdStyle, batch: &str, position: u64, buf: &mut String) {
    match style {
        IdStyle::Plain => {
            buf.push_str(batch);
            buf.push('#');
            // The decimal digits of the position, without the formatting machinery (this
            // runs once per ballot of the manifest).
            let mut digits = [0u8; 20];
            let mut n = position;
            let mut i = digits.len();
            loop {
                i -= 1;
                digits[i] = b'0' + (n % 10) as u8;
                n /= 10;
                if n == 0 {
                    break;
                }
            }
            buf.extend(digits[i..].iter().map(|&d| char::from(d)));
        }
        IdStyle::Arlo => buf.push_str(&sampler::arlo_ballot_id(batch, position)),
    }
}

/// Draws from the ballots of `batches` (each a batch key and its number of ballots).
pub fn draw(
    batches: &[(String, u64)],
    seed: &str,
    style: IdStyle,
    options: &Options,
) -> Result<Vec<Drawn>, AuditError> {
    let total = crate::error::total(
        batches.iter().map(|b| b.1),
        "ballots",
        "the manifest's ballots",
    )?;
    let wanted = options.drop.saturating_add(options.take) as u64;
    if !options.with_replacement && options.take != usize::MAX && wanted > total {
        return Err(AuditError::field(
            "ballots",
            format!(
                "the manifest lists {total} ballots: {wanted} cannot be drawn without replacement"
            ),
        ));
    }
    // Ballot i lies in the batch whose cumulative count first exceeds i.
    let mut ends = Vec::with_capacity(batches.len());
    let mut acc = 0u64;
    for (_, n) in batches {
        acc += n;
        ends.push(acc);
    }
    let place = |i: usize| -> (usize, u64) {
        let k = ends.partition_point(|&e| e <= i as u64);
        let before = if k == 0 { 0 } else { ends[k - 1] };
        (k, i as u64 - before + 1)
    };
    let write_id = |i: usize, buf: &mut String| {
        let (k, pos) = place(i);
        write_ballot_id(style, &batches[k].0, pos, buf);
    };
    let drawn = sampler::sample_generated(total as usize, write_id, seed, options)
        .map_err(|e| AuditError::Sampler(e.to_string()))?;
    Ok(drawn
        .iter()
        .map(|t| {
            let (batch, position) = place(t.index);
            Drawn {
                ticket: t.ticket.clone(),
                batch,
                position,
                generation: t.generation,
                id: t.id.clone(),
            }
        })
        .collect())
}
