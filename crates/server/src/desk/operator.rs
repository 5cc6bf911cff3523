//! The operator's form: a protocol of one of their stations, its count, its lines and votes,
//! and the scan of the paper protocol.

use maud::{html, Markup};
use model::{CountSource, Line, UnitId, UnitLevel};
use ui::layout::option;
use ui::{Tr, T};

use super::fields::{self, field};
use super::Desk;
use crate::pages;

/// The most stations the form lists (the unit search of issue 17 will find the others).
const LISTED: usize = 500;

/// The lines the form asks for, besides the votes.
const LINES: [Line; 5] = [
    Line::Registered,
    Line::IssuedTotal,
    Line::FoundTotal,
    Line::Invalid,
    Line::Valid,
];

/// The protocol entry form, over the stations in or under the units assigned to the user.
pub(super) fn entry(d: &Desk<'_>, assigned: &[UnitId]) -> Markup {
    let (l, e) = (d.l, d.election);
    // Whether each unit is in or under an assigned one, in one pass (a parent comes before
    // its children).
    let mut inside = vec![false; e.units.len()];
    for a in assigned {
        if let Some(x) = inside.get_mut(a.index()) {
            *x = true;
        }
    }
    let mut stations: Vec<UnitId> = Vec::new();
    for (id, u) in e.units.iter() {
        let here = inside[id.index()] || u.parent.is_some_and(|p| inside[p.index()]);
        inside[id.index()] = here;
        if here && u.level == UnitLevel::Station {
            stations.push(id);
        }
    }
    let hint = (stations.len() > LISTED).then(|| {
        l.f(
            T::DeskStationsFirst,
            &[
                ("shown", &l.count(LISTED as u64)),
                ("all", &l.count(stations.len() as u64)),
            ],
        )
    });
    let described = hint.as_ref().map(|_| fields::hint_of("station"));
    let choices = e.contests.first().map_or(&[][..], |c| &c.choices[..]);
    html! {
        h2 { (l.t(T::DeskEnterHeading)) }
        @if stations.is_empty() {
            p { (l.t(T::DeskNoStations)) }
        } @else {
            p.hint { (l.t(T::DeskEnterHint)) }
            form.form.wide method="post" action=(format!("{}/protocols", d.base())) enctype="multipart/form-data" {
                (d.csrf)
                (field("station", l.t(T::LevelStation), hint, html! {
                    select #station name="station" aria-describedby=[described] {
                        @for id in stations.iter().take(LISTED) {
                            option value=(id.0) { (e.units.path(*id)) }
                        }
                    }
                }))
                (field("source", l.t(T::DeskCountSource), None, html! {
                    select #source name="source" {
                        (option("manual", false, &pages::source(l, CountSource::Manual)))
                        (option("machine", false, &pages::source(l, CountSource::Machine)))
                    }
                }))
                fieldset {
                    legend { (l.t(T::DeskLines)) }
                    div.rows { @for line in LINES { (fields::count(line.key(), pages::line(l, line), false)) } }
                }
                fieldset {
                    legend { (l.t(T::VotesByChoice)) }
                    div.rows {
                        @for (i, ch) in choices.iter().enumerate() {
                            (fields::count(&format!("vote_{i}"), Tr::from(ch.name.clone()), true))
                        }
                    }
                }
                (field("scan", l.t(T::DeskScan), None, html! {
                    input #scan type="file" name="scan" accept="image/png,image/jpeg,application/pdf";
                }))
                div.acts { button #enter-protocol { (l.t(T::DeskEnterButton)) } }
            }
        }
    }
}
