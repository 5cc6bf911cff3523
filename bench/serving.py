"""What the benchmarks that start `tallyproof serve` share: the service on a free port, and
the wait until it says it is ready (GET /api/ready; an older binary has no such route, and its
404 counts as ready)."""
import subprocess
import time
import urllib.error
import urllib.request


def start(binary, db, extra=()):
    """`tallyproof serve` over the store `db` on a free port, with `extra` arguments:
    (process, host:port)."""
    p = subprocess.Popen([binary, "serve", "--db", db, "--addr", "127.0.0.1:0", *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return p, p.stdout.readline().decode().split("://")[1].split("/")[0]


def wait_ready(addr, poll=0.02):
    """Seconds until the service at `addr` is ready."""
    start = time.monotonic()
    while True:
        try:
            with urllib.request.urlopen("http://%s/api/ready" % addr, timeout=600) as r:
                if r.status == 200:
                    break
        except urllib.error.HTTPError as e:
            if e.code == 404:  # an older binary: no readiness to wait for
                break
        except urllib.error.URLError:
            pass
        time.sleep(poll)
    return time.monotonic() - start
