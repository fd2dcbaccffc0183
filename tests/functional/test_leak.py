"""hearthd -dev commits a stream of signed transfers and shuts down cleanly
with nothing leaked (issue 11).

When hearthd is built with --enable-sanitizers (ASan + UBSan), the run is
LeakSanitizer's: ASAN_OPTIONS=detect_leaks=1, and after SIGTERM the exit
status must be 0 and standard error free of any sanitizer report. In a
plain build the same run checks that every tx commits and the shutdown is
clean.

HEARTH_LEAK_TXS sets the number of transfers (default 1,000 so the ASan
pass stays short); `make leak-long` runs the issue's 10,000."""
import os
import signal
import subprocess
import time

from test_dev_blocks import FAUCET
from test_rpc_chain import FAUCET_SECRET, SOMEONE
from test_crash import batch
from hearthnode import RpcError

TXS = int(os.environ.get("HEARTH_LEAK_TXS", "1000"))
CHUNK = 100
POOL_HIGH = 3000


def sanitized(builddir):
    """True when the build tree was configured with --enable-sanitizers."""
    with open(os.path.join(builddir, "Makefile"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("SAN_CFLAGS ="):
                return "-fsanitize=address" in line
    return False


def signed_transfers(builddir, count):
    exe = os.path.join(builddir, "tests", "functional", "txbatch")
    res = subprocess.run([exe, FAUCET_SECRET, "hearth-dev", "1", str(count), "1000", SOMEONE,
                          "1"], capture_output=True, text=True, check=True, timeout=600)
    pairs = [line.split(" ") for line in res.stdout.splitlines()]
    assert len(pairs) == count
    return pairs


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def send_all(node, pairs):
    """Sends the txs in batches, keeping the mempool below POOL_HIGH."""
    for start in range(0, len(pairs), CHUNK):
        wait_until(lambda: node.rpc("getmempoolinfo")["size"] < POOL_HIGH, 300,
                   "the mempool to drain")
        part = pairs[start:start + CHUNK]
        results = batch(node, [("sendrawtransaction", (tx,)) for _, tx in part])
        for (txid, _), res in zip(part, results):
            assert not isinstance(res, RpcError), res
            assert res["txid"] == txid


def test_many_transfers_commit_and_nothing_leaks(builddir, make_node, monkeypatch):
    san = sanitized(builddir)
    if san:
        monkeypatch.setenv("ASAN_OPTIONS", "detect_leaks=1")
    pairs = signed_transfers(builddir, TXS)
    node = make_node().start(["-emptyblockinterval=200"])
    began = time.monotonic()
    send_all(node, pairs)
    wait_until(lambda: node.rpc("getnonce", FAUCET)["nonce"] == TXS, 600, "every commit")
    print("%d txs committed in %.1f s (sanitizers: %s)" %
          (TXS, time.monotonic() - began, san))
    where = batch(node, [("gettransaction", (txid,)) for txid, _ in pairs])
    assert all(w["status"] == "committed" for w in where)
    assert node.rpc("getaccount", SOMEONE)["balance"] == TXS
    assert node.rpc("getmempoolinfo")["size"] == 0
    node.proc.send_signal(signal.SIGTERM)
    rc = node.proc.wait(120)
    stderr = node.proc.stderr.read()
    assert rc == 0, stderr
    for report in ("LeakSanitizer", "AddressSanitizer", "runtime error"):
        assert report not in stderr, stderr
    assert "shutdown complete" in node.log_text()
