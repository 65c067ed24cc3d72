"""One request in progress (a cancel, or one bulk request) as a state machine with no I/O.

``Call.steps()`` is a generator, as h11 is for HTTP: it yields plain data (``Send(request,
time_left)``, ``Sleep(seconds)``, ``Reserve`` and ``Pause`` at this process's gates,
``Coordinate`` with the fleet's, ``Notify`` of a retry) and takes back what a step produced (a
``Received`` response with its raw body, the exception the transport raised, a gate's wait). It
returns the parsed answer or raises a typed ``UnsendError``. It never logs, calls user code,
takes a lock or touches storage: the drivers (``transport``) perform every step.

The life of one request, in order: the request is built once (so a retry re-sends it unchanged,
Courier's Idempotency-Key included); the gates may ask for a wait; each attempt's timeouts are
clipped to the time left; the raw body is decoded under the size cap; only the answer to the
request unsend built counts; the adapter classifies it; a retryable failure is retried by
tenacity, which is built only then (a cancel that succeeds at once never pays for it).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs
import httpx

from .._errors import RateLimited, TransportError, UnexpectedResponse, UnsendError
from .._ids import validate_message_id
from .._provider import Provider, SupportsFollowUp
from .._redact import redact
from .._result import CancelResult, Outcome
from .._version import __version__
from .body import MAX_BODY_BYTES, BodyError, decode_body
from .clock import Clock
from .gate import Gate

if TYPE_CHECKING:
    from .shared_gate import SharedGate
from .retry import RetryEvent, RetryPolicy
from .retry_after import retry_after_seconds

__all__ = [
    "LOST_RESPONSE_NOTE",
    "AttemptTimedOut",
    "BodyTooLarge",
    "Call",
    "Coordinate",
    "Notify",
    "Pause",
    "OnResult",
    "OnRetry",
    "Received",
    "Reserve",
    "Send",
    "Sleep",
    "Stepper",
    "cancel_call",
    "cancel_steps",
    "secrets_of",
]

USER_AGENT = f"unsend/{__version__}"
LOST_RESPONSE_NOTE = "an earlier attempt's response was lost: that attempt may have cancelled it"
# What a second cancel of a message the first one cancelled may read as.
MAYBE_OUR_OWN_DOING = (Outcome.NOT_FOUND, Outcome.NOT_CANCELLABLE)


OnRetry = Callable[[RetryEvent], None]
"""Called before each retry's wait, with what failed and how long unsend will wait."""
OnResult = Callable[[CancelResult], None]
"""Called once per finished cancel, success or failure, with its result."""
T = TypeVar("T")


@attrs.frozen(slots=True)
class Send:
    """Send ``request``; the whole attempt, body included, must end within ``time_left``."""

    request: httpx.Request
    time_left: float


@attrs.frozen(slots=True)
class Sleep:
    seconds: float


@attrs.frozen(slots=True)
class Reserve:
    """Take the next slot at this process's gates (a lock the driver takes); the reply is the
    seconds to wait before sending."""

    gates: tuple[Gate, ...]


@attrs.frozen(slots=True)
class Pause:
    """A 429 asked every sender to wait: close these gates until ``until`` (monotonic)."""

    gates: tuple[Gate, ...]
    until: float


@attrs.frozen(slots=True)
class Notify:
    """A retry is about to wait: the driver logs it, counts it, and calls ``hook`` with it."""

    event: RetryEvent
    max_attempts: int
    hook: OnRetry | None


@attrs.frozen(slots=True)
class Received:
    """What any transport gives back: the status, headers and body of the answer to
    ``answered``, the body raw (undecoded, read under the cap), or ``raw`` None with ``content``
    when a transport handed it over already read and decoded (httpx's mock transport).
    ``redirects`` are the statuses of any redirects a caller's client followed on its own."""

    status: int
    headers: httpx.Headers
    raw: bytes | None
    answered: httpx.Request
    redirects: tuple[int, ...] = ()
    content: bytes = b""

    @classmethod
    def of(cls, response: httpx.Response, raw: bytes | None) -> Received:
        """An httpx response's answer (read already when ``raw`` is None)."""
        redirects = tuple(r.status_code for r in response.history)
        content = response.content if raw is None else b""
        return cls(
            response.status_code, response.headers, raw, response.request, redirects, content
        )


@attrs.frozen(slots=True)
class Coordinate:
    """Ask the fleet's shared gate (storage I/O the driver performs, sync or async): reserve a
    slot (``pause`` None; the reply is the seconds to wait before sending) or close the gate
    for everyone for ``pause`` seconds (the reply is None)."""

    gate: SharedGate
    now: float
    """The injected clock's wall time: the fleet's pauses are instants on it."""
    time_left: float
    """What is left of the cancel's deadline: no storage call, slot or pause goes past it."""
    pause: float | None = None
    provider: str = ""


class AttemptTimedOut(Exception):
    """The driver cut the attempt off at the deadline (headers or body still arriving)."""


class BodyTooLarge(Exception):
    """The raw body passed the size cap while it was read."""


Step = Send | Sleep | Reserve | Pause | Notify | Coordinate
Reply = Received | BaseException | float | None


class Call(Generic[T]):
    def __init__(
        self,
        provider: str,
        message_id: str | None,
        request: httpx.Request,
        parse: Callable[[httpx.Response], T],
        *,
        policy: RetryPolicy,
        timeout: httpx.Timeout,
        clock: Clock,
        on_retry: OnRetry | None,
        gates: tuple[Gate, ...] = (),
        secrets: tuple[str, ...] = (),
        shared: SharedGate | None = None,
    ) -> None:
        self.provider = provider
        self.shared = shared
        self.message_id = message_id
        self.request = request
        # A bare Request sent with Client.send gets none of the client's default headers.
        request.headers.setdefault("User-Agent", USER_AGENT)
        self.parse = parse
        self.policy = policy
        self.timeout = timeout
        self.clock = clock
        self.on_retry = on_retry
        self.gates = gates
        self.secrets = secrets
        self.started = clock.monotonic()
        self.deadline_at = self.started + policy.deadline
        self.attempts = 0
        self.last_status: int | None = None
        # True once an attempt failed after its request may have reached the provider.
        self.maybe_delivered = False
        self._last_response: httpx.Response | None = None
        self.follow_up: Callable[[UnsendError], Call[T] | None] | None = None
        """The one read that may settle an answer the first request left open (a cancel's)."""

    # -- the state machine -------------------------------------------------------------------

    def steps(self) -> Generator[Step, Reply, T]:
        retries = None
        while True:
            if self.gates:
                delay = yield Reserve(self.gates)
                assert isinstance(delay, float)
                if delay:
                    self._check_wait(delay)
                    yield Sleep(delay)
            if self.shared is not None:
                wait = yield Coordinate(
                    self.shared, self.clock.time(), self.time_left(), provider=self.provider
                )
                assert isinstance(wait, float)
                if wait:
                    self._check_wait(wait)
                    yield Sleep(wait)
            reply = yield Send(self._next_request(), self.time_left())
            try:
                return self._outcome(reply)
            except UnsendError as error:
                pause = error.retry_after if isinstance(error, RateLimited) else None
                if pause and self.gates:
                    yield Pause(self.gates, self.clock.monotonic() + pause)
                if self.shared is not None and pause:
                    left = self.time_left()
                    yield Coordinate(self.shared, self.clock.time(), left, pause=pause)
                if retries is None:
                    if not self.policy.should_retry(error):
                        raise
                    from .retrying import Retries

                    retries = Retries(self.policy, self.attempts, **self._retry_hooks())
                wait = retries.wait_after(error)
                yield Notify(
                    self._retry_event(error, wait), self.policy.max_attempts, self.on_retry
                )
                yield Sleep(wait)

    def _outcome(self, reply: Reply) -> T:
        if isinstance(reply, Received):
            return self._result(reply)
        if isinstance(reply, AttemptTimedOut):
            raise self._timed_out()
        if isinstance(reply, BodyTooLarge):
            raise self._stamp(self._error(UnexpectedResponse, self._too_large()))
        if isinstance(reply, httpx.RequestError):
            raise self._transport_error(reply)
        raise TypeError(f"a Send must be answered with a response or an error, not {reply!r}")

    # -- before an attempt --------------------------------------------------------------------

    def time_left(self) -> float:
        return max(self.deadline_at - self.clock.monotonic(), 0.001)

    def _check_wait(self, delay: float) -> None:
        """A gate's wait that would end past the deadline fails the cancel now."""
        if delay and self.clock.monotonic() + delay >= self.deadline_at:
            # Not stamped with the last status: a 429 status would make it look retryable.
            raise RateLimited(
                f"{self.provider} is rate limited past this cancel's deadline",
                provider=self.provider,
                message_id=self.message_id,
                retry_after=delay,
                attempts=self.attempts,
            )

    def _next_request(self) -> httpx.Request:
        """The request for the next attempt, its timeouts clipped to the time left."""
        self.attempts += 1
        self._last_response = None
        left = self.time_left()
        clipped = {
            phase: left if limit is None else min(limit, left)
            for phase, limit in self.timeout.as_dict().items()
        }
        self.request.extensions = {**self.request.extensions, "timeout": clipped}
        return self.request

    # -- reading an answer --------------------------------------------------------------------

    def _result(self, reply: Received) -> T:
        self._check_request(reply)
        if reply.raw is None:
            body = reply.content  # already read, and decoded, by httpx
            if len(body) > MAX_BODY_BYTES:
                raise self._stamp(self._error(UnexpectedResponse, self._too_large(), reply.status))
        else:
            encoding = reply.headers.get("content-encoding")
            try:
                body = (
                    decode_body(reply.raw, encoding, check=self._check_deadline)
                    if encoding
                    else reply.raw
                )
            except BodyError as exc:
                raise self._stamp(self._error(UnexpectedResponse, str(exc), reply.status)) from None
        response = _response(reply, body)
        self._last_response = response
        self.last_status = response.status_code
        try:
            return self.parse(response)
        except UnsendError as error:
            self._redact(error)
            if isinstance(error, RateLimited) and error.retry_after is None:
                error.retry_after = self._advised_wait()
            raise self._stamp(error) from None

    def _check_deadline(self) -> None:
        if self.clock.monotonic() >= self.deadline_at:
            raise self._timed_out()

    def _check_request(self, reply: Received) -> None:
        """Only the answer to the request unsend built is an outcome, never a redirect's."""
        answered = reply.answered
        if answered is self.request and not reply.redirects:
            if 300 <= reply.status < 400 and "location" in reply.headers:
                location = httpx.URL(reply.headers["location"]).copy_with(query=None)
                why = f"HTTP {reply.status} redirect to {location}"
                raise self._stamp(self._unexpected_answer(reply.status, why))
            return
        if (
            reply.redirects
            or answered.method != self.request.method
            or answered.url != self.request.url
        ):
            where = f"{answered.method} {answered.url.copy_with(query=None)}"
            hops = ", ".join(str(status) for status in reply.redirects)
            why = (
                f"the answer came after a redirect (HTTP {hops}) to {where}"
                if hops
                else f"the answer is to another request ({where})"
            )
            raise self._stamp(self._unexpected_answer(reply.status, why))

    def _unexpected_answer(self, status: int, why: str) -> UnsendError:
        return self._error(UnexpectedResponse, f"{why}; unsend never follows redirects", status)

    def _advised_wait(self) -> float | None:
        if self._last_response is None:
            return None
        return retry_after_seconds(self._last_response.headers, self.clock.time())

    # -- failures -----------------------------------------------------------------------------

    def _too_large(self) -> str:
        return f"response body is larger than {MAX_BODY_BYTES} bytes"

    def _error(self, kind: type[UnsendError], text: str, status: int | None = None) -> UnsendError:
        return kind(
            redact(text, self.secrets),
            provider=self.provider,
            message_id=self.message_id,
            status_code=status,
        )

    def _timed_out(self) -> UnsendError:
        self.maybe_delivered = True
        return self._stamp(
            self._error(TransportError, "network error: the deadline passed during the attempt")
        )

    def _transport_error(self, exc: httpx.RequestError) -> UnsendError:
        if isinstance(exc, httpx.DecodingError):
            text = f"response body could not be decoded: {exc}"
            return self._stamp(self._error(UnexpectedResponse, text))
        # A connect-phase failure never reached the provider; anything later may have.
        if not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
            self.maybe_delivered = True
        text = f"network error: {type(exc).__name__}: {exc}".rstrip(": ")
        return self._stamp(self._error(TransportError, text))

    def _redact(self, error: UnsendError) -> None:
        """Blank secrets out of an error's texts, whatever adapter or library wrote them."""
        if not self.secrets:
            return
        error.message = redact(error.message, self.secrets)
        error.args = (error.message,)
        if isinstance(error, UnexpectedResponse):
            error.body_excerpt = redact(error.body_excerpt, self.secrets)

    def _stamp(self, error: UnsendError) -> UnsendError:
        error.attempts = self.attempts
        if error.status_code is None:
            error.status_code = self.last_status
        if error.message_id is None:
            error.message_id = self.message_id
        return error

    # -- retries ------------------------------------------------------------------------------

    def _retry_hooks(self) -> dict[str, Any]:
        return {
            "advice": self._advised_wait,
            "monotonic": self.clock.monotonic,
            "deadline_at": self.deadline_at,
        }

    def _retry_event(self, error: UnsendError, wait: float) -> RetryEvent:
        return RetryEvent(
            provider=self.provider,
            message_id=self.message_id,
            attempt=self.attempts,
            wait=wait,
            status_code=error.status_code,
            error=error,
        )

    # -- the answer ---------------------------------------------------------------------------

    def finish(self, result: CancelResult) -> CancelResult:
        """The result with this call's attempts and elapsed time, its detail redacted.

        A NOT_FOUND or NOT_CANCELLABLE after an attempt whose response was lost may be this
        cancel's own doing (QStash deletes what it cancels; Twilio will not cancel what is
        already cancelled); the detail says so rather than guess.
        """
        detail = result.detail
        if detail is not None and self.secrets:
            detail = redact(detail, self.secrets)
        if result.outcome in MAYBE_OUR_OWN_DOING and self.maybe_delivered:
            detail = f"{detail + '; ' if detail else ''}{LOST_RESPONSE_NOTE}"
        return attrs.evolve(
            result,
            attempts=self.attempts,
            elapsed=self.clock.monotonic() - self.started,
            detail=detail,
        )


def cancel_steps(call: Call[CancelResult]) -> Generator[Step, Reply, CancelResult]:
    """One cancel as a machine, its result carrying attempts and elapsed time.

    If the answer is an error the provider can settle with one read (``call.follow_up``),
    that read is sent, within what is left of the same deadline, and its outcome is the result.
    """
    try:
        return call.finish((yield from call.steps()))
    except UnsendError as error:
        read = None if call.follow_up is None else call.follow_up(error)
        if read is None:
            raise
        try:
            result = yield from read.steps()
        except UnsendError as unsettled:
            unsettled.attempts += call.attempts
            raise
        return attrs.evolve(call.finish(result), attempts=call.attempts + read.attempts)


class Stepper(Generic[T]):
    """Walks a machine for a driver: ``next(reply)`` is the next step, or None once finished."""

    __slots__ = ("_steps", "result")

    def __init__(self, steps: Generator[Step, Reply, T]) -> None:
        self._steps = steps
        self.result: T

    def next(self, reply: Reply) -> Step | None:
        try:
            return self._steps.send(reply)
        except StopIteration as done:
            self.result = done.value
            return None


def secrets_of(provider: object) -> tuple[str, ...]:
    """A provider's credentials, to blank out of its answers (a plugin may have none)."""
    secrets = getattr(provider, "secrets", ())
    return tuple(s for s in secrets if isinstance(s, str))


@functools.lru_cache(maxsize=64)
def _follows_up(kind: type) -> bool:
    """Whether a provider class offers a follow-up read: a runtime Protocol check costs about
    10 µs, a lookup per cancel far less (adapters define their methods on the class)."""
    return all(callable(getattr(kind, name, None)) for name in _FOLLOW_UP)


_FOLLOW_UP = ("follow_up_request", "follow_up_result")


def cancel_call(
    provider: Provider,
    message_id: str,
    *,
    policy: RetryPolicy,
    timeout: httpx.Timeout,
    clock: Clock,
    on_retry: OnRetry | None,
    gates: tuple[Gate, ...],
    secrets: tuple[str, ...] | None = None,
    shared: SharedGate | None = None,
) -> Call[CancelResult]:
    """The call that cancels one message; the id is refused here before any request exists."""
    # The built-in adapters validate too (they are usable on their own); checking here as well
    # keeps the guarantee for third-party adapters, at a fraction of a microsecond.
    validate_message_id(message_id, provider=provider.name)
    # Built before the secrets are read: building may fetch a new token (Cloud Tasks).
    request = provider.cancel_request(message_id)
    secrets = secrets_of(provider) if secrets is None else secrets

    def call_for(
        request: httpx.Request, parse: Callable[[httpx.Response], CancelResult], within: RetryPolicy
    ) -> Call[CancelResult]:
        return Call(
            provider.name,
            message_id,
            request,
            parse,
            policy=within,
            timeout=timeout,
            clock=clock,
            on_retry=on_retry,
            gates=gates,
            secrets=secrets,
            shared=shared,
        )

    call = call_for(
        request,
        lambda response: provider.cancel_result(message_id, response),
        policy,
    )
    if _follows_up(type(provider)):
        follower: SupportsFollowUp = provider  # type: ignore[assignment]

        def follow_up(error: UnsendError) -> Call[CancelResult] | None:
            request = follower.follow_up_request(message_id, error)
            if request is None:
                return None
            left = max(call.deadline_at - clock.monotonic(), 0.001)  # the same deadline
            return call_for(
                request,
                lambda response: follower.follow_up_result(message_id, error, response),
                attrs.evolve(policy, deadline=left),
            )

        call.follow_up = follow_up
    return call


def _response(reply: Received, body: bytes) -> httpx.Response:
    """The one ``httpx.Response`` the adapter reads: the answer with its body decoded under the
    cap, so its ``Content-Encoding`` is no longer true of it."""
    headers = reply.headers
    if "content-encoding" in headers:
        headers = headers.copy()
        del headers["content-encoding"]
    return httpx.Response(reply.status, headers=headers, content=body, request=reply.answered)
