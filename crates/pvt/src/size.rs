//! How large a sample must be (`shared/design/observers.md`, 3.2): plan in voters with the
//! NDI formula, then convert to stations, times the design effect (a station is a cluster
//! of voters who vote alike, so n stations of m̄ voters tell less than n·m̄ voters drawn one
//! by one; [`crate::estimate::design_effect`] measures it on a previous election).

use crate::{Confidence, PvtError};

/// Voters a simple random sample needs for margin `margin` (a fraction: 0.0032 is ±0.32
/// points) at `confidence`, from `eligible` voters whose share is `p` (0.5 is the most
/// conservative): `p(1-p) / (E²/z² + p(1-p)/N)`.
pub fn voters_needed(
    eligible: u64,
    margin: f64,
    confidence: Confidence,
    p: f64,
) -> Result<f64, PvtError> {
    if eligible == 0 {
        return Err(PvtError::invalid("eligible", "no eligible voters"));
    }
    if !(margin > 0.0 && margin < 1.0) {
        return Err(PvtError::invalid(
            "margin",
            format!("{margin}: a margin is a fraction above 0 and below 1"),
        ));
    }
    let pq = spread(p)?;
    let z = confidence.z();
    Ok(pq / (margin * margin / (z * z) + pq / eligible as f64))
}

/// Stations to sample: `deff · voters / per_station`, rounded up, where `per_station` is
/// the mean voters per station (m̄) and `deff` the design effect (1: stations as diverse as
/// single voters).
pub fn stations_needed(voters: f64, per_station: f64, deff: f64) -> Result<u64, PvtError> {
    if !(voters.is_finite() && voters > 0.0) {
        return Err(PvtError::invalid(
            "voters",
            format!("{voters}: none to plan for"),
        ));
    }
    if !(per_station.is_finite() && per_station > 0.0) {
        return Err(PvtError::invalid(
            "per_station",
            format!("{per_station}: a station has voters"),
        ));
    }
    if !(deff.is_finite() && deff > 0.0) {
        return Err(PvtError::invalid(
            "deff",
            format!("{deff}: a design effect is above 0"),
        ));
    }
    Ok((deff * voters / per_station).ceil() as u64)
}

/// The margin of a sample of `stations` taken as if each were one voter:
/// `z · sqrt(p(1-p) / n)`, the handbook's station-level figure (an upper bound: the true
/// quick-count margin lies between it and the voter-level one).
pub fn station_margin(stations: u64, confidence: Confidence, p: f64) -> Result<f64, PvtError> {
    if stations == 0 {
        return Err(PvtError::invalid("stations", "no station sampled"));
    }
    Ok(confidence.z() * (spread(p)? / stations as f64).sqrt())
}

/// `p(1-p)`, for a share strictly between 0 and 1.
fn spread(p: f64) -> Result<f64, PvtError> {
    if !(p > 0.0 && p < 1.0) {
        return Err(PvtError::invalid(
            "p",
            format!("{p}: a share strictly between 0 and 1"),
        ));
    }
    Ok(p * (1.0 - p))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NDI's handbook, Peru 2001 (`shared/design/observers.md`, 3.2): N = 14,570,774, E =
    /// 0.32%, 99% confidence. The book prints 163,185 voters from rounded intermediate
    /// values; the formula evaluated in exact rational arithmetic gives 160,717.2648 (Python's
    /// `fractions`; the float agrees to 1e-6 of a voter). From the book's 163,185 voters its station counts follow: 1,020 at
    /// 160 voters a station and 816 at 200 (the book's 324 at 500 is not 163,185 / 500 =
    /// 326.4, rounded up 327).
    #[test]
    fn the_handbooks_peru_2001_example() {
        let n = voters_needed(14_570_774, 0.0032, Confidence::P99, 0.5).unwrap();
        assert!((n - 160_717.264_758).abs() < 1e-6, "{n}");
        assert_eq!(stations_needed(163_185.0, 160.0, 1.0), Ok(1020));
        assert_eq!(stations_needed(163_185.0, 200.0, 1.0), Ok(816));
        assert_eq!(stations_needed(163_185.0, 500.0, 1.0), Ok(327));
        // A design effect of 2 doubles the stations.
        assert_eq!(stations_needed(163_185.0, 200.0, 2.0), Ok(1632));
        // Station-level margins: 1,020 stations at 95% give ±3.07 points (the book prints
        // 3.01), 816 at 95% ±3.43 and 324 at 99% ±7.17 (printed 7.1): to 0.005 of a point.
        for (stations, confidence, points) in [
            (1020, Confidence::P95, 3.07),
            (816, Confidence::P95, 3.43),
            (324, Confidence::P99, 7.17),
        ] {
            let m = station_margin(stations, confidence, 0.5).unwrap() * 100.0;
            assert!((m - points).abs() < 0.005, "{stations}: {m}");
        }
    }

    #[test]
    fn parameters_out_of_range_are_named() {
        let field = |e: PvtError| match e {
            PvtError::Invalid { field, .. } => field,
        };
        assert_eq!(
            field(voters_needed(0, 0.01, Confidence::P95, 0.5).unwrap_err()),
            "eligible"
        );
        assert_eq!(
            field(voters_needed(10, 0.0, Confidence::P95, 0.5).unwrap_err()),
            "margin"
        );
        assert_eq!(
            field(voters_needed(10, f64::NAN, Confidence::P95, 0.5).unwrap_err()),
            "margin"
        );
        assert_eq!(
            field(voters_needed(10, 0.01, Confidence::P95, 1.0).unwrap_err()),
            "p"
        );
        assert_eq!(
            field(stations_needed(10.0, 0.0, 1.0).unwrap_err()),
            "per_station"
        );
        assert_eq!(field(stations_needed(10.0, 5.0, -1.0).unwrap_err()), "deff");
        assert_eq!(
            field(station_margin(0, Confidence::P95, 0.5).unwrap_err()),
            "stations"
        );
    }
}
