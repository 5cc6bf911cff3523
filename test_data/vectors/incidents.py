"""Writes incidents.json: logs with incident reports and their statuses (docs/log-format.md,
"incident", revision 9) that both verifiers must take or refuse at the same entry, and, for
the logs they take, each incident with its status as the replay leaves it.

The logs and the entry each must be refused at are written here by hand; the incidents of
the logs taken are read back by verifier/verify.py, and record's replay
(crates/record/tests/incidents.rs) must give the same. Run from this directory:

    python3 incidents.py > incidents.json
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "verifier"))
from verify import replay  # noqa: E402


def text(e):
    return json.dumps(e, ensure_ascii=False, separators=(",", ":"))


ELECTION = {"type": "election", "name": "Observers' reports", "date": "2020-10-04",
            "country": "Кыргызстан",
            "contests": [{"name": "Жогорку Кеңеш", "kind": "party-list", "choices": [
                {"name": "Биримдик", "kind": "party", "ballot_number": 1},
                {"name": "Ата Мекен", "kind": "party", "ballot_number": 2}]}],
            "rules": [], "law": None}
# Two regions, a district each, two stations each: ids 1 (region), 2 (district), 3, 4
# (stations); 5, 6, 7, 8.
UNITS = {"type": "units", "units": [
    [1, 0, "region", "Бишкек"], [2, 1, "district", "Ленинский"],
    [3, 2, "station", "1001"], [4, 2, "station", "1002"],
    [5, 0, "region", "Ош"], [6, 5, "district", "Кара-Суу"],
    [7, 6, "station", "2001"], [8, 6, "station", "2002"]]}
OBSERVER = "%064x" % 7
SUPERVISOR = "%064x" % 9
# 2020-10-05 12:00 UTC: the day after the vote, when the protests began.
CLOCK = [1601899200]


def commitment(k):
    return "%064x" % (0xC0FFEE + k)


def staff(act, role, user, at=None):
    CLOCK[0] = max(CLOCK[0] + 60, at or 0)
    return [2, text({"type": "staff", "act": act, "role": role, "user": user,
                     "subject": None, "scan": None, "time": CLOCK[0]})]


def report(unit=3, time="2020-10-04 14:25", exact=None, category="vote-buying", k=1,
           photos=None, user=OBSERVER, act="incident", role="observer"):
    return [staff(act, role, user),
            [1, text({"type": "incident", "step": "report", "category": category,
                      "unit": unit, "time": time, "exact": exact, "text": commitment(k),
                      "photos": photos if photos is not None else []})]]


def status(incident, s, reason="two observers' photographs agree", user=SUPERVISOR,
           act="incident-status", role="supervisor"):
    return [staff(act, role, user),
            [1, text({"type": "incident", "step": "status", "incident": incident,
                      "status": s, "reason": reason})]]


HEAD = [[1, text(ELECTION)], [1, text(UNITS)]]


def cases():
    out = []

    def case(name, entries, refused_at=None):
        out.append({"name": name, "entries": entries, "refused_at": refused_at})

    case("a report at a station, to the minute", HEAD + report())
    case("a report coarsened to the district and the hour, committing to the exact ones",
         HEAD + report(unit=2, time="2020-10-04 14", exact=commitment(100)))
    case("coarsened to the hour only", HEAD + report(time="2020-10-04 14", exact=commitment(101)))
    case("a report with two photos, then confirmed, then rejected",
         HEAD + report(photos=[commitment(10), commitment(11)]) + status(3, "confirmed") +
         status(3, "rejected", reason="the photographs are of another station"))
    case("the rallies of 5 October in Osh, another category",
         HEAD + report(unit=5, time="2020-10-05 11", exact=commitment(102),
                       category="pressure-or-violence") + report(unit=7, k=2))
    case("a deployment's own category", HEAD + report(category="bus-of-voters-2"))
    case("back to a citizen's report", HEAD + report() + status(3, "confirmed") +
         status(3, "citizen", reason="the confirmation was premature"))
    n = len(HEAD)
    case("an exact commitment for a report not coarsened",
         HEAD + report(exact=commitment(100)), n + 1)
    case("a category in capitals", HEAD + report(category="Vote-Buying"), n + 1)
    case("a category of 41 characters", HEAD + report(category="a" * 41), n + 1)
    case("the country as the place", HEAD + report(unit=0), n + 1)
    case("a unit the election lacks", HEAD + report(unit=9), n + 1)
    case("a time in seconds", HEAD + report(time="2020-10-04 14:25:00"), n + 1)
    case("the 31st of September", HEAD + report(time="2020-09-31 14:25"), n + 1)
    case("hour 24", HEAD + report(time="2020-10-04 24"), n + 1)
    case("a time after the report itself", HEAD + report(time="2020-10-06 09:00"), n + 1)
    case("a text that is no commitment", HEAD + [staff("incident", "observer", OBSERVER),
         [1, text({"type": "incident", "step": "report", "category": "other", "unit": 3,
                   "time": "2020-10-04 14:25", "exact": None, "text": "he paid 500 som",
                   "photos": []})]], n + 1)
    case("six photos", HEAD + report(photos=[commitment(k) for k in range(6)]), n + 1)
    case("a photo twice", HEAD + report(photos=[commitment(1), commitment(1)]), n + 1)
    case("a report by a supervisor's act",
         HEAD + report(user=SUPERVISOR, act="incident-status", role="supervisor"), n + 1)
    case("an incident act done by an operator",
         HEAD + report(role="operator"), n)
    case("a report with no act", HEAD + report()[1:], n)
    case("a status of an entry that is no incident report", HEAD + report() + status(2, "confirmed"),
         n + 3)
    case("the same status again", HEAD + report() + status(3, "confirmed") +
         status(3, "confirmed"), n + 5)
    case("a citizen's report made citizen's", HEAD + report() + status(3, "citizen"), n + 3)
    case("a status without a reason", HEAD + report() + status(3, "confirmed", reason=" "), n + 3)
    case("an unknown status", HEAD + report() + status(3, "verified"), n + 3)
    case("a status by an observer's act",
         HEAD + report() + status(3, "confirmed", user=OBSERVER, act="incident", role="observer"),
         n + 3)
    case("a status logged by the reporting act", HEAD + report() + [status(3, "confirmed")[1]],
         n + 2)
    case("two reports in one incident act", HEAD + report() + [report()[1]], n + 2)
    case("an unknown step", HEAD + [staff("incident", "observer", OBSERVER),
         [1, text({"type": "incident", "step": "rumour"})]], n + 1)
    case("keys out of order", HEAD + [staff("incident", "observer", OBSERVER),
         [1, text({"type": "incident", "step": "report", "unit": 3, "category": "other",
                   "time": "2020-10-04 14:25", "exact": None, "text": commitment(1),
                   "photos": []})]], n + 1)
    # Revision 9: a user this log granted roles reports only as an observer.
    CLOCK[0] += 60
    grant = [2, text({"type": "staff", "act": "grant", "role": "admin", "user": "console",
                      "subject": OBSERVER, "scan": None, "grants": "operator",
                      "time": CLOCK[0]})]
    case("an incident reported by a user this log granted 'operator'",
         HEAD + [grant] + report(), n + 1)
    return out


def expected(case):
    if case["refused_at"] is not None:
        return None
    out = []
    replay([bytes([v]) + t.encode("utf-8") for v, t in case["entries"]], None, out)
    return out


def main():
    cs = cases()
    for c in cs:
        c["incidents"] = expected(c)
    doc = {
        "about": __doc__.strip().split("\n\n")[0].replace("\n", " ") +
        " Each case's entries are [format version, JSON text]; refused_at is the index of the "
        "entry a verifier must refuse (null: the log is valid); incidents lists, for a log "
        "taken, each report: its entry, category, unit, time, whether coarsened and its "
        "status now.",
        "cases": cs,
    }
    print(json.dumps(doc, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
