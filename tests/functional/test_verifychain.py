"""hearthd -verifychain replays the stored chain from genesis and compares it
with the store: it passes on a chain the node made, and names the first bad
height (exit 1) once a record of the store was tampered with."""
import os
import struct
import subprocess

import pytest

from test_dev_blocks import wait_for
from test_rpc_chain import FAUCET_SECRET, SOMEONE, txgen


def storepoke(builddir, node, *args):
    """Runs the raw-record helper on the node's (closed) store."""
    exe = os.path.join(builddir, "tests", "functional", "storepoke")
    return subprocess.run([exe, os.path.join(node.netdir, "state")] + list(args),
                          capture_output=True, text=True, timeout=30, check=False)


def height_key(prefix, height):
    return (prefix.encode() + struct.pack(">Q", height)).hex()


def verify(node):
    return node.run(["-verifychain"], timeout=120)


@pytest.fixture
def chain(builddir, make_node):
    """A stopped dev node with a few blocks, one of which holds a transfer.
    Returns (node, height of the transfer's block, txid)."""
    node = make_node().start(["-emptyblockinterval=50"])
    wait_for(lambda: node.rpc("getblockcount")["height"] >= 3, what="height 3")
    tx = txgen(builddir, "transfer", FAUCET_SECRET, "hearth-dev", 1, 1000, SOMEONE, 9)
    txid = node.rpc("sendrawtransaction", tx)["txid"]
    where = wait_for(lambda: node.rpc("gettransaction", txid)["status"] == "committed" and
                     node.rpc("gettransaction", txid), what="commit")
    height = where["height"]
    wait_for(lambda: node.rpc("getblockcount")["height"] >= height + 3, what="3 more blocks")
    assert node.stop() == 0
    return node, height, txid


def test_verifychain_passes_on_the_nodes_chain(chain):
    node, _, _ = chain
    res = verify(node)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("verifychain: ok: ")
    assert len(res.stdout.strip().splitlines()) == 1
    # It wrote nothing: the chain still verifies and the node still starts.
    assert verify(node).returncode == 0
    node.start(["-emptyblockinterval=50"])
    assert node.stop() == 0


def test_verifychain_refuses_a_locked_datadir(chain):
    node, _, _ = chain
    node.start(["-emptyblockinterval=50"])
    res = verify(node)
    assert res.returncode == 1
    assert "lock" in res.stderr


def test_tampered_app_hash_names_its_height(builddir, chain):
    node, height, _ = chain
    key = height_key("a", height - 1)
    old = storepoke(builddir, node, "get", key)
    assert old.returncode == 0, old.stderr
    bad = ("00" if old.stdout[:2] != "00" else "11") + old.stdout.strip()[2:]
    assert storepoke(builddir, node, "put", key, bad).returncode == 0
    res = verify(node)
    assert res.returncode == 1
    assert "bad height %d: app hash" % (height - 1) in res.stderr


def test_tampered_block_names_its_height(builddir, chain):
    node, height, _ = chain
    key = height_key("b", height)
    old = storepoke(builddir, node, "get", key).stdout.strip()
    # Keep the stored id (the first 32 bytes), change the transfer's amount
    # field's last byte: the block no longer hashes to its id or verifies.
    raw = bytearray(bytes.fromhex(old))
    raw[-1] ^= 0x01
    assert storepoke(builddir, node, "put", key, raw.hex()).returncode == 0
    res = verify(node)
    assert res.returncode == 1
    assert "bad height %d:" % height in res.stderr


def test_missing_tx_index_entry_is_found(builddir, chain):
    node, height, txid = chain
    assert storepoke(builddir, node, "del", "78" + txid).returncode == 0
    res = verify(node)
    assert res.returncode == 1
    assert "bad height %d: tx 0 is not in the tx index" % height in res.stderr


def test_extra_state_record_is_found(builddir, chain):
    node, _, _ = chain
    assert storepoke(builddir, node, "put", "73" + b"zz-not-a-ledger-key".hex(),
                     "01").returncode == 0
    res = verify(node)
    assert res.returncode == 1
    assert "the stored ledger state is not the replayed one" in res.stderr


def test_missing_commit_certificate_is_found(builddir, chain):
    node, height, _ = chain
    assert storepoke(builddir, node, "del", height_key("c", height)).returncode == 0
    res = verify(node)
    assert res.returncode == 1
    assert "bad height %d:" % height in res.stderr


def test_no_store_is_an_error(make_node):
    node = make_node()
    res = verify(node)
    assert res.returncode == 1
    assert res.stderr.startswith("hearthd: -verifychain: ")
