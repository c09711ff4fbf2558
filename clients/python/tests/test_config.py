"""Settings: keyword arguments, then the METRICS_* variables; errors name the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsst_metrics import ConfigurationError, Settings

FULL = {"METRICS_URL": "http://telegraf.metrics:8086", "METRICS_ORG": "rubin", "METRICS_BUCKET": "apps",
        "METRICS_TOKEN": "t0k", "METRICS_APP": "gafaelfawr", "METRICS_ENVIRONMENT": "idfdev", "POD_NAME": "gf-1"}


def test_everything_from_the_environment() -> None:
    s = Settings.resolve(environ=FULL)
    assert (s.url, s.org, s.bucket, s.token) == ("http://telegraf.metrics:8086", "rubin", "apps", "t0k")
    assert s.global_tags == (("app", "gafaelfawr"), ("environment", "idfdev"), ("host", "gf-1"))


def test_keywords_win_over_the_environment() -> None:
    s = Settings.resolve(environ=FULL, app="other", bucket="b2")
    assert s.app == "other" and s.bucket == "b2"


def test_hostname_when_no_pod_name() -> None:
    env = {k: v for k, v in FULL.items() if k != "POD_NAME"} | {"HOSTNAME": "node-7"}
    assert ("host", "node-7") in Settings.resolve(environ=env).global_tags


@pytest.mark.parametrize(("variable", "setting"), [("METRICS_URL", "url"), ("METRICS_ORG", "org"),
                                                   ("METRICS_BUCKET", "bucket"), ("METRICS_TOKEN", "token")])
def test_a_missing_connection_setting_is_named(variable: str, setting: str) -> None:
    env = {k: v for k, v in FULL.items() if k != variable}
    with pytest.raises(ConfigurationError) as e:
        Settings.resolve(environ=env)
    assert e.value.setting == setting
    assert variable in str(e.value)


def test_a_bad_url_is_named() -> None:
    with pytest.raises(ConfigurationError, match="'url'.*http or https"):
        Settings.resolve(environ=FULL | {"METRICS_URL": "telegraf:8086"})


def test_token_file_wins_over_the_token(tmp_path: Path) -> None:
    path = tmp_path / "METRICS_TOKEN"
    path.write_text("from-file\n")
    s = Settings.resolve(environ=FULL | {"METRICS_TOKEN_FILE": str(path)})
    assert s.token == "from-file" and s.token_file == str(path)


def test_an_unreadable_token_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as e:
        Settings.resolve(environ=FULL | {"METRICS_TOKEN_FILE": str(tmp_path / "absent")})
    assert e.value.setting == "token_file" and "METRICS_TOKEN_FILE" in str(e.value)


@pytest.mark.parametrize(("option", "value"), [("batch_size", 5001), ("batch_size", 0), ("buffer_capacity", 10),
                                               ("flush_interval", 0), ("request_timeout", -1), ("max_retry_delay", 0.01)])
def test_out_of_range_options_are_named(option: str, value: object) -> None:
    with pytest.raises(ConfigurationError) as e:
        Settings.resolve(environ=FULL, **{option: value})
    assert e.value.setting == option


def test_an_unknown_option_is_named() -> None:
    with pytest.raises(ConfigurationError) as e:
        Settings.resolve(environ=FULL, batchsize=10)
    assert e.value.setting == "batchsize"


@pytest.mark.parametrize("key", ["app", "host", "unit", "time"])
def test_global_tags_may_not_repeat_the_clients_own(key: str) -> None:
    with pytest.raises(ConfigurationError, match="global_tags"):
        Settings.resolve(environ=FULL, global_tags={key: "x"})


def test_a_global_tag_value_line_protocol_cannot_carry() -> None:
    with pytest.raises(ConfigurationError, match="ends with a backslash"):
        Settings.resolve(environ=FULL, global_tags={"site": "c:\\"})
