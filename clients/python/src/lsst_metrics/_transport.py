"""One write request to Telegraf's influxdb_v2_listener (or InfluxDB v2), classified."""

from __future__ import annotations

import email.utils
import enum
import http.client
import re
import time
import urllib.parse
from dataclasses import dataclass

from ._config import Settings, read_token_file

LONGEST_RETRY_AFTER = 300.0

_DROPPED = re.compile(r"dropped=(\d+)")


class Outcome(enum.Enum):
    SENT = "sent"
    RETRY = "retry"  # network error, timeout, 5xx, 408, 429
    UNAUTHORIZED = "unauthorized"  # 401: the token may have been rotated
    REFUSED = "refused"  # 400 (possibly partial), 403, 404, 413: retrying cannot help


@dataclass(frozen=True)
class WriteResult:
    outcome: Outcome
    refused_lines: int = 0
    retry_after: float | None = None
    error: str | None = None


def refused_line_count(message: str, lines: int) -> int:
    """How many lines of a 400-answered batch were not stored.

    InfluxDB stores the lines it could parse and write, and says what it did not:
    ``partial write: <why> dropped=N`` for lines the engine refused, plus one
    ``unable to parse '<line>': <why>`` per line the parser refused (InfluxDB 1.6.7
    then appends ``dropped=0``: measured, see docs/point-shape.md). Telegraf's listener
    parses the whole body first and refuses all of it on a parse error, without these
    markers: then every line counts as refused.
    """
    dropped = [int(m) for m in _DROPPED.findall(message)]
    unparsed = message.count("unable to parse")
    if not dropped and not unparsed:
        return lines
    return min(lines, sum(dropped) + unparsed)


def retry_after_seconds(header: str | None) -> float | None:
    """Retry-After as delta-seconds or an HTTP date (RFC 9110 10.2.3), capped at 5 minutes."""
    if not header:
        return None
    header = header.strip()
    try:
        seconds = float(header)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    if seconds != seconds or seconds < 0:
        return None
    return min(seconds, LONGEST_RETRY_AFTER)


class HttpWriter:
    """Keeps one keep-alive connection; builds the request InfluxDB v2's write API expects."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        parts = urllib.parse.urlsplit(settings.url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or ""
        self._port = parts.port
        query = urllib.parse.urlencode({"org": settings.org, "bucket": settings.bucket, "precision": "ns"})
        self._path = f"{parts.path.rstrip('/')}/api/v2/write?{query}"
        self._token = settings.token
        self._connection: http.client.HTTPConnection | None = None

    def reload_token(self) -> bool:
        """Re-reads the token file after a 401; True when the token changed."""
        if self._settings.token_file is None:
            return False
        try:
            token = read_token_file(self._settings.token_file)
        except ValueError:
            return False
        changed = token != self._token
        self._token = token
        return changed

    def write(self, body: bytes, lines: int, gzipped: bool, timeout: float) -> WriteResult:
        headers = {
            "Authorization": f"Token {self._token}",
            "Content-Type": "text/plain; charset=utf-8",
        }
        if gzipped:
            headers["Content-Encoding"] = "gzip"
        for attempt in range(2):
            reused = self._connection is not None
            try:
                connection = self._connect(timeout)
                connection.request("POST", self._path, body=body, headers=headers)
                response = connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                status = response.status
                retry_after = retry_after_seconds(response.getheader("Retry-After"))
                if response.will_close:
                    self.close()
                break
            except (OSError, http.client.HTTPException) as e:
                self.close()
                # A kept-alive connection the server closed while idle (Go's http.Server does after its
                # idle timeout) fails at once: reconnect once before calling it a failure.
                if reused and attempt == 0 and isinstance(e, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)):
                    continue
                return WriteResult(Outcome.RETRY, error=f"{type(e).__name__}: {e}")
        if 200 <= status < 300:
            return WriteResult(Outcome.SENT)
        error = f"HTTP {status}: {text.strip()[:500]}"
        if status == 401:
            return WriteResult(Outcome.UNAUTHORIZED, error=error)
        if status in (408, 429) or status >= 500:
            return WriteResult(Outcome.RETRY, retry_after=retry_after if status in (429, 503) else None, error=error)
        if status == 400:
            return WriteResult(Outcome.REFUSED, refused_lines=refused_line_count(text, lines), error=error)
        return WriteResult(Outcome.REFUSED, refused_lines=lines, error=error)

    def _connect(self, timeout: float) -> http.client.HTTPConnection:
        connection = self._connection
        if connection is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            connection = cls(self._host, self._port, timeout=timeout)
            self._connection = connection
        else:
            connection.timeout = timeout
            if connection.sock is not None:
                connection.sock.settimeout(timeout)
        return connection

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except OSError:
                pass
            self._connection = None
