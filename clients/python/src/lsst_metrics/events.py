"""Typed events: one payload (a dataclass, or a pydantic model) becomes ONE point with
several fields, for the semantically rich events the metrics harness is after.

Payload types are checked when a publisher is created: every field must be a bool, int,
float, str, enum, timedelta, or Optional of one (InfluxDB cannot store nested values).
Fields named in ``tags`` become tags (str, enum or bool only: keep them low-cardinality).
"""

from __future__ import annotations

import dataclasses
import enum
import operator
import types
import typing
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, Generic, TypeVar

from ._client import MetricsClient
from ._config import CLIENT_TAGS, Settings
from ._line_protocol import field_key_problem, measurement_problem, text_problem
from ._points import EventShape, FieldKind

P = TypeVar("P")


class EventTypeError(TypeError):
    """A payload type that cannot be published (named field and reason)."""


class _Done:
    """What publish() returns: nothing to wait for, but awaitable, so both
    ``publisher.publish(e)`` and Safir's ``await publisher.publish(e)`` work."""

    __slots__ = ()

    def __await__(self) -> typing.Generator[None, None, None]:
        yield from ()


_DONE = _Done()


def _payload_fields(payload_type: type) -> list[tuple[str, Any]]:
    """(name, annotation) of a dataclass's or a pydantic model's fields."""
    if dataclasses.is_dataclass(payload_type):
        hints = typing.get_type_hints(payload_type)
        return [(f.name, hints.get(f.name, f.type)) for f in dataclasses.fields(payload_type)]
    model_fields = getattr(payload_type, "model_fields", None)  # pydantic v2
    if isinstance(model_fields, dict):
        return [(name, info.annotation) for name, info in model_fields.items()]
    raise EventTypeError(f"{payload_type!r} is not a dataclass or a pydantic model")


def _field_kind(annotation: Any, where: str) -> FieldKind:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) != 1:
            raise EventTypeError(f"{where}: a union of {members} cannot be one InfluxDB field")
        return _field_kind(members[0], where)
    if origin is typing.Annotated:
        return _field_kind(typing.get_args(annotation)[0], where)
    if annotation is bool:
        return FieldKind.BOOL
    if annotation is int:
        return FieldKind.INT
    if annotation is float:
        return FieldKind.FLOAT
    if annotation is str:
        return FieldKind.STR
    if annotation is timedelta:
        return FieldKind.DURATION
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        values = {type(m.value) for m in annotation}
        if not values <= {str} and not values <= {int}:
            raise EventTypeError(f"{where}: enum {annotation.__name__} must have all-str or all-int values")
        return FieldKind.ENUM
    raise EventTypeError(
        f"{where}: {annotation!r} cannot be stored in InfluxDB (fields are bool, int, float, str, enum, "
        "timedelta or Optional of one; no nested values)"
    )


def event_shape(name: str, payload_type: type, tags: Sequence[str], settings: Settings, prefix: str | None) -> EventShape:
    """Checks a payload type and fixes its point shape; raises EventTypeError naming the field."""
    measurement = f"{prefix if prefix is not None else settings.app}.{name}"
    problem = measurement_problem(measurement)
    if problem is not None:
        raise EventTypeError(f"event {name!r}: measurement {measurement!r} {problem}")
    fields = _payload_fields(payload_type)
    names = [n for n, _ in fields]
    unknown = [t for t in tags if t not in names]
    if unknown:
        raise EventTypeError(f"event {name!r}: tags {unknown} are not fields of {payload_type.__name__}")
    taken = {k for k, _ in settings.global_tags}
    tag_fields: list[tuple[str, str]] = []
    value_fields: list[tuple[str, FieldKind]] = []
    for field_name, annotation in fields:
        where = f"{payload_type.__name__}.{field_name}"
        kind = _field_kind(annotation, where)
        if field_name in tags:
            if kind not in (FieldKind.STR, FieldKind.ENUM, FieldKind.BOOL):
                raise EventTypeError(f"{where}: a tag must be a str, enum or bool, not {kind.value}")
            if field_name in taken or field_name in CLIENT_TAGS or field_name == "time":
                raise EventTypeError(f"{where}: tag key {field_name!r} is the client's own or reserved")
            problem = text_problem(field_name)
            if problem is not None:
                raise EventTypeError(f"{where}: the tag key {problem}")
            tag_fields.append((field_name, kind.value))
        else:
            problem = field_key_problem(field_name)
            if problem is not None:
                raise EventTypeError(f"{where}: the field key {problem}")
            value_fields.append((field_name, kind))
    if not value_fields:
        raise EventTypeError(f"event {name!r}: a point needs at least one field that is not a tag")
    return EventShape(measurement, settings.global_tags, tag_fields, value_fields)


def _getter(shape: EventShape) -> Callable[[Any], tuple[Any, ...]]:
    get = operator.attrgetter(*shape.names)
    if len(shape.names) == 1:
        return lambda payload: (get(payload),)
    return get


class EventPublisher(Generic[P]):
    """Publishes payloads of one type as points of one measurement."""

    def __init__(self, client: MetricsClient, shape: EventShape, payload_type: type[P]) -> None:
        self._client = client
        self.shape = shape
        self.payload_type = payload_type
        self._values = _getter(shape)

    @property
    def measurement(self) -> str:
        return self.shape.measurement

    def publish(self, payload: P) -> _Done:
        """Queues the event (its values are read now); never blocks. Awaitable for Safir-style code."""
        try:
            values = self._values(payload)
        except Exception:
            if self._client._strict:
                raise
            self._client._counters.invalid += 1
            return _DONE
        self._client._record_event(self.shape, values)
        return _DONE


class EventManager:
    """Creates publishers. ``prefix`` (default: the app name) starts every measurement:
    ``<prefix>.<event name>``."""

    def __init__(self, client: MetricsClient, prefix: str | None = None) -> None:
        self.client = client
        self.prefix = prefix

    def create_publisher(self, name: str, payload_type: type[P], tags: Sequence[str] = ()) -> EventPublisher[P]:
        shape = event_shape(name, payload_type, tags, self.client.settings, self.prefix)
        return EventPublisher(self.client, shape, payload_type)

    def flush(self, timeout: float | None = None) -> bool:
        return self.client.flush(timeout)

    def shutdown(self, timeout: float | None = None) -> bool:
        return self.client.shutdown(timeout)


class MockEventPublisher(EventPublisher[P]):
    """Keeps what was published (and its line, so a payload that cannot be written fails the test)."""

    def __init__(self, client: MetricsClient, shape: EventShape, payload_type: type[P]) -> None:
        super().__init__(client, shape, payload_type)
        self.published: list[P] = []
        self.lines: list[str] = []

    def publish(self, payload: P) -> _Done:
        if not isinstance(payload, self.payload_type):
            raise EventTypeError(f"{self.measurement}: expected {self.payload_type.__name__}, got {type(payload).__name__}")
        self.lines.append(self.shape.line(self._values(payload), len(self.lines) + 1))
        self.published.append(payload)
        return _DONE

    def assert_published(self, *payloads: P) -> None:
        """Asserts exactly these payloads were published, in this order."""
        if list(payloads) != self.published:
            raise AssertionError(f"{self.measurement}: published {self.published!r}, expected {list(payloads)!r}")


class MockEventManager(EventManager):
    """For apps' own tests: same registration checks and point shape, nothing sent.

    ``MockEventManager(app="gafaelfawr")``; ``manager.publishers[name].published``.
    """

    def __init__(self, prefix: str | None = None, app: str = "test-app", environment: str | None = None) -> None:
        settings = Settings(url="http://mock.invalid", org="-", bucket="-", token="-", token_file=None,
                            global_tags=(("app", app),) + ((("environment", environment),) if environment else ()))
        super().__init__(MetricsClient(settings, enabled=False), prefix)
        self.publishers: dict[str, MockEventPublisher[Any]] = {}

    def create_publisher(self, name: str, payload_type: type[P], tags: Sequence[str] = ()) -> MockEventPublisher[P]:
        shape = event_shape(name, payload_type, tags, self.client.settings, self.prefix)
        publisher = MockEventPublisher(self.client, shape, payload_type)
        self.publishers[name] = publisher
        return publisher
