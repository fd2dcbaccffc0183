"""Job inputs by hash, on two nodes of one dev network: node A (the dev
validator) is the provider, node B (a follower, no validator) is the
consumer's node. The consumer's `hearth-cli bid --input-file F
--input-by-hash` stores the input on B (putjobinput), bids with B's URL;
A fetches it from B, checks its hash, runs the job and the lease settles
with a result computed from that input. A bid whose URL serves other bytes
(a small HTTP server of the test) is not run: A logs the mismatch, counts
it in hearth_executor_input_fetch_failures_total and fails the lease. A
provider stopped while a fetch hangs exits at once and keeps the lease for
its restart. Also GET /input/<hash> itself: unauthenticated, content-addressed, 404 for what
B does not hold, and the store's size limit."""
import base64
import hashlib
import http.client
import os
import socket
import time

import pytest

from hearthnode import LocalHttpServer, QuietHandler, RpcError
from test_cli import Cli, wait_for
from test_executor import input_tar, metrics
from test_rpc_chain import FAUCET_SECRET

MIN_PROVIDER_BOND = 10**9
JOB = ["sh", "-c", "sha256sum /work/data.txt > /out/sum && echo hashed"]
DATA = b"hearth input fetched by hash\n"


def input_hash(data):
    tag = b"hearth/input"
    return hashlib.blake2b(bytes([len(tag)]) + tag + data, digest_size=32).hexdigest()


def get(node, path):
    conn = http.client.HTTPConnection("127.0.0.1", node.rpcport, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


class WrongBytes(LocalHttpServer):
    """Serves the same wrong bytes at every path."""

    def __init__(self, body):
        class Handler(QuietHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        super().__init__(Handler)


@pytest.fixture
def net(make_node, builddir):
    """(provider node A, consumer node B, the consumer's CLI on B, A's CLI)."""
    a = make_node().start(["-provider", "-emptyblockinterval=200", "-whitelist=127.0.0.1",
                           "-maxinputsize=65536"])
    b = make_node().adopt_genesis(os.path.join(a.netdir, "genesis.json"))
    b.start(["-connect=127.0.0.1:%d" % a.port, "-whitelist=127.0.0.1", "-maxinputsize=65536"])
    cli_a = Cli(builddir, a.datadir, a.rpcport)
    cli_b = Cli(builddir, b.datadir, b.rpcport)
    cli_b.ok("importkey", "faucet", FAUCET_SECRET)
    keyfile = "-keyfile=" + os.path.join(a.netdir, "provider_key")
    provider = cli_a.json(keyfile, "address")["address"]
    wait_for(lambda: cli_a.json("balance", provider)["bonded"] == MIN_PROVIDER_BOND,
             timeout=60, what="the provider's bond")
    offer = cli_a.json(keyfile, "offer", "create", "--cpu", "1000m", "--mem", "256M", "--disk",
                       "64M", "--slots", "2", "--price", "0.000007/s", "--max-duration",
                       "120s")
    wait_for(lambda: a.rpc("gettransaction", offer["txid"])["status"] == "committed",
             timeout=60, what="the offer")
    height = a.rpc("getblockcount")["height"]
    wait_for(lambda: b.rpc("getblockcount")["height"] >= height, timeout=60,
             what="the consumer's node to follow")
    return a, b, cli_b, cli_a


def committed_bid(node, bid_id):
    def fetch():
        try:
            return node.rpc("getbid", bid_id)
        except RpcError:
            return None
    return wait_for(fetch, timeout=60, what="the bid on chain") or fetch()


def lease_of(node, bid_id):
    def leased():
        try:
            leases = node.rpc("getbid", bid_id)["leases"]
        except RpcError:
            return None
        return leases[0] if leases else None
    wait_for(leased, timeout=60, what="the bid's lease")
    return leased()


def bid(cli, tar, *extra):
    # 120 s of run time: a deadline far enough for a loaded machine
    # (tests/functional/test_cli_market.py says why).
    return cli.json("-key=faucet", "bid", "--cpu", "500m", "--mem", "128M", "--timeout",
                    "120s", "--max-price", "0.000009/s", "--input-file", tar,
                    "--input-by-hash", *extra, "--", *JOB)


def test_input_by_hash_is_fetched_checked_run_and_settled(net, tmp_path):
    a, b, cli_b, cli_a = net
    tar = input_tar(str(tmp_path / "in.tar"), {"data.txt": DATA})
    with open(tar, "rb") as f:
        archive = f.read()
    got = bid(cli_b, tar)
    assert got["input_hash"] == input_hash(archive)
    # B serves it to anyone, without credentials; the bid names B's URL.
    assert get(b, "/input/" + got["input_hash"]) == (200, archive)
    job = committed_bid(b, got["bid_id"])["job"]
    assert job["input_hash"] == got["input_hash"]
    assert job["input_url"] == "http://127.0.0.1:%d/input/%s" % (b.rpcport, got["input_hash"])
    assert job["inline_input_bytes"] == 0

    waited = cli_b.run("-key=faucet", "wait", got["bid_id"], "--timeout", "180", timeout=240)
    assert waited.returncode == 0, waited.stderr + "\n".join(
        ln for ln in a.log_text().splitlines() if "executor" in ln)
    assert waited.stdout.strip().splitlines()[-1].split()[0] == "settled"
    cli_a.ok("importkey", "faucet", FAUCET_SECRET)
    out = tmp_path / "result"
    result = cli_a.json("-key=faucet", "result", got["bid_id"], "-o", str(out))
    assert result["exit_status"] == 0
    assert (out / "stdout").read_text() == "hashed\n"
    assert (out / "out" / "sum").read_text().split()[0] == hashlib.sha256(DATA).hexdigest()
    assert "input ready" in a.log_text()
    assert metrics(a)["hearth_executor_input_fetches_total"] == 1
    assert metrics(a)["hearth_executor_input_fetch_failures_total"] == 0
    # Both exit cleanly (under ASan: nothing leaked by the fetch or the store).
    assert a.stop(timeout=30) == 0 and b.stop(timeout=30) == 0


def test_input_that_does_not_match_its_hash_is_not_run(net, tmp_path):
    a, b, cli_b, _ = net
    tar = input_tar(str(tmp_path / "in.tar"), {"data.txt": DATA})
    server = WrongBytes(b"not the input the bid names\n")
    try:
        url = "http://127.0.0.1:%d/in.tar" % server.port
        got = bid(cli_b, tar, "--input-url", url)
        lease = lease_of(b, got["bid_id"])
        wait_for(lambda: "input by hash failed: hash mismatch" in a.log_text(), timeout=120,
                 what="the provider's refusal")
    finally:
        server.close()
    log = a.log_text()
    line = [ln for ln in log.splitlines() if "input by hash failed" in ln][0]
    assert url in line and "no receipt" in line
    assert "lease=%s " % lease[:16] in line
    assert "lease=%s running" % lease[:16] not in log
    assert metrics(a)["hearth_executor_input_fetch_failures_total"] == 1
    assert metrics(a)["hearth_executor_input_fetches_total"] == 0
    with open(os.path.join(a.netdir, "results", lease, "journal"), encoding="utf-8") as f:
        assert "state failed" in f.read()
    assert not os.path.exists(os.path.join(a.netdir, "results", lease, "input.tar"))
    assert a.stop(timeout=30) == 0


def test_provider_stopping_mid_fetch_exits_cleanly_and_keeps_the_lease(net, tmp_path):
    """A URL that accepts and never answers: the fetch is cancelled at stop
    (no wait for its timeout), the lease stays received for the restart."""
    a, b, cli_b, _ = net
    tar = input_tar(str(tmp_path / "in.tar"), {"data.txt": DATA})
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections wait in the backlog, never answered
    try:
        url = "http://127.0.0.1:%d/in.tar" % silent.getsockname()[1]
        got = bid(cli_b, tar, "--input-url", url)
        lease = lease_of(b, got["bid_id"])
        a.wait_for_log("lease=%s fetching input" % lease[:16], timeout=120)
        start = time.monotonic()
        assert a.stop(timeout=30) == 0
        assert time.monotonic() - start < 15
    finally:
        silent.close()
    with open(os.path.join(a.netdir, "results", lease, "journal"), encoding="utf-8") as f:
        assert "state received" in f.read()
    assert "input by hash failed" not in a.log_text()


def test_input_store_endpoint_and_limits(net):
    _, b, cli_b, _ = net
    data = b"x" * 100
    put = b.rpc("putjobinput", base64.b64encode(data).decode())
    assert put["input_hash"] == input_hash(data) and put["bytes"] == 100
    assert put["path"] == "/input/" + put["input_hash"]
    assert get(b, put["path"]) == (200, data)
    assert get(b, "/input/" + "0" * 64)[0] == 404
    assert get(b, "/input/" + put["input_hash"].upper())[0] == 404
    assert get(b, "/input/../.cookie")[0] == 404
    assert b.http("POST", put["path"], "{}")[0] == 405
    with pytest.raises(RpcError) as e:
        b.rpc("putjobinput", base64.b64encode(b"y" * 65537).decode())
    assert e.value.code == -8 and "maxinputsize" in e.value.message
    with pytest.raises(RpcError) as e:
        b.rpc("putjobinput", "not base64!")
    assert e.value.code == -8
    # --input-url without --input-by-hash, and a URL the chain would refuse
    cli_b.fails("-key=faucet", "bid", "--cpu", "500m", "--mem", "128M", "--timeout", "10s",
                "--max-price", "0.000009/s", "--input-url", "http://h/x", "--", "true",
                expect="--input-by-hash")
