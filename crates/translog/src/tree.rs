//! An append-only Merkle tree that keeps every perfect subtree hash, so that appends cost
//! amortised O(1) hashes (O(log n) at worst) and any root or proof for any earlier size is
//! computed from stored hashes (RFC 6962 §2.1.1-2.1.2; the iterative forms follow
//! transparency-dev/merkle `proof/proof.go`).

use crate::hash::{leaf_hash, node_hash, Hash};
use crate::LogError;

/// A Merkle tree of leaf hashes with every perfect node stored by level.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    /// `levels[L][j]` is the root of leaves `[j·2^L, (j+1)·2^L)`; `levels[0]` holds leaves.
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    /// An empty tree.
    pub fn new() -> Tree {
        Tree {
            levels: vec![Vec::new()],
        }
    }

    /// An empty tree with room for `leaves` leaves and their interior nodes.
    pub fn with_capacity(leaves: u64) -> Tree {
        let mut levels = Vec::new();
        let mut n = leaves as usize;
        loop {
            levels.push(Vec::with_capacity(n));
            if n <= 1 {
                break;
            }
            n /= 2;
        }
        Tree { levels }
    }

    /// A tree over the given entries.
    pub fn from_entries<I: IntoIterator<Item = T>, T: AsRef<[u8]>>(entries: I) -> Tree {
        let entries = entries.into_iter();
        let mut t = Tree::with_capacity(entries.size_hint().0 as u64);
        for e in entries {
            t.append(e.as_ref());
        }
        t
    }

    /// A tree over the given leaf hashes.
    pub fn from_leaves(leaves: &[Hash]) -> Tree {
        let mut t = Tree::with_capacity(leaves.len() as u64);
        for &h in leaves {
            t.append_hash(h);
        }
        t
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.levels[0].len() as u64
    }

    /// Appends an entry; returns its index.
    pub fn append(&mut self, entry: &[u8]) -> u64 {
        self.append_hash(leaf_hash(entry))
    }

    /// Appends a leaf hash; returns its index.
    pub fn append_hash(&mut self, leaf: Hash) -> u64 {
        let index = self.size();
        self.levels[0].push(leaf);
        let mut level = 0;
        // Every time a level gets an even number of nodes, the last two have a parent.
        while self.levels[level].len().is_multiple_of(2) {
            let n = self.levels[level].len();
            let parent = node_hash(&self.levels[level][n - 2], &self.levels[level][n - 1]);
            if self.levels.len() == level + 1 {
                self.levels.push(Vec::new());
            }
            self.levels[level + 1].push(parent);
            level += 1;
        }
        index
    }

    /// The leaf hash at `index`.
    pub fn leaf(&self, index: u64) -> Option<Hash> {
        self.levels[0].get(index as usize).copied()
    }

    /// The stored perfect node at `level`, `index`, if complete.
    pub fn node(&self, level: usize, index: u64) -> Option<Hash> {
        self.levels.get(level)?.get(index as usize).copied()
    }

    /// MTH(D[lo:hi]) for a range produced by RFC 6962's splits (lo aligned to the largest
    /// power of two not above hi - lo).
    fn range_hash(&self, lo: u64, hi: u64) -> Hash {
        let n = hi - lo;
        if n.is_power_of_two() {
            let level = n.trailing_zeros() as usize;
            if let Some(h) = self.node(level, lo >> level) {
                return h;
            }
        }
        let k = largest_power_below(n);
        node_hash(&self.range_hash(lo, lo + k), &self.range_hash(lo + k, hi))
    }

    /// The root of the tree as it was at `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, LogError> {
        if size > self.size() {
            return Err(LogError::Range(format!(
                "size {size} > tree size {}",
                self.size()
            )));
        }
        Ok(if size == 0 {
            Hash::empty_root()
        } else {
            self.range_hash(0, size)
        })
    }

    /// The current root.
    pub fn root(&self) -> Hash {
        self.root_at(self.size())
            .unwrap_or_else(|_| Hash::empty_root())
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves: RFC 6962 PATH(m, D[n]),
    /// from the leaf level upward.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, LogError> {
        if size > self.size() || index >= size {
            return Err(LogError::Range(format!(
                "leaf {index} in a tree of size {size} (the log has {})",
                self.size()
            )));
        }
        let mut proof = Vec::new();
        self.path(index, 0, size, &mut proof);
        Ok(proof)
    }

    fn path(&self, m: u64, lo: u64, hi: u64, out: &mut Vec<Hash>) {
        if hi - lo == 1 {
            return;
        }
        let k = largest_power_below(hi - lo);
        if m < lo + k {
            self.path(m, lo, lo + k, out);
            out.push(self.range_hash(lo + k, hi));
        } else {
            self.path(m, lo + k, hi, out);
            out.push(self.range_hash(lo, lo + k));
        }
    }

    /// The consistency proof from size `m` to size `n`: RFC 6962 PROOF(m, D[n]). Refused for
    /// `m == 0` (a proof from the empty tree is meaningless) and `m > n`; empty for `m == n`.
    pub fn consistency_proof(&self, m: u64, n: u64) -> Result<Vec<Hash>, LogError> {
        if m == 0 || m > n || n > self.size() {
            return Err(LogError::Range(format!(
                "consistency from {m} to {n} (the log has {}; sizes must satisfy 0 < m <= n)",
                self.size()
            )));
        }
        let mut proof = Vec::new();
        if m < n {
            self.subproof(m, 0, n, true, &mut proof);
        }
        Ok(proof)
    }

    fn subproof(&self, m: u64, lo: u64, hi: u64, complete: bool, out: &mut Vec<Hash>) {
        let n = hi - lo;
        if m == n {
            if !complete {
                out.push(self.range_hash(lo, hi));
            }
            return;
        }
        let k = largest_power_below(n);
        if m <= k {
            self.subproof(m, lo, lo + k, complete, out);
            out.push(self.range_hash(lo + k, hi));
        } else {
            self.subproof(m - k, lo + k, hi, false, out);
            out.push(self.range_hash(lo, lo + k));
        }
    }
}

/// The largest power of two strictly below `n` (n >= 2).
pub(crate) fn largest_power_below(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}
