//! Audit boards over HTTP (`audit::boards`): the auditor forms the boards of a round from
//! board members' logins; each board's members see their share of the round ballot by
//! ballot (a batch audit's: station by station), mark what each shows, and sign it off, each
//! with their own login. A member sees and changes only their own board's share; the marks
//! are drafts in the store until both members sign off the same marks, which logs them. The
//! rules (who sits on a board, what a share is, what may be marked, when a sign-off logs the
//! board's entry) are `audit::boards`'s; here the service authenticates, reads and answers.

use std::collections::HashMap;
use std::sync::Arc;

use audit::boards::{self, Mark, Marked, Share};
use audit::steps::Drawn;
use audit::workflow::Method;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use model::{Election, UnitId};
use record::{AuditStep, Role};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{BoardKey, BoardMarks, FileRef, Staffing, Store, User};

use crate::audits::{stored_ballots, take, take_act};
use crate::auth::{Acting, Caller};
use crate::pool::Pool;
use crate::public::blocking;
use crate::{AppState, ServerError};

/// A round's boards, as formed (they never change once logged): each board's share.
pub(crate) struct Formed {
    /// The audit's method.
    pub method: Method,
    /// The round.
    pub round: u64,
    /// The hex SHA-256 of the cast-vote records (comparison audits).
    pub cvrs: Option<String>,
    /// Each board's share, board 1 first.
    pub shares: Vec<Share>,
    /// The records' choices of each board's ballots (comparison audits), read once.
    records: std::sync::Mutex<HashMap<u64, Arc<Records>>>,
}

/// The records' choice of each ballot of a share, by draw.
type Records = HashMap<u64, Option<u32>>;

/// The records' choices of `share`'s ballots (none but in a comparison audit), read from the
/// stored records the first time and kept.
fn records_of(
    s: &AppState,
    e: &Election,
    f: &Formed,
    share: &Share,
) -> Result<Arc<Records>, ServerError> {
    let Some(sha) = &f.cvrs else {
        return Ok(Arc::default());
    };
    let kept = || {
        f.records
            .lock()
            .map_err(|_| ServerError::Internal("the boards' records".into()))
    };
    if let Some(r) = kept()?.get(&share.board) {
        return Ok(Arc::clone(r));
    }
    let read = Arc::new(share_records(s, e, sha, share)?);
    kept()?.insert(share.board, Arc::clone(&read));
    Ok(read)
}

/// The board's entry from its marks, and its SHA-256: what a sign-off signs.
fn entry_now(
    s: &AppState,
    e: &Election,
    f: &Formed,
    audit: &str,
    share: &Share,
    marks: &HashMap<u64, Marked>,
) -> Result<(AuditStep, String), ServerError> {
    let records = records_of(s, e, f, share)?;
    let step = boards::entry(e, audit, f.round, share, marks, &records)?;
    let digest = record::digest(&record::encode(&record::Entry::Audit(step.clone())));
    Ok((step, digest))
}

/// The boards of rounds, kept once computed: (election, audit, round).
pub(crate) type FormedCache = std::sync::Mutex<HashMap<(String, String, u64), Arc<Formed>>>;

/// The latest round's boards of an audit (computed once per round: drawing a national
/// round's ballots takes a while, a board's next ballot must not).
pub(crate) fn formed(s: &AppState, name: &str, audit: &str) -> Result<Arc<Formed>, ServerError> {
    let l = s.live.with(&s.db, name, |v| {
        Ok(audit::logged::logged(v.audit_entries(), audit)?)
    })?;
    let started = audit::logged::started(&l, audit)?;
    let round = l.rounds.len() as u64;
    if l.boards.last().is_none_or(Vec::is_empty) {
        return Err(ServerError::NotFound(format!(
            "round {round} of audit '{audit}' has no boards: the auditor forms them"
        )));
    }
    let key = (name.to_string(), audit.to_string(), round);
    let cache = || {
        s.boards
            .lock()
            .map_err(|_| ServerError::Internal("the boards' cache".into()))
    };
    if let Some(f) = cache()?.get(&key) {
        return Ok(Arc::clone(f));
    }
    let (election, protocols, size) = s.live.with(&s.db, name, |v| {
        Ok((v.election().clone(), v.protocols(), v.size()))
    })?;
    let mut log = Pool::get(&s.db)?.log(name)?;
    log.truncate(size as usize);
    let shares = boards::shares(&election, &protocols, &log, audit, round)?;
    let f = Arc::new(Formed {
        method: started.method,
        round,
        cvrs: started.cvrs,
        shares,
        records: Default::default(),
    });
    cache()?.insert(key, Arc::clone(&f));
    Ok(f)
}

/// Board `board` of the latest round, if `user` sits on it (else 403: a member sees only
/// their own board's ballots).
fn share_of<'a>(f: &'a Formed, board: u64, user: &User) -> Result<&'a Share, ServerError> {
    let share = usize::try_from(board)
        .ok()
        .and_then(|b| f.shares.get(b.checked_sub(1)?))
        .ok_or_else(|| ServerError::NotFound(format!("round {} has no board {board}", f.round)))?;
    if !share.has(&user.commitment) {
        return Err(ServerError::Forbidden(format!(
            "'{}' does not sit on board {board}: a member sees only their own board's ballots",
            user.name
        )));
    }
    Ok(share)
}

/// The board members' names by their commitments.
fn member_names(s: &AppState) -> Result<HashMap<String, String>, ServerError> {
    Ok(Pool::get(&s.db)?
        .users()?
        .into_iter()
        .filter(|u| u.role == Role::BoardMember)
        .map(|u| (u.commitment, u.name))
        .collect())
}

/// One item of a board's share, as a member sees it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Item {
    /// The key its mark is kept under: the draw (ballots) or the station's unit id.
    pub item: u64,
    /// The station's unit id.
    pub station: u32,
    /// The station's path.
    pub path: String,
    /// The ballot's position in its station (ballot audits).
    pub position: Option<u64>,
    /// The draws that picked it.
    pub draws: Vec<u64>,
    /// What the board marked, if anything yet.
    pub mark: Option<Marked>,
}

/// A board's share with its marks and sign-offs.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Board {
    pub audit: String,
    pub round: u64,
    pub board: u64,
    /// `comparison`, `polling` or `batch`.
    pub method: &'static str,
    /// The two members' names.
    pub members: [String; 2],
    /// The share, in the order a warehouse pulls it.
    pub items: Vec<Item>,
    /// Items marked.
    pub marked: usize,
    /// Items in the share.
    pub total: usize,
    /// Who has signed off since the boards were formed (names, in order; a member signs
    /// off again after the marks change).
    pub signed_by: Vec<String>,
    /// Whether the board's entry is logged (both members signed off the same marks).
    pub done: bool,
    /// Once every item is marked (and the board has not signed off): the SHA-256 of the
    /// board's entry from these marks, which a sign-off names (refused if the marks changed).
    pub entry: Option<String>,
}

/// The board's marks, by item.
fn marks_of(s: &AppState, name: &str, key: &BoardKey) -> Result<HashMap<u64, Marked>, ServerError> {
    Pool::get(&s.db)?
        .board_marks(name, key)?
        .into_iter()
        .map(|(item, text)| {
            let m: Marked = serde_json::from_str(&text)
                .map_err(|e| ServerError::Internal(format!("a stored board mark ({text}): {e}")))?;
            Ok((item, m))
        })
        .collect()
}

/// The items of a share with their marks.
fn items(e: &Election, share: &Share, marks: &HashMap<u64, Marked>) -> Vec<Item> {
    match &share.drawn {
        Drawn::Ballots(ds) => ds
            .iter()
            .map(|d| Item {
                item: d.draw,
                station: d.station.0,
                path: e.units.path(d.station),
                position: Some(d.position),
                draws: vec![d.draw],
                mark: marks.get(&d.draw).cloned(),
            })
            .collect(),
        Drawn::Stations(ds) => ds
            .iter()
            .map(|d| Item {
                item: u64::from(d.station.0),
                station: d.station.0,
                path: e.units.path(d.station),
                position: None,
                draws: d.draws.clone(),
                mark: marks.get(&u64::from(d.station.0)).cloned(),
            })
            .collect(),
    }
}

/// Board `board` of the latest round as `user` (a member of it, or the auditor) sees it;
/// who signed off is read from the log only once every item is marked (or with
/// `signatures` already read), so that a board's next ballot never waits for the log.
pub(crate) fn board_now(
    s: &AppState,
    name: &str,
    audit: &str,
    board: u64,
    user: &User,
    signatures: Option<&[(String, String)]>,
) -> Result<Board, ServerError> {
    let f = formed(s, name, audit)?;
    let share = match user.role {
        Role::Auditor => usize::try_from(board)
            .ok()
            .and_then(|b| f.shares.get(b.checked_sub(1)?))
            .ok_or_else(|| ServerError::NotFound(format!("no board {board}")))?,
        _ => share_of(&f, board, user)?,
    };
    let key = BoardKey {
        audit: audit.to_string(),
        round: f.round,
        board,
    };
    let marks = marks_of(s, name, &key)?;
    let all = share.items();
    let complete = all.iter().all(|i| marks.contains_key(i));
    let (items, done, election) = s.live.with(&s.db, name, |v| {
        let l = audit::logged::logged(v.audit_entries(), audit)?;
        let done = l
            .signed
            .get(f.round as usize - 1)
            .is_some_and(|b| b.contains(&board));
        let election = (complete && !done).then(|| v.election().clone());
        Ok((items(v.election(), share, &marks), done, election))
    })?;
    // The entry a sign-off would sign (none while a mark does not fit: the sign-off says why).
    let entry = match &election {
        Some(e) => entry_now(s, e, &f, audit, share, &marks)
            .ok()
            .map(|(_, d)| d),
        None => None,
    };
    let names = member_names(s)?;
    let name_of = |c: &str| names.get(c).cloned().unwrap_or_else(|| c.to_string());
    let marked = items.iter().filter(|i| i.mark.is_some()).count();
    let read;
    let signatures = match signatures {
        Some(x) => x,
        None if marked == items.len() => {
            read = signed(s, name, audit, f.round)?;
            &read[..]
        }
        None => &[],
    };
    // Who signed off these very marks (once they are all marked), else anything since the
    // boards were formed.
    let signed_by = signatures
        .iter()
        .filter(|(u, d)| share.has(u) && entry.as_ref().is_none_or(|e| e == d))
        .map(|(u, _)| name_of(u))
        .collect();
    Ok(Board {
        audit: audit.to_string(),
        round: f.round,
        board,
        method: f.method.key(),
        members: [name_of(&share.members.0), name_of(&share.members.1)],
        marked,
        total: items.len(),
        items,
        signed_by,
        done,
        entry,
    })
}

/// The sign-offs since round `round`'s boards were formed: (user commitment, entry digest).
fn signed(
    s: &AppState,
    name: &str,
    audit: &str,
    round: u64,
) -> Result<Vec<(String, String)>, ServerError> {
    // Only what follows the boards' entry is read: never the whole log.
    let from = s.live.with(&s.db, name, |v| {
        let l = audit::logged::logged(v.audit_entries(), audit)?;
        Ok(l.formed_at
            .get((round as usize).wrapping_sub(1))
            .copied()
            .unwrap_or(0))
    })?;
    let log = Pool::get(&s.db)?.log_since(name, from)?;
    Ok(boards::signed_since(&log, from, audit, round))
}

/// Every board of the latest round, for the auditor: progress without the items.
pub(crate) fn progress_now(
    s: &AppState,
    name: &str,
    audit: &str,
    auditor: &User,
) -> Result<Vec<Board>, ServerError> {
    let f = formed(s, name, audit)?;
    let signatures = signed(s, name, audit, f.round)?;
    (1..=f.shares.len() as u64)
        .map(|b| {
            let mut board = board_now(s, name, audit, b, auditor, Some(&signatures))?;
            board.items.clear();
            Ok(board)
        })
        .collect()
}

/// The boards as the auditor forms them: each two board members' login names.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FormBoards {
    pub boards: Vec<(String, String)>,
}

pub(crate) async fn form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, audit)): Path<(String, String)>,
    Json(b): Json<FormBoards>,
) -> Result<Response, ServerError> {
    let body = formed_by(&s, &who.acting()?, &name, &audit, b.boards).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A board member who may sit on a board of election `name`: their commitment
/// (`store::BoardMarks::board_member`), refused naming the board's field.
fn member(s: &AppState, name: &str, login: &str, at: &str) -> Result<String, ServerError> {
    Pool::get(&s.db)?
        .board_member(name, login)
        .map_err(|e| ServerError::BadRequest(format!("{at}: {e}")))
}

/// Forms the latest round's boards; answers each board's members and share size.
pub(crate) async fn formed_by(
    s: &AppState,
    by: &Acting,
    name: &str,
    audit: &str,
    logins: Vec<(String, String)>,
) -> Result<Value, ServerError> {
    let st = s.clone();
    let (n, l) = (name.to_string(), logins.clone());
    let pairs = blocking(move || {
        l.iter()
            .enumerate()
            .map(|(k, (a, b))| {
                let at = format!("boards[{k}]");
                Ok((member(&st, &n, a, &at)?, member(&st, &n, b, &at)?))
            })
            .collect::<Result<Vec<_>, ServerError>>()
    })
    .await?;
    let a = audit.to_string();
    let (sizes, size) = take(s, by, name, Vec::new(), move |at| {
        let (entry, shares) = boards::form(&at.election, &at.protocols, &at.log, &a, &pairs)?;
        let sizes: Vec<usize> = shares.iter().map(|x| x.items().len()).collect();
        Ok((vec![entry], sizes))
    })
    .await?;
    let boards: Vec<Value> = logins
        .iter()
        .zip(&sizes)
        .zip(1..)
        .map(|(((a, b), n), k)| json!({"board": k, "members": [a, b], "items": n}))
        .collect();
    Ok(json!({"audit": audit, "boards": boards, "logged_as": size - 1}))
}

pub(crate) async fn progress(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, audit)): Path<(String, String)>,
) -> Result<Response, ServerError> {
    let user = who.staff()?.clone();
    let boards = blocking(move || progress_now(&s, &name, &audit, &user)).await?;
    Ok(Json(json!({"boards": boards})).into_response())
}

pub(crate) async fn board(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, audit, board)): Path<(String, String, u64)>,
) -> Result<Response, ServerError> {
    let user = who.staff()?.clone();
    let b = blocking(move || board_now(&s, &name, &audit, board, &user, None)).await?;
    Ok(Json(b).into_response())
}

/// A mark as a member gives it: a choice's name as typed (matched with case, quotes and
/// look-alike letters folded; one that matches two choices is refused) or its index in the
/// contest (the board's screen's buttons), `blank` or `not-found`, or a station's hand count.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MarkRequest {
    #[serde(default)]
    pub choice: Option<String>,
    #[serde(default)]
    pub index: Option<u32>,
    #[serde(default)]
    pub mark: Option<String>,
    #[serde(default)]
    pub votes: Option<Vec<u64>>,
    #[serde(default)]
    pub ballots: Option<u64>,
}

impl MarkRequest {
    /// The mark, the choice's name found among the contest's.
    fn parse(self, e: &Election) -> Result<Marked, ServerError> {
        let bad = |m: &str| ServerError::BadRequest(m.to_string());
        match (self.choice, self.index, self.mark, self.votes, self.ballots) {
            (None, Some(i), None, None, None) => Ok(Marked::Ballot(Mark::Choice(i))),
            (Some(typed), None, None, None, None) => {
                let names: Vec<&str> = e
                    .contests
                    .first()
                    .map(|c| c.choices.iter().map(|x| x.name.as_str()).collect())
                    .unwrap_or_default();
                let index = model::names::NameIndex::new(&names, "choice of the contest");
                let i = index
                    .find(&typed)
                    .map_err(|x| ServerError::BadRequest(format!("choice: {x}")))?;
                Ok(Marked::Ballot(Mark::Choice(i as u32)))
            }
            (None, None, Some(m), None, None) => match m.as_str() {
                "blank" => Ok(Marked::Ballot(Mark::Blank)),
                "not-found" => Ok(Marked::Ballot(Mark::NotFound)),
                other => Err(ServerError::BadRequest(format!(
                    "mark: '{other}', expected blank or not-found"
                ))),
            },
            (None, None, None, Some(votes), Some(ballots)) => Ok(Marked::Count { votes, ballots }),
            _ => Err(bad(
                "give one of: a choice (its name), an index, a mark (blank or not-found), or a hand count (votes and ballots)",
            )),
        }
    }
}

pub(crate) async fn mark(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, audit, board, item)): Path<(String, String, u64, u64)>,
    Json(m): Json<MarkRequest>,
) -> Result<Response, ServerError> {
    let user = who.staff()?.clone();
    let marked = blocking(move || marked_now(&s, &name, &audit, board, item, &user, m)).await?;
    Ok(Json(json!({"item": item, "mark": marked})).into_response())
}

/// `user` marks item `item` of their board's share (or marks it again); answers the mark.
/// Refused once the board's entry is logged.
pub(crate) fn marked_now(
    s: &AppState,
    name: &str,
    audit: &str,
    board: u64,
    item: u64,
    user: &User,
    m: MarkRequest,
) -> Result<Marked, ServerError> {
    let f = formed(s, name, audit)?;
    let share = share_of(&f, board, user)?;
    let marked = s.live.with(&s.db, name, |v| {
        let l = audit::logged::logged(v.audit_entries(), audit)?;
        if l.signed
            .get(f.round as usize - 1)
            .is_some_and(|b| b.contains(&board))
        {
            return Err(ServerError::Conflict(format!(
                "board {board} has signed off: its readings are in the log"
            )));
        }
        let marked = m.parse(v.election())?;
        boards::check_mark(v.election(), share, item, &marked)?;
        Ok(marked)
    })?;
    let text = serde_json::to_string(&marked).map_err(|e| ServerError::Internal(e.to_string()))?;
    let key = BoardKey {
        audit: audit.to_string(),
        round: f.round,
        board,
    };
    Pool::get(&s.db)?.set_board_mark(name, user, &key, item, &text)?;
    Ok(marked)
}

/// A sign-off: the SHA-256 of the board's entry the member reviewed (the board's `entry`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignOffRequest {
    pub entry: String,
}

pub(crate) async fn sign_off(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, audit, board)): Path<(String, String, u64)>,
    Json(b): Json<SignOffRequest>,
) -> Result<Response, ServerError> {
    let body = signed_off(&s, &who.acting()?, &name, &audit, board, &b.entry).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `by` signs off their board's marks, as they reviewed them (`reviewed`: the SHA-256 of the
/// board's entry they were shown; refused if a mark changed since): logged as their staff
/// `sign-off` entry, followed by the board's entry if the other member signed off the same
/// marks before.
pub(crate) async fn signed_off(
    s: &AppState,
    by: &Acting,
    name: &str,
    audit: &str,
    board: u64,
    reviewed: &str,
) -> Result<Value, ServerError> {
    let (st, n, a) = (s.clone(), name.to_string(), audit.to_string());
    let f = blocking(move || formed(&st, &n, &a)).await?;
    share_of(&f, board, &by.user)?;
    let (st, n, a, member) = (
        s.clone(),
        name.to_string(),
        audit.to_string(),
        by.user.commitment.clone(),
    );
    let (ff, reviewed) = (Arc::clone(&f), reviewed.to_string());
    let (completes, size) = take_act(s, by, name, Vec::new(), move |at| {
        let share = &ff.shares[board as usize - 1];
        let key = BoardKey {
            audit: a.clone(),
            round: ff.round,
            board,
        };
        let marks = marks_of(&st, &n, &key)?;
        let (entry, digest) = entry_now(&st, &at.election, &ff, &a, share, &marks)?;
        if digest != reviewed {
            return Err(ServerError::Conflict(
                "the board's marks changed since you reviewed them: review them again, then sign off".into(),
            ));
        }
        let so = boards::sign_off(&at.log, &a, &member, &entry)?;
        Ok((so.act, so.entries, so.completes))
    })
    .await?;
    Ok(json!({
        "audit": audit,
        "round": f.round,
        "board": board,
        "logged_as": size - 1,
        "complete": completes,
        "note": if completes {
            "both members signed off the same marks: the board's readings are in the log"
        } else {
            "signed off: the board's other member signs off the same marks next (marks changed since a sign-off need both sign-offs again)"
        },
    }))
}

/// The records' choices of a share's ballots, read from the comparison audit's stored
/// records (only those ballots are kept).
fn share_records(
    s: &AppState,
    e: &Election,
    sha: &str,
    share: &Share,
) -> Result<HashMap<u64, Option<u32>>, ServerError> {
    let Drawn::Ballots(ds) = &share.drawn else {
        return Ok(HashMap::new());
    };
    let wanted: std::collections::HashSet<(UnitId, u64)> =
        ds.iter().map(|d| (d.station, d.position)).collect();
    let mut resolved: HashMap<String, Option<UnitId>> = HashMap::new();
    let file = stored_ballots(
        s,
        &FileRef::parse(sha)?,
        "the audit's cast-vote records",
        |batch, position| {
            let id = *resolved
                .entry(batch.to_string())
                .or_insert_with(|| e.units.resolve(batch).ok());
            id.is_some_and(|id| wanted.contains(&(id, position)))
        },
    )?;
    Ok(boards::records(e, sha, &file, share)?)
}
