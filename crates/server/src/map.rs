//! A region map as a tile-grid cartogram: one numbered square per region, placed roughly where
//! the region lies, coloured by the leading choice, with a legend and a table beside it that
//! says the same in words (colour is never the only carrier). Equal tiles give every region the
//! same weight (a cartogram of regions, not of land) and need no boundary file. Kyrgyzstan's
//! regions have a hand-placed layout (north to south, west to east); any other election's are
//! laid out in rows of at most [`COLUMNS`], in the order of the results table. The SVG scales
//! to the screen.

use formats::report::Report;
use maud::{html, Markup, PreEscaped};
use ui::{layout, Lang, T};

use crate::pages::{share, urlencode};

/// Kyrgyzstan's first-level units as the CEC's 2020 files name them, at (column, row): Talas,
/// Chüy with Bishkek, Issyk-Kul along the north; Jalal-Abad and Naryn in the middle; Batken,
/// Osh oblast and Osh city in the south; stations abroad (МИД КР) apart.
const KYRGYZSTAN: &[(&str, u32, u32)] = &[
    ("ТАЛАССКАЯ ТИК", 0, 0),
    ("ЧУЙСКАЯ ОБЛАСТЬ", 1, 0),
    ("БИШКЕК Г.", 2, 0),
    ("ЫСЫК-КУЛЬСКАЯ ОБЛАСТЬ", 3, 0),
    ("ДЖАЛАЛ-АБАДСКАЯ ОБЛАСТЬ", 1, 1),
    ("НАРЫНСКАЯ ОБЛАСТЬ", 2, 1),
    ("БАТКЕНСКАЯ ОБЛАСТЬ", 0, 2),
    ("ОШСКАЯ ОБЛАСТЬ", 1, 2),
    ("ОШ Г.", 2, 2),
    ("МИД КР", 4, 2),
];

/// The most tiles in a row of a map laid out in rows: 6 tiles of 60 and their gaps (390 px)
/// scaled into a 375 px phone's column (326 px measured) are 50 px each, touch targets of
/// 44 px and more (7 would be 43).
const COLUMNS: u32 = 6;

/// Colours of the leading choices, in order of first appearance; each at least 3:1 against
/// white and carrying white numbers at 4.5:1.
const COLOURS: &[&str] = &[
    "#0a4f99", "#b3261e", "#2e7d32", "#6a3d9a", "#00737a", "#8a4500", "#37474f", "#880e4f",
];

/// The shades of a leader's colour by its share of the votes: (the colour's weight against
/// white, the number's colour on it): under 50%, 50% to under 70%, 70% and over.
const SHADES: [(u32, &str); 3] = [(35, "#1b1b1b"), (70, "#ffffff"), (100, "#ffffff")];

/// The band of a leader's share `part / whole` (exact, in integers).
fn shade(part: u64, whole: u64) -> usize {
    let (p, w) = (u128::from(part) * 10, u128::from(whole));
    match () {
        _ if p < w * 5 => 0,
        _ if p < w * 7 => 1,
        _ => 2,
    }
}

/// `#rrggbb` mixed with white: `weight` percent of the colour.
fn mix(colour: &str, weight: u32) -> String {
    let channel =
        |i: usize| u32::from_str_radix(colour.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
    let m = |c: u32| (c * weight + 255 * (100 - weight)) / 100;
    format!(
        "#{:02x}{:02x}{:02x}",
        m(channel(1)),
        m(channel(3)),
        m(channel(5))
    )
}

/// The map of a region-level report, its legend and its table (nothing if the report is not
/// by region).
pub fn tiles(l: Lang, r: &Report, name: &str) -> Markup {
    let rows: Vec<_> = r.rows.iter().skip(1).collect();
    if rows.is_empty() || r.level != model::UnitLevel::Region {
        return html! {};
    }
    let known = rows.iter().all(|row| {
        let n = row.path.last().map_or("", String::as_str);
        KYRGYZSTAN.iter().any(|(k, ..)| *k == n)
    });
    let width = (rows.len() as u32).clamp(1, COLUMNS);
    let tile = if known { 100u32 } else { 60 };
    let gap = tile / 12;
    let mut leaders: Vec<usize> = Vec::new();
    let mut cells = String::new();
    let mut listed = Vec::new();
    let (mut max_c, mut max_r) = (0, 0);
    for (i, row) in rows.iter().enumerate() {
        let n = row.path.last().map_or("", String::as_str);
        let (c, rr) = match KYRGYZSTAN.iter().find(|(k, ..)| *k == n) {
            Some((_, c, r)) if known => (*c, *r),
            _ => (i as u32 % width, i as u32 / width),
        };
        max_c = max_c.max(c);
        max_r = max_r.max(rr);
        let total: u64 = row.totals.votes.iter().sum();
        let leader = row.totals.leader().filter(|_| total > 0);
        let colour = match leader {
            Some(x) => {
                let k = leaders.iter().position(|y| *y == x).unwrap_or_else(|| {
                    leaders.push(x);
                    leaders.len() - 1
                });
                COLOURS[k % COLOURS.len()]
            }
            None => "#6b7280",
        };
        let pct = leader.map(|x| share(l, row.totals.votes[x], total));
        // The shade says how large the lead is: the leader's share in bands (see SHADES).
        let band = leader.map_or(0, |x| shade(row.totals.votes[x], total));
        let (fill, ink) = (mix(colour, SHADES[band].0), SHADES[band].1);
        let (x, y) = (c * (tile + gap), rr * (tile + gap));
        // Only numbers and the constant colours go into the SVG text; names go in <title>
        // through maud's escaping.
        let title = html! { title { (n) ": " (leader.map_or(String::new(), |x| r.choices[x].clone())) " " (pct.clone().unwrap_or_default()) } };
        cells.push_str(&format!(
            "<a href=\"/elections/{}/units/{}\"><rect x=\"{x}\" y=\"{y}\" width=\"{tile}\" height=\"{tile}\" rx=\"6\" fill=\"{fill}\" stroke=\"{colour}\" stroke-width=\"2\">{}</rect>\
<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" font-weight=\"bold\" fill=\"{ink}\">{}</text></a>",
            urlencode(name),
            row.unit.0,
            title.into_string(),
            x + tile / 2,
            y + tile / 2 + tile / 8,
            tile * 2 / 5,
            i + 1,
        ));
        // What the share covers: the region's stations reporting.
        let reporting = l.f(
            T::ReportingOf,
            &[
                ("reporting", &l.count(row.totals.reporting)),
                ("stations", &l.count(row.totals.stations)),
            ],
        );
        listed.push((i + 1, row.unit.0, n, leader, pct, reporting));
    }
    let (w, h) = ((max_c + 1) * (tile + gap), (max_r + 1) * (tile + gap));
    let label = l.t(T::MapLabel);
    html! {
        h2 { (l.t(T::MapHeading)) }
        p.note { (l.t(if known { T::MapPlaced } else { T::MapInRows })) }
        (layout::label("l-map", &label))
        svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {w} {h}")) width=(w) height=(h) role="group" aria-labelledby="l-map" {
            (PreEscaped(cells))
        }
        p.note { (l.t(T::MapShades)) }
        p {
            @for (k, &x) in leaders.iter().enumerate() {
                span style=(format!("color:{}", COLOURS[k % COLOURS.len()])) aria-hidden="true" { "■ " }
                (r.choices[x]) " "
            }
        }
        details {
            summary { (l.t(T::MapTable)) }
            div.scroll tabindex="0" { table {
                thead { tr { th.n scope="col" { "№" } th scope="col" { (l.t(T::LevelRegion)) } th scope="col" { (l.t(T::ColLeader)) } th.n scope="col" { (l.t(T::ColShareOfVotes)) } th.n scope="col" { (l.t(T::ColStationsReporting)) } } }
                tbody {
                    @for (k, id, n, leader, pct, reporting) in &listed {
                        tr {
                            td.n { (k) }
                            td.name { a href=(format!("/elections/{}/units/{id}", urlencode(name))) { (n) } }
                            td.name { @match leader { Some(x) => (r.choices[*x]), None => (l.t(T::NoResults)) } }
                            td.n { (pct.clone().unwrap_or_default()) }
                            td.n { (reporting) }
                        }
                    }
                }
            } }
        }
    }
}

/// A map of counts by region (`regions`: each region's unit, name and count, in the tree's
/// order), laid out as [`tiles`] lays out regions, each tile shaded by its count against the
/// largest (no count, a grey outline), with the same counts as a table: what the incident
/// reports page shows.
pub(crate) fn count_tiles(l: Lang, name: &str, regions: &[(model::UnitId, String, u64)]) -> Markup {
    if regions.is_empty() {
        return html! {};
    }
    let known = regions
        .iter()
        .all(|(_, n, _)| KYRGYZSTAN.iter().any(|(k, ..)| k == n));
    let width = (regions.len() as u32).clamp(1, COLUMNS);
    let tile = if known { 100u32 } else { 60 };
    let gap = tile / 12;
    let most = regions.iter().map(|r| r.2).max().unwrap_or(0).max(1);
    let (mut max_c, mut max_r) = (0, 0);
    let mut cells = String::new();
    for (i, (unit, n, count)) in regions.iter().enumerate() {
        let (c, rr) = match KYRGYZSTAN.iter().find(|(k, ..)| k == n) {
            Some((_, c, r)) if known => (*c, *r),
            _ => (i as u32 % width, i as u32 / width),
        };
        max_c = max_c.max(c);
        max_r = max_r.max(rr);
        let band = match *count {
            0 => None,
            k if k * 3 <= most => Some(0),
            k if k * 3 <= most * 2 => Some(1),
            _ => Some(2),
        };
        let colour = COLOURS[1];
        let (fill, ink) = match band {
            None => ("#ffffff".to_string(), "#1b1b1b"),
            Some(b) => (mix(colour, SHADES[b].0), SHADES[b].1),
        };
        let (x, y) = (c * (tile + gap), rr * (tile + gap));
        let shown = l.count(*count);
        let title = html! { title { (n) ": " (shown) } };
        // The region's number in the table over its count.
        let short = format!("№{}", i + 1);
        cells.push_str(&format!(
            "<a href=\"/elections/{}/units/{}\"><rect x=\"{x}\" y=\"{y}\" width=\"{tile}\" height=\"{tile}\" rx=\"6\" fill=\"{fill}\" stroke=\"{}\" stroke-width=\"2\">{}</rect>\
<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" fill=\"{ink}\">{}</text>\
<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" font-weight=\"bold\" fill=\"{ink}\">{}</text></a>",
            urlencode(name),
            unit.0,
            if band.is_some() { colour } else { "#6b7280" },
            title.into_string(),
            x + tile / 2,
            y + tile / 4 + tile / 12,
            tile / 5,
            short,
            x + tile / 2,
            y + tile * 3 / 4,
            // Up to three digits at two fifths of the tile, more smaller.
            tile * 6 / 5 / (shown.chars().count() as u32).max(3),
            shown,
        ));
    }
    let (w, h) = ((max_c + 1) * (tile + gap), (max_r + 1) * (tile + gap));
    let label = l.t(T::IncidentsMapHeading);
    html! {
        h2 { (label) }
        p.note { (l.t(if known { T::IncidentsMapPlaced } else { T::IncidentsMapInRows })) }
        (layout::label("l-incidents-map", &label))
        svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {w} {h}")) width=(w) height=(h) role="group" aria-labelledby="l-incidents-map" {
            (PreEscaped(cells))
        }
        details {
            summary { (l.t(T::IncidentsMapTable)) }
            div.scroll tabindex="0" { table {
                thead { tr { th.n scope="col" { "№" } th scope="col" { (l.t(T::LevelRegion)) } th.n scope="col" { (l.t(T::IncidentsColReports)) } } }
                tbody {
                    @for (k, (unit, n, count)) in regions.iter().enumerate() {
                        tr {
                            td.n { (k + 1) }
                            td.name { a href=(format!("/elections/{}/units/{}", urlencode(name), unit.0)) { (n) } }
                            td.n { (l.count(*count)) }
                        }
                    }
                }
            } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shades_follow_the_leaders_share_exactly() {
        let cases = [
            (0, 1, 0),
            (49, 100, 0),
            (1, 2, 1),
            (69, 100, 1),
            (7, 10, 2),
            (1, 1, 2),
        ];
        for (part, whole, band) in cases {
            assert_eq!(shade(part, whole), band, "{part}/{whole}");
        }
        assert_eq!(mix("#0a4f99", 100), "#0a4f99");
        assert_eq!(mix("#000000", 50), "#7f7f7f");
    }

    /// A count on a tile is written as the page's language writes numbers, as its table is.
    #[test]
    fn count_tiles_group_thousands_in_the_pages_language() {
        let regions = [
            (model::UnitId(1), "North".to_string(), 12_345),
            (model::UnitId(2), "South".to_string(), 7),
        ];
        for (l, shown) in [(Lang::En, "12,345"), (Lang::Ru, "12\u{a0}345")] {
            let page = count_tiles(l, "e", &regions).into_string();
            let tile = format!("font-weight=\"bold\" fill=\"#ffffff\">{shown}</text>");
            assert!(page.contains(&tile), "{page}");
            assert!(!page.contains(">12345<"), "{page}");
        }
    }
}
