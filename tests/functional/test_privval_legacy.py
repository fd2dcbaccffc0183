"""A -dev node started on a datadir whose priv_validator_state is still in
the old JSON format (before the two-slot file, node/privval_legacy.c):
it converts the file at start (replacing it, the JSON is not kept) and
never signs below or at the record it read; a malformed JSON file stops it
before it signs anything."""
import hashlib
import json
import os
import re
import time
import urllib.request

import pytest

STATE = "priv_validator_state"
DEV = ["-emptyblockinterval=100", "-debug=consensus"]
STEP_PRECOMMIT = 3
VOTE_PRECOMMIT = 2


def wait_for(predicate, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def committed_height(text):
    """The highest 'committed height=N' in a piece of debug.log (0: none)."""
    heights = [int(h) for h in re.findall(r" committed height=(\d+) ", text)]
    return max(heights, default=0)


def stopped_dev_node(make_node, min_height=3):
    """A -dev node that committed at least min_height blocks and was stopped.
    Returns (node, H): H is the last height it committed."""
    node = make_node().start(DEV)
    wait_for(lambda: node.rpc("getblockcount")["height"] >= min_height, what="first blocks")
    assert node.stop() == 0
    return node, committed_height(node.log_text())


def record(height, round_, step, has_block, seed):
    """A guard record with distinct bytes per field (seed varies them)."""
    def fill(tag, n):
        return hashlib.blake2b(("%s/%s" % (seed, tag)).encode(), digest_size=n).digest()
    block_id = fill("block", 32) if has_block else bytes(32)
    locked = has_block and step == STEP_PRECOMMIT
    return {
        "height": height, "round": round_, "step": step, "has_block": has_block,
        "digest": fill("digest", 32), "sig": fill("sig", 64), "block_id": block_id,
        "pol_round": -1, "lock_round": round_ if locked else -1,
        "lock_id": block_id if locked else bytes(32),
    }


def legacy_json(rec):
    """rec as the old privval_file_persist wrote it (jansson, JSON_SORT_KEYS |
    JSON_INDENT(1), lower-case hex)."""
    obj = {k: (v.hex() if isinstance(v, bytes) else v) for k, v in rec.items()}
    return json.dumps(obj, sort_keys=True, indent=1)


def slot_bytes(rec, seq):
    """One slot of the current format (node/privval_format.h), checksum included."""
    body = (b"HPV1" + seq.to_bytes(8, "little") + rec["height"].to_bytes(8, "little") +
            rec["round"].to_bytes(4, "little") + bytes([rec["step"], int(rec["has_block"])]) +
            rec["pol_round"].to_bytes(4, "little", signed=True) +
            rec["lock_round"].to_bytes(8, "little", signed=True) +
            rec["digest"] + rec["sig"] + rec["block_id"] + rec["lock_id"])
    assert len(body) == 198
    return body + hashlib.blake2b(body, digest_size=32).digest()


def converted_image(rec):
    """The whole file the conversion writes: rec in slot 0 (seq 1), slot 1 empty."""
    slot = slot_bytes(rec, 1)
    return slot + bytes(8192 - len(slot))


def read_state(node):
    with open(os.path.join(node.netdir, STATE), "rb") as f:
        return f.read()


def write_state(node, text):
    with open(os.path.join(node.netdir, STATE), "w", encoding="utf-8") as f:
        f.write(text)


def state_files(node):
    return sorted(n for n in os.listdir(node.netdir) if n.startswith(STATE))


def rounds_histogram(node):
    """(count of heights decided in round 0, count of all) since start."""
    url = "http://127.0.0.1:%d/metrics" % node.rpcport
    with urllib.request.urlopen(url, timeout=10) as resp:
        text = resp.read().decode()
    first = re.search(r'^hearth_consensus_rounds_bucket\{le="1"\} (\d+)$', text, re.M)
    total = re.search(r"^hearth_consensus_rounds_count (\d+)$", text, re.M)
    return int(first.group(1)), int(total.group(1))


def test_json_ahead_of_the_chain_is_converted_and_nothing_is_signed(make_node):
    """The JSON says the validator precommitted at H+5 while the chain is at
    H: after the conversion the guard refuses every signature at H+1, so the
    single dev validator proposes and votes nothing and commits nothing."""
    node, tip = stopped_dev_node(make_node)
    ahead = record(tip + 5, 0, STEP_PRECOMMIT, True, "ahead")
    write_state(node, legacy_json(ahead))
    offset = len(node.log_text())
    node.start(DEV)
    node.wait_for_log("converted %s from JSON to the slot format height=%d round=0 step=3" %
                      (STATE, tip + 5), after=offset)
    # The file is now the slot format holding exactly the JSON's record; the
    # JSON was replaced (renamed over), not kept beside it.
    assert read_state(node) == converted_image(ahead)
    assert state_files(node) == [STATE]
    # The engine reaches the point where it would propose H+1 (it builds the
    # block), then the guard refuses: no proposal, no vote ever leaves.
    node.wait_for_log("block request height=%d round=0" % (tip + 1), after=offset)
    time.sleep(3.0)  # the dev propose timeout is 400 ms: several times over
    after = node.log_text()[offset:]
    # (not "replaying a logged proposal": the WAL may hold one of H+1)
    assert "consensus proposal height=" not in after
    assert "consensus vote type=" not in after
    assert node.rpc("getblockcount")["height"] == tip
    assert read_state(node) == converted_image(ahead)
    assert node.stop() == 0
    # A second start reads the slot file: nothing to convert any more.
    offset = len(node.log_text())
    node.start(DEV)
    time.sleep(1.0)
    assert "converted" not in node.log_text()[offset:]
    assert node.rpc("getblockcount")["height"] == tip
    assert read_state(node) == converted_image(ahead)
    assert node.stop() == 0


def test_json_nil_precommit_at_the_next_height_moves_to_a_later_round(make_node):
    """The JSON says the validator precommitted nil at (H+1, round 0): the
    node sends that precommit again but signs no proposal or prevote of round
    0 (they would come before it); H+1 is decided in a later round, and the
    chain goes on."""
    node, tip = stopped_dev_node(make_node)
    nil = record(tip + 1, 0, STEP_PRECOMMIT, False, "nil")
    write_state(node, legacy_json(nil))
    offset = len(node.log_text())
    node.start(DEV)
    node.wait_for_log("converted %s from JSON to the slot format height=%d round=0 step=3" %
                      (STATE, tip + 1), after=offset)
    node.wait_for_log("committed height=%d " % (tip + 1), timeout=30, after=offset)
    after = node.log_text()[offset:]
    nxt = tip + 1
    assert "consensus vote type=%d height=%d round=0" % (VOTE_PRECOMMIT, nxt) in after
    assert "consensus proposal height=%d round=0" % nxt not in after
    assert "consensus vote type=1 height=%d round=0" % nxt not in after
    assert re.search(r"consensus proposal height=%d round=[1-9]" % nxt, after)
    first_round, decided = rounds_histogram(node)
    assert decided >= 1 and first_round < decided
    wait_for(lambda: node.rpc("getblockcount")["height"] >= tip + 4, what="more blocks")
    assert node.stop() == 0
    image = read_state(node)
    assert len(image) == 8192 and image[:4] == b"HPV1"
    assert state_files(node) == [STATE]


def broken(rec, **changes):
    obj = json.loads(legacy_json(rec))
    for key, value in changes.items():
        if value is None:
            del obj[key]
        else:
            obj[key] = value
    return json.dumps(obj, sort_keys=True, indent=1)


@pytest.fixture
def stopped_node(make_node):
    return stopped_dev_node(make_node, min_height=1)


def malformed_files():
    rec = record(9, 0, STEP_PRECOMMIT, True, "bad")
    good = legacy_json(rec)
    return {
        "not json": "{ not json",
        "cut short": good[:len(good) // 2],
        "sig missing": broken(rec, sig=None),
        "step out of range": broken(rec, step=4),
        "negative height": broken(rec, height=-1),
        "round as a string": broken(rec, round="0"),
        "digest too short": broken(rec, digest="00" * 31),
        "digest not hex": broken(rec, digest="zz" * 32),
        "duplicate key": good.replace('"round": 0', '"round": 0,\n "round": 1'),
        "has_block not boolean": broken(rec, has_block=1),
    }


@pytest.mark.parametrize("case", sorted(malformed_files()))
def test_malformed_json_refuses_start_with_one_line(stopped_node, case):
    node, tip = stopped_node
    text = malformed_files()[case]
    write_state(node, text)
    offset = len(node.log_text())
    res = node.run()
    assert res.returncode == 1
    assert res.stderr.count("\n") == 1, res.stderr
    assert res.stderr.startswith("hearthd: ")
    assert "%s is malformed: refusing to sign without knowing the last signature" % STATE \
        in res.stderr
    # The file stays as it was (for the operator to look at); nothing signed.
    with open(os.path.join(node.netdir, STATE), encoding="utf-8") as f:
        assert f.read() == text
    assert state_files(node) == [STATE]
    after = node.log_text()[offset:]
    assert "converted" not in after and committed_height(after) == 0
    assert committed_height(node.log_text()) == tip
