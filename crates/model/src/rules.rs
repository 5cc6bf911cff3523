//! Control relations: the arithmetic checks that election law puts on a protocol.
//!
//! A rule is declared as text, `SEVERITY: TERMS OP TERMS`, for example
//! `error: valid + invalid = found`. Terms are protocol line keys ([`crate::Line::key`]) or
//! the derived terms `issued` (the issued total, or early + in station + outside), `found`
//! (ballots in the boxes) and `choices` (the sum of the votes for every choice). A rule whose
//! terms are not all on a protocol does not apply to it.

use std::fmt;

use crate::{Election, Line, ModelError, Protocol, UnitId};

/// The key of the derived term "sum of the votes for every choice".
pub const CHOICE_SUM_KEY: &str = "choices";

/// How serious a failed control relation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The protocol is suspicious but arithmetically possible.
    Warning,
    /// The protocol does not add up: the law requires the commission to resolve it.
    Error,
}

impl Severity {
    /// The severity's stable name.
    pub fn key(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One side's summand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Term {
    /// A protocol line.
    Line(Line),
    /// Ballots issued ([`Protocol::issued`]).
    Issued,
    /// Ballots found in the boxes ([`Protocol::found`]).
    Found,
    /// The sum of the votes for every choice.
    Choices,
}

impl Term {
    /// The term as a relation's text names it: a line's key, `issued`, `found`, `choices`.
    pub fn key(self) -> &'static str {
        match self {
            Term::Line(l) => l.key(),
            Term::Issued => "issued",
            Term::Found => "found",
            Term::Choices => CHOICE_SUM_KEY,
        }
    }

    fn parse(s: &str) -> Result<Term, ModelError> {
        match s {
            "issued" => Ok(Term::Issued),
            "found" => Ok(Term::Found),
            CHOICE_SUM_KEY => Ok(Term::Choices),
            _ => Line::from_key(s)
                .map(Term::Line)
                .ok_or_else(|| ModelError::UnknownName {
                    what: "control relation term",
                    name: s.to_string(),
                    expected: format!(
                        "{}, issued, found, {CHOICE_SUM_KEY}",
                        Line::ALL
                            .iter()
                            .map(|l| l.key())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }),
        }
    }

    /// The term's value, exact whatever the counts (a sum of `u64` lines may not fit in one).
    fn value(self, p: &Protocol) -> Option<u128> {
        match self {
            Term::Line(l) => p.line(l).map(u128::from),
            Term::Issued => p.issued_wide(),
            Term::Found => p.found_wide(),
            Term::Choices => Some(p.choice_sum_wide()),
        }
    }
}

/// The comparison a rule asserts between its two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// Left equals right.
    Eq,
    /// Left is at most right.
    Le,
    /// Left is at least right.
    Ge,
}

impl Relation {
    fn symbol(self) -> &'static str {
        match self {
            Relation::Eq => "=",
            Relation::Le => "<=",
            Relation::Ge => ">=",
        }
    }

    /// Whether the comparison holds between a left side of `l` and a right side of `r`.
    pub fn holds(self, l: u128, r: u128) -> bool {
        match self {
            Relation::Eq => l == r,
            Relation::Le => l <= r,
            Relation::Ge => l >= r,
        }
    }
}

/// One control relation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ControlRule {
    /// Error or warning.
    pub severity: Severity,
    /// The left side's summands.
    pub lhs: Vec<Term>,
    /// The comparison.
    pub relation: Relation,
    /// The right side's summands.
    pub rhs: Vec<Term>,
}

impl ControlRule {
    /// Parses `SEVERITY: TERM [+ TERM]... (=|<=|>=) TERM [+ TERM]...`.
    pub fn parse(text: &str) -> Result<ControlRule, ModelError> {
        let bad = |why: &str| ModelError::UnknownName {
            what: "control relation",
            name: text.to_string(),
            expected: format!("'error: a + b = c' or 'warning: a <= b' ({why})"),
        };
        let (sev, body) = text.split_once(':').ok_or_else(|| bad("no severity"))?;
        let severity = match sev.trim() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            _ => return Err(bad("severity is error or warning")),
        };
        let (relation, op) = [
            (Relation::Le, "<="),
            (Relation::Ge, ">="),
            (Relation::Eq, "="),
        ]
        .into_iter()
        .find(|(_, op)| body.contains(op))
        .ok_or_else(|| bad("no =, <= or >="))?;
        let (l, r) = body.split_once(op).ok_or_else(|| bad("no relation"))?;
        let side = |s: &str| -> Result<Vec<Term>, ModelError> {
            s.split('+').map(|t| Term::parse(t.trim())).collect()
        };
        Ok(ControlRule {
            severity,
            lhs: side(l)?,
            relation,
            rhs: side(r)?,
        })
    }

    /// Whether the relation holds on `p`, or does not apply to it (a line it needs is missing).
    pub fn holds(&self, p: &Protocol) -> bool {
        self.sides(p).is_none_or(|(l, r)| self.relation.holds(l, r))
    }

    /// The two sides' sums on `p`, exact; `None` when the relation does not apply to it.
    pub fn sides(&self, p: &Protocol) -> Option<(u128, u128)> {
        let total = |terms: &[Term]| -> Option<u128> {
            terms
                .iter()
                .try_fold(0u128, |acc, t| Some(acc + t.value(p)?))
        };
        Some((total(&self.lhs)?, total(&self.rhs)?))
    }

    /// Checks one protocol; `None` when the relation holds or does not apply.
    pub fn check(&self, election: &Election, p: &Protocol) -> Option<Diagnostic> {
        // The common case, a relation that holds, allocates nothing. Sums are exact: a few
        // `u64` terms cannot overflow a `u128`.
        let total = |terms: &[Term]| -> Option<u128> {
            terms
                .iter()
                .try_fold(0u128, |acc, t| Some(acc + t.value(p)?))
        };
        if self.relation.holds(total(&self.lhs)?, total(&self.rhs)?) {
            return None;
        }
        let values = |terms: &[Term]| -> Option<Vec<(Term, u128)>> {
            terms.iter().map(|&t| t.value(p).map(|v| (t, v))).collect()
        };
        let l = values(&self.lhs)?;
        let r = values(&self.rhs)?;
        Some(Diagnostic {
            severity: self.severity,
            station: p.station,
            station_path: election.units.path(p.station),
            contest: election
                .contests
                .get(p.contest)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            version: p.version,
            rule: self.to_string(),
            detail: format!(
                "{} {} {}",
                describe(&l),
                negate(self.relation),
                describe(&r)
            ),
        })
    }
}

fn sum(terms: &[(Term, u128)]) -> u128 {
    terms.iter().map(|(_, v)| v).sum()
}

fn describe(terms: &[(Term, u128)]) -> String {
    let parts: Vec<String> = terms
        .iter()
        .map(|(t, v)| format!("{} {v}", t.key()))
        .collect();
    if terms.len() == 1 {
        parts.join("")
    } else {
        format!("{} = {}", parts.join(" + "), sum(terms))
    }
}

fn negate(r: Relation) -> &'static str {
    match r {
        Relation::Eq => "!=",
        Relation::Le => ">",
        Relation::Ge => "<",
    }
}

impl fmt::Display for ControlRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = |ts: &[Term]| ts.iter().map(|t| t.key()).collect::<Vec<_>>().join(" + ");
        write!(
            f,
            "{}: {} {} {}",
            self.severity.key(),
            side(&self.lhs),
            self.relation.symbol(),
            side(&self.rhs)
        )
    }
}

/// The control relations declared for one election.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRules(pub Vec<ControlRule>);

impl ControlRules {
    /// Builds a rule set from its textual declarations.
    pub fn parse<'a>(texts: impl IntoIterator<Item = &'a str>) -> Result<ControlRules, ModelError> {
        texts
            .into_iter()
            .map(ControlRule::parse)
            .collect::<Result<_, _>>()
            .map(ControlRules)
    }

    fn from_static(texts: &[&str]) -> ControlRules {
        ControlRules(
            texts
                .iter()
                .filter_map(|t| ControlRule::parse(t).ok())
                .collect(),
        )
    }

    /// The relations common to the protocol forms we know:
    /// the ballot account (valid + invalid = found, votes sum to valid) as errors, and the
    /// flow of ballots (issued <= received, found <= issued, issued <= registered) as
    /// warnings, because published historical protocols break them and stay official.
    pub fn standard() -> ControlRules {
        ControlRules::from_static(&[
            "error: valid + invalid = found",
            "error: choices = valid",
            "warning: issued <= received",
            "warning: found <= issued",
            "warning: registered >= issued",
        ])
    }

    /// The standard relations plus the ballot balance of the Russian protocol form
    /// (CEC of Russia protocol control relation 2 = 3 + 4 + 5 + 6 + lost - unaccounted,
    /// written without subtraction).
    pub fn russia() -> ControlRules {
        let mut r = ControlRules::standard();
        r.0.extend(
            ControlRules::from_static(&[
                "error: received + unaccounted = issued + cancelled + lost",
            ])
            .0,
        );
        r
    }

    /// The relations the Kyrgyz 2020 station files can carry: only the votes and their
    /// total (mapped to valid ballots).
    pub fn kyrgyz_2020_files() -> ControlRules {
        ControlRules::from_static(&["error: choices = valid"])
    }

    /// Checks a protocol against every relation, in declaration order.
    pub fn check(&self, election: &Election, p: &Protocol) -> Vec<Diagnostic> {
        self.0.iter().filter_map(|r| r.check(election, p)).collect()
    }

    /// Whether every relation holds on `p` or does not apply to it: [`ControlRules::check`]
    /// finds nothing. Needs no election, so it can run before `p` has a station.
    pub fn all_hold(&self, p: &Protocol) -> bool {
        self.0.iter().all(|r| r.holds(p))
    }

    /// The error-level relations `p` breaks or cannot be checked against (a line they need is
    /// blank), in declaration order: what quarantines a protocol typed at the results service
    /// until a commissioner overrides it. A blank line never lets a protocol past a relation.
    pub fn quarantining(&self, p: &Protocol) -> Vec<(&ControlRule, Unmet)> {
        self.0
            .iter()
            .filter(|r| r.severity == Severity::Error)
            .filter_map(|r| match r.sides(p) {
                None => Some((r, Unmet::Unchecked)),
                Some((a, b)) => (!r.relation.holds(a, b)).then_some((r, Unmet::Broken)),
            })
            .collect()
    }

    /// The lines a form for entering a protocol asks for, in protocol order, and whether each
    /// must be filled in: the registered voters, ballots issued and found, invalid and valid
    /// ballots, and every line a relation names; a line an error-level relation names is
    /// needed, or the protocol is quarantined ([`ControlRules::quarantining`]). The staff
    /// desk's form and the posted protocol's form (`ui::posted`) ask for the same lines.
    pub fn form_lines(&self) -> Vec<(Line, bool)> {
        const ALWAYS: [Line; 5] = [
            Line::Registered,
            Line::IssuedTotal,
            Line::FoundTotal,
            Line::Invalid,
            Line::Valid,
        ];
        let named = self.lines(Severity::Warning);
        let errors = self.lines(Severity::Error);
        Line::ALL
            .iter()
            .copied()
            .filter(|x| ALWAYS.contains(x) || named.contains(x))
            .map(|x| (x, errors.contains(&x)))
            .collect()
    }

    /// The lines the relations of severity `at_least` or above name, in [`Line::ALL`] order:
    /// what a form for entering a protocol asks for so that every relation can be checked
    /// (`issued` and `found` by their total lines).
    pub fn lines(&self, at_least: Severity) -> Vec<Line> {
        let named = |l: Line| {
            self.0.iter().filter(|r| r.severity >= at_least).any(|r| {
                r.lhs.iter().chain(&r.rhs).any(|&t| match t {
                    Term::Line(x) => x == l,
                    Term::Issued => l == Line::IssuedTotal,
                    Term::Found => l == Line::FoundTotal,
                    Term::Choices => false,
                })
            })
        };
        Line::ALL.iter().copied().filter(|&l| named(l)).collect()
    }

    /// The declarations as text, one per rule.
    pub fn texts(&self) -> Vec<String> {
        self.0.iter().map(ToString::to_string).collect()
    }
}

/// How a protocol fails an error-level relation ([`ControlRules::quarantining`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmet {
    /// Both sides are there and the relation does not hold.
    Broken,
    /// A line the relation needs is blank, so it cannot be checked.
    Unchecked,
}

/// A failed control relation on one protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The station.
    pub station: UnitId,
    /// The station's path in the unit tree.
    pub station_path: String,
    /// The contest's name.
    pub contest: String,
    /// The protocol version checked.
    pub version: u32,
    /// The relation as declared.
    pub rule: String,
    /// The lines and numbers that break it.
    pub detail: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: station '{}', contest '{}', version {}: [{}] fails: {}",
            self.severity.key(),
            self.station_path,
            self.contest,
            self.version,
            self.rule.split_once(": ").map_or(&*self.rule, |(_, r)| r),
            self.detail
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Choice, ChoiceKind, Contest, ContestKind, UnitLevel};

    fn setup() -> (Election, Protocol) {
        let mut e = Election::new("t");
        e.rules = ControlRules::russia();
        e.contests.push(Contest::new(
            "list",
            ContestKind::PartyList,
            vec![
                Choice::new("A", ChoiceKind::Party),
                Choice::new("B", ChoiceKind::Party),
            ],
        ));
        let r = e
            .units
            .insert(e.units.root(), UnitLevel::Region, "R")
            .unwrap();
        let s = e.units.insert(r, UnitLevel::Station, "5").unwrap();
        let mut p = Protocol::new(s, 0, 2);
        for (l, v) in [
            (Line::Registered, 1000),
            (Line::Received, 900),
            (Line::IssuedEarly, 10),
            (Line::IssuedInStation, 500),
            (Line::IssuedOutside, 40),
            (Line::Cancelled, 350),
            (Line::FoundMobile, 50),
            (Line::FoundStationary, 500),
            (Line::Invalid, 5),
            (Line::Valid, 545),
            (Line::Lost, 0),
            (Line::Unaccounted, 0),
        ] {
            p.set_line(l, v);
        }
        p.votes = vec![300, 245];
        (e, p)
    }

    fn diags(e: &Election, p: &Protocol) -> Vec<String> {
        e.rules
            .check(e, p)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_consistent_protocol_has_no_diagnostic() {
        let (e, p) = setup();
        assert_eq!(diags(&e, &p), Vec::<String>::new());
    }

    #[test]
    fn votes_that_wrap_around_u64_do_not_add_up_to_valid() {
        // Issue 13: 2^63 + (2^63 + 545) wraps to 545 in u64 arithmetic.
        let (e, mut p) = setup();
        p.votes = vec![1 << 63, (1 << 63) + 545];
        let d = diags(&e, &p);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].contains("[choices = valid] fails: choices 18446744073709552161 != valid 545"),
            "{d:?}"
        );
    }

    #[test]
    fn valid_plus_invalid_must_equal_found() {
        let (e, mut p) = setup();
        p.set_line(Line::Invalid, 6);
        assert_eq!(diags(&e, &p), vec![
            "error: station 'R / 5', contest 'list', version 1: [valid + invalid = found] fails: valid 545 + invalid 6 = 551 != found 550"
        ]);
    }

    #[test]
    fn choice_votes_must_sum_to_valid() {
        let (e, mut p) = setup();
        p.votes = vec![300, 244];
        assert_eq!(diags(&e, &p), vec![
            "error: station 'R / 5', contest 'list', version 1: [choices = valid] fails: choices 544 != valid 545"
        ]);
    }

    #[test]
    fn issued_must_not_exceed_received() {
        let (e, mut p) = setup();
        p.set_line(Line::Received, 549);
        p.set_line(Line::Cancelled, 0);
        assert_eq!(diags(&e, &p), vec![
            "warning: station 'R / 5', contest 'list', version 1: [issued <= received] fails: issued 550 > received 549",
            "error: station 'R / 5', contest 'list', version 1: [received + unaccounted = issued + cancelled + lost] fails: received 549 + unaccounted 0 = 549 != issued 550 + cancelled 0 + lost 0 = 550",
        ]);
    }

    #[test]
    fn found_must_not_exceed_issued() {
        let (e, mut p) = setup();
        p.set_line(Line::FoundStationary, 501);
        p.set_line(Line::Valid, 546);
        p.votes = vec![301, 245];
        assert_eq!(diags(&e, &p), vec![
            "warning: station 'R / 5', contest 'list', version 1: [found <= issued] fails: found 551 > issued 550"
        ]);
    }

    #[test]
    fn registered_must_cover_issued() {
        let (e, mut p) = setup();
        p.set_line(Line::Registered, 549);
        assert_eq!(diags(&e, &p), vec![
            "warning: station 'R / 5', contest 'list', version 1: [registered >= issued] fails: registered 549 < issued 550"
        ]);
    }

    #[test]
    fn ballot_balance_of_the_russian_form() {
        let (e, mut p) = setup();
        p.set_line(Line::Lost, 2);
        assert_eq!(diags(&e, &p), vec![
            "error: station 'R / 5', contest 'list', version 1: [received + unaccounted = issued + cancelled + lost] fails: received 900 + unaccounted 0 = 900 != issued 550 + cancelled 350 + lost 2 = 902"
        ]);
    }

    #[test]
    fn a_rule_with_a_missing_line_does_not_apply() {
        let (e, mut p) = setup();
        p.lines[Line::Received.index()] = None;
        p.set_line(Line::Cancelled, 0);
        assert_eq!(diags(&e, &p), Vec::<String>::new());
    }

    #[test]
    fn rules_round_trip_through_text() {
        let r = ControlRules::russia();
        let again = ControlRules::parse(r.texts().iter().map(String::as_str)).unwrap();
        assert_eq!(r, again);
        assert_eq!(r.0.len(), 6);
    }

    #[test]
    fn bad_declarations_are_named() {
        let err = ControlRule::parse("error: valid + invald = found").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("unknown control relation term 'invald'"),
            "{err}"
        );
        let err = ControlRule::parse("fatal: valid = found").unwrap_err();
        assert!(
            err.to_string().contains("severity is error or warning"),
            "{err}"
        );
    }
}
