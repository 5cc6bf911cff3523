//! "Check this station" (issue 15, item 5): what a station page gives the reader's browser to
//! check, without trusting this service, that the station's current protocol is in the log the
//! commission signed. The page states the log key and the witnesses' keys (untrusted: the
//! reader compares the log key's fingerprint with one obtained elsewhere), the checkpoint
//! (already shown in the log section), and the protocol entry's bytes, index and inclusion
//! proof; the static script `/static/check.js` ([`crate::statics`]) checks them. Everything is
//! in the page's text and data attributes, so the page reads the same without JavaScript; the
//! script's messages too, in the page's language (a hidden list the script reads: it has no
//! words of its own).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::Json;
use maud::{html, Markup, PreEscaped};
use readmodel::{About, Logged, Signing, View};
use serde::Deserialize;
use serde_json::{json, Value};
use store::Store;
use translog::note::NoteVerifier;
use ui::{Lang, T};

use crate::data::UnitView;
use crate::pages::urlencode;
use crate::pool::Pool;
use crate::public::blocking;
use crate::{AppState, ServerError};

/// The script element of a page with the check (the pages' only script).
pub const SCRIPT: &str = "<script type=\"module\" src=\"/static/check.js\"></script>";

/// What the browser checks about a station.
pub struct StationCheck {
    /// The log key as this service states it.
    key: NoteVerifier,
    /// The witnesses this service or the log names.
    witnesses: Vec<NoteVerifier>,
    /// The station's current protocol entry: where it is in the log, its proof.
    logged: Logged,
    /// Its bytes.
    entry: Vec<u8>,
    /// The station.
    station: u32,
    /// The election, for the consistency route.
    election: String,
    /// The checkpoint the proof is for (its signed note, with any cosignatures).
    note: String,
}

/// The check of the station `u` shows, if the service signs its log and the station has a
/// protocol in it: its latest protocol entry of the first contest of the legal count (the one
/// the totals count; a later machine count is not what the results are).
pub fn station(
    db: &Arc<Pool>,
    v: &View<'_>,
    name: &str,
    u: &UnitView,
    signing: Option<&Signing>,
) -> Result<Option<StationCheck>, ServerError> {
    station_of(db, v, name, u, signing, (0, v.legal_count()))
}

/// [`station`] for the latest protocol entry of contest `contest` in count `source` (a posted
/// protocol's code names both).
pub fn station_of(
    db: &Arc<Pool>,
    v: &View<'_>,
    name: &str,
    u: &UnitView,
    signing: Option<&Signing>,
    (contest, source): (usize, model::CountSource),
) -> Result<Option<StationCheck>, ServerError> {
    let Some(signing) = signing else {
        return Ok(None);
    };
    let note = u
        .checkpoint
        .as_ref()
        .filter(|c| c.size == u.log.0)
        .map(|c| c.note.to_string());
    let current = u
        .logged
        .iter()
        .filter(|l| matches!(l.about, About::Protocol { contest: c, source: s, .. } if c as usize == contest && s == source))
        .max_by_key(|l| l.index);
    let (Some(current), Some(note)) = (current, note) else {
        return Ok(None);
    };
    let entry = Pool::get(db)?
        .log_range(name, current.index, current.index + 1)?
        .pop()
        .ok_or_else(|| ServerError::Internal(format!("entry {} is not stored", current.index)))?;
    let mut witnesses = signing.witnesses().to_vec();
    let declared = v.keys().map_or(&[][..], |(_, w)| w.as_slice());
    for text in declared {
        let w = NoteVerifier::parse(text).map_err(|e| ServerError::Internal(e.to_string()))?;
        if !witnesses.contains(&w) {
            witnesses.push(w);
        }
    }
    Ok(Some(StationCheck {
        key: signing.verifier(),
        witnesses,
        logged: current.clone(),
        entry,
        station: u.id,
        election: name.to_string(),
        note,
    }))
}

impl StationCheck {
    /// What the page states for the check, as JSON (the phone's scan of a posted protocol
    /// asks for it): the checkpoint, the keys, the entry's bytes, index and proof, and the
    /// consistency route; `check.js` reads the same names.
    pub(crate) fn data(&self) -> Value {
        json!({
            "note": self.note,
            "key": self.key.text(),
            "witnesses": self.witnesses.iter().map(NoteVerifier::text).collect::<Vec<_>>(),
            "entry": hex::encode(&self.entry),
            "index": self.logged.index,
            "station": self.station,
            "proof": self.logged.proof.iter().map(|h| h.hex()).collect::<Vec<_>>(),
            "consistency": format!("/api/elections/{}/consistency", urlencode(&self.election)),
        })
    }
}

/// The script's messages (hidden; the script has no words of its own): the station page's
/// check gives them.
pub(crate) fn messages(l: Lang) -> Markup {
    messages_with(l, &[])
}

/// [`messages`] with some said otherwise (`own`: key and term), as the scan of a posted
/// protocol says where the fingerprint came from (the code, not the reader).
pub(crate) fn messages_with(l: Lang, own: &[(&str, T)]) -> Markup {
    html! {
        template #check-text {
            @for (key, term) in MESSAGES {
                @let term = own.iter().find(|(k, _)| k == key).map_or(term, |(_, t)| t);
                @let tr = l.t(*term);
                span data-k=(key) lang=[tr.is_fallback().then_some("ru")] { (tr.as_str()) }
            }
        }
    }
}

/// The script's messages: the key `check.js` asks for, and the term the page gives it.
const MESSAGES: &[(&str, T)] = &[
    ("passed", T::ChkJsPassed),
    ("failed", T::ChkJsFailed),
    ("note", T::ChkJsNote),
    ("valid", T::ChkJsValid),
    ("invalid", T::ChkJsInvalid),
    ("nothing-checked", T::ChkJsNothingChecked),
    ("engine-webcrypto", T::ChkJsEngineWebcrypto),
    ("engine-noble", T::ChkJsEngineNoble),
    ("fingerprint-length", T::ChkJsFingerprintLength),
    ("key-unreadable", T::ChkJsKeyUnreadable),
    ("key-type", T::ChkJsKeyType),
    ("key-id", T::ChkJsKeyId),
    ("key-matches", T::ChkJsKeyMatches),
    ("key-differs", T::ChkJsKeyDiffers),
    ("note-unreadable", T::ChkJsNoteUnreadable),
    ("note-not-note", T::ChkJsNoteNotNote),
    ("note-line", T::ChkJsNoteLine),
    ("note-body", T::ChkJsNoteBody),
    ("note-root", T::ChkJsNoteRoot),
    ("note-signed", T::ChkJsNoteSigned),
    ("note-unsigned", T::ChkJsNoteUnsigned),
    ("note-origin", T::ChkJsNoteOrigin),
    ("witness-unreadable", T::ChkJsWitnessUnreadable),
    ("witness-absent", T::ChkJsWitnessAbsent),
    ("witness-cosigned", T::ChkJsWitnessCosigned),
    ("witness-bad", T::ChkJsWitnessBad),
    ("no-witness", T::ChkJsNoWitness),
    ("witnesses-missing", T::ChkJsWitnessesMissing),
    ("entry-protocol", T::ChkJsEntryProtocol),
    ("entry-other", T::ChkJsEntryOther),
    ("source-manual", T::SourceManual),
    ("source-machine", T::SourceMachine),
    ("included", T::ChkJsIncluded),
    ("not-included", T::ChkJsNotIncluded),
    ("first-seen", T::ChkJsFirstSeen),
    ("stale", T::ChkJsStale),
    ("same", T::ChkJsSame),
    ("forked", T::ChkJsForked),
    ("extends", T::ChkJsExtends),
    ("unproven", T::ChkJsUnproven),
];

/// The check's section of the station page, in the page's language: what it checks, what it
/// proves and what it does not, the keys as this service states them, the controls the script
/// shows, and the script's messages (hidden; the script has no words of its own).
pub fn section(l: Lang, c: &StationCheck) -> Markup {
    let proof: Vec<String> = c.logged.proof.iter().map(|h| h.hex()).collect();
    let consistency = format!("/api/elections/{}/consistency", urlencode(&c.election));
    let index = c.logged.index.to_string();
    html! {
        section #check data-station=(c.station) data-index=(c.logged.index) data-entry=(hex::encode(&c.entry))
            data-proof=(proof.join(",")) data-consistency=(consistency) {
            h2 { (l.t(T::ChkHeading)) }
            p { (l.f(T::ChkIntro, &[("index", &index)])) " " b { (l.t(T::ChkIntroFingerprint)) } " " (l.t(T::ChkIntroWhere)) }
            p {
                (l.t(T::ChkKeyStated)) " " code #check-key { (c.key.text()) } ", " (l.t(T::ChkFingerprint)) " "
                code { (c.key.fingerprint()) } ". " (l.t(T::ChkKeyDiffers))
            }
            @if c.witnesses.is_empty() {
                p { (l.t(T::ChkNoWitness)) }
            } @else {
                p { (l.t(T::ChkWitnesses)) }
                ul { @for w in &c.witnesses {
                    li { code.check-witness { (w.text()) } " " (l.t(T::ChkFingerprint)) " " code { (w.fingerprint()) } }
                } }
            }
            form #check-form hidden {
                label for="check-fingerprint" { (l.t(T::ChkLabel)) }
                input #check-fingerprint autocomplete="off" spellcheck="false" size="40" style="max-width:100%"
                    placeholder="0000 0000 0000 0000 0000 0000 0000 0000";
                " " button type="submit" { (l.t(T::ChkButton)) }
                " " button type="button" #check-forget hidden { (l.t(T::ChkForget)) }
                br; small #check-pinned hidden { (l.t(T::ChkPinned)) }
            }
            div #check-result hidden aria-live="polite" { p { b #check-verdict {} } ol #check-steps {} }
            p { small {
                (l.t(T::ChkNoJs)) " " code { "tallyproof log verify-inclusion" } (l.t(T::ChkNoJsLog)) " "
                code { "tallyproof verify" } "."
            } }
            p {
                b { (l.t(T::ChkProves)) } " " (l.t(T::ChkProvesText)) " "
                b { (l.t(T::ChkNotProves)) } " " (l.t(T::ChkNotProvesText)) " " code { "tallyproof verify" } "."
            }
            (messages(l))
            (PreEscaped(SCRIPT))
        }
    }
}

/// The sizes of a consistency proof.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Sizes {
    /// The size the browser saw.
    from: u64,
    /// The size it sees now.
    to: u64,
}

/// `GET /api/elections/{name}/consistency?from=M&to=N`: the consistency proof between two
/// sizes of the log (RFC 6962), so that a browser that saw the log at `from` can check that
/// the log at `to` extends it.
pub(crate) async fn consistency(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<Sizes>,
) -> Result<Json<Value>, ServerError> {
    let proof = blocking(move || {
        s.live.with(&s.db, &name, |v| {
            if q.to > v.size() {
                return Err(ServerError::BadRequest(format!(
                    "to: the log has {} entries, not {}",
                    v.size(),
                    q.to
                )));
            }
            v.consistency(q.from, q.to)
                .map_err(|e| ServerError::BadRequest(format!("from: {e}")))
        })
    })
    .await?;
    let proof: Vec<String> = proof.iter().map(|h| h.hex()).collect();
    Ok(Json(json!({"from": q.from, "to": q.to, "proof": proof})))
}
