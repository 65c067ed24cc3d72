"""The credentials the emulator accepts: per provider, the options its adapter takes.

Derived from each emulated provider's development values; keywords change some, named
``<provider>_<option>`` (``Credentials(qstash_token="...")``), and are read back the same way
(``credentials.qstash_token``) or by provider (``credentials.of("twilio")``). Never shown: the
repr names the providers only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._kit import emulated_providers

__all__ = ["Credentials"]


class Credentials:
    """The credentials the emulator accepts (development values; never real ones)."""

    def __init__(self, **changed: str) -> None:
        values = {name: dict(e.credentials) for name, e in emulated_providers().items()}
        for key, value in changed.items():
            provider, option = _split(key, values)
            if not isinstance(value, str) or not value:
                raise TypeError(f"credential {key} must be a non-empty string")
            values[provider][option] = value
        self._values = values

    def of(self, provider: str) -> dict[str, str]:
        """One provider's credentials, as the options its adapter takes."""
        if provider not in self._values:
            raise ValueError(f"unknown provider {provider!r}")
        return dict(self._values[provider])

    def __getattr__(self, key: str) -> str:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            provider, option = _split(key, self._values)
        except TypeError:
            raise AttributeError(key) from None
        return self._values[provider][option]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Credentials) and other._values == self._values

    def __hash__(self) -> int:
        return hash(tuple((p, tuple(sorted(o.items()))) for p, o in sorted(self._values.items())))

    def __repr__(self) -> str:
        return f"Credentials({', '.join(self._values)}: '***')"


def _split(key: str, values: Mapping[str, Any]) -> tuple[str, str]:
    for provider, options in values.items():
        option = key[len(provider) + 1 :]
        if key.startswith(f"{provider}_") and option in options:
            return provider, option
    raise TypeError(f"unknown credential {key!r}; they are named <provider>_<option>")
