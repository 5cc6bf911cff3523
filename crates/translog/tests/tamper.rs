//! Every alteration is detected with a precise message, and nothing panics.

use translog::checkpoint::Checkpoint;
use translog::note::{Note, NoteSigner};
use translog::tiles::{read_tiles, write_tiles};
use translog::{verify_consistency, verify_inclusion, Hash, Tree};

fn flip(h: &Hash, bit: usize) -> Hash {
    let mut x = *h;
    x.0[bit / 8] ^= 1 << (bit % 8);
    x
}

#[test]
fn flipped_bits_in_proofs_roots_and_leaves_are_rejected() {
    let t = Tree::from_entries((0..23u32).map(|i| i.to_be_bytes()));
    let (i, n) = (5, 23);
    let proof = t.inclusion_proof(i, n).unwrap();
    let root = t.root_at(n).unwrap();
    let leaf = t.leaf(i).unwrap();
    for bit in [0, 77, 255] {
        assert!(verify_inclusion(i, n, &flip(&leaf, bit), &proof, &root).is_err());
        assert!(verify_inclusion(i, n, &leaf, &proof, &flip(&root, bit)).is_err());
        for k in 0..proof.len() {
            let mut p = proof.clone();
            p[k] = flip(&p[k], bit);
            assert!(verify_inclusion(i, n, &leaf, &p, &root).is_err());
        }
    }
    let cons = t.consistency_proof(9, 23).unwrap();
    let r9 = t.root_at(9).unwrap();
    for k in 0..cons.len() {
        let mut p = cons.clone();
        p[k] = flip(&p[k], 3);
        let e = verify_consistency(9, 23, &r9, &root, &p)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("proof rejected: the proof does not lead to the"),
            "{e}"
        );
    }
}

#[test]
fn wrong_lengths_and_edge_cases_are_rejected_before_hashing() {
    let t = Tree::from_entries((0..8u32).map(|i| i.to_be_bytes()));
    let root = t.root();
    let leaf = t.leaf(2).unwrap();
    let mut proof = t.inclusion_proof(2, 8).unwrap();
    proof.push(Hash::default());
    assert_eq!(
        verify_inclusion(2, 8, &leaf, &proof, &root)
            .unwrap_err()
            .to_string(),
        "proof rejected: an inclusion proof of leaf 2 in size 8 has 3 hashes, this one has 4"
    );
    assert_eq!(
        verify_inclusion(8, 8, &leaf, &[], &root)
            .unwrap_err()
            .to_string(),
        "proof rejected: leaf index 8 is not below the tree size 8"
    );
    assert_eq!(
        verify_consistency(0, 8, &Hash::empty_root(), &root, &[])
            .unwrap_err()
            .to_string(),
        "proof rejected: a consistency proof from an empty tree is meaningless"
    );
    assert_eq!(
        verify_consistency(8, 8, &root, &Hash::default(), &[])
            .unwrap_err()
            .to_string(),
        format!(
            "proof rejected: two different roots for size 8: {root} and {} (a fork)",
            Hash::default()
        )
    );
    assert!(verify_consistency(3, 8, &t.root_at(3).unwrap(), &root, &[]).is_err());
    assert!(verify_consistency(9, 8, &root, &root, &[]).is_err());
    assert!(t.consistency_proof(0, 8).is_err());
    assert!(t.inclusion_proof(8, 8).is_err());
}

#[test]
fn tampered_notes_are_rejected() {
    let log = NoteSigner::from_seed("log.test", [1; 32]).unwrap();
    let c = Checkpoint {
        origin: "log.test".into(),
        size: 3,
        root: Hash::empty_root(),
    };
    let signed = c.sign(&log).unwrap();
    let tampered = signed.replacen("\n3\n", "\n4\n", 1);
    let e = Checkpoint::open(&tampered, &log.verifier())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "note rejected: the signature of 'log.test' does not verify"
    );
    let other = NoteSigner::from_seed("log.test", [2; 32]).unwrap();
    let e = Checkpoint::open(&signed, &other.verifier())
        .unwrap_err()
        .to_string();
    assert_eq!(e, "note rejected: no signature from a known key");
    for bad in [
        "",
        "no newline",
        "text\n",
        "text\n\n",
        "text\n\nsig line\n",
        "a\u{7}b\n\n\u{2014} x AAAAAAA=\n",
    ] {
        assert!(Note::parse(bad).is_err(), "{bad:?}");
    }
    assert!(Checkpoint::parse_body("o\n01\nAAAA\n").is_err());
    assert!(Checkpoint::parse_body("o\n1\n").is_err());
}

#[test]
fn tiles_round_trip_and_every_tampering_is_caught() {
    let entries: Vec<Vec<u8>> = (0..70_000u32)
        .map(|i| format!("entry {i}").into_bytes())
        .collect();
    let t = Tree::from_entries(&entries);
    let files: std::collections::BTreeMap<String, Vec<u8>> = write_tiles(&t, &entries, t.size())
        .unwrap()
        .into_iter()
        .collect();
    // The spec's example layout for 70,000 entries.
    assert!(files.contains_key("tile/0/272"));
    assert!(files.contains_key("tile/0/273.p/112"));
    assert!(files.contains_key("tile/1/000"));
    assert!(files.contains_key("tile/1/001.p/17"));
    assert!(files.contains_key("tile/2/000.p/1"));
    assert!(files.contains_key("tile/entries/273.p/112"));
    let fetch = |m: &std::collections::BTreeMap<String, Vec<u8>>| {
        let m = m.clone();
        move |p: &str| m.get(p).cloned()
    };
    let (back, tree) = read_tiles(&fetch(&files), t.size()).unwrap();
    assert_eq!(back, entries);
    assert_eq!(tree.root(), t.root());
    // An earlier size reads from the same immutable full tiles plus its own partial ones.
    let small: std::collections::BTreeMap<String, Vec<u8>> = write_tiles(&t, &entries, 1000)
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(
        read_tiles(&fetch(&small), 1000).unwrap().1.root(),
        t.root_at(1000).unwrap()
    );

    let mut bad = files.clone();
    bad.get_mut("tile/entries/005").unwrap()[7] ^= 1;
    let e = read_tiles(&fetch(&bad), t.size()).unwrap_err().to_string();
    assert!(
        e.starts_with("tile rejected: tile/0/005: leaf 1280 is"),
        "{e}"
    );
    let mut bad = files.clone();
    bad.get_mut("tile/1/000").unwrap()[40] ^= 1;
    let e = read_tiles(&fetch(&bad), t.size()).unwrap_err().to_string();
    assert!(e.starts_with("tile rejected: tile/1/000: hash 1 is"), "{e}");
    let mut bad = files.clone();
    bad.get_mut("tile/0/010").unwrap().truncate(100);
    assert_eq!(
        read_tiles(&fetch(&bad), t.size()).unwrap_err().to_string(),
        "tile rejected: tile/0/010: 100 bytes, a tile of width 256 has 8192"
    );
    let mut bad = files.clone();
    bad.remove("tile/entries/007");
    assert_eq!(
        read_tiles(&fetch(&bad), t.size()).unwrap_err().to_string(),
        "tile rejected: tile/entries/007 is missing"
    );
    let mut bad = files.clone();
    let b = bad.get_mut("tile/entries/001").unwrap();
    b.truncate(b.len() - 3);
    assert!(read_tiles(&fetch(&bad), t.size())
        .unwrap_err()
        .to_string()
        .contains("tile/entries/001: entry 511 is truncated"));
    // A duplicated entry: the bundle holds more than its entries.
    let mut bad = files.clone();
    let b = bad.get_mut("tile/entries/002").unwrap();
    let first_len = u16::from_be_bytes([b[0], b[1]]) as usize;
    let dup = b[..2 + first_len].to_vec();
    b.extend_from_slice(&dup);
    assert_eq!(
        read_tiles(&fetch(&bad), t.size()).unwrap_err().to_string(),
        format!(
            "tile rejected: tile/entries/002: {} bytes after its 256 entries",
            dup.len()
        )
    );
    // A dropped entry: the bundle runs out before its last entry.
    let mut bad = files.clone();
    let b = bad.get_mut("tile/entries/003").unwrap();
    let first_len = u16::from_be_bytes([b[0], b[1]]) as usize;
    b.drain(..2 + first_len);
    assert!(read_tiles(&fetch(&bad), t.size())
        .unwrap_err()
        .to_string()
        .starts_with("tile rejected: tile/entries/003: truncated before entry 1023"));
    // Reordered entries inside a bundle: the leaf hashes no longer match.
    let mut bad = files.clone();
    let mut es: Vec<Vec<u8>> = entries[256..512].to_vec();
    es.swap(3, 4);
    let mut b = Vec::new();
    for e in &es {
        b.extend_from_slice(&(e.len() as u16).to_be_bytes());
        b.extend_from_slice(e);
    }
    bad.insert("tile/entries/001".into(), b);
    assert!(read_tiles(&fetch(&bad), t.size())
        .unwrap_err()
        .to_string()
        .contains("leaf 259"));
}

#[test]
fn a_witness_cosigns_consistent_growth_and_refuses_a_split_view() {
    use translog::checkpoint::{verify_cosignatures, Cosigner};
    use translog::witness::{add_checkpoint, request, Refusal, WitnessState};
    let log = NoteSigner::from_seed("log.test", [1; 32]).unwrap();
    let me = Cosigner::from_seed("witness.test", [5; 32]);
    let logs = [log.verifier()];
    let mut state = WitnessState::default();
    let honest = Tree::from_entries((0..10u32).map(|i| i.to_be_bytes()));
    let cp = |t: &Tree, n: u64| Checkpoint {
        origin: "log.test".into(),
        size: n,
        root: t.root_at(n).unwrap(),
    };
    // Bootstrap at size 6, then grow to 10 with a consistency proof.
    let line = add_checkpoint(
        &mut state,
        &me,
        &logs,
        &request(0, &[], &cp(&honest, 6).sign(&log).unwrap()),
        100,
    )
    .unwrap();
    assert!(line.starts_with("\u{2014} witness.test "));
    let proof = honest.consistency_proof(6, 10).unwrap();
    let line = add_checkpoint(
        &mut state,
        &me,
        &logs,
        &request(6, &proof, &cp(&honest, 10).sign(&log).unwrap()),
        200,
    )
    .unwrap();
    let signed = format!("{}{line}\n", cp(&honest, 10).sign(&log).unwrap());
    let note = Note::parse(&signed).unwrap();
    assert_eq!(
        verify_cosignatures(&cp(&honest, 10), &note.signatures, &[me.verifier()]).unwrap(),
        vec![("witness.test".to_string(), 200)]
    );
    assert_eq!(WitnessState::parse(&state.text()).unwrap(), state);
    // A fork: same key, a different history of 12 entries.
    let fork = Tree::from_entries((0..12u32).map(|i| (i + 1000).to_be_bytes()));
    let fproof = fork.consistency_proof(10, 12).unwrap();
    let r = add_checkpoint(
        &mut state,
        &me,
        &logs,
        &request(10, &fproof, &cp(&fork, 12).sign(&log).unwrap()),
        300,
    )
    .unwrap_err();
    assert!(
        matches!(r, Refusal::Unprocessable(ref m) if m.starts_with("not consistent with the cosigned size 10")),
        "{r}"
    );
    let r = add_checkpoint(
        &mut state,
        &me,
        &logs,
        &request(10, &[], &cp(&fork, 10).sign(&log).unwrap()),
        300,
    )
    .unwrap_err();
    assert!(
        matches!(r, Refusal::Unprocessable(ref m) if m.starts_with("split view")),
        "{r}"
    );
    // A stale old size, an unknown log, a bad signature.
    assert_eq!(
        add_checkpoint(
            &mut state,
            &me,
            &logs,
            &request(6, &proof, &cp(&honest, 10).sign(&log).unwrap()),
            0
        )
        .unwrap_err(),
        Refusal::Conflict(10)
    );
    let other = NoteSigner::from_seed("other.test", [3; 32]).unwrap();
    let c = Checkpoint {
        origin: "other.test".into(),
        size: 1,
        root: Hash::default(),
    };
    assert_eq!(
        add_checkpoint(
            &mut state,
            &me,
            &logs,
            &request(0, &[], &c.sign(&other).unwrap()),
            0
        )
        .unwrap_err(),
        Refusal::UnknownLog("other.test".into())
    );
    let impostor = NoteSigner::from_seed("log.test", [4; 32]).unwrap();
    assert!(matches!(
        add_checkpoint(
            &mut state,
            &me,
            &logs,
            &request(10, &[], &cp(&honest, 10).sign(&impostor).unwrap()),
            0
        ),
        Err(Refusal::Forbidden(_))
    ));
    // The state did not move on any refusal.
    assert_eq!(state.0["log.test"].0, 10);
}

/// Regression: found by the `proofs` fuzz target: an index with its top bit set made the
/// proof-length computation shift a u64 by 64.
#[test]
fn fuzz_regression_huge_indices_do_not_overflow() {
    let h = Hash::default();
    assert!(verify_inclusion(u64::MAX - 1, u64::MAX, &h, &[h], &h).is_err());
    assert!(verify_inclusion(1 << 63, u64::MAX, &h, &[], &h).is_err());
    assert!(verify_consistency(1 << 63, u64::MAX, &h, &h, &[h, h]).is_err());
    assert!(verify_consistency(u64::MAX, u64::MAX, &h, &h, &[]).is_ok());
}

/// Issue "One rulebook", item 4: `u8::from_str_radix` read "+f" as 0x0f, so a hash with
/// signs in it passed for another, and a key ID of nine digits was taken; and a checkpoint signed with a size of 2^64 - 1
/// made the reader reserve room for that many entries (a capacity-overflow panic) before
/// any tile was fetched.
#[test]
fn malformed_hex_is_refused_and_a_huge_size_is_not_a_panic() {
    let h = Hash([0xab; 32]);
    assert_eq!(Hash::from_hex(&h.hex()).unwrap(), h);
    assert_eq!(Hash::from_hex(&format!("  {}\n", h.hex())).unwrap(), h);
    assert_eq!(Hash::from_hex(&h.hex().to_uppercase()).unwrap(), h);
    for bad in [
        "+f".repeat(32),
        format!("{}g", &h.hex()[..63]),
        h.hex()[..62].to_string(),
        format!("{}00", h.hex()),
        String::new(),
        "é".repeat(32),
    ] {
        let e = Hash::from_hex(&bad).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("bad hash: '{}' is not 64 hex digits", bad.trim())),
            "{bad}: {e}"
        );
    }
    let key = NoteSigner::from_seed("log.test", [1; 32]).unwrap();
    let text = key.verifier().text();
    assert!(translog::note::NoteVerifier::parse(&text).is_ok());
    let (name, rest) = text.split_once('+').unwrap();
    let (id, b64) = rest.split_once('+').unwrap();
    // Nine digits with a leading zero named the same key.
    for bad_id in [
        format!("0{id}"),
        id[1..].to_string(),
        format!("{}g", &id[1..]),
    ] {
        let e = translog::note::NoteVerifier::parse(&format!("{name}+{bad_id}+{b64}"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            format!("note rejected: key ID '{bad_id}' is not 8 hex digits")
        );
    }
    let signer = key.text();
    let at = signer.rfind('+').unwrap();
    let bad = format!("{}+{}", &signer[..at - 9], &signer[at + 1..]);
    assert!(NoteSigner::parse(&bad).is_err(), "{bad}");
    // Nothing is published, whatever the size says: the first bundle is missing.
    let fetch = |_: &str| None;
    for size in [u64::MAX, 1 << 62, 257] {
        let e = read_tiles(&fetch, size).unwrap_err().to_string();
        assert_eq!(e, "tile rejected: tile/entries/000 is missing");
    }
}
