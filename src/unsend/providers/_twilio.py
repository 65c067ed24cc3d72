"""Twilio Messaging: cancel a scheduled message by updating it to ``Status=canceled``.

``POST /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json`` (form ``Status=canceled``, HTTP
Basic auth) answers 200 with the Message, ``status: "canceled"``. 404 (code 20404) is an unknown
Sid. Code 30409 says the message is no longer scheduled; its HTTP status is undocumented, and
it covers both "already sent" and "cancelled before": unsend reads it as ``NOT_CANCELLABLE``
(conservative: never "cancelled"), whatever 4xx carries it. 429 (code 20429) is retried; Twilio
documents no Retry-After for this API, so backoff applies.
"""

from __future__ import annotations

import base64
import re
from typing import Any, ClassVar, Final

import attrs
import httpx

from .._errors import ConfigError
from .._ids import quote_message_id
from .._result import CancelResult, MessageStatus, Outcome
from .._secret import credential, masked
from ._base import HttpAdapter, error_text, match_id
from ._check import probe_result
from ._status import read_request, read_status, states
from ._urls import normalize_base_url

__all__ = ["Twilio"]

DEFAULT_BASE_URL: Final = "https://api.twilio.com"
MESSAGE_SID: Final = re.compile(r"(SM|MM)[0-9a-fA-F]{32}")
ACCOUNT_SID: Final = re.compile(r"AC[0-9a-fA-F]{32}")
NO_LONGER_SCHEDULED: Final = 30409


@attrs.frozen(init=False)
class Twilio(HttpAdapter):
    """Adapter for Twilio's Message resource (scheduled SMS, MMS and WhatsApp)."""

    name: ClassVar[str] = "twilio"
    account_sid: str = attrs.field(repr=masked)
    auth_token: str = attrs.field(repr=masked)
    base_url: str
    _headers: dict[str, str] = attrs.field(init=False, repr=False, eq=False)

    def __init__(self, account_sid: str, auth_token: str, *, base_url: str | None = None) -> None:
        account_sid = credential(account_sid, key="account_sid", provider="twilio")
        if not ACCOUNT_SID.fullmatch(account_sid):
            raise ConfigError(
                "a Twilio account_sid is AC followed by 32 hex digits", provider="twilio"
            )
        auth_token = credential(auth_token, key="auth_token", provider="twilio")
        resolved = normalize_base_url(base_url, provider="twilio") if base_url else DEFAULT_BASE_URL
        self.__attrs_init__(account_sid, auth_token, resolved)
        basic = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        headers = {"Authorization": f"Basic {basic}", "Accept": "application/json"}
        object.__setattr__(self, "_headers", headers)

    @property
    def secrets(self) -> tuple[str, ...]:
        # The token, and the Basic pair it travels in (its base64 forms are redacted with it).
        return (self.auth_token, f"{self.account_sid}:{self.auth_token}")

    def cancel_request(self, message_id: str) -> httpx.Request:
        match_id(message_id, MESSAGE_SID, self.name, "SM or MM followed by 32 hex digits")
        path = (
            f"/2010-04-01/Accounts/{self.account_sid}/Messages/{quote_message_id(message_id)}.json"
        )
        return httpx.Request(
            "POST", self.base_url + path, data={"Status": "canceled"}, headers=self._headers
        )

    # -- reading a message back: GET /Accounts/{AC}/Messages/{SM}.json -----------------------

    # -- check: Fetch Account, the account the SID names, with its token ----------------------

    def check_request(self) -> httpx.Request:
        path = f"/2010-04-01/Accounts/{self.account_sid}.json"
        return read_request(self.base_url, path, self._headers)

    def check_result(self, response: httpx.Response) -> str:
        what = "GET /2010-04-01/Accounts/{AccountSid}.json"
        return probe_result(self.name, response, self.secrets, what)

    def status_request(self, message_id: str) -> httpx.Request:
        match_id(message_id, MESSAGE_SID, self.name, "SM or MM followed by 32 hex digits")
        path = (
            f"/2010-04-01/Accounts/{self.account_sid}/Messages/{quote_message_id(message_id)}.json"
        )
        return read_request(self.base_url, path, self._headers)

    def status_result(self, message_id: str, response: httpx.Response) -> MessageStatus:
        def read(body: Any) -> tuple[object, str | None]:
            status = body["status"]
            return body["sid"], status if isinstance(status, str) else None

        return read_status(self.name, message_id, response, self.secrets, read, _TWILIO_STATES)

    def cancel_result(self, message_id: str, response: httpx.Response) -> CancelResult:
        status = response.status_code
        if status == 200:
            body = self._json(message_id, response)
            if not isinstance(body, dict) or body.get("sid") != message_id:
                raise self._unexpected(message_id, response, "200 without this message's sid")
            if body.get("status") != "canceled":
                raise self._unexpected(message_id, response, "200 whose status is not canceled")
            return CancelResult(self.name, message_id, Outcome.CANCELLED, status_code=status)
        if 400 <= status < 500 and status not in (401, 403, 429):
            body = self._json(message_id, response)
            code = body.get("code") if isinstance(body, dict) else None
            detail = self._detail(error_text(body, "message"))
            if status == 404 and code in (20404, None):
                return CancelResult(
                    self.name, message_id, Outcome.NOT_FOUND, status_code=status, detail=detail
                )
            if code == NO_LONGER_SCHEDULED:
                return CancelResult(
                    self.name,
                    message_id,
                    Outcome.NOT_CANCELLABLE,
                    status_code=status,
                    detail=detail or "no longer scheduled (sent, or cancelled before)",
                )
        raise self.error_for(message_id, response)


# Twilio's message status values (its OpenAPI spec): queued and later mean it left the schedule.
_TWILIO_STATES = states(
    SCHEDULED=("scheduled",),
    CANCELLED=("canceled",),
    SENT=(
        "accepted",
        "queued",
        "sending",
        "sent",
        "delivered",
        "read",
        "partially_delivered",
        "receiving",
        "received",
    ),
    FAILED=("failed", "undelivered"),
)
