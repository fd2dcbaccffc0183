"""Bad input through the RPC front door (issue 11): a corpus of malformed
requests at a running hearthd -dev -- wrong parameter types, huge numbers,
deep JSON nesting, invalid UTF-8, a 10 MB body, truncated bodies, odd
content types, garbage that is not HTTP, slowloris connections -- each
answered with the error doc/rpc.md documents, while the node keeps
committing blocks and answering well-formed calls."""
import base64
import json
import os
import socket
import threading
import time

import pytest

TIMEOUT = 2  # -rpcservertimeout of the node under test, in seconds


@pytest.fixture(scope="module")
def node(builddir):
    """One node for the whole corpus: that it survives all of it is the
    point. Module-scoped, so it cleans up after itself."""
    import tempfile
    import shutil
    from hearthnode import HearthNode

    path = tempfile.mkdtemp(prefix="hearth-badinput-")
    n = HearthNode(builddir, path)
    n.start(["-emptyblockinterval=100", "-rpcservertimeout=%d" % TIMEOUT])
    yield n
    try:
        assert n.stop() == 0
    finally:
        n.kill()
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(autouse=True)
def still_committing(node):
    """Around every case: the node commits new blocks and answers."""
    before = node.rpc("getblockcount")["height"]
    yield
    deadline = time.monotonic() + 30
    while node.rpc("getblockcount")["height"] <= before:
        assert time.monotonic() < deadline, "the node stopped committing"
        time.sleep(0.05)
    assert node.proc.poll() is None
    status, body = node.http("GET", "/health", auth=False)
    assert status == 200 and body["committing"] is True


def auth_header(node):
    with open(os.path.join(node.netdir, ".cookie"), encoding="utf-8") as f:
        return "Basic " + base64.b64encode(f.read().strip().encode()).decode()


def connect(node, timeout=30.0):
    sock = socket.create_connection(("127.0.0.1", node.rpcport), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_response(sock):
    """Reads one HTTP response up to the end of its body or of the
    connection. Returns (status, headers dict, body bytes); status 0 when the
    server closed without answering."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            return 0, {}, data
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def post(node, body, content_type="application/json", extra_headers=(), length=None):
    """POSTs raw body bytes to / with the cookie; returns (status, parsed
    JSON or None)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    head = ["POST / HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
            "Authorization: " + auth_header(node),
            "Content-Length: %d" % (len(body) if length is None else length)]
    if content_type is not None:
        head.append("Content-Type: " + content_type)
    head.extend(extra_headers)
    with connect(node) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        status, _, data = read_response(sock)
    return status, (json.loads(data) if data else None)


def call(method, *params):
    return json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})


def expect_error(node, body, code, http=200, **kw):
    status, reply = post(node, body, **kw)
    assert status == http, (status, reply)
    assert reply["error"]["code"] == code, reply
    assert "result" not in reply or reply["result"] is None
    return reply["error"]["message"]


# ------------------------------------------------------------ parameters

@pytest.mark.parametrize("method,params", [
    ("getblockhash", ["1"]),
    ("getblockhash", [1.5]),
    ("getblockhash", [True]),
    ("getblockhash", [None]),
    ("getblockhash", [[1]]),
    ("getblockhash", [{"height": 1}]),
    ("getblockhash", [-1]),
    ("getblockhash", [-9223372036854775808]),
    ("getblock", [1, "1"]),
    ("getblock", [1, -1]),
    ("gettransaction", [123]),
    ("gettransaction", [None]),
    ("sendrawtransaction", [5]),
    ("sendrawtransaction", [["00"]]),
    ("getaccount", [{}]),
    ("getnonce", [False]),
    ("help", [7]),
    ("getblockcount", [1]),
    ("getblockhash", [1, 2]),
    ("getblockhash", []),
])
def test_wrong_parameter_types_are_invalid_params(node, method, params):
    expect_error(node, call(method, *params), -32602)


def test_unknown_named_parameter_is_invalid_params(node):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "getblockhash",
                       "params": {"hieght": 1}})
    assert "hieght" in expect_error(node, body, -32602)


@pytest.mark.parametrize("body", [
    call("getblockhash", 9223372036854775807),
    call("getblockhash", 10**15),
    call("getblock", 9223372036854775807),
    call("getblock", 1, 9223372036854775807),
    call("getblock", "zz" * 32),
    call("getblock", "0" * 63),
    call("gettransaction", "0" * 65),
    call("gettransaction", "g" * 64),
    call("sendrawtransaction", "0"),
    call("sendrawtransaction", "xyz"),
    call("getaccount", "hth1" + "q" * 1000),
])
def test_out_of_range_values_are_refused(node, body):
    status, reply = post(node, body)
    assert status == 200
    assert reply["error"]["code"] in (-5, -8, -26), reply


@pytest.mark.parametrize("number", [
    "18446744073709551616",        # 2^64
    "18446744073709551615",        # 2^64 - 1: above json_int_t
    "9223372036854775808",         # 2^63
    "-9223372036854775809",
    "1" * 400,
    "1e400",
    "-1e400",
])
def test_numbers_beyond_the_parser_are_parse_errors(node, number):
    body = '{"jsonrpc":"2.0","id":1,"method":"getblockhash","params":[%s]}' % number
    expect_error(node, body, -32700, http=400)


def test_large_sendrawtransaction_is_refused_by_size(node):
    body = call("sendrawtransaction", "00" * ((1 << 20) + 1))
    assert "max_tx_bytes" in expect_error(node, body, -26)


# ------------------------------------------------------------ structure

@pytest.mark.parametrize("open_,close", [("[", "]"), ('{"a":', "}")])
def test_deep_nesting_is_a_parse_error(node, open_, close):
    deep = open_ * 10000 + "1" + close * 10000
    body = '{"jsonrpc":"2.0","id":1,"method":"getblockhash","params":[%s]}' % deep
    expect_error(node, body, -32700, http=400)
    expect_error(node, open_ * 10000 + "1" + close * 10000, -32700, http=400)
    # Just under the parser's depth limit it parses, and is a wrong type.
    ok_deep = "[" * 2000 + "1" + "]" * 2000
    expect_error(node, '{"jsonrpc":"2.0","id":1,"method":"help","params":[%s]}' % ok_deep,
                 -32602)


@pytest.mark.parametrize("body,code,http", [
    (b"", -32700, 400),
    (b"   ", -32700, 400),
    (b"null", -32600, 400),
    (b"5", -32600, 400),
    (b'"getblockcount"', -32600, 400),
    (b"[]", -32600, 400),
    (b"{}", -32600, 400),
    (b'{"jsonrpc":"2.0","id":1,"method":5}', -32600, 200),
    (b'{"jsonrpc":"2.0","id":{},"method":"getblockcount"}', -32600, 200),
    (b'{"jsonrpc":"2.0","id":1,"method":"getblockcount","params":"x"}', -32600, 200),
    (b'{"jsonrpc":"3.0","id":1,"method":"getblockcount"}', -32600, 400),
    (b'{"jsonrpc":"2.0","id":1,"method":"getblockcount","id":2}', -32700, 400),
    (b'{"jsonrpc":"2.0","id":1,"method":"nosuch"}', -32601, 200),
    (b'{"jsonrpc":"2.0","id":1,"method":"' + b"m" * 100000 + b'"}', -32601, 200),
])
def test_malformed_requests_get_their_code(node, body, code, http):
    expect_error(node, body, code, http=http)


def test_oversized_batch_is_one_invalid_request(node):
    batch = "[" + ",".join([call("getblockcount")] * 1001) + "]"
    expect_error(node, batch, -32600, http=400)


def test_batch_of_garbage_answers_each_element(node):
    status, reply = post(node, '[1, "x", null, {}, %s]' % call("getblockcount"))
    assert status == 200 and len(reply) == 5
    assert [r.get("error", {}).get("code") for r in reply[:4]] == [-32600] * 4
    assert reply[4]["result"]["height"] >= 0


# ------------------------------------------------------------ encoding

@pytest.mark.parametrize("bad", [
    b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xe2\x82",
    b"\x80", b"\xf4\x90\x80\x80",
])
def test_invalid_utf8_is_a_parse_error(node, bad):
    body = b'{"jsonrpc":"2.0","id":1,"method":"getblock' + bad + b'"}'
    expect_error(node, body, -32700, http=400)
    body = b'{"jsonrpc":"2.0","id":1,"method":"gettransaction","params":["' + bad + b'"]}'
    expect_error(node, body, -32700, http=400)


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\u0000", "\\ud800\\u0041"])
def test_bad_unicode_escapes_are_parse_errors(node, escape):
    body = '{"jsonrpc":"2.0","id":1,"method":"help","params":["%s"]}' % escape
    expect_error(node, body, -32700, http=400)


def test_unicode_in_a_method_name_is_echoed_as_valid_utf8(node):
    msg = expect_error(node, call("h\u00e9lp\u20ac\U0001F600"), -32601)
    assert "h\u00e9lp" in msg


# ------------------------------------------------------------ size and framing

def test_ten_megabyte_body_is_refused_without_being_read(node):
    body = b'{"jsonrpc":"2.0","id":1,"method":"help","params":["' + b"a" * (10 << 20) + b'"]}'
    head = ("POST / HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" %
            (auth_header(node), len(body))).encode()
    with connect(node) as sock:
        sock.sendall(head)
        try:
            sock.sendall(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: it does not read the body
        status, _, data = read_response(sock)
    assert status == 413, data
    assert json.loads(data) == {"error": "request body too large"}


def test_ten_megabyte_chunked_body_is_dropped_then_refused(node):
    head = ("POST / HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nConnection: close\r\n"
            "Transfer-Encoding: chunked\r\n\r\n" % auth_header(node)).encode()
    chunk = b"a" * (1 << 20)
    with connect(node) as sock:
        sock.sendall(head)
        try:
            for _ in range(10):
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, _, _ = read_response(sock)
    assert status == 413


@pytest.mark.parametrize("cut", [1, 10, 30, 50])
def test_truncated_bodies_are_parse_errors(node, cut):
    body = call("getblockhash", 1)[:cut]
    expect_error(node, body, -32700, http=400)


def test_body_shorter_than_its_length_times_out(node):
    """A Content-Length the client never delivers: the connection is closed
    after rpcservertimeout, no answer."""
    started = time.monotonic()
    with connect(node) as sock:
        head = ("POST / HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n"
                "Content-Length: 1000\r\n\r\n{\"jsonrpc\"" % auth_header(node)).encode()
        sock.sendall(head)
        status, _, _ = read_response(sock)
    assert status == 0
    assert time.monotonic() - started < TIMEOUT + 10


def test_half_closed_truncated_body_gets_no_hang(node):
    with connect(node) as sock:
        head = ("POST / HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n"
                "Content-Length: 1000\r\n\r\n{\"jsonrpc\"" % auth_header(node)).encode()
        sock.sendall(head)
        sock.shutdown(socket.SHUT_WR)
        status, _, _ = read_response(sock)
    assert status in (0, 400)


@pytest.mark.parametrize("length", ["abc", "-1", "99999999999999999999999", "1 2", ""])
def test_malformed_content_length(node, length):
    head = ("POST / HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nConnection: close\r\n"
            "Content-Length: %s\r\n\r\n" % (auth_header(node), length)).encode()
    with connect(node) as sock:
        sock.sendall(head + call("getblockcount").encode())
        status, _, _ = read_response(sock)
    assert status in (0, 400, 413)


@pytest.mark.parametrize("content_type", [
    None, "text/plain", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz", "application/json; charset=latin-1",
    "\x01\x02garbage",
])
def test_content_type_is_not_checked(node, content_type):
    """doc/rpc.md: the body is parsed as JSON whatever the Content-Type."""
    status, reply = post(node, call("getblockcount"), content_type=content_type)
    assert status == 200 and reply["result"]["height"] >= 0


@pytest.mark.parametrize("garbage", [
    b"\x00" * 64 + b"\r\n\r\n",
    b"GET\r\n\r\n",
    b"POST / HTTP/9.9\r\n\r\n",
    b"POST " + b"/" * 100000 + b" HTTP/1.1\r\n\r\n",
    b"POST / HTTP/1.1\r\nX: " + b"a" * 200000 + b"\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(200),
    os.urandom(4096),
])
def test_garbage_that_is_not_http_is_answered_or_dropped(node, garbage):
    with connect(node) as sock:
        try:
            sock.sendall(garbage)
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, _, _ = read_response(sock)
    assert status in (0, 400, 404, 405, 413, 414, 431, 505)


# ------------------------------------------------------------ slow clients

def slow_client(node, stop, results, i, idle=False):
    """A slowloris: one header byte a second (or, idle, one line and then
    nothing). Records whether the server closed it, and after how long."""
    request = ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-%d: " % i).encode() + b"a" * 1000
    started = time.monotonic()
    closed = False
    try:
        with connect(node, timeout=1.0) as sock:
            sock.sendall(request[:20])
            pos = 20
            while not stop.is_set() and not closed:
                try:
                    closed = not sock.recv(1)
                except socket.timeout:
                    pass
                if not idle and not closed:
                    sock.sendall(request[pos:pos + 1])
                    pos += 1
    except (ConnectionResetError, BrokenPipeError):
        closed = True
    results[i] = (closed, time.monotonic() - started)


@pytest.mark.parametrize("idle", [True, False], ids=["idle", "trickle"])
def test_slowloris_connections_are_cut_and_others_served(node, idle):
    n = 40
    stop = threading.Event()
    results = {}
    threads = [threading.Thread(target=slow_client, args=(node, stop, results, i, idle))
               for i in range(n)]
    for t in threads:
        t.start()
    try:
        # Meanwhile the server answers everyone else at once.
        deadline = time.monotonic() + 2 * TIMEOUT + 3
        while time.monotonic() < deadline:
            t0 = time.monotonic()
            assert node.rpc("getblockcount")["height"] >= 0
            assert time.monotonic() - t0 < 5.0
            time.sleep(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    # Every slow connection was closed by the server, not by the test.
    assert len(results) == n
    assert all(closed and d < 2 * TIMEOUT + 2.5 for closed, d in results.values()), \
        sorted(results.values())
