//! Russian federal election station files: Sergey Shpilkin's scrape of izbirkom.ru (2004 to
//! 2021) and Ivan Shukshin's (2024), as published in dkobak/elections `data/`.
//!
//! Location columns `region`, `oik` (where present), `tik`, `uik`; protocol lines whose
//! headers start with `Число` and change wording between years, so they are matched by
//! stable substrings (see [`line_of`]); absentee-certificate lines are kept as extra counts;
//! every other column is a choice. A station's key is (region, oik, tik, uik); a 2021
//! remote electronic-voting row has an empty `uik` and is named after its `tik`. A row whose
//! count cells are all empty is a station that did not report (2024's annexed regions).
//!
//! Only the 2020 file names its vote (a `name` column). The others are named by what their
//! choices say, these being the files of federal elections (`shared/data/README.md`): party
//! lists are the State Duma's, candidates the President's; the name is the Russian one of the
//! CEC's results pages, without the convocation, which the file does not give (`--contest`
//! gives a fuller name).

use model::{Choice, ChoiceKind, ContestKind, ControlRules, Line, UnitLevel};

use crate::layout::{CountSyntax, Dialect, Layout, Target};
use crate::FormatError;

pub(crate) struct Ru;

/// The contest's name for each kind of contest, where the file gives none.
fn contest_name(kind: ContestKind) -> &'static str {
    match kind {
        ContestKind::PartyList => {
            "Выборы депутатов Государственной Думы Федерального Собрания Российской Федерации"
        }
        ContestKind::SingleMember => "Выборы Президента Российской Федерации",
        ContestKind::Referendum => "Общероссийское голосование",
    }
}

/// What a Russian protocol header means, or why it is not understood.
enum Column {
    Line(Line),
    Extra,
}

/// Normalises a header: lower case, `ё` as `е`, runs of white space as one space.
fn normalise(h: &str) -> String {
    h.to_lowercase()
        .replace('ё', "е")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Maps a `Число ...` header to a protocol line by stable substrings of the CEC forms'
/// wording across 2004-2024.
fn line_of(h: &str) -> Option<Column> {
    let has = |s: &str| h.contains(s);
    let line = if has("открепительн") {
        return Some(Column::Extra);
    } else if has("избирателей, внесенных")
        || has("избирателей, включенных")
        || has("участников голосования, включенных")
    {
        Line::Registered
    } else if has("не учтенных") {
        Line::Unaccounted
    } else if has("утраченных") {
        Line::Lost
    } else if has("погашенных") {
        Line::Cancelled
    } else if has("недействительных") {
        Line::Invalid
    } else if has("действительных") {
        Line::Valid
    } else if has("переносных") {
        Line::FoundMobile
    } else if has("стационарных") {
        Line::FoundStationary
    } else if has("содержащихся в ящиках") {
        Line::FoundTotal
    } else if has("полученных") {
        Line::Received
    } else if has("выданных") {
        if has("досрочно") {
            Line::IssuedEarly
        } else if has("вне помещени") {
            Line::IssuedOutside
        } else if has("в помещени") || has("в день голосования") {
            Line::IssuedInStation
        } else if has("участникам голосования") {
            Line::IssuedTotal
        } else {
            return None;
        }
    } else {
        return None;
    };
    Some(Column::Line(line))
}

/// A party column starts with its ballot number: `6. Всероссийская ...` or `10.Всероссийская`.
fn ballot_number(h: &str) -> Option<u32> {
    let (n, rest) = h.split_once('.')?;
    (!rest.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .then(|| n.parse().ok())
        .flatten()
}

impl Dialect for Ru {
    fn layout(&self, file: &str, headers: &[String]) -> Result<Layout, FormatError> {
        let mut l = Layout::new(CountSyntax::Integer, ControlRules::russia(), "Russia", "");
        l.empty_station_uses = Some(UnitLevel::District);
        for (i, h) in headers.iter().enumerate() {
            let n = normalise(h);
            match n.as_str() {
                "region" => l.targets.push(Target::Unit(UnitLevel::Region)),
                "oik" => l.targets.push(Target::Unit(UnitLevel::Constituency)),
                "tik" => l.targets.push(Target::Unit(UnitLevel::District)),
                "uik" => l.targets.push(Target::Unit(UnitLevel::Station)),
                "url" => l.targets.push(Target::Reference),
                "name" => l.targets.push(Target::ContestName),
                "level" => l.targets.push(Target::Ignore),
                _ if n.starts_with("число") => match line_of(&n) {
                    Some(Column::Line(line)) => l.targets.push(Target::Line(line)),
                    Some(Column::Extra) => l.extra(h),
                    None => {
                        return Err(FormatError::at(
                            file,
                            Some(1),
                            Some(i as u64 + 1),
                            Some(h),
                            "unrecognised protocol line",
                        ))
                    }
                },
                "против всех" => l.choice(Choice::new(h, ChoiceKind::AgainstAll)),
                "да" | "нет" => l.choice(Choice::new(h, ChoiceKind::Answer)),
                _ => match ballot_number(h) {
                    Some(b) => l.choice(Choice {
                        name: h.clone(),
                        kind: ChoiceKind::Party,
                        ballot_number: Some(b),
                    }),
                    None => l.choice(Choice::new(h, ChoiceKind::Candidate)),
                },
            }
        }
        l.validate(
            file,
            headers,
            &[
                (Target::Unit(UnitLevel::Region), "region"),
                (Target::Unit(UnitLevel::District), "tik"),
                (Target::Unit(UnitLevel::Station), "uik"),
            ],
        )?;
        l.contest = contest_name(l.contest_kind());
        Ok(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_header_wording_maps_to_one_line() {
        let cases = [
            ("Число избирателей, внесенных в список", Line::Registered),
            ("Число избирателей, включенных в списки избирателей", Line::Registered),
            ("Число участников голосования, включенных в список участников голосования на момент окончания голосования", Line::Registered),
            ("Число полученных избирательных бюллетеней", Line::Received),
            ("Число избирательных бюллетеней, полученных участковыми избирательными комиссиями", Line::Received),
            ("Число избирательных бюллетеней, выданных  досрочно", Line::IssuedEarly),
            ("Число избирательных бюллетеней, выданных в день голосования", Line::IssuedInStation),
            ("Число избирательных бюллетеней, выданных избирателям в помещениях для голосования", Line::IssuedInStation),
            ("Число избирательных бюллетеней, выданных вне помещения для голосования в день голосования", Line::IssuedOutside),
            ("Число избирательных бюллетеней, выданных вне помещения", Line::IssuedOutside),
            ("Число бюллетеней, выданных участникам голосования", Line::IssuedTotal),
            ("Число погашенных избирательных бюллетеней", Line::Cancelled),
            ("Число избирательных бюллетеней в переносных ящиках", Line::FoundMobile),
            ("Число бюллетеней в стационарных ящиках для голосования", Line::FoundStationary),
            ("Число бюллетеней, содержащихся в ящиках для голосования", Line::FoundTotal),
            ("Число недействительных бюллетеней", Line::Invalid),
            ("Число действительных избирательных бюллетеней", Line::Valid),
            ("Число утраченных избирательных бюллетеней", Line::Lost),
            ("Число не учтенных при получении избирательных бюллетеней", Line::Unaccounted),
            ("Число избирательных бюллетеней, не учтенных при получении", Line::Unaccounted),
        ];
        for (h, want) in cases {
            match line_of(&normalise(h)) {
                Some(Column::Line(got)) => assert_eq!(got, want, "{h}"),
                _ => panic!("{h} not mapped to a line"),
            }
        }
        assert!(matches!(
            line_of(&normalise("Число утраченных открепительных удостоверений")),
            Some(Column::Extra)
        ));
        assert!(line_of(&normalise("Число чего-то ещё")).is_none());
    }

    #[test]
    fn ballot_numbers() {
        assert_eq!(
            ballot_number("6. Всероссийская политическая партия"),
            Some(6)
        );
        assert_eq!(ballot_number("10.Всероссийская"), Some(10));
        assert_eq!(ballot_number("Путин Владимир Владимирович"), None);
    }
}
