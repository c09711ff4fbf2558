"""Settings: keyword arguments first, then the METRICS_* environment variables the
MetricsStack publishes (the same names as the .NET client)."""

from __future__ import annotations

import os
import socket
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

from ._line_protocol import RESERVED_KEY, text_problem

URL_VARIABLE = "METRICS_URL"
ORG_VARIABLE = "METRICS_ORG"
BUCKET_VARIABLE = "METRICS_BUCKET"
TOKEN_VARIABLE = "METRICS_TOKEN"
TOKEN_FILE_VARIABLE = "METRICS_TOKEN_FILE"
APP_VARIABLE = "METRICS_APP"
ENVIRONMENT_VARIABLE = "METRICS_ENVIRONMENT"

CLIENT_TAGS = ("app", "environment", "host", "unit")


class ConfigurationError(ValueError):
    """A setting is missing or invalid; ``setting`` names it."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"Metrics client setting '{setting}' {message}")
        self.setting = setting


@dataclass(frozen=True)
class Settings:
    """Every value the client runs with, validated. Build with :meth:`resolve`."""

    url: str
    org: str
    bucket: str
    token: str
    token_file: str | None
    global_tags: tuple[tuple[str, str], ...]
    unit_tag: bool = True
    buffer_capacity: int = 50_000
    batch_size: int = 5_000
    flush_interval: float = 1.0
    observable_interval: float = 10.0
    shutdown_timeout: float = 5.0
    request_timeout: float = 10.0
    initial_retry_delay: float = 0.2
    max_retry_delay: float = 30.0
    gzip: bool = True
    raise_on_error: bool = False

    @property
    def app(self) -> str:
        return dict(self.global_tags)["app"]

    @staticmethod
    def resolve(
        *,
        url: str | None = None,
        org: str | None = None,
        bucket: str | None = None,
        token: str | None = None,
        token_file: str | None = None,
        app: str | None = None,
        environment: str | None = None,
        global_tags: Mapping[str, str] | None = None,
        environ: Mapping[str, str] | None = None,
        **options: object,
    ) -> Settings:
        """Resolves keyword arguments, falling back to the environment variables.

        Raises ConfigurationError naming the setting (and its variable) when one is
        missing or invalid.
        """
        env = os.environ if environ is None else environ

        url_text = _required(url, "url", URL_VARIABLE, env)
        parsed = urllib.parse.urlsplit(url_text)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ConfigurationError("url", f"(or {URL_VARIABLE}) must be an absolute http or https URL, got {url_text!r}.")
        org_text = _required(org, "org", ORG_VARIABLE, env)
        bucket_text = _required(bucket, "bucket", BUCKET_VARIABLE, env)

        file_path = _first(token_file, env.get(TOKEN_FILE_VARIABLE))
        if file_path is not None:
            # The mounted Secret wins over METRICS_TOKEN: it survives rotation.
            token_text = read_token_file(file_path)
        else:
            token_text = _required(token, "token", TOKEN_VARIABLE, env)

        app_text = _first(app, env.get(APP_VARIABLE)) or "unknown"
        environment_text = _first(environment, env.get(ENVIRONMENT_VARIABLE))
        host = _first(env.get("POD_NAME"), env.get("HOSTNAME"), socket.gethostname())

        tags: list[tuple[str, str]] = []
        _add_tag(tags, "app", app_text, "app")
        if environment_text is not None:
            _add_tag(tags, "environment", environment_text, "environment")
        if host is not None:
            _add_tag(tags, "host", host, "POD_NAME/HOSTNAME")
        for key, value in sorted((global_tags or {}).items()):
            setting = f"global_tags[{key!r}]"
            problem = text_problem(key)
            if problem is not None:
                raise ConfigurationError(setting, f"has a key that line protocol cannot carry: it {problem}.")
            if key in CLIENT_TAGS or key == RESERVED_KEY:
                raise ConfigurationError(setting, "repeats a tag the client sets itself (app, environment, host, unit) or 'time'.")
            if value:
                _add_tag(tags, key, value, setting)

        known = {f for f in Settings.__dataclass_fields__} - {
            "url", "org", "bucket", "token", "token_file", "global_tags",
        }
        for name in options:
            if name not in known:
                raise ConfigurationError(name, f"is not a setting of the metrics client (known: {', '.join(sorted(known))}).")
        settings = Settings(
            url=url_text.rstrip("/"),
            org=org_text,
            bucket=bucket_text,
            token=token_text,
            token_file=file_path,
            global_tags=tuple(tags),
            **options,  # type: ignore[arg-type]
        )
        settings._validate()
        return settings

    def _validate(self) -> None:
        if not isinstance(self.buffer_capacity, int) or not 1_000 <= self.buffer_capacity <= 10_000_000:
            raise ConfigurationError("buffer_capacity", f"must be an integer between 1000 and 10000000, got {self.buffer_capacity!r}.")
        if not isinstance(self.batch_size, int) or not 1 <= self.batch_size <= 5_000:
            raise ConfigurationError("batch_size", f"must be an integer between 1 and 5000 (InfluxDB's advice), got {self.batch_size!r}.")
        for name in ("flush_interval", "observable_interval", "shutdown_timeout", "request_timeout",
                     "initial_retry_delay", "max_retry_delay"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise ConfigurationError(name, f"must be a positive number of seconds, got {value!r}.")
        if self.max_retry_delay < self.initial_retry_delay:
            raise ConfigurationError("max_retry_delay", "must not be shorter than initial_retry_delay.")


def read_token_file(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read().strip()
    except OSError as e:
        raise ConfigurationError("token_file", f"(or {TOKEN_FILE_VARIABLE}) cannot be read: {e.strerror} ({path}).") from None
    if not text:
        raise ConfigurationError("token_file", f"(or {TOKEN_FILE_VARIABLE}) names an empty file ({path}).")
    return text


def _first(*values: str | None) -> str | None:
    for v in values:
        if v is not None and v.strip():
            return v.strip()
    return None


def _required(value: str | None, name: str, variable: str, env: Mapping[str, str]) -> str:
    resolved = _first(value, env.get(variable))
    if resolved is None:
        raise ConfigurationError(name, f"is not set: pass {name}= or set the environment variable {variable}.")
    return resolved


def _add_tag(tags: list[tuple[str, str]], key: str, value: str, setting: str) -> None:
    problem = text_problem(value)
    if problem is not None:
        raise ConfigurationError(setting, f"has a value that line protocol cannot carry as a tag: it {problem}.")
    tags.append((key, value))
