"""Each instrument's measurements become points of the documented shape (docs/point-shape.md),
through the real sender into the loopback listener."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from lsst_metrics import MeterProvider, MetricsClient, PointError
from lsst_metrics.metrics import Observation
from support.lineproto import Point, parse_lines
from support.listener import Listener

Make = Callable[..., MetricsClient]


def shipped(listener: Listener, client: MetricsClient) -> list[Point]:
    assert client.flush(20)
    return parse_lines(listener.lines)


def test_every_add_is_its_own_point_with_the_global_tags(listener: Listener, make_client: Make) -> None:
    client = make_client(**listener.settings())
    counter = MeterProvider(client).get_meter("Gafaelfawr", "1.0").create_counter("login.attempts", unit="{attempt}")
    for v in (1, 2, 3):
        counter.add(v, {"result": "ok"})
    points = shipped(listener, client)
    assert [p.fields for p in points] == [{"value": 1}, {"value": 2}, {"value": 3}]
    assert all(p.measurement == "Gafaelfawr.login.attempts" for p in points)
    assert points[0].tags == {"app": "test-app", "environment": "test-env", "host": "pod-1",
                              "unit": "{attempt}", "result": "ok"}
    assert listener.lines[0].startswith("Gafaelfawr.login.attempts,app=test-app,environment=test-env,host=pod-1,unit={attempt},result=ok value=1i ")


def test_timestamps_are_record_time_in_ns_and_strictly_increasing(listener: Listener, make_client: Make) -> None:
    import time

    client = make_client(**listener.settings())
    h = MeterProvider(client).get_meter("m").create_histogram("h")
    before = time.time_ns()
    for _ in range(500):
        h.record(1.0)
    after = time.time_ns()
    stamps = [p.timestamp for p in shipped(listener, client)]
    assert len(stamps) == 500
    assert all(b > a for a, b in zip(stamps, stamps[1:]))
    assert before - 5_000_000 <= stamps[0] and stamps[-1] <= after + 5_000_000


def test_field_types_per_instrument(listener: Listener, make_client: Make) -> None:
    client = make_client(**listener.settings())
    meter = MeterProvider(client).get_meter("types")
    meter.create_counter("ints").add(5)
    meter.create_counter("floats").add(0.25)
    meter.create_up_down_counter("updown").add(-3)
    meter.create_histogram("hist").record(7)  # histograms are floats even when given an int
    meter.create_gauge("gauge").set(2)
    meter.create_histogram("big").record(1e20)
    fields = {p.measurement: listener_line for p, listener_line in zip(shipped(listener, client), listener.lines)}
    assert " value=5i " in fields["types.ints"]
    assert " value=0.25 " in fields["types.floats"]
    assert " value=-3i " in fields["types.updown"]
    assert " value=7.0 " in fields["types.hist"]
    assert " value=2.0 " in fields["types.gauge"]
    assert " value=1e+20 " in fields["types.big"]


def test_an_integer_counter_keeps_its_type(listener: Listener, make_client: Make) -> None:
    client = make_client(**listener.settings())
    c = MeterProvider(client).get_meter("t").create_counter("c")
    c.add(1)
    c.add(2.0)  # integral: still an integer field
    c.add(2.5)  # would be a field type conflict in InfluxDB: skipped and counted
    points = shipped(listener, client)
    assert [p.fields["value"] for p in points] == [1, 2]
    assert all(" value=" in line and line.split(" value=")[1].split(" ")[0].endswith("i") for line in listener.lines)
    assert client.statistics.invalid == 1


def test_non_finite_and_negative_counter_values_are_skipped_and_counted(listener: Listener, make_client: Make) -> None:
    client = make_client(**listener.settings())
    meter = MeterProvider(client).get_meter("t")
    h = meter.create_histogram("h")
    for v in (math.nan, math.inf, -math.inf, 1.5):
        h.record(v)
    meter.create_counter("c").add(-1)
    meter.create_histogram("s").record("12")  # type: ignore[arg-type]
    points = shipped(listener, client)
    assert [p.fields["value"] for p in points] == [1.5]
    stats = client.statistics
    assert (stats.non_finite, stats.invalid, stats.recorded) == (3, 2, 6)


def test_client_tags_win_empty_tags_are_omitted_values_are_text(listener: Listener, make_client: Make) -> None:
    client = make_client(**listener.settings(global_tags={"site": "summit"}))
    meter = MeterProvider(client).get_meter("t")
    meter.create_histogram("h", unit="ms").record(
        1.0, {"app": "spoof", "unit": "s", "site": "x", "empty": "", "none": None, "ok": True, "n": 3, "f": 0.5, "seq": ["a", "b"]})
    (p,) = shipped(listener, client)
    assert p.tags == {"app": "test-app", "environment": "test-env", "host": "pod-1", "site": "summit", "unit": "ms",
                      "ok": "true", "n": "3", "f": "0.5", "seq": "a,b"}


def test_a_tag_named_time_is_renamed_and_counted(listener: Listener, make_client: Make) -> None:
    client = make_client(**listener.settings())
    c = MeterProvider(client).get_meter("t").create_counter("c")
    c.add(1, {"time": "noon"})
    c.add(2, {"time": "noon"})  # the same attributes again: formatted from the cache, counted again
    c.add(3, {"time": ""})  # an empty tag is omitted: nothing renamed
    points = shipped(listener, client)
    assert [(p.tags.get("time_"), "time" in p.tags) for p in points] == [("noon", False), ("noon", False), (None, False)]
    assert client.statistics.renamed == 2


def test_a_series_key_over_65535_bytes_is_skipped_and_counted(listener: Listener, make_client: Make) -> None:
    client = make_client(**listener.settings())
    c = MeterProvider(client).get_meter("t").create_counter("c")
    c.add(1, {"k": "x" * 65_535})
    c.add(2, {"k": "é" * 32_000})  # 64,000 bytes of value: fits with the prefix? checked in bytes
    c.add(3, {"k": "x" * 100})
    values = [p.fields["value"] for p in shipped(listener, client)]
    prefix_bytes = len("t.c,app=test-app,environment=test-env,host=pod-1,k=")
    assert values == ([2, 3] if prefix_bytes + 64_000 <= 65_535 else [3])
    assert client.statistics.invalid == 3 - len(values)


def test_tag_values_line_protocol_cannot_carry_skip_the_point(listener: Listener, make_client: Make) -> None:
    client = make_client(**listener.settings())
    c = MeterProvider(client).get_meter("t").create_counter("c")
    c.add(1, {"path": "a\nb"})
    c.add(2, {"path": "ends\\"})
    c.add(3, {"path": "C:\\dir, a=b"})
    c.add(4, {"path": "ends\\"})  # again: skipped and counted again
    (p,) = shipped(listener, client)
    assert p.tags["path"] == "C:\\dir, a=b"
    assert client.statistics.invalid == 3


def test_a_measurement_name_influxdb_would_mangle_is_refused_at_creation(listener: Listener, make_client: Make) -> None:
    meter = MeterProvider(make_client(**listener.settings())).get_meter("app")
    with pytest.raises(ValueError, match="backslash before"):
        meter.create_counter("requests\\,by_path")


def test_raise_on_error_raises_at_the_call(listener: Listener, make_client: Make) -> None:
    client = make_client(**listener.settings(raise_on_error=True))
    meter = MeterProvider(client).get_meter("t")
    with pytest.raises(PointError):
        meter.create_histogram("h").record(math.nan)
    with pytest.raises(PointError):
        meter.create_counter("c").add(1, {"k": "bad\\"})
    meter.create_counter("c").add(1, {"k": "good"})
    assert len(shipped(listener, client)) == 1


def test_observables_are_polled_one_point_per_observation(listener: Listener, make_client: Make) -> None:
    client = make_client(**listener.settings())
    meter = MeterProvider(client).get_meter("obs")
    depths = iter([4, 7, 9])
    meter.create_observable_gauge("depth", [lambda options: [Observation(next(depths), {"q": "a"})]])

    def generator():  # OpenTelemetry's generator-callback form: first yield empty, then sent options
        options = yield
        total = 10
        while True:
            assert options.timeout_millis > 0
            options = yield [Observation(total)]
            total += 5

    meter.create_observable_counter("total", [generator()])
    meter.create_observable_up_down_counter("broken", [lambda options: 1 / 0])
    client.record_observables()
    client.record_observables()
    points = shipped(listener, client)
    assert [p.fields["value"] for p in points if p.measurement == "obs.depth"] == [4.0, 7.0]
    assert [p.fields["value"] for p in points if p.measurement == "obs.total"] == [10, 15]
    assert client.statistics.callback_errors == 2


def test_observables_are_polled_on_the_interval(listener: Listener, make_client: Make) -> None:
    client = make_client(**listener.settings(observable_interval=0.05))
    calls = []
    MeterProvider(client).get_meter("obs").create_observable_gauge(
        "g", [lambda o: calls.append(o.timeout_millis) or [Observation(1.0)]])
    from support.listener import wait_until

    wait_until(lambda: len(calls) >= 3, what="three polls")
    assert calls[0] == 50


def test_a_raising_callback_never_stops_the_sender_even_with_raise_on_error(listener: Listener, make_client: Make) -> None:
    from support.listener import wait_until

    client = make_client(**listener.settings(observable_interval=0.05, raise_on_error=True))
    meter = MeterProvider(client).get_meter("obs")
    meter.create_observable_gauge("broken", [lambda options: 1 / 0])
    wait_until(lambda: client.statistics.callback_errors >= 2, what="two polls, so the sender lived through the first")
    meter.create_counter("c").add(1)
    assert [p.fields["value"] for p in shipped(listener, client)] == [1]
