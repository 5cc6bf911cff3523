"""Integer-percentage benchmark: a vectorised numpy implementation of the published procedure
(Kobak, Shpilkin & Pshenichnikov 2016, as run in the dkobak/elections notebooks) against
`tallyproof forensics integer-percent`, on the same file in the same run.

The Python side is a reference, written from shared/design/forensics.md section 1: it must
reproduce the published station and observed counts exactly and the published excess
within 15 stations, or the benchmark stops. Prints medians and ratios.
"""

import argparse
import csv
import io
import json
import re
import statistics
import subprocess
import sys
import time
import zipfile

import numpy as np


def load(path, leader_substring):
    """Reads V, G, R, L columns from a Russian station file (zipped CSV)."""
    with zipfile.ZipFile(path) as z:
        name = z.namelist()[0]
        rows = csv.reader(io.TextIOWrapper(z.open(name), encoding="utf-8"))
        header = next(rows)
        iv = next(i for i, c in enumerate(header) if c.startswith("Число избирателей"))
        ig = [i for i, c in enumerate(header) if "выданных" in c and "бюллетен" in c]
        iinv = next(i for i, c in enumerate(header) if c.startswith("Число недействительных"))
        ival = next(i for i, c in enumerate(header) if c.startswith("Число действительных"))
        il = next(i for i, c in enumerate(header) if leader_substring.lower() in c.lower())
        cols = [iv, *ig, iinv, ival, il]
        data = np.array([[float(r[i] or 0) for i in cols] for r in rows], dtype=np.int64)
    v = data[:, 0]
    g = data[:, 1 : 1 + len(ig)].sum(axis=1)
    r = data[:, -3] + data[:, -2]
    l = data[:, -1]
    return v, g, r, l


def integer(p):
    return np.abs(p - np.round(p)) <= 0.05


def test(v, g, r, l, replicates, seed):
    keep = (r > 0) & (v >= 100)
    v, g, r, l = v[keep], g[keep], r[keep], l[keep]
    keep = ~((g / v > 0.99) | (l / r > 0.99))
    v, g, r, l = v[keep], g[keep], r[keep], l[keep]
    il, it = integer(100 * l / r), integer(100 * g / v)
    observed = {"leader": int(il.sum()), "turnout": int(it.sum()), "either": int((il | it).sum())}
    rng = np.random.RandomState(seed)
    counts = np.zeros((replicates, 3))
    pl, pg = l / r, g / v
    for k in range(replicates):
        ls = rng.binomial(r, pl)
        gs = rng.binomial(v, pg)
        a, b = integer(100 * ls / r), integer(100 * gs / v)
        counts[k] = (a.sum(), b.sum(), (a | b).sum())
    mean = counts.mean(axis=0)
    out = {"stations_used": int(len(v)), "observed": observed}
    for j, kind in enumerate(["leader", "turnout", "either"]):
        out[kind] = {
            "excess": observed[kind] - mean[j],
            "sd": counts[:, j].std(),
            "line999": np.percentile(counts[:, j], 99.9) - mean[j],
        }
    return out


def ours(binary, path, replicates, threads):
    cmd = [binary, "forensics", "integer-percent", path, "--format", "ru", "--json",
           "--replicates", str(replicates), "--threads", str(threads)]
    p = subprocess.run(cmd, capture_output=True, text=True, check=True)
    m = re.search(r"read in ([\d.]+) s; filters and exact null in ([\d.]+) ms; Monte Carlo in ([\d.]+) ms", p.stderr)
    return json.loads(p.stdout), float(m.group(1)), float(m.group(2)) / 1e3, float(m.group(3)) / 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", default="test_data/ru/2011.csv.zip")
    ap.add_argument("--leader", default="ЕДИНАЯ РОССИЯ")
    ap.add_argument("--vectors", default="test_data/vectors/forensics.json")
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--binary", default="target/release/tallyproof")
    a = ap.parse_args()
    case = next(c for c in json.load(open(a.vectors))["cases"] if a.file.endswith(c["file"]))

    t = time.perf_counter()
    v, g, r, l = load(a.file, a.leader)
    py_parse = time.perf_counter() - t
    py_runs = []
    for _ in range(a.repeat):
        t = time.perf_counter()
        py = test(v, g, r, l, a.replicates, 42)
        py_runs.append(time.perf_counter() - t)
    assert py["stations_used"] == case["stations_used"], py["stations_used"]
    assert py["observed"]["either"] == case["observed_either"], py["observed"]
    for kind in ["either", "leader", "turnout"]:
        assert abs(py[kind]["excess"] - case["excess"][kind]) <= 15, (kind, py[kind])
    print(f"python+numpy {np.__version__}: stations {py['stations_used']}, observed either "
          f"{py['observed']['either']}, excess either {py['either']['excess']:.1f} "
          f"(published {case['excess']['either']}), sd {py['either']['sd']:.1f}, "
          f"line999 {py['either']['line999']:.1f}")

    results = {}
    for threads in (1, 2):
        runs = [ours(a.binary, a.file, a.replicates, threads) for _ in range(a.repeat)]
        results[threads] = runs
        got = runs[0][0]
        assert got["stations_used"] == case["stations_used"]
        assert got["observed"]["either"] == case["observed_either"]
    got = results[2][0][0]
    print(f"tallyproof: exact excess either {got['exact']['either']['excess']:.1f}, Monte Carlo "
          f"excess either {got['monte_carlo']['either']['excess']:.1f}, sd "
          f"{got['monte_carlo']['either']['sd']:.1f}")

    report_runs = []
    for _ in range(a.repeat):
        t = time.perf_counter()
        subprocess.run([a.binary, "forensics", "report", a.file, "--format", "ru", "--out", "bench/out"],
                       capture_output=True, check=True)
        report_runs.append(time.perf_counter() - t)

    med = statistics.median
    py_mc = med(py_runs)
    print()
    print(f"{'step (median of ' + str(a.repeat) + ')':<40} {'python':>10} {'ours 1 thr':>11} {'ours 2 thr':>11} {'ratio (2 thr)':>14}")
    ours_parse = {t: med(x[1] for x in results[t]) for t in (1, 2)}
    ours_exact = {t: med(x[2] for x in results[t]) for t in (1, 2)}
    ours_mc = {t: med(x[3] for x in results[t]) for t in (1, 2)}
    print(f"{'parse the file':<40} {py_parse:>9.2f}s {ours_parse[1]:>10.2f}s {ours_parse[2]:>10.2f}s {py_parse / ours_parse[2]:>13.1f}x")
    print(f"{'Monte Carlo, ' + str(a.replicates) + ' replicates':<40} {py_mc:>9.2f}s {ours_mc[1]:>10.3f}s {ours_mc[2]:>10.3f}s {py_mc / ours_mc[2]:>13.1f}x")
    print(f"{'exact null (no simulation)':<40} {'-':>10} {ours_exact[1]*1e3:>9.1f}ms {ours_exact[2]*1e3:>9.1f}ms {py_mc / ours_exact[2]:>13.1f}x")
    print(f"{'whole HTML report (command, incl. parse)':<40} {'-':>10} {'':>11} {med(report_runs):>10.3f}s")
    print()
    print(f"budgets: report < 1 s: {'met' if med(report_runs) < 1 else 'NOT met'}; Monte Carlo >= 10x faster than python: {'met' if py_mc / ours_mc[2] >= 10 else 'NOT met'}; "
          f"exact null < 50 ms: {'met' if ours_exact[2] < 0.05 else 'NOT met'}")


if __name__ == "__main__":
    sys.exit(main())
