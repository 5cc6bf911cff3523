//! The rules of protocol intake at the results service (`docs/log-format.md`, "staff"), once
//! for the replay and the store: what an entered protocol needs before a verifier may verify
//! it, besides the two-person rule. A protocol that breaks an error-level control relation of
//! the election, or leaves blank a line one needs, is quarantined until a commissioner overrides the quarantine with a reason;
//! under blind double entry it is keyed by two operators (or a commissioner resolves a
//! mismatch); under a law that requires it, it comes with the scan of its paper protocol.

use model::{Election, Protocol, Unmet};

use crate::counting::{legal_count, scan_required};

/// What the log says of one entered protocol (one digest) when it is verified.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keyed {
    /// Whether blind double entry was on when it was verified.
    pub double: bool,
    /// How many different operators keyed it.
    pub keyings: usize,
    /// Whether a commissioner chose it between two keyings that differ.
    pub resolved: bool,
    /// Whether a commissioner overrode its quarantine.
    pub overridden: bool,
    /// Whether one of its entries carries the scan of the paper protocol.
    pub scanned: bool,
}

/// Why the entered protocol `p` of `election` may not be verified yet, if it may not.
pub fn may_verify(election: &Election, p: &Protocol, k: Keyed) -> Result<(), String> {
    if k.double && !k.resolved && k.keyings < 2 {
        return Err(
            "blind double entry: a second operator must key this protocol without seeing \
             the first keying, or a commissioner resolve it"
                .into(),
        );
    }
    let law = election.law.as_deref();
    if let Some(source) = scan_required(law) {
        if p.source == legal_count(law) && !k.scanned {
            return Err(format!(
                "the law ({}, {source}) requires the scan of the paper protocol: enter it again \
                 with its scan",
                law.unwrap_or_default()
            ));
        }
    }
    let unmet = election.rules.quarantining(p);
    if let (Some((rule, how)), false) = (unmet.first(), k.overridden) {
        let what = match how {
            Unmet::Broken => format!("it breaks the control relation '{rule}'"),
            Unmet::Unchecked => {
                format!("the control relation '{rule}' cannot be checked: a line it needs is blank")
            }
        };
        return Err(format!(
            "quarantined: {what}: a commissioner must override the quarantine, giving a reason, \
             before it is verified"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{Line, UnitId};

    fn election(law: Option<&str>) -> Election {
        let mut e = Election::new("e");
        let parties = ["A", "B"].map(|n| model::Choice::new(n, model::ChoiceKind::Party));
        e.contests.push(model::Contest::new(
            "c",
            model::ContestKind::PartyList,
            parties.to_vec(),
        ));
        e.law = law.map(str::to_string);
        e
    }

    #[test]
    fn quarantine_double_entry_and_scans() {
        let e = election(None);
        let mut p = Protocol::new(UnitId(3), 0, 1);
        p.votes = vec![0; e.contests[0].choices.len()];
        p.votes[0] = 487;
        p.set_line(Line::Valid, 387);
        let once = Keyed {
            keyings: 1,
            ..Keyed::default()
        };
        // A blank line never lets a protocol past a relation: `valid + invalid = found`.
        assert_eq!(
            may_verify(&e, &p, once).unwrap_err(),
            "quarantined: the control relation 'error: valid + invalid = found' cannot be \
             checked: a line it needs is blank: a commissioner must override the quarantine, \
             giving a reason, before it is verified"
        );
        p.set_line(Line::Invalid, 13);
        p.set_line(Line::FoundTotal, 400);
        let e1 = may_verify(&e, &p, once).unwrap_err();
        assert_eq!(
            e1,
            "quarantined: it breaks the control relation 'error: choices = valid': a commissioner \
             must override the quarantine, giving a reason, before it is verified"
        );
        let overridden = Keyed {
            overridden: true,
            ..once
        };
        assert_eq!(may_verify(&e, &p, overridden), Ok(()));
        p.set_line(Line::Valid, 487);
        p.set_line(Line::FoundTotal, 500);
        assert_eq!(may_verify(&e, &p, once), Ok(()));
        // Double entry: two keyings, or a commissioner's resolution.
        let double = Keyed {
            double: true,
            ..once
        };
        assert!(may_verify(&e, &p, double)
            .unwrap_err()
            .contains("second operator"));
        for k in [
            Keyed {
                keyings: 2,
                ..double
            },
            Keyed {
                resolved: true,
                ..double
            },
        ] {
            assert_eq!(may_verify(&e, &p, k), Ok(()));
        }
        // kg2021 wants the scan of the legal count's protocol, not of the machine count's.
        let e = election(Some("kg2021"));
        assert!(may_verify(&e, &p, once)
            .unwrap_err()
            .contains("CEC notice 4690"));
        let scanned = Keyed {
            scanned: true,
            ..once
        };
        assert_eq!(may_verify(&e, &p, scanned), Ok(()));
        p.source = model::CountSource::Machine;
        assert_eq!(may_verify(&e, &p, once), Ok(()));
        assert_eq!(may_verify(&election(Some("kg2020")), &p, once), Ok(()));
    }
}
