"""Mailchimp Transactional (Mandrill): cancel a scheduled email, ``POST
/messages/cancel-scheduled`` with ``{key, id}``.

The API key travels in the JSON body, as Mandrill's API wants it: never in a URL, a header or a
log line (unsend logs no request body). The id is the ``_id`` each recipient's email was given
when it was scheduled (``I_dtFt2ZNPW5QD9-FaDU1A``).

Mandrill answers 200 with the cancelled scheduled email (an object in its OpenAPI 3 document,
an array of one in its Swagger 2 document: both are read, and the ``_id`` must be this email's)
for ``CANCELLED``. ``Unknown_Message`` (404, code 11) is ``NOT_FOUND``: what it answers for an
email already sent, or cancelled before, is undocumented (presumably the same, since the email
leaves the scheduled list), so a 404 never says which. ``Invalid_Key`` (401) is
``AuthenticationError``, ``GeneralError`` (500) ``ProviderUnavailable``, a ``ValidationError``
(400) ``UnexpectedResponse`` with Mandrill's words. The paths are under
``https://mandrillapp.com/api/1.4`` (the OpenAPI 3 document's).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Final

import attrs
import httpx

from .._result import CancelResult, MessageStatus, Outcome
from .._secret import credential, masked
from ._base import HttpAdapter, error_text, match_id
from ._check import probe_result
from ._status import read_status, states
from ._urls import normalize_base_url

__all__ = ["Mailchimp"]

DEFAULT_BASE_URL: Final = "https://mandrillapp.com"
VERSION: Final = "/api/1.4"  # the OpenAPI 3 document's; its Python library still says 1.3
MESSAGE_ID: Final = re.compile(r"[A-Za-z0-9_-]{8,64}")
UNKNOWN: Final = "Unknown_Message: unknown, already sent or cancelled (Mandrill does not say which)"


@attrs.frozen(init=False)
class Mailchimp(HttpAdapter):
    """Adapter for Mailchimp Transactional's cancel of a scheduled email (key in the body)."""

    name: ClassVar[str] = "mailchimp"
    api_key: str = attrs.field(repr=masked)
    base_url: str

    def __init__(self, api_key: str, *, base_url: str | None = None) -> None:
        api_key = credential(api_key, key="api_key", provider="mailchimp")
        resolved = (
            normalize_base_url(base_url, provider="mailchimp") if base_url else DEFAULT_BASE_URL
        )
        self.__attrs_init__(api_key, resolved)

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.api_key,)

    def _post(self, path: str, **fields: str) -> httpx.Request:
        body = {"key": self.api_key, **fields}
        headers = {"Accept": "application/json"}
        url = f"{self.base_url}{VERSION}{path}"
        return httpx.Request("POST", url, json=body, headers=headers)

    # -- check: users/ping, which answers "PONG!" to a key it accepts -------------------------

    def check_request(self) -> httpx.Request:
        return self._post("/users/ping")

    def check_result(self, response: httpx.Response) -> str:
        return probe_result(self.name, response, self.secrets, "POST /users/ping")

    # -- status: messages/list-scheduled (up to 1,000) --------------------------------------
    # Listed is scheduled; not listed says nothing Mandrill would stand by: UNKNOWN.

    def status_request(self, message_id: str) -> httpx.Request:
        match_id(message_id, MESSAGE_ID, self.name, "an _id of letters, digits, '-' and '_'")
        return self._post("/messages/list-scheduled")

    def status_result(self, message_id: str, response: httpx.Response) -> MessageStatus:
        def read(body: Any) -> tuple[object, str | None]:
            if not isinstance(body, list):
                raise TypeError  # read_status: not this read's answer
            listed = {entry["_id"] for entry in body}
            return message_id, "listed" if message_id in listed else None

        table = states(SCHEDULED=("listed",))
        return read_status(self.name, message_id, response, self.secrets, read, table)

    # -- the cancel -----------------------------------------------------------------------------

    def cancel_request(self, message_id: str) -> httpx.Request:
        match_id(message_id, MESSAGE_ID, self.name, "an _id of letters, digits, '-' and '_'")
        return self._post("/messages/cancel-scheduled", id=message_id)

    def cancel_result(self, message_id: str, response: httpx.Response) -> CancelResult:
        status = response.status_code
        if status == 200:
            body: Any = self._json(message_id, response)
            if isinstance(body, list) and len(body) == 1:
                body = body[0]  # the Swagger 2 document's form
            if not isinstance(body, dict) or body.get("_id") != message_id:
                raise self._unexpected(message_id, response, "200 without this email's _id")
            return CancelResult(self.name, message_id, Outcome.CANCELLED, status_code=status)
        body = self._safe_json(response)
        named = body.get("name") if isinstance(body, dict) else None
        if status == 404 and named == "Unknown_Message":
            return CancelResult(
                self.name, message_id, Outcome.NOT_FOUND, status_code=status, detail=UNKNOWN
            )
        if status == 400:
            text = self._detail(error_text(body, "message", "name"))
            raise self._unexpected(message_id, response, f"Mandrill refused it: {text}")
        raise self.error_for(message_id, response)
