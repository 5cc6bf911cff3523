//! `tallyproof publish`: a stored election as a signed, static, verifiable log directory
//! (C2SP tlog-tiles plus a signed checkpoint; entries as in `docs/log-format.md`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use record::PublicContent;
use store::{Actor, SqliteStore, Staffing, Store};
use translog::checkpoint::Checkpoint;
use translog::note::NoteSigner;
use translog::stream::TileWriter;

use super::{election_name, DEFAULT_DB};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The store file
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// The stored election (may be omitted when the store holds one)
    #[arg(long)]
    pub election: Option<String>,
    /// The directory to write (tiles, checkpoint, log.pub)
    #[arg(long)]
    pub out: PathBuf,
    /// The log's signing key file (PRIVATE+KEY+...); created with a fresh random key if
    /// missing. Default: the store's path with .logkey added, the key `tallyproof serve` signs with
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// The log's origin (its unique name); default tallyproof.local/ELECTION
    #[arg(long)]
    pub origin: Option<String>,
    /// A law preset: the publication then states seats (kg2010, kg2015, kg2020, kg2021)
    #[arg(long)]
    pub law: Option<String>,
    /// The stage of the publication
    #[arg(long, default_value = "preliminary", value_parser = ["preliminary", "final"])]
    pub stage: String,
    /// Why certify while complaints are still open (enters the log as a commitment; the final
    /// stage only, and needed then)
    #[arg(long)]
    pub reason: Option<String>,
}

/// A written log directory.
pub struct Published {
    pub size: u64,
    pub checkpoint: String,
}

/// Writes `entries` as a signed tile directory.
pub fn write_log(
    dir: &Path,
    origin: &str,
    signer: &NoteSigner,
    entries: &[Vec<u8>],
) -> anyhow::Result<Published> {
    write_log_of(dir, origin, signer, &mut |each| {
        entries.iter().try_for_each(|e| each(e))
    })
}

/// Writes the stored log of election `name` as a signed tile directory, read from the store
/// a page at a time (`store::each_log_entry`) and each tile written as it fills: the log is
/// never held whole.
pub fn write_stored_log(
    dir: &Path,
    origin: &str,
    signer: &NoteSigner,
    store: &dyn Store,
    name: &str,
) -> anyhow::Result<Published> {
    write_stored(dir, origin, signer, (store, name), &mut |_, _| Ok(()))
}

/// [`write_stored_log`], and the public content behind the log's commitments found in the
/// same reading of the store ([`write_content`]).
pub fn write_stored_log_and_content(
    dir: &Path,
    origin: &str,
    signer: &NoteSigner,
    store: &dyn Store,
    name: &str,
) -> anyhow::Result<Published> {
    let mut public = PublicContent::default();
    let published = write_stored(dir, origin, signer, (store, name), &mut |i, e| {
        Ok(public.add_bytes(i, e)?)
    })?;
    write_content(dir, store, name, &public)?;
    Ok(published)
}

/// Writes the stored log of election `name` as tiles, showing `seen` each entry (index,
/// bytes) as it is read.
fn write_stored(
    dir: &Path,
    origin: &str,
    signer: &NoteSigner,
    (store, name): (&dyn Store, &str),
    seen: &mut dyn FnMut(u64, &[u8]) -> anyhow::Result<()>,
) -> anyhow::Result<Published> {
    write_log_of(dir, origin, signer, &mut |each| {
        store::each_log_entry(store, name, store::LOG_PAGE, &mut |i, e| {
            seen(i, e)?;
            each(e)
        })
        .map(|_| ())
    })
}

/// The log's entries, handed one by one to the function given.
type Feed<'a> = dyn FnMut(&mut dyn FnMut(&[u8]) -> anyhow::Result<()>) -> anyhow::Result<()> + 'a;

/// Writes the log that `feed` gives as a signed tile directory: its tiles as they fill
/// (`translog::stream::TileWriter`), then the partial ones, the signed checkpoint and log.pub.
fn write_log_of(
    dir: &Path,
    origin: &str,
    signer: &NoteSigner,
    feed: &mut Feed,
) -> anyhow::Result<Published> {
    let mut tiles = TileWriter::new();
    feed(&mut |entry| {
        for (path, bytes) in tiles.push(entry)? {
            write_file(dir, &path, &bytes)?;
        }
        Ok(())
    })?;
    for (path, bytes) in tiles.finish()? {
        write_file(dir, &path, &bytes)?;
    }
    let c = Checkpoint {
        origin: origin.to_string(),
        size: tiles.size(),
        root: tiles.root(),
    };
    let signed = c.sign(signer)?;
    std::fs::write(dir.join("checkpoint"), &signed).context("cannot write the checkpoint")?;
    std::fs::write(
        dir.join("log.pub"),
        format!("{}\n", signer.verifier().text()),
    )
    .context("cannot write log.pub")?;
    Ok(Published {
        size: tiles.size(),
        checkpoint: signed,
    })
}

/// Writes one tile file, creating its directory.
fn write_file(dir: &Path, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let p = dir.join(path);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(&p, bytes).with_context(|| format!("cannot write {}", p.display()))
}

/// Writes the public content behind the log's commitments as `content/<commitment>` files:
/// the salt in hex, a newline, the text. A redacted content is simply absent, and so is every
/// content the log does not make public (`record::PublicContent`: observers' and
/// complainants' names).
pub fn write_content(
    dir: &Path,
    store: &dyn Store,
    name: &str,
    public: &PublicContent,
) -> anyhow::Result<()> {
    let d = dir.join("content");
    if d.exists() {
        std::fs::remove_dir_all(&d).with_context(|| format!("cannot replace {}", d.display()))?;
    }
    std::fs::create_dir_all(&d)?;
    for c in store
        .contents(name)?
        .iter()
        .filter(|c| public.is_public(&c.commitment))
    {
        std::fs::write(d.join(&c.commitment), format!("{}\n{}", c.salt, c.text))
            .with_context(|| format!("cannot write content {}", c.commitment))?;
    }
    Ok(())
}

/// The store's own log key file: the store's path with `.logkey` added.
pub fn default_key_path(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}.logkey", db.display()))
}

/// The signing key in `path`, created with a random seed if the file does not exist (readable
/// by its owner only).
pub fn signing_key(path: &Path, name: &str) -> anyhow::Result<NoteSigner> {
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        return NoteSigner::parse(text.trim())
            .with_context(|| format!("{} is not a signing key", path.display()));
    }
    let key = NoteSigner::from_seed(name, super::random_bytes())?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    std::io::Write::write_all(&mut file, format!("{}\n", key.text()).as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(key)
}

/// Logs a publication of the current totals (with seats under `law`) as the console's act
/// (`record::publication_act`: a staff `publish` or, at the final stage, `certify` entry, a
/// publication of every contest, and the signing key's declaration if the log lacks it), in
/// one transaction. The log is replayed from the store a page at a time.
pub fn append_publication(
    store: &mut SqliteStore,
    name: &str,
    stage: record::Stage,
    law: Option<&str>,
    reason: Option<&str>,
    signer: &NoteSigner,
) -> anyhow::Result<()> {
    // The publication states what the log itself gives: its protocols and its decisions,
    // replayed, exactly as a verifier will recompute it; it is logged only if the log has
    // not grown since (`at`).
    // A lean replay: no station's protocol is kept; a correction reads the version it
    // replaces again from the store.
    let mut reread = |i: u64| store.log_range(name, i, i + 1).ok()?.pop();
    let mut replayer: Option<record::Replayer> = None;
    let size = store::each_log_entry(&*store, name, store::LOG_PAGE, &mut |i, e| {
        match &mut replayer {
            None => replayer = Some(record::Replayer::lean(i, e)?),
            Some(r) => {
                r.push_reading(i, e, &mut reread)?;
            }
        }
        anyhow::Ok(())
    })?;
    let Some(mut replayer) = replayer else {
        // The log is empty: the replay says so.
        record::replay(std::iter::empty())?;
        anyhow::bail!("the log is empty");
    };
    replayer.check_end()?;
    let publications = (0..replayer.election().contests.len())
        .map(|c| replayer.publication(c, stage, law.filter(|_| c == 0), &mut reread))
        .collect::<Result<Vec<_>, _>>()?;
    let built = record::publication_act_of(
        publications,
        stage,
        replayer.keys(),
        Some(&signer.verifier().text()),
    );
    // Why certify while complaints are open: committed to, logged on the `certify` entry.
    let (act, content) = match (built.act, reason) {
        (record::StaffAct::Certify { .. }, Some(why)) => {
            let (c, row) = record::reason_act("reason", why, &crate::cmd::random_bytes())?;
            (record::StaffAct::Certify { reason: Some(c) }, vec![row])
        }
        (_, Some(_)) => anyhow::bail!("--reason is for a certification (--stage final) only"),
        (act, None) => (act, Vec::new()),
    };
    store.act(
        name,
        Actor::Console,
        store::Act {
            at: Some(size),
            content: &content,
            ..store::Act::of(act, &built.entries, crate::cmd::clock()?)
        },
    )?;
    Ok(())
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut store = crate::cmd::open_store(&args.db)?;
    let name = election_name(&store, args.election.as_deref())?;
    let origin = args
        .origin
        .clone()
        .unwrap_or_else(|| format!("tallyproof.local/{name}"));
    let key = args
        .key
        .clone()
        .unwrap_or_else(|| default_key_path(&args.db));
    let signer = signing_key(&key, &origin)?;
    let stage = record::parse_key(&args.stage).map_err(anyhow::Error::msg)?;
    append_publication(
        &mut store,
        &name,
        stage,
        args.law.as_deref(),
        args.reason.as_deref(),
        &signer,
    )?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let published = write_stored_log_and_content(&args.out, &origin, &signer, &store, &name)?;
    println!(
        "published '{name}' to {}: {} entries; checkpoint:\n{}",
        args.out.display(),
        published.size,
        published.checkpoint
    );
    Ok(ExitCode::SUCCESS)
}
