//! Verifies a published results log from its files alone (`docs/log-format.md`): the
//! checkpoint's signature and any witness cosignatures, every tile and entry against the
//! signed root, consistency with a checkpoint saved earlier, the published contents against
//! their commitments, and a replay that recomputes every publication. The files are read
//! through a `fetch` function (a directory, a URL): this crate does no I/O. The command line's
//! `verify` and the demo call it; anything that checks a log the service published can.

use record::{decode, replay, Entry, Replayer};
use translog::checkpoint::{verify_cosignatures, Checkpoint};
use translog::note::NoteVerifier;
use translog::stream::{read_streaming, Read};
use translog::tiles::read_bundle;

/// What stopped a verification before a verdict: a file that cannot be read, or a proof the
/// log itself cannot make.
#[derive(Debug, thiserror::Error)]
pub enum PublishedError {
    /// A file the verification needs is missing or unreadable.
    #[error("cannot read {0}")]
    Missing(String),
    /// The Merkle log failed to make or check a proof.
    #[error(transparent)]
    Log(#[from] translog::LogError),
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every check passed; the lines say what was checked.
    Valid(Vec<String>),
    /// The first failure, precisely.
    Rejected(String),
}

/// How far a verification has got, for a progress bar: told as each tile file is read (the
/// entries of each bundle are checked against their commitments and replayed as it is read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// What is being done.
    pub step: Step,
    /// How many of `total` are done (tile files).
    pub done: u64,
    /// How many there are in this step.
    pub total: u64,
    /// The size of the log, as its signed checkpoint says.
    pub log_size: u64,
}

/// The steps of a verification that take time on a large log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Reading the entry bundles and hash tiles (`done` and `total` count files), each
    /// bundle's entries checked against their commitments and replayed as it is read.
    Tiles,
}

/// Verifies a published log read through `fetch` (a path relative to the log's root, as
/// `checkpoint` or `tile/0/000`; `None` when missing); `label` names the log in messages.
/// `key` must be the log key obtained from a trusted channel; `saved` a checkpoint saved
/// earlier, which the log must still contain; at least `quorum` of the `witnesses` must have
/// cosigned. `progress` is told how far it has got.
pub fn verify(
    fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
    label: &str,
    key: &NoteVerifier,
    saved: Option<&str>,
    witnesses: &[NoteVerifier],
    quorum: usize,
    progress: &dyn Fn(Progress),
) -> Result<Verdict, PublishedError> {
    let t = Trusting {
        key,
        saved,
        witnesses,
        quorum,
    };
    verify_into(fetch, label, &t, progress, None)
}

/// A log that verified: its signed checkpoint, entries, tree and replay, for a reader that
/// goes on to use it (a quick count comparing its reports with the official protocols).
pub struct Kept {
    /// The signed checkpoint.
    pub checkpoint: Checkpoint,
    /// Every entry's bytes, in order.
    pub entries: Vec<Vec<u8>>,
    /// The Merkle tree over them (inclusion proofs).
    pub tree: translog::Tree,
    /// The replay.
    pub replayed: record::Replayed,
}

/// What a verification trusts: the log key, a checkpoint saved earlier, the witnesses and
/// how many of them must have cosigned.
pub struct Trusting<'a> {
    /// The log key, from a trusted channel.
    pub key: &'a NoteVerifier,
    /// A checkpoint saved earlier, which the log must still contain.
    pub saved: Option<&'a str>,
    /// The witnesses known.
    pub witnesses: &'a [NoteVerifier],
    /// How many of them must have cosigned.
    pub quorum: usize,
}

/// [`verify`], keeping what was verified when the verdict is valid.
pub fn verify_keeping(
    fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
    label: &str,
    trusting: &Trusting,
    progress: &dyn Fn(Progress),
) -> Result<(Verdict, Option<Kept>), PublishedError> {
    let mut kept = None;
    let verdict = verify_into(fetch, label, trusting, progress, Some(&mut kept))?;
    Ok((verdict, kept))
}

fn verify_into(
    fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
    label: &str,
    t: &Trusting,
    progress: &dyn Fn(Progress),
    kept: Option<&mut Option<Kept>>,
) -> Result<Verdict, PublishedError> {
    let keep = kept.is_some();
    let Trusting {
        key,
        saved,
        witnesses,
        quorum,
    } = *t;
    let mut said = Vec::new();
    let text = fetch("checkpoint")
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| PublishedError::Missing(format!("{label}/checkpoint")))?;
    let (c, note) = match Checkpoint::open(&text, key) {
        Ok(x) => x,
        Err(e) => return Ok(Verdict::Rejected(format!("checkpoint: {e}"))),
    };
    said.push(format!(
        "checkpoint of '{}': size {}, root {}, signed by {}",
        c.origin, c.size, c.root, key.name
    ));
    if !witnesses.is_empty() || quorum > 0 {
        match verify_cosignatures(&c, &note.signatures, witnesses) {
            Ok(ok) if ok.len() >= quorum => said.push(format!(
                "cosigned by {} of {} known witnesses (quorum {quorum})",
                ok.len(),
                witnesses.len()
            )),
            Ok(ok) => {
                return Ok(Verdict::Rejected(format!(
                    "only {} of the {quorum} required witnesses cosigned this checkpoint",
                    ok.len()
                )))
            }
            Err(e) => return Ok(Verdict::Rejected(format!("cosignatures: {e}"))),
        }
    }
    let files = tile_files(c.size);
    let tell = |done| {
        progress(Progress {
            step: Step::Tiles,
            done,
            total: files,
            log_size: c.size,
        })
    };
    let read = std::cell::Cell::new(0);
    let counted = |path: &str| {
        let got = fetch(path);
        if path.starts_with("tile/") {
            read.set(read.get() + 1);
            tell(read.get());
        }
        got
    };
    let mut pass = Pass::new(fetch, c.size, keep);
    let root = match read_streaming(&counted, c.size, &mut |r| pass.entry(r)) {
        Ok(root) => root,
        Err(e) => {
            let msg = e.to_string();
            return Ok(Verdict::Rejected(format!(
                "{msg}{}",
                entry_context(&msg, fetch, c.size)
            )));
        }
    };
    if root != c.root {
        return Ok(Verdict::Rejected(format!(
            "the published tiles give root {root}, but the signed checkpoint says {}",
            c.root
        )));
    }
    let size = pass.size;
    said.push(format!("{size} entries: every entry hashes to its leaf and every tile to the tiles below; root matches"));
    if let Some(saved) = saved {
        let (old, _) = match Checkpoint::open(saved, key) {
            Ok(x) => x,
            Err(e) => return Ok(Verdict::Rejected(format!("saved checkpoint: {e}"))),
        };
        if old.size > c.size {
            return Ok(Verdict::Rejected(format!(
                "the log shrank: the saved checkpoint has {} entries, the current one {}",
                old.size, c.size
            )));
        }
        // A saved checkpoint's consistency needs the tree's nodes: rebuilt from the leaves.
        let tree = translog::Tree::from_leaves(&pass.leaves);
        let now = tree.root_at(old.size)?;
        if now != old.root {
            return Ok(Verdict::Rejected(format!(
                "history was rewritten: at size {} the log now has root {now}, but the saved checkpoint says {}",
                old.size, old.root
            )));
        }
        if old.size > 0 {
            let proof = tree.consistency_proof(old.size, c.size)?;
            translog::verify_consistency(old.size, c.size, &old.root, &c.root, &proof)?;
        }
        said.push(format!(
            "consistent with the saved checkpoint of size {}",
            old.size
        ));
    }
    let Pass {
        contents,
        replayer,
        entries,
        leaves,
        ..
    } = pass;
    let (checked, redacted) = match contents {
        Contents::Checking { checked, redacted } => (checked, redacted),
        Contents::Refused(why) => return Ok(Verdict::Rejected(why)),
    };
    if checked + redacted > 0 {
        said.push(format!("{checked} published content(s) match their commitments; {redacted} redacted or not published"));
    }
    let replayed = match replayer {
        Some(r) => r.and_then(|(r, _)| r.finish()),
        // An empty log: the replay says so.
        None => replay(std::iter::empty()),
    };
    match replayed {
        Ok(r) => {
            match &r.keys {
                Some((log, _)) if !log.contains(&key.text()) => {
                    return Ok(Verdict::Rejected(format!("the checkpoint is signed by {}, which the log does not declare as its key", key.name)));
                }
                Some(_) => said.push("the checkpoint's key is the log key the log itself declares".to_string()),
                None => said.push("the log declares no key: the key's authenticity rests on the trusted channel alone".to_string()),
            }
            let (protocols, corrections) = r.protocol_counts;
            said.push(format!(
                "replayed '{}': {} stations' protocols ({corrections} corrected), {} complaint(s), {} recount(s), {} re-vote(s), {} annulled unit(s){}, {} audit step(s), {} publication(s) recomputed and equal",
                r.election.name,
                protocols,
                r.complaints,
                r.recounts.len(),
                r.revotes.len(),
                r.annulled.len(),
                if r.election_annulled { ", the election annulled" } else { "" },
                r.audits,
                r.publications
            ));
            said.extend(r.quick_counts.iter().map(record::QuickCount::said));
            if let (Some(kept), Some(entries)) = (kept, entries) {
                *kept = Some(Kept {
                    checkpoint: c,
                    entries,
                    tree: translog::Tree::from_leaves(&leaves),
                    replayed: r,
                });
            }
            Ok(Verdict::Valid(said))
        }
        Err(e) => Ok(Verdict::Rejected(format!("replay: {e}"))),
    }
}

/// The published contents' check as the entries pass: the counts so far, or the first
/// content that does not match its commitment.
enum Contents {
    Checking { checked: u64, redacted: u64 },
    Refused(String),
}

/// One pass over the log's entries as their tiles are read: each entry's published contents
/// checked against its commitments and the entry replayed at once (a lean replay,
/// `record::Replayer::lean`), so that no entry is kept (unless `keep`), only its leaf hash:
/// an entry the replay reads again (the protocol a correction replaces) is fetched again and
/// must hash to the leaf that was verified. The verdicts are told in the order of the
/// checks: a tile's fault first, then the root, the saved checkpoint, the contents, the
/// replay.
struct Pass<'f> {
    fetch: &'f dyn Fn(&str) -> Option<Vec<u8>>,
    /// The log's size, as its checkpoint says.
    log_size: u64,
    size: u64,
    contents: Contents,
    /// The replay so far and the entry bundle last read again, or the error that stopped
    /// it; none before entry 0.
    replayer: Option<Result<(Replayer, Bundle), record::RecordError>>,
    entries: Option<Vec<Vec<u8>>>,
    leaves: Vec<translog::Hash>,
}

/// An entry bundle read again: its number and entries.
type Bundle = Option<(u64, Vec<Vec<u8>>)>;

impl<'f> Pass<'f> {
    fn new(fetch: &'f dyn Fn(&str) -> Option<Vec<u8>>, log_size: u64, entries: bool) -> Pass<'f> {
        Pass {
            fetch,
            log_size,
            size: 0,
            contents: Contents::Checking {
                checked: 0,
                redacted: 0,
            },
            replayer: None,
            entries: entries.then(Vec::new),
            leaves: Vec::new(),
        }
    }

    fn entry(&mut self, r: Read) {
        self.size += 1;
        self.leaves.push(r.leaf);
        if let Some(e) = &mut self.entries {
            e.push(r.bytes.to_vec());
        }
        if let Contents::Checking { checked, redacted } = &mut self.contents {
            if let Err(why) = check_contents(self.fetch, r.index, r.bytes, checked, redacted) {
                self.contents = Contents::Refused(why);
            }
        }
        let (fetch, size, leaves) = (self.fetch, self.log_size, &self.leaves);
        self.replayer = match self.replayer.take() {
            // A reader that keeps the log gets the full replay (every protocol).
            None if self.entries.is_some() => {
                Some(Replayer::start(r.index, r.bytes).map(|x| (x, None)))
            }
            None => Some(Replayer::lean(r.index, r.bytes).map(|x| (x, None))),
            Some(Ok((mut replayer, mut held))) => {
                let mut reread = |i: u64| read_again(fetch, size, leaves, &mut held, i);
                let pushed = replayer.push_reading(r.index, r.bytes, &mut reread);
                Some(pushed.map(|_| (replayer, held)))
            }
            stopped @ Some(Err(_)) => stopped,
        };
    }
}

/// Entry `i` fetched again (its bundle kept for the next), if it still hashes to the leaf
/// verified.
fn read_again(
    fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
    size: u64,
    leaves: &[translog::Hash],
    held: &mut Bundle,
    i: u64,
) -> Option<Vec<u8>> {
    let n = i / translog::tiles::WIDTH;
    if held.as_ref().is_none_or(|(m, _)| *m != n) {
        *held = Some((n, read_bundle(fetch, size, n).ok()?));
    }
    let (_, entries) = held.as_ref()?;
    let e = entries.get((i % translog::tiles::WIDTH) as usize)?;
    (leaves.get(i as usize) == Some(&translog::leaf_hash(e))).then(|| e.clone())
}

/// Checks the published contents behind entry `i`'s commitments (a content not published is
/// redacted); the first that does not match is the refusal.
fn check_contents(
    fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
    i: u64,
    b: &[u8],
    checked: &mut u64,
    redacted: &mut u64,
) -> Result<(), String> {
    let Ok(entry) = record::decode(i, b) else {
        return Ok(());
    };
    for c in record::commitments(&entry) {
        let Some(file) = fetch(&format!("content/{c}")).and_then(|b| String::from_utf8(b).ok())
        else {
            *redacted += 1;
            continue;
        };
        let (salt, text) = file.split_once('\n').unwrap_or((file.as_str(), ""));
        // 64 hex digits exactly: a bad digit is refused, not skipped.
        let salt = <[u8; 32] as hex::FromHex>::from_hex(salt)
            .map_err(|e| format!("content/{c}: its salt is not 64 hex digits ({e})"))?;
        if record::commitment(&salt, text) != c {
            return Err(format!(
                "content/{c} does not match its commitment in entry {i}"
            ));
        }
        *checked += 1;
    }
    Ok(())
}

/// How many tile files [`read_tiles`] reads for a log of `size` entries (C2SP tlog-tiles):
/// at level 0 one entry bundle and one hash tile per 256 entries or part, and at each level L
/// above that has nodes, one tile per 256 of its `size >> 8L` nodes or part.
fn tile_files(size: u64) -> u64 {
    let tiles = |nodes: u64| nodes.div_ceil(translog::tiles::WIDTH);
    let mut files = 2 * tiles(size);
    let mut level = 1;
    while level < 8 && size >> (8 * level) > 0 {
        files += tiles(size >> (8 * level));
        level += 1;
    }
    files
}

/// For a message about leaf N, what entry N is (its station), to point at the tampering.
fn entry_context(msg: &str, fetch: &dyn Fn(&str) -> Option<Vec<u8>>, size: u64) -> String {
    let Some(i) = msg
        .split("leaf ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse::<u64>().ok())
    else {
        return String::new();
    };
    // The definition and the units entries after it, bundle by bundle, then entry i's bundle.
    let bundle = |n: u64| read_bundle(fetch, size, n).ok();
    let Some(first) = bundle(0) else {
        return String::new();
    };
    let Some(Ok(Entry::Election(mut e))) = first.first().map(|b| decode(0, b)) else {
        return String::new();
    };
    let width = translog::tiles::WIDTH;
    let mut held = (0, first);
    let mut k = 1u64;
    while k < size {
        if held.0 != k / width {
            match bundle(k / width) {
                Some(b) => held = (k / width, b),
                None => break,
            }
        }
        let Some(Ok(Entry::Units(rows))) = held.1.get((k % width) as usize).map(|b| decode(k, b))
        else {
            break;
        };
        for (_, parent, level, name) in rows {
            // A parent the tree does not have yet is not looked up (it panicked).
            if model::UnitId(parent).index() < e.units.len() {
                let _ = e.units.insert(model::UnitId(parent), level, &name);
            }
        }
        k += 1;
    }
    let entries = bundle(i / width).unwrap_or_default();
    let i_in = (i % width) as usize;
    match entries.get(i_in).map(|b| decode(i, b)) {
        Some(Ok(Entry::Protocol(p))) if p.station.index() < e.units.len() => {
            format!(
                " (entry {i} is the version-{} protocol of station '{}')",
                p.version,
                e.units.path(p.station)
            )
        }
        Some(Ok(_)) => format!(" (entry {i})"),
        Some(Err(err)) => format!(" (entry {i} does not even decode: {err})"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use record::{encode, publication_act, Staff, Stage, CONSOLE};
    use translog::checkpoint::Checkpoint;
    use translog::note::NoteSigner;
    use translog::tiles::write_tiles;
    use translog::Tree;

    use super::*;

    /// A published log: a synthetic election of six stations (its definition and protocols),
    /// then its certification by the console; its files by path, and its key.
    fn published(seed: u8) -> (HashMap<String, Vec<u8>>, NoteSigner) {
        let params = synth::Params {
            stations: 6,
            parties: 3,
            regions: 1,
            stations_per_district: 3,
            seed: 1,
        };
        let mut protocols = Vec::new();
        let (e, _) = synth::generate(&params, |_, p| protocols.push(p)).unwrap();
        let mut entries: Vec<Vec<u8>> = record::encoded_definition(&e);
        entries.extend(
            protocols
                .iter()
                .map(|p| encode(&Entry::Protocol(p.clone()))),
        );
        let certified =
            publication_act(&e, &protocols, &[], Stage::Final, None, None, None).unwrap();
        entries.push(encode(&Entry::Staff(Staff::new(CONSOLE, certified.act))));
        entries.extend(certified.entries);
        let tree = Tree::from_entries(&entries);
        let mut files: HashMap<String, Vec<u8>> = write_tiles(&tree, &entries, tree.size())
            .unwrap()
            .into_iter()
            .collect();
        let signer = NoteSigner::from_seed("test.example/p", [seed; 32]).unwrap();
        let c = Checkpoint {
            origin: "test.example/p".into(),
            size: tree.size(),
            root: tree.root(),
        };
        files.insert("checkpoint".into(), c.sign(&signer).unwrap().into_bytes());
        (files, signer)
    }

    fn check(files: &HashMap<String, Vec<u8>>, key: &NoteVerifier, saved: Option<&str>) -> Verdict {
        let fetch = |p: &str| files.get(p).cloned();
        verify(&fetch, "log", key, saved, &[], 0, &|_| {}).unwrap()
    }

    #[test]
    fn an_honest_log_is_valid_and_says_what_was_checked() {
        let (files, signer) = published(1);
        let Verdict::Valid(lines) = check(&files, &signer.verifier(), None) else {
            panic!("an honest log was rejected");
        };
        assert!(
            lines[0].starts_with("checkpoint of 'test.example/p': size 10"),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("replayed 'synthetic-1': 6 stations")
                    && l.ends_with("1 publication(s) recomputed and equal")),
            "{lines:?}"
        );
    }

    /// The progress told: every tile file read, counted against the total the files of
    /// `write_tiles` give (the entries are checked and replayed as their bundles are read).
    #[test]
    fn progress_counts_every_tile_file() {
        let (files, signer) = published(1);
        let told = std::cell::RefCell::new(Vec::new());
        let fetch = |p: &str| files.get(p).cloned();
        let v = verify(&fetch, "log", &signer.verifier(), None, &[], 0, &|p| {
            told.borrow_mut().push(p)
        })
        .unwrap();
        assert!(matches!(v, Verdict::Valid(_)), "{v:?}");
        let at = |done| Progress {
            step: Step::Tiles,
            done,
            total: 2,
            log_size: 10,
        };
        assert_eq!(told.into_inner(), [at(1), at(2)]);
    }

    #[test]
    fn tile_files_counts_the_files_write_tiles_writes() {
        for size in [0u64, 1, 255, 256, 257, 511, 65_535, 65_536, 65_537, 70_000] {
            let entries: Vec<Vec<u8>> = (0..size).map(|i| i.to_be_bytes().to_vec()).collect();
            let tree = Tree::from_entries(&entries);
            let written = write_tiles(&tree, &entries, size).unwrap().len() as u64;
            assert_eq!(tile_files(size), written, "size {size}");
        }
    }

    #[test]
    fn a_wrong_key_a_changed_tile_a_shrunk_log_and_a_missing_checkpoint_are_refused() {
        let (files, signer) = published(1);
        let (_, other) = published(2);
        let rejected = |v: Verdict| match v {
            Verdict::Rejected(why) => why,
            Verdict::Valid(_) => panic!("accepted"),
        };
        let why = rejected(check(&files, &other.verifier(), None));
        assert!(why.starts_with("checkpoint: "), "{why}");
        // One byte of an entry changed: its leaf no longer hashes to the signed root.
        let mut changed = files.clone();
        let bundle = changed
            .keys()
            .find(|k| k.contains("entries"))
            .unwrap()
            .clone();
        let b = changed.get_mut(&bundle).unwrap();
        let last = b.len() - 2;
        b[last] ^= 1;
        let why = rejected(check(&changed, &signer.verifier(), None));
        assert!(why.contains("leaf") || why.contains("root"), "{why}");
        // A saved checkpoint of a larger log: the log shrank; of a different log of a smaller
        // size: history was rewritten.
        let saved = |size: u64| {
            Checkpoint {
                origin: "test.example/p".into(),
                size,
                root: Tree::from_entries(vec![b"x"; size as usize]).root(),
            }
            .sign(&signer)
            .unwrap()
        };
        let why = rejected(check(&files, &signer.verifier(), Some(&saved(11))));
        assert!(why.starts_with("the log shrank"), "{why}");
        let why = rejected(check(&files, &signer.verifier(), Some(&saved(5))));
        assert!(why.starts_with("history was rewritten: at size 5"), "{why}");
        let mut none = files.clone();
        none.remove("checkpoint");
        let fetch = |p: &str| none.get(p).cloned();
        let e = verify(&fetch, "log", &signer.verifier(), None, &[], 0, &|_| {}).unwrap_err();
        assert_eq!(e.to_string(), "cannot read log/checkpoint");
    }
}
