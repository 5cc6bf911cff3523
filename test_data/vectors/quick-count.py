"""Writes quick-count.json: logs of an observer group's quick count (docs/log-format.md, "pvt",
revisions 7 to 10) that both verifiers must take or refuse at the same entry, and, for the logs they
take, the sample drawn and the estimates recomputed from the reports.

The logs and the entry each must be refused at are written here by hand. The draws and
estimates of the logs taken are computed by verifier/quick_count.py (Python's hashlib, the
PyPI consistent-sampler, float arithmetic in the order docs/pvt.md gives); record's replay
(crates/record/tests/quick_count.rs) must reproduce them: the draws exactly, the shares and
margins to 1e-9 percentage points (the same formulas in the same order; the tolerance only
allows for a different rounding of the last bit). Run from this directory:

    python3 quick-count.py > quick-count.json
"""

import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "verifier"))
from verify import replay  # noqa: E402


def text(e):
    return json.dumps(e, ensure_ascii=False, separators=(",", ":"))


def sha(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


ELECTION = {"type": "election", "name": "Observers' frame", "date": "2020-10-04",
            "country": "Кыргызстан",
            "contests": [{"name": "Жогорку Кеңеш", "kind": "party-list", "choices": [
                {"name": "Биримдик", "kind": "party", "ballot_number": 1},
                {"name": "Мекеним Кыргызстан", "kind": "party", "ballot_number": 2},
                {"name": "Ата Мекен", "kind": "party", "ballot_number": 3}]}],
            "rules": [], "law": None}
# Regions of 7, 1 and 6 stations: the one-station region is collapsed into its neighbour.
REGIONS = [("Баткен", 7), ("Нарын", 1), ("Талас", 6)]


def units():
    rows, uid, stations = [], 1, []
    for region, n in REGIONS:
        rid = uid
        rows.append([rid, 0, "region", region])
        uid += 1
        for k in range(n):
            rows.append([uid, rid, "station", "%04d" % (1000 * len(rows) + k)])
            stations.append(uid)
            uid += 1
    return {"type": "units", "units": rows}, stations


UNITS, STATIONS = units()
# Registered voters: 600 to 1,800, from a fixed linear congruential sequence.
REGISTERED = {}
x = 2020
for s in STATIONS:
    x = (1103515245 * x + 12345) % 2**31
    REGISTERED[s] = 600 + x % 1201


def counts(s):
    """A station's copied protocol: turnout 40-70%, the three parties' shares varying."""
    r = REGISTERED[s]
    ballots = r * (40 + (s * 7) % 31) // 100
    invalid = ballots // 50
    valid = ballots - invalid
    a = valid * (20 + (s * 13) % 25) // 100
    b = valid * (10 + (s * 5) % 20) // 100
    return ({"registered": r, "issued_total": ballots, "invalid": invalid, "valid": valid},
            [a, b, valid - a - b])


OBSERVER = "%064x" % 7
# Acts a minute apart from 2020-09-30 00:00 UTC (the first frames and designs, before the
# vote on 2020-10-04); the seeds from 2020-10-04 16:00 UTC, after the polls closed.
CLOCK = [1601424000]


def act(at=None, user=OBSERVER, kind="quick-count", role="observer"):
    """A quick-count act (by default; or a supervise act) a minute after the one before (times
    never decrease in a log), or at `at` if that is later."""
    CLOCK[0] = max(CLOCK[0] + 60, at or 0)
    return [2, text({"type": "staff", "act": kind, "role": role, "user": user,
                     "subject": None, "scan": None, "time": CLOCK[0]})]


# Revision 8: a second observer, and a supervisor.
SECOND = "%064x" % 8
SUPERVISOR = "%064x" % 9


def by(user, entry):
    """An observer's report: their act, then the entry."""
    return [act(user=user), entry]


def supervise(station, action, report=None, reason="photo of the posted protocol checked"):
    return [act(user=SUPERVISOR, kind="supervise", role="supervisor"),
            pvt("review", station=station, action=action, report=report, reason=reason)]


AFTER_POLLS = 1601827200


def pvt(step, name="ПВТ 2020", **fields):
    e = {"type": "pvt", "step": step, "pvt": name}
    e.update(fields)
    return [1, text(e)]


def frame(name="ПВТ 2020", stations=None):
    return pvt("frame", name, stations=[[s, REGISTERED[s]] for s in (stations or STATIONS)])


def digest(level):
    """The frame's digest, computed here from the units (as docs/log-format.md says)."""
    names = {u[0]: u[3] for u in UNITS["units"]}
    parent = {u[0]: u[1] for u in UNITS["units"]}
    rows = []
    for s in STATIONS:
        path = names[parent[s]] + " / " + names[s]
        stratum = names[parent[s]] if level == "region" else ELECTION["country"]
        rows.append((stratum, path, REGISTERED[s]))
    rows.sort(key=lambda r: r[1].encode("utf-8"))
    h = hashlib.sha256()
    for stratum, path, registered in rows:
        h.update(("%s\t%s\t%d\n" % (stratum, path, registered)).encode("utf-8"))
    return h.hexdigest()


SEED = "4 1 6 2 5 3 6 6 1 2 4 5 3 3 1 6 2 5 5 4"


def design(name="ПВТ 2020", level="region", method="random", allocation="voters", sample=6,
           reserve_pct=50, frame_digest=None, seed_sha256=None, contest=0):
    return pvt("design", name, contest=contest, level=level, method=method,
               allocation=allocation, sample=sample, reserve_pct=reserve_pct,
               frame=frame_digest or digest(level), seed_sha256=seed_sha256 or sha(SEED))


def report(s, name="ПВТ 2020", votes=None, lines=None):
    ls, vs = counts(s)
    return pvt("report", name, station=s, lines=lines or ls, votes=votes or vs)


LINE_KEYS = ("registered", "received", "issued_early", "issued_in_station", "issued_outside",
             "issued_total", "cancelled", "found_mobile", "found_stationary", "found_total",
             "invalid", "valid", "lost", "unaccounted")


def code(station, lines, votes, check=None):
    """A posted protocol's QR code text (docs/protocol-qr.md, TPQ1), written here from the
    specification with hashlib and base64, for a report read from it (revision 10)."""
    import base64
    mask = sum(1 << LINE_KEYS.index(k) for k in lines)
    ordered = [str(lines[k]) for k in LINE_KEYS if k in lines]
    body = "/".join([
        "TPQ1", base64.b32encode(ELECTION["name"].encode("utf-8")).decode("ascii").rstrip("="),
        str(station), "0", "M", "202010042130", "B355" * 8,
        "%X" % mask + ("." + ".".join(ordered) if ordered else ""),
        ".".join(str(v) for v in votes) or "-"]) + "/"
    return body + (check or hashlib.sha256(body.encode("utf-8")).hexdigest()[:8].upper())


def scanned(s, name="ПВТ 2020", votes=None, station=None, check=None):
    """A report read from a posted protocol's QR code: the figures and the code (revision 10);
    `votes` and `station` make the code hold other figures than the report's."""
    ls, vs = counts(s)
    return pvt("report", name, station=s, lines=ls, votes=vs,
               code=code(station or s, ls, votes or vs, check))


def head():
    return [[1, text(ELECTION)], [1, text(UNITS)]]


def drawn_of(entries, name="ПВТ 2020"):
    quick = {}
    replay([bytes([v]) + t.encode("utf-8") for v, t in entries], quick)
    return quick[name]["drawn"]


def unit_of(path):
    names = {u[0]: u[3] for u in UNITS["units"]}
    parent = {u[0]: u[1] for u in UNITS["units"]}
    return next(s for s in STATIONS if names[parent[s]] + " / " + names[s] == path)


def opened(**kw):
    return head() + [act(), frame(kw.get("name", "ПВТ 2020")), act(), design(**kw)]


def revealed(**kw):
    return opened(**kw) + [act(AFTER_POLLS), pvt("seed", kw.get("name", "ПВТ 2020"), seed=SEED)]


def with_acts(entries):
    out = []
    for e in entries:
        out += [act(), e]
    return out


def cases():
    out = []

    def case(name, entries, refused_at=None):
        out.append({"name": name, "entries": entries, "refused_at": refused_at})

    base = revealed()
    drawn = drawn_of(base)
    sampled = [unit_of(a["station"]) for a in drawn if a["role"] == "sample"]
    reserves = [(a["stratum"], a["rank"], unit_of(a["station"]))
                for a in drawn if a["role"] == "reserve"]
    undrawn = next(s for s in STATIONS if s not in sampled + [r[2] for r in reserves])
    # The first sampled station never reports; its stratum's first reserve stands in, and a
    # reserve of another stratum reports though not needed.
    first = next(a for a in drawn if a["role"] == "sample")
    stand_in = next(r[2] for r in reserves if r[0] == first["stratum"] and r[1] == 1)
    spare = next((r[2] for r in reserves if r[0] != first["stratum"]), None)
    reports = [report(s) for s in sampled[1:] + [stand_in] + ([spare] if spare else [])]
    case("random by region, allocated by registered voters: a reserve stands in",
         base + with_acts(reports))
    case("designed, the seed not revealed yet", opened())
    sys_base = head() + [act(), frame(), act(), design(level=None, method="systematic",
                                                      allocation="stations", sample=5,
                                                      reserve_pct=20)]
    sys_base += [act(AFTER_POLLS), pvt("seed", seed=SEED)]
    sys_drawn = [unit_of(a["station"]) for a in drawn_of(sys_base) if a["role"] == "sample"]
    case("systematic, one stratum, allocated by stations", sys_base + with_acts(
        [report(s) for s in sys_drawn]))
    two = head() + [act(), frame("A"), act(), frame("B", STATIONS[:4]), act(), design("A"),
                    act(AFTER_POLLS), pvt("seed", "A", seed=SEED)]
    case("two quick counts, one designed", two)

    n = len(base)
    case("a seed that is not the one committed to",
         opened() + [act(), pvt("seed", seed=SEED + " ")], n - 1)
    case("a report before the seed", opened() + [act(), report(sampled[0])], n - 1)
    case("a report of a station not drawn", base + [act(), report(undrawn)], n + 1)
    # Revision 8: several observers' reports of a station, and a supervisor's reviews.
    s0, s1 = sampled[0], sampled[1]
    ls, vs = counts(s0)
    other = [vs[0] + 7, vs[1] - 7, vs[2]]

    def rest():
        return with_acts([report(s) for s in sampled[2:]])

    case("an observer's second report of a station replaces their first",
         base + with_acts([report(s0, votes=other), report(s0)]) + rest())
    case("two observers agree",
         base + with_acts([report(s0)]) + by(SECOND, report(s0)) + rest())
    case("two observers differ: the station is left out",
         base + with_acts([report(s0)]) + by(SECOND, report(s0, votes=other)) + rest())
    # The second observer's report is entry n + 3.
    case("two observers differ: a supervisor chooses the second's",
         base + with_acts([report(s0)]) + by(SECOND, report(s0, votes=other)) +
         supervise(s0, "choose", n + 3) + rest())
    case("a choice, then a later report that differs from it: left out again",
         base + with_acts([report(s0)]) + by(SECOND, report(s0, votes=other)) +
         supervise(s0, "choose", n + 1) + by(SECOND, report(s0, votes=[1, 2, 3])) + rest())
    case("a station put in quarantine",
         base + with_acts([report(s0), report(s1)]) + supervise(s1, "quarantine") + rest())
    case("a station put in quarantine, then released",
         base + with_acts([report(s0), report(s1)]) + supervise(s1, "quarantine") +
         supervise(s1, "release") + rest())
    case("a choice of a report that is not the station's",
         base + with_acts([report(s0), report(s1)]) + supervise(s0, "choose", n + 3), n + 5)
    case("a choice that names no report",
         base + with_acts([report(s0)]) + supervise(s0, "choose"), n + 3)
    case("a quarantine that names a report",
         base + with_acts([report(s0)]) + supervise(s0, "quarantine", n + 1), n + 3)
    case("a release of a station not in quarantine",
         base + with_acts([report(s0)]) + supervise(s0, "release"), n + 3)
    case("a review without a reason",
         base + with_acts([report(s0)]) + supervise(s0, "quarantine", reason=" "), n + 3)
    case("a review of a station not drawn", base + supervise(undrawn, "quarantine"), n + 1)
    case("a review logged by a quick-count act",
         base + [act(), pvt("review", station=s0, action="quarantine", report=None,
                            reason="r")], n + 1)
    case("a report logged by a supervise act",
         base + [act(user=SUPERVISOR, kind="supervise", role="supervisor"), report(s0)], n + 1)
    case("two reviews in one supervise act",
         base + supervise(s0, "quarantine") + [pvt("review", station=s0, action="release",
                                                   report=None, reason="r")], n + 2)
    # A report after another act's entries (here a grant): no quick-count act logs it.
    CLOCK[0] += 60
    grant = [2, text({"type": "staff", "act": "grant", "role": "admin", "user": "console",
                      "subject": "%064x" % 99, "scan": None, "grants": "observer",
                      "time": CLOCK[0]})]
    case("a report logged by no quick-count act", base + [grant, report(s0)], n + 1)
    case("a supervisor chooses a report of their own",
         base + with_acts([report(s0)]) + by(SECOND, report(s0, votes=other)) +
         by(SUPERVISOR, report(s0, votes=[1, 2, 3])) + supervise(s0, "choose", n + 5), n + 7)
    case("the same differing report again does not undo a choice",
         base + with_acts([report(s0)]) + by(SECOND, report(s0, votes=other)) +
         supervise(s0, "choose", n + 1) + by(SECOND, report(s0, votes=other)) + rest())
    case("a supervise act by an observer",
         base + [act(kind="supervise", role="observer"),
                 pvt("review", station=s0, action="quarantine", report=None, reason="r")], n)
    # Revision 9: a user this log granted roles reports (or reviews) only in that role.
    def granted(user, role):
        CLOCK[0] += 60
        return [2, text({"type": "staff", "act": "grant", "role": "admin", "user": "console",
                         "subject": user, "scan": None, "grants": role, "time": CLOCK[0]})]
    case("a quick-count act by a user this log granted 'operator'",
         base + [granted(SECOND, "operator")] + by(SECOND, report(s0)), n + 1)
    case("a quick-count act by a user this log granted 'observer'",
         base + [granted(SECOND, "observer")] + by(SECOND, report(s0)) + rest())
    case("a supervise act by a user this log granted 'observer'",
         base + with_acts([report(s0)]) + [granted(SUPERVISOR, "observer")] +
         supervise(s0, "quarantine"), n + 3)
    case("the seed revealed twice", base + [act(), pvt("seed", seed=SEED)], n + 1)
    case("a frame after the design", opened() + [act(), frame()], n - 1)
    case("a second design of one name", opened() + [act(), design()], n - 1)
    case("a design before any frame", head() + [act(), design()], 3)
    case("a frame digest that is not the listed stations'",
         head() + [act(), frame(), act(), design(frame_digest="0" * 64)], 5)
    case("a sample larger than the frame",
         head() + [act(), frame(), act(), design(sample=15)], 5)
    case("strata of stations", head() + [act(), frame(), act(), design(level="station")], 5)
    case("strata of the country (one stratum is no level)",
         head() + [act(), frame(), act(), design(level="country")], 5)
    case("a commitment in capitals",
         head() + [act(), frame(), act(), design(seed_sha256=sha(SEED).upper())], 5)
    case("reserves above 100%", head() + [act(), frame(), act(), design(reserve_pct=101)], 5)
    case("a design of a contest the election lacks",
         head() + [act(), frame(), act(), design(contest=1)], 5)
    region = UNITS["units"][0][0]
    case("a frame that lists a region",
         head() + [act(), pvt("frame", stations=[[region, 10]])], 3)
    case("a frame that lists a station twice",
         head() + [act(), pvt("frame", stations=[[STATIONS[0], 5], [STATIONS[0], 5]])], 3)
    case("a report with a count per choice missing",
         base + [act(), report(sampled[0], votes=counts(sampled[0])[1][:2])], n + 1)
    case("a report whose votes add up beyond 2^64 - 1",
         base + [act(), report(sampled[0], votes=[2**64 - 1, 1, 0])], n + 1)
    case("an unknown step", base + [act(), pvt("tally")], n + 1)
    case("a step's keys out of order",
         base + [act(), [1, text({"type": "pvt", "pvt": "ПВТ 2020", "step": "seed",
                                  "seed": SEED})]], n + 1)
    case("a report of a quick count never designed",
         base + [act(), report(sampled[0], name="other")], n + 1)
    case("a quick-count act followed by a protocol",
         base + [act(), [1, text({"type": "protocol", "station": sampled[0], "contest": 0,
                                  "version": 1, "source": "manual", "lines": {}, "votes": [1, 2, 3],
                                  "reference": None})]], n + 1)
    case("a report's lines out of order", base + [act(), report(sampled[0], lines={
        "valid": 10, "registered": 100})], n + 1)
    case("a report's unknown line", base + [act(), report(sampled[0], lines={"voters": 10})], n + 1)
    case("a quick-count act by a commissioner",
         base + [[2, text({"type": "staff", "act": "quick-count", "role": "commissioner",
                           "user": OBSERVER, "subject": None, "scan": None,
                           "time": 1601830000})], report(sampled[0])], n)
    # Names and seeds: blank is Unicode's White_Space only (as Rust's char::is_whitespace).
    case("a quick count named by a control character",
         head() + [act(), frame("\u001f"), act(), design("\u001f")])
    case("a quick count named by white space only",
         head() + [act(), frame(" \u3000")], 3)
    # The commitment comes first: the design and the seed each logged by a timed quick-count
    # act, the seed by a later one.
    case("the seed in the act that logged the design",
         opened() + [pvt("seed", seed=SEED)], n - 2)
    case("a frame and design logged by no quick-count act", head() + [frame(), design()], 3)
    # A reserve stands in only for the missing sampled stations of its rank or above: with
    # one sampled station missing, reserve 2 does not stand in while reserve 1 is silent.
    second = next((r[2] for r in reserves if r[0] == first["stratum"] and r[1] == 2), None)
    if second is not None:
        case("a reserve of rank 2 with one sampled station missing",
             base + with_acts([report(s) for s in sampled[1:] + [second]]))
    # Revision 10: reports read from the posted protocol's QR code carry it; its figures must
    # be the report's.
    case("reports read from the posted protocols' QR codes",
         base + with_acts([scanned(s) for s in sampled[1:] + [stand_in]]))
    v0 = counts(s0)[1]
    case("a QR-read report whose code holds other votes",
         base + with_acts([scanned(s0, votes=[v0[0] + 1, v0[1] - 1] + v0[2:])]), n + 1)
    case("a QR-read report whose code names another station",
         base + with_acts([scanned(s0, station=s1)]), n + 1)
    case("a QR-read report whose code's check digits are wrong",
         base + with_acts([scanned(s0, check="00000000")]), n + 1)
    case("a QR-read report whose code is not TPQ1",
         base + [act(), pvt("report", station=s0, lines=counts(s0)[0], votes=v0,
                            code="https://example.org/" )], n + 1)
    # The units a frame lists: a name once under its parent, a level below its parent's.
    twice = dict(UNITS, units=UNITS["units"] + [[len(UNITS["units"]) + 1, 1, "station",
                                                 UNITS["units"][1][3]]])
    case("two stations of one name under one region", [[1, text(ELECTION)], [1, text(twice)]], 1)
    under = dict(UNITS, units=UNITS["units"] + [[len(UNITS["units"]) + 1, 2, "region", "X"]])
    case("a region under a station", [[1, text(ELECTION)], [1, text(under)]], 1)
    return out


def expected(case):
    if case["refused_at"] is not None:
        return None
    quick = {}
    replay([bytes([v]) + t.encode("utf-8") for v, t in case["entries"]], quick)
    out = {}
    for name, q in quick.items():
        e = q["estimates"]
        out[name] = {
            "frame_stations": q["frame_stations"],
            "reports": q["reports"],
            "conflicts": q["conflicts"],
            "quarantined": q["quarantined"],
            "revised": q["revised"],
            "drawn": q["drawn"],
            "arrival": None if e is None else {
                k: e["arrival"][k] for k in ("sample", "reported", "reserves_used",
                                             "reserves_not_needed", "missing", "unbalanced")},
            "estimates": None if e is None else [
                None if x["overall"] is None else
                [x["overall"]["share_pct"], x["overall"]["margin_95_pct"],
                 x["overall"]["stations"]]
                for x in e["estimates"]],
        }
    return out


def main():
    cs = cases()
    for c in cs:
        c["quick_counts"] = expected(c)
    doc = {
        "about": __doc__.strip().split("\n\n")[0].replace("\n", " ") +
        " Each case's entries are [format version, JSON text]; refused_at is the index of the "
        "entry a verifier must refuse (null: the log is valid). quick_counts gives, by name, "
        "the stations drawn (assignments as `tallyproof pvt redraw --json` prints them), the "
        "reports logged, the arrival, and for turnout then each choice the overall estimate "
        "[share %, 95% margin in points, reporting stations] or null.",
        "cases": cs,
    }
    print(json.dumps(doc, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
