"""The compute market end to end on a 4-validator localnet (contrib/devnet.sh)
where nodes 0..2 are also providers (-provider, each with its own offer) and
two consumer keys are funded from the faucet: a job with r = 1 matched, run,
settled and paid to the unit, its result fetched and checked against the
receipt; a result sealed to the consumer's key; a bid nobody can serve and
explainbid's reason; a provider that goes offline after matching (consumer
refunded, provider slashed). One network serves the whole file (start-up and
funding cost more than the scenarios); the offline scenario runs last since
it stops a node."""
import json
import os
import shutil
import subprocess
import tempfile

import pytest

from hearthnode import RpcError
from test_executor import (BID_FEE, MIN_PROVIDER_BOND, OFFER_FEE, balance, input_tar,
                           receipt_hash_on_chain, recompute)
from test_executor import wait_for as wait_until
from test_localnet import N, Localnet
from test_rpc_chain import FAUCET_SECRET, txgen

CHAIN = "hearth-dev"
PROVIDERS = 3
# Fixed keys: the provider keys are written into the data directories before
# the first start, so the test knows them; they are funded by transfer.
PROVIDER_SECRETS = ["a%d" % (i + 1) * 32 for i in range(PROVIDERS)]
CONSUMER_SECRETS = ["c1" * 32, "c2" * 32]
PROVIDER_FUNDS = 2 * MIN_PROVIDER_BOND
CONSUMER_FUNDS = 10**8
TX_FEE = 100000
# The asks differ so that the providers are told apart in the logs; every
# bid's max price (9) is above all of them.
PRICES = [5, 6, 7]
MAX_PRICE = 9
JOB = ["sh", "-c", "sha256sum /work/data.txt > /out/sum && echo hashed"]


class Market:
    """The localnet, its provider and consumer keys, and their nonces."""

    def __init__(self, builddir, srcdir, basedir):
        self.builddir = builddir
        self.net = Localnet(builddir, srcdir, basedir)
        self.nodes = self.net.nodes
        self.entry = self.nodes[N - 1]  # not a provider: never stopped
        self.nonces = {}
        self.providers = {}  # address -> (secret, node)
        for i, secret in enumerate(PROVIDER_SECRETS):
            fd = os.open(os.path.join(self.nodes[i].netdir, "provider_key"),
                         os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(secret + "\n")
            self.providers[self.address(secret)] = (secret, self.nodes[i])
        self.consumers = [self.address(s) for s in CONSUMER_SECRETS]

    def address(self, secret):
        return txgen(self.builddir, "address", secret)

    def start(self):
        for i, node in enumerate(self.nodes):
            extra = ["-provider"] if i < PROVIDERS else []
            node.start(["-whitelist=127.0.0.1"] + extra + self.net.peers_of(node))

    def sign(self, kind, secret, *args):
        """A tx of secret's key with its next nonce (tracked here)."""
        nonce = self.nonces.get(secret, 1)
        self.nonces[secret] = nonce + 1
        return txgen(self.builddir, kind, secret, CHAIN, nonce, *args)

    def send(self, tx):
        return self.entry.rpc("sendrawtransaction", tx)["txid"]

    def commit_all(self, txids):
        def committed():
            return all(self.entry.rpc("gettransaction", t)["status"] == "committed"
                       for t in txids)

        wait_until("%d txs to commit" % len(txids), committed)

    def fund_and_offer(self):
        """Faucet → providers and consumers; each provider bonds and offers."""
        txids = [self.send(self.sign("transfer", FAUCET_SECRET, TX_FEE, addr, PROVIDER_FUNDS))
                 for addr in self.providers]
        txids += [self.send(self.sign("transfer", FAUCET_SECRET, TX_FEE, addr, CONSUMER_FUNDS))
                  for addr in self.consumers]
        self.commit_all(txids)
        self.commit_all([self.send(self.sign("bond", s, TX_FEE, MIN_PROVIDER_BOND))
                         for s in PROVIDER_SECRETS])
        self.commit_all([self.send(self.sign("offer", s, OFFER_FEE, 1000, 256 << 20, 64 << 20,
                                             2, "posix", price, 120, 10**6))
                         for s, price in zip(PROVIDER_SECRETS, PRICES)])

    def bid(self, tmp_path, consumer, argv, max_duration=30, mem=128 << 20, runtime="posix",
            extra=()):
        """Returns the bid id, once the bid is committed."""
        tar = input_tar(str(tmp_path / "input.tar"), {"data.txt": b"hearth test input\n"})
        tx = self.sign("bid", CONSUMER_SECRETS[consumer], BID_FEE, 500, mem, 16 << 20, runtime,
                       MAX_PRICE, max_duration, 1, 10**6, "--input", tar, *extra, "--", *argv)
        bid_id = txgen(self.builddir, "txid", tx)
        assert self.send(tx) == bid_id
        self.commit_all([bid_id])
        return bid_id

    def job(self, bid_id, node=None):
        return (node or self.entry).rpc("getjob", bid_id)

    def wait_status(self, bid_id, status, timeout=90.0):
        return wait_until("bid %s %s" % (bid_id[:16], status),
                          lambda: self.job(bid_id)["status"] == status and self.job(bid_id),
                          timeout)

    def lease_of(self, bid_id):
        """(lease object, provider secret, provider node) once matched."""
        leases = wait_until("bid %s matched" % bid_id[:16],
                            lambda: self.job(bid_id)["leases"])
        assert len(leases) == 1
        secret, node = self.providers[leases[0]["provider"]]
        return leases[0], secret, node

    def fetch(self, node, lease_id, secret):
        height = node.rpc("getblockcount")["height"]
        sig = txgen(self.builddir, "result-request", secret, lease_id, height)
        return node.rpc("getjobresult", lease_id, height, sig)


@pytest.fixture(scope="module")
def market(builddir, srcdir):
    basedir = tempfile.mkdtemp(prefix="hearth-test-")
    m = Market(builddir, srcdir, os.path.join(basedir, "net"))
    try:
        m.start()
        m.fund_and_offer()
        yield m
    finally:
        m.net.kill_all()
        shutil.rmtree(basedir, ignore_errors=True)


def journal(node, lease_id):
    with open(os.path.join(node.netdir, "results", lease_id, "journal"),
              encoding="utf-8") as f:
        return dict(line.split(" ", 1) for line in f.read().split("\n") if line)


def test_job_is_matched_run_settled_paid_and_its_result_verified(market, tmp_path):
    consumer = market.consumers[0]
    c0 = balance(market.entry, consumer)
    p0 = {addr: balance(market.entry, addr) for addr in market.providers}
    bid_id = market.bid(tmp_path, 0, JOB)
    lease, _, node = market.lease_of(bid_id)
    job = market.wait_status(bid_id, "settled")
    assert job["leases"][0]["state"] == "settled"

    result = market.fetch(node, lease["id"], CONSUMER_SECRETS[0])
    assert result["exit_status"] == 0 and not result["encrypted"]
    digest, stdout = recompute(tmp_path, result, 0)
    assert stdout == b"hashed\n"
    assert digest == result["result_hash"]
    record = journal(node, lease["id"])
    on_chain, receipt_fee = receipt_hash_on_chain(market.entry, record)
    assert on_chain == digest
    assert job["leases"][0]["receipt"]["outcome"]["result_hash"] == digest
    # The lease's price is the matched offer's ask, billed per started
    # second of wall time; the rest of the escrow goes back to the consumer.
    price = PRICES[PROVIDER_SECRETS.index(market.providers[lease["provider"]][0])]
    paid = price * -(-result["wall_ms"] // 1000)
    assert record["paid"] == str(paid)
    assert balance(market.entry, consumer) == c0 - BID_FEE - paid
    for addr, before in p0.items():
        expect = before + paid - receipt_fee if addr == lease["provider"] else before
        assert balance(market.entry, addr) == expect
    # Every node agrees.
    assert len({balance(n, consumer) for n in market.nodes}) == 1
    # Nobody but the consumer gets the result.
    for secret in (CONSUMER_SECRETS[1], market.providers[lease["provider"]][0]):
        with pytest.raises(RpcError) as exc:
            market.fetch(node, lease["id"], secret)
        assert exc.value.code == -2


def test_sealed_result_is_readable_only_by_the_consumer(market, builddir, tmp_path):
    x_secret = "35" * 32
    x_public = txgen(builddir, "x25519-public", x_secret)
    bid_id = market.bid(tmp_path, 1, JOB, extra=("--result-key", x_public))
    lease, _, node = market.lease_of(bid_id)
    market.wait_status(bid_id, "settled")
    result = market.fetch(node, lease["id"], CONSUMER_SECRETS[1])
    assert result["encrypted"]
    assert "stdout" not in result and "archive" not in result and "manifest" not in result
    unseal = os.path.join(builddir, "tests", "functional", "txgen")
    opened = subprocess.run([unseal, "unseal", x_secret], input=result["sealed"],
                            capture_output=True, text=True, check=True)
    files = json.loads(opened.stdout)
    digest, stdout = recompute(tmp_path, files, 0)
    assert stdout == b"hashed\n"
    assert digest == result["result_hash"] == lease_hash(market, bid_id)
    for wrong in ("36" * 32, x_public):
        res = subprocess.run([unseal, "unseal", wrong], input=result["sealed"],
                             capture_output=True, text=True, check=False)
        assert res.returncode != 0 and res.stdout == ""


def lease_hash(market, bid_id):
    return market.job(bid_id)["leases"][0]["receipt"]["outcome"]["result_hash"]


@pytest.mark.parametrize("what,kwargs,reason", [
    ("runtime", {"runtime": "wasm"}, "MARKET_UNMATCHED_RUNTIME"),
    ("memory", {"mem": 512 << 20}, "MARKET_UNMATCHED_MEMORY"),
])
def test_bid_nobody_can_serve_is_explained(market, tmp_path, what, kwargs, reason):
    bid_id = market.bid(tmp_path, 0, ["true"], **kwargs)
    start = market.entry.rpc("getblockcount")["height"]
    wait_until("two more blocks",
               lambda: market.entry.rpc("getblockcount")["height"] >= start + 2)
    why = market.entry.rpc("explainbid", bid_id)
    assert why["state"] == "queued", what
    assert why["reason"] == reason, why
    assert why["message"]
    job = market.job(bid_id)
    assert job["status"] == "queued" and job["leases"] == [] and job["reason"] == reason
    # Cancelled, so that it cannot match a later offer.
    market.commit_all([market.send(market.sign("cancel-bid", CONSUMER_SECRETS[0], TX_FEE,
                                               bid_id))])


def test_provider_offline_after_matching_is_slashed_and_consumer_refunded(market, tmp_path):
    consumer = market.consumers[1]
    c0 = balance(market.entry, consumer)
    bid_id = market.bid(tmp_path, 1, ["sh", "-c", "sleep 20; echo late > /out/f"],
                        max_duration=20)
    lease, secret, node = market.lease_of(bid_id)
    assert node.stop(timeout=30) == 0
    job = market.wait_status(bid_id, "failed", timeout=120)
    assert job["leases"][0]["state"] == "failed" and job["leases"][0]["receipt"] is None
    assert balance(market.entry, consumer) == c0 - BID_FEE
    slashed = market.entry.rpc("getaccount", market.address(secret))
    assert slashed["bonded"] == MIN_PROVIDER_BOND * 99 // 100
    for addr, (_, other) in market.providers.items():
        if other is not node:
            assert market.entry.rpc("getaccount", addr)["bonded"] == MIN_PROVIDER_BOND
