"""Every provider's reading of every answer, exactly: what each adapter builds and concludes,
field for field, pinned per provider in ``tests/conformance/exact/NAME.json``.

The other conformance tests assert what must hold (never a false CANCELLED, no credential
shown ...); this one pins everything else a user sees, so that no change to an outcome, a
detail's words, a status code, a ``retry_after`` or a request's URL, headers and body goes
unnoticed (mutation testing found many such changes no test saw). The answers are the
emulator's own (success, a second cancel, a delivered message, wrong credentials, 429, 503,
500, a malformed answer) and a few hostile ones, each read under every status in ``STATUSES``,
by every reading the provider has (cancel, status, check, follow-up).

It also proves, for every provider, that no reading of any of these answers raises anything
but an ``UnsendError`` (a 200 whose body is a JSON list once raised ``AttributeError``).

A provider without its file fails. After an intended change, regenerate and read the diff:
``UNSEND_UPDATE_EXACT=1 .venv/bin/python -m pytest tests/conformance/test_exact_answers.py``.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import unsend
from tests.exact_pins import GONE, variants
from unsend._ids import MAX_MESSAGE_ID_LENGTH
from unsend._provider import SupportsCheck, SupportsFollowUp, SupportsStatus
from unsend._registry import provider_spec
from unsend.testing import InProcessEmulator
from unsend.testing._in_process import SyncASGITransport

from .cases import Answer, Capture, Case, all_cases

HERE = Path(__file__).parent / "exact"
UPDATE = os.environ.get("UNSEND_UPDATE_EXACT") == "1"
STATUSES = (200, 202, 204, 300, 301, 400, 401, 403, 404, 409, 422, 429, 500, 503)
_LONG = "L" * 400  # past every excerpt and detail's cut
_NUMERIC_ODDITIES = (" negative", " a fraction", " not finite", " huge", " true")
_ERROR_KEYS = ("message", "error", "detail", "title", "text", "Message", "name", "code")
HOSTILE_BODIES = (
    b"",
    b"{}",
    b"[]",
    b"null",
    b"<html><body>Sign in</body></html>",
    b'{"ok": 1',
    # An error with a long text under each key an error text is read from.
    json.dumps(
        dict.fromkeys(
            ("message", "error", "detail", "title", "text", "Message", "name", "code"), _LONG
        )
        | {"errors": [{"message": _LONG, "code": _LONG}]}
    ).encode(),
)
NO_RETRY = unsend.RetryPolicy(max_attempts=1)
CREATED_MS = 1_767_225_600_000  # 2026-01-01
SCENARIOS: dict[str, dict[str, Any]] = {
    "rate_limited": {"rate_limit_rate": 1.0, "retry_after": 7},
    "unavailable": {"unavailable_rate": 1.0, "unavailable_retry_after": 3},
    "server_error": {"server_error_rate": 1.0},
    "malformed": {"malformed_rate": 1.0},
    "daily_quota": {"daily_quota": 0},
}


@functools.cache
def _emulated_answers(name: str) -> tuple[Answer, ...]:
    """What the emulator answers this provider's cancels in each of its scenarios, each on a
    fresh emulator holding one message: the case's (so every body names the same id)."""
    case = all_cases()[name]
    capture_all: list[Answer] = []

    def scenario(
        provider: Callable[[InProcessEmulator], unsend.Provider],
        *,
        state: str = "scheduled",
        cancels: int = 1,
        faults: dict[str, Any] | None = None,
    ) -> None:
        with InProcessEmulator() as emulator:
            emulator.seed(name, message_id=case.message_id, state=state, created_ms=CREATED_MS)
            if faults:
                emulator.set_faults(name, max_faults=1, **faults)
            capture = Capture(SyncASGITransport(emulator.app))
            client = httpx.Client(transport=capture, base_url=emulator.url)
            with unsend.Canceller(provider(emulator), client=client, retry=NO_RETRY) as canceller:
                reads = not faults and isinstance(canceller.provider, SupportsStatus)
                for _ in range(cancels):
                    with contextlib.suppress(unsend.UnsendError):
                        if reads:
                            canceller.status(case.message_id)
                        canceller.cancel(case.message_id)
                with contextlib.suppress(unsend.UnsendError):
                    if reads:
                        canceller.status(case.message_id)
                    if not faults and isinstance(canceller.provider, SupportsCheck):
                        canceller.check()
            capture_all.extend(capture.answers)

    def own(emulator: InProcessEmulator) -> unsend.Provider:
        return emulator.provider(name)

    scenario(own, cancels=2)  # read, cancelled, read, a second cancel of the same message
    scenario(own, state="delivered")
    scenario(lambda emulator: case.provider(emulator.url))  # the canaries: wrong credentials
    for faults in SCENARIOS.values():
        scenario(own, faults=faults)
    return tuple(capture_all)


# What varies between two runs of the emulator, written one way: dates (ISO 8601, RFC 2822)
# and epoch seconds or milliseconds standing alone (not digits inside an id).
_VARYING = (
    (re.compile(rb"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?"), b"2030-01-01T00:00:00"),
    (
        re.compile(rb"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2}"),
        b"Tue, 01 Jan 2030 00:00:00",
    ),
    (re.compile(rb"(?<![0-9A-Za-z_.-])1[5-9]\d{11}(?![0-9A-Za-z_-])"), b"1893456000000"),
    (re.compile(rb"(?<![0-9A-Za-z_.-])1[5-9]\d{8}(?![0-9A-Za-z_-])"), b"1893456000"),
)


# What varies in a request: a signature's date and the signature, a random idempotency key.
_VARYING_SENT = (
    (re.compile(r"\b\d{8}T\d{6}Z\b"), "20300101T000000Z"),
    (re.compile(r"(Credential=[^/]+)/\d{8}/"), r"\1/20300101/"),
    (re.compile(r"Signature=[0-9a-f]{64}"), "Signature=<signature>"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid4>"),
)


def _steady_sent(text: str) -> str:
    text = _steady(text.encode()).decode()
    for pattern, fixed in _VARYING_SENT:
        text = pattern.sub(fixed, text)
    return text


def _steady(text: bytes) -> bytes:
    for pattern, fixed in _VARYING:
        text = pattern.sub(fixed, text)
    return text


def _bodies(case: Case) -> dict[str, tuple[tuple[tuple[str, str], ...], bytes]]:
    """Every distinct answer body (with the headers it came with, minus ``Date``), its dates
    written one way, by a short digest of it without the (random) message id."""
    seen: dict[str, tuple[tuple[tuple[str, str], ...], bytes]] = {}
    answers = [case.success, *_emulated_answers(case.name)]
    for answer in answers:
        body = _steady(answer.body)
        headers = tuple(
            (k, _steady(v.encode("latin-1")).decode("latin-1"))
            for k, v in answer.headers
            if k.lower() != "date"
        )
        seen.setdefault(_digest(_without_id(case, body.decode("latin-1"))), (headers, body))
    for hostile in HOSTILE_BODIES:
        seen.setdefault(_digest(hostile), ((("content-type", "application/json"),), hostile))
    # A server that quotes what it was sent: every reading must blank it (the file writes a
    # credential left standing as <secret>, a blanked one as ***).
    echoed = "you sent " + " ".join((*case.credentials, *case.secrets))
    for kind, body in (
        ("application/json", json.dumps({"message": echoed, "error": echoed}).encode()),
        ("text/html", f"<html>{echoed}</html>".encode()),
    ):
        seen.setdefault(
            _digest(f"{kind} echoing the credentials"), ((("content-type", kind),), body)
        )
    return seen


def _digest(body: bytes | str) -> str:
    return hashlib.sha256(body if isinstance(body, bytes) else body.encode("latin-1")).hexdigest()[
        :12
    ]


def _without_id(case: Case, text: str) -> str:
    """``text`` with the case's message id (and the odd ids made from it), and each long part
    of them (an answer may name the id by its parts: Slack's ``scheduled_message_id``),
    written as ``<message-id>``: the id is the emulator's, new each run."""
    forms = {case.message_id, case.message_id.upper(), case.message_id[:-1]}
    parts = {p for form in forms for p in re.split(r"[:;,<>@]", form) if len(p) >= 10}
    for part in sorted(forms | parts, key=len, reverse=True):
        text = text.replace(json.dumps(part)[1:-1], "<message-id>").replace(part, "<message-id>")
    return text


def _shown(value: Any) -> Any:
    """A value as the file keeps it: JSON types, everything else as its text."""
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def _outcome(read: Callable[[], Any]) -> Any:
    try:
        value = read()
    except unsend.UnsendError as error:
        fields = {k: v for k, v in vars(error).items() if not k.startswith("_")}
        return {"raised": type(error).__name__, **_shown(fields)}
    if value is None or isinstance(value, (str, dict)):
        return value
    return _shown(value.to_dict())


def _request(request: httpx.Request | None) -> Any:
    if request is None:
        return None
    return json.loads(_steady_sent(json.dumps(_sent(request))))


def _sent(request: httpx.Request) -> dict[str, Any]:
    return {
        "method": request.method,
        "url": str(request.url),
        # As sent, names in the case they go on the wire.
        "headers": sorted(
            [k.decode(), v.decode()]
            for k, v in request.headers.raw
            if k.lower() not in (b"content-length", b"user-agent")
        ),
        "body": request.read().decode("utf-8", "replace"),
    }


def _readings(case: Case) -> dict[str, Any]:
    provider = case.provider("https://provider.example")
    message_id = case.message_id
    cancel_request = provider.cancel_request(message_id)
    out: dict[str, Any] = {"cancel_request": _request(cancel_request), "repr": repr(provider)}
    if isinstance(provider, SupportsStatus):
        out["status_request"] = _request(provider.status_request(message_id))
    if isinstance(provider, SupportsCheck):
        out["check_request"] = _request(provider.check_request())
    out["ids"] = {
        shown: _outcome(functools.partial(_cancel_request, provider, bad))
        for shown, bad in _odd_ids(message_id).items()
    }
    if isinstance(provider, SupportsStatus):
        out["ids_read"] = {
            shown: _outcome(functools.partial(_status_request, provider, bad))
            for shown, bad in _odd_ids(message_id).items()
        }
    spec = provider_spec(case.name)
    out["built"] = (
        {
            f"{key}: {shown}": _outcome(functools.partial(_built, case, key, value))
            for key in sorted({*spec.required, *spec.optional} - {"base_url"})
            for shown, value in ODD_OPTIONS.items()
        }
        | {
            # A required option left out (an optional one would reach for the environment).
            f"{key}: gone": _outcome(functools.partial(_built, case, key, GONE))
            for key in spec.required
        }
        | {
            f"base_url: {shown}": _outcome(functools.partial(_built, case, "base_url", value))
            for shown, value in ODD_BASE_URLS.items()
        }
    )
    # Built without a base_url: the provider's own address (or why it needs one).
    out["cancel_request_by_default"] = _outcome(functools.partial(_by_default, case))
    bodies = _bodies(case)
    out["bodies"] = {
        key: body.decode("utf-8", "replace")[:400] for key, (_, body) in bodies.items()
    }
    if isinstance(provider, SupportsFollowUp):
        out["follow_ups"] = _follow_ups(provider, message_id, bodies)
    out["answers"] = {
        f"{status} {key}": _read(provider, message_id, cancel_request, status, headers, body)
        for key, (headers, body) in bodies.items()
        for status in STATUSES
    }
    json_headers = (("content-type", "application/json"),)
    out["variants"] = {
        f"{status} {key}": _read(provider, message_id, cancel_request, status, json_headers, body)
        for (status, key), body in _varied_answers(case).items()
    }
    return out


def _varied_answers(case: Case) -> dict[tuple[int, str], bytes]:
    """Each JSON answer the emulator gives (a cancel's, a read's, an error), under its own
    status, with each of its fields gone, null or odd: what the adapter makes of an answer
    of the wrong shape."""
    out: dict[tuple[int, str], bytes] = {}
    for answer in (case.success, *_emulated_answers(case.name)):
        try:
            data = json.loads(_steady(answer.body))
        except ValueError:
            continue
        if not isinstance(data, dict | list):
            continue
        digest = _digest(_without_id(case, _steady(answer.body).decode("latin-1")))
        for shown, varied in variants(data):
            # An error's fields: gone, null or of another type is enough (no number's sign).
            if answer.status != 200 and shown.endswith(_NUMERIC_ODDITIES):
                continue
            out.setdefault((answer.status, f"{digest} {shown}"), json.dumps(varied).encode())
    return out


def _odd_ids(message_id: str) -> dict[str, object]:
    return {
        "empty": "",
        "dot-dot": "..",
        "slash": "a/b",
        "encoded dots": "%2e%2e",
        "newline": "a\nb",
        "long": "a" * 300,
        "80 characters": "a" * 80,
        "81 characters": "a" * 81,
        "the longest": "a" * MAX_MESSAGE_ID_LENGTH,
        "one past the longest": "a" * (MAX_MESSAGE_ID_LENGTH + 1),
        "a zero-width space": "a\u200bb",
        "a control character": "a\x07b",
        "a tab": "a\tb",
        "a backslash": "a\\b",
        "a question mark": "a?b",
        "a hash": "a#b",
        "not a string": 123,
        "the id and a slash": message_id + "/x",
        "the id and a space": message_id + " x",
        "the id upper-cased": message_id.upper(),
        "the id without its last character": message_id[:-1],
    } | _parts_emptied(message_id)


def _parts_emptied(message_id: str) -> dict[str, str]:
    """The id with each part between its separators (``:`` ``;`` ``=`` ``,``) left empty, and
    with each separator left out: what an id made of parts (GROUP:NAME) must refuse."""
    tokens = re.split(r"([:;=,])", message_id)
    out: dict[str, str] = {}
    for index, token in enumerate(tokens):
        if not token:
            continue
        kind = "separator" if re.fullmatch(r"[:;=,]", token) else "part"
        changed = "".join(tokens[:index] + tokens[index + 1 :])
        out[f"{kind} {index} left out"] = changed
    return out


ODD_OPTIONS = {"empty": "", "blank": "   ", "a space inside": "a b", "newline": "x\ny", "one": "x"}


def _cancel_request(provider: Any, message_id: object) -> Any:
    return _request(provider.cancel_request(message_id))


def _status_request(provider: Any, message_id: object) -> Any:
    return _request(provider.status_request(message_id))


def _by_default(case: Case) -> Any:
    provider = provider_spec(case.name).build(dict(case.options))
    return _request(provider.cancel_request(case.message_id))


ODD_BASE_URLS = {
    "no scheme": "provider.example",
    "ftp": "ftp://provider.example",
    "a path and a query": "https://provider.example/v9/?a=b",
    "a trailing slash": "https://provider.example/",
    "credentials in it": "https://user:pass@provider.example",
    "not a URL": "http://[::1",
    "a path ending in X": "https://provider.example/boX/",
}


def _built(case: Case, key: str, value: object) -> Any:
    """What building the provider with ``key`` set to ``value`` gives: refused, or the
    requests it builds (cancel, and its read and check where it has them)."""
    options = {"base_url": "https://x.example", **case.options, key: value}
    if value is GONE:
        del options[key]
    provider = provider_spec(case.name).build(options)
    built = {"cancel": _request(provider.cancel_request(case.message_id)), "repr": repr(provider)}
    if isinstance(provider, SupportsStatus):
        built["status"] = _request(provider.status_request(case.message_id))
    if isinstance(provider, SupportsCheck):
        built["check"] = _request(provider.check_request())
    return built


def _read(
    provider: Any,
    message_id: str,
    cancel_request: httpx.Request,
    status: int,
    headers: tuple[tuple[str, str], ...],
    body: bytes,
) -> dict[str, Any]:
    """Every reading the provider has of one answer."""

    def response(request: httpx.Request = cancel_request) -> httpx.Response:
        return httpx.Response(status, headers=headers, content=body, request=request)

    read: dict[str, Any] = {
        "cancel": _outcome(lambda: provider.cancel_result(message_id, response()))
    }
    if isinstance(provider, SupportsStatus):
        read["status"] = _outcome(lambda: provider.status_result(message_id, response()))
    if isinstance(provider, SupportsCheck):
        read["check"] = _outcome(lambda: provider.check_result(response()))
    if isinstance(provider, SupportsFollowUp):
        read["follow_up_request"] = _follow_up_request(provider, message_id, response())
    return read


def _follow_up_request(provider: Any, message_id: str, answer: httpx.Response) -> Any:
    """The read a provider sends to settle what ``answer`` to a cancel raised, if any."""
    try:
        provider.cancel_result(message_id, answer)
    except unsend.UnsendError as error:
        return _request(provider.follow_up_request(message_id, error))
    return "nothing raised"


def _follow_ups(
    provider: Any, message_id: str, bodies: dict[str, tuple[Any, bytes]]
) -> dict[str, Any]:
    """What the follow-up read concludes, for each error that asks for one (the cancel's
    answers that raised one), given each body under 200, 404 and 503."""
    request = provider.cancel_request(message_id)
    errors: dict[str, unsend.UnsendError] = {}
    for headers, body in bodies.values():
        for status in STATUSES:
            answer = httpx.Response(status, headers=headers, content=body, request=request)
            try:
                provider.cancel_result(message_id, answer)
            except unsend.UnsendError as error:
                if provider.follow_up_request(message_id, error) is not None:
                    errors.setdefault(f"{type(error).__name__}: {error.message}", error)
    out: dict[str, Any] = {}
    for shown, error in sorted(errors.items()):
        read = provider.follow_up_request(message_id, error)
        for key, (headers, body) in bodies.items():
            for status in (200, 404, 503):
                answer = httpx.Response(status, headers=headers, content=body, request=read)
                out[f"{shown} | {status} {key}"] = _outcome(
                    functools.partial(provider.follow_up_result, message_id, error, answer)
                )
    return out


LINE_PER_KEY = ("answers", "variants")


def _text(case: Case, readings: dict[str, Any]) -> str:
    """The file's text, one line per answer: every canary and the message id written as
    placeholders."""
    long = {part: readings.pop(part) for part in LINE_PER_KEY}
    text = json.dumps(readings, indent=1, sort_keys=True, ensure_ascii=False)
    text = text[: text.rindex("}")]
    for part, entries in long.items():
        lines = ",\n".join(
            f"  {json.dumps(key)}: {json.dumps(entries[key], sort_keys=True, ensure_ascii=False)}"
            for key in sorted(entries)
        )
        text += f', "{part}": {{\n' + lines + "\n }"
    text += "\n}"
    for secret in sorted({*case.credentials, *case.secrets}, key=len, reverse=True):
        encoded = base64.b64encode(secret.encode()).decode()
        text = text.replace(encoded, "<secret, base64>")
        text = text.replace(json.dumps(secret)[1:-1], "<secret>")
    return _without_id(case, text) + "\n"


@pytest.mark.parametrize("name", sorted(all_cases()))
def test_every_answer_is_read_exactly_as_pinned(name: str) -> None:
    case = all_cases()[name]
    text = _text(case, _readings(case))
    pinned = HERE / f"{name}.json"
    if UPDATE:
        HERE.mkdir(exist_ok=True)
        pinned.write_text(text)
    assert pinned.exists(), f"no exact answers for {name}: run with UNSEND_UPDATE_EXACT=1"
    expected = json.loads(pinned.read_text())
    actual = json.loads(text)
    for part in sorted((set(actual) | set(expected)) - set(LINE_PER_KEY)):
        assert (part, actual.get(part)) == (part, expected.get(part))
    for part in LINE_PER_KEY:
        differing = {
            key: (expected[part].get(key), value)
            for key, value in actual[part].items()
            if expected[part].get(key) != value
        }
        assert (part, differing) == (part, {})
        assert set(actual[part]) == set(expected[part])


def test_every_pinned_file_is_a_registered_provider() -> None:
    """A file left behind by a removed provider pins nothing: it is an error too."""
    assert {p.stem for p in HERE.glob("*.json")} == set(all_cases())
