"""AWS EventBridge Scheduler routes: create a one-time schedule, delete it, list schedule groups
(unsend's check), in the rest-json shapes of botocore's service model.

A schedule is held under ``GROUP:NAME``. Deleting a waiting one answers 200 ``{}``; an unknown
one, or one deleted before, 404 ``ResourceNotFoundException``. One that already fired answers as
AWS would by its ``ActionAfterCompletion``: ``DELETE`` removed it (404), ``NONE`` (the default)
kept it, so the delete "succeeds" (200) and tells nothing. Requests must be SigV4-signed with the
development key: the emulator checks the signature with botocore (when installed; else the key id
only). moto, an independent implementation, judges the request's shape in unsend's tests too.
"""

from __future__ import annotations

import re
import secrets as _random
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .._input import BadInput, parse_json, route
from .._kit import Emulated

if TYPE_CHECKING:
    from .._app import Emulator
    from .._faults import Decision

__all__ = ["EMULATED", "routes"]

P = "eventbridge"
AT = re.compile(r"at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)")


def _error(status: int, code: str, text: str) -> Response:
    return JSONResponse({"Message": text}, status_code=status, headers={"x-amzn-ErrorType": code})


SIGNED = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/]+)/\d{8}/([a-z0-9-]+)/scheduler/aws4_request, "
    r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})"
)


def _signed_by(request: Request, body: bytes, key_id: str, secret: str) -> bool:
    """The request's SigV4 signature is the development key's (checked with botocore)."""
    import hmac

    match = SIGNED.fullmatch(request.headers.get("authorization", ""))
    if match is None or match.group(1) != key_id:
        return False
    try:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
    except ImportError:  # pragma: no cover - the emulator without the aws extra
        return True
    names = match.group(3).split(";")
    headers = {name: request.headers.get(name, "") for name in names}
    aws = AWSRequest(method=request.method, url=str(request.url), data=body, headers=headers)
    aws.context["timestamp"] = request.headers.get("x-amz-date", "")
    signer = SigV4Auth(Credentials(key_id, secret), "scheduler", match.group(2))
    expected = signer.signature(signer.string_to_sign(aws, signer.canonical_request(aws)), aws)
    return hmac.compare_digest(expected, match.group(4))


def routes(emulator: Emulator) -> list[Route]:
    store = emulator.store

    def signed(request: Request, body: bytes = b"") -> bool:
        c = emulator.credentials
        return _signed_by(
            request, body, c.eventbridge_access_key_id, c.eventbridge_secret_access_key
        )

    def authorized(request: Request) -> bool:
        return signed(request)

    async def create(request: Request) -> Response:
        raw = await request.body()
        if not signed(request, raw):
            return _error(403, "UnrecognizedClientException", "The security token is invalid.")
        try:
            body: Any = parse_json(raw)
        except BadInput:
            return _error(400, "ValidationException", "Invalid JSON")
        expression = body.get("ScheduleExpression") if isinstance(body, dict) else None
        match = AT.fullmatch(expression) if isinstance(expression, str) else None
        if match is None or "Target" not in body or "FlexibleTimeWindow" not in body:
            return _error(400, "ValidationException", "a one-time at() schedule is required")
        group = body.get("GroupName") or "default"
        held = f"{group}:{request.path_params['name']}"
        if store.get(P, held) is not None:
            return _error(409, "ConflictException", "Schedule already exists.")
        moment = datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC)
        delay = max(0.0, moment.timestamp() - emulator.clock.now())
        after = body.get("ActionAfterCompletion") or "NONE"
        store.add(P, message_id=held, delay=delay, fields={"after": after})
        arn = f"arn:aws:scheduler:us-east-1:000000000000:schedule/{group}/{held.split(':', 1)[1]}"
        return JSONResponse({"ScheduleArn": arn})

    async def delete(request: Request) -> Response:
        group = request.query_params.get("groupName") or "default"
        schedule = store.get(P, f"{group}:{request.path_params['name']}")
        if schedule is not None and schedule.state == "scheduled":
            store.cancel(schedule)
            return JSONResponse({})
        fired = schedule is not None and schedule.state == "delivered"
        if fired and schedule is not None and schedule.fields.get("after") != "DELETE":
            return JSONResponse({})  # the fired schedule still exists: deleted, "fine"
        return _error(404, "ResourceNotFoundException", "Schedule not found.")

    async def get(request: Request) -> Response:
        if not authorized(request):
            return _unauthorized(request)
        group = request.query_params.get("groupName") or "default"
        name = request.path_params["name"]
        schedule = store.get(P, f"{group}:{name}")
        if (
            schedule is None
            or schedule.state == "cancelled"
            or (schedule.state == "delivered" and schedule.fields.get("after") == "DELETE")
        ):
            return _error(404, "ResourceNotFoundException", "Schedule not found.")
        return JSONResponse({"Name": name, "GroupName": group, "State": "ENABLED"})

    async def groups(request: Request) -> Response:
        if not authorized(request):
            return _error(403, "UnrecognizedClientException", "The security token is invalid.")
        group = {"Name": "default", "State": "ACTIVE", "Arn": "arn:aws:scheduler:::default"}
        return JSONResponse({"ScheduleGroups": [group]})

    return [
        route("/schedule-groups", GET=groups),
        route(
            "/schedules/{name}",
            GET=get,
            POST=create,
            DELETE=emulator.guarded(P, authorized, delete),
        ),
    ]


def _unauthorized(request: Request | None) -> Response:
    return _error(403, "UnrecognizedClientException", "The security token is invalid.")


def _rate_limit(decision: Decision, limit: int, now: float) -> tuple[str, dict[str, str]]:
    return "Rate exceeded", {"x-amzn-ErrorType": "ThrottlingException"}


EMULATED = Emulated(
    name=P,
    credentials={
        "access_key_id": "AKIAEMULATOR00000000",
        "secret_access_key": "emulator/eventbridge/secret/access/key00",
    },
    routes=routes,
    new_id=lambda: f"default:reminder-{_random.token_hex(6)}",
    stored_id=lambda given: given if ":" in given else f"default:{given}",
    error_body=lambda status, text, kind: {"Message": text},
    rate_limit=_rate_limit,
    unauthorized=_unauthorized,
)
