"""An app instrumented ONLY with OpenTelemetry's metrics API names (opentelemetry.metrics):
it must run unchanged whichever provider is set."""

from __future__ import annotations

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

meter = metrics.get_meter("otelapp", "1.2.3")  # at import, before any provider is set
requests = meter.create_counter("requests", unit="{request}", description="Requests served")
in_flight = meter.create_up_down_counter("in_flight")
latency = meter.create_histogram("latency", unit="ms")
temperature = meter.create_gauge("temperature", unit="Cel")
_queue = [3]


def _queue_depth(options: CallbackOptions) -> list[Observation]:
    return [Observation(_queue[0], {"queue": "jobs"})]


meter.create_observable_gauge("queue_depth", callbacks=[_queue_depth])


def handle(route: str, ms: float) -> None:
    in_flight.add(1, {"route": route})
    requests.add(1, {"route": route, "status": 200})
    latency.record(ms, {"route": route})
    temperature.set(21.5)
    in_flight.add(-1, {"route": route})
