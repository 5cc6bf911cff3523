//! Which count is the legal result. A station may have two counts of the same ballots: the
//! ballot scanners' (`CountSource::Machine`, the ASU boxes in Kyrgyzstan, KOIB in Russia) and
//! the precinct commission's count by hand, written in its protocol (`CountSource::Manual`).
//! The law names one as the legal result: the one commissions tabulate and certify, and the
//! only one totals, seats and publications are computed from. The other is kept and shown
//! beside it, never substituted for it.

use model::CountSource;

/// The legal count under each law preset, with the source of the rule.
const LEGAL_COUNT: &[(&str, CountSource, &str)] = &[
    // Kyrgyz Republic, every preset: the precinct commission counts the ballots by hand after
    // the automatic ballot boxes (ASU) have counted them as they were cast; the ASU figures
    // are the preliminary results, and the territorial commissions compile the results from
    // the precinct protocols of the manual count (CEC briefing, 5 October 2020; CEC notice
    // 4690, 12 April 2021; `shared/design/observers.md`, "Kyrgyz CEC: GAS Shailoo").
    ("kg2010", CountSource::Manual, "CEC of the Kyrgyz Republic"),
    ("kg2015", CountSource::Manual, "CEC of the Kyrgyz Republic"),
    ("kg2020", CountSource::Manual, "CEC of the Kyrgyz Republic"),
    ("kg2021", CountSource::Manual, "CEC of the Kyrgyz Republic"),
];

/// The law presets under which a protocol of the legal count is entered with the scan of the
/// paper protocol, with the source of the rule: since 2021 the precinct protocol is scanned
/// through the ASU, sent to the CEC's server and published on the CEC's website beside its
/// figures (CEC notice 4690, 12 April 2021; `shared/design/observers.md`, "Kyrgyz CEC: GAS
/// Shailoo").
const SCAN_REQUIRED: &[(&str, &str)] = &[("kg2021", "CEC notice 4690, 12 April 2021")];

/// Whether, under the law preset `law`, a protocol of the legal count typed at the results
/// service must come with the scan of its paper protocol, and where that rule comes from.
pub fn scan_required(law: Option<&str>) -> Option<&'static str> {
    let law = law?;
    SCAN_REQUIRED
        .iter()
        .find(|(k, _)| *k == law)
        .map(|(_, source)| *source)
}

/// The legal count of an election whose definition names the law preset `law`. Without a
/// law (an imported file of one count, such as the Russian ones): the precinct protocol, the
/// manual count, which is what such files hold (their protocols are imported as manual).
pub fn legal_count(law: Option<&str>) -> CountSource {
    law.and_then(|l| LEGAL_COUNT.iter().find(|(k, ..)| *k == l))
        .map_or(CountSource::Manual, |(_, source, _)| *source)
}

/// Where the rule for `law` comes from, in words (for pages that state it).
pub fn legal_count_source(law: Option<&str>) -> &'static str {
    law.and_then(|l| LEGAL_COUNT.iter().find(|(k, ..)| *k == l))
        .map_or("no law named: the precinct protocols", |(_, _, why)| *why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kyrgyz_preset_names_the_manual_count() {
        for law in ["kg2010", "kg2015", "kg2020", "kg2021"] {
            assert!(seats::preset::law(law).is_ok(), "{law} is a preset");
            assert_eq!(legal_count(Some(law)), CountSource::Manual, "{law}");
        }
        assert_eq!(legal_count(None), CountSource::Manual);
        assert_eq!(LEGAL_COUNT.len(), seats::preset::KEYS.split(", ").count());
    }
}
