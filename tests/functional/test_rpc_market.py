"""The market query methods of a dev node (getoffer ... getjob), driven by
signed market txs from txgen: the dev validator, already bonded far above
min_provider_bond, offers (bonding another key would make it a validator
without a node, see the report of branch rpcq), a key funded by the faucet
bids; a job goes from running through a receipt to settlement."""
import os
import subprocess
import time

import pytest

from hearthnode import RpcError

CHAIN = "hearth-dev"
FAUCET = "c1c5ce5b8730a4804ceb75aecadb5bdc582bed1119b8f8ad3ace1ebbf4ad035c"
CONSUMER = "11" * 32
FEE = 100000
UNKNOWN = "ee" * 32


def txgen(builddir, *args):
    res = subprocess.run([os.path.join(builddir, "tests", "functional", "txgen")] +
                         [str(a) for a in args], capture_output=True, text=True, check=True)
    return res.stdout.strip()


class Market:
    """Sends txs for the provider and the consumer, tracking nonces."""

    def __init__(self, builddir, node):
        self.builddir = builddir
        self.node = node
        with open(os.path.join(node.netdir, "validator_key"), encoding="utf-8") as f:
            self.provider_key = f.read().strip()
        self.nonces = {FAUCET: 0, CONSUMER: 0, self.provider_key: 0}
        self.provider = txgen(builddir, "address", self.provider_key)
        self.consumer = txgen(builddir, "address", CONSUMER)

    def send(self, secret, kind, *args):
        """Signs, submits and waits until the tx is committed; returns its id."""
        self.nonces[secret] += 1
        tx = txgen(self.builddir, kind, secret, CHAIN, self.nonces[secret], FEE, *args)
        txid = self.node.rpc("sendrawtransaction", tx)["txid"]
        self.wait(lambda: self.node.rpc("gettransaction", txid)["status"] == "committed")
        return txid

    def wait(self, cond, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cond():
                return
            time.sleep(0.1)
        raise AssertionError("condition not met within %s s" % timeout)

    def call_fails(self, code, method, *params):
        with pytest.raises(RpcError) as exc:
            self.node.rpc(method, *params)
        assert exc.value.code == code, (method, params, exc.value.message)


@pytest.fixture
def market(builddir, make_node):
    node = make_node().start()
    m = Market(builddir, node)
    m.send(FAUCET, "transfer", m.consumer, 10**10)
    return m


def offer(m, price=10, slots=2):
    return m.send(m.provider_key, "offer", 1000, 1 << 30, 0, slots, "posix", price, 60, 100000)


def bid(m, max_price=20):
    return m.send(CONSUMER, "bid", 500, 1 << 20, 0, "posix", max_price, 60, 1, 100000,
                  "--", "/bin/true")


def test_offers_and_provider(market):
    m, rpc = market, market.node.rpc
    dear = offer(m, price=30)
    cheap = offer(m, price=10)
    o = rpc("getoffer", cheap)
    assert o["id"] == cheap and o["provider"] == m.provider
    assert o["price_per_second"] == 10 and o["slots"] == 2 and o["free_slots"] == 2
    assert o["runtimes"] == ["posix"] and o["max_duration_seconds"] == 60
    assert o["per_slot"]["memory_bytes"] == 1 << 30
    book = rpc("listoffers")
    assert [x["id"] for x in book["offers"]] == [cheap, dear] and book["more"] is False
    one = rpc("listoffers", None, 1)
    assert [x["id"] for x in one["offers"]] == [cheap] and one["more"] is True
    mine = rpc("listoffers", m.provider)
    assert sorted(x["id"] for x in mine["offers"]) == sorted([cheap, dear])
    assert rpc("listoffers", m.consumer) == {"offers": [], "more": False}
    p = rpc("getprovider", m.provider)
    assert p["address"] == m.provider and p["eligible"] is True and p["jailed"] is False
    assert p["bonded"] >= p["min_provider_bond"] > 0
    assert sorted(p["offers"]) == sorted([cheap, dear])
    assert p["reputation"] == {"completed": 0, "failed": 0, "slashed": 0, "disputes_lost": 0,
                               "score": 50}
    assert rpc("getprovider", m.consumer)["eligible"] is False
    m.call_fails(-5, "getoffer", UNKNOWN)
    m.call_fails(-8, "getoffer", "zz")
    m.call_fails(-8, "listoffers", "dhth1bad")
    m.call_fails(-8, "listoffers", None, 0)
    m.call_fails(-8, "listoffers", None, 1001)
    m.call_fails(-8, "getprovider", cheap)
    m.call_fails(-32602, "getprovider")
    # A cancelled offer is gone.
    m.send(m.provider_key, "cancel-offer", dear)
    m.call_fails(-5, "getoffer", dear)


def test_bids_leases_and_jobs(market):
    m, rpc = market, market.node.rpc
    offer_id = offer(m)
    matched = bid(m)
    waiting = bid(m, max_price=1)
    lease_id = txgen(m.builddir, "lease-id", matched, 0)

    b = rpc("getbid", matched)
    assert b["state"] == "matched" and b["consumer"] == m.consumer
    assert b["leases"] == [lease_id] and b["replicas"] == 1 and b["escrow"] == 10 * 60
    assert b["job"]["argv"] == ["/bin/true"]
    w = rpc("getbid", waiting)
    assert w["state"] == "queued" and w["leases"] == []
    assert w["reason"] == "MARKET_UNMATCHED_PRICE" and w["reason_code"] == 101
    e = rpc("explainbid", waiting)
    assert e == {"bid": waiting, "state": "queued", "reason": "MARKET_UNMATCHED_PRICE",
                 "code": 101, "message": w["message"], "tiebreak": None}
    assert w["tiebreak"] is None
    assert rpc("explainbid", matched)["state"] == "matched"
    assert [x["id"] for x in rpc("listbids")["bids"]] == [waiting]
    assert sorted(x["id"] for x in rpc("listbids", m.consumer)["bids"]) == \
        sorted([matched, waiting])
    assert rpc("listbids", m.provider)["bids"] == []

    lease = rpc("getlease", lease_id)
    assert lease["bid"] == matched and lease["offer"] == offer_id
    assert lease["provider"] == m.provider and lease["consumer"] == m.consumer
    assert lease["state"] == "active" and lease["receipt"] is None and lease["dispute"] is None
    assert lease["tiebreak"] is None
    assert [x["id"] for x in rpc("listleases", m.provider)["leases"]] == [lease_id]
    assert [x["id"] for x in rpc("listleases", m.consumer, "consumer")["leases"]] == [lease_id]
    assert [x["id"] for x in rpc("listleases", matched)["leases"]] == [lease_id]
    assert rpc("listleases", m.consumer)["leases"] == []

    job = rpc("getjob", matched)
    assert job["status"] == "running" and job["bid_state"] == "matched"
    assert job["leases"][0]["provider"] == m.provider
    assert job["leases"][0]["deadline_height"] > job["height"]
    assert rpc("getjob", waiting)["status"] == "queued"

    m.send(m.provider_key, "receipt", lease_id, "ab" * 32, 0, 1500, 1000, 4096)
    job = rpc("getjob", matched)
    assert job["status"] == "committed"
    receipt = job["leases"][0]["receipt"]
    assert receipt["outcome"]["result_hash"] == "ab" * 32
    assert receipt["outcome"]["wall_ms"] == 1500 and receipt["commitment"] is None
    assert rpc("getlease", lease_id)["state"] == "receipted"

    m.send(CONSUMER, "cancel-bid", waiting)
    job = rpc("getjob", waiting)
    assert job["status"] == "failed" and job["bid_state"] == "cancelled"

    # Settlement after the challenge window (10 blocks, about 10 s on dev).
    m.wait(lambda: rpc("getjob", matched)["status"] == "settled")
    assert rpc("getlease", lease_id)["state"] == "settled"
    assert rpc("getprovider", m.provider)["reputation"]["completed"] == 1

    for method in ("getbid", "explainbid", "getjob", "getlease"):
        m.call_fails(-5, method, UNKNOWN)
        m.call_fails(-8, method, "12")
        m.call_fails(-8, method, m.consumer)
    m.call_fails(-5, "listleases", UNKNOWN)
    m.call_fails(-8, "listleases", m.provider, "owner")
    m.call_fails(-8, "listleases", m.provider, "bid")
    m.call_fails(-8, "listleases", m.provider, None, 0)
    m.call_fails(-8, "listbids", "nope")
    m.call_fails(-8, "listbids", None, 5000)


def test_dispute_without_verifier_is_void(market):
    m, rpc = market, market.node.rpc
    offer(m)
    job_bid = bid(m)
    lease_id = txgen(m.builddir, "lease-id", job_bid, 0)
    m.send(m.provider_key, "receipt", lease_id, "cd" * 32, 0, 1000, 1000, 4096)
    m.send(CONSUMER, "dispute", lease_id, "wrong result")
    # No other provider can verify: the dispute is void and the receipt
    # settles at once.
    lease = rpc("getlease", lease_id)
    assert lease["dispute"]["outcome"] == "void"
    assert lease["dispute"]["consumer"] == m.consumer and lease["dispute"]["bond"] > 0
    assert lease["dispute"]["verifier_lease"] is None
    assert rpc("getjob", job_bid)["status"] == "settled"
