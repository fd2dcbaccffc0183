"""Block sync over a long way (issue 6: a node started a day later, 1,000+
blocks behind, catches up): a dev validator makes empty blocks every
millisecond or so until its chain is BLOCKS long; a second node with the
same genesis, started only then, fetches them in batches (get_blocks, 64
at a time), checks each block's certificate, applies it, reaches the tip,
and then follows the blocks made after it. Its blocks are the validator's."""
import os
import time

from test_localnet import wait_for

BLOCKS = 1200


def height(node):
    return node.rpc("getblockcount")["height"]


def test_node_1200_blocks_behind_catches_up_and_follows(make_node):
    validator = make_node()
    validator.start(["-emptyblockinterval=1", "-whitelist=127.0.0.1"])
    wait_for(lambda: height(validator) >= BLOCKS, 180, "%d blocks made" % BLOCKS)

    late = make_node().adopt_genesis(os.path.join(validator.netdir, "genesis.json"))
    started = time.monotonic()
    late.start(["-connect=127.0.0.1:%d" % validator.port, "-whitelist=127.0.0.1"])
    wait_for(lambda: height(late) >= BLOCKS, 180, "the late node synced %d blocks" % BLOCKS)
    took = time.monotonic() - started
    assert late.log_text().count("synced to height=") >= BLOCKS // 64

    # It follows: blocks made after it caught up reach it too.
    tip = height(validator)
    wait_for(lambda: height(late) >= tip + 20, 60, "the late node following")
    for h in (1, BLOCKS // 2, BLOCKS, tip + 20):
        assert late.rpc("getblockhash", h) == validator.rpc("getblockhash", h)
    print("synced %d blocks in %.1f s" % (BLOCKS, took))
