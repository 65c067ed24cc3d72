"""QStash's bulk cancel in the emulator: every filter of the current reference (seed 002)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers import QSTASH_BULK_FIELDS
from unsend.testing import EmulatorFixture


@pytest.fixture
def seeded(unsend_emulator: EmulatorFixture) -> EmulatorFixture:
    for i, (name, fields) in enumerate(QSTASH_BULK_FIELDS.items()):
        unsend_emulator.seed("qstash", message_id=name, fields=fields, created_ms=1_000 * (i + 1))
    return unsend_emulator


def bulk(emu: EmulatorFixture, params: Any = None, json: Any = None) -> httpx.Response:
    return httpx.request(
        "DELETE",
        f"{emu.url}/v2/messages",
        params=params,
        json=json,
        headers={"Authorization": f"Bearer {emu.credentials.qstash_token}"},
    )


def cancelled(emu: EmulatorFixture) -> set[str]:
    return {i for i, s in emu.states("qstash").items() if s == "cancelled"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"url": "https://a.example/x"}, {"a"}),
        ({"host": "a.example"}, {"a", "c"}),
        ({"path": "/y"}, {"b", "c"}),
        ({"label": "red"}, {"a"}),
        ({"topicName": "t1"}, {"a", "c"}),
        ({"queueName": "q1"}, {"a", "b"}),
        ({"flowControlKey": "k2"}, {"b"}),
        ({"scheduleId": "s3"}, {"c"}),
        ({"callerIp": "1.1.1.1"}, {"a", "c"}),
        ({"callerIP": "2.2.2.2"}, {"b"}),
        ([("label", "red"), ("label", "blue")], {"a", "b"}),
        ({"label": "red,green"}, {"a", "c"}),
        ({"host": "a.example", "path": "/y"}, {"c"}),
        ([("label", "red"), ("label", "blue"), ("queueName", "q1"), ("host", "b.example")], {"b"}),
        ({"fromDate": 2_000}, {"b", "c"}),
        ({"toDate": 2_000}, {"a", "b"}),
        ({"fromDate": 2_000, "toDate": 2_000}, {"b"}),
        ({"messageIds": ["a", "c"], "label": "blue"}, {"a", "c"}),  # ids win over filters
        ({"label": "none"}, set()),
    ],
)
def test_filters(seeded: EmulatorFixture, params: Any, expected: set[str]) -> None:
    response = bulk(seeded, params)
    assert response.json() == {"cancelled": len(expected)}
    assert cancelled(seeded) == expected


def test_count_batches_and_bounds(seeded: EmulatorFixture) -> None:
    assert bulk(seeded, {"count": 2}).json() == {"cancelled": 2}
    assert bulk(seeded, {"count": 2}).json() == {"cancelled": 1}
    assert bulk(seeded, {"count": 2}).json() == {"cancelled": 0}
    for bad in (0, 501, "x"):
        assert bulk(seeded, {"count": bad}).status_code == 400


def test_filterless_cancels_everything_and_the_trailing_slash_is_the_same_route(
    seeded: EmulatorFixture,
) -> None:
    response = httpx.delete(
        f"{seeded.url}/v2/messages/",
        headers={"Authorization": f"Bearer {seeded.credentials.qstash_token}"},
    )
    assert response.json() == {"cancelled": 3}
    assert cancelled(seeded) == {"a", "b", "c"}


def test_the_sdks_json_body_form_is_accepted(seeded: EmulatorFixture) -> None:
    assert bulk(seeded, json={"messageIds": ["b"]}).json() == {"cancelled": 1}
    assert cancelled(seeded) == {"b"}


def test_delivered_messages_are_not_counted(seeded: EmulatorFixture) -> None:
    seeded.seed("qstash", state="delivered", fields={"label": "red"})
    assert bulk(seeded, {"label": "red"}).json() == {"cancelled": 1}


def test_bulk_action_answer(seeded: EmulatorFixture) -> None:
    body = bulk(seeded, {"label": "red", "async": "true"}).json()
    assert body["actionId"].startswith("bulk_")
    assert cancelled(seeded) == {"a"}


def test_the_seeds_contract_ignores_async(seeded: EmulatorFixture) -> None:
    seeded.set_faults("qstash", bulk_contract="seeds")
    assert bulk(seeded, {"label": "red", "async": "true"}).json() == {"cancelled": 1}


def test_ids_are_cancelled_at_once_even_when_async_is_asked(seeded: EmulatorFixture) -> None:
    assert bulk(seeded, {"messageIds": "b", "async": "true"}).json() == {"cancelled": 1}
