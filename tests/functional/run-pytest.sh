#!/bin/sh
# run-pytest.sh: runs the functional tests (pytest) and prints TAP.
# Called by `make check` with HEARTH_SRCDIR and HEARTH_BUILDDIR set.
: "${HEARTH_SRCDIR:?run through make check}"
: "${HEARTH_BUILDDIR:?run through make check}"
PYTHON=$(sed -n 's/^PYTHON = //p' "$HEARTH_BUILDDIR/Makefile")
if [ -z "$PYTHON" ]; then
	echo "1..0 # SKIP pytest not found (install python3-pytest)"
	exit 0
fi
exec "$PYTHON" "$HEARTH_SRCDIR/tests/functional/tap_pytest.py" "$HEARTH_SRCDIR/tests/functional"
