from __future__ import annotations

import pytest

from unsend._engine.retry_after import retry_after_seconds

NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": " 7 "}, 7.0),
        ({"Retry-After": "Thu, 01 Jan 2026 00:00:05 GMT"}, 5.0),
        ({"Retry-After": "Wed, 31 Dec 2025 23:59:00 GMT"}, 0.0),  # a past date means now
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),  # milliseconds win
        ({"retry-after-ms": "soon", "Retry-After": "9"}, 9.0),  # garbage falls through
        ({"Retry-After": "3600"}, 3600.0),
        ({"Burst-RateLimit-Reset": str(int(NOW) + 4)}, 4.0),
        ({"Burst-RateLimit-Reset": str(int(NOW) - 10)}, 0.0),
        ({"RateLimit-Reset": "12"}, 12.0),  # a delta, as the IETF draft has it
        ({"X-RateLimit-Reset": str(int(NOW) + 6)}, 6.0),  # SendGrid's epoch seconds
        ({"x-sib-ratelimit-reset": "8"}, 8.0),  # Brevo's seconds
        ({"x-sib-ratelimit-reset": "soon"}, None),
        ({"Retry-After": "2", "Burst-RateLimit-Reset": str(int(NOW) + 9)}, 2.0),
        ({}, None),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "-5"}, None),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "inf"}, None),
        ({"Retry-After": "1e400"}, None),
        ({"retry-after-ms": "-1"}, None),
        ({"Retry-After": "Thu, 99 Foo 2026"}, None),
        ({"Burst-RateLimit-Reset": "garbage"}, None),
        ({"Retry-After": "Thu, 01 Jan 2026 00:00:05 -0000"}, None),  # a time in no known zone
        ({"RateLimit-Reset": "999999999"}, 999_999_999.0),  # below the floor: still a delta
        ({"RateLimit-Reset": "1000000000"}, 0.0),  # the floor itself: a time, long past
    ],
)
def test_waits_from_headers(headers: dict[str, str], expected: float | None) -> None:
    import httpx

    assert retry_after_seconds(httpx.Headers(headers), NOW) == expected
