//! The endpoint an SMS gateway calls with each observer's message (issue 20; `docs/sms.md`):
//! the request authenticated by the gateway's own secret (`observe::gateway`), a message id
//! taken once, the sender found by their phone's pseudonym (the number itself is never
//! stored), a message in parts joined, the report read by the quick count's codebook and its
//! station found by its number; then logged as the observer's report through the same path
//! as the web's ([`crate::quick::log_reports`]), durable before the answer, which carries the
//! reply for the gateway to send, in the sender's alphabet.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use model::{Protocol, UnitId};
use observe::codes::Codebook;
use observe::gateway::{Gateway, Seen};
use observe::inbox::{check_counts, Reply, Taken};
use observe::numbers::StationNumbers;
use observe::parts::{Part, Parts};
use observe::phone::{Dialling, Phone, PhoneKey};
use observe::sms::{items, read, Alphabet};
use observe::ObserveError;
use serde::Deserialize;
use serde_json::{json, Value};
use store::Staffing;

use crate::auth::{self, Acting};
use crate::pool::Pool;
use crate::public::blocking;
use crate::{AppState, ServerError};

/// The header with the request's time (Unix seconds).
pub const TIME_HEADER: &str = "x-tallyproof-time";
/// The header with the gateway's signature (hex).
pub const SIGNATURE_HEADER: &str = "x-tallyproof-signature";

/// What the service needs to take SMS reports: the gateways, the key of the phones'
/// pseudonyms (kept outside the store) and how numbers are dialled at home.
pub struct SmsConfig {
    /// The gateways, each with its secret.
    pub gateways: Vec<Gateway>,
    /// The key of the phones' pseudonyms.
    pub key: PhoneKey,
    /// The home country's calling code and trunk prefix.
    pub dialling: Dialling,
}

/// The SMS desk: the configuration, the message ids taken, the parts waiting, and each quick
/// count's drawn stations by number (fixed once its seed is revealed).
pub(crate) struct Sms {
    gateways: HashMap<String, Gateway>,
    key: PhoneKey,
    dialling: Dialling,
    seen: Mutex<Seen>,
    /// The parts waiting, and when they were last given up on (at most once a second).
    parts: Mutex<(Parts, u64)>,
    drawn: Mutex<HashMap<(String, String), Arc<Drawn>>>,
}

/// A quick count's drawn stations, as an SMS names them.
struct Drawn {
    book: Codebook,
    numbers: StationNumbers,
    units: Vec<UnitId>,
    contest: usize,
}

impl Sms {
    pub(crate) fn new(c: SmsConfig) -> Sms {
        Sms {
            gateways: c
                .gateways
                .into_iter()
                .map(|g| (g.name().to_string(), g))
                .collect(),
            key: c.key,
            dialling: c.dialling,
            seen: Mutex::new(Seen::since(u64::try_from(crate::auth::now()).unwrap_or(0))),
            parts: Mutex::default(),
            drawn: Mutex::default(),
        }
    }
}

impl Sms {
    /// The pseudonym of a phone number as typed (read as the home country dials it).
    pub(crate) fn pseudonym(&self, phone: &str) -> Result<String, ObserveError> {
        Ok(self.key.pseudonym(&Phone::read(phone, &self.dialling)?))
    }
}

/// A gateway's message.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Incoming {
    /// The gateway's id of the message (or of the part): taken once.
    pub id: String,
    /// The sender's number, as the gateway writes it.
    pub from: String,
    /// The text (or the part's).
    pub text: String,
    /// For a part: the concatenation reference, its number and the count of parts.
    #[serde(default)]
    pub reference: Option<u32>,
    #[serde(default)]
    pub part: Option<u32>,
    #[serde(default)]
    pub parts: Option<u32>,
}

fn poisoned<T>(_: T) -> ServerError {
    ServerError::Internal("the SMS desk's lock is poisoned".into())
}

/// `POST /api/elections/{name}/pvt/{pvt}/sms/{gateway}`: a gateway's message. Answers
/// `{"id", "reply"}`: the text to send back to the sender (null while a message in parts
/// waits for its other parts). Refused without a reply (401) if unsigned, wrongly signed,
/// stale or signed before the service started; 409 if its id was taken before.
pub(crate) async fn receive(
    State(s): State<AppState>,
    Path((name, pvt, gateway)): Path<(String, String, String)>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ServerError> {
    let sms = s.sms.clone().ok_or_else(|| {
        ServerError::NotFound("this service takes no SMS (serve --sms-gateway)".into())
    })?;
    let g = sms
        .gateways
        .get(&gateway)
        .ok_or_else(|| ServerError::Unauthorized(format!("no gateway '{gateway}'")))?;
    let header = |h: &str| {
        headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ServerError::Unauthorized(format!("the {h} header is missing")))
    };
    let time: u64 = header(TIME_HEADER)?
        .trim()
        .parse()
        .map_err(|_| ServerError::Unauthorized(format!("{TIME_HEADER}: Unix seconds")))?;
    let now = u64::try_from(auth::now()).unwrap_or(0);
    // Over the path as sent: a request signed for one election's quick count is no other's.
    g.check(time, uri.path(), &body, header(SIGNATURE_HEADER)?, now)
        .map_err(|e| ServerError::Unauthorized(e.to_string()))?;
    let m: Incoming = serde_json::from_slice(&body)
        .map_err(|e| ServerError::BadRequest(format!("the message: {e}")))?;
    sms.seen
        .lock()
        .map_err(poisoned)?
        .take(&gateway, &m.id, time, now)
        .map_err(|e| match e {
            ObserveError::Replayed { .. } => ServerError::Conflict(e.to_string()),
            _ => ServerError::Unauthorized(e.to_string()),
        })?;
    let answer = take(&s, &sms, name, pvt, &m, now).await?;
    let reply = answer.map(|(reply, alphabet)| ui::sms::reply(ui::sms::lang(alphabet), &reply));
    Ok(Json(json!({"id": m.id, "reply": reply})))
}

/// The reply to message `m` received at `now`, in its alphabet (none for a part of a
/// message still waiting). A refused message changes nothing.
async fn take(
    s: &AppState,
    sms: &Arc<Sms>,
    name: String,
    pvt: String,
    m: &Incoming,
    now: u64,
) -> Result<Option<(Reply, Alphabet)>, ServerError> {
    let refused = |e: ObserveError, text: &str| Ok(Some((Err(e), Alphabet::of(text))));
    let Ok(phone) = Phone::read(&m.from, &sms.dialling) else {
        return refused(ObserveError::UnknownSender, &m.text);
    };
    let sender = sms.key.pseudonym(&phone);
    let db = Arc::clone(&s.db);
    let pseudonym = sender.clone();
    let Some(user) = blocking(move || Ok(Pool::get(&db)?.phone_user(&pseudonym)?)).await? else {
        // A stranger's parts are never kept.
        return refused(ObserveError::UnknownSender, &m.text);
    };
    let text = match (m.reference, m.part, m.parts) {
        (None, None, None) => m.text.clone(),
        (Some(reference), Some(part), Some(parts)) => {
            let p = Part {
                sender: &sender,
                reference,
                part,
                parts,
                text: &m.text,
            };
            let mut waiting = sms.parts.lock().map_err(poisoned)?;
            // Messages whose other parts never came are given up (`PART_WAIT`), so that
            // they hold no sender's room, nor everyone's, for ever.
            if waiting.1 < now {
                waiting.0.expire(now);
                waiting.1 = now;
            }
            match waiting.0.add(&p, now) {
                Ok(Some(whole)) => whole,
                Ok(None) => return Ok(None),
                Err(e) => return refused(e, &m.text),
            }
        }
        _ => {
            return Err(ServerError::BadRequest(
                "reference, part and parts go together".into(),
            ))
        }
    };
    let alphabet = Alphabet::of(&text);
    let drawn = drawn(s, sms, &name, &pvt).await?;
    let report = match read(&text, &drawn.book) {
        Ok(r) => r,
        Err(e) => return Ok(Some((Err(e), alphabet))),
    };
    let Some(k) = drawn.numbers.find(&report.station) else {
        let e = ObserveError::NotInSample {
            station: report.station.clone(),
        };
        return Ok(Some((Err(e), alphabet)));
    };
    if let Err(e) = check_counts(&report, &drawn.book) {
        return Ok(Some((Err(e), alphabet)));
    }
    let number = drawn.numbers.number(k).to_string();
    let mut p = Protocol::new(drawn.units[k], drawn.contest, drawn.book.choices());
    for &(line, n) in &report.lines {
        p.set_line(line, n);
    }
    p.votes.clone_from(&report.votes);
    let time = record::Time::from_unix(now)
        .map_err(|_| ServerError::Internal(format!("the service's clock reads {now}")))?;
    let by = Acting { user, now: time };
    let read_as = items(&report, &drawn.book);
    let logged = crate::quick::log_reports(s, by, name, pvt, vec![(p, None)]).await;
    // The reply repeats the report as read and says it is recorded, never how other
    // observers' copies of the station stand (as the web's answer).
    let reply = match logged {
        Ok(_) => Ok(Taken::Recorded {
            station: number,
            read: read_as,
        }),
        // The store's: the station is not among the units assigned to the observer.
        Err(ServerError::Forbidden(_)) => Err(ObserveError::NotAssigned { station: number }),
        // The quick count's rules, as the web's reports are held to them.
        Err(ServerError::Unprocessable(why) | ServerError::BadRequest(why)) => {
            Err(ObserveError::invalid("report", why))
        }
        Err(other) => return Err(other),
    };
    Ok(Some((reply, alphabet)))
}

/// Quick count `pvt`'s drawn stations by number, computed once its seed is revealed.
async fn drawn(
    s: &AppState,
    sms: &Arc<Sms>,
    name: &str,
    pvt: &str,
) -> Result<Arc<Drawn>, ServerError> {
    let key = (name.to_string(), pvt.to_string());
    if let Some(d) = sms.drawn.lock().map_err(poisoned)?.get(&key) {
        return Ok(Arc::clone(d));
    }
    let (state, n, p) = (s.clone(), name.to_string(), pvt.to_string());
    let d = blocking(move || {
        state.live.with(&state.db, &n, |v| {
            let q = v.quick();
            let (contest, choices) = q.contest(&p).ok_or_else(|| {
                ServerError::NotFound(format!("no quick count '{p}' designed in '{n}'"))
            })?;
            let drawn = q.drawn(&p);
            if drawn.is_empty() {
                return Err(ServerError::Unprocessable(format!(
                    "quick count '{p}' takes reports once its seed is revealed"
                )));
            }
            let numbers =
                numbers_of(drawn).map_err(|e| ServerError::Unprocessable(e.to_string()))?;
            Ok(Drawn {
                book: Codebook::default_for(choices.len()),
                numbers,
                units: drawn.iter().map(|d| d.unit).collect(),
                contest,
            })
        })
    })
    .await?;
    let d = Arc::new(d);
    sms.drawn
        .lock()
        .map_err(poisoned)?
        .insert(key, Arc::clone(&d));
    Ok(d)
}

/// The numbers an SMS names the drawn stations by, as the observers' sheets print them
/// (stations sharing a number told apart by their stratum's).
pub(crate) fn numbers_of(drawn: &[record::DrawnStation]) -> Result<StationNumbers, ObserveError> {
    let listed: Vec<(&str, usize)> = drawn
        .iter()
        .map(|d| (d.path.as_str(), d.stratum_index))
        .collect();
    StationNumbers::of(&listed)
}
