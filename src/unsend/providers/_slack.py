"""Slack: delete a scheduled message, ``POST chat.deleteScheduledMessage``.

A scheduled message is useless without its channel, so the "message id" unsend cancels is
``CHANNEL:SCHEDULED_MESSAGE_ID`` (``C0123ABCD:Q1298393284``); ``Slack.message_id`` builds one.
Both parts are checked before any request: the channel as Slack writes ids (capital letters
and digits), the scheduled message id as its reference's pattern (``Q`` and 8 or more).

Slack answers application errors with HTTP 200 and ``{"ok": false, "error": "<code>"}``: only
``{"ok": true}`` is a cancel. ``invalid_scheduled_message_id`` covers an unknown id, a message
already sent, one already deleted, and one due within 60 seconds alike (its reference gives one
meaning for all): unsend reads it as ``NOT_FOUND``, the outcome that claims least, with the
detail saying so. ``channel_not_found`` is ``NOT_FOUND`` too; ``not_authed``, ``invalid_auth``,
``token_revoked``, ``account_inactive`` and ``missing_scope`` are ``AuthenticationError``;
``internal_error`` and ``fatal_error`` ``ProviderUnavailable``; any other code
``UnexpectedResponse`` naming it. 429 waits its ``Retry-After``.

Slack reports (slack-api-docs #107) a delete answered ``ok: true`` whose message still posted,
inside the last minute: that ``CANCELLED`` is Slack's word, and the docs say so.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Final

import attrs
import httpx

from .._errors import (
    AuthenticationError,
    InvalidMessageId,
    ProviderUnavailable,
    UnexpectedResponse,
    UnsendError,
)
from .._ids import validate_message_id
from .._result import CancelResult, MessageStatus, Outcome
from .._secret import credential, masked
from ._base import HttpAdapter
from ._status import read_request, read_status, states
from ._urls import normalize_base_url

__all__ = ["Slack"]

DEFAULT_BASE_URL: Final = "https://slack.com"  # GovSlack: base_url="https://slack-gov.com"
CHANNEL: Final = re.compile(r"[A-Z0-9]{3,32}")
SCHEDULED_ID: Final = re.compile(r"Q[A-Z0-9]{8,64}")
AUTH_ERRORS: Final = frozenset(
    {
        "not_authed",
        "invalid_auth",
        "token_revoked",
        "account_inactive",
        "missing_scope",
        "no_permission",
        "not_allowed_token_type",
    }
)
UNAVAILABLE: Final = frozenset({"internal_error", "fatal_error", "service_unavailable"})
ANY_OF: Final = (
    "invalid_scheduled_message_id: unknown, already sent, already deleted, or due within "
    "60 s (Slack does not say which)"
)


@attrs.frozen(init=False)
class Slack(HttpAdapter):
    """Adapter for Slack's ``chat.deleteScheduledMessage`` (a bot or user token, Bearer)."""

    name: ClassVar[str] = "slack"
    token: str = attrs.field(repr=masked)
    base_url: str
    _headers: dict[str, str] = attrs.field(init=False, repr=False, eq=False)

    def __init__(self, token: str, *, base_url: str | None = None) -> None:
        token = credential(token, key="token", provider="slack")
        resolved = normalize_base_url(base_url, provider="slack") if base_url else DEFAULT_BASE_URL
        self.__attrs_init__(token, resolved)
        object.__setattr__(
            self, "_headers", {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        )

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.token,)

    @staticmethod
    def message_id(channel: str, scheduled_message_id: str) -> str:
        """The id unsend cancels: ``CHANNEL:SCHEDULED_MESSAGE_ID``."""
        return f"{channel}:{scheduled_message_id}"

    def _parts(self, message_id: str) -> tuple[str, str]:
        validate_message_id(message_id, provider=self.name)
        channel, _, scheduled = message_id.partition(":")
        if not CHANNEL.fullmatch(channel) or not SCHEDULED_ID.fullmatch(scheduled):
            shown = message_id if len(message_id) <= 80 else None
            raise InvalidMessageId(
                "invalid message id: a slack id is CHANNEL:SCHEDULED_MESSAGE_ID "
                "(C0123ABCD:Q1298393284)",
                provider=self.name,
                message_id=shown,
            )
        return channel, scheduled

    # -- check: auth.test, which says whose token it is ---------------------------------------

    def check_request(self) -> httpx.Request:
        return read_request(self.base_url, "/api/auth.test", self._headers)

    def check_result(self, response: httpx.Response) -> str:
        self._answer(None, response)  # ok:false is refused as on a cancel
        return "GET auth.test: ok, credentials accepted"

    # -- status: chat.scheduledMessages.list of the message's channel --------------------------
    # Listed is scheduled. Not listed says nothing Slack would stand by (sent, deleted, or past
    # the first page of 100): UNKNOWN, never a claim.

    def status_request(self, message_id: str) -> httpx.Request:
        channel, _ = self._parts(message_id)
        query = f"channel={channel}&limit=100"
        return read_request(self.base_url, "/api/chat.scheduledMessages.list", self._headers, query)

    def status_result(self, message_id: str, response: httpx.Response) -> MessageStatus:
        if response.status_code == 200:
            self._answer(message_id, response)  # ok:false is refused as on a cancel
        channel, scheduled = self._parts(message_id)

        def read(body: Any) -> tuple[object, str | None]:
            messages = body["scheduled_messages"]
            if not isinstance(messages, list):
                raise TypeError  # read_status: not this read's answer
            listed = {(m["channel_id"], m["id"]) for m in messages}
            return message_id, "listed" if (channel, scheduled) in listed else None

        return read_status(
            self.name, message_id, response, self.secrets, read, states(SCHEDULED=("listed",))
        )

    # -- the cancel -----------------------------------------------------------------------------

    def cancel_request(self, message_id: str) -> httpx.Request:
        channel, scheduled = self._parts(message_id)
        return httpx.Request(
            "POST",
            f"{self.base_url}/api/chat.deleteScheduledMessage",
            json={"channel": channel, "scheduled_message_id": scheduled},
            headers=self._headers,
        )

    def cancel_result(self, message_id: str, response: httpx.Response) -> CancelResult:
        code = self._answer(message_id, response)
        if code is None:
            return CancelResult(self.name, message_id, Outcome.CANCELLED, status_code=200)
        detail = ANY_OF if code == "invalid_scheduled_message_id" else code
        return CancelResult(
            self.name, message_id, Outcome.NOT_FOUND, status_code=200, detail=detail
        )

    def _answer(self, message_id: str | None, response: httpx.Response) -> str | None:
        """None for ``ok: true``; the error code of a "not found" answer; else raises."""
        if response.status_code != 200:
            raise self.error_for(message_id, response)
        body: Any = self._json(message_id or "", response)
        if not isinstance(body, dict) or not isinstance(body.get("ok"), bool):
            raise self._unexpected(message_id or "", response, 'HTTP 200 without "ok"')
        if body["ok"] is True:
            return None
        code = body.get("error")
        if not isinstance(code, str) or not code:
            raise self._unexpected(message_id or "", response, '"ok": false without an error')
        if code in ("invalid_scheduled_message_id", "channel_not_found"):
            return code
        raise self._refusal(message_id, code)

    def _refusal(self, message_id: str | None, code: str) -> UnsendError:
        where: dict[str, Any] = {
            "provider": self.name,
            "message_id": message_id,
            "status_code": 200,
        }
        shown = self._detail(code) or "an error"
        if code in AUTH_ERRORS:
            return AuthenticationError(f"slack refused the token: {shown}", **where)
        if code in UNAVAILABLE:
            return ProviderUnavailable(f"slack is unavailable: {shown}", **where)
        return UnexpectedResponse(f"slack answered {shown}", **where)
