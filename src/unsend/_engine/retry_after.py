"""How long a response asks to wait: ``retry-after-ms``, ``Retry-After``, the reset headers
(QStash's, the IETF draft's, SendGrid's, Brevo's ``x-sib-ratelimit-reset``).

The first source that holds a usable value wins; garbage, negative, NaN or infinite values are
skipped, and ``None`` means "no advice, use backoff".
"""

from __future__ import annotations

import math
from collections.abc import Mapping

__all__ = ["retry_after_seconds"]

# A reset header holding less than this is a delta in seconds (IETF RateLimit draft), more is a
# unix timestamp (QStash). No delay is a billion seconds long.
_UNIX_TIME_FLOOR = 1_000_000_000


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
    if moment is None or moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - now)


def _reset_delay(text: str, now: float) -> float | None:
    value = _number(text)
    if value is None:
        return None
    return max(0.0, value - now) if value >= _UNIX_TIME_FLOOR else value


def retry_after_seconds(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds to wait before retrying, per the response headers; ``now`` is unix time."""
    if (ms := headers.get("retry-after-ms")) is not None and (value := _number(ms)) is not None:
        return value / 1000
    if (text := headers.get("retry-after")) is not None:
        # A negative or non-finite number is garbage, and never parses as a date either.
        value = _number(text)
        if value is None:
            value = _http_date_delay(text, now)
        if value is not None:
            return value
    for name in (
        "burst-ratelimit-reset",
        "ratelimit-reset",
        "x-ratelimit-reset",
        "x-sib-ratelimit-reset",
    ):
        if (text := headers.get(name)) is not None and (
            value := _reset_delay(text, now)
        ) is not None:
            return value
    return None
