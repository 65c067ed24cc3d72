"""Every provider, every scenario, replayed offline from ``cassettes/`` through both clients.

Record with ``UNSEND_RECORD=emulator`` (or ``real``); see tests/cassette_support.py and README.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import anyio
import attrs
import httpx
import pytest
import yaml
from vcr.errors import CannotOverwriteExistingCassetteException

import unsend
from tests.cassette_support import (
    CASSETTE_EPOCH,
    CASSETTES,
    PLACEHOLDERS,
    REAL_HOSTS,
    cassette_path,
    known_secrets,
    make_vcr,
    real_credentials,
    record_target,
    replay_clock,
)
from unsend import Outcome
from unsend._engine.retry_after import retry_after_seconds
from unsend.testing import FakeClock

PROVIDERS = ("qstash", "onesignal", "courier")


@attrs.frozen
class Scenario:
    name: str
    providers: tuple[str, ...] = PROVIDERS
    state: str | None = "scheduled"  # None: the id is unknown to the provider
    faults: dict[str, Any] = attrs.field(factory=dict)
    outcome: dict[str, Outcome] = attrs.field(factory=dict)
    error: type[unsend.UnsendError] | None = None
    attempts: int = 1
    sleeps: tuple[float, ...] = ()
    wrong_credentials: bool = False
    real: bool = False  # can be recorded against a real account on demand


def every(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(PROVIDERS, outcome)


SCENARIOS = [
    Scenario("cancelled", outcome=every(Outcome.CANCELLED), real=True),
    Scenario("not_found", state=None, outcome=every(Outcome.NOT_FOUND), real=True),
    Scenario(
        "too_late",
        state="delivered",
        outcome={
            "qstash": Outcome.NOT_FOUND,
            "onesignal": Outcome.NOT_CANCELLABLE,
            "courier": Outcome.NOT_CANCELLABLE,
        },
    ),
    Scenario(
        "already_cancelled",
        providers=("courier",),
        state="cancelled",
        outcome=every(Outcome.ALREADY_CANCELLED),
        real=True,
    ),
    Scenario(
        "rate_limited_then_cancelled",
        faults={"rate_limit_rate": 1.0, "retry_after": 1, "max_faults": 1},
        outcome=every(Outcome.CANCELLED),
        attempts=2,
    ),
    Scenario(
        "unavailable_html_then_cancelled",
        faults={"unavailable_rate": 1.0, "unavailable_body": "html", "max_faults": 1},
        outcome=every(Outcome.CANCELLED),
        attempts=2,
        sleeps=(0.5,),  # backoff: the 503 names no wait
    ),
    Scenario(
        "wrong_credentials", error=unsend.AuthenticationError, wrong_credentials=True, real=True
    ),
]
CASES = [
    pytest.param(provider, scenario, id=f"{provider}-{scenario.name}")
    for scenario in SCENARIOS
    for provider in scenario.providers
]
POLICY = unsend.RetryPolicy(jitter=0)


def fixed_id(provider: str, scenario: str) -> str:
    if provider == "qstash":
        return f"msg_cassette_{scenario}"
    if provider == "onesignal":
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"unsend-cassette-{scenario}"))
    return f"1-cassette-{scenario.replace('_', '-')}"


def recorded_message_id(path: Path) -> str:
    uri = yaml.safe_load(path.read_text())["interactions"][0]["request"]["uri"]
    match = re.search(r"/(?:v2/messages|notifications|messages)/([^/?]+)", uri)
    assert match, uri
    return match.group(1)


def replay_provider(provider: str) -> unsend.Provider:
    """Providers aimed at the real hosts, as in production; vcrpy answers from the cassette."""
    if provider == "qstash":
        return unsend.QStash("replay-token")
    if provider == "onesignal":
        return unsend.OneSignal("replay-app-id", "replay-key")
    return unsend.Courier("replay-token")


def cancel(mode: str, provider: unsend.Provider, message_id: str, **kwargs: Any) -> Any:
    if mode == "sync":
        with unsend.Canceller(provider, retry=POLICY, **kwargs) as canceller:
            return canceller.cancel(message_id)

    async def main() -> unsend.CancelResult:
        async with unsend.AsyncCanceller(provider, retry=POLICY, **kwargs) as canceller:
            return await canceller.cancel(message_id)

    return anyio.run(main)


def check(scenario: Scenario, provider: str, run: Any) -> unsend.CancelResult | None:
    if scenario.error is not None:
        with pytest.raises(scenario.error) as info:
            run()
        assert info.value.attempts == scenario.attempts
        return None
    result: unsend.CancelResult = run()
    assert result.outcome is scenario.outcome[provider]
    assert result.attempts == scenario.attempts
    return result


def expected_sleeps(scenario: Scenario, path: Path) -> tuple[float, ...]:
    """What a replay must sleep: the scenario's backoff, or exactly what the 429 asked for."""
    if not scenario.name.startswith("rate_limited"):
        return scenario.sleeps
    first = yaml.safe_load(path.read_text())["interactions"][0]["response"]
    headers = httpx.Headers({k: v[0] for k, v in first["headers"].items()})
    wait = retry_after_seconds(headers, CASSETTE_EPOCH)
    assert wait is not None
    assert 0 < wait <= 2
    return (wait,)


@pytest.mark.parametrize(("provider", "scenario"), CASES)
def test_scenario(
    provider: str, scenario: Scenario, mode: str, request: pytest.FixtureRequest
) -> None:
    target = record_target()
    path = cassette_path(provider, scenario.name)
    if target is None:
        request.getfixturevalue("no_network")
        assert path.exists(), f"missing cassette {path}: record it (see README, 'Cassettes')"
        clock = replay_clock()
        with make_vcr(provider, target_url=None, record_mode="none").use_cassette(str(path)):
            check(
                scenario,
                provider,
                lambda: cancel(
                    mode, replay_provider(provider), recorded_message_id(path), clock=clock
                ),
            )
        assert tuple(clock.sleeps) == expected_sleeps(scenario, path)
        return
    if mode == "async":
        pytest.skip("recorded through the sync client; replayed through both")
    if target == "real":
        _record_real(provider, scenario, path)
    else:
        _record_emulator(provider, scenario, path, request.getfixturevalue("unsend_emulator"))


def _record_emulator(provider: str, scenario: Scenario, path: Path, emu: Any) -> None:
    message_id = fixed_id(provider, scenario.name)
    if scenario.state is not None:
        emu.seed(provider, message_id=message_id, state=scenario.state)
    if scenario.faults:
        emu.set_faults(provider, **scenario.faults)
    target = emu.provider(provider)
    if scenario.wrong_credentials:
        target = {
            "qstash": unsend.QStash("wrong-token", base_url=emu.url),
            "onesignal": unsend.OneSignal(
                emu.credentials.onesignal_app_id, "wrong-key", base_url=emu.url
            ),
            "courier": unsend.Courier("wrong-token", base_url=emu.url),
        }[provider]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    recorder = make_vcr(provider, target_url=emu.url, record_mode="all")
    with recorder.use_cassette(str(path)):
        check(scenario, provider, lambda: cancel("sync", target, message_id))


def _record_real(provider: str, scenario: Scenario, path: Path) -> None:
    from tests.real_providers import real_provider, schedule_real_message

    if not scenario.real:
        pytest.skip("a real account cannot produce this scenario on demand")
    credentials = real_credentials(provider)
    if not credentials:
        pytest.skip(f"no credentials for {provider} in the environment")
    target = real_provider(provider, credentials, wrong=scenario.wrong_credentials)
    message_id = "unsend-cassette-unknown-id"
    if scenario.state is not None:
        message_id = schedule_real_message(provider, credentials)
    if scenario.state == "cancelled":
        cancel("sync", real_provider(provider, credentials), message_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    recorder = make_vcr(provider, target_url=None, record_mode="all")
    with recorder.use_cassette(str(path)):
        check(scenario, provider, lambda: cancel("sync", target, message_id))


# -- QStash bulk cancels ---------------------------------------------------------------------


@attrs.frozen
class BulkScenario:
    name: str
    seed: Any  # (EmulatorFixture) -> None
    action: Any  # (canceller) -> BulkResult or ScheduleResult (awaitable for the async client)
    cancelled: int
    requests: int
    settings: dict[str, Any] = attrs.field(factory=dict)  # the emulator's QStash settings
    sleeps: tuple[float, ...] = ()  # the polls' waits, replayed exactly on a FakeClock


def seed_schedule(emu: Any) -> None:
    emu.create_schedule(
        "*/20 * * * *", "https://example.com/drip", delay=7200, schedule_id="scd_cassette_drip"
    )
    emu.advance(3600)  # three messages produced, each two hours out


BULK_IDS = [f"msg_cassette_bulk_{i}" for i in range(5)]
BULK_SCENARIOS = [
    BulkScenario(
        "bulk_by_ids",
        lambda emu: [emu.seed("qstash", message_id=i) for i in BULK_IDS],
        lambda c: c.cancel_ids([*BULK_IDS, "msg_cassette_unknown"], chunk=4),
        cancelled=5,
        requests=2,
    ),
    BulkScenario(
        "bulk_by_filters",
        lambda emu: [
            emu.seed(
                "qstash",
                message_id=f"msg_cassette_{label}",
                fields={"label": label, "queueName": "reminders"},
            )
            for label in ("red", "blue", "green")
        ],
        lambda c: c.cancel_matching(label=["red", "blue"], queue_name="reminders"),
        cancelled=2,
        requests=1,
        settings={"bulk_contract": "seeds"},
    ),
    BulkScenario(
        "bulk_tracked_action_followed",
        lambda emu: [
            emu.seed("qstash", message_id=f"msg_cassette_action_{i}", fields={"label": "promo"})
            for i in range(10)
        ],
        lambda c: c.cancel_matching(label="promo"),
        cancelled=10,
        requests=1,
        settings={"bulk_rate": 4},  # 2.5 virtual seconds for ten messages
        sleeps=(0.5, 1.0, 2.0),
    ),
    BulkScenario(
        "schedule_cancel",
        seed_schedule,
        lambda c: c.cancel_schedule("scd_cassette_drip"),
        cancelled=3,
        requests=1,
    ),
    BulkScenario(
        "bulk_count_batches",
        lambda emu: [
            emu.seed("qstash", message_id=f"msg_cassette_drip_{i}", fields={"label": "drip"})
            for i in range(12)
        ],
        lambda c: c.cancel_matching(label="drip", batch=5),
        cancelled=12,
        requests=4,
        settings={"bulk_contract": "seeds"},
    ),
]


@pytest.mark.parametrize("scenario", BULK_SCENARIOS, ids=lambda s: s.name)
def test_qstash_bulk_scenario(
    scenario: BulkScenario, mode: str, request: pytest.FixtureRequest
) -> None:
    path = cassette_path("qstash", scenario.name)
    target = record_target()
    if target == "real":
        pytest.skip("bulk scenarios are recorded against the emulator only")
    if target == "emulator":
        if mode == "async":
            pytest.skip("recorded through the sync client; replayed through both")
        emu = request.getfixturevalue("unsend_emulator")
        if scenario.settings:
            emu.set_faults("qstash", **scenario.settings)
        scenario.seed(emu)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        recorder = make_vcr("qstash", target_url=emu.url, record_mode="all")
        clock: FakeClock = emu.clock()
        with recorder.use_cassette(str(path)), emu.canceller("qstash", clock=clock) as canceller:
            result = scenario.action(canceller)
    else:
        request.getfixturevalue("no_network")
        replay = make_vcr("qstash", target_url=None, record_mode="none")
        clock = FakeClock()
        with replay.use_cassette(str(path)):
            if mode == "sync":
                with unsend.Canceller(replay_provider("qstash"), clock=clock) as canceller:
                    result = scenario.action(canceller)
            else:

                async def main() -> Any:
                    provider = replay_provider("qstash")
                    async with unsend.AsyncCanceller(provider, clock=clock) as canceller:
                        return await scenario.action(canceller)

                result = anyio.run(main)
    bulk = result.pending if isinstance(result, unsend.ScheduleResult) else result
    assert bulk is not None
    assert (bulk.cancelled, bulk.requests) == (scenario.cancelled, scenario.requests)
    assert tuple(clock.sleeps) == scenario.sleeps


# -- what the cassettes themselves guarantee ------------------------------------------------


def all_cassettes() -> list[Path]:
    return sorted(CASSETTES.rglob("*.yaml"))


def test_every_scenario_has_a_cassette() -> None:
    expected = {cassette_path(p, s.name) for s in SCENARIOS for p in s.providers}
    expected |= {cassette_path("qstash", s.name) for s in BULK_SCENARIOS}
    assert expected <= set(all_cassettes())


def test_no_cassette_holds_a_credential() -> None:
    secrets = known_secrets()
    assert all_cassettes()
    for path in all_cassettes():
        text = path.read_text()
        for secret in secrets:
            assert secret not in text, f"{path} holds a credential"
        for value in re.findall(r"(?im)^\s*authorization:\s*\n\s*-\s*(.+)$", text):
            assert value.strip() == PLACEHOLDERS["authorization"], path


def test_cassettes_read_like_production_traffic() -> None:
    for path in all_cassettes():
        provider = path.parent.name
        for interaction in yaml.safe_load(path.read_text())["interactions"]:
            uri = interaction["request"]["uri"]
            assert uri.startswith(REAL_HOSTS[provider] + "/"), uri
            headers = {k.lower() for k in interaction["response"]["headers"]}
            assert "date" not in headers


def test_a_request_without_app_id_does_not_match(no_network: None) -> None:
    path = cassette_path("onesignal", "cancelled")
    message_id = recorded_message_id(path)
    replay = make_vcr("onesignal", target_url=None, record_mode="none")
    with replay.use_cassette(str(path)), pytest.raises(CannotOverwriteExistingCassetteException):
        httpx.delete(
            f"{REAL_HOSTS['onesignal']}/notifications/{message_id}",
            headers={"Authorization": "Key replay-key"},
        )
