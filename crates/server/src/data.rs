//! What the pages and the API show, computed from the store (blocking; the handlers run it
//! on tokio's blocking pool).

use std::sync::Arc;

use formats::report::{write_report_json, Report};
use model::{Election, Protocol, UnitLevel};
use serde_json::Value;
use store::Store;

use crate::pool::Pool;
use crate::ServerError;
use readmodel::View;

pub mod context;
pub mod law;

pub use context::{context, context_json, listing, listing_json};
pub use law::{allocation, law_of, no_law, seats_json, Allocation, Seats};

/// The stored elections' names (the list with each election's context is [`listing`]).
pub fn elections(db: &Arc<Pool>) -> Result<Vec<String>, ServerError> {
    let store = open(db)?;
    let list = store.elections().map_err(internal)?;
    Ok(list.into_iter().map(|e| e.name).collect())
}

fn open(db: &Arc<Pool>) -> Result<crate::pool::Pooled, ServerError> {
    Pool::get(db)
}

fn internal(e: impl std::fmt::Display) -> ServerError {
    ServerError::Internal(e.to_string())
}

/// The level named in a query: `country`, `region`, `constituency`, `district`, `station`.
pub fn level(name: Option<&str>) -> Result<UnitLevel, ServerError> {
    match name.unwrap_or("region") {
        "country" => Ok(UnitLevel::Country),
        "region" => Ok(UnitLevel::Region),
        "constituency" => Ok(UnitLevel::Constituency),
        "district" => Ok(UnitLevel::District),
        "station" => Ok(UnitLevel::Station),
        other => Err(ServerError::BadRequest(format!(
            "unknown level '{other}'; expected country, region, constituency, district or station"
        ))),
    }
}

/// The results report of the first contest at `level`, without annulled stations: from the
/// live totals, and for the station level from each station's latest protocol.
pub fn report(v: &mut View<'_>, level: UnitLevel) -> Result<Report, ServerError> {
    if level != UnitLevel::Station {
        return Ok(Report::build(v.election(), v.tally()?, level, None));
    }
    let protocols = v.protocols();
    let filter = v.filter();
    let e = v.election();
    let mut by_station: Vec<Option<&Protocol>> = vec![None; e.units.len()];
    for p in protocols.iter().filter(|p| p.contest == 0) {
        by_station[p.station.index()] = Some(p);
    }
    Ok(Report::build(
        e,
        v.tally()?,
        level,
        Some((&by_station, &filter)),
    ))
}

/// What a page's figures are as of: the log's size, and its latest staff entry's time (the
/// service's or the console's clock when the act was taken; none before any act carries one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOf {
    /// The log's size.
    pub size: u64,
    /// The latest staff time.
    pub time: Option<record::Time>,
    /// Whether the commission has certified the result (a final publication).
    pub certified: bool,
}

impl AsOf {
    /// Where the state `v` is.
    pub fn of(v: &View<'_>) -> AsOf {
        AsOf {
            size: v.size(),
            time: v.as_of(),
            certified: v.standing() == record::Standing::Certified,
        }
    }
}

/// What the report of every station needs of the state (a copy of the totals, the shared
/// protocols), taken under the election's lock and built after it: with 100,000 stations it
/// is heavy.
pub struct Stations {
    election: Election,
    tally: tabulate::Tally,
    protocols: Arc<Vec<Protocol>>,
    filter: tabulate::Filter,
}

/// Takes what the report of every station needs.
pub fn take_stations(v: &mut View<'_>) -> Result<Stations, ServerError> {
    Ok(Stations {
        election: v.election().clone(),
        tally: v.tally()?.clone(),
        protocols: v.protocols(),
        filter: v.filter(),
    })
}

impl Stations {
    /// The report at the station level.
    pub fn report(&self) -> Report {
        let e = &self.election;
        let mut by_station: Vec<Option<&Protocol>> = vec![None; e.units.len()];
        for p in self.protocols.iter().filter(|p| p.contest == 0) {
            by_station[p.station.index()] = Some(p);
        }
        Report::build(
            e,
            &self.tally,
            UnitLevel::Station,
            Some((&by_station, &self.filter)),
        )
    }
}

/// The first `n` stations of an election in tree order (each its latest protocol of the
/// legal count, as the station report has it) after the country's row, and how many stations
/// there are: what the results page lists at the station level without building every
/// station's row.
pub fn first_stations(v: &mut View<'_>, n: usize) -> Result<(Report, usize), ServerError> {
    let mut r = Report::build(v.election(), v.tally()?, UnitLevel::Country, None);
    let filter = v.filter();
    let all = r.push_stations(
        &v.election().units,
        |id| v.protocol(id, 0),
        Some(&filter),
        n,
    );
    Ok((r, all))
}

/// The report as the bytes that `tallyproof results --json` prints.
pub fn report_bytes(r: &Report) -> Result<Vec<u8>, ServerError> {
    let mut bytes = Vec::new();
    write_report_json(&mut bytes, r).map_err(internal)?;
    Ok(bytes)
}

/// One unit: where it is, its totals, its children and (for a station) every protocol
/// version, oldest first.
pub struct UnitView {
    /// The unit's id (stable: the log's units entries give them).
    pub id: u32,
    /// Its path of names below the country, with each ancestor's id.
    pub path: Vec<(u32, String)>,
    /// Its level.
    pub level: UnitLevel,
    /// The contest's choices.
    pub choices: Vec<String>,
    /// Its totals.
    pub totals: tabulate::Totals,
    /// Its children: id, name, stations, votes.
    pub children: Vec<(u32, String, u64, u64)>,
    /// A station's protocol versions.
    pub versions: Vec<Protocol>,
    /// Whether it is in or under an annulled unit.
    pub annulled: bool,
    /// The log entries about it (protocols, complaints, decisions), with inclusion proofs.
    pub logged: Vec<readmodel::Logged>,
    /// The public reasons of the commissioners' overrides its protocols were counted after,
    /// by commitment (a reason redacted or not public is missing).
    pub reasons: std::collections::HashMap<String, String>,
    /// The log's size and root the proofs are for.
    pub log: (u64, translog::Hash),
    /// The checkpoint signed for that size (the service signs every size it shows).
    pub checkpoint: Option<readmodel::Signed>,
    /// A station's forensic flag, its rank and the number of stations scored; or why no
    /// station could be scored.
    pub flag: Result<Option<(forensics::flags::StationFlag, usize, usize)>, NoFlag>,
}

/// Why a station has no forensic flag.
#[derive(Debug, Clone, PartialEq)]
pub enum NoFlag {
    /// The stations are being scored (after a start or a change): a moment more.
    Scoring,
    /// No station can be scored (the totals lack a line the scores need, ...).
    Unscorable(forensics::ForensicsError),
}

impl std::fmt::Display for NoFlag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoFlag::Scoring => f.write_str("the stations are being scored; reload in a moment"),
            NoFlag::Unscorable(e) => e.fmt(f),
        }
    }
}

/// The unit `id` of election `name`.
pub fn unit(
    db: &Arc<Pool>,
    v: &mut View<'_>,
    name: &str,
    id: u32,
    flags: Option<&readmodel::Flags>,
) -> Result<UnitView, ServerError> {
    let station = v.election().units.is_station(model::UnitId(id));
    let flags = match flags {
        _ if !station => Ok(None),
        Some(f) => match &f.missing {
            Some(why) => Err(NoFlag::Unscorable(why.clone())),
            None => Ok(f
                .by_station
                .get(&id)
                .map(|(x, rank)| (x.clone(), *rank, f.scored))),
        },
        None => Err(NoFlag::Scoring),
    };
    let e = v.election();
    if id as usize >= e.units.len() {
        return Err(ServerError::NotFound(format!(
            "election '{name}' has no unit {id}"
        )));
    }
    let uid = model::UnitId(id);
    let annulled = !v.filter().admits(&e.units, uid);
    let tally = v.tally()?;
    let mut path: Vec<(u32, String)> = e
        .units
        .ancestry(uid)
        .filter(|&u| e.units.get(u).parent.is_some())
        .map(|u| (u.0, e.units.get(u).name.to_string()))
        .collect();
    path.reverse();
    // The tally adds protocols into the units above the stations; a station's own totals
    // are its protocol's (as in `Report::build`).
    let filter = v.filter();
    let totals_of = |u: model::UnitId| -> tabulate::Totals {
        if e.units.get(u).level != UnitLevel::Station {
            return tally.totals(u);
        }
        let choices = e.contests.first().map_or(0, |c| c.choices.len());
        tabulate::Totals::of_station(v.protocol(u, 0), filter.admits(&e.units, u), choices)
    };
    let children = e
        .units
        .iter()
        .filter(|(_, u)| u.parent == Some(uid))
        .map(|(c, u)| {
            let t = totals_of(c);
            (c.0, u.name.to_string(), t.stations, t.votes.iter().sum())
        })
        .collect();
    let level = e.units.get(uid).level;
    let versions = if level == UnitLevel::Station {
        open(db)?.history(name, uid, 0).map_err(internal)?
    } else {
        Vec::new()
    };
    let logged = v.logged(uid)?;
    let mut reasons = std::collections::HashMap::new();
    for l in &logged {
        if let readmodel::About::Protocol {
            overridden: Some(c),
            ..
        } = &l.about
        {
            if v.content_is_public(c) {
                if let Some(text) = open(db)?.content(name, c).map_err(internal)? {
                    reasons.insert(c.clone(), text.text);
                }
            }
        }
    }
    Ok(UnitView {
        id,
        path,
        level,
        choices: e
            .contests
            .first()
            .map(|c| c.choices.iter().map(|x| x.name.clone()).collect())
            .unwrap_or_default(),
        totals: totals_of(uid),
        children,
        versions,
        annulled,
        logged,
        reasons,
        log: (v.size(), v.root()),
        checkpoint: v.checkpoint(),
        flag: flags,
    })
}

/// A unit as JSON.
pub fn unit_json(u: &UnitView) -> Value {
    let votes: serde_json::Map<String, Value> = u
        .choices
        .iter()
        .zip(&u.totals.votes)
        .map(|(c, v)| (c.clone(), serde_json::json!(v)))
        .collect();
    let versions: Vec<Value> = u
        .versions
        .iter()
        .map(|p| {
            let lines: serde_json::Map<String, Value> = model::Line::ALL
                .iter()
                .filter_map(|&l| p.line(l).map(|v| (l.key().to_string(), serde_json::json!(v))))
                .collect();
            serde_json::json!({"version": p.version, "source": p.source.key(), "lines": lines, "votes": p.votes, "reference": p.reference})
        })
        .collect();
    serde_json::json!({
        "id": u.id,
        "path": u.path.iter().map(|(i, n)| serde_json::json!({"id": i, "name": n})).collect::<Vec<_>>(),
        "level": u.level.key(),
        "annulled": u.annulled,
        "stations": u.totals.stations,
        "reporting": u.totals.reporting,
        "stations_annulled": u.totals.annulled,
        "turnout": {"issued": u.totals.turnout_issued, "registered": u.totals.turnout_registered, "stations": u.totals.turnout_stations},
        "votes": votes,
        "children": u.children.iter().map(|(i, n, s, v)| serde_json::json!({"id": i, "name": n, "stations": s, "votes": v})).collect::<Vec<_>>(),
        "versions": versions,
        "log": {"size": u.log.0, "root": u.log.1.hex()},
        "forensic_flag": match &u.flag {
            Ok(Some((f, rank, of))) => serde_json::json!({"score": f.score, "rank": rank, "of": of,
                "impossible": f.impossible, "turnout_pct": f.turnout_pct, "leader_pct": f.leader_pct,
                "turnout_z": f.turnout_z, "leader_z": f.leader_z, "whole_percentages": f.whole()}),
            Ok(None) => Value::Null,
            Err(why) => serde_json::json!({"unavailable": why.to_string()}),
        },
        "logged": u.logged.iter().map(|l| serde_json::json!({
            "index": l.index,
            "made_at": l.made_at.map(record::Time::unix),
            "entry": describe(&l.about),
            // A protocol counted after a commissioner lifted its quarantine: the reason's
            // commitment, and its text where public.
            "override": match &l.about {
                readmodel::About::Protocol { overridden: Some(c), .. } => serde_json::json!({
                    "reason": c, "text": u.reasons.get(c),
                }),
                _ => Value::Null,
            },
            "leaf_hash": l.leaf.hex(),
            "inclusion_proof": l.proof.iter().map(|h| h.hex()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// The machine count and the manual count of an election side by side (the dispute of
/// 5 October 2020 in Kyrgyzstan was between the two), compared only where a station has both:
/// the totals of every unit at a level over those stations, and the seats each count gives
/// only when both counts cover the same stations. The legal count (`record::legal_count`) is
/// the one the official totals are computed from; this page never replaces it.
pub struct Counts {
    /// The choices, in ballot order.
    pub choices: Vec<String>,
    /// The country first, then each unit at the level: path and `[manual, machine]` totals
    /// over the stations with both counts.
    pub rows: Vec<(Vec<String>, [tabulate::Totals; 2])>,
    /// The seats each count gives under the law (per party, by name), or why not.
    pub seats: [Result<Vec<(String, u64)>, String>; 2],
    /// The law preset: the one asked for, or the election's own; none if neither names one.
    pub law: Option<String>,
    /// The legal count.
    pub legal: model::CountSource,
    /// What the comparison covers.
    pub coverage: Paired,
}

/// Which stations the comparison of two counts covers (annulled ones are left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paired {
    /// Stations with both counts: the comparison's base.
    pub both: u64,
    /// Stations with the manual count only.
    pub manual_only: u64,
    /// Stations with the machine count only.
    pub machine_only: u64,
    /// Stations counted (not annulled) in the election.
    pub stations: u64,
}

/// The two counts of election `name` at `level`, their seats under the law asked for or else
/// the election's own.
pub fn counts(
    v: &mut View<'_>,
    name: &str,
    level: UnitLevel,
    asked: Option<&str>,
) -> Result<Counts, ServerError> {
    use model::CountSource::{Machine, Manual};
    let law = law_of(v, asked)?;
    let preset = match &law {
        Some(key) => {
            Some(seats::preset::law(key).map_err(|x| ServerError::NotFound(x.to_string()))?)
        }
        None => None,
    };
    let filter = v.filter();
    let e = v.election();
    let counted = |p: &Protocol| filter.admits(&e.units, p.station);
    let [manual, machine] = [Manual, Machine].map(|s| {
        v.by_source(s)
            .into_iter()
            .filter(|p| counted(p))
            .collect::<Vec<_>>()
    });
    let has = |ps: &[Protocol]| {
        ps.iter()
            .map(|p| p.station)
            .collect::<std::collections::HashSet<_>>()
    };
    let (with_manual, with_machine) = (has(&manual), has(&machine));
    let coverage = Paired {
        both: with_manual.intersection(&with_machine).count() as u64,
        manual_only: with_manual.difference(&with_machine).count() as u64,
        machine_only: with_machine.difference(&with_manual).count() as u64,
        stations: v.tally()?.totals(e.units.root()).stations,
    };
    let [manual, machine] = [manual, machine].map(|ps| {
        ps.into_iter()
            .filter(|p| with_manual.contains(&p.station) && with_machine.contains(&p.station))
            .collect::<Vec<_>>()
    });
    let tallies = [&manual, &machine].map(|ps| tabulate::tabulate(e, 0, ps.iter(), filter.clone()));
    let [a, b] = tallies;
    let reports = [a?, b?].map(|t| Report::build(e, &t, level, None));
    let rows = reports[0]
        .rows
        .iter()
        .zip(&reports[1].rows)
        .map(|(a, b)| (a.path.clone(), [a.totals.clone(), b.totals.clone()]))
        .collect();
    let same_stations = coverage.manual_only == 0 && coverage.machine_only == 0;
    let seats = [&manual, &machine].map(|protocols| {
        if coverage.both == 0 {
            return Err("no station has both counts".to_string());
        }
        if !same_stations {
            return Err(format!(
                "the two counts cover different stations ({} with both, {} with the manual count only, {} with the machine count only): seats are compared only over the same stations",
                coverage.both, coverage.manual_only, coverage.machine_only
            ));
        }
        let Some(preset) = &preset else {
            return Err(no_law(name));
        };
        let built = record::problem_from_election(e, protocols, preset, None, filter.clone())
            .map_err(|x| x.to_string())?;
        let o = seats::allocate(&built.problem).map_err(|x| x.to_string())?;
        Ok(o.parties
            .iter()
            .map(|p| (p.name.clone(), p.seats))
            .collect())
    });
    Ok(Counts {
        choices: reports[0].choices.clone(),
        rows,
        seats,
        law,
        legal: v.legal_count(),
        coverage,
    })
}

/// The two counts as JSON.
pub fn counts_json(c: &Counts) -> Value {
    let side = |t: &tabulate::Totals| serde_json::json!({"stations": t.stations, "reporting": t.reporting, "votes": t.votes});
    let seats = |s: &Result<Vec<(String, u64)>, String>| match s {
        Ok(v) => serde_json::json!(v
            .iter()
            .map(|(n, k)| serde_json::json!({"party": n, "seats": k}))
            .collect::<Vec<_>>()),
        Err(why) => serde_json::json!({"unavailable": why}),
    };
    let p = &c.coverage;
    serde_json::json!({
        "choices": c.choices,
        "law": c.law,
        "legal_count": c.legal.key(),
        "compared_at": {"both": p.both, "manual_only": p.manual_only, "machine_only": p.machine_only, "stations": p.stations},
        "units": c.rows.iter().map(|(path, t)| serde_json::json!({
            "path": path, "manual": side(&t[0]), "machine": side(&t[1]),
        })).collect::<Vec<_>>(),
        "seats": {"manual": seats(&c.seats[0]), "machine": seats(&c.seats[1])},
    })
}

/// What a logged entry is, in words.
pub fn describe(a: &readmodel::About) -> String {
    match a {
        readmodel::About::Protocol {
            contest,
            version,
            source,
            ..
        } => format!(
            "protocol, contest {contest}, version {version} ({})",
            source.key()
        ),
        readmodel::About::Complaint => "complaint".into(),
        readmodel::About::Decision(kind) => format!("decision: {kind}"),
    }
}

/// A re-vote beside what it replaces: the unit's annulled results in the parent election
/// and the re-vote's results so far.
pub struct Revote {
    /// The re-vote election's name.
    pub election: String,
    /// The parent election's name.
    pub parent: String,
    /// The unit's path in the parent.
    pub unit: String,
    /// The choices.
    pub choices: Vec<String>,
    /// The parent's totals of the unit (every station's latest protocol, annulled or not).
    pub before: tabulate::Totals,
    /// The re-vote's national totals.
    pub after: tabulate::Totals,
}

/// The re-votes linked to election `name` (as parent), or the one it is (as a re-vote).
pub fn revotes(
    db: &Arc<Pool>,
    live: &readmodel::Live,
    name: &str,
) -> Result<Vec<Revote>, ServerError> {
    let list = open(db)?.elections().map_err(internal)?;
    let mut out = Vec::new();
    for child in &list {
        let Some((parent, unit)) = &child.revote_of else {
            continue;
        };
        if child.name != name && parent != name {
            continue;
        }
        let after = live.with(db, &child.name, |v| {
            Ok(v.tally()?.totals(v.election().units.root()))
        })?;
        let (before, path, choices) = live.with(db, parent, |v| {
            let protocols = v.protocols();
            let e = v.election();
            if unit.index() >= e.units.len() {
                return Err(ServerError::Internal(format!(
                    "no unit {} in '{parent}'",
                    unit.0
                )));
            }
            let under = |s: model::UnitId| e.units.is_within(s, *unit);
            let mine = protocols
                .iter()
                .filter(|p| p.contest == 0 && under(p.station));
            let t = tabulate::tabulate(e, 0, mine, tabulate::Filter::default())?;
            let choices = e
                .contests
                .first()
                .map(|c| c.choices.iter().map(|x| x.name.clone()).collect())
                .unwrap_or_default();
            let totals = if e.units.get(*unit).level == UnitLevel::Station {
                v.protocol(*unit, 0)
                    .map(tabulate::Totals::of_protocol)
                    .unwrap_or_else(|| t.totals(*unit))
            } else {
                t.totals(*unit)
            };
            Ok((totals, e.units.path(*unit), choices))
        })?;
        out.push(Revote {
            election: child.name.clone(),
            parent: parent.clone(),
            unit: path,
            choices,
            before,
            after,
        });
    }
    Ok(out)
}

/// Every audit of the election, each recomputed from the log (`audit::logged::report`).
pub fn audits(v: &mut View<'_>) -> Result<Vec<Result<audit::logged::Report, String>>, ServerError> {
    // The audits' entries of the state's log, so that the audits and the protocols agree.
    let protocols = v.protocols();
    let (e, entries) = (v.election(), v.audit_entries());
    let names = audit::logged::names(entries.clone()).map_err(internal)?;
    Ok(names
        .iter()
        .map(|a| {
            audit::logged::report(e, &protocols, entries.clone(), a)
                .map_err(|x| format!("{a}: {x}"))
        })
        .collect())
}
