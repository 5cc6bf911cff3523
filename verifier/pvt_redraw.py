"""Redraws a quick count's sample from its public design, the frame and the revealed seed,
independently of tallyproof: the frame read from a tallyproof CSV with Python's csv module,
the draw made with Rivest's consistent sampler as published on PyPI (`consistent-sampler`),
following the rules docs/pvt.md states. Prints the assignments as JSON, as `tallyproof pvt
redraw --json` does, or exits 1 saying why the seed, the frame or the strata do not match the
design.

    python3 verifier/pvt_redraw.py FRAME.csv PUBLIC.json SEED
"""

import csv
import hashlib
import json
import math
import sys

from consistent_sampler import first_fraction, sampler

UNIT_COLUMNS = ["region", "constituency", "district", "station"]
COUNT_LINES = ["issued_early", "issued_in_station", "issued_outside", "issued_total",
               "found_mobile", "found_stationary", "found_total"]


class Refused(Exception):
    pass


def read_frame(path, level):
    """The frame of a tallyproof CSV (one contest): (stratum, station path, registered) for
    every station, sorted by path, its stratum the unit at `level` (None: the country)."""
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            names = [r[c] for c in UNIT_COLUMNS if r.get(c)]
            station = " / ".join(names)
            if level is None:
                stratum = "country"
            else:
                cut = [c for c in UNIT_COLUMNS if r.get(c)].index(level) + 1
                stratum = " / ".join(names[:cut])
            rows.append((stratum, station, int(r.get("registered") or 0)))
    # Sorted as Rust sorts strings: by their UTF-8 bytes.
    rows.sort(key=lambda x: x[1].encode("utf-8"))
    return rows


def digest(frame):
    h = hashlib.sha256()
    for stratum, station, registered in frame:
        h.update(("%s\t%s\t%d\n" % (stratum, station, registered)).encode("utf-8"))
    return h.hexdigest()


def redraw(design, frame, seed):
    if hashlib.sha256(seed.encode("utf-8")).hexdigest() != design["seed_sha256"]:
        raise Refused("the seed's SHA-256 is not the design's commitment")
    if digest(frame) != design["frame"]["digest"]:
        raise Refused("the frame's digest %s is not the design's %s"
                      % (digest(frame), design["frame"]["digest"]))
    planned_of = {}
    for h, s in enumerate(design["strata"]):
        for name in s["holds"]:
            planned_of[name] = h
    members = [[] for _ in design["strata"]]
    for i, (stratum, _, _) in enumerate(frame):
        members[planned_of[stratum]].append(i)
    for h, s in enumerate(design["strata"]):
        if len(members[h]) != s["stations"]:
            raise Refused("stratum '%s' has %d stations in the frame, the design says %d"
                          % (s["name"], len(members[h]), s["stations"]))
    ids = [station for _, station, _ in frame]
    index = {station: i for i, station in enumerate(ids)}
    order = [index[t] for t in sampler(ids, seed, output="id")]
    sample = [[] for _ in design["strata"]]
    reserves = [[] for _ in design["strata"]]
    if design["method"] == "systematic":
        for h, s in enumerate(design["strata"]):
            big_n, n = len(members[h]), s["sample"]
            u = int(first_fraction(" + ".join(s["holds"]), seed)[2:17]) / 1e15
            sample[h] = [members[h][min(int((u + k) * big_n / n), big_n - 1)] for k in range(n)]
    for i in order:
        h = planned_of[frame[i][0]]
        s = design["strata"][h]
        if design["method"] == "random" and len(sample[h]) < s["sample"]:
            sample[h].append(i)
        elif len(reserves[h]) < s["reserves"] and i not in sample[h]:
            reserves[h].append(i)
    out = []
    for h in range(len(design["strata"])):
        for role, picked in (("sample", sample[h]), ("reserve", reserves[h])):
            for k, i in enumerate(picked):
                out.append({"station": ids[i], "stratum": h, "role": role, "rank": k + 1})
    return out


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    with open(sys.argv[2], encoding="utf-8") as f:
        design = json.load(f)
    try:
        frame = read_frame(sys.argv[1], design["level"])
        print(json.dumps(redraw(design, frame, sys.argv[3]), ensure_ascii=False, indent=2))
    except Refused as e:
        print("REFUSED: %s" % e, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
