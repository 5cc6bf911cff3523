//! The forensic report as a page, in the reader's language: every test
//! `forensics::report::build` ran, what it does, what its result does and does not mean, its
//! numbers in the page's language, and its plots (SVG that scales to its box) each with a text
//! alternative: a caption naming the axes and a sentence with the key numbers. One template
//! for the results service (under its layout, [`body`]) and the command line's file
//! ([`standalone`]).

use forensics::digits::{ChoiceDigits, DigitTest, DigitWarning};
use forensics::distribution::Spikes;
use forensics::fingerprint::Fingerprint;
use forensics::report::{Histogram, Report, Test, Why};
use forensics::shpilkin::Shpilkin;
use forensics::{IntegerPercentage, NullSummary};
use maud::{html, Markup, PreEscaped};

use crate::{Lang, Tr, T};

/// The papers the tests follow, as they are cited (in English, their language).
const SOURCES: &str = "Kobak, Shpilkin & Pshenichnikov, Ann. Appl. Stat. 10(1) 2016; \
    Klimek et al., PNAS 109(41) 2012; Shpilkin, as in Kalinin & Mebane's EFToolkit; \
    Mebane 2006; Beber & Scacco, Political Analysis 20(2) 2012.";

/// The report's title in `l`.
pub fn title(l: Lang, r: &Report) -> Tr {
    l.f(T::FxReportOf, &[("election", &r.election)])
}

/// The report as a file of its own: the same content, no site around it.
pub fn standalone(l: Lang, r: &Report) -> String {
    crate::layout::standalone(l, title(l, r), body(l, r))
}

/// The report's content, under a page's heading.
pub fn body(l: Lang, r: &Report) -> Markup {
    html! {
        @if let Some(leader) = &r.leader {
            p { (l.t(T::FxLeader)) " " b { (leader) } }
        }
        p.note { (l.t(T::FxIntro)) }
        @if !r.unavailable.is_empty() {
            h2 { (l.t(T::FxUnavailable)) }
            ul { @for u in &r.unavailable { li { (l.t(test(u.test))) ": " (l.t(why(u.why))) } } }
        }
        @if let Some(ip) = &r.integer { (integer(l, ip, r)) }
        @if r.turnout.is_some() || r.share.is_some() { h2 { (l.t(T::FxDistribution)) } }
        @if let Some(h) = &r.turnout { (histogram(l, h, T::FxTurnoutCaption)) }
        @if let Some(h) = &r.share {
            (histogram(l, h, T::FxShareCaption))
            p.note { (l.t(T::FxSpikesNote)) }
        }
        @if let Some((f, svg)) = &r.fingerprint { (fingerprint(l, f, svg)) }
        @if let Some(s) = &r.shpilkin { (shpilkin(l, s)) }
        @if !r.flags.is_empty() { (flags(l, r)) }
        @if !r.digits.is_empty() { (digits(l, &r.digits)) }
        p.note { small { (l.t(T::FxSources)) " " span lang="en" { (SOURCES) } } }
    }
}

/// A test's name: its section's heading.
fn test(t: Test) -> T {
    match t {
        Test::WholePercentages => T::FxInteger,
        Test::Distribution => T::FxDistribution,
        Test::Fingerprint => T::FxFingerprint,
        Test::Shpilkin => T::FxShpilkin,
        Test::Flags => T::FxFlags,
    }
}

fn why(w: Why) -> T {
    match w {
        Why::NoTurnout => T::FxWhyNoTurnout,
        Why::NoCleanBin => T::FxWhyNoCleanBin,
    }
}

fn integer(l: Lang, ip: &IntegerPercentage, r: &Report) -> Markup {
    let e = &ip.exact.either;
    let mut rows: Vec<(Tr, &NullSummary)> = vec![
        (l.t(T::FxRowLeader), &ip.exact.leader),
        (l.t(T::FxRowTurnout), &ip.exact.turnout),
        (l.t(T::FxRowEither), &ip.exact.either),
    ];
    if let Some(mc) = &ip.monte_carlo {
        let n = l.count(u64::from(mc.replicates));
        rows.push((l.f(T::FxRowMonteCarlo, &[("replicates", &n)]), &mc.either));
    }
    let verdict = if e.excess > e.line999 {
        l.f(
            T::FxIntegerExcess,
            &[
                ("excess", &l.fixed(e.excess, 0)),
                ("line", &l.fixed(e.line999, 0)),
            ],
        )
    } else {
        l.t(T::FxIntegerWithin)
    };
    let used = l.count(ip.observed.stations_used as u64);
    html! {
        h2 { (l.t(T::FxInteger)) }
        p { (l.f(T::FxIntegerUsed, &[("stations", &used)])) }
        // The caption above the box rather than in the table, which is wider than a phone:
        // it stays readable without scrolling.
        p #fx-integer-caption { strong { (l.t(T::FxIntegerCaption)) } }
        div.scroll tabindex="0" { table aria-labelledby="fx-integer-caption" {
            thead { tr {
                th scope="col" { (l.t(T::FxColWholeIn)) }
                @for t in [T::FxColObserved, T::FxColExpected, T::FxColExcess, T::FxColSd, T::FxColLine, T::FxColP] {
                    th.n scope="col" { (l.t(t)) }
                }
            } }
            tbody { @for (label, s) in &rows {
                tr {
                    th scope="row" { (label) }
                    td.n { (l.count(s.observed)) }
                    td.n { (l.fixed(s.expected, 1)) }
                    td.n { (l.fixed(s.excess, 1)) }
                    td.n { (l.fixed(s.sd, 1)) }
                    td.n { (l.fixed(s.line999, 1)) }
                    td.n { (p_value(l, s.p_value, s.p_value_is_bound)) }
                }
            } }
        } }
        p.note { (verdict) " " (l.t(T::FxIntegerNote)) }
        @if !r.regions.is_empty() {
            h3 { (l.t(T::FxRegions)) }
            div.scroll tabindex="0" { table {
                thead { tr {
                    th scope="col" { (l.t(T::FxColRegion)) }
                    @for t in [T::ColStations, T::FxColObserved, T::FxColExpected, T::FxColZ] {
                        th.n scope="col" { (l.t(t)) }
                    }
                } }
                tbody { @for (name, x) in &r.regions {
                    tr {
                        td.name { (name) }
                        td.n { (l.count(x.stations as u64)) }
                        td.n { (l.count(x.observed)) }
                        td.n { (l.fixed(x.expected, 1)) }
                        td.n { (l.fixed(x.z, 1)) }
                    }
                } }
            } }
            p.note { (l.t(T::FxRegionsNote)) }
        }
    }
}

/// A plot and its text alternative: the caption names the axes, a sentence gives the key
/// numbers; the drawing itself is hidden from screen readers, which read those instead.
fn figure(svg: &str, caption: Tr, numbers: Tr) -> Markup {
    html! {
        figure.plot {
            // The forensics crate's SVG: numbers and colours it computed, no text from the data.
            div aria-hidden="true" { (PreEscaped(svg)) }
            figcaption { (caption) " " (numbers) }
        }
    }
}

fn histogram(l: Lang, h: &Histogram, caption: T) -> Markup {
    let s: &Spikes = &h.spikes;
    let tenths = |b: usize| l.percent(&format!("{}.{}", b / 10, b % 10));
    let ratio = if s.neighbours > 0.0 {
        l.fixed(s.whole as f64 / s.neighbours, 2)
    } else {
        "–".to_string()
    };
    let numbers = l.f(
        T::FxHistogramNumbers,
        &[
            ("stations", &l.count(s.stations)),
            ("median", &tenths(s.median)),
            ("peak", &tenths(s.peak.0)),
            ("peak_stations", &l.count(s.peak.1)),
            ("whole", &l.count(s.whole)),
            ("neighbours", &l.fixed(s.neighbours, 0)),
            ("ratio", &ratio),
        ],
    );
    figure(&h.svg, l.t(caption), numbers)
}

fn fingerprint(l: Lang, f: &Fingerprint, svg: &str) -> Markup {
    let numbers = l.f(
        T::FxFingerprintNumbers,
        &[
            ("stations", &l.count(f.stations as u64)),
            ("registered", &l.count(f.registered)),
        ],
    );
    html! {
        h2 { (l.t(T::FxFingerprint)) }
        (figure(svg, l.t(T::FxFingerprintCaption), numbers))
        p.note { (l.f(T::FxFingerprintNote, &[
            ("corner", &l.count(f.corner_stations as u64)),
            ("share", &percent(l, f.corner_voters_pct, 2)),
            ("skewness", &l.fixed(f.log_vote_rate_skewness, 2)),
            ("kurtosis", &l.fixed(f.log_vote_rate_excess_kurtosis, 2)),
        ])) }
    }
}

fn shpilkin(l: Lang, s: &Shpilkin) -> Markup {
    let moved = |x: Option<f64>| x.map_or("–".to_string(), |x| l.fixed(x, 0));
    html! {
        h2 { (l.t(T::FxShpilkin)) }
        p {
            (l.f(T::FxShpilkinClean, &[
                ("turnout", &percent(l, s.official_turnout_pct, 2)),
                ("from", &s.clean_bin.to_string()),
                ("to", &(s.clean_bin + 1).to_string()),
                ("share", &percent(l, 100.0 * s.clean_share, 2)),
            ]))
            " " (l.t(T::FxShpilkinExcess)) " " b { (l.fixed(s.excess, 0)) } " "
            (l.f(T::FxShpilkinOf, &[
                ("votes", &l.count(s.leader_votes)),
                ("share", &percent(l, s.excess_pct_of_leader, 1)),
                ("lower", &moved(s.excess_if_clean_bin_moves[0])),
                ("higher", &moved(s.excess_if_clean_bin_moves[1])),
            ]))
        }
        p.note { (l.t(T::FxShpilkinNote)) }
    }
}

fn flags(l: Lang, r: &Report) -> Markup {
    html! {
        h2 { (l.t(T::FxFlags)) }
        div.scroll tabindex="0" { table {
            thead { tr {
                th scope="col" { (l.t(T::FxColStation)) }
                @for t in [T::FxColScore, T::FxColTurnout, T::FxColLeader] { th.n scope="col" { (l.t(t)) } }
                th scope="col" { (l.t(T::FxColWhole)) }
            } }
            tbody { @for (path, f) in &r.flags {
                tr {
                    td.name.path { (path) }
                    td.n { @if f.impossible { (l.t(T::FxImpossible)) } @else { (l.fixed(f.score, 2)) } }
                    td.n { (percent(l, f.turnout_pct, 2)) }
                    td.n { (percent(l, f.leader_pct, 2)) }
                    td { @match (f.integer_turnout, f.integer_leader) {
                        (true, true) => (l.t(T::FxWholeBoth)),
                        (true, false) => (l.t(T::FxWholeTurnout)),
                        (false, true) => (l.t(T::FxWholeLeader)),
                        (false, false) => "",
                    } }
                }
            } }
        } }
        p.note { (l.t(T::FxFlagsNote)) }
    }
}

fn digits(l: Lang, list: &[ChoiceDigits]) -> Markup {
    let cells = |t: &Option<DigitTest>| match t {
        Some(t) => (l.fixed(t.mean, 3), p_value(l, t.chi_square_p, false)),
        None => ("–".to_string(), "–".to_string()),
    };
    html! {
        h2 { (l.t(T::FxDigits)) }
        div.scroll tabindex="0" { table {
            thead { tr {
                th scope="col" { (l.t(T::ColChoice)) }
                @for t in [T::FxColCounts, T::FxColSecond, T::FxColP, T::FxColLast, T::FxColP] { th.n scope="col" { (l.t(t)) } }
                th scope="col" { (l.t(T::FxColWarnings)) }
            } }
            tbody { @for c in list {
                @let (m2, p2) = cells(&c.second_digit);
                @let (ml, pl) = cells(&c.last_digit);
                tr {
                    td.name { (c.choice) }
                    td.n { (l.count(c.second_digit.as_ref().map_or(0, |t| t.counts as u64))) }
                    td.n { (m2) } td.n { (p2) } td.n { (ml) } td.n { (pl) }
                    td { @for (i, w) in c.warnings.iter().enumerate() { @if i > 0 { " " } (warning(l, w)) } }
                }
            } }
        } }
        p.note { (l.t(T::FxDigitsNote)) }
    }
}

fn warning(l: Lang, w: &DigitWarning) -> Tr {
    match *w {
        DigitWarning::TooFew { counts, min } => l.f(
            T::FxWarnTooFew,
            &[("counts", &l.count(counts as u64)), ("min", &l.count(min))],
        ),
        DigitWarning::SmallMedian { median } => {
            l.f(T::FxWarnSmallMedian, &[("median", &l.count(median))])
        }
        DigitWarning::Narrow { p10, p90 } => l.f(
            T::FxWarnNarrow,
            &[("p10", &l.count(p10)), ("p90", &l.count(p90))],
        ),
    }
}

/// A percentage given in percent (`56.2`), with `decimals` decimals.
fn percent(l: Lang, x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    l.percent(&format!("{:.decimals$}", x))
}

/// A p-value: three decimals from 0.01 up, else `1.2 × 10⁻⁵`; `< ` before a bound.
fn p_value(l: Lang, p: f64, bound: bool) -> String {
    let text = if !p.is_finite() {
        "–".to_string()
    } else if p == 0.0 || p >= 0.01 {
        l.fixed(p, 3)
    } else {
        let sci = format!("{p:.1e}");
        let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
        let mantissa = if bound && mantissa == "1.0" {
            String::new()
        } else {
            format!("{} × ", l.decimal(mantissa))
        };
        let exponent: String = exponent.chars().map(superscript).collect();
        format!("{mantissa}10{exponent}")
    };
    if bound {
        format!("< {text}")
    } else {
        text
    }
}

fn superscript(c: char) -> char {
    match c {
        '-' => '⁻',
        '0' => '⁰',
        '1' => '¹',
        '2' => '²',
        '3' => '³',
        '4' => '⁴',
        '5' => '⁵',
        '6' => '⁶',
        '7' => '⁷',
        '8' => '⁸',
        '9' => '⁹',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_the_report_writes_them() {
        let cases: &[(Lang, f64, usize, &str)] = &[
            (Lang::En, 1234.56, 1, "1,234.6"),
            (Lang::Ru, 1234.56, 1, "1\u{a0}234,6"),
            (Lang::En, -3.25, 1, "\u{2212}3.2"),
            (Lang::En, -0.01, 1, "0.0"),
            (Lang::Ru, -1234.0, 0, "\u{2212}1\u{a0}234"),
            (Lang::En, f64::NAN, 2, "–"),
        ];
        for (l, x, d, want) in cases {
            assert_eq!(l.fixed(*x, *d), *want, "{x}");
        }
        assert_eq!(p_value(Lang::En, 0.2346, false), "0.235");
        assert_eq!(p_value(Lang::Ru, 0.000_012_3, false), "1,2 × 10⁻⁵");
        assert_eq!(p_value(Lang::En, 1e-30, true), "< 10⁻³⁰");
        assert_eq!(p_value(Lang::En, 2e-30, true), "< 2.0 × 10⁻³⁰");
        assert_eq!(p_value(Lang::En, 0.0, false), "0.000");
        assert_eq!(percent(Lang::Ru, 56.204, 2), "56,20\u{a0}%");
    }
}
