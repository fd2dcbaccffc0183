"""A dev node commits blocks on its own: empty ones at the interval, and a
block as soon as a tx waits; it survives restarts without going back."""
import hashlib
import os
import struct
import time

import pytest

from hearthnode import RpcError
from test_rpc_chain import FAUCET_SECRET, SOMEONE, txgen

FAUCET = "dhth1x4cej9c7apnxynkx2z6f7xamncxae6el7x52mkslustks3mu9kpqmyj2wg"


def wait_for(predicate, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


@pytest.fixture
def node(make_node):
    return make_node().start(["-emptyblockinterval=100"])


def test_empty_blocks_at_the_interval(node):
    wait_for(lambda: node.rpc("getblockcount")["height"] >= 5, what="height 5")
    status, body = node.http("GET", "/health", auth=False)
    assert status == 200 and body["committing"] is True
    info = node.rpc("getblockchaininfo")
    assert node.rpc("getblockhash", info["height"])["hash"] == info["best_block_hash"]


def test_transfer_is_committed_and_balances_move(builddir, node):
    before = node.rpc("getaccount", SOMEONE)
    fee, amount = 1000, 123456
    tx = txgen(builddir, "transfer", FAUCET_SECRET, "hearth-dev", 1, fee, SOMEONE, amount)
    txid = node.rpc("sendrawtransaction", tx)["txid"]
    where = wait_for(lambda: node.rpc("gettransaction", txid)["status"] == "committed" and
                     node.rpc("gettransaction", txid), what="commit")
    assert where["index"] == 0 and where["height"] >= 1
    after = node.rpc("getaccount", SOMEONE)
    assert after["balance"] == before["balance"] + amount
    faucet = node.rpc("getaccount", FAUCET)
    assert faucet["nonce"] == 1
    assert faucet["balance"] == 10**15 - amount - fee
    assert node.rpc("getmempoolinfo")["size"] == 0
    # The same tx again is a replay.
    with pytest.raises(RpcError) as exc:
        node.rpc("sendrawtransaction", tx)
    assert exc.value.code == -26


def test_many_txs_of_one_sender_in_order(builddir, node):
    txids = []
    for nonce in range(1, 21):
        tx = txgen(builddir, "transfer", FAUCET_SECRET, "hearth-dev", nonce, 1000, SOMEONE, 1)
        txids.append(node.rpc("sendrawtransaction", tx)["txid"])
    wait_for(lambda: all(node.rpc("gettransaction", t)["status"] == "committed"
                         for t in txids), what="20 commits")
    assert node.rpc("getaccount", FAUCET)["nonce"] == 20
    assert node.rpc("getaccount", SOMEONE)["balance"] == 20


def signed_height(path):
    """The height of the newest valid slot of priv_validator_state (layout in
    node/privval_format.h: two 4 KiB blocks, each "HPV1", seq, height, ...,
    BLAKE2b-256 of the first 198 bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    assert len(data) == 8192
    best = None
    for off in (0, 4096):
        slot = data[off:off + 230]
        if slot[:4] != b"HPV1" or hashlib.blake2b(slot[:198], digest_size=32).digest() != slot[198:]:
            continue
        seq, height = struct.unpack_from("<QQ", slot, 4)
        if best is None or seq > best[0]:
            best = (seq, height)
    assert best is not None
    return best[1]


def test_restart_continues_the_chain(builddir, node):
    tx = txgen(builddir, "transfer", FAUCET_SECRET, "hearth-dev", 1, 1000, SOMEONE, 7)
    txid = node.rpc("sendrawtransaction", tx)["txid"]
    wait_for(lambda: node.rpc("gettransaction", txid)["status"] == "committed", what="commit")
    height = node.rpc("getblockcount")["height"]
    best = node.rpc("getbestblockhash")["hash"]
    assert node.stop() == 0
    assert signed_height(os.path.join(node.netdir, "priv_validator_state")) >= height
    node.start(["-emptyblockinterval=100"])
    assert node.rpc("getblockhash", height)["hash"] == best
    assert node.rpc("gettransaction", txid)["status"] == "committed"
    wait_for(lambda: node.rpc("getblockcount")["height"] > height + 2, what="new blocks")
    assert node.rpc("getaccount", SOMEONE)["balance"] == 7
    assert "stopping" not in node.log_text()


def test_kill_and_restart_never_goes_back(make_node):
    node = make_node().start(["-emptyblockinterval=50"])
    last = 0
    for _ in range(3):
        wait_for(lambda: node.rpc("getblockcount")["height"] > last + 2, what="progress")
        last = node.rpc("getblockcount")["height"]
        node.kill()
        node.start(["-emptyblockinterval=50"])
        assert node.rpc("getblockcount")["height"] >= last
    assert node.stop() == 0


def test_malformed_priv_validator_state_stops_start_up(node):
    assert node.stop() == 0
    with open(os.path.join(node.netdir, "priv_validator_state"), "w", encoding="utf-8") as f:
        f.write("{ not json")
    res = node.run()
    assert res.returncode == 1
    assert "refusing to sign" in res.stderr


def test_getblock_and_getnonce(builddir, node):
    assert node.rpc("getnonce", FAUCET) == {"nonce": 0, "next": 1}
    tx = txgen(builddir, "transfer", FAUCET_SECRET, "hearth-dev", 1, 1000, SOMEONE, 3)
    txid = node.rpc("sendrawtransaction", tx)["txid"]
    assert node.rpc("getnonce", FAUCET)["next"] == 2
    where = wait_for(lambda: node.rpc("gettransaction", txid)["status"] == "committed" and
                     node.rpc("gettransaction", txid), what="commit")
    block = node.rpc("getblock", where["height"])
    assert block["txids"] == [txid]
    assert block["height"] == where["height"]
    assert block["proposer"].startswith("dhth1")
    by_id = node.rpc("getblock", block["id"], 1)
    assert by_id == block
    raw = node.rpc("getblock", block["id"], 0)
    assert raw["height"] == block["height"] and tx in raw["hex"]
    parent = node.rpc("getblock", where["height"] - 1) if where["height"] > 1 else None
    if parent is not None:
        assert block["prev_block_id"] == parent["id"]
    for bad in (0, "zz", 10**9):
        with pytest.raises(RpcError) as exc:
            node.rpc("getblock", bad)
        assert exc.value.code in (-5, -8)
    with pytest.raises(RpcError) as exc:
        node.rpc("getnonce", "hth1notanaddress")
    assert exc.value.code == -8
