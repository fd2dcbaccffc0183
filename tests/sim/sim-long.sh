#!/bin/sh
# sim-long.sh SEEDS: the long campaign, SEEDS seeds of every configuration,
# split over the machine's CPUs; prints the failures and a summary line.
seeds=${1:-10000}
sim="${HEARTH_BUILDDIR:-.}/tests/sim/sim"
jobs=$(nproc 2>/dev/null || echo 2)
tmp=$(mktemp -d) || exit 1
per=$(( (seeds + jobs - 1) / jobs ))
start=$(date +%s)
j=0
while [ $j -lt "$jobs" ]; do
	a=$(( j * per + 1 )); b=$(( (j + 1) * per ))
	[ $b -gt "$seeds" ] && b=$seeds
	if [ $a -le "$b" ]; then
		"$sim" --config all --seeds "$a-$b" >"$tmp/$j.tap" 2>&1 &
	fi
	j=$(( j + 1 ))
done
wait
end=$(date +%s)
cat "$tmp"/*.tap | grep -A1 '^not ok' 
runs=$(cat "$tmp"/*.tap | grep -c '^ok ')
fails=$(cat "$tmp"/*.tap | grep -c '^not ok')
echo "sim-long: $seeds seeds x all configurations: $runs runs passed, $fails failed, $((end - start)) s wall on $jobs jobs"
rm -rf "$tmp"
[ "$fails" -eq 0 ]
