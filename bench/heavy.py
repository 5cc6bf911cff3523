"""Heavy public reads against staff writes (issue 13, finding 6), one command, loopback only.

On a generated election of STATIONS stations (default 100,000) in a fresh SQLite store:

1. unloaded: one staff client enters and verifies protocols back to back for SECONDS
   (pairs per second), while wrk measures a cheap route (the national results JSON) on
   2 connections (p99);
2. loaded: the same, while CONNECTIONS connections (default 64) request the heavy routes
   (the NIST CDF export, the results by station, the forensic page) in equal shares.

Prints both, and the loaded rate as a share of the unloaded one (target >= 0.8) and the
cheap route's p99 under load (target <= 50 ms); writes OUT/heavy-results.json.
"""

import argparse
import asyncio
import json
import os
import subprocess
import threading
import time

from serve import Writer, bench_store, free_port, wait_http, wrk


def pairs_per_second(base, op, ver, stations, choices, seconds):
    w = Writer(base, op, ver, stations, choices, 1)
    secs = asyncio.run(w.burst(seconds, clients=1))
    return w.done / secs, w.failed


def measure(base, op, ver, stations, choices, seconds):
    """(pairs/s, cheap route's p99 ms), measured together."""
    cheap = {}
    t = threading.Thread(target=lambda: cheap.update(
        r=wrk(f"{base}/api/elections/bench/results?by=country", 2, seconds)))
    t.start()
    rate, failed = pairs_per_second(base, op, ver, stations, choices, seconds)
    t.join()
    return rate, cheap["r"][1], failed


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--stations", type=int, default=100_000)
    p.add_argument("--parties", type=int, default=20)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--seconds", type=int, default=20)
    p.add_argument("--out", default="bench/out")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    out = os.path.abspath(a.out)
    db, op, ver, stations, choices, _ = bench_store(a.bin, out, a.stations, a.parties, "heavy")
    port = free_port()
    server = subprocess.Popen([a.bin, "serve", "--db", db, "--addr", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/api/elections/bench/results?by=country")
        heavy = [f"{base}/api/elections/bench/export.cdf.json",
                 f"{base}/api/elections/bench/results?by=station",
                 f"{base}/elections/bench/forensics"]
        for url in heavy:
            wait_http(url)
        idle = measure(base, op, ver, stations, choices, a.seconds)
        print(f"unloaded: {idle[0]:.1f} pairs/s, cheap route p99 {idle[1]:.1f} ms", flush=True)
        share = max(1, a.connections // len(heavy))
        load = [subprocess.Popen(["wrk", "-t1", f"-c{share}", f"-d{a.seconds + 4}s", url],
                                 stdout=subprocess.PIPE, text=True) for url in heavy]
        time.sleep(2)
        loaded = measure(base, op, ver, stations, choices, a.seconds)
        served = [l.communicate()[0] for l in load]
        print(f"loaded ({share * len(heavy)} connections on the heavy routes): {loaded[0]:.1f} pairs/s, "
              f"cheap route p99 {loaded[1]:.1f} ms", flush=True)
        ratio = loaded[0] / idle[0] if idle[0] else 0.0
        print(f"staff pairs loaded/unloaded: {ratio:.2f} (target >= 0.8); "
              f"cheap p99 under load {loaded[1]:.1f} ms (target <= 50)", flush=True)
        result = {"stations": a.stations, "connections": share * len(heavy),
                  "unloaded": {"pairs_per_s": idle[0], "cheap_p99_ms": idle[1], "failed": idle[2]},
                  "loaded": {"pairs_per_s": loaded[0], "cheap_p99_ms": loaded[1], "failed": loaded[2]},
                  "ratio": ratio, "heavy_wrk": served}
        with open(os.path.join(out, "heavy-results.json"), "w") as f:
            json.dump(result, f, indent=1)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
