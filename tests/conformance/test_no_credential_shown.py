"""No credential is ever shown: every encoding of every credential, echoed by the server.

Each case's canary credentials (and the composites the provider sends, such as Twilio's
``sid:token``) are echoed in error bodies as written, JSON ``\\uXXXX``-escaped, percent-encoded,
base64 padded, unpadded and urlsafe, split across two JSON fields, and placed where the excerpt
window cuts them; and in a response header. Through every entry point, no 8-character window of
any of them, or of their base64 forms, may appear in a result's repr, str, detail or
``to_dict()``, an error's text, the CLI's output, or any log record of the ``unsend``,
``httpx``, ``httpcore`` and ``aiohttp`` loggers at DEBUG.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from urllib.parse import quote

import pytest

from .cases import Answer, Case
from .conftest import Scripted
from .entry_points import ENTRY_POINTS

LOGGERS = ("unsend", "httpx", "httpcore", "aiohttp")
STATUSES = (400, 404, 409, 418, 500, 200)  # 200: a broken success, echoing
REFUSALS = (401, 403)  # last: the CLI stops at the first refusal of the credentials


def _encodings(secret: str) -> dict[str, str]:
    raw = secret.encode()
    return {
        "plain": secret,
        "json \\u": "".join(f"\\u{ord(c):04x}" for c in secret),
        "percent": quote(secret, safe=""),
        "percent, every byte": "".join(f"%{b:02X}" for b in raw),
        "base64": base64.b64encode(raw).decode(),
        "base64 unpadded": base64.b64encode(raw).decode().rstrip("="),
        "base64 urlsafe": base64.urlsafe_b64encode(raw).decode().rstrip("="),
    }


def echoes(case: Case) -> dict[str, bytes]:
    """Error answers echoing the case's credentials, one form each."""
    out: dict[str, bytes] = {}
    secrets = dict.fromkeys((*case.credentials, *case.secrets))
    for n, secret in enumerate(secrets):
        for name, form in _encodings(secret).items():
            body = json.dumps({"error": f"bad {form}", "message": f"token {form}"})
            body = body.replace("\\\\u", "\\u")  # the \u escapes as a server writes them
            status = STATUSES[len(out) % len(STATUSES)]
            headers = (("Content-Type", "application/json"), ("Connection", "close"))
            out[f"secret {n}: {name}"] = Answer(status, headers, body.encode()).raw()
        half = len(secret) // 2
        split = json.dumps({"error": secret[:half], "message": secret[half:], "errors": [secret]})
        out[f"secret {n}: split"] = _json(400, split)
        for pad in (190, 195, 199):  # the excerpt keeps 200 characters
            cut = json.dumps({"error": "x" * pad + secret})
            out[f"secret {n}: cut at {pad}"] = _json(404, cut)
        header = (("X-Echo", secret), ("Connection", "close"))
        out[f"secret {n}: header"] = Answer(429, (*header, ("Retry-After", "0")), b"{}").raw()
    for status in REFUSALS:
        for n, secret in enumerate(secrets):
            body = json.dumps({"error": f"bad token {secret}"})
            out[f"secret {n}: refused with {status}"] = _json(status, body)
    return out


def _json(status: int, text: str) -> bytes:
    headers = (("Content-Type", "application/json"), ("Connection", "close"))
    return Answer(status, headers, text.encode()).raw()


def windows(case: Case) -> set[str]:
    """Every 8-character run of every credential and of its base64 forms (computed here, not
    by the code under test)."""
    found: set[str] = set()
    for secret in {*case.credentials, *case.secrets}:
        forms = [v for k, v in _encodings(secret).items() if k == "plain" or "base64" in k]
        for form in forms:
            found.update(form[i : i + 8] for i in range(len(form) - 8 + 1))
    return found


def leaks(case: Case, text: str) -> list[str]:
    return sorted(w for w in windows(case) if w in text)


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.DEBUG):
        for name in LOGGERS:
            logging.getLogger(name).setLevel(logging.DEBUG)
        yield caplog
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)


def test_echoes_exist_for_every_credential(case: Case) -> None:
    assert len(echoes(case)) >= 12 * len(case.credentials)


def test_no_window_of_a_credential_is_shown_anywhere(
    case: Case,
    entry_point: str,
    serve: Callable[[Sequence[bytes]], Scripted],
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    answers = echoes(case)
    server = serve([[answer] for answer in answers.values()])
    seen = ENTRY_POINTS[entry_point](case, server.url, [case.message_id] * len(answers))
    if entry_point == "cli":  # it stops at the first refusal of the credentials
        assert 1 <= len(seen) <= len(answers)
        assert seen[-1].outcome == "AuthenticationError"
    else:
        assert len(seen) == len(answers)
    for (name, _), shown in zip(answers.items(), seen, strict=False):
        assert not leaks(case, shown.shown), (name, shown.shown)
    logged = "\n".join(record.getMessage() for record in debug_logs.records)
    assert not leaks(case, logged), logged
    if entry_point in ("Canceller.cancel", "Router.cancel"):  # httpx's paths log headers
        assert any(r.name.startswith("httpcore") for r in debug_logs.records), "nothing logged"


def test_the_cli_table_shows_no_window_of_a_credential(
    case: Case, serve: Callable[[Sequence[bytes]], Scripted]
) -> None:
    answers = echoes(case)
    server = serve([[answer] for answer in answers.values()])
    dsn = case.dsn(server.url, max_attempts="1")
    ids = [case.message_id] * len(answers)
    command = [sys.executable, "-m", "unsend.cli", "cancel", "--dsn", dsn, "--concurrency", "1"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNSEND_")}
    env["COLUMNS"] = "400"  # wide enough that nothing is folded out of sight
    done = subprocess.run(
        [*command, "--", *ids], capture_output=True, text=True, env=env, timeout=120
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert not leaks(case, done.stdout + done.stderr), done.stdout + done.stderr
