"""The point shape: how one measurement or one event becomes one line.

The rules are the table in docs/point-shape.md, shared with the .NET client. Formatting
runs on the sender thread (or in the caller for the mock event manager), never on the
record path.
"""

from __future__ import annotations

import enum
import logging
import numbers
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from ._line_protocol import (
    MAX_SERIES_KEY_BYTES,
    RENAMED_TIME_TAG,
    RESERVED_KEY,
    escape_key,
    escape_measurement,
    format_float,
    quote_string,
    text_problem,
    utf8_length,
)
from ._stats import Counters

log = logging.getLogger("lsst_metrics")

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

# Instruments whose values are amounts: their field is an integer when the first value
# recorded is an int. Histograms and gauges measure quantities and are always floats.
AMOUNT_KINDS = frozenset({"counter", "up_down_counter", "observable_counter", "observable_up_down_counter"})
MONOTONIC_KINDS = frozenset({"counter", "observable_counter"})

_TAG_CACHE_LIMIT = 50_000
_SHAPE_CACHE_LIMIT = 10_000


class PointError(ValueError):
    """A point line protocol or InfluxDB cannot carry (raised only with raise_on_error)."""


def global_prefix(measurement: str, global_tags: Sequence[tuple[str, str]]) -> str:
    return escape_measurement(measurement) + "".join(f",{escape_key(k)}={escape_key(v)}" for k, v in global_tags)


def tag_text(value: Any) -> str | None:
    """A tag value as text: strings as they are, booleans true/false, numbers in their
    shortest form, sequences joined with commas; None omits the tag."""
    if value is None:
        return None
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return tag_text(value.value)
    if isinstance(value, (list, tuple)):
        return ",".join(t for t in (tag_text(v) for v in value) if t is not None)
    return str(value)


class TagWriter:
    """Turns attributes into the escaped ``,key=value`` tail of a series key, caching
    the text of repeated string pairs."""

    def __init__(self, counters: Counters) -> None:
        self._counters = counters
        self._cache: dict[tuple[str, str], str] = {}

    def tags(self, attributes: Mapping[str, Any], reserved: frozenset[str]) -> str | None:
        """The tag text, or None when a key or value cannot be written (counted as invalid)."""
        parts: list[str] = []
        seen_time = False
        for key, value in attributes.items():
            if key in reserved:
                continue  # the client's own tags win
            text = tag_text(value)
            if not text:
                continue  # line protocol has no empty tag values: the tag is omitted
            if key == RESERVED_KEY:
                # InfluxDB refuses the tag key "time" and the whole point with it.
                if seen_time or RENAMED_TIME_TAG in attributes:
                    continue
                seen_time = True
                self._counters.renamed += 1
                key = RENAMED_TIME_TAG
            cache_key = (key, text)
            part = self._cache.get(cache_key)
            if part is None:
                if type(key) is not str or text_problem(key) is not None or text_problem(text) is not None:
                    self._counters.invalid += 1
                    return None
                part = f",{escape_key(key)}={escape_key(text)}"
                if len(self._cache) >= _TAG_CACHE_LIMIT:
                    self._cache.clear()
                self._cache[cache_key] = part
            parts.append(part)
        return "".join(parts)


class InstrumentShape:
    """What is fixed per instrument: the line's start and the field's type."""

    def __init__(self, measurement: str, kind: str, unit: str, global_tags: Sequence[tuple[str, str]], unit_tag: bool) -> None:
        self.measurement = measurement
        self.kind = kind
        reserved = {k for k, _ in global_tags}
        prefix = global_prefix(measurement, global_tags)
        if unit_tag and unit and text_problem(unit) is None:
            prefix += f",unit={escape_key(unit)}"
            reserved.add("unit")
        self.prefix = prefix
        self.prefix_bytes = utf8_length(prefix)
        self.reserved = frozenset(reserved)
        self.monotonic = kind in MONOTONIC_KINDS
        # None: decided by the first value (amounts); False: always float.
        self.integer: bool | None = None if kind in AMOUNT_KINDS else False
        self.warned = False
        # Attribute sets repeat (a route, a status): their checked, escaped tag text is kept,
        # with what formatting it counted, so a repeat costs one dict lookup.
        self.tag_cache: dict[tuple[tuple[str, Any], ...], tuple[str | None, bool]] = {}

    def tag_text(self, attributes: Mapping[str, Any], tags: TagWriter, counters: Counters) -> str | None:
        """The ``,k=v`` tail for these attributes, or None when the point must be skipped (counted)."""
        try:
            key: tuple[tuple[str, Any], ...] | None = tuple(attributes.items())
            cached = self.tag_cache.get(key)  # type: ignore[arg-type]
        except TypeError:  # an unhashable value, e.g. a list
            key, cached = None, None
        if cached is not None:
            part, renamed = cached
            if part is None:
                counters.invalid += 1
            elif renamed:
                counters.renamed += 1
            return part
        renamed_before = counters.renamed
        part = tags.tags(attributes, self.reserved)
        if part is not None and self.prefix_bytes + utf8_length(part) > MAX_SERIES_KEY_BYTES:
            counters.invalid += 1
            part = None
        if key is not None:
            if len(self.tag_cache) >= _SHAPE_CACHE_LIMIT:
                self.tag_cache.clear()
            self.tag_cache[key] = (part, counters.renamed > renamed_before)
        return part

    def field_value(self, value: Any, counters: Counters) -> str | None:
        """The ``value`` field's text, or None when the value is skipped (counted)."""
        if type(value) is int or isinstance(value, numbers.Integral):
            number = int(value)
            if self.monotonic and number < 0:
                return self._invalid(counters, f"a counter cannot add a negative amount ({number})")
            if self.integer is None:
                self.integer = True
            if self.integer:
                if not INT64_MIN <= number <= INT64_MAX:
                    return self._invalid(counters, f"{number} does not fit a 64-bit integer")
                return f"{number}i"
            try:
                return repr(float(number))
            except OverflowError:
                return self._invalid(counters, f"{number} does not fit a float")
        if isinstance(value, numbers.Real):
            real = float(value)
            text = format_float(real)
            if text is None:
                counters.non_finite += 1
                return None
            if self.monotonic and real < 0:
                return self._invalid(counters, f"a counter cannot add a negative amount ({real})")
            if self.integer is None:
                self.integer = False
            if self.integer:
                if real.is_integer() and INT64_MIN <= real <= INT64_MAX:
                    return f"{int(real)}i"
                return self._invalid(counters, f"{real} is not an integer and the field is one (the first value was an int)")
            return text
        return self._invalid(counters, f"{type(value).__name__} is not a number")

    def _invalid(self, counters: Counters, why: str) -> str | None:
        """Counts a skipped value and warns once per instrument; returns None (no field)."""
        counters.invalid += 1
        if not self.warned:
            self.warned = True
            log.warning("Metrics: skipping a value of %s: %s", self.measurement, why)
        return None


def format_instrument_line(
    shape: InstrumentShape, value: Any, attributes: Mapping[str, Any] | None, ts: int, tags: TagWriter, counters: Counters
) -> str | None:
    tag_part = shape.tag_text(attributes, tags, counters) if attributes else ""
    if tag_part is None:
        return None
    field = shape.field_value(value, counters)
    if field is None:
        return None
    return f"{shape.prefix}{tag_part} value={field} {ts}"


# --- events -------------------------------------------------------------------------

class FieldKind(enum.Enum):
    BOOL = "bool"
    INT = "int"
    FLOAT = "float"
    STR = "str"
    DURATION = "timedelta"  # written as float seconds
    ENUM = "enum"  # written as its value (str or int)


def event_field_text(kind: FieldKind, value: Any) -> str:
    """The field's text; raises PointError for a value its declared type cannot carry."""
    if kind is FieldKind.FLOAT:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise PointError(f"{value!r} is not a float")
        text = format_float(float(value))
        if text is None:
            raise _NonFinite()
        return text
    if kind is FieldKind.INT:
        if isinstance(value, bool):
            raise PointError(f"{value!r} is not an int")
        if isinstance(value, numbers.Integral):
            number = int(value)
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        else:
            raise PointError(f"{value!r} is not an int")
        if not INT64_MIN <= number <= INT64_MAX:
            raise PointError(f"{number} does not fit a 64-bit integer")
        return f"{number}i"
    if kind is FieldKind.BOOL:
        if not isinstance(value, bool):
            raise PointError(f"{value!r} is not a bool")
        return "true" if value else "false"
    if kind is FieldKind.STR:
        if not isinstance(value, str):
            raise PointError(f"{value!r} is not a str")
        if "\n" in value or "\r" in value:
            # Telegraf's and InfluxDB's parsers split lines before reading quotes.
            raise PointError("a string field cannot hold a line break")
        return quote_string(value)
    if kind is FieldKind.DURATION:
        if not isinstance(value, timedelta):
            raise PointError(f"{value!r} is not a timedelta")
        return repr(value.total_seconds())
    if kind is FieldKind.ENUM:
        inner = value.value if isinstance(value, enum.Enum) else value
        if isinstance(inner, str):
            return event_field_text(FieldKind.STR, inner)
        return event_field_text(FieldKind.INT, inner)
    raise PointError(f"unknown field kind {kind}")


class _NonFinite(PointError):
    pass


class EventShape:
    """What is fixed per event type: the line's start and each field's key and kind."""

    def __init__(
        self,
        measurement: str,
        global_tags: Sequence[tuple[str, str]],
        tag_fields: Sequence[tuple[str, str]],
        value_fields: Sequence[tuple[str, FieldKind]],
    ) -> None:
        self.measurement = measurement
        self.prefix = global_prefix(measurement, global_tags)
        self.prefix_bytes = utf8_length(self.prefix)
        self.names = tuple(n for n, _ in tag_fields) + tuple(n for n, _ in value_fields)
        self.tag_keys = tuple(escape_key(n) for n, _ in tag_fields)
        self.field_keys = tuple(escape_key(n) for n, _ in value_fields)
        self.field_kinds = tuple(k for _, k in value_fields)

    def line(self, values: Sequence[Any], ts: int, counters: Counters | None = None) -> str:
        """One event's line; raises PointError when it cannot be written."""
        n_tags = len(self.tag_keys)
        parts = [self.prefix]
        for key, value in zip(self.tag_keys, values[:n_tags]):
            text = tag_text(value)
            if not text:
                continue
            problem = text_problem(text)
            if problem is not None:
                raise PointError(f"tag {key} {problem}")
            parts.append(f",{key}={escape_key(text)}")
        if sum(map(utf8_length, parts)) > MAX_SERIES_KEY_BYTES:
            raise PointError(f"its series key is longer than {MAX_SERIES_KEY_BYTES} bytes")
        fields = []
        for key, kind, value in zip(self.field_keys, self.field_kinds, values[n_tags:]):
            if value is None:
                continue  # line protocol has no null: the field is left out
            try:
                fields.append(f"{key}={event_field_text(kind, value)}")
            except _NonFinite:
                if counters is not None:
                    counters.non_finite += 1
                continue
        if not fields:
            raise PointError("every field is None or not finite, and a point needs one field")
        return f"{''.join(parts)} {','.join(fields)} {ts}"
