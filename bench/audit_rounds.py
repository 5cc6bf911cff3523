"""An audit's rounds on national records (issue 18's budgets): the Kyrgyz 2020 store and its
simulated cast-vote records (1,887,345 ballots, about 139 MB), through the command line:

* `audit start` (the records read, hashed and checked against every station's protocol;
  budget 10 s),
* `audit sample --ballots 1000` (a round of 1,000 drawn from the seed; budget 1 s),
* `audit record` of that round (only its ballots read from the records; budget 1 s),
* an audit board's next-ballot screen at the service (budget 50 ms): a round of 1,000 with two
  boards, one member marking BOARD ballots one by one; the screen is timed before each mark
  (the first, which reads the round's records once, apart).

Beside `audit record` runs the peer an observer would write: Python's csv module over the same
records file, hashing it and keeping the round's ballots (the work `audit record` does before
its checks). Times are medians of REPEAT runs on copies of the same store; the ratio is
printed. Standard library only.
"""

import argparse
import csv
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import serving

PASSWORD = "a long enough password"


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
    ap.add_argument("--board", type=int, default=30, help="ballots a board member marks")
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
    first, screens = board_screens(binary, d, a.board)
    med = statistics.median
    print("records: 1,887,345 ballots, %.0f MB; medians of %d runs" % (size / 1e6, a.repeat))
    print("audit start (read, hash, check every station): %.2f s (budget 10 s)" % med(starts))
    print("audit sample --ballots 1000: %.2f s (budget 1 s)" % med(samples))
    print("audit record of the round: %.2f s (budget 1 s); Python csv peer picking the same "
          "ballots: %.2f s; ratio tallyproof/peer %.2f" % (med(records_t), med(peers),
                                                           med(records_t) / med(peers)))
    print("a board's next-ballot screen (round of 1,000, two boards), %d ballots marked one by one: "
          "median %.1f ms, max %.1f ms (budget 50 ms); the first, reading the round's records: %.0f ms"
          % (len(screens), med(screens) * 1e3, max(screens) * 1e3, first * 1e3))
    shutil.rmtree(d)


def board_screens(binary, d, marks):
    """A round of 1,000 with two boards at the service; member m1 opens the next-ballot screen
    and marks it, `marks` times: (the first screen's time, the others' times)."""
    shutil.copy(os.path.join(d, "base.db"), os.path.join(d, "b.db"))
    os.makedirs(os.path.join(d, "files"), exist_ok=True)
    if not os.path.exists(os.path.join(d, "files", "cvrs.csv")):
        os.link(os.path.join(d, "cvrs.csv"), os.path.join(d, "files", "cvrs.csv"))
    target = ["--db", "b.db", "--audit", "a"]
    run([binary, "audit", "start", *target, "--law", "kg2020", "--risk-limit", "5",
         "--seed", "boards", "--cvrs", "cvrs.csv"], d)
    run([binary, "audit", "sample", *target, "--ballots", "1000", "--out", "b1.csv"], d)
    env = dict(os.environ, TALLYPROOF_PASSWORD=PASSWORD)
    for m in ("m1", "m2", "m3", "m4"):
        subprocess.run([binary, "users", "add", m, "--role", "board-member", "--db", "b.db"],
                       cwd=d, env=env, check=True, stdout=subprocess.DEVNULL)
    run([binary, "audit", "boards", *target, "--board", "m1,m2", "--board", "m3,m4"], d)
    token = subprocess.run([binary, "users", "token", "m1", "--db", "b.db"], cwd=d, check=True,
                           capture_output=True, text=True).stdout.strip()
    p, addr = serving.start(binary, os.path.join(d, "b.db"), ["--audit-files", os.path.join(d, "files")])
    try:
        serving.wait_ready(addr, poll=0.1)
        login = urllib.request.Request("http://%s/api/login" % addr, method="POST",
                                       data=json.dumps({"name": "m1", "password": PASSWORD}).encode(),
                                       headers={"content-type": "application/json"})
        with urllib.request.urlopen(login) as r:
            cookie = r.headers["set-cookie"].split(";")[0]
        bearer = {"authorization": "Bearer " + token}
        screen = "http://%s/elections/kg/staff/boards/a/1" % addr
        times = []
        for k in range(marks + 1):
            t = time.perf_counter()
            with urllib.request.urlopen(urllib.request.Request(screen, headers={"cookie": cookie})) as r:
                page = r.read()
            times.append(time.perf_counter() - t)
            assert b"<form" in page, page[:200]
            if k == 0:
                with urllib.request.urlopen(urllib.request.Request(
                        "http://%s/api/elections/kg/audits/a/boards/1" % addr, headers=bearer)) as r:
                    items = [i["item"] for i in json.loads(r.read())["items"]]
            if k < marks:
                req = urllib.request.Request(
                    "http://%s/api/elections/kg/audits/a/boards/1/marks/%d" % (addr, items[k]),
                    method="PUT", data=json.dumps({"index": 0}).encode(),
                    headers=dict(bearer, **{"content-type": "application/json"}))
                with urllib.request.urlopen(req) as r:
                    r.read()
        return times[0], times[1:]
    finally:
        p.kill()
        p.wait()


if __name__ == "__main__":
    sys.exit(main())
