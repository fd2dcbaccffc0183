"""contrib/devnet.sh --providers K: the first K nodes of a localnet run the
executor (provider=1 in their hearth.conf), and `devnet.sh providers K`
funds their provider keys from the dev faucet, bonds min_provider_bond and
posts an offer for each, so a localnet is a market at once."""
import os
import subprocess

from hearthnode import HearthNode
from test_localnet import free_port_range

MIN_PROVIDER_BOND = 10**9


def devnet(srcdir, builddir, *args):
    env = dict(os.environ, HEARTHD=os.path.join(builddir, "hearthd"),
               HEARTH_CLI=os.path.join(builddir, "hearth-cli"))
    return subprocess.run([os.path.join(srcdir, "contrib", "devnet.sh")] + list(args),
                          env=env, capture_output=True, text=True, timeout=180, check=False)


def conf(path):
    with open(os.path.join(path, "hearth.conf"), encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


def test_devnet_providers_are_bonded_and_offering(builddir, srcdir, tmpdir_clean):
    base = os.path.join(tmpdir_clean, "net")
    port = free_port_range(4)
    res = devnet(srcdir, builddir, "create", "2", "--basedir", base, "--port", str(port),
                 "--rpcport", str(port + 2), "--providers", "3")
    assert res.returncode == 2 and "at most N" in res.stderr
    res = devnet(srcdir, builddir, "create", "2", "--basedir", base, "--port", str(port),
                 "--rpcport", str(port + 2), "--providers", "1", "--emptyblockinterval", "250")
    assert res.returncode == 0, res.stderr
    assert "provider=1" in conf(os.path.join(base, "node0"))
    assert "provider=1" not in conf(os.path.join(base, "node1"))
    nodes = []
    try:
        for i in range(2):
            node = HearthNode(builddir, os.path.join(base, "node%d" % i))
            node.port, node.rpcport = port + i, port + 2 + i
            nodes.append(node.start())
        res = devnet(srcdir, builddir, "providers", "1", "--basedir", base)
        assert res.returncode == 0, res.stdout + res.stderr
        addr = res.stdout.split("provider ")[1].split()[0]
        provider = nodes[1].rpc("getprovider", addr)
        assert provider["eligible"]
        assert nodes[1].rpc("getaccount", addr)["bonded"] == MIN_PROVIDER_BOND
        offers = nodes[1].rpc("listoffers")["offers"]
        assert [o["provider"] for o in offers] == [addr]
        assert "executor started" in nodes[0].log_text()
        assert "executor started" not in nodes[1].log_text()
        # node1 was not made a provider
        res = devnet(srcdir, builddir, "providers", "2", "--basedir", base)
        assert res.returncode == 1 and "node1 was not created with --providers" in res.stderr
    finally:
        for node in nodes:
            node.kill()
