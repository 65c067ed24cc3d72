"""Exit codes of ``unsend cancel``, from its results."""

from __future__ import annotations

from collections.abc import Iterable

from .._errors import AuthenticationError, ConfigError, InvalidMessageId
from .._result import CancelResult, MessageState, MessageStatus, Outcome

__all__ = [
    "ACCEPTED_ONLY",
    "CONFIG_ERROR",
    "ERRORS",
    "INTERRUPTED",
    "OK",
    "SOME_NOT_CANCELLED",
    "code_for",
    "code_for_error",
    "code_for_status",
    "exit_code",
    "worse",
]

OK = 0  # every message is stopped (cancelled, or already cancelled)
SOME_NOT_CANCELLED = 1  # some were too late, not found, or not valid ids
CONFIG_ERROR = 2  # usage or configuration (credentials refused included)
ERRORS = 3  # rate limited, unavailable, network: retry later
ACCEPTED_ONLY = 4  # some cancels were accepted; the provider does not say if anything waited
INTERRUPTED = 130  # Ctrl-C: what was printed is whole; the rest was not reported


# Worse codes win; a configuration error outranks everything, as retrying cannot fix it.
_RANK = {OK: 0, ACCEPTED_ONLY: 1, SOME_NOT_CANCELLED: 2, ERRORS: 3, CONFIG_ERROR: 4}


def code_for(result: CancelResult, *, routed: bool = True) -> int:
    """The exit code one result asks for; an unroutable ref (``routed=False``, a name nothing
    is configured under) is that ref's failure, as an invalid id is, not a configuration's."""
    if result.outcome is Outcome.FAILED and not routed:
        return SOME_NOT_CANCELLED
    if result.outcome is Outcome.FAILED:
        if isinstance(result.error, AuthenticationError | ConfigError):
            return CONFIG_ERROR
        if isinstance(result.error, InvalidMessageId):
            return SOME_NOT_CANCELLED
        return ERRORS
    if result.outcome is Outcome.REQUESTED:
        return ACCEPTED_ONLY
    return OK if result.cancelled else SOME_NOT_CANCELLED


def code_for_error(error: Exception) -> int:
    """An error's code, as a failed cancel's: refused credentials and configuration 2, an id
    that is not valid 1, anything retrying may fix 3."""
    if isinstance(error, AuthenticationError | ConfigError):
        return CONFIG_ERROR
    if isinstance(error, InvalidMessageId):
        return SOME_NOT_CANCELLED
    return ERRORS


def code_for_status(read: MessageStatus | Exception) -> int:
    """``unsend status``: 0 for a message read; 1 for one the provider does not know."""
    if isinstance(read, Exception):
        return code_for_error(read)
    return SOME_NOT_CANCELLED if read.state is MessageState.NOT_FOUND else OK


def worse(a: int, b: int) -> int:
    return a if _RANK[a] >= _RANK[b] else b


def exit_code(results: Iterable[CancelResult]) -> int:
    code = OK
    for result in results:
        code = worse(code, code_for(result))
    return code
