"""Against a real InfluxDB 1.6.7: the client's own HTTP path, relayed by the loopback
listener to /write (the only difference from Telegraf's listener is the path), then read
back with InfluxQL."""

from __future__ import annotations

import math
import random
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lsst_metrics import EventManager, MeterProvider, MetricsClient
from support.influxd import Influxd
from support.listener import Listener

Make = Callable[..., MetricsClient]
Relay = tuple[Listener, str]
SRC = str(Path(__file__).resolve().parents[1] / "src")

TRICKY = ["plain", "a,b", "a b", "a=b", 'a"b', "C:\\dir", "a\\,b", "a\\ b", "a\\=b", "x\\\\y", "π ß,=", "'single'", "#hash"]


def relay_client(relay: Relay, make_client: Make, **options: object) -> MetricsClient:
    listener, db = relay
    return make_client(**listener.settings(bucket=db, **options))


def test_escaping_round_trips_exactly(relay: Relay, make_client: Make, influxd: Influxd) -> None:
    client = relay_client(relay, make_client)
    meter = MeterProvider(client).get_meter("rt")
    for i, text in enumerate(TRICKY):
        meter.create_counter("tags").add(i, {"v": text})  # tag values
        meter.create_counter("keys").add(i, {text: "k"})  # tag keys
    names = ["rt.m" + t for t in ["plain", "a,b", "a b", "a=b", 'a"b', "C:\\dir", "π ß,="]]
    for i, name in enumerate(names):
        MeterProvider(client).get_meter(name).create_counter("n").add(i)
    assert client.flush(20)
    assert client.statistics.failed == 0 and client.statistics.invalid == 0
    db = relay[1]
    rows = influxd.rows('SELECT "value", "v" FROM "rt.tags"', db)
    assert {r["value"]: r["v"] for r in rows} == dict(enumerate(TRICKY))
    keys = influxd.query('SHOW TAG KEYS FROM "rt.keys"', db)["results"][0]["series"][0]["values"]
    assert {k[0] for k in keys} == set(TRICKY) | {"app", "environment", "host"}
    stored = {v[0] for v in influxd.query("SHOW MEASUREMENTS", db)["results"][0]["series"][0]["values"]}
    assert {name + ".n" for name in names} <= stored


@dataclass
class Note:
    text: str
    n: int


def test_string_fields_round_trip_exactly(relay: Relay, make_client: Make, influxd: Influxd) -> None:
    client = relay_client(relay, make_client)
    publisher = EventManager(client, prefix="ev").create_publisher("note", Note)
    for i, text in enumerate(TRICKY + ['"', "\\", '\\"', "end\\"]):
        publisher.publish(Note(text, i))
    assert client.flush(20)
    rows = influxd.rows('SELECT "text", "n" FROM "ev.note"', relay[1])
    assert [r["text"] for r in sorted(rows, key=lambda r: r["n"])] == TRICKY + ['"', "\\", '\\"', "end\\"]


def test_integers_and_floats_are_stored_bit_exact(relay: Relay, make_client: Make, influxd: Influxd) -> None:
    client = relay_client(relay, make_client)
    meter = MeterProvider(client).get_meter("num")
    ints = [0, 1, -1, 2**53 + 1, 2**63 - 1, -(2**63)]
    floats = [0.1, 1 / 3, 1e-300, 5e-324, 1.7976931348623157e308, -2.5, 1e20, 123456789.123456789]
    c = meter.create_up_down_counter("ints")
    for v in ints:
        c.add(v)
    h = meter.create_histogram("floats")
    for v in floats:
        h.record(v)
    assert client.flush(20)
    assert [r["value"] for r in influxd.rows('SELECT "value" FROM "num.ints"', relay[1])] == ints
    got = [r["value"] for r in influxd.rows('SELECT "value" FROM "num.floats"', relay[1])]
    assert [float(v).hex() for v in got] == [v.hex() for v in floats]


def test_per_window_counts_survive_a_restart(relay: Relay, influxd: Influxd) -> None:
    """The seed's first failure case: a counter's count per window across an app restart.
    Two app processes, one after the other, each starting from zero; each exits without
    calling shutdown() (the exit hook sends what is buffered)."""
    listener, db = relay
    windows = []
    for life in range(2):
        script = textwrap.dedent(f"""
            import random, sys, time
            sys.path.insert(0, {SRC!r})
            from lsst_metrics import MeterProvider, MetricsClient
            client = MetricsClient(url={listener.url!r}, org="rubin", bucket={db!r}, token="test-token", app="gafaelfawr")
            logins = MeterProvider(client).get_meter("gafaelfawr").create_counter("login.attempts")
            rng = random.Random({life})
            start = time.time_ns()
            added = [rng.randint(1, 4) for _ in range({300 + 200 * life})]
            for v in added:
                logins.add(v, {{"result": "ok"}})
            print(start, time.time_ns() + 1, sum(added), len(added))
        """)
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        windows.append(tuple(int(x) for x in done.stdout.split()))
    assert windows[0][1] <= windows[1][0], "the second process started after the first ended"
    for start, end, total, count in windows:
        (row,) = influxd.rows(f'SELECT sum("value"), count("value") FROM "gafaelfawr.login.attempts" '
                              f"WHERE time >= {start} AND time < {end}", db)
        assert (row["sum"], row["count"]) == (total, count)
    # The per-window query a dashboard uses (docs/client-python.md): sums over GROUP BY time.
    rows = influxd.rows(f'SELECT sum("value") FROM "gafaelfawr.login.attempts" WHERE time >= {windows[0][0]} '
                        f"AND time < {windows[1][1]} GROUP BY time(1ms) fill(none)", db)
    assert sum(r["sum"] for r in rows) == windows[0][2] + windows[1][2]


def test_percentile_95_is_the_exact_p95(relay: Relay, make_client: Make, influxd: Influxd) -> None:
    """The seed's second failure case: a p95 from the raw values, not from buckets."""
    client = relay_client(relay, make_client)
    rng = random.Random(95)
    values = [round(rng.random() * rng.random() * 1000, rng.randint(0, 6)) for _ in range(2000)]
    h = MeterProvider(client).get_meter("gafaelfawr").create_histogram("login.duration", unit="ms")
    for v in values:
        h.record(v, {"handler": "login"})
    assert client.flush(20)
    ordered = sorted(values)
    nearest_rank = ordered[math.ceil(0.95 * len(ordered)) - 1]
    (row,) = influxd.rows('SELECT percentile("value", 95) FROM "gafaelfawr.login.duration"', relay[1])
    assert row["percentile"] == nearest_rank


def test_what_influxdb_refuses_is_renamed_skipped_or_counted_exactly(relay: Relay, make_client: Make, influxd: Influxd) -> None:
    client = relay_client(relay, make_client, flush_interval=3600)
    meter = MeterProvider(client).get_meter("edge")
    c = meter.create_counter("c")
    c.add(1, {"time": "noon"})  # renamed to time_
    c.add(2, {"k": "x" * 70_000})  # series key too long: skipped before sending
    c.add(3)
    assert client.flush(20)
    rows = influxd.rows('SELECT "value", "time_" FROM "edge.c"', relay[1])
    assert [(r["value"], r["time_"]) for r in rows] == [(1, "noon"), (3, None)]
    stats = client.statistics
    assert (stats.renamed, stats.invalid, stats.sent, stats.failed) == (1, 1, 2, 0)


def test_a_field_type_conflict_is_refused_by_influxdb_and_counted_per_line(relay: Relay, make_client: Make, influxd: Influxd) -> None:
    """One measurement as an integer in one run and a float in the next: InfluxDB keeps the
    first type and refuses the rest (docs/point-shape.md). Only those lines count as failed."""
    first = relay_client(relay, make_client)
    MeterProvider(first).get_meter("conflict").create_counter("c").add(1)
    assert first.shutdown(10)
    second = relay_client(relay, make_client, flush_interval=3600)
    meter = MeterProvider(second).get_meter("conflict")
    meter.create_counter("c").add(0.5)
    meter.create_counter("other").add(7)
    assert second.flush(20)
    stats = second.statistics
    assert (stats.sent, stats.failed) == (1, 1)
    assert [r["value"] for r in influxd.rows('SELECT "value" FROM "conflict.c"', relay[1])] == [1]
