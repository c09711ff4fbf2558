"""The client's own counts."""

from __future__ import annotations

import itertools
from dataclasses import dataclass


@dataclass(frozen=True)
class ClientStatistics:
    """Counts kept since the client started (or since the fork that made this process).

    ``recorded``: measurements and events accepted into the buffer.
    ``sent``: points the endpoint stored.
    ``dropped``: discarded because the buffer was full, or still unsent at the shutdown deadline.
    ``failed``: points the endpoint refused for good (400 other than the retried cases, 403, 404, 413).
    ``retries``: write attempts that failed and were retried.
    ``unauthorized``: 401 answers (the token file is re-read and the batch retried).
    ``non_finite``: NaN or infinite values skipped.
    ``invalid``: points skipped because line protocol or InfluxDB cannot carry them.
    ``renamed``: tags named ``time`` renamed to ``time_`` (InfluxDB refuses the key ``time``).
    ``callback_errors``: observable callbacks that raised.
    ``buffered``: waiting in the buffer now.
    """

    recorded: int
    sent: int
    dropped: int
    failed: int
    retries: int
    unauthorized: int
    non_finite: int
    invalid: int
    renamed: int
    callback_errors: int
    buffered: int


class Counters:
    """Counters written by one thread each (the sender, or the recorders through
    ``itertools.count``, whose ``next`` is atomic under the GIL), so no lock is needed."""

    def __init__(self) -> None:
        self.recorded = itertools.count()
        self.taken = 0  # read from the buffer by the sender
        self.sent = 0
        self.lost_at_shutdown = 0
        self.failed = 0
        self.retries = 0
        self.unauthorized = 0
        self.non_finite = 0
        self.invalid = 0
        self.renamed = 0
        self.callback_errors = 0

    def recorded_so_far(self) -> int:
        # Peeking at an itertools.count means reading its repr: "count(N)".
        return int(repr(self.recorded)[6:-1])

    def snapshot(self, buffered: int) -> ClientStatistics:
        recorded = self.recorded_so_far()
        # Whatever was recorded and neither taken nor still buffered was pushed out of the
        # full buffer (deque(maxlen) drops the oldest on append).
        overflowed = max(0, recorded - self.taken - buffered)
        return ClientStatistics(
            recorded=recorded,
            sent=self.sent,
            dropped=overflowed + self.lost_at_shutdown,
            failed=self.failed,
            retries=self.retries,
            unauthorized=self.unauthorized,
            non_finite=self.non_finite,
            invalid=self.invalid,
            renamed=self.renamed,
            callback_errors=self.callback_errors,
            buffered=buffered,
        )
