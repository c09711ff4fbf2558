"""Typed events: one payload, one point with several fields; types checked at registration."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Optional

import pytest

from lsst_metrics import EventManager, EventTypeError, MetricsClient, MockEventManager
from support.lineproto import parse_lines
from support.listener import Listener


class Result(enum.Enum):
    OK = "ok"
    DENIED = "denied"


@dataclass
class LoginAttempt:
    username: str
    result: Result
    duration: timedelta
    attempts: int
    score: float
    admin: bool
    note: Optional[str] = None


def test_one_payload_is_one_point_with_several_fields(listener: Listener, make_client: Callable[..., MetricsClient]) -> None:
    client = make_client(**listener.settings())
    publisher = EventManager(client).create_publisher("login_attempt", LoginAttempt, tags=("result",))
    publisher.publish(LoginAttempt('ann "a" \\', Result.DENIED, timedelta(milliseconds=1500), 3, 0.5, False))
    assert client.flush(20)
    (line,) = listener.lines
    (p,) = parse_lines(listener.lines)
    assert p.measurement == "test-app.login_attempt"
    assert p.tags == {"app": "test-app", "environment": "test-env", "host": "pod-1", "result": "denied"}
    assert p.fields == {"username": 'ann "a" \\', "duration": 1.5, "attempts": 3, "score": 0.5, "admin": False}
    assert ' username="ann \\"a\\" \\\\",duration=1.5,attempts=3i,score=0.5,admin=false ' in line


def test_publish_is_awaitable_for_safir_style_code(listener: Listener, make_client: Callable[..., MetricsClient]) -> None:
    client = make_client(**listener.settings())
    publisher = EventManager(client, prefix="gafaelfawr.events").create_publisher("login", LoginAttempt)

    async def handler() -> None:
        await publisher.publish(LoginAttempt("u", Result.OK, timedelta(0), 1, 1.0, True))

    asyncio.run(handler())
    assert client.flush(20)
    assert parse_lines(listener.lines)[0].measurement == "gafaelfawr.events.login"


@dataclass
class Nested:
    inner: LoginAttempt
    n: int = 1


@dataclass
class Listy:
    names: list[str] = field(default_factory=list)


@dataclass
class Mixed:
    value: int | str = 1


@dataclass
class TimeField:
    time: float = 0.0


@dataclass
class OnlyTags:
    result: str = "ok"


@pytest.mark.parametrize(
    ("payload_type", "tags", "message"),
    [(Nested, (), "Nested.inner"), (Listy, (), "Listy.names"), (Mixed, (), "Mixed.value"),
     (TimeField, (), "time"), (OnlyTags, ("result",), "at least one field"),
     (LoginAttempt, ("attempts",), "a tag must be a str"), (LoginAttempt, ("nope",), "not fields"),
     (dict, (), "not a dataclass")],
)
def test_payload_types_are_checked_at_registration(payload_type: type, tags: tuple[str, ...], message: str) -> None:
    with pytest.raises(EventTypeError, match=message):
        MockEventManager().create_publisher("e", payload_type, tags=tags)


def test_an_event_name_influxdb_would_mangle_is_refused() -> None:
    with pytest.raises(EventTypeError, match="backslash before"):
        MockEventManager(prefix="app").create_publisher("a\\ b", LoginAttempt)


def test_pydantic_models_are_read_through_model_fields() -> None:
    # Stand-in for a pydantic v2 model (pydantic is not installable here): pydantic exposes
    # model_fields as {name: FieldInfo} with .annotation (pydantic/fields.py).
    class FieldInfo:
        def __init__(self, annotation: Any) -> None:
            self.annotation = annotation

    class Model:
        model_fields = {"route": FieldInfo(str), "ms": FieldInfo(float)}

        def __init__(self, route: str, ms: float) -> None:
            self.route, self.ms = route, ms

    manager = MockEventManager(app="app")
    publisher = manager.create_publisher("req", Model, tags=("route",))
    publisher.publish(Model("/a", 2.5))
    (p,) = parse_lines(publisher.lines)
    assert p.tags["route"] == "/a" and p.fields == {"ms": 2.5}


def test_the_mock_manager_keeps_payloads_and_checks_them() -> None:
    manager = MockEventManager(app="gafaelfawr", environment="idfdev")
    publisher = manager.create_publisher("login_attempt", LoginAttempt, tags=("result",))
    event = LoginAttempt("u", Result.OK, timedelta(seconds=2), 1, 0.1, False)
    publisher.publish(event)
    publisher.assert_published(event)
    with pytest.raises(AssertionError):
        publisher.assert_published(event, event)
    assert manager.publishers["login_attempt"].published == [event]
    (p,) = parse_lines(publisher.lines)
    assert p.measurement == "gafaelfawr.login_attempt" and p.tags["environment"] == "idfdev"
    with pytest.raises(EventTypeError):
        publisher.publish(OnlyTags())  # type: ignore[arg-type]


def test_none_fields_are_left_out_and_a_wrong_value_is_counted(listener: Listener, make_client: Callable[..., MetricsClient]) -> None:
    client = make_client(**listener.settings())
    publisher = EventManager(client).create_publisher("e", LoginAttempt)
    publisher.publish(LoginAttempt("u", Result.OK, timedelta(0), 2, 1.0, True, note=None))
    publisher.publish(LoginAttempt("u", Result.OK, timedelta(0), "two", 1.0, True))  # type: ignore[arg-type]
    assert client.flush(20)
    (p,) = parse_lines(listener.lines)
    assert "note" not in p.fields and p.fields["result"] == "ok"
    assert client.statistics.invalid == 1
