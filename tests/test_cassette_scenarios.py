"""Cassettes for the providers after the first three (``NEW``): recorded on the emulator
(``UNSEND_RECORD=emulator``), replayed offline through both clients with the real hosts."""

from __future__ import annotations

from typing import Any

import anyio
import attrs
import pytest

import unsend
from tests.cassette_support import cassette_path, make_vcr, record_target, replay_clock
from unsend import Outcome

IDS = {
    "twilio": "SM" + "c0ffee00" * 4,
    "resend": "c0ffee00-0000-4000-8000-00000000ca55",
    "sendgrid": "cassette-batch",
    "knock": "reminder:cassette-key",
    "novu": "cassette-transaction",
    "airship": "c0ffee00-0000-4000-8000-00000000a125",
    "brevo": "<c0ffee00cassette@relay.example.com>",
    "slack": "C0DEV0001:QC0FFEE0000",
    "mailchimp": "C0ffeeCassette00000000",
    "sinch": "01C0FFEECASSETTE0000000000",
    "braze": "c0ffee00cassette",
    "eventbridge": "reminders:c0ffee00-cassette",
    "cloudtasks": "unsend-dev:europe-west1:reminders:c0ffee00",
}
NEW = tuple(IDS)
POLICY = unsend.RetryPolicy(jitter=0)


@attrs.frozen
class Scenario:
    name: str
    seeded: bool = True
    faults: dict[str, Any] = attrs.field(factory=dict)
    outcome: Outcome | None = Outcome.CANCELLED
    attempts: int = 1
    wrong: bool = False


SCENARIOS = [
    Scenario("cancelled"),
    Scenario("not_found", seeded=False, outcome=Outcome.NOT_FOUND),
    Scenario(
        "unavailable_then_cancelled",
        faults={"unavailable_rate": 1.0, "unavailable_body": "json", "max_faults": 1},
        attempts=2,
    ),
    Scenario("wrong_credentials", outcome=None, wrong=True),
]
# Knock answers 204 whatever it found (README): its not_found cassette is a CANCELLED.
# Knock's 204 only acknowledges, whatever it found: accepted, never "cancelled".
OVERRIDES = {
    ("eventbridge", "cancelled"): Outcome.REQUESTED,  # after_completion NONE: a 200 says no more
    ("eventbridge", "unavailable_then_cancelled"): Outcome.REQUESTED,
    ("braze", "cancelled"): Outcome.REQUESTED,  # "success": accepted, nothing claimed
    ("braze", "not_found"): Outcome.REQUESTED,
    ("braze", "unavailable_then_cancelled"): Outcome.REQUESTED,
    ("sinch", "cancelled"): Outcome.REQUESTED,  # a marked batch: accepted, nothing claimed
    ("sinch", "unavailable_then_cancelled"): Outcome.REQUESTED,
    ("knock", "not_found"): Outcome.REQUESTED,
    ("knock", "cancelled"): Outcome.REQUESTED,
    ("knock", "unavailable_then_cancelled"): Outcome.REQUESTED,
}


def replay_provider(name: str, wrong: bool = False) -> unsend.Provider:
    """Aimed at the real host; vcrpy answers from the cassette."""
    from unsend.emulator import DEFAULT_CREDENTIALS as C

    config: dict[str, Any] = {
        "twilio": {"account_sid": C.twilio_account_sid, "auth_token": "replay"},
        "resend": {"api_key": "replay"},
        "sendgrid": {"api_key": "replay"},
        "knock": {"api_key": "replay"},
        "novu": {"api_key": "replay"},
        "airship": {"app_key": C.airship_app_key, "secret": "replay"},
        "brevo": {"api_key": "replay"},
        "slack": {"token": "replay"},
        "mailchimp": {"api_key": "replay"},
        "sinch": {"service_plan_id": C.sinch_service_plan_id, "api_token": "replay"},
        "braze": {"api_key": "replay", "instance": "rest.iad-01.braze.com"},
        "cloudtasks": {"token": "replay", "project": "unsend-dev"},
        "eventbridge": {
            "access_key_id": C.eventbridge_access_key_id,
            "secret_access_key": "replay",
            "region": "us-east-1",
        },
    }[name]
    return unsend.from_config({"provider": name, **config}).provider


def cancel(mode: str, provider: unsend.Provider, message_id: str, **options: Any) -> Any:
    if mode == "sync":
        with unsend.Canceller(provider, retry=POLICY, **options) as canceller:
            return canceller.cancel(message_id)

    async def main() -> Any:
        async with unsend.AsyncCanceller(provider, retry=POLICY, **options) as canceller:
            return await canceller.cancel(message_id)

    return anyio.run(main)


def check(name: str, scenario: Scenario, run: Any) -> None:
    if scenario.outcome is None:
        with pytest.raises(unsend.AuthenticationError):
            run()
        return
    result = run()
    assert result.outcome is OVERRIDES.get((name, scenario.name), scenario.outcome)
    assert result.attempts == scenario.attempts


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
@pytest.mark.parametrize("name", NEW)
def test_scenario(name: str, scenario: Scenario, mode: str, request: pytest.FixtureRequest) -> None:
    path = cassette_path(name, scenario.name)
    target = record_target()
    if target is None:
        request.getfixturevalue("no_network")
        assert path.exists(), f"missing cassette {path}: record it (see README, 'Cassettes')"
        replay = make_vcr(name, target_url=None, record_mode="none")
        with replay.use_cassette(str(path)):
            check(
                name,
                scenario,
                lambda: cancel(mode, replay_provider(name), IDS[name], clock=replay_clock()),
            )
        return
    if mode == "async" or target == "real":
        pytest.skip("recorded on the emulator through the sync client; replayed through both")
    emu = request.getfixturevalue("unsend_emulator")
    if scenario.seeded:
        emu.seed(name, message_id=IDS[name])
    if scenario.faults:
        emu.set_faults(name, **scenario.faults)
    provider = emu.provider(name)
    if scenario.wrong:
        config = emu.config(name)
        secret = next(
            k
            for k in ("auth_token", "api_key", "secret", "token", "api_token", "secret_access_key")
            if k in config
        )
        provider = unsend.from_config({**config, secret: "wrong"}).provider
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with make_vcr(name, target_url=emu.url, record_mode="all").use_cassette(str(path)):
        check(name, scenario, lambda: cancel("sync", provider, IDS[name], clock=replay_clock()))


def test_every_registered_provider_has_its_cassettes() -> None:
    """A provider added without cassettes fails here, not silently: the first three are
    recordable against real accounts (tests/test_cassettes.py), the rest here."""
    from tests.test_cassettes import PROVIDERS as RECORDABLE

    from .conformance.cases import all_cases

    assert set(NEW) | set(RECORDABLE) == set(all_cases())
    assert all(
        cassette_path(name, scenario.name).exists() for name in NEW for scenario in SCENARIOS
    )
