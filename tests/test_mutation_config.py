"""The mutation configuration stays true to the code: every line it calls equivalent exists,
and every file a group of tools/mutation.py mutates or tests by exists."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from tools.mutation import GROUPS

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
SOURCE_LINES = [
    line
    for path in (ROOT / "src" / "unsend").rglob("*.py")
    for line in path.read_text().splitlines()
]


@pytest.mark.parametrize("pattern", CONFIG["do_not_mutate_patterns"])
def test_every_equivalent_line_still_exists(pattern: str) -> None:
    """A pattern that matches nothing hides nothing: it is a reason for code that is gone."""
    assert any(re.search(pattern, line) for line in SOURCE_LINES), pattern


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_group_mutates_files_that_exist_and_tests_that_exist(group: str) -> None:
    mutate, tests = GROUPS[group]
    assert all((ROOT / path).is_file() for path in mutate)
    assert all((ROOT / path.split("::")[0]).exists() for path in tests if path.startswith("tests/"))


@pytest.mark.parametrize("pattern", CONFIG["only_mutate"])
def test_every_path_mutated_names_source_that_exists(pattern: str) -> None:
    """A path that names no file mutates nothing, silently (two named modules that had moved)."""
    assert list(ROOT.glob(pattern)), pattern
