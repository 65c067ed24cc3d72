"""Google Cloud Tasks: delete a task, ``DELETE https://cloudtasks.googleapis.com/v2/{task name}``.

A task's full name holds ``/``, which no id may (it would change the URL), so the "message id"
is ``PROJECT:LOCATION:QUEUE:TASK`` (``my-app:europe-west1:reminders:appt-42``);
``CloudTasks.message_id("projects/…/tasks/…")`` turns a full name into one.

Credentials are an OAuth 2 bearer token: a fixed one (``token=``, as tests and the emulator
use), one from a callable (``token_source=``, called for each request: yours caches), or, with
neither, google-auth's application default credentials (``unsend[gcp]``, imported only when this
provider is built), refreshed when expired. Every token handed out is a credential for every
redaction rule (``rotating_secrets``: the canceller reads them when each request is built).

Google answers 200 ``{}`` for a deleted task, whether it waited or was being dispatched; for a
task dispatched at that moment, whether the attempt in flight still completes is undocumented
(shared/PROVIDERS-MORE.md, Cloud Tasks): unsend reports Google's word, ``CANCELLED``, and the docs
say so. What it answers for a task already executed, deleted before or never created is
undocumented (presumably 404 ``NOT_FOUND``): a 404 is ``NOT_FOUND``. The check needs a project:
with ``project=`` it lists that project's locations; without, it says so and checks nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar, Final

import attrs
import httpx

from .._errors import ConfigError, InvalidMessageId
from .._ids import validate_message_id
from .._result import CancelResult, Outcome
from .._secret import credential, masked
from ._base import HttpAdapter
from ._check import probe_result
from ._urls import normalize_base_url

__all__ = ["CloudTasks"]

DEFAULT_BASE_URL: Final = "https://cloudtasks.googleapis.com"
SCOPE: Final = "https://www.googleapis.com/auth/cloud-platform"
PROJECT: Final = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]")
LOCATION: Final = re.compile(r"[a-z]+-[a-z]+\d+")
QUEUE: Final = re.compile(r"[A-Za-z0-9-]{1,100}")
TASK: Final = re.compile(r"[A-Za-z0-9_-]{1,500}")
FULL_NAME: Final = re.compile(r"projects/([^/]+)/locations/([^/]+)/queues/([^/]+)/tasks/([^/]+)")
KEPT_TOKENS: Final = 8  # the last tokens handed out, all redacted (a refresh replaces them)


def _default_source() -> Callable[[], str]:
    """google-auth's application default credentials, refreshed when expired."""
    try:
        import google.auth
        import google.auth.transport.requests
    except ImportError:
        raise ConfigError(
            "cloudtasks without a token needs google-auth: pip install 'unsend[gcp]' (or give "
            "token= or token_source=)",
            provider="cloudtasks",
        ) from None
    try:
        found, _ = google.auth.default(scopes=[SCOPE])
    except google.auth.exceptions.DefaultCredentialsError as exc:
        raise ConfigError(
            f"no token given, and no Google application default credentials: {exc}",
            provider="cloudtasks",
        ) from None

    def token() -> str:
        if not found.valid:
            found.refresh(google.auth.transport.requests.Request())  # type: ignore[no-untyped-call]
        return str(found.token)

    return token


@attrs.frozen(init=False)
class CloudTasks(HttpAdapter):
    """Adapter for Cloud Tasks' ``DeleteTask`` (an OAuth 2 bearer token)."""

    name: ClassVar[str] = "cloudtasks"
    dsn_user: ClassVar[tuple[str, ...]] = ("token", "project")  # cloudtasks://TOKEN:PROJECT@
    rotating_secrets: ClassVar[bool] = True
    token: str | None = attrs.field(repr=masked)
    project: str | None
    base_url: str
    _source: Callable[[], str] = attrs.field(repr=False, eq=False)
    _handed_out: list[str] = attrs.field(repr=False, eq=False)

    def __init__(
        self,
        token: str | None = None,
        *,
        token_source: Callable[[], str] | None = None,
        project: str | None = None,
        base_url: str | None = None,
    ) -> None:
        if token is not None and token_source is not None:
            raise ConfigError("give token or token_source, not both", provider="cloudtasks")
        if project is not None:
            project = credential(project, key="project", provider="cloudtasks")
        if project is not None and not PROJECT.fullmatch(project):
            raise ConfigError(
                f"{project!r} is not a Google Cloud project id", provider="cloudtasks"
            )
        resolved = (
            normalize_base_url(base_url, provider="cloudtasks") if base_url else DEFAULT_BASE_URL
        )
        if token is not None:
            fixed = credential(token, key="token", provider="cloudtasks")
            source: Callable[[], str] = lambda: fixed  # noqa: E731
        else:
            source = token_source if token_source is not None else _default_source()
        self.__attrs_init__(None if token is None else fixed, project, resolved, source, [])
        if token is not None:
            self._handed_out.append(fixed)

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(self._handed_out)

    @staticmethod
    def message_id(task_name: str) -> str:
        """``PROJECT:LOCATION:QUEUE:TASK`` for a task's full name (``projects/…/tasks/…``)."""
        match = FULL_NAME.fullmatch(task_name)
        if match is None:
            raise ValueError("a task name is projects/P/locations/L/queues/Q/tasks/T")
        return ":".join(match.groups())

    def _headers(self) -> dict[str, str]:
        token = self._source()
        if not isinstance(token, str) or not token:
            raise ConfigError("the token source gave no token", provider="cloudtasks")
        if token not in self._handed_out:
            self._handed_out.append(token)
            del self._handed_out[:-KEPT_TOKENS]
        return {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def _path(self, message_id: str) -> str:
        validate_message_id(message_id, provider=self.name)
        parts = message_id.split(":")
        shapes = (PROJECT, LOCATION, QUEUE, TASK)
        if len(parts) != 4 or not all(p.fullmatch(v) for p, v in zip(shapes, parts, strict=True)):
            shown = message_id if len(message_id) <= 80 else None
            raise InvalidMessageId(
                "invalid message id: a cloudtasks id is PROJECT:LOCATION:QUEUE:TASK",
                provider=self.name,
                message_id=shown,
            )
        project, location, queue, task = parts
        return f"/v2/projects/{project}/locations/{location}/queues/{queue}/tasks/{task}"

    # -- check: the project's locations, when a project is configured --------------------------

    def check_request(self) -> httpx.Request:
        if self.project is None:
            raise ConfigError(
                "cloudtasks checks nothing without project= (every request names one)",
                provider=self.name,
            )
        url = f"{self.base_url}/v2/projects/{self.project}/locations"
        return httpx.Request("GET", url, headers=self._headers())

    def check_result(self, response: httpx.Response) -> str:
        what = "GET /v2/projects/{project}/locations"
        return probe_result(self.name, response, self.secrets, what)

    # -- the cancel -----------------------------------------------------------------------------

    def cancel_request(self, message_id: str) -> httpx.Request:
        path = self._path(message_id)
        return httpx.Request("DELETE", f"{self.base_url}{path}", headers=self._headers())

    def cancel_result(self, message_id: str, response: httpx.Response) -> CancelResult:
        status = response.status_code
        if status == 200:
            if self._json(message_id, response) != {}:
                raise self._unexpected(message_id, response, "200 whose body is not {}")
            return CancelResult(self.name, message_id, Outcome.CANCELLED, status_code=status)
        if status == 404:
            said = _google_message(response)
            detail = "executed, deleted before, or never created (Google does not say which)"
            return CancelResult(
                self.name,
                message_id,
                Outcome.NOT_FOUND,
                status_code=status,
                detail=detail + (f": {self._detail(said)}" if said else ""),
            )
        raise self.error_for(message_id, response)


def _google_message(response: httpx.Response) -> str | None:
    """The message of Google's error envelope, ``{"error": {"code", "message", "status"}}``."""
    try:
        body: Any = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) else None
