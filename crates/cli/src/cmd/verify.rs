//! `tallyproof verify DIR|URL`: checks a published log from its files alone: the checkpoint's
//! signature (and witness cosignatures), every tile and entry, consistency with a checkpoint
//! saved earlier, and a replay that recomputes every publication. The files come from a
//! directory or over HTTP(S) (`fetch`), and with `--cache` full tiles are kept between runs
//! (`tilecache`).

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
pub use published::Verdict;
use published::{Progress, Step};
use translog::note::NoteVerifier;

use super::fetch::Source;
use super::tilecache::TileCache;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The published log: a directory (checkpoint, tile/...), or its URL, http:// or
    /// https:// on any host (https://HOST/PREFIX/)
    #[arg(value_name = "DIR|URL")]
    pub log: String,
    /// The log's verifier key (text, or a file holding it); default the log's own log.pub,
    /// which only proves self-consistency: get the key from a trusted channel
    #[arg(long)]
    pub key: Option<String>,
    /// A checkpoint saved earlier (a file): the log must still contain it
    #[arg(long)]
    pub saved: Option<PathBuf>,
    /// A witness's verifier key (text or file), repeatable
    #[arg(long)]
    pub witness: Vec<String>,
    /// How many of the witnesses must have cosigned
    #[arg(long, default_value_t = 0)]
    pub quorum: usize,
    /// For https:// URLs: trust the server's certificate only if this CA (PEM) signed it.
    /// The public certificate authorities are then not trusted
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// Keep the log's full tiles in DIR and read them from there next time (each is checked
    /// again like a fetched one); the checkpoint verified is saved as DIR/checkpoint and, without
    /// --saved, the next run checks that the log still contains it
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
}

/// Logs of at least this many entries get a progress bar (on a terminal).
const LARGE: u64 = 4096;

pub fn key_text(arg: &str) -> anyhow::Result<String> {
    let p = Path::new(arg);
    Ok(if p.exists() {
        std::fs::read_to_string(p)
            .with_context(|| format!("cannot read {arg}"))?
            .trim()
            .to_string()
    } else {
        arg.to_string()
    })
}

/// Verifies a published directory.
pub fn verify_dir(
    dir: &Path,
    key: &NoteVerifier,
    saved: Option<&str>,
    witnesses: &[NoteVerifier],
    quorum: usize,
) -> anyhow::Result<Verdict> {
    let fetch = |p: &str| std::fs::read(dir.join(p)).ok();
    Ok(published::verify(
        &fetch,
        &dir.display().to_string(),
        key,
        saved,
        witnesses,
        quorum,
        &|_| {},
    )?)
}

/// The published log at `log` (a directory or URL), verified with the log key `key` (text
/// or a file) from a trusted channel, and kept for reading; a log that does not verify is an
/// error saying why.
pub fn verified(log: &str, key: &str, ca_file: Option<&Path>) -> anyhow::Result<published::Kept> {
    let source = Source::open(log, ca_file)?;
    let key = NoteVerifier::parse(&key_text(key)?)?;
    let reader = Reader::new(&source, None);
    let fetch = |p: &str| reader.read(p);
    let trusting = published::Trusting {
        key: &key,
        saved: None,
        witnesses: &[],
        quorum: 0,
    };
    let got = published::verify_keeping(&fetch, &source.label(), &trusting, &|_| {});
    if let Some(e) = reader.failed.borrow_mut().take() {
        return Err(e);
    }
    match got? {
        (Verdict::Valid(_), Some(kept)) => Ok(kept),
        (Verdict::Rejected(why), _) => {
            anyhow::bail!("{}: the log does not verify: {why}", source.label())
        }
        (Verdict::Valid(_), None) => {
            anyhow::bail!("{}: verified, but nothing was kept", source.label())
        }
    }
}

/// What one verification checks against, whatever it reads.
struct Trust<'a> {
    key: NoteVerifier,
    saved: Option<String>,
    witnesses: Vec<NoteVerifier>,
    quorum: usize,
    bar: &'a Bar,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let source = Source::open(&args.log, args.ca_file.as_deref())?;
    let cache = args.cache.as_deref().map(TileCache::open).transpose()?;
    let log_key = match &args.key {
        Some(k) => key_text(k)?,
        None => {
            eprintln!("note: using {}/log.pub; this only shows the log agrees with itself. Pass --key with the log key from a trusted channel.", source.label());
            let text = source
                .get("log.pub")?
                .and_then(|b| String::from_utf8(b).ok())
                .with_context(|| format!("cannot read {}/log.pub: pass --key", source.label()))?;
            text.trim().to_string()
        }
    };
    let saved = match (&args.saved, &cache) {
        (Some(p), _) => Some(
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?,
        ),
        (None, Some(c)) => {
            let saved = c.checkpoint()?;
            if saved.is_some() {
                eprintln!(
                    "note: checking that the log still holds the checkpoint verified last time ({})",
                    c.checkpoint_path().display()
                );
            }
            saved
        }
        (None, None) => None,
    };
    let bar = Bar::default();
    let trust = Trust {
        key: NoteVerifier::parse(&log_key)?,
        saved,
        witnesses: args
            .witness
            .iter()
            .map(|w| Ok(NoteVerifier::parse(&key_text(w)?)?))
            .collect::<anyhow::Result<Vec<_>>>()?,
        quorum: args.quorum,
        bar: &bar,
    };
    let mut reader = Reader::new(&source, cache.as_ref());
    let mut verdict = reader.verify(&trust)?;
    if let (Verdict::Rejected(why), Some(c)) = (&verdict, &cache) {
        if reader.from_cache.get() > 0 {
            eprintln!(
                "note: with the tiles cached in {} the log is rejected ({why}); fetching every tile again",
                c.dir().display()
            );
            reader = Reader::new(&source, cache.as_ref());
            reader.use_cache = false;
            verdict = reader.verify(&trust)?;
        }
    }
    bar.finish();
    if source.is_remote() || cache.is_some() {
        eprintln!("note: {}", reader.summary(&source));
    }
    if let (Verdict::Valid(_), Some(c)) = (&verdict, &cache) {
        reader.keep(c)?;
    }
    match verdict {
        Verdict::Valid(lines) => {
            for l in lines {
                println!("ok: {l}");
            }
            println!("VALID");
            Ok(ExitCode::SUCCESS)
        }
        Verdict::Rejected(why) => {
            println!("REJECTED: {why}");
            Ok(ExitCode::from(1))
        }
    }
}

/// The files of one verification: from the cache where it holds a full tile (unless told
/// not to), else from the source; the first failure to read is kept, and every read after
/// it gives nothing, so that the verification stops and the failure, not a missing file, is
/// what is told.
struct Reader<'a> {
    source: &'a Source,
    cache: Option<&'a TileCache>,
    use_cache: bool,
    /// With a cache: the full tiles read, by path (written to the cache after a valid run).
    tiles: RefCell<BTreeMap<String, Vec<u8>>>,
    checkpoint: RefCell<Option<Vec<u8>>>,
    failed: RefCell<Option<anyhow::Error>>,
    fetched: Cell<u64>,
    bytes: Cell<u64>,
    from_cache: Cell<u64>,
}

impl<'a> Reader<'a> {
    fn new(source: &'a Source, cache: Option<&'a TileCache>) -> Reader<'a> {
        Reader {
            source,
            cache,
            use_cache: true,
            tiles: RefCell::default(),
            checkpoint: RefCell::default(),
            failed: RefCell::default(),
            fetched: Cell::new(0),
            bytes: Cell::new(0),
            from_cache: Cell::new(0),
        }
    }

    /// Verifies the log; a failure to read a file is the error, whatever the verdict.
    fn verify(&self, t: &Trust) -> anyhow::Result<Verdict> {
        let fetch = |p: &str| self.read(p);
        let verdict = published::verify(
            &fetch,
            &self.source.label(),
            &t.key,
            t.saved.as_deref(),
            &t.witnesses,
            t.quorum,
            &|p| t.bar.tell(p),
        );
        if let Some(e) = self.failed.borrow_mut().take() {
            t.bar.finish();
            return Err(e);
        }
        Ok(verdict?)
    }

    fn read(&self, path: &str) -> Option<Vec<u8>> {
        if self.failed.borrow().is_some() {
            return None;
        }
        let kept = self.cache.filter(|_| TileCache::keeps(path));
        if let Some(cache) = kept.filter(|_| self.use_cache) {
            match cache.get(path) {
                Ok(Some(b)) => {
                    self.from_cache.set(self.from_cache.get() + 1);
                    return Some(b);
                }
                Ok(None) => {}
                Err(e) => {
                    *self.failed.borrow_mut() = Some(e);
                    return None;
                }
            }
        }
        match self.source.get(path) {
            Ok(Some(b)) => {
                self.fetched.set(self.fetched.get() + 1);
                self.bytes.set(self.bytes.get() + b.len() as u64);
                if kept.is_some() {
                    self.tiles.borrow_mut().insert(path.to_string(), b.clone());
                }
                if path == "checkpoint" {
                    *self.checkpoint.borrow_mut() = Some(b.clone());
                }
                Some(b)
            }
            Ok(None) => None,
            Err(e) => {
                *self.failed.borrow_mut() = Some(e);
                None
            }
        }
    }

    /// Writes the tiles fetched and the checkpoint to the cache (after a valid run).
    fn keep(&self, cache: &TileCache) -> anyhow::Result<()> {
        for (path, b) in self.tiles.borrow().iter() {
            cache.put(path, b)?;
        }
        if let Some(c) = self.checkpoint.borrow().as_deref() {
            cache.save_checkpoint(c)?;
        }
        Ok(())
    }

    fn summary(&self, source: &Source) -> String {
        let mut s = format!(
            "read {} file(s), {} bytes, from {}",
            self.fetched.get(),
            self.bytes.get(),
            source.label()
        );
        if let Some(c) = self.cache {
            s.push_str(&format!(
                "; {} full tile(s) from the cache {}",
                self.from_cache.get(),
                c.dir().display()
            ));
        }
        s
    }
}

/// The progress bar on standard error: drawn only there on a terminal, and only for a log of
/// at least [`LARGE`] entries (decided at the first report).
#[derive(Default)]
struct Bar {
    bar: OnceCell<Option<indicatif::ProgressBar>>,
    step: Cell<Option<Step>>,
}

impl Bar {
    fn tell(&self, p: Progress) {
        let bar = self.bar.get_or_init(|| {
            (p.log_size >= LARGE && std::io::stderr().is_terminal()).then(|| {
                let bar = indicatif::ProgressBar::new(p.total);
                if let Ok(style) = indicatif::ProgressStyle::with_template(
                    "{msg:28} [{bar:40}] {pos}/{len} ({eta})",
                ) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar
            })
        });
        if let Some(bar) = bar {
            if self.step.replace(Some(p.step)) != Some(p.step) {
                // Another step counts other things at another pace.
                bar.reset();
            }
            bar.set_message(match p.step {
                Step::Tiles => "reading and replaying tiles",
            });
            bar.set_length(p.total);
            bar.set_position(p.done);
        }
    }

    fn finish(&self) {
        if let Some(Some(bar)) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}
