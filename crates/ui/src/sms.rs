//! The reply to an observer's SMS report (`observe::inbox::Reply`), in the sender's alphabet
//! (`observe::sms::Alphabet`: English for a Latin message, Russian for a Cyrillic one), from
//! the glossary's `sms-*` terms. A report taken is repeated as read, so that the observer
//! sees every count as it was taken. Numbers are written as digits only, as the observer
//! typed them.

use observe::inbox::{Reply, Taken};
use observe::sms::Alphabet;
use observe::ObserveError;

use crate::{Lang, T};

/// The language of a reply in `alphabet`.
pub fn lang(alphabet: Alphabet) -> Lang {
    match alphabet {
        Alphabet::Latin => Lang::En,
        Alphabet::Cyrillic => Lang::Ru,
    }
}

/// The reply's text in `l`.
pub fn reply(l: Lang, r: &Reply) -> String {
    match r {
        Ok(Taken::Recorded { station, read }) => {
            l.f(T::SmsRecorded, &[("station", station), ("read", read)])
        }
        Ok(Taken::Confirmed {
            station,
            observers,
            read,
        }) => l.f(
            T::SmsConfirmed,
            &[
                ("station", station),
                ("observers", &observers.to_string()),
                ("read", read),
            ],
        ),
        Ok(Taken::Conflict { station, read }) => {
            l.f(T::SmsConflict, &[("station", station), ("read", read)])
        }
        Err(e) => l.f(T::SmsNotRecorded, &[("why", why(l, e).as_str())]),
    }
    .as_str()
    .to_string()
}

/// Why a message was refused, in `l`.
fn why(l: Lang, e: &ObserveError) -> String {
    let n = |x: &dyn ToString| x.to_string();
    let tr = match e {
        ObserveError::NotAReport => l.t(T::SmsNotAReport),
        ObserveError::NoStation => l.t(T::SmsNoStation),
        ObserveError::TooLong { .. } => l.t(T::SmsTooLong),
        ObserveError::Character { at, shown } => {
            l.f(T::SmsCharacter, &[("at", &n(at)), ("shown", shown)])
        }
        ObserveError::Stray { item, text } => {
            l.f(T::SmsStray, &[("item", &n(item)), ("text", text)])
        }
        ObserveError::UnknownCode { item, code } => {
            l.f(T::SmsUnknownCode, &[("item", &n(item)), ("code", code)])
        }
        ObserveError::NoCount { item, code } => {
            l.f(T::SmsNoCount, &[("item", &n(item)), ("code", code)])
        }
        ObserveError::TooLarge { item, code, .. } => {
            l.f(T::SmsTooLarge, &[("item", &n(item)), ("code", code)])
        }
        ObserveError::Repeated { code } => l.f(T::SmsRepeated, &[("code", code)]),
        ObserveError::Missing { codes } => l.f(T::SmsMissing, &[("codes", &codes.join(" "))]),
        ObserveError::NotInSample { station } => l.f(T::SmsNotInSample, &[("station", station)]),
        ObserveError::NotAssigned { station } => l.f(T::SmsNotAssigned, &[("station", station)]),
        ObserveError::UnknownSender => l.t(T::SmsUnknownSender),
        ObserveError::Implausible { code, count, bound } => l.f(
            T::SmsImplausible,
            &[("code", code), ("count", &n(count)), ("bound", &n(bound))],
        ),
        ObserveError::Relation {
            votes,
            invalid,
            issued,
        } => l.f(
            T::SmsRelation,
            &[
                ("votes", &n(votes)),
                ("invalid", &n(invalid)),
                ("issued", &n(issued)),
            ],
        ),
        ObserveError::Incomplete => l.t(T::SmsIncomplete),
        ObserveError::Part { part, parts, .. } => {
            l.f(T::SmsPart, &[("part", &n(part)), ("parts", &n(parts))])
        }
        ObserveError::Busy => l.t(T::SmsBusy),
        ObserveError::BadSignature
        | ObserveError::Stale { .. }
        | ObserveError::Replayed { .. }
        | ObserveError::BeforeStart { .. }
        | ObserveError::Invalid { .. } => l.t(T::SmsRefused),
    };
    tr.as_str().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_is_in_the_senders_alphabet() {
        let ru = lang(Alphabet::of("ПВТ 1234 А120"));
        let en = lang(Alphabet::of("PVT 1234 A120"));
        let missing: Reply = Err(ObserveError::Missing {
            codes: vec!["K".into(), "M".into()],
        });
        assert_eq!(reply(en, &missing), "Not recorded: missing K M.");
        assert_eq!(reply(ru, &missing), "Не принято: не хватает: K M.");
        let ok: Reply = Ok(Taken::Confirmed {
            station: "1234".into(),
            observers: 2,
            read: "E1520 B901 X12 A120 C340".into(),
        });
        assert_eq!(
            reply(ru, &ok),
            "ПВТ 1234 принято: E1520 B901 X12 A120 C340. Отчёты наблюдателей (2) совпадают."
        );
        // Every refusal a sender can get has its own words, short enough for an SMS or two.
        let all = [
            ObserveError::NotAReport,
            ObserveError::Relation {
                votes: 999_999_999,
                invalid: 999_999_999,
                issued: 999_999_999,
            },
        ];
        for e in all {
            for l in [en, ru] {
                let text = reply(l, &Err(e.clone()));
                assert!(text.chars().count() <= 134, "{text}");
                assert!(!text.contains('{'), "{text}");
            }
        }
    }
}
