//! The protocols entered and waiting for a second person, and the verifier's screen of one
//! (`/elections/{name}/staff/pending/{id}`): the entered protocol with the parties' names,
//! the control relations it breaks, what changes against the version that counts now, the
//! scan of the paper protocol beside it, and the acts the reader's role may take: a
//! verifier verifies, or rejects giving the operator a reason; a commissioner lifts a
//! quarantine or chooses between two keyings that differ, giving a reason. Whether an act
//! is allowed is the store's and `record`'s (`record::may_verify`), never this page's.

use maud::{html, Markup};
use model::{Election, Line, Protocol};
use record::Role;
use store::{Media, Pending};
use ui::{Lang, Tr, T};

use super::fields::field;
use super::operator::{figures, state};
use super::{relations, Desk};
use crate::pages;

/// How an entry stands under protocol intake's rules, as the desk says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Standing {
    /// Breaks an error-level relation, not lifted.
    Quarantined,
    /// Blind double entry: keyed once, waiting for the second keying.
    WaitingSecond,
    /// Blind double entry: keyed twice with the same figures.
    Matched,
    /// Blind double entry: keyed differently, not resolved.
    Mismatch,
    /// The station's protocol moved on since it was entered: it can only be rejected.
    Stale,
    /// The law requires the scan of the paper protocol of its legal count, and the entry has
    /// none (`record::scan_required`): it can only be rejected.
    ScanMissing,
    /// Nothing holds it.
    Ready,
}

/// How entry `p` stands, among the entries waiting (`all`), with double entry on or off,
/// given the version that counts for its station now (`counted`).
pub(super) fn standing(
    e: &Election,
    p: &Pending,
    all: &[Pending],
    double: bool,
    counted: u32,
) -> Standing {
    if counted >= p.protocol.version {
        return Standing::Stale;
    }
    let law = e.law.as_deref();
    let needs_scan =
        record::scan_required(law).is_some() && p.protocol.source == record::legal_count(law);
    if needs_scan && p.scan.is_none() {
        return Standing::ScanMissing;
    }
    let quarantined = !e.rules.quarantining(&p.protocol).is_empty() && p.overridden.is_none();
    if quarantined {
        return Standing::Quarantined;
    }
    if !double || p.resolved.is_some() {
        return Standing::Ready;
    }
    let same_station = |q: &&Pending| {
        q.protocol.station == p.protocol.station
            && q.protocol.contest == p.protocol.contest
            && q.protocol.version == p.protocol.version
    };
    let keyings: Vec<&Pending> = all.iter().filter(same_station).collect();
    let same: Vec<&str> = keyings
        .iter()
        .filter(|q| q.digest == p.digest)
        .map(|q| q.entered_by.as_str())
        .collect();
    let mut by = same.clone();
    by.sort_unstable();
    by.dedup();
    if by.len() >= 2 {
        Standing::Matched
    } else if keyings.iter().any(|q| q.digest != p.digest) {
        Standing::Mismatch
    } else {
        Standing::WaitingSecond
    }
}

fn standing_note(l: Lang, s: Standing) -> Option<Markup> {
    let (class, term) = match s {
        Standing::Quarantined => ("alert", T::DeskQuarantined),
        Standing::WaitingSecond => ("note", T::DeskDoubleWaiting),
        Standing::Matched => ("note", T::DeskDoubleMatch),
        Standing::Mismatch => ("alert", T::DeskDoubleMismatch),
        Standing::Stale => ("alert", T::DeskStale),
        Standing::ScanMissing => ("alert", T::DeskScanMissing),
        Standing::Ready => return None,
    };
    Some(html! { p class=(class) { (l.t(term)) } })
}

/// The list, for a verifier or a commissioner: each entry, how it stands, and its screen;
/// `counted` the version that counts for an entry's station now.
pub(super) fn list(
    d: &Desk<'_>,
    pending: &[Pending],
    double: bool,
    counted: &dyn Fn(&Pending) -> u32,
) -> Markup {
    let l = d.l;
    html! {
        h2 { (l.t(T::DeskPendingHeading)) }
        @if pending.is_empty() {
            p { (l.t(T::DeskPendingNone)) }
        } @else {
            p.hint { (l.t(T::DeskPendingHint)) }
            @for p in pending { (card(d, p, standing(d.election, p, pending, double, counted(p)))) }
        }
    }
}

/// What an entry is: station, version, count, who keyed it.
fn about(l: Lang, p: &Pending) -> Tr {
    l.f(
        T::DeskPendingAbout,
        &[
            ("version", &p.protocol.version.to_string()),
            ("source", pages::source(l, p.protocol.source).as_str()),
            ("by", &p.entered_by),
        ],
    )
}

/// One entry of the list.
fn card(d: &Desk<'_>, p: &Pending, s: Standing) -> Markup {
    let (l, e) = (d.l, d.election);
    let id = p.id.to_string();
    html! {
        div.card {
            h3 { (l.f(T::DeskEntryTitle, &[("id", &id)])) " · " (e.units.path(p.protocol.station)) }
            p.note { (about(l, p)) }
            @if let Some(n) = standing_note(l, s) { (n) }
            p { a.button href=(format!("{}/pending/{}", d.base(), p.id)) { (l.f(T::DeskOpenEntry, &[("id", &id)])) } }
        }
    }
}

/// What the screen of one entry shows besides the entry itself.
pub(super) struct Screen<'a> {
    /// The reader's role (a verifier's acts, or a commissioner's).
    pub role: Role,
    /// Every entry waiting (the other keyings of the same station among them).
    pub all: &'a [Pending],
    /// Whether blind double entry is on.
    pub double: bool,
    /// What counts for the station now.
    pub current: Option<&'a Protocol>,
    /// What the scan is, if one was uploaded and is stored.
    pub scan: Option<Media>,
}

/// The screen of entry `p`.
pub(super) fn screen(d: &Desk<'_>, p: &Pending, sc: &Screen<'_>) -> Markup {
    let (l, e) = (d.l, d.election);
    let counted = sc.current.map_or(0, |c| c.version);
    let s = standing(e, p, sc.all, sc.double, counted);
    let waiting = p.state == store::PendingState::Entered;
    html! {
        h2 { (l.f(T::DeskEntryTitle, &[("id", &p.id.to_string())])) " · " (e.units.path(p.protocol.station)) }
        p.note { (about(l, p)) " · " (state(l, p.state)) }
        @if waiting { @if let Some(n) = standing_note(l, s) { (n) } }
        @if let Some(why) = &p.overridden { p { (l.f(T::DeskOverridden, &[("reason", why)])) } }
        @if let Some(why) = &p.resolved { p { (l.f(T::DeskResolved, &[("reason", why)])) } }
        div.side {
            div {
                (relations::checks(l, e, &p.protocol))
                @if waiting && s == Standing::Mismatch { (keyings(l, e, p, sc.all)) }
                (compare(l, e, &p.protocol, sc.current))
            }
            div { (scan(l, p, sc.scan)) }
        }
        @if waiting {
            @match sc.role {
                Role::Verifier => (verifier_acts(d, p)),
                Role::Commissioner => (commissioner_acts(d, p, s)),
                _ => {},
            }
        }
    }
}

/// The entered protocol beside the version that counts now, line by line.
fn compare(l: Lang, e: &Election, p: &Protocol, now: Option<&Protocol>) -> Markup {
    let Some(now) = now else {
        return html! { p { (l.t(T::DeskNoProtocolYet)) } (figures(l, e, p)) };
    };
    html! {
        p.note { (l.f(T::DeskCurrentVersion, &[("version", &now.version.to_string()), ("source", pages::source(l, now.source).as_str())])) }
        (differences(l, e, p, now, l.t(T::ColCountedNow)))
    }
}

/// The other keyings of a blind double entry that differ from entry `p`, each beside it line
/// by line: what the commissioner chooses between.
fn keyings(l: Lang, e: &Election, p: &Pending, all: &[Pending]) -> Markup {
    let others = all.iter().filter(|q| {
        q.id != p.id
            && q.digest != p.digest
            && q.protocol.station == p.protocol.station
            && q.protocol.contest == p.protocol.contest
            && q.protocol.version == p.protocol.version
    });
    html! {
        @for q in others {
            @let id = q.id.to_string();
            h3 { a href=(id) { (l.f(T::DeskOtherKeying, &[("id", &id)])) } }
            (differences(l, e, &p.protocol, &q.protocol, l.f(T::DeskEntryTitle, &[("id", &id)])))
        }
    }
}

/// Protocol `p` beside `other` (its column headed `other_head`), line by line, with the
/// differences marked.
fn differences(l: Lang, e: &Election, p: &Protocol, other: &Protocol, other_head: Tr) -> Markup {
    let choices = e
        .contests
        .get(p.contest)
        .map_or(&[][..], |c| &c.choices[..]);
    let rows: Vec<(Tr, Option<u64>, Option<u64>)> = Line::ALL
        .iter()
        .filter(|&&x| p.line(x).is_some() || other.line(x).is_some())
        .map(|&x| (ui::line(l, x), p.line(x), other.line(x)))
        .chain(choices.iter().enumerate().map(|(i, c)| {
            (
                Tr::from(c.name.clone()),
                p.votes.get(i).copied(),
                other.votes.get(i).copied(),
            )
        }))
        .collect();
    let shown = |v: Option<u64>| v.map_or_else(|| "—".to_string(), |v| l.count(v));
    html! {
        div.scroll tabindex="0" { table.cmp {
            thead { tr {
                th scope="col" { (l.t(T::ColLine)) }
                th.n scope="col" { (l.t(T::ColEntered)) }
                th.n scope="col" { (other_head) }
                th.n scope="col" { (l.t(T::ColDifference)) }
            } }
            tbody { @for (label, a, b) in &rows {
                @let changed = a != b;
                tr class=[changed.then_some("changed")] {
                    td.name { (label) }
                    td.n { @if changed { strong { (shown(*a)) } } @else { (shown(*a)) } }
                    td.n { (shown(*b)) }
                    td.n { (match (a, b) {
                        (Some(a), Some(b)) if a != b => l.signed(i128::from(*a) - i128::from(*b)),
                        _ => String::new(),
                    }) }
                }
            } }
        } }
    }
}

/// The scan beside the figures: an image in place, anything else as a download.
fn scan(l: Lang, p: &Pending, media: Option<Media>) -> Markup {
    html! {
        h3 { (l.t(T::DeskScanHeading)) }
        @match (&p.scan, media) {
            (Some(f), Some(m)) if m.inline() => {
                a href=(format!("/api/scans/{f}")) {
                    img.scan src=(format!("/api/scans/{f}")) alt=(l.t(T::DeskScanHeading)) loading="lazy";
                }
            }
            (Some(f), _) => p { a href=(format!("/api/scans/{f}")) download { (l.t(T::DeskScanOpen)) } },
            (None, _) => p { (l.t(T::DeskScanNone)) },
        }
    }
}

/// A verifier's acts: verify, or reject with a reason.
fn verifier_acts(d: &Desk<'_>, p: &Pending) -> Markup {
    let l = d.l;
    html! {
        form.form method="post" action=(format!("{}/pending/{}", d.base(), p.id)) {
            (d.csrf)
            div.acts { button #verify name="action" value="verify" { (l.t(T::DeskVerify)) } }
            (field("reason", l.t(T::DeskRejectReason), None, html! {
                textarea #reason name="reason" {}
            }))
            div.acts { button.alt #reject name="action" value="reject" { (l.t(T::DeskReject)) } }
        }
    }
}

/// A commissioner's rulings: lift a quarantine, or choose a keying, each with a reason.
fn commissioner_acts(d: &Desk<'_>, p: &Pending, s: Standing) -> Markup {
    let l = d.l;
    let (act, button) = match s {
        Standing::Quarantined => ("override", T::DeskOverrideButton),
        Standing::Mismatch => ("resolve", T::DeskResolveButton),
        Standing::WaitingSecond
        | Standing::Matched
        | Standing::Ready
        | Standing::Stale
        | Standing::ScanMissing => return html! {},
    };
    html! {
        h3 { (l.t(T::DeskRulingHeading)) }
        (d.form(&format!("pending/{}/{act}", p.id), false, html! {
            (field("ruling-reason", l.t(T::DeskReason), None, html! {
                textarea #ruling-reason name="reason" required {}
            }))
            div.acts { button id=(act) { (l.t(button)) } }
        }))
    }
}
