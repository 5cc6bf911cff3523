"""Quick-count simulation benchmark: `tallyproof pvt simulate` against a vectorised numpy
reference of the same estimator, on the same file in the same run.

tallyproof draws the samples and writes them (`--dump DIR`, once, untimed; the timed runs,
with the same seed, draw the same samples and give the same summary, which is checked); the
reference reads the same
samples and the frame's columns, computes every trial's stratified (combined) ratio estimate
and its linearised variance (pvt::estimate::combined; Cochran 1977, 6.11) with numpy, and
must match every one of tallyproof's estimates to 1e-12, or the benchmark stops. Both are
timed after reading: ours from its own report on standard error (`--timing`: from the frame
and its columns in memory, as the reference has its own: the leader chosen, the sample
allocated, the frame laid out, the threads started, every sample drawn and every estimate
computed), the reference's around the computation only (the reading of the dump excluded).
Prints medians and the ratio.
"""

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def reference(dump):
    """Reads a dump; returns the computation as a function of nothing, and the expected
    estimates."""
    frame = np.loadtxt(dump / "frame.csv", delimiter=",", skiprows=1, dtype=np.int64, ndmin=2)
    plan = np.loadtxt(dump / "plan.csv", delimiter=",", skiprows=1, dtype=np.int64, ndmin=2)
    expected = np.loadtxt(dump / "estimates.csv", delimiter=",", skiprows=1, ndmin=2)
    big_n = plan[:, 1].astype(np.float64)
    n_h = plan[:, 2]
    samples = np.fromfile(dump / "samples.u32", dtype="<u4").reshape(len(expected), int(n_h.sum()))
    a_col, m_col = frame[:, 1], frame[:, 2]
    starts = np.concatenate(([0], np.cumsum(n_h)[:-1]))
    n = n_h.astype(np.float64)
    w = big_n / n

    def compute():
        a = a_col[samples]
        m = m_col[samples]
        # Exact integer sums per trial and stratum, as tallyproof keeps them.
        sa = np.add.reduceat(a, starts, axis=1)
        sm = np.add.reduceat(m, starts, axis=1)
        saa = np.add.reduceat(a * a, starts, axis=1)
        smm = np.add.reduceat(m * m, starts, axis=1)
        sam = np.add.reduceat(a * m, starts, axis=1)
        big_a = (w * sa.astype(np.float64)).sum(axis=1)
        big_m = (w * sm.astype(np.float64)).sum(axis=1)
        p = big_a / big_m
        pc = p[:, None]
        se = sa - pc * sm
        see = saa - 2.0 * pc * sam + pc * pc * smm
        s2 = np.maximum((see - se * se / n) / (n - 1.0), 0.0)
        var = (big_n * big_n * (1.0 - n / big_n) * s2 / n).sum(axis=1) / (big_m * big_m)
        return p, var

    return compute, expected


def ours(binary, args, dump=None):
    """One run of `pvt simulate`: its time after reading the file and its summary. With
    `dump`, it also writes its samples there (for the reference; not a timed run: writing
    1.5 million stations is not the simulation)."""
    cmd = [binary, "pvt", "simulate", *args, "--timing", "--json"]
    if dump is not None:
        cmd += ["--dump", str(dump)]
    run = subprocess.run(cmd, capture_output=True, text=True, check=True)
    ms = float(re.search(r"in ([0-9.]+) ms", run.stderr).group(1))
    return ms / 1000.0, json.loads(run.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--file", default="test_data/ru/2018.csv.zip")
    ap.add_argument("--stations", type=int, default=1500)
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--binary", default="target/release/tallyproof")
    a = ap.parse_args()
    args = [a.file, "--format", "ru", "--stations", str(a.stations), "--strata", "region",
            "--trials", str(a.trials), "--seed", "bench"]
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp)
        _, summary = ours(a.binary, args, dump)
        t_ours = []
        for _ in range(a.repeat):
            t, again = ours(a.binary, args)
            if again != summary:
                sys.exit("tallyproof's simulation differs from run to run with the same seed")
            t_ours.append(t)
        compute, expected = reference(dump)
        t_ref = []
        for _ in range(a.repeat):
            start = time.perf_counter()
            p, var = compute()
            t_ref.append(time.perf_counter() - start)
        worst_p = float(np.max(np.abs(p - expected[:, 1])))
        worst_v = float(np.max(np.abs(var - expected[:, 2])))
        if worst_p > 1e-12 or worst_v > 1e-12:
            sys.exit(f"the reference differs from tallyproof: share by {worst_p:.3g}, variance by {worst_v:.3g}")
    mo, mr = statistics.median(t_ours), statistics.median(t_ref)
    print(f"pvt simulate: {a.trials} trials of {a.stations} stations on {a.file} "
          f"({summary['stations']} stations, {summary['strata']} strata)")
    print(f"  every estimate matches the numpy reference (share within {worst_p:.1e}, variance within {worst_v:.1e})")
    print(f"  tallyproof (draws included) median {mo * 1000:.1f} ms: {', '.join(f'{t * 1000:.1f}' for t in t_ours)}")
    print(f"  numpy reference (estimates only) median {mr * 1000:.1f} ms: {', '.join(f'{t * 1000:.1f}' for t in t_ref)}")
    print(f"  ratio (numpy / tallyproof): {mr / mo:.1f}x")


if __name__ == "__main__":
    main()
