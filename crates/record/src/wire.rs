//! Decoding entries (`docs/log-format.md`): one private serde type per entry type (and per
//! audit step), each refusing fields it does not know, read through `serde_path_to_error` so
//! that a refusal names the field (`contests[0].choices[1].kind`). The canonical form is the
//! only accepted form: a decoded entry must re-encode to the very bytes it came from.
//!
//! Which type to read is told by the `type` (and an audit's `step`) that a canonical entry
//! writes first: read from those first bytes when they are plain, from the whole object
//! otherwise, so the protocols, most of every log, are parsed once.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use model::{
    Choice, ChoiceKind, Contest, ContestKind, ControlRules, CountSource, Election, Line, Protocol,
    UnitId, UnitLevel, UnitTree,
};
use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use strum::VariantArray;

use crate::entry::{
    encode, AuditStep, BoardReading, Complaint, Decision, Entry, Publication, PublishedSeats,
    Review, TIMED, VERSION,
};
use crate::kinds::{
    parse_key, AuditMethod, ComplaintCategory, ComplaintStatus, DecisionKind, ReviewAction, Stage,
};
use crate::staff::{Act, Role, Staff, StaffAct};
use crate::PvtStep;
use crate::{RecordError, Time};
use pvt::allocation::Allocation;
use pvt::design::Params;
use pvt::select::Method;

/// Decodes entry `index` from its bytes.
pub fn decode(index: u64, bytes: &[u8]) -> Result<Entry, RecordError> {
    let err = |m: String| RecordError::Decode { index, message: m };
    let (&version, body) = bytes
        .split_first()
        .ok_or_else(|| err("empty entry".into()))?;
    if version != VERSION && version != TIMED {
        return Err(err(format!(
            "format version {version}, expected {VERSION} or {TIMED}"
        )));
    }
    let d = Decoder {
        index,
        body,
        version,
    };
    let (kind, step) = d.tags()?;
    // Only a staff entry carries a time, and so has a second version.
    if version == TIMED && kind != "staff" {
        let message = format!("a '{kind}' entry is format version {VERSION}, not {TIMED}");
        return Err(d.field("type", message));
    }
    let entry = match kind.as_str() {
        "election" => d.read::<ElectionWire>()?.entry(&d)?,
        "units" => d.read::<UnitsWire>()?.entry(&d)?,
        "protocol" => d.read::<ProtocolWire>()?.entry(&d)?,
        "decision" => d.read::<DecisionWire>()?.entry(&d)?,
        "complaint" => d.read::<ComplaintWire>()?.entry(&d)?,
        "complaint-status" => d.read::<ReviewWire>()?.entry(),
        "keys" => {
            let k = d.read::<KeysWire>()?;
            Entry::Keys {
                log: k.log,
                witnesses: k.witnesses,
            }
        }
        "publication" => d.read::<PublicationWire>()?.entry(&d)?,
        "audit" => Entry::Audit(d.audit(step.as_deref())?),
        "pvt" => Entry::Pvt(d.pvt(step.as_deref())?),
        "incident" => Entry::Incident(d.incident(step.as_deref())?),
        "staff" => d.read::<StaffWire>()?.entry(&d)?,
        other => {
            return Err(d.field("type", format!("unknown entry type '{other}'")));
        }
    };
    if encode(&entry) != bytes {
        return Err(err(
            "not in canonical form (key order, spacing or fields differ from docs/log-format.md)"
                .into(),
        ));
    }
    Ok(entry)
}

/// One entry's body being decoded.
struct Decoder<'a> {
    index: u64,
    body: &'a [u8],
    /// The format version byte before it.
    version: u8,
}

impl Decoder<'_> {
    fn field(&self, field: &str, message: String) -> RecordError {
        RecordError::Field {
            index: self.index,
            field: field.into(),
            message,
        }
    }

    /// The body as `T`: a syntax error is "not JSON"; any other refusal names its field's
    /// path (a field missing from the entry itself is named in the message).
    fn read<T: DeserializeOwned>(&self) -> Result<T, RecordError> {
        let mut de = serde_json::Deserializer::from_slice(self.body);
        let v = serde_path_to_error::deserialize(&mut de).map_err(|e| self.error(e))?;
        de.end().map_err(|e| self.not_json(&e))?;
        Ok(v)
    }

    fn not_json(&self, e: &serde_json::Error) -> RecordError {
        RecordError::Decode {
            index: self.index,
            message: format!("not JSON: {e}"),
        }
    }

    fn error(&self, e: serde_path_to_error::Error<serde_json::Error>) -> RecordError {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return self.not_json(&inner);
        }
        // The entry is one line: the position adds nothing to the path.
        let message = inner.to_string();
        let message = message
            .strip_suffix(&format!(
                " at line {} column {}",
                inner.line(),
                inner.column()
            ))
            .unwrap_or(&message)
            .to_string();
        match path.as_str() {
            "." => RecordError::Decode {
                index: self.index,
                message,
            },
            _ => self.field(&path, message),
        }
    }

    /// The entry's `type`, and its `step` if it has one.
    fn tags(&self) -> Result<(String, Option<String>), RecordError> {
        if let Some((kind, rest)) = plain(self.body, b"{\"type\":\"") {
            if !matches!(kind, "audit" | "pvt" | "incident") {
                return Ok((kind.to_string(), None));
            }
            if let Some((step, _)) = plain(rest, b",\"step\":\"") {
                return Ok((kind.to_string(), Some(step.to_string())));
            }
        }
        let t = self.read::<Tags>()?;
        Ok((t.kind, t.step))
    }

    /// An audit step, of the kind `step` names.
    fn audit(&self, step: Option<&str>) -> Result<AuditStep, RecordError> {
        Ok(match step {
            Some("start") => {
                let s = self.read::<StartWire>()?;
                AuditStep::Start {
                    audit: s.audit,
                    contest: self.usize("contest", s.contest)?,
                    law: s.law,
                    base: s.base,
                    method: s.method.0,
                    risk_limit: s.risk_limit,
                    seed: s.seed,
                    ballots: s.ballots,
                    cvrs: s.cvrs,
                }
            }
            Some("manifest") => {
                let m = self.read::<ManifestWire>()?;
                AuditStep::Manifest {
                    audit: m.audit,
                    batches: self.each(m.batches, |k, (station, n)| {
                        Ok((self.small(&format!("batches[{k}].station"), station)?, n))
                    })?,
                }
            }
            Some("round") => {
                let r = self.read::<RoundWire>()?;
                AuditStep::Round {
                    audit: r.audit,
                    round: r.round,
                    size: r.size,
                }
            }
            Some("readings") => {
                let r = self.read::<ReadingsWire>()?;
                let choice = |k: usize, what: &str, c: Option<u64>| {
                    c.map(|c| self.small(&format!("readings[{k}].{what}"), c))
                        .transpose()
                };
                let readings = self.each(r.readings, |k, (draw, record, paper)| {
                    Ok((
                        draw,
                        choice(k, "record", record)?,
                        choice(k, "paper", paper)?,
                    ))
                })?;
                AuditStep::Readings {
                    audit: r.audit,
                    round: r.round,
                    readings,
                }
            }
            Some("counts") => {
                let c = self.read::<CountsWire>()?;
                let counts = self.each(c.counts, |k, (station, votes, ballots)| {
                    let station = self.small(&format!("counts[{k}].station"), station)?;
                    Ok((station, votes, ballots))
                })?;
                AuditStep::Counts {
                    audit: c.audit,
                    round: c.round,
                    counts,
                }
            }
            Some("escalate") => AuditStep::Escalate {
                audit: self.read::<EscalateWire>()?.audit,
            },
            Some("target") => {
                let t = self.read::<TargetWire>()?;
                let targets = self.each(t.targets, |k, (station, flag, complaint)| {
                    let station = self.small(&format!("targets[{k}].station"), station)?;
                    Ok((station, flag, complaint))
                })?;
                AuditStep::Target {
                    audit: t.audit,
                    round: t.round,
                    targets,
                }
            }
            Some("targeted-counts") => {
                let c = self.read::<CountsWire>()?;
                let counts = self.each(c.counts, |k, (station, votes, ballots)| {
                    let station = self.small(&format!("counts[{k}].station"), station)?;
                    Ok((station, votes, ballots))
                })?;
                AuditStep::TargetedCounts {
                    audit: c.audit,
                    round: c.round,
                    counts,
                }
            }
            Some("boards") => {
                let b = self.read::<BoardsWire>()?;
                AuditStep::Boards {
                    audit: b.audit,
                    round: b.round,
                    boards: b.boards,
                }
            }
            Some("board-readings") => {
                let r = self.read::<BoardReadingsWire>()?;
                let choice = |k: usize, what: &str, c: Option<u64>| {
                    c.map(|c| self.small(&format!("readings[{k}].{what}"), c))
                        .transpose()
                };
                let readings = self.each(r.readings, |k, (draw, record, paper, found)| {
                    Ok(BoardReading {
                        draw,
                        record: choice(k, "record", record)?,
                        paper: choice(k, "paper", paper)?,
                        found,
                    })
                })?;
                AuditStep::BoardReadings {
                    audit: r.audit,
                    round: r.round,
                    board: r.board,
                    readings,
                }
            }
            Some("board-counts") => {
                let c = self.read::<BoardCountsWire>()?;
                let counts = self.each(c.counts, |k, (station, votes, ballots)| {
                    let station = self.small(&format!("counts[{k}].station"), station)?;
                    Ok((station, votes, ballots))
                })?;
                AuditStep::BoardCounts {
                    audit: c.audit,
                    round: c.round,
                    board: c.board,
                    counts,
                }
            }
            Some(other) => {
                return Err(self.field("step", format!("unknown audit step '{other}'")));
            }
            None => return Err(self.field("step", "an audit entry needs its step".into())),
        })
    }

    /// A quick count's step, of the kind `step` names (revision 7).
    fn pvt(&self, step: Option<&str>) -> Result<PvtStep, RecordError> {
        Ok(match step {
            Some("frame") => {
                let f = self.read::<PvtFrameWire>()?;
                let stations = self.each(f.stations, |k, (station, registered)| {
                    let station = self.small(&format!("stations[{k}].station"), station)?;
                    Ok((UnitId(station), registered))
                })?;
                PvtStep::Frame {
                    pvt: f.pvt,
                    stations,
                }
            }
            Some("design") => {
                let d = self.read::<PvtDesignWire>()?;
                let level = d
                    .level
                    .map(|l| {
                        UnitLevel::from_key(&l).map_err(|e| self.field("level", e.to_string()))
                    })
                    .transpose()?;
                let method = Method::from_key(&d.method).ok_or_else(|| {
                    self.field(
                        "method",
                        format!("'{}', expected random or systematic", d.method),
                    )
                })?;
                let allocation = Allocation::from_key(&d.allocation).ok_or_else(|| {
                    self.field(
                        "allocation",
                        format!("'{}', expected stations or voters", d.allocation),
                    )
                })?;
                let reserve_pct = u32::try_from(d.reserve_pct)
                    .ok()
                    .filter(|&p| p <= 100)
                    .ok_or_else(|| {
                        self.field("reserve_pct", format!("{}: at most 100", d.reserve_pct))
                    })?;
                PvtStep::Design {
                    pvt: d.pvt,
                    contest: self.usize("contest", d.contest)?,
                    level,
                    params: Params {
                        method,
                        allocation,
                        sample: d.sample,
                        reserve_pct,
                        seed_sha256: d.seed_sha256,
                    },
                    frame: d.frame,
                }
            }
            Some("seed") => {
                let s = self.read::<PvtSeedWire>()?;
                PvtStep::Seed {
                    pvt: s.pvt,
                    seed: s.seed,
                }
            }
            Some("report") => {
                let r = self.read::<PvtReportWire>()?;
                let station = UnitId(self.small("station", r.station)?);
                let mut p = Protocol::new(station, 0, 0);
                for (line, v) in r.lines.0 {
                    p.set_line(line, v);
                }
                p.votes = r.votes;
                PvtStep::Report {
                    pvt: r.pvt,
                    protocol: Box::new(p),
                    code: r.code,
                }
            }
            Some("review") => {
                let r = self.read::<PvtReviewWire>()?;
                PvtStep::Review {
                    pvt: r.pvt,
                    station: UnitId(self.small("station", r.station)?),
                    action: r.action.0,
                    report: r.report,
                    reason: r.reason,
                }
            }
            Some(other) => {
                return Err(self.field("step", format!("unknown quick count step '{other}'")));
            }
            None => return Err(self.field("step", "a quick count entry needs its step".into())),
        })
    }

    /// An incident's step, of the kind `step` names (revision 9).
    fn incident(&self, step: Option<&str>) -> Result<crate::IncidentStep, RecordError> {
        use crate::IncidentStep;
        Ok(match step {
            Some("report") => {
                let r = self.read::<IncidentReportWire>()?;
                IncidentStep::Report {
                    category: r.category,
                    unit: UnitId(self.small("unit", r.unit)?),
                    time: r.time,
                    exact: r.exact,
                    text: r.text,
                    photos: r.photos,
                }
            }
            Some("status") => {
                let s = self.read::<IncidentStatusWire>()?;
                IncidentStep::Status {
                    incident: s.incident,
                    status: s.status.0,
                    reason: s.reason,
                }
            }
            Some(other) => {
                return Err(self.field("step", format!("unknown incident step '{other}'")));
            }
            None => return Err(self.field("step", "an incident entry needs its step".into())),
        })
    }

    /// Each item of `list` through `f`, with its position: the first refusal.
    fn each<T, U>(
        &self,
        list: Vec<T>,
        f: impl Fn(usize, T) -> Result<U, RecordError>,
    ) -> Result<Vec<U>, RecordError> {
        list.into_iter().enumerate().map(|(k, x)| f(k, x)).collect()
    }

    /// `v`, the value of `field`, as the 32 bits it stands for: a unit id, a version, a
    /// choice or ballot number above 4294967295 is an error naming the field, never the id
    /// it would wrap to.
    fn small(&self, field: &str, v: u64) -> Result<u32, RecordError> {
        u32::try_from(v).map_err(|_| {
            self.field(
                field,
                format!("{v} is above 4294967295, the largest this field holds"),
            )
        })
    }

    /// An index (a contest's): refused where it does not fit in memory's indexes.
    fn usize(&self, field: &str, v: u64) -> Result<usize, RecordError> {
        usize::try_from(v)
            .map_err(|_| self.field(field, format!("{v} is not an index on this machine")))
    }
}

/// `s` without `prefix`, split at the next quote: the plain text there (no escape) and what
/// follows the quote.
fn plain<'a>(s: &'a [u8], prefix: &[u8]) -> Option<(&'a str, &'a [u8])> {
    let rest = s.strip_prefix(prefix)?;
    let end = rest.iter().position(|&b| b == b'"')?;
    let text = std::str::from_utf8(&rest[..end]).ok()?;
    (!text.contains('\\')).then_some((text, &rest[end + 1..]))
}

/// A field that is always written, `null` or a value: missing, it is refused by name (a
/// plain `Option` field would be taken as `null`).
fn nullable<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::deserialize(d)
}

/// A value written as one of its keys (`strum`); an unknown key is refused with the list of
/// the accepted ones.
struct Key<T>(T);

impl<'de, T> Deserialize<'de> for Key<T>
where
    T: FromStr + VariantArray + Copy + Into<&'static str>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key<T>, D::Error> {
        struct KeyVisitor<T>(PhantomData<T>);
        impl<T> Visitor<'_> for KeyVisitor<T>
        where
            T: FromStr + VariantArray + Copy + Into<&'static str>,
        {
            type Value = Key<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<T>, E> {
                parse_key(s).map(Key).map_err(E::custom)
            }
        }
        d.deserialize_str(KeyVisitor(PhantomData))
    }
}

/// Text, refused as "`value` is not text" otherwise (the words of both verifiers).
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(Text(s)),
            other => Err(de::Error::custom(format!("{other} is not text"))),
        }
    }
}

/// A staff entry's time in Unix seconds, refused as "`value` is not a whole number of
/// seconds" otherwise (the words of both verifiers).
struct Seconds(u64);

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Seconds, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        v.as_u64()
            .map(Seconds)
            .ok_or_else(|| de::Error::custom(format!("{v} is not a whole number of seconds")))
    }
}

/// A protocol's lines: (line, count) in the order written.
struct Lines(Vec<(Line, u64)>);

impl<'de> Deserialize<'de> for Lines {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Lines, D::Error> {
        struct LinesVisitor;
        impl<'de> Visitor<'de> for LinesVisitor {
            type Value = Lines;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("protocol lines")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Lines, A::Error> {
                let mut lines = Vec::with_capacity(Line::COUNT);
                while let Some(Key(line)) = map.next_key::<Key<Line>>()? {
                    lines.push((line, map.next_value()?));
                }
                Ok(Lines(lines))
            }
        }
        d.deserialize_map(LinesVisitor)
    }
}

#[derive(Deserialize)]
struct Tags {
    #[serde(rename = "type")]
    kind: String,
    step: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ElectionWire {
    #[serde(rename = "type")]
    _type: IgnoredAny,
    name: String,
    #[serde(deserialize_with = "nullable")]
    date: Option<String>,
    country: String,
    contests: Vec<ContestWire>,
    rules: Vec<Text>,
    #[serde(deserialize_with = "nullable")]
    law: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContestWire {
    name: String,
    kind: Key<ContestKind>,
    choices: Vec<ChoiceWire>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChoiceWire {
    name: String,
    kind: Key<ChoiceKind>,
    #[serde(deserialize_with = "nullable")]
    ballot_number: Option<u64>,
}

impl ElectionWire {
    fn entry(self, d: &Decoder<'_>) -> Result<Entry, RecordError> {
        let mut e = Election::new(&self.name);
        e.date = self.date;
        e.law = self.law;
        e.units = UnitTree::new(&self.country);
        for (ci, c) in self.contests.into_iter().enumerate() {
            let choices = d.each(c.choices, |k, ch| {
                let field = format!("contests[{ci}].choices[{k}].ballot_number");
                Ok(Choice {
                    name: ch.name,
                    kind: ch.kind.0,
                    ballot_number: ch.ballot_number.map(|n| d.small(&field, n)).transpose()?,
                })
            })?;
            e.contests.push(Contest::new(&c.name, c.kind.0, choices));
        }
        e.rules = ControlRules::parse(self.rules.iter().map(|r| r.0.as_str()))
            .map_err(|x| d.field("rules", x.to_string()))?;
        Ok(Entry::Election(Box::new(e)))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitsWire {
    #[serde(rename = "type")]
    _type: IgnoredAny,
    units: Vec<(u64, u64, Key<UnitLevel>, String)>,
}

impl UnitsWire {
    fn entry(self, d: &Decoder<'_>) -> Result<Entry, RecordError> {
        let rows = d.each(self.units, |i, (id, parent, level, name)| {
            let id = d.small(&format!("units[{i}].id"), id)?;
            let parent = d.small(&format!("units[{i}].parent"), parent)?;
            Ok((id, parent, level.0, name))
        })?;
        Ok(Entry::Units(rows))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProtocolWire {
    #[serde(rename = "type")]
    _type: IgnoredAny,
    station: u64,
    contest: u64,
    version: u64,
    source: Key<CountSource>,
    lines: Lines,
    votes: Vec<u64>,
    #[serde(deserialize_with = "nullable")]
    reference: Option<String>,
}

impl ProtocolWire {
    fn entry(self, d: &Decoder<'_>) -> Result<Entry, RecordError> {
        let station = UnitId(d.small("station", self.station)?);
        let mut p = Protocol::new(station, d.usize("contest", self.contest)?, 0);
        p.version = d.small("version", self.version)?;
        p.source = self.source.0;
        for (line, v) in self.lines.0 {
            p.set_line(line, v);
        }
        p.votes = self.votes;
        p.reference = self.reference;
        Ok(Entry::Protocol(p))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionWire {
    #[serde(rename = "type")]
    _type: IgnoredAny,
    kind: Key<DecisionKind>,
    unit: u64,
    reason: String,
}

impl DecisionWire {
    fn entry(self, d: &Decoder<'_>) -> Result<Entry, RecordError> {
        let kind = self.kind.0;
        // The kinds about the whole election write unit 0; the re-encoding holds them to it.
        let unit = match kind.has_unit() {
            true => UnitId(d.small("unit", self.unit)?),
            false => UnitId(0),
        };
        Ok(Entry::Decision(Decision::new(kind, unit, self.reason)))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ComplaintWire {
    #[serde(rename = "type")]
    _type: IgnoredAny,
    unit: u64,
    by: String,
    text: String,
    #[serde(deserialize_with = "nullable")]
    scan: Option<String>,
    #[serde(default)]
    category: Option<Key<ComplaintCategory>>,
}

impl ComplaintWire {
    fn entry(self, d: &Decoder<'_>) -> Result<Entry, RecordError> {
        Ok(Entry::Complaint(Complaint {
            unit: UnitId(d.small("unit", self.unit)?),
            by: self.by,
            text: self.text,
            scan: self.scan,
            category: self.category.map(|Key(k)| k),
        }))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewWire {
    #[serde(rename = "type")]
    _type: IgnoredAny,
    complaint: u64,
    status: Key<ComplaintStatus>,
    reason: String,
    #[serde(deserialize_with = "nullable")]
    decision: Option<u64>,
}

impl ReviewWire {
    fn entry(self) -> Entry {
        Entry::Review(Review {
            complaint: self.complaint,
            status: self.status.0,
            reason: self.reason,
            decision: self.decision,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysWire {
    #[serde(rename = "type")]
    _type: IgnoredAny,
    log: Vec<String>,
    witnesses: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicationWire {
    #[serde(rename = "type")]
    _type: IgnoredAny,
    stage: Key<Stage>,
    contest: u64,
    stations_counted: u64,
    votes: Vec<u64>,
    #[serde(deserialize_with = "nullable")]
    valid: Option<u64>,
    #[serde(deserialize_with = "nullable")]
    invalid: Option<u64>,
    #[serde(deserialize_with = "nullable")]
    seats: Option<SeatsWire>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeatsWire {
    law: String,
    base: String,
    seats: Vec<u64>,
}

impl PublicationWire {
    fn entry(self, d: &Decoder<'_>) -> Result<Entry, RecordError> {
        Ok(Entry::Publication(Publication {
            stage: self.stage.0,
            contest: d.usize("contest", self.contest)?,
            stations_counted: self.stations_counted,
            votes: self.votes,
            valid: self.valid,
            invalid: self.invalid,
            seats: self.seats.map(|s| PublishedSeats {
                law: s.law,
                base: s.base,
                seats: s.seats,
            }),
        }))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StaffWire {
    #[serde(rename = "type")]
    _type: IgnoredAny,
    act: Key<Act>,
    role: Key<Role>,
    user: String,
    #[serde(deserialize_with = "nullable")]
    subject: Option<String>,
    #[serde(deserialize_with = "nullable")]
    scan: Option<String>,
    #[serde(default)]
    grants: Option<Key<Role>>,
    #[serde(default)]
    unit: Option<u64>,
    #[serde(default)]
    double: Option<bool>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    posted: Option<String>,
    #[serde(default)]
    time: Option<Seconds>,
}

impl StaffWire {
    /// The act with the fields it carries: the role must be the act's, and a field missing
    /// from an act that needs it, or written on one that has none, is refused by name
    /// (`docs/log-format.md`, "staff").
    fn entry(self, d: &Decoder<'_>) -> Result<Entry, RecordError> {
        let StaffWire {
            act: Key(kind),
            role: Key(role),
            user,
            mut subject,
            mut scan,
            mut grants,
            mut unit,
            mut double,
            mut reason,
            mut posted,
            time,
            ..
        } = self;
        // A version 2 entry carries its time, a version 1 entry none (`docs/log-format.md`).
        let time = match (d.version, time) {
            (TIMED, Some(Seconds(t))) => Some(Time::from_unix(t).map_err(|e| match e {
                RecordError::Act { field, message } => d.field(&field, message),
                other => other,
            })?),
            (TIMED, None) => {
                return Err(d.field(
                    "time",
                    format!("a version {TIMED} staff entry needs its time"),
                ))
            }
            (_, Some(_)) => {
                let message = format!("a version {VERSION} staff entry carries no time");
                return Err(d.field("time", message));
            }
            (_, None) => None,
        };
        if role != kind.role() {
            let (key, needs) = (kind.key(), kind.role().key());
            let message = format!("'{key}' is done by a {needs}, not a {}", role.key());
            return Err(d.field("role", message));
        }
        let refuse = |field: &str, what: &str| {
            d.field(field, format!("a staff '{}' entry {what}", kind.key()))
        };
        let need = |v: Option<String>| v.ok_or_else(|| refuse("subject", "needs a subject"));
        let why = |v: Option<String>| v.ok_or_else(|| refuse("reason", "needs a reason"));
        let unit_of = |u: Option<u64>| match u {
            Some(u) => Ok(UnitId(d.small("unit", u)?)),
            None => Err(refuse("unit", "needs a unit")),
        };
        // Each act takes the fields it carries; any field left is one it does not have.
        let act = match kind {
            Act::Enter => StaffAct::Enter {
                protocol: need(subject.take())?,
                scan: scan.take(),
                posted: match posted.take() {
                    Some(p) if !is_sha256_hex(&p) => {
                        let message = "the posted code's SHA-256 is 64 lower-case hex digits";
                        return Err(d.field("posted", message.into()));
                    }
                    p => p,
                },
            },
            Act::Verify => StaffAct::Verify {
                protocol: need(subject.take())?,
            },
            Act::Reject => StaffAct::Reject {
                protocol: need(subject.take())?,
                reason: reason.take(),
            },
            Act::Complain => StaffAct::Complain,
            Act::QuickCount => StaffAct::QuickCount,
            Act::Supervise => StaffAct::Supervise,
            Act::Incident => StaffAct::Incident,
            Act::IncidentStatus => StaffAct::IncidentStatus,
            Act::Decide => StaffAct::Decide,
            Act::Certify => StaffAct::Certify {
                reason: reason.take(),
            },
            Act::Publish => StaffAct::Publish,
            Act::Redact => StaffAct::Redact {
                commitment: need(subject.take())?,
            },
            Act::Audit => StaffAct::Audit,
            Act::Grant => StaffAct::Grant {
                user: need(subject.take())?,
                role: grants
                    .take()
                    .map(|Key(r)| r)
                    .ok_or_else(|| refuse("grants", "needs the role granted"))?,
            },
            Act::Assign => StaffAct::Assign {
                user: need(subject.take())?,
                unit: unit_of(unit.take())?,
            },
            Act::Open => StaffAct::Open {
                decision: need(subject.take())?,
                unit: unit_of(unit.take())?,
            },
            Act::Override => StaffAct::Override {
                protocol: need(subject.take())?,
                reason: why(reason.take())?,
            },
            Act::Resolve => StaffAct::Resolve {
                protocol: need(subject.take())?,
                reason: why(reason.take())?,
            },
            Act::Intake => StaffAct::Intake {
                double: double
                    .take()
                    .ok_or_else(|| refuse("double", "needs 'double', true or false"))?,
            },
            Act::Review => StaffAct::Review,
            Act::SignOff => StaffAct::SignOff {
                entry: need(subject.take())?,
            },
        };
        let left = [
            ("grants", grants.is_some(), "grants no role"),
            ("unit", unit.is_some(), "names no unit"),
            ("double", double.is_some(), "has no 'double'"),
            ("reason", reason.is_some(), "gives no reason"),
            ("subject", subject.is_some(), "names no subject"),
            ("scan", scan.is_some(), "cites no scan"),
            ("posted", posted.is_some(), "records no posted code"),
        ];
        if let Some((field, _, what)) = left.into_iter().find(|(_, left, _)| *left) {
            return Err(refuse(field, what));
        }
        Ok(Entry::Staff(Staff { user, act, time }))
    }
}

/// Whether `s` is a SHA-256 in lower-case hex (64 digits).
fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The wire type of a step of an audit or a quick count: its `type` and `step` (read first,
/// to choose it), the name of the audit or quick count it belongs to (`audit`, `pvt`), then
/// the step's own fields.
macro_rules! step_wire {
    ($owner:ident: $name:ident { $($(#[$m:meta])* $field:ident: $ty:ty),* $(,)? }) => {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct $name {
            #[serde(rename = "type")]
            _type: IgnoredAny,
            #[serde(rename = "step")]
            _step: IgnoredAny,
            $owner: String,
            $($(#[$m])* $field: $ty,)*
        }
    };
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IncidentReportWire {
    #[serde(rename = "type")]
    _type: IgnoredAny,
    #[serde(rename = "step")]
    _step: IgnoredAny,
    category: String,
    unit: u64,
    time: String,
    #[serde(deserialize_with = "nullable")]
    exact: Option<String>,
    text: String,
    photos: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IncidentStatusWire {
    #[serde(rename = "type")]
    _type: IgnoredAny,
    #[serde(rename = "step")]
    _step: IgnoredAny,
    incident: u64,
    status: Key<crate::kinds::IncidentStatus>,
    reason: String,
}

step_wire!(pvt: PvtFrameWire {
    stations: Vec<(u64, u64)>,
});
step_wire!(pvt: PvtDesignWire {
    contest: u64,
    #[serde(deserialize_with = "nullable")]
    level: Option<String>,
    method: String,
    allocation: String,
    sample: u64,
    reserve_pct: u64,
    frame: String,
    seed_sha256: String,
});
step_wire!(pvt: PvtSeedWire { seed: String });
step_wire!(pvt: PvtReviewWire {
    station: u64,
    action: Key<ReviewAction>,
    #[serde(deserialize_with = "nullable")]
    report: Option<u64>,
    reason: String,
});
step_wire!(pvt: PvtReportWire {
    station: u64,
    lines: Lines,
    votes: Vec<u64>,
    #[serde(default)]
    code: Option<String>,
});

step_wire!(audit: StartWire {
    contest: u64,
    law: String,
    #[serde(deserialize_with = "nullable")]
    base: Option<String>,
    method: Key<AuditMethod>,
    risk_limit: String,
    seed: String,
    ballots: u64,
    #[serde(deserialize_with = "nullable")]
    cvrs: Option<String>,
});
step_wire!(audit: ManifestWire {
    batches: Vec<(u64, u64)>,
});
step_wire!(audit: RoundWire {
    round: u64,
    size: u64,
});
step_wire!(audit: ReadingsWire {
    round: u64,
    readings: Vec<(u64, Option<u64>, Option<u64>)>,
});
step_wire!(audit: CountsWire {
    round: u64,
    counts: Vec<(u64, Vec<u64>, u64)>,
});
step_wire!(audit: EscalateWire {});
step_wire!(audit: BoardsWire {
    round: u64,
    boards: Vec<(String, String)>,
});
step_wire!(audit: BoardReadingsWire {
    round: u64,
    board: u64,
    readings: Vec<(u64, Option<u64>, Option<u64>, bool)>,
});
step_wire!(audit: BoardCountsWire {
    round: u64,
    board: u64,
    counts: Vec<(u64, Vec<u64>, u64)>,
});
step_wire!(audit: TargetWire {
    round: u64,
    targets: Vec<(u64, Option<String>, Option<u64>)>,
});
