"""Credentials: checked once at construction, never shown, blanked wherever a server echoes them.

- ``credential`` strips surrounding whitespace (a token read from a file ends in a newline) and
  refuses control and non-ASCII characters: a credential travels in an HTTP header, which can
  carry neither, and the refusal names the key, never the value.
- ``redact`` blanks a secret in any text, including the forms a JSON encoder or a server may
  echo it in (``\\/``, ``\\u00xx`` escapes, percent-encoding).
- ``RedactingFilter`` does the same to the DEBUG lines of httpx and httpcore (which show response
  headers), for every secret a canceller was built with.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable

from .._errors import ConfigError

__all__ = [
    "MIN_SECRET_LENGTH",
    "RedactingFilter",
    "credential",
    "masked",
    "redact",
    "register_secrets",
]

# Shorter values are not real credentials (test placeholders); blanking them would shred words.
MIN_SECRET_LENGTH = 8
BLANK = "***"


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


def _hex(code: int, width: int) -> str:
    """``code`` in hex as a pattern that matches either case of its letters."""
    return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in f"{code:0{width}x}")


def _char_forms(char: str) -> str:
    """A pattern for one character as written, JSON-escaped or percent-encoded."""
    code = ord(char)
    forms = [re.escape(char)]
    if code < 0x10000:
        forms.append(r"\\u" + _hex(code, 4))
    if char in '/"\\':
        forms.append(re.escape("\\" + char))
    if code < 0x80:
        forms.append("%" + _hex(code, 2))
    return "(?:" + "|".join(forms) + ")"


@functools.lru_cache(maxsize=256)
def _pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    usable = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
    if not usable:
        return None
    return re.compile("|".join("".join(_char_forms(c) for c in s) for s in usable))


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every known secret blanked out, as written or escaped."""
    secrets = tuple(secrets)
    for secret in secrets:  # the plain form first: cheap, and by far the most common echo
        if len(secret) >= MIN_SECRET_LENGTH and secret in text:
            text = text.replace(secret, BLANK)
    if "\\" not in text and "%" not in text:
        return text
    pattern = _pattern(secrets)
    return text if pattern is None else pattern.sub(BLANK, text)


_registered: set[str] = set()
_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


class RedactingFilter(logging.Filter):
    """Blanks every registered secret out of a log record's text (httpx, httpcore DEBUG lines).

    A logger's filters run only for records made on that very logger, so this one is added to
    each logger httpx and httpcore write to. It costs nothing while those loggers are quiet.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if _registered:
            try:
                text = record.getMessage()
            except Exception:
                return True
            clean = redact(text, tuple(_registered))
            if clean != text:
                record.msg, record.args = clean, None
        return True


_FILTER = RedactingFilter()


def register_secrets(secrets: Iterable[str]) -> None:
    """Blank these secrets out of httpx's and httpcore's log lines from now on."""
    new = {s for s in secrets if len(s) >= MIN_SECRET_LENGTH} - _registered
    if not new:
        return
    _registered.update(new)
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
