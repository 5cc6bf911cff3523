//! `tallyproof log ...`: the low-level checks an observer runs by hand on published proofs.

use std::process::ExitCode;

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use translog::checkpoint::Checkpoint;
use translog::note::Note;
use translog::tiles::read_tiles;
use translog::{leaf_hash, verify_consistency, verify_inclusion, Hash, LogError};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: LogCommand,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Print a published directory's checkpoint: origin, size, root (hex) and its signatures
    Checkpoint {
        /// The published directory
        dir: PathBuf,
    },
    /// Print the inclusion proof of entry INDEX (and a consistency proof with --from) from a
    /// published directory, ready for verify-inclusion / verify-consistency
    Prove {
        /// The published directory
        dir: PathBuf,
        /// The entry's 0-based index
        #[arg(long)]
        index: u64,
        /// The tree size (default: the checkpoint's)
        #[arg(long)]
        size: Option<u64>,
        /// Also prove that the tree extends the tree of this size
        #[arg(long)]
        from: Option<u64>,
    },
    /// Check that a leaf is in a tree (exit 0 valid, 1 invalid with the reason)
    VerifyInclusion {
        /// The leaf hash (hex), SHA-256(0x00 || entry)
        #[arg(long, conflicts_with = "entry")]
        leaf_hash: Option<String>,
        /// Or the entry itself, as text
        #[arg(long)]
        entry: Option<String>,
        /// The leaf's 0-based index
        #[arg(long)]
        index: u64,
        /// The tree size
        #[arg(long)]
        size: u64,
        /// The root (hex)
        #[arg(long)]
        root: String,
        /// The proof hashes (hex), comma-separated, leaf level first
        #[arg(long, default_value = "")]
        proof: String,
    },
    /// Check that a tree extends an earlier one (exit 0 valid, 1 invalid with the reason)
    VerifyConsistency {
        /// The earlier size
        #[arg(long)]
        size1: u64,
        /// The later size
        #[arg(long)]
        size2: u64,
        /// The earlier root (hex)
        #[arg(long)]
        root1: String,
        /// The later root (hex)
        #[arg(long)]
        root2: String,
        /// The proof hashes (hex), comma-separated
        #[arg(long, default_value = "")]
        proof: String,
    },
}

/// The hashes of a comma-separated proof; `""` is the empty proof. Every element must be one
/// hash of 64 hex digits: an empty one (`H1,,H2`, or a trailing comma) is refused, not
/// dropped, so that what is checked is exactly what was given.
fn hashes(list: &str) -> Result<Vec<Hash>, LogError> {
    if list.trim().is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<&str> = list.split(',').collect();
    let n = parts.len();
    parts
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if s.trim().is_empty() {
                return Err(LogError::BadHash(format!(
                    "proof element {} of {n} is empty (a stray comma?)",
                    i + 1
                )));
            }
            Hash::from_hex(s).map_err(|e| match e {
                LogError::BadHash(m) => {
                    LogError::BadHash(format!("proof element {} of {n}: {m}", i + 1))
                }
                other => other,
            })
        })
        .collect()
}

fn verdict(r: Result<(), translog::LogError>, what: &str) -> ExitCode {
    match r {
        Ok(()) => {
            println!("valid: {what}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("invalid: {e}");
            ExitCode::from(1)
        }
    }
}

fn join(hs: &[Hash]) -> String {
    hs.iter().map(Hash::hex).collect::<Vec<_>>().join(",")
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    Ok(match args.command {
        LogCommand::Checkpoint { dir } => {
            let text = std::fs::read_to_string(dir.join("checkpoint"))
                .with_context(|| format!("cannot read {}/checkpoint", dir.display()))?;
            let note = Note::parse(&text)?;
            let c = Checkpoint::parse_body(&note.text)?;
            println!("origin {}\nsize {}\nroot {}", c.origin, c.size, c.root);
            for s in &note.signatures {
                println!("signature {} {:08x}", s.name, s.id);
            }
            ExitCode::SUCCESS
        }
        LogCommand::Prove {
            dir,
            index,
            size,
            from,
        } => {
            let text = std::fs::read_to_string(dir.join("checkpoint"))
                .with_context(|| format!("cannot read {}/checkpoint", dir.display()))?;
            let c = Checkpoint::parse_body(&Note::parse(&text)?.text)?;
            let fetch = |p: &str| std::fs::read(dir.join(p)).ok();
            let (_, tree) = read_tiles(&fetch, c.size)?;
            let n = size.unwrap_or(c.size);
            println!(
                "leaf-hash {}",
                tree.leaf(index).map(|h| h.hex()).unwrap_or_default()
            );
            println!("index {index}\nsize {n}\nroot {}", tree.root_at(n)?);
            println!("proof {}", join(&tree.inclusion_proof(index, n)?));
            if let Some(m) = from {
                println!("size1 {m}\nroot1 {}", tree.root_at(m)?);
                println!("consistency {}", join(&tree.consistency_proof(m, n)?));
            }
            ExitCode::SUCCESS
        }
        LogCommand::VerifyInclusion {
            leaf_hash: lh,
            entry,
            index,
            size,
            root,
            proof,
        } => {
            let leaf = match (lh, entry) {
                (Some(h), _) => Hash::from_hex(&h)?,
                (None, Some(e)) => leaf_hash(e.as_bytes()),
                (None, None) => anyhow::bail!("give --leaf-hash or --entry"),
            };
            let r = verify_inclusion(
                index,
                size,
                &leaf,
                &hashes(&proof)?,
                &Hash::from_hex(&root)?,
            );
            verdict(r, &format!("leaf {index} is in the tree of size {size}"))
        }
        LogCommand::VerifyConsistency {
            size1,
            size2,
            root1,
            root2,
            proof,
        } => {
            let r = verify_consistency(
                size1,
                size2,
                &Hash::from_hex(&root1)?,
                &Hash::from_hex(&root2)?,
                &hashes(&proof)?,
            );
            verdict(
                r,
                &format!("the tree of size {size2} extends the tree of size {size1}"),
            )
        }
    })
}
