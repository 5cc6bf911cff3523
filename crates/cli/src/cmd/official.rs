//! `tallyproof complain`, `decide` and `redact`: official acts that enter the log. Personal
//! data and texts enter it only as salted commitments; the texts are stored beside the log
//! and can be redacted. Each is the store's one act (`store::Staffing::act`) by the console,
//! as the service makes it for a user: a staff entry naming the act, the same rules.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use record::{encode, DecisionKind, Entry};
use store::{Actor, SqliteStore, Staffing, Store};

use super::results::resolve;
use super::{election_name, DEFAULT_DB};

/// The store and election every act names.
#[derive(Debug, clap::Args)]
pub struct Target {
    /// The store file
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// The stored election (may be omitted when the store holds one)
    #[arg(long)]
    pub election: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ComplainArgs {
    #[command(flatten)]
    pub target: Target,
    /// The station or unit complained about, as its path `Region / Station`
    #[arg(long)]
    pub unit: String,
    /// What it is about: count, voter-list, ballot-stuffing, vote-buying, pressure, procedure
    /// or other
    #[arg(long, value_parser = record::complaint_category)]
    pub category: Option<record::ComplaintCategory>,
    /// The complainant's name
    #[arg(long)]
    pub by: String,
    /// The complaint's text
    #[arg(long)]
    pub text: String,
    /// An attached scan (a file): only its hash enters the log, as a commitment
    #[arg(long)]
    pub scan: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct DecideArgs {
    #[command(flatten)]
    pub target: Target,
    /// Annul the results of this unit (path)
    #[arg(long, group = "kind")]
    pub annul: Option<String>,
    /// Annul the whole election
    #[arg(long, group = "kind")]
    pub annul_election: bool,
    /// Reopen a certified or annulled election, so that it may change again
    #[arg(long, group = "kind")]
    pub reopen: bool,
    /// Order a recount in this unit (path)
    #[arg(long, group = "kind")]
    pub recount: Option<String>,
    /// Order a re-vote in this unit (path)
    #[arg(long, group = "kind")]
    pub revote: Option<String>,
    /// The decision's reason (enters the log as a commitment)
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub target: Target,
    /// The complaint, by its entry in the log (`complain` prints it)
    #[arg(long)]
    pub complaint: u64,
    /// Its new status: under-review, upheld or dismissed (the last two are final)
    #[arg(long, value_parser = record::complaint_status)]
    pub status: record::ComplaintStatus,
    /// Why (enters the log as a commitment)
    #[arg(long)]
    pub reason: String,
    /// The decision that answers it, by its entry in the log (`decide` prints it)
    #[arg(long)]
    pub decision: Option<u64>,
}

#[derive(Debug, clap::Args)]
pub struct RedactArgs {
    #[command(flatten)]
    pub target: Target,
    /// The commitment whose content to redact (hex)
    #[arg(long)]
    pub commitment: String,
}

fn open(t: &Target) -> anyhow::Result<(SqliteStore, String)> {
    let store = crate::cmd::open_store(&t.db)?;
    let name = election_name(&store, t.election.as_deref())?;
    Ok((store, name))
}

pub fn complain(a: ComplainArgs) -> anyhow::Result<ExitCode> {
    let (mut store, name) = open(&a.target)?;
    let e = store.load(&name)?.election;
    let unit = resolve(&e, &a.unit)?;
    let scan = match &a.scan {
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
            Some(format!("sha256:{}", record::digest(&bytes)))
        }
        None => None,
    };
    let (complaint, rows) = record::complaint_act(
        unit,
        a.category,
        &a.by,
        &a.text,
        scan.as_deref(),
        &mut super::random_bytes,
    )?;
    let entry = encode(&Entry::Complaint(complaint));
    let size = store.act(
        &name,
        Actor::Console,
        store::Act {
            act: record::StaffAct::Complain,
            entries: &[entry],
            content: &rows,
            files: &[],
            at: None,
            time: super::clock()?,
        },
    )?;
    println!(
        "complaint about '{}' logged as entry {}",
        e.units.path(unit),
        size - 1
    );
    Ok(ExitCode::SUCCESS)
}

pub fn decide(a: DecideArgs) -> anyhow::Result<ExitCode> {
    let (mut store, name) = open(&a.target)?;
    let e = store.load(&name)?.election;
    let (kind, unit) = match (&a.annul, a.annul_election, &a.recount, &a.revote) {
        _ if a.reopen => (DecisionKind::Reopen, None),
        (Some(p), false, None, None) => (DecisionKind::AnnulUnit, Some(p)),
        (None, true, None, None) => (DecisionKind::AnnulElection, None),
        (None, false, Some(p), None) => (DecisionKind::Recount, Some(p)),
        (None, false, None, Some(p)) => (DecisionKind::Revote, Some(p)),
        _ => bail!(
            "give one of --annul PATH, --annul-election, --recount PATH, --revote PATH, --reopen"
        ),
    };
    let unit = unit.map(|p| resolve(&e, p)).transpose()?;
    let (decision, row) = record::decision_act(kind, unit, &a.reason, &super::random_bytes())?;
    let size = store.act(
        &name,
        Actor::Console,
        store::Act {
            act: record::StaffAct::Decide,
            entries: &[encode(&Entry::Decision(decision))],
            content: &[row],
            files: &[],
            at: None,
            time: super::clock()?,
        },
    )?;
    println!("decision logged as entry {}", size - 1);
    Ok(ExitCode::SUCCESS)
}

pub fn review(a: ReviewArgs) -> anyhow::Result<ExitCode> {
    let (mut store, name) = open(&a.target)?;
    let (review, row) = record::review_act(
        a.complaint,
        a.status,
        &a.reason,
        a.decision,
        &super::random_bytes(),
    )?;
    let size = store.act(
        &name,
        Actor::Console,
        store::Act {
            content: &[row],
            ..store::Act::of(
                record::StaffAct::Review,
                &[encode(&Entry::Review(review))],
                super::clock()?,
            )
        },
    )?;
    println!(
        "complaint {} is {}: logged as entry {}",
        a.complaint,
        a.status.key(),
        size - 1
    );
    Ok(ExitCode::SUCCESS)
}

pub fn redact(a: RedactArgs) -> anyhow::Result<ExitCode> {
    let (mut store, name) = open(&a.target)?;
    let act = store::Act {
        act: record::StaffAct::Redact {
            commitment: a.commitment.clone(),
        },
        entries: &[],
        content: &[],
        files: &[],
        at: None,
        time: super::clock()?,
    };
    match store.act(&name, Actor::Console, act) {
        Ok(size) => {
            println!(
                "redacted: the content is deleted; its commitment stays in the log, and the redaction is entry {}",
                size - 1
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(store::StoreError::NotFound(_)) => {
            println!("no stored content has that commitment");
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}
