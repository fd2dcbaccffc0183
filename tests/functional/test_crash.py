"""Crash consistency (issue 11): hearthd -dev is killed with SIGKILL at
random moments while it commits blocks under a load of signed transfers,
and restarted each time. After every restart:

- the tip is not below any height an RPC call reported before the kill, and
  every block an RPC call showed (getblock) is still there with the same id
  and txs;
- every tx an RPC call reported committed (gettransaction, or in a getblock)
  is still committed at the same height;
- the node commits again.

At the end the node stops cleanly and `hearthd -verifychain` passes.

HEARTH_CRASH_ROUNDS sets the number of kills (default 20, which keeps the
test well under a minute even under ASan); `make crash-long` runs 100.
HEARTH_CRASH_SEED fixes the random moments (the seed is printed)."""
import base64
import http.client
import json
import os
import random
import signal
import subprocess
import threading
import time

from hearthnode import RpcError
from test_dev_blocks import FAUCET
from test_rpc_chain import FAUCET_SECRET, SOMEONE

ROUNDS = int(os.environ.get("HEARTH_CRASH_ROUNDS", "20"))
ARGS = ["-emptyblockinterval=50"]
FEE = 1000
BATCH = 500


class TxSigner:
    """Signs the faucet's transfer of each nonce once (same nonce, same tx)."""

    def __init__(self, builddir):
        self.exe = os.path.join(builddir, "tests", "functional", "txgen")
        self.cache = {}

    def tx(self, nonce):
        if nonce not in self.cache:
            res = subprocess.run([self.exe, "transfer", FAUCET_SECRET, "hearth-dev",
                                  str(nonce), str(FEE), SOMEONE, "1"],
                                 capture_output=True, text=True, check=True, timeout=30)
            self.cache[nonce] = res.stdout.strip()
        return self.cache[nonce]


class Observed:
    """Everything RPC calls reported, shared by the load threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.max_height = 0
        self.blocks = {}      # height -> (block id, txids)
        self.committed = {}   # txid -> height
        self.pending = set()  # txids sent and not yet seen committed
        self.sent = 0

    def snapshot(self):
        with self.lock:
            return self.max_height, dict(self.blocks), dict(self.committed)


def post_batch(node, body, timeout):
    """POSTs a batch body with the cookie; returns the parsed answer."""
    with open(os.path.join(node.netdir, ".cookie"), encoding="utf-8") as f:
        token = base64.b64encode(f.read().strip().encode()).decode()
    conn = http.client.HTTPConnection("127.0.0.1", node.rpcport, timeout=timeout)
    try:
        conn.request("POST", "/", body=body, headers={"Authorization": "Basic " + token,
                                                      "Content-Type": "application/json"})
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def batch(node, calls, timeout=120):
    """JSON-RPC batches of at most BATCH calls; returns the results in order
    (errors as RpcError). The timeout is generous: on a loaded machine each
    sendrawtransaction of a batch waits for the busy loop."""
    out = []
    for start in range(0, len(calls), BATCH):
        part = calls[start:start + BATCH]
        body = json.dumps([{"jsonrpc": "2.0", "id": i, "method": m, "params": list(p)}
                           for i, (m, p) in enumerate(part)])
        replies = post_batch(node, body, timeout)
        replies = sorted(replies, key=lambda r: r["id"])
        assert len(replies) == len(part)
        for r in replies:
            err = r.get("error")
            out.append(RpcError(err["code"], err["message"]) if err else r["result"])
    return out


def send_loop(node, signer, seen, stop):
    """Sends the faucet's transfers in nonce order; after any failure (the
    node was killed) it asks the node for the next nonce again."""
    nonce = None
    while not stop.is_set():
        try:
            if nonce is None:
                nonce = node.rpc("getnonce", FAUCET)["next"]
            if len(seen.pending) > 200:
                time.sleep(0.02)
                continue
            txid = node.rpc("sendrawtransaction", signer.tx(nonce))["txid"]
            with seen.lock:
                seen.pending.add(txid)
                seen.sent += 1
            nonce += 1
        except RpcError:
            nonce = None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            nonce = None
            time.sleep(0.02)


def watch_loop(node, seen, stop):
    """Records what the node reports committed: every new block (getblock)
    and the status of the txs sent (gettransaction)."""
    while not stop.is_set():
        try:
            watch_once(node, seen)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, AssertionError):
            time.sleep(0.02)


def watch_once(node, seen):
    height = node.rpc("getblockcount")["height"]
    with seen.lock:
        seen.max_height = max(seen.max_height, height)
        first = max(seen.blocks, default=0) + 1
        pending = list(seen.pending)[:100]  # each may wait for the loop
    heights = list(range(first, height + 1))[:BATCH]
    for h, block in zip(heights, batch(node, [("getblock", (h,)) for h in heights], 10)):
        if isinstance(block, RpcError):
            raise OSError(block)
        with seen.lock:
            seen.blocks[h] = (block["id"], block["txids"])
            for txid in block["txids"]:
                seen.committed[txid] = h
                seen.pending.discard(txid)
    for txid, where in zip(pending, batch(node, [("gettransaction", (t,)) for t in pending],
                                          10)):
        if isinstance(where, dict) and where.get("status") == "committed":
            with seen.lock:
                seen.committed[txid] = where["height"]
                seen.max_height = max(seen.max_height, where["height"])
                seen.pending.discard(txid)
    time.sleep(0.01)


def check_after_restart(node, max_height, blocks, committed):
    """Everything reported before the kill is still there."""
    height = node.rpc("getblockcount")["height"]
    assert height >= max_height, "tip went back from %d to %d" % (max_height, height)
    heights = sorted(blocks)
    for h, block in zip(heights, batch(node, [("getblock", (h,)) for h in heights])):
        assert not isinstance(block, RpcError), "block %d is gone: %s" % (h, block)
        assert (block["id"], block["txids"]) == blocks[h], "block %d changed" % h
    txids = sorted(committed)
    for txid, where in zip(txids, batch(node, [("gettransaction", (t,)) for t in txids])):
        assert isinstance(where, dict) and where["status"] == "committed", \
            "tx %s reported committed is %s" % (txid, where)
        assert where["height"] == committed[txid], "tx %s moved" % txid


def wait_for_progress(node, above, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if node.rpc("getblockcount")["height"] > above:
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise AssertionError("no block above %d after the restart:\n%s" %
                         (above, node.log_text()[-3000:]))


def start_and_maybe_kill_early(node, rng):
    """Starts hearthd; one start in five is killed during start-up and
    started again, so a kill also lands in the genesis commit, the WAL
    replay and the opening of the store."""
    if rng.random() < 0.2:
        node.proc = subprocess.Popen(node.args(ARGS), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, 0.15))
        node.proc.send_signal(signal.SIGKILL)
        node.proc.wait()
    node.start(ARGS)


def test_sigkill_under_load_loses_nothing(builddir, make_node):
    seed = int(os.environ.get("HEARTH_CRASH_SEED", str(random.randrange(1 << 30))))
    print("HEARTH_CRASH_SEED=%d rounds=%d" % (seed, ROUNDS))
    rng = random.Random(seed)
    node = make_node()
    signer = TxSigner(builddir)
    seen = Observed()
    stop = threading.Event()
    node.start(ARGS)
    threads = [threading.Thread(target=send_loop, args=(node, signer, seen, stop)),
               threading.Thread(target=watch_loop, args=(node, seen, stop))]
    for t in threads:
        t.start()
    try:
        for _ in range(ROUNDS):
            time.sleep(rng.uniform(0.05, 0.8))
            node.kill()
            max_height, blocks, committed = seen.snapshot()
            start_and_maybe_kill_early(node, rng)
            check_after_restart(node, max_height, blocks, committed)
            wait_for_progress(node, max_height)
    finally:
        stop.set()
        for t in threads:
            t.join()
    max_height, blocks, committed = seen.snapshot()
    print("kills=%d height=%d txs sent=%d committed seen=%d" %
          (ROUNDS, max_height, seen.sent, len(committed)))
    assert len(committed) > 0 and max_height > ROUNDS
    check_after_restart(node, max_height, blocks, committed)
    assert node.stop() == 0
    res = node.run(["-verifychain"], timeout=300)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("verifychain: ok: ")
