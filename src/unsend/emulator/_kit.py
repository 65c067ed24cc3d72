"""What one emulated provider says of itself, and where the emulator finds them all.

Each provider's module (``emulator/providers/_<name>.py``) exports one ``Emulated`` object: its
name, the development credentials it accepts (as the options its adapter takes), how it makes
ids, how it shapes an error and a 429, and its routes. Everything else the emulator has per
provider (the credentials of ``Credentials``, ids, error and rate-limit shapes, the control
API's list, the fault and stats tables, DSNs, the banner) is derived from these objects, so
adding a provider adds a module and edits no list.

Discovery: every module of ``emulator/providers/`` that exports ``EMULATED``, then the
``Emulated`` objects installed under the ``unsend.emulators`` entry point group (a plugin's own
emulation).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    import httpx
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from ._app import Emulator
    from ._faults import Decision

__all__ = ["ENTRY_POINT_GROUP", "Emulated", "emulated", "emulated_providers", "retry_after"]

ENTRY_POINT_GROUP = "unsend.emulators"


def retry_after(decision: Decision, limit: int, now: float) -> tuple[str, dict[str, str]]:
    """The common 429: its text, and ``Retry-After`` in whole seconds when the fault names a
    wait."""
    wait = decision.retry_after
    return "Rate limit exceeded", {} if wait is None else {"Retry-After": str(math.ceil(wait))}


def _message_type(status: int, text: str, kind: str) -> Any:
    return {"message": text, "type": kind}


@attrs.frozen
class Emulated:
    """One emulated provider."""

    name: str
    credentials: Mapping[str, str]
    """Option -> development value, in the order a DSN's user part lists them."""
    routes: Callable[[Emulator], list[Route]]
    new_id: Callable[[], str]
    stored_id: Callable[[str], str] = str
    """A message id given to seed -> the id the provider keeps it under, where an id may leave
    a part to its default (EventBridge: ``NAME`` is ``default:NAME``)."""
    error_body: Callable[[int, str, str], Any] = _message_type
    """(status, text, kind) -> the provider's JSON error body."""
    rate_limit: Callable[[Decision, int, float], tuple[str, dict[str, str]]] = retry_after
    """(fault, limit, now) -> the provider's 429 text and headers; epoch headers are on the
    emulator's clock (``now``)."""
    unauthorized: Callable[[Request | None], Response] | None = None
    """The provider's own refusal of credentials, if it is not a plain 401 error body."""
    readings: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    """Answers the provider leaves undocumented (shared/PROVIDERS.md marks them): name -> the
    readings the emulator can play, the first by default (``Faults.readings`` picks another)."""
    schedule: Callable[[httpx.Client, Mapping[str, str], int], str] | None = None
    """Schedule one message ``delay`` seconds ahead the way an application does, through the
    provider's own API (``http`` is aimed at the emulator; ``credentials`` are this provider's
    options); returns the id unsend cancels. The demo shows the providers that have one."""


def _builtin_modules() -> list[str]:
    import pkgutil

    from . import providers

    names = [m.name for m in pkgutil.iter_modules(providers.__path__)]
    return [f"{providers.__name__}.{n}" for n in sorted(names)]


@functools.cache
def emulated_providers() -> dict[str, Emulated]:
    """Every emulated provider by name: the built-in modules, then installed plugins."""
    import importlib
    from importlib.metadata import entry_points

    found: dict[str, Emulated] = {}
    for module_name in _builtin_modules():
        candidate = getattr(importlib.import_module(module_name), "EMULATED", None)
        if isinstance(candidate, Emulated):
            found[candidate.name] = candidate
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        candidate = entry.load()
        if isinstance(candidate, Emulated) and candidate.name not in found:
            found[candidate.name] = candidate
    return found


def emulated(name: str) -> Emulated:
    providers = emulated_providers()
    if name not in providers:
        raise ValueError(f"unknown provider {name!r}; emulated: {', '.join(providers)}")
    return providers[name]
