"""Drawing ballots: tallyproof against PyPI `consistent-sampler` (Rivest's sampler, the
reference of the project's rla.md §2) on the same 1,000,000-ballot manifest and seed.

Both sides get the same input: an Arlo ballot manifest (1,000 batches of 1,000 ballots).
Python builds the ids `BATCH#POSITION` from it and calls `consistent_sampler.sampler`
(with replacement, 18 digits); tallyproof runs `audit draw` on the manifest file, which
parses it, builds the same ids and draws. The two draws must be identical (ticket, id,
generation). Times are medians of interleaved runs; the ratio is what the issue targets.
"""

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time

from consistent_sampler import sampler

SEED = "35238217462034872365732467"


def python_draw(manifest, draws):
    t0 = time.perf_counter()
    with open(manifest, newline="") as f:
        rows = list(csv.DictReader(f))
    ids = [f"{r['Batch Name']}#{p}" for r in rows for p in range(1, int(r["Number of Ballots"]) + 1)]
    out = list(sampler(ids, SEED, with_replacement=True, take=draws, output="tuple", digits=18))
    return time.perf_counter() - t0, [(t, i, g) for (t, i, g) in out]


def ours_draw(binary, manifest, draws):
    t0 = time.perf_counter()
    p = subprocess.run(
        [binary, "audit", "draw", "--manifest", manifest, "--seed", SEED, "--ballots", str(draws),
         "--with-replacement", "--digits", "18"],
        check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    return elapsed, [(r["ticket"], r["id"], int(r["generation"])) for r in rows]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--batches", type=int, default=1000)
    ap.add_argument("--per-batch", type=int, default=1000)
    a = ap.parse_args()
    binary = os.path.join(os.path.dirname(__file__), "..", "target", "release", "tallyproof")
    with tempfile.TemporaryDirectory() as d:
        manifest = os.path.join(d, "manifest.csv")
        with open(manifest, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["Container", "Tabulator", "Batch Name", "Number of Ballots"])
            for b in range(a.batches):
                w.writerow(["", "", f"Station {b + 1:04d}", a.per_batch])
        total = a.batches * a.per_batch
        print(f"manifest: {a.batches} batches, {total} ballots; drawing {a.draws} with replacement, seed {SEED}")
        py_times, our_times = [], []
        for r in range(a.repeat):
            t, ours = ours_draw(binary, manifest, a.draws)
            our_times.append(t)
            if r < min(a.repeat, 2):
                tp, ref = python_draw(manifest, a.draws)
                py_times.append(tp)
                if ours != ref:
                    first = next(i for i, (x, y) in enumerate(zip(ours, ref)) if x != y)
                    print(f"DIFFERENT draws at {first}: ours {ours[first]} reference {ref[first]}")
                    sys.exit(1)
        print(f"identical draws: {len(ours)} (ticket, id, generation)")
        py, us = statistics.median(py_times), statistics.median(our_times)
        print(f"{'':<44} {'median':>9}")
        print(f"{'consistent-sampler 1.0.10 (Python)':<44} {py:>8.3f}s  ({len(py_times)} runs)")
        print(f"{'tallyproof audit draw (whole command)':<44} {us:>8.3f}s  ({len(our_times)} runs)")
        print(f"ratio: {py / us:.1f}x faster (target >= 30x: {'met' if py / us >= 30 else 'NOT met'})")


if __name__ == "__main__":
    main()
