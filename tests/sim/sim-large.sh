#!/bin/sh
# sim-large.sh: make check's simulator runs over 7 and 10 validators, equal
# and unequal stake.
exec "${HEARTH_BUILDDIR:-.}/tests/sim/sim" --config n7,n7w,n10,n10w --seeds 1-40
