//! "Check this station" (issue 15, item 5): what a station page gives the reader's browser to
//! check, without trusting this service, that the station's current protocol is in the log the
//! commission signed. The page states the log key and the witnesses' keys (untrusted: the
//! reader compares the log key's fingerprint with one obtained elsewhere), the checkpoint
//! (already shown in the log section), and the protocol entry's bytes, index and inclusion
//! proof; the static script `/static/check.js` ([`crate::statics`]) checks them. Everything is
//! in the page's text and data attributes, so the page reads the same without JavaScript.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::Json;
use html_escape::encode_text as text;
use readmodel::{About, Logged, Signing, View};
use serde::Deserialize;
use serde_json::{json, Value};
use store::Store;
use translog::note::NoteVerifier;

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
    let Some(signing) = signing else {
        return Ok(None);
    };
    let signed = u.checkpoint.as_ref().is_some_and(|c| c.size == u.log.0);
    let current = u
        .logged
        .iter()
        .filter(|l| matches!(l.about, About::Protocol { contest: 0, source, .. } if source == v.legal_count()))
        .max_by_key(|l| l.index);
    let (Some(current), true) = (current, signed) else {
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
    }))
}

/// The check's section of the station page: what it checks, what it proves and what it does
/// not, the keys as this service states them, and the controls the script shows.
pub fn section(c: &StationCheck) -> String {
    let witnesses = if c.witnesses.is_empty() {
        "<p>This service names no witness for the log.</p>".to_string()
    } else {
        let items: String = c
            .witnesses
            .iter()
            .map(|w| {
                format!(
                    "<li><code class=\"check-witness\">{}</code> fingerprint <code>{}</code></li>",
                    text(&w.text()),
                    w.fingerprint()
                )
            })
            .collect();
        format!(
            "<p>Witnesses (others who cosign the log when they have seen it):</p><ul>{items}</ul>"
        )
    };
    let proof: Vec<String> = c.logged.proof.iter().map(|h| h.hex()).collect();
    format!(
        "<section id=\"check\" data-station=\"{station}\" data-index=\"{index}\" data-entry=\"{entry}\" data-proof=\"{proof}\" data-consistency=\"/api/elections/{election}/consistency\">\
<h2>Check this station yourself <small>/ Проверьте участок сами</small></h2>\
<p>Your browser can check that this station's current protocol (log entry {index}) is in the log the election \
commission signed, without trusting this website. You need the <b>fingerprint of the commission's log key</b> from \
somewhere else: the commission's notice, the copy of the protocol posted at the station, or a newspaper.</p>\
<p>The log key as this website states it: <code id=\"check-key\">{key}</code>, fingerprint <code>{fingerprint}</code>. \
If it differs from the fingerprint you have, do not trust this page.</p>{witnesses}\
<form id=\"check-form\" hidden><label for=\"check-fingerprint\">Fingerprint of the log key (32 digits and letters a to f)</label><br>\
<input id=\"check-fingerprint\" autocomplete=\"off\" spellcheck=\"false\" size=\"40\" style=\"max-width:100%\" placeholder=\"0000 0000 0000 0000 0000 0000 0000 0000\"> \
<button type=\"submit\">Check this station</button> <button type=\"button\" id=\"check-forget\" hidden>Forget the saved fingerprint</button>\
<br><small id=\"check-pinned\" hidden>This browser saved the fingerprint from an earlier visit.</small></form>\
<div id=\"check-result\" hidden aria-live=\"polite\"><p><b id=\"check-verdict\"></b></p><ol id=\"check-steps\"></ol></div>\
<p><small>The check runs in your browser and needs JavaScript; without it, check the proof above with \
<code>tallyproof log verify-inclusion</code>, or the whole log with <code>tallyproof verify</code>.</small></p>\
<p><b>What a valid check proves:</b> this protocol, with these numbers, is in the log signed by the key whose fingerprint \
you gave, so the commission cannot later deny it or change it unnoticed; where witnesses cosigned, they saw the same \
log, so the commission cannot show other readers a different one. This browser remembers the latest checkpoint it \
checked and refuses an older one or a different log of the same size. \
<b>What it does not prove:</b> that the protocol matches the paper protocol at the station (compare the votes with the \
copy posted there), that the count was honest, or that the totals add up (<code>tallyproof verify</code> replays the \
whole log).</p>{script}</section>",
        station = c.station,
        index = c.logged.index,
        entry = hex::encode(&c.entry),
        proof = proof.join(","),
        election = urlencode(&c.election),
        key = text(&c.key.text()),
        fingerprint = c.key.fingerprint(),
        script = SCRIPT,
    )
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
