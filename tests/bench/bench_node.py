#!/usr/bin/env python3
"""bench_node.py: hearthd's tx throughput (issue 6), run by `make bench-node`.

Pre-signs N transfers (tests/functional/txbatch, one sender per client so
each client's nonces arrive in order), pushes them over JSON-RPC batch
requests from several concurrent keep-alive clients into (a) a `-dev` node
and (b) a 4-validator localnet made by contrib/devnet.sh, and prints the
committed tx/s, the commit latency p50/p99 under that load (submit -> first
seen in a block by a poller of getblockcount/getblock), the same latency
at a load the network sustains (fresh senders offering --paced of the rate
just measured, a small batch every 20 ms, for --paced-seconds), the
latency of txs sent one at a time after it (--probes of them, each waited
for with gettransaction) and, measured in the same run, one
core's raw BIP340 verify rate (tests/bench/bench_verify) and the ratio
committed/raw.

  bench_node.py BUILDDIR SRCDIR [--txs N] [--clients C] [--batch B]
                [--probes P] [--paced F] [--paced-seconds S] [--timeout S]
                [--only dev|localnet] [--conf KEY=VALUE]... [--keep]
Never part of make check: it measures, it does not test."""
import argparse
import base64
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

FAUCET_SECRET = "c1c5ce5b8730a4804ceb75aecadb5bdc582bed1119b8f8ad3ace1ebbf4ad035c"
SOMEONE = "dhth1w444u6qm2ptfhcrx09paeqgr4q7ly6gxqs83fda8u2aqxu7ugmhqzfdl4h"
FEE = 1000
FULL = -31  # RPC_RESOURCE_EXHAUSTED (mempool full): resent later
PACE_TICK_S = 0.02  # a paced client sends one batch this often


class Rpc:
    """One keep-alive JSON-RPC connection."""

    def __init__(self, port, cookie_path):
        with open(cookie_path, encoding="utf-8") as f:
            token = base64.b64encode(f.read().strip().encode()).decode()
        self.headers = {"Content-Type": "application/json",
                        "Authorization": "Basic " + token}
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def post(self, payload):
        body = json.dumps(payload)
        for attempt in range(2):
            try:
                self.conn.request("POST", "/", body=body, headers=self.headers)
                return json.loads(self.conn.getresponse().read())
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 1:
                    raise
        return None

    def call(self, method, *params):
        reply = self.post({"jsonrpc": "2.0", "id": 1, "method": method,
                           "params": list(params)})
        if reply.get("error"):
            raise RuntimeError("%s: %s" % (method, reply["error"]))
        return reply["result"]


def tool(builddir, name, *args):
    path = os.path.join(builddir, "tests", "functional", name)
    res = subprocess.run([path] + [str(a) for a in args], capture_output=True, text=True,
                         check=True)
    return res.stdout


def free_base(count):
    for _ in range(200):
        base = random.randrange(20000, 32000)
        socks = []
        try:
            for port in range(base, base + count):
                sock = socket.socket()
                socks.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            pass
        finally:
            for sock in socks:
                sock.close()
    raise RuntimeError("no free ports")


def wait_rpc(port, cookie, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.path.exists(cookie):
                Rpc(port, cookie).call("getblockcount")
                return
        except (OSError, RuntimeError, ValueError, http.client.HTTPException):
            pass
        time.sleep(0.1)
    raise RuntimeError("hearthd on RPC port %d did not answer" % port)


def wait_committed(rpc, txids, timeout=120):
    deadline = time.monotonic() + timeout
    for txid in txids:
        while True:
            try:
                if rpc.call("gettransaction", txid)["status"] == "committed":
                    break
            except RuntimeError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("tx %s not committed" % txid)
            time.sleep(0.05)


def prepare(builddir, rpc, chain, clients, per_client):
    """Funds one fresh sender per client; returns their pre-signed txs:
    a list (per client) of (txid, hex)."""
    secrets = [os.urandom(32).hex() for _ in range(clients)]
    amount = per_client * (FEE * 2 + 1) * 2
    start = rpc.call("getnonce", tool(builddir, "txgen", "address", FAUCET_SECRET).strip())
    funding = []
    for i, secret in enumerate(secrets):
        addr = tool(builddir, "txgen", "address", secret).strip()
        tx = tool(builddir, "txgen", "transfer", FAUCET_SECRET, chain, start["next"] + i,
                  FEE * 10, addr, amount).strip()
        funding.append(rpc.call("sendrawtransaction", tx)["txid"])
    wait_committed(rpc, funding)
    batches = []
    for secret in secrets:
        out = tool(builddir, "txbatch", secret, chain, 1, per_client, FEE * 2, SOMEONE, 1)
        batches.append([tuple(line.split(" ")) for line in out.splitlines()])
    return batches


class Run:
    """Pushes the txs and watches the blocks."""

    def __init__(self, endpoints, batches, batch_size, pace=0.0):
        self.endpoints = endpoints
        self.batches = batches
        self.batch_size = batch_size
        self.pace = pace  # txs per second per client; 0: as fast as accepted
        self.submitted = {}
        self.seen = {}
        self.rejected = []
        self.lock = threading.Lock()
        self.done = threading.Event()

    def client(self, i):
        try:
            self.push(i)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            with self.lock:
                self.rejected.append("client %d stopped: %s" % (i, exc))

    def push(self, i):
        port, cookie = self.endpoints[i % len(self.endpoints)]
        rpc = Rpc(port, cookie)
        txs = self.batches[i]
        pos = 0
        start = time.monotonic()
        while pos < len(txs):
            if self.pace:
                wait = start + pos / self.pace - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            chunk = txs[pos:pos + self.batch_size]
            payload = [{"jsonrpc": "2.0", "id": k, "method": "sendrawtransaction",
                        "params": [hexstr]} for k, (_, hexstr) in enumerate(chunk)]
            sent = time.monotonic()
            replies = sorted(rpc.post(payload), key=lambda r: r["id"])
            accepted = 0
            for (txid, _), reply in zip(chunk, replies):
                err = reply.get("error")
                if err is not None and err["code"] == FULL:
                    break  # the rest of the sender's nonces wait too
                if err is not None and "already" not in err["message"]:
                    with self.lock:
                        self.rejected.append(err["message"])
                with self.lock:
                    self.submitted.setdefault(txid, sent)
                accepted += 1
            pos += accepted
            if accepted < len(chunk):
                time.sleep(0.01)

    def poller(self, height):
        """Records when each tx is first seen in a block above height."""
        port, cookie = self.endpoints[0]
        rpc = Rpc(port, cookie)
        while not self.done.is_set():
            tip = rpc.call("getblockcount")["height"]
            while height < tip:
                height += 1
                ids = rpc.call("getblock", height)["txids"]
                now = time.monotonic()
                with self.lock:
                    for txid in ids:
                        self.seen.setdefault(txid, now)
            time.sleep(0.002)

    def go(self, timeout):
        total = sum(len(b) for b in self.batches)
        wanted = {txid for b in self.batches for txid, _ in b}
        # The height before any client sends: a block made before the
        # poller's first call would otherwise go unseen.
        first = Rpc(*self.endpoints[0]).call("getblockcount")["height"]
        poll = threading.Thread(target=self.poller, args=(first,), daemon=True)
        poll.start()
        start = time.monotonic()
        threads = [threading.Thread(target=self.client, args=(i,), daemon=True)
                   for i in range(len(self.batches))]
        for t in threads:
            t.start()
        deadline = start + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if wanted.issubset(self.seen):
                    break
            time.sleep(0.05)
        self.done.set()
        for t in threads:
            t.join(5)
        poll.join(5)
        with self.lock:
            got = [txid for txid in wanted if txid in self.seen]
            missing = sorted(wanted - set(self.seen))
            lat = sorted(self.seen[t] - self.submitted[t] for t in got if t in self.submitted)
            end = max((self.seen[t] for t in got), default=start)
        if missing:
            rpc = Rpc(*self.endpoints[0])
            try:
                where = rpc.call("gettransaction", missing[0])["status"]
            except RuntimeError as exc:
                where = str(exc)
            self.rejected.append("%d never committed, e.g. %s: %s, submitted: %s" %
                                 (len(missing), missing[0], where,
                                  missing[0] in self.submitted))
        return {"txs": total, "committed": len(got), "seconds": end - start,
                "tps": len(got) / (end - start) if end > start else 0.0,
                "p50_ms": 1000 * lat[len(lat) // 2] if lat else float("nan"),
                "p99_ms": 1000 * lat[min(len(lat) - 1, len(lat) * 99 // 100)]
                if lat else float("nan"),
                "rejected": len(self.rejected),
                "first_reject": "; ".join(self.rejected[:1] + self.rejected[-1:])}


def bench_dev(args, tmp):
    datadir = os.path.join(tmp, "dev")
    rpcport = free_base(2)
    proc = subprocess.Popen([os.path.join(args.builddir, "hearthd"), "-dev",
                             "-datadir=" + datadir, "-rpcport=%d" % rpcport,
                             "-port=%d" % (rpcport + 1), "-bind=127.0.0.1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        cookie = os.path.join(datadir, "dev", ".cookie")
        wait_rpc(rpcport, cookie)
        return measure(args, [(rpcport, cookie)], [proc.pid])
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def bench_localnet(args, tmp):
    basedir = os.path.join(tmp, "net")
    base = free_base(8)
    devnet = os.path.join(args.srcdir, "contrib", "devnet.sh")
    env = dict(os.environ, HEARTHD=os.path.join(args.builddir, "hearthd"))
    subprocess.run([devnet, "create", "4", "--basedir", basedir, "--port", str(base),
                    "--rpcport", str(base + 4)], env=env, check=True,
                   capture_output=True, timeout=120)
    for i in range(4):
        with open(os.path.join(basedir, "node%d" % i, "hearth.conf"), "a",
                  encoding="utf-8") as f:
            f.writelines(line + "\n" for line in args.conf)
    subprocess.run([devnet, "start", "--basedir", basedir], env=env, check=True,
                   capture_output=True, timeout=120)
    try:
        endpoints = [(base + 4 + i, os.path.join(basedir, "node%d" % i, "dev", ".cookie"))
                     for i in range(4)]
        for port, cookie in endpoints:
            wait_rpc(port, cookie)
        pids = []
        for i in range(4):
            with open(os.path.join(basedir, "node%d" % i, "dev", "hearthd.pid"),
                      encoding="ascii") as f:
                pids.append(int(f.read().strip()))
        return measure(args, endpoints, pids)
    finally:
        subprocess.run([devnet, "stop", "--basedir", basedir], env=env,
                       capture_output=True, timeout=120, check=False)


def probe(endpoints, txs):
    """Latency without load: one tx at a time, each waited for (polling
    gettransaction every 2 ms), sent to the nodes in turn. Returns the
    sorted latencies in ms."""
    rpcs = [Rpc(*e) for e in endpoints]
    lat = []
    for i, (txid, hexstr) in enumerate(txs):
        rpc = rpcs[i % len(rpcs)]
        sent = time.monotonic()
        rpc.call("sendrawtransaction", hexstr)
        while rpc.call("gettransaction", txid)["status"] != "committed":
            if time.monotonic() - sent > 60:
                raise RuntimeError("probe tx %s not committed" % txid)
            time.sleep(0.002)
        lat.append(1000 * (time.monotonic() - sent))
    return sorted(lat)


def cpu_seconds(pids):
    """User + system CPU time so far of the processes pids (all threads),
    from /proc/PID/stat (clock ticks)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with open("/proc/%d/stat" % pid, encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def paced(args, endpoints, rpc, chain, tps):
    """Latency at a load the network sustains: fresh senders (one per
    client) send args.paced of the rate just measured, in a batch every
    PACE_TICK_S, for args.paced_seconds."""
    rate = args.paced * tps
    per_client = int(rate * args.paced_seconds / args.clients)
    if per_client < 1:
        return {"paced_rate": 0.0, "paced_p50_ms": float("nan"), "paced_p99_ms": float("nan")}
    batches = prepare(args.builddir, rpc, chain, args.clients, per_client)
    pace = rate / args.clients
    res = Run(endpoints, batches, max(1, int(pace * PACE_TICK_S)), pace).go(args.timeout)
    return {"paced_rate": rate, "paced_tps": res["tps"], "paced_p50_ms": res["p50_ms"],
            "paced_p99_ms": res["p99_ms"]}


def measure(args, endpoints, pids):
    rpc = Rpc(*endpoints[0])
    chain = rpc.call("getblockchaininfo")["chain_id"]
    per_client = max(1, args.txs // args.clients)
    batches = prepare(args.builddir, rpc, chain, args.clients + 1, per_client)
    cpu = cpu_seconds(pids)
    res = Run(endpoints, batches[:-1], args.batch).go(args.timeout)
    # CPU of every hearthd over the load run, per committed tx: the measure
    # that holds on a shared machine (wall tx/s depends on the neighbours).
    res["cpu_us_per_tx"] = 1e6 * (cpu_seconds(pids) - cpu) / max(1, res["committed"])
    res.update(paced(args, endpoints, rpc, chain, res["tps"]))
    lat = probe(endpoints, batches[-1][:args.probes])
    res["idle_p50_ms"] = lat[len(lat) // 2]
    res["idle_p99_ms"] = lat[min(len(lat) - 1, len(lat) * 99 // 100)]
    return res


def raw_verify(builddir):
    """One core's verify rate: (per wall second, per CPU second)."""
    out = subprocess.run([os.path.join(builddir, "tests", "bench", "bench_verify"), "2"],
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[1]), float(out[3])


def report(name, res, raw, verify_us):
    print("%-9s txs=%d committed=%d in %.2f s: %.0f tx/s, latency under load p50 %.0f ms "
          "p99 %.0f ms, at %.0f tx/s offered p50 %.0f ms p99 %.0f ms, "
          "one tx at a time p50 %.0f ms p99 %.0f ms, ratio committed/raw %.3f, "
          "hearthd CPU %.0f us per committed tx (all nodes) = %.1f verifies%s" %
          (name, res["txs"], res["committed"], res["seconds"], res["tps"], res["p50_ms"],
           res["p99_ms"], res["paced_rate"], res["paced_p50_ms"], res["paced_p99_ms"],
           res["idle_p50_ms"], res["idle_p99_ms"], res["tps"] / raw,
           res["cpu_us_per_tx"], res["cpu_us_per_tx"] / verify_us,
           "" if not res["rejected"] else
           ", %d rejected (first: %s)" % (res["rejected"], res["first_reject"])))
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("builddir")
    parser.add_argument("srcdir")
    parser.add_argument("--txs", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--probes", type=int, default=40)
    parser.add_argument("--paced", type=float, default=0.5,
                        help="offered load of the paced run, a fraction of the rate measured")
    parser.add_argument("--paced-seconds", type=float, default=4.0)
    parser.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                        help="a line added to each localnet node's hearth.conf")
    parser.add_argument("--only", choices=("dev", "localnet"))
    parser.add_argument("--keep", action="store_true",
                        help="keep the data directories (and logs); prints where")
    args = parser.parse_args()
    args.builddir = os.path.abspath(args.builddir)
    args.srcdir = os.path.abspath(args.srcdir)
    raw, raw_cpu = raw_verify(args.builddir)
    verify_us = 1e6 / raw_cpu
    print("raw BIP340 verify, one core: %.0f /s (per CPU second: %.0f /s, %.1f us each)" %
          (raw, raw_cpu, verify_us))
    print("load average before: %s" % " ".join("%.2f" % x for x in os.getloadavg()))
    tmp = tempfile.mkdtemp(prefix="hearth-bench-node-")
    try:
        if args.only in (None, "dev"):
            report("dev", bench_dev(args, tmp), raw, verify_us)
        if args.only in (None, "localnet"):
            report("localnet", bench_localnet(args, tmp), raw, verify_us)
    finally:
        if args.keep:
            print("data directories kept in %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("goals: dev ratio >= 0.6; localnet >= 5000 tx/s and p50 <= 100 ms")


if __name__ == "__main__":
    main()
