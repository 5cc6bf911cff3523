//! The unit search page: a form (a GET, no script) that finds an election's units by name,
//! station number or path (`crate::search`), and the units found, 100 a page, each with its
//! path, its stations reporting and its votes. Every station of an election, however large,
//! is reachable here: the results page lists only the first units of a level and links here.

use maud::html;
use model::UnitLevel;
use readmodel::Searched;
use ui::layout::{label, option};
use ui::{Heading, Lang, Section, T};

use super::{data_links, frame, level, urlencode};
use crate::search::{Asked, PER_PAGE};

/// An example of each way to search, from the election's own units: its first station's
/// number and the name of the unit at the top of its path.
pub struct Example {
    number: String,
    name: String,
}

impl Example {
    /// The example of election `e`; none without a station whose name carries a number.
    pub fn of(e: &model::Election) -> Option<Example> {
        let units = &e.units;
        let (id, station) = units.iter().find(|(_, u)| u.level == UnitLevel::Station)?;
        let number: String = station
            .name
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        let name = units.path_names(id).first()?.to_string();
        (!number.is_empty() && name != station.name).then_some(Example { number, name })
    }

    fn path(&self) -> String {
        format!("{} / {}", self.name, self.number)
    }
}

/// The unit search page of the election `h`: what was asked and one page of what it found.
pub fn units(
    l: Lang,
    asked: &Asked,
    found: &Searched,
    h: &Heading,
    example: Option<&Example>,
) -> String {
    let n = urlencode(&h.name);
    let (q, chosen) = (asked.query.text(), asked.query.level());
    // The query string of another page of the same search.
    let at = |page: u64| {
        let mut s = format!("q={}", urlencode(q));
        if let Some(lv) = chosen {
            s.push_str(&format!("&level={}", lv.key()));
        }
        if page > 1 {
            s.push_str(&format!("&page={page}"));
        }
        s
    };
    let here = format!("/elections/{n}/units?{}", at(asked.page));
    let total = found.total as u64;
    let pages = total.div_ceil(PER_PAGE as u64).max(1);
    let from = (asked.page - 1)
        .saturating_mul(PER_PAGE as u64)
        .saturating_add(1);
    let to = (from - 1).saturating_add(found.units.len() as u64);
    let body = html! {
        form method="get" action=(format!("/elections/{n}/units")) role="search" {
            label for="q" { (l.t(T::UnitsQuery)) }
            input #q type="search" name="q" value=(q) aria-describedby="q-hint" autocomplete="off";
            p.note #q-hint {
                @match example {
                    Some(x) => (l.f(T::UnitsQueryHint, &[("number", &x.number), ("name", &x.name), ("path", &x.path())])),
                    None => (l.t(T::UnitsQueryHintPlain)),
                }
            }
            label for="level" { (l.t(T::UnitsLevel)) }
            select #level name="level" {
                (option("", chosen.is_none(), &l.t(T::UnitsAnyLevel)))
                @for &lv in UnitLevel::ALL {
                    (option(lv.key(), chosen == Some(lv), &level(l, lv)))
                }
            }
            " " button type="submit" { (l.t(T::UnitsSearch)) }
        }
        @if found.units.is_empty() {
            @if total == 0 { p { (l.t(T::UnitsNone)) } } @else {
                p { (l.f(T::UnitsPastEnd, &[("page", &l.count(asked.page)), ("total", &l.count(total))])) " "
                    a href=(format!("/elections/{n}/units?{}", at(1))) { (l.t(T::UnitsFirstPage)) } }
            }
        } @else {
            p { (l.f(T::UnitsShown, &[("from", &l.count(from)), ("to", &l.count(to)), ("total", &l.count(total))])) }
            div.scroll tabindex="0" { table {
                thead { tr {
                    th scope="col" { (l.t(T::ColUnit)) }
                    th scope="col" { (l.t(T::UnitsLevel)) }
                    th.n scope="col" { (l.t(T::ColStationsReporting)) }
                    th.n scope="col" { (l.t(T::ColVotes)) }
                } }
                tbody { @for u in &found.units {
                    tr {
                        td.name { a href=(format!("/elections/{n}/units/{}", u.id.0)) {
                            // The country has no path below it: its link says what it is.
                            @if u.path.is_empty() { (level(l, u.level)) }
                            @else { (u.path.iter().map(|(_, name)| name.as_str()).collect::<Vec<_>>().join(" / ")) }
                        } }
                        td { (level(l, u.level)) }
                        @match u.counts {
                            Some(c) => {
                                td.n {
                                    (l.f(T::ReportingOf, &[("reporting", &l.count(c.reporting)), ("stations", &l.count(c.stations))]))
                                    @if c.annulled > 0 { br; small { (l.f(T::AnnulledCount, &[("annulled", &l.count(c.annulled))])) } }
                                }
                                td.n { (l.count(c.votes)) }
                            }
                            None => { td colspan="2" { (l.t(T::UnitsTotalsUnknown)) } }
                        }
                    }
                } }
            } }
            nav.pager aria-labelledby="l-pages" {
                (label("l-pages", &l.t(T::UnitsPages)))
                @if asked.page > 1 {
                    a href=(format!("/elections/{n}/units?{}", at(asked.page - 1))) rel="prev" { "← " (l.t(T::UnitsPrevious)) }
                }
                span { (l.f(T::UnitsPageOf, &[("page", &l.count(asked.page)), ("pages", &l.count(pages))])) }
                @if asked.page < pages {
                    a href=(format!("/elections/{n}/units?{}", at(asked.page + 1))) rel="next" { (l.t(T::UnitsNext)) " →" }
                }
            }
        }
        (data_links(l, &[("JSON", format!("/api/elections/{n}/units?{}", at(asked.page)))]))
    };
    frame(l, &here, Some(h), Section::Units, l.t(T::UnitsTitle), body)
}
