"""kill -9 of a validator under tx load (issue 6): one validator of a
4-validator localnet is killed with SIGKILL at random moments, and
restarted, HEARTH_LOCALNET_KILLS times (default 20), while a thread sends
signed transfers to the three other nodes. After each restart the killed
validator catches up. At the end:

- every tx sent was committed, and every tx any RPC call reported
  committed is committed on all four nodes at the height it was reported at;
- all nodes agree on the block id and app hash of every common height, and
  reach a common tip;
- no node logged "double signing seen" (node/evidence_submit.c, on the
  evidence the engine builds from two conflicting votes): the victim's
  double-sign guard held across every kill;
- and the network agrees: no evidence tx is in any block. An evidence tx
  is only valid (and a block only holds valid txs) when it jails its
  offender and slashes its bond, so it is enough that every genesis
  validator is still bonded as at genesis, not jailed and in the set, and
  that no node sent evidence (hearth_evidence_total).

HEARTH_LOCALNET_KILL_SEED fixes the random moments (the seed is printed)."""
import os
import random
import subprocess
import threading
import time

from hearthnode import RpcError
from test_localnet import localnet, wait_for, wait_heights, height, stop_cleanly  # noqa: F401
from test_rpc_chain import FAUCET_SECRET, SOMEONE
from test_evidence import evidence_counts

KILLS = int(os.environ.get("HEARTH_LOCALNET_KILLS", "20"))
FEE = 1000
SIGNED = 6000  # more than the load thread can send in the test's time
CHUNK = 25     # consecutive nonces sent to one node before moving on


def sign_transfers(builddir, count):
    """[(txid, tx hex)] for the faucet's nonces 1..count (tests/functional/txbatch)."""
    res = subprocess.run([os.path.join(builddir, "tests", "functional", "txbatch"),
                          FAUCET_SECRET, "hearth-dev", "1", str(count), str(FEE), SOMEONE, "1"],
                         capture_output=True, text=True, check=True, timeout=60)
    return [tuple(line.split()) for line in res.stdout.splitlines()]


def tx_status(node, txid):
    """gettransaction's answer, or None (unknown, or the node is down)."""
    try:
        return node.rpc("gettransaction", txid)
    except (RpcError, OSError):
        return None


class Load:
    """Sends the signed transfers in nonce order, CHUNK at a time to each of
    the given nodes in turn, and records what the RPCs reported."""

    def __init__(self, nodes, txs):
        self.nodes = nodes
        self.txs = txs
        self.sent = 0            # txs[:sent] were accepted by some node
        self.committed = {}      # txid -> height an RPC reported it committed at
        self.stop = threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self.run, daemon=True)

    def send_one(self, node, txid, tx):
        """True once node holds the tx (accepted now, or known already)."""
        try:
            node.rpc("sendrawtransaction", tx)
            return True
        except (RpcError, OSError):
            status = tx_status(node, txid)
            return status is not None and status["status"] in ("pending", "committed")

    def poll_committed(self):
        """Asks a random node about the txs sent and not yet seen committed."""
        node = random.choice(self.nodes)
        for txid, _ in self.txs[max(0, self.sent - 4 * CHUNK):self.sent]:
            if txid in self.committed:
                continue
            status = tx_status(node, txid)
            if status is not None and status["status"] == "committed":
                self.committed[txid] = status["height"]

    def run(self):
        try:
            turn = 0
            while not self.stop.is_set() and self.sent < len(self.txs):
                node = self.nodes[turn % len(self.nodes)]
                for _ in range(CHUNK):
                    if self.sent >= len(self.txs):
                        break
                    txid, tx = self.txs[self.sent]
                    # The node may not have the previous nonce yet (gossip):
                    # retry a little, then move on to the next node.
                    for _ in range(50):
                        if self.send_one(node, txid, tx) or self.stop.is_set():
                            break
                        time.sleep(0.02)
                    else:
                        break
                    if self.stop.is_set():
                        return
                    self.sent += 1
                turn += 1
                self.poll_committed()
                time.sleep(0.05)
        except Exception as exc:  # reported by the test
            self.error = exc


def headers(node, upto):
    return [(h["id"], h["app_hash"]) for h in
            (node.rpc("getblockheader", i) for i in range(1, upto + 1))]


def assert_no_evidence(nodes):
    """No evidence tx committed, none sent (see the module's docstring)."""
    genesis = nodes[0].rpc("getvalidators", 1)["validators"]
    now = nodes[0].rpc("getvalidators")["validators"]
    assert [m["pubkey"] for m in now] == [m["pubkey"] for m in genesis]
    for member in genesis:
        assert nodes[0].rpc("getaccount", member["address"])["bonded"] == member["voting_power"]
        assert not nodes[0].rpc("getprovider", member["address"])["jailed"]
    for node in nodes:
        assert evidence_counts(node)["submitted"] == 0, node.datadir


def test_validator_killed_under_load_never_double_signs(localnet, builddir):
    seed = int(os.environ.get("HEARTH_LOCALNET_KILL_SEED", str(random.randrange(1 << 30))))
    print("HEARTH_LOCALNET_KILL_SEED=%d" % seed)
    rnd = random.Random(seed)
    nodes = localnet.nodes
    victim = nodes[1]
    others = [n for n in nodes if n is not victim]
    txs = sign_transfers(builddir, SIGNED)
    for node in nodes:
        localnet.start(node)
    wait_heights(nodes, 2)

    load = Load(others, txs)
    load.thread.start()
    try:
        for _ in range(KILLS):
            time.sleep(rnd.uniform(0.1, 0.8))
            victim.kill()
            top = max(height(n) for n in others)
            time.sleep(rnd.uniform(0.0, 0.4))
            localnet.start(victim)
            # It catches up with the others' tip at the moment it was killed
            # (they go on without it: three of four are a quorum).
            wait_heights([victim], top, timeout=60)
            assert load.error is None, load.error
    finally:
        load.stop.set()
        load.thread.join(30)
    assert load.error is None, load.error
    assert load.sent > 0

    # Every tx sent gets committed (nonces in order: the last one implies
    # the rest), on every node, the victim included.
    last = txs[load.sent - 1][0]
    wait_for(lambda: all((tx_status(n, last) or {}).get("status") == "committed"
                         for n in nodes), 60, "the last tx committed on every node")
    for txid, _ in txs[:load.sent]:
        where = {(tx_status(n, txid) or {}).get("height") for n in nodes}
        assert len(where) == 1 and None not in where, (txid, where)
        if txid in load.committed:
            assert where == {load.committed[txid]}, (txid, where, load.committed[txid])
    assert load.committed, "no RPC ever reported a commit during the load"

    # One chain: same block ids and app hashes at every common height, then
    # a common tip.
    common = min(height(n) for n in nodes)
    reference = headers(nodes[0], common)
    for node in nodes[1:]:
        assert headers(node, common) == reference

    def same_tip():
        infos = [n.rpc("getblockchaininfo") for n in nodes]
        return len({(i["height"], i["best_block_hash"], i["app_hash"]) for i in infos}) == 1

    wait_for(same_tip, 30, "a common tip and app hash")
    for node in nodes:
        assert "double signing seen" not in node.log_text(), node.datadir
    assert_no_evidence(nodes)
    print("kills=%d txs_sent=%d seen_committed=%d height=%d" %
          (KILLS, load.sent, len(load.committed), common))
    stop_cleanly(nodes)
