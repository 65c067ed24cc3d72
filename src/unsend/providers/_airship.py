"""Airship (Urban Airship): cancel a push schedule, ``DELETE /api/schedules/{schedule_id}``.

Airship answers 204 with no body once the schedule is deleted: no more pushes are sent from it
(its reference). 404 is an unknown schedule; whether a one-time schedule that already fired
answers 404 too is undocumented (shared/PROVIDERS-MORE.md, Airship), so a 404 says the
schedule is unknown *or* already fired, never that it was cancelled. Any other 2xx, or a 204
with a body, is not Airship's answer (a portal, a proxy) and is ``UnexpectedResponse``.

Credentials: the app key with the master secret (HTTP Basic, ``auth="basic"``, the default) or
with a bearer token (``auth="bearer"``; Airship then also wants the app key in
``X-UA-Appkey``). ``location="eu"`` is ``go.airship.eu``. Every request asks for version 3 of
the API in its ``Accept`` header. Airship documents no rate limit for this endpoint: a 429 is
retried like any other, after its ``Retry-After`` when it sends one.
"""

from __future__ import annotations

import base64
import re
from typing import ClassVar, Final

import attrs
import httpx

from .._errors import ConfigError
from .._ids import quote_message_id
from .._result import CancelResult, Outcome
from .._secret import credential, masked
from ._base import HttpAdapter, error_text, match_id
from ._check import probe_result
from ._status import read_request
from ._urls import Endpoint, normalize_base_url

__all__ = ["AIRSHIP_LOCATIONS", "Airship"]

AIRSHIP_LOCATIONS: Final = {"us": "https://go.urbanairship.com", "eu": "https://go.airship.eu"}
ACCEPT: Final = "application/vnd.urbanairship+json; version=3"
SCHEDULE_ID: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
UNKNOWN_OR_FIRED: Final = (
    "unknown schedule, or a one-time schedule that already fired (Airship does not say which)"
)


@attrs.frozen(init=False)
class Airship(HttpAdapter):
    """Adapter for Airship's push schedules (Basic app key:master secret, or a bearer token)."""

    name: ClassVar[str] = "airship"
    dsn_host: ClassVar[str] = "location"  # airship://APP_KEY:MASTER_SECRET@eu
    app_key: str = attrs.field(repr=masked)
    secret: str = attrs.field(repr=masked)
    auth: str
    location: str | None
    base_url: str
    _headers: dict[str, str] = attrs.field(init=False, repr=False, eq=False)
    _endpoint: Endpoint = attrs.field(init=False, repr=False, eq=False)

    def __init__(
        self,
        app_key: str,
        secret: str,
        *,
        auth: str = "basic",
        location: str | None = None,
        base_url: str | None = None,
    ) -> None:
        app_key = credential(app_key, key="app_key", provider="airship")
        secret = credential(secret, key="secret", provider="airship")
        if auth not in ("basic", "bearer"):
            raise ConfigError(
                f"unknown Airship auth {auth!r}; expected basic (master secret) or bearer",
                provider="airship",
            )
        if location is not None and location not in AIRSHIP_LOCATIONS:
            raise ConfigError(
                f"unknown Airship location {location!r}; expected us or eu", provider="airship"
            )
        resolved = (
            normalize_base_url(base_url, provider="airship")
            if base_url
            else AIRSHIP_LOCATIONS[location or "us"]
        )
        self.__attrs_init__(app_key, secret, auth, location, resolved)
        if auth == "basic":
            basic = base64.b64encode(f"{app_key}:{secret}".encode()).decode()
            headers = {"Authorization": f"Basic {basic}"}
        else:
            headers = {"Authorization": f"Bearer {secret}", "X-UA-Appkey": app_key}
        headers["Accept"] = ACCEPT
        object.__setattr__(self, "_headers", headers)
        object.__setattr__(self, "_endpoint", Endpoint(resolved, headers, method="DELETE"))

    @property
    def secrets(self) -> tuple[str, ...]:
        # The secret, and the Basic pair it travels in (its base64 forms are redacted with it).
        return (self.secret, f"{self.app_key}:{self.secret}")

    # -- check: List schedules, one at most ---------------------------------------------------

    def check_request(self) -> httpx.Request:
        return read_request(self.base_url, "/api/schedules", self._headers, "limit=1")

    def check_result(self, response: httpx.Response) -> str:
        return probe_result(self.name, response, self.secrets, "GET /api/schedules?limit=1")

    def cancel_request(self, message_id: str) -> httpx.Request:
        match_id(message_id, SCHEDULE_ID, self.name, "a schedule id (a UUID)")
        return self._endpoint.request(f"/api/schedules/{quote_message_id(message_id)}")

    def cancel_result(self, message_id: str, response: httpx.Response) -> CancelResult:
        status = response.status_code
        if status == 204 and self._bodiless(response):
            return CancelResult(self.name, message_id, Outcome.CANCELLED, status_code=status)
        if 200 <= status < 300:
            raise self._unexpected(message_id, response, f"HTTP {status} is not Airship's 204")
        if status == 404:
            said = self._detail(error_text(self._safe_json(response), "error"))
            detail = UNKNOWN_OR_FIRED + (f": {said}" if said else "")
            return CancelResult(
                self.name, message_id, Outcome.NOT_FOUND, status_code=status, detail=detail
            )
        raise self.error_for(message_id, response)
