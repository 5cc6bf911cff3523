"""An audit's rounds on national records (issue 18's budgets): the Kyrgyz 2020 store and its
simulated cast-vote records (1,887,345 ballots, about 139 MB), through the command line:

* `audit start` (the records read, hashed and checked against every station's protocol;
  budget 10 s),
* `audit sample --ballots 1000` (a round of 1,000 drawn from the seed; budget 1 s),
* `audit record` of that round (only its ballots read from the records; budget 1 s).

Beside `audit record` runs the peer an observer would write: Python's csv module over the same
records file, hashing it and keeping the round's ballots (the work `audit record` does before
its checks). Times are medians of REPEAT runs on copies of the same store; the ratio is
printed. Standard library only.
"""

import argparse
import csv
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def run(args, cwd):
    t = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def peer(records, wanted):
    """The round's ballots and the file's SHA-256, by Python's csv module."""
    t = time.perf_counter()
    h = hashlib.sha256()
    with open(records, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    found = {}
    with open(records, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        next(rows)
        for r in rows:
            if (r[0], r[1]) in wanted:
                found[(r[0], r[1])] = r[2]
    assert len(found) == len(wanted), (len(found), len(wanted))
    return time.perf_counter() - t, h.hexdigest(), found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/tallyproof")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    d = tempfile.mkdtemp()
    data = os.path.abspath("data/kg2020/stations_by_region_2413.csv")
    run([binary, "import", data, "--db", "base.db", "--name", "kg"], d)
    run([binary, "audit", "cvrs", "--db", "base.db", "--out", "cvrs.csv"], d)
    records = os.path.join(d, "cvrs.csv")
    size = os.path.getsize(records)
    starts, samples, records_t, peers = [], [], [], []
    for k in range(a.repeat):
        shutil.copy(os.path.join(d, "base.db"), os.path.join(d, "s.db"))
        target = ["--db", "s.db", "--audit", "a"]
        starts.append(run([binary, "audit", "start", *target, "--law", "kg2020", "--risk-limit", "5",
                           "--seed", "bench %d" % k, "--cvrs", "cvrs.csv"], d))
        samples.append(run([binary, "audit", "sample", *target, "--ballots", "1000", "--out", "r1.csv"], d))
        with open(os.path.join(d, "r1.csv"), newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        wanted = {(r[3], r[4]) for r in rows[1:]}
        took, _, found = peer(records, wanted)
        peers.append(took)
        with open(os.path.join(d, "r1-read.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(rows[0])
            for r in rows[1:]:
                w.writerow(r[:5] + [found[(r[3], r[4])]])
        records_t.append(run([binary, "audit", "record", *target, "--readings", "r1-read.csv",
                              "--cvrs", "cvrs.csv"], d))
    med = statistics.median
    print("records: 1,887,345 ballots, %.0f MB; medians of %d runs" % (size / 1e6, a.repeat))
    print("audit start (read, hash, check every station): %.2f s (budget 10 s)" % med(starts))
    print("audit sample --ballots 1000: %.2f s (budget 1 s)" % med(samples))
    print("audit record of the round: %.2f s (budget 1 s); Python csv peer picking the same "
          "ballots: %.2f s; ratio tallyproof/peer %.2f" % (med(records_t), med(peers),
                                                           med(records_t) / med(peers)))
    shutil.rmtree(d)


if __name__ == "__main__":
    sys.exit(main())
