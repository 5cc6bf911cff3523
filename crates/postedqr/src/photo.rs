//! A photograph of a posted protocol, as grey pixels: a PNG (any colour type and depth) or a
//! JPEG (grey, RGB or CMYK), decoded from its bytes, then its QR code read
//! ([`crate::read`]). At most [`MAX_PIXELS`]: a photo bigger than any phone's camera is
//! refused before it is decoded.

use crate::PostedError;

/// The most pixels a photo may have (a 48-megapixel camera's).
pub const MAX_PIXELS: usize = 50_000_000;

fn unreadable(why: impl std::fmt::Display) -> PostedError {
    PostedError::Unreadable(format!(": {why}"))
}

/// Luma (ITU-R BT.601) of an RGB pixel.
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b) + 500) / 1000) as u8
}

fn too_big(w: usize, h: usize) -> Result<(), PostedError> {
    match w.checked_mul(h) {
        Some(n) if n <= MAX_PIXELS => Ok(()),
        _ => Err(unreadable(format!(
            "{w} × {h} pixels, more than {MAX_PIXELS}"
        ))),
    }
}

/// The photo's grey pixels: (width, height, pixels row by row).
pub fn grey(bytes: &[u8]) -> Result<(usize, usize, Vec<u8>), PostedError> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png_grey(bytes)
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        jpeg_grey(bytes)
    } else {
        Err(unreadable("not a PNG or JPEG image"))
    }
}

fn png_grey(bytes: &[u8]) -> Result<(usize, usize, Vec<u8>), PostedError> {
    let mut d = png::Decoder::new(std::io::Cursor::new(bytes));
    d.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut r = d.read_info().map_err(unreadable)?;
    let (w, h) = (r.info().width as usize, r.info().height as usize);
    too_big(w, h)?;
    let size = r
        .output_buffer_size()
        .ok_or_else(|| unreadable("an image too large"))?;
    let mut buf = vec![0; size];
    let info = r.next_frame(&mut buf).map_err(unreadable)?;
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err(unreadable("a palette left unexpanded")),
    };
    let line = info.line_size;
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h {
        let row = buf
            .get(y * line..y * line + w * channels)
            .ok_or_else(|| unreadable("a short frame"))?;
        out.extend(row.chunks_exact(channels).map(|p| match channels {
            1 | 2 => p[0],
            _ => luma(p[0], p[1], p[2]),
        }));
    }
    Ok((w, h, out))
}

fn jpeg_grey(bytes: &[u8]) -> Result<(usize, usize, Vec<u8>), PostedError> {
    let mut d = jpeg_decoder::Decoder::new(bytes);
    d.read_info().map_err(unreadable)?;
    let info = d.info().ok_or_else(|| unreadable("no frame"))?;
    let (w, h) = (usize::from(info.width), usize::from(info.height));
    too_big(w, h)?;
    let px = d.decode().map_err(unreadable)?;
    let out: Vec<u8> = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => px,
        jpeg_decoder::PixelFormat::L16 => px.chunks_exact(2).map(|p| p[0]).collect(),
        jpeg_decoder::PixelFormat::RGB24 => {
            px.chunks_exact(3).map(|p| luma(p[0], p[1], p[2])).collect()
        }
        jpeg_decoder::PixelFormat::CMYK32 => px
            .chunks_exact(4)
            .map(|p| {
                let k = u32::from(255 - p[3]);
                let c = |v: u8| ((255 - u32::from(v)) * k / 255) as u8;
                luma(c(p[0]), c(p[1]), c(p[2]))
            })
            .collect(),
    };
    if out.len() != w * h {
        return Err(unreadable("a frame of another size than its header's"));
    }
    Ok((w, h, out))
}

/// The QR code's text in a photo (PNG or JPEG).
pub fn read_photo(bytes: &[u8]) -> Result<String, PostedError> {
    let (w, h, px) = grey(bytes)?;
    crate::read(w, h, &px)
}
