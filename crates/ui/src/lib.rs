//! The pages' building blocks, shared by the results service and the command line's reports:
//! one language per page ([`Lang`]), every label from the glossary ([`T`], generated from
//! `glossary/*.toml`, where each Kyrgyz term names its source and a term without one is shown
//! in Russian, marked), numbers and dates as the page's language writes them, the layout every
//! page shares ([`layout`]), charts that scale to a phone ([`chart`]), and the forensic
//! report, one template for the service and the command line's file ([`forensics`]).
//!
//! Pages are maud templates: text is escaped when it is rendered, and raw HTML is only what a
//! template marks with `PreEscaped`.
//!
//! No I/O, no clock: a page is a function of what it is given.

pub mod chart;
pub mod forensics;
mod glossary;
mod lang;
pub mod layout;
mod number;
pub mod posted;
pub mod pvt;
pub mod sms;

pub use glossary::{Tr, T};
pub use lang::Lang;
pub use layout::{Annulment, Heading, Page, Section, Status};

/// A protocol line's label.
pub fn line(l: Lang, x: model::Line) -> Tr {
    use model::Line;
    l.t(match x {
        Line::Registered => T::LineRegistered,
        Line::Received => T::LineReceived,
        Line::IssuedEarly => T::LineIssuedEarly,
        Line::IssuedInStation => T::LineIssuedInStation,
        Line::IssuedOutside => T::LineIssuedOutside,
        Line::IssuedTotal => T::LineIssuedTotal,
        Line::Cancelled => T::LineCancelled,
        Line::FoundMobile => T::LineFoundMobile,
        Line::FoundStationary => T::LineFoundStationary,
        Line::FoundTotal => T::LineFoundTotal,
        Line::Invalid => T::LineInvalid,
        Line::Valid => T::LineValid,
        Line::Lost => T::LineLost,
        Line::Unaccounted => T::LineUnaccounted,
    })
}

/// A count's source, in words.
pub fn source(l: Lang, s: model::CountSource) -> Tr {
    l.t(match s {
        model::CountSource::Manual => T::SourceManual,
        model::CountSource::Machine => T::SourceMachine,
    })
}

/// Percent-encodes a path segment or a query value (everything but ASCII letters, digits and
/// `-._~`, as RFC 3986's unreserved characters).
pub fn urlencode(s: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, KEEP).to_string()
}

/// `s` cut to `n` characters, with an ellipsis if cut.
pub fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
