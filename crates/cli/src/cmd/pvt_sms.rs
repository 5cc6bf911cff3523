//! `tallyproof pvt sms`: an observer group's SMS inbox (an SMS gateway's or a phone's export)
//! read into the reports `pvt estimate`, `pvt compare` and `pvt log reports` take, with a
//! reply to every sender in their alphabet. The reading, the stations' numbers and the
//! reconciliation of several observers' reports are `observe`'s; the replies' words are the
//! glossary's (`ui::sms`). Phone numbers appear only in the replies' file (its addresses):
//! never in the reports, the summary or its JSON.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use model::{Choice, ChoiceKind, Contest, ContestKind, Election, Protocol, UnitLevel};
use observe::codes::Codebook;
use observe::inbox::{Inbox, Message, Reply, Taken};
use observe::numbers::StationNumbers;
use observe::phone::{Dialling, Phone};
use observe::sms::Alphabet;
use observe::ObserveError;
use pvt::design::Design;
use serde::{Deserialize, Serialize};

use super::emit;

#[derive(Debug, clap::Args)]
pub struct SmsArgs {
    /// The group's own copy of the design (with its stations)
    #[arg(long)]
    pub design: PathBuf,
    /// The messages: CSV with the columns from and text, and optionally time (Unix
    /// seconds: the messages are then taken in time order), and reference, part and parts
    /// for a message sent in parts
    #[arg(long)]
    pub messages: PathBuf,
    /// The observers: CSV with the columns name, phone and station (its number on the
    /// sheet, or its path); a message from another phone, or about another station, is
    /// refused
    #[arg(long)]
    pub observers: PathBuf,
    /// The country's calling code, for numbers written without it
    #[arg(long, default_value = "996")]
    pub country: String,
    /// The trunk prefix national numbers begin with
    #[arg(long, default_value = "0")]
    pub trunk: String,
    /// Where to write the reports every observer of a station agrees on (tallyproof CSV)
    #[arg(short, long)]
    pub out: PathBuf,
    /// Where to write the replies (CSV: to, text), one per message
    #[arg(long)]
    pub replies: Option<PathBuf>,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

/// A row of the messages' file.
#[derive(Debug, Deserialize)]
struct Row {
    from: String,
    text: String,
    #[serde(default)]
    time: Option<u64>,
    #[serde(default)]
    reference: Option<u32>,
    #[serde(default)]
    part: Option<u32>,
    #[serde(default)]
    parts: Option<u32>,
}

/// A row of the observers' file.
#[derive(Debug, Deserialize)]
struct ObserverRow {
    name: String,
    phone: String,
    station: String,
}

/// What the run found, for the summary and its JSON.
#[derive(Debug, Serialize)]
struct SmsOut {
    /// Rows of the messages' file.
    messages: usize,
    recorded: usize,
    confirmed: usize,
    conflicting: usize,
    refused: usize,
    /// Messages whose other parts never came (their senders are asked to send again).
    incomplete: usize,
    /// Refusals by what the reply says, in English.
    refusals: Vec<Refusal>,
    /// The design's stations: sampled and reserves.
    drawn_stations: usize,
    stations_reported: usize,
    stations_agreed: usize,
    /// Stations whose observers disagree: none of their reports is written out.
    conflicts: Vec<Conflict>,
}

#[derive(Debug, Serialize)]
struct Refusal {
    /// The message's line in the file (the header is line 1).
    line: usize,
    why: String,
}

#[derive(Debug, Serialize)]
struct Conflict {
    station: String,
    number: String,
    /// Each observer's report, as a message (observers by name, or by order of arrival).
    reports: Vec<(String, String)>,
}

fn csv_reader(path: &Path) -> anyhow::Result<csv::Reader<std::fs::File>> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| path.display().to_string())
}

pub fn run(a: SmsArgs) -> anyhow::Result<()> {
    let d = super::pvt::own_design(&a.design)?;
    let drawn: Vec<(&str, usize)> = d
        .stations
        .iter()
        .map(|s| (s.station.as_str(), s.stratum))
        .collect();
    let numbers = StationNumbers::of(&drawn)
        .with_context(|| format!("{}: the drawn stations' numbers", a.design.display()))?;
    let book = Codebook::default_for(d.choices.len());
    let dialling = Dialling {
        country: a.country.clone(),
        trunk: a.trunk.clone(),
    };
    let (assigned, names) = observers(&a.observers, &d, &numbers, &dialling)?;
    let mut inbox = Inbox::new(&book, &numbers, Some(&assigned));
    let mut replies: Vec<(String, String)> = Vec::new();
    let mut out = SmsOut {
        messages: 0,
        recorded: 0,
        confirmed: 0,
        conflicting: 0,
        refused: 0,
        incomplete: 0,
        refusals: Vec::new(),
        drawn_stations: d.stations.len(),
        stations_reported: 0,
        stations_agreed: 0,
        conflicts: Vec::new(),
    };
    let rows = read_rows(&a.messages)?;
    out.messages = rows.len();
    // Each sender's alphabet: that of their latest message, for a reply to parts given up.
    let mut alphabets: HashMap<String, Alphabet> = HashMap::new();
    // Each sender's place in the order of arrival (1, 2, ...).
    let mut arrival: HashMap<String, usize> = HashMap::new();
    let mut last_time = 0;
    for (line, row) in rows {
        let refuse = |out: &mut SmsOut, why: String| {
            out.refused += 1;
            out.refusals.push(Refusal { line, why });
        };
        let row = match row {
            Ok(row) => row,
            Err(why) => {
                refuse(&mut out, why);
                continue;
            }
        };
        let Ok(phone) = Phone::read(&row.from, &dialling) else {
            refuse(
                &mut out,
                "the sender's number cannot be read: no reply".into(),
            );
            continue;
        };
        let sender = phone.as_dialled().to_string();
        let next = arrival.len() + 1;
        arrival.entry(sender.clone()).or_insert(next);
        let now = row.time.unwrap_or(last_time);
        last_time = last_time.max(now);
        give_up(&mut inbox, now, &mut out, &mut replies, &alphabets);
        let part = match (row.reference, row.part, row.parts) {
            (Some(r), Some(p), Some(n)) => Some((r, p, n)),
            (None, None, None) => None,
            _ => {
                refuse(
                    &mut out,
                    "reference, part and parts go together: no reply".into(),
                );
                continue;
            }
        };
        let message = Message {
            sender: &sender,
            text: &row.text,
            part,
        };
        let Some(answer) = inbox.take(&message, now) else {
            continue;
        };
        alphabets.insert(sender.clone(), answer.alphabet);
        match &answer.reply {
            Ok(Taken::Recorded { .. }) => out.recorded += 1,
            Ok(Taken::Confirmed { .. }) => out.confirmed += 1,
            Ok(Taken::Conflict { .. }) => out.conflicting += 1,
            Err(e) => refuse(&mut out, e.to_string()),
        }
        reply_to(&mut replies, &alphabets, &sender, &answer.reply);
    }
    give_up(&mut inbox, u64::MAX, &mut out, &mut replies, &alphabets);
    // The reports every observer of a station agrees on; the others listed.
    let mut agreed: Vec<(usize, observe::sms::SmsReport)> = Vec::new();
    for s in inbox.stations() {
        out.stations_reported += 1;
        match s.agreed() {
            Some(report) => agreed.push((s.station, report)),
            None => out.conflicts.push(Conflict {
                station: d.stations[s.station].station.clone(),
                number: numbers.number(s.station).to_string(),
                reports: s
                    .reports
                    .iter()
                    .map(|(sender, report)| {
                        let who = names.get(sender).cloned().unwrap_or_else(|| {
                            format!("observer {}", arrival.get(sender).copied().unwrap_or(0))
                        });
                        (who, observe::sms::write(report, &book))
                    })
                    .collect(),
            }),
        }
    }
    out.stations_agreed = agreed.len();
    write_reports(&a.out, &d, &agreed)?;
    if let Some(path) = &a.replies {
        let mut w = csv::Writer::from_path(path).with_context(|| path.display().to_string())?;
        w.write_record(["to", "text"])?;
        for (to, text) in &replies {
            w.write_record([to, text])?;
        }
        w.flush()?;
    }
    emit(a.json, &out, |w| {
        writeln!(
            w,
            "{} messages: {} recorded, {} confirming another observer's, {} differing from another's, {} refused, {} never complete",
            out.messages, out.recorded, out.confirmed, out.conflicting, out.refused, out.incomplete
        )?;
        writeln!(
            w,
            "{} of the {} drawn stations (sample and reserves) reported; {} written to {} (every observer of the station agrees)",
            out.stations_reported,
            out.drawn_stations,
            out.stations_agreed,
            a.out.display()
        )?;
        for c in &out.conflicts {
            writeln!(
                w,
                "observers disagree at {} (SMS {}): not written, a supervisor chooses",
                c.station, c.number
            )?;
            for (who, report) in &c.reports {
                writeln!(w, "  {who}: {report}")?;
            }
        }
        for f in &out.refusals {
            writeln!(w, "line {}: {}", f.line, f.why)?;
        }
        Ok(())
    })
}

/// The messages' rows, each with its line in the file (where its record begins) and what
/// it holds or why it cannot be read; in time order when every row has its time (a phone's
/// export often lists the newest first), else in file order.
fn read_rows(path: &Path) -> anyhow::Result<Vec<(usize, Result<Row, String>)>> {
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::Headers)
        .flexible(true)
        .from_path(path)
        .with_context(|| path.display().to_string())?;
    let headers = r
        .headers()
        .with_context(|| path.display().to_string())?
        .clone();
    for column in ["from", "text"] {
        if !headers.iter().any(|h| h == column) {
            bail!("{}: no column '{column}'", path.display());
        }
    }
    let mut rows = Vec::new();
    for (k, record) in r.byte_records().enumerate() {
        let line = record
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(k + 2, |p| p.line() as usize);
        let row = record
            .map_err(|e| e.to_string())
            .and_then(|rec| {
                rec.deserialize::<Row>(Some(headers.as_byte_record()))
                    .map_err(|e| e.to_string())
            })
            .map_err(|e| format!("the row cannot be read ({e}): no reply"));
        rows.push((line, row));
    }
    if rows
        .iter()
        .all(|(_, r)| r.as_ref().is_ok_and(|r| r.time.is_some()))
    {
        rows.sort_by_key(|(_, r)| r.as_ref().map_or(0, |r| r.time.unwrap_or(0)));
    }
    Ok(rows)
}

/// Gives up the messages whose parts stopped arriving before `now`, each sender told.
fn give_up(
    inbox: &mut Inbox<'_>,
    now: u64,
    out: &mut SmsOut,
    replies: &mut Vec<(String, String)>,
    alphabets: &HashMap<String, Alphabet>,
) {
    for gone in inbox.expire(now) {
        out.incomplete += 1;
        reply_to(replies, alphabets, &gone, &Err(ObserveError::Incomplete));
    }
}

/// Adds the reply to `to`, in the alphabet of their latest message.
fn reply_to(
    replies: &mut Vec<(String, String)>,
    alphabets: &HashMap<String, Alphabet>,
    to: &str,
    reply: &Reply,
) {
    let alphabet = alphabets.get(to).copied().unwrap_or(Alphabet::Latin);
    replies.push((
        to.to_string(),
        ui::sms::reply(ui::sms::lang(alphabet), reply),
    ));
}

/// The observers' file: each phone's stations, and each phone's observer's name.
type Observers = (HashMap<String, Vec<usize>>, HashMap<String, String>);

fn observers(
    path: &Path,
    d: &Design,
    numbers: &StationNumbers,
    dialling: &Dialling,
) -> anyhow::Result<Observers> {
    let mut assigned: HashMap<String, Vec<usize>> = HashMap::new();
    let mut names: HashMap<String, String> = HashMap::new();
    let mut r = csv_reader(path)?;
    for (k, row) in r.deserialize::<ObserverRow>().enumerate() {
        let at = || format!("{}: line {}", path.display(), k + 2);
        let row = row.with_context(at)?;
        let phone = Phone::read(&row.phone, dialling).with_context(at)?;
        let station = numbers
            .find(&row.station)
            .or_else(|| d.stations.iter().position(|s| s.station == row.station))
            .with_context(|| format!("{}: station '{}' is not drawn", at(), row.station))?;
        let key = phone.as_dialled().to_string();
        if let Some(other) = names.get(&key).filter(|n| **n != row.name) {
            bail!("{}: this phone is {other}'s already", at());
        }
        names.insert(key.clone(), row.name);
        assigned.entry(key).or_default().push(station);
    }
    Ok((assigned, names))
}

/// Writes the agreed reports as tallyproof CSV: an election of the drawn stations' paths
/// (a path of k names: region, ..., station) and the design's contest.
fn write_reports(
    path: &Path,
    d: &Design,
    agreed: &[(usize, observe::sms::SmsReport)],
) -> anyhow::Result<()> {
    let mut e = Election::new(&d.election);
    e.contests.push(Contest::new(
        &d.contest,
        ContestKind::PartyList,
        d.choices
            .iter()
            .map(|c| Choice::new(c, ChoiceKind::Party))
            .collect(),
    ));
    let mut protocols = Vec::new();
    for (k, report) in agreed {
        let k = *k;
        let names: Vec<&str> = d.stations[k].station.split(" / ").collect();
        let levels: &[UnitLevel] = match names.len() {
            1 => &[UnitLevel::Station],
            2 => &[UnitLevel::Region, UnitLevel::Station],
            3 => &[UnitLevel::Region, UnitLevel::District, UnitLevel::Station],
            _ => &[
                UnitLevel::Region,
                UnitLevel::Constituency,
                UnitLevel::District,
                UnitLevel::Station,
            ],
        };
        if names.len() > levels.len() {
            bail!(
                "the station '{}' is deeper than four levels",
                d.stations[k].station
            );
        }
        let mut unit = e.units.root();
        for (name, &level) in names.iter().zip(levels) {
            unit = match e.units.child(unit, name) {
                Some(u) => u,
                None => e.units.insert(unit, level, name)?,
            };
        }
        let mut p = Protocol::new(unit, 0, d.choices.len());
        for &(line, n) in &report.lines {
            p.set_line(line, n);
        }
        p.votes = report.votes.clone();
        protocols.push(p);
    }
    let file = std::fs::File::create(path).with_context(|| path.display().to_string())?;
    let w = formats::write_csv(std::io::BufWriter::new(file), &e, 0, &protocols)?;
    w.into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| path.display().to_string())?;
    Ok(())
}
