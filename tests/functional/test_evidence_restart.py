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


def file_counts(node):
    """(num_waiting, num_pending) in node's evidence.dat (header at 20, 24;
    node/evidence_file.h)."""
    try:
        with open(os.path.join(node.netdir, "evidence.dat"), "rb") as f:
            head = f.read(28)
    except FileNotFoundError:
        return None
    return (int.from_bytes(head[20:24], "little"), int.from_bytes(head[24:28], "little"))


class Setup:
    """Validators 1 to 3 stopped (3 is the offender), validator 0 (entry)
    holding the evidence of its double vote at height seen_at, which cannot
    commit."""

    def __init__(self, localnet, builddir):
        nodes = localnet.nodes
        self.entry, self.others, offender = nodes[0], nodes[1:3], nodes[3]
        self.reporter, _ = offender_key(self.entry)
        for node in nodes:
            localnet.start(node)
        wait_heights(nodes, 3)
        assert offender.stop(timeout=30) == 0
        self.pubkey, self.key_file = offender_key(offender)
        entry = self.entry
        self.addr = address_of(entry, self.pubkey, height(entry) + 1)
        self.reporter_addr = address_of(entry, self.reporter, height(entry) + 1)
        self.bonded = entry.rpc("getaccount", self.addr)["bonded"]
        self.ppm = entry.rpc("getgenesis")["genesis"]["params"]["slash_fraction_ppm"]
        # Two of four validators left: nothing commits from here on.
        stop_cleanly(self.others)
        tip = height(entry)
        self.seen_at = see_double_vote(builddir, entry, self.key_file, self.pubkey, 0)
        assert self.seen_at > tip
        entry.wait_for_log("evidence waits for height=%d" % self.seen_at)
        # Saved just after the log line.
        wait_for(lambda: file_counts(entry) == (1, 0), 10, "the evidence in evidence.dat")

    def check_punished_by_entry(self, submitted):
        """The offender is slashed and jailed by one tx of entry, which
        logged `submitted` submissions in all."""
        entry, others = self.entry, self.others
        wait_for(lambda: entry.rpc("getprovider", self.addr)["jailed"], 90,
                 "the offender jailed")
        after = entry.rpc("getaccount", self.addr)
        assert after["bonded"] == self.bonded - self.bonded * self.ppm // 1000000
        found = re.findall(r"evidence committed height=(\d+) tx=(\w+)", entry.log_text())
        assert len(found) == 1, found
        at, txid = int(found[0][0]), found[0][1]
        assert at > self.seen_at
        assert entry.log_text().count("evidence submitted offender=" + self.pubkey) == submitted
        decoded = [entry.rpc("decoderawtransaction", tx.hex()) for tx in block_txs(entry, at)]
        mine = [d for d in decoded if d["txid"] == txid]
        assert len(mine) == 1 and "evidence" in mine[0], decoded
        assert mine[0]["sender"] == self.reporter_addr
        assert evidence_counts(entry) == {"submitted": 1, "committed": 1}
        for node in others:
            assert evidence_counts(node) == {"submitted": 0, "committed": 0}
            assert "evidence submitted" not in node.log_text()
        return at


def test_evidence_waiting_at_a_kill_is_sent_after_the_restart(localnet, builddir):
    setup = Setup(localnet, builddir)
    entry, others, pubkey, seen_at = setup.entry, setup.others, setup.pubkey, setup.seen_at
    entry.kill()  # SIGKILL: only what was on disk when it waited is left

    # Alone again: the evidence is loaded and still waits; the same double
    # vote played again is recognised as reported.
    offset = len(entry.log_text())
    localnet.start(entry)
    entry.wait_for_log("evidence file loaded reported=1 waiting=1", after=offset)
    assert height(entry) < seen_at
    again = see_double_vote(builddir, entry, setup.key_file, pubkey, offset)
    assert again == seen_at
    assert "evidence waits" not in entry.log_text()[offset:]
    assert evidence_counts(entry) == {"submitted": 0, "committed": 0}
    assert entry.stop(timeout=30) == 0

    # With validators 1 and 2 the height commits and the node sends it.
    offset = len(entry.log_text())
    for node in [entry] + others:
        localnet.start(node)
    entry.wait_for_log("evidence file loaded reported=1 waiting=1", after=offset)
    at = setup.check_punished_by_entry(1)
    # Sent: the waiting list on disk is empty again.
    wait_heights([entry] + others, at + 1)
    stop_cleanly([entry] + others)
    offset = len(entry.log_text())
    localnet.start(entry)
    entry.wait_for_log("evidence file loaded reported=1 waiting=0 pending=0", after=offset)
    assert entry.stop(timeout=30) == 0


def test_evidence_tx_lost_with_the_mempools_is_sent_again(localnet, builddir):
    """The tx is sent when the height commits, but every mempool holding it
    is lost before the next block (the commit wait is long, since the
    offender's precommit never comes): sent again after the restart."""
    setup = Setup(localnet, builddir)
    entry, others = setup.entry, setup.others
    assert entry.stop(timeout=30) == 0
    offset = len(entry.log_text())
    for node in [entry] + others:
        localnet.start(node, ["-timeoutcommit=30000"])
    entry.wait_for_log("evidence submitted offender=" + setup.pubkey, timeout=60, after=offset)
    # The file is saved just after the log line: wait until the evidence
    # moved from the waiting list to the pending one on disk.
    wait_for(lambda: file_counts(entry) == (0, 1), 10, "the pending tx in evidence.dat")
    for node in [entry] + others:
        node.kill()
    assert "evidence committed" not in entry.log_text()

    offset = len(entry.log_text())
    for node in [entry] + others:
        localnet.start(node)
    entry.wait_for_log("evidence file loaded reported=1 waiting=0 pending=1", after=offset)
    setup.check_punished_by_entry(2)
    stop_cleanly([entry] + others)


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
    assert os.path.exists(path + ".bak")
    start = height(node)
    wait_for(lambda: height(node) > start + 1, 30, "blocks after the start")
    assert node.stop() == 0
