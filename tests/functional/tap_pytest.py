#!/usr/bin/env python3
"""Runs pytest over the functional tests and reports each case as one TAP line.

TAP goes to the original standard output; pytest's own report goes to standard
error, which automake's TAP driver keeps in the test's log file.
"""
import os
import sys

import pytest


class TapReporter:
    """Collects one TAP line per test from pytest's reports."""

    def __init__(self, out):
        self.out = out
        self.count = 0
        self.failed = 0

    def emit(self, ok, name, directive=""):
        self.count += 1
        if not ok:
            self.failed += 1
        line = "%s %d - %s" % ("ok" if ok else "not ok", self.count, name)
        if directive:
            line += " # " + directive
        self.out.write(line + "\n")
        self.out.flush()

    def pytest_runtest_logreport(self, report):
        name = report.nodeid
        if report.when == "setup":
            if report.skipped:
                reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
                self.emit(True, name, "SKIP " + str(reason))
            elif report.failed:
                self.emit(False, name + " (setup)")
        elif report.when == "call":
            if report.skipped:
                reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
                self.emit(True, name, "SKIP " + str(reason))
            else:
                self.emit(report.passed, name)
        elif report.when == "teardown" and report.failed:
            self.emit(False, name + " (teardown)")


def main():
    testdir = sys.argv[1]
    tap = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    reporter = TapReporter(tap)
    rc = pytest.main(["-v", "-p", "no:cacheprovider", testdir], plugins=[reporter])
    if reporter.count == 0:
        tap.write("1..0 # SKIP no functional test collected\n")
        tap.flush()
        return 0 if rc in (0, 5) else 1
    tap.write("1..%d\n" % reporter.count)
    tap.flush()
    return 0 if reporter.failed == 0 and rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
