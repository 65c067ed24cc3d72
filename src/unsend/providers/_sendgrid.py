"""SendGrid v3: cancel the scheduled sends of a batch, ``POST /v3/user/scheduled_sends``.

The "message id" is a batch id (``POST /v3/mail/batch``) that the messages were sent with and
``send_at`` in the future. ``{"batch_id": …, "status": "cancel"}`` answers 201 with the same
pair: ``CANCELLED`` (SendGrid discards the batch's messages at their ``send_at``). 404 is an
unknown batch. A 400 is SendGrid's generic error; which cases it covers (a batch already
cancelled or paused, the 10-minute cut-off, the limit of batches cancelled at once) is not in
its current reference, so unsend reads none of them as cancelled: ``UnexpectedResponse`` with
SendGrid's words. 429 waits ``X-RateLimit-Reset`` (epoch seconds). ``region="eu"`` is
``api.eu.sendgrid.com``.
"""

from __future__ import annotations

import re
from typing import ClassVar, Final

import attrs
import httpx

from .._errors import ConfigError, UnsendError
from .._result import CancelResult, Outcome
from ._base import HttpAdapter, error_text, match_id
from ._secret import credential, masked
from ._urls import normalize_base_url

__all__ = ["SENDGRID_REGIONS", "SendGrid"]

SENDGRID_REGIONS: Final = {
    "global": "https://api.sendgrid.com",
    "eu": "https://api.eu.sendgrid.com",
}
BATCH_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,100}")


@attrs.frozen(init=False)
class SendGrid(HttpAdapter):
    """Adapter for SendGrid's Cancel Scheduled Sends (Bearer auth)."""

    name: ClassVar[str] = "sendgrid"
    dsn_host: ClassVar[str] = "region"  # sendgrid://KEY@eu
    api_key: str = attrs.field(repr=masked)
    region: str | None
    base_url: str
    _headers: dict[str, str] = attrs.field(init=False, repr=False, eq=False)

    def __init__(
        self, api_key: str, *, region: str | None = None, base_url: str | None = None
    ) -> None:
        api_key = credential(api_key, key="api_key", provider="sendgrid")
        if region is not None and region not in SENDGRID_REGIONS:
            raise ConfigError(
                f"unknown SendGrid region {region!r}; expected global or eu", provider="sendgrid"
            )
        if base_url:
            resolved = normalize_base_url(base_url, provider="sendgrid")
        else:
            resolved = SENDGRID_REGIONS[region or "global"]
        self.__attrs_init__(api_key, region, resolved)
        headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        object.__setattr__(self, "_headers", headers)

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.api_key,)

    def cancel_request(self, message_id: str) -> httpx.Request:
        match_id(message_id, BATCH_ID, self.name, "a batch id of letters, digits, '-' and '_'")
        return httpx.Request(
            "POST",
            f"{self.base_url}/v3/user/scheduled_sends",
            json={"batch_id": message_id, "status": "cancel"},
            headers=self._headers,
        )

    def cancel_result(self, message_id: str, response: httpx.Response) -> CancelResult:
        status = response.status_code
        if status in (200, 201):
            body = self._json(message_id, response)
            if not isinstance(body, dict) or body.get("batch_id") != message_id:
                raise self._unexpected(message_id, response, f"{status} without this batch id")
            if body.get("status") != "cancel":
                raise self._unexpected(message_id, response, f"{status} whose status is not cancel")
            return CancelResult(self.name, message_id, Outcome.CANCELLED, status_code=status)
        if status == 404:
            detail = self._detail(error_text(self._json(message_id, response)))
            return CancelResult(
                self.name, message_id, Outcome.NOT_FOUND, status_code=status, detail=detail
            )
        raise self.error_for(message_id, response)

    def error_for(self, message_id: str | None, response: httpx.Response) -> UnsendError:
        if response.status_code == 400:
            text = self._detail(error_text(self._safe_json(response)))
            why = "SendGrid refused the cancel (400" + (f": {text})" if text else ")")
            return self._unexpected(message_id or "", response, why)
        return super().error_for(message_id, response)
