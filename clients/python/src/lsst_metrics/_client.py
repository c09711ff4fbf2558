"""The pipe both front doors share: a bounded buffer and the background sender."""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from ._config import Settings
from ._points import EventShape, InstrumentShape, PointError, TagWriter, format_instrument_line
from ._sender import Sender
from ._stats import ClientStatistics, Counters
from ._transport import HttpWriter

log = logging.getLogger("lsst_metrics")

_LIVE: weakref.WeakSet[MetricsClient] = weakref.WeakSet()


class ObservationLike(Protocol):
    value: float | int
    attributes: Mapping[str, Any] | None


class Observable(Protocol):
    """An observable instrument: its shape and callbacks (duck-typed to accept OTel's too)."""

    shape: InstrumentShape
    callbacks: list[Any]


class MetricsClient:
    """Ships every measurement and event as its own point. Recording never blocks and,
    unless ``raise_on_error`` is set, never raises; a daemon thread does the I/O.

    Build it with keyword settings or from the METRICS_* environment variables:
    ``MetricsClient(app="gafaelfawr")``. ``enabled=False`` makes a client that records
    nothing and needs no settings.
    """

    def __init__(self, settings: Settings | None = None, *, enabled: bool = True, **options: Any) -> None:
        self.enabled = enabled
        if settings is None:
            settings = Settings.resolve(**options) if enabled else _disabled_settings()
        elif options:
            raise TypeError("pass either settings or keyword options, not both")
        self.settings = settings
        self._strict = settings.raise_on_error
        self._observables: list[Observable] = []
        self._observables_lock = threading.Lock()
        self._shutdown_lock = threading.Lock()
        self._closed = not enabled
        self._start_pipe()
        if enabled:
            _LIVE.add(self)
            self._sender.start()

    def _start_pipe(self) -> None:
        """A fresh buffer, counters and sender: at start, and in a forked child."""
        self._buffer: deque[tuple[Any, Any, Any, int]] = deque(maxlen=self.settings.buffer_capacity)
        self._append = self._buffer.append
        self._counters = Counters()
        self._recorded = self._counters.recorded
        self._wake = threading.Event()
        self._closing_event = threading.Event()
        self._closing = False
        self._flush_cond = threading.Condition()
        self._flush_requested = 0
        self._flush_done = 0
        self._check_tags = TagWriter(Counters())
        self._sender = Sender(self, HttpWriter(self.settings))

    # --- record path (the app's threads) ---------------------------------------------

    def _record(self, shape: InstrumentShape, value: Any, attributes: Mapping[str, Any] | None) -> None:
        if self._closed:
            return
        try:
            if attributes:
                attributes = dict(attributes)
            if self._strict:
                self._check_instrument(shape, value, attributes)
            self._append((shape, value, attributes, time.monotonic_ns()))
            next(self._recorded)
        except Exception:
            if self._strict:
                raise

    def _record_event(self, shape: EventShape, values: tuple[Any, ...]) -> None:
        if self._closed:
            return
        try:
            if self._strict:
                shape.line(values, 0)
            self._append((shape, values, None, time.monotonic_ns()))
            next(self._recorded)
        except Exception:
            if self._strict:
                raise

    def _check_instrument(self, shape: InstrumentShape, value: Any, attributes: Mapping[str, Any] | None) -> None:
        """raise_on_error: the sender's own checks, run at once, on a copy of the shape."""
        probe = InstrumentShape.__new__(InstrumentShape)
        probe.__dict__.update(shape.__dict__)
        probe.warned = True
        counters = Counters()
        line = format_instrument_line(probe, value, attributes, 0, self._check_tags, counters)
        if line is None:
            kind = "not finite" if counters.non_finite else "cannot be written"
            raise PointError(f"{shape.measurement}: {value!r} with {attributes!r} {kind}")

    # --- observables ---------------------------------------------------------------

    def register_observable(self, instrument: Observable) -> None:
        with self._observables_lock:
            self._observables.append(instrument)

    def record_observables(self) -> None:
        """Polls every observable instrument's callbacks now (also done every observable_interval)."""
        from .metrics import CallbackOptions  # the OTel-shaped type, imported late (it imports us)

        options = CallbackOptions(timeout_millis=int(self.settings.observable_interval * 1000))
        with self._observables_lock:
            instruments = list(self._observables)
        for instrument in instruments:
            for callback in instrument.callbacks:
                try:
                    observations: Iterable[ObservationLike] = callback(options)
                    for observation in observations or ():
                        self._record(instrument.shape, observation.value, observation.attributes)
                except Exception:
                    self._counters.callback_errors += 1
                    log.warning("Metrics: an observable callback of %s raised", instrument.shape.measurement, exc_info=True)
                    if self._strict:
                        raise

    # --- flush and shutdown --------------------------------------------------------

    @property
    def statistics(self) -> ClientStatistics:
        return self._counters.snapshot(len(self._buffer))

    def flush(self, timeout: float | None = None) -> bool:
        """Blocks until everything recorded before the call was sent (or refused for good);
        False when ``timeout`` passed first. Do not call it from async code: use flush_async."""
        if self._closed:
            return not self._buffer
        with self._flush_cond:
            self._flush_requested += 1
            generation = self._flush_requested
        self._wake.set()
        with self._flush_cond:
            return self._flush_cond.wait_for(lambda: self._flush_done >= generation, timeout)

    def _complete_flush(self, generation: int) -> None:
        with self._flush_cond:
            if generation > self._flush_done:
                self._flush_done = generation
            self._flush_cond.notify_all()

    def shutdown(self, timeout: float | None = None) -> bool:
        """Polls the observables one last time, stops recording and sends what is
        buffered, giving up after ``timeout`` (default: the shutdown_timeout setting);
        what is left is counted as dropped. True when everything was delivered."""
        with self._shutdown_lock:
            if self._closed:
                return not self._buffer
            limit = self.settings.shutdown_timeout if timeout is None else timeout
            deadline = time.monotonic() + limit
            if threading.current_thread() is not self._sender.thread:
                self.record_observables_quietly()
            self._closed = True
            self._sender.deadline = deadline
            self._closing = True
            self._closing_event.set()
            self._wake.set()
            _LIVE.discard(self)
        # A little beyond the deadline: the sender counts what it could not send, then ends.
        if threading.current_thread() is not self._sender.thread:
            self._sender.thread.join(max(0.0, deadline - time.monotonic()) + 1.0)
        return not self._buffer and self._counters.lost_at_shutdown == 0

    def record_observables_quietly(self) -> None:
        """record_observables() that never raises, even with raise_on_error (errors are counted)."""
        try:
            self.record_observables()
        except Exception:
            pass

    async def flush_async(self, timeout: float | None = None) -> bool:
        """flush() without blocking the event loop (it waits in a worker thread)."""
        return await asyncio.get_running_loop().run_in_executor(None, self.flush, timeout)

    async def shutdown_async(self, timeout: float | None = None) -> bool:
        """shutdown() without blocking the event loop."""
        return await asyncio.get_running_loop().run_in_executor(None, self.shutdown, timeout)

    def __enter__(self) -> MetricsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # --- fork -----------------------------------------------------------------------

    def _after_fork_in_child(self) -> None:
        """The child gets an empty buffer (the parent delivers what it recorded), new
        locks (one held by the parent's sender at fork time would never be released)
        and its own sender thread."""
        if self._closed:
            return
        self._observables_lock = threading.Lock()
        self._shutdown_lock = threading.Lock()
        self._start_pipe()
        self._sender.start()


def _disabled_settings() -> Settings:
    return Settings(url="http://disabled.invalid", org="-", bucket="-", token="-", token_file=None,
                    global_tags=(("app", "disabled"),))


def _after_fork() -> None:
    for client in list(_LIVE):
        client._after_fork_in_child()


def _flush_at_exit() -> None:
    for client in list(_LIVE):
        try:
            client.shutdown()
        except Exception:  # pragma: no cover
            log.exception("Metrics: flush at exit failed")


os.register_at_fork(after_in_child=_after_fork)
atexit.register(_flush_at_exit)
