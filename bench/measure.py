"""Timing a whole command with its peak memory, for the benchmarks that compare commands."""

import subprocess
import sys

# Runs a command from a small, fresh interpreter: a child forked from the benchmark's own
# process, which may hold DuckDB's and polars' memory, would count those pages in its own
# peak RSS.
HELPER = """
import os, sys, time
t = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stderr.write("%d %f %d\\n" % (status, time.perf_counter() - t, usage.ru_maxrss * 1024))
"""


def run_with_rss(cmd):
    """Runs a command; returns (seconds, peak RSS in bytes, stdout), or stops the benchmark
    with the command's output if it fails."""
    p = subprocess.run([sys.executable, "-c", HELPER, *cmd], capture_output=True)
    status, secs, rss = p.stderr.decode().strip().splitlines()[-1].split()
    if int(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{p.stdout.decode()[-2000:]}\n{p.stderr.decode()[-2000:]}")
    return float(secs), int(rss), p.stdout
