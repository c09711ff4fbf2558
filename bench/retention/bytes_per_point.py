#!/usr/bin/env python3
"""Bytes on disk per point of this stack's point shape, measured on a real InfluxDB (Debian's influxdb 1.6.7).

Writes POINTS points of the clients' point shape (one measurement per instrument, tags app/environment/host/unit plus
one of the measurement's own, one float field "value", nanosecond timestamps at a steady rate), lets the TSM engine
snapshot and fully compact the shard, and reads the shard's files. Prints the figures docs/retention.md uses.

    python3 bench/retention/bytes_per_point.py            # 1,000,000 points
    POINTS=200000 python3 bench/retention/bytes_per_point.py
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

POINTS = int(os.environ.get("POINTS", "1000000"))
RATE = 250  # points per second across the environment: 50 apps x 5 events/s
BATCH = 5000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    influxd = shutil.which("influxd") or "/usr/bin/influxd"
    if not os.path.exists(influxd):
        print("influxd not found: apt-get install influxdb", file=sys.stderr)
        return 2
    folder = tempfile.mkdtemp(prefix="bytes-per-point-")
    http = free_port()
    config = os.path.join(folder, "influxdb.conf")
    with open(config, "w", encoding="utf-8") as f:
        # Cold-shard snapshot and full compaction after 1 s instead of 10 min / 4 h, so the shard is measured as it
        # will sit on disk for years: fully compacted TSM.
        f.write(f"""reporting-disabled = true
bind-address = "127.0.0.1:{free_port()}"
[meta]
  dir = "{folder}/meta"
[data]
  dir = "{folder}/data"
  wal-dir = "{folder}/wal"
  index-version = "tsi1"
  cache-snapshot-write-cold-duration = "1s"
  compact-full-write-cold-duration = "1s"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:{http}"
  log-enabled = false
""")
    process = subprocess.Popen([influxd, "-config", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/ping", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        query(base, "CREATE DATABASE metrics")
        random.seed(7)
        apps = [f"app{i:02d}" for i in range(50)]
        start_ns = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z
        step_ns = 1_000_000_000 // RATE
        written = 0
        began = time.monotonic()
        raw_bytes = 0
        while written < POINTS:
            lines = []
            for i in range(written, min(written + BATCH, POINTS)):
                app = apps[i % len(apps)]
                result = "ok" if random.random() < 0.95 else "error"
                lines.append(
                    f"{app}.request.duration,app={app},environment=idfprod,host={app}-7d9c5b6f4-x2x9q,unit=ms,result={result} "
                    f"value={random.lognormvariate(3, 0.6):.3f} {start_ns + i * step_ns + random.randrange(step_ns)}")
            body = ("\n".join(lines) + "\n").encode()
            raw_bytes += len(body)
            request = urllib.request.Request(base + "/write?db=metrics&precision=ns", data=body, method="POST")
            with urllib.request.urlopen(request, timeout=60) as answer:
                assert answer.status == 204, answer.status
            written += len(lines)
        took = time.monotonic() - began
        count = query(base, 'SELECT count("value") FROM /.*/', db="metrics")
        stored = sum(series["values"][0][1] for series in count["results"][0].get("series", []))
        # Wait for the WAL to be snapshotted into TSM and the shard fully compacted (one TSM file per shard, WAL empty).
        for _ in range(240):
            wal = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(f"{folder}/wal") for f in fs)
            tsm = [os.path.join(d, f) for d, _, fs in os.walk(f"{folder}/data/metrics") for f in fs if f.endswith(".tsm")]
            shards = {os.path.dirname(t) for t in tsm}
            if wal == 0 and tsm and len(tsm) == len(shards):  # one fully compacted TSM file per shard
                break
            time.sleep(0.5)
        tsm_bytes = sum(os.path.getsize(p) for p in tsm)
        index_bytes = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(f"{folder}/data/metrics") for f in fs if not f.endswith(".tsm"))
        wal_left = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(f"{folder}/wal") for f in fs)
        per_point = tsm_bytes / stored
        with_index = (tsm_bytes + index_bytes) / stored
        per_year = per_point * RATE * 365 * 86400
        print(json.dumps({
            "influxdb": "1.6.7 (Debian)", "points_written": POINTS, "points_stored": stored, "write_seconds": round(took, 1),
            "line_protocol_bytes_per_point": round(raw_bytes / POINTS, 1),
            "tsm_bytes": tsm_bytes, "tsm_files": len(tsm), "index_bytes": index_bytes, "wal_bytes_left": wal_left,
            "tsm_bytes_per_point": round(per_point, 2), "bytes_per_point_with_index": round(with_index, 2),
            # The TSI index is mostly preallocated series-file segments: a fixed cost per database, not per point.
            "series": len(apps) * 2,
        }, indent=2))
        print(f"At {RATE} points/s (50 apps x 5 events/s): {per_year / 2**30:.1f} GiB per year of TSM; "
              f"a 100 GiB claim lasts {100 * 2**30 / per_year:.1f} years at that rate "
              f"({100 * 2**30 / (per_year * 10):.1f} years at 10x the rate).")
        return 0 if stored == POINTS else 1
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def query(base: str, q: str, db: str | None = None) -> dict:
    params = {"q": q} | ({"db": db} if db else {})
    with urllib.request.urlopen(base + "/query?" + urllib.parse.urlencode(params), timeout=120) as answer:
        return json.loads(answer.read())


if __name__ == "__main__":
    sys.exit(main())
