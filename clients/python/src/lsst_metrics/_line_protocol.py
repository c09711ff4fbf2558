"""InfluxDB line protocol, written as the reference encoder (influxdata/line-protocol) does.

A measurement escapes comma and space; tag keys, tag values and field keys escape comma,
equals sign and space; string field values escape backslash and double quote. A backslash
is not an escape of its own elsewhere (``C:\\dir`` stays as it is), so text that line
protocol cannot carry is refused rather than mangled. The rules and what InfluxDB 1.6.7
does with each case are in docs/point-shape.md, shared with the .NET client.
"""

from __future__ import annotations

import math

# InfluxDB refuses a series key (escaped measurement plus tags) longer than this
# ("max key length exceeded", models.MaxKeyLength in influxdb/models/points.go).
MAX_SERIES_KEY_BYTES = 65535

# InfluxDB refuses a tag key or field key named "time" ("invalid tag key: input tag "time"").
RESERVED_KEY = "time"
RENAMED_TIME_TAG = "time_"

_MEASUREMENT_TABLE = str.maketrans({",": "\\,", " ": "\\ "})
_KEY_TABLE = str.maketrans({",": "\\,", "=": "\\=", " ": "\\ "})
_STRING_TABLE = str.maketrans({"\\": "\\\\", '"': '\\"'})


def escape_measurement(name: str) -> str:
    return name.translate(_MEASUREMENT_TABLE)


def escape_key(text: str) -> str:
    """Escapes a tag key, a tag value or a field key."""
    return text.translate(_KEY_TABLE)


def quote_string(text: str) -> str:
    """A string field value, quoted."""
    return '"' + text.translate(_STRING_TABLE) + '"'


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be a name, key or tag value, or None when it can."""
    if not text:
        return "is empty"
    if text[-1] == "\\":
        return "ends with a backslash"
    for ch in text:
        code = ord(ch)
        if code < 0x20 or code == 0x7F:
            return "contains a control character"
        if 0xD800 <= code <= 0xDFFF:
            return "contains a lone surrogate"
    return None


def measurement_problem(name: str) -> str | None:
    """Why ``name`` cannot be a measurement, or None when it can.

    InfluxDB's parser reads a backslash before a comma, space, equals sign or double
    quote in a measurement as an escape and drops it: such a point is accepted (204)
    and stored under another name (measured on InfluxDB 1.6.7, see docs/point-shape.md).
    """
    if name.startswith("#"):
        return "starts with '#', which would make the line a comment"
    problem = text_problem(name)
    if problem is not None:
        return problem
    for i in range(len(name) - 1):
        if name[i] == "\\" and name[i + 1] in ', ="':
            return f"has a backslash before {name[i + 1]!r}, which InfluxDB drops from the name"
    return None


def field_key_problem(key: str) -> str | None:
    if key == RESERVED_KEY:
        return "is 'time', which InfluxDB refuses as a field key"
    return text_problem(key)


def format_float(value: float) -> str | None:
    """Shortest round-trip text of a finite float; None for NaN and infinities."""
    if math.isfinite(value):
        return repr(value)
    return None


def utf8_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))
