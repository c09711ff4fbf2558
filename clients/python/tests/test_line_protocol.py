"""Escaping and the name rules, case by case (what InfluxDB does with each is in
test_real_influxdb.py)."""

from __future__ import annotations

import pytest

from lsst_metrics._line_protocol import (
    escape_key,
    escape_measurement,
    field_key_problem,
    measurement_problem,
    quote_string,
    text_problem,
)
from lsst_metrics._transport import refused_line_count, retry_after_seconds


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("plain.name", "plain.name"),
        ("a,b", "a\\,b"),
        ("a b", "a\\ b"),
        ("a=b", "a=b"),  # '=' needs no escape in a measurement
        ('a"b', 'a"b'),
        ("C:\\dir", "C:\\dir"),  # a backslash before another character is literal
        ("π/ß", "π/ß"),
    ],
)
def test_measurement_escaping(name: str, escaped: str) -> None:
    assert escape_measurement(name) == escaped


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("k", "k"),
        ("a,b", "a\\,b"),
        ("a=b", "a\\=b"),
        ("a b", "a\\ b"),
        ('a"b', 'a"b'),
        ("a\\,b", "a\\\\,b"),  # backslash kept, comma escaped: decodes back to a\,b
        ("C:\\dir", "C:\\dir"),
    ],
)
def test_key_and_tag_value_escaping(text: str, escaped: str) -> None:
    assert escape_key(text) == escaped


@pytest.mark.parametrize(
    ("text", "quoted"),
    [("x", '"x"'), ('say "hi"', '"say \\"hi\\""'), ("C:\\dir\\", '"C:\\\\dir\\\\"'), ("a,b=c d", '"a,b=c d"')],
)
def test_string_field_quoting(text: str, quoted: str) -> None:
    assert quote_string(text) == quoted


@pytest.mark.parametrize(
    ("text", "problem"),
    [("", "is empty"), ("a\\", "ends with a backslash"), ("a\nb", "control"), ("a\tb", "control"),
     ("a\x7fb", "control"), ("a\ud800b", "surrogate")],
)
def test_text_that_line_protocol_cannot_carry(text: str, problem: str) -> None:
    assert problem in (text_problem(text) or "")


@pytest.mark.parametrize("name", ["a\\,b", "a\\ b", "a\\=b", 'a\\"b'])
def test_measurement_with_backslash_before_an_escapable_is_refused(name: str) -> None:
    assert "backslash before" in (measurement_problem(name) or "")


@pytest.mark.parametrize("name", ["C:\\dir", "a,b", "a b", "a=b", 'a"b', "a\\\\b"])
def test_measurements_that_survive_influxdb(name: str) -> None:
    assert measurement_problem(name) is None


def test_comment_and_time_rules() -> None:
    assert "comment" in (measurement_problem("#x") or "")
    assert "time" in (field_key_problem("time") or "")
    assert field_key_problem("times") is None


# InfluxDB 1.6.7's own answers (measured with the influxd the tests start).
PARTIAL_TAG_TIME = 'partial write: invalid tag key: input tag "time" on measurement "m" is invalid dropped=1'
PARTIAL_CONFLICT = ('partial write: field type conflict: input field "value" on measurement "m10" is type float, '
                    "already exists as type integer dropped=2")
PARSE_ERRORS = ("unable to parse 'm2,a=xx value=1 1': max key length exceeded: 70005 > 65535\n"
                "unable to parse 'm,a=b\\ value=3 3': invalid tag format dropped=0")


@pytest.mark.parametrize(
    ("message", "lines", "refused"),
    [(PARTIAL_TAG_TIME, 5000, 1), (PARTIAL_CONFLICT, 10, 2), (PARSE_ERRORS, 5, 2),
     ('{"code":"invalid","message":"bad line"}', 7, 7), ("dropped=9", 3, 3)],
)
def test_refused_line_count_reads_influxdb_answers(message: str, lines: int, refused: int) -> None:
    assert refused_line_count(message, lines) == refused


def test_retry_after_forms() -> None:
    assert retry_after_seconds("2") == 2.0
    assert retry_after_seconds("100000") == 300.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
    when = retry_after_seconds("Wed, 21 Oct 2099 07:28:00 GMT")
    assert when == 300.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") is None
