"""The suite covers every registered provider, and its cases are real: each documented success,
replayed from a loopback server, is read as the cancel through every entry point."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from unsend._registry import available_providers

from .cases import Case, all_cases, in_memory_providers
from .conftest import Scripted
from .entry_points import ENTRY_POINTS

ACCEPTED = {"CANCELLED", "REQUESTED"}


def test_every_registered_provider_has_a_case() -> None:
    registered = set(available_providers())
    covered = set(all_cases()) | set(in_memory_providers())
    missing = registered - covered
    assert not missing, f"registered providers without a conformance case: {sorted(missing)}"
    assert len(all_cases()) >= 8


def test_in_memory_providers_send_nothing_over_http() -> None:
    # The only exemption: a provider that answers in memory has no wire to attack.
    assert set(in_memory_providers()).isdisjoint(all_cases())


def test_canaries_are_long_and_distinct(case: Case) -> None:
    assert case.credentials
    for value in case.credentials:
        assert len(value) >= 16
    assert len(set(case.credentials)) == len(case.credentials)


def test_the_documented_success_is_a_cancel_through_every_entry_point(
    case: Case, entry_point: str, serve: Callable[[Sequence[bytes]], Scripted]
) -> None:
    server = serve([[case.success.raw()]])
    seen = ENTRY_POINTS[entry_point](case, server.url, [case.message_id, case.message_id])
    assert [s.outcome for s in seen] == [seen[0].outcome] * 2
    assert seen[0].outcome in ACCEPTED, seen[0].shown
    assert server.count == 2


def test_the_package_metadata_names_every_registered_provider() -> None:
    """PyPI's keywords are the one list of providers outside the registry (pyproject cannot
    read it): a provider added there is added here."""
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"]
    assert set(all_cases()) <= set(project["keywords"])
