"""``Canceller.check``: one documented read-only request per provider, its answer judged alike.

A provider's check either lists something small (Knock's messages, OneSignal's notifications,
Novu's environment, Twilio's account) or reads a message id that cannot exist, where the
documented "not found" can only come after the credentials were accepted (QStash, Courier,
Resend, SendGrid). Refused credentials are ``AuthenticationError``, as on a cancel.
"""

from __future__ import annotations

from collections.abc import Collection

import httpx

from ._responses import common_error, read_json

__all__ = ["PROBE_ID", "PROBE_UUID", "probe_result"]

PROBE_ID = "unsend-check-0000000000000000"
"""An id no provider made, for the reads that check by asking for a message."""
PROBE_UUID = "00000000-0000-4000-8000-000000000000"


def probe_result(
    provider: str,
    response: httpx.Response,
    secrets: tuple[str, ...],
    what: str,
    *,
    accepted: Collection[int] = (200,),
) -> str:
    """``<what>: HTTP <status>, credentials accepted``, or the error every cancel gets.

    ``what`` names the request as the provider's reference does (``GET /v2/messages/{id}``),
    never with the account's own values in it."""
    if response.status_code in accepted:
        # The provider's own JSON answer: a captive portal's or a proxy's page is not one.
        read_json(provider, None, response, secrets)
        return f"{what}: HTTP {response.status_code}, credentials accepted"
    raise common_error(provider, None, response, secrets)
