"""The exceptions unsend raises.

    UnsendError
     ├── InvalidMessageId      (also a ValueError) the id would not address exactly one message
     ├── ConfigError           (also a ValueError) bad configuration, a wrong region or base URL
     ├── UnsafeBulkCancel      (also a ValueError) a bulk cancel that would match every message
     ├── AuthenticationError   401 / 403: the credentials are wrong for this provider or region
     ├── RateLimited           429, after the retries (or the deadline) ran out
     │    └── DailyLimitExceeded   QStash's daily quota: never retried, it resets tomorrow
     ├── ProviderUnavailable   5xx, after the retries ran out
     ├── UnexpectedResponse    a status or body unsend cannot read as an outcome
     ├── TransportError        the network failed: connect, read, timeout, reset
     ├── BulkActionRefused     QStash 412: a plan limit refuses to start another bulk action
     ├── BulkActionNotFound    QStash 404 for a bulk action id (unknown, or older than 7 days)
     ├── BulkActionTimeout     a followed bulk action was still running when wait_timeout ended
     └── ScheduleCancelIncomplete  a schedule was deleted, cancelling what it produced failed

Every error carries the provider and message id when they are known, the last HTTP status and
the number of attempts made. No error text ever holds a credential.
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "BulkActionNotFound",
    "BulkActionRefused",
    "BulkActionTimeout",
    "ConfigError",
    "DailyLimitExceeded",
    "InvalidMessageId",
    "ProviderUnavailable",
    "RateLimited",
    "ScheduleCancelIncomplete",
    "TransportError",
    "UnexpectedResponse",
    "UnsafeBulkCancel",
    "UnsendError",
]


class UnsendError(Exception):
    """Base class of every error unsend raises."""

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        message_id: str | None = None,
        status_code: int | None = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.message_id = message_id
        self.status_code = status_code
        self.attempts = attempts

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.provider,
                f"message {self.message_id!r}" if self.message_id is not None else None,
                f"HTTP {self.status_code}" if self.status_code is not None else None,
                f"{self.attempts} attempt{'s' if self.attempts != 1 else ''}"
                if self.attempts
                else None,
            )
            if part
        )
        return f"{self.message} ({where})" if where else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class InvalidMessageId(UnsendError, ValueError):
    """The message id is empty, too long, or holds characters that would change the URL."""


class ConfigError(UnsendError, ValueError):
    """The configuration is wrong: unknown provider, missing key, wrong region or base URL."""


class UnsafeBulkCancel(UnsendError, ValueError):
    """A bulk cancel without filters or ids would cancel every message; pass everything=True."""


class AuthenticationError(UnsendError):
    """The provider refused the credentials (401 or 403)."""


def duration(seconds: float) -> str:
    """A wait as a person reads it: ``1.5 s``, ``2 min 5 s``, ``7 h 53 min``, ``328 d 14 h``."""
    if seconds < 60:
        return f"{seconds:g} s"
    minutes, secs = divmod(round(seconds), 60)
    hours, mins = divmod(minutes, 60)
    days, hrs = divmod(hours, 24)
    units = [(days, "d"), (hrs, "h"), (mins, "min"), (secs, "s")]
    first = next(i for i, (amount, _) in enumerate(units) if amount)
    shown = [f"{amount} {unit}" for amount, unit in units[first : first + 2] if amount]
    return " ".join(shown)


class RateLimited(UnsendError):
    """The provider answered 429 and retrying could not, or may not, wait it out."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after

    def __str__(self) -> str:
        text = super().__str__()
        if self.retry_after is not None:
            text += f"; retry after {duration(self.retry_after)}"
        return text


class DailyLimitExceeded(RateLimited):
    """QStash's daily request quota is spent; it is never retried."""


class ProviderUnavailable(UnsendError):
    """The provider answered 5xx and the retries ran out."""


class UnexpectedResponse(UnsendError):
    """The provider answered with a status or body unsend cannot turn into an outcome."""

    def __init__(self, message: str, *, body_excerpt: str = "", **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.body_excerpt = body_excerpt

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text}: {self.body_excerpt}" if self.body_excerpt else text


class TransportError(UnsendError):
    """The request did not get a response: connection refused or reset, timeout, protocol error."""


class BulkActionRefused(UnsendError):
    """QStash answered a bulk cancel with 412: a plan limit (such as bulk actions already in
    progress) refuses to start another. Never retried: wait for a running one to finish."""


class BulkActionNotFound(UnsendError):
    """QStash does not know this bulk action id: mistyped, another account, or older than the
    7 days QStash keeps bulk actions."""


class BulkActionTimeout(UnsendError):
    """A bulk action unsend followed was still in progress when ``wait_timeout`` ran out.

    It keeps running at QStash; ``action_ids`` lets you follow it with ``bulk_action(id)``.
    ``processed`` and ``total`` are the sums of the last answers seen.
    """

    def __init__(
        self,
        message: str,
        *,
        action_ids: tuple[str, ...] = (),
        processed: int = 0,
        total: int = 0,
        **kwargs: object,
    ) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.action_ids = action_ids
        self.processed = processed
        self.total = total

    def __str__(self) -> str:
        # A plan of ids knows no total and starts no action: it says neither.
        done = f"{self.processed} of {self.total}" if self.total else str(self.processed)
        text = f"{super().__str__()}; {done} processed"
        return text + (f"; follow {', '.join(self.action_ids)}" if self.action_ids else "")


class ScheduleCancelIncomplete(UnsendError):
    """QStash deleted the schedule, and cancelling the messages it had produced then failed.

    ``result`` is what was done (the schedule's outcome; ``pending`` None), ``error`` why the
    rest failed (also the ``__cause__``): the deletion is never lost behind the failure.
    """

    def __init__(self, message: str, *, result: object, error: UnsendError, **kwargs: object):
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.result = result
        self.error = error
