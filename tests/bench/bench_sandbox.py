#!/usr/bin/env python3
"""Benchmark of the job sandbox (make bench-sandbox; not part of make check).

Times, over many interleaved runs:
  plain    /bin/true
  bwrap    bwrap --unshare-all ... /bin/true (namespaces only, no cgroup limits)
  hearth   hearth-sandbox --cpu 500m --mem 256M --pids 64 -- /bin/true
and prints mean and median per run and the ratios. The goal is hearth/bwrap
<= 1.0: with limits on, not slower than bubblewrap without them.

    bench_sandbox.py PATH/TO/hearth-sandbox [RUNS]
"""
import os
import shutil
import statistics
import subprocess
import sys
import time


def bwrap_cmd():
    cmd = ["bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", "/usr", "/usr"]
    for d in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        p = "/" + d
        if os.path.islink(p):
            cmd += ["--symlink", os.readlink(p), p]
        elif os.path.isdir(p):
            cmd += ["--ro-bind", p, p]
    cmd += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "/bin/true"]
    return cmd


def time_one(cmd):
    start = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    took = time.perf_counter() - start
    if p.returncode != 0:
        raise SystemExit("failed: %s: %s" % (" ".join(cmd), p.stderr.decode()))
    return took


def main():
    tool = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    cases = {
        "plain": ["/bin/true"],
        "hearth": [tool, "--cpu", "500m", "--mem", "256M", "--pids", "64", "--", "/bin/true"],
    }
    if shutil.which("bwrap"):
        cases["bwrap"] = bwrap_cmd()
    else:
        print("bwrap not found (install bubblewrap): comparing with plain only")
    for cmd in cases.values():  # warm up caches
        for _ in range(5):
            time_one(cmd)
    times = {name: [] for name in cases}
    for _ in range(runs):
        for name, cmd in cases.items():
            times[name].append(time_one(cmd))
    print("%d runs each, interleaved, on %s (%d CPUs), kernel %s" %
          (runs, os.uname().nodename, os.cpu_count(), os.uname().release))
    for name in cases:
        t = times[name]
        print("%-7s min %7.3f ms  median %7.3f ms  mean %7.3f ms  p90 %7.3f ms" %
              (name, min(t) * 1e3, statistics.median(t) * 1e3, statistics.mean(t) * 1e3,
               sorted(t)[int(len(t) * 0.9)] * 1e3))
    low = {name: min(t) for name, t in times.items()}
    med = {name: statistics.median(t) for name, t in times.items()}
    mean = {name: statistics.mean(t) for name, t in times.items()}
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print("load average at the end: %s (min approximates an idle machine)" % load)

    def ratio(a, b):
        return "min %.2f  median %.2f  mean %.2f" % (low[a] / low[b], med[a] / med[b],
                                                     mean[a] / mean[b])
    print("ratio hearth/plain  " + ratio("hearth", "plain"))
    if "bwrap" in med:
        print("ratio hearth/bwrap  " + ratio("hearth", "bwrap") + "  (goal <= 1.0)")
        print("ratio bwrap/plain   " + ratio("bwrap", "plain"))


if __name__ == "__main__":
    main()
