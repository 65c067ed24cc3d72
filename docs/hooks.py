"""mkdocs hooks: the pages' generated parts, from the repository's own sources of truth.

``<!-- generated: benchmarks -->`` is benchmarks/results.md (written by the harness, never by
hand), ``<!-- generated: outcomes NAME -->`` the rows of the outcome table for that provider,
``<!-- generated: changelog -->`` CHANGELOG.md, ``<!-- generated: routes -->`` the emulator's
routes per provider (from the emulator itself). The Providers section of the navigation is the
registry's built-in providers, one page each. The chart is served from benchmarks/.
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


def _route_table() -> str:
    """Every emulated provider's routes, as the emulator serves them."""
    from unsend.emulator import create_app, emulated_providers

    app = create_app()
    rows = ["| provider | routes |", "| --- | --- |"]
    for name, provider in emulated_providers().items():
        routes = [
            f"`{' '.join(sorted(m for m in r.methods or () if m != 'HEAD'))} {r.path}`"
            for r in provider.routes(app)
        ]
        rows.append(f"| {name} | {', '.join(routes)} |")
    return "\n".join(rows)


def _provider_pages() -> list[dict[str, str]]:
    """The registry's built-in providers, each with its page (a missing page is an error)."""
    from unsend.providers import BUILTIN

    pages = []
    for cls in BUILTIN:
        page = f"providers/{cls.name}.md"
        if not (ROOT / "docs" / page).exists():
            raise ValueError(f"the provider {cls.name} has no page docs/{page}")
        pages.append({cls.__name__: page})
    return pages


def on_config(config: Any, **kwargs: Any) -> Any:
    for item in config["nav"]:
        if isinstance(item, dict) and "Providers" in item:
            item["Providers"] = _provider_pages()
    return config


def _fill(match: re.Match[str]) -> str:
    kind, argument = match.group(1), match.group(2)
    if kind == "benchmarks":
        return (ROOT / "benchmarks" / "results.md").read_text()
    if kind == "changelog":
        return (ROOT / "CHANGELOG.md").read_text()
    if kind == "outcomes" and argument:
        return _outcome_rows(argument)
    if kind == "routes":
        return _route_table()
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
