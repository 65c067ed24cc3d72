"""SendGrid v3: cancel the scheduled sends of a batch, ``POST /v3/user/scheduled_sends``.

The "message id" is a batch id (``POST /v3/mail/batch``) that the messages were sent with and
``send_at`` in the future. ``{"batch_id": …, "status": "cancel"}`` answers 201 with the same
pair: ``CANCELLED`` (SendGrid discards the batch's messages at their ``send_at``); a 200 counts
only with the same confirmation. 404 is an unknown batch. A 400 is SendGrid's generic error:
- its own words saying the 10-minute cut-off passed are ``NOT_CANCELLABLE`` (retrying cannot
  help);
- otherwise unsend reads the batch (``GET /v3/user/scheduled_sends/{batch_id}``, within the same
  deadline): status ``cancel`` is ``ALREADY_CANCELLED``; ``pause`` is not a cancel; anything
  else leaves the 400 as ``UnexpectedResponse`` with SendGrid's words.
429 waits ``X-RateLimit-Reset`` (epoch seconds). ``region="eu"`` is ``api.eu.sendgrid.com``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Final

import attrs
import httpx

from .._errors import ConfigError, UnexpectedResponse, UnsendError
from .._ids import quote_message_id
from .._result import CancelResult, MessageState, MessageStatus, Outcome
from .._secret import credential, masked
from ._base import HttpAdapter, error_text, match_id
from ._check import PROBE_ID, probe_result
from ._status import read_request, read_status, states
from ._urls import normalize_base_url

__all__ = ["SENDGRID_REGIONS", "SendGrid"]

SENDGRID_REGIONS: Final = {
    "global": "https://api.sendgrid.com",
    "eu": "https://api.eu.sendgrid.com",
}
BATCH_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,100}")
# SendGrid's words for the cut-off (its older guide: "no later than 10 minutes before send_at").
TOO_LATE: Final = re.compile(r"10 minutes|too late", re.IGNORECASE)


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
        if status == 400 and (late := self._too_late(message_id, response)) is not None:
            return late
        raise self.error_for(message_id, response)

    # -- reading a batch back: GET /v3/user/scheduled_sends/{batch_id} ------------------------
    # SendGrid keeps a state only for a batch cancelled or paused; for any other (scheduled,
    # sent, unknown) it has nothing to say, so that is UNKNOWN, not NOT_FOUND.

    # -- check: the scheduled-send status of a batch id SendGrid never made -------------------

    def check_request(self) -> httpx.Request:
        return self.status_request(PROBE_ID.replace("-", "_"))

    def check_result(self, response: httpx.Response) -> str:
        what = "GET /v3/user/scheduled_sends/{batch_id} (an id that cannot exist)"
        return probe_result(self.name, response, self.secrets, what, accepted=(200, 404))

    def status_request(self, message_id: str) -> httpx.Request:
        match_id(message_id, BATCH_ID, self.name, "a batch id of letters, digits, '-' and '_'")
        path = f"/v3/user/scheduled_sends/{quote_message_id(message_id)}"
        return read_request(self.base_url, path, self._headers)

    def status_result(self, message_id: str, response: httpx.Response) -> MessageStatus:
        quiet = "SendGrid keeps no cancel or pause for this batch: scheduled, sent or unknown"
        if response.status_code == 404 or (
            response.status_code == 200 and self._safe_json(response) == []
        ):
            return MessageStatus(
                self.name,
                message_id,
                MessageState.UNKNOWN,
                status_code=response.status_code,
                detail=quiet,
            )

        def read(body: Any) -> tuple[object, str | None]:
            (entry,) = body if isinstance(body, list) else [body]
            status = entry["status"]
            return entry["batch_id"], status if isinstance(status, str) else None

        return read_status(self.name, message_id, response, self.secrets, read, _SENDGRID_STATES)

    def error_for(self, message_id: str | None, response: httpx.Response) -> UnsendError:
        if response.status_code == 400:
            text = self._detail(error_text(self._safe_json(response)))
            why = "SendGrid refused the cancel (400" + (f": {text})" if text else ")")
            return self._unexpected(message_id or "", response, why)
        return super().error_for(message_id, response)

    def _too_late(self, message_id: str, response: httpx.Response) -> CancelResult | None:
        """A 400 whose own words say the 10-minute cut-off passed: retrying cannot help."""
        text = error_text(self._safe_json(response))
        if text is None or not TOO_LATE.search(text):
            return None
        detail = self._detail(text)
        return CancelResult(
            self.name, message_id, Outcome.NOT_CANCELLABLE, status_code=400, detail=detail
        )

    # -- after a 400: was the batch cancelled before? (shared/PROVIDERS.md, SendGrid) ---------

    def follow_up_request(self, message_id: str, error: UnsendError) -> httpx.Request | None:
        """After a 400, ``GET /v3/user/scheduled_sends/{batch_id}``: a batch that already has a
        status answers 400 to a new cancel."""
        if not isinstance(error, UnexpectedResponse) or error.status_code != 400:
            return None
        return httpx.Request(
            "GET",
            f"{self.base_url}/v3/user/scheduled_sends/{quote_message_id(message_id)}",
            headers=self._headers,
        )

    def follow_up_result(
        self, message_id: str, error: UnsendError, response: httpx.Response
    ) -> CancelResult:
        """``cancel`` is ALREADY_CANCELLED; ``pause`` is not a cancel; anything else settles
        nothing, and the 400 stands."""
        if response.status_code != 200:
            raise error
        body = self._safe_json(response)
        entries = body if isinstance(body, list) else [body]
        status = next(
            (
                entry.get("status")
                for entry in entries
                if isinstance(entry, dict) and entry.get("batch_id") == message_id
            ),
            None,
        )
        if status == "cancel":
            return CancelResult(
                self.name,
                message_id,
                Outcome.ALREADY_CANCELLED,
                status_code=200,
                detail="cancelled before: SendGrid refused a second cancel (400), and the "
                "batch's status is cancel",
            )
        if status == "pause":
            raise self._unexpected(
                message_id, response, "the batch is paused, not cancelled (resume or PATCH it)"
            )
        raise error


# "pause" holds the batch (resumable, dropped 72 h after send_at): neither sent nor cancelled.
_SENDGRID_STATES = states(CANCELLED=("cancel",))
