#!/usr/bin/env python3
"""The first request after the service reports itself ready (issue 15): imports the Russian
Duma election of 2011 (95,225 stations) into a fresh store, starts `tallyproof serve`, waits
for `GET /api/ready`, then times the first and second requests of the results page. Run with
`--baseline BIN` to time an older binary the same way in the same run (an older binary has no
/api/ready: its first request then includes the replay); prints medians of `--runs`.

Usage: bench/first-request.py --bin target/release/tallyproof [--baseline BIN] [--data FILE] [--runs 3]
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time
import urllib.request

import serving


def once(binary, db):
    p, addr = serving.start(binary, db)
    try:
        ready = serving.wait_ready(addr)
        times = []
        for _ in range(2):
            t = time.monotonic()
            urllib.request.urlopen("http://%s/elections/ru2011" % addr, timeout=60).read()
            times.append(time.monotonic() - t)
        return ready, times[0], times[1]
    finally:
        p.kill()
        p.wait()


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--bin", required=True)
    a.add_argument("--baseline")
    a.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared",
                                                   "data", "ru", "2011.csv.zip"))
    a.add_argument("--runs", type=int, default=3)
    args = a.parse_args()
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "ru.db")
        subprocess.run([args.bin, "import", args.data, "--format", "ru", "--db", db, "--name", "ru2011"],
                       check=True, stdout=subprocess.DEVNULL)
        bins = [("ours", args.bin)] + ([("baseline", args.baseline)] if args.baseline else [])
        got = {label: [] for label, _ in bins}
        for _ in range(args.runs):
            for label, b in bins:
                got[label].append(once(b, db))
        for label, runs in got.items():
            med = [statistics.median(x[k] for x in runs) for k in range(3)]
            print("%s: ready after %.2f s; first results page %.0f ms; second %.0f ms (medians of %d)"
                  % (label, med[0], med[1] * 1000, med[2] * 1000, len(runs)))
        if args.baseline:
            ratio = statistics.median(x[1] for x in got["ours"]) / statistics.median(x[1] for x in got["baseline"])
            print("first request, ours / baseline: %.3f" % ratio)


if __name__ == "__main__":
    main()
