"""Routers across every registered provider on the emulator: refs, the swap story, a mixed
campaign with faults, unroutable refs as results, hooks, and every configuration form."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

import unsend
from unsend.testing import EmulatorFixture

from ..conformance.cases import all_cases

NAMES = tuple(all_cases())  # every registered provider the emulator knows
ACCEPTED = (unsend.Outcome.CANCELLED, unsend.Outcome.REQUESTED)  # as the provider's success says


def run(mode: str, emu: EmulatorFixture, action: Callable[[Any], Any], **extras: Any) -> Any:
    if mode == "sync":
        with emu.router(**extras) as router:
            return action(router)

    async def main() -> Any:
        async with emu.async_router(**extras) as router:
            return await action(router)

    return anyio.run(main)


def many(
    mode: str,
    emu: EmulatorFixture,
    refs: list[Any],
    extras: dict[str, Any] | None = None,
    **kwargs: Any,
) -> list[Any]:
    if mode == "sync":
        return run(mode, emu, lambda r: list(r.cancel_many(refs, **kwargs)), **(extras or {}))

    async def collect(router: unsend.AsyncRouter) -> list[Any]:
        return [result async for result in router.cancel_many(refs, **kwargs)]

    return run(mode, emu, collect, **(extras or {}))


def test_a_ref_round_trips_as_text() -> None:
    ref = unsend.MessageRef("push", "b2f7:with:colons")
    assert str(ref) == "push:b2f7:with:colons"
    assert unsend.MessageRef.parse(str(ref)) == ref
    for bad in ("nocolon", ":id", "push:", "bad name:id", 5, None, "a/b:id"):
        with pytest.raises(unsend.InvalidMessageId):
            unsend.MessageRef.parse(bad)


def test_cancel_by_ref_through_each_provider(mode: str, unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    for name in NAMES:
        (message_id,) = emu.seed(name, count=1)
        result = run(mode, emu, lambda r, m=message_id, n=name: r.cancel(f"{n}:{m}"))
        assert result.outcome in ACCEPTED
        assert result.ref == unsend.MessageRef(name, message_id)
        assert emu.states(name)[message_id] == "cancelled"


def test_a_direct_cancel_raises_for_an_unroutable_ref(
    mode: str, unsend_emulator: EmulatorFixture
) -> None:
    with pytest.raises(unsend.ConfigError, match=r"'sms'.*configured: qstash, onesignal"):
        run(mode, unsend_emulator, lambda r: r.cancel("sms:123"))
    with pytest.raises(unsend.InvalidMessageId):
        run(mode, unsend_emulator, lambda r: r.cancel("no-colon"))
    with pytest.raises(unsend.InvalidMessageId):  # the provider validates the id itself
        run(mode, unsend_emulator, lambda r: r.cancel("qstash:../x"))
    assert all(not answers for answers in unsend_emulator.stats().values())


def test_the_swap_story(mode: str, unsend_emulator: EmulatorFixture) -> None:
    """Reminders moved from QStash to Courier: new refs go through "mail", old ones still cancel
    through the name they were stored under."""
    emu = unsend_emulator
    configs = {"reminders-2026": emu.dsn("qstash"), "mail": emu.config("courier")}
    (old,) = emu.seed("qstash", count=1)
    (new,) = emu.seed("courier", count=1)
    stored = [f"reminders-2026:{old}", f"mail:{new}"]
    if mode == "sync":
        with unsend.Router(configs) as router:
            results = [router.cancel(ref) for ref in stored]
    else:

        async def main() -> list[unsend.CancelResult]:
            async with unsend.AsyncRouter(configs) as router:
                return [await router.cancel(ref) for ref in stored]

        results = anyio.run(main)
    assert [str(r.ref) for r in results] == stored
    assert [r.provider for r in results] == ["qstash", "courier"]
    assert emu.states("qstash")[old] == emu.states("courier")[new] == "cancelled"


def test_a_campaign_mixing_providers_with_faults(
    mode: str, unsend_emulator: EmulatorFixture
) -> None:
    emu = unsend_emulator
    refs: list[str] = []
    for name in NAMES:
        refs += [f"{name}:{i}" for i in emu.seed(name, count=10)]
    refs += ["sms:1", "garbage", "qstash:msg_unknown"]
    emu.set_faults("onesignal", unavailable_rate=0.3, seed=3)
    emu.set_faults("courier", rate_limit_rate=0.2, retry_after=0, seed=5)
    clock = unsend.testing.FakeClock()  # retries wait on it: nothing really waits
    retried: list[unsend.RetryEvent] = []
    extras = {"clock": clock, "on_retry": retried.append}
    results = many(mode, emu, refs, extras, concurrency=4, ordered=True)
    assert {e.provider for e in retried} == {"onesignal", "courier"}
    assert [str(r.ref) for r in results[:-3]] == refs[:-3]
    by_ref = {str(r.ref): r for r in results}
    assert len(results) == len(refs)  # exactly one result per ref
    for name in NAMES:
        truth = emu.states(name)
        for ref in refs:
            if ref.startswith(f"{name}:") and ref != "qstash:msg_unknown":
                result, cancelled = by_ref[ref], truth[ref.partition(":")[2]] == "cancelled"
                assert result.cancelled == cancelled or (
                    cancelled and result.outcome is unsend.Outcome.REQUESTED
                )
    assert by_ref["sms:1"].outcome is unsend.Outcome.FAILED
    assert isinstance(by_ref["sms:1"].error, unsend.ConfigError)
    assert results[-2].outcome is unsend.Outcome.FAILED
    assert isinstance(results[-2].error, unsend.InvalidMessageId)
    assert by_ref["qstash:msg_unknown"].outcome is unsend.Outcome.NOT_FOUND


def test_on_result_sees_every_result_with_its_ref(
    mode: str, unsend_emulator: EmulatorFixture
) -> None:
    emu = unsend_emulator
    refs = [f"courier:{i}" for i in emu.seed("courier", count=3)] + ["nope:1"]
    seen: list[unsend.CancelResult] = []
    results = many(mode, emu, refs, {"on_result": seen.append}, concurrency=2)
    assert sorted(str(r.ref) for r in seen) == sorted(str(r.ref) for r in results)
    assert len(seen) == 4
    seen.clear()
    run(mode, emu, lambda r: r.cancel(refs[0]), on_result=seen.append)
    assert [str(r.ref) for r in seen] == [refs[0]]
    assert seen[0].outcome is unsend.Outcome.ALREADY_CANCELLED
    seen.clear()
    with pytest.raises(unsend.InvalidMessageId):
        run(mode, emu, lambda r: r.cancel("courier:a/b"), on_result=seen.append)
    assert [r.outcome for r in seen] == [unsend.Outcome.FAILED]  # a failure is reported too


def test_each_provider_has_its_own_rate(mode: str, unsend_emulator: EmulatorFixture) -> None:
    """max_rate paces each provider apart, on the injected clock: two cancels each for two
    providers at 1/s take one second per provider, not three for four requests shared."""
    emu = unsend_emulator
    clock = unsend.testing.FakeClock()
    start = clock.monotonic()
    courier, qstash = emu.seed("courier", count=2), emu.seed("qstash", count=2)
    refs = [
        ref for c, q in zip(courier, qstash, strict=True) for ref in (f"courier:{c}", f"qstash:{q}")
    ]
    results = many(mode, emu, refs, extras={"clock": clock}, concurrency=1, max_rate=1)
    assert sorted(str(r.ref) for r in results) == sorted(refs)
    assert all(r.cancelled for r in results)
    # Each provider's second slot is a second after its first: the clock reaches 1 s, or 2 s
    # where both providers' lanes slept their second apart. One rate shared by both would
    # have put the fourth request 3 s after the first.
    elapsed = clock.monotonic() - start
    assert 1.0 - 1e-6 <= elapsed <= 2.0 + 1e-6


def test_configuration_forms(tmp_path: Path, unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    pyproject = tmp_path / "pyproject.toml"
    tables = "".join(
        f"[tool.unsend.providers.{name}]\n"
        + "".join(f"{k} = {json.dumps(v)}\n" for k, v in emu.config(name).items())
        for name in NAMES
    )
    pyproject.write_text(tables)
    standalone = tmp_path / "unsend.toml"
    standalone.write_text(tables.replace("tool.unsend.providers", "providers"))
    clock = unsend.testing.FakeClock()
    for router in (
        unsend.Router.from_toml(pyproject, clock=clock),
        unsend.Router.from_toml(standalone, clock=clock),
        unsend.Router.from_env(environ=emu.env(), clock=clock),
        unsend.Router({"mail": unsend.Courier(emu.credentials.courier_token, base_url=emu.url)}),
    ):
        with router:
            (message_id,) = emu.seed("courier", count=1)
            name = "mail" if "mail" in router.names else "courier"
            assert router.cancel(f"{name}:{message_id}").cancelled
    with pytest.raises(unsend.ConfigError, match=r"UNSEND_<NAME>_DSN|UNSEND_PUSH_DSN"):
        unsend.Router.from_env(environ={})
    with pytest.raises(unsend.ConfigError, match=r"push: .*unknown provider"):
        unsend.Router({"push": "onesgnal://a:b@"})
    with pytest.raises(unsend.ConfigError, match="name"):
        unsend.Router({"has:colon": emu.dsn("qstash")})
    empty = tmp_path / "empty.toml"
    empty.write_text("[other]\n")
    with pytest.raises(unsend.ConfigError, match=r"no \[providers.NAME\]"):
        unsend.Router.from_toml(empty)
    with pytest.raises(unsend.ConfigError, match=r"Router.from_toml"):
        unsend.from_toml(standalone)


def test_a_caller_client_is_shared_and_never_closed(unsend_emulator: EmulatorFixture) -> None:
    import httpx

    emu = unsend_emulator
    with httpx.Client() as client:
        with emu.router(client=client) as router:
            refs = [f"onesignal:{i}" for i in emu.seed("onesignal", count=5)]
            assert all(r.cancelled for r in router.cancel_many(refs, concurrency=2))
        assert not client.is_closed
    with pytest.raises(unsend.ConfigError, match=r"httpx.Client"):
        emu.router(client=httpx.AsyncClient())


def test_what_a_router_opens_for_a_cancel_many_it_closes(mode: str) -> None:
    """An in-memory provider's lane is opened per cancel_many; it is closed when that ends."""
    import gc

    import httpx

    def open_clients() -> set[int]:
        kinds = (httpx.AsyncClient, httpx.Client)
        return {id(o) for o in gc.get_objects() if isinstance(o, kinds) and not o.is_closed}

    before = open_clients()
    refs = ["mem:a", "mem:b", "mem:c"]
    if mode == "sync":
        with unsend.Router({"mem": "recording://"}) as router:
            for _ in range(3):
                assert len(list(router.cancel_many(refs))) == 3
    else:

        async def main() -> None:
            async with unsend.AsyncRouter({"mem": "recording://"}) as router:
                for _ in range(3):
                    assert len([r async for r in router.cancel_many(refs)]) == 3

        asyncio.run(main())
    gc.collect()
    assert open_clients() - before == set()
