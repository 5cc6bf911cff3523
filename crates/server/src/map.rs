//! A region map as a tile-grid cartogram: one square per region, placed roughly where the
//! region lies, coloured by the leading choice. Equal tiles give every region the same
//! weight on the page (a cartogram of regions, not of land), and need no boundary file.
//! Kyrgyzstan's regions have a hand-placed layout (north to south, west to east); any other
//! election's regions are laid out in rows, in the order of the results table.

use formats::report::Report;
use html_escape::encode_text as text;

use crate::pages::urlencode;

/// Kyrgyzstan's first-level units as the CEC's 2020 files name them, at (column, row): Talas,
/// Chüy with Bishkek, Issyk-Kul along the north; Jalal-Abad and Naryn in the middle; Batken,
/// Osh oblast and Osh city in the south; stations abroad (МИД КР) apart.
const KYRGYZSTAN: &[(&str, u32, u32, &str)] = &[
    ("ТАЛАССКАЯ ТИК", 0, 0, "Talas"),
    ("ЧУЙСКАЯ ОБЛАСТЬ", 1, 0, "Chüy"),
    ("БИШКЕК Г.", 2, 0, "Bishkek"),
    ("ЫСЫК-КУЛЬСКАЯ ОБЛАСТЬ", 3, 0, "Issyk-Kul"),
    ("ДЖАЛАЛ-АБАДСКАЯ ОБЛАСТЬ", 1, 1, "Jalal-Abad"),
    ("НАРЫНСКАЯ ОБЛАСТЬ", 2, 1, "Naryn"),
    ("БАТКЕНСКАЯ ОБЛАСТЬ", 0, 2, "Batken"),
    ("ОШСКАЯ ОБЛАСТЬ", 1, 2, "Osh oblast"),
    ("ОШ Г.", 2, 2, "Osh city"),
    ("МИД КР", 4, 2, "abroad"),
];

/// Colours of the leading choices, in order of first appearance.
const COLOURS: &[&str] = &[
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
];

/// The map of a region-level report (empty if the report is not by region).
pub fn tiles(r: &Report, name: &str) -> String {
    let rows: Vec<_> = r.rows.iter().skip(1).collect();
    if rows.is_empty() || r.level != model::UnitLevel::Region {
        return String::new();
    }
    let known = rows.iter().all(|row| {
        let n = row.path.last().map_or("", String::as_str);
        KYRGYZSTAN.iter().any(|(k, ..)| *k == n)
    });
    let width = (rows.len() as f64).sqrt().ceil() as u32;
    let place = |i: usize, n: &str| -> (u32, u32, String) {
        match KYRGYZSTAN.iter().find(|(k, ..)| *k == n) {
            Some((_, c, r, label)) if known => (*c, *r, label.to_string()),
            _ => (i as u32 % width, i as u32 / width, n.to_string()),
        }
    };
    let (tile, gap) = (110u32, 6u32);
    let mut leaders: Vec<usize> = Vec::new();
    let mut cells = String::new();
    let (mut max_c, mut max_r) = (0, 0);
    for (i, row) in rows.iter().enumerate() {
        let n = row.path.last().map_or("", String::as_str);
        let (c, rr, label) = place(i, n);
        max_c = max_c.max(c);
        max_r = max_r.max(rr);
        let total: u64 = row.totals.votes.iter().sum();
        let leader = row.totals.leader();
        let colour = match leader {
            Some(l) if total > 0 => {
                let k = leaders.iter().position(|x| *x == l).unwrap_or_else(|| {
                    leaders.push(l);
                    leaders.len() - 1
                });
                COLOURS[k % COLOURS.len()]
            }
            _ => "#cccccc",
        };
        let share = match leader {
            Some(l) if total > 0 => {
                format!("{:.1}%", 100.0 * row.totals.votes[l] as f64 / total as f64)
            }
            _ => "no results".into(),
        };
        let (x, y) = (c * (tile + gap), rr * (tile + gap));
        cells.push_str(&format!(
            "<a href=\"/elections/{}/units/{}\"><rect x=\"{x}\" y=\"{y}\" width=\"{tile}\" height=\"{tile}\" rx=\"6\" fill=\"{colour}\">\
<title>{}: {}</title></rect><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#fff\">{}</text>\
<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\" fill=\"#fff\">{share}</text></a>",
            urlencode(name),
            row.unit.0,
            text(n),
            text(&leader.map_or(String::new(), |l| r.choices[l].clone())),
            x + tile / 2,
            y + tile / 2 - 4,
            text(&crate::pages::shorten(&label, 16)),
            x + tile / 2,
            y + tile / 2 + 14,
        ));
    }
    let legend: String = leaders
        .iter()
        .enumerate()
        .map(|(k, &l)| {
            format!(
                "<span style=\"color:{}\">&#9632;</span> {} ",
                COLOURS[k % COLOURS.len()],
                text(&r.choices[l])
            )
        })
        .collect();
    let (w, h) = ((max_c + 1) * (tile + gap), (max_r + 1) * (tile + gap));
    format!(
        "<h2>Map <small>/ Карта</small></h2><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" role=\"img\" \
aria-label=\"the leading choice in each region\">{cells}</svg><p><small>Leading choice and its share of the votes in each region \
(one tile per region, placed roughly where it lies{}): {legend}</small></p>",
        if known { "" } else { "; here in the order of the table below" }
    )
}
