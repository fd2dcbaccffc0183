"""contrib/ and the user guides against a real hearthd: the systemd unit
(systemd's own check, the hearthd arguments of its ExecStart, a provider's
job run under exactly its capability bounding set and no_new_privs), the
sample hearth.conf (as it is, and with every default uncommented), the
Prometheus scrape example and the Grafana dashboard (every metric they name
is served by a running node), and the Python of doc/dapp.md."""
import json
import os
import re
import shlex
import shutil
import subprocess
import time
import urllib.request

import pytest

from hearthnode import free_port
from test_executor import Provider, receipt_hash_on_chain, recompute, wait_for
from test_rpc_chain import FAUCET_SECRET, txgen


def contrib(srcdir, *parts):
    return os.path.join(srcdir, "contrib", *parts)


def unit_settings(srcdir):
    """{key: [values]} of the [Service] section of contrib/hearthd.service."""
    settings, section = {}, None
    with open(contrib(srcdir, "hearthd.service"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                section = line
                continue
            if section == "[Service]":
                key, _, value = line.partition("=")
                settings.setdefault(key, []).append(value)
    return settings


def unit_hearthd_args(srcdir):
    """The hearthd options of the unit's ExecStart (after `exec hearthd`)."""
    exec_start = unit_settings(srcdir)["ExecStart"]
    assert len(exec_start) == 1
    argv = shlex.split(exec_start[0])
    assert argv[:2] == ["/bin/sh", "-c"]
    script = shlex.split(argv[2].split("exec ", 1)[1])
    assert script[0] == "/usr/local/bin/hearthd"
    return script[1:]


def test_unit_passes_systemd_analyze_verify(srcdir):
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze not installed")
    path = contrib(srcdir, "hearthd.service")
    run = subprocess.run([tool, "verify", path], capture_output=True, text=True, timeout=60,
                         check=False)
    complaints = [line for line in (run.stdout + run.stderr).splitlines()
                  if "hearthd.service" in line]
    assert run.returncode == 0 and not complaints, run.stdout + run.stderr


def test_unit_arguments_and_sample_conf_start_a_node(make_node, srcdir):
    """The unit's hearthd options, with the sample hearth.conf as it is
    (every line commented), start a dev node that commits blocks."""
    args = unit_hearthd_args(srcdir)
    keys = [a.split("=", 1)[0] for a in args]
    assert keys == ["-datadir", "-conf", "-printtoconsole", "-cgroupparent"]
    node = make_node()
    extra = [a for a in args if not a.startswith(("-datadir=", "-conf="))]
    node.start(extra + ["-conf=" + contrib(srcdir, "hearth.conf"),
                        "-emptyblockinterval=200"])
    wait_for("a block", lambda: node.rpc("getblockcount")["height"] >= 2, timeout=30)
    assert node.stop() == 0


def uncommented_defaults(text):
    """The sample with each `#key=value` line (a default) made live."""
    return re.sub(r"^#(?=[a-z]+=)", "", text, flags=re.M)


def test_sample_conf_with_its_defaults_uncommented_runs(make_node, srcdir, tmp_path):
    with open(contrib(srcdir, "hearth.conf"), encoding="utf-8") as f:
        text = f.read()
    live = uncommented_defaults(text)
    assert live.count("\nrpcport=") == 1 and "\n#example: pid=" in live
    conf = tmp_path / "hearth.conf"
    conf.write_text(live)
    node = make_node()
    # The command line wins over the file: this node's own ports, and P2P on
    # loopback only.
    node.start(["-conf=%s" % conf, "-port=%d" % free_port(), "-bind=127.0.0.1"])
    wait_for("a block", lambda: node.rpc("getblockcount")["height"] >= 2, timeout=30)
    info = node.rpc("getmempoolinfo")
    assert (info["max_txs"], info["max_bytes"]) == (5000, 67108864)
    assert node.stop() == 0


# Capability names of the unit -> setpriv's names.
def setpriv_args(srcdir):
    settings = unit_settings(srcdir)
    caps = settings["CapabilityBoundingSet"][0].split()
    assert caps and all(c.startswith("CAP_") for c in caps)
    args = ["setpriv", "--bounding-set=-all," + ",".join(
        "+" + c[len("CAP_"):].lower() for c in caps), "--inh-caps=-all"]
    if settings.get("NoNewPrivileges") == ["yes"]:
        args.append("--no-new-privs")
    return args


JOB_MODES = ["sh", "-c", "mkdir /out/private && sha256sum /work/data.txt > /out/private/sum && "
             "chmod 000 /out/private/sum && chmod 700 /out/private && echo hashed"]


def test_provider_job_runs_under_the_units_capabilities(make_node, builddir, srcdir, tmp_path):
    """A dev provider started as the unit starts it (root, the unit's
    CapabilityBoundingSet, NoNewPrivileges) runs a job whose /out only root
    with DAC_READ_SEARCH can read, and the lease settles with the hash the
    consumer recomputes."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv(1)")
    wrap = setpriv_args(srcdir)
    node = make_node()
    plain_args = node.args
    node.args = lambda extra=(): wrap + plain_args(extra)
    node.start(["-provider", "-emptyblockinterval=200"])
    with open("/proc/%d/status" % node.proc.pid, encoding="utf-8") as f:
        status = f.read()
    assert re.search(r"^NoNewPrivs:\s+1$", status, re.M)
    bounding = int(re.search(r"^CapBnd:\s+([0-9a-f]+)$", status, re.M).group(1), 16)
    assert bounding & (1 << 12) == 0  # CAP_NET_ADMIN is gone
    provider = Provider(builddir, node)
    provider.offer()
    lease = provider.bid(tmp_path, JOB_MODES)
    provider.wait_settled(lease)
    result = provider.fetch(lease)
    assert result["exit_status"] == 0
    digest, stdout = recompute(tmp_path, result, 0)
    assert stdout == b"hashed\n"
    assert [e["path"] for e in result["manifest"]] == ["private/sum"]
    assert receipt_hash_on_chain(node, provider.journal(lease))[0] == digest
    assert node.stop() == 0


# Labels Prometheus adds to every series it scrapes, and the histogram's
# bucket bound: not the node's to serve.
TARGET_LABELS = {"instance", "job", "le", "network"}
METRIC_NAME = re.compile(r"\bhearth_[a-z0-9_]+\b")


def scrape(node):
    """(sample names -> set of label names, family names) of GET /metrics,
    fetched without credentials as Prometheus does."""
    url = "http://127.0.0.1:%d/metrics" % node.rpcport
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = resp.read().decode()
    samples, families = {}, set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            families.add(line.split()[2])
        elif line and not line.startswith("#"):
            name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0)
            labels = set(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)=\"", line[len(name):]))
            samples.setdefault(name, set()).update(labels)
    return samples, families


def dashboard_strings(value, path=""):
    """(json path, string) of every string in the dashboard."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from dashboard_strings(item, path + "." + key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from dashboard_strings(item, "%s[%d]" % (path, i))
    elif isinstance(value, str):
        yield path, value


def query_labels(expr):
    """Label names an expression filters or groups on."""
    names = set(re.findall(r"[{,]\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!=|!~|=)", expr))
    for group in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
        names.update(n.strip() for n in group.split(",") if n.strip())
    return names


def is_query(path):
    return path.endswith(".expr") or path.endswith(".query") or path.endswith(".definition")


def test_dashboard_uses_only_metrics_a_node_serves(make_node, builddir, srcdir, tmp_path):
    """Every hearth_* name of contrib/grafana/hearth.json is served by a
    running dev provider node (a query must name a sample that exists; a
    description may name a family), and every label a query filters or
    groups on exists on the series it reads."""
    with open(contrib(srcdir, "grafana", "hearth.json"), encoding="utf-8") as f:
        dashboard = json.load(f)
    node = make_node().start(["-provider", "-emptyblockinterval=200"])
    # Labelled families get their series on first use: one call, one
    # refused request.
    node.rpc("getblockcount")
    status, _ = node.http("POST", "/", body="{}", auth=False)
    assert status == 401
    wait_for("a block", lambda: node.rpc("getblockcount")["height"] >= 1, timeout=30)
    samples, families = scrape(node)
    used = 0
    for path, text in dashboard_strings(dashboard):
        names = set(METRIC_NAME.findall(text))
        used += len(names)
        for name in names:
            if is_query(path):
                assert name in samples, "%s: %s is not served by hearthd" % (path, name)
            else:
                assert name in samples or name in families, \
                    "%s: %s is not served by hearthd" % (path, name)
        if is_query(path) and names:
            have = set().union(*(samples[n] for n in names)) | TARGET_LABELS
            missing = query_labels(text) - have
            assert not missing, "%s: labels %s not on %s" % (path, missing, names)
    assert used > 0
    # The dashboard covers each part of the node that has metrics.
    for prefix in ("hearth_chain_", "hearth_consensus_", "hearth_mempool_", "hearth_p2p_",
                   "hearth_rpc_", "hearth_executor_"):
        assert any(prefix in text for _, text in dashboard_strings(dashboard)), prefix
    assert node.stop() == 0


def test_prometheus_example_scrapes_the_rpc_ports(srcdir):
    """The scrape example targets hearthd's RPC ports (main and dev, the
    defaults of node/config.c) at /metrics, without credentials."""
    with open(contrib(srcdir, "prometheus.yml"), encoding="utf-8") as f:
        text = f.read()
    with open(os.path.join(srcdir, "node", "config.c"), encoding="utf-8") as f:
        config_c = f.read()
    main_port, dev_port = re.search(
        r'"rpcport".*?\(default: (\d+), dev (\d+)\)', config_c, re.S).groups()
    live = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    targets = re.findall(r'targets:\s*\["([^"]+)"\]', live)
    assert targets == ["127.0.0.1:%s" % main_port, "127.0.0.1:%s" % dev_port]
    assert re.findall(r"metrics_path:\s*(\S+)", live) == ["/metrics", "/metrics"]
    for word in ("basic_auth", "authorization", "bearer_token"):
        assert word not in live


def doc_python_blocks(srcdir, name):
    with open(os.path.join(srcdir, "doc", name), encoding="utf-8") as f:
        return re.findall(r"```python\n(.*?)```", f.read(), re.S)


def test_dapp_guide_python_runs_against_a_node(make_node, builddir, srcdir, tmp_path, capsys):
    """The Python of doc/dapp.md, as printed there (only the URL, the
    cookie's path and the tx's hex filled in): the client, sending a tx,
    waiting for it, and following a real job until it settles."""
    blocks = doc_python_blocks(srcdir, "dapp.md")
    assert len(blocks) == 4
    client, send_tx, wait, follow = blocks
    node = make_node().start(["-provider", "-emptyblockinterval=200"])
    url = 'url="http://127.0.0.1:19741/"'
    cookie = 'cookie=os.path.expanduser("~/.hearth/dev/.cookie")'
    assert url in client and cookie in client
    ns = {}
    exec(client.replace(url, 'url="http://127.0.0.1:%d/"' % node.rpcport)  # pylint: disable=exec-used
         .replace(cookie, 'cookie=%r' % os.path.join(node.netdir, ".cookie")), ns)
    assert capsys.readouterr().out.startswith("hearth-dev\n")
    hearth = ns["node"]
    provider = Provider(builddir, node)
    nonce = hearth.call("getnonce", provider.faucet)["next"]
    tx = txgen(builddir, "transfer", FAUCET_SECRET, "hearth-dev", nonce, 100000, provider.addr, 5)
    exec(send_tx.replace('"0a8c01…"', repr(tx)), ns)  # pylint: disable=exec-used
    exec(wait, ns)  # pylint: disable=exec-used
    assert ns["wait_for_tx"](hearth, ns["txid"])["status"] == "committed"
    provider.offer()
    provider.bid(tmp_path, ["sh", "-c", "echo hello > /out/greeting"])
    # sendrawtransaction answers once the bid is in the mempool; its block
    # follows.
    deadline = time.monotonic() + 30
    bids = []
    while not bids and time.monotonic() < deadline:
        bids = hearth.call("listbids", provider.faucet)["bids"]
        time.sleep(0 if bids else 0.05)
    assert len(bids) == 1
    bid_id = bids[0]["id"]
    exec(follow, ns)  # pylint: disable=exec-used
    job = ns["follow"](hearth, bid_id, every_s=0.2)
    assert job["status"] == "settled"
    assert node.stop() == 0
