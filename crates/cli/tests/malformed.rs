//! A published directory (as `tallyproof publish` writes it) in which one entry names what
//! the log does not have: `tallyproof verify` answers REJECTED naming the entry and the field,
//! and never panics (issue "One rulebook", item 4: a publication of a contest the election
//! does not have, claiming nothing, got past every comparison and indexed the contests).
//!
//! Each case re-encodes entries with `record::encode` (or edits their canonical bytes, for
//! values no entry can hold) and publishes the result again as the publisher would: the
//! tiles rebuilt and the checkpoint signed with the log's own key, so that the signature,
//! the tiles and the root all check and the replay is what refuses it.

use std::path::Path;

use model::UnitId;
use record::{decode, encode, AuditStep, Complaint, Decision, Entry, Publication};
use translog::checkpoint::Checkpoint;
use translog::note::NoteSigner;
use translog::tiles::{read_entries, write_tiles};
use translog::Tree;

use crate::{run, stderr, stdout};

/// A small generated election, imported and published to `pub` with the key `log.key`.
fn published(dir: &Path) -> (Vec<Vec<u8>>, NoteSigner, String) {
    let ok = |args: &[&str]| {
        let o = run(dir, args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        stdout(&o)
    };
    ok(&[
        "gen",
        "--stations",
        "12",
        "--parties",
        "3",
        "--regions",
        "2",
        "--seed",
        "4",
        "-o",
        "g.csv",
    ]);
    ok(&["import", "g.csv", "--db", "s.db", "--name", "kg"]);
    ok(&[
        "publish", "--db", "s.db", "--out", "pub", "--key", "log.key",
    ]);
    assert!(ok(&["verify", "pub", "--key", "pub/log.pub"]).ends_with("VALID\n"));
    let fetch = |p: &str| std::fs::read(dir.join("pub").join(p)).ok();
    let text = String::from_utf8(fetch("checkpoint").unwrap()).unwrap();
    let c = Checkpoint::parse_body(&translog::note::Note::parse(&text).unwrap().text).unwrap();
    let entries = read_entries(&fetch, c.size).unwrap();
    let key = NoteSigner::parse(&std::fs::read_to_string(dir.join("log.key")).unwrap()).unwrap();
    (entries, key, c.origin)
}

/// Writes `entries` to `dir/out` as `publish` does: tiles, a signed checkpoint, `log.pub`.
fn publish(dir: &Path, out: &str, entries: &[Vec<u8>], key: &NoteSigner, origin: &str) {
    let out = dir.join(out);
    let tree = Tree::from_entries(entries);
    for (path, bytes) in write_tiles(&tree, entries, tree.size()).unwrap() {
        let p = out.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let c = Checkpoint {
        origin: origin.into(),
        size: tree.size(),
        root: tree.root(),
    };
    std::fs::write(out.join("checkpoint"), c.sign(key).unwrap()).unwrap();
    std::fs::write(out.join("log.pub"), key.verifier().text()).unwrap();
}

/// `entries` with `bytes` in place of entry `i`, or added at the end when `i` is their length.
fn with(entries: &[Vec<u8>], i: usize, bytes: Vec<u8>) -> Vec<Vec<u8>> {
    let mut v = entries.to_vec();
    if i == v.len() {
        v.push(bytes);
    } else {
        v[i] = bytes;
    }
    v
}

#[test]
fn verify_refuses_every_index_out_of_range_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (entries, key, origin) = published(d);
    let n = entries.len();
    // The publication act's publication (the signing key's declaration follows it).
    let last = (0..n)
        .rev()
        .find(|&i| matches!(decode(i as u64, &entries[i]), Ok(Entry::Publication(_))))
        .expect("the published log has a publication");
    let Entry::Publication(p) = decode(last as u64, &entries[last]).unwrap() else {
        unreachable!()
    };
    let Entry::Units(rows) = decode(1, &entries[1]).unwrap() else {
        panic!("entry 1 is not the units");
    };
    let station = rows
        .iter()
        .rev()
        .find(|r| r.2 == model::UnitLevel::Station)
        .unwrap()
        .0;
    // The import's protocol of that station: a protocol without a `verify` comes before the
    // staff's first act (`docs/log-format.md`), so the crafted ones take its place.
    let (pi, protocol) = (2..n)
        .find_map(|i| match decode(i as u64, &entries[i]).unwrap() {
            Entry::Protocol(q) if q.station.0 == station => Some((i, q)),
            _ => None,
        })
        .unwrap();
    let next = |f: &dyn Fn(&mut model::Protocol)| {
        let mut q = protocol.clone();
        f(&mut q);
        encode(&Entry::Protocol(q))
    };
    let mut orphan = rows.clone();
    orphan[1].1 = 999_999;
    let reason = record::commitment(&[1; 32], "r");
    let audit = |step: AuditStep| encode(&Entry::Audit(step));
    let start = audit(AuditStep::Start {
        audit: "a".into(),
        contest: 0,
        law: "kg2020".into(),
        base: None,
        method: record::AuditMethod::Polling,
        risk_limit: "5".into(),
        seed: "1".into(),
        ballots: 10,
        cvrs: None,
    });
    let manifest = |s: u32| {
        audit(AuditStep::Manifest {
            audit: "a".into(),
            batches: vec![(s, 10)],
        })
    };
    let big = (1u64 << 32) + u64::from(station);
    let above = format!("station: {big} is above 4294967295");
    let unit_text = String::from_utf8(next(&|_| {})).unwrap();
    let wrapped = unit_text.replacen(
        &format!("\"station\":{station},"),
        &format!("\"station\":{big},"),
        1,
    );
    let cases: Vec<(&str, Vec<Vec<u8>>, usize, &str)> =
        vec![
        (
            "a publication of a contest the election does not have, claiming nothing (it panicked)",
            with(
                &entries,
                last,
                encode(&Entry::Publication(Publication {
                    stage: record::Stage::Preliminary,
                    contest: 5,
                    stations_counted: 0,
                    votes: Vec::new(),
                    valid: None,
                    invalid: None,
                    seats: None,
                })),
            ),
            last,
            "contest: contest 5 does not exist (the election has 1 contest(s))",
        ),
        (
            "a publication of a contest the election does not have",
            with(
                &entries,
                last,
                encode(&Entry::Publication(Publication {
                    contest: 1,
                    ..p.clone()
                })),
            ),
            last,
            "contest: contest 1 does not exist",
        ),
        (
            "a unit under a unit that does not exist",
            with(&entries, 1, encode(&Entry::Units(orphan))),
            1,
            "units[1].parent: unit 999999 does not exist",
        ),
        (
            "an imported protocol for a contest that does not exist",
            with(&entries, pi, next(&|q| q.contest = 3)),
            pi,
            "contest: contest 3 does not exist",
        ),
        (
            "an imported protocol for a station that does not exist",
            with(&entries, pi, next(&|q| q.station = UnitId(999_999))),
            pi,
            "station: unit 999999 does not exist",
        ),
        (
            "an imported protocol with a count too many",
            with(&entries, pi, next(&|q| q.votes.push(0))),
            pi,
            "votes: ",
        ),
        (
            "a station id above 32 bits (2^32 + s was station s)",
            with(&entries, pi, wrapped.into_bytes()),
            pi,
            &above,
        ),
        (
            "an annulment of a unit that does not exist",
            with(
                &entries,
                n,
                encode(&Entry::Decision(Decision::AnnulUnit {
                    unit: UnitId(999_999),
                    reason: reason.clone(),
                })),
            ),
            n,
            "unit: annulment of an unknown unit",
        ),
        (
            "a complaint about a unit that does not exist",
            with(
                &entries,
                n,
                encode(&Entry::Complaint(Complaint {
                    unit: UnitId(999_999),
                    by: reason.clone(),
                    text: reason.clone(),
                    scan: None,
                    category: None,
                })),
            ),
            n,
            "unit: complaint about an unknown unit",
        ),
        (
            "an assignment to a unit that does not exist",
            with(&entries, n, {
                let assign = record::StaffAct::Assign {
                    user: reason.clone(),
                    unit: UnitId(999_999),
                };
                // Stamped as the console stamps its acts: staff entries carry their time.
                encode(&Entry::Staff(record::Staff::at("console", assign, crate::clock())))
            }),
            n,
            "unit: unit 999999 does not exist",
        ),
        (
            "an audit's manifest of a station that does not exist",
            with(&with(&entries, n, start.clone()), n + 1, manifest(999_999)),
            n + 1,
            "batches[0].station: unit 999999 does not exist",
        ),
        (
            "an audit's reading of a choice the contest does not have",
            {
                let mut v = with(&entries, n, start);
                v.push(manifest(station));
                v.push(audit(AuditStep::Round {
                    audit: "a".into(),
                    round: 1,
                    size: 1,
                }));
                v.push(audit(AuditStep::Readings {
                    audit: "a".into(),
                    round: 1,
                    readings: vec![(1, None, Some(9))],
                }));
                v
            },
            n + 3,
            "readings[0].paper: choice 9 does not exist",
        ),
    ];
    for (k, (name, crafted, index, says)) in cases.into_iter().enumerate() {
        let out = format!("c{k}");
        publish(d, &out, &crafted, &key, &origin);
        let o = run(d, &["verify", &out, "--key", "pub/log.pub"]);
        assert!(!stderr(&o).contains("panicked"), "{name}: {}", stderr(&o));
        assert_eq!(
            o.status.code(),
            Some(1),
            "{name}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        let want = format!("REJECTED: replay: entry {index}: {says}");
        assert!(stdout(&o).starts_with(&want), "{name}: {}", stdout(&o));
    }
}

/// A content file whose salt is not hex was read by skipping the bad digits (and "+a" was
/// read as 0x0a, so a malformed opening matched its commitment): refused with its name.
#[test]
fn verify_refuses_a_content_whose_salt_is_not_hex() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (entries, key, origin) = published(d);
    let salt = [0x0a; 32];
    let by = record::commitment(&[7; 32], "a voter");
    let text = record::commitment(&salt, "the box was opened");
    let complaint = encode(&Entry::Complaint(Complaint {
        unit: UnitId(1),
        by,
        text: text.clone(),
        scan: None,
        category: None,
    }));
    let log = with(&entries, entries.len(), complaint);
    publish(d, "c", &log, &key, &origin);
    let content = d.join("c/content");
    std::fs::create_dir_all(&content).unwrap();
    let opening = |s: &str| format!("{s}\nthe box was opened");
    std::fs::write(content.join(&text), opening(&"0a".repeat(32))).unwrap();
    let o = run(d, &["verify", "c", "--key", "pub/log.pub"]);
    assert!(stdout(&o).ends_with("VALID\n"), "{}", stdout(&o));
    for bad in [
        "+a".repeat(32),
        format!("0g{}", "0a".repeat(31)),
        "0a".repeat(31),
    ] {
        std::fs::write(content.join(&text), opening(&bad)).unwrap();
        let o = run(d, &["verify", "c", "--key", "pub/log.pub"]);
        assert_eq!(o.status.code(), Some(1), "{bad}: {}", stdout(&o));
        let want = format!("REJECTED: content/{text}: its salt is not 64 hex digits");
        assert!(stdout(&o).starts_with(&want), "{bad}: {}", stdout(&o));
    }
}

/// A tampered bundle is reported with what its entry is, read from the log's units: a units
/// entry naming a parent the tree lacks made that lookup panic.
#[test]
fn a_tampered_bundle_beside_an_orphan_unit_is_reported_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (entries, key, origin) = published(d);
    let Entry::Units(mut rows) = decode(1, &entries[1]).unwrap() else {
        panic!("entry 1 is not the units");
    };
    rows[1].1 = 999_999;
    publish(
        d,
        "c",
        &with(&entries, 1, encode(&Entry::Units(rows))),
        &key,
        &origin,
    );
    let bundle = d
        .join("c/tile/entries/000.p")
        .read_dir()
        .unwrap()
        .next()
        .unwrap();
    let bundle = bundle.unwrap().path();
    let mut b = std::fs::read(&bundle).unwrap();
    let at = b.windows(9).position(|w| w == b"\"votes\":[").unwrap() + 9;
    b[at] = if b[at] == b'9' { b'8' } else { b'9' };
    std::fs::write(&bundle, b).unwrap();
    let o = run(d, &["verify", "c", "--key", "pub/log.pub"]);
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).starts_with("REJECTED: tile rejected: tile/0/000.p/"),
        "{}",
        stdout(&o)
    );
}

/// Verifies `http://127.0.0.1:PORT/` against a server that answers every request with
/// `response`; the command's output and the URL of the checkpoint it asked for.
fn verify_against(response: impl Into<Vec<u8>>) -> (std::process::Output, String) {
    use std::io::{Read, Write};
    let response = response.into();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            // The whole request first: closing on unread bytes would reset the connection.
            let (mut head, mut buf) = (Vec::new(), [0u8; 1024]);
            while !head.ends_with(b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(n) if n > 0 => head.extend_from_slice(&buf[..n]),
                    _ => break,
                }
            }
            let _ = s.write_all(&response);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let key = NoteSigner::from_seed("tallyproof.test/kg", [7; 32]).unwrap();
    let o = run(
        dir.path(),
        &[
            "verify",
            &format!("http://127.0.0.1:{port}/"),
            "--key",
            &key.verifier().text(),
        ],
    );
    (o, format!("http://127.0.0.1:{port}/checkpoint"))
}

/// `verify http://127.0.0.1:PORT/` reads chunked responses: a chunk size of 2^64 - 1 from
/// the server verified overflowed the chunk's end (a panic in the hand-written client this
/// command had); through ureq it is a failed fetch naming the URL.
#[test]
fn a_chunk_size_at_the_edge_of_64_bits_is_a_failed_fetch() {
    let (o, url) = verify_against(
        &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc"[..],
    );
    assert_eq!(o.status.code(), Some(5));
    assert_eq!(stdout(&o), "");
    assert_eq!(
        stderr(&o),
        format!("error: cannot fetch {url}: the connection failed: Peer disconnected\n")
    );
}

/// A chunk size that is not hexadecimal, or beyond 64 bits, is refused with the URL named.
/// (ureq reads `+a` as 10, as Rust's `from_str_radix` does: the body it gives is then no
/// checkpoint, and the log is rejected.)
#[test]
fn a_chunk_size_that_is_not_hexadecimal_is_refused_and_named() {
    let not_a_number = "the answer is not valid HTTP: chunk length cannot be read as a number";
    for (response, told) in [
        (
            &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"[..],
            not_a_number,
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\nabc\r\n0\r\n\r\n",
            not_a_number,
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\nabc",
            not_a_number,
        ),
    ] {
        let (o, url) = verify_against(response);
        assert_eq!(o.status.code(), Some(5));
        assert_eq!(stdout(&o), "");
        assert_eq!(stderr(&o), format!("error: cannot fetch {url}: {told}\n"));
    }
    let (o, _) = verify_against(
        &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+a\r\n0123456789\r\n0\r\n\r\n"[..],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "REJECTED: checkpoint: note rejected: the note text must end with a newline\n"
    );
}

/// Answers that are not a file and not a 404 are errors naming the URL, never a missing
/// file: another status, a redirect (not followed, to this host or another), an answer that
/// is not HTTP, and a body over 64 MiB.
#[test]
fn a_status_a_redirect_or_a_body_too_large_is_an_error_naming_the_url() {
    let mut too_large = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
        (64 << 20) + 1
    )
    .into_bytes();
    too_large.resize(too_large.len() + (64 << 20) + 1, b'x');
    for (response, told) in [
        (
            b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n".to_vec(),
            "the server answered 500 Internal Server Error".to_string(),
        ),
        (
            b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".to_vec(),
            "the server answered 403 Forbidden".into(),
        ),
        (
            b"HTTP/1.1 301 Moved\r\nLocation: https://elsewhere.example/log/\r\nContent-Length: 0\r\n\r\n".to_vec(),
            "the server redirects to https://elsewhere.example/log/, and redirects are not followed (verify the log at its own URL)".into(),
        ),
        (
            b"HTTP/1.1 302 Found\r\nLocation: /other/checkpoint\r\nContent-Length: 0\r\n\r\n".to_vec(),
            "the server redirects to /other/checkpoint, and redirects are not followed (verify the log at its own URL)".into(),
        ),
        (
            b"garbage\r\n\r\n".to_vec(),
            "the answer is not valid HTTP: http parse fail: invalid HTTP version".into(),
        ),
        (too_large, "the answer is larger than 64 MiB".into()),
    ] {
        let (o, url) = verify_against(response);
        assert_eq!(o.status.code(), Some(5), "{told}");
        assert_eq!(stdout(&o), "", "{told}");
        assert_eq!(stderr(&o), format!("error: cannot fetch {url}: {told}\n"));
    }
}
