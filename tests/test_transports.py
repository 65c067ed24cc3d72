"""httpx by default, sync and async, single and many; aiohttp only when chosen by name.

What a team's httpx tooling sees: a respx-mocked test never reaches the network through any
entry point, a caller's client's event hooks see every request of a fan-out, and the sync fan-out
runs on threads, no event loop. ``transport="aiohttp"`` is read from every configuration form
and refused clearly when aiohttp is not installed.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import respx

import unsend
from unsend._engine.clock import FakeClock

from .conformance.cases import all_cases

# Courier: the provider whose respx-mocked test reached the real api.courier.com before.
COURIER = "https://api.courier.com"
TOKEN = "pk_test_token_that_respx_never_lets_out"


@pytest.fixture
def courier_mock() -> Iterator[tuple[respx.Route, list[str]]]:
    """Courier's documented success for every cancel; any other request fails the test."""
    case = all_cases()["courier"]
    answer = case.success
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mock:
        route = mock.post(url__regex=rf"^{COURIER}/messages/[^/]+/cancel$").mock(
            side_effect=lambda request: httpx.Response(
                answer.status,
                headers=[(k, v) for k, v in answer.headers if k.lower() != "content-length"],
                content=answer.body.replace(
                    case.message_id.encode(), request.url.path.split("/")[2].encode()
                ),
            )
        )
        yield route, [f"{case.message_id[:-2]}{n:02d}" for n in range(4)]


def _sync_many(ids: list[str]) -> list[unsend.CancelResult]:
    with unsend.Canceller(unsend.Courier(TOKEN), clock=FakeClock()) as canceller:
        return list(canceller.cancel_many(ids, concurrency=2))


def _sync_one(ids: list[str]) -> list[unsend.CancelResult]:
    with unsend.Canceller(unsend.Courier(TOKEN), clock=FakeClock()) as canceller:
        return [canceller.cancel(i) for i in ids]


def _async_one(ids: list[str]) -> list[unsend.CancelResult]:
    async def main() -> list[unsend.CancelResult]:
        async with unsend.AsyncCanceller(unsend.Courier(TOKEN), clock=FakeClock()) as canceller:
            return [await canceller.cancel(i) for i in ids]

    return anyio.run(main)


def _async_many(ids: list[str]) -> list[unsend.CancelResult]:
    async def main() -> list[unsend.CancelResult]:
        async with unsend.AsyncCanceller(unsend.Courier(TOKEN), clock=FakeClock()) as canceller:
            return [r async for r in canceller.cancel_many(ids, concurrency=2)]

    return anyio.run(main)


def _router_many(ids: list[str]) -> list[unsend.CancelResult]:
    with unsend.Router({"mail": unsend.Courier(TOKEN)}, clock=FakeClock()) as router:
        return list(router.cancel_many([f"mail:{i}" for i in ids], concurrency=2))


def _async_router_many(ids: list[str]) -> list[unsend.CancelResult]:
    async def main() -> list[unsend.CancelResult]:
        configs = {"mail": unsend.Courier(TOKEN)}
        async with unsend.AsyncRouter(configs, clock=FakeClock()) as router:
            refs = [f"mail:{i}" for i in ids]
            return [r async for r in router.cancel_many(refs, concurrency=2)]

    return anyio.run(main)


ENTRY_POINTS: dict[str, Callable[[list[str]], list[unsend.CancelResult]]] = {
    "Canceller.cancel": _sync_one,
    "Canceller.cancel_many": _sync_many,
    "AsyncCanceller.cancel": _async_one,
    "AsyncCanceller.cancel_many": _async_many,
    "Router.cancel_many": _router_many,
    "AsyncRouter.cancel_many": _async_router_many,
}


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_a_respx_mocked_test_never_reaches_the_network(
    entry_point: str, courier_mock: tuple[respx.Route, list[str]]
) -> None:
    route, ids = courier_mock
    results = ENTRY_POINTS[entry_point](ids)
    assert sorted(r.message_id for r in results) == ids
    assert {r.outcome for r in results} == {unsend.Outcome.CANCELLED}
    assert route.call_count == len(ids)


def _answer_all(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"error": "unknown"})


def test_a_callers_client_hooks_see_every_request_of_a_sync_fan_out() -> None:
    seen: list[str] = []
    client = httpx.Client(
        transport=httpx.MockTransport(_answer_all),
        event_hooks={"request": [lambda request: seen.append(request.url.path)]},
    )
    with unsend.Canceller(unsend.QStash("t"), client=client, clock=FakeClock()) as canceller:
        results = list(canceller.cancel_many(["m1", "m2", "m3"], concurrency=3))
    assert len(results) == 3
    assert sorted(seen) == ["/v2/messages/m1", "/v2/messages/m2", "/v2/messages/m3"]


def test_a_callers_client_hooks_see_every_request_of_an_async_fan_out() -> None:
    seen: list[str] = []

    async def hook(request: httpx.Request) -> None:
        seen.append(request.url.path)

    async def main() -> int:
        client = httpx.AsyncClient(
            transport=httpx.MockTransport(_answer_all), event_hooks={"request": [hook]}
        )
        async with unsend.AsyncCanceller(unsend.QStash("t"), client=client) as canceller:
            return len([r async for r in canceller.cancel_many(["m1", "m2"], concurrency=2)])

    assert anyio.run(main) == 2
    assert sorted(seen) == ["/v2/messages/m1", "/v2/messages/m2"]


def _threads_during(run: Callable[[Callable[[], None]], None]) -> set[str]:
    """The names of the threads started for ``run``'s fan-out, alive in the middle of it."""
    before = set(threading.enumerate())
    names: set[str] = set()

    def look() -> None:
        names.update(t.name for t in set(threading.enumerate()) - before)

    run(look)
    return names


@pytest.mark.parametrize("transport", ["httpx", "aiohttp"])
def test_the_sync_fan_out_runs_an_event_loop_only_for_aiohttp(
    transport: str, unsend_emulator: Any
) -> None:
    ids = unsend_emulator.seed("qstash", count=3)

    def run(look: Callable[[], None]) -> None:
        with unsend_emulator.canceller("qstash", transport=transport) as canceller:
            for result in canceller.cancel_many(ids, concurrency=2):
                assert result.cancelled
                look()

    names = _threads_during(run)
    assert ("unsend-loop" in names) is (transport == "aiohttp")
    assert any(n.startswith("unsend-cancel-") for n in names) is (transport == "httpx")


CONFIGURED = {
    "keyword": lambda url, tmp: unsend.Canceller(
        unsend.QStash("t", base_url=url), transport="aiohttp"
    ),
    "mapping": lambda url, tmp: unsend.from_config(
        {"provider": "qstash", "token": "t", "base_url": url, "transport": "aiohttp"}
    ),
    "dsn": lambda url, tmp: unsend.from_config(f"qstash://t@?base_url={url}&transport=aiohttp"),
    "environment": lambda url, tmp: unsend.from_env(
        environ={"UNSEND_DSN": f"qstash://t@?base_url={url}", "UNSEND_TRANSPORT": "aiohttp"}
    ),
    "toml": lambda url, tmp: unsend.from_toml(
        _toml(tmp, f'provider = "qstash"\ntoken = "t"\nbase_url = "{url}"\ntransport = "aiohttp"\n')
    ),
    "router keyword": lambda url, tmp: unsend.Router(
        {"q": f"qstash://t@?base_url={url}"}, transport="aiohttp"
    ),
}


def _toml(tmp: Path, text: str) -> Path:
    path = tmp / "unsend.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("form", CONFIGURED)
def test_every_configuration_form_chooses_aiohttp_by_name(form: str, tmp_path: Path) -> None:
    built = CONFIGURED[form]("http://127.0.0.1:9", tmp_path)
    with built:
        assert built.transport == "aiohttp"
        if isinstance(built, unsend.Router):
            assert built.canceller("q").transport == "aiohttp"


def test_aiohttp_asked_for_and_not_installed_is_a_clear_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # import aiohttp now raises ImportError
    with pytest.raises(unsend.ConfigError, match=r"pip install 'unsend\[aiohttp\]'"):
        unsend.AsyncCanceller(unsend.QStash("t"), transport="aiohttp")
    with pytest.raises(unsend.ConfigError, match=r"unsend\[aiohttp\]"):
        unsend.from_config("qstash://t@?transport=aiohttp")
    # the default never needs it
    unsend.Canceller(unsend.QStash("t")).close()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: unsend.Canceller(unsend.QStash("t"), transport="urllib3"), "'httpx' or 'aiohttp'"),
        (lambda: unsend.from_config("qstash://t@?transport=requests"), "'httpx' or 'aiohttp'"),
        (
            lambda: unsend.Canceller(
                unsend.QStash("t"), client=httpx.Client(), transport="aiohttp"
            ),
            "cannot be used with transport='aiohttp'",
        ),
    ],
)
def test_a_transport_unsend_cannot_send_through_is_refused(
    build: Callable[[], object], message: str
) -> None:
    with pytest.raises(unsend.ConfigError, match=message):
        build()


def test_importing_unsend_loads_no_aiohttp() -> None:
    import subprocess

    code = (
        "import sys, unsend; unsend.Canceller(unsend.QStash('t')); print('aiohttp' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
