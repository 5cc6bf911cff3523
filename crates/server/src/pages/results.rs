//! An election's results page: the national totals with what they cover, the votes as bars
//! (with the law's threshold where it has one), the region map, and the units at a level
//! (the first [`ROWS`]; the station search lists them all).

use formats::report::Report;
use maud::html;
use ui::chart::{bars, Bar, Threshold};
use ui::layout::label;
use ui::{Heading, Lang, Section, T};

use super::{coverage, data_links, frame, level, share, turnout, urlencode};

/// The most units the results page lists; the rest are in the station search's pages.
pub const ROWS: usize = 100;

/// The results page of an election at the report's level; `all` is the number of units at
/// that level (the report may hold only the first [`ROWS`]).
pub fn results(
    l: Lang,
    r: &Report,
    all: usize,
    h: &Heading,
    threshold: Option<&Threshold>,
) -> String {
    let n = urlencode(&h.name);
    let here = format!("/elections/{n}?by={}", r.level.key());
    let Some(country) = r.rows.first() else {
        return frame(
            l,
            &here,
            Some(h),
            Section::Results,
            l.t(T::NavResults),
            html! { p { (l.t(T::NoResults)) } },
        );
    };
    let t = &country.totals;
    let total: u64 = t.votes.iter().sum();
    let mut order: Vec<usize> = (0..r.choices.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(t.votes.get(i).copied().unwrap_or(0)));
    let rows: Vec<Bar<'_>> = order
        .iter()
        .map(|&i| {
            let v = t.votes.get(i).copied().unwrap_or(0);
            Bar {
                label: &r.choices[i],
                votes: v,
                share: share(l, v, total),
            }
        })
        .collect();
    let units = &r.rows[1.min(r.rows.len())..];
    let levels = [
        model::UnitLevel::Country,
        model::UnitLevel::Region,
        model::UnitLevel::District,
        model::UnitLevel::Station,
    ];
    let body = html! {
        p { (coverage(l, t)) ". " (l.f(T::VotesOverReporting, &[("votes", &l.count(total))])) }
        p { (turnout(l, t)) }
        (bars(l, l.t(T::VotesByChoice), [l.t(T::ColChoice), l.t(T::ColVotes), l.t(T::ColShareOfVotes)], &rows, threshold))
        (crate::map::tiles(l, r, &h.name))
        h2 { (l.f(T::ByLevel, &[("level", level(l, r.level).as_str())])) }
        @if units.is_empty() { p { (l.t(T::NoUnitsAtLevel)) } } @else {
            div.scroll tabindex="0" { table {
                thead { tr { th scope="col" { (level(l, r.level)) } th.n scope="col" { (l.t(T::ColStationsReporting)) } th.n scope="col" { (l.t(T::ColVotes)) } } }
                tbody {
                    @for row in units.iter().take(ROWS) {
                        @let u = &row.totals;
                        tr {
                            td.name { a href=(format!("/elections/{n}/units/{}", row.unit.0)) { (row.path.join(" / ")) } }
                            td.n {
                                (l.f(T::ReportingOf, &[("reporting", &l.count(u.reporting)), ("stations", &l.count(u.stations))]))
                                @if u.annulled > 0 { br; small { (l.f(T::AnnulledCount, &[("annulled", &l.count(u.annulled))])) } }
                            }
                            td.n { (l.count(u.votes.iter().sum::<u64>())) }
                        }
                    }
                }
            } }
            @if all > ROWS.min(units.len()) {
                p { (l.f(T::FirstRowsOf, &[("shown", &l.count(ROWS.min(units.len()) as u64)), ("all", &l.count(all as u64))])) " "
                    a href=(format!("/elections/{n}/units?level={}", r.level.key())) { (l.t(T::SeeAllUnits)) } }
            }
        }
        nav.pager aria-labelledby="l-by" {
            (label("l-by", &l.t(T::ShowBy)))
            (l.t(T::ShowBy)) ":"
            @for lv in levels {
                a href=(format!("/elections/{n}?by={}", lv.key())) aria-current=[(lv == r.level).then_some("page")] { (level(l, lv)) }
            }
        }
        (data_links(l, &[
            ("JSON", format!("/api/elections/{n}/results?by={}", r.level.key())),
            ("CSV", format!("/api/elections/{n}/export.csv")),
            ("tallyproof JSON", format!("/api/elections/{n}/export.json")),
            ("NIST CDF", format!("/api/elections/{n}/export.cdf.json")),
        ]))
    };
    frame(
        l,
        &here,
        Some(h),
        Section::Results,
        l.t(T::NavResults),
        body,
    )
}
