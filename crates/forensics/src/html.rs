//! The forensic report: one self-contained HTML page (inline SVG, no scripts, no external
//! files) with every test, its plot, and a paragraph saying in plain words what the result
//! does and does not mean.

use std::fmt::Write;

use crate::digits::ChoiceDigits;
use crate::fingerprint::Fingerprint;
use crate::flags::StationFlag;
use crate::plot::escape;
use crate::region::RegionExcess;
use crate::shpilkin::Shpilkin;
use crate::{IntegerPercentage, NullSummary};

/// Everything the report shows; a test that could not run is `None` and listed in
/// `unavailable` with the reason.
#[derive(Debug, Default)]
pub struct ReportInput<'a> {
    /// The election's name.
    pub election: &'a str,
    /// The leader the tests were run for, if any.
    pub leader: Option<&'a str>,
    /// The integer-percentage test.
    pub integer: Option<&'a IntegerPercentage>,
    /// The regions of the integer-percentage test, with their names.
    pub regions: &'a [(String, RegionExcess)],
    /// The turnout histogram (0.1-point bins).
    pub turnout_bins: Option<&'a [u64]>,
    /// The leader-share histogram (0.1-point bins).
    pub share_bins: Option<&'a [u64]>,
    /// The Shpilkin estimate.
    pub shpilkin: Option<&'a Shpilkin>,
    /// The fingerprint.
    pub fingerprint: Option<&'a Fingerprint>,
    /// The top flagged stations with their paths.
    pub flags: Vec<(String, &'a StationFlag)>,
    /// The digit tests.
    pub digits: &'a [ChoiceDigits],
    /// Tests that could not run, and why.
    pub unavailable: Vec<String>,
}

/// Renders the report.
pub fn report(r: &ReportInput<'_>) -> String {
    let mut h = String::with_capacity(1 << 20);
    let title = format!("Forensic report: {}", escape(r.election));
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto;line-height:1.45}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 8px;text-align:right}}\
         td:first-child,th:first-child{{text-align:left}}.note{{background:#f6f6f0;padding:0.6em 1em}}\
         svg{{max-width:100%;height:auto}}</style></head><body>\n<h1>{title}</h1>\n"
    );
    if let Some(l) = r.leader {
        let _ = writeln!(h, "<p>Leader tested: <b>{}</b>.</p>", escape(l));
    }
    h.push_str(
        "<p class=\"note\">Every test on this page looks for patterns that manipulation leaves \
         in station-level numbers. A positive result is a reason to look closer (at the \
         protocols, the ballots, the observers' reports), never proof of fraud: each test has \
         honest causes of false alarms, named below.</p>\n",
    );
    if !r.unavailable.is_empty() {
        h.push_str("<h2>Tests that could not run</h2><ul>");
        for u in &r.unavailable {
            let _ = write!(h, "<li>{}</li>", escape(u));
        }
        h.push_str("</ul>\n");
    }
    if let Some(ip) = r.integer {
        integer_section(&mut h, ip, r.regions);
    }
    if let Some(b) = r.turnout_bins {
        h.push_str("<h2>Turnout distribution</h2>");
        h.push_str(&crate::plot::histogram_svg(
            b,
            "Stations by turnout (0.1-point bins; whole percentages in red)",
            "turnout, %",
        ));
    }
    if let Some(b) = r.share_bins {
        h.push_str(&crate::plot::histogram_svg(
            b,
            "Stations by the leader's share of ballots (0.1-point bins; whole percentages in red)",
            "leader, %",
        ));
        h.push_str(
            "<p>Red spikes standing above their blue neighbours are stations reporting round \
             numbers more often than counting produces. Small stations also make spikes at \
             simple fractions (50%, 66.7%), which is arithmetic, not manipulation.</p>\n",
        );
    }
    if let Some(f) = r.fingerprint {
        fingerprint_section(&mut h, f, r.election, r.leader.unwrap_or("the leader"));
    }
    if let Some(s) = r.shpilkin {
        shpilkin_section(&mut h, s);
    }
    if !r.flags.is_empty() {
        flags_section(&mut h, &r.flags);
    }
    digits_section(&mut h, r.digits);
    h.push_str("<p><small>Made by tallyproof. Sources: Kobak, Shpilkin &amp; Pshenichnikov, Ann. Appl. Stat. 10(1) 2016; Klimek et al., PNAS 109(41) 2012; Mebane 2006; Beber &amp; Scacco, Political Analysis 20(2) 2012.</small></p></body></html>\n");
    h
}

fn integer_section(h: &mut String, ip: &IntegerPercentage, regions: &[(String, RegionExcess)]) {
    let o = &ip.observed;
    let e = &ip.exact.either;
    let _ = write!(
        h,
        "<h2>Whole-number percentages (Kobak, Shpilkin &amp; Pshenichnikov 2016)</h2>\
         <p>{} stations pass the filters (at least 100 voters, ballots found, turnout and leader \
         at most 99%).</p><table><tr><th>integer in</th><th>observed</th><th>expected</th>\
         <th>excess</th><th>sd</th><th>significance line (99.9%)</th><th>p</th></tr>",
        o.stations_used
    );
    let mut row = |label: &str, s: &NullSummary| {
        let p = if s.p_value_is_bound {
            format!("&lt; {:.0e}", s.p_value)
        } else {
            format!("{:.2e}", s.p_value)
        };
        let _ = write!(
            h,
            "<tr><td>{label}</td><td>{}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td><td>{p}</td></tr>",
            s.observed, s.expected, s.excess, s.sd, s.line999
        );
    };
    row("leader's result (exact null)", &ip.exact.leader);
    row("turnout (exact null)", &ip.exact.turnout);
    row("either (exact null)", &ip.exact.either);
    if let Some(mc) = &ip.monte_carlo {
        row(
            &format!("either (Monte Carlo, {} replicates)", mc.replicates),
            &mc.either,
        );
    }
    h.push_str("</table>");
    let verdict = if e.excess > e.line999 {
        format!(
            "{:.0} more stations report a whole-number turnout or leader percentage than \
             chance would give, beyond the significance line of {:.0}: numbers like these are \
             what a count written to a target produces.",
            e.excess, e.line999
        )
    } else {
        "The number of whole-number percentages is within what chance gives.".to_string()
    };
    let _ = write!(
        h,
        "<p class=\"note\">{verdict} The expected count is exact: each station's chance of a \
         whole percentage under binomial counting, summed. It does not say which stations, or \
         who wrote the numbers; a commission rounding honestly counted results would also \
         produce an excess.</p>"
    );
    if !regions.is_empty() {
        h.push_str("<h3>By region (highest z first)</h3><table><tr><th>region</th><th>stations</th><th>observed</th><th>expected</th><th>z</th></tr>");
        for (name, x) in regions.iter().take(25) {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td><td>{:.1}</td></tr>",
                escape(name),
                x.stations,
                x.observed,
                x.expected,
                x.z
            );
        }
        h.push_str("</table><p>Regions with z above 3 carry most of the excess; many regions near 0 mean the pattern is local, not national.</p>\n");
    }
}

fn fingerprint_section(h: &mut String, f: &Fingerprint, election: &str, leader: &str) {
    let _ = writeln!(
        h,
        "<h2>Election fingerprint (Klimek et al. 2012)</h2>{}\
         <p class=\"note\">Stations by turnout (left to right) and the leader's share (bottom to \
         top), weighted by voters. One round blob is what the paper finds in fair elections. \
         A smear towards the upper right, and a cluster in the top-right corner, is the shape \
         of ballot stuffing and of results written in: here {} stations with {:.2}% of the \
         voters report at least 95% turnout and 95% for the leader. The log vote rate has \
         skewness {:.2} and excess kurtosis {:.2} (both near 0 in the fair elections of the \
         paper). Places that really do vote as one (closed institutions, some rural \
         communities) also land in the corner.</p>\n",
        crate::plot::svg(f, true, &format!("{election}: turnout × {leader}")),
        f.corner_stations,
        f.corner_voters_pct,
        f.log_vote_rate_skewness,
        f.log_vote_rate_excess_kurtosis
    );
}

fn shpilkin_section(h: &mut String, s: &Shpilkin) {
    let moved = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.0}"));
    let _ = writeln!(
        h,
        "<h2>Shpilkin method</h2><p>Official turnout {:.2}%. Clean bin {}–{}% (below the \
         official turnout, the most votes for the others); the leader has {:.2}% there. \
         Excess leader votes: <b>{:.0}</b> of {} ({:.1}%); {} with the clean bin one point \
         lower, {} one point higher.</p><p class=\"note\">This assumes the leader's share would \
         be the same at every turnout as at the clean bin. Where honest voters who turn out \
         more also like the leader more, the method counts them too: the figure is an estimate \
         under that assumption, not a count of stolen votes.</p>",
        s.official_turnout_pct,
        s.clean_bin,
        s.clean_bin + 1,
        100.0 * s.clean_share,
        s.excess,
        s.leader_votes,
        s.excess_pct_of_leader,
        moved(s.excess_if_clean_bin_moves[0]),
        moved(s.excess_if_clean_bin_moves[1])
    );
}

fn flags_section(h: &mut String, flags: &[(String, &StationFlag)]) {
    h.push_str("<h2>Stations to look at first</h2><table><tr><th>station</th><th>score</th><th>turnout %</th><th>leader %</th><th>whole %</th></tr>");
    for (path, f) in flags {
        let whole = f.whole();
        let score = if f.impossible {
            "impossible counts".to_string()
        } else {
            format!("{:.2}", f.score)
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{score}</td><td>{:.2}</td><td>{:.2}</td><td>{whole}</td></tr>",
            escape(path),
            f.turnout_pct,
            f.leader_pct
        );
    }
    h.push_str("</table><p class=\"note\">The score adds how far turnout and the leader's share stand above the region's and how unlikely the station's whole percentages are. It ranks stations for a recount or an audit; it is not a finding about any of them.</p>\n");
}

fn digits_section(h: &mut String, digits: &[ChoiceDigits]) {
    if digits.is_empty() {
        return;
    }
    h.push_str("<h2>Digit tests</h2><table><tr><th>choice</th><th>counts</th><th>2nd-digit mean (Benford 4.187)</th><th>p</th><th>last-digit mean (uniform 4.5)</th><th>p</th><th>warnings</th></tr>");
    for c in digits {
        let cell = |t: &Option<crate::digits::DigitTest>| match t {
            Some(t) => (format!("{:.3}", t.mean), format!("{:.1e}", t.chi_square_p)),
            None => ("-".into(), "-".into()),
        };
        let (m2, p2) = cell(&c.second_digit);
        let (ml, pl) = cell(&c.last_digit);
        let n = c.second_digit.as_ref().map_or(0, |t| t.counts);
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{n}</td><td>{m2}</td><td>{p2}</td><td>{ml}</td><td>{pl}</td><td style=\"text-align:left\">{}</td></tr>",
            escape(&c.choice),
            escape(&c.warnings.join(" "))
        );
    }
    h.push_str("</table><p class=\"note\">Invented numbers tend to have the wrong digits. But honest counts break these laws too when they are small or bunched within one order of magnitude, as the warnings say; a small p with a warning means nothing.</p>\n");
}
