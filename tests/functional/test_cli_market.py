"""hearth-cli's market queries against one `hearthd -dev -provider` node
(the executor runs real jobs, as in test_executor.py): the node's provider
key offers (-keyfile), the faucet bids a small job that hashes its input
into /out; `wait`, `job`, `jobs`, `offers --mine`, `bids --mine`, `explain`,
and `result -o DIR`, whose files verify with `verify`, also for a sealed
(--encrypt) result. A proxy between the CLI and the node flips a byte of
the result archive: `result` must refuse it and write nothing. Error paths:
unknown and malformed ids, and a bid whose tx still waits in the mempool
(pending, exit 2)."""
import base64
import json
import os
import urllib.request

import pytest

from hearthnode import LocalHttpServer, QuietHandler
from test_cli import Cli, wait_for
from test_executor import BID_FEE
from test_rpc_chain import FAUCET_SECRET, txgen

MIN_PROVIDER_BOND = 10**9
JOB = ["sh", "-c", "sha256sum /work/data.txt > /out/sum && echo hashed"]


class TamperProxy(LocalHttpServer):
    """Forwards JSON-RPC to the node; flips one hex digit of the file in
    getjobresult's archive (the sha256 the job wrote), so the recomputed
    result hash cannot match the receipt."""

    def __init__(self, node_port):
        target = "http://127.0.0.1:%d/" % node_port

        class Handler(QuietHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                req = urllib.request.Request(target, data=body, method="POST", headers={
                    "Content-Type": "application/json",
                    "Authorization": self.headers.get("Authorization", "")})
                with urllib.request.urlopen(req, timeout=60) as res:
                    answer = res.read()
                if json.loads(body).get("method") == "getjobresult":
                    reply = json.loads(answer)
                    tar = bytearray(base64.b64decode(reply["result"]["archive"]))
                    at = tar.index(b"  /work/data.txt") - 64
                    tar[at] = ord("0") if tar[at] != ord("0") else ord("1")
                    reply["result"]["archive"] = base64.b64encode(bytes(tar)).decode()
                    answer = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        super().__init__(Handler)


@pytest.fixture
def market(make_node, builddir, tmp_path):
    node = make_node().start(["-provider", "-emptyblockinterval=200"])
    cli = Cli(builddir, node.datadir, node.rpcport)
    cli.ok("importkey", "faucet", FAUCET_SECRET)
    keyfile = "-keyfile=" + os.path.join(node.netdir, "provider_key")
    provider = cli.json(keyfile, "address")["address"]
    wait_for(lambda: cli.json("balance", provider)["bonded"] == MIN_PROVIDER_BOND,
             timeout=60, what="the provider's bond")
    offer = cli.json(keyfile, "offer", "create", "--cpu", "1000m", "--mem", "256M", "--disk",
                     "64M", "--slots", "2", "--price", "0.000007/s", "--max-duration", "120s")
    wait_for(lambda: node.rpc("gettransaction", offer["txid"])["status"] == "committed",
             timeout=60, what="the offer")
    job_input = tmp_path / "input"
    job_input.mkdir()
    (job_input / "data.txt").write_text("hearth test input\n")
    return node, cli, keyfile, offer["offer_id"], str(job_input)


def bid(cli, job_input, *extra):
    # 120 s of run time = 130 blocks of deadline (1 s nominal blocks + 10 of
    # grace); at -emptyblockinterval=200 that is ~26 s of wall time, room
    # for a loaded machine (30 s gave ~8 s, and a sealed job missed it).
    return cli.json("-key=faucet", "bid", "--cpu", "500m", "--mem", "128M", "--timeout", "120s",
                    "--max-price", "0.000009/s", "--input", job_input, *extra, "--",
                    *JOB)["bid_id"]


def test_market_queries_and_checked_results(market, tmp_path):
    node, cli, keyfile, offer_id, job_input = market
    mine = cli.json(keyfile, "offers", "--mine")["offers"]
    assert [o["id"] for o in mine] == [offer_id]
    human = cli.ok(keyfile, "offers", "--mine").splitlines()
    assert human[0].split()[0] == "OFFER" and human[1].split()[0] == offer_id
    assert "0.000007/s" in human[1] and "2/2" in human[1]
    assert offer_id in [o["id"] for o in cli.json("offers")["offers"]]

    bid_id = bid(cli, job_input)
    waited = cli.run("-key=faucet", "wait", bid_id, "--timeout", "180", timeout=240)
    assert waited.returncode == 0, waited.stderr
    lines = waited.stdout.strip().splitlines()
    assert lines[-1].split()[0] == "settled" and lines[-1].split()[1] == "height"
    job = cli.json("job", bid_id)
    assert job["status"] == "settled" and len(job["leases"]) == 1
    lease = job["leases"][0]
    receipt_hash = lease["receipt"]["outcome"]["result_hash"]
    human = cli.ok("job", bid_id)
    rows = [line.split(None, 1) for line in human.splitlines()]
    assert ["status", "settled"] in rows
    assert ["lease", lease["id"]] in rows and ["provider", lease["provider"]] in rows
    assert any(r[0] == "receipt" and r[1].startswith(receipt_hash) for r in rows)
    jobs = cli.json("-key=faucet", "jobs")["jobs"]
    assert {"bid": bid_id, "status": "settled", "bid_state": "settled",
            "replicas": 1} in jobs
    assert bid_id in cli.ok("-key=faucet", "jobs")
    assert bid_id in [b["id"] for b in cli.json("-key=faucet", "bids", "--mine")["bids"]]
    assert cli.json(keyfile, "bids", "--mine")["bids"] == []

    # The result, checked against the receipt and written; `verify` agrees.
    out = tmp_path / "result"
    got = cli.json("-key=faucet", "result", bid_id, "-o", str(out))
    assert got["result_hash"] == receipt_hash and not got["encrypted"]
    assert (out / "stdout").read_text() == "hashed\n"
    assert (out / "out" / "sum").read_text().endswith("  /work/data.txt\n")
    assert cli.ok("verify", str(out), "--hash", receipt_hash).startswith("ok")
    # A non-empty DIR is refused; the provider did not make the bid.
    cli.fails("-key=faucet", "result", bid_id, "-o", str(out), expect="not empty")
    cli.fails(keyfile, "result", bid_id, "-o", str(tmp_path / "p"), expect="did not make")
    assert not (tmp_path / "p").exists()

    # A tampered archive: one line, exit 1, nothing written.
    proxy = TamperProxy(node.rpcport)
    try:
        tampered = Cli(cli.binary.rsplit("/", 1)[0], cli.datadir, proxy.port)
        target = tmp_path / "tampered"
        tampered.fails("-key=faucet", "result", lease["id"], "-o", str(target),
                       expect="does not match its receipt on chain")
        assert not target.exists()
        assert [p for p in os.listdir(tmp_path) if p.startswith(".hearth-result")] == []
        os.mkdir(target)
        tampered.fails("-key=faucet", "result", bid_id, "-o", str(target),
                       expect="nothing written")
        assert os.listdir(target) == []
    finally:
        proxy.close()

    # A sealed result opens with the key kept at `bid --encrypt`.
    sealed = bid(cli, job_input, "--encrypt")
    assert cli.run("wait", sealed, "--timeout", "180", timeout=240).returncode == 0
    got = cli.json("-key=faucet", "result", sealed, "-o", str(tmp_path / "sealed"))
    assert got["encrypted"]
    assert cli.ok("verify", str(tmp_path / "sealed"), "--hash", got["result_hash"])


def test_explain_and_errors(market, tmp_path):
    node, cli, _, _, job_input = market
    nobody = bid(cli, job_input, "--runtime", "wasm")

    def attempted():
        # `bid` returns once its tx is admitted: "no bid" (-5) until its block.
        res = cli.run("-json", "explain", nobody)
        return res.returncode == 0 and json.loads(res.stdout)["reason"] != "MARKET_OK"

    wait_for(attempted, timeout=60, what="a matching attempt")
    explained = cli.json("explain", nobody)
    assert explained["state"] == "queued" and explained["reason"].startswith("MARKET_")
    rows = dict(line.split(None, 1) for line in cli.ok("explain", nobody).splitlines())
    assert rows["state"] == "queued" and rows["reason"] == explained["reason"]
    assert rows["message"] == explained["message"]
    assert nobody in [b["id"] for b in cli.json("bids")["bids"]]
    assert cli.json("job", nobody)["status"] == "queued"
    timed_out = cli.run("wait", nobody, "--timeout", "2")
    assert timed_out.returncode == 1 and timed_out.stdout.split()[0] == "queued"
    assert len(timed_out.stderr.splitlines()) == 1 and "timed out" in timed_out.stderr
    cli.fails("-key=faucet", "result", nobody, "-o", str(tmp_path / "r"),
              expect="no result on chain yet")
    unknown = "00" * 32
    for cmd in ("job", "explain", "wait"):
        cli.fails(cmd, unknown, expect="error code -5")
        cli.fails(cmd, "xyz", expect="64 hex digits")
    cli.fails("-key=faucet", "result", unknown, "-o", str(tmp_path / "r"),
              expect="no bid or lease")
    cli.fails("result", "xyz", "-o", str(tmp_path / "r"), expect="64 hex digits")
    cli.fails("result", unknown, expect="usage")
    cli.fails("offers", "--nosuch", expect="unknown option")
    assert not (tmp_path / "r").exists()


PENDING_EXIT = 2  # doc/cli.md, "Exit status"


def test_bid_still_in_the_mempool_is_pending_not_unknown(make_node, builddir, tmp_path):
    """A bid's id is its tx's id, and `bid` returns once the tx is admitted.
    A nonce gap holds the bid's tx in the mempool (as in test_mempool.py)
    while blocks go by: explain, job and result say in one line that the bid
    is pending and exit 2, not "no bid"; wait keeps waiting. Once the gap
    fills, the same commands read the committed bid; an id in neither the
    chain nor the mempool is still "no bid" (-5, exit 1)."""
    node = make_node().start()
    cli = Cli(builddir, node.datadir, node.rpcport)
    faucet = txgen(builddir, "address", FAUCET_SECRET)
    first = node.rpc("getnonce", faucet)["next"]
    tx = txgen(builddir, "bid", FAUCET_SECRET, "hearth-dev", first + 1, BID_FEE, 500, 128 << 20,
               16 << 20, "wasm", 9, 30, 1, 10**6, "--", "true")
    bid_id = txgen(builddir, "txid", tx)
    assert node.rpc("sendrawtransaction", tx)["txid"] == bid_id
    height = node.rpc("getblockcount")["height"]
    wait_for(lambda: node.rpc("getblockcount")["height"] >= height + 2, timeout=60,
             what="two blocks without the bid")
    assert node.rpc("gettransaction", bid_id)["status"] == "pending"

    out = tmp_path / "r"
    for args in (("explain", bid_id), ("-json", "explain", bid_id), ("job", bid_id),
                 ("-json", "job", bid_id), ("result", bid_id, "-o", str(out))):
        res = cli.run(*args)
        assert res.returncode == PENDING_EXIT, (args, res.stdout, res.stderr)
        assert res.stdout == ""
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1, res.stderr
        assert lines[0].startswith("hearth-cli: bid %s is pending" % bid_id), lines[0]
        assert "mempool, not in a block yet" in lines[0]
        assert "-5" not in lines[0]
    assert not out.exists()
    waited = cli.run("wait", bid_id, "--timeout", "2")
    assert waited.returncode == 1 and "still not in a block" in waited.stderr

    unknown = "00" * 32
    for cmd in ("explain", "job"):
        cli.fails(cmd, unknown, expect="error code -5: no bid")
    cli.fails("result", unknown, "-o", str(out), expect="no bid or lease")

    gap = txgen(builddir, "transfer", FAUCET_SECRET, "hearth-dev", first, 1000, faucet, 1)
    node.rpc("sendrawtransaction", gap)
    wait_for(lambda: node.rpc("gettransaction", bid_id)["status"] == "committed", timeout=60,
             what="the bid's block")
    assert cli.json("explain", bid_id)["bid"] == bid_id
    assert cli.json("job", bid_id)["status"] == "queued"
    cli.fails("result", bid_id, "-o", str(out), expect="no result on chain yet")
    assert not out.exists()


QUERY_COMMANDS = ("offers", "bids", "explain", "job", "jobs", "wait", "result")


def test_query_commands_are_listed_documented_and_completed(builddir, srcdir, tmp_path):
    cli = Cli(builddir, str(tmp_path), 1)
    names = [c["name"] for c in cli.json("help")["commands"]]
    with open(os.path.join(srcdir, "doc", "cli.md"), encoding="utf-8") as f:
        doc = f.read()
    with open(os.path.join(srcdir, "contrib", "completion", "hearth-cli.bash"),
              encoding="utf-8") as f:
        completion = f.read()
    words = completion.split('local commands="', 1)[1].split('"', 1)[0].split()
    for cmd in QUERY_COMMANDS:
        assert cmd in names and cmd in words
        assert cli.ok("help", cmd).startswith("hearth-cli " + cmd)
        assert "\n### %s\n" % cmd in doc
