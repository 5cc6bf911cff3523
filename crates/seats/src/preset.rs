//! The Kyrgyz laws as presets, each rule with its source (the project's
//! `electoral-law.md`, §1). Open questions of the statute are parameters with the choice
//! stated, never guessed silently:
//!
//! 1. the regional threshold's base: the region's participants ([`RegionalBase::Region`]);
//! 2. equal fractional parts: the tie rule is `error` (the statute excerpt does not say);
//! 3. the cap's redistribution: iterative reallocation among the parties not capped;
//! 4. strictness: a party must reach the threshold (`>=`), no rounding.

use crate::{Base, Fraction, Method, RegionalBase, SeatsError, Threshold, Ties};

/// A law's parameters, to be combined with votes into a [`crate::Problem`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Law {
    /// The preset's key.
    pub key: &'static str,
    /// What it is.
    pub title: &'static str,
    /// List seats.
    pub seats: u64,
    /// The list method.
    pub method: Method,
    /// The thresholds (without base_votes: they come with the votes).
    pub threshold: Threshold,
    /// The cap.
    pub cap: u64,
    /// The tie rule.
    pub ties: Ties,
    /// Single-member districts besides the lists (2021).
    pub districts: u64,
    /// Region labels in the data that are not units of the regional threshold (the 45
    /// stations abroad, run by the Ministry of Foreign Affairs, `МИД КР` in the 2020 files).
    pub abroad: &'static [&'static str],
    /// The sources of the rules.
    pub sources: &'static str,
}

fn share(num: u64, den: u64) -> Option<Fraction> {
    Some(Fraction { num, den })
}

/// The label of the stations abroad in the Kyrgyz data.
const ABROAD: &[&str] = &["МИД КР"];

/// The presets' keys.
pub const KEYS: &str = "kg2010, kg2015, kg2020, kg2021";

/// The preset named `key`.
pub fn law(key: &str) -> Result<Law, SeatsError> {
    let threshold = |national, base, regional| Threshold {
        national,
        base,
        base_votes: None,
        regional,
        regional_base: RegionalBase::Region,
        strict: false,
    };
    Ok(match key {
        // 120 seats, Hare LR; 5% of registered voters nationally and 0.5% of registered in
        // each of the 9 units; cap 65. Xinhua; Art. 77 of the law then in force; Reuters.
        "kg2010" => Law {
            key: "kg2010",
            title: "Kyrgyzstan, Jogorku Kenesh, 10 October 2010",
            seats: 120,
            method: Method::Hare,
            threshold: threshold(share(5, 100), Base::Registered, share(5, 1000)),
            cap: 65,
            ties: Ties::Error,
            districts: 0,
            abroad: ABROAD,
            sources: "Xinhua; summary citing Art. 77 of the 2010 law; Reuters (cap 65)",
        },
        // 120 seats, Hare LR; 7% nationally and 0.7% in each of the 9 units, of voters who
        // took part; cap 65. ODIHR; Venice Commission/ODIHR joint opinion 2014/15.
        "kg2015" => Law {
            key: "kg2015",
            title: "Kyrgyzstan, Jogorku Kenesh, 4 October 2015",
            seats: 120,
            method: Method::Hare,
            threshold: threshold(share(7, 100), Base::Participated, share(7, 1000)),
            cap: 65,
            ties: Ties::Error,
            districts: 0,
            abroad: ABROAD,
            sources: "ODIHR final report 2015; Venice Commission/ODIHR joint opinion (thresholds on voters who participated)",
        },
        // Law, Art. 64: >= 7% of the voters who took part (invalid and "against all"
        // included), >= 0.7% in each of the 9 units; Art. 64(3): Hare quota on the eligible
        // votes, largest fractional parts; cap 65. ODIHR LEOM 2020; 24.kg, 4 Oct 2020.
        "kg2020" => Law {
            key: "kg2020",
            title: "Kyrgyzstan, Jogorku Kenesh, 4 October 2020 (annulled 6 October 2020)",
            seats: 120,
            method: Method::Hare,
            threshold: threshold(share(7, 100), Base::Participated, share(7, 1000)),
            cap: 65,
            ties: Ties::Error,
            districts: 0,
            abroad: ABROAD,
            sources: "Constitutional Law on elections, Art. 64 and 64(3); ODIHR LEOM preliminary statement and final report 2020; 24.kg (4 Oct 2020)",
        },
        // Mixed: 54 list seats (Hare LR) + 36 single-member districts (plurality; "against
        // all" can win and forces a re-run); 5% nationally and 0.5% per region; no party more
        // than half of the list seats (27).
        "kg2021" => Law {
            key: "kg2021",
            title: "Kyrgyzstan, Jogorku Kenesh, 28 November 2021 (list tier)",
            seats: 54,
            method: Method::Hare,
            threshold: threshold(share(5, 100), Base::Participated, share(5, 1000)),
            cap: 27,
            ties: Ties::Error,
            districts: 36,
            abroad: ABROAD,
            sources: "Constitutional Law on elections as amended 2021; CEC results 2021 (Hare over 54 seats reproduces the published split)",
        },
        _ => return Err(SeatsError::invalid(format!("unknown law preset '{key}', expected one of: {KEYS}"))),
    })
}
