"""A strict reader of the lines the client writes, for checking what arrived.

It follows line protocol's rules (influxdata/line-protocol): in a measurement a backslash
escapes a comma or space; in keys and tag values it escapes a comma, equals sign or space;
in string fields it escapes a backslash or double quote; any other backslash is literal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Point:
    measurement: str
    tags: dict[str, str]
    fields: dict[str, Any]
    timestamp: int


def _split(text: str, seps: str, escapable: str) -> tuple[list[str], str]:
    """Reads unescaped tokens up to a separator in ``seps``; returns (tokens, rest)."""
    out: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in escapable:
            cur.append(text[i + 1])
            i += 2
            continue
        if ch in seps:
            out.append("".join(cur))
            return out, text[i:]
        cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out, ""


def parse_line(line: str) -> Point:
    (measurement,), rest = _split(line, ", ", ", ")
    tags: dict[str, str] = {}
    while rest.startswith(","):
        (key,), rest = _split(rest[1:], "=", ",= ")
        (value,), rest = _split(rest[1:], ", ", ",= ")
        if not key or not value:
            raise ValueError(f"empty tag key or value in {line!r}")
        tags[key] = value
    if not rest.startswith(" "):
        raise ValueError(f"no fields in {line!r}")
    rest = rest[1:]
    fields: dict[str, Any] = {}
    while True:
        (key,), rest = _split(rest, "=", ",= ")
        rest = rest[1:]
        if rest.startswith('"'):
            i = 1
            chars: list[str] = []
            while rest[i] != '"':
                if rest[i] == "\\" and rest[i + 1] in '\\"':
                    chars.append(rest[i + 1])
                    i += 2
                else:
                    chars.append(rest[i])
                    i += 1
            value: Any = "".join(chars)
            rest = rest[i + 1:]
        else:
            end = min([p for p in (rest.find(","), rest.find(" ")) if p >= 0] or [len(rest)])
            token, rest = rest[:end], rest[end:]
            if token.endswith("i"):
                value = int(token[:-1])
            elif token in ("true", "false"):
                value = token == "true"
            else:
                value = float(token)
        fields[key] = value
        if rest.startswith(","):
            rest = rest[1:]
            continue
        break
    if not rest.startswith(" "):
        raise ValueError(f"no timestamp in {line!r}")
    return Point(measurement, tags, fields, int(rest[1:]))


def parse_lines(lines: list[str]) -> list[Point]:
    return [parse_line(line) for line in lines if line]
