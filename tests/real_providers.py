"""Scheduling a message at a real provider, for ``UNSEND_RECORD=real`` only (never in CI).

Credentials come from the environment (see tests/cassette_support.py REAL_ENV). Each helper
schedules a message an hour ahead so that it can be cancelled while the cassette records.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

import unsend


def real_provider(provider: str, credentials: tuple[str, ...], *, wrong: bool = False) -> Any:
    if provider == "qstash":
        token = "wrong-token" if wrong else credentials[0]
        return unsend.QStash(token, region=os.environ.get("UNSEND_QSTASH_REGION") or None)
    if provider == "onesignal":
        return unsend.OneSignal(credentials[0], "wrong-key" if wrong else credentials[1])
    return unsend.Courier("wrong-token" if wrong else credentials[0])


def schedule_real_message(provider: str, credentials: tuple[str, ...]) -> str:
    target = real_provider(provider, credentials)
    base = target.base_url
    with httpx.Client(base_url=base, timeout=30) as http:
        if provider == "qstash":
            response = http.post(
                "/v2/publish/https://example.com/unsend-cassette",
                headers={"Authorization": f"Bearer {credentials[0]}", "Upstash-Delay": "1h"},
                json={"unsend": "cassette"},
            )
            response.raise_for_status()
            return str(response.json()["messageId"])
        if provider == "onesignal":
            send_after = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
            response = http.post(
                "/notifications",
                headers={"Authorization": f"Key {credentials[1]}"},
                json={
                    "app_id": credentials[0],
                    "included_segments": ["Total Subscriptions"],
                    "contents": {"en": "unsend cassette"},
                    "send_after": send_after,
                },
            )
            response.raise_for_status()
            return str(response.json()["id"])
        response = http.post(
            "/send",
            headers={"Authorization": f"Bearer {credentials[0]}"},
            json={
                "message": {
                    "to": {"email": os.environ.get("UNSEND_COURIER_EMAIL", "cassette@example.com")},
                    "content": {"title": "unsend cassette", "body": "to be cancelled"},
                    "delay": {"duration": 3_600_000},
                }
            },
        )
        response.raise_for_status()
        return str(response.json()["requestId"])
