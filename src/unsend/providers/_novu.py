"""Novu: cancel a triggered event by transaction id, ``DELETE /v1/events/trigger/{id}``.

Novu answers 200 with a bare JSON boolean: ``true`` when a job for the id was waiting in a
delay or digest step (and is now cancelled, with its pending followers), ``false`` when nothing
was waiting: an unknown id, a finished workflow or a second cancel alike (read in Novu's
server code; its reference says only "boolean"). unsend reports ``false`` as ``NOT_FOUND``
with that caveat: Novu cannot tell those apart. Auth is ``ApiKey <secret>``; ``region="eu"``
is ``eu.api.novu.co``.
"""

from __future__ import annotations

from typing import ClassVar, Final

import attrs
import httpx

from .._errors import ConfigError
from .._ids import quote_message_id, validate_message_id
from .._result import CancelResult, Outcome
from .._secret import credential, masked
from ._base import HttpAdapter, error_text
from ._check import probe_result
from ._status import read_request
from ._urls import Endpoint, normalize_base_url

__all__ = ["NOVU_REGIONS", "Novu"]

NOVU_REGIONS: Final = {"us": "https://api.novu.co", "eu": "https://eu.api.novu.co"}
NOTHING_WAITING: Final = (
    "nothing was waiting: an unknown id, a finished workflow or a second cancel (Novu does not "
    "say which)"
)


@attrs.frozen(init=False)
class Novu(HttpAdapter):
    """Adapter for Novu's cancel of a triggered event (ApiKey auth)."""

    name: ClassVar[str] = "novu"
    dsn_host: ClassVar[str] = "region"  # novu://SECRET_KEY@eu
    api_key: str = attrs.field(repr=masked)
    region: str | None
    base_url: str
    _endpoint: Endpoint = attrs.field(init=False, repr=False, eq=False)

    def __init__(
        self, api_key: str, *, region: str | None = None, base_url: str | None = None
    ) -> None:
        api_key = credential(api_key, key="api_key", provider="novu")
        if region is not None and region not in NOVU_REGIONS:
            raise ConfigError(f"unknown Novu region {region!r}; expected us or eu", provider="novu")
        resolved = (
            normalize_base_url(base_url, provider="novu")
            if base_url
            else NOVU_REGIONS[region or "us"]
        )
        self.__attrs_init__(api_key, region, resolved)
        headers = {"Authorization": f"ApiKey {api_key}", "Accept": "application/json"}
        object.__setattr__(self, "_endpoint", Endpoint(resolved, headers, method="DELETE"))

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.api_key,)

    # -- check: Get current environment (the one the key belongs to) -------------------------

    def check_request(self) -> httpx.Request:
        auth = {"Authorization": f"ApiKey {self.api_key}"}
        return read_request(self.base_url, "/v1/environments/me", auth)

    def check_result(self, response: httpx.Response) -> str:
        return probe_result(self.name, response, self.secrets, "GET /v1/environments/me")

    def cancel_request(self, message_id: str) -> httpx.Request:
        validate_message_id(message_id, provider=self.name)
        return self._endpoint.request(f"/v1/events/trigger/{quote_message_id(message_id)}")

    def cancel_result(self, message_id: str, response: httpx.Response) -> CancelResult:
        status = response.status_code
        if status == 200:
            body = self._json(message_id, response)
            if isinstance(body, dict) and isinstance(body.get("data"), bool):
                body = body["data"]  # the answer wrapped as Novu wraps others
            if body is True:
                return CancelResult(self.name, message_id, Outcome.CANCELLED, status_code=status)
            if body is False:
                return CancelResult(
                    self.name,
                    message_id,
                    Outcome.NOT_FOUND,
                    status_code=status,
                    detail=NOTHING_WAITING,
                )
            raise self._unexpected(message_id, response, "200 without a boolean")
        if status == 404:
            detail = self._detail(error_text(self._json(message_id, response), "message"))
            return CancelResult(
                self.name, message_id, Outcome.NOT_FOUND, status_code=status, detail=detail
            )
        raise self.error_for(message_id, response)
