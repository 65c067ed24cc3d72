"""Which providers exist: the built-ins (``providers.BUILTIN``), plus any installed under the
``unsend.providers`` entry point group (``unsend.testing``'s ``recording`` is one).

A provider is a callable (usually its class) returning a ``Provider``. What configuration it
takes is read from its signature: parameters without a default are required, keyword parameters
with one are optional. A class attribute ``dsn_host`` names the option a DSN's host fills
(a region, for some).
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable
from typing import Any

import attrs

from ._errors import ConfigError
from ._provider import Provider
from .providers import BUILTIN

__all__ = [
    "ENTRY_POINT_GROUP",
    "ProviderSpec",
    "available_providers",
    "provider_names",
    "provider_spec",
]

ENTRY_POINT_GROUP = "unsend.providers"


BUILTINS: dict[str, Callable[..., Provider]] = {cls.name: cls for cls in BUILTIN}


@attrs.frozen
class ProviderSpec:
    """A provider's name, how to build it, and the options it takes."""

    name: str
    factory: Callable[..., Provider]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    dsn_host: str | None = None
    dsn_user: tuple[str, ...] = ()
    """The options a DSN's user part fills, in order: the required ones, unless the adapter
    names others (``dsn_user``: EventBridge's optional keys, else botocore's chain)."""

    @classmethod
    def of(cls, name: str, factory: Callable[..., Provider]) -> ProviderSpec:
        required: list[str] = []
        optional: list[str] = []
        for parameter in inspect.signature(factory).parameters.values():
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            (required if parameter.default is parameter.empty else optional).append(parameter.name)
        dsn_host = getattr(factory, "dsn_host", None)
        dsn_user = getattr(factory, "dsn_user", None)
        return cls(
            name,
            factory,
            tuple(required),
            tuple(optional),
            dsn_host if isinstance(dsn_host, str) else None,
            tuple(dsn_user) if isinstance(dsn_user, tuple) else tuple(required),
        )

    @property
    def options(self) -> tuple[str, ...]:
        return self.required + self.optional

    def build(self, options: dict[str, Any]) -> Provider:
        missing = [key for key in self.required if key not in options]
        if missing:
            raise ConfigError(f"missing {', '.join(missing)} for {self.name}", provider=self.name)
        provider = self.factory(**options)
        if not isinstance(provider, Provider):
            raise ConfigError(
                f"{self.name} did not build a Provider (cancel_request and cancel_result)",
                provider=self.name,
            )
        return provider


def _load(name: str) -> ProviderSpec | None:
    """The spec of an installed provider, loading only that entry point."""
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP, name=name):
        try:
            factory = entry.load()
        except Exception as exc:
            raise ConfigError(
                f"the provider entry point {entry.name!r} ({entry.value}) failed to load: "
                f"{type(exc).__name__}: {exc}",
                provider=entry.name,
            ) from exc
        return ProviderSpec.of(entry.name, factory)
    return None


def provider_names() -> list[str]:
    """Built-ins, then installed providers (names only: nothing is imported)."""
    from importlib.metadata import entry_points

    installed = [e.name for e in entry_points(group=ENTRY_POINT_GROUP) if e.name not in BUILTINS]
    return [*BUILTINS, *sorted(set(installed))]


def available_providers() -> dict[str, ProviderSpec]:
    """Every provider by name, loading each installed one; a built-in is never replaced."""
    specs = {name: ProviderSpec.of(name, factory) for name, factory in BUILTINS.items()}
    for name in provider_names():
        if name not in specs and (spec := _load(name)) is not None:
            specs[name] = spec
    return specs


def provider_spec(name: object) -> ProviderSpec:
    """The spec of a provider name, or ``ConfigError`` with a "did you mean"."""
    if isinstance(name, str):
        key = name.lower()
        if key in BUILTINS:
            return ProviderSpec.of(key, BUILTINS[key])
        if (spec := _load(key)) is not None:
            return spec
    names = provider_names()
    shown = name if isinstance(name, str) else type(name).__name__
    message = f"unknown provider {shown!r}; installed: {', '.join(names)}"
    if isinstance(name, str) and (close := difflib.get_close_matches(name.lower(), names, 1)):
        message += f" (did you mean {close[0]!r}?)"
    raise ConfigError(message)
