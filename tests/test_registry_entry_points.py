"""A third-party provider installed under the ``unsend.providers`` entry-point group."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import unsend

MODULE = '''
import httpx
import unsend


class Pigeon:
    """A toy provider: DELETE {base_url}/coops/{id}, 204 means cancelled."""

    name = "pigeon"

    def __init__(self, key, *, base_url="https://pigeon.example"):
        self.key = key
        self.base_url = base_url

    def cancel_request(self, message_id):
        unsend.validate_message_id(message_id, provider=self.name)
        return httpx.Request("DELETE", f"{self.base_url}/coops/{message_id}",
                             headers={"X-Key": self.key})

    def cancel_result(self, message_id, response):
        cancelled = response.status_code == 204
        outcome = unsend.Outcome.CANCELLED if cancelled else unsend.Outcome.NOT_FOUND
        return unsend.CancelResult(self.name, message_id, outcome, status_code=response.status_code)
'''


@pytest.fixture
def installed_pigeon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pigeon_provider.py").write_text(MODULE)
    dist = tmp_path / "pigeon_provider-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: pigeon-provider\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[unsend.providers]\npigeon = pigeon_provider:Pigeon\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    sys.modules.pop("pigeon_provider", None)


@pytest.mark.usefixtures("installed_pigeon")
def test_an_installed_provider_is_used_from_configuration() -> None:
    assert "pigeon" in unsend.available_providers()
    canceller = unsend.from_config("pigeon://KEY@?base_url=http://coop.test")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    canceller = unsend.Canceller(
        canceller.provider, client=httpx.Client(transport=httpx.MockTransport(handler))
    )
    result = canceller.cancel("bird-1")
    assert result.outcome is unsend.Outcome.CANCELLED
    assert str(seen[0].url) == "http://coop.test/coops/bird-1"
    assert seen[0].headers["x-key"] == "KEY"
    with pytest.raises(unsend.InvalidMessageId):
        canceller.cancel("../")


@pytest.mark.usefixtures("installed_pigeon")
def test_a_third_party_provider_cannot_replace_a_builtin(tmp_path: Path) -> None:
    dist = tmp_path / "evil-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: evil\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[unsend.providers]\nqstash = pigeon_provider:Pigeon\n")
    assert unsend.available_providers()["qstash"].factory is unsend.QStash


def test_a_broken_entry_point_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dist = tmp_path / "broken-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[unsend.providers]\nbroken = no_such_module:X\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(unsend.ConfigError, match=r"'broken'.*failed to load"):
        unsend.from_config("broken://t@")
    # A broken plugin never stands in the way of the built-ins.
    assert isinstance(unsend.from_config("qstash://t@").provider, unsend.QStash)


EMULATION = """
from starlette.responses import Response

from unsend.emulator import Emulated
from unsend.emulator._input import route


def routes(emulator):
    store = emulator.store

    def authorized(request):
        return request.headers.get("x-key") == emulator.credentials.pigeon_key

    async def cancel(request):
        message = store.get("pigeon", request.path_params["id"])
        if message is None or message.state != "scheduled":
            return Response(status_code=404)
        store.cancel(message)
        return Response(status_code=204)

    return [route("/coops/{id}", DELETE=emulator.guarded("pigeon", authorized, cancel))]


EMULATED = Emulated(
    name="pigeon",
    credentials={"key": "emulator-pigeon-key"},
    routes=routes,
    new_id=lambda: "coop-1234",
)
"""


@pytest.fixture
def pigeon_with_emulation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from unsend.emulator import emulated_providers

    (tmp_path / "pigeon_provider.py").write_text(MODULE)
    (tmp_path / "pigeon_emulation.py").write_text(EMULATION)
    dist = tmp_path / "pigeon_provider-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: pigeon-provider\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[unsend.providers]\npigeon = pigeon_provider:Pigeon\n"
        "[unsend.emulators]\npigeon = pigeon_emulation:EMULATED\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    emulated_providers.cache_clear()
    yield tmp_path
    emulated_providers.cache_clear()
    for name in ("pigeon_provider", "pigeon_emulation"):
        sys.modules.pop(name, None)


def test_a_provider_added_through_entry_points_is_everywhere(
    pigeon_with_emulation: Path,
) -> None:
    """A new provider is its modules and its entry points: nothing in unsend lists it, yet the
    emulator, the CLI, the router and the conformance cases all have it."""
    import os
    import subprocess

    from tests.conformance.cases import all_cases
    from unsend.emulator import EmulatorServer
    from unsend.testing import EmulatorFixture

    with EmulatorServer() as server:
        emu = EmulatorFixture(server.url)
        assert "pigeon" in emu.names()
        (coop,) = emu.seed("pigeon")
        with emu.router() as router:  # every emulated provider under its name
            assert router.cancel(f"pigeon:{coop}").outcome is unsend.Outcome.CANCELLED
        assert emu.states("pigeon")[coop] == "cancelled"
        (other,) = emu.seed("pigeon", message_id="coop-5678")
        env = {
            **os.environ,
            "PYTHONPATH": f"{pigeon_with_emulation}{os.pathsep}" + os.environ.get("PYTHONPATH", ""),
        }
        command = [sys.executable, "-m", "unsend.cli", "cancel"]
        done = subprocess.run(
            [*command, "--json", "--dsn", emu.dsn("pigeon"), other],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert '"outcome": "CANCELLED"' in done.stdout
        helped = subprocess.run(
            [*command, "--help"], capture_output=True, text=True, env=env, timeout=60
        )
        assert "pigeon" in helped.stdout
        emu.close()
    assert "pigeon" in all_cases.__wrapped__()  # type: ignore[attr-defined]
