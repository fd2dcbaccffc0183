#!/bin/sh
# check.sh: Hearth's test command. Installs missing Debian packages, then runs
# three passes out of tree:
#   build/check-gcc   gcc, -Werror, make check
#   build/check-asan  clang, -Werror, AddressSanitizer + UBSan, make check,
#                     with the leak test at CHECK_LEAK_TXS txs (default
#                     10,000, the issue's count; the gcc pass keeps 1,000)
#   build/check-fuzz  clang, -Werror, libFuzzer: make fuzz-smoke, each fuzz
#                     target for CHECK_FUZZ_SECONDS (default 30); each target
#                     that runs clean counts as one passed test
# and ends with one line "N passed, N failed, N skipped" over all passes.
# Exit status 0 only when nothing failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
jobs=$(nproc 2>/dev/null || echo 2)
failed_passes=0

if ! ./contrib/install-deps.sh; then
	echo "check: installing dependencies failed" >&2
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
if [ ! -x ./configure ] || [ configure.ac -nt configure ]; then
	./autogen.sh >build-autogen.log 2>&1 || {
		cat build-autogen.log >&2
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	}
	rm -f build-autogen.log
fi

# run_pass NAME CONFIGURE-ARGS...: configure, build and make check in build/NAME.
run_pass() {
	name=$1
	shift
	dir="$top/build/$name"
	mkdir -p "$dir"
	find "$dir" -name '*.trs' -delete 2>/dev/null
	echo "== pass $name: configure $*"
	if ! (cd "$dir" && "$top/configure" --enable-werror "$@" >configure.out 2>&1); then
		tail -n 20 "$dir/configure.out" >&2
		return 1
	fi
	echo "== pass $name: build"
	if ! (cd "$dir" && make -j"$jobs" >make.out 2>&1); then
		grep -E 'error|warning' "$dir/make.out" | head -n 40 >&2
		return 1
	fi
	echo "== pass $name: make check"
	(cd "$dir" && make -j"$jobs" check 2>&1 | grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP|# )' )
	return 0
}

# run_fuzz_pass: configure with libFuzzer, build, and run every fuzz target
# for CHECK_FUZZ_SECONDS in build/check-fuzz (tests/fuzz/Makefile.inc). A
# crash fails the pass; its input is left in build/check-fuzz/fuzz-crashes/.
fuzz_seconds=${CHECK_FUZZ_SECONDS:-30}
run_fuzz_pass() {
	dir="$top/build/check-fuzz"
	mkdir -p "$dir"
	rm -f "$dir/fuzz.out"
	echo "== pass check-fuzz: configure --enable-fuzz CC=clang"
	if ! (cd "$dir" && "$top/configure" --enable-werror --enable-fuzz CC=clang \
		>configure.out 2>&1); then
		tail -n 20 "$dir/configure.out" >&2
		return 1
	fi
	echo "== pass check-fuzz: build"
	if ! (cd "$dir" && make -j"$jobs" >make.out 2>&1); then
		grep -E 'error|warning' "$dir/make.out" | head -n 40 >&2
		return 1
	fi
	echo "== pass check-fuzz: make fuzz-smoke, $fuzz_seconds s per target"
	(cd "$dir" && make fuzz-smoke FUZZ_SECONDS="$fuzz_seconds" >fuzz.out 2>&1)
	rc=$?
	grep -E '^fuzz: [a-z_0-9]+(:| FAILED)' "$dir/fuzz.out"
	[ "$rc" -eq 0 ] || tail -n 40 "$dir/fuzz.out" >&2
	return $rc
}

run_pass check-gcc CC=gcc || failed_passes=$((failed_passes + 1))
(
	HEARTH_LEAK_TXS=${CHECK_LEAK_TXS:-10000}
	export HEARTH_LEAK_TXS
	run_pass check-asan CC=clang --enable-sanitizers
) || failed_passes=$((failed_passes + 1))
run_fuzz_pass || failed_passes=$((failed_passes + 1))

count() {
	find "$top/build/check-gcc" "$top/build/check-asan" -name '*.trs' -print0 2>/dev/null |
		xargs -0 cat 2>/dev/null | grep -c "^:test-result: $1"
}
# fuzz targets that finished clean: one "fuzz: NAME: ... DONE ..." line each
fuzz_pass=$(grep -cE '^fuzz: [a-z_0-9]+: ' "$top/build/check-fuzz/fuzz.out" 2>/dev/null)
pass=$(( $(count PASS) + ${fuzz_pass:-0} ))
skip=$(count SKIP)
fail=$(( $(count FAIL) + $(count ERROR) + $(count XPASS) + failed_passes ))
for f in $(find "$top/build/check-gcc" "$top/build/check-asan" -name '*.trs' 2>/dev/null); do
	if grep -qE '^:test-result: (FAIL|ERROR|XPASS)' "$f"; then
		echo "-- failures in ${f%.trs}.log:" >&2
		grep -E '^(not ok|ERROR|# )' "${f%.trs}.log" | head -n 20 >&2
	fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
