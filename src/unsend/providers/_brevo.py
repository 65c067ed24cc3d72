r"""Brevo (ex-Sendinblue): cancel scheduled transactional email, ``DELETE /v3/smtp/email/{id}``.

The "message id" is what Brevo calls the identifier: a ``messageId`` (``<…@domain>``, one
email; percent-encoded in the path) or a ``batchId`` (a UUID, every email of the batch). Brevo
answers 204 with no body once the scheduled email(s) are deleted: ``CANCELLED``.

What Brevo leaves unsaid (shared/PROVIDERS-MORE.md, Brevo): the answer for an email already
sent, and for a second cancel. A 404 is ``NOT_FOUND`` (unknown, or no longer scheduled: Brevo
does not say which). A 400 is read once more, within the same deadline
(``GET /v3/smtp/emailStatus/{id}``): ``processed`` means already sent, ``NOT_CANCELLABLE``;
anything else leaves the 400 as ``UnexpectedResponse`` with Brevo's words. The same read is
``status()``: ``queued`` is scheduled, ``inProgress`` and ``processed`` sent, ``error`` failed.

Auth is the ``api-key`` header. A 429 waits ``x-sib-ratelimit-reset`` (seconds; the engine
reads it with the other reset headers), else its ``Retry-After``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Final

import attrs
import httpx

from .._errors import UnexpectedResponse, UnsendError
from .._ids import quote_message_id
from .._result import CancelResult, MessageStatus, Outcome
from .._secret import credential, masked
from ._base import HttpAdapter, error_text, match_id
from ._check import probe_result
from ._status import read_request, read_status, states
from ._urls import Endpoint, normalize_base_url

__all__ = ["Brevo"]

DEFAULT_BASE_URL: Final = "https://api.brevo.com"
IDENTIFIER: Final = re.compile(
    r"<[^<>\s@]+@[^<>\s@]+>"  # a messageId
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # a batchId
)
NO_LONGER: Final = "unknown, or no longer scheduled (Brevo does not say which)"


def _state_of(body: Any) -> str | None:
    """The status of one email, or of a batch whose emails all share one; else None."""
    if isinstance(body, dict) and isinstance(body.get("batches"), list):
        words = {b.get("status") for b in body["batches"] if isinstance(b, dict)}
        return words.pop() if len(words) == 1 and body["batches"] else None
    status = body["status"]
    return status if isinstance(status, str) else None


@attrs.frozen(init=False)
class Brevo(HttpAdapter):
    """Adapter for Brevo's scheduled transactional email (``api-key`` header)."""

    name: ClassVar[str] = "brevo"
    api_key: str = attrs.field(repr=masked)
    base_url: str
    _headers: dict[str, str] = attrs.field(init=False, repr=False, eq=False)
    _endpoint: Endpoint = attrs.field(init=False, repr=False, eq=False)

    def __init__(self, api_key: str, *, base_url: str | None = None) -> None:
        api_key = credential(api_key, key="api_key", provider="brevo")
        resolved = normalize_base_url(base_url, provider="brevo") if base_url else DEFAULT_BASE_URL
        self.__attrs_init__(api_key, resolved)
        headers = {"api-key": api_key, "Accept": "application/json"}
        object.__setattr__(self, "_headers", headers)
        object.__setattr__(self, "_endpoint", Endpoint(resolved, headers, method="DELETE"))

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.api_key,)

    def _identifier(self, message_id: str) -> str:
        shape = "a messageId (<…@domain>) or a batchId (a UUID)"
        return quote_message_id(match_id(message_id, IDENTIFIER, self.name, shape))

    # -- check: Get your account information ------------------------------------------------

    def check_request(self) -> httpx.Request:
        return read_request(self.base_url, "/v3/account", self._headers)

    def check_result(self, response: httpx.Response) -> str:
        return probe_result(self.name, response, self.secrets, "GET /v3/account")

    # -- reading a scheduled email back: GET /v3/smtp/emailStatus/{identifier} ---------------

    def status_request(self, message_id: str) -> httpx.Request:
        path = f"/v3/smtp/emailStatus/{self._identifier(message_id)}"
        return read_request(self.base_url, path, self._headers)

    def status_result(self, message_id: str, response: httpx.Response) -> MessageStatus:
        def read(body: Any) -> tuple[object, str | None]:
            return message_id, _state_of(body)  # the body names no id: the path did

        return read_status(
            self.name, message_id, response, self.secrets, read, _BREVO_STATES, not_found=NO_LONGER
        )

    # -- the cancel -----------------------------------------------------------------------------

    def cancel_request(self, message_id: str) -> httpx.Request:
        return self._endpoint.request(f"/v3/smtp/email/{self._identifier(message_id)}")

    def cancel_result(self, message_id: str, response: httpx.Response) -> CancelResult:
        status = response.status_code
        if status == 204 and self._bodiless(response):
            return CancelResult(self.name, message_id, Outcome.CANCELLED, status_code=status)
        if 200 <= status < 300:
            raise self._unexpected(message_id, response, f"HTTP {status} is not Brevo's 204")
        if status == 404:
            said = self._detail(error_text(self._safe_json(response), "message"))
            detail = NO_LONGER + (f": {said}" if said else "")
            return CancelResult(
                self.name, message_id, Outcome.NOT_FOUND, status_code=status, detail=detail
            )
        raise self.error_for(message_id, response)

    def error_for(self, message_id: str | None, response: httpx.Response) -> UnsendError:
        if response.status_code == 400:
            text = self._detail(error_text(self._safe_json(response), "message"))
            why = "Brevo refused the cancel (400" + (f": {text})" if text else ")")
            return self._unexpected(message_id or "", response, why)
        return super().error_for(message_id, response)

    # -- after a 400: was it sent already? (shared/PROVIDERS-MORE.md, Brevo) ------------------

    def follow_up_request(self, message_id: str, error: UnsendError) -> httpx.Request | None:
        if not isinstance(error, UnexpectedResponse) or error.status_code != 400:
            return None
        return self.status_request(message_id)

    def follow_up_result(
        self, message_id: str, error: UnsendError, response: httpx.Response
    ) -> CancelResult:
        """``processed`` is too late; anything else settles nothing, and the 400 stands."""
        if response.status_code != 200:
            raise error
        try:
            word = _state_of(response.json())
        except (ValueError, KeyError, TypeError):
            raise error from None
        if word != "processed":
            raise error
        return CancelResult(
            self.name,
            message_id,
            Outcome.NOT_CANCELLABLE,
            status_code=400,
            detail="already sent: Brevo shows it processed",
        )


_BREVO_STATES = states(SCHEDULED=("queued",), SENT=("inProgress", "processed"), FAILED=("error",))
