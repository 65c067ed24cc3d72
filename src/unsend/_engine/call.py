"""One request in progress (a cancel, or one bulk request): every decision sync and async share.

The clients own the I/O (``send`` and ``sleep``); this object owns the rest: the request, built
once so a retry re-sends it unchanged (Courier's Idempotency-Key), the deadline and each
attempt's clipped timeout, the gates, reading the body under a size cap and the deadline,
mapping failures to typed errors, and the tenacity arguments that drive the retries.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Generic, TypeVar

import attrs
import httpx

from .._errors import RateLimited, TransportError, UnexpectedResponse, UnsendError
from .._ids import validate_message_id
from .._provider import Provider
from .._result import CancelResult, Outcome
from .._version import __version__
from ..providers._secret import redact
from .body import MAX_BODY_BYTES, BodyError, decode_body
from .clock import Clock
from .gate import Gate
from .retry import (
    RetryEvent,
    RetryPolicy,
    stop_for,
    strategies,
    wait_advised,
)
from .retry_after import retry_after_seconds

__all__ = [
    "LOST_RESPONSE_NOTE",
    "MAX_BODY_BYTES",
    "CancelCall",
    "OnRetry",
    "cancel_call",
    "secrets_of",
]

USER_AGENT = f"unsend/{__version__}"
LOST_RESPONSE_NOTE = "an earlier attempt's response was lost: that attempt may have cancelled it"

logger = logging.getLogger("unsend")

OnRetry = Callable[[RetryEvent], None]
T = TypeVar("T")


class _DeadlineReached(httpx.ReadTimeout):
    """The deadline passed while the body was still arriving (a server dripping bytes)."""


class _GuardedStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A raw response stream that stops at the size cap or the deadline, whichever comes first."""

    def __init__(self, inner: Any, call: CancelCall[Any]) -> None:
        self.inner = inner
        self.call = call
        self.received = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            self.received += len(chunk)
            self.call.check_chunk(self.received)
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            self.received += len(chunk)
            self.call.check_chunk(self.received)
            yield chunk

    def close(self) -> None:
        self.inner.close()

    async def aclose(self) -> None:
        await self.inner.aclose()


class CancelCall(Generic[T]):
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
    ) -> None:
        self.provider = provider
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

    @property
    def subject(self) -> str:
        return f"cancel of {self.message_id!r}" if self.message_id is not None else "bulk cancel"

    # -- the tenacity controller -------------------------------------------------------------

    def retry_kwargs(self) -> dict[str, Any]:
        """Arguments for a fresh ``tenacity.Retrying`` / ``AsyncRetrying``; add ``sleep``."""
        retry, backoff, _ = strategies(self.policy)
        return {
            "retry": retry,
            "wait": wait_advised(self._advised_wait, backoff),
            "stop": stop_for(self.policy, self.clock.monotonic, self.deadline_at),
            "before_sleep": self._before_sleep,
            "reraise": True,
        }

    def _advised_wait(self) -> float | None:
        if self._last_response is None:
            return None
        return retry_after_seconds(self._last_response.headers, self.clock.time())

    def _before_sleep(self, retry_state: Any) -> None:
        error = retry_state.outcome.exception()
        wait = retry_state.upcoming_sleep
        logger.info(
            "retrying %s %s after %s; waiting %.3f s (attempt %d of %d)",
            self.provider,
            self.subject,
            f"HTTP {error.status_code}" if error.status_code else type(error).__name__,
            wait,
            self.attempts,
            self.policy.max_attempts,
        )
        if self.on_retry is not None:
            self.on_retry(
                RetryEvent(
                    provider=self.provider,
                    message_id=self.message_id,
                    attempt=self.attempts,
                    wait=wait,
                    status_code=error.status_code,
                    error=error,
                )
            )

    # -- one attempt -------------------------------------------------------------------------

    def gate_delay(self) -> float:
        """How long to wait at the gates before the next send; fails fast past the deadline."""
        now = self.clock.monotonic()
        delay = max((gate.reserve(now) for gate in self.gates), default=0.0)
        if delay and now + delay >= self.deadline_at:
            # Not stamped with the last status: a 429 status would make it look retryable.
            raise RateLimited(
                f"{self.provider} is rate limited past this cancel's deadline",
                provider=self.provider,
                message_id=self.message_id,
                retry_after=delay,
                attempts=self.attempts,
            )
        return delay

    def next_request(self) -> httpx.Request:
        """The request for the next attempt, its timeouts clipped to the time left."""
        self.attempts += 1
        self._last_response = None
        left = max(self.deadline_at - self.clock.monotonic(), 0.001)
        clipped = {
            phase: left if limit is None else min(limit, left)
            for phase, limit in self.timeout.as_dict().items()
        }
        self.request.extensions = {**self.request.extensions, "timeout": clipped}
        return self.request

    def time_left(self) -> float:
        """Seconds before the deadline, for the drivers' bound on a whole attempt."""
        return max(self.deadline_at - self.clock.monotonic(), 0.001)

    def guard(self, response: httpx.Response) -> None:
        """Read ``response`` under the size cap and the deadline (a server may drip bytes)."""
        response.stream = _GuardedStream(response.stream, self)

    def check_chunk(self, received: int) -> None:
        self._check_size(received)
        self._check_deadline()

    def _check_deadline(self) -> None:
        if self.clock.monotonic() >= self.deadline_at:
            raise _DeadlineReached("the deadline passed while the body was arriving")

    def attempt_timed_out(self) -> UnsendError:
        """The error for an attempt cut off at the deadline by the driver's bound."""
        self.maybe_delivered = True
        error = TransportError(
            "network error: the deadline passed during the attempt",
            provider=self.provider,
            message_id=self.message_id,
        )
        return self._stamp(error)

    def _check_size(self, size: int) -> None:
        if size > MAX_BODY_BYTES:
            raise self._stamp(
                UnexpectedResponse(
                    f"response body is larger than {MAX_BODY_BYTES} bytes",
                    provider=self.provider,
                    message_id=self.message_id,
                )
            )

    def result(self, response: httpx.Response, raw: bytes | None) -> T:
        """What a response says, or the typed error to retry or raise.

        ``raw`` is the body as received (undecoded), or None when the client handed the
        response over already read (a mock transport): then httpx has decoded it.
        """
        self._check_request(response)
        if raw is None:
            self._check_size(len(response.content))
        else:
            try:
                body = decode_body(
                    raw, response.headers.get("content-encoding"), check=self._check_deadline
                )
            except BodyError as exc:
                raise self._stamp(self._unexpected(response, str(exc))) from None
            except _DeadlineReached:
                raise self.attempt_timed_out() from None
            # What Response.read() would have stored, had httpx decoded it without a bound.
            response._content = body
        self._last_response = response
        self.last_status = response.status_code
        try:
            return self.parse(response)
        except UnsendError as error:
            self._redact(error)
            if isinstance(error, RateLimited):
                if error.retry_after is None:
                    error.retry_after = self._advised_wait()
                if error.retry_after is not None:
                    resume = self.clock.monotonic() + error.retry_after
                    for gate in self.gates:
                        gate.pause_until(resume)
            raise self._stamp(error) from None

    def _check_request(self, response: httpx.Response) -> None:
        """Only the answer to the request unsend built is an outcome, never a redirect's."""
        answered = response.request
        if answered is self.request and not response.history:
            if 300 <= response.status_code < 400 and "location" in response.headers:
                location = httpx.URL(response.headers["location"]).copy_with(query=None)
                why = f"HTTP {response.status_code} redirect to {location}"
                raise self._stamp(
                    self._unexpected(response, f"{why}; unsend never follows redirects")
                )
            return
        if (
            response.history
            or answered.method != self.request.method
            or answered.url != self.request.url
        ):
            hops = [r.status_code for r in response.history]
            why = (
                f"the answer came after a redirect (HTTP {', '.join(map(str, hops))}) "
                f"to {answered.method} {answered.url.copy_with(query=None)}"
                if hops
                else f"the answer is to another request ({answered.method} "
                f"{answered.url.copy_with(query=None)})"
            )
            raise self._stamp(
                self._unexpected(response, f"{why}; unsend never follows redirects")
            )

    def _unexpected(self, response: httpx.Response, why: str) -> UnexpectedResponse:
        return UnexpectedResponse(
            redact(why, self.secrets),
            provider=self.provider,
            message_id=self.message_id,
            status_code=response.status_code,
        )

    def _redact(self, error: UnsendError) -> None:
        """Blank secrets out of an error's texts, whatever adapter or library wrote them."""
        if not self.secrets:
            return
        error.message = redact(error.message, self.secrets)
        error.args = (error.message,)
        if isinstance(error, UnexpectedResponse):
            error.body_excerpt = redact(error.body_excerpt, self.secrets)

    def transport_error(self, exc: httpx.RequestError) -> UnsendError:
        if isinstance(exc, httpx.DecodingError):
            error: UnsendError = UnexpectedResponse(
                f"response body could not be decoded: {exc}",
                provider=self.provider,
                message_id=self.message_id,
            )
        else:
            # A connect-phase failure never reached the provider; anything later may have.
            if not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
                self.maybe_delivered = True
            error = TransportError(
                f"network error: {type(exc).__name__}: {exc}".rstrip(": "),
                provider=self.provider,
                message_id=self.message_id,
            )
        self._redact(error)
        return self._stamp(error)

    def _stamp(self, error: UnsendError) -> UnsendError:
        error.attempts = self.attempts
        if error.status_code is None:
            error.status_code = self.last_status
        if error.message_id is None:
            error.message_id = self.message_id
        return error

    def finish(self, result: CancelResult) -> CancelResult:
        """The result with this call's attempts and elapsed time.

        A NOT_FOUND after an attempt whose response was lost may be this cancel's own doing
        (QStash deletes what it cancels); the detail says so rather than guess.
        """
        detail = result.detail
        if detail is not None and self.secrets:
            detail = redact(detail, self.secrets)
        if result.outcome is Outcome.NOT_FOUND and self.maybe_delivered:
            detail = f"{detail + '; ' if detail else ''}{LOST_RESPONSE_NOTE}"
        return attrs.evolve(
            result,
            attempts=self.attempts,
            elapsed=self.clock.monotonic() - self.started,
            detail=detail,
        )


def cancel_call(
    provider: Provider,
    message_id: str,
    *,
    policy: RetryPolicy,
    timeout: httpx.Timeout,
    clock: Clock,
    on_retry: OnRetry | None,
    gates: tuple[Gate, ...],
) -> CancelCall[CancelResult]:
    """The call that cancels one message; the id is refused here before any request exists."""
    # The built-in adapters validate too (they are usable on their own); checking here as well
    # keeps the guarantee for third-party adapters, at a fraction of a microsecond.
    validate_message_id(message_id, provider=provider.name)
    return CancelCall(
        provider.name,
        message_id,
        provider.cancel_request(message_id),
        lambda response: provider.cancel_result(message_id, response),
        policy=policy,
        timeout=timeout,
        clock=clock,
        on_retry=on_retry,
        gates=gates,
        secrets=secrets_of(provider),
    )


def secrets_of(provider: object) -> tuple[str, ...]:
    """A provider's credentials, to blank out of its answers (a plugin may have none)."""
    secrets = getattr(provider, "secrets", ())
    return tuple(s for s in secrets if isinstance(s, str))
