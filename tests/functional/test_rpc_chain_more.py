"""More chain and tx JSON-RPC methods of a dev node: estimatefee,
getblockheader, getvalidators, decoderawtransaction."""
import os
import subprocess
import time

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


def test_estimatefee_is_the_minimum_on_an_idle_node(builddir, node):
    genesis = node.rpc("getgenesis")["genesis"]
    minimum = genesis["params"]["min_fee_per_byte"]
    est = node.rpc("estimatefee")
    assert est == {"feerate": minimum, "min_feerate": minimum}
    # A tx paying exactly the estimate for its size is accepted.
    probe = txgen(builddir, "transfer", FAUCET_SECRET, "hearth-dev", 1, 1000, SOMEONE, 5)
    size = len(probe) // 2
    tx = txgen(builddir, "transfer", FAUCET_SECRET, "hearth-dev", 1, est["feerate"] * size,
               SOMEONE, 5)
    assert len(tx) // 2 == size
    assert len(node.rpc("sendrawtransaction", tx)["txid"]) == 64
    with pytest.raises(RpcError) as exc:
        node.rpc("estimatefee", 1)
    assert exc.value.code == -32602


def wait_for_height(node, height, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if node.rpc("getblockcount")["height"] >= height:
            return
        time.sleep(0.05)
    raise AssertionError("no block %d within %s s" % (height, timeout))


def test_getblockheader_matches_getblock(node):
    wait_for_height(node, 1)
    block = node.rpc("getblock", 1)
    header = node.rpc("getblockheader", 1)
    for key in ("height", "id", "time_ms", "prev_block_id", "tx_root", "app_hash",
                "validators_hash", "next_validators_hash", "proposer"):
        assert header[key] == block[key], key
    assert header["chain_id"] == "hearth-dev"
    assert header["num_txs"] == len(block["txids"])
    assert len(header["last_commit_hash"]) == 64
    assert node.rpc("getblockheader", block["id"]) == header
    raw = node.rpc("getblockheader", 1, False)
    assert raw["height"] == 1 and len(raw["hex"]) > 2 * 32
    assert raw["hex"] in node.rpc("getblock", 1, 0)["hex"]
    for bad, code in ((0, -8), ("zz", -8), ("00" * 32, -5), (10**9, -5)):
        with pytest.raises(RpcError) as exc:
            node.rpc("getblockheader", bad)
        assert exc.value.code == code, bad
    with pytest.raises(RpcError) as exc:
        node.rpc("getblockheader", 1, 2)
    assert exc.value.code == -32602


def test_getvalidators_of_the_dev_chain(node):
    tip = node.rpc("getblockcount")["height"]
    current = node.rpc("getvalidators")
    assert current["height"] >= tip + 1
    assert current["count"] == 1 and len(current["validators"]) == 1
    v = current["validators"][0]
    assert v["address"].startswith("dhth1") and len(v["pubkey"]) == 64
    assert v["voting_power"] == current["total_power"] > 0
    assert node.rpc("getvalidators", 1)["validators"] == current["validators"]
    for bad in (0, tip + 10**6):
        with pytest.raises(RpcError) as exc:
            node.rpc("getvalidators", bad)
        assert exc.value.code == -5
    with pytest.raises(RpcError) as exc:
        node.rpc("getvalidators", -1)
    assert exc.value.code == -32602


def test_decoderawtransaction_kinds(builddir, node):
    chain = "hearth-dev"
    tx = txgen(builddir, "transfer", FAUCET_SECRET, chain, 1, 1000, SOMEONE, 5)
    d = node.rpc("decoderawtransaction", tx)
    assert d["kind"] == "transfer"
    assert d["transfer"] == {"to": SOMEONE, "amount": 5}
    assert d["sender"] == txgen(builddir, "address", FAUCET_SECRET)
    assert d["nonce"] == 1 and d["fee"] == 1000 and d["chain_id"] == chain
    assert d["size"] == len(tx) // 2 and d["feerate"] == 1000 // d["size"]
    assert d["txid"] == txgen(builddir, "txid", tx)
    assert d["check"] == "ok" and len(d["sig"]) == 128
    d = node.rpc("decoderawtransaction", txgen(builddir, "bond", FAUCET_SECRET, chain, 2, 1000, 7))
    assert d["kind"] == "bond" and d["bond"] == {"amount": 7}
    d = node.rpc("decoderawtransaction",
                 txgen(builddir, "unbond", FAUCET_SECRET, chain, 2, 1000, 8))
    assert d["kind"] == "unbond" and d["unbond"] == {"amount": 8}
    d = node.rpc("decoderawtransaction",
                 txgen(builddir, "offer", FAUCET_SECRET, chain, 2, 1000, 500, 1 << 20, 0, 3,
                       "posix,wasm", 9, 60, 1000))
    assert d["kind"] == "offer"
    o = d["offer"]
    assert o["per_slot"] == {"cpu_millicores": 500, "memory_bytes": 1 << 20, "disk_bytes": 0,
                             "gpus": 0}
    assert o["slots"] == 3 and o["runtimes"] == ["posix", "wasm"]
    assert o["price_per_second"] == 9 and o["max_duration_seconds"] == 60
    assert o["expiry_height"] == 1000 and o["attributes"] == []
    d = node.rpc("decoderawtransaction",
                 txgen(builddir, "bid", FAUCET_SECRET, chain, 2, 1000, 250, 1 << 20, 0, "posix",
                       9, 60, 1, 1000, "--env", "A=b", "--", "/bin/echo", "hi"))
    b = d["bid"]
    assert d["kind"] == "bid" and b["runtime"] == "posix" and b["replicas"] == 1
    assert b["job"]["argv"] == ["/bin/echo", "hi"]
    assert b["job"]["env"] == [{"name": "A", "value": "b"}]
    assert b["max_price_per_second"] == 9 and b["max_duration_seconds"] == 60
    some_id = "ab" * 32
    d = node.rpc("decoderawtransaction",
                 txgen(builddir, "cancel-offer", FAUCET_SECRET, chain, 2, 1000, some_id))
    assert d["kind"] == "cancel_offer" and d["cancel_offer"] == {"offer_id": some_id}
    d = node.rpc("decoderawtransaction",
                 txgen(builddir, "cancel-bid", FAUCET_SECRET, chain, 2, 1000, some_id))
    assert d["kind"] == "cancel_bid" and d["cancel_bid"] == {"bid_id": some_id}
    d = node.rpc("decoderawtransaction",
                 txgen(builddir, "dispute", FAUCET_SECRET, chain, 2, 1000, some_id, "wrong"))
    assert d["kind"] == "dispute" and d["dispute"] == {"lease_id": some_id, "reason": "wrong"}
    d = node.rpc("decoderawtransaction",
                 txgen(builddir, "receipt", FAUCET_SECRET, chain, 2, 1000, some_id, "cd" * 32,
                       3, 1500, 1200, 4096))
    assert d["kind"] == "receipt"
    assert d["receipt"] == {"lease_id": some_id, "outcome": {
        "result_hash": "cd" * 32, "exit_status": 3, "timed_out": False, "oom_killed": False,
        "wall_ms": 1500, "cpu_ms": 1200, "peak_memory_bytes": 4096}}
    # A tx of another chain decodes; the check says what is wrong with it.
    other = node.rpc("decoderawtransaction",
                     txgen(builddir, "transfer", FAUCET_SECRET, "other", 1, 1000, SOMEONE, 5))
    assert other["chain_id"] == "other" and "chain" in other["check"]
    for bad in ("zz", "", "00", tx[:-2]):
        with pytest.raises(RpcError) as exc:
            node.rpc("decoderawtransaction", bad)
        assert exc.value.code == -8, bad
    with pytest.raises(RpcError) as exc:
        node.rpc("decoderawtransaction", "00")
    assert "decode" in exc.value.message


def test_decoderawtransaction_of_a_chain_id_that_is_not_utf8(builddir, node):
    """The check message quotes the tx's chain id; bytes that are not UTF-8
    become '?' (found by tests/fuzz/fuzz_rpc_node: the handler freed its
    result when JSON refused the message, and the dispatcher freed it again)."""
    tx = txgen(builddir, "transfer", FAUCET_SECRET, "other", 1, 1000, SOMEONE, 5)
    assert tx.count("6f74686572") == 1  # "other"
    d = node.rpc("decoderawtransaction", tx.replace("6f74686572", "88ff686572"))
    assert d["kind"] == "transfer"
    assert 'tx is for "??her", this is "hearth-dev"' in d["check"], d["check"]
    assert node.rpc("getblockcount")["height"] >= 0  # the node is still there
