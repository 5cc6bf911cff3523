"""Bursts of parallel wrong logins against `tallyproof serve` (issue 13, finding 3).

One run, on one machine, loopback only, standard library only:

1. a generated election of STATIONS stations is imported into a fresh SQLite store with one
   staff user, and `tallyproof serve` is started on it;
2. a cheap route (`/api/elections`) is probed alone for a few seconds: its idle latency, and
   the server's idle resident memory;
3. BURSTS times, 200 wrong logins with distinct names are released together, each from its
   own loopback address (127.0.x.y: the per-address limit is not what holds them), while the
   cheap route is probed without pause and the server's memory is sampled every 10 ms.

Prints the answers to the logins (401: hashed; 429: refused at once), the cheap route's p50,
p99 and max during the bursts against idle, and the peak memory above idle. The targets of
the issue: p99 at most 20 ms, memory at most 500 MB above idle.

Usage: bench/run-login-burst, or python3 bench/login-burst.py --bin BINARY [--bursts 10]
"""

import argparse
import http.client
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import tempfile
import threading
import time

PASSWORD = "benchmark password"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def request(port, method, path, body=None, source="127.0.0.1"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    headers = {"content-type": "application/json"} if body is not None else {}
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    r.read()
    c.close()
    return r.status


def probe(port, stop, out):
    """Requests the cheap route one after another on one kept-alive connection (so that the
    burst's crowd of new connections in the kernel's accept queue does not count) until `stop`
    is set; latencies in ms, sent to `out` at the end (a process of its own, so that the
    burst's threads do not delay it)."""
    lat = []
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while not stop.is_set():
        t = time.perf_counter()
        c.request("GET", "/api/elections")
        r = c.getresponse()
        r.read()
        lat.append((time.perf_counter() - t) * 1000)
        assert r.status == 200, r.status
    c.close()
    out.send(lat)


def sample(pid, stop, out):
    while not stop.is_set():
        out.append(rss_kib(pid))
        time.sleep(0.01)


def percentile(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def burst(port, n, k):
    """n wrong logins released together, login i from 127.0.k'.i' (distinct per burst)."""
    gate = threading.Barrier(n)
    statuses = [None] * n

    def one(i):
        src = f"127.{10 + k}.{i // 250}.{1 + i % 250}"
        body = json.dumps({"name": f"nobody-{k}-{i}", "password": "wrong"})
        gate.wait()
        statuses[i] = request(port, "POST", "/api/login", body, source=src)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return statuses, time.perf_counter() - t0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--stations", type=int, default=1000)
    p.add_argument("--bursts", type=int, default=10)
    p.add_argument("--logins", type=int, default=200)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as d:
        data, db = os.path.join(d, "gen.csv"), os.path.join(d, "s.db")
        subprocess.run([a.bin, "gen", "--stations", str(a.stations), "--seed", "1", "-o", data],
                       check=True, capture_output=True)
        subprocess.run([a.bin, "import", data, "--db", db, "--name", "bench"], check=True,
                       capture_output=True)
        env = dict(os.environ, TALLYPROOF_PASSWORD=PASSWORD)
        subprocess.run([a.bin, "users", "add", "op", "--role", "operator", "--db", db],
                       check=True, capture_output=True, env=env)
        port = free_port()
        server = subprocess.Popen([a.bin, "serve", "--db", db, "--addr", f"127.0.0.1:{port}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(600):
                try:
                    if request(port, "GET", "/api/elections") == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            def probed(during):
                stop, (recv, send) = multiprocessing.Event(), multiprocessing.Pipe(False)
                p = multiprocessing.Process(target=probe, args=(port, stop, send))
                p.start()
                during()
                stop.set()
                lat = recv.recv()
                p.join()
                return lat

            idle_lat = probed(lambda: time.sleep(5))
            idle_rss = rss_kib(server.pid)

            rss, counts, spans = [], {}, []
            stop = threading.Event()
            sampler = threading.Thread(target=sample, args=(server.pid, stop, rss))
            sampler.start()

            def bursts():
                time.sleep(0.5)
                for k in range(a.bursts):
                    statuses, span = burst(port, a.logins, k)
                    spans.append(span)
                    for s in statuses:
                        counts[s] = counts.get(s, 0) + 1

            lat = probed(bursts)
            stop.set()
            sampler.join()
        finally:
            server.kill()
            server.wait()
    result = {
        "bursts": a.bursts,
        "logins_per_burst": a.logins,
        "answers": {str(k): v for k, v in sorted(counts.items())},
        "burst_seconds_median": round(statistics.median(spans), 3),
        "cheap_idle_ms": {"n": len(idle_lat), "p50": round(percentile(idle_lat, 0.5), 2),
                          "p99": round(percentile(idle_lat, 0.99), 2)},
        "cheap_during_ms": {"n": len(lat), "p50": round(percentile(lat, 0.5), 2),
                            "p99": round(percentile(lat, 0.99), 2), "max": round(max(lat), 2)},
        "idle_rss_mb": round(idle_rss / 1024, 1),
        "peak_rss_above_idle_mb": round((max(rss) - idle_rss) / 1024, 1),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
