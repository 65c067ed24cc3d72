"""openapi-core adapters for httpx requests and responses (openapi-core ships none for httpx).

The host is rewritten to the provider's documented server, as the cassettes do, so the emulator
on any loopback port validates against the production paths.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import httpx
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict


class OpenAPIRequest:
    def __init__(self, request: httpx.Request, host_url: str) -> None:
        self.request = request
        self._host_url = host_url
        query = parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(query),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        return self._host_url

    @property
    def path(self) -> str:
        return self.request.url.path

    @property
    def method(self) -> str:
        return self.request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self.request.content or None

    @property
    def content_type(self) -> str:
        return self.request.headers.get("content-type", "application/json").lower()


class OpenAPIResponse:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response

    @property
    def status_code(self) -> int:
        return self.response.status_code

    @property
    def content_type(self) -> str:
        media = self.response.headers.get("content-type", "application/json").split(";")[0]
        # A vendor JSON type (Airship's application/vnd.urbanairship+json) is JSON to validate.
        return "application/json" if media.lower().endswith("+json") else media.lower()

    @property
    def headers(self) -> Headers:
        return Headers(list(self.response.headers.items()))

    @property
    def data(self) -> bytes | None:
        return self.response.content or None
