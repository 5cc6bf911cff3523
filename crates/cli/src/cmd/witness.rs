//! `tallyproof witness`: an observer organisation's witness over a published log directory.
//! It cosigns the directory's checkpoint only if it is consistent with the last checkpoint it
//! cosigned for that log (C2SP tlog-witness rules), saves its state before releasing the
//! cosignature, and adds the cosignature to the published checkpoint.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use translog::checkpoint::{Checkpoint, Cosigner};
use translog::note::{Note, NoteSigner, NoteVerifier};
use translog::tiles::read_tiles;
use translog::witness::{add_checkpoint, request, WitnessState};

use super::publish::signing_key;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The published directory whose checkpoint to cosign
    pub dir: PathBuf,
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
    let path = args.dir.join("checkpoint");
    let signed = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
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
        let fetch = |p: &str| std::fs::read(args.dir.join(p)).ok();
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
            std::fs::write(&path, format!("{signed}{line}\n"))
                .with_context(|| format!("cannot write {}", path.display()))?;
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
