//! The page about the elections' logs: the log key and its fingerprint, how to check a log from
//! anywhere, and each election's current signed checkpoint.

use maud::html;
use ui::{Lang, Section, T};

use super::{frame, urlencode};

/// The log page; `base` is this service's address as the reader reached it.
pub fn verify(
    l: Lang,
    logs: &[(String, Option<readmodel::Signed>)],
    key: Option<&translog::note::NoteVerifier>,
    base: &str,
) -> String {
    let body = match key {
        None => html! { p { (l.t(T::LogUnsigned)) } },
        Some(key) => html! {
            p { (l.t(T::LogIntro)) }
            h2 { (l.t(T::LogKey)) }
            pre { (key.text()) }
            p { (l.t(T::LogFingerprint)) " " b { code { (key.fingerprint()) } } }
            p { (l.t(T::LogTrust)) }
            p { (l.t(T::LogHowToCheck)) " " code { "tallyproof verify" } " · " code { "verifier/verify.py" } }
            h2 { (l.t(T::LogCheckpoints)) }
            @for (name, signed) in logs {
                h3 { a href=(format!("/elections/{}", urlencode(name))) { (name) } }
                pre { "tallyproof verify " (format!("{base}/elections/{}/log/", urlencode(name))) " --key LOGKEY" }
                @match signed {
                    Some(c) => details { summary { (l.t(T::LogCheckpointNote)) } pre { (c.note) } },
                    None => p.note { (l.t(T::LogNotLoaded)) },
                }
            }
        },
    };
    frame(l, "/verify", None, Section::Log, l.t(T::NavLog), body)
}
