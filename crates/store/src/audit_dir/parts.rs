//! Resumable uploads into the audit files' directory: a file larger than one request (cast-vote
//! records of a national election) sent in parts, each appended at the offset the sender
//! names, until the declared size is reached; the whole is then hashed and must have the
//! SHA-256 declared at the start. A connection lost halfway costs only the part in flight:
//! the sender asks how much arrived and goes on from there, even after the service restarts.
//!
//! A file under way is `.parts/<sha256>.<size>` (names that [`AuditDir::resolve`] and
//! [`AuditDir::find`] never reach); a finished one is `uploads/<sha256>.csv`, found again by
//! its hash. Every name is built from the parsed hash, never from the sender's text.

use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::AuditDir;
use crate::{FileRef, StoreError};

/// The largest file taken in parts (16 GiB).
pub const MAX_SIZE: u64 = 16 << 30;

/// At most this many uploads under way at once by one user (each holds disk until finished).
pub const MAX_UNDER_WAY: usize = 2;

/// Disk kept free beside every upload under way (1 GiB): the store and the logs need room.
const KEEP_FREE: u64 = 1 << 30;

/// An upload no part has reached for this long is given up (its disk and place freed).
const ABANDONED: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Where an upload stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The file, named by the SHA-256 declared at the start.
    pub file: FileRef,
    /// Its size in bytes, as declared.
    pub size: u64,
    /// Bytes received so far, from the start (the next part's offset).
    pub received: u64,
    /// Received whole with the declared hash: the audit can name it.
    pub complete: bool,
}

/// The folder of the uploads under way and the folder of the finished ones.
const UNDER_WAY: &str = ".parts";
const FINISHED: &str = "uploads";

impl AuditDir {
    /// Begins uploading the file `file` of `size` bytes for user `by` (their uploads are
    /// theirs alone: another's parts never land in them), or answers where their upload of it
    /// stands (a sender that lost its place starts again here). Refused when the directory's
    /// disk has no room for it beside the uploads under way.
    pub fn begin_upload(&self, file: &FileRef, size: u64, by: i64) -> Result<Upload, StoreError> {
        if size == 0 || size > MAX_SIZE {
            return Err(StoreError::BadInput(format!(
                "size: {size} bytes; a file sent in parts has 1 to {MAX_SIZE} bytes"
            )));
        }
        let _one = self.lock();
        if let Some(up) = self.upload_state(file, by)? {
            if up.size != size {
                let state = if up.complete {
                    "was uploaded"
                } else {
                    "is being uploaded"
                };
                return Err(StoreError::Refused(format!(
                    "{file} {state} with {} bytes, not {size}",
                    up.size
                )));
            }
            return Ok(up);
        }
        let (yours, pending) = self.under_way_now(by);
        if yours >= MAX_UNDER_WAY {
            return Err(StoreError::Refused(format!(
                "you have {yours} uploads under way: finish one first (one no part reaches for a day is given up)"
            )));
        }
        let free = rustix::fs::statvfs(&self.root)
            .map(|v| v.f_bavail.saturating_mul(v.f_frsize))
            .map_err(|e| self.io(&self.root, e.into()))?;
        room(free, pending, size)?;
        std::fs::create_dir_all(self.root.join(UNDER_WAY)).map_err(|e| self.io(UNDER_WAY, e))?;
        let path = self.part_path(file, size, by);
        File::create(&path).map_err(|e| self.io(&path, e))?;
        Ok(Upload {
            file: file.clone(),
            size,
            received: 0,
            complete: false,
        })
    }

    /// Where user `by`'s upload of `file` stands, if they began one (or it is finished).
    pub fn upload(&self, file: &FileRef, by: i64) -> Result<Upload, StoreError> {
        let _one = self.lock();
        self.upload_state(file, by)?
            .ok_or_else(|| StoreError::NotFound(format!("no upload of {file}: begin it first")))
    }

    /// Gives up user `by`'s upload of `file` under way: its parts are deleted (a finished
    /// upload stays: an audit may cite it).
    pub fn abandon(&self, file: &FileRef, by: i64) -> Result<(), StoreError> {
        let _one = self.lock();
        match self.upload_state(file, by)? {
            None => Err(StoreError::NotFound(format!(
                "no upload of {file} under way"
            ))),
            Some(up) if up.complete => Err(StoreError::Refused(format!(
                "{file} was uploaded whole: it stays, an audit may cite it"
            ))),
            Some(up) => {
                let path = self.part_path(file, up.size, by);
                std::fs::remove_file(&path).map_err(|e| self.io(&path, e))
            }
        }
    }

    /// Appends `bytes` at `offset` of the upload of `file`: the offset must be what was
    /// received so far (else nothing is written and the answer says where it stands), and the
    /// part may not go beyond the declared size. The last part hashes the whole: a file of
    /// another SHA-256 is deleted (send it again); one that has it is checked by `check`
    /// (its contents) and, if taken, put where the audit finds it.
    pub fn append_part(
        &self,
        file: &FileRef,
        by: i64,
        offset: u64,
        bytes: &[u8],
        check: impl FnOnce(&Path) -> Result<(), String>,
    ) -> Result<Upload, StoreError> {
        let one = self.lock();
        let up = self
            .upload_state(file, by)?
            .ok_or_else(|| StoreError::NotFound(format!("no upload of {file}: begin it first")))?;
        if up.complete {
            return Ok(up);
        }
        if offset != up.received {
            return Err(StoreError::Refused(format!(
                "offset {offset}: {} of {} bytes received; send the part at offset {}",
                up.received, up.size, up.received
            )));
        }
        let end = offset
            .checked_add(bytes.len() as u64)
            .filter(|&e| e <= up.size);
        let Some(end) = end else {
            return Err(StoreError::BadInput(format!(
                "the part's {} bytes at offset {offset} go beyond the file's {} bytes",
                bytes.len(),
                up.size
            )));
        };
        let path = self.part_path(file, up.size, by);
        let io = |e| self.io(&path, e);
        let mut f = OpenOptions::new().write(true).open(&path).map_err(io)?;
        // Written at the offset (a part cut off by a crash is written over), then made durable.
        f.seek(SeekFrom::Start(offset)).map_err(io)?;
        f.write_all(bytes).map_err(io)?;
        f.set_len(end).map_err(io)?;
        f.sync_all().map_err(io)?;
        drop(f);
        if end < up.size {
            return Ok(Upload {
                received: end,
                ..up
            });
        }
        // Whole: set apart (no longer an upload under way) and checked without holding up
        // the other uploads.
        let whole =
            self.root
                .join(UNDER_WAY)
                .join(format!("{}.{}.{by}.whole", file.hex(), up.size));
        std::fs::rename(&path, &whole).map_err(|e| self.io(&whole, e))?;
        drop(one);
        let refuse = |why: String| {
            let _ = std::fs::remove_file(&whole);
            StoreError::BadInput(why)
        };
        let got = self.digest(&whole)?;
        if got != file.hex() {
            return Err(refuse(format!(
                "the parts add up to a file whose SHA-256 is {got}, not {}: it was deleted; send it again",
                file.hex()
            )));
        }
        check(&whole).map_err(refuse)?;
        let _one = self.lock();
        std::fs::create_dir_all(self.root.join(FINISHED)).map_err(|e| self.io(FINISHED, e))?;
        let done = self.finished_path(file);
        std::fs::rename(&whole, &done).map_err(|e| self.io(&done, e))?;
        Ok(Upload {
            received: end,
            complete: true,
            ..up
        })
    }

    /// User `by`'s uploads under way and the bytes all uploads under way still need, once
    /// those abandoned are given up (their files removed).
    fn under_way_now(&self, by: i64) -> (usize, u64) {
        let Ok(entries) = std::fs::read_dir(self.root.join(UNDER_WAY)) else {
            return (0, 0);
        };
        let (mut yours, mut pending) = (0, 0u64);
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            let idle = meta.modified().ok().and_then(|t| t.elapsed().ok());
            if idle.is_some_and(|d| d > ABANDONED) {
                let _ = std::fs::remove_file(entry.path());
                continue;
            }
            let name = entry.file_name();
            if let Some((_, size, owner)) = name.to_str().and_then(part_name) {
                yours += usize::from(owner == by);
                pending = pending.saturating_add(size.saturating_sub(meta.len()));
            }
        }
        (yours, pending)
    }

    /// An I/O error, naming the file inside the directory (never the server's own path).
    fn io(&self, path: impl AsRef<Path>, e: std::io::Error) -> StoreError {
        let path = path.as_ref();
        let inside = path.strip_prefix(&self.root).unwrap_or(path);
        StoreError::BadFile(format!("{}: {e}", inside.display()))
    }

    /// The name, inside the directory, of the file sent in parts whose SHA-256 is `file`'s,
    /// if there is one (its hash checked as any other file's, not read from its name).
    pub fn sent_in_parts(&self, file: &FileRef) -> Option<String> {
        let path = self.finished_path(file);
        (path.is_file() && self.digest(&path).ok().as_deref() == Some(file.hex()))
            .then(|| format!("{FINISHED}/{}.csv", file.hex()))
    }

    fn upload_state(&self, file: &FileRef, by: i64) -> Result<Option<Upload>, StoreError> {
        let done = self.finished_path(file);
        if let Ok(m) = std::fs::metadata(&done) {
            return Ok(Some(Upload {
                file: file.clone(),
                size: m.len(),
                received: m.len(),
                complete: true,
            }));
        }
        let Ok(entries) = std::fs::read_dir(self.root.join(UNDER_WAY)) else {
            return Ok(None);
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some((hex, size, owner)) = name.to_str().and_then(part_name) else {
                continue;
            };
            if hex != file.hex() || owner != by {
                continue;
            }
            let received = entry
                .metadata()
                .map_err(|e| self.io(entry.path(), e))?
                .len();
            return Ok(Some(Upload {
                file: file.clone(),
                size,
                received: received.min(size),
                complete: false,
            }));
        }
        Ok(None)
    }

    fn part_path(&self, file: &FileRef, size: u64, by: i64) -> PathBuf {
        self.root
            .join(UNDER_WAY)
            .join(format!("{}.{size}.{by}", file.hex()))
    }

    fn finished_path(&self, file: &FileRef) -> PathBuf {
        self.root.join(FINISHED).join(format!("{}.csv", file.hex()))
    }

    /// One upload step at a time (parts of one file arrive in order; the count of uploads
    /// under way holds).
    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.uploading.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// An upload under way's file name read back: the file's hex SHA-256, its declared size and
/// the uploader's id (`<hex>.<size>.<user>`; a whole being checked has one more part).
fn part_name(name: &str) -> Option<(&str, u64, i64)> {
    let mut parts = name.split('.');
    let (hex, size, by) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Some((hex, size.parse().ok()?, by.parse().ok()?))
}

/// Whether `free` bytes of disk leave room for an upload of `size` bytes beside the `pending`
/// bytes the uploads under way still need, and [`KEEP_FREE`].
fn room(free: u64, pending: u64, size: u64) -> Result<(), StoreError> {
    let needed = size
        .checked_add(pending)
        .and_then(|n| n.checked_add(KEEP_FREE));
    if needed.is_none_or(|n| free < n) {
        return Err(StoreError::Refused(format!(
            "the audit files' directory has {free} bytes free: {size} more, beside the {pending} the uploads under way still need and 1 GiB kept free, would not fit"
        )));
    }
    Ok(())
}

/// Whether a name inside the directory is in the folder of uploads under way.
pub(super) fn under_way(relative: &Path) -> bool {
    relative
        .components()
        .next()
        .is_some_and(|c| c.as_os_str() == UNDER_WAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> (tempfile::TempDir, AuditDir) {
        let tmp = tempfile::tempdir().unwrap();
        let d = AuditDir::open(tmp.path()).unwrap();
        (tmp, d)
    }

    /// Issue 18: a file sent in three parts, one of them twice and one at a wrong offset,
    /// taken whole; found again by its hash; its place kept across a new `AuditDir` (a
    /// restart); a part beyond the size and a second size refused.
    #[test]
    fn parts_add_up_to_the_file() {
        let (tmp, d) = dir();
        let body = b"Batch Name,Position,Choice\nA,1,x\nA,2,y\nB,1,x\n".repeat(50);
        let file = FileRef::of(&body);
        let size = body.len() as u64;
        let ok = |_: &Path| Ok(());
        assert_eq!(d.begin_upload(&file, size, 1).unwrap().received, 0);
        let again = d.begin_upload(&file, size + 1, 1).unwrap_err().to_string();
        assert!(again.contains("not"), "{again}");
        let (a, b) = (700, 1500);
        assert_eq!(
            d.append_part(&file, 1, 0, &body[..a], ok).unwrap().received,
            a as u64
        );
        let wrong = d
            .append_part(&file, 1, 0, &body[..a], ok)
            .unwrap_err()
            .to_string();
        assert!(
            wrong.contains(&format!("send the part at offset {a}")),
            "{wrong}"
        );
        // A restart: the place is kept on disk.
        let d = AuditDir::open(tmp.path()).unwrap();
        assert_eq!(d.upload(&file, 1).unwrap().received, a as u64);
        let beyond = d
            .append_part(&file, 1, a as u64, &[b'x'; 5000], ok)
            .unwrap_err();
        assert!(beyond.to_string().contains("beyond"), "{beyond}");
        assert_eq!(
            d.upload(&file, 1).unwrap().received,
            a as u64,
            "a refused part wrote"
        );
        d.append_part(&file, 1, a as u64, &body[a..b], ok).unwrap();
        let last = d.append_part(&file, 1, b as u64, &body[b..], ok).unwrap();
        assert!(last.complete && last.received == size);
        assert_eq!(
            d.find(file.hex()).unwrap().as_deref(),
            Some(format!("uploads/{}.csv", file.hex()).as_str())
        );
        assert_eq!(
            std::fs::read(tmp.path().join(format!("uploads/{}.csv", file.hex()))).unwrap(),
            body
        );
        // Finished: beginning again answers the finished file.
        assert!(d.begin_upload(&file, size, 1).unwrap().complete);
    }

    /// Parts that add up to another file, or whose contents `check` refuses, are deleted;
    /// the upload begins again from nothing.
    #[test]
    fn a_wrong_whole_is_deleted() {
        let (tmp, d) = dir();
        let body = b"Batch Name,Position,Choice\nA,1,x\n";
        let file = FileRef::of(body);
        d.begin_upload(&file, body.len() as u64, 1).unwrap();
        let mut other = body.to_vec();
        other[28] = b'B';
        let e = d
            .append_part(&file, 1, 0, &other, |_| Ok(()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not ") && e.contains("send it again"), "{e}");
        assert!(d.upload(&file, 1).is_err());
        d.begin_upload(&file, body.len() as u64, 1).unwrap();
        let e = d
            .append_part(&file, 1, 0, body, |_| Err("line 2: not a ballot".into()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
        assert!(d.upload(&file, 1).is_err());
        assert!(!tmp
            .path()
            .join("uploads")
            .join(format!("{}.csv", file.hex()))
            .exists());
    }

    /// Uploads under way are capped, their files never resolved by name nor found by hash,
    /// and a size of nothing or beyond the cap is refused.
    #[test]
    fn uploads_under_way_are_out_of_reach() {
        let (_tmp, d) = dir();
        let bodies: Vec<Vec<u8>> = (0..=MAX_UNDER_WAY).map(|i| vec![b'a'; i + 2]).collect();
        for b in &bodies[..MAX_UNDER_WAY] {
            d.begin_upload(&FileRef::of(b), 100, 1).unwrap();
        }
        let e = d
            .begin_upload(&FileRef::of(&bodies[MAX_UNDER_WAY]), 100, 1)
            .unwrap_err();
        assert!(e.to_string().contains("under way"), "{e}");
        // Another user's uploads are their own: they begin theirs, and their parts never
        // land in the first user's.
        let last = FileRef::of(&bodies[MAX_UNDER_WAY]);
        assert_eq!(d.begin_upload(&last, 100, 2).unwrap().received, 0);
        let first = FileRef::of(&bodies[0]);
        let e = d.append_part(&first, 2, 0, b"xx", |_| Ok(())).unwrap_err();
        assert!(e.to_string().contains("begin it first"), "{e}");
        assert_eq!(d.upload(&first, 1).unwrap().received, 0);
        d.append_part(&first, 1, 0, &bodies[0], |_| Ok(())).unwrap();
        let name = format!(".parts/{}.100.1", first.hex());
        assert!(d.resolve(&name).is_err(), "a file under way resolved");
        assert_eq!(d.find(first.hex()).unwrap(), None);
        for size in [0, MAX_SIZE + 1] {
            assert!(
                d.begin_upload(&FileRef::of(b"x"), size, 1).is_err(),
                "{size}"
            );
        }
        // Given up, an upload no longer counts toward its sender's: another begins; another
        // user cannot give it up.
        let second = FileRef::of(&bodies[1]);
        assert!(d.abandon(&second, 2).is_err(), "another's upload given up");
        d.abandon(&second, 1).unwrap();
        assert!(d.upload(&second, 1).is_err());
        d.begin_upload(&FileRef::of(&bodies[MAX_UNDER_WAY]), 100, 1)
            .unwrap();
    }

    /// An upload needs room for itself, for what the uploads under way still need, and for
    /// the gibibyte kept free.
    #[test]
    fn an_upload_needs_room_on_the_disk() {
        let gib = 1u64 << 30;
        assert!(room(3 * gib, gib, gib).is_ok());
        let e = room(3 * gib - 1, gib, gib).unwrap_err().to_string();
        assert!(e.contains("would not fit"), "{e}");
        assert!(room(u64::MAX, u64::MAX, u64::MAX).is_err());
    }
}
