#!/bin/sh
# devnet.sh: a local network of N validators on 127.0.0.1.
#
#   contrib/devnet.sh N [--basedir D] [--port P] [--rpcport R]
#       creates the network (unless D already holds one), starts every node
#       and stops them all on Ctrl-C.
#   contrib/devnet.sh create N [--basedir D] [--port P] [--rpcport R]
#       only creates it: D/node0 .. D/node<N-1>, each a -dev data directory
#       with its own validator key, the shared genesis.json of the N
#       validators, and a hearth.conf with port P+i, rpcport R+i, -connect to
#       every other node and -whitelist=127.0.0.1.
#   contrib/devnet.sh start [--basedir D]   starts the nodes of D in the background
#   contrib/devnet.sh stop [--basedir D]    stops them (SIGTERM, then waits)
#   contrib/devnet.sh providers K [--basedir D]
#       on a running network whose first K nodes were created with
#       --providers K: funds each one's provider key from the dev faucet,
#       bonds min_provider_bond and posts an offer (1 CPU, 256M, 64M of
#       disk, 2 slots, 0.00000N/s for node N-1, jobs up to 120 s).
#
# --providers K (with N or create): the first K nodes run with provider=1
# (the executor, which needs the sandbox: root or delegated cgroups); in
# the default mode their keys are also funded, bonded and offered once the
# nodes run, as `providers K` does.
#
# Defaults: D=/tmp/hearth-devnet, P=29740, R=29840. The hearthd binary is
# $HEARTHD, else build/dev/hearthd, else hearthd on PATH; hearth-cli is
# $HEARTH_CLI, else the one next to hearthd, else on PATH. The functional
# tests (tests/functional/test_localnet.py) use `create`.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
basedir=/tmp/hearth-devnet
port=29740
rpcport=29840
emptyblockinterval=1000
providers=0
# The dev faucet's secret, documented in doc/genesis.md (dev network only).
faucet_secret=c1c5ce5b8730a4804ceb75aecadb5bdc582bed1119b8f8ad3ace1ebbf4ad035c

usage() {
	echo "usage: devnet.sh [create|start|stop|providers] [N|K] [--basedir D] [--port P]" \
		"[--rpcport R] [--providers K]" >&2
	exit 2
}

find_hearthd() {
	if [ -n "${HEARTHD:-}" ]; then
		echo "$HEARTHD"
	elif [ -x "$top/build/dev/hearthd" ]; then
		echo "$top/build/dev/hearthd"
	elif command -v hearthd >/dev/null 2>&1; then
		command -v hearthd
	else
		echo "devnet.sh: no hearthd (build it, or set HEARTHD)" >&2
		exit 1
	fi
}

cmd=run
case "${1:-}" in
create | start | stop | providers)
	cmd=$1
	shift
	;;
esac
n=
case "${1:-}" in
[0-9]*)
	n=$1
	shift
	;;
esac
while [ $# -gt 0 ]; do
	case "$1" in
	--basedir) basedir=${2:?}; shift 2 ;;
	--port) port=${2:?}; shift 2 ;;
	--rpcport) rpcport=${2:?}; shift 2 ;;
	--emptyblockinterval) emptyblockinterval=${2:?}; shift 2 ;;
	--providers) providers=${2:?}; shift 2 ;;
	*) usage ;;
	esac
done
hearthd=$(find_hearthd)

create() {
	if [ -z "$n" ] || [ "$n" -lt 1 ] || [ "$n" -gt 15 ]; then
		echo "devnet.sh: N must be 1..15" >&2
		exit 2
	fi
	if [ "$providers" -gt "$n" ]; then
		echo "devnet.sh: --providers must be at most N" >&2
		exit 2
	fi
	if [ -e "$basedir/node0" ]; then
		echo "devnet.sh: $basedir already holds a network" >&2
		exit 1
	fi
	mkdir -p "$basedir"
	keys=
	i=0
	while [ "$i" -lt "$n" ]; do
		key=$("$hearthd" -dev -datadir="$basedir/node$i" -printvalidatorkey | cut -d' ' -f1)
		keys="$keys -genesisvalidator=$key"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086 # one word per key
	"$hearthd" -dev -printdevgenesis $keys >"$basedir/genesis.json"
	i=0
	while [ "$i" -lt "$n" ]; do
		cp "$basedir/genesis.json" "$basedir/node$i/dev/genesis.json"
		{
			echo "dev=1"
			echo "port=$((port + i))"
			echo "bind=127.0.0.1"
			echo "rpcport=$((rpcport + i))"
			echo "whitelist=127.0.0.1"
			echo "emptyblockinterval=$emptyblockinterval"
			[ "$i" -lt "$providers" ] && echo "provider=1"
			j=0
			while [ "$j" -lt "$n" ]; do
				[ "$j" -ne "$i" ] && echo "connect=127.0.0.1:$((port + j))"
				j=$((j + 1))
			done
		} >"$basedir/node$i/hearth.conf"
		i=$((i + 1))
	done
	echo "devnet.sh: created $n nodes in $basedir (P2P ports $port.., RPC ports $rpcport..)"
}

start() {
	for dir in "$basedir"/node*; do
		[ -d "$dir" ] || continue
		"$hearthd" -datadir="$dir" -daemon
	done
	echo "devnet.sh: started the nodes of $basedir"
}

stop() {
	# SIGTERM to every node first, then wait for each to remove its pid
	# file (the last thing hearthd does; kill -0 would also see a zombie).
	for pidfile in "$basedir"/node*/dev/hearthd.pid; do
		[ -f "$pidfile" ] || continue
		kill -TERM "$(cat "$pidfile")" 2>/dev/null || rm -f "$pidfile"
	done
	for pidfile in "$basedir"/node*/dev/hearthd.pid; do
		tries=0
		while [ -f "$pidfile" ] && [ "$tries" -lt 150 ]; do
			sleep 0.1
			tries=$((tries + 1))
		done
		[ -f "$pidfile" ] && echo "devnet.sh: $pidfile: still running" >&2
	done
	echo "devnet.sh: stopped the nodes of $basedir"
}

find_cli() {
	if [ -n "${HEARTH_CLI:-}" ]; then
		echo "$HEARTH_CLI"
	elif [ -x "$(dirname "$hearthd")/hearth-cli" ]; then
		echo "$(dirname "$hearthd")/hearth-cli"
	elif command -v hearth-cli >/dev/null 2>&1; then
		command -v hearth-cli
	else
		echo "devnet.sh: no hearth-cli (build it, or set HEARTH_CLI)" >&2
		exit 1
	fi
}

# The value of KEY in node I's hearth.conf.
conf_of() { sed -n "s/^$2=//p" "$basedir/node$1/hearth.conf" | head -n 1; }

# committed CLI TXID: waits (at most 60 s) until the tx is in a block.
committed() {
	"$1" rpc waitfortx "$2" 60000 | grep -q '"status": *"committed"' ||
		{ echo "devnet.sh: tx $2 not committed after 60 s" >&2; exit 1; }
}

# Funds, bonds and offers the provider keys of nodes 0..K-1 (running).
setup_providers() {
	if [ -z "$n" ] || [ "$n" -lt 1 ]; then
		echo "devnet.sh: providers needs K >= 1" >&2
		exit 2
	fi
	hcli=$(find_cli)
	HEARTH_PASSPHRASE=${HEARTH_PASSPHRASE:-devnet}
	export HEARTH_PASSPHRASE
	# The node's own directory: its .cookie, and a wallet (wallet/) in it.
	node_cli() { "$hcli" -dev -datadir="$basedir/node$i" -rpcport="$(conf_of "$i" rpcport)" "$@"; }
	i=0
	while [ "$i" -lt "$n" ]; do
		[ "$(conf_of "$i" provider)" = 1 ] ||
			{ echo "devnet.sh: node$i was not created with --providers" >&2; exit 1; }
		key="$basedir/node$i/dev/provider_key"
		tries=0
		until [ -f "$key" ] && node_cli rpc getblockcount >/dev/null 2>&1; do
			[ "$tries" -lt 300 ] || { echo "devnet.sh: node$i is not running" >&2; exit 1; }
			sleep 0.2
			tries=$((tries + 1))
		done
		node_cli -key=faucet address >/dev/null 2>&1 ||
			node_cli importkey faucet "$faucet_secret" >/dev/null
		addr=$(node_cli -keyfile="$key" address | awk '$1 == "address" { print $2 }')
		if [ "$(node_cli rpc getprovider "$addr" 2>/dev/null | grep -c '"eligible": *true')" = 0 ]; then
			txid=$(node_cli -key=faucet send "$addr" 2000 | awk '$1 == "txid" { print $2 }')
			committed node_cli "$txid"
			txid=$(node_cli -keyfile="$key" bond 1000 | awk '$1 == "txid" { print $2 }')
			committed node_cli "$txid"
		fi
		txid=$(node_cli -keyfile="$key" offer create --cpu 1000m --mem 256M --disk 64M \
			--slots 2 --price "0.00000$((i + 1))/s" --max-duration 120s |
			awk '$1 == "txid" { print $2 }')
		committed node_cli "$txid"
		echo "devnet.sh: node$i provider $addr bonded and offering"
		i=$((i + 1))
	done
}

case "$cmd" in
create) create ;;
start) start ;;
stop) stop ;;
providers) setup_providers ;;
run)
	[ -e "$basedir/node0" ] || create
	start
	if [ "$providers" -gt 0 ]; then
		n=$providers
		setup_providers
	fi
	trap 'stop; exit 0' INT TERM
	echo "devnet.sh: running; Ctrl-C stops every node"
	while :; do sleep 1; done
	;;
esac
