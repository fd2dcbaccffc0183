#!/usr/bin/env python3
"""Benchmark of the job sandbox (make bench-sandbox; not part of make check).

Times, over many runs:
  plain    /bin/true
  bwrap    bwrap --unshare-all ... /bin/true (namespaces only, no cgroup limits)
  hearth   hearth-sandbox --cpu 500m --mem 256M --pids 64 -- /bin/true
and prints min, p10, median, mean and p90 of the wall time per run, and
the ratios. The goal is hearth/bwrap <= 1.0: with limits on, not slower than
bubblewrap without them.

The cases are interleaved, in a new random order each round, so that they
share the machine's conditions. The minimum (and, less exposed to a lucky
run, the 10th percentile) approximates an idle machine; the median is what
a busy one gives. bwrap's time ends when its monitor process exits, which
it does as soon as its init reports the exit status, before the init's
namespaces are torn down; hearth-sandbox's includes its whole teardown
(cgroups emptied and removed, result hash).

A second pass measures CPU time per run (user + system of every process of
the run, the kernel's namespace teardown in those processes included) by
running each case in its own cgroup of a controller-less cgroup2 tree
(hybrid hosts: /sys/fs/cgroup/unified) and reading its cpu.stat once the
cgroup is empty. Wall time on a loaded machine is mostly waiting for a CPU;
CPU time is not. Skipped when there is no such tree (BENCH_CPU_RUNS=0
skips it too).

    bench_sandbox.py PATH/TO/hearth-sandbox [RUNS]

BENCH_EXTRA="name=PATH ..." adds other hearth-sandbox builds as cases (to
compare two versions in the same run).
"""
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

UNIFIED = "/sys/fs/cgroup/unified"


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


def hearth_cmd(tool):
    return [tool, "--cpu", "500m", "--mem", "256M", "--pids", "64", "--", "/bin/true"]


def time_one(cmd):
    start = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    took = time.perf_counter() - start
    if p.returncode != 0:
        raise SystemExit("failed: %s: %s" % (" ".join(cmd), p.stderr.decode()))
    return took


def cg_usage(cg):
    with open(os.path.join(cg, "cpu.stat")) as f:
        for line in f:
            k, v = line.split()
            if k == "usage_usec":
                return int(v)
    raise SystemExit("no usage_usec in %s/cpu.stat" % cg)


def cg_wait_empty(cg):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open(os.path.join(cg, "cgroup.events")) as f:
            if "populated 0" in f.read():
                return
        time.sleep(0.0005)
    raise SystemExit("cgroup %s stays populated" % cg)


def cpu_one(cmd, cg):
    """CPU time (s) of one run of cmd, all its processes, in cgroup cg."""
    before = cg_usage(cg)
    procs = os.path.join(cg, "cgroup.procs")

    def enter():
        with open(procs, "w") as f:
            f.write("0")

    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       preexec_fn=enter)
    if p.returncode != 0:
        raise SystemExit("failed: %s: %s" % (" ".join(cmd), p.stderr.decode()))
    cg_wait_empty(cg)
    return (cg_usage(cg) - before) / 1e6


def cpu_pass(cases, runs):
    """Per case, the CPU times of runs runs, or None when not measurable."""
    if runs <= 0 or os.geteuid() != 0 or \
            not os.path.exists(os.path.join(UNIFIED, "cgroup.procs")):
        return None
    made = {}
    try:
        for name in cases:
            cg = os.path.join(UNIFIED, "hearth-bench-%d-%s" % (os.getpid(), name))
            os.mkdir(cg)
            made[name] = cg
        cpu = {name: [] for name in cases}
        order = list(cases)
        for _ in range(runs):
            random.shuffle(order)
            for name in order:
                cpu[name].append(cpu_one(cases[name], made[name]))
        return cpu
    finally:
        for cg in made.values():  # with what hearth-sandbox made below
            for root, dirs, _ in os.walk(cg, topdown=False):
                for d in dirs:
                    try:
                        os.rmdir(os.path.join(root, d))
                    except OSError:
                        pass
            try:
                os.rmdir(cg)
            except OSError:
                pass


def p10(t):
    return sorted(t)[len(t) // 10]


def summary(name, t, unit=1e3):
    return "%-8s min %7.3f  p10 %7.3f  median %7.3f  mean %7.3f  p90 %7.3f" % (
        name, min(t) * unit, p10(t) * unit, statistics.median(t) * unit,
        statistics.mean(t) * unit, sorted(t)[int(len(t) * 0.9)] * unit)


def ratios(label, a, b, t):
    return "ratio %-16s min %.2f  p10 %.2f  median %.2f  mean %.2f" % (
        label, min(t[a]) / min(t[b]), p10(t[a]) / p10(t[b]),
        statistics.median(t[a]) / statistics.median(t[b]),
        statistics.mean(t[a]) / statistics.mean(t[b]))


def main():
    tool = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] else 300
    cpu_runs = int(os.environ.get("BENCH_CPU_RUNS", str(max(runs // 3, 20))))
    cases = {"plain": ["/bin/true"], "hearth": hearth_cmd(tool)}
    for extra in os.environ.get("BENCH_EXTRA", "").split():
        name, path = extra.split("=", 1)
        cases[name] = hearth_cmd(path)
    if shutil.which("bwrap"):
        cases["bwrap"] = bwrap_cmd()
    else:
        print("bwrap not found (install bubblewrap): comparing with plain only")
    with open("/proc/loadavg") as f:
        load_start = f.read().split()[0]
    for cmd in cases.values():  # warm up caches
        for _ in range(5):
            time_one(cmd)
    times = {name: [] for name in cases}
    order = list(cases)
    for _ in range(runs):
        random.shuffle(order)
        for name in order:
            times[name].append(time_one(cases[name]))
    with open("/proc/loadavg") as f:
        load_end = f.read().split()[0]
    print("%d runs each, interleaved in random order, on %s (%d CPUs), kernel %s" %
          (runs, os.uname().nodename, os.cpu_count(), os.uname().release))
    print("load average at the start %s, at the end %s" % (load_start, load_end))
    print("wall time per run, ms (min approximates an idle machine):")
    for name in cases:
        print("  " + summary(name, times[name]))
    print(ratios("hearth/plain", "hearth", "plain", times))
    others = [n for n in cases if n not in ("plain", "hearth", "bwrap")]
    if "bwrap" in cases:
        print(ratios("hearth/bwrap", "hearth", "bwrap", times) + "  (goal <= 1.0)")
        for name in others:
            print(ratios(name + "/bwrap", name, "bwrap", times))
        print(ratios("bwrap/plain", "bwrap", "plain", times))
    cpu = cpu_pass(cases, cpu_runs)
    if cpu is None:
        print("CPU time: skipped (BENCH_CPU_RUNS=0, or not root, or no controller-less "
              "cgroup2 tree at %s)" % UNIFIED)
        return
    print("CPU time per run (user + system, all processes), ms, %d runs each:" % cpu_runs)
    for name in cases:
        print("  " + summary(name, cpu[name]))
    if "bwrap" in cases:
        print(ratios("cpu hearth/bwrap", "hearth", "bwrap", cpu))
        for name in others:
            print(ratios("cpu %s/bwrap" % name, name, "bwrap", cpu))


if __name__ == "__main__":
    main()
