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
#
# Defaults: D=/tmp/hearth-devnet, P=29740, R=29840. The hearthd binary is
# $HEARTHD, else build/dev/hearthd, else hearthd on PATH. The functional
# tests (tests/functional/test_localnet.py) use `create`.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
basedir=/tmp/hearth-devnet
port=29740
rpcport=29840
emptyblockinterval=1000

usage() {
	echo "usage: devnet.sh [create|start|stop] [N] [--basedir D] [--port P] [--rpcport R]" >&2
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
create | start | stop)
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
	*) usage ;;
	esac
done
hearthd=$(find_hearthd)

create() {
	if [ -z "$n" ] || [ "$n" -lt 1 ] || [ "$n" -gt 15 ]; then
		echo "devnet.sh: N must be 1..15" >&2
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

case "$cmd" in
create) create ;;
start) start ;;
stop) stop ;;
run)
	[ -e "$basedir/node0" ] || create
	start
	trap 'stop; exit 0' INT TERM
	echo "devnet.sh: running; Ctrl-C stops every node"
	while :; do sleep 1; done
	;;
esac
