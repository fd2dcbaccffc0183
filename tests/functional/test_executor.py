"""The provider executor on one `hearthd -dev -provider` node: the node's
provider key (bonded by the executor at start-up) offers, the dev faucet
bids a small real job, the executor runs it in the sandbox, submits the
receipt, the lease settles after the challenge window, the balances move to
the unit, and the consumer (and nobody else) fetches a result that matches
the hash on chain. A restart in the middle of a job still completes it."""
import base64
import hashlib
import http.client
import io
import json
import os
import subprocess
import tarfile
import time

import pytest

from hearthnode import RpcError
from result_hash_ref import manifest_of, result_hash
from test_rpc_chain import FAUCET_SECRET, txgen

CHAIN = "hearth-dev"
MIN_PROVIDER_BOND = 10**9
OFFER_FEE = 100000
BID_FEE = 200000
PRICE = 7  # per second, the offer's ask (the lease's price)


def tagged(tag, data=b""):
    tag = tag.encode()
    return hashlib.blake2b(bytes([len(tag)]) + tag + data, digest_size=32).digest()


def proto_fields(buf):
    """[(field number, value)] of one protobuf message: ints for varints,
    bytes for length-delimited fields (enough for Block, Tx and TxBody)."""
    out, pos = [], 0

    def varint():
        nonlocal pos
        shift = value = 0
        while True:
            b = buf[pos]
            pos += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return value

    while pos < len(buf):
        key = varint()
        field, wire = key >> 3, key & 7
        if wire == 0:
            out.append((field, varint()))
        elif wire == 2:
            n = varint()
            out.append((field, buf[pos:pos + n]))
            pos += n
        else:
            raise AssertionError("unexpected wire type %d" % wire)
    return out


def field(msg, number):
    return [v for f, v in proto_fields(msg) if f == number]


def committed_tx(node, txid):
    """(TxBody fields as a dict of lists) of a committed tx, by id."""
    where = node.rpc("gettransaction", txid)
    assert where["status"] == "committed"
    block = bytes.fromhex(node.rpc("getblock", where["height"], 0)["hex"])
    for tx in field(block, 2):
        if tagged("hearth/txid", tx).hex() == txid:
            body = field(tx, 1)[0]
            fields = {}
            for f, v in proto_fields(body):
                fields.setdefault(f, []).append(v)
            return fields
    raise AssertionError("tx %s not in its block" % txid)


def wait_for(what, fn, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def send(node, tx):
    return node.rpc("sendrawtransaction", tx)["txid"]


def wait_committed(node, txid):
    wait_for("tx %s to commit" % txid,
             lambda: node.rpc("gettransaction", txid)["status"] == "committed")


def metrics(node):
    """{name: value} of the unlabelled series of GET /metrics."""
    with open(os.path.join(node.netdir, ".cookie"), encoding="utf-8") as f:
        token = base64.b64encode(f.read().strip().encode()).decode()
    conn = http.client.HTTPConnection("127.0.0.1", node.rpcport, timeout=10)
    try:
        conn.request("GET", "/metrics", headers={"Authorization": "Basic " + token})
        text = conn.getresponse().read().decode()
    finally:
        conn.close()
    return {line.split()[0]: float(line.split()[1]) for line in text.splitlines()
            if line and not line.startswith("#") and "{" not in line}


def balance(node, addr):
    return node.rpc("getaccount", addr)["balance"]


def input_tar(path, files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))
    with open(path, "wb") as f:
        f.write(buf.getvalue())
    return path


class Provider:
    """The dev node as its own provider, with one offer on the book."""

    def __init__(self, builddir, node):
        self.builddir = builddir
        self.node = node
        with open(os.path.join(node.netdir, "provider_key"), encoding="utf-8") as f:
            self.secret = f.read().strip()
        self.addr = txgen(builddir, "address", self.secret)
        self.faucet = txgen(builddir, "address", FAUCET_SECRET)

    def offer(self, slots=2, max_duration=120):
        wait_for("the provider's bond", lambda: self.node.rpc(
            "getaccount", self.addr)["bonded"] == MIN_PROVIDER_BOND)
        nonce = self.node.rpc("getnonce", self.addr)["next"]
        tx = txgen(self.builddir, "offer", self.secret, CHAIN, nonce, OFFER_FEE, 1000,
                   256 << 20, 64 << 20, slots, "posix", PRICE, max_duration, 10**6)
        wait_committed(self.node, send(self.node, tx))

    def bid(self, tmp_path, argv, max_duration=30, extra=()):
        nonce = self.node.rpc("getnonce", self.faucet)["next"]
        tar = input_tar(str(tmp_path / "input.tar"), {"data.txt": b"hearth test input\n"})
        tx = txgen(self.builddir, "bid", FAUCET_SECRET, CHAIN, nonce, BID_FEE, 500,
                   128 << 20, 16 << 20, "posix", 9, max_duration, 1, 10**6, "--input", tar,
                   *extra, "--", *argv)
        bid_id = txgen(self.builddir, "txid", tx)
        assert send(self.node, tx) == bid_id
        return txgen(self.builddir, "lease-id", bid_id, 0)

    def wait_settled(self, lease, timeout=90.0):
        self.node.wait_for_log("lease=%s committed -> settled" % lease[:16], timeout=timeout)

    def fetch(self, lease, secret=FAUCET_SECRET, height=None):
        if height is None:
            height = self.node.rpc("getblockcount")["height"]
        sig = txgen(self.builddir, "result-request", secret, lease, height)
        return self.node.rpc("getjobresult", lease, height, sig)

    def journal(self, lease):
        with open(os.path.join(self.node.netdir, "results", lease, "journal"),
                  encoding="utf-8") as f:
            return dict(line.split(" ", 1) for line in f.read().split("\n") if line)


def recompute(tmp_path, files, exit_status):
    """The result hash of the files getjobresult returned, by the reference
    implementation, after unpacking the archive."""
    out = tmp_path / "out"
    out.mkdir()
    with tarfile.open(fileobj=io.BytesIO(base64.b64decode(files["archive"]))) as t:
        for member in t.getmembers():
            assert not member.name.startswith("/") and ".." not in member.name.split("/")
        t.extractall(str(out))
    stdout = base64.b64decode(files["stdout"])
    return result_hash(0, exit_status, stdout, manifest_of(str(out))).hex(), stdout


def receipt_hash_on_chain(node, journal):
    body = committed_tx(node, journal["txid"])
    receipt = body[19][0]  # TxBody.receipt
    outcome = field(receipt, 2)[0]
    return field(outcome, 1)[0].hex(), body[4][0]  # result hash, fee


@pytest.fixture
def provider(make_node, builddir):
    node = make_node().start(["-provider", "-emptyblockinterval=200"])
    return Provider(builddir, node)


JOB = ["sh", "-c", "sha256sum /work/data.txt > /out/sum && echo hashed"]


def test_job_is_run_receipted_settled_and_paid(provider, tmp_path):
    node = provider.node
    provider.offer()
    p0, c0 = balance(node, provider.addr), balance(node, provider.faucet)
    lease = provider.bid(tmp_path, JOB)
    provider.wait_settled(lease)

    result = provider.fetch(lease)
    assert result["exit_status"] == 0 and not result["encrypted"]
    assert not result["timed_out"] and not result["oom_killed"]
    digest, stdout = recompute(tmp_path, result, 0)
    assert stdout == b"hashed\n"
    assert digest == result["result_hash"]
    assert [e["path"] for e in result["manifest"]] == ["sum"]
    journal = provider.journal(lease)
    on_chain, receipt_fee = receipt_hash_on_chain(node, journal)
    assert on_chain == digest
    # Billed: the wall time in whole seconds, rounded up, at the lease's
    # price; the consumer pays that and the bid's fee, the provider earns it
    # less the receipt's fee.
    paid = PRICE * -(-result["wall_ms"] // 1000)
    assert journal["paid"] == str(paid)
    assert balance(node, provider.faucet) == c0 - BID_FEE - paid
    assert balance(node, provider.addr) == p0 + paid - receipt_fee
    values = metrics(node)
    assert values["hearth_executor_jobs_completed_total"] == 1
    assert values["hearth_executor_receipts_submitted_total"] == 1
    assert values["hearth_executor_earnings_units_total"] == paid
    assert values["hearth_executor_jobs_running"] == 0
    assert values["hearth_executor_deadlines_missed_total"] == 0


def test_result_is_refused_to_anyone_but_the_consumer(provider, tmp_path):
    provider.offer()
    lease = provider.bid(tmp_path, JOB)
    provider.node.wait_for_log("lease=%s done ->" % lease[:16], timeout=60)
    with pytest.raises(RpcError) as exc:
        provider.fetch(lease, secret="22" * 32)
    assert exc.value.code == -2
    with pytest.raises(RpcError) as exc:
        provider.fetch(lease, secret=provider.secret)
    assert exc.value.code == -2
    height = provider.node.rpc("getblockcount")["height"]
    with pytest.raises(RpcError) as exc:
        provider.fetch(lease, height=height + 50)
    assert exc.value.code == -2
    with pytest.raises(RpcError) as exc:
        provider.fetch("00" * 32)
    assert exc.value.code == -5
    assert provider.fetch(lease)["exit_status"] == 0


def test_result_is_sealed_to_the_bids_result_key(provider, builddir, tmp_path):
    provider.offer()
    x_secret = "33" * 32
    x_public = txgen(builddir, "x25519-public", x_secret)
    lease = provider.bid(tmp_path, JOB, extra=("--result-key", x_public))
    provider.wait_settled(lease)
    result = provider.fetch(lease)
    assert result["encrypted"] and "stdout" not in result and "archive" not in result
    opened = subprocess.run([os.path.join(builddir, "tests", "functional", "txgen"), "unseal",
                             x_secret], input=result["sealed"], capture_output=True,
                            text=True, check=True)
    files = json.loads(opened.stdout)
    digest, _ = recompute(tmp_path, files, 0)
    assert digest == result["result_hash"]
    wrong = subprocess.run([os.path.join(builddir, "tests", "functional", "txgen"), "unseal",
                            "44" * 32], input=result["sealed"], capture_output=True, text=True,
                           check=False)
    assert wrong.returncode != 0


def test_restart_mid_job_still_completes_and_settles(make_node, builddir, tmp_path):
    node = make_node().start(["-provider", "-emptyblockinterval=500"])
    provider = Provider(builddir, node)
    provider.offer()
    c0 = balance(node, provider.faucet)
    lease = provider.bid(tmp_path, ["sh", "-c", "sleep 3; sha256sum /work/data.txt > /out/sum"],
                         max_duration=60)
    node.wait_for_log("lease=%s running attempt=1" % lease[:16], timeout=60)
    assert node.stop() == 0
    assert provider.journal(lease)["state"] == "running"
    offset = len(node.log_text())
    node.start(["-provider", "-emptyblockinterval=500"])
    node.wait_for_log("lease=%s was interrupted mid-run: running it again" % lease[:16],
                      after=offset)
    provider.wait_settled(lease)
    journal = provider.journal(lease)
    assert journal["attempts"] == "2"
    result = provider.fetch(lease)
    digest, _ = recompute(tmp_path, result, 0)
    assert digest == result["result_hash"] == receipt_hash_on_chain(node, journal)[0]
    paid = PRICE * -(-result["wall_ms"] // 1000)
    assert result["wall_ms"] >= 3000
    assert balance(node, provider.faucet) == c0 - BID_FEE - paid


def test_missed_deadline_refunds_the_consumer_and_slashes_the_provider(provider, tmp_path):
    """The market's deadline counts blocks of the nominal block time (1 s),
    but this node makes a block every 200 ms: a job that uses its whole max
    duration cannot report in time. The executor stops it, logs and counts
    the missed deadline; the consumer gets its escrow back and the provider
    loses slash_missed_deadline_ppm (1%) of its bond."""
    node = provider.node
    provider.offer()
    c0 = balance(node, provider.faucet)
    lease = provider.bid(tmp_path, ["sleep", "60"], max_duration=30)
    node.wait_for_log("lease=%s running attempt=1" % lease[:16], timeout=60)
    node.wait_for_log("lease=%s running -> settled" % lease[:16], timeout=90)
    assert "lease=%s missed its deadline" % lease[:16] in node.log_text()
    assert provider.journal(lease)["state"] == "settled"
    assert balance(node, provider.faucet) == c0 - BID_FEE
    assert node.rpc("getaccount", provider.addr)["bonded"] == MIN_PROVIDER_BOND * 99 // 100
    values = metrics(node)
    assert values["hearth_executor_deadlines_missed_total"] == 1
    assert values["hearth_executor_jobs_running"] == 0
    assert values["hearth_executor_earnings_units_total"] == 0


def test_results_are_pruned_after_the_retention(make_node, builddir, tmp_path):
    node = make_node().start(["-provider", "-emptyblockinterval=200", "-resultretention=0"])
    provider = Provider(builddir, node)
    provider.offer()
    lease = provider.bid(tmp_path, JOB)
    provider.wait_settled(lease)
    assert provider.fetch(lease)["exit_status"] == 0
    assert node.stop() == 0
    node.start(["-provider", "-emptyblockinterval=200", "-resultretention=0"])
    assert not os.path.exists(os.path.join(node.netdir, "results", lease))
    with pytest.raises(RpcError) as exc:
        provider.fetch(lease)
    assert exc.value.code == -5


def test_crash_mid_job_still_completes_and_settles(make_node, builddir, tmp_path):
    """As the restart test, but hearthd is killed (SIGKILL): the journal
    written before the run is all that survives."""
    args = ["-provider", "-emptyblockinterval=500"]
    node = make_node().start(args)
    provider = Provider(builddir, node)
    provider.offer()
    lease = provider.bid(tmp_path, ["sh", "-c", "sleep 2; echo survived > /out/f"],
                         max_duration=60)
    node.wait_for_log("lease=%s running attempt=1" % lease[:16], timeout=60)
    node.kill()
    offset = len(node.log_text())
    node.start(args)
    node.wait_for_log("lease=%s was interrupted mid-run: running it again" % lease[:16],
                      after=offset)
    provider.wait_settled(lease)
    result = provider.fetch(lease)
    assert [e["path"] for e in result["manifest"]] == ["f"]
    assert result["result_hash"] == receipt_hash_on_chain(node, provider.journal(lease))[0]
