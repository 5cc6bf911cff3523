//! Entries and their canonical encoding (`docs/log-format.md`).

use model::{
    Choice, ChoiceKind, Contest, ContestKind, ControlRules, CountSource, Election, Line, Protocol,
    UnitId, UnitLevel, UnitTree,
};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::staff::{Act, Role, Staff};
use crate::RecordError;

/// The format version byte that starts every entry.
pub const VERSION: u8 = 1;

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
    /// `preliminary` or `final`.
    pub stage: String,
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
        /// `comparison` (ballot-level, with cast-vote records) or `polling`.
        method: String,
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
}

/// One unit of the tree: id, parent id, level, name.
pub type UnitRow = (u32, u32, UnitLevel, String);

/// Units per `units` entry, keeping entries well under the tiles' 64 KiB limit.
pub const UNITS_PER_ENTRY: usize = 400;

/// One log entry.
#[derive(Debug, Clone)]
pub enum Entry {
    /// The election definition (always entry 0), with its law preset; its units follow in
    /// `Units` entries.
    Election(Box<Election>, Option<String>),
    /// Units of the tree, ids consecutive, parents first.
    Units(Vec<UnitRow>),
    /// A protocol version (version 1) or a correction (a later version).
    Protocol(Protocol),
    /// A decision.
    Decision(Decision),
    /// A complaint.
    Complaint(Complaint),
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
    /// Who did the act that follows, or that this entry records (`staff.rs`).
    Staff(Staff),
}

/// The commitment to a text: hex SHA-256(salt || text).
pub fn commitment(salt: &[u8; 32], text: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(text.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A commitment to `text` with the row the store keeps beside the log to open it:
/// (commitment, salt hex, text).
pub fn committed(salt: &[u8; 32], text: &str) -> (String, (String, String, String)) {
    let c = commitment(salt, text);
    let hex: String = salt.iter().map(|b| format!("{b:02x}")).collect();
    (c.clone(), (c, hex, text.to_string()))
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
        other => encode_value(other),
    }
}

/// A protocol entry, written without building a JSON tree.
fn encode_protocol(p: &Protocol) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::with_capacity(160 + 8 * p.votes.len());
    out.push(VERSION);
    let _ = write!(
        out,
        "{{\"type\":\"protocol\",\"station\":{},\"contest\":{},\"version\":{},\"source\":\"{}\",\"lines\":{{",
        p.station.0,
        p.contest,
        p.version,
        p.source.key()
    );
    let mut first = true;
    for l in Line::ALL {
        if let Some(v) = p.line(l) {
            if !first {
                out.push(b',');
            }
            first = false;
            let _ = write!(out, "\"{}\":{v}", l.key());
        }
    }
    out.extend_from_slice(b"},\"votes\":[");
    for (i, v) in p.votes.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let _ = write!(out, "{v}");
    }
    out.extend_from_slice(b"],\"reference\":");
    match &p.reference {
        Some(r) => {
            let _ = serde_json::to_writer(&mut out, r);
        }
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
    out
}

/// The reference encoder: the entry as a JSON tree with keys in the documented order.
pub(crate) fn encode_value(entry: &Entry) -> Vec<u8> {
    let v = match entry {
        Entry::Units(rows) => json!({
            "type": "units",
            "units": rows.iter().map(|(id, parent, level, name)| json!([id, parent, level.key(), name])).collect::<Vec<_>>(),
        }),
        Entry::Election(e, law) => {
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
                "law": opt(law.clone()),
            })
        }
        Entry::Protocol(p) => {
            let mut lines = Map::new();
            for l in Line::ALL {
                if let Some(v) = p.line(l) {
                    lines.insert(l.key().into(), json!(v));
                }
            }
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
        Entry::Decision(Decision::AnnulUnit { unit, reason }) => {
            json!({"type": "decision", "kind": "annul-unit", "unit": unit.0, "reason": reason})
        }
        Entry::Decision(Decision::AnnulElection { reason }) => {
            json!({"type": "decision", "kind": "annul-election", "unit": 0, "reason": reason})
        }
        Entry::Decision(Decision::Recount { unit, reason }) => {
            json!({"type": "decision", "kind": "recount", "unit": unit.0, "reason": reason})
        }
        Entry::Decision(Decision::Revote { unit, reason }) => {
            json!({"type": "decision", "kind": "revote", "unit": unit.0, "reason": reason})
        }
        Entry::Decision(Decision::Reopen { reason }) => {
            json!({"type": "decision", "kind": "reopen", "unit": 0, "reason": reason})
        }
        Entry::Keys { log, witnesses } => {
            json!({"type": "keys", "log": log, "witnesses": witnesses})
        }
        Entry::Complaint(c) => json!({
            "type": "complaint",
            "unit": c.unit.0,
            "by": c.by,
            "text": c.text,
            "scan": opt(c.scan.clone()),
        }),
        Entry::Publication(p) => json!({
            "type": "publication",
            "stage": p.stage,
            "contest": p.contest,
            "stations_counted": p.stations_counted,
            "votes": p.votes,
            "valid": opt(p.valid),
            "invalid": opt(p.invalid),
            "seats": p.seats.as_ref().map_or(Value::Null, |s| json!({"law": s.law, "base": s.base, "seats": s.seats})),
        }),
        Entry::Audit(step) => audit_json(step),
        Entry::Staff(s) => {
            let mut v = json!({
                "type": "staff",
                "act": s.act.key(),
                "role": s.role.key(),
                "user": s.user,
                "subject": opt(s.subject.clone()),
                "scan": opt(s.scan.clone()),
            });
            // Present only on the acts that have them (grant; assign and open).
            if let Some(r) = s.grants {
                v["grants"] = json!(r.key());
            }
            if let Some(u) = s.unit {
                v["unit"] = json!(u);
            }
            v
        }
    };
    let mut out = vec![VERSION];
    out.extend(serde_json::to_vec(&v).unwrap_or_default());
    out
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
            "base": opt(base.clone()), "method": method, "risk_limit": risk_limit, "seed": seed,
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
    }
}

fn decode_audit(r: &Reader<'_>) -> Result<AuditStep, RecordError> {
    let audit = r.str("audit")?.to_string();
    let opt_str = |k: &str| -> Result<Option<String>, RecordError> {
        match r.get(k)? {
            Value::Null => Ok(None),
            v => v
                .as_str()
                .map(|s| Some(s.to_string()))
                .ok_or_else(|| r.err(format!("'{k}' is not text"))),
        }
    };
    let opt_u32 = |v: &Value, field: String| -> Result<Option<u32>, RecordError> {
        match v {
            Value::Null => Ok(None),
            v => {
                let x = v
                    .as_u64()
                    .ok_or_else(|| r.err(format!("{field}: a reading's choice is not a count")))?;
                small(r.index, &field, x).map(Some)
            }
        }
    };
    let list = |k: &str| -> Result<&Vec<Value>, RecordError> {
        r.get(k)?
            .as_array()
            .ok_or_else(|| r.err(format!("'{k}' is not a list")))
    };
    Ok(match r.str("step")? {
        "start" => AuditStep::Start {
            audit,
            contest: r.usize("contest")?,
            law: r.str("law")?.into(),
            base: opt_str("base")?,
            method: r.str("method")?.into(),
            risk_limit: r.str("risk_limit")?.into(),
            seed: r.str("seed")?.into(),
            ballots: r.u64("ballots")?,
            cvrs: opt_str("cvrs")?,
        },
        "manifest" => AuditStep::Manifest {
            audit,
            batches: list("batches")?
                .iter()
                .enumerate()
                .map(|(k, b)| match (b[0].as_u64(), b[1].as_u64()) {
                    (Some(u), Some(n)) => {
                        Ok((small(r.index, &format!("batches[{k}].station"), u)?, n))
                    }
                    _ => Err(r.err(format!("batches[{k}] is not [station, ballots]"))),
                })
                .collect::<Result<_, _>>()?,
        },
        "round" => AuditStep::Round {
            audit,
            round: r.u64("round")?,
            size: r.u64("size")?,
        },
        "readings" => AuditStep::Readings {
            audit,
            round: r.u64("round")?,
            readings: list("readings")?
                .iter()
                .enumerate()
                .map(|(k, x)| {
                    let draw = x[0].as_u64().ok_or_else(|| {
                        r.err(format!("readings[{k}]: a reading's draw is not a count"))
                    })?;
                    Ok((
                        draw,
                        opt_u32(&x[1], format!("readings[{k}].record"))?,
                        opt_u32(&x[2], format!("readings[{k}].paper"))?,
                    ))
                })
                .collect::<Result<_, RecordError>>()?,
        },
        "counts" => AuditStep::Counts {
            audit,
            round: r.u64("round")?,
            counts: list("counts")?
                .iter()
                .enumerate()
                .map(|(k, x)| {
                    let station = x[0]
                        .as_u64()
                        .ok_or_else(|| r.err("a count's station is not a count"))?;
                    let votes = x[1]
                        .as_array()
                        .ok_or_else(|| r.err("a count's votes are not a list"))?
                        .iter()
                        .map(|v| {
                            v.as_u64()
                                .ok_or_else(|| r.err("a vote count is not a count"))
                        })
                        .collect::<Result<Vec<u64>, _>>()?;
                    let ballots = x[2]
                        .as_u64()
                        .ok_or_else(|| r.err("a count's ballots are not a count"))?;
                    Ok((
                        small(r.index, &format!("counts[{k}].station"), station)?,
                        votes,
                        ballots,
                    ))
                })
                .collect::<Result<_, RecordError>>()?,
        },
        "escalate" => AuditStep::Escalate { audit },
        other => return Err(r.err(format!("unknown audit step '{other}'"))),
    })
}

/// `v`, the value of `field` of entry `index`, as the 32 bits it stands for: a unit id, a
/// version, a choice or ballot number above 4294967295 is an error naming the field, never
/// the id it would wrap to.
fn small(index: u64, field: &str, v: u64) -> Result<u32, RecordError> {
    u32::try_from(v).map_err(|_| RecordError::Field {
        index,
        field: field.into(),
        message: format!("{v} is above 4294967295, the largest this field holds"),
    })
}

struct Reader<'a> {
    index: u64,
    v: &'a Value,
}

impl Reader<'_> {
    fn err(&self, m: impl Into<String>) -> RecordError {
        RecordError::Decode {
            index: self.index,
            message: m.into(),
        }
    }
    fn get(&self, k: &str) -> Result<&Value, RecordError> {
        self.v
            .get(k)
            .ok_or_else(|| self.err(format!("missing field '{k}'")))
    }
    fn u64(&self, k: &str) -> Result<u64, RecordError> {
        self.get(k)?
            .as_u64()
            .ok_or_else(|| self.err(format!("'{k}' is not a count")))
    }
    /// A 32-bit field (a unit id, a version): refused above 4294967295, never truncated.
    fn u32(&self, k: &str) -> Result<u32, RecordError> {
        small(self.index, k, self.u64(k)?)
    }
    /// An index (a contest's): refused where it does not fit in memory's indexes.
    fn usize(&self, k: &str) -> Result<usize, RecordError> {
        let v = self.u64(k)?;
        usize::try_from(v).map_err(|_| RecordError::Field {
            index: self.index,
            field: k.into(),
            message: format!("{v} is not an index on this machine"),
        })
    }
    fn str(&self, k: &str) -> Result<&str, RecordError> {
        self.get(k)?
            .as_str()
            .ok_or_else(|| self.err(format!("'{k}' is not text")))
    }
    fn counts(&self, k: &str) -> Result<Vec<u64>, RecordError> {
        self.get(k)?
            .as_array()
            .ok_or_else(|| self.err(format!("'{k}' is not a list")))?
            .iter()
            .map(|x| {
                x.as_u64()
                    .ok_or_else(|| self.err(format!("'{k}' holds a non-count")))
            })
            .collect()
    }
}

/// Decodes entry `index` from its bytes.
pub fn decode(index: u64, bytes: &[u8]) -> Result<Entry, RecordError> {
    let err = |m: String| RecordError::Decode { index, message: m };
    let (&version, body) = bytes
        .split_first()
        .ok_or_else(|| err("empty entry".into()))?;
    if version != VERSION {
        return Err(err(format!("format version {version}, expected {VERSION}")));
    }
    let v: Value = serde_json::from_slice(body).map_err(|e| err(format!("not JSON: {e}")))?;
    let r = Reader { index, v: &v };
    let entry = match r.str("type")? {
        "election" => decode_election(&r)?,
        "units" => {
            let mut rows = Vec::new();
            let list = r
                .get("units")?
                .as_array()
                .ok_or_else(|| r.err("'units' is not a list"))?;
            for (i, u) in list.iter().enumerate() {
                let (Some(id), Some(parent), Some(level), Some(name)) =
                    (u[0].as_u64(), u[1].as_u64(), u[2].as_str(), u[3].as_str())
                else {
                    return Err(r.err(format!("unit {i} is not [id, parent, level, name]")));
                };
                let level = UnitLevel::from_key(level).map_err(|x| r.err(x.to_string()))?;
                let id = small(index, &format!("units[{i}].id"), id)?;
                let parent = small(index, &format!("units[{i}].parent"), parent)?;
                rows.push((id, parent, level, name.to_string()));
            }
            Entry::Units(rows)
        }
        "protocol" => {
            let mut p = Protocol::new(UnitId(r.u32("station")?), r.usize("contest")?, 0);
            p.version = r.u32("version")?;
            p.source = CountSource::from_key(r.str("source")?).map_err(|e| r.err(e.to_string()))?;
            for (k, x) in r
                .get("lines")?
                .as_object()
                .ok_or_else(|| r.err("'lines' is not an object"))?
            {
                let line = Line::from_key(k).ok_or_else(|| r.err(format!("unknown line '{k}'")))?;
                p.set_line(
                    line,
                    x.as_u64()
                        .ok_or_else(|| r.err(format!("line '{k}' is not a count")))?,
                );
            }
            p.votes = r.counts("votes")?;
            p.reference = r.get("reference")?.as_str().map(str::to_string);
            Entry::Protocol(p)
        }
        "decision" => {
            let reason = r.str("reason")?.to_string();
            match r.str("kind")? {
                "annul-unit" => Entry::Decision(Decision::AnnulUnit {
                    unit: UnitId(r.u32("unit")?),
                    reason,
                }),
                "annul-election" => Entry::Decision(Decision::AnnulElection { reason }),
                "reopen" => Entry::Decision(Decision::Reopen { reason }),
                "recount" => Entry::Decision(Decision::Recount {
                    unit: UnitId(r.u32("unit")?),
                    reason,
                }),
                "revote" => Entry::Decision(Decision::Revote {
                    unit: UnitId(r.u32("unit")?),
                    reason,
                }),
                other => return Err(r.err(format!("unknown decision '{other}'"))),
            }
        }
        "keys" => {
            let list = |k: &str| -> Result<Vec<String>, RecordError> {
                r.get(k)?
                    .as_array()
                    .ok_or_else(|| r.err(format!("'{k}' is not a list")))?
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| r.err(format!("'{k}' holds a non-text")))
                    })
                    .collect()
            };
            Entry::Keys {
                log: list("log")?,
                witnesses: list("witnesses")?,
            }
        }
        "complaint" => Entry::Complaint(Complaint {
            unit: UnitId(r.u32("unit")?),
            by: r.str("by")?.into(),
            text: r.str("text")?.into(),
            scan: r.get("scan")?.as_str().map(str::to_string),
        }),
        "publication" => {
            let seats = match r.get("seats")? {
                Value::Null => None,
                s => {
                    let sr = Reader { index, v: s };
                    Some(PublishedSeats {
                        law: sr.str("law")?.into(),
                        base: sr.str("base")?.into(),
                        seats: sr.counts("seats")?,
                    })
                }
            };
            Entry::Publication(Publication {
                stage: r.str("stage")?.into(),
                contest: r.usize("contest")?,
                stations_counted: r.u64("stations_counted")?,
                votes: r.counts("votes")?,
                valid: r.get("valid")?.as_u64(),
                invalid: r.get("invalid")?.as_u64(),
                seats,
            })
        }
        "audit" => Entry::Audit(decode_audit(&r)?),
        "staff" => Entry::Staff(Staff {
            act: Act::from_key(r.str("act")?).ok_or_else(|| r.err("unknown staff act"))?,
            role: Role::from_key(r.str("role")?).ok_or_else(|| r.err("unknown staff role"))?,
            user: r.str("user")?.into(),
            subject: r.get("subject")?.as_str().map(str::to_string),
            scan: r.get("scan")?.as_str().map(str::to_string),
            grants: match r.v.get("grants") {
                None => None,
                Some(v) => Some(
                    v.as_str()
                        .and_then(Role::from_key)
                        .ok_or_else(|| r.err("'grants' is not a role"))?,
                ),
            },
            unit: match r.v.get("unit") {
                None => None,
                Some(v) => Some(
                    v.as_u64()
                        .ok_or_else(|| r.err("'unit' is not a unit id"))
                        .and_then(|u| small(index, "unit", u))?,
                ),
            },
        }),
        other => return Err(r.err(format!("unknown entry type '{other}'"))),
    };
    // The canonical form is the only accepted form: re-encoding must give the same bytes.
    if encode(&entry) != bytes {
        return Err(err(
            "not in canonical form (key order, spacing or fields differ from docs/log-format.md)"
                .into(),
        ));
    }
    Ok(entry)
}

fn decode_election(r: &Reader<'_>) -> Result<Entry, RecordError> {
    let mut e = Election::new(r.str("name")?);
    e.date = r.get("date")?.as_str().map(str::to_string);
    e.units = UnitTree::new(r.str("country")?);
    for (ci, c) in r
        .get("contests")?
        .as_array()
        .ok_or_else(|| r.err("'contests' is not a list"))?
        .iter()
        .enumerate()
    {
        let cr = Reader {
            index: r.index,
            v: c,
        };
        let kind = ContestKind::from_key(cr.str("kind")?).map_err(|x| r.err(x.to_string()))?;
        let mut choices = Vec::new();
        for (k, ch) in cr
            .get("choices")?
            .as_array()
            .ok_or_else(|| r.err("'choices' is not a list"))?
            .iter()
            .enumerate()
        {
            let chr = Reader {
                index: r.index,
                v: ch,
            };
            choices.push(Choice {
                name: chr.str("name")?.into(),
                kind: ChoiceKind::from_key(chr.str("kind")?).map_err(|x| r.err(x.to_string()))?,
                ballot_number: match chr.get("ballot_number")? {
                    Value::Null => None,
                    v => {
                        let field = format!("contests[{ci}].choices[{k}].ballot_number");
                        let n = v
                            .as_u64()
                            .ok_or_else(|| r.err(format!("{field}: not a whole number")))?;
                        Some(small(r.index, &field, n)?)
                    }
                },
            });
        }
        e.contests
            .push(Contest::new(cr.str("name")?, kind, choices));
    }
    let rules: Vec<&str> = r
        .get("rules")?
        .as_array()
        .ok_or_else(|| r.err("'rules' is not a list"))?
        .iter()
        .enumerate()
        .map(|(k, v)| {
            v.as_str().ok_or_else(|| RecordError::Field {
                index: r.index,
                field: format!("rules[{k}]"),
                message: format!("{v} is not text"),
            })
        })
        .collect::<Result<_, _>>()?;
    e.rules = ControlRules::parse(rules).map_err(|x| r.err(x.to_string()))?;
    let law = r.get("law")?.as_str().map(str::to_string);
    Ok(Entry::Election(Box::new(e), law))
}

/// The entries that define an election: the definition, then its units in chunks.
pub fn definition(e: &Election, law: Option<String>) -> Vec<Entry> {
    let mut def = e.clone();
    def.units = UnitTree::new(e.units.get(e.units.root()).name);
    let rows: Vec<UnitRow> = e
        .units
        .iter()
        .filter_map(|(id, u)| Some((id.0, u.parent?.0, u.level, u.name.to_string())))
        .collect();
    let mut out = vec![Entry::Election(Box::new(def), law)];
    out.extend(
        rows.chunks(UNITS_PER_ENTRY)
            .map(|c| Entry::Units(c.to_vec())),
    );
    out
}

/// The commitments an entry makes (reasons, complainants, texts, scans).
pub fn commitments(entry: &Entry) -> Vec<&str> {
    match entry {
        Entry::Decision(Decision::AnnulUnit { reason, .. })
        | Entry::Decision(Decision::AnnulElection { reason })
        | Entry::Decision(Decision::Recount { reason, .. })
        | Entry::Decision(Decision::Revote { reason, .. })
        | Entry::Decision(Decision::Reopen { reason }) => vec![reason.as_str()],
        Entry::Complaint(c) => {
            let mut v = vec![c.by.as_str(), c.text.as_str()];
            v.extend(c.scan.as_deref());
            v
        }
        // The console is no one's name: nothing stands behind it.
        Entry::Staff(s) if s.user == crate::CONSOLE => Vec::new(),
        Entry::Staff(s) => vec![s.user.as_str()],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        p.source = CountSource::Machine;
        p.reference = Some("http://x/\"quoted\" \u{7f} тест".into());
        assert_eq!(
            encode_protocol(&p),
            encode_value(&Entry::Protocol(p.clone()))
        );
    }
}
