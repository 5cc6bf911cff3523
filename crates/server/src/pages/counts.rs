//! Machine count beside manual count: only the stations that have both are compared; the
//! legal count is named and never replaced; seats from each only when both cover the same
//! stations.

use maud::html;
use ui::{Heading, Lang, Section, T};

use super::{data_links, frame, urlencode};
use crate::data::Counts;
use ui::source;

/// The counts page.
pub fn counts(l: Lang, c: &Counts, h: &Heading) -> String {
    let n = urlencode(&h.name);
    let law = c.law.as_deref().unwrap_or("");
    let here = format!("/elections/{n}/counts?law={}", urlencode(law));
    let p = &c.coverage;
    let empty = c.rows.is_empty() || p.both == 0;
    let seat = |s: &Result<Vec<(String, u64)>, String>, party: &str| match s {
        Ok(v) => v
            .iter()
            .find(|(x, _)| x == party)
            .map_or(0, |(_, k)| *k)
            .to_string(),
        Err(_) => "–".into(),
    };
    let parties: Vec<&String> = match (&c.seats[0], &c.seats[1]) {
        (Ok(v), _) | (Err(_), Ok(v)) => v.iter().map(|(x, _)| x).collect(),
        _ => Vec::new(),
    };
    let head = html! { tr {
        th scope="col" { (l.t(T::ColChoice)) }
        th.n scope="col" { (source(l, model::CountSource::Manual)) }
        th.n scope="col" { (source(l, model::CountSource::Machine)) }
        th.n scope="col" { (l.t(T::ColDifference)) }
    } };
    let body = html! {
        p { (l.t(T::CountsIntro)) }
        p { b { (l.f(T::ComparedAt, &[("both", &l.count(p.both)), ("stations", &l.count(p.stations))])) } " "
            (l.f(T::OneCountOnly, &[("manual", &l.count(p.manual_only)), ("machine", &l.count(p.machine_only))])) }
        p { (l.f(T::LegalCountIs, &[("source", source(l, c.legal).as_str())])) }
        @if empty { p { (l.t(T::NothingToCompare)) } } @else {
            @let national = &c.rows[0].1;
            div.scroll tabindex="0" { table {
                thead { (head) }
                tbody { @for (i, choice) in c.choices.iter().enumerate() {
                    @let (m, a) = (national[0].votes[i], national[1].votes[i]);
                    tr { td.name { (choice) } td.n { (l.count(m)) } td.n { (l.count(a)) }
                        td.n { @if a == m { "0" } @else { b { (l.signed(a as i128 - m as i128)) } } } }
                } }
            } }
            h2 { @match &c.law { Some(law) => (l.f(T::SeatsUnderLaw, &[("law", law)])), None => (l.t(T::NavSeats)) } }
            div.scroll tabindex="0" { table {
                thead { tr { th scope="col" { (l.t(T::ColParty)) } th.n scope="col" { (source(l, model::CountSource::Manual)) } th.n scope="col" { (source(l, model::CountSource::Machine)) } } }
                tbody { @for party in &parties {
                    @let (m, a) = (seat(&c.seats[0], party), seat(&c.seats[1], party));
                    tr { td.name { (party) } td.n { (m) } td.n { @if m != a { b { (a) } " " small { (l.t(T::Changed)) } } @else { (a) } } }
                } }
            } }
            @for (s, which) in c.seats.iter().zip([model::CountSource::Manual, model::CountSource::Machine]) {
                @if let Err(why) = s { p.note { (l.f(T::NoSeatsFrom, &[("source", source(l, which).as_str())])) " " span lang="en" { (why) } } }
            }
            h2 { (l.t(T::ByUnit)) }
            div.scroll tabindex="0" { table {
                thead { tr { th scope="col" { (l.t(T::ColUnit)) } th.n scope="col" { (source(l, model::CountSource::Manual)) } th.n scope="col" { (source(l, model::CountSource::Machine)) } th.n scope="col" { (l.t(T::ColDifference)) } } }
                tbody { @for (path, t) in c.rows.iter().skip(1) {
                    @let (m, a): (u64, u64) = (t[0].votes.iter().sum(), t[1].votes.iter().sum());
                    tr { td.name { (path.join(" / ")) } td.n { (l.count(m)) } td.n { (l.count(a)) } td.n { (l.signed(a as i128 - m as i128)) } }
                } }
            } }
        }
        (data_links(l, &[("JSON", format!("/api/elections/{n}/counts?law={}", urlencode(law)))]))
    };
    frame(l, &here, Some(h), Section::Counts, l.t(T::NavCounts), body)
}
