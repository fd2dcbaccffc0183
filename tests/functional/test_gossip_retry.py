"""A tx a node's pool refused for want of room is asked for again after the
next commit (doc/p2p.md, "Tx gossip does no work twice").

A dev validator with a pool of POOL txs and a follower with a large pool,
connected. All TXS transfers (one sender, nonces in order) go to the
follower, which announces them once to the validator. The validator takes
POOL of them and refuses the rest (pool full). Before the fix nothing
brought them again: the validator committed those POOL, then made empty
blocks forever while the follower held the rest. Now, after each commit,
the validator asks the follower again for the txs it refused, as many as
its pool has room for, and commits them all."""
import os

from test_localnet import wait_for
from test_rpc_chain import SOMEONE
from test_tx_gossip_once import send_all, signed_transfers

POOL = 50
TXS = 300


def test_refused_for_room_is_fetched_after_the_commit(builddir, make_node):
    validator = make_node()
    validator.start(["-mempoolmaxtxs=%d" % POOL, "-whitelist=127.0.0.1"])
    follower = make_node().adopt_genesis(os.path.join(validator.netdir, "genesis.json"))
    follower.start(["-connect=127.0.0.1:%d" % validator.port, "-whitelist=127.0.0.1"])
    wait_for(lambda: follower.rpc("getnetworkinfo")["connections"] == 1, 30, "connected")

    send_all(follower, signed_transfers(builddir, TXS))
    wait_for(lambda: validator.rpc("getaccount", SOMEONE)["balance"] >= TXS, 60,
             "all %d transfers committed by the validator" % TXS)
    # The follower sees the blocks and its pool empties.
    wait_for(lambda: follower.rpc("getmempoolinfo")["size"] == 0, 30, "the follower's pool empty")
