//! The phone's scan of a posted protocol (`GET /scan`, `crate::scan`): the camera or a photo,
//! what the code holds, the check against the commission's log, and the codes kept on the
//! phone. Every word the script shows is in the page, in its language (hidden templates: the
//! scan's messages, the protocol lines' names and the station check's messages).

use maud::{html, Markup};
use model::Line;
use ui::{Lang, Section, T};

use super::{frame, urlencode};

/// The script's messages: the key `scan.js` asks for, and the term the page gives it.
const MESSAGES: &[(&str, T)] = &[
    ("reading", T::ScanJsReading),
    ("unreadable", T::ScanJsUnreadable),
    ("not-posted", T::ScanJsNotPosted),
    ("bad-check", T::ScanJsBadCheck),
    ("kept", T::ScanJsKept),
    ("checking", T::ScanJsChecking),
    ("unreachable", T::ScanJsUnreachable),
    ("refused", T::ScanJsRefused),
    ("match", T::ScanJsMatch),
    ("superseded", T::ScanJsSuperseded),
    ("no-decision", T::ScanJsNoDecision),
    ("recount", T::ScanJsRecount),
    ("mismatch", T::ScanJsMismatch),
    ("no-protocol", T::ScanJsNoProtocol),
    ("disagrees", T::ScanJsDisagrees),
    ("log-invalid", T::ScanJsLogInvalid),
    ("differs", T::ScanJsDiffers),
    ("waiting", T::ScanJsWaiting),
    ("took", T::ScanJsTook),
    ("no-camera", T::ScanNoCamera),
    ("manual", T::SourceManual),
    ("machine", T::SourceMachine),
];

fn messages(l: Lang) -> Markup {
    html! {
        template #scan-text {
            @for (k, t) in MESSAGES {
                @let tr = l.t(*t);
                span data-k=(k) lang=[tr.is_fallback().then_some("ru")] { (tr.as_str()) }
            }
            @for &x in Line::ALL {
                @let tr = ui::line(l, x);
                span data-line=(x.key()) lang=[tr.is_fallback().then_some("ru")] { (tr.as_str()) }
            }
        }
    }
}

/// An observer's quick counts (election, quick count) and their session's CSRF token.
pub type Targets = (Vec<(String, String)>, String);

/// The forms that send what the code holds as the observer's report, one per quick count
/// (hidden until a code is read; the script fills each form's `code`).
fn report_forms(l: Lang, targets: &Targets) -> Markup {
    let (list, csrf) = targets;
    html! {
        @if !list.is_empty() {
            section #scan-report hidden {
                h2 { (l.t(T::ScanReportHeading)) }
                p.note { (l.t(T::ScanReportHint)) }
                @for (election, pvt) in list {
                    form.form method="post" action=(format!("/elections/{}/staff/pvt/{}/reports", urlencode(election), urlencode(pvt))) {
                        input type="hidden" name="csrf" value=(csrf);
                        input.scan-code type="hidden" name="code" value="";
                        button type="submit" { (l.f(T::ScanReportButton, &[("pvt", pvt), ("election", election)])) }
                    }
                }
            }
        }
    }
}

/// The scan page; `targets` for an observer logged in.
pub fn scan(l: Lang, targets: Option<&Targets>) -> String {
    let body = html! {
        p { (l.t(T::ScanIntro)) }
        noscript { p.note { (l.t(T::ScanNoScript)) } }
        div #scan {
            div.acts {
                button #scan-camera type="button" hidden { (l.t(T::ScanCamera)) }
                button.alt #scan-stop type="button" hidden { (l.t(T::ScanCameraStop)) }
            }
            video #scan-video hidden playsinline muted style="width:100%;max-width:30rem" {}
            div.form {
                label for="scan-file" { (l.t(T::ScanFile)) }
                input #scan-file type="file" accept="image/*" capture="environment";
            }
            p #scan-status role="status" {}
        }
        section #scan-read hidden {
            h2 { (l.t(T::ScanReadHeading)) }
            dl.posted-id {
                dt { (l.t(T::PostedElection)) } dd #scan-election {}
                dt { (l.t(T::PvtStation)) } dd #scan-station {}
                dt { (l.t(T::PostedTime)) } dd #scan-time {}
                dt { (l.t(T::DeskCountSource)) } dd #scan-source {}
                dt { (l.t(T::PostedKey)) } dd { code #scan-key {} }
            }
            p.note { (l.t(T::ScanCompareHint)) }
            div.scroll tabindex="0" { table { tbody #scan-figures {} } }
        }
        @if let Some(t) = targets { (report_forms(l, t)) }
        section #scan-result hidden aria-live="polite" {
            h2 { (l.t(T::ScanResultHeading)) }
            p { strong #scan-verdict {} }
            ul #scan-differences {}
            ol #check-steps {}
            p.note #scan-took {}
        }
        h2 { (l.t(T::ScanKeptHeading)) }
        ul.plain #scan-kept {}
        (messages(l))
        (crate::check::messages_with(l, &[("key-matches", T::ScanJsKeyMatches), ("key-differs", T::ScanJsKeyDiffers)]))
        script type="module" src="/static/scan.js" {}
    };
    frame(l, "/scan", None, Section::Log, l.t(T::ScanTitle), body)
}
