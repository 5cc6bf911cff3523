//! RFC 6962 reference tree (transparency-dev/merkle `testonly/constants.go`), published
//! proofs, the C2SP and Go signed-note vectors and the checkpoint example.

use translog::checkpoint::Checkpoint;
use translog::note::{Note, NoteSigner, NoteVerifier};
use translog::{leaf_hash, node_hash, verify_consistency, verify_inclusion, Hash, Tree};

use crate::{h, unhex, vectors};

fn reference_tree() -> Tree {
    let v = vectors();
    let leaves: Vec<Vec<u8>> = v["reference_tree_published"]["leaf_inputs_hex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| unhex(x.as_str().unwrap()))
        .collect();
    Tree::from_entries(&leaves)
}

#[test]
fn hasher_units() {
    let v = vectors();
    let u = v["hasher_unit_vectors_published"].as_array().unwrap();
    assert_eq!(Hash::empty_root(), h(u[0]["output"].as_str().unwrap()));
    assert_eq!(leaf_hash(b""), h(u[1]["output"].as_str().unwrap()));
    assert_eq!(leaf_hash(b"L123456"), h(u[2]["output"].as_str().unwrap()));
    // The node vector hashes raw 4-byte strings, not 32-byte hashes: check it by hand.
    use sha2::Digest;
    let mut raw = vec![1u8];
    raw.extend_from_slice(b"N123N456");
    let got: [u8; 32] = sha2::Sha256::digest(&raw).into();
    assert_eq!(Hash(got), h(u[3]["output"].as_str().unwrap()));
}

#[test]
fn reference_tree_nodes_and_roots() {
    let v = vectors();
    let t = reference_tree();
    let levels = v["reference_tree_published"]["node_hashes_by_level"]["levels"]
        .as_array()
        .unwrap();
    for (level, nodes) in levels.iter().enumerate() {
        for (i, n) in nodes.as_array().unwrap().iter().enumerate() {
            assert_eq!(
                t.node(level, i as u64),
                Some(h(n.as_str().unwrap())),
                "level {level} index {i}"
            );
        }
    }
    for (size, root) in v["reference_tree_published"]["root_hash_by_tree_size"]
        .as_object()
        .unwrap()
    {
        assert_eq!(
            t.root_at(size.parse().unwrap()).unwrap(),
            h(root.as_str().unwrap()),
            "size {size}"
        );
    }
    assert_eq!(
        node_hash(&t.node(0, 0).unwrap(), &t.node(0, 1).unwrap()),
        t.node(1, 0).unwrap()
    );
}

#[test]
fn published_inclusion_proofs() {
    let v = vectors();
    let t = reference_tree();
    for p in v["inclusion_proofs_published"].as_array().unwrap() {
        let (i, n) = (
            p["leaf_index"].as_u64().unwrap(),
            p["tree_size"].as_u64().unwrap(),
        );
        let proof: Vec<Hash> = p["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| h(x.as_str().unwrap()))
            .collect();
        assert_eq!(t.inclusion_proof(i, n).unwrap(), proof, "({i}, {n})");
        verify_inclusion(
            i,
            n,
            &h(p["leaf_hash"].as_str().unwrap()),
            &proof,
            &h(p["root"].as_str().unwrap()),
        )
        .unwrap();
    }
}

#[test]
fn published_consistency_proofs() {
    let v = vectors();
    let t = reference_tree();
    for p in v["consistency_proofs_published"].as_array().unwrap() {
        let (m, n) = (p["size1"].as_u64().unwrap(), p["size2"].as_u64().unwrap());
        let proof: Vec<Hash> = p["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| h(x.as_str().unwrap()))
            .collect();
        assert_eq!(t.consistency_proof(m, n).unwrap(), proof, "({m}, {n})");
        verify_consistency(
            m,
            n,
            &h(p["root1"].as_str().unwrap()),
            &h(p["root2"].as_str().unwrap()),
            &proof,
        )
        .unwrap();
    }
}

#[test]
fn every_proof_of_every_small_tree_verifies() {
    let t = Tree::from_entries((0..40u32).map(|i| i.to_be_bytes()));
    let (mut incl, mut cons) = (0, 0);
    for n in 1..=40 {
        let root = t.root_at(n).unwrap();
        for i in 0..n {
            verify_inclusion(
                i,
                n,
                &t.leaf(i).unwrap(),
                &t.inclusion_proof(i, n).unwrap(),
                &root,
            )
            .unwrap();
            incl += 1;
        }
        for m in 1..=n {
            verify_consistency(
                m,
                n,
                &t.root_at(m).unwrap(),
                &root,
                &t.consistency_proof(m, n).unwrap(),
            )
            .unwrap();
            cons += 1;
        }
    }
    assert_eq!((incl, cons), (820, 820));
}

#[test]
fn signed_notes_verify_and_resigning_reproduces_the_signature() {
    let v = vectors();
    for n in v["signed_note_vectors_published"].as_array().unwrap() {
        let verifier = NoteVerifier::parse(n["verifier_key"].as_str().unwrap()).unwrap();
        assert_eq!(verifier.text(), n["verifier_key"].as_str().unwrap());
        let note = Note::parse(n["signed_note"].as_str().unwrap()).unwrap();
        assert_eq!(note.text, n["note_text"].as_str().unwrap());
        assert_eq!(
            note.verify(std::slice::from_ref(&verifier)).unwrap(),
            vec![verifier.name.clone()]
        );
        if let Some(signer) = n["signer_key"].as_str() {
            let s = NoteSigner::parse(signer).unwrap();
            assert_eq!(s.text(), signer);
            let again = translog::note::sign(&note.text, &[&s]).unwrap();
            assert_eq!(
                again,
                n["signed_note"].as_str().unwrap(),
                "re-signing must be byte for byte"
            );
        }
    }
}

#[test]
fn key_fingerprints_match_those_computed_with_python() {
    let v = vectors();
    let list = v["key_fingerprints_derived"]["vectors"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    for k in list {
        let verifier = NoteVerifier::parse(k["verifier_key"].as_str().unwrap()).unwrap();
        assert_eq!(verifier.fingerprint(), k["fingerprint"].as_str().unwrap());
    }
}

#[test]
fn the_checkpoint_example_parses_and_our_checkpoints_round_trip() {
    let v = vectors();
    let c = &v["checkpoint_format_published"];
    let body = c["body"].as_str().unwrap();
    let cp = Checkpoint::parse_body(body).unwrap();
    assert_eq!(
        (cp.origin.as_str(), cp.size),
        ("example.com/behind-the-sofa", 20_852_163)
    );
    assert_eq!(cp.body(), body);
    let note = Note::parse(c["signed"].as_str().unwrap()).unwrap();
    assert_eq!(note.text, body);
    assert_eq!(note.signatures[0].name, "example.com/behind-the-sofa");
    assert_eq!(
        translog::checkpoint::cosigned_message(&cp, 1_679_315_147),
        c["ed25519_cosignature_signed_message_example"]
            .as_str()
            .unwrap()
    );
    // Our own: sign, open, cosign, verify the cosignature.
    let log = NoteSigner::from_seed("tallyproof.test/log", [7; 32]).unwrap();
    let t = Tree::from_entries([b"a".as_slice(), b"b", b"c"]);
    let mine = Checkpoint {
        origin: log.name.clone(),
        size: t.size(),
        root: t.root(),
    };
    let signed = mine.sign(&log).unwrap();
    let witness = translog::checkpoint::Cosigner::from_seed("witness.test", [9; 32]);
    let with_cosig = format!(
        "{signed}{}\n",
        witness.cosign(&mine, 1_700_000_000).unwrap()
    );
    let (opened, note) = Checkpoint::open(&with_cosig, &log.verifier()).unwrap();
    assert_eq!(opened, mine);
    let ok =
        translog::checkpoint::verify_cosignatures(&opened, &note.signatures, &[witness.verifier()])
            .unwrap();
    assert_eq!(ok, vec![("witness.test".to_string(), 1_700_000_000)]);
}
