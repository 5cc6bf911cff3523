//! The posted protocol's form (issue 22; `docs/protocol-qr.md`): the page on which a precinct
//! commission, when the count ends, types the figures of the protocol it signs, makes the QR
//! code of those figures in the browser (the service's `static/protocol-form.js`, with the
//! vendored `qrcode-generator`) and prints the protocol with its code to post at the station.
//! The page holds everything the code needs but the figures (the election's field, the
//! station, the contest, the log key's fingerprint) and every word the script shows, in the
//! page's language; the script sends nothing anywhere.
//!
//! The same body is served by the results service and written as a self-contained file by
//! `tallyproof protocol form`.

use maud::{html, Markup, PreEscaped};
use model::{CountSource, Election, Line, UnitId};

use crate::{Lang, Tr, T};

/// What the form is for.
pub struct Form {
    /// The election's name in the store.
    pub election: String,
    /// The election's title (its first contest's name).
    pub title: String,
    /// The station.
    pub station: UnitId,
    /// The station's path in the unit tree.
    pub path: String,
    /// The contest, by its index in the election.
    pub contest: usize,
    /// The contest's choices, in ballot order.
    pub choices: Vec<String>,
    /// The lines the form asks for, and whether each is needed
    /// (`model::ControlRules::form_lines`).
    pub lines: Vec<(Line, bool)>,
    /// The log key's fingerprint, as `tallyproof serve` and the log page print it (32
    /// lower-case hex digits in groups of four: `translog::note::fingerprint`).
    pub fingerprint: String,
}

impl Form {
    /// The form of station `station` of election `e` (stored as `name`; its first contest),
    /// under the log key whose fingerprint is `fingerprint` (as printed).
    pub fn of(e: &Election, name: &str, station: UnitId, fingerprint: &str) -> Form {
        let contest = e.contests.first();
        Form {
            election: name.to_string(),
            title: contest.map_or_else(|| name.to_string(), |c| c.name.clone()),
            station,
            path: e.units.path(station),
            contest: 0,
            choices: e.choice_names(0),
            lines: e.rules.form_lines(),
            fingerprint: fingerprint.to_string(),
        }
    }

    /// The fingerprint as the code's `key` field writes it: 32 upper-case hex digits.
    fn key_hex(&self) -> String {
        self.fingerprint.replace(' ', "").to_uppercase()
    }
}

/// The messages the script shows, by key, in the page's language (a hidden template: the
/// script has no words of its own).
fn messages(l: Lang) -> Markup {
    let all = [
        ("bad-count", T::PostedBadCount),
        ("needed", T::PostedNeeded),
        ("no-time", T::PostedNoTime),
        ("too-long", T::PostedTooLong),
        ("made", T::PostedMade),
    ];
    html! {
        template #posted-text {
            @for (k, t) in all {
                @let tr = l.t(t);
                span data-k=(k) lang=[tr.is_fallback().then_some("ru")] { (tr.marked()) }
            }
        }
    }
}

/// A count's input: digits only, on a numeric keypad; a line's carries its position in
/// `Line::ALL` (`bit`).
fn count(id: &str, label: &Tr, needed: bool, bit: Option<usize>) -> Markup {
    html! {
        div {
            label for=(id) { (label) }
            input id=(id) inputmode="numeric" pattern="[0-9]*" autocomplete="off" required[needed] data-bit=[bit];
        }
    }
}

/// The form and the sheet it fills, without the page around them or the scripts.
pub fn body(l: Lang, f: &Form) -> Markup {
    let line_labels: Vec<(Line, bool, Tr)> = f
        .lines
        .iter()
        .map(|&(x, needed)| (x, needed, crate::line(l, x)))
        .collect();
    let identity = html! {
        dl.posted-id {
            dt { (l.t(T::PostedElection)) } dd { (f.title) " (" (f.election) ")" }
            dt { (l.t(T::PvtStation)) } dd { (f.path) }
            dt { (l.t(T::PostedKey)) } dd { code { (f.fingerprint) } }
        }
    };
    html! {
        div.posted-entry {
            p { (l.t(T::PostedIntro)) }
            noscript { p.note { (l.t(T::PostedNoScript)) } }
            (identity)
            form.form #posted
                data-election=(postedqr::election_field(&f.election))
                data-station=(f.station.0)
                data-contest=(f.contest)
                data-key=(f.key_hex())
                data-max=(postedqr::MAX_TEXT) {
                div {
                    label for="posted-time" { (l.t(T::PostedTime)) }
                    p.hint #posted-time-hint { (l.t(T::DeskIncidentTimeHint)) }
                    input #posted-time type="datetime-local" step="60" required aria-describedby="posted-time-hint";
                }
                div {
                    label for="posted-source" { (l.t(T::DeskCountSource)) }
                    select #posted-source {
                        option value="M" selected { (crate::source(l, CountSource::Manual)) }
                        option value="A" { (crate::source(l, CountSource::Machine)) }
                    }
                }
                fieldset {
                    legend { (l.t(T::PostedLines)) }
                    div.rows {
                        @for (x, needed, label) in &line_labels {
                            (count(&format!("posted-line-{}", x.key()), label, *needed, Some(x.index())))
                        }
                    }
                }
                fieldset {
                    legend { (l.t(T::ColVotes)) }
                    div.rows {
                        @for (k, c) in f.choices.iter().enumerate() {
                            (count(&format!("posted-vote-{k}"), &Tr::from(c.clone()), true, None))
                        }
                    }
                }
                p.error #posted-error role="alert" {}
                button #posted-make type="button" { (l.t(T::PostedMake)) }
            }
        }
        section.posted-sheet #posted-sheet hidden {
            p.posted-made #posted-made role="status" {}
            h2 { (l.t(T::PostedSheet)) }
            (identity)
            p #posted-when {}
            div.scroll tabindex="0" {
                table.copy {
                    tbody {
                        @for (x, _, label) in &line_labels { tr {
                            th scope="row" { (label) }
                            td.num data-of=(format!("posted-line-{}", x.key())) {}
                        } }
                        @for (k, c) in f.choices.iter().enumerate() { tr {
                            th scope="row" { (c) }
                            td.num data-of=(format!("posted-vote-{k}")) {}
                        } }
                    }
                }
            }
            figure.posted-code {
                svg #posted-qr role="img" aria-label=(l.t(T::PostedCodeImage).as_str()) xmlns="http://www.w3.org/2000/svg" {}
                figcaption {
                    p { (l.t(T::PostedScanMe)) }
                    p { small { (l.t(T::PostedCodeText)) ": " code #posted-text-out {} } }
                }
            }
            p.sign { (l.t(T::PostedChair)) }
            p.sign { (l.t(T::PostedSecretary)) }
            button.noprint #posted-print type="button" { (l.t(T::PostedPrint)) }
        }
        (messages(l))
        style { (PreEscaped(STYLE)) }
    }
}

/// The form's own style: the code's size on paper, and only the sheet in print.
const STYLE: &str = ".posted-code svg{width:100%;max-width:12cm;height:auto;display:block}\
.posted-code code{overflow-wrap:anywhere}.posted-made{font-weight:700}td.num{text-align:right}\
@media print{header,nav,footer,.posted-entry,.noprint,.posted-made,.skip,.lang{display:none!important}}";

/// The self-contained printable file: the form with its scripts inside it (`scripts`, each a
/// classic script's text), for a commission that has no network at all.
pub fn standalone(l: Lang, f: &Form, scripts: &[&str]) -> String {
    let body = html! {
        (body(l, f))
        @for s in scripts { script { (PreEscaped(*s)) } }
    };
    crate::layout::standalone(l, l.t(T::PostedTitle), body)
}
