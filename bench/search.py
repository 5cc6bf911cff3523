#!/usr/bin/env python3
"""The unit search over HTTP (issue 16, item 5): a store of STATIONS stations made with
`tallyproof gen` (the same election as crates/readmodel/examples/search_large.rs), served by
`tallyproof serve`; once it is ready, each of the 100 queries of bench/search-queries.tsv is
asked of GET /api/elections/big/units three times and its best time kept; prints the median
and the max, the slowest queries, and the service's resident memory.

Usage: bench/search.py --bin target/release/tallyproof [--stations 1000000] [--out bench/out]
"""
import argparse
import os
import statistics
import subprocess
import time
import urllib.parse
import urllib.request

import serving

HERE = os.path.dirname(os.path.abspath(__file__))


def queries():
    with open(os.path.join(HERE, "search-queries.tsv"), encoding="utf-8") as f:
        rows = [l.rstrip("\n").split("\t") for l in f if not l.startswith("#")]
    assert len(rows) == 100, len(rows)
    return rows


def store(binary, out, n):
    """A generated election of n stations imported as 'big' into OUT/search-N.db (kept)."""
    db = os.path.join(out, "search-%d.db" % n)
    if os.path.exists(db):
        return db
    data = os.path.join(out, "search-gen-%d.csv" % n)
    subprocess.run([binary, "gen", "--stations", str(n), "--parties", "16", "--regions", "9",
                    "--seed", "2020", "-o", data], check=True, stdout=subprocess.DEVNULL)
    t = time.monotonic()
    subprocess.run([binary, "import", data, "--format", "csv", "--db", db + ".part", "--name", "big"],
                   check=True, stdout=subprocess.DEVNULL)
    os.replace(db + ".part", db)
    print("imported %d stations in %.0f s" % (n, time.monotonic() - t), flush=True)
    return db


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--bin", required=True)
    a.add_argument("--stations", type=int, default=1_000_000)
    a.add_argument("--out", default=os.path.join(HERE, "out"))
    args = a.parse_args()
    os.makedirs(args.out, exist_ok=True)
    db = store(args.bin, args.out, args.stations)
    p, addr = serving.start(args.bin, db)
    try:
        ready = serving.wait_ready(addr, poll=0.1)
        print("ready after %.1f s, resident memory %.0f MB" % (ready, rss_mb(p.pid)))
        times = []
        for text, level in queries():
            url = "http://%s/api/elections/big/units?q=%s" % (addr, urllib.parse.quote(text))
            if level != "-":
                url += "&level=" + level
            best = None
            for _ in range(3):
                t = time.monotonic()
                with urllib.request.urlopen(url, timeout=60) as r:
                    body = r.read()
                took = time.monotonic() - t
                best = took if best is None else min(best, took)
            total = int(body.split(b'"total":')[1].split(b",")[0])
            times.append((best, text, total))
        times.sort()
        for took, text, total in reversed(times[-5:]):
            print("  %7.2f ms  %8d found  %r" % (took * 1e3, total, text))
        print("100 queries over HTTP (best of 3 each): median %.2f ms, max %.2f ms; resident memory %.0f MB"
              % (statistics.median(t for t, _, _ in times) * 1e3, times[-1][0] * 1e3, rss_mb(p.pid)))
    finally:
        p.kill()
        p.wait()


if __name__ == "__main__":
    main()
