//! The posted protocol's code: every Kyrgyz 2020 protocol round-trips through its text, its
//! QR symbol drawn as an image and read back; a 30-choice protocol with large counts still
//! fits version 10; bad texts are refused naming the field; decoding never panics.

#![allow(clippy::unwrap_used)] // Test helpers panic on failure by design.

use model::{CountSource, Line, Protocol, UnitId};
use postedqr::{read, symbol, Posted, PostedError, MAX_TEXT, MAX_VERSION};
use proptest::prelude::*;

const KEY: [u8; 16] = [
    0xbc, 0xd3, 0x5c, 0x0e, 0xa9, 0xcd, 0xed, 0x16, 0xb7, 0xd7, 0x31, 0x52, 0x50, 0x98, 0x41, 0x90,
];

/// The Kyrgyz 2020 station file the demo imports (`data/kg2020/README.md`).
fn kyrgyz() -> Vec<Protocol> {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/kg2020/stations_2399.csv"
    );
    let bytes = std::fs::read(file).unwrap();
    let mut sink = formats::Collect::default();
    let options = formats::ImportOptions::named("kg2020");
    formats::import(formats::Format::Kg2020, file, &bytes, &options, &mut sink).unwrap();
    sink.0
}

/// Text → symbol → image (3 pixels a module, the 4-module quiet zone) → text → figures.
fn through_an_image(p: &Posted) -> Posted {
    let text = p.encode().unwrap();
    let s = symbol(&text).unwrap();
    assert!(s.version() <= MAX_VERSION);
    let (w, h, px) = s.grey(3, 4);
    let read_back = read(w, h, &px).unwrap();
    assert_eq!(read_back, text);
    Posted::decode(&read_back).unwrap()
}

#[test]
fn every_kyrgyz_protocol_round_trips_through_its_qr_code() {
    let all = kyrgyz();
    assert_eq!(all.len(), 2399);
    let mut largest = 0;
    for p in &all {
        let posted = Posted::of(p, "kg2020", "2020-10-04 21:30", KEY);
        largest = largest.max(posted.encode().unwrap().len());
        let back = through_an_image(&posted);
        assert_eq!(back, posted, "station {}", p.station.0);
        let again = back.protocol();
        assert_eq!(again.votes, p.votes);
        for &l in Line::ALL {
            assert_eq!(again.line(l), p.line(l), "station {} {l:?}", p.station.0);
        }
    }
    // 16 parties and the protocol's lines: well inside version 10.
    assert!(largest < MAX_TEXT - 60, "{largest} characters");
}

#[test]
fn thirty_choices_at_a_large_station_fit_version_ten() {
    // A large station (3,000 voters, as big as Kyrgyz stations get) and 30 lists.
    let mut p = Protocol::new(UnitId(4_000_000), 0, 30);
    p.votes = (0..30).map(|i| 80 + i).collect();
    for (l, n) in [
        (Line::Registered, 3_000),
        (Line::Received, 3_000),
        (Line::IssuedTotal, 2_900),
        (Line::Cancelled, 100),
        (Line::FoundTotal, 2_900),
        (Line::Invalid, 65),
        (Line::Valid, 2_835),
    ] {
        p.set_line(l, n);
    }
    p.source = CountSource::Machine;
    let posted = Posted::of(&p, "kg2021-parliament", "2021-11-28 20:05", KEY);
    let text = posted.encode().unwrap();
    assert!(text.len() <= MAX_TEXT, "{}", text.len());
    assert_eq!(through_an_image(&posted), posted);
    // Far more does not fit: a clear error, never a symbol a phone cannot read.
    let mut more = posted.clone();
    more.votes.extend([1_000_000_000_000; 10]);
    assert!(matches!(more.encode(), Err(PostedError::TooLong { .. })));
}

#[test]
fn bad_texts_are_refused_naming_the_field() {
    let good = Posted {
        election: "kg2020".into(),
        station: UnitId(17),
        contest: 0,
        source: CountSource::Manual,
        time: "2020-10-04 21:30".into(),
        key: KEY,
        lines: vec![(Line::Registered, 1500), (Line::Invalid, 12)],
        votes: vec![300, 0, 5],
    }
    .encode()
    .unwrap();
    assert_eq!(
        good,
        "TPQ1/NNTTEMBSGA/17/0/M/202010042130/BCD35C0EA9CDED16B7D7315250984190/401.1500.12/300.0.5/"
            .to_string()
            + &good[good.len() - 8..]
    );
    // Re-checked: a text changed by hand gets the right check digits, so that the field's
    // own rule is what refuses it.
    let rechecked = |body: &str| {
        let digest = Posted::digest(body);
        format!("{body}{}", digest[..8].to_uppercase())
    };
    let body = &good[..good.len() - 8];
    let cases: Vec<(String, &str)> = vec![
        (good.replace("/300.", "/301."), "check"),
        ("TPQ2/x".into(), "format"),
        // Found by `decoding_never_panics`: a first field cut inside a character.
        ("QჍ.𚿱&/x".into(), "format"),
        ("".into(), "format"),
        (rechecked(&body.replace("/17/", "/17/0/0/")), "format"),
        (rechecked(&body.replace("/17/0/", "/17/x/")), "contest"),
        (
            rechecked(&body.replace("NNTTEMBSGA", "nnttembsga")),
            "election",
        ),
        (rechecked(&body.replace("NNTTEMBSGA", "")), "election"),
        (rechecked(&body.replace("/17/0/", "/017/0/")), "station"),
        (
            rechecked(&body.replace("/17/0/", "/99999999999/0/")),
            "station",
        ),
        (rechecked(&body.replace("/M/", "/X/")), "source"),
        (
            rechecked(&body.replace("202010042130", "202013042130")),
            "time",
        ),
        (rechecked(&body.replace("BCD35C", "bcd35c")), "key"),
        (rechecked(&body.replace("BCD35C", "BCD3")), "key"),
        (rechecked(&body.replace("401.1500.12", "401.1500")), "lines"),
        (rechecked(&body.replace("401.", "10000.")), "lines"),
        (rechecked(&body.replace("300.0.5", "300..5")), "votes"),
        (rechecked(&body.replace("300.0.5", "-3")), "votes"),
    ];
    for (text, field) in cases {
        match Posted::decode(&text) {
            Err(PostedError::Text { field: f, .. }) => assert_eq!(f, field, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
    assert_eq!(Posted::decode(&rechecked(body)).unwrap().votes, [300, 0, 5]);
}

#[test]
fn an_image_without_a_code_is_unreadable() {
    assert!(matches!(
        read(64, 64, &[255; 64 * 64]),
        Err(PostedError::Unreadable(_))
    ));
    assert!(matches!(
        read(3, 3, &[0; 4]),
        Err(PostedError::Unreadable(_))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decoding_never_panics(text in "\\PC{0,400}") {
        let _ = Posted::decode(&text);
    }

    #[test]
    fn any_protocol_that_fits_round_trips(
        election in "[a-z0-9-]{1,12}|[а-я]{1,6}",
        station in 0u32..5_000_000,
        votes in proptest::collection::vec(0u64..200_000, 0..20),
        lines in proptest::collection::vec(proptest::option::of(0u64..5_000_000), Line::COUNT),
        machine in any::<bool>(),
    ) {
        let posted = Posted {
            election,
            station: UnitId(station),
            contest: 0,
            source: if machine { CountSource::Machine } else { CountSource::Manual },
            time: "2020-10-04 21:30".into(),
            key: KEY,
            lines: Line::ALL.iter().zip(&lines).filter_map(|(&l, n)| n.map(|n| (l, n))).collect(),
            votes,
        };
        if let Ok(text) = posted.encode() {
            prop_assert_eq!(Posted::decode(&text).unwrap(), posted);
        }
    }
}

/// A greyscale image.
struct Grey {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

impl Grey {
    fn at(&self, x: f64, y: f64) -> f64 {
        // Bilinear, white outside.
        let (x0, y0) = (x.floor(), y.floor());
        let mut v = 0.0;
        for (dx, dy) in [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)] {
            let (xi, yi) = (x0 + dx, y0 + dy);
            let wgt = (1.0 - (x - xi).abs()) * (1.0 - (y - yi).abs());
            let p = if xi < 0.0 || yi < 0.0 || xi >= self.w as f64 || yi >= self.h as f64 {
                255.0
            } else {
                f64::from(self.px[yi as usize * self.w + xi as usize])
            };
            v += wgt * p;
        }
        v
    }

    /// The image resampled to `w` pixels wide (its aspect kept), rotated by `degrees`
    /// about its centre.
    fn scaled_and_rotated(&self, w: usize, degrees: f64) -> Grey {
        let k = self.w as f64 / w as f64;
        let h = (self.h as f64 / k).round() as usize;
        let (s, c) = degrees.to_radians().sin_cos();
        let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
        let mut px = vec![255u8; w * h];
        for y in 0..h {
            for x in 0..w {
                let (dx, dy) = (x as f64 + 0.5 - cx, y as f64 + 0.5 - cy);
                let (rx, ry) = (c * dx + s * dy + cx, -s * dx + c * dy + cy);
                // Area-averaged when shrinking: the mean of the source pixels it covers.
                let mut sum = 0.0;
                let n = k.ceil().max(1.0) as usize;
                for j in 0..n {
                    for i in 0..n {
                        let sx = (rx - 0.5) * k + (i as f64 + 0.5) * k / n as f64;
                        let sy = (ry - 0.5) * k + (j as f64 + 0.5) * k / n as f64;
                        sum += self.at(sx - 0.5, sy - 0.5);
                    }
                }
                px[y * w + x] = (sum / (n * n) as f64).round() as u8;
            }
        }
        Grey { w, h, px }
    }

    /// A Gaussian blur of `sigma` pixels (separable, the kernel cut at 3 σ).
    fn blurred(&self, sigma: f64) -> Grey {
        let r = (3.0 * sigma).ceil() as isize;
        let kernel: Vec<f64> = (-r..=r)
            .map(|i| (-(i * i) as f64 / (2.0 * sigma * sigma)).exp())
            .collect();
        let total: f64 = kernel.iter().sum();
        let pass = |src: &[u8], horizontal: bool| -> Vec<u8> {
            let mut out = vec![0u8; src.len()];
            for y in 0..self.h {
                for x in 0..self.w {
                    let mut v = 0.0;
                    for (k, wgt) in kernel.iter().enumerate() {
                        let d = k as isize - r;
                        let (sx, sy) = if horizontal {
                            ((x as isize + d).clamp(0, self.w as isize - 1) as usize, y)
                        } else {
                            (x, (y as isize + d).clamp(0, self.h as isize - 1) as usize)
                        };
                        v += wgt * f64::from(src[sy * self.w + sx]);
                    }
                    out[y * self.w + x] = (v / total).round() as u8;
                }
            }
            out
        };
        let px = pass(&pass(&self.px, true), false);
        Grey {
            w: self.w,
            h: self.h,
            px,
        }
    }
}

/// The symbol on an A4 sheet at 150 dpi (1,240 × 1,754 pixels), 12 cm wide (709 pixels)
/// below the sheet's top third, as the form prints it.
fn on_a4(text: &str) -> Grey {
    let s = symbol(text).unwrap();
    let (w, h) = (1240, 1754);
    let module = 709 / (s.width() + 8);
    let (qw, _, q) = s.grey(module, 4);
    let (left, top) = ((w - qw) / 2, 700);
    let mut px = vec![255u8; w * h];
    for y in 0..qw {
        px[(top + y) * w + left..(top + y) * w + left + qw]
            .copy_from_slice(&q[y * qw..(y + 1) * qw]);
    }
    Grey { w, h, px }
}

/// Issue 22: on a sample of 100 Kyrgyz protocols (every 24th station), the symbol on an A4
/// sheet is still read after the sheet is scaled to 600 pixels wide, blurred (σ = 1 pixel)
/// and rotated by 10°: a phone's poor photograph of the door.
#[test]
fn a_poor_photograph_of_the_sheet_still_reads() {
    let all = kyrgyz();
    for p in all.iter().step_by(24).take(100) {
        let text = Posted::of(p, "kg2020", "2020-10-04 21:30", KEY)
            .encode()
            .unwrap();
        let photo = on_a4(&text).scaled_and_rotated(600, 10.0).blurred(1.0);
        let read_back = read(photo.w, photo.h, &photo.px)
            .unwrap_or_else(|e| panic!("station {}: {e}", p.station.0));
        assert_eq!(read_back, text);
    }
}

/// The symbol as a PNG file of `color` type (grey or RGB), 4 pixels a module.
fn png_of(text: &str, color: png::ColorType) -> Vec<u8> {
    let (w, h, px) = symbol(text).unwrap().grey(4, 4);
    let mut out = Vec::new();
    let mut e = png::Encoder::new(&mut out, w as u32, h as u32);
    e.set_color(color);
    let mut wr = e.write_header().unwrap();
    let data: Vec<u8> = match color {
        png::ColorType::Rgb => px.iter().flat_map(|&p| [p, p, p]).collect(),
        _ => px,
    };
    wr.write_image_data(&data).unwrap();
    wr.finish().unwrap();
    out
}

#[test]
fn a_photo_is_read_whatever_its_colour_type_and_a_non_image_is_not() {
    let text = Posted::of(&kyrgyz()[0], "kg2020", "2020-10-04 21:30", KEY)
        .encode()
        .unwrap();
    for color in [png::ColorType::Grayscale, png::ColorType::Rgb] {
        assert_eq!(postedqr::read_photo(&png_of(&text, color)).unwrap(), text);
    }
    for bytes in [
        &b"GIF89a"[..],
        b"",
        b"\x89PNG\r\n\x1a\n broken",
        &[0xFF, 0xD8, 0xFF],
    ] {
        assert!(matches!(
            postedqr::read_photo(bytes),
            Err(PostedError::Unreadable(_))
        ));
    }
}

/// Codes made from `docs/protocol-qr.md` by Python (`test_data/python_qr.py`: hashlib,
/// base64 and the `qrcode` package; 1-bit PNGs and lossy RGB JPEGs): Rust reads each photo,
/// decodes its text, and writes the very same text back from the figures.
#[test]
fn codes_made_by_python_from_the_spec_read_and_write_alike() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/test_data/");
    let list = std::fs::read_to_string(format!("{dir}python.json")).unwrap();
    let codes: Vec<(String, String)> = list
        .split("\"file\": \"")
        .skip(1)
        .map(|rest| {
            let (file, rest) = rest.split_once('"').unwrap();
            let text = rest.split("\"text\": \"").nth(1).unwrap();
            (
                file.to_string(),
                text.split('"').next().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(codes.len(), 4);
    for (file, text) in &codes {
        let photo = std::fs::read(format!("{dir}{file}")).unwrap();
        assert_eq!(&postedqr::read_photo(&photo).unwrap(), text, "{file}");
        let posted = Posted::decode(text).unwrap();
        assert_eq!(&posted.encode().unwrap(), text, "{file}");
    }
    let second = Posted::decode(&codes[2].1).unwrap();
    assert_eq!(
        (second.election.as_str(), second.station, second.contest),
        ("бишкек-2021", UnitId(4017), 1)
    );
    assert_eq!(second.source, CountSource::Machine);
    assert_eq!(second.time, "2021-04-11 19:59");
    assert_eq!(
        second.lines,
        [
            (Line::Registered, 2950),
            (Line::IssuedTotal, 1702),
            (Line::Invalid, 31),
            (Line::Valid, 1671)
        ]
    );
    assert_eq!(second.votes, [400, 300, 0, 971]);
    assert_eq!(second.key, KEY);
}
