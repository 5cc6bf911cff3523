//! The whole forensic report of an election: every test its data allow, with the numbers a
//! page shows and the plots as SVG text (numbered axes, no words: the page names them in its
//! reader's language). The command line, the demo and the results service all call
//! [`build`]; the page itself is a template of the `ui` crate (`ui::forensics`).

use model::{Election, Protocol};

use crate::digits::ChoiceDigits;
use crate::distribution::Spikes;
use crate::fingerprint::Fingerprint;
use crate::flags::StationFlag;
use crate::region::RegionExcess;
use crate::shpilkin::Shpilkin;
use crate::{ForensicsError, IntegerPercentage};

/// How many regions and flagged stations the report lists.
pub const LISTED: usize = 25;

/// A test of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    /// Whole-number percentages (Kobak, Shpilkin & Pshenichnikov 2016).
    WholePercentages,
    /// The turnout and leader-share histograms.
    Distribution,
    /// The election fingerprint (Klimek et al. 2012).
    Fingerprint,
    /// The Shpilkin method.
    Shpilkin,
    /// The stations to look at first.
    Flags,
}

/// Why a test could not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// No station reports registered voters and ballots issued: turnout cannot be computed.
    NoTurnout,
    /// No turnout bin below the overall turnout holds votes for the other choices, so the
    /// Shpilkin method has no clean bin to start from.
    NoCleanBin,
}

/// A test that could not run, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unavailable {
    /// The test.
    pub test: Test,
    /// Why.
    pub why: Why,
}

/// A histogram of 0.1-point bins: its plot and its numbers.
#[derive(Debug, Clone)]
pub struct Histogram {
    /// The plot ([`crate::plot::histogram_svg`]).
    pub svg: String,
    /// Its numbers, the plot's text alternative.
    pub spikes: Spikes,
}

/// Everything the report shows. A test that could not run is `None` (or empty) and listed in
/// `unavailable` with the reason.
#[derive(Debug, Clone)]
pub struct Report {
    /// The election's name.
    pub election: String,
    /// The leader the tests were run for, if any ran.
    pub leader: Option<String>,
    /// The protocol line whose absence stopped the turnout-based tests, if one did.
    pub missing: Option<&'static str>,
    /// Tests that could not run.
    pub unavailable: Vec<Unavailable>,
    /// The integer-percentage test.
    pub integer: Option<IntegerPercentage>,
    /// Its regions with their paths, the highest z first, at most [`LISTED`].
    pub regions: Vec<(String, RegionExcess)>,
    /// Stations by turnout.
    pub turnout: Option<Histogram>,
    /// Stations by the leader's share of ballots.
    pub share: Option<Histogram>,
    /// The fingerprint, and its plot weighted by voters ([`crate::plot::svg`]).
    pub fingerprint: Option<(Fingerprint, String)>,
    /// The Shpilkin estimate.
    pub shpilkin: Option<Shpilkin>,
    /// The top flagged stations with their paths, at most [`LISTED`].
    pub flags: Vec<(String, StationFlag)>,
    /// The digit tests, per choice.
    pub digits: Vec<ChoiceDigits>,
}

/// Runs every test that the data allow. `mc` asks for the Monte Carlo null as (replicates,
/// seed).
pub fn build(
    e: &Election,
    protocols: &[Protocol],
    contest: usize,
    leader: Option<&str>,
    mc: Option<(u32, u64)>,
) -> Result<Report, ForensicsError> {
    let mut report = Report {
        election: e.name.clone(),
        leader: None,
        missing: None,
        unavailable: Vec::new(),
        integer: None,
        regions: Vec::new(),
        turnout: None,
        share: None,
        fingerprint: None,
        shpilkin: None,
        flags: Vec::new(),
        digits: crate::digits::by_choice(e, contest, protocols, 10)?,
    };
    let s = match crate::station::sample(e, contest, protocols, leader) {
        Ok(s) => s,
        Err(ForensicsError::MissingLine(line)) => {
            report.missing = Some(line);
            report.unavailable = [
                Test::WholePercentages,
                Test::Distribution,
                Test::Fingerprint,
                Test::Shpilkin,
                Test::Flags,
            ]
            .into_iter()
            .map(|test| Unavailable {
                test,
                why: Why::NoTurnout,
            })
            .collect();
            return Ok(report);
        }
        Err(err) => return Err(err),
    };
    let threads = crate::default_threads();
    let mc = mc.map(|(replicates, seed)| crate::montecarlo::Options {
        replicates,
        seed,
        threads,
    });
    let ip = crate::integer_percentage(&s, threads, mc)?;
    let kept = &ip.observed.filtered.kept;
    let either: Vec<f64> = ip.exact.probabilities.iter().map(|p| p[2]).collect();
    let mut regions = crate::region::by_region(kept, &either, &crate::region::groups(e, kept));
    regions.truncate(LISTED);
    report.regions = regions
        .into_iter()
        .map(|r| (e.units.path(model::UnitId(r.group as u32)), r))
        .collect();
    let histogram = |bins: &[u64]| Histogram {
        svg: crate::plot::histogram_svg(bins),
        spikes: crate::distribution::spikes(bins),
    };
    report.turnout = Some(histogram(&ip.turnout.bins));
    report.share = Some(histogram(&crate::distribution::leader_share_bins(
        &s.stations,
    )));
    match crate::shpilkin::estimate(&s.stations, true) {
        Ok(shp) => report.shpilkin = Some(shp),
        Err(ForensicsError::NothingLeft) => report.unavailable.push(Unavailable {
            test: Test::Shpilkin,
            why: Why::NoCleanBin,
        }),
        Err(err) => return Err(err),
    }
    let fp = crate::fingerprint::fingerprint(&s.stations);
    let plot = crate::plot::svg(&fp, true, None)?;
    report.fingerprint = Some((fp, plot));
    let flags = crate::flags::flags(&s.stations, &crate::region::groups(e, &s.stations));
    report.flags = flags
        .into_iter()
        .take(LISTED)
        .map(|f| (e.units.path(s.stations[f.index].unit), f))
        .collect();
    report.integer = Some(ip);
    report.leader = Some(s.leader);
    Ok(report)
}
