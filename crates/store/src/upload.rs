//! Uploaded files: protocol scans, complaints' attachments, audits' cast-vote records.
//!
//! What a file is, is decided here from its bytes, never from the type its uploader
//! declared: a scan is a PNG, a JPEG or a PDF whose structure ends where the file ends; an
//! auditor may also upload UTF-8 CSV text. Anything else is refused, and so is a file of an
//! accepted kind that carries HTML or script (a polyglot), because a file is served back to
//! other staff in their browsers. Files are named by their SHA-256 ([`FileRef`]), parsed once.

use std::ops::Range;

use record::Role;

use crate::StoreError;

/// The largest file the store takes.
pub const FILE_LIMIT: usize = 8 * 1024 * 1024;

/// The kinds of file the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// A PNG image (ISO/IEC 15948).
    Png,
    /// A JPEG image (ITU-T T.81, JFIF or Exif).
    Jpeg,
    /// A PDF document (ISO 32000).
    Pdf,
    /// UTF-8 CSV text (an audit's cast-vote records or readings), from auditors only.
    Csv,
}

impl Media {
    /// The media type it is served with.
    pub fn mime(self) -> &'static str {
        match self {
            Media::Png => "image/png",
            Media::Jpeg => "image/jpeg",
            Media::Pdf => "application/pdf",
            Media::Csv => "text/csv; charset=utf-8",
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Media::Png => "png",
            Media::Jpeg => "jpg",
            Media::Pdf => "pdf",
            Media::Csv => "csv",
        }
    }

    /// Whether a browser may show it in place (images); the others are downloaded.
    pub fn inline(self) -> bool {
        matches!(self, Media::Png | Media::Jpeg)
    }

    /// What the file is, from its bytes; `role` is the uploader's (only an auditor may
    /// upload CSV). Refuses any other kind, and any file carrying HTML or script.
    pub fn check(bytes: &[u8], role: Role) -> Result<Media, StoreError> {
        let media = Media::of(bytes)?;
        if media == Media::Csv && role != Role::Auditor {
            return Err(refused(
                "a scan must be a PNG, JPEG or PDF file (CSV files are an auditor's)",
            ));
        }
        Ok(media)
    }

    /// What the file is, from its bytes, whoever uploaded it.
    pub fn of(bytes: &[u8]) -> Result<Media, StoreError> {
        if bytes.is_empty() {
            return Err(refused("the file is empty"));
        }
        if bytes.len() > FILE_LIMIT {
            return Err(refused(format!(
                "the file has {} bytes; at most {FILE_LIMIT} are taken",
                bytes.len()
            )));
        }
        let media = if bytes.starts_with(PNG_SIGNATURE) {
            png_chunks(bytes)?;
            Media::Png
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            jpeg_segments(bytes)?;
            Media::Jpeg
        } else if bytes.starts_with(b"%PDF-") {
            pdf_end(bytes)?;
            Media::Pdf
        } else if csv_text(bytes) {
            Media::Csv
        } else {
            return Err(refused(
                "not a PNG, JPEG or PDF file (decided by the file's bytes, not its declared type)",
            ));
        };
        if let Some(m) = active_content(bytes) {
            return Err(refused(format!(
                "the file carries web content ('{m}'): scan or export it again as a plain {}",
                media.extension().to_uppercase()
            )));
        }
        Ok(media)
    }
}

fn refused(why: impl Into<String>) -> StoreError {
    StoreError::BadFile(why.into())
}

const PNG_SIGNATURE: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// A part of a file: its kind (a PNG chunk's type, a JPEG segment's marker) and its bytes.
type Piece<K> = (K, Range<usize>);

/// A PNG's chunks from `IHDR` to `IEND`, which must end the file: each chunk's type and
/// bytes (length, type, data, CRC).
fn png_chunks(b: &[u8]) -> Result<Vec<Piece<[u8; 4]>>, StoreError> {
    let bad = |why: &str| refused(format!("not a well-formed PNG file: {why}"));
    let mut at = PNG_SIGNATURE.len();
    let mut chunks = Vec::new();
    loop {
        let head = b.get(at..at + 8).ok_or_else(|| bad("a chunk is cut off"))?;
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind = [head[4], head[5], head[6], head[7]];
        if chunks.is_empty() && &kind != b"IHDR" {
            return Err(bad("it does not begin with IHDR"));
        }
        let end = at
            .checked_add(12)
            .and_then(|x| x.checked_add(len))
            .filter(|&e| e <= b.len())
            .ok_or_else(|| bad("a chunk runs past the end of the file"))?;
        chunks.push((kind, at..end));
        if &kind == b"IEND" {
            return if end == b.len() {
                Ok(chunks)
            } else {
                Err(bad("bytes follow its end (IEND)"))
            };
        }
        at = end;
    }
}

/// What may follow a JPEG's end-of-image marker.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Trailing {
    /// Nothing: the marker ends the file (an upload as it is served).
    Refused,
    /// Anything, which is not part of the image (a photo whose metadata goes).
    CutOff,
}

/// A JPEG's segments after SOI, through EOI (ITU-T T.81 B.1), which must end the file: each
/// segment's marker and bytes, from the marker through its entropy-coded data after a start
/// of scan (fill bytes before a marker left out).
fn jpeg_segments(b: &[u8]) -> Result<Vec<Piece<u8>>, StoreError> {
    jpeg_pieces(b, Trailing::Refused)
}

/// [`jpeg_segments`], with what may follow the end of the image.
fn jpeg_pieces(b: &[u8], trailing: Trailing) -> Result<Vec<Piece<u8>>, StoreError> {
    let bad = |why: &str| refused(format!("not a well-formed JPEG file: {why}"));
    let mut at = 2;
    let mut segments = Vec::new();
    loop {
        // Markers may be preceded by fill bytes 0xFF.
        while b.get(at) == Some(&0xFF) && b.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if b.get(at) != Some(&0xFF) {
            return Err(bad("a segment does not begin with a marker"));
        }
        let start = at;
        let marker = *b.get(at + 1).ok_or_else(|| bad("the file is cut off"))?;
        at += 2;
        match marker {
            0xD9 => {
                segments.push((marker, start..at));
                return if at == b.len() || trailing == Trailing::CutOff {
                    Ok(segments)
                } else {
                    Err(bad("bytes follow its end (EOI)"))
                };
            }
            0x01 | 0xD0..=0xD7 => {
                segments.push((marker, start..at));
                continue;
            }
            _ => {}
        }
        let len = b
            .get(at..at + 2)
            .map(|x| u16::from_be_bytes([x[0], x[1]]) as usize)
            .filter(|&l| l >= 2)
            .ok_or_else(|| bad("a segment's length is missing"))?;
        at += len;
        if at > b.len() {
            return Err(bad("a segment runs past the end of the file"));
        }
        if marker == 0xDA {
            // Entropy-coded data: up to the next marker that is not a stuffed 0xFF00 or a
            // restart marker.
            loop {
                let i = b[at..]
                    .iter()
                    .position(|&x| x == 0xFF)
                    .ok_or_else(|| bad("the image data has no end"))?;
                at += i;
                match b.get(at + 1) {
                    Some(0x00) | Some(0xD0..=0xD7) => at += 2,
                    Some(_) => break,
                    None => return Err(bad("the image data has no end")),
                }
            }
        }
        segments.push((marker, start..at));
    }
}

/// The Exif orientation (TIFF tag 0x0112 in IFD0, 2 to 8: turned or mirrored) of an APP1
/// segment's data, if it is an Exif block that gives one other than upright.
fn exif_orientation(data: &[u8]) -> Option<u16> {
    let tiff = data.strip_prefix(b"Exif\0\0")?;
    let big = match tiff.get(..4)? {
        b"MM\0*" => true,
        b"II*\0" => false,
        _ => return None,
    };
    let u16_at = |at: usize| {
        let b: [u8; 2] = tiff.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if big {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let u32_at = |at: usize| {
        let b: [u8; 4] = tiff.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let ifd = u32_at(4)? as usize;
    let entries = u16_at(ifd)? as usize;
    (0..entries.min(512)).find_map(|k| {
        let e = ifd.checked_add(2 + 12 * k)?;
        // Tag 0x0112, type SHORT (3), one value, held in the entry itself.
        (u16_at(e)? == 0x0112 && u16_at(e + 2)? == 3 && u32_at(e + 4)? == 1)
            .then(|| u16_at(e + 8))
            .flatten()
            .filter(|o| (2..=8).contains(o))
    })
}

/// An APP1 segment holding an Exif block of the orientation `o` alone (big-endian TIFF,
/// IFD0 of one entry, no next IFD).
fn orientation_only(o: u16) -> Vec<u8> {
    let mut data = b"Exif\0\0MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
    data.extend(o.to_be_bytes());
    data.extend([0, 0, 0, 0, 0, 0]);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend(((data.len() + 2) as u16).to_be_bytes());
    segment.extend(data);
    segment
}

/// The PNG chunks an image keeps without its metadata: the critical ones and those that say
/// how its pixels look (transparency, colour, gamma, significant bits, background, pixel
/// size). Text (`tEXt`, `zTXt`, `iTXt`: where XMP and a camera's notes go), `eXIf`, `tIME`
/// and every other chunk are left out.
const PNG_KEPT: [&[u8; 4]; 13] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB",
    b"bKGD", b"pHYs", b"cICP",
];

/// Whether a JPEG keeps a segment without its metadata: the markers that decoding needs
/// (ITU-T T.81 table B.1: frames, Huffman and arithmetic tables, quantisation tables, scans,
/// restart interval and markers, the number of lines, the end), the ICC profile (APP2
/// `ICC_PROFILE`) and Adobe's colour transform (APP14 `Adobe`); not the others (APP0 JFIF
/// with its thumbnail, APP1 Exif and XMP with the place, the time and the camera, APP13
/// IPTC, comments, reserved and extension markers, which may carry anything).
fn jpeg_keeps(marker: u8, segment: &[u8]) -> bool {
    let id = |prefix: &[u8]| segment.get(4..).is_some_and(|d| d.starts_with(prefix));
    match marker {
        0xE2 => id(b"ICC_PROFILE\0"),
        0xEE => id(b"Adobe"),
        0xC0..=0xC7 | 0xC9..=0xCF | 0xD0..=0xD7 | 0xD9..=0xDD => true,
        _ => false,
    }
}

/// The image without its metadata blocks (a photo's place, time and device, its comments
/// and thumbnails, whatever follows its end), with its pixels as they were and, for a JPEG,
/// its Exif orientation alone kept (so that a photo taken upright shows upright): what an upload that may identify whoever
/// took it keeps (issue 20: incident photos). A PNG keeps [`PNG_KEPT`]; a JPEG its
/// [`jpeg_keeps`] segments. The result is itself a well-formed file of the same kind;
/// anything else than a PNG or a JPEG is refused, and so is one whose remaining bytes carry
/// HTML or script.
pub fn without_metadata(bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
    if bytes.len() > FILE_LIMIT {
        return Err(refused(format!(
            "the file has {} bytes; at most {FILE_LIMIT} are taken",
            bytes.len()
        )));
    }
    let mut out = Vec::with_capacity(bytes.len());
    if bytes.starts_with(PNG_SIGNATURE) {
        out.extend_from_slice(PNG_SIGNATURE);
        for (kind, range) in png_chunks(bytes)? {
            if PNG_KEPT.contains(&&kind) {
                out.extend_from_slice(&bytes[range]);
            }
        }
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        out.extend_from_slice(&bytes[..2]);
        // A phone's photo may carry more after its end (a motion photo's video, a gain map):
        // the image ends at its first end-of-image marker, and the rest goes.
        let pieces = jpeg_pieces(bytes, Trailing::CutOff)?;
        // The one thing of the Exif block a viewer needs: which way up the photo is.
        let turned = pieces
            .iter()
            .filter(|(m, _)| *m == 0xE1)
            .find_map(|(_, r)| exif_orientation(&bytes[r.start + 4..r.end]));
        if let Some(o) = turned {
            out.extend_from_slice(&orientation_only(o));
        }
        for (marker, range) in pieces {
            if jpeg_keeps(marker, &bytes[range.clone()]) {
                out.extend_from_slice(&bytes[range]);
            }
        }
    } else {
        return Err(refused(
            "a photo is a PNG or a JPEG file (decided by the file's bytes, not its declared type)",
        ));
    }
    // What is left is checked as any upload is: a script hidden in the metadata has gone
    // with it, one hidden elsewhere is refused.
    Media::of(&out)?;
    Ok(out)
}

/// A PDF ends with `%%EOF` (ISO 32000-1, 7.5.5), perhaps followed by an end of line.
fn pdf_end(b: &[u8]) -> Result<(), StoreError> {
    let trimmed = b
        .iter()
        .rposition(|x| !x.is_ascii_whitespace() && *x != 0)
        .map_or(&b[..0], |i| &b[..=i]);
    if trimmed.ends_with(b"%%EOF") {
        Ok(())
    } else {
        Err(refused(
            "not a well-formed PDF file: it does not end with %%EOF",
        ))
    }
}

/// UTF-8 text without control characters but tab, line feed and carriage return.
fn csv_text(b: &[u8]) -> bool {
    std::str::from_utf8(b).is_ok_and(|t| {
        t.chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
    })
}

/// Markers of HTML, SVG or script, matched without regard to case; long enough that
/// compressed image data meets one by chance about once in ten thousand 8 MiB files.
const ACTIVE: &[&str] = &[
    "<script",
    "<html",
    "<body",
    "<iframe",
    "<object",
    "<embed",
    "<svg ",
    "<svg>",
    "<svg/",
    "<!doctype",
    "<?xml",
    "javascript:",
    "<meta ",
    "<form",
    "<img ",
    "<a href",
];

/// The first marker of web content in the file, if any.
fn active_content(b: &[u8]) -> Option<&'static str> {
    let mut i = 0;
    while let Some(off) = b[i..]
        .iter()
        .position(|&x| x == b'<' || x == b'j' || x == b'J')
    {
        i += off;
        for m in ACTIVE {
            if b.len() - i >= m.len() && b[i..i + m.len()].eq_ignore_ascii_case(m.as_bytes()) {
                return Some(m);
            }
        }
        i += 1;
    }
    None
}

/// A stored file's name: its SHA-256, written `sha256:<64 lowercase hex digits>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileRef(String);

impl FileRef {
    /// Parses `sha256:<hex>` or the bare hex digits.
    pub fn parse(s: &str) -> Result<FileRef, StoreError> {
        let hex = s.strip_prefix("sha256:").unwrap_or(s);
        if hex.len() == 64 && hex.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(FileRef(hex.to_string()))
        } else {
            Err(StoreError::BadInput(format!(
                "'{s}' is not a file's name: sha256: and 64 lowercase hex digits"
            )))
        }
    }

    /// The file of these bytes.
    pub fn of(bytes: &[u8]) -> FileRef {
        FileRef(record::digest(bytes))
    }

    /// The 64 hex digits.
    pub fn hex(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for FileRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sha256:{}", self.0)
    }
}

/// A stored file as it is served back.
#[derive(Debug, Clone)]
pub struct StoredFile {
    /// What its bytes are, checked again when read; none for a file stored before the
    /// check that is not of an accepted kind (served only as a download).
    pub media: Option<Media>,
    /// The bytes.
    pub bytes: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png() -> Vec<u8> {
        let mut b = PNG_SIGNATURE.to_vec();
        for (kind, data) in [
            (&b"IHDR"[..], &[0u8; 13][..]),
            (b"IDAT", b"xx"),
            (b"IEND", b""),
        ] {
            b.extend((data.len() as u32).to_be_bytes());
            b.extend(kind);
            b.extend(data);
            b.extend([0; 4]);
        }
        b
    }

    #[test]
    fn kinds_are_decided_by_their_bytes() {
        assert_eq!(Media::check(&png(), Role::Operator).unwrap(), Media::Png);
        let jpeg = [0xFF, 0xD8, 0xFF, 0xDA, 0, 2, 1, 2, 0xFF, 0, 3, 0xFF, 0xD9];
        assert_eq!(Media::check(&jpeg, Role::Observer).unwrap(), Media::Jpeg);
        assert_eq!(
            Media::check(b"%PDF-1.4\n1 0 obj\n%%EOF\n", Role::Operator).unwrap(),
            Media::Pdf
        );
        assert_eq!(
            Media::check(b"station,choice\n1,2\n", Role::Auditor).unwrap(),
            Media::Csv
        );
        assert!(Media::check(b"station,choice\n1,2\n", Role::Operator).is_err());
        assert!(Media::check(b"<html><script>x()</script>", Role::Auditor).is_err());
        assert!(Media::check(b"GIF89a....", Role::Operator).is_err());
        assert!(Media::check(b"", Role::Operator).is_err());
    }

    #[test]
    fn polyglots_and_trailing_bytes_are_refused() {
        let mut p = png();
        p.extend(b"<script>alert(1)</script>");
        assert!(Media::check(&p, Role::Operator).is_err());
        let mut p = png();
        p.truncate(p.len() - 3);
        assert!(Media::check(&p, Role::Operator).is_err());
        // HTML hidden in a chunk of a well-formed PNG.
        let mut p = PNG_SIGNATURE.to_vec();
        for (kind, data) in [
            (&b"IHDR"[..], &[0u8; 13][..]),
            (b"tEXt", b"<HTML><body onload=x()>"),
            (b"IEND", b""),
        ] {
            p.extend((data.len() as u32).to_be_bytes());
            p.extend(kind);
            p.extend(data);
            p.extend([0; 4]);
        }
        assert!(Media::check(&p, Role::Operator).is_err());
        let pdf = b"%PDF-1.4\n%%EOF\n<html><script>x()</script>";
        assert!(Media::check(pdf, Role::Operator).is_err());
        let jpeg = [0xFF, 0xD8, 0xFF, 0xD9, b'<', b'x'];
        assert!(Media::check(&jpeg, Role::Operator).is_err());
        // A segment length running past the end, and a bad chunk length, do not panic.
        assert!(Media::check(&[0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF], Role::Operator).is_err());
        let mut p = PNG_SIGNATURE.to_vec();
        p.extend([0xFF; 12]);
        assert!(Media::check(&p, Role::Operator).is_err());
    }

    #[test]
    fn file_names_are_parsed_once() {
        let h = "ab".repeat(32);
        assert_eq!(FileRef::parse(&format!("sha256:{h}")).unwrap().hex(), h);
        assert_eq!(
            FileRef::parse(&h).unwrap().to_string(),
            format!("sha256:{h}")
        );
        for bad in [
            "",
            "sha256:",
            &h[..63],
            &h.to_uppercase(),
            "../../etc/passwd",
        ] {
            assert!(FileRef::parse(bad).is_err(), "{bad}");
        }
    }
}

/// Photos without their metadata: a real JPEG and PNG (CPython's `Lib/test/imghdrdata`,
/// `test_data/README.md`) given the blocks a phone's camera writes, then stripped: the same
/// pixels, none of the blocks.
#[cfg(test)]
mod metadata {
    use super::*;

    const JPEG: &[u8] = include_bytes!("../test_data/python.jpg");
    const PNG: &[u8] = include_bytes!("../test_data/python.png");

    /// A JPEG segment: marker, length, data.
    fn segment(marker: u8, data: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend(((data.len() + 2) as u16).to_be_bytes());
        s.extend(data);
        s
    }

    /// An Exif block (APP1) with a GPS latitude and an orientation: TIFF little-endian, IFD0
    /// with two entries (GPSInfo, tag 0x8825, pointing at a GPS IFD with GPSLatitudeRef "N";
    /// Orientation, tag 0x0112, 6: turned a quarter clockwise).
    fn exif() -> Vec<u8> {
        let mut t = b"Exif\0\0II*\0\x08\0\0\0".to_vec();
        t.extend([2, 0, 0x25, 0x88, 4, 0, 1, 0, 0, 0, 38, 0, 0, 0]);
        t.extend([0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0]);
        t.extend([1, 0, 1, 0, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0, 0, 0, 0, 0]);
        t.extend(b"GPS 42.8746N 74.5698E Canon EOS 2020:10:04 21:13:05");
        t
    }

    fn pixels_jpeg(b: &[u8]) -> Vec<u8> {
        jpeg_decoder::Decoder::new(b)
            .decode()
            .expect("a JPEG that decodes")
    }

    fn pixels_png(b: &[u8]) -> Vec<u8> {
        let mut r = png::Decoder::new(std::io::Cursor::new(b))
            .read_info()
            .expect("a PNG that decodes");
        let mut buf = vec![0; r.output_buffer_size().expect("size")];
        let info = r.next_frame(&mut buf).expect("a frame");
        buf.truncate(info.buffer_size());
        buf
    }

    #[test]
    fn a_jpeg_loses_its_exif_xmp_iptc_comments_and_thumbnail_not_its_pixels() {
        let icc = segment(0xE2, b"ICC_PROFILE\0\x01\x01profile");
        let mut photo = JPEG[..2].to_vec();
        photo.extend(segment(0xE1, &exif()));
        photo.extend(segment(
            0xE1,
            b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>GPS</x:xmpmeta>",
        ));
        photo.extend(segment(0xED, b"Photoshop 3.0\08BIM by-line: the reporter"));
        photo.extend(&icc);
        photo.extend(segment(0xFE, b"taken by the reporter <script>x()</script>"));
        // A reserved extension marker, which may carry anything.
        photo.extend(segment(0xF3, b"serial number of the reporter's phone"));
        photo.extend(&JPEG[2..]);
        // A motion photo's video after the end of the image.
        photo.extend(b"\0\0\0\x18ftypmp42 the reporter's video");
        // The comment's script, and the video after its end, make the photo refused as it was
        // uploaded.
        assert!(Media::of(&photo).is_err());
        let clean = without_metadata(&photo).unwrap();
        // What is left: SOI, the orientation alone, the ICC profile, then the original
        // without its APP0 (JFIF).
        assert_eq!(exif_orientation(&exif()), Some(6));
        let app0 = 2 + 2 + 16;
        let mut want = JPEG[..2].to_vec();
        want.extend(orientation_only(6));
        want.extend(&icc);
        want.extend(&JPEG[app0..]);
        assert_eq!(clean, want);
        for gone in [
            &b"GPS"[..],
            b"reporter",
            b"JFIF",
            b"xmpmeta",
            b"ftyp",
            b"Canon",
        ] {
            assert!(!clean.windows(gone.len()).any(|w| w == gone), "{gone:?}");
        }
        assert_eq!(Media::of(&clean).unwrap(), Media::Jpeg);
        assert_eq!(pixels_jpeg(&clean), pixels_jpeg(JPEG));
        assert_eq!(without_metadata(&clean).unwrap(), clean);
    }

    #[test]
    fn a_png_loses_its_text_exif_and_time_not_its_pixels() {
        let chunk = |kind: &[u8; 4], data: &[u8]| {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend(kind);
            c.extend(data);
            let mut h = crc32fast::Hasher::new();
            h.update(kind);
            h.update(data);
            c.extend(h.finalize().to_be_bytes());
            c
        };
        let iend = PNG.len() - 12;
        let mut photo = PNG[..iend].to_vec();
        photo.extend(chunk(b"eXIf", &exif()[6..]));
        photo.extend(chunk(
            b"iTXt",
            b"XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>GPS</x:xmpmeta>",
        ));
        photo.extend(chunk(b"tIME", &[7, 228, 10, 4, 21, 13, 5]));
        photo.extend(chunk(b"zTXt", b"Author\0\0x"));
        photo.extend(&PNG[iend..]);
        let clean = without_metadata(&photo).unwrap();
        for gone in [&b"eXIf"[..], b"tEXt", b"iTXt", b"zTXt", b"tIME", b"GPS"] {
            assert!(!clean.windows(gone.len()).any(|w| w == gone), "{gone:?}");
        }
        // The original's own two tEXt chunks (37 bytes of data each) went too.
        assert_eq!(clean.len(), PNG.len() - 2 * (12 + 37));
        assert_eq!(pixels_png(&clean), pixels_png(PNG));
        assert_eq!(Media::of(&clean).unwrap(), Media::Png);
    }

    #[test]
    fn only_images_are_stripped_and_broken_ones_refused() {
        assert!(without_metadata(b"%PDF-1.4\n%%EOF\n").is_err());
        assert!(without_metadata(b"a,b\n1,2\n").is_err());
        assert!(without_metadata(&JPEG[..JPEG.len() - 1]).is_err());
        assert!(without_metadata(&PNG[..PNG.len() - 1]).is_err());
        // A script outside any metadata block stays, and is refused.
        let mut p = JPEG.to_vec();
        let at = p.len() - 2;
        p.splice(at..at, segment(0xDB, b"<script>x()</script>"));
        assert!(without_metadata(&p).is_err());
    }
}
