"""Known credential values never appear in a repr, str, log line, exception text or CLI output."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import httpx
import pytest

import unsend
from tests.helpers import courier_record
from unsend._engine.clock import FakeClock

QSTASH = "qstash-SECRET-1111"
ONESIGNAL_KEY = "onesignal-SECRET-2222"
COURIER = "courier-SECRET-3333"
SECRETS = (QSTASH, ONESIGNAL_KEY, COURIER)
PROVIDERS = [
    unsend.QStash(QSTASH),
    unsend.OneSignal("app-1", ONESIGNAL_KEY),
    unsend.Courier(COURIER),
]


def echoing(request: httpx.Request) -> list[httpx.Response | Exception]:
    """Answers that echo the request's own Authorization back, in every failure shape."""
    echo = request.headers["authorization"].encode()
    return [
        httpx.Response(401, content=b'{"error": "bad token ' + echo + b'"}'),
        httpx.Response(403, content=echo),
        httpx.Response(418, content=b"teapot says " + echo),
        httpx.Response(500, content=b"<html>" + echo + b"</html>"),
        httpx.Response(429, headers={"Retry-After": "3600"}, content=echo),
        httpx.Response(429, headers={"RateLimit-Limit": "1"}, content=echo),
        httpx.Response(200, content=b'{"broken": ' + echo),
        httpx.Response(409, json=courier_record(error=echo.decode())),
        httpx.ReadError(f"connection reset while sending {echo.decode()!s:.0}"),
    ]


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.name)
def test_errors_results_and_logs_hold_no_credential(
    provider: unsend.Provider, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []
    events: list[unsend.RetryEvent] = []
    n_answers = len(echoing(provider.cancel_request("m")))
    with caplog.at_level(logging.DEBUG):  # unsend, httpx and httpcore alike
        for index in range(n_answers):

            def handler(request: httpx.Request, index: int = index) -> httpx.Response:
                answer = echoing(request)[index]
                if isinstance(answer, Exception):
                    raise answer
                return answer

            canceller = unsend.Canceller(
                provider,
                client=httpx.Client(transport=httpx.MockTransport(handler)),
                clock=FakeClock(),
                retry=unsend.RetryPolicy(max_attempts=2),
                on_retry=events.append,
            )
            seen.append(repr(canceller))
            try:
                result = canceller.cancel("msg_1")
                seen += [repr(result), str(result)]
            except unsend.UnsendError as error:
                seen += [str(error), repr(error), repr(error.args)]
            results = list(canceller.cancel_many(["msg_2"]))
            seen += [repr(r) for r in results] + [str(r.error) for r in results]
    seen += [repr(e) for e in events]
    seen += [record.getMessage() for record in caplog.records]
    seen += [str(record.exc_info) for record in caplog.records if record.exc_info]
    assert len(seen) > 20
    assert_clean("\n".join(seen))


def test_reprs_of_every_value_hold_no_credential() -> None:
    from unsend.emulator import Credentials

    values = [
        *PROVIDERS,
        unsend.RetryPolicy(),
        Credentials(qstash_token=QSTASH),
        unsend.from_config(f"courier://{COURIER}@"),
        unsend.from_config({"provider": "qstash", "token": QSTASH}, asynchronous=True),
    ]
    assert_clean("\n".join(repr(v) + str(v) for v in values))


@pytest.mark.parametrize(
    "config",
    [
        f"courier://{COURIER}@?tokn=1",
        f"courier://{COURIER}@?timeout=never",
        f"qstash://{QSTASH}@mars-1",
        f"onesignal://app:{ONESIGNAL_KEY}@?base_url=ftp://x",
        {"provider": "courier", "token": COURIER, "max_attempts": 0},
        {"provider": "courierr", "token": COURIER},
    ],
)
def test_configuration_errors_hold_no_credential(config: object) -> None:
    with pytest.raises(unsend.ConfigError) as info:
        unsend.from_config(config)  # type: ignore[call-overload]
    assert_clean(str(info.value) + repr(info.value))


def test_cli_output_holds_no_credential() -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("UNSEND_")}
    runs = [
        # nothing listens on port 9: connection refused, retried, reported
        [
            "cancel",
            "m-1",
            "--json",
            "--dsn",
            f"courier://{COURIER}@?base_url=http%3A%2F%2F127.0.0.1%3A9&max_attempts=2",
        ],
        [
            "cancel",
            "m-1",
            "--dsn",
            f"courier://{COURIER}@?base_url=http%3A%2F%2F127.0.0.1%3A9&max_attempts=1",
        ],
        ["cancel", "m-1", "--dsn", f"qstash://{QSTASH}@nowhere-1"],
    ]
    for args in runs:
        done = subprocess.run(
            [sys.executable, "-m", "unsend.cli", *args],
            capture_output=True,
            text=True,
            env=environ,
            timeout=60,
            check=False,
        )
        assert done.returncode in (2, 3), done.stderr
        assert_clean(done.stdout + done.stderr)
