"""Base-URL checks shared by the adapters."""

from __future__ import annotations

import httpx

from .._errors import ConfigError

__all__ = ["normalize_base_url"]


def normalize_base_url(base_url: str, *, provider: str) -> str:
    """``base_url`` without a trailing slash, after checking it is an absolute http(s) URL."""
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigError(f"base_url is not a URL: {exc}", provider=provider) from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigError("base_url must be an absolute http:// or https:// URL", provider=provider)
    if url.query or url.fragment:
        raise ConfigError("base_url must not carry a query or fragment", provider=provider)
    if url.userinfo:
        raise ConfigError("base_url must not carry credentials", provider=provider)
    return str(url).rstrip("/")
