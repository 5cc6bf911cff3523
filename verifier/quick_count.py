"""A quick count in the log (docs/log-format.md, "pvt", revisions 7, 8 and 10), replayed independently of
tallyproof: the frame's digest and strata from the log's units, the allocation of the sample,
the draw with Rivest's consistent sampler as published on PyPI (through pvt_redraw.py), and
the stratified ratio estimates with their linearised variance (docs/pvt.md), from the logged
reports: several observers' reports of a station count where they agree, a supervisor's
choice where they differ, none in quarantine (revision 8). verify.py feeds it the log's `pvt`
entries in order."""

import hashlib
import math

import posted
import pvt_redraw

MAX = 2**64 - 1
U128 = 2**128 - 1
LEVELS = ("country", "region", "constituency", "district", "station")
Z95, Z99 = 1.96, 2.58
FRAME_CHUNK = 2000
KEYS = {
    "frame": ("type", "step", "pvt", "stations"),
    "design": ("type", "step", "pvt", "contest", "level", "method", "allocation", "sample",
               "reserve_pct", "frame", "seed_sha256"),
    "seed": ("type", "step", "pvt", "seed"),
    "report": ("type", "step", "pvt", "station", "lines", "votes"),
    "review": ("type", "step", "pvt", "station", "action", "report", "reason"),
}
MAX_REASON = 1000
# A protocol's lines, in the order an entry writes them (model::Line::ALL).
LINES = posted.LINES
ISSUED_PARTS = ("issued_early", "issued_in_station", "issued_outside")
FOUND_PARTS = ("found_mobile", "found_stationary")


# White space as Rust's char::is_whitespace has it (Unicode's White_Space), which blank
# names and seeds are made of (Python's str.isspace also takes U+001C to U+001F).
WHITE = set("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | \
    {chr(c) for c in range(0x2000, 0x200B)}


def blank(s):
    return all(c in WHITE for c in s)


class Refused(Exception):
    """A step that breaks a rule: (field, message)."""

    def __init__(self, name, message):
        super().__init__("%s: %s" % (name, message))
        self.name = name


def is_count(v, top=MAX):
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= top


def allocate(strata, total, by):
    """pvt::allocation::allocate: strata [(name, stations, voters)] in order, a stratum of
    fewer than 2 stations joined to the one before (the last to the one before it); at least 2
    each; the rest by largest remainder, in integers."""
    plan = []
    for name, stations, voters in strata:
        if plan and plan[-1]["stations"] < 2:
            p = plan[-1]
            p["holds"].append(name)
            p["stations"] += stations
            p["voters"] = min(p["voters"] + voters, MAX)
        else:
            plan.append({"holds": [name], "stations": stations, "voters": voters, "sample": 0})
    if len(plan) > 1 and plan[-1]["stations"] < 2:
        last = plan.pop()
        plan[-1]["holds"].extend(last["holds"])
        plan[-1]["stations"] += last["stations"]
        plan[-1]["voters"] = min(plan[-1]["voters"] + last["voters"], MAX)
    frame = sum(p["stations"] for p in plan)
    if not plan or frame < 2:
        raise Refused("strata", "the frame has fewer than 2 stations")
    if total < 2 * len(plan) or total > frame:
        raise Refused("total", "%d stations: from %d (2 in each of %d strata) to the frame's %d"
                      % (total, 2 * len(plan), len(plan), frame))
    size = [p["stations"] if by == "stations" else p["voters"] for p in plan]
    whole = sum(size)
    if whole == 0:
        raise Refused("strata", "no registered voters to allocate by")
    ideal = [divmod(total * s, whole) for s in size]
    for p, (floor, _) in zip(plan, ideal):
        p["sample"] = min(max(floor, 2), p["stations"])
    while True:
        got = sum(p["sample"] for p in plan)
        if got == total:
            return plan
        best = None
        for k, (p, (floor, rem)) in enumerate(zip(plan, ideal)):
            if (got < total and p["sample"] < p["stations"]) or (got > total and p["sample"] > 2):
                below = (floor - p["sample"]) * whole + rem
                if best is None or (got < total and below > best[1]) or \
                        (got > total and below < best[1]):
                    best = (k, below)
        plan[best[0]]["sample"] += 1 if got < total else -1


def derived(lines, total, parts):
    if total in lines:
        return lines[total]
    present = [lines[k] for k in parts if k in lines]
    return sum(present) if present else None


def combined(strata):
    """pvt::estimate::combined over strata [(frame, n, a, m, aa, mm, am)]: (share, variance,
    stations, base), or None where it cannot be computed."""
    if not strata:
        return None
    big_a = big_m = 0.0
    for frame, n, a, m, _, _, _ in strata:
        if n < 2 or n > frame or a > m:
            return None
        w = frame / n
        big_a += w * float(a)
        big_m += w * float(m)
    if big_m == 0.0:
        return None
    p = big_a / big_m
    variance = 0.0
    for frame, n, a, m, aa, mm, am in strata:
        nf = float(n)
        se = float(a) - p * float(m)
        see = float(aa) - 2.0 * p * float(am) + p * p * float(mm)
        s2 = max((see - se * se / nf) / (nf - 1.0), 0.0)
        big_n = float(frame)
        variance += big_n * big_n * (1.0 - nf / big_n) * s2 / nf
    variance /= big_m * big_m
    return p, variance, sum(s[1] for s in strata), min(sum(s[3] for s in strata), MAX)


def interval(e):
    if e is None:
        return None
    p, variance, stations, base = e
    sd = math.sqrt(variance)
    return {"share_pct": 100.0 * p, "margin_95_pct": 100.0 * Z95 * sd,
            "margin_99_pct": 100.0 * Z99 * sd, "stations": stations, "base": base}


class Run:
    def __init__(self):
        self.frame = []  # [(station unit, registered)]
        self.listed = set()
        self.design = None  # the design, as pvt_redraw reads it
        self.contest = None
        self.rows = None  # the frame: [(stratum, station path, registered)], sorted
        self.drawn = None  # station path -> (stratum, reserve rank or None)
        self.choices = 0
        self.moments = None  # [quantity][stratum] -> [n, a, m, aa, mm, am]
        self.reported = None
        self.reserves = None  # [stratum] -> {rank: (station, terms)}
        self.seen = {}  # station path -> (stratum, reserve rank or None, terms)
        self.doubtful = []
        self.reports = 0
        self.stations = {}  # unit -> Station (revision 8)


class Station:
    """A drawn station's reports and review (record's quick_count.rs, Station)."""

    def __init__(self):
        self.reports = []  # [user, entry index, (lines, votes)], each observer's latest
        self.chosen = None  # (lines, votes) of the supervisor's choice in force
        self.quarantined = False
        self.counted = None  # (lines, votes) in the tally
        self.last_counted = None  # the last copy it counted with, kept while it counts none
        self.revised = False  # once counted with another copy than a later one

    def counts_with(self):
        if self.quarantined:
            return None
        if self.chosen is not None:
            return self.chosen
        if not self.reports:
            return None
        first = self.reports[0][2]
        return first if all(r[2] == first for r in self.reports) else None

    def in_conflict(self):
        return not self.quarantined and self.chosen is None and bool(self.reports) \
            and self.counts_with() is None


class QuickCounts:
    """record's QuickCounts: each step checked against those before it."""

    def __init__(self, election, parent, level, path, not_a_station):
        self.election = election
        self.parent, self.level, self.path = parent, level, path
        self.not_a_station = not_a_station
        self.runs = {}
        self.reviewed_by = None  # the supervise act whose review was logged last

    def ancestor_at(self, u, lev):
        while u is not None:
            if self.level[u] == lev:
                return u
            if LEVELS.index(self.level[u]) < LEVELS.index(lev):
                return None
            u = self.parent[u]
        return None

    def step(self, e, act, index):
        """Takes `pvt` entry `index`, logged by the act `act` ((index, time, user, act) of its
        staff entry, quick-count or supervise, or None), or raises Refused naming the
        field."""
        step = e.get("step")
        if step not in KEYS:
            raise Refused("step", "unknown quick count step '%s'" % step)
        keys = list(KEYS[step])
        # A report read from a posted protocol's QR code carries it last (revision 10).
        if step == "report" and list(e) == keys + ["code"]:
            keys.append("code")
        if list(e) != keys:
            raise Refused("type", "keys %s, expected %s" % (list(e), list(KEYS[step])))
        name = e["pvt"]
        if not isinstance(name, str) or blank(name):
            raise Refused("pvt", "a quick count is named")
        wanted = "supervise" if step == "review" else "quick-count"
        if act is not None and act[3] != wanted:
            raise Refused("step", "a quick count's %s is not logged by a '%s' act" % (step, act[3]))
        if step in ("design", "seed") and (act is None or act[1] is None):
            raise Refused("pvt", "a quick count's %s is logged by a quick-count act with its time"
                          % step)
        getattr(self, step)(name, e, act, index)

    def frame(self, name, e, act, index):
        run = self.runs.setdefault(name, Run())
        if run.design is not None:
            raise Refused("pvt", "the frame of '%s' was closed by its design" % name)
        stations = e["stations"]
        if not isinstance(stations, list) or not 1 <= len(stations) <= FRAME_CHUNK:
            raise Refused("stations", "from 1 to %d stations" % FRAME_CHUNK)
        for k, pair in enumerate(stations):
            unit, registered = pair
            where = "stations[%d].station" % k
            if not is_count(unit, 2**32 - 1) or not is_count(registered):
                raise Refused(where, "not a unit id and a count")
            why = self.not_a_station(unit)
            if why:
                raise Refused(where, why)
            if unit in run.listed:
                raise Refused(where, "%d is listed twice in the frame of '%s'" % (unit, name))
            run.listed.add(unit)
            run.frame.append((unit, registered))

    def design(self, name, e, act, index):
        run = self.runs.get(name)
        if run is None:
            raise Refused("pvt", "no frame of '%s' was listed before its design" % name)
        if run.design is not None:
            raise Refused("pvt", "'%s' was designed earlier in the log" % name)
        contests = self.election["contests"]
        if not is_count(e["contest"]) or e["contest"] >= len(contests):
            raise Refused("contest", "contest %s does not exist" % e["contest"])
        lev = e["level"]
        if lev is not None and lev not in LEVELS[1:4]:
            raise Refused("level", "strata are units above stations, not '%s'" % lev)
        if e["method"] not in ("random", "systematic"):
            raise Refused("method", "'%s', expected random or systematic" % e["method"])
        if e["allocation"] not in ("stations", "voters"):
            raise Refused("allocation", "'%s', expected stations or voters" % e["allocation"])
        if not is_count(e["reserve_pct"], 100) or not is_count(e["sample"]):
            raise Refused("reserve_pct", "the sample is a count, reserves at most 100%")
        seed_sha = e["seed_sha256"]
        if not isinstance(seed_sha, str) or len(seed_sha) != 64 or \
                any(c not in "0123456789abcdef" for c in seed_sha):
            raise Refused("frame.digest", "the seed's SHA-256 is 64 lowercase hex digits")
        rows = {}
        for unit, registered in run.frame:
            station = self.path(unit)
            if lev is None:
                stratum = self.path(0)
            else:
                a = self.ancestor_at(unit, lev)
                if a is None:
                    raise Refused("strata", "the station '%s' is in no %s" % (station, lev))
                stratum = self.path(a)
            if station in rows:
                raise Refused("protocols", "two protocols for the station '%s'" % station)
            rows[station] = (stratum, station, registered)
        # Sorted as Rust sorts strings: by their UTF-8 bytes.
        rows = [rows[k] for k in sorted(rows, key=lambda s: s.encode("utf-8"))]
        digest = pvt_redraw.digest(rows)
        if digest != e["frame"]:
            raise Refused("frame", "logged %s, recomputed %s" % (e["frame"], digest))
        names = sorted({r[0] for r in rows}, key=lambda s: s.encode("utf-8"))
        strata = [(n, sum(1 for r in rows if r[0] == n),
                   min(sum(r[2] for r in rows if r[0] == n), MAX)) for n in names]
        plan = allocate(strata, e["sample"], e["allocation"])
        design = {
            "seed_sha256": seed_sha, "method": e["method"], "frame": {"digest": digest},
            "strata": [],
        }
        for p in plan:
            reserves = min(-(-p["sample"] * e["reserve_pct"] // 100), p["stations"] - p["sample"])
            design["strata"].append({"name": " + ".join(p["holds"]), "holds": p["holds"],
                                     "stations": p["stations"], "sample": p["sample"],
                                     "reserves": reserves})
        run.design, run.rows, run.contest = design, rows, e["contest"]
        run.designed_by = act
        run.choices = len(contests[e["contest"]]["choices"])
        run.names = ["turnout"] + [c["name"] for c in contests[e["contest"]]["choices"]]
        strata_n = len(plan)
        run.moments = [[[0] * 6 for _ in range(strata_n)] for _ in range(run.choices + 1)]
        run.reported = [0] * strata_n
        run.reserves = [{} for _ in range(strata_n)]

    def seed(self, name, e, act, index):
        run = self.designed(name)
        if run.drawn is not None:
            raise Refused("seed", "the seed of '%s' was revealed earlier in the log" % name)
        if act[0] <= run.designed_by[0] or act[1] < run.designed_by[1]:
            raise Refused("seed", "revealed by the act that logged the design of '%s', or "
                          "before it: the commitment comes first" % name)
        seed = e["seed"]
        if not isinstance(seed, str):
            raise Refused("seed", "not text")
        if hashlib.sha256(seed.encode("utf-8")).hexdigest() != run.design["seed_sha256"]:
            raise Refused("seed", "its SHA-256 is not the design's commitment")
        if blank(seed):
            raise Refused("seed", "empty")
        try:
            drawn = pvt_redraw.redraw(run.design, run.rows, seed)
        except pvt_redraw.Refused as x:
            raise Refused("seed", str(x))
        run.assignments = drawn
        run.drawn = {a["station"]: (a["stratum"], a["rank"] if a["role"] == "reserve" else None)
                     for a in drawn}

    def report(self, name, e, act, index):
        if "code" in e:
            why = posted.not_read_from(e["code"], e["station"], e["lines"], e["votes"])
            if why:
                raise Refused("code", why)
        if act is None:
            raise Refused("step", "a report is logged by an observer's 'quick-count' act")
        run = self.designed(name)
        if run.drawn is None:
            raise Refused("pvt", "a report of '%s' comes after its seed is revealed" % name)
        unit, lines, votes = e["station"], e["lines"], e["votes"]
        if not is_count(unit, 2**32 - 1):
            raise Refused("station", "not a unit id")
        why = self.not_a_station(unit)
        if why:
            raise Refused("station", why)
        if not isinstance(lines, dict) or not isinstance(votes, list) or \
                not all(is_count(v) for v in list(lines.values()) + votes):
            raise Refused("votes", "every count is a whole number from 0 to 2^64 - 1")
        if list(lines) != [k for k in LINES if k in lines]:
            raise Refused("lines", "lines %s: known lines, in the order %s"
                          % (", ".join(lines), ", ".join(LINES)))
        station = self.path(unit)
        if station not in run.drawn:
            raise Refused("station", "the station '%s' is not in the design's sample or reserves"
                          % station)
        if len(votes) != run.choices:
            raise Refused("votes", "%d counts, the contest has %d choices"
                          % (len(votes), run.choices))
        issued = derived(lines, "issued_total", ISSUED_PARTS)
        found = derived(lines, "found_total", FOUND_PARTS)
        if sum(votes) > MAX or (issued or 0) > MAX or (found or 0) > MAX or \
                ("valid" in lines and "invalid" in lines and lines["valid"] + lines["invalid"] > MAX):
            raise Refused("votes", "its sums add up beyond 2^64 - 1")
        copy = (dict(lines), list(votes))
        user = act[2]
        st = run.stations.get(unit) or Station()
        if any(r[0] == user and r[2] == copy for r in st.reports):
            # The same report again from the same observer changes nothing.
            run.reports += 1
            return
        new = Station()
        new.reports = [list(r) for r in st.reports]
        new.chosen, new.quarantined, new.counted = st.chosen, st.quarantined, st.counted
        new.revised = st.revised
        # An observer's later report replaces their own; one that differs from the
        # supervisor's choice reopens the station.
        if new.chosen is not None and new.chosen != copy:
            new.chosen = None
        own = [r for r in new.reports if r[0] == user]
        if own:
            own[0][1], own[0][2] = index, copy
        else:
            new.reports.append([user, index, copy])
        self.recount(run, unit, station, new)
        run.reports += 1

    def review(self, name, e, act, index):
        if act is None:
            raise Refused("step", "a review is logged by a supervisor's 'supervise' act")
        if self.reviewed_by == act[0]:
            raise Refused("step", "a 'supervise' act logs one review")
        run = self.designed(name)
        if run.drawn is None:
            raise Refused("pvt", "a review of '%s' comes after its seed is revealed" % name)
        unit, action, report, reason = e["station"], e["action"], e["report"], e["reason"]
        if not is_count(unit, 2**32 - 1):
            raise Refused("station", "not a unit id")
        if action not in ("choose", "quarantine", "release"):
            raise Refused("action", "'%s', expected one of: choose, quarantine, release" % action)
        if report is not None and not is_count(report):
            raise Refused("report", "not an entry index")
        if not isinstance(reason, str):
            raise Refused("reason", "a reason is text")
        why = self.not_a_station(unit)
        if why:
            raise Refused("station", why)
        station = self.path(unit)
        if station not in run.drawn:
            raise Refused("station", "the station '%s' is not in the design's sample or reserves"
                          % station)
        if blank(reason) or len(reason) > MAX_REASON or text_fault(reason):
            raise Refused("reason", "a reason is text of 1 to %d characters, with no control "
                          "characters" % MAX_REASON)
        st = run.stations.get(unit) or Station()
        new = Station()
        new.reports = [list(r) for r in st.reports]
        new.chosen, new.quarantined, new.counted = st.chosen, st.quarantined, st.counted
        new.revised = st.revised
        if action == "choose" and report is not None:
            chosen = [r for r in new.reports if r[1] == report]
            if not chosen:
                raise Refused("report", "entry %d is not an observer's latest report of this "
                              "station" % report)
            if chosen[0][0] == act[2]:
                raise Refused("report", "a supervisor does not choose a report of their own")
            new.chosen = chosen[0][2]
        elif action == "quarantine" and report is None and not new.quarantined:
            new.quarantined = True
        elif action == "release" and report is None and new.quarantined:
            new.quarantined = False
        elif action == "choose":
            raise Refused("report", "a choice names the report chosen")
        elif report is not None:
            raise Refused("report", "only a choice names a report (null)")
        elif action == "quarantine":
            raise Refused("action", "the station is in quarantine already")
        else:
            raise Refused("action", "the station is not in quarantine")
        self.recount(run, unit, station, new)
        self.reviewed_by = act[0]

    def recount(self, run, unit, station, st):
        """record's Designed::recount: the tally counts the copy the station counts with."""
        want = st.counts_with()
        before = run.stations[unit].counted if unit in run.stations else None
        if want != before:
            if before is not None:
                self.remove(run, station)
            if want is not None:
                try:
                    self.add(run, station, want)
                except Refused:
                    if before is not None:
                        self.add(run, station, before)
                    raise
        last = run.stations[unit].last_counted if unit in run.stations else None
        st.revised = st.revised or (last is not None and want is not None and want != last)
        st.last_counted = want if want is not None else last
        st.counted = want
        run.stations[unit] = st

    def add(self, run, station, copy):
        """pvt::reports::Tally::add."""
        lines, votes = copy
        issued = derived(lines, "issued_total", ISSUED_PARTS)
        found = derived(lines, "found_total", FOUND_PARTS)
        h, rank = run.drawn[station]
        registered = lines.get("registered", 0)
        ballots = issued if issued is not None else found if found is not None else sum(votes)
        valid = sum(votes)
        terms = [(ballots, registered)] + [(v, valid) for v in votes]
        for q, (a, m) in enumerate(terms):
            n, sa, sm, saa, smm, sam = run.moments[q][h]
            for _, t in run.reserves[h].values():
                sa, sm = sa + t[q][0], sm + t[q][1]
                saa, smm, sam = saa + t[q][0] ** 2, smm + t[q][1] ** 2, sam + t[q][0] * t[q][1]
            if max(sa + a, sm + m, saa + a * a, smm + m * m, sam + a * m) > U128:
                raise Refused("station", "the station '%s' reports counts beyond any station's"
                              % station)
        if rank is not None:
            run.reserves[h][rank] = (station, terms)
        else:
            for q, (a, m) in enumerate(terms):
                add(run.moments[q][h], a, m)
            run.reported[h] += 1
        if registered == 0 or ballots > registered:
            run.doubtful.append(station)
        run.seen[station] = (h, rank, terms)

    def remove(self, run, station):
        """pvt::reports::Tally::remove."""
        h, rank, terms = run.seen.pop(station)
        if rank is not None:
            del run.reserves[h][rank]
        else:
            for q, (a, m) in enumerate(terms):
                sub(run.moments[q][h], a, m)
            run.reported[h] -= 1
        if station in run.doubtful:
            k = len(run.doubtful) - 1 - run.doubtful[::-1].index(station)
            del run.doubtful[k]

    def designed(self, name):
        run = self.runs.get(name)
        if run is None or run.design is None:
            raise Refused("pvt", "no quick count named '%s' was designed before this step" % name)
        return run

    def finish(self):
        """Each quick count by name: its draw and its estimates (pvt::reports::Tally)."""
        out = {}
        for name in sorted(self.runs, key=lambda s: s.encode("utf-8")):
            run = self.runs[name]
            q = {"frame_stations": len(run.frame), "reports": run.reports, "drawn": None,
                 "conflicts": sum(1 for st in run.stations.values() if st.in_conflict()),
                 "quarantined": sum(1 for st in run.stations.values() if st.quarantined),
                 "revised": sum(1 for st in run.stations.values() if st.revised),
                 "estimates": None, "names": getattr(run, "names", []),
                 "designed_at": run.designed_by[1] if run.design is not None else None,
                 "vote_day": self.election.get("date")}
            out[name] = q
            if run.drawn is None:
                continue
            q["drawn"] = run.assignments
            strata = run.design["strata"]
            moments = [[list(m) for m in ms] for ms in run.moments]
            reported = list(run.reported)
            unused = []
            for h, s in enumerate(strata):
                lacking = max(s["sample"] - run.reported[h], 0)
                for rank in sorted(run.reserves[h]):
                    station, terms = run.reserves[h][rank]
                    if rank <= lacking:
                        for qi, (a, m) in enumerate(terms):
                            add(moments[qi][h], a, m)
                        reported[h] += 1
                    else:
                        unused.append(station)
            sample = sum(s["sample"] for s in strata)
            rate = sum(reported) / max(sample, 1)
            missing = [s["name"] for s, n in zip(strata, reported) if n < 2]
            lagging = [s["name"] for s, n in zip(strata, reported) if n < 0.5 * rate * s["sample"]]
            estimates = []
            for qi, ms in enumerate(moments):
                rows = [(s["stations"],) + tuple(m) for s, m in zip(strata, ms)]
                estimates.append({
                    "overall": interval(combined([r for r in rows if r[1] >= 2])),
                    "strata": [interval(combined([r])) for r in rows],
                })
            q["estimates"] = {
                "arrival": {"sample": sample, "reported": sum(reported),
                            "reserves_used": sum(reported) - sum(run.reported),
                            "reserves_not_needed": unused, "turnout_doubtful": run.doubtful,
                            "missing": missing, "lagging": lagging,
                            "unbalanced": bool(missing or lagging)},
                "estimates": estimates,
            }
        return out


def text_fault(text):
    """model::names::text_fault: a control character (Unicode Cc) other than a tab or a line
    end."""
    return any((ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) <= 0x9F for c in text)


def sub(moment, a, m):
    moment[0] -= 1
    moment[1] -= a
    moment[2] -= m
    moment[3] -= a * a
    moment[4] -= m * m
    moment[5] -= a * m


def add(moment, a, m):
    moment[0] += 1
    moment[1] += a
    moment[2] += m
    moment[3] += a * a
    moment[4] += m * m
    moment[5] += a * m
