"""hearthd's P2P port against a real, misbehaving peer (tests/functional/
p2ppeer, which runs node/p2p_handshake.c with a fresh node key): a wrong
chain id or genesis hash is refused in the handshake; an oversize, tampered
or undecodable frame after it closes the connection. Each bans 127.0.0.1
(doc/p2p.md, "Scoring and bans": 100 points each), counted in
hearth_p2p_bans_total, and the node keeps committing throughout. One node
per case, with a short -bantime, so bans do not interfere."""
import os
import subprocess

import pytest

from test_p2p_bans import FAST, hello_from, height, metric, wait_height, wait_metric

BANTIME = 30  # seconds: the whole case runs well within it

CASES = [
    # (name, how p2ppeer differs from an honest peer, the offence logged,
    #  where the node closed)
    ("wrong-chain-id", ["--chain-id", "hearth-other"], "offence=bad-handshake",
     "in handshake"),
    ("wrong-genesis", ["--genesis-hash", "ab" * 32], "offence=bad-handshake",
     "in handshake"),
    # one byte of plaintext over the node's cap (--cap is filled in below)
    ("oversize", ["--oversize", "--cap"], "offence=oversize", "after handshake"),
    ("tampered", ["--tampered"], "offence=bad-frame", "after handshake"),
    ("undecodable", ["--undecodable"], "offence=undecodable", "after handshake"),
]


def frame_cap(node):
    """The node's frame cap (node/net.c): 4 MiB, or one block plus 1 MiB."""
    params = node.rpc("getgenesis")["genesis"]["params"]
    return max(4 << 20, params["max_block_bytes"] + (1 << 20))


def chain_facts(node):
    info = node.rpc("getblockchaininfo")
    genesis = node.rpc("getgenesis")
    assert genesis["hash"] == info["genesis_hash"]
    return info["chain_id"], info["genesis_hash"]


def p2ppeer(builddir, node, extra, timeout=30, peer_timeout=10):
    chain_id, genesis_hash = chain_facts(node)
    args = {"--chain-id": chain_id, "--genesis-hash": genesis_hash}
    flags = []
    i = 0
    while i < len(extra):  # later values override the node's own
        if extra[i] in args:
            args[extra[i]] = extra[i + 1]
            i += 2
        else:
            flags.append(extra[i])
            i += 1
    cmd = [os.path.join(builddir, "tests", "functional", "p2ppeer"),
           "--port", str(node.port), "--timeout", str(peer_timeout)]
    for key, val in args.items():
        cmd += [key, val]
    return subprocess.run(cmd + flags, capture_output=True, text=True, timeout=timeout)


def test_honest_peer_stays_connected(builddir, make_node):
    """The control: the right chain id and genesis, no misbehaviour: the node
    keeps the connection open (p2ppeer exits 2 at its timeout), bans nothing."""
    node = make_node().start(FAST + ["-bantime=%d" % BANTIME])
    wait_height(node, 1)
    res = p2ppeer(builddir, node, [], peer_timeout=4)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "handshake done" in res.stdout and "still open" in res.stdout
    assert metric(node, "hearth_p2p_bans_total") == 0
    assert "banned ip=" not in node.log_text()


@pytest.mark.parametrize("name,extra,offence,where", CASES, ids=[c[0] for c in CASES])
def test_misbehaving_peer_is_closed_and_banned(builddir, make_node, name, extra, offence,
                                               where):
    node = make_node().start(FAST + ["-bantime=%d" % BANTIME])
    wait_height(node, 1)
    assert metric(node, "hearth_p2p_bans_total") == 0
    h = height(node)
    if extra[-1] == "--cap":
        extra = extra + [str(frame_cap(node))]
    res = p2ppeer(builddir, node, extra)
    assert res.returncode == 0, "%s: %s%s" % (name, res.stdout, res.stderr)
    if where == "after handshake":
        assert "handshake done" in res.stdout and "closed after handshake" in res.stdout
    else:  # closed by the node, whether or not this side saw the mismatch first
        assert "handshake done" not in res.stdout
        assert "closed in handshake" in res.stdout or "refused in handshake" in res.stdout
    node.wait_for_log(offence)
    node.wait_for_log("banned ip=127.0.0.1 for_ms=%d" % (BANTIME * 1000))
    wait_metric(node, "hearth_p2p_bans_total", 1)
    assert metric(node, "hearth_p2p_bans_total") == 1
    # Banned: the next connection is closed before the node's hello.
    assert hello_from(node.port) == b""
    # The node kept committing through it all.
    wait_height(node, h + 3)
    assert node.proc.poll() is None


def test_frame_header_at_the_cap_is_not_an_offence(builddir, make_node):
    """The other side of the oversize case: a header declaring exactly the
    cap is accepted (the node waits for the body), so the ban above is for
    the one byte over it."""
    node = make_node().start(FAST + ["-bantime=%d" % BANTIME])
    wait_height(node, 1)
    res = p2ppeer(builddir, node, ["--oversize", "--cap", str(frame_cap(node) - 1)],
                  peer_timeout=3)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "still open after handshake" in res.stdout
    assert metric(node, "hearth_p2p_bans_total") == 0
    assert "offence=" not in node.log_text()
