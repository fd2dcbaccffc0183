"""Shared fixtures of the functional tests: where the built binaries are,
and hearthd processes that are always cleaned up."""
import os
import shutil
import tempfile

import pytest

from hearthnode import HearthNode


@pytest.fixture(scope="session")
def builddir():
    """Absolute path of the build tree whose binaries the tests drive."""
    return os.environ["HEARTH_BUILDDIR"]


@pytest.fixture(scope="session")
def srcdir():
    """Absolute path of the source tree."""
    return os.environ["HEARTH_SRCDIR"]


@pytest.fixture
def tmpdir_clean():
    """A temporary directory removed after the test."""
    path = tempfile.mkdtemp(prefix="hearth-test-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def make_node(builddir, tmpdir_clean):
    """Factory of HearthNode objects over fresh data directories; every node
    it made is stopped (or killed) when the test ends."""
    nodes = []

    def make(network="dev", datadir=None):
        path = datadir or tempfile.mkdtemp(prefix="node-", dir=tmpdir_clean)
        node = HearthNode(builddir, path, network)
        nodes.append(node)
        return node

    yield make
    for node in nodes:
        node.kill()
