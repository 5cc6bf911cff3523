//! The same trees through `ct-merkle` (an independent RFC 6962 implementation): equal roots,
//! and each side's proofs verify on the other.

use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{ConsistencyProof, InclusionProof};
use proptest::prelude::*;
use sha2::Sha256;
use translog::{verify_consistency, verify_inclusion, Hash, Tree};

fn to_hashes(bytes: &[u8]) -> Vec<Hash> {
    bytes
        .chunks(32)
        .map(|c| Hash(c.try_into().unwrap()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn roots_and_proofs_agree_with_ct_merkle(size in 1u64..10_000, probe in any::<u64>(), old in any::<u64>()) {
        let entries: Vec<Vec<u8>> = (0..size).map(|i| format!("leaf {i} of {size}").into_bytes()).collect();
        let ours = Tree::from_entries(&entries);
        let mut theirs = MemoryBackedTree::<Sha256, Vec<u8>>::new();
        for e in &entries {
            theirs.push(e.clone());
        }
        let their_root = theirs.root();
        let our_root = ours.root();
        prop_assert_eq!(our_root.0.as_slice(), their_root.as_bytes().as_slice());
        let i = probe % size;
        let proof = ours.inclusion_proof(i, size).unwrap();
        let their_proof = theirs.prove_inclusion(i as usize);
        prop_assert_eq!(to_hashes(their_proof.as_bytes()), proof.clone());
        let flat: Vec<u8> = proof.iter().flat_map(|h| h.0).collect();
        prop_assert!(their_root.verify_inclusion(&entries[i as usize], i, &InclusionProof::<Sha256>::from_bytes(flat)).is_ok());
        verify_inclusion(i, size, &ours.leaf(i).unwrap(), &to_hashes(their_proof.as_bytes()), &ours.root()).unwrap();
        if size > 1 {
            let m = 1 + old % (size - 1);
            let cons = ours.consistency_proof(m, size).unwrap();
            let their_cons = theirs.prove_consistency((size - m) as usize);
            prop_assert_eq!(to_hashes(their_cons.as_bytes()), cons.clone());
            let old_root = ct_merkle::RootHash::<Sha256>::new(ours.root_at(m).unwrap().0.into(), m);
            let flat: Vec<u8> = cons.iter().flat_map(|h| h.0).collect();
            prop_assert!(their_root.verify_consistency(&old_root, &ConsistencyProof::<Sha256>::try_from_bytes(flat).unwrap()).is_ok());
            verify_consistency(m, size, &ours.root_at(m).unwrap(), &ours.root(), &to_hashes(their_cons.as_bytes())).unwrap();
        }
    }
}
