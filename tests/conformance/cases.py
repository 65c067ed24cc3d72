"""One conformance case per registered provider, derived from the registry and the emulator.

Nothing here names a provider. For each name the registry holds:
- the emulator's configuration gives the options; each credential is replaced by a canary, a long
  distinctive value of the same shape (a Twilio account SID stays ``AC`` and 32 hex digits);
- a message seeded in the emulator gives a valid id;
- cancelling it there gives the provider's documented success answer, captured byte for byte.
A registered provider the emulator does not know has no case, and ``test_registry`` fails.
"""

from __future__ import annotations

import functools
import random
import string
from typing import Any

import attrs
import httpx

import unsend
from unsend._provider import SupportsTransport
from unsend._registry import available_providers, provider_spec
from unsend.testing import InProcessEmulator
from unsend.testing._in_process import SyncASGITransport

NOT_A_CREDENTIAL = ("provider", "base_url")
SUFFIX_ALPHABET = string.ascii_letters + string.digits


@attrs.frozen
class Answer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def raw(self, *, status: int | None = None, body: bytes | None = None) -> bytes:
        """The answer as HTTP/1.1 bytes, with ``status`` or ``body`` changed if given."""
        status = self.status if status is None else status
        body = self.body if body is None else body
        kept = [(k, v) for k, v in self.headers if k.lower() not in ("content-length", "date")]
        lines = [f"HTTP/1.1 {status} X", *(f"{k}: {v}" for k, v in kept)]
        lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@attrs.frozen
class Case:
    name: str
    options: dict[str, str]
    """The provider's options with canary credentials (no base_url)."""
    credentials: tuple[str, ...]
    """The canary values, as given (what must never be shown)."""
    message_id: str
    success: Answer
    reads: dict[str, Answer] = attrs.field(factory=dict)
    """The provider's read of this message (``status``), captured from the emulator with the
    message in each state it can be in: "scheduled", "cancelled", "delivered". Empty for a
    provider that documents no read."""

    def provider(self, base_url: str) -> unsend.Provider:
        return provider_spec(self.name).build({**self.options, "base_url": base_url})

    def config(self, base_url: str) -> dict[str, Any]:
        return {"provider": self.name, **self.options, "base_url": base_url}

    def dsn(self, base_url: str, **query: object) -> str:
        from urllib.parse import quote, urlencode

        secret = ":".join(quote(v, safe="") for v in self.options.values())
        return f"{self.name}://{secret}@?" + urlencode({"base_url": base_url, **query})

    @property
    def secrets(self) -> tuple[str, ...]:
        """What the built provider itself says it must hide (composites such as sid:token)."""
        return tuple(getattr(self.provider("http://127.0.0.1:1"), "secrets", ()))

    def __repr__(self) -> str:  # pytest ids and failure texts: never the canaries
        return f"Case({self.name})"


def _canary(value: str, rng: random.Random) -> str:
    """A value of the same shape, every letter and digit drawn anew, then made long."""
    out = []
    for char in value:
        if char in string.hexdigits and char.isdigit():
            out.append(rng.choice(string.digits))
        elif char in "abcdef":
            out.append(rng.choice("abcdef"))
        elif char.islower():
            out.append(rng.choice(string.ascii_lowercase))
        else:
            out.append(char)  # upper-case prefixes (AC, SG.) and separators keep the shape
    return "".join(out)


def _lengthened(name: str, key: str, value: str, rng: random.Random) -> str:
    """``value`` with a long random tail, if the provider accepts one for ``key``."""
    longer = value + "-" + "".join(rng.choice(SUFFIX_ALPHABET) for _ in range(24))
    try:
        provider_spec(name).build({**_DEV[name], key: longer})
    except unsend.ConfigError:
        return value
    return longer


_DEV: dict[str, dict[str, str]] = {}


class Capture(httpx.BaseTransport):
    """Passes each request on and keeps every answer, byte for byte."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.answers: list[Answer] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = response.read()
        self.answers.append(Answer(response.status_code, tuple(response.headers.items()), body))
        return httpx.Response(response.status_code, headers=response.headers, content=body)


@functools.cache
def all_cases() -> dict[str, Case]:
    """A case per registered provider the emulator knows (seeded: the same canaries each run)."""
    rng = random.Random(20261206)
    cases: dict[str, Case] = {}
    with InProcessEmulator() as emulator:
        known = set(emulator._call("GET", "/health")["providers"])
        for name in available_providers():
            if name not in known:
                continue
            dev = {k: v for k, v in emulator.config(name).items() if k not in NOT_A_CREDENTIAL}
            _DEV[name] = dev
            secret_keys = set(_secret_keys(name, dev))
            options = {
                k: _lengthened(name, k, _canary(v, rng), rng) if k in secret_keys else v
                for k, v in dev.items()
            }
            message_id = emulator.seed(name)[0]
            capture = Capture(SyncASGITransport(emulator.app))
            client = httpx.Client(transport=capture, base_url=emulator.url)
            with unsend.Canceller(emulator.provider(name), client=client) as canceller:
                result = canceller.cancel(message_id)
                assert result.outcome in (unsend.Outcome.CANCELLED, unsend.Outcome.REQUESTED)
                success = capture.answers[-1]
                reads = _reads(emulator, canceller, capture, message_id)
            cases[name] = Case(
                name,
                options,
                tuple(options[k] for k in sorted(secret_keys)),
                message_id,
                success,
                reads,
            )
    return cases


def _reads(
    emulator: InProcessEmulator, canceller: unsend.Canceller, capture: Capture, message_id: str
) -> dict[str, Answer]:
    """The read's answer in each state, every one naming ``message_id`` (another message's
    answer has that message's id written over with this one's, byte for byte)."""
    from unsend._provider import SupportsStatus

    if not isinstance(canceller.provider, SupportsStatus):
        return {}
    reads = {}
    for state in ("scheduled", "delivered"):
        (other,) = emulator.seed(canceller.provider.name, state=state)
        canceller.status(other)
        answer = capture.answers[-1]
        body = answer.body.replace(other.encode(), message_id.encode())
        # A read may name the id by its parts (EventBridge: "Name" and "GroupName").
        for theirs, ours in zip(other.split(":"), message_id.split(":"), strict=False):
            body = body.replace(f'"{theirs}"'.encode(), f'"{ours}"'.encode())
        reads[state] = attrs.evolve(answer, body=body)
    canceller.status(message_id)
    reads["cancelled"] = capture.answers[-1]
    return reads


def _secret_keys(name: str, dev: dict[str, str]) -> list[str]:
    """The options whose values the built provider hides (its ``secrets``, or in a composite)."""
    provider = provider_spec(name).build({**dev, "base_url": "http://127.0.0.1:1"})
    hidden = tuple(getattr(provider, "secrets", ()))
    return [k for k, v in dev.items() if any(v in s for s in hidden)]


def in_memory_providers() -> list[str]:
    """Registered providers answered in memory (no HTTP, nothing to attack): exempt."""
    exempt = []
    for name, spec in available_providers().items():
        if spec.required:
            continue
        try:
            provider = spec.build({})
        except unsend.ConfigError:
            continue
        if isinstance(provider, SupportsTransport):
            exempt.append(name)
    return exempt
