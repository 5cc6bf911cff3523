//! Proof verification (RFC 9162 §2.1.3.2 and §2.1.4.2), with the project's edge-case policy:
//! the exact proof length is checked before any hashing, `index >= size` is refused, and a
//! consistency proof from size 0 is refused.

use crate::hash::{node_hash, Hash};
use crate::LogError;

fn bitlen(x: u64) -> u32 {
    64 - x.leading_zeros()
}

/// (inner, border): the lengths of the two parts of an inclusion proof (transparency-dev
/// `decompInclProof`).
fn decomp(index: u64, size: u64) -> (u32, u32) {
    let inner = bitlen(index ^ (size - 1));
    // `inner` reaches 64 for indices with the top bit set: shift out everything then.
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    (inner, border)
}

fn reject(msg: String) -> LogError {
    LogError::Proof(msg)
}

/// The root an inclusion proof leads to, after its length is checked.
pub fn root_from_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
) -> Result<Hash, LogError> {
    if index >= size {
        return Err(reject(format!(
            "leaf index {index} is not below the tree size {size}"
        )));
    }
    let (inner, border) = decomp(index, size);
    let want = (inner + border) as usize;
    if proof.len() != want {
        return Err(reject(format!(
            "an inclusion proof of leaf {index} in size {size} has {want} hashes, this one has {}",
            proof.len()
        )));
    }
    let mut fn_ = index;
    let mut sn = size - 1;
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return Err(reject("the proof is longer than the path".into()));
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(reject("the proof is shorter than the path".into()));
    }
    Ok(r)
}

/// Checks that `leaf` is at `index` in the tree of `size` with `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), LogError> {
    let got = root_from_inclusion(index, size, leaf, proof)?;
    if got != *root {
        return Err(reject(format!("the proof leads to root {got}, not {root}")));
    }
    Ok(())
}

/// Checks that the tree of `size2` with `root2` extends the tree of `size1` with `root1`.
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    root1: &Hash,
    root2: &Hash,
    proof: &[Hash],
) -> Result<(), LogError> {
    if size1 == 0 {
        return Err(reject(
            "a consistency proof from an empty tree is meaningless".into(),
        ));
    }
    if size1 > size2 {
        return Err(reject(format!(
            "size1 {size1} is larger than size2 {size2}"
        )));
    }
    if size1 == size2 {
        if !proof.is_empty() {
            return Err(reject(format!(
                "equal sizes need an empty proof, this one has {} hashes",
                proof.len()
            )));
        }
        if root1 != root2 {
            return Err(reject(format!(
                "two different roots for size {size1}: {root1} and {root2} (a fork)"
            )));
        }
        return Ok(());
    }
    // Expected length (transparency-dev proof/verify.go).
    let (fork, border) = decomp(size1 - 1, size2);
    let shift = size1.trailing_zeros();
    let inner = fork.saturating_sub(shift);
    let seed = u32::from(!size1.is_power_of_two());
    let want = (seed + inner + border) as usize;
    if proof.len() != want {
        return Err(reject(format!(
            "a consistency proof from {size1} to {size2} has {want} hashes, this one has {}",
            proof.len()
        )));
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if size1.is_power_of_two() {
        path.push(*root1);
    }
    path.extend_from_slice(proof);
    let mut fn_ = size1 - 1;
    let mut sn = size2 - 1;
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let mut fr = path[0];
    let mut sr = path[0];
    for c in &path[1..] {
        if sn == 0 {
            return Err(reject("the proof is longer than the path".into()));
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(reject("the proof is shorter than the path".into()));
    }
    if fr != *root1 {
        return Err(reject(format!(
            "the proof does not lead to the old root: got {fr}, expected {root1}"
        )));
    }
    if sr != *root2 {
        return Err(reject(format!(
            "the proof does not lead to the new root: got {sr}, expected {root2}"
        )));
    }
    Ok(())
}
