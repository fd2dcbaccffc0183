"""Bonding does not imply validating, on a real dev node: the faucet bonds
plainly ten times the dev validator's stake (as a provider bonds its
min_provider_bond); it stays out of the validator set, may offer, and the
one-validator chain keeps committing. Before candidacy was opt-in, such a
bond made a validator without a node holding over 2/3 of the power, and the
chain stopped two heights later."""
import time

from test_rpc_chain import FAUCET_SECRET, txgen

CHAIN = "hearth-dev"
FEE = 100000
DEV_VALIDATOR_BOND = 10**12


def wait_for(predicate, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def test_plain_bond_keeps_the_chain_live_and_the_set_unchanged(builddir, make_node):
    node = make_node().start(["-emptyblockinterval=100"])
    rpc = node.rpc
    faucet = txgen(builddir, "address", FAUCET_SECRET)
    validators = rpc("getvalidators")["validators"]
    assert len(validators) == 1
    validator = validators[0]["address"]
    assert rpc("getaccount", validator)["validator"] is True
    assert rpc("getaccount", faucet)["validator"] is False

    stake = 10 * DEV_VALIDATOR_BOND
    tx = txgen(builddir, "bond", FAUCET_SECRET, CHAIN, 1, FEE, stake)
    assert "validator" not in rpc("decoderawtransaction", tx)["bond"]
    txid = rpc("sendrawtransaction", tx)["txid"]
    where = wait_for(lambda: rpc("gettransaction", txid)["status"] == "committed" and
                     rpc("gettransaction", txid), what="the bond to commit")
    account = rpc("getaccount", faucet)
    assert account["bonded"] == stake and account["validator"] is False
    provider = rpc("getprovider", faucet)
    assert provider["eligible"] is True and provider["bonded"] >= provider["min_provider_bond"]

    # Well past the height the set chosen with the bond would rule from.
    target = where["height"] + 6
    wait_for(lambda: rpc("getblockcount")["height"] >= target, what="height %d" % target)
    for height in range(where["height"], rpc("getblockcount")["height"] + 3):
        got = rpc("getvalidators", height)
        assert [v["address"] for v in got["validators"]] == [validator], height
        assert got["total_power"] == DEV_VALIDATOR_BOND


def test_validator_bond_makes_a_candidate_two_heights_later(builddir, make_node):
    node = make_node().start(["-emptyblockinterval=100"])
    rpc = node.rpc
    faucet = txgen(builddir, "address", FAUCET_SECRET)
    # One base unit: a validator without a node, too small to cost liveness.
    tx = txgen(builddir, "bond", FAUCET_SECRET, CHAIN, 1, FEE, 1, "--validator")
    assert rpc("decoderawtransaction", tx)["bond"] == {"amount": 1, "validator": True}
    txid = rpc("sendrawtransaction", tx)["txid"]
    where = wait_for(lambda: rpc("gettransaction", txid)["status"] == "committed" and
                     rpc("gettransaction", txid), what="the bond to commit")
    assert rpc("getaccount", faucet)["validator"] is True
    h = where["height"]
    assert len(rpc("getvalidators", h + 1)["validators"]) == 1
    members = rpc("getvalidators", h + 2)["validators"]
    assert sorted(v["address"] for v in members if v["voting_power"] == 1) == [faucet]
    assert len(members) == 2
    wait_for(lambda: rpc("getblockcount")["height"] >= h + 4, what="height %d" % (h + 4))
