"""hearthd start-up, settings errors, data directory and shutdown."""
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
