"""The app is never hurt: faults at the endpoint, fork, asyncio, interpreter exit."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from lsst_metrics import MeterProvider, MetricsClient
from support.lineproto import parse_lines
from support.listener import Listener, Scripted, wait_until

Make = Callable[..., MetricsClient]
SRC = str(Path(__file__).resolve().parents[1] / "src")


def values(listener: Listener) -> list[float]:
    return [p.fields["value"] for p in parse_lines(listener.lines)]


def test_down_then_back_loses_nothing_within_the_buffer_and_counts_drops_beyond(listener: Listener, make_client: Make) -> None:
    client = make_client(**listener.settings(buffer_capacity=1000, batch_size=250))
    c = MeterProvider(client).get_meter("m").create_counter("c")
    listener.state.available = False
    for i in range(900):
        c.add(i)
    wait_until(lambda: client.statistics.retries >= 2, what="retries while down")
    listener.state.available = True
    assert client.flush(20)
    assert sorted(values(listener)) == list(range(900))
    assert client.statistics.dropped == 0

    # Down again with far more than the buffer plus the batch held for retry.
    listener.state.lines.clear()
    listener.state.available = False
    retries = client.statistics.retries
    for i in range(5000):
        c.add(100_000 + i)
    wait_until(lambda: client.statistics.retries >= retries + 2, what="retrying again")
    listener.state.available = True
    assert client.flush(20)
    arrived = values(listener)
    stats = client.statistics
    assert stats.dropped > 0
    assert len(arrived) + stats.dropped == 5000, "every measurement arrived or was counted as dropped"
    assert len(set(arrived)) == len(arrived)
    newest = set(range(100_000 + 5000 - 1000, 100_000 + 5000))
    assert newest <= set(arrived), "the oldest are dropped, never the newest"
    assert stats.sent == 900 + len(arrived)


def test_429_and_503_with_retry_after_are_honoured(listener: Listener, make_client: Make) -> None:
    listener.state.script += [Scripted(429, retry_after="1"), Scripted(503, retry_after="1")]
    client = make_client(**listener.settings(initial_retry_delay=0.01, max_retry_delay=0.02))
    MeterProvider(client).get_meter("m").create_counter("c").add(1)
    assert client.flush(20)
    seen = listener.requests
    assert [r.status for r in seen] == [429, 503, 204]
    assert seen[1].at - seen[0].at >= 0.9 and seen[2].at - seen[1].at >= 0.9, "waited for Retry-After, not the 10-20 ms backoff"
    assert client.statistics.retries == 2 and values(listener) == [1]


def test_a_401_rereads_the_token_file_and_retries(listener: Listener, make_client: Make, tmp_path: Path) -> None:
    token_file = tmp_path / "METRICS_TOKEN"
    token_file.write_text("old-token\n")
    listener.state.token = "new-token"  # the operator rotated the listener's token
    options = listener.settings(token_file=str(token_file), initial_retry_delay=0.05, max_retry_delay=0.1)
    del options["token"]
    client = make_client(**options)
    MeterProvider(client).get_meter("m").create_counter("c").add(7)
    wait_until(lambda: client.statistics.unauthorized >= 2, what="401s while the file holds the old token")
    assert values(listener) == []
    token_file.write_text("new-token\n")  # the mounted Secret is updated
    assert client.flush(20)
    assert values(listener) == [7]
    unauthorized = [r for r in listener.requests if r.status == 401]
    assert unauthorized and all(r.authorization == "Token old-token" for r in unauthorized)
    assert listener.requests[-1].authorization == "Token new-token"
    stats = client.statistics
    assert stats.failed == 0 and stats.sent == 1 and stats.retries == stats.unauthorized


def test_a_partial_write_counts_only_what_was_dropped(listener: Listener, make_client: Make) -> None:
    # InfluxDB 1.6.7's answer when one line of a batch has a type conflict (measured in test_real_influxdb).
    listener.state.script.append(Scripted(400, body='{"error":"partial write: field type conflict: input field '
                                                    '\\"value\\" on measurement \\"m\\" is type float, already exists as type integer dropped=1"}'))
    client = make_client(**listener.settings(flush_interval=3600))
    c = MeterProvider(client).get_meter("m").create_counter("c")
    for _ in range(10):
        c.add(1)
    assert client.flush(20)
    stats = client.statistics
    assert (stats.sent, stats.failed, stats.retries) == (9, 1, 0)


def test_other_refusals_fail_the_batch_without_retry(listener: Listener, make_client: Make) -> None:
    listener.state.script.append(Scripted(403, body='{"code":"forbidden"}'))
    client = make_client(**listener.settings())
    c = MeterProvider(client).get_meter("m").create_counter("c")
    c.add(1)
    c.add(2)
    assert client.flush(20)
    assert (client.statistics.failed, client.statistics.retries) == (2, 0)


def test_a_slow_endpoint_does_not_slow_recording(listener: Listener, make_client: Make) -> None:
    listener.state.delay = 1.0
    client = make_client(**listener.settings(batch_size=100))
    h = MeterProvider(client).get_meter("m").create_histogram("h")
    start = time.perf_counter()
    for i in range(20_000):
        h.record(i)
    per_call = (time.perf_counter() - start) / 20_000
    assert per_call < 50e-6, f"{per_call * 1e6:.1f} µs per record while the endpoint takes 1 s per request"
    assert client.statistics.recorded == 20_000


def test_a_kept_alive_connection_closed_while_idle_is_reopened_without_a_retry(listener: Listener, make_client: Make) -> None:
    listener.state.close_silently = True
    client = make_client(**listener.settings())
    c = MeterProvider(client).get_meter("m").create_counter("c")
    for v in (1, 2, 3):
        c.add(v)
        assert client.flush(20)
    assert values(listener) == [1, 2, 3]
    assert client.statistics.retries == 0


def test_gzip_bodies_by_default(listener: Listener, make_client: Make) -> None:
    client = make_client(**listener.settings())
    MeterProvider(client).get_meter("m").create_counter("c").add(1)
    assert client.flush(20)
    assert [r.encoding for r in listener.requests] == ["gzip"]


def test_a_forked_child_ships_its_own_points_with_its_own_sender(listener: Listener, make_client: Make) -> None:
    client = make_client(**listener.settings(flush_interval=3600))
    c = MeterProvider(client).get_meter("m").create_counter("c")
    c.add(1, {"who": "parent-before-fork"})  # buffered, not yet sent: the parent's to deliver
    pid = os.fork()
    if pid == 0:  # the child: like a gunicorn worker
        code = 1
        try:
            c.add(2, {"who": "child"})
            ok = client.flush(10)
            code = 0 if ok and client.statistics.sent == 1 else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    c.add(3, {"who": "parent-after-fork"})
    assert client.flush(20)
    points = parse_lines(listener.lines)
    assert sorted((p.tags["who"], p.fields["value"]) for p in points) == [
        ("child", 2), ("parent-after-fork", 3), ("parent-before-fork", 1)], "nothing lost, nothing twice"


def test_asyncio_code_records_without_blocking_the_loop(listener: Listener, make_client: Make) -> None:
    listener.state.delay = 0.5  # every write takes half a second
    client = make_client(**listener.settings())
    h = MeterProvider(client).get_meter("m").create_histogram("h")

    async def main() -> tuple[float, bool]:
        worst = 0.0

        async def ticker() -> None:
            nonlocal worst
            for _ in range(50):
                t = time.perf_counter()
                await asyncio.sleep(0.01)
                worst = max(worst, time.perf_counter() - t - 0.01)

        async def handlers() -> None:
            for i in range(2000):
                h.record(i, {"route": "/a"})
                if i % 100 == 0:
                    await asyncio.sleep(0)

        await asyncio.gather(ticker(), handlers())
        flushed = await client.flush_async(20)
        return worst, flushed

    worst, flushed = asyncio.run(main())
    assert flushed
    assert len(values(listener)) == 2000
    assert worst < 0.4, f"the loop stalled {worst * 1000:.0f} ms"


def _run_app(listener: Listener, body: str, **env: str) -> tuple[subprocess.CompletedProcess[str], float]:
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {SRC!r})
        from lsst_metrics import MeterProvider, MetricsClient
        client = MetricsClient(url={listener.url!r}, org="rubin", bucket="apps", token="test-token", app="exit",
                               flush_interval=3600, shutdown_timeout=1.0, initial_retry_delay=0.05)
        c = MeterProvider(client).get_meter("m").create_counter("c")
    """) + textwrap.dedent(body)
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env=os.environ | env)
    return done, time.monotonic() - start


def test_interpreter_exit_flushes(listener: Listener) -> None:
    done, _ = _run_app(listener, """
        for i in range(1234):
            c.add(1)
        # no shutdown(): the atexit hook sends what is buffered
    """)
    assert done.returncode == 0, done.stderr
    assert len(values(listener)) == 1234


def test_interpreter_exit_gives_up_at_the_deadline(listener: Listener) -> None:
    listener.state.available = False
    done, elapsed = _run_app(listener, """
        for i in range(10):
            c.add(1)
    """)
    assert done.returncode == 0, done.stderr
    # The client's own warning (logging's last-resort handler writes it to stderr).
    assert "stopped before the endpoint took 10 buffered points" in done.stderr
    assert elapsed < 10, f"exit took {elapsed:.1f} s with a 1 s shutdown deadline"
