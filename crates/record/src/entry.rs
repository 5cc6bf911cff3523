//! Entries and their canonical encoding (`docs/log-format.md`).

use model::{Election, Line, Protocol, UnitId, UnitLevel, UnitTree};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::kinds::{AuditMethod, ComplaintCategory, ComplaintStatus, Content, DecisionKind, Stage};
use crate::staff::{Staff, StaffAct};

/// The format version byte that starts every entry but a timed staff entry.
pub const VERSION: u8 = 1;
/// The format version of a staff entry that carries its time (`docs/log-format.md`, "staff").
pub const TIMED: u8 = 2;

/// A decision of the commission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Annul every station in or under a unit.
    AnnulUnit {
        /// The unit.
        unit: UnitId,
        /// The commitment to the reason's text.
        reason: String,
    },
    /// Annul the whole election.
    AnnulElection {
        /// The commitment to the reason's text.
        reason: String,
    },
    /// Order a recount in a unit: its stations' corrected protocols follow as new versions.
    Recount {
        /// The unit.
        unit: UnitId,
        /// The commitment to the reason's text.
        reason: String,
    },
    /// Order a re-vote in a unit: its stations leave the totals until the re-vote's election.
    Revote {
        /// The unit.
        unit: UnitId,
        /// The commitment to the reason's text.
        reason: String,
    },
    /// Reopen a certified or annulled election ([`crate::Standing`]): it may change again.
    Reopen {
        /// The commitment to the reason's text.
        reason: String,
    },
}

impl Decision {
    /// A decision of `kind` about `unit` (ignored for the kinds that name the country).
    pub fn new(kind: DecisionKind, unit: UnitId, reason: String) -> Decision {
        match kind {
            DecisionKind::AnnulUnit => Decision::AnnulUnit { unit, reason },
            DecisionKind::AnnulElection => Decision::AnnulElection { reason },
            DecisionKind::Recount => Decision::Recount { unit, reason },
            DecisionKind::Revote => Decision::Revote { unit, reason },
            DecisionKind::Reopen => Decision::Reopen { reason },
        }
    }

    /// What the decision does.
    pub fn kind(&self) -> DecisionKind {
        match self {
            Decision::AnnulUnit { .. } => DecisionKind::AnnulUnit,
            Decision::AnnulElection { .. } => DecisionKind::AnnulElection,
            Decision::Recount { .. } => DecisionKind::Recount,
            Decision::Revote { .. } => DecisionKind::Revote,
            Decision::Reopen { .. } => DecisionKind::Reopen,
        }
    }

    /// The unit it is about: the country (0) for the whole election.
    pub fn unit(&self) -> UnitId {
        match self {
            Decision::AnnulUnit { unit, .. }
            | Decision::Recount { unit, .. }
            | Decision::Revote { unit, .. } => *unit,
            Decision::AnnulElection { .. } | Decision::Reopen { .. } => UnitId(0),
        }
    }

    /// The commitment to its reason.
    pub fn reason(&self) -> &str {
        match self {
            Decision::AnnulUnit { reason, .. }
            | Decision::AnnulElection { reason }
            | Decision::Recount { reason, .. }
            | Decision::Revote { reason, .. }
            | Decision::Reopen { reason } => reason,
        }
    }
}

/// A complaint: who, against which unit, what; all personal data as commitments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complaint {
    /// The station or unit complained about.
    pub unit: UnitId,
    /// Commitment to the complainant's name.
    pub by: String,
    /// Commitment to the complaint's text.
    pub text: String,
    /// Commitment to the attached scan (its hex SHA-256 as text), if any.
    pub scan: Option<String>,
    /// What it is about; none in complaints filed before complaints had categories.
    pub category: Option<ComplaintCategory>,
}

/// A commissioner's review of a complaint (a `complaint-status` entry): its new status, why,
/// and the decision that answers it, if one does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// The complaint's entry, by its index in the log.
    pub complaint: u64,
    /// Its new status (never [`ComplaintStatus::Received`], which filing gives).
    pub status: ComplaintStatus,
    /// Commitment to the reason's text.
    pub reason: String,
    /// The decision entry that answers it, by its index in the log.
    pub decision: Option<u64>,
}

/// Seats stated in a publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedSeats {
    /// The law preset.
    pub law: String,
    /// The threshold base used.
    pub base: String,
    /// Seats per party choice, in ballot order.
    pub seats: Vec<u64>,
}

/// A results publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    /// Preliminary, or final (certified).
    pub stage: Stage,
    /// The contest's index.
    pub contest: usize,
    /// Stations counted.
    pub stations_counted: u64,
    /// National votes per choice.
    pub votes: Vec<u64>,
    /// Valid ballots, where every counted station reports them.
    pub valid: Option<u64>,
    /// Invalid ballots, likewise.
    pub invalid: Option<u64>,
    /// Seats, if the publication states them.
    pub seats: Option<PublishedSeats>,
}

/// One step of a risk-limiting audit (`docs/log-format.md`, "Audits"). Everything an
/// observer needs to redraw the sample from the seed and recompute the risk is here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditStep {
    /// The audit's parameters.
    Start {
        /// The audit's name, unique in the log.
        audit: String,
        /// The contest's index.
        contest: usize,
        /// The law preset whose allocation is audited.
        law: String,
        /// The threshold base, if not the law's.
        base: Option<String>,
        /// Ballot-level comparison (with cast-vote records), polling, or batch comparison.
        method: AuditMethod,
        /// The risk limit in percent, as text (no floats in the log).
        risk_limit: String,
        /// The public seed.
        seed: String,
        /// Paper ballots in the manifest.
        ballots: u64,
        /// Hex SHA-256 of the cast-vote-record file, for a comparison audit.
        cvrs: Option<String>,
    },
    /// Part of the ballot manifest: (station unit id, ballots), in manifest order.
    Manifest {
        /// The audit.
        audit: String,
        /// Batches.
        batches: Vec<(u32, u64)>,
    },
    /// A round: its ballots are the next `size` draws after the earlier rounds'.
    Round {
        /// The audit.
        audit: String,
        /// The round's number, from 1.
        round: u64,
        /// Ballots drawn.
        size: u64,
    },
    /// Ballots read in a round: (draw number from 1, the record's choice, the paper's
    /// choice), a choice being an index into the contest's choices, none for a ballot
    /// with no valid vote.
    Readings {
        /// The audit.
        audit: String,
        /// The round.
        round: u64,
        /// The readings, in draw order.
        readings: Vec<(u64, Option<u32>, Option<u32>)>,
    },
    /// Stations counted by hand in a round of a batch-comparison audit: (station unit id,
    /// votes per choice, paper ballots).
    Counts {
        /// The audit.
        audit: String,
        /// The round.
        round: u64,
        /// The counts, by station id.
        counts: Vec<(u32, Vec<u64>, u64)>,
    },
    /// The audit stops: a full hand count decides.
    Escalate {
        /// The audit.
        audit: String,
    },
    /// Stations added to a drawn round for a reason, beside its random sample, to be counted
    /// by hand and reported apart: never in any risk computation. Each target is (station
    /// unit id, a forensic flag's score as decimal text, the index of an upheld complaint
    /// about it), exactly one reason given.
    Target {
        /// The audit.
        audit: String,
        /// The round they are added to.
        round: u64,
        /// The targets.
        targets: Vec<(u32, Option<String>, Option<u64>)>,
    },
    /// Hand counts of targeted stations: (station unit id, votes per choice, paper ballots).
    TargetedCounts {
        /// The audit.
        audit: String,
        /// The round.
        round: u64,
        /// The counts, by station id.
        counts: Vec<(u32, Vec<u64>, u64)>,
    },
    /// The audit boards of a drawn round, numbered from 1 in this order: each two board
    /// members (commitments to their user names, as their staff entries carry them). Once a
    /// round has boards, its readings (or hand counts) come only from their sign-offs.
    Boards {
        /// The audit.
        audit: String,
        /// The round.
        round: u64,
        /// Each board's two members.
        boards: Vec<(String, String)>,
    },
    /// What one board read of its share of a round, signed off by both its members: the
    /// entry right after the second member's `sign-off` (whose subject is this entry's
    /// SHA-256).
    BoardReadings {
        /// The audit.
        audit: String,
        /// The round.
        round: u64,
        /// The board, from 1.
        board: u64,
        /// The readings.
        readings: Vec<BoardReading>,
    },
    /// What one board counted by hand of its share of a batch audit's round (station unit
    /// id, votes per choice, paper ballots), signed off as [`AuditStep::BoardReadings`].
    BoardCounts {
        /// The audit.
        audit: String,
        /// The round.
        round: u64,
        /// The board, from 1.
        board: u64,
        /// The counts, by station id.
        counts: Vec<(u32, Vec<u64>, u64)>,
    },
}

/// A board's reading of one drawn ballot: the draw (from 1), the record's choice, the
/// paper's choice (none: blank or invalid), and whether the ballot was found at all. A ballot
/// not found counts as the worst case for every assertion; its paper choice is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardReading {
    /// The draw number, from 1.
    pub draw: u64,
    /// The cast-vote record's choice (comparison audits).
    pub record: Option<u32>,
    /// The paper's choice; none for a blank or invalid ballot, and for one not found.
    pub paper: Option<u32>,
    /// Whether the board found the ballot.
    pub found: bool,
}

impl AuditStep {
    /// Whether the step is a board's entry, logged only after its members' sign-offs.
    pub fn is_signed_off(&self) -> bool {
        matches!(
            self,
            AuditStep::BoardReadings { .. } | AuditStep::BoardCounts { .. }
        )
    }

    /// The audit the step belongs to.
    pub fn audit(&self) -> &str {
        match self {
            AuditStep::Start { audit, .. }
            | AuditStep::Manifest { audit, .. }
            | AuditStep::Round { audit, .. }
            | AuditStep::Readings { audit, .. }
            | AuditStep::Counts { audit, .. }
            | AuditStep::Escalate { audit }
            | AuditStep::Target { audit, .. }
            | AuditStep::TargetedCounts { audit, .. }
            | AuditStep::Boards { audit, .. }
            | AuditStep::BoardReadings { audit, .. }
            | AuditStep::BoardCounts { audit, .. } => audit,
        }
    }
}

/// One unit of the tree: id, parent id, level, name.
pub type UnitRow = (u32, u32, UnitLevel, String);

/// Units per `units` entry, keeping entries well under the tiles' 64 KiB limit.
pub const UNITS_PER_ENTRY: usize = 400;

/// One log entry.
#[derive(Debug, Clone)]
pub enum Entry {
    /// The election definition (always entry 0), with its date and law preset
    /// (`Election::law`); its units follow in `Units` entries.
    Election(Box<Election>),
    /// Units of the tree, ids consecutive, parents first.
    Units(Vec<UnitRow>),
    /// A protocol version (version 1) or a correction (a later version).
    Protocol(Protocol),
    /// A decision.
    Decision(Decision),
    /// A complaint.
    Complaint(Complaint),
    /// A complaint's new status (`complaint-status`).
    Review(Review),
    /// The keys that sign the log's checkpoints and the witnesses that cosign them (verifier
    /// key texts); a later `Keys` entry is a key rotation.
    Keys {
        /// Log keys.
        log: Vec<String>,
        /// Witness keys.
        witnesses: Vec<String>,
    },
    /// A publication.
    Publication(Publication),
    /// A step of a risk-limiting audit.
    Audit(AuditStep),
    /// A step of a quick count (revision 7).
    Pvt(crate::PvtStep),
    /// An incident report or its status (revision 9).
    Incident(crate::IncidentStep),
    /// Who did the act that follows, or that this entry records (`staff.rs`).
    Staff(Staff),
}

/// The format version an entry is written in: [`TIMED`] for a staff entry with its time,
/// [`VERSION`] for every other.
pub(crate) fn version(entry: &Entry) -> u8 {
    match entry {
        Entry::Staff(Staff { time: Some(_), .. }) => TIMED,
        _ => VERSION,
    }
}

/// The commitment to a text: hex SHA-256(salt || text).
pub fn commitment(salt: &[u8; 32], text: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(text.as_bytes());
    hex::encode(h.finalize())
}

/// A commitment to `text` with the content the store keeps beside the log to open it.
pub fn committed(salt: &[u8; 32], text: &str) -> (String, Content) {
    let commitment = commitment(salt, text);
    let salt = hex::encode(salt);
    let content = Content {
        commitment: commitment.clone(),
        salt,
        text: text.to_string(),
    };
    (commitment, content)
}

fn opt<T: Into<Value>>(v: Option<T>) -> Value {
    v.map_or(Value::Null, Into::into)
}

/// The entry's canonical bytes.
pub fn encode(entry: &Entry) -> Vec<u8> {
    match entry {
        // Protocols are most of a log: they are written directly, byte for byte what the
        // reference encoder below gives (a test holds the two together).
        Entry::Protocol(p) => encode_protocol(p),
        Entry::Units(rows) => {
            encode_units(rows.iter().map(|(i, p, l, n)| (*i, *p, *l, n.as_str())))
        }
        other => encode_value(other),
    }
}

/// A protocol entry, written without building a JSON tree.
fn encode_protocol(p: &Protocol) -> Vec<u8> {
    let mut out = Vec::with_capacity(160 + 8 * p.votes.len());
    encode_protocol_into(p, &mut out);
    out
}

/// Appends `p`'s log entry to `out`: what [`encode`] gives for [`Entry::Protocol`], without
/// a new buffer per entry (an import encodes a million).
pub fn encode_protocol_into(p: &Protocol, out: &mut Vec<u8>) {
    let mut digits = itoa::Buffer::new();
    let mut number = |out: &mut Vec<u8>, v: u64| out.extend_from_slice(digits.format(v).as_bytes());
    out.push(VERSION);
    out.extend_from_slice(b"{\"type\":\"protocol\",\"station\":");
    number(out, u64::from(p.station.0));
    out.extend_from_slice(b",\"contest\":");
    number(out, p.contest as u64);
    out.extend_from_slice(b",\"version\":");
    number(out, u64::from(p.version));
    out.extend_from_slice(b",\"source\":\"");
    out.extend_from_slice(p.source.key().as_bytes());
    out.extend_from_slice(b"\",\"lines\":{");
    let mut first = true;
    for &l in Line::ALL {
        if let Some(v) = p.line(l) {
            if !first {
                out.push(b',');
            }
            first = false;
            out.push(b'"');
            out.extend_from_slice(l.key().as_bytes());
            out.extend_from_slice(b"\":");
            number(out, v);
        }
    }
    out.extend_from_slice(b"},\"votes\":[");
    for (i, &v) in p.votes.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        number(out, v);
    }
    out.extend_from_slice(b"],\"reference\":");
    match &p.reference {
        Some(r) => {
            let _ = serde_json::to_writer(&mut *out, r);
        }
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
}

/// A units entry, written without building a JSON tree (a national tree is a million units).
fn encode_units<'a>(rows: impl Iterator<Item = (u32, u32, UnitLevel, &'a str)>) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 + 40 * UNITS_PER_ENTRY);
    let mut digits = itoa::Buffer::new();
    out.push(VERSION);
    out.extend_from_slice(b"{\"type\":\"units\",\"units\":[");
    for (i, (id, parent, level, name)) in rows.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'[');
        out.extend_from_slice(digits.format(id).as_bytes());
        out.push(b',');
        out.extend_from_slice(digits.format(parent).as_bytes());
        out.extend_from_slice(b",\"");
        out.extend_from_slice(level.key().as_bytes());
        out.extend_from_slice(b"\",");
        let _ = serde_json::to_writer(&mut out, name);
        out.push(b']');
    }
    out.extend_from_slice(b"]}");
    out
}

/// The reference encoder: the entry as a JSON tree with keys in the documented order.
pub(crate) fn encode_value(entry: &Entry) -> Vec<u8> {
    let v = match entry {
        Entry::Units(rows) => json!({
            "type": "units",
            "units": rows.iter().map(|(id, parent, level, name)| json!([id, parent, level.key(), name])).collect::<Vec<_>>(),
        }),
        Entry::Election(e) => {
            json!({
                "type": "election",
                "name": e.name,
                "date": opt(e.date.clone()),
                "country": e.units.get(e.units.root()).name,
                "contests": e.contests.iter().map(|c| json!({
                    "name": c.name,
                    "kind": c.kind.key(),
                    "choices": c.choices.iter().map(|ch| json!({
                        "name": ch.name, "kind": ch.kind.key(), "ballot_number": opt(ch.ballot_number),
                    })).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "rules": e.rules.texts(),
                "law": opt(e.law.clone()),
            })
        }
        Entry::Protocol(p) => {
            let lines = lines_json(p);
            json!({
                "type": "protocol",
                "station": p.station.0,
                "contest": p.contest,
                "version": p.version,
                "source": p.source.key(),
                "lines": lines,
                "votes": p.votes,
                "reference": opt(p.reference.clone()),
            })
        }
        Entry::Decision(d) => json!({
            "type": "decision",
            "kind": d.kind().key(),
            "unit": d.unit().0,
            "reason": d.reason(),
        }),
        Entry::Keys { log, witnesses } => {
            json!({"type": "keys", "log": log, "witnesses": witnesses})
        }
        Entry::Complaint(c) => {
            let mut v = json!({
                "type": "complaint",
                "unit": c.unit.0,
                "by": c.by,
                "text": c.text,
                "scan": opt(c.scan.clone()),
            });
            // Last, where the complaint has one.
            if let Some(k) = c.category {
                v["category"] = json!(k.key());
            }
            v
        }
        Entry::Review(r) => json!({
            "type": "complaint-status",
            "complaint": r.complaint,
            "status": r.status.key(),
            "reason": r.reason,
            "decision": opt(r.decision),
        }),
        Entry::Publication(p) => json!({
            "type": "publication",
            "stage": p.stage.key(),
            "contest": p.contest,
            "stations_counted": p.stations_counted,
            "votes": p.votes,
            "valid": opt(p.valid),
            "invalid": opt(p.invalid),
            "seats": p.seats.as_ref().map_or(Value::Null, |s| json!({"law": s.law, "base": s.base, "seats": s.seats})),
        }),
        Entry::Audit(step) => audit_json(step),
        Entry::Pvt(step) => pvt_json(step),
        Entry::Incident(crate::IncidentStep::Report {
            category,
            unit,
            time,
            exact,
            text,
            photos,
        }) => json!({
            "type": "incident", "step": "report", "category": category, "unit": unit.0,
            "time": time, "exact": opt(exact.as_deref()), "text": text, "photos": photos,
        }),
        Entry::Incident(crate::IncidentStep::Status {
            incident,
            status,
            reason,
        }) => json!({
            "type": "incident", "step": "status", "incident": incident,
            "status": status.key(), "reason": reason,
        }),
        Entry::Staff(s) => {
            let scan = match &s.act {
                StaffAct::Enter { scan, .. } => scan.as_deref(),
                _ => None,
            };
            let mut v = json!({
                "type": "staff",
                "act": s.act.key(),
                "role": s.role().key(),
                "user": s.user,
                "subject": opt(s.act.subject()),
                "scan": opt(scan),
            });
            // Present only on the acts that have them (grant; assign and open; intake).
            match &s.act {
                StaffAct::Grant { role, .. } => v["grants"] = json!(role.key()),
                StaffAct::Assign { unit, .. } | StaffAct::Open { unit, .. } => {
                    v["unit"] = json!(unit.0)
                }
                StaffAct::Intake { double } => v["double"] = json!(double),
                _ => {}
            }
            // The reason, on the acts that give one.
            if let Some(reason) = s.act.reason() {
                v["reason"] = json!(reason);
            }
            // The posted protocol's code an entry was checked against (revision 11).
            if let StaffAct::Enter {
                posted: Some(posted),
                ..
            } = &s.act
            {
                v["posted"] = json!(posted);
            }
            // Last, in a version 2 entry.
            if let Some(t) = s.time {
                v["time"] = json!(t.unix());
            }
            v
        }
    };
    let mut out = vec![version(entry)];
    out.extend(serde_json::to_vec(&v).unwrap_or_default());
    out
}

/// A protocol's lines as an entry writes them: those it has, in the order of `Line::ALL`.
fn lines_json(p: &Protocol) -> Map<String, Value> {
    Line::ALL
        .iter()
        .filter_map(|&l| Some((l.key().to_string(), json!(p.line(l)?))))
        .collect()
}

fn pvt_json(step: &crate::PvtStep) -> Value {
    use crate::PvtStep;
    match step {
        PvtStep::Frame { pvt, stations } => json!({
            "type": "pvt", "step": "frame", "pvt": pvt,
            "stations": stations.iter().map(|(u, r)| json!([u.0, r])).collect::<Vec<_>>(),
        }),
        PvtStep::Design {
            pvt,
            contest,
            level,
            params,
            frame,
        } => json!({
            "type": "pvt", "step": "design", "pvt": pvt, "contest": contest,
            "level": opt(level.map(|l| l.key())), "method": params.method.key(),
            "allocation": params.allocation.key(), "sample": params.sample,
            "reserve_pct": params.reserve_pct, "frame": frame, "seed_sha256": params.seed_sha256,
        }),
        PvtStep::Seed { pvt, seed } => {
            json!({"type": "pvt", "step": "seed", "pvt": pvt, "seed": seed})
        }
        PvtStep::Report {
            pvt,
            protocol: p,
            code,
        } => {
            let lines = lines_json(p);
            let mut v = json!({
                "type": "pvt", "step": "report", "pvt": pvt, "station": p.station.0,
                "lines": lines, "votes": p.votes,
            });
            if let Some(code) = code {
                v["code"] = json!(code);
            }
            v
        }
        PvtStep::Review {
            pvt,
            station,
            action,
            report,
            reason,
        } => json!({
            "type": "pvt", "step": "review", "pvt": pvt, "station": station.0,
            "action": action.key(), "report": opt(*report), "reason": reason,
        }),
    }
}

fn audit_json(step: &AuditStep) -> Value {
    match step {
        AuditStep::Start {
            audit,
            contest,
            law,
            base,
            method,
            risk_limit,
            seed,
            ballots,
            cvrs,
        } => json!({
            "type": "audit", "step": "start", "audit": audit, "contest": contest, "law": law,
            "base": opt(base.clone()), "method": method.key(), "risk_limit": risk_limit, "seed": seed,
            "ballots": ballots, "cvrs": opt(cvrs.clone()),
        }),
        AuditStep::Manifest { audit, batches } => {
            json!({"type": "audit", "step": "manifest", "audit": audit, "batches": batches})
        }
        AuditStep::Round { audit, round, size } => {
            json!({"type": "audit", "step": "round", "audit": audit, "round": round, "size": size})
        }
        AuditStep::Readings {
            audit,
            round,
            readings,
        } => {
            json!({"type": "audit", "step": "readings", "audit": audit, "round": round, "readings": readings})
        }
        AuditStep::Counts {
            audit,
            round,
            counts,
        } => {
            json!({"type": "audit", "step": "counts", "audit": audit, "round": round, "counts": counts})
        }
        AuditStep::Escalate { audit } => {
            json!({"type": "audit", "step": "escalate", "audit": audit})
        }
        AuditStep::Target {
            audit,
            round,
            targets,
        } => {
            json!({"type": "audit", "step": "target", "audit": audit, "round": round, "targets": targets})
        }
        AuditStep::TargetedCounts {
            audit,
            round,
            counts,
        } => {
            json!({"type": "audit", "step": "targeted-counts", "audit": audit, "round": round, "counts": counts})
        }
        AuditStep::Boards {
            audit,
            round,
            boards,
        } => {
            json!({"type": "audit", "step": "boards", "audit": audit, "round": round, "boards": boards})
        }
        AuditStep::BoardReadings {
            audit,
            round,
            board,
            readings,
        } => {
            let readings: Vec<Value> = readings
                .iter()
                .map(|r| json!([r.draw, r.record, r.paper, r.found]))
                .collect();
            json!({"type": "audit", "step": "board-readings", "audit": audit, "round": round, "board": board, "readings": readings})
        }
        AuditStep::BoardCounts {
            audit,
            round,
            board,
            counts,
        } => {
            json!({"type": "audit", "step": "board-counts", "audit": audit, "round": round, "board": board, "counts": counts})
        }
    }
}

/// The entries that define an election: the definition (with its date and law), then its
/// units in chunks.
pub fn definition(e: &Election) -> Vec<Entry> {
    let mut out = vec![Entry::Election(Box::new(head(e)))];
    out.extend(
        unit_rows(e)
            .collect::<Vec<_>>()
            .chunks(UNITS_PER_ENTRY)
            .map(|c| {
                Entry::Units(
                    c.iter()
                        .map(|&(id, parent, level, name)| (id, parent, level, name.to_string()))
                        .collect(),
                )
            }),
    );
    out
}

/// [`definition`]'s entries encoded ([`encode`]), written straight from the unit tree.
pub fn encoded_definition(e: &Election) -> Vec<Vec<u8>> {
    let mut out = vec![encode_value(&Entry::Election(Box::new(head(e))))];
    let mut rows = unit_rows(e).peekable();
    while rows.peek().is_some() {
        out.push(encode_units(rows.by_ref().take(UNITS_PER_ENTRY)));
    }
    out
}

/// An election without its unit tree, which follows in units entries (a national tree is a
/// million units: not cloned to be dropped).
fn head(e: &Election) -> Election {
    Election {
        name: e.name.clone(),
        date: e.date.clone(),
        law: e.law.clone(),
        contests: e.contests.clone(),
        units: UnitTree::new(e.units.get(e.units.root()).name),
        rules: e.rules.clone(),
    }
}

/// Every unit below the country, by id: (id, parent, level, name).
fn unit_rows(e: &Election) -> impl Iterator<Item = (u32, u32, UnitLevel, &str)> {
    e.units
        .iter()
        .filter_map(|(id, u)| Some((id.0, u.parent?.0, u.level, u.name)))
}

/// The commitments an entry makes (reasons, complainants, texts, scans).
pub fn commitments(entry: &Entry) -> Vec<&str> {
    match entry {
        Entry::Decision(d) => vec![d.reason()],
        Entry::Review(r) => vec![r.reason.as_str()],
        Entry::Incident(crate::IncidentStep::Report {
            exact,
            text,
            photos,
            ..
        }) => {
            let mut v = vec![text.as_str()];
            v.extend(photos.iter().map(String::as_str));
            v.extend(exact.as_deref());
            v
        }
        Entry::Complaint(c) => {
            let mut v = vec![c.by.as_str(), c.text.as_str()];
            v.extend(c.scan.as_deref());
            v
        }
        Entry::Staff(s) => {
            // The console is no one's name: nothing stands behind it.
            let mut v = Vec::new();
            if s.user != crate::CONSOLE {
                v.push(s.user.as_str());
            }
            v.extend(s.act.reason());
            v
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_encoded_definition_is_the_definition_encoded_by_the_reference_encoder() {
        let params = synth::Params {
            stations: 900,
            parties: 3,
            regions: 2,
            stations_per_district: 7,
            seed: 3,
        };
        let (e, _) = synth::generate(&params, |_, _| ()).unwrap();
        let reference: Vec<Vec<u8>> = definition(&e).iter().map(encode_value).collect();
        assert_eq!(reference.len(), 2 + (e.units.len() - 1) / UNITS_PER_ENTRY);
        assert!(encoded_definition(&e) == reference);
    }

    #[test]
    fn the_direct_units_writer_matches_the_reference_encoder() {
        for rows in [
            vec![],
            vec![(
                1,
                0,
                UnitLevel::Region,
                "Чуй \"north\" \\ \u{7f}\n".to_string(),
            )],
            vec![
                (1, 0, UnitLevel::Region, "Region 01".to_string()),
                (2, 1, UnitLevel::District, "District 01-001".to_string()),
                (u32::MAX, 2, UnitLevel::Station, "1".to_string()),
            ],
        ] {
            let e = Entry::Units(rows);
            assert_eq!(encode(&e), encode_value(&e));
        }
    }

    #[test]
    fn the_direct_protocol_writer_matches_the_reference_encoder() {
        let mut p = Protocol::new(UnitId(7), 1, 3);
        assert_eq!(
            encode_protocol(&p),
            encode_value(&Entry::Protocol(p.clone()))
        );
        p.set_line(Line::Registered, 1000);
        p.set_line(Line::Valid, 545);
        p.set_line(Line::Unaccounted, 0);
        p.votes = vec![300, 0, 245];
        p.version = 12;
        p.source = model::CountSource::Machine;
        p.reference = Some("http://x/\"quoted\" \u{7f} тест".into());
        assert_eq!(
            encode_protocol(&p),
            encode_value(&Entry::Protocol(p.clone()))
        );
    }
}
