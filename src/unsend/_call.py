"""One cancel in progress: every decision the sync and async clients share.

The clients own the I/O (``send`` and ``sleep``); this object owns the rest: the request, built
once so a retry re-sends it unchanged (Courier's Idempotency-Key), the deadline and each
attempt's clipped timeout, reading the body under a size cap and the deadline, mapping failures
to typed errors, and the tenacity arguments that drive the retries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import attrs
import httpx

from ._clock import Clock
from ._errors import RateLimited, TransportError, UnexpectedResponse, UnsendError
from ._ids import validate_message_id
from ._provider import Provider
from ._result import CancelResult
from ._retry import (
    RetryEvent,
    RetryPolicy,
    retry_if_policy,
    stop_for,
    wait_advised,
)
from ._retry_after import retry_after_seconds

__all__ = ["MAX_BODY_BYTES", "CancelCall", "OnRetry"]

logger = logging.getLogger("unsend")

# A cancel answer is a few hundred bytes; anything far larger is not one, and is not kept.
MAX_BODY_BYTES = 1 << 20

OnRetry = Callable[[RetryEvent], None]


class _DeadlineReached(httpx.ReadTimeout):
    """The deadline passed while the body was still arriving (a server dripping bytes)."""


class CancelCall:
    def __init__(
        self,
        provider: Provider,
        message_id: str,
        *,
        policy: RetryPolicy,
        timeout: httpx.Timeout,
        clock: Clock,
        on_retry: OnRetry | None,
    ) -> None:
        validate_message_id(message_id, provider=provider.name)
        self.provider = provider
        self.message_id = message_id
        self.policy = policy
        self.timeout = timeout
        self.clock = clock
        self.on_retry = on_retry
        self.request = provider.cancel_request(message_id)
        self.started = clock.monotonic()
        self.deadline_at = self.started + policy.deadline
        self.attempts = 0
        self.last_status: int | None = None
        self._last_response: httpx.Response | None = None

    # -- the tenacity controller -------------------------------------------------------------

    def retry_kwargs(self) -> dict[str, Any]:
        """Arguments for a fresh ``tenacity.Retrying`` / ``AsyncRetrying``; add ``sleep``."""
        return {
            "retry": retry_if_policy(self.policy),
            "wait": wait_advised(self._advised_wait, self.policy.backoff()),
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
            "retrying %s cancel of %r after %s; waiting %.3f s (attempt %d of %d)",
            self.provider.name,
            self.message_id,
            f"HTTP {error.status_code}" if error.status_code else type(error).__name__,
            wait,
            self.attempts,
            self.policy.max_attempts,
        )
        if self.on_retry is not None:
            self.on_retry(
                RetryEvent(
                    provider=self.provider.name,
                    message_id=self.message_id,
                    attempt=self.attempts,
                    wait=wait,
                    status_code=error.status_code,
                    error=error,
                )
            )

    # -- one attempt -------------------------------------------------------------------------

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

    def accept_chunk(self, body: bytearray, chunk: bytes) -> None:
        """Add a chunk of the body, unless it is over the size cap or past the deadline."""
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise self._stamp(
                UnexpectedResponse(
                    f"response body is larger than {MAX_BODY_BYTES} bytes",
                    provider=self.provider.name,
                    message_id=self.message_id,
                )
            )
        if self.clock.monotonic() >= self.deadline_at:
            raise _DeadlineReached("the deadline passed while the body was arriving")

    def result(self, streamed: httpx.Response, body: bytearray) -> CancelResult:
        """The outcome of a fully read response, or the typed error to retry or raise."""
        headers = streamed.headers.copy()
        headers.pop("content-encoding", None)  # ``body`` is already decoded
        response = httpx.Response(
            streamed.status_code, headers=headers, content=bytes(body), request=self.request
        )
        self._last_response = response
        self.last_status = streamed.status_code
        try:
            result = self.provider.cancel_result(self.message_id, response)
        except UnsendError as error:
            if isinstance(error, RateLimited) and error.retry_after is None:
                error.retry_after = self._advised_wait()
            raise self._stamp(error) from None
        return self._stamp_result(result)

    def transport_error(self, exc: httpx.RequestError) -> UnsendError:
        if isinstance(exc, httpx.DecodingError):
            error: UnsendError = UnexpectedResponse(
                f"response body could not be decoded: {exc}",
                provider=self.provider.name,
                message_id=self.message_id,
            )
        else:
            error = TransportError(
                f"network error: {type(exc).__name__}: {exc}".rstrip(": "),
                provider=self.provider.name,
                message_id=self.message_id,
            )
        return self._stamp(error)

    def _stamp(self, error: UnsendError) -> UnsendError:
        error.attempts = self.attempts
        if error.status_code is None:
            error.status_code = self.last_status
        if error.message_id is None:
            error.message_id = self.message_id
        return error

    def _stamp_result(self, result: CancelResult) -> CancelResult:
        return attrs.evolve(
            result, attempts=self.attempts, elapsed=self.clock.monotonic() - self.started
        )
