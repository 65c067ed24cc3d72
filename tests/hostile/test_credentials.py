"""Credentials are checked at construction: stripped, or refused naming the key, never the value."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from urllib.parse import quote

import pytest

import unsend
from unsend.testing import EmulatorFixture

SECRET = "s3cr3t-T0KEN-value"

BUILDERS: dict[str, Callable[[str], object]] = {
    "qstash token": lambda v: unsend.QStash(v),
    "courier token": lambda v: unsend.Courier(v),
    "onesignal api_key": lambda v: unsend.OneSignal("app-id-1234", v),
    "onesignal app_id": lambda v: unsend.OneSignal(v, "api-key-1234"),
}


@pytest.mark.parametrize("which", list(BUILDERS))
@pytest.mark.parametrize(
    "padded", [SECRET + "\n", SECRET + "\r\n", "  " + SECRET + "\t", "\n" + SECRET]
)
def test_surrounding_whitespace_is_stripped(which: str, padded: str) -> None:
    provider = BUILDERS[which](padded)
    assert SECRET in {getattr(provider, key, None) for key in ("token", "api_key", "app_id")}


@pytest.mark.parametrize("which", list(BUILDERS))
@pytest.mark.parametrize(
    ("bad", "kind"),
    [
        (SECRET[:6] + "\n" + SECRET[6:], "control"),
        (SECRET[:6] + "\x00" + SECRET[6:], "control"),
        (SECRET[:6] + "\x7f" + SECRET[6:], "control"),
        (SECRET[:6] + "\x1b[31m" + SECRET[6:], "control"),
        (SECRET[:6] + "é" + SECRET[6:], "non-ASCII"),
        (SECRET[:6] + "\u200b" + SECRET[6:], "non-ASCII"),
    ],
)
def test_control_and_non_ascii_characters_are_refused_naming_the_key(
    which: str, bad: str, kind: str
) -> None:
    with pytest.raises(unsend.ConfigError) as caught:
        BUILDERS[which](bad)
    text = f"{caught.value} {caught.value!r}"
    assert which.split()[1] in text  # the key
    assert kind in text
    assert SECRET[:6] not in text
    assert SECRET[6:] not in text


@pytest.mark.parametrize("which", list(BUILDERS))
@pytest.mark.parametrize("empty", ["", "   ", "\n", None, 42])
def test_a_missing_credential_is_refused(which: str, empty: object) -> None:
    with pytest.raises(unsend.ConfigError, match=which.split()[1]):
        BUILDERS[which](empty)  # type: ignore[arg-type]


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("UNSEND_")}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "unsend.cli", "cancel", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
        check=False,
    )


def test_a_token_read_with_its_trailing_newline_cancels(unsend_emulator: EmulatorFixture) -> None:
    [message_id] = unsend_emulator.seed("courier")
    token = unsend_emulator.credentials.courier_token + "\n"  # as $(cat token.txt) would not strip
    result = _cli(
        message_id,
        env={
            "UNSEND_PROVIDER": "courier",
            "UNSEND_TOKEN": token,
            "UNSEND_BASE_URL": unsend_emulator.url,
        },
    )
    assert result.returncode == 0, result.stderr
    assert unsend_emulator.states("courier")[message_id] == "cancelled"


@pytest.mark.parametrize("bad", ["\x00", "\n", "é", "\x1b"])
def test_the_cli_exits_2_before_any_request_and_never_prints_the_token(
    unsend_emulator: EmulatorFixture, bad: str
) -> None:
    [message_id] = unsend_emulator.seed("courier")
    token = SECRET[:6] + bad + SECRET[6:]
    dsn = f"courier://{quote(token, safe='')}@?base_url={quote(unsend_emulator.url, safe='')}"
    runs = [_cli(message_id, "--dsn", dsn, env={})]
    if "\x00" not in token:  # an environment cannot hold a NUL; a DSN can, percent-encoded
        env = {"UNSEND_PROVIDER": "courier", "UNSEND_TOKEN": token}
        runs.append(_cli(message_id, env={**env, "UNSEND_BASE_URL": unsend_emulator.url}))
    for run in runs:
        assert run.returncode == 2, run.stderr
        assert "token" in run.stderr
        output = run.stdout + run.stderr
        assert SECRET[:6] not in output
        assert SECRET[6:] not in output
        assert "Traceback" not in output
    assert unsend_emulator.stats()["courier"] == {}  # no request was ever sent
