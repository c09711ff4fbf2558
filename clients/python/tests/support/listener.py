"""A loopback stand-in for Telegraf's influxdb_v2_listener, with fault injection.

What it models, and from where:
- ``POST /api/v2/write?org=&bucket=&precision=`` with a gzip or plain body, 204 when stored
  (Telegraf plugins/inputs/influxdb_v2_listener).
- With a token, the whole ``Authorization`` header must equal ``Token <token>``; otherwise
  401 with body ``Unauthorized\\n`` as text/plain (Telegraf internal/http.go GenericAuthHandler).
- Faults: down (the connection is closed without an answer), a kept-alive connection closed
  between writes (as an idle timeout does), scripted answers (429/503 with
  Retry-After, 400 partial writes), a delay before answering (slow endpoint).
- ``forward_to``: instead of storing, relay the body to a real InfluxDB 1.x ``/write``
  (db = bucket) and answer what it answered: the client's real HTTP path, InfluxDB's real parser.
"""

from __future__ import annotations

import gzip
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "test-token"
ORG = "rubin"
BUCKET = "apps"


@dataclass
class Scripted:
    status: int
    retry_after: str | None = None
    body: str = ""


@dataclass
class Seen:
    at: float
    status: int
    lines: int
    encoding: str | None
    authorization: str | None


@dataclass
class State:
    token: str = TOKEN
    available: bool = True
    delay: float = 0.0
    count_only: bool = False
    # Close each connection after answering, without saying so (no "Connection: close"): what a
    # server's idle timeout does to a kept-alive connection between two writes.
    close_silently: bool = False
    script: list[Scripted] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    line_count: int = 0
    requests: list[Seen] = field(default_factory=list)
    forward: Callable[[str, bytes, str | None], tuple[int, str]] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        # For the benchmark, whose listener runs in another process: how many lines arrived.
        state = self.server.state
        with state.lock:
            count = state.line_count
        self._answer(200 if self.path == "/count" else 404, str(count), 0, None, None, content_type="text/plain")

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if not state.available:
            # Down: no answer at all, the connection just closes.
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if state.delay:
            time.sleep(state.delay)
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        authorization = self.headers.get("Authorization")
        encoding = self.headers.get("Content-Encoding")
        if url.path != "/api/v2/write":
            return self._answer(404, "", 0, encoding, authorization)
        if authorization != f"Token {state.token}":
            return self._answer(401, "Unauthorized\n", 0, encoding, authorization, content_type="text/plain; charset=utf-8")
        if query.get("org") != ORG or query.get("bucket") is None or query.get("precision") != "ns":
            return self._answer(400, '{"code":"invalid","message":"bad org, bucket or precision"}', 0, encoding, authorization)
        with state.lock:
            scripted = state.script.pop(0) if state.script else None
        if scripted is not None:
            headers = {"Retry-After": scripted.retry_after} if scripted.retry_after else {}
            return self._answer(scripted.status, scripted.body, 0, encoding, authorization, headers=headers)
        body = gzip.decompress(raw) if encoding == "gzip" else raw
        if state.forward is not None:
            status, text = state.forward(query["bucket"], raw, encoding)
            return self._answer(status, text, 0, encoding, authorization)
        if state.count_only:
            n = body.count(b"\n") + (1 if body and not body.endswith(b"\n") else 0)
            with state.lock:
                state.line_count += n
            return self._answer(204, "", n, encoding, authorization)
        lines = body.decode("utf-8").split("\n")
        with state.lock:
            state.lines.extend(lines)
            state.line_count += len(lines)
        self._answer(204, "", len(lines), encoding, authorization)

    def _answer(self, status: int, body: str, lines: int, encoding: str | None, authorization: str | None,
                content_type: str = "application/json", headers: dict[str, str] | None = None) -> None:
        state = self.server.state
        with state.lock:
            state.requests.append(Seen(time.monotonic(), status, lines, encoding, authorization))
        data = body.encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if data:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        if state.close_silently:
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: State


class Listener:
    def __init__(self) -> None:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.state = State()
        self.state = self.server.state
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def lines(self) -> list[str]:
        with self.state.lock:
            return list(self.state.lines)

    @property
    def requests(self) -> list[Seen]:
        with self.state.lock:
            return list(self.state.requests)

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """Keyword settings for a client writing here, fast enough for tests."""
        options: dict[str, Any] = dict(
            url=self.url, org=ORG, bucket=BUCKET, token=TOKEN, app="test-app", environment="test-env",
            environ={"POD_NAME": "pod-1"}, flush_interval=0.05, initial_retry_delay=0.02, max_retry_delay=0.2,
            observable_interval=3600,
        )
        options.update(overrides)
        return options

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve_counting() -> None:
    """Runs a counting listener in this process until killed; prints its URL first."""
    server = Listener()
    server.state.count_only = True
    print(server.url, flush=True)
    server.thread.join()


def wait_until(condition: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
    """Waits for a condition; a hang guard, not a speed check."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s: {what}")
        time.sleep(0.01)
