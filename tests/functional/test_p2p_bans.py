"""hearthd's P2P port against bad peers: garbage gets the IP banned (unless
whitelisted), a node of another genesis is refused, and the node keeps
committing through it all."""
import socket
import time
import urllib.request

FAST = ["-emptyblockinterval=200"]


def height(node):
    return node.rpc("getblockcount")["height"]


def wait_height(node, target, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if height(node) >= target:
            return
        time.sleep(0.1)
    raise AssertionError("height %d not reached" % target)


def metric(node, name):
    """The value of an unlabelled series in /metrics (no credentials needed)."""
    url = "http://127.0.0.1:%d/metrics" % node.rpcport
    with urllib.request.urlopen(url, timeout=10) as resp:
        for line in resp.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    raise AssertionError("no series " + name)


def wait_metric(node, name, at_least, timeout=10):
    deadline = time.monotonic() + timeout
    while metric(node, name) < at_least:
        if time.monotonic() > deadline:
            raise AssertionError("%s stayed below %s" % (name, at_least))
        time.sleep(0.1)


def read_until_closed(port, send=b"", timeout=5):
    """Connects to the P2P port, sends bytes, returns all it read until the
    node closed the connection."""
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        if send:
            sock.sendall(send)
        while True:
            try:
                chunk = sock.recv(4096)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    return data


def hello_from(port, timeout=5):
    """Connects without sending anything and reads the node's 40-byte hello;
    b"" when the node closes the connection first (a banned IP)."""
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        while len(data) < 40:
            try:
                chunk = sock.recv(40 - len(data))
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    return data


def test_garbage_peer_is_banned_and_node_keeps_committing(make_node):
    node = make_node().start(FAST + ["-bantime=60"])
    wait_height(node, 1)
    assert hello_from(node.port)[:4] == b"HRTH"
    read_until_closed(node.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    node.wait_for_log("banned ip=127.0.0.1 for_ms=60000")
    # A banned IP is closed before any byte: no hello this time.
    assert hello_from(node.port) == b""
    # The metrics count the ban and the garbage's bytes (updated every 0.5 s).
    wait_metric(node, "hearth_p2p_bans_total", 1)
    wait_metric(node, "hearth_p2p_received_bytes_total", len(b"GET / HTTP/1.1\r\n"))
    h = height(node)
    wait_height(node, h + 2)


def test_whitelisted_ip_is_only_disconnected(make_node):
    node = make_node().start(FAST + ["-whitelist=127.0.0.1"])
    read_until_closed(node.port, b"\x00" * 64)
    node.wait_for_log("not banning noban ip=127.0.0.1")
    assert hello_from(node.port)[:4] == b"HRTH"


def test_node_of_another_genesis_is_refused(make_node):
    a = make_node().start(FAST)
    # b makes its own dev genesis (its own validator, its own time).
    b = make_node().start(FAST + ["-connect=127.0.0.1:%d" % a.port])
    a.wait_for_log("wrong genesis hash")
    assert a.rpc("getnetworkinfo")["connections"] == 0
    h = height(a)
    wait_height(a, h + 2)
    assert b.rpc("getnetworkinfo")["connections"] == 0
