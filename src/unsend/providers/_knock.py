r"""Knock: cancel workflow runs by cancellation key, ``POST /v1/workflows/{key}/cancel``.

The "message id" is ``WORKFLOW_KEY:CANCELLATION_KEY``, optionally followed by ``;to=`` and the
recipients to cancel for, comma-separated (``Knock.message_id`` builds one). Like every id it
holds no ``/ ? # %`` or ``\``: a cancellation key is best a UUID, as Knock suggests.

Knock answers 204 once it has *accepted* the cancel: it runs in the background, and Knock
never says whether a run was waiting (an unknown key, a finished run and a second cancel are
all 204, implicitly, in its reference). unsend reports that 204, with no body, as
``Outcome.REQUESTED``: accepted, and nothing claimed. Any other 2xx, or a 204 with a body, is
not Knock's answer (a captive portal, a proxy) and is ``UnexpectedResponse``. 404 is an unknown
workflow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar, Final

import attrs
import httpx

from .._errors import InvalidMessageId
from .._ids import quote_message_id, validate_message_id
from .._result import CancelResult, Outcome
from .._secret import credential, masked
from ._base import HttpAdapter, error_text
from ._check import probe_result
from ._status import read_request
from ._urls import normalize_base_url

__all__ = ["Knock"]

DEFAULT_BASE_URL: Final = "https://api.knock.app"
WORKFLOW_KEY: Final = re.compile(r"[a-z0-9_-]{1,128}")
ACCEPTED: Final = "accepted: Knock cancels in the background and never says whether a run waited"


@attrs.frozen(init=False)
class Knock(HttpAdapter):
    """Adapter for Knock's workflow cancel (Bearer auth with a secret key)."""

    name: ClassVar[str] = "knock"
    api_key: str = attrs.field(repr=masked)
    base_url: str
    _headers: dict[str, str] = attrs.field(init=False, repr=False, eq=False)

    def __init__(self, api_key: str, *, base_url: str | None = None) -> None:
        api_key = credential(api_key, key="api_key", provider="knock")
        resolved = normalize_base_url(base_url, provider="knock") if base_url else DEFAULT_BASE_URL
        self.__attrs_init__(api_key, resolved)
        headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        object.__setattr__(self, "_headers", headers)

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.api_key,)

    @staticmethod
    def message_id(workflow: str, cancellation_key: str, recipients: Iterable[str] = ()) -> str:
        """The id unsend cancels: ``workflow:key`` or ``workflow:key;to=user-1,user-2``."""
        users = list(recipients)
        if any("," in user or not user for user in users):
            raise ValueError("a Knock recipient id is non-empty and holds no comma")
        return f"{workflow}:{cancellation_key}" + (f";to={','.join(users)}" if users else "")

    def parse(self, message_id: str) -> tuple[str, str, list[str]]:
        """(workflow key, cancellation key, recipients) of an id; ``InvalidMessageId`` else."""

        def refuse(why: str) -> InvalidMessageId:
            shown = message_id if len(message_id) <= 80 else None
            return InvalidMessageId(
                f"invalid message id: {why}", provider=self.name, message_id=shown
            )

        validate_message_id(message_id, provider=self.name)
        workflow, colon, rest = message_id.partition(":")
        if not colon or not WORKFLOW_KEY.fullmatch(workflow):
            raise refuse("a Knock id is WORKFLOW_KEY:CANCELLATION_KEY")
        key, to, users_text = rest.rpartition(";to=") if ";to=" in rest else (rest, "", "")
        if not key:
            raise refuse("the cancellation key is empty")
        users = users_text.split(",") if to else []
        if to and not all(users):
            raise refuse("a recipient is empty")
        return workflow, key, users

    # -- check: List messages, one at most (Knock documents no read of a workflow run) -------

    def check_request(self) -> httpx.Request:
        return read_request(self.base_url, "/v1/messages", self._headers, "page_size=1")

    def check_result(self, response: httpx.Response) -> str:
        return probe_result(self.name, response, self.secrets, "GET /v1/messages?page_size=1")

    def cancel_request(self, message_id: str) -> httpx.Request:
        workflow, key, users = self.parse(message_id)
        body: dict[str, object] = {"cancellation_key": key}
        if users:
            body["recipients"] = users
        return httpx.Request(
            "POST",
            f"{self.base_url}/v1/workflows/{quote_message_id(workflow)}/cancel",
            json=body,
            headers=self._headers,
        )

    def cancel_result(self, message_id: str, response: httpx.Response) -> CancelResult:
        status = response.status_code
        if status == 204 and self._bodiless(response):
            return CancelResult(
                self.name, message_id, Outcome.REQUESTED, status_code=status, detail=ACCEPTED
            )
        if 200 <= status < 300:
            raise self._unexpected(message_id, response, f"HTTP {status} is not Knock's 204")
        if status == 404:
            detail = self._detail(error_text(self._json(message_id, response), "message"))
            return CancelResult(
                self.name, message_id, Outcome.NOT_FOUND, status_code=status, detail=detail
            )
        raise self.error_for(message_id, response)
