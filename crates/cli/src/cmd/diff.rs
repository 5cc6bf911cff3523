//! `tallyproof diff`: what changed between two states of a published log (for example the
//! preliminary and the final publication), station by station, with the entries responsible.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use record::{decode, replay, Decision, Entry};
use translog::checkpoint::Checkpoint;
use translog::note::NoteVerifier;
use translog::tiles::read_tiles;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The published directory (its current checkpoint is the later state by default)
    pub dir: PathBuf,
    /// The earlier state: a checkpoint file saved from this log
    #[arg(long)]
    pub from: PathBuf,
    /// The later state: a checkpoint file (default: the directory's checkpoint)
    #[arg(long)]
    pub to: Option<PathBuf>,
    /// The log's verifier key (text or file); both checkpoints must be signed with it
    #[arg(long)]
    pub key: String,
}

fn open(path: &std::path::Path, key: &NoteVerifier) -> anyhow::Result<Checkpoint> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Checkpoint::open(&text, key)
        .with_context(|| {
            format!(
                "{} is not a checkpoint signed by the log key",
                path.display()
            )
        })?
        .0)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let key_text = if std::path::Path::new(&args.key).exists() {
        std::fs::read_to_string(&args.key)?.trim().to_string()
    } else {
        args.key.clone()
    };
    let key = NoteVerifier::parse(&key_text)?;
    for line in changes(&args.dir, &key, &args.from, args.to.as_deref())? {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The changes between the states of the log in `dir` at the checkpoints `from` and `to`
/// (default: the directory's current checkpoint), one line per entry.
pub fn changes(
    dir: &std::path::Path,
    key: &NoteVerifier,
    from: &std::path::Path,
    to: Option<&std::path::Path>,
) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    let current = open(&dir.join("checkpoint"), key)?;
    let a = open(from, key)?;
    let b = match to {
        Some(p) => open(p, key)?,
        None => current.clone(),
    };
    if a.size > b.size {
        bail!(
            "the earlier checkpoint ({}) is larger than the later one ({})",
            a.size,
            b.size
        );
    }
    let fetch = |p: &str| std::fs::read(dir.join(p)).ok();
    let (entries, tree) = read_tiles(&fetch, current.size)?;
    for c in [&a, &b] {
        if c.size > current.size || tree.root_at(c.size)? != c.root {
            bail!("the checkpoint of size {} is not a state of this log (its root differs): the log was rewritten or it is another log", c.size);
        }
    }
    let before = replay_prefix(&entries, a.size)?;
    let mut state: std::collections::BTreeMap<(u32, usize), model::Protocol> = before
        .protocols
        .into_iter()
        .map(|p| ((p.station.0, p.contest), p))
        .collect();
    // The tree of later entries may add units; replay the prefix to get them.
    let after = replay_prefix(&entries, b.size)?;
    let units = &after.election.units;
    out.push(format!(
        "from size {} to size {}: {} entries",
        a.size,
        b.size,
        b.size - a.size
    ));
    for i in a.size..b.size {
        match decode(i, &entries[i as usize])? {
            Entry::Protocol(p) => {
                let station = units.path(p.station);
                match state.get(&(p.station.0, p.contest)) {
                    None => out.push(format!(
                        "entry {i}: station '{station}': first protocol (version {})",
                        p.version
                    )),
                    Some(old) => {
                        let choices = &after.election.contests[p.contest].choices;
                        let mut changes: Vec<String> = Vec::new();
                        for (k, (x, y)) in old.votes.iter().zip(&p.votes).enumerate() {
                            if x != y {
                                changes.push(format!("{} {x} -> {y}", choices[k].name));
                            }
                        }
                        for &l in model::Line::ALL {
                            if old.line(l) != p.line(l) {
                                let f = |v: Option<u64>| v.map_or("-".into(), |v| v.to_string());
                                changes.push(format!(
                                    "{} {} -> {}",
                                    l.key(),
                                    f(old.line(l)),
                                    f(p.line(l))
                                ));
                            }
                        }
                        out.push(format!(
                            "entry {i}: station '{station}': version {} -> {}: {}",
                            old.version,
                            p.version,
                            if changes.is_empty() {
                                "no count changed".to_string()
                            } else {
                                changes.join(", ")
                            }
                        ));
                    }
                }
                state.insert((p.station.0, p.contest), p);
            }
            Entry::Decision(Decision::AnnulUnit { unit, reason }) => out.push(format!(
                "entry {i}: decision: annul '{}' (reason commitment {reason})",
                units.path(unit)
            )),
            Entry::Decision(Decision::AnnulElection { reason }) => out.push(format!(
                "entry {i}: decision: annul the election (reason commitment {reason})"
            )),
            Entry::Decision(Decision::Reopen { reason }) => out.push(format!(
                "entry {i}: decision: reopen the election (reason commitment {reason})"
            )),
            Entry::Publication(p) => out.push(format!(
                "entry {i}: {} publication over {} stations",
                p.stage, p.stations_counted
            )),
            Entry::Decision(Decision::Recount { unit, reason }) => out.push(format!(
                "entry {i}: decision: recount in '{}' (reason commitment {reason})",
                units.path(unit)
            )),
            Entry::Decision(Decision::Revote { unit, reason }) => out.push(format!(
                "entry {i}: decision: re-vote in '{}' (reason commitment {reason})",
                units.path(unit)
            )),
            Entry::Complaint(c) => out.push(format!(
                "entry {i}: complaint about '{}'{} (texts as commitments)",
                units.path(c.unit),
                c.category
                    .map_or(String::new(), |k| format!(", {}", k.key()))
            )),
            Entry::Review(r) => out.push(format!(
                "entry {i}: complaint {} is {}{} (reason commitment {})",
                r.complaint,
                r.status.key(),
                r.decision
                    .map_or(String::new(), |d| format!(", answered by decision {d}")),
                r.reason
            )),
            Entry::Keys { log, witnesses } => out.push(format!(
                "entry {i}: keys: {} log key(s), {} witness key(s)",
                log.len(),
                witnesses.len()
            )),
            Entry::Units(rows) => out.push(format!("entry {i}: {} units added", rows.len())),
            Entry::Election(..) => out.push(format!("entry {i}: election definition")),
            Entry::Audit(step) => out.push(format!("entry {i}: audit: {}", audit_step(&step))),
            Entry::Pvt(step) => out.push(format!(
                "entry {i}: quick count '{}': {}{}",
                step.pvt(),
                step.key(),
                match &step {
                    record::PvtStep::Frame { stations, .. } =>
                        format!(", {} stations", stations.len()),
                    record::PvtStep::Report { protocol, .. } =>
                        format!(", station '{}'", units.path(protocol.station)),
                    _ => String::new(),
                }
            )),
            Entry::Incident(record::IncidentStep::Report {
                category,
                unit,
                time,
                exact,
                ..
            }) => out.push(format!(
                "entry {i}: incident reported: {category} at '{}', {time}{}",
                units.path(unit),
                if exact.is_some() { " (coarsened)" } else { "" }
            )),
            Entry::Incident(record::IncidentStep::Status {
                incident, status, ..
            }) => out.push(format!(
                "entry {i}: incident {incident} now {}",
                status.key()
            )),
            Entry::Staff(s) => out.push(format!(
                "entry {i}: staff: {} by a {} (user commitment {}){}{}",
                s.act.key(),
                s.role().key(),
                s.user,
                s.act
                    .subject()
                    .map_or(String::new(), |d| format!(", subject {d}")),
                s.time.map_or(String::new(), |t| format!(", at {t}"))
            )),
        }
    }
    Ok(out)
}

/// Replays the first `size` entries of the log.
fn replay_prefix(entries: &[Vec<u8>], size: u64) -> anyhow::Result<record::Replayed> {
    Ok(replay(
        entries[..size as usize]
            .iter()
            .enumerate()
            .map(|(i, e)| (i as u64, e.as_slice())),
    )?)
}

/// One line about an audit step.
fn audit_step(step: &record::AuditStep) -> String {
    use record::AuditStep;
    match step {
        AuditStep::Start {
            audit,
            method,
            risk_limit,
            seed,
            ..
        } => {
            format!("'{audit}' started ({method}, risk limit {risk_limit}%, seed '{seed}')")
        }
        AuditStep::Manifest { audit, batches } => {
            format!("'{audit}' manifest: {} batches", batches.len())
        }
        AuditStep::Round { audit, round, size } => {
            format!("'{audit}' round {round}: {size} ballots drawn")
        }
        AuditStep::Readings {
            audit,
            round,
            readings,
        } => {
            format!("'{audit}' round {round}: {} ballots read", readings.len())
        }
        AuditStep::Counts {
            audit,
            round,
            counts,
        } => {
            format!(
                "'{audit}' round {round}: {} stations counted by hand",
                counts.len()
            )
        }
        AuditStep::Escalate { audit } => format!("'{audit}' escalated to a full hand count"),
        AuditStep::Target {
            audit,
            round,
            targets,
        } => format!(
            "'{audit}' round {round}: {} stations targeted for a hand count (outside the risk)",
            targets.len()
        ),
        AuditStep::TargetedCounts {
            audit,
            round,
            counts,
        } => format!(
            "'{audit}' round {round}: {} targeted stations counted by hand (outside the risk)",
            counts.len()
        ),
        AuditStep::Boards {
            audit,
            round,
            boards,
        } => format!(
            "'{audit}' round {round}: {} audit boards formed",
            boards.len()
        ),
        AuditStep::BoardReadings {
            audit,
            round,
            board,
            readings,
        } => format!(
            "'{audit}' round {round}: board {board} signed off {} ballots read",
            readings.len()
        ),
        AuditStep::BoardCounts {
            audit,
            round,
            board,
            counts,
        } => format!(
            "'{audit}' round {round}: board {board} signed off {} stations counted by hand",
            counts.len()
        ),
    }
}
