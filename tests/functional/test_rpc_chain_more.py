"""More chain and tx JSON-RPC methods of a dev node: estimatefee,
getblockheader, getvalidators, decoderawtransaction."""
import os
import subprocess

import pytest

from hearthnode import RpcError

FAUCET_SECRET = "c1c5ce5b8730a4804ceb75aecadb5bdc582bed1119b8f8ad3ace1ebbf4ad035c"
SOMEONE = "dhth1w444u6qm2ptfhcrx09paeqgr4q7ly6gxqs83fda8u2aqxu7ugmhqzfdl4h"


def txgen(builddir, *args):
    res = subprocess.run([os.path.join(builddir, "tests", "functional", "txgen")] +
                         [str(a) for a in args], capture_output=True, text=True, check=True)
    return res.stdout.strip()


@pytest.fixture
def node(make_node):
    return make_node().start()


def test_estimatefee_is_the_minimum_on_an_idle_node(builddir, node):
    genesis = node.rpc("getgenesis")["genesis"]
    minimum = genesis["params"]["min_fee_per_byte"]
    est = node.rpc("estimatefee")
    assert est == {"feerate": minimum, "min_feerate": minimum}
    # A tx paying exactly the estimate for its size is accepted.
    probe = txgen(builddir, "transfer", FAUCET_SECRET, "hearth-dev", 1, 1000, SOMEONE, 5)
    size = len(probe) // 2
    tx = txgen(builddir, "transfer", FAUCET_SECRET, "hearth-dev", 1, est["feerate"] * size,
               SOMEONE, 5)
    assert len(tx) // 2 == size
    assert len(node.rpc("sendrawtransaction", tx)["txid"]) == 64
    with pytest.raises(RpcError) as exc:
        node.rpc("estimatefee", 1)
    assert exc.value.code == -32602
