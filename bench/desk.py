#!/usr/bin/env python3
"""The verifier's screen of one entered protocol (issue 17: at most 100 ms on this 2-core
machine). A store of STATIONS stations made with `tallyproof gen` (as bench/search.py's,
kept in OUT), an operator and a verifier; the operator enters PENDING protocols (at most
100: one page of the unit search) of the first stations (each with its scan, a photo-sized JPEG of SCAN_MB), one breaking `choices = valid`
(quarantined); each entry's screen, GET /elections/big/staff/pending/ID as the verifier, is
asked three times and its best time kept. Prints the median and the max, and the desk's page
(the list of every entry waiting) the same way.

Usage: bench/desk.py --bin target/release/tallyproof [--stations 1000000] [--pending 100] [--out bench/out]
"""
import argparse
import json
import os
import statistics
import subprocess
import time
import urllib.request

import search
import serving

PASSWORD = "a long enough password"


def call(addr, method, path, body=None, headers=None, raw=None):
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    h = {"content-type": "application/json"} if raw is None else {"content-type": "application/octet-stream"}
    h.update(headers or {})
    req = urllib.request.Request("http://%s%s" % (addr, path), data=data, method=method, headers=h)
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.read()


def jpegs(mb):
    """JPEG-shaped files of about `mb` MB, the k-th different from the others (the store checks a
    JPEG's markers, not its pixels)."""
    head = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
            b"\xff\xda\x00\x08\x01\x01\x00\x00?\x00")
    body = bytearray(os.urandom(int(mb * 1024 * 1024)).replace(b"\xff", b"\xfe"))

    def one(k):
        body[0:2] = (k % 60000).to_bytes(2, "big").replace(b"\xff", b"\xfe")
        return head + bytes(body) + b"\xff\xd9"
    return one


def best_of_3(url, cookie):
    best = None
    for _ in range(3):
        t = time.monotonic()
        req = urllib.request.Request(url, headers={"cookie": cookie})
        with urllib.request.urlopen(req, timeout=120) as r:
            r.read()
        took = time.monotonic() - t
        best = took if best is None else min(best, took)
    return best


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--bin", required=True)
    a.add_argument("--stations", type=int, default=1_000_000)
    a.add_argument("--pending", type=int, default=100)
    a.add_argument("--scan-mb", type=float, default=3.0)
    a.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out"))
    args = a.parse_args()
    os.makedirs(args.out, exist_ok=True)
    base = search.store(args.bin, args.out, args.stations)
    db = os.path.join(args.out, "desk-%d.db" % args.stations)
    subprocess.run(["cp", base, db], check=True)
    env = dict(os.environ, TALLYPROOF_PASSWORD=PASSWORD)
    for name, role in [("olga", "operator"), ("vera", "verifier")]:
        subprocess.run([args.bin, "users", "add", name, "--role", role, "--db", db], env=env,
                       check=True, stdout=subprocess.DEVNULL)
    subprocess.run([args.bin, "users", "assign", "olga", "--db", db], check=True, stdout=subprocess.DEVNULL)
    tokens = {n: subprocess.run([args.bin, "users", "token", n, "--db", db], check=True,
                                capture_output=True, text=True).stdout.strip() for n in ("olga", "vera")}
    p, addr = serving.start(args.bin, db)
    try:
        serving.wait_ready(addr, poll=0.1)
        op = {"authorization": "Bearer " + tokens["olga"]}
        units = json.loads(call(addr, "GET", "/api/elections/big/units?level=station"))["units"]
        ids = []
        photo = jpegs(args.scan_mb)
        for k, u in enumerate(units[: args.pending]):
            unit = json.loads(call(addr, "GET", "/api/elections/big/units/%d" % u["id"]))
            v = unit["versions"][-1]
            votes = list(v["votes"])
            if k == 0:
                votes[0] += 500  # quarantined: breaks choices = valid
            scan = json.loads(call(addr, "PUT", "/api/scans", raw=photo(k), headers=op))["scan"]
            e = json.loads(call(addr, "POST", "/api/elections/big/protocols",
                                {"station": u["id"], "lines": v["lines"], "votes": votes, "scan": scan}, op))
            ids.append(e["id"])
        req = urllib.request.Request("http://%s/api/login" % addr, method="POST",
                                     data=json.dumps({"name": "vera", "password": PASSWORD}).encode(),
                                     headers={"content-type": "application/json"})
        with urllib.request.urlopen(req) as r:
            cookie = r.headers["set-cookie"].split(";")[0]
        times = [best_of_3("http://%s/elections/big/staff/pending/%d" % (addr, i), cookie) for i in ids]
        desk = best_of_3("http://%s/elections/big/staff" % addr, cookie)
        print("%d stations, %d entries waiting (scans of %.1f MB): the verifier's screen of each, best of 3: "
              "median %.1f ms, max %.1f ms; the desk listing them all: %.1f ms"
              % (args.stations, len(ids), args.scan_mb, statistics.median(times) * 1e3, max(times) * 1e3, desk * 1e3))
    finally:
        p.kill()
        p.wait()


if __name__ == "__main__":
    main()
