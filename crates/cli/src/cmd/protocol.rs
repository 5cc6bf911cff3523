//! `tallyproof protocol check`: the QR code of a protocol posted at its station, read from a
//! photo (`postedqr`), against the commission's signed log (verified with its key, as
//! `verify` does): the station's official versions, the one in force with its inclusion
//! proof, and the comparison of the quick count's copies (`pvt::compare`): match,
//! superseded by a correction, or mismatch, with the differing lines listed in every case.
//! Exit codes: 0 match, 1 mismatch, 6 superseded, 3 the photo holds no readable protocol
//! code, 7 the log cannot be read or does not verify.
//!
//! `tallyproof protocol form`: the posted protocol's form of one station as a self-contained
//! HTML file (`ui::posted`, with the service's `protocol-form.js` and its QR encoder inside
//! it), for a precinct commission that has no network at all.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use postedqr::Posted;
use serde::Serialize;
use store::Store;

use super::emit;
use super::pvt::Proof;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Reads a posted protocol's QR code from a photo and checks it against the commission's
    /// signed log. Exit codes: 0 match; 1 mismatch; 6 superseded by a correction; 3 no
    /// readable protocol code in the photo; 7 the log cannot be read or does not verify
    Check(CheckArgs),
    /// Writes the posted protocol's form of one station as a self-contained HTML file: the
    /// precinct commission types its figures and prints the protocol with its QR code, made in
    /// the browser, with no network (docs/protocol-qr.md)
    Form(FormArgs),
}

#[derive(Debug, clap::Args)]
pub struct FormArgs {
    /// The store file, or a postgres:// URL
    #[arg(long, default_value = super::DEFAULT_DB)]
    pub db: PathBuf,
    /// The stored election (may be omitted when the store holds one)
    #[arg(long)]
    pub election: Option<String>,
    /// The station, by its path of unit names separated by '/' (as the station's page and
    /// `tallyproof results` write it)
    #[arg(long)]
    pub station: String,
    /// The verifier key of the log the commission publishes (text or file): the code names
    /// its fingerprint
    #[arg(long)]
    pub key: String,
    /// The form's language: en, ru or ky (Kyrgyz where the glossary has a sourced term, else
    /// Russian, marked)
    #[arg(long, default_value = "ru", value_parser = super::forensics::parse_lang)]
    pub lang: ui::Lang,
    /// Write the form here (HTML)
    #[arg(long, short)]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The photo of the posted protocol's QR code (PNG or JPEG)
    pub photo: PathBuf,
    /// The commission's published log: a directory, or a service's live log
    /// (http(s)://HOST/elections/NAME/log/)
    #[arg(long)]
    pub log: String,
    /// The log's verifier key (text or file), from a trusted channel
    #[arg(long)]
    pub key: String,
    /// For an https:// log: trust only this CA (PEM) instead of the public ones
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    match a.command {
        Command::Check(c) => check(c),
        Command::Form(f) => form(f).map(|()| ExitCode::SUCCESS),
    }
}

/// Writes the form of `a.station` to `a.out`.
fn form(a: FormArgs) -> anyhow::Result<()> {
    let key = super::verify::key_text(&a.key)?;
    let key = translog::note::NoteVerifier::parse(&key)
        .context("--key: not a log verifier key")?
        .fingerprint();
    let store = super::open_store(&a.db)?;
    let name = super::election_name(&store, a.election.as_deref())?;
    let e = store.load(&name)?.election;
    let id = e
        .units
        .resolve(&a.station)
        .with_context(|| format!("--station '{}'", a.station))?;
    if !e.units.is_station(id) {
        anyhow::bail!(
            "--station '{}' is a unit above the stations: name one station",
            a.station
        );
    }
    let f = ui::posted::Form::of(&e, &name, id, &key);
    let scripts: Vec<&str> = server::statics::PROTOCOL_FORM
        .iter()
        .map(|s| {
            let bytes = server::statics::bytes(s).expect("the form's scripts are static files");
            std::str::from_utf8(bytes).expect("the form's scripts are UTF-8")
        })
        .collect();
    std::fs::write(&a.out, ui::posted::standalone(a.lang, &f, &scripts))
        .with_context(|| a.out.display().to_string())?;
    eprintln!(
        "wrote {}: the protocol form of {} ({name}); open it in a browser, type the figures, make the code and print",
        a.out.display(),
        f.path
    );
    Ok(())
}

/// What the check found.
#[derive(Serialize)]
struct Checked {
    /// The QR code's text, and its SHA-256.
    code: String,
    code_sha256: String,
    election: String,
    station: u32,
    /// The station's path in the log's unit tree.
    path: Option<String>,
    contest: usize,
    source: &'static str,
    count_ended: String,
    /// Whether the code names the log's own key (its fingerprint's first 16 bytes).
    same_key: bool,
    /// Whether the code names the log's own election.
    same_election: bool,
    /// The comparison with the log's versions; none if the log has no protocol of the station.
    compared: Option<pvt::compare::Compared>,
    /// The version in force: its log entry's inclusion proof.
    proof: Option<Proof>,
    log_size: u64,
}

fn check(a: CheckArgs) -> anyhow::Result<ExitCode> {
    let bytes =
        std::fs::read(&a.photo).with_context(|| format!("cannot read {}", a.photo.display()))?;
    let photo = a.photo.display();
    let read = postedqr::read_photo(&bytes).and_then(|text| Ok((Posted::decode(&text)?, text)));
    let (posted, text) = match read {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {photo}: {e}");
            return Ok(ExitCode::from(3));
        }
    };
    // The key read once: the log is verified with it, and the code must name it.
    let checked = super::verify::key_text(&a.key).and_then(|key| {
        let kept = super::verify::verified(&a.log, &key, a.ca_file.as_deref())?;
        let fingerprint = translog::note::NoteVerifier::parse(&key)?.fingerprint();
        Ok((kept, fingerprint.replace(' ', "")))
    });
    let (kept, fingerprint) = match checked {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Ok(ExitCode::from(7));
        }
    };
    let e = &kept.replayed.election;
    let units = e.units.len();
    let known = (posted.station.index() < units).then_some(posted.station);
    let versions = known.and_then(|station| {
        // The log verified: every entry decodes.
        let decoded = kept
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, b)| record::decode(i as u64, b).ok().map(|x| (i as u64, x)));
        record::versions(
            e,
            decoded,
            posted.contest,
            record::legal_count(e.law.as_deref()),
            &kept.replayed.protocols,
        )
        .remove(&station)
    });
    let versions = versions.unwrap_or_default();
    let choices: Vec<String> = e.choice_names(posted.contest);
    let compared = record::compare(&choices, &posted.protocol(), &versions);
    let proof = versions
        .last()
        .map(|v| Proof::of(&kept, v.entry))
        .transpose()?;
    let c = Checked {
        code_sha256: Posted::digest(&text),
        code: text,
        same_key: hex::encode(posted.key) == fingerprint,
        same_election: posted.election == e.name,
        election: posted.election.clone(),
        station: posted.station.0,
        path: known.map(|s| e.units.path(s)),
        contest: posted.contest,
        source: posted.source.key(),
        count_ended: posted.time.clone(),
        compared,
        proof,
        log_size: kept.checkpoint.size,
    };
    let code = match (&c.compared, c.same_key && c.same_election) {
        (Some(x), true) => match x.outcome {
            pvt::compare::Outcome::Match => 0,
            pvt::compare::Outcome::Superseded { .. } => 6,
            pvt::compare::Outcome::Mismatch => 1,
        },
        _ => 1,
    };
    emit(a.json, &c, |out| {
        let place = c.path.as_deref().unwrap_or("no such unit in the log");
        writeln!(
            out,
            "Posted protocol: election {}, station {} ({place}), contest {}, {} count, ended {} UTC",
            c.election, c.station, c.contest, c.source, c.count_ended
        )?;
        writeln!(out, "Its code's SHA-256: {}", c.code_sha256)?;
        writeln!(
            out,
            "The log ({} entries) verified with its key{}",
            c.log_size,
            if c.same_key {
                ", the key the code names"
            } else {
                "; the code names ANOTHER key: it was not made for this log"
            }
        )?;
        if !c.same_election {
            writeln!(
                out,
                "The log is election {}'s; the code is ANOTHER election's",
                e.name
            )?;
        }
        match &c.compared {
            None => writeln!(out, "MISMATCH: the log has no protocol of this station")?,
            Some(x) => {
                match &x.outcome {
                    pvt::compare::Outcome::Match => writeln!(
                        out,
                        "MATCH: the posted protocol is the one the log holds in force"
                    )?,
                    pvt::compare::Outcome::Superseded { version, decision } => writeln!(
                        out,
                        "SUPERSEDED: the posted protocol is an earlier version; version {version} is in force ({})",
                        decision.as_deref().unwrap_or("a correction without a decision")
                    )?,
                    pvt::compare::Outcome::Mismatch => writeln!(
                        out,
                        "MISMATCH: no version in the log is the posted protocol"
                    )?,
                }
                for d in &x.differences {
                    let v = |n: Option<u64>| n.map_or("-".to_string(), |n| n.to_string());
                    writeln!(
                        out,
                        "  {}: posted {}, log {}",
                        d.line,
                        v(d.copied),
                        v(d.official)
                    )?;
                }
            }
        }
        if let Some(p) = &c.proof {
            writeln!(
                out,
                "The version in force: {}",
                serde_json::to_string(p).unwrap_or_default()
            )?;
        }
        Ok(())
    })?;
    Ok(ExitCode::from(code))
}
