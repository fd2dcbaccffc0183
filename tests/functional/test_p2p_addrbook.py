"""The address book (doc/p2p.md, "Address book") between real nodes on
127.0.0.1: node B, given only a seed (A), learns about node C (connected to
A) from A's `peers` answer and connects to it; B keeps both in
<datadir>/peers.dat, and restarted with no -seednode, -addnode or -connect
it dials them again from that file. A corrupt peers.dat is moved aside with
a warning and the node starts with an empty book. One validator (A) and two
followers of its genesis, as contrib/devnet.sh creates them."""
import os
import subprocess
import time

import pytest

from hearthnode import HearthNode
from test_localnet import free_port_range, height, wait_for

EMPTY_MS = 200
WHITELIST = "-whitelist=127.0.0.1"  # nodes sharing 127.0.0.1 never ban each other
# A and C keep no book, so that they never dial B: every connection of B's
# to them is B's own doing.
NO_BOOK = "-addrbook=0"


class Net:
    """A one-validator devnet and followers of its genesis."""

    def __init__(self, builddir, srcdir, basedir):
        self.builddir = builddir
        self.basedir = basedir
        self.port = free_port_range(4)
        env = dict(os.environ, HEARTHD=os.path.join(builddir, "hearthd"))
        subprocess.run([os.path.join(srcdir, "contrib", "devnet.sh"), "create", "1",
                        "--basedir", basedir, "--port", str(self.port),
                        "--emptyblockinterval", str(EMPTY_MS)],
                       env=env, check=True, capture_output=True, text=True, timeout=60)
        validator = HearthNode(builddir, os.path.join(basedir, "node0"))
        validator.port = self.port
        self.nodes = [validator]

    def add_follower(self):
        i = len(self.nodes)
        node = HearthNode(self.builddir, os.path.join(self.basedir, "node%d" % i))
        node.port = self.port + i
        node.adopt_genesis(os.path.join(self.basedir, "genesis.json"))
        self.nodes.append(node)
        return node

    def kill_all(self):
        for node in self.nodes:
            node.kill()


@pytest.fixture
def net(builddir, srcdir, tmpdir_clean):
    n = Net(builddir, srcdir, os.path.join(tmpdir_clean, "net"))
    yield n
    n.kill_all()


def outbound_ports(node):
    """The P2P ports of the peers node dialed (getpeerinfo addr ip:port)."""
    return {int(p["addr"].rsplit(":", 1)[1])
            for p in node.rpc("getpeerinfo")["peers"] if not p["inbound"]}


def book_ports(node):
    return {a["port"] for a in node.rpc("getnodeaddresses", 0)["addresses"]}


def stop_cleanly(node):
    assert node.stop(timeout=30) == 0, "%s did not exit 0" % node.datadir


def test_learned_peer_is_dialed_and_kept_across_restart(net):
    a = net.nodes[0]
    a.start([WHITELIST, NO_BOOK])
    wait_for(lambda: height(a) >= 1, 30, "A commits")
    c = net.add_follower()
    c.start([WHITELIST, NO_BOOK, "-addnode=127.0.0.1:%d" % a.port])
    wait_for(lambda: a.port in outbound_ports(c), 30, "C connected to A")

    b = net.add_follower()
    b.start([WHITELIST, "-seednode=127.0.0.1:%d" % a.port])
    # A told B about C (its inbound peer, by C's listening port); B dialed it.
    wait_for(lambda: c.port in outbound_ports(b), 60, "B connected to C, learned from A")
    assert "learned addresses" in b.log_text()
    assert "dialing from the address book addr=127.0.0.1:%d" % c.port in b.log_text()
    book = b.rpc("getnodeaddresses", 0)["addresses"]
    assert {a.port, c.port} <= {e["port"] for e in book}
    for e in book:
        assert e["address"] == "127.0.0.1" and e["network"] == "ipv4" and e["time"] > 0
    assert len(b.rpc("getnodeaddresses")["addresses"]) == 1  # default count 1
    stop_cleanly(b)
    assert os.path.getsize(os.path.join(b.netdir, "peers.dat")) > 0

    # No seed, no addnode, no connect: both come back from peers.dat.
    b.start([WHITELIST])
    assert "address book loaded addresses=" in b.log_text()
    wait_for(lambda: {a.port, c.port} <= outbound_ports(b), 60,
             "B redialed A and C from its peers.dat")
    tip = height(a)
    wait_for(lambda: height(b) >= tip, 60, "B synced from its peers")

    # B answers a GetPeers from its book too: with C stopped, a new node D
    # seeded by B still learns C's address (and A's, a connected peer).
    stop_cleanly(c)
    wait_for(lambda: c.port not in outbound_ports(b), 30, "B saw C go")
    d = net.add_follower()
    d.start([WHITELIST, "-seednode=127.0.0.1:%d" % b.port])
    wait_for(lambda: {a.port, b.port, c.port} <= book_ports(d), 60,
             "D learned A and C from B")
    stop_cleanly(d)
    stop_cleanly(b)
    stop_cleanly(a)
    # -addrbook=0: no book, no file.
    assert not os.path.exists(os.path.join(a.netdir, "peers.dat"))


def test_connect_limits_the_node_to_its_list(net):
    """With -connect the book is kept but neither grown from peers nor
    dialed: B stays connected to A only, although its peers.dat knows C."""
    a = net.nodes[0]
    a.start([WHITELIST, NO_BOOK])
    c = net.add_follower()
    c.start([WHITELIST, NO_BOOK, "-addnode=127.0.0.1:%d" % a.port])
    wait_for(lambda: a.port in outbound_ports(c), 30, "C connected to A")
    b = net.add_follower()
    b.start([WHITELIST, "-seednode=127.0.0.1:%d" % a.port])
    wait_for(lambda: c.port in outbound_ports(b), 60, "B connected to C")
    stop_cleanly(b)
    offset = len(b.log_text())
    started = time.monotonic()
    b.start([WHITELIST, "-connect=127.0.0.1:%d" % a.port])
    b.wait_for_log("address book loaded addresses=", after=offset)
    assert c.port in book_ports(b)
    wait_for(lambda: a.port in outbound_ports(b), 30, "B connected to A")
    # Past the book's pause after a dial (10 s), C would be dialed again
    # if -connect did not forbid it.
    time.sleep(max(0.0, 15 - (time.monotonic() - started)))
    assert "dialing from the address book" not in b.log_text()[offset:]
    assert c.port not in outbound_ports(b)
    stop_cleanly(b)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped"])
def test_corrupt_peers_dat_is_moved_aside(make_node, damage):
    node = make_node().start(["-emptyblockinterval=200"])
    stop_cleanly(node)
    path = os.path.join(node.netdir, "peers.dat")
    with open(path, "rb") as f:
        good = f.read()
    assert good[:4] == b"HPDB"
    bad = {"garbage": b"not a peers.dat at all\n" * 4,
           "truncated": good[:len(good) // 2],
           "flipped": good[:-1] + bytes([good[-1] ^ 1])}[damage]
    with open(path, "wb") as f:
        f.write(bad)
    offset = len(node.log_text())
    node.start(["-emptyblockinterval=200"])
    node.wait_for_log("moved aside to peers.dat.bak", after=offset)
    line = [l for l in node.log_text()[offset:].splitlines() if "moved aside" in l][0]
    assert " warn p2p address book: peers.dat" in line, line
    with open(os.path.join(node.netdir, "peers.dat.bak"), "rb") as f:
        assert f.read() == bad
    assert node.rpc("getnodeaddresses", 0) == {"addresses": []}
    wait_for(lambda: height(node) >= 1, 30, "the node commits")
    stop_cleanly(node)
    # Written anew at shutdown: the next start loads it without a warning.
    with open(path, "rb") as f:
        assert f.read()[:4] == b"HPDB"
    offset = len(node.log_text())
    node.start(["-emptyblockinterval=200"])
    node.wait_for_log("address book loaded addresses=0", after=offset)
    stop_cleanly(node)


def test_getnodeaddresses_refuses_a_negative_count(make_node):
    node = make_node().start(["-emptyblockinterval=200"])
    with pytest.raises(Exception) as info:
        node.rpc("getnodeaddresses", -1)
    assert getattr(info.value, "code", None) == -8
    stop_cleanly(node)
