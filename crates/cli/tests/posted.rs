//! `tallyproof protocol check` (issue 22): a photo of a posted protocol's QR code against the
//! published, signed log: the match; the same code regenerated with one vote moved, a
//! mismatch naming the lines; a photo without a code; a log that does not verify.

use model::UnitLevel;
use postedqr::Posted;
use store::Store;

use crate::{run, stderr, stdout};

/// `text`'s QR symbol as a PNG file, 4 pixels a module, grey.
pub(crate) fn png_of(text: &str) -> Vec<u8> {
    let (w, h, px) = postedqr::symbol(text).unwrap().grey(4, 4);
    grey_png(w, h, &px)
}

fn grey_png(w: usize, h: usize, px: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut e = png::Encoder::new(&mut out, w as u32, h as u32);
    e.set_color(png::ColorType::Grayscale);
    let mut wr = e.write_header().unwrap();
    wr.write_image_data(px).unwrap();
    wr.finish().unwrap();
    out
}

#[test]
fn a_posted_protocols_code_is_checked_against_the_signed_log() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for args in [
        &["gen", "--stations", "12", "-o", "g.csv"][..],
        &["import", "g.csv", "--db", "s.db", "--name", "s"],
        &[
            "publish", "--db", "s.db", "--out", "pub", "--key", "log.key",
        ],
    ] {
        let o = run(d, args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    }
    let key = std::fs::read_to_string(d.join("pub/log.pub")).unwrap();
    let fingerprint = translog::note::NoteVerifier::parse(key.trim())
        .unwrap()
        .fingerprint()
        .replace(' ', "");
    let key16: [u8; 16] = hex::decode(fingerprint).unwrap().try_into().unwrap();
    let loaded = store::open(d.join("s.db").to_str().unwrap())
        .unwrap()
        .load("s")
        .unwrap();
    let p = loaded
        .protocols
        .iter()
        .find(|p| loaded.election.units.get(p.station).level == UnitLevel::Station)
        .unwrap();
    let posted = Posted::of(p, "s", "2020-10-04 21:30", key16);
    let check = |photo: &[u8], key: &str| {
        std::fs::write(d.join("photo.png"), photo).unwrap();
        run(
            d,
            &[
                "protocol",
                "check",
                "photo.png",
                "--log",
                "pub",
                "--key",
                key,
            ],
        )
    };

    let o = check(&png_of(&posted.encode().unwrap()), "pub/log.pub");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("MATCH"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("the key the code names"),
        "{}",
        stdout(&o)
    );

    // The code regenerated with one vote moved from the first choice to the second: valid
    // check digits, and a mismatch naming both lines.
    let mut moved = posted.clone();
    moved.votes[0] -= 1;
    moved.votes[1] += 1;
    let o = check(&png_of(&moved.encode().unwrap()), "pub/log.pub");
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let said = stdout(&o);
    assert!(said.contains("MISMATCH"), "{said}");
    let choices = &loaded.election.contests[0].choices;
    for (k, (copied, official)) in [
        (0, (p.votes[0] - 1, p.votes[0])),
        (1, (p.votes[1] + 1, p.votes[1])),
    ] {
        let line = format!("  {}: posted {copied}, log {official}", choices[k].name);
        assert!(said.contains(&line), "{line} in {said}");
    }

    // A photo without a code, and a log checked with another key.
    let o = check(&grey_png(300, 300, &[255; 300 * 300]), "pub/log.pub");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("photo.png"), "{}", stderr(&o));
    let o = run(
        d,
        &[
            "publish",
            "--db",
            "s.db",
            "--out",
            "other",
            "--key",
            "other.key",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = check(&png_of(&posted.encode().unwrap()), "other/log.pub");
    assert_eq!(o.status.code(), Some(7), "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("does not verify"), "{}", stderr(&o));
}
