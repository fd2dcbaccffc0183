"""Starts and stops real hearthd processes for the functional tests.

Every node gets its own temporary data directory and is always stopped (and
killed if it does not stop) when the test ends.
"""
import base64
import http.client
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (error|warn|info|debug) [a-z0-9]+ .+$")


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A request handler that does not log each request to stderr."""

    def log_message(self, *args):
        pass


class LocalHttpServer:
    """Serves a handler class on 127.0.0.1 (a free port, self.port) from a
    thread until close()."""

    def __init__(self, handler):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class RpcError(Exception):
    """A JSON-RPC error answer."""

    def __init__(self, code, message):
        super().__init__("error code %d: %s" % (code, message))
        self.code = code
        self.message = message


class HearthNode:
    """One hearthd process over a data directory."""

    def __init__(self, builddir, datadir, network="dev"):
        self.binary = os.path.join(builddir, "hearthd")
        self.datadir = datadir
        self.network = network
        self.proc = None
        self.rpcport = free_port()
        self.port = free_port()

    @property
    def netdir(self):
        """The network's directory inside the data directory."""
        sub = {"main": "", "test": "testnet", "dev": "dev"}[self.network]
        return os.path.join(self.datadir, sub) if sub else self.datadir

    def args(self, extra=()):
        net = {"main": [], "test": ["-testnet"], "dev": ["-dev"]}[self.network]
        return ([self.binary, "-datadir=" + self.datadir, "-rpcport=%d" % self.rpcport,
                 "-port=%d" % self.port, "-bind=127.0.0.1"] + net + list(extra))

    def http(self, method, path, body=None, auth=True):
        """One HTTP request to the RPC port; returns (status, parsed body)."""
        headers = {"Content-Type": "application/json"}
        if auth:
            with open(os.path.join(self.netdir, ".cookie"), encoding="utf-8") as f:
                token = base64.b64encode(f.read().strip().encode()).decode()
            headers["Authorization"] = "Basic " + token
        conn = http.client.HTTPConnection("127.0.0.1", self.rpcport, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        return resp.status, (json.loads(data) if data else None)

    def rpc(self, method, *params):
        """Calls a JSON-RPC method; returns its result or raises RpcError."""
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                           "params": list(params)})
        _, reply = self.http("POST", "/", body)
        if reply.get("error") is not None:
            raise RpcError(reply["error"]["code"], reply["error"]["message"])
        return reply["result"]

    def log_text(self):
        path = os.path.join(self.netdir, "debug.log")
        if not os.path.exists(path):
            return ""
        with open(path, encoding="utf-8") as f:
            return f.read()

    def wait_for_log(self, text, timeout=10.0, after=0):
        """Waits until debug.log contains text past offset after; fails if
        the process dies first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log_text()[after:]:
                return
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError("hearthd exited with %s before logging %r:\n%s" %
                                     (self.proc.returncode, text, self.proc.stderr.read()))
            time.sleep(0.02)
        raise AssertionError("timed out waiting for %r in debug.log" % text)

    def adopt_genesis(self, genesis_path):
        """Makes the data directory and keys (-printvalidatorkey), then puts
        the genesis at genesis_path in it: the node joins another node's
        network, not as one of its genesis validators. Returns self."""
        res = self.run(["-printvalidatorkey"])
        assert res.returncode == 0, res.stderr
        shutil.copy(genesis_path, os.path.join(self.netdir, "genesis.json"))
        return self

    def start(self, extra=()):
        """Starts hearthd and waits until it reports it has started."""
        offset = len(self.log_text())
        self.proc = subprocess.Popen(self.args(extra), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.wait_for_log("hearthd started", after=offset)
        return self

    def stop(self, timeout=10.0):
        """SIGTERM, then wait; returns the exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        finally:
            self.kill()

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc is not None:
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()

    def run(self, extra=(), timeout=10.0):
        """Runs hearthd to completion (for options that exit at once)."""
        return subprocess.run(self.args(extra), capture_output=True, text=True,
                              timeout=timeout, check=False)
