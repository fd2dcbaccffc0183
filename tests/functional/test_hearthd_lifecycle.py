"""hearthd start-up, settings errors, data directory and shutdown."""
import json
import os
import re
import stat
import subprocess
import time

from hearthnode import LOG_LINE


def test_help_lists_every_option(make_node):
    res = make_node().run(["-help"])
    assert res.returncode == 0
    for opt in ("-datadir", "-dev", "-rpcport", "-connect", "-debug", "-printtoconsole"):
        assert opt in res.stdout


def test_version(make_node):
    res = make_node().run(["-version"])
    assert res.returncode == 0
    assert re.match(r"^hearthd \d+\.\d+\.\d+\n$", res.stdout)


def test_unknown_option_is_one_line_and_exit_1(make_node):
    res = make_node().run(["-rpcprot=1"])
    assert res.returncode == 1
    assert res.stderr == "hearthd: unknown option -rpcprot\n"


def test_conf_error_names_file_and_line(make_node):
    node = make_node()
    os.makedirs(node.datadir, exist_ok=True)
    with open(os.path.join(node.datadir, "hearth.conf"), "w", encoding="utf-8") as f:
        f.write("# settings\nport=19999\n[dev]\nrpcport=70000\n")
    res = node.run()
    assert res.returncode == 1
    assert "hearth.conf:4: -rpcport takes a whole number in [1, 65535]" in res.stderr
    assert res.stderr.count("\n") == 1


def test_dev_and_testnet_together_are_refused(make_node):
    res = make_node().run(["-testnet"])
    assert res.returncode == 1
    assert "together" in res.stderr


def test_dev_start_creates_datadir_keys_and_stops_cleanly(make_node):
    node = make_node().start()
    netdir = node.netdir
    assert stat.S_IMODE(os.stat(netdir).st_mode) == 0o700
    for key in ("node_key", "validator_key"):
        assert stat.S_IMODE(os.stat(os.path.join(netdir, key)).st_mode) == 0o600
    with open(os.path.join(netdir, "hearthd.pid"), encoding="utf-8") as f:
        assert int(f.read()) == node.proc.pid
    assert os.path.isdir(os.path.join(netdir, "state"))
    assert node.stop() == 0
    assert not os.path.exists(os.path.join(netdir, "hearthd.pid"))
    log = node.log_text()
    assert "shutdown requested signal=SIGTERM" in log
    assert log.rstrip().endswith("shutdown complete")
    for line in log.splitlines():
        assert LOG_LINE.match(line), line


def test_second_daemon_on_same_datadir_is_refused(make_node):
    first = make_node().start()
    second = make_node(datadir=first.datadir)
    res = second.run()
    assert res.returncode == 1
    assert "hearthd is probably already running" in res.stderr
    assert first.proc.poll() is None
    assert first.stop() == 0


def test_keys_are_kept_across_restarts(make_node):
    node = make_node().start()
    first = re.search(r"validator key address=(\S+)", node.log_text()).group(1)
    assert first.startswith("dhth1")
    assert node.stop() == 0
    node.start()
    addresses = re.findall(r"validator key address=(\S+)", node.log_text())
    assert addresses == [first, first]
    assert node.stop() == 0


def test_readable_key_file_is_refused(make_node):
    node = make_node().start()
    assert node.stop() == 0
    os.chmod(os.path.join(node.netdir, "node_key"), 0o644)
    res = node.run()
    assert res.returncode == 1
    assert "must be 0600" in res.stderr


def test_daemon_mode_detaches_and_stops_on_sigterm(make_node):
    node = make_node()
    res = node.run(["-daemon"])
    assert res.returncode == 0, res.stderr
    pidfile = os.path.join(node.netdir, "hearthd.pid")
    with open(pidfile, encoding="utf-8") as f:
        pid = int(f.read())
    os.kill(pid, 0)
    os.kill(pid, 15)
    deadline = time.monotonic() + 10
    while os.path.exists(pidfile) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not os.path.exists(pidfile)
    # The process is gone once its pid file is removed and it has exited.
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.02)
    else:
        raise AssertionError("daemon did not exit")


def test_daemon_start_failure_is_reported_by_the_parent(make_node):
    first = make_node().start()
    res = subprocess.run(make_node(datadir=first.datadir).args(["-daemon"]),
                         capture_output=True, text=True, timeout=10, check=False)
    assert res.returncode == 1
    assert "already running" in res.stderr
    assert first.stop() == 0


DEV_FAUCET = "dhth1x4cej9c7apnxynkx2z6f7xamncxae6el7x52mkslustks3mu9kpqmyj2wg"


def test_dev_writes_genesis_with_faucet_and_own_validator(make_node):
    node = make_node().start()
    log = node.log_text()
    assert "committed the genesis state chain_id=hearth-dev" in log
    validator = re.search(r"validator key address=(\S+)", log).group(1)
    with open(os.path.join(node.netdir, "genesis.json"), encoding="utf-8") as f:
        genesis = json.load(f)
    assert genesis["chain_id"] == "hearth-dev"
    assert {"address": DEV_FAUCET, "amount": 10**15} in genesis["balances"]
    assert genesis["validators"] == [{"address": validator, "bond": 10**12}]
    assert node.stop() == 0
    # A restart keeps the chain and does not commit the genesis again.
    node.start()
    assert node.log_text().count("committed the genesis state") == 1
    assert node.stop() == 0


def test_main_network_without_genesis_is_refused(make_node):
    res = make_node(network="main").run()
    assert res.returncode == 1
    assert "no genesis.json in" in res.stderr


def test_genesis_of_another_network_is_refused(make_node):
    dev = make_node().start()
    assert dev.stop() == 0
    test = make_node(network="test")
    os.makedirs(test.netdir)
    with open(os.path.join(dev.netdir, "genesis.json"), encoding="utf-8") as src, \
            open(os.path.join(test.netdir, "genesis.json"), "w", encoding="utf-8") as dst:
        dst.write(src.read())
    res = test.run()
    assert res.returncode == 1
    assert "not of the test network" in res.stderr


def test_store_of_another_genesis_is_refused(make_node):
    node = make_node().start()
    assert node.stop() == 0
    path = os.path.join(node.netdir, "genesis.json")
    with open(path, encoding="utf-8") as f:
        genesis = json.load(f)
    genesis["genesis_time_ms"] += 1
    with open(path, "w", encoding="utf-8") as f:
        json.dump(genesis, f)
    res = node.run()
    assert res.returncode == 1
    assert "made from another genesis.json" in res.stderr


def test_genesis_error_names_line_and_column(make_node):
    node = make_node().start()
    assert node.stop() == 0
    path = os.path.join(node.netdir, "genesis.json")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace('"max_validators"', '"max_validator"'))
    res = node.run()
    assert res.returncode == 1
    assert re.search(r"genesis\.json: line \d+, column \d+: params\.max_validator", res.stderr)
