"""Fixtures of the Python sources tests: throwaway servers (tests/sources/servers.py) and the
Product type of product.fields. One Redis and one PostgreSQL serve the whole session; a test that
kills its server gets servers of its own. Every server is stopped at the end, failed tests too."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
for p in (HERE, os.path.join(ROOT, "bindings", "python")):
    if p not in sys.path:
        sys.path.insert(0, p)

import servers as harness  # noqa: E402
import slots  # noqa: E402


@pytest.fixture(scope="session")
def srv():
    with harness.servers(redis=True, pg=True) as s:
        yield s


@pytest.fixture
def own_redis():
    with harness.servers(redis=True, pg=False) as s:
        yield s.redis


@pytest.fixture
def own_pg():
    with harness.servers(redis=False, pg=True) as s:
        yield s.pg


@pytest.fixture(scope="session")
def Product():
    with open(os.path.join(HERE, "product.fields")) as f:
        return slots.define("Product", f.read())
