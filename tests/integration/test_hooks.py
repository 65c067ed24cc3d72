"""on_result on a single canceller, and the hooks every configuration form passes through."""

from __future__ import annotations

import anyio
import pytest

import unsend
from unsend.testing import EmulatorFixture, FakeClock


def test_on_result_once_per_finished_cancel(unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    seen: list[unsend.CancelResult] = []
    ids = emu.seed("courier", count=3)
    with emu.canceller("courier", on_result=seen.append) as canceller:
        canceller.cancel(ids[0])
        with pytest.raises(unsend.InvalidMessageId):
            canceller.cancel("a/b")
        list(canceller.cancel_many([*ids[1:], "1-unknown"], concurrency=2))
    assert len(seen) == 5
    assert seen[0].outcome is unsend.Outcome.CANCELLED
    assert seen[1].outcome is unsend.Outcome.FAILED
    assert isinstance(seen[1].error, unsend.InvalidMessageId)
    assert sorted(r.outcome.name for r in seen[2:]) == ["CANCELLED", "CANCELLED", "NOT_FOUND"]


def test_async_on_result(unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    seen: list[unsend.CancelResult] = []
    ids = emu.seed("onesignal", count=2)

    async def main() -> None:
        async with emu.async_canceller("onesignal", on_result=seen.append) as canceller:
            await canceller.cancel(ids[0])
            async for _ in canceller.cancel_many(ids[1:]):
                pass

    anyio.run(main)
    assert [r.message_id for r in seen] == ids


@pytest.mark.parametrize("form", ["config", "dsn", "env", "toml"])
def test_every_configuration_form_takes_the_hooks(
    form: str, unsend_emulator: EmulatorFixture, tmp_path: object
) -> None:
    import pathlib

    emu = unsend_emulator
    seen: list[unsend.CancelResult] = []
    retried: list[unsend.RetryEvent] = []
    clock = FakeClock()
    extras = {"clock": clock, "on_retry": retried.append, "on_result": seen.append}
    if form == "config":
        canceller = unsend.from_config(emu.config("qstash"), **extras)  # type: ignore[arg-type]
    elif form == "dsn":
        canceller = unsend.from_config(emu.dsn("qstash"), **extras)  # type: ignore[arg-type]
    elif form == "env":
        canceller = unsend.from_env(environ=emu.env(), **extras)  # type: ignore[arg-type]
    else:
        path = pathlib.Path(str(tmp_path)) / "unsend.toml"
        path.write_text("".join(f'{k} = "{v}"\n' for k, v in emu.config("qstash").items()))
        canceller = unsend.from_toml(path, **extras)  # type: ignore[arg-type]
    emu.set_faults("qstash", unavailable_rate=1.0, max_faults=1)
    (message_id,) = emu.seed("qstash", count=1)
    with canceller:
        assert canceller.clock is clock
        assert canceller.cancel(message_id).cancelled
    assert [e.status_code for e in retried] == [503]
    assert clock.sleeps  # the retry waited on the injected clock
    assert [r.message_id for r in seen] == [message_id]


def test_errors_name_the_fix() -> None:
    with pytest.raises(unsend.ConfigError, match=r"UNSEND_DSN.*UNSEND_PROVIDER"):
        unsend.from_env(environ={})
    with pytest.raises(unsend.ConfigError, match="UNSEND_TOKEN"):
        unsend.from_env(environ={"UNSEND_PROVIDER": "courier"})
    with pytest.raises(unsend.ConfigError, match="UNSEND_APP_ID and UNSEND_API_KEY"):
        unsend.from_env(environ={"UNSEND_PROVIDER": "onesignal"})
    with pytest.raises(unsend.ConfigError, match="UNSEND_TIMEOUT must be a number"):
        unsend.from_env(environ={"UNSEND_DSN": "courier://t@", "UNSEND_TIMEOUT": "soon"})
    with pytest.raises(unsend.ConfigError, match="UNSEND_PROVIDER: unknown provider 'courir'"):
        unsend.from_env(environ={"UNSEND_PROVIDER": "courir", "UNSEND_TOKEN": "t"})
    with pytest.raises(unsend.ConfigError) as caught:
        unsend.from_config({"provider": "courier", "token": "t", "colour": "red"})
    text = str(caught.value)
    assert "courier takes token, base_url" in text
    assert text.count("max_rate") == 1  # the client options, listed once
    import httpx

    async_client = httpx.AsyncClient()
    with pytest.raises(unsend.ConfigError, match="AsyncClient goes with asynchronous=True"):
        unsend.from_config("courier://t@", client=async_client)  # type: ignore[arg-type]
