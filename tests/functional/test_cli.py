"""hearth-cli against a real hearthd -dev: keys, balances, transfers, stake,
raw RPC, status, result verification, and every error a user hits (one line
on stderr, exit 1)."""
import hashlib
import json
import os
import stat
import subprocess
import time

import pytest

from hearthnode import free_port
from test_rpc_chain import FAUCET_SECRET

FAUCET = "dhth1x4cej9c7apnxynkx2z6f7xamncxae6el7x52mkslustks3mu9kpqmyj2wg"
MAIN_ADDRESS = "hth1x4cej9c7apnxynkx2z6f7xamncxae6el7x52mkslustks3mu9kpqwdd9fg"
PASS = "correct horse"
HTH = 1000000


class Cli:
    """Runs hearth-cli with a data directory, the dev network and a port."""

    def __init__(self, builddir, datadir, rpcport):
        self.binary = os.path.join(builddir, "hearth-cli")
        self.datadir = datadir
        self.rpcport = rpcport

    def run(self, *args, passphrase=PASS, stdin=None, timeout=60):
        env = dict(os.environ)
        env.pop("HEARTH_PASSPHRASE", None)
        if passphrase is not None:
            env["HEARTH_PASSPHRASE"] = passphrase
        cmd = [self.binary, "-datadir=" + self.datadir, "-dev",
               "-rpcport=%d" % self.rpcport] + [str(a) for a in args]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, input=stdin,
                              timeout=timeout, check=False)

    def ok(self, *args, **kw):
        res = self.run(*args, **kw)
        assert res.returncode == 0, "hearth-cli %s failed: %s" % (args, res.stderr)
        return res.stdout

    def json(self, *args, **kw):
        return json.loads(self.ok("-json", *args, **kw))

    def fails(self, *args, expect, **kw):
        """Runs a command that must fail with one line on stderr holding expect."""
        res = self.run(*args, **kw)
        assert res.returncode == 1, (args, res.stdout, res.stderr)
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1, res.stderr
        assert expect in lines[0], lines[0]
        assert res.stdout == ""
        return lines[0]


def wait_for(predicate, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)


@pytest.fixture
def node(make_node):
    return make_node().start()


@pytest.fixture
def cli(builddir, node):
    # The wallet lives in the node's data directory, so the cookie is found
    # the way a user's would be: <datadir>/dev/.cookie.
    return Cli(builddir, node.datadir, node.rpcport)


@pytest.fixture
def offline(builddir, tmpdir_clean):
    """A CLI with no node at its port."""
    return Cli(builddir, tmpdir_clean, free_port())


@pytest.fixture
def faucet(cli):
    cli.ok("importkey", "faucet", FAUCET_SECRET)
    return cli


def test_keygen_keys_address(offline):
    key = offline.json("keygen", "alice")
    assert key["name"] == "alice" and key["address"].startswith("dhth1")
    assert len(key["pubkey"]) == 64
    path = os.path.join(offline.datadir, "wallet", "alice.key")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
    with open(path, "rb") as f:
        assert bytes.fromhex(FAUCET_SECRET) not in f.read()
    # The only key is the default one; no passphrase needed to show it.
    assert offline.json("address", passphrase=None)["address"] == key["address"]
    offline.ok("keygen", "bob")
    keys = offline.json("keys", passphrase=None)["keys"]
    assert [k["name"] for k in keys] == ["alice", "bob"]
    human = offline.ok("keys").splitlines()
    assert human[0].split() == ["alice", key["address"]]
    assert offline.json("address", "bob")["name"] == "bob"
    # Two keys and none named default: the CLI asks which.
    offline.fails("address", expect="-key=NAME")
    assert offline.json("-key=alice", "address")["address"] == key["address"]
    offline.fails("keygen", "alice", expect="already exists")
    offline.fails("keygen", "../evil", expect="invalid key name")
    offline.fails("keygen", "a/b", expect="invalid key name")
    offline.fails("-key=nobody", "address", expect="no key named 'nobody'")
    offline.fails("keygen", "carol", passphrase="", expect="empty passphrase")


def test_import_export_and_passphrase_sources(offline):
    key = offline.json("importkey", "faucet", FAUCET_SECRET)
    assert key["address"] == FAUCET
    res = offline.run("exportkey", "faucet")
    assert res.returncode == 0
    assert res.stdout.strip() == FAUCET_SECRET
    assert "warning" in res.stderr
    offline.fails("exportkey", "faucet", passphrase="wrong", expect="wrong passphrase")
    offline.fails("importkey", "x", "zz", expect="64 hex digits")
    offline.fails("importkey", "x", "00" * 32, expect="64 hex digits")
    # -stdin: the first line of standard input, before the environment.
    offline.ok("-stdin", "keygen", "piped", stdin="from stdin\nignored\n", passphrase="env")
    offline.fails("exportkey", "piped", passphrase="env", expect="wrong passphrase")
    out = offline.ok("-stdin", "exportkey", "piped", stdin="from stdin\n", passphrase="env")
    assert len(out.strip()) == 64
    # A truncated key file: one line, exit 1.
    path = os.path.join(offline.datadir, "wallet", "piped.key")
    with open(path, "r+b") as f:
        f.truncate(100)
    offline.fails("-stdin", "exportkey", "piped", stdin="from stdin\n",
                  expect="not a valid key file")
    os.chmod(os.path.join(offline.datadir, "wallet", "faucet.key"), 0o644)
    offline.fails("exportkey", "faucet", expect="must be 0600")


def test_no_node_is_one_clear_line(offline):
    offline.ok("importkey", "faucet", FAUCET_SECRET)
    for args in (("balance",), ("status",), ("rpc", "getblockcount"),
                 ("send", FAUCET, "1", "--fee", "0.01")):
        offline.fails(*args, expect="cannot read the node's cookie")
    # With credentials the connection itself fails.
    offline.fails("-rpcuser=u", "-rpcpassword=p", "status", expect="cannot reach the node")
    start = time.monotonic()
    offline.fails("-rpcwait", "-rpcwaittimeout=1", "status", expect="gave up")
    assert time.monotonic() - start < 30


def test_balance_send_and_arrival(faucet, node):
    info = faucet.json("balance")
    assert info["address"] == FAUCET and info["balance"] > 1000 * HTH
    human = dict(line.split(None, 1) for line in faucet.ok("balance").splitlines())
    assert human["address"] == FAUCET and human["balance"].endswith(" HTH")
    bob = faucet.json("keygen", "bob")["address"]
    sent = faucet.json("-key=faucet", "send", bob, "12.5")
    assert len(sent["txid"]) == 64 and sent["nonce"] == 1
    min_feerate = node.rpc("estimatefee")["min_feerate"]
    assert sent["fee"] >= min_feerate * 100
    wait_for(lambda: faucet.json("balance", bob, passphrase=None)["balance"] == 12500000,
             what="bob's balance")
    assert node.rpc("gettransaction", sent["txid"])["status"] == "committed"
    # An explicit fee, and the nonce chained on the first tx.
    again = faucet.json("-key=faucet", "send", bob, "0.000001", "--fee", "0.02")
    assert again["fee"] == 20000 and again["nonce"] == 2
    wait_for(lambda: faucet.json("balance", bob)["balance"] == 12500001,
             what="the second transfer")
    # Bob sends back with his own key.
    back = faucet.json("-key=bob", "send", FAUCET, "2")
    assert len(back["txid"]) == 64
    wait_for(lambda: faucet.json("balance", bob)["nonce"] == 1, what="bob's transfer")
    assert faucet.json("balance", bob)["balance"] == 12500001 - 2 * HTH - back["fee"]


def test_bond_and_unbond(faucet):
    bonded = faucet.json("bond", "100")
    assert len(bonded["txid"]) == 64
    wait_for(lambda: faucet.json("balance")["bonded"] == 100 * HTH, what="the bond")
    faucet.ok("unbond", "40")
    wait_for(lambda: faucet.json("balance")["bonded"] == 60 * HTH, what="the unbond")
    assert faucet.json("balance")["unbonding"] == 40 * HTH


def test_user_errors(faucet):
    bob = faucet.json("keygen", "bob")["address"]
    faucet.fails("-key=nobody", "balance", expect="no key named 'nobody'")
    faucet.fails("-key=nobody", "send", FAUCET, "1", expect="no key named 'nobody'")
    faucet.fails("-key=bob", "send", FAUCET, "1", expect="error code -26")
    faucet.fails("-key=bob", "bond", "1", "--fee", "0.01", expect="error code -26")
    faucet.fails("-key=faucet", "unbond", "5", expect="error code -26")
    faucet.fails("-key=faucet", "send", "dhth1nonsense", "1", expect="bad address")
    faucet.fails("-key=faucet", "send", bob[:-1] + ("q" if bob[-1] != "q" else "p"), "1",
                 expect="bad address")
    faucet.fails("-key=faucet", "send", MAIN_ADDRESS, "1", expect="main network")
    faucet.fails("balance", "nonsense", expect="bad address")
    for amount in ("1.0000001", "-1", "abc", "0", "1e3", "", " 1",
                   "18446744073709.551616"):
        faucet.fails("-key=faucet", "send", bob, amount, expect="bad amount")
    faucet.fails("-key=faucet", "send", bob, "1", "--fee", "x", expect="bad fee")
    faucet.fails("-key=faucet", "send", bob, "1", passphrase="wrong",
                 expect="wrong passphrase")
    faucet.fails("-key=faucet", "send", bob, "1", "--bogus", expect="unknown option")
    faucet.fails("-key=faucet", "send", bob, expect="usage")
    faucet.fails("frobnicate", expect="unknown command")
    # The node was asked nothing it acted on: no tx of the faucet went out.
    assert faucet.json("balance", FAUCET)["nonce"] == 0


def test_rpc_status_and_help(faucet, node):
    assert faucet.json("rpc", "getblockcount")["height"] >= 0
    genesis = node.rpc("getblockhash", 0)["hash"]
    assert json.loads(faucet.ok("rpc", "getblockhash", "0")) == {"hash": genesis}
    assert json.loads(faucet.ok("rpc", "getaccount", FAUCET))["address"] == FAUCET
    faucet.fails("rpc", "nosuch", expect="error code -32601")
    faucet.fails("rpc", "getblockhash", "-1", expect="error code -32602")
    status = faucet.json("status")
    assert status["chain_id"] == "hearth-dev" and status["network"] == "dev"
    human = faucet.ok("status")
    assert "chain_id" in human and "hearth-dev" in human
    # Wrong credentials: the node says no, in one line.
    res = subprocess.run([faucet.binary, "-datadir=" + faucet.datadir,
                          "-rpcport=%d" % faucet.rpcport, "-rpcuser=x", "-rpcpassword=y",
                          "status"], capture_output=True, text=True, check=False)
    assert res.returncode == 1 and "refused the credentials" in res.stderr
    names = [c["name"] for c in faucet.json("help")["commands"]]
    for cmd in ("keygen", "keys", "address", "balance", "send", "bond", "unbond",
                "importkey", "exportkey", "rpc", "status", "verify"):
        assert cmd in names
        assert faucet.ok("help", cmd).startswith("hearth-cli " + cmd)
    faucet.fails("help", "nosuch", expect="unknown command")


def test_rpcwait_waits_for_the_node(builddir, make_node):
    node = make_node()
    cli = Cli(builddir, node.datadir, node.rpcport)
    proc = subprocess.Popen([cli.binary, "-datadir=" + node.datadir, "-dev",
                             "-rpcport=%d" % node.rpcport, "-rpcwait",
                             "-rpcwaittimeout=60", "-json", "status"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        assert proc.poll() is None
        node.start()
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert json.loads(out)["chain_id"] == "hearth-dev"


def test_keyfile_signs_with_the_node_key(cli, node):
    keyfile = os.path.join(node.netdir, "validator_key")
    addr = cli.json("-keyfile=" + keyfile, "address", passphrase=None)["address"]
    assert addr.startswith("dhth1")
    assert cli.json("-keyfile=" + keyfile, "balance", passphrase=None)["address"] == addr
    os.chmod(keyfile, 0o640)
    try:
        cli.fails("-keyfile=" + keyfile, "address", expect="must be 0600")
    finally:
        os.chmod(keyfile, 0o600)
    cli.fails("-keyfile=/nonexistent/key", "address", expect="no key file")


def make_result(root):
    """The example of doc/result-hash.md: exit 3, stdout "out\\n", three entries."""
    out = os.path.join(root, "out")
    os.makedirs(os.path.join(out, "a"))
    with open(os.path.join(root, "stdout"), "w") as f:
        f.write("out\n")
    with open(os.path.join(out, "b.txt"), "w") as f:
        f.write("hello")
    os.chmod(os.path.join(out, "b.txt"), 0o644)
    with open(os.path.join(out, "a", "tool"), "w") as f:
        f.write("#!x")
    os.chmod(os.path.join(out, "a", "tool"), 0o755)
    os.symlink("../etc/passwd", os.path.join(out, "a-link"))


DOC_HASH = "abeea445d6c7c7c183a4e437ab956fe0c4d5a83ce9f81d3c18fef13a54b47cec"
EMPTY_HASH = "21c52ea6da5fbc1535f839e209b724a88a74a6ef984495e048c707dc9a1d6b49"


def test_verify_recomputes_the_result_hash(offline, tmpdir_clean):
    root = os.path.join(tmpdir_clean, "result")
    make_result(root)
    assert offline.ok("verify", root, "--hash", DOC_HASH, "--exit", "3").split() == \
        ["ok", DOC_HASH]
    with open(os.path.join(root, "status"), "w") as f:
        f.write("exit 3\n")
    assert offline.json("verify", root, "--hash", DOC_HASH)["match"] is True
    # Any change is caught: another status, a changed byte, a new file.
    offline.fails("verify", root, "--hash", DOC_HASH, "--exit", "0", expect="mismatch")
    with open(os.path.join(root, "out", "b.txt"), "w") as f:
        f.write("hellO")
    offline.fails("verify", root, "--hash", DOC_HASH, expect="mismatch")
    res = offline.run("-json", "verify", root, "--hash", DOC_HASH)
    assert res.returncode == 1 and json.loads(res.stdout)["match"] is False
    empty = os.path.join(tmpdir_clean, "empty")
    os.makedirs(empty)
    offline.ok("verify", empty, "--hash", EMPTY_HASH)
    offline.fails("verify", empty, "--hash", "zz", expect="64 hex digits")
    offline.fails("verify", os.path.join(tmpdir_clean, "missing"), "--hash", EMPTY_HASH,
                  expect="cannot open")
    os.mkfifo(os.path.join(empty, "stdout.fifo"))
    os.makedirs(os.path.join(empty, "out"))
    os.mkfifo(os.path.join(empty, "out", "pipe"))
    offline.fails("verify", empty, "--hash", EMPTY_HASH, expect="not a valid result")


def lease_id(bid_id, replica=0):
    """H("hearth/lease", bid id || replica as u32 big-endian), doc/market.md."""
    tag = b"hearth/lease"
    data = bytes([len(tag)]) + tag + bytes.fromhex(bid_id) + replica.to_bytes(4, "big")
    return hashlib.blake2b(data, digest_size=32).hexdigest()


def test_market_offer_bid_cancel_dispute(faucet, tmpdir_clean):
    faucet.ok("bond", "1000")
    wait_for(lambda: faucet.json("balance")["bonded"] == 1000 * HTH, what="the bond")
    offer = faucet.json("offer", "create", "--cpu", "2000m", "--mem", "4G", "--disk", "10G",
                        "--slots", "2", "--runtime", "posix", "--price", "0.01/s",
                        "--max-duration", "1h", "--attr", "region=eu", "--expiry", "500")
    assert offer["offer_id"] == offer["txid"] and len(offer["offer_id"]) == 64
    # A bid below the offer's price stays queued, its escrow locked.
    wait_for(lambda: faucet.json("balance")["nonce"] == 2, what="the offer")
    before = faucet.json("balance")
    inp = os.path.join(tmpdir_clean, "input")
    os.makedirs(inp)
    with open(os.path.join(inp, "data.txt"), "w") as f:
        f.write("payload\n")
    bid = faucet.json("bid", "--cpu", "500m", "--mem", "256M", "--timeout", "60s",
                      "--max-price", "0.001/s", "--replicas", "1", "--input", inp,
                      "--encrypt", "--min-reputation", "0", "--", "sh", "-c", "cat data.txt")
    assert bid["bid_id"] == bid["txid"]
    keyfile = bid["result_key_file"]
    assert os.path.dirname(keyfile) == os.path.join(faucet.datadir, "wallet", "results")
    assert stat.S_IMODE(os.stat(keyfile).st_mode) == 0o600
    wait_for(lambda: faucet.json("balance")["nonce"] == 3, what="the bid")
    escrow = 60 * 1000  # 0.001 HTH/s for 60 s, one replica
    after = faucet.json("balance")
    assert after["balance"] == before["balance"] - bid["fee"] - escrow
    cancel = faucet.json("bid", "cancel", bid["bid_id"])
    wait_for(lambda: faucet.json("balance")["nonce"] == 4, what="the cancel")
    assert faucet.json("balance")["balance"] == after["balance"] - cancel["fee"] + escrow
    faucet.fails("bid", "cancel", bid["bid_id"], expect="error code -26")
    faucet.fails("offer", "cancel", "00" * 32, expect="error code -26")
    faucet.ok("offer", "cancel", offer["offer_id"])
    # A lease that does not exist cannot be disputed.
    faucet.fails("dispute", lease_id(bid["bid_id"]), "--reason", "wrong output",
                 expect="error code -26")


def test_market_argument_errors(faucet, tmpdir_clean):
    good_bid = ["--cpu", "1", "--mem", "1G", "--timeout", "1m", "--max-price", "0.01/s"]
    faucet.fails("bid", "--cpu", "0", "--mem", "1G", "--timeout", "1m", "--max-price", "1/s",
                 "--", "true", expect="bad --cpu")
    faucet.fails("bid", "--cpu", "1", "--mem", "1X", "--timeout", "1m", "--max-price", "1/s",
                 "--", "true", expect="bad --mem")
    faucet.fails("bid", *good_bid[:6], "--max-price", "1/h", "--", "true",
                 expect="--max-price")
    faucet.fails("bid", *good_bid[:4], "--timeout", "1.5h", *good_bid[6:], "--", "true",
                 expect="--timeout")
    faucet.fails("bid", *good_bid, expect="after '--'")
    faucet.fails("bid", *good_bid, "--replicas", "17", "--", "true", expect="--replicas")
    faucet.fails("bid", *good_bid, "--min-reputation", "101", "--", "true",
                 expect="--min-reputation")
    faucet.fails("bid", *good_bid, "--input", os.path.join(tmpdir_clean, "none"), "--",
                 "true", expect="--input")
    faucet.fails("bid", "cancel", "xyz", expect="bad bid id")
    faucet.fails("offer", "create", "--cpu", "1", "--mem", "1G", "--max-duration", "1h",
                 expect="--price")
    faucet.fails("offer", "create", "--cpu", "1", "--mem", "1G", "--price", "0.01/s",
                 "--max-duration", "1h", "--attr", "noequals", expect="bad --attr")
    faucet.fails("offer", "frob", expect="usage")
    faucet.fails("dispute", "00" * 32, expect="usage")
    # Without a bond the chain refuses the offer, with its reason.
    faucet.fails("offer", "create", "--cpu", "1", "--mem", "1G", "--price", "0.01/s",
                 "--max-duration", "1h", expect="error code -26")
