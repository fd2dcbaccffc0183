"""A validator's double-sign report survives its restart (evidence.dat,
node/evidence_store.c). On a 4-validator localnet the offender (validator 3)
and validators 1 and 2 are stopped, so no height can commit; p2ppeer
--double-vote shows validator 0 two conflicting prevotes of the height it
decides, whose evidence must wait for that height's commit. Validator 0 is
killed (SIGKILL) while it waits, restarted alone (the double vote played
again is not reported twice), then with the others: once the height
commits, its Evidence tx, and only its, slashes and jails the offender.
Also: a damaged evidence.dat is moved aside and the node starts."""
import os
import re

from test_evidence import (ATTEMPTS, address_of, block_txs, double_vote, evidence_counts,
                           offender_key)
from test_localnet import localnet, wait_for, wait_heights, height, stop_cleanly  # noqa: F401

SEEN = r"double signing seen offender=%s kind=vote height=(\d+)"


def see_double_vote(builddir, node, key_file, pubkey, after):
    """Plays the double vote until node logs it past offset after.
    Returns the height it saw it at."""
    for _ in range(ATTEMPTS):
        double_vote(builddir, node, key_file)
        try:
            node.wait_for_log("double signing seen offender=" + pubkey, timeout=5, after=after)
        except AssertionError:
            continue
        return int(re.search(SEEN % pubkey, node.log_text()[after:]).group(1))
    raise AssertionError("no double vote seen in %d attempts" % ATTEMPTS)


def test_evidence_waiting_at_a_kill_is_sent_after_the_restart(localnet, builddir):
    nodes = localnet.nodes
    entry, others, offender = nodes[0], nodes[1:3], nodes[3]
    reporter, _ = offender_key(entry)
    for node in nodes:
        localnet.start(node)
    wait_heights(nodes, 3)
    assert offender.stop(timeout=30) == 0
    pubkey, key_file = offender_key(offender)
    addr = address_of(entry, pubkey, height(entry) + 1)
    reporter_addr = address_of(entry, reporter, height(entry) + 1)
    bonded = entry.rpc("getaccount", addr)["bonded"]
    ppm = entry.rpc("getgenesis")["genesis"]["params"]["slash_fraction_ppm"]
    # Two of four validators left: nothing commits from here on.
    stop_cleanly(others)
    tip = height(entry)

    seen_at = see_double_vote(builddir, entry, key_file, pubkey, 0)
    assert seen_at > tip
    entry.wait_for_log("evidence waits for height=%d" % seen_at)
    path = os.path.join(entry.netdir, "evidence.dat")
    assert os.path.exists(path)
    entry.kill()  # SIGKILL: only what was on disk when it waited is left

    # Alone again: the evidence is loaded and still waits; the same double
    # vote played again is recognised as reported.
    offset = len(entry.log_text())
    localnet.start(entry)
    entry.wait_for_log("evidence file loaded reported=1 waiting=1", after=offset)
    assert height(entry) < seen_at
    again = see_double_vote(builddir, entry, key_file, pubkey, offset)
    assert again == seen_at
    assert "evidence waits" not in entry.log_text()[offset:]
    assert evidence_counts(entry) == {"submitted": 0, "committed": 0}
    assert entry.stop(timeout=30) == 0

    # With validators 1 and 2 the height commits and the node sends it.
    offset = len(entry.log_text())
    for node in [entry] + others:
        localnet.start(node)
    entry.wait_for_log("evidence file loaded reported=1 waiting=1", after=offset)
    wait_for(lambda: entry.rpc("getprovider", addr)["jailed"], 90, "the offender jailed")
    after = entry.rpc("getaccount", addr)
    assert after["bonded"] == bonded - bonded * ppm // 1000000

    # The tx is validator 0's, sent once, after the restart.
    found = re.findall(r"evidence committed height=(\d+) tx=(\w+)", entry.log_text())
    assert len(found) == 1, found
    at, txid = int(found[0][0]), found[0][1]
    assert at > seen_at
    assert entry.log_text().count("evidence submitted offender=" + pubkey) == 1
    decoded = [entry.rpc("decoderawtransaction", tx.hex()) for tx in block_txs(entry, at)]
    mine = [d for d in decoded if d["txid"] == txid]
    assert len(mine) == 1 and "evidence" in mine[0], decoded
    assert mine[0]["sender"] == reporter_addr
    assert evidence_counts(entry) == {"submitted": 1, "committed": 1}
    for node in others:
        assert evidence_counts(node) == {"submitted": 0, "committed": 0}
        assert "evidence submitted" not in node.log_text()
    # Sent: the waiting list on disk is empty again.
    wait_heights([entry] + others, at + 1)
    stop_cleanly([entry] + others)
    offset = len(entry.log_text())
    localnet.start(entry)
    entry.wait_for_log("evidence file loaded reported=1 waiting=0", after=offset)
    assert entry.stop(timeout=30) == 0


def test_damaged_evidence_file_is_moved_aside(make_node):
    node = make_node()
    node.start()
    assert node.stop() == 0
    path = os.path.join(node.netdir, "evidence.dat")
    with open(path, "wb") as f:
        # Magic, version and length right, the rest (checksum included) zero.
        f.write(b"HEVD" + (1).to_bytes(4, "little") + (88).to_bytes(4, "little") +
                b"\x00" * 76)
    node.start()
    node.wait_for_log("evidence.dat: checksum mismatch")
    assert "evidence.dat moved to " in node.log_text()
    assert not os.path.exists(path)
    assert os.path.exists(path + ".bad")
    start = height(node)
    wait_for(lambda: height(node) > start + 1, 30, "blocks after the start")
    assert node.stop() == 0
