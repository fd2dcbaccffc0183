"""Shared fixtures of the functional tests: where the built binaries are."""
import os

import pytest


@pytest.fixture(scope="session")
def builddir():
    """Absolute path of the build tree whose binaries the tests drive."""
    return os.environ["HEARTH_BUILDDIR"]


@pytest.fixture(scope="session")
def srcdir():
    """Absolute path of the source tree."""
    return os.environ["HEARTH_SRCDIR"]
