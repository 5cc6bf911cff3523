//! What every page says of its election: its title, date, law and status, what it re-votes,
//! and what its figures are as of; and the list of stored elections with the same.

use std::sync::Arc;

use serde_json::{json, Value};
use store::Store;

use super::{internal, open, AsOf};
use crate::pool::Pool;
use crate::ServerError;
use readmodel::{Live, View};

/// An election's context, for the layout of every page about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// The election's name in the store (its pages' address).
    pub name: String,
    /// Its title: the name of its first contest, as the data give it (the election's name
    /// where it has no contest).
    pub title: String,
    /// The date of the vote, `YYYY-MM-DD`, if known.
    pub date: Option<String>,
    /// The law preset it is held under, if any: its seats are computed under it.
    pub law: Option<String>,
    /// Open, preliminary, certified or annulled, with the log index of the entry that made it
    /// so.
    pub status: record::Status,
    /// The text of the decision that annulled it, where it is public (a commission's reasons
    /// are).
    pub decision_text: Option<String>,
    /// For a re-vote, what it re-votes.
    pub revote_of: Option<RevoteOf>,
    /// What its figures are as of.
    pub as_of: AsOf,
}

/// The unit of another election that a re-vote votes again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevoteOf {
    /// The annulled election's name.
    pub election: String,
    /// The unit's id there.
    pub unit: u32,
    /// The names of its path there, from the top.
    pub path: Vec<String>,
}

/// The context of election `name`, whose state `v` is.
pub fn context(db: &Arc<Pool>, v: &View<'_>, name: &str) -> Result<Context, ServerError> {
    let store = open(db)?;
    let info = store.election(name).map_err(internal)?;
    context_of(&store, v, info)
}

/// The context of the election `info` summarises, whose state `v` is: the title, date, law
/// and status from its log, what it re-votes from the store.
fn context_of(
    store: &store::SqlStore,
    v: &View<'_>,
    info: store::ElectionInfo,
) -> Result<Context, ServerError> {
    let name = &info.name;
    let decision_text = match v.status() {
        record::Status::Annulled { reason, .. } if v.content_is_public(reason) => store
            .content(name, reason)
            .map_err(internal)?
            .map(|c| c.text),
        _ => None,
    };
    let e = v.election();
    Ok(Context {
        name: name.to_string(),
        title: e
            .contests
            .first()
            .map_or_else(|| name.to_string(), |c| c.name.clone()),
        date: e.date.clone(),
        law: e.law.clone(),
        status: v.status().clone(),
        decision_text,
        revote_of: info.revote_of.map(|(election, unit)| RevoteOf {
            election,
            unit: unit.0,
            path: info.revote_path,
        }),
        as_of: AsOf::of(v),
    })
}

/// A context as JSON: `name`, `title`, `date`, `law`, `status` (with the index of the entry
/// that made it so and a decision's public text), `revote_of` and `as_of`.
pub fn context_json(c: &Context) -> Value {
    let status = &c.status;
    json!({
        "name": c.name,
        "title": c.title,
        "date": c.date,
        "law": c.law,
        "status": {
            "key": status.key(),
            "index": status.index(),
            "decision_text": c.decision_text,
        },
        "revote_of": c.revote_of.as_ref().map(|r| json!({
            "election": r.election, "unit": r.unit, "path": r.path.join(" / "),
        })),
        "as_of": {
            "log_size": c.as_of.size,
            "time": c.as_of.time.map(record::Time::unix),
            "utc": c.as_of.time.map(|t| t.to_string()),
        },
    })
}

/// A stored election as the list of elections shows it.
#[derive(Debug, Clone)]
pub struct Listed {
    /// Its context.
    pub context: Context,
    /// Its stations.
    pub stations: u64,
    /// Its protocol versions logged (of either count), as of its log's size.
    pub protocol_versions: u64,
    /// What it was imported from: the file's name and its format.
    pub source: String,
}

/// Every stored election with its context, by name.
pub fn listing(db: &Arc<Pool>, live: &Live) -> Result<Vec<Listed>, ServerError> {
    let list = open(db)?.elections().map_err(internal)?;
    list.into_iter()
        .map(|e| {
            // The source without the server's directories: the file name and its format.
            let source = e.source.rsplit('/').next().unwrap_or(&e.source).to_string();
            let name = e.name.clone();
            // Counted by the read model, as of its log's size (the store's count scans the
            // election's rows).
            let (context, stations, protocol_versions) = live.with(db, &name, |v| {
                let store = open(db)?;
                let counts = (v.stations(), v.protocol_versions());
                Ok((context_of(&store, v, e)?, counts.0, counts.1))
            })?;
            Ok(Listed {
                context,
                stations,
                protocol_versions,
                source,
            })
        })
        .collect()
}

/// The list as JSON: each election's context with its stations, versions and source.
pub fn listing_json(list: &[Listed]) -> Value {
    Value::Array(
        list.iter()
            .map(|l| {
                let mut v = context_json(&l.context);
                v["stations"] = json!(l.stations);
                v["protocol_versions"] = json!(l.protocol_versions);
                v["source"] = json!(l.source);
                v
            })
            .collect(),
    )
}
