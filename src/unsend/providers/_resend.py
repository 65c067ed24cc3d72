"""Resend: cancel a scheduled email, ``POST /emails/{id}/cancel``.

200 ``{"object": "email", "id": …}`` is ``CANCELLED`` (only ``id`` is relied on). 404 is an
unknown id. What Resend answers for an email that is already sent or cancelled is not in its
reference: unsend never reads such an answer as cancelled. A 400/422 whose own words say the
email is not scheduled is ``NOT_CANCELLABLE`` (retrying cannot change it); any other is an
``UnexpectedResponse`` carrying Resend's words. 429 ``daily_quota_exceeded`` /
``monthly_quota_exceeded`` are ``DailyLimitExceeded`` (never retried); a plain 429 is retried
after ``retry-after``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Final

import attrs
import httpx

from .._errors import DailyLimitExceeded, UnsendError
from .._ids import quote_message_id
from .._result import CancelResult, MessageStatus, Outcome
from .._secret import credential, masked
from ._base import HttpAdapter, error_text, match_id
from ._check import PROBE_UUID, probe_result
from ._status import read_request, read_status, states
from ._urls import Endpoint, normalize_base_url

__all__ = ["Resend"]

DEFAULT_BASE_URL: Final = "https://api.resend.com"
EMAIL_ID: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
QUOTAS: Final = ("daily_quota_exceeded", "monthly_quota_exceeded")
# Resend's words for an email past its scheduled state (sent, or cancelled before).
NOT_SCHEDULED: Final = re.compile(r"not scheduled|cannot be cancel", re.IGNORECASE)


@attrs.frozen(init=False)
class Resend(HttpAdapter):
    """Adapter for Resend's scheduled emails (Bearer auth)."""

    name: ClassVar[str] = "resend"
    api_key: str = attrs.field(repr=masked)
    base_url: str
    _endpoint: Endpoint = attrs.field(init=False, repr=False, eq=False)

    def __init__(self, api_key: str, *, base_url: str | None = None) -> None:
        api_key = credential(api_key, key="api_key", provider="resend")
        resolved = normalize_base_url(base_url, provider="resend") if base_url else DEFAULT_BASE_URL
        self.__attrs_init__(api_key, resolved)
        headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        object.__setattr__(self, "_endpoint", Endpoint(resolved, headers, method="POST"))

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.api_key,)

    def cancel_request(self, message_id: str) -> httpx.Request:
        match_id(message_id, EMAIL_ID, self.name, "a UUID")
        return self._endpoint.request(f"/emails/{quote_message_id(message_id)}/cancel")

    # -- reading an email back: GET /emails/{id}, its last_event ------------------------------

    # -- check: Retrieve Email for an id Resend never made (404 after the key's check) --------
    # A sending-only key is refused here (401 restricted_api_key): it cannot cancel either.

    def check_request(self) -> httpx.Request:
        return self.status_request(PROBE_UUID)

    def check_result(self, response: httpx.Response) -> str:
        what = "GET /emails/{email_id} (an id that cannot exist)"
        return probe_result(self.name, response, self.secrets, what, accepted=(200, 404))

    def status_request(self, message_id: str) -> httpx.Request:
        match_id(message_id, EMAIL_ID, self.name, "a UUID")
        path = f"/emails/{quote_message_id(message_id)}"
        return read_request(self.base_url, path, {"Authorization": f"Bearer {self.api_key}"})

    def status_result(self, message_id: str, response: httpx.Response) -> MessageStatus:
        def read(body: Any) -> tuple[object, str | None]:
            event = body["last_event"]
            return body["id"], event if isinstance(event, str) else None

        return read_status(self.name, message_id, response, self.secrets, read, _RESEND_STATES)

    def cancel_result(self, message_id: str, response: httpx.Response) -> CancelResult:
        status = response.status_code
        if status == 200:
            body = self._json(message_id, response)
            if not isinstance(body, dict) or body.get("id") != message_id:
                raise self._unexpected(message_id, response, "200 without this email's id")
            return CancelResult(self.name, message_id, Outcome.CANCELLED, status_code=status)
        if status == 404:
            detail = self._detail(error_text(self._json(message_id, response), "message"))
            return CancelResult(
                self.name, message_id, Outcome.NOT_FOUND, status_code=status, detail=detail
            )
        if status in (400, 422):
            text = error_text(self._safe_json(response), "message")
            if text is not None and NOT_SCHEDULED.search(text):
                # Resend's own words: the email is past being scheduled; retrying cannot help.
                return CancelResult(
                    self.name,
                    message_id,
                    Outcome.NOT_CANCELLABLE,
                    status_code=status,
                    detail=self._detail(text),
                )
        raise self.error_for(message_id, response)

    def error_for(self, message_id: str | None, response: httpx.Response) -> UnsendError:
        if response.status_code == 429:
            body = self._safe_json(response)
            if isinstance(body, dict) and body.get("name") in QUOTAS:
                return DailyLimitExceeded(
                    f"Resend says {body['name']}: waiting seconds cannot help",
                    provider=self.name,
                    message_id=message_id,
                    status_code=429,
                )
        if 400 <= response.status_code < 500 and response.status_code not in (401, 403, 429):
            text = error_text(self._safe_json(response), "message", "name")
            why = f"Resend answered {response.status_code}, which is not a cancel outcome"
            if text:
                why += f": {self._detail(text)}"
            return self._unexpected(message_id or "", response, why)
        return super().error_for(message_id, response)


# Resend's last_event values (its OpenAPI spec); queued means it left the schedule.
_RESEND_STATES = states(
    SCHEDULED=("scheduled",),
    CANCELLED=("canceled",),
    SENT=("queued", "sent", "delivered", "delivery_delayed", "opened", "clicked", "complained"),
    FAILED=("bounced", "failed", "suppressed"),
)
