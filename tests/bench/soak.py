#!/usr/bin/env python3
"""soak.py: the load soak of issue 11, run by `make soak-long` (never make
check). A 4-validator localnet (contrib/devnet.sh) takes paced transfers at
a fixed rate for a fixed time (default 80% of the benchmarked localnet
throughput, doc/benchmarks.md, for 10 minutes), while reader clients call
the read-only methods in a loop and the RSS of every hearthd is sampled.

The transfers are signed before the run by tests/functional/txbatch, one
fresh sender per client (funded by the faucet, as tests/bench/bench_node.py
does; its RPC client and helpers are reused), into one file per sender that
the client reads as it goes. Each client sends JSON-RPC batches of
sendrawtransaction to one node, on a schedule that keeps the total at the
rate; a "mempool full" answer (-31) makes the client resend later.

Pass (exit 0) only when:
- every node's heap RSS (RssAnon of /proc/PID/status; with --rss-field
  VmRSS or the file-backed part RssFile instead) at the end is less than 10% above
  its RSS at the end of the warm-up (default: the first 2 minutes, or a
  third of a shorter run), each the mean of 30 s of samples; all three are
  sampled and printed;
- no RPC call of a sender or reader failed (a JSON-RPC error other than
  mempool full, or no answer);
- no tx was lost: once the load stops, every sender's committed nonce on
  every node equals the number of its txs the node accepted, and the
  receiver's balance grew by exactly that total;
- every node reaches the same tip (block id, hence app hash) and the block
  headers at the lowest tip agree.
A rate below the target is reported, not failed: on a shared machine the
target may not be reachable, and the record says what was achieved.

  soak.py BUILDDIR SRCDIR [--seconds S] [--rate R] [--warmup W] [--clients C]
          [--readers K] [--batch B] [--sample S] [--csv FILE]
SOAK_SECONDS=60 make soak-long is the short mode."""
import argparse
import http.client
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_node import (FAUCET_SECRET, FEE, FULL, SOMEONE, Rpc,  # noqa: E402
                        free_base, tool, wait_committed, wait_rpc)

BENCHMARKED_TPS = 1919  # doc/benchmarks.md, node: localnet, TxIds announcements
NODES = 4
GROWTH_LIMIT = 0.10
WINDOW = 30  # seconds of samples averaged at the end of the warm-up and at the end
READ_CALLS = ("getbestblockhash", "getblockcount", "getblock", "getblockheader",
              "getmempoolinfo", "listoffers", "listbids", "getblockchaininfo",
              "getaccount", "getnonce", "gettransaction", "estimatefee",
              "getnetworkinfo", "getpeerinfo", "getvalidators")


RSS_FIELDS = ("VmRSS", "RssAnon", "RssFile")


def rss_kb(pid):
    """VmRSS, RssAnon and RssFile of pid in kB (VmRSS is their sum with
    RssShmem; RssFile counts the pages of mapped files, such as the LevelDB
    tables the store reads through mmap), or None when the process is gone."""
    got = {}
    try:
        with open("/proc/%d/status" % pid, encoding="ascii") as f:
            for line in f:
                name = line.split(":")[0]
                if name in RSS_FIELDS:
                    got[name] = int(line.split()[1])
    except OSError:
        return None
    return got if len(got) == len(RSS_FIELDS) else None


class Soak:
    """The state shared by the load, reader and sampler threads."""

    def __init__(self, args, endpoints, pids, senders):
        self.args = args
        self.endpoints = endpoints
        self.pids = pids
        self.senders = senders  # [(address, file of "txid hex" lines)]
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.accepted = [0] * len(senders)
        self.full_retries = 0
        self.send_errors = []
        self.recent = []  # (txid, node that accepted it), for gettransaction
        self.reads = 0
        self.read_errors = []
        self.samples = []  # (seconds since start, [rss kB per node])
        self.start = None

    def error(self, where, what):
        with self.lock:
            where.append(what)

    # ------------------------------------------------------------ senders

    def sender(self, i):
        try:
            self.send_loop(i)
        except (OSError, ValueError, KeyError, TypeError, http.client.HTTPException) as exc:
            self.error(self.send_errors, "sender %d stopped: %r" % (i, exc))

    def send_loop(self, i):
        rate = self.args.rate / len(self.senders)
        rpc = Rpc(*self.endpoints[i % len(self.endpoints)])
        sent = 0
        pending = []
        with open(self.senders[i][1], encoding="ascii") as f:
            while not self.stop.is_set():
                due = int((time.monotonic() - self.start) * rate) - sent
                if due <= 0:
                    time.sleep(min(0.05, (1 - due) / rate))
                    continue
                while len(pending) < min(due, self.args.batch):
                    line = f.readline()
                    if not line:
                        self.error(self.send_errors, "sender %d ran out of txs" % i)
                        return
                    pending.append(line.split())
                payload = [{"jsonrpc": "2.0", "id": k, "method": "sendrawtransaction",
                            "params": [hexstr]} for k, (_, hexstr) in enumerate(pending)]
                replies = sorted(rpc.post(payload), key=lambda r: r["id"])
                taken = 0
                for (txid, _), reply in zip(pending, replies):
                    err = reply.get("error")
                    if err is not None and err["code"] == FULL:
                        with self.lock:
                            self.full_retries += 1
                        break  # this sender's later nonces wait too
                    if err is not None and "already" not in err["message"]:
                        self.error(self.send_errors, "sender %d: %s" % (i, err))
                        return
                    taken += 1
                with self.lock:
                    self.accepted[i] += taken
                    if taken:
                        self.recent.append((pending[taken - 1][0], i % len(self.endpoints)))
                        del self.recent[:-64]
                sent += taken
                pending = pending[taken:]
                if pending:
                    time.sleep(0.05)

    # ------------------------------------------------------------ readers

    def read_params(self, method, rpc_tip):
        if method in ("getblock", "getblockheader"):
            return [random.randint(1, max(1, rpc_tip))]
        if method == "getaccount":
            return [SOMEONE]
        if method == "getnonce":
            return [random.choice(self.senders)[0]]
        if method in ("listoffers", "listbids"):
            return [None, 10]
        return []

    def reader(self, i):
        rpcs = [Rpc(*e) for e in self.endpoints]
        tips = [1] * len(rpcs)
        n = i
        while not self.stop.is_set():
            n += 1
            k = n % len(rpcs)
            method = READ_CALLS[n % len(READ_CALLS)]
            params = self.read_params(method, tips[k])
            if method == "gettransaction":
                with self.lock:  # a tx the node asked has accepted, so it knows it
                    if not self.recent:
                        continue
                    txid, k = random.choice(self.recent)
                params = [txid]
            try:
                reply = rpcs[k].post({"jsonrpc": "2.0", "id": n, "method": method,
                                      "params": params})
                if reply.get("error") is not None or "result" not in reply:
                    self.error(self.read_errors, "%s on node %d: %s" %
                               (method, k, reply.get("error")))
                elif method == "getblockcount":
                    tips[k] = reply["result"]["height"]
            except (OSError, ValueError, http.client.HTTPException) as exc:
                self.error(self.read_errors, "%s on node %d: %r" % (method, k, exc))
            with self.lock:
                self.reads += 1
            time.sleep(self.args.read_pause)

    # ------------------------------------------------------------ RSS

    def sampler(self):
        while True:
            row = [rss_kb(pid) for pid in self.pids]
            with self.lock:
                self.samples.append((time.monotonic() - self.start, row))
            if self.stop.wait(self.args.sample):
                return

    # ------------------------------------------------------------ run

    def run(self):
        self.start = time.monotonic()
        threads = [threading.Thread(target=self.sampler, daemon=True)]
        threads += [threading.Thread(target=self.sender, args=(i,), daemon=True)
                    for i in range(len(self.senders))]
        threads += [threading.Thread(target=self.reader, args=(i,), daemon=True)
                    for i in range(self.args.readers)]
        for t in threads:
            t.start()
        last = self.start
        while time.monotonic() - self.start < self.args.seconds:
            time.sleep(1)
            if time.monotonic() - last >= 60:
                last = time.monotonic()
                with self.lock:
                    print("soak: %4.0f s: %d txs accepted (%.0f tx/s), %d reads, "
                          "%d errors, rss MB %s, load %.1f" %
                          (last - self.start, sum(self.accepted),
                           sum(self.accepted) / (last - self.start), self.reads,
                           len(self.send_errors) + len(self.read_errors),
                           " ".join("%.0f" % (r["VmRSS"] / 1024 if r else 0)
                                    for r in self.samples[-1][1]),
                           os.getloadavg()[0]), flush=True)
        self.stop.set()
        elapsed = time.monotonic() - self.start
        for t in threads:
            t.join(30)
        return elapsed


def fund_senders(builddir, rpc, chain, count, per_sender, tmp):
    """bench_node.prepare's funding, with the txs written to files.
    Returns [(address, path)]."""
    secrets = [os.urandom(32).hex() for _ in range(count)]
    amount = per_sender * (FEE * 2 + 1) + FEE * 10
    faucet = tool(builddir, "txgen", "address", FAUCET_SECRET).strip()
    start = rpc.call("getnonce", faucet)
    funding, senders = [], []
    for i, secret in enumerate(secrets):
        addr = tool(builddir, "txgen", "address", secret).strip()
        tx = tool(builddir, "txgen", "transfer", FAUCET_SECRET, chain, start["next"] + i,
                  FEE * 10, addr, amount).strip()
        funding.append(rpc.call("sendrawtransaction", tx)["txid"])
        path = os.path.join(tmp, "txs%d" % i)
        with open(path, "w", encoding="ascii") as out:
            subprocess.run([os.path.join(builddir, "tests", "functional", "txbatch"), secret,
                            chain, "1", str(per_sender), str(FEE * 2), SOMEONE, "1"],
                           stdout=out, check=True)
        senders.append((addr, path))
    wait_committed(rpc, funding)
    return senders


def wait_funded(rpc, senders, timeout=60):
    deadline = time.monotonic() + timeout
    while any(rpc.call("getaccount", addr)["balance"] == 0 for addr, _ in senders):
        if time.monotonic() > deadline:
            raise RuntimeError("the senders' funding did not reach every node")
        time.sleep(0.1)


def wait_drained(rpcs, soak, before, timeout):
    """Waits until every node committed every accepted tx. Returns the
    list of what is still missing (empty: nothing lost)."""
    deadline = time.monotonic() + timeout
    while True:
        missing = []
        for k, rpc in enumerate(rpcs):
            for i, (addr, _) in enumerate(soak.senders):
                nonce = rpc.call("getaccount", addr)["nonce"]
                if nonce != soak.accepted[i]:
                    missing.append("node %d: sender %d committed nonce %d, accepted %d" %
                                   (k, i, nonce, soak.accepted[i]))
            got = rpc.call("getaccount", SOMEONE)["balance"] - before[k]
            if got != sum(soak.accepted):
                missing.append("node %d: receiver got %d, accepted %d" %
                               (k, got, sum(soak.accepted)))
        if not missing or time.monotonic() > deadline:
            return missing
        time.sleep(1)


def same_tip(rpcs, timeout):
    """Waits until every node has the same best block. Returns (ok, lines)."""
    deadline = time.monotonic() + timeout
    while True:
        tips = [rpc.call("getbestblockhash") for rpc in rpcs]
        if len({(t["height"], t["hash"]) for t in tips}) == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    low = min(t["height"] for t in tips)
    heads = [rpc.call("getblockheader", low) for rpc in rpcs]
    ok = (len({(t["height"], t["hash"]) for t in tips}) == 1 and
          len({(h["id"], h["app_hash"]) for h in heads}) == 1)
    lines = ["node %d: tip %d %s, at %d app_hash %s" %
             (k, t["height"], t["hash"][:16], low, h["app_hash"][:16])
             for k, (t, h) in enumerate(zip(tips, heads))]
    return ok, lines


def window_mean(vals, times, start, end):
    """Mean of the samples taken in [start, end), or the one nearest start."""
    inside = [v for v, t in zip(vals, times) if start <= t < end]
    if inside:
        return sum(inside) / len(inside)
    return min(zip(vals, times), key=lambda vt: abs(vt[1] - start))[0]


def rss_table(soak, warmup, field):
    """Prints the RSS table: for each node and each of RSS_FIELDS, MB at the
    start, after the warm-up (the mean of the samples of the WINDOW after
    it), at the end (the mean of the last WINDOW), the maximum, and the
    growth between those two means (single samples jump by a few MB as
    buffers come and go). Returns what failed: growth of `field` of
    GROWTH_LIMIT or more, or a node that went away."""
    samples = soak.samples
    times = [t for t, _ in samples]
    window = min(WINDOW, warmup)
    bad = []
    print("node  pid      field    start MB  after warm-up MB  end MB  max MB   growth  verdict")
    for k, pid in enumerate(soak.pids):
        col = [row[k] for _, row in samples]
        if None in col:
            bad.append("node %d died" % k)
            print("%-4d  %-7d  (the process went away)" % (k, pid))
            continue
        for name in RSS_FIELDS:
            vals = [c[name] for c in col]
            warm = window_mean(vals, times, warmup, warmup + window)
            last = window_mean(vals, times, times[-1] - window + 0.5, times[-1] + 1)
            growth = (last - warm) / warm if warm else 0.0
            verdict = ""
            if name == field:
                verdict = "ok" if growth < GROWTH_LIMIT else "FAIL"
                if verdict == "FAIL":
                    bad.append("node %d %s grew %.1f%%" % (k, name, 100 * growth))
            print("%-4s  %-7s  %-7s  %8.1f  %16.1f  %6.1f  %6.1f  %+6.1f%%  %s" %
                  (k if name == RSS_FIELDS[0] else "", pid if name == RSS_FIELDS[0] else "",
                   name, vals[0] / 1024, warm / 1024, last / 1024, max(vals) / 1024,
                   100 * growth, verdict))
    return bad


def write_csv(path, soak):
    with open(path, "w", encoding="ascii") as f:
        f.write("seconds," + ",".join("node%d_%s_kb" % (k, name) for k in range(len(soak.pids))
                                      for name in RSS_FIELDS) + "\n")
        for t, row in soak.samples:
            f.write("%.1f,%s\n" % (t, ",".join(str(r[name]) if r else "" for r in row
                                               for name in RSS_FIELDS)))


def soak_localnet(args, tmp):
    basedir = os.path.join(tmp, "net")
    base = free_base(2 * NODES)
    devnet = os.path.join(args.srcdir, "contrib", "devnet.sh")
    env = dict(os.environ, HEARTHD=os.path.join(args.builddir, "hearthd"))
    subprocess.run([devnet, "create", str(NODES), "--basedir", basedir, "--port", str(base),
                    "--rpcport", str(base + NODES)], env=env, check=True,
                   capture_output=True, timeout=120)
    subprocess.run([devnet, "start", "--basedir", basedir], env=env, check=True,
                   capture_output=True, timeout=120)
    try:
        endpoints = [(base + NODES + k, os.path.join(basedir, "node%d" % k, "dev", ".cookie"))
                     for k in range(NODES)]
        for port, cookie in endpoints:
            wait_rpc(port, cookie)
        pids = []
        for k in range(NODES):
            with open(os.path.join(basedir, "node%d" % k, "dev", "hearthd.pid"),
                      encoding="ascii") as f:
                pids.append(int(f.read()))
        return soak_run(args, tmp, endpoints, pids)
    finally:
        subprocess.run([devnet, "stop", "--basedir", basedir], env=env,
                       capture_output=True, timeout=120, check=False)


def soak_run(args, tmp, endpoints, pids):
    rpcs = [Rpc(*e) for e in endpoints]
    chain = rpcs[0].call("getblockchaininfo")["chain_id"]
    per_sender = int(args.rate * args.seconds * 1.1 / args.clients) + args.batch
    began = time.monotonic()
    senders = fund_senders(args.builddir, rpcs[0], chain, args.clients, per_sender, tmp)
    print("soak: %d senders, %d txs signed in %.0f s" %
          (args.clients, per_sender * args.clients, time.monotonic() - began), flush=True)
    for rpc in rpcs:  # every node has the funding before the clock starts
        wait_funded(rpc, senders)
    before = [rpc.call("getaccount", SOMEONE)["balance"] for rpc in rpcs]
    soak = Soak(args, endpoints, pids, senders)
    print("soak: %d s at %.0f tx/s, %d readers, load average %.1f" %
          (args.seconds, args.rate, args.readers, os.getloadavg()[0]), flush=True)
    elapsed = soak.run()
    missing = wait_drained(rpcs, soak, before, 180)
    tip_ok, tip_lines = same_tip(rpcs, 30)
    if args.csv:
        write_csv(args.csv, soak)
    total = sum(soak.accepted)
    achieved = total / elapsed
    print()
    bad = rss_table(soak, args.warmup, args.rss_field)
    print()
    print("rate: target %.0f tx/s, achieved %.0f tx/s (%.0f%%)%s; %d txs accepted in %.0f s, "
          "%d mempool-full retries" %
          (args.rate, achieved, 100 * achieved / args.rate,
           "" if achieved >= 0.95 * args.rate else " NOT SUSTAINED", total, elapsed,
           soak.full_retries))
    print("reads: %d calls, %d errors; sender errors: %d; lost txs: %s" %
          (soak.reads, len(soak.read_errors), len(soak.send_errors),
           "none" if not missing else "%d (e.g. %s)" % (len(missing), missing[0])))
    for line in tip_lines:
        print(line)
    print("load average at the end: %s" % " ".join("%.1f" % x for x in os.getloadavg()))
    for what in soak.send_errors[:3] + soak.read_errors[:3]:
        print("error: %s" % what)
    bad += ["%d RPC errors" % (len(soak.read_errors) + len(soak.send_errors))
            ] if soak.read_errors or soak.send_errors else []
    bad += ["txs lost"] if missing else []
    bad += ["nodes disagree on the tip"] if not tip_ok else []
    print("soak: %s" % ("PASS" if not bad else "FAIL: " + "; ".join(bad)))
    return 0 if not bad else 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("builddir")
    parser.add_argument("srcdir")
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--rate", type=float, default=0.8 * BENCHMARKED_TPS)
    parser.add_argument("--warmup", type=float, default=None,
                        help="default: 120 s, or a third of a shorter run")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--read-pause", type=float, default=0.002)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--sample", type=float, default=5)
    parser.add_argument("--csv")
    parser.add_argument("--rss-field", choices=RSS_FIELDS, default="RssAnon",
                        help="the RSS figure the growth limit applies to")
    args = parser.parse_args()
    if args.warmup is None:
        args.warmup = min(120, args.seconds / 3)
    args.builddir = os.path.abspath(args.builddir)
    args.srcdir = os.path.abspath(args.srcdir)
    print("soak: %s, %d cores, load average %s" %
          (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.cpu_count(),
           " ".join("%.1f" % x for x in os.getloadavg())), flush=True)
    tmp = tempfile.mkdtemp(prefix="hearth-soak-")
    try:
        return soak_localnet(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
