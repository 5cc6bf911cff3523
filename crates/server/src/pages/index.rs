//! The list of elections: each one's title, date, status and what its figures are as of.

use maud::html;
use ui::{Heading, Lang, Section, T};

use super::{frame, urlencode};

/// One election in the list: its heading, its stations and protocol versions, its source.
pub struct Listed {
    /// What its pages say about it.
    pub heading: Heading,
    /// Its stations.
    pub stations: u64,
    /// Its protocol versions.
    pub versions: u64,
    /// The file it was imported from.
    pub source: String,
}

/// The list of elections.
pub fn index(l: Lang, elections: &[Listed]) -> String {
    let body = html! {
        @if elections.is_empty() { p { (l.t(T::NoElections)) } }
        ul.plain {
            @for e in elections {
                @let h = &e.heading;
                @let (class, status) = h.status.shown();
                li.card {
                    h2 { a href=(format!("/elections/{}", urlencode(&h.name))) { (h.title) } }
                    p.meta {
                        @if let Some(d) = &h.date { (l.date(d)) " · " }
                        span.status.(class) { (l.t(status)) }
                    }
                    p {
                        (l.f(T::ListedCounts, &[("stations", &l.count(e.stations)), ("versions", &l.count(e.versions))]))
                        " "
                        @match &h.time {
                            Some(t) => (l.f(T::AsOfTime, &[("time", t), ("size", &l.count(h.size))])),
                            None => (l.f(T::AsOfSize, &[("size", &l.count(h.size))])),
                        }
                    }
                    p.note { (l.t(T::ListedName)) " " code { (h.name) } " · " (l.t(T::ListedSource)) " " code { (e.source) } }
                }
            }
        }
        p.note { (l.t(T::DataLinks)) " " a href="/api/elections" { "/api/elections" } " · " a href="/openapi.json" { "/openapi.json" } }
    };
    frame(l, "/", None, Section::Elections, l.t(T::NavElections), body)
}
