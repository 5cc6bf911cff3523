//! The phone's scan of a posted protocol (issue 22, item 2; `docs/protocol-qr.md`): the page
//! (`GET /scan`) reads the QR code with the camera or from a photo, keeps what it read on the
//! phone, and once online asks this service (`GET /api/posted?code=TEXT`) for what its log
//! says of the station the code names: the comparison of the posted figures with the
//! station's official versions (`pvt::compare`, the quick count's and `tallyproof protocol
//! check`'s) and everything the station check needs to verify, in the browser and without
//! trusting this service, the current protocol entry against the key the code names (the
//! checkpoint, the keys, the entry's bytes, its inclusion proof: `check::StationCheck`).

use axum::extract::{Query, State};
use axum::http::header::{self, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use axum::Json;
use postedqr::Posted;
use record::Role;
use serde::Deserialize;
use serde_json::{json, Value};
use store::Store;

use crate::auth::Caller;
use crate::pool::Pool;
use crate::public::blocking;
use crate::reader::Reader;
use crate::{data, pages, AppState, ServerError};

/// The policy of the scan page: the pages' policy, this site's scripts and requests, and
/// WebAssembly compiled from this site's own `zxing-wasm` reader (that page only).
pub const SCAN_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
     connect-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; \
     style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// `GET /scan`; for an observer logged in, with a form to send what the code holds as their
/// report in each quick count of the elections they are granted.
pub(crate) async fn page(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    r: Reader,
) -> Result<Response, ServerError> {
    let targets = match (&who.user, &who.session) {
        (Some(user), Some((_, csrf))) if user.role == Role::Observer => {
            let (user, csrf) = (user.clone(), csrf.clone());
            let list = blocking(move || {
                let store = Pool::get(&s.db)?;
                let mut out = Vec::new();
                for name in data::elections(&s.db)? {
                    if !crate::quick::granted_here(&store, &user, &name)? {
                        continue;
                    }
                    let counts = s.live.with(&s.db, &name, |v| {
                        Ok(v.quick_counts()
                            .into_iter()
                            .map(|q| q.name)
                            .collect::<Vec<_>>())
                    })?;
                    out.extend(counts.into_iter().map(|pvt| (name.clone(), pvt)));
                }
                Ok(out)
            })
            .await?;
            Some((list, csrf))
        }
        _ => None,
    };
    let mut res = Html(pages::scan(r.lang, targets.as_ref())).into_response();
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(SCAN_POLICY),
    );
    Ok(res)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CodeQuery {
    /// The QR code's text.
    code: String,
}

/// `GET /api/posted?code=TEXT`: what the log says of the station a posted protocol's code
/// names.
pub(crate) async fn api(
    State(s): State<AppState>,
    Query(q): Query<CodeQuery>,
) -> Result<Json<Value>, ServerError> {
    let posted = Posted::decode(&q.code).map_err(|e| ServerError::BadRequest(e.to_string()))?;
    let fingerprint = s.live.signing().map(|k| k.verifier().fingerprint_bytes());
    let v = blocking(move || {
        let name = posted.election.clone();
        let flags = s.live.flags(&s.db, &name)?;
        s.live.with(&s.db, &name, |v| {
            let e = v.election();
            let station = posted.station;
            if !e.units.is_station(station) {
                return Err(ServerError::NotFound(format!(
                    "election '{name}' has no station {}",
                    station.0
                )));
            }
            let choices: Vec<String> = e.choice_names(posted.contest);
            let path = e.units.path(station);
            let u = data::unit(&s.db, v, &name, station.0, flags.as_deref())?;
            let which = (posted.contest, posted.source);
            let check = crate::check::station_of(&s.db, v, &name, &u, s.live.signing(), which)?;
            // The station's protocols and decisions, as the log holds them, read once: their
            // bytes (with the proofs `u.logged` has) go to the page as they are.
            let store = Pool::get(&s.db)?;
            let mut raw = Vec::with_capacity(u.logged.len());
            let mut entries = Vec::with_capacity(u.logged.len());
            for l in &u.logged {
                if let Some(b) = store.log_range(&name, l.index, l.index + 1)?.pop() {
                    let entry = record::decode(l.index, &b)
                        .map_err(|e| ServerError::Internal(e.to_string()))?;
                    entries.push((l.index, entry));
                    raw.push((l, b));
                }
            }
            // The latest version of the code's contest in the code's count: where its versions end.
            let counted: Vec<model::Protocol> = entries
                .iter()
                .filter_map(|(_, x)| match x {
                    record::Entry::Protocol(p)
                        if p.contest == posted.contest && p.source == posted.source =>
                    {
                        Some(p.clone())
                    }
                    _ => None,
                })
                .max_by_key(|p| p.version)
                .into_iter()
                .collect();
            let e = v.election();
            let versions = record::versions(e, entries, posted.contest, posted.source, &counted)
                .remove(&station)
                .unwrap_or_default();
            let copied = posted.protocol();
            let compared = record::compare(&choices, &copied, &versions);
            // For a page that takes no one's word: the earlier version the code holds and the
            // recount that ordered the version in force (both entries about the station), each
            // with its inclusion proof.
            let earlier = versions
                .iter()
                .rev()
                .skip(1)
                .find(|x| pvt::compare::protocols(&choices, &copied, &x.protocol).is_empty())
                .map(|x| x.entry);
            let ordered_by = versions.last().and_then(|x| x.ordered_by);
            let proven = |index: u64| {
                raw.iter().find(|(l, _)| l.index == index).map(|(l, b)| {
                    json!({
                        "index": index,
                        "entry": hex::encode(b),
                        "proof": l.proof.iter().map(|h| h.hex()).collect::<Vec<_>>(),
                    })
                })
            };
            let earlier = earlier.and_then(proven);
            let decision = ordered_by.and_then(proven);
            Ok(json!({
                "code_sha256": Posted::digest(&q.code),
                "election": name,
                "title": e.contests.first().map_or(name.as_str(), |c| c.name.as_str()),
                "station": station.0,
                "path": path,
                "contest": posted.contest,
                "choices": choices,
                "same_key": fingerprint == Some(posted.key),
                "compared": compared,
                "versions": versions.iter().map(|x| json!({
                    "version": x.protocol.version,
                    "entry": x.entry,
                    "ordered_by": x.ordered_by,
                })).collect::<Vec<_>>(),
                "check": check.map(|c| c.data()),
                "earlier": earlier,
                "decision": decision,
            }))
        })
    })
    .await?;
    Ok(Json(v))
}
