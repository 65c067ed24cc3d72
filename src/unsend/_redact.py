"""Blanking credentials out of any text, in any form a server or library may echo them.

A leaf module: every layer may use it, and it imports nothing of unsend.

Theory of operation: a credential is known by its *windows*, every run of ``WINDOW`` characters
it holds, and by the windows of its base64 forms (padded or not, standard or urlsafe: HTTP Basic
sends ``base64(user:password)``). ``redact`` first reads the text through the escapes a JSON
encoder or a URL encoder writes (``\\u002f``, ``\\/``, ``%2F``), then blanks every run of the
text that is made of windows of a credential. So a credential echoed whole, escaped, split
across JSON fields, cut by an excerpt, or padded differently is blanked all the same, and no
``WINDOW`` characters of it are ever left standing.

Redact first, cut after: a text cut before it is redacted can end inside a credential, where
the part left is too short to be recognised. ``redact_then_cut`` does it in that order.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Iterable
from typing import Final

__all__ = ["BLANK", "MIN_SECRET_LENGTH", "WINDOW", "encoded_forms", "redact", "redact_then_cut"]

WINDOW: Final = 8
"""The length of the shortest run of a credential that counts as a leak (and is blanked)."""
# Shorter values are not real credentials (test placeholders); blanking them would shred words.
MIN_SECRET_LENGTH: Final = WINDOW
BLANK: Final = "***"

# The most characters one character of a secret takes once escaped (``\\u002f``): a secret that
# starts before a cut ends within this many times its longest form after it.
_WIDEST_ESCAPE: Final = 6
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\([/\"\\])|%([0-9a-fA-F]{2})")


def encoded_forms(secret: str) -> tuple[str, ...]:
    """The secret and its base64 forms (padding stripped: a window of the unpadded form is a
    window of the padded one too)."""
    raw = secret.encode()
    forms = {
        secret,
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
    }
    return tuple(sorted(forms))


@functools.lru_cache(maxsize=256)
def _windows(secrets: tuple[str, ...]) -> frozenset[str]:
    """Every ``WINDOW``-character run of every usable secret's forms."""
    found: set[str] = set()
    for secret in secrets:
        if len(secret) < MIN_SECRET_LENGTH:
            continue
        for form in encoded_forms(secret):
            found.update(form[i : i + WINDOW] for i in range(len(form) - WINDOW + 1))
    return frozenset(found)


def _unescaped(text: str) -> tuple[str, list[int]]:
    """``text`` with JSON and percent escapes read, and where each of its characters starts in
    ``text`` (one more entry: the end)."""
    view: list[str] = []
    starts: list[int] = []
    at = 0
    for match in _ESCAPE.finditer(text):
        for index in range(at, match.start()):
            view.append(text[index])
            starts.append(index)
        unicode, escaped, percent = match.groups()
        if escaped is not None:
            char = escaped
        else:
            char = chr(int(unicode if unicode is not None else percent, 16))
        view.append(char)
        starts.append(match.start())
        at = match.end()
    for index in range(at, len(text)):
        view.append(text[index])
        starts.append(index)
    starts.append(len(text))
    return "".join(view), starts


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every run made of a known secret's windows blanked out, in any form."""
    windows = _windows(tuple(secrets))
    if not windows or len(text) < WINDOW:
        return text
    if "\\" in text or "%" in text:
        view, starts = _unescaped(text)
    else:
        view, starts = text, []
    runs: list[list[int]] = []
    for index in range(len(view) - WINDOW + 1):
        if view[index : index + WINDOW] in windows:
            end = index + WINDOW
            if runs and index <= runs[-1][1]:
                runs[-1][1] = end
            else:
                runs.append([index, end])
    if not runs:
        return text
    if starts:
        runs = [[starts[a], starts[b]] for a, b in runs]
    # What is kept lies between the runs: text[0:start1], text[end1:start2], ... text[endN:].
    bounds = [0, *(at for run in runs for at in run), len(text)]
    return BLANK.join(text[bounds[i] : bounds[i + 1]] for i in range(0, len(bounds), 2))


def redact_then_cut(text: str, secrets: Iterable[str], limit: int) -> str:
    """The first ``limit`` characters of ``text`` once redacted (with an ellipsis if cut).

    Only the part that can reach the cut is read: a secret starting before ``limit`` ends
    within its longest encoded form after it.
    """
    secrets = tuple(secrets)
    longest = max((len(form) for s in secrets for form in encoded_forms(s)), default=0)
    reach = longest * _WIDEST_ESCAPE
    clean = redact(text[: limit + reach], secrets)
    cut = len(clean) > limit or len(text) > limit + reach
    return clean[:limit] + ("…" if cut else "")
