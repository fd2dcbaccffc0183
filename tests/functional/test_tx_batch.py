"""sendrawtransaction in a JSON-RPC batch: the batch's txs are admitted in
one turn of the node's loop, each answered on its own and in order, and the
dev proposer puts every tx waiting into one block (issue 6: before, each tx
got its own block and its own fsync)."""
import json
import os
import subprocess
import time

import pytest

from test_rpc_chain import FAUCET_SECRET, SOMEONE

FAUCET = "dhth1x4cej9c7apnxynkx2z6f7xamncxae6el7x52mkslustks3mu9kpqmyj2wg"
COUNT = 40


def signed_batch(builddir, first, count):
    """(txid, hex) of count faucet transfers with nonces first, first+1, ..."""
    out = subprocess.run([os.path.join(builddir, "tests", "functional", "txbatch"),
                          FAUCET_SECRET, "hearth-dev", str(first), str(count), "1000",
                          SOMEONE, "1"], capture_output=True, text=True, check=True).stdout
    return [tuple(line.split(" ")) for line in out.splitlines()]


def post_batch(node, calls):
    body = json.dumps([{"jsonrpc": "2.0", "id": i, "method": m, "params": p}
                       for i, (m, p) in enumerate(calls)])
    status, reply = node.http("POST", "/", body)
    assert status == 200
    assert [r["id"] for r in reply] == list(range(len(calls)))
    return reply


@pytest.fixture
def node(make_node):
    # No empty blocks during the test: every block is made for txs.
    return make_node().start(["-emptyblockinterval=600000"])


def test_batch_of_transfers_goes_into_one_block(builddir, node):
    start = node.rpc("getnonce", FAUCET)["next"]
    txs = signed_batch(builddir, start, COUNT)
    height = node.rpc("getblockcount")["height"]
    reply = post_batch(node, [("sendrawtransaction", [h]) for _, h in txs])
    assert [r["result"]["txid"] for r in reply] == [txid for txid, _ in txs]
    deadline = time.monotonic() + 30
    heights = set()
    for txid, _ in txs:
        while True:
            where = node.rpc("gettransaction", txid)
            if where["status"] == "committed":
                heights.add(where["height"])
                break
            assert time.monotonic() < deadline, "tx %s not committed" % txid
            time.sleep(0.05)
    # One block for the whole batch (two if a block was already on its way).
    assert len(heights) <= 2, sorted(heights)
    assert node.rpc("getblockcount")["height"] <= height + 2


def test_batch_answers_each_call_in_order(builddir, node):
    start = node.rpc("getnonce", FAUCET)["next"]
    (id1, tx1), (id2, tx2), (id3, tx3) = signed_batch(builddir, start, 3)
    gap = signed_batch(builddir, start + 30, 1)[0][1]  # too far ahead to wait
    reply = post_batch(node, [
        ("sendrawtransaction", [tx1]),
        ("sendrawtransaction", ["zz"]),
        ("sendrawtransaction", [tx1]),
        ("sendrawtransaction", [gap]),
        ("sendrawtransaction", {"hexstring": tx2}),
        ("getblockcount", []),
        ("sendrawtransaction", [tx3]),
        ("sendrawtransaction", []),
    ])
    assert reply[0]["result"]["txid"] == id1
    assert reply[1]["error"]["code"] == -8
    assert reply[2]["error"]["code"] == -27
    assert reply[3]["error"]["code"] == -26
    assert reply[4]["result"]["txid"] == id2
    assert "height" in reply[5]["result"]
    assert reply[6]["result"]["txid"] == id3
    assert reply[7]["error"]["code"] == -32602
