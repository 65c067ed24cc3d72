"""Cloud Tasks' credential is a token that changes (OAuth 2): each one handed out is redacted,
and google-auth is imported only when no token is given."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest

import unsend
from tests.hostile.server import HostileServer


def test_every_rotated_token_is_blanked_where_the_server_echoes_it() -> None:
    counter = itertools.count()
    issued: list[str] = []

    def source() -> str:
        issued.append(f"ya29.rotated-token-number-{next(counter):04d}-abcdefgh")
        return issued[-1]

    def echo(head: bytes) -> list[bytes | float]:
        auth = next(
            line.split(b": ", 1)[1]
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"authorization:")
        )
        body = b'{"error": {"code": 500, "message": "bad ' + auth + b'", "status": "INTERNAL"}}'
        return [
            b"HTTP/1.1 418 X\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + b"Content-Length: %d\r\n\r\n" % len(body)
            + body
        ]

    with HostileServer(echo) as server:
        provider = unsend.CloudTasks(token_source=source, base_url=server.url)
        with unsend.Canceller(provider, retry=unsend.RetryPolicy.never()) as canceller:
            for _ in range(3):
                with pytest.raises(unsend.UnexpectedResponse) as caught:
                    canceller.cancel("my-app:europe-west1:reminders:appt-42")
                shown = f"{caught.value} {caught.value!r} {caught.value.body_excerpt}"
                assert issued[-1][-16:] not in shown  # its own tail, not the shared prefix
    assert len(set(issued)) == 3  # a new token each time, each one blanked


def test_google_auth_is_imported_only_without_a_token() -> None:
    code = (
        "import sys, unsend\n"
        "unsend.CloudTasks('ya29.fixed-token-for-this-test')\n"
        "print(any(n.startswith('google.auth') for n in sys.modules))\n"
        "sys.modules['google.auth'] = None\n"
        "try:\n"
        "    unsend.CloudTasks()\n"
        "except unsend.ConfigError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert lines[0] == "False"
    assert "unsend[gcp]" in lines[1]


def test_a_full_task_name_becomes_an_id() -> None:
    name = "projects/my-app/locations/europe-west1/queues/reminders/tasks/appt-42"
    assert unsend.CloudTasks.message_id(name) == "my-app:europe-west1:reminders:appt-42"


def test_without_google_auth_the_refusal_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "google.auth", None)
    with pytest.raises(unsend.ConfigError) as refused:
        unsend.CloudTasks()
    assert refused.value.message == (
        "cloudtasks without a token needs google-auth: pip install 'unsend[gcp]' (or give "
        "token= or token_source=)"
    )
    assert refused.value.provider == "cloudtasks"


def test_without_default_credentials_the_refusal_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    google_auth = pytest.importorskip("google.auth")
    import google.auth.exceptions

    def none_found(**_: object) -> object:
        raise google.auth.exceptions.DefaultCredentialsError("none in this test")

    monkeypatch.setattr(google_auth, "default", none_found)
    with pytest.raises(unsend.ConfigError) as refused:
        unsend.CloudTasks()
    assert refused.value.message == (
        "no token given, and no Google application default credentials: none in this test"
    )
    assert refused.value.provider == "cloudtasks"


@pytest.mark.parametrize(
    "name", ["projects/p/locations/l/queues/q", "tasks/t", "projects//locations/l/queues/q/tasks/t"]
)
def test_a_task_name_of_another_shape_is_refused(name: str) -> None:
    with pytest.raises(ValueError) as refused:
        unsend.CloudTasks.message_id(name)
    assert str(refused.value) == "a task name is projects/P/locations/L/queues/Q/tasks/T"
