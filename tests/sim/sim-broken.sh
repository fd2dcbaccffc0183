#!/bin/sh
# sim-broken.sh: the engine built with -DBFT_BROKEN_IGNORE_LOCK must be caught
# by the agreement check within the seeds make check runs (sim-small.sh and
# sim-large.sh). Passes when the violation IS found.
b="${HEARTH_BUILDDIR:-.}/tests/sim/sim_broken"
out=$("$b" --expect-violation --config n4,n4w --seeds 1-60) && { echo "$out"; exit 0; }
exec "$b" --expect-violation --config n7,n7w,n10,n10w --seeds 1-40
