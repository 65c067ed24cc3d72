"""Sinch SMS: cancel a scheduled batch, ``DELETE /xms/v1/{service_plan_id}/batches/{batch_id}``.

Sinch answers 200 with the batch marked ``canceled: true``, and that is all it proves: its
reference allows a cancel "at any point", a batch already sent is marked the same (inferred in
shared/PROVIDERS-MORE.md, Sinch), and a batch cancelled mid-send still sends some of its
messages. So the 200 is ``Outcome.REQUESTED`` (accepted, nothing claimed), never
``CANCELLED``; ``confirm=True`` reads the batch's delivery report after it, which turns the
result into ``NOT_CANCELLABLE`` when the report shows the messages sent. A 200 whose batch is
another, or not marked cancelled, is ``UnexpectedResponse``. What Sinch answers for an unknown
batch is undocumented: a 404 is ``NOT_FOUND``.

``status()`` is the delivery report (``GET …/batches/{id}/delivery_report``): messages
``Delivered`` or ``Dispatched`` are sent, ``Queued`` scheduled, ``Cancelled`` or ``Aborted``
cancelled, ``Failed``, ``Rejected`` and ``Expired`` failed; a report with no message, or with
several states at once, says nothing unsend can claim (``UNKNOWN``): a batch not yet sent and a
batch cancelled both have an empty report.

Auth is the service plan's API token (Bearer); the plan id is in every path. ``region`` picks
the host (``us``, the default, ``eu``, ``au``, ``br``, ``ca``).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Final

import attrs
import httpx

from .._errors import ConfigError
from .._ids import quote_message_id
from .._result import CancelResult, MessageStatus, Outcome
from .._secret import credential, masked
from ._base import HttpAdapter, match_id
from ._check import probe_result
from ._status import read_request, read_status, states
from ._urls import normalize_base_url

__all__ = ["SINCH_REGIONS", "Sinch"]

SINCH_REGIONS: Final = ("us", "eu", "au", "br", "ca")
PLAN_ID: Final = re.compile(r"[A-Za-z0-9]{8,64}")
BATCH_ID: Final = re.compile(r"[A-Za-z0-9]{10,64}")
MARKED: Final = (
    "accepted: Sinch marked the batch cancelled, which never proves that nothing was sent "
    "(confirm=True reads its delivery report)"
)


def _report_state(body: Any) -> str | None:
    """The one status every message of the report shares; None when empty or mixed."""
    statuses = body["statuses"]
    words = {entry["status"] for entry in statuses if entry.get("count", 1)}
    return words.pop() if len(words) == 1 else None


@attrs.frozen(init=False)
class Sinch(HttpAdapter):
    """Adapter for Sinch's SMS batches (a service plan's API token, Bearer)."""

    name: ClassVar[str] = "sinch"
    dsn_host: ClassVar[str] = "region"  # sinch://SERVICE_PLAN_ID:API_TOKEN@eu
    service_plan_id: str = attrs.field(repr=masked)
    api_token: str = attrs.field(repr=masked)
    region: str | None
    base_url: str
    _headers: dict[str, str] = attrs.field(init=False, repr=False, eq=False)

    def __init__(
        self,
        service_plan_id: str,
        api_token: str,
        *,
        region: str | None = None,
        base_url: str | None = None,
    ) -> None:
        service_plan_id = credential(service_plan_id, key="service_plan_id", provider="sinch")
        if not PLAN_ID.fullmatch(service_plan_id):
            raise ConfigError("a Sinch service_plan_id is letters and digits", provider="sinch")
        api_token = credential(api_token, key="api_token", provider="sinch")
        if region is not None and region not in SINCH_REGIONS:
            raise ConfigError(
                f"unknown Sinch region {region!r}; expected one of {', '.join(SINCH_REGIONS)}",
                provider="sinch",
            )
        resolved = (
            normalize_base_url(base_url, provider="sinch")
            if base_url
            else f"https://{region or 'us'}.sms.api.sinch.com"
        )
        self.__attrs_init__(service_plan_id, api_token, region, resolved)
        headers = {"Authorization": f"Bearer {api_token}", "Accept": "application/json"}
        object.__setattr__(self, "_headers", headers)

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.api_token,)

    def _batch(self, message_id: str) -> str:
        match_id(message_id, BATCH_ID, self.name, "a batch id of letters and digits")
        return f"/xms/v1/{self.service_plan_id}/batches/{quote_message_id(message_id)}"

    # -- check: List batches, one at most -----------------------------------------------------

    def check_request(self) -> httpx.Request:
        path = f"/xms/v1/{self.service_plan_id}/batches"
        return read_request(self.base_url, path, self._headers, "page_size=1")

    def check_result(self, response: httpx.Response) -> str:
        what = "GET /xms/v1/{service_plan_id}/batches?page_size=1"
        return probe_result(self.name, response, self.secrets, what)

    # -- status: the batch's delivery report --------------------------------------------------

    def status_request(self, message_id: str) -> httpx.Request:
        return read_request(
            self.base_url, f"{self._batch(message_id)}/delivery_report", self._headers
        )

    def status_result(self, message_id: str, response: httpx.Response) -> MessageStatus:
        def read(body: Any) -> tuple[object, str | None]:
            return body["batch_id"], _report_state(body)

        return read_status(self.name, message_id, response, self.secrets, read, _SINCH_STATES)

    # -- the cancel -----------------------------------------------------------------------------

    def cancel_request(self, message_id: str) -> httpx.Request:
        return httpx.Request(
            "DELETE", self.base_url + self._batch(message_id), headers=self._headers
        )

    def cancel_result(self, message_id: str, response: httpx.Response) -> CancelResult:
        status = response.status_code
        if status == 200:
            body = self._json(message_id, response)
            if not isinstance(body, dict) or body.get("id") != message_id:
                raise self._unexpected(message_id, response, "200 without this batch")
            if body.get("canceled") is not True:
                raise self._unexpected(message_id, response, "200 whose batch is not canceled")
            return CancelResult(
                self.name, message_id, Outcome.REQUESTED, status_code=status, detail=MARKED
            )
        if status == 404:
            return CancelResult(
                self.name,
                message_id,
                Outcome.NOT_FOUND,
                status_code=status,
                detail="unknown batch (Sinch documents no answer for it)",
            )
        raise self.error_for(message_id, response)


# Sinch's delivery report statuses.
_SINCH_STATES = states(
    SCHEDULED=("Queued",),
    SENT=("Dispatched", "Delivered"),
    CANCELLED=("Cancelled", "Aborted"),
    FAILED=("Failed", "Rejected", "Expired"),
)
