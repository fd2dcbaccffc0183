#!/bin/sh
# bench_rpc.sh: `make bench-rpc`. wrk with keep-alive and 32 connections
# against hearthd's getblockcount (cookie auth, a quiet dev node) and, in the
# same run, against tests/bench/bare_mhd (libmicrohttpd answering a constant
# body); prints both rates and their ratio (goal: >= 0.7). The two are
# measured in turn ROUNDS times and the best rate of each is kept, so that
# a burst of other work on a shared machine hurts neither side alone.
# On a shared machine req/s says as much about the neighbours as about the
# server, so it also prints the CPU time each server spent per request
# (utime + stime from /proc, over all rounds) and that ratio, which load
# disturbs far less.
# Usage: bench_rpc.sh BUILDDIR [SECONDS] [THREADS] [ROUNDS]
set -eu
builddir=$1
seconds=${2:-10}
threads=${3:-4}
rounds=${4:-3}
command -v wrk >/dev/null 2>&1 || { echo "bench-rpc: wrk not found (apt-get install wrk)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/hearth-bench-rpc-XXXXXX)
node_pid=""
bare_pid=""
cleanup() {
	[ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null
	[ -n "$bare_pid" ] && kill "$bare_pid" 2>/dev/null && wait "$bare_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

node_port=$(free_port)
"$builddir/hearthd" -dev -datadir="$tmp/node" -rpcport="$node_port" -rpcthreads="$threads" \
	-emptyblockinterval=3600000 >"$tmp/node.out" 2>&1 &
node_pid=$!
i=0
while [ ! -s "$tmp/node/dev/.cookie" ]; do
	i=$((i + 1))
	[ $i -gt 200 ] && { echo "bench-rpc: hearthd did not start" >&2; cat "$tmp/node.out" >&2; exit 1; }
	sleep 0.05
done
auth=$(base64 -w0 <"$tmp/node/dev/.cookie")

"$builddir/tests/bench/bare_mhd" 0 "$threads" >"$tmp/bare.out" &
bare_pid=$!
i=0
while ! grep -q '^listening' "$tmp/bare.out"; do
	i=$((i + 1))
	[ $i -gt 200 ] && { echo "bench-rpc: bare_mhd did not start" >&2; exit 1; }
	sleep 0.05
done
bare_port=$(sed -n 's/^listening //p' "$tmp/bare.out")

cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"jsonrpc":"2.0","method":"getblockcount","id":1}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic $auth"
LUA

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Runs wrk against port (served by process pid); prints its requests/s,
# the requests done and the CPU ticks pid spent; fails on any error.
measure() {
	before=$(cpu_ticks "$2")
	wrk -t2 -c32 -d"${seconds}s" --latency -s "$tmp/post.lua" "http://127.0.0.1:$1/" >"$tmp/wrk.out" 2>&1
	cat "$tmp/wrk.out" >&2
	if grep -q -e 'Non-2xx' -e 'Socket errors' "$tmp/wrk.out"; then
		echo "bench-rpc: wrk saw errors against port $1" >&2
		exit 1
	fi
	after=$(cpu_ticks "$2")
	rate=$(sed -n 's/^Requests\/sec: *//p' "$tmp/wrk.out")
	count=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$tmp/wrk.out")
	echo "$rate $count $((after - before))"
}

curl -sf -u "$(cat "$tmp/node/dev/.cookie")" -H 'Content-Type: application/json' \
	-d '{"jsonrpc":"2.0","method":"getblockcount","id":1}' "http://127.0.0.1:$node_port/" >/dev/null ||
	{ echo "bench-rpc: hearthd does not answer getblockcount" >&2; exit 1; }
bare=0
node=0
bare_n=0
bare_t=0
node_n=0
node_t=0
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }
r=1
while [ $r -le "$rounds" ]; do
	echo "== round $r: bare libmicrohttpd ($threads threads), ${seconds}s, 32 connections" >&2
	out=$(measure "$bare_port" "$bare_pid") # a failed run stops the script (set -e)
	set -- $out
	bare=$(best "$bare" "$1")
	bare_n=$((bare_n + $2))
	bare_t=$((bare_t + $3))
	echo "== round $r: hearthd getblockcount ($threads threads), ${seconds}s, 32 connections" >&2
	out=$(measure "$node_port" "$node_pid")
	set -- $out
	node=$(best "$node" "$1")
	node_n=$((node_n + $2))
	node_t=$((node_t + $3))
	r=$((r + 1))
done
hz=$(getconf CLK_TCK)
awk -v n="$node" -v b="$bare" -v bn="$bare_n" -v bt="$bare_t" -v nn="$node_n" -v nt="$node_t" \
	-v hz="$hz" -v rounds="$rounds" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
	bc = bt / hz / bn * 1e6; nc = nt / hz / nn * 1e6
	printf "bare_mhd:      %.0f req/s (best of %d), %.1f us CPU per request\n", b, rounds, bc
	printf "hearthd:       %.0f req/s (best of %d), %.1f us CPU per request\n", n, rounds, nc
	printf "ratio:         %.3f req/s (goal >= 0.7), %.3f CPU per request (bare/hearthd)\n", n / b, bc / nc
	printf "load average:  %s\n", load
}'
