"""A real InfluxDB 1.6.7 (Debian's ``influxdb`` package) started for the tests.

Its line-protocol parser and InfluxQL engine are the real ones; only the write path
differs from InfluxDB v2 (``/write?db=...&precision=ns`` instead of ``/api/v2/write``),
so the tests send the very bodies the client would send to Telegraf.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

INFLUXD = shutil.which("influxd") or "/usr/bin/influxd"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class WriteAnswer:
    status: int
    body: str


class Influxd:
    """One ``influxd`` process on free loopback ports with a temporary data folder."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="lsst-metrics-influxd-")
        self.http_port = free_port()
        rpc_port = free_port()
        config = os.path.join(self.dir, "influxdb.conf")
        with open(config, "w", encoding="utf-8") as f:
            f.write(
                f"""reporting-disabled = true
bind-address = "127.0.0.1:{rpc_port}"
[meta]
  dir = "{self.dir}/meta"
[data]
  dir = "{self.dir}/data"
  wal-dir = "{self.dir}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:{self.http_port}"
  log-enabled = false
[logging]
  level = "error"
"""
            )
        self.log = open(os.path.join(self.dir, "influxd.log"), "wb")
        self.process = subprocess.Popen(
            [INFLUXD, "run", "-config", config], stdout=self.log, stderr=subprocess.STDOUT
        )
        self.url = f"http://127.0.0.1:{self.http_port}"
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"influxd exited with {self.process.returncode}: {self.log_text()}")
            try:
                with urllib.request.urlopen(self.url + "/ping", timeout=1) as r:
                    if r.status == 204:
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("influxd did not answer /ping within 30 s: " + self.log_text())

    def log_text(self) -> str:
        with open(os.path.join(self.dir, "influxd.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")[-2000:]

    def create_database(self, db: str) -> None:
        self.query(f'CREATE DATABASE "{db}"', db=None, method="POST")

    def write(self, db: str, body: bytes, gzip: bool = False) -> WriteAnswer:
        """POSTs a line-protocol body to the 1.x write path at nanosecond precision."""
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        if gzip:
            headers["Content-Encoding"] = "gzip"
        request = urllib.request.Request(
            f"{self.url}/write?db={urllib.parse.quote(db)}&precision=ns",
            data=body,
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return WriteAnswer(r.status, r.read().decode())
        except urllib.error.HTTPError as e:
            return WriteAnswer(e.code, e.read().decode())

    def query(self, q: str, db: str | None, method: str = "GET") -> dict[str, Any]:
        params = {"q": q, "epoch": "ns"}
        if db is not None:
            params["db"] = db
        data = urllib.parse.urlencode(params).encode()
        if method == "GET":
            request = urllib.request.Request(f"{self.url}/query?{data.decode()}")
        else:
            request = urllib.request.Request(f"{self.url}/query", data=data, method="POST")
        with urllib.request.urlopen(request, timeout=30) as r:
            result: dict[str, Any] = json.loads(r.read().decode())
        for statement in result.get("results", []):
            if "error" in statement:
                raise RuntimeError(f"InfluxQL error for {q!r}: {statement['error']}")
        return result

    def rows(self, q: str, db: str) -> list[dict[str, Any]]:
        """The rows of a query's first statement, one dict per row, with the series' tags merged in."""
        out: list[dict[str, Any]] = []
        for statement in self.query(q, db)["results"]:
            for series in statement.get("series", []):
                for values in series["values"]:
                    row = dict(zip(series["columns"], values))
                    row.update(series.get("tags") or {})
                    row["_measurement"] = series["name"]
                    out.append(row)
        return out

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
