"""Credentials: checked once at construction, never shown, blanked wherever a server echoes them.

- ``credential`` strips surrounding whitespace (a token read from a file ends in a newline) and
  refuses control and non-ASCII characters: a credential travels in an HTTP header, which can
  carry neither, and the refusal names the key, never the value.
- ``redact`` (``unsend._redact``) blanks a secret in any text, in any form it may be echoed in.
- ``RedactingFilter`` does the same to the log lines of unsend, httpx, httpcore and aiohttp, for
  the secrets of every canceller alive.
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Iterable

from ._errors import ConfigError
from ._redact import BLANK, MIN_SECRET_LENGTH, redact

__all__ = [
    "BLANK",
    "LOGGERS",
    "Handle",
    "MIN_SECRET_LENGTH",
    "RedactingFilter",
    "credential",
    "masked",
    "redact",
    "register_secrets",
    "registered_secrets",
    "release_secrets",
]


def masked(value: object) -> str:
    """How a credential shows in a repr: never."""
    return "'***'" if value else "''"


def credential(value: object, *, key: str, provider: str) -> str:
    """``value`` without surrounding whitespace, else ``ConfigError`` naming ``key``, not value."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"a {provider} {key} is required", provider=provider)
    value = value.strip()
    if not value.isascii():
        raise ConfigError(
            f"the {provider} {key} holds a non-ASCII character; credentials travel in an HTTP "
            "header, which cannot carry one",
            provider=provider,
        )
    if not value.isprintable():
        raise ConfigError(
            f"the {provider} {key} holds a control character; credentials travel in an HTTP "
            "header, which cannot carry one",
            provider=provider,
        )
    return value


class Handle:
    """What ``register_secrets`` gives back to release them with: only its identity counts."""

    __slots__ = ()


class _Owners:
    """The secrets of every live canceller, so log lines are blanked for as long as it lives.

    A canceller registers its secrets when it is built and releases them when it is closed (or
    collected): nothing outlives its owner, and the filter leaves the loggers with the last one.

    A release may come from the garbage collector, at any allocation, even while this very
    thread holds the lock inside ``add``: so a release is queued first (an atomic append) and
    applied by whoever holds the lock next, never waited for.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_owner: dict[Handle, tuple[str, ...]] = {}
        self._released: collections.deque[Handle] = collections.deque()
        self.secrets: tuple[str, ...] = ()

    def add(self, secrets: Iterable[str]) -> Handle:
        usable = tuple(s for s in secrets if len(s) >= MIN_SECRET_LENGTH)
        handle = Handle()
        with self._lock:
            self._by_owner[handle] = usable
            self._apply()
        return handle

    def discard(self, handle: Handle) -> None:
        self._released.append(handle)
        if self._lock.acquire(blocking=False):
            try:
                self._apply()
            finally:
                self._lock.release()

    def _apply(self) -> None:
        """Under the lock: drop what was released, then set the secrets and the loggers."""
        while self._released:
            self._by_owner.pop(self._released.popleft(), None)
        self.secrets = tuple(sorted({s for group in self._by_owner.values() for s in group}))
        for name in LOGGERS:
            logger = logging.getLogger(name)
            if self.secrets and _FILTER not in logger.filters:
                logger.addFilter(_FILTER)
            elif not self.secrets and _FILTER in logger.filters:
                logger.removeFilter(_FILTER)


# The loggers that may write what a server sent or what unsend sent: httpx and httpcore show
# headers at DEBUG, aiohttp its client's traces. A logger's filters run only for records made on
# that very logger, so the filter goes on each.
LOGGERS = (
    "unsend",
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "aiohttp.client",
    "aiohttp.internal",
    "aiohttp.access",
)


class RedactingFilter(logging.Filter):
    """Blanks every live canceller's secrets out of a log record's text.

    It costs nothing while those loggers are quiet: a filter runs only for records made.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = _owners.secrets
        if secrets:
            try:
                text = record.getMessage()
            except Exception:
                return True
            clean = redact(text, secrets)
            if clean != text:
                record.msg, record.args = clean, None
        return True


_FILTER = RedactingFilter()
_owners = _Owners()


def register_secrets(secrets: Iterable[str]) -> Handle:
    """Blank these secrets out of log lines until ``release_secrets(handle)``."""
    return _owners.add(secrets)


def release_secrets(handle: Handle) -> None:
    """The owner of ``handle`` is gone: its secrets no longer need blanking."""
    _owners.discard(handle)


def registered_secrets() -> tuple[str, ...]:
    """What the log filter blanks now (for tests and diagnostics)."""
    return _owners.secrets
