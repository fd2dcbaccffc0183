#!/bin/sh
# quickstart.sh: the README's run command, the whole marketplace end to end
# on one machine. Installs what is missing (contrib/install-deps.sh), builds
# Hearth out of tree in build/quickstart, starts `hearthd -dev -provider`
# (the node is its own provider) on a temporary data directory and free
# ports of 127.0.0.1, makes a consumer key and funds it from the dev faucet,
# posts an offer signed by the provider key, bids the sample job of
# contrib/examples/primes (Python counting the primes up to N), waits for it
# to be matched, run in the sandbox, receipted and settled (hearth-cli wait),
# fetches the result sealed to the consumer and checks it against the
# receipt on chain (hearth-cli result, then verify), and prints the result,
# the receipt, the settlement and both balances. The node keeps running
# (the last line says how to stop it) unless --exit is given.
set -eu

usage() {
	cat <<'EOF'
usage: contrib/quickstart.sh [--exit] [--builddir DIR] [--no-install]
  --exit          stop hearthd and remove its data directory after the demo
  --builddir DIR  use the binaries already built in DIR (no configure, no make)
  --no-install    do not run contrib/install-deps.sh
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
builddir=""
stop_after=0
install=1
while [ $# -gt 0 ]; do
	case $1 in
	--exit) stop_after=1 ;;
	--no-install) install=0 ;;
	--builddir)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		builddir=$2
		shift
		;;
	--builddir=*) builddir=${1#--builddir=} ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

say() { printf 'quickstart: %s\n' "$*"; }
die() {
	printf 'quickstart: error: %s\n' "$*" >&2
	exit 1
}
indent() { sed 's/^/    /'; }

# --- 1. dependencies and build -------------------------------------------
if [ "$install" = 1 ]; then
	say "checking the Debian packages (contrib/install-deps.sh)"
	"$top/contrib/install-deps.sh"
fi
if [ -n "$builddir" ]; then
	bin=$(cd "$builddir" && pwd) || die "no build directory $builddir"
	say "using the build in $bin"
else
	cd "$top"
	if [ ! -x ./configure ] || [ -n "$(find configure.ac -newer configure)" ]; then
		say "running autogen.sh"
		./autogen.sh >/dev/null 2>&1
	fi
	mkdir -p build/quickstart
	cd build/quickstart
	if [ ! -f Makefile ]; then
		say "configuring in build/quickstart"
		"$top/configure" --quiet
	fi
	say "building in build/quickstart (a few minutes the first time)"
	make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
	bin=$(pwd)
fi
for b in hearthd hearth-cli; do
	[ -x "$bin/$b" ] || die "$bin/$b is missing: build first"
done
command -v python3 >/dev/null 2>&1 || die "python3 is needed (contrib/install-deps.sh installs it)"

# --- helpers ---------------------------------------------------------------
# json PATH: the value at PATH (keys and list indexes joined by dots) of the
# JSON document on standard input; objects and lists as JSON, null as "".
json() {
	python3 -c '
import json, sys
try:
    v = json.load(sys.stdin)
except ValueError:
    sys.exit("quickstart: error: no JSON answer to read " + sys.argv[1] + " from")
for k in sys.argv[1].split(".") if sys.argv[1] else []:
    v = v[int(k)] if isinstance(v, list) else v[k]
if isinstance(v, bool):
    print("true" if v else "false")
elif v is None:
    print("")
elif isinstance(v, (dict, list)):
    print(json.dumps(v))
else:
    print(v)' "$1"
}
# hth UNITS: base units as HTH with six decimals, signed.
hth() {
	if [ "$1" -lt 0 ]; then
		printf -- '-%d.%06d HTH' $((-$1 / 1000000)) $((-$1 % 1000000))
	else
		printf '%d.%06d HTH' $(($1 / 1000000)) $(($1 % 1000000))
	fi
}
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

datadir=$(mktemp -d "${TMPDIR:-/tmp}/hearth-quickstart-XXXXXX")
rpcport=$(free_port)
p2pport=$(free_port)
netdir=$datadir/dev
cli() { "$bin/hearth-cli" -datadir="$datadir" -dev -rpcport="$rpcport" "$@"; }
# The demo's keys live in the temporary data directory under this passphrase.
HEARTH_PASSPHRASE="quickstart demo"
export HEARTH_PASSPHRASE

pid=""
keep=0
cleanup() {
	rc=$?
	trap - EXIT INT TERM
	if [ "$keep" = 1 ]; then
		exit "$rc"
	fi
	if [ "$rc" != 0 ] && [ -f "$netdir/debug.log" ]; then
		echo "quickstart: the last lines of hearthd's log:" >&2
		tail -n 15 "$netdir/debug.log" | indent >&2
	fi
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$datadir"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

height() { cli rpc getblockcount | json height; }
# wait_until WHAT SECONDS CMD...: runs CMD after each new block until it
# succeeds; fails after SECONDS.
wait_until() {
	what=$1
	end=$(($(date +%s) + $2))
	shift 2
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || die "timed out waiting for $what"
		kill -0 "$pid" 2>/dev/null || die "hearthd exited"
		cli rpc waitforblock $(($(height) + 1)) 2000 >/dev/null
	done
}
# committed TXID: waits (at most 60 s) until the tx is in a block.
committed() {
	status=$(cli rpc waitfortx "$1" 60000 | json status)
	[ "$status" = committed ] || die "tx $1 not committed after 60 s (status $status)"
}
balance_of() { cli -json balance "$1" | json balance; }

# --- 2. the node -------------------------------------------------------------
say "starting hearthd -dev -provider (datadir $datadir, RPC 127.0.0.1:$rpcport)"
nohup "$bin/hearthd" -dev -provider -datadir="$datadir" -rpcport="$rpcport" \
	-port="$p2pport" -bind=127.0.0.1 -emptyblockinterval=250 \
	</dev/null >"$datadir/hearthd.out" 2>&1 &
pid=$!
end=$(($(date +%s) + 60))
until grep -q "hearthd started" "$netdir/debug.log" 2>/dev/null; do
	if ! kill -0 "$pid" 2>/dev/null; then
		cat "$datadir/hearthd.out" >&2
		die "hearthd did not start (a provider needs a sandbox: see \`$bin/hearth-sandbox --check\`)"
	fi
	[ "$(date +%s)" -lt "$end" ] || die "hearthd did not start within 60 s"
	sleep 0.2
done
say "hearthd is running (pid $pid), chain $(cli rpc getblockchaininfo | json chain_id), height $(height)"

# --- 3. the keys ---------------------------------------------------------------
pkey=$netdir/provider_key
provider=$(cli -keyfile="$pkey" -json address | json address)
consumer=$(cli -json keygen consumer | json address)
faucet=$(cli -json importkey faucet c1c5ce5b8730a4804ceb75aecadb5bdc582bed1119b8f8ad3ace1ebbf4ad035c |
	json address)
say "provider  $provider (the node's provider_key)"
say "consumer  $consumer (a new key in $datadir/wallet)"
say "faucet    $faucet (the documented dev faucet, imported)"

txid=$(cli -key=faucet -json send "$consumer" 10 | json txid)
say "sending 10 HTH from the faucet to the consumer (tx $(printf %.16s "$txid")…)"
committed "$txid"

provider_eligible() { [ "$(cli rpc getprovider "$provider" | json eligible)" = true ]; }
say "waiting for the executor to bond the provider's stake"
wait_until "the provider's bond" 60 provider_eligible
say "provider bonded $(hth "$(cli -json balance "$provider" | json bonded)")"

# --- 4. the offer and the bid ------------------------------------------------------
offer=$(cli -keyfile="$pkey" -json offer create --cpu 1000m --mem 256M --disk 64M \
	--slots 1 --runtime posix --price 0.01/s --max-duration 10m --expiry 10000 |
	json offer_id)
say "offer $offer: 1 slot of 1 cpu, 256 MiB, 64 MiB disk at 0.01 HTH/s, signed by the provider key"
committed "$offer"

example=$top/contrib/examples/primes
c0=$(balance_of "$consumer")
p0=$(balance_of "$provider")
bidjson=$(cli -key=consumer -json bid --cpu 500m --mem 128M --disk 16M --timeout 120s \
	--max-price 0.02/s --encrypt --input "$example" -- python3 /work/primes.py)
bid=$(printf '%s' "$bidjson" | json bid_id)
bidfee=$(printf '%s' "$bidjson" | json fee)
say "bid $bid: python3 /work/primes.py counting the primes up to $(cat "$example/n.txt"), input contrib/examples/primes,"
say "result to be sealed to a new X25519 key of the consumer (bid --encrypt)"
say "escrow: at most 0.02 HTH/s x 120 s = 2.400000 HTH, locked until the job settles"

# --- 5. waiting --------------------------------------------------------------------
say "waiting for the job to be matched, run, receipted and settled: hearth-cli wait"
cli wait "$bid" --timeout 180s || die "the job did not settle: $(cli rpc getjob "$bid")"
job=$datadir/job.json
cli rpc getjob "$bid" >"$job"
lease=$(json leases.0.id <"$job")
hash=$(json leases.0.receipt.outcome.result_hash <"$job")
status=$(json leases.0.receipt.outcome.exit_status <"$job")
wall=$(json leases.0.receipt.outcome.wall_ms <"$job")
price=$(json leases.0.price_per_second <"$job")
say "settled: lease $lease, receipt at height $(json leases.0.receipt.height <"$job")"

# --- 6. the result -------------------------------------------------------------------
result=$datadir/result
say "fetching the result: hearth-cli result (signed by the consumer key, decrypted,"
say "unpacked, its hash checked against the receipt on chain before writing)"
fetched=$(cli -key=consumer result "$bid" -o "$result")
printf '%s\n' "$fetched" | indent
if [ "$status" -lt 0 ]; then
	how="--signal $((-status))"
else
	how="--exit $status"
fi
# shellcheck disable=SC2086
cli verify "$result" --hash "$hash" $how >/dev/null ||
	die "the result does not match the receipt's hash $hash"
say "verified: the result hashes to $hash, the receipt's result hash"
say "(checked again here with hearth-cli verify on $result)"
echo
echo "result (out/result.txt):"
indent <"$result/out/result.txt"
echo
echo "receipt (lease $lease):"
{
	printf 'result_hash        %s\n' "$hash"
	printf 'exit_status        %s\n' "$status"
	printf 'timed_out          %s\n' "$(json leases.0.receipt.outcome.timed_out <"$job")"
	printf 'oom_killed         %s\n' "$(json leases.0.receipt.outcome.oom_killed <"$job")"
	printf 'wall_ms            %s\n' "$wall"
	printf 'cpu_ms             %s\n' "$(json leases.0.receipt.outcome.cpu_ms <"$job")"
	printf 'peak_memory_bytes  %s\n' "$(json leases.0.receipt.outcome.peak_memory_bytes <"$job")"
	printf 'height             %s\n' "$(json leases.0.receipt.height <"$job")"
} | indent

# --- 7. settlement and balances ------------------------------------------------------
billed=$(((wall + 999) / 1000))
paid=$((price * billed))
c1=$(balance_of "$consumer")
p1=$(balance_of "$provider")
echo
echo "settlement:"
{
	printf 'lease state  %s\n' "$(json leases.0.state <"$job")"
	printf 'paid         %s (%s s billed at %s/s); the rest of the escrow refunded\n' \
		"$(hth "$paid")" "$billed" "$(hth "$price")"
} | indent
echo "balances (before the bid -> after settlement):"
{
	printf 'consumer  %s -> %s  (%s: the job and the bid fee %s)\n' "$(hth "$c0")" \
		"$(hth "$c1")" "$(hth $((c1 - c0)))" "$(hth "$bidfee")"
	printf 'provider  %s -> %s  (%s: the job less the receipt fee)\n' "$(hth "$p0")" \
		"$(hth "$p1")" "$(hth $((p1 - p0)))"
} | indent
[ $((c0 - c1)) -eq $((paid + bidfee)) ] ||
	die "the consumer's balance moved by $((c0 - c1)), not the job plus the bid fee"
echo

# --- 8. the node -----------------------------------------------------------------------
if [ "$stop_after" = 1 ]; then
	cli rpc stop >/dev/null
	wait "$pid" || die "hearthd exited with status $?"
	pid=""
	say "hearthd stopped; its data directory is removed"
	exit 0
fi
keep=1
say "hearthd keeps running (pid $pid) with data directory $datadir;"
say "the keys 'consumer' and 'faucet' are in $datadir/wallet under the"
say "passphrase '$HEARTH_PASSPHRASE' (export HEARTH_PASSPHRASE to use them). Try:"
echo "    $bin/hearth-cli -datadir=$datadir -dev -rpcport=$rpcport rpc getjob $bid"
say "stop it with: kill $pid   (or: $bin/hearth-cli -datadir=$datadir -dev -rpcport=$rpcport rpc stop),"
say "then remove its data directory: rm -rf $datadir"
