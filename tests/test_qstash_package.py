"""QStash's own operations live in unsend.qstash and only a QStash canceller has them.

Existing code keeps working: ``Canceller(QStash(...))`` (and every configuration form, and a
router's canceller) is a ``QStashCanceller`` with ``cancel_matching``, ``cancel_ids``,
``cancel_schedule``, ``bulk_action`` and ``bulk_actions``; a canceller of any other registered
provider has none of them.
"""

from __future__ import annotations

import inspect

import anyio
import pytest

import unsend
from unsend._client import AsyncCanceller, Canceller
from unsend.qstash import AsyncQStashCanceller, QStashCanceller
from unsend.testing import EmulatorFixture

from .conformance.cases import all_cases

QSTASH_ONLY = ("cancel_matching", "cancel_ids", "cancel_schedule", "bulk_action", "bulk_actions")
OTHERS = sorted(name for name in all_cases() if name != "qstash")


def test_the_generic_clients_hold_none_of_qstashs_operations() -> None:
    for operation in QSTASH_ONLY:
        assert not hasattr(Canceller, operation)
        assert not hasattr(AsyncCanceller, operation)
        assert callable(getattr(QStashCanceller, operation))
        assert callable(getattr(AsyncQStashCanceller, operation))
    assert "qstash" not in inspect.getsource(inspect.getmodule(Canceller)).lower()


@pytest.mark.parametrize("name", OTHERS)
def test_a_canceller_of_another_provider_has_none_of_them(name: str) -> None:
    case = all_cases()[name]
    with unsend.Canceller(case.provider("http://127.0.0.1:9")) as canceller:
        assert type(canceller) is Canceller
        assert not [op for op in QSTASH_ONLY if hasattr(canceller, op)]
    asynchronous = unsend.AsyncCanceller(case.provider("http://127.0.0.1:9"))
    assert type(asynchronous) is AsyncCanceller
    assert not [op for op in QSTASH_ONLY if hasattr(asynchronous, op)]


def test_every_way_to_build_a_qstash_canceller_gives_its_operations(
    unsend_emulator: EmulatorFixture,
) -> None:
    built = [
        unsend.Canceller(unsend_emulator.provider("qstash")),
        unsend.from_config(unsend_emulator.dsn("qstash")),
        unsend.from_config(unsend_emulator.config("qstash")),
    ]
    with unsend_emulator.router() as router:
        built.append(router.canceller("qstash"))
        for canceller in built:
            assert isinstance(canceller, QStashCanceller)
            assert isinstance(canceller, unsend.Canceller)  # existing isinstance checks hold
        ids = unsend_emulator.seed("qstash", count=3)
        result = built[0].cancel_ids(ids)
        assert (result.cancelled, result.finished) == (3, True)
    for canceller in built[:3]:
        canceller.close()


def test_an_async_qstash_canceller_runs_them_too(unsend_emulator: EmulatorFixture) -> None:
    ids = unsend_emulator.seed("qstash", count=2)

    async def main() -> int:
        async with unsend.AsyncCanceller(unsend_emulator.provider("qstash")) as canceller:
            assert isinstance(canceller, AsyncQStashCanceller)
            return (await canceller.cancel_ids(ids)).cancelled

    assert anyio.run(main) == 2
