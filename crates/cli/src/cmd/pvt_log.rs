//! `tallyproof pvt log ...`: an observer group's quick count in the group's own store, step
//! by step, so that its log proves the sample was fixed before the count: the frame and the
//! design with the seed's commitment before polling day, the seed once polls close, then the
//! observers' reports (`docs/log-format.md`, "pvt"). Each step is the console's `quick-count`
//! act; the log's replay (`record::QuickCounts`) decides whether it may be logged, and
//! `tallyproof verify` then redraws the sample and recomputes the estimates.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Subcommand;
use model::{Protocol, UnitId};
use pvt::design::Design;
use pvt::frame::Frame;
use record::{encode, Entry, PvtStep, Replayer, Staff, StaffAct, CONSOLE};
use store::{SqliteStore, Staffing, Store};

use super::{election_name, open_store};

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Log the frame and the design (with the seed's SHA-256), before polling day: the
    /// design must have been drawn from this stored election
    Open(OpenArgs),
    /// Log the seed once the polls close: the log's replay redraws the sample from it
    Seed(SeedArgs),
    /// Log the observers' reports (a results file of drawn stations' protocols), all or
    /// none: each must be of a drawn station; a station logged before with other counts is
    /// logged again, the console's later report replacing its earlier one
    Reports(ReportsArgs),
    /// Log a supervisor's review of a drawn station: choose, between its observers' reports
    /// that differ, the one that counts (--choose ENTRY), or put the station in quarantine or
    /// out of it (revision 8)
    Review(ReviewArgs),
}

#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub target: CountTarget,
    /// The station: its path (`Region / District / Station`)
    #[arg(long)]
    pub station: String,
    /// The log index of the report chosen (an observer's latest report of the station)
    #[arg(long, group = "action")]
    pub choose: Option<u64>,
    /// Take the station out of the estimates until it is released
    #[arg(long, group = "action")]
    pub quarantine: bool,
    /// Put a quarantined station back
    #[arg(long, group = "action")]
    pub release: bool,
    /// Why (public: name no one)
    #[arg(long)]
    pub reason: String,
}

/// The group's store, the election observed and the quick count in it.
#[derive(Debug, clap::Args)]
pub struct CountTarget {
    #[command(flatten)]
    pub store: super::official::Target,
    /// The quick count's name in the log
    #[arg(long, default_value = "pvt")]
    pub name: String,
}

#[derive(Debug, clap::Args)]
pub struct OpenArgs {
    #[command(flatten)]
    pub target: CountTarget,
    /// The design (public, or the group's own copy)
    #[arg(long)]
    pub design: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    #[command(flatten)]
    pub target: CountTarget,
    /// The seed the design committed to
    #[arg(long)]
    pub seed: String,
}

#[derive(Debug, clap::Args)]
pub struct ReportsArgs {
    #[command(flatten)]
    pub target: CountTarget,
    /// The observers' reports: a results file of the drawn stations' protocols
    #[arg(long)]
    pub reports: PathBuf,
    /// The reports' format (guessed from the file when omitted)
    #[arg(long, value_enum)]
    pub reports_format: Option<crate::input::FormatArg>,
}

pub fn run(command: LogCommand) -> anyhow::Result<()> {
    match command {
        LogCommand::Open(a) => open(a),
        LogCommand::Seed(a) => seed(a),
        LogCommand::Reports(a) => reports(a),
        LogCommand::Review(a) => review(a),
    }
}

/// The group's store, its election, the quick count's name, and the election's log as it
/// stands, replayed once.
struct Group {
    store: SqliteStore,
    election: String,
    name: String,
    /// The log's replay, and its size: what a step is checked against and appended after.
    replayed: Replayer,
    size: u64,
}

impl Group {
    fn open(t: &CountTarget) -> anyhow::Result<Group> {
        let store = open_store(&t.store.db)?;
        let election = election_name(&store, t.store.election.as_deref())?;
        let log = store.log(&election)?;
        let (first, rest) = log.split_first().context("the election's log is empty")?;
        let mut replayed = Replayer::start(0, first)?;
        for (i, b) in rest.iter().enumerate() {
            replayed.push(i as u64 + 1, b)?;
        }
        Ok(Group {
            store,
            election,
            name: t.name.clone(),
            replayed,
            size: log.len() as u64,
        })
    }

    /// The quick count as the log leaves it, and the election.
    fn logged(&self) -> anyhow::Result<(record::QuickCount, model::Election)> {
        let r = self.replayed.clone().finish()?;
        let q = r
            .quick_counts
            .into_iter()
            .find(|q| q.name == self.name)
            .with_context(|| {
                format!(
                    "no quick count '{}' in '{}': log it first (pvt log open)",
                    self.name, self.election
                )
            })?;
        Ok((q, r.election))
    }

    /// Logs `steps` as one `quick-count` act of the console, if the log's replay takes them
    /// after the entries logged so far (refused otherwise, and nothing is logged); returns the
    /// quick count as the replay then leaves it.
    fn log(&mut self, steps: Vec<PvtStep>) -> anyhow::Result<record::QuickCount> {
        self.log_as(StaffAct::QuickCount, steps)
    }

    /// [`Group::log`] as the console's `act`.
    fn log_as(&mut self, act: StaffAct, steps: Vec<PvtStep>) -> anyhow::Result<record::QuickCount> {
        let entries: Vec<Vec<u8>> = steps.into_iter().map(|s| encode(&Entry::Pvt(s))).collect();
        let mut r = self.replayed.clone();
        // Stamped as the store stamps it: never before the log's latest staff time.
        let now = super::clock()?;
        let time = r.as_of().map_or(now, |t| t.max(now));
        let staff = encode(&Entry::Staff(Staff::at(CONSOLE, act.clone(), time)));
        for (i, b) in [&staff].into_iter().chain(&entries).enumerate() {
            // Refused as input is (exit 3): nothing is logged.
            r.push(self.size + i as u64, b)
                .map_err(|e| pvt::PvtError::Invalid {
                    field: "log",
                    message: format!("quick count '{}' refused, nothing logged: {e}", self.name),
                })?;
        }
        let replayed = r.finish()?;
        let act = store::Act {
            at: Some(self.size),
            ..store::Act::of(act, &entries, now)
        };
        let size = self.store.act(&self.election, store::Actor::Console, act)?;
        eprintln!(
            "logged {} entries of quick count '{}' in '{}' (the log now has {size})",
            entries.len() + 1,
            self.name,
            self.election
        );
        replayed
            .quick_counts
            .into_iter()
            .find(|q| q.name == self.name)
            .context("the quick count is not in the replay")
    }
}

fn open(a: OpenArgs) -> anyhow::Result<()> {
    let mut g = Group::open(&a.target)?;
    let d = super::pvt::read_design(&a.design)?;
    let loaded = g.store.load(&g.election)?;
    let contest = contest_of(&loaded.election, &d)?;
    let frame = Frame::of(
        &loaded.election,
        contest,
        &loaded.protocols,
        d.unit_level()?,
    )?;
    if frame.digest() != d.frame.digest {
        bail!(
            "{}: drawn from another frame (digest {}), not from '{}' in this store ({})",
            a.design.display(),
            d.frame.digest,
            g.election,
            frame.digest()
        );
    }
    let listed: Vec<(UnitId, u64)> = frame
        .stations
        .iter()
        .map(|s| (s.unit, s.counts.registered))
        .collect();
    let mut steps: Vec<PvtStep> = listed
        .chunks(record::FRAME_CHUNK)
        .map(|c| PvtStep::Frame {
            pvt: g.name.clone(),
            stations: c.to_vec(),
        })
        .collect();
    steps.push(PvtStep::Design {
        pvt: g.name.clone(),
        contest,
        level: d.unit_level()?,
        params: d.params(),
        frame: frame.digest(),
    });
    let q = g.log(steps)?;
    println!("{}", q.said());
    Ok(())
}

fn seed(a: SeedArgs) -> anyhow::Result<()> {
    let mut g = Group::open(&a.target)?;
    let step = PvtStep::Seed {
        pvt: g.name.clone(),
        seed: a.seed,
    };
    let q = g.log(vec![step])?;
    println!("{}", q.said());
    Ok(())
}

fn reports(a: ReportsArgs) -> anyhow::Result<()> {
    let mut g = Group::open(&a.target)?;
    let (logged, election) = g.logged()?;
    let design = logged.design.clone().with_context(|| {
        format!(
            "quick count '{}' in '{}' is not designed yet: log it first (pvt log open)",
            g.name, g.election
        )
    })?;
    // A file that grows through the night: the stations already logged with these very
    // counts are passed over; other counts for one of them are logged, the console's later
    // report replacing its earlier one (revision 8).
    let already: std::collections::HashMap<UnitId, &Protocol> =
        logged.copies.iter().map(|p| (p.station, p)).collect();
    let mut passed = 0;
    let read = super::pvt::read_reports(
        &super::pvt::ReportArgs {
            design: PathBuf::new(),
            reports: a.reports.clone(),
            reports_format: a.reports_format,
            json: false,
        },
        &design,
    )?;
    let units: std::collections::HashMap<String, UnitId> = election
        .units
        .iter()
        .map(|(id, _)| (election.units.path(id), id))
        .collect();
    let mut steps = Vec::new();
    for s in &read.frame.stations {
        let unit = *units.get(&s.id).with_context(|| {
            format!(
                "{}: the station '{}' is not in '{}'",
                a.reports.display(),
                s.id,
                g.election
            )
        })?;
        let copied = &read.protocols[&s.id];
        let mut p = Protocol::new(unit, 0, 0);
        p.lines = copied.lines;
        p.votes = copied.votes.clone();
        if let Some(&before) = already.get(&unit) {
            if (before.lines, &before.votes) == (p.lines, &p.votes) {
                passed += 1;
                continue;
            }
            eprintln!(
                "{}: the station '{}' was reported before with other counts: this report replaces it",
                a.reports.display(),
                s.id
            );
        }
        steps.push(PvtStep::Report {
            pvt: g.name.clone(),
            protocol: Box::new(p),
            code: None,
        });
    }
    if passed > 0 {
        eprintln!("{passed} station(s) already logged with these counts: passed over");
    }
    if steps.is_empty() {
        println!("{}", logged.said());
        return Ok(());
    }
    let q = g.log(steps)?;
    println!("{}", q.said());
    Ok(())
}

fn review(a: ReviewArgs) -> anyhow::Result<()> {
    let mut g = Group::open(&a.target)?;
    let (_, election) = g.logged()?;
    let station = election
        .units
        .iter()
        .map(|(id, _)| id)
        .find(|&id| election.units.path(id) == a.station)
        .with_context(|| format!("no station '{}' in '{}'", a.station, g.election))?;
    let action = if a.quarantine {
        record::ReviewAction::Quarantine
    } else if a.release {
        record::ReviewAction::Release
    } else if a.choose.is_some() {
        record::ReviewAction::Choose
    } else {
        bail!("say what the review does: --choose ENTRY, --quarantine or --release");
    };
    let step = PvtStep::Review {
        pvt: g.name.clone(),
        station,
        action,
        report: a.choose,
        reason: a.reason,
    };
    let q = g.log_as(StaffAct::Supervise, vec![step])?;
    println!("{}", q.said());
    Ok(())
}

/// The stored election's contest a design observes, by name (a file of one contest is read
/// as it), with the same choices in the same order.
fn contest_of(e: &model::Election, d: &Design) -> anyhow::Result<usize> {
    let k = match e.contests.iter().position(|c| c.name == d.contest) {
        Some(k) => k,
        None if e.contests.len() == 1 => 0,
        None => bail!("the stored election has no contest '{}'", d.contest),
    };
    let choices: Vec<&str> = e.contests[k]
        .choices
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    if choices != d.choices.iter().map(String::as_str).collect::<Vec<_>>() {
        bail!(
            "the design's choices ({}) are not the stored contest's ({})",
            d.choices.join("; "),
            choices.join("; ")
        );
    }
    Ok(k)
}
