//! `tallyproof verify DIR`: checks a published log from its files alone: the checkpoint's
//! signature (and witness cosignatures), every tile and entry, consistency with a checkpoint
//! saved earlier, and a replay that recomputes every publication.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use record::{decode, replay, Entry};
use translog::checkpoint::{verify_cosignatures, Checkpoint};
use translog::note::NoteVerifier;
use translog::tiles::{read_entries, read_tiles};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The published directory (checkpoint, tile/...), or its loopback URL http://127.0.0.1:PORT/PREFIX
    pub dir: PathBuf,
    /// The log's verifier key (text, or a file holding it); default DIR/log.pub, which only
    /// proves self-consistency: get the key from a trusted channel
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
}

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

/// What a verification found.
pub enum Verdict {
    /// Every check passed; the lines say what was checked.
    Valid(Vec<String>),
    /// The first failure, precisely.
    Rejected(String),
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
    verify_source(
        &fetch,
        &dir.display().to_string(),
        key,
        saved,
        witnesses,
        quorum,
    )
}

/// Verifies a published log read through `fetch` (a directory or a URL); `label` names it.
pub fn verify_source(
    fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
    label: &str,
    key: &NoteVerifier,
    saved: Option<&str>,
    witnesses: &[NoteVerifier],
    quorum: usize,
) -> anyhow::Result<Verdict> {
    let mut said = Vec::new();
    let text = fetch("checkpoint")
        .and_then(|b| String::from_utf8(b).ok())
        .with_context(|| format!("cannot read {label}/checkpoint"))?;
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
    let (entries, tree) = match read_tiles(fetch, c.size) {
        Ok(x) => x,
        Err(e) => {
            let msg = e.to_string();
            return Ok(Verdict::Rejected(format!(
                "{msg}{}",
                entry_context(&msg, fetch, c.size)
            )));
        }
    };
    if tree.root() != c.root {
        return Ok(Verdict::Rejected(format!(
            "the published tiles give root {}, but the signed checkpoint says {}",
            tree.root(),
            c.root
        )));
    }
    said.push(format!("{} entries: every entry hashes to its leaf and every tile to the tiles below; root matches", entries.len()));
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
    let (mut checked, mut redacted) = (0, 0);
    for (i, b) in entries.iter().enumerate() {
        let Ok(entry) = record::decode(i as u64, b) else {
            continue;
        };
        for c in record::commitments(&entry) {
            let Some(file) = fetch(&format!("content/{c}")).and_then(|b| String::from_utf8(b).ok())
            else {
                redacted += 1;
                continue;
            };
            let (salt, text) = file.split_once('\n').unwrap_or((file.as_str(), ""));
            // 64 hex digits exactly: a bad digit is refused, not skipped.
            let salt = match <[u8; 32] as hex::FromHex>::from_hex(salt) {
                Ok(s) => s,
                Err(e) => {
                    return Ok(Verdict::Rejected(format!(
                        "content/{c}: its salt is not 64 hex digits ({e})"
                    )))
                }
            };
            if record::commitment(&salt, text) != c {
                return Ok(Verdict::Rejected(format!(
                    "content/{c} does not match its commitment in entry {i}"
                )));
            }
            checked += 1;
        }
    }
    if checked + redacted > 0 {
        said.push(format!("{checked} published content(s) match their commitments; {redacted} redacted or not published"));
    }
    match replay(
        entries
            .iter()
            .enumerate()
            .map(|(i, e)| (i as u64, e.as_slice())),
    ) {
        Ok(r) => {
            match &r.keys {
                Some((log, _)) if !log.contains(&key.text()) => {
                    return Ok(Verdict::Rejected(format!("the checkpoint is signed by {}, which the log does not declare as its key", key.name)));
                }
                Some(_) => said.push("the checkpoint's key is the log key the log itself declares".to_string()),
                None => said.push("the log declares no key: the key's authenticity rests on the trusted channel alone".to_string()),
            }
            let corrections = r.protocols.iter().filter(|p| p.version > 1).count();
            said.push(format!(
                "replayed '{}': {} stations' protocols ({corrections} corrected), {} complaint(s), {} recount(s), {} re-vote(s), {} annulled unit(s){}, {} audit step(s), {} publication(s) recomputed and equal",
                r.election.name,
                r.protocols.len(),
                r.complaints,
                r.recounts.len(),
                r.revotes.len(),
                r.annulled.len(),
                if r.election_annulled { ", the election annulled" } else { "" },
                r.audits,
                r.publications
            ));
            Ok(Verdict::Valid(said))
        }
        Err(e) => Ok(Verdict::Rejected(format!("replay: {e}"))),
    }
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
    let Ok(entries) = read_entries(fetch, size) else {
        return String::new();
    };
    let first = entries.first().and_then(|b| decode(0, b).ok());
    let Some(Entry::Election(mut e, _)) = first else {
        return String::new();
    };
    for (k, b) in entries.iter().enumerate().skip(1) {
        match decode(k as u64, b) {
            Ok(Entry::Units(rows)) => {
                for (_, parent, level, name) in rows {
                    // A parent the tree does not have yet is not looked up (it panicked).
                    if model::UnitId(parent).index() < e.units.len() {
                        let _ = e.units.insert(model::UnitId(parent), level, &name);
                    }
                }
            }
            _ => break,
        }
    }
    match entries.get(i as usize).map(|b| decode(i, b)) {
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

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let log_key = match &args.key {
        Some(k) => key_text(k)?,
        None => {
            eprintln!("note: using {}/log.pub; this only shows the directory agrees with itself. Pass --key with the log key from a trusted channel.", args.dir.display());
            std::fs::read_to_string(args.dir.join("log.pub"))
                .context("cannot read log.pub: pass --key")?
                .trim()
                .to_string()
        }
    };
    let key = NoteVerifier::parse(&log_key)?;
    let witnesses = args
        .witness
        .iter()
        .map(|w| Ok(NoteVerifier::parse(&key_text(w)?)?))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let saved = args
        .saved
        .as_ref()
        .map(|p| std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display())))
        .transpose()?;
    let target = args.dir.display().to_string();
    let verdict = if let Some(url) = target.strip_prefix("http://") {
        let (host, prefix) = url.split_once('/').unwrap_or((url, ""));
        let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
        if !(name == "localhost" || name.starts_with("127.") || name == "[::1]") {
            anyhow::bail!("only loopback URLs are fetched here (http://127.0.0.1:PORT/...); download the directory for others");
        }
        let prefix = prefix.trim_end_matches('/').to_string();
        let host = host.to_string();
        let fetch = move |p: &str| {
            let path = if prefix.is_empty() {
                format!("/{p}")
            } else {
                format!("/{prefix}/{p}")
            };
            // A response that is not HTTP as it should be is told, then is a failed read.
            http_get(&host, &path).unwrap_or_else(|why| {
                eprintln!("error: http://{host}{path}: {why}");
                None
            })
        };
        verify_source(
            &fetch,
            &target,
            &key,
            saved.as_deref(),
            &witnesses,
            args.quorum,
        )?
    } else {
        verify_dir(&args.dir, &key, saved.as_deref(), &witnesses, args.quorum)?
    };
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

/// A minimal HTTP/1.1 GET (no TLS, no redirects): the body on 200, `None` when the server
/// cannot be reached or answers otherwise, an error when its chunked body is malformed.
fn http_get(host: &str, path: &str) -> Result<Option<Vec<u8>>, String> {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(host) else {
        return Ok(None);
    };
    let mut raw = Vec::new();
    let sent = stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .and_then(|()| {
            write!(
                stream,
                "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
            )
        })
        .and_then(|()| stream.read_to_end(&mut raw));
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    if sent.is_err() || head.split_whitespace().nth(1) != Some("200") {
        return Ok(None);
    }
    let body = &raw[split + 4..];
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return Ok(Some(body.to_vec()));
    }
    let truncated = || "the chunked body ends inside a chunk".to_string();
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        let nl = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(truncated)?;
        let size = chunk_size(&rest[..nl])?;
        if size == 0 {
            return Ok(Some(out));
        }
        // A chunk size from the response: added with a check (2^64 - 1 overflowed).
        let start = nl + 2;
        let end = start.checked_add(size).ok_or_else(truncated)?;
        out.extend_from_slice(rest.get(start..end).ok_or_else(truncated)?);
        rest = end
            .checked_add(2)
            .and_then(|e| rest.get(e..))
            .ok_or_else(truncated)?;
    }
}

/// A chunk-size line of a chunked body (RFC 9112, section 7.1): hexadecimal digits only,
/// then any chunk extensions after `;`. (`usize::from_str_radix` alone also took `+a`.)
fn chunk_size(line: &[u8]) -> Result<usize, String> {
    let text = String::from_utf8_lossy(line);
    let digits = text.split(';').next().unwrap_or("").trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "the chunk size '{}' is not a hexadecimal number",
            text.trim()
        ));
    }
    usize::from_str_radix(digits, 16).map_err(|_| {
        format!(
            "the chunk size '{digits}' does not fit in {} bits",
            usize::BITS
        )
    })
}
