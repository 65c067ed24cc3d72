"""How long a response asks to wait: ``retry-after-ms``, ``Retry-After``, the reset headers
(QStash's, the IETF draft's, SendGrid's, Brevo's ``x-sib-ratelimit-reset``).

The first source that holds a usable value wins; garbage, negative, NaN or infinite values are
skipped, and ``None`` means "no advice, use backoff".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final

__all__ = ["retry_after_seconds"]

# A reset header holding less than this is a delta in seconds (IETF RateLimit draft), more is a
# unix timestamp (QStash). No delay is a billion seconds long.
_UNIX_TIME_FLOOR = 1_000_000_000
_RETRY_AFTER_MS: Final = "retry-after-ms"
_RETRY_AFTER: Final = "retry-after"
# In this order (QStash's burst limit first): the first that holds a usable value wins.
_RESETS: Final = (
    "burst-ratelimit-reset",
    "ratelimit-reset",
    "x-ratelimit-reset",
    "x-sib-ratelimit-reset",
)


def _number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _http_date_delay(text: str, now: float) -> float | None:
    from email.utils import parsedate_to_datetime  # rare: most servers send seconds

    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # "-0000": a time whose zone is unknown
        return None
    return max(0.0, moment.timestamp() - now)


def _reset_delay(text: str, now: float) -> float | None:
    value = _number(text)
    if value is None:
        return None
    return max(0.0, value - now) if value >= _UNIX_TIME_FLOOR else value


def retry_after_seconds(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds to wait before retrying, per the response headers (a case-insensitive mapping,
    as ``httpx.Headers``); ``now`` is unix time."""
    if (ms := headers.get(_RETRY_AFTER_MS)) is not None and (value := _number(ms)) is not None:
        return value / 1000
    if (text := headers.get(_RETRY_AFTER)) is not None:
        # A negative or non-finite number is garbage, and never parses as a date either.
        value = _number(text)
        if value is None:
            value = _http_date_delay(text, now)
        if value is not None:
            return value
    for name in _RESETS:
        if (text := headers.get(name)) is not None and (
            value := _reset_delay(text, now)
        ) is not None:
            return value
    return None
