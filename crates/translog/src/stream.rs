//! The log as a stream: tiles written as they fill and read back entry bundle by entry
//! bundle, keeping only the tree's right edge (one hash per level, RFC 6962 §2.1's perfect
//! subtrees of the size's binary digits) and the few nodes the hash tiles above level 0
//! hold (one per 256 entries). A log of any size is written or checked in memory that does
//! not grow with its entries; [`crate::tiles::write_tiles`] and [`crate::tiles::read_tiles`]
//! give the same files and verdicts for a tree held whole.

use crate::hash::{leaf_hash, node_hash, Hash};
use crate::tiles::{
    entry_bundle, entry_ranges, parse_hashes, tile_path, tiles_at, WIDTH, WRITTEN_LEVELS,
};
use crate::LogError;

/// The right edge of a Merkle tree: the roots of its perfect subtrees, largest first, which
/// give the root of the whole and take one more leaf in amortised O(1) hashes.
#[derive(Debug, Clone, Default)]
pub struct Edge {
    size: u64,
    /// One root per set bit of `size`, from the highest bit down.
    nodes: Vec<Hash>,
}

impl Edge {
    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash; `made` is told every perfect node this completes whose tree level
    /// is a multiple of 8 (a hash tile's level: the leaf itself at tile level 0), as
    /// (tile level, hash).
    pub fn push(&mut self, leaf: Hash, made: &mut dyn FnMut(u8, Hash)) {
        made(0, leaf);
        let mut h = leaf;
        let mut level = 0u32;
        // A set low bit of the size is a perfect subtree of that height waiting for its
        // right sibling: the new node completes it, and so on upward.
        while self.size >> level & 1 == 1 {
            let left = self.nodes.pop().unwrap_or_default();
            h = node_hash(&left, &h);
            level += 1;
            if level.is_multiple_of(8) && level / 8 < 8 {
                made((level / 8) as u8, h);
            }
        }
        self.nodes.push(h);
        self.size += 1;
    }

    /// The root (RFC 6962 MTH): the subtrees' roots folded from the right; SHA-256 of nothing
    /// for the empty tree.
    pub fn root(&self) -> Hash {
        let mut it = self.nodes.iter().rev();
        let Some(last) = it.next() else {
            return Hash::empty_root();
        };
        it.fold(*last, |right, left| node_hash(left, &right))
    }
}

/// Writes a log's tiles as its entries come: every full tile as soon as it fills, the
/// partial ones at the end; the same files [`crate::tiles::write_tiles`] writes for the
/// whole tree.
#[derive(Debug, Default)]
pub struct TileWriter {
    edge: Edge,
    /// The entries of the entry bundle being filled.
    bundle: Vec<Vec<u8>>,
    /// The hashes of the tile being filled at each tile level.
    pending: [Vec<Hash>; WRITTEN_LEVELS],
    /// Full tiles written at each tile level (0 for the entry bundles too).
    full: [u64; WRITTEN_LEVELS],
}

impl TileWriter {
    /// A writer for an empty log.
    pub fn new() -> TileWriter {
        TileWriter::default()
    }

    /// Entries appended so far.
    pub fn size(&self) -> u64 {
        self.edge.size()
    }

    /// The root of the entries so far.
    pub fn root(&self) -> Hash {
        self.edge.root()
    }

    /// Appends an entry; gives the tiles it completes, as (path, bytes), usually none.
    pub fn push(&mut self, entry: &[u8]) -> Result<Vec<(String, Vec<u8>)>, LogError> {
        let mut out = Vec::new();
        self.bundle.push(entry.to_vec());
        if self.bundle.len() as u64 == WIDTH {
            let n = self.full[0];
            out.push((tile_path(None, n, WIDTH), entry_bundle(&self.bundle)?));
            self.bundle.clear();
        }
        let pending = &mut self.pending;
        self.edge.push(leaf_hash(entry), &mut |level, h| {
            pending[level as usize].push(h)
        });
        for level in 0..WRITTEN_LEVELS {
            if self.pending[level].len() as u64 == WIDTH {
                let n = self.full[level];
                out.push((
                    tile_path(Some(level as u8), n, WIDTH),
                    hashes(&self.pending[level]),
                ));
                self.pending[level].clear();
                self.full[level] += 1;
            }
        }
        Ok(out)
    }

    /// The partial tiles left (each level's last, 1 to 255 wide), as (path, bytes).
    pub fn finish(&self) -> Result<Vec<(String, Vec<u8>)>, LogError> {
        let mut out = Vec::new();
        if !self.bundle.is_empty() {
            let width = self.bundle.len() as u64;
            out.push((
                tile_path(None, self.full[0], width),
                entry_bundle(&self.bundle)?,
            ));
        }
        for (level, hs) in self.pending.iter().enumerate() {
            if !hs.is_empty() {
                let width = hs.len() as u64;
                out.push((
                    tile_path(Some(level as u8), self.full[level], width),
                    hashes(hs),
                ));
            }
        }
        Ok(out)
    }
}

fn hashes(hs: &[Hash]) -> Vec<u8> {
    hs.iter().flat_map(|h| h.0).collect()
}

/// One entry of a log read by [`read_streaming`].
#[derive(Debug, Clone, Copy)]
pub struct Read<'a> {
    /// Its index.
    pub index: u64,
    /// Its bytes.
    pub bytes: &'a [u8],
    /// Its leaf hash, checked against the level-0 tile.
    pub leaf: Hash,
}

/// Reads a published log of `size` entries bundle by bundle: each entry bundle and its
/// level-0 hash tile, each entry checked against its leaf and handed to `each` at once, then
/// every higher tile checked against the nodes the tiles below give. Returns the root. What
/// is refused, and which fault is told first when there are several, is as
/// [`crate::tiles::read_tiles`] has it: a malformed or missing entry bundle before any hash
/// tile's fault, a level-0 tile's before any higher one's. `each` sees no entry after the
/// first fault.
pub fn read_streaming(
    fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
    size: u64,
    each: &mut dyn FnMut(Read),
) -> Result<Hash, LogError> {
    let get = |path: &str| fetch(path).ok_or_else(|| LogError::Tile(format!("{path} is missing")));
    let mut edge = Edge::default();
    // The nodes of tile levels 1 and up: one per 256 entries, for the tiles above.
    let mut upper: Vec<Vec<Hash>> = vec![Vec::new(); WRITTEN_LEVELS];
    let mut leaf_fault: Option<LogError> = None;
    for (n, width) in tiles_at(size, 0) {
        let path = tile_path(None, n, width);
        let bundle = get(&path)?;
        let ranges = entry_ranges(&path, &bundle, n, width)?;
        if leaf_fault.is_some() {
            continue;
        }
        let entries = ranges.into_iter().map(|r| &bundle[r]);
        let path = tile_path(Some(0), n, width);
        let checked = get(&path)
            .and_then(|b| parse_hashes(&path, &b, width))
            .and_then(|leaves| {
                for (c, (h, e)) in leaves.iter().zip(entries.clone()).enumerate() {
                    let i = n * WIDTH + c as u64;
                    let want = leaf_hash(e);
                    if *h != want {
                        return Err(LogError::Tile(format!(
                            "{path}: leaf {i} is {h}, but entry {i} hashes to {want}"
                        )));
                    }
                }
                Ok(leaves)
            });
        match checked {
            Ok(leaves) => {
                for (c, (h, e)) in leaves.into_iter().zip(entries).enumerate() {
                    edge.push(h, &mut |level, node| {
                        if level > 0 {
                            upper[level as usize].push(node);
                        }
                    });
                    each(Read {
                        index: n * WIDTH + c as u64,
                        bytes: e,
                        leaf: h,
                    });
                }
            }
            Err(e) => leaf_fault = Some(e),
        }
    }
    if let Some(e) = leaf_fault {
        return Err(e);
    }
    let mut level = 1u8;
    while usize::from(level) < WRITTEN_LEVELS && size >> (8 * u32::from(level)) > 0 {
        for (n, width) in tiles_at(size, level) {
            let path = tile_path(Some(level), n, width);
            let hashes = parse_hashes(&path, &get(&path)?, width)?;
            for (c, h) in hashes.into_iter().enumerate() {
                let i = n * WIDTH + c as u64;
                let want = upper[usize::from(level)]
                    .get(i as usize)
                    .copied()
                    .ok_or_else(|| LogError::Tile(format!("{path}: no node {i}")))?;
                if h != want {
                    return Err(LogError::Tile(format!(
                        "{path}: hash {c} is {h}, but the tiles below give {want}"
                    )));
                }
            }
        }
        level += 1;
    }
    Ok(edge.root())
}
