"""The compute market end to end on a 4-validator localnet (contrib/devnet.sh)
where nodes 0..2 are also providers (-provider, each with its own offer) and
two consumer keys are funded from the faucet: a job with r = 1 matched, run,
settled and paid to the unit, its result fetched and checked against the
receipt; a result sealed to the consumer's key; a bid nobody can serve and
its reason (explainbid, `hearth-cli explain`); r = 3 with a cheater
(-testwrongresult, test only) among two honest providers; r = 2 with the
cheater and one honest provider, decided by a tie-break verifier; r = 1
with a liar, disputed and re-run by a verifier (each verifier's result
fetched by its lease id with `hearth-cli result`); a provider
restarted mid-job; a provider that goes offline after matching (consumer
refunded, provider slashed). One network serves the whole file (start-up
and funding cost more than the scenarios), so the tests run in file order
and the offline scenario, which stops a node, runs last."""
import json
import os
import shutil
import subprocess
import tempfile

import pytest

from hearthnode import RpcError
from test_cli import Cli
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
# Above the minimum, so a provider slashed once or twice keeps serving.
PROVIDER_BOND = 3 * MIN_PROVIDER_BOND // 2
SLASH_MISSED_PPM = 10000  # the dev genesis's market params
SLASH_WRONG_PPM = 50000
DISPUTE_BOND = 10**6
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

    def sign_synced(self, kind, secret, *args):
        """As sign, with the nonce read from the chain: for a provider key,
        whose node sends receipts with it too."""
        self.nonces[secret] = self.entry.rpc("getaccount", self.address(secret))["nonce"] + 1
        return self.sign(kind, secret, *args)

    def send(self, tx):
        return self.entry.rpc("sendrawtransaction", tx)["txid"]

    def commit_all(self, txids):
        def status(txid):
            # -5 for a moment can be seen between the mempool and the
            # chain's tx index; a tx really dropped times out below.
            try:
                return self.entry.rpc("gettransaction", txid)["status"]
            except RpcError as err:
                assert err.code == -5, err
                return None

        def committed():
            return all(status(t) == "committed" for t in txids)

        wait_until("%d txs to commit" % len(txids), committed)

    def fund_and_offer(self):
        """Faucet → providers and consumers; each provider bonds and offers."""
        txids = [self.send(self.sign("transfer", FAUCET_SECRET, TX_FEE, addr, PROVIDER_FUNDS))
                 for addr in self.providers]
        txids += [self.send(self.sign("transfer", FAUCET_SECRET, TX_FEE, addr, CONSUMER_FUNDS))
                  for addr in self.consumers]
        self.commit_all(txids)
        self.commit_all([self.send(self.sign("bond", s, TX_FEE, PROVIDER_BOND))
                         for s in PROVIDER_SECRETS])
        self.commit_all([self.send(self.sign("offer", s, OFFER_FEE, 1000, 256 << 20, 64 << 20,
                                             2, "posix", price, 120, 10**6))
                         for s, price in zip(PROVIDER_SECRETS, PRICES)])

    def bid(self, tmp_path, consumer, argv, max_duration=30, mem=128 << 20, runtime="posix",
            replicas=1, extra=()):
        """Returns the bid id, once the bid is committed."""
        tar = input_tar(str(tmp_path / "input.tar"), {"data.txt": b"hearth test input\n"})
        tx = self.sign("bid", CONSUMER_SECRETS[consumer], BID_FEE, 500, mem, 16 << 20, runtime,
                       MAX_PRICE, max_duration, replicas, 10**6, "--input", tar, *extra, "--",
                       *argv)
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

    def restart(self, node, extra=()):
        """Stops node and starts it again with extra (and -provider)."""
        assert node.stop(timeout=30) == 0
        node.start(["-whitelist=127.0.0.1", "-provider"] + list(extra) +
                   self.net.peers_of(node))
        tip = self.entry.rpc("getblockcount")["height"]
        wait_until("the restarted node caught up",
                   lambda: node.rpc("getblockcount")["height"] >= tip)

    def bonded(self, addr):
        return self.entry.rpc("getaccount", addr)["bonded"]

    def reputation(self, addr):
        return self.entry.rpc("getprovider", addr)["reputation"]

    def fetch(self, node, lease_id, secret):
        height = node.rpc("getblockcount")["height"]
        sig = txgen(self.builddir, "result-request", secret, lease_id, height)
        return node.rpc("getjobresult", lease_id, height, sig)

    def cli_result(self, node, lease_id, consumer, tmp_path):
        """`hearth-cli result LEASE_ID -o DIR` against node (the lease's
        provider) with consumer's key as a -keyfile; returns its JSON and
        DIR."""
        keyfile = tmp_path / ("consumer%d.key" % consumer)
        if not keyfile.exists():
            fd = os.open(str(keyfile), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(CONSUMER_SECRETS[consumer] + "\n")
        out = tmp_path / ("result-" + lease_id[:16])
        got = Cli(self.builddir, node.datadir, node.rpcport).json(
            "-keyfile=%s" % keyfile, "result", lease_id, "-o", str(out))
        return got, out


@pytest.fixture(scope="module")
def market(builddir, srcdir):
    basedir = tempfile.mkdtemp(prefix="hearth-test-")
    m = Market(builddir, srcdir, os.path.join(basedir, "net"))
    try:
        m.start()
        m.fund_and_offer()
        yield m
        # Every node still up exits 0 on SIGTERM (under ASan: no leak).
        codes = [node.stop(timeout=30) for node in m.nodes]
        assert codes == [0] * N, codes
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
def test_bid_nobody_can_serve_is_explained(market, builddir, tmp_path, what, kwargs, reason):
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
    # What a user sees: `hearth-cli explain`.
    cli = Cli(builddir, market.entry.datadir, market.entry.rpcport)
    rows = dict(line.split(None, 1) for line in cli.ok("explain", bid_id).splitlines())
    assert rows["state"] == "queued" and rows["reason"] == reason
    assert rows["message"] == why["message"]
    # Cancelled, so that it cannot match a later offer.
    market.commit_all([market.send(market.sign("cancel-bid", CONSUMER_SECRETS[0], TX_FEE,
                                               bid_id))])


def test_cheater_among_three_replicas_is_slashed_and_honest_ones_paid(market, tmp_path):
    """r = 3 on the three providers; node 0 (the cheapest, so the liar of
    the next test too) restarts with -testwrongresult=1 and reveals a wrong
    hash: the two honest ones are the majority and are paid, the cheater's
    share is refunded and it is slashed, its reputation down."""
    cheater_node = market.nodes[0]
    market.restart(cheater_node, ["-testwrongresult=1"])
    cheater = market.address(PROVIDER_SECRETS[0])
    b0 = {addr: market.bonded(addr) for addr in market.providers}
    r0 = market.reputation(cheater)
    consumer = market.consumers[0]
    c0 = balance(market.entry, consumer)
    bid_id = market.bid(tmp_path, 0, JOB, replicas=3)
    job = market.wait_status(bid_id, "settled")
    leases = {l["provider"]: l for l in job["leases"]}
    assert set(leases) == set(market.providers)
    hashes = {addr: l["receipt"]["outcome"]["result_hash"] for addr, l in leases.items()}
    honest = [addr for addr in market.providers if addr != cheater]
    assert hashes[honest[0]] == hashes[honest[1]] != hashes[cheater]
    # The honest hash is the one the consumer recomputes from the files.
    result = market.fetch(market.providers[honest[0]][1], leases[honest[0]]["id"],
                          CONSUMER_SECRETS[0])
    assert recompute(tmp_path, result, 0)[0] == hashes[honest[0]]
    assert leases[cheater]["state"] == "failed"
    paid = 0
    for addr in honest:
        lease = leases[addr]
        assert lease["state"] == "settled"
        price = PRICES[PROVIDER_SECRETS.index(market.providers[addr][0])]
        share = price * -(-lease["receipt"]["outcome"]["wall_ms"] // 1000)
        assert journal(market.providers[addr][1], lease["id"])["paid"] == str(share)
        paid += share
        assert market.bonded(addr) == b0[addr]
    assert balance(market.entry, consumer) == c0 - BID_FEE - paid
    assert market.bonded(cheater) == b0[cheater] - b0[cheater] * SLASH_WRONG_PPM // 10**6
    r1 = market.reputation(cheater)
    assert r1["failed"] == r0["failed"] + 1 and r1["slashed"] == r0["slashed"] + 1
    assert r1["score"] < r0["score"]


def test_cheater_among_two_replicas_is_caught_by_a_tiebreak_verifier(market, tmp_path):
    """r = 2 on node 0 (still cheating, ask 5) and node 1 (honest, ask 6):
    two different results are no majority, so a tie-break verifier re-runs
    the job (doc/market.md, "Tie-break"). The bid's tie-break reserve (max
    price x max duration) pays the verifier, so node 2's standing offer (ask
    7, dearer than both replicas but within the max price 9) qualifies. The
    verifier agrees with the honest provider: it is paid its billed seconds
    out of the reserve, the rest of the reserve and the cheater's share go
    back to the consumer, the cheater is slashed and its reputation drops;
    balances checked to the unit."""
    cheater, honest, third = (market.address(s) for s in PROVIDER_SECRETS)
    b0 = {addr: market.bonded(addr) for addr in market.providers}
    r0 = {addr: market.reputation(addr) for addr in market.providers}
    consumer = market.consumers[1]
    c0 = balance(market.entry, consumer)
    # Slow enough that the tie-break is seen pending while the verifier
    # re-runs the job.
    bid_id = market.bid(tmp_path, 1, ["sh", "-c", "sleep 8; " + JOB[2]], max_duration=60,
                        replicas=2)
    leases = wait_until("bid %s matched" % bid_id[:16], lambda: market.job(bid_id)["leases"])
    assert {l["provider"] for l in leases} == {cheater, honest}
    # Matched: the leases' worst case and the reserve stay in escrow until
    # the bid settles (unless it already has, on a very fast machine).
    bid = market.entry.rpc("getbid", bid_id)
    assert bid["state"] == "settled" or bid["escrow"] == (PRICES[0] + PRICES[1] + MAX_PRICE) * 60

    # The window ends without a majority: the verifier (node 2) is drawn.
    job = market.wait_status(bid_id, "verifying")
    tiebreak = job["tiebreak"]
    assert tiebreak["outcome"] == "pending" and tiebreak["result_hash"] is None
    assert tiebreak["cover"] == MAX_PRICE * 60  # the reserve
    verifier_id = tiebreak["verifier_lease"]
    assert market.entry.rpc("getlease", verifier_id)["provider"] == third
    for l in job["leases"]:
        assert l["state"] == "receipted" and l["tiebreak"] == tiebreak
    # What the providers hold once they have sent everything but the
    # verifier's receipt: settlement adds exactly the payments to it.
    p1 = {addr: balance(market.entry, addr) for addr in market.providers}
    assert market.job(bid_id)["status"] == "verifying"
    rows = dict(line.split(None, 1) for line in
                Cli(market.builddir, market.entry.datadir,
                    market.entry.rpcport).ok("explain", bid_id).splitlines())
    assert rows["tiebreak"].startswith("pending, verifier lease %s" % verifier_id[:16])

    job = market.wait_status(bid_id, "settled")
    tiebreak = job["tiebreak"]
    assert tiebreak["outcome"] == "agreed"
    leases = {l["provider"]: l for l in job["leases"]}
    hashes = {addr: l["receipt"]["outcome"]["result_hash"] for addr, l in leases.items()}
    assert hashes[honest] != hashes[cheater]
    result = market.fetch(market.providers[honest][1], leases[honest]["id"], CONSUMER_SECRETS[1])
    assert recompute(tmp_path, result, 0)[0] == hashes[honest] == tiebreak["result_hash"]
    verifier = market.entry.rpc("getlease", verifier_id)
    assert verifier["state"] == "settled"
    assert verifier["receipt"]["outcome"]["result_hash"] == hashes[honest]
    assert leases[honest]["state"] == "settled" and leases[cheater]["state"] == "failed"
    # The verifier's own result, by its lease id (getjob lists the
    # replicas only): fetched from node 2, checked against its receipt.
    assert verifier_id not in [l["id"] for l in job["leases"]]
    got, out = market.cli_result(market.providers[third][1], verifier_id, 1, tmp_path)
    assert got["lease"] == verifier_id and got["bid"] == bid_id
    assert got["result_hash"] == tiebreak["result_hash"]
    assert (out / "stdout").read_text() == "hashed\n"

    # To the unit: the honest provider is paid 6 x its billed seconds, the
    # verifier 7 x its own out of the reserve, the consumer pays exactly
    # those two; the cheater gets nothing.
    honest_paid = PRICES[1] * -(-leases[honest]["receipt"]["outcome"]["wall_ms"] // 1000)
    verifier_paid = PRICES[2] * -(-verifier["receipt"]["outcome"]["wall_ms"] // 1000)
    assert journal(market.providers[honest][1], leases[honest]["id"])["paid"] == str(honest_paid)
    record = journal(market.providers[third][1], verifier_id)
    assert record["paid"] == str(verifier_paid)
    _, receipt_fee = receipt_hash_on_chain(market.entry, record)
    assert balance(market.entry, honest) == p1[honest] + honest_paid
    assert balance(market.entry, third) == p1[third] + verifier_paid - receipt_fee
    assert balance(market.entry, cheater) == p1[cheater]
    assert balance(market.entry, consumer) == c0 - BID_FEE - honest_paid - verifier_paid
    assert len({balance(n, consumer) for n in market.nodes}) == 1
    assert market.entry.rpc("getbid", bid_id)["escrow"] == 0

    # The cheater is slashed and its reputation drops; the others gain.
    assert market.bonded(cheater) == b0[cheater] - b0[cheater] * SLASH_WRONG_PPM // 10**6
    assert market.bonded(honest) == b0[honest] and market.bonded(third) == b0[third]
    r1 = {addr: market.reputation(addr) for addr in market.providers}
    assert r1[cheater]["failed"] == r0[cheater]["failed"] + 1
    assert r1[cheater]["slashed"] == r0[cheater]["slashed"] + 1
    assert r1[cheater]["score"] < r0[cheater]["score"]
    assert r1[honest]["completed"] == r0[honest]["completed"] + 1
    assert r1[third]["completed"] == r0[third]["completed"] + 1


def test_liar_is_disputed_reverified_slashed_and_consumer_refunded(market, tmp_path):
    """r = 1 on node 0, still lying: the consumer fetches the result as soon
    as it is ready, finds that the files do not hash to what the provider
    reports, and disputes the receipt; a verifier (another provider) re-runs
    the job; the liar is slashed (paying the verifier), the consumer gets
    its escrow and its dispute bond back."""
    liar = market.address(PROVIDER_SECRETS[0])
    liar_node = market.nodes[0]
    b0 = market.bonded(liar)
    r0 = market.reputation(liar)
    consumer = market.consumers[0]
    c0 = balance(market.entry, consumer)
    bid_id = market.bid(tmp_path, 0, JOB)
    lease, _, node = market.lease_of(bid_id)
    assert node is liar_node

    def ready():
        try:
            return market.fetch(node, lease["id"], CONSUMER_SECRETS[0])
        except RpcError as err:
            assert err.code == -5, err
            return None

    result = wait_until("the liar's result", ready)
    digest, _ = recompute(tmp_path, result, 0)
    assert digest != result["result_hash"]
    dispute = market.sign("dispute", CONSUMER_SECRETS[0], TX_FEE, lease["id"], "wrong hash")
    wait_until("the receipt", lambda: market.job(bid_id)["leases"][0]["state"] == "receipted")
    market.commit_all([market.send(dispute)])
    # Heights of a localnet take tens of ms now: the verifier may already
    # have re-run the job and the verdict failed it by the time we look.
    assert market.job(bid_id)["status"] in ("disputed", "failed")

    def decided():
        d = market.job(bid_id)["leases"][0]["dispute"]
        return d["outcome"] != "pending" and d

    verdict = wait_until("the verifier's verdict", decided)
    assert verdict["outcome"] == "provider_wrong"
    assert verdict["bond"] == DISPUTE_BOND
    verifier = market.entry.rpc("getlease", verdict["verifier_lease"])
    assert verifier["provider"] != liar
    assert verifier["receipt"]["outcome"]["result_hash"] == digest
    # The dispute's verifier lease is not one of the bid's leases, but
    # `hearth-cli result` finds it by id and its files match its receipt.
    assert verifier["id"] not in [l["id"] for l in market.job(bid_id)["leases"]]
    got, out = market.cli_result(market.providers[verifier["provider"]][1], verifier["id"], 0,
                                 tmp_path)
    assert got["lease"] == verifier["id"] and got["result_hash"] == digest
    assert (out / "stdout").read_text() == "hashed\n"
    job = market.wait_status(bid_id, "failed")
    assert job["leases"][0]["state"] == "failed"
    assert balance(market.entry, consumer) == c0 - BID_FEE - TX_FEE
    assert market.bonded(liar) == b0 - b0 * SLASH_WRONG_PPM // 10**6
    r1 = market.reputation(liar)
    assert r1["disputes_lost"] == r0["disputes_lost"] + 1
    assert r1["score"] < r0["score"]


def test_provider_restarted_mid_job_completes_and_settles(market, tmp_path):
    """The provider that runs the job is restarted while the job runs (and
    comes back honest, without -testwrongresult): it runs the job again from
    its journal, reports in time, and the lease settles and is paid."""
    consumer = market.consumers[1]
    c0 = balance(market.entry, consumer)
    bid_id = market.bid(tmp_path, 1, ["sh", "-c", "sleep 2; sha256sum /work/data.txt > /out/sum"],
                        max_duration=60)
    lease, secret, node = market.lease_of(bid_id)
    node.wait_for_log("lease=%s running attempt=1" % lease["id"][:16], timeout=60)
    offset = len(node.log_text())
    market.restart(node)
    node.wait_for_log("lease=%s was interrupted mid-run: running it again" % lease["id"][:16],
                      after=offset)
    job = market.wait_status(bid_id, "settled")
    assert journal(node, lease["id"])["attempts"] == "2"
    result = market.fetch(node, lease["id"], CONSUMER_SECRETS[1])
    digest, _ = recompute(tmp_path, result, 0)
    assert digest == result["result_hash"] == lease_hash(market, bid_id)
    assert result["wall_ms"] >= 2000
    price = PRICES[PROVIDER_SECRETS.index(secret)]
    paid = price * -(-result["wall_ms"] // 1000)
    assert job["leases"][0]["state"] == "settled"
    assert balance(market.entry, consumer) == c0 - BID_FEE - paid


def test_provider_offline_after_matching_is_slashed_and_consumer_refunded(market, tmp_path):
    consumer = market.consumers[1]
    c0 = balance(market.entry, consumer)
    b0 = {addr: market.bonded(addr) for addr in market.providers}
    bid_id = market.bid(tmp_path, 1, ["sh", "-c", "sleep 20; echo late > /out/f"],
                        max_duration=20)
    lease, secret, node = market.lease_of(bid_id)
    assert node.stop(timeout=30) == 0
    job = market.wait_status(bid_id, "failed", timeout=120)
    assert job["leases"][0]["state"] == "failed" and job["leases"][0]["receipt"] is None
    assert balance(market.entry, consumer) == c0 - BID_FEE
    addr = market.address(secret)
    assert market.bonded(addr) == b0[addr] - b0[addr] * SLASH_MISSED_PPM // 10**6
    for other in market.providers:
        if other != addr:
            assert market.bonded(other) == b0[other]
