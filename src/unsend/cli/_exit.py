"""Exit codes of ``unsend cancel``, from its results."""

from __future__ import annotations

from collections.abc import Iterable

from .._errors import AuthenticationError, ConfigError, InvalidMessageId
from .._result import CancelResult, Outcome

__all__ = ["CONFIG_ERROR", "ERRORS", "OK", "SOME_NOT_CANCELLED", "code_for", "exit_code", "worse"]

OK = 0  # every message is stopped (cancelled, or already cancelled)
SOME_NOT_CANCELLED = 1  # some were too late, not found, or not valid ids
CONFIG_ERROR = 2  # usage or configuration (credentials refused included)
ERRORS = 3  # rate limited, unavailable, network: retry later


# Worse codes win; a configuration error outranks everything, as retrying cannot fix it.
_RANK = {OK: 0, SOME_NOT_CANCELLED: 1, ERRORS: 2, CONFIG_ERROR: 3}


def code_for(result: CancelResult) -> int:
    if result.outcome is Outcome.FAILED:
        if isinstance(result.error, AuthenticationError | ConfigError):
            return CONFIG_ERROR
        if isinstance(result.error, InvalidMessageId):
            return SOME_NOT_CANCELLED
        return ERRORS
    return OK if result.cancelled else SOME_NOT_CANCELLED


def worse(a: int, b: int) -> int:
    return a if _RANK[a] >= _RANK[b] else b


def exit_code(results: Iterable[CancelResult]) -> int:
    code = OK
    for result in results:
        code = worse(code, code_for(result))
    return code
