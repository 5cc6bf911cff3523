//! The directory of an audit's large files (`tallyproof serve --audit-files DIR`): cast-vote
//! records of a national election are far larger than an upload may be, so the auditor puts
//! them here and names them. A name is resolved once, canonicalised and confined to the
//! directory (no `..`, no absolute path, no link out of it), and must be a regular file; a
//! file is found again by its SHA-256, which the log keeps.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::StoreError;

mod parts;

pub use parts::{Upload, MAX_SIZE as MAX_UPLOAD, MAX_UNDER_WAY};

/// A file's size and modification time, and its SHA-256 (hex) when they were those.
type Digested = (u64, Option<SystemTime>, String);

/// A directory of audit files.
#[derive(Debug)]
pub struct AuditDir {
    root: PathBuf,
    /// Each file's SHA-256 as last computed, with its size and time (computed again when
    /// either changes).
    digests: Mutex<HashMap<PathBuf, Digested>>,
    /// Held by each step of an upload in parts.
    uploading: Mutex<()>,
}

/// Read buffers of this size: the records are read once, front to back.
const BUFFER: usize = 1 << 20;

impl AuditDir {
    /// The directory at `dir`, which must exist.
    pub fn open(dir: &Path) -> Result<AuditDir, StoreError> {
        let root = dir
            .canonicalize()
            .map_err(|e| StoreError::BadInput(format!("--audit-files {}: {e}", dir.display())))?;
        if !root.is_dir() {
            return Err(StoreError::BadInput(format!(
                "--audit-files {}: not a directory",
                dir.display()
            )));
        }
        Ok(AuditDir {
            root,
            digests: Mutex::new(HashMap::new()),
            uploading: Mutex::new(()),
        })
    }

    /// The file `name` names in the directory: a relative path without `..` whose canonical
    /// form stays inside the directory and is a regular file.
    pub fn resolve(&self, name: &str) -> Result<PathBuf, StoreError> {
        let refused = |why: &str| StoreError::BadInput(format!("audit file '{name}': {why}"));
        let relative = Path::new(name);
        if name.is_empty()
            || name.contains('\0')
            || relative.is_absolute()
            || relative
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
            || parts::under_way(relative)
        {
            return Err(refused(
                "name a file in the audit files' directory by its path inside it",
            ));
        }
        // One answer for a file that is missing and one outside the directory: no oracle of
        // what exists elsewhere.
        let missing = || {
            StoreError::NotFound(format!(
                "audit file '{name}': no such file in the audit files' directory"
            ))
        };
        let path = self
            .root
            .join(relative)
            .canonicalize()
            .map_err(|_| missing())?;
        let inside = path.strip_prefix(&self.root);
        if inside.is_err() || inside.is_ok_and(parts::under_way) || !path.is_file() {
            return Err(missing());
        }
        Ok(path)
    }

    /// The file `name`, to read front to back.
    pub fn reader(&self, name: &str) -> Result<BufReader<File>, StoreError> {
        let path = self.resolve(name)?;
        let file = File::open(&path)
            .map_err(|e| StoreError::BadFile(format!("audit file '{name}': {e}")))?;
        // Checked again on the opened file (the name may have changed since it was resolved).
        if !file.metadata().is_ok_and(|m| m.is_file()) {
            return Err(StoreError::BadInput(format!(
                "audit file '{name}': not a regular file"
            )));
        }
        Ok(BufReader::with_capacity(BUFFER, file))
    }

    /// The name (inside the directory) of a file whose SHA-256 is `sha256` (hex), if any: each
    /// file's hash computed once and kept while its size and time stay the same.
    pub fn find(&self, sha256: &str) -> Result<Option<String>, StoreError> {
        if let Ok(file) = crate::FileRef::parse(sha256) {
            if let Some(name) = self.sent_in_parts(&file) {
                return Ok(Some(name));
            }
        }
        // Each directory once (a link back up would loop), unreadable entries skipped.
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![self.root.clone()];
        while let Some(dir) = stack.pop() {
            if !seen.insert(dir.clone()) {
                continue;
            }
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
            paths.sort();
            for path in paths {
                let Ok(path) = path.canonicalize() else {
                    continue;
                };
                if !path.starts_with(&self.root)
                    || parts::under_way(path.strip_prefix(&self.root).unwrap_or(&path))
                {
                    continue;
                }
                if path.is_dir() {
                    stack.push(path);
                } else if path.is_file() && self.digest(&path).ok().as_deref() == Some(sha256) {
                    let inside = path.strip_prefix(&self.root).unwrap_or(&path);
                    return Ok(Some(inside.to_string_lossy().into_owned()));
                }
            }
        }
        Ok(None)
    }

    fn digest(&self, path: &Path) -> Result<String, StoreError> {
        let meta = std::fs::metadata(path)
            .map_err(|e| StoreError::BadFile(format!("{}: {e}", path.display())))?;
        let key = (meta.len(), meta.modified().ok());
        if let Some((len, at, d)) = self.digests.lock().ok().and_then(|m| m.get(path).cloned()) {
            if (len, at) == key {
                return Ok(d);
            }
        }
        let mut file = BufReader::with_capacity(
            BUFFER,
            File::open(path)
                .map_err(|e| StoreError::BadFile(format!("{}: {e}", path.display())))?,
        );
        let mut hash = Sha256::new();
        let mut buf = vec![0u8; BUFFER];
        loop {
            let n = file
                .read(&mut buf)
                .map_err(|e| StoreError::BadFile(format!("{}: {e}", path.display())))?;
            if n == 0 {
                break;
            }
            hash.update(&buf[..n]);
        }
        let d = hex::encode(hash.finalize());
        if let Ok(mut m) = self.digests.lock() {
            m.insert(path.to_path_buf(), (key.0, key.1, d.clone()));
        }
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 18: a name is confined to the directory: `..`, an absolute path, a link that
    /// leads out and a directory are refused; a file is found again by its hash.
    #[test]
    fn names_are_confined_to_the_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path();
        let dir = base.join("files");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(base.join("secret.csv"), "outside").unwrap();
        std::fs::write(dir.join("cvrs.csv"), "Batch Name,Position,Choice\n").unwrap();
        std::fs::write(dir.join("sub/part.csv"), "inside").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(base.join("secret.csv"), dir.join("link.csv")).unwrap();
        let d = AuditDir::open(&dir).unwrap();
        assert!(d.resolve("cvrs.csv").is_ok());
        assert!(d.resolve("sub/part.csv").is_ok());
        for bad in [
            "../secret.csv",
            "sub/../../secret.csv",
            "/etc/passwd",
            "",
            "sub",
            "./cvrs.csv",
        ] {
            assert!(d.resolve(bad).is_err(), "{bad} was resolved");
        }
        #[cfg(unix)]
        {
            let e = d.resolve("link.csv").unwrap_err().to_string();
            let missing = d.resolve("missing.csv").unwrap_err().to_string();
            // The same answer as a file that is not there.
            assert_eq!(
                e.replace("link.csv", "x"),
                missing.replace("missing.csv", "x")
            );
            // A link back up does not make the search loop.
            std::os::unix::fs::symlink(&dir, dir.join("sub/up")).unwrap();
        }
        let sha = hex::encode(Sha256::digest(b"inside"));
        assert_eq!(d.find(&sha).unwrap().as_deref(), Some("sub/part.csv"));
        assert_eq!(d.find(&"0".repeat(64)).unwrap(), None);
    }
}
