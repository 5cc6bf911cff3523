//! The whole forensic report of an election: every test its data allow, rendered by
//! [`crate::html::report`]. The command line, the demo and the results service all call
//! [`build`].

use model::{Election, Protocol};

use crate::html::{report, ReportInput};
use crate::ForensicsError;

/// Runs every test that the data allow and renders the HTML report; also returns the
/// protocol line whose absence stopped the turnout-based tests, if one did. `mc` asks for
/// the Monte Carlo null as (replicates, seed).
pub fn build(
    e: &Election,
    protocols: &[Protocol],
    contest: usize,
    leader: Option<&str>,
    mc: Option<(u32, u64)>,
) -> Result<(String, Option<&'static str>), ForensicsError> {
    let digits = crate::digits::by_choice(e, contest, protocols, 10)?;
    let threads = crate::default_threads();
    let mut missing = None;
    let sample = match crate::station::sample(e, contest, protocols, leader) {
        Ok(s) => Some(s),
        Err(ForensicsError::MissingLine(line)) => {
            missing = Some(line);
            None
        }
        Err(err) => return Err(err),
    };
    let mut input = ReportInput {
        election: &e.name,
        digits: &digits,
        ..ReportInput::default()
    };
    // Computed up front so that the report can borrow them.
    let computed = match &sample {
        Some(s) => {
            let mc = mc.map(|(replicates, seed)| crate::montecarlo::Options {
                replicates,
                seed,
                threads,
            });
            let ip = crate::integer_percentage(s, threads, mc)?;
            let kept = &ip.observed.filtered.kept;
            let either: Vec<f64> = ip.exact.probabilities.iter().map(|p| p[2]).collect();
            let regions: Vec<(String, crate::region::RegionExcess)> =
                crate::region::by_region(kept, &either, &crate::region::groups(e, kept))
                    .into_iter()
                    .map(|r| (e.units.path(model::UnitId(r.group as u32)), r))
                    .collect();
            let flags = crate::flags::flags(&s.stations, &crate::region::groups(e, &s.stations));
            Some((
                ip,
                regions,
                crate::distribution::leader_share_bins(&s.stations),
                crate::shpilkin::estimate(&s.stations, true),
                crate::fingerprint::fingerprint(&s.stations),
                flags,
            ))
        }
        None => None,
    };
    match (&computed, &sample) {
        (Some((ip, regions, share, shp, fp, flags)), Some(s)) => {
            input.leader = Some(&s.leader);
            input.integer = Some(ip);
            input.regions = regions;
            input.turnout_bins = Some(&ip.turnout.bins);
            input.share_bins = Some(share);
            match shp {
                Ok(shp) => input.shpilkin = Some(shp),
                Err(err) => input.unavailable.push(format!("Shpilkin method: {err}")),
            }
            input.fingerprint = Some(fp);
            input.flags = flags
                .iter()
                .take(25)
                .map(|f| (e.units.path(s.stations[f.index].unit), f))
                .collect();
        }
        _ => {
            input.unavailable = [
                "whole-number percentages",
                "turnout distribution",
                "election fingerprint",
                "Shpilkin method",
                "station flags",
            ]
            .iter()
            .map(|t| {
                format!(
                    "{t}: the file has no registered-voter or ballots-issued count, so turnout \
                     cannot be computed"
                )
            })
            .collect();
        }
    }
    Ok((report(&input), missing))
}
