"""Side-by-side benchmark of tallyproof's tabulation and import (issue: foundation).

Every contender runs RUNS times, interleaved, in this one process tree, and the medians are
compared. DuckDB and polars are timed in-process (their interpreter start-up and import are
not counted, which favours them); tallyproof and sqlite3 are timed as whole commands.
"""

import argparse
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import time

import duckdb
import polars as pl

from measure import run_with_rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--stations", type=int, default=1_000_000)
    ap.add_argument("--parties", type=int, default=20)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default="bench/out")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    data = os.path.join(a.out, f"gen-{a.stations}x{a.parties}.csv")
    if not os.path.exists(data):
        print(f"generating {a.stations} stations x {a.parties} parties ...", flush=True)
        subprocess.run([a.bin, "gen", "--stations", str(a.stations), "--parties", str(a.parties),
                        "--regions", "10", "--seed", "2020", "-o", data], check=True)
    size = os.path.getsize(data)
    header = open(data, encoding="utf-8").readline().strip().split(",")
    numeric = [c for c in header if c not in ("region", "district", "station", "source")]

    sql = ("SELECT region, count(*) AS stations, " + ", ".join(f'sum("{c}") AS "{c}"' for c in numeric)
           + f" FROM read_csv('{data}') GROUP BY region ORDER BY region")

    def ours_tab():
        secs, rss, out = run_with_rss([a.bin, "results", data, "--by", "region", "--csv"])
        rows = list(csv.DictReader(io.StringIO(out.decode())))
        return secs, rss, {r["unit"]: int(r["Party 01"]) for r in rows if r["level"] == "region"}

    def duck_tab():
        t = time.perf_counter()
        con = duckdb.connect()
        res = con.sql(sql).fetchall()
        secs = time.perf_counter() - t
        col = ["region", "stations"] + numeric
        i = col.index("party:Party 01")
        return secs, {r[0]: int(r[i]) for r in res}

    def polars_tab():
        t = time.perf_counter()
        res = (pl.scan_csv(data).group_by("region")
               .agg([pl.len().alias("stations")] + [pl.col(c).sum() for c in numeric])
               .sort("region").collect())
        secs = time.perf_counter() - t
        return secs, dict(zip(res["region"].to_list(), res["party:Party 01"].to_list()))

    def ours_import(i):
        db = os.path.join(a.out, f"ours-{i}.db")
        for suffix in ("", "-journal", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        secs, rss, _ = run_with_rss([a.bin, "import", data, "--db", db, "--name", "bench"])
        os.remove(db)
        return secs, rss

    def sqlite_import(i):
        db = os.path.join(a.out, f"sqlite-{i}.db")
        if os.path.exists(db):
            os.remove(db)
        secs, _, _ = run_with_rss(["sqlite3", db, ".mode csv", f".import {data} t"])
        os.remove(db)
        return secs

    def duck_ctas(i):
        t = time.perf_counter()
        con = duckdb.connect()
        con.sql(f"CREATE TABLE t AS SELECT * FROM read_csv('{data}')")
        secs = time.perf_counter() - t
        con.close()
        return secs

    times = {k: [] for k in ("ours_tab", "duckdb_tab", "polars_tab", "ours_import", "sqlite_import", "duckdb_ctas")}
    rss = {"tab": 0, "import": 0}
    check = None
    for i in range(a.runs):
        s, r, o = ours_tab(); times["ours_tab"].append(s); rss["tab"] = max(rss["tab"], r)
        s, d = duck_tab(); times["duckdb_tab"].append(s)
        s, p = polars_tab(); times["polars_tab"].append(s)
        if check is None:
            check = (o, d, p)
        s, r = ours_import(i); times["ours_import"].append(s); rss["import"] = max(rss["import"], r)
        times["sqlite_import"].append(sqlite_import(i))
        times["duckdb_ctas"].append(duck_ctas(i))
        print(f"run {i + 1}/{a.runs}: " + ", ".join(f"{k} {v[-1]:.3f}s" for k, v in times.items()), flush=True)

    o, d, p = check
    agree = o == d == p
    med = {k: statistics.median(v) for k, v in times.items()}
    peer_tab = min(med["duckdb_tab"], med["polars_tab"])
    result = {
        "stations": a.stations, "parties": a.parties, "runs": a.runs, "csv_bytes": size,
        "cores": os.cpu_count(), "duckdb": duckdb.__version__, "polars": pl.__version__,
        "median_seconds": {k: round(v, 3) for k, v in med.items()},
        "tabulation_ratio_vs_faster_peer": round(med["ours_tab"] / peer_tab, 2),
        "tabulation_ratio_vs_duckdb": round(med["ours_tab"] / med["duckdb_tab"], 2),
        "tabulation_ratio_vs_polars": round(med["ours_tab"] / med["polars_tab"], 2),
        "import_ratio_vs_sqlite3": round(med["ours_import"] / med["sqlite_import"], 2),
        "peak_rss_over_csv_size": {k: round(v / size, 2) for k, v in rss.items()},
        "region_sums_agree": agree,
    }
    print(json.dumps(result, indent=2))
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(result, f, indent=2)
    print(f"""
tabulation (results --by region):  ours {med['ours_tab']:.3f}s  duckdb {med['duckdb_tab']:.3f}s  polars {med['polars_tab']:.3f}s
  ratio ours / faster peer: {result['tabulation_ratio_vs_faster_peer']}  (target <= 1.0)
import:  ours {med['ours_import']:.3f}s  sqlite3 .import {med['sqlite_import']:.3f}s  (duckdb CTAS {med['duckdb_ctas']:.3f}s, for reference)
  ratio ours / sqlite3: {result['import_ratio_vs_sqlite3']}  (target <= 1.0; ours also validates and versions)
peak memory / CSV size: results {result['peak_rss_over_csv_size']['tab']}, import {result['peak_rss_over_csv_size']['import']}  (target <= 2.0)
region sums agree across the three: {agree}""")
    if not agree:
        sys.exit("the contenders disagree on the region sums")


if __name__ == "__main__":
    main()
