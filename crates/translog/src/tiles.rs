//! C2SP tlog-tiles: the log as static files. `tile/<L>/<N>[.p/<W>]` holds up to 256 hashes of
//! tree level 8·L; `tile/entries/<N>[.p/<W>]` holds up to 256 entries, each prefixed with a
//! big-endian u16 length. Full tiles are immutable; a partial tile has width 1-255 and is
//! never hashed into the level above.

use crate::hash::Hash;
use crate::{LogError, Tree};

/// Hashes (or entries) per full tile.
pub const WIDTH: u64 = 256;

/// Tile levels written: 0 to 7 (tree levels 0 to 56), as the spec has them.
pub(crate) const WRITTEN_LEVELS: usize = 8;

/// A tile's index as path elements: `1234067` is `x001/x234/067`.
fn index_path(mut n: u64) -> String {
    let mut parts = vec![format!("{:03}", n % 1000)];
    n /= 1000;
    while n > 0 {
        parts.push(format!("x{:03}", n % 1000));
        n /= 1000;
    }
    parts.reverse();
    parts.join("/")
}

/// The path of a hash tile (`level` Some) or an entry bundle (`level` None).
pub fn tile_path(level: Option<u8>, index: u64, width: u64) -> String {
    let l = level.map_or_else(|| "entries".to_string(), |l| l.to_string());
    let p = if width == WIDTH {
        String::new()
    } else {
        format!(".p/{width}")
    };
    format!("tile/{l}/{}{p}", index_path(index))
}

/// Every tile and entry bundle of the tree at `size`, as (path, bytes).
pub fn write_tiles(
    tree: &Tree,
    entries: &[Vec<u8>],
    size: u64,
) -> Result<Vec<(String, Vec<u8>)>, LogError> {
    if size > tree.size() || entries.len() as u64 != tree.size() {
        return Err(LogError::Range(format!(
            "tiles for size {size} of a tree of {} with {} entries",
            tree.size(),
            entries.len()
        )));
    }
    let mut out = Vec::new();
    for (n, width) in tiles_at(size, 0) {
        let bundle = &entries[(n * WIDTH) as usize..(n * WIDTH + width) as usize];
        out.push((tile_path(None, n, width), entry_bundle(bundle)?));
    }
    let mut level = 0u8;
    while level < 8 && size >> (8 * u32::from(level)) > 0 {
        for (n, width) in tiles_at(size, level) {
            out.push((
                tile_path(Some(level), n, width),
                hash_tile(tree, level, n, width)?,
            ));
        }
        level += 1;
    }
    Ok(out)
}

/// An entry bundle: each entry prefixed with its length as a big-endian u16.
pub fn entry_bundle(entries: &[Vec<u8>]) -> Result<Vec<u8>, LogError> {
    let mut b = Vec::with_capacity(entries.iter().map(|e| e.len() + 2).sum());
    for e in entries {
        let len = u16::try_from(e.len())
            .map_err(|_| LogError::Tile(format!("an entry of {} bytes exceeds 65535", e.len())))?;
        b.extend_from_slice(&len.to_be_bytes());
        b.extend_from_slice(e);
    }
    Ok(b)
}

/// Hash tile `index` of tile level `level` (tree level 8·`level`), `width` hashes wide, from
/// the tree's stored nodes.
pub fn hash_tile(tree: &Tree, level: u8, index: u64, width: u64) -> Result<Vec<u8>, LogError> {
    let mut b = Vec::with_capacity(width as usize * 32);
    for c in 0..width {
        let at = index
            .checked_mul(WIDTH)
            .and_then(|i| i.checked_add(c))
            .ok_or_else(|| LogError::Range(format!("tile {index} is beyond any log")))?;
        let h = tree.node(8 * level as usize, at).ok_or_else(|| {
            LogError::Tile(format!("missing node at level {} index {at}", 8 * level))
        })?;
        b.extend_from_slice(&h.0);
    }
    Ok(b)
}

/// A tile's path read back: (level, `None` for an entry bundle; index; width). Only the
/// canonical spelling that [`tile_path`] writes is accepted (no leading `+`, no missing
/// zeros, no `.p/256`), so that one tile has one name.
pub fn parse_tile_path(path: &str) -> Result<(Option<u8>, u64, u64), LogError> {
    let bad = |why: &str| LogError::Tile(format!("'{path}' is not a tile path: {why}"));
    let rest = path.strip_prefix("tile/").ok_or_else(|| bad("no tile/"))?;
    let (l, rest) = rest.split_once('/').ok_or_else(|| bad("no level"))?;
    let level = match l {
        "entries" => None,
        l => Some(
            l.parse::<u8>()
                .ok()
                .filter(|&x| x < 8)
                .ok_or_else(|| bad("the level is not 0 to 7"))?,
        ),
    };
    let (index, width) = match rest.split_once(".p/") {
        Some((i, w)) => (
            i,
            w.parse::<u64>()
                .map_err(|_| bad("the width is not a number"))?,
        ),
        None => (rest, WIDTH),
    };
    if width == 0 || width > WIDTH {
        return Err(bad("the width is not 1 to 256"));
    }
    let parts: Vec<&str> = index.split('/').collect();
    let mut n: u64 = 0;
    for (k, part) in parts.iter().enumerate() {
        let digits = match k + 1 == parts.len() {
            true => *part,
            false => part
                .strip_prefix('x')
                .ok_or_else(|| bad("an index part lacks its x"))?,
        };
        let value = match digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()) {
            true => digits.parse::<u64>().map_err(|_| bad("an index part"))?,
            false => return Err(bad("an index part is not three digits")),
        };
        n = n
            .checked_mul(1000)
            .and_then(|n| n.checked_add(value))
            .ok_or_else(|| bad("the index is beyond 2^64"))?;
    }
    if tile_path(level, n, width) != path {
        return Err(bad("not written this way"));
    }
    Ok((level, n, width))
}

/// The tiles of `level` for a tree of `size`: (index, width), full ones then the partial one.
/// Lazy: a checkpoint's size is read before any tile proves it, and a size of 2^64 - 1 must
/// not be a list of 2^56 tiles made up front.
pub(crate) fn tiles_at(size: u64, level: u8) -> impl Iterator<Item = (u64, u64)> {
    let shift = 8 * u32::from(level);
    let count = size >> shift;
    let partial = (!count.is_multiple_of(WIDTH)).then_some((count / WIDTH, count % WIDTH));
    (0..count / WIDTH).map(|n| (n, WIDTH)).chain(partial)
}

/// Room reserved up front for a log said to hold `size` entries: no more than a few tiles'
/// worth, since the size comes from a checkpoint, not yet from the tiles (reserving for a
/// size of 2^64 - 1 was a capacity-overflow panic).
fn reserve(size: u64) -> u64 {
    size.min(64 * WIDTH)
}

/// Reads a published log of `size` entries: fetches every entry bundle and tile, checks that
/// each entry hashes to its leaf in the level-0 tiles and that every higher tile holds the
/// roots of the tiles below, and returns the entries and the rebuilt tree. The caller checks
/// the tree's root against a signed checkpoint. [`crate::stream::read_streaming`] checks the
/// same without holding the entries.
pub fn read_tiles(
    fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
    size: u64,
) -> Result<(Vec<Vec<u8>>, Tree), LogError> {
    let mut entries = Vec::with_capacity(reserve(size) as usize);
    let mut tree = Tree::with_capacity(reserve(size));
    crate::stream::read_streaming(fetch, size, &mut |r| {
        entries.push(r.bytes.to_vec());
        tree.append_hash(r.leaf);
    })?;
    Ok((entries, tree))
}

/// Reads the entry bundles of a log of `size` entries, without checking any hash.
pub fn read_entries(
    fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
    size: u64,
) -> Result<Vec<Vec<u8>>, LogError> {
    let get = |path: &str| fetch(path).ok_or_else(|| LogError::Tile(format!("{path} is missing")));
    let mut entries = Vec::with_capacity(reserve(size) as usize);
    for (n, width) in tiles_at(size, 0) {
        let path = tile_path(None, n, width);
        entries.extend(parse_entries(&path, &get(&path)?, n, width)?);
    }
    Ok(entries)
}

/// Entry bundle `n` of a log of `size` entries, without checking any hash.
pub fn read_bundle(
    fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
    size: u64,
    n: u64,
) -> Result<Vec<Vec<u8>>, LogError> {
    let width = match size / WIDTH {
        full if n < full => WIDTH,
        full if n == full && !size.is_multiple_of(WIDTH) => size % WIDTH,
        _ => {
            return Err(LogError::Range(format!(
                "no entry bundle {n} in a log of {size}"
            )))
        }
    };
    let path = tile_path(None, n, width);
    let b = fetch(&path).ok_or_else(|| LogError::Tile(format!("{path} is missing")))?;
    parse_entries(&path, &b, n, width)
}

/// The `width` entries of entry bundle `n` at `path`, each after its big-endian u16 length,
/// and nothing after them.
pub(crate) fn parse_entries(
    path: &str,
    b: &[u8],
    n: u64,
    width: u64,
) -> Result<Vec<Vec<u8>>, LogError> {
    Ok(entry_ranges(path, b, n, width)?
        .into_iter()
        .map(|r| b[r].to_vec())
        .collect())
}

/// Where the `width` entries of entry bundle `n` at `path` are in its bytes `b`.
pub(crate) fn entry_ranges(
    path: &str,
    b: &[u8],
    n: u64,
    width: u64,
) -> Result<Vec<std::ops::Range<usize>>, LogError> {
    let mut entries = Vec::with_capacity(width as usize);
    let mut at = 0usize;
    for c in 0..width {
        let len = b
            .get(at..at + 2)
            .map(|x| u16::from_be_bytes([x[0], x[1]]) as usize)
            .ok_or_else(|| {
                LogError::Tile(format!("{path}: truncated before entry {}", n * WIDTH + c))
            })?;
        if b.len() < at + 2 + len {
            return Err(LogError::Tile(format!(
                "{path}: entry {} is truncated",
                n * WIDTH + c
            )));
        }
        entries.push(at + 2..at + 2 + len);
        at += 2 + len;
    }
    if at != b.len() {
        return Err(LogError::Tile(format!(
            "{path}: {} bytes after its {width} entries",
            b.len() - at
        )));
    }
    Ok(entries)
}

pub(crate) fn parse_hashes(path: &str, b: &[u8], width: u64) -> Result<Vec<Hash>, LogError> {
    if b.len() as u64 != width * 32 {
        return Err(LogError::Tile(format!(
            "{path}: {} bytes, a tile of width {width} has {}",
            b.len(),
            width * 32
        )));
    }
    Ok(b.chunks(32)
        .map(|c| {
            let mut h = [0u8; 32];
            h.copy_from_slice(c);
            Hash(h)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(tile_path(Some(0), 1_234_067, 256), "tile/0/x001/x234/067");
        assert_eq!(tile_path(Some(1), 5, 17), "tile/1/005.p/17");
        assert_eq!(tile_path(None, 1000, 256), "tile/entries/x001/000");
        // The spec's example: a tree of 70,000 has 273 full level-0 tiles and a partial of
        // width 112, one full level-1 tile and a partial of 17, and a level-2 partial of 1.
        assert_eq!(tiles_at(70_000, 0).count(), 274);
        assert_eq!(tiles_at(70_000, 0).last(), Some((273, 112)));
        let at = |size, level| tiles_at(size, level).collect::<Vec<_>>();
        assert_eq!(at(70_000, 1), vec![(0, 256), (1, 17)]);
        assert_eq!(at(70_000, 2), vec![(0, 1)]);
        assert_eq!(at(512, 0), vec![(0, 256), (1, 256)]);
        assert_eq!(at(0, 0), vec![]);
    }

    #[test]
    fn paths_read_back_only_as_written() {
        for (path, read) in [
            ("tile/0/x001/x234/067", (Some(0), 1_234_067, 256)),
            ("tile/1/005.p/17", (Some(1), 5, 17)),
            ("tile/entries/x001/000", (None, 1000, 256)),
            ("tile/entries/000.p/1", (None, 0, 1)),
            (
                "tile/7/x018/x446/x744/x073/x709/x551/615",
                (Some(7), u64::MAX, 256),
            ),
        ] {
            assert_eq!(parse_tile_path(path).unwrap(), read, "{path}");
        }
        for bad in [
            "tile/0/1",
            "tile/0/0001",
            "tile/0/x000/001",
            "tile/0/001.p/256",
            "tile/0/001.p/0",
            "tile/0/001.p/+5",
            "tile/8/001",
            "tile/0/+01",
            "tile/0/x001/x234/x067",
            "tile/0/001/234",
            "tile/entries/x018/x446/x744/x073/x709/x551/616",
            "tile/0/../checkpoint",
            "checkpoint",
            "tile/0/",
        ] {
            assert!(parse_tile_path(bad).is_err(), "{bad}");
        }
    }
}
