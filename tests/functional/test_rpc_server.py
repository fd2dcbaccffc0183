"""The RPC server of a real dev node: authentication (none, wrong, cookie,
rpcauth), limits and malformed requests, batches, legacy 1.0 requests,
notifications, waitforblock and waitfortx, stop, /metrics in the Prometheus
text format, and 200 concurrent keep-alive clients."""
import base64
import hashlib
import hmac
import http.client
import json
import math
import os
import re
import threading
import time

import pytest

from hearthnode import RpcError
from test_rpc_chain import FAUCET_SECRET, SOMEONE, txgen

ALICE_SALT = "cb77f0957de88ff388cf817ddbc7273"
ALICE_PASSWORD = "hunter2-correct-horse"
# No empty blocks for an hour: a block comes only when a tx waits.
QUIET = "-emptyblockinterval=3600000"


def rpcauth_entry(user, salt, password):
    mac = hmac.new(salt.encode(), password.encode(), hashlib.sha256).hexdigest()
    return "%s:%s$%s" % (user, salt, mac)


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


def cookie_auth(node):
    with open(os.path.join(node.netdir, ".cookie"), encoding="utf-8") as f:
        return "Basic " + base64.b64encode(f.read().strip().encode()).decode()


def post(node, body, authorization=None, timeout=30):
    """POST / with a raw body; returns (status, parsed body or None)."""
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    conn = http.client.HTTPConnection("127.0.0.1", node.rpcport, timeout=timeout)
    try:
        conn.request("POST", "/", body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
    finally:
        conn.close()
    return resp.status, (json.loads(data) if data else None)


def call(method, *params, id=1):
    return json.dumps({"jsonrpc": "2.0", "id": id, "method": method, "params": list(params)})


@pytest.fixture
def node(make_node):
    return make_node().start([QUIET])


def test_auth_none_wrong_cookie_and_rpcauth(make_node):
    node = make_node().start([QUIET, "-rpcauth=" + rpcauth_entry("alice", ALICE_SALT,
                                                                  ALICE_PASSWORD)])
    body = call("getblockcount")
    assert post(node, body)[0] == 401
    assert post(node, body, basic("__cookie__", "0" * 64))[0] == 401
    assert post(node, body, basic("alice", "wrong"))[0] == 401
    status, reply = post(node, body, cookie_auth(node))
    assert status == 200 and reply["result"] == {"height": 0}
    status, reply = post(node, body, basic("alice", ALICE_PASSWORD))
    assert status == 200 and reply["result"] == {"height": 0}


def test_oversize_body_is_413(make_node):
    node = make_node().start([QUIET, "-rpcmaxbody=1024"])
    big = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "echo", "params": ["x" * 2000]})
    assert post(node, big, cookie_auth(node))[0] == 413
    # The limit leaves ordinary calls alone.
    assert post(node, call("getblockcount"), cookie_auth(node))[0] == 200


def test_malformed_json_is_a_parse_error(node):
    status, reply = post(node, '{"jsonrpc":"2.0","method":', cookie_auth(node))
    assert status == 400
    assert reply["error"]["code"] == -32700 and reply["id"] is None


def test_batch_mixing_good_and_bad_calls(node):
    batch = json.dumps([
        {"jsonrpc": "2.0", "id": 1, "method": "getblockcount"},
        {"jsonrpc": "2.0", "id": 2, "method": "nosuch"},
        {"jsonrpc": "2.0", "id": 3, "method": "getblockhash", "params": ["x"]},
        {"jsonrpc": "2.0", "method": "getblockcount"},  # a notification: no answer
        {"jsonrpc": "2.0", "id": 4, "method": "getblockhash", "params": {"height": 0}},
        42,
    ])
    status, reply = post(node, batch, cookie_auth(node))
    assert status == 200
    assert [r["id"] for r in reply] == [1, 2, 3, 4, None]
    assert reply[0]["result"] == {"height": 0}
    assert reply[1]["error"]["code"] == -32601
    assert reply[2]["error"]["code"] == -32602
    assert len(reply[3]["result"]["hash"]) == 64
    assert reply[4]["error"]["code"] == -32600


def test_legacy_request_answered_like_bitcoind(node):
    status, reply = post(node, json.dumps({"method": "getblockcount", "params": [], "id": "x"}),
                         cookie_auth(node))
    assert status == 200
    assert reply == {"result": {"height": 0}, "error": None, "id": "x"}
    status, reply = post(node, json.dumps({"method": "nosuch", "params": [], "id": "y"}),
                         cookie_auth(node))
    assert status == 404
    assert reply["result"] is None and reply["error"]["code"] == -32601 and reply["id"] == "y"


def test_notification_is_204(node):
    status, reply = post(node, json.dumps({"jsonrpc": "2.0", "method": "getblockcount"}),
                         cookie_auth(node))
    assert status == 204 and reply is None


def send_transfer(builddir, node, nonce):
    tx = txgen(builddir, "transfer", FAUCET_SECRET, "hearth-dev", nonce, 1000, SOMEONE, 5)
    return node.rpc("sendrawtransaction", tx)["txid"]


class Background(threading.Thread):
    """Runs node.rpc(method, *params) on a thread; keeps the result or the
    exception and when it came."""

    def __init__(self, node, method, *params):
        super().__init__(daemon=True)
        self.node, self.method, self.params = node, method, params
        self.result = self.error = self.done_at = None

    def run(self):
        try:
            self.result = post_rpc(self.node, self.method, *self.params)
        except Exception as exc:  # pylint: disable=broad-except
            self.error = exc
        self.done_at = time.monotonic()


def post_rpc(node, method, *params):
    status, reply = post(node, call(method, *params), cookie_auth(node), timeout=60)
    assert status == 200, status
    if reply.get("error") is not None:
        raise RpcError(reply["error"]["code"], reply["error"]["message"])
    return reply["result"]


def test_waitforblock_times_out_then_returns_when_the_block_arrives(builddir, node):
    tip = node.rpc("getblockcount")["height"]
    start = time.monotonic()
    reply = node.rpc("waitforblock", tip + 1, 700)
    assert time.monotonic() - start >= 0.6
    assert reply["timed_out"] is True and reply["height"] == tip
    assert reply["hash"] == node.rpc("getbestblockhash")["hash"]
    # A height already reached, or a timeout of 0, is answered at once.
    assert node.rpc("waitforblock", tip, 0)["timed_out"] is False
    assert node.rpc("waitforblock", tip + 1, 0)["timed_out"] is True
    waiter = Background(node, "waitforblock", tip + 1, 60000)
    waiter.start()
    time.sleep(0.5)
    assert waiter.done_at is None  # still waiting: no block without a tx
    sent = time.monotonic()
    send_transfer(builddir, node, 1)
    waiter.join(30)
    assert waiter.error is None, waiter.error
    assert waiter.result["timed_out"] is False and waiter.result["height"] >= tip + 1
    assert waiter.done_at - sent < 20
    with pytest.raises(RpcError) as exc:
        node.rpc("waitforblock", 1, 300001)
    assert exc.value.code == -8


def test_waitfortx(builddir, node):
    unknown = "ab" * 32
    reply = node.rpc("waitfortx", unknown, 300)
    assert reply == {"status": "unknown", "timed_out": True}
    waiter = Background(node, "waitfortx", "00" * 32, 60000)
    waiter.start()
    txid = send_transfer(builddir, node, 1)
    got = node.rpc("waitfortx", txid, 30000)
    assert got["status"] == "committed" and got["timed_out"] is False
    assert got["height"] >= 1 and got["index"] == 0
    assert node.rpc("gettransaction", txid)["height"] == got["height"]
    # Committed already: answered at once.
    assert node.rpc("waitfortx", txid, 0)["status"] == "committed"
    with pytest.raises(RpcError) as exc:
        node.rpc("waitfortx", "zz", 10)
    assert exc.value.code == -8
    # The other waiter is still waiting; stopping the node ends it at once.
    assert waiter.done_at is None
    stopped = time.monotonic()
    assert node.stop() == 0
    waiter.join(10)
    assert waiter.done_at is not None and waiter.done_at - stopped < 10
    # The server sends the answer before it closes.
    assert isinstance(waiter.error, RpcError) and waiter.error.code == -29


def test_waiters_over_the_cap_are_refused_and_do_not_block(make_node):
    node = make_node().start([QUIET, "-rpcmaxwaiters=2", "-rpcthreads=1"])
    waiters = [Background(node, "waitforblock", 10**6, 60000) for _ in range(2)]
    for w in waiters:
        w.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "hearth_rpc_waiting_calls 2" not in metrics(node):
        time.sleep(0.05)
    assert "hearth_rpc_waiting_calls 2\n" in metrics(node)
    with pytest.raises(RpcError) as exc:
        node.rpc("waitforblock", 10**6, 60000)
    assert exc.value.code == -31 and "rpcmaxwaiters=2" in exc.value.message
    # The single HTTP thread still answers.
    assert node.rpc("getblockcount") == {"height": 0}
    start = time.monotonic()
    assert node.stop() == 0
    assert time.monotonic() - start < 10
    for w in waiters:
        w.join(10)
        assert isinstance(w.error, RpcError) and w.error.code == -29


def test_stop_answers_then_shuts_down(make_node):
    node = make_node().start([QUIET])
    cookie = os.path.join(node.netdir, ".cookie")
    assert node.rpc("stop") == {"message": "hearthd stopping"}
    assert node.proc.wait(20) == 0
    assert not os.path.exists(cookie)
    assert "shutdown requested by RPC stop" in node.log_text()
    assert "shutdown complete" in node.log_text()


def test_stop_needs_credentials_in_public_mode(make_node):
    node = make_node().start([QUIET, "-rpcpublic=1"])
    status, reply = post(node, call("stop"))
    assert status == 200 and reply["error"]["code"] == -2
    assert node.rpc("getblockcount") == {"height": 0}
    assert node.proc.poll() is None


def metrics(node):
    conn = http.client.HTTPConnection("127.0.0.1", node.rpcport, timeout=10)
    try:
        conn.request("GET", "/metrics")
        resp = conn.getresponse()
        assert resp.status == 200
        assert resp.getheader("Content-Type").startswith("text/plain; version=0.0.4")
        return resp.read().decode()
    finally:
        conn.close()


METRIC_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"^(%s)(?:\{(%s(?:,%s)*)?\})? (\S+)$" % (METRIC_NAME, LABEL, LABEL))


def parse_exposition(text):
    """A small checker of the text exposition format 0.0.4: every family has
    one # HELP and one # TYPE before its samples, samples belong to the
    family last typed (with _bucket/_sum/_count for histograms), values
    parse, counters end in _total and do not go negative, histogram buckets
    are cumulative and end in +Inf equal to _count. Returns
    {family: (type, {(sample name, labels): value})}."""
    assert text.endswith("\n")
    families, current = {}, None
    helps = set()
    for line in text.split("\n")[:-1]:
        if line.startswith("# HELP "):
            name = line.split(" ", 3)[2]
            assert re.fullmatch(METRIC_NAME, name) and name not in helps, line
            helps.add(name)
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert name in helps and name not in families, line
            assert kind in ("counter", "gauge", "histogram"), line
            if kind == "counter":
                assert name.endswith("_total"), name
            families[name] = (kind, {})
            current = name
            continue
        assert not line.startswith("#") and line, "unexpected line %r" % line
        m = SAMPLE.match(line)
        assert m, "bad sample line %r" % line
        sample, labels, value = m.group(1), m.group(2) or "", m.group(3)
        kind = families[current][0]
        allowed = ([current + s for s in ("_bucket", "_sum", "_count")]
                   if kind == "histogram" else [current])
        assert sample in allowed, "sample %s outside its family %s" % (sample, current)
        number = float(value)  # accepts +Inf, NaN
        if kind == "counter":
            assert number >= 0
        families[current][1][(sample, labels)] = number
    for name, (kind, samples) in families.items():
        if kind != "histogram":
            continue
        series = {}
        for (sample, labels), value in samples.items():
            if sample.endswith("_bucket"):
                le = re.search(r'le="([^"]+)"', labels).group(1)
                rest = re.sub(r',?le="[^"]+"', "", labels)
                series.setdefault(rest, []).append((float(le), value))
        for rest, buckets in series.items():
            bounds = [b for b, _ in buckets]
            assert bounds == sorted(bounds) and math.isinf(bounds[-1]), name
            counts = [c for _, c in buckets]
            assert counts == sorted(counts), "%s buckets not cumulative" % name
            assert samples[(name + "_count", rest)] == counts[-1]
    return families


def value(families, name, labels=""):
    return families[name][1][(name, labels)]


EXPECTED = {
    "hearth_chain_height": "gauge",
    "hearth_chain_last_block_timestamp_seconds": "gauge",
    "hearth_chain_block_interval_seconds": "histogram",
    "hearth_chain_txs_committed_total": "counter",
    "hearth_consensus_rounds": "histogram",
    "hearth_mempool_txs": "gauge",
    "hearth_mempool_bytes": "gauge",
    "hearth_p2p_peers": "gauge",
    "hearth_p2p_received_bytes_total": "counter",
    "hearth_p2p_sent_bytes_total": "counter",
    "hearth_p2p_bans_total": "counter",
    "hearth_p2p_votes_resent_total": "counter",
    "hearth_p2p_proposals_resent_total": "counter",
    "hearth_rpc_requests_total": "counter",
    "hearth_rpc_request_duration_seconds": "histogram",
    "hearth_rpc_http_responses_total": "counter",
    "hearth_rpc_waiting_calls": "gauge",
}


def test_metrics_parse_and_move(builddir, node):
    before = parse_exposition(metrics(node))
    for name, kind in EXPECTED.items():
        assert before[name][0] == kind, name
    assert value(before, "hearth_p2p_peers", 'direction="inbound"') == 0
    assert value(before, "hearth_p2p_peers", 'direction="outbound"') == 0
    assert value(before, "hearth_chain_height") == 0
    for _ in range(3):
        node.rpc("getblockcount")
    with pytest.raises(RpcError):
        node.rpc("getblockhash", 10**9)
    txid = send_transfer(builddir, node, 1)
    node.rpc("waitfortx", txid, 30000)
    after = parse_exposition(metrics(node))
    assert value(after, "hearth_chain_height") >= 1
    assert value(after, "hearth_chain_txs_committed_total") == 1
    assert value(after, "hearth_chain_last_block_timestamp_seconds") >= \
        value(before, "hearth_chain_last_block_timestamp_seconds")
    rounds = after["hearth_consensus_rounds"][1]
    assert rounds[("hearth_consensus_rounds_count", "")] >= 1
    intervals = after["hearth_chain_block_interval_seconds"][1]
    assert intervals[("hearth_chain_block_interval_seconds_count", "")] >= 1
    calls = after["hearth_rpc_requests_total"][1]
    count = calls[("hearth_rpc_requests_total", 'method="getblockcount",code="0"')]
    assert count >= 3
    assert calls[("hearth_rpc_requests_total", 'method="getblockhash",code="-5"')] == 1
    latency = after["hearth_rpc_request_duration_seconds"][1]
    assert latency[("hearth_rpc_request_duration_seconds_count",
                    'method="getblockcount"')] == count
    http_ok = after["hearth_rpc_http_responses_total"][1][
        ("hearth_rpc_http_responses_total", 'status="200"')]
    assert http_ok >= 6


def test_200_concurrent_keepalive_clients_for_10_seconds(make_node):
    # libmicrohttpd splits rpcmaxconnections among the threads, and one
    # thread may accept most of the 200: room for all of them on any one.
    node = make_node().start([QUIET, "-rpcmaxconnections=1000"])
    auth = cookie_auth(node)
    body = call("getblockcount")
    headers = {"Content-Type": "application/json", "Authorization": auth}
    stop_at = time.monotonic() + 10
    counts, errors = [0] * 200, []
    barrier = threading.Barrier(200)

    def client(i):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", node.rpcport, timeout=60)
            barrier.wait(60)
            while time.monotonic() < stop_at:
                conn.request("POST", "/", body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                if resp.status != 200 or json.loads(data)["result"] != {"height": 0}:
                    errors.append((resp.status, data))
                    return
                counts[i] += 1
            conn.close()
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(repr(exc))

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:5]
    assert all(c >= 1 for c in counts), "some client was never answered"
    assert node.rpc("getblockcount") == {"height": 0}
