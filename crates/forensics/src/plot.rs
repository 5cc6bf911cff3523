//! Heat maps of the fingerprint, as SVG text and as PNG bytes (the command line writes both
//! to files). Cell colour follows `ln(1 + count) / ln(1 + max)` on the "inferno"
//! ramp of matplotlib (van der Walt & Smith, 2015), sampled at five anchors; empty cells
//! are white.
//!
//! The plots are small enough for a phone on a national file: the heat map's cells are one
//! PNG of a pixel per bin inside the SVG (a `data:` address, so the SVG stays one file), not
//! one rectangle per cell; a histogram's bars are two paths (one per colour).

use std::fmt::Write;

use base64::Engine as _;

use crate::ForensicsError;

use crate::fingerprint::{Fingerprint, BINS};

const ANCHORS: [[f64; 3]; 5] = [
    [0.0, 0.0, 4.0],
    [87.0, 16.0, 110.0],
    [188.0, 55.0, 84.0],
    [249.0, 142.0, 9.0],
    [252.0, 255.0, 164.0],
];

/// The colour of a cell holding `count` where the fullest holds `max`.
fn colour(count: u64, max: u64) -> [u8; 3] {
    if count == 0 || max == 0 {
        return [255, 255, 255];
    }
    let t = (1.0 + count as f64).ln() / (1.0 + max as f64).ln();
    let x = t.clamp(0.0, 1.0) * (ANCHORS.len() - 1) as f64;
    let i = (x.floor() as usize).min(ANCHORS.len() - 2);
    let f = x - i as f64;
    let mut c = [0u8; 3];
    for (k, v) in c.iter_mut().enumerate() {
        *v = (ANCHORS[i][k] + f * (ANCHORS[i + 1][k] - ANCHORS[i][k])).round() as u8;
    }
    c
}

fn grid(f: &Fingerprint, weighted: bool) -> &[[u64; BINS]] {
    if weighted {
        &f.voters_by_bin
    } else {
        &f.stations_by_bin
    }
}

/// The [`raster`], `cell` pixels per bin, as PNG bytes (encoded in memory: the command line
/// writes them to a file, the SVG carries them in a `data:` address).
pub fn png(f: &Fingerprint, weighted: bool, cell: usize) -> Result<Vec<u8>, ForensicsError> {
    let (w, h, pixels) = raster(f, weighted, cell);
    let mut png = Vec::new();
    let mut enc = png::Encoder::new(&mut png, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::High);
    let failed = |e: png::EncodingError| ForensicsError::Plot(e.to_string());
    let mut writer = enc.write_header().map_err(failed)?;
    writer.write_image_data(&pixels).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(png)
}

/// The raster, a pixel per bin, as a PNG in a `data:` address.
fn png_data(f: &Fingerprint, weighted: bool) -> Result<String, ForensicsError> {
    let png = png(f, weighted, 1)?;
    Ok(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&png)
    ))
}

/// An RGB raster, `cell` pixels per bin, turnout left to right and the leader's share
/// bottom to top: `(width, height, pixels)`.
fn raster(f: &Fingerprint, weighted: bool, cell: usize) -> (u32, u32, Vec<u8>) {
    let g = grid(f, weighted);
    let max = g.iter().flatten().copied().max().unwrap_or(0);
    let side = BINS * cell;
    let mut px = vec![0u8; side * side * 3];
    for (y, row) in g.iter().enumerate() {
        for (x, &c) in row.iter().enumerate() {
            let rgb = colour(c, max);
            for dy in 0..cell {
                let py = side - 1 - (y * cell + dy);
                for dx in 0..cell {
                    let i = (py * side + x * cell + dx) * 3;
                    px[i..i + 3].copy_from_slice(&rgb);
                }
            }
        }
    }
    (side as u32, side as u32, px)
}

/// The words of a plot drawn for a file of its own: its title and the names of its axes. A
/// plot drawn for a page has none: the page says them in its reader's language.
pub struct Words<'a> {
    /// The title, above the plot.
    pub title: &'a str,
    /// What the horizontal axis is.
    pub x: &'a str,
    /// What the vertical axis is.
    pub y: &'a str,
}

/// A self-contained SVG heat map with numbered axes (turnout left to right, the leader's
/// share bottom to top), and with `words` its title and axis names. It scales to its box
/// (`viewBox`).
pub fn svg(
    f: &Fingerprint,
    weighted: bool,
    words: Option<&Words<'_>>,
) -> Result<String, ForensicsError> {
    let (cell, left) = (4usize, if words.is_some() { 50 } else { 34 });
    let top = if words.is_some() { 30 } else { 10 };
    let side = BINS * cell;
    let (w, h) = (
        left + side + 20,
        top + side + if words.is_some() { 45 } else { 25 },
    );
    let mut s = String::with_capacity(16_000);
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = write!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    if let Some(words) = words {
        let _ = write!(
            s,
            r#"<text x="{left}" y="18">{}</text>"#,
            escape(words.title)
        );
    }
    let _ = write!(
        s,
        r#"<image x="{left}" y="{top}" width="{side}" height="{side}" preserveAspectRatio="none" style="image-rendering:pixelated" href="{}"/>"#,
        png_data(f, weighted)?
    );
    let _ = write!(
        s,
        r#"<rect x="{left}" y="{top}" width="{side}" height="{side}" fill="none" stroke="black"/>"#
    );
    for p in (0..=100).step_by(25) {
        let x = left + p * cell;
        let y = top + side - p * cell;
        let _ = write!(
            s,
            r#"<text x="{x}" y="{}" text-anchor="middle">{p}</text><text x="{}" y="{}" text-anchor="end">{p}</text>"#,
            top + side + 15,
            left - 5,
            y + 4
        );
    }
    if let Some(words) = words {
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
            left + side / 2,
            top + side + 35,
            escape(words.x)
        );
        let _ = write!(
            s,
            r#"<text x="14" y="{}" text-anchor="middle" transform="rotate(-90 14 {})">{}</text>"#,
            top + side / 2,
            top + side / 2,
            escape(words.y)
        );
    }
    s.push_str("</svg>\n");
    Ok(s)
}

/// Escapes text for SVG, in element text and in double-quoted attributes.
fn escape(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A histogram of 0.1-point bins (`bins[b]` for `b / 10` percent) as an SVG bar chart with
/// numbered axes (percent along, the fullest bin's stations up), the whole-percentage bins
/// in red so that their spikes stand out. No words: the page that shows it names it. It
/// scales to its box (`viewBox`), drawn tall enough that a phone still shows its spikes.
pub fn histogram_svg(bins: &[u64]) -> String {
    let (left, top, width, height) = (80usize, 14usize, 1001usize, 300usize);
    let max = bins.iter().copied().max().unwrap_or(0).max(1);
    let (w, h) = (left + width + 24, top + height + 34);
    let mut s = String::with_capacity(24_000);
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="26"><rect width="{w}" height="{h}" fill="white"/>"#
    );
    // Each bar a vertical stroke one unit wide, up from the axis; the whole-percentage bins'
    // in one path, the others' in another. A bin too small to show at this height has none.
    let bottom = top + height;
    for (colour, whole) in [("#4c72b0", false), ("#d62728", true)] {
        let mut d = String::new();
        for (b, &c) in bins
            .iter()
            .enumerate()
            .filter(|(b, _)| (b % 10 == 0) == whole)
        {
            let bar = (c as f64 / max as f64 * height as f64).round() as usize;
            if bar > 0 {
                let _ = write!(d, "M{}.5 {bottom}v-{bar}", left + b);
            }
        }
        if !d.is_empty() {
            let _ = write!(s, r#"<path d="{d}" stroke="{colour}" fill="none"/>"#);
        }
    }
    let _ = write!(
        s,
        r#"<line x1="{left}" y1="{}" x2="{}" y2="{}" stroke="black"/>"#,
        top + height,
        left + width,
        top + height
    );
    for p in (0..=100).step_by(10) {
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle">{p}</text>"#,
            left + p * 10,
            top + height + 30
        );
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" text-anchor="end">{max}</text></svg>"#,
        left - 6,
        top + 20
    );
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_ramp_ends() {
        assert_eq!(colour(0, 10), [255, 255, 255]);
        assert_eq!(colour(10, 10), [252, 255, 164]);
    }

    fn station(registered: u64, issued: u64, leader: u64) -> crate::station::Station {
        crate::station::Station {
            unit: model::UnitId(1),
            registered,
            issued,
            found: issued,
            leader,
            others: issued - leader,
        }
    }

    /// The heat map's image is the raster, a pixel per bin, losslessly: decoded from the SVG's
    /// `data:` address it has every cell's colour.
    #[test]
    fn the_heat_maps_image_is_its_raster() {
        let stations = [
            station(1000, 600, 300),
            station(1000, 900, 810),
            station(500, 250, 100),
        ];
        let f = crate::fingerprint::fingerprint(&stations);
        let svg = svg(&f, true, None).unwrap();
        let data = svg
            .split("base64,")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        let (w, h, raw) = raster(&f, true, 1);
        assert_eq!((info.width, info.height), (w, h));
        assert_eq!((w, h), (BINS as u32, BINS as u32));
        assert_eq!(&pixels[..info.buffer_size()], &raw[..]);
        assert_eq!(raw.chunks(3).filter(|p| *p != [255, 255, 255]).count(), 3);
        // The background and the frame: no cell is a rectangle of its own.
        assert_eq!(svg.matches("<rect").count(), 2, "{svg}");
    }

    /// A histogram draws one stroke per bin tall enough to show, the whole-percentage bins in
    /// red: the bars' heights are the counts scaled to the fullest.
    #[test]
    fn a_histogram_draws_a_stroke_per_bin() {
        let mut bins = vec![0u64; 1001];
        bins[500] = 300;
        bins[501] = 150;
        bins[502] = 0;
        bins[503] = 1; // 1 in 300 of 300 units: one unit tall
        let s = histogram_svg(&bins);
        assert!(
            s.contains(r##"<path d="M581.5 314v-150M583.5 314v-1" stroke="#4c72b0""##),
            "{s}"
        );
        assert!(
            s.contains(r##"<path d="M580.5 314v-300" stroke="#d62728""##),
            "{s}"
        );
    }
}
