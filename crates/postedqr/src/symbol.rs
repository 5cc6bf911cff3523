//! The QR symbol of a posted protocol's text: made at error-correction level M (15 % of the
//! symbol may be lost: a fold, a smudge, a staple) in the smallest version that holds it, at
//! most [`MAX_VERSION`] (57 × 57 modules, about 2 mm each in a 12 cm square on an A4 sheet:
//! a phone reads it from a door); drawn as SVG for the printed form; read back from a
//! greyscale image by `rqrr`.

use qrcode::{Color, EcLevel, QrCode, Version};

use crate::PostedError;

/// The largest QR version a posted protocol's symbol has.
pub const MAX_VERSION: i16 = 10;

/// A posted protocol's QR symbol.
pub struct Symbol(QrCode);

/// The symbol of `text` (a posted protocol's, [`crate::Posted::encode`]), or why there is
/// none: it needs a version above [`MAX_VERSION`] at level M.
pub fn symbol(text: &str) -> Result<Symbol, PostedError> {
    let too_long = |why: String| PostedError::TooLong {
        chars: text.len(),
        why,
    };
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| too_long(e.to_string()))?;
    match code.version() {
        Version::Normal(v) if v <= MAX_VERSION => Ok(Symbol(code)),
        v => Err(too_long(format!("it needs version {v:?}"))),
    }
}

impl Symbol {
    /// Its version (1 to [`MAX_VERSION`]).
    pub fn version(&self) -> i16 {
        match self.0.version() {
            Version::Normal(v) | Version::Micro(v) => v,
        }
    }

    /// Modules on a side.
    pub fn width(&self) -> usize {
        self.0.width()
    }

    /// Whether the module at column `x`, row `y` is dark.
    pub fn dark(&self, x: usize, y: usize) -> bool {
        self.0[(x, y)] == Color::Dark
    }

    /// The symbol as an SVG image `side` units wide, with its quiet zone (4 modules).
    pub fn svg(&self, side: u32) -> String {
        self.0
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(side, side)
            .quiet_zone(true)
            .build()
    }

    /// The symbol drawn in grey levels (0 black, 255 white), `scale` pixels a module, with a
    /// quiet zone of `quiet` modules: (width, height, pixels row by row).
    pub fn grey(&self, scale: usize, quiet: usize) -> (usize, usize, Vec<u8>) {
        let n = self.width();
        let side = (n + 2 * quiet) * scale;
        let mut px = vec![255u8; side * side];
        for y in 0..n {
            for x in 0..n {
                if self.dark(x, y) {
                    for dy in 0..scale {
                        let row = ((y + quiet) * scale + dy) * side;
                        let at = row + (x + quiet) * scale;
                        px[at..at + scale].fill(0);
                    }
                }
            }
        }
        (side, side, px)
    }
}

/// The text of the QR symbol in a greyscale image (`width` × `height` pixels, row by row), if
/// one can be read: the first that decodes.
pub fn read(width: usize, height: usize, pixels: &[u8]) -> Result<String, PostedError> {
    if width == 0 || height == 0 || pixels.len() != width * height {
        return Err(PostedError::Unreadable(format!(
            ": {width} × {height} pixels given as {} bytes",
            pixels.len()
        )));
    }
    // As it is, then thresholded at the level that best splits its dark and light pixels
    // (Otsu's): a photograph's soft edges can hide the finder patterns from the first.
    let mut last = String::new();
    let level = otsu(pixels);
    let sharp: Vec<u8> = pixels
        .iter()
        .map(|&p| if p > level { 255 } else { 0 })
        .collect();
    for px in [pixels, &sharp[..]] {
        let mut img =
            rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| px[y * width + x]);
        for g in img.detect_grids() {
            match g.decode() {
                Ok((_, text)) => return Ok(text),
                Err(e) => last = format!(": {e}"),
            }
        }
    }
    Err(PostedError::Unreadable(last))
}

/// Otsu's threshold of `pixels`: the grey level that maximises the variance between the
/// pixels at or below it and those above.
fn otsu(pixels: &[u8]) -> u8 {
    let mut hist = [0u64; 256];
    for &p in pixels {
        hist[p as usize] += 1;
    }
    let total = pixels.len() as f64;
    let sum: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &n)| i as f64 * n as f64)
        .sum();
    let (mut below, mut sum_below, mut best, mut level) = (0.0, 0.0, -1.0, 127u8);
    for (i, &n) in hist.iter().enumerate() {
        below += n as f64;
        sum_below += i as f64 * n as f64;
        let above = total - below;
        if below == 0.0 || above == 0.0 {
            continue;
        }
        let (m0, m1) = (sum_below / below, (sum - sum_below) / above);
        let between = below * above * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            level = i as u8;
        }
    }
    level
}
