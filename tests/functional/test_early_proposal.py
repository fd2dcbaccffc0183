"""A proposal of the next height that reaches a validator while it still
waits in the commit step of the height it just decided is kept and handed
to its engine when it starts that height (node/cs_early.h).

Three of four validators of a localnet run (node3 stays down, so no height
ever gets all its precommits and every validator waits out its own
timeout_commit). node0 and node1 wait 170 ms, node2 only 10 ms: node2
proposes (an empty block, EMPTY_BLOCK_MS after it starts a height) while
node0 and node1 are still in the commit step of the height before, and
their engines refuse the proposal as stale. node2 does not send it again
(it marked it as sent). Before the fix node0 and node1 started that height
without a proposal, prevoted nil at the propose timeout, and the height
took a second round; now they prevote it in round 0.

The timings leave node2 the time to see the slow validators' proposals:
they propose at 170 + 20 ms, node2 gives up at 10 + 300 + 20 ms (the dev
propose timeout is 300 ms plus the empty-block interval)."""
import re

from test_localnet import localnet, stop_cleanly, wait_heights  # noqa: F401 (fixture)

HEIGHTS = 14  # node2 is the round-0 proposer of every fourth height or so
EMPTY_BLOCK_MS = 20


def early_heights(node):
    """Heights whose round-0 proposal node's engine refused as stale."""
    return {int(h) for h in re.findall(r"proposal peer=\d+ height=(\d+) round=0: stale",
                                       node.log_text())}


def second_round_heights(node):
    """Heights at which node prevoted in a round above 0."""
    return {int(h) for h in re.findall(r"vote type=1 height=(\d+) round=[1-9]",
                                       node.log_text())}


def lines_about(nodes, height):
    """The log lines of each node that name height (for a failure)."""
    pattern = re.compile(r"height=%d\b" % height)
    return "\n".join("node%d: %s" % (i, line) for i, node in enumerate(nodes)
                     for line in node.log_text().splitlines() if pattern.search(line))


def test_next_height_proposal_received_in_commit_step_is_kept(localnet):
    n0, n1, n2, _ = localnet.nodes
    empty = "-emptyblockinterval=%d" % EMPTY_BLOCK_MS
    slow = ["-timeoutcommit=170", empty, "-debug=consensus,p2p"]
    localnet.start(n0, slow)
    localnet.start(n1, slow)
    localnet.start(n2, ["-timeoutcommit=10", empty, "-debug=consensus,p2p"])
    wait_heights([n0, n1, n2], HEIGHTS, timeout=120)
    stop_cleanly([n0, n1, n2])

    early = early_heights(n0) - {HEIGHTS, HEIGHTS + 1}  # the last may be cut short
    assert len(early) >= 2, "the scenario did not happen: %s" % early
    late = early & second_round_heights(n0)
    assert not late, "heights %s needed a second round at node0:\n%s" % (
        sorted(late), lines_about([n0, n1, n2], min(late)))
    assert "kept a proposal of the next height" in n0.log_text()
