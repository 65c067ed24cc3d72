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


_EMPTY = httpx.ByteStream(b"")


class Endpoint:
    """A provider's base URL, parsed once: each cancel's request is built without re-parsing.

    ``httpx.Request(method, "https://…")`` prepares headers every time, which costs more than
    the rest of a cancel's own work. Here the headers every request carries (Host, the
    credentials, Content-Length for an empty POST, as httpx would add them) are prepared once and
    copied; the URL is parsed by httpx's public ``URL`` as a plain request's is. The path must
    already be percent-encoded (``quote_message_id``).
    """

    def __init__(self, base_url: str, headers: dict[str, str], *, method: str) -> None:
        self.base = httpx.URL(base_url)
        self.method = method
        prepared = httpx.Request(method, self.base, headers=headers)
        self.headers = prepared.headers  # Host, Content-Length (POST), then the given ones
        self._prefix = str(self.base)  # normalized: no trailing slash

    def url(self, path: str, query: str | None = None) -> httpx.URL:
        return httpx.URL(f"{self._prefix}{path}" + (f"?{query}" if query else ""))

    def request(
        self, path: str, query: str | None = None, extra: dict[str, str] | None = None
    ) -> httpx.Request:
        headers = httpx.Headers(self.headers)
        if extra:
            for name, value in extra.items():
                headers[name] = value  # item by item: Headers.update costs four times as much
        request = httpx.Request(self.method, self.url(path, query), headers=headers, stream=_EMPTY)
        request.read()  # an empty body, read as httpx reads one given as content=b""
        return request
