"""Known credential values never appear in a repr or a configuration error.

What a server echoes back, in any encoding, through every entry point, is the conformance
suite's (tests/conformance/test_no_credential_shown.py), for every provider.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import unsend

QSTASH = "qstash-SECRET-1111"
ONESIGNAL_KEY = "onesignal-SECRET-2222"
COURIER = "courier-SECRET-3333"
SECRETS = (QSTASH, ONESIGNAL_KEY, COURIER)
PROVIDERS = [
    unsend.QStash(QSTASH),
    unsend.OneSignal("app-1", ONESIGNAL_KEY),
    unsend.Courier(COURIER),
]


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


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
