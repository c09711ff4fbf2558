"""Code written against opentelemetry.metrics runs unchanged when the provider is swapped.

The OpenTelemetry API cannot be installed here (no PyPI), so when it is absent the test
puts lsst_metrics.metrics in its place under the name opentelemetry.metrics, which is
exactly what an app does that imports ours instead. Where the real API is installed, the
test uses it and hands it our provider."""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Iterator

import pytest

from lsst_metrics import MeterProvider, MetricsClient, NoOpMeterProvider
from lsst_metrics import metrics as ours
from support.lineproto import parse_lines
from support.listener import Listener


@pytest.fixture
def otel_metrics() -> Iterator[types.ModuleType]:
    saved = {k: v for k, v in sys.modules.items() if k == "otel_app" or k.startswith("opentelemetry")}
    try:
        import opentelemetry.metrics as real  # type: ignore[import-not-found]

        module: types.ModuleType = real
    except ImportError:
        package = types.ModuleType("opentelemetry")
        package.metrics = ours  # type: ignore[attr-defined]
        sys.modules["opentelemetry"] = package
        sys.modules["opentelemetry.metrics"] = ours
        module = ours
    sys.modules.pop("otel_app", None)
    yield module
    for k in [k for k in sys.modules if k == "otel_app" or k.startswith("opentelemetry")]:
        del sys.modules[k]
    sys.modules.update(saved)


def test_the_same_app_ships_every_measurement_once_our_provider_is_set(
        otel_metrics: types.ModuleType, listener: Listener, make_client: Callable[..., MetricsClient]) -> None:
    app = importlib.import_module("otel_app")  # meters made before the provider exists
    app.handle("/lost", 1.0)  # before: goes nowhere, as with OpenTelemetry's proxy
    client = make_client(**listener.settings())
    otel_metrics.set_meter_provider(MeterProvider(client))
    app.handle("/a", 12.5)
    app.handle("/b", 7.0)
    client.record_observables()
    assert client.flush(20)
    points = parse_lines(listener.lines)
    by_name: dict[str, list] = {}
    for p in points:
        by_name.setdefault(p.measurement, []).append(p)
    assert [p.fields["value"] for p in by_name["otelapp.requests"]] == [1, 1]
    assert [p.tags["route"] for p in by_name["otelapp.requests"]] == ["/a", "/b"]
    assert by_name["otelapp.requests"][0].tags["status"] == "200"
    assert by_name["otelapp.requests"][0].tags["unit"] == "{request}"
    assert [p.fields["value"] for p in by_name["otelapp.in_flight"]] == [1, -1, 1, -1]
    assert [p.fields["value"] for p in by_name["otelapp.latency"]] == [12.5, 7.0]
    assert [p.fields["value"] for p in by_name["otelapp.temperature"]] == [21.5, 21.5]
    assert [p.tags["queue"] for p in by_name["otelapp.queue_depth"]] == ["jobs"]
    assert not any(p.tags.get("route") == "/lost" for p in points)


def test_the_same_app_runs_under_a_no_op_provider(otel_metrics: types.ModuleType) -> None:
    app = importlib.import_module("otel_app")
    otel_metrics.set_meter_provider(NoOpMeterProvider())
    app.handle("/a", 1.0)  # runs, records nothing, raises nothing
    assert otel_metrics.get_meter_provider() is not None


def test_a_second_provider_is_ignored_as_in_opentelemetry(listener: Listener, make_client: Callable[..., MetricsClient]) -> None:
    first = MeterProvider(make_client(**listener.settings()))
    ours.set_meter_provider(first)
    ours.set_meter_provider(NoOpMeterProvider())
    assert ours.get_meter_provider() is first
