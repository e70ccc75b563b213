"""Fixtures for chaos drills: a PostgreSQL server of the drill's own (it is restarted), and
the drill's length (DUBAN_CHAOS=full: weeks and every figure the issue asks for; otherwise
the short version CI runs)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.chaos.faults import Cluster


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every drill is slow and a chaos drill."""
    for item in items:
        if "tests/chaos/" in str(item.fspath):
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.chaos)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """Yield a PostgreSQL server on a free loopback port that the drill may restart."""
    made = Cluster.create()
    try:
        yield made
    finally:
        made.destroy()


@pytest.fixture
def full() -> bool:
    """Return whether the full drill was asked for (DUBAN_CHAOS=full, `make chaos`)."""
    return os.environ.get("DUBAN_CHAOS", "") == "full"


@pytest.fixture(autouse=True)
def _loopback_without_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
