"""Vote gossip (doc/p2p.md, "Vote gossip"): a validator that joins in the
middle of a height gets the votes of the others from a peer, not only that
peer's own votes.

A 4-validator localnet on a line: node0 - node1 - node2. node0 and node1
start alone (half of the power: no quorum, no block; the engine then waits
in round 0, as no timeout fires without a quorum of votes). node2 then
starts and connects to node1 only. It needs node0's votes of round 0,
which node1 had received long before and relayed only once, when they were
new. Without vote gossip it never gets them: the three stay stuck in round
0 forever, and no block is ever committed (checked by hand with the gossip
timer disabled). With it, node1 sends them at once and the three commit."""
import os
import time
import urllib.request

from test_localnet import Localnet, height, stop_cleanly, wait_for, wait_heights

# With gossip the first block comes within a few seconds; without it,
# never. Generous for a loaded machine under ASan.
COMMIT_BOUND_S = 30


def metric(node, name):
    """The value of a family without labels in GET /metrics."""
    url = "http://127.0.0.1:%d/metrics" % node.rpcport
    with urllib.request.urlopen(url, timeout=10) as resp:
        for line in resp.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    raise AssertionError("no metric " + name)


def start_connected(localnet, node, peers):
    node.start(["-whitelist=127.0.0.1"] +
               ["-connect=127.0.0.1:%d" % p.port for p in peers])


def peers(node):
    return node.rpc("getnetworkinfo")["connections"]


def test_late_validator_gets_the_votes_of_others(builddir, srcdir, tmpdir_clean):
    net = Localnet(builddir, srcdir, os.path.join(tmpdir_clean, "net"))
    try:
        n0, n1, n2 = net.nodes[:3]
        start_connected(net, n0, [n1])
        start_connected(net, n1, [n0])
        wait_for(lambda: peers(n0) == 1 and peers(n1) == 1, 30, "node0 and node1 connected")
        time.sleep(2)  # both vote in round 0 (propose timeout < 1 s), then wait
        assert height(n0) == 0 and height(n1) == 0

        start_connected(net, n2, [n1])
        wait_for(lambda: peers(n1) == 2, 30, "node2 connected to node1")
        wait_heights([n0, n1, n2], 1, timeout=COMMIT_BOUND_S)
        # node1 sent node2 the votes it lacked (node0's at least).
        assert metric(n1, "hearth_p2p_votes_resent_total") >= 1
        assert peers(n0) == 1 and peers(n2) == 1  # still a line
        stop_cleanly([n0, n1, n2])
    finally:
        net.kill_all()


def test_validator_a_height_behind_gets_the_votes_it_dropped(builddir, srcdir, tmpdir_clean):
    """Three of four validators, all needed for a quorum; node0 waits 3 s
    after each commit (-timeoutcommit, as validator 3's precommit never
    comes) while node1 and node2 start the next height at once. Their
    proposal and votes of that height reach node0 while it is still in the
    previous one, and its engine refuses them. node0's driver keeps them and
    hands them to the engine when it starts that height (node/cs_early.h;
    gossip would also send them again once node0 announces it, unless they
    were marked as delivered). Before either, they were marked as sent, only
    the blind re-send of each node's own votes (every 500 ms) got node0
    going, and without it the three stalled for good at height 1 (node0
    waiting for prevotes, the others for node0's precommit)."""
    net = Localnet(builddir, srcdir, os.path.join(tmpdir_clean, "net"))
    try:
        n0, n1, n2 = net.nodes[:3]
        n0.start(["-whitelist=127.0.0.1", "-timeoutcommit=3000", "-debug=consensus"] +
                 ["-connect=127.0.0.1:%d" % p.port for p in (n1, n2)])
        start_connected(net, n1, [n0, n2])
        start_connected(net, n2, [n0, n1])
        # about 3-4 s a height; generous for a loaded machine under ASan
        wait_heights([n0, n1, n2], 4, timeout=120)
        assert "replaying" in n0.log_text()  # the next height's messages, kept
        stop_cleanly([n0, n1, n2])
    finally:
        net.kill_all()
