//! `tallyproof witness`: an observer organisation's witness over a published log directory or
//! a results service's live log. It cosigns the checkpoint only if it is consistent with the
//! last checkpoint it cosigned for that log (C2SP tlog-witness rules), saves its state before
//! releasing the cosignature, and adds the cosignature to the directory's checkpoint, or
//! submits it to the service (`POST /api/elections/NAME/cosignatures`), which serves it
//! beside the checkpoint.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use translog::checkpoint::{Checkpoint, Cosigner};
use translog::note::{Note, NoteSigner, NoteVerifier};
use translog::tiles::read_tiles;
use translog::witness::{add_checkpoint, request, WitnessState};

use super::fetch::{Remote, Source};

use super::publish::signing_key;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The published directory whose checkpoint to cosign, or a service's live log
    /// (http(s)://HOST/elections/NAME/log/): the cosignature is then submitted to the service
    pub dir: String,
    /// For an https:// log: trust only this CA (PEM) instead of the public ones
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// The witness's key file (created if missing)
    #[arg(long)]
    pub key: PathBuf,
    /// The witness's name (used when the key is created)
    #[arg(long, default_value = "witness.local")]
    pub name: String,
    /// The witness's state file: the last checkpoint cosigned per log
    #[arg(long)]
    pub state: PathBuf,
    /// The log's verifier key (text or file)
    #[arg(long)]
    pub log_key: String,
}

fn text_or_file(arg: &str) -> anyhow::Result<String> {
    let p = Path::new(arg);
    Ok(if p.exists() {
        std::fs::read_to_string(p)?.trim().to_string()
    } else {
        arg.to_string()
    })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let seed_key: NoteSigner = signing_key(&args.key, &args.name)?;
    let me = Cosigner::from_seed(&seed_key.name, seed_key.key.to_bytes());
    let log = NoteVerifier::parse(&text_or_file(&args.log_key)?)?;
    let mut state = match std::fs::read_to_string(&args.state) {
        Ok(t) => WitnessState::parse(&t)?,
        Err(_) => WitnessState::default(),
    };
    let source = Source::open(&args.dir, args.ca_file.as_deref())?;
    let signed = source
        .get("checkpoint")?
        .map(String::from_utf8)
        .transpose()?
        .with_context(|| format!("{}/checkpoint is missing", source.label()))?;
    let note = Note::parse(&signed)?;
    let cp = Checkpoint::parse_body(&note.text)?;
    // The request carries only the log's own signature line, as a log would send it.
    let log_signed = {
        let sigs: Vec<&str> = signed
            .split('\n')
            .filter(|l| l.starts_with(&format!("\u{2014} {} ", log.name)))
            .collect();
        format!("{}\n{}\n", note.text, sigs.join("\n"))
    };
    let old = state.0.get(&cp.origin).map_or(0, |(s, _)| *s);
    let proof = if old > 0 && old < cp.size {
        // A tile that cannot be read is missing here; the tiles' hashes are checked.
        let fetch = |p: &str| source.get(p).ok().flatten();
        let (_, tree) = read_tiles(&fetch, cp.size)?;
        tree.consistency_proof(old, cp.size)?
    } else {
        Vec::new()
    };
    let time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    match add_checkpoint(
        &mut state,
        &me,
        &[log],
        &request(old, &proof, &log_signed),
        time,
    ) {
        Ok(line) => {
            // Persist first: a cosignature must never outlive a lost state.
            let tmp = args.state.with_extension("tmp");
            std::fs::write(&tmp, state.text())
                .with_context(|| format!("cannot write {}", tmp.display()))?;
            std::fs::rename(&tmp, &args.state)
                .with_context(|| format!("cannot replace {}", args.state.display()))?;
            let cosigned = format!("{log_signed}{line}\n");
            match &source {
                Source::Dir(d) => {
                    let path = d.join("checkpoint");
                    std::fs::write(&path, format!("{signed}{line}\n"))
                        .with_context(|| format!("cannot write {}", path.display()))?;
                }
                Source::Remote(r) => submit(r, &args.dir, &cosigned)?,
            }
            println!(
                "cosigned '{}' at size {}; witness key: {}",
                cp.origin,
                cp.size,
                me.verifier().text()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(refusal) => {
            println!("REFUSED: {refusal}");
            Ok(ExitCode::from(1))
        }
    }
}

/// Submits a cosigned checkpoint to the service whose live log is at `url`
/// (`.../elections/NAME/log/`).
fn submit(remote: &Remote, url: &str, cosigned: &str) -> anyhow::Result<()> {
    let path = url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(_, p)| format!("/{}", p.trim_end_matches('/')))
        .unwrap_or_default();
    let election = path
        .strip_prefix("/elections/")
        .and_then(|p| p.strip_suffix("/log"))
        .filter(|e| !e.is_empty() && !e.contains('/'))
        .with_context(|| {
            format!("{url} is not a service's live log (https://HOST/elections/NAME/log/)")
        })?;
    let (status, answer) = remote.post_json(
        &format!("/api/elections/{election}/cosignatures"),
        &serde_json::json!({ "checkpoint": cosigned }),
    )?;
    if status != 201 {
        anyhow::bail!("the service refused the cosignature ({status}): {answer}");
    }
    println!("submitted to the service: {answer}");
    Ok(())
}
