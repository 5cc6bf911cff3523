"""Seat-allocation benchmark (issue: seats): 630 seats by Sainte-Lague among 50 parties over
many random vote sets, tallyproof against the PyPI package `apportionment` (Lackner) in its
float mode and its exact `fractions=True` mode, on the same inputs, in one run.

Each tool allocates every vote set REPEAT times; the medians per allocation are compared.
Both are timed in-process (tallyproof by its own driver, `crates/seats/examples/bench.rs`).
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

import apportionment.methods as app


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", type=int, default=200)
    ap.add_argument("--parties", type=int, default=50)
    ap.add_argument("--seats", type=int, default=630)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=2020)
    ap.add_argument("--out", default="bench/out")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    sets = [[int(rng.lognormvariate(10, 1.5)) + 1 for _ in range(a.parties)] for _ in range(a.sets)]
    inp = os.path.join(a.out, "seats-input.json")
    outp = os.path.join(a.out, "seats-ours.json")
    with open(inp, "w") as f:
        json.dump({"seats": a.seats, "method": "sainte-lague", "repeat": a.repeat, "sets": sets}, f)
    subprocess.run(["cargo", "run", "--release", "--locked", "-q", "-p", "seats", "--example", "bench", "--", inp, outp], check=True)
    ours = json.load(open(outp))

    letters = [f"P{i:02}" for i in range(a.parties)]

    def time_peer(fractions):
        times, results = [], []
        for votes in sets:
            for _ in range(a.repeat):
                t = time.perf_counter_ns()
                r = app.compute("saintelague", votes, a.seats, parties=letters, fractions=fractions, verbose=False)
                times.append(time.perf_counter_ns() - t)
            results.append(list(r))
        return statistics.median(times), results

    float_ns, float_res = time_peer(False)
    frac_ns, frac_res = time_peer(True)
    ours_ns = ours["median_ns_per_allocation"]
    agree_exact = sum(1 for x, y in zip(ours["seats"], frac_res) if x == y)
    agree_float = sum(1 for x, y in zip(ours["seats"], float_res) if x == y)
    result = {
        "sets": a.sets, "parties": a.parties, "seats": a.seats, "repeat": a.repeat,
        "median_us_per_allocation": {"tallyproof": ours_ns / 1000, "apportionment_float": float_ns / 1000,
                                     "apportionment_fractions": frac_ns / 1000},
        "median_us_per_margins_tallyproof": ours["median_ns_per_margins"] / 1000,
        "ratio_vs_float": round(ours_ns / float_ns, 4),
        "ratio_vs_fractions": round(ours_ns / frac_ns, 4),
        "agree_with_fractions": f"{agree_exact}/{a.sets}",
        "agree_with_float": f"{agree_float}/{a.sets}",
    }
    print(json.dumps(result, indent=2))
    with open(os.path.join(a.out, "seats-results.json"), "w") as f:
        json.dump(result, f, indent=2)
    print(f"""
{a.seats} seats, Sainte-Lague, {a.parties} parties, {a.sets} vote sets x {a.repeat}:
  tallyproof {ours_ns/1000:.1f} us/allocation (exact), apportionment float {float_ns/1000:.1f} us, fractions {frac_ns/1000:.1f} us
  ratio ours / float: {result['ratio_vs_float']}   ratio ours / fractions: {result['ratio_vs_fractions']}
  margins (all pairs, exact): {result['median_us_per_margins_tallyproof']:.1f} us per election (budget < 1000 us)
  same seats as the exact peer: {agree_exact}/{a.sets}; as the float peer: {agree_float}/{a.sets}""")
    if agree_exact != a.sets:
        sys.exit("tallyproof and the exact peer disagree")


if __name__ == "__main__":
    main()
