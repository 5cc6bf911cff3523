"""Tests of the independent verifier's replay on logs built by hand (run by scripts/test:
python -m unittest discover -s verifier). Issue 13: totals that only wrapped 64-bit
arithmetic could have published are refused, naming the unit and the station."""

import json
import os
import unittest

from verify import MAX, Rejected, replay

WRAP = 2**64  # what u64 arithmetic drops


def entry(e):
    return b"\x01" + json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def log(counts, claimed):
    """A log of one region 'R' with a station per count (votes for A and the valid line), and a
    final publication claiming `claimed` votes for A."""
    entries = [
        {"type": "election", "name": "t", "date": None, "country": "KG",
         "contests": [{"name": "c", "kind": "party-list", "choices": [
             {"name": "A", "kind": "party", "ballot_number": None},
             {"name": "B", "kind": "party", "ballot_number": None}]}],
         "rules": [], "law": None},
        {"type": "units", "units": [[1, 0, "region", "R"]]
         + [[2 + k, 1, "station", str(k + 1)] for k in range(len(counts))]},
    ]
    for k, a in enumerate(counts):
        entries.append({"type": "protocol", "station": 2 + k, "contest": 0, "version": 1,
                        "source": "manual", "lines": {"valid": a}, "votes": [a, 0],
                        "reference": None})
    entries.append({"type": "publication", "stage": "final", "contest": 0,
                    "stations_counted": len(counts), "votes": [claimed, 0], "valid": claimed,
                    "invalid": None, "seats": None})
    return [entry(e) for e in entries]


class Overflow(unittest.TestCase):
    def test_exact_totals_are_accepted(self):
        self.assertEqual(replay(log([30, 10, 25], 65)), (3, 1))

    def test_a_publication_of_wrapped_totals_is_refused_naming_the_unit(self):
        # Three counts below 2^63 whose sum is 2^64 + 65: wrapped, it reads 65.
        third = (WRAP + 65) // 3
        counts = [third, third, WRAP + 65 - 2 * third]
        self.assertTrue(all(c <= 2**63 - 1 for c in counts))
        with self.assertRaises(Rejected) as r:
            replay(log(counts, 65))
        self.assertEqual(
            str(r.exception),
            "entry 5: the totals of 'KG' overflow: with station 'R / 3', "
            "the valid ballots exceed 18446744073709551615")
        # The unbounded sum is refused too: no publication can state it.
        with self.assertRaises(Rejected):
            replay(log(counts, WRAP + 65))

    def test_a_count_above_64_bits_is_refused_naming_the_station(self):
        with self.assertRaises(Rejected) as r:
            replay(log([MAX + 1], MAX + 1))
        self.assertEqual(
            str(r.exception),
            "entry 2: station 'R / 1': a count is not a whole number from 0 to 18446744073709551615")

    def test_a_protocol_whose_own_votes_wrap_is_refused_naming_the_station(self):
        entries = log([5], 5)
        p = json.loads(entries[2][1:])
        p["votes"] = [2**63, 2**63 + 5]  # sums to 5 modulo 2^64
        entries[2] = entry(p)
        with self.assertRaises(Rejected) as r:
            replay(entries)
        self.assertEqual(
            str(r.exception),
            "entry 3: station 'R / 1': the votes for every choice exceed 18446744073709551615")


def build(extra=(), change=None):
    """log([30, 10, 25], 65) as dicts (units: region 1, stations 2 to 4; protocols entries 2 to
    4; the publication entry 5, preliminary so that the election stays open), changed by
    `change`, then `extra` entries appended."""
    entries = [json.loads(b[1:]) for b in log([30, 10, 25], 65)]
    entries[5]["stage"] = "preliminary"
    if change:
        change(entries)
    entries.extend(extra)
    return [entry(e) for e in entries]


def start(name="a", **over):
    e = {"type": "audit", "step": "start", "audit": name, "contest": 0, "law": "kg2020",
         "base": None, "method": "polling", "risk_limit": "5", "seed": "1", "ballots": 10,
         "cvrs": None}
    e.update(over)
    return e


def step(step, **fields):
    e = {"type": "audit", "step": step, "audit": fields.pop("audit", "a")}
    e.update(fields)
    return e


def setter(i, **fields):
    return lambda es: es[i].update(fields)


class Malformed(unittest.TestCase):
    """Every index an entry carries names something the log has, and 32-bit fields stay
    32-bit, as the Rust verifier refuses them (record's replay; issue "One rulebook", item
    4): entry and field named, never a traceback."""

    def test_every_index_out_of_range_is_refused_naming_the_entry_and_the_field(self):
        protocol = {"type": "protocol", "station": 2, "contest": 0, "version": 2,
                    "source": "manual", "lines": {"valid": 50}, "votes": [30, 20],
                    "reference": None}
        decision = {"type": "decision", "kind": "annul-unit", "unit": 99, "reason": "r"}
        complaint = {"type": "complaint", "unit": 99, "by": "b", "text": "t", "scan": None}
        assign = {"type": "staff", "act": "assign", "role": "admin", "user": "console",
                  "subject": "s", "scan": None, "unit": 99}
        enter = {"type": "staff", "act": "enter", "role": "operator", "user": "u",
                 "subject": "d", "scan": None, "unit": 2}
        readings = [start(), step("manifest", batches=[[2, 5], [3, 5]]),
                    step("round", round=1, size=3)]
        cases = [
            # (what, entries, "entry N: field: message" prefix)
            ("a ballot number above 32 bits",
             build(change=lambda es: es[0]["contests"][0]["choices"][0].update(
                 ballot_number=2**32)),
             "entry 0: contests[0].choices[0].ballot_number: 4294967296 is above 4294967295"),
            ("a rule that is not text", build(change=lambda es: es[0].update(rules=[7])),
             "entry 0: rules[0]: 7 is not text"),
            ("a unit under a unit that does not exist",
             build(change=lambda es: es[1]["units"][1].__setitem__(1, 99)),
             "entry 1: units[1].parent: unit 99 does not exist (the election has units 0 to 1)"),
            ("a unit id above 32 bits (2^32 + 1 is not unit 1)",
             build(change=lambda es: es[1]["units"][0].__setitem__(0, 2**32 + 1)),
             "entry 1: units[0].id: 4294967297 is above 4294967295"),
            ("a protocol of a contest that does not exist", build(change=setter(2, contest=3)),
             "entry 2: contest: contest 3 does not exist (the election has 1 contest(s))"),
            ("a protocol of a region", build(change=setter(2, station=1)),
             "entry 2: station: unit 1 ('R') is a region, not a station"),
            ("a protocol of a station above 32 bits", build(change=setter(2, station=2**32 + 2)),
             "entry 2: station: 4294967298 is above 4294967295"),
            ("a protocol with a count too many", build(change=setter(2, votes=[30, 0, 0])),
             "entry 2: votes: 3 vote counts for 2 choices"),
            ("a version above 32 bits", build([dict(protocol, version=2**32 + 2)]),
             "entry 6: version: 4294967298 is above 4294967295"),
            ("a publication of a contest the election does not have, claiming nothing",
             build(change=setter(5, contest=7, stations_counted=0, votes=[], valid=None)),
             "entry 5: contest: contest 7 does not exist (the election has 1 contest(s))"),
            ("a publication at an unknown stage", build(change=setter(5, stage="draft")),
             "entry 5: stage: 'draft', expected one of: preliminary, final"),
            ("seats under an unknown law",
             build(change=setter(5, seats={"law": "kg1990", "base": "participated",
                                           "seats": [60, 60]})),
             "entry 5: seats: unknown law preset 'kg1990'"),
            ("an annulment of a unit that does not exist", build([decision]),
             "entry 6: unit: annulment of an unknown unit: unit 99 does not exist"),
            ("an annulment of a unit above 32 bits", build([dict(decision, unit=2**32 + 4)]),
             "entry 6: unit: 4294967300 is above 4294967295"),
            ("a recount of a unit that does not exist", build([dict(decision, kind="recount")]),
             "entry 6: unit: recount of an unknown unit"),
            ("a complaint about a unit that does not exist", build([complaint]),
             "entry 6: unit: complaint about an unknown unit: unit 99 does not exist"),
            ("an assignment to a unit that does not exist", build([assign]),
             "entry 6: unit: unit 99 does not exist"),
            ("an entry of a protocol that names a unit", build([enter]),
             "entry 6: unit: a staff 'enter' entry names no unit"),
            ("an audit of a contest that does not exist", build([start(contest=1)]),
             "entry 6: contest: contest 1 does not exist"),
            ("an audit of an unknown method", build([start(method="sortition")]),
             "entry 6: method: 'sortition', expected one of: comparison, polling, batch"),
            ("an audit started twice", build([start(), start()]),
             "entry 7: audit: an audit named 'a' was started earlier in the log"),
            ("a step of an audit never started", build([step("escalate", audit="x")]),
             "entry 6: audit: no audit named 'x' was started before this step"),
            ("a manifest of a unit that does not exist",
             build([start(), step("manifest", batches=[[99, 5]])]),
             "entry 7: batches[0].station: unit 99 does not exist"),
            ("a round out of order", build(readings[:2] + [step("round", round=2, size=1)]),
             "entry 8: round: 2, expected 1: rounds follow one another"),
            ("readings of a round not drawn",
             build(readings + [step("readings", round=2, readings=[[1, None, 0]])]),
             "entry 9: round: round 2 was not drawn (the audit has 1 round(s))"),
            ("a reading of a draw outside its round",
             build(readings + [step("readings", round=1, readings=[[4, None, 0]])]),
             "entry 9: readings[0].draw: 4 is not one of round 1's draws (1 to 3)"),
            ("a reading of a choice the contest does not have",
             build(readings + [step("readings", round=1, readings=[[1, None, 2]])]),
             "entry 9: readings[0].paper: choice 2 does not exist (the contest has 2 choice(s))"),
            ("a hand count whose votes add up beyond 64 bits",
             build(readings + [step("counts", round=1, counts=[[2, [MAX, 1], 1]])]),
             "entry 9: counts[0].votes: the votes add up to more than 18446744073709551615"),
            ("a hand count with a count too few",
             build(readings + [step("counts", round=1, counts=[[2, [1], 1]])]),
             "entry 9: counts[0].votes: 1 counts for 2 choice(s)"),
        ]
        for what, entries, says in cases:
            with self.subTest(what):
                with self.assertRaises(Rejected) as r:
                    replay(entries)
                self.assertTrue(str(r.exception).startswith(says), str(r.exception))

    def test_a_malformed_shape_is_refused_naming_the_entry_not_a_traceback(self):
        readings = [start(), step("manifest", batches=[[2, 5]]), step("round", round=1, size=1),
                    step("readings", round=1, readings=[[1, None]])]
        for entries, says in [
            (build(readings), "entry 9: malformed (ValueError"),
            # A complaint's keys are checked first (revision 3): the refusal names them.
            (build([{"type": "complaint"}]),
             "entry 6: not in canonical form (keys type, expected type, unit, by, text, scan)"),
            (build() + [b"\x01{"], "entry 6: malformed (JSONDecodeError"),
        ]:
            with self.assertRaises(Rejected) as r:
                replay(entries)
            self.assertTrue(str(r.exception).startswith(says), str(r.exception))

    def test_the_full_example_still_replays(self):
        extra = [start(), step("manifest", batches=[[2, 5], [3, 5]]),
                 step("round", round=1, size=2),
                 step("readings", round=1, readings=[[1, None, 0], [2, None, None]]),
                 {"type": "complaint", "unit": 2, "by": "b", "text": "t", "scan": None}]
        self.assertEqual(replay(build(extra)), (3, 1))


def staff(act):
    return {"type": "staff", "act": act, "role": "commissioner", "user": "console",
            "subject": None, "scan": None}


def with_act(act, stage):
    """The log of three stations whose publication (at `stage`) follows a staff `act`."""
    entries = log([30, 10, 25], 65)
    publication = json.loads(entries[-1][1:])
    publication["stage"] = stage
    return entries[:-1] + [entry(staff(act)), entry(publication)]


class PublicationActs(unittest.TestCase):
    """The staff act `publish` (a publication before the final stage) and `certify` (the
    final one), as record::publication_act logs them."""

    def test_a_publish_act_is_followed_by_a_publication_that_is_not_final(self):
        self.assertEqual(replay(with_act("publish", "preliminary")), (3, 1))
        self.assertEqual(replay(with_act("certify", "final")), (3, 1))
        with self.assertRaises(Rejected) as r:
            replay(with_act("publish", "final"))
        self.assertEqual(str(r.exception),
                         "entry 6: a staff 'publish' entry is not followed by its entry")

    def test_a_certified_election_takes_no_publish_act(self):
        entries = with_act("certify", "final") + [entry(staff("publish"))]
        with self.assertRaises(Rejected) as r:
            replay(entries)
        self.assertEqual(
            str(r.exception),
            "entry 7: a staff in an election that is certified: a decision must reopen it first")


def two_contests(*publications):
    """log([30, 10, 25], 65) with a second contest 'd' (the same choices, each station's
    protocol for it: 5 votes for B), then a staff `certify` and `publications`, each
    (stage, contest)."""
    entries = [json.loads(b[1:]) for b in log([30, 10, 25], 65)][:-1]
    entries[0]["contests"].append(dict(entries[0]["contests"][0], name="d"))
    for k in range(3):
        entries.append({"type": "protocol", "station": 2 + k, "contest": 1, "version": 1,
                        "source": "manual", "lines": {"valid": 5}, "votes": [0, 5],
                        "reference": None})
    entries.append(staff("certify"))
    totals = {0: ([65, 0], 65), 1: ([0, 15], 15)}
    for stage, contest in publications:
        votes, valid = totals[contest]
        entries.append({"type": "publication", "stage": stage, "contest": contest,
                        "stations_counted": 3, "votes": votes, "valid": valid,
                        "invalid": None, "seats": None})
    return [entry(e) for e in entries]


class Certification(unittest.TestCase):
    """A certification publishes every contest, the first contest's first (it certifies);
    the other contests' final publications may follow in the certified election, nothing
    that could change it (docs/log-format.md, "Standing")."""

    def test_every_contest_is_certified_the_first_first(self):
        self.assertEqual(replay(two_contests(("final", 0), ("final", 1))), (6, 2))

    def test_a_certified_election_takes_no_other_publication(self):
        for after, index in [(("final", 0), 10), (("preliminary", 1), 10)]:
            with self.assertRaises(Rejected) as r:
                replay(two_contests(("final", 0), after))
            self.assertEqual(
                str(r.exception),
                f"entry {index}: a publication in an election that is certified: "
                "a decision must reopen it first")

    def test_a_certification_begins_with_the_first_contest(self):
        # The first final publication certifies, whichever its contest: the first contest's,
        # after it, is refused (record::Standing gives the same; the store's acts put the
        # first contest first, record::check_act_entries).
        with self.assertRaises(Rejected) as r:
            replay(two_contests(("final", 1), ("final", 0)))
        self.assertEqual(
            str(r.exception),
            "entry 10: a publication in an election that is certified: "
            "a decision must reopen it first")


class StaffFields(unittest.TestCase):
    """A staff entry carries exactly its act's fields (record's decoder, wire.rs): a subject on
    the acts that name one, a scan only on an entry."""

    def test_a_field_an_act_does_not_have_is_refused_naming_it(self):
        for act, change, message in [
            ("certify", {"subject": "00"}, "subject: a staff 'certify' entry names no subject"),
            ("certify", {"scan": "sha256:00"}, "scan: a staff 'certify' entry cites no scan"),
        ]:
            entries = with_act(act, "final")
            staff_entry = json.loads(entries[-2][1:])
            staff_entry.update(change)
            entries[-2] = entry(staff_entry)
            with self.assertRaises(Rejected) as r:
                replay(entries)
            self.assertEqual(str(r.exception), "entry 5: " + message)

    def test_a_redaction_needs_its_subject(self):
        entries = log([30, 10, 25], 65)
        redact = dict(staff("redact"))
        with self.assertRaises(Rejected) as r:
            replay(entries + [entry(redact)])
        self.assertEqual(str(r.exception),
                         "entry 6: subject: a staff 'redact' entry needs a subject")


VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test_data", "vectors",
                       "staff-times.json")


class StaffTimes(unittest.TestCase):
    """Staff entries with their time (format version 2): the logs of
    test_data/vectors/staff-times.json, which record's replay takes and refuses alike
    (crates/record/tests/times.rs)."""

    def test_both_verifiers_take_and_refuse_the_same_staff_times(self):
        with open(VECTORS, encoding="utf-8") as f:
            doc = json.load(f)

        def entry_bytes(v):
            return bytes([v[0]]) + v[1].encode("utf-8")

        base = [entry_bytes(b) for b in doc["base"]]
        for case in doc["cases"]:
            with self.subTest(case["name"]):
                entries = [base[e] if isinstance(e, int) else entry_bytes(e)
                           for e in case["entries"]]
                if case["refused"] is None:
                    self.assertEqual(replay(entries), (1, 0))
                else:
                    with self.assertRaises(Rejected) as r:
                        replay(entries)
                    self.assertEqual(str(r.exception), case["refused"])
        self.assertEqual(len(doc["cases"]), 11)


class LegalCount(unittest.TestCase):
    """A machine count is kept beside the manual count and never replaces it: the logs of
    test_data/vectors/legal-count.json, which record's replay takes and refuses alike
    (crates/record/tests/counting.rs)."""

    def test_both_verifiers_count_the_legal_count_only(self):
        with open(os.path.join(os.path.dirname(VECTORS), "legal-count.json"), encoding="utf-8") as f:
            doc = json.load(f)
        base = [bytes([b[0]]) + b[1].encode("utf-8") for b in doc["base"]]
        for case in doc["cases"]:
            with self.subTest(case["name"]):
                entries = [base[k] for k in case["entries"]]
                if case["refused_at"] is None:
                    self.assertEqual(replay(entries)[0], case["protocols"])
                else:
                    with self.assertRaises(Rejected) as r:
                        replay(entries)
                    self.assertTrue(str(r.exception).startswith("entry %d" % case["refused_at"]),
                                    str(r.exception))
        self.assertEqual(len(doc["cases"]), 4)


class IntakeAndRegister(unittest.TestCase):
    """Protocol intake (quarantine, blind double entry, scans) and the complaint register: the
    logs of test_data/vectors/intake-register.json, which record's replay takes and refuses at
    the same entries (crates/record/tests/intake.rs)."""

    def test_both_verifiers_take_and_refuse_the_same_logs(self):
        with open(os.path.join(os.path.dirname(VECTORS), "intake-register.json"), encoding="utf-8") as f:
            doc = json.load(f)
        for case in doc["cases"]:
            with self.subTest(case["name"]):
                entries = [bytes([v]) + t.encode("utf-8") for v, t in case["entries"]]
                if case["refused_at"] is None:
                    replay(entries)
                else:
                    with self.assertRaises(Rejected) as r:
                        replay(entries)
                    self.assertTrue(str(r.exception).startswith("entry %d" % case["refused_at"]),
                                    str(r.exception))
        self.assertEqual(len(doc["cases"]), 94)


class QuickCount(unittest.TestCase):
    """An observer group's quick count (revisions 7 and 8: several observers' reports of a
    station, a supervisor's reviews): the logs of
    test_data/vectors/quick-count.json, which record's replay takes and refuses at the same
    entries, drawing the same stations and recomputing the same estimates
    (crates/record/tests/quick_count.rs)."""

    def test_both_verifiers_take_refuse_and_recompute_the_same_quick_counts(self):
        with open(os.path.join(os.path.dirname(VECTORS), "quick-count.json"), encoding="utf-8") as f:
            doc = json.load(f)
        taken = 0
        for case in doc["cases"]:
            with self.subTest(case["name"]):
                entries = [bytes([v]) + t.encode("utf-8") for v, t in case["entries"]]
                if case["refused_at"] is None:
                    quick = {}
                    replay(entries, quick)
                    for name, want in case["quick_counts"].items():
                        got = quick[name]
                        self.assertEqual(got["drawn"], want["drawn"])
                        self.assertEqual(got["reports"], want["reports"])
                        self.assertEqual(got["conflicts"], want["conflicts"])
                        self.assertEqual(got["quarantined"], want["quarantined"])
                        self.assertEqual(got["revised"], want["revised"])
                        if want["estimates"] is None:
                            self.assertIsNone(got["estimates"])
                            continue
                        for g, w in zip(got["estimates"]["estimates"], want["estimates"]):
                            if w is None:
                                self.assertIsNone(g["overall"])
                                continue
                            self.assertEqual(g["overall"]["stations"], w[2])
                            self.assertAlmostEqual(g["overall"]["share_pct"], w[0], delta=1e-9)
                            self.assertAlmostEqual(g["overall"]["margin_95_pct"], w[1], delta=1e-9)
                    taken += 1
                else:
                    with self.assertRaises(Rejected) as r:
                        replay(entries)
                    self.assertTrue(str(r.exception).startswith("entry %d:" % case["refused_at"]),
                                    str(r.exception))
        self.assertEqual((len(doc["cases"]), taken), (64, 16))


class Incidents(unittest.TestCase):
    """Incident reports (revision 9): the shared vectors
    test_data/vectors/incidents.json, which record's replay takes and refuses at the same
    entries, giving the same incidents and statuses."""

    def test_both_verifiers_take_and_refuse_the_same_incident_reports(self):
        with open(os.path.join(os.path.dirname(VECTORS), "incidents.json"), encoding="utf-8") as f:
            doc = json.load(f)
        taken = 0
        for case in doc["cases"]:
            with self.subTest(case["name"]):
                entries = [bytes([v]) + t.encode("utf-8") for v, t in case["entries"]]
                if case["refused_at"] is None:
                    got = []
                    replay(entries, None, got)
                    self.assertEqual(got, case["incidents"])
                    taken += 1
                else:
                    with self.assertRaises(Rejected) as r:
                        replay(entries)
                    self.assertTrue(str(r.exception).startswith("entry %d:" % case["refused_at"]),
                                    str(r.exception))
        self.assertEqual((len(doc["cases"]), taken), (33, 7))


if __name__ == "__main__":
    unittest.main()
