"""OneSignal: ``DELETE /notifications/{id}?app_id=…`` answers 200 ``{"success": true}``, 400 when
already sent (``errors`` says why), 404 when unknown or past the retention window.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final
from urllib.parse import quote

import attrs
import httpx

from .._errors import UnsendError
from .._ids import quote_message_id, validate_message_id
from .._result import CancelResult, MessageStatus, Outcome
from .._secret import credential, masked
from ._check import probe_result
from ._responses import common_error, read_json, redact, unexpected
from ._status import read_request, read_status, states
from ._urls import Endpoint, normalize_base_url

__all__ = ["OneSignal"]

DEFAULT_BASE_URL: Final = "https://api.onesignal.com"


def _error_texts(body: object, secrets: tuple[str, ...]) -> str | None:
    """``"; "``-joined ``errors`` when they are a list of strings, else None."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and all(isinstance(e, str) for e in errors):
        return redact("; ".join(errors), secrets)
    return None


@attrs.frozen(init=False)
class OneSignal:
    """Adapter for OneSignal's Cancel message API (``Authorization: Key <api_key>``)."""

    name: ClassVar[str] = "onesignal"
    app_id: str = attrs.field(repr=masked)
    api_key: str = attrs.field(repr=masked)
    base_url: str
    _endpoint: Endpoint = attrs.field(init=False, repr=False, eq=False)
    _query: str = attrs.field(init=False, repr=False, eq=False)

    def __init__(self, app_id: str, api_key: str, *, base_url: str | None = None) -> None:
        app_id = credential(app_id, key="app_id", provider="onesignal")
        api_key = credential(api_key, key="api_key", provider="onesignal")
        resolved = (
            normalize_base_url(base_url, provider="onesignal") if base_url else DEFAULT_BASE_URL
        )
        self.__attrs_init__(app_id, api_key, resolved)
        headers = {"Authorization": f"Key {api_key}", "Accept": "application/json"}
        object.__setattr__(self, "_endpoint", Endpoint(resolved, headers, method="DELETE"))
        object.__setattr__(self, "_query", f"app_id={quote(app_id, safe='')}")

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values to blank out of anything shown; never part of a repr."""
        return (self.api_key, self.app_id)

    def cancel_request(self, message_id: str) -> httpx.Request:
        validate_message_id(message_id, provider=self.name)
        return self._endpoint.request(f"/notifications/{quote_message_id(message_id)}", self._query)

    # -- reading a notification back: GET /notifications/{id}?app_id= ------------------------

    # -- check: View notifications, one at most ---------------------------------------------

    def check_request(self) -> httpx.Request:
        auth = {"Authorization": f"Key {self.api_key}"}
        return read_request(self.base_url, "/notifications", auth, f"{self._query}&limit=1")

    def check_result(self, response: httpx.Response) -> str:
        what = "GET /notifications?app_id={app_id}&limit=1"
        return probe_result(self.name, response, self.secrets, what)

    def status_request(self, message_id: str) -> httpx.Request:
        validate_message_id(message_id, provider=self.name)
        path = f"/notifications/{quote_message_id(message_id)}"
        return read_request(
            self.base_url, path, {"Authorization": f"Key {self.api_key}"}, self._query
        )

    def status_result(self, message_id: str, response: httpx.Response) -> MessageStatus:
        def read(body: Any) -> tuple[object, str | None]:
            if body["canceled"] is True:
                return body["id"], "canceled"
            if body.get("completed_at"):
                return body["id"], "completed"
            return body["id"], "pending" if body["canceled"] is False else None

        return read_status(self.name, message_id, response, self.secrets, read, _ONESIGNAL_STATES)

    def cancel_result(self, message_id: str, response: httpx.Response) -> CancelResult:
        status = response.status_code
        if status == 200:
            body = read_json(self.name, message_id, response, self.secrets)
            # Strictly the JSON literal true: "true", 1 or a missing key are not a cancel.
            if isinstance(body, dict) and body.get("success") is True:
                return CancelResult(self.name, message_id, Outcome.CANCELLED, status_code=status)
            raise unexpected(
                self.name, message_id, response, '200 without "success": true', self.secrets
            )
        if status == 400:
            detail = _error_texts(
                read_json(self.name, message_id, response, self.secrets), self.secrets
            )
            if detail is None:
                raise unexpected(
                    self.name, message_id, response, "400 without an errors list", self.secrets
                )
            return CancelResult(
                self.name, message_id, Outcome.NOT_CANCELLABLE, status_code=status, detail=detail
            )
        if status == 404:
            # The status alone decides; the body only adds detail when it is readable.
            try:
                detail = _error_texts(read_json(self.name, message_id, response), self.secrets)
            except UnsendError:
                detail = None
            return CancelResult(
                self.name, message_id, Outcome.NOT_FOUND, status_code=status, detail=detail
            )
        raise common_error(self.name, message_id, response, self.secrets)


_ONESIGNAL_STATES = states(SCHEDULED=("pending",), CANCELLED=("canceled",), SENT=("completed",))
