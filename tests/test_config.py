from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

import unsend
from unsend import ConfigError, parse_dsn

SECRET = "s3cr3t-token-value"


@pytest.mark.parametrize(
    ("dsn", "expected"),
    [
        (
            "qstash://TOKEN@us-east-1",
            {"provider": "qstash", "token": "TOKEN", "region": "us-east-1"},
        ),
        ("qstash://TOKEN@", {"provider": "qstash", "token": "TOKEN"}),
        ("onesignal://APP:KEY@", {"provider": "onesignal", "app_id": "APP", "api_key": "KEY"}),
        ("courier://TOKEN@", {"provider": "courier", "token": "TOKEN"}),
        ("courier://a%40b%2Fc@", {"provider": "courier", "token": "a@b/c"}),
        ("QStash://T@?timeout=3", {"provider": "qstash", "token": "T", "timeout": "3"}),
        (
            "courier://T@?base_url=http%3A%2F%2F127.0.0.1%3A8288&max_attempts=2",
            {
                "provider": "courier",
                "token": "T",
                "base_url": "http://127.0.0.1:8288",
                "max_attempts": "2",
            },
        ),
    ],
)
def test_dsn_forms(dsn: str, expected: dict[str, str]) -> None:
    assert parse_dsn(dsn) == expected


@pytest.mark.parametrize(
    ("dsn", "match"),
    [
        ("not a dsn", "provider://"),
        ("pigeon://x@", "unknown provider 'pigeon'"),
        ("qstsh://x@", "did you mean 'qstash'"),
        ("courier://x@somehost", "takes no host"),
        ("courier://a:b@", "more credentials"),
        ("courier://x@/path", "no path"),
        ("courier://x@?timeout=1&timeout=2", "twice"),
    ],
)
def test_bad_dsns(dsn: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        parse_dsn(dsn)


def test_from_config_with_a_dsn_builds_the_provider_and_client_options() -> None:
    canceller = unsend.from_config(
        "qstash://TOK@us-east-1?timeout=3&max_attempts=2&deadline=9&backoff_initial=0.1&jitter=0"
    )
    assert isinstance(canceller, unsend.Canceller)
    assert isinstance(canceller.provider, unsend.QStash)
    assert canceller.provider.base_url == "https://qstash-us-east-1.upstash.io"
    assert canceller.timeout == httpx.Timeout(3, connect=3)
    assert canceller.retry == unsend.RetryPolicy(max_attempts=2, deadline=9, initial=0.1, jitter=0)
    canceller.close()


def test_from_config_mapping_and_async_flag() -> None:
    config = {
        "provider": "onesignal",
        "app_id": "app",
        "api_key": "key",
        "base_url": "http://127.0.0.1:9",
        "max_rate": 100,
    }
    canceller = unsend.from_config(config, asynchronous=True)
    assert isinstance(canceller, unsend.AsyncCanceller)
    assert canceller.provider.base_url == "http://127.0.0.1:9"  # type: ignore[attr-defined]
    assert canceller.gate.interval == pytest.approx(0.01)
    anyio.run(canceller.aclose)


def test_switching_provider_is_the_only_change() -> None:
    built = [
        type(unsend.from_config({"provider": name, **creds}).provider).__name__
        for name, creds in [
            ("qstash", {"token": "t"}),
            ("onesignal", {"app_id": "a", "api_key": "k"}),
            ("courier", {"token": "t"}),
        ]
    ]
    assert built == ["QStash", "OneSignal", "Courier"]


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({}, "needs 'provider'"),
        ({"provider": "courier"}, "missing token for courier"),
        ({"provider": "courier", "token": SECRET, "tokn": "x"}, "did you mean 'token'"),
        ({"provider": "courier", "token": SECRET, "timeout": "soon"}, "timeout must be a number"),
        ({"provider": "courier", "token": SECRET, "timeout": 0}, "positive"),
        ({"provider": "courier", "token": SECRET, "max_attempts": "1.5"}, "integer"),
        ({"provider": "courier", "token": SECRET, "deadline": float("inf")}, "positive"),
        ({"provider": "courier", "token": 5}, "token must be a string"),
        ({"provider": "qstash", "token": SECRET, "region": "mars-1"}, "unknown QStash region"),
        ({"provider": "qstash", "token": SECRET, "base_url": "ftp://x"}, "http"),
        ({"dsn": f"courier://{SECRET}@", "token": "x"}, "both in the DSN and beside it"),
        ({"provider": 7}, "unknown provider"),
    ],
)
def test_bad_configuration_names_the_key_and_never_the_secret(
    config: dict[str, Any], match: str
) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        unsend.from_config(config)
    assert SECRET not in str(info.value)
    assert SECRET not in repr(info.value)


def test_from_env_with_a_dsn_or_separate_variables() -> None:
    canceller = unsend.from_env(environ={"UNSEND_DSN": "courier://tok@?max_attempts=2"})
    assert isinstance(canceller.provider, unsend.Courier)
    assert canceller.retry.max_attempts == 2
    canceller = unsend.from_env(
        environ={
            "UNSEND_PROVIDER": "onesignal",
            "UNSEND_APP_ID": "app",
            "UNSEND_API_KEY": "key",
            "UNSEND_TIMEOUT": "4",
            "UNSEND_RECORD": "emulator",
            "UNRELATED": "x",
        }
    )
    assert isinstance(canceller.provider, unsend.OneSignal)
    assert canceller.timeout.read == 4
    other = unsend.from_env(
        "MYAPP_", environ={"MYAPP_PROVIDER": "qstash", "MYAPP_TOKEN": "t"}, asynchronous=True
    )
    assert isinstance(other, unsend.AsyncCanceller)


def test_from_env_refuses_nothing_and_near_misses() -> None:
    with pytest.raises(ConfigError, match="UNSEND_DSN"):
        unsend.from_env(environ={})
    with pytest.raises(ConfigError, match="did you mean UNSEND_TOKEN"):
        unsend.from_env(environ={"UNSEND_PROVIDER": "courier", "UNSEND_TOKNE": SECRET})


def test_from_toml_standalone_and_pyproject(tmp_path: Path) -> None:
    standalone = tmp_path / "unsend.toml"
    standalone.write_text('provider = "qstash"\ntoken = "t"\nregion = "eu-central-1"\n')
    assert unsend.from_toml(standalone).provider.base_url.endswith("eu-central-1.upstash.io")  # type: ignore[attr-defined]
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "x"\n\n[tool.unsend]\ndsn = "courier://t@"\nmax_attempts = 3\n'
    )
    canceller = unsend.from_toml(pyproject)
    assert isinstance(canceller.provider, unsend.Courier)
    assert canceller.retry.max_attempts == 3


def test_from_toml_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        unsend.from_toml(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("provider = ")
    with pytest.raises(ConfigError, match="not valid TOML"):
        unsend.from_toml(broken)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n')
    with pytest.raises(ConfigError, match=r"no \[tool.unsend\]"):
        unsend.from_toml(pyproject)


def test_registry_lists_the_builtins() -> None:
    specs = unsend.available_providers()
    assert {"qstash", "onesignal", "courier"} <= set(specs)
    assert specs["onesignal"].required == ("app_id", "api_key")
    assert specs["qstash"].dsn_host == "region"
