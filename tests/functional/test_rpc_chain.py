"""The chain and mempool JSON-RPC methods of a dev node."""
import json
import os
import subprocess

import pytest

from hearthnode import RpcError

FAUCET_SECRET = "c1c5ce5b8730a4804ceb75aecadb5bdc582bed1119b8f8ad3ace1ebbf4ad035c"
SOMEONE = "dhth1w444u6qm2ptfhcrx09paeqgr4q7ly6gxqs83fda8u2aqxu7ugmhqzfdl4h"


def txgen(builddir, *args):
    res = subprocess.run([os.path.join(builddir, "tests", "functional", "txgen")] +
                         [str(a) for a in args], capture_output=True, text=True, check=True)
    return res.stdout.strip()


@pytest.fixture
def node(make_node):
    return make_node().start()


def test_chain_info_at_genesis(node):
    info = node.rpc("getblockchaininfo")
    assert info["chain_id"] == "hearth-dev"
    assert info["network"] == "dev"
    assert info["height"] >= 0
    assert set(node.rpc("getblockcount")) == {"height"}
    genesis = node.rpc("getgenesis")
    assert genesis["hash"] == info["genesis_hash"]
    assert genesis["genesis"]["chain_id"] == "hearth-dev"
    # Height 0 is the genesis state; its id is the genesis hash.
    assert node.rpc("getblockhash", 0) == {"hash": info["genesis_hash"]}
    with pytest.raises(RpcError) as exc:
        node.rpc("getblockhash", 10**9)
    assert exc.value.code == -5


def test_sendrawtransaction_to_mempool(builddir, node):
    # A dev node makes a block as soon as a tx waits, so the tx is pending or
    # already committed when we look.
    tx = txgen(builddir, "transfer", FAUCET_SECRET, "hearth-dev", 1, 1000, SOMEONE, 5)
    txid = node.rpc("sendrawtransaction", tx)["txid"]
    assert len(txid) == 64
    assert node.rpc("gettransaction", txid)["status"] in ("pending", "committed")
    pool = node.rpc("getrawmempool")["txids"]
    assert pool in ([txid], [])
    info = node.rpc("getmempoolinfo")
    # A block may take the tx between the two calls, never put it back.
    assert info["size"] <= len(pool) and info["max_txs"] == 5000
    with pytest.raises(RpcError) as exc:
        node.rpc("sendrawtransaction", tx)
    # Still pending: already known; committed: its nonce is spent.
    assert exc.value.code in (-27, -26)
    # The next nonce chains on it either way.
    tx2 = txgen(builddir, "transfer", FAUCET_SECRET, "hearth-dev", 2, 1000, SOMEONE, 5)
    assert len(node.rpc("sendrawtransaction", tx2)["txid"]) == 64


def test_rejected_transactions_say_why(builddir, node):
    wrong_chain = txgen(builddir, "transfer", FAUCET_SECRET, "other-chain", 1, 1000, SOMEONE, 5)
    with pytest.raises(RpcError) as exc:
        node.rpc("sendrawtransaction", wrong_chain)
    assert exc.value.code == -26
    assert "chain" in exc.value.message
    # A nonce gap waits in the pool (test_mempool.py), but not this far ahead.
    far = txgen(builddir, "transfer", FAUCET_SECRET, "hearth-dev", 30, 1000, SOMEONE, 5)
    with pytest.raises(RpcError) as exc:
        node.rpc("sendrawtransaction", far)
    assert exc.value.code == -26 and "ahead" in exc.value.message
    low_fee = txgen(builddir, "transfer", FAUCET_SECRET, "hearth-dev", 1, 1, SOMEONE, 5)
    with pytest.raises(RpcError) as exc:
        node.rpc("sendrawtransaction", low_fee)
    assert exc.value.code == -26 and "fee" in exc.value.message
    with pytest.raises(RpcError) as exc:
        node.rpc("sendrawtransaction", "zz")
    assert exc.value.code == -8
    with pytest.raises(RpcError) as exc:
        node.rpc("gettransaction", "00" * 32)
    assert exc.value.code == -5
    assert node.rpc("getmempoolinfo")["size"] == 0


def test_http_auth_health_and_metrics(node):
    status, body = node.http("POST", "/", json.dumps({"jsonrpc": "2.0", "id": 1,
                                                      "method": "getblockcount"}), auth=False)
    assert status == 401
    status, body = node.http("GET", "/health", auth=False)
    assert status in (200, 503)
    assert body["committing"] is (status == 200)
    conn_status, _ = node.http("GET", "/nothing-here", auth=False)
    assert conn_status == 404
    assert stat_mode(os.path.join(node.netdir, ".cookie")) == 0o600


def test_metrics_show_mempool_and_height(builddir, node):
    import http.client
    tx = txgen(builddir, "transfer", FAUCET_SECRET, "hearth-dev", 1, 1000, SOMEONE, 5)
    node.rpc("sendrawtransaction", tx)
    conn = http.client.HTTPConnection("127.0.0.1", node.rpcport, timeout=10)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    assert "# TYPE hearth_chain_height gauge" in text
    assert "# TYPE hearth_mempool_txs gauge" in text
    assert 'hearth_rpc_requests_total{method="sendrawtransaction",code="0"} 1' in text


def test_cookie_is_removed_at_shutdown(node):
    cookie = os.path.join(node.netdir, ".cookie")
    assert os.path.exists(cookie)
    assert node.stop() == 0
    assert not os.path.exists(cookie)


def stat_mode(path):
    return os.stat(path).st_mode & 0o777
