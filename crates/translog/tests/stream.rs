//! The streamed tiles (`translog::stream`) are the tiles of the whole tree, at every size of
//! `test_data/stream_sizes.txt`: written as the entries come, read back bundle by bundle,
//! with the same root, and the same refusal when a tile is altered.

use std::collections::BTreeMap;

use translog::stream::{read_streaming, TileWriter};
use translog::tiles::{read_tiles, write_tiles};
use translog::Tree;

fn sizes() -> Vec<u64> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/test_data/stream_sizes.txt"
    ))
    .unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').next().unwrap().parse().unwrap())
        .collect()
}

/// Entries of different lengths, so that no two bundles are alike.
fn entries(size: u64) -> Vec<Vec<u8>> {
    (0..size)
        .map(|i| format!("entry {i} {}", "x".repeat((i % 7) as usize)).into_bytes())
        .collect()
}

fn streamed(entries: &[Vec<u8>]) -> (BTreeMap<String, Vec<u8>>, translog::Hash) {
    let mut w = TileWriter::new();
    let mut files = BTreeMap::new();
    for e in entries {
        for (path, bytes) in w.push(e).unwrap() {
            assert!(files.insert(path, bytes).is_none(), "a tile written twice");
        }
    }
    files.extend(w.finish().unwrap());
    (files, w.root())
}

#[test]
fn streamed_tiles_are_the_whole_trees_tiles_at_every_page_boundary() {
    for size in sizes() {
        let entries = entries(size);
        let tree = Tree::from_entries(&entries);
        let whole: BTreeMap<String, Vec<u8>> = write_tiles(&tree, &entries, size)
            .unwrap()
            .into_iter()
            .collect();
        let (files, root) = streamed(&entries);
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            whole.keys().collect::<Vec<_>>(),
            "size {size}"
        );
        assert!(files == whole, "size {size}: the bytes differ");
        assert_eq!(root, tree.root(), "size {size}");
        // Read back: every entry once, in order, with its leaf; the same root.
        let fetch = |p: &str| files.get(p).cloned();
        let mut seen = Vec::new();
        let back = read_streaming(&fetch, size, &mut |r| {
            assert_eq!(r.leaf, tree.leaf(r.index).unwrap());
            seen.push(r.bytes.to_vec());
        })
        .unwrap();
        assert_eq!(back, tree.root(), "size {size}");
        assert!(seen == entries, "size {size}: the entries read back differ");
    }
}

/// The first and the last file of each kind (entry bundles, hash tiles of each level).
fn ends(files: &BTreeMap<String, Vec<u8>>) -> Vec<&String> {
    let kind = |p: &str| p.split('/').nth(1).unwrap_or("").to_string();
    let mut out: Vec<&String> = Vec::new();
    for (k, path) in files.keys().enumerate() {
        let next = files.keys().nth(k + 1);
        let prev = k.checked_sub(1).and_then(|j| files.keys().nth(j));
        if prev.is_none_or(|p| kind(p) != kind(path)) || next.is_none_or(|n| kind(n) != kind(path))
        {
            out.push(path);
        }
    }
    out
}

/// A byte changed in the first or the last file of each kind (the partial one where there is
/// one) is refused by the stream with the message `read_tiles` gives.
#[test]
fn an_altered_tile_is_refused_as_read_tiles_refuses_it() {
    for size in sizes().into_iter().filter(|&s| s > 0) {
        let (files, _) = streamed(&entries(size));
        for path in ends(&files) {
            let mut bad = files.clone();
            let b = bad.get_mut(path).unwrap();
            let last = b.len() - 1;
            b[last] ^= 1;
            let fetch = |p: &str| bad.get(p).cloned();
            let whole = read_tiles(&fetch, size).map(|(_, t)| t.root());
            let streamed = read_streaming(&fetch, size, &mut |_| {});
            match (whole, streamed) {
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{path}"),
                (a, b) => panic!("size {size}, {path}: {a:?} and {b:?}"),
            }
        }
    }
}
