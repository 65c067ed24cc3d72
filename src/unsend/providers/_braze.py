"""Braze: delete a scheduled message, or an API-triggered campaign's or Canvas's schedule.

The "message id" names which: ``SCHEDULE_ID`` (``POST /messages/schedule/delete``),
``campaign:CAMPAIGN_ID:SCHEDULE_ID`` (``/campaigns/trigger/schedule/delete``) or
``canvas:CANVAS_ID:SCHEDULE_ID`` (``/canvas/trigger/schedule/delete``); ``Braze.message_id``
builds one. The host is the instance's REST endpoint (``rest.iad-01.braze.com``,
``rest.fra-01.braze.eu`` ...), which is the DSN's host.

Braze documents no response for any of the three deletes, and says a delete near the send
time is best effort (it may apply to all, some or none of the recipients). So every answer is
weak: a 2xx whose body is Braze's general ``{"message": "success"}`` (or ``"queued"``, 202,
during maintenance) is ``Outcome.REQUESTED``, accepted and nothing claimed, never
``CANCELLED``; any other 2xx is not Braze's (``UnexpectedResponse``). A 404 is ``NOT_FOUND``
(an unknown schedule: undocumented). 401/403 refuse the key (or its permission: each delete
needs its own); 429 waits ``X-RateLimit-Reset``.

There is no documented read of an API schedule, so no ``status()``. The check lists scheduled
broadcasts (``GET /messages/scheduled_broadcasts``): a read-only request, which needs the key's
``messages.schedule_broadcasts`` permission besides the delete ones.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Final

import attrs
import httpx

from .._errors import ConfigError, InvalidMessageId
from .._ids import validate_message_id
from .._result import CancelResult, Outcome
from .._secret import credential, masked
from ._base import HttpAdapter, error_text
from ._check import probe_result
from ._status import read_request
from ._urls import normalize_base_url

__all__ = ["Braze"]

INSTANCE: Final = re.compile(r"rest\.[a-z]{2,3}-\d{2}\.braze\.(com|eu)")
PART: Final = re.compile(r"[A-Za-z0-9_-]{1,128}")
ENDPOINTS: Final = {
    "messages": ("/messages/schedule/delete", None),
    "campaign": ("/campaigns/trigger/schedule/delete", "campaign_id"),
    "canvas": ("/canvas/trigger/schedule/delete", "canvas_id"),
}
ACCEPTED: Final = (
    "accepted: Braze documents no answer to a delete, and a delete near the send time is best "
    "effort"
)


@attrs.frozen(init=False)
class Braze(HttpAdapter):
    """Adapter for Braze's schedule deletes (a REST API key, Bearer)."""

    name: ClassVar[str] = "braze"
    dsn_host: ClassVar[str] = "instance"  # braze://API_KEY@rest.iad-01.braze.com
    api_key: str = attrs.field(repr=masked)
    instance: str | None
    base_url: str
    _headers: dict[str, str] = attrs.field(init=False, repr=False, eq=False)

    def __init__(
        self, api_key: str, *, instance: str | None = None, base_url: str | None = None
    ) -> None:
        api_key = credential(api_key, key="api_key", provider="braze")
        if instance is not None and not INSTANCE.fullmatch(instance):
            raise ConfigError(
                f"unknown Braze instance {instance!r}; expected its REST endpoint, such as "
                "rest.iad-01.braze.com",
                provider="braze",
            )
        if base_url:
            resolved = normalize_base_url(base_url, provider="braze")
        elif instance is not None:
            resolved = f"https://{instance}"
        else:
            raise ConfigError(
                "a Braze instance is required: its REST endpoint, such as rest.iad-01.braze.com",
                provider="braze",
            )
        self.__attrs_init__(api_key, instance, resolved)
        headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        object.__setattr__(self, "_headers", headers)

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.api_key,)

    @staticmethod
    def message_id(
        schedule_id: str, *, campaign_id: str | None = None, canvas_id: str | None = None
    ) -> str:
        """The id unsend cancels: ``SCHEDULE_ID``, or with the campaign or Canvas it belongs to."""
        if campaign_id is not None and canvas_id is not None:
            raise ValueError("a Braze schedule belongs to a campaign or a Canvas, not both")
        if campaign_id is not None:
            return f"campaign:{campaign_id}:{schedule_id}"
        if canvas_id is not None:
            return f"canvas:{canvas_id}:{schedule_id}"
        return schedule_id

    def _target(self, message_id: str) -> tuple[str, dict[str, str]]:
        validate_message_id(message_id, provider=self.name)
        parts = message_id.split(":")
        kind = "messages" if len(parts) == 1 else parts[0]
        path, owner = ENDPOINTS.get(kind, ("", None))
        expected = 1 if owner is None else 3
        if not path or len(parts) != expected or not all(PART.fullmatch(p) for p in parts):
            shown = message_id if len(message_id) <= 80 else None
            raise InvalidMessageId(
                "invalid message id: a braze id is SCHEDULE_ID, campaign:CAMPAIGN_ID:SCHEDULE_ID "
                "or canvas:CANVAS_ID:SCHEDULE_ID",
                provider=self.name,
                message_id=shown,
            )
        body = {"schedule_id": parts[-1]}
        if owner is not None:
            body[owner] = parts[1]
        return path, body

    # -- check: scheduled broadcasts of the next day -------------------------------------------

    def check_request(self) -> httpx.Request:
        end = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        query = f"end_time={end}"
        return read_request(self.base_url, "/messages/scheduled_broadcasts", self._headers, query)

    def check_result(self, response: httpx.Response) -> str:
        what = "GET /messages/scheduled_broadcasts"
        return probe_result(self.name, response, self.secrets, what)

    # -- the cancel -----------------------------------------------------------------------------

    def cancel_request(self, message_id: str) -> httpx.Request:
        path, body = self._target(message_id)
        return httpx.Request("POST", f"{self.base_url}{path}", json=body, headers=self._headers)

    def cancel_result(self, message_id: str, response: httpx.Response) -> CancelResult:
        status = response.status_code
        if 200 <= status < 300:
            body: Any = self._json(message_id, response)
            said = body.get("message") if isinstance(body, dict) else None
            if said not in ("success", "queued"):
                raise self._unexpected(message_id, response, f"HTTP {status} is not Braze's")
            detail = ACCEPTED if said == "success" else f"{ACCEPTED}; queued (maintenance)"
            return CancelResult(
                self.name, message_id, Outcome.REQUESTED, status_code=status, detail=detail
            )
        if status == 404:
            said = self._detail(error_text(self._safe_json(response), "message"))
            detail = "unknown schedule (undocumented)" + (f": {said}" if said else "")
            return CancelResult(
                self.name, message_id, Outcome.NOT_FOUND, status_code=status, detail=detail
            )
        raise self.error_for(message_id, response)
