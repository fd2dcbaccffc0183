"""Each node checks each tx's signature about once (doc/p2p.md, "Tx gossip"):
the BIP340 check is most of a node's work per tx, and a localnet's
throughput is bounded by how many of them the four nodes do.

Txs sent to node0 reach the others by gossip and in blocks. A node that
fetches a tx after its block committed, fetches it twice from two peers,
or checks again a tx it already checked in a proposal, does the work
twice. The node's hearth_tx_sig_checks_total{path} counts the checks: on
every node but node0 the worker pool's and block apply's checks together
must stay close to the number of txs. Without txseen (committed ids neither
fetched nor checked, txs checked once not checked again) and without a
proposal's txs checked on the worker pool first (cs_precheck.h), the most
busy node checked 1.26, 1.51 and 1.64 per tx in three runs of this test;
with them every node checks exactly 1.0."""
import json
import os
import subprocess
import urllib.request

from test_localnet import localnet, wait_for, wait_heights  # noqa: F401 (fixture)
from test_rpc_chain import FAUCET_SECRET, SOMEONE

TXS = 1500
BATCH = 100
FEE = 1000
# Checks per tx allowed on a node the txs reach by gossip: one is the
# floor, and what every node does on a quiet machine. On a loaded one a
# node can fall behind: the others commit a block while its proposal's txs
# still wait for the worker pool, and the node applies the block (checking
# those txs) before the queued checks run (1.13 seen under CI and a second
# test run at once). Before the fix the busiest node did 1.26 and more.
MAX_CHECKS_PER_TX = 1.2


def sig_checks(node):
    """{path: count} of hearth_tx_sig_checks_total."""
    url = "http://127.0.0.1:%d/metrics" % node.rpcport
    out = {}
    with urllib.request.urlopen(url, timeout=10) as resp:
        for line in resp.read().decode().splitlines():
            if line.startswith("hearth_tx_sig_checks_total{"):
                path = line.split('path="')[1].split('"')[0]
                out[path] = float(line.split()[-1])
    return out


def signed_transfers(builddir, count):
    res = subprocess.run([os.path.join(builddir, "tests", "functional", "txbatch"),
                          FAUCET_SECRET, "hearth-dev", "1", str(count), str(FEE), SOMEONE,
                          "1"], capture_output=True, text=True, check=True, timeout=120)
    return [line.split()[1] for line in res.stdout.splitlines()]


def send_all(node, txs):
    for first in range(0, len(txs), BATCH):
        body = json.dumps([{"jsonrpc": "2.0", "id": i, "method": "sendrawtransaction",
                            "params": [tx]} for i, tx in enumerate(txs[first:first + BATCH])])
        status, replies = node.http("POST", "/", body)
        assert status == 200
        errors = [r["error"] for r in replies if r.get("error") is not None]
        assert not errors, errors[:3]


def test_each_node_checks_each_tx_about_once(localnet, builddir):
    nodes = localnet.nodes
    txs = signed_transfers(builddir, TXS)
    for node in nodes:
        localnet.start(node)
    wait_heights(nodes, 2)
    before = [sig_checks(n) for n in nodes]

    send_all(nodes[0], txs)
    wait_for(lambda: all(n.rpc("getaccount", SOMEONE)["balance"] >= TXS for n in nodes),
             120, "every transfer committed on every node")

    after = [sig_checks(n) for n in nodes]
    spent = [{p: after[i][p] - before[i].get(p, 0) for p in after[i]} for i in range(len(nodes))]
    assert spent[0]["rpc"] == TXS
    for i, s in enumerate(spent[1:], 1):
        assert s["rpc"] == 0
        per_tx = (s["worker"] + s["block"]) / TXS
        assert per_tx >= 1.0, "node%d checked only %s" % (i, s)
        assert per_tx <= MAX_CHECKS_PER_TX, "node%d checked %.2f per tx: %s" % (i, per_tx, s)
