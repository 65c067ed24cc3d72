"""Upstash QStash: ``DELETE /v2/messages/{messageId}`` answers 200 (202 on newer API) or 404.

QStash deletes a message once delivered, so 404 also means "already delivered". A 404 whose error
says the user is not found in this region is a wrong region or base URL, not a message outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Final

import attrs
import httpx

from .._errors import ConfigError, DailyLimitExceeded, UnsendError
from .._ids import quote_message_id, validate_message_id
from .._result import BulkAnswer, CancelResult, MessageStatus, Outcome
from .._secret import credential, masked
from ..providers._check import PROBE_ID, probe_result
from ..providers._responses import common_error, read_json, redact, unexpected
from ..providers._status import read_request, read_status, states
from ..providers._urls import Endpoint, normalize_base_url

if TYPE_CHECKING:
    from ._values import BulkAction

__all__ = ["QSTASH_REGIONS", "QStash"]

DEFAULT_BASE_URL: Final = "https://qstash.upstash.io"
QSTASH_REGIONS: Final = {
    "eu-central-1": "https://qstash-eu-central-1.upstash.io",
    "us-east-1": "https://qstash-us-east-1.upstash.io",
}


@attrs.frozen(init=False)
class QStash:
    """Adapter for Upstash QStash. ``region`` picks the regional host; ``base_url`` overrides it."""

    name: ClassVar[str] = "qstash"
    dsn_host: ClassVar[str] = "region"  # qstash://TOKEN@us-east-1
    # Canceller(QStash(...)) is one of these (sync, async): named, so no adapter imports a client.
    cancellers: ClassVar[tuple[str, str]] = (
        "unsend.qstash._canceller:QStashCanceller",
        "unsend.qstash._canceller:AsyncQStashCanceller",
    )
    token: str = attrs.field(repr=masked)
    region: str | None
    base_url: str
    _endpoint: Endpoint = attrs.field(init=False, repr=False, eq=False)

    def __init__(
        self, token: str, *, region: str | None = None, base_url: str | None = None
    ) -> None:
        token = credential(token, key="token", provider="qstash")
        if region is not None and region not in QSTASH_REGIONS:
            choices = ", ".join(sorted(QSTASH_REGIONS))
            raise ConfigError(
                f"unknown QStash region {region!r}; expected one of {choices}", provider="qstash"
            )
        if base_url is not None:
            resolved = normalize_base_url(base_url, provider="qstash")
        else:
            resolved = QSTASH_REGIONS[region] if region is not None else DEFAULT_BASE_URL
        self.__attrs_init__(token, region, resolved)
        # The header, never the qstash_token query parameter: URLs end up in logs and proxies.
        headers = {"Authorization": f"Bearer {token}"}
        object.__setattr__(self, "_endpoint", Endpoint(resolved, headers, method="DELETE"))

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values to blank out of anything shown; never part of a repr."""
        return (self.token,)

    def auth_headers(self) -> dict[str, str]:
        # The header, never the qstash_token query parameter: URLs end up in logs and proxies.
        return {"Authorization": f"Bearer {self.token}"}

    def cancel_request(self, message_id: str) -> httpx.Request:
        validate_message_id(message_id, provider=self.name)
        return self._endpoint.request(f"/v2/messages/{quote_message_id(message_id)}")

    # -- reading a message back: GET /v2/messages/{id} (200 while it waits; QStash deletes
    # delivered and cancelled messages, so both then answer 404) ------------------------------

    # -- check: Get Message for an id QStash never made; its 404 follows the token's check ----

    def check_request(self) -> httpx.Request:
        return self.status_request(PROBE_ID)

    def check_result(self, response: httpx.Response) -> str:
        what = "GET /v2/messages/{messageId} (an id that cannot exist)"
        return probe_result(self.name, response, self.secrets, what, accepted=(200, 404))

    def status_request(self, message_id: str) -> httpx.Request:
        validate_message_id(message_id, provider=self.name)
        path = f"/v2/messages/{quote_message_id(message_id)}"
        return read_request(self.base_url, path, self.auth_headers())

    def status_result(self, message_id: str, response: httpx.Response) -> MessageStatus:
        def read(body: Any) -> tuple[object, str | None]:
            return body["messageId"], "pending"

        return read_status(
            self.name,
            message_id,
            response,
            self.secrets,
            read,
            _QSTASH_STATES,
            not_found="QStash keeps no message once delivered or cancelled",
        )

    def cancel_result(self, message_id: str, response: httpx.Response) -> CancelResult:
        status = response.status_code
        if status == 200:
            # Documented as 200 with no body: anything in it (an HTML page from a proxy or a
            # captive portal, even ``{}``) is not QStash's answer.
            if response.content.strip():
                raise unexpected(self.name, message_id, response, "200 with a body", self.secrets)
            return CancelResult(self.name, message_id, Outcome.CANCELLED, status_code=status)
        if status == 404:
            return self._not_found(message_id, response)
        raise self.error_for(message_id, response)

    def _not_found(self, item_id: str, response: httpx.Response) -> CancelResult:
        """A 404 is NOT_FOUND, unless its text says the token belongs to another region."""
        body = read_json(self.name, item_id, response, self.secrets)
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, str):
            why = "404 without an error text"
            raise unexpected(self.name, item_id, response, why, self.secrets)
        if "not found in this region" in error.lower():
            raise ConfigError(
                f"QStash says {redact(error, self.secrets)!r}: the token belongs to "
                "another region; set region= or base_url= to that region",
                provider=self.name,
                message_id=item_id,
                status_code=404,
            )
        return CancelResult(
            self.name,
            item_id,
            Outcome.NOT_FOUND,
            status_code=404,
            detail=redact(error, self.secrets),
        )

    def cancel_schedule_request(self, schedule_id: str) -> httpx.Request:
        """``DELETE /v2/schedules/{scheduleId}``; the id is validated like a message id."""
        validate_message_id(schedule_id, provider=self.name)
        return httpx.Request(
            "DELETE",
            f"{self.base_url}/v2/schedules/{quote_message_id(schedule_id)}",
            headers=self.auth_headers(),
        )

    def cancel_schedule_result(self, schedule_id: str, response: httpx.Response) -> CancelResult:
        """200 with no body is CANCELLED (the schedule is deleted); 404 is NOT_FOUND.

        QStash documents only 200, with no body, for this endpoint: any other answer (another
        2xx, a body such as a proxy's HTML page) is not its word. A 404 with an error text is
        read as an unknown schedule (what its GET documents); if QStash answers 200 for an
        unknown id, that cannot be told from a deletion and is reported CANCELLED.
        """
        status = response.status_code
        if status == 200:
            if response.content.strip():
                raise unexpected(self.name, schedule_id, response, "200 with a body", self.secrets)
            return CancelResult(self.name, schedule_id, Outcome.CANCELLED, status_code=status)
        if status == 404:
            return self._not_found(schedule_id, response)
        raise self.error_for(schedule_id, response)

    def bulk_action_request(self, action_id: str) -> httpx.Request:
        """``GET /v2/bulkActions/{actionId}``; the id is validated like a message id."""
        validate_message_id(action_id, provider=self.name)
        return httpx.Request(
            "GET",
            f"{self.base_url}/v2/bulkActions/{quote_message_id(action_id)}",
            headers=self.auth_headers(),
        )

    def bulk_action_result(self, action_id: str, response: httpx.Response) -> BulkAction:
        from ._actions import action_error, parse_action

        if response.status_code != 200:
            raise action_error(self.name, action_id, response, self.secrets) or self.error_for(
                None, response
            )
        return parse_action(self.name, action_id, response, self.secrets)

    def bulk_actions_request(
        self, state: str | None, cursor: str | None, count: int = 1000
    ) -> httpx.Request:
        """One page of ``GET /v2/bulkActions``: ``count`` scanned (1,000 is QStash's maximum)."""
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 1000:
            raise ValueError(f"page size must be between 1 and 1000, got {count!r}")
        params: list[tuple[str, str | int | float | bool | None]] = [("count", str(count))]
        if state is not None:
            params.append(("state", state))
        if cursor is not None:
            params.append(("cursor", cursor))
        return httpx.Request(
            "GET", f"{self.base_url}/v2/bulkActions", params=params, headers=self.auth_headers()
        )

    def bulk_actions_result(self, response: httpx.Response) -> tuple[list[BulkAction], str | None]:
        from ._actions import parse_action_page

        if response.status_code != 200:
            raise self.error_for(None, response)
        return parse_action_page(self.name, response, self.secrets)

    def bulk_cancel_request(self, params: Sequence[tuple[str, str]]) -> httpx.Request:
        """``DELETE /v2/messages`` with these query parameters; the plan has guarded them."""
        return httpx.Request(
            "DELETE",
            f"{self.base_url}/v2/messages",
            params=list(params),
            headers=self.auth_headers(),
        )

    def bulk_cancel_result(self, response: httpx.Response) -> BulkAnswer:
        if response.status_code not in (200, 202):
            from ._actions import action_error

            raise action_error(self.name, None, response, self.secrets) or self.error_for(
                None, response
            )
        body = read_json(self.name, None, response, self.secrets)
        if isinstance(body, dict):
            count = body.get("cancelled")
            if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
                return BulkAnswer(cancelled=count)
            action = body.get("actionId")
            if isinstance(action, str) and action:
                return BulkAnswer(cancelled=None, action_id=action)
        raise unexpected(
            self.name,
            None,
            response,
            'bulk answer has neither "cancelled" nor "actionId"',
            self.secrets,
        )

    def error_for(self, message_id: str | None, response: httpx.Response) -> UnsendError:
        """The error for a status that is not an outcome; also used by the bulk endpoint."""
        headers = response.headers
        if response.status_code == 429 and "ratelimit-limit" in headers:
            # RateLimit-* (no Burst- prefix) is the daily quota: waiting seconds cannot help.
            return DailyLimitExceeded(
                f"QStash daily request quota of {headers['ratelimit-limit']} is spent",
                provider=self.name,
                message_id=message_id,
                status_code=429,
            )
        return common_error(self.name, message_id, response, self.secrets)


_QSTASH_STATES = states(SCHEDULED=("pending",))
