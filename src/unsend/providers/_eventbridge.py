"""AWS EventBridge Scheduler: delete a one-time schedule, ``DeleteSchedule``
(``DELETE /schedules/{Name}?groupName=&clientToken=``), SigV4-signed with botocore.

The "message id" is the schedule's ``Name`` (its group ``default``), or ``GROUP:NAME``; both
are ``[0-9a-zA-Z-_.]``, 1 to 64 characters. Each cancel carries one ``clientToken``, the same on
every retry of it. Credentials come from botocore's chain (environment, profile, instance
role) unless given; botocore is imported when the provider is built (``unsend[aws]``).

What a 200 proves depends on the schedule (shared/PROVIDERS-MORE.md, EventBridge Scheduler): a
one-time schedule created with ``ActionAfterCompletion=DELETE`` is gone once it fired, so a 200
means it was deleted before firing; one created without it (``NONE``, AWS's default) still
exists after firing, and a delete then succeeds all the same and tells nothing. unsend cannot
see which: ``after_completion="DELETE"`` (yours are created so) makes a 200 ``CANCELLED``; the
default ``"NONE"`` makes it ``REQUESTED``. ``ResourceNotFoundException`` (404) is
``NOT_FOUND``: fired and deleted, cancelled before, or never created (AWS does not say which).
``ThrottlingException`` (429) is retried; ``ConflictException`` (409) and
``InternalServerException`` (500) are ``ProviderUnavailable``-class errors as usual.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, ClassVar, Final
from urllib.parse import urlencode

import attrs
import httpx

from .._errors import ConfigError, InvalidMessageId, RateLimited, UnsendError
from .._ids import quote_message_id, validate_message_id
from .._result import CancelResult, MessageState, MessageStatus, Outcome
from .._secret import credential, masked
from ._base import HttpAdapter
from ._check import probe_result
from ._status import read_status, states
from ._urls import normalize_base_url

__all__ = ["EventBridgeScheduler"]

NAME: Final = re.compile(r"[0-9a-zA-Z_.-]{1,64}")
_ERROR_TYPE: Final = "x-amzn-errortype"  # "Code:http://internal.amazon.com/...", any case
REGION: Final = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")
POSSIBLY_FIRED: Final = (
    "deleted; a one-time schedule that already fired answers the same unless it was created "
    "with ActionAfterCompletion=DELETE (after_completion='DELETE' says yours are)"
)
GONE: Final = (
    "ResourceNotFoundException: fired and deleted, cancelled before, or never created (AWS "
    "does not say which)"
)


def _botocore() -> Any:
    try:
        import botocore.session
    except ImportError:
        raise ConfigError(
            "the eventbridge provider needs botocore: pip install 'unsend[aws]'",
            provider="eventbridge",
        ) from None
    return botocore.session


@attrs.frozen(init=False)
class EventBridgeScheduler(HttpAdapter):
    """Adapter for EventBridge Scheduler's ``DeleteSchedule`` (SigV4, botocore's credentials)."""

    name: ClassVar[str] = "eventbridge"
    dsn_host: ClassVar[str] = "region"  # eventbridge://KEY_ID:SECRET@eu-west-1, or ://@eu-west-1
    dsn_user: ClassVar[tuple[str, ...]] = ("access_key_id", "secret_access_key")
    access_key_id: str | None = attrs.field(repr=masked)
    secret_access_key: str | None = attrs.field(repr=masked)
    region: str
    after_completion: str
    base_url: str
    _credentials: Any = attrs.field(init=False, repr=False, eq=False)

    def __init__(
        self,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        *,
        region: str | None = None,
        session_token: str | None = None,
        after_completion: str = "NONE",
        base_url: str | None = None,
    ) -> None:
        if after_completion not in ("NONE", "DELETE"):
            raise ConfigError(
                "after_completion is NONE or DELETE, as the schedules' ActionAfterCompletion",
                provider="eventbridge",
            )
        if (access_key_id is None) != (secret_access_key is None):
            raise ConfigError(
                "give access_key_id and secret_access_key together, or neither (the chain)",
                provider="eventbridge",
            )
        session = _botocore().Session()
        if access_key_id is not None:
            access_key_id = credential(access_key_id, key="access_key_id", provider="eventbridge")
            secret_access_key = credential(
                secret_access_key, key="secret_access_key", provider="eventbridge"
            )
            session.set_credentials(access_key_id, secret_access_key, session_token)
        # An endpoint of one's own (an emulator, moto) signs for us-east-1 unless told otherwise.
        region = (
            region or session.get_config_variable("region") or ("us-east-1" if base_url else None)
        )
        if not isinstance(region, str) or not REGION.fullmatch(region):
            raise ConfigError(
                "an EventBridge Scheduler region is required (eu-west-1): in the DSN's host, "
                "region=, or AWS_DEFAULT_REGION",
                provider="eventbridge",
            )
        try:
            credentials = session.get_credentials()
        except Exception as exc:  # a source of the chain that failed (a metadata endpoint)
            raise ConfigError(
                f"no AWS credentials: botocore's chain failed ({type(exc).__name__})",
                provider="eventbridge",
            ) from None
        if credentials is None:
            raise ConfigError(
                "no AWS credentials: botocore's chain found none (environment, profile, role)",
                provider="eventbridge",
            )
        resolved = (
            normalize_base_url(base_url, provider="eventbridge")
            if base_url
            else f"https://scheduler.{region}.amazonaws.com"
        )
        self.__attrs_init__(access_key_id, secret_access_key, region, after_completion, resolved)
        object.__setattr__(self, "_credentials", credentials)

    @property
    def secrets(self) -> tuple[str, ...]:
        frozen = self._credentials.get_frozen_credentials()
        return tuple(s for s in (frozen.secret_key, frozen.token) if s)

    def _signed(self, method: str, path: str, query: dict[str, str]) -> httpx.Request:
        """The request, SigV4-signed now (a signature holds for five minutes: far longer than
        any cancel's deadline, so its retries re-send it unchanged)."""
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        url = f"{self.base_url}{path}" + (f"?{urlencode(query)}" if query else "")
        aws = AWSRequest(method=method, url=url, data=b"", headers={"Accept": "application/json"})
        frozen = self._credentials.get_frozen_credentials()
        SigV4Auth(frozen, "scheduler", self.region).add_auth(aws)
        return httpx.Request(method, url, headers=dict(aws.headers.items()))

    def _parts(self, message_id: str) -> tuple[str, str]:
        validate_message_id(message_id, provider=self.name)
        group, _, name = message_id.rpartition(":")
        group = group or "default"
        if not NAME.fullmatch(group) or not NAME.fullmatch(name):
            shown = message_id if len(message_id) <= 80 else None
            raise InvalidMessageId(
                "invalid message id: an eventbridge id is NAME or GROUP:NAME "
                "([0-9a-zA-Z-_.], 1 to 64)",
                provider=self.name,
                message_id=shown,
            )
        return group, name

    # -- status: GetSchedule (it exists, or not; whether it fired, only after_completion says) --

    def status_request(self, message_id: str) -> httpx.Request:
        group, name = self._parts(message_id)
        return self._signed("GET", f"/schedules/{quote_message_id(name)}", {"groupName": group})

    def status_result(self, message_id: str, response: httpx.Response) -> MessageStatus:
        if response.status_code == 404 and _error_code(response) == "ResourceNotFoundException":
            return MessageStatus(
                self.name, message_id, MessageState.NOT_FOUND, status_code=404, detail=GONE
            )

        def read(body: Any) -> tuple[object, str | None]:
            named = f"{body.get('GroupName') or 'default'}:{body['Name']}"
            # A one-time schedule kept after it fired looks the same as one still waiting.
            word = "exists" if self.after_completion == "DELETE" else None
            return (named if ":" in message_id else body["Name"]), word

        table = states(SCHEDULED=("exists",))
        return read_status(self.name, message_id, response, self.secrets, read, table)

    # -- check: ListScheduleGroups, one at most -------------------------------------------------

    def check_request(self) -> httpx.Request:
        return self._signed("GET", "/schedule-groups", {"MaxResults": "1"})

    def check_result(self, response: httpx.Response) -> str:
        what = "ListScheduleGroups (GET /schedule-groups?MaxResults=1)"
        return probe_result(self.name, response, self.secrets, what)

    # -- the cancel -----------------------------------------------------------------------------

    def cancel_request(self, message_id: str) -> httpx.Request:
        group, name = self._parts(message_id)
        query = {"groupName": group, "clientToken": str(uuid.uuid4())}
        return self._signed("DELETE", f"/schedules/{quote_message_id(name)}", query)

    def cancel_result(self, message_id: str, response: httpx.Response) -> CancelResult:
        status = response.status_code
        if status == 200:
            body = self._json(message_id, response)
            if body != {}:
                raise self._unexpected(message_id, response, "200 whose body is not {}")
            if self.after_completion == "DELETE":
                return CancelResult(self.name, message_id, Outcome.CANCELLED, status_code=status)
            return CancelResult(
                self.name, message_id, Outcome.REQUESTED, status_code=status, detail=POSSIBLY_FIRED
            )
        code = _error_code(response)
        if status == 404 and code == "ResourceNotFoundException":
            return CancelResult(
                self.name, message_id, Outcome.NOT_FOUND, status_code=status, detail=GONE
            )
        raise self.error_for(message_id, response)

    def error_for(self, message_id: str | None, response: httpx.Response) -> UnsendError:
        error = super().error_for(message_id, response)
        if _error_code(response) == "ThrottlingException" and not isinstance(error, RateLimited):
            return RateLimited(
                "eventbridge throttled the request",
                provider=self.name,
                message_id=message_id,
                status_code=response.status_code,
            )
        return error


def _error_code(response: httpx.Response) -> str | None:
    """AWS's error code: the ``x-amzn-ErrorType`` header, else the body's ``__type``/``code``."""
    header = response.headers.get(_ERROR_TYPE)
    if header:
        return str(header).partition(":")[0]
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    code = body.get("__type") or body.get("code") or body.get("Code")
    return code.rpartition("#")[2] if isinstance(code, str) else None
