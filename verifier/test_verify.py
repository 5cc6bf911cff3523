"""Tests of the independent verifier's replay on logs built by hand (run by scripts/test:
python -m unittest discover -s verifier). Issue 13: totals that only wrapped 64-bit
arithmetic could have published are refused, naming the unit and the station."""

import json
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


if __name__ == "__main__":
    unittest.main()
