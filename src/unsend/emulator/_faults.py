"""Faults the emulator injects on cancel routes, deterministic under a seed.

Each cancel request draws once from the provider's random generator: a dropped connection, a
429 or a 503, in that order of precedence, each at its configured rate. Latency is drawn apart.
A real token-bucket limit (``limit_rps``) and QStash's daily quota answer 429 with the provider's
own headers, whatever the draws.
"""

from __future__ import annotations

import math
import random
import time
from typing import Any, Literal, TypedDict

import attrs

from ._input import MAX_SECONDS

__all__ = ["BODIES", "Decision", "FaultSettings", "FaultState", "Faults"]

BODIES = ("json", "html", "empty", "binary")
CONTRACTS = ("current", "seeds")


def _rate(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not (number and 0.0 <= value <= 1.0):
        raise ValueError(f"{attribute.name} must be between 0 and 1")


# Upper bounds keep every setting usable: an infinite latency or wait would hang the server.
_LIMITS = {
    "latency_ms": 600_000.0,
    "limit_rps": 1e9,
    "limit_burst": 1e9,
    "bulk_rate": 1e9,
    "bulk_max_in_progress": 1e6,
}
_INTEGERS = ("daily_quota", "max_faults", "bulk_max_in_progress", "revoke_after")


def _non_negative_or_none(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    high = _LIMITS.get(attribute.name, MAX_SECONDS)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not (number and math.isfinite(value) and 0 <= value <= high):
        raise ValueError(f"{attribute.name} must be a number from 0 to {high:g}, or null")
    if attribute.name in _INTEGERS and value != int(value):
        raise ValueError(f"{attribute.name} must be a whole number")


def _seed(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 1 << 63:
        raise ValueError("seed must be an integer")


def _contract(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or value not in CONTRACTS:
        raise ValueError(f"{attribute.name} must be one of {', '.join(CONTRACTS)}")


def _positive_or_none(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    _non_negative_or_none(instance, attribute, value)
    if value == 0:
        raise ValueError(f"{attribute.name} must be above 0, or null")


def _readings(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError(f"{attribute.name} maps answer names to reading names")


def _body(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or value not in BODIES:
        raise ValueError(f"{attribute.name} must be one of {', '.join(BODIES)}")


@attrs.frozen(kw_only=True)
class Faults:
    """One provider's fault configuration (JSON at ``PUT /_emulator/faults/{provider}``)."""

    seed: int = attrs.field(default=0, validator=_seed)
    drop_rate: float = attrs.field(default=0.0, validator=_rate)
    rate_limit_rate: float = attrs.field(default=0.0, validator=_rate)
    retry_after: float | None = attrs.field(default=1.0, validator=_non_negative_or_none)
    limit_rps: float | None = attrs.field(default=None, validator=_non_negative_or_none)
    limit_burst: float | None = attrs.field(default=None, validator=_non_negative_or_none)
    daily_quota: int | None = attrs.field(default=None, validator=_non_negative_or_none)
    unavailable_rate: float = attrs.field(default=0.0, validator=_rate)
    unavailable_body: str = attrs.field(default="json", validator=_body)
    unavailable_retry_after: float | None = attrs.field(
        default=None, validator=_non_negative_or_none
    )
    server_error_rate: float = attrs.field(default=0.0, validator=_rate)
    """A 500 (read as a provider failure, retried)."""
    malformed_rate: float = attrs.field(default=0.0, validator=_rate)
    """A 200 whose body is truncated JSON: the cancel happened, its answer cannot be read."""
    revoke_after: int | None = attrs.field(default=None, validator=_non_negative_or_none)
    """Credentials revoked mid-run: after this many cancel requests, every one answers 401."""
    latency_ms: float = attrs.field(default=0.0, validator=_non_negative_or_none)
    latency_rate: float = attrs.field(default=1.0, validator=_rate)
    max_faults: int | None = attrs.field(default=None, validator=_non_negative_or_none)
    """Inject at most this many faults, then answer normally ("429 once, then success")."""
    bulk_contract: str = attrs.field(default="current", validator=_contract)
    """QStash only: "current" runs a filter-based bulk cancel asked with ``async=true`` as a
    tracked bulk action (today's API); "seeds" always answers ``{"cancelled": n}``."""
    bulk_rate: float | None = attrs.field(default=None, validator=_positive_or_none)
    """QStash only: messages a bulk action deals with per virtual second (null: all at once)."""
    bulk_max_in_progress: int | None = attrs.field(default=None, validator=_non_negative_or_none)
    """QStash only: with this many bulk actions in progress, another is refused with 412."""
    readings: dict[str, str] = attrs.field(factory=dict, validator=_readings, hash=False)
    """How to play an answer the provider leaves undocumented: its name -> one of the readings
    its ``Emulated.readings`` lists (the first is the default). Tests play each reading."""

    @classmethod
    def from_json(cls, data: Any) -> Faults:
        if not isinstance(data, dict):
            raise ValueError("faults must be a JSON object")
        known = {a.name for a in attrs.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)


class FaultSettings(TypedDict, total=False):
    """The keywords of ``set_faults``, typed: ``Faults``'s fields (see its docs)."""

    seed: int
    drop_rate: float
    rate_limit_rate: float
    retry_after: float | None
    limit_rps: float | None
    limit_burst: float | None
    daily_quota: int | None
    unavailable_rate: float
    unavailable_body: Literal["json", "html", "empty", "binary"]
    unavailable_retry_after: float | None
    server_error_rate: float
    malformed_rate: float
    revoke_after: int | None
    latency_ms: float
    latency_rate: float
    max_faults: int | None
    bulk_contract: Literal["current", "seeds"]
    bulk_rate: float | None
    bulk_max_in_progress: int | None
    readings: dict[str, str]


@attrs.frozen
class Decision:
    # "ok", "drop", "rate_limited", "daily_quota", "unavailable", "server_error", "malformed",
    # "revoked"
    kind: str
    latency: float = 0.0
    retry_after: float | None = None


class FaultState:
    """A provider's faults with their generator, limiter and counters."""

    def __init__(self, faults: Faults | None = None) -> None:
        self.configure(faults or Faults())

    def configure(self, faults: Faults) -> None:
        self.faults = faults
        self.random = random.Random(faults.seed)  # noqa: S311 - reproducible faults, not secrets
        rate = faults.limit_rps or 0.0
        self.capacity = max(1.0, faults.limit_burst if faults.limit_burst else rate / 10)
        self.tokens = self.capacity
        self.refilled = time.monotonic()
        self.daily_used = 0
        self.injected = 0
        self.requests = 0

    def decide(self) -> Decision:
        decision = self._draw()
        if decision.kind not in ("ok", "revoked"):
            if self.faults.max_faults is not None and self.injected >= self.faults.max_faults:
                return Decision("ok", decision.latency)
            self.injected += 1
        return decision

    def _draw(self) -> Decision:
        f = self.faults
        self.requests += 1
        if f.revoke_after is not None and self.requests > f.revoke_after:
            return Decision("revoked")
        latency = 0.0
        if f.latency_ms and self.random.random() < f.latency_rate:
            latency = f.latency_ms / 1000
        if f.daily_quota is not None:
            if self.daily_used >= f.daily_quota:
                return Decision("daily_quota", latency)
            self.daily_used += 1
        if f.limit_rps:
            wait = self._take_token(f.limit_rps)
            if wait is not None:
                return Decision("rate_limited", latency, retry_after=max(1.0, math.ceil(wait)))
        draw = self.random.random()
        if draw < f.drop_rate:
            return Decision("drop", latency)
        draw -= f.drop_rate
        if draw < f.rate_limit_rate:
            return Decision("rate_limited", latency, retry_after=f.retry_after)
        draw -= f.rate_limit_rate
        if draw < f.unavailable_rate:
            return Decision("unavailable", latency, retry_after=f.unavailable_retry_after)
        draw -= f.unavailable_rate
        if draw < f.server_error_rate:
            return Decision("server_error", latency)
        draw -= f.server_error_rate
        if draw < f.malformed_rate:
            return Decision("malformed", latency)
        return Decision("ok", latency)

    def _take_token(self, rate: float) -> float | None:
        """Take a token; None when granted, else seconds until one is available."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.refilled) * rate)
        self.refilled = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        return (1 - self.tokens) / rate
