#!/bin/sh
# sim-small.sh: make check's simulator runs over 1, 4 and 4-unequal validators.
exec "${HEARTH_BUILDDIR:-.}/tests/sim/sim" --config n1,n4,n4w --seeds 1-60
