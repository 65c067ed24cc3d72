"""QStash's bulk answers and plans, exactly: what each reading of a bulk-action page, a bulk
action, a bulk error and a plan's counts gives, pinned in ``tests/exact/qstash_bulk.json``.

``test_bulk.py`` and the hostile tests prove what must hold (counts never exceed what was
asked, loops end); this pins every refusal's words, every field read, each status code kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx

import unsend
from tests.exact_pins import check_pinned, variants
from unsend._result import BulkAnswer
from unsend.qstash._actions import action_error, parse_action, parse_action_page
from unsend.qstash._plans import IdsPlan, MatchingPlan, build_filters

PINNED = Path(__file__).parent / "exact" / "qstash_bulk.json"
TOKEN = "qstash-token-0123456789abcdef"
SECRETS = (TOKEN,)
ACTION = {
    "actionId": "act_1",
    "state": "COMPLETED",
    "kind": "cancel",
    "total": 3,
    "processed": 3,
    "createdAt": 1_767_225_600_000,
    "completedAt": 1_767_225_601_000,
    "filter": {"label": ["red"], "queueName": "q1"},
}
PAGE = {"bulkActions": [ACTION], "cursor": "c-2"}


def _response(status: int, body: Any) -> httpx.Response:
    request = httpx.Request("GET", "https://qstash.example/v2/bulkActions")
    # json.dumps writes NaN and a 400-digit integer as servers may; httpx's json= refuses them.
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    return httpx.Response(status, content=content, headers=headers, request=request)


def _shown(read: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        value = read(*args, **kwargs)
    except (unsend.UnsendError, ValueError, TypeError) as error:
        fields = {k: v for k, v in vars(error).items() if not k.startswith("_")}
        return {"raised": type(error).__name__, "text": str(error), **fields}
    if isinstance(value, unsend.UnsendError):
        fields = {k: v for k, v in vars(value).items() if not k.startswith("_")}
        return {"returned": type(value).__name__, "text": str(value), **fields}
    return repr(value)


def _answers() -> dict[str, Any]:
    """A page and an action read from 200s of every shape; the errors of 404, 412, 500."""
    odd: dict[str, Any] = {
        "nothing": {},
        "not JSON": b"<html>Sign in</html>",
        "a list": [PAGE],
        "an error echoing the token": {"error": f"bad token {TOKEN}"},
        "not JSON, echoing the token": f"<html>bad token {TOKEN}</html>".encode(),
        "another action, echoing the token": {**ACTION, "actionId": "act_2", "echo": TOKEN},
        "a page of another shape, echoing the token": {"bulkActions": 5, "echo": TOKEN},
        "a long error": {"error": "x" * 300},
        "an error that is not text": {"error": 5},
    }
    pages = {"a page": PAGE, "a page whose cursor is empty": {**PAGE, "cursor": ""}, **odd} | {
        f"a page, {shown}": varied for shown, varied in variants(PAGE)
    }
    actions = {"an action": ACTION, **odd} | {
        f"an action, {shown}": varied for shown, varied in variants(ACTION)
    }
    out: dict[str, Any] = {}
    for name, body in pages.items():
        out[f"page: {name}"] = _shown(parse_action_page, "qstash", _response(200, body), SECRETS)
    for name, body in actions.items():
        answer = _response(200, body)
        out[f"action: {name}"] = _shown(parse_action, "qstash", "act_1", answer, SECRETS)
    for name, body in {"an action": ACTION, **odd}.items():
        for status in (200, 404, 412, 500):
            for action_id in ("act_1", None):
                answer = _response(status, body)
                out[f"error {status} for {action_id}: {name}"] = _shown(
                    action_error, "qstash", action_id, answer, SECRETS
                )
    return out


def _plans() -> dict[str, Any]:
    qstash = unsend.QStash(TOKEN)
    out: dict[str, Any] = {}
    for chunk in (0, 1, 2, True, 2.0, "2"):
        out[f"ids plan, chunk {chunk!r}"] = _shown(
            _drive, partial(IdsPlan, qstash, ["m1", "m2", "m3"], chunk=chunk)
        )
    for ids in ([], ["m1", "a,b"], ["m1", "a/b"], ["m1", ""]):
        out[f"ids plan, ids {ids!r}"] = _shown(_drive, partial(IdsPlan, qstash, ids, chunk=2))
    for counts in ((2, 1), (3, 0), (None, None), (1, 2)):
        out[f"ids plan of 3 by 2, answered {counts}"] = _shown(
            _drive, partial(IdsPlan, qstash, ["m1", "m2", "m3"], chunk=2), counts
        )
    for batch in (None, 0, 1, 2, 500, 501, True):
        out[f"matching plan, batch {batch!r}"] = _shown(
            _drive, partial(MatchingPlan, qstash, [("label", "red")], batch=batch, everything=False)
        )
    for counts in ((2, 2, 0), (3,), (None,), (2, 1)):
        matching = partial(MatchingPlan, qstash, [("label", "red")], batch=2, everything=False)
        out[f"matching plan by 2, answered {counts}"] = _shown(_drive, matching, counts)
    out["matching plan, nothing to match"] = _shown(
        _drive, partial(MatchingPlan, qstash, [], batch=None, everything=False)
    )
    odd: dict[str, Any] = {
        "none": [],
        "empty": "",
        "a comma": "a,b",
        "a number": [1],
        "two": ["a", "b"],
    }
    for shown, value in odd.items():
        out[f"filter label: {shown}"] = _shown(build_filters, {"label": value}, None, None)
    out["filter unknown"] = _shown(build_filters, {"colour": "red"}, None, None)
    for shown, moment in {
        "zero": 0,
        "negative": -1,
        "true": True,
        "a fraction": 1.5,
        "naive": datetime(2026, 1, 1),
        "aware": datetime.fromisoformat("2026-01-01T00:00:00+00:00"),
    }.items():
        out[f"from_date {shown}"] = _shown(build_filters, {}, moment, None)
        out[f"to_date {shown}"] = _shown(build_filters, {}, None, moment)
    return out


def _drive(make: Callable[[], Any], counts: tuple[int | None, ...] = (1, 1, 1)) -> list[Any]:
    """The plan's requests, each answered with the next count, then its result."""
    plan = make()
    seen: list[Any] = []
    for count in counts:
        request = plan.next_request()
        if request is None:
            break
        seen.append(f"{request.method} {request.url}")
        plan.record(BulkAnswer(count))
    seen.append(plan.next_request() is None)
    seen.append(repr(plan.result(0.5)))
    return seen


def _request(request: httpx.Request) -> str:
    headers = "; ".join(f"{k.decode()}: {v.decode()}" for k, v in request.headers.raw)
    return f"{request.method} {request.url} [{headers}]".replace(TOKEN, "<token>")


def _built(build: Callable[..., httpx.Request], *args: Any) -> str:
    return _request(build(*args))


def _adapter() -> dict[str, Any]:
    """The adapter's schedule and bulk surfaces: each request for odd ids and values, and each
    answer under the statuses QStash sends."""
    qstash = unsend.QStash(TOKEN, base_url="https://qstash.example")
    out: dict[str, Any] = {}
    ids = {"an id": "s_1", "empty": "", "a slash": "a/b", "dots": "..", "not text": 5}
    for shown, item in ids.items():
        for build in (qstash.cancel_schedule_request, qstash.bulk_action_request):
            out[f"{build.__name__}: {shown}"] = _shown(_built, build, item)
    for state, cursor, count in (
        (None, None, 1000),
        ("IN_PROGRESS", "c-2", 1),
        (None, None, 0),
        (None, None, 1001),
        (None, None, True),
    ):
        out[f"bulk_actions_request: {state} {cursor} {count!r}"] = _shown(
            _built, qstash.bulk_actions_request, state, cursor, count
        )
    out["bulk_cancel_request"] = _request(
        qstash.bulk_cancel_request([("label", "red"), ("async", "true")])
    )
    bodies: dict[str, Any] = {
        "nothing": b"",
        "an empty object": {},
        "a count": {"cancelled": 3},
        "a negative count": {"cancelled": -1},
        "a count as text": {"cancelled": "3"},
        "a tracked action": {"actionId": "act_1"},
        "an empty action id": {"actionId": ""},
        "an action": ACTION,
        "a page": PAGE,
        "an error echoing the token": {"error": f"bad token {TOKEN}"},
        "not JSON, echoing the token": f"<html>bad token {TOKEN}</html>".encode(),
        "another action, echoing the token": {**ACTION, "actionId": "act_2", "echo": TOKEN},
        "a page of another shape, echoing the token": {"bulkActions": 5, "echo": TOKEN},
        "not JSON": b"<html>Sign in</html>",
    }
    for name, body in bodies.items():
        for status in (200, 202, 400, 401, 404, 412, 429, 500):
            answer = _response(status, body)
            key = f"{status} {name}"
            out[f"cancel_schedule_result: {key}"] = _shown(
                qstash.cancel_schedule_result, "s_1", answer
            )
            out[f"bulk_action_result: {key}"] = _shown(qstash.bulk_action_result, "act_1", answer)
            out[f"bulk_actions_result: {key}"] = _shown(qstash.bulk_actions_result, answer)
            out[f"bulk_cancel_result: {key}"] = _shown(qstash.bulk_cancel_result, answer)
    return out


def test_every_bulk_answer_and_plan_is_read_as_pinned() -> None:
    check_pinned(PINNED, {**_answers(), **_plans(), **_adapter()})
