"""mkdocs hooks: the pages' generated parts, from the repository's own sources of truth.

``<!-- generated: benchmarks -->`` is benchmarks/results.md (written by the harness, never by
hand), ``<!-- generated: outcomes NAME -->`` the rows of the outcome table for that provider,
``<!-- generated: changelog -->`` CHANGELOG.md. The chart is served from benchmarks/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"<!-- generated: (\w+)(?: (\w+))? -->")


def _outcome_rows(provider: str) -> str:
    table = (ROOT / "docs" / "outcomes.md").read_text().split("\n")
    rows = [line for line in table if line.startswith("|")]
    header, rule, body = rows[0], rows[1], rows[2:]
    mine = [
        row
        for row in body
        if (cell := row.split("|")[1].strip()) == provider
        or cell == "any"
        or provider in cell.split(" / ")
    ]
    if not mine:
        raise ValueError(f"no outcome rows for {provider}")
    return "\n".join([header, rule, *mine])


def _fill(match: re.Match[str]) -> str:
    kind, argument = match.group(1), match.group(2)
    if kind == "benchmarks":
        return (ROOT / "benchmarks" / "results.md").read_text()
    if kind == "changelog":
        return (ROOT / "CHANGELOG.md").read_text()
    if kind == "outcomes" and argument:
        return _outcome_rows(argument)
    raise ValueError(f"unknown generated block {match.group(0)}")


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    return MARKER.sub(_fill, markdown)


def on_files(files: Files, config: Any, **kwargs: Any) -> Files:
    chart = File(
        "results.png",
        src_dir=str(ROOT / "benchmarks"),
        dest_dir=config["site_dir"],
        use_directory_urls=config["use_directory_urls"],
    )
    files.append(chart)
    return files
