"""The mobu AppAlert sample (config/samples/metrics.lsst.io_v1alpha1_appalert_mobu.yaml) over points the client
itself writes: mobu's notebook_execution event, published through EventManager as mobu would through this client,
stored in a real InfluxDB 1.6.7, then read with the sample's own InfluxQL (its FROM pointed at the client's
measurement, "mobu.notebook_execution", as the sample's header says). The Kafka path's points are covered by the
operator's SampleQueryTests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from lsst_metrics import EventManager
from support.influxd import Influxd
from test_real_influxdb import Make, Relay, relay_client

SAMPLE = Path(__file__).resolve().parents[3] / "config" / "samples" / "metrics.lsst.io_v1alpha1_appalert_mobu.yaml"
KAFKA_MEASUREMENT = "lsst.square.app-metrics.events.mobu.notebook_execution"


@dataclass
class NotebookExecution:
    """lsst-sqre/mobu src/mobu/events.py (commit 15ec672d): EventBase, NotebookBase and NotebookExecution's fields."""

    flock: str | None
    business: str
    username: str
    notebook: str
    repo: str
    repo_ref: str
    repo_hash: str
    duration: timedelta | None
    success: bool


def sample_queries() -> dict[tuple[str, str], str]:
    alert: dict[str, Any] = yaml.safe_load(SAMPLE.read_text())
    queries: dict[tuple[str, str], str] = {}
    for rule in alert["spec"]["rules"]:
        if "query" in rule:
            if rule["query"]["language"] == "InfluxQL":
                queries[(rule["name"], "A")] = rule["query"]["text"]
        else:
            for query in rule["queries"]:
                if query["language"] == "InfluxQL":
                    queries[(rule["name"], query["name"])] = query["text"]
    return queries


def test_the_mobu_samples_queries_count_what_the_client_wrote(relay: Relay, make_client: Make, influxd: Influxd) -> None:
    client = relay_client(relay, make_client, app="mobu", environment="idfdev")
    publisher = EventManager(client).create_publisher("notebook_execution", NotebookExecution, tags=("business",))
    runs = [("NotebookRunnerTutorials", 42.5, True), ("NotebookRunnerTutorials", None, False),
            ("NotebookRunnerTutorials", 55.25, False), ("NotebookRunnerSystemTest", 1900.0, True),
            ("NotebookRunnerSystemTest", 120.0, False), ("NotebookRunnerSystemTest", 118.0, True)]
    for business, seconds, success in runs:
        duration = None if seconds is None else timedelta(seconds=seconds)
        publisher.publish(NotebookExecution("tutorials", business, "bot-mobu-user01", "tutorial.ipynb",
                                            "https://github.com/lsst/tutorial-notebooks", "main", "3f2a9c1", duration, success))
    assert client.flush(20)
    assert client.statistics.failed == 0 and client.statistics.invalid == 0

    queries = sample_queries()
    assert len(queries) == 4, "every InfluxQL query of the sample is run below"
    db = relay[1]

    def run(rule: str, name: str) -> list[dict[str, Any]]:
        text = queries[(rule, name)].replace('"metrics".', f'"{db}".').replace(KAFKA_MEASUREMENT, "mobu.notebook_execution")
        return influxd.rows(text.replace("$timeFilter", "time > now() - 2h"), db)

    assert [r["count"] for r in run("Notebook executions failing", "failed")] == [3]
    assert [r["count"] for r in run("Notebook executions failing", "runs")] == [6]
    assert sum(r["count"] for r in run("Notebook executions stopped or hang", "runs")) == 6
    longest = {r["business"]: r["max"] for r in run("Notebook executions stopped or hang", "longest")}
    assert longest == {"NotebookRunnerSystemTest": 1900.0, "NotebookRunnerTutorials": 55.25}
