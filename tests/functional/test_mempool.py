"""The mempool's rules through sendrawtransaction on a dev node: a tx with a
future nonce waits and commits once the gap fills; on a tiny pool a tx that
pays more per byte evicts the cheapest (with its later nonces)."""
import os
import subprocess
import time

import pytest

from hearthnode import RpcError

FAUCET_SECRET = "c1c5ce5b8730a4804ceb75aecadb5bdc582bed1119b8f8ad3ace1ebbf4ad035c"
OTHER_SECRET = "5f" * 32
SOMEONE = "dhth1w444u6qm2ptfhcrx09paeqgr4q7ly6gxqs83fda8u2aqxu7ugmhqzfdl4h"


def txgen(builddir, *args):
    res = subprocess.run([os.path.join(builddir, "tests", "functional", "txgen")] +
                         [str(a) for a in args], capture_output=True, text=True, check=True)
    return res.stdout.strip()


def transfer(builddir, secret, nonce, fee, to=SOMEONE, amount=5):
    return txgen(builddir, "transfer", secret, "hearth-dev", nonce, fee, to, amount)


def status(node, txid):
    try:
        return node.rpc("gettransaction", txid)["status"]
    except RpcError as exc:
        assert exc.code == -5
        return "unknown"


def wait_committed(node, txids, timeout=30):
    deadline = time.monotonic() + timeout
    while not all(status(node, t) == "committed" for t in txids):
        assert time.monotonic() < deadline, [status(node, t) for t in txids]
        time.sleep(0.05)


def test_future_nonce_waits_until_the_gap_fills(builddir, make_node):
    node = make_node().start()
    faucet = txgen(builddir, "address", FAUCET_SECRET)
    first = node.rpc("getnonce", faucet)["next"]
    later = node.rpc("sendrawtransaction", transfer(builddir, FAUCET_SECRET, first + 1, 1000))
    assert status(node, later["txid"]) == "pending"
    info = node.rpc("getmempoolinfo")
    assert info["size"] == 1 and info["waiting"] == 1
    # Empty blocks go by (one a second at most) without it.
    height = node.rpc("getblockcount")["height"]
    deadline = time.monotonic() + 30
    while node.rpc("getblockcount")["height"] < height + 2:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert status(node, later["txid"]) == "pending"
    # Too far ahead is refused, with its own reason.
    with pytest.raises(RpcError) as exc:
        node.rpc("sendrawtransaction", transfer(builddir, FAUCET_SECRET, first + 40, 1000))
    assert exc.value.code == -26 and "ahead" in exc.value.message
    gap = node.rpc("sendrawtransaction", transfer(builddir, FAUCET_SECRET, first, 1000))
    wait_committed(node, [gap["txid"], later["txid"]])
    assert node.rpc("getmempoolinfo")["size"] == 0
    assert node.rpc("getnonce", faucet)["next"] == first + 2


def test_tiny_pool_evicts_the_cheapest_for_a_better_tx(builddir, make_node):
    node = make_node().start(["-mempoolmaxtxs=2"])
    faucet = txgen(builddir, "address", FAUCET_SECRET)
    other = txgen(builddir, "address", OTHER_SECRET)
    n = node.rpc("getnonce", faucet)["next"]
    fund = node.rpc("sendrawtransaction",
                    transfer(builddir, FAUCET_SECRET, n, 1000, other, 10**9))["txid"]
    wait_committed(node, [fund])
    # Two faucet txs wait for nonce n + 1 and fill the pool.
    cheap = node.rpc("sendrawtransaction", transfer(builddir, FAUCET_SECRET, n + 2, 1000))["txid"]
    dear = node.rpc("sendrawtransaction", transfer(builddir, FAUCET_SECRET, n + 3, 5000))["txid"]
    assert node.rpc("getmempoolinfo")["size"] == 2
    # Not more per byte than the cheapest: refused, nothing evicted.
    with pytest.raises(RpcError) as exc:
        node.rpc("sendrawtransaction", transfer(builddir, OTHER_SECRET, 1, 900))
    assert exc.value.code == -31 and "mempool full" in exc.value.message
    assert status(node, cheap) == "pending" and status(node, dear) == "pending"
    # More per byte: the cheapest goes, and with it the later nonce that
    # could not apply without it.
    better = node.rpc("sendrawtransaction", transfer(builddir, OTHER_SECRET, 1, 100000))["txid"]
    wait_committed(node, [better])
    assert status(node, cheap) == "unknown"
    assert status(node, dear) == "unknown"
