"""The emulator answers malformed input 400 with a JSON error and leaves its state untouched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import unsend.emulator
from unsend.testing import EmulatorFixture

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = [
    *sorted((ROOT / "providers").glob("*.yaml")),
    Path(unsend.emulator.__file__).parent / "control-api.yaml",
]
MODES = list(schemathesis.GenerationMode)
HUGE = ["inf", "-inf", "Infinity", "NaN", "nan", "1e308", "1e400", "-1e400", "1" + "0" * 5000]


@pytest.fixture
def http(unsend_emulator: EmulatorFixture) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=unsend_emulator.url, timeout=10) as client:
        yield client


def assert_json_400(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert isinstance(response.json().get("error"), str)


@pytest.mark.parametrize("raw", HUGE)
@pytest.mark.parametrize("key", ["delay", "count", "created_ms"])
def test_seeding_with_non_finite_or_huge_numbers_is_refused(
    http: httpx.Client, unsend_emulator: EmulatorFixture, raw: str, key: str
) -> None:
    for body in (
        f'{{"provider": "courier", "{key}": {raw}}}',
        f'{{"provider": "courier", "{key}": "{raw}"}}',
    ):
        assert_json_400(http.post("/_emulator/messages", content=body))
    assert unsend_emulator.messages() == []
    # Nothing poisoned: the store still answers, and new messages still work.
    unsend_emulator.seed("courier", delay=60)
    assert unsend_emulator.advance(120) >= 1


@pytest.mark.parametrize("raw", HUGE)
def test_advancing_the_clock_by_garbage_is_refused_and_time_is_not_poisoned(
    http: httpx.Client, unsend_emulator: EmulatorFixture, raw: str
) -> None:
    [message_id] = unsend_emulator.seed("qstash", delay=3600)
    for body in (f'{{"seconds": {raw}}}', f'{{"seconds": "{raw}"}}'):
        assert_json_400(http.post("/_emulator/clock/advance", content=body))
    assert unsend_emulator.states("qstash")[message_id] == "scheduled"
    assert unsend_emulator.advance(3601) == 1


@pytest.mark.parametrize("raw", [*HUGE, "true", '"fast"', "-1.5"])
@pytest.mark.parametrize("key", ["latency_ms", "retry_after", "limit_rps", "drop_rate", "seed"])
def test_faults_with_garbage_numbers_are_refused_and_unchanged(
    http: httpx.Client, raw: str, key: str
) -> None:
    before = http.get("/_emulator/faults/courier").json()
    assert_json_400(http.put("/_emulator/faults/courier", content=f'{{"{key}": {raw}}}'))
    assert http.get("/_emulator/faults/courier").json() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/_emulator/messages"),
        ("POST", "/_emulator/clock/advance"),
        ("PUT", "/_emulator/faults/qstash"),
        ("POST", "/send"),
        ("POST", "/notifications"),
        ("DELETE", "/v2/messages"),
    ],
)
def test_json_nested_100000_deep_is_a_400(
    http: httpx.Client, unsend_emulator: EmulatorFixture, method: str, path: str
) -> None:
    c = unsend_emulator.credentials
    headers = {
        "/send": f"Bearer {c.courier_token}",
        "/notifications": f"Key {c.onesignal_api_key}",
        "/v2/messages": f"Bearer {c.qstash_token}",
    }
    auth = {"Authorization": headers[path]} if path in headers else {}
    deep = "[" * 100_000 + "]" * 100_000
    answer = http.request(method, path, content=deep, headers=auth)
    assert answer.status_code == 400, answer.text
    assert unsend_emulator.messages() == []


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/v2/messages/msg_1", {"GET", "DELETE"}),
        ("GET", "/messages/1-abc/cancel", {"POST"}),
        ("PATCH", "/notifications/n-1", {"GET", "DELETE"}),
        ("DELETE", "/_emulator/messages", {"GET", "POST"}),
        ("GET", "/_emulator/reset", {"POST"}),
    ],
)
def test_405_names_every_allowed_method(
    http: httpx.Client, method: str, path: str, allowed: set[str]
) -> None:
    answer = http.request(method, path)
    assert answer.status_code == 405
    assert allowed <= {m.strip() for m in answer.headers["allow"].split(",")}
    assert "error" in answer.json()


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_schemathesis_finds_no_server_error(path: Path, unsend_emulator: EmulatorFixture) -> None:
    """Every operation of every document, 50 examples each, positive and negative."""
    schema = schemathesis.openapi.from_path(path)
    failures: list[str] = []

    for operation in schema.get_all_operations():
        op = operation.ok()

        @settings(
            max_examples=50,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=st.one_of(*(op.as_strategy(generation_mode=m) for m in MODES)))
        def run(case: schemathesis.Case) -> None:
            response = case.call(base_url=unsend_emulator.url, timeout=10)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")
            if response.status_code == 405:
                assert "allow" in {k.lower() for k in response.headers}

        run()
    assert not failures, failures[:10]
