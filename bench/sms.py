"""SMS reports through the service's gateway endpoint (issue 20), against the same reports
through the web API, in one run on one machine, loopback only:

1. a generated election of STATIONS stations is imported into a fresh SQLite store as an
   observer group's frame; a quick count of SAMPLE stations is designed and logged with its
   seed (`pvt design`, `pvt log open`, `pvt log seed`); OBSERVERS observers are added, each
   assigned the whole country, with a phone registered (`users phone`) and an API token;
2. `tallyproof serve --sms-gateway bench=FILE --phone-key FILE` is started on it;
3. MESSAGES signed SMS messages (`PVT 1234 E.. B.. X.. A..`, each observer reporting drawn
   stations in turn) are posted by CONNECTIONS concurrent clients; each answer is the reply,
   sent only once the report is logged and durable (group commit); then as many reports of
   the same kind through `POST /api/elections/bench/pvt/pvt/reports` (JSON, bearer tokens).
   RUNS rounds alternate the two channels; medians of messages per second and of latencies.

Prints the figures, the ratio SMS / web and the issue's budget (1,000 SMS reports per second);
writes them to OUT/sms-results.json.
"""

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import shutil
import socket
import statistics
import subprocess
import time

import aiohttp

PASSWORD = "benchmark password"
SEED = "bench sms seed"
GATEWAY_SECRET = b"tallyproof bench gateway secret, 32+ bytes"
PHONE_KEY = b"tallyproof bench phones' key, 32+ bytes long"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(cmd, env=None, stdin=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run(
        cmd, check=True, capture_output=True, text=True, env=e, input=stdin
    ).stdout


def wait_http(url, timeout=600):
    import urllib.request

    start = time.time()
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return time.time() - start
        except Exception:
            pass
        if time.time() - start > timeout:
            raise SystemExit(f"no answer from {url}")
        time.sleep(0.1)


def setup(a):
    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(a.out)
    db = os.path.join(a.out, "group.db")
    frame = os.path.join(a.out, "frame.csv")
    b = a.bin
    run([b, "gen", "--stations", str(a.stations), "--parties", "5", "--regions", "9",
         "--seed", "20", "-o", frame])
    run([b, "import", frame, "--db", db, "--name", "bench"])
    design = os.path.join(a.out, "design.json")
    public = os.path.join(a.out, "public.json")
    run([b, "pvt", "design", "--db", db, "--strata", "region", "--stations", str(a.sample),
         "--seed", SEED, "-o", design, "--public", public])
    run([b, "pvt", "log", "open", "--db", db, "--design", public])
    run([b, "pvt", "log", "seed", "--db", db, "--seed", SEED])
    key = os.path.join(a.out, "phone.key")
    secret = os.path.join(a.out, "gw.secret")
    with open(key, "wb") as f:
        f.write(PHONE_KEY)
    with open(secret, "wb") as f:
        f.write(GATEWAY_SECRET)
    phones, tokens = [], []
    for k in range(a.observers):
        name = f"obs{k:03d}"
        phone = f"+996700{k:06d}"
        run([b, "users", "add", name, "--role", "observer", "--db", db],
            env={"TALLYPROOF_PASSWORD": PASSWORD})
        run([b, "users", "assign", name, "--db", db, "--unit", ""])
        run([b, "users", "phone", name, "--db", db, "--phone-key", key],
            env={"TALLYPROOF_PHONE": phone})
        tokens.append(run([b, "users", "token", name, "--db", db]).strip())
        phones.append(phone)
    return db, key, secret, phones, tokens


def reports(drawn, choices):
    """A plausible copy of each drawn station: registered, ballots issued, invalid, votes."""
    out = []
    for k, d in enumerate(drawn):
        reg = d["registered"]
        issued = reg * 6 // 10
        invalid = issued // 50
        valid = issued - invalid
        votes = [valid // choices] * choices
        votes[0] += valid - sum(votes)
        out.append((d, reg, issued, invalid, votes))
    return out


def sms_text(r):
    d, reg, issued, invalid, votes = r
    codes = ["A", "C", "H", "K", "M", "O", "P", "T", "Y"]
    items = " ".join(f"{codes[i]}{v}" for i, v in enumerate(votes))
    return f"PVT {d['sms_number']} E{reg} B{issued} X{invalid} {items}"


PATH = "/api/elections/bench/pvt/pvt/sms/bench"


async def sms_round(base, plan, connections, start_id):
    """Posts each (phone, text) signed; returns (seconds, latencies, statuses)."""
    lat, statuses = [], {}
    queue = asyncio.Queue()
    for k, item in enumerate(plan):
        queue.put_nowait((start_id + k, item))
    url = f"{base}{PATH}"

    async def client(session):
        while True:
            try:
                i, (phone, text) = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            body = json.dumps({"id": f"m{i}", "from": phone, "text": text}).encode()
            t = str(int(time.time()))
            msg = (b"tallyproof-sms-v2\nbench\n" + t.encode() + b"\n" + PATH.encode() + b"\n"
                   + body)
            sig = hmac.new(GATEWAY_SECRET, msg, hashlib.sha256).hexdigest()
            headers = {"content-type": "application/json", "x-tallyproof-time": t,
                       "x-tallyproof-signature": sig}
            s = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as r:
                answer = await r.json()
                ok = r.status == 200 and answer.get("reply") and "recorded" in answer["reply"]
                key = "recorded" if ok else f"{r.status} {answer}"
                statuses[key] = statuses.get(key, 0) + 1
            lat.append(time.perf_counter() - s)

    start = time.perf_counter()
    conn = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=conn) as session:
        await asyncio.gather(*(client(session) for _ in range(connections)))
    return time.perf_counter() - start, lat, statuses


async def web_round(base, plan, connections):
    lat, statuses = [], {}
    queue = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    url = f"{base}/api/elections/bench/pvt/pvt/reports"

    async def client(session):
        while True:
            try:
                token, body = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            s = time.perf_counter()
            async with session.post(url, json=body,
                                    headers={"authorization": f"Bearer {token}"}) as r:
                answer = await r.json()
                key = "recorded" if r.status == 201 else f"{r.status} {answer}"
                statuses[key] = statuses.get(key, 0) + 1
            lat.append(time.perf_counter() - s)

    start = time.perf_counter()
    conn = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=conn) as session:
        await asyncio.gather(*(client(session) for _ in range(connections)))
    return time.perf_counter() - start, lat, statuses


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--stations", type=int, default=100000)
    ap.add_argument("--sample", type=int, default=3000)
    ap.add_argument("--observers", type=int, default=50)
    ap.add_argument("--messages", type=int, default=10000)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default="bench/out-sms")
    a = ap.parse_args()
    t0 = time.time()
    db, key, secret, phones, tokens = setup(a)
    print(f"set up in {time.time() - t0:.0f} s: {a.stations} stations, a sample of {a.sample}, "
          f"{a.observers} observers with phones", flush=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [a.bin, "serve", "--db", db, "--addr", f"127.0.0.1:{port}",
         "--sms-gateway", f"bench={secret}", "--phone-key", key],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_http(f"{base}/api/ready")
        import urllib.request
        with urllib.request.urlopen(f"{base}/api/elections/bench/pvt") as r:
            q = json.load(r)["quick_counts"][0]
        drawn = [d for d in q["drawn"] if not d["reserve"]]
        choices = len(q["estimates"]["estimates"]) - 1
        copies = reports(drawn, choices)
        results = {"sms": [], "web": []}
        next_id = 0
        for run_k in range(a.runs):
            # Each observer reports stations in turn: (observer k, station j) pairs new in
            # every round, so that every message is a new report that the log takes.
            base_k = run_k * a.messages
            sms_plan, web_plan = [], []
            for m in range(a.messages):
                n = base_k + m
                obs = n % a.observers
                station = copies[(n // a.observers) % len(copies)]
                sms_plan.append((phones[obs], sms_text(station)))
                d, reg, issued, invalid, votes = station
                # The web channel: the other half of the observers, so that neither channel
                # repeats the other's reports.
                web_plan.append((tokens[(obs + a.observers // 2) % a.observers], {
                    "station": d["station"], "votes": votes,
                    "lines": {"registered": reg, "issued_total": issued, "invalid": invalid}}))
            for channel in (["sms", "web"] if run_k % 2 == 0 else ["web", "sms"]):
                if channel == "sms":
                    secs, lat, st = asyncio.run(sms_round(base, sms_plan, a.connections, next_id))
                    next_id += len(sms_plan)
                else:
                    secs, lat, st = asyncio.run(web_round(base, web_plan, a.connections))
                rate = len(lat) / secs
                results[channel].append({"per_second": rate, "p50_ms": pct(lat, 0.5) * 1e3,
                                         "p99_ms": pct(lat, 0.99) * 1e3, "answers": st})
                print(f"run {run_k + 1} {channel}: {rate:,.0f} reports/s, p50 "
                      f"{pct(lat, 0.5) * 1e3:.1f} ms, p99 {pct(lat, 0.99) * 1e3:.1f} ms, {st}",
                      flush=True)
    finally:
        server.terminate()
        server.wait()
    med = {c: {k: statistics.median(r[k] for r in results[c])
               for k in ("per_second", "p50_ms", "p99_ms")} for c in results}
    ratio = med["sms"]["per_second"] / med["web"]["per_second"]
    budget = "met" if med["sms"]["per_second"] >= 1000 else "NOT met"
    print(f"""
SMS reports through the gateway endpoint vs the same reports through the web API
({a.messages} each per run, {a.connections} connections, {a.runs} runs, medians; each answered
once logged and durable):
  SMS: {med['sms']['per_second']:,.0f} reports/s, p50 {med['sms']['p50_ms']:.1f} ms, p99 {med['sms']['p99_ms']:.1f} ms
  web: {med['web']['per_second']:,.0f} reports/s, p50 {med['web']['p50_ms']:.1f} ms, p99 {med['web']['p99_ms']:.1f} ms
  ratio SMS / web: {ratio:.2f}; budget 1,000 SMS reports/s: {budget}""")
    with open(os.path.join(a.out, "sms-results.json"), "w") as f:
        json.dump({"runs": results, "medians": med, "ratio": ratio}, f, indent=1)


if __name__ == "__main__":
    main()
