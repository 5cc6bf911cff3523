//! `tallyproof verify --cache DIR`: the full tiles of a published log kept between runs, and
//! the checkpoint last verified. In C2SP tlog-tiles a full tile (`tile/L/N`, `tile/entries/N`)
//! never changes once published, so a re-run downloads only the tiles that are new; partial
//! tiles (`.p/W`), contents and the checkpoint are always fetched. Nothing here is trusted: a
//! cached tile is checked against the signed root like a fetched one, and the saved
//! checkpoint against the log key. Tiles are written only after a verification that found the
//! log valid.

use std::path::{Path, PathBuf};

use anyhow::Context;

/// A directory of full tiles and the last verified checkpoint.
pub struct TileCache {
    dir: PathBuf,
}

/// The file of the checkpoint last verified with a cache.
const CHECKPOINT: &str = "checkpoint";

impl TileCache {
    /// The cache in `dir`, made if missing.
    pub fn open(dir: &Path) -> anyhow::Result<TileCache> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot make the cache directory {}", dir.display()))?;
        Ok(TileCache {
            dir: dir.to_path_buf(),
        })
    }

    /// The cache's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether `path` (relative to a log's root) is a full tile, which never changes: under
    /// `tile/`, not partial (`.p/W`), and with no empty, `.` or `..` element.
    pub fn keeps(path: &str) -> bool {
        path.starts_with("tile/")
            && !path.contains(".p/")
            && path
                .split('/')
                .all(|p| !p.is_empty() && p != "." && p != "..")
    }

    /// The cached tile at `path`, if any.
    pub fn get(&self, path: &str) -> anyhow::Result<Option<Vec<u8>>> {
        read_if_there(&self.dir.join(path))
    }

    /// Keeps the tile `path` (written beside, then renamed: never half a file).
    pub fn put(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        write_whole(&self.dir.join(path), bytes)
    }

    /// The checkpoint saved by the last valid verification with this cache, if any.
    pub fn checkpoint(&self) -> anyhow::Result<Option<String>> {
        let file = self.dir.join(CHECKPOINT);
        read_if_there(&file)?
            .map(|b| {
                String::from_utf8(b).with_context(|| format!("{} is not text", file.display()))
            })
            .transpose()
    }

    /// Saves the checkpoint just verified, for the next run to check consistency with.
    pub fn save_checkpoint(&self, text: &[u8]) -> anyhow::Result<()> {
        write_whole(&self.dir.join(CHECKPOINT), text)
    }

    /// Where the saved checkpoint is, for messages.
    pub fn checkpoint_path(&self) -> PathBuf {
        self.dir.join(CHECKPOINT)
    }
}

fn read_if_there(file: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    match std::fs::read(file) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read the cached {}", file.display())),
    }
}

fn write_whole(file: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let context = || format!("cannot write the cache file {}", file.display());
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent).with_context(context)?;
    }
    let mut part = file.as_os_str().to_owned();
    part.push(".part");
    std::fs::write(&part, bytes).with_context(context)?;
    std::fs::rename(&part, file).with_context(context)
}

#[cfg(test)]
mod tests {
    use super::TileCache;

    #[test]
    fn only_full_tiles_are_kept() {
        for (path, kept) in [
            ("tile/0/000", true),
            ("tile/entries/x001/234", true),
            ("tile/2/000", true),
            ("tile/0/001.p/17", false),
            ("tile/entries/000.p/3", false),
            ("checkpoint", false),
            ("content/ab", false),
            ("log.pub", false),
            ("tile/../checkpoint", false),
            ("tile//000", false),
        ] {
            assert_eq!(TileCache::keeps(path), kept, "{path}");
        }
    }
}
