"""Instruments with OpenTelemetry's names and signatures (``opentelemetry.metrics``).

App code written against ``opentelemetry.metrics`` runs unchanged on this module: either
import it in its place (``from lsst_metrics import metrics``), or, where the OpenTelemetry
API package is installed, hand our provider to it
(``opentelemetry.metrics.set_meter_provider(lsst_metrics.MeterProvider(client))``).

What differs on purpose: nothing is aggregated. Every ``add``/``record``/``set`` and every
observation becomes its own point (see docs/point-shape.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

from ._client import MetricsClient
from ._line_protocol import measurement_problem
from ._points import InstrumentShape

Attributes = Union[Mapping[str, Any], None]
Amount = Union[int, float]


@dataclass(frozen=True)
class CallbackOptions:
    """Passed to observable callbacks (as OpenTelemetry does)."""

    timeout_millis: float = 10_000


class Observation:
    """One value an observable callback reports."""

    __slots__ = ("_value", "_attributes", "_context")

    def __init__(self, value: Amount, attributes: Attributes = None, context: Any = None) -> None:
        self._value = value
        self._attributes = attributes
        self._context = context

    @property
    def value(self) -> Amount:
        return self._value

    @property
    def attributes(self) -> Attributes:
        return self._attributes

    @property
    def context(self) -> Any:
        return self._context

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Observation) and (self.value, self.attributes) == (other.value, other.attributes)

    def __repr__(self) -> str:
        return f"Observation(value={self.value!r}, attributes={self.attributes!r})"


CallbackT = Union[Callable[[CallbackOptions], Iterable[Observation]], Generator[Iterable[Observation], CallbackOptions, None]]


class Instrument:
    """Base of every instrument: its name, unit, description and point shape."""

    def __init__(self, client: MetricsClient | None, shape: InstrumentShape | None, name: str, unit: str, description: str) -> None:
        self.name = name
        self.unit = unit
        self.description = description
        self.shape = shape
        self._client = client


# Each record method calls the client directly (no shared helper): one call less on the hot path.
class Counter(Instrument):
    def add(self, amount: Amount, attributes: Attributes = None, context: Any = None) -> None:
        """Adds a non-negative amount: one point whose value is ``amount``."""
        client = self._client
        if client is not None:
            client._record(self.shape, amount, attributes)  # type: ignore[arg-type]


class UpDownCounter(Instrument):
    def add(self, amount: Amount, attributes: Attributes = None, context: Any = None) -> None:
        client = self._client
        if client is not None:
            client._record(self.shape, amount, attributes)  # type: ignore[arg-type]


class Histogram(Instrument):
    def record(self, amount: Amount, attributes: Attributes = None, context: Any = None) -> None:
        """Records one raw value: percentiles are exact at query time."""
        client = self._client
        if client is not None:
            client._record(self.shape, amount, attributes)  # type: ignore[arg-type]


class Gauge(Instrument):
    def set(self, amount: Amount, attributes: Attributes = None, context: Any = None) -> None:
        client = self._client
        if client is not None:
            client._record(self.shape, amount, attributes)  # type: ignore[arg-type]


class _Observable(Instrument):
    def __init__(self, client: MetricsClient | None, shape: InstrumentShape | None, name: str, unit: str,
                 description: str, callbacks: Sequence[CallbackT] | None) -> None:
        super().__init__(client, shape, name, unit, description)
        self.callbacks: list[Any] = [_callable(c) for c in callbacks or ()]


def _callable(callback: CallbackT) -> Callable[[CallbackOptions], Iterable[Observation]]:
    """OpenTelemetry's generator form: advanced to its first yield now, then sent the
    options at each poll (opentelemetry-sdk _Observable does the same)."""
    if not isinstance(callback, Generator):
        return callback
    generator = callback
    next(generator)

    def poll(options: CallbackOptions) -> Iterable[Observation]:
        try:
            return generator.send(options)
        except StopIteration:
            return []

    return poll


class ObservableCounter(_Observable):
    pass


class ObservableUpDownCounter(_Observable):
    pass


class ObservableGauge(_Observable):
    pass


class Meter:
    """Creates instruments; the measurement of each is ``<meter name>.<instrument name>``."""

    def __init__(self, provider: MeterProvider | None, name: str, version: str | None = None,
                 schema_url: str | None = None, attributes: Attributes = None) -> None:
        self.name = name
        self.version = version
        self.schema_url = schema_url
        self.attributes = attributes
        self._provider = provider
        self._instruments: dict[tuple[str, str], Instrument] = {}
        self._lock = threading.Lock()

    def _create(self, cls: type[Any], kind: str, name: str, unit: str, description: str,
                callbacks: Sequence[CallbackT] | None = None) -> Any:
        key = (name.lower(), kind)  # OpenTelemetry: instrument names are case-insensitive
        with self._lock:
            existing = self._instruments.get(key)
            if existing is not None:
                return existing
            client = self._provider.client if self._provider is not None else None
            shape = None
            if client is not None and client.enabled:
                measurement = f"{self.name}.{name}"
                problem = measurement_problem(measurement)
                if problem is not None:
                    raise ValueError(f"Instrument {measurement!r} cannot be a measurement: its name {problem}.")
                settings = client.settings
                shape = InstrumentShape(measurement, kind, unit, settings.global_tags, settings.unit_tag)
            else:
                client = None
            if callbacks is None and kind not in _OBSERVABLE_KINDS:
                instrument = cls(client, shape, name, unit, description)
            else:
                instrument = cls(client, shape, name, unit, description, callbacks)
                if client is not None:
                    client.register_observable(instrument)
            self._instruments[key] = instrument
            return instrument

    def create_counter(self, name: str, unit: str = "", description: str = "") -> Counter:
        return self._create(Counter, "counter", name, unit, description)  # type: ignore[no-any-return]

    def create_up_down_counter(self, name: str, unit: str = "", description: str = "") -> UpDownCounter:
        return self._create(UpDownCounter, "up_down_counter", name, unit, description)  # type: ignore[no-any-return]

    def create_histogram(self, name: str, unit: str = "", description: str = "", *,
                         explicit_bucket_boundaries_advisory: Sequence[float] | None = None) -> Histogram:
        # Bucket boundaries are accepted for compatibility and unused: raw values are shipped.
        return self._create(Histogram, "histogram", name, unit, description)  # type: ignore[no-any-return]

    def create_gauge(self, name: str, unit: str = "", description: str = "") -> Gauge:
        return self._create(Gauge, "gauge", name, unit, description)  # type: ignore[no-any-return]

    def create_observable_counter(self, name: str, callbacks: Sequence[CallbackT] | None = None,
                                  unit: str = "", description: str = "") -> ObservableCounter:
        return self._create(ObservableCounter, "observable_counter", name, unit, description, callbacks or [])  # type: ignore[no-any-return]

    def create_observable_up_down_counter(self, name: str, callbacks: Sequence[CallbackT] | None = None,
                                          unit: str = "", description: str = "") -> ObservableUpDownCounter:
        return self._create(ObservableUpDownCounter, "observable_up_down_counter", name, unit, description, callbacks or [])  # type: ignore[no-any-return]

    def create_observable_gauge(self, name: str, callbacks: Sequence[CallbackT] | None = None,
                                unit: str = "", description: str = "") -> ObservableGauge:
        return self._create(ObservableGauge, "observable_gauge", name, unit, description, callbacks or [])  # type: ignore[no-any-return]


_OBSERVABLE_KINDS = frozenset({"observable_counter", "observable_up_down_counter", "observable_gauge"})


class MeterProvider:
    """Hands out meters whose instruments ship through ``client``.

    ``MeterProvider()`` builds a client from the METRICS_* environment variables.
    """

    def __init__(self, client: MetricsClient | None = None, **settings: Any) -> None:
        self.client = client if client is not None else MetricsClient(**settings)
        self._meters: dict[tuple[str, str | None, str | None], Meter] = {}
        self._lock = threading.Lock()

    def get_meter(self, name: str, version: str | None = None, schema_url: str | None = None,
                  attributes: Attributes = None) -> Meter:
        with self._lock:
            key = (name, version, schema_url)
            meter = self._meters.get(key)
            if meter is None:
                meter = self._meters[key] = Meter(self, name, version, schema_url, attributes)
            return meter

    def force_flush(self, timeout_millis: float = 30_000) -> bool:
        return self.client.flush(timeout_millis / 1000)

    def shutdown(self, timeout_millis: float = 30_000) -> None:
        self.client.shutdown(timeout_millis / 1000)


class NoOpMeterProvider(MeterProvider):
    """Instruments that record nothing (OpenTelemetry's default before a provider is set)."""

    def __init__(self) -> None:
        self.client = MetricsClient(enabled=False)
        self._meters = {}
        self._lock = threading.Lock()


# --- the global provider, as opentelemetry.metrics has it -----------------------------

class _ProxyInstrument:
    """Made by a meter obtained before a provider was set; forwards once one is."""

    def __init__(self, factory: Callable[[Meter], Any]) -> None:
        self._factory = factory
        self._real: Any = None

    def _bind(self, meter: Meter) -> None:
        self._real = self._factory(meter)

    def add(self, amount: Amount, attributes: Attributes = None, context: Any = None) -> None:
        real = self._real
        if real is not None:
            real.add(amount, attributes, context)

    def record(self, amount: Amount, attributes: Attributes = None, context: Any = None) -> None:
        real = self._real
        if real is not None:
            real.record(amount, attributes, context)

    def set(self, amount: Amount, attributes: Attributes = None, context: Any = None) -> None:
        real = self._real
        if real is not None:
            real.set(amount, attributes, context)


class _ProxyMeter:
    def __init__(self, name: str, version: str | None, schema_url: str | None, attributes: Attributes) -> None:
        self.name = name
        self._args = (name, version, schema_url, attributes)
        self._instruments: list[_ProxyInstrument] = []
        self._real: Meter | None = None

    def _bind(self, provider: MeterProvider) -> None:
        self._real = provider.get_meter(*self._args)
        for instrument in self._instruments:
            instrument._bind(self._real)

    def __getattr__(self, method: str) -> Callable[..., Any]:
        if not method.startswith("create_"):
            raise AttributeError(method)

        def create(*args: Any, **kwargs: Any) -> Any:
            if self._real is not None:
                return getattr(self._real, method)(*args, **kwargs)
            proxy = _ProxyInstrument(lambda meter: getattr(meter, method)(*args, **kwargs))
            self._instruments.append(proxy)
            return proxy

        return create


_provider_lock = threading.Lock()
_provider: MeterProvider | None = None
_proxies: list[_ProxyMeter] = []


def set_meter_provider(meter_provider: MeterProvider) -> None:
    """Sets the global provider, once (as OpenTelemetry: later calls are ignored with a warning)."""
    global _provider
    with _provider_lock:
        if _provider is not None:
            import logging

            logging.getLogger("lsst_metrics").warning("Overriding of the current MeterProvider is not allowed")
            return
        _provider = meter_provider
        for proxy in _proxies:
            proxy._bind(meter_provider)
        _proxies.clear()


def get_meter_provider() -> MeterProvider | None:
    return _provider


def get_meter(name: str, version: str | None = None, meter_provider: MeterProvider | None = None,
              schema_url: str | None = None, attributes: Attributes = None) -> Any:
    """A meter from ``meter_provider``, else from the global one; before one is set, a
    meter whose instruments start shipping when it is."""
    if meter_provider is not None:
        return meter_provider.get_meter(name, version, schema_url, attributes)
    with _provider_lock:
        if _provider is not None:
            return _provider.get_meter(name, version, schema_url, attributes)
        proxy = _ProxyMeter(name, version, schema_url, attributes)
        _proxies.append(proxy)
        return proxy


def _reset_for_tests() -> None:
    global _provider
    with _provider_lock:
        _provider = None
        _proxies.clear()
