"""The background sender: takes batches from the buffer, formats, gzips, POSTs, retries."""

from __future__ import annotations

import gzip
import logging
import random
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from ._points import EventShape, InstrumentShape, PointError, TagWriter, format_instrument_line
from ._transport import HttpWriter, Outcome

if TYPE_CHECKING:
    from ._client import MetricsClient

log = logging.getLogger("lsst_metrics")

POLL_SECONDS = 0.01


class _Deadline(Exception):
    """The shutdown deadline passed while a batch was still unsent."""


class Sender:
    """Runs on its own daemon thread; the only reader of the buffer."""

    def __init__(self, client: MetricsClient, writer: HttpWriter) -> None:
        self._client = client
        self._settings = client.settings
        self._writer = writer
        self._counters = client._counters
        self._tags = TagWriter(client._counters)
        self._last_ts = 0
        self._pending = 0  # lines of the batch being sent
        self._failing = False
        self.deadline: float | None = None  # set by shutdown
        self.thread = threading.Thread(target=self._run, name="lsst-metrics-sender", daemon=True)

    def start(self) -> None:
        self.thread.start()

    # --- loop -----------------------------------------------------------------

    def _run(self) -> None:
        client = self._client
        settings = self._settings
        buffer = client._buffer
        last_send = time.monotonic()
        next_poll = time.monotonic() + settings.observable_interval
        try:
            while not client._closing:
                now = time.monotonic()
                if now >= next_poll:
                    client.record_observables_quietly()  # a callback's error (raise_on_error) must not stop the sender
                    next_poll = now + settings.observable_interval
                flush = client._flush_requested
                due = (
                    len(buffer) >= settings.batch_size
                    or flush > client._flush_done
                    or (buffer and now - last_send >= settings.flush_interval)
                )
                if due:
                    self._drain(len(buffer))
                    last_send = time.monotonic()
                    client._complete_flush(flush)
                    continue
                client._wake.wait(POLL_SECONDS)
                client._wake.clear()
            # Closing: everything left, within the deadline.
            self._drain(None)
        except _Deadline:
            self._count_lost()
        except BaseException:  # pragma: no cover - the thread must not die silently
            log.exception("Metrics sender stopped")
        finally:
            client._complete_flush(client._flush_requested)
            self._writer.close()

    def _drain(self, count: int | None) -> None:
        """Sends ``count`` buffered items (all when None), in batches."""
        buffer = self._client._buffer
        remaining = count
        while buffer and (remaining is None or remaining > 0):
            take = self._settings.batch_size if remaining is None else min(remaining, self._settings.batch_size)
            lines = self._format(buffer, take)
            if remaining is not None:
                remaining -= take
            if lines:
                self._send(lines)

    def _count_lost(self) -> None:
        buffer = self._client._buffer
        lost = self._pending
        while buffer:
            try:
                buffer.popleft()
            except IndexError:
                break
            self._counters.taken += 1
            lost += 1
        self._pending = 0
        self._counters.lost_at_shutdown += lost
        if lost:
            log.warning("Metrics client stopped before the endpoint took %d buffered points", lost)

    # --- formatting -------------------------------------------------------------

    def _format(self, buffer: deque[tuple[Any, Any, Any, int]], take: int) -> list[str]:
        counters = self._counters
        tags = self._tags
        anchor_wall = time.time_ns()
        anchor_mono = time.monotonic_ns()
        last = self._last_ts
        lines: list[str] = []
        popleft = buffer.popleft
        taken = 0
        for _ in range(take):
            try:
                shape, value, attributes, mono = popleft()
            except IndexError:
                break
            taken += 1
            # Record time in Unix ns, strictly increasing in shipping order so that two
            # points of one series never share a timestamp (InfluxDB keeps only the last).
            ts = anchor_wall - (anchor_mono - mono)
            if ts <= last:
                ts = last + 1
            try:
                if type(shape) is InstrumentShape:
                    line = format_instrument_line(shape, value, attributes, ts, tags, counters)
                else:
                    line = _event_line(shape, value, ts, counters)
            except Exception:  # a broken attribute's __str__ must not stop the sender
                counters.invalid += 1
                line = None
            if line is not None:
                lines.append(line)
                last = ts
        counters.taken += taken
        self._last_ts = last
        return lines

    # --- sending ----------------------------------------------------------------

    def _send(self, lines: list[str]) -> None:
        settings = self._settings
        counters = self._counters
        n = len(lines)
        self._pending = n
        body = "\n".join(lines).encode("utf-8")
        if settings.gzip:
            body = gzip.compress(body, compresslevel=1)
        delay = settings.initial_retry_delay
        while True:
            timeout = settings.request_timeout
            if self.deadline is not None:
                remaining = self.deadline - time.monotonic()
                if remaining <= 0:
                    raise _Deadline()
                timeout = min(timeout, remaining)
            result = self._writer.write(body, n, settings.gzip, timeout)
            if result.outcome is Outcome.SENT:
                counters.sent += n
                if self._failing:
                    log.info("Metrics endpoint %s accepts writes again", settings.url)
                    self._failing = False
                break
            if result.outcome is Outcome.REFUSED:
                refused = result.refused_lines
                counters.failed += refused
                counters.sent += n - refused
                log.error("Metrics endpoint %s refused %d of %d points: %s", settings.url, refused, n, result.error)
                break
            counters.retries += 1
            if result.outcome is Outcome.UNAUTHORIZED:
                counters.unauthorized += 1
                if self._writer.reload_token():
                    log.info("Metrics: re-read the token file after a 401; retrying with the new token")
            if not self._failing:
                log.warning("Writing metrics to %s failed, retrying: %s", settings.url, result.error)
                self._failing = True
            if result.retry_after is not None:
                wait = result.retry_after
            else:
                # Equal jitter: half the delay, plus up to the other half at random.
                wait = delay / 2 + random.random() * delay / 2
                delay = min(delay * 2, settings.max_retry_delay)
            self._sleep(wait)
        self._pending = 0

    def _sleep(self, seconds: float) -> None:
        if self.deadline is not None:
            remaining = self.deadline - time.monotonic()
            if remaining <= seconds:
                time.sleep(max(0.0, remaining))
                raise _Deadline()
            time.sleep(seconds)
            return
        # Before shutdown, wake early when it starts so its deadline applies.
        self._client._closing_event.wait(seconds)


def _event_line(shape: EventShape, values: Any, ts: int, counters: Any) -> str | None:
    try:
        return shape.line(values, ts, counters)
    except PointError as e:
        counters.invalid += 1
        log.warning("Metrics: skipping an event of %s: %s", shape.measurement, e)
        return None
