"""Load benchmark of the results service (issue: the public results service).

One run, on one machine, loopback only:

1. a generated election of STATIONS stations is imported into a fresh SQLite store, and
   `tallyproof serve` is started on it (its start-up, a replay of the whole log, is timed);
2. while an operator and a verifier submit and verify protocols at RATE per second over the
   API, `wrk` requests the national results (`/api/elections/bench/results?by=country`) over
   CONNECTIONS connections, then requests the same JSON from nginx serving it as a static
   file, RUNS times each, alternating; medians of requests per second and of p99 latency;
3. freshness: for every tenth verified protocol, how long until the service shows it;
4. submissions: as many enter-and-verify pairs as 32 concurrent clients get acknowledged
   (each acknowledgement is a committed, fsynced transaction);
5. a soak of SOAK seconds (reads and 200 submissions per second) while the server's resident
   memory is sampled.

Prints the figures and the ratios against nginx; writes them to OUT/serve-results.json.

With --baseline BIN (another build, from an earlier commit), both builds are measured in the
same run, each on its own store: the read runs and the submission bursts alternate between
them (nginx measured in each build's slot), then each soaks in turn; the ratios ours/baseline
are printed.
"""

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time

import aiohttp

PASSWORD = "benchmark password"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def wait_http(url, timeout=600):
    import urllib.request

    start = time.time()
    while True:
        try:
            with urllib.request.urlopen(url, timeout=60) as r:
                return r.read(), time.time() - start
        except Exception:
            if time.time() - start > timeout:
                raise
            time.sleep(0.1)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wrk(url, connections, seconds):
    out = run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url])
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p99, int(errors.group(1)) if errors else 0


class Writer:
    """Submits and verifies protocols at a steady rate; measures how soon each shows."""

    def __init__(self, base, op, ver, stations, choices, rate):
        self.base, self.rate = base, rate
        self.op = {"Authorization": f"Bearer {op}"}
        self.ver = {"Authorization": f"Bearer {ver}"}
        self.stations, self.choices = stations, choices
        self.done, self.failed, self.lags = 0, {}, []
        self.checkpoint_lags = []  # until a signed checkpoint covers the verified entry
        self.stop = False

    async def one(self, session, probe):
        station = random.choice(self.stations)
        votes = [random.randint(0, 300) for _ in range(self.choices)]
        body = {"station": station, "votes": votes}
        async with session.post(f"{self.base}/api/elections/bench/protocols", json=body, headers=self.op) as r:
            if r.status != 201:
                self.failed[r.status] = self.failed.get(r.status, 0) + 1
                return
            pid = (await r.json())["id"]
        async with session.post(f"{self.base}/api/elections/bench/pending/{pid}/verify", json={}, headers=self.ver) as r:
            if r.status != 200:
                # 409: the station got another verified version first (both entered at once).
                self.failed[r.status] = self.failed.get(r.status, 0) + 1
                return
        acked = time.monotonic()
        self.done += 1
        if probe:
            while True:
                async with session.get(f"{self.base}/api/elections/bench/units/{station}") as r:
                    unit = await r.json()
                if list(unit["votes"].values()) == votes:
                    self.lags.append(time.monotonic() - acked)
                    index = max(entry["index"] for entry in unit["logged"])
                    await self.signed(session, index, acked)
                    return
                if time.monotonic() - acked > 10:
                    self.lags.append(10.0)
                    return
                await asyncio.sleep(0.01)

    async def signed(self, session, index, acked):
        """Waits until the live log's signed checkpoint covers entry `index` (a service
        without a live log, an older one, is not measured)."""
        while time.monotonic() - acked <= 10:
            async with session.get(f"{self.base}/elections/bench/log/checkpoint") as r:
                if r.status != 200:
                    return
                size = int((await r.text()).split("\n")[1])
            if size > index:
                self.checkpoint_lags.append(time.monotonic() - acked)
                return
            await asyncio.sleep(0.01)
        self.checkpoint_lags.append(10.0)

    async def steady(self):
        async with aiohttp.ClientSession() as session:
            tasks, k = set(), 0
            start = time.monotonic()
            while not self.stop:
                due = start + k / self.rate
                now = time.monotonic()
                if due > now:
                    await asyncio.sleep(due - now)
                t = asyncio.create_task(self.one(session, k % 10 == 0))
                tasks.add(t)
                t.add_done_callback(tasks.discard)
                k += 1
            await asyncio.gather(*tasks, return_exceptions=True)

    async def burst(self, seconds, clients=32):
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients)) as session:
            end = time.monotonic() + seconds

            async def client():
                while time.monotonic() < end:
                    await self.one(session, False)

            start = time.monotonic()
            await asyncio.gather(*[client() for _ in range(clients)])
            return time.monotonic() - start


def bench_store(bin, out, n, parties, name):
    """A generated election of N stations imported as 'bench' into a fresh store OUT/NAME.db,
    with an operator (assigned everywhere) and a verifier: (db, operator's token, verifier's
    token, station ids, choices, seconds the import took)."""
    data = os.path.join(out, f"gen-{n}x{parties}.csv")
    if not os.path.exists(data):
        print(f"generating {n} stations ...", flush=True)
        run([bin, "gen", "--stations", str(n), "--parties", str(parties), "--regions", "10", "--seed", "2020", "-o", data])
    db = os.path.join(out, f"{name}.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    print("importing ...", flush=True)
    t = time.time()
    run([bin, "import", data, "--db", db, "--name", "bench"])
    import_s = time.time() - t
    env = dict(os.environ, TALLYPROOF_PASSWORD=PASSWORD)
    for user, role in (("op", "operator"), ("ver", "verifier")):
        run([bin, "users", "add", user, "--role", role, "--db", db], env=env)
    run([bin, "users", "assign", "op", "--db", db])
    op = run([bin, "users", "token", "op", "--db", db]).strip()
    ver = run([bin, "users", "token", "ver", "--db", db]).strip()
    con = sqlite3.connect(db)
    stations = [r[0] for r in con.execute("SELECT id FROM unit WHERE level = 4")]
    choices = con.execute("SELECT COUNT(*) FROM choice WHERE contest_idx = 0").fetchone()[0]
    con.close()
    return db, op, ver, stations, choices, import_s


def background(writer):
    """Runs the steady writer on its own event loop in a thread."""
    import threading

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=lambda: loop.run_until_complete(writer.steady()), daemon=True)
    thread.start()
    return thread


def start_server(bin, db):
    """`tallyproof serve` on DB at a free port: (process, base URL, results body, start-up s)."""
    port = free_port()
    server = subprocess.Popen([bin, "serve", "--db", db, "--addr", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    body, startup_s = wait_http(f"{base}/api/elections/bench/results?by=country")
    return server, base, body, startup_s


def start_nginx(out, body):
    """nginx serving BODY as a static file: (process, URL)."""
    ng = os.path.join(out, "nginx")
    shutil.rmtree(ng, ignore_errors=True)
    os.makedirs(os.path.join(ng, "root"))
    with open(os.path.join(ng, "root", "results.json"), "wb") as f:
        f.write(body)
    nport = free_port()
    with open(os.path.join(ng, "nginx.conf"), "w") as f:
        f.write(f"""worker_processes auto;
pid {ng}/nginx.pid;
error_log {ng}/error.log;
daemon off;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  default_type application/json;
  client_body_temp_path {ng}/tmp; proxy_temp_path {ng}/tmp; fastcgi_temp_path {ng}/tmp;
  uwsgi_temp_path {ng}/tmp; scgi_temp_path {ng}/tmp;
  server {{ listen 127.0.0.1:{nport}; root {ng}/root; }}
}}
""")
    os.makedirs(os.path.join(ng, "tmp"))
    nginx = subprocess.Popen(["nginx", "-c", os.path.join(ng, "nginx.conf")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{nport}/results.json"
    wait_http(url)
    return nginx, url


class Target:
    """One build of the service under test, on its own store."""

    def __init__(self, label, bin, out, a):
        self.label, self.bin = label, bin
        (self.db, self.op, self.ver, self.stations, self.choices,
         self.import_s) = bench_store(bin, out, a.stations, a.parties, f"serve-{label}")
        self.server, self.base, self.body, self.startup_s = start_server(bin, self.db)
        print(f"{label}: serve answers after {self.startup_s:.1f}s (replaying the log of "
              f"{a.stations} stations)", flush=True)
        self.results_url = f"{self.base}/api/elections/bench/results?by=country"
        self.reads, self.nginx, self.bursts, self.burst_failed = [], [], [], {}
        self.steady = Writer(self.base, self.op, self.ver, self.stations, self.choices, a.rate)

    def writer(self, rate):
        return Writer(self.base, self.op, self.ver, self.stations, self.choices, rate)

    def stop(self):
        self.server.terminate()
        self.server.wait()


def soak(t, seconds, rate):
    """SECONDS of reads (16 connections) and RATE submissions per second while T's resident
    memory is sampled every 5 s: (samples in KiB, protocols submitted)."""
    w = t.writer(rate)
    thread = background(w)
    samples = []
    load = subprocess.Popen(["wrk", "-t1", "-c16", f"-d{seconds}s", t.results_url],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.time() + seconds
    while time.time() < end:
        samples.append(rss_kib(t.server.pid))
        time.sleep(5)
    load.wait()
    w.stop = True
    thread.join()
    return samples, w.done


def figures(t, a, samples, soaked):
    med = statistics.median
    w = t.steady
    r = {
        "import_s": round(t.import_s, 1), "startup_s": round(t.startup_s, 1),
        "ours_rps": round(med([x[0] for x in t.reads])), "nginx_rps": round(med([x[0] for x in t.nginx])),
        "ours_p99_ms": round(med([x[1] for x in t.reads]), 2), "nginx_p99_ms": round(med([x[1] for x in t.nginx]), 2),
        "non_2xx": sum(x[2] for x in t.reads),
        "steady_writes": {"submitted": w.done, "failed": w.failed,
                          "lag_max_s": round(max(w.lags), 3) if w.lags else None,
                          "lag_median_s": round(med(w.lags), 3) if w.lags else None,
                          "probes": len(w.lags),
                          "checkpoint_lag_max_s": round(max(w.checkpoint_lags), 3) if w.checkpoint_lags else None,
                          "checkpoint_lag_median_s": round(med(w.checkpoint_lags), 3) if w.checkpoint_lags else None},
        "burst_pairs_per_s": round(med(t.bursts)), "burst_failed": t.burst_failed,
        "soak_s": a.soak, "soak_submitted": soaked,
        "soak_rss_mib": {"first": round(samples[0] / 1024), "after_1min": round(samples[min(12, len(samples) - 1)] / 1024),
                         "last": round(samples[-1] / 1024), "max": round(max(samples) / 1024)},
    }
    r["throughput_ratio"] = round(r["ours_rps"] / r["nginx_rps"], 2)
    r["p99_ratio"] = round(r["ours_p99_ms"] / r["nginx_p99_ms"], 2)
    return r


def report(label, r, a):
    s = r["steady_writes"]
    print(f"""
{label}: national results, {a.connections} connections, {a.runs} runs x {a.seconds}s (medians), while {a.rate} protocols/s are entered and verified:
  tallyproof serve {r['ours_rps']} req/s, p99 {r['ours_p99_ms']} ms
  nginx (static)   {r['nginx_rps']} req/s, p99 {r['nginx_p99_ms']} ms
  throughput ratio {r['throughput_ratio']} (target >= 0.5); p99 ratio {r['p99_ratio']} (target <= 2)
freshness: {s['probes']} probes, median {s['lag_median_s']}s, max {s['lag_max_s']}s after the verification (budget 1 s); {s['submitted']} submitted, {s['failed']} failed
signed checkpoint covering the verified entry: median {s['checkpoint_lag_median_s']}s, max {s['checkpoint_lag_max_s']}s after the verification (budget 1 s)
submissions: {r['burst_pairs_per_s']} enter+verify pairs/s acknowledged by 32 clients (target >= 1000), refused by status: {r['burst_failed']}
soak {a.soak}s: RSS {r['soak_rss_mib']} MiB, {r['soak_submitted']} submitted
start-up: import {r['import_s']}s, first answer {r['startup_s']}s""")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--baseline", help="another build of tallyproof (an earlier commit) measured "
                   "in the same run, phase by phase, alternating with --bin")
    p.add_argument("--stations", type=int, default=1_000_000)
    p.add_argument("--parties", type=int, default=20)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--seconds", type=int, default=15)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--rate", type=int, default=200)
    p.add_argument("--soak", type=int, default=300)
    p.add_argument("--out", default="bench/out")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    out = os.path.abspath(a.out)

    targets = [Target("ours", a.bin, out, a)]
    if a.baseline:
        targets.append(Target("baseline", a.baseline, out, a))
    nginx = None
    try:
        # nginx serves the same JSON as a static file.
        nginx, nginx_url = start_nginx(out, targets[0].body)
        for i in range(a.runs):
            for t in targets:
                # Reads while this build's writer enters and verifies protocols; nginx in the
                # same slot.
                thread = background(t.steady)
                time.sleep(2)
                t.reads.append(wrk(t.results_url, a.connections, a.seconds))
                t.nginx.append(wrk(nginx_url, a.connections, a.seconds))
                t.steady.stop = True
                thread.join()
                t.steady.stop = False
                print(f"run {i + 1}, {t.label}: {t.reads[-1][0]:.0f} req/s p99 {t.reads[-1][1]:.2f} ms; "
                      f"nginx {t.nginx[-1][0]:.0f} req/s p99 {t.nginx[-1][1]:.2f} ms", flush=True)
        for i in range(a.runs):
            for t in targets:
                burst = t.writer(a.rate)
                secs = asyncio.run(burst.burst(10))
                t.bursts.append(burst.done / secs)
                for k, v in burst.failed.items():
                    t.burst_failed[k] = t.burst_failed.get(k, 0) + v
                print(f"burst {i + 1}, {t.label}: {t.bursts[-1]:.0f} pairs/s", flush=True)
        results = {"stations": a.stations, "connections": a.connections, "seconds": a.seconds,
                   "runs": a.runs, "cores": os.cpu_count()}
        for t in targets:
            samples, soaked = soak(t, a.soak, a.rate)
            results[t.label] = figures(t, a, samples, soaked)
    finally:
        for t in targets:
            t.stop()
        if nginx:
            nginx.terminate()
            nginx.wait()

    if not a.baseline:
        results.update(results.pop("ours"))
        results = {k: results[k] for k in ["stations", "connections", "seconds", "runs", "cores", "import_s",
                                            "startup_s", "ours_rps", "nginx_rps", "ours_p99_ms", "nginx_p99_ms",
                                            "non_2xx", "steady_writes", "burst_pairs_per_s", "burst_failed",
                                            "soak_s", "soak_submitted", "soak_rss_mib", "throughput_ratio",
                                            "p99_ratio"]}
        report("tallyproof", results, a)
    else:
        o, b = results["ours"], results["baseline"]
        results["ours_over_baseline"] = {
            "rps": round(o["ours_rps"] / b["ours_rps"], 2),
            "throughput_ratio": round(o["throughput_ratio"] / b["throughput_ratio"], 2),
            "p99": round(o["ours_p99_ms"] / b["ours_p99_ms"], 2),
            "burst_pairs_per_s": round(o["burst_pairs_per_s"] / b["burst_pairs_per_s"], 2),
            "soak_rss_max": round(o["soak_rss_mib"]["max"] / b["soak_rss_mib"]["max"], 2),
        }
        report("ours", o, a)
        report("baseline", b, a)
        x = results["ours_over_baseline"]
        print(f"""
ours / baseline, same run: read throughput {x['rps']} (vs nginx: {x['throughput_ratio']}), p99 {x['p99']}, submissions {x['burst_pairs_per_s']}, soak peak RSS {x['soak_rss_max']}""")
    with open(os.path.join(out, "serve-results.json"), "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    sys.exit(main())
