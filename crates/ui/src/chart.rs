//! Charts that scale to the screen: votes as bars drawn in HTML (a table that is its own text
//! alternative, with the law's threshold as a dashed line), and the seats as a hemicycle in
//! SVG with a `viewBox`, described by its `aria-label` and the table beside it.

use maud::{html, Markup, PreEscaped};

use crate::{Lang, Tr};

/// One bar: a choice, its votes and its share of the base.
pub struct Bar<'a> {
    /// The choice's name, from the data.
    pub label: &'a str,
    /// Its votes.
    pub votes: u64,
    /// Its share, formatted in the page's language.
    pub share: String,
}

/// Where the threshold line goes: the least votes that reach it, and what the line is (e.g.
/// "the law's threshold: 7% of voters who took part").
pub struct Threshold {
    /// The least votes that reach the threshold.
    pub votes: u64,
    /// What it is, for the legend.
    pub label: Tr,
}

/// The bars as a table of two columns, so that it fits a phone: the name with its bar under
/// it, and the votes with the share under them. Bars and the threshold line are scaled to the
/// largest.
pub fn bars(
    l: Lang,
    caption: Tr,
    head: [Tr; 3],
    rows: &[Bar<'_>],
    threshold: Option<&Threshold>,
) -> Markup {
    let max = rows.iter().map(|b| b.votes).max().unwrap_or(0).max(1) as f64;
    let thr = threshold.map(|t| (t.votes as f64 / max * 100.0).min(100.0));
    html! {
        div.scroll tabindex="0" {
            table {
                caption { (caption)
                    @if let Some(t) = threshold { " " small { "(┆ " (t.label) ")" } }
                }
                thead { tr { th scope="col" { (head[0]) } th.n scope="col" { (head[1]) br; small { (head[2]) } } } }
                tbody {
                    @for b in rows {
                        tr {
                            td.name {
                                (b.label)
                                div.track aria-hidden="true" {
                                    div.fill style=(format!("width:{:.1}%", b.votes as f64 / max * 100.0)) {}
                                    @if let Some(x) = thr { div.thr style=(format!("left:{x:.1}%")) {} }
                                }
                            }
                            td.n { (l.count(b.votes)) br; small { (b.share) } }
                        }
                    }
                }
            }
        }
    }
}

/// Colours for the parties that hold seats, in seat order; each is at least 3:1 against white
/// (WCAG's non-text contrast).
pub const COLOURS: [&str; 10] = [
    "#0a4f99", "#b3261e", "#2e7d32", "#6a3d9a", "#00737a", "#b35900", "#37474f", "#880e4f",
    "#5d6d00", "#4527a0",
];

/// A hemicycle of seats coloured from left to right, scaled to its box.
pub fn hemicycle(colours: &[&str], label: &Tr) -> Markup {
    let n = colours.len();
    if n == 0 {
        return html! {};
    }
    let rows = ((n as f64 / 8.0).sqrt().ceil() as usize).max(1);
    let radii: Vec<f64> = (0..rows)
        .map(|r| 1.0 + r as f64 * 0.9 / rows.max(2) as f64 * 1.6)
        .collect();
    let total: f64 = radii.iter().sum();
    let mut per_row: Vec<usize> = radii
        .iter()
        .map(|r| ((n as f64) * r / total).floor() as usize)
        .collect();
    let mut k = rows;
    while per_row.iter().sum::<usize>() < n {
        k = if k == 0 { rows - 1 } else { k - 1 };
        per_row[k] += 1;
    }
    let mut seats: Vec<(f64, f64, f64)> = Vec::with_capacity(n);
    for (r, &count) in radii.iter().zip(&per_row) {
        for j in 0..count {
            let angle = if count == 1 {
                std::f64::consts::FRAC_PI_2
            } else {
                std::f64::consts::PI * (1.0 - j as f64 / (count - 1) as f64)
            };
            seats.push((angle, r * angle.cos(), r * angle.sin()));
        }
    }
    seats.sort_by(|a, b| b.0.total_cmp(&a.0));
    let scale = 150.0 / radii.last().copied().unwrap_or(1.0);
    let dot = (scale * 0.9 / rows as f64).clamp(2.0, 9.0);
    let mut circles = String::new();
    for ((_, x, y), c) in seats.iter().zip(colours) {
        circles.push_str(&format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{:.1}\" fill=\"{c}\"/>",
            170.0 + x * scale,
            170.0 - y * scale,
            dot * 0.45
        ));
    }
    html! {
        (crate::layout::label("l-hemicycle", label))
        svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 340 180" width="340" height="180" role="img" aria-labelledby="l-hemicycle" {
            // Numbers and colours from the constant table above: no text from the data.
            (PreEscaped(circles))
        }
    }
}
