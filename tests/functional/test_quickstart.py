"""contrib/quickstart.sh, the README's run command, end to end on the
binaries of this build: a dev node that is its own provider runs the sample
job of contrib/examples/primes for a funded consumer, the job settles, the
sealed result is fetched by the consumer (hearth-cli result) and verified
against the receipt's hash, and with --exit the node is
stopped and its data directory removed."""
import os
import re
import subprocess

EXPECTED = "primes up to 10000000: 664579 (largest 9999991)"


def run_quickstart(srcdir, builddir, *args, timeout=300):
    return subprocess.run([os.path.join(srcdir, "contrib", "quickstart.sh"), *args],
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_quickstart_runs_a_paid_verified_job(srcdir, builddir):
    res = run_quickstart(srcdir, builddir, "--exit", "--no-install", "--builddir", builddir)
    out = res.stdout
    assert res.returncode == 0, out + res.stderr
    verified = re.search(r"^quickstart: verified: the result hashes to ([0-9a-f]{64}), "
                         r"the receipt's result hash$", out, re.M)
    assert verified, out
    receipt = re.search(r"^\s+result_hash\s+([0-9a-f]{64})$", out, re.M)
    assert receipt and receipt.group(1) == verified.group(1), out
    assert re.search(r"^\s+exit_status\s+0$", out, re.M), out
    # hearth-cli result fetched the consumer's sealed copy and checked it.
    fetched = re.search(r"^\s+result_hash\s+([0-9a-f]{64}) \(matches the receipt\)$", out, re.M)
    assert fetched and fetched.group(1) == verified.group(1), out
    assert re.search(r"^\s+encrypted\s+yes$", out, re.M), out
    assert "    " + EXPECTED + "\n" in out
    assert re.search(r"^\s+lease state\s+settled$", out, re.M), out
    assert re.search(r"^\s+consumer\s+10\.000000 HTH -> 9\.\d{6} HTH", out, re.M), out
    assert re.search(r"^\s+provider\s+.* HTH -> .* HTH", out, re.M), out
    # --exit: the node is gone and so is its data directory.
    pid = int(re.search(r"hearthd is running \(pid (\d+)\)", out).group(1))
    datadir = re.search(r"datadir (\S+), RPC 127\.0\.0\.1:", out).group(1)
    assert "quickstart: hearthd stopped" in out
    assert not os.path.exists(datadir)
    assert not os.path.exists("/proc/%d" % pid) or \
        "hearthd" not in open("/proc/%d/cmdline" % pid, "rb").read().decode(errors="replace")


def test_quickstart_rejects_unknown_options(srcdir, builddir):
    res = run_quickstart(srcdir, builddir, "--frobnicate", timeout=30)
    assert res.returncode == 2
    assert res.stderr.startswith("usage: contrib/quickstart.sh")
    res = run_quickstart(srcdir, builddir, "--no-install", "--builddir",
                         os.path.join(builddir, "no-such-dir"), timeout=30)
    assert res.returncode == 1
    assert "quickstart: error: no build directory" in res.stderr
