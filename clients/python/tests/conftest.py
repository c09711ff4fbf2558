"""Fixtures: a loopback listener per test, one real InfluxDB 1.6.7 per session, clients that
are always shut down."""

from __future__ import annotations

import itertools
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lsst_metrics import MetricsClient, metrics
from support.influxd import Influxd
from support.listener import Listener

_db_names = itertools.count(1)


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def make_client() -> Iterator[Callable[..., MetricsClient]]:
    clients: list[MetricsClient] = []

    def make(**options: Any) -> MetricsClient:
        client = MetricsClient(**options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.shutdown(0.5)


@pytest.fixture(autouse=True)
def _fresh_global_provider() -> Iterator[None]:
    metrics._reset_for_tests()
    yield
    metrics._reset_for_tests()


@pytest.fixture(scope="session")
def influxd() -> Iterator[Influxd]:
    server = Influxd()
    yield server
    server.stop()


@pytest.fixture
def relay(influxd: Influxd) -> Iterator[tuple[Listener, str]]:
    """A listener that relays every body to the real InfluxDB, into a fresh database
    (the bucket the client names is the database)."""
    db = f"t{next(_db_names)}"
    influxd.create_database(db)
    server = Listener()

    def forward(bucket: str, raw: bytes, encoding: str | None) -> tuple[int, str]:
        answer = influxd.write(bucket, raw, gzip=encoding == "gzip")
        return answer.status, answer.body

    server.state.forward = forward
    yield server, db
    server.close()
