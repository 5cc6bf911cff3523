//! The audit boards at the desk: the auditor forms a round's boards and follows each one's
//! progress; a board member opens their own board's share and marks it ballot by ballot (a
//! batch audit's station by station) with a choice picker that shows the party names as the
//! ballot does, then signs it off with their own login. The rules are `audit::boards`'s and
//! the service's `boards` module's; this renders them and reads the forms.

use std::collections::HashMap;

use audit::boards::{Mark, Marked};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use maud::{html, Markup};
use model::Election;
use serde::Deserialize;
use ui::{Lang, Section, T};

use super::done::Act;
use super::fields::{self, field};
use super::Desk;
use crate::auth::Caller;
use crate::boards::{Board, Item, MarkRequest};
use crate::form::DeskForm;
use crate::pages::{self, urlencode};
use crate::public::blocking;
use crate::reader::Reader;
use crate::{AppState, ServerError};

/// A mark in words: the choice's name as on the ballot, blank or not found, or a hand count
/// (votes per choice, then the ballots counted).
fn mark_text(l: Lang, e: &Election, m: &Marked) -> Markup {
    let name = |c: u32| {
        e.contests
            .first()
            .and_then(|x| x.choices.get(c as usize))
            .map_or_else(|| c.to_string(), |x| x.name.clone())
    };
    match m {
        Marked::Ballot(Mark::Choice(c)) => html! { (name(*c)) },
        Marked::Ballot(Mark::Blank) => html! { (l.t(T::DeskBoardBlank)) },
        Marked::Ballot(Mark::NotFound) => html! { (l.t(T::DeskBoardNotFound)) },
        Marked::Count { votes, ballots } => html! {
            (votes.iter().map(|v| l.count(*v)).collect::<Vec<_>>().join(" / ")) " · " (l.count(*ballots))
        },
    }
}

/// The board's address under the desk.
fn board_path(name: &str, audit: &str, board: u64) -> String {
    format!(
        "/elections/{}/staff/boards/{}/{board}",
        urlencode(name),
        urlencode(audit)
    )
}

/// A board's progress in one line: marked, signed off.
fn progress_line(l: Lang, b: &Board) -> Markup {
    let total = b.total;
    html! {
        (l.f(T::DeskBoardProgress, &[("marked", &l.count(b.marked as u64)), ("total", &l.count(total as u64))]))
        " · "
        @if b.done { (l.t(T::DeskBoardDone)) }
        @else if b.signed_by.is_empty() { (l.t(T::DeskBoardNotSigned)) }
        @else { (l.f(T::DeskBoardSignedBy, &[("names", &b.signed_by.join(", "))])) }
    }
}

/// The board member's desk: the boards they sit on, with a link to each one's ballots.
pub(super) fn member(d: &Desk<'_>, boards: &[Board]) -> Markup {
    let l = d.l;
    html! {
        h2 { (l.t(T::NavAudits)) }
        @if boards.is_empty() { p { (l.t(T::DeskBoardNone)) } }
        @for b in boards {
            div.card {
                h3 { (l.f(T::DeskBoardYours, &[("audit", &b.audit), ("round", &b.round.to_string()), ("board", &b.board.to_string()), ("members", &b.members.join(", "))])) }
                p { (progress_line(l, b)) }
                p { a.button href=(board_path(d.name, &b.audit, b.board)) { (l.f(T::DeskBoardOpen, &[("n", &b.board.to_string())])) } }
            }
        }
    }
}

/// The auditor's part for an audit whose latest round waits: its boards' progress, or the
/// form that forms them (`members`: the board members who may sit in this election).
pub(super) fn auditor(
    d: &Desk<'_>,
    audit: &str,
    round: usize,
    boards: Option<&[Board]>,
    members: &[String],
) -> Markup {
    let l = d.l;
    let act = format!("audits/{}", urlencode(audit));
    let id = |what: String| format!("{what}-{}", urlencode(audit));
    html! {
        h4 { (l.f(T::DeskBoardsHeading, &[("n", &round.to_string())])) }
        @match boards {
            Some(boards) => {
                p.note { (l.f(T::DeskAuditBoardsNote, &[("n", &round.to_string())])) }
                div.scroll tabindex="0" { table.boards {
                    tbody {
                        @for b in boards {
                            tr {
                                th scope="row" { (l.f(T::DeskBoardN, &[("n", &b.board.to_string())])) }
                                td { (b.members.join(", ")) }
                                td { (progress_line(l, b)) }
                            }
                        }
                    }
                } }
            }
            None if members.is_empty() => p.note { (l.t(T::DeskBoardsNoMembers)) },
            None => {
                (d.form(&act, false, html! {
                    input type="hidden" name="action" value="boards";
                    p.hint { (l.t(T::DeskBoardsFormHint)) }
                    @for k in 1..=4u32 {
                        @for (side, term) in [("a", T::DeskBoardFirstMember), ("b", T::DeskBoardSecondMember)] {
                            @let field_id = id(format!("board-{k}-{side}"));
                            (field(&field_id, l.f(term, &[("n", &k.to_string())]), None, html! {
                                select id=(field_id) name=(format!("board_{k}_{side}")) {
                                    option value="" { "—" }
                                    @for m in members { option value=(m) { (m) } }
                                }
                            }))
                        }
                    }
                    div.acts { button { (l.t(T::DeskBoardsButton)) } }
                }))
            }
        }
    }
}

/// The boards the auditor's form names: `board_K_a` and `board_K_b`, both or neither.
pub(super) fn formed_boards(form: &DeskForm) -> Result<Vec<(String, String)>, ServerError> {
    let mut out = Vec::new();
    for k in 1..=4 {
        let get = |side: &str| {
            form.get(&format!("board_{k}_{side}"))
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
        };
        match (get("a"), get("b")) {
            (Some(a), Some(b)) => out.push((a, b)),
            (None, None) => {}
            _ => {
                return Err(ServerError::BadRequest(format!(
                    "field 'board_{k}': a board is two members; choose both or neither"
                )))
            }
        }
    }
    Ok(out)
}

/// Which item the board screen shows (the language, `lang`, is the reader's).
#[derive(Deserialize, Default)]
pub(crate) struct BoardQuery {
    /// The item to mark (default: the first not marked yet).
    #[serde(default)]
    item: Option<u64>,
}

/// The board's screen (`/elections/{name}/staff/boards/{audit}/{board}`): the item to mark
/// with the choice picker (or the hand count's fields), the share with its marks, and the
/// sign-off once every item is marked.
pub(crate) async fn page(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, audit, board)): Path<(String, String, u64)>,
    Query(q): Query<BoardQuery>,
    r: Reader,
) -> Result<Response, ServerError> {
    let user = who.staff()?.clone();
    let html = blocking(move || {
        let b = crate::boards::board_now(&s, &name, &audit, board, &user, None)?;
        s.live.with(&s.db, &name, |v| {
            let heading = pages::heading(v, &name);
            let desk = Desk {
                l: r.lang,
                name: &name,
                election: v.election(),
                csrf: fields::csrf(&who),
            };
            let body = screen(&desk, &b, q.item);
            Ok(pages::frame(
                r.lang,
                &r.here,
                Some(&heading),
                Section::Staff,
                r.lang.t(T::DeskTitle),
                body,
            ))
        })
    })
    .await?;
    Ok(axum::response::Html(html).into_response())
}

/// The screen of board `b`, showing item `chosen` (or the first not marked).
fn screen(d: &Desk<'_>, b: &Board, chosen: Option<u64>) -> Markup {
    let l = d.l;
    let at = chosen
        .and_then(|c| b.items.iter().position(|i| i.item == c))
        .or_else(|| b.items.iter().position(|i| i.mark.is_none()));
    let base = format!("boards/{}/{}", urlencode(&b.audit), b.board);
    html! {
        p { a href=(d.base()) { (l.t(T::DeskBack)) } }
        h2 { (l.f(T::DeskBoardYours, &[("audit", &b.audit), ("round", &b.round.to_string()), ("board", &b.board.to_string()), ("members", &b.members.join(", "))])) }
        p role="status" { (progress_line(l, b)) }
        @if let Some(k) = at.filter(|_| !b.done) {
            (item(d, b, k, &base))
        }
        @if at.is_none() && !b.done {
            div.card {
                p { (l.t(T::DeskBoardAllMarked)) }
                // The sign-off names the marks shown: refused if they changed meanwhile.
                (d.form(&format!("{base}/sign-off"), false, html! {
                    @if let Some(entry) = &b.entry { input type="hidden" name="entry" value=(entry); }
                    div.acts { button #sign-off { (l.t(T::DeskBoardSignOff)) } }
                }))
            }
        }
        h3 { (l.t(T::DeskBoardList)) }
        (share_table(d, b))
    }
}

/// The item to mark: where it is, and the picker (or a station's count).
fn item(d: &Desk<'_>, b: &Board, k: usize, base: &str) -> Markup {
    let l = d.l;
    let it = &b.items[k];
    let n = b.items.len().to_string();
    let choices: Vec<&str> = d
        .election
        .contests
        .first()
        .map(|c| c.choices.iter().map(|x| x.name.as_str()).collect())
        .unwrap_or_default();
    let act = format!("{base}/marks/{}", it.item);
    let batch = b.method == "batch";
    html! {
        div.card.ballot {
            h3 {
                @if batch { (l.f(T::DeskBoardStationK, &[("k", &(k + 1).to_string()), ("n", &n)])) }
                @else { (l.f(T::DeskBoardBallot, &[("k", &(k + 1).to_string()), ("n", &n)])) }
            }
            dl.where {
                dt { (l.t(T::DeskBoardStation)) } dd.station { (it.path) }
                @if let Some(p) = it.position { dt { (l.t(T::DeskBoardPosition)) } dd.position { (l.count(p)) } }
                dt { (l.t(T::DeskBoardDraw)) } dd { (it.draws.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")) }
            }
            @if let Some(m) = &it.mark { p.note { (l.t(T::DeskBoardMarkCol)) ": " strong { (mark_text(l, d.election, m)) } } }
            @if batch {
                h4 { (l.t(T::DeskBoardCountHeading)) }
                (d.form(&act, false, html! {
                    @for (i, c) in choices.iter().enumerate() {
                        @let id = format!("vote_{i}");
                        @let before = match &it.mark { Some(Marked::Count { votes, .. }) => votes.get(i).map(u64::to_string), _ => None };
                        div {
                            label for=(id) { (c) }
                            input id=(id) name=(id) inputmode="numeric" pattern="[0-9]*" autocomplete="off" required value=[before];
                        }
                    }
                    @let before = match &it.mark { Some(Marked::Count { ballots, .. }) => Some(ballots.to_string()), _ => None };
                    (fields::count_with("ballots", l.t(T::DeskBoardBallotsCounted), true, before.as_deref()))
                    div.acts { button #record-count { (l.t(T::DeskBoardRecord)) } }
                }))
            } @else {
                h4 { (l.t(T::DeskBoardWhat)) }
                (d.form(&act, false, html! {
                    div.choices {
                        // The choice's index, not its name, is sent: a name is data, shown as text.
                        @for (i, c) in choices.iter().enumerate() {
                            button.choice name="index" value=(i) { (c) }
                        }
                        button.alt.blank name="mark" value="blank" { (l.t(T::DeskBoardBlank)) }
                        button.alt.not-found name="mark" value="not-found" aria-describedby="not-found-hint" { (l.t(T::DeskBoardNotFound)) }
                    }
                    p.hint #not-found-hint { (l.t(T::DeskBoardNotFoundHint)) }
                }))
                (d.form(&act, false, html! {
                    (field("typed", l.t(T::DeskBoardTyped), None, html! {
                        input #typed name="typed" list="choice-names" autocomplete="off" autocapitalize="characters" spellcheck="false" required;
                        datalist #choice-names { @for c in &choices { option { (c) } } }
                    }))
                    div.acts { button #record-typed { (l.t(T::DeskBoardRecord)) } }
                }))
            }
        }
    }
}

/// The board's share with its marks, each with a link to change it.
fn share_table(d: &Desk<'_>, b: &Board) -> Markup {
    let l = d.l;
    let path = board_path(d.name, &b.audit, b.board);
    let batch = b.method == "batch";
    html! {
        div.scroll tabindex="0" { table.share {
            thead { tr {
                th scope="col" { "#" }
                th scope="col" { (l.t(T::DeskBoardStation)) }
                @if !batch { th scope="col" { (l.t(T::DeskBoardPosition)) } }
                th scope="col" { (l.t(T::DeskBoardMarkCol)) }
                @if !b.done { th scope="col" {} }
            } }
            tbody {
                @for (k, it) in b.items.iter().enumerate() {
                    (row(l, d.election, k, it, batch, (!b.done).then(|| format!("{path}?item={}", it.item))))
                }
            }
        } }
    }
}

fn row(l: Lang, e: &Election, k: usize, it: &Item, batch: bool, change: Option<String>) -> Markup {
    html! {
        tr.unmarked[it.mark.is_none()] {
            td.num { (k + 1) }
            td { (it.path) }
            @if !batch { td.num { @if let Some(p) = it.position { (l.count(p)) } } }
            td { @match &it.mark { Some(m) => (mark_text(l, e, m)), None => em { (l.t(T::DeskBoardUnmarked)) } } }
            @if let Some(href) = change { td { a href=(href) { (l.t(T::DeskBoardChange)) } } }
        }
    }
}

/// A mark as the board's form sends it: a choice's button, a typed name, blank or not
/// found, or a station's count (`vote_I` per choice, `ballots`).
fn mark_request(form: &DeskForm, choices: usize) -> Result<MarkRequest, ServerError> {
    let text = |k: &str| {
        form.get(k)
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
    };
    if let Some(i) = text("index") {
        let index = i.parse().map_err(|_| {
            ServerError::BadRequest(format!("field 'index': '{i}' is not a choice"))
        })?;
        return Ok(MarkRequest {
            index: Some(index),
            ..Default::default()
        });
    }
    if let Some(c) = text("typed") {
        return Ok(MarkRequest {
            choice: Some(c),
            ..Default::default()
        });
    }
    if let Some(m) = text("mark") {
        return Ok(MarkRequest {
            mark: Some(m),
            ..Default::default()
        });
    }
    let count = |k: &str| {
        let v =
            text(k).ok_or_else(|| ServerError::BadRequest(format!("field '{k}' is missing")))?;
        v.parse::<u64>()
            .map_err(|_| ServerError::BadRequest(format!("field '{k}': '{v}' is not a count")))
    };
    let votes = (0..choices)
        .map(|i| count(&format!("vote_{i}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(MarkRequest {
        votes: Some(votes),
        ballots: Some(count("ballots")?),
        ..Default::default()
    })
}

/// A board's mark from its screen; back to the screen's next item.
pub(crate) async fn mark_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, audit, board, item)): Path<(String, String, u64, u64)>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    let user = who.staff()?.clone();
    let (n, a) = (name.clone(), audit.clone());
    blocking(move || {
        let choices = s.live.with(&s.db, &n, |v| {
            Ok(v.election().contests.first().map_or(0, |c| c.choices.len()))
        })?;
        let m = mark_request(&form, choices)?;
        crate::boards::marked_now(&s, &n, &a, board, item, &user, m)
    })
    .await?;
    Ok(Redirect::to(&board_path(&name, &audit, board)).into_response())
}

/// A member's sign-off from the board's screen (of the marks it showed: `entry`); back to
/// the desk, saying what it did.
pub(crate) async fn sign_off_form(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path((name, audit, board)): Path<(String, String, u64)>,
    form: DeskForm,
) -> Result<Response, ServerError> {
    let entry = form
        .get("entry")
        .ok_or_else(|| ServerError::BadRequest("field 'entry' is missing".into()))?;
    let r = crate::boards::signed_off(&s, &who.acting()?, &name, &audit, board, entry).await?;
    let complete = r["complete"].as_bool().unwrap_or(false);
    let (done, id) = if complete {
        (Act::BoardComplete, r["logged_as"].as_i64().unwrap_or(0))
    } else {
        (Act::SignedOff, 0)
    };
    Ok(Redirect::to(&format!(
        "/elections/{}/staff?done={}&id={id}",
        urlencode(&name),
        done.key()
    ))
    .into_response())
}

/// The boards `user` (a board member) sits on in the election's audits' latest rounds.
pub(super) fn of_member(
    s: &AppState,
    name: &str,
    audits: &[String],
    user: &store::User,
) -> Result<Vec<Board>, ServerError> {
    let mut out = Vec::new();
    for audit in audits {
        let Ok(f) = crate::boards::formed(s, name, audit) else {
            continue;
        };
        if let Some(share) = f.shares.iter().find(|x| x.has(&user.commitment)) {
            out.push(crate::boards::board_now(
                s,
                name,
                audit,
                share.board,
                user,
                None,
            )?);
        }
    }
    Ok(out)
}

/// Each audit's latest round's boards, by audit.
pub(super) type AuditBoards = HashMap<String, Vec<Board>>;

/// For the auditor: each audit's latest round's boards (by audit), and the board members
/// who may sit in this election.
pub(super) fn of_auditor(
    s: &AppState,
    name: &str,
    audits: &[String],
    user: &store::User,
) -> Result<(AuditBoards, Vec<String>), ServerError> {
    let mut boards = HashMap::new();
    for audit in audits {
        if crate::boards::formed(s, name, audit).is_ok() {
            boards.insert(
                audit.clone(),
                crate::boards::progress_now(s, name, audit, user)?,
            );
        }
    }
    // Those who may sit on a board here, by the store's one rule (`board_member`).
    let store = crate::pool::Pool::get(&s.db)?;
    let members = store::Staffing::users(&*store)?
        .into_iter()
        .filter(|u| store::BoardMarks::board_member(&*store, name, &u.name).is_ok())
        .map(|u| u.name)
        .collect();
    Ok((boards, members))
}
