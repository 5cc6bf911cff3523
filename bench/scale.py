"""Scaling benchmark (issue: speed, part 3): `tallyproof gen` at several sizes, and at each
the four steps a national night runs: tabulation straight from the CSV (`results FILE --by
region --csv`), `import` into a fresh store (every protocol logged), `publish` of the signed
log and `verify` of the published directory (every tile, leaf and replay). Each step is a
whole command, timed with its peak RSS (`bench/measure.py`). Prints, per step, the time per
station at each size and its growth against the smallest size (linear: within 1.3x), and
peak memory against the CSV's size (target for tabulation and import: at most 2x; stated
for publish and verify). With --parts (the published crate's example verify_parts), verify's
parts are timed apart on the published directory, every file read into memory first: its
tiles and leaves against bare SHA-256 over the same bytes (target: at most 1.3x), and its
replay of totals and seats.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess

from measure import run_with_rss


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bin", default="target/release/tallyproof")
    ap.add_argument("--sizes", default="100000,1000000,10000000")
    ap.add_argument("--parties", type=int, default=20)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--out", default="bench/out")
    ap.add_argument("--parts", help="the verify_parts example, to time verify's parts apart")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    steps = ["tabulate", "import", "publish", "verify"]
    rows = []
    for n in [int(s) for s in a.sizes.split(",")]:
        data = os.path.join(a.out, f"gen-{n}x{a.parties}.csv")
        if not os.path.exists(data):
            print(f"generating {n} stations x {a.parties} parties ...", flush=True)
            subprocess.run([a.bin, "gen", "--stations", str(n), "--parties", str(a.parties),
                            "--regions", "10", "--seed", "2020", "-o", data], check=True,
                           stdout=subprocess.DEVNULL)
        size = os.path.getsize(data)
        db = os.path.join(a.out, f"scale-{n}.db")
        site = os.path.join(a.out, f"scale-{n}-site")
        key = os.path.join(a.out, "scale.key")
        times = {s: [] for s in steps}
        rss = {s: 0 for s in steps}
        for _ in range(a.runs):
            for path in (db, db + "-journal", db + "-wal", db + "-shm"):
                if os.path.exists(path):
                    os.remove(path)
            shutil.rmtree(site, ignore_errors=True)
            for step, cmd in [
                ("tabulate", [a.bin, "results", data, "--by", "region", "--csv"]),
                ("import", [a.bin, "import", data, "--db", db, "--name", "bench"]),
                ("publish", [a.bin, "publish", "--db", db, "--out", site, "--key", key]),
                ("verify", [a.bin, "verify", site, "--key", os.path.join(site, "log.pub")]),
            ]:
                secs, peak, _ = run_with_rss(cmd)
                times[step].append(secs)
                rss[step] = max(rss[step], peak)
            print(f"{n} stations: " + ", ".join(f"{s} {times[s][-1]:.2f}s" for s in steps), flush=True)
        parts = None
        if a.parts:
            _, _, out = run_with_rss([a.parts, site])
            parts = json.loads(out.decode())
            print(f"{n} stations: verify's parts {parts}", flush=True)
        os.remove(db)
        shutil.rmtree(site, ignore_errors=True)
        rows.append({
            "stations": n, "csv_bytes": size,
            "median_seconds": {s: round(statistics.median(times[s]), 3) for s in steps},
            "us_per_station": {s: round(1e6 * statistics.median(times[s]) / n, 3) for s in steps},
            "peak_rss_over_csv": {s: round(rss[s] / size, 2) for s in steps},
            "peak_rss_bytes": rss,
            "verify_parts": parts,
        })
    base = rows[0]["us_per_station"]
    for r in rows:
        r["growth_vs_smallest"] = {s: round(r["us_per_station"][s] / base[s], 2) for s in steps}
    print(json.dumps(rows, indent=2))
    with open(os.path.join(a.out, "scale.json"), "w") as f:
        json.dump(rows, f, indent=2)
    print(f"\n{'stations':>10} | " + " | ".join(f"{s:>24}" for s in steps))
    for r in rows:
        cells = [f"{r['us_per_station'][s]:7.2f} us/st x{r['growth_vs_smallest'][s]:4.2f} {r['peak_rss_over_csv'][s]:5.2f}xCSV"
                 for s in steps]
        print(f"{r['stations']:>10} | " + " | ".join(cells))
    print("(time per station; its growth against the smallest size, linear within 1.3x; peak RSS over the CSV's size)")
    for r in rows:
        p = r["verify_parts"]
        if p:
            print(f"{r['stations']:>10} | verify's tiles and leaves {p['tiles_seconds']:.2f}s = {p['tiles_over_sha256']:.2f}x bare SHA-256 "
                  f"({p['sha256_seconds']:.2f}s); replay {p['replay_seconds']:.2f}s "
                  f"({1e6 * p['replay_seconds'] / r['stations']:.2f} us/station); the whole in memory {p['verify_seconds']:.2f}s")


if __name__ == "__main__":
    main()
